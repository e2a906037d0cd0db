/* test-tree.h — removes a test's scratch directory and everything in it. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

/* Removes `path` and, when it is a directory, all it holds. A symbolic link
 * is removed, never followed, so a test that plants one pointing outside its
 * directory does not empty the target. Every removal is asserted. */
static inline void
remove_tree (const char *path)
{
  struct stat st;
  g_assert_no_errno (lstat (path, &st));
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      g_assert_nonnull (dir);
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_assert_no_errno (g_rmdir (path));
    }
  else
    g_assert_no_errno (g_unlink (path));
}
