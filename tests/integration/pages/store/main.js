// The store plugin through the real @tauri-apps/plugin-store: every
// operation, two windows sharing one store and hearing each other's
// changes, autosave, corrupt files kept aside, paths that would leave the
// data directory, bad arguments, permissions, and managed state.
//
// Windows: "main" runs the cases; "second" opens the same store and answers
// main's changes with its own; "limited", which main opens, may only read.
// test-host's data_file and data_dir commands show what is on disk.
import { invoke } from '@tauri-apps/api/core';
import { emit, listen } from '@tauri-apps/api/event';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { WebviewWindow } from '@tauri-apps/api/webviewWindow';
import { load, getStore, LazyStore } from '@tauri-apps/plugin-store';
import { test, run, assert, assertEqual, rejects, sleep, waitFor, describe } from '../../lib/harness.js';

const label = getCurrentWindow().label;

const readFile = (path) => invoke('data_file', { path });
const writeFile = (path, text) => invoke('data_file', { path, text });
const pretty = (object) => JSON.stringify(object, null, 2) + '\n';

function assertError(error, code, ...parts) {
  assertEqual(error && error.code, code, `code of ${describe(error)}`);
  for (const part of parts)
    assert(error.message.includes(part), `the message mentions ${part}: ${error.message}`);
}

// ---- the second window: same store, answers main's changes ----------------

async function secondWindow() {
  const store = await load('shared.json', { autoSave: false });
  const seen = [];
  await store.onChange((key, value) => seen.push([key, value === undefined ? '(removed)' : value]));
  await store.onKeyChange('ping', async (value) => {
    if (typeof value === 'number') await store.set('pong', value * 10);
    else if (value === 'delete-pong') await store.delete('pong');
  });
  await listen('second-finish', async (event) => {
    const sawPing = seen.some(([key, value]) => key === 'ping' && value === 1);
    await invoke('test_report', {
      name: 'second: onChange heard main\'s set and its own',
      ok: sawPing && seen.some(([key, value]) => key === 'pong' && value === 10),
      detail: JSON.stringify(seen),
    });
    const again = await load('shared.json');
    const same = again.rid === store.rid && (await store.get('ping')) === event.payload.ping;
    await invoke('test_report', {
      name: 'second: its store is main\'s: same resource id, main\'s last value',
      ok: same,
      detail: same ? '' : JSON.stringify([again.rid, store.rid, await store.get('ping')]),
    });
    await emit('second-done');
  });
  const ready = () => emit('second-ready', { rid: store.rid });
  await listen('second-ping', ready);
  await ready();
}

// ---- the limited window: may read, nothing else ----------------------------

async function limitedWindow() {
  await listen('limited-go', async (event) => {
    const outcome = async (promise) => {
      try {
        return { ok: true, value: await promise };
      } catch (error) {
        return { ok: false, code: error.code, message: error.message };
      }
    };
    const { rid } = event.payload;
    await emit('limited-report', {
      load: await outcome(load('shared.json')),
      get: await outcome(invoke('plugin:store|get', { rid, key: 'ping' })),
      set: await outcome(invoke('plugin:store|set', { rid, key: 'ping', value: 'limited' })),
    });
  });
  await emit('limited-ready');
}

// ---- main ------------------------------------------------------------------

let secondRid = null;
const secondReady = new Promise((resolve) => {
  listen('second-ready', (event) => {
    secondRid = event.payload.rid;
    resolve();
  });
});

test('load gives a resource id; set, get, has, delete, keys, values, entries, length', async () => {
  const store = await load('basics.json', { autoSave: false });
  assert(Number.isInteger(store.rid) && store.rid > 0, `rid ${store.rid}`);
  await store.set('b', 1);
  await store.set('a', { nested: [1, 'x', null, true] });
  await store.set('n', null);
  assertEqual(await store.get('a'), { nested: [1, 'x', null, true] });
  assertEqual(await store.get('missing'), undefined, 'an absent key');
  assertEqual(await store.get('n'), null, 'a null value is not an absent key');
  assertEqual(await store.has('n'), true);
  assertEqual(await store.has('missing'), false);
  assertEqual(await store.keys(), ['b', 'a', 'n'], 'keys in the order they were added');
  assertEqual(await store.values(), [1, { nested: [1, 'x', null, true] }, null]);
  assertEqual(await store.entries(), [['b', 1], ['a', { nested: [1, 'x', null, true] }], ['n', null]]);
  assertEqual(await store.length(), 3);
  assertEqual(await store.delete('b'), true);
  assertEqual(await store.delete('b'), false, 'deleting an absent key');
  assertEqual(await store.length(), 2);
  assertEqual(await readFile('basics.json'), null, 'autoSave false: nothing written yet');
});

