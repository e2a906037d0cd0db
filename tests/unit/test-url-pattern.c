/* Unit tests of src/core/url-pattern.c (remote URL patterns, origins) and
 * src/core/navigation-rules.c (where a window may go). */
#include <glib.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "keel/keel-error.h"
#include "navigation-rules.h"
#include "url-pattern.h"

static void
test_valid (void)
{
  static const char *const valid[] = {
    "https://example.com",
    "https://example.com/",
    "https://*.example.com/*",
    "https://*.example.com",
    "http://127.0.0.1:8123/app/*",
    "HTTPS://Example.COM/App",
    "http://[::1]:8080/",
    "http://[2001:DB8::1]",
    "https://example.com:443/x",
    "https://a_b.example.com",
    "https://xn--bcher-kva.de/*",
    "https://example.com/a%20b/*",
    "https://example.com/**",
    "https://example.com/a*b*c",
    "https://example.com/~user/!$&'()+,;=:@",
    "http://localhost:5173",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr (GError) error = NULL;
      g_test_message ("pattern %s", valid[i]);
      g_assert_true (keel__url_pattern_check (valid[i], &error));
      g_assert_no_error (error);
    }
}

typedef struct
{
  const char *pattern;
  const char *message; /* a part of the error message */
} Invalid;

static void
test_invalid (void)
{
  static const Invalid invalid[] = {
    { "", "an empty URL pattern; write one such as \"https://*.example.com/app/*\"" },
    { "example.com", "expected scheme://host/path" },
    { "://example.com", "expected scheme://host/path" },
    { "ftp://example.com", "the scheme must be http or https, not \"ftp\"" },
    { "file:///etc/passwd", "the scheme must be http or https" },
    { "keel://localhost/*", "the scheme must be http or https" },
    { "https://", "the host is missing" },
    { "https:///x", "the host is missing" },
    { "https://:8080/", "the host is missing" },
    { "https://*", "a host of only '*' would allow every site" },
    { "https://*/*", "a host of only '*'" },
    { "https://*.", "the host is missing after \"*.\"" },
    { "https://*.com", "would allow every site under the top-level domain \"com\"" },
    { "https://ex*.com", "may only stand for whole labels at its start" },
    { "https://a.*.example.com", "whole labels" },
    { "https://example.*", "whole labels" },
    { "https://*.*.example.com", "whole labels" },
    { "https://user@example.com", "a user name or password ('@')" },
    { "https://example.com@evil.com", "a user name or password" },
    { "https://u:p@example.com/", "a user name or password" },
    { "https://example.com.", "ends with '.'" },
    { "https://example.com.:443/", "ends with '.'" },
    { "https://a..example.com", "an empty label" },
    { "https://.example.com", "an empty label" },
    { "https://exa mple.com", "holds a space" },
    { "https://exa\tmple.com", "holds the byte 0x09" },
    { "https://example.com:x", "the port \"x\" is not a number" },
    { "https://b\xc3\xbc" "cher.de/*", "here \"xn--bcher-kva.de\"" },
    { "https://b\xfc" "cher.de/", "is not ASCII" },
    { "https://example.com:0", "the port \"0\" is not a number from 1 to 65535" },
    { "https://example.com:65536", "is not a number from 1 to 65535" },
    { "https://example.com:123456", "is not a number from 1 to 65535" },
    { "https://example.com:+80", "is not a number" },
    { "https://example.com:", "the port \"\" is not a number" },
    { "https://example.com:*", "'*' cannot stand for a port" },
    { "https://example.com:80:80", "is not a number" },
    { "https://example.com/a?b", "a query or fragment" },
    { "https://example.com?x", "a query or fragment" },
    { "https://example.com/#top", "a query or fragment" },
    { "https://example.com/a b", "holds a space, which a URL never holds as such" },
    { "https://example.com/a\"b", "holds '\"'" },
    { "https://example.com/%zz", "not followed by two hexadecimal digits" },
    { "https://example.com/%2", "not followed by two hexadecimal digits" },
    { "https://example.com/a/../b", "a \".\" or \"..\" segment" },
    { "https://example.com/./b", "a \".\" or \"..\" segment" },
    { "https://example.com/a/%2e%2E/b", "a \".\" or \"..\" segment" },
    { "https://example.com/a/..", "a \".\" or \"..\" segment" },
    { "https://example.com\\evil.com", "'\\'" },
    { "https://example.com/a\\b", "'\\'" },
    { "http://1.2.3", "looks like an IPv4 address but is not one" },
    { "http://0x7f.1", "looks like an IPv4 address" },
    { "http://256.1.1.1", "looks like an IPv4 address" },
    { "http://01.2.3.4", "looks like an IPv4 address" },
    { "http://example.123", "looks like an IPv4 address" },
    { "http://*.1.2.3.4", "cannot stand before an IP address" },
    { "http://[::1", "lacks its closing ']'" },
    { "http://[xyz]/", "\"xyz\" is not an IPv6 address" },
    { "http://[127.0.0.1]/", "dotted IPv4 form" },
    { "http://[::ffff:1.2.3.4]/", "dotted IPv4 form" },
    { "http://[fe80::1%25eth0]/", "has a zone" },
    { "http://[::1]x/", "followed by 'x'" },
    { "http://[]/", "is not an IPv6 address" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *shown = g_strescape (invalid[i].pattern, NULL);
      g_test_message ("pattern %s", shown);
      g_assert_false (keel__url_pattern_check (invalid[i].pattern, &error));
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (strstr (error->message, invalid[i].message) == NULL)
        g_error ("pattern %s: message \"%s\" lacks \"%s\"", invalid[i].pattern, error->message,
                 invalid[i].message);
      /* Every message but the empty one's names the pattern. */
      if (*invalid[i].pattern != '\0')
        g_assert_nonnull (strstr (error->message, "URL pattern \""));
      g_assert_false (keel__url_pattern_match (invalid[i].pattern, "https://example.com/"));
      g_assert_null (keel__url_pattern_to_content_rule_regex (invalid[i].pattern));
    }
}

static void
test_invalid_limits (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_false (keel__url_pattern_check (NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_clear_error (&error);

  /* Too long: the message shows the start only. */
  g_autofree char *path = g_strnfill (KEEL_URL_PATTERN_MAX_LENGTH, 'a');
  g_autofree char *longer = g_strconcat ("https://example.com/", path, NULL);
  g_assert_false (keel__url_pattern_check (longer, &error));
  g_assert_nonnull (strstr (error->message, "at most 2048 are allowed"));
  g_assert_cmpuint (strlen (error->message), <, 200);
  g_clear_error (&error);

  g_autofree char *label = g_strnfill (64, 'a');
  g_autofree char *long_label = g_strconcat ("https://", label, ".example.com", NULL);
  g_assert_false (keel__url_pattern_check (long_label, &error));
  g_assert_nonnull (strstr (error->message, "a label of 64 characters"));
  g_clear_error (&error);

  GString *host = g_string_new ("https://");
  for (int i = 0; i < 64; i++)
    g_string_append (host, "abcd.");
  g_string_append (host, "com");
  g_assert_false (keel__url_pattern_check (host->str, &error));
  g_assert_nonnull (strstr (error->message, "DNS names have at most 253"));
  g_string_free (host, TRUE);
  g_clear_error (&error);

  /* Control characters and quotes are shown escaped; the message stays one line. */
  g_assert_false (keel__url_pattern_check ("ftp\n\"://x", &error));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message, "\\x0A\\\""));
}

typedef struct
{
  const char *pattern;
  const char *url;
  gboolean match;
} MatchCase;

static const MatchCase match_cases[] = {
  /* No path: every path of that scheme, host and port. */
  { "https://example.com", "https://example.com/", TRUE },
  { "https://example.com", "https://example.com", TRUE },
  { "https://example.com", "https://example.com/any/path?q=1#f", TRUE },
  { "https://example.com", "https://EXAMPLE.COM/", TRUE },
  { "https://example.com", "HTTPS://example.com/", TRUE },
  { "https://example.com", "https://example.com:443/", TRUE },
  { "https://example.com:443", "https://example.com/", TRUE },
  { "https://example.com", "http://example.com/", FALSE },
  { "https://example.com", "https://example.com:8443/", FALSE },
  { "https://example.com", "https://example.com:0/", FALSE },
  { "https://example.com", "https://www.example.com/", FALSE },
  { "https://example.com", "https://example.com./", FALSE },
  { "https://example.com", "https://example.com.evil.com/", FALSE },
  { "https://example.com", "https://evil.com/example.com", FALSE },
  { "https://example.com", "https://evil.com/?https://example.com", FALSE },
  /* User names: the host is what follows '@', and a URL with one never matches. */
  { "https://example.com", "https://example.com@evil.com/", FALSE },
  { "https://evil.com", "https://example.com@evil.com/", FALSE },
  { "https://example.com", "https://user@example.com/", FALSE },
  { "https://example.com", "https://user:pw@example.com/", FALSE },
  /* What GUri and WebKit might read differently never matches. */
  { "https://evil.com", "https://example.com\\@evil.com/", FALSE },
  { "https://example.com", "https://example.com\\.evil.com/", FALSE },
  { "https://example.com", " https://example.com/", FALSE },
  { "https://example.com", "https://example.com/ x", FALSE },
  { "https://example.com", "https://example.com/\xc3\xa9", FALSE },
  { "https://example.com", "https://example.com/\t", FALSE },
  /* GUri decodes a percent-encoded host, as WebKit does. */
  { "https://example.com", "https://exa%6Dple.com/", TRUE },
  { "https://example.com", "https://exa%2Fmple.com/", FALSE },
  { "https://example.com", "", FALSE },
  { "https://example.com", "example.com", FALSE },
  { "https://example.com", "https:///", FALSE },
  { "https://example.com", "https://:443/", FALSE },
  { "https://example.com", "about:blank", FALSE },
  { "https://example.com", "data:text/html,https://example.com/", FALSE },
  { "https://example.com", "blob:https://example.com/1234", FALSE },
  /* Wildcard hosts: one or more whole labels, never the domain itself. */
  { "https://*.example.com", "https://a.example.com/", TRUE },
  { "https://*.example.com", "https://a.b.example.com/x?y", TRUE },
  { "https://*.example.com", "https://A.Example.COM/", TRUE },
  { "https://*.example.com", "https://a-b_c.example.com/", TRUE },
  { "https://*.example.com", "https://example.com/", FALSE },
  { "https://*.example.com", "https://xexample.com/", FALSE },
  { "https://*.example.com", "https://evil.com/x.example.com", FALSE },
  { "https://*.example.com", "https://evil.com/.example.com", FALSE },
  { "https://*.example.com", "https://example.com.evil.com/", FALSE },
  { "https://*.example.com", "https://a.example.com.evil.com/", FALSE },
  { "https://*.example.com", "https://a.b@example.com/", FALSE },
  { "https://*.example.com", "https://a.example.com@evil.com/", FALSE },
  { "https://*.example.com", "https://.example.com/", FALSE },
  { "https://*.example.com", "https://a..example.com/", FALSE },
  { "https://*.example.com", "https://a.example.com:444/", FALSE },
  { "https://*.example.com", "http://a.example.com/", FALSE },
  { "https://*.example.com", "https://a%2Fb.example.com/", FALSE },
  { "https://*.example.com", "https://a.example.com./", FALSE },
  /* Ports and paths. */
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/app/x", TRUE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/app/", TRUE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/app/a/b/c", TRUE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/app/x?y=/z#w", TRUE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/app", FALSE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/App/x", FALSE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/other?/app/", FALSE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/other#/app/", FALSE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8124/app/x", FALSE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1/app/x", FALSE },
  { "http://127.0.0.1:8123/app/*", "http://localhost:8123/app/x", FALSE },
  { "http://127.0.0.1:8123/app/*", "http://127.1:8123/app/x", FALSE },
  /* Dot segments go before matching (GUri, like WebKit, removes them). */
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/app/../admin", FALSE },
  { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/app/%2e%2e/admin", FALSE },
  { "http://127.0.0.1:8123/admin", "http://127.0.0.1:8123/app/../admin", TRUE },
  { "http://example.com:80/x", "http://example.com/x", TRUE },
  { "https://example.com/", "https://example.com/", TRUE },
  { "https://example.com/", "https://example.com", TRUE },
  { "https://example.com/", "https://example.com/?q", TRUE },
  { "https://example.com/", "https://example.com/x", FALSE },
  { "https://example.com/app", "https://example.com/app?x=1", TRUE },
  { "https://example.com/app", "https://example.com/app#x", TRUE },
  { "https://example.com/app", "https://example.com/app/", FALSE },
  { "https://example.com/app", "https://example.com/apps", FALSE },
  { "https://example.com/a*b", "https://example.com/aXYZb", TRUE },
  { "https://example.com/a*b", "https://example.com/a/b", TRUE },
  { "https://example.com/a*b", "https://example.com/ab", TRUE },
  { "https://example.com/a*b", "https://example.com/a?b", FALSE },
  { "https://example.com/a*b", "https://example.com/abc", FALSE },
  { "https://example.com/a*b*c", "https://example.com/abbbcbc", TRUE },
  { "https://example.com/*.html", "https://example.com/x.html", TRUE },
  { "https://example.com/*.html", "https://example.com/xhtml", FALSE },
  /* Percent escapes compare as written. */
  { "https://example.com/a%20b", "https://example.com/a%20b", TRUE },
  { "https://example.com/a%20b", "https://example.com/a b", FALSE },
  { "https://example.com/a%20b", "https://example.com/a%2520b", FALSE },
  { "https://example.com/a%2Fb", "https://example.com/a/b", FALSE },
  /* GUri decodes escaped unreserved characters, an equivalent spelling
   * (RFC 3986 6.2.2.2); WebKit keeps them, so its filter refuses this one. */
  { "https://example.com/a", "https://example.com/%61", TRUE },
  /* IP addresses. */
  { "http://127.0.0.1", "http://127.0.0.1/", TRUE },
  { "http://127.0.0.1", "http://127.0.0.1:80/x", TRUE },
  { "http://127.0.0.1", "http://127.0.0.2/", FALSE },
  { "http://[::1]:8080/*", "http://[::1]:8080/x", TRUE },
  { "http://[::1]:8080/*", "http://[0:0:0:0:0:0:0:1]:8080/x", TRUE },
  { "http://[::1]:8080/*", "http://[::2]:8080/x", FALSE },
  { "http://[::1]:8080/*", "http://[::1]/x", FALSE },
  { "http://[::1]:8080/*", "http://127.0.0.1:8080/x", FALSE },
  { "http://[2001:DB8::1]", "http://[2001:db8:0::1]/", TRUE },
  { "http://[2001:db8::1]", "http://[2001:db8::1%25eth0]/", FALSE },
  { "HTTPS://EXAMPLE.com", "https://example.com/", TRUE },
};

static void
test_match (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (match_cases); i++)
    {
      const MatchCase *c = &match_cases[i];
      if (keel__url_pattern_match (c->pattern, c->url) != c->match)
        g_error ("pattern %s, URL %s: expected %s", c->pattern, c->url,
                 c->match ? "a match" : "no match");
    }
  g_assert_false (keel__url_pattern_match ("https://example.com", NULL));
  g_assert_false (keel__url_pattern_match (NULL, "https://example.com/"));
  g_assert_false (keel__url_pattern_match ("https://*", "https://example.com/"));
}

