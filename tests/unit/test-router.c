/* Unit tests of the IPC path in src/core: router.c (dispatch, hooks,
 * permission check, page lifecycle, delivery on the main context), invoke.c
 * (answers and argument helpers), trace.c through KEEL_TRACE, and
 * event-commands.c (plugin:event|*) against a real event bus.
 *
 * The router is driven headless: a fake caller whose reply function records
 * what a page would receive. The test thread does not own the default main
 * context, so answers arrive as idle sources and the tests iterate the
 * context until nothing is pending, as the shell's main loop would. */
#include <glib.h>
#include <string.h>

#include "event-commands.h"
#include "events.h"
#include "invoke-private.h"
#include "keel/keel-error.h"
#include "message.h"
#include "router.h"
#include "state.h"

/* KeelApp is opaque to the core: any distinct pointer stands for one. */
static int fake_app_storage;
#define FAKE_APP ((KeelApp *) &fake_app_storage)

/* ---- the fake caller --------------------------------------------------- */

typedef struct
{
  GPtrArray *replies;    /* texts given to the reply function, in order */
  GThread *reply_thread; /* the thread of the last reply */
  guint target_frees;    /* calls of reply_target_free */
} Recorder;

/* Records replies as their letter and text: "o<json>" or "e<json>", and
 * bytes as "b<their text>" (the transport's own form, with the call's id,
 * is test-message's). */
static void
recorder_reply (gpointer target, gboolean ok, GBytes *json_text, GBytes *bytes)
{
  Recorder *recorder = target;
  if (bytes != NULL)
    g_ptr_array_add (recorder->replies,
                     g_strdup_printf ("b%.*s", (int) g_bytes_get_size (bytes),
                                      (const char *) g_bytes_get_data (bytes, NULL)));
  else
    g_ptr_array_add (recorder->replies,
                     g_strdup_printf ("%c%.*s", ok ? 'o' : 'e', (int) g_bytes_get_size (json_text),
                                      (const char *) g_bytes_get_data (json_text, NULL)));
  recorder->reply_thread = g_thread_self ();
}

static void
recorder_target_free (gpointer target)
{
  Recorder *recorder = target;
  recorder->target_frees++;
}

static KeelCaller
caller_for (Recorder *recorder, const char *window_label, guint64 page_id)
{
  return (KeelCaller){
    .window_label = window_label,
    .webview_label = window_label,
    .origin = "keel://localhost",
    .page_id = page_id,
    .reply = recorder_reply,
    .reply_target = recorder,
    .reply_target_free = recorder_target_free,
  };
}

/* Iterates the default context until the router has nothing pending. */
static void
drain_until (KeelRouter *router, const guint *counter, guint wanted)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (router != NULL ? keel__router_pending_count (router) > 0 : *counter < wanted)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (500);
      if (g_get_monotonic_time () > deadline)
        g_error ("an invoke was never answered");
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
drain (KeelRouter *router)
{
  drain_until (router, NULL, 0);
}

/* ---- the fixture ------------------------------------------------------- */

typedef struct
{
  KeelRouter *router;
  Recorder recorder;
  guint64 page;
  guint dispatched;   /* calls whose reply target the router took */
  GThread *main_thread;
  KeelInvoke *held;   /* an invoke kept by hold_command */
  GString *log;       /* what hooks and handlers did, in order */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->router = keel__router_new (FAKE_APP, NULL);
  f->recorder.replies = g_ptr_array_new_with_free_func (g_free);
  f->page = keel__router_page_opened (f->router);
  f->main_thread = g_thread_self ();
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->router != NULL)
    {
      drain (f->router);
      g_assert_cmpuint (keel__router_pending_count (f->router), ==, 0);
      keel__router_free (f->router);
    }
  /* Every reply target the router took was handed back exactly once. */
  g_assert_cmpuint (f->recorder.target_frees, ==, f->dispatched);
  g_ptr_array_unref (f->recorder.replies);
  g_string_free (f->log, TRUE);
}

/* Frees the router now, while hook data on the test's stack still lives. */
static void
fixture_close (Fixture *f)
{
  drain (f->router);
  g_assert_cmpuint (keel__router_pending_count (f->router), ==, 0);
  keel__router_free (g_steal_pointer (&f->router));
}

static void
send_as (Fixture *f, const char *window_label, guint64 page_id, const char *text)
{
  KeelCaller caller = caller_for (&f->recorder, window_label, page_id);
  f->dispatched++;
  keel__router_dispatch_text (f->router, &caller, text, strlen (text), NULL);
}

static void
send_msg (Fixture *f, const char *text)
{
  send_as (f, "main", f->page, text);
}

/* Sends one message and returns its only reply (borrowed). */
static const char *
call (Fixture *f, const char *text)
{
  guint before = f->recorder.replies->len;
  send_msg (f, text);
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, before + 1);
  return g_ptr_array_index (f->recorder.replies, before);
}

/* Checks that reply is a rejection {code, message} whose message holds
 * every fragment (NULL-terminated list). */
static void
assert_error_reply (const char *reply, const char *code, ...)
{
  g_assert_nonnull (reply);
  if (reply[0] != 'e')
    g_error ("expected a rejection, got %s", reply);
  json_error_t json_error;
  g_autoptr (json_t) value = json_loads (reply + 1, 0, &json_error);
  g_assert_nonnull (value);
  g_assert_cmpstr (json_string_value (json_object_get (value, "code")), ==, code);
  const char *message = json_string_value (json_object_get (value, "message"));
  g_assert_nonnull (message);

  va_list args;
  va_start (args, code);
  for (const char *fragment = va_arg (args, const char *); fragment != NULL;
       fragment = va_arg (args, const char *))
    {
      if (strstr (message, fragment) == NULL)
        g_error ("message \"%s\" lacks \"%s\"", message, fragment);
    }
  va_end (args);
}

/* ---- commands ---------------------------------------------------------- */

static void
echo_command (KeelInvoke *invoke, gpointer user_data)
{
  Fixture *f = user_data;
  if (f != NULL)
    g_string_append (f->log, "H");
  keel_invoke_resolve (invoke, json_incref (keel_invoke_get_args (invoke)));
}

static void
greet_command (KeelInvoke *invoke, gpointer user_data)
{
  const char *name;
  if (!keel_invoke_arg_string (invoke, "name", &name))
    return;
  keel_invoke_resolve (invoke, json_sprintf ("Hello, %s!", name));
}

static void
hold_command (KeelInvoke *invoke, gpointer user_data)
{
  Fixture *f = user_data;
  g_assert_null (f->held);
  f->held = invoke;
}

static void
raw_command (KeelInvoke *invoke, gpointer user_data)
{
  keel_invoke_resolve_raw (invoke, user_data);
}

static void
reject_command (KeelInvoke *invoke, gpointer user_data)
{
  keel_invoke_reject (invoke, "not_found", "no file named %s", "a.txt");
}

static void
reject_value_command (KeelInvoke *invoke, gpointer user_data)
{
  keel_invoke_reject_value (invoke, json_string ("plain"));
}

static void
inspect_command (KeelInvoke *invoke, gpointer user_data)
{
  keel_invoke_resolve (invoke,
                       json_pack ("{s:b, s:s, s:s, s:s, s:s, s:O}", "app",
                                  keel_invoke_get_app (invoke) == FAKE_APP, "command",
                                  keel_invoke_get_command (invoke), "window",
                                  keel_invoke_get_window_label (invoke), "webview",
                                  keel_invoke_get_webview_label (invoke), "origin",
                                  keel_invoke_get_origin (invoke), "args",
                                  keel_invoke_get_args (invoke)));
}

/* ---- dispatch ---------------------------------------------------------- */

static void
test_dispatch_registered (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "greet", greet_command, NULL, NULL);
  g_assert_true (keel__router_has_command (f->router, "greet"));
  g_assert_false (keel__router_has_command (f->router, "greet2"));
  g_assert_true (keel__router_get_app (f->router) == FAKE_APP);

  send_msg (f, "{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}");
  /* This thread does not own the main context: the answer waits for it. */
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
  g_assert_cmpuint (keel__router_pending_count (f->router), ==, 1);
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->recorder.replies, 0), ==, "o\"Hello, Ada!\"");
  g_assert_true (f->recorder.reply_thread == f->main_thread);
  g_assert_cmpuint (f->recorder.target_frees, ==, 1);
}

static void
test_dispatch_accessors (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "inspect", inspect_command, NULL, NULL);
  const char *reply = call (f, "{\"cmd\": \"inspect\", \"args\": [1, \"two\"]}");
  g_assert_cmpstr (reply, ==,
                   "o{\"app\":true,\"command\":\"inspect\",\"window\":\"main\",\"webview\":"
                   "\"main\",\"origin\":\"keel://localhost\",\"args\":[1,\"two\"]}");

  /* No args: an empty object, never NULL. */
  reply = call (f, "{\"cmd\": \"inspect\"}");
  g_assert_nonnull (strstr (reply, "\"args\":{}"));
}

static void
test_dispatch_owned_context (Fixture *f, gconstpointer data)
{
  /* On the thread that owns the context (the shell's main loop), an answer
   * given during dispatch is sent before dispatch returns. */
  keel__router_register (f->router, "echo", echo_command, NULL, NULL);
  g_assert_true (g_main_context_acquire (NULL));
  send_msg (f, "{\"cmd\": \"echo\", \"args\": {\"a\": 1}}");
  g_assert_cmpuint (f->recorder.replies->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->recorder.replies, 0), ==, "o{\"a\":1}");
  g_assert_cmpuint (keel__router_pending_count (f->router), ==, 0);
  g_main_context_release (NULL);
}

static void
test_dispatch_core_call (Fixture *f, gconstpointer data)
{
  /* keel__router_dispatch: a call the core builds, taking the args. */
  keel__router_register (f->router, "echo", echo_command, NULL, NULL);
  KeelCaller caller = caller_for (&f->recorder, "main", f->page);
  f->dispatched++;
  keel__router_dispatch (f->router, &caller, "echo", json_pack ("{s:i}", "k", 9));
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->recorder.replies, 0), ==, "o{\"k\":9}");
}

static void
test_dispatch_unknown_command (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "greet", greet_command, NULL, NULL);
  const char *reply = call (f, "{\"cmd\": \"gret\", \"args\": {}}");
  assert_error_reply (reply, "unknown_command", "\"gret\"", "keel_app_register_command", NULL);
}

static void
test_dispatch_rejections (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "reject", reject_command, NULL, NULL);
  keel__router_register (f->router, "reject_value", reject_value_command, NULL, NULL);
  g_assert_cmpstr (call (f, "{\"cmd\": \"reject\"}"), ==,
                   "e{\"code\":\"not_found\",\"message\":\"no file named a.txt\"}");
  g_assert_cmpstr (call (f, "{\"cmd\": \"reject_value\"}"), ==, "e\"plain\"");
}

static void
test_dispatch_malformed (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "echo", echo_command, f, NULL);
  assert_error_reply (call (f, "not json"), "invalid_message", "not valid JSON", "at byte", NULL);
  assert_error_reply (call (f, "[]"), "invalid_message", "must be a JSON object", NULL);
  assert_error_reply (call (f, "{\"cmd\": \"echo\", \"args\": 3}"), "invalid_message",
                      "\"args\" of the wrong type", NULL);
  assert_error_reply (call (f, "{\"cmd\": \"a b\"}"), "invalid_message", "invalid command name",
                      NULL);
  assert_error_reply (call (f, "{\"cmd\": \"echo\", \"x\": 1}"), "invalid_message",
                      "unknown key \"x\"", NULL);
  g_assert_cmpstr (f->log->str, ==, "");
}

