/* keel-bench.c — the Keel side of `make bench`: the page of bench/page/
 * running one workload, through Keel's public API only.
 *
 * Usage: keel-bench WORKLOAD (small, json1m, json16m, event1m, event16m,
 * bin1m, bin64m, chan100k, chan64m, fanout, start or idle). Each page prints its result as one
 * JSON line on stdout (the `report` command). A single page then exits with
 * plugin:app|exit; the fan-out's four pages cannot know when the others are
 * done, so the app exits after the last one has reported. The idle workload
 * stays until SIGTERM. */
#include <keel/keel.h>
#include <stdio.h>
#include <string.h>

#include "fanout.h"
#include "stream.h"

typedef struct
{
  KeelApp *app;
  guint windows;         /* pages running the workload */
  GHashTable *ready;     /* labels of the fan-out's windows whose page listens */
  GHashTable *reported;  /* labels of the fan-out's windows whose page reported */
  json_t *done;          /* the fan-out's "fanout-done" payload, once sent */
} Bench;

/* Answers with the argument it was given, as the floor's handler does: the
 * way a Keel command passes a value on without looking inside, its JSON text
 * untouched (keel_invoke_get_arg_json()). */
static void
echo (KeelInvoke *invoke, gpointer user_data)
{
  GBytes *value = keel_invoke_get_arg_json (invoke, "value");
  if (value != NULL)
    keel_invoke_resolve_json (invoke, value);
  else
    keel_invoke_resolve (invoke, NULL);
}

/* The binary echo: a call with a Uint8Array as its arguments, answered with
 * the same bytes (an ArrayBuffer in the page). */
static void
bin_echo (KeelInvoke *invoke, gpointer user_data)
{
  GBytes *body = keel_invoke_get_body (invoke);
  if (body == NULL)
    {
      keel_invoke_reject (invoke, "invalid_args", "bin_echo takes bytes (a Uint8Array)");
      return;
    }
  keel_invoke_resolve_bytes (invoke, g_bytes_ref (body));
}

/* stream {onEvent, kind}: sends the channel 100,000 small messages
 * ("small") or 64 MiB in 64 KiB chunks ("bytes") as fast as it can, ends
 * it, and answers null. */
static void
stream (KeelInvoke *invoke, gpointer data)
{
  GError *error = NULL;
  g_autoptr (KeelChannel) channel = keel_invoke_get_channel (invoke, "onEvent", &error);
  const char *kind;
  if (channel == NULL)
    {
      keel_invoke_reject (invoke, "invalid_args", "%s", error->message);
      g_error_free (error);
      return;
    }
  if (!keel_invoke_arg_string (invoke, "kind", &kind))
    return;
  if (strcmp (kind, "bytes") == 0)
    {
      g_autoptr (GBytes) bytes = stream_bytes ();
      for (gsize offset = 0; offset < STREAM_BYTES; offset += STREAM_CHUNK)
        {
          g_autoptr (GBytes) chunk = g_bytes_new_from_bytes (bytes, offset, STREAM_CHUNK);
          keel_channel_send_bytes (channel, chunk);
        }
    }
  else
    for (guint seq = 1; seq <= STREAM_MESSAGES; seq++)
      {
        char message[32];
        g_snprintf (message, sizeof message, "{\"seq\":%u}", seq);
        keel_channel_send_raw (channel, message);
      }
  keel_channel_close (channel);
  keel_invoke_resolve (invoke, NULL);
}

static void
report (KeelInvoke *invoke, gpointer data)
{
  Bench *bench = data;
  const char *line;
  if (!keel_invoke_arg_string (invoke, "line", &line))
    return;
  printf ("%s\n", line);
  fflush (stdout);
  keel_invoke_resolve (invoke, NULL);
  if (bench->windows > 1)
    {
      g_hash_table_add (bench->reported, g_strdup (keel_invoke_get_window_label (invoke)));
      if (g_hash_table_size (bench->reported) == bench->windows)
        keel_app_exit (bench->app, 0);
    }
}

/* The event echo: what a page emits as "echo" goes back, as "echoed", to the
 * window that emitted it and to no other — its payload as text, untouched. */
