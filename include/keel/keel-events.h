/* keel-events.h — events between the core and pages.
 *
 * Pages use `emit`, `emitTo` and `listen` from `@tauri-apps/api/event` (or
 * `window.keel.emit/listen`); C code uses the functions below. Every event
 * passes through the core. Events emitted to all reach every listener, the
 * emitting page's own included. */
#pragma once

#include <jansson.h>

#include "keel-app.h"

G_BEGIN_DECLS

/**
 * KeelEventFunc:
 * @app: the app.
 * @event: the event name.
 * @payload: (transfer none): the payload (JSON null when none).
 * @source_label: (nullable): the label of the window whose page emitted it,
 *   or %NULL when C code emitted it.
 * @user_data: data given to keel_app_listen().
 *
 * A C event listener, called on the main thread.
 */
typedef void (*KeelEventFunc) (KeelApp *app, const char *event, json_t *payload,
                               const char *source_label, gpointer user_data);

/**
 * KeelEventJsonFunc:
 * @app: the app.
 * @event: the event name.
 * @payload_json: the payload's JSON text, not NUL-terminated (valid JSON:
 *   a page's payload was checked when it arrived). Borrowed: g_bytes_ref()
 *   it to keep it.
 * @source_label: the emitting window's label, or %NULL when C emitted it.
 * @user_data: the data given to keel_app_listen_json().
 *
 * A C listener that takes the payload as text, as Tauri's Rust listeners
 * do: nothing is parsed for it.
 */
typedef void (*KeelEventJsonFunc) (KeelApp *app, const char *event, GBytes *payload_json,
                                   const char *source_label, gpointer user_data);

/**
 * keel_app_emit:
 * @app: an app.
 * @event: the event name: ASCII letters, digits, '-', '/', ':' and '_'.
 * @payload: (transfer full) (nullable): the payload; %NULL means JSON null.
 *
 * Sends an event to every listener of every page and to C listeners.
 * An invalid name is refused with a warning.
 */
KEEL_API void keel_app_emit (KeelApp *app, const char *event, json_t *payload);

/**
 * keel_app_emit_to:
 * @app: an app.
 * @label: the window (or web view) label to target.
 * @event: the event name.
 * @payload: (transfer full) (nullable): the payload.
 *
 * Sends an event to the listeners targeting @label, with Tauri's rules: a
 * page listener registered with the default target (any) receives it too.
 */
KEEL_API void keel_app_emit_to (KeelApp *app, const char *label, const char *event, json_t *payload);

/**
 * keel_app_listen:
 * @app: an app.
 * @event: the event name.
 * @func: the listener.
 * @user_data: data for @func.
 * @destroy: (nullable): frees @user_data when the listener is removed.
 *
 * Listens to an event, wherever it is emitted (pages or C).
 *
 * Returns: an id for keel_app_unlisten().
 */
KEEL_API guint keel_app_listen (KeelApp *app, const char *event, KeelEventFunc func,
                                gpointer user_data, GDestroyNotify destroy);

/**
 * keel_app_listen_json:
 * @app: an app.
 * @event: the event name.
 * @func: the listener, given the payload as JSON text.
 * @user_data: data for @func.
 * @destroy: (nullable): frees @user_data when the listener is removed.
 *
 * Like keel_app_listen(), for a listener that passes payloads on or reads
 * them itself: the payload of a page's emit reaches it as the page wrote it,
 * never parsed and re-encoded.
 *
 * Returns: an id for keel_app_unlisten().
 */
KEEL_API guint keel_app_listen_json (KeelApp *app, const char *event, KeelEventJsonFunc func,
                                     gpointer user_data, GDestroyNotify destroy);

/**
 * keel_app_emit_json:
 * @app: an app.
 * @label: (nullable): the window (or web view) label to target, as
 *   keel_app_emit_to(); %NULL for every listener, as keel_app_emit().
 * @event: the event name.
 * @payload_json: the payload as JSON text (not NUL-terminated), for example
 *   what a #KeelEventJsonFunc or keel_invoke_get_arg_json() gave.
 *
 * Sends an event whose payload the app holds as text: pages get it as is.
 * Text that is not one JSON value is refused with a warning.
 */
KEEL_API void keel_app_emit_json (KeelApp *app, const char *label, const char *event,
                                  GBytes *payload_json);

/** keel_app_unlisten: removes a listener added with keel_app_listen(). */
KEEL_API void keel_app_unlisten (KeelApp *app, guint listener_id);

G_END_DECLS
