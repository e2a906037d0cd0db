// Navigation rules: a window shows the app's pages, devUrl and the URLs a
// capability lists in remote.urls, nothing else, and pages open no windows.
// test-navigation.sh runs a real foreign server on 127.0.0.1 (passed here as
// ?server=) whose /log lists every request it got: a refused navigation must
// never reach it. keel.json's capability lists its /allowed/ pages.
//
// The page leaves itself on purpose at the end (same-origin navigation,
// reload, a listed remote page and back); sessionStorage carries the phase
// across those documents, and each document reports its own cases.
import { invoke } from '@tauri-apps/api/core';
import { getAllWindows, Window } from '@tauri-apps/api/window';
import { WebviewWindow } from '@tauri-apps/api/webviewWindow';
import { test, run, assert, assertEqual, sleep, waitFor, describe } from '../../lib/harness.js';

const params = new URLSearchParams(location.search);
const server = params.get('server'); // http://127.0.0.1:PORT
const phase = sessionStorage.getItem('nav-phase') || 'start';

const serverLog = async () => (await fetch(`${server}/log`)).json();
const refused = () => invoke('refused_navigations');
const labels = async () => (await getAllWindows()).map((w) => w.label);
const navigationType = () => performance.getEntriesByType('navigation')[0].type;

// Set in this document; a navigation that slipped through would lose it.
const marker = Math.random().toString(36).slice(2);
window.__marker = marker;

async function assertNeverRequested(path) {
  const log = await serverLog();
  assert(!log.includes(path), `the foreign server got ${path}: ${describe(log)}`);
}

// Runs action, which must be refused: the handler hears of it exactly once
// with this URI and kind, and the page stays the same document.
async function expectRefused(action, uri, kind, what) {
  const before = (await refused()).length;
  const href = location.href;
  await action();
  const seen = await waitFor(async () => {
    const list = await refused();
    return list.length > before && list.slice(before);
  }, `the navigation-refused handler to hear of ${what}`);
  // Had the navigation gone ahead, this document would be gone by now.
  await sleep(300);
  assertEqual(seen, [{ window: 'main', uri, kind }], what);
  assertEqual((await refused()).length, before + 1, `${what}: refused once`);
  assertEqual(location.href, href, `${what}: the page's URL`);
  assertEqual(window.__marker, marker, `${what}: the same document`);
}

// A script run by the core in this window (test-host eval_in →
// keel_window_eval): WebKit runs it as a user gesture, like a click.
const withGesture = (script) => invoke('eval_in', { label: 'main', script });

