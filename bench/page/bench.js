// The benchmark page, the same for the floor (raw WebKitGTK) and for Keel.
// The workload comes from the query string (?w=small|json1m|json16m|event1m|
// event16m|bin1m|bin64m|fanout|start|idle; the fan-out's windows add &window=1..4); the
// result goes back as one JSON line that the C side prints on stdout.
(function () {
  'use strict';

  // The only difference between the two programs: how a message reaches C,
  // and how an event reaches the page.
  var tauri = window.__TAURI_INTERNALS__;
  var ipc;
  if (tauri) {
    // What @tauri-apps/api does: emit() and getCurrentWebviewWindow().listen(),
    // whose target makes the listener hear events meant for its own window.
    var label = tauri.metadata.currentWindow.label;
    ipc = {
      name: 'keel',
      echo: function (value) { return tauri.invoke('echo', { value: value }); },
      // Tauri's raw request and response: bytes in, an ArrayBuffer out.
      binEcho: function (bytes) { return tauri.invoke('bin_echo', bytes); },
      emit: function (event, payload) {
        return tauri.invoke('plugin:event|emit', { event: event, payload: payload });
      },
      listen: function (event, handler) {
        return tauri.invoke('plugin:event|listen', {
          event: event,
          target: { kind: 'WebviewWindow', label: label },
          handler: tauri.transformCallback(function (e) { handler(e.payload); }),
        });
      },
      // A Channel as @tauri-apps/api/core makes one: a callback that gets
      // {index, message} and finally {index, end}, passed as
      // "__CHANNEL__:<id>". The bridge delivers in order, so the bench
      // skips Channel's reordering.
      stream: function (kind, onMessage) {
        return new Promise(function (resolve, reject) {
          var id = tauri.transformCallback(function (raw) {
            if (raw.end)
              resolve();
            else
              onMessage(raw.message);
          });
          tauri.invoke('stream', { onEvent: '__CHANNEL__:' + id, kind: kind }).catch(reject);
        });
      },
      report: function (line) { return tauri.invoke('report', { line: line }); },
      exit: function () { return tauri.invoke('plugin:app|exit', { code: 0 }); },
    };
  } else {
    // The floor's C side delivers an event by evaluating
    // floorEvent(name, payload) in the page.
    var handlers = window.webkit.messageHandlers;
    var listeners = {};
    window.floorEvent = function (event, payload) {
      var handler = listeners[event];
      if (handler)
        handler(payload);
    };
    ipc = {
      name: 'floor',
      echo: function (value) { return handlers.floor.postMessage(value); },
      // Script messages cannot carry bytes: a POST to the floor's own scheme.
      binEcho: function (bytes) {
        return fetch('floorbin://localhost/echo', { method: 'POST', body: bytes })
          .then(function (response) {
            if (!response.ok)
              throw new Error('floorbin answered ' + response.status);
            return response.arrayBuffer();
          });
      },
      emit: function (event, payload) {
        return handlers.floorEmit.postMessage({ event: event, payload: payload });
      },
      listen: function (event, handler) {
        listeners[event] = handler;
        return Promise.resolve();
      },
      // Small messages: one script per message, floorEvent("chan", {seq}),
      // then floorEvent("chan-end", null). Bytes: the fastest raw way to
      // stream them into a page, a fetch() from the floor's own scheme
      // read chunk by chunk.
      stream: function (kind, onMessage) {
        if (kind === 'bytes') {
          return fetch('floorbin://localhost/stream', { method: 'POST' }).then(function (response) {
            if (!response.ok)
              throw new Error('floorbin answered ' + response.status);
            var reader = response.body.getReader();
            return (function next() {
              return reader.read().then(function (chunk) {
                if (chunk.done)
                  return;
                onMessage(chunk.value);
                return next();
              });
            })();
          });
        }
        return new Promise(function (resolve, reject) {
          listeners.chan = onMessage;
          listeners['chan-end'] = function () { resolve(); };
          handlers.floorStream.postMessage(kind).catch(reject);
        });
      },
      report: function (line) { return handlers.floorReport.postMessage(line); },
      exit: function () { return handlers.floorExit.postMessage(''); },
    };
  }

  function median(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var middle = sorted.length >> 1;
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  function check(sent, received) {
    if (received !== sent)
      throw new Error('echo returned ' + String(received).slice(0, 40) + ' for ' +
                      String(sent).slice(0, 40));
  }

  // 10,000 small round trips after 500 to warm up. performance.now() is
  // coarse here (WebKit clamps it to about a millisecond), so time batches
  // of 1,000 (over 100 ms each) and take the median of the batch means.
  async function small() {
    var warmUp = 500, batches = 10, perBatch = 1000;
    for (var i = 0; i < warmUp; i++)
      check('ping' + i, await ipc.echo('ping' + i));
    var means = [];
    var begin = performance.now();
    for (var b = 0; b < batches; b++) {
      var start = performance.now();
      for (var j = 0; j < perBatch; j++) {
        var message = 'ping' + j;
        check(message, await ipc.echo(message));
      }
      means.push((performance.now() - start) * 1000 / perBatch);
    }
    var total = performance.now() - begin;
    return {
      roundTrips: batches * perBatch,
      medianUs: median(means),
      meanUs: total * 1000 / (batches * perBatch),
    };
  }

  // Plain letters: no JSON escaping to muddy the measure.
  function letters(size) {
    return 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_'.repeat(size / 64);
  }

  // A string of its own for each round trip, made just before the clock
  // starts: WebKit's serializer hashes every string a page posts and keeps
  // the hash in the string, so posting the same string object again would
  // time that cache rather than what an app sending new data pays. Each
  // text ends with its round's number; only one lives at a time, so the
  // page holds no more memory than with one string for all rounds.
  function freshText(base, round) {
    var tag = String(round);
    var text = base.slice(0, base.length - tag.length) + tag;
    text.charCodeAt(text.length >> 1); // joins the two parts now, not in the timed call
    return text;
  }

  // `warmUp` round trips through `send`, then `rounds` timed ones; the rate
  // is over the timed calls alone.
  async function throughput(size, rounds, warmUp, send) {
    var base = letters(size), times = [];
    for (var r = 0; r < warmUp + rounds; r++) {
      var text = freshText(base, r);
      var start = performance.now();
      check(text, await send(text));
      if (r >= warmUp)
        times.push(performance.now() - start);
      text = null;
    }
    var seconds = times.reduce(function (a, b) { return a + b; }, 0) / 1000;
    return {
      bytes: size,
      roundTrips: rounds,
      mibPerS: rounds * size / (1 << 20) / seconds,
      medianMs: median(times),
    };
  }

  // A string echoed by a command that returns its argument: 1 MiB 20 times
  // after 2 to warm up, 16 MiB 5 times after 1.
  function json1m() { return throughput(1 << 20, 20, 2, ipc.echo); }
  function json16m() { return throughput(16 << 20, 5, 1, ipc.echo); }

  // Bytes echoed by a binary call: 1 MiB 20 times after 2 to warm up,
  // 64 MiB 3 times after 1. The answer is an ArrayBuffer; its length and
  // 17 bytes spread over it must be what was sent.
  async function binEcho(size, rounds, warmUp) {
    var bytes = new Uint8Array(size);
    for (var i = 0; i < size; i++)
      bytes[i] = (i * 31 + (i >>> 11)) & 255;
    var checks = [];
    for (var k = 0; k <= 16; k++)
      checks.push(Math.min(size - 1, Math.floor(k * size / 16)));
    function checkBytes(received) {
      if (!(received instanceof ArrayBuffer))
        throw new Error('binary echo returned ' + Object.prototype.toString.call(received));
      var got = new Uint8Array(received);
      if (got.length !== size)
        throw new Error('binary echo returned ' + got.length + ' bytes for ' + size);
      checks.forEach(function (at) {
        if (got[at] !== bytes[at])
          throw new Error('binary echo: byte ' + at + ' is ' + got[at] + ', not ' + bytes[at]);
      });
    }
    for (var w = 0; w < warmUp; w++)
      checkBytes(await ipc.binEcho(bytes));
    var times = [];
    var begin = performance.now();
    for (var r = 0; r < rounds; r++) {
      var start = performance.now();
      checkBytes(await ipc.binEcho(bytes));
      times.push(performance.now() - start);
    }
    var seconds = (performance.now() - begin) / 1000;
    return {
      bytes: size,
      roundTrips: rounds,
      mibPerS: rounds * size / (1 << 20) / seconds,
      medianMs: median(times),
    };
  }
  function bin1m() { return binEcho(1 << 20, 20, 2); }
  function bin64m() { return binEcho(64 << 20, 3, 1); }

  // A string emitted as the event "echo", which C sends back to this window
  // only as "echoed". A round trip ends when both the echoed event and the
  // emit's own answer have arrived.
  async function eventEcho(size, rounds, warmUp) {
    var waiting = null, unexpected = 0;
    await ipc.listen('echoed', function (payload) {
      if (waiting === null) {
        unexpected++;
        return;
      }
      var settle = waiting;
      waiting = null;
      settle(payload);
    });
    var result = await throughput(size, rounds, warmUp, function (text) {
      var echoed = new Promise(function (resolve) { waiting = resolve; });
      return Promise.all([echoed, ipc.emit('echo', text)]).then(function (both) {
        return both[0];
      });
    });
    if (unexpected)
      throw new Error(unexpected + ' echoed events arrived that no emit asked for');
    return result;
  }
  function event1m() { return eventEcho(1 << 20, 20, 2); }
  function event16m() { return eventEcho(16 << 20, 5, 1); }

  // A Channel from C to the page: 100,000 small JSON messages {seq} in
  // order, or 64 MiB of bytes in 64 KiB chunks (bench/stream.h), as fast as
  // the C side can send them. Timed from the request to the end of the
  // stream; every message is checked (its seq; for bytes, the length so far
  // and the first byte of each chunk).
  async function channelSmall() {
    var expected = 1;
    var begin = performance.now();
    await ipc.stream('small', function (message) {
      if (!message || message.seq !== expected)
        throw new Error('channel message ' + expected + ' arrived as ' + JSON.stringify(message));
      expected++;
    });
    var seconds = (performance.now() - begin) / 1000;
    var received = expected - 1;
    if (received !== 100000)
      throw new Error('the channel ended after ' + received + ' messages, not 100000');
    return { messages: received, seconds: seconds, messagesPerS: received / seconds };
  }

  async function channelBytes() {
    var total = 64 << 20, offset = 0, chunks = 0;
    var begin = performance.now();
    await ipc.stream('bytes', function (data) {
      var bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
      if (bytes.length > 0 && bytes[0] !== ((offset * 31 + (offset >>> 11)) & 255))
        throw new Error('channel bytes at ' + offset + ' are not what was sent');
      offset += bytes.length;
      chunks++;
    });
    var seconds = (performance.now() - begin) / 1000;
    if (offset !== total)
      throw new Error('the channel ended after ' + offset + ' bytes, not ' + total);
    return { bytes: offset, chunks: chunks, seconds: seconds, mibPerS: offset / (1 << 20) / seconds };
  }

  // One of four windows receiving the C side's fan-out: events "fanout"
  // {seq: 1, 2, …} until "fanout-done" {total, seconds} (see bench/fanout.h).
  // Counts what arrived and the gaps in the sequence, and watches this
  // page's main thread with a chain of setTimeout(0): the longest time
  // between two of its ticks is the longest stall (WebKit clamps nested
  // timeouts to 4 ms and performance.now() to about 1 ms, so stalls are
  // exact to a few ms; a busy MessageChannel loop would be finer but would
  // eat the CPU the pages and the core share).
  async function fanout() {
    var received = 0, gaps = 0, last = 0, first = 0, firstSeq = 0;
    await ipc.listen('fanout', function (payload) {
      if (received++ === 0) {
        first = performance.now();
        firstSeq = payload.seq;
      }
      if (payload.seq !== last + 1)
        gaps++;
      last = payload.seq;
    });
    var finish;
    var done = new Promise(function (resolve) { finish = resolve; });
    await ipc.listen('fanout-done', function (payload) { finish(payload); });

    var watching = true, stall = 0, stallEnd = 0, previous = performance.now();
    var watchStart = previous;
    (function tick() {
      var now = performance.now();
      if (now - previous > stall) {
        stall = now - previous;
        stallEnd = now;
      }
      previous = now;
      if (watching)
        setTimeout(tick, 0);
    })();

    await ipc.emit('fanout-ready', null);
    var end = await done;
    watching = false;
    return {
      window: Number(new URLSearchParams(location.search).get('window')),
      sent: end.total,
      sendSeconds: end.seconds,
      received: received,
      lost: end.total - received,
      gaps: gaps,
      // Above 1: this page is a restart that missed the fan-out's start.
      firstSeq: firstSeq,
      receiveSeconds: received ? (performance.now() - first) / 1000 : 0,
      stallMs: stall,
      // When the longest stall began, from the moment the page started
      // watching (the fan-out starts once all four pages are ready).
      stallAtMs: stallEnd - stall - watchStart,
      visibility: document.visibilityState,
    };
  }

  // One round trip: the runner times the whole process.
  async function start() {
    check('start', await ipc.echo('start'));
    return {};
  }

  // One round trip (so the IPC path is live), then stay: the runner measures
  // memory after the page settles and ends the process with SIGTERM.
  async function idle() {
    check('idle', await ipc.echo('idle'));
    return {};
  }

  var workloads = {
    small: small, json1m: json1m, json16m: json16m, event1m: event1m, event16m: event16m,
    bin1m: bin1m, bin64m: bin64m, chan100k: channelSmall, chan64m: channelBytes, fanout: fanout, start: start, idle: idle,
  };

  async function main() {
    var name = new URLSearchParams(location.search).get('w') || 'small';
    var result;
    try {
      var workload = workloads[name];
      if (!workload)
        throw new Error('unknown workload ' + name);
      result = await workload();
      result.ok = true;
    } catch (error) {
      result = { ok: false, error: String(error && error.message || error) };
    }
    result.workload = name;
    result.program = ipc.name;
    document.getElementById('status').textContent = JSON.stringify(result);
    await ipc.report(JSON.stringify(result));
    // The fan-out's program exits when its four pages have reported.
    if (name !== 'idle' && name !== 'fanout')
      await ipc.exit();
  }

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', main);
  else
    main();
})();
