/* window.c — KeelWindow: a GtkWindow holding one WebKitWebView.
 *
 * Every window gets its own WebKitUserContentManager, so its own message
 * handler (the core knows which window sent a message because the handler
 * is per window) and its own web process. The window owns its page
 * lifecycle: each committed document gets a fresh page id, and when the
 * document goes (navigation, reload, crash, close) the core forgets its
 * listeners and drops replies meant for it. */
#include <string.h>

#include "shell.h"
#include "url-pattern.h"

/* The bridge's isolated world: only scripts injected there can see Keel's
 * message handlers; page scripts and frames cannot. */
#define KEEL_WORLD "keel"

static gboolean on_delete_event (GtkWidget *widget, GdkEvent *event, KeelWindow *window);

static const char *
bridge_source (const char *name)
{
  g_autofree char *path = g_strconcat ("/dev/keel/bridge/", name, NULL);
  GBytes *bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_assert (bytes != NULL); /* compiled into the library */
  /* Kept for the process lifetime: resource data is static and NUL-terminated. */
  const char *data = g_bytes_get_data (bytes, NULL);
  g_bytes_unref (bytes);
  return data;
}

static char *
main_world_script (KeelWindow *window)
{
  g_autoptr (json_t) meta = json_pack ("{s:s, s:s, s:b}", "windowLabel", window->label,
                                       "webviewLabel", window->label, "forwardConsole",
                                       window->app->forward_console);
  char *meta_text = json_dumps (meta, JSON_COMPACT);
  char *script = g_strdup_printf ("(function(meta){%s})(%s);", bridge_source ("bridge.js"),
                                  meta_text);
  free (meta_text);
  return script;
}

/* The relay (isolated world) with the message size limit given to it the
 * way bridge.js gets its meta: the file is wrapped in a function called with
 * the limit. What is spliced in is an int printed in decimal, validated by
 * config.c (1024 to 1 GiB), so no text from anywhere ends up in the script. */
static char *
relay_script (KeelWindow *window)
{
  return g_strdup_printf ("(function(maxMessageSize){%s})(%d);", bridge_source ("relay.js"),
                          window->app->config->max_message_size);
}

/* Where an answer goes: the message's reply, and the JSC context WebKit
 * made the message in, in which the reply value must be made too (a JSC VM
 * of Keel's own in the UI process is not needed and not safe). */
typedef struct
{
  WebKitScriptMessageReply *reply;
  JSCContext *context;
  KeelWindow *window;
  KeelOutbox *outbox; /* the asking page's: flushed before the answer */
  char id[24];        /* the call's id in digits, or "" when unread */
} ReplyTarget;

static void
reply_target_free (gpointer data)
{
  ReplyTarget *target = data;
  webkit_script_message_reply_unref (target->reply);
  g_object_unref (target->context);
  keel__outbox_unref (target->outbox);
  g_free (target);
}

/* The answer reaches the relay as one string, "o<id>\n<json>" or
 * "e<id>\n<json>" (message.h), bytes as "b<id>\n<ticket>", which the bridge
 * collects over ipc:// (a script message reply cannot carry them).
 *
 * It travels as the reply's *error message*, which the relay reads as the
 * answer (relay.js): WebKit takes that as a C string and sends it as it is,
 * where a reply value must first be made into a JSCValue (about 8,000
 * instructions to make and release, callgrind) and then be serialized.
 * Alternating runs of the bench's echo, each round a new string, JSON text
 * of 1 to 16 MiB: as fast or faster at every size, though the letter in
 * front costs a copy. Text that is not a C string of UTF-8, which WebKit
 * would turn into no message at all (so the page's promise would be
 * fulfilled with undefined), goes as the reply value ["o" or "e", json]
 * that the relay joins.
 *
 * The router replies only while the page that asked is alive, so the window
 * is too. */
