/* Fuzzes what a page hands the SQL plugin (plugins/sql/sql-db.c): database
 * URLs, and a query with its bind values. The input is a URL, a query and a
 * JSON text of values, separated by the first two NULs or newlines.
 *
 * Beyond "does not crash", every input checks the promises:
 *
 * - a URL resolves exactly when it is accepted; then its name is relative,
 *   has no "." or ".." component and no empty one, and its path is the data
 *   directory, a slash and the name (or both are ":memory:"); refused, it
 *   has a UTF-8 message;
 * - values that pass the check are an array of scalars, and a query run with
 *   them on an in-memory database either succeeds (rows are objects, counts
 *   not negative) or fails with a message, and never leaves a transaction
 *   open that it opened. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "sql/sql-db.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define DATA_DIR "/data/dev.keel.fuzz"

static void
check_name (const char *name, const char *path)
{
  if (strcmp (name, ":memory:") == 0 && strcmp (path, ":memory:") == 0)
    return;
  g_assert (g_utf8_validate (name, -1, NULL));
  g_assert (name[0] != '\0' && name[0] != '/');
  g_auto (GStrv) parts = g_strsplit (name, "/", -1);
  for (char **part = parts; *part != NULL; part++)
    g_assert (**part != '\0' && strcmp (*part, ".") != 0 && strcmp (*part, "..") != 0);
  g_autofree char *expected = g_strconcat (DATA_DIR "/", name, NULL);
  g_assert (strcmp (path, expected) == 0);
}

static void
check_url (const char *url)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL, *path = NULL;
  gboolean ok = keel__sql_resolve_url (url, DATA_DIR, &name, &path, &error);
  g_assert (ok == (error == NULL));
  if (ok)
    {
      g_assert (g_str_has_prefix (url, "sqlite:"));
      check_name (name, path);
      return;
    }
  g_assert (name == NULL && path == NULL);
  g_assert (g_utf8_validate (error->message, -1, NULL));
  g_assert (error->domain == KEEL_ERROR);
}

/* Keeps pathological queries (a recursive CTE without end) short. */
static int
stop_after_a_while (void *counter)
{
  return ++*(int *) counter > 2000;
}

static void
check_query (const char *query, const char *values_text)
{
  json_t *values = json_loads (values_text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
  if (values == NULL)
    return;
  g_autoptr (GError) error = NULL;
  gboolean valid = keel__sql_check_values (values, "fuzz", &error);
  g_assert (valid == (error == NULL));
  if (!valid)
    {
      g_assert (!json_is_array (values) || json_array_size (values) > 0);
      json_decref (values);
      return;
    }
  sqlite3 *db = keel__sql_open (":memory:", &error);
  g_assert (db != NULL);
  int steps = 0;
  sqlite3_progress_handler (db, 100, stop_after_a_while, &steps);
  /* Nothing a query does may touch files: ATTACH and VACUUM INTO (which
   * attaches) fail with no room for another database. */
  sqlite3_limit (db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit (db, SQLITE_LIMIT_LENGTH, 1 << 20);
  json_t *rows = json_array ();
  gint64 affected = -1, last = -1;
  gboolean ok = keel__sql_run (db, query, values, rows, &affected, &last, &error);
  g_assert (ok == (error == NULL));
  if (ok)
    {
      size_t i;
      json_t *row;
      json_array_foreach (rows, i, row)
        g_assert (json_is_object (row));
      g_assert (affected >= 0);
    }
  else if (error->domain == KEEL_ERROR)
    g_assert (g_utf8_validate (error->message, -1, NULL));
  g_assert (sqlite3_get_autocommit (db) || ok);
  json_decref (rows);
  json_decref (values);
  sqlite3_close (db);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > 16 * 1024)
    return 0;
  /* Everything reaches the plugin as C strings. */
  g_autofree char *copy = g_malloc (size + 1);
  memcpy (copy, data, size);
  char *url = copy, *query = NULL, *values = NULL;
  char *end = copy + size;
  for (char *p = copy; p < end; p++)
    {
      if (*p != '\0' && *p != '\n')
        continue;
      *p = '\0';
      if (query == NULL)
        query = p + 1;
      else
        {
          values = p + 1;
          break;
        }
    }
  g_autofree char *url_text = g_strndup (url, (query != NULL ? query - 1 : end) - url);
  if (g_utf8_validate (url_text, -1, NULL))
    check_url (url_text);
  if (query != NULL && values != NULL && g_utf8_validate (query, values - 1 - query, NULL))
    {
      g_autofree char *query_text = g_strndup (query, values - 1 - query);
      g_autofree char *values_text = g_strndup (values, end - values);
      check_query (query_text, values_text);
    }
  return 0;
}
