/* Fuzzes the IPC path from a page's bytes to its reply: the message parser
 * (src/core/message.c) and the channel id parser (src/core/channel.c) on
 * their own, then the whole router (hooks, permission check, argument
 * helpers, raw results, channels, plugin:event|* against a real event bus)
 * with a fake caller whose page has an outbox.
 *
 * Beyond "does not crash and does not leak", every input checks promises:
 * - a parsed message has a valid command name and args that are an object
 *   or an array; a refusal is a KEEL_ERROR with a UTF-8 message;
 * - every call is answered exactly once, "o<json>" or "e<json>", where the
 *   JSON parses, and each of Keel's rejections is {code, message} strings;
 * - the reply target is handed back exactly once;
 * - a channel id parses only from "__CHANNEL__:" and digits, to the number
 *   they spell;
 * - every event record is one per page, every batch is UTF-8 made of
 *   well-formed records (src/core/outbox.h), and a JSON message or event
 *   payload in it parses. */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event-commands.h"
#include "events.h"
#include "keel/keel-error.h"
#include "channel.h"
#include "message.h"
#include "outbox.h"
#include "router.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Small enough that the fuzzer reaches it, large enough for real messages. */
#define MAX_SIZE (1024u * 1024u)

static int fake_app_storage;
#define FAKE_APP ((KeelApp *) &fake_app_storage)

typedef struct
{
  guint replies;
  guint target_frees;
  guint scripts;
  guint batches;
} Counts;

static void
check (gboolean condition, const char *what, const char *detail)
{
  if (!condition)
    {
      g_printerr ("fuzz-message: broken promise: %s: %s\n", what, detail != NULL ? detail : "");
      abort ();
    }
}

static void
fuzz_reply (gpointer target, gboolean ok, GBytes *json_text, GBytes *bytes)
{
  check (json_text != NULL && bytes == NULL, "a JSON call answered bytes", "");
  gsize length;
  const char *text = g_bytes_get_data (json_text, &length);
  g_autofree char *reply = keel__message_encode_reply (ok ? 'o' : 'e', "42", text, length);
  Counts *counts = target;
  counts->replies++;
  check (reply != NULL && (reply[0] == 'o' || reply[0] == 'e') && strncmp (reply + 1, "42\n", 3) == 0,
         "reply prefix", reply);

  json_error_t json_error;
  g_autoptr (json_t) value = json_loads (reply + 4, JSON_DECODE_ANY | JSON_ALLOW_NUL, &json_error);
  check (value != NULL, "reply is not JSON", reply);
  if (reply[0] == 'e')
    {
      /* Every rejection here comes from Keel or keel_invoke_reject(). */
      check (json_is_object (value), "rejection is not an object", reply);
      check (json_is_string (json_object_get (value, "code")), "rejection without code", reply);
      check (json_is_string (json_object_get (value, "message")), "rejection without message",
             reply);
    }
}

static void
fuzz_target_free (gpointer target)
{
  Counts *counts = target;
  counts->target_frees++;
}

