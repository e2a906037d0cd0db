// How the core's answers reach the page (reply_to_page in window.c). The
// host runs without request and response hooks here, so JSON text from C
// reaches the reply as C wrote it, unchecked.
import { invoke } from '@tauri-apps/api/core';
import { test, run, assert, assertEqual, rejects } from '../../lib/harness.js';

// Answers travel from the core as the error message of WebKit's reply;
// text that is no C string of UTF-8 as a pair the relay joins (window.c).
// Sizes from small to over 4 MiB, fulfilled and rejected, with text that is
// not plain ASCII ("é☃" is 5 bytes of UTF-8, "ü" 2).
test('answers of any size arrive whole, fulfilled and rejected', async () => {
  for (const bytes of [300, 300000, 4 * 1024 * 1024 + 40]) {
    const pairs = Math.floor(bytes / 5);
    const value = { text: 'é☃'.repeat(pairs) + 'x'.repeat(bytes - 5 * pairs), n: 1 };
    assertEqual(await invoke('echo', { value }), value);
    const message = 'ü'.repeat(bytes >> 1);
    const error = await rejects(invoke('fail', { message }));
    assertEqual(error.code, 'test_error');
    assert(error.message === message, 'the rejection of ' + bytes + ' bytes differs');
  }
});

test('an answer that is not UTF-8 text rejects clearly, and the core keeps serving', async () => {
  for (const kind of ['not-utf8', 'nul']) {
    const error = await rejects(invoke('answer_bad_text', { kind }));
    assertEqual(error.code, 'invalid_reply');
    assert(error.message.includes('"answer_bad_text"'), error.message);
  }
  assertEqual(await invoke('echo', { value: 'still here' }), 'still here');
});

run();
