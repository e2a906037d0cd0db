/* TEMP placeholder until the navigation branch lands. */
#include "url-pattern.h"

#include "keel/keel-error.h"

gboolean
keel__url_pattern_check (const char *pattern, GError **error)
{
  if (g_str_has_prefix (pattern, "http://") || g_str_has_prefix (pattern, "https://"))
    return TRUE;
  g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG, "not an http(s) URL pattern");
  return FALSE;
}

gboolean
keel__url_pattern_match (const char *pattern, const char *url)
{
  return g_pattern_match_simple (pattern, url);
}
