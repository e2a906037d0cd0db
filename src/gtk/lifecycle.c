/* lifecycle.c — a window's web process: crash, hang, memory limit, restart.
 *
 * WebKit reports a dead web process with web-process-terminated. The window
 * forgets its page (listeners, pending replies), tells the app and the other
 * pages, and reloads the page in a fresh process — unless it has restarted
 * too often lately (keel.webProcess.crashLoop), in which case it shows a
 * built-in error page with a retry button. WebKit only notices a hung page
 * while it waits on it, so the core asks: a liveness ping every half
 * hangTimeoutMs, and a page that leaves one unanswered for hangTimeoutMs is
 * killed and restarted like a crash. */
#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "shell.h"

const char *
keel_web_process_reason_to_string (KeelWebProcessReason reason)
{
  switch (reason)
    {
    case KEEL_WEB_PROCESS_CRASHED: return "crashed";
    case KEEL_WEB_PROCESS_MEMORY_LIMIT: return "memory-limit";
    case KEEL_WEB_PROCESS_UNRESPONSIVE: return "unresponsive";
    case KEEL_WEB_PROCESS_TERMINATED: return "terminated";
    default: return "unknown";
    }
}

WebKitMemoryPressureSettings *
keel__lifecycle_memory_settings (const KeelConfig *config)
{
  if (config->memory_limit_mb <= 0)
    return NULL;
  WebKitMemoryPressureSettings *settings = webkit_memory_pressure_settings_new ();
  webkit_memory_pressure_settings_set_memory_limit (settings, config->memory_limit_mb);
  /* WebKit never kills by default (threshold 0): kill at the limit itself,
   * after trying to free memory at half of it, and look every second
   * rather than every 30. */
  webkit_memory_pressure_settings_set_conservative_threshold (settings, 0.33);
  webkit_memory_pressure_settings_set_strict_threshold (settings, 0.5);
  webkit_memory_pressure_settings_set_kill_threshold (settings, 1.0);
  webkit_memory_pressure_settings_set_poll_interval (settings, 1.0);
  return settings;
}

/* Ends the web process and records why. WebKit emits web-process-terminated
 * from within the call, so the reason is set only for its duration: when no
 * process runs (still launching, already gone), nothing is emitted and no
 * stale flag is left to mislabel the next crash or pause hang detection. */
static void
terminate (KeelWindow *window, KeelWebProcessReason reason)
{
  if (window->terminating)
    return;
  window->terminating = TRUE;
  window->terminate_reason = reason;
  webkit_web_view_terminate_web_process (window->view);
  window->terminating = FALSE;
}

/* ---- Liveness ---- */

static void
on_pong (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  /* Only that an answer came matters, not its value. */
  JSCValue *value
    = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &error);
  g_clear_object (&value);
  /* Cancelled: the window may be gone; touch nothing. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  KeelWindow *window = data;
  /* Any answer, even an error (the page navigated), proves the process
   * runs its event loop; and that no script dialog blocks it any more. */
  window->ping_sent_at = 0;
  window->dialog_open = FALSE;
  g_clear_object (&window->ping_cancellable);
}

static void
cancel_ping (KeelWindow *window)
{
  if (window->ping_cancellable != NULL)
    {
      g_cancellable_cancel (window->ping_cancellable);
      g_clear_object (&window->ping_cancellable);
    }
  window->ping_sent_at = 0;
}

static gboolean
on_liveness_tick (gpointer data)
{
  KeelWindow *window = data;
  int timeout_ms = window->app->config->hang_timeout_ms;
  if (window->page_id == 0 || window->showing_error_page || window->terminating)
    return G_SOURCE_CONTINUE;

  gint64 now = g_get_monotonic_time ();
  if (window->ping_sent_at != 0)
    {
      if (now - window->ping_sent_at >= (gint64) timeout_ms * 1000 && !window->dialog_open)
        {
          g_printerr ("keel: window \"%s\": its page has not answered for %d ms; restarting "
                      "its web process\n",
                      window->label, timeout_ms);
          cancel_ping (window);
          terminate (window, KEEL_WEB_PROCESS_UNRESPONSIVE);
        }
      return G_SOURCE_CONTINUE;
    }

  window->ping_sent_at = now;
  window->ping_cancellable = g_cancellable_new ();
  /* The smallest script: it runs only when the page's main thread is free. */
  webkit_web_view_evaluate_javascript (window->view, "0", 1, NULL, NULL,
                                       window->ping_cancellable, on_pong, window);
  return G_SOURCE_CONTINUE;
}

/* A script dialog blocks the page's main thread until the user answers: the
 * page waits, it is not hung. WebKit says when a dialog opens but not when it
 * closes, so the verdict waits until the page answers a ping again. */
static gboolean
on_script_dialog (WebKitWebView *view, WebKitScriptDialog *dialog, KeelWindow *window)
{
  window->dialog_open = TRUE;
  return FALSE; /* WebKit shows it */
}