static void
test_match_long_path (void)
{
  g_autofree char *path = g_strnfill (KEEL_URL_PATTERN_MAX_PATH, 'a');
  g_autofree char *url = g_strconcat ("https://example.com/", path, NULL);
  /* Without a path in the pattern the path's length does not matter... */
  g_assert_true (keel__url_pattern_match ("https://example.com", url));
  /* ... with one, a path beyond the limit never matches. */
  g_assert_false (keel__url_pattern_match ("https://example.com/*", url));
  g_autofree char *shorter = g_strconcat ("https://example.com/", path + 1, NULL);
  g_assert_true (keel__url_pattern_match ("https://example.com/*", shorter));
  /* A glob that must backtrack a lot still ends. */
  g_assert_false (keel__url_pattern_match ("https://example.com/*a*a*a*a*a*a*a*a*b", shorter));
}

typedef struct
{
  const char *pattern;
  const char *regex;
} RegexCase;

static void
test_regex (void)
{
  static const RegexCase cases[] = {
    { "https://example.com", "^https://example\\.com/" },
    { "HTTPS://Example.com:443", "^https://example\\.com/" },
    { "https://*.example.com/*", "^https://([a-z0-9_-]+\\.)+example\\.com/[^?#]*([?#].*)?$" },
    { "http://127.0.0.1:8123/app/*", "^http://127\\.0\\.0\\.1:8123/app/[^?#]*([?#].*)?$" },
    { "http://[::1]:8080", "^http://\\[::1\\]:8080/" },
    { "http://[2001:DB8:0::1]", "^http://\\[2001:db8::1\\]/" },
    { "https://example.com/", "^https://example\\.com/([?#].*)?$" },
    { "https://example.com/a+b($x)", "^https://example\\.com/a\\+b\\(\\$x\\)([?#].*)?$" },
    { "https://example.com/a**b", "^https://example\\.com/a[^?#]*b([?#].*)?$" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *regex = keel__url_pattern_to_content_rule_regex (cases[i].pattern);
      g_assert_cmpstr (regex, ==, cases[i].regex);
    }
}

/* The regex never lets through a URL that the match refuses, on URLs in
 * canonical form (printable ASCII, no dot segments), which is how WebKit
 * matches them. PCRE reads this subset as WebKit does. */
static void
test_regex_agrees (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (match_cases); i++)
    {
      const MatchCase *c = &match_cases[i];
      g_autofree char *regex = keel__url_pattern_to_content_rule_regex (c->pattern);
      g_assert_nonnull (regex);
      gboolean regex_match = g_regex_match_simple (regex, c->url, 0, 0);
      gboolean canonical = keel__url_is_plain (c->url) && strstr (c->url, "/../") == NULL
                           && strstr (c->url, "%2e") == NULL;
      if (regex_match && !c->match && canonical)
        g_error ("pattern %s: regex %s lets %s through, which the match refuses", c->pattern,
                 regex, c->url);
    }
  /* And it is not needlessly strict on canonical URLs. */
  static const MatchCase canonical[] = {
    { "https://*.example.com/*", "https://a.b.example.com/x/y?z#w", TRUE },
    { "https://example.com", "https://example.com/", TRUE },
    { "https://example.com/app", "https://example.com/app?x#y", TRUE },
    { "http://127.0.0.1:8123/app/*", "http://127.0.0.1:8123/app/", TRUE },
    { "http://[::1]:8080/*", "http://[::1]:8080/x", TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (canonical); i++)
    {
      g_autofree char *regex = keel__url_pattern_to_content_rule_regex (canonical[i].pattern);
      g_assert_true (keel__url_pattern_match (canonical[i].pattern, canonical[i].url));
      g_assert_true (g_regex_match_simple (regex, canonical[i].url, 0, 0));
    }
}

static void
test_origin (void)
{
  static const struct
  {
    const char *url;
    const char *origin;
  } cases[] = {
    { "keel://localhost/index.html", "keel://localhost" },
    { "keel://localhost", "keel://localhost" },
    /* Custom schemes keep the host as written: WebKit treats it as opaque. */
    { "KEEL://LocalHost/x", "keel://LocalHost" },
    { "http://127.0.0.1:5173/", "http://127.0.0.1:5173" },
    { "http://example.com:80/x", "http://example.com" },
    { "https://example.com:443", "https://example.com" },
    { "https://example.com:80", "https://example.com:80" },
    { "http://example.com:0/", "http://example.com:0" },
    { "https://user:pw@example.com/", "https://example.com" },
    { "http://[::1]:8080/x", "http://[::1]:8080" },
    { "about:blank", NULL },
    { "data:text/html,x", NULL },
    { "blob:keel://localhost/1234", NULL },
    { "mailto:someone@example.com", NULL },
    { "https:///x", NULL },
    { "not a url", NULL },
    { "http://a%12b/", NULL },
    { "http://evil.com%2F.example.com/", NULL },
    { "http://a%40b/", NULL },
    { "keel://a:b:c/", NULL },
    { "http://[fe80::1%25eth0]/", NULL },
    { NULL, NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *origin = keel__url_origin (cases[i].url);
      g_assert_cmpstr (origin, ==, cases[i].origin);
    }
  g_assert_true (keel__url_same_origin ("keel://localhost/a", "keel://localhost/b?c"));
  g_assert_true (keel__url_same_origin ("keel://localhost", "keel://localhost/b"));
  g_assert_true (keel__url_same_origin ("http://x.com/", "http://X.com:80/y"));
  g_assert_false (keel__url_same_origin ("http://x.com/", "https://x.com/"));
  g_assert_false (keel__url_same_origin ("http://x.com/", "http://x.com:81/"));
  g_assert_false (keel__url_same_origin ("about:blank", "about:blank"));
  g_assert_false (keel__url_same_origin (NULL, NULL));
}

static void
test_origin_regex (void)
{
  g_autofree char *app = keel__url_origin_to_content_rule_regex ("keel://localhost");
  g_assert_cmpstr (app, ==, "^keel://localhost([/?#].*)?$");
  g_autofree char *dev = keel__url_origin_to_content_rule_regex ("http://127.0.0.1:5173/");
  g_assert_cmpstr (dev, ==, "^http://127\\.0\\.0\\.1:5173([/?#].*)?$");
  g_autofree char *six = keel__url_origin_to_content_rule_regex ("http://[::1]/x");
  g_assert_cmpstr (six, ==, "^http://\\[::1\\]([/?#].*)?$");
  g_assert_null (keel__url_origin_to_content_rule_regex ("about:blank"));

  static const struct
  {
    const char *url;
    gboolean match;
  } cases[] = {
    { "keel://localhost/index.html", TRUE },
    { "keel://localhost", TRUE },
    { "keel://localhost?x", TRUE },
    { "keel://localhost.evil.com/", FALSE },
    { "keel://localhost:8080/", FALSE },
    { "keel://localhost@evil.com/", FALSE },
    { "keel://evil.com/keel://localhost/", FALSE },
    { "http://localhost/", FALSE },
    /* keel: is not a special scheme: its host keeps its case, and
     * keel://localhosT is another origin (found by fuzz-url-pattern). */
    { "keel://localhosT/index.html", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].url);
      /* Case-sensitive, as navigation-rules.c hands it to WebKit. */
      g_assert_cmpint (g_regex_match_simple (app, cases[i].url, 0, 0), ==, cases[i].match);
      g_assert_cmpint (keel__url_same_origin ("keel://localhost", cases[i].url), ==,
                       cases[i].match);
    }
  /* A special scheme's host is lower case in the rule, as in WebKit's URLs. */
  g_autofree char *upper = keel__url_origin_to_content_rule_regex ("HTTP://LocalHost:5173");
  g_assert_cmpstr (upper, ==, "^http://localhost:5173([/?#].*)?$");
}

static GPtrArray *
strings (const char *first, ...)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);
  va_list args;
  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_ptr_array_add (array, g_strdup (s));
  va_end (args);
  return array;
}

