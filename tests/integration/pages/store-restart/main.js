// Stores outlive the app. test-store-restart.sh runs this page three times
// on the same data directory; phase.txt there says which run this is:
//   1. values saved by autosave, and values not saved yet when the app
//      exits normally (a debounce still running, autoSave off, a new
//      subdirectory): the app's end must write them;
//   2. the same again, but the app is ended by SIGTERM;
//   3. a fresh app finds every value.
import { invoke } from '@tauri-apps/api/core';
import { load } from '@tauri-apps/plugin-store';
import { test, run, assertEqual, waitFor } from '../../lib/harness.js';

const readFile = (path) => invoke('data_file', { path });
const writeFile = (path, text) => invoke('data_file', { path, text });

async function unsaved(prefix) {
  const pending = await load(`${prefix}-pending.json`, { autoSave: 600000 });
  await pending.set('value', `${prefix}: in its debounce`);
  const manual = await load(`${prefix}-manual.json`, { autoSave: false });
  await manual.set('value', `${prefix}: never saved`);
  const nested = await load(`${prefix}/sub/nested.json`, { autoSave: false });
  await nested.set('value', `${prefix}: in a new directory`);
  assertEqual(await readFile(`${prefix}-pending.json`), null, 'not written yet');
  assertEqual(await readFile(`${prefix}-manual.json`), null, 'not written yet');
}

const phase = (await readFile('phase.txt')) || '1';

if (phase === '1') {
  test('an autosaved value is on disk while the app runs', async () => {
    const store = await load('persist.json');
    await store.set('count', 1);
    await store.set('nested', { list: [1, 'two', null], ok: true });
    await waitFor(async () => (await readFile('persist.json')) !== null, 'the autosave', 3000);
  });
  test('values not written yet when the app exits', () => unsaved('exit'));
  test('phase 1 done', () => writeFile('phase.txt', '2'));
  run();
} else if (phase === '2') {
  test('values not written yet when SIGTERM ends the app', () => unsaved('term'));
  // Only once the case has reported: the script sends SIGTERM when it sees
  // phase 3 (written inside the case, the signal once beat the report).
  run({ done: false }).then(() => writeFile('phase.txt', '3'));
} else {
  test('the autosaved store reads back', async () => {
    const store = await load('persist.json');
    assertEqual(await store.entries(), [['count', 1], ['nested', { list: [1, 'two', null], ok: true }]]);
  });
  for (const prefix of ['exit', 'term']) {
    test(`the app's end (${prefix}) wrote what autosave had not`, async () => {
      assertEqual(await (await load(`${prefix}-pending.json`)).get('value'), `${prefix}: in its debounce`);
      assertEqual(await (await load(`${prefix}-manual.json`)).get('value'), `${prefix}: never saved`);
      assertEqual(await (await load(`${prefix}/sub/nested.json`)).get('value'), `${prefix}: in a new directory`);
    });
  }
  run();
}
