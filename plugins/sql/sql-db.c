/* sql-db.c — database URLs, JSON ↔ SQLite values, running statements and
 * migrations. No app, no threads of its own: see sql-db.h. */
#include "sql-db.h"

#include <errno.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (keel-sqlite-error-quark, keel__sqlite_error)

static gboolean
sqlite_error (sqlite3 *db, GError **error)
{
  g_set_error_literal (error, KEEL__SQLITE_ERROR, sqlite3_extended_errcode (db),
                       sqlite3_errmsg (db));
  return FALSE;
}

gboolean
keel__sql_resolve_url (const char *url, const char *data_dir, char **name, char **path,
                       GError **error)
{
  g_autofree char *shown = keel_quote_for_message (url);
  if (!g_str_has_prefix (url, "sqlite:"))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "database URL %s is not supported: Keel opens SQLite databases only, as "
                   "\"sqlite:NAME.db\" (a file in the app's data directory) or \"sqlite::memory:\"",
                   shown);
      return FALSE;
    }
  const char *rest = url + strlen ("sqlite:");
  if (strchr (rest, '?') != NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "database URL %s has options after \"?\", which Keel does not support; "
                   "remove them (write a \"?\" in a file name as %%3F)",
                   shown);
      return FALSE;
    }
  if (strcmp (rest, ":memory:") == 0)
    {
      *name = g_strdup (":memory:");
      *path = g_strdup (":memory:");
      return TRUE;
    }
  /* sqlx percent-decodes the file name; so do we, and check what results. */
  g_autofree char *decoded = g_uri_unescape_string (rest, NULL);
  if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "database URL %s has an invalid %%-escape, or one that stands for a NUL byte "
                   "or for bytes that are not UTF-8",
                   shown);
      return FALSE;
    }
  /* The same rules as every file a page names in the data directory. */
  *path = keel_resolve_path_below (data_dir, decoded, "database file", "notes.db", error);
  if (*path == NULL)
    return FALSE;
  /* The name: the path below data_dir, spelt as the resolver spelt it. */
  const char *below = *path + strlen (data_dir);
  while (*below == G_DIR_SEPARATOR)
    below++;
  *name = g_strdup (below);
  return TRUE;
}

gboolean
keel__sql_check_values (json_t *values, const char *command, GError **error)
{
  if (!json_is_array (values))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "%s: \"values\" must be an array of bind values, not %s", command,
                   keel_json_type_words (values));
      return FALSE;
    }
  size_t i;
  json_t *value;
  json_array_foreach (values, i, value)
    {
      if (json_is_object (value) || json_is_array (value))
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "%s: values[%zu] is %s; a bind value is null, a boolean, a number or a "
                       "string (store JSON as text with JSON.stringify())",
                       command, i, keel_json_type_words (value));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
exec (sqlite3 *db, const char *sql, GError **error)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK || sqlite_error (db, error);
}

