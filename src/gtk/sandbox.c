/* sandbox.c — WebKit's bubblewrap sandbox, on by default.
 *
 * WebKit needs bwrap, xdg-dbus-proxy and user namespaces for its sandbox;
 * when bwrap fails it calls g_error() and the whole core aborts. So Keel
 * checks first, and refuses to start with a message that says what is
 * missing and how to opt out.
 *
 * One more way bwrap fails: web processes reach the session bus and the
 * accessibility bus through xdg-dbus-proxy, which WebKit starts in a bwrap
 * of its own that binds the directory holding each bus's socket. When such a
 * directory is gone (a bus address outlived the XDG_RUNTIME_DIR it lived in),
 * bwrap exits, and WebKit aborts with "Failed to fully launch dbus-proxy".
 * Keel finds the two addresses the way WebKit does and checks those
 * directories. A socket that is gone from a directory that still exists is
 * harmless: the proxy starts, and the web process runs without that bus. */
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

/* The directory WebKit asks bwrap to bind for a bus address: that of the
 * socket named by the first "path=" of a "unix:" address, up to the next ','
 * (WebKit's own reading, escapes and all). NULL when there is none, such as
 * for an abstract socket. */
static char *
bus_socket_directory (const char *address)
{
  if (address == NULL || !g_str_has_prefix (address, "unix:"))
    return NULL;
  const char *path = strstr (address, "path=");
  if (path == NULL)
    return NULL;
  path += strlen ("path=");
  gsize length = strcspn (path, ",");
  if (length == 0)
    return NULL;
  g_autofree char *socket = g_strndup (path, length);
  return g_path_get_dirname (socket);
}

/* The accessibility bus address WebKit will use: AT_SPI_BUS_ADDRESS, else
 * what the org.a11y.Bus service on the session bus answers (WebKitGTK 2.50;
 * it does not read the X display's AT_SPI_BUS property, as GTK's bridge
 * does). NULL when there is none: WebKit then proxies no accessibility bus. */
static char *
accessibility_bus_address (const char **source)
{
  const char *env = g_getenv ("AT_SPI_BUS_ADDRESS");
  if (env != NULL && *env != '\0')
    {
      *source = "the environment variable AT_SPI_BUS_ADDRESS";
      return g_strdup (env);
    }

  /* WebKit asks the same service (and so did GTK's accessibility bridge at
   * gtk_init), which answers from memory once started. */
  g_autoptr (GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (session == NULL)
    return NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
    session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress", NULL,
    G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
  if (reply == NULL)
    return NULL;
  char *address = NULL;
  g_variant_get (reply, "(s)", &address);
  *source = "the accessibility bus service (org.a11y.Bus) on the session bus";
  return address;
}

#define STALE_BUS_CAUSE                                                                            \
  "This happens when a bus outlives the session that started it, for instance one "              \
  "autolaunched for an X display whose XDG_RUNTIME_DIR was later deleted. "

static gboolean
check_buses (GError **error)
{
  const char *session = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autofree char *session_dir = bus_socket_directory (session);
  if (session_dir != NULL && !g_file_test (session_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                   "WebKit's sandbox cannot start: the session bus address in "
                   "DBUS_SESSION_BUS_ADDRESS (%s) names a socket in %s, which does not exist, "
                   "and WebKit would abort the app when its D-Bus proxy failed to start. "
                   STALE_BUS_CAUSE "Start the app from a running session, or give it a bus of "
                   "its own: dbus-run-session -- <your app>. " OPT_OUT_HELP,
                   session, session_dir);
      return FALSE;
    }

  const char *source = NULL;
  g_autofree char *a11y = accessibility_bus_address (&source);
  g_autofree char *a11y_dir = bus_socket_directory (a11y);
  if (a11y_dir != NULL && !g_file_test (a11y_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                   "WebKit's sandbox cannot start: the accessibility bus address %s, from %s, "
                   "names a socket in %s, which does not exist, and WebKit would abort the app "
                   "when its D-Bus proxy failed to start. " STALE_BUS_CAUSE "%s" OPT_OUT_HELP,
                   a11y, source, a11y_dir,
                   g_str_has_suffix (source, "AT_SPI_BUS_ADDRESS")
                     ? "Unset AT_SPI_BUS_ADDRESS (the running bus is then asked for its "
                       "address), or set it to that of the running accessibility bus. "
                     : "Restart the accessibility bus (at-spi-bus-launcher) or the session, or "
                       "give the app a session of its own: dbus-run-session -- <your app>. ");
      return FALSE;
    }
  return TRUE;
}

GSubprocess *
keel__sandbox_probe_start (GError **error)
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
      return NULL;
    }

  /* The one reliable test of user namespaces (sysctls, AppArmor, seccomp,
   * containers all play a part) is to try. It takes a few milliseconds, so
   * it runs while the app starts GTK and compiles its rules, and
   * keel__sandbox_probe_finish() collects it before the first web process. */
  GError *spawn_error = NULL;
  GSubprocess *probe = g_subprocess_new (
    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &spawn_error, bwrap,
    "--unshare-user-try", "--unshare-pid", "--ro-bind", "/", "/", "true", NULL);
  if (probe == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                   "WebKit's sandbox cannot start here: %s failed (%s). " OPT_OUT_HELP, bwrap,
                   spawn_error->message);
      g_error_free (spawn_error);
    }
  return probe;
}

gboolean
keel__sandbox_probe_finish (GSubprocess *probe, GError **error)
{
  g_autoptr (GBytes) stderr_bytes = NULL;
  g_autoptr (GError) wait_error = NULL;
  if (!g_subprocess_communicate (probe, NULL, NULL, NULL, &stderr_bytes, &wait_error)
      || !g_subprocess_get_successful (probe))
    {
      gsize length = 0;
      const char *data = stderr_bytes != NULL ? g_bytes_get_data (stderr_bytes, &length) : NULL;
      g_autofree char *err = g_utf8_make_valid (data != NULL ? data : "", (gssize) length);
      g_strstrip (err);
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                   "WebKit's sandbox cannot start here: %s failed (%s). Unprivileged user "
                   "namespaces are probably disabled (Debian: sysctl "
                   "kernel.unprivileged_userns_clone=1; in a container, allow them). "
                   OPT_OUT_HELP,
                   "bwrap", wait_error != NULL ? wait_error->message
                   : *err != '\0'    ? err
                                      : "it exited with an error");
      return FALSE;
    }
  return check_buses (error);
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
