/* floor.c — the floor Keel is measured against: raw WebKitGTK 4.1 doing the
 * work a Keel app does, and no more. Sandbox on, the page of bench/page/
 * served from a custom scheme, and in each window's content manager a script
 * message handler with reply that answers every message with the value it
 * received ("floor"), and one that plays the event bus ("floorEmit"): an
 * event is delivered by evaluating a script that calls the page's
 * floorEvent(name, payload).
 *
 * Binary calls take the floor's own path: the page fetch()es a POST of the
 * bytes to a second custom scheme ("floorbin"), whose handler reads the body
 * to its end and answers the same bytes.
 *
 * Channels: small messages are one script each ("floorStream" starts them);
 * bytes stream as the body of a fetch() from floorbin://localhost/stream,
 * which the page reads chunk by chunk.
 *
 * Usage: floor WORKLOAD [copy] (WORKLOAD: small, json1m, json16m, event1m,
 * event16m, bin1m, bin64m, chan100k, chan64m, fanout, start or idle). With "copy", the echo
 * handler does what a real app must: it reads the message into C
 * (jsc_value_to_string) and answers a new value made from that text
 * (jsc_value_new_string) — the copying floor. Each page prints its result as
 * one JSON line on stdout
 * (handler "floorReport"). A single page then asks to exit (handler
 * "floorExit"); the fan-out's four pages cannot know when the others are
 * done, so the program exits after the last one has reported. The idle
 * workload stays until SIGTERM. Like Keel, it leaves no WebKit process
 * behind when it exits. */
#include <gio/gio.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <webkit2/webkit2.h>

#include "fanout.h"
#include "stream.h"

#define SCHEME "floor"
#define BIN_SCHEME "floorbin"
#define ORIGIN SCHEME "://localhost"
/* Bytes read from a request body per step. */
#define BIN_STEP (1u << 20)
#define PAGE_RESOURCE "/dev/keel/bench/page"

typedef struct _Floor Floor;

/* One window, with its own content manager (and so its own handlers), as
 * Keel gives each window: a handler knows which view sent a message. */
typedef struct
{
  Floor *floor;
  GtkWidget *window;
  WebKitWebView *view;
} View;

struct _Floor
{
  GMainLoop *loop;
  View views[FANOUT_WINDOWS];
  guint windows;  /* views running the workload */
  guint ready;    /* fan-out pages listening */
  guint reported; /* fan-out pages that reported */
};

static void
serve (WebKitURISchemeRequest *request, gpointer data)
{
  const char *path = webkit_uri_scheme_request_get_path (request);
  if (path == NULL || path[0] == '\0' || strcmp (path, "/") == 0)
    path = "/index.html";
  g_autofree char *name = g_strconcat (PAGE_RESOURCE, path, NULL);
  GError *error = NULL;
  g_autoptr (GBytes) bytes = g_resources_lookup_data (name, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    {
      webkit_uri_scheme_request_finish_error (request, error);
      g_error_free (error);
      return;
    }
  const char *mime = g_str_has_suffix (path, ".js") ? "text/javascript" : "text/html";
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  webkit_uri_scheme_request_finish (request, stream, (gint64) g_bytes_get_size (bytes), mime);
}

/* The echo: the reply is the very value the page sent. */
static gboolean
on_echo (WebKitUserContentManager *manager, JSCValue *value, WebKitScriptMessageReply *reply,
         gpointer data)
{
  webkit_script_message_reply_return_value (reply, value);
  return TRUE;
}

/* The copying echo: the message into C, the reply a new value made from the
 * text, as any handler that looks at what it is sent must do. */
static gboolean
on_echo_copy (WebKitUserContentManager *manager, JSCValue *value,
              WebKitScriptMessageReply *reply, gpointer data)
{
  g_autofree char *text = jsc_value_to_string (value);
  g_autoptr (JSCValue) copy = jsc_value_new_string (jsc_value_get_context (value), text);
  webkit_script_message_reply_return_value (reply, copy);
  return TRUE;
}

/* The binary echo over floorbin://: the body read to its end, in steps, then
 * answered as it came. The page's fetch() is cross-origin, so the answer
 * names the page's origin; requests from anywhere else are refused. */
typedef struct
{
  WebKitURISchemeRequest *request;
  GInputStream *stream;
  GByteArray *body;
} BinEcho;

static void
bin_echo_free (BinEcho *echo)
{
  g_object_unref (echo->request);
  g_clear_object (&echo->stream);
  if (echo->body != NULL)
    g_byte_array_unref (echo->body);
  g_free (echo);
}

static void
bin_respond (WebKitURISchemeRequest *request, guint status, GBytes *body)
{
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_bytes (body);
  g_autoptr (WebKitURISchemeResponse) response
    = webkit_uri_scheme_response_new (stream, (gint64) g_bytes_get_size (body));
  webkit_uri_scheme_response_set_status (response, status, NULL);
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_append (headers, "Content-Type", "application/octet-stream");
  soup_message_headers_append (headers, "Access-Control-Allow-Origin", ORIGIN);
  webkit_uri_scheme_response_set_http_headers (response, headers);
  webkit_uri_scheme_request_finish_with_response (request, response);
}

static void bin_read_more (BinEcho *echo);

static void
on_bin_read (GObject *source, GAsyncResult *result, gpointer data)
{
  BinEcho *echo = data;
  GError *error = NULL;
  gssize count = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (count < 0)
    {
      webkit_uri_scheme_request_finish_error (echo->request, error);
      g_error_free (error);
      bin_echo_free (echo);
      return;
    }
  g_byte_array_set_size (echo->body, echo->body->len - (BIN_STEP - (guint) count));
  if (count > 0)
    {
      bin_read_more (echo);
      return;
    }
  g_autoptr (GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&echo->body));
  bin_respond (echo->request, 200, bytes);
  bin_echo_free (echo);
}