static gboolean
is_number (const char *start, const char *end)
{
  if (start == end)
    return FALSE;
  for (const char *p = start; p < end; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
parses (const char *text, gsize length)
{
  g_autoptr (json_t) value = json_loadb (text, length, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
  return value != NULL;
}

/* Reads one record as the bridge would (outbox.h). */
static void
check_record (const char *record, gsize length)
{
  g_autofree char *shown = g_strndup (record, MIN (length, 200));
  check (length > 0, "empty record", NULL);
  check (memchr (record, KEEL_OUTBOX_SEPARATOR, length) == NULL, "separator in a record", shown);
  check (memchr (record, '\0', length) == NULL, "NUL in a record", shown);
  const char *end = record + length;
  const char *comma = memchr (record, ',', length);
  if (record[0] == 'v')
    {
      check (comma != NULL, "event record without listeners", shown);
      g_autofree char *list = g_strndup (record + 1, comma - record - 1);
      gchar **listeners = g_strsplit (list, ";", -1);
      for (guint i = 0; listeners[i] != NULL; i++)
        {
          const char *colon = strchr (listeners[i], ':');
          check (colon != NULL && is_number (listeners[i], colon)
                   && is_number (colon + 1, colon + strlen (colon)),
                 "event record listener", shown);
        }
      g_strfreev (listeners);
      const char *name = comma + 1;
      const char *second = memchr (name, ',', end - name);
      check (second != NULL, "event record without payload", shown);
      g_autofree char *event = g_strndup (name, second - name);
      check (keel__event_name_check (event, NULL), "event record name", shown);
      check (parses (second + 1, end - second - 1), "event payload is not JSON", shown);
      return;
    }
  check (strchr ("mxbz", record[0]) != NULL, "record kind", shown);
  check (comma != NULL && is_number (record + 1, comma), "record callback", shown);
  const char *second = memchr (comma + 1, ',', end - comma - 1);
  gboolean has_body = record[0] == 'm' || record[0] == 'b';
  check ((second != NULL) == has_body, "record body", shown);
  check (is_number (comma + 1, has_body ? second : end), "record index", shown);
}

static void
fuzz_deliver (gpointer user_data, guint64 page_id, const char *record)
{
  Counts *counts = user_data;
  counts->scripts++;
  check (record[0] == 'v', "event record", record);
  check_record (record, strlen (record));
}

static void
fuzz_run_batch (gpointer target, char *batch, gsize length)
{
  Counts *counts = target;
  counts->batches++;
  check (strlen (batch) == length, "batch length", NULL);
  check (g_utf8_validate (batch, length, NULL), "batch is not UTF-8", NULL);
  const char *record = batch;
  for (;;)
    {
      const char *separator = memchr (record, KEEL_OUTBOX_SEPARATOR, batch + length - record);
      const char *end = separator != NULL ? separator : batch + length;
      check_record (record, end - record);
      if (separator == NULL)
        break;
      record = separator + 1;
    }
  g_free (batch);
}

/* ---- commands ---------------------------------------------------------- */

static void
echo_command (KeelInvoke *invoke, gpointer user_data)
{
  keel_invoke_resolve (invoke, json_incref (keel_invoke_get_args (invoke)));
}

/* Uses every argument helper; each rejects the call on a bad argument. */
static void
args_command (KeelInvoke *invoke, gpointer user_data)
{
  const char *s = "default", *str = NULL;
  gint64 i = 0, integer = 0;
  gboolean b = FALSE, flag = FALSE;
  double num = 0;
  json_t *obj = NULL;

  if (!keel_invoke_arg_string_opt (invoke, "s", &s) || !keel_invoke_arg_int_opt (invoke, "i", &i)
      || !keel_invoke_arg_bool_opt (invoke, "b", &b)
      || !keel_invoke_arg_string (invoke, "str", &str)
      || !keel_invoke_arg_int (invoke, "int", &integer)
      || !keel_invoke_arg_double (invoke, "num", &num)
      || !keel_invoke_arg_bool (invoke, "flag", &flag)
      || !keel_invoke_arg_object (invoke, "obj", &obj))
    return;
  check (str != NULL && obj != NULL && json_is_object (obj), "helper outputs", NULL);
  /* A string holding NUL is cut at it by json_string_value(); that is fine. */
  keel_invoke_resolve (invoke, json_pack ("{s:s?, s:I, s:b, s:s?, s:I, s:f, s:b, s:O}", "s",
                                          g_utf8_validate (s, -1, NULL) ? s : NULL, "i",
                                          (json_int_t) i, "b", b, "str",
                                          g_utf8_validate (str, -1, NULL) ? str : NULL, "int",
                                          (json_int_t) integer, "num", num, "flag", flag, "obj",
                                          obj));
}

/* Answers with the JSON text in "json" as is. With a response hook the
 * router parses it (and may find it invalid); without one it would go out
 * unchecked, so then only valid text is sent. */
static void
raw_command (KeelInvoke *invoke, gpointer user_data)
{
  gboolean have_hook = GPOINTER_TO_INT (user_data);
  const char *text;
  if (!keel_invoke_arg_string (invoke, "json", &text))
    return;
  if (!have_hook)
    {
      g_autoptr (json_t) parsed = json_loads (text, JSON_DECODE_ANY, NULL);
      if (parsed == NULL)
        {
          keel_invoke_reject (invoke, "bad_raw", "not JSON");
          return;
        }
    }
  keel_invoke_resolve_raw (invoke, text);
}

/* Sends on the Channel in "channel": the JSON "message" (its text must
 * parse in the page), the string "raw" as raw text, "bytes" as bytes; then
 * keeps it past the answer or ends it. */
static void
channel_command (KeelInvoke *invoke, gpointer user_data)
{
  KeelChannel **kept = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelChannel) channel = keel_invoke_get_channel (invoke, "channel", &error);
  if (channel == NULL)
    {
      check (error != NULL && g_error_matches (error, KEEL_ERROR, KEEL_ERROR_INVALID),
             "channel error", NULL);
      check (g_utf8_validate (error->message, -1, NULL), "channel error is not UTF-8",
             error->message);
      keel_invoke_reject (invoke, "invalid_args", "%s", error->message);
      return;
    }
  json_t *args = keel_invoke_get_args (invoke);
  json_t *message = json_object_get (args, "message");
  if (message != NULL)
    {
      g_autofree char *text = keel__json_to_text (message);
      check (keel_channel_send (channel, json_incref (message)), "send on an open channel", NULL);
      check (parses (text, strlen (text)), "message text", text);
    }
  json_t *raw = json_object_get (args, "raw");
  if (json_is_string (raw))
    check (keel_channel_send_raw (channel, json_string_value (raw)), "send_raw", NULL);
  json_t *bytes = json_object_get (args, "bytes");
  if (json_is_string (bytes))
    {
      g_autoptr (GBytes) data = g_bytes_new (json_string_value (bytes), json_string_length (bytes));
      check (keel_channel_send_bytes (channel, data), "send_bytes", NULL);
    }
  if (json_is_true (json_object_get (args, "keep")))
    {
      g_clear_pointer (kept, keel_channel_unref);
      *kept = keel_channel_ref (channel);
    }
  else if (json_is_true (json_object_get (args, "close")))
    {
      keel_channel_close (channel);
      check (!keel_channel_is_open (channel), "closed channel is open", NULL);
      check (!keel_channel_send (channel, json_true ()), "send after close", NULL);
    }
  keel_invoke_resolve (invoke, json_integer ((json_int_t) keel__channel_sent_count (channel)));
}

static void
reject_command (KeelInvoke *invoke, gpointer user_data)
{
  const char *code = "custom";
  if (!keel_invoke_arg_string_opt (invoke, "code", &code))
    return;
  if (!g_utf8_validate (code, -1, NULL))
    code = "custom";
  keel_invoke_reject (invoke, code, "rejected on purpose (%s)", keel_invoke_get_command (invoke));
}

/* ---- hooks ------------------------------------------------------------- */

/* Refuses calls whose args hold "deny"; replaces the args with those under
 * "rewrite" when that is an object or an array. */
static gboolean
request_hook (KeelInvoke *invoke, GError **error, gpointer user_data)
{
  json_t *args = keel_invoke_get_args (invoke);
  check (json_is_object (args) || json_is_array (args), "args type in hook", NULL);
  if (!json_is_object (args))
    return TRUE;
  json_t *deny = json_object_get (args, "deny");
  if (deny != NULL)
    {
      if (json_is_true (deny))
        g_set_error_literal (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN, "denied by the fuzz hook");
      return FALSE;
    }
  json_t *rewrite = json_object_get (args, "rewrite");
  if (json_is_object (rewrite) || json_is_array (rewrite))
    keel_invoke_set_args (invoke, json_deep_copy (rewrite));
  return TRUE;
}

static gboolean
permission_check (KeelInvoke *invoke, GError **error, gpointer user_data)
{
  if (g_str_has_prefix (keel_invoke_get_command (invoke), "deny"))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN, "%s is not allowed",
                   keel_invoke_get_command (invoke));
      return FALSE;
    }
  return TRUE;
}

