// A window closed while one of its invokes is still pending. The victim
// starts `later` (answered from a worker thread after 1.5 s) and says so;
// main destroys it at once, waits past the answer, and checks that the
// answer was produced and dropped without harm and that the core still
// serves. The host's end-of-run checks (every delayed answer finished, exit
// status 0) add to these.
import { invoke } from '@tauri-apps/api/core';
import { emit, listen } from '@tauri-apps/api/event';
import { getCurrentWindow, getAllWindows, Window } from '@tauri-apps/api/window';
import { test, run, assert, assertEqual, waitFor, sleep } from '../../lib/harness.js';

const labels = async () => (await getAllWindows()).map((w) => w.label);

async function victim() {
  // Main may not listen yet: say hello until it answers "start".
  let started = false;
  await listen('start', () => {
    if (started) return;
    started = true;
    // Never answered to this page: the window is gone by then.
    invoke('later', { ms: 1500, value: 1 });
    emit('victim-waiting');
  });
  while (!started) {
    await emit('victim-hello');
    await sleep(100);
  }
}

let waiting = false;
const destroyedEvents = [];

test('the victim is closed while its invoke is pending', async () => {
  await waitFor(() => waiting, 'victim-waiting', 15000);
  const stats = await invoke('stats');
  assertEqual([stats.later_started, stats.later_finished], [1, 0], '[later_started, later_finished]');
  const target = await Window.getByLabel('victim');
  assert(target !== null, 'no window labelled "victim"');
  await target.destroy();
  await waitFor(async () => !(await labels()).includes('victim'), 'the victim to be gone');
});

test('main hears tauri://destroyed for the victim', async () => {
  await waitFor(() => destroyedEvents.length > 0, 'tauri://destroyed');
  assertEqual(destroyedEvents, [{ event: 'tauri://destroyed', payload: null }]);
});

test('the answer was produced after the page died, and dropped', async () => {
  await sleep(2500);
  const stats = await invoke('stats');
  assertEqual([stats.later_started, stats.later_finished], [1, 1], '[later_started, later_finished]');
});

test('the core still answers', async () => {
  assertEqual(await invoke('echo', { value: 'alive' }), 'alive');
  assertEqual(await invoke('later', { ms: 10, value: 2 }), 2);
});

test('getAllWindows is ["main"]', async () => {
  assertEqual(await labels(), ['main']);
});

async function main() {
  await listen('victim-hello', () => { emit('start'); });
  await listen('victim-waiting', () => { waiting = true; });
  await listen('tauri://destroyed', (e) => { destroyedEvents.push({ event: e.event, payload: e.payload }); });
  await run();
}

if (getCurrentWindow().label === 'main') main();
else victim();