void
keel__lifecycle_init (KeelWindow *window)
{
  g_signal_connect (window->view, "script-dialog", G_CALLBACK (on_script_dialog), window);
  window->terminations = g_array_new (FALSE, FALSE, sizeof (gint64));
  int timeout_ms = window->app->config->hang_timeout_ms;
  /* Low priority: WebKit hands the core what web processes send (the
   * ping's answer too) at G_PRIORITY_HIGH_IDLE, below the app's own
   * default-priority work. A core busy with that work would otherwise judge
   * pages by answers still waiting in its own queue, and kill live pages
   * (the fan-out bench did: 10,000 emits a second to 4 windows). At
   * G_PRIORITY_LOW the verdict comes after the queued answers are read. */
  if (timeout_ms > 0)
    window->liveness_source = g_timeout_add_full (G_PRIORITY_LOW, MAX (timeout_ms / 2, 100),
                                                  on_liveness_tick, window, NULL);
}

void
keel__lifecycle_dispose (KeelWindow *window)
{
  g_clear_handle_id (&window->liveness_source, g_source_remove);
  cancel_ping (window);
  g_clear_pointer (&window->terminations, g_array_unref);
  g_clear_pointer (&window->page_url, g_free);
}

/* ---- Pages ---- */

void
keel__lifecycle_page_committed (KeelWindow *window, const char *uri)
{
  cancel_ping (window);
  window->dialog_open = FALSE;
  if (window->loading_error_page)
    {
      window->loading_error_page = FALSE;
      window->showing_error_page = TRUE;
      return;
    }
  if (window->showing_error_page)
    {
      /* The user pressed retry (or the app navigated): start counting anew. */
      window->showing_error_page = FALSE;
      g_array_set_size (window->terminations, 0);
    }
  g_free (window->page_url);
  window->page_url = g_strdup (uri);
}

static char *
html_escape (const char *text)
{
  return g_markup_escape_text (text != NULL ? text : "", -1);
}

static const char *
reason_in_words (KeelWebProcessReason reason)
{
  switch (reason)
    {
    case KEEL_WEB_PROCESS_MEMORY_LIMIT: return "ran out of its memory";
    case KEEL_WEB_PROCESS_UNRESPONSIVE: return "stopped responding";
    case KEEL_WEB_PROCESS_TERMINATED: return "was ended by the app";
    default: return "crashed";
    }
}

static void
show_error_page (KeelWindow *window, KeelWebProcessReason reason, guint restarts)
{
  KeelConfig *config = window->app->config;
  g_autofree char *label = html_escape (window->label);
  g_autofree char *name = html_escape (keel_app_get_name (window->app));
  g_autoptr (json_t) target = json_string (window->page_url != NULL ? window->page_url : "");
  char *target_json = json_dumps (target, JSON_ENCODE_ANY);
  g_autofree char *target_text = html_escape (target_json);
  free (target_json);
  g_autofree char *html = g_strdup_printf (
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s stopped</title>"
    "<style>body{font-family:system-ui,sans-serif;margin:3em;color:#222}"
    "h1{font-size:1.4em}code{background:#eee;padding:0 .3em}"
    "button{font-size:1em;padding:.4em 1.2em}</style></head><body>"
    "<h1>This window stopped working</h1>"
    "<p>The page of window <code>%s</code> of %s %s %u times within %d seconds (last "
    "reason: <code>%s</code>), so Keel stopped restarting it. The app itself and its "
    "other windows are still running.</p>"
    "<p><button id=\"keel-retry\" onclick=\"location.replace(%s)\">Try again</button></p>"
    "</body></html>",
    name, label, name, reason_in_words (reason), restarts, config->crash_loop_period_s,
    keel_web_process_reason_to_string (reason), target_text);
  window->loading_error_page = TRUE;
  webkit_web_view_load_alternate_html (window->view, html, window->page_url, NULL);
}

void
keel__lifecycle_process_terminated (KeelWindow *window, WebKitWebProcessTerminationReason reason)
{
  KeelApp *app = window->app;
  KeelWebProcessReason why;
  if (window->terminating)
    why = window->terminate_reason;
  else if (reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT)
    why = KEEL_WEB_PROCESS_MEMORY_LIMIT;
  else if (reason == WEBKIT_WEB_PROCESS_TERMINATED_BY_API)
    why = KEEL_WEB_PROCESS_TERMINATED;
  else
    why = KEEL_WEB_PROCESS_CRASHED;
  window->terminating = FALSE;
  cancel_ping (window);

  /* Everything tied to the dead page goes first. */
  keel__window_end_page (window);

  /* The crash-loop guard: how many times within the period, this one included. */
  gint64 now = g_get_monotonic_time ();
  gint64 horizon = now - (gint64) app->config->crash_loop_period_s * G_USEC_PER_SEC;
  guint kept = 0;
  for (guint i = 0; i < window->terminations->len; i++)
    if (g_array_index (window->terminations, gint64, i) > horizon)
      g_array_index (window->terminations, gint64, kept++) = g_array_index (window->terminations, gint64, i);
  g_array_set_size (window->terminations, kept);
  g_array_append_val (window->terminations, now);
  guint restarts = window->terminations->len;
  gboolean give_up = restarts > (guint) app->config->crash_loop_max_restarts;

  g_printerr ("keel: window \"%s\": its web process ended (%s); %s\n", window->label,
              keel_web_process_reason_to_string (why),
              give_up ? "too many restarts, showing the error page" : "reloading its page");

  keel__app_notify_web_process (app, window, why, !give_up);
  keel_app_emit (app, "keel://web-process-terminated",
                 json_pack ("{s:s, s:s, s:i, s:b}", "window", window->label, "reason",
                            keel_web_process_reason_to_string (why), "restarts", (int) restarts,
                            "gaveUp", give_up));

  if (window->destroyed || window->closing)
    return; /* a handler closed it: no new process for a window about to go */
  if (give_up)
    show_error_page (window, why, restarts);
  else
    webkit_web_view_load_uri (window->view, window->page_url);
}

