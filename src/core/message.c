#include "message.h"

#include <string.h>

#include "json-scan.h"
#include "keel/keel-command.h"
#include "keel/keel-error.h"

gboolean
keel__command_name_is_valid (const char *name)
{
  gsize length = 0;
  for (const char *p = name; *p != '\0'; p++, length++)
    {
      if (*p <= ' ' || *p > '~' || length >= KEEL_COMMAND_NAME_MAX)
        return FALSE;
    }
  return length > 0;
}

gboolean
keel__command_name_check (const char *name, gsize length, const char *where, GError **error)
{
  if (strlen (name) == length && keel__command_name_is_valid (name))
    return TRUE;
  g_autofree char *quoted = keel_quote_for_message (name);
  g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
               "%s an invalid command name %s: expected 1 to %d printable ASCII characters "
               "without spaces",
               where, quoted, KEEL_COMMAND_NAME_MAX);
  return FALSE;
}

#define MESSAGE_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* One value's text, parsed. The scanner accepted it, so jansson does too. */
static json_t *
parse_span (const char *text, gsize length)
{
  json_error_t json_error;
  return json_loadb (text, length, MESSAGE_FLAGS | JSON_DECODE_ANY, &json_error);
}

/* The message as an object whose members are parsed, all but "args": that
 * one is a stand-in of the same type (an empty object or array), and its
 * text is left in *args_text. NULL when the scanner refuses the text (or,
 * which fuzz-json-scan says never happens, jansson refuses what the scanner
 * accepted): the caller asks jansson for the whole message then. */
static json_t *
shallow_root (const char *text, gsize length, const char **args_text, gsize *args_length)
{
  g_autoptr (GArray) members = g_array_new (FALSE, FALSE, sizeof (KeelJsonMember));
  if (!keel__json_scan (text, length, members))
    return NULL;
  const char *first = text;
  while (*first == ' ' || *first == '\t' || *first == '\n' || *first == '\r')
    first++;
  if (*first == '[')
    return json_array (); /* refused below as "not an object" */

  g_autoptr (json_t) root = json_object ();
  for (guint i = 0; i < members->len; i++)
    {
      const KeelJsonMember *member = &g_array_index (members, KeelJsonMember, i);
      g_autoptr (json_t) key = parse_span (text + member->key_start - 1, member->key_length + 2);
      const char *value_text = text + member->value_start;
      json_t *value;
      if (key != NULL && strcmp (json_string_value (key), "args") == 0
          && (value_text[0] == '{' || value_text[0] == '['))
        {
          *args_text = value_text;
          *args_length = member->value_length;
          value = value_text[0] == '{' ? json_object () : json_array ();
        }
      else
        value = parse_span (value_text, member->value_length);
      if (key == NULL || value == NULL)
        {
          json_decref (value);
          *args_text = NULL;
          return NULL;
        }
      json_object_set_new (root, json_string_value (key), value);
    }
  return g_steal_pointer (&root);
}

json_t *
keel__message_get_args (KeelMessage *message)
{
  if (message->args == NULL)
    message->args = keel__json_parse_checked (message->args_text);
  return message->args;
}

json_t *
keel__json_parse_checked (GBytes *text)
{
  gsize length;
  const char *data = g_bytes_get_data (text, &length);
  json_t *args = parse_span (data, length);
  if (args == NULL)
    {
      /* The text passed the scanner: this is a bug, in it or here. */
      g_critical ("keel: JSON text the scanner accepted does not parse; treating it as {}");
      args = json_object ();
    }
  return args;
}

