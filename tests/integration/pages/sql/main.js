// The SQL plugin through the real @tauri-apps/plugin-sql: types, bind
// values, several statements, errors that leave the connection usable,
// paths kept in the data directory, migrations, close, a slow query that
// does not hold up the core, and a second window ("reader") that shares
// the main window's connections.
import Database from '@tauri-apps/plugin-sql';
import { invoke } from '@tauri-apps/api/core';
import { emit, listen } from '@tauri-apps/api/event';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { WebviewWindow } from '@tauri-apps/api/webviewWindow';
import { test, run, assert, assertEqual, rejects, describe } from '../../lib/harness.js';

// A rejection of the SQL plugin: Keel's {code, message}, with SQLite's
// result code when SQLite reported it.
function assertSqlError(error, code, ...parts) {
  assertEqual(error && error.code, code, `code of ${describe(error)}`);
  for (const part of parts)
    assert(error.message.includes(part), `the message mentions ${part}: ${error.message}`);
}

async function reader() {
  // The second window: it reads what main wrote, through the same
  // connections, writes a row of its own and says what it saw.
  const seen = {};
  try {
    const shared = await Database.load('sqlite:shared.db');
    seen.rows = await shared.select('SELECT v FROM shared ORDER BY rowid');
    // TEMP tables belong to one connection: main's is visible only if this
    // window uses the very same connection.
    seen.temp = await shared.select('SELECT v FROM temp.marker');
    const memory = await Database.load('sqlite::memory:');
    seen.memory = await memory.select('SELECT v FROM kept');
    seen.insert = await shared.execute('INSERT INTO shared (v) VALUES ($1)', ['from reader']);
  } catch (error) {
    seen.error = describe(error);
  }
  await emit('reader-done', seen);
}