static void
test_dispatch_too_large (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "echo", echo_command, f, NULL);
  const char *fits = "{\"cmd\":\"echo\"}";
  keel__router_set_max_message_size (f->router, strlen (fits));
  g_assert_cmpstr (call (f, fits), ==, "o{}");

  keel__router_set_max_message_size (f->router, strlen (fits) - 1);
  assert_error_reply (call (f, fits), "message_too_large", "14 bytes", "limit of 13 bytes", NULL);
  g_assert_cmpstr (f->log->str, ==, "H");
}

/* ---- request hooks ----------------------------------------------------- */

typedef struct
{
  Fixture *f;
  char mark;
  guint id;
  gboolean refuse;
  const char *reason; /* for refuse; NULL gives no GError */
  gboolean remove_self;
  guint remove_other;
  json_t *new_args;   /* set with keel_invoke_set_args, taken */
  guint destroyed;
} HookData;

static gboolean
request_hook (KeelInvoke *invoke, GError **error, gpointer user_data)
{
  HookData *hook = user_data;
  g_string_append_c (hook->f->log, hook->mark);
  if (hook->remove_self)
    g_assert_true (keel__router_remove_hook (hook->f->router, hook->id));
  if (hook->remove_other != 0)
    g_assert_true (keel__router_remove_hook (hook->f->router, hook->remove_other));
  if (hook->new_args != NULL)
    keel_invoke_set_args (invoke, g_steal_pointer (&hook->new_args));
  if (hook->refuse)
    {
      if (hook->reason != NULL)
        g_set_error_literal (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN, hook->reason);
      return FALSE;
    }
  return TRUE;
}

static void
hook_data_destroy (gpointer user_data)
{
  HookData *hook = user_data;
  hook->destroyed++;
}

static guint
add_request_hook (Fixture *f, HookData *hook, char mark)
{
  hook->f = f;
  hook->mark = mark;
  hook->id = keel__router_add_request_hook (f->router, request_hook, hook, hook_data_destroy);
  g_assert_cmpuint (hook->id, >, 0);
  return hook->id;
}

static void
test_request_hooks_order (Fixture *f, gconstpointer data)
{
  HookData a = { 0 }, b = { 0 }, c = { 0 };
  keel__router_register (f->router, "echo", echo_command, f, NULL);
  guint ida = add_request_hook (f, &a, 'a');
  guint idb = add_request_hook (f, &b, 'b');
  guint idc = add_request_hook (f, &c, 'c');
  g_assert_cmpuint (ida, !=, idb);
  g_assert_cmpuint (idb, !=, idc);

  g_assert_cmpstr (call (f, "{\"cmd\": \"echo\", \"args\": {\"v\": 1}}"), ==, "o{\"v\":1}");
  g_assert_cmpstr (f->log->str, ==, "abcH");

  /* Hooks see every call, unknown commands and malformed text excepted only
   * for the latter, which never becomes a call. */
  g_string_truncate (f->log, 0);
  assert_error_reply (call (f, "{\"cmd\": \"nope\"}"), "unknown_command", NULL);
  g_assert_cmpstr (f->log->str, ==, "abc");
  g_string_truncate (f->log, 0);
  assert_error_reply (call (f, "{"), "invalid_message", NULL);
  g_assert_cmpstr (f->log->str, ==, "");

  keel__router_free (f->router);
  f->router = NULL;
  g_assert_cmpuint (a.destroyed + b.destroyed + c.destroyed, ==, 3);
}

static void
test_request_hook_refuses (Fixture *f, gconstpointer data)
{
  HookData a = { 0 }, b = { .refuse = TRUE, .reason = "calls to echo are off today" }, c = { 0 };
  keel__router_register (f->router, "echo", echo_command, f, NULL);
  add_request_hook (f, &a, 'a');
  add_request_hook (f, &b, 'b');
  add_request_hook (f, &c, 'c');

  const char *reply = call (f, "{\"cmd\": \"echo\"}");
  g_assert_cmpstr (reply, ==,
                   "e{\"code\":\"refused\",\"message\":\"calls to echo are off today\"}");
  /* Neither the later hook nor the handler ran. */
  g_assert_cmpstr (f->log->str, ==, "ab");

  /* A refusal without a GError still says something. */
  b.reason = NULL;
  g_string_truncate (f->log, 0);
  assert_error_reply (call (f, "{\"cmd\": \"echo\"}"), "refused", "gave no reason", NULL);
  g_assert_cmpstr (f->log->str, ==, "ab");
  fixture_close (f);
}

static void
test_request_hook_rewrites_args (Fixture *f, gconstpointer data)
{
  HookData a = { .new_args = json_pack ("{s:s}", "name", "Bob") };
  keel__router_register (f->router, "greet", greet_command, NULL, NULL);
  add_request_hook (f, &a, 'a');
  g_assert_cmpstr (call (f, "{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}"), ==,
                   "o\"Hello, Bob!\"");
  /* The rewrite was for that call only. */
  g_assert_cmpstr (call (f, "{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}"), ==,
                   "o\"Hello, Ada!\"");
  fixture_close (f);
}

static void
test_request_hook_removes_itself (Fixture *f, gconstpointer data)
{
  HookData a = { .remove_self = TRUE }, b = { 0 };
  keel__router_register (f->router, "echo", echo_command, f, NULL);
  guint ida = add_request_hook (f, &a, 'a');
  add_request_hook (f, &b, 'b');

  g_assert_cmpstr (call (f, "{\"cmd\": \"echo\"}"), ==, "o{}");
  /* The rest of the call went on as usual... */
  g_assert_cmpstr (f->log->str, ==, "abH");
  /* ...and the hook's data was released once it had returned. */
  g_assert_cmpuint (a.destroyed, ==, 1);
  g_assert_cmpuint (b.destroyed, ==, 0);
  g_assert_false (keel__router_remove_hook (f->router, ida));

  g_string_truncate (f->log, 0);
  g_assert_cmpstr (call (f, "{\"cmd\": \"echo\"}"), ==, "o{}");
  g_assert_cmpstr (f->log->str, ==, "bH");
  fixture_close (f);
}

static void
test_request_hook_removes_later_hook (Fixture *f, gconstpointer data)
{
  HookData a = { 0 }, b = { 0 };
  keel__router_register (f->router, "echo", echo_command, f, NULL);
  add_request_hook (f, &a, 'a');
  guint idb = add_request_hook (f, &b, 'b');
  a.remove_other = idb;

  g_assert_cmpstr (call (f, "{\"cmd\": \"echo\"}"), ==, "o{}");
  /* A removed hook does not run, even in the call that removed it. */
  g_assert_cmpstr (f->log->str, ==, "aH");
  g_assert_cmpuint (b.destroyed, ==, 1);
  fixture_close (f);
}

static void
test_remove_hook_unknown (Fixture *f, gconstpointer data)
{
  g_assert_false (keel__router_remove_hook (f->router, 0));
  g_assert_false (keel__router_remove_hook (f->router, 12345));
}

/* ---- response hooks ---------------------------------------------------- */

typedef struct
{
  GString *seen;       /* "<is_error> <value>;" for each answer */
  gboolean wrap;       /* replace results with {"wrapped": value} */
  gboolean mask;       /* replace errors with {"code": "masked"} */
  guint destroyed;
} ResponseData;

static void
response_hook (KeelInvoke *invoke, gboolean is_error, json_t **value, gpointer user_data)
{
  ResponseData *data = user_data;
  g_autofree char *text = keel__json_to_text (*value);
  g_string_append_printf (data->seen, "%s %s %s;", keel_invoke_get_command (invoke),
                          is_error ? "error" : "ok", text);
  if (data->wrap && !is_error)
    *value = json_pack ("{s:o}", "wrapped", *value);
  if (data->mask && is_error)
    {
      json_decref (*value);
      *value = json_pack ("{s:s}", "code", "masked");
    }
}

static void
response_data_destroy (gpointer user_data)
{
  ResponseData *data = user_data;
  data->destroyed++;
}

static void
response_data_clear (ResponseData *data)
{
  g_string_free (data->seen, TRUE);
}

static void
test_response_hook_rewrites (Fixture *f, gconstpointer data)
{
  ResponseData r = { .seen = g_string_new (NULL), .wrap = TRUE, .mask = TRUE };
  keel__router_register (f->router, "echo", echo_command, NULL, NULL);
  keel__router_register (f->router, "reject", reject_command, NULL, NULL);
  guint id = keel__router_add_response_hook (f->router, response_hook, &r, response_data_destroy);
  g_assert_cmpuint (id, >, 0);

  g_assert_cmpstr (call (f, "{\"cmd\": \"echo\", \"args\": [1]}"), ==, "o{\"wrapped\":[1]}");
  g_assert_cmpstr (call (f, "{\"cmd\": \"reject\"}"), ==, "e{\"code\":\"masked\"}");
  /* Keel's own rejections pass the hooks too. */
  g_assert_cmpstr (call (f, "{\"cmd\": \"nope\"}"), ==, "e{\"code\":\"masked\"}");
  g_assert_cmpstr (r.seen->str, ==,
                   "echo ok [1];"
                   "reject error {\"code\":\"not_found\",\"message\":\"no file named a.txt\"};"
                   "nope error {\"code\":\"unknown_command\",\"message\":\"unknown command "
                   "\\\"nope\\\": no handler is registered under that name (check the "
                   "spelling, or register it with keel_app_register_command())\"};");

  g_assert_true (keel__router_remove_hook (f->router, id));
  g_assert_cmpuint (r.destroyed, ==, 1);
  g_assert_cmpstr (call (f, "{\"cmd\": \"echo\", \"args\": [1]}"), ==, "o[1]");
  response_data_clear (&r);
}

static void
test_response_hook_sees_raw_parsed (Fixture *f, gconstpointer data)
{
  ResponseData r = { .seen = g_string_new (NULL) };
  keel__router_register (f->router, "raw", raw_command, "{ \"a\" : [1, 2],\n \"b\": \"\\u00e9\" }",
                         NULL);
  keel__router_add_response_hook (f->router, response_hook, &r, NULL);
  /* The hook got a parsed value, and the reply is its re-encoding. */
  g_assert_cmpstr (call (f, "{\"cmd\": \"raw\"}"), ==, "o{\"a\":[1,2],\"b\":\"\xc3\xa9\"}");
  g_assert_cmpstr (r.seen->str, ==, "raw ok {\"a\":[1,2],\"b\":\"\xc3\xa9\"};");
  response_data_clear (&r);
  fixture_close (f);
}

static void
test_response_hook_raw_invalid (Fixture *f, gconstpointer data)
{
  ResponseData r = { .seen = g_string_new (NULL) };
  keel__router_register (f->router, "raw", raw_command, "{\"a\": ", NULL);
  keel__router_add_response_hook (f->router, response_hook, &r, NULL);
  const char *reply = call (f, "{\"cmd\": \"raw\"}");
  assert_error_reply (reply, "invalid_result", "command \"raw\"", "invalid JSON", NULL);
  /* The hook was told it is an error. */
  g_assert_true (g_str_has_prefix (r.seen->str, "raw error {\"code\":\"invalid_result\""));
  response_data_clear (&r);
  fixture_close (f);
}

