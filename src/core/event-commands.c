#include "event-commands.h"

#include "invoke-private.h"
#include "message.h"

/* One argument, parsed alone: an emit's other argument, the payload, is
 * passed on as text and never parsed (see emit_command). */
static json_t *
small_arg (KeelInvoke *invoke, const char *key)
{
  g_autoptr (GBytes) text = keel_invoke_get_arg_json (invoke, key);
  return text != NULL ? keel__json_parse_checked (text) : NULL;
}

static gboolean
arg_event_name (KeelInvoke *invoke, json_t **holder, const char **event)
{
  *holder = small_arg (invoke, "event");
  if (!json_is_string (*holder))
    {
      /* Rejected with the argument helpers' words. */
      keel_invoke_arg_string (invoke, "event", event);
      return FALSE;
    }
  *event = json_string_value (*holder);
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
  g_autoptr (json_t) value = small_arg (invoke, "target");
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
  g_autoptr (json_t) name = NULL;
  const char *event;
  gint64 handler;
  KeelEventTarget target;
  if (!arg_event_name (invoke, &name, &event) || !keel_invoke_arg_int (invoke, "handler", &handler)
      || !arg_target (invoke, FALSE, &target))
    return;
  guint id = keel__event_bus_listen_page (bus, invoke->page_id, event, &target, (guint64) handler);
  keel__event_target_clear (&target);
  keel_invoke_resolve (invoke, json_integer (id));
}

static void
unlisten_command (KeelInvoke *invoke, gpointer bus)
{
  g_autoptr (json_t) name = NULL;
  const char *event;
  gint64 event_id;
  if (!arg_event_name (invoke, &name, &event) || !keel_invoke_arg_int (invoke, "eventId", &event_id))
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

/* The payload goes to the listening pages as the emitting page wrote it
 * (the scanner checked it when the call arrived); only C listeners, if
 * any, get it parsed. */
static void
emit_command (KeelInvoke *invoke, gpointer bus)
{
  g_autoptr (json_t) name = NULL;
  const char *event;
  if (!arg_event_name (invoke, &name, &event))
    return;
  g_autoptr (GBytes) payload = keel_invoke_get_arg_json (invoke, "payload");
  keel__event_bus_emit_text (bus, NULL, event, payload, invoke->window_label);
  keel_invoke_resolve (invoke, NULL);
}

static void
emit_to_command (KeelInvoke *invoke, gpointer bus)
{
  g_autoptr (json_t) name = NULL;
  const char *event;
  KeelEventTarget target;
  if (!arg_event_name (invoke, &name, &event) || !arg_target (invoke, TRUE, &target))
    return;
  g_autoptr (GBytes) payload = keel_invoke_get_arg_json (invoke, "payload");
  keel__event_bus_emit_text (bus, &target, event, payload, invoke->window_label);
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
