// Channels: `new Channel()` from @tauri-apps/api/core against the test
// host's channel_* commands. JSON messages in order, raw JSON text, bytes as
// ArrayBuffers, the end, 100,000 messages from the main thread and from a
// worker thread, events and channel messages in one order, a throwing
// listener in the middle of a batch, channels that die with their page
// (reload, crash, window closed), and bad channel arguments.
//
// The "helper-*" windows run this same page: each makes a channel, has the
// host keep it (channel_keep, named by the channel's id) and announces it
// with the event helper-ready; what the channel receives it reports with
// helper-got.
import { Channel, invoke } from '@tauri-apps/api/core';
import { emit, listen } from '@tauri-apps/api/event';
import { WebviewWindow, getCurrentWebviewWindow } from '@tauri-apps/api/webviewWindow';
import { test, run, assert, assertEqual, rejects, waitFor, sleep, describe } from '../../lib/harness.js';

const label = getCurrentWebviewWindow().label;
const callbacks = window.__TAURI_INTERNALS__.callbacks;

// A channel that records what it gets.
function recording() {
  const got = [];
  const channel = new Channel((message) => got.push(message));
  return { channel, got };
}

test('JSON messages arrive in order, all of them before the command answers', async () => {
  const messages = [1, 'two', { three: [3] }, null, true, 2.5, -7, '', [], {},
    'caf\u00e9 \u2028 \u2029 \ud83c\udf0d \u0000 "quoted" \\ </script>',
    { nested: { deep: [1, { x: 'y' }] } }];
  const { channel, got } = recording();
  const sent = await invoke('channel_send_json', { channel, messages });
  assertEqual(sent, messages.map(() => true), 'what each send returned in the core');
  assertEqual(got, messages, 'received by the time invoke() resolved');
});

test('a message is what JSON.parse makes of its text: "__proto__" stays an own key', async () => {
  // One channel per command: each call numbers its channel's messages from
  // 0 and ends it when the handler drops it (as in Tauri).
  const raw = recording();
  const json = recording();
  const text = '{"__proto__": {"polluted": true}, "a": 1}';
  await invoke('channel_send_raw', { channel: raw.channel, texts: [text] });
  await invoke('channel_send_json', { channel: json.channel, messages: [JSON.parse(text)] });
  const got = raw.got.concat(json.got);
  for (const message of got) {
    assertEqual(Object.keys(message), ['__proto__', 'a']);
    assert(message.polluted === undefined && ({}).polluted === undefined, 'a prototype was set');
  }
  assertEqual(got.length, 2);
});

test('raw JSON text passes through; a text that is not JSON arrives as null and never runs', async () => {
  const { channel, got } = recording();
  const texts = ['{"a": 1}', ' [1, 2, 3]\n', '"s"', '42', 'not json',
    '1);window.__pwned=1;(', '"\\u00e9"', '"after"'];
  const sent = await invoke('channel_send_raw', { channel, texts });
  assertEqual(sent, texts.map(() => true));
  assertEqual(got, [{ a: 1 }, [1, 2, 3], 's', 42, null, null, '\u00e9', 'after']);
  assert(window.__pwned === undefined, 'a raw text ran as code');
});

test('bytes arrive as ArrayBuffers with the right content', async () => {
  const { channel, got } = recording();
  const sizes = [0, 1, 2, 3, 255, 256, 1000, 1 << 20];
  assertEqual(await invoke('channel_send_bytes', { channel, sizes }), sizes.map(() => true));
  assertEqual(got.length, sizes.length, 'messages');
  got.forEach((message, k) => {
    const n = sizes[k];
    assert(message instanceof ArrayBuffer,
           `message ${k} is ${Object.prototype.toString.call(message)}, not an ArrayBuffer`);
    assertEqual(message.byteLength, n, `size of message ${k}`);
    const bytes = new Uint8Array(message);
    for (let i = 0; i < n; i++) {
      if (bytes[i] !== (i * 7 + n) % 256) {
        throw new Error(`message ${k}: byte ${i} is ${bytes[i]}, expected ${(i * 7 + n) % 256}`);
      }
    }
  });
});