static void
reply_to_page (gpointer data, gboolean ok, GBytes *json_text, GBytes *bytes)
{
  ReplyTarget *target = data;
  /* Events and channel messages queued for the page before this answer
   * reach it first: a command that streams and then answers leaves the page
   * with every message by the time its promise settles. WebKit keeps the
   * order of what it sends one web process. */
  if (target->outbox != NULL)
    keel__outbox_flush (target->outbox);
  if (bytes != NULL)
    {
      g_autofree char *ticket = keel__ipc_hold_bytes (target->window, bytes);
      g_autofree char *reply
        = keel__message_encode_reply ('b', target->id, ticket, strlen (ticket));
      webkit_script_message_reply_return_error_message (target->reply, reply);
      return;
    }
  char kind = ok ? 'o' : 'e';
  gsize length;
  const char *text = g_bytes_get_data (json_text, &length);
  if (keel__text_is_c_string_utf8 (text, length))
    {
      g_autofree char *reply = keel__message_encode_reply (kind, target->id, text, length);
      webkit_script_message_reply_return_error_message (target->reply, reply);
      return;
    }
  /* From the bytes as they are: JSC makes what it can of text that is
   * not UTF-8, and the bridge reports what does not parse. */
  g_autofree char *head = keel__message_encode_reply (kind, target->id, "", 0);
  g_autoptr (JSCValue) json = jsc_value_new_string_from_bytes (target->context, json_text);
  g_autoptr (JSCValue) pair = jsc_value_new_array (target->context, G_TYPE_STRING, head,
                                                   JSC_TYPE_VALUE, json, G_TYPE_NONE);
  webkit_script_message_reply_return_value (target->reply, pair);
}

gboolean
keel__app_is_own_origin (KeelApp *app, const char *origin)
{
  return strcmp (origin, KEEL_APP_ORIGIN) == 0
         || (app->dev_origin != NULL && strcmp (origin, app->dev_origin) == 0);
}

/* The origin of the document at `url`, or NULL. A window's messages come
 * from the document it shows, so the last URL and its origin are kept:
 * parsing a URL costs more than the rest of a small call. Borrowed until
 * the next call. */
static const char *
sender_origin (KeelWindow *window, const char *url)
{
  if (g_strcmp0 (window->sender_url, url) != 0)
    {
      g_free (window->sender_url);
      g_free (window->sender_origin);
      window->sender_url = g_strdup (url);
      window->sender_origin = keel__url_origin (url);
    }
  return window->sender_origin;
}

static gboolean
on_script_message (WebKitUserContentManager *manager, JSCValue *value,
                   WebKitScriptMessageReply *reply, KeelWindow *window)
{
  ReplyTarget *target = g_new0 (ReplyTarget, 1);
  target->reply = webkit_script_message_reply_ref (reply);
  target->context = g_object_ref (jsc_value_get_context (value));
  target->window = window;
  target->outbox = window->outbox != NULL ? keel__outbox_ref (window->outbox) : NULL;
  const char *origin = window->origin != NULL ? window->origin : "null";
  KeelCaller caller = {
    .window_label = window->label,
    .webview_label = window->label,
    .origin = origin,
    .local = keel__app_is_own_origin (window->app, origin),
    .page_id = window->page_id,
    .outbox = window->outbox,
    .reply = reply_to_page,
    .reply_target = target,
    .reply_target_free = reply_target_free,
  };

  if (!jsc_value_is_string (value))
    {
      /* Only the relay posts here, and it posts strings; anything else is a
       * forged or broken message. */
      keel__router_dispatch_text (window->app->router, &caller, "", 0, NULL);
      return TRUE;
    }
  if (window->origin == NULL || strcmp (window->origin, "null") == 0)
    {
      keel__router_refuse (window->app->router, &caller, "forbidden",
                           "message refused: the page has no origin (such as about:blank), and "
                           "only pages on the app's origin, devUrl or a capability's "
                           "remote.urls may call the core");
      return TRUE;
    }
  g_autoptr (GBytes) bytes = jsc_value_to_string_as_bytes (value);
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  /* The relay ends each message with a space of its own (relay.js). */
  if (length > 0 && text[length - 1] == ' ')
    length--;
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelMessage) message = keel__message_parse (
    text, length, bytes, keel__router_get_max_message_size (window->app->router), &error);
  if (message == NULL)
    {
      keel__router_refuse_message (window->app->router, &caller, error);
      return TRUE;
    }
  if (message->has_id)
    g_snprintf (target->id, sizeof target->id, "%" G_GUINT64_FORMAT, message->id);

  /* The message names the document that sent it, checked by the relay
   * against its own (relay.js). The window's committed origin says who may
   * call; the URL says which origin sent it, so a message that was on its
   * way while the window moved to another origin is refused instead of
   * gaining the new page's rights (see docs/security.md). */
  const char *from = message->url != NULL ? sender_origin (window, message->url) : NULL;
  if (from == NULL || strcmp (from, origin) != 0)
    {
      g_autofree char *refusal = g_strdup_printf (
        "message refused: it comes from a document (%s) on another origin than the one window "
        "\"%s\" shows now (%s)",
        message->url != NULL ? message->url : "unknown", window->label, origin);
      keel__router_refuse (window->app->router, &caller, "forbidden", refusal);
      return TRUE;
    }
  caller.url = message->url;
  keel__router_dispatch_message (window->app->router, &caller, message);
  return TRUE;
}

