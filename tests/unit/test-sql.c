/* Unit tests of plugins/sql/sql-db.c: database URLs, bind values, rows as
 * JSON, multi-statement queries, errors, and migrations. No app, no
 * display: databases in memory or in a temporary directory. */
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "sql/sql-db.h"
#include "test-tree.h"

/* --- URLs ---------------------------------------------------------------- */

typedef struct
{
  const char *url;
  const char *name; /* NULL: refused */
  int code;         /* when refused */
  const char *message;
} UrlCase;

static void
test_urls (void)
{
  static const UrlCase cases[] = {
    { "sqlite:notes.db", "notes.db" },
    { "sqlite:./notes.db", "notes.db" },
    { "sqlite:sub//dir/./x.db", "sub/dir/x.db" },
    { "sqlite:my%20notes.db", "my notes.db" },
    { "sqlite:caf%C3%A9.db", "café.db" },
    { "sqlite:café.db", "café.db" },
    { "sqlite:..notes.db", "..notes.db" },
    { "sqlite::memory:", ":memory:" },
    { "sqlite:../x.db", NULL, KEEL_ERROR_FORBIDDEN, "could leave the app's data directory" },
    { "sqlite:a/../../x.db", NULL, KEEL_ERROR_FORBIDDEN, "database file \"a/../../x.db\" contains \"..\"" },
    { "sqlite:a/..", NULL, KEEL_ERROR_FORBIDDEN, "\"..\"" },
    { "sqlite:%2e%2e/x.db", NULL, KEEL_ERROR_FORBIDDEN, "\"..\"" },
    { "sqlite:%2E%2E%2Fx.db", NULL, KEEL_ERROR_FORBIDDEN, "\"..\"" },
    { "sqlite:/etc/x.db", NULL, KEEL_ERROR_FORBIDDEN, "database file \"/etc/x.db\" is absolute" },
    { "sqlite://etc/x.db", NULL, KEEL_ERROR_FORBIDDEN, "is absolute" },
    { "sqlite:%2Fetc%2Fx.db", NULL, KEEL_ERROR_FORBIDDEN, "absolute" },
    { "sqlite:", NULL, KEEL_ERROR_INVALID, "the database file is empty" },
    { "sqlite:.", NULL, KEEL_ERROR_INVALID, "names the data directory itself" },
    { "sqlite:dir/", NULL, KEEL_ERROR_INVALID, "names a directory" },
    { "sqlite:a%0Ab.db", NULL, KEEL_ERROR_INVALID, "control character 0x0a" },
    { "sqlite:x.db?mode=ro", NULL, KEEL_ERROR_INVALID, "has options after \"?\"" },
    { "sqlite:x%00.db", NULL, KEEL_ERROR_INVALID, "invalid %-escape" },
    { "sqlite:x%zz.db", NULL, KEEL_ERROR_INVALID, "invalid %-escape" },
    { "sqlite:x%ff.db", NULL, KEEL_ERROR_INVALID, "not UTF-8" },
    { "mysql://user@host/db", NULL, KEEL_ERROR_INVALID, "Keel opens SQLite databases only" },
    { "postgres://localhost/db", NULL, KEEL_ERROR_INVALID, "is not supported" },
    { "notes.db", NULL, KEEL_ERROR_INVALID, "\"sqlite:NAME.db\"" },
    { "SQLITE:notes.db", NULL, KEEL_ERROR_INVALID, "is not supported" },
    { "", NULL, KEEL_ERROR_INVALID, "database URL \"\" is not supported" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = NULL, *path = NULL;
      g_test_message ("url %s", cases[i].url);
      gboolean ok = keel__sql_resolve_url (cases[i].url, "/data/app", &name, &path, &error);
      if (cases[i].name != NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (name, ==, cases[i].name);
          g_autofree char *expected = strcmp (name, ":memory:") == 0
                                        ? g_strdup (":memory:")
                                        : g_build_filename ("/data/app", name, NULL);
          g_assert_cmpstr (path, ==, expected);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, KEEL_ERROR, cases[i].code);
          g_assert_nonnull (strstr (error->message, cases[i].message));
          g_assert_null (name);
          g_assert_null (path);
        }
    }
}

/* A database is never opened through a symbolic link below the data
 * directory (one could lead anywhere), as stores are not. */
