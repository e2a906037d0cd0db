/* url-pattern.c — remote URL patterns (see url-pattern.h for the rules).
 *
 * Patterns are parsed here by hand rather than with GUri: GUri is lenient
 * (it accepts '*' and spaces in a host), and a pattern is a security
 * boundary, so every character is accounted for. URLs, on the other hand,
 * come from WebKit in canonical form and are parsed with GUri; whatever GUri
 * and WebKit might read differently (backslashes, user names, raw spaces or
 * non-ASCII) makes a URL match nothing. */
#include <gio/gio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "keel/keel-error.h"
#include "url-pattern.h"

#define EXAMPLE "\"https://*.example.com/app/*\""

typedef struct
{
  char *scheme;       /* "http" or "https" */
  char *host;         /* lower case; after "*." when wildcard; IPv6 canonical, no brackets */
  gboolean wildcard;  /* "*." before host: one or more labels */
  gboolean ipv6;
  int port;           /* -1: the scheme's default */
  char *path;         /* NULL: every path; else a glob where '*' matches anything */
} Pattern;

static void
pattern_clear (Pattern *pattern)
{
  g_free (pattern->scheme);
  g_free (pattern->host);
  g_free (pattern->path);
  memset (pattern, 0, sizeof *pattern);
}

static int
default_port (const char *scheme)
{
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    return 80;
  if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    return 443;
  return -1;
}

/* Text for an error message: in quotes, control characters and bytes that
 * are not UTF-8 escaped, and cut after 120 characters. */