/* In WebKitGTK 4.1 this signal carries a WebKitJavascriptResult, unlike the
 * with-reply signal, which carries a JSCValue. */
static void
on_console_message (WebKitUserContentManager *manager, WebKitJavascriptResult *result,
                    KeelWindow *window)
{
  JSCValue *value = webkit_javascript_result_get_js_value (result);
  if (!jsc_value_is_string (value))
    return;
  g_autofree char *text = jsc_value_to_string (value);
  const char *newline = strchr (text, '\n');
  if (newline == NULL)
    return;
  g_printerr ("[%s] %.*s: %s\n", window->label, (int) (newline - text), text, newline + 1);
}

void
keel__window_end_page (KeelWindow *window)
{
  if (window->page_id == 0)
    return;
  KeelApp *app = window->app;
  keel__router_page_closed (app->router, window->page_id);
  keel__event_bus_forget_page (app->bus, window->page_id);
  keel__ipc_forget_held_bytes (window);
  g_hash_table_remove (app->pages, GSIZE_TO_POINTER ((gsize) window->page_id));
  /* Its channels die with it: what they still had queued is dropped, and
   * their later sends fail. */
  keel__outbox_close (window->outbox);
  g_clear_pointer (&window->outbox, keel__outbox_unref);
  window->page_id = 0;
}

/* Hands a batch of the page's outbox to the bridge. As an argument, not
 * spliced into a script: the string reaches the page as it is, and the
 * page's JavaScript parser never sees the data (for a batch of many small
 * messages, parsing a script of calls cost more than the calls). */
static void
deliver_batch (gpointer data, char *batch, gsize length)
{
  KeelWindow *window = data;
  GVariantBuilder arguments;
  g_variant_builder_init (&arguments, G_VARIANT_TYPE_VARDICT);
  /* Trusted: the outbox makes batches of valid UTF-8 only (outbox.h), so
   * GLib need not check a payload of megabytes again. */
  g_variant_builder_add (&arguments, "{sv}", "batch",
                         g_variant_new_from_data (G_VARIANT_TYPE_STRING, batch, length + 1, TRUE,
                                                  g_free, batch));
  webkit_web_view_call_async_javascript_function (
    window->view, "window.__KEEL_INTERNALS__.deliver(batch)", -1,
    g_variant_builder_end (&arguments), NULL, NULL, NULL, NULL, NULL);
}

