#!/usr/bin/env python3
"""A foreign web server for the navigation tests, on 127.0.0.1 only.

It stands for "some site on the internet": a page a Keel window must not be
taken to, a page in a frame, a redirect. It records every request it gets,
so a test can prove that a refused navigation never reached it.

usage: foreign-server.py [PORT-FILE]
  Listens on an ephemeral port of 127.0.0.1, prints "port N" on stdout and,
  given PORT-FILE, writes N there too (written whole, then renamed, so a
  reader never sees half a number). Runs until killed.

Paths (anything may be prefixed, e.g. /allowed/page.html, so the same
server holds pages that a capability lists and pages it does not):
  .../page.html          a page for top-level navigation (?back=1: it goes
                         back in history once loaded)
  .../frame.html         a page for an iframe; tells its parent it loaded, and
                         on {navigateTop: URL} tries to navigate the top window
  .../redirect?to=URL    302 to URL (absolute, or a path on this server)
  .../probe-frame.html   a page for an iframe that tries every way it has to
                         reach the core, and reports what it found to its
                         parent with postMessage
  .../ipc.html           a top-level page that uses the bridge (invoke, emit)
                         and reports through an event; for the remote.urls
                         capability tests
  /log                   the paths requested so far, as JSON, readable from
                         any origin (Access-Control-Allow-Origin: *); asking
                         for /log is not itself logged
  /reset                 forgets the log
Everything else is 404. Each request is also printed on stdout."""
import http.server
import json
import os
import sys
import threading
import urllib.parse

requests = []
lock = threading.Lock()

# With ?back=1 the page goes back in history once it has loaded: a test
# whose window navigates here gets its own page back, which proves this one
# was shown (only a page that loaded runs this script).
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>foreign page</title></head>
<body><h1 id="foreign">A foreign page</h1><p>{path}</p>
<script>
if (new URLSearchParams(location.search).has('back')) setTimeout(() => history.back(), 200);
</script></body></html>
"""

FRAME = """<!doctype html><html><head><meta charset="utf-8"><title>foreign frame</title></head>
<body><p id="frame">A foreign frame</p>
<script>
// Asked to, it tries to take the whole window elsewhere, and says so first.
addEventListener('message', (e) => {{
  if (!e.data || !e.data.navigateTop) return;
  parent.postMessage({{ navigating: e.data.navigateTop }}, '*');
  try {{ top.location = e.data.navigateTop; }}
  catch (error) {{ parent.postMessage({{ navigateError: String(error) }}, '*'); }}
}});
parent.postMessage({{ frameLoaded: {path} }}, '*');
</script></body></html>
"""


# A cross-origin frame trying to reach the core: it must find no bridge, no
# handler, and no way into its parent's document; what it sends its parent
# must never reach the core.
PROBE_FRAME = """<!doctype html><html><head><meta charset="utf-8"><title>probe frame</title></head>
<body><p>probe</p>
<script>
const found = {};
const attempt = (name, fn) => {
  try { found[name] = { ok: true, value: String(fn()) }; }
  catch (error) { found[name] = { ok: false, error: error.name }; }
};
found.internals = typeof window.__TAURI_INTERNALS__;
found.keel = typeof window.keel;
found.handler = !!(window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.keel);
found.anyHandler = !!(window.webkit && window.webkit.messageHandlers);
attempt('parentDocument', () => parent.document.title);
attempt('parentInternals', () => typeof parent.__TAURI_INTERNALS__.invoke);
attempt('topInternals', () => typeof top.__TAURI_INTERNALS__.invoke);
attempt('dispatchOnParent', () => parent.document.dispatchEvent(new CustomEvent('keel:request',
  { detail: '{"id":1,"url":"keel://localhost/","cmd":"frame_marker","args":{}}' })));
// Tauri's own IPC shapes, posted to the parent: Keel's bridge listens to none.
parent.postMessage({ cmd: 'frame_marker', callback: 1, error: 2, payload: {} }, '*');
parent.postMessage('1\\n{"cmd":"frame_marker","args":{}}', '*');
// ipc:// binary calls: in CORS mode WebKit sends this frame's Origin, which
// the core refuses; in no-cors mode there is no Origin at all.
const ipcCall = async (mode) => {
  try {
    const response = await fetch('ipc://localhost/frame_marker',
      { method: 'POST', mode, body: new Uint8Array([1, 2, 3]) });
    if (response.type === 'opaque') return { type: 'opaque' };
    const body = await response.json();
    return { status: response.status, code: body.code, message: body.message };
  } catch (error) {
    return { error: error.name };
  }
};
(async () => {
  found.ipcCors = await ipcCall('cors');
  found.ipcNoCors = await ipcCall('no-cors');
  parent.postMessage({ probe: found }, '*');
})();
</script></body></html>
"""

# A remote page with the bridge: what its window's capabilities let it do.
IPC_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>remote ipc</title></head>
<body><p>remote</p>
<script>
(async () => {
  const internals = window.__TAURI_INTERNALS__;
  const outcome = async (cmd, args) => {
    try { return { ok: true, value: await internals.invoke(cmd, args) }; }
    catch (error) { return { ok: false, code: error && error.code, message: error && error.message }; }
  };
  const report = {
    bridge: typeof internals,
    echo: await outcome('echo', { value: 'from remote' }),
    fail: await outcome('fail', { message: 'x' }),
    exit: await outcome('plugin:app|exit', { code: 9 }),
  };
  // A binary call (fetch to ipc://) from the remote page's own origin.
  const bytes = await outcome('echo', new Uint8Array([4, 5]));
  report.binaryEcho = bytes.ok ? { ok: true, value: bytes.value } : bytes;
  const binaryFail = await outcome('fail', new Uint8Array([4, 5]));
  report.binaryFail = binaryFail;
  report.emit = await outcome('plugin:event|emit', { event: 'remote-report', payload: report });
})();
</script></body></html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "KeelForeign/1"

    def log_message(self, fmt, *args):
        pass  # the request line is printed below, once

    def send(self, status, body, content_type="text/html; charset=utf-8", headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/log":
            with lock:
                body = json.dumps(requests)
            self.send(200, body, "application/json", [("Access-Control-Allow-Origin", "*")])
            return
        if url.path == "/reset":
            with lock:
                requests.clear()
            self.send(200, "[]", "application/json", [("Access-Control-Allow-Origin", "*")])
            return
        with lock:
            requests.append(self.path)
        print(f"GET {self.path}", flush=True)
        if url.path.endswith("/page.html"):
            self.send(200, PAGE.format(path=url.path))
        elif url.path.endswith("/probe-frame.html"):
            self.send(200, PROBE_FRAME)
        elif url.path.endswith("/ipc.html"):
            self.send(200, IPC_PAGE)
        elif url.path.endswith("/frame.html"):
            self.send(200, FRAME.format(path=json.dumps(url.path)))
        elif url.path.endswith("/redirect"):
            target = urllib.parse.parse_qs(url.query).get("to", ["/page.html"])[0]
            self.send(302, "", headers=[("Location", target)])
        else:
            self.send(404, "not found\n", "text/plain; charset=utf-8")

    do_HEAD = do_GET


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    if len(sys.argv) > 1:
        temporary = sys.argv[1] + ".part"
        with open(temporary, "w") as f:
            f.write(f"{port}\n")
        os.rename(temporary, sys.argv[1])
    print(f"port {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
