// Keel bridge, main world. Injected at document start into the top frame,
// before any page script. Implements the contract of @tauri-apps/api v2:
// window.__TAURI_INTERNALS__ and window.__TAURI_EVENT_PLUGIN_INTERNALS__,
// plus the short native window.keel. The shell prepends `const meta = {...}`
// (window and webview labels, options) to this file.
(function () {
  'use strict';
  if (window.__TAURI_INTERNALS__) return;

  const doc = document;
  const dispatch = doc.dispatchEvent.bind(doc);
  const Custom = CustomEvent;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  // Taken now, before any page script could replace them.
  const fetchFn = window.fetch.bind(window);
  const HeadersClass = Headers;
  const isView = ArrayBuffer.isView;
  const documentUrl = Object.getOwnPropertyDescriptor(Document.prototype, 'URL').get.bind(doc);

  // Callbacks: transformCallback gives a function a number that can travel
  // to the core and back (event handlers, channels). The numbers are random,
  // as in Tauri: a delivery meant for a document the window has just left
  // (an event already on its way during a reload) then finds no callback in
  // the new one instead of one that happens to share its number.
  const callbacks = new Map();
  const randomWords = crypto.getRandomValues.bind(crypto);
  const word = new Uint32Array(1);

  function newCallbackId() {
    for (;;) {
      randomWords(word);
      const id = word[0];
      if (id !== 0 && !callbacks.has(id)) return id;
    }
  }

  function transformCallback(callback, once) {
    const id = newCallbackId();
    const fn = typeof callback === 'function' ? callback : function () {};
    callbacks.set(id, once ? function (data) { callbacks.delete(id); return fn(data); } : fn);
    return id;
  }
  function unregisterCallback(id) { callbacks.delete(id); }
  const later = queueMicrotask.bind(window);
  function runCallback(id, data) {
    const fn = callbacks.get(id);
    // A callback unregistered meanwhile (unlisten, a closed channel) drops
    // its late messages, as in Tauri.
    if (!fn) return;
    // The core sends many deliveries in one batch (src/core/outbox.h): a
    // handler that throws must not stop the ones after it. Its error is
    // rethrown on its own, so it is still reported as uncaught.
    try {
      fn(data);
    } catch (error) {
      later(function () { throw error; });
    }
  }

  // Bytes travel as base64 for now. This and the core's encode_bytes()
  // (src/core/channel.c) are the only two places that know it, so a faster
  // transport can replace them alone.
  const fromBase64 = Uint8Array.fromBase64;
  const decodeBase64 = atob;
  function decodeBytes(text) {
    if (typeof fromBase64 === 'function') return fromBase64.call(Uint8Array, text).buffer;
    const binary = decodeBase64(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  // What the core sends the page: events and channel messages, in batches
  // of records (their forms are in src/core/outbox.h), in the order it sent
  // them. Channel messages carry their index; the Channel class of
  // @tauri-apps/api/core puts them in order and unregisters its callback
  // after the end.
  function deliverRecord(record) {
    const kind = record.charCodeAt(0);
    const comma = record.indexOf(',');
    if (kind === 118 /* v: an event */) {
      const second = record.indexOf(',', comma + 1);
      const event = record.slice(comma + 1, second);
      const payload = parse(record.slice(second + 1));
      const listeners = record.slice(1, comma).split(';');
      for (let i = 0; i < listeners.length; i++) {
        const colon = listeners[i].indexOf(':');
        runCallback(Number(listeners[i].slice(0, colon)),
                    { event: event, id: Number(listeners[i].slice(colon + 1)), payload: payload });
      }
      return;
    }
    const id = Number(record.slice(1, comma));
    const second = record.indexOf(',', comma + 1);
    const index = Number(second < 0 ? record.slice(comma + 1) : record.slice(comma + 1, second));
    if (kind === 109 /* m: a message */) {
      let message = null;
      try {
        message = parse(record.slice(second + 1));
      } catch (error) {
        // keel_channel_send_raw() trusts the app's text; say what went wrong
        // and keep the stream going.
        console.error('Keel: message ' + index + ' of channel ' + id + ' is not valid JSON ' +
          '(keel_channel_send_raw), delivered as null: ' + error.message);
      }
      runCallback(id, { index: index, message: message });
    } else if (kind === 120 /* x: text the core could not send */) {
      console.error('Keel: message ' + index + ' of channel ' + id + ' was not UTF-8 JSON text ' +
        '(keel_channel_send_raw), delivered as null');
      runCallback(id, { index: index, message: null });
    } else if (kind === 98 /* b: bytes */) {
      runCallback(id, { index: index, message: decodeBytes(record.slice(second + 1)) });
    } else if (kind === 122 /* z: the end */) {
      runCallback(id, { index: index, end: true });
    }
  }
  // Records are found with indexOf, not split(): split() took 11 ms to
  // return a batch of one 16 MiB record (a fifth of an event echo's time in
  // the page), the indexOf walk well under 1 ms.
  function deliver(batch) {
    let start = 0;
    for (;;) {
      const end = batch.indexOf('\x1e', start);
      try {
        deliverRecord(end < 0 ? batch.slice(start) : batch.slice(start, end));
      } catch (error) {
        later(function () { throw error; });
      }
      if (end < 0) return;
      start = end + 1;
    }
  }

  // Pending invokes, answered by the relay with "<o|e><id>\n<json>", or
  // "b<id>\n<ticket>" for bytes, which wait at ipc:// (a script message
  // reply cannot carry them).
  const pending = new Map();
  let nextRequestId = 1;
  const IPC_URL = 'ipc://localhost/';

  // A response from ipc://: bytes, or the JSON text of a value or an error.
  function settleFromResponse(cmd, response, resolve, reject) {
    const type = response.headers.get('Content-Type') || '';
    if (response.ok && type === 'application/octet-stream')
      return response.arrayBuffer().then(resolve);
    return response.text().then(function (text) {
      let value;
      try {
        value = parse(text);
      } catch (error) {
        reject({ code: 'invalid_reply', message: 'the core answered "' + cmd +
          '" with invalid JSON: ' + error.message });
        return;
      }
      if (response.ok) resolve(value);
      else reject(value);
    });
  }

  function ipcFailed(cmd, reject) {
    return function (error) {
      reject({ code: 'ipc_failed', message: 'the core did not answer "' + cmd + '": ' +
        String((error && error.message) || error) });
    };
  }

  function collectBytes(request, ticket) {
    fetchFn(IPC_URL + '?bytes=' + ticket, { method: 'POST' }).then(function (response) {
      return settleFromResponse(request.cmd, response, request.resolve, request.reject);
    }).catch(ipcFailed(request.cmd, request.reject));
  }

  doc.addEventListener('keel:response', function (event) {
    const detail = event.detail;
    if (typeof detail !== 'string') return;
    const newline = detail.indexOf('\n');
    const id = Number(detail.slice(1, newline));
    const request = pending.get(id);
    if (!request) return;
    pending.delete(id);
    const kind = detail.charCodeAt(0);
    if (kind === 98 /* 'b' */) {
      collectBytes(request, detail.slice(newline + 1));
      return;
    }
    let value;
    try {
      value = parse(detail.slice(newline + 1));
    } catch (error) {
      request.reject({ code: 'invalid_reply', message: 'the core answered "' + request.cmd +
        '" with invalid JSON: ' + error.message });
      return;
    }
    if (kind === 111 /* 'o' */) request.resolve(value);
    else request.reject(value);
  }, true);

  // Event ids of this page's listeners, to the callback that runs them.
  const listenerCallbacks = new Map();

  // options.headers as Tauri accepts them (a Headers, an array of pairs or
  // a record), as a plain record with lower-case names.
  function headerRecord(headers) {
    const record = {};
    new HeadersClass(headers).forEach(function (value, name) { record[name] = value; });
    return record;
  }

  // A binary call (Tauri's raw request): the bytes are the body of a POST
  // to ipc://localhost/<command>; the response is the answer.
  function invokeBinary(cmd, body, headers, resolve, reject) {
    const sent = headers ? new HeadersClass(headers) : new HeadersClass();
    sent.set('Content-Type', 'application/octet-stream');
    fetchFn(IPC_URL + encodeURIComponent(cmd), { method: 'POST', body: body, headers: sent })
      .then(function (response) { return settleFromResponse(cmd, response, resolve, reject); })
      .catch(ipcFailed(cmd, reject));
  }

  function invoke(cmd, args, options) {
    if (args === undefined) args = {};
    return new Promise(function (resolve, reject) {
      if (typeof cmd !== 'string' || cmd === '') {
        reject({ code: 'invalid_message', message: 'invoke needs a command name (a non-empty string)' });
        return;
      }
      const headers = options && options.headers;
      if (args instanceof ArrayBuffer || isView(args)) {
        invokeBinary(cmd, args, headers, resolve, reject);
        return;
      }
      // One JSON text holds the whole request, the id and this document's
      // URL first, as the relay checks them: it posts this very string, and
      // a string joined to another would be copied whole on its way
      // (docs/webkit-notes.md).
      const id = nextRequestId;
      let text;
      try {
        const url = documentUrl();
        text = stringify(headers
          ? { id: id, url: url, cmd: cmd, args: args, options: { headers: headerRecord(headers) } }
          : { id: id, url: url, cmd: cmd, args: args });
      } catch (error) {
        reject({ code: 'invalid_args', message: 'invoke("' + cmd +
          '"): the arguments cannot be sent as JSON: ' + error.message });
        return;
      }
      nextRequestId++;
      if (cmd === 'plugin:event|listen') {
        const handler = args.handler;
        pending.set(id, { cmd: cmd, reject: reject, resolve: function (eventId) {
          listenerCallbacks.set(eventId, handler);
          resolve(eventId);
        } });
      } else {
        pending.set(id, { cmd: cmd, resolve: resolve, reject: reject });
      }
      sendRequest(text);
    });
  }

  // One request event serves every request, its detail set anew each time:
  // a new CustomEvent would cost a DOM object and a wrapper in each world
  // (the relay's lives in a per-world table), about 0.6 µs of a small
  // call's 2 µs in the page. A request made while the event is still being
  // dispatched (by a page listener of keel:request) gets an event of its own.
  const requestEvent = new Custom('keel:request');
  function sendRequest(detail) {
    let event = requestEvent;
    if (event.eventPhase === 0) event.initCustomEvent('keel:request', false, false, detail);
    else event = new Custom('keel:request', { detail: detail });
    dispatch(event);
  }

  function convertFileSrc(filePath, protocol) {
    return (protocol || 'asset') + '://localhost/' + encodeURIComponent(filePath);
  }

  const internals = {
    invoke: invoke,
    transformCallback: transformCallback,
    unregisterCallback: unregisterCallback,
    runCallback: runCallback,
    callbacks: callbacks,
    convertFileSrc: convertFileSrc,
    metadata: {
      currentWindow: { label: meta.windowLabel },
      currentWebview: { windowLabel: meta.windowLabel, label: meta.webviewLabel },
    },
    plugins: { path: { sep: '/', delimiter: ':' } },
  };
  const eventInternals = {
    unregisterListener: function (event, eventId) {
      const handler = listenerCallbacks.get(eventId);
      if (handler !== undefined) {
        listenerCallbacks.delete(eventId);
        unregisterCallback(handler);
      }
    },
  };

  // Non-writable, so a careless script cannot replace the bridge by assignment.
  Object.defineProperty(window, '__TAURI_INTERNALS__', { value: Object.freeze(internals) });
  Object.defineProperty(window, '__TAURI_EVENT_PLUGIN_INTERNALS__',
                        { value: Object.freeze(eventInternals) });
  // Keel's own entry point for what the core sends. A page may call it too,
  // but it only runs this page's own callbacks.
  Object.defineProperty(window, '__KEEL_INTERNALS__', {
    value: Object.freeze({ deliver: deliver }),
  });

  // window.keel: the short native API.
  function listen(event, handler) {
    return invoke('plugin:event|listen', {
      event: event, target: { kind: 'Any' }, handler: transformCallback(handler),
    }).then(function (eventId) {
      return function () {
        eventInternals.unregisterListener(event, eventId);
        return invoke('plugin:event|unlisten', { event: event, eventId: eventId });
      };
    });
  }
  function emit(event, payload) {
    return invoke('plugin:event|emit', { event: event, payload: payload }).then(function () {});
  }
  Object.defineProperty(window, 'keel', {
    value: Object.freeze({ invoke: invoke, listen: listen, emit: emit,
                           windowLabel: meta.windowLabel }),
  });

  if (meta.forwardConsole) {
    // `keel run` prints each page's console on stderr, prefixed by window.
    // JavaScriptCore's Error.stack holds only the frames (unlike V8's, it
    // does not start with "Error: message"), so errors print both.
    const describe = function (value) {
      if (typeof value === 'string') return value;
      if (value instanceof Error) return String(value) + (value.stack ? '\n' + value.stack : '');
      try {
        const text = stringify(value);
        return text === undefined ? String(value) : text;
      } catch (e) {
        return String(value);
      }
    };
    const send = function (level, args) {
      let text = '';
      for (let i = 0; i < args.length; i++) text += (i ? ' ' : '') + describe(args[i]);
      dispatch(new Custom('keel:console', { detail: level + '\n' + text }));
    };
    ['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
      const original = console[level];
      console[level] = function () { send(level, arguments); return original.apply(console, arguments); };
    });
    window.addEventListener('error', function (e) {
      send('error', ['Uncaught ' + (e.error !== undefined ? describe(e.error) : e.message) +
        ' (' + e.filename + ':' + e.lineno + ')']);
    });
    window.addEventListener('unhandledrejection', function (e) {
      send('error', ['Unhandled promise rejection: ' + describe(e.reason)]);
    });
  }
})();