test('any JSON survives a save and a reload: Unicode, \\u0000 in a string, numbers', async () => {
  const store = await load('unicode.json', { autoSave: false });
  const values = { 'ключ ☃ 😀': 'a\u0000b', real: 0.1, big: 1e300, neg: -42, deep: [[[{}]]] };
  for (const [key, value] of Object.entries(values)) await store.set(key, value);
  await store.save();
  await store.set('real', 7);
  await store.reload();
  for (const [key, value] of Object.entries(values)) assertEqual(await store.get(key), value, key);
});

test('defaults; reset() and clear() emit a change per key', async () => {
  const store = await load('reset.json', { autoSave: false, defaults: { theme: 'light', size: 12 } });
  assertEqual(await store.entries(), [['theme', 'light'], ['size', 12]]);
  const changes = [];
  const unlisten = await store.onChange((key, value) => changes.push([key, value ?? '(removed)']));
  await store.set('theme', 'dark');
  await store.set('extra', 1);
  await store.reset();
  assertEqual(await store.entries(), [['theme', 'light'], ['size', 12]]);
  await store.clear();
  assertEqual(await store.length(), 0);
  await waitFor(() => changes.length >= 6, 'six changes');
  assertEqual(changes, [['theme', 'dark'], ['extra', 1], ['theme', 'light'], ['extra', '(removed)'],
    ['theme', '(removed)'], ['size', '(removed)']]);
  unlisten();
});

test('two windows share one store and hear each other\'s changes', async () => {
  await emit('second-ping');
  await secondReady;
  const store = await load('shared.json', { autoSave: false });
  assertEqual(store.rid, secondRid, 'the same resource id in both windows');
  assertEqual((await getStore('shared.json')).rid, store.rid, 'getStore finds it');

  const pongs = [];
  await store.onKeyChange('pong', (value) => pongs.push(value === undefined ? '(removed)' : value));
  await store.set('ping', 1); // the second window answers with pong = 10
  await waitFor(() => pongs.length >= 1, 'the second window\'s pong');
  assertEqual(pongs, [10]);
  assertEqual(await store.get('pong'), 10, 'its value is in the shared store');
  await store.set('ping', 'delete-pong'); // the second window deletes pong
  await waitFor(() => pongs.length >= 2, 'the second window\'s delete');
  assertEqual(pongs, [10, '(removed)']);
  assertEqual(await store.has('pong'), false);
});

test('store://change carries Tauri\'s payload: path, resourceId, key, value, exists', async () => {
  const store = await load('payload.json', { autoSave: false });
  const events = [];
  const unlisten = await listen('store://change', (event) => {
    if (event.payload.resourceId === store.rid) events.push(event.payload);
  });
  await store.set('k', { v: 1 });
  await store.delete('k');
  await waitFor(() => events.length >= 2, 'two events');
  unlisten();
  const [set, removed] = events;
  assertEqual(Object.keys(set), ['path', 'resourceId', 'key', 'value', 'exists']);
  assert(set.path.startsWith('/') && set.path.endsWith('/dev.keel.test.store/payload.json'),
    `path is the absolute file: ${set.path}`);
  assertEqual([set.key, set.value, set.exists], ['k', { v: 1 }, true]);
  assertEqual([removed.key, removed.value, removed.exists], ['k', null, false]);
});

test('autosave by default: written about 100 ms after a change', async () => {
  const store = await load('auto-default.json');
  await store.set('a', 1);
  await waitFor(async () => (await readFile('auto-default.json')) === pretty({ a: 1 }),
    'the autosaved file', 3000);
});