test('after the end, onmessage is not called again and the callback is unregistered', async () => {
  const { channel, got } = recording();
  assert(callbacks.has(channel.id), 'the channel has no callback to begin with');
  const sent = await invoke('channel_send_json',
                            { channel, messages: ['a', 'b'], close: true, sendAfterClose: true });
  assertEqual(sent, [true, true, false], 'two sends, then one after keel_channel_close()');
  assertEqual(got, ['a', 'b']);
  assert(!callbacks.has(channel.id), 'the callback is still registered after the end');
  // The same id once more, as a page may send it: the core makes a channel
  // of it again, but the page's callback is gone, so nothing runs.
  assertEqual(await invoke('channel_send_json', { channel: `__CHANNEL__:${channel.id}`, messages: ['c'] }),
              [true]);
  await sleep(50);
  assertEqual(got, ['a', 'b'], 'after the end');
});

// A channel that checks that message i is {n: i}; done resolves with the
// time the last one arrived.
function counting(count) {
  const state = { next: 0, error: null };
  let finish;
  state.done = new Promise((resolve) => { finish = resolve; });
  state.channel = new Channel((message) => {
    if (state.error === null && (message === null || message.n !== state.next)) {
      state.error = `message ${state.next} is ${JSON.stringify(message)}`;
    }
    state.next++;
    if (state.next === count) finish(performance.now());
  });
  return state;
}

async function stream(command, count, where) {
  const state = counting(count);
  const start = performance.now();
  await invoke(command, { channel: state.channel, count });
  const last = await state.done;
  assertEqual(state.error, null, 'order');
  await waitFor(() => !callbacks.has(state.channel.id), 'the end of the channel');
  assertEqual(state.next, count, 'messages');
  console.log(`channels: ${count} messages from ${where} arrived in ${(last - start).toFixed(0)} ms`);
}

test('100,000 small messages from the main thread arrive in order, then the end', async () => {
  await stream('channel_stream', 100000, 'the main thread (keel_channel_send)');
});

test('100,000 small messages from a worker thread, after the invoke was answered, arrive in order', async () => {
  await stream('channel_stream_thread', 100000, 'a worker thread (keel_channel_send_raw)');
});

const interleaved = (count) => {
  const expected = [];
  for (let i = 0; i < count; i++) expected.push(`e${i}`, `c${i}`);
  return expected;
};

test('events and channel messages to one page keep the order they were sent in', async () => {
  const log = [];
  const unlisten = await listen('interleave', (e) => log.push(`e${e.payload}`));
  const channel = new Channel((message) => log.push(`c${message}`));
  await invoke('channel_interleave', { channel, count: 50 });
  await unlisten();
  assertEqual(log, interleaved(50));
});

test('a listener that throws does not stop the deliveries after it', async () => {
  const log = [];
  const unlisten = await listen('interleave', (e) => {
    log.push(`e${e.payload}`);
    if (e.payload === 1) throw new Error('thrown on purpose by the channels test');
  });
  const channel = new Channel((message) => log.push(`c${message}`));
  await invoke('channel_interleave', { channel, count: 4 });
  await unlisten();
  assertEqual(log, interleaved(4));
});

// ---- channels that die with their page (helper windows) ----

const ready = [];      // helper-ready payloads: {label, id, reloaded}
const helperGot = [];  // helper-got payloads: {label, id, message}
const leakReports = []; // helper-leaks payloads: {label, leaked}

async function openHelper(name) {
  const mark = ready.length;
  const webview = new WebviewWindow(name, { url: 'index.html', title: name, width: 240, height: 160 });
  await new Promise((resolve, reject) => {
    webview.once('tauri://created', resolve);
    webview.once('tauri://error', (e) => reject(new Error(`creating ${name}: ${describe(e.payload)}`)));
  });
  const helper = await nextReady(name, mark);
  return { window: webview, id: helper.id };
}

function nextReady(name, mark) {
  return waitFor(() => ready.slice(mark).find((r) => r.label === name), `${name} ready`, 15000);
}

const kept = (id) => invoke('channel_kept', { name: String(id) });

async function assertAlive(id, what) {
  const mark = helperGot.length;
  assertEqual(await kept(id), { open: true, sent: true }, what);
  await waitFor(() => helperGot.slice(mark).some((g) => g.id === id && g.message === 'ping'),
                `the ping on ${what}`);
}