static void
on_echo (KeelApp *app, const char *event, GBytes *payload_json, const char *source_label,
         gpointer data)
{
  if (source_label != NULL)
    keel_app_emit_json (app, source_label, "echoed", payload_json);
}

static void
fanout_emit (guint64 seq, gpointer data)
{
  Bench *bench = data;
  keel_app_emit (bench->app, "fanout", json_pack ("{s:I}", "seq", (json_int_t) seq));
}

static void
fanout_done (guint64 total, double seconds, gpointer data)
{
  Bench *bench = data;
  bench->done = json_pack ("{s:I, s:f}", "total", (json_int_t) total, "seconds", seconds);
  keel_app_emit (bench->app, "fanout-done", json_incref (bench->done));
}

/* The fan-out starts once every page listens, so that none misses the first
 * events for having loaded late. Keel restarts a page that leaves its
 * liveness ping unanswered (keel.webview.hangTimeoutMs), and a page flooded
 * with events may: the new page says it is ready again. It hears the rest of
 * the fan-out, or only the end if it came too late, and its report shows the
 * events its window lost. The floor has no such restarts. */
static void
on_fanout_ready (KeelApp *app, const char *event, json_t *payload, const char *source_label,
                 gpointer data)
{
  Bench *bench = data;
  if (source_label == NULL)
    return;
  if (bench->done != NULL)
    keel_app_emit_to (app, source_label, "fanout-done", json_incref (bench->done));
  else if (g_hash_table_add (bench->ready, g_strdup (source_label))
           && g_hash_table_size (bench->ready) == bench->windows)
    fanout_start (fanout_emit, fanout_done, bench);
}

static gboolean
open_window (KeelApp *app, const char *label, const char *url, GError **error)
{
  json_t *options = json_pack ("{s:s, s:s, s:s, s:i, s:i}", "label", label, "title",
                               "Keel bench", "url", url, "width", 800, "height", 600);
  /* Before keel_app_run() the window is queued: NULL, and no error. */
  GError *local = NULL;
  keel_app_create_window (app, options, &local);
  json_decref (options);
  if (local == NULL)
    return TRUE;
  g_propagate_error (error, local);
  return FALSE;
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    return fprintf (stderr,
                    "usage: %s small|json1m|json16m|event1m|event16m|bin1m|bin64m|chan100k|chan64m|"
                    "fanout|start|"
                    "idle\n",
                    argv[0]),
           2;

  GError *error = NULL;
  KeelApp *app = keel_app_new_from_resource ("/dev/keel/bench", &error);
  if (app == NULL)
    return fprintf (stderr, "%s\n", error->message), 1;
  g_autoptr (GHashTable) ready = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Bench bench = { app, strcmp (argv[1], "fanout") == 0 ? FANOUT_WINDOWS : 1, ready, reported,
                  NULL };
  keel_app_register_command (app, "echo", echo, NULL, NULL);
  keel_app_register_command (app, "bin_echo", bin_echo, NULL, NULL);
  keel_app_register_command (app, "stream", stream, NULL, NULL);
  keel_app_register_command (app, "report", report, &bench, NULL);
  keel_app_listen_json (app, "echo", on_echo, NULL, NULL);
  keel_app_listen (app, "fanout-ready", on_fanout_ready, &bench, NULL);

  gboolean opened;
  if (bench.windows == 1)
    {
      g_autofree char *url = g_strdup_printf ("index.html?w=%s", argv[1]);
      opened = open_window (app, "main", url, &error);
    }
  else
    {
      opened = TRUE;
      for (guint i = 1; opened && i <= bench.windows; i++)
        {
          g_autofree char *label = g_strdup_printf ("fanout-%u", i);
          g_autofree char *url = g_strdup_printf ("index.html?w=fanout&window=%u", i);
          opened = open_window (app, label, url, &error);
        }
    }
  if (!opened)
    {
      fprintf (stderr, "%s\n", error->message);
      keel_app_free (app);
      return 1;
    }

  int status = keel_app_run (app, &error);
  if (error != NULL)
    fprintf (stderr, "%s\n", error->message);
  keel_app_free (app);
  json_decref (bench.done);
  return status;
}
