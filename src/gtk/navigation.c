/* navigation.c — keeping each window on the app's origin, devUrl and the
 * remote URLs that capabilities list (include/keel/keel-navigation.h).
 *
 * Two checks, so that neither depends on the other:
 *
 * 1. A WebKit content rule list, compiled once when the app starts and added
 *    to every window's content manager before its first load, blocks every
 *    top-frame document that is not allowed (src/core/navigation-rules.c).
 *    It acts before the request leaves, on redirects too, and on loads the
 *    app itself starts. WebKit then reports load-failed with
 *    WEBKIT_POLICY_ERROR code 104, which has no name in the 4.1 API; Keel
 *    returns TRUE there, or WebKit would replace the page with an error page
 *    (committed under the refused URI).
 * 2. decide-policy: a main-frame response whose URI is not allowed is
 *    ignored. Content blockers never see data: URLs; this sees them. An
 *    ignored response ends in load-failed with
 *    WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE, for which
 *    WebKit shows no error page.
 *
 * New windows: decide-policy NEW_WINDOW_ACTION (target="_blank") is ignored,
 * and `create` (window.open(), which skips decide-policy) returns NULL.
 *
 * about:blank is let through by WebKit's content blockers, and never reaches
 * decide-policy as a response: a page can still replace itself with an empty
 * document. It carries nothing from elsewhere, so Keel lets it be. */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "navigation-rules.h"
#include "shell.h"
#include "url-pattern.h"

/* WebKit's PolicyErrorBlockedByContentBlocker: the load-failed code of a
 * load a content rule list blocked. Keel's rule list is the only one on its
 * content managers, so this code means Keel refused the load. */
#define CONTENT_BLOCKED 104

/* A rule list compiles in about 2 ms; this only bounds a WebKit that never answers. */
#define COMPILE_TIMEOUT_S 10

/* URIs in log lines: printable ASCII only, and not megabytes of data: URL. */
#define LOGGED_URI_MAX 200

struct _KeelNavigationHandler
{
  int ref_count; /* the app's, plus one while a call runs */
  KeelNavigationRefusedFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
};

static void
handler_unref (KeelNavigationHandler *handler)
{
  if (--handler->ref_count > 0)
    return;
  if (handler->destroy != NULL)
    handler->destroy (handler->user_data);
  g_free (handler);
}

static char *
loggable (const char *uri)
{
  GString *out = g_string_new (NULL);
  for (const char *p = uri; *p != '\0'; p++)
    {
      if (out->len >= LOGGED_URI_MAX)
        {
          g_string_append (out, "...");
          break;
        }
      guchar byte = (guchar) *p;
      if (byte < 0x20 || byte >= 0x7f)
        g_string_append_printf (out, "%%%02X", byte);
      else
        g_string_append_c (out, (char) byte);
    }
  return g_string_free (out, FALSE);
}

const char *
keel_navigation_refusal_to_string (KeelNavigationRefusal kind)
{
  switch (kind)
    {
    case KEEL_NAVIGATION_REFUSED_NAVIGATION: return "navigation";
    case KEEL_NAVIGATION_REFUSED_NEW_WINDOW: return "new-window";
    default: return "unknown";
    }
}

/* Hands one refusal to the app's handler, or logs it. */
static void
refuse (KeelWindow *window, const char *uri, KeelNavigationRefusal kind)
{
  if (window->destroyed)
    return;
  KeelNavigationHandler *handler = window->app->navigation_handler;
  if (handler == NULL)
    {
      g_autofree char *shown = loggable (uri);
      if (kind == KEEL_NAVIGATION_REFUSED_NEW_WINDOW)
        g_message ("[%s] new window for %s refused: pages may not open windows by themselves; "
                   "set a navigation-refused handler to open it in the browser or in a window "
                   "of the app",
                   window->label, shown);
      else
        g_message ("[%s] navigation to %s refused: only the app's origin, devUrl and URLs "
                   "listed in a capability's remote.urls may be shown; set a "
                   "navigation-refused handler to open it in the browser",
                   window->label, shown);
      return;
    }
  /* The handler may replace itself while it runs: its data lives until it returns. */
  handler->ref_count++;
  handler->func (window, uri, kind, handler->user_data);
  handler_unref (handler);
}

