// A window no capability names: every call it makes must be refused. It
// cannot report anything itself; the main window reads the core's record
// of refusals.
(async () => {
  const internals = window.__TAURI_INTERNALS__;
  const tries = [
    ['echo', { value: 'from stranger' }],
    ['plugin:event|listen', { event: 'anything', target: { kind: 'Any' }, handler: internals.transformCallback(() => {}) }],
    ['plugin:event|emit', { event: 'stranger-says', payload: 'hello' }],
    ['no_such_command', {}],
  ];
  for (const [cmd, args] of tries) {
    try { await internals.invoke(cmd, args); } catch (e) { /* expected */ }
  }
})();
