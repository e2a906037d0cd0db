/* keel-window.h — a window and its web view.
 *
 * Each window holds one web view with the same label, its own content manager
 * and so its own web process. Windows belong to the app; a pointer stays valid
 * until the window is destroyed (closed by the user, keel_window_close(), or
 * the app's end). Main thread only. */
#pragma once

#include <jansson.h>

#include "keel-app.h"

G_BEGIN_DECLS

/** keel_window_get_label: Returns: (transfer none): the window's unique label. */
KEEL_API const char *keel_window_get_label (KeelWindow *window);

/** keel_window_get_title: Returns: (transfer none): the title. */
KEEL_API const char *keel_window_get_title (KeelWindow *window);
/** keel_window_set_title: sets the title. */
KEEL_API void keel_window_set_title (KeelWindow *window, const char *title);

/** keel_window_get_url: Returns: (transfer none) (nullable): the URL of the page shown now. */
KEEL_API const char *keel_window_get_url (KeelWindow *window);

/**
 * keel_window_close:
 *
 * Asks the window to close, as its close button does: if its page listens to
 * `tauri://close-requested` (`onCloseRequested()` in @tauri-apps/api), the
 * event is sent and the page decides; otherwise the window is destroyed.
 */
KEEL_API void keel_window_close (KeelWindow *window);
/**
 * keel_window_destroy:
 *
 * Destroys the window without asking its page, once the current event is
 * done (it is often called from that page's own command). The pointer is
 * invalid after that.
 */
KEEL_API void keel_window_destroy (KeelWindow *window);

/**
 * keel_window_show:
 *
 * Shows the window (Tauri: `show()`).
 */
KEEL_API void keel_window_show (KeelWindow *window);
/**
 * keel_window_hide:
 *
 * Hides the window without destroying it; its page keeps running.
 */
KEEL_API void keel_window_hide (KeelWindow *window);
/**
 * keel_window_is_visible:
 *
 * Returns: whether the window is shown.
 */
KEEL_API gboolean keel_window_is_visible (KeelWindow *window);
/**
 * keel_window_focus:
 *
 * Raises the window and gives its page the keyboard focus (the window
 * manager may refuse).
 */
KEEL_API void keel_window_focus (KeelWindow *window);
/**
 * keel_window_is_focused:
 *
 * Returns: whether the window has the keyboard focus.
 */
KEEL_API gboolean keel_window_is_focused (KeelWindow *window);

/**
 * keel_window_get_inner_size:
 *
 * The size of the web view area, in physical pixels (logical size times the
 * scale factor), as Tauri reports it.
 */
KEEL_API void keel_window_get_inner_size (KeelWindow *window, int *width, int *height);
/** keel_window_get_outer_size: the window's size with its frame, in physical pixels. */
KEEL_API void keel_window_get_outer_size (KeelWindow *window, int *width, int *height);
/** keel_window_get_scale_factor: Returns: the scale factor (1 or 2 on most screens). */
KEEL_API int keel_window_get_scale_factor (KeelWindow *window);
/** keel_window_set_size: sets the web view area's size, in logical pixels. */
KEEL_API void keel_window_set_size (KeelWindow *window, int width, int height);
/**
 * keel_window_set_resizable:
 *
 * Lets the user resize the window, or not.
 */
KEEL_API void keel_window_set_resizable (KeelWindow *window, gboolean resizable);
/**
 * keel_window_is_resizable:
 *
 * Returns: whether the user may resize the window.
 */
KEEL_API gboolean keel_window_is_resizable (KeelWindow *window);
/** keel_window_center: moves the window to the centre of its screen. */
KEEL_API void keel_window_center (KeelWindow *window);
/**
 * keel_window_maximize:
 *
 * Asks the window manager to maximize the window.
 */
KEEL_API void keel_window_maximize (KeelWindow *window);
/**
 * keel_window_unmaximize:
 *
 * Asks the window manager to restore a maximized window.
 */
KEEL_API void keel_window_unmaximize (KeelWindow *window);
/**
 * keel_window_is_maximized:
 *
 * Returns: whether the window is maximized.
 */
KEEL_API gboolean keel_window_is_maximized (KeelWindow *window);
/**
 * keel_window_minimize:
 *
 * Asks the window manager to minimize (iconify) the window.
 */
KEEL_API void keel_window_minimize (KeelWindow *window);
/**
 * keel_window_unminimize:
 *
 * Asks the window manager to restore a minimized window.
 */
KEEL_API void keel_window_unminimize (KeelWindow *window);
/**
 * keel_window_is_minimized:
 *
 * Returns: whether the window is minimized.
 */
KEEL_API gboolean keel_window_is_minimized (KeelWindow *window);
/**
 * keel_window_set_fullscreen:
 *
 * Enters or leaves fullscreen.
 */
KEEL_API void keel_window_set_fullscreen (KeelWindow *window, gboolean fullscreen);
/**
 * keel_window_is_fullscreen:
 *
 * Returns: whether the window is fullscreen.
 */