static void
test_rules_allow (void)
{
  g_autoptr (GPtrArray) remote = strings ("https://*.example.com/docs/*",
                                          "http://127.0.0.1:8123/allowed/*", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelNavigationRules) rules
    = keel__navigation_rules_new ("keel://localhost", "http://localhost:5173/", remote, &error);
  g_assert_no_error (error);

  static const struct
  {
    const char *uri;
    gboolean allowed;
  } cases[] = {
    { "keel://localhost/index.html", TRUE },
    { "keel://localhost/sub/page.html?x#y", TRUE },
    { "keel://localhost", TRUE },
    { "keel://localhost.evil.com/", FALSE },
    { "keel://user@localhost/", FALSE },
    { "http://localhost:5173/", TRUE },
    { "http://localhost:5173/deep/page?x", TRUE },
    { "http://localhost:5174/", FALSE },
    { "https://localhost:5173/", FALSE },
    { "https://www.example.com/docs/intro", TRUE },
    { "https://www.example.com/blog/", FALSE },
    { "https://example.com/docs/intro", FALSE },
    { "http://127.0.0.1:8123/allowed/page.html", TRUE },
    { "http://127.0.0.1:8123/page.html", FALSE },
    { "http://127.0.0.1:8123/allowed/../page.html", FALSE },
    { "about:blank", FALSE },
    { "data:text/html,hi", FALSE },
    { "blob:keel://localhost/1234", FALSE },
    { "javascript:alert(1)", FALSE },
    { "file:///etc/passwd", FALSE },
    { "mailto:someone@example.com", FALSE },
    { "keel://localhost/a b", FALSE },
    { "", FALSE },
    { NULL, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].uri);
      g_assert_cmpint (keel__navigation_rules_allow (rules, cases[i].uri), ==, cases[i].allowed);
    }

  /* Without devUrl and patterns, only the app's origin. */
  g_autoptr (KeelNavigationRules) bare
    = keel__navigation_rules_new ("keel://localhost", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (keel__navigation_rules_allow (bare, "keel://localhost/x"));
  g_assert_false (keel__navigation_rules_allow (bare, "http://localhost:5173/"));
  g_assert_false (keel__navigation_rules_allow (bare, "https://www.example.com/docs/intro"));
}

