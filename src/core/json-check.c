#include "json-check.h"

#include <string.h>

#include "json-locate.h"

typedef struct
{
  char *text;          /* an object key, or an array index in decimal */
  gboolean is_index;
} Segment;

static void
segment_clear (gpointer data)
{
  g_free (((Segment *) data)->text);
}

void
keel__json_check_init (KeelJsonCheck *check, KeelError code)
{
  memset (check, 0, sizeof *check);
  check->code = code;
  check->path = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_array_set_clear_func (check->path, segment_clear);
}

void
keel__json_check_clear (KeelJsonCheck *check)
{
  g_clear_pointer (&check->path, g_array_unref);
}

void
keel__json_check_push_key (KeelJsonCheck *check, const char *key)
{
  Segment segment = { g_strdup (key), FALSE };
  g_array_append_val (check->path, segment);
}

void
keel__json_check_push_index (KeelJsonCheck *check, gsize index)
{
  Segment segment = { g_strdup_printf ("%" G_GSIZE_FORMAT, index), TRUE };
  g_array_append_val (check->path, segment);
}

void
keel__json_check_pop (KeelJsonCheck *check)
{
  g_return_if_fail (check->path->len > 0);
  g_array_remove_index (check->path, check->path->len - 1);
}

/* ---- Words ---- */

/* Escapes a string from a document for a message, keeping it valid UTF-8 and
 * readable (g_strescape() would turn "é" into octal). */
void
keel__json_append_quoted (GString *out, const char *text)
{
  gsize length = strlen (text);
  /* Cut back to the start of a character, so that a long text in a script
   * other than Latin does not end in U+FFFD; invalid bytes are replaced. */
  gsize cut = MIN (length, KEEL_JSON_QUOTE_MAX);
  while (cut < length && KEEL_JSON_QUOTE_MAX - cut < 3 && ((guchar) text[cut] & 0xC0) == 0x80)
    cut--;
  g_autofree char *head = g_utf8_make_valid (text, (gssize) cut);

  g_string_append_c (out, '"');
  for (const char *p = head; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
  if (cut < length)
    g_string_append (out, "…");
}

char *
keel_quote_for_message (const char *text)
{
  GString *out = g_string_new (NULL);
  keel__json_append_quoted (out, text);
  return g_string_free (out, FALSE);
}

/* Formats a number the same way in every locale. */
static const char *
number_text (double value, char buffer[G_ASCII_DTOSTR_BUF_SIZE])
{
  return g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%.15g", value);
}

char *
keel__json_describe (const json_t *value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  switch (json_typeof (value))
    {
    case JSON_OBJECT:
      return g_strdup ("an object");
    case JSON_ARRAY:
      return g_strdup ("an array");
    case JSON_STRING:
      {
        g_autofree char *quoted = keel_quote_for_message (json_string_value (value));
        return g_strdup_printf ("the string %s", quoted);
      }
    case JSON_INTEGER:
      return g_strdup_printf ("the number %" JSON_INTEGER_FORMAT, json_integer_value (value));
    case JSON_REAL:
      return g_strdup_printf ("the number %s", number_text (json_real_value (value), buffer));
    case JSON_TRUE:
      return g_strdup ("true");
    case JSON_FALSE:
      return g_strdup ("false");
    case JSON_NULL:
    default:
      return g_strdup ("null");
    }
}

/* Keys that read well after a dot; others are written as ["..."], which
 * also cuts a long one short. */
static gboolean
is_plain_key (const char *key)
{
  if (*key == '\0' || strlen (key) > KEEL_JSON_QUOTE_MAX)
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '$' && *p != '-')
        return FALSE;
    }
  return TRUE;
}

char *
keel__json_check_path (const KeelJsonCheck *check)
{
  GString *out = g_string_new (check->text == NULL && check->where != NULL ? check->where : "");
  for (guint i = 0; i < check->path->len; i++)
    {
      const Segment *segment = &g_array_index (check->path, Segment, i);
      if (segment->is_index)
        g_string_append_printf (out, "[%s]", segment->text);
      else if (is_plain_key (segment->text))
        {
          if (out->len > 0)
            g_string_append_c (out, '.');
          g_string_append (out, segment->text);
        }
      else
        {
          g_string_append_c (out, '[');
          keel__json_append_quoted (out, segment->text);
          g_string_append_c (out, ']');
        }
    }
  return g_string_free (out, FALSE);
}

/* The position of the current path's value (or key) in the text. A path that
 * cannot be found (a key that is missing, say) falls back to its nearest
 * ancestor, so a message always has a place. */
static void
locate_current (const KeelJsonCheck *check, gboolean at_key, int *line, int *column)
{
  guint depth = check->path->len;
  g_autofree const char **segments = g_new0 (const char *, depth + 1);
  for (guint i = 0; i < depth; i++)
    segments[i] = g_array_index (check->path, Segment, i).text;

  if (at_key && keel__json_locate_key (check->text, check->length, segments, line, column))
    return;
  for (guint i = depth + 1; i-- > 0;)
    {
      segments[i] = NULL;
      if (keel__json_locate (check->text, check->length, segments, line, column))
        return;
    }
  *line = 1;
  *column = 1;
}