static char *
quote_len (const char *text, gsize length)
{
  GString *out = g_string_new ("\"");
  gboolean utf8 = g_utf8_validate_len (text, length, NULL);
  const char *end = text + length;
  guint shown = 0;
  for (const char *p = text; p < end; shown++)
    {
      if (shown == 120)
        {
          g_string_append (out, "...");
          break;
        }
      guchar byte = (guchar) *p;
      if (utf8 && byte >= 0x80)
        {
          gunichar c = g_utf8_get_char (p);
          const char *next = g_utf8_next_char (p);
          if (g_unichar_isprint (c))
            g_string_append_len (out, p, next - p);
          else
            g_string_append_printf (out, "\\u%04X", c);
          p = next;
          continue;
        }
      if (byte < 0x20 || byte >= 0x7f)
        g_string_append_printf (out, "\\x%02X", byte);
      else if (byte == '"' || byte == '\\')
        g_string_append_printf (out, "\\%c", byte);
      else
        g_string_append_c (out, (char) byte);
      p++;
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static char *
quote (const char *text)
{
  return quote_len (text, strlen (text));
}

/* A character as an error message shows it: 'x', or an escape. */
static char *
show_char (const char *p)
{
  guchar byte = (guchar) *p;
  if (byte > 0x20 && byte < 0x7f)
    return g_strdup_printf ("'%c'", byte);
  if (byte == ' ')
    return g_strdup ("a space");
  return g_strdup_printf ("the byte 0x%02X", byte);
}

G_GNUC_PRINTF (3, 4)
static gboolean
fail (GError **error, const char *pattern, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *problem = g_strdup_vprintf (format, args);
  va_end (args);
  g_autofree char *quoted = quote (pattern);
  g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG, "URL pattern %s: %s", quoted, problem);
  return FALSE;
}

static gboolean
is_host_char (char c)
{
  return g_ascii_islower (c) || g_ascii_isdigit (c) || c == '-' || c == '_' || c == '.';
}

/* WHATWG URL: a host whose last label is a number is an IPv4 address. */
static gboolean
ends_in_number (const char *host)
{
  const char *last = strrchr (host, '.');
  last = last != NULL ? last + 1 : host;
  if (*last == '\0')
    return FALSE;
  if (last[0] == '0' && (last[1] == 'x' || last[1] == 'X'))
    {
      for (const char *p = last + 2; *p != '\0'; p++)
        if (!g_ascii_isxdigit (*p))
          return FALSE;
      return TRUE;
    }
  for (const char *p = last; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* Four decimal numbers 0-255, without leading zeros. */
static gboolean
is_dotted_quad (const char *host)
{
  g_auto (GStrv) parts = g_strsplit (host, ".", -1);
  if (g_strv_length (parts) != 4)
    return FALSE;
  for (char **part = parts; *part != NULL; part++)
    {
      gsize length = strlen (*part);
      if (length == 0 || length > 3 || ((*part)[0] == '0' && length > 1))
        return FALSE;
      for (const char *p = *part; *p != '\0'; p++)
        if (!g_ascii_isdigit (*p))
          return FALSE;
      if (atoi (*part) > 255)
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_ipv6 (const char *pattern, const char *text, gsize length, Pattern *out, GError **error)
{
  g_autofree char *address = g_ascii_strdown (text, length);
  g_autofree char *shown = quote (address);
  if (strchr (address, '%') != NULL)
    return fail (error, pattern, "the IPv6 address %s has a zone ('%%'), which URLs cannot "
                 "carry; write it without, as in \"http://[::1]:8123/*\"", shown);
  if (strchr (address, '.') != NULL)
    return fail (error, pattern, "the IPv6 address %s ends in dotted IPv4 form; write it in "
                 "hexadecimal as browsers do, e.g. \"[::ffff:7f00:1]\" for "
                 "\"[::ffff:127.0.0.1]\"", shown);
  g_autoptr (GInetAddress) parsed = g_inet_address_new_from_string (address);
  if (parsed == NULL || g_inet_address_get_family (parsed) != G_SOCKET_FAMILY_IPV6)
    return fail (error, pattern, "%s is not an IPv6 address; write one in brackets, as in "
                 "\"http://[::1]:8123/*\"", shown);
  out->host = g_inet_address_to_string (parsed);
  out->ipv6 = TRUE;
  return TRUE;
}

static gboolean
parse_host (const char *pattern, const char *text, gsize length, Pattern *out, GError **error)
{
  if (length == 0)
    return fail (error, pattern, "the host is missing, as in " EXAMPLE);

  for (gsize i = 0; i < length; i++)
    {
      if ((guchar) text[i] >= 0x80)
        {
          g_autofree char *host = g_strndup (text, length);
          g_autofree char *ascii = g_utf8_validate (host, -1, NULL)
                                     ? g_hostname_to_ascii (host) : NULL;
          g_autofree char *shown = quote (host);
          if (ascii != NULL)
            return fail (error, pattern, "the host %s is not ASCII; write internationalized "
                         "names in their ASCII (\"xn--\") form, here \"%s\"", shown, ascii);
          return fail (error, pattern, "the host %s is not ASCII; write internationalized "
                       "names in their ASCII (\"xn--\") form", shown);
        }
    }

  g_autofree char *host = g_ascii_strdown (text, length);
  g_autofree char *shown = quote (host);
  const char *name = host;
  if (strcmp (host, "*") == 0)
    return fail (error, pattern, "a host of only '*' would allow every site; name the domain, "
                 "as in " EXAMPLE);
  if (g_str_has_prefix (host, "*."))
    {
      out->wildcard = TRUE;
      name = host + 2;
    }
  if (strchr (name, '*') != NULL)
    return fail (error, pattern, "'*' in the host %s may only stand for whole labels at its "
                 "start, as in " EXAMPLE, shown);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!is_host_char (*p))
        {
          g_autofree char *c = show_char (p);
          return fail (error, pattern, "the host %s holds %s; a host is made of letters, "
                       "digits, '-', '_' and '.', as in " EXAMPLE, shown, c);
        }
    }
  if (*name == '\0')
    return fail (error, pattern, "the host is missing after \"*.\", as in " EXAMPLE);
  if (g_str_has_suffix (name, "."))
    return fail (error, pattern, "the host %s ends with '.'; remove it (browsers treat "
                 "\"example.com.\" as another host than \"example.com\")", shown);
  if (name[0] == '.' || strstr (name, "..") != NULL)
    return fail (error, pattern, "the host %s has an empty label (\"..\" or a leading '.')",
                 shown);
  if (strlen (name) > 253)
    return fail (error, pattern, "the host is %zu characters long; DNS names have at most 253",
                 strlen (name));
  g_auto (GStrv) labels = g_strsplit (name, ".", -1);
  for (char **label = labels; *label != NULL; label++)
    if (strlen (*label) > 63)
      return fail (error, pattern, "the host %s has a label of %zu characters; DNS labels have "
                   "at most 63", shown, strlen (*label));

  if (ends_in_number (name))
    {
      if (!is_dotted_quad (name))
        return fail (error, pattern, "the host %s looks like an IPv4 address but is not one in "
                     "the usual form; write four decimal numbers from 0 to 255, as in "
                     "\"http://127.0.0.1:8123/*\"", shown);
      if (out->wildcard)
        return fail (error, pattern, "\"*.\" cannot stand before an IP address (%s)", shown);
    }
  else if (out->wildcard && g_strv_length (labels) < 2)
    return fail (error, pattern, "\"*.%s\" would allow every site under the top-level domain "
                 "\"%s\"; name a domain of at least two labels, as in " EXAMPLE, name, name);

  out->host = g_strdup (name);
  return TRUE;
}

static gboolean
parse_port (const char *pattern, const char *text, gsize length, Pattern *out, GError **error)
{
  g_autofree char *port = g_strndup (text, length);
  g_autofree char *shown = quote (port);
  if (length == 1 && text[0] == '*')
    return fail (error, pattern, "'*' cannot stand for a port; list each port in a pattern of "
                 "its own, as in \"http://127.0.0.1:8123/*\"");
  gboolean digits = length > 0 && length <= 5;
  for (gsize i = 0; digits && i < length; i++)
    digits = g_ascii_isdigit (text[i]);
  int value = digits ? atoi (port) : 0;
  if (value < 1 || value > 65535)
    return fail (error, pattern, "the port %s is not a number from 1 to 65535, as in "
                 "\"http://127.0.0.1:8123/*\"", shown);
  out->port = value == default_port (out->scheme) ? -1 : value;
  return TRUE;
}

/* RFC 3986 pchar without '%' (checked apart), plus '/' and Keel's '*'. */
static gboolean
is_path_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("-._~!$&'()+,;=:@/*", c) != NULL;
}

static gboolean
is_dot_segment (const char *segment)
{
  g_autofree char *lower = g_ascii_strdown (segment, -1);
  GString *plain = g_string_new (NULL);
  for (const char *p = lower; *p != '\0'; p++)
    {
      if (g_str_has_prefix (p, "%2e"))
        {
          g_string_append_c (plain, '.');
          p += 2;
        }
      else
        g_string_append_c (plain, *p);
    }
  gboolean dots = strcmp (plain->str, ".") == 0 || strcmp (plain->str, "..") == 0;
  g_string_free (plain, TRUE);
  return dots;
}

static gboolean
parse_path (const char *pattern, const char *text, Pattern *out, GError **error)
{
  if (*text == '\0')
    return TRUE; /* no path: every path */
  if (strpbrk (text, "?#") != NULL)
    return fail (error, pattern, "a query or fragment ('?', '#') has no place in a pattern: "
                 "matching ignores them; remove it, as in " EXAMPLE);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%')
        {
          if (!g_ascii_isxdigit (p[1]) || !g_ascii_isxdigit (p[2]))
            return fail (error, pattern, "the path has a '%%' that is not followed by two "
                         "hexadecimal digits; write '%%' itself as \"%%25\"");
          p += 2;
          continue;
        }
      if (!is_path_char (*p))
        {
          g_autofree char *c = show_char (p);
          if (*p == '\\')
            return fail (error, pattern, "the path holds '\\'; separate its parts with '/'");
          return fail (error, pattern, "the path holds %s, which a URL never holds as such; "
                       "percent-encode it (a space is \"%%20\")", c);
        }
    }

  g_auto (GStrv) segments = g_strsplit (text, "/", -1);
  for (char **segment = segments; *segment != NULL; segment++)
    if (is_dot_segment (*segment))
      return fail (error, pattern, "the path has a \".\" or \"..\" segment, which browsers "
                   "remove before a URL is matched; write the path without it");

  /* "**" is "*". */
  GString *path = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    if (!(*p == '*' && p[1] == '*'))
      g_string_append_c (path, *p);
  out->path = g_string_free (path, FALSE);
  return TRUE;
}

static gboolean
parse (const char *text, Pattern *out, GError **error)
{
  memset (out, 0, sizeof *out);
  out->port = -1;
  if (text == NULL || *text == '\0')
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                   "an empty URL pattern; write one such as " EXAMPLE);
      return FALSE;
    }
  gsize length = strlen (text);
  if (length > KEEL_URL_PATTERN_MAX_LENGTH)
    {
      g_autofree char *start = quote_len (text, 40);
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                   "URL pattern %s...: it is %zu bytes long; at most %d are allowed", start,
                   length, KEEL_URL_PATTERN_MAX_LENGTH);
      return FALSE;
    }

  const char *separator = strstr (text, "://");
  if (separator == NULL || separator == text)
    return fail (error, text, "not a URL pattern: expected scheme://host/path, as in " EXAMPLE);
  out->scheme = g_ascii_strdown (text, separator - text);
  if (strcmp (out->scheme, "http") != 0 && strcmp (out->scheme, "https") != 0)
    {
      g_autofree char *scheme = quote (out->scheme);
      return fail (error, text, "the scheme must be http or https, not %s; as in " EXAMPLE,
                   scheme);
    }

  const char *authority = separator + 3;
  gsize authority_length = strcspn (authority, "/?#");
  const char *authority_end = authority + authority_length;
  if (memchr (authority, '@', authority_length) != NULL)
    return fail (error, text, "a user name or password ('@') has no place in a pattern; write "
                 "only scheme://host/path, as in " EXAMPLE);
  if (memchr (authority, '\\', authority_length) != NULL)
    return fail (error, text, "the host holds '\\'; end the host with '/'");

  const char *after_host;
  if (authority[0] == '[')
    {
      const char *close = memchr (authority, ']', authority_length);
      if (close == NULL)
        return fail (error, text, "the IPv6 address lacks its closing ']', as in "
                     "\"http://[::1]:8123/*\"");
      if (!parse_ipv6 (text, authority + 1, close - authority - 1, out, error))
        return FALSE;
      after_host = close + 1;
    }
  else
    {
      const char *colon = memchr (authority, ':', authority_length);
      after_host = colon != NULL ? colon : authority_end;
      if (!parse_host (text, authority, after_host - authority, out, error))
        return FALSE;
    }

  if (after_host < authority_end)
    {
      if (*after_host != ':')
        {
          g_autofree char *c = show_char (after_host);
          return fail (error, text, "the host is followed by %s where a ':' and a port, or the "
                       "path, should be", c);
        }
      if (!parse_port (text, after_host + 1, authority_end - after_host - 1, out, error))
        return FALSE;
    }
  return parse_path (text, authority_end, out, error);
}

