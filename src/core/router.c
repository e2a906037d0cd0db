#include "router.h"

#include "invoke-private.h"
#include "keel/keel-error.h"
#include "message.h"
#include "state.h"
#include "trace.h"

typedef struct
{
  KeelCommandFunc handler;
  gpointer user_data;
  GDestroyNotify destroy;
} Command;

typedef struct
{
  gint ref_count;
  guint id;
  gboolean is_request;
  gboolean removed;
  union
  {
    KeelRequestHook request;
    KeelResponseHook response;
  };
  gpointer user_data;
  GDestroyNotify destroy;
} Hook;

struct _KeelRouter
{
  gint ref_count;          /* the app's, plus one per pending invoke */
  gboolean closed;         /* keel__router_free() ran: answers are dropped */
  KeelApp *app;
  GMainContext *context;
  GHashTable *commands;    /* name → Command */
  GPtrArray *request_hooks;
  GPtrArray *response_hooks;
  guint next_hook_id;
  KeelPermissionCheck permission_check;
  gpointer permission_data;
  gsize max_message_size;
  GHashTable *live_pages;  /* page id set */
  guint64 next_page_id;
  gint pending;
  KeelStateTable *states;  /* managed state, freed with the router's memory */
};

static void
command_free (gpointer data)
{
  Command *command = data;
  if (command->destroy != NULL)
    command->destroy (command->user_data);
  g_free (command);
}

static Hook *
hook_ref (Hook *hook)
{
  g_atomic_int_inc (&hook->ref_count);
  return hook;
}

static void
hook_unref (gpointer data)
{
  Hook *hook = data;
  if (!g_atomic_int_dec_and_test (&hook->ref_count))
    return;
  if (hook->destroy != NULL)
    hook->destroy (hook->user_data);
  g_free (hook);
}

KeelRouter *
keel__router_new (KeelApp *app, GMainContext *context)
{
  KeelRouter *router = g_new0 (KeelRouter, 1);
  router->ref_count = 1;
  router->app = app;
  router->context = g_main_context_ref (context != NULL ? context : g_main_context_default ());
  router->commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, command_free);
  router->request_hooks = g_ptr_array_new_with_free_func (hook_unref);
  router->response_hooks = g_ptr_array_new_with_free_func (hook_unref);
  router->next_hook_id = 1;
  router->max_message_size = KEEL_MESSAGE_DEFAULT_MAX_SIZE;
  router->live_pages = g_hash_table_new (g_direct_hash, g_direct_equal);
  router->next_page_id = 1;
  router->states = keel__state_table_new ();
  return router;
}

static void
router_unref (KeelRouter *router)
{
  if (!g_atomic_int_dec_and_test (&router->ref_count))
    return;
  /* After the app and every pending invoke: no handler can reach a state
   * any more. */
  keel__state_table_free (router->states);
  g_main_context_unref (router->context);
  g_free (router);
}

void
keel__router_free (KeelRouter *router)
{
  if (router == NULL)
    return;
  router->closed = TRUE;
  router->app = NULL; /* invokes still pending in threads must not reach a freed app */
  g_clear_pointer (&router->commands, g_hash_table_unref);
  g_clear_pointer (&router->request_hooks, g_ptr_array_unref);
  g_clear_pointer (&router->response_hooks, g_ptr_array_unref);
  g_clear_pointer (&router->live_pages, g_hash_table_unref);
  router_unref (router);
}

KeelApp *
keel__router_get_app (KeelRouter *router)
{
  return router->app;
}

KeelStateTable *
keel__router_get_states (KeelRouter *router)
{
  return router->states;
}

void
keel__router_register (KeelRouter *router, const char *name, KeelCommandFunc handler,
                       gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (name != NULL && handler != NULL);
  if (!keel__command_name_is_valid (name))
    {
      g_warning ("keel_app_register_command: invalid command name \"%s\": use 1 to %d printable "
                 "ASCII characters without spaces",
                 name, KEEL_COMMAND_NAME_MAX);
      if (destroy != NULL)
        destroy (user_data);
      return;
    }
  if (g_hash_table_contains (router->commands, name))
    g_warning ("keel_app_register_command: command \"%s\" was already registered; the new "
               "handler replaces it",
               name);

  Command *command = g_new0 (Command, 1);
  command->handler = handler;
  command->user_data = user_data;
  command->destroy = destroy;
  g_hash_table_replace (router->commands, g_strdup (name), command);
}

gboolean
keel__router_has_command (KeelRouter *router, const char *name)
{
  return g_hash_table_contains (router->commands, name);
}

