/* Fuzzes the store plugin's two parsers of outside input
 * (plugins/store/store-file.c): the store path a page names (resolved by
 * keel_resolve_path_below()), and the store file on disk. The input's first line is the path; the rest is a file's
 * contents. Beyond "does not crash":
 *
 * - a path that resolves lies strictly inside the data directory, spelt
 *   without ".", "..", empty components or control characters;
 * - a file that reads is a JSON object, and writing it and reading it back
 *   gives the same object;
 * - a file that does not read was moved aside unchanged, never lost. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keel/keel-app.h"
#include "store.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *base_dir;
static char *store_path;

static void
tear_down (void)
{
  g_remove (store_path);
  g_rmdir (base_dir);
  g_free (store_path);
  g_free (base_dir);
}

static void
set_up (void)
{
  base_dir = g_dir_make_tmp ("keel-fuzz-store-XXXXXX", NULL);
  if (base_dir == NULL)
    abort ();
  store_path = g_build_filename (base_dir, "store.json", NULL);
  atexit (tear_down);
}

static void
check_path (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *resolved
    = keel_resolve_path_below (base_dir, path, "store path", "settings.json", &error);
  if (resolved == NULL)
    {
      if (error == NULL || error->domain != KEEL_ERROR || *error->message == '\0'
          || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return;
    }
  gsize base_length = strlen (base_dir);
  if (strncmp (resolved, base_dir, base_length) != 0 || resolved[base_length] != '/'
      || resolved[base_length + 1] == '\0')
    abort ();
  g_auto (GStrv) parts = g_strsplit (resolved + base_length + 1, "/", -1);
  for (char **part = parts; *part != NULL; part++)
    {
      if (**part == '\0' || strcmp (*part, ".") == 0 || strcmp (*part, "..") == 0)
        abort ();
      for (const char *c = *part; *c != '\0'; c++)
        if ((guchar) *c < 0x20 || *c == 0x7f)
          abort ();
    }
}

static void
check_file (const uint8_t *data, size_t size)
{
  if (!g_file_set_contents (store_path, (const char *) data, (gssize) size, NULL))
    abort ();
  g_autoptr (GError) error = NULL;
  json_t *object = NULL;
  if (keel__store_file_read (store_path, &object, &error))
    {
      if (!json_is_object (object) || !keel__store_file_write (store_path, object, &error))
        abort ();
      json_t *again = NULL;
      if (!keel__store_file_read (store_path, &again, &error) || !json_equal (object, again))
        abort ();
      json_decref (again);
      json_decref (object);
      g_remove (store_path);
      return;
    }
  if (!g_error_matches (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT))
    abort ();
  /* Moved aside, with its contents intact; nothing left at the old name. */
  /* The last mention: the file's own text, quoted in the message, may say it too. */
  const char *aside = g_strrstr (error->message, "moved aside to ");
  if (aside == NULL || g_file_test (store_path, G_FILE_TEST_EXISTS))
    abort ();
  aside += strlen ("moved aside to ");
  g_autofree char *kept = NULL;
  gsize length = 0;
  if (!g_file_get_contents (aside, &kept, &length, NULL) || length != size
      || memcmp (kept, data, size) != 0)
    abort ();
  g_remove (aside);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (base_dir == NULL)
    set_up ();
  const uint8_t *newline = memchr (data, '\n', size);
  size_t path_length = newline != NULL ? (size_t) (newline - data) : size;
  g_autofree char *path = g_strndup ((const char *) data, path_length);
  /* A C string ends at a NUL, as the IPC layer's argument helpers ensure. */
  if (strlen (path) == path_length)
    check_path (path);
  if (newline != NULL)
    check_file (newline + 1, size - path_length - 1);
  return 0;
}
