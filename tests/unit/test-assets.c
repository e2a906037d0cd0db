/* Unit tests of src/core/assets.c: request path normalization, opening
 * beneath the frontend directory (openat2 and the hand-walked fallback), MIME
 * types. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assets.h"
#include "keel/keel-error.h"
#include "test-tree.h"

/* ---- normalization ---- */

typedef struct
{
  const char *raw;
  const char *expected; /* NULL when refused */
  KeelError code;       /* when refused */
  const char *word;     /* when refused: a word the message must contain */
} NormalizeCase;

#define OK(raw, expected) { raw, expected, 0, NULL }
#define NO(raw, code, word) { raw, NULL, KEEL_ERROR_##code, word }

static const NormalizeCase normalize_cases[] = {
  /* Accepted. */
  OK ("", "index.html"),
  OK ("/", "index.html"),
  OK ("/./", "index.html"),
  OK ("//", "index.html"),
  OK ("/index.html", "index.html"),
  OK ("/assets/app.js", "assets/app.js"),
  OK ("assets/app.js", "assets/app.js"),
  OK ("/assets/app%20x.js?v=3", "assets/app x.js"),
  OK ("/a/./b//c", "a/b/c"),
  OK ("//a", "a"),
  OK ("/docs/", "docs/index.html"),
  OK ("/docs/.", "docs/index.html"),
  OK ("/docs/?tab=2", "docs/index.html"),
  OK ("/?x=1", "index.html"),
  OK ("/#top", "index.html"),
  OK ("/page.html#sec?x", "page.html"),
  OK ("/page.html?a=..%2f..#x", "page.html"),
  OK ("/a?b/../../etc/passwd", "a"),
  OK ("/a#/../../etc/passwd", "a"),
  /* One decode only: what is left is a file name, not a parent directory. */
  OK ("/%252e%252e", "%2e%2e"),
  OK ("/%252e%252e/%252fetc", "%2e%2e/%2fetc"),
  OK ("/%25", "%"),
  OK ("/%41%42c", "ABc"),
  OK ("/%7e%7E", "~~"),
  OK ("/a%2Bb+c", "a+b+c"),
  OK ("/caf%C3%A9.png", "café.png"),
  OK ("/café.png", "café.png"),
  OK ("/%E2%82%AC.txt", "€.txt"),
  OK ("/%F0%9F%98%80.svg", "😀.svg"),
  OK ("/...", "..."),
  OK ("/a..b", "a..b"),
  OK ("/..a/b..", "..a/b.."),
  OK ("/.well-known/x", ".well-known/x"),
  OK ("/.%2e.", "..."),

  /* Escape attempts. */
  NO ("/..", FORBIDDEN, ".."),
  NO ("..", FORBIDDEN, ".."),
  NO ("/../etc/passwd", FORBIDDEN, ".."),
  NO ("/a/../b", FORBIDDEN, ".."),
  NO ("/a/..", FORBIDDEN, ".."),
  NO ("/a/../", FORBIDDEN, ".."),
  NO ("/..?x", FORBIDDEN, ".."),
  NO ("/%2e%2e", FORBIDDEN, ".."),
  NO ("/%2e%2e/x", FORBIDDEN, ".."),
  NO ("/%2E%2e/", FORBIDDEN, ".."),
  NO ("/.%2e/x", FORBIDDEN, ".."),
  NO ("/%2e./x", FORBIDDEN, ".."),
  NO ("/%2f", FORBIDDEN, "slash"),
  NO ("/..%2fetc", FORBIDDEN, "slash"),
  NO ("/a%2fb", FORBIDDEN, "slash"),
  NO ("/a%2Fb", FORBIDDEN, "slash"),
  NO ("/%5c", FORBIDDEN, "backslash"),
  NO ("/..%5Cetc", FORBIDDEN, "backslash"),
  NO ("\\", FORBIDDEN, "backslash"),
  NO ("/..\\etc", FORBIDDEN, "backslash"),
  NO ("/a\\b", FORBIDDEN, "backslash"),
  NO ("/%00", FORBIDDEN, "NUL"),
  NO ("/a.html%00.png", FORBIDDEN, "NUL"),

  /* Malformed. */
  NO ("/%C0%AE", INVALID, "UTF-8"),
  NO ("/%C0%AE%C0%AE/etc", INVALID, "UTF-8"),
  NO ("/%E0%80%AE", INVALID, "UTF-8"),
  NO ("/%F0%80%80%AE", INVALID, "UTF-8"),
  NO ("/%C0%AF", INVALID, "UTF-8"),
  NO ("/%ff", INVALID, "UTF-8"),
  NO ("/%C3", INVALID, "UTF-8"),
  NO ("/%ED%A0%80", INVALID, "UTF-8"),
  NO ("/\xc0\xae", INVALID, "UTF-8"),
  NO ("/\xff", INVALID, "UTF-8"),
  NO ("/%", INVALID, "hex"),
  NO ("/%4", INVALID, "hex"),
  NO ("/%4?x", INVALID, "hex"),
  NO ("/%zz", INVALID, "hex"),
  NO ("/%%32%65", INVALID, "hex"),
  NO ("/%-1", INVALID, "hex"),
  NO ("/a%0a", INVALID, "control"),
  NO ("/a%09b", INVALID, "control"),
  NO ("/a%0D%0Ab", INVALID, "control"),
  NO ("/a%7f", INVALID, "control"),
  NO ("/a%C2%85", INVALID, "control"),
  NO ("/a\x01" "b", INVALID, "control"),
  NO ("/a\tb", INVALID, "control"),
};

