/* keel-app.h — the core process: configuration, windows, main loop.
 *
 * Threads: every function here must be called from the thread that runs
 * keel_app_run() (the main thread), unless its comment says otherwise. */
#pragma once

#include <jansson.h>

#include "keel-error.h"

G_BEGIN_DECLS

typedef struct _KeelApp KeelApp;
typedef struct _KeelWindow KeelWindow;

/**
 * keel_app_new:
 * @config_path: `keel.json`, or a directory that holds one.
 * @error: return location for an error.
 *
 * Loads and validates the configuration. No window opens and no display is
 * needed yet, so a configuration error is reported before anything shows:
 * the message gives file:line:column, the key, and what is expected.
 * Relative paths in the file (`build.frontendDist`) start at its directory.
 *
 * Returns: (transfer full) (nullable): a new app, or %NULL with @error set.
 */
KEEL_API KeelApp *keel_app_new (const char *config_path, GError **error);

/**
 * keel_app_new_from_resource:
 * @resource_dir: a GResource path such as "/org/example/hello".
 * @error: return location for an error.
 *
 * Like keel_app_new(), for an app that embeds its `keel.json` and frontend in
 * its binary with GResource (see docs/configuration.md): the configuration
 * is read from `@resource_dir/keel.json`, and `build.frontendDist` names a
 * directory below @resource_dir.
 *
 * Returns: (transfer full) (nullable): a new app, or %NULL with @error set.
 */
KEEL_API KeelApp *keel_app_new_from_resource (const char *resource_dir, GError **error);

/**
 * keel_app_free:
 * @app: (nullable): an app that is not running.
 *
 * Closes the app's windows and frees it. Accepts %NULL.
 */
KEEL_API void keel_app_free (KeelApp *app);

/**
 * keel_app_run:
 * @app: an app.
 * @error: return location for a start-up error.
 *
 * Opens the display, creates the windows of `app.windows[]` whose `create`
 * is true, and runs the main loop until keel_app_exit() is called or the
 * last window closes. Without a display it fails with a message naming
 * DISPLAY and Xvfb.
 *
 * Returns: the exit code, or 1 with @error set when the app could not start.
 */
KEEL_API int keel_app_run (KeelApp *app, GError **error);

/**
 * keel_app_exit:
 * @app: a running app.
 * @code: the exit code keel_app_run() will return.
 *
 * Closes every window and stops the main loop once the current event is done.
 */
KEEL_API void keel_app_exit (KeelApp *app, int code);

/**
 * keel_app_set_forward_console:
 * @app: an app that is not running yet.
 * @forward: whether to forward.
 *
 * Prints every page's console output (and uncaught errors) on stderr,
 * prefixed with its window label, as `keel run` does.
 */
KEEL_API void keel_app_set_forward_console (KeelApp *app, gboolean forward);

/**
 * keel_app_get_identifier:
 * @app: an app.
 *
 * Returns: (transfer none): `identifier` from the configuration.
 */
KEEL_API const char *keel_app_get_identifier (KeelApp *app);

/**
 * keel_app_get_data_dir:
 * @app: an app.
 *
 * The directory of the app's own files: `$XDG_DATA_HOME/<identifier>`
 * (`~/.local/share/<identifier>` by default), Tauri's `appDataDir()` on
 * Linux. The store and SQL plugins keep their files there and WebKit its
 * website data (under `webkit/`). Not created here: whoever writes there
 * first creates it.
 *
 * Returns: (transfer none): an absolute path, valid as long as @app.
 */
KEEL_API const char *keel_app_get_data_dir (KeelApp *app);

