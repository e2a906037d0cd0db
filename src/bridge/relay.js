// Keel bridge, isolated world. Injected into the top frame only, in the
// script world "keel", which is the only world that can see the message
// handler. Page scripts (main world) cannot reach the handler; they ask this
// relay through events on their own document, which a cross-origin frame
// cannot touch. Requests and replies travel as strings, the only values that
// cross worlds unchanged. A request is the message itself,
// {"id":<n>,"url":<this document's URL>,...} (src/core/message.h): the relay
// checks its head and posts it. A reply is the core's answer as it came,
// "<o|e|b><id>\n<json>". JavaScriptCore joins strings lazily and copies the
// whole text when a join is read, which for a large message cost more than
// the rest of its trip through the page (docs/webkit-notes.md): the bridge
// and the relay read no join, and the one copy on the way is WebKit's (see
// the post below).
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
  //
  // The relay uses no regular expression on the way of a request: the first
  // one a page makes or runs brings JavaScriptCore's regular expression
  // compiler into the web process's memory, ≈ 0.8 MiB (docs/webkit-notes.md),
  // which a page that uses none need not pay. This one is made only for an
  // engine without isWellFormed, or to say where a refused message is wrong.
  const isWellFormed = String.prototype.isWellFormed;
  let loneSurrogateRegExp = null;
  function loneSurrogate() {
    if (loneSurrogateRegExp === null) loneSurrogateRegExp = new RegExp('\\p{Cs}', 'u');
    return loneSurrogateRegExp;
  }
  function wellFormed(text) {
    return isWellFormed ? isWellFormed.call(text) : !loneSurrogate().test(text);
  }

  const stringify = JSON.stringify;
  const isArray = Array.isArray;

  // One response event, reused as bridge.js reuses its request event; one
  // of its own for a response sent while that one is still being dispatched.
  const responseEvent = new Custom('keel:response');
  function respond(detail) {
    let event = responseEvent;
    if (event.eventPhase === 0) event.initCustomEvent('keel:response', false, false, detail);
    else event = new Custom('keel:response', { detail: detail });
    dispatch(event);
  }
  function refuse(id, code, message) {
    respond('e' + id + '\n' + stringify({ code: code, message: message }));
  }
  function failed(id, why) {
    refuse(id, 'ipc_failed', 'the core did not answer: ' + why);
  }

  // The core's answer to request `id`, "<letter><id>\n<json>", to the
  // bridge. The core leaves the id out of its refusal of a message it could
  // not read ("e\n<json>"); those are short, and the id is put in here.
  function answer(id, text) {
    const letter = text.charCodeAt(0);
    const isAnswer = letter === 111 /* o */ || letter === 101 /* e */ || letter === 98 /* b */;
    if (isAnswer && text.startsWith(id + '\n', 1)) respond(text);
    else if (isAnswer && text.charCodeAt(1) === 10 /* \n */) respond(text[0] + id + text.slice(1));
    else failed(id, text.slice(0, 200));
  }

  const head = '{"id":';
  // The id's digits: 0, or up to 16 without a leading zero (a loop: see
  // wellFormed above on regular expressions).
  function isIdDigits(id) {
    const length = id.length;
    if (length === 0 || length > 16 || (length > 1 && id.charCodeAt(0) === 48 /* 0 */))
      return false;
    for (let i = 0; i < length; i++) {
      const c = id.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    return true;
  }
  // The request's URL member as the bridge's JSON.stringify writes it for
  // this document's URL; made again when the URL changes (history.pushState).
  let lastUrl = null;
  let urlMember = '';

  doc.addEventListener('keel:request', function (event) {
    const detail = event.detail;
    if (typeof detail !== 'string' || !detail.startsWith(head)) return;
    const comma = detail.indexOf(',', head.length);
    const id = comma < 0 ? '' : detail.slice(head.length, comma);
    if (!isIdDigits(id)) return;
    if (detail.length > limit) {
      refuse(id, 'message_too_large',
        'IPC message of ' + detail.length + ' characters exceeds the limit of ' + limit +
        ' bytes (keel.ipc.maxMessageSize), so it was not sent; send large data in parts, ' +
        'or raise keel.ipc.maxMessageSize in keel.json');
      return;
    }
    const url = doc.URL;
    if (url !== lastUrl) {
      lastUrl = url;
      urlMember = ',"url":' + stringify(url) + ',';
    }
    // The page can dispatch requests of its own; one that claims another
    // document goes no further. The core reads the first "url" and refuses a
    // message that has two.
    if (!detail.startsWith(urlMember, comma)) {
      refuse(id, 'forbidden', 'message refused: it does not name this document (' + url +
        ') as its sender; call the core through invoke()');
      return;
    }
    if (!wellFormed(detail)) {
      refuse(id, 'invalid_message',
        'IPC message holds an unpaired UTF-16 surrogate at character ' +
        detail.search(loneSurrogate()) + ', which is not Unicode text, so it was not sent; ' +
        'remove it (binary data can travel as base64)');
      return;
    }
    // The core checks the URL against the document its window shows. Its
    // answer comes as the error message of the reply, or, when it is not
    // UTF-8 text, as the pair ["<letter><id>\n", json] (reply_to_page in
    // window.c). WebKit's own refusals are error messages too, but none
    // starts with the letter of an answer and a digit or newline.
    //
    // The one join on the way, read by WebKit's postMessage into one flat
    // copy of exactly the message. Posting the bridge's own string instead
    // measured slower for a 1 MiB echo (145 against 165 MiB/s) and no
    // faster at 16 MiB; why is not known (docs/webkit-notes.md). The core
    // takes the space off (window.c), so sizes and places in its errors are
    // the page's own.
    post(detail + ' ').then(
      function (reply) {
        if (isArray(reply) && reply.length === 2 && typeof reply[0] === 'string' &&
            typeof reply[1] === 'string') answer(id, reply[0] + reply[1]);
        else failed(id, 'its answer had an unknown form');
      },
      function (error) {
        const text = error && error.message;
        if (typeof text === 'string') answer(id, text);
        else failed(id, String(error));
      });
  }, true);

  if (logHandler) {
    doc.addEventListener('keel:console', function (event) {
      if (typeof event.detail === 'string') logHandler.postMessage(event.detail);
    }, true);
  }
})();
