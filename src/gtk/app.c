#define _GNU_SOURCE /* O_PATH */
/* app.c — KeelApp: the core process's configuration, windows and loop. */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <string.h>
#include <unistd.h>

#include "csp.h"
#include "state.h"
#include "url-pattern.h"
#include "event-commands.h"
#include "json-scan.h"
#include "painting.h"
#include "shell.h"

static void deliver_event (gpointer user_data, guint64 page_id, const char *record);
static void destroy_windows (KeelApp *app);
static void web_process_handler_free (gpointer data);

static gboolean
open_frontend_dist (KeelApp *app, GError **error)
{
  KeelConfig *config = app->config;
  if (config->frontend_dist == NULL)
    return TRUE;

  if (app->resource_dir != NULL)
    {
      /* Embedded: frontendDist names a directory inside the resource tree. */
      g_autofree char *path = g_build_path ("/", app->resource_dir, config->frontend_dist, NULL);
      g_autoptr (GError) local_error = NULL;
      g_auto (GStrv) children
        = g_resources_enumerate_children (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
      if (children == NULL)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                       "%s: build.frontendDist: no embedded directory %s in the app's "
                       "resources; list the frontend's files under that prefix in the "
                       ".gresource.xml",
                       config->source_name, path);
          return FALSE;
        }
      return TRUE;
    }

  g_autofree char *path = g_path_is_absolute (config->frontend_dist) || config->base_dir == NULL
                            ? g_strdup (config->frontend_dist)
                            : g_build_filename (config->base_dir, config->frontend_dist, NULL);
  app->dist_fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (app->dist_fd < 0)
    {
      int saved = errno;
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                   "%s: build.frontendDist: cannot open the directory %s: %s; build the "
                   "frontend first, or fix the path (it is relative to keel.json's directory)",
                   config->source_name, path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static KeelApp *
app_new (KeelConfig *config, const char *resource_dir, GError **error)
{
  KeelApp *app = g_new0 (KeelApp, 1);
  app->config = config;
  app->resource_dir = g_strdup (resource_dir);
  app->data_dir = g_build_filename (g_get_user_data_dir (), config->identifier, NULL);
  app->dist_fd = -1;
  app->exit_code = 0;
  if (!open_frontend_dist (app, error))
    {
      keel_app_free (app);
      return NULL;
    }
  for (guint i = 0; i < config->warnings->len; i++)
    g_printerr ("keel: warning: %s\n", (const char *) g_ptr_array_index (config->warnings, i));
  if (config->with_global_tauri)
    g_printerr ("keel: warning: %s: app.withGlobalTauri is not implemented by Keel; bundle "
                "@tauri-apps/api, or use window.keel in pages without a bundler\n",
                config->source_name);

  /* The bridge fetch()es ipc:// for binary calls. */
  static const char *const ipc_sources[] = { KEEL_IPC_ORIGIN, NULL };
  app->csp = keel__csp_build (config->csp, ipc_sources, config->csp_modification_disabled_all,
                              (const char *const *) config->csp_modification_disabled);
  app->router = keel__router_new (app, NULL);
  keel__router_set_max_message_size (app->router, (gsize) config->max_message_size);
  app->bus = keel__event_bus_new (app, deliver_event, app);
  app->resources = keel__resource_table_new ();
  app->pending_windows = g_ptr_array_new_with_free_func ((GDestroyNotify) keel__window_config_free);
  app->pages = g_hash_table_new (g_direct_hash, g_direct_equal);
  app->web_process_handlers = g_ptr_array_new_with_free_func (web_process_handler_free);

  for (guint i = 0; i < config->windows->len; i++)
    {
      KeelWindowConfig *window = g_ptr_array_index (config->windows, i);
      if (window->create)
        g_ptr_array_add (app->pending_windows, keel__window_config_copy (window));
    }

  keel__event_commands_register (app->router, app->bus);
  keel__plugin_app_register (app);
  keel__plugin_window_register (app);
  keel__plugin_webview_register (app);
  keel__plugin_path_register (app);
  keel__plugin_resources_register (app);
  if (config->dev_url != NULL)
    app->dev_origin = keel__url_origin (config->dev_url);
  if (!keel__permissions_load (app, error) || !keel__navigation_init (app, error))
    {
      keel_app_free (app);
      return NULL;
    }
  return app;
}

KeelApp *
keel_app_new (const char *config_path, GError **error)
{
  g_return_val_if_fail (config_path != NULL, NULL);
  KeelConfig *config = keel__config_load_file (config_path, error);
  if (config == NULL)
    return NULL;
  return app_new (config, NULL, error);
}

KeelApp *
keel_app_new_from_resource (const char *resource_dir, GError **error)
{
  g_return_val_if_fail (resource_dir != NULL, NULL);
  g_autofree char *path = g_build_path ("/", resource_dir, "keel.json", NULL);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) bytes
    = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND,
                   "no embedded keel.json at resource path %s (%s); compile it into the app "
                   "with glib-compile-resources under the prefix %s",
                   path, local_error->message, resource_dir);
      return NULL;
    }
  g_autofree char *source = g_strconcat ("resource://", path, NULL);
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  KeelConfig *config = keel__config_parse (text, length, source, NULL, error);
  if (config == NULL)
    return NULL;
  return app_new (config, resource_dir, error);
}

