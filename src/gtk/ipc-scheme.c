/* ipc-scheme.c — binary calls over ipc://localhost/.
 *
 * Script messages cannot carry bytes (an ArrayBuffer arrives as {}), so an
 * invoke whose arguments are an ArrayBuffer or a typed array is a fetch()
 * POST to ipc://localhost/<command> with the bytes as its body, and the
 * response is the answer: JSON, or bytes from keel_invoke_resolve_bytes().
 * A JSON call whose handler answers bytes gets a ticket in its reply instead
 * of the bytes; the page collects them with a POST to
 * ipc://localhost/?bytes=<ticket>.
 *
 * Who asked: the request names its web view, and its Origin header (set by
 * WebKit; pages cannot forge it in CORS mode, and no-cors requests carry
 * none) must be the origin the view shows now. A cross-origin frame's fetch
 * is refused like its script messages would be; see docs/security.md. */
#include <string.h>
#include <sys/random.h>

#include "shell.h"

/* Bytes read from a request body per step. */
#define READ_CHUNK (1u << 20)

static KeelWindow *
window_of_request (KeelApp *app, WebKitURISchemeRequest *request)
{
  WebKitWebView *view = webkit_uri_scheme_request_get_web_view (request);
  for (GList *l = app->windows; l != NULL; l = l->next)
    {
      KeelWindow *window = l->data;
      if (window->view == view && !window->destroyed)
        return window;
    }
  return NULL;
}

/* Every response names the caller's origin: the page's fetch() is a
 * cross-origin request and WebKit checks CORS on the answer. */
static void
respond (WebKitURISchemeRequest *request, const char *origin, guint status,
         const char *content_type, GBytes *body)
{
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (body);
  const char *headers[] = { "Cache-Control", "no-store", "Access-Control-Allow-Origin", origin,
                            NULL };
  keel__scheme_respond (request, status, stream, (gint64) g_bytes_get_size (body), content_type,
                        headers);
}

static void
respond_json (WebKitURISchemeRequest *request, const char *origin, gboolean ok,
              GBytes *json_text)
{
  respond (request, origin, ok ? 200 : 400, "application/json", json_text);
}

/* A refusal before any command runs: {code, message} with an HTTP status
 * that says the same. */
static void
refuse (WebKitURISchemeRequest *request, const char *origin, guint status, const char *code,
        const char *message)
{
  g_autoptr (json_t) error = keel__error_value (code, message);
  g_autofree char *text = keel__json_to_text (error);
  g_autoptr (GBytes) body = g_bytes_new (text, strlen (text));
  respond (request, origin, status, "application/json", body);
}

/* ---- bytes answered to JSON calls ------------------------------------------ */

char *
keel__ipc_hold_bytes (KeelWindow *window, GBytes *bytes)
{
  guint8 random[16];
  if (getrandom (random, sizeof random, 0) != sizeof random)
    g_error ("keel: getrandom() failed"); /* cannot happen on Linux ≥ 3.17 after boot */
  GString *ticket = g_string_sized_new (2 * sizeof random);
  for (gsize i = 0; i < sizeof random; i++)
    g_string_append_printf (ticket, "%02x", random[i]);
  if (window->held_bytes == NULL)
    window->held_bytes
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  g_hash_table_insert (window->held_bytes, g_strdup (ticket->str), g_bytes_ref (bytes));
  return g_string_free (ticket, FALSE);
}

void
keel__ipc_forget_held_bytes (KeelWindow *window)
{
  g_clear_pointer (&window->held_bytes, g_hash_table_unref);
}

static void
hand_over_bytes (KeelWindow *window, WebKitURISchemeRequest *request, const char *origin,
                 const char *ticket)
{
  gpointer key = NULL, value = NULL;
  if (window->held_bytes == NULL
      || !g_hash_table_steal_extended (window->held_bytes, ticket, &key, &value))
    {
      refuse (request, origin, 400, "invalid_message",
              "no bytes are waiting under this ticket (each answer can be collected once, by "
              "the page that asked)");
      return;
    }
  g_free (key);
  g_autoptr (GBytes) bytes = value;
  respond (request, origin, 200, "application/octet-stream", bytes);
}

/* ---- binary calls ----------------------------------------------------------- */

