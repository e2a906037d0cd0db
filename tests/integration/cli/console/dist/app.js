// A plain page for `keel run` (no bundling): console output, an uncaught
// error, then exit 0 through the built-in plugin:app|exit.
console.log('KEEL-CLI-LOG-MARKER', 42);
console.error('KEEL-CLI-ERROR-MARKER');
setTimeout(function () {
  throw new Error('KEEL-CLI-UNCAUGHT-MARKER');
}, 0);
setTimeout(function () {
  window.keel.invoke('plugin:app|exit', { code: 0 });
}, 200);
