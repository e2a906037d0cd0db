/* keel-command.h — commands that pages invoke, and hooks that see every call.
 *
 * A page calls `invoke('greet', {name: 'Ada'})`. The core finds the command
 * registered as "greet" and calls its handler with a #KeelInvoke that holds
 * the parsed arguments, the calling window and the page origin. The handler
 * answers with exactly one keel_invoke_resolve() or keel_invoke_reject(),
 * at once or later, from any thread. */
#pragma once

#include <jansson.h>

#include "keel-app.h"

G_BEGIN_DECLS

/**
 * KeelInvoke:
 *
 * One call from a page, waiting for its answer. The handler owns it from the
 * moment it is called until it calls one of keel_invoke_resolve(),
 * keel_invoke_resolve_raw(), keel_invoke_resolve_bytes(), keel_invoke_reject() or
 * keel_invoke_reject_value(),
 * which consume it: exactly one of them, exactly once, from any thread.
 * If the page has gone by then (closed, reloaded, crashed) the answer is
 * dropped without harm.
 */
typedef struct _KeelInvoke KeelInvoke;

/**
 * KeelCommandFunc:
 * @invoke: (transfer full): the call; answer it exactly once.
 * @user_data: the data given at registration.
 *
 * A command handler, called on the main thread.
 */
typedef void (*KeelCommandFunc) (KeelInvoke *invoke, gpointer user_data);

/**
 * keel_app_register_command:
 * @app: an app.
 * @name: the name pages invoke, e.g. "greet", or "plugin:NAME|command" for plugins.
 * @handler: the handler.
 * @user_data: data passed to @handler.
 * @destroy: (nullable): frees @user_data when the app is freed.
 *
 * Registers a command. A name already registered is replaced (with a warning).
 * Register every command before keel_app_run() (and before
 * keel_app_describe_permissions()): the command's `allow-`/`deny-`
 * permissions are made then, and a command registered later is refused with
 * a critical warning, since no capability could grant it.
 */
KEEL_API void keel_app_register_command (KeelApp *app, const char *name, KeelCommandFunc handler,
                                         gpointer user_data, GDestroyNotify destroy);

/* Accessors: valid until the invoke is answered; callable from any thread. */

/**
 * keel_invoke_get_app:
 *
 * Returns: (transfer none) (nullable): the app, or %NULL when the app was
 *   freed while the invoke was pending (a worker thread finishing late).
 */
KEEL_API KeelApp *keel_invoke_get_app (KeelInvoke *invoke);
/**
 * keel_invoke_get_state:
 * @invoke: a call, not answered yet.
 * @key: the name given to keel_app_manage().
 *
 * The app's managed state, from a handler — Tauri's `State<T>` argument.
 * Callable from any thread, also after the app was freed while this invoke
 * was pending: the state lives until such invokes are gone. The state must
 * do its own locking when handlers change it (see keel_app_manage()).
 *
 * Returns: (transfer none) (nullable): the state managed under @key, or %NULL.
 */
KEEL_API gpointer keel_invoke_get_state (KeelInvoke *invoke, const char *key);
/** keel_invoke_get_command: Returns: (transfer none): the command name. */
KEEL_API const char *keel_invoke_get_command (KeelInvoke *invoke);
/**
 * keel_invoke_get_args:
 *
 * Returns: (transfer none): the arguments, a JSON object (empty when the page
 *   gave none). Use json_incref() to keep them beyond the answer.
 */
KEEL_API json_t *keel_invoke_get_args (KeelInvoke *invoke);
/**
 * keel_invoke_get_arg_json:
 * @key: a top-level argument's name.
 *
 * One argument's JSON text, exactly as the page sent it, without parsing
 * it: for a value the handler passes on without looking inside — back to the
 * page with keel_invoke_resolve_json(), to a file, to other pages. The core
 * checked the text when the call arrived (it is valid JSON, which
 * keel_invoke_get_args() would parse), but never built it: a megabyte passes
 * through in a fraction of the time parsing and re-encoding it takes.
 * If a request hook replaced the arguments, this is the new value's text.
 *
 * Returns: (transfer full) (nullable): the text (not NUL-terminated), or
 *   %NULL when the call has no such argument.
 */
