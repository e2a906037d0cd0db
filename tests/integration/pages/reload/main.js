// A reply meant for a page that has since reloaded is dropped: it must not
// reach the new document, whose promise and callback ids start over.
import { invoke } from '@tauri-apps/api/core';
import { test, run, assertEqual, waitFor } from '../../lib/harness.js';

if (location.hash !== '#reloaded') {
  // First document: ask for a slow answer, then reload before it comes.
  invoke('later', { ms: 800, value: 'for the old page' });
  setTimeout(() => { location.hash = '#reloaded'; location.reload(); }, 100);
} else {
  // Second document: the answer arrives in the core after the reload.
  const seen = [];
  document.addEventListener('keel:response', (e) => seen.push(e.detail), true);

  test('the old page\'s answer is produced after the reload, and dropped', async () => {
    await waitFor(async () => (await invoke('stats')).later_finished === 1, 'the late answer');
    // Give a wrongly delivered reply time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertEqual(seen.filter((d) => d.includes('for the old page')).length, 0);
  });

  test('the new page is served normally', async () => {
    assertEqual(await invoke('echo', { value: 'new' }), 'new');
  });

  run();
}