char *
keel__json_check_message (const KeelJsonCheck *check, gboolean at_key, const char *problem)
{
  g_autofree char *path = keel__json_check_path (check);
  GString *message = g_string_new (NULL);
  if (check->text != NULL)
    {
      int line = 1, column = 1;
      locate_current (check, at_key, &line, &column);
      g_string_append_printf (message, "%s:%d:%d: ", check->source_name, line, column);
    }
  if (*path != '\0')
    g_string_append_printf (message, "%s: ", path);
  g_string_append (message, problem);
  return g_string_free (message, FALSE);
}

gboolean
keel__json_check_fail (const KeelJsonCheck *check, GError **error, gboolean at_key,
                       const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *problem = g_strdup_vprintf (format, args);
  va_end (args);

  g_autofree char *message = keel__json_check_message (check, at_key, problem);
  g_set_error_literal (error, KEEL_ERROR, check->code, message);
  return FALSE;
}

gboolean
keel__json_check_fail_type (const KeelJsonCheck *check, GError **error, const json_t *value,
                            const char *expected)
{
  g_autofree char *got = keel__json_describe (value);
  return keel__json_check_fail (check, error, FALSE, "expected %s, got %s", expected, got);
}

void
keel__json_syntax_error (const char *text, gsize length, const char *source_name,
                         const json_error_t *json_error, KeelError code, GError **error)
{
  /* jansson counts columns in characters and reports the last byte of the
   * offending token; its byte position gives the same place with the column
   * in bytes, as json-locate counts for every other message. */
  gsize offset = json_error->position > 0 ? (gsize) json_error->position - 1 : 0;
  int line = 1, column = 1;
  keel__json_offset_to_line_column (text, length, offset, &line, &column);

  g_autofree char *detail = g_utf8_make_valid (json_error->text, -1);
  const char *hint = "";
  if (json_error_code (json_error) == json_error_duplicate_key)
    hint = "; a key may appear only once in an object";
  else if (json_error_code (json_error) == json_error_premature_end_of_input)
    hint = "; is a closing quote, bracket or brace missing?";
  else if (json_error_code (json_error) == json_error_stack_overflow)
    hint = "; arrays and objects may nest at most " G_STRINGIFY (JSON_PARSER_MAX_DEPTH)
           " levels deep";

  g_set_error (error, KEEL_ERROR, code, "%s:%d:%d: invalid JSON: %s%s", source_name, line, column,
               detail, hint);
}

json_t *
keel__json_check_load (const char *text, gsize length, const char *source_name, gsize max_size,
                       const char *max_words, const char *what, KeelError code, GError **error)
{
  if (text == NULL)
    text = "";
  if (length > max_size)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE,
                   "%s: %" G_GSIZE_FORMAT " bytes is more than the %" G_GSIZE_FORMAT " bytes "
                   "(%s) a %s may have; is this the right file?",
                   source_name, length, max_size, max_words, what);
      return NULL;
    }

  /* Editors on some systems add a byte-order mark, which JSON forbids;
   * jansson's "invalid token" would not say what to do about it. */
  if (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    {
      g_set_error (error, KEEL_ERROR, code,
                   "%s:1:1: the file starts with a byte-order mark, which JSON does not allow; "
                   "save it as UTF-8 without BOM",
                   source_name);
      return NULL;
    }

  json_error_t json_error;
  json_t *root = json_loadb (text, length, JSON_REJECT_DUPLICATES, &json_error);
  if (root == NULL)
    keel__json_syntax_error (text, length, source_name, &json_error, code, error);
  return root;
}

/* ---- Did you mean ---- */

/* Levenshtein distance, ignoring ASCII case; b is shorter than 64 bytes. */
static gsize
edit_distance (const char *a, gsize a_length, const char *b, gsize b_length)
{
  gsize row[64];
  g_return_val_if_fail (b_length < G_N_ELEMENTS (row), G_MAXSIZE);

  for (gsize j = 0; j <= b_length; j++)
    row[j] = j;

  for (gsize i = 1; i <= a_length; i++)
    {
      gsize diagonal = row[0];
      row[0] = i;
      for (gsize j = 1; j <= b_length; j++)
        {
          gsize above = row[j];
          gsize cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[b_length];
}

const char *
keel__closest_word (const char *word, const char *const *candidates, gsize n_candidates,
                    gsize max_distance)
{
  gsize word_length = strlen (word);
  const char *best = NULL;
  gsize best_distance = max_distance + 1;

  for (gsize i = 0; i < n_candidates; i++)
    {
      gsize length = strlen (candidates[i]);
      /* Pairs whose lengths differ by more than the distance that matters
       * cannot be close; skipping them keeps the cost bounded. */
      if (length >= 64 || MAX (length, word_length) - MIN (length, word_length) > max_distance)
        continue;
      gsize distance = edit_distance (word, word_length, candidates[i], length);
      if (distance < best_distance)
        {
          best = candidates[i];
          best_distance = distance;
        }
    }
  return best;
}