static void
on_load_changed (WebKitWebView *view, WebKitLoadEvent event, KeelWindow *window)
{
  if (event != WEBKIT_LOAD_COMMITTED)
    return;
  /* A new document: what the old one registered dies with it. */
  keel__window_end_page (window);
  KeelApp *app = window->app;
  window->page_id = keel__router_page_opened (app->router);
  window->outbox = keel__outbox_new (NULL, deliver_batch, window);
  g_hash_table_insert (app->pages, GSIZE_TO_POINTER ((gsize) window->page_id), window);
  g_free (window->origin);
  window->origin = keel__url_origin (webkit_web_view_get_uri (view));
  keel__lifecycle_page_committed (window, webkit_web_view_get_uri (view));
}

static gboolean
on_load_failed (WebKitWebView *view, WebKitLoadEvent event, const char *uri, GError *error,
                KeelWindow *window)
{
  /* A navigation the app cancelled on purpose is not a failure. */
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED)
      || g_error_matches (error, WEBKIT_POLICY_ERROR,
                          WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE))
    return FALSE;
  g_printerr ("keel: window \"%s\": cannot load %s: %s\n", window->label, uri, error->message);
  return FALSE;
}

static void
on_web_process_terminated (WebKitWebView *view, WebKitWebProcessTerminationReason reason,
                           KeelWindow *window)
{
  keel__lifecycle_process_terminated (window, reason);
}

/* window.close() in a page closes its window, as in a browser tab. */
static void
on_view_close (WebKitWebView *view, KeelWindow *window)
{
  keel_window_close (window);
}

static void
on_destroy (GtkWidget *widget, KeelWindow *window)
{
  KeelApp *app = window->app;
  window->destroyed = TRUE;
  g_cancellable_cancel (window->cancellable);
  keel__lifecycle_dispose (window);
  keel__window_end_page (window);
  g_signal_handlers_disconnect_by_data (window->content_manager, window);
  g_signal_handlers_disconnect_by_data (window->view, window);
  keel__app_window_destroyed (app, window);

  g_autoptr (json_t) payload = json_null ();
  keel__event_bus_emit (app->bus, &(KeelEventTarget){ KEEL_EVENT_TARGET_ANY_LABEL, window->label },
                        "tauri://destroyed", payload, window->label);

  g_object_unref (window->content_manager);
  g_object_unref (window->cancellable);
  keel__window_config_free (window->config);
  g_free (window->label);
  g_free (window->title);
  g_free (window->origin);
  g_free (window->sender_url);
  g_free (window->sender_origin);
  g_free (window->redirect_uri);
  g_free (window);
}

static WebKitSettings *
make_settings (const KeelConfig *config)
{
  /* Off what pages do not need; see docs/security.md. Developer tools only
   * when asked for (KEEL_DEVTOOLS=1), media capture only when keel.json
   * says so (keel.webview.mediaCapture). The back/forward cache only when
   * keel.json asks for it (keel.webview.backForwardCache): it keeps every
   * page left behind alive — its DOM, its JS heap, its decoded images — for
   * history.back(), which after leaving a heavy page held over 100 MiB here;
   * and the core ends a page's listeners and pending calls when it is left,
   * so a page restored from it must listen again (docs/configuration.md). */
  const char *devtools = g_getenv ("KEEL_DEVTOOLS");
  return webkit_settings_new_with_settings (
    "enable-developer-extras", devtools != NULL && strcmp (devtools, "1") == 0,
    "allow-file-access-from-file-urls", FALSE,
    "allow-universal-access-from-file-urls", FALSE,
    "javascript-can-access-clipboard", FALSE,
    "javascript-can-open-windows-automatically", FALSE,
    "enable-media-stream", config->media_capture,
    "enable-page-cache", config->back_forward_cache,
    NULL);
}

/* What a page asks of the user (camera, location, notifications...). Only
 * camera and microphone can be granted, to the app's own pages, when
 * keel.webview.mediaCapture is set; everything else is denied, and said. */
