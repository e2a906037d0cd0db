/* Progress over a channel: the page starts a count and hands the command a
 * Channel for its progress; a worker thread does the work and streams
 * {done, total} on the channel, long after the command answered, then ends
 * it. See docs/ipc.md, "Channels".
 *
 *   build/examples/keel-channel examples/channel */
#include <keel/keel.h>
#include <stdio.h>

typedef struct
{
  KeelChannel *progress;
  gint64 total;
} Job;

static gpointer
count_in_thread (gpointer data)
{
  Job *job = data;
  for (gint64 done = 1; done <= job->total; done++)
    {
      g_usleep (2000); /* the work */
      if (done % 25 != 0 && done != job->total)
        continue;
      json_t *message = json_pack ("{s:I, s:I}", "done", (json_int_t) done, "total",
                                   (json_int_t) job->total);
      /* FALSE: the page has gone (reloaded, closed); stop working for it. */
      if (!keel_channel_send (job->progress, message))
        break;
    }
  keel_channel_unref (job->progress); /* the last reference ends the channel */
  g_free (job);
  return NULL;
}

/* count {total, onProgress} → "started"; the progress follows on the channel. */
static void
count (KeelInvoke *invoke, gpointer user_data)
{
  gint64 total;
  if (!keel_invoke_arg_int (invoke, "total", &total))
    return;
  GError *error = NULL;
  KeelChannel *progress = keel_invoke_get_channel (invoke, "onProgress", &error);
  if (progress == NULL)
    {
      keel_invoke_reject (invoke, "invalid_args", "%s", error->message);
      g_error_free (error);
      return;
    }
  Job *job = g_new0 (Job, 1);
  job->progress = progress; /* the job's reference now */
  job->total = total;
  g_thread_unref (g_thread_new ("count", count_in_thread, job));
  keel_invoke_resolve (invoke, json_string ("started"));
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  KeelApp *app = keel_app_new (argc > 1 ? argv[1] : ".", &error);
  if (app == NULL)
    return fprintf (stderr, "%s\n", error->message), 1;
  keel_app_register_command (app, "count", count, NULL, NULL);
  int status = keel_app_run (app, &error);
  if (error != NULL)
    fprintf (stderr, "%s\n", error->message);
  keel_app_free (app);
  return status;
}
