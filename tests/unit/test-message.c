/* Unit tests of src/core/message.c: the one parser of IPC messages from
 * pages, and the encoders of what goes back. Every rejection the parser can
 * give has a case here, with its error code and the words a developer reads. */
#include <glib.h>
#include <string.h>

#include "keel/keel-error.h"
#include "message.h"

/* Large enough for every case below; the size limit has its own tests. */
#define MAX_SIZE (1024u * 1024u)

static KeelMessage *
parse (const char *text, GError **error)
{
  return keel__message_parse (text, strlen (text), NULL, MAX_SIZE, error);
}

static KeelMessage *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  KeelMessage *message = parse (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

/* ---- valid messages ---------------------------------------------------- */

static void
test_valid_args_object (void)
{
  g_autoptr (KeelMessage) message = parse_ok ("{\"cmd\": \"greet\", \"args\": {\"name\": \"Ada\"}}");
  g_assert_cmpstr (message->command, ==, "greet");
  g_assert_true (json_is_object (keel__message_get_args (message)));
  g_assert_cmpuint (json_object_size (keel__message_get_args (message)), ==, 1);
  g_assert_cmpstr (json_string_value (json_object_get (keel__message_get_args (message), "name")), ==, "Ada");
}

static void
test_valid_args_array (void)
{
  g_autoptr (KeelMessage) message = parse_ok ("{\"args\": [1, \"two\", null], \"cmd\": \"sum\"}");
  g_assert_cmpstr (message->command, ==, "sum");
  g_assert_true (json_is_array (keel__message_get_args (message)));
  g_assert_cmpuint (json_array_size (keel__message_get_args (message)), ==, 3);
  g_assert_cmpint (json_integer_value (json_array_get (keel__message_get_args (message), 0)), ==, 1);
}

static void
test_valid_args_null_or_absent (void)
{
  /* Both become an empty object, so handlers never see NULL or null. */
  const char *texts[] = {
    "{\"cmd\": \"ping\", \"args\": null}",
    "{\"cmd\": \"ping\"}",
    " \n\t{\"cmd\":\"ping\"}\r\n ",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_test_message ("message %s", texts[i]);
      g_autoptr (KeelMessage) message = parse_ok (texts[i]);
      g_assert_cmpstr (message->command, ==, "ping");
      g_assert_true (json_is_object (keel__message_get_args (message)));
      g_assert_cmpuint (json_object_size (keel__message_get_args (message)), ==, 0);
    }
}

static void
test_valid_options (void)
{
  g_autoptr (KeelMessage) with_object
    = parse_ok ("{\"cmd\": \"upload\", \"args\": {}, \"options\": {\"headers\": {\"x\": \"1\"}}}");
  g_assert_cmpstr (with_object->command, ==, "upload");
  g_assert_cmpstr (json_string_value (json_object_get (with_object->headers, "x")), ==, "1");

  /* Names are kept in lower case, as HTTP compares them. */
  g_autoptr (KeelMessage) mixed = parse_ok (
    "{\"cmd\": \"upload\", \"options\": {\"headers\": {\"X-Keel-Test\": \"a\", \"Accept\": \"*/*\"}}}");
  g_assert_cmpstr (json_string_value (json_object_get (mixed->headers, "x-keel-test")), ==, "a");
  g_assert_cmpstr (json_string_value (json_object_get (mixed->headers, "accept")), ==, "*/*");
  g_assert_null (json_object_get (mixed->headers, "X-Keel-Test"));

  g_autoptr (KeelMessage) with_null = parse_ok ("{\"cmd\": \"upload\", \"options\": null}");
  g_assert_cmpstr (with_null->command, ==, "upload");
  g_assert_null (with_null->headers);
  g_autoptr (KeelMessage) no_headers = parse_ok ("{\"cmd\": \"upload\", \"options\": {}}");
  g_assert_null (no_headers->headers);
}

static void
test_valid_plugin_command (void)
{
  g_autoptr (KeelMessage) message
    = parse_ok ("{\"cmd\": \"plugin:event|listen\", \"args\": {\"event\": \"e\"}}");
  g_assert_cmpstr (message->command, ==, "plugin:event|listen");
}

static void
test_valid_unicode_escapes (void)
{
  g_autoptr (KeelMessage) message = parse_ok (
    "{\"cmd\": \"say\", \"args\": {\"text\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\n\"}}");
  g_assert_cmpstr (json_string_value (json_object_get (keel__message_get_args (message), "text")), ==,
                   "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \n");
}

static void
test_valid_longest_command (void)
{
  g_autofree char *name = g_strnfill (KEEL_COMMAND_NAME_MAX, 'c');
  g_autofree char *text = g_strdup_printf ("{\"cmd\": \"%s\"}", name);
  g_autoptr (KeelMessage) message = parse_ok (text);
  g_assert_cmpstr (message->command, ==, name);
}

static void
test_valid_not_nul_terminated (void)
{
  /* The bridge hands over a length; nothing after it may be read. */
  const char buffer[] = "{\"cmd\": \"ping\"}GARBAGE";
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelMessage) message
    = keel__message_parse (buffer, strlen ("{\"cmd\": \"ping\"}"), NULL, MAX_SIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message->command, ==, "ping");
}