void
keel_app_free (KeelApp *app)
{
  if (app == NULL)
    return;
  destroy_windows (app);
  /* Resources first: closing one (a store's last save) may use managed
   * state, which goes with the router, once no invoke is pending. */
  g_clear_pointer (&app->resources, keel__resource_table_free);
  g_clear_pointer (&app->router, keel__router_free);
  g_clear_pointer (&app->acl, keel__acl_free);
  g_free (app->dev_origin);
  g_clear_pointer (&app->bus, keel__event_bus_free);
  g_clear_pointer (&app->pending_windows, g_ptr_array_unref);
  g_clear_pointer (&app->pages, g_hash_table_unref);
  g_clear_pointer (&app->web_process_handlers, g_ptr_array_unref);
  keel__navigation_dispose (app);
  g_clear_object (&app->web_context);
  g_clear_pointer (&app->loop, g_main_loop_unref);
  if (app->dist_fd >= 0)
    close (app->dist_fd);
  g_free (app->csp);
  g_free (app->resource_dir);
  g_free (app->data_dir);
  keel__config_free (app->config);
  g_free (app);
}

void
keel_app_set_forward_console (KeelApp *app, gboolean forward)
{
  app->forward_console = forward;
}

/* Website data (local storage, IndexedDB, cookies) and caches live under
 * the app's identifier in the XDG directories, so they persist and do not
 * mix with other apps. */
static WebKitWebContext *
make_web_context (KeelApp *app)
{
  g_autofree char *data_dir = g_build_filename (app->data_dir, "webkit", NULL);
  g_autofree char *cache_dir
    = g_build_filename (g_get_user_cache_dir (), app->config->identifier, "webkit", NULL);
  g_autoptr (WebKitWebsiteDataManager) data_manager = webkit_website_data_manager_new (
    "base-data-directory", data_dir, "base-cache-directory", cache_dir, NULL);
  /* Construct-only: the memory limit must be known before the first web
   * process starts. */
  WebKitMemoryPressureSettings *memory = keel__lifecycle_memory_settings (app->config);
  WebKitWebContext *context = g_object_new (WEBKIT_TYPE_WEB_CONTEXT, "website-data-manager",
                                            data_manager, "memory-pressure-settings", memory,
                                            NULL);
  if (memory != NULL)
    webkit_memory_pressure_settings_free (memory);

  webkit_web_context_register_uri_scheme (context, KEEL_SCHEME, keel__scheme_handle, app, NULL);
  WebKitSecurityManager *security = webkit_web_context_get_security_manager (context);
  /* Secure: pages on keel:// are a secure context (crypto.subtle, etc.).
   * CORS-enabled: fetch() between keel:// resources works like https. */
  webkit_security_manager_register_uri_scheme_as_secure (security, KEEL_SCHEME);
  webkit_security_manager_register_uri_scheme_as_cors_enabled (security, KEEL_SCHEME);
  /* ipc:// answers fetch() from the app's pages (ipc-scheme.c): secure, so
   * that https pages of remote.urls may call it too. */
  webkit_web_context_register_uri_scheme (context, KEEL_IPC_SCHEME, keel__ipc_scheme_handle, app,
                                          NULL);
  webkit_security_manager_register_uri_scheme_as_secure (security, KEEL_IPC_SCHEME);
  webkit_security_manager_register_uri_scheme_as_cors_enabled (security, KEEL_IPC_SCHEME);
  return context;
}