/* Wraps results in an array, so the re-encoding path runs. */
static void
response_hook (KeelInvoke *invoke, gboolean is_error, json_t **value, gpointer user_data)
{
  check (*value != NULL, "response hook value", keel_invoke_get_command (invoke));
  if (!is_error)
    *value = json_pack ("[o]", *value);
}

/* ---- the target -------------------------------------------------------- */

static void
fuzz_parser (const char *text, gsize size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelMessage) message = keel__message_parse (text, size, NULL, MAX_SIZE, &error);
  if (message == NULL)
    {
      check (error != NULL && error->domain == KEEL_ERROR
               && (error->code == KEEL_ERROR_INVALID || error->code == KEEL_ERROR_TOO_LARGE),
             "parse error", NULL);
      check (g_utf8_validate (error->message, -1, NULL), "error message is not UTF-8",
             error->message);
      return;
    }
  check (error == NULL, "error set on success", NULL);
  check (keel__command_name_is_valid (message->command), "accepted command name", message->command);
  check (strlen (message->command) <= KEEL_COMMAND_NAME_MAX, "command length", message->command);
  check (json_is_object (keel__message_get_args (message)) || json_is_array (keel__message_get_args (message)), "args type",
         message->command);

  /* The parser reads members in place; jansson, building the whole value,
   * must see the same command and arguments. */
  json_error_t json_error;
  g_autoptr (json_t) root
    = json_loadb (text, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &json_error);
  check (json_is_object (root), "accepted message is a JSON object for jansson", message->command);
  check (g_strcmp0 (json_string_value (json_object_get (root, "cmd")), message->command) == 0,
         "command as jansson reads it", message->command);
  /* The id and URL as jansson reads them: a whole number in range, and a
   * string with no NUL. */
  json_t *id = json_object_get (root, "id");
  check (message->has_id == (id != NULL), "id present", message->command);
  check (id == NULL
           || (json_is_integer (id) && json_integer_value (id) >= 0
               && (guint64) json_integer_value (id) == message->id
               && message->id <= KEEL_MESSAGE_MAX_ID),
         "id as jansson reads it", message->command);
  json_t *url = json_object_get (root, "url");
  check ((url == NULL) == (message->url == NULL), "url present", message->command);
  check (url == NULL
           || (json_is_string (url) && json_string_length (url) == strlen (message->url)
               && strcmp (json_string_value (url), message->url) == 0),
         "url as jansson reads it", message->command);
  json_t *args = json_object_get (root, "args");
  g_autoptr (json_t) empty = json_object ();
  check (json_equal (keel__message_get_args (message),
                     args == NULL || json_is_null (args) ? empty : args),
         "arguments as jansson reads them", message->command);

  /* With the text's owner given, the arguments are a view of the same bytes. */
  g_autoptr (GBytes) owner = g_bytes_new (text, size);
  g_autoptr (KeelMessage) viewed = keel__message_parse (g_bytes_get_data (owner, NULL), size,
                                                        owner, MAX_SIZE, NULL);
  check (viewed != NULL && g_bytes_equal (viewed->args_text, message->args_text),
         "arguments with an owner", message->command);
}

