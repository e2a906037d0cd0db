// The asset server, seen from a page on keel://localhost: Content-Type and
// nosniff, the CSP header, 404s, directory indexes, percent-encoded names,
// traversal attempts, and the resources a page loads actually working.
import { test, run, assert, assertEqual, waitFor } from '../../lib/harness.js';

// keel.json's policy, amended by Keel with what its IPC needs: binary calls
// fetch() ipc://localhost, so connect-src (made from default-src) allows it.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; " +
  "connect-src 'self' ipc://localhost";

async function get(path) {
  const response = await fetch(path);
  return { response, status: response.status, headers: response.headers, text: await response.text() };
}

const types = [
  ['index.html', 'text/html', true],
  ['main.js', 'text/javascript', true],
  ['classic.js', 'text/javascript', true],
  ['style.css', 'text/css', true],
  ['data.json', 'application/json', true],
  ['pic.svg', 'image/svg+xml', true],
  ['tiny.wasm', 'application/wasm', false],
];

test('each type has its Content-Type, and every response says nosniff', async () => {
  for (const [path, mime, text] of types) {
    const { status, headers } = await get(path);
    assertEqual(status, 200, path);
    const type = headers.get('content-type') || '';
    assertEqual(type.split(';')[0].trim(), mime, `${path}: Content-Type "${type}"`);
    if (text) assert(/;\s*charset=utf-8$/i.test(type), `${path}: Content-Type "${type}" lacks charset=utf-8`);
    assertEqual(headers.get('x-content-type-options'), 'nosniff', path);
  }
  const json = await (await fetch('data.json')).json();
  assertEqual(json, { hello: 'wörld', n: 1 });
  const wasm = new Uint8Array(await (await fetch('tiny.wasm')).arrayBuffer());
  assertEqual(Array.from(wasm), [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0], 'tiny.wasm bytes');
  assert(WebAssembly.validate(wasm), 'tiny.wasm is a valid module');
});

test('HTML responses carry the configured CSP; other types do not', async () => {
  for (const path of ['/', 'index.html', 'sub/', 'sub/index.html']) {
    const { status, headers } = await get(path);
    assertEqual(status, 200, path);
    assertEqual(headers.get('content-security-policy'), CSP, path);
  }
  for (const [path] of types.filter(([p]) => !p.endsWith('.html'))) {
    assertEqual((await get(path)).headers.get('content-security-policy'), null, path);
  }
  assertEqual(window.inlineScriptRan, undefined, 'an inline script ran despite the CSP');
});

test('a missing file is a 404 with a message naming it', async () => {
  for (const path of ['no-such-file.js', 'no-such-dir/x.css', 'sub/missing.html']) {
    const { status, text, headers } = await get(path);
    assertEqual(status, 404, path);
    assert(text.includes(path.split('/').pop()), `${path}: ${text}`);
    assertEqual(headers.get('x-content-type-options'), 'nosniff', path);
    assertEqual(headers.get('content-security-policy'), null, `${path}: an error page has no CSP`);
  }
});

test("'/sub/' serves sub/index.html", async () => {
  const { status, text, headers } = await get('/sub/');
  assertEqual(status, 200);
  assert(text.includes('SUB-INDEX-MARKER'), text);
  assertEqual((headers.get('content-type') || '').split(';')[0], 'text/html');
  const root = await get('/');
  assert(root.text.includes('Keel assets test'), "'/' is not index.html");
});

test('percent-encoded names (a space, non-ASCII) are served', async () => {
  assertEqual((await get('with%20space.txt')).text, 'file with a space\n');
  assertEqual((await get('with space.txt')).text, 'file with a space\n');
  const unicode = 'ünïcödé-☃.txt';
  assertEqual((await get(encodeURIComponent(unicode))).text, 'file with a unicode name\n');
  assertEqual((await get(unicode)).text, 'file with a unicode name\n');
  // Decoding happens once: %2520 names a file "with%20space.txt", which is not there.
  assertEqual((await get('with%2520space.txt')).status, 404);
});

test('traversal attempts are refused and never reach outside', async () => {
  const attempts = [
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2fetc/passwd',
    '/%2e%2e%5c',
    '/%2e%2e%5c%2e%2e%5cetc%5cpasswd',
    '/a/%00',
    '/index.html%00.js',
    '/.%2e/.%2e/.%2e/etc/passwd',
    '/%252e%252e/%252e%252e/etc/passwd',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
    '/sub/..%2f..%2f..%2fetc/passwd',
    'keel://localhost//etc/passwd', // ('//etc/passwd' alone would name the host "etc")
    '/../../../../etc/passwd',
  ];
  const outcomes = [];
  const wrong = [];
  for (const path of attempts) {
    let outcome;
    try {
      const { status, text } = await get(path);
      outcome = `${status}`;
      if (text.includes('root:')) outcome += ' LEAKS /etc/passwd';
      else if ([400, 403, 404].includes(status)) outcome += ` ${text.slice(0, 60)}`;
      else wrong.push(path);
    } catch (error) {
      outcome = `fetch failed: ${error}`;
      wrong.push(path);
    }
    outcomes.push(`${path} → ${outcome}`);
  }
  assertEqual(wrong, [], `not 400, 403 or 404: ${outcomes.join('; ')}`);
});

test('a stylesheet applies', async () => {
  const element = document.getElementById('styled');
  await waitFor(() => getComputedStyle(element).color === 'rgb(1, 2, 3)', 'style.css to apply', 5000);
  assertEqual(getComputedStyle(element).width, '123px');
});

test('a classic <script src> runs', () => {
  assertEqual(window.classicScriptRan, true);
});

test('module scripts run', () => {
  assertEqual(import.meta.url, 'keel://localhost/main.js');
  assertEqual(window.extraModuleRan, 'keel://localhost/extra-module.js');
});

test('an SVG <img> loads', async () => {
  const img = document.getElementById('pic');
  await waitFor(() => img.complete, 'pic.svg to load', 5000);
  assertEqual([img.naturalWidth, img.naturalHeight], [16, 8]);
});

run();