typedef struct
{
  WebKitURISchemeRequest *request;
  char *origin;
  KeelOutbox *outbox;    /* the asking page's: flushed before the answer */
  gboolean answered;
} SchemeReply;

static void
scheme_reply_free (gpointer data)
{
  SchemeReply *target = data;
  /* The router drops answers to pages that have gone; the request must
   * still end. */
  if (!target->answered)
    {
      g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                      "the page that asked has gone");
      webkit_uri_scheme_request_finish_error (target->request, error);
    }
  g_object_unref (target->request);
  g_free (target->origin);
  g_clear_pointer (&target->outbox, keel__outbox_unref);
  g_free (target);
}

static void
scheme_reply (gpointer data, gboolean ok, GBytes *json_text, GBytes *bytes)
{
  SchemeReply *target = data;
  target->answered = TRUE;
  /* As for script messages (window.c): what the command sent the page
   * before answering arrives first. */
  if (target->outbox != NULL)
    keel__outbox_flush (target->outbox);
  if (bytes != NULL)
    respond (target->request, target->origin, 200, "application/octet-stream", bytes);
  else
    respond_json (target->request, target->origin, ok, json_text);
}

typedef struct
{
  KeelApp *app;
  WebKitURISchemeRequest *request;
  GInputStream *stream;
  GByteArray *body;
  gsize limit;
  guint64 page_id;
  char *window_label;
  char *origin;
  char *url;
  char *command;
  json_t *headers;
  KeelOutbox *outbox;        /* the asking page's, or NULL */
  GCancellable *cancellable; /* the window's */
} BodyRead;

static void
body_read_free (BodyRead *read)
{
  g_object_unref (read->request);
  g_clear_object (&read->stream);
  if (read->body != NULL)
    g_byte_array_unref (read->body);
  g_free (read->window_label);
  g_free (read->origin);
  g_free (read->url);
  g_free (read->command);
  json_decref (read->headers);
  g_clear_pointer (&read->outbox, keel__outbox_unref);
  g_object_unref (read->cancellable);
  g_free (read);
}

static void read_more (BodyRead *read);

static void
dispatch_read (BodyRead *read)
{
  KeelApp *app = read->app;
  SchemeReply *target = g_new0 (SchemeReply, 1);
  target->request = g_object_ref (read->request);
  target->origin = g_strdup (read->origin);
  target->outbox = read->outbox != NULL ? keel__outbox_ref (read->outbox) : NULL;
  KeelCaller caller = {
    .window_label = read->window_label,
    .webview_label = read->window_label,
    .origin = read->origin,
    .url = read->url,
    .local = keel__app_is_own_origin (app, read->origin),
    .page_id = read->page_id,
    .outbox = read->outbox,
    .reply = scheme_reply,
    .reply_target = target,
    .reply_target_free = scheme_reply_free,
  };
  g_autoptr (GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&read->body));
  keel__router_dispatch_body (app->router, &caller, read->command, body,
                              g_steal_pointer (&read->headers));
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer data)
{
  BodyRead *read = data;
  g_autoptr (GError) error = NULL;
  gssize count = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (count < 0)
    {
      /* The window went (cancelled), or WebKit could not hand the body over. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        refuse (read->request, read->origin, 400, "invalid_message", error->message);
      else
        webkit_uri_scheme_request_finish_error (read->request, error);
      body_read_free (read);
      return;
    }
  g_byte_array_set_size (read->body, read->body->len - (READ_CHUNK - (gsize) count));
  if (count == 0)
    {
      dispatch_read (read);
      body_read_free (read);
      return;
    }
  if (read->body->len > read->limit)
    {
      g_autofree char *message = g_strdup_printf (
        "the body of the call to \"%s\" exceeds the limit of %" G_GSIZE_FORMAT
        " bytes (keel.ipc.maxMessageSize), so it was refused; send large data in parts, or "
        "raise keel.ipc.maxMessageSize in keel.json",
        read->command, read->limit);
      refuse (read->request, read->origin, 413, "message_too_large", message);
      body_read_free (read);
      return;
    }
  read_more (read);
}

static void
read_more (BodyRead *read)
{
  guint offset = read->body->len;
  g_byte_array_set_size (read->body, offset + READ_CHUNK);
  g_input_stream_read_async (read->stream, read->body->data + offset, READ_CHUNK,
                             G_PRIORITY_DEFAULT, read->cancellable, on_read, read);
}

/* The request's headers as the core keeps them (lower-case names), without
 * those WebKit adds to every fetch. */
static json_t *
call_headers (WebKitURISchemeRequest *request)
{
  SoupMessageHeaders *headers = webkit_uri_scheme_request_get_http_headers (request);
  if (headers == NULL)
    return NULL;
  json_t *object = json_object ();
  SoupMessageHeadersIter iter;
  const char *name, *value;
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);
      if (strcmp (lower, "origin") == 0 || strcmp (lower, "referer") == 0
          || strcmp (lower, "user-agent") == 0 || strcmp (lower, "accept") == 0
          || strcmp (lower, "content-length") == 0 || g_str_has_prefix (lower, "sec-"))
        continue;
      json_object_set_new (object, lower, json_string (value));
    }
  return object;
}