function frameMessage(predicate, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message from the frame: ${what}`)), 5000);
    addEventListener('message', function listen(event) {
      if (event.origin !== server || !predicate(event.data)) return;
      removeEventListener('message', listen);
      clearTimeout(timer);
      resolve(event.data);
    });
  });
}

function createWindow(label, options) {
  const webview = new WebviewWindow(label, options);
  return new Promise((resolve) => {
    webview.once('tauri://created', () => resolve('created'));
    webview.once('tauri://error', (e) => resolve(e.payload));
  });
}

if (phase === 'start') {
  test('window.open without a user gesture is dropped by WebKit before Keel hears of it', async () => {
    const before = (await refused()).length;
    const opened = window.open(`${server}/page.html?no-gesture`);
    assertEqual(opened, null, 'window.open() answers null');
    await sleep(500);
    assertEqual((await refused()).length, before, 'the handler was not called');
    assertEqual(await labels(), ['main']);
    await assertNeverRequested('/page.html?no-gesture');
  });

  test('a foreign page loads in a frame: frames are not navigations', async () => {
    const before = (await refused()).length;
    const frame = document.createElement('iframe');
    frame.id = 'foreign-frame';
    const loaded = frameMessage((data) => data.frameLoaded, 'frameLoaded');
    frame.src = `${server}/frame.html`;
    document.body.append(frame);
    assertEqual((await loaded).frameLoaded, '/frame.html');
    assert((await serverLog()).includes('/frame.html'), 'the server served the frame');
    assertEqual((await refused()).length, before, 'nothing was refused');
  });

  test('location.assign() to a foreign page is refused before its request leaves', async () => {
    const uri = `${server}/page.html?assign`;
    await expectRefused(() => location.assign(uri), uri, 'navigation', 'location.assign');
    await assertNeverRequested('/page.html?assign');
  });

  test('a link to a foreign page is refused', async () => {
    const uri = `${server}/page.html?link`;
    const link = document.createElement('a');
    link.href = uri;
    link.textContent = 'foreign';
    document.body.append(link);
    await expectRefused(() => link.click(), uri, 'navigation', 'a link click');
    await assertNeverRequested('/page.html?link');
  });

  test('a form sent to a foreign page is refused', async () => {
    const form = document.createElement('form');
    form.action = `${server}/page.html`;
    form.method = 'get';
    const input = document.createElement('input');
    input.name = 'q';
    input.value = 'form';
    form.append(input);
    document.body.append(form);
    await expectRefused(() => form.submit(), `${server}/page.html?q=form`, 'navigation', 'a form');
    await assertNeverRequested('/page.html?q=form');
  });

  test('a redirect from a listed URL to an unlisted one is refused; the handler gets its target', async () => {
    const target = '/page.html?redirected';
    const start = `/allowed/redirect?to=${encodeURIComponent(target)}`;
    await expectRefused(() => location.assign(server + start), server + target, 'navigation', 'a redirect');
    assert((await serverLog()).includes(start), 'the listed URL was requested');
    await assertNeverRequested(target);
  });

  test('a data: URL, which content blockers never see, is refused by the response check', async () => {
    const before = (await refused()).length;
    location.assign('data:text/html,hello');
    const seen = await waitFor(async () => {
      const list = await refused();
      return list.length > before && list.slice(before);
    }, 'the handler to hear of the data: URL');
    await sleep(300);
    assertEqual(seen.length, 1, describe(seen));
    assert(seen[0].uri.startsWith('data:text/html,'), describe(seen));
    assertEqual(seen[0].kind, 'navigation');
    assertEqual(window.__marker, marker, 'the same document');
  });

  test('window.open() with a user gesture is refused as a new window, and none appears', async () => {
    const uri = `${server}/page.html?open`;
    await expectRefused(() => withGesture(`window.__opened = window.open(${JSON.stringify(uri)})`),
                        uri, 'new-window', 'window.open');
    assertEqual(window.__opened, null, 'window.open() answers null');
    assertEqual(await labels(), ['main']);
    await assertNeverRequested('/page.html?open');
  });

  test('a target="_blank" link clicked with a user gesture is refused as a new window', async () => {
    const uri = `${server}/page.html?blank`;
    const link = document.createElement('a');
    link.id = 'blank-link';
    link.href = uri;
    link.target = '_blank';
    link.textContent = 'blank';
    document.body.append(link);
    await expectRefused(() => withGesture("document.getElementById('blank-link').click()"),
                        uri, 'new-window', 'target=_blank');
    assertEqual(await labels(), ['main']);
    await assertNeverRequested('/page.html?blank');
  });

  test("the app's handler may open the window a page asked for", async () => {
    const uri = new URL('popup.html', location.href).href; // keel://localhost/popup.html
    await expectRefused(() => withGesture("window.open('popup.html')"), uri, 'new-window',
                        'window.open of an app page');
    await waitFor(async () => (await labels()).includes('popup'), 'the window the handler opened');
    assertEqual(await invoke('window_url', { label: 'popup' }).then((u) => u.replace(/\?.*/, '')), uri);
    await (await Window.getByLabel('popup')).close();
    await waitFor(async () => !(await labels()).includes('popup'), 'the popup to close');
  });

  test('a foreign frame cannot take the window elsewhere', async () => {
    const before = (await refused()).length;
    const frame = document.getElementById('foreign-frame');
    const uri = `${server}/page.html?top`;
    const trying = frameMessage((data) => data.navigating, 'navigating');
    frame.contentWindow.postMessage({ navigateTop: uri }, server);
    assertEqual((await trying).navigating, uri);
    await sleep(700);
    assertEqual(window.__marker, marker, 'the same document');
    await assertNeverRequested('/page.html?top');
    // WebKit itself refuses a cross-origin frame's navigation of the top
    // window without a user gesture; had it let it through, Keel would have.
    const seen = (await refused()).slice(before);
    assert(seen.every((r) => r.uri === uri && r.kind === 'navigation'), describe(seen));
  });

  test('a window may open on a listed remote URL, not on an unlisted one', async () => {
    const listed = `${server}/allowed/page.html?window`;
    assertEqual(await createWindow('remote', { url: listed, width: 300, height: 200 }), 'created');
    await waitFor(async () => (await serverLog()).includes('/allowed/page.html?window'),
                  'the remote window to load its page');
    await waitFor(async () => (await invoke('window_url', { label: 'remote' })) === listed,
                  'the remote window to show its page');

    const unlisted = `${server}/page.html?window`;
    const error = await createWindow('foreign', { url: unlisted });
    assert(error !== 'created', 'a window on an unlisted URL was created');
    assertEqual(error.code, 'forbidden', describe(error));
    assert(error.message.includes('remote.urls'), error.message);
    assertEqual(await labels(), ['main', 'remote']);
    await assertNeverRequested('/page.html?window');
  });

  test('the rules hold in a window whose web process was restarted', async () => {
    const listed = `${server}/allowed/page.html?window`;
    const before = (await refused()).length;
    await invoke('terminate_web_process', { label: 'remote' });
    const reloads = () => serverLog().then((log) => log.filter((p) => p === '/allowed/page.html?window').length);
    await waitFor(async () => (await reloads()) >= 2, 'the remote page to load again');
    const uri = `${server}/page.html?after-restart`;
    // Only from the reloaded page itself: the server seeing the request does
    // not mean the page is in the view yet, and a navigation started from
    // the document before it (under ASan, once) cancelled the reload.
    const tryFromPage = `if (location.href === ${JSON.stringify(listed)}) location.assign(${JSON.stringify(uri)})`;
    await waitFor(async () => {
      await invoke('eval_in', { label: 'remote', script: tryFromPage });
      await sleep(200);
      return (await refused()).length > before;
    }, 'the restarted page to try');
    const seen = (await refused()).slice(before);
    assert(seen.length >= 1 && seen.every((r) => r.window === 'remote' && r.uri === uri), describe(seen));
    assertEqual(await invoke('window_url', { label: 'remote' }), listed);
    await assertNeverRequested('/page.html?after-restart');
    await (await Window.getByLabel('remote')).close();
    await waitFor(async () => !(await labels()).includes('remote'), 'the remote window to close');
  });

  test('fragment changes and history.pushState() stay in the page', async () => {
    const before = (await refused()).length;
    location.hash = '#section';
    history.pushState({}, '', `${location.pathname}${location.search}&pushed=1`);
    await sleep(200);
    assertEqual((await refused()).length, before);
    assertEqual(window.__marker, marker);
    assert(location.search.includes('pushed=1'), location.href);
    history.back();
    await sleep(200);
    assertEqual(window.__marker, marker, 'history.back() within the page');
  });

  run({ done: false }).then(async () => {
    sessionStorage.setItem('nav-phase', 'same-origin');
    sessionStorage.setItem('nav-refused', String((await refused()).length));
    location.assign(`index.html?server=${encodeURIComponent(server)}&step=same-origin`);
  });
} else if (phase === 'same-origin') {
  test('a page of the app is reached by a same-origin navigation', async () => {
    assertEqual(params.get('step'), 'same-origin');
    assertEqual(navigationType(), 'navigate');
    assertEqual(location.origin, 'keel://localhost');
    assertEqual((await refused()).length, Number(sessionStorage.getItem('nav-refused')), 'nothing refused');
  });
  run({ done: false }).then(() => {
    sessionStorage.setItem('nav-phase', 'reload');
    location.reload();
  });
} else if (phase === 'reload') {
  test('reload works', async () => {
    assertEqual(navigationType(), 'reload');
    assertEqual(params.get('step'), 'same-origin');
    assertEqual((await refused()).length, Number(sessionStorage.getItem('nav-refused')), 'nothing refused');
  });
  run({ done: false }).then(async () => {
    sessionStorage.setItem('nav-phase', 'remote');
    await invoke('watch_urls', { label: 'main' });
    // The listed remote page goes back in history once it has loaded.
    location.assign(`${server}/allowed/page.html?back=1`);
  });
  // Back from the remote page, WebKit may restore this very document from
  // its page cache: load it afresh so that the next phase runs.
  addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });
} else if (phase === 'remote') {
  test('a listed remote page is shown, and history.back() from it returns to the app', async () => {
    const remote = `${server}/allowed/page.html?back=1`;
    assert((await serverLog()).includes('/allowed/page.html?back=1'), 'the remote page was requested');
    const urls = await invoke('watched_urls');
    const at = urls.indexOf(remote);
    assert(at >= 0, `the window never showed ${remote}: ${describe(urls)}`);
    assert(urls.slice(at + 1).some((u) => u.startsWith('keel://localhost/index.html')),
           `the window did not come back: ${describe(urls)}`);
    assertEqual(location.origin, 'keel://localhost');
    assertEqual((await refused()).length, Number(sessionStorage.getItem('nav-refused')), 'nothing refused');
  });
  run();
}