gboolean
keel__url_pattern_check (const char *pattern, GError **error)
{
  Pattern parsed;
  gboolean ok = parse (pattern, &parsed, error);
  pattern_clear (&parsed);
  return ok;
}

gboolean
keel__url_is_plain (const char *url)
{
  for (const char *p = url; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || *p == '\\')
      return FALSE;
  return *url != '\0';
}

/* One or more labels of host characters, separated by single dots. */
static gboolean
is_label_run (const char *text, gsize length)
{
  if (length == 0 || text[0] == '.' || text[length - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      if (!is_host_char (text[i]) || (text[i] == '.' && text[i + 1] == '.'))
        return FALSE;
    }
  return TRUE;
}

static gboolean
host_matches (const Pattern *pattern, const char *host)
{
  g_autofree char *lower = g_ascii_strdown (host, -1);
  if (pattern->ipv6)
    {
      if (strchr (lower, ':') == NULL)
        return FALSE;
      g_autoptr (GInetAddress) address = g_inet_address_new_from_string (lower);
      if (address == NULL)
        return FALSE;
      g_autofree char *canonical = g_inet_address_to_string (address);
      return strcmp (canonical, pattern->host) == 0;
    }
  if (!pattern->wildcard)
    return strcmp (lower, pattern->host) == 0;

  gsize length = strlen (lower), suffix = strlen (pattern->host);
  if (length < suffix + 2)
    return FALSE;
  gsize prefix = length - suffix - 1;
  return lower[prefix] == '.' && strcmp (lower + prefix + 1, pattern->host) == 0
         && is_label_run (lower, prefix);
}

/* '*' in glob matches any run of characters. Greedy with one backtrack
 * point: O(length of glob × length of text) at worst. */
static gboolean
glob_match (const char *glob, const char *text)
{
  const char *star = NULL, *resume = NULL;
  while (*text != '\0')
    {
      if (*glob == '*')
        {
          star = glob++;
          resume = text;
        }
      else if (*glob == *text)
        {
          glob++;
          text++;
        }
      else if (star != NULL)
        {
          glob = star + 1;
          text = ++resume;
        }
      else
        return FALSE;
    }
  while (*glob == '*')
    glob++;
  return *glob == '\0';
}

static gboolean
pattern_match (const Pattern *pattern, const char *url)
{
  if (url == NULL || !keel__url_is_plain (url))
    return FALSE;
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), pattern->scheme) != 0
      || g_uri_get_userinfo (uri) != NULL)
    return FALSE;
  const char *host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0' || !host_matches (pattern, host))
    return FALSE;
  int port = g_uri_get_port (uri);
  if (port == default_port (pattern->scheme))
    port = -1;
  if (port == 0 || port != pattern->port)
    return FALSE;
  if (pattern->path == NULL)
    return TRUE;
  const char *path = g_uri_get_path (uri);
  if (*path == '\0')
    path = "/";
  return strlen (path) <= KEEL_URL_PATTERN_MAX_PATH && glob_match (pattern->path, path);
}