static guint
add_hook (KeelRouter *router, gboolean is_request, gpointer func, gpointer user_data,
          GDestroyNotify destroy)
{
  Hook *hook = g_new0 (Hook, 1);
  hook->ref_count = 1;
  hook->id = router->next_hook_id++;
  hook->is_request = is_request;
  if (is_request)
    hook->request = (KeelRequestHook) func;
  else
    hook->response = (KeelResponseHook) func;
  hook->user_data = user_data;
  hook->destroy = destroy;
  g_ptr_array_add (is_request ? router->request_hooks : router->response_hooks, hook);
  return hook->id;
}

guint
keel__router_add_request_hook (KeelRouter *router, KeelRequestHook hook, gpointer user_data,
                               GDestroyNotify destroy)
{
  g_return_val_if_fail (hook != NULL, 0);
  return add_hook (router, TRUE, (gpointer) hook, user_data, destroy);
}

guint
keel__router_add_response_hook (KeelRouter *router, KeelResponseHook hook, gpointer user_data,
                                GDestroyNotify destroy)
{
  g_return_val_if_fail (hook != NULL, 0);
  return add_hook (router, FALSE, (gpointer) hook, user_data, destroy);
}

gboolean
keel__router_remove_hook (KeelRouter *router, guint hook_id)
{
  GPtrArray *lists[] = { router->request_hooks, router->response_hooks };
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        Hook *hook = g_ptr_array_index (lists[l], i);
        if (hook->id == hook_id)
          {
            /* A hook may remove itself while it runs: the running loop holds
             * its own reference and skips entries marked removed. */
            hook->removed = TRUE;
            g_ptr_array_remove_index (lists[l], i);
            return TRUE;
          }
      }
  return FALSE;
}

/* Hooks run over a snapshot, so hooks added or removed by a hook take effect
 * from the next call on. */
static GPtrArray *
snapshot_hooks (GPtrArray *hooks)
{
  GPtrArray *copy = g_ptr_array_new_full (hooks->len, hook_unref);
  for (guint i = 0; i < hooks->len; i++)
    g_ptr_array_add (copy, hook_ref (g_ptr_array_index (hooks, i)));
  return copy;
}

void
keel__router_set_permission_check (KeelRouter *router, KeelPermissionCheck check,
                                   gpointer user_data)
{
  router->permission_check = check;
  router->permission_data = user_data;
}

void
keel__router_set_max_message_size (KeelRouter *router, gsize max_size)
{
  router->max_message_size = max_size;
}

gsize
keel__router_get_max_message_size (KeelRouter *router)
{
  return router->max_message_size;
}

guint64
keel__router_page_opened (KeelRouter *router)
{
  guint64 id = router->next_page_id++;
  g_hash_table_add (router->live_pages, GSIZE_TO_POINTER ((gsize) id));
  return id;
}

void
keel__router_page_closed (KeelRouter *router, guint64 page_id)
{
  if (router->live_pages != NULL)
    g_hash_table_remove (router->live_pages, GSIZE_TO_POINTER ((gsize) page_id));
}

gboolean
keel__router_page_is_alive (KeelRouter *router, guint64 page_id)
{
  return router->live_pages != NULL
         && g_hash_table_contains (router->live_pages, GSIZE_TO_POINTER ((gsize) page_id));
}

guint
keel__router_pending_count (KeelRouter *router)
{
  return (guint) g_atomic_int_get (&router->pending);
}

static KeelInvoke *
invoke_new (KeelRouter *router, const KeelCaller *caller, const char *command, json_t *args,
            GBytes *args_text, GBytes *body, json_t *headers)
{
  KeelInvoke *invoke = g_new0 (KeelInvoke, 1);
  invoke->ref_count = 1;
  g_atomic_int_inc (&router->ref_count);
  g_atomic_int_inc (&router->pending);
  invoke->router = router;
  invoke->command = g_strdup (command);
  invoke->args = args;
  invoke->args_text = args_text;
  invoke->body = body;
  invoke->headers = headers;
  invoke->window_label = g_strdup (caller->window_label);
  invoke->webview_label = g_strdup (caller->webview_label);
  invoke->origin = g_strdup (caller->origin);
  invoke->url = g_strdup (caller->url);
  invoke->local = caller->local;
  invoke->page_id = caller->page_id;
  invoke->outbox = caller->outbox != NULL ? keel__outbox_ref (caller->outbox) : NULL;
  invoke->start_time = g_get_monotonic_time ();
  invoke->reply = caller->reply;
  invoke->reply_target = caller->reply_target;
  invoke->reply_target_free = caller->reply_target_free;
  return invoke;
}

