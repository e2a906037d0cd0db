// Keel bridge, isolated world. Injected into the top frame only, in the
// script world "keel", which is the only world that can see the message
// handler. Page scripts (main world) cannot reach the handler; they ask this
// relay through events on their own document, which a cross-origin frame
// cannot touch. Requests and replies travel as strings, the only values that
// cross worlds unchanged: "<id>\n<message>" and "<id>\n<o|e><json>".
//
// The shell wraps this file in a function whose one parameter,
// maxMessageSize, is keel.ipc.maxMessageSize in bytes (see window.c).
(function () {
  'use strict';
  const handler = window.webkit.messageHandlers.keel;
  const post = handler.postMessage.bind(handler);
  const logHandler = window.webkit.messageHandlers.keelConsole;
  const doc = document;
  const dispatch = doc.dispatchEvent.bind(doc);
  const Custom = CustomEvent;

  // The core refuses messages over maxMessageSize bytes, but only after
  // WebKit has copied the string into it: refuse here first, by length,
  // where the page cannot interfere, so one page cannot make the core
  // allocate without bound. Each UTF-16 code unit becomes at least one byte
  // of UTF-8, so a string longer than the limit is over it in bytes too;
  // a shorter one reaches the core as at most three times the limit, and the
  // core's own check by bytes refuses it there.
  const limit = maxMessageSize;

  // The core reads a message as UTF-8, and the conversion stops at an
  // unpaired surrogate (half of a UTF-16 pair), which has no UTF-8 form: the
  // core would see the message cut short there and report a puzzling syntax
  // error. Such a string is not Unicode text; say so here. (JSON.stringify,
  // and so invoke(), writes them as \ud800 escapes, which the core refuses.)
  const isWellFormed = String.prototype.isWellFormed;
  const loneSurrogate = /\p{Cs}/u;
  function wellFormed(text) {
    return isWellFormed ? isWellFormed.call(text) : !loneSurrogate.test(text);
  }

  // One response event, reused as bridge.js reuses its request event; one
  // of its own for a response sent while that one is still being dispatched.
  const responseEvent = new Custom('keel:response');
  function respond(id, reply) {
    const detail = id + '\n' + reply;
    let event = responseEvent;
    if (event.eventPhase === 0) event.initCustomEvent('keel:response', false, false, detail);
    else event = new Custom('keel:response', { detail: detail });
    dispatch(event);
  }

  const isArray = Array.isArray;
  function isAnswer(text) {
    const letter = text.charCodeAt(0);
    return letter === 111 /* o */ || letter === 101 /* e */ || letter === 98 /* b */;
  }
  function failed(id, why) {
    respond(id, 'e' + JSON.stringify({ code: 'ipc_failed', message: 'the core did not answer: ' + why }));
  }

  doc.addEventListener('keel:request', function (event) {
    const detail = event.detail;
    if (typeof detail !== 'string') return;
    const newline = detail.indexOf('\n');
    if (newline < 1) return;
    const id = detail.slice(0, newline);
    const length = detail.length - newline - 1;
    if (length > limit) {
      respond(id, 'e' + JSON.stringify({
        code: 'message_too_large',
        message: 'IPC message of ' + length + ' characters exceeds the limit of ' + limit +
          ' bytes (keel.ipc.maxMessageSize), so it was not sent; send large data in parts, ' +
          'or raise keel.ipc.maxMessageSize in keel.json',
      }));
      return;
    }
    const message = detail.slice(newline + 1);
    if (!wellFormed(message)) {
      respond(id, 'e' + JSON.stringify({
        code: 'invalid_message',
        message: 'IPC message holds an unpaired UTF-16 surrogate at character ' +
          message.search(loneSurrogate) + ', which is not Unicode text, so it was not sent; ' +
          'remove it (binary data can travel as base64)',
      }));
      return;
    }
    // The core checks that the sender is the document its window shows.
    // Its answer comes as the error message of the reply, or, when it is
    // not UTF-8 text, as the pair [letter, json] (reply_to_page in
    // window.c). WebKit's own refusals are error messages too, but none
    // starts with the letter of an answer.
    post(doc.URL + '\n' + message).then(
      function (reply) {
        if (isArray(reply) && reply.length === 2) respond(id, reply[0] + reply[1]);
        else failed(id, 'its answer had an unknown form');
      },
      function (error) {
        const text = error && error.message;
        if (typeof text === 'string' && isAnswer(text)) respond(id, text);
        else failed(id, String(text || error));
      });
  }, true);

  if (logHandler) {
    doc.addEventListener('keel:console', function (event) {
      if (typeof event.detail === 'string') logHandler.postMessage(event.detail);
    }, true);
  }
})();
