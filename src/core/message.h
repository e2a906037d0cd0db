/* message.h — the wire format between the bridge and the core.
 *
 * Page → core: one JSON text per call,
 * {"id": 7, "url": "keel://localhost/", "cmd": "greet", "args": {...}}: the
 * bridge's number for the call and the URL of the document that makes it
 * (the relay checks that it is its own; docs/security.md), then the call.
 * Core → page: the reply is a string whose first byte says how the promise
 * settles ('o' fulfilled, 'e' rejected), then the call's id and a newline,
 * then the JSON text of the value: "o7\n{...}". The page parses it once and
 * the core never re-encodes a value it already holds as text; with the id in
 * it, the reply reaches the bridge as the one string WebKit made, never
 * joined to another (joining copies it, see docs/webkit-notes.md). This file
 * is the one place that parses untrusted IPC input;
 * tests/fuzz/fuzz-message.c fuzzes it. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

/* The largest message accepted by default: big enough for real payloads,
 * small enough that a page cannot make the core allocate without bound. */
#define KEEL_MESSAGE_DEFAULT_MAX_SIZE (64u * 1024u * 1024u)

/* Longest command name accepted ("plugin:<name>|<command>" with room to spare). */
#define KEEL_COMMAND_NAME_MAX 256

/* The largest call id: JavaScript's largest safe integer, 2^53 - 1. */
#define KEEL_MESSAGE_MAX_ID G_GUINT64_CONSTANT (9007199254740991)

typedef struct
{
  gboolean has_id;
  guint64 id;        /* the bridge's number for the call, when has_id */
  char *url;         /* the sending document's URL, or NULL when absent */
  char *command;
  GBytes *args_text; /* the arguments' JSON text as sent, an object or an
                      * array; "{}" when absent or null. Checked, not parsed. */
  json_t *args;      /* parsed on demand: keel__message_get_args() */
  json_t *headers;   /* options.headers with lower-case names, or NULL */
} KeelMessage;

/* Parses one message from a page. Fails with KEEL_ERROR_TOO_LARGE when
 * length > max_size (before parsing), or KEEL_ERROR_INVALID saying what is
 * malformed (not JSON, with the column; not an object; missing or bad "cmd";
 * "args" of the wrong type; an unknown key; "options" other than
 * {"headers": {name: string}}; an "id" that is not a whole number from 0 to
 * KEEL_MESSAGE_MAX_ID; a "url" that is not a string or holds a NUL). "id"
 * and "url" are optional here: the window that receives a message requires
 * the URL (window.c). `owner`, if not NULL, is bytes that hold the
 * text: the arguments are then a view of it, not a copy. */
KeelMessage *keel__message_parse (const char *text, gsize length, GBytes *owner, gsize max_size,
                                  GError **error);
void keel__message_free (KeelMessage *message);

/* The message's arguments, parsed on the first call (borrowed). */
json_t *keel__message_get_args (KeelMessage *message);

/* Parses JSON text the scanner accepted (a message's arguments, a payload
 * from them), any type at the top (transfer full). It parses; were it not
 * so, a critical, and {}. */
json_t *keel__json_parse_checked (GBytes *text);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelMessage, keel__message_free)

/* Request headers as the core keeps them: a new object mapping each name,
 * in lower case, to its string value. Fails with KEEL_ERROR_INVALID naming
 * the header when a name is not an HTTP token or a value is not a string. */
json_t *keel__headers_normalize (json_t *headers, GError **error);

/* TRUE when name (of `length` bytes: a NUL inside fails) is a usable
 * command name; else KEEL_ERROR_INVALID, "<where> an invalid command name
 * "<name>": expected ...", the name quoted and cut for the message. */
gboolean keel__command_name_check (const char *name, gsize length, const char *where,
                                   GError **error);

/* TRUE when name is a usable command name: 1..KEEL_COMMAND_NAME_MAX
 * printable ASCII characters, no spaces. */
gboolean keel__command_name_is_valid (const char *name);

/* Encodes an answer as the page reads it, "<kind><id>\n<text>": `kind` is
 * 'o' (fulfilled with the JSON text), 'e' (rejected with it) or 'b' (bytes,
 * which wait at ipc:// under the ticket that is the text); `id` the digits of
 * the call's id, or "" for a message whose id could not be read (the relay,
 * which knows it, puts it in). `text` is `length` bytes, passed through
 * untouched. */
char *keel__message_encode_reply (char kind, const char *id, const char *text, gsize length);

/* TRUE when text[0..length) is UTF-8 without NUL bytes, so it survives as a
 * C string: what WebKit's error-message reply carries (window.c), and what a
 * raw channel message must be (channel.c). g_utf8_validate_len()'s verdict,
 * eight bytes at a time while the text is ASCII, as JSON mostly is. */
gboolean keel__text_is_c_string_utf8 (const char *text, gsize length);

/* Compact JSON text of any value (null for NULL). Never fails for values
 * jansson holds (NaN/Inf cannot be stored in a json_t). */
char *keel__json_to_text (const json_t *value);

/* The same text as bytes (without the terminating NUL in their size). */
GBytes *keel__json_to_bytes (const json_t *value);

/* A {code, message} error object as Keel's own rejections carry. */
json_t *keel__error_value (const char *code, const char *message);
