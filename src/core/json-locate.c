#include "json-locate.h"

#include <string.h>

/* The scanner trusts nothing: every read is checked against `length`, and
 * every step either consumes at least one byte or gives up, so it ends on any
 * input. Containers are skipped by counting brackets rather than by
 * recursion, so deep nesting costs no stack. */
typedef struct
{
  const char *text;
  gsize length;
  gsize pos;
} Scanner;

static void
skip_whitespace (Scanner *s)
{
  while (s->pos < s->length)
    {
      char c = s->text[s->pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        break;
      s->pos++;
    }
}

/* Reads four hex digits at the scanner's position; -1 if they are not there. */
static gint32
read_hex4 (Scanner *s)
{
  if (s->length - s->pos < 4)
    return -1;

  gint32 value = 0;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (s->text[s->pos + i]);
      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  s->pos += 4;
  return value;
}

/* Decodes the \u escape whose 'u' was just consumed, including a surrogate
 * pair spelled as two escapes. Malformed escapes decode to U+FFFD: jansson
 * has already refused such text, so they only matter in that nothing breaks. */
static gunichar
read_unicode_escape (Scanner *s)
{
  gint32 unit = read_hex4 (s);
  if (unit < 0)
    return 0xFFFD;
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return 0xFFFD;
  if (unit < 0xD800 || unit > 0xDBFF)
    return (gunichar) unit;

  if (s->length - s->pos < 6 || s->text[s->pos] != '\\' || s->text[s->pos + 1] != 'u')
    return 0xFFFD;
  Scanner peek = *s;
  peek.pos += 2;
  gint32 low = read_hex4 (&peek);
  if (low < 0xDC00 || low > 0xDFFF)
    return 0xFFFD;
  s->pos = peek.pos;
  return 0x10000 + (((gunichar) unit - 0xD800) << 10) + ((gunichar) low - 0xDC00);
}

/* At an opening quote: moves past the closing one. When `decoded` is not
 * NULL the string's value is appended to it (it may hold NUL bytes). */
static gboolean
scan_string (Scanner *s, GString *decoded)
{
  s->pos++;
  while (s->pos < s->length)
    {
      char c = s->text[s->pos++];
      if (c == '"')
        return TRUE;
      if (c != '\\')
        {
          if (decoded != NULL)
            g_string_append_c (decoded, c);
          continue;
        }

      if (s->pos >= s->length)
        return FALSE;
      char escape = s->text[s->pos++];
      if (decoded == NULL)
        continue; /* the hex digits of \uXXXX are plain bytes to a skipper */

      switch (escape)
        {
        case 'b': g_string_append_c (decoded, '\b'); break;
        case 'f': g_string_append_c (decoded, '\f'); break;
        case 'n': g_string_append_c (decoded, '\n'); break;
        case 'r': g_string_append_c (decoded, '\r'); break;
        case 't': g_string_append_c (decoded, '\t'); break;
        case 'u': g_string_append_unichar (decoded, read_unicode_escape (s)); break;
        default: g_string_append_c (decoded, escape); break; /* \" \\ \/ */
        }
    }
  return FALSE;
}

/* Moves past one value of any kind. */
static gboolean
skip_value (Scanner *s)
{
  if (s->pos >= s->length)
    return FALSE;

  char c = s->text[s->pos];
  if (c == '"')
    return scan_string (s, NULL);

  if (c == '{' || c == '[')
    {
      gsize depth = 0;
      while (s->pos < s->length)
        {
          c = s->text[s->pos];
          if (c == '"')
            {
              if (!scan_string (s, NULL))
                return FALSE;
              continue;
            }
          s->pos++;
          if (c == '{' || c == '[')
            depth++;
          else if ((c == '}' || c == ']') && --depth == 0)
            return TRUE;
        }
      return FALSE;
    }

  /* A number or a literal: everything up to the next delimiter. */
  gsize start = s->pos;
  while (s->pos < s->length && strchr (" \t\r\n,:]}", s->text[s->pos]) == NULL)
    s->pos++;
  return s->pos > start;
}

/* Array indices are plain decimal; anything else names no element. */
static gboolean
parse_index (const char *segment, gsize *index)
{
  guint64 value = 0;
  if (!g_ascii_string_to_unsigned (segment, 10, 0, G_MAXSIZE, &value, NULL))
    return FALSE;
  *index = (gsize) value;
  return TRUE;
}

/* Finds the member `key` in the object whose '{' is at the scanner's position.
 * On success the scanner stands on the member's value and *key_offset holds
 * the offset of the key's opening quote. */
static gboolean
find_member (Scanner *s, const char *key, GString *scratch, gsize *key_offset)
{
  gsize key_length = strlen (key);

  s->pos++;
  for (;;)
    {
      skip_whitespace (s);
      if (s->pos >= s->length || s->text[s->pos] != '"')
        return FALSE; /* '}' (not found) or malformed */

      *key_offset = s->pos;
      g_string_truncate (scratch, 0);
      if (!scan_string (s, scratch))
        return FALSE;
      skip_whitespace (s);
      if (s->pos >= s->length || s->text[s->pos] != ':')
        return FALSE;
      s->pos++;
      skip_whitespace (s);

      if (scratch->len == key_length && memcmp (scratch->str, key, key_length) == 0)
        return TRUE;

      if (!skip_value (s))
        return FALSE;
      skip_whitespace (s);
      if (s->pos >= s->length || s->text[s->pos] != ',')
        return FALSE;
      s->pos++;
    }
}

/* Finds element `index` of the array whose '[' is at the scanner's position. */
static gboolean
find_element (Scanner *s, gsize index)
{
  s->pos++;
  for (gsize i = 0;; i++)
    {
      skip_whitespace (s);
      if (s->pos >= s->length || s->text[s->pos] == ']')
        return FALSE;
      if (i == index)
        return TRUE;
      if (!skip_value (s))
        return FALSE;
      skip_whitespace (s);
      if (s->pos >= s->length || s->text[s->pos] != ',')
        return FALSE;
      s->pos++;
    }
}

static gboolean
locate (const char *text, gsize length, const char *const *path, gboolean want_key, gsize *offset)
{
  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  gsize depth = 0;
  while (path[depth] != NULL)
    {
      if (++depth > KEEL_JSON_LOCATE_MAX_DEPTH)
        return FALSE;
    }
  if (want_key && depth == 0)
    return FALSE;

  Scanner s = { text, length, 0 };
  g_autoptr (GString) scratch = g_string_new (NULL);
  skip_whitespace (&s);

  for (gsize i = 0; i < depth; i++)
    {
      gboolean last = i + 1 == depth;
      if (s.pos >= s.length)
        return FALSE;

      if (s.text[s.pos] == '{')
        {
          gsize key_offset = 0;
          if (!find_member (&s, path[i], scratch, &key_offset))
            return FALSE;
          if (last && want_key)
            {
              *offset = key_offset;
              return TRUE;
            }
        }
      else if (s.text[s.pos] == '[')
        {
          gsize index = 0;
          if ((last && want_key) || !parse_index (path[i], &index) || !find_element (&s, index))
            return FALSE;
        }
      else
        return FALSE;
    }

  if (s.pos >= s.length)
    return FALSE;
  *offset = s.pos;
  return TRUE;
}

void
keel__json_offset_to_line_column (const char *text, gsize length, gsize offset, int *line,
                                  int *column)
{
  offset = MIN (offset, length);

  gsize lines = 1;
  gsize line_start = 0;
  const char *p = text;
  const char *end = text + offset;
  while (p < end && (p = memchr (p, '\n', (gsize) (end - p))) != NULL)
    {
      lines++;
      p++;
      line_start = (gsize) (p - text);
    }

  *line = (int) MIN (lines, (gsize) G_MAXINT);
  *column = (int) MIN (offset - line_start + 1, (gsize) G_MAXINT);
}

gboolean
keel__json_locate (const char *text, gsize length, const char *const *path, int *line, int *column)
{
  gsize offset = 0;
  if (!locate (text, length, path, FALSE, &offset))
    return FALSE;
  keel__json_offset_to_line_column (text, length, offset, line, column);
  return TRUE;
}

gboolean
keel__json_locate_key (const char *text, gsize length, const char *const *path, int *line,
                       int *column)
{
  gsize offset = 0;
  if (!locate (text, length, path, TRUE, &offset))
    return FALSE;
  keel__json_offset_to_line_column (text, length, offset, line, column);
  return TRUE;
}
