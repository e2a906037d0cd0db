/* plugin:app — the app's name, version, identifier; exit. */
#include "plugins.h"

static void
name_command (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_string (keel_app_get_name (keel_invoke_get_app (invoke))));
}

static void
version_command (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_string (keel_app_get_version (keel_invoke_get_app (invoke))));
}

static void
identifier_command (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke,
                       json_string (keel_app_get_identifier (keel_invoke_get_app (invoke))));
}

/* Tauri answers its own version here; Keel answers Keel's. */
static void
tauri_version_command (KeelInvoke *invoke, gpointer data)
{
  keel_invoke_resolve (invoke, json_string (keel_version_string ()));
}

static void
exit_command (KeelInvoke *invoke, gpointer data)
{
  gint64 code = 0;
  if (!keel_invoke_arg_int_opt (invoke, "code", &code))
    return;
  if (code < G_MININT32 || code > G_MAXINT32)
    {
      keel_invoke_reject (invoke, "invalid_args",
                          "plugin:app|exit: code %" G_GINT64_FORMAT " is out of range", code);
      return;
    }
  KeelApp *app = keel_invoke_get_app (invoke);
  keel_invoke_resolve (invoke, NULL);
  keel_app_exit (app, (int) code);
}

void
keel__plugin_app_register (KeelApp *app)
{
  keel_app_register_command (app, "plugin:app|name", name_command, NULL, NULL);
  keel_app_register_command (app, "plugin:app|version", version_command, NULL, NULL);
  keel_app_register_command (app, "plugin:app|identifier", identifier_command, NULL, NULL);
  keel_app_register_command (app, "plugin:app|tauri_version", tauri_version_command, NULL, NULL);
  keel_app_register_command (app, "plugin:app|exit", exit_command, NULL, NULL);
}
