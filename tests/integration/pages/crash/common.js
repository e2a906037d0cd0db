// Shared by the crash-recovery suites (crash, crash-loop, memory,
// restart-100): both sides of a two-window app where "main" runs the cases
// and "victim", a window main creates, is the one whose web process dies.
//
// Every suite's main.js is loaded in both windows and branches on the label:
// the victim calls victim(), main calls setupMain() and runs its cases. The
// victim says "victim-ready" with a random token on every load, so main can
// tell a reloaded page from the old one, and is driven over a control event
// ("ctl", answered with "ctl-reply").
import { invoke, transformCallback } from '@tauri-apps/api/core';
import { emit, emitTo, listen } from '@tauri-apps/api/event';
import { getCurrentWindow, Window } from '@tauri-apps/api/window';
import { WebviewWindow } from '@tauri-apps/api/webviewWindow';
import { assert, assertEqual, describe as describeValue, sleep, waitFor } from '../../lib/harness.js';

// JavaScriptCore's Error.stack holds only the frames, so lib/harness.js's
// describe() loses an Error's message: say both.
export function describe(value) {
  if (value instanceof Error) return String(value) + (value.stack ? `\n${value.stack}` : '');
  return describeValue(value);
}

export const label = getCurrentWindow().label;
export const TERMINATED = 'keel://web-process-terminated';
// What the victim's doomed `later` answers with: its arrival in any later
// page would be a reply delivered to the wrong document.
export const DEAD_MARK = 'for-the-dead-page';

function randomToken() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------- victim

export async function victim(extraOps = {}) {
  const token = randomToken();
  // Every reply the bridge receives, as the relay hands it over.
  const responses = [];
  document.addEventListener('keel:response', (e) => {
    if (typeof e.detail === 'string') responses.push(e.detail);
  }, true);
  const leaked = [];     // calls to callback ids this page never gave out for a listener
  const probeHits = [];  // events received by the probe listener (only the armed page has one)
  const hold = [];       // memory held on purpose by "alloc"

  const ops = {
    // Never returns: the page stops answering anything.
    hang: () => {
      for (;;) { /* spin */ }
    },
    // A listener and a pending invoke that will belong to a dead page. The
    // listener is registered as @tauri-apps/api's listen() does, so that its
    // callback id is known.
    arm: async () => {
      const handler = transformCallback((e) => probeHits.push(e));
      await invoke('plugin:event|listen', { event: 'probe', target: { kind: 'Any' }, handler });
      invoke('later', { ms: 2000, value: DEAD_MARK });
      return { handler };
    },
    // Puts a recorder under the previous page's listener's callback id: an
    // event the core still delivered to that listener would run it.
    cover: ({ id }) => {
      window.__TAURI_INTERNALS__.callbacks.set(id, (data) => leaked.push({ id, data }));
      return { covered: id };
    },
    report: () => ({
      token,
      leaked,
      probeHits,
      deadAnswers: responses.filter((d) => d.includes(DEAD_MARK)),
    }),
    // Allocates `chunkMiB` at a time, touching every page, until the process
    // is killed or `capMiB` is reached; says how far it got every 64 MiB.
    alloc: ({ chunkMiB = 16, capMiB = 1200, pauseMs = 20 }) => {
      (async () => {
        let mib = 0;
        while (mib < capMiB) {
          const chunk = new Uint8Array(chunkMiB << 20);
          chunk.fill((hold.length % 255) + 1); // every page dirty, none zero
          hold.push(chunk);
          mib += chunkMiB;
          if (mib % 64 === 0) emit('alloc-progress', { token, mib });
          await sleep(pauseMs);
        }
        emit('alloc-capped', { token, mib });
      })();
      return { started: true };
    },
    ...extraOps,
  };

  await listen('ctl', async (e) => {
    const { op, seq, args } = e.payload;
    let reply;
    try {
      if (!ops[op]) throw new Error(`unknown op "${op}"`);
      reply = { seq, token, result: (await ops[op](args || {})) ?? null };
    } catch (error) {
      reply = { seq, token, error: describe(error) };
    }
    await emit('ctl-reply', reply);
  });
  await emit('victim-ready', { token });
}

// ------------------------------------------------------------------ main

// The state main keeps: everything the victim and the core told it.
export const state = {
  mainToken: randomToken(),
  readies: [],   // victim-ready tokens, in order of arrival
  events: [],    // keel://web-process-terminated payloads, in order
  selfHits: [],  // main's own control listener
  probes: [],    // 'probe' as main itself heard it (the positive control)
  progress: [],  // alloc-progress / alloc-capped from the victim
  basePids: [],  // web processes that existed before the victim did
  deadPids: new Set(),
  replies: new Map(),
  seq: 0,
};

export async function setupMain() {
  // A reloaded main would run this again: the count and the core's list of
  // main-loaded tokens both tell.
  sessionStorage.setItem('main-loads', String(Number(sessionStorage.getItem('main-loads') || 0) + 1));
  await listen('victim-ready', (e) => { state.readies.push(e.payload.token); });
  await listen(TERMINATED, (e) => { state.events.push(e.payload); });
  await listen('self-check', (e) => { state.selfHits.push(e.payload); });
  await listen('probe', (e) => { state.probes.push(e.payload); });
  await listen('alloc-progress', (e) => { state.progress.push({ ...e.payload, capped: false }); });
  await listen('alloc-capped', (e) => { state.progress.push({ ...e.payload, capped: true }); });
  await listen('ctl-reply', (e) => {
    const resolve = state.replies.get(e.payload.seq);
    if (resolve) {
      state.replies.delete(e.payload.seq);
      resolve(e.payload);
    }
  });
  // The host's C listener on "to-core" records this; see mainNeverReloaded().
  await emit('to-core', { kind: 'main-loaded', token: state.mainToken });
}

