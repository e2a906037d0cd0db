// Capabilities as a page meets them: commands granted, refused, denied, the
// scopes a command sees, a window with a narrower capability that tries to
// act as this one, and a window no capability names.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWindow, LogicalSize } from '@tauri-apps/api/window';
import { WebviewWindow } from '@tauri-apps/api/webviewWindow';
import { getVersion } from '@tauri-apps/api/app';
import { test, run, assert, assertEqual, rejects, waitFor } from '../../lib/harness.js';

function assertRefusal(error, command, ...parts) {
  assertEqual(error && error.code, 'forbidden', `code of the refusal of ${command}`);
  assert(error.message.includes(`"${command}"`), `the message names ${command}: ${error.message}`);
  for (const part of parts)
    assert(error.message.includes(part), `the message mentions ${part}: ${error.message}`);
}

test('a granted app command runs', async () => {
  assertEqual(await invoke('echo', { value: 42 }), 42);
});

test('an app command not granted is refused, naming allow-<name>', async () => {
  const error = await rejects(invoke('fail', { message: 'x' }));
  assertRefusal(error, 'fail', 'allow-fail', 'window "main"');
});

test('a core command outside the capability is refused, naming its permission', async () => {
  const error = await rejects(getCurrentWindow().setTitle('changed'));
  assertRefusal(error, 'plugin:window|set_title', 'core:window:allow-set-title');
  assertEqual(await getCurrentWindow().title(), 'security', 'the title is unchanged');
});

test('core:default is not implied: app version needs core:app:allow-version', async () => {
  const error = await rejects(getVersion());
  assertRefusal(error, 'plugin:app|version', 'core:app:allow-version');
});

test('a deny in another capability wins over an allow', async () => {
  const error = await rejects(getCurrentWindow().setSize(new LogicalSize(300, 200)));
  assertRefusal(error, 'plugin:window|set_size', 'core:window:deny-set-size', '"no-resize"');
});

test('a capability for another platform grants nothing', async () => {
  // android-only grants allow-fail and set_title to every window: refused above;
  // and test_report is still granted by main, so the page keeps reporting.
  const error = await rejects(invoke('plugin:window|set_title', { label: 'main', value: 'x' }));
  assertRefusal(error, 'plugin:window|set_title');
});

test('a command sees the scopes of the permission that granted it, and its page URL', async () => {
  const seen = await invoke('scopes');
  assertEqual(seen.allow, [{ path: 'notes/*' }]);
  assertEqual(seen.deny, [{ path: 'notes/secret' }]);
  assertEqual(seen.url, 'keel://localhost/index.html');
});

test('a window with a narrower capability cannot act as main', async () => {
  const report = new Promise((resolve) => {
    listen('limited-report', (event) => resolve(event.payload));
  });
  new WebviewWindow('limited-1', { url: 'limited.html', width: 200, height: 150 });
  const r = await report;
  assertEqual(r.echo, { ok: true, value: 'from limited' }, 'its own grant works');
  assert(!r.setTitleOfMain.ok, 'set_title on main refused');
  assertRefusal(r.setTitleOfMain, 'plugin:window|set_title', 'window "limited-1"');
  // The page relabelled itself "main" in its metadata before the calls
  // below: the core names callers by their window, never by what they say.
  assertEqual(r.metadataLabel, 'main', 'the page could write its own metadata');
  assert(!r.test_report.ok, 'test_report refused');
  assertRefusal(r.test_report, 'test_report', 'window "limited-1"', 'allow-test-report');
  assert(!r.forged.ok, 'the forged message refused');
  assertRefusal(r.forged, 'plugin:window|destroy', 'window "limited-1"');
  assertEqual(await getCurrentWindow().title(), 'security', 'main is untouched');
});

test('a window no capability names gets no IPC at all', async () => {
  let heard = false;
  await listen('stranger-says', () => { heard = true; });
  new WebviewWindow('stranger', { url: 'stranger.html', width: 200, height: 150 });
  const refusals = await waitFor(async () => {
    const all = (await invoke('refusals')).filter((r) => r.window === 'stranger');
    return all.length >= 4 ? all : null;
  }, 'the stranger window\'s four refusals');
  assertEqual(refusals.map((r) => r.command),
    ['echo', 'plugin:event|listen', 'plugin:event|emit', 'no_such_command']);
  for (const r of refusals)
    assert(r.message.includes('no capability applies to window "stranger"'), r.message);
  assert(!heard, 'its emit never arrived');
});

test('a page without an origin (about:blank) gets no IPC', async () => {
  new WebviewWindow('limited-blank', { url: 'blank-start.html', width: 200, height: 150 });
  // Once the window shows about:blank, ask its page to call the core.
  const found = await waitFor(async () => {
    await invoke('eval_in', { label: 'limited-blank', script:
      "window.__TAURI_INTERNALS__ && location.href === 'about:blank' && " +
      "window.__TAURI_INTERNALS__.invoke('echo', { value: 1 }).catch(() => {})" });
    const all = (await invoke('refusals')).filter((r) => r.window === 'limited-blank');
    return all.length > 0 ? all : null;
  }, 'a refusal from the about:blank page');
  assert(found[0].message.includes('has no origin'), found[0].message);
});

test('media capture is off unless keel.json turns it on', async () => {
  const api = navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (typeof api !== 'function') return; // not even exposed
  let name = 'granted';
  try {
    (await navigator.mediaDevices.getUserMedia({ audio: true })).getTracks().forEach((t) => t.stop());
  } catch (error) {
    name = error.name;
  }
  assert(name === 'NotAllowedError', `getUserMedia: expected NotAllowedError, got ${name}`);
});

run();
