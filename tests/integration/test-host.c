/* test-host — the C core of Keel's windowed tests.
 *
 * Runs the frontend in DIR (a keel.json + dist built from pages/NAME) with
 * commands and hooks the test pages exercise, and collects their verdicts:
 * a page calls test_report for each case and test_done at the end. The exit
 * status is 0 only if exactly the expected number of cases reported, all
 * passed, and the core's own end-of-run checks hold.
 *
 * usage: test-host DIR --expect N [--expect-exit CODE] [--timeout SECONDS]
 *                  [--c-window LABEL]   (also open a window created from C)
 *                  [--no-hooks]         (no request and response hooks) */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <keel/keel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>

typedef struct
{
  KeelApp *app;
  int expected_reports;
  int reports;
  int failures;
  gint later_started;
  gint later_finished;
  json_t *seen_commands;   /* every command the request hook saw, in order */
  json_t *core_events;     /* events C listeners received: {event, payload, source} */
  json_t *terminations;    /* web process terminations the C callback saw */
  json_t *refusals;        /* calls the permission check refused */
  json_t *command_permissions; /* "allow-<name>" of every command registered */
  json_t *refused;         /* navigations the navigation-refused handler saw */
  char *watched_label;     /* watch_urls: the window whose URL is followed */
  json_t *watched_urls;    /* ... and the URLs it showed, in order */
  guint watch_source;
  GHashTable *channels;    /* channel_keep: name → KeelChannel */
} Host;

static Host host;

static void
echo (KeelInvoke *invoke, gpointer data)
{
  json_t *value = json_object_get (keel_invoke_get_args (invoke), "value");
  keel_invoke_resolve (invoke, value != NULL ? json_deep_copy (value) : NULL);
}

static void
echo_raw (KeelInvoke *invoke, gpointer data)
{
  const char *text;
  if (!keel_invoke_arg_string (invoke, "json", &text))
    return;
  keel_invoke_resolve_raw (invoke, text);
}

/* answer_bad_text {kind} → JSON text from C that is no C string of UTF-8:
 * "not-utf8" (a byte 0xff) or "nul" (a NUL byte inside a string). The app
 * trusts such text to keel_invoke_resolve_json(); the page must get a clear
 * error, not a hang. */
static void
answer_bad_text (KeelInvoke *invoke, gpointer data)
{
  const char *kind;
  if (!keel_invoke_arg_string (invoke, "kind", &kind))
    return;
  static const char not_utf8[] = "\"\xff\"";
  static const char nul[] = "\"a\0b\"";
  if (strcmp (kind, "not-utf8") == 0)
    keel_invoke_resolve_json (invoke, g_bytes_new_static (not_utf8, sizeof not_utf8 - 1));
  else
    keel_invoke_resolve_json (invoke, g_bytes_new_static (nul, sizeof nul - 1));
}

/* body_info → what the core received as a binary call's body: its size,
 * the sum of its bytes, its first bytes, and the headers the page sent
 * (null body for a JSON call). */
static void
body_info (KeelInvoke *invoke, gpointer data)
{
  GBytes *body = keel_invoke_get_body (invoke);
  const char *type = keel_invoke_get_header (invoke, "Content-Type");
  const char *test = keel_invoke_get_header (invoke, "x-keel-test");
  if (body == NULL)
    {
      keel_invoke_resolve (invoke, json_pack ("{s:n, s:s?, s:s?}", "body", "contentType", type,
                                              "test", test));
      return;
    }
  gsize size;
  const guint8 *bytes = g_bytes_get_data (body, &size);
  guint32 sum = 0;
  json_t *first = json_array ();
  for (gsize i = 0; i < size; i++)
    {
      sum += bytes[i];
      if (i < 4)
        json_array_append_new (first, json_integer (bytes[i]));
    }
  keel_invoke_resolve (invoke, json_pack ("{s:I, s:I, s:o, s:s?, s:s?, s:O}", "size",
                                          (json_int_t) size, "sum", (json_int_t) sum, "first",
                                          first, "contentType", type, "test", test, "args",
                                          keel_invoke_get_args (invoke)));
}

/* The bytes of a binary call, or {size} bytes counting up from 0 (mod 256). */
static GBytes *
bytes_for (KeelInvoke *invoke)
{
  GBytes *body = keel_invoke_get_body (invoke);
  if (body != NULL)
    return g_bytes_ref (body);
  gint64 size;
  if (!keel_invoke_arg_int (invoke, "size", &size))
    return NULL;
  guint8 *data = g_malloc (size > 0 ? (gsize) size : 1);
  for (gint64 i = 0; i < size; i++)
    data[i] = (guint8) i;
  return g_bytes_new_take (data, (gsize) MAX (size, 0));
}

/* bytes_echo → the bytes (a raw response). */
static void
bytes_echo (KeelInvoke *invoke, gpointer data)
{
  GBytes *bytes = bytes_for (invoke);
  if (bytes != NULL)
    keel_invoke_resolve_bytes (invoke, bytes);
}

typedef struct
{
  KeelInvoke *invoke;
  GBytes *bytes;
} BytesAnswer;

static void
bytes_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  BytesAnswer *answer = data;
  keel_invoke_resolve_bytes (answer->invoke, g_steal_pointer (&answer->bytes));
}

