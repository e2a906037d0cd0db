/* plugin:sql — SQLite databases for pages, with the commands and answers of
 * @tauri-apps/plugin-sql v2: load, execute, select, close.
 *
 * The core holds one connection per database (by resolved name, so every
 * window and every spelling of a URL share it). Each connection has a
 * worker: a thread pool of at most one thread, so its statements run one
 * at a time, in the order they came, and never on the main thread. The
 * worker owns the sqlite3 handle; the main thread only queues jobs. Jobs
 * answer their invokes from the worker, which Keel allows from any thread.
 *
 * The SQLite work itself (URLs, binding, rows, migrations) is in sql-db.c. */
#include <gio/gio.h>
#include <string.h>

#include "plugins.h"
#include "sql-db.h"

#define MANIFEST_RESOURCE "/dev/keel/sql/permissions.json"

typedef struct
{
  gint ref_count;       /* atomic: the plugin's map, and each queued job */
  char *name;           /* "notes.db", ":memory:" */
  char *path;
  GPtrArray *steps;     /* its migrations (KeelSqlStep), as they were when it was made */
  GThreadPool *worker;  /* main thread only */
  gint closing;         /* atomic: the app is going away; stop what runs */
  sqlite3 *db;          /* worker only: NULL until a load opens it */
} Connection;

typedef struct
{
  gint ref_count;           /* atomic: one per registered command */
  KeelApp *app;
  GHashTable *connections;  /* its name → Connection; main thread only */
  GPtrArray *retired;       /* closed by a page, their workers maybe still busy */
  GHashTable *migrations;   /* name → GPtrArray of KeelSqlStep, sorted; main thread only */
} SqlPlugin;

/* close() without a name: the last connection to close answers. */
typedef struct
{
  KeelInvoke *invoke;
  gint pending;
} CloseAll;

typedef enum
{
  JOB_LOAD,
  JOB_EXECUTE,
  JOB_SELECT,
  JOB_CLOSE,
} JobKind;

typedef struct
{
  JobKind kind;
  KeelInvoke *invoke;       /* NULL for the close at the app's end */
  Connection *connection;   /* a reference */
  const char *url;          /* borrowed from the invoke's arguments */
  const char *query;        /* the same */
  json_t *values;           /* a reference */
  CloseAll *all;
} Job;

/* The plugin of each app, for keel_sql_add_migrations(). */
G_LOCK_DEFINE_STATIC (plugins);
static GHashTable *plugins;

static Connection *
connection_ref (Connection *connection)
{
  g_atomic_int_inc (&connection->ref_count);
  return connection;
}

static void
connection_unref (Connection *connection)
{
  if (!g_atomic_int_dec_and_test (&connection->ref_count))
    return;
  if (connection->db != NULL)
    sqlite3_close_v2 (connection->db);
  g_free (connection->name);
  g_free (connection->path);
  g_clear_pointer (&connection->steps, g_ptr_array_unref);
  g_free (connection);
}

/* Called by SQLite every thousand virtual machine steps: a statement still
 * running when the app goes away stops with SQLITE_INTERRUPT. */
static int
stop_if_closing (void *data)
{
  Connection *connection = data;
  return g_atomic_int_get (&connection->closing);
}

/* Rejects with Keel's {code, message}, plus SQLite's result code for what
 * SQLite reported. Consumes @error. */
static void
reject_error (KeelInvoke *invoke, GError *error)
{
  g_autofree char *message = g_utf8_make_valid (error->message, -1);
  json_t *value;
  if (error->domain == KEEL__SQLITE_ERROR)
    value = json_pack ("{s:s, s:s, s:i}", "code", "sql_error", "message", message, "sqliteCode",
                       error->code);
  else
    {
      const char *code = "sql_error";
      if (g_error_matches (error, KEEL_ERROR, KEEL_ERROR_INVALID))
        code = "invalid_args";
      else if (g_error_matches (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN))
        code = "forbidden";
      else if (g_error_matches (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND))
        code = "not_found";
      value = json_pack ("{s:s, s:s}", "code", code, "message", message);
    }
  g_error_free (error);
  keel_invoke_reject_value (invoke, value);
}

