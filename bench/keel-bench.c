/* keel-bench.c — the Keel side of `make bench`: the page of bench/page/
 * running one workload, through Keel's public API only.
 *
 * Usage: keel-bench WORKLOAD (small, json1m, start or idle). The page prints
 * its result as one JSON line on stdout (the `report` command) and exits
 * with plugin:app|exit; the idle workload stays until SIGTERM. */
#include <keel/keel.h>
#include <stdio.h>

/* Answers with the argument it was given, as the floor's handler does. */
static void
echo (KeelInvoke *invoke, gpointer user_data)
{
  json_t *value = json_object_get (keel_invoke_get_args (invoke), "value");
  keel_invoke_resolve (invoke, json_incref (value));
}

static void
report (KeelInvoke *invoke, gpointer user_data)
{
  const char *line;
  if (!keel_invoke_arg_string (invoke, "line", &line))
    return;
  printf ("%s\n", line);
  fflush (stdout);
  keel_invoke_resolve (invoke, NULL);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    return fprintf (stderr, "usage: %s small|json1m|start|idle\n", argv[0]), 2;

  GError *error = NULL;
  KeelApp *app = keel_app_new_from_resource ("/dev/keel/bench", &error);
  if (app == NULL)
    return fprintf (stderr, "%s\n", error->message), 1;
  keel_app_register_command (app, "echo", echo, NULL, NULL);
  keel_app_register_command (app, "report", report, NULL, NULL);

  g_autofree char *url = g_strdup_printf ("index.html?w=%s", argv[1]);
  json_t *options = json_pack ("{s:s, s:s, s:s, s:i, s:i}", "label", "main", "title",
                               "Keel bench", "url", url, "width", 800, "height", 600);
  keel_app_create_window (app, options, &error);
  json_decref (options);
  if (error != NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      keel_app_free (app);
      return 1;
    }

  int status = keel_app_run (app, &error);
  if (error != NULL)
    fprintf (stderr, "%s\n", error->message);
  keel_app_free (app);
  return status;
}