test('autosave debounces: written once the store is quiet for the interval', async () => {
  const store = await load('auto-slow.json', { autoSave: 1000 });
  await store.set('a', 1);
  await sleep(300);
  await store.set('a', 2);
  const lastChange = Date.now();
  await sleep(300);
  assertEqual(await readFile('auto-slow.json'), null, '600 ms in, 300 ms after the last change');
  await waitFor(async () => (await readFile('auto-slow.json')) !== null, 'the file', 5000);
  assert(Date.now() - lastChange >= 900, `written ${Date.now() - lastChange} ms after the last change`);
  assertEqual(await readFile('auto-slow.json'), pretty({ a: 2 }), 'with the latest value');
});

test('autoSave: false writes nothing until save(); the file is pretty JSON', async () => {
  const store = await load('manual.json', { autoSave: false });
  await store.set('z', [1, 2]);
  await store.set('a', 'x');
  await sleep(250);
  assertEqual(await readFile('manual.json'), null);
  await store.save();
  assertEqual(await readFile('manual.json'), '{\n  "z": [\n    1,\n    2\n  ],\n  "a": "x"\n}\n');
});

test('reload() merges the file over memory; ignoreDefaults replaces memory with it', async () => {
  await writeFile('reload.json', '{"fromFile": 1, "shared": "file"}');
  const store = await load('reload.json', { autoSave: false, defaults: { fromDefaults: 1 } });
  assertEqual(await store.entries(), [['fromDefaults', 1], ['fromFile', 1], ['shared', 'file']]);
  await store.set('shared', 'memory');
  await store.set('onlyMemory', true);
  await writeFile('reload.json', '{"fromFile": 2, "shared": "file again"}');
  await store.reload();
  assertEqual(await store.get('shared'), 'file again');
  assertEqual(await store.get('onlyMemory'), true, 'reload keeps what only memory has');
  await store.reload({ ignoreDefaults: true });
  assertEqual(await store.entries(), [['fromFile', 2], ['shared', 'file again']]);
  const missing = await load('never-saved.json', { autoSave: false });
  assertError(await rejects(missing.reload()), 'not_found', 'never-saved.json', 'does not exist');
});

test('a corrupt store file is reported, kept aside, never overwritten', async () => {
  const text = '{"a": 1,,}';
  await writeFile('bad.json', text);
  const error = await rejects(load('bad.json'));
  assertError(error, 'corrupt_store', 'plugin:store|load', 'bad.json', 'not valid JSON',
    'line 1, column 9', 'moved aside to', 'load the store again');
  const aside = (await invoke('data_dir')).filter((name) => name.startsWith('bad.json.corrupt-'));
  assertEqual(aside.length, 1, 'one file kept aside');
  assert(error.message.includes(aside[0]), `the message names ${aside[0]}`);
  assertEqual(await readFile(aside[0]), text, 'kept as it was');
  assertEqual(await readFile('bad.json'), null, 'moved, not copied');
  const fresh = await load('bad.json', { autoSave: false, defaults: { d: 1 } });
  assertEqual(await fresh.entries(), [['d', 1]], 'loaded again: the defaults');
  await fresh.save();
  assertEqual(await readFile('bad.json'), pretty({ d: 1 }));
  assertEqual(await readFile(aside[0]), text, 'the kept file is still there');
});

test('a store file holding no object is corrupt; reload of a corrupt file keeps memory', async () => {
  await writeFile('array.json', '[1, 2]');
  assertError(await rejects(load('array.json')), 'corrupt_store', 'holds an array');
  const store = await load('reload-bad.json', { autoSave: false });
  await store.set('k', 1);
  await store.save();
  await writeFile('reload-bad.json', '{{{');
  assertError(await rejects(store.reload()), 'corrupt_store', 'reload-bad.json', 'keeps what it holds');
  assertEqual(await store.get('k'), 1, 'memory is untouched');
  await store.save();
  assertEqual(await readFile('reload-bad.json'), pretty({ k: 1 }), 'the next save writes a new file');
});