KEEL_API GBytes *keel_invoke_get_arg_json (KeelInvoke *invoke, const char *key);
/**
 * keel_invoke_get_body:
 *
 * The bytes of a binary call: the page invoked the command with an
 * `ArrayBuffer` or a typed array (`Uint8Array`...) as its arguments —
 * Tauri's raw request. Its JSON arguments are then an empty object.
 *
 * Returns: (transfer none) (nullable): the bytes, or %NULL for a JSON call.
 *   Use g_bytes_ref() to keep them beyond the answer.
 */
KEEL_API GBytes *keel_invoke_get_body (KeelInvoke *invoke);
/**
 * keel_invoke_get_header:
 * @name: a header name, in any case.
 *
 * A header the page sent with the call (`invoke(cmd, args, {headers})`),
 * for JSON and binary calls alike. Headers are the page's own words: treat
 * them as untrusted input like the arguments.
 *
 * Returns: (transfer none) (nullable): its value, or %NULL if not sent.
 */
KEEL_API const char *keel_invoke_get_header (KeelInvoke *invoke, const char *name);
/** keel_invoke_get_window_label: Returns: (transfer none): the label of the calling window. */
KEEL_API const char *keel_invoke_get_window_label (KeelInvoke *invoke);
/** keel_invoke_get_webview_label: Returns: (transfer none): the label of the calling web view. */
KEEL_API const char *keel_invoke_get_webview_label (KeelInvoke *invoke);
/**
 * keel_invoke_get_origin:
 *
 * Returns: (transfer none): the origin of the calling page as the core saw it
 *   (never as the page claims it), e.g. "keel://localhost" or "http://localhost:5173".
 */
KEEL_API const char *keel_invoke_get_origin (KeelInvoke *invoke);

/**
 * keel_invoke_get_url:
 *
 * Returns: (transfer none) (nullable): the URL of the calling document as
 *   the page reported it, %NULL for calls the core made itself. Its origin
 *   is checked (it is the one the window shows); its path is not, since a
 *   page may change it with history.replaceState(): never base a decision
 *   on the path.
 */
KEEL_API const char *keel_invoke_get_url (KeelInvoke *invoke);

/**
 * keel_invoke_get_scope_allow:
 *
 * The allow scopes that apply to this call: every "allow" scope entry of the
 * permissions that granted the command to the calling window (from their
 * manifests and from the capability's inline `{"identifier", "allow"}`
 * objects), and of the plugin's scope-only permissions granted to it. What
 * an entry means is the plugin's business: a store plugin may read
 * `{"path": "settings.json"}`. A plugin that has scopes should refuse what
 * no allow entry covers and everything a deny entry covers (deny wins).
 *
 * Returns: (transfer none): a JSON array, empty when none apply.
 */
KEEL_API json_t *keel_invoke_get_scope_allow (KeelInvoke *invoke);

/**
 * keel_invoke_get_scope_deny:
 *
 * The deny scopes that apply to this call; see keel_invoke_get_scope_allow().
 *
 * Returns: (transfer none): a JSON array, empty when none apply.
 */
KEEL_API json_t *keel_invoke_get_scope_deny (KeelInvoke *invoke);

/**
 * keel_invoke_resolve:
 * @invoke: (transfer full): the call.
 * @value: (transfer full) (nullable): the result; %NULL means JSON null.
 *
 * Fulfils the page's promise with @value. Callable from any thread; the reply
 * is sent from the main loop.
 */
KEEL_API void keel_invoke_resolve (KeelInvoke *invoke, json_t *value);