static gboolean
check_display (GError **error)
{
  if (gtk_init_check (NULL, NULL))
    return TRUE;
  const char *display = g_getenv ("DISPLAY");
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");
  if ((display == NULL || *display == '\0') && (wayland == NULL || *wayland == '\0'))
    g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                 "no display: neither DISPLAY nor WAYLAND_DISPLAY is set. Run Keel apps in a "
                 "graphical session, or without one under Xvfb: xvfb-run -a <command> "
                 "(Debian package xvfb)");
  else
    g_set_error (error, KEEL_ERROR, KEEL_ERROR_ENVIRONMENT,
                 "cannot open the display (DISPLAY=%s, WAYLAND_DISPLAY=%s): is the X server or "
                 "Xvfb running, and may this user connect to it?",
                 display ? display : "", wayland ? wayland : "");
  return FALSE;
}

/* SIGINT and SIGTERM end the app cleanly, closing its web processes, with
 * the shell's conventional exit status. */
static gboolean
on_sigint (gpointer app)
{
  keel_app_exit (app, 128 + SIGINT);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer app)
{
  keel_app_exit (app, 128 + SIGTERM);
  return G_SOURCE_CONTINUE;
}

/* keel.webProcess.painting, which each web process reads from its
 * environment as it starts (painting.h). A value already there is the
 * user's and stays. Set before WebKit starts threads of its own: setenv is
 * unsafe while another thread reads the environment. */
static void
choose_painting (KeelApp *app)
{
  if (g_getenv (KEEL_CPU_PAINTING_VARIABLE) == NULL
      && keel__painting_on_cpu (app->config->painting, "/dev"))
    g_setenv (KEEL_CPU_PAINTING_VARIABLE, "1", TRUE);
}

