/* navigation-rules.h — where a window may go.
 *
 * A window may show the app's own origin (keel://localhost), the origin of
 * build.devUrl when set, and URLs that a capability lists in remote.urls
 * (patterns: url-pattern.h). Everything else is refused. The same rules come
 * out in two forms: a check for one URL, and a WebKit content rule list
 * that blocks every other top-frame document before its request leaves.
 *
 * Platform-free; a rules object is immutable once made, so any thread may
 * read it. */
#pragma once

#include <glib.h>

typedef struct _KeelNavigationRules KeelNavigationRules;

/**
 * keel__navigation_rules_new:
 * @app_origin: the app's origin, "keel://localhost".
 * @dev_url: (nullable): build.devUrl; every URL of its origin is allowed.
 * @remote_urls: (nullable) (element-type utf8): URL patterns.
 * @error: set, with the url-pattern.h message, for an invalid pattern.
 *
 * Returns: (transfer full) (nullable): the rules, or NULL with @error set.
 */
KeelNavigationRules *keel__navigation_rules_new (const char *app_origin, const char *dev_url,
                                                 GPtrArray *remote_urls, GError **error);

/**
 * keel__navigation_rules_allow:
 * @uri: (nullable): a URL a window would show.
 *
 * Returns: whether a window may show @uri: it is of the app's or devUrl's
 *   origin, or matches a remote URL pattern, and carries no user name or
 *   password. about:, data:, blob: and other URLs without a host are not
 *   allowed (WebKit lets about:blank through on its own; see navigation.c).
 */
gboolean keel__navigation_rules_allow (const KeelNavigationRules *rules, const char *uri);

/**
 * keel__navigation_rules_to_content_rules:
 *
 * A WebKit content rule list (Safari content-blocker JSON) that blocks
 * every top-frame document, then lifts the block (ignore-previous-rules) for
 * each allowed origin and pattern.
 *
 * Returns: (transfer full): the JSON text.
 */
char *keel__navigation_rules_to_content_rules (const KeelNavigationRules *rules);

/** keel__navigation_rules_free: frees rules; accepts NULL. */
void keel__navigation_rules_free (KeelNavigationRules *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelNavigationRules, keel__navigation_rules_free)