static void
bin_read_more (BinEcho *echo)
{
  guint offset = echo->body->len;
  g_byte_array_set_size (echo->body, offset + BIN_STEP);
  g_input_stream_read_async (echo->stream, echo->body->data + offset, BIN_STEP,
                             G_PRIORITY_DEFAULT, NULL, on_bin_read, echo);
}

static void
serve_bin (WebKitURISchemeRequest *request, gpointer data)
{
  SoupMessageHeaders *headers = webkit_uri_scheme_request_get_http_headers (request);
  const char *origin = headers != NULL ? soup_message_headers_get_one (headers, "Origin") : NULL;
  if (g_strcmp0 (origin, ORIGIN) != 0)
    {
      g_autoptr (GBytes) nothing = g_bytes_new (NULL, 0);
      bin_respond (request, 403, nothing);
      return;
    }
  if (g_strcmp0 (webkit_uri_scheme_request_get_path (request), "/stream") == 0)
    {
      g_autoptr (GBytes) bytes = stream_bytes ();
      bin_respond (request, 200, bytes);
      return;
    }
  BinEcho *echo = g_new0 (BinEcho, 1);
  echo->request = g_object_ref (request);
  echo->body = g_byte_array_new ();
  echo->stream = webkit_uri_scheme_request_get_http_body (request);
  if (echo->stream == NULL)
    {
      /* fetch() with an empty body sends none. */
      g_autoptr (GBytes) nothing = g_bytes_new (NULL, 0);
      bin_respond (request, 200, nothing);
      bin_echo_free (echo);
      return;
    }
  bin_read_more (echo);
}

static void
reply_null (WebKitScriptMessageReply *reply, JSCValue *value)
{
  g_autoptr (JSCValue) nothing = jsc_value_new_null (jsc_value_get_context (value));
  webkit_script_message_reply_return_value (reply, nothing);
}

/* How raw WebKitGTK delivers an event: a script calling a page function.
 * A view whose window is gone (the program is exiting) gets nothing. */
static void
deliver (View *view, const char *script)
{
  if (view->window != NULL)
    webkit_web_view_evaluate_javascript (view->view, script, -1, NULL, NULL, NULL, NULL, NULL);
}

static void
fanout_emit (guint64 seq, gpointer data)
{
  Floor *floor = data;
  g_autofree char *script
    = g_strdup_printf ("floorEvent(\"fanout\",{\"seq\":%" G_GUINT64_FORMAT "});", seq);
  for (guint i = 0; i < floor->windows; i++)
    deliver (&floor->views[i], script);
}

static void
fanout_done (guint64 total, double seconds, gpointer data)
{
  Floor *floor = data;
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *script
    = g_strdup_printf ("floorEvent(\"fanout-done\",{\"total\":%" G_GUINT64_FORMAT
                       ",\"seconds\":%s});",
                       total, g_ascii_dtostr (number, sizeof number, seconds));
  for (guint i = 0; i < floor->windows; i++)
    deliver (&floor->views[i], script);
}

