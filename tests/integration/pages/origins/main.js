// Origins and frames with a real foreign server (test-origins.sh): IPC is
// accepted only from the top frame, and only as the capabilities for the
// window and its page's URL allow.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { WebviewWindow } from '@tauri-apps/api/webviewWindow';
import { test, run, assert, assertEqual, waitFor } from '../../lib/harness.js';

const server = new URLSearchParams(location.search).get('server');

test('a cross-origin iframe has no bridge and no way to the core', async () => {
  const messages = [];
  addEventListener('message', (event) => messages.push(event.data));
  const frame = document.createElement('iframe');
  frame.src = `${server}/probe-frame.html`;
  document.body.append(frame);
  const probe = await waitFor(() => messages.find((m) => m && m.probe), 'the frame\'s report');
  const found = probe.probe;
  assertEqual(found.internals, 'undefined', 'window.__TAURI_INTERNALS__ in the frame');
  assertEqual(found.keel, 'undefined', 'window.keel in the frame');
  assertEqual(found.handler, false, 'a "keel" message handler in the frame');
  for (const name of ['parentDocument', 'parentInternals', 'topInternals', 'dispatchOnParent'])
    assertEqual(found[name], { ok: false, error: 'SecurityError' }, name);
  // Its binary calls to ipc://: refused for its origin, or without one.
  assertEqual(found.ipcCors.status, 403, `a CORS fetch: ${JSON.stringify(found.ipcCors)}`);
  assertEqual(found.ipcCors.code, 'forbidden');
  assert(found.ipcCors.message.includes(server) && found.ipcCors.message.includes('keel://localhost'),
         found.ipcCors.message);
  assertEqual(found.ipcNoCors, { type: 'opaque' }, 'a no-cors fetch');
  // What the frame posted or fetched reached no command.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await invoke('echo', { value: 'recorded' });
  const seen = (await invoke('stats')).seen;
  assert(Array.isArray(seen) && seen.includes('echo'), `the request hook's record: ${JSON.stringify(seen)}`);
  assert(!seen.includes('frame_marker'), `the core saw the frame's command: ${JSON.stringify(seen)}`);
});

function remoteReport(label) {
  return new Promise((resolve) => {
    listen('remote-report', (event) => { if (event.payload) resolve(event.payload); });
    new WebviewWindow(label, { url: `${server}/allowed/ipc.html`, width: 200, height: 150 });
  });
}

test('a remote page gets exactly what remote.urls grants its window', async () => {
  const report = await remoteReport('remote-1');
  assertEqual(report.bridge, 'object', 'the bridge in the top frame of the remote page');
  assertEqual(report.echo, { ok: true, value: 'from remote' }, 'echo, granted by remote-pages');
  assertEqual(report.fail.code, 'forbidden', 'fail');
  assert(report.fail.message.includes('window "remote-1"'), report.fail.message);
  assert(report.fail.message.includes('allow-fail'), report.fail.message);
  // app-pages grants test-host and core:default to every window, but for the
  // app's own pages only.
  assertEqual(report.exit.code, 'forbidden', 'exit');
  // Binary calls from the remote page follow the same capability.
  assertEqual(report.binaryEcho, { ok: true, value: null }, 'binary echo (no JSON args: null)');
  assertEqual(report.binaryFail.code, 'forbidden', 'binary fail');
  assert(report.binaryFail.message.includes('allow-fail'), report.binaryFail.message);
});

test('the same remote page in a window no remote capability names gets no IPC', async () => {
  new WebviewWindow('elsewhere', { url: `${server}/allowed/ipc.html`, width: 200, height: 150 });
  const refusals = await waitFor(async () => {
    const all = (await invoke('refusals')).filter((r) => r.window === 'elsewhere');
    return all.length >= 6 ? all : null;
  }, 'the six refusals of the window "elsewhere"');
  // The binary calls (echo, fail) are refused like the JSON ones.
  assertEqual(refusals.map((r) => r.command),
    ['echo', 'fail', 'plugin:app|exit', 'echo', 'fail', 'plugin:event|emit']);
  for (const r of refusals)
    assert(r.message.includes('not on the app\'s origin') && r.message.includes('remote'), r.message);
});

test('the app\'s pages keep their own capability meanwhile', async () => {
  assertEqual(await invoke('echo', { value: 7 }), 7);
});

run();
