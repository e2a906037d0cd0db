/* data-path.c — keel_resolve_path_below(): a page's relative path, kept
 * inside the directory it names a file in (see keel-app.h). */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "keel/keel-app.h"

/* A file name may have this many bytes on Linux (NAME_MAX). */
#define MAX_COMPONENT 255

char *
keel_resolve_path_below (const char *dir, const char *path, const char *what,
                         const char *example, GError **error)
{
  g_return_val_if_fail (dir != NULL && path != NULL && what != NULL && example != NULL, NULL);

  g_autofree char *shown = keel_quote_for_message (path);
  if (*path == '\0')
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "the %s is empty; name a file in the app's data directory, such as \"%s\"",
                   what, example);
      return NULL;
    }
  for (const char *c = path; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      {
        g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                     "%s %s contains the control character 0x%02x; use printable characters",
                     what, shown, (guchar) *c);
        return NULL;
      }
  if (path[0] == '/')
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
                   "%s %s is absolute; it must name a file in the app's data directory (%s), "
                   "relative to it, such as \"%s\"",
                   what, shown, dir, example);
      return NULL;
    }
  if (g_str_has_suffix (path, "/"))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "%s %s ends with '/', so it names a directory; name a file in it", what,
                   shown);
      return NULL;
    }

  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();
  g_ptr_array_add (kept, (gpointer) dir);
  for (char **part = parts; *part != NULL; part++)
    {
      if (**part == '\0' || strcmp (*part, ".") == 0)
        continue;
      if (strcmp (*part, "..") == 0)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
                       "%s %s contains \"..\", which could leave the app's data directory "
                       "(%s); name a file inside it, such as \"%s\"",
                       what, shown, dir, example);
          return NULL;
        }
      if (strlen (*part) > MAX_COMPONENT)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "%s %s has a name of %zu bytes; a file name may have at most %d", what,
                       shown, strlen (*part), MAX_COMPONENT);
          return NULL;
        }
      g_ptr_array_add (kept, *part);
    }
  if (kept->len == 1)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "%s %s names the data directory itself; name a file, such as \"%s\"", what,
                   shown, example);
      return NULL;
    }
  /* Below the directory, links are not followed: one (made by the app, or by
   * anyone who can write there) could lead anywhere. */
  g_autoptr (GString) walked = g_string_new (dir);
  for (guint i = 1; i < kept->len; i++)
    {
      g_string_append_c (walked, G_DIR_SEPARATOR);
      g_string_append (walked, kept->pdata[i]);
      GStatBuf info;
      if (g_lstat (walked->str, &info) != 0)
        break; /* not there (yet): nothing further down is either */
      if (S_ISLNK (info.st_mode))
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
                       "%s %s goes through the symbolic link %s; links below the app's data "
                       "directory are not followed, as they could lead out of it",
                       what, shown, walked->str);
          return NULL;
        }
    }
  g_ptr_array_add (kept, NULL);
  return g_build_filenamev ((char **) kept->pdata);
}
