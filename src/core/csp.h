/* csp.h — the Content-Security-Policy header sent with every HTML response.
 *
 * The app configures its policy; Keel amends it with only what its own IPC
 * needs (a connect-src source for the keel-ipc:// scheme), and leaves it alone
 * when the app says so. */
#pragma once

#include <glib.h>

/* Returns the Content-Security-Policy value for HTML responses: the configured
 * policy amended so that fetch() may reach every source in ipc_sources (a
 * NULL-terminated list, e.g. {"keel-ipc://localhost", NULL}; may be NULL):
 *
 * - a connect-src gets those of the sources it lacks appended (compared
 *   ASCII case-insensitively); a connect-src of 'none' or with no sources
 *   becomes just the IPC sources, since 'none' beside a source is invalid;
 * - without a connect-src, a default-src governs fetch(): a connect-src is
 *   appended holding default-src's sources plus the IPC ones, so that
 *   default-src keeps applying to fetch() as before;
 * - with neither, fetch() is unrestricted and nothing is added.
 *
 * configured_policy NULL (none configured) returns NULL: no header; so does
 * a policy with no directive left after parsing (such as "" or " ; ").
 * disabled_all returns the configured policy unchanged, byte for byte.
 * disabled (NULL-terminated directive names, case-insensitive; may be NULL)
 * lists directives Keel must not modify or create; naming "connect-src"
 * there stops every amendment.
 *
 * Parsing follows CSP3 ("parse a serialized CSP"): directives are separated
 * by ';', the name from its sources and the sources from each other by ASCII
 * whitespace; names are case-insensitive and come out lowercased; the first
 * occurrence of a directive wins and later ones are dropped, as are empty
 * directives and directives with non-ASCII bytes (browsers ignore both).
 * Output: directives joined by "; ", sources by single spaces, original order
 * kept.
 *
 * Returns: (transfer full) (nullable): the header value. Callable from any
 * thread. */
char *keel__csp_build (const char *configured_policy, const char *const *ipc_sources,
                       gboolean disabled_all, const char *const *disabled);
