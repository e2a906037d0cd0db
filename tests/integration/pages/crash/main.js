// A crash stays contained (issue 4). Main opens a second window, "victim",
// and ends its web process four ways: SIGKILL, keel_window_terminate_web_process,
// a JavaScript infinite loop (the liveness ping, hangTimeoutMs 1000) and,
// with a listener and an invoke pending, SIGKILL again. Each time main hears
// keel://web-process-terminated, the victim's page reloads (a new
// victim-ready token), the C callback is told, and nothing else moves: the
// victim's title and size, main's page, its listeners and its invokes.
import { invoke } from '@tauri-apps/api/core';
import { emit } from '@tauri-apps/api/event';
import { assert, assertEqual, waitFor, sleep } from '../../lib/harness.js';
import {
  label, state, victim, setupMain, ctl, ctlNoReply, openVictim, victimPid, lastReady,
  nextTermination, nextReady, terminations, mainNeverReloaded, webProcesses, Window, describe,
  longTest, runLong,
} from './common.js';

const VICTIM_TITLE = 'crash: victim, renamed ☃';

// Shared between a case that acts and the cases that check what it did.
let pidBefore;
let tokenBefore;
let sizeBefore;
let killed; // { readies, events, callbacks } counts before the SIGKILL
let hang;   // what the hang case saw
let armed;  // what the dead page registered

longTest('the victim window opens with a web process of its own', async () => {
  await openVictim();
  pidBefore = await victimPid();
  assert(!state.basePids.includes(pidBefore), 'the victim shares a web process with main');
});

longTest('SIGKILL of the victim\'s web process: keel://web-process-terminated {victim, crashed, restarts 1, gaveUp false}', async () => {
  const win = await Window.getByLabel('victim');
  await win.setTitle(VICTIM_TITLE);
  assertEqual(await win.title(), VICTIM_TITLE);
  sizeBefore = await win.innerSize();
  tokenBefore = lastReady();
  killed = { readies: state.readies.length, events: state.events.length, callbacks: (await terminations()).length };
  await invoke('kill_process', { pid: pidBefore, signal: 9 });
  state.deadPids.add(pidBefore);
  await nextTermination(killed.events, { window: 'victim', reason: 'crashed', restarts: 1, gaveUp: false });
});

longTest('SIGKILL: the victim\'s page reloads (a new victim-ready token) in a new web process', async () => {
  const token = await nextReady(killed.readies);
  assert(token !== tokenBefore, 'the token did not change');
  const pid = await victimPid();
  assert(pid !== pidBefore, `the victim still runs in pid ${pid}`);
  await waitFor(async () => !(await webProcesses()).includes(pidBefore), 'the killed process to be gone', 5000);
  // The reloaded page answers over the bridge.
  assertEqual((await ctl('report')).token, token);
});

longTest('SIGKILL: the C callback got {victim, crashed, restarting: true}', async () => {
  const list = await waitFor(async () => {
    const l = await terminations();
    return l.length > killed.callbacks && l;
  }, 'the C callback');
  assertEqual(list.slice(killed.callbacks), [{ window: 'victim', reason: 'crashed', restarting: true }]);
});

longTest('SIGKILL: the victim window keeps its title and size', async () => {
  const win = await Window.getByLabel('victim');
  assert(win !== null, 'the victim window is gone');
  assertEqual(await win.title(), VICTIM_TITLE, 'title');
  const size = await win.innerSize();
  assertEqual([size.width, size.height], [sizeBefore.width, sizeBefore.height], 'innerSize');
});

longTest('SIGKILL: main did not reload, and its listeners and invokes still work', async () => {
  await mainNeverReloaded();
});

longTest('terminate_web_process: reason terminated, restarts 2; the victim comes back; C callback restarting', async () => {
  const before = { readies: state.readies.length, events: state.events.length, callbacks: (await terminations()).length };
  const token = lastReady();
  await invoke('terminate_web_process', { label: 'victim' });
  await nextTermination(before.events, { window: 'victim', reason: 'terminated', restarts: 2, gaveUp: false });
  assert((await nextReady(before.readies)) !== token, 'same token');
  assertEqual((await ctl('report')).token, lastReady(), 'the new page answers');
  const list = await waitFor(async () => {
    const l = await terminations();
    return l.length > before.callbacks && l;
  }, 'the C callback');
  assertEqual(list.slice(before.callbacks), [{ window: 'victim', reason: 'terminated', restarting: true }]);
});