test('a save that fails is reported; the values stay in memory and a later save writes them', async () => {
  const store = await load('blocked/s.json', { autoSave: false });
  await store.set('keep', 'me');
  await writeFile('blocked', 'a file where the directory should be');
  assertError(await rejects(store.save()), 'io_error', 'plugin:store|save', 'blocked/s.json',
    'in the way', 'the changes stay in memory');
  assertEqual(await store.get('keep'), 'me');
  assertEqual(await invoke('data_file', { path: 'blocked', remove: true }), true);
  await store.save();
  assertEqual(await readFile('blocked/s.json'), pretty({ keep: 'me' }));
});

test('overrideDefaults reads the file alone; without it the file goes over the defaults', async () => {
  await writeFile('over.json', '{"b": 2}');
  await writeFile('merge.json', '{"b": 2}');
  const over = await load('over.json', { defaults: { a: 1 }, overrideDefaults: true, autoSave: false });
  assertEqual(await over.entries(), [['b', 2]]);
  const merged = await load('merge.json', { defaults: { a: 1, b: 1 }, autoSave: false });
  assertEqual(await merged.entries(), [['a', 1], ['b', 2]]);
});

test('createNew: a new store from the defaults replaces the open one', async () => {
  const old = await load('new.json', { autoSave: false });
  await old.set('x', 1);
  await old.save();
  const store = await load('new.json', { createNew: true, defaults: { y: 2 }, autoSave: false });
  assert(store.rid !== old.rid, 'a new resource id');
  assertError(await rejects(old.get('x')), 'not_found', 'not an open store');
  assertEqual(await store.entries(), [['y', 2]], 'not read from the file');
  assertEqual(await readFile('new.json'), pretty({ x: 1 }), 'the file is replaced at the first save');
  await store.save();
  assertEqual(await readFile('new.json'), pretty({ y: 2 }));
});

test('close(): the id stops working, unsaved changes are written, load() opens it again', async () => {
  const store = await load('close.json', { autoSave: false });
  await store.set('k', 1);
  await store.close();
  assertError(await rejects(store.get('k')), 'not_found', 'plugin:store|get', 'not an open store');
  assertError(await rejects(store.close()), 'not_found', 'plugin:resources|close');
  assertEqual(await getStore('close.json'), null);
  assertEqual(await readFile('close.json'), pretty({ k: 1 }), 'written when closed');
  const again = await load('close.json');
  assert(again.rid !== store.rid, 'a new resource id');
  assertEqual(await again.get('k'), 1);
});

test('LazyStore and getStore', async () => {
  assertEqual(await getStore('lazy.json'), null, 'not open yet');
  const lazy = new LazyStore('lazy.json', { autoSave: false });
  await lazy.set('k', 'v');
  assertEqual(await lazy.get('k'), 'v');
  assertEqual((await (await getStore('lazy.json')).get('k')), 'v');
  await lazy.close();
  assertEqual(await getStore('lazy.json'), null);
});

test('paths that would leave the data directory are refused', async () => {
  assertError(await rejects(load('../escape.json')), 'forbidden', '"..", which could leave', 'dev.keel.test.store');
  assertError(await rejects(load('a/../../escape.json')), 'forbidden', '".."');
  assertError(await rejects(load('/etc/passwd')), 'forbidden', 'is absolute', 'relative');
  assertError(await rejects(getStore('../escape.json')), 'forbidden', 'plugin:store|get_store');
  assertError(await rejects(load('')), 'invalid_args', 'empty');
  assertError(await rejects(load('dir/')), 'invalid_args', 'names a directory');
  assertError(await rejects(load('.')), 'invalid_args', 'data directory itself');
  assertError(await rejects(load('a\nb.json')), 'invalid_args', 'control character');
  // Subdirectories are fine, and made on save.
  const nested = await load('deep/er/nested.json', { autoSave: false });
  await nested.set('ok', true);
  await nested.save();
  assertEqual(await readFile('deep/er/nested.json'), pretty({ ok: true }));
});

