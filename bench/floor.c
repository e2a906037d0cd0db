/* floor.c — the floor Keel is measured against: raw WebKitGTK 4.1 doing the
 * work a Keel app does, and no more. One window, sandbox on, the page of
 * bench/page/ served from a custom scheme, and a script message handler with
 * reply that answers every message with the value it received.
 *
 * Usage: floor WORKLOAD (small, json1m, start or idle). The page prints its
 * result as one JSON line on stdout (handler "floorReport") and asks to exit
 * (handler "floorExit"); the idle workload stays until SIGTERM. Like Keel, it
 * leaves no WebKit process behind when it exits. */
#include <gio/gio.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <webkit2/webkit2.h>

#define SCHEME "floor"
#define PAGE_RESOURCE "/dev/keel/bench/page"

typedef struct
{
  GMainLoop *loop;
  GtkWidget *window;
} Floor;

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

static gboolean
on_report (WebKitUserContentManager *manager, JSCValue *value, WebKitScriptMessageReply *reply,
           gpointer data)
{
  g_autofree char *line = jsc_value_to_string (value);
  printf ("%s\n", line);
  fflush (stdout);
  g_autoptr (JSCValue) nothing = jsc_value_new_null (jsc_value_get_context (value));
  webkit_script_message_reply_return_value (reply, nothing);
  return TRUE;
}

static void
quit (Floor *floor)
{
  if (floor->window != NULL)
    gtk_widget_destroy (floor->window);
  floor->window = NULL;
  g_main_loop_quit (floor->loop);
}

static gboolean
on_exit_request (WebKitUserContentManager *manager, JSCValue *value,
                 WebKitScriptMessageReply *reply,
                 gpointer floor)
{
  g_autoptr (JSCValue) nothing = jsc_value_new_null (jsc_value_get_context (value));
  webkit_script_message_reply_return_value (reply, nothing);
  quit (floor);
  return TRUE;
}

static gboolean
on_sigterm (gpointer floor)
{
  quit (floor);
  return G_SOURCE_REMOVE;
}

static void
on_destroy (GtkWidget *widget, Floor *floor)
{
  floor->window = NULL;
  g_main_loop_quit (floor->loop);
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
  if (argc != 2)
    return fprintf (stderr, "usage: %s small|json1m|start|idle\n", argv[0]), 2;
  if (!gtk_init_check (NULL, NULL))
    return fprintf (stderr, "floor: cannot open the display\n"), 1;

  Floor floor = { g_main_loop_new (NULL, FALSE), NULL };

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

  WebKitUserContentManager *manager = webkit_user_content_manager_new ();
  webkit_user_content_manager_register_script_message_handler_with_reply (manager, "floor", NULL);
  webkit_user_content_manager_register_script_message_handler_with_reply (manager, "floorReport",
                                                                          NULL);
  webkit_user_content_manager_register_script_message_handler_with_reply (manager, "floorExit",
                                                                          NULL);
  g_signal_connect (manager, "script-message-with-reply-received::floor", G_CALLBACK (on_echo),
                    NULL);
  g_signal_connect (manager, "script-message-with-reply-received::floorReport",
                    G_CALLBACK (on_report), NULL);
  g_signal_connect (manager, "script-message-with-reply-received::floorExit",
                    G_CALLBACK (on_exit_request), &floor);

  GtkWidget *view = g_object_new (WEBKIT_TYPE_WEB_VIEW, "web-context", context,
                                  "user-content-manager", manager, NULL);
  g_object_unref (manager);
  floor.window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  gtk_window_set_title (GTK_WINDOW (floor.window), "Floor bench");
  gtk_window_set_default_size (GTK_WINDOW (floor.window), 800, 600);
  g_signal_connect (floor.window, "destroy", G_CALLBACK (on_destroy), &floor);
  gtk_container_add (GTK_CONTAINER (floor.window), view);
  gtk_widget_show_all (floor.window);

  g_autofree char *url = g_strdup_printf (SCHEME "://localhost/index.html?w=%s", argv[1]);
  webkit_web_view_load_uri (WEBKIT_WEB_VIEW (view), url);

  guint sigterm = g_unix_signal_add (SIGTERM, on_sigterm, &floor);
  g_main_loop_run (floor.loop);
  g_source_remove (sigterm);

  /* Without views and context WebKit ends its processes; the main context
   * must run for that. Wait (at most 5 s) as Keel does. */
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