KeelMessage *
keel__message_parse (const char *text, gsize length, gsize max_size, GError **error)
{
  if (length > max_size)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE,
                   "IPC message of %" G_GSIZE_FORMAT " bytes exceeds the limit of %" G_GSIZE_FORMAT
                   " bytes (keel.ipc.maxMessageSize); send large data in parts, or raise "
                   "keel.ipc.maxMessageSize in keel.json",
                   length, max_size);
      return NULL;
    }

  /* jansson takes a raw NUL byte for the end of the text and says "end of
   * file expected" or "invalid token near end of file", which would send a
   * developer looking in the wrong place. JSON text never holds one. */
  const char *nul = memchr (text, '\0', length);
  if (nul != NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message is not valid JSON (at byte %" G_GSIZE_FORMAT "): a NUL byte; "
                   "JSON text cannot hold one raw (inside a string, write it as \\u0000)",
                   (gsize) (nul - text));
      return NULL;
    }

  /* The scanner checks the whole text and finds the members without
   * building the arguments, which stay text until a handler asks for them
   * (keel__message_get_args()). Only what it refuses goes to jansson, for
   * jansson's located error message. */
  const char *args_text = NULL;
  gsize args_length = 0;
  g_autoptr (json_t) root = shallow_root (text, length, &args_text, &args_length);
  json_error_t json_error;
  if (root == NULL)
    root = json_loadb (text, length, MESSAGE_FLAGS, &json_error);
  if (root == NULL)
    {
      /* jansson quotes the input, and may cut a UTF-8 sequence in half. */
      g_autofree char *reason = g_utf8_make_valid (json_error.text, -1);
      const char *hint;
      switch (json_error_code (&json_error))
        {
        case json_error_stack_overflow:
          /* jansson stops at JSON_PARSER_MAX_DEPTH instead of recursing until
           * the stack runs out; say so in words. */
          hint = "arrays and objects may nest at most " G_STRINGIFY (JSON_PARSER_MAX_DEPTH)
                 " levels deep; send flatter data";
          break;
        case json_error_duplicate_key:
          hint = "a key may appear only once in an object";
          break;
        case json_error_invalid_utf8:
          hint = "the text must be UTF-8 (a JavaScript string sent with invoke() always is)";
          break;
        default:
          /* jansson's words for an escaped unpaired surrogate, which
           * JSON.stringify writes for a lone half of a UTF-16 pair. */
          if (g_str_has_prefix (reason, "invalid Unicode"))
            hint = "a string holds half of a UTF-16 surrogate pair, which is not Unicode text; "
                   "remove it (binary data can travel as base64)";
          else
            hint = "send JSON text such as {\"cmd\": \"greet\", \"args\": {}}";
          break;
        }
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message is not valid JSON (at byte %d): %s; %s", json_error.position,
                   reason, hint);
      return NULL;
    }
  if (!json_is_object (root))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message must be a JSON object {\"cmd\": ..., \"args\": ...}, got %s",
                   keel_json_type_words (root));
      return NULL;
    }

  const char *key;
  json_t *value;
  json_object_foreach (root, key, value)
    {
      if (strcmp (key, "cmd") != 0 && strcmp (key, "args") != 0 && strcmp (key, "options") != 0)
        {
          g_autofree char *quoted = keel_quote_for_message (key);
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "IPC message has an unknown key %s; expected only \"cmd\", \"args\" and \"options\"",
                       quoted);
          return NULL;
        }
    }

  json_t *cmd = json_object_get (root, "cmd");
  if (!json_is_string (cmd))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message needs \"cmd\", the command name as a string; got %s",
                   keel_json_type_words (cmd));
      return NULL;
    }
  const char *command = json_string_value (cmd);
  if (!keel__command_name_check (command, json_string_length (cmd), "IPC message has", error))
    return NULL;

  json_t *args = json_object_get (root, "args");
  if (args != NULL && !json_is_null (args) && !json_is_object (args) && !json_is_array (args))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message for command \"%s\" has \"args\" of the wrong type: expected an "
                   "object or an array, got %s",
                   command, keel_json_type_words (args));
      return NULL;
    }

  json_t *options = json_object_get (root, "options");
  if (options != NULL && !json_is_null (options) && !json_is_object (options))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message for command \"%s\" has \"options\" of the wrong type: expected an "
                   "object, got %s",
                   command, keel_json_type_words (options));
      return NULL;
    }

  json_t *headers = NULL;
  if (json_is_object (options))
    {
      json_object_foreach (options, key, value)
        {
          if (strcmp (key, "headers") != 0)
            {
              g_autofree char *quoted = keel_quote_for_message (key);
              g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                           "IPC message for command \"%s\" has an unknown option %s; the only "
                           "option is \"headers\"",
                           command, quoted);
              return NULL;
            }
        }
      json_t *given = json_object_get (options, "headers");
      if (given != NULL && !json_is_null (given))
        {
          g_autoptr (GError) header_error = NULL;
          headers = keel__headers_normalize (given, &header_error);
          if (headers == NULL)
            {
              g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                           "IPC message for command \"%s\": %s", command,
                           header_error->message);
              return NULL;
            }
        }
    }

  KeelMessage *message = g_new0 (KeelMessage, 1);
  message->command = g_strdup (command);
  message->headers = headers;
  if (args == NULL || json_is_null (args))
    message->args_text = g_bytes_new_static ("{}", 2);
  else if (args_text != NULL)
    message->args_text = g_bytes_new (args_text, args_length);
  else
    {
      /* jansson read the whole message (see shallow_root()). */
      char *dumped = keel__json_to_text (args);
      message->args_text = g_bytes_new_take (dumped, strlen (dumped));
    }
  return message;
}

