/* plugin:webview — windows created by pages (new WebviewWindow(...)). */
#include "plugins.h"

static void
create_webview_window_command (KeelInvoke *invoke, gpointer data)
{
  json_t *options;
  if (!keel_invoke_arg_object (invoke, "options", &options))
    return;
  g_autoptr (GError) error = NULL;
  KeelWindow *window = keel_app_create_window (keel_invoke_get_app (invoke), options, &error);
  if (window == NULL)
    {
      gboolean forbidden = g_error_matches (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN);
      keel_invoke_reject (invoke, forbidden ? "forbidden" : "invalid_args",
                          "plugin:webview|create_webview_window: %s",
                          error != NULL ? error->message : "the app is not running");
      return;
    }
  keel_invoke_resolve (invoke, NULL);
}

static void
get_all_webviews_command (KeelInvoke *invoke, gpointer data)
{
  json_t *list = json_array ();
  GList *windows = keel_app_list_windows (keel_invoke_get_app (invoke));
  for (GList *l = windows; l != NULL; l = l->next)
    {
      const char *label = keel_window_get_label (l->data);
      json_array_append_new (list, json_pack ("{s:s, s:s}", "windowLabel", label, "label", label));
    }
  g_list_free (windows);
  keel_invoke_resolve (invoke, list);
}

void
keel__plugin_webview_register (KeelApp *app)
{
  keel_app_register_command (app, "plugin:webview|create_webview_window",
                             create_webview_window_command, NULL, NULL);
  keel_app_register_command (app, "plugin:webview|get_all_webviews", get_all_webviews_command,
                             NULL, NULL);
}