/* The page's emit({event, payload}): the floor's whole event bus. "echo"
 * goes back, as "echoed", to the view that sent it; "fanout-ready" starts
 * the fan-out once every page listens. */
static gboolean
on_emit (WebKitUserContentManager *manager, JSCValue *value, WebKitScriptMessageReply *reply,
         gpointer data)
{
  View *view = data;
  Floor *floor = view->floor;
  g_autoptr (JSCValue) name = jsc_value_object_get_property (value, "event");
  g_autofree char *event = jsc_value_to_string (name);
  if (strcmp (event, "echo") == 0)
    {
      g_autoptr (JSCValue) payload = jsc_value_object_get_property (value, "payload");
      g_autofree char *json = jsc_value_to_json (payload, 0);
      g_autofree char *script
        = g_strconcat ("floorEvent(\"echoed\",", json != NULL ? json : "null", ");", NULL);
      deliver (view, script);
    }
  else if (strcmp (event, "fanout-ready") == 0 && ++floor->ready == floor->windows)
    fanout_start (fanout_emit, fanout_done, floor);
  reply_null (reply, value);
  return TRUE;
}

/* The channel of small messages: one script per message, as raw WebKitGTK
 * sends a page anything, then the end. */
static gboolean
on_stream (WebKitUserContentManager *manager, JSCValue *value, WebKitScriptMessageReply *reply,
           gpointer data)
{
  View *view = data;
  for (guint seq = 1; seq <= STREAM_MESSAGES; seq++)
    {
      char script[64];
      g_snprintf (script, sizeof script, "floorEvent(\"chan\",{\"seq\":%u});", seq);
      deliver (view, script);
    }
  deliver (view, "floorEvent(\"chan-end\",null);");
  reply_null (reply, value);
  return TRUE;
}

static void
quit (Floor *floor)
{
  for (guint i = 0; i < floor->windows; i++)
    if (floor->views[i].window != NULL)
      gtk_widget_destroy (floor->views[i].window);
  g_main_loop_quit (floor->loop);
}

static gboolean
on_report (WebKitUserContentManager *manager, JSCValue *value, WebKitScriptMessageReply *reply,
           gpointer data)
{
  View *view = data;
  g_autofree char *line = jsc_value_to_string (value);
  printf ("%s\n", line);
  fflush (stdout);
  reply_null (reply, value);
  if (view->floor->windows > 1 && ++view->floor->reported == view->floor->windows)
    quit (view->floor);
  return TRUE;
}

static gboolean
on_exit_request (WebKitUserContentManager *manager, JSCValue *value,
                 WebKitScriptMessageReply *reply, gpointer data)
{
  View *view = data;
  reply_null (reply, value);
  quit (view->floor);
  return TRUE;
}

static gboolean
on_sigterm (gpointer floor)
{
  quit (floor);
  return G_SOURCE_REMOVE;
}

/* One window gone (closed by hand, or by quit()) ends the program. */
static void
on_destroy (GtkWidget *widget, View *view)
{
  view->window = NULL;
  quit (view->floor);
}

static void
add_handler (WebKitUserContentManager *manager, const char *name, GCallback callback,
             View *view)
{
  webkit_user_content_manager_register_script_message_handler_with_reply (manager, name, NULL);
  g_autofree char *signal = g_strconcat ("script-message-with-reply-received::", name, NULL);
  g_signal_connect (manager, signal, callback, view);
}

static void
open_view (View *view, WebKitWebContext *context, const char *url, gboolean copy)
{
  WebKitUserContentManager *manager = webkit_user_content_manager_new ();
  add_handler (manager, "floor", copy ? G_CALLBACK (on_echo_copy) : G_CALLBACK (on_echo), view);
  add_handler (manager, "floorEmit", G_CALLBACK (on_emit), view);
  add_handler (manager, "floorStream", G_CALLBACK (on_stream), view);
  add_handler (manager, "floorReport", G_CALLBACK (on_report), view);
  add_handler (manager, "floorExit", G_CALLBACK (on_exit_request), view);
  view->view = g_object_new (WEBKIT_TYPE_WEB_VIEW, "web-context", context,
                             "user-content-manager", manager, NULL);
  g_object_unref (manager);
  view->window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  gtk_window_set_title (GTK_WINDOW (view->window), "Floor bench");
  gtk_window_set_default_size (GTK_WINDOW (view->window), 800, 600);
  g_signal_connect (view->window, "destroy", G_CALLBACK (on_destroy), view);
  gtk_container_add (GTK_CONTAINER (view->window), GTK_WIDGET (view->view));
  gtk_widget_show_all (view->window);
  webkit_web_view_load_uri (view->view, url);
}