static void
test_raw_without_hooks (Fixture *f, gconstpointer data)
{
  /* Without hooks the text is sent byte for byte, unparsed, even if it is
   * not JSON: the documentation puts the burden on the handler. */
  const char *texts[] = {
    "{ \"a\" :  1 ,\n\t\"weird\":\"\\u00e9\" }",
    "  [1e5, -0, 1.000]  ",
    "{\"a\": ",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *name = g_strdup_printf ("raw%zu", i);
      keel__router_register (f->router, name, raw_command, (gpointer) texts[i], NULL);
      g_autofree char *message = g_strdup_printf ("{\"cmd\": \"%s\"}", name);
      g_autofree char *expected = g_strconcat ("o", texts[i], NULL);
      g_assert_cmpstr (call (f, message), ==, expected);
    }
}

static void
test_response_hook_page_gone (Fixture *f, gconstpointer data)
{
  /* Response hooks see every answer "even if the page that asked has gone". */
  ResponseData r = { .seen = g_string_new (NULL) };
  keel__router_register (f->router, "hold", hold_command, f, NULL);
  keel__router_add_response_hook (f->router, response_hook, &r, NULL);
  send_msg (f, "{\"cmd\": \"hold\"}");
  keel__router_page_closed (f->router, f->page);
  keel_invoke_resolve (g_steal_pointer (&f->held), json_true ());
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
  g_assert_cmpstr (r.seen->str, ==, "hold ok true;");
  response_data_clear (&r);
  fixture_close (f);
}

/* ---- permission check -------------------------------------------------- */

typedef struct
{
  Fixture *f;
  gboolean allow;
  const char *reason;
  gboolean unknown;   /* refuse as the ACL does a command no permission names */
} PermissionData;

static gboolean
permission_check (KeelInvoke *invoke, GError **error, gpointer user_data)
{
  PermissionData *data = user_data;
  json_t *args = keel_invoke_get_args (invoke);
  /* Record what the check sees: the args after the request hooks. */
  g_string_append_printf (data->f->log, "P(%s)", json_string_value (json_object_get (args, "name")));
  if (data->allow)
    return TRUE;
  if (data->reason != NULL)
    g_set_error_literal (error, KEEL_ERROR, data->unknown ? KEEL_ERROR_NOT_FOUND
                                                          : KEEL_ERROR_FORBIDDEN,
                         data->reason);
  return FALSE;
}

static void
test_permission_check (Fixture *f, gconstpointer data)
{
  PermissionData p = { .f = f, .allow = FALSE, .reason = "greet is not in the capability" };
  HookData a = { 0 };
  keel__router_register (f->router, "greet", greet_command, NULL, NULL);
  add_request_hook (f, &a, 'a');
  a.new_args = json_pack ("{s:s}", "name", "Rewritten");
  keel__router_set_permission_check (f->router, permission_check, &p);

  g_assert_cmpstr (call (f, "{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}"), ==,
                   "e{\"code\":\"forbidden\",\"message\":\"greet is not in the capability\"}");
  /* The hooks ran first, and the check saw their rewrite. */
  g_assert_cmpstr (f->log->str, ==, "aP(Rewritten)");

  /* A refusal without a message. */
  p.reason = NULL;
  assert_error_reply (call (f, "{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}"), "forbidden",
                      "not permitted", NULL);

  /* Allowed: the handler runs. */
  p.allow = TRUE;
  g_assert_cmpstr (call (f, "{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}"), ==,
                   "o\"Hello, Ada!\"");

  /* A refusing request hook stops the call before the check. */
  g_string_truncate (f->log, 0);
  a.refuse = TRUE;
  assert_error_reply (call (f, "{\"cmd\": \"greet\"}"), "refused", NULL);
  g_assert_cmpstr (f->log->str, ==, "a");

  /* Unknown commands are checked too (the check runs before the lookup). */
  a.refuse = FALSE;
  p.allow = FALSE;
  assert_error_reply (call (f, "{\"cmd\": \"nope\"}"), "forbidden", NULL);

  /* A command no permission names: "unknown command" when there is no
   * handler either; refused, never run, when there is one (registered after
   * the permissions were settled). */
  p.unknown = TRUE;
  p.reason = "no permission names this command";
  assert_error_reply (call (f, "{\"cmd\": \"nope\"}"), "unknown_command", NULL);
  assert_error_reply (call (f, "{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}"),
                      "forbidden", "no permission names this command", NULL);
  p.unknown = FALSE;

  /* Removing the check allows everything again. */
  keel__router_set_permission_check (f->router, NULL, NULL);
  g_assert_cmpstr (call (f, "{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}"), ==,
                   "o\"Hello, Ada!\"");
  fixture_close (f);
}

/* ---- threads, pages, lifetime ------------------------------------------ */

typedef struct
{
  KeelInvoke *invoke;
  GThread *thread;
  gint64 delay_us;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *worker = data;
  g_usleep (worker->delay_us);
  json_t *value = json_pack ("{s:s}", "from", "worker");
  keel_invoke_resolve (g_steal_pointer (&worker->invoke), value);
  return NULL;
}

static void
thread_command (KeelInvoke *invoke, gpointer user_data)
{
  Worker *worker = user_data;
  worker->invoke = invoke;
  worker->thread = g_thread_new ("keel-test-worker", worker_run, worker);
}

static void
test_resolve_from_thread (Fixture *f, gconstpointer data)
{
  Worker worker = { .delay_us = 20000 };
  keel__router_register (f->router, "work", thread_command, &worker, NULL);
  send_msg (f, "{\"cmd\": \"work\"}");
  GThread *worker_thread = worker.thread;
  g_thread_join (worker.thread);
  /* The worker has answered, but nothing was sent from its thread. */
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
  g_assert_cmpuint (keel__router_pending_count (f->router), ==, 1);

  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->recorder.replies, 0), ==, "o{\"from\":\"worker\"}");
  g_assert_true (f->recorder.reply_thread == f->main_thread);
  g_assert_true (f->recorder.reply_thread != worker_thread);
}

static void
test_resolve_from_thread_while_iterating (Fixture *f, gconstpointer data)
{
  /* The worker answers while this thread iterates the context, which is
   * when the shell's main loop would be running. */
  Worker worker = { .delay_us = 30000 };
  keel__router_register (f->router, "work", thread_command, &worker, NULL);
  send_msg (f, "{\"cmd\": \"work\"}");
  GThread *worker_thread = worker.thread;
  drain (f->router);
  g_thread_join (worker.thread);
  g_assert_cmpuint (f->recorder.replies->len, ==, 1);
  g_assert_true (f->recorder.reply_thread == f->main_thread);
  g_assert_true (f->recorder.reply_thread != worker_thread);
}

static void
test_reply_to_closed_page (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "hold", hold_command, f, NULL);
  send_msg (f, "{\"cmd\": \"hold\"}");
  g_assert_nonnull (f->held);
  g_assert_true (keel__router_page_is_alive (f->router, f->page));
  keel__router_page_closed (f->router, f->page);
  g_assert_false (keel__router_page_is_alive (f->router, f->page));

  keel_invoke_resolve (g_steal_pointer (&f->held), json_string ("too late"));
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
  g_assert_cmpuint (f->recorder.target_frees, ==, 1);
  g_assert_cmpuint (keel__router_pending_count (f->router), ==, 0);

  /* Rejections are dropped the same way, and so are calls made by a page
   * that never opened or closed before it asked. */
  send_msg (f, "{\"cmd\": \"nope\"}");
  send_as (f, "main", 9999, "{\"cmd\": \"nope\"}");
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
  g_assert_cmpuint (f->recorder.target_frees, ==, 3);
}

static void
test_pages (Fixture *f, gconstpointer data)
{
  guint64 second = keel__router_page_opened (f->router);
  g_assert_cmpuint (second, !=, f->page);
  g_assert_cmpuint (second, !=, 0);
  keel__router_page_closed (f->router, second);
  guint64 third = keel__router_page_opened (f->router);
  /* Ids are never reused, so a late answer cannot reach a new document. */
  g_assert_cmpuint (third, !=, second);
  g_assert_cmpuint (third, !=, f->page);
  g_assert_false (keel__router_page_is_alive (f->router, second));
  g_assert_true (keel__router_page_is_alive (f->router, third));
  g_assert_true (keel__router_page_is_alive (f->router, f->page));
  /* Closing twice, or an unknown page, is harmless. */
  keel__router_page_closed (f->router, second);
  keel__router_page_closed (f->router, 777);
  g_assert_true (keel__router_page_is_alive (f->router, third));

  /* A reply goes to its own page only: the other page's recorder is quiet. */
  Recorder other = { .replies = g_ptr_array_new_with_free_func (g_free) };
  keel__router_register (f->router, "echo", echo_command, NULL, NULL);
  KeelCaller caller = caller_for (&other, "other", third);
  keel__router_dispatch_text (f->router, &caller, "{\"cmd\":\"echo\"}", 14, NULL);
  send_msg (f, "{\"cmd\":\"echo\",\"args\":[2]}");
  drain (f->router);
  g_assert_cmpuint (other.replies->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (other.replies, 0), ==, "o{}");
  g_assert_cmpuint (other.target_frees, ==, 1);
  g_assert_cmpuint (f->recorder.replies->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->recorder.replies, 0), ==, "o[2]");
  g_ptr_array_unref (other.replies);
}

static void
test_second_answer (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "hold", hold_command, f, NULL);
  /* Each kind of second answer is refused with a critical, and the value
   * it carried is freed (ASan would see a leak otherwise). */
  for (guint kind = 0; kind < 4; kind++)
    {
      send_msg (f, "{\"cmd\": \"hold\"}");
      KeelInvoke *invoke = g_steal_pointer (&f->held);
      keel_invoke_resolve (invoke, json_integer (1));
      g_test_expect_message ("Keel", G_LOG_LEVEL_CRITICAL,
                             "*command \"hold\" answered twice*");
      switch (kind)
        {
        case 0: keel_invoke_resolve (invoke, json_pack ("{s:s}", "leak", "check")); break;
        case 1: keel_invoke_resolve_raw (invoke, "2"); break;
        case 2: keel_invoke_reject (invoke, "late", "too late"); break;
        default: keel_invoke_reject_value (invoke, json_string ("late")); break;
        }
      g_test_assert_expected_messages ();
      drain (f->router);
    }
  /* Only the first answers reached the page. */
  g_assert_cmpuint (f->recorder.replies->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (g_ptr_array_index (f->recorder.replies, i), ==, "o1");
}

static void
test_free_while_pending (Fixture *f, gconstpointer data)
{
  /* The app goes away while a worker still holds an invoke; its answer
   * arrives later and is dropped without touching freed memory. */
  Worker worker = { .delay_us = 50000 };
  HookData hook = { 0 };
  ResponseData r = { .seen = g_string_new (NULL) };
  keel__router_register (f->router, "work", thread_command, &worker, NULL);
  add_request_hook (f, &hook, 'a');
  keel__router_add_response_hook (f->router, response_hook, &r, response_data_destroy);
  send_msg (f, "{\"cmd\": \"work\"}");
  keel__router_free (g_steal_pointer (&f->router));
  g_assert_cmpuint (hook.destroyed, ==, 1);
  g_assert_cmpuint (r.destroyed, ==, 1);

  g_thread_join (worker.thread);
  drain_until (NULL, &f->recorder.target_frees, 1);
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
  g_assert_cmpuint (f->recorder.target_frees, ==, 1);
  /* The response hooks went with the router. */
  g_assert_cmpstr (r.seen->str, ==, "");
  response_data_clear (&r);
}

