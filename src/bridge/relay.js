// Keel bridge, isolated world. Injected into the top frame only, in the
// script world "keel", which is the only world that can see the message
// handler. Page scripts (main world) cannot reach the handler; they ask this
// relay through events on their own document, which a cross-origin frame
// cannot touch. Requests and replies travel as strings, the only values that
// cross worlds unchanged: "<id>\n<message>" and "<id>\n<o|e><json>".
(function () {
  'use strict';
  const handler = window.webkit.messageHandlers.keel;
  const post = handler.postMessage.bind(handler);
  const logHandler = window.webkit.messageHandlers.keelConsole;
  const doc = document;
  const dispatch = doc.dispatchEvent.bind(doc);
  const Custom = CustomEvent;

  // The core refuses messages over 64 MiB, but only after WebKit has copied
  // the string into the core as UTF-8 (up to 3 bytes per character): refuse
  // here first, where the page cannot interfere, so one page cannot make the
  // core allocate without bound.
  const MAX_MESSAGE_CHARS = 64 * 1024 * 1024;

  function respond(id, reply) {
    dispatch(new Custom('keel:response', { detail: id + '\n' + reply }));
  }

  doc.addEventListener('keel:request', function (event) {
    const detail = event.detail;
    if (typeof detail !== 'string') return;
    const newline = detail.indexOf('\n');
    if (newline < 1) return;
    const id = detail.slice(0, newline);
    if (detail.length - newline - 1 > MAX_MESSAGE_CHARS) {
      respond(id, 'e' + JSON.stringify({
        code: 'message_too_large',
        message: 'IPC message of ' + (detail.length - newline - 1) + ' characters exceeds the ' +
          'limit of ' + MAX_MESSAGE_CHARS + '; send large data in parts',
      }));
      return;
    }
    // The core checks that the sender is the document its window shows.
    post(doc.URL + '\n' + detail.slice(newline + 1)).then(
      function (reply) { respond(id, reply); },
      function (error) {
        respond(id, 'e' + JSON.stringify({
          code: 'ipc_failed',
          message: 'the core did not answer: ' + String((error && error.message) || error),
        }));
      });
  }, true);

  if (logHandler) {
    doc.addEventListener('keel:console', function (event) {
      if (typeof event.detail === 'string') logHandler.postMessage(event.detail);
    }, true);
  }
})();
