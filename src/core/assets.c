/* For O_PATH and syscall(). */
#define _GNU_SOURCE

#include "assets.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "keel/keel-error.h"

/* How many bytes of an offending path an error message quotes. */
#define QUOTE_MAX 120

/* O_NONBLOCK so that opening a FIFO someone left in the tree returns at once
 * instead of waiting for a writer; it is cleared again once fstat() has shown
 * a regular file. O_NOCTTY so that a terminal device never becomes ours. */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* openat2() may fail with EAGAIN when a rename races with ".." resolution;
 * the man page invites a retry, which is bounded so that a hostile tree
 * cannot keep us spinning. */
#define OPENAT2_RETRIES 8

/* A printable, bounded rendering of an untrusted path for error messages:
 * control characters and bytes outside ASCII are shown as escapes. */
static char *
quote_path (const char *path)
{
  gsize length = strlen (path);
  g_autofree char *head = g_strndup (path, MIN (length, QUOTE_MAX));
  g_autofree char *escaped = g_strescape (head, NULL);
  return g_strdup_printf ("\"%s\"%s", escaped, length > QUOTE_MAX ? "…" : "");
}

static void
set_path_error (GError **error, KeelError code, const char *raw_path, const char *why)
{
  g_autofree char *quoted = quote_path (raw_path);
  g_set_error (error, KEEL_ERROR, code, "Request path %s is %s: %s", quoted,
               code == KEEL_ERROR_FORBIDDEN ? "forbidden" : "invalid", why);
}

/* Percent-decodes [start, end) into segment and refuses the bytes that make a
 * segment escape or mean something else than it seems. Returns FALSE with
 * error set. */
static gboolean
decode_segment (const char *raw_path, const char *start, const char *end, GString *segment,
                GError **error)
{
  g_string_truncate (segment, 0);
  for (const char *p = start; p < end; p++)
    {
      guchar byte = (guchar) *p;
      gboolean encoded = FALSE;
      if (byte == '%')
        {
          int high = p + 1 < end ? g_ascii_xdigit_value (p[1]) : -1;
          int low = p + 2 < end ? g_ascii_xdigit_value (p[2]) : -1;
          if (high < 0 || low < 0)
            {
              set_path_error (error, KEEL_ERROR_INVALID, raw_path,
                              "a '%' is not followed by two hex digits; write a literal '%' "
                              "as %25");
              return FALSE;
            }
          byte = (guchar) (high << 4 | low);
          encoded = TRUE;
          p += 2;
        }

      if (byte == '\0')
        {
          set_path_error (error, KEEL_ERROR_FORBIDDEN, raw_path,
                          "it contains a NUL byte (%00), which could cut the file name short; "
                          "file names cannot contain NUL");
          return FALSE;
        }
      /* A raw '/' never gets here, so this is %2F: decoding it would join two
       * segments after the ".." check has looked at them one by one. */
      if (byte == '/')
        {
          set_path_error (error, KEEL_ERROR_FORBIDDEN, raw_path,
                          "it contains an encoded slash (%2F), which would hide a segment "
                          "boundary; use a plain '/' between directories");
          return FALSE;
        }
      if (byte == '\\')
        {
          set_path_error (error, KEEL_ERROR_FORBIDDEN, raw_path,
                          encoded ? "it contains an encoded backslash (%5C), which some "
                                    "systems read as a directory separator; use '/'"
                                  : "it contains a backslash, which some systems read as a "
                                    "directory separator; use '/'");
          return FALSE;
        }
      if (byte < 0x20 || byte == 0x7f)
        {
          set_path_error (error, KEEL_ERROR_INVALID, raw_path,
                          "it contains a control character; rename the file without it");
          return FALSE;
        }
      g_string_append_c (segment, (char) byte);
    }

  const char *invalid = NULL;
  if (!g_utf8_validate (segment->str, (gssize) segment->len, &invalid))
    {
      set_path_error (error, KEEL_ERROR_INVALID, raw_path,
                      "it is not valid UTF-8 once percent-decoded (overlong and truncated "
                      "sequences are refused); encode file names as UTF-8");
      return FALSE;
    }
  for (const char *p = segment->str; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c >= 0x80 && c <= 0x9f)
        {
          set_path_error (error, KEEL_ERROR_INVALID, raw_path,
                          "it contains a control character (U+0080 to U+009F); rename the "
                          "file without it");
          return FALSE;
        }
    }
  return TRUE;
}