test('a channel whose page reloads is dead for the core, and nothing reaches the new page', async () => {
  const name = 'helper-reload';
  const helper = await openHelper(name);
  await assertAlive(helper.id, 'the channel before the reload');
  const mark = ready.length;
  // The new page watches the old channel's callback id (see helper()).
  await invoke('eval_in', { label: name,
    script: `history.replaceState(null, '', '#old=${helper.id}'); location.reload();` });
  const fresh = await nextReady(name, mark);
  assert(fresh.reloaded, 'the reloaded page does not know the old id');
  assertEqual(await kept(helper.id), { open: false, sent: false }, 'the old page\'s channel');
  await assertAlive(fresh.id, 'the new page\'s channel');
  const reports = leakReports.length;
  await emit('helper-ask-leaks', { label: name });
  const report = await waitFor(() => leakReports.slice(reports).find((r) => r.label === name), 'the leak report');
  assertEqual(report.leaked, [], 'deliveries to the old channel\'s callback id in the new page');
  await helper.window.destroy();
});

test('a channel whose web process is terminated is dead; the page that comes back has its own', async () => {
  const name = 'helper-crash';
  const helper = await openHelper(name);
  await assertAlive(helper.id, 'the channel before the termination');
  const mark = ready.length;
  await invoke('terminate_web_process', { label: name });
  const fresh = await nextReady(name, mark);
  assertEqual(await kept(helper.id), { open: false, sent: false }, 'the terminated page\'s channel');
  await assertAlive(fresh.id, 'the channel of the page that came back');
  await helper.window.destroy();
});

test('a channel whose window closes is dead; a channel id reaches only the page that sent it', async () => {
  const name = 'helper-close';
  const helper = await openHelper(name);
  await assertAlive(helper.id, 'the channel before the close');
  // Main names the helper's channel id: the core binds it to main's page,
  // where no callback has that id, so the helper gets nothing.
  const mark = helperGot.length;
  await invoke('channel_send_json', { channel: `__CHANNEL__:${helper.id}`, messages: ['forged'] });
  await sleep(200);
  assertEqual(helperGot.slice(mark), [], 'what the helper got from a channel main named');
  await helper.window.destroy();
  await waitFor(async () => !(await kept(helper.id)).open, 'the channel to die with its window');
  assertEqual(await kept(helper.id), { open: false, sent: false });
});

test('bad channel arguments are rejected with invalid_args, naming the argument and a channel\'s form', async () => {
  const cases = [
    [{}, /^command "channel_send_json" is missing argument "channel" \(a Channel \(the string "__CHANNEL__:<id>"/],
    [{ channel: null }, /is missing argument "channel"/],
    [{ channel: 'hello' }, /^command "channel_send_json": argument "channel": "hello" is not a channel: expected "__CHANNEL__:<id>"/],
    [{ channel: '__CHANNEL__:abc' }, /argument "channel": "__CHANNEL__:abc" is not a channel: the id after "__CHANNEL__:" must be a decimal number from 0 to 4294967295/],
    [{ channel: '__CHANNEL__:4294967296' }, /"__CHANNEL__:4294967296" is not a channel: .*from 0 to 4294967295/],
    [{ channel: '__CHANNEL__:-1' }, /"__CHANNEL__:-1" is not a channel/],
    [{ channel: '__CHANNEL__:' }, /"__CHANNEL__:" is not a channel/],
    [{ channel: 42 }, /argument "channel" must be a Channel .*, got an integer$/],
    [{ channel: { id: 1 } }, /argument "channel" must be a Channel .*, got an object$/],
  ];
  for (const [args, pattern] of cases) {
    const what = JSON.stringify(args);
    const error = await rejects(invoke('channel_send_json', { messages: [1], ...args }), what);
    assertEqual(error.code, 'invalid_args', `${what}: ${describe(error)}`);
    assert(pattern.test(error.message), `${what}: ${error.message}`);
  }
});

async function helper() {
  const leaked = [];
  const old = new URLSearchParams(location.hash.slice(1)).get('old');
  if (old !== null) {
    // After a reload: a recorder under the old page's channel id. If the
    // core still delivered on that channel, it would run here.
    callbacks.set(Number(old), (data) => leaked.push(data));
  }
  const channel = new Channel((message) => {
    emit('helper-got', { label, id: channel.id, message });
  });
  await invoke('channel_keep', { channel, name: String(channel.id) });
  await listen('helper-ask-leaks', (e) => {
    if (e.payload.label === label) emit('helper-leaks', { label, leaked });
  });
  await emit('helper-ready', { label, id: channel.id, reloaded: old !== null });
}

async function mainWindow() {
  await listen('helper-ready', (e) => ready.push(e.payload));
  await listen('helper-got', (e) => helperGot.push(e.payload));
  await listen('helper-leaks', (e) => leakReports.push(e.payload));
  await run();
}

if (label === 'main') mainWindow();
else helper();