/**
 * keel_resolve_path_below:
 * @dir: the directory the path must stay in, usually keel_app_get_data_dir().
 * @path: a relative path from a page, components separated by '/':
 *   "settings.json", "profiles/work.json".
 * @what: what messages call @path: "store path", "database file".
 * @example: a valid path that messages suggest: "settings.json".
 *
 * Where a file a page names lives: @path below @dir, spelt one way, so that
 * "a/b.json", "./a/b.json" and "a//b.json" give the same file. Refused with
 * %KEEL_ERROR_FORBIDDEN: an absolute path, any ".." component, and a path
 * through a symbolic link below @dir (which could lead anywhere); with
 * %KEEL_ERROR_INVALID: an empty path, one ending in '/', control characters,
 * a component longer than a file name may be, and @dir itself. Each message
 * says what was wrong with @path (quoted with keel_quote_for_message()) and
 * how to name a file instead. Nothing is created.
 *
 * Returns: (transfer full): the absolute path, or %NULL with @error set.
 */
KEEL_API char *keel_resolve_path_below (const char *dir, const char *path, const char *what,
                                        const char *example, GError **error);

/**
 * keel_app_get_name:
 * @app: an app.
 *
 * Returns: (transfer none): `productName`, or the identifier when unset.
 */
KEEL_API const char *keel_app_get_name (KeelApp *app);

/**
 * keel_app_get_version:
 * @app: an app.
 *
 * Returns: (transfer none): `version` from the configuration, or "0.0.0".
 */
KEEL_API const char *keel_app_get_version (KeelApp *app);

/**
 * keel_app_create_window:
 * @app: an app.
 * @options: (transfer none): a window object with the keys of `app.windows[]`
 *   in `keel.json` (label, url, title, width, height, ...).
 * @error: return location for an error.
 *
 * Creates a window with its own web view, content manager and web process.
 * Called before keel_app_run(), it queues the window, which opens when the
 * app starts, and returns %NULL without an error. A label already in use, or
 * an invalid option, is an error that names it; a url that no window may
 * show (keel_app_is_navigation_allowed()) fails with %KEEL_ERROR_FORBIDDEN.
 * The url may also be a page of the app as a full URL, "keel://localhost/...".
 *
 * Returns: (transfer none) (nullable): the window, owned by the app; %NULL
 *   when queued or on error.
 */
KEEL_API KeelWindow *keel_app_create_window (KeelApp *app, json_t *options, GError **error);

/**
 * keel_app_get_window:
 * @app: an app.
 * @label: a window label.
 *
 * Returns: (transfer none) (nullable): the open window with that label.
 */
KEEL_API KeelWindow *keel_app_get_window (KeelApp *app, const char *label);

/**
 * keel_app_list_windows:
 * @app: an app.
 *
 * Returns: (transfer container) (element-type KeelWindow): the open windows,
 *   in creation order. Free the list with g_list_free().
 */
KEEL_API GList *keel_app_list_windows (KeelApp *app);

/**
 * keel_app_add_permissions:
 * @app: an app that is not running yet.
 * @manifest_json: a permission manifest (docs/security.md): for a plugin,
 *   `{"plugin": "store", "commands": [...], "default": {...}, "permissions":
 *   [...], "sets": [...]}`; without "plugin", the app's own sets and scoped
 *   permissions (the same as a file in the app's `permissions/` directory).
 * @error: return location for an error.
 *
 * Declares permissions that capabilities can grant. Every registered command
 * already has its `allow-`/`deny-` pair; a manifest adds a `default` set,
 * named sets and permissions that carry scopes. Plugins call this from their
 * registration function.
 *
 * Returns: %TRUE, or %FALSE with @error naming the problem's place.
 */
KEEL_API gboolean keel_app_add_permissions (KeelApp *app, const char *manifest_json,
                                            GError **error);
/**
 * keel_app_describe_permissions:
 * @app: an app.
 * @error: return location for an error.
 *
 * The audit view `keel permissions` prints: for each configured window, the
 * capabilities that apply to its pages (app pages, then pages of each remote
 * URL pattern), every command they may call with the permissions that allow
 * it and the scopes that apply, and every command denied explicitly. It
 * checks the capabilities first, so a problem is reported as at start-up.
 *
 * Returns: (transfer full) (nullable): the text; %NULL with @error set.
 */
KEEL_API char *keel_app_describe_permissions (KeelApp *app, GError **error);