static void
test_url_links (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("keel-sql-links-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *link = g_build_filename (dir, "elsewhere", NULL);
  g_assert_cmpint (symlink ("/tmp", link), ==, 0);
  char *name = NULL, *path = NULL;
  g_assert_false (keel__sql_resolve_url ("sqlite:elsewhere/x.db", dir, &name, &path, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_assert_null (name);
  g_assert_null (path);
  g_clear_error (&error);
  g_assert_true (keel__sql_resolve_url ("sqlite:./here//x.db", dir, &name, &path, &error));
  g_assert_cmpstr (name, ==, "here/x.db");
  g_free (name);
  g_free (path);
  g_remove (link);
  g_rmdir (dir);
}

static void
test_url_messages (void)
{
  g_autoptr (GError) error = NULL;
  char *name = NULL, *path = NULL;
  g_autoptr (GString) url = g_string_new ("sqlite:../");
  for (int i = 0; i < 1000; i++)
    g_string_append (url, "é");
  g_assert_false (keel__sql_resolve_url (url->str, "/data/app", &name, &path, &error));
  /* A long URL is cut short, on a character boundary, in the message. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpint (strlen (error->message), <, 600);
  g_assert_nonnull (strstr (error->message, "\"…"));
  g_assert_nonnull (strstr (error->message, "(/data/app)"));

  /* More than 100 bytes in fewer than 100 characters, and bytes that are
   * no UTF-8 at all: cut within the text (found by fuzz-sql under ASan),
   * and the message is still UTF-8. */
  static const char *const pieces[] = { "é", "\xff\xff" }; /* 120 bytes each time */
  for (gsize p = 0; p < G_N_ELEMENTS (pieces); p++)
    {
      g_autoptr (GError) cut_error = NULL;
      g_autoptr (GString) odd = g_string_new ("sqlite:../");
      for (int i = 0; i < 60; i++)
        g_string_append (odd, pieces[p]);
      g_assert_false (keel__sql_resolve_url (odd->str, "/data/app", &name, &path, &cut_error));
      g_assert_true (g_utf8_validate (cut_error->message, -1, NULL));
      g_assert_nonnull (strstr (cut_error->message, "\"…"));
    }
  /* A short one is shown whole, made UTF-8. */
  g_autoptr (GError) short_error = NULL;
  g_assert_false (keel__sql_resolve_url ("mysql:\xff", "/data/app", &name, &path, &short_error));
  g_assert_true (g_utf8_validate (short_error->message, -1, NULL));
  g_assert_nonnull (strstr (short_error->message, "\"mysql:\xef\xbf\xbd\" is not supported"));
}

/* --- values -------------------------------------------------------------- */

static void
test_check_values (void)
{
  static const char *const good[] = { "[]", "[null, true, false, 0, -1, 1.5, \"\", \"x\"]" };
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      json_t *values = json_loads (good[i], 0, NULL);
      g_assert_true (keel__sql_check_values (values, "plugin:sql|execute", &error));
      json_decref (values);
    }
  static const struct
  {
    const char *json, *message;
  } bad[] = {
    { "[1, {\"a\": 1}]", "plugin:sql|execute: values[1] is an object; a bind value is null" },
    { "[[1, 2]]", "values[0] is an array" },
    { "{}", "\"values\" must be an array of bind values, not an object" },
    { "2.5", "\"values\" must be an array of bind values, not a number with a fraction" },
    { "\"x\"", "not a string" },
    { "3", "not an integer" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      json_t *values = json_loads (bad[i].json, JSON_DECODE_ANY, NULL);
      g_assert_false (keel__sql_check_values (values, "plugin:sql|execute", &error));
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[i].message));
      json_decref (values);
    }
}

static sqlite3 *
open_memory (void)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = keel__sql_open (":memory:", &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

/* Runs a query with values given as JSON text; returns the rows as JSON
 * text (select), or NULL with @error set. */
static char *
run (sqlite3 *db, const char *query, const char *values_json, gint64 *affected, gint64 *last,
     GError **error)
{
  json_t *values = json_loads (values_json != NULL ? values_json : "[]", 0, NULL);
  g_assert_nonnull (values);
  json_t *rows = json_array ();
  char *text = NULL;
  if (keel__sql_run (db, query, values, rows, affected, last, error))
    text = json_dumps (rows, JSON_COMPACT);
  json_decref (rows);
  json_decref (values);
  return text;
}

static void
assert_rows (sqlite3 *db, const char *query, const char *values, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rows = run (db, query, values, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rows, ==, expected);
}

static void
assert_refused (sqlite3 *db, const char *query, const char *values, GQuark domain, int code,
                const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rows = run (db, query, values, NULL, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, domain, code);
  if (strstr (error->message, message) == NULL)
    g_error ("\"%s\" is not in \"%s\"", message, error->message);
}

/* The row values compared one by one, jansson's spelling of reals aside. */
static void
test_type_mapping (void)
{
  sqlite3 *db = open_memory ();
  json_t *values = json_loads ("[null, true, false, 7, -9007199254740993, 0.5, \"ünïcode ✓\", "
                               "\"nul\\u0000inside\"]", JSON_ALLOW_NUL, NULL);
  json_t *rows = json_array ();
  g_autoptr (GError) error = NULL;
  g_assert_true (keel__sql_run (db,
                                "SELECT ?1 AS n, ?2 AS t, ?3 AS f, ?4 AS i, ?5 AS big, ?6 AS r, "
                                "?7 AS s, ?8 AS z, x'00ff10' AS b, zeroblob(0) AS empty, "
                                "9e999 AS inf, -9e999 AS ninf, CAST(x'c328' AS TEXT) AS bad",
                                values, rows, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (json_array_size (rows), ==, 1);
  json_t *row = json_array_get (rows, 0);
  g_assert_true (json_is_null (json_object_get (row, "n")));
  g_assert_cmpint (json_integer_value (json_object_get (row, "t")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (row, "f")), ==, 0);
  g_assert_true (json_is_integer (json_object_get (row, "i")));
  g_assert_cmpint (json_integer_value (json_object_get (row, "i")), ==, 7);
  g_assert_cmpint (json_integer_value (json_object_get (row, "big")), ==, G_GINT64_CONSTANT (-9007199254740993));
  g_assert_true (json_is_real (json_object_get (row, "r")));
  g_assert_cmpfloat (json_real_value (json_object_get (row, "r")), ==, 0.5);
  g_assert_cmpstr (json_string_value (json_object_get (row, "s")), ==, "ünïcode ✓");
  g_assert_cmpint (json_string_length (json_object_get (row, "z")), ==, 10);
  g_assert_cmpmem (json_string_value (json_object_get (row, "z")), 10, "nul\0inside", 10);
  g_autofree char *blob = json_dumps (json_object_get (row, "b"), JSON_COMPACT);
  g_assert_cmpstr (blob, ==, "[0,255,16]");
  g_assert_cmpint (json_array_size (json_object_get (row, "empty")), ==, 0);
  g_assert_true (json_is_array (json_object_get (row, "empty")));
  g_assert_true (json_is_null (json_object_get (row, "inf")));
  g_assert_true (json_is_null (json_object_get (row, "ninf")));
  /* Text that is not UTF-8: the bad byte becomes U+FFFD. */
  g_assert_cmpstr (json_string_value (json_object_get (row, "bad")), ==, "\xef\xbf\xbd(");
  /* Column order is the query's. */
  const char *key;
  json_t *value;
  GString *order = g_string_new (NULL);
  json_object_foreach (row, key, value)
    g_string_append_printf (order, "%s,", key);
  g_assert_cmpstr (order->str, ==, "n,t,f,i,big,r,s,z,b,empty,inf,ninf,bad,");
  g_string_free (order, TRUE);
  json_decref (rows);
  json_decref (values);
  sqlite3_close (db);
}

static void
test_duplicate_columns (void)
{
  sqlite3 *db = open_memory ();
  /* As Tauri's IndexMap: the first place, the last value. */
  assert_rows (db, "SELECT 1 AS a, 2 AS b, 3 AS a", NULL, "[{\"a\":3,\"b\":2}]");
  assert_rows (db, "SELECT 1 WHERE 0", NULL, "[]");
  sqlite3_close (db);
}

/* --- placeholders -------------------------------------------------------- */

static void
test_placeholders (void)
{
  sqlite3 *db = open_memory ();
  assert_rows (db, "SELECT $2 AS a, $1 AS b, $2 AS c", "[\"one\", \"two\"]",
               "[{\"a\":\"two\",\"b\":\"one\",\"c\":\"two\"}]");
  assert_rows (db, "SELECT ?2 AS a, ?1 AS b", "[1, 2]", "[{\"a\":2,\"b\":1}]");
  assert_rows (db, "SELECT ? AS a, ? AS b", "[1, 2]", "[{\"a\":1,\"b\":2}]");
  assert_rows (db, "SELECT ?3 AS c, ?1 AS a, ?2 AS b", "[1, 2, 3]", "[{\"c\":3,\"a\":1,\"b\":2}]");
  /* `?` counts on across statements; $N always means value N. */
  assert_rows (db, "SELECT ? AS a; SELECT ? AS b; SELECT $1 AS c", "[1, 2]",
               "[{\"a\":1},{\"b\":2},{\"c\":1}]");
  /* A placeholder inside a string literal or a comment is no placeholder. */
  assert_rows (db, "SELECT '?' AS q, '$1' AS d -- ?\n /* $2 */", NULL, "[{\"q\":\"?\",\"d\":\"$1\"}]");
  assert_rows (db, "", NULL, "[]");
  assert_rows (db, "  ;; -- nothing\n", NULL, "[]");

  assert_refused (db, "SELECT $1, $2", "[1]", KEEL_ERROR, KEEL_ERROR_INVALID,
                  "the query uses placeholder \"$2\" but 1 bind value was given");
  assert_refused (db, "SELECT ?, ?", "[]", KEEL_ERROR, KEEL_ERROR_INVALID,
                  "placeholder \"?\" number 1 but 0 bind values were given");
  assert_refused (db, "SELECT $1", "[1, 2]", KEEL_ERROR, KEEL_ERROR_INVALID,
                  "2 bind values were given, but no placeholder of the query takes value 2 ($2)");
  assert_refused (db, "SELECT 1", "[1]", KEEL_ERROR, KEEL_ERROR_INVALID,
                  "no placeholder of the query takes value 1");
  assert_refused (db, "", "[1]", KEEL_ERROR, KEEL_ERROR_INVALID, "takes value 1");
  assert_refused (db, "SELECT ?3", "[1, 2, 3]", KEEL_ERROR, KEEL_ERROR_INVALID, "takes value 1");
  assert_refused (db, "SELECT :name", "[1]", KEEL_ERROR, KEEL_ERROR_INVALID,
                  "placeholder \":name\" is not supported");
  assert_refused (db, "SELECT @x", "[1]", KEEL_ERROR, KEEL_ERROR_INVALID, "\"@x\"");
  assert_refused (db, "SELECT $name", "[1]", KEEL_ERROR, KEEL_ERROR_INVALID, "\"$name\"");
  assert_refused (db, "SELECT $0", "[1]", KEEL_ERROR, KEEL_ERROR_INVALID, "\"$0\"");
  assert_refused (db, "SELECT ?2, ?", "[1, 2, 3]", KEEL_ERROR, KEEL_ERROR_INVALID,
                  "mixes \"?\" with \"?N\"");
  sqlite3_close (db);
}

/* --- statements, changes, errors ----------------------------------------- */

static void
test_changes (void)
{
  sqlite3 *db = open_memory ();
  g_autoptr (GError) error = NULL;
  gint64 affected = -1, last = -1;
  g_autofree char *a = run (db,
                            "CREATE TABLE t (id INTEGER PRIMARY KEY, v);"
                            "CREATE TABLE log (x);"
                            "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (1); END;"
                            "INSERT INTO t (v) VALUES ($1), ($2);"
                            "INSERT INTO t (v) VALUES ($3)",
                            "[1, 2, 3]", &affected, &last, &error);
  g_assert_no_error (error);
  /* Three rows inserted; the trigger's three and the DDL do not count. */
  g_assert_cmpint (affected, ==, 3);
  g_assert_cmpint (last, ==, 3);
  g_autofree char *b = run (db, "UPDATE t SET v = v + 1; CREATE TABLE u (x)", NULL, &affected, &last,
                            &error);
  g_assert_no_error (error);
  /* A DDL statement after a DML one does not repeat its count. */
  g_assert_cmpint (affected, ==, 3);
  g_autofree char *c = run (db, "UPDATE t SET v = 0 WHERE id > 100", NULL, &affected, &last, &error);
  g_assert_cmpint (affected, ==, 0);
  g_autofree char *d = run (db, "DELETE FROM t WHERE id < 3 RETURNING id", NULL, &affected, &last,
                            &error);
  g_assert_cmpstr (d, ==, "[{\"id\":1},{\"id\":2}]");
  g_assert_cmpint (affected, ==, 2);
  sqlite3_close (db);
}

static void
test_errors (void)
{
  sqlite3 *db = open_memory ();
  assert_rows (db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)", NULL, "[]");
  assert_refused (db, "SELEC 1", NULL, KEEL__SQLITE_ERROR, SQLITE_ERROR,
                  "near \"SELEC\": syntax error");
  assert_refused (db, "SELECT * FROM nope", NULL, KEEL__SQLITE_ERROR, SQLITE_ERROR,
                  "no such table: nope");
  assert_rows (db, "INSERT INTO t (name) VALUES ('a')", NULL, "[]");
  assert_refused (db, "INSERT INTO t (name) VALUES ('a')", NULL, KEEL__SQLITE_ERROR,
                  SQLITE_CONSTRAINT_UNIQUE, "UNIQUE constraint failed: t.name");
  assert_refused (db, "INSERT INTO t (name) VALUES (NULL)", NULL, KEEL__SQLITE_ERROR,
                  SQLITE_CONSTRAINT_NOTNULL, "NOT NULL constraint failed: t.name");
  /* The connection is as good as before. */
  assert_rows (db, "SELECT name FROM t", NULL, "[{\"name\":\"a\"}]");
  sqlite3_close (db);
}

static void
test_failure_midway (void)
{
  sqlite3 *db = open_memory ();
  assert_rows (db, "CREATE TABLE t (x)", NULL, "[]");
  /* Without a transaction, the statements before the failing one stay. */
  assert_refused (db, "INSERT INTO t VALUES (1); INSERT INTO nope VALUES (2)", NULL,
                  KEEL__SQLITE_ERROR, SQLITE_ERROR, "no such table: nope");
  assert_rows (db, "SELECT x FROM t", NULL, "[{\"x\":1}]");
  /* A transaction the query opened is rolled back when it fails... */
  assert_refused (db, "BEGIN; INSERT INTO t VALUES (2); INSERT INTO nope VALUES (3); COMMIT", NULL,
                  KEEL__SQLITE_ERROR, SQLITE_ERROR, "no such table: nope");
  g_assert_true (sqlite3_get_autocommit (db));
  assert_rows (db, "SELECT x FROM t", NULL, "[{\"x\":1}]");
  /* ... as it is when a bind value is missing midway. */
  assert_refused (db, "BEGIN; INSERT INTO t VALUES (2); INSERT INTO t VALUES ($2); COMMIT", "[]",
                  KEEL_ERROR, KEEL_ERROR_INVALID, "\"$2\"");
  g_assert_true (sqlite3_get_autocommit (db));
  /* A transaction opened by an earlier call is the caller's: left open. */
  assert_rows (db, "BEGIN", NULL, "[]");
  assert_refused (db, "INSERT INTO nope VALUES (1)", NULL, KEEL__SQLITE_ERROR, SQLITE_ERROR, "nope");
  g_assert_false (sqlite3_get_autocommit (db));
  assert_rows (db, "INSERT INTO t VALUES (4); COMMIT", NULL, "[]");
  assert_rows (db, "SELECT x FROM t", NULL, "[{\"x\":1},{\"x\":4}]");
  /* A value left over is found before the last statement runs. */
  assert_refused (db, "INSERT INTO t VALUES ($1); INSERT INTO t VALUES (5)", "[3, 9]", KEEL_ERROR,
                  KEEL_ERROR_INVALID, "takes value 2");
  assert_rows (db, "SELECT x FROM t", NULL, "[{\"x\":1},{\"x\":4},{\"x\":3}]");
  sqlite3_close (db);
}

/* --- files ----------------------------------------------------------------- */

static char *
scratch_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("keel-test-sql-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
test_open_file (void)
{
  g_autofree char *dir = scratch_dir ();
  g_autofree char *path = g_build_filename (dir, "a", "b", "x.db", NULL);
  g_autoptr (GError) error = NULL;
  sqlite3 *db = keel__sql_open (path, &error);
  g_assert_no_error (error);
  /* The directories were made; WAL, foreign keys and the timeout are on. */
  assert_rows (db, "PRAGMA journal_mode", NULL, "[{\"journal_mode\":\"wal\"}]");
  assert_rows (db, "PRAGMA foreign_keys", NULL, "[{\"foreign_keys\":1}]");
  assert_rows (db, "PRAGMA busy_timeout", NULL, "[{\"timeout\":5000}]");
  assert_rows (db, "CREATE TABLE t (x); INSERT INTO t VALUES ('kept')", NULL, "[]");
  sqlite3_close (db);
  db = keel__sql_open (path, &error);
  g_assert_no_error (error);
  assert_rows (db, "SELECT x FROM t", NULL, "[{\"x\":\"kept\"}]");
  sqlite3_close (db);

  /* A file that is not a database fails at open, with SQLite's message. */
  g_autofree char *junk = g_build_filename (dir, "junk.db", NULL);
  g_assert_true (g_file_set_contents (junk, "this is not a database, not at all; no header here",
                                      -1, NULL));
  g_assert_null (keel__sql_open (junk, &error));
  g_assert_error (error, KEEL__SQLITE_ERROR, SQLITE_NOTADB);
  g_assert_nonnull (strstr (error->message, "file is not a database"));
  g_clear_error (&error);

  /* A directory where the file should be. */
  g_autofree char *sub = g_build_filename (dir, "a", NULL);
  g_assert_null (keel__sql_open (sub, &error));
  g_assert_true (error->domain == KEEL__SQLITE_ERROR);
  g_clear_error (&error);

  /* A file where a directory should be. */
  g_autofree char *under_file = g_build_filename (junk, "x.db", NULL);
  g_assert_null (keel__sql_open (under_file, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "cannot create the directory"));
  remove_tree (dir);
}

/* --- migrations ------------------------------------------------------------ */

static GPtrArray *
steps_of (const KeelSqlMigration *migrations, gsize n)
{
  GPtrArray *steps = g_ptr_array_new_with_free_func ((GDestroyNotify) keel__sql_step_free);
  for (gsize i = 0; i < n; i++)
    {
      KeelSqlStep *step = g_new0 (KeelSqlStep, 1);
      *step = (KeelSqlStep) { migrations[i].version, g_strdup (migrations[i].description),
                              g_strdup (migrations[i].sql),
                              migrations[i].kind == KEEL_SQL_MIGRATION_UP };
      g_ptr_array_add (steps, step);
    }
  return steps;
}

static void
migrate (sqlite3 *db, const KeelSqlMigration *migrations, gsize n, GError **error)
{
  g_autoptr (GPtrArray) steps = steps_of (migrations, n);
  gboolean ok = keel__sql_migrate (db, steps, error);
  g_assert_true (ok == (error == NULL || *error == NULL));
}

static const char *const SCHEMA =
  "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
static const char *const APPLIED = "SELECT version, description FROM _keel_migrations ORDER BY version";

static void
test_migrations (void)
{
  static const KeelSqlMigration good[] = {
    { 1, "create a", "CREATE TABLE a (x); INSERT INTO a VALUES (1);", KEEL_SQL_MIGRATION_UP },
    { 2, "create b", "CREATE TABLE b (y);", KEEL_SQL_MIGRATION_UP },
    { 2, "drop b", "DROP TABLE b;", KEEL_SQL_MIGRATION_DOWN },
  };
  g_autofree char *dir = scratch_dir ();
  g_autofree char *path = g_build_filename (dir, "m.db", NULL);
  g_autoptr (GError) error = NULL;
  sqlite3 *db = keel__sql_open (path, &error);

  /* No migrations: nothing happens, not even the table. */
  migrate (db, NULL, 0, &error);
  g_assert_no_error (error);
  assert_rows (db, SCHEMA, NULL, "[]");

  migrate (db, good, G_N_ELEMENTS (good), &error);
  g_assert_no_error (error);
  assert_rows (db, SCHEMA, NULL, "[{\"name\":\"_keel_migrations\"},{\"name\":\"a\"},{\"name\":\"b\"}]");
  assert_rows (db, APPLIED, NULL,
               "[{\"version\":1,\"description\":\"create a\"},{\"version\":2,\"description\":\"create b\"}]");
  /* Applied once: running them again changes nothing (the INSERT of 1
   * would otherwise add a row), here and after reopening. */
  migrate (db, good, G_N_ELEMENTS (good), &error);
  g_assert_no_error (error);
  sqlite3_close (db);
  db = keel__sql_open (path, &error);
  migrate (db, good, G_N_ELEMENTS (good), &error);
  g_assert_no_error (error);
  assert_rows (db, "SELECT x FROM a", NULL, "[{\"x\":1}]");

  /* A third one that fails midway is rolled back entirely. */
  static const KeelSqlMigration failing[] = {
    good[0], good[1], good[2],
    { 3, "add c", "CREATE TABLE c (z); INSERT INTO a VALUES (2); INSERT INTO nope VALUES (1);",
      KEEL_SQL_MIGRATION_UP },
    { 4, "add d", "CREATE TABLE d (w);", KEEL_SQL_MIGRATION_UP },
  };
  migrate (db, failing, G_N_ELEMENTS (failing), &error);
  g_assert_error (error, KEEL__SQLITE_ERROR, SQLITE_ERROR);
  g_assert_nonnull (strstr (error->message, "migration 3 (add c) failed"));
  g_assert_nonnull (strstr (error->message, "no such table: nope"));
  g_clear_error (&error);
  assert_rows (db, SCHEMA, NULL, "[{\"name\":\"_keel_migrations\"},{\"name\":\"a\"},{\"name\":\"b\"}]");
  assert_rows (db, "SELECT x FROM a", NULL, "[{\"x\":1}]");
  assert_rows (db, "SELECT max(version) AS v FROM _keel_migrations", NULL, "[{\"v\":2}]");
  g_assert_true (sqlite3_get_autocommit (db));

  /* Changing an applied migration is refused before anything runs. */
  static const KeelSqlMigration edited[] = {
    { 1, "create a", "CREATE TABLE a (x, extra);", KEEL_SQL_MIGRATION_UP },
    { 2, "create b", "CREATE TABLE b (y);", KEEL_SQL_MIGRATION_UP },
    { 3, "add d", "CREATE TABLE d (w);", KEEL_SQL_MIGRATION_UP },
  };
  migrate (db, edited, G_N_ELEMENTS (edited), &error);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "migration 1 (create a) was changed after it was applied"));
  g_clear_error (&error);
  /* So is a database that records a migration the app does not declare. */
  migrate (db, good, 1, &error);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "records migration 2, which the app does not declare"));
  g_clear_error (&error);
  assert_rows (db, SCHEMA, NULL, "[{\"name\":\"_keel_migrations\"},{\"name\":\"a\"},{\"name\":\"b\"}]");

  /* A migration may not end its own transaction. */
  static const KeelSqlMigration committing[] = {
    good[0], good[1],
    { 5, "commits", "CREATE TABLE e (v); COMMIT;", KEEL_SQL_MIGRATION_UP },
  };
  migrate (db, committing, G_N_ELEMENTS (committing), &error);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "ended the transaction it runs in"));
  g_clear_error (&error);
  g_assert_true (sqlite3_get_autocommit (db));
  sqlite3_close (db);
  remove_tree (dir);
}

