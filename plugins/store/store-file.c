/* store-file.c — where a store lives on disk, and how it is read and written
 * without ever leaving a half-written or silently replaced file behind. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keel/keel-command.h"
#include "store.h"

G_DEFINE_QUARK (keel-store-error-quark, keel__store_error)

/* fsync() of a directory, so that the names it holds (a rename, a new
 * entry) survive a crash. */
static gboolean
sync_directory (const char *dir, GError **error)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0 || fsync (fd) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO,
                   "cannot make the directory %s durable (fsync): %s", dir, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Creates `dir` and its missing parents, each made durable in its parent:
 * a file renamed into a directory that a crash forgets is lost too. */
static gboolean
ensure_directory (const char *dir, GError **error)
{
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_autofree char *parent = g_path_get_dirname (dir);
  if (strcmp (parent, dir) != 0 && !ensure_directory (parent, error))
    return FALSE;
  if (g_mkdir (dir, 0700) != 0)
    {
      int saved = errno;
      if (saved == EEXIST && !g_file_test (dir, G_FILE_TEST_IS_DIR))
        g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO,
                     "%s should be a directory, but a file of that name is in the way", dir);
      else if (saved != EEXIST)
        g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO,
                     "cannot create the directory %s: %s", dir, g_strerror (saved));
      if (saved != EEXIST || !g_file_test (dir, G_FILE_TEST_IS_DIR))
        return FALSE;
    }
  return sync_directory (parent, error);
}

gboolean
keel__store_file_write (const char *path, json_t *object, GError **error)
{
  g_return_val_if_fail (json_is_object (object), FALSE);
  g_autofree char *dir = g_path_get_dirname (path);
  if (!ensure_directory (dir, error))
    {
      g_prefix_error (error, "cannot save the store %s: ", path);
      return FALSE;
    }

  /* Tauri writes pretty-printed JSON; so do we, with a final newline.
   * Numbers keep 17 significant digits: they read back exactly. */
  char *text = json_dumps (object, JSON_INDENT (2));
  if (text == NULL)
    {
      g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO,
                   "cannot save the store %s: its contents could not be encoded as JSON", path);
      return FALSE;
    }
  g_autofree char *contents = g_strconcat (text, "\n", NULL);
  free (text);

  /* CONSISTENT | DURABLE: temporary file in the same directory, fsync(),
   * rename() over the old file, fsync() of the directory. (GLib 2.74 does
   * all four; strace shows them.) */
  g_autoptr (GError) write_error = NULL;
  if (!g_file_set_contents_full (path, contents, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &write_error))
    {
      g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO, "cannot save the store %s: %s",
                   path, write_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Renames a corrupt file to `<path>.corrupt-<UTC time>`, with a counter when
 * that name is taken; *aside receives the new name. */
static gboolean
move_aside (const char *path, char **aside, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  for (int n = 0; n < 1000; n++)
    {
      g_autofree char *candidate = n == 0 ? g_strdup_printf ("%s.corrupt-%s", path, stamp)
                                          : g_strdup_printf ("%s.corrupt-%s-%d", path, stamp, n);
      if (g_file_test (candidate, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (path, candidate) != 0)
        {
          int saved = errno;
          g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO,
                       "could not be moved aside to %s (%s); move or fix it by hand", candidate,
                       g_strerror (saved));
          return FALSE;
        }
      g_autofree char *dir = g_path_get_dirname (path);
      g_autoptr (GError) sync_error = NULL;
      if (!sync_directory (dir, &sync_error))
        g_warning ("keel store: %s", sync_error->message);
      *aside = g_steal_pointer (&candidate);
      return TRUE;
    }
  g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO,
               "could not be moved aside: 1000 files named %s.corrupt-%s* exist already; clean "
               "them up",
               path, stamp);
  return FALSE;
}

gboolean
keel__store_file_read (const char *path, json_t **out, GError **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  g_autoptr (GError) read_error = NULL;
  if (!g_file_get_contents (path, &text, &length, &read_error))
    {
      if (g_error_matches (read_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_NOT_FOUND,
                     "the store file %s does not exist", path);
      else
        g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO,
                     "cannot read the store file: %s", read_error->message);
      return FALSE;
    }

  /* What is wrong, if anything. A string inside may hold \u0000: pages may
   * store one, so the file may too. */
  g_autofree char *problem = NULL;
  json_error_t json_error;
  json_t *value = NULL;
  if (length == 0)
    problem = g_strdup ("it is empty");
  else if ((value = json_loadb (text, length, JSON_DECODE_ANY | JSON_ALLOW_NUL, &json_error))
           == NULL)
    problem = g_strdup_printf ("it is not valid JSON: %s (line %d, column %d)", json_error.text,
                               json_error.line, json_error.column);
  else if (!json_is_object (value))
    problem = g_strdup_printf ("it holds %s, not the JSON object a store file holds",
                               keel_json_type_words (value));
  if (problem == NULL)
    {
      *out = value;
      return TRUE;
    }
  json_decref (value);

  /* Never overwritten, never lost: keep it for the user to look at. */
  g_autofree char *aside = NULL;
  g_autoptr (GError) move_error = NULL;
  if (!move_aside (path, &aside, &move_error))
    {
      g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT,
                   "the store file %s is corrupt (%s), and it %s", path, problem,
                   move_error->message);
      return FALSE;
    }
  g_set_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT,
               "the store file %s is corrupt: %s. It was moved aside to %s", path, problem,
               aside);
  return FALSE;
}