/**
 * keel_app_manage:
 * @app: an app.
 * @key: the state's name, e.g. "db" or "org.example.cache". Names that start
 *   with "keel:" belong to Keel's own plugins.
 * @state: (transfer full) (not nullable): the state: any pointer.
 * @destroy: (nullable): frees @state when the app is done with it.
 *
 * Hands the core a piece of state that every command handler can reach with
 * keel_invoke_get_state() — Tauri's `manage()` and `State<T>`: a database
 * connection, a cache, the app's settings. The core owns it from now on.
 *
 * Handlers may run on any thread (see keel_invoke_resolve()), so @state must
 * do its own locking when it changes after this call; the core only hands
 * out the pointer.
 *
 * @destroy runs once, on the main thread: in keel_app_free(), after the
 * windows are destroyed and the resources closed (keel_app_add_resource()),
 * in the reverse order of keel_app_manage() calls. When an invoke is still
 * pending then (a worker thread holds it), @state lives until that invoke
 * has been answered and its answer dropped on the main loop, so a late
 * handler never meets freed state; @destroy must not use @app then.
 *
 * A key managed twice is a programming error: the call logs a critical,
 * keeps the first state, and frees @state at once with @destroy (Tauri's
 * `manage()` likewise keeps the first value and drops the second).
 *
 * Callable from any thread.
 *
 * Returns: %TRUE when @state is managed now; %FALSE when @key was taken.
 */
KEEL_API gboolean keel_app_manage (KeelApp *app, const char *key, gpointer state,
                                   GDestroyNotify destroy);

/**
 * keel_app_get_state:
 * @app: an app.
 * @key: the name given to keel_app_manage().
 *
 * Callable from any thread; see keel_app_manage() about locking.
 *
 * Returns: (transfer none) (nullable): the state managed under @key, or %NULL.
 */
KEEL_API gpointer keel_app_get_state (KeelApp *app, const char *key);

/**
 * keel_app_add_resource:
 * @app: an app.
 * @kind: what the resource is, e.g. "store"; keel_app_get_resource() must
 *   name the same kind, so one plugin's id never reaches another's object.
 * @data: (transfer full): the resource.
 * @close: (nullable): releases @data when the resource is closed.
 *
 * Adds an object that pages refer to by number — a resource id, or "rid",
 * as in Tauri's resource table (`Resource` in @tauri-apps/api/core). Pages
 * close one with `Resource.close()`, which sends `plugin:resources|close`
 * (permission `core:resources:allow-close`, in `core:default`). The table is
 * the app's, as Tauri's app resource table is: every window may use an id
 * any window was given, as far as its capabilities allow the commands.
 *
 * @close runs once, on the main thread, when the resource is closed: by a
 * page, by keel_app_close_resource(), or when the app ends — when
 * keel_app_run() returns (Tauri clears its table on exit too) or in
 * keel_app_free(), the newest resource first. Main thread only.
 *
 * Returns: the resource id, 1 or more; ids are never reused. 0 (with a
 *   critical, and @data closed) only after 4294967295 resources.
 */
KEEL_API guint32 keel_app_add_resource (KeelApp *app, const char *kind, gpointer data,
                                        GDestroyNotify close);

/**
 * keel_app_get_resource:
 * @app: an app.
 * @rid: a resource id, usually from a page.
 * @kind: the kind given to keel_app_add_resource().
 *
 * Main thread only.
 *
 * Returns: (transfer none) (nullable): the resource, or %NULL when no
 *   resource of that kind is open under @rid (closed, never added, or of
 *   another kind).
 */
KEEL_API gpointer keel_app_get_resource (KeelApp *app, guint32 rid, const char *kind);

/**
 * keel_app_close_resource:
 * @app: an app.
 * @rid: a resource id.
 *
 * Closes a resource: it leaves the table (its id finds nothing from now on)
 * and its close function runs. Main thread only.
 *
 * Returns: %TRUE, or %FALSE when no resource is open under @rid.
 */
KEEL_API gboolean keel_app_close_resource (KeelApp *app, guint32 rid);
G_END_DECLS
