/* keel — the command-line tool. `keel run DIR` runs a frontend directory that
 * has a keel.json, with the built-in commands and the store and SQL plugins
 * (no C code of its own); `keel permissions DIR`
 * prints what each of its windows may call. */
#include <keel/keel.h>
#include <stdio.h>
#include <string.h>

static int
usage (FILE *out)
{
  fprintf (out,
           "usage: keel run DIR      run the app whose keel.json is in DIR (built-in commands, "
           "store, sql),\n"
           "                         printing each page's console on stderr\n"
           "       keel permissions DIR\n"
           "                         print, per window, every command its pages may call,\n"
           "                         the permissions that allow it and the scopes that apply\n"
           "       keel --version    print Keel's version\n");
  return out == stdout ? 0 : 2;
}

/* The app of a frontend directory: the built-in commands, and the store and
 * SQL plugins, whose commands its capabilities may grant. */
static KeelApp *
open_app (const char *dir)
{
  g_autoptr (GError) error = NULL;
  KeelApp *app = keel_app_new (dir, &error);
  if (app == NULL)
    {
      fprintf (stderr, "keel: %s\n", error->message);
      return NULL;
    }
  keel_store_plugin_register (app);
  if (!keel_sql_plugin_register (app, &error))
    {
      fprintf (stderr, "keel: %s\n", error->message);
      keel_app_free (app);
      return NULL;
    }
  return app;
}

static int
run (const char *dir)
{
  g_autoptr (GError) error = NULL;
  KeelApp *app = open_app (dir);
  if (app == NULL)
    return 1;
  keel_app_set_forward_console (app, TRUE);
  int status = keel_app_run (app, &error);
  if (error != NULL)
    fprintf (stderr, "keel: %s\n", error->message);
  keel_app_free (app);
  return status;
}

static int
permissions (const char *dir)
{
  g_autoptr (GError) error = NULL;
  KeelApp *app = open_app (dir);
  if (app == NULL)
    return 1;
  g_autofree char *text = keel_app_describe_permissions (app, &error);
  keel_app_free (app);
  if (text == NULL)
    {
      fprintf (stderr, "keel: %s\n", error->message);
      return 1;
    }
  fputs (text, stdout);
  fputs ("keel permissions: the app's own C code does not run here, so its commands show as "
         "having no handler; an app can print this view itself with "
         "keel_app_describe_permissions()\n", stderr);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 2 && (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0))
    {
      printf ("keel %s\n", keel_version_string ());
      return 0;
    }
  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    return usage (stdout);
  if (argc == 3 && strcmp (argv[1], "run") == 0)
    return run (argv[2]);
  if (argc == 3 && strcmp (argv[1], "permissions") == 0)
    return permissions (argv[2]);
  if (argc >= 2 && (strcmp (argv[1], "run") == 0 || strcmp (argv[1], "permissions") == 0))
    fprintf (stderr, "keel %s: expected exactly one directory, the one holding keel.json\n",
             argv[1]);
  else if (argc >= 2)
    fprintf (stderr, "keel: unknown command \"%s\"\n", argv[1]);
  return usage (stderr);
}