#undef OK
#undef NO

static void
test_normalize_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (normalize_cases); i++)
    {
      const NormalizeCase *c = &normalize_cases[i];
      g_autoptr (GError) error = NULL;
      g_autofree char *clean = keel__asset_normalize_path (c->raw, &error);
      g_autofree char *printable = g_strescape (c->raw, NULL);
      g_test_message ("case %" G_GSIZE_FORMAT ": \"%s\"", i, printable);
      if (c->expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (clean, ==, c->expected);
        }
      else
        {
          g_assert_null (clean);
          g_assert_error (error, KEEL_ERROR, (gint) c->code);
          g_assert_nonnull (strstr (error->message, c->word));
          /* The message quotes the request path. */
          g_assert_true (g_str_has_prefix (error->message, "Request path \""));
        }
    }
}

static void
test_normalize_quotes_escaped (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *clean = keel__asset_normalize_path ("/a\x01" "b\xff", &error);
  g_assert_null (clean);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
  /* The raw bytes come out as escapes, so the message stays printable. */
  g_assert_nonnull (strstr (error->message, "\"/a\\001b\\377\""));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_normalize_length (void)
{
  g_autoptr (GString) path = g_string_new ("/");
  while (path->len < KEEL_ASSET_PATH_MAX)
    g_string_append_c (path, 'a' + (char) (path->len % 7 == 0 ? 0 : path->len % 26));
  for (gsize i = 64; i < path->len; i += 64)
    path->str[i] = '/';

  g_autoptr (GError) error = NULL;
  g_assert_cmpuint (path->len, ==, 4096);
  g_autofree char *clean = keel__asset_normalize_path (path->str, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (clean, ==, path->str + 1);

  /* The query does not count: it is dropped before anything else. */
  g_autoptr (GString) with_query = g_string_new (path->str);
  g_string_append (with_query, "?");
  for (int i = 0; i < 1000; i++)
    g_string_append (with_query, "v=1&");
  g_autofree char *clean_query = keel__asset_normalize_path (with_query->str, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (clean_query, ==, clean);

  g_string_append_c (path, 'z');
  g_assert_cmpuint (path->len, ==, 4097);
  g_autofree char *refused = keel__asset_normalize_path (path->str, &error);
  g_assert_null (refused);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "4097 bytes"));
  g_assert_nonnull (strstr (error->message, "4096"));
  /* The quote is bounded. */
  g_assert_cmpuint (strlen (error->message), <, 400);
}

/* ---- opening ---- */

typedef int (*OpenFunc) (int root_fd, const char *rel_path, GError **error);

typedef struct
{
  char *base;    /* the temp dir holding both trees */
  char *root;    /* the frontend directory */
  int root_fd;
} Tree;

static void
write_file (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
make_link (const char *target, const char *root, const char *name)
{
  g_autofree char *path = g_build_filename (root, name, NULL);
  g_assert_no_errno (symlink (target, path));
}

static void
tree_set_up (Tree *tree, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  tree->base = g_dir_make_tmp ("keel-test-assets-XXXXXX", &error);
  g_assert_no_error (error);
  tree->root = g_build_filename (tree->base, "dist", NULL);
  g_autofree char *outside = g_build_filename (tree->base, "outside", NULL);
  g_autofree char *sub = g_build_filename (tree->root, "sub", NULL);
  g_assert_no_errno (g_mkdir (tree->root, 0700));
  g_assert_no_errno (g_mkdir (outside, 0700));
  g_autofree char *deep = g_build_filename (sub, "deep", NULL);
  g_assert_no_errno (g_mkdir (sub, 0700));
  g_assert_no_errno (g_mkdir (deep, 0700));

  g_autofree char *index = g_build_filename (tree->root, "index.html", NULL);
  g_autofree char *page = g_build_filename (sub, "page.js", NULL);
  g_autofree char *secret = g_build_filename (outside, "secret.txt", NULL);
  write_file (index, "<!doctype html><h1>hi</h1>\n");
  g_autofree char *style = g_build_filename (deep, "style.css", NULL);
  write_file (page, "console.log ('page');\n");
  write_file (style, "body { color: red; }\n");
  write_file (secret, "SECRET\n");

  make_link ("sub/page.js", tree->root, "inside.js");
  make_link ("../index.html", tree->root, "sub/up.html");
  make_link ("..", tree->root, "sub/parent");
  make_link ("../page.js", tree->root, "sub/deep/back.js");
  make_link ("../../index.html", tree->root, "sub/deep/up.html");
  make_link ("../../../outside/secret.txt", tree->root, "sub/deep/outside.txt");
  make_link ("../../sub/deep/../../../outside", tree->root, "sub/deep/zigzag");
  make_link ("sub", tree->root, "sub-link");
  make_link ("../outside/secret.txt", tree->root, "outside.txt");
  make_link ("../../outside/secret.txt", tree->root, "sub/outside.txt");
  make_link (secret, tree->root, "absolute.txt");
  make_link (index, tree->root, "absolute-inside.html");
  make_link ("../outside", tree->root, "outside-dir");
  make_link ("/", tree->root, "slash");
  make_link ("/proc/self/root/etc/hostname", tree->root, "magic");
  make_link ("loop-b", tree->root, "loop-a");
  make_link ("loop-a", tree->root, "loop-b");
  make_link ("nothing", tree->root, "dangling");
  make_link ("index.html/", tree->root, "file-slash");

  /* A chain of 40 links is the most the kernel follows; 41 is one too many. */
  for (int i = 0; i < 41; i++)
    {
      g_autofree char *name = g_strdup_printf ("chain%02d", i);
      g_autofree char *target = i == 0 ? g_strdup ("index.html") : g_strdup_printf ("chain%02d", i - 1);
      make_link (target, tree->root, name);
    }

  g_autofree char *fifo = g_build_filename (tree->root, "fifo", NULL);
  g_assert_no_errno (mkfifo (fifo, 0600));

  tree->root_fd = open (tree->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (tree->root_fd, >=, 0);
}

static void
tree_tear_down (Tree *tree, gconstpointer data)
{
  close (tree->root_fd);
  remove_tree (tree->base);
  g_free (tree->root);
  g_free (tree->base);
}

static guint
count_open_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_assert_nonnull (dir);
  guint count = 0;
  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

/* Opens rel_path and checks that the bytes read are those of expected_file
 * (relative to the root), and that the descriptor is as promised. */
static void
assert_opens (OpenFunc open_func, Tree *tree, const char *rel_path, const char *expected_file)
{
  g_autoptr (GError) error = NULL;
  int fd = open_func (tree->root_fd, rel_path, &error);
  g_test_message ("open \"%s\"", rel_path);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);

  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
  int flags = fcntl (fd, F_GETFL);
  g_assert_cmpint (flags & O_ACCMODE, ==, O_RDONLY);
  g_assert_cmpint (flags & O_NONBLOCK, ==, 0);

  char buffer[256];
  ssize_t length = read (fd, buffer, sizeof buffer);
  g_assert_cmpint (length, >, 0);
  close (fd);

  g_autofree char *path = g_build_filename (tree->root, expected_file, NULL);
  g_autofree char *contents = NULL;
  gsize contents_length = 0;
  g_file_get_contents (path, &contents, &contents_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, (gsize) length, contents, contents_length);
}

static void
assert_refused (OpenFunc open_func, Tree *tree, const char *rel_path, KeelError code,
                const char *word)
{
  g_autoptr (GError) error = NULL;
  int fd = open_func (tree->root_fd, rel_path, &error);
  g_test_message ("open \"%s\"", rel_path);
  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, KEEL_ERROR, (gint) code);
  g_assert_nonnull (strstr (error->message, word));
}

static void
test_open (Tree *tree, gconstpointer data)
{
  OpenFunc open_func = (OpenFunc) data;
  guint fds_before = count_open_fds ();

  assert_opens (open_func, tree, "index.html", "index.html");
  assert_opens (open_func, tree, "sub/page.js", "sub/page.js");
  /* Symbolic links that stay inside work, even when they climb with "..". */
  assert_opens (open_func, tree, "inside.js", "sub/page.js");
  assert_opens (open_func, tree, "sub/up.html", "index.html");
  assert_opens (open_func, tree, "sub/parent/index.html", "index.html");
  assert_opens (open_func, tree, "sub/parent/sub/parent/inside.js", "sub/page.js");
  assert_opens (open_func, tree, "sub-link/page.js", "sub/page.js");
  assert_opens (open_func, tree, "sub/../index.html", "index.html");
  assert_opens (open_func, tree, "sub/deep/style.css", "sub/deep/style.css");
  assert_opens (open_func, tree, "sub/deep/back.js", "sub/page.js");
  assert_opens (open_func, tree, "sub/deep/up.html", "index.html");
  assert_opens (open_func, tree, "sub/deep/../deep/./style.css", "sub/deep/style.css");
  assert_opens (open_func, tree, "sub/parent/sub/deep/back.js", "sub/page.js");
  assert_opens (open_func, tree, "chain39", "index.html");

  /* Links that leave, however they do it. */
  assert_refused (open_func, tree, "outside.txt", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "sub/outside.txt", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "sub/deep/outside.txt", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "sub/deep/zigzag/secret.txt", KEEL_ERROR_FORBIDDEN,
                  "outside");
  assert_refused (open_func, tree, "absolute.txt", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "outside-dir/secret.txt", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "slash/etc/hostname", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "magic", KEEL_ERROR_FORBIDDEN, "outside");
  /* As with RESOLVE_BENEATH, an absolute link is refused even when it points
   * inside. */
  assert_refused (open_func, tree, "absolute-inside.html", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "loop-a", KEEL_ERROR_FORBIDDEN, "40");
  assert_refused (open_func, tree, "chain40", KEEL_ERROR_FORBIDDEN, "40");
  /* Paths that do not come from keel__asset_normalize_path(), all the same. */
  assert_refused (open_func, tree, "../outside/secret.txt", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "sub/../../outside/secret.txt", KEEL_ERROR_FORBIDDEN,
                  "outside");
  assert_refused (open_func, tree, "..", KEEL_ERROR_FORBIDDEN, "outside");
  assert_refused (open_func, tree, "/etc/hostname", KEEL_ERROR_FORBIDDEN, "outside");

  /* Not regular files, or not there. */
  assert_refused (open_func, tree, "sub", KEEL_ERROR_NOT_FOUND, "directory");
  assert_refused (open_func, tree, "sub/", KEEL_ERROR_NOT_FOUND, "directory");
  assert_refused (open_func, tree, "sub-link", KEEL_ERROR_NOT_FOUND, "directory");
  assert_refused (open_func, tree, "sub/parent", KEEL_ERROR_NOT_FOUND, "directory");
  assert_refused (open_func, tree, ".", KEEL_ERROR_NOT_FOUND, "directory");
  assert_refused (open_func, tree, "sub/..", KEEL_ERROR_NOT_FOUND, "directory");
  assert_refused (open_func, tree, "fifo", KEEL_ERROR_NOT_FOUND, "special file");
  assert_refused (open_func, tree, "missing.js", KEEL_ERROR_NOT_FOUND, "not in the frontend");
  assert_refused (open_func, tree, "sub/missing/x.js", KEEL_ERROR_NOT_FOUND, "not in");
  assert_refused (open_func, tree, "index.html/x", KEEL_ERROR_NOT_FOUND, "not in");
  assert_refused (open_func, tree, "index.html/", KEEL_ERROR_NOT_FOUND, "not in");
  assert_refused (open_func, tree, "file-slash", KEEL_ERROR_NOT_FOUND, "not in");
  assert_refused (open_func, tree, "dangling", KEEL_ERROR_NOT_FOUND, "not in");
  assert_refused (open_func, tree, "", KEEL_ERROR_NOT_FOUND, "not in");

  /* Every descriptor taken on the way was given back. */
  g_assert_cmpuint (count_open_fds (), ==, fds_before);
}

/* The opener never serves what keel__asset_normalize_path() let through
 * from outside: the two together, end to end. */
static void
test_normalize_then_open (Tree *tree, gconstpointer data)
{
  OpenFunc open_func = (OpenFunc) data;
  g_autoptr (GError) error = NULL;

  g_autofree char *clean = keel__asset_normalize_path ("/sub/page.js?v=1", &error);
  g_assert_no_error (error);
  assert_opens (open_func, tree, clean, "sub/page.js");

  g_autofree char *index = keel__asset_normalize_path ("/", &error);
  g_assert_no_error (error);
  assert_opens (open_func, tree, index, "index.html");

  g_autofree char *sub_index = keel__asset_normalize_path ("/sub/", &error);
  g_assert_no_error (error);
  assert_refused (open_func, tree, sub_index, KEEL_ERROR_NOT_FOUND, "not in");

  g_autofree char *literal = keel__asset_normalize_path ("/%252e%252e/outside/secret.txt", &error);
  g_assert_no_error (error);
  assert_refused (open_func, tree, literal, KEEL_ERROR_NOT_FOUND, "not in");
}

/* ---- MIME types ---- */

static void
test_mime (void)
{
  static const struct
  {
    const char *path;
    const char *mime_type;
    const char *content_type;
  } cases[] = {
    { "index.html", "text/html", "text/html; charset=utf-8" },
    { "a/b.htm", "text/html", "text/html; charset=utf-8" },
    { "app.js", "text/javascript", "text/javascript; charset=utf-8" },
    { "app.mjs", "text/javascript", "text/javascript; charset=utf-8" },
    { "app.cjs", "text/javascript", "text/javascript; charset=utf-8" },
    { "style.css", "text/css", "text/css; charset=utf-8" },
    { "data.json", "application/json", "application/json; charset=utf-8" },
    { "app.js.map", "application/json", "application/json; charset=utf-8" },
    { "logo.svg", "image/svg+xml", "image/svg+xml; charset=utf-8" },
    { "readme.txt", "text/plain", "text/plain; charset=utf-8" },
    { "feed.xml", "application/xml", "application/xml; charset=utf-8" },
    { "t.csv", "text/csv", "text/csv; charset=utf-8" },
    { "t.md", "text/markdown", "text/markdown; charset=utf-8" },
    { "i.png", "image/png", "image/png" },
    { "i.jpg", "image/jpeg", "image/jpeg" },
    { "i.jpeg", "image/jpeg", "image/jpeg" },
    { "i.gif", "image/gif", "image/gif" },
    { "i.webp", "image/webp", "image/webp" },
    { "i.avif", "image/avif", "image/avif" },
    { "favicon.ico", "image/x-icon", "image/x-icon" },
    { "i.bmp", "image/bmp", "image/bmp" },
    { "f.woff", "font/woff", "font/woff" },
    { "f.woff2", "font/woff2", "font/woff2" },
    { "f.ttf", "font/ttf", "font/ttf" },
    { "f.otf", "font/otf", "font/otf" },
    { "m.wasm", "application/wasm", "application/wasm" },
    { "d.pdf", "application/pdf", "application/pdf" },
    { "s.mp3", "audio/mpeg", "audio/mpeg" },
    { "v.mp4", "video/mp4", "video/mp4" },
    { "v.webm", "video/webm", "video/webm" },
    { "s.ogg", "audio/ogg", "audio/ogg" },
    { "s.wav", "audio/wav", "audio/wav" },
    /* Case-insensitive. */
    { "INDEX.HTML", "text/html", "text/html; charset=utf-8" },
    { "App.Js", "text/javascript", "text/javascript; charset=utf-8" },
    { "PHOTO.JPG", "image/jpeg", "image/jpeg" },
    /* Unknown, or no extension. */
    { "archive.xyz", "application/octet-stream", "application/octet-stream" },
    { "Makefile", "application/octet-stream", "application/octet-stream" },
    { ".env", "application/octet-stream", "application/octet-stream" },
    { "dir/.html", "application/octet-stream", "application/octet-stream" },
    { "file.", "application/octet-stream", "application/octet-stream" },
    { "dir.js/file", "application/octet-stream", "application/octet-stream" },
    { "", "application/octet-stream", "application/octet-stream" },
    { "html", "application/octet-stream", "application/octet-stream" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("\"%s\"", cases[i].path);
      g_assert_cmpstr (keel__asset_mime_type (cases[i].path), ==, cases[i].mime_type);
      g_assert_cmpstr (keel__asset_content_type (cases[i].path), ==, cases[i].content_type);
    }
}

static void
test_is_html (void)
{
  g_assert_true (keel__asset_is_html ("index.html"));
  g_assert_true (keel__asset_is_html ("a/B.HTM"));
  g_assert_true (keel__asset_is_html ("doc.xhtml"));
  g_assert_false (keel__asset_is_html ("app.js"));
  g_assert_false (keel__asset_is_html ("index.html.map"));
  g_assert_false (keel__asset_is_html ("html"));
  g_assert_false (keel__asset_is_html (".html"));
  g_assert_false (keel__asset_is_html (""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/assets/normalize/table", test_normalize_table);
  g_test_add_func ("/assets/normalize/quotes-escaped", test_normalize_quotes_escaped);
  g_test_add_func ("/assets/normalize/length", test_normalize_length);
  g_test_add ("/assets/open/openat2", Tree, (gconstpointer) keel__asset_open_beneath,
              tree_set_up, test_open, tree_tear_down);
  g_test_add ("/assets/open/walk", Tree, (gconstpointer) keel__asset_open_beneath_walk,
              tree_set_up, test_open, tree_tear_down);
  g_test_add ("/assets/open/normalized/openat2", Tree, (gconstpointer) keel__asset_open_beneath,
              tree_set_up, test_normalize_then_open, tree_tear_down);
  g_test_add ("/assets/open/normalized/walk", Tree,
              (gconstpointer) keel__asset_open_beneath_walk, tree_set_up,
              test_normalize_then_open, tree_tear_down);
  g_test_add_func ("/assets/mime/table", test_mime);
  g_test_add_func ("/assets/mime/is-html", test_is_html);

  return g_test_run ();
}