static void
test_valid_free_null (void)
{
  keel__message_free (NULL);
}

/* ---- rejections -------------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *text;
  /* Fragments the message must contain (NULL-terminated, at most four). */
  const char *words[4];
} RejectCase;

static void
check_rejections (const RejectCase *cases, gsize count)
{
  for (gsize i = 0; i < count; i++)
    {
      g_test_message ("case %s: %s", cases[i].name, cases[i].text);
      g_autoptr (GError) error = NULL;
      g_autoptr (KeelMessage) message = parse (cases[i].text, &error);
      g_assert_null (message);
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
      for (gsize w = 0; w < G_N_ELEMENTS (cases[i].words) && cases[i].words[w] != NULL; w++)
        {
          if (strstr (error->message, cases[i].words[w]) == NULL)
            g_error ("case %s: message \"%s\" lacks \"%s\"", cases[i].name, error->message,
                     cases[i].words[w]);
        }
    }
}

static void
test_reject_not_json (void)
{
  static const RejectCase cases[] = {
    /* The byte offset lets a developer find the fault in a long message. */
    { "truncated", "{\"cmd\": \"x\",", { "not valid JSON", "at byte 12", "end of file" } },
    { "missing comma", "{\"cmd\":\"greet\" \"args\":{}}", { "not valid JSON", "at byte 21" } },
    { "empty", "", { "not valid JSON", "at byte 0" } },
    { "blank", "   ", { "not valid JSON" } },
    { "trailing garbage", "{\"cmd\":\"x\"} x", { "not valid JSON", "at byte 13" } },
    { "two objects", "{\"cmd\":\"x\"}{\"cmd\":\"y\"}", { "not valid JSON" } },
    { "single quotes", "{'cmd': 'x'}", { "not valid JSON" } },
    { "trailing comma", "{\"cmd\": \"x\",}", { "not valid JSON" } },
    { "comment", "{\"cmd\": \"x\" /* hi */}", { "not valid JSON" } },
    { "bare string", "\"greet\"", { "not valid JSON" } },
    { "bare number", "42", { "not valid JSON" } },
    { "NaN", "{\"cmd\": \"x\", \"args\": [NaN]}", { "not valid JSON" } },
    { "invalid UTF-8", "{\"cmd\": \"x\", \"args\": [\"\xff\"]}",
      { "not valid JSON", "unable to decode byte 0xff" } },
    { "lone surrogate", "{\"cmd\": \"x\", \"args\": [\"\\ud800\"]}",
      { "not valid JSON", "invalid Unicode", "half of a UTF-16 surrogate pair" } },
    { "lone low surrogate", "{\"cmd\": \"x\", \"args\": [\"a\\udc00b\"]}",
      { "invalid Unicode", "half of a UTF-16 surrogate pair" } },
    { "reversed pair", "{\"cmd\": \"x\", \"args\": [\"\\udc00\\ud800\"]}",
      { "invalid Unicode", "half of a UTF-16 surrogate pair" } },
    { "raw control character", "{\"cmd\": \"x\", \"args\": [\"a\x01\"]}",
      { "not valid JSON", "control character" } },
    { "real overflow", "{\"cmd\": \"x\", \"args\": [1e400]}",
      { "not valid JSON", "real number overflow" } },
    { "integer overflow", "{\"cmd\": \"x\", \"args\": [123456789012345678901234567890]}",
      { "not valid JSON", "too big integer" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_not_json_hints (void)
{
  /* Each kind of syntax error says how to fix it, not only what jansson saw. */
  static const RejectCase cases[] = {
    { "generic", "{\"cmd\": \"x\",", { "not valid JSON", "send JSON text such as {\"cmd\"" } },
    { "duplicate", "{\"cmd\": \"x\", \"cmd\": \"y\"}", { "a key may appear only once" } },
    { "UTF-8", "{\"cmd\": \"\xff\"}", { "at byte 9", "must be UTF-8" } },
    { "depth", "{\"cmd\": \"x\", \"args\": [[[[", { "not valid JSON" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_invalid_utf8 (void)
{
  /* Pages send JavaScript strings, which WebKit hands over as UTF-8; these
   * byte sequences can only come from a broken or hostile sender. jansson
   * checks every string, keys included, and the parser says where. */
  static const RejectCase cases[] = {
    { "stray continuation", "{\"cmd\": \"x\", \"args\": [\"\x80\"]}",
      { "at byte", "unable to decode byte 0x80", "must be UTF-8" } },
    { "overlong slash", "{\"cmd\": \"x\", \"args\": [\"\xc0\xaf\"]}",
      { "unable to decode byte 0xc0", "must be UTF-8" } },
    { "overlong NUL", "{\"cmd\": \"x\", \"args\": [\"\xc0\x80\"]}", { "must be UTF-8" } },
    { "encoded surrogate", "{\"cmd\": \"x\", \"args\": [\"\xed\xa0\x80\"]}",
      { "unable to decode byte 0xed", "must be UTF-8" } },
    { "beyond U+10FFFF", "{\"cmd\": \"x\", \"args\": [\"\xf4\x90\x80\x80\"]}", { "must be UTF-8" } },
    { "truncated at the end", "{\"cmd\": \"x\", \"args\": [\"\xe2\x82", { "not valid JSON" } },
    { "truncated before quote", "{\"cmd\": \"x\", \"args\": [\"\xe2\x82\"]}", { "must be UTF-8" } },
    { "in a key", "{\"cmd\": \"x\", \"args\": {\"\xfe\": 1}}", { "at byte 23", "must be UTF-8" } },
    { "in cmd", "{\"cmd\": \"gr\xfc\xdf\"}", { "at byte 11", "must be UTF-8" } },
    { "outside strings", "{\"cmd\": \"x\", \"args\": \xc3\xa9}", { "not valid JSON", "at byte" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_nul_bytes (void)
{
  /* A raw NUL byte (not the escape \u0000) anywhere: jansson alone would
   * call it "end of file", so the parser names it and says where. */
  static const struct
  {
    const char *name;
    const char *text;
    gsize length;
    gsize at;
  } cases[] = {
    { "after the object", "{\"cmd\":\"x\"}\0", 12, 11 },
    { "between tokens", "{\"cmd\":\0\"x\"}", 12, 7 },
    { "inside cmd", "{\"cmd\":\"x\0y\"}", 13, 9 },
    { "inside an argument", "{\"cmd\":\"x\",\"args\":[\"a\0b\"]}", 26, 21 },
    { "first byte", "\0{\"cmd\":\"x\"}", 12, 0 },
    { "only byte", "\0", 1, 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %s", cases[i].name);
      g_autoptr (GError) error = NULL;
      g_autoptr (KeelMessage) message
        = keel__message_parse (cases[i].text, cases[i].length, NULL, MAX_SIZE, &error);
      g_assert_null (message);
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
      g_autofree char *expected = g_strdup_printf (
        "IPC message is not valid JSON (at byte %" G_GSIZE_FORMAT "): a NUL byte; JSON text "
        "cannot hold one raw (inside a string, write it as \\u0000)",
        cases[i].at);
      g_assert_cmpstr (error->message, ==, expected);
    }

  /* Escaped, it is an ordinary character of a string argument (the argument
   * helpers refuse it where a C string is wanted; see test-router). */
  g_autoptr (KeelMessage) escaped
    = parse_ok ("{\"cmd\": \"x\", \"args\": {\"k\": \"a\\u0000b\"}}");
  g_assert_cmpuint (json_string_length (json_object_get (keel__message_get_args (escaped), "k")), ==, 3);
}

static void
test_valid_id_and_url (void)
{
  /* As the bridge writes it: the id and the document's URL first. */
  g_autoptr (KeelMessage) full = parse_ok (
    "{\"id\":7,\"url\":\"keel://localhost/index.html?q=1#x\",\"cmd\":\"greet\",\"args\":{}}");
  g_assert_true (full->has_id);
  g_assert_cmpuint (full->id, ==, 7);
  g_assert_cmpstr (full->url, ==, "keel://localhost/index.html?q=1#x");
  g_assert_cmpstr (full->command, ==, "greet");
  /* Both optional here (window.c requires the URL), in any order; escapes
   * in the URL are read. */
  g_autoptr (KeelMessage) bare = parse_ok ("{\"cmd\":\"greet\"}");
  g_assert_false (bare->has_id);
  g_assert_null (bare->url);
  g_autoptr (KeelMessage) escaped
    = parse_ok ("{\"cmd\":\"x\",\"url\":\"https:\\/\\/a.test\\/\\u00e9\",\"id\":0}");
  g_assert_true (escaped->has_id);
  g_assert_cmpuint (escaped->id, ==, 0);
  g_assert_cmpstr (escaped->url, ==, "https://a.test/\xc3\xa9");
  /* The largest id JavaScript counts to exactly. */
  g_autoptr (KeelMessage) largest = parse_ok ("{\"id\":9007199254740991,\"cmd\":\"x\"}");
  g_assert_cmpuint (largest->id, ==, KEEL_MESSAGE_MAX_ID);
}

static void
test_reject_id_and_url (void)
{
  static const RejectCase cases[] = {
    { "id too large", "{\"id\":9007199254740992,\"cmd\":\"x\"}",
      { "\"id\" of the wrong kind", "0 to 9007199254740991", "got 9007199254740992" } },
    { "id negative", "{\"id\":-1,\"cmd\":\"x\"}", { "\"id\" of the wrong kind", "got -1" } },
    { "id fraction", "{\"id\":1.5,\"cmd\":\"x\"}", { "got 1.5" } },
    { "id exponent", "{\"id\":1e3,\"cmd\":\"x\"}", { "got 1e3" } },
    { "id string", "{\"id\":\"7\",\"cmd\":\"x\"}", { "\"id\" of the wrong kind", "got a string" } },
    { "id null", "{\"id\":null,\"cmd\":\"x\"}", { "got null" } },
    { "url number", "{\"url\":1,\"cmd\":\"x\"}", { "\"url\"", "as a string", "got an integer" } },
    { "url null", "{\"url\":null,\"cmd\":\"x\"}", { "\"url\"", "got null" } },
    { "url with NUL", "{\"url\":\"keel://localhost/\\u0000evil\",\"cmd\":\"x\"}",
      { "\"url\"", "a string with a NUL" } },
    /* A second URL cannot hide behind the one the relay checked. */
    { "url twice", "{\"id\":1,\"url\":\"keel://localhost/\",\"cmd\":\"x\",\"url\":\"https://a.test/\"}",
      { "a key may appear only once" } },
    { "id twice", "{\"id\":1,\"cmd\":\"x\",\"id\":2}", { "a key may appear only once" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_not_object (void)
{
  static const RejectCase cases[] = {
    { "array", "[\"greet\", {}]", { "must be a JSON object", "got an array" } },
    { "empty array", "[]", { "must be a JSON object", "got an array" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_unknown_key (void)
{
  static const RejectCase cases[] = {
    { "extra", "{\"cmd\": \"x\", \"extra\": 1}",
      { "unknown key \"extra\"", "\"id\", \"url\", \"cmd\", \"args\" and \"options\"" } },
    { "Tauri v1 style", "{\"cmd\": \"x\", \"callback\": 1, \"error\": 2}", { "unknown key" } },
    { "case matters", "{\"Cmd\": \"x\"}", { "unknown key \"Cmd\"" } },
    /* Unknown keys are reported before a missing cmd: the author of such a
     * message most likely misspelled cmd. */
    { "only unknown", "{\"command\": \"x\"}", { "unknown key \"command\"" } },
    /* A hostile key is shown escaped, not raw, in the message. */
    { "control in key", "{\"cmd\": \"x\", \"a\\nb\": 1}", { "unknown key \"a\\nb\"" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_unknown_key_long (void)
{
  /* A long key is cut in the message, so a page cannot flood the log. */
  g_autofree char *key = g_strnfill (1000, 'k');
  g_autofree char *text = g_strdup_printf ("{\"cmd\": \"x\", \"%s\": 1}", key);
  g_autoptr (GError) error = NULL;
  g_assert_null (parse (text, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "unknown key"));
  g_assert_nonnull (strstr (error->message, "\xe2\x80\xa6")); /* … */
  g_assert_cmpuint (strlen (error->message), <, 300);
}

static void
test_reject_cmd (void)
{
  g_autofree char *long_name = g_strnfill (KEEL_COMMAND_NAME_MAX + 1, 'c');
  g_autofree char *too_long = g_strdup_printf ("{\"cmd\": \"%s\"}", long_name);
  const RejectCase cases[] = {
    { "missing", "{\"args\": {}}", { "needs \"cmd\"", "got nothing" } },
    { "empty object", "{}", { "needs \"cmd\"", "got nothing" } },
    { "number", "{\"cmd\": 5}", { "needs \"cmd\"", "got an integer" } },
    { "null", "{\"cmd\": null}", { "needs \"cmd\"", "got null" } },
    { "array", "{\"cmd\": [\"x\"]}", { "needs \"cmd\"", "got an array" } },
    { "object", "{\"cmd\": {}}", { "needs \"cmd\"", "got an object" } },
    { "boolean", "{\"cmd\": true}", { "needs \"cmd\"", "got a boolean" } },
    { "empty", "{\"cmd\": \"\"}", { "invalid command name \"\"", "1 to 256 printable ASCII" } },
    { "space", "{\"cmd\": \"say hi\"}", { "invalid command name \"say hi\"", "without spaces" } },
    { "leading space", "{\"cmd\": \" x\"}", { "invalid command name" } },
    { "tab", "{\"cmd\": \"a\\tb\"}", { "invalid command name \"a\\tb\"" } },
    { "newline", "{\"cmd\": \"a\\nb\"}", { "invalid command name \"a\\nb\"" } },
    { "escape", "{\"cmd\": \"a\\u001bb\"}", { "invalid command name" } },
    { "DEL", "{\"cmd\": \"a\\u007fb\"}", { "invalid command name" } },
    { "non-ASCII", "{\"cmd\": \"caf\\u00e9\"}", { "invalid command name" } },
    { "non-ASCII raw", "{\"cmd\": \"gr\xc3\xbc\xc3\x9f\"}", { "invalid command name" } },
    { "emoji", "{\"cmd\": \"\\ud83d\\ude00\"}", { "invalid command name" } },
    { "too long", too_long, { "invalid command name", "\xe2\x80\xa6", "256" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_cmd_nul (void)
{
  /* A NUL must not cut "greet\0evil" down to "greet": whether jansson or the
   * name check refuses it, the message is refused. */
  const char *texts[] = {
    "{\"cmd\": \"greet\\u0000evil\"}",
    "{\"cmd\": \"greet\\u0000\"}",
    "{\"cmd\": \"\\u0000\"}",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_test_message ("message %s", texts[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (KeelMessage) message = parse (texts[i], &error);
      g_assert_null (message);
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
      g_assert_true (strstr (error->message, "invalid command name") != NULL
                     || strstr (error->message, "\\u0000") != NULL);
    }
}

static void
test_reject_args (void)
{
  static const RejectCase cases[] = {
    { "string", "{\"cmd\": \"greet\", \"args\": \"Ada\"}",
      { "command \"greet\"", "\"args\" of the wrong type", "an object or an array", "got a string" } },
    { "number", "{\"cmd\": \"greet\", \"args\": 1.5}", { "\"args\" of the wrong type", "got a number with a fraction" } },
    { "boolean", "{\"cmd\": \"greet\", \"args\": false}", { "\"args\" of the wrong type", "got a boolean" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_options (void)
{
  static const RejectCase cases[] = {
    { "array", "{\"cmd\": \"up\", \"options\": []}",
      { "command \"up\"", "\"options\" of the wrong type", "expected an object", "got an array" } },
    { "string", "{\"cmd\": \"up\", \"options\": \"x\"}", { "\"options\" of the wrong type", "got a string" } },
    { "number", "{\"cmd\": \"up\", \"options\": 0}", { "\"options\" of the wrong type", "got an integer" } },
    { "unknown option", "{\"cmd\": \"up\", \"options\": {\"timeout\": 3}}",
      { "command \"up\"", "unknown option \"timeout\"", "only option is \"headers\"" } },
    { "headers not an object", "{\"cmd\": \"up\", \"options\": {\"headers\": [\"a\"]}}",
      { "command \"up\"", "\"headers\" must be an object", "got an array" } },
    { "header value not a string", "{\"cmd\": \"up\", \"options\": {\"headers\": {\"x\": 1}}}",
      { "header \"x\" must have a string value", "got an integer" } },
    { "header name not a token", "{\"cmd\": \"up\", \"options\": {\"headers\": {\"a b\": \"1\"}}}",
      { "header name \"a b\" is not an HTTP token" } },
    { "empty header name", "{\"cmd\": \"up\", \"options\": {\"headers\": {\"\": \"1\"}}}",
      { "header name \"\" is not an HTTP token" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_duplicate_keys (void)
{
  static const RejectCase cases[] = {
    /* Two "cmd" keys could let a filter see one command and the router run
     * the other; jansson refuses them outright. */
    { "cmd twice", "{\"cmd\": \"safe\", \"cmd\": \"evil\"}", { "not valid JSON", "duplicate object key" } },
    { "args twice", "{\"cmd\": \"x\", \"args\": {}, \"args\": []}", { "duplicate object key" } },
    { "nested", "{\"cmd\": \"x\", \"args\": {\"a\": 1, \"a\": 2}}", { "duplicate object key" } },
    { "deeper", "{\"cmd\": \"x\", \"args\": [{\"k\": {\"z\": 1, \"z\": 1}}]}", { "duplicate object key" } },
  };
  check_rejections (cases, G_N_ELEMENTS (cases));
}

static void
test_reject_too_large (void)
{
  /* The buffer really is that long, and is not JSON: a TOO_LARGE answer
   * proves the size is checked before parsing. */
  gsize max = 1000;
  g_autofree char *big = g_strnfill (max + 1, '[');
  g_autoptr (GError) error = NULL;
  g_assert_null (keel__message_parse (big, max + 1, NULL, max, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "1001 bytes"));
  g_assert_nonnull (strstr (error->message, "limit of 1000 bytes"));
  g_clear_error (&error);

  /* Exactly at the limit is accepted. */
  g_autofree char *padding = g_strnfill (max - strlen ("{\"cmd\":\"x\"}"), ' ');
  g_autofree char *fits = g_strdup_printf ("{\"cmd\":\"x\"}%s", padding);
  g_assert_cmpuint (strlen (fits), ==, max);
  g_autoptr (KeelMessage) message = keel__message_parse (fits, max, NULL, max, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message->command, ==, "x");

  /* One byte more is not. */
  g_autofree char *over = g_strdup_printf ("%s ", fits);
  g_assert_null (keel__message_parse (over, max + 1, NULL, max, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE);
}

static char *
nested_args (guint depth)
{
  GString *text = g_string_new ("{\"cmd\": \"deep\", \"args\": ");
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static void
test_reject_deep_nesting (void)
{
  /* jansson stops at JSON_PARSER_MAX_DEPTH (2048) levels with an error
   * instead of recursing until the stack runs out; the message says so in
   * words, with the place. */
  g_autofree char *deep = nested_args (100000);
  g_autoptr (GError) error = NULL;
  g_assert_null (parse (deep, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "maximum parsing depth"));
  g_assert_nonnull (strstr (error->message, "at byte"));
  g_assert_nonnull (strstr (error->message, "may nest at most 2048 levels deep"));

  /* The message object is one level: args may nest 2047 more, not 2048. */
  g_autofree char *deepest = nested_args (JSON_PARSER_MAX_DEPTH - 1);
  g_autoptr (KeelMessage) fits = parse_ok (deepest);
  g_assert_true (json_is_array (keel__message_get_args (fits)));
  g_autofree char *one_more = nested_args (JSON_PARSER_MAX_DEPTH);
  g_clear_error (&error);
  g_assert_null (parse (one_more, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "may nest at most"));

  /* Objects count as arrays do. */
  GString *objects = g_string_new ("{\"cmd\": \"deep\", \"args\": ");
  for (guint i = 0; i < 100000; i++)
    g_string_append (objects, "{\"a\":");
  g_autofree char *object_text = g_string_free (objects, FALSE);
  g_clear_error (&error);
  g_assert_null (parse (object_text, &error));
  g_assert_nonnull (strstr (error->message, "may nest at most"));

  /* Unclosed nesting fails the same way, not by reading past the end. */
  g_autofree char *unclosed = g_strnfill (5000, '[');
  g_clear_error (&error);
  g_assert_null (parse (unclosed, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);

  /* Reasonable depth is fine. */
  g_autofree char *shallow = nested_args (1000);
  g_autoptr (KeelMessage) message = parse_ok (shallow);
  g_assert_true (json_is_array (keel__message_get_args (message)));
}

/* ---- command names ----------------------------------------------------- */

static void
test_command_name_is_valid (void)
{
  g_autofree char *longest = g_strnfill (KEEL_COMMAND_NAME_MAX, 'n');
  g_autofree char *too_long = g_strnfill (KEEL_COMMAND_NAME_MAX + 1, 'n');
  const struct
  {
    const char *name;
    gboolean valid;
  } cases[] = {
    { "greet", TRUE },
    { "a", TRUE },
    { "plugin:fs|read_text_file", TRUE },
    { "!#$%&'()*+,-./0123456789;<=>?@[\\]^_`{}~", TRUE },
    { longest, TRUE },
    { "", FALSE },
    { too_long, FALSE },
    { "a b", FALSE },
    { " ", FALSE },
    { "a\tb", FALSE },
    { "a\nb", FALSE },
    { "\x1f", FALSE },
    { "a\x7f", FALSE },
    { "caf\xc3\xa9", FALSE },
    { "\xff", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("name \"%.40s\" (length %zu)", cases[i].name, strlen (cases[i].name));
      g_assert_cmpint (keel__command_name_is_valid (cases[i].name), ==, cases[i].valid);
    }
}

/* ---- encoders ---------------------------------------------------------- */

static char *
encode_reply (gboolean ok, const char *id, const char *text)
{
  return keel__message_encode_reply (ok ? 'o' : 'e', id, text, strlen (text));
}

static void
test_encode_reply (void)
{
  g_autofree char *ok = encode_reply (TRUE, "7", "{\"a\":1}");
  g_assert_cmpstr (ok, ==, "o7\n{\"a\":1}");
  g_autofree char *err = encode_reply (FALSE, "12345", "{\"code\":\"x\"}");
  g_assert_cmpstr (err, ==, "e12345\n{\"code\":\"x\"}");
  g_autofree char *null_ok = encode_reply (TRUE, "0", "null");
  g_assert_cmpstr (null_ok, ==, "o0\nnull");
  /* No id: the relay puts it in. */
  g_autofree char *no_id = encode_reply (FALSE, "", "{}");
  g_assert_cmpstr (no_id, ==, "e\n{}");
  /* The text is passed through untouched, even when it is not JSON: the
   * router decides what it sends. */
  g_autofree char *raw = encode_reply (FALSE, "1", "\xc3\xa9 \"");
  g_assert_cmpstr (raw, ==, "e1\n\xc3\xa9 \"");
  /* Bytes, not a C string: the text ends where they do. */
  g_autofree char *cut_reply = keel__message_encode_reply ('o', "2", "[1]]", 3);
  g_assert_cmpstr (cut_reply, ==, "o2\n[1]");
  g_autofree char *empty_reply = keel__message_encode_reply ('o', "3", NULL, 0);
  g_assert_cmpstr (empty_reply, ==, "o3\n");
  /* Bytes waiting at ipc://, and the head of an answer sent as a pair. */
  g_autofree char *bytes_reply = keel__message_encode_reply ('b', "4", "ticket-1", 8);
  g_assert_cmpstr (bytes_reply, ==, "b4\nticket-1");
  g_autofree char *head = keel__message_encode_reply ('e', "5", "", 0);
  g_assert_cmpstr (head, ==, "e5\n");
}

/* Every position of the fast eight-byte walk and of its tail is tried: a
 * NUL, a non-ASCII character and a broken sequence at each offset. */
static void
test_text_is_c_string_utf8 (void)
{
  g_assert_true (keel__text_is_c_string_utf8 ("", 0));
  g_assert_true (keel__text_is_c_string_utf8 ("o{\"a\":[1,2,3]}", 14));
  /* Only the given length counts: what follows is not read. */
  g_assert_true (keel__text_is_c_string_utf8 ("abc\0def", 3));
  for (gsize length = 1; length <= 40; length++)
    for (gsize at = 0; at < length; at++)
      {
        g_autofree char *text = g_malloc (length + 2);
        memset (text, 'x', length + 2);
        g_assert_true (keel__text_is_c_string_utf8 (text, length));
        text[at] = '\0';
        g_assert_false (keel__text_is_c_string_utf8 (text, length));
        text[at] = '\x80'; /* a continuation byte with no lead */
        g_assert_false (keel__text_is_c_string_utf8 (text, length));
        text[at] = '\x7f'; /* DEL is ASCII */
        g_assert_true (keel__text_is_c_string_utf8 (text, length));
        if (at + 1 < length)
          {
            text[at] = '\xc3'; /* "é", whole */
            text[at + 1] = '\xa9';
            g_assert_true (keel__text_is_c_string_utf8 (text, length));
            text[at + 1] = 'x'; /* a lead byte without its continuation */
            g_assert_false (keel__text_is_c_string_utf8 (text, length));
          }
        else
          {
            text[at] = '\xc3'; /* cut off by the length */
            g_assert_false (keel__text_is_c_string_utf8 (text, length));
          }
      }
  /* A NUL after non-ASCII text, past the fast walk. */
  g_assert_false (keel__text_is_c_string_utf8 ("\xc3\xa9" "abcdefgh\0ij", 14));
  /* UTF-16 surrogates encoded as UTF-8 are not UTF-8. */
  g_assert_false (keel__text_is_c_string_utf8 ("abcdefgh\xed\xa0\x80", 11));
}

static void
test_json_to_text (void)
{
  g_autofree char *null_text = keel__json_to_text (NULL);
  g_assert_cmpstr (null_text, ==, "null");

  const struct
  {
    const char *json; /* parsed, then printed again */
    const char *expected;
  } cases[] = {
    { "null", "null" },
    { "true", "true" },
    { "false", "false" },
    { "42", "42" },
    { "-9007199254740993", "-9007199254740993" },
    { "1.5", "1.5" },
    { "\"x\"", "\"x\"" },
    { "[]", "[]" },
    { "{}", "{}" },
    /* Compact, and keys keep their order. */
    { "{ \"b\" : [1, 2, {\"c\": null}], \"a\" : true }", "{\"b\":[1,2,{\"c\":null}],\"a\":true}" },
    /* Non-ASCII stays UTF-8; only what JSON requires is escaped. */
    { "\"caf\\u00e9 \\ud83d\\ude00\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"" },
    { "\"q\\\" b\\\\ n\\n t\\t \\u0001\"", "\"q\\\" b\\\\ n\\n t\\t \\u0001\"" },
    { "\"</script>\"", "\"</script>\"" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("value %s", cases[i].json);
      json_error_t json_error;
      g_autoptr (json_t) value = json_loads (cases[i].json, JSON_DECODE_ANY, &json_error);
      g_assert_nonnull (value);
      g_autofree char *text = keel__json_to_text (value);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  /* Built in C, without a parser in between. */
  g_autoptr (json_t) string = json_string ("\xe2\x80\xa8");
  g_autofree char *string_text = keel__json_to_text (string);
  g_assert_cmpstr (string_text, ==, "\"\xe2\x80\xa8\"");
  g_autoptr (json_t) real = json_real (0.1);
  g_autofree char *real_text = keel__json_to_text (real);
  g_assert_cmpstr (real_text, ==, "0.10000000000000001");
}

static void
test_error_value (void)
{
  g_autoptr (json_t) error = keel__error_value ("not_found", "no file \"a.txt\"");
  g_assert_true (json_is_object (error));
  g_assert_cmpuint (json_object_size (error), ==, 2);
  g_assert_cmpstr (json_string_value (json_object_get (error, "code")), ==, "not_found");
  g_assert_cmpstr (json_string_value (json_object_get (error, "message")), ==, "no file \"a.txt\"");
  g_autofree char *text = keel__json_to_text (error);
  g_assert_cmpstr (text, ==, "{\"code\":\"not_found\",\"message\":\"no file \\\"a.txt\\\"\"}");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message/valid/args-object", test_valid_args_object);
  g_test_add_func ("/message/valid/args-array", test_valid_args_array);
  g_test_add_func ("/message/valid/args-null-or-absent", test_valid_args_null_or_absent);
  g_test_add_func ("/message/valid/options", test_valid_options);
  g_test_add_func ("/message/valid/plugin-command", test_valid_plugin_command);
  g_test_add_func ("/message/valid/unicode-escapes", test_valid_unicode_escapes);
  g_test_add_func ("/message/valid/longest-command", test_valid_longest_command);
  g_test_add_func ("/message/valid/not-nul-terminated", test_valid_not_nul_terminated);
  g_test_add_func ("/message/valid/free-null", test_valid_free_null);
  g_test_add_func ("/message/valid/id-and-url", test_valid_id_and_url);
  g_test_add_func ("/message/reject/not-json", test_reject_not_json);
  g_test_add_func ("/message/reject/not-json-hints", test_reject_not_json_hints);
  g_test_add_func ("/message/reject/invalid-utf8", test_reject_invalid_utf8);
  g_test_add_func ("/message/reject/nul-bytes", test_reject_nul_bytes);
  g_test_add_func ("/message/reject/not-object", test_reject_not_object);
  g_test_add_func ("/message/reject/unknown-key", test_reject_unknown_key);
  g_test_add_func ("/message/reject/unknown-key-long", test_reject_unknown_key_long);
  g_test_add_func ("/message/reject/id-and-url", test_reject_id_and_url);
  g_test_add_func ("/message/reject/cmd", test_reject_cmd);
  g_test_add_func ("/message/reject/cmd-nul", test_reject_cmd_nul);
  g_test_add_func ("/message/reject/args", test_reject_args);
  g_test_add_func ("/message/reject/options", test_reject_options);
  g_test_add_func ("/message/reject/duplicate-keys", test_reject_duplicate_keys);
  g_test_add_func ("/message/reject/too-large", test_reject_too_large);
  g_test_add_func ("/message/reject/deep-nesting", test_reject_deep_nesting);
  g_test_add_func ("/message/command-name-is-valid", test_command_name_is_valid);
  g_test_add_func ("/message/encode-reply", test_encode_reply);
  g_test_add_func ("/message/text-is-c-string-utf8", test_text_is_c_string_utf8);
  g_test_add_func ("/message/json-to-text", test_json_to_text);
  g_test_add_func ("/message/error-value", test_error_value);

  return g_test_run ();
}