static void
test_failing_first_migration (void)
{
  /* On a fresh database, a failing first migration leaves it empty: not
   * even the migrations table is created. */
  static const KeelSqlMigration failing[] = {
    { 1, "broken", "CREATE TABLE b (x); INSERT INTO nope VALUES (1);", KEEL_SQL_MIGRATION_UP },
  };
  sqlite3 *db = open_memory ();
  g_autoptr (GError) error = NULL;
  migrate (db, failing, 1, &error);
  g_assert_error (error, KEEL__SQLITE_ERROR, SQLITE_ERROR);
  g_assert_nonnull (strstr (error->message, "migration 1 (broken) failed"));
  assert_rows (db, SCHEMA, NULL, "[]");
  sqlite3_close (db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sql/urls", test_urls);
  g_test_add_func ("/sql/url-messages", test_url_messages);
  g_test_add_func ("/sql/url-links", test_url_links);
  g_test_add_func ("/sql/check-values", test_check_values);
  g_test_add_func ("/sql/type-mapping", test_type_mapping);
  g_test_add_func ("/sql/duplicate-columns", test_duplicate_columns);
  g_test_add_func ("/sql/placeholders", test_placeholders);
  g_test_add_func ("/sql/changes", test_changes);
  g_test_add_func ("/sql/errors", test_errors);
  g_test_add_func ("/sql/failure-midway", test_failure_midway);
  g_test_add_func ("/sql/open-file", test_open_file);
  g_test_add_func ("/sql/migrations", test_migrations);
  g_test_add_func ("/sql/failing-first-migration", test_failing_first_migration);
  return g_test_run ();
}