sqlite3 *
keel__sql_open (const char *path, GError **error)
{
  if (strcmp (path, ":memory:") != 0)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED, "cannot create the directory %s: %s",
                       dir, g_strerror (saved));
          return NULL;
        }
    }
  sqlite3 *db = NULL;
  int status = sqlite3_open_v2 (path, &db,
                                SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE,
                                NULL);
  if (status != SQLITE_OK)
    {
      if (db != NULL)
        sqlite_error (db, error);
      else
        g_set_error_literal (error, KEEL__SQLITE_ERROR, status, sqlite3_errstr (status));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, KEEL__SQL_BUSY_TIMEOUT_MS);
  /* sqlx turns foreign keys on, so Tauri apps rely on it. WAL lets readers
   * of other processes (a second instance, a backup) work beside a writer;
   * in memory it stays "memory". The first read of the file happens here:
   * a file that is not a database fails now, with SQLite's message. */
  if (!exec (db, "PRAGMA foreign_keys = ON", error)
      || !exec (db, "PRAGMA journal_mode = WAL", error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

/* Whether nothing but spaces, semicolons and comments follows: then the
 * statement just prepared is the last of the query. */
static gboolean
only_trivia (const char *p)
{
  for (;;)
    {
      while (g_ascii_isspace (*p) || *p == ';')
        p++;
      if (p[0] == '-' && p[1] == '-')
        {
          p = strchr (p, '\n');
          if (p == NULL)
            return TRUE;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          p = strstr (p + 2, "*/");
          if (p == NULL)
            return TRUE; /* SQLite reads an unclosed comment to the end */
          p += 2;
        }
      else
        return *p == '\0';
    }
}

/* "123" → 123; anything else (empty, signs, other characters, huge) fails. */
static gboolean
parse_index (const char *text, gint64 *out)
{
  if (*text == '\0' || strspn (text, "0123456789") != strlen (text) || strlen (text) > 9)
    return FALSE;
  *out = g_ascii_strtoll (text, NULL, 10);
  return TRUE;
}

static int
bind_value (sqlite3_stmt *stmt, int index, json_t *value)
{
  switch (json_typeof (value))
    {
    case JSON_NULL: return sqlite3_bind_null (stmt, index);
    case JSON_TRUE: return sqlite3_bind_int64 (stmt, index, 1);
    case JSON_FALSE: return sqlite3_bind_int64 (stmt, index, 0);
    case JSON_INTEGER: return sqlite3_bind_int64 (stmt, index, json_integer_value (value));
    case JSON_REAL: return sqlite3_bind_double (stmt, index, json_real_value (value));
    case JSON_STRING:
      return sqlite3_bind_text64 (stmt, index, json_string_value (value),
                                  json_string_length (value), SQLITE_TRANSIENT, SQLITE_UTF8);
    default: return SQLITE_MISMATCH;
    }
}

typedef struct
{
  json_t *values;
  gboolean *used;     /* per value: some placeholder took it */
  gint64 anonymous;   /* the last value a `?` took, counting across statements */
} Binding;

/* Binds every placeholder of one statement. A `?N` leaves the indexes below
 * N without a name: those are gaps, not placeholders, and stay unbound. */
static gboolean
bind_statement (sqlite3 *db, sqlite3_stmt *stmt, Binding *binding, GError **error)
{
  int count = sqlite3_bind_parameter_count (stmt);
  gint64 n_values = (gint64) json_array_size (binding->values);
  gint64 highest_question = 0;
  for (int i = 1; i <= count; i++)
    {
      const char *name = sqlite3_bind_parameter_name (stmt, i);
      gint64 number;
      if (name != NULL && name[0] == '?' && parse_index (name + 1, &number))
        highest_question = MAX (highest_question, number);
    }
  for (int i = 1; i <= count; i++)
    {
      const char *name = sqlite3_bind_parameter_name (stmt, i);
      gint64 number;
      g_autofree char *shown = NULL;
      if (name == NULL && i <= highest_question)
        continue;
      if (name == NULL && highest_question > 0)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "a statement mixes \"?\" with \"?N\" placeholders, which is ambiguous; "
                       "number them all ($1, $2, ...)");
          return FALSE;
        }
      if (name == NULL)
        {
          number = ++binding->anonymous;
          shown = g_strdup_printf ("\"?\" number %" G_GINT64_FORMAT, number);
        }
      else if ((name[0] == '$' || name[0] == '?') && parse_index (name + 1, &number) && number > 0)
        shown = g_strdup_printf ("\"%s\"", name);
      else
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "placeholder \"%s\" is not supported: bind values come as an array, so "
                       "placeholders are numbered: $1, ?1, or ? for the next value",
                       name);
          return FALSE;
        }
      if (number > n_values)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "the query uses placeholder %s but %" G_GINT64_FORMAT " bind value%s "
                       "given; pass one value per placeholder",
                       shown, n_values, n_values == 1 ? " was" : "s were");
          return FALSE;
        }
      if (bind_value (stmt, i, json_array_get (binding->values, number - 1)) != SQLITE_OK)
        {
          if (sqlite3_errcode (db) == SQLITE_OK)
            g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                         "bind value %" G_GINT64_FORMAT " is not null, a boolean, a number or a "
                         "string",
                         number);
          else
            sqlite_error (db, error);
          return FALSE;
        }
      binding->used[number - 1] = TRUE;
    }
  return TRUE;
}

