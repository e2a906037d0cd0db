// The per-process memory limit (issue 4): keel.json sets memoryLimitMB 300,
// above the ~135 MiB an idle web process takes here. The victim allocates
// 16 MiB at a time, every page written, until WebKit kills its process; main
// expects keel://web-process-terminated with reason memory-limit and the
// victim's page back, while main's own process (under the same limit, idle)
// lives on.
//
// WebKit checks memory on a poll interval (30 s unless Keel sets less), so
// the cases may take longer than lib/harness.js allows: they run under
// runLong with 90 s each.
import { assert, assertEqual, waitFor } from '../../lib/harness.js';
import {
  label, state, victim, setupMain, ctl, openVictim, victimPid, lastReady, nextReady,
  terminations, mainNeverReloaded, webProcesses, longTest, runLong, TERMINATED,
} from '../crash/common.js';

const CAP_MIB = 1500; // five times the limit: past it, WebKit is not enforcing anything

let before;

longTest('the victim window opens with a web process of its own', async () => {
  await openVictim({ title: 'memory: victim' });
  await victimPid();
});

longTest('allocating past memoryLimitMB 300 ends the victim\'s process: {victim, memory-limit, restarts 1, gaveUp false}', async () => {
  before = { readies: state.readies.length, events: state.events.length, callbacks: (await terminations()).length };
  assertEqual(await ctl('alloc', { chunkMiB: 16, capMiB: CAP_MIB, pauseMs: 20 }), { started: true });
  const start = Date.now();
  try {
    await waitFor(() => state.events.length > before.events, TERMINATED, 75000);
  } catch {
    const last = state.progress[state.progress.length - 1];
    throw new Error(`no ${TERMINATED} within 75 s of allocating; the victim reported ` +
      (last ? `${last.mib} MiB allocated${last.capped ? ' (its cap: it held that much, alive)' : ''}` : 'nothing'));
  }
  const payload = state.events[before.events];
  const reached = state.progress.filter((p) => p.token === state.readies[before.readies - 1]).pop();
  const context = `after ${Date.now() - start} ms, the victim having reported ${reached ? reached.mib : 0} MiB`;
  assertEqual({ window: payload.window, reason: payload.reason, restarts: payload.restarts, gaveUp: payload.gaveUp },
              { window: 'victim', reason: 'memory-limit', restarts: 1, gaveUp: false }, context);
  return context;
});

longTest('the victim\'s page comes back in a new process and answers', async () => {
  await nextReady(before.readies, 15000);
  assertEqual((await ctl('report')).token, lastReady());
});

longTest('the C callback got {victim, memory-limit, restarting: true}', async () => {
  const list = await waitFor(async () => {
    const l = await terminations();
    return l.length > before.callbacks && l;
  }, 'the C callback');
  assertEqual(list.slice(before.callbacks), [{ window: 'victim', reason: 'memory-limit', restarting: true }]);
});

longTest('main, under the same limit but idle, never reloaded and kept its web process', async () => {
  await mainNeverReloaded();
  const pids = await webProcesses();
  for (const pid of state.basePids) assert(pids.includes(pid), `main's web process ${pid} is gone`);
  assertEqual(state.events.map((e) => e.window), ['victim'], 'windows whose process ended');
});

if (label === 'victim') {
  victim();
} else {
  await setupMain();
  await runLong({ caseTimeoutMs: 90000 });
}