char *
keel__asset_normalize_path (const char *raw_path, GError **error)
{
  g_return_val_if_fail (raw_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The query and fragment never name a file; a page adds them for cache
   * busting or in-page navigation. */
  gsize length = strcspn (raw_path, "?#");
  if (length > KEEL_ASSET_PATH_MAX)
    {
      g_autofree char *why = g_strdup_printf (
          "it is %" G_GSIZE_FORMAT " bytes long, more than the %d accepted; use shorter "
          "paths",
          length, KEEL_ASSET_PATH_MAX);
      set_path_error (error, KEEL_ERROR_INVALID, raw_path, why);
      return NULL;
    }

  g_autoptr (GString) clean = g_string_sized_new (length + sizeof "/index.html");
  g_autoptr (GString) segment = g_string_sized_new (64);
  /* Whether the last segment names a directory ("", "."): its index.html
   * answers then, as a static web server would. */
  gboolean names_directory = TRUE;
  const char *end = raw_path + length;
  const char *start = raw_path;
  for (;;)
    {
      const char *slash = memchr (start, '/', (gsize) (end - start));
      const char *segment_end = slash != NULL ? slash : end;

      if (!decode_segment (raw_path, start, segment_end, segment, error))
        return NULL;

      if (segment->len == 0 || strcmp (segment->str, ".") == 0)
        names_directory = TRUE;
      else if (strcmp (segment->str, "..") == 0)
        {
          /* Refused even when it would stay inside ("a/../b"): pages have
           * no reason to send one, and the check stays simple to trust. */
          set_path_error (error, KEEL_ERROR_FORBIDDEN, raw_path,
                          "it contains a \"..\" segment (maybe percent-encoded), which could "
                          "climb out of the frontend directory; link to files by their path "
                          "from the frontend root");
          return NULL;
        }
      else
        {
          if (clean->len > 0)
            g_string_append_c (clean, '/');
          g_string_append_len (clean, segment->str, (gssize) segment->len);
          names_directory = FALSE;
        }

      if (slash == NULL)
        break;
      start = slash + 1;
    }

  if (names_directory)
    g_string_append (clean, clean->len > 0 ? "/index.html" : "index.html");
  return g_string_free (g_steal_pointer (&clean), FALSE);
}

/* Sets the error for a failed open of rel_path from its errno. Returns -1. */
static int
fail_open (int saved_errno, const char *rel_path, GError **error)
{
  g_autofree char *quoted = quote_path (rel_path);
  switch (saved_errno)
    {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND,
                   "Asset %s is not in the frontend directory; check the path and that the "
                   "frontend build put the file into build.frontendDist",
                   quoted);
      break;
    case EXDEV:
    case ELOOP:
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
                   "Asset %s resolves outside the frontend directory (by an absolute path or "
                   "symbolic link, a \"..\" that climbs out, or a chain of more than %d "
                   "symbolic links); only files inside it are served, so copy the file in or "
                   "make the link relative and keep its target inside",
                   quoted, KEEL_ASSET_MAX_SYMLINKS);
      break;
    case EACCES:
    case EPERM:
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
                   "Asset %s cannot be read: %s; make it readable by the user running the app",
                   quoted, g_strerror (saved_errno));
      break;
    default:
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED, "Could not open asset %s: %s", quoted,
                   g_strerror (saved_errno));
      break;
    }
  return -1;
}