static gboolean
on_permission_request (WebKitWebView *view, WebKitPermissionRequest *request, KeelWindow *window)
{
  gboolean media = WEBKIT_IS_USER_MEDIA_PERMISSION_REQUEST (request)
                   || WEBKIT_IS_DEVICE_INFO_PERMISSION_REQUEST (request);
  const char *origin = window->origin != NULL ? window->origin : "null";
  if (media && window->app->config->media_capture && keel__app_is_own_origin (window->app, origin))
    {
      webkit_permission_request_allow (request);
      return TRUE;
    }
  g_message ("[%s] a page of %s asked for %s; denied%s", window->label, origin,
             G_OBJECT_TYPE_NAME (request),
             media && !window->app->config->media_capture
               ? " (set keel.webview.mediaCapture to true in keel.json to allow camera and "
                 "microphone)"
               : "");
  webkit_permission_request_deny (request);
  return TRUE;
}

static void
apply_geometry (KeelWindow *window)
{
  const KeelWindowConfig *config = window->config;
  GtkWindow *gtk_window = GTK_WINDOW (window->gtk_window);
  gtk_window_set_title (gtk_window, window->title);
  gtk_window_set_default_size (gtk_window, (int) config->width, (int) config->height);
  gtk_window_set_resizable (gtk_window, config->resizable);
  gtk_window_set_decorated (gtk_window, config->decorations);
  gtk_window_set_keep_above (gtk_window, config->always_on_top);
  gtk_window_set_accept_focus (gtk_window, TRUE);
  gtk_window_set_focus_on_map (gtk_window, config->focus);

  GdkGeometry hints = { 0 };
  GdkWindowHints mask = 0;
  if (config->min_width > 0 || config->min_height > 0)
    {
      hints.min_width = (int) config->min_width;
      hints.min_height = (int) config->min_height;
      mask |= GDK_HINT_MIN_SIZE;
    }
  if (config->max_width > 0 || config->max_height > 0)
    {
      hints.max_width = config->max_width > 0 ? (int) config->max_width : G_MAXINT16;
      hints.max_height = config->max_height > 0 ? (int) config->max_height : G_MAXINT16;
      mask |= GDK_HINT_MAX_SIZE;
    }
  if (mask != 0)
    gtk_window_set_geometry_hints (gtk_window, NULL, &hints, mask);

  if (config->center)
    gtk_window_set_position (gtk_window, GTK_WIN_POS_CENTER);
  else if (config->has_position)
    gtk_window_move (gtk_window, (int) config->x, (int) config->y);
  if (config->maximized)
    gtk_window_maximize (gtk_window);
  if (config->fullscreen)
    gtk_window_fullscreen (gtk_window);
}