/* bytes_from_thread: like bytes_echo, answered from another thread. */
static void
bytes_from_thread (KeelInvoke *invoke, gpointer data)
{
  GBytes *bytes = bytes_for (invoke);
  if (bytes == NULL)
    return;
  BytesAnswer *answer = g_new0 (BytesAnswer, 1);
  answer->invoke = invoke;
  answer->bytes = bytes;
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, answer, g_free);
  g_task_run_in_thread (task, bytes_in_thread);
}

static gboolean
busy_tick (gpointer data)
{
  gint64 *until = data;
  g_usleep (1000);
  return g_get_monotonic_time () < *until ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* busy_core {ms}: answers, then keeps the core's main loop busy with
 * default-priority work for that long, as an app crunching on the main
 * thread (or a flood of emits) would. */
static void
busy_core (KeelInvoke *invoke, gpointer data)
{
  gint64 ms;
  if (!keel_invoke_arg_int (invoke, "ms", &ms))
    return;
  keel_invoke_resolve (invoke, NULL);
  gint64 *until = g_new (gint64, 1);
  *until = g_get_monotonic_time () + ms * 1000;
  g_idle_add_full (G_PRIORITY_DEFAULT, busy_tick, until, g_free);
}

static void
fail (KeelInvoke *invoke, gpointer data)
{
  const char *message = "failed on purpose";
  if (!keel_invoke_arg_string_opt (invoke, "message", &message))
    return;
  keel_invoke_reject (invoke, "test_error", "%s", message);
}

static void
args_of (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_pack ("{s:O, s:s, s:s, s:s}", "args",
                                          keel_invoke_get_args (invoke), "window",
                                          keel_invoke_get_window_label (invoke), "webview",
                                          keel_invoke_get_webview_label (invoke), "origin",
                                          keel_invoke_get_origin (invoke)));
}

/* later {ms, value}: answered from a worker thread after ms milliseconds. */
static void
later_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  KeelInvoke *invoke = data;
  json_t *args = keel_invoke_get_args (invoke);
  g_usleep (json_integer_value (json_object_get (args, "ms")) * 1000);
  json_t *value = json_object_get (args, "value");
  keel_invoke_resolve (invoke, value != NULL ? json_deep_copy (value) : NULL);
  g_atomic_int_inc (&host.later_finished);
}

static void
later (KeelInvoke *invoke, gpointer data)
{
  gint64 ms;
  if (!keel_invoke_arg_int (invoke, "ms", &ms))
    return;
  g_atomic_int_inc (&host.later_started);
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, invoke, NULL);
  g_task_run_in_thread (task, later_in_thread);
}

static void
stats (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_pack ("{s:i, s:i, s:O, s:O}", "later_started",
                                          g_atomic_int_get (&host.later_started),
                                          "later_finished",
                                          g_atomic_int_get (&host.later_finished), "seen",
                                          host.seen_commands, "core_events", host.core_events));
}

/* host_emit {event, payload, to?}: the core emits, to all or to a label. */
static void
host_emit (KeelInvoke *invoke, gpointer data)
{
  const char *event, *to = NULL;
  if (!keel_invoke_arg_string (invoke, "event", &event)
      || !keel_invoke_arg_string_opt (invoke, "to", &to))
    return;
  json_t *payload = json_object_get (keel_invoke_get_args (invoke), "payload");
  payload = payload != NULL ? json_deep_copy (payload) : NULL;
  KeelApp *app = keel_invoke_get_app (invoke);
  if (to != NULL)
    keel_app_emit_to (app, to, event, payload);
  else
    keel_app_emit (app, event, payload);
  keel_invoke_resolve (invoke, NULL);
}

/* web_processes → pids of the WebKitWebProcess processes below this one
 * (there is no API for a view's pid; /proc tells). */
