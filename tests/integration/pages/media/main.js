// keel.webview.mediaCapture: true lets the app's pages ask for camera and
// microphone (Xvfb has neither, so the request is granted and then finds no
// device); every other permission a page asks for stays denied.
import { test, run, assert } from '../../lib/harness.js';

async function failureName(promise) {
  try {
    const stream = await promise;
    stream.getTracks().forEach((track) => track.stop());
    return 'granted';
  } catch (error) {
    return error.name;
  }
}

test('with mediaCapture, getUserMedia exists and is not refused by permission', async () => {
  assert(navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === 'function',
    'navigator.mediaDevices.getUserMedia');
  const name = await failureName(navigator.mediaDevices.getUserMedia({ audio: true }));
  assert(name !== 'NotAllowedError', `getUserMedia was refused by permission (${name})`);
});

test('geolocation is still denied', async () => {
  const code = await new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(() => resolve('granted'), (e) => resolve(e.code),
      { timeout: 10000 });
  });
  assert(code === 1, `expected PERMISSION_DENIED (1), got ${code}`);
});

run();
