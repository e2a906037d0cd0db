// A page blocked in alert() waits on its user: it is not hung, and must not
// be restarted however long the dialog stays open (hangTimeoutMs is 1000).
import { invoke } from '@tauri-apps/api/core';
import { test, run, assertEqual, sleep, waitFor } from '../../lib/harness.js';

test('a page showing alert() is not killed as hung', async () => {
  // The core's request hook saw the asker's call just before its alert().
  await waitFor(async () => (await invoke('stats')).seen.includes('args_of'), 'the asker');
  await sleep(4000); // four hang timeouts, with pings every 500 ms
  assertEqual(await invoke('terminations'), []);
});

test('the other window kept working meanwhile', async () => {
  assertEqual(await invoke('echo', { value: 'fine' }), 'fine');
});

run();