test('bad arguments are refused with clear messages, and the store keeps working', async () => {
  const store = await load('args.json', { autoSave: false });
  const rid = store.rid;
  const call = (command, args) => rejects(invoke(`plugin:store|${command}`, args));
  assertError(await call('set', { rid: 'x', key: 'a', value: 1 }), 'invalid_args', '"rid"', 'an integer', 'a string');
  assertError(await call('set', { rid: 1.5, key: 'a', value: 1 }), 'invalid_args', '"rid"');
  assertError(await call('set', { rid, value: 1 }), 'invalid_args', 'missing argument "key"');
  assertError(await call('set', { rid, key: 7, value: 1 }), 'invalid_args', '"key"', 'a string');
  assertError(await call('set', { rid, key: 'a' }), 'invalid_args', '"value"', 'delete()');
  assertError(await rejects(store.set('a', undefined)), 'invalid_args', '"value"');
  assertError(await call('get', { rid: 999999, key: 'a' }), 'not_found', 'resource id 999999');
  assertError(await call('get', { rid: -1, key: 'a' }), 'not_found', 'resource id -1');
  assertError(await call('keys', {}), 'invalid_args', 'missing argument "rid"');
  assertError(await call('load', { path: 42 }), 'invalid_args', '"path"');
  assertError(await call('load', { path: 'x.json', options: 'fast' }), 'invalid_args', '"options"', 'StoreOptions');
  assertError(await rejects(load('x.json', { autoSave: 'fast' })), 'invalid_args', 'options.autoSave');
  assertError(await rejects(load('x.json', { autoSave: -5 })), 'invalid_args', 'options.autoSave');
  assertError(await rejects(load('x.json', { autoSave: 1.5 })), 'invalid_args', 'options.autoSave');
  assertError(await rejects(load('x.json', { defaults: [1] })), 'invalid_args', 'options.defaults', 'an array');
  assertError(await rejects(load('x.json', { createNew: 'yes' })), 'invalid_args', 'options.createNew');
  assertError(await rejects(load('x.json', { bogus: true })), 'invalid_args', '"bogus" is not a store option');
  assertError(await rejects(load('x.json', { serializeFnName: 'yaml' })), 'unsupported', '"yaml"', 'JSON only');
  assertError(await call('reload', { rid, ignoreDefaults: 'yes' }), 'invalid_args', '"ignoreDefaults"');
  assertError(await rejects(invoke('plugin:resources|close', { rid: 999999 })), 'not_found', '999999');
  // A directory where the file should be (made by the paths case above).
  assertError(await rejects(load('deep')), 'io_error', 'cannot read the store file', 'deep');
  assertEqual((await invoke('data_dir', { path: 'deep' })), ['er'], 'and nothing was moved');
  assertEqual(await getStore('x.json'), null, 'no refused load opened a store');
  await store.set('still', 'works');
  assertEqual(await store.get('still'), 'works');
});

test('a window whose capability lacks store permissions is refused, command by command', async () => {
  const store = await load('shared.json');
  await store.set('ping', 'for limited');
  const report = new Promise((resolve) => listen('limited-report', (event) => resolve(event.payload)));
  const ready = new Promise((resolve) => listen('limited-ready', resolve));
  new WebviewWindow('limited', { url: 'index.html', width: 300, height: 200 });
  await ready;
  await emit('limited-go', { rid: store.rid });
  const r = await report;
  assert(!r.load.ok, 'load refused');
  assertError(r.load, 'forbidden', 'plugin:store|load', 'window "limited"', 'store:allow-load');
  assertEqual(r.get, { ok: true, value: ['for limited', true] }, 'store:allow-get grants get');
  assertError(r.set, 'forbidden', 'plugin:store|set', 'store:allow-set');
  assertEqual(await store.get('ping'), 'for limited', 'the refused set changed nothing');
});

test('managed state reaches a handler on a worker thread', async () => {
  const first = await invoke('count');
  const second = await invoke('count');
  assertEqual(second.hits, first.hits + 1);
  assertEqual(first.sameAsApp, true, 'keel_invoke_get_state() finds what keel_app_get_state() does');
});

test('the second window reports', async () => {
  const done = new Promise((resolve) => listen('second-done', resolve));
  const store = await load('shared.json');
  await emit('second-finish', { ping: await store.get('ping') });
  await done;
});

if (label === 'second') secondWindow();
else if (label === 'limited') limitedWindow();
else run();