// Runs an op in the victim and answers its result (rejects on its error or
// when no answer comes within `ms`).
export async function ctl(op, args = {}, ms = 5000) {
  const seq = ++state.seq;
  const answer = new Promise((resolve, reject) => {
    state.replies.set(seq, resolve);
    setTimeout(() => {
      if (state.replies.delete(seq)) reject(new Error(`the victim did not answer "${op}" within ${ms} ms`));
    }, ms);
  });
  await emitTo('victim', 'ctl', { op, seq, args });
  const reply = await answer;
  if (reply.error) throw new Error(`victim "${op}": ${reply.error}`);
  return reply.result;
}

// Sends an op without waiting for an answer (for ops that never answer).
export function ctlNoReply(op, args = {}) {
  return emitTo('victim', 'ctl', { op, seq: ++state.seq, args });
}

export const webProcesses = () => invoke('web_processes');

// Opens the victim window and waits for its first page. The web process
// that appeared meanwhile is the victim's.
export async function openVictim(options = {}) {
  state.basePids = await webProcesses();
  const webview = new WebviewWindow('victim', {
    url: 'index.html', title: 'crash: victim', width: 360, height: 260, x: 520, y: 0, ...options,
  });
  const created = await new Promise((resolve) => {
    webview.once('tauri://created', () => resolve('created'));
    webview.once('tauri://error', (e) => resolve(e.payload));
  });
  assertEqual(created, 'created', 'creating the victim window');
  await waitFor(() => state.readies.length >= 1, 'the first victim-ready', 15000);
}

// The victim's web process now: the one that is neither main's (nor any
// other that existed before the victim) nor a victim process known dead.
export async function victimPid() {
  const pids = await webProcesses();
  const candidates = pids.filter((p) => !state.basePids.includes(p) && !state.deadPids.has(p));
  assert(candidates.length === 1,
         `expected one web process for the victim, found ${JSON.stringify(candidates)} ` +
         `(all: ${JSON.stringify(pids)}, before the victim: ${JSON.stringify(state.basePids)})`);
  return candidates[0];
}

export const lastReady = () => state.readies[state.readies.length - 1];

// Waits for the termination event that follows `eventsBefore` events and
// checks its fields; answers the payload.
export async function nextTermination(eventsBefore, expected, ms = 10000) {
  await waitFor(() => state.events.length > eventsBefore,
                `${TERMINATED} (expected ${JSON.stringify(expected)})`, ms);
  const payload = state.events[eventsBefore];
  const got = {};
  for (const key of Object.keys(expected)) got[key] = payload ? payload[key] : undefined;
  assertEqual(got, expected, `${TERMINATED} payload ${describe(payload)}`);
  return payload;
}

// Waits for a victim-ready after the first `readiesBefore`, and checks that
// its token is new.
export async function nextReady(readiesBefore, ms = 10000) {
  await waitFor(() => state.readies.length > readiesBefore, 'a new victim-ready (the reloaded page)', ms);
  const token = state.readies[readiesBefore];
  assert(!state.readies.slice(0, readiesBefore).includes(token),
         `the "new" victim-ready has an old token ${token}`);
  return token;
}

export async function terminations() {
  return invoke('terminations');
}

// Main's page was never reloaded: this document loaded once (sessionStorage
// survives a reload in the same window), the core saw exactly one
// main-loaded, with this document's token, and main's listeners still hear
// an event emitted now.
export async function mainNeverReloaded() {
  assertEqual(sessionStorage.getItem('main-loads'), '1', 'loads of main counted in sessionStorage');
  const stats = await invoke('stats');
  const loads = stats.core_events.filter((e) => e.event === 'to-core' && e.payload && e.payload.kind === 'main-loaded')
    .map((e) => e.payload.token);
  assertEqual(loads, [state.mainToken], 'main-loaded tokens the core received');
  const n = state.selfHits.length;
  const stamp = randomToken();
  await emit('self-check', stamp);
  await waitFor(() => state.selfHits.length > n, "main's own listener to hear self-check", 5000);
  assertEqual(state.selfHits[n], stamp);
  assertEqual(await invoke('echo', { value: stamp }), stamp, "main's echo");
}

// Like lib/harness.js's run(), with a per-case time limit of one's choosing
// (the harness allows 20 s a case; a hundred restarts or a memory poll
// interval can take longer).
const longCases = [];
export function longTest(name, fn) {
  longCases.push({ name, fn });
}
export async function runLong({ caseTimeoutMs }) {
  for (const { name, fn } of longCases) {
    let ok = true;
    let detail = '';
    let timer;
    try {
      // A case may answer a string: it is printed with its verdict.
      const result = await Promise.race([
        Promise.resolve().then(fn),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`case "${name}" took over ${caseTimeoutMs} ms`)), caseTimeoutMs);
        }),
      ]);
      if (typeof result === 'string') detail = result;
    } catch (error) {
      ok = false;
      detail = describe(error);
    } finally {
      clearTimeout(timer);
    }
    await invoke('test_report', { name, ok, detail });
  }
  await invoke('test_done');
}

export { Window, sleep };