KeelWindow *
keel__window_new (KeelApp *app, const KeelWindowConfig *config)
{
  KeelWindow *window = g_new0 (KeelWindow, 1);
  window->app = app;
  window->config = keel__window_config_copy (config);
  window->label = g_strdup (config->label);
  window->title = g_strdup (config->title);
  window->cancellable = g_cancellable_new ();

  WebKitUserContentManager *manager = webkit_user_content_manager_new ();
  window->content_manager = manager;
  webkit_user_content_manager_register_script_message_handler_with_reply (manager, "keel",
                                                                          KEEL_WORLD);
  g_signal_connect (manager, "script-message-with-reply-received::keel",
                    G_CALLBACK (on_script_message), window);
  if (app->forward_console)
    {
      webkit_user_content_manager_register_script_message_handler_in_world (
        manager, "keelConsole", KEEL_WORLD);
      g_signal_connect (manager, "script-message-received::keelConsole",
                        G_CALLBACK (on_console_message), window);
    }

  g_autofree char *relay_text = relay_script (window);
  g_autoptr (WebKitUserScript) relay = webkit_user_script_new_for_world (
    relay_text, WEBKIT_USER_CONTENT_INJECT_TOP_FRAME,
    WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, KEEL_WORLD, NULL, NULL);
  webkit_user_content_manager_add_script (manager, relay);
  g_autofree char *bridge_text = main_world_script (window);
  g_autoptr (WebKitUserScript) bridge
    = webkit_user_script_new (bridge_text, WEBKIT_USER_CONTENT_INJECT_TOP_FRAME,
                              WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, NULL, NULL);
  webkit_user_content_manager_add_script (manager, bridge);

  g_autoptr (WebKitSettings) settings = make_settings (app->config);
  window->view = g_object_new (WEBKIT_TYPE_WEB_VIEW, "web-context", app->web_context,
                               "user-content-manager", manager, "settings", settings, NULL);
  /* First: the navigation rules must be in place before any load, and their
   * load-failed handler must run before this file's. */
  keel__navigation_attach (window);
  g_signal_connect (window->view, "load-changed", G_CALLBACK (on_load_changed), window);
  g_signal_connect (window->view, "load-failed", G_CALLBACK (on_load_failed), window);
  g_signal_connect (window->view, "web-process-terminated",
                    G_CALLBACK (on_web_process_terminated), window);
  g_signal_connect (window->view, "close", G_CALLBACK (on_view_close), window);
  g_signal_connect (window->view, "permission-request", G_CALLBACK (on_permission_request), window);

  window->gtk_window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  g_signal_connect (window->gtk_window, "destroy", G_CALLBACK (on_destroy), window);
  g_signal_connect (window->gtk_window, "delete-event", G_CALLBACK (on_delete_event), window);
  apply_geometry (window);
  gtk_container_add (GTK_CONTAINER (window->gtk_window), GTK_WIDGET (window->view));
  gtk_widget_show (GTK_WIDGET (window->view));
  if (config->visible)
    gtk_widget_show (window->gtk_window);

  app->windows = g_list_append (app->windows, window);
  keel__lifecycle_init (window);

  g_autofree char *url = keel__app_resolve_url (app, config->url);
  /* Known before the first commit: a process that dies while the first page
   * loads is restarted on it too. */
  window->page_url = g_strdup (url);
  webkit_web_view_load_uri (window->view, url);
  return window;
}

char *
keel__app_resolve_url (KeelApp *app, const char *url)
{
  if (g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://")
      || g_str_has_prefix (url, KEEL_SCHEME "://"))
    return g_strdup (url);
  const char *base = app->config->dev_url != NULL ? app->config->dev_url : KEEL_APP_ORIGIN "/";
  g_autofree char *relative = g_strdup (url[0] == '/' ? url + 1 : url);
  char *resolved = g_uri_resolve_relative (base, relative, G_URI_FLAGS_NONE, NULL);
  return resolved != NULL ? resolved : g_strdup (base);
}

/* The public window API. */

const char *
keel_window_get_label (KeelWindow *window)
{
  return window->label;
}

const char *
keel_window_get_title (KeelWindow *window)
{
  return window->title;
}

void
keel_window_set_title (KeelWindow *window, const char *title)
{
  g_free (window->title);
  window->title = g_strdup (title);
  gtk_window_set_title (GTK_WINDOW (window->gtk_window), title);
}

const char *
keel_window_get_url (KeelWindow *window)
{
  return webkit_web_view_get_uri (window->view);
}

static gboolean
destroy_later (gpointer data)
{
  gtk_widget_destroy (data);
  return G_SOURCE_REMOVE;
}

void
keel_window_destroy (KeelWindow *window)
{
  if (window->closing)
    return;
  window->closing = TRUE;
  /* Later, not now: the request usually comes from this window's own page,
   * inside a WebKit signal of the view about to be destroyed. */
  g_idle_add_full (G_PRIORITY_HIGH, destroy_later, g_object_ref (window->gtk_window),
                   g_object_unref);
}