static void
reject_not_loaded (KeelInvoke *invoke, const char *url)
{
  g_autofree char *shown = keel_quote_for_message (url);
  keel_invoke_reject (invoke, "not_found", "database %s is not loaded: call Database.load(%s) first",
                      shown, shown);
}

static void
job_free (Job *job)
{
  connection_unref (job->connection);
  json_decref (job->values);
  g_free (job);
}

static void
run_load (Job *job)
{
  Connection *connection = job->connection;
  if (connection->db == NULL)
    {
      GError *error = NULL;
      sqlite3 *db = keel__sql_open (connection->path, &error);
      if (db != NULL)
        sqlite3_progress_handler (db, 1000, stop_if_closing, connection);
      if (db != NULL && !keel__sql_migrate (db, connection->steps, &error))
        g_clear_pointer (&db, sqlite3_close);
      if (db == NULL)
        {
          g_autofree char *shown = keel_quote_for_message (job->url);
          g_prefix_error (&error, "cannot load %s: ", shown);
          reject_error (job->invoke, error);
          return;
        }
      connection->db = db;
    }
  /* Tauri answers the URL as given; the page's Database keeps it. */
  keel_invoke_resolve (job->invoke, json_string (job->url));
}

static void
run_query (Job *job)
{
  Connection *connection = job->connection;
  if (connection->db == NULL)
    {
      reject_not_loaded (job->invoke, job->url);
      return;
    }
  GError *error = NULL;
  json_t *rows = job->kind == JOB_SELECT ? json_array () : NULL;
  gint64 rows_affected = 0, last_insert_id = 0;
  if (!keel__sql_run (connection->db, job->query, job->values, rows, &rows_affected,
                      &last_insert_id, &error))
    {
      json_decref (rows);
      reject_error (job->invoke, error);
      return;
    }
  /* execute answers [rowsAffected, lastInsertId]; the package turns that
   * into {rowsAffected, lastInsertId}. */
  keel_invoke_resolve (job->invoke,
                       rows != NULL ? rows
                                    : json_pack ("[I, I]", (json_int_t) rows_affected,
                                                 (json_int_t) last_insert_id));
}

static void
run_close (Job *job)
{
  g_clear_pointer (&job->connection->db, sqlite3_close_v2);
  if (job->all != NULL)
    {
      if (g_atomic_int_dec_and_test (&job->all->pending))
        {
          keel_invoke_resolve (job->all->invoke, json_true ());
          g_free (job->all);
        }
    }
  else if (job->invoke != NULL)
    keel_invoke_resolve (job->invoke, json_true ());
}

/* The worker's thread function: one job at a time per connection. */
static void
run_job (gpointer data, gpointer user_data)
{
  Job *job = data;
  if (job->kind == JOB_CLOSE)
    run_close (job);
  else if (g_atomic_int_get (&job->connection->closing))
    keel_invoke_reject (job->invoke, "not_found", "the database was closed: the app is ending");
  else if (job->kind == JOB_LOAD)
    run_load (job);
  else
    run_query (job);
  job_free (job);
}

static void
queue (Connection *connection, JobKind kind, KeelInvoke *invoke, const char *url,
       const char *query, json_t *values, CloseAll *all)
{
  Job *job = g_new0 (Job, 1);
  job->kind = kind;
  job->invoke = invoke;
  job->connection = connection_ref (connection);
  job->url = url;
  job->query = query;
  job->values = values != NULL ? json_incref (values) : NULL;
  job->all = all;
  g_autoptr (GError) error = NULL;
  /* A pool that may not start a thread keeps the job for a later one. */
  if (!g_thread_pool_push (connection->worker, job, &error))
    g_warning ("plugin:sql: %s", error->message);
}

/* Frees a connection's worker once it has run every job (at once when
 * @wait is false and it has not), and the reference the plugin held. */
