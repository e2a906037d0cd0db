// The first run of test-sql-restart.sh: writes a database that the second
// run (sql-persist-read, same identifier, same XDG_DATA_HOME) reads back,
// and meets the migrations of "sqlite:migrated.db" for the first time. It
// ends with a query running, which must not hold the app up.
import Database from '@tauri-apps/plugin-sql';
import { test, run, assertEqual, sleep } from '../../lib/harness.js';
import { ROWS } from './rows.js';

test('a fresh database takes rows of every type', async () => {
  const db = await Database.load('sqlite:persist.db');
  await db.execute('CREATE TABLE kept (id INTEGER PRIMARY KEY, i, r, t, n, b)');
  for (const row of ROWS) {
    await db.execute('INSERT INTO kept (i, r, t, n, b) VALUES ($1, $2, $3, $4, $5)',
      [row.i, row.r, row.t, row.n, row.b]);
  }
  // The last write in a transaction: committed means durable.
  await db.execute("BEGIN; UPDATE kept SET t = t || '!' WHERE id = 1; COMMIT");
  assertEqual((await db.select('SELECT count(*) AS n FROM kept'))[0].n, ROWS.length);
});

test('migrations run at the first load', async () => {
  const db = await Database.load('sqlite:migrated.db');
  assertEqual(await db.select('SELECT body FROM notes'), [{ body: 'seeded by migration 2' }]);
  assertEqual(await db.select('SELECT version FROM _keel_migrations ORDER BY version'),
    [{ version: 1 }, { version: 2 }]);
  await db.execute('INSERT INTO notes (body) VALUES ($1)', ['written by the first run']);
});

test('queries that never end do not keep the app from ending', async () => {
  // It reads a table, so it holds its database open (and its WAL file).
  const endless = 'WITH RECURSIVE c(x) AS (SELECT count(*) FROM kept UNION ALL SELECT x + 1 FROM c) ' +
    'SELECT count(*) FROM c';
  // Not awaited: when the app ends (test_done), the core interrupts them
  // and closes the databases; test-sql-restart.sh checks that it did. The
  // second database is being closed by the page already: its close waits
  // behind the query.
  const db = await Database.load('sqlite:persist.db');
  db.select(endless);
  const other = await Database.load('sqlite:endless.db');
  await other.execute('CREATE TABLE kept (x); INSERT INTO kept VALUES (1)');
  other.select(endless);
  other.close('sqlite:endless.db');
  await sleep(300);
});

run();
