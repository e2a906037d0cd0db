// Bad input from a page, end to end, with keel.ipc.maxMessageSize set to
// 16384 in keel.json: every refusal says what was wrong and how to fix it,
// and after each one the core answers the next call as if nothing happened.
// (pages/bridge covers the common malformed messages with the default limit.)
import { invoke } from '@tauri-apps/api/core';
import { emit, listen } from '@tauri-apps/api/event';
import { test, run, assert, assertEqual, rejects, waitFor } from '../../lib/harness.js';

const LIMIT = 16384;

// Sends `message`, a JSON object's text, straight onto the bridge's channel,
// bypassing @tauri-apps/api and JSON.stringify, as a broken or hostile page
// could. The head the relay checks, {"id":<n>,"url":<this document>, takes
// the place of its "{", so what is wrong with the rest is the core's to
// find: byte positions in its errors are HEAD - 1 further on.
let nextRawId = 800000; // six digits for every raw request, so HEAD is one length
const urlMember = '"url":' + JSON.stringify(document.URL) + ',';
const headOf = (id) => '{"id":' + id + ',' + urlMember;
const HEAD = headOf(nextRawId).length;
function rawRequest(message) {
  const id = String(nextRawId++);
  return new Promise((resolve) => {
    const listener = (event) => {
      // "<o|e><id>\n<json>", handed on as "<o|e><json>"
      const detail = event.detail;
      if (typeof detail === 'string' && detail.startsWith(id + '\n', 1)) {
        document.removeEventListener('keel:response', listener, true);
        resolve(detail[0] + detail.slice(id.length + 2));
      }
    };
    document.addEventListener('keel:response', listener, true);
    document.dispatchEvent(new CustomEvent('keel:request', { detail: headOf(id) + message.slice(1) }));
  });
}

// The rejection a raw request got; fails if it was answered otherwise.
async function rawRejection(message) {
  const reply = await rawRequest(message);
  assertEqual(reply[0], 'e', `reply to ${message.slice(0, 60)}`);
  return JSON.parse(reply.slice(1));
}

function expectError(error, code, fragments, what) {
  assertEqual(error.code, code, what);
  for (const fragment of fragments) {
    assert(error.message.includes(fragment), `${what}: "${error.message}" lacks "${fragment}"`);
  }
}

let served = 0;
async function stillServing(after) {
  const value = `after ${after} (${served++})`;
  assertEqual(await invoke('echo', { value }), value, `the core stopped serving after ${after}`);
}