static gboolean
descends_from (int pid, int ancestor)
{
  for (int depth = 0; pid > 1 && depth < 8; depth++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
      g_autofree char *stat = NULL;
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        return FALSE;
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

/* The WebKitWebProcess processes below this one, as [{pid, parent}] where
 * parent is the command name of each one's parent ("bwrap" in the sandbox). */
static json_t *
list_web_processes (void)
{
  json_t *list = json_array ();
  GDir *proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      int pid = atoi (name);
      g_autofree char *comm_path = g_strdup_printf ("/proc/%d/comm", pid);
      g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", pid);
      g_autofree char *comm = NULL, *stat = NULL, *parent_path = NULL, *parent_comm = NULL;
      int parent;
      if (pid <= 0 || !g_file_get_contents (comm_path, &comm, NULL, NULL)
          || !g_str_has_prefix (comm, "WebKitWebProces") || !descends_from (pid, getpid ())
          || !g_file_get_contents (stat_path, &stat, NULL, NULL) || strrchr (stat, ')') == NULL
          || sscanf (strrchr (stat, ')'), ") %*c %d", &parent) != 1)
        continue;
      parent_path = g_strdup_printf ("/proc/%d/comm", parent);
      if (!g_file_get_contents (parent_path, &parent_comm, NULL, NULL))
        parent_comm = g_strdup ("?");
      json_array_append_new (list, json_pack ("{s:i, s:s}", "pid", pid, "parent",
                                              g_strstrip (parent_comm)));
    }
  if (proc != NULL)
    g_dir_close (proc);
  return list;
}

/* web_processes → their pids. */
static void
web_processes (KeelInvoke *invoke, gpointer data)
{
  json_t *list = list_web_processes (), *pids = json_array (), *entry;
  size_t i;
  json_array_foreach (list, i, entry)
    json_array_append (pids, json_object_get (entry, "pid"));
  json_decref (list);
  keel_invoke_resolve (invoke, pids);
}

/* web_process_parents → their parents' command names. */
static void
web_process_parents (KeelInvoke *invoke, gpointer data)
{
  json_t *list = list_web_processes (), *parents = json_array (), *entry;
  size_t i;
  json_array_foreach (list, i, entry)
    json_array_append (parents, json_object_get (entry, "parent"));
  json_decref (list);
  keel_invoke_resolve (invoke, parents);
}

/* kill_process {pid, signal}: only a web process of this app. */
static void
kill_process (KeelInvoke *invoke, gpointer data)
{
  gint64 pid, signal_number;
  if (!keel_invoke_arg_int (invoke, "pid", &pid)
      || !keel_invoke_arg_int (invoke, "signal", &signal_number))
    return;
  json_t *list = list_web_processes (), *entry;
  gboolean ours = FALSE;
  size_t i;
  json_array_foreach (list, i, entry)
    ours = ours || json_integer_value (json_object_get (entry, "pid")) == pid;
  json_decref (list);
  if (!ours)
    {
      keel_invoke_reject (invoke, "not_found", "%d is not a web process of this app", (int) pid);
      return;
    }
  if (kill ((pid_t) pid, (int) signal_number) != 0)
    {
      keel_invoke_reject (invoke, "failed", "kill: %s", g_strerror (errno));
      return;
    }
  keel_invoke_resolve (invoke, NULL);
}

static KeelWindow *
window_arg (KeelInvoke *invoke)
{
  const char *label;
  if (!keel_invoke_arg_string (invoke, "label", &label))
    return NULL;
  KeelWindow *window = keel_app_get_window (keel_invoke_get_app (invoke), label);
  if (window == NULL)
    keel_invoke_reject (invoke, "not_found", "no window labelled \"%s\"", label);
  return window;
}

static void
terminate_web_process (KeelInvoke *invoke, gpointer data)
{
  KeelWindow *window = window_arg (invoke);
  if (window == NULL)
    return;
  keel_invoke_resolve (invoke, NULL);
  keel_window_terminate_web_process (window);
}

static void
eval_in (KeelInvoke *invoke, gpointer data)
{
  KeelWindow *window = window_arg (invoke);
  const char *script;
  if (window == NULL || !keel_invoke_arg_string (invoke, "script", &script))
    return;
  keel_window_eval (window, script);
  keel_invoke_resolve (invoke, NULL);
}

/* core_usage → the core process's resident memory and open descriptors. */
static void
core_usage (KeelInvoke *invoke, gpointer data)
{
  g_autofree char *status = NULL;
  gint64 rss_kb = -1;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *line = strstr (status, "VmRSS:");
      if (line != NULL)
        rss_kb = g_ascii_strtoll (line + 6, NULL, 10);
    }
  int fds = 0;
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  while (dir != NULL && g_dir_read_name (dir) != NULL)
    fds++;
  if (dir != NULL)
    g_dir_close (dir);
  keel_invoke_resolve (invoke, json_pack ("{s:I, s:i}", "rss_kb", (json_int_t) rss_kb, "fds",
                                          fds - 1 /* the one g_dir_open used */));
}

static void
terminations (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_deep_copy (host.terminations));
}

static void
on_web_process_terminated (KeelApp *app, KeelWindow *window, KeelWebProcessReason reason,
                           gboolean restarting, gpointer data)
{
  json_array_append_new (host.terminations,
                         json_pack ("{s:s, s:s, s:b}", "window", keel_window_get_label (window),
                                    "reason", keel_web_process_reason_to_string (reason),
                                    "restarting", restarting));
}

/* A one-shot handler that removes itself while it runs and then still uses
 * its data: the core must keep that data alive until the handler returns,
 * and must still run the handlers after it. */
typedef struct
{
  guint id;
  int fired;
} OneShot;

static void
one_shot_handler (KeelApp *app, KeelWindow *window, KeelWebProcessReason reason,
                  gboolean restarting, gpointer data)
{
  OneShot *one_shot = data;
  keel_app_remove_web_process_handler (app, one_shot->id);
  one_shot->fired++; /* after removal: a use-after-free if the core freed it */
}

/* snapshot_then_destroy {label}: the snapshot's callback must hear that the
 * window went (window NULL, an error), not get a freed window. */
static void
on_snapshot_after_destroy (KeelWindow *window, const GError *error, gpointer data)
{
  KeelInvoke *invoke = data;
  keel_invoke_resolve (invoke, json_pack ("{s:b, s:s?}", "windowGone", window == NULL, "error",
                                          error != NULL ? error->message : NULL));
}

static void
snapshot_then_destroy (KeelInvoke *invoke, gpointer data)
{
  KeelWindow *window = window_arg (invoke);
  if (window == NULL)
    return;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "keel-test-snapshot.png", NULL);
  keel_window_save_snapshot (window, path, on_snapshot_after_destroy, invoke);
  keel_window_destroy (window);
}

/* The navigation-refused handler records what it is told. A page asking for
 * a window showing popup.html of the app gets one: the app allows it. */
