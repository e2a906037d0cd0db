// sql:default is Tauri's: load, select and close, but not execute. A window
// granted only that may read and is refused writes, with the refusal naming
// the permission that would allow them.
import Database from '@tauri-apps/plugin-sql';
import { invoke } from '@tauri-apps/api/core';
import { test, run, assert, assertEqual, rejects } from '../../lib/harness.js';

function assertRefusal(error, command, ...parts) {
  assertEqual(error && error.code, 'forbidden', `code of the refusal of ${command}`);
  assert(error.message.includes(`"${command}"`), `the message names ${command}: ${error.message}`);
  for (const part of parts)
    assert(error.message.includes(part), `the message mentions ${part}: ${error.message}`);
}

let db;

test('sql:default allows load and select', async () => {
  db = await Database.load('sqlite:readonly.db');
  assertEqual(await db.select('SELECT 1 + $1 AS two', [1]), [{ two: 2 }]);
});

test('execute is refused without sql:allow-execute, naming it', async () => {
  const error = await rejects(db.execute('CREATE TABLE t (x)'));
  assertRefusal(error, 'plugin:sql|execute', 'sql:allow-execute');
  // Nothing ran: select sees no table.
  const missing = await rejects(db.select('SELECT * FROM t'));
  assertEqual(missing.code, 'sql_error');
});

test('a deny in another capability wins over sql:default', async () => {
  const error = await rejects(db.close());
  assertRefusal(error, 'plugin:sql|close', 'sql:deny-close', '"no-close"');
  assertEqual(await db.select('SELECT 3 AS three'), [{ three: 3 }], 'still open');
});

test('raw invokes are checked the same way', async () => {
  const error = await rejects(invoke('plugin:sql|execute',
    { db: 'sqlite:readonly.db', query: 'DROP TABLE x', values: [] }));
  assertRefusal(error, 'plugin:sql|execute', 'sql:allow-execute');
});

run();
