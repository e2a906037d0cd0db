/* plugin:window — Tauri's window commands. Each names its TARGET window in
 * "label" (default: the calling window); the permission check (issue 3)
 * applies to the CALLING window. */
#include <string.h>

#include "plugins.h"

typedef void (*ActionFunc) (KeelWindow *window);
typedef gboolean (*QueryFunc) (KeelWindow *window);
typedef void (*SetFunc) (KeelWindow *window, gboolean value);

/* Finds the target window; rejects the invoke and returns NULL if absent. */
static KeelWindow *
target_window (KeelInvoke *invoke)
{
  const char *label = keel_invoke_get_window_label (invoke);
  if (!keel_invoke_arg_string_opt (invoke, "label", &label))
    return NULL;
  KeelWindow *window = keel_app_get_window (keel_invoke_get_app (invoke), label);
  if (window == NULL)
    keel_invoke_reject (invoke, "not_found", "%s: no window labelled \"%s\"",
                        keel_invoke_get_command (invoke), label);
  return window;
}

static void
action_command (KeelInvoke *invoke, gpointer func)
{
  KeelWindow *window = target_window (invoke);
  if (window == NULL)
    return;
  ((ActionFunc) func) (window);
  keel_invoke_resolve (invoke, NULL);
}

static void
query_command (KeelInvoke *invoke, gpointer func)
{
  KeelWindow *window = target_window (invoke);
  if (window == NULL)
    return;
  keel_invoke_resolve (invoke, json_boolean (((QueryFunc) func) (window)));
}

static void
set_command (KeelInvoke *invoke, gpointer func)
{
  KeelWindow *window = target_window (invoke);
  gboolean value;
  if (window == NULL || !keel_invoke_arg_bool (invoke, "value", &value))
    return;
  ((SetFunc) func) (window, value);
  keel_invoke_resolve (invoke, NULL);
}

static void
toggle_maximize (KeelWindow *window)
{
  if (keel_window_is_maximized (window))
    keel_window_unmaximize (window);
  else
    keel_window_maximize (window);
}

static void
title_command (KeelInvoke *invoke, gpointer data)
{
  KeelWindow *window = target_window (invoke);
  if (window != NULL)
    keel_invoke_resolve (invoke, json_string (keel_window_get_title (window)));
}

static void
set_title_command (KeelInvoke *invoke, gpointer data)
{
  KeelWindow *window = target_window (invoke);
  const char *title;
  if (window == NULL || !keel_invoke_arg_string (invoke, "value", &title))
    return;
  keel_window_set_title (window, title);
  keel_invoke_resolve (invoke, NULL);
}

static void
size_command (KeelInvoke *invoke, gpointer outer)
{
  KeelWindow *window = target_window (invoke);
  if (window == NULL)
    return;
  int width, height;
  if (outer != NULL)
    keel_window_get_outer_size (window, &width, &height);
  else
    keel_window_get_inner_size (window, &width, &height);
  keel_invoke_resolve (invoke, json_pack ("{s:i, s:i}", "width", width, "height", height));
}

static void
scale_factor_command (KeelInvoke *invoke, gpointer data)
{
  KeelWindow *window = target_window (invoke);
  if (window != NULL)
    keel_invoke_resolve (invoke, json_real (keel_window_get_scale_factor (window)));
}

/* value is Tauri's Size: {"Logical": {width, height}} or {"Physical": {...}}. */
static void
set_size_command (KeelInvoke *invoke, gpointer data)
{
  KeelWindow *window = target_window (invoke);
  json_t *value;
  if (window == NULL || !keel_invoke_arg_object (invoke, "value", &value))
    return;
  json_t *logical = json_object_get (value, "Logical");
  json_t *physical = json_object_get (value, "Physical");
  json_t *size = logical != NULL ? logical : physical;
  json_t *width = json_object_get (size, "width");
  json_t *height = json_object_get (size, "height");
  if (!json_is_number (width) || !json_is_number (height) || json_number_value (width) < 1
      || json_number_value (height) < 1 || json_number_value (width) > 100000
      || json_number_value (height) > 100000)
    {
      keel_invoke_reject (invoke, "invalid_args",
                          "plugin:window|set_size: \"value\" must be {\"Logical\": {width, "
                          "height}} or {\"Physical\": {width, height}} with sizes from 1 to "
                          "100000");
      return;
    }
  double scale = logical != NULL ? 1.0 : keel_window_get_scale_factor (window);
  keel_window_set_size (window, (int) (json_number_value (width) / scale + 0.5),
                        (int) (json_number_value (height) / scale + 0.5));
  keel_invoke_resolve (invoke, NULL);
}

static void
get_all_windows_command (KeelInvoke *invoke, gpointer data)
{
  json_t *labels = json_array ();
  GList *windows = keel_app_list_windows (keel_invoke_get_app (invoke));
  for (GList *l = windows; l != NULL; l = l->next)
    json_array_append_new (labels, json_string (keel_window_get_label (l->data)));
  g_list_free (windows);
  keel_invoke_resolve (invoke, labels);
}

static const struct
{
  const char *name;
  KeelCommandFunc handler;
  gpointer func;
} commands[] = {
  { "plugin:window|get_all_windows", get_all_windows_command, NULL },
  { "plugin:window|title", title_command, NULL },
  { "plugin:window|set_title", set_title_command, NULL },
  { "plugin:window|inner_size", size_command, NULL },
  { "plugin:window|outer_size", size_command, (gpointer) "outer" },
  { "plugin:window|scale_factor", scale_factor_command, NULL },
  { "plugin:window|set_size", set_size_command, NULL },
  { "plugin:window|close", action_command, (gpointer) keel_window_close },
  { "plugin:window|destroy", action_command, (gpointer) keel_window_destroy },
  { "plugin:window|show", action_command, (gpointer) keel_window_show },
  { "plugin:window|hide", action_command, (gpointer) keel_window_hide },
  { "plugin:window|set_focus", action_command, (gpointer) keel_window_focus },
  { "plugin:window|center", action_command, (gpointer) keel_window_center },
  { "plugin:window|maximize", action_command, (gpointer) keel_window_maximize },
  { "plugin:window|unmaximize", action_command, (gpointer) keel_window_unmaximize },
  { "plugin:window|toggle_maximize", action_command, (gpointer) toggle_maximize },
  { "plugin:window|minimize", action_command, (gpointer) keel_window_minimize },
  { "plugin:window|unminimize", action_command, (gpointer) keel_window_unminimize },
  { "plugin:window|is_visible", query_command, (gpointer) keel_window_is_visible },
  { "plugin:window|is_focused", query_command, (gpointer) keel_window_is_focused },
  { "plugin:window|is_maximized", query_command, (gpointer) keel_window_is_maximized },
  { "plugin:window|is_minimized", query_command, (gpointer) keel_window_is_minimized },
  { "plugin:window|is_fullscreen", query_command, (gpointer) keel_window_is_fullscreen },
  { "plugin:window|is_resizable", query_command, (gpointer) keel_window_is_resizable },
  { "plugin:window|set_resizable", set_command, (gpointer) keel_window_set_resizable },
  { "plugin:window|set_fullscreen", set_command, (gpointer) keel_window_set_fullscreen },
};

void
keel__plugin_window_register (KeelApp *app)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    keel_app_register_command (app, commands[i].name, commands[i].handler, commands[i].func,
                               NULL);
}
