// The bridge, end to end: @tauri-apps/api 2.12.x against Keel's core.
import { invoke, transformCallback } from '@tauri-apps/api/core';
import { getName, getVersion, getIdentifier, getTauriVersion } from '@tauri-apps/api/app';
import { appDataDir, homeDir, BaseDirectory } from '@tauri-apps/api/path';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { test, run, assert, assertEqual, rejects, waitFor } from '../../lib/harness.js';

test('metadata names the current window and webview', () => {
  assertEqual(getCurrentWindow().label, 'main');
  assertEqual(getCurrentWebview().label, 'main');
});

test('invoke round-trips JSON values', async () => {
  const value = { s: 'héllo ☃ \u0000 "quoted"', n: 42, f: 1.5, neg: -7, t: true, nil: null,
                  list: [1, 'two', [3]], nested: { deep: { deeper: [{}] } } };
  assertEqual(await invoke('echo', { value }), value);
  assertEqual(await invoke('echo', { value: 'plain' }), 'plain');
  assertEqual(await invoke('echo', {}), null);
});

test('a 1 MiB string survives the round trip', async () => {
  const big = 'x'.repeat(1 << 20);
  const back = await invoke('echo', { value: big });
  assertEqual(back.length, big.length);
  assert(back === big, 'contents differ');
});

test('the handler sees window, webview and origin as the core saw them', async () => {
  const seen = await invoke('args_of', { a: 1 });
  assertEqual(seen, { args: { a: 1 }, window: 'main', webview: 'main', origin: 'keel://localhost' });
});

test('an unknown command rejects, naming it', async () => {
  const error = await rejects(invoke('no_such_command', {}));
  assertEqual(error.code, 'unknown_command');
  assert(error.message.includes('"no_such_command"'), error.message);
});

test('a rejecting command rejects with its error value', async () => {
  const error = await rejects(invoke('fail', { message: 'nope' }));
  assertEqual(error, { code: 'test_error', message: 'nope' });
});

test('a mistyped argument is refused with a clear message', async () => {
  const error = await rejects(invoke('later', { ms: 'soon' }));
  assertEqual(error.code, 'invalid_args');
  assert(error.message.includes('"later"') && error.message.includes('"ms"') &&
         error.message.includes('an integer') && error.message.includes('a string'), error.message);
  const missing = await rejects(invoke('later', {}));
  assert(missing.message.includes('missing argument "ms"'), missing.message);
});

test('answers from a worker thread arrive, in any order', async () => {
  const slow = invoke('later', { ms: 300, value: 'slow' });
  const fast = invoke('later', { ms: 10, value: 'fast' });
  const order = [];
  await Promise.all([slow.then((v) => order.push(v)), fast.then((v) => order.push(v))]);
  assertEqual(order, ['fast', 'slow']);
});

test('many concurrent invokes each get their own answer', async () => {
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => invoke('echo', { value: i })));
  assertEqual(answers, Array.from({ length: 200 }, (_, i) => i));
});

test('a request hook refuses with its reason', async () => {
  const error = await rejects(invoke('refuse_me', { value: 1 }));
  assertEqual(error, { code: 'refused', message: 'refused by the test hook' });
});

test('a request hook rewrites arguments before the handler', async () => {
  const seen = await invoke('rewrite_me', { a: 1 });
  assertEqual(seen.args, { a: 1, rewritten: true });
});

test('a response hook rewrites results and errors', async () => {
  assertEqual(await invoke('rewrite_result', { value: 5 }),
              { original: 5, wasError: false, rewritten: true });
});

test('the hook saw every request, built-ins included', async () => {
  await getName();
  const { seen } = await invoke('stats');
  assert(seen.includes('plugin:app|name') && seen.includes('echo') && seen.includes('refuse_me'),
         JSON.stringify(seen.slice(-20)));
});

test('a raw JSON result passes through unchanged', async () => {
  assertEqual(await invoke('echo_raw', { json: '{"a":[1,2,{"b":null}]}' }), { a: [1, 2, { b: null }] });
});

// Messages that bypass @tauri-apps/api: forged straight onto the bridge's
// channel, as a hostile or broken page could. `message` is a JSON object's
// text; the head the relay checks, {"id":<id>,"url":<this document>, takes
// the place of its "{". Answers "<o|e><json>".
function rawRequest(id, message) {
  return new Promise((resolve) => {
    const listener = (event) => {
      const detail = event.detail;
      if (typeof detail === 'string' && detail.startsWith(id + '\n', 1)) {
        document.removeEventListener('keel:response', listener, true);
        resolve(detail[0] + detail.slice(String(id).length + 2));
      }
    };
    document.addEventListener('keel:response', listener, true);
    const head = '{"id":' + id + ',"url":' + JSON.stringify(document.URL) + ',';
    document.dispatchEvent(new CustomEvent('keel:request', { detail: head + message.slice(1) }));
  });
}

