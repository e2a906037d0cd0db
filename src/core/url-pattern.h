/* url-pattern.h — TEMP placeholder until the navigation branch lands. */
#pragma once

#include <glib.h>

gboolean keel__url_pattern_check (const char *pattern, GError **error);
gboolean keel__url_pattern_match (const char *pattern, const char *url);
