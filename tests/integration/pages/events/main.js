// Events across two windows, "main" and "second": emit and emit_to with
// Tauri's target rules, the core's own emits, a C listener, unlisten, once(),
// listeners that die with their page, and refused names and targets.
//
// The main window runs the cases. The second window is driven by main over a
// control event ("ctl", answered with "ctl-reply"): it says what its
// listeners received, emits on request, reloads itself, and at the end
// reports two cases of its own.
import { invoke, transformCallback } from '@tauri-apps/api/core';
import { emit, emitTo, listen, once } from '@tauri-apps/api/event';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { getCurrentWebviewWindow } from '@tauri-apps/api/webviewWindow';
import { test, run, assert, assertEqual, rejects, waitFor, describe } from '../../lib/harness.js';

const label = getCurrentWindow().label;

// What this page's listeners received, by name: [{event, payload}].
const got = {};
function recorder(name) {
  return (e) => {
    (got[name] || (got[name] = [])).push({ event: e.event, payload: e.payload });
  };
}
const received = (name) => got[name] || [];

// The second window's side of the control channel: runs ops[op](args) and
// answers with its result or its error.
async function serve(ops) {
  await listen('ctl', async (e) => {
    const { op, seq, args } = e.payload;
    let reply;
    try {
      if (!ops[op]) throw new Error(`unknown op "${op}"`);
      reply = { seq, result: (await ops[op](args)) ?? null };
    } catch (error) {
      reply = { seq, error: describe(error) };
    }
    await emit('ctl-reply', reply);
  });
}

async function secondWindow() {
  const prefix = '#reloaded-';
  if (location.hash.startsWith(prefix)) {
    // The page after location.reload(). A recorder is put under the old
    // page's listener's callback id by hand: if the core still delivered to
    // that listener, the recorder would run.
    const oldId = Number(location.hash.slice(prefix.length));
    const leaked = [];
    window.__TAURI_INTERNALS__.callbacks.set(oldId, (data) => leaked.push({ recorder: oldId, data }));
    const ids = [oldId];
    await listen('new-ev', recorder('new-ev'));
    await serve({
      leakCheck: () => ({ leaked, fresh: received('new-ev') }),
      finish: async () => {
        const labels = [getCurrentWindow().label, getCurrentWebviewWindow().label, window.keel.windowLabel];
        const labelsOk = labels.every((l) => l === 'second');
        await invoke('test_report', {
          name: 'second: its metadata names the second window',
          ok: labelsOk,
          detail: labelsOk ? '' : JSON.stringify(labels),
        });
        const reloadedOk = typeof window.__TAURI_INTERNALS__.invoke === 'function'
          && received('new-ev').length === 1;
        await invoke('test_report', {
          name: 'second: the reloaded page has a working bridge and its own listener',
          ok: reloadedOk,
          detail: reloadedOk ? '' : JSON.stringify(received('new-ev')),
        });
        return 2;
      },
    });
    await emit('second-reloaded', { oldId, firstRecorder: ids[0], lastRecorder: ids[ids.length - 1] });
    return;
  }

  // First load. The listener that must die with this page is registered
  // first, by hand, so that its callback id is known.
  const oldHandler = transformCallback(recorder('old-ev'));
  await invoke('plugin:event|listen', { event: 'old-ev', target: { kind: 'Any' }, handler: oldHandler });
  await listen('ev-all', recorder('ev-all'));
  await listen('from-second', recorder('from-second'));
  await listen('core-all', recorder('core-all'));
  // Registered with target {kind: 'WebviewWindow', label: 'second'}.
  await getCurrentWebviewWindow().listen('ev-to', recorder('ev-to'));
  await getCurrentWebviewWindow().listen('core-one', recorder('core-one'));
  await serve({
    ping: () => 'pong',
    got: ({ event }) => received(event),
    emit: async ({ event, payload }) => { await emit(event, payload); },
    reload: () => {
      setTimeout(() => {
        history.replaceState(null, '', prefix + oldHandler);
        location.reload();
      }, 50);
      return 'reloading';
    },
  });
}

// ---- The main window ----

const replies = new Map();
let nextSeq = 1;

function ask(op, args = {}, ms = 10000) {
  const seq = nextSeq++;
  return new Promise((resolve, reject) => {
    replies.set(seq, { resolve, reject });
    setTimeout(() => {
      if (replies.delete(seq)) reject(new Error(`the second window did not answer "${op}" within ${ms} ms`));
    }, ms);
    emit('ctl', { op, seq, args }).catch((error) => { replies.delete(seq); reject(error); });
  });
}

