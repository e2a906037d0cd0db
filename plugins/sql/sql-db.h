/* sql-db.h — the SQL plugin's work on SQLite, without the app around it.
 *
 * Everything here is plain GLib, jansson and SQLite: it resolves database
 * URLs, binds JSON values, turns rows into JSON and runs migrations. The
 * plugin (sql.c) calls it from its connections' worker threads; the unit
 * tests (tests/unit/test-sql.c) call it directly. A function taking a
 * sqlite3 handle must not run concurrently with another on the same handle.
 *
 * Errors come in two domains: KEEL_ERROR (KEEL_ERROR_INVALID for bad input,
 * KEEL_ERROR_FORBIDDEN for a path leaving the data directory,
 * KEEL_ERROR_NOT_FOUND) and KEEL__SQLITE_ERROR, whose codes are SQLite's
 * extended result codes and whose messages are SQLite's. */
#pragma once

#include <sqlite3.h>

#include "keel/keel.h"

#define KEEL__SQLITE_ERROR (keel__sqlite_error_quark ())
GQuark keel__sqlite_error_quark (void);

/* The table where applied migrations are recorded. */
#define KEEL__SQL_MIGRATIONS_TABLE "_keel_migrations"

/* How long a statement waits for another connection's lock (another
 * process on the same file) before failing with SQLITE_BUSY; sqlx's. */
#define KEEL__SQL_BUSY_TIMEOUT_MS 5000

/**
 * keel__sql_resolve_url:
 * @url: "sqlite:NAME" where NAME is a relative path, percent-decoded as
 *   sqlx does; or "sqlite::memory:".
 * @data_dir: the app's data directory.
 * @name: (out): the database's name: NAME with "." components and repeated
 *   slashes removed, or ":memory:". Spellings of one file share a name.
 * @path: (out): the file, @data_dir/NAME, or ":memory:".
 *
 * Refuses another scheme, URL options ("?mode=ro"), invalid percent-encoding
 * and anything that is not UTF-8 (KEEL_ERROR_INVALID); NAME, decoded, goes
 * through keel_resolve_path_below() (absolute paths, "..", links below
 * @data_dir, an empty name...).
 */
gboolean keel__sql_resolve_url (const char *url, const char *data_dir, char **name, char **path,
                                GError **error);

/**
 * keel__sql_check_values:
 * @values: what a page sent as bind values.
 * @command: for messages.
 *
 * An array of null, booleans, numbers and strings passes; anything else
 * (objects, arrays, a non-array) is KEEL_ERROR_INVALID naming the index.
 */
gboolean keel__sql_check_values (json_t *values, const char *command, GError **error);

/**
 * keel__sql_open:
 * @path: a file (its directory is created, mode 0700) or ":memory:".
 *
 * Opens (creating it if needed) with extended result codes, WAL journal,
 * foreign keys on and the busy timeout.
 *
 * Returns: the handle, or NULL with @error set.
 */
sqlite3 *keel__sql_open (const char *path, GError **error);

/**
 * keel__sql_run:
 * @query: one or more statements, run in order.
 * @values: a checked array (keel__sql_check_values()). `?` takes the next
 *   value, counting on across statements; `?N` and `$N` take value N
 *   (1-based). A number beyond the values, a value no placeholder uses, or
 *   another placeholder form (":name") is KEEL_ERROR_INVALID, reported
 *   before the statement concerned runs.
 * @rows: (nullable): an array to which every result row of every statement
 *   is appended as an object; NULL to discard them.
 * @rows_affected: (out) (optional): rows inserted, updated or deleted by the
 *   statements, summed (triggers' changes not counted).
 * @last_insert_id: (out) (optional): the connection's last inserted rowid
 *   afterwards.
 *
 * Stops at the first failing statement; the ones before it keep their
 * effect, unless @query opened a transaction that is still open then: it
 * is rolled back, so no call leaves the shared connection in a transaction
 * it did not find it in.
 */
gboolean keel__sql_run (sqlite3 *db, const char *query, json_t *values, json_t *rows,
                        gint64 *rows_affected, gint64 *last_insert_id, GError **error);

/**
 * keel__sql_column_value:
 *
 * The JSON value of a result column: NULL → null, INTEGER → integer, REAL
 * → real (null when infinite), TEXT → string (invalid UTF-8 replaced with
 * U+FFFD), BLOB → an array of byte values.
 *
 * Returns: (transfer full): the value.
 */
json_t *keel__sql_column_value (sqlite3_stmt *stmt, int column);

/* A migration as the plugin keeps it: its own copy of the strings. */
typedef struct
{
  gint64 version;
  char *description;
  char *sql;
  gboolean up;
} KeelSqlStep;

void keel__sql_step_free (KeelSqlStep *step);

/**
 * keel__sql_migrate:
 * @steps: (element-type KeelSqlStep): sorted by version; down steps are
 *   skipped.
 *
 * Applies the up steps the migrations table does not list, in order, each
 * in a transaction of its own that also records it. Refuses, before
 * changing anything, a database that lists a version no up step has (it
 * was migrated by a newer app) or a step whose SQL differs from what was
 * applied. A failing step is rolled back and reported with SQLite's message
 * and code (KEEL__SQLITE_ERROR); the steps before it stay applied.
 */
gboolean keel__sql_migrate (sqlite3 *db, GPtrArray *steps, GError **error);
