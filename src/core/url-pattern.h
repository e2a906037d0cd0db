// url-pattern.h — remote URL patterns and origins.
//
// A capability's `remote.urls` (Tauri v2) lists the remote pages a window may
// show besides the app's own. Keel reads each entry as a URL pattern:
//
//   pattern = scheme "://" host [":" port] [path]
//
// - scheme: `http` or `https` (any case). Nothing else.
// - host: a DNS name ("example.com"), an IPv4 address in dotted decimal
//   ("127.0.0.1") or an IPv6 address in brackets ("[::1]"), compared without
//   regard to case. A DNS name is made of labels of ASCII letters, digits,
//   '-' and '_' (1 to 63 each, 253 in all), with no empty label and no
//   trailing dot; write internationalized names in their "xn--" form.
//   `*.` at the start stands for one or more whole labels: "*.example.com"
//   matches "a.example.com" and "a.b.example.com" but not "example.com" (list
//   both to allow both), nor "evil.com/x.example.com", nor
//   "example.com.evil.com", nor "a.b@example.com". A `*` anywhere else in the
//   host, a host that is only `*`, and `*.` before a single label ("*.com")
//   are errors.
// - port: 1 to 65535. Without one, the scheme's default (80, 443), which is
//   the same as writing it: "https://example.com:443" = "https://example.com".
// - path: without one, every path on that scheme, host and port matches.
//   With one, it must start with '/', and it matches a URL's path exactly
//   (case matters; percent escapes are compared as written) except that each
//   `*` matches any run of characters, '/' included. "https://example.com/"
//   matches the root page only; "https://example.com/app/*" everything below
//   /app/. The path may hold RFC 3986 path characters and %XX escapes; no
//   "." or ".." segment (browsers remove them before a URL is matched).
// - no user name or password, query or fragment: matching ignores a URL's
//   query and fragment, so a pattern never states them.
//
// A URL matches only if it parses (GUri), holds printable ASCII only and no
// '\', has no user name or password, its scheme, host and port equal the
// pattern's, and its path matches. WebKit hands Keel URLs in that canonical
// form; an odd spelling of an allowed URL is refused rather than guessed at.
//
// Platform-free (GLib only); every function may be called from any thread.

#pragma once

#include <glib.h>

/* Longer patterns are refused; real ones are a few dozen bytes. */
#define KEEL_URL_PATTERN_MAX_LENGTH 2048
/* A URL whose path is longer never matches a pattern that states a path. */
#define KEEL_URL_PATTERN_MAX_PATH 16384

/**
 * keel__url_pattern_check:
 * @pattern: (nullable): a pattern as written in `remote.urls`.
 * @error: set when @pattern is not a valid pattern.
 *
 * The error (KEEL_ERROR_CONFIG) quotes @pattern, says what is wrong with it,
 * and shows a valid pattern to follow; callers prefix where it was found.
 *
 * Returns: whether @pattern is valid.
 */
gboolean keel__url_pattern_check (const char *pattern, GError **error);

/**
 * keel__url_pattern_match:
 * @pattern: a pattern; an invalid one matches nothing.
 * @url: (nullable): an absolute URL.
 *
 * Returns: whether @url matches @pattern by the rules above.
 */
gboolean keel__url_pattern_match (const char *pattern, const char *url);

/**
 * keel__url_pattern_to_content_rule_regex:
 * @pattern: a valid pattern.
 *
 * A regular expression in the subset WebKit content blockers accept for
 * `url-filter` (no alternation, no counted repetition, no \d or \w) that
 * matches the canonical form of the URLs @pattern matches: WebKit lowercases
 * scheme and host and drops default ports before matching. It never matches
 * a URL that keel__url_pattern_match() refuses; it may refuse a few that it
 * accepts. Use it with `"url-filter-is-case-sensitive": true`.
 *
 * Returns: (transfer full) (nullable): the regex, or NULL if @pattern is invalid.
 */
char *keel__url_pattern_to_content_rule_regex (const char *pattern);

/**
 * keel__url_is_plain:
 * @url: a URL.
 *
 * Returns: whether @url is non-empty printable ASCII without spaces or '\':
 *   the form WebKit hands URLs in, and one that GUri and WebKit cannot read
 *   differently. Keel matches no other URL against its rules.
 */
gboolean keel__url_is_plain (const char *url);

/**
 * keel__url_origin:
 * @url: (nullable): an absolute URL.
 *
 * The URL's origin as "scheme://host[:port]": scheme and host in lower case,
 * an IPv6 host in brackets, and no port when it is the scheme's default
 * (http 80, https 443, ws 80, wss 443).
 *
 * Returns: (transfer full) (nullable): the origin, or NULL when @url does not
 *   parse, has no host (about:, data:, blob:, mailto: URLs), or a host that
 *   no browser would accept (a control character, '/', '@', ... once its
 *   percent escapes are decoded; ':' outside an IPv6 address).
 */
char *keel__url_origin (const char *url);

/**
 * keel__url_same_origin:
 * @a: (nullable): an absolute URL or an origin.
 * @b: (nullable): another.
 *
 * Returns: whether both have an origin and it is the same.
 */
gboolean keel__url_same_origin (const char *a, const char *b);

/**
 * keel__url_origin_to_content_rule_regex:
 * @url: an absolute URL with an origin.
 *
 * A WebKit content blocker `url-filter` matching every URL of @url's origin.
 * Use it with `"url-filter-is-case-sensitive": false`: an origin has no path,
 * and scheme and host are compared without regard to case.
 *
 * Returns: (transfer full) (nullable): the regex, or NULL when @url has no origin.
 */
char *keel__url_origin_to_content_rule_regex (const char *url);
