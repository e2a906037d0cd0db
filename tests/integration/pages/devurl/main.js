// Served by a development server on loopback (build.devUrl), not keel://.
// test-devurl.sh starts the server and points devUrl at it.
import { invoke } from '@tauri-apps/api/core';
import { getName } from '@tauri-apps/api/app';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { test, run, assertEqual } from '../../lib/harness.js';

test('the page comes from devUrl', () => {
  assertEqual(location.protocol, 'http:');
  assertEqual(location.hostname, '127.0.0.1');
});

test('the bridge is there and the core sees the dev server origin', async () => {
  assertEqual(getCurrentWindow().label, 'main');
  const seen = await invoke('args_of', {});
  assertEqual(seen.origin, location.origin);
  assertEqual(await getName(), 'Dev URL Test');
});

run();
