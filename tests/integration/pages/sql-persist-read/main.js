// The second run of test-sql-restart.sh: the app restarted on the same data
// directory finds what the first run (sql-persist-write) wrote, and its
// migrations are not applied again.
import Database from '@tauri-apps/plugin-sql';
import { test, run, assertEqual } from '../../lib/harness.js';
import { ROWS } from '../sql-persist-write/rows.js';

test('rows written before the restart are all there, with their types', async () => {
  const db = await Database.load('sqlite:persist.db');
  const rows = await db.select('SELECT i, r, t, n, b FROM kept ORDER BY id');
  const expected = ROWS.map((row) => ({ ...row, b: row.b ? 1 : 0 }));
  expected[0].t += '!';
  assertEqual(rows, expected);
});

test('migrations are not applied again after a restart', async () => {
  const db = await Database.load('sqlite:migrated.db');
  assertEqual(await db.select('SELECT body FROM notes ORDER BY id'),
    [{ body: 'seeded by migration 2' }, { body: 'written by the first run' }]);
  assertEqual(await db.select('SELECT version FROM _keel_migrations ORDER BY version'),
    [{ version: 1 }, { version: 2 }]);
});

test('the database is writable after the restart', async () => {
  const db = await Database.load('sqlite:persist.db');
  const result = await db.execute('INSERT INTO kept (t) VALUES ($1)', ['second run']);
  assertEqual(result, { lastInsertId: 4, rowsAffected: 1 });
});

run();
