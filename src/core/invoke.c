/* invoke.c — the public face of one call: accessors, answers, argument helpers. */
#include <stdarg.h>
#include <string.h>

#include "channel.h"
#include "invoke-private.h"
#include "json-scan.h"
#include "message.h"
#include "state.h"

KeelApp *
keel_invoke_get_app (KeelInvoke *invoke)
{
  return invoke->router != NULL ? keel__router_get_app (invoke->router) : NULL;
}

gpointer
keel_invoke_get_state (KeelInvoke *invoke, const char *key)
{
  g_return_val_if_fail (invoke != NULL && key != NULL, NULL);
  return keel__state_table_lookup (keel__router_get_states (invoke->router), key);
}

const char *
keel_invoke_get_command (KeelInvoke *invoke)
{
  return invoke->command;
}

json_t *
keel_invoke_get_args (KeelInvoke *invoke)
{
  /* Parsed the first time anyone asks (from any thread), never if no one
   * does: a payload passed on with keel_invoke_get_arg_json() stays text. */
  if (g_once_init_enter (&invoke->args))
    g_once_init_leave (&invoke->args, invoke->args_text != NULL
                                                ? keel__json_parse_checked (invoke->args_text)
                                                : json_object ());
  return invoke->args;
}

GBytes *
keel_invoke_get_arg_json (KeelInvoke *invoke, const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  if (invoke->args_text != NULL)
    {
      gsize length;
      const char *text = g_bytes_get_data (invoke->args_text, &length);
      KeelJsonMember member;
      if (!keel__json_find_member (text, length, 0, key, &member))
        return NULL;
      return g_bytes_new_from_bytes (invoke->args_text, member.value_start, member.value_length);
    }
  /* Arguments the core or a hook gave as values. */
  json_t *value = json_object_get (keel_invoke_get_args (invoke), key);
  if (value == NULL)
    return NULL;
  char *text = keel__json_to_text (value);
  return g_bytes_new_take (text, strlen (text));
}

GBytes *
keel_invoke_get_body (KeelInvoke *invoke)
{
  return invoke->body;
}

const char *
keel_invoke_get_header (KeelInvoke *invoke, const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  if (invoke->headers == NULL)
    return NULL;
  g_autofree char *lower = g_ascii_strdown (name, -1);
  return json_string_value (json_object_get (invoke->headers, lower));
}

const char *
keel_invoke_get_window_label (KeelInvoke *invoke)
{
  return invoke->window_label;
}

const char *
keel_invoke_get_webview_label (KeelInvoke *invoke)
{
  return invoke->webview_label;
}

const char *
keel_invoke_get_origin (KeelInvoke *invoke)
{
  return invoke->origin;
}

const char *
keel_invoke_get_url (KeelInvoke *invoke)
{
  return invoke->url;
}

/* An empty array stands for "no scope", so callers need no NULL check. */
static json_t *
scope_list (json_t **slot)
{
  if (*slot == NULL)
    *slot = json_array ();
  return *slot;
}

json_t *
keel_invoke_get_scope_allow (KeelInvoke *invoke)
{
  return scope_list (&invoke->scope_allow);
}

json_t *
keel_invoke_get_scope_deny (KeelInvoke *invoke)
{
  return scope_list (&invoke->scope_deny);
}

void
keel_invoke_set_args (KeelInvoke *invoke, json_t *args)
{
  g_return_if_fail (json_is_object (args) || json_is_array (args));
  json_decref (keel_invoke_get_args (invoke));
  g_clear_pointer (&invoke->args_text, g_bytes_unref);
  invoke->args = args;
}

/* Records the answer; FALSE (with a critical) when the invoke was already
 * answered, which is a bug in the handler, not in the page. */
static gboolean
claim_answer (KeelInvoke *invoke)
{
  if (!g_atomic_int_compare_and_exchange (&invoke->answered, 0, 1))
    {
      g_critical ("command \"%s\" answered twice; a KeelInvoke takes exactly one answer",
                  invoke->command);
      return FALSE;
    }
  return TRUE;
}

void
keel_invoke_resolve (KeelInvoke *invoke, json_t *value)
{
  if (!claim_answer (invoke))
    {
      json_decref (value);
      return;
    }
  invoke->ok = TRUE;
  invoke->value = value != NULL ? value : json_null ();
  keel__invoke_finish (invoke);
}

