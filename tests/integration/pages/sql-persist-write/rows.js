// The rows the first run writes and the second reads back.
export const ROWS = [
  { i: 1, r: 0.5, t: 'first', n: null, b: true },
  { i: -9007199254740991, r: 1e-300, t: 'ünïcode ✓ 👋', n: null, b: false },
  { i: 0, r: -2.5, t: '', n: null, b: true },
];