/**
 * keel_invoke_resolve_bytes:
 * @invoke: (transfer full): the call.
 * @bytes: (transfer full): the result, any bytes.
 *
 * Fulfils the page's promise with an `ArrayBuffer` holding @bytes — Tauri's
 * raw response (`tauri::ipc::Response`). Whichever way the call came (JSON or
 * a binary body), the bytes travel as bytes, never as JSON. Callable from any
 * thread. Response hooks see the result as JSON null; a hook that replaces it
 * answers with its value instead.
 */
KEEL_API void keel_invoke_resolve_bytes (KeelInvoke *invoke, GBytes *bytes);

/**
 * keel_invoke_resolve_json:
 * @invoke: (transfer full): the call.
 * @json_text: (transfer full): a complete JSON text (not NUL-terminated),
 *   such as keel_invoke_get_arg_json() gives.
 *
 * Like keel_invoke_resolve_raw() for JSON text held as bytes: sent as is,
 * parsed only when a response hook needs the value.
 */
KEEL_API void keel_invoke_resolve_json (KeelInvoke *invoke, GBytes *json_text);

/**
 * keel_invoke_resolve_raw:
 * @invoke: (transfer full): the call.
 * @json_text: a complete JSON text, sent as is without being parsed again.
 *
 * Like keel_invoke_resolve() for a result the handler already holds as JSON
 * text. The text must be valid JSON; it is checked only when a response hook
 * needs the value.
 */
KEEL_API void keel_invoke_resolve_raw (KeelInvoke *invoke, const char *json_text);

/**
 * keel_invoke_reject:
 * @invoke: (transfer full): the call.
 * @code: a stable, machine-readable error code such as "not_found".
 * @format: printf-style message for people: what was wrong and how to fix it.
 *
 * Rejects the page's promise with `{code, message}`. Callable from any thread.
 */