int
keel_app_run (KeelApp *app, GError **error)
{
  g_return_val_if_fail (app != NULL && !app->running, 1);
  if (app->exiting)
    return app->exit_code;
  choose_painting (app);
  gboolean sandbox = keel__sandbox_wanted (app);
  g_autoptr (GSubprocess) sandbox_probe = NULL;
  if (sandbox && (sandbox_probe = keel__sandbox_probe_start (error)) == NULL)
    return 1;
  /* Capabilities are checked before anything shows, like keel.json. */
  if (!keel__permissions_finalize (app, error) || !check_display (error))
    return 1;
  /* Before the first window: none may load without the navigation rules. */
  KeelNavigationCompilation *compilation = keel__navigation_compile_start (app, error);
  if (compilation == NULL)
    return 1;
  /* WebKit sets up a context for ≈ 50 ms on this thread, while the rules
   * compile on WebKit's own and bwrap runs its probe: waiting for them
   * first cost every start ≈ 6 ms (bench/: start). No web process starts
   * before a window loads, and no window is made before both are done. */
  app->web_context = make_web_context (app);
  if (!keel__navigation_compile_finish (app, compilation, error)
      || (sandbox_probe != NULL && !keel__sandbox_probe_finish (sandbox_probe, error)))
    {
      g_clear_object (&app->web_context);
      return 1;
    }
  if (!sandbox)
    keel__sandbox_warn_disabled (app);
  /* Before any web process starts: WebKit reads it once. */
  webkit_web_context_set_sandbox_enabled (app->web_context, sandbox);
  app->loop = g_main_loop_new (NULL, FALSE);
  app->running = TRUE;

  guint sigint = g_unix_signal_add (SIGINT, on_sigint, app);
  guint sigterm = g_unix_signal_add (SIGTERM, on_sigterm, app);

  g_autoptr (GPtrArray) pending = g_steal_pointer (&app->pending_windows);
  app->pending_windows
    = g_ptr_array_new_with_free_func ((GDestroyNotify) keel__window_config_free);
  for (guint i = 0; i < pending->len; i++)
    keel__window_new (app, g_ptr_array_index (pending, i));

  if (!app->exiting)
    g_main_loop_run (app->loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  destroy_windows (app);
  /* No page is left to use an id: close every resource now (Tauri clears
   * its table on exit too), so that they finish their work — a store's last
   * save — even when the app is never freed. */
  keel__resource_table_clear (app->resources);
  app->running = FALSE;

  /* Leave no WebKit process behind: without views and context, WebKit ends
   * its web and network processes; wait (bounded) until they are gone. */
  g_clear_object (&app->web_context);
  guint left = keel__lifecycle_wait_for_web_processes (5 * G_USEC_PER_SEC);
  if (left > 0)
    g_printerr ("keel: warning: %u WebKit processes were still running 5 s after exit\n", left);
  return app->exit_code;
}

/* Each window removes itself from app->windows as it is destroyed. */
static void
destroy_windows (KeelApp *app)
{
  while (app->windows != NULL)
    gtk_widget_destroy (((KeelWindow *) app->windows->data)->gtk_window);
}

static gboolean
finish_exit (gpointer data)
{
  KeelApp *app = data;
  destroy_windows (app);
  if (app->loop != NULL)
    g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

void
keel_app_exit (KeelApp *app, int code)
{
  if (app->exiting)
    return;
  app->exiting = TRUE;
  app->exit_code = code;
  if (!app->running)
    return; /* keel_app_run() will return at once with this code */
  /* Windows close after the current event: exit is often called from a
   * command handler of the very web view that is about to go. */
  g_idle_add_full (G_PRIORITY_HIGH, finish_exit, app, NULL);
}

typedef struct
{
  int ref_count;    /* the app's, plus one while a notification runs it */
  gboolean removed;
  guint id;
  KeelWebProcessFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} WebProcessHandler;

static void
web_process_handler_free (gpointer data)
{
  WebProcessHandler *handler = data;
  if (--handler->ref_count > 0)
    return;
  if (handler->destroy != NULL)
    handler->destroy (handler->user_data);
  g_free (handler);
}

guint
keel_app_on_web_process_terminated (KeelApp *app, KeelWebProcessFunc func, gpointer user_data,
                                    GDestroyNotify destroy)
{
  g_return_val_if_fail (func != NULL, 0);
  WebProcessHandler *handler = g_new0 (WebProcessHandler, 1);
  handler->ref_count = 1;
  handler->id = ++app->next_handler_id;
  handler->func = func;
  handler->user_data = user_data;
  handler->destroy = destroy;
  g_ptr_array_add (app->web_process_handlers, handler);
  return handler->id;
}

void
keel_app_remove_web_process_handler (KeelApp *app, guint handler_id)
{
  for (guint i = 0; i < app->web_process_handlers->len; i++)
    {
      WebProcessHandler *handler = g_ptr_array_index (app->web_process_handlers, i);
      if (handler->id == handler_id)
        {
          handler->removed = TRUE;
          g_ptr_array_remove_index (app->web_process_handlers, i);
          return;
        }
    }
  g_warning ("keel_app_remove_web_process_handler: no handler with id %u", handler_id);
}

void
keel__app_notify_web_process (KeelApp *app, KeelWindow *window, KeelWebProcessReason reason,
                              gboolean restarting)
{
  /* Over a snapshot holding a reference each: a handler may add or remove
   * handlers, itself included. */
  g_autoptr (GPtrArray) handlers = g_ptr_array_new_with_free_func (web_process_handler_free);
  for (guint i = 0; i < app->web_process_handlers->len; i++)
    {
      WebProcessHandler *handler = g_ptr_array_index (app->web_process_handlers, i);
      handler->ref_count++;
      g_ptr_array_add (handlers, handler);
    }
  for (guint i = 0; i < handlers->len; i++)
    {
      WebProcessHandler *handler = g_ptr_array_index (handlers, i);
      if (!handler->removed)
        handler->func (app, window, reason, restarting, handler->user_data);
    }
}

void
keel__app_window_destroyed (KeelApp *app, KeelWindow *window)
{
  app->windows = g_list_remove (app->windows, window);
  /* As in Tauri: closing the last window ends the app. */
  if (app->windows == NULL && app->running && !app->exiting)
    keel_app_exit (app, 0);
}

const char *
keel_app_get_identifier (KeelApp *app)
{
  return app->config->identifier;
}

const char *
keel_app_get_data_dir (KeelApp *app)
{
  return app->data_dir;
}

const char *
keel_app_get_name (KeelApp *app)
{
  return app->config->product_name != NULL ? app->config->product_name
                                           : app->config->identifier;
}

const char *
keel_app_get_version (KeelApp *app)
{
  return app->config->version != NULL ? app->config->version : "0.0.0";
}

KeelWindow *
keel_app_create_window (KeelApp *app, json_t *options, GError **error)
{
  g_return_val_if_fail (json_is_object (options), NULL);
  g_autoptr (KeelWindowConfig) config
    = keel__window_config_from_json (options, "window options", keel_app_get_name (app), error);
  if (config == NULL)
    return NULL;

  gboolean taken = keel_app_get_window (app, config->label) != NULL;
  for (guint i = 0; !taken && i < app->pending_windows->len; i++)
    taken = strcmp (((KeelWindowConfig *) g_ptr_array_index (app->pending_windows, i))->label,
                    config->label)
            == 0;
  if (taken)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "a window labelled \"%s\" already exists; labels must be unique",
                   config->label);
      return NULL;
    }
  if (!keel__navigation_check_window_url (app, config->label, config->url, error))
    return NULL;

  if (!app->running)
    {
      /* Before the loop runs there is no display yet: create at start-up. */
      g_ptr_array_add (app->pending_windows, g_steal_pointer (&config));
      return NULL;
    }
  return keel__window_new (app, config);
}

