// A page blocked in alert() waits on its user: it is not hung, and must not
// be restarted however long the dialog stays open (hangTimeoutMs is 1000).
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { test, run, assertEqual, sleep } from '../../lib/harness.js';

const ready = new Promise((resolve) => listen('asker-ready', resolve));

test('a page showing alert() is not killed as hung', async () => {
  await ready;
  await sleep(4000); // four hang timeouts, with pings every 500 ms
  assertEqual(await invoke('terminations'), []);
});

test('the other window kept working meanwhile', async () => {
  assertEqual(await invoke('echo', { value: 'fine' }), 'fine');
});

run();
