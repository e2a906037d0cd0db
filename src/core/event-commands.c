#include "event-commands.h"

#include "invoke-private.h"

static gboolean
arg_event_name (KeelInvoke *invoke, const char **event)
{
  if (!keel_invoke_arg_string (invoke, "event", event))
    return FALSE;
  g_autoptr (GError) error = NULL;
  if (!keel__event_name_check (*event, &error))
    {
      keel_invoke_reject (invoke, "invalid_args", "%s: %s", invoke->command, error->message);
      return FALSE;
    }
  return TRUE;
}

/* Reads "target" into out; a missing target is Any. */
static gboolean
arg_target (KeelInvoke *invoke, gboolean required, KeelEventTarget *out)
{
  json_t *value = json_object_get (invoke->args, "target");
  if (value == NULL && !required)
    {
      out->kind = KEEL_EVENT_TARGET_ANY;
      out->label = NULL;
      return TRUE;
    }
  g_autoptr (GError) error = NULL;
  if (!keel__event_target_parse (value, out, &error))
    {
      keel_invoke_reject (invoke, "invalid_args", "%s: %s", invoke->command, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
listen_command (KeelInvoke *invoke, gpointer bus)
{
  const char *event;
  gint64 handler;
  KeelEventTarget target;
  if (!arg_event_name (invoke, &event) || !keel_invoke_arg_int (invoke, "handler", &handler)
      || !arg_target (invoke, FALSE, &target))
    return;
  guint id = keel__event_bus_listen_page (bus, invoke->page_id, event, &target, (guint64) handler);
  keel__event_target_clear (&target);
  keel_invoke_resolve (invoke, json_integer (id));
}

static void
unlisten_command (KeelInvoke *invoke, gpointer bus)
{
  const char *event;
  gint64 event_id;
  if (!arg_event_name (invoke, &event) || !keel_invoke_arg_int (invoke, "eventId", &event_id))
    return;
  if (event_id < 1 || event_id > G_MAXUINT)
    {
      keel_invoke_reject (invoke, "invalid_args",
                          "plugin:event|unlisten: eventId %" G_GINT64_FORMAT
                          " is not an id that listen returned",
                          event_id);
      return;
    }
  /* Unlistening twice is harmless, as in Tauri: once() and unlisten race. */
  keel__event_bus_unlisten_page (bus, invoke->page_id, event, (guint) event_id);
  keel_invoke_resolve (invoke, NULL);
}

static void
emit_command (KeelInvoke *invoke, gpointer bus)
{
  const char *event;
  if (!arg_event_name (invoke, &event))
    return;
  keel__event_bus_emit (bus, NULL, event, json_object_get (invoke->args, "payload"),
                        invoke->window_label);
  keel_invoke_resolve (invoke, NULL);
}

static void
emit_to_command (KeelInvoke *invoke, gpointer bus)
{
  const char *event;
  KeelEventTarget target;
  if (!arg_event_name (invoke, &event) || !arg_target (invoke, TRUE, &target))
    return;
  keel__event_bus_emit (bus, &target, event, json_object_get (invoke->args, "payload"),
                        invoke->window_label);
  keel__event_target_clear (&target);
  keel_invoke_resolve (invoke, NULL);
}

void
keel__event_commands_register (KeelRouter *router, KeelEventBus *bus)
{
  keel__router_register (router, "plugin:event|listen", listen_command, bus, NULL);
  keel__router_register (router, "plugin:event|unlisten", unlisten_command, bus, NULL);
  keel__router_register (router, "plugin:event|emit", emit_command, bus, NULL);
  keel__router_register (router, "plugin:event|emit_to", emit_to_command, bus, NULL);
}