static void
invoke_unref (KeelInvoke *invoke)
{
  if (!g_atomic_int_dec_and_test (&invoke->ref_count))
    return;
  KeelRouter *router = invoke->router;
  if (invoke->reply_target_free != NULL)
    invoke->reply_target_free (invoke->reply_target);
  g_free (invoke->command);
  json_decref (invoke->args);
  g_clear_pointer (&invoke->args_text, g_bytes_unref);
  g_clear_pointer (&invoke->body, g_bytes_unref);
  json_decref (invoke->headers);
  g_free (invoke->window_label);
  g_free (invoke->webview_label);
  g_free (invoke->origin);
  g_free (invoke->url);
  keel__outbox_unref (invoke->outbox);
  json_decref (invoke->scope_allow);
  json_decref (invoke->scope_deny);
  json_decref (invoke->value);
  g_clear_pointer (&invoke->raw, g_bytes_unref);
  g_clear_pointer (&invoke->bytes, g_bytes_unref);
  g_free (invoke);
  g_atomic_int_dec_and_test (&router->pending);
  router_unref (router);
}

static void dispatch_invoke (KeelRouter *router, KeelInvoke *invoke);

static void
dispatch_new (KeelRouter *router, const KeelCaller *caller, const char *command, json_t *args,
              GBytes *args_text, GBytes *body, json_t *headers)
{
  KeelInvoke *invoke = invoke_new (router, caller, command, args, args_text, body, headers);
  g_atomic_int_inc (&invoke->ref_count);
  dispatch_invoke (router, invoke);
  invoke_unref (invoke);
}

void
keel__router_dispatch (KeelRouter *router, const KeelCaller *caller, const char *command,
                       json_t *args)
{
  dispatch_new (router, caller, command, args, NULL, NULL, NULL);
}

void
keel__router_dispatch_body (KeelRouter *router, const KeelCaller *caller, const char *command,
                            GBytes *body, json_t *headers)
{
  g_autoptr (GError) error = NULL;
  if (!keel__command_name_check (command, strlen (command), "IPC request has", &error))
    {
      json_decref (headers);
      KeelInvoke *invoke = invoke_new (router, caller, "(malformed message)", json_object (),
                                       NULL, NULL, NULL);
      keel_invoke_reject (invoke, "invalid_message", "%s", error->message);
      return;
    }
  dispatch_new (router, caller, command, json_object (), NULL, g_bytes_ref (body), headers);
}

static void
dispatch_invoke (KeelRouter *router, KeelInvoke *invoke)
{
  g_autoptr (GError) error = NULL;

  g_autoptr (GPtrArray) hooks = snapshot_hooks (router->request_hooks);
  for (guint i = 0; i < hooks->len; i++)
    {
      Hook *hook = g_ptr_array_index (hooks, i);
      if (hook->removed)
        continue;
      if (!hook->request (invoke, &error, hook->user_data))
        {
          keel_invoke_reject (invoke, "refused", "%s",
                              error != NULL ? error->message
                                            : "refused by a request hook that gave no reason");
          return;
        }
    }

  /* The permission check (see docs/architecture.md): after the hooks, which
   * may rewrite a call, and before anything acts on it. */
  Command *handler = g_hash_table_lookup (router->commands, invoke->command);
  if (router->permission_check != NULL
      && !router->permission_check (invoke, &error, router->permission_data))
    {
      /* A command nobody knows is reported as such; one with a handler but
       * no permission is refused like any other. */
      if (handler != NULL || !g_error_matches (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND))
        {
          keel_invoke_reject (invoke, "forbidden", "%s",
                              error != NULL ? error->message : "not permitted");
          return;
        }
    }

  if (handler == NULL)
    {
      keel_invoke_reject (invoke, "unknown_command",
                          "unknown command \"%s\": no handler is registered under that name "
                          "(check the spelling, or register it with keel_app_register_command())",
                          invoke->command);
      return;
    }
  handler->handler (invoke, handler->user_data);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
keel__router_list_commands (KeelRouter *router)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, router->commands);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);
  return names;
}

void
keel__router_refuse (KeelRouter *router, const KeelCaller *caller, const char *code,
                     const char *message)
{
  KeelInvoke *invoke
    = invoke_new (router, caller, "(refused message)", json_object (), NULL, NULL, NULL);
  keel_invoke_reject (invoke, code, "%s", message);
}

