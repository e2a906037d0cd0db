// A window the app created from C before keel_app_run() (test-host
// --c-window extra) opens at start-up beside the configured one.
import { invoke } from '@tauri-apps/api/core';
import { getAllWindows, Window } from '@tauri-apps/api/window';
import { test, run, assertEqual, waitFor } from '../../lib/harness.js';

test('the window created from C is open', async () => {
  const labels = await waitFor(async () => {
    const all = (await getAllWindows()).map((w) => w.label);
    return all.includes('extra') && all;
  }, 'the C window');
  assertEqual(labels.sort(), ['extra', 'main']);
});

test('it has the options C gave it', async () => {
  const extra = await Window.getByLabel('extra');
  assertEqual(await extra.title(), 'From C');
  const size = await extra.innerSize();
  const scale = await extra.scaleFactor();
  assertEqual([size.width, size.height], [320 * scale, 200 * scale]);
});

test('each window has a web process of its own', async () => {
  // Both pages are loaded by now (the C window answered its title), so
  // each window has started its process; one shared process would give 1.
  const pids = await invoke('web_processes');
  assertEqual(new Set(pids).size, 2);
});

test('each web process runs inside WebKit\'s bubblewrap sandbox', async () => {
  assertEqual(await invoke('web_process_parents'), ['bwrap', 'bwrap']);
});

test('a snapshot of a window destroyed meanwhile reports that, not a freed window', async () => {
  const result = await invoke('snapshot_then_destroy', { label: 'extra' });
  assertEqual(result.windowGone, true);
  assertEqual(result.error, 'the window was closed before its snapshot was taken');
});

run();
