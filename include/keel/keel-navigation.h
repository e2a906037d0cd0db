/* keel-navigation.h — where a window may go, and what happens when it may not.
 *
 * A window shows the app's own pages (keel://localhost), the development
 * server (build.devUrl) while one is set, and the remote URLs a capability
 * lists in `remote.urls` (docs/architecture.md, "Navigation", gives the
 * pattern rules). Keel refuses every other top-level navigation — a link, a
 * form, location.assign(), a redirect, a URL the app itself asks for —
 * before its request leaves, and the page that asked keeps running. Pages
 * cannot open windows by themselves either: window.open() and
 * target="_blank" are refused. Frames are not navigations: what a page may
 * embed is its Content-Security-Policy's business.
 *
 * Each refusal is handed once, on the main thread, to the app's
 * navigation-refused handler; without one, Keel logs a line. The handler may
 * send the URI to the user's browser (keel_navigation_open_in_browser() does
 * that for http, https and mailto), or, for a page that asked for a window,
 * open one itself — that is how an app allows new windows:
 *
 * |[<!-- language="C" -->
 * static void
 * on_navigation_refused (KeelWindow *window, const char *uri,
 *                        KeelNavigationRefusal kind, gpointer app)
 * {
 *   static guint count;
 *   if (kind == KEEL_NAVIGATION_REFUSED_NEW_WINDOW
 *       && keel_app_is_navigation_allowed (app, uri))
 *     {
 *       g_autofree char *label = g_strdup_printf ("popup-%u", ++count);
 *       json_t *options = json_pack ("{s:s, s:s}", "label", label, "url", uri);
 *       g_autoptr (GError) error = NULL;
 *       if (keel_app_create_window (app, options, &error) == NULL)
 *         g_warning ("%s", error->message);
 *       json_decref (options);
 *     }
 *   else
 *     keel_navigation_open_in_browser (window, uri, kind, NULL);
 * }
 *
 * keel_app_set_navigation_refused_handler (app, on_navigation_refused, app, NULL);
 * ]|
 *
 * WebKit's popup blocker drops window.open() and target="_blank" without a
 * user gesture (a click, a key) before Keel hears of them, so such attempts
 * never reach the handler. Main thread only. */
#pragma once

#include "keel-app.h"

G_BEGIN_DECLS

/**
 * KeelNavigationRefusal:
 * @KEEL_NAVIGATION_REFUSED_NAVIGATION: the window would have shown @uri
 *   in place of its page (a link, location.assign(), a form, a redirect).
 * @KEEL_NAVIGATION_REFUSED_NEW_WINDOW: the page asked for a new window
 *   showing @uri (window.open(), target="_blank"); "about:blank" when it
 *   named none.
 *
 * What a page tried when Keel refused it.
 */
typedef enum
{
  KEEL_NAVIGATION_REFUSED_NAVIGATION,
  KEEL_NAVIGATION_REFUSED_NEW_WINDOW,
} KeelNavigationRefusal;

/**
 * KeelNavigationRefusedFunc:
 * @window: the window whose page tried.
 * @uri: the URI refused: where the navigation would have gone (for a
 *   redirect, where it was redirected to), or what the new window would
 *   have shown. Valid during the call only.
 * @kind: what was tried.
 * @user_data: the data given with the handler.
 *
 * Called once per refusal, on the main thread, after the navigation has
 * been stopped. It may create windows, close @window or open @uri
 * elsewhere.
 */
typedef void (*KeelNavigationRefusedFunc) (KeelWindow *window, const char *uri,
                                           KeelNavigationRefusal kind, gpointer user_data);

/**
 * keel_app_set_navigation_refused_handler:
 * @app: an app.
 * @handler: (nullable): called for each refused navigation; %NULL restores
 *   the default, which logs each refusal with g_message().
 * @user_data: passed to @handler.
 * @destroy: (nullable): frees @user_data when the handler is replaced or the
 *   app freed (not before a call in progress has returned).
 *
 * Sets the app's one navigation-refused handler, replacing the previous one.
 * See the top of this header for an example.
 */
KEEL_API void keel_app_set_navigation_refused_handler (KeelApp *app,
                                                       KeelNavigationRefusedFunc handler,
                                                       gpointer user_data,
                                                       GDestroyNotify destroy);

/**
 * keel_app_is_navigation_allowed:
 * @app: an app.
 * @uri: an absolute URI.
 *
 * Whether a window of @app may show @uri: it is on the app's origin
 * (keel://localhost) or devUrl's, or matches a capability's `remote.urls`,
 * and carries no user name or password. Callable before keel_app_run().
 *
 * Returns: whether @uri is allowed.
 */
KEEL_API gboolean keel_app_is_navigation_allowed (KeelApp *app, const char *uri);

/**
 * keel_navigation_open_in_browser:
 * @window: (nullable): the window whose page tried, for the log.
 * @uri: the refused URI.
 * @kind: what was tried (either kind is opened).
 * @user_data: unused.
 *
 * A ready-made #KeelNavigationRefusedFunc: opens an http, https or mailto
 * @uri with the user's default application for it
 * (g_app_info_launch_default_for_uri_async()), and logs any other URI
 * without opening it. A failure to launch is logged with g_warning().
 */
KEEL_API void keel_navigation_open_in_browser (KeelWindow *window, const char *uri,
                                               KeelNavigationRefusal kind, gpointer user_data);

/**
 * keel_navigation_refusal_to_string:
 * @kind: a refusal kind.
 *
 * Returns: (transfer none): "navigation" or "new-window". Any thread.
 */
KEEL_API const char *keel_navigation_refusal_to_string (KeelNavigationRefusal kind);

G_END_DECLS
