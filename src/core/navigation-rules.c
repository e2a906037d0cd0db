/* navigation-rules.c — the app's origin, devUrl and remote URL patterns, as
 * a check and as a WebKit content rule list (navigation-rules.h). */
#include <jansson.h>
#include <string.h>

#include "navigation-rules.h"
#include "url-pattern.h"

struct _KeelNavigationRules
{
  char *app_origin;
  char *dev_origin;       /* NULL without devUrl */
  GPtrArray *patterns;    /* of char*, each valid */
};

KeelNavigationRules *
keel__navigation_rules_new (const char *app_origin, const char *dev_url, GPtrArray *remote_urls,
                            GError **error)
{
  g_autoptr (KeelNavigationRules) rules = g_new0 (KeelNavigationRules, 1);
  rules->app_origin = keel__url_origin (app_origin);
  g_return_val_if_fail (rules->app_origin != NULL, NULL);
  rules->dev_origin = keel__url_origin (dev_url);
  rules->patterns = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; remote_urls != NULL && i < remote_urls->len; i++)
    {
      const char *pattern = g_ptr_array_index (remote_urls, i);
      if (!keel__url_pattern_check (pattern, error))
        return NULL;
      g_ptr_array_add (rules->patterns, g_strdup (pattern));
    }
  return g_steal_pointer (&rules);
}

void
keel__navigation_rules_free (KeelNavigationRules *rules)
{
  if (rules == NULL)
    return;
  g_free (rules->app_origin);
  g_free (rules->dev_origin);
  g_clear_pointer (&rules->patterns, g_ptr_array_unref);
  g_free (rules);
}

gboolean
keel__navigation_rules_allow (const KeelNavigationRules *rules, const char *uri)
{
  if (uri == NULL || !keel__url_is_plain (uri))
    return FALSE;
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL || g_uri_get_userinfo (parsed) != NULL)
    return FALSE;
  g_autofree char *origin = keel__url_origin (uri);
  if (origin != NULL
      && (strcmp (origin, rules->app_origin) == 0
          || (rules->dev_origin != NULL && strcmp (origin, rules->dev_origin) == 0)))
    return TRUE;
  for (guint i = 0; i < rules->patterns->len; i++)
    if (keel__url_pattern_match (g_ptr_array_index (rules->patterns, i), uri))
      return TRUE;
  return FALSE;
}

/* Every rule concerns top-frame documents only: frames, scripts, images and
 * fetches are the CSP's business, not navigation's. */
static void
add_rule (json_t *list, const char *url_filter, gboolean case_sensitive, const char *action)
{
  json_array_append_new (
    list, json_pack ("{s:{s:s, s:b, s:[s], s:[s]}, s:{s:s}}", "trigger", "url-filter", url_filter,
                     "url-filter-is-case-sensitive", case_sensitive, "resource-type", "document",
                     "load-context", "top-frame", "action", "type", action));
}

char *
keel__navigation_rules_to_content_rules (const KeelNavigationRules *rules)
{
  json_t *list = json_array ();
  add_rule (list, ".*", FALSE, "block");
  /* Case-sensitive, all of them: WebKit's canonical URLs have the scheme
   * and a special scheme's host in lower case already, another scheme's host
   * keeps its case (keel://localhosT is another origin), and paths are
   * case-sensitive. */
  g_autofree char *app = keel__url_origin_to_content_rule_regex (rules->app_origin);
  add_rule (list, app, TRUE, "ignore-previous-rules");
  if (rules->dev_origin != NULL)
    {
      g_autofree char *dev = keel__url_origin_to_content_rule_regex (rules->dev_origin);
      add_rule (list, dev, TRUE, "ignore-previous-rules");
    }
  for (guint i = 0; i < rules->patterns->len; i++)
    {
      g_autofree char *regex
        = keel__url_pattern_to_content_rule_regex (g_ptr_array_index (rules->patterns, i));
      add_rule (list, regex, TRUE, "ignore-previous-rules");
    }
  char *dumped = json_dumps (list, JSON_COMPACT);
  json_decref (list);
  char *text = g_strdup (dumped);
  free (dumped);
  return text;
}