gboolean
keel__url_pattern_match (const char *pattern, const char *url)
{
  Pattern parsed;
  gboolean match = parse (pattern, &parsed, NULL) && pattern_match (&parsed, url);
  pattern_clear (&parsed);
  return match;
}

/* Characters that mean something in a content blocker's regex. */
static void
append_regex_literal (GString *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (strchr (".*+?()[]{}|^$\\", *p) != NULL)
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
}

static void
append_regex_host (GString *out, const char *host, gboolean ipv6)
{
  if (ipv6)
    g_string_append (out, "\\[");
  append_regex_literal (out, host);
  if (ipv6)
    g_string_append (out, "\\]");
}

char *
keel__url_pattern_to_content_rule_regex (const char *pattern)
{
  Pattern parsed;
  if (!parse (pattern, &parsed, NULL))
    {
      pattern_clear (&parsed);
      return NULL;
    }
  GString *regex = g_string_new ("^");
  g_string_append_printf (regex, "%s://", parsed.scheme);
  /* WebKit's canonical host is lower case, so a case-sensitive class is
   * enough; it is stricter than host_matches() for nothing WebKit sends. */
  if (parsed.wildcard)
    g_string_append (regex, "([a-z0-9_-]+\\.)+");
  append_regex_host (regex, parsed.host, parsed.ipv6);
  if (parsed.port != -1)
    g_string_append_printf (regex, ":%d", parsed.port);
  if (parsed.path == NULL)
    /* An http(s) URL in canonical form always has a path after the host. */
    g_string_append_c (regex, '/');
  else
    {
      /* '*' stops at '?' and '#': the path glob must not reach into the
       * query, which pattern_match() ignores. */
      for (const char *p = parsed.path; *p != '\0'; p++)
        {
          if (*p == '*')
            g_string_append (regex, "[^?#]*");
          else
            {
              char c[2] = { *p, '\0' };
              append_regex_literal (regex, c);
            }
        }
      g_string_append (regex, "([?#].*)?$");
    }
  pattern_clear (&parsed);
  return g_string_free (regex, FALSE);
}