static int
fail_not_a_file (const char *rel_path, const char *what, GError **error)
{
  g_autofree char *quoted = quote_path (rel_path);
  g_set_error (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND,
               "Asset %s is %s, not a file; request a file inside it (such as its index.html)",
               quoted, what);
  return -1;
}

/* Accepts fd only if it is a regular file, and makes it blocking again. Takes
 * ownership of fd. */
static int
finish_open (int fd, const char *rel_path, GError **error)
{
  struct stat st;
  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;
      close (fd);
      return fail_open (saved_errno, rel_path, error);
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      return fail_not_a_file (rel_path, S_ISDIR (st.st_mode) ? "a directory" : "a special file",
                              error);
    }

  int flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fcntl (fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
    {
      int saved_errno = errno;
      close (fd);
      return fail_open (saved_errno, rel_path, error);
    }
  return fd;
}

/* Pushes the components of path onto todo so that the first ends on top. A
 * trailing '/' becomes a "." at the bottom: whatever precedes it must then be
 * a directory, as it must for the kernel. */
static void
push_components (GPtrArray *todo, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  guint count = g_strv_length (parts);
  if (count > 1 && parts[count - 1][0] == '\0')
    g_ptr_array_add (todo, g_strdup ("."));
  for (guint i = count; i-- > 0;)
    {
      if (parts[i][0] != '\0')
        g_ptr_array_add (todo, g_strdup (parts[i]));
    }
}

/* Opens the directory that the real directory names in trail lead to from
 * root_fd, refusing symbolic links on the way. Returns root_fd itself for an
 * empty trail. */