KEEL_API gboolean keel_window_is_fullscreen (KeelWindow *window);

/**
 * keel_window_emit:
 * @window: a window.
 * @event: the event name.
 * @payload: (transfer full) (nullable): the payload.
 *
 * Emits an event to this window's listeners: keel_app_emit_to() with its label.
 */
KEEL_API void keel_window_emit (KeelWindow *window, const char *event, json_t *payload);

/**
 * KeelWebProcessReason:
 * @KEEL_WEB_PROCESS_CRASHED: the web process crashed or was killed by a signal.
 * @KEEL_WEB_PROCESS_MEMORY_LIMIT: it exceeded `keel.webProcess.memoryLimitMB`.
 * @KEEL_WEB_PROCESS_UNRESPONSIVE: its page did not answer the core's liveness
 *   ping within `keel.webProcess.hangTimeoutMs`, so the core killed it.
 * @KEEL_WEB_PROCESS_TERMINATED: the app ended it (keel_window_terminate_web_process()).
 *
 * Why a window's web process ended.
 */
typedef enum
{
  KEEL_WEB_PROCESS_CRASHED,
  KEEL_WEB_PROCESS_MEMORY_LIMIT,
  KEEL_WEB_PROCESS_UNRESPONSIVE,
  KEEL_WEB_PROCESS_TERMINATED,
} KeelWebProcessReason;

/**
 * keel_web_process_reason_to_string:
 * @reason: a reason.
 *
 * Returns: (transfer none): "crashed", "memory-limit", "unresponsive" or
 *   "terminated": the `reason` of the `keel://web-process-terminated` event.
 */
KEEL_API const char *keel_web_process_reason_to_string (KeelWebProcessReason reason);

/**
 * KeelWebProcessFunc:
 * @app: the app.
 * @window: the window whose web process ended; it stays open.
 * @reason: why it ended.
 * @restarting: %TRUE when the core reloads the page now; %FALSE when the
 *   window restarted too often (`keel.webProcess.crashLoop`) and shows an
 *   error page with a retry button instead.
 * @user_data: data given to keel_app_on_web_process_terminated().
 *
 * Called on the main thread after the core has forgotten everything tied to
 * the dead page (listeners, pending invokes) and before it reloads it.
 */
typedef void (*KeelWebProcessFunc) (KeelApp *app, KeelWindow *window,
                                    KeelWebProcessReason reason, gboolean restarting,
                                    gpointer user_data);

/**
 * keel_app_on_web_process_terminated:
 * @app: an app.
 * @func: called whenever a window's web process ends.
 * @user_data: data for @func.
 * @destroy: (nullable): frees @user_data when the handler is removed.
 *
 * Tells the app about crashes, hangs and memory-limit kills. Pages hear the
 * same through the event `keel://web-process-terminated`, whose payload is
 * `{window, reason, restarts, gaveUp}`.
 *
 * Returns: an id for keel_app_remove_web_process_handler().
 */
KEEL_API guint keel_app_on_web_process_terminated (KeelApp *app, KeelWebProcessFunc func,
                                                   gpointer user_data, GDestroyNotify destroy);

/**
 * keel_app_remove_web_process_handler:
 * @app: an app.
 * @handler_id: an id from keel_app_on_web_process_terminated().
 *
 * Removes the handler.
 */
KEEL_API void keel_app_remove_web_process_handler (KeelApp *app, guint handler_id);

/**
 * keel_window_terminate_web_process:
 * @window: a window.
 *
 * Ends the window's web process, as a crash would (reason
 * %KEEL_WEB_PROCESS_TERMINATED): the page is forgotten and reloaded in a new
 * process. For a page that misbehaves; other windows are not affected.
 */
KEEL_API void keel_window_terminate_web_process (KeelWindow *window);

/**
 * KeelSnapshotFunc:
 * @window: (nullable): the window, or %NULL when it was destroyed before the
 *   snapshot was taken (@error says so).
 * @error: (nullable): why the snapshot failed, or %NULL on success.
 * @user_data: data given to keel_window_save_snapshot().
 */
typedef void (*KeelSnapshotFunc) (KeelWindow *window, const GError *error, gpointer user_data);

/**
 * keel_window_save_snapshot:
 * @window: a window.
 * @png_path: where to write the PNG file.
 * @done: (nullable): called on the main thread when the file is written or
 *   the snapshot failed.
 * @user_data: data for @done.
 *
 * Renders the visible part of the window's page to a PNG file.
 */
KEEL_API void keel_window_save_snapshot (KeelWindow *window, const char *png_path,
                                         KeelSnapshotFunc done, gpointer user_data);

/**
 * keel_window_eval:
 * @window: a window.
 * @script: JavaScript source, run in the page's main world.
 *
 * Runs a script in the window's page without waiting for it. Meant for
 * tests and tools; app logic should use events.
 */
KEEL_API void keel_window_eval (KeelWindow *window, const char *script);

G_END_DECLS
