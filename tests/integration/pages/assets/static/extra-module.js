// A second module script, loaded by index.html on its own.
window.extraModuleRan = import.meta.url;