function nest(depth, inner) {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

// A raw echo of `value` as sent: the head, then "cmd":"echo","args":{"value":...}}.
const ECHO_FRAME = HEAD - 1 + '{"cmd":"echo","args":{"value":""}}'.length;
function echoOf(value) {
  return '{"cmd":"echo","args":{"value":"' + value + '"}}';
}

test('a message of exactly maxMessageSize characters is accepted', async () => {
  const value = 'x'.repeat(LIMIT - ECHO_FRAME);
  const reply = await rawRequest(echoOf(value));
  assertEqual(reply[0], 'o', reply.slice(0, 200));
  assertEqual(JSON.parse(reply.slice(1)), value);
});

test('one character over: the relay refuses it before it is sent', async () => {
  const raw = await rawRejection(echoOf('x'.repeat(LIMIT - ECHO_FRAME + 1)));
  expectError(raw, 'message_too_large',
              [`${LIMIT + 1} characters`, `limit of ${LIMIT} bytes`, 'not sent',
               'raise keel.ipc.maxMessageSize in keel.json'], 'raw');
  await stillServing('a raw oversized message');

  // The same through @tauri-apps/api.
  const error = await rejects(invoke('echo', { value: 'x'.repeat(100000) }));
  expectError(error, 'message_too_large', ['characters', 'keel.ipc.maxMessageSize'], 'invoke');
  await stillServing('an oversized invoke');
});

test('over in bytes but not in characters: the core refuses it', async () => {
  // Two-byte "é" (and one "x" to make the count): within the limit in
  // characters, one byte over it in UTF-8, then exactly at it.
  const ofBytes = (bytes) => {
    const rest = bytes - ECHO_FRAME;
    return '\u00e9'.repeat(Math.floor(rest / 2)) + 'x'.repeat(rest % 2);
  };
  const error = await rawRejection(echoOf(ofBytes(LIMIT + 1)));
  expectError(error, 'message_too_large',
              [`${LIMIT + 1} bytes exceeds the limit of ${LIMIT} bytes`, 'keel.ipc.maxMessageSize'],
              'core');
  assert(!error.message.includes('characters'), 'the relay, not the core, refused it');
  await stillServing('a message over in bytes');
  const fits = ofBytes(LIMIT);
  const reply = await rawRequest(echoOf(fits));
  assertEqual(reply[0], 'o', reply.slice(0, 200));
  assertEqual(JSON.parse(reply.slice(1)), fits);

  // Through @tauri-apps/api, 8200 "é": 16,400 bytes of them alone.
  const viaInvoke = await rejects(invoke('echo', { value: '\u00e9'.repeat(8200) }));
  expectError(viaInvoke, 'message_too_large', [`exceeds the limit of ${LIMIT} bytes`], 'invoke');
  assert(!viaInvoke.message.includes('characters'), 'the core refused the invoke');
  await stillServing('an invoke over in bytes');
});

test('a request that names another document is refused by the relay', async () => {
  // A page can dispatch requests of its own; the relay posts only those
  // that name the document it serves.
  const id = String(nextRawId++);
  const forged = '{"id":' + id + ',"url":"https://elsewhere.test/","cmd":"echo","args":{"value":1}}';
  const reply = await new Promise((resolve) => {
    document.addEventListener('keel:response', function listener(event) {
      if (!event.detail.startsWith(id + '\n', 1)) return;
      document.removeEventListener('keel:response', listener, true);
      resolve(event.detail);
    }, true);
    document.dispatchEvent(new CustomEvent('keel:request', { detail: forged }));
  });
  assertEqual(reply[0], 'e', reply);
  expectError(JSON.parse(reply.slice(id.length + 2)), 'forbidden',
              ['does not name this document', document.URL], 'another URL');
  await stillServing('a request naming another document');
});

test('malformed messages are refused, saying what is wrong', async () => {
  const cases = [
    ['{echo}', 'not valid JSON', 'such as {"cmd": "greet"'],
    ['{"cmd":"echo"', 'not valid JSON'],
    ['{"cmd":"echo"}}', 'not valid JSON'],
    ['{"args":{}}', 'needs "cmd", the command name as a string; got nothing'],
    ['{"cmd":null}', 'needs "cmd"', 'got null'],
    ['{"cmd":{"name":"echo"}}', 'needs "cmd"', 'got an object'],
    ['{"cmd":"echo","args":"value"}', 'command "echo"', '"args" of the wrong type',
     'expected an object or an array, got a string'],
    ['{"cmd":"echo","args":7}', '"args" of the wrong type', 'got an integer'],
    ['{"cmd":"echo","args":true}', '"args" of the wrong type', 'got a boolean'],
    ['{"cmd":"echo","options":[]}', '"options" of the wrong type'],
    ['{"cmd":"echo","callback":1}', 'unknown key "callback"',
     'expected only "id", "url", "cmd", "args" and "options"'],
    ['{"cmd":"echo","url":"keel://localhost/"}', 'duplicate object key', 'only once'],
    ['{"cmd":"echo","args":{"a":1,"a":2}}', 'duplicate object key', 'only once'],
    ['{"cmd":"ec ho"}', 'invalid command name "ec ho"', 'without spaces'],
  ];
  for (const [message, ...fragments] of cases) {
    expectError(await rawRejection(message), 'invalid_message', fragments, message);
    await stillServing(message);
  }
});

test('NUL characters: refused raw, carried in strings, refused where C wants a string', async () => {
  // A raw NUL between tokens and inside a string: named, with its place.
  expectError(await rawRejection('{"cmd":"echo"\u0000,"args":{}}'), 'invalid_message',
              [`at byte ${HEAD - 1 + 13}`, 'a NUL byte', 'write it as \\u0000'], 'between tokens');
  await stillServing('a NUL between tokens');
  expectError(await rawRejection('{"cmd":"echo","args":{"value":"a\u0000b"}}'), 'invalid_message',
              [`at byte ${HEAD - 1 + 32}`, 'a NUL byte'], 'in a string');
  await stillServing('a raw NUL in a string');

  // invoke() escapes it: as data it is fine, in a command name it is not.
  assertEqual(await invoke('echo', { value: 'a\u0000b' }), 'a\u0000b');
  expectError(await rejects(invoke('echo\u0000', {})), 'invalid_message',
              ['invalid command name'], 'in the command name');
  // An argument a C handler reads as a string must not hold one.
  expectError(await rejects(invoke('fail', { message: 'a\u0000b' })), 'invalid_args',
              ['command "fail"', 'argument "message"', 'NUL'], 'in a string argument');
  await stillServing('a NUL in an argument');
});

test('unpaired UTF-16 surrogates are refused, raw by the relay, escaped by the core', async () => {
  // Raw, WebKit would cut the message short at it: the relay refuses first.
  expectError(await rawRejection('{"cmd":"echo","args":{"value":"a\ud800b"}}'), 'invalid_message',
              [`unpaired UTF-16 surrogate at character ${HEAD - 1 + 32}`, 'not sent'], 'raw high');
  expectError(await rawRejection('{"cmd":"echo","args":{"value":"\udc00"}}'), 'invalid_message',
              [`unpaired UTF-16 surrogate at character ${HEAD - 1 + 31}`], 'raw low');
  await stillServing('a raw unpaired surrogate');
  // A proper pair is fine.
  assertEqual(await invoke('echo', { value: 'snow \ud83d\ude00' }), 'snow \ud83d\ude00');

  // JSON.stringify escapes it (\ud800), and the core refuses the escape.
  expectError(await rejects(invoke('echo', { value: 'a\ud800b' })), 'invalid_message',
              ['invalid Unicode', 'half of a UTF-16 surrogate pair'], 'escaped');
  await stillServing('an escaped unpaired surrogate');
});

test('arguments of the wrong type are refused, naming command, key and types', async () => {
  const cases = [
    ['later', { ms: 'soon' }, ['command "later"', 'argument "ms" must be an integer', 'got a string']],
    ['later', { ms: 1.5 }, ['argument "ms" must be an integer', 'got a number with a fraction']],
    ['later', { ms: null }, ['is missing argument "ms" (an integer)']],
    ['later', {}, ['is missing argument "ms" (an integer)']],
    ['later', [10], ['takes its arguments as an object with "ms" (an integer)', 'got an array']],
    ['echo_raw', { json: 5 }, ['command "echo_raw"', 'argument "json" must be a string', 'got an integer']],
    ['echo_raw', { json: ['{}'] }, ['argument "json" must be a string', 'got an array']],
    ['fail', { message: false }, ['command "fail"', 'argument "message" must be a string', 'got a boolean']],
    ['host_emit', { event: { name: 'x' } }, ['argument "event" must be a string', 'got an object']],
    ['plugin:event|listen', { event: 'e', handler: 'h' }, ['argument "handler" must be an integer']],
    ['plugin:event|emit', { event: 'bad name' }, ['invalid event name']],
  ];
  for (const [command, args, fragments] of cases) {
    const what = `${command} ${JSON.stringify(args)}`;
    expectError(await rejects(invoke(command, args), what), 'invalid_args', fragments, what);
    await stillServing(what);
  }
});

test('deep nesting: refused without harm, the deepest accepted value round-trips', async () => {
  // 100,000 levels: JavaScriptCore's JSON.stringify gives up before the
  // bridge could send it.
  expectError(await rejects(invoke('echo', { value: nest(100000, 1) })), 'invalid_args',
              ['the arguments cannot be sent as JSON'], '100000 via invoke');
  await stillServing('100000 levels via invoke');
  // Raw, it is over the size limit: the size limit bounds the depth too.
  expectError(await rawRejection('{"cmd":"echo","args":' + '['.repeat(100000) + ']'.repeat(100000) + '}'),
              'message_too_large', [`${HEAD - 1 + 200022} characters`], '100000 raw');
  await stillServing('100000 levels raw');
  // Within the size limit but past jansson's 2048 levels.
  expectError(await rejects(invoke('echo', { value: nest(3000, 1) })), 'invalid_message',
              ['maximum parsing depth', 'may nest at most 2048 levels deep'], '3000 via invoke');
  await stillServing('3000 levels');
  // The deepest that parses: message, args, 2045 arrays, the number.
  const deepest = nest(2045, 1);
  assertEqual(JSON.stringify(await invoke('echo', { value: deepest })), JSON.stringify(deepest));
  expectError(await rejects(invoke('echo', { value: nest(2046, 1) })), 'invalid_message',
              ['may nest at most 2048 levels deep'], '2046 arrays');
  await stillServing('2046 levels');
});

test('deep nesting in the event path', async () => {
  let got = null;
  const unlisten = await listen('deep', (event) => { got = event.payload; });
  expectError(await rejects(emit('deep', nest(3000, 7))), 'invalid_message',
              ['may nest at most 2048 levels deep'], 'emit 3000');
  // emit's message is {cmd, args: {event, payload}}: 2044 arrays fit.
  const deepest = nest(2044, 7);
  await emit('deep', deepest);
  await waitFor(() => got !== null, 'the deep event');
  assertEqual(JSON.stringify(got), JSON.stringify(deepest));
  got = null;
  await emit('deep', 'shallow');
  await waitFor(() => got !== null, 'an ordinary event after the deep ones');
  assertEqual(got, 'shallow');
  await unlisten();
  await stillServing('deep events');
});

run();