static void
test_free_while_pending_on_main (Fixture *f, gconstpointer data)
{
  /* The same with an invoke kept on the main thread. */
  keel__router_register (f->router, "hold", hold_command, f, NULL);
  send_msg (f, "{\"cmd\": \"hold\"}");
  keel__router_free (g_steal_pointer (&f->router));
  keel_invoke_reject (g_steal_pointer (&f->held), "late", "after the app");
  drain_until (NULL, &f->recorder.target_frees, 1);
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
}

static void
destroy_counter (gpointer data)
{
  (*(guint *) data)++;
}

/* ---- managed state ------------------------------------------------------- */

typedef struct
{
  GMutex lock;
  int hits;
  GString *log;       /* destroy order, shared by the states of one test */
  const char *name;
} Counter;

static void
counter_destroy (gpointer data)
{
  Counter *counter = data;
  g_string_append (counter->log, counter->name);
}

/* Reads the state "counter" on a worker thread, then answers with its hits. */
static gpointer
state_worker_run (gpointer data)
{
  KeelInvoke *invoke = data;
  g_usleep (30000);
  Counter *counter = keel_invoke_get_state (invoke, "counter");
  g_assert_null (keel_invoke_get_state (invoke, "nothing"));
  g_mutex_lock (&counter->lock);
  int hits = ++counter->hits;
  g_mutex_unlock (&counter->lock);
  keel_invoke_resolve (invoke, json_integer (hits));
  return NULL;
}

static void
state_thread_command (KeelInvoke *invoke, gpointer user_data)
{
  GThread **thread = user_data;
  *thread = g_thread_new ("keel-test-state", state_worker_run, invoke);
}

static void
test_state_from_threads (Fixture *f, gconstpointer data)
{
  /* Handlers on worker threads reach the state the app managed. */
  GString *log = g_string_new (NULL);
  Counter counter = { .log = log, .name = "counter" };
  g_mutex_init (&counter.lock);
  KeelStateTable *states = keel__router_get_states (f->router);
  g_assert_true (keel__state_table_insert (states, "counter", &counter, counter_destroy));
  g_assert_true (keel__state_table_lookup (states, "counter") == &counter);

  GThread *threads[4] = { NULL };
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autofree char *name = g_strdup_printf ("work%u", i);
      keel__router_register (f->router, name, state_thread_command, &threads[i], NULL);
      g_autofree char *message = g_strdup_printf ("{\"cmd\": \"%s\"}", name);
      send_msg (f, message);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  drain (f->router);
  g_assert_cmpint (counter.hits, ==, 4);
  g_assert_cmpuint (f->recorder.replies->len, ==, 4);
  keel__router_free (g_steal_pointer (&f->router));
  g_assert_cmpstr (log->str, ==, "counter");
  g_mutex_clear (&counter.lock);
  g_string_free (log, TRUE);
}

static void
test_state_outlives_app (Fixture *f, gconstpointer data)
{
  /* The app is freed while a worker holds an invoke: the state stays
   * until that invoke's answer has been dropped, then goes. */
  GString *log = g_string_new (NULL);
  Counter counter = { .log = log, .name = "counter" };
  g_mutex_init (&counter.lock);
  keel__state_table_insert (keel__router_get_states (f->router), "counter", &counter,
                            counter_destroy);
  GThread *thread = NULL;
  keel__router_register (f->router, "work", state_thread_command, &thread, NULL);
  send_msg (f, "{\"cmd\": \"work\"}");
  keel__router_free (g_steal_pointer (&f->router));
  g_assert_cmpstr (log->str, ==, "");

  g_thread_join (thread);
  g_assert_cmpint (counter.hits, ==, 1);
  drain_until (NULL, &f->recorder.target_frees, 1);
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
  g_assert_cmpstr (log->str, ==, "counter");
  g_mutex_clear (&counter.lock);
  g_string_free (log, TRUE);
}

static void
test_state_table (void)
{
  /* A key is taken once; states go in the reverse order of insertion. */
  GString *log = g_string_new (NULL);
  Counter a = { .log = log, .name = "a" }, b = { .log = log, .name = "b" },
          c = { .log = log, .name = "c" }, again = { .log = log, .name = "again" };
  KeelStateTable *table = keel__state_table_new ();
  g_assert_true (keel__state_table_insert (table, "a", &a, counter_destroy));
  g_assert_true (keel__state_table_insert (table, "b", &b, counter_destroy));
  g_assert_true (keel__state_table_insert (table, "c", &c, counter_destroy));
  g_assert_true (keel__state_table_insert (table, "no destroy", log, NULL));
  g_assert_false (keel__state_table_insert (table, "b", &again, counter_destroy));
  g_assert_true (keel__state_table_lookup (table, "b") == &b);
  g_assert_null (keel__state_table_lookup (table, "d"));
  g_assert_cmpstr (log->str, ==, "");
  keel__state_table_free (table);
  g_assert_cmpstr (log->str, ==, "cba");
  keel__state_table_free (NULL);
  g_string_free (log, TRUE);
}

static void
test_register (Fixture *f, gconstpointer data)
{
  guint first = 0, second = 0, invalid = 0;
  keel__router_register (f->router, "echo", echo_command, &first, destroy_counter);

  /* Replacing warns and frees the old data at once. */
  g_test_expect_message ("Keel", G_LOG_LEVEL_WARNING, "*\"echo\" was already registered*");
  keel__router_register (f->router, "echo", greet_command, &second, destroy_counter);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (first, ==, 1);
  g_assert_cmpstr (call (f, "{\"cmd\": \"echo\", \"args\": {\"name\": \"Eve\"}}"), ==,
                   "o\"Hello, Eve!\"");

  /* An invalid name is refused, and its data freed. */
  g_test_expect_message ("Keel", G_LOG_LEVEL_WARNING, "*invalid command name \"a b\"*");
  keel__router_register (f->router, "a b", echo_command, &invalid, destroy_counter);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (invalid, ==, 1);
  g_assert_false (keel__router_has_command (f->router, "a b"));

  keel__router_free (g_steal_pointer (&f->router));
  g_assert_cmpuint (second, ==, 1);
  g_assert_cmpuint (first, ==, 1);
}

/* ---- argument helpers -------------------------------------------------- */

typedef enum
{
  ARG_STRING,
  ARG_STRING_OPT,
  ARG_INT,
  ARG_INT_OPT,
  ARG_DOUBLE,
  ARG_BOOL,
  ARG_BOOL_OPT,
  ARG_OBJECT,
} ArgKind;

typedef struct
{
  ArgKind kind;
  const char *args;     /* the JSON of "args" */
  const char *expected; /* the exact reply when it succeeds, NULL when it fails */
  const char *words[3]; /* fragments of the invalid_args message otherwise */
} ArgCase;

/* Resolves with what the helper read; _opt helpers start from a default
 * the reply shows when they leave it alone. */
static void
arg_command (KeelInvoke *invoke, gpointer user_data)
{
  const ArgCase *c = *(const ArgCase **) user_data;
  gboolean ok;
  json_t *value = NULL;
  const char *s = "default";
  gint64 i = 7;
  double d = 0.25;
  gboolean b = TRUE;
  json_t *o = NULL;

  switch (c->kind)
    {
    case ARG_STRING:
      if ((ok = keel_invoke_arg_string (invoke, "k", &s)))
        value = json_string (s);
      break;
    case ARG_STRING_OPT:
      if ((ok = keel_invoke_arg_string_opt (invoke, "k", &s)))
        value = json_string (s);
      break;
    case ARG_INT:
      if ((ok = keel_invoke_arg_int (invoke, "k", &i)))
        value = json_integer (i);
      break;
    case ARG_INT_OPT:
      if ((ok = keel_invoke_arg_int_opt (invoke, "k", &i)))
        value = json_integer (i);
      break;
    case ARG_DOUBLE:
      if ((ok = keel_invoke_arg_double (invoke, "k", &d)))
        value = json_real (d);
      break;
    case ARG_BOOL:
      if ((ok = keel_invoke_arg_bool (invoke, "k", &b)))
        value = json_boolean (b);
      break;
    case ARG_BOOL_OPT:
      if ((ok = keel_invoke_arg_bool_opt (invoke, "k", &b)))
        value = json_boolean (b);
      break;
    case ARG_OBJECT:
    default:
      if ((ok = keel_invoke_arg_object (invoke, "k", &o)))
        value = json_incref (o);
      break;
    }
  /* The return value agrees with the table; on failure the helper has
   * answered already and the invoke must not be touched. */
  g_assert_cmpint (ok, ==, c->expected != NULL);
  if (ok)
    keel_invoke_resolve (invoke, value);
}

