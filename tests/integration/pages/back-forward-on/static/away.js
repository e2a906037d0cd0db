// The page the test leaves for: it goes straight back in history.
addEventListener('load', () => setTimeout(() => history.back(), 100));
