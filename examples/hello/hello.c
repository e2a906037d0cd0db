/* The smallest Keel app: one command, one window. */
#include <keel/keel.h>
#include <stdio.h>

static void
greet (KeelInvoke *invoke, gpointer user_data)
{
  const char *name;
  if (!keel_invoke_arg_string (invoke, "name", &name))
    return; /* already rejected with a message naming the argument */
  keel_invoke_resolve (invoke, json_sprintf ("Hello, %s!", name));
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  KeelApp *app = keel_app_new (argc > 1 ? argv[1] : ".", &error);
  if (app == NULL)
    return fprintf (stderr, "%s\n", error->message), 1;
  keel_app_register_command (app, "greet", greet, NULL, NULL);
  int status = keel_app_run (app, &error);
  if (error != NULL)
    fprintf (stderr, "%s\n", error->message);
  keel_app_free (app);
  return status;
}
