// A hundred restarts leak nothing (issue 4). Main terminates the victim's
// web process 100 times with terminate_web_process, each time waiting for the
// event and the reloaded page's new victim-ready, and measures the core
// process (core_usage) after restart 10 and after restart 100.
//
// The stated bound, between restart 10 and restart 100 (the first ten let
// caches and pools reach their working size):
//   - open file descriptors of the core grow by at most 5;
//   - the core's resident memory (VmRSS) grows by at most 30 MiB (30720 kB).
// A leak of one descriptor or of ~350 kB per restart breaks it.
//
// Warm-up is counted in time as well as in restarts: WebKit's UI-process
// memory monitor first polls 5 s after the first web process starts, and
// then keeps /proc/meminfo, /proc/zoneinfo, /proc/self/cgroup and four
// cgroup memory files open for good (+7 fds, seen here). The baseline waits
// until main's page is WARM_UP_MS old, so that one-time step falls before it.
import { invoke } from '@tauri-apps/api/core';
import { assert, assertEqual, sleep } from '../../lib/harness.js';
import {
  label, state, victim, setupMain, ctl, openVictim, lastReady, nextTermination, nextReady,
  terminations, mainNeverReloaded, longTest, runLong,
} from '../crash/common.js';

const RESTARTS = 100;
const MAX_FD_GROWTH = 5;
const MAX_RSS_GROWTH_KB = 30 * 1024;
const WARM_UP_MS = 8000;

const usage = { series: [] }; // every tenth restart, for the failure's detail

// Lets the core's main loop settle before it is measured.
async function measure() {
  await sleep(500);
  return invoke('core_usage');
}

longTest('the victim window opens', async () => {
  await openVictim({ title: 'restart-100: victim' });
});

longTest(`${RESTARTS} terminations, each followed by the event (restarts n) and a reloaded page`, async () => {
  for (let n = 1; n <= RESTARTS; n++) {
    const before = { readies: state.readies.length, events: state.events.length };
    const token = lastReady();
    await invoke('terminate_web_process', { label: 'victim' });
    try {
      await nextTermination(before.events, { window: 'victim', reason: 'terminated', restarts: n, gaveUp: false });
      assert((await nextReady(before.readies)) !== token, 'same token');
    } catch (error) {
      throw new Error(`restart ${n}: ${error.message}`);
    }
    if (n === 10 && performance.now() < WARM_UP_MS) await sleep(WARM_UP_MS - performance.now());
    if (n % 10 === 0) {
      const now = await measure();
      usage.series.push(`${n}: ${now.fds} fds, ${now.rss_kb} kB`);
      if (n === 10) usage.at10 = now;
      if (n === RESTARTS) usage.at100 = now;
    }
  }
  assertEqual((await ctl('report')).token, lastReady(), 'the last page answers');
});

longTest(`the core's open fds grew by at most ${MAX_FD_GROWTH} from restart 10 to restart ${RESTARTS}`, async () => {
  assert(usage.at10 && usage.at100, `not measured: ${JSON.stringify(usage)}`);
  const growth = usage.at100.fds - usage.at10.fds;
  const text = `fds ${usage.at10.fds} → ${usage.at100.fds} (+${growth}); after restart ${usage.series.join('; ')}`;
  assert(growth <= MAX_FD_GROWTH, text);
  return text;
});

longTest(`the core's RSS grew by at most ${MAX_RSS_GROWTH_KB} kB from restart 10 to restart ${RESTARTS}`, async () => {
  assert(usage.at10 && usage.at100, `not measured: ${JSON.stringify(usage)}`);
  const growth = usage.at100.rss_kb - usage.at10.rss_kb;
  const text = `VmRSS ${usage.at10.rss_kb} kB → ${usage.at100.rss_kb} kB (+${growth} kB)`;
  assert(growth <= MAX_RSS_GROWTH_KB, text);
  return text;
});

longTest(`the C callback heard ${RESTARTS} terminations, all {victim, terminated, restarting: true}`, async () => {
  const list = await terminations();
  assertEqual(list.length, RESTARTS, 'callbacks');
  const odd = list.filter((t) => t.window !== 'victim' || t.reason !== 'terminated' || t.restarting !== true);
  assertEqual(odd, [], 'callbacks that differ');
});

longTest('main never reloaded', async () => {
  await mainNeverReloaded();
  assertEqual(state.readies.length, RESTARTS + 1, 'victim loads');
  assertEqual(new Set(state.readies).size, RESTARTS + 1, 'distinct victim tokens');
});

if (label === 'victim') {
  victim();
} else {
  await setupMain();
  await runLong({ caseTimeoutMs: 240000 });
}
