// The benchmark page, the same for the floor (raw WebKitGTK) and for Keel.
// The workload comes from the query string (?w=small|json1m|start|idle);
// the result goes back as one JSON line that the C side prints on stdout.
(function () {
  'use strict';

  // The only difference between the two programs: how a message reaches C.
  var tauri = window.__TAURI_INTERNALS__;
  var ipc;
  if (tauri) {
    ipc = {
      name: 'keel',
      echo: function (value) { return tauri.invoke('echo', { value: value }); },
      report: function (line) { return tauri.invoke('report', { line: line }); },
      exit: function () { return tauri.invoke('plugin:app|exit', { code: 0 }); },
    };
  } else {
    var handlers = window.webkit.messageHandlers;
    ipc = {
      name: 'floor',
      echo: function (value) { return handlers.floor.postMessage(value); },
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

  // 2,000 small round trips after 200 to warm up. performance.now() is
  // coarse here (WebKit clamps it to about a millisecond), so time batches
  // of 200 and take the median of the batch means.
  async function small() {
    var warmUp = 200, batches = 10, perBatch = 200;
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

  // A 1 MiB string echoed 20 times, after 2 to warm up. Plain letters: no
  // JSON escaping to muddy the measure.
  async function json1m() {
    var size = 1 << 20, rounds = 20;
    var text = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_'.repeat(size / 64);
    for (var i = 0; i < 2; i++)
      check(text, await ipc.echo(text));
    var times = [];
    var begin = performance.now();
    for (var r = 0; r < rounds; r++) {
      var start = performance.now();
      check(text, await ipc.echo(text));
      times.push(performance.now() - start);
    }
    var seconds = (performance.now() - begin) / 1000;
    return {
      bytes: size,
      roundTrips: rounds,
      mibPerS: rounds / seconds,
      medianMs: median(times),
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

  var workloads = { small: small, json1m: json1m, start: start, idle: idle };

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
    if (name !== 'idle')
      await ipc.exit();
  }

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', main);
  else
    main();
})();