static void
test_arg_helpers (Fixture *f, gconstpointer data)
{
  static const ArgCase cases[] = {
    /* string */
    { ARG_STRING, "{\"k\": \"Ada\"}", "o\"Ada\"", { NULL } },
    { ARG_STRING, "{\"k\": \"\"}", "o\"\"", { NULL } },
    { ARG_STRING, "{}", NULL, { "command \"arg\"", "is missing argument \"k\" (a string)" } },
    { ARG_STRING, "{\"k\": null}", NULL, { "is missing argument \"k\" (a string)" } },
    { ARG_STRING, "{\"k\": 5}", NULL, { "command \"arg\"", "argument \"k\" must be a string", "got an integer" } },
    { ARG_STRING, "{\"k\": [\"x\"]}", NULL, { "must be a string, got an array" } },
    { ARG_STRING, "[\"Ada\"]", NULL, { "command \"arg\" takes its arguments as an object with \"k\" (a string)", "got an array" } },
    /* string, optional */
    { ARG_STRING_OPT, "{\"k\": \"Ada\"}", "o\"Ada\"", { NULL } },
    { ARG_STRING_OPT, "{}", "o\"default\"", { NULL } },
    { ARG_STRING_OPT, "{\"k\": null}", "o\"default\"", { NULL } },
    { ARG_STRING_OPT, "{\"k\": true}", NULL, { "argument \"k\" must be a string", "got a boolean" } },
    { ARG_STRING_OPT, "[]", NULL, { "takes its arguments as an object", "got an array" } },
    /* integer */
    { ARG_INT, "{\"k\": 3}", "o3", { NULL } },
    { ARG_INT, "{\"k\": -42}", "o-42", { NULL } },
    { ARG_INT, "{\"k\": 9007199254740993}", "o9007199254740993", { NULL } },
    /* JavaScript sends 3 as 3 but may send 3.0; both are 3. */
    { ARG_INT, "{\"k\": 3.0}", "o3", { NULL } },
    { ARG_INT, "{\"k\": -0.0}", "o0", { NULL } },
    { ARG_INT, "{\"k\": 1e3}", "o1000", { NULL } },
    { ARG_INT, "{\"k\": 9007199254740991.0}", "o9007199254740991", { NULL } },
    { ARG_INT, "{\"k\": 3.5}", NULL, { "argument \"k\" must be an integer", "got a number with a fraction" } },
    { ARG_INT, "{\"k\": 1e-300}", NULL, { "must be an integer" } },
    /* Beyond 2^53 a real no longer says which integer it meant. */
    { ARG_INT, "{\"k\": 9007199254740992.0}", NULL, { "must be an integer" } },
    { ARG_INT, "{\"k\": -9007199254740992.0}", NULL, { "must be an integer" } },
    { ARG_INT, "{\"k\": \"3\"}", NULL, { "must be an integer, got a string" } },
    { ARG_INT, "{\"k\": true}", NULL, { "must be an integer, got a boolean" } },
    { ARG_INT, "{}", NULL, { "is missing argument \"k\" (an integer)" } },
    { ARG_INT, "{\"k\": null}", NULL, { "is missing argument \"k\" (an integer)" } },
    { ARG_INT, "[3]", NULL, { "takes its arguments as an object with \"k\" (an integer)" } },
    /* integer, optional */
    { ARG_INT_OPT, "{\"k\": 5}", "o5", { NULL } },
    { ARG_INT_OPT, "{\"k\": 2.0}", "o2", { NULL } },
    { ARG_INT_OPT, "{}", "o7", { NULL } },
    { ARG_INT_OPT, "{\"k\": null}", "o7", { NULL } },
    { ARG_INT_OPT, "{\"k\": 2.5}", NULL, { "must be an integer, got a number with a fraction" } },
    { ARG_INT_OPT, "{\"k\": {}}", NULL, { "must be an integer, got an object" } },
    { ARG_INT_OPT, "[]", NULL, { "takes its arguments as an object" } },
    /* double */
    { ARG_DOUBLE, "{\"k\": 1.5}", "o1.5", { NULL } },
    { ARG_DOUBLE, "{\"k\": 2}", "o2.0", { NULL } },
    { ARG_DOUBLE, "{\"k\": -0.5}", "o-0.5", { NULL } },
    { ARG_DOUBLE, "{\"k\": 1e2}", "o100.0", { NULL } },
    { ARG_DOUBLE, "{\"k\": \"1.5\"}", NULL, { "argument \"k\" must be a number", "got a string" } },
    { ARG_DOUBLE, "{}", NULL, { "is missing argument \"k\" (a number)" } },
    { ARG_DOUBLE, "{\"k\": null}", NULL, { "is missing argument \"k\" (a number)" } },
    { ARG_DOUBLE, "[1.5]", NULL, { "takes its arguments as an object with \"k\" (a number)" } },
    /* boolean */
    { ARG_BOOL, "{\"k\": true}", "otrue", { NULL } },
    { ARG_BOOL, "{\"k\": false}", "ofalse", { NULL } },
    { ARG_BOOL, "{\"k\": 1}", NULL, { "argument \"k\" must be a boolean", "got an integer" } },
    { ARG_BOOL, "{\"k\": \"true\"}", NULL, { "must be a boolean, got a string" } },
    { ARG_BOOL, "{}", NULL, { "is missing argument \"k\" (a boolean)" } },
    { ARG_BOOL, "{\"k\": null}", NULL, { "is missing argument \"k\" (a boolean)" } },
    { ARG_BOOL, "[true]", NULL, { "takes its arguments as an object" } },
    /* boolean, optional */
    { ARG_BOOL_OPT, "{\"k\": false}", "ofalse", { NULL } },
    { ARG_BOOL_OPT, "{}", "otrue", { NULL } },
    { ARG_BOOL_OPT, "{\"k\": null}", "otrue", { NULL } },
    { ARG_BOOL_OPT, "{\"k\": 0}", NULL, { "must be a boolean, got an integer" } },
    { ARG_BOOL_OPT, "[]", NULL, { "takes its arguments as an object" } },
    /* object */
    { ARG_OBJECT, "{\"k\": {\"a\": [1]}}", "o{\"a\":[1]}", { NULL } },
    { ARG_OBJECT, "{\"k\": {}}", "o{}", { NULL } },
    { ARG_OBJECT, "{\"k\": [1]}", NULL, { "argument \"k\" must be an object", "got an array" } },
    { ARG_OBJECT, "{\"k\": \"{}\"}", NULL, { "must be an object, got a string" } },
    { ARG_OBJECT, "{}", NULL, { "is missing argument \"k\" (an object)" } },
    { ARG_OBJECT, "[{}]", NULL, { "takes its arguments as an object with \"k\" (an object)" } },
  };

  const ArgCase *current = NULL;
  keel__router_register (f->router, "arg", arg_command, &current, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      current = &cases[i];
      g_test_message ("case %zu: kind %d, args %s", i, cases[i].kind, cases[i].args);
      g_autofree char *text = g_strdup_printf ("{\"cmd\": \"arg\", \"args\": %s}", cases[i].args);
      const char *reply = call (f, text);
      if (cases[i].expected != NULL)
        {
          g_assert_cmpstr (reply, ==, cases[i].expected);
          continue;
        }
      assert_error_reply (reply, "invalid_args", cases[i].words[0], cases[i].words[1],
                          cases[i].words[2], NULL);
    }
}

static void
test_arg_int_out_of_range (Fixture *f, gconstpointer data)
{
  /* Reals far beyond gint64 are refused, not converted. */
  static const ArgCase cases[] = {
    { ARG_INT, "{\"k\": 1e300}", NULL, { "must be an integer" } },
    { ARG_INT, "{\"k\": -1e19}", NULL, { "must be an integer" } },
    { ARG_INT, "{\"k\": 1.8446744073709552e19}", NULL, { "must be an integer" } },
    { ARG_STRING, "{\"k\": \"a.txt\\u0000../x\"}", NULL, { "contains a NUL character" } },
    { ARG_STRING_OPT, "{\"k\": \"\\u0000\"}", NULL, { "contains a NUL character" } },
  };
  const ArgCase *current = NULL;
  keel__router_register (f->router, "arg", arg_command, &current, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      current = &cases[i];
      g_autofree char *text = g_strdup_printf ("{\"cmd\": \"arg\", \"args\": %s}", cases[i].args);
      assert_error_reply (call (f, text), "invalid_args", cases[i].words[0], NULL);
    }
}

/* A handler that answers twice while it still runs (on the main context):
 * the second answer meets the "answered" flag, not freed memory. */
static void
answer_twice_command (KeelInvoke *invoke, gpointer user_data)
{
  keel_invoke_resolve (invoke, json_integer (1));
  keel_invoke_reject (invoke, "late", "too late");
}

static void
test_second_answer_in_handler (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "twice", answer_twice_command, NULL, NULL);
  g_main_context_acquire (NULL); /* like the shell: the handler runs on the owner */
  g_test_expect_message ("Keel", G_LOG_LEVEL_CRITICAL, "*command \"twice\" answered twice*");
  send_msg (f, "{\"cmd\": \"twice\"}");
  g_test_assert_expected_messages ();
  g_main_context_release (NULL);
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->recorder.replies, 0), ==, "o1");
}

/* jansson's error text may cut a UTF-8 sequence in half ("near '\xc3'");
 * the rejection must still be a {code, message} object. */
static void
test_malformed_invalid_utf8_error (Fixture *f, gconstpointer data)
{
  assert_error_reply (call (f, "{\"cmd\":\"\\\xc3\xa9\"}"), "invalid_message",
                      "not valid JSON", NULL);
}

static void
test_set_args_array (Fixture *f, gconstpointer data)
{
  /* A hook may give the handler an array; the object helpers then refuse
   * with the "takes its arguments as an object" wording. */
  HookData a = { .new_args = json_pack ("[s]", "x") };
  const ArgCase c = { ARG_STRING, NULL, NULL, { NULL } };
  const ArgCase *current = &c;
  keel__router_register (f->router, "arg", arg_command, &current, NULL);
  add_request_hook (f, &a, 'a');
  assert_error_reply (call (f, "{\"cmd\": \"arg\", \"args\": {\"k\": \"v\"}}"), "invalid_args",
                      "takes its arguments as an object", "got an array", NULL);
  fixture_close (f);
}

/* Every kind of bad input a page can send, each followed by an ordinary
 * call that must still be answered: a rejection leaves nothing behind
 * (no pending invoke, no hook run for a message that did not parse). */
static void
test_dispatch_keeps_serving (Fixture *f, gconstpointer data)
{
  const gsize limit = 1024;
  g_autofree char *deep = g_strnfill (100000, '[');
  g_autofree char *over = g_strdup_printf ("{\"cmd\":\"greet\",\"args\":{\"name\":\"%*s\"}}",
                                           (int) limit, "x");
  g_autofree char *huge = g_strnfill (8 * 1024 * 1024, '{');
  /* 600 "é" are 600 characters but 1200 bytes: over by bytes only, the case
   * the relay lets through for the core to refuse. */
  GString *accented = g_string_new ("{\"cmd\":\"greet\",\"args\":{\"name\":\"");
  for (guint i = 0; i < 600; i++)
    g_string_append (accented, "\xc3\xa9");
  g_string_append (accented, "\"}}");
  g_autofree char *accented_text = g_string_free (accented, FALSE);

  const struct
  {
    const char *text;
    gsize length;       /* 0: strlen (text) */
    gsize max;          /* the router's limit for this case; 0: `limit` */
    const char *code;
    const char *words[3];
  } cases[] = {
    { "greet", 0, 0, "invalid_message", { "not valid JSON", "at byte 5", "such as {\"cmd\": \"greet\"" } },
    { "[{\"cmd\":\"greet\"}]", 0, 0, "invalid_message", { "must be a JSON object", "got an array" } },
    { "{\"args\":{\"name\":\"x\"}}", 0, 0, "invalid_message", { "needs \"cmd\"", "got nothing" } },
    { "{\"cmd\":[\"greet\"]}", 0, 0, "invalid_message", { "needs \"cmd\"", "got an array" } },
    { "{\"cmd\":\"greet\",\"args\":\"Ada\"}", 0, 0, "invalid_message",
      { "command \"greet\"", "\"args\" of the wrong type", "got a string" } },
    { "{\"cmd\":\"greet\",\"args\":{\"name\":\"\xff\"}}", 0, 0, "invalid_message",
      { "at byte 31", "must be UTF-8" } },
    { "{\"cmd\":\"greet\"\0,\"args\":{}}", 26, 0, "invalid_message", { "at byte 14", "a NUL byte" } },
    { "{\"cmd\":\"gr\0eet\"}", 16, 0, "invalid_message", { "at byte 10", "a NUL byte" } },
    { "{\"cmd\":\"greet\\u0000\"}", 0, 0, "invalid_message", { "invalid command name" } },
    { deep, 0, 1024 * 1024, "invalid_message", { "may nest at most 2048 levels deep" } },
    { over, 0, 0, "message_too_large",
      { "1058 bytes", "limit of 1024 bytes", "raise keel.ipc.maxMessageSize in keel.json" } },
    { accented_text, 0, 0, "message_too_large", { "1234 bytes", "limit of 1024 bytes" } },
    { huge, 0, 0, "message_too_large", { "8388608 bytes" } },
    { "{\"cmd\":\"greet\",\"args\":{\"name\":5}}", 0, 0, "invalid_args",
      { "command \"greet\"", "argument \"name\" must be a string", "got an integer" } },
    { "{\"cmd\":\"greet\",\"args\":{\"name\":\"a\\u0000b\"}}", 0, 0, "invalid_args",
      { "argument \"name\"", "contains a NUL character" } },
    { "{\"cmd\":\"greet\",\"args\":[\"Ada\"]}", 0, 0, "invalid_args",
      { "takes its arguments as an object" } },
    { "{\"cmd\":\"greet\",\"args\":{}}", 0, 0, "invalid_args", { "missing argument \"name\"" } },
    { "{\"cmd\":\"greet\",\"args\":{\"name\":[[[[[[[[[[[[\"Ada\"]]]]]]]]]]]]}}", 0, 0,
      "invalid_args", { "must be a string", "got an array" } },
  };

  HookData hook = { 0 };
  add_request_hook (f, &hook, 'r');
  keel__router_register (f->router, "greet", greet_command, NULL, NULL);
  guint parsed = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %zu: %.60s", i, cases[i].text);
      gsize length = cases[i].length != 0 ? cases[i].length : strlen (cases[i].text);
      keel__router_set_max_message_size (f->router, cases[i].max != 0 ? cases[i].max : limit);
      KeelCaller caller = caller_for (&f->recorder, "main", f->page);
      guint before = f->recorder.replies->len;
      f->dispatched++;
      keel__router_dispatch_text (f->router, &caller, cases[i].text, length, NULL);
      drain (f->router);
      g_assert_cmpuint (f->recorder.replies->len, ==, before + 1);
      assert_error_reply (g_ptr_array_index (f->recorder.replies, before), cases[i].code,
                          cases[i].words[0], cases[i].words[1], cases[i].words[2], NULL);
      if (g_str_equal (cases[i].code, "invalid_args"))
        parsed++;

      /* And the next call is served as if nothing had happened. */
      keel__router_set_max_message_size (f->router, limit);
      g_assert_cmpstr (call (f, "{\"cmd\":\"greet\",\"args\":{\"name\":\"Ada\"}}"), ==,
                       "o\"Hello, Ada!\"");
      g_assert_cmpuint (keel__router_pending_count (f->router), ==, 0);
    }

  /* Hooks saw the follow-up calls and the messages that parsed, never the
   * malformed or oversized ones. */
  g_autofree char *expected = g_strnfill (G_N_ELEMENTS (cases) + parsed, 'r');
  g_assert_cmpstr (f->log->str, ==, expected);
  fixture_close (f);
}

