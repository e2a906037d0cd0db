// A tiny test runner for pages under Keel's test-host: each case reports
// its verdict to the core (test_report), and the run ends with test_done.
import { invoke } from '@tauri-apps/api/core';

const cases = [];

export function test(name, fn) {
  cases.push({ name, fn });
}

export function describe(value) {
  // JavaScriptCore's stack holds only the frames, not "Error: message".
  if (value instanceof Error) return String(value) + (value.stack ? ' at ' + value.stack : '');
  try {
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message || 'assertion failed');
}

export function assertEqual(actual, expected, message) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message ? message + ': ' : ''}expected ${e}, got ${a}`);
}

// Awaits a promise that must reject; returns the rejection value.
export async function rejects(promise, message) {
  try {
    const value = await promise;
    throw new Error(`${message || 'expected a rejection'}, but it resolved with ${describe(value)}`);
  } catch (error) {
    if (error instanceof Error && error.message.includes('but it resolved with')) throw error;
    return error;
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Polls until predicate() is truthy or the time is up.
export async function waitFor(predicate, what, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`case "${name}" took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function run({ done = true } = {}) {
  for (const { name, fn } of cases) {
    let ok = true;
    let detail = '';
    try {
      await withTimeout(Promise.resolve().then(fn), 20000, name);
    } catch (error) {
      ok = false;
      detail = describe(error);
    }
    await invoke('test_report', { name, ok, detail });
  }
  if (done) await invoke('test_done');
}
