/* The Keel showcase: a C core with its own commands and a web frontend,
 * embedded in the binary. Run it with no arguments for a window; with
 * --screenshot FILE it saves a PNG once the page is ready and exits; with
 * --permissions it prints what its window may call (the audit view). */
#include <gio/gio.h>
#include <keel/keel.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static gint64 start_time;
static const char *screenshot_path;

/* greet {name} → "Hello, NAME!" — the smallest command. */
static void
greet (KeelInvoke *invoke, gpointer data)
{
  const char *name;
  if (!keel_invoke_arg_string (invoke, "name", &name))
    return;
  if (*name == '\0')
    {
      keel_invoke_reject (invoke, "invalid_args", "greet: the name is empty; type a name");
      return;
    }
  keel_invoke_resolve (invoke, json_sprintf ("Hello, %s! Greetings from the core (pid %d).",
                                             name, (int) getpid ()));
}

/* system_info → facts only the privileged core can read. */
static void
system_info (KeelInvoke *invoke, gpointer data)
{
  struct utsname uts;
  uname (&uts);
  keel_invoke_resolve (invoke, json_pack ("{s:s, s:s+++, s:i, s:s}", "hostname", uts.nodename,
                                          "kernel", uts.sysname, " ", uts.release, "",
                                          "pid", (int) getpid (), "keel", keel_version_string ()));
}

/* sha256 {text} → hex digest, computed on a worker thread: the handler
 * returns at once and the answer is sent from the thread. */
static void
hash_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  KeelInvoke *invoke = data;
  const char *text = json_string_value (json_object_get (keel_invoke_get_args (invoke), "text"));
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  keel_invoke_resolve (invoke, json_string (digest));
}

static void
sha256 (KeelInvoke *invoke, gpointer data)
{
  const char *text;
  if (!keel_invoke_arg_string (invoke, "text", &text))
    return;
  g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, invoke, NULL);
  g_task_run_in_thread (task, hash_in_thread);
}

static gboolean
tick (gpointer app)
{
  double uptime = (g_get_monotonic_time () - start_time) / 1e6;
  keel_app_emit (app, "showcase:tick", json_pack ("{s:f}", "uptime", uptime));
  return G_SOURCE_CONTINUE;
}

static void
on_snapshot (KeelWindow *window, const GError *error, gpointer app)
{
  if (error != NULL)
    {
      fprintf (stderr, "showcase: snapshot failed: %s\n", error->message);
      keel_app_exit (app, 1);
      return;
    }
  printf ("%s\n", screenshot_path);
  keel_app_exit (app, 0);
}

/* The page says it is ready once it has drawn the core's answers. */
static void
on_ready (KeelApp *app, const char *event, json_t *payload, const char *source, gpointer data)
{
  if (screenshot_path == NULL)
    return;
  KeelWindow *window = keel_app_get_window (app, source);
  if (window != NULL)
    keel_window_save_snapshot (window, screenshot_path, on_snapshot, app);
}

static gboolean
time_out (gpointer app)
{
  fprintf (stderr, "showcase: the page did not become ready within 60 s\n");
  keel_app_exit (app, 1);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  gboolean audit = FALSE;
  if (argc == 3 && strcmp (argv[1], "--screenshot") == 0)
    screenshot_path = argv[2];
  else if (argc == 2 && strcmp (argv[1], "--permissions") == 0)
    audit = TRUE;
  else if (argc != 1)
    {
      fprintf (stderr, "usage: %s [--screenshot FILE.png | --permissions]\n", argv[0]);
      return 2;
    }

  g_autoptr (GError) error = NULL;
  KeelApp *app = keel_app_new_from_resource ("/dev/keel/showcase", &error);
  if (app == NULL)
    {
      fprintf (stderr, "showcase: %s\n", error->message);
      return 1;
    }
  keel_app_register_command (app, "greet", greet, NULL, NULL);
  keel_app_register_command (app, "system_info", system_info, NULL, NULL);
  keel_app_register_command (app, "sha256", sha256, NULL, NULL);
  keel_app_listen (app, "showcase:ready", on_ready, NULL, NULL);

  if (audit)
    {
      /* What each window may call, with this app's own commands known. */
      g_autofree char *text = keel_app_describe_permissions (app, &error);
      if (text != NULL)
        fputs (text, stdout);
      else
        fprintf (stderr, "showcase: %s\n", error->message);
      keel_app_free (app);
      return text != NULL ? 0 : 1;
    }

  start_time = g_get_monotonic_time ();
  g_timeout_add_seconds (1, tick, app);
  if (screenshot_path != NULL)
    g_timeout_add_seconds (60, time_out, app);

  int status = keel_app_run (app, &error);
  if (error != NULL)
    fprintf (stderr, "showcase: %s\n", error->message);
  keel_app_free (app);
  return status;
}