void
keel__ipc_scheme_handle (WebKitURISchemeRequest *request, gpointer data)
{
  KeelApp *app = data;
  KeelWindow *window = window_of_request (app, request);
  SoupMessageHeaders *headers = webkit_uri_scheme_request_get_http_headers (request);
  const char *origin = headers != NULL ? soup_message_headers_get_one (headers, "Origin") : NULL;

  if (window == NULL || window->page_id == 0)
    {
      refuse (request, origin, 403, "forbidden", "IPC request refused: no Keel window asked it");
      return;
    }
  if (origin == NULL)
    {
      refuse (request, NULL, 403, "forbidden",
              "IPC request refused: it has no Origin header (a no-cors request, or not from "
              "fetch()); Keel's bridge sends binary calls with fetch() in CORS mode");
      return;
    }
  if (window->origin == NULL || strcmp (window->origin, "null") == 0
      || strcmp (origin, window->origin) != 0)
    {
      g_autofree char *message = g_strdup_printf (
        "IPC request refused: it comes from %s, not from the origin window \"%s\" shows now "
        "(%s)",
        origin, window->label, window->origin != NULL ? window->origin : "none");
      refuse (request, origin, 403, "forbidden", message);
      return;
    }
  const char *method = webkit_uri_scheme_request_get_http_method (request);
  if (g_strcmp0 (method, "POST") != 0)
    {
      refuse (request, origin, 405, "invalid_message",
              "IPC requests are POST requests; Keel's bridge makes them for you");
      return;
    }

  g_autoptr (GUri) uri
    = g_uri_parse (webkit_uri_scheme_request_get_uri (request), G_URI_FLAGS_ENCODED, NULL);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;
  if (uri == NULL || g_strcmp0 (g_uri_get_host (uri), "localhost") != 0 || path == NULL
      || path[0] != '/')
    {
      refuse (request, origin, 400, "invalid_message",
              "IPC requests go to ipc://localhost/<command>");
      return;
    }
  if (strcmp (path, "/") == 0 && query != NULL && g_str_has_prefix (query, "bytes="))
    {
      hand_over_bytes (window, request, origin, query + strlen ("bytes="));
      return;
    }

  g_autofree char *command = g_uri_unescape_string (path + 1, NULL);
  if (command == NULL || command[0] == '\0')
    {
      refuse (request, origin, 400, "invalid_message",
              "IPC request names no command: the path must be the command name, "
              "percent-encoded (ipc://localhost/plugin%3Afs%7Cread_file)");
      return;
    }

  BodyRead *read = g_new0 (BodyRead, 1);
  read->app = app;
  read->request = g_object_ref (request);
  read->body = g_byte_array_new ();
  read->limit = (gsize) app->config->max_message_size;
  read->page_id = window->page_id;
  read->window_label = g_strdup (window->label);
  read->origin = g_strdup (origin);
  read->url = g_strdup (webkit_web_view_get_uri (window->view));
  read->command = g_steal_pointer (&command);
  read->headers = call_headers (request);
  read->cancellable = g_object_ref (window->cancellable);
  read->outbox = window->outbox != NULL ? keel__outbox_ref (window->outbox) : NULL;
  read->stream = webkit_uri_scheme_request_get_http_body (request);
  if (read->stream == NULL)
    {
      /* fetch() with an empty body sends none. */
      dispatch_read (read);
      body_read_free (read);
      return;
    }
  read_more (read);
}
