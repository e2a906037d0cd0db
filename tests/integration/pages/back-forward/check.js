// history.back() to a page of the app, with WebKit's back/forward cache off
// (Keel's default) or on (keel.webview.backForwardCache). Off, the page
// loads afresh and its IPC works as on any load. On, WebKit restores the very
// document, but the core ended its listeners when it was left: the page
// listens again on `pageshow` with `event.persisted`, as
// docs/configuration.md says, and then hears events.
import { invoke, transformCallback } from '@tauri-apps/api/core';
import { emit } from '@tauri-apps/api/event';
import { test, run, assert, assertEqual, waitFor } from '../../lib/harness.js';

// A listener as @tauri-apps/api registers it, counting what it hears.
async function listenCounting(event) {
  const heard = [];
  await invoke('plugin:event|listen', {
    event,
    target: { kind: 'Any' },
    handler: transformCallback((e) => heard.push(e.payload)),
  });
  return heard;
}

async function hearsItsOwnEvents(event) {
  const heard = await listenCounting(event);
  await emit(event, 'ping');
  await waitFor(() => heard.length > 0, `the event ${event}`);
  assertEqual(heard[0], 'ping');
}

function navigationType() {
  const entry = performance.getEntriesByType('navigation')[0];
  return entry ? entry.type : 'unknown';
}

export function check(cacheOn) {
  if (sessionStorage.getItem('bf-phase') === null) {
    // First load: listen, then leave once settled; away.html comes back.
    addEventListener('pageshow', (event) => {
      if (!event.persisted) return;
      test('history.back() restores the page from the back/forward cache', async () => {
        assert(cacheOn, 'the page was restored although the cache is off');
        assertEqual(sessionStorage.getItem('bf-phase'), 'away');
      });
      test('a restored page that listens again hears events', () => hearsItsOwnEvents('again'));
      run();
    });
    listenCounting('before').then(() => {
      sessionStorage.setItem('bf-phase', 'away');
      setTimeout(() => location.assign('away.html'), 100);
    });
    return;
  }
  // Loaded afresh after coming back.
  test('history.back() loads the page afresh', async () => {
    assert(!cacheOn, 'the page was loaded again although the cache is on');
    assertEqual(navigationType(), 'back_forward');
  });
  test('the page loaded afresh hears events', () => hearsItsOwnEvents('fresh'));
  run();
}