static gboolean
finish (Connection *connection, gboolean wait)
{
  if (!wait
      && (g_thread_pool_unprocessed (connection->worker) > 0
          || g_thread_pool_get_num_threads (connection->worker) > 0))
    return FALSE;
  g_thread_pool_free (g_steal_pointer (&connection->worker), FALSE, TRUE);
  connection_unref (connection);
  return TRUE;
}

/* Takes a connection (out of the map, with the map's reference) out of
 * service: its queued jobs still run, then it closes. Its worker is kept
 * until then, so that the app's end can wait for it too. */
static void
retire (SqlPlugin *plugin, Connection *connection, KeelInvoke *invoke, CloseAll *all)
{
  queue (connection, JOB_CLOSE, invoke, NULL, NULL, NULL, all);
  for (guint i = plugin->retired->len; i > 0; i--)
    {
      if (finish (plugin->retired->pdata[i - 1], FALSE))
        g_ptr_array_remove_index_fast (plugin->retired, i - 1);
    }
  g_ptr_array_add (plugin->retired, connection);
}

static void
plugin_unref (gpointer data)
{
  SqlPlugin *plugin = data;
  if (!g_atomic_int_dec_and_test (&plugin->ref_count))
    return;
  G_LOCK (plugins);
  g_hash_table_remove (plugins, plugin->app);
  G_UNLOCK (plugins);
  /* The app is being freed: stop what runs (queued jobs are refused, a
   * running statement is interrupted), and wait until every connection is
   * closed, so that each file is whole when the process ends. */
  GHashTableIter iter;
  gpointer connection;
  g_hash_table_iter_init (&iter, plugin->connections);
  while (g_hash_table_iter_next (&iter, NULL, &connection))
    {
      g_atomic_int_set (&((Connection *) connection)->closing, 1);
      queue (connection, JOB_CLOSE, NULL, NULL, NULL, NULL, NULL);
      g_ptr_array_add (plugin->retired, connection);
    }
  for (guint i = 0; i < plugin->retired->len; i++)
    g_atomic_int_set (&((Connection *) plugin->retired->pdata[i])->closing, 1);
  for (guint i = 0; i < plugin->retired->len; i++)
    finish (plugin->retired->pdata[i], TRUE);
  g_ptr_array_unref (plugin->retired);
  g_hash_table_unref (plugin->connections);
  g_hash_table_unref (plugin->migrations);
  g_free (plugin);
}

/* Resolves @url in the app's data directory, or rejects. */
static gboolean
resolve_url (SqlPlugin *plugin, KeelInvoke *invoke, const char *url, char **name, char **path)
{
  GError *error = NULL;
  if (keel__sql_resolve_url (url, keel_app_get_data_dir (plugin->app), name, path, &error))
    return TRUE;
  reject_error (invoke, error);
  return FALSE;
}

/* The loaded connection @url names, or NULL after rejecting. */
static Connection *
find_connection (SqlPlugin *plugin, KeelInvoke *invoke, const char *url)
{
  g_autofree char *name = NULL, *path = NULL;
  if (!resolve_url (plugin, invoke, url, &name, &path))
    return NULL;
  Connection *connection = g_hash_table_lookup (plugin->connections, name);
  if (connection == NULL)
    reject_not_loaded (invoke, url);
  return connection;
}