void
keel_window_close (KeelWindow *window)
{
  /* As in Tauri: a page that listens to tauri://close-requested decides
   * (its onCloseRequested handler destroys the window unless prevented);
   * otherwise the window goes. */
  if (window->page_id != 0
      && keel__event_bus_page_listens (window->app->bus, window->page_id,
                                       "tauri://close-requested"))
    {
      keel_app_emit_to (window->app, window->label, "tauri://close-requested", NULL);
      return;
    }
  keel_window_destroy (window);
}

static gboolean
on_delete_event (GtkWidget *widget, GdkEvent *event, KeelWindow *window)
{
  keel_window_close (window);
  return TRUE; /* keel_window_close() decides, later */
}

void
keel_window_show (KeelWindow *window)
{
  gtk_widget_show (window->gtk_window);
}

void
keel_window_hide (KeelWindow *window)
{
  gtk_widget_hide (window->gtk_window);
}

gboolean
keel_window_is_visible (KeelWindow *window)
{
  return gtk_widget_get_visible (window->gtk_window);
}

void
keel_window_focus (KeelWindow *window)
{
  gtk_window_present (GTK_WINDOW (window->gtk_window));
  gtk_widget_grab_focus (GTK_WIDGET (window->view));
}

gboolean
keel_window_is_focused (KeelWindow *window)
{
  return gtk_window_is_active (GTK_WINDOW (window->gtk_window));
}

int
keel_window_get_scale_factor (KeelWindow *window)
{
  return gtk_widget_get_scale_factor (window->gtk_window);
}

void
keel_window_get_inner_size (KeelWindow *window, int *width, int *height)
{
  int scale = keel_window_get_scale_factor (window);
  GtkWidget *view = GTK_WIDGET (window->view);
  if (gtk_widget_get_realized (view))
    {
      *width = gtk_widget_get_allocated_width (view) * scale;
      *height = gtk_widget_get_allocated_height (view) * scale;
    }
  else
    {
      gtk_window_get_size (GTK_WINDOW (window->gtk_window), width, height);
      *width *= scale;
      *height *= scale;
    }
}

void
keel_window_get_outer_size (KeelWindow *window, int *width, int *height)
{
  int scale = keel_window_get_scale_factor (window);
  GdkWindow *gdk_window = gtk_widget_get_window (window->gtk_window);
  if (gdk_window != NULL)
    {
      GdkRectangle frame;
      gdk_window_get_frame_extents (gdk_window, &frame);
      *width = frame.width * scale;
      *height = frame.height * scale;
      return;
    }
  keel_window_get_inner_size (window, width, height);
}

void
keel_window_set_size (KeelWindow *window, int width, int height)
{
  gtk_window_resize (GTK_WINDOW (window->gtk_window), MAX (width, 1), MAX (height, 1));
}

void
keel_window_set_resizable (KeelWindow *window, gboolean resizable)
{
  gtk_window_set_resizable (GTK_WINDOW (window->gtk_window), resizable);
}

gboolean
keel_window_is_resizable (KeelWindow *window)
{
  return gtk_window_get_resizable (GTK_WINDOW (window->gtk_window));
}

void
keel_window_center (KeelWindow *window)
{
  GtkWindow *gtk_window = GTK_WINDOW (window->gtk_window);
  GdkDisplay *display = gtk_widget_get_display (window->gtk_window);
  GdkWindow *gdk_window = gtk_widget_get_window (window->gtk_window);
  GdkMonitor *monitor = gdk_window != NULL ? gdk_display_get_monitor_at_window (display, gdk_window)
                                           : gdk_display_get_primary_monitor (display);
  if (monitor == NULL)
    monitor = gdk_display_get_monitor (display, 0);
  if (monitor == NULL)
    return;
  GdkRectangle area;
  gdk_monitor_get_workarea (monitor, &area);
  int width, height;
  gtk_window_get_size (gtk_window, &width, &height);
  gtk_window_move (gtk_window, area.x + (area.width - width) / 2,
                   area.y + (area.height - height) / 2);
}