void
keel_invoke_resolve_raw (KeelInvoke *invoke, const char *json_text)
{
  g_return_if_fail (json_text != NULL);
  if (!claim_answer (invoke))
    return;
  invoke->ok = TRUE;
  invoke->raw = g_bytes_new (json_text, strlen (json_text));
  keel__invoke_finish (invoke);
}

void
keel_invoke_resolve_bytes (KeelInvoke *invoke, GBytes *bytes)
{
  g_return_if_fail (bytes != NULL);
  if (!claim_answer (invoke))
    {
      g_bytes_unref (bytes);
      return;
    }
  invoke->ok = TRUE;
  invoke->bytes = bytes;
  keel__invoke_finish (invoke);
}

void
keel_invoke_resolve_json (KeelInvoke *invoke, GBytes *json_text)
{
  g_return_if_fail (json_text != NULL);
  if (!claim_answer (invoke))
    {
      g_bytes_unref (json_text);
      return;
    }
  invoke->ok = TRUE;
  invoke->raw = json_text;
  keel__invoke_finish (invoke);
}

void
keel_invoke_reject_value (KeelInvoke *invoke, json_t *error)
{
  if (!claim_answer (invoke))
    {
      json_decref (error);
      return;
    }
  invoke->ok = FALSE;
  invoke->value = error != NULL ? error : json_null ();
  keel__invoke_finish (invoke);
}

void
keel_invoke_reject (KeelInvoke *invoke, const char *code, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  keel_invoke_reject_value (invoke, keel__error_value (code, message));
}