/* load {db} → db, once the database is open and migrated. */
static void
load_command (KeelInvoke *invoke, gpointer data)
{
  SqlPlugin *plugin = data;
  const char *url;
  g_autofree char *name = NULL, *path = NULL;
  if (!keel_invoke_arg_string (invoke, "db", &url)
      || !resolve_url (plugin, invoke, url, &name, &path))
    return;
  Connection *connection = g_hash_table_lookup (plugin->connections, name);
  if (connection == NULL)
    {
      g_autoptr (GError) error = NULL;
      GThreadPool *worker = g_thread_pool_new (run_job, NULL, 1, FALSE, &error);
      if (worker == NULL)
        {
          keel_invoke_reject (invoke, "sql_error", "cannot start a database thread: %s",
                              error->message);
          return;
        }
      connection = g_new0 (Connection, 1);
      connection->ref_count = 1;
      GPtrArray *steps = g_hash_table_lookup (plugin->migrations, name);
      connection->name = g_steal_pointer (&name);
      connection->path = g_steal_pointer (&path);
      connection->steps = steps != NULL ? g_ptr_array_ref (steps) : NULL;
      connection->worker = worker;
      g_hash_table_insert (plugin->connections, connection->name, connection);
    }
  queue (connection, JOB_LOAD, invoke, url, NULL, NULL, NULL);
}

/* execute {db, query, values} → [rowsAffected, lastInsertId];
 * select {db, query, values} → [{column: value, ...}, ...]. */
static void
query_command (KeelInvoke *invoke, SqlPlugin *plugin, JobKind kind)
{
  const char *url, *query;
  if (!keel_invoke_arg_string (invoke, "db", &url)
      || !keel_invoke_arg_string (invoke, "query", &query))
    return;
  /* The package always sends values (`bindValues ?? []`); missing or null
   * stands for none. */
  json_t *values = json_object_get (keel_invoke_get_args (invoke), "values");
  values = values == NULL || json_is_null (values) ? json_array () : json_incref (values);
  GError *error = NULL;
  Connection *connection = NULL;
  if (!keel__sql_check_values (values, keel_invoke_get_command (invoke), &error))
    reject_error (invoke, error);
  else if ((connection = find_connection (plugin, invoke, url)) != NULL)
    queue (connection, kind, invoke, url, query, values, NULL);
  json_decref (values);
}

static void
execute_command (KeelInvoke *invoke, gpointer data)
{
  query_command (invoke, data, JOB_EXECUTE);
}

static void
select_command (KeelInvoke *invoke, gpointer data)
{
  query_command (invoke, data, JOB_SELECT);
}

/* close {db?} → true once that database (or, without db, every one) is
 * closed. Jobs queued before still run. */
static void
close_command (KeelInvoke *invoke, gpointer data)
{
  SqlPlugin *plugin = data;
  const char *url = NULL;
  if (!keel_invoke_arg_string_opt (invoke, "db", &url))
    return;
  if (url != NULL)
    {
      Connection *connection = find_connection (plugin, invoke, url);
      if (connection == NULL)
        return;
      g_hash_table_steal (plugin->connections, connection->name);
      retire (plugin, connection, invoke, NULL);
      return;
    }
  guint count = g_hash_table_size (plugin->connections);
  if (count == 0)
    {
      keel_invoke_resolve (invoke, json_true ());
      return;
    }
  CloseAll *all = g_new0 (CloseAll, 1);
  all->invoke = invoke;
  all->pending = (gint) count;
  GHashTableIter iter;
  gpointer connection;
  g_hash_table_iter_init (&iter, plugin->connections);
  while (g_hash_table_iter_next (&iter, NULL, &connection))
    {
      g_hash_table_iter_steal (&iter);
      retire (plugin, connection, NULL, all);
    }
}

static SqlPlugin *
find_plugin (KeelApp *app)
{
  G_LOCK (plugins);
  SqlPlugin *plugin = plugins != NULL ? g_hash_table_lookup (plugins, app) : NULL;
  G_UNLOCK (plugins);
  return plugin;
}