void
keel__message_free (KeelMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->command);
  g_bytes_unref (message->args_text);
  json_decref (message->args);
  json_decref (message->headers);
  g_free (message);
}

/* RFC 9110 token characters. */
static gboolean
is_header_name (const char *name)
{
  if (name[0] == '\0')
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr ("!#$%&'*+-.^_`|~", *c) == NULL)
      return FALSE;
  return TRUE;
}

json_t *
keel__headers_normalize (json_t *headers, GError **error)
{
  if (!json_is_object (headers))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "\"headers\" must be an object of header names to strings, got %s",
                   keel_json_type_words (headers));
      return NULL;
    }
  g_autoptr (json_t) normalized = json_object ();
  const char *name;
  json_t *value;
  json_object_foreach (headers, name, value)
    {
      if (!is_header_name (name))
        {
          g_autofree char *quoted = keel_quote_for_message (name);
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "header name %s is not an HTTP token (letters, digits and "
                       "!#$%%&'*+-.^_`|~ only)",
                       quoted);
          return NULL;
        }
      if (!json_is_string (value))
        {
          g_autofree char *quoted = keel_quote_for_message (name);
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "header %s must have a string value, got %s", quoted,
                       keel_json_type_words (value));
          return NULL;
        }
      g_autofree char *lower = g_ascii_strdown (name, -1);
      json_object_set (normalized, lower, value);
    }
  return g_steal_pointer (&normalized);
}

char *
keel__message_encode_reply (gboolean ok, GBytes *json_text)
{
  gsize length;
  const char *text = g_bytes_get_data (json_text, &length);
  char *reply = g_malloc (length + 2);
  reply[0] = ok ? 'o' : 'e';
  if (length > 0)
    memcpy (reply + 1, text, length);
  reply[length + 1] = '\0';
  return reply;
}

GBytes *
keel__json_to_bytes (const json_t *value)
{
  char *text = keel__json_to_text (value);
  return g_bytes_new_take (text, strlen (text));
}

char *
keel__json_to_text (const json_t *value)
{
  if (value == NULL)
    return g_strdup ("null");
  char *text = json_dumps (value, JSON_COMPACT | JSON_ENCODE_ANY);
  /* json_dumps uses the jansson allocator (malloc); hand out GLib memory. */
  char *copy = g_strdup (text != NULL ? text : "null");
  free (text);
  return copy;
}

json_t *
keel__error_value (const char *code, const char *message)
{
  /* Messages quote untrusted input (jansson's "near '...'" may hold half a
   * UTF-8 sequence); a JSON string must be valid UTF-8, so repair it here,
   * the one place every error object is made. */
  g_autofree char *valid_code = g_utf8_make_valid (code, -1);
  g_autofree char *valid_message = g_utf8_make_valid (message, -1);
  json_t *value = json_object ();
  json_object_set_new (value, "code", json_string (valid_code));
  json_object_set_new (value, "message", json_string (valid_message));
  return value;
}