// Pings until the second window has set up its listeners.
async function secondReady() {
  const end = Date.now() + 15000;
  for (;;) {
    try {
      return await ask('ping', {}, 300);
    } catch (error) {
      if (Date.now() > end) throw error;
    }
  }
}

// Events reach a page in the order they were emitted: once a sentinel
// emitted now has arrived, so has everything emitted before it.
let sentinels = 0;
async function sync() {
  const n = ++sentinels;
  await emit('sentinel', n);
  await waitFor(() => received('sentinel').some((e) => e.payload === n), `sentinel ${n}`);
}

const ev = (event, payload) => ({ event, payload });

test('emit from a page reaches listeners in both windows, its own included', async () => {
  assertEqual(await secondReady(), 'pong');
  await emit('ev-all', { from: 'main', n: 1 });
  await sync();
  assertEqual(received('ev-all'), [ev('ev-all', { from: 'main', n: 1 })], 'main');
  assertEqual(await ask('got', { event: 'ev-all' }), [ev('ev-all', { from: 'main', n: 1 })], 'second');
});

test('emit from the second window reaches both windows', async () => {
  await ask('emit', { event: 'from-second', payload: { n: 2 } });
  await sync();
  assertEqual(received('from-second'), [ev('from-second', { n: 2 })], 'main');
  assertEqual(await ask('got', { event: 'from-second' }), [ev('from-second', { n: 2 })], 'second');
});

test("emitTo('second') reaches second's labelled listener and Any listeners, not main's labelled one", async () => {
  await emitTo('second', 'ev-to', { k: 1 });
  await sync();
  assertEqual(await ask('got', { event: 'ev-to' }), [ev('ev-to', { k: 1 })], "second's WebviewWindow listener");
  assertEqual(received('ev-to:main'), [], "main's WebviewWindow listener");
  assertEqual(received('ev-to:any'), [ev('ev-to', { k: 1 })], "main's Any listener (Tauri's rule)");
});

test('emitTo({kind: WebviewWindow, label: main}) reaches main only', async () => {
  await emitTo({ kind: 'WebviewWindow', label: 'main' }, 'ev-to', { k: 2 });
  await sync();
  assertEqual(received('ev-to:main'), [ev('ev-to', { k: 2 })], "main's WebviewWindow listener");
  assertEqual(received('ev-to:any'), [ev('ev-to', { k: 1 }), ev('ev-to', { k: 2 })], "main's Any listener");
  assertEqual(await ask('got', { event: 'ev-to' }), [ev('ev-to', { k: 1 })], "second's WebviewWindow listener");
});

test('the core emits to all windows', async () => {
  await invoke('host_emit', { event: 'core-all', payload: { c: 1 } });
  await sync();
  assertEqual(received('core-all'), [ev('core-all', { c: 1 })], 'main');
  assertEqual(await ask('got', { event: 'core-all' }), [ev('core-all', { c: 1 })], 'second');
});

test('the core emits to one label', async () => {
  await invoke('host_emit', { event: 'core-one', payload: { c: 2 }, to: 'second' });
  await sync();
  assertEqual(await ask('got', { event: 'core-one' }), [ev('core-one', { c: 2 })], "second's WebviewWindow listener");
  assertEqual(received('core-one:main'), [], "main's WebviewWindow listener");
  assertEqual(received('core-one:any'), [ev('core-one', { c: 2 })], "main's Any listener (Tauri's rule)");
});

test('a page emit reaches the C listener, with the emitting window as source', async () => {
  await emit('to-core', { from: 'main' });
  await ask('emit', { event: 'to-core', payload: { from: 'second' } });
  await invoke('host_emit', { event: 'to-core', payload: { from: 'core' } });
  const { core_events: events } = await invoke('stats');
  const seen = events.filter((e) => e.event === 'to-core');
  assertEqual(seen.slice(0, 2), [
    { event: 'to-core', payload: { from: 'main' }, source: 'main' },
    { event: 'to-core', payload: { from: 'second' }, source: 'second' },
  ]);
  assertEqual(seen.length, 3, 'the core\'s own emit reaches it too');
  assertEqual(seen[2].payload, { from: 'core' });
  assert(seen[2].source == null, `an emit from C has no source window, got ${JSON.stringify(seen[2].source)}`);
});

test('unlisten stops delivery', async () => {
  const unlisten = await listen('ev-un', recorder('ev-un'));
  await emit('ev-un', 1);
  await sync();
  assertEqual(received('ev-un'), [ev('ev-un', 1)]);
  await unlisten();
  await emit('ev-un', 2);
  await sync();
  assertEqual(received('ev-un'), [ev('ev-un', 1)], 'after unlisten');
  await unlisten(); // twice is harmless
});

