// A classic script: it runs only if it was served with a JavaScript
// Content-Type (the server sends nosniff).
window.classicScriptRan = true;