static GdkWindowState
window_state (KeelWindow *window)
{
  GdkWindow *gdk_window = gtk_widget_get_window (window->gtk_window);
  return gdk_window != NULL ? gdk_window_get_state (gdk_window) : 0;
}

void
keel_window_maximize (KeelWindow *window)
{
  gtk_window_maximize (GTK_WINDOW (window->gtk_window));
}

void
keel_window_unmaximize (KeelWindow *window)
{
  gtk_window_unmaximize (GTK_WINDOW (window->gtk_window));
}

gboolean
keel_window_is_maximized (KeelWindow *window)
{
  return gtk_window_is_maximized (GTK_WINDOW (window->gtk_window));
}

void
keel_window_minimize (KeelWindow *window)
{
  gtk_window_iconify (GTK_WINDOW (window->gtk_window));
}

void
keel_window_unminimize (KeelWindow *window)
{
  gtk_window_deiconify (GTK_WINDOW (window->gtk_window));
}

gboolean
keel_window_is_minimized (KeelWindow *window)
{
  return (window_state (window) & GDK_WINDOW_STATE_ICONIFIED) != 0;
}

void
keel_window_set_fullscreen (KeelWindow *window, gboolean fullscreen)
{
  if (fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (window->gtk_window));
  else
    gtk_window_unfullscreen (GTK_WINDOW (window->gtk_window));
}

gboolean
keel_window_is_fullscreen (KeelWindow *window)
{
  return (window_state (window) & GDK_WINDOW_STATE_FULLSCREEN) != 0;
}

void
keel_window_emit (KeelWindow *window, const char *event, json_t *payload)
{
  keel_app_emit_to (window->app, window->label, event, payload);
}

void
keel_window_eval (KeelWindow *window, const char *script)
{
  /* After what the core queued for the page earlier, as the order of calls says. */
  if (window->outbox != NULL)
    keel__outbox_flush (window->outbox);
  webkit_web_view_evaluate_javascript (window->view, script, -1, NULL, NULL, NULL, NULL, NULL);
}

typedef struct
{
  KeelWindow *window;
  char *path;
  KeelSnapshotFunc done;
  gpointer user_data;
} Snapshot;

static void
on_snapshot (GObject *source, GAsyncResult *result, gpointer data)
{
  Snapshot *snapshot = data;
  g_autoptr (GError) error = NULL;
  cairo_surface_t *surface
    = webkit_web_view_get_snapshot_finish (WEBKIT_WEB_VIEW (source), result, &error);
  if (surface != NULL)
    {
      cairo_status_t status = cairo_surface_write_to_png (surface, snapshot->path);
      if (status != CAIRO_STATUS_SUCCESS)
        g_set_error (&error, KEEL_ERROR, KEEL_ERROR_FAILED, "cannot write %s: %s",
                     snapshot->path, cairo_status_to_string (status));
      cairo_surface_destroy (surface);
    }
  /* Cancelled: the window was destroyed meanwhile; say so without it. */
  gboolean gone = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  if (gone)
    {
      g_clear_error (&error);
      g_set_error (&error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND,
                   "the window was closed before its snapshot was taken");
    }
  if (snapshot->done != NULL)
    snapshot->done (gone ? NULL : snapshot->window, error, snapshot->user_data);
  g_free (snapshot->path);
  g_free (snapshot);
}

void
keel_window_save_snapshot (KeelWindow *window, const char *png_path, KeelSnapshotFunc done,
                           gpointer user_data)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);
  snapshot->window = window;
  snapshot->path = g_strdup (png_path);
  snapshot->done = done;
  snapshot->user_data = user_data;
  webkit_web_view_get_snapshot (window->view, WEBKIT_SNAPSHOT_REGION_VISIBLE,
                                WEBKIT_SNAPSHOT_OPTIONS_NONE, window->cancellable, on_snapshot,
                                snapshot);
}