static void
on_navigation_refused (KeelWindow *window, const char *uri, KeelNavigationRefusal kind,
                       gpointer data)
{
  json_array_append_new (host.refused,
                         json_pack ("{s:s, s:s, s:s}", "window", keel_window_get_label (window),
                                    "uri", uri, "kind", keel_navigation_refusal_to_string (kind)));
  /* Said aloud too: a test whose own page was refused says why it saw nothing. */
  fprintf (stderr, "test-host: [%s] refused (%s): %.200s\n", keel_window_get_label (window),
           keel_navigation_refusal_to_string (kind), uri);
  if (kind == KEEL_NAVIGATION_REFUSED_NEW_WINDOW && g_str_has_suffix (uri, "/popup.html")
      && keel_app_is_navigation_allowed (host.app, uri))
    {
      g_autoptr (GError) error = NULL;
      json_t *options = json_pack ("{s:s, s:s, s:s}", "label", "popup", "url", uri, "title",
                                   "Allowed by the app");
      if (keel_app_create_window (host.app, options, &error) == NULL)
        fprintf (stderr, "test-host: the handler could not open %s: %s\n", uri, error->message);
      json_decref (options);
    }
}

static void
refused_navigations (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_deep_copy (host.refused));
}

/* window_url {label} → the URL the window shows now. */
static void
window_url (KeelInvoke *invoke, gpointer data)
{
  KeelWindow *window = window_arg (invoke);
  if (window == NULL)
    return;
  const char *url = keel_window_get_url (window);
  keel_invoke_resolve (invoke, url != NULL ? json_string (url) : json_null ());
}

/* The core's view of where a window goes, for pages that cannot report
 * themselves (a remote page): every URL it shows, polled. */
static gboolean
watch_tick (gpointer data)
{
  KeelWindow *window = keel_app_get_window (host.app, host.watched_label);
  const char *url = window != NULL ? keel_window_get_url (window) : NULL;
  size_t count = json_array_size (host.watched_urls);
  const char *last = count > 0 ? json_string_value (json_array_get (host.watched_urls, count - 1))
                               : NULL;
  if (url != NULL && (last == NULL || strcmp (url, last) != 0))
    json_array_append_new (host.watched_urls, json_string (url));
  return G_SOURCE_CONTINUE;
}

/* watch_urls {label}: starts following that window's URL, afresh. */
static void
watch_urls (KeelInvoke *invoke, gpointer data)
{
  const char *label;
  if (!keel_invoke_arg_string (invoke, "label", &label))
    return;
  g_free (host.watched_label);
  host.watched_label = g_strdup (label);
  json_array_clear (host.watched_urls);
  if (host.watch_source == 0)
    host.watch_source = g_timeout_add (10, watch_tick, NULL);
  watch_tick (NULL);
  keel_invoke_resolve (invoke, NULL);
}

static void
watched_urls (KeelInvoke *invoke, gpointer data)
{
  /* The URL now too: the page may ask sooner than the next 10 ms tick
   * after its own load (windowed-navigation failed so, once, under load). */
  if (host.watched_label != NULL)
    watch_tick (NULL);
  keel_invoke_resolve (invoke, json_deep_copy (host.watched_urls));
}

static void
test_report (KeelInvoke *invoke, gpointer data)
{
  const char *name, *detail = "";
  gboolean ok;
  if (!keel_invoke_arg_string (invoke, "name", &name) || !keel_invoke_arg_bool (invoke, "ok", &ok)
      || !keel_invoke_arg_string_opt (invoke, "detail", &detail))
    return;
  host.reports++;
  if (!ok)
    host.failures++;
  printf ("%s [%s] %s%s%s\n", ok ? "PASS" : "FAIL", keel_invoke_get_window_label (invoke), name,
          *detail ? ": " : "", detail);
  fflush (stdout);
  keel_invoke_resolve (invoke, NULL);
}

static void
test_done (KeelInvoke *invoke, gpointer data)
{
  KeelApp *app = keel_invoke_get_app (invoke);
  keel_invoke_resolve (invoke, NULL);
  keel_app_exit (app, 0);
}

/* Managed state: a counter that handlers bump from worker threads, so the
 * state carries its own lock (keel_app_manage()). */
typedef struct
{
  GMutex lock;
  int hits;
} Counter;

static void
counter_free (gpointer data)
{
  Counter *counter = data;
  g_mutex_clear (&counter->lock);
  g_free (counter);
}

static void
count_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  KeelInvoke *invoke = data;
  Counter *counter = keel_invoke_get_state (invoke, "test-host.counter");
  g_mutex_lock (&counter->lock);
  int hits = ++counter->hits;
  g_mutex_unlock (&counter->lock);
  keel_invoke_resolve (invoke, json_pack ("{s:i, s:b}", "hits", hits, "sameAsApp",
                                          counter == keel_app_get_state (host.app,
                                                                         "test-host.counter")));
}

/* count → {hits, sameAsApp}: the counter, bumped on a worker thread. */
static void
count (KeelInvoke *invoke, gpointer data)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, invoke, NULL);
  g_task_run_in_thread (task, count_in_thread);
}

/* Files of the app's data directory, for store tests: data_file {path,
 * text?, remove?} reads one (null when absent), or writes text to it, or
 * removes it; data_dir {path?} lists a directory's names, sorted. */
static char *
data_path (KeelInvoke *invoke, const char *path)
{
  if (strstr (path, "..") != NULL || path[0] == '/')
    {
      keel_invoke_reject (invoke, "forbidden", "test-host: %s is outside the data directory", path);
      return NULL;
    }
  return g_build_filename (g_get_user_data_dir (), keel_app_get_identifier (host.app), path, NULL);
}

