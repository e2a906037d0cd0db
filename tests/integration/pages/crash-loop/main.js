// The crash loop (issue 4), with maxRestarts 2 in 60 s: main terminates the
// victim's web process three times. Twice it restarts; the third time Keel
// gives up (gaveUp true), shows its error page instead of reloading, and the
// page's #keel-retry button brings the app's page back with the window's
// restart count reset.
//
// The error page makes no promise of a bridge, so main acts on it with
// eval_in (keel_window_eval), and the only thing it waits for is the
// app page's victim-ready that a working retry produces.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getAllWindows } from '@tauri-apps/api/window';
import { assert, assertEqual, waitFor, sleep } from '../../lib/harness.js';
import {
  label, state, victim, setupMain, ctl, openVictim, lastReady, nextTermination, nextReady,
  terminations, mainNeverReloaded, Window, longTest, runLong,
} from '../crash/common.js';

// Clicks the retry button only if the error page names the window and the
// reason, so that a reload proves all three.
const CLICK_IF_COMPLETE = `(function () {
  var button = document.getElementById('keel-retry');
  var text = document.body ? document.body.innerText : '';
  if (button && text.indexOf('victim') >= 0 && text.indexOf('terminated') >= 0) button.click();
})();`;
// For the diagnosis only: tells main the error page's text if the page
// happens to have a bridge, then clicks whatever #keel-retry there is.
const DIAGNOSE = `(function () {
  var text = document.body ? document.body.innerText : '(no body)';
  var button = document.getElementById('keel-retry');
  if (window.keel) window.keel.emit('error-page', { text: text, hasButton: !!button, url: location.href });
  if (button) button.click();
})();`;

const errorPage = [];

async function terminate(expected) {
  const before = { readies: state.readies.length, events: state.events.length, callbacks: (await terminations()).length };
  await invoke('terminate_web_process', { label: 'victim' });
  await nextTermination(before.events, expected);
  const list = await waitFor(async () => {
    const l = await terminations();
    return l.length > before.callbacks && l;
  }, 'the C callback');
  return { before, callbacks: list.slice(before.callbacks) };
}

longTest('the victim window opens', async () => {
  await openVictim({ title: 'crash-loop: victim' });
});

longTest('terminations 1 and 2 restart the victim (restarts 1, then 2; gaveUp false)', async () => {
  for (const restarts of [1, 2]) {
    const { before, callbacks } = await terminate({ window: 'victim', reason: 'terminated', restarts, gaveUp: false });
    assertEqual(callbacks, [{ window: 'victim', reason: 'terminated', restarting: true }], `C callback ${restarts}`);
    await nextReady(before.readies);
    assertEqual((await ctl('report')).token, lastReady(), 'the new page answers');
  }
});

let readiesAtGiveUp;

longTest('termination 3 exceeds maxRestarts 2: gaveUp true, restarts 3; the C callback says restarting false', async () => {
  readiesAtGiveUp = state.readies.length;
  const { callbacks } = await terminate({ window: 'victim', reason: 'terminated', restarts: 3, gaveUp: true });
  assertEqual(callbacks, [{ window: 'victim', reason: 'terminated', restarting: false }]);
});

longTest('after giving up, the victim does not reload; its window stays, with its title', async () => {
  await sleep(3000);
  assertEqual(state.readies.length, readiesAtGiveUp, 'victim-ready count after 3 s');
  assertEqual((await getAllWindows()).map((w) => w.label).sort(), ['main', 'victim']);
  assertEqual(await (await Window.getByLabel('victim')).title(), 'crash-loop: victim');
});

longTest('the error page names the window and the reason, and its #keel-retry reloads the app page', async () => {
  await invoke('eval_in', { label: 'victim', script: CLICK_IF_COMPLETE });
  try {
    await nextReady(readiesAtGiveUp, 8000);
  } catch {
    // Say which part is missing.
    await invoke('eval_in', { label: 'victim', script: DIAGNOSE });
    let reloaded = true;
    try {
      await nextReady(readiesAtGiveUp, 8000);
    } catch {
      reloaded = false;
    }
    const seen = errorPage.length ? ` (the error page said: ${JSON.stringify(errorPage[0])})` : '';
    throw new Error(reloaded
      ? `the error page has #keel-retry, and it works, but its text does not name both "victim" and "terminated"${seen}`
      : `clicking #keel-retry on the error page brought no victim-ready within 8 s (no such button, or it does not reload)${seen}`);
  }
  assertEqual((await ctl('report')).token, lastReady(), 'the app page after the retry answers');
});

longTest('after a retry the count starts over: the next termination restarts (restarts 1, gaveUp false)', async () => {
  const { before, callbacks } = await terminate({ window: 'victim', reason: 'terminated', restarts: 1, gaveUp: false });
  assertEqual(callbacks, [{ window: 'victim', reason: 'terminated', restarting: true }]);
  await nextReady(before.readies);
});

longTest('main never reloaded; four termination events, all for the victim', async () => {
  await mainNeverReloaded();
  assertEqual(state.events.map((e) => [e.window, e.restarts, e.gaveUp]),
              [['victim', 1, false], ['victim', 2, false], ['victim', 3, true], ['victim', 1, false]]);
  assert(state.readies.length === 5, `victim loads: ${state.readies.length}, expected 5 (1 + 2 restarts + retry + 1 restart)`);
});

if (label === 'victim') {
  victim();
} else {
  await listen('error-page', (e) => { errorPage.push(e.payload); });
  await setupMain();
  await runLong({ caseTimeoutMs: 30000 });
}