// The bridge and the relay reuse one event object each way (bridge.js,
// relay.js). A request or a response sent while that object is still being
// dispatched — from a page's own listener of those events — needs an event
// of its own, and every call must still settle.
test('calls made from inside the bridge\'s own events settle', async () => {
  let nested = null;
  const onRequest = () => {
    document.removeEventListener('keel:request', onRequest, true);
    nested = invoke('echo', { value: 'nested' });
  };
  document.addEventListener('keel:request', onRequest, true);
  assertEqual(await invoke('echo', { value: 'outer' }), 'outer');
  assertEqual(await nested, 'nested');

  // The relay refuses a raw message with an unpaired surrogate at once, so
  // its response goes out while the response event is being dispatched.
  let refused = null;
  const onResponse = () => {
    document.removeEventListener('keel:response', onResponse, true);
    refused = rawRequest(900101, '{"cmd":"echo","args":{"value":"a\ud800b"}}');
  };
  document.addEventListener('keel:response', onResponse, true);
  assertEqual(await invoke('echo', { value: 'again' }), 'again');
  const answer = await refused;
  assert(answer.startsWith('e') && answer.includes('unpaired UTF-16 surrogate'), answer);
});

test('malformed messages are refused, and the core keeps serving', async () => {
  const cases = [
    ['{not json', 'not valid JSON'],
    ['{"cmd":"echo","args":{}} [1,2,3]', 'not valid JSON'],
    ['{"args":{}}', 'needs "cmd"'],
    ['{"cmd":42}', 'needs "cmd"'],
    ['{"cmd":"echo","args":"x"}', 'wrong type'],
    ['{"cmd":"has space"}', 'invalid command name'],
    ['{"cmd":"echo","evil":1}', 'unknown key'],
    ['{"cmd":"echo","cmd":"fail"}', 'not valid JSON'],
    // A second URL behind the one the relay checked.
    ['{"cmd":"echo","url":"https://elsewhere.test/"}', 'only once'],
    ['{"cmd":"echo","args":' + '['.repeat(5000), 'not valid JSON'],
    ['{', 'not valid JSON'],
  ];
  let id = 900001;
  for (const [message, expected] of cases) {
    const reply = await rawRequest(id++, message);
    assertEqual(reply[0], 'e', `reply to ${message.slice(0, 40)}`);
    const error = JSON.parse(reply.slice(1));
    assertEqual(error.code, 'invalid_message');
    assert(error.message.includes(expected), `${message.slice(0, 40)}: ${error.message}`);
  }
  assertEqual(await invoke('echo', { value: 'still here' }), 'still here');
});

test('an oversize message is refused before it reaches the core', async () => {
  const error = await rejects(invoke('echo', { value: 'x'.repeat(64 * 1024 * 1024 + 1) }));
  assertEqual(error.code, 'message_too_large');
  assertEqual(await invoke('echo', { value: 'after' }), 'after');
});

test('binary arguments travel as bytes (tests/integration/pages/binary)', async () => {
  // echo reads JSON args: a binary call has none, so it answers null.
  assertEqual(await invoke('echo', new Uint8Array([1, 2, 3])), null);
});

test('transformCallback / runCallback / unregisterCallback', () => {
  let got = null;
  const id = transformCallback((v) => { got = v; });
  window.__TAURI_INTERNALS__.runCallback(id, 7);
  assertEqual(got, 7);
  window.__TAURI_INTERNALS__.unregisterCallback(id);
  window.__TAURI_INTERNALS__.runCallback(id, 8);
  assertEqual(got, 7);
  const once = transformCallback((v) => { got = v; }, true);
  window.__TAURI_INTERNALS__.runCallback(once, 9);
  window.__TAURI_INTERNALS__.runCallback(once, 10);
  assertEqual(got, 9);
});

test('the bridge cannot be replaced by assignment', () => {
  const before = window.__TAURI_INTERNALS__;
  try { window.__TAURI_INTERNALS__ = {}; } catch { /* strict mode throws */ }
  assert(window.__TAURI_INTERNALS__ === before, 'bridge replaced');
  assert(typeof window.__TAURI_EVENT_PLUGIN_INTERNALS__.unregisterListener === 'function');
  assertEqual(window.__TAURI_INTERNALS__.plugins.path.sep, '/');
  assertEqual(window.__TAURI_INTERNALS__.convertFileSrc('/a b'), 'asset://localhost/%2Fa%20b');
});

test('the message handler is not visible to page scripts', () => {
  const handlers = window.webkit && window.webkit.messageHandlers;
  assert(!handlers || !handlers.keel, 'the page world can see the keel handler');
});

test('window.keel: invoke, emit and listen', async () => {
  assertEqual(await window.keel.invoke('echo', { value: 3 }), 3);
  let got = null;
  const unlisten = await window.keel.listen('native-event', (e) => { got = e.payload; });
  await window.keel.emit('native-event', { n: 1 });
  await waitFor(() => got, 'the native event');
  assertEqual(got, { n: 1 });
  await unlisten();
});

test('plugin:app answers from keel.json', async () => {
  assertEqual(await getName(), 'Bridge Test');
  assertEqual(await getVersion(), '1.2.3');
  assertEqual(await getIdentifier(), 'dev.keel.test.bridge');
  assert(/^\d+\.\d+\.\d+/.test(await getTauriVersion()), 'tauri_version is Keel\'s version');
});

test('plugin:path resolves XDG directories', async () => {
  const data = await appDataDir();
  assert(data.endsWith('/dev.keel.test.bridge'), data);
  assert((await homeDir()).startsWith('/'), 'home is absolute');
  const error = await rejects(invoke('plugin:path|resolve_directory', { directory: 99 }));
  assertEqual(error.code, 'invalid_args');
  assertEqual(BaseDirectory.AppData, 14);
});

run();