static void
data_file (KeelInvoke *invoke, gpointer data)
{
  const char *path, *text = NULL;
  gboolean delete = FALSE;
  if (!keel_invoke_arg_string (invoke, "path", &path)
      || !keel_invoke_arg_string_opt (invoke, "text", &text)
      || !keel_invoke_arg_bool_opt (invoke, "remove", &delete))
    return;
  g_autofree char *full = data_path (invoke, path);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  if (full == NULL)
    return;
  if (delete)
    {
      keel_invoke_resolve (invoke, json_boolean (g_remove (full) == 0));
      return;
    }
  if (text != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (full);
      g_mkdir_with_parents (dir, 0700);
      if (!g_file_set_contents (full, text, -1, &error))
        keel_invoke_reject (invoke, "failed", "%s", error->message);
      else
        keel_invoke_resolve (invoke, NULL);
      return;
    }
  keel_invoke_resolve (invoke, g_file_get_contents (full, &contents, NULL, NULL)
                                 ? json_string (contents)
                                 : json_null ());
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
data_dir (KeelInvoke *invoke, gpointer data)
{
  const char *path = ".";
  if (!keel_invoke_arg_string_opt (invoke, "path", &path))
    return;
  g_autofree char *full = data_path (invoke, path);
  if (full == NULL)
    return;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *dir = g_dir_open (full, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  if (dir != NULL)
    g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  json_t *list = json_array ();
  for (guint i = 0; i < names->len; i++)
    json_array_append_new (list, json_string (g_ptr_array_index (names, i)));
  keel_invoke_resolve (invoke, list);
}

/* Channels. Each command takes its channel in "channel" and answers what
 * each send returned, so a page sees the core's view as well as its own. */
static KeelChannel *
channel_arg (KeelInvoke *invoke)
{
  g_autoptr (GError) error = NULL;
  KeelChannel *channel = keel_invoke_get_channel (invoke, "channel", &error);
  if (channel == NULL)
    keel_invoke_reject (invoke, "invalid_args", "%s", error->message);
  return channel;
}

/* channel_send_json {channel, messages, close?, sendAfterClose?} → [sent...] */
static void
channel_send_json (KeelInvoke *invoke, gpointer data)
{
  gboolean close = FALSE, after = FALSE;
  json_t *messages = json_object_get (keel_invoke_get_args (invoke), "messages");
  if (!keel_invoke_arg_bool_opt (invoke, "close", &close)
      || !keel_invoke_arg_bool_opt (invoke, "sendAfterClose", &after))
    return;
  g_autoptr (KeelChannel) channel = channel_arg (invoke);
  if (channel == NULL)
    return;
  json_t *sent = json_array (), *message;
  size_t i;
  json_array_foreach (messages, i, message)
    json_array_append_new (sent, json_boolean (keel_channel_send (channel, json_incref (message))));
  if (close)
    keel_channel_close (channel);
  if (after)
    json_array_append_new (sent, json_boolean (keel_channel_send (channel, json_string ("late"))));
  keel_invoke_resolve (invoke, sent);
}

/* channel_send_raw {channel, texts} → [sent...] */
static void
channel_send_raw (KeelInvoke *invoke, gpointer data)
{
  json_t *texts = json_object_get (keel_invoke_get_args (invoke), "texts");
  g_autoptr (KeelChannel) channel = channel_arg (invoke);
  if (channel == NULL)
    return;
  json_t *sent = json_array (), *text;
  size_t i;
  json_array_foreach (texts, i, text)
    json_array_append_new (sent, json_boolean (keel_channel_send_raw (channel,
                                                                      json_string_value (text))));
  keel_invoke_resolve (invoke, sent);
}

/* channel_send_bytes {channel, sizes} → [sent...]: byte i of each message is
 * (i * 7 + size) % 256. */
static void
channel_send_bytes (KeelInvoke *invoke, gpointer data)
{
  json_t *sizes = json_object_get (keel_invoke_get_args (invoke), "sizes");
  g_autoptr (KeelChannel) channel = channel_arg (invoke);
  if (channel == NULL)
    return;
  json_t *sent = json_array (), *size;
  size_t i;
  json_array_foreach (sizes, i, size)
    {
      gsize n = (gsize) json_integer_value (size);
      guint8 *bytes = g_malloc (MAX (n, 1));
      for (gsize b = 0; b < n; b++)
        bytes[b] = (guint8) ((b * 7 + n) % 256);
      g_autoptr (GBytes) message = g_bytes_new_take (bytes, n);
      json_array_append_new (sent, json_boolean (keel_channel_send_bytes (channel, message)));
    }
  keel_invoke_resolve (invoke, sent);
}

/* channel_stream {channel, count}: {"n": i} for i < count from the main
 * thread, then the end; answers when all are queued. */
static void
channel_stream (KeelInvoke *invoke, gpointer data)
{
  gint64 count;
  if (!keel_invoke_arg_int (invoke, "count", &count))
    return;
  g_autoptr (KeelChannel) channel = channel_arg (invoke);
  if (channel == NULL)
    return;
  gint64 sent = 0;
  for (gint64 i = 0; i < count; i++)
    sent += keel_channel_send (channel, json_pack ("{s:I}", "n", (json_int_t) i));
  keel_channel_close (channel);
  keel_invoke_resolve (invoke, json_integer (sent));
}

/* channel_stream_thread {channel, count}: answers at once; a worker thread
 * then sends the text {"n": i} for i < count and drops the channel, which
 * ends it. The usual shape of a download: the channel outlives its invoke. */
typedef struct
{
  KeelChannel *channel;
  gint64 count;
} Stream;

static void
stream_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Stream *stream = data;
  for (gint64 i = 0; i < stream->count; i++)
    {
      char text[48];
      g_snprintf (text, sizeof text, "{\"n\":%" G_GINT64_FORMAT "}", i);
      if (!keel_channel_send_raw (stream->channel, text))
        break;
    }
  keel_channel_unref (stream->channel);
  g_free (stream);
  g_atomic_int_inc (&host.later_finished);
}

static void
channel_stream_thread (KeelInvoke *invoke, gpointer data)
{
  gint64 count;
  if (!keel_invoke_arg_int (invoke, "count", &count))
    return;
  KeelChannel *channel = channel_arg (invoke);
  if (channel == NULL)
    return;
  keel_invoke_resolve (invoke, NULL);
  Stream *stream = g_new0 (Stream, 1);
  stream->channel = channel;
  stream->count = count;
  g_atomic_int_inc (&host.later_started);
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, stream, NULL);
  g_task_run_in_thread (task, stream_in_thread);
}

