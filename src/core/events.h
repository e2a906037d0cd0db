/* events.h — the event bus: who listens to what, and who gets an emit.
 *
 * Targets and their matching follow Tauri v2 (2.1 and later) exactly, so
 * frontends behave as they do there: a listener registered with target Any
 * receives every event of its name, even one emitted to another window;
 * emit_to(AnyLabel(l)) reaches every listener whose target carries label l;
 * a listener registered with AnyLabel(l) hears emit_to of any kind naming l;
 * otherwise emit_to(E) reaches listeners whose target equals E. Page listeners belong to a page id
 * and die with it. Platform-free: delivery to a page is a record handed to
 * the shell, for the page's outbox. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "keel/keel-events.h"

typedef enum
{
  KEEL_EVENT_TARGET_ANY,
  KEEL_EVENT_TARGET_ANY_LABEL,
  KEEL_EVENT_TARGET_APP,
  KEEL_EVENT_TARGET_WINDOW,
  KEEL_EVENT_TARGET_WEBVIEW,
  KEEL_EVENT_TARGET_WEBVIEW_WINDOW,
} KeelEventTargetKind;

typedef struct
{
  KeelEventTargetKind kind;
  char *label; /* NULL for Any and App */
} KeelEventTarget;

/* Parses Tauri's {kind, label} target (a bare string means AnyLabel). */
gboolean keel__event_target_parse (json_t *value, KeelEventTarget *out, GError **error);
void keel__event_target_clear (KeelEventTarget *target);
/* Does a listener registered with `listener` get an event emitted to `emitted`? */
gboolean keel__event_target_matches (const KeelEventTarget *listener, const KeelEventTarget *emitted);

/* Event names: 1..256 ASCII letters, digits, '-', '/', ':', '_' (Tauri's rule). */
gboolean keel__event_name_check (const char *name, GError **error);

/* Hands a page the record that runs its listeners (a "v" record of
 * outbox.h, for the page's outbox). */
typedef void (*KeelEventScriptFunc) (gpointer user_data, guint64 page_id, const char *record);

typedef struct _KeelEventBus KeelEventBus;

KeelEventBus *keel__event_bus_new (KeelApp *app, KeelEventScriptFunc deliver, gpointer user_data);
void keel__event_bus_free (KeelEventBus *bus);

/* A page listener; handler_id is the page's callback id. Returns the event id. */
guint keel__event_bus_listen_page (KeelEventBus *bus, guint64 page_id, const char *event,
                                   const KeelEventTarget *target, guint64 handler_id);
gboolean keel__event_bus_unlisten_page (KeelEventBus *bus, guint64 page_id, const char *event,
                                        guint event_id);
/* Does that page listen to that event (with any target)? */
gboolean keel__event_bus_page_listens (KeelEventBus *bus, guint64 page_id, const char *event);
void keel__event_bus_forget_page (KeelEventBus *bus, guint64 page_id);

guint keel__event_bus_listen_c (KeelEventBus *bus, const char *event, KeelEventFunc func,
                                KeelEventJsonFunc json_func, gpointer user_data,
                                GDestroyNotify destroy);
gboolean keel__event_bus_unlisten_c (KeelEventBus *bus, guint listener_id);

/* Emits to all (target NULL) or to a target. payload is borrowed (NULL = null).
 * source_label names the emitting window, NULL for C. The name must already
 * be checked. */
void keel__event_bus_emit (KeelEventBus *bus, const KeelEventTarget *target, const char *event,
                           json_t *payload, const char *source_label);

/* The same for a payload given as JSON text the scanner accepted (an
 * argument of a page's emit, keel_invoke_get_arg_json()): it reaches pages
 * as is, never parsed and re-encoded; C listeners get it parsed. NULL is
 * JSON null. */
void keel__event_bus_emit_text (KeelEventBus *bus, const KeelEventTarget *target,
                                const char *event, GBytes *payload_json,
                                const char *source_label);

/* Whether payload_json is the very text (the same GBytes) the bus is handing
 * a JSON listener at this moment, so text the bus already checked: a
 * listener that passes its payload on (keel_app_emit_json) is not scanned
 * again. */
gboolean keel__event_bus_handed_out (KeelEventBus *bus, GBytes *payload_json);

/* Number of page listeners (all pages), for tests. */
guint keel__event_bus_page_listener_count (KeelEventBus *bus);
