/* shell.h — the GTK/WebKit layer's shared internals.
 *
 * KeelApp owns the router and the event bus (src/core/) and the windows.
 * Each KeelWindow owns a GtkWindow and one WebKitWebView with its own user
 * content manager, hence its own web process, and it owns that process's
 * lifecycle: it tells the core when a page starts and ends. */
#pragma once

#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

#include "acl.h"
#include "config.h"
#include "events.h"
#include "keel/keel.h"
#include "message.h" /* g_autoptr (json_t) */
#include "navigation-rules.h"
#include "outbox.h"
#include "plugins.h"
#include "resources.h"
#include "router.h"

/* Keel's URI scheme; pages of the app live at keel://localhost/. */
#define KEEL_SCHEME "keel"
#define KEEL_APP_ORIGIN "keel://localhost"
/* Binary calls (ipc-scheme.c) go to ipc://localhost/<command>. */
#define KEEL_IPC_SCHEME "ipc"
#define KEEL_IPC_ORIGIN "ipc://localhost"

typedef struct _KeelNavigationHandler KeelNavigationHandler;

struct _KeelApp
{
  KeelConfig *config;
  char *resource_dir;        /* GResource dir of an embedded app, else NULL */
  char *data_dir;            /* keel_app_get_data_dir() */
  int dist_fd;               /* frontendDist on disk, opened O_PATH|O_DIRECTORY; -1 if none */
  char *csp;                 /* the policy sent with HTML responses, NULL for none */

  KeelAcl *acl;              /* capabilities and permissions (permissions.c) */
  gboolean acl_ready;        /* finalized: every command registered, the router guarded */
  char *dev_origin;          /* origin of devUrl, NULL without one */
  KeelRouter *router;
  KeelEventBus *bus;
  KeelResourceTable *resources; /* what pages hold by id (keel_app_add_resource()) */
  GPtrArray *pending_windows; /* KeelWindowConfig* created before keel_app_run() */
  GList *windows;            /* KeelWindow*, in creation order */
  GHashTable *pages;         /* page id → KeelWindow* showing it */

  WebKitWebContext *web_context;
  GMainLoop *loop;
  gboolean running;
  gboolean exiting;
  int exit_code;
  gboolean forward_console;  /* print page console output on stderr */
  GPtrArray *web_process_handlers; /* of KeelWebProcessHandler */
  guint next_handler_id;

  /* Where windows may go (navigation.c). */
  KeelNavigationRules *navigation_rules;       /* made in keel_app_new() */
  WebKitUserContentFilter *navigation_filter;  /* compiled in keel_app_run() */
  KeelNavigationHandler *navigation_handler;   /* NULL: refusals are logged */
};

struct _KeelWindow
{
  KeelApp *app;
  KeelWindowConfig *config;  /* as created; title and size change later */
  char *label;
  char *title;
  GtkWidget *gtk_window;
  WebKitWebView *view;
  WebKitUserContentManager *content_manager;
  guint64 page_id;           /* the document shown now; 0 before the first */
  KeelOutbox *outbox;        /* scripts for that document (events, channels); NULL when none */
  char *origin;              /* origin of that document */
  char *sender_url;          /* the URL the last message came from ... */
  char *sender_origin;       /* ... and its origin (see sender_origin() in window.c) */
  gboolean destroyed;
  gboolean closing;          /* keel_window_destroy() was called: going at the next idle */
  GCancellable *cancellable; /* cancelled when the window goes: its async calls end then */

  /* Web process lifecycle (lifecycle.c). */
  char *page_url;            /* the app page to reload after a crash */
  GArray *terminations;      /* monotonic µs of recent terminations (gint64) */
  gboolean loading_error_page;
  gboolean showing_error_page;
  gboolean terminating;      /* the core asked for the termination ... */
  KeelWebProcessReason terminate_reason; /* ... for this reason */
  guint liveness_source;
  gint64 ping_sent_at;       /* 0: no liveness ping outstanding */
  gboolean dialog_open;      /* alert()/confirm()/prompt(): waiting on the user, not hung */
  GCancellable *ping_cancellable;

  /* Navigation (navigation.c). */
  char *redirect_uri;        /* where the load in progress was last redirected */

  /* Bytes answered to JSON calls of the page shown now, waiting to be
   * collected by ticket (ipc-scheme.c); NULL while none were. */
  GHashTable *held_bytes;
};

/* window.c */
KeelWindow *keel__window_new (KeelApp *app, const KeelWindowConfig *config);
/* Page ends and its listeners and pending replies are forgotten. */
void keel__window_end_page (KeelWindow *window);
/* Whether pages on origin are the app's own ("local" in capabilities): the
 * app's origin or devUrl's. */