/* channel_interleave {channel, count}: for i < count, the event
 * "interleave" with payload i, then channel message i. */
static void
channel_interleave (KeelInvoke *invoke, gpointer data)
{
  gint64 count;
  if (!keel_invoke_arg_int (invoke, "count", &count))
    return;
  g_autoptr (KeelChannel) channel = channel_arg (invoke);
  if (channel == NULL)
    return;
  for (gint64 i = 0; i < count; i++)
    {
      keel_app_emit (host.app, "interleave", json_integer (i));
      keel_channel_send (channel, json_integer (i));
    }
  keel_invoke_resolve (invoke, NULL);
}

/* channel_keep {channel, name}: the host keeps the channel under that name
 * (after the invoke, as an app that streams later would);
 * channel_kept {name} → {open, sent}: is it open, and did a send of
 * "ping" to it succeed. */
static void
channel_keep (KeelInvoke *invoke, gpointer data)
{
  const char *name;
  if (!keel_invoke_arg_string (invoke, "name", &name))
    return;
  KeelChannel *channel = channel_arg (invoke);
  if (channel == NULL)
    return;
  g_hash_table_replace (host.channels, g_strdup (name), channel);
  keel_invoke_resolve (invoke, NULL);
}

static void
channel_kept (KeelInvoke *invoke, gpointer data)
{
  const char *name;
  if (!keel_invoke_arg_string (invoke, "name", &name))
    return;
  KeelChannel *channel = g_hash_table_lookup (host.channels, name);
  if (channel == NULL)
    {
      keel_invoke_reject (invoke, "not_found", "no channel kept as \"%s\"", name);
      return;
    }
  gboolean open = keel_channel_is_open (channel);
  gboolean sent = keel_channel_send (channel, json_string ("ping"));
  keel_invoke_resolve (invoke, json_pack ("{s:b, s:b}", "open", open, "sent", sent));
}

/* The interception point: every request passes here. */
static gboolean
request_hook (KeelInvoke *invoke, GError **error, gpointer data)
{
  const char *command = keel_invoke_get_command (invoke);
  if (strcmp (command, "stats") != 0 && strcmp (command, "test_report") != 0)
    json_array_append_new (host.seen_commands, json_string (command));
  if (strcmp (command, "refuse_me") == 0)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN, "refused by the test hook");
      return FALSE;
    }
  if (strcmp (command, "rewrite_me") == 0)
    {
      json_t *args = json_deep_copy (keel_invoke_get_args (invoke));
      json_object_set_new (args, "rewritten", json_true ());
      keel_invoke_set_args (invoke, args);
    }
  return TRUE;
}

/* refusals → every call the permission check refused, as
 * {window, command, message}: how a test sees what a window with no IPC at
 * all tried. */
static void
refusals (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_deep_copy (host.refusals));
}

/* scopes → the scopes and URL the core attached to this very call. */
static void
scopes (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_pack ("{s:O, s:O, s:s?}", "allow",
                                          keel_invoke_get_scope_allow (invoke), "deny",
                                          keel_invoke_get_scope_deny (invoke), "url",
                                          keel_invoke_get_url (invoke)));
}

static void
response_hook (KeelInvoke *invoke, gboolean is_error, json_t **value, gpointer data)
{
  json_t *code = is_error ? json_object_get (*value, "code") : NULL;
  if (json_is_string (code) && strcmp (json_string_value (code), "forbidden") == 0)
    json_array_append_new (host.refusals,
                           json_pack ("{s:s, s:s, s:O?}", "window",
                                      keel_invoke_get_window_label (invoke), "command",
                                      keel_invoke_get_command (invoke), "message",
                                      json_object_get (*value, "message")));
  if (strcmp (keel_invoke_get_command (invoke), "rewrite_bytes") == 0)
    {
      /* A binary answer reaches hooks as null; replacing it answers JSON. */
      json_t *replaced = json_pack ("{s:b, s:O}", "replaced", TRUE, "saw", *value);
      json_decref (*value);
      *value = replaced;
      return;
    }
  if (strcmp (keel_invoke_get_command (invoke), "rewrite_result") != 0)
    return;
  json_t *wrapped = json_pack ("{s:o, s:b, s:b}", "original", *value, "wasError", is_error,
                               "rewritten", TRUE);
  *value = wrapped;
}

