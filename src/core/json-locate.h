/* json-locate.h — where a value sits in a JSON text.
 *
 * jansson parses into values that have forgotten their positions, but an
 * error in keel.json is only useful when it names a line and a column. These
 * functions walk the original text again (with json-scan's walker) and find
 * the value (or the key) at a path of object keys and array indices.
 *
 * Lines and columns are 1-based; a column counts bytes from the start of its
 * line. The text need not end with a NUL byte and is never read past
 * `length`. Only text jansson would parse is searched (text it refused has its
 * place from jansson's error): for anything else the answer is FALSE.
 * Callable from any thread. */
#pragma once

#include <glib.h>

/* Paths deeper than this are not searched (keel__json_locate() returns FALSE).
 * keel.json is never nested more than a handful of levels. */
#define KEEL_JSON_LOCATE_MAX_DEPTH 64

/**
 * keel__json_locate:
 * @text: the JSON text (not necessarily NUL-terminated).
 * @length: its length in bytes.
 * @path: a NULL-terminated array of segments: an object key (compared with the
 *   key as decoded, so "\u0077idth" in the text matches "width"), or an array
 *   index written in decimal. An empty path names the top-level value.
 * @line: (out): the 1-based line of the first byte of the value.
 * @column: (out): its 1-based column, in bytes.
 *
 * Finds the value at @path. When an object holds a key twice, the first one
 * is found.
 *
 * Returns: TRUE if the value was found; FALSE leaves @line and @column alone.
 */
gboolean keel__json_locate (const char *text, gsize length, const char *const *path, int *line,
                            int *column);

/**
 * keel__json_locate_key:
 *
 * As keel__json_locate(), but finds the opening quote of the key string whose
 * member the last segment of @path names (used to point at an unknown key
 * rather than at its value). Returns FALSE if the path is empty or its last
 * segment indexes an array.
 */
gboolean keel__json_locate_key (const char *text, gsize length, const char *const *path,
                                int *line, int *column);

/**
 * keel__json_offset_to_line_column:
 * @text: the text.
 * @length: its length in bytes.
 * @offset: a byte offset; one at or past @length names the end of the text.
 * @line: (out): the 1-based line holding that byte.
 * @column: (out): its 1-based column, in bytes.
 *
 * Converts a byte offset into the line and column that keel__json_locate()
 * would report for a value starting there.
 */
void keel__json_offset_to_line_column (const char *text, gsize length, gsize offset, int *line,
                                       int *column);