/* A host as GUri gives it (percent escapes decoded) that can stand in an
 * origin: no WHATWG forbidden host code point, and ':' only in an IPv6
 * address. */
static gboolean
is_origin_host (const char *host)
{
  if (*host == '\0')
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || strchr ("#%/<>?@[\\]^|", *p) != NULL)
      return FALSE;
  if (strchr (host, ':') != NULL)
    {
      g_autoptr (GInetAddress) address = g_inet_address_new_from_string (host);
      return address != NULL && g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
    }
  return TRUE;
}

char *
keel__url_origin (const char *url)
{
  if (url == NULL)
    return NULL;
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return NULL;
  const char *host = g_uri_get_host (uri);
  if (host == NULL || !is_origin_host (host))
    return NULL;
  g_autofree char *scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  /* Hosts are case-insensitive in web URLs only: for a custom scheme such as
   * keel:, WebKit treats "LOCALHOST" as another origin, and so must we. */
  gboolean special = default_port (scheme) != -1 || strcmp (scheme, "file") == 0;
  g_autofree char *lower = special ? g_ascii_strdown (host, -1) : g_strdup (host);
  gboolean ipv6 = strchr (lower, ':') != NULL;
  int port = g_uri_get_port (uri);
  GString *origin = g_string_new (NULL);
  g_string_append_printf (origin, "%s://%s%s%s", scheme, ipv6 ? "[" : "", lower, ipv6 ? "]" : "");
  if (port != -1 && port != default_port (scheme))
    g_string_append_printf (origin, ":%d", port);
  return g_string_free (origin, FALSE);
}

