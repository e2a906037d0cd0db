/* keel-sql.h — SQLite databases that the core owns and pages query.
 *
 * The SQL plugin answers the commands of the npm package
 * `@tauri-apps/plugin-sql` v2 (`plugin:sql|load`, `execute`, `select`,
 * `close`) for SQLite. Databases are files in the app's data directory,
 * `$XDG_DATA_HOME/<identifier>/`, named by URLs such as "sqlite:notes.db".
 * The core holds one connection per database, shared by every window, and
 * runs its statements on a worker thread of that connection, one at a time,
 * so a slow query never holds up the main loop. docs/sql.md has the whole
 * story: URLs, types, parameters, errors, threads.
 *
 * |[<!-- language="C" -->
 * static const KeelSqlMigration notes_migrations[] = {
 *   { 1, "create notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
 *     KEEL_SQL_MIGRATION_UP },
 *   { 2, "add a date", "ALTER TABLE notes ADD COLUMN created TEXT;", KEEL_SQL_MIGRATION_UP },
 * };
 *
 * if (!keel_sql_plugin_register (app, &error)
 *     || !keel_sql_add_migrations (app, "sqlite:notes.db", notes_migrations,
 *                                  G_N_ELEMENTS (notes_migrations), &error))
 *   g_error ("%s", error->message);
 * ]|
 *
 * Pages need `sql:default` (load, select, close) in a capability, and
 * `sql:allow-execute` to write. Main thread only, before keel_app_run(). */
#pragma once

#include "keel-app.h"

G_BEGIN_DECLS

/**
 * KeelSqlMigrationKind:
 * @KEEL_SQL_MIGRATION_UP: applied when the database is loaded, if it was not
 *   applied before.
 * @KEEL_SQL_MIGRATION_DOWN: the undo of the up migration of the same version.
 *   Recorded, never run by a load (as in Tauri, where only a migration tool
 *   runs them).
 *
 * Which way a migration goes; Tauri's `MigrationKind`.
 */
typedef enum
{
  KEEL_SQL_MIGRATION_UP,
  KEEL_SQL_MIGRATION_DOWN,
} KeelSqlMigrationKind;

/**
 * KeelSqlMigration:
 * @version: its place in the order, unique per kind for a database; any
 *   number, applied from the lowest up.
 * @description: for people; kept in the migrations table.
 * @sql: one or more SQL statements, run in one transaction.
 * @kind: up or down.
 *
 * One step of a database's schema: Tauri's `Migration`.
 */
typedef struct
{
  gint64 version;
  const char *description;
  const char *sql;
  KeelSqlMigrationKind kind;
} KeelSqlMigration;

/**
 * keel_sql_plugin_register:
 * @app: an app that is not running yet.
 * @error: return location for an error.
 *
 * Enables the SQL plugin: registers `plugin:sql|load`, `execute`, `select`
 * and `close`, and their permissions (`sql:default`, `sql:allow-execute`,
 * ...), which the app's capabilities may then grant. The connections close
 * when the app is freed: statements still running are interrupted, and
 * their pages get an error.
 *
 * Returns: %TRUE, or %FALSE with @error set when the app already runs or
 *   the plugin was registered before.
 */
KEEL_API gboolean keel_sql_plugin_register (KeelApp *app, GError **error);

/**
 * keel_sql_add_migrations:
 * @app: an app on which keel_sql_plugin_register() succeeded.
 * @db_url: the database, as pages load it: "sqlite:notes.db" (the
 *   spellings of one file, such as "sqlite:./notes.db", are one database).
 * @migrations: (array length=n_migrations): the migrations; copied.
 * @n_migrations: how many.
 * @error: return location for an error.
 *
 * Declares migrations for a database. When a page loads it and the core
 * opens its connection, the up migrations not yet applied run in version
 * order, each in a transaction of its own, and are recorded in the table
 * `_keel_migrations` of that database. A migration that fails is rolled
 * back (the ones before it stay applied) and the load rejects with
 * SQLite's message. May be called more than once for a database: the lists
 * add up.
 *
 * Returns: %TRUE, or %FALSE with @error set for an invalid URL, a missing
 *   SQL text, a version given twice for the same kind, or a plugin that is
 *   not registered; nothing is added then.
 */
KEEL_API gboolean keel_sql_add_migrations (KeelApp *app, const char *db_url,
                                           const KeelSqlMigration *migrations,
                                           gsize n_migrations, GError **error);

G_END_DECLS