/* Whether @pid has @ancestor among its parents, from /proc/<pid>/stat. */
static gboolean
descends_from (int pid, int ancestor)
{
  for (int depth = 0; pid > 1 && depth < 16; depth++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
      g_autofree char *stat = NULL;
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        return FALSE;
      const char *end = strrchr (stat, ')');
      if (end == NULL || sscanf (end, ") %*c %d", &pid) != 1)
        return FALSE;
      if (pid == ancestor)
        return TRUE;
    }
  return FALSE;
}

/* Live (not zombie) WebKit processes below this one. */
static guint
count_web_processes (void)
{
  guint count = 0;
  GDir *proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      int pid = atoi (name);
      g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
      g_autofree char *stat = NULL;
      if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      const char *end = strrchr (stat, ')');
      if (strstr (stat, " (WebKit") != NULL && end != NULL && end[2] != 'Z'
          && descends_from (pid, getpid ()))
        count++;
    }
  if (proc != NULL)
    g_dir_close (proc);
  return count;
}

int
main (int argc, char **argv)
{
  gboolean copy = argc == 3 && strcmp (argv[2], "copy") == 0;
  if (argc != 2 && !copy)
    return fprintf (stderr,
                    "usage: %s small|json1m|json16m|event1m|event16m|bin1m|bin64m|chan100k|chan64m|"
                    "fanout|start|"
                    "idle [copy]\n",
                    argv[0]),
           2;
  if (!gtk_init_check (NULL, NULL))
    return fprintf (stderr, "floor: cannot open the display\n"), 1;

  Floor floor = { .loop = g_main_loop_new (NULL, FALSE),
                  .windows = strcmp (argv[1], "fanout") == 0 ? FANOUT_WINDOWS : 1 };

  /* Website data under its own name, as Keel keeps it under the app's. */
  g_autofree char *data_dir
    = g_build_filename (g_get_user_data_dir (), "dev.keel.bench-floor", "webkit", NULL);
  g_autofree char *cache_dir
    = g_build_filename (g_get_user_cache_dir (), "dev.keel.bench-floor", "webkit", NULL);
  WebKitWebsiteDataManager *data_manager = webkit_website_data_manager_new (
    "base-data-directory", data_dir, "base-cache-directory", cache_dir, NULL);
  WebKitWebContext *context
    = webkit_web_context_new_with_website_data_manager (data_manager);
  /* The context holds it; its network process must end with the context. */
  g_object_unref (data_manager);
  /* Before the first web process starts. */
  webkit_web_context_set_sandbox_enabled (context, TRUE);
  webkit_web_context_register_uri_scheme (context, SCHEME, serve, NULL, NULL);
  WebKitSecurityManager *security = webkit_web_context_get_security_manager (context);
  webkit_security_manager_register_uri_scheme_as_secure (security, SCHEME);
  webkit_security_manager_register_uri_scheme_as_cors_enabled (security, SCHEME);
  webkit_web_context_register_uri_scheme (context, BIN_SCHEME, serve_bin, NULL, NULL);
  webkit_security_manager_register_uri_scheme_as_secure (security, BIN_SCHEME);
  webkit_security_manager_register_uri_scheme_as_cors_enabled (security, BIN_SCHEME);

  for (guint i = 0; i < floor.windows; i++)
    {
      g_autofree char *url
        = floor.windows == 1
            ? g_strdup_printf (SCHEME "://localhost/index.html?w=%s", argv[1])
            : g_strdup_printf (SCHEME "://localhost/index.html?w=fanout&window=%u", i + 1);
      floor.views[i].floor = &floor;
      open_view (&floor.views[i], context, url, copy);
    }

  guint sigterm = g_unix_signal_add (SIGTERM, on_sigterm, &floor);
  g_main_loop_run (floor.loop);
  g_source_remove (sigterm);

  /* Without views and context WebKit ends its processes; the main context
   * must run for that. Wait (at most 5 s) as Keel does — polling /proc,
   * where Keel waits on pidfds. */
  g_object_unref (context);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (count_web_processes () > 0 && g_get_monotonic_time () < deadline)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
  g_main_loop_unref (floor.loop);
  return 0;
}
