/* router.h — every call from a page passes here:
 * request → request hooks → permission check → command → response hooks → reply.
 *
 * The router knows nothing of GTK or WebKit. The shell hands it a KeelCaller
 * (who asked, and how to answer) and the message text; the router answers
 * through the caller's reply function on the main context, or drops the
 * answer when the page that asked has gone. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "keel/keel-command.h"
#include "message.h"
#include "outbox.h"

typedef struct _KeelRouter KeelRouter;

/* Sends an answer to the page: fulfilled (ok) or rejected, as JSON text, or,
 * for a fulfilled call whose handler answered bytes, as those bytes (then
 * json_text is NULL). Each transport encodes them its own way. The JSON text
 * is not NUL-terminated; a command that passes a value on untouched answers
 * with the very bytes it was sent. */
typedef void (*KeelReplyFunc) (gpointer reply_target, gboolean ok, GBytes *json_text,
                               GBytes *bytes);

typedef struct
{
  const char *window_label;
  const char *webview_label;
  const char *origin;
  const char *url;              /* the calling document's URL (NULL: unknown) */
  gboolean local;               /* that document is on the app's origin (or devUrl) */
  guint64 page_id;              /* the document that asked; see keel__router_page_opened() */
  KeelOutbox *outbox;           /* that document's outbox, for channels; NULL: none */
  KeelReplyFunc reply;
  gpointer reply_target;        /* owned by the router from dispatch on */
  GDestroyNotify reply_target_free;
} KeelCaller;

/* The permission check's place in the path: called after the request hooks
 * and before the handler. Return FALSE with error set to refuse; the page
 * gets {code: "forbidden", message}. NULL (the default) allows every call. */
typedef gboolean (*KeelPermissionCheck) (KeelInvoke *invoke, GError **error, gpointer user_data);

/* Creates a router whose answers are delivered on `context` (the app's main
 * context; NULL means the global default). */
KeelRouter *keel__router_new (KeelApp *app, GMainContext *context);
/* Drops the app's hold: registered commands and hooks are freed now; invokes
 * still pending keep the router's memory alive until they are answered, and
 * their answers are dropped. */
void keel__router_free (KeelRouter *router);

KeelApp *keel__router_get_app (KeelRouter *router);

/* The app's managed state (state.h). It lives as long as the router's
 * memory: until the app is freed and the last pending invoke is gone. */
typedef struct _KeelStateTable KeelStateTable;
KeelStateTable *keel__router_get_states (KeelRouter *router);

void keel__router_register (KeelRouter *router, const char *name, KeelCommandFunc handler,
                            gpointer user_data, GDestroyNotify destroy);
gboolean keel__router_has_command (KeelRouter *router, const char *name);
/* The registered command names (borrowed), sorted. */
GPtrArray *keel__router_list_commands (KeelRouter *router);

guint keel__router_add_request_hook (KeelRouter *router, KeelRequestHook hook, gpointer user_data,
                                     GDestroyNotify destroy);
guint keel__router_add_response_hook (KeelRouter *router, KeelResponseHook hook,
                                      gpointer user_data, GDestroyNotify destroy);
gboolean keel__router_remove_hook (KeelRouter *router, guint hook_id);

void keel__router_set_permission_check (KeelRouter *router, KeelPermissionCheck check,
                                        gpointer user_data);

/* The largest message accepted; larger ones are refused before parsing. */
void keel__router_set_max_message_size (KeelRouter *router, gsize max_size);
gsize keel__router_get_max_message_size (KeelRouter *router);

/* Page lifecycle: a page id names one document in one web view. Answers to a
 * page that closed are dropped. Ids are never reused. */
guint64 keel__router_page_opened (KeelRouter *router);
void keel__router_page_closed (KeelRouter *router, guint64 page_id);
gboolean keel__router_page_is_alive (KeelRouter *router, guint64 page_id);

/* Answers a caller at once with {code, message}, without dispatching (for
 * messages the shell refuses before they are parsed). */
void keel__router_refuse (KeelRouter *router, const KeelCaller *caller, const char *code,
                          const char *message);

/* Parses one message from a page and dispatches it: keel__message_parse(),
 * then keel__router_dispatch_message(), or keel__router_refuse_message() when
 * it fails. `owner`, if not NULL, holds the text, so the arguments can be a
 * view of it. */
void keel__router_dispatch_text (KeelRouter *router, const KeelCaller *caller, const char *text,
                                 gsize length, GBytes *owner);

/* Dispatches a parsed message; takes its command, arguments and headers. */
void keel__router_dispatch_message (KeelRouter *router, const KeelCaller *caller,
                                    KeelMessage *message);

/* Answers a message keel__message_parse() refused with its error:
 * {code: "message_too_large" or "invalid_message", message}. */
void keel__router_refuse_message (KeelRouter *router, const KeelCaller *caller,
                                  const GError *error);

/* Dispatches a call with a binary body (Tauri's raw request): the handler
 * finds the bytes with keel_invoke_get_body() and empty args. Takes
 * `headers` (an object of lower-case names to strings, or NULL). The command
 * name is checked as in a message; the shell has checked the size. */
void keel__router_dispatch_body (KeelRouter *router, const KeelCaller *caller, const char *command,
                                 GBytes *body, json_t *headers);

/* Dispatches a call the core builds itself; takes `args` (an object). */
void keel__router_dispatch (KeelRouter *router, const KeelCaller *caller, const char *command,
                            json_t *args);

/* Invokes waiting for their answer (for tests and shutdown). */
guint keel__router_pending_count (KeelRouter *router);