const char *
keel_json_type_words (const json_t *value)
{
  if (value == NULL)
    return "nothing";
  switch (json_typeof (value))
    {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Looks up key; on a missing/null value returns NULL and sets *missing. */
static json_t *
lookup (KeelInvoke *invoke, const char *key, gboolean *missing)
{
  json_t *value = json_is_object (keel_invoke_get_args (invoke)) ? json_object_get (keel_invoke_get_args (invoke), key) : NULL;
  *missing = value == NULL || json_is_null (value);
  return value;
}

static gboolean
reject_arg (KeelInvoke *invoke, const char *key, const char *expected, json_t *given)
{
  json_t *args = keel_invoke_get_args (invoke);
  if (!json_is_object (args))
    keel_invoke_reject (invoke, "invalid_args",
                        "command \"%s\" takes its arguments as an object with \"%s\" (%s); got "
                        "%s",
                        invoke->command, key, expected, keel_json_type_words (args));
  else if (given == NULL || json_is_null (given))
    keel_invoke_reject (invoke, "invalid_args",
                        "command \"%s\" is missing argument \"%s\" (%s)", invoke->command, key,
                        expected);
  else
    keel_invoke_reject (invoke, "invalid_args",
                        "command \"%s\": argument \"%s\" must be %s, got %s", invoke->command,
                        key, expected, keel_json_type_words (given));
  return FALSE;
}

static gboolean
arg_string (KeelInvoke *invoke, const char *key, const char **out, gboolean optional)
{
  gboolean missing;
  json_t *value = lookup (invoke, key, &missing);
  if (missing && optional && json_is_object (keel_invoke_get_args (invoke)))
    return TRUE;
  if (!json_is_string (value))
    return reject_arg (invoke, key, "a string", value);
  /* A C string would silently end at an embedded NUL ("a.txt\u0000../x"). */
  if (strlen (json_string_value (value)) != json_string_length (value))
    {
      keel_invoke_reject (invoke, "invalid_args",
                          "command \"%s\": argument \"%s\" contains a NUL character (\\u0000), "
                          "which this command cannot take",
                          invoke->command, key);
      return FALSE;
    }
  *out = json_string_value (value);
  return TRUE;
}

gboolean
keel_invoke_arg_string (KeelInvoke *invoke, const char *key, const char **out)
{
  return arg_string (invoke, key, out, FALSE);
}

gboolean
keel_invoke_arg_string_opt (KeelInvoke *invoke, const char *key, const char **out)
{
  return arg_string (invoke, key, out, TRUE);
}

static gboolean
arg_int (KeelInvoke *invoke, const char *key, gint64 *out, gboolean optional)
{
  gboolean missing;
  json_t *value = lookup (invoke, key, &missing);
  if (missing && optional && json_is_object (keel_invoke_get_args (invoke)))
    return TRUE;
  if (json_is_integer (value))
    {
      *out = json_integer_value (value);
      return TRUE;
    }
  /* JavaScript has one number type: 3.0 arrives as a real. */
  if (json_is_real (value))
    {
      double d = json_real_value (value);
      /* Range first: casting an out-of-range double is undefined. */
      if (d >= -9007199254740991.0 && d <= 9007199254740991.0 && d == (double) (gint64) d)
        {
          *out = (gint64) d;
          return TRUE;
        }
    }
  return reject_arg (invoke, key, "an integer", value);
}

gboolean
keel_invoke_arg_int (KeelInvoke *invoke, const char *key, gint64 *out)
{
  return arg_int (invoke, key, out, FALSE);
}

gboolean
keel_invoke_arg_int_opt (KeelInvoke *invoke, const char *key, gint64 *out)
{
  return arg_int (invoke, key, out, TRUE);
}

gboolean
keel_invoke_arg_double (KeelInvoke *invoke, const char *key, double *out)
{
  gboolean missing;
  json_t *value = lookup (invoke, key, &missing);
  if (!json_is_number (value))
    return reject_arg (invoke, key, "a number", value);
  *out = json_number_value (value);
  return TRUE;
}

static gboolean
arg_bool (KeelInvoke *invoke, const char *key, gboolean *out, gboolean optional)
{
  gboolean missing;
  json_t *value = lookup (invoke, key, &missing);
  if (missing && optional && json_is_object (keel_invoke_get_args (invoke)))
    return TRUE;
  if (!json_is_boolean (value))
    return reject_arg (invoke, key, "a boolean", value);
  *out = json_is_true (value);
  return TRUE;
}

gboolean
keel_invoke_arg_bool (KeelInvoke *invoke, const char *key, gboolean *out)
{
  return arg_bool (invoke, key, out, FALSE);
}

gboolean
keel_invoke_arg_bool_opt (KeelInvoke *invoke, const char *key, gboolean *out)
{
  return arg_bool (invoke, key, out, TRUE);
}

gboolean
keel_invoke_arg_object (KeelInvoke *invoke, const char *key, json_t **out)
{
  gboolean missing;
  json_t *value = lookup (invoke, key, &missing);
  if (!json_is_object (value))
    return reject_arg (invoke, key, "an object", value);
  *out = value;
  return TRUE;
}

#define CHANNEL_WORDS                                                                              \
  "a Channel (the string \"" KEEL_CHANNEL_PREFIX "<id>\" that a Channel from @tauri-apps/api/core " \
  "becomes in invoke arguments)"

KeelChannel *
keel_invoke_get_channel (KeelInvoke *invoke, const char *key, GError **error)
{
  g_return_val_if_fail (invoke != NULL && key != NULL, NULL);
  gboolean missing;
  json_t *value = lookup (invoke, key, &missing);
  if (!json_is_object (keel_invoke_get_args (invoke)))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "command \"%s\" takes its arguments as an object with \"%s\" (" CHANNEL_WORDS
                   "); got %s",
                   invoke->command, key, keel_json_type_words (keel_invoke_get_args (invoke)));
      return NULL;
    }
  if (missing)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "command \"%s\" is missing argument \"%s\" (" CHANNEL_WORDS ")",
                   invoke->command, key);
      return NULL;
    }
  if (!json_is_string (value))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "command \"%s\": argument \"%s\" must be " CHANNEL_WORDS ", got %s",
                   invoke->command, key, keel_json_type_words (value));
      return NULL;
    }
  g_autoptr (GError) local_error = NULL;
  guint32 id;
  if (!keel__channel_id_parse (json_string_value (value), json_string_length (value), &id,
                               &local_error))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID, "command \"%s\": argument \"%s\": %s",
                   invoke->command, key, local_error->message);
      return NULL;
    }
  if (invoke->outbox == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "command \"%s\": argument \"%s\": this call came from no page, so a "
                   "channel has nowhere to send",
                   invoke->command, key);
      return NULL;
    }
  return keel__channel_new (invoke->outbox, id);
}
