/* Fuzzes the one place that parses keel:// request paths, and the opener
 * behind it, against a small tree made once in a temp directory:
 *
 *   <tmp>/dist/      the frontend directory: files, a subdirectory, links
 *                    that stay inside and links that leave, a FIFO
 *   <tmp>/outside/   a secret that must never be opened
 *
 * Beyond "does not crash", every input checks the promises: a normalized
 * path is clean, both openers agree, whatever they open lies inside dist/, and
 * no descriptor leaks. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assets.h"
#include "keel/keel-error.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *base_dir;
static int root_fd = -1;
static dev_t secret_dev;
static ino_t secret_ino;
/* The lowest free descriptor once set up; a higher one later means a leak. */
static int lowest_free_fd;

static void
make_file (const char *path, const char *contents)
{
  if (!g_file_set_contents (path, contents, -1, NULL))
    abort ();
}

static void
make_link (const char *target, const char *root, const char *name)
{
  g_autofree char *path = g_build_filename (root, name, NULL);
  if (symlink (target, path) != 0)
    abort ();
}

static void
remove_tree (const char *path)
{
  struct stat st;
  if (lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
tear_down (void)
{
  close (root_fd);
  remove_tree (base_dir);
  g_free (base_dir);
}

static int
lowest_free (void)
{
  int fd = fcntl (root_fd, F_DUPFD_CLOEXEC, 0);
  close (fd);
  return fd;
}

static void
set_up (void)
{
  base_dir = g_dir_make_tmp ("keel-fuzz-asset-path-XXXXXX", NULL);
  if (base_dir == NULL)
    abort ();
  g_autofree char *root = g_build_filename (base_dir, "dist", NULL);
  g_autofree char *outside = g_build_filename (base_dir, "outside", NULL);
  g_autofree char *sub = g_build_filename (root, "sub", NULL);
  g_autofree char *secret = g_build_filename (outside, "secret.txt", NULL);
  g_autofree char *deep = g_build_filename (sub, "deep", NULL);
  if (g_mkdir (root, 0700) != 0 || g_mkdir (outside, 0700) != 0 || g_mkdir (sub, 0700) != 0
      || g_mkdir (deep, 0700) != 0)
    abort ();

  g_autofree char *index = g_build_filename (root, "index.html", NULL);
  g_autofree char *page = g_build_filename (sub, "page.js", NULL);
  g_autofree char *literal = g_build_filename (root, "%2e%2e", NULL);
  g_autofree char *accented = g_build_filename (root, "café.txt", NULL);
  g_autofree char *fifo = g_build_filename (root, "fifo", NULL);
  make_file (index, "<h1>hi</h1>");
  g_autofree char *style = g_build_filename (deep, "style.css", NULL);
  make_file (page, "console.log (1);");
  make_file (style, "body {}");
  make_file (literal, "literal");
  make_file (accented, "café");
  make_file (secret, "SECRET");
  if (mkfifo (fifo, 0600) != 0)
    abort ();

  make_link ("sub/page.js", root, "inside.js");
  make_link ("../index.html", root, "sub/up.html");
  make_link ("..", root, "sub/parent");
  make_link ("../page.js", root, "sub/deep/back.js");
  make_link ("../../../outside/secret.txt", root, "sub/deep/out.txt");
  make_link ("../..", root, "sub/deep/top");
  make_link ("../outside/secret.txt", root, "out.txt");
  make_link ("../outside", root, "outdir");
  make_link (secret, root, "abs.txt");
  make_link ("/", root, "slash");
  make_link ("loop", root, "loop");

  struct stat st;
  if (stat (secret, &st) != 0)
    abort ();
  secret_dev = st.st_dev;
  secret_ino = st.st_ino;

  root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    abort ();
  lowest_free_fd = lowest_free ();
  atexit (tear_down);
}

/* What keel__asset_normalize_path() promises of a path it returns. */
static void
check_clean (const char *clean)
{
  gsize length = strlen (clean);
  if (length == 0 || length > KEEL_ASSET_PATH_MAX + sizeof "/index.html")
    abort ();
  if (clean[0] == '/' || clean[length - 1] == '/')
    abort ();
  if (!g_utf8_validate (clean, -1, NULL))
    abort ();
  for (const char *p = clean; *p != '\0'; p++)
    {
      guchar byte = (guchar) *p;
      if (byte < 0x20 || byte == 0x7f || byte == '\\')
        abort ();
    }
  g_auto (GStrv) segments = g_strsplit (clean, "/", -1);
  for (char **segment = segments; *segment != NULL; segment++)
    {
      if (**segment == '\0' || strcmp (*segment, ".") == 0 || strcmp (*segment, "..") == 0)
        abort ();
    }
}

/* Opens with one opener; aborts if it hands out the secret or a non-file. */
static int
open_checked (int (*open_func) (int, const char *, GError **), const char *path,
              GError **error)
{
  int fd = open_func (root_fd, path, error);
  if ((fd >= 0) == (error != NULL && *error != NULL))
    abort ();
  if (fd < 0)
    return -1;

  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    abort ();
  if (st.st_dev == secret_dev && st.st_ino == secret_ino)
    abort ();
  close (fd);
  return 0;
}

static void
open_both (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) walk_error = NULL;
  int result = open_checked (keel__asset_open_beneath, path, &error);
  int walk_result = open_checked (keel__asset_open_beneath_walk, path, &walk_error);

  /* The fallback must judge every path as the kernel does. */
  if (result != walk_result)
    abort ();
  if (error != NULL && walk_error->code != error->code)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (root_fd < 0)
    set_up ();

  /* The shell hands over a C string: whatever follows a NUL never arrives. */
  g_autofree char *raw = g_strndup ((const char *) data, size);

  g_autoptr (GError) error = NULL;
  g_autofree char *clean = keel__asset_normalize_path (raw, &error);
  if (clean == NULL)
    {
      if (error == NULL || error->domain != KEEL_ERROR
          || (error->code != KEEL_ERROR_FORBIDDEN && error->code != KEEL_ERROR_INVALID)
          || !g_utf8_validate (error->message, -1, NULL))
        abort ();
    }
  else
    {
      if (error != NULL)
        abort ();
      check_clean (clean);
      keel__asset_mime_type (clean);
      keel__asset_content_type (clean);
      keel__asset_is_html (clean);
      open_both (clean);
    }

  /* The openers must hold up against paths that never went through
   * normalization too (the GResource side or a future caller may skip it). */
  if (size <= 2 * KEEL_ASSET_PATH_MAX)
    open_both (raw);

  if (lowest_free () != lowest_free_fd)
    abort ();
  return 0;
}