KeelWindow *
keel_app_get_window (KeelApp *app, const char *label)
{
  for (GList *l = app->windows; l != NULL; l = l->next)
    {
      KeelWindow *window = l->data;
      if (strcmp (window->label, label) == 0)
        return window;
    }
  return NULL;
}

GList *
keel_app_list_windows (KeelApp *app)
{
  return g_list_copy (app->windows);
}

/* Commands and hooks: the router does the work. */

void
keel_app_register_command (KeelApp *app, const char *name, KeelCommandFunc handler,
                           gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (app != NULL && name != NULL && handler != NULL);
  if (app->acl_ready)
    {
      /* Its allow-/deny- permissions would not exist, so no capability could
       * grant it: refused loudly rather than registered dead. */
      g_critical ("keel_app_register_command (\"%s\"): commands must be registered before "
                  "keel_app_run() (and before keel_app_describe_permissions()); this one is not",
                  name);
      if (destroy != NULL)
        destroy (user_data);
      return;
    }
  keel__router_register (app->router, name, handler, user_data, destroy);
}

guint
keel_app_add_request_hook (KeelApp *app, KeelRequestHook hook, gpointer user_data,
                           GDestroyNotify destroy)
{
  return keel__router_add_request_hook (app->router, hook, user_data, destroy);
}

guint
keel_app_add_response_hook (KeelApp *app, KeelResponseHook hook, gpointer user_data,
                            GDestroyNotify destroy)
{
  return keel__router_add_response_hook (app->router, hook, user_data, destroy);
}

void
keel_app_remove_hook (KeelApp *app, guint hook_id)
{
  if (!keel__router_remove_hook (app->router, hook_id))
    g_warning ("keel_app_remove_hook: no hook with id %u", hook_id);
}

/* Events. */

static void
deliver_event (gpointer user_data, guint64 page_id, const char *record)
{
  KeelApp *app = user_data;
  /* app->pages holds live pages only: a page leaves it when it ends. */
  KeelWindow *window = g_hash_table_lookup (app->pages, GSIZE_TO_POINTER ((gsize) page_id));
  /* Through the page's outbox, in one batch with the channel messages of
   * this main-loop iteration, in the order they were sent. */
  if (window != NULL && window->outbox != NULL)
    keel__outbox_push (window->outbox, record, NULL, 0);
}

