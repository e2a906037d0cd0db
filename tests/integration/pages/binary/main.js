// Binary IPC: Tauri's raw request and response. invoke() with an
// ArrayBuffer or a typed array hands the handler the bytes; a handler that
// answers bytes gives the page an ArrayBuffer, whichever way the call came.
import { invoke } from '@tauri-apps/api/core';
import { test, run, assert, assertEqual, rejects } from '../../lib/harness.js';

function counting(size, offset = 0) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i + offset) & 255;
  return bytes;
}

function sum(bytes) {
  let total = 0;
  for (let i = 0; i < bytes.length; i++) total = (total + bytes[i]) >>> 0;
  return total;
}

function sameBytes(buffer, expected, what) {
  assert(buffer instanceof ArrayBuffer, `${what}: an ArrayBuffer, got ${Object.prototype.toString.call(buffer)}`);
  const got = new Uint8Array(buffer);
  assertEqual(got.length, expected.length, `${what}: length`);
  for (let i = 0; i < got.length; i++)
    if (got[i] !== expected[i]) throw new Error(`${what}: byte ${i} is ${got[i]}, expected ${expected[i]}`);
}

test('a Uint8Array reaches the handler as its bytes, with empty JSON args', async () => {
  const bytes = counting(1000, 7);
  const info = await invoke('body_info', bytes);
  assertEqual(info.size, 1000);
  assertEqual(info.sum, sum(bytes));
  assertEqual(info.first, [7, 8, 9, 10]);
  assertEqual(info.contentType, 'application/octet-stream');
  assertEqual(info.args, {});
});

test('an ArrayBuffer, a view on part of one, and an empty body', async () => {
  const whole = counting(256);
  assertEqual((await invoke('body_info', whole.buffer)).sum, sum(whole));
  // Only the view's bytes travel, not the whole buffer behind it.
  const part = new DataView(whole.buffer, 100, 10);
  const info = await invoke('body_info', part);
  assertEqual(info.size, 10);
  assertEqual(info.first, [100, 101, 102, 103]);
  assertEqual((await invoke('body_info', new Uint8Array(0))).size, 0);
});

test('a JSON call has no body', async () => {
  assertEqual((await invoke('body_info', {})).body, null);
});

test('bytes echoed come back as an ArrayBuffer, 1 MiB and 8 MiB', async () => {
  for (const size of [1, 1 << 20, 8 << 20]) {
    const bytes = counting(size, 3);
    sameBytes(await invoke('bytes_echo', bytes), bytes, `${size} bytes`);
  }
});

test('a JSON call answered with bytes gets an ArrayBuffer', async () => {
  sameBytes(await invoke('bytes_echo', { size: 300000 }), counting(300000), 'bytes for JSON');
  sameBytes(await invoke('bytes_echo', { size: 0 }), counting(0), 'no bytes');
});

test('bytes answered from another thread, for both kinds of call', async () => {
  sameBytes(await invoke('bytes_from_thread', { size: 5000 }), counting(5000), 'JSON call');
  const bytes = counting(70000, 1);
  sameBytes(await invoke('bytes_from_thread', bytes), bytes, 'binary call');
});

test('many binary calls at once are each answered with their own bytes', async () => {
  const calls = [];
  for (let i = 0; i < 50; i++) calls.push(invoke('bytes_echo', counting(1000 + i, i)));
  const answers = await Promise.all(calls);
  answers.forEach((answer, i) => sameBytes(answer, counting(1000 + i, i), `call ${i}`));
});

test('headers reach the handler, on binary and on JSON calls', async () => {
  const headers = { 'X-Keel-Test': 'binary' };
  assertEqual((await invoke('body_info', counting(4), { headers })).test, 'binary');
  assertEqual((await invoke('body_info', {}, { headers: { 'x-keel-test': 'json' } })).test, 'json');
  const list = new Headers([['X-Keel-Test', 'from Headers']]);
  assertEqual((await invoke('body_info', {}, { headers: list })).test, 'from Headers');
});

test('a bad header name is refused with a clear message', async () => {
  const error = await rejects(invoke('body_info', {}, { headers: { 'bad name': 'x' } }));
  // new Headers() refuses it in the page already: a TypeError, not an IPC error.
  assert(String(error).includes('TypeError') || String(error.message).includes('header'), String(error));
});

test('a binary call to a command the window may not call is refused, naming the permission', async () => {
  const error = await rejects(invoke('fail', counting(8)));
  assertEqual(error.code, 'forbidden');
  assert(error.message.includes('"fail"') && error.message.includes('allow-fail'), error.message);
});

test('a binary call to an unknown command says so', async () => {
  const error = await rejects(invoke('no_such_command', counting(8)));
  assertEqual(error.code, 'unknown_command');
  assert(error.message.includes('"no_such_command"'), error.message);
});

test('a body over keel.ipc.maxMessageSize is refused, and calls go on', async () => {
  const error = await rejects(invoke('bytes_echo', new Uint8Array(16 * 1024 * 1024 + 1)));
  assertEqual(error.code, 'message_too_large');
  assert(error.message.includes('keel.ipc.maxMessageSize'), error.message);
  sameBytes(await invoke('bytes_echo', counting(16)), counting(16), 'after');
});

test('a response hook sees a binary answer as null and may replace it', async () => {
  assertEqual(await invoke('rewrite_bytes', counting(3)), { replaced: true, saw: null });
});

test('ipc:// refuses what the bridge never sends, and runs no command', async () => {
  const before = (await invoke('stats')).seen.length;
  // GET instead of POST.
  const get = await fetch('ipc://localhost/echo');
  assertEqual(get.status, 405);
  assertEqual((await get.json()).code, 'invalid_message');
  // A request without an Origin header (no-cors): the answer is opaque.
  const opaque = await fetch('ipc://localhost/echo', { method: 'POST', mode: 'no-cors', body: 'x' });
  assertEqual(opaque.type, 'opaque');
  // No command, and a ticket nobody was given.
  assertEqual((await fetch('ipc://localhost/', { method: 'POST' })).status, 400);
  const ticket = await fetch('ipc://localhost/?bytes=0123456789abcdef0123456789abcdef', { method: 'POST' });
  assertEqual(ticket.status, 400);
  assert((await ticket.json()).message.includes('ticket'), 'ticket message');
  const seen = (await invoke('stats')).seen;
  // Only the two stats calls themselves were dispatched meanwhile.
  assertEqual(seen.slice(before).filter((c) => c !== 'stats'), []);
});

test('JSON calls still work alongside', async () => {
  assertEqual(await invoke('echo', { value: [1, 'two'] }), [1, 'two']);
});

run();
