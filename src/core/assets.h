/* assets.h — from the path of a keel://localhost/<path> request to the file
 * that answers it.
 *
 * A page chooses the request path, so it is untrusted: this file is the one
 * place that parses it (tests/fuzz/fuzz-asset-path.c fuzzes it), and opening
 * goes through the kernel's RESOLVE_BENEATH so that no byte from outside the
 * frontend directory is served, whatever the path or the symbolic links inside
 * the directory say. */
#pragma once

#include <glib.h>

/* The longest raw request path accepted (without its ?query and #fragment). */
#define KEEL_ASSET_PATH_MAX 4096

/* How many symbolic links the fallback opener follows for one path, as the
 * kernel's own limit (MAXSYMLINKS) does for openat2(). */
#define KEEL_ASSET_MAX_SYMLINKS 40

/* Turns the raw path of a keel:// request into a clean relative path: strips
 * ?query and #fragment, percent-decodes once, refuses what could escape or is
 * ambiguous, drops "." and empty segments, and maps "" or a trailing "/" (or
 * a trailing "/.") to ".../index.html".
 *
 * Fails with KEEL_ERROR_FORBIDDEN for what could reach outside the frontend
 * directory or name another file than it seems to: a ".." segment (also when
 * encoded, as in "%2e%2e" or ".%2E"), NUL ("%00"), a backslash ("\" or
 * "%5C") and an encoded slash ("%2F"). Fails with KEEL_ERROR_INVALID for what
 * is malformed: a '%' not followed by two hex digits, invalid UTF-8 after
 * decoding (overlong forms such as "%C0%AE" included), control characters
 * (C0, DEL, C1), and more than KEEL_ASSET_PATH_MAX bytes. The message quotes
 * the path, escaped for printing, and says why.
 *
 * Decoding happens once: "%252e%252e" names the harmless file "%2e%2e".
 *
 * Returns: (transfer full) (nullable): a relative path with no leading '/',
 * e.g. "assets/app x.js". Callable from any thread. */
char *keel__asset_normalize_path (const char *raw_path, GError **error);

/* Opens rel_path (from keel__asset_normalize_path()) beneath the directory
 * root_fd, never leaving it, with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS); on kernels without openat2 it falls back to
 * keel__asset_open_beneath_walk(). Symbolic links are followed while they
 * stay inside root_fd; as with RESOLVE_BENEATH, a link with an absolute
 * target is refused even when that target lies inside the directory, so
 * frontend trees should use relative links.
 *
 * Only regular files are opened: a directory, FIFO, socket or device fails
 * with KEEL_ERROR_NOT_FOUND (without blocking on a FIFO). A missing file
 * fails with KEEL_ERROR_NOT_FOUND, a path that leaves root_fd (or loops
 * through more than KEEL_ASSET_MAX_SYMLINKS links) or that the file system
 * denies with KEEL_ERROR_FORBIDDEN, anything else with KEEL_ERROR_FAILED.
 *
 * Returns: a new file descriptor opened O_RDONLY | O_CLOEXEC, owned by the
 * caller, or -1. Callable from any thread. */
int keel__asset_open_beneath (int root_fd, const char *rel_path, GError **error);

/* The opener used when the kernel lacks openat2(): walks rel_path one
 * component at a time with openat(O_NOFOLLOW), reads each symbolic link with
 * readlinkat() and resolves it by hand (at most KEEL_ASSET_MAX_SYMLINKS),
 * refusing absolute targets and any ".." that would climb above root_fd, just
 * as RESOLVE_BENEATH does. Same contract as keel__asset_open_beneath(); it is
 * declared here so that the tests run it on kernels that have openat2. */
int keel__asset_open_beneath_walk (int root_fd, const char *rel_path, GError **error);

/* MIME type for a file name by its extension (case-insensitive), from a
 * fixed table of the types web frontends ship. Unknown or no extension →
 * "application/octet-stream". Returns: (transfer none): a static string. */
const char *keel__asset_mime_type (const char *rel_path);

/* The full Content-Type header value: the MIME type, with "; charset=utf-8"
 * for text types, e.g. "text/html; charset=utf-8".
 * Returns: (transfer none): a static string. */
const char *keel__asset_content_type (const char *rel_path);

/* TRUE when the path names an HTML document (.html, .htm, .xhtml), which
 * gets the Content-Security-Policy header. */
gboolean keel__asset_is_html (const char *rel_path);
