// A window the app created from C before keel_app_run() (test-host
// --c-window extra) opens at start-up beside the configured one.
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

run();