/* The whole input as a page's Channel string. */
static void
fuzz_channel_id (const char *text, gsize size)
{
  g_autoptr (GError) error = NULL;
  guint32 id = 0;
  if (!keel__channel_id_parse (text, size, &id, &error))
    {
      check (error != NULL && g_error_matches (error, KEEL_ERROR, KEEL_ERROR_INVALID),
             "channel id error", NULL);
      /* Quoted as ASCII, however bad the input. */
      for (const char *p = error->message; *p != '\0'; p++)
        check ((guchar) *p >= 0x20 && (guchar) *p < 0x7f, "channel id error is not ASCII",
               error->message);
      return;
    }
  const gsize prefix = strlen (KEEL_CHANNEL_PREFIX);
  check (size > prefix && memcmp (text, KEEL_CHANNEL_PREFIX, prefix) == 0, "channel prefix", NULL);
  guint64 value = 0;
  for (gsize i = prefix; i < size; i++)
    {
      check (g_ascii_isdigit (text[i]), "channel id digits", NULL);
      value = value * 10 + (guint64) (text[i] - '0');
      check (value <= G_MAXUINT32, "channel id range", NULL);
    }
  check (value == id, "channel id value", NULL);
}

static void
fuzz_router (const char *text, gsize size)
{
  /* Half the inputs run with a response hook: raw results are then parsed. */
  gboolean have_hook = (size & 1) != 0;
  Counts counts = { 0 };

  KeelRouter *router = keel__router_new (FAKE_APP, NULL);
  keel__router_set_max_message_size (router, MAX_SIZE);
  KeelEventBus *bus = keel__event_bus_new (FAKE_APP, fuzz_deliver, &counts);
  KeelOutbox *outbox = keel__outbox_new (NULL, fuzz_run_batch, &counts);
  KeelChannel *kept = NULL;
  keel__event_commands_register (router, bus);
  keel__router_register (router, "echo", echo_command, NULL, NULL);
  keel__router_register (router, "args", args_command, NULL, NULL);
  keel__router_register (router, "raw", raw_command, GINT_TO_POINTER (have_hook), NULL);
  keel__router_register (router, "reject", reject_command, NULL, NULL);
  keel__router_register (router, "channel", channel_command, &kept, NULL);
  keel__router_register (router, "deny-me", echo_command, NULL, NULL);
  keel__router_add_request_hook (router, request_hook, NULL, NULL);
  keel__router_set_permission_check (router, permission_check, NULL);
  if (have_hook)
    keel__router_add_response_hook (router, response_hook, NULL, NULL);

  guint64 page = keel__router_page_opened (router);
  /* A listener, so that emits from the input produce scripts. */
  keel__event_bus_listen_page (bus, page, "e", &(KeelEventTarget){ KEEL_EVENT_TARGET_ANY, NULL },
                               1);
  KeelCaller caller = {
    .window_label = "main",
    .webview_label = "main",
    .origin = "keel://localhost",
    .page_id = page,
    .outbox = outbox,
    .reply = fuzz_reply,
    .reply_target = &counts,
    .reply_target_free = fuzz_target_free,
  };

  /* Twice: the second call sees the listeners the first one added. */
  for (guint round = 0; round < 2; round++)
    {
      keel__router_dispatch_text (router, &caller, text, size, NULL);
      for (guint i = 0; i < 10000 && keel__router_pending_count (router) > 0; i++)
        g_main_context_iteration (NULL, FALSE);
      check (keel__router_pending_count (router) == 0, "an invoke was never answered", NULL);
      check (counts.replies == round + 1, "exactly one reply per call", NULL);
      check (counts.target_frees == round + 1, "reply target freed once", NULL);
      /* At most one record per listening page per emit. */
      check (counts.scripts <= round + 1, "event records", NULL);
      /* Channel records (the shell would push events too) leave as batches. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  /* The page ends: a channel kept past its answer is dead. */
  keel__outbox_close (outbox);
  if (kept != NULL)
    {
      check (!keel_channel_is_open (kept), "kept channel outlives its page", NULL);
      check (!keel_channel_send_raw (kept, "1"), "send to a gone page", NULL);
    }
  guint batches = counts.batches;
  g_clear_pointer (&kept, keel_channel_unref);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  check (counts.batches == batches, "a batch after the page ended", NULL);
  keel__outbox_unref (outbox);
  keel__router_page_closed (router, page);
  keel__event_bus_forget_page (bus, page);
  keel__router_free (router);
  keel__event_bus_free (bus);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Not NUL-terminated on purpose: the parser takes a length. */
  const char *text = (const char *) data;
  fuzz_parser (text, size);
  fuzz_channel_id (text, size);
  fuzz_router (text, size);
  return 0;
}
