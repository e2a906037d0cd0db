/* json-check.h — checking a JSON document and saying where it is wrong.
 *
 * keel.json, capability files and permission manifests are checked the same
 * way: a walker pushes the key or index it descends into, and a problem is
 * reported as "<source>:<line>:<column>: <key path>: <problem>", the place
 * found again in the original text (json-locate.h). A value given by code
 * (no text) is reported as "<where>.<key path>: <problem>".
 *
 * Callable from any thread; a check belongs to whoever created it. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "keel/keel-error.h"

/* Strings from a document are shown in messages up to this many bytes. */
#define KEEL_JSON_QUOTE_MAX 60

typedef struct
{
  const char *text;           /* the source text; NULL for a value given by code */
  gsize length;
  const char *source_name;    /* what messages call the text, e.g. its path */
  const char *where;          /* what messages call the top value when there is no text */
  KeelError code;             /* of the errors reported */
  GArray *path;               /* the value being checked (private) */
  gconstpointer user_data;    /* for the walker */
} KeelJsonCheck;

void keel__json_check_init (KeelJsonCheck *check, KeelError code);
void keel__json_check_clear (KeelJsonCheck *check);

/* Descending into an object member or an array element, and back. */
void keel__json_check_push_key (KeelJsonCheck *check, const char *key);
void keel__json_check_push_index (KeelJsonCheck *check, gsize index);
void keel__json_check_pop (KeelJsonCheck *check);

/* The current path as a reader writes it: "app.windows[0].width". */
char *keel__json_check_path (const KeelJsonCheck *check);

/* The full message for a problem at the current path; at_key points at the
 * member's key rather than its value (for unknown keys). */
char *keel__json_check_message (const KeelJsonCheck *check, gboolean at_key, const char *problem);

/* Sets @error to the message for a problem at the current path. Always FALSE. */
gboolean keel__json_check_fail (const KeelJsonCheck *check, GError **error, gboolean at_key,
                                const char *format, ...) G_GNUC_PRINTF (4, 5);

/* "expected <expected>, got <value described>". Always FALSE. */
gboolean keel__json_check_fail_type (const KeelJsonCheck *check, GError **error,
                                     const json_t *value, const char *expected);

/* Sets @error for a text jansson could not parse, pointing at the place. */
void keel__json_syntax_error (const char *text, gsize length, const char *source_name,
                              const json_error_t *json_error, KeelError code, GError **error);

/* Parses a document for checking: refuses more than @max_size bytes
 * (@max_words says it for people, "1 MiB"; @what names the kind of file) and
 * a byte-order mark with a clear message, rejects duplicate keys. */
json_t *keel__json_check_load (const char *text, gsize length, const char *source_name,
                               gsize max_size, const char *max_words, const char *what,
                               KeelError code, GError **error);

/* A value in words for "got ...": "the string \"800\"", "an object", "null". */
char *keel__json_describe (const json_t *value);

/* keel_quote_for_message() (public, keel-error.h), appended to @out. */
void keel__json_append_quoted (GString *out, const char *text);

/* The candidate closest to @word (ASCII case ignored) within @max_distance
 * edits, or NULL: for "did you mean". Candidates longer than 63 bytes are
 * skipped. */
const char *keel__closest_word (const char *word, const char *const *candidates,
                                gsize n_candidates, gsize max_distance);
