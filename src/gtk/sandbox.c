/* sandbox.c — WebKit's bubblewrap sandbox, on by default.
 *
 * WebKit needs bwrap, xdg-dbus-proxy and user namespaces for its sandbox;
 * when bwrap fails it calls g_error() and the whole core aborts. So Keel
 * checks first, and refuses to start with a message that says what is
 * missing and how to opt out. */
#include <string.h>

#include "shell.h"

#define OPT_OUT_HELP                                                                               \
  "To run without it (web content then has your user's full access: only for trusted "           \
  "content), set KEEL_DISABLE_SANDBOX=1, or \"keel\": {\"webProcess\": {\"sandbox\": false}} "    \
  "in keel.json."

static gboolean
env_disables_sandbox (void)
{
  const char *value = g_getenv ("KEEL_DISABLE_SANDBOX");
  return value != NULL && *value != '\0' && strcmp (value, "0") != 0;
}

gboolean
keel__sandbox_wanted (KeelApp *app)
{
  return app->config->sandbox && !env_disables_sandbox ();
}

gboolean
keel__sandbox_check (GError **error)
{
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autofree char *proxy = g_find_program_in_path ("xdg-dbus-proxy");
  if (bwrap == NULL || proxy == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                   "WebKit's sandbox needs %s%s%s, which %s not found in PATH. Install %s "
                   "(Debian: apt-get install bubblewrap xdg-dbus-proxy). " OPT_OUT_HELP,
                   bwrap == NULL ? "bwrap" : "", bwrap == NULL && proxy == NULL ? " and " : "",
                   proxy == NULL ? "xdg-dbus-proxy" : "",
                   bwrap == NULL && proxy == NULL ? "were" : "was",
                   bwrap == NULL && proxy == NULL ? "them" : "it");
      return FALSE;
    }

  /* The one reliable test of user namespaces (sysctls, AppArmor, seccomp,
   * containers all play a part) is to try: a few milliseconds at start-up. */
  const char *argv[] = { bwrap, "--unshare-user-try", "--unshare-pid", "--ro-bind", "/", "/",
                         "true", NULL };
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr (GError) spawn_error = NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                     &err, &status, &spawn_error)
      || !g_spawn_check_wait_status (status, NULL))
    {
      g_strstrip (err != NULL ? err : (err = g_strdup ("")));
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                   "WebKit's sandbox cannot start here: %s failed (%s). Unprivileged user "
                   "namespaces are probably disabled (Debian: sysctl "
                   "kernel.unprivileged_userns_clone=1; in a container, allow them). "
                   OPT_OUT_HELP,
                   bwrap, spawn_error != NULL ? spawn_error->message : err);
      return FALSE;
    }
  return TRUE;
}

void
keel__sandbox_warn_disabled (KeelApp *app)
{
  g_printerr ("keel: WARNING: the web process sandbox is OFF (%s): web content runs with "
              "this user's full access to files, devices and the network. Turn it off only "
              "for trusted content or when debugging.\n",
              env_disables_sandbox () ? "KEEL_DISABLE_SANDBOX is set"
                                      : "keel.webProcess.sandbox is false in keel.json");
}
