/* Unit tests of keel_resolve_path_below() (src/core/data-path.c): where a
 * file a page names in the app's data directory may be, as the store and SQL
 * plugins use it. */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "keel/keel-app.h"

static void
assert_resolves (const char *path, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *resolved
    = keel_resolve_path_below ("/data/app", path, "store path", "settings.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (resolved, ==, expected);
}

static void
assert_refused (const char *path, KeelError code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *resolved
    = keel_resolve_path_below ("/data/app", path, "store path", "settings.json", &error);
  g_assert_null (resolved);
  g_assert_error (error, KEEL_ERROR, (int) code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("\"%s\": the message lacks \"%s\": %s", path, fragment, error->message);
}

static void
test_paths (void)
{
  assert_resolves ("settings.json", "/data/app/settings.json");
  assert_resolves ("./settings.json", "/data/app/settings.json");
  assert_resolves ("profiles//work.json", "/data/app/profiles/work.json");
  assert_resolves ("a/./b/c.json", "/data/app/a/b/c.json");
  assert_resolves (".hidden", "/data/app/.hidden");
  assert_resolves ("...", "/data/app/...");
  assert_resolves ("name with spaces ☃.json", "/data/app/name with spaces ☃.json");

  assert_refused ("", KEEL_ERROR_INVALID, "the store path is empty");
  assert_refused ("", KEEL_ERROR_INVALID, "such as \"settings.json\"");
  assert_refused ("/etc/passwd", KEEL_ERROR_FORBIDDEN, "store path \"/etc/passwd\" is absolute");
  assert_refused ("/etc/passwd", KEEL_ERROR_FORBIDDEN, "(/data/app)");
  assert_refused ("../x.json", KEEL_ERROR_FORBIDDEN, "\"..\"");
  assert_refused ("a/../../x.json", KEEL_ERROR_FORBIDDEN, "\"..\"");
  assert_refused ("a/..", KEEL_ERROR_FORBIDDEN, "\"..\"");
  assert_refused ("a/../b.json", KEEL_ERROR_FORBIDDEN, "\"..\"");
  assert_refused ("profiles/", KEEL_ERROR_INVALID, "names a directory");
  assert_refused (".", KEEL_ERROR_INVALID, "data directory itself");
  assert_refused ("./.", KEEL_ERROR_INVALID, "data directory itself");
  assert_refused ("a\nb.json", KEEL_ERROR_INVALID, "control character 0x0a");
  /* Checked before anything else: a control character in an absolute path. */
  assert_refused ("/a\x7f", KEEL_ERROR_INVALID, "control character 0x7f");
  /* The path is quoted escaped, whatever it holds. */
  assert_refused ("a\nb.json", KEEL_ERROR_INVALID, "store path \"a\\nb.json\" contains");
  g_autofree char *long_name = g_strnfill (256, 'x');
  assert_refused (long_name, KEEL_ERROR_INVALID, "at most 255");
  /* ... and cut short in the message. */
  assert_refused (long_name, KEEL_ERROR_INVALID, "xxxxxxxxxx\"… has a name of 256 bytes");
  g_autofree char *longest = g_strnfill (255, 'x');
  g_autofree char *expected = g_strconcat ("/data/app/", longest, NULL);
  assert_resolves (longest, expected);
}

static void
test_links (void)
{
  /* Links below the directory are not followed, file or directory. */
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("keel-data-path-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *outside = g_build_filename (root, "outside", NULL);
  g_autofree char *base = g_build_filename (root, "base", NULL);
  g_autofree char *sub = g_build_filename (root, "base", "sub", NULL);
  g_assert_cmpint (g_mkdir (outside, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_autofree char *dir_link = g_build_filename (sub, "out", NULL);
  g_autofree char *file_link = g_build_filename (base, "file.json", NULL);
  g_assert_cmpint (symlink (outside, dir_link), ==, 0);
  g_assert_cmpint (symlink ("/etc/passwd", file_link), ==, 0);

  const char *refused[] = { "sub/out/x.json", "sub/out", "file.json", "./sub//out/deeper/x.json" };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) link_error = NULL;
      g_autofree char *resolved
        = keel_resolve_path_below (base, refused[i], "database file", "notes.db", &link_error);
      g_assert_null (resolved);
      g_assert_error (link_error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN);
      g_assert_nonnull (strstr (link_error->message, "database file"));
      g_assert_nonnull (strstr (link_error->message, "symbolic link"));
    }
  g_autofree char *fine
    = keel_resolve_path_below (base, "sub/new/x.json", "database file", "notes.db", &error);
  g_assert_no_error (error);
  g_autofree char *expected = g_build_filename (sub, "new", "x.json", NULL);
  g_assert_cmpstr (fine, ==, expected);
  /* Nothing was created. */
  g_autofree char *not_made = g_build_filename (sub, "new", NULL);
  g_assert_false (g_file_test (not_made, G_FILE_TEST_EXISTS));

  g_remove (dir_link);
  g_remove (file_link);
  g_rmdir (sub);
  g_rmdir (base);
  g_rmdir (outside);
  g_rmdir (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data-path/paths", test_paths);
  g_test_add_func ("/data-path/links", test_links);
  return g_test_run ();
}