test('once() fires once', async () => {
  const ids = [];
  await once('ev-once', (e) => { ids.push(e.id); recorder('ev-once')(e); });
  await emit('ev-once', 1);
  await emit('ev-once', 2);
  await sync();
  await emit('ev-once', 3);
  await sync();
  assertEqual(received('ev-once'), [ev('ev-once', 1)]);
  assert(Number.isInteger(ids[0]) && ids[0] > 0, `the event carries its listener's id, got ${ids[0]}`);
});

test('a listener dies with its page (second window reloads)', async () => {
  // The old page's listener works before the reload.
  await emit('old-ev', { alive: true });
  assertEqual(await ask('got', { event: 'old-ev' }), [ev('old-ev', { alive: true })], 'before the reload');

  let info = null;
  const unlisten = await listen('second-reloaded', (e) => { info = e.payload; });
  assertEqual(await ask('reload'), 'reloading');
  await waitFor(() => info, 'the reloaded second window', 15000);
  await unlisten();
  assert(info.firstRecorder === info.oldId,
         `the new page put its recorder under ${info.firstRecorder}, not the old listener's id ${info.oldId}`);

  await emit('old-ev', { stale: true });
  await emit('new-ev', { fresh: true });
  const { leaked, fresh } = await ask('leakCheck');
  assertEqual(leaked, [], 'deliveries to the old page\'s listener');
  assertEqual(fresh, [ev('new-ev', { fresh: true })], 'the new page\'s listener');
});

const badNames = ['', 'has space', 'dot.ted', 'ünï', 'a*b', 'x'.repeat(257)];

test('invalid event names are refused with invalid_args', async () => {
  for (const name of badNames) {
    const shown = JSON.stringify(name.slice(0, 20));
    for (const [what, attempt] of [
      ['emit', () => emit(name, 1)],
      ['emitTo', () => emitTo('main', name, 1)],
      ['listen', () => listen(name, () => {})],
      ['unlisten', () => invoke('plugin:event|unlisten', { event: name, eventId: 1 })],
    ]) {
      const error = await rejects(attempt(), `${what} ${shown}`);
      assertEqual(error.code, 'invalid_args', `${what} ${shown}: ${describe(error)}`);
      assert(/event name/.test(error.message), `${what} ${shown}: ${error.message}`);
    }
  }
  await emit('x'.repeat(256), 1); // the longest name allowed
  await emit('a-Z_0/9:x', 1);
});

test('invalid targets are refused with invalid_args', async () => {
  const attempts = [
    ['emitTo unknown kind', () => emitTo({ kind: 'Nope', label: 'x' }, 'ev', 1)],
    ['emitTo without label', () => emitTo({ kind: 'Window' }, 'ev', 1)],
    ['emitTo label not a string', () => emitTo({ kind: 'WebviewWindow', label: 7 }, 'ev', 1)],
    ['emitTo without kind', () => emitTo({ label: 'main' }, 'ev', 1)],
    ['emit_to without target', () => invoke('plugin:event|emit_to', { event: 'ev', payload: 1 })],
    ['emit_to with a number', () => invoke('plugin:event|emit_to', { event: 'ev', target: 42 })],
    ['listen unknown kind', () => listen('ev', () => {}, { target: { kind: 'Bogus', label: 'x' } })],
    ['listen without label', () => listen('ev', () => {}, { target: { kind: 'WebviewWindow' } })],
  ];
  for (const [what, attempt] of attempts) {
    const error = await rejects(attempt(), what);
    assertEqual(error.code, 'invalid_args', `${what}: ${describe(error)}`);
    assert(/target/.test(error.message), `${what}: ${error.message}`);
  }
});

test('the second window reports its own cases', async () => {
  assertEqual(await ask('finish'), 2);
});

async function mainWindow() {
  await listen('ctl-reply', (e) => {
    const waiter = replies.get(e.payload.seq);
    if (!waiter) return;
    replies.delete(e.payload.seq);
    if ('error' in e.payload) waiter.reject(new Error(`second window: ${e.payload.error}`));
    else waiter.resolve(e.payload.result);
  });
  await listen('sentinel', recorder('sentinel'));
  await listen('ev-all', recorder('ev-all'));
  await listen('from-second', recorder('from-second'));
  await listen('core-all', recorder('core-all'));
  await listen('ev-to', recorder('ev-to:main'), { target: { kind: 'WebviewWindow', label: 'main' } });
  await listen('ev-to', recorder('ev-to:any'));
  await listen('core-one', recorder('core-one:main'), { target: { kind: 'WebviewWindow', label: 'main' } });
  await listen('core-one', recorder('core-one:any'));
  await run();
}

if (label === 'main') mainWindow();
else secondWindow();