void
keel_window_terminate_web_process (KeelWindow *window)
{
  terminate (window, KEEL_WEB_PROCESS_TERMINATED);
}

/* ---- Clean exit ---- */

static gboolean
descends_from (int pid, int ancestor)
{
  for (int depth = 0; pid > 1 && depth < 16; depth++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
      g_autofree char *stat = NULL;
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        return FALSE;
      /* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
      const char *after_name = strrchr (stat, ')');
      int parent;
      if (after_name == NULL || sscanf (after_name, ") %*c %d", &parent) != 1)
        return FALSE;
      if (parent == ancestor)
        return TRUE;
      pid = parent;
    }
  return FALSE;
}

/* The live (not zombie) WebKit processes below this one, as pids. */
static GArray *
list_web_processes (void)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  int self = getpid ();
  GDir *proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      int pid = atoi (name);
      if (pid <= 0)
        continue;
      g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", pid);
      g_autofree char *stat = NULL;
      if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
        continue;
      const char *after_name = strrchr (stat, ')');
      /* A zombie has exited already; it only waits to be reaped. */
      if (strstr (stat, " (WebKit") != NULL && after_name != NULL && after_name[2] != 'Z'
          && descends_from (pid, self))
        g_array_append_val (pids, pid);
    }
  if (proc != NULL)
    g_dir_close (proc);
  return pids;
}

static guint
count_web_processes (void)
{
  g_autoptr (GArray) pids = list_web_processes ();
  return pids->len;
}

typedef struct
{
  guint left;
  gboolean timed_out;
} ExitWait;

static gboolean
on_process_exited (int fd, GIOCondition condition, gpointer data)
{
  ((ExitWait *) data)->left--;
  return G_SOURCE_REMOVE;
}

static gboolean
on_exit_wait_timeout (gpointer data)
{
  ((ExitWait *) data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for the exit of each of `pids` through its pidfd, which becomes
 * readable when the process ends: the wait ends the moment the last one
 * does, where polling /proc would oversleep. Returns how many are left, or
 * -1, having waited for nothing, when pidfds are not available here (kernel
 * before 5.3, a seccomp filter). */
static int
wait_with_pidfds (GArray *pids, gint64 timeout_us)
{
  g_autoptr (GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < pids->len; i++)
    {
      int fd = pidfd_open (g_array_index (pids, int, i), 0);
      if (fd >= 0)
        g_array_append_val (fds, fd);
      else if (errno != ESRCH) /* ESRCH: gone already */
        {
          for (guint j = 0; j < fds->len; j++)
            close (g_array_index (fds, int, j));
          return -1;
        }
    }
  ExitWait wait = { .left = fds->len };
  g_autoptr (GPtrArray) sources = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_source_unref);
  for (guint i = 0; i < fds->len; i++)
    {
      GSource *source = g_unix_fd_source_new (g_array_index (fds, int, i), G_IO_IN);
      g_source_set_callback (source, G_SOURCE_FUNC (on_process_exited), &wait, NULL);
      g_source_set_static_name (source, "[keel] web process exit");
      g_source_attach (source, NULL);
      g_ptr_array_add (sources, source);
    }
  guint timeout = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) MAX (timeout_us / 1000, 1),
                                      on_exit_wait_timeout, &wait, NULL);
  /* WebKit ends its processes when their views and context go; the main
   * context must run for that to happen. */
  while (wait.left > 0 && !wait.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!wait.timed_out)
    g_source_remove (timeout);
  for (guint i = 0; i < sources->len; i++)
    g_source_destroy (g_ptr_array_index (sources, i));
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  return (int) wait.left;
}

guint
keel__lifecycle_wait_for_web_processes (gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  g_autoptr (GArray) pids = list_web_processes ();
  if (pids->len == 0)
    return 0;
  int left_after_wait = wait_with_pidfds (pids, timeout_us);
  if (left_after_wait >= 0)
    return (guint) left_after_wait;
  guint left;
  /* WebKit ends its processes when their views and context go; the main
   * context must run for that to happen. */
  while ((left = count_web_processes ()) > 0 && g_get_monotonic_time () < deadline)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
  return left;
}