if (getCurrentWindow().label === 'reader') {
  reader();
} else {
  let db;

  test('load answers the URL as given, and Database keeps it', async () => {
    assertEqual(await invoke('plugin:sql|load', { db: 'sqlite:test.db' }), 'sqlite:test.db');
    db = await Database.load('sqlite:test.db');
    assertEqual(db.path, 'sqlite:test.db');
  });

  test('every JSON type goes in bound and comes back as JSON', async () => {
    await db.execute(
      'CREATE TABLE items (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, n, b, any)');
    const first = await db.execute(
      'INSERT INTO items (i, r, t, n, b, any) VALUES ($1, $2, $3, $4, $5, $6)',
      [42, 1.5, 'héllo 👋 "quoted" \'single\' ; DROP TABLE items; --', null, true,
        Number.MAX_SAFE_INTEGER]);
    assertEqual(first, { lastInsertId: 1, rowsAffected: 1 });
    const second = await db.execute(
      'INSERT INTO items (i, r, t, n, b, any) VALUES (?, ?, ?, ?, ?, ?)',
      [-7, -0.25, '', null, false, 3.75]);
    assertEqual(second, { lastInsertId: 2, rowsAffected: 1 });
    const rows = await db.select('SELECT * FROM items ORDER BY id');
    assertEqual(rows, [
      { id: 1, i: 42, r: 1.5, t: 'héllo 👋 "quoted" \'single\' ; DROP TABLE items; --', n: null,
        b: 1, any: Number.MAX_SAFE_INTEGER },
      { id: 2, i: -7, r: -0.25, t: '', n: null, b: 0, any: 3.75 },
    ]);
    assertEqual(Object.keys(rows[0]), ['id', 'i', 'r', 't', 'n', 'b', 'any'], 'column order');
    const types = await db.select(
      'SELECT typeof(i) AS i, typeof(r) AS r, typeof(t) AS t, typeof(n) AS n, typeof(b) AS b ' +
      'FROM items WHERE id = $1', [1]);
    assertEqual(types, [{ i: 'integer', r: 'real', t: 'text', n: 'null', b: 'integer' }]);
  });

  test('blobs come back as arrays of bytes, infinity as null', async () => {
    const rows = await db.select(
      "SELECT x'00ff10' AS blob, zeroblob(2) AS zeros, x'' AS empty, 9e999 AS inf");
    assertEqual(rows, [{ blob: [0, 255, 16], zeros: [0, 0], empty: [], inf: null }]);
  });

  test('placeholders: $N in any order, ?N, and ? taking the next value', async () => {
    assertEqual(await db.select('SELECT $2 AS a, $1 AS b, $2 AS c', ['one', 'two']),
      [{ a: 'two', b: 'one', c: 'two' }]);
    assertEqual(await db.select('SELECT ?2 AS a, ?1 AS b', [1, 2]), [{ a: 2, b: 1 }]);
    assertEqual(await db.select('SELECT ? AS a, ? AS b', [1, 2]), [{ a: 1, b: 2 }]);
    assertEqual(await db.select("SELECT '$1' AS text"), [{ text: '$1' }], 'not in a literal');
  });

  test('several statements in one execute: counts summed, the last id', async () => {
    const result = await db.execute(
      'INSERT INTO items (i) VALUES ($1); INSERT INTO items (i) VALUES ($2);' +
      "UPDATE items SET t = 'x' WHERE i IN ($1, $2); CREATE TABLE other (x)", [100, 200]);
    assertEqual(result, { lastInsertId: 4, rowsAffected: 4 });
    const rows = await db.select('SELECT id FROM items WHERE i >= 100; SELECT 5 AS five');
    assertEqual(rows, [{ id: 3 }, { id: 4 }, { five: 5 }], 'select returns every statement\'s rows');
  });

  test('bad SQL is rejected with SQLite\'s message and code; the connection goes on', async () => {
    const syntax = await rejects(db.execute('SELEC 1'));
    assertSqlError(syntax, 'sql_error', 'near "SELEC": syntax error');
    assertEqual(syntax.sqliteCode, 1, 'SQLITE_ERROR');
    assertSqlError(await rejects(db.select('SELECT * FROM nope')), 'sql_error',
      'no such table: nope');
    await db.execute('CREATE TABLE uniq (k TEXT UNIQUE)');
    await db.execute('INSERT INTO uniq VALUES ($1)', ['a']);
    const unique = await rejects(db.execute('INSERT INTO uniq VALUES ($1)', ['a']));
    assertSqlError(unique, 'sql_error', 'UNIQUE constraint failed: uniq.k');
    assertEqual(unique.sqliteCode, 2067, 'SQLITE_CONSTRAINT_UNIQUE');
    assertEqual(await db.select('SELECT count(*) AS n FROM items'), [{ n: 4 }]);
  });

  test('a failing execute rolls back the transaction it opened', async () => {
    const error = await rejects(db.execute(
      "BEGIN; INSERT INTO uniq VALUES ('b'); INSERT INTO nope VALUES (1); COMMIT"));
    assertSqlError(error, 'sql_error', 'no such table: nope');
    // No transaction is left open on the shared connection, and 'b' is gone.
    await db.execute("BEGIN; INSERT INTO uniq VALUES ('c'); COMMIT");
    assertEqual(await db.select('SELECT k FROM uniq ORDER BY k'), [{ k: 'a' }, { k: 'c' }]);
  });

  test('bad bind values and arguments are refused clearly; the connection goes on', async () => {
    const q = (args) => invoke('plugin:sql|select', { db: 'sqlite:test.db', ...args });
    assertSqlError(await rejects(db.execute('SELECT $1', [{ a: 1 }])), 'invalid_args',
      'plugin:sql|execute: values[0] is an object');
    assertSqlError(await rejects(db.select('SELECT $1, $2', [1, [2]])), 'invalid_args',
      'values[1] is an array');
    assertSqlError(await rejects(db.select('SELECT $1, $2', [1])), 'invalid_args',
      'the query uses placeholder "$2" but 1 bind value was given');
    assertSqlError(await rejects(db.select('SELECT $1', [1, 2])), 'invalid_args',
      'no placeholder of the query takes value 2');
    assertSqlError(await rejects(db.select('SELECT :name', ['x'])), 'invalid_args',
      'placeholder ":name" is not supported');
    assertSqlError(await rejects(q({ query: 'SELECT 1', values: 'x' })), 'invalid_args',
      '"values" must be an array');
    assertSqlError(await rejects(q({ values: [] })), 'invalid_args', 'query');
    assertSqlError(await rejects(q({ db: 42, query: 'SELECT 1' })), 'invalid_args', 'db');
    assertSqlError(await rejects(q({ query: 'SELECT 1\u0000; DROP TABLE items' })),
      'invalid_args', 'query');
    assertSqlError(await rejects(invoke('plugin:sql|load', {})), 'invalid_args', 'db');
    // A number JSON cannot carry as an integer never reaches SQLite.
    const big = await rejects(db.select('SELECT $1', [2 ** 64]));
    assert(big && typeof big.message === 'string' && big.message.includes('integer'),
      describe(big));
    console.log(`sql: 2 ** 64 as a bind value: ${describe(big)}`);
    assertEqual(await db.select('SELECT count(*) AS n FROM items'), [{ n: 4 }]);
  });

  test('paths outside the data directory are refused', async () => {
    for (const url of ['sqlite:../escape.db', 'sqlite:a/../../escape.db',
      'sqlite:%2e%2e/escape.db', 'sqlite:/tmp/escape.db', 'sqlite://tmp/escape.db'])
      assertSqlError(await rejects(Database.load(url), url), 'forbidden', "app's data directory");
    assertSqlError(await rejects(Database.load('mysql://user:pw@localhost/db')), 'invalid_args',
      'Keel opens SQLite databases only');
    assertSqlError(await rejects(Database.load('sqlite:')), 'invalid_args', 'database file is empty');
    assertSqlError(await rejects(Database.load('sqlite:x.db?mode=ro')), 'invalid_args',
      'options');
    assertSqlError(await rejects(Database.get('sqlite:../escape.db').select('SELECT 1')),
      'forbidden', '".."');
  });

  test('a database not loaded is refused, naming load', async () => {
    assertSqlError(await rejects(Database.get('sqlite:never.db').select('SELECT 1')),
      'not_found', 'database "sqlite:never.db" is not loaded', 'Database.load("sqlite:never.db")');
    assertSqlError(await rejects(db.close('sqlite:never.db')), 'not_found', 'not loaded');
  });

  test('spellings of one file share its connection; subdirectories are made', async () => {
    const same = await Database.load('sqlite:./test.db');
    assertEqual(same.path, 'sqlite:./test.db');
    assertEqual(await same.select('SELECT count(*) AS n FROM items'), [{ n: 4 }]);
    const nested = await Database.load('sqlite:sub/dir/nested.db');
    await nested.execute('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    assertEqual(await nested.select('SELECT x FROM t'), [{ x: 1 }]);
  });

  test('a slow query runs off the main thread', async () => {
    const slowDb = await Database.load('sqlite:slow.db');
    const order = [];
    const started = performance.now();
    const slow = slowDb.select(
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) ' +
      'SELECT count(*) AS n FROM c').then((rows) => {
      order.push('slow');
      return { rows, ms: performance.now() - started };
    });
    // The core answers other calls, and other databases, meanwhile.
    const t0 = performance.now();
    assertEqual(await invoke('echo', { value: 1 }), 1);
    const echoMs = performance.now() - t0;
    assertEqual(await db.select('SELECT 1 AS one'), [{ one: 1 }]);
    order.push('fast');
    const { rows, ms } = await slow;
    assertEqual(rows, [{ n: 5000000 }]);
    assertEqual(order, ['fast', 'slow']);
    console.log(`sql: echo answered in ${echoMs.toFixed(1)} ms during a ${ms.toFixed(0)} ms query`);
    assert(echoMs < ms / 2, `echo took ${echoMs} ms while the query took ${ms} ms`);
  });

  test('migrations ran once at load; down migrations not at all', async () => {
    const migrated = await Database.load('sqlite:migrated.db');
    assertEqual(await migrated.select('SELECT id, body FROM notes'),
      [{ id: 1, body: 'seeded by migration 2' }]);
    assertEqual(await migrated.select(
      'SELECT version, description FROM _keel_migrations ORDER BY version'),
    [{ version: 1, description: 'create notes' }, { version: 2, description: 'seed notes' }]);
    await Database.load('sqlite:migrated.db');
    assertEqual(await migrated.select('SELECT count(*) AS n FROM notes'), [{ n: 1 }]);
  });

  test('a failing migration rejects load with SQLite\'s message', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await rejects(Database.load('sqlite:broken.db'));
      assertSqlError(error, 'sql_error', 'cannot load "sqlite:broken.db"',
        'migration 2 (refer to a missing table) failed', 'no such table: missing_table');
      assertEqual(error.sqliteCode, 1);
    }
    assertSqlError(await rejects(Database.get('sqlite:broken.db').select('SELECT 1')),
      'not_found', 'not loaded');
  });

  test('two windows share one connection: one writes, the other reads', async () => {
    const shared = await Database.load('sqlite:shared.db');
    await shared.execute('CREATE TABLE shared (v TEXT); INSERT INTO shared VALUES ($1)',
      ['from main']);
    await shared.execute("CREATE TEMP TABLE marker (v); INSERT INTO temp.marker VALUES ('temp')");
    const memory = await Database.load('sqlite::memory:');
    await memory.execute("CREATE TABLE kept (v); INSERT INTO kept VALUES ('in memory')");
    const done = new Promise((resolve) => listen('reader-done', (e) => resolve(e.payload)));
    new WebviewWindow('reader', { url: 'index.html', width: 200, height: 150 });
    const seen = await done;
    assertEqual(seen, {
      rows: [{ v: 'from main' }],
      temp: [{ v: 'temp' }],
      memory: [{ v: 'in memory' }],
      insert: { lastInsertId: 2, rowsAffected: 1 },
    });
    assertEqual(await shared.select('SELECT v FROM shared ORDER BY rowid'),
      [{ v: 'from main' }, { v: 'from reader' }]);
  });

  test('close closes one database, then all; closed ones must be loaded again', async () => {
    const closing = await Database.load('sqlite:closing.db');
    await closing.execute("CREATE TABLE t (x); INSERT INTO t VALUES ('kept')");
    assertEqual(await closing.close('sqlite:closing.db'), true);
    assertSqlError(await rejects(closing.select('SELECT x FROM t')), 'not_found', 'not loaded');
    assertEqual(await db.select('SELECT count(*) AS n FROM items'), [{ n: 4 }], 'others stay');
    await Database.load('sqlite:closing.db');
    assertEqual(await closing.select('SELECT x FROM t'), [{ x: 'kept' }]);
    // Without a name, as in Tauri: every database.
    assertEqual(await closing.close(), true);
    assertSqlError(await rejects(db.select('SELECT 1')), 'not_found', 'not loaded');
    assertSqlError(await rejects(closing.select('SELECT 1')), 'not_found', 'not loaded');
    assertEqual(await closing.close(), true, 'closing nothing');
    db = await Database.load('sqlite:test.db');
    assertEqual(await db.select('SELECT count(*) AS n FROM items'), [{ n: 4 }]);
  });

  run();
}