gboolean
keel_sql_plugin_register (KeelApp *app, GError **error)
{
  g_return_val_if_fail (app != NULL, FALSE);
  if (find_plugin (app) != NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "keel_sql_plugin_register: the SQL plugin is registered already");
      return FALSE;
    }
  g_autoptr (GBytes) manifest = g_resources_lookup_data (MANIFEST_RESOURCE,
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  /* Resource data ends with a NUL byte. */
  if (manifest == NULL || !keel_app_add_permissions (app, g_bytes_get_data (manifest, NULL), error))
    return FALSE;

  SqlPlugin *plugin = g_new0 (SqlPlugin, 1);
  plugin->app = app;
  plugin->connections = g_hash_table_new (g_str_hash, g_str_equal);
  plugin->retired = g_ptr_array_new ();
  plugin->migrations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);
  plugin->ref_count = 4;
  G_LOCK (plugins);
  if (plugins == NULL)
    plugins = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (plugins, app, plugin);
  G_UNLOCK (plugins);
  keel_app_register_command (app, "plugin:sql|load", load_command, plugin, plugin_unref);
  keel_app_register_command (app, "plugin:sql|execute", execute_command, plugin, plugin_unref);
  keel_app_register_command (app, "plugin:sql|select", select_command, plugin, plugin_unref);
  keel_app_register_command (app, "plugin:sql|close", close_command, plugin, plugin_unref);
  return TRUE;
}

static int
compare_steps (gconstpointer a, gconstpointer b)
{
  const KeelSqlStep *x = *(KeelSqlStep *const *) a, *y = *(KeelSqlStep *const *) b;
  return x->version < y->version ? -1 : x->version > y->version;
}

gboolean
keel_sql_add_migrations (KeelApp *app, const char *db_url, const KeelSqlMigration *migrations,
                         gsize n_migrations, GError **error)
{
  g_return_val_if_fail (app != NULL && db_url != NULL, FALSE);
  g_return_val_if_fail (migrations != NULL || n_migrations == 0, FALSE);
  SqlPlugin *plugin = find_plugin (app);
  if (plugin == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "keel_sql_add_migrations: call keel_sql_plugin_register() first");
      return FALSE;
    }
  g_autofree char *name = NULL, *path = NULL;
  if (!keel__sql_resolve_url (db_url, keel_app_get_data_dir (app), &name, &path, error))
    {
      g_prefix_error (error, "keel_sql_add_migrations: ");
      return FALSE;
    }
  GPtrArray *old = g_hash_table_lookup (plugin->migrations, name);
  g_autoptr (GPtrArray) steps = g_ptr_array_new_with_free_func ((GDestroyNotify) keel__sql_step_free);
  for (guint i = 0; old != NULL && i < old->len; i++)
    {
      const KeelSqlStep *step = old->pdata[i];
      KeelSqlStep *copy = g_new0 (KeelSqlStep, 1);
      *copy = (KeelSqlStep) { step->version, g_strdup (step->description), g_strdup (step->sql),
                              step->up };
      g_ptr_array_add (steps, copy);
    }
  for (gsize i = 0; i < n_migrations; i++)
    {
      const KeelSqlMigration *migration = &migrations[i];
      gboolean up = migration->kind == KEEL_SQL_MIGRATION_UP;
      if (migration->sql == NULL
          || (migration->kind != KEEL_SQL_MIGRATION_UP && migration->kind != KEEL_SQL_MIGRATION_DOWN))
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "keel_sql_add_migrations: %s: migration %" G_GINT64_FORMAT " has %s",
                       db_url, migration->version,
                       migration->sql == NULL ? "no SQL" : "an unknown kind");
          return FALSE;
        }
      for (guint j = 0; j < steps->len; j++)
        {
          const KeelSqlStep *step = steps->pdata[j];
          if (step->version == migration->version && step->up == up)
            {
              g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                           "keel_sql_add_migrations: %s: there are two %s migrations with "
                           "version %" G_GINT64_FORMAT,
                           db_url, up ? "up" : "down", migration->version);
              return FALSE;
            }
        }
      KeelSqlStep *step = g_new0 (KeelSqlStep, 1);
      *step = (KeelSqlStep) { migration->version,
                              g_strdup (migration->description != NULL ? migration->description
                                                                       : ""),
                              g_strdup (migration->sql), up };
      g_ptr_array_add (steps, step);
    }
  g_ptr_array_sort (steps, compare_steps);
  g_hash_table_replace (plugin->migrations, g_steal_pointer (&name), g_steal_pointer (&steps));
  return TRUE;
}
