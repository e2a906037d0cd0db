#include "json-locate.h"

#include <string.h>

#include "json-scan.h"

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

/* The walk is json-scan's: it trusts text the scanner accepted, so the text is
 * scanned first. Everything jansson parses is accepted, and a text it could not
 * parse has its place from jansson's own error. */
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
  if ((want_key && depth == 0) || !keel__json_scan_value (text, length))
    return FALSE;

  gsize pos = keel__json_skip_space (text, length, 0); /* the top value's first byte */
  for (gsize i = 0; i < depth; i++)
    {
      gboolean last = i + 1 == depth;
      KeelJsonMember member;
      gsize index = 0, element_length = 0;
      if (keel__json_find_member (text, length, pos, path[i], &member))
        {
          if (last && want_key)
            {
              *offset = member.key_start - 1; /* the opening quote */
              return TRUE;
            }
          pos = member.value_start;
        }
      else if (!(last && want_key) && parse_index (path[i], &index)
               && keel__json_find_element (text, length, pos, index, &pos, &element_length))
        continue;
      else
        return FALSE;
    }
  *offset = pos;
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
