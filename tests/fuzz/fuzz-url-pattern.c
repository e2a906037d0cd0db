/* Fuzzes remote URL patterns and origins (src/core/url-pattern.c) and the
 * navigation rules built on them. The input is a pattern and a URL,
 * separated by the first NUL or newline (no separator: the same bytes are
 * both). Beyond "does not crash", every input checks the promises:
 *
 * - a pattern is valid exactly when it has a regex, and an invalid one
 *   matches nothing and has a one-line UTF-8 error message;
 * - the regex uses only what WebKit content blockers accept, compiles, and
 *   never lets through a canonical URL that the match refuses;
 * - a URL that matches a pattern is allowed by rules listing it;
 * - the origin regex only matches URLs of that origin. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "keel/keel-error.h"
#include "navigation-rules.h"
#include "url-pattern.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* In WebKit's url-filter subset, as url-pattern.c writes it: no
 * alternation, no counted repetition, no class escapes such as \d. */
static void
check_regex_subset (const char *regex)
{
  g_assert (regex[0] == '^');
  for (const char *p = regex; *p != '\0'; p++)
    {
      g_assert ((guchar) *p > 0x20 && (guchar) *p < 0x7f);
      g_assert (*p != '|' && *p != '{' && *p != '}');
      if (*p == '\\')
        {
          p++;
          g_assert (*p != '\0' && strchr (".*+?()[]{}|^$\\", *p) != NULL);
        }
    }
}

/* What WebKit would hand over: plain, and unchanged by a GUri round trip
 * (no dot segments, no escaped unreserved characters, no odd port). */
static gboolean
is_canonical (const char *url)
{
  if (!keel__url_is_plain (url))
    return FALSE;
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  /* Without a host, g_uri_to_string() cannot write some paths ("//x"). */
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;
  g_autofree char *again = g_uri_to_string (uri);
  return again != NULL && strcmp (again, url) == 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Patterns and URLs reach Keel as C strings: bytes after a NUL never do. */
  if (size > 64 * 1024)
    return 0;
  const uint8_t *split = memchr (data, '\n', size);
  const uint8_t *nul = memchr (data, '\0', size);
  if (nul != NULL && (split == NULL || nul < split))
    split = nul;
  g_autofree char *pattern = g_strndup ((const char *) data, split != NULL ? (gsize) (split - data) : size);
  g_autofree char *url = split != NULL ? g_strndup ((const char *) split + 1, size - (split - data) - 1)
                                       : g_strdup (pattern);

  g_autoptr (GError) error = NULL;
  gboolean valid = keel__url_pattern_check (pattern, &error);
  g_autofree char *regex = keel__url_pattern_to_content_rule_regex (pattern);
  gboolean match = keel__url_pattern_match (pattern, url);
  g_assert (valid == (error == NULL));
  g_assert (valid == (regex != NULL));
  if (!valid)
    {
      g_assert (error->domain == KEEL_ERROR && error->code == KEEL_ERROR_CONFIG);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      g_assert (strchr (error->message, '\n') == NULL);
      g_assert (!match);
    }
  else
    {
      check_regex_subset (regex);
      g_autoptr (GRegex) compiled = g_regex_new (regex, 0, 0, NULL);
      g_assert (compiled != NULL);
      if (is_canonical (url) && g_regex_match (compiled, url, 0, NULL))
        g_assert (match);

      GPtrArray *patterns = g_ptr_array_new ();
      g_ptr_array_add (patterns, pattern);
      KeelNavigationRules *rules
        = keel__navigation_rules_new ("keel://localhost", NULL, patterns, NULL);
      g_assert (rules != NULL);
      if (match)
        g_assert (keel__navigation_rules_allow (rules, url));
      g_autofree char *content_rules = keel__navigation_rules_to_content_rules (rules);
      g_assert (content_rules != NULL);
      keel__navigation_rules_free (rules);
      g_ptr_array_unref (patterns);
    }

  /* Origins: the pattern's bytes stand for a second URL. */
  g_autofree char *origin = keel__url_origin (url);
  g_assert (keel__url_same_origin (url, url) == (origin != NULL));
  g_assert (keel__url_same_origin (pattern, url) == keel__url_same_origin (url, pattern));
  g_autofree char *origin_regex = keel__url_origin_to_content_rule_regex (pattern);
  g_autofree char *pattern_origin = keel__url_origin (pattern);
  g_assert ((origin_regex != NULL) == (pattern_origin != NULL));
  if (origin_regex != NULL && keel__url_is_plain (pattern))
    {
      check_regex_subset (origin_regex);
      /* Case-sensitive, as navigation-rules.c gives it to WebKit. */
      g_autoptr (GRegex) compiled = g_regex_new (origin_regex, 0, 0, NULL);
      g_assert (compiled != NULL);
      if (is_canonical (url) && g_regex_match (compiled, url, 0, NULL))
        g_assert (keel__url_same_origin (pattern, url));
    }

  /* Rules with a devUrl of any shape must not trip either. */
  KeelNavigationRules *dev = keel__navigation_rules_new ("keel://localhost", pattern, NULL, NULL);
  g_assert (dev != NULL);
  keel__navigation_rules_allow (dev, url);
  g_free (keel__navigation_rules_to_content_rules (dev));
  keel__navigation_rules_free (dev);
  return 0;
}