static gboolean
check_all_used (Binding *binding, GError **error)
{
  size_t n_values = json_array_size (binding->values);
  for (size_t i = 0; i < n_values; i++)
    {
      if (!binding->used[i])
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "%zu bind value%s given, but no placeholder of the query takes value %zu "
                       "($%zu); pass one value per placeholder",
                       n_values, n_values == 1 ? " was" : "s were", i + 1, i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

json_t *
keel__sql_column_value (sqlite3_stmt *stmt, int column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER: return json_integer (sqlite3_column_int64 (stmt, column));
    case SQLITE_FLOAT:
      {
        /* JSON has no infinity; serde_json (Tauri) writes null too. */
        double number = sqlite3_column_double (stmt, column);
        return isfinite (number) ? json_real (number) : json_null ();
      }
    case SQLITE_TEXT:
      {
        const char *text = (const char *) sqlite3_column_text (stmt, column);
        int length = sqlite3_column_bytes (stmt, column);
        if (text == NULL)
          return json_string ("");
        json_t *string = json_stringn (text, length);
        if (string == NULL)
          {
            /* TEXT that is not UTF-8 (a cast blob, a C program's bytes). */
            g_autofree char *valid = g_utf8_make_valid (text, length);
            string = json_string (valid);
          }
        return string != NULL ? string : json_null ();
      }
    case SQLITE_BLOB:
      {
        /* An array of byte values, as Tauri's sqlx decoding gives. */
        const guint8 *bytes = sqlite3_column_blob (stmt, column);
        int length = sqlite3_column_bytes (stmt, column);
        json_t *array = json_array ();
        for (int i = 0; i < length; i++)
          json_array_append_new (array, json_integer (bytes[i]));
        return array;
      }
    default: return json_null ();
    }
}

static json_t *
row_object (sqlite3_stmt *stmt)
{
  json_t *row = json_object ();
  int columns = sqlite3_column_count (stmt);
  for (int i = 0; i < columns; i++)
    {
      const char *name = sqlite3_column_name (stmt, i);
      /* A repeated name keeps its first place and takes the last value, as
       * an IndexMap does in Tauri. */
      json_object_set_new (row, name != NULL ? name : "", keel__sql_column_value (stmt, i));
    }
  return row;
}

gboolean
keel__sql_run (sqlite3 *db, const char *query, json_t *values, json_t *rows,
               gint64 *rows_affected, gint64 *last_insert_id, GError **error)
{
  g_return_val_if_fail (json_is_array (values), FALSE);
  gboolean was_autocommit = sqlite3_get_autocommit (db);
  size_t n_values = json_array_size (values);
  g_autofree gboolean *used = g_new0 (gboolean, n_values + 1);
  Binding binding = { values, used, 0 };
  gint64 changes = 0;
  gboolean ok = TRUE, checked_all = FALSE;
  const char *sql = query;
  while (ok && *sql != '\0')
    {
      sqlite3_stmt *stmt = NULL;
      const char *next = NULL;
      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, &next) != SQLITE_OK)
        {
          ok = sqlite_error (db, error);
          break;
        }
      sql = next;
      if (stmt == NULL)
        continue; /* only a comment or spaces */
      gboolean last = only_trivia (sql);
      ok = bind_statement (db, stmt, &binding, error) && (!last || check_all_used (&binding, error));
      checked_all = checked_all || last;
      if (ok)
        {
          sqlite3_int64 total_before = sqlite3_total_changes64 (db);
          int status;
          while ((status = sqlite3_step (stmt)) == SQLITE_ROW)
            {
              if (rows != NULL)
                json_array_append_new (rows, row_object (stmt));
            }
          if (status != SQLITE_DONE)
            ok = sqlite_error (db, error);
          else if (sqlite3_total_changes64 (db) != total_before)
            changes += sqlite3_changes64 (db);
        }
      sqlite3_finalize (stmt);
    }
  if (ok && !checked_all)
    ok = check_all_used (&binding, error);
  if (!ok && was_autocommit && !sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  if (rows_affected != NULL)
    *rows_affected = changes;
  if (last_insert_id != NULL)
    *last_insert_id = sqlite3_last_insert_rowid (db);
  return ok;
}

void
keel__sql_step_free (KeelSqlStep *step)
{
  if (step == NULL)
    return;
  g_free (step->description);
  g_free (step->sql);
  g_free (step);
}

static char *
checksum (const KeelSqlStep *step)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, step->sql, -1);
}

/* version → checksum of every migration the database records. */
static gboolean
read_applied (sqlite3 *db, GHashTable *applied, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (db,
                          "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '"
                          KEEL__SQL_MIGRATIONS_TABLE "'",
                          -1, &stmt, NULL)
      != SQLITE_OK)
    return sqlite_error (db, error);
  int status = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (status == SQLITE_DONE)
    return TRUE; /* never migrated */
  if (status != SQLITE_ROW)
    return sqlite_error (db, error);
  if (sqlite3_prepare_v2 (db, "SELECT version, checksum FROM " KEEL__SQL_MIGRATIONS_TABLE, -1,
                          &stmt, NULL)
      != SQLITE_OK)
    return sqlite_error (db, error);
  while ((status = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *version = g_new (gint64, 1);
      *version = sqlite3_column_int64 (stmt, 0);
      const char *sum = (const char *) sqlite3_column_text (stmt, 1);
      g_hash_table_insert (applied, version, g_strdup (sum != NULL ? sum : ""));
    }
  sqlite3_finalize (stmt);
  return status == SQLITE_DONE || sqlite_error (db, error);
}

