/* plugin:resources — close, for `Resource.close()` in @tauri-apps/api/core:
 * releases an object a page holds by id (keel_app_add_resource()). */
#include "plugins.h"

static void
close_command (KeelInvoke *invoke, gpointer data)
{
  gint64 rid;
  if (!keel_invoke_arg_int (invoke, "rid", &rid))
    return;
  if (rid < 1 || rid > G_MAXUINT32 || !keel_app_close_resource (keel_invoke_get_app (invoke),
                                                                (guint32) rid))
    {
      keel_invoke_reject (invoke, "not_found",
                          "plugin:resources|close: no resource is open under id %" G_GINT64_FORMAT
                          " (it was closed already, or never opened)",
                          rid);
      return;
    }
  keel_invoke_resolve (invoke, NULL);
}

void
keel__plugin_resources_register (KeelApp *app)
{
  keel_app_register_command (app, "plugin:resources|close", close_command, NULL, NULL);
}