KEEL_API void keel_invoke_reject (KeelInvoke *invoke, const char *code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

/**
 * keel_invoke_reject_value:
 * @invoke: (transfer full): the call.
 * @error: (transfer full): the value the promise rejects with (any JSON).
 *
 * Rejects with an arbitrary value, for frontends that expect a given shape.
 */
KEEL_API void keel_invoke_reject_value (KeelInvoke *invoke, json_t *error);

/* Argument helpers. Each looks up @key in the arguments. On success it
 * stores the value in *out and returns TRUE. Otherwise it REJECTS the invoke
 * (which consumes it: return at once) with code "invalid_args" and a message
 * naming the command, the key, the expected type and what was given, and
 * returns FALSE. The _opt variants also accept a missing key or null, leaving
 * *out as it was (set your default first). Callable from any thread before
 * the invoke is answered. */

/**
 * keel_invoke_arg_string:
 *
 * Reads a string argument. *out is borrowed: valid until the invoke is answered.
 * Returns: %TRUE, or %FALSE after rejecting the invoke.
 */
KEEL_API gboolean keel_invoke_arg_string (KeelInvoke *invoke, const char *key, const char **out);
/**
 * keel_invoke_arg_string_opt:
 *
 * Like keel_invoke_arg_string(), accepting a missing key or null.
 * Returns: %TRUE, or %FALSE after rejecting the invoke.
 */
KEEL_API gboolean keel_invoke_arg_string_opt (KeelInvoke *invoke, const char *key, const char **out);
/**
 * keel_invoke_arg_int:
 *
 * Reads an integer argument. JavaScript has one number type, so 3.0 is
 * accepted as 3; 3.5 is refused.
 * Returns: %TRUE, or %FALSE after rejecting the invoke.
 */
KEEL_API gboolean keel_invoke_arg_int (KeelInvoke *invoke, const char *key, gint64 *out);
/**
 * keel_invoke_arg_int_opt:
 *
 * Like keel_invoke_arg_int(), accepting a missing key or null.
 * Returns: %TRUE, or %FALSE after rejecting the invoke.
 */
KEEL_API gboolean keel_invoke_arg_int_opt (KeelInvoke *invoke, const char *key, gint64 *out);
/**
 * keel_invoke_arg_double:
 *
 * Reads a number argument.
 * Returns: %TRUE, or %FALSE after rejecting the invoke.
 */
KEEL_API gboolean keel_invoke_arg_double (KeelInvoke *invoke, const char *key, double *out);
/**
 * keel_invoke_arg_bool:
 *
 * Reads a boolean argument (true or false; other values are refused).
 * Returns: %TRUE, or %FALSE after rejecting the invoke.
 */
KEEL_API gboolean keel_invoke_arg_bool (KeelInvoke *invoke, const char *key, gboolean *out);
/**
 * keel_invoke_arg_bool_opt:
 *
 * Like keel_invoke_arg_bool(), accepting a missing key or null.
 * Returns: %TRUE, or %FALSE after rejecting the invoke.
 */
KEEL_API gboolean keel_invoke_arg_bool_opt (KeelInvoke *invoke, const char *key, gboolean *out);
/**
 * keel_invoke_arg_object:
 *
 * Reads an object argument. *out is borrowed, like keel_invoke_get_args().
 * Returns: %TRUE, or %FALSE after rejecting the invoke.
 */
KEEL_API gboolean keel_invoke_arg_object (KeelInvoke *invoke, const char *key, json_t **out);

/**
 * keel_json_type_words:
 * @value: (nullable): a JSON value.
 *
 * The kind of @value in the words Keel's error messages use after "got":
 * "an object", "an array", "a string", "an integer", "a number with a
 * fraction", "a boolean", "null", and "nothing" for %NULL. For a plugin's own
 * messages, so that they read like the core's.
 *
 * Returns: (transfer none): a static string.
 */
KEEL_API const char *keel_json_type_words (const json_t *value);

/**
 * KeelRequestHook:
 * @invoke: the call, before any permission check or handler; the hook may
 *   read it and replace its arguments with keel_invoke_set_args(). It must not
 *   answer it.
 * @error: set it, and return %FALSE, to refuse the call: the page's promise
 *   rejects with `{code: "refused", message: error->message}`.
 * @user_data: the data given at registration.
 *
 * Sees every call from every page, built-in commands included, on the main
 * thread, in the order hooks were added — before the permission check, so
 * also calls that will be refused, from pages that may call nothing: treat
 * the arguments as untrusted and act on nothing but the decision to refuse
 * or rewrite.
 *
 * Returns: %TRUE to let the call through.
 */
typedef gboolean (*KeelRequestHook) (KeelInvoke *invoke, GError **error, gpointer user_data);

/**
 * KeelResponseHook:
 * @invoke: the call being answered (its accessors still work).
 * @is_error: whether the answer is a rejection.
 * @value: (inout) (transfer full): the answer; the hook may replace it
 *   (json_decref() the old value, store a new one).
 * @user_data: the data given at registration.
 *
 * Sees every answer on its way back, on the main thread, even if the page
 * that asked has gone.
 */
typedef void (*KeelResponseHook) (KeelInvoke *invoke, gboolean is_error, json_t **value,
                                  gpointer user_data);

/**
 * keel_invoke_set_args:
 * @invoke: a call inside a #KeelRequestHook.
 * @args: (transfer full): the new arguments, a JSON object.
 *
 * Rewrites the arguments the handler will see.
 */
KEEL_API void keel_invoke_set_args (KeelInvoke *invoke, json_t *args);

/**
 * keel_app_add_request_hook:
 * Returns: an id for keel_app_remove_hook().
 */
KEEL_API guint keel_app_add_request_hook (KeelApp *app, KeelRequestHook hook, gpointer user_data,
                                          GDestroyNotify destroy);
/**
 * keel_app_add_response_hook:
 * Returns: an id for keel_app_remove_hook().
 */
KEEL_API guint keel_app_add_response_hook (KeelApp *app, KeelResponseHook hook, gpointer user_data,
                                           GDestroyNotify destroy);
/** keel_app_remove_hook: removes a request or response hook by its id. */
KEEL_API void keel_app_remove_hook (KeelApp *app, guint hook_id);

G_END_DECLS