static gboolean
is_applied (sqlite3 *db, gint64 version, gboolean *applied, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (db, "SELECT 1 FROM " KEEL__SQL_MIGRATIONS_TABLE " WHERE version = ?1",
                          -1, &stmt, NULL)
      != SQLITE_OK)
    return sqlite_error (db, error);
  sqlite3_bind_int64 (stmt, 1, version);
  int status = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  *applied = status == SQLITE_ROW;
  return status == SQLITE_ROW || status == SQLITE_DONE || sqlite_error (db, error);
}

static gboolean
record (sqlite3 *db, const KeelSqlStep *step, gint64 elapsed_ms, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (db,
                          "INSERT INTO " KEEL__SQL_MIGRATIONS_TABLE
                          " (version, description, checksum, execution_ms) VALUES (?1, ?2, ?3, ?4)",
                          -1, &stmt, NULL)
      != SQLITE_OK)
    return sqlite_error (db, error);
  g_autofree char *sum = checksum (step);
  sqlite3_bind_int64 (stmt, 1, step->version);
  sqlite3_bind_text (stmt, 2, step->description, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, sum, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, elapsed_ms);
  int status = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return status == SQLITE_DONE || sqlite_error (db, error);
}

/* One migration in one transaction, with its record. Another process may
 * have applied it since we looked: then there is nothing to do. */
static gboolean
apply (sqlite3 *db, const KeelSqlStep *step, GError **error)
{
  gboolean applied = FALSE;
  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!exec (db,
             "CREATE TABLE IF NOT EXISTS " KEEL__SQL_MIGRATIONS_TABLE " ("
             " version INTEGER PRIMARY KEY,"
             " description TEXT NOT NULL,"
             " checksum TEXT NOT NULL,"
             " installed_on TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,"
             " execution_ms INTEGER NOT NULL)",
             error)
      || !is_applied (db, step->version, &applied, error))
    goto rollback;
  if (applied)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return TRUE;
    }
  gint64 start = g_get_monotonic_time ();
  char *message = NULL;
  if (sqlite3_exec (db, step->sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, KEEL__SQLITE_ERROR, sqlite3_extended_errcode (db),
                   "migration %" G_GINT64_FORMAT " (%s) failed and was rolled back: %s",
                   step->version, step->description, message != NULL ? message : "unknown error");
      sqlite3_free (message);
      goto rollback;
    }
  if (sqlite3_get_autocommit (db))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED,
                   "migration %" G_GINT64_FORMAT " (%s) ended the transaction it runs in (COMMIT, "
                   "END or ROLLBACK), so it was not recorded; remove that statement: each "
                   "migration runs in a transaction of its own",
                   step->version, step->description);
      return FALSE;
    }
  if (!record (db, step, (g_get_monotonic_time () - start) / 1000, error)
      || !exec (db, "COMMIT", error))
    goto rollback;
  return TRUE;

rollback:
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

gboolean
keel__sql_migrate (sqlite3 *db, GPtrArray *steps, GError **error)
{
  if (steps == NULL || steps->len == 0)
    return TRUE;
  g_autoptr (GHashTable) applied = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                          g_free);
  if (!read_applied (db, applied, error))
    return FALSE;

  /* sqlx's checks, before anything changes: the database must not be
   * ahead of the app, and what was applied must not have been edited. */
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, applied);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean known = FALSE;
      for (guint i = 0; i < steps->len && !known; i++)
        {
          const KeelSqlStep *step = steps->pdata[i];
          known = step->up && step->version == *(gint64 *) key;
        }
      if (!known)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED,
                       "the database records migration %" G_GINT64_FORMAT ", which the app does "
                       "not declare for it (was it migrated by a newer version of the app?); "
                       "declare every migration ever applied",
                       *(gint64 *) key);
          return FALSE;
        }
    }
  for (guint i = 0; i < steps->len; i++)
    {
      const KeelSqlStep *step = steps->pdata[i];
      const char *recorded = step->up ? g_hash_table_lookup (applied, &step->version) : NULL;
      g_autofree char *sum = recorded != NULL ? checksum (step) : NULL;
      if (recorded != NULL && strcmp (recorded, sum) != 0)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED,
                       "migration %" G_GINT64_FORMAT " (%s) was changed after it was applied to "
                       "this database; restore its SQL and add the change as a new migration",
                       step->version, step->description);
          return FALSE;
        }
    }
  for (guint i = 0; i < steps->len; i++)
    {
      const KeelSqlStep *step = steps->pdata[i];
      if (step->up && !g_hash_table_contains (applied, &step->version) && !apply (db, step, error))
        return FALSE;
    }
  return TRUE;
}