static gboolean
on_decide_policy (WebKitWebView *view, WebKitPolicyDecision *decision,
                  WebKitPolicyDecisionType type, KeelWindow *window)
{
  KeelNavigationRules *rules = window->app->navigation_rules;
  switch (type)
    {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
      {
        /* load-failed names the URL a blocked load started at, not the one
         * it was redirected to; remember where redirects go. */
        WebKitNavigationAction *action = webkit_navigation_policy_decision_get_navigation_action (
          WEBKIT_NAVIGATION_POLICY_DECISION (decision));
        if (webkit_navigation_action_is_redirect (action))
          {
            g_free (window->redirect_uri);
            window->redirect_uri
              = g_strdup (webkit_uri_request_get_uri (webkit_navigation_action_get_request (action)));
          }
        return FALSE;
      }

    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      {
        WebKitNavigationAction *action = webkit_navigation_policy_decision_get_navigation_action (
          WEBKIT_NAVIGATION_POLICY_DECISION (decision));
        g_autofree char *uri
          = g_strdup (webkit_uri_request_get_uri (webkit_navigation_action_get_request (action)));
        webkit_policy_decision_ignore (decision);
        refuse (window, uri != NULL && *uri != '\0' ? uri : "about:blank",
                KEEL_NAVIGATION_REFUSED_NEW_WINDOW);
        return TRUE;
      }

    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE:
      {
        WebKitResponsePolicyDecision *response = WEBKIT_RESPONSE_POLICY_DECISION (decision);
        if (!webkit_response_policy_decision_is_main_frame_main_resource (response))
          return FALSE;
        const char *request_uri
          = webkit_uri_request_get_uri (webkit_response_policy_decision_get_request (response));
        const char *response_uri
          = webkit_uri_response_get_uri (webkit_response_policy_decision_get_response (response));
        const char *refused = NULL;
        if (!keel__navigation_rules_allow (rules, request_uri))
          refused = request_uri;
        else if (response_uri != NULL && !keel__navigation_rules_allow (rules, response_uri))
          refused = response_uri;
        if (refused == NULL)
          return FALSE;
        g_autofree char *uri = g_strdup (refused);
        webkit_policy_decision_ignore (decision);
        refuse (window, uri, KEEL_NAVIGATION_REFUSED_NAVIGATION);
        return TRUE;
      }

    default:
      return FALSE;
    }
}

static gboolean
on_load_failed (WebKitWebView *view, WebKitLoadEvent event, const char *failing_uri,
                GError *error, KeelWindow *window)
{
  if (!g_error_matches (error, WEBKIT_POLICY_ERROR, CONTENT_BLOCKED))
    return FALSE;
  KeelNavigationRules *rules = window->app->navigation_rules;
  const char *refused = failing_uri;
  /* Blocked after a redirect: the URL it started at may well be allowed. */
  if (window->redirect_uri != NULL && keel__navigation_rules_allow (rules, failing_uri)
      && !keel__navigation_rules_allow (rules, window->redirect_uri))
    refused = window->redirect_uri;
  g_autofree char *uri = g_strdup (refused);
  g_clear_pointer (&window->redirect_uri, g_free);
  refuse (window, uri, KEEL_NAVIGATION_REFUSED_NAVIGATION);
  return TRUE; /* no error page: the page that asked keeps running */
}

static void
on_load_changed (WebKitWebView *view, WebKitLoadEvent event, KeelWindow *window)
{
  if (event == WEBKIT_LOAD_STARTED || event == WEBKIT_LOAD_FINISHED)
    g_clear_pointer (&window->redirect_uri, g_free);
}

/* window.open(): WebKit asks for the new view directly. */
static GtkWidget *
on_create (WebKitWebView *view, WebKitNavigationAction *action, KeelWindow *window)
{
  g_autofree char *uri
    = g_strdup (webkit_uri_request_get_uri (webkit_navigation_action_get_request (action)));
  refuse (window, uri != NULL && *uri != '\0' ? uri : "about:blank",
          KEEL_NAVIGATION_REFUSED_NEW_WINDOW);
  return NULL;
}

