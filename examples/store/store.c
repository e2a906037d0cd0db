/* A visit counter that survives restarts: the page keeps it in a store (the
 * store plugin, @tauri-apps/plugin-store's commands), and the core counts
 * this run's visits in managed state. See docs/store.md.
 *
 *   build/examples/keel-store examples/store
 *
 * The store file is $XDG_DATA_HOME/dev.keel.store-example/visits.json. */
#include <keel/keel.h>
#include <stdio.h>

/* Managed state: reached by every handler, on any thread; so it locks. */
typedef struct
{
  GMutex lock;
  int visits;
} Session;

static void
session_free (gpointer data)
{
  Session *session = data;
  g_mutex_clear (&session->lock);
  g_free (session);
}

/* this_session → how many times a page called it since the app started. */
static void
this_session (KeelInvoke *invoke, gpointer user_data)
{
  Session *session = keel_invoke_get_state (invoke, "session");
  g_mutex_lock (&session->lock);
  int visits = ++session->visits;
  g_mutex_unlock (&session->lock);
  keel_invoke_resolve (invoke, json_integer (visits));
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  KeelApp *app = keel_app_new (argc > 1 ? argv[1] : ".", &error);
  if (app == NULL)
    return fprintf (stderr, "%s\n", error->message), 1;
  keel_store_plugin_register (app);
  Session *session = g_new0 (Session, 1);
  g_mutex_init (&session->lock);
  keel_app_manage (app, "session", session, session_free);
  keel_app_register_command (app, "this_session", this_session, NULL, NULL);
  int status = keel_app_run (app, &error);
  if (error != NULL)
    fprintf (stderr, "%s\n", error->message);
  keel_app_free (app); /* frees the session after the windows are gone */
  return status;
}
