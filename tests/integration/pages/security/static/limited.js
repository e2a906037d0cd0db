// A window whose capability grants only events and "echo". It tries to act
// as the main window and reports what happened through an event.
(async () => {
  const internals = window.__TAURI_INTERNALS__;
  const outcome = async (promise) => {
    try {
      return { ok: true, value: await promise };
    } catch (error) {
      return { ok: false, code: error && error.code, message: error && error.message };
    }
  };
  const report = {};
  report.echo = await outcome(internals.invoke('echo', { value: 'from limited' }));
  // Window commands take the target's label as an argument: naming "main"
  // does not lend this window main's permissions.
  report.setTitleOfMain = await outcome(
    internals.invoke('plugin:window|set_title', { label: 'main', value: 'hacked' }));
  // The page may say what it likes about itself; the core never reads it.
  internals.metadata.currentWindow.label = 'main';
  internals.metadata.currentWebview.label = 'main';
  report.metadataLabel = internals.metadata.currentWindow.label;
  report.test_report = await outcome(internals.invoke('test_report', { name: 'forged', ok: true }));
  // A hand-made message through the bridge, claiming to be from main. It
  // names this document, as the relay requires, and asks in main's name.
  report.forged = await outcome(new Promise((resolve, reject) => {
    const id = '900001';
    document.addEventListener('keel:response', function onResponse(event) {
      if (!event.detail.startsWith(id + '\n', 1)) return;
      document.removeEventListener('keel:response', onResponse, true);
      const reply = event.detail;
      (reply[0] === 'o' ? resolve : reject)(JSON.parse(reply.slice(id.length + 2)));
    }, true);
    document.dispatchEvent(new CustomEvent('keel:request', {
      detail: JSON.stringify({
        id: Number(id), url: document.URL, cmd: 'plugin:window|destroy', args: { label: 'main' },
        options: { headers: { 'Tauri-Webview-Label': 'main', 'Tauri-Window-Label': 'main' } },
      }),
    }));
  }));
  await internals.invoke('plugin:event|emit', { event: 'limited-report', payload: report });
})();
