// Leaves for about:blank, a page without an origin.
setTimeout(() => { location.href = 'about:blank'; }, 50);