longTest('an infinite loop in the victim: reason unresponsive within 10 s, restarts 3; the victim comes back', async () => {
  const before = { readies: state.readies.length, events: state.events.length, callbacks: (await terminations()).length };
  hang = { echoes: 0, failures: [], done: false };
  // Main keeps invoking while the victim spins: each echo must answer.
  const echoing = (async () => {
    while (!hang.done) {
      const value = `echo ${hang.echoes}`;
      try {
        const answer = await Promise.race([
          invoke('echo', { value }),
          sleep(5000).then(() => { throw new Error(`"${value}" had no answer within 5 s`); }),
        ]);
        if (answer !== value) hang.failures.push(`"${value}" answered ${describe(answer)}`);
      } catch (error) {
        hang.failures.push(describe(error));
      }
      hang.echoes++;
      await sleep(50);
    }
  })();
  try {
    const start = Date.now();
    await ctlNoReply('hang');
    await nextTermination(before.events, { window: 'victim', reason: 'unresponsive', restarts: 3, gaveUp: false }, 10000);
    hang.detectedAfterMs = Date.now() - start;
    await nextReady(before.readies);
    assertEqual((await ctl('report')).token, lastReady(), 'the new page answers');
    const list = await waitFor(async () => {
      const l = await terminations();
      return l.length > before.callbacks && l;
    }, 'the C callback');
    assertEqual(list.slice(before.callbacks), [{ window: 'victim', reason: 'unresponsive', restarting: true }],
                'C callbacks');
  } finally {
    hang.done = true;
    await echoing;
  }
});

longTest('while the victim hung, main\'s invokes kept answering', async () => {
  assert(hang && hang.echoes > 0, 'no echo was sent during the hang');
  assertEqual(hang.failures, [], `echoes during the hang (${hang.echoes} sent)`);
});

longTest('a dead page\'s listener is forgotten: an event after the restart reaches no callback of the new page', async () => {
  const before = { readies: state.readies.length, events: state.events.length };
  const stats = await invoke('stats');
  armed = await ctl('arm');
  armed.laterStarted = stats.later_started + 1;
  await waitFor(async () => (await invoke('stats')).later_started === armed.laterStarted, 'the victim\'s later to start');
  const pid = await victimPid();
  await invoke('kill_process', { pid, signal: 9 });
  state.deadPids.add(pid);
  await nextTermination(before.events, { window: 'victim', reason: 'crashed', restarts: 4, gaveUp: false });
  await nextReady(before.readies);
  // Give the dead listener's callback id to a recorder in the new page, then
  // emit, from main and from the core.
  const cover = await ctl('cover', { id: armed.handler });
  assertEqual(cover.covered, armed.handler, 'the recorder took the dead listener\'s id');
  const probes = state.probes.length;
  await emit('probe', { from: 'main' });
  await invoke('host_emit', { event: 'probe', payload: { from: 'core' } });
  // Main's own probe listener is the control: the events did go out.
  await waitFor(() => state.probes.length >= probes + 2, 'main to hear both probes', 5000);
  await sleep(300);
  const report = await ctl('report');
  assertEqual(report.leaked, [], 'callbacks of the new page run by the dead page\'s listener');
  assertEqual(report.probeHits, [], 'probe events in the new page');
});

longTest('a dead page\'s pending invoke is dropped: its answer reaches no later page, and later_finished = later_started', async () => {
  assert(armed, 'the previous case did not arm the victim');
  await waitFor(async () => {
    const s = await invoke('stats');
    return s.later_finished === s.later_started && s.later_finished >= armed.laterStarted;
  }, 'the dead page\'s later to finish', 8000);
  await sleep(300);
  const report = await ctl('report');
  assertEqual(report.deadAnswers, [], 'replies for the dead page that reached the new one');
  assertEqual(await invoke('later', { ms: 10, value: 'fresh' }), 'fresh', 'a new later answers');
});

longTest('a core busy with its own work for 3 s (3 × hangTimeoutMs) restarts no live page', async () => {
  // The pages' answers to the liveness ping wait in the core's queue behind
  // the app's work: that is the core being slow, not the pages hanging.
  const readies = state.readies.length;
  const events = state.events.length;
  const callbacks = (await terminations()).length;
  await invoke('busy_core', { ms: 3000 });
  await sleep(4000); // the busy spell, then two ping rounds
  assertEqual(state.readies.length, readies, 'victim loads');
  assertEqual(state.events.length, events, 'termination events');
  assertEqual((await terminations()).length, callbacks, 'C callbacks');
  assertEqual((await ctl('report')).token, lastReady(), 'the victim\'s page');
});

longTest('one termination event per termination, all for the victim; four C callbacks', async () => {
  await sleep(300);
  assertEqual(state.events.map((e) => [e.window, e.reason, e.restarts, e.gaveUp]), [
    ['victim', 'crashed', 1, false], ['victim', 'terminated', 2, false],
    ['victim', 'unresponsive', 3, false], ['victim', 'crashed', 4, false],
  ]);
  assertEqual((await terminations()).map((t) => `${t.window}/${t.reason}/${t.restarting}`),
              ['victim/crashed/true', 'victim/terminated/true', 'victim/unresponsive/true', 'victim/crashed/true']);
});

longTest('main never reloaded, and its web process is the one it started with', async () => {
  await mainNeverReloaded();
  const pids = await webProcesses();
  for (const pid of state.basePids) assert(pids.includes(pid), `main's web process ${pid} is gone`);
  assertEqual(state.readies.length, 5, 'victim loads (1 + 4 restarts)');
});

if (label === 'victim') {
  victim();
} else {
  await setupMain();
  await runLong({ caseTimeoutMs: 30000 });
}