static int
open_trail (int root_fd, GPtrArray *trail)
{
  int fd = root_fd;
  for (guint i = 0; i < trail->len; i++)
    {
      int next = openat (fd, g_ptr_array_index (trail, i),
                         O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int saved_errno = errno;
      if (fd != root_fd)
        close (fd);
      if (next < 0)
        {
          errno = saved_errno;
          return -1;
        }
      fd = next;
    }
  return fd;
}

/* The walk itself; *dir_fd is the directory reached so far, closed by the
 * caller unless it is root_fd. */
static int
walk (int root_fd, const char *rel_path, int *dir_fd, GError **error)
{
  /* What is left to resolve, next component on top, so that a link's target
   * goes in front of the rest. */
  g_autoptr (GPtrArray) todo = g_ptr_array_new_with_free_func (g_free);
  /* The real directories from root_fd down to *dir_fd: ".." pops one and
   * reopens the rest from root_fd, so a directory moved meanwhile cannot
   * carry the walk outside. */
  g_autoptr (GPtrArray) trail = g_ptr_array_new_with_free_func (g_free);
  guint links = 0;

  if (rel_path[0] == '\0')
    return fail_open (ENOENT, rel_path, error);
  /* The kernel refuses such a path whole; so does the walk, to judge every
   * path alike. */
  if (strlen (rel_path) >= PATH_MAX)
    return fail_open (ENAMETOOLONG, rel_path, error);
  if (rel_path[0] == '/')
    return fail_open (EXDEV, rel_path, error);
  push_components (todo, rel_path);

  while (todo->len > 0)
    {
      g_autofree char *name = g_ptr_array_steal_index (todo, todo->len - 1);
      gboolean last = todo->len == 0;

      if (strcmp (name, ".") == 0)
        {
          if (last)
            return fail_not_a_file (rel_path, "a directory", error);
          continue;
        }
      if (strcmp (name, "..") == 0)
        {
          if (trail->len == 0)
            return fail_open (EXDEV, rel_path, error);
          g_ptr_array_set_size (trail, trail->len - 1);
          if (*dir_fd != root_fd)
            close (*dir_fd);
          *dir_fd = open_trail (root_fd, trail);
          if (*dir_fd < 0)
            {
              int saved_errno = errno;
              *dir_fd = root_fd;
              return fail_open (saved_errno, rel_path, error);
            }
          if (last)
            return fail_not_a_file (rel_path, "a directory", error);
          continue;
        }

      int fd;
      do
        fd = openat (*dir_fd, name,
                     last ? OPEN_FLAGS | O_NOFOLLOW
                          : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      while (fd < 0 && errno == EINTR);

      if (fd >= 0 && last)
        return finish_open (fd, rel_path, error);
      if (fd >= 0)
        {
          if (*dir_fd != root_fd)
            close (*dir_fd);
          *dir_fd = fd;
          g_ptr_array_add (trail, g_steal_pointer (&name));
          continue;
        }

      /* O_NOFOLLOW reports a symbolic link as ELOOP, or as ENOTDIR together
       * with O_DIRECTORY; readlinkat() tells a link from a plain file. */
      int open_errno = errno;
      if (open_errno != ELOOP && open_errno != ENOTDIR)
        return fail_open (open_errno, rel_path, error);

      char target[PATH_MAX];
      ssize_t target_length = readlinkat (*dir_fd, name, target, sizeof target);
      if (target_length < 0)
        return fail_open (errno == EINVAL ? open_errno : errno, rel_path, error);
      if ((gsize) target_length >= sizeof target)
        return fail_open (ENAMETOOLONG, rel_path, error);
      if (target_length == 0)
        return fail_open (ENOENT, rel_path, error);
      if (++links > KEEL_ASSET_MAX_SYMLINKS)
        return fail_open (ELOOP, rel_path, error);
      target[target_length] = '\0';
      if (target[0] == '/')
        return fail_open (EXDEV, rel_path, error);
      push_components (todo, target);
    }

  /* Only a path of nothing but "." components ends here. */
  return fail_not_a_file (rel_path, "a directory", error);
}

int
keel__asset_open_beneath_walk (int root_fd, const char *rel_path, GError **error)
{
  g_return_val_if_fail (root_fd >= 0, -1);
  g_return_val_if_fail (rel_path != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  int dir_fd = root_fd;
  int fd = walk (root_fd, rel_path, &dir_fd, error);
  if (dir_fd != root_fd)
    close (dir_fd);
  return fd;
}

int
keel__asset_open_beneath (int root_fd, const char *rel_path, GError **error)
{
  g_return_val_if_fail (root_fd >= 0, -1);
  g_return_val_if_fail (rel_path != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

#ifdef SYS_openat2
  /* Set once the kernel has said it has no openat2(), to skip the syscall
   * from then on. */
  static gint openat2_missing = FALSE;

  if (!g_atomic_int_get (&openat2_missing))
    {
      struct open_how how = {
        .flags = OPEN_FLAGS,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
      };
      int fd = -1;
      for (int attempt = 0; attempt < OPENAT2_RETRIES; attempt++)
        {
          fd = (int) syscall (SYS_openat2, root_fd, rel_path, &how, sizeof how);
          if (fd >= 0 || (errno != EINTR && errno != EAGAIN))
            break;
        }
      if (fd >= 0)
        return finish_open (fd, rel_path, error);
      /* EAGAIN: a rename or mount anywhere on the system raced every
       * attempt's ".." resolution (the kernel's check is global; a busy
       * machine can keep it failing). The walk needs no retry. */
      if (errno == EAGAIN)
        return keel__asset_open_beneath_walk (root_fd, rel_path, error);
      if (errno != ENOSYS)
        return fail_open (errno, rel_path, error);
      g_atomic_int_set (&openat2_missing, TRUE);
    }
#endif

  return keel__asset_open_beneath_walk (root_fd, rel_path, error);
}

typedef struct
{
  const char *extension;
  const char *mime_type;
  const char *content_type;
} MimeEntry;

#define TEXT(ext, type) { ext, type, type "; charset=utf-8" }
#define BINARY(ext, type) { ext, type, type }

/* The types web frontends ship. JavaScript is text/javascript (RFC 9239);
 * the textual ones carry a charset because Vite and friends emit UTF-8
 * and a page must not be decoded with a guessed legacy encoding. */
static const MimeEntry mime_table[] = {
  TEXT ("html", "text/html"),
  TEXT ("htm", "text/html"),
  TEXT ("xhtml", "application/xhtml+xml"),
  TEXT ("js", "text/javascript"),
  TEXT ("mjs", "text/javascript"),
  TEXT ("cjs", "text/javascript"),
  TEXT ("css", "text/css"),
  TEXT ("json", "application/json"),
  TEXT ("map", "application/json"),
  TEXT ("webmanifest", "application/manifest+json"),
  TEXT ("svg", "image/svg+xml"),
  TEXT ("txt", "text/plain"),
  TEXT ("xml", "application/xml"),
  TEXT ("csv", "text/csv"),
  TEXT ("md", "text/markdown"),
  TEXT ("gltf", "model/gltf+json"),
  BINARY ("png", "image/png"),
  BINARY ("apng", "image/apng"),
  BINARY ("jpg", "image/jpeg"),
  BINARY ("jpeg", "image/jpeg"),
  BINARY ("gif", "image/gif"),
  BINARY ("webp", "image/webp"),
  BINARY ("avif", "image/avif"),
  BINARY ("ico", "image/x-icon"),
  BINARY ("bmp", "image/bmp"),
  BINARY ("tif", "image/tiff"),
  BINARY ("tiff", "image/tiff"),
  BINARY ("woff", "font/woff"),
  BINARY ("woff2", "font/woff2"),
  BINARY ("ttf", "font/ttf"),
  BINARY ("otf", "font/otf"),
  BINARY ("wasm", "application/wasm"),
  BINARY ("pdf", "application/pdf"),
  BINARY ("zip", "application/zip"),
  BINARY ("glb", "model/gltf-binary"),
  BINARY ("mp3", "audio/mpeg"),
  BINARY ("m4a", "audio/mp4"),
  BINARY ("aac", "audio/aac"),
  BINARY ("flac", "audio/flac"),
  BINARY ("wav", "audio/wav"),
  BINARY ("ogg", "audio/ogg"),
  BINARY ("oga", "audio/ogg"),
  BINARY ("opus", "audio/ogg"),
  BINARY ("mp4", "video/mp4"),
  BINARY ("m4v", "video/mp4"),
  BINARY ("webm", "video/webm"),
  BINARY ("ogv", "video/ogg"),
};

#undef TEXT
#undef BINARY

static const MimeEntry octet_stream = { NULL, "application/octet-stream",
                                        "application/octet-stream" };

static const MimeEntry *
lookup_mime (const char *rel_path)
{
  const char *base = strrchr (rel_path, '/');
  base = base != NULL ? base + 1 : rel_path;
  const char *dot = strrchr (base, '.');
  /* "Makefile" has no extension, and neither has a hidden ".env". */
  if (dot == NULL || dot == base)
    return &octet_stream;
  for (gsize i = 0; i < G_N_ELEMENTS (mime_table); i++)
    {
      if (g_ascii_strcasecmp (dot + 1, mime_table[i].extension) == 0)
        return &mime_table[i];
    }
  return &octet_stream;
}

const char *
keel__asset_mime_type (const char *rel_path)
{
  g_return_val_if_fail (rel_path != NULL, octet_stream.mime_type);
  return lookup_mime (rel_path)->mime_type;
}

const char *
keel__asset_content_type (const char *rel_path)
{
  g_return_val_if_fail (rel_path != NULL, octet_stream.content_type);
  return lookup_mime (rel_path)->content_type;
}

gboolean
keel__asset_is_html (const char *rel_path)
{
  g_return_val_if_fail (rel_path != NULL, FALSE);
  const char *type = lookup_mime (rel_path)->mime_type;
  return strcmp (type, "text/html") == 0 || strcmp (type, "application/xhtml+xml") == 0;
}
