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

/* A member's key or string value, unescaped (transfer full). The scanner
 * accepted the text, so jansson does too; the common case, a string without
 * escapes, needs neither. */
static char *
string_value (const char *text, gsize quoted_start, gsize quoted_length, gsize *length)
{
  const char *inner = text + quoted_start + 1;
  gsize inner_length = quoted_length - 2;
  if (memchr (inner, '\\', inner_length) == NULL)
    {
      *length = inner_length;
      return g_strndup (inner, inner_length);
    }
  g_autoptr (json_t) string = parse_span (text + quoted_start, quoted_length);
  *length = json_string_length (string);
  return g_strdup (json_string_value (string));
}

/* A call id: 1 to 16 digits, no sign, fraction or exponent, at most
 * KEEL_MESSAGE_MAX_ID. A leading zero is JSON only for 0 itself, and the
 * scanner has checked the number. */
static gboolean
id_from_text (const char *text, gsize length, guint64 *id)
{
  if (length == 0 || length > 16)
    return FALSE;
  guint64 value = 0;
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (guint64) (text[i] - '0');
    }
  if (value > KEEL_MESSAGE_MAX_ID)
    return FALSE;
  *id = value;
  return TRUE;
}

/* The JSON type of the value at text[0..length), in words, for an error. */
static const char *
type_words_of (const char *text, gsize length, json_t **holder)
{
  *holder = parse_span (text, length);
  return keel_json_type_words (*holder);
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
keel__message_parse (const char *text, gsize length, GBytes *owner, gsize max_size,
                     GError **error)
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
   * building any value: the arguments stay text until a handler asks for
   * them (keel__message_get_args()), and the few members a message has are
   * read in place. Only text it refuses goes to jansson, for jansson's
   * located error message. */
  g_autoptr (GArray) members = g_array_sized_new (FALSE, FALSE, sizeof (KeelJsonMember), 4);
  if (!keel__json_scan (text, length, members))
    {
      json_error_t json_error;
      g_autoptr (json_t) root = json_loadb (text, length, MESSAGE_FLAGS, &json_error);
      if (root != NULL)
        {
          /* fuzz-json-scan holds the two to the same verdict: a bug. */
          g_critical ("keel: jansson accepted a message the scanner refused");
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "IPC message could not be read (the core's JSON scanner and jansson "
                       "disagree on it; please report this)");
          return NULL;
        }
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
  gsize first = keel__json_skip_space (text, length, 0);
  if (text[first] == '[')
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message must be a JSON object {\"cmd\": ..., \"args\": ...}, got an array");
      return NULL;
    }

  const KeelJsonMember *id = NULL, *url = NULL, *cmd = NULL, *args = NULL, *options = NULL;
  for (guint i = 0; i < members->len; i++)
    {
      const KeelJsonMember *member = &g_array_index (members, KeelJsonMember, i);
      if (keel__json_key_equals (text, member, "id"))
        id = member;
      else if (keel__json_key_equals (text, member, "url"))
        url = member;
      else if (keel__json_key_equals (text, member, "cmd"))
        cmd = member;
      else if (keel__json_key_equals (text, member, "args"))
        args = member;
      else if (keel__json_key_equals (text, member, "options"))
        options = member;
      else
        {
          gsize key_length;
          g_autofree char *key
            = string_value (text, member->key_start - 1, member->key_length + 2, &key_length);
          g_autofree char *quoted = keel_quote_for_message (key);
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "IPC message has an unknown key %s; expected only \"id\", \"url\", "
                       "\"cmd\", \"args\" and \"options\"",
                       quoted);
          return NULL;
        }
    }

  g_autoptr (json_t) holder = NULL;
  guint64 id_value = 0;
  if (id != NULL && !id_from_text (text + id->value_start, id->value_length, &id_value))
    {
      const char *given = text + id->value_start;
      gboolean number = given[0] == '-' || g_ascii_isdigit (given[0]);
      g_autofree char *shown = number ? g_strndup (given, MIN (id->value_length, 40)) : NULL;
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message has \"id\" of the wrong kind: expected a whole number from 0 to "
                   "%" G_GUINT64_FORMAT " written in digits, got %s",
                   KEEL_MESSAGE_MAX_ID,
                   number ? shown : type_words_of (given, id->value_length, &holder));
      return NULL;
    }
  g_autofree char *url_value = NULL;
  if (url != NULL)
    {
      gsize url_length = 0;
      if (text[url->value_start] == '"')
        url_value = string_value (text, url->value_start, url->value_length, &url_length);
      if (url_value == NULL || strlen (url_value) != url_length)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "IPC message needs \"url\", when given, to be the sending document's URL "
                       "as a string without NUL characters; got %s",
                       url_value != NULL ? "a string with a NUL"
                                         : type_words_of (text + url->value_start,
                                                          url->value_length, &holder));
          return NULL;
        }
    }
  if (cmd == NULL || text[cmd->value_start] != '"')
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message needs \"cmd\", the command name as a string; got %s",
                   cmd == NULL ? keel_json_type_words (NULL)
                               : type_words_of (text + cmd->value_start, cmd->value_length, &holder));
      return NULL;
    }
  gsize command_length;
  g_autofree char *command
    = string_value (text, cmd->value_start, cmd->value_length, &command_length);
  if (!keel__command_name_check (command, command_length, "IPC message has", error))
    return NULL;

  const char *args_text = args != NULL ? text + args->value_start : NULL;
  if (args_text != NULL && args_text[0] != '{' && args_text[0] != '[' && args_text[0] != 'n')
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message for command \"%s\" has \"args\" of the wrong type: expected an "
                   "object or an array, got %s",
                   command, type_words_of (args_text, args->value_length, &holder));
      return NULL;
    }

  const char *options_text = options != NULL ? text + options->value_start : NULL;
  if (options_text != NULL && options_text[0] != '{' && options_text[0] != 'n')
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "IPC message for command \"%s\" has \"options\" of the wrong type: expected an "
                   "object, got %s",
                   command, type_words_of (options_text, options->value_length, &holder));
      return NULL;
    }

  json_t *headers = NULL;
  if (options_text != NULL && options_text[0] == '{')
    {
      g_autoptr (json_t) parsed = parse_span (options_text, options->value_length);
      const char *key;
      json_t *value;
      json_object_foreach (parsed, key, value)
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
      json_t *given = json_object_get (parsed, "headers");
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
  message->has_id = id != NULL;
  message->id = id_value;
  message->url = g_steal_pointer (&url_value);
  message->command = g_steal_pointer (&command);
  message->headers = headers;
  if (args_text == NULL || args_text[0] == 'n')
    message->args_text = g_bytes_new_static ("{}", 2);
  else if (owner != NULL)
    message->args_text = g_bytes_new_from_bytes (
      owner, (gsize) (args_text - (const char *) g_bytes_get_data (owner, NULL)),
      args->value_length);
  else
    message->args_text = g_bytes_new (args_text, args->value_length);
  return message;
}

void
keel__message_free (KeelMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->url);
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
keel__message_encode_reply (char kind, const char *id, const char *text, gsize length)
{
  gsize id_length = strlen (id);
  char *reply = g_malloc (1 + id_length + 1 + length + 1);
  reply[0] = kind;
  memcpy (reply + 1, id, id_length);
  reply[1 + id_length] = '\n';
  if (length > 0)
    memcpy (reply + 2 + id_length, text, length);
  reply[2 + id_length + length] = '\0';
  return reply;
}

gboolean
keel__text_is_c_string_utf8 (const char *text, gsize length)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  gsize i = 0;
  for (; i + 8 <= length; i += 8)
    {
      guint64 word;
      memcpy (&word, text + i, 8);
      /* A byte of 0x80 or more, or a zero byte (the classic test: a byte
       * that borrows when one is taken from it), ends the fast walk. */
      if ((word & highs) != 0 || ((word - ones) & ~word & highs) != 0)
        break;
    }
  /* The rest, and any text that is not plain ASCII: GLib rejects NUL bytes
   * within the given length too. */
  return g_utf8_validate_len (text + i, length - i, NULL);
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