void
keel__navigation_attach (KeelWindow *window)
{
  KeelApp *app = window->app;
  /* Compiled in keel_app_run() before any window exists. */
  g_assert (app->navigation_filter != NULL);
  webkit_user_content_manager_add_filter (window->content_manager, app->navigation_filter);
  g_signal_connect (window->view, "decide-policy", G_CALLBACK (on_decide_policy), window);
  g_signal_connect (window->view, "load-failed", G_CALLBACK (on_load_failed), window);
  g_signal_connect (window->view, "load-changed", G_CALLBACK (on_load_changed), window);
  g_signal_connect (window->view, "create", G_CALLBACK (on_create), window);
}

/* ---- The rules ---- */

gboolean
keel__navigation_check_window_url (KeelApp *app, const char *label, const char *url,
                                   GError **error)
{
  g_autofree char *resolved = keel__app_resolve_url (app, url);
  if (keel__navigation_rules_allow (app->navigation_rules, resolved))
    return TRUE;
  g_autofree char *origin = keel__url_origin (resolved);
  g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
               "window \"%s\": its url %s may not be shown: a window shows only the app's "
               "pages, devUrl and URLs listed in a capability's remote.urls; list it there "
               "(e.g. \"remote\": {\"urls\": [\"%s/*\"]}) or open it in the browser",
               label, resolved, origin != NULL ? origin : "https://example.com");
  return FALSE;
}

static gboolean
set_rules (KeelApp *app, GPtrArray *remote_urls, GError **error)
{
  KeelConfig *config = app->config;
  g_autoptr (GError) local_error = NULL;
  app->navigation_rules = keel__navigation_rules_new (KEEL_APP_ORIGIN, config->dev_url,
                                                      remote_urls, &local_error);
  if (app->navigation_rules == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                   "%s: app.security.capabilities: remote.urls: %s", config->source_name,
                   local_error->message);
      return FALSE;
    }
  /* A window of keel.json that could never show its page is a configuration
   * error, found now rather than as a blank window. */
  for (guint i = 0; i < config->windows->len; i++)
    {
      KeelWindowConfig *window = g_ptr_array_index (config->windows, i);
      if (!keel__navigation_check_window_url (app, window->label, window->url, &local_error))
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG, "%s: app.windows[%u]: %s",
                       config->source_name, i, local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
keel__navigation_init (KeelApp *app, GError **error)
{
  /* The capabilities in force name the remote pages windows may show. */
  g_autoptr (GPtrArray) remote_urls = keel__acl_remote_url_patterns (app->acl);
  return set_rules (app, remote_urls, error);
}

gboolean
keel_app_is_navigation_allowed (KeelApp *app, const char *uri)
{
  g_return_val_if_fail (app != NULL, FALSE);
  return keel__navigation_rules_allow (app->navigation_rules, uri);
}

/* ---- The WebKit content rule list ---- */

/* What WebKit answers; outlives the compilation when it times out. */
typedef struct
{
  gboolean done;
  gboolean abandoned; /* timed out: the callback frees it */
  WebKitUserContentFilter *filter;
  GError *error;
} Answer;

struct _KeelNavigationCompilation
{
  char *dir;
  WebKitUserContentFilterStore *store;
  GBytes *source;
  Answer *answer;
};

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->filter, webkit_user_content_filter_unref);
  g_clear_error (&answer->error);
  g_free (answer);
}

static void
on_filter_saved (GObject *store, GAsyncResult *result, gpointer data)
{
  Answer *answer = data;
  answer->filter = webkit_user_content_filter_store_save_finish (
    WEBKIT_USER_CONTENT_FILTER_STORE (store), result, &answer->error);
  answer->done = TRUE;
  if (answer->abandoned)
    answer_free (answer);
}

static gboolean
on_compile_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The store holds one compiled file (and WebKit's temporary files while it
 * writes). */
static void
remove_store (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      if (g_unlink (file) != 0)
        g_warning ("cannot remove %s: %s", file, g_strerror (errno));
    }
  if (dir != NULL)
    g_dir_close (dir);
  if (g_rmdir (path) != 0)
    g_warning ("cannot remove %s: %s", path, g_strerror (errno));
}

/* The store lives in a private temporary directory, removed as soon as the
 * list is compiled (WebKit keeps it mapped; the file is not needed again).
 * Not in $XDG_CACHE_HOME: compiling takes about 2 ms, so a cache saves
 * nothing, while two instances of one app sharing its file would rewrite it
 * under each other, and a stale list could outlive a change of keel.json. */
