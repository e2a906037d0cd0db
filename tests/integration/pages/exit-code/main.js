// The page ends the app with exit(7) from @tauri-apps/api/app
// (plugin:app|exit) instead of test_done, after reporting its one case; the
// test runs with --expect 1 --expect-exit 7, so the host checks that the
// code reached the process's exit status.
import { invoke } from '@tauri-apps/api/core';
import { exit } from '@tauri-apps/api/app';
import { test, run, assertEqual, rejects } from '../../lib/harness.js';

test('plugin:app|exit refuses a code that is not a 32-bit integer', async () => {
  for (const code of [2 ** 40, -(2 ** 40), 'seven', 7.5]) {
    const error = await rejects(invoke('plugin:app|exit', { code }), `exit(${code})`);
    assertEqual(error.code, 'invalid_args', `exit(${code}): ${JSON.stringify(error)}`);
  }
});

await run({ done: false });
await exit(7);