static void
test_rules_invalid (void)
{
  g_autoptr (GPtrArray) remote = strings ("https://example.com", "https://*.com/*", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_null (keel__navigation_rules_new ("keel://localhost", NULL, remote, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "\"https://*.com/*\""));
}

static void
test_rules_content_rules (void)
{
  g_autoptr (GPtrArray) remote = strings ("http://127.0.0.1:8123/allowed/*", NULL);
  g_autoptr (KeelNavigationRules) rules
    = keel__navigation_rules_new ("keel://localhost", "http://localhost:5173", remote, NULL);
  g_autofree char *text = keel__navigation_rules_to_content_rules (rules);
  json_error_t json_error;
  json_t *list = json_loads (text, 0, &json_error);
  g_assert_nonnull (list);
  g_assert_cmpuint (json_array_size (list), ==, 4);

  static const struct
  {
    const char *filter;
    gboolean case_sensitive;
    const char *action;
  } expected[] = {
    { ".*", FALSE, "block" },
    { "^keel://localhost([/?#].*)?$", TRUE, "ignore-previous-rules" },
    { "^http://localhost:5173([/?#].*)?$", TRUE, "ignore-previous-rules" },
    { "^http://127\\.0\\.0\\.1:8123/allowed/[^?#]*([?#].*)?$", TRUE, "ignore-previous-rules" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const char *filter, *resource, *context, *action;
      int case_sensitive;
      g_assert_cmpint (json_unpack (json_array_get (list, i),
                                    "{s:{s:s, s:b, s:[s!], s:[s!]!}, s:{s:s!}!}", "trigger",
                                    "url-filter", &filter, "url-filter-is-case-sensitive",
                                    &case_sensitive, "resource-type", &resource,
                                    "load-context", &context, "action", "type", &action),
                       ==, 0);
      g_assert_cmpstr (filter, ==, expected[i].filter);
      g_assert_cmpint (case_sensitive, ==, expected[i].case_sensitive);
      g_assert_cmpstr (resource, ==, "document");
      g_assert_cmpstr (context, ==, "top-frame");
      g_assert_cmpstr (action, ==, expected[i].action);
    }
  json_decref (list);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/url-pattern/valid", test_valid);
  g_test_add_func ("/url-pattern/invalid", test_invalid);
  g_test_add_func ("/url-pattern/invalid-limits", test_invalid_limits);
  g_test_add_func ("/url-pattern/match", test_match);
  g_test_add_func ("/url-pattern/match-long-path", test_match_long_path);
  g_test_add_func ("/url-pattern/regex", test_regex);
  g_test_add_func ("/url-pattern/regex-agrees", test_regex_agrees);
  g_test_add_func ("/url-pattern/origin", test_origin);
  g_test_add_func ("/url-pattern/origin-regex", test_origin_regex);
  g_test_add_func ("/navigation-rules/allow", test_rules_allow);
  g_test_add_func ("/navigation-rules/invalid", test_rules_invalid);
  g_test_add_func ("/navigation-rules/content-rules", test_rules_content_rules);
  return g_test_run ();
}