static void
on_core_event (KeelApp *app, const char *event, json_t *payload, const char *source,
               gpointer data)
{
  json_array_append_new (host.core_events,
                         json_pack ("{s:s, s:O, s:s?}", "event", event, "payload", payload,
                                    "source", source));
}

/* Registers a command and adds its allow- permission to the "test-host" set. */
static void
host_command (const char *name, KeelCommandFunc handler)
{
  keel_app_register_command (host.app, name, handler, NULL, NULL);
  g_autofree char *permission = g_strconcat ("allow-", name, NULL);
  g_strdelimit (permission, "_", '-');
  json_array_append_new (host.command_permissions, json_string (permission));
}

/* The SQL plugin's migrations, for the sql pages: "migrated.db" gets a
 * table and a seeded row (its down migration must never run at load);
 * "broken.db" fails at its second migration. */
static const KeelSqlMigration migrated_db[] = {
  { 1, "create notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    KEEL_SQL_MIGRATION_UP },
  { 2, "seed notes", "INSERT INTO notes (body) VALUES ('seeded by migration 2');",
    KEEL_SQL_MIGRATION_UP },
  { 2, "unseed notes", "DELETE FROM notes;", KEEL_SQL_MIGRATION_DOWN },
};
static const KeelSqlMigration broken_db[] = {
  { 1, "create a", "CREATE TABLE a (x);", KEEL_SQL_MIGRATION_UP },
  { 2, "refer to a missing table", "CREATE TABLE b (y); INSERT INTO missing_table VALUES (1);",
    KEEL_SQL_MIGRATION_UP },
};

static gboolean
time_out (gpointer data)
{
  fprintf (stderr, "test-host: timed out after %d reports; the page never called test_done\n",
           host.reports);
  host.failures++;
  keel_app_exit (host.app, 124);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  const char *dir = NULL, *c_window = NULL;
  int expect_exit = 0, timeout = 60;
  gboolean hooks = TRUE;
  host.expected_reports = -1;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--expect") == 0 && i + 1 < argc)
        host.expected_reports = atoi (argv[++i]);
      else if (strcmp (argv[i], "--expect-exit") == 0 && i + 1 < argc)
        expect_exit = atoi (argv[++i]);
      else if (strcmp (argv[i], "--timeout") == 0 && i + 1 < argc)
        timeout = atoi (argv[++i]);
      else if (strcmp (argv[i], "--c-window") == 0 && i + 1 < argc)
        c_window = argv[++i];
      else if (strcmp (argv[i], "--no-hooks") == 0)
        hooks = FALSE;
      else if (dir == NULL)
        dir = argv[i];
      else
        {
          fprintf (stderr, "test-host: unexpected argument %s\n", argv[i]);
          return 2;
        }
    }
  if (dir == NULL || host.expected_reports < 0)
    {
      fprintf (stderr, "usage: test-host DIR --expect N [--expect-exit CODE] [--timeout S]\n");
      return 2;
    }

  g_autoptr (GError) error = NULL;
  host.app = keel_app_new (dir, &error);
  if (host.app == NULL)
    {
      fprintf (stderr, "test-host: %s\n", error->message);
      return 1;
    }
  host.seen_commands = json_array ();
  host.core_events = json_array ();
  host.terminations = json_array ();
  host.refusals = json_array ();
  host.command_permissions = json_array ();
  host.refused = json_array ();
  host.watched_urls = json_array ();
  keel_app_set_forward_console (host.app, TRUE);
  keel_app_set_navigation_refused_handler (host.app, on_navigation_refused, NULL, NULL);

  host_command ("echo", echo);
  host_command ("echo_raw", echo_raw);
  host_command ("answer_bad_text", answer_bad_text);
  host_command ("fail", fail);
  host_command ("body_info", body_info);
  host_command ("busy_core", busy_core);
  host_command ("bytes_echo", bytes_echo);
  host_command ("bytes_from_thread", bytes_from_thread);
  host_command ("rewrite_bytes", bytes_echo);
  host_command ("args_of", args_of);
  host_command ("refuse_me", echo);
  host_command ("rewrite_me", args_of);
  host_command ("rewrite_result", echo);
  host_command ("later", later);
  host_command ("stats", stats);
  host_command ("host_emit", host_emit);
  host_command ("web_processes", web_processes);
  host_command ("kill_process", kill_process);
  host_command ("web_process_parents", web_process_parents);
  host_command ("terminate_web_process", terminate_web_process);
  host_command ("eval_in", eval_in);
  host_command ("core_usage", core_usage);
  host_command ("terminations", terminations);
  OneShot *one_shot = g_new0 (OneShot, 1);
  one_shot->id = keel_app_on_web_process_terminated (host.app, one_shot_handler, one_shot, g_free);
  keel_app_on_web_process_terminated (host.app, on_web_process_terminated, NULL, NULL);
  host_command ("snapshot_then_destroy", snapshot_then_destroy);
  host_command ("refused_navigations", refused_navigations);
  host_command ("window_url", window_url);
  host_command ("watch_urls", watch_urls);
  host_command ("watched_urls", watched_urls);
  host_command ("count", count);
  host_command ("data_file", data_file);
  host_command ("data_dir", data_dir);
  host_command ("test_report", test_report);
  host_command ("test_done", test_done);
  host_command ("refusals", refusals);
  host_command ("scopes", scopes);
  host_command ("channel_send_json", channel_send_json);
  host_command ("channel_send_raw", channel_send_raw);
  host_command ("channel_send_bytes", channel_send_bytes);
  host_command ("channel_stream", channel_stream);
  host_command ("channel_stream_thread", channel_stream_thread);
  host_command ("channel_interleave", channel_interleave);
  host_command ("channel_keep", channel_keep);
  host_command ("channel_kept", channel_kept);
  host.channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) keel_channel_unref);
  /* The app's own permissions: one set, "test-host", grants every command
   * of this host, so a page's capability reads ["core:default", "test-host"]. */
  json_t *manifest = json_pack ("{s:[{s:s, s:s, s:O}]}", "sets", "identifier",
                                           "test-host", "description",
                                           "Every command of the test host.", "permissions",
                                           host.command_permissions);
  g_autofree char *host_permissions = json_dumps (manifest, JSON_COMPACT);
  json_decref (manifest);
  if (!keel_app_add_permissions (host.app, host_permissions, &error))
    {
      fprintf (stderr, "test-host: %s\n", error->message);
      return 1;
    }
  keel_store_plugin_register (host.app);
  Counter *counter = g_new0 (Counter, 1);
  g_mutex_init (&counter->lock);
  keel_app_manage (host.app, "test-host.counter", counter, counter_free);
  if (!keel_sql_plugin_register (host.app, &error)
      || !keel_sql_add_migrations (host.app, "sqlite:migrated.db", migrated_db,
                                   G_N_ELEMENTS (migrated_db), &error)
      || !keel_sql_add_migrations (host.app, "sqlite:broken.db", broken_db,
                                   G_N_ELEMENTS (broken_db), &error))
    {
      fprintf (stderr, "test-host: %s\n", error->message);
      return 1;
    }
  if (hooks)
    {
      keel_app_add_request_hook (host.app, request_hook, NULL, NULL);
      keel_app_add_response_hook (host.app, response_hook, NULL, NULL);
    }
  keel_app_listen (host.app, "to-core", on_core_event, NULL, NULL);
  g_timeout_add_seconds (timeout, time_out, NULL);

  if (c_window != NULL)
    {
      /* Created before keel_app_run(): queued, opened at start-up. A bad
       * option and a taken label are refused at once. */
      json_t *options = json_pack ("{s:s, s:s, s:s, s:i, s:i}", "label", c_window,
                                              "title", "From C", "url", "extra.html", "width",
                                              320, "height", 200);
      if (keel_app_create_window (host.app, options, &error) != NULL || error != NULL)
        {
          fprintf (stderr, "test-host: queuing a window from C: %s\n",
                   error ? error->message : "returned a window before the app runs");
          return 1;
        }
      if (keel_app_create_window (host.app, options, &error) != NULL
          || !g_error_matches (error, KEEL_ERROR, KEEL_ERROR_INVALID)
          || strstr (error->message, c_window) == NULL)
        {
          fprintf (stderr, "test-host: a second window labelled %s was not refused\n", c_window);
          return 1;
        }
      g_clear_error (&error);
      json_t *bad = json_pack ("{s:s, s:s}", "label", "bad", "width", "wide");
      if (keel_app_create_window (host.app, bad, &error) != NULL
          || strstr (error->message, "width") == NULL)
        {
          fprintf (stderr, "test-host: an invalid window option was not refused\n");
          return 1;
        }
      g_clear_error (&error);
      json_decref (bad);
      json_decref (options);
    }

  int status = keel_app_run (host.app, &error);
  if (host.watch_source != 0)
    g_source_remove (host.watch_source);
  if (error != NULL)
    {
      fprintf (stderr, "test-host: %s\n", error->message);
      keel_app_free (host.app);
      return 1;
    }

  /* Let answers from worker threads still in flight arrive (and be
   * dropped); the core must survive them. */
  for (int i = 0; i < 300 && g_atomic_int_get (&host.later_finished)
                                 < g_atomic_int_get (&host.later_started);
       i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  keel_app_free (host.app);

  int verdict = 0;
  if (status != expect_exit)
    {
      fprintf (stderr, "test-host: the app exited with %d, expected %d\n", status, expect_exit);
      verdict = 1;
    }
  if (host.reports != host.expected_reports)
    {
      fprintf (stderr, "test-host: %d cases reported, expected %d\n", host.reports,
               host.expected_reports);
      verdict = 1;
    }
  if (host.failures > 0)
    verdict = 1;
  if (g_atomic_int_get (&host.later_finished) != g_atomic_int_get (&host.later_started))
    {
      fprintf (stderr, "test-host: %d delayed answers never finished\n",
               host.later_started - host.later_finished);
      verdict = 1;
    }
  printf ("%d/%d cases passed\n", host.reports - host.failures, host.expected_reports);
  json_decref (host.seen_commands);
  json_decref (host.core_events);
  json_decref (host.terminations);
  json_decref (host.refused);
  json_decref (host.watched_urls);
  g_free (host.watched_label);
  g_hash_table_unref (host.channels);
  return verdict;
}