static void
emit (KeelApp *app, const KeelEventTarget *target, const char *event, json_t *payload)
{
  g_autoptr (GError) error = NULL;
  if (!keel__event_name_check (event, &error))
    g_warning ("keel_app_emit: %s", error->message);
  else
    keel__event_bus_emit (app->bus, target, event, payload, NULL);
  json_decref (payload);
}

void
keel_app_emit (KeelApp *app, const char *event, json_t *payload)
{
  emit (app, NULL, event, payload);
}

void
keel_app_emit_to (KeelApp *app, const char *label, const char *event, json_t *payload)
{
  KeelEventTarget target = { KEEL_EVENT_TARGET_ANY_LABEL, (char *) label };
  emit (app, &target, event, payload);
}

guint
keel_app_listen (KeelApp *app, const char *event, KeelEventFunc func, gpointer user_data,
                 GDestroyNotify destroy)
{
  return keel__event_bus_listen_c (app->bus, event, func, NULL, user_data, destroy);
}

guint
keel_app_listen_json (KeelApp *app, const char *event, KeelEventJsonFunc func,
                      gpointer user_data, GDestroyNotify destroy)
{
  return keel__event_bus_listen_c (app->bus, event, NULL, func, user_data, destroy);
}

void
keel_app_emit_json (KeelApp *app, const char *label, const char *event, GBytes *payload_json)
{
  g_return_if_fail (payload_json != NULL);
  g_autoptr (GError) error = NULL;
  gsize length;
  const char *text = g_bytes_get_data (payload_json, &length);
  if (!keel__event_name_check (event, &error))
    g_warning ("keel_app_emit_json: %s", error->message);
  else if (!keel__event_bus_handed_out (app->bus, payload_json)
           && !keel__json_scan_value (text, length))
    g_warning ("keel_app_emit_json: the payload of \"%s\" is not one JSON value; not sent",
               event);
  else
    {
      KeelEventTarget target = { KEEL_EVENT_TARGET_ANY_LABEL, (char *) label };
      keel__event_bus_emit_text (app->bus, label != NULL ? &target : NULL, event, payload_json,
                                 NULL);
    }
}

void
keel_app_unlisten (KeelApp *app, guint listener_id)
{
  if (!keel__event_bus_unlisten_c (app->bus, listener_id))
    g_warning ("keel_app_unlisten: no listener with id %u", listener_id);
}

/* Managed state: the router owns the table (see state.h). */

gboolean
keel_app_manage (KeelApp *app, const char *key, gpointer state, GDestroyNotify destroy)
{
  g_return_val_if_fail (app != NULL && key != NULL && state != NULL, FALSE);
  if (keel__state_table_insert (keel__router_get_states (app->router), key, state, destroy))
    return TRUE;
  g_critical ("keel_app_manage: state \"%s\" is already managed; the first one stays and this "
              "one is freed now. Give each state its own key.",
              key);
  if (destroy != NULL)
    destroy (state);
  return FALSE;
}

gpointer
keel_app_get_state (KeelApp *app, const char *key)
{
  g_return_val_if_fail (app != NULL && key != NULL, NULL);
  return keel__state_table_lookup (keel__router_get_states (app->router), key);
}

/* Resources. */

guint32
keel_app_add_resource (KeelApp *app, const char *kind, gpointer data, GDestroyNotify close)
{
  g_return_val_if_fail (app != NULL && kind != NULL, 0);
  guint32 rid = keel__resource_table_add (app->resources, kind, data, close);
  if (rid == 0)
    {
      g_critical ("keel_app_add_resource: the app has used every resource id; \"%s\" is closed "
                  "at once",
                  kind);
      if (close != NULL)
        close (data);
    }
  return rid;
}

gpointer
keel_app_get_resource (KeelApp *app, guint32 rid, const char *kind)
{
  g_return_val_if_fail (app != NULL && kind != NULL, NULL);
  return keel__resource_table_get (app->resources, rid, kind);
}

gboolean
keel_app_close_resource (KeelApp *app, guint32 rid)
{
  g_return_val_if_fail (app != NULL, FALSE);
  return keel__resource_table_close (app->resources, rid);
}