gboolean
keel__url_same_origin (const char *a, const char *b)
{
  g_autofree char *origin_a = keel__url_origin (a);
  g_autofree char *origin_b = keel__url_origin (b);
  return origin_a != NULL && origin_b != NULL && strcmp (origin_a, origin_b) == 0;
}

char *
keel__url_origin_to_content_rule_regex (const char *url)
{
  if (url == NULL)
    return NULL;
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || !is_origin_host (g_uri_get_host (uri)))
    return NULL;
  /* As keel__url_origin() writes it, and as WebKit's canonical URLs hold
   * it: the scheme in lower case, a special scheme's host too, and another
   * scheme's (opaque) host as it is. The rule is case-sensitive. */
  g_autofree char *scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  gboolean special = default_port (scheme) != -1 || strcmp (scheme, "file") == 0;
  g_autofree char *host
    = special ? g_ascii_strdown (g_uri_get_host (uri), -1) : g_strdup (g_uri_get_host (uri));
  int port = g_uri_get_port (uri);
  GString *regex = g_string_new ("^");
  append_regex_literal (regex, scheme);
  g_string_append (regex, "://");
  append_regex_host (regex, host, strchr (host, ':') != NULL);
  if (port != -1 && port != default_port (scheme))
    g_string_append_printf (regex, ":%d", port);
  /* Then the end, or a path, query or fragment: never more host or port. */
  g_string_append (regex, "([/?#].*)?$");
  return g_string_free (regex, FALSE);
}