/* ---- KEEL_TRACE -------------------------------------------------------- */

static void
test_trace (void)
{
  if (g_test_subprocess ())
    {
      Fixture f = { 0 };
      fixture_set_up (&f, NULL);
      keel__router_register (f.router, "greet", greet_command, NULL, NULL);
      keel__router_register (f.router, "hold", hold_command, &f, NULL);
      send_as (&f, "trace-window", f.page, "{\"cmd\": \"greet\", \"args\": {\"name\": \"T\"}}");
      send_as (&f, "trace-window", f.page, "{\"cmd\": \"missing-cmd\"}");
      send_as (&f, "trace-window", f.page, "{\"cmd\": \"greet\", \"args\": {}}");
      send_as (&f, "trace-window", f.page, "not json");
      drain (f.router);
      send_as (&f, "trace-window", f.page, "{\"cmd\": \"hold\"}");
      keel__router_page_closed (f.router, f.page);
      keel_invoke_resolve (g_steal_pointer (&f.held), NULL);
      fixture_tear_down (&f, NULL);
      return;
    }

  /* GLib 2.74 has no g_test_trap_subprocess_with_envp(): the child
   * inherits this process's environment, set here and put back after. */
  g_autofree char *saved = g_strdup (g_getenv ("KEEL_TRACE"));
  g_setenv ("KEEL_TRACE", "1", TRUE);
  g_test_trap_subprocess ("/router/trace", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*keel-trace: [trace-window] greet -> ok (*.* ms)\n*");
  g_test_trap_assert_stderr ("*keel-trace: [trace-window] missing-cmd -> error "
                             "{\"code\":\"unknown_command\"*} (*.* ms)\n*");
  g_test_trap_assert_stderr ("*keel-trace: [trace-window] greet -> error "
                             "{\"code\":\"invalid_args\"*} (*.* ms)\n*");
  g_test_trap_assert_stderr ("*keel-trace: [trace-window] (malformed message) -> error "
                             "{\"code\":\"invalid_message\"*} (*.* ms)\n*");
  g_test_trap_assert_stderr ("*keel-trace: [trace-window] hold -> dropped (the page has gone) "
                             "(*.* ms)\n*");

  /* "0" means off, and so does no variable at all. */
  g_setenv ("KEEL_TRACE", "0", TRUE);
  g_test_trap_subprocess ("/router/trace", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*keel-trace*");

  g_unsetenv ("KEEL_TRACE");
  g_test_trap_subprocess ("/router/trace", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*keel-trace*");

  if (saved != NULL)
    g_setenv ("KEEL_TRACE", saved, TRUE);
}

/* ---- event commands ---------------------------------------------------- */

typedef struct
{
  Fixture f;
  KeelEventBus *bus;
  GPtrArray *scripts; /* "<page id>|<record>" */
  GString *heard;     /* what C listeners got */
} EventFixture;

static void
deliver_script (gpointer user_data, guint64 page_id, const char *script)
{
  EventFixture *e = user_data;
  g_ptr_array_add (e->scripts, g_strdup_printf ("%" G_GUINT64_FORMAT "|%s", page_id, script));
}

static void
event_fixture_set_up (EventFixture *e, gconstpointer data)
{
  fixture_set_up (&e->f, data);
  e->bus = keel__event_bus_new (FAKE_APP, deliver_script, e);
  e->scripts = g_ptr_array_new_with_free_func (g_free);
  e->heard = g_string_new (NULL);
  keel__event_commands_register (e->f.router, e->bus);
}

static void
event_fixture_tear_down (EventFixture *e, gconstpointer data)
{
  fixture_tear_down (&e->f, data);
  keel__event_bus_free (e->bus);
  g_ptr_array_unref (e->scripts);
  g_string_free (e->heard, TRUE);
}

static const char *
event_call_as (EventFixture *e, const char *window, guint64 page, const char *text)
{
  guint before = e->f.recorder.replies->len;
  send_as (&e->f, window, page, text);
  drain (e->f.router);
  g_assert_cmpuint (e->f.recorder.replies->len, ==, before + 1);
  return g_ptr_array_index (e->f.recorder.replies, before);
}

static void
c_listener (KeelApp *app, const char *event, json_t *payload, const char *source_label,
            gpointer user_data)
{
  EventFixture *e = user_data;
  g_autofree char *text = keel__json_to_text (payload);
  g_assert_true (app == FAKE_APP);
  g_string_append_printf (e->heard, "%s %s from %s;", event, text,
                          source_label != NULL ? source_label : "(C)");
}

/* Hears payloads as text: "[json <text>]". */
static void
c_json_listener (KeelApp *app, const char *event, GBytes *payload_json, const char *source_label,
                 gpointer user_data)
{
  EventFixture *e = user_data;
  gsize length;
  const char *text = g_bytes_get_data (payload_json, &length);
  g_string_append_printf (e->heard, "[json %.*s]", (int) length, text);
}

static void
test_event_listen_emit_unlisten (EventFixture *e, gconstpointer data)
{
  guint64 page = e->f.page;
  guint64 other = keel__router_page_opened (e->f.router);
  keel__event_bus_listen_c (e->bus, "ping", c_listener, NULL, e, NULL);
  keel__event_bus_listen_c (e->bus, "ping", NULL, c_json_listener, e, NULL);

  const char *reply = event_call_as (
    e, "main", page,
    "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"ping\", \"target\": "
    "{\"kind\": \"Any\"}, \"handler\": 42}}");
  g_assert_cmpstr (reply, ==, "o1");
  g_assert_true (keel__event_bus_page_listens (e->bus, page, "ping"));
  g_assert_false (keel__event_bus_page_listens (e->bus, other, "ping"));

  /* Without a target the listener is Any as well; ids count up. */
  reply = event_call_as (e, "main", page,
                         "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"ping\", "
                         "\"handler\": 43}}");
  g_assert_cmpstr (reply, ==, "o2");
  g_assert_cmpuint (keel__event_bus_page_listener_count (e->bus), ==, 2);

  /* Another page emits: the first page gets one record with both
   * callbacks, the payload once. */
  reply = event_call_as (e, "other", other,
                         "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": \"ping\", "
                         "\"payload\": {\"n\": 1}}}");
  g_assert_cmpstr (reply, ==, "onull");
  g_assert_cmpuint (e->scripts->len, ==, 1);
  g_autofree char *prefix = g_strdup_printf ("%" G_GUINT64_FORMAT "|", page);
  const char *script = g_ptr_array_index (e->scripts, 0);
  g_assert_true (g_str_has_prefix (script, prefix));
  /* The payload as the page wrote it (its space included): passed on,
   * never parsed and re-encoded. */
  g_assert_cmpstr (script + strlen (prefix), ==, "v42:1;43:2,ping,{\"n\": 1}");
  /* C listeners hear it with the emitting window's label. */
  g_assert_cmpstr (e->heard->str, ==, "ping {\"n\":1} from other;[json {\"n\": 1}]");

  /* Unlisten the first: the next emit calls only the second. */
  reply = event_call_as (e, "main", page,
                         "{\"cmd\": \"plugin:event|unlisten\", \"args\": {\"event\": \"ping\", "
                         "\"eventId\": 1}}");
  g_assert_cmpstr (reply, ==, "onull");
  g_assert_cmpuint (keel__event_bus_page_listener_count (e->bus), ==, 1);
  event_call_as (e, "main", page,
                 "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": \"ping\"}}");
  g_assert_cmpuint (e->scripts->len, ==, 2);
  script = g_ptr_array_index (e->scripts, 1);
  /* No payload is null. */
  g_assert_cmpstr (script + strlen (prefix), ==, "v43:2,ping,null");

  /* Unlistening twice, or an id of another page, is harmless. */
  reply = event_call_as (e, "other", other,
                         "{\"cmd\": \"plugin:event|unlisten\", \"args\": {\"event\": \"ping\", "
                         "\"eventId\": 2}}");
  g_assert_cmpstr (reply, ==, "onull");
  g_assert_cmpuint (keel__event_bus_page_listener_count (e->bus), ==, 1);
  reply = event_call_as (e, "main", page,
                         "{\"cmd\": \"plugin:event|unlisten\", \"args\": {\"event\": \"ping\", "
                         "\"eventId\": 1}}");
  g_assert_cmpstr (reply, ==, "onull");

  reply = event_call_as (e, "main", page,
                         "{\"cmd\": \"plugin:event|unlisten\", \"args\": {\"event\": \"ping\", "
                         "\"eventId\": 2}}");
  g_assert_cmpstr (reply, ==, "onull");
  event_call_as (e, "main", page,
                 "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": \"ping\"}}");
  g_assert_cmpuint (e->scripts->len, ==, 2);
}

static void
test_event_emit_to (EventFixture *e, gconstpointer data)
{
  guint64 main_page = e->f.page;
  guint64 other_page = keel__router_page_opened (e->f.router);
  /* main listens as Window "main", other as Window "other", and other also
   * with the default target Any. */
  g_assert_cmpstr (event_call_as (e, "main", main_page,
                                  "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\", "
                                  "\"target\": {\"kind\": \"Window\", \"label\": \"main\"}, "
                                  "\"handler\": 1}}"),
                   ==, "o1");
  g_assert_cmpstr (event_call_as (e, "other", other_page,
                                  "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\", "
                                  "\"target\": {\"kind\": \"Window\", \"label\": \"other\"}, "
                                  "\"handler\": 2}}"),
                   ==, "o2");
  g_assert_cmpstr (event_call_as (e, "other", other_page,
                                  "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\", "
                                  "\"target\": {\"kind\": \"Any\"}, \"handler\": 3}}"),
                   ==, "o3");

  /* emitTo("main", ...) is AnyLabel "main". */
  g_assert_cmpstr (event_call_as (e, "other", other_page,
                                  "{\"cmd\": \"plugin:event|emit_to\", \"args\": {\"event\": \"e\", "
                                  "\"target\": \"main\", \"payload\": [true]}}"),
                   ==, "onull");
  g_assert_cmpuint (e->scripts->len, ==, 2);
  for (guint i = 0; i < e->scripts->len; i++)
    {
      const char *script = g_ptr_array_index (e->scripts, i);
      g_autofree char *main_prefix = g_strdup_printf ("%" G_GUINT64_FORMAT "|", main_page);
      if (g_str_has_prefix (script, main_prefix))
        g_assert_cmpstr (strchr (script, '|') + 1, ==, "v1:1,e,[true]");
      else
        /* other gets only its Any listener, not its Window "other" one. */
        g_assert_cmpstr (strchr (script, '|') + 1, ==, "v3:3,e,[true]");
    }

  /* An explicit target object. */
  g_ptr_array_set_size (e->scripts, 0);
  event_call_as (e, "main", main_page,
                 "{\"cmd\": \"plugin:event|emit_to\", \"args\": {\"event\": \"e\", \"target\": "
                 "{\"kind\": \"Window\", \"label\": \"other\"}}}");
  g_assert_cmpuint (e->scripts->len, ==, 1);
  const char *script = g_ptr_array_index (e->scripts, 0);
  g_assert_cmpstr (strchr (script, '|') + 1, ==, "v2:2;3:3,e,null");

  /* A target nobody listens to reaches only Any listeners. */
  g_ptr_array_set_size (e->scripts, 0);
  event_call_as (e, "main", main_page,
                 "{\"cmd\": \"plugin:event|emit_to\", \"args\": {\"event\": \"e\", \"target\": "
                 "{\"kind\": \"App\"}}}");
  g_assert_cmpuint (e->scripts->len, ==, 1);
  g_assert_cmpstr (strchr (g_ptr_array_index (e->scripts, 0), '|') + 1, ==, "v3:3,e,null");
}

static void
test_event_commands_reject (EventFixture *e, gconstpointer data)
{
  static const struct
  {
    const char *text;
    const char *words[3];
  } cases[] = {
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"bad name\", \"handler\": 1}}",
      { "plugin:event|listen", "invalid event name", "character 4" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"\", \"handler\": 1}}",
      { "plugin:event|listen", "event name is empty" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"handler\": 1}}",
      { "is missing argument \"event\" (a string)" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": 5, \"handler\": 1}}",
      { "argument \"event\" must be a string" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\"}}",
      { "is missing argument \"handler\" (an integer)" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\", \"handler\": \"1\"}}",
      { "argument \"handler\" must be an integer" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\", \"handler\": 1, \"target\": "
      "{\"kind\": \"Nope\"}}}",
      { "plugin:event|listen", "unknown event target kind \"Nope\"" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\", \"handler\": 1, \"target\": "
      "{\"kind\": \"Window\"}}}",
      { "plugin:event|listen", "kind Window needs \"label\"" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\", \"handler\": 1, \"target\": 3}}",
      { "plugin:event|listen", "event target must be" } },
    { "{\"cmd\": \"plugin:event|listen\", \"args\": [\"e\", 1]}",
      { "takes its arguments as an object" } },
    { "{\"cmd\": \"plugin:event|unlisten\", \"args\": {\"event\": \"e\"}}",
      { "is missing argument \"eventId\"" } },
    { "{\"cmd\": \"plugin:event|unlisten\", \"args\": {\"event\": \"a.b\", \"eventId\": 1}}",
      { "plugin:event|unlisten", "invalid event name" } },
    { "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": \"\xc3\xa9\"}}",
      { "plugin:event|emit", "invalid event name", "character 1" } },
    { "{\"cmd\": \"plugin:event|emit\", \"args\": {}}", { "is missing argument \"event\"" } },
    { "{\"cmd\": \"plugin:event|emit_to\", \"args\": {\"event\": \"e\"}}",
      { "plugin:event|emit_to", "event target must be" } },
    { "{\"cmd\": \"plugin:event|emit_to\", \"args\": {\"event\": \"e\", \"target\": {\"kind\": "
      "\"AnyLabel\", \"label\": 3}}}",
      { "plugin:event|emit_to", "kind AnyLabel needs \"label\"" } },
    { "{\"cmd\": \"plugin:event|emit_to\", \"args\": {\"event\": \"e e\", \"target\": \"main\"}}",
      { "plugin:event|emit_to", "invalid event name" } },
  };

  keel__event_bus_listen_c (e->bus, "e", c_listener, NULL, e, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %s", cases[i].text);
      const char *reply = event_call_as (e, "main", e->f.page, cases[i].text);
      assert_error_reply (reply, "invalid_args", cases[i].words[0], cases[i].words[1],
                          cases[i].words[2], NULL);
    }
  /* Nothing was registered or emitted. */
  g_assert_cmpuint (keel__event_bus_page_listener_count (e->bus), ==, 0);
  g_assert_cmpuint (e->scripts->len, ==, 0);
  g_assert_cmpstr (e->heard->str, ==, "");
}

static char *
nested_arrays (guint depth, const char *inner)
{
  GString *text = g_string_sized_new (2 * depth + strlen (inner));
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  g_string_append (text, inner);
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

/* Deep nesting in the event path: the parser refuses beyond jansson's 2048
 * levels; what it accepts (2048 levels, the message included) is turned
 * into a page script and handed to C listeners without any recursion of
 * Keel's own (jansson's encoder recurses once per level, bounded by the
 * parser's limit). */
static void
test_event_deep_nesting (EventFixture *e, gconstpointer data)
{
  guint64 page = e->f.page;
  keel__event_bus_listen_c (e->bus, "deep", c_listener, NULL, e, NULL);
  g_assert_cmpstr (event_call_as (e, "main", page,
                                  "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": "
                                  "\"deep\", \"handler\": 1}}"),
                   ==, "o1");

  /* 100,000 levels: refused while parsing; nothing reaches a listener. */
  g_autofree char *too_deep = nested_arrays (100000, "");
  g_autofree char *too_deep_emit = g_strdup_printf (
    "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": \"deep\", \"payload\": %s}}",
    too_deep);
  assert_error_reply (event_call_as (e, "main", page, too_deep_emit), "invalid_message",
                      "maximum parsing depth", "may nest at most 2048 levels deep", NULL);
  g_assert_cmpuint (e->scripts->len, ==, 0);
  g_assert_cmpstr (e->heard->str, ==, "");

  /* The deepest payload that parses: jansson counts every value, scalars
   * too, so the message (1), args (2), 2045 arrays and the number (2048). */
  guint depth = 2045;
  g_autofree char *deepest = nested_arrays (depth, "7");
  g_autofree char *deepest_emit = g_strdup_printf (
    "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": \"deep\", \"payload\": %s}}",
    deepest);
  g_assert_cmpstr (event_call_as (e, "main", page, deepest_emit), ==, "onull");
  g_assert_cmpuint (e->scripts->len, ==, 1);
  g_autofree char *script_end = g_strdup_printf (",deep,%s", deepest);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (e->scripts, 0), script_end));
  g_autofree char *heard = g_strdup_printf ("deep %s from main;", deepest);
  g_assert_cmpstr (e->heard->str, ==, heard);

  /* One level more is refused, and so is a deep target or event name. */
  g_autofree char *one_more = nested_arrays (depth + 1, "7");
  g_autofree char *one_more_emit = g_strdup_printf (
    "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": \"deep\", \"payload\": %s}}",
    one_more);
  assert_error_reply (event_call_as (e, "main", page, one_more_emit), "invalid_message",
                      "may nest at most", NULL);
  g_autofree char *deep_target = nested_arrays (1000, "{\"kind\": \"Any\"}");
  g_autofree char *deep_target_listen = g_strdup_printf (
    "{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"deep\", \"handler\": 2, "
    "\"target\": %s}}",
    deep_target);
  assert_error_reply (event_call_as (e, "main", page, deep_target_listen), "invalid_args",
                      "plugin:event|listen", "event target must be", NULL);
  g_autofree char *deep_target_emit = g_strdup_printf (
    "{\"cmd\": \"plugin:event|emit_to\", \"args\": {\"event\": \"deep\", \"target\": %s}}",
    deep_target);
  assert_error_reply (event_call_as (e, "main", page, deep_target_emit), "invalid_args",
                      "plugin:event|emit_to", "event target must be", NULL);
  g_autofree char *deep_name = nested_arrays (1000, "\"deep\"");
  g_autofree char *deep_name_emit = g_strdup_printf (
    "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": %s}}", deep_name);
  assert_error_reply (event_call_as (e, "main", page, deep_name_emit), "invalid_args",
                      "argument \"event\" must be a string", NULL);
  g_assert_cmpuint (e->scripts->len, ==, 1);
  g_assert_cmpuint (keel__event_bus_page_listener_count (e->bus), ==, 1);

  /* And events still flow. */
  event_call_as (e, "main", page,
                 "{\"cmd\": \"plugin:event|emit\", \"args\": {\"event\": \"deep\", \"payload\": 1}}");
  g_assert_cmpuint (e->scripts->len, ==, 2);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (e->scripts, 1), ",deep,1"));
}

/* ---- binary calls and answers ------------------------------------------ */

/* Answers what it saw: {size, first byte, args, content type, test header}. */
static void
body_command (KeelInvoke *invoke, gpointer user_data)
{
  GBytes *body = keel_invoke_get_body (invoke);
  if (body == NULL)
    {
      keel_invoke_resolve (invoke, json_pack ("{s:n, s:s?}", "body", "test",
                                              keel_invoke_get_header (invoke, "X-Test")));
      return;
    }
  gsize size;
  const guint8 *data = g_bytes_get_data (body, &size);
  keel_invoke_resolve (invoke, json_pack ("{s:I, s:i, s:O, s:s?}", "size", (json_int_t) size,
                                          "first", size > 0 ? data[0] : -1, "args",
                                          keel_invoke_get_args (invoke), "test",
                                          keel_invoke_get_header (invoke, "x-TEST")));
}

/* Answers its body, or "bytes" for a JSON call. */
static void
bytes_command (KeelInvoke *invoke, gpointer user_data)
{
  GBytes *body = keel_invoke_get_body (invoke);
  keel_invoke_resolve_bytes (invoke, body != NULL ? g_bytes_ref (body)
                                                  : g_bytes_new_static ("bytes", 5));
}

static const char *
call_body (Fixture *f, const char *command, const char *body, const char *headers_json)
{
  guint before = f->recorder.replies->len;
  KeelCaller caller = caller_for (&f->recorder, "main", f->page);
  f->dispatched++;
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
  json_t *headers = headers_json != NULL ? json_loads (headers_json, 0, NULL) : NULL;
  keel__router_dispatch_body (f->router, &caller, command, bytes, headers);
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, before + 1);
  return g_ptr_array_index (f->recorder.replies, before);
}

static void
test_body_reaches_handler (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "body", body_command, NULL, NULL);
  g_assert_cmpstr (call_body (f, "body", "\x07" "abc", "{\"x-test\": \"yes\"}"), ==,
                   "o{\"size\":4,\"first\":7,\"args\":{},\"test\":\"yes\"}");
  g_assert_cmpstr (call_body (f, "body", "", NULL), ==,
                   "o{\"size\":0,\"first\":-1,\"args\":{},\"test\":null}");
  /* A JSON call has no body; its headers come from options.headers. */
  g_assert_cmpstr (call (f, "{\"cmd\":\"body\",\"options\":{\"headers\":{\"X-Test\":\"j\"}}}"),
                   ==, "o{\"body\":null,\"test\":\"j\"}");
}

static void
test_body_bad_command (Fixture *f, gconstpointer data)
{
  assert_error_reply (call_body (f, "has space", "x", NULL), "invalid_message",
                      "invalid command name \"has space\"", NULL);
  assert_error_reply (call_body (f, "", "x", NULL), "invalid_message", "invalid command", NULL);
  assert_error_reply (call_body (f, "missing", "x", NULL), "unknown_command", "\"missing\"",
                      NULL);
}

static void
test_resolve_bytes (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "bytes", bytes_command, NULL, NULL);
  /* The recorder writes bytes as "b<bytes>". */
  g_assert_cmpstr (call_body (f, "bytes", "raw!", NULL), ==, "braw!");
  g_assert_cmpstr (call (f, "{\"cmd\":\"bytes\"}"), ==, "bbytes");
}

static void
null_marking_hook (KeelInvoke *invoke, gboolean is_error, json_t **value, gpointer user_data)
{
  GString *log = user_data;
  g_string_append_printf (log, "[%s]", json_is_null (*value) ? "null" : "value");
  if (strcmp (keel_invoke_get_command (invoke), "replace") == 0)
    {
      json_decref (*value);
      *value = json_string ("replaced");
    }
}

static void
test_bytes_through_hooks (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "bytes", bytes_command, NULL, NULL);
  keel__router_register (f->router, "replace", bytes_command, NULL, NULL);
  keel__router_add_response_hook (f->router, null_marking_hook, f->log, NULL);
  /* Untouched, the bytes go; replaced, the hook's value goes instead. */
  g_assert_cmpstr (call_body (f, "bytes", "keep", NULL), ==, "bkeep");
  g_assert_cmpstr (call_body (f, "replace", "drop", NULL), ==, "o\"replaced\"");
  g_assert_cmpstr (f->log->str, ==, "[null][null]");
}

static void
test_bytes_to_closed_page (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "hold", hold_command, f, NULL);
  KeelCaller caller = caller_for (&f->recorder, "main", f->page);
  f->dispatched++;
  g_autoptr (GBytes) body = g_bytes_new_static ("x", 1);
  keel__router_dispatch_body (f->router, &caller, "hold", body, NULL);
  keel__router_page_closed (f->router, f->page);
  keel_invoke_resolve_bytes (g_steal_pointer (&f->held), g_bytes_new_static ("late", 4));
  drain (f->router);
  g_assert_cmpuint (f->recorder.replies->len, ==, 0);
}

/* ---- arguments as text --------------------------------------------------- */

/* Answers its "value" argument's text as sent, unparsed. */
static void
pass_command (KeelInvoke *invoke, gpointer user_data)
{
  GBytes *value = keel_invoke_get_arg_json (invoke, "value");
  if (value == NULL)
    {
      keel_invoke_reject (invoke, "missing", "no value");
      return;
    }
  keel_invoke_resolve_json (invoke, value);
}

static void
test_arg_json_passes_through (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "pass", pass_command, NULL, NULL);
  /* Spacing, escapes and key order stay as the page wrote them. */
  g_assert_cmpstr (call (f, "{\"cmd\":\"pass\",\"args\":{\"a\":1, \"value\" : {\"z\": [1, 2.50, \"\\u00e9\"], \"a\":null} }}"),
                   ==, "o{\"z\": [1, 2.50, \"\\u00e9\"], \"a\":null}");
  g_assert_cmpstr (call (f, "{\"cmd\":\"pass\",\"args\":{\"value\":\"x\"}}"), ==, "o\"x\"");
  /* An escaped key names the same argument. */
  g_assert_cmpstr (call (f, "{\"cmd\":\"pass\",\"args\":{\"\\u0076alue\":7}}"), ==, "o7");
  assert_error_reply (call (f, "{\"cmd\":\"pass\",\"args\":{\"other\":1}}"), "missing", NULL);
  assert_error_reply (call (f, "{\"cmd\":\"pass\",\"args\":[1]}"), "missing", NULL);
  assert_error_reply (call (f, "{\"cmd\":\"pass\"}"), "missing", NULL);
}