gboolean keel__app_is_own_origin (KeelApp *app, const char *origin);
/* URL a window config's url resolves to (devUrl, keel://localhost, or absolute). */
char *keel__app_resolve_url (KeelApp *app, const char *url);

/* app.c */
void keel__app_window_destroyed (KeelApp *app, KeelWindow *window);

/* lifecycle.c: the window owns its web process's lifecycle. */
void keel__lifecycle_init (KeelWindow *window);
void keel__lifecycle_dispose (KeelWindow *window);
void keel__lifecycle_page_committed (KeelWindow *window, const char *uri);
void keel__lifecycle_process_terminated (KeelWindow *window,
                                         WebKitWebProcessTerminationReason reason);
/* Memory limit settings for the web context, or NULL for WebKit's defaults. */
WebKitMemoryPressureSettings *keel__lifecycle_memory_settings (const KeelConfig *config);
/* Waits (iterating the main context) until no WebKit process below this one
 * is left, for at most timeout_us. Returns how many remain. */
guint keel__lifecycle_wait_for_web_processes (gint64 timeout_us);

/* sandbox.c */
gboolean keel__sandbox_wanted (KeelApp *app);
/* Whether WebKit's sandbox can start here, asked in two steps so that the
 * test run of bwrap overlaps the rest of start-up: probe_start spawns it
 * (NULL with the error when bwrap or xdg-dbus-proxy is missing), and
 * probe_finish waits for it, then checks the buses. FALSE, with a message
 * saying what is missing and how to opt out, when the sandbox would fail
 * to start (WebKit aborts the process then): no user namespaces, or a
 * session or accessibility bus address whose socket directory is gone. */
GSubprocess *keel__sandbox_probe_start (GError **error);
gboolean keel__sandbox_probe_finish (GSubprocess *probe, GError **error);
void keel__sandbox_warn_disabled (KeelApp *app);

/* app.c */
void keel__app_notify_web_process (KeelApp *app, KeelWindow *window, KeelWebProcessReason reason,
                                   gboolean restarting);

/* permissions.c */
gboolean keel__permissions_load (KeelApp *app, GError **error);
/* Called when the app starts: every command is registered by then. */
gboolean keel__permissions_finalize (KeelApp *app, GError **error);

/* navigation.c: windows show the app's origin, devUrl and remote.urls only. */
/* Makes the rules from keel.json; an invalid pattern or a window url they
 * refuse fails with KEEL_ERROR_CONFIG. Called by keel_app_new(). */
gboolean keel__navigation_init (KeelApp *app, GError **error);
/* Compiles the rules into a WebKit content rule list, on WebKit's own
 * thread: _start() begins, _finish() waits for the list (or its error) and
 * frees the compilation. keel_app_run() finishes it before the first
 * window, which must not load without it. */
typedef struct _KeelNavigationCompilation KeelNavigationCompilation;
KeelNavigationCompilation *keel__navigation_compile_start (KeelApp *app, GError **error);
gboolean keel__navigation_compile_finish (KeelApp *app, KeelNavigationCompilation *compilation,
                                          GError **error);
/* Adds the rule list and the signal handlers to a new window's view, before
 * its first load and before window.c's own load-failed handler. */
void keel__navigation_attach (KeelWindow *window);
/* FALSE with KEEL_ERROR_FORBIDDEN when a window could not show url (a
 * window config's url, resolved as keel__app_resolve_url() does). */
gboolean keel__navigation_check_window_url (KeelApp *app, const char *label, const char *url,
                                            GError **error);
void keel__navigation_dispose (KeelApp *app);

/* scheme.c */
void keel__scheme_handle (WebKitURISchemeRequest *request, gpointer app);
/* Finishes a request with a response: status, body, Content-Type, and more
 * headers as NULL-terminated name/value pairs (a pair whose value is NULL
 * is left out). */
void keel__scheme_respond (WebKitURISchemeRequest *request, guint status, GInputStream *body,
                           gint64 length, const char *content_type, const char *const *headers);

/* ipc-scheme.c: binary calls, and bytes answered to JSON calls. */
void keel__ipc_scheme_handle (WebKitURISchemeRequest *request, gpointer app);
/* Keeps bytes for the window's page to collect; returns the ticket. */
char *keel__ipc_hold_bytes (KeelWindow *window, GBytes *bytes);
/* Drops what the page did not collect: when it ends. */
void keel__ipc_forget_held_bytes (KeelWindow *window);
