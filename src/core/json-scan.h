/* json-scan.h — JSON text checked and taken apart without building values.
 *
 * The core passes most of what pages send through untouched: an event's
 * payload goes on to other pages, a command's argument to a file or back to
 * the page. jansson would build every value and write it out again (about
 * 40 MB/s parsing here); the scanner only checks the text and says where
 * each member is, so such payloads travel as the page wrote them.
 *
 * The scanner accepts exactly what jansson 2.14 accepts with the flags the
 * core parses with (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, an array or an
 * object at the top): UTF-8 without overlong forms or surrogates, no control
 * characters in strings, \u escapes with paired surrogates, no NUL in object
 * keys, no duplicate keys (compared unescaped), integers that fit 64 bits,
 * reals that do not overflow, values nested at most JSON_PARSER_MAX_DEPTH
 * deep. So text it accepted parses later, if something needs the values;
 * tests/fuzz/fuzz-json-scan.c holds the two to the same verdict. Text it
 * accepted is also a valid JavaScript expression, so it can be spliced into
 * a script as is. */
#pragma once

#include <glib.h>

typedef struct
{
  gsize key_start;   /* the key's text, quotes excluded, escapes as written */
  gsize key_length;
  gsize value_start; /* the value's text */
  gsize value_length;
} KeelJsonMember;

/* TRUE if text[0..length) is one JSON array or object, with whitespace
 * around it, that jansson would accept (see above). With `members`, a
 * top-level object's members are appended to it, in order. Says nothing on
 * failure: callers ask jansson for its located error message then. */
gboolean keel__json_scan (const char *text, gsize length, GArray *members);

/* The same for one value of any type (a string, a number... too). */
gboolean keel__json_scan_value (const char *text, gsize length);

/* In text keel__json_scan() or keel__json_scan_value() accepted (it must
 * have: the text is not checked again, only walked, fast): the member whose
 * key, unescaped, equals `key`, of the object that starts at byte `from`
 * (whitespace may come first; 0 for the top level). FALSE if there is none,
 * or the value there is no object. */
gboolean keel__json_find_member (const char *text, gsize length, gsize from, const char *key,
                                 KeelJsonMember *member);

/* The same for element `index` (0-based) of the array that starts at `from`:
 * where its text starts and how long it is. */
gboolean keel__json_find_element (const char *text, gsize length, gsize from, gsize index,
                                  gsize *value_start, gsize *value_length);

/* The first byte at or after `pos` that is not JSON whitespace (or `length`). */
gsize keel__json_skip_space (const char *text, gsize length, gsize pos);

/* Whether the key of `member` in text, unescaped, equals `key`. */
gboolean keel__json_key_equals (const char *text, const KeelJsonMember *member, const char *key);