KeelNavigationCompilation *
keel__navigation_compile_start (KeelApp *app, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("keel-navigation-XXXXXX", &local_error);
  if (dir == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                   "cannot make a temporary directory for the navigation rules: %s (is TMPDIR "
                   "writable?)",
                   local_error->message);
      return NULL;
    }
  KeelNavigationCompilation *compilation = g_new0 (KeelNavigationCompilation, 1);
  compilation->dir = g_steal_pointer (&dir);
  char *rules = keel__navigation_rules_to_content_rules (app->navigation_rules);
  compilation->source = g_bytes_new_take (rules, strlen (rules));
  compilation->store = webkit_user_content_filter_store_new (compilation->dir);
  compilation->answer = g_new0 (Answer, 1);
  webkit_user_content_filter_store_save (compilation->store, "keel-navigation",
                                         compilation->source, NULL, on_filter_saved,
                                         compilation->answer);
  return compilation;
}

gboolean
keel__navigation_compile_finish (KeelApp *app, KeelNavigationCompilation *compilation,
                                 GError **error)
{
  Answer *answer = compilation->answer;
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (COMPILE_TIMEOUT_S, on_compile_timeout, &timed_out);
  /* No window exists yet, so none can load before the rules are in place:
   * run the main context (WebKit answers through it) until they are. */
  while (!answer->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  g_object_unref (compilation->store);

  gboolean ok = FALSE;
  if (!answer->done)
    {
      answer->abandoned = TRUE;
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED,
                   "WebKit did not compile the navigation rules within %d s", COMPILE_TIMEOUT_S);
    }
  else if (answer->filter == NULL)
    {
      gsize length;
      const char *rules = g_bytes_get_data (compilation->source, &length);
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED,
                   "WebKit cannot compile the navigation rules (%s); this is a bug in Keel, "
                   "please report it with the rules: %.*s",
                   answer->error->message, (int) length, rules);
    }
  else
    {
      g_clear_pointer (&app->navigation_filter, webkit_user_content_filter_unref);
      app->navigation_filter = g_steal_pointer (&answer->filter);
      ok = TRUE;
    }
  if (answer->done)
    answer_free (answer);
  remove_store (compilation->dir);
  g_free (compilation->dir);
  g_bytes_unref (compilation->source);
  g_free (compilation);
  return ok;
}

void
keel__navigation_dispose (KeelApp *app)
{
  g_clear_pointer (&app->navigation_handler, handler_unref);
  g_clear_pointer (&app->navigation_filter, webkit_user_content_filter_unref);
  g_clear_pointer (&app->navigation_rules, keel__navigation_rules_free);
}

/* ---- The public handler API ---- */

void
keel_app_set_navigation_refused_handler (KeelApp *app, KeelNavigationRefusedFunc handler,
                                         gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (app != NULL);
  KeelNavigationHandler *old = g_steal_pointer (&app->navigation_handler);
  if (handler != NULL)
    {
      KeelNavigationHandler *new_handler = g_new0 (KeelNavigationHandler, 1);
      new_handler->ref_count = 1;
      new_handler->func = handler;
      new_handler->user_data = user_data;
      new_handler->destroy = destroy;
      app->navigation_handler = new_handler;
    }
  if (old != NULL)
    handler_unref (old);
}

static void
on_launched (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autofree char *uri = data;
  g_autoptr (GError) error = NULL;
  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_warning ("cannot open %s with the default application: %s", uri, error->message);
}

void
keel_navigation_open_in_browser (KeelWindow *window, const char *uri, KeelNavigationRefusal kind,
                                 gpointer user_data)
{
  g_return_if_fail (uri != NULL);
  const char *scheme = g_uri_peek_scheme (uri);
  g_autofree char *shown = loggable (uri);
  if (scheme == NULL
      || (strcmp (scheme, "http") != 0 && strcmp (scheme, "https") != 0
          && strcmp (scheme, "mailto") != 0))
    {
      g_message ("[%s] %s refused and not opened: only http, https and mailto URIs are handed "
                 "to the default application",
                 window != NULL ? window->label : "-", shown);
      return;
    }
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, on_launched, g_steal_pointer (&shown));
}