static gboolean
replace_value_hook (KeelInvoke *invoke, GError **error, gpointer user_data)
{
  keel_invoke_set_args (invoke, json_pack ("{s:s}", "value", "from the hook"));
  return TRUE;
}

static void
test_arg_json_after_hook (Fixture *f, gconstpointer data)
{
  keel__router_register (f->router, "pass", pass_command, NULL, NULL);
  keel__router_add_request_hook (f->router, replace_value_hook, NULL, NULL);
  g_assert_cmpstr (call (f, "{\"cmd\":\"pass\",\"args\":{\"value\":1}}"), ==,
                   "o\"from the hook\"");
}

/* The words every "got ..." of Keel's messages uses, public for plugins. */
static void
test_json_type_words (void)
{
  static const struct
  {
    const char *json;
    const char *words;
  } cases[] = {
    { "{}", "an object" }, { "[]", "an array" }, { "\"s\"", "a string" },
    { "-3", "an integer" }, { "2.5", "a number with a fraction" }, { "1e3", "a number with a fraction" },
    { "true", "a boolean" }, { "false", "a boolean" }, { "null", "null" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (json_t) value = json_loads (cases[i].json, JSON_DECODE_ANY, NULL);
      g_assert_nonnull (value);
      g_assert_cmpstr (keel_json_type_words (value), ==, cases[i].words);
    }
  g_assert_cmpstr (keel_json_type_words (NULL), ==, "nothing");
}

/* Untrusted text in messages: escaped, UTF-8, bounded. */
static void
test_quote_for_message (void)
{
  static const struct
  {
    const char *text;
    const char *quoted;
  } cases[] = {
    { "", "\"\"" },
    { "plain é", "\"plain é\"" },
    { "a\"b\\c\nd\te\x01\x7f", "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\"" },
    { "bad \xff byte", "\"bad \xef\xbf\xbd byte\"" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *quoted = keel_quote_for_message (cases[i].text);
      g_assert_cmpstr (quoted, ==, cases[i].quoted);
    }

  /* Long text is cut after 60 bytes, back to a character's start: 59 bytes
   * of ASCII then "é" (2 bytes) keep 59 bytes, never half of the "é". */
  g_autofree char *ascii = g_strnfill (200, 'x');
  g_autofree char *cut = keel_quote_for_message (ascii);
  g_autofree char *expected = g_strdup_printf ("\"%.60s\"…", ascii);
  g_assert_cmpstr (cut, ==, expected);
  g_autofree char *mixed = g_strconcat ("", ascii + 141, "éééé", NULL); /* 59 + 8 bytes */
  g_autofree char *mixed_cut = keel_quote_for_message (mixed);
  g_autofree char *mixed_expected = g_strdup_printf ("\"%.59s\"…", ascii);
  g_assert_cmpstr (mixed_cut, ==, mixed_expected);
  /* Continuation bytes with no start: replaced, and the cut stays near 60. */
  g_autofree char *junk = g_strnfill (100, '\x80');
  g_autofree char *junk_cut = keel_quote_for_message (junk);
  g_assert_true (g_utf8_validate (junk_cut, -1, NULL));
  g_assert_true (g_str_has_suffix (junk_cut, "\"…"));
  g_assert_cmpuint (g_utf8_strlen (junk_cut, -1), >=, 58);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func)                                                                            \
  g_test_add ("/router/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_EVENT(path, func)                                                                      \
  g_test_add ("/router/event-commands/" path, EventFixture, NULL, event_fixture_set_up, func,      \
              event_fixture_tear_down)

  ADD ("dispatch/registered", test_dispatch_registered);
  ADD ("body/reaches-handler", test_body_reaches_handler);
  ADD ("args/json-passes-through", test_arg_json_passes_through);
  ADD ("args/json-after-hook", test_arg_json_after_hook);
  ADD ("body/bad-command", test_body_bad_command);
  ADD ("bytes/resolve", test_resolve_bytes);
  ADD ("bytes/hooks", test_bytes_through_hooks);
  ADD ("bytes/closed-page", test_bytes_to_closed_page);
  ADD ("dispatch/accessors", test_dispatch_accessors);
  ADD ("dispatch/owned-context", test_dispatch_owned_context);
  ADD ("dispatch/core-call", test_dispatch_core_call);
  ADD ("dispatch/unknown-command", test_dispatch_unknown_command);
  ADD ("dispatch/rejections", test_dispatch_rejections);
  ADD ("dispatch/malformed", test_dispatch_malformed);
  ADD ("dispatch/too-large", test_dispatch_too_large);
  ADD ("dispatch/keeps-serving", test_dispatch_keeps_serving);
  ADD ("register", test_register);
  ADD ("request-hook/order", test_request_hooks_order);
  ADD ("request-hook/refuses", test_request_hook_refuses);
  ADD ("request-hook/rewrites-args", test_request_hook_rewrites_args);
  ADD ("request-hook/removes-itself", test_request_hook_removes_itself);
  ADD ("request-hook/removes-later-hook", test_request_hook_removes_later_hook);
  ADD ("request-hook/remove-unknown", test_remove_hook_unknown);
  ADD ("response-hook/rewrites", test_response_hook_rewrites);
  ADD ("response-hook/raw-parsed", test_response_hook_sees_raw_parsed);
  ADD ("response-hook/raw-invalid", test_response_hook_raw_invalid);
  ADD ("response-hook/page-gone", test_response_hook_page_gone);
  ADD ("raw-without-hooks", test_raw_without_hooks);
  ADD ("permission-check", test_permission_check);
  ADD ("thread/resolve", test_resolve_from_thread);
  ADD ("thread/resolve-while-iterating", test_resolve_from_thread_while_iterating);
  ADD ("page/closed", test_reply_to_closed_page);
  ADD ("page/ids", test_pages);
  ADD ("second-answer", test_second_answer);
  ADD ("free/pending-thread", test_free_while_pending);
  ADD ("free/pending-main", test_free_while_pending_on_main);
  ADD ("args/helpers", test_arg_helpers);
  ADD ("args/int-out-of-range", test_arg_int_out_of_range);
  ADD ("args/set-args-array", test_set_args_array);
  ADD ("second-answer/in-handler", test_second_answer_in_handler);
  ADD ("dispatch/malformed-invalid-utf8", test_malformed_invalid_utf8_error);
  g_test_add_func ("/router/trace", test_trace);
  g_test_add_func ("/router/json-type-words", test_json_type_words);
  g_test_add_func ("/router/quote-for-message", test_quote_for_message);
  g_test_add_func ("/router/state/table", test_state_table);
  ADD ("state/from-threads", test_state_from_threads);
  ADD ("state/outlives-app", test_state_outlives_app);
  ADD_EVENT ("listen-emit-unlisten", test_event_listen_emit_unlisten);
  ADD_EVENT ("emit-to", test_event_emit_to);
  ADD_EVENT ("reject", test_event_commands_reject);
  ADD_EVENT ("deep-nesting", test_event_deep_nesting);

  return g_test_run ();
}