void
keel__router_dispatch_text (KeelRouter *router, const KeelCaller *caller, const char *text,
                            gsize length, GBytes *owner)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelMessage) message
    = keel__message_parse (text, length, owner, router->max_message_size, &error);
  if (message == NULL)
    keel__router_refuse_message (router, caller, error);
  else
    keel__router_dispatch_message (router, caller, message);
}

void
keel__router_refuse_message (KeelRouter *router, const KeelCaller *caller, const GError *error)
{
  /* Answer through a short-lived invoke so tracing and the reply path are
   * the same as for every other call. */
  KeelInvoke *invoke
    = invoke_new (router, caller, "(malformed message)", json_object (), NULL, NULL, NULL);
  keel_invoke_reject (invoke,
                      g_error_matches (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE)
                        ? "message_too_large"
                        : "invalid_message",
                      "%s", error->message);
}

void
keel__router_dispatch_message (KeelRouter *router, const KeelCaller *caller, KeelMessage *message)
{
  /* The arguments go on as text; a handler that reads them parses them. */
  dispatch_new (router, caller, message->command, g_steal_pointer (&message->args),
                g_steal_pointer (&message->args_text), NULL, g_steal_pointer (&message->headers));
}

static gboolean
finish_on_main (gpointer data)
{
  KeelInvoke *invoke = data;
  KeelRouter *router = invoke->router;
  g_autoptr (GBytes) text = NULL;

  if (!router->closed && router->response_hooks->len > 0)
    {
      /* Bytes reach the hooks as null; a hook that stores a value answers
       * with it instead of the bytes. */
      json_t *value = g_steal_pointer (&invoke->value);
      if (invoke->bytes != NULL && value == NULL)
        value = json_null ();
      if (invoke->raw != NULL)
        {
          json_error_t json_error;
          gsize length;
          const char *raw = g_bytes_get_data (invoke->raw, &length);
          value = json_loadb (raw, length, JSON_DECODE_ANY, &json_error);
          if (value == NULL)
            {
              g_autofree char *message = g_strdup_printf (
                "command \"%s\" answered invalid JSON (%s)", invoke->command, json_error.text);
              value = keel__error_value ("invalid_result", message);
              invoke->ok = FALSE;
            }
        }
      g_autoptr (GPtrArray) hooks = snapshot_hooks (router->response_hooks);
      for (guint i = 0; i < hooks->len; i++)
        {
          Hook *hook = g_ptr_array_index (hooks, i);
          if (!hook->removed)
            hook->response (invoke, !invoke->ok, &value, hook->user_data);
        }
      if (invoke->bytes != NULL && invoke->ok && json_is_null (value))
        json_decref (value); /* untouched: the bytes go */
      else
        {
          g_clear_pointer (&invoke->bytes, g_bytes_unref);
          text = keel__json_to_bytes (value);
          json_decref (value);
        }
    }
  else if (invoke->bytes != NULL)
    ; /* sent below as they are */
  else if (invoke->raw != NULL)
    text = g_steal_pointer (&invoke->raw);
  else
    text = keel__json_to_bytes (invoke->value);

  gboolean alive = !router->closed && keel__router_page_is_alive (router, invoke->page_id);
  if (alive)
    {
      invoke->reply (invoke->reply_target, invoke->ok, text, text == NULL ? invoke->bytes : NULL);
    }

  if (keel__trace_enabled ())
    {
      g_autofree char *outcome = NULL;
      if (!alive)
        outcome = g_strdup ("dropped (the page has gone)");
      else if (invoke->ok && text == NULL)
        outcome = g_strdup_printf ("ok (%" G_GSIZE_FORMAT " bytes)", g_bytes_get_size (invoke->bytes));
      else if (invoke->ok)
        outcome = g_strdup ("ok");
      else
        outcome = g_strdup_printf ("error %.*s", (int) MIN (g_bytes_get_size (text), 200),
                                   (const char *) g_bytes_get_data (text, NULL));
      keel__trace_invoke (invoke->window_label, invoke->command, outcome,
                          g_get_monotonic_time () - invoke->start_time);
    }

  invoke_unref (invoke);
  return G_SOURCE_REMOVE;
}

void
keel__invoke_finish (KeelInvoke *invoke)
{
  GMainContext *context = invoke->router->context;
  if (g_main_context_is_owner (context))
    {
      finish_on_main (invoke);
      return;
    }
  /* Not g_main_context_invoke(): it would run the answer on this thread when
   * the loop is between iterations, and replies must leave from the main
   * thread only. */
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, finish_on_main, invoke, NULL);
  g_source_set_static_name (source, "[keel] invoke answer");
  g_source_attach (source, context);
  g_source_unref (source);
}
