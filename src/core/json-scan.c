/* json-scan.c — see json-scan.h. Each rule below mirrors one of jansson
 * 2.14's (src/load.c, src/utf.c); fuzz-json-scan checks they agree. */
#include "json-scan.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

typedef struct
{
  const char *text;
  gsize length;
  gsize pos;
  GString *key;          /* the key being read, unescaped */
} Scanner;

typedef struct
{
  gboolean object;
  GHashTable *keys;      /* an object's keys so far, unescaped; NULL before the first */
} Frame;

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

gsize
keel__json_skip_space (const char *text, gsize length, gsize pos)
{
  while (pos < length && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n'
                          || text[pos] == '\r'))
    pos++;
  return pos;
}

static void
skip_space (Scanner *s)
{
  s->pos = keel__json_skip_space (s->text, s->length, s->pos);
}

/* One multi-byte UTF-8 sequence: no overlong form, no surrogate, nothing
 * above U+10FFFF (utf8_check_first/utf8_check_full). */
static gboolean
scan_utf8 (Scanner *s)
{
  guchar first = (guchar) s->text[s->pos];
  gsize size;
  guint32 value;
  if (first >= 0xC2 && first <= 0xDF)
    size = 2, value = first & 0x1F;
  else if (first >= 0xE0 && first <= 0xEF)
    size = 3, value = first & 0x0F;
  else if (first >= 0xF0 && first <= 0xF4)
    size = 4, value = first & 0x07;
  else
    return FALSE;
  if (s->length - s->pos < size)
    return FALSE;
  for (gsize i = 1; i < size; i++)
    {
      guchar next = (guchar) s->text[s->pos + i];
      if (next < 0x80 || next > 0xBF)
        return FALSE;
      value = (value << 6) | (next & 0x3F);
    }
  if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)
      || (size == 3 && value < 0x800) || (size == 4 && value < 0x10000))
    return FALSE;
  s->pos += size;
  return TRUE;
}

/* The four hex digits at pos, or -1. */
static int
hex4 (const Scanner *s, gsize pos)
{
  if (pos > s->length || s->length - pos < 4)
    return -1;
  int value = 0;
  for (gsize i = 0; i < 4; i++)
    {
      char c = s->text[pos + i];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value += c - '0';
      else if (c >= 'a' && c <= 'f')
        value += c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        value += c - 'A' + 10;
      else
        return -1;
    }
  return value;
}

/* The end of the run of plain bytes (printable ASCII other than '"' and
 * '\\': nothing to check or decode) that starts at `from`. Eight bytes at a
 * time: a large payload is nearly all such a run, and a byte-by-byte loop
 * made the check the core's largest cost on its way (bench/). Each test
 * below is exact for the word as a whole (whether any byte matches), so a
 * word with a match is finished byte by byte. */
static gsize
plain_run_end (const char *text, gsize from, gsize length)
{
  const guint64 ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  gsize at = from;
  while (length - at >= sizeof (guint64))
    {
      guint64 word;
      memcpy (&word, text + at, sizeof word);
      guint64 quote = word ^ (ones * '"'), backslash = word ^ (ones * '\\');
      guint64 special = ((word - ones * 0x20) & ~word)              /* a byte < 0x20 */
                        | word                                    /* a byte >= 0x80 */
                        | ((quote - ones) & ~quote)               /* a '"' */
                        | ((backslash - ones) & ~backslash);      /* a '\\' */
      if ((special & highs) != 0)
        break;
      at += sizeof word;
    }
  while (at < length)
    {
      guchar c = (guchar) text[at];
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
        break;
      at++;
    }
  return at;
}

/* A string at pos (its opening quote). With `key`, its unescaped bytes go
 * there, and a NUL (\u0000) fails: object keys cannot hold one. */
static gboolean
scan_string (Scanner *s, GString *key)
{
  s->pos++;
  for (;;)
    {
      /* The common run: printable ASCII, nothing to decode. */
      gsize run = plain_run_end (s->text, s->pos, s->length);
      if (key != NULL)
        g_string_append_len (key, s->text + s->pos, (gssize) (run - s->pos));
      s->pos = run;
      if (s->pos >= s->length)
        return FALSE;

      guchar c = (guchar) s->text[s->pos];
      if (c == '"')
        {
          s->pos++;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c >= 0x80)
        {
          gsize start = s->pos;
          if (!scan_utf8 (s))
            return FALSE;
          if (key != NULL)
            g_string_append_len (key, s->text + start, (gssize) (s->pos - start));
          continue;
        }

      /* A backslash. */
      if (s->length - s->pos < 2)
        return FALSE;
      char escape = s->text[s->pos + 1];
      if (escape != 'u')
        {
          static const char from[] = "\"\\/bfnrt";
          static const char to[] = "\"\\/\b\f\n\r\t";
          const char *found = escape != '\0' ? strchr (from, escape) : NULL;
          if (found == NULL)
            return FALSE;
          if (key != NULL)
            g_string_append_c (key, to[found - from]);
          s->pos += 2;
          continue;
        }
      int value = hex4 (s, s->pos + 2);
      if (value < 0)
        return FALSE;
      s->pos += 6;
      if (value >= 0xD800 && value <= 0xDBFF)
        {
          /* A high surrogate must be followed at once by a low one. */
          if (s->length - s->pos < 2 || s->text[s->pos] != '\\' || s->text[s->pos + 1] != 'u')
            return FALSE;
          int low = hex4 (s, s->pos + 2);
          if (low < 0xDC00 || low > 0xDFFF)
            return FALSE;
          value = ((value - 0xD800) << 10) + (low - 0xDC00) + 0x10000;
          s->pos += 6;
        }
      else if (value >= 0xDC00 && value <= 0xDFFF)
        return FALSE;
      if (key != NULL)
        {
          if (value == 0)
            return FALSE;
          g_string_append_unichar (key, (gunichar) value);
        }
    }
}

/* Whether the digits (no sign, no leading zero) fit a 64-bit integer, as
 * strtoll() would take them. */
static gboolean
integer_fits (const char *digits, gsize count, gboolean negative)
{
  static const char max[] = "9223372036854775807";
  static const char min[] = "9223372036854775808";
  const gsize width = sizeof max - 1;
  if (count != width)
    return count < width;
  return memcmp (digits, negative ? min : max, width) <= 0;
}

static gboolean
scan_number (Scanner *s)
{
  const char *text = s->text;
  gsize start = s->pos;
  gboolean negative = text[s->pos] == '-';
  if (negative)
    s->pos++;
  if (s->pos >= s->length)
    return FALSE;
  gsize digits = s->pos;
  if (text[s->pos] == '0')
    {
      s->pos++;
      if (s->pos < s->length && is_digit (text[s->pos]))
        return FALSE;
    }
  else if (is_digit (text[s->pos]))
    {
      while (s->pos < s->length && is_digit (text[s->pos]))
        s->pos++;
    }
  else
    return FALSE;
  gsize digits_end = s->pos;

  gboolean real = FALSE;
  if (s->pos < s->length && text[s->pos] == '.')
    {
      real = TRUE;
      s->pos++;
      if (s->pos >= s->length || !is_digit (text[s->pos]))
        return FALSE;
      while (s->pos < s->length && is_digit (text[s->pos]))
        s->pos++;
    }
  if (s->pos < s->length && (text[s->pos] == 'e' || text[s->pos] == 'E'))
    {
      real = TRUE;
      s->pos++;
      if (s->pos < s->length && (text[s->pos] == '+' || text[s->pos] == '-'))
        s->pos++;
      if (s->pos >= s->length || !is_digit (text[s->pos]))
        return FALSE;
      while (s->pos < s->length && is_digit (text[s->pos]))
        s->pos++;
    }

  if (!real)
    return integer_fits (text + digits, digits_end - digits, negative);
  /* jansson refuses a real that overflows to infinity (not one that
   * underflows to zero). */
  g_autofree char *token = g_strndup (text + start, s->pos - start);
  errno = 0;
  double value = g_ascii_strtod (token, NULL);
  return !(errno == ERANGE && (value == HUGE_VAL || value == -HUGE_VAL));
}

static gboolean
scan_literal (Scanner *s, const char *word)
{
  gsize size = strlen (word);
  if (s->length - s->pos < size || memcmp (s->text + s->pos, word, size) != 0)
    return FALSE;
  s->pos += size;
  /* jansson reads a run of letters as one word: "truex" is no "true". */
  if (s->pos < s->length && g_ascii_isalpha (s->text[s->pos]))
    return FALSE;
  return TRUE;
}

/* Records s->key in the object's set; FALSE if it was there already. */
static gboolean
add_key (Frame *frame, GString *key)
{
  if (frame->keys == NULL)
    frame->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_contains (frame->keys, key->str))
    return FALSE;
  g_hash_table_add (frame->keys, g_strndup (key->str, key->len));
  return TRUE;
}

static void
frame_clear (gpointer data)
{
  Frame *frame = data;
  g_clear_pointer (&frame->keys, g_hash_table_unref);
}

static gboolean
scan (const char *text, gsize length, gboolean container_only, GArray *members)
{
  Scanner s = { text, length, 0, g_string_new (NULL) };
  g_autoptr (GArray) stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (stack, frame_clear);
  gboolean ok = FALSE;
  KeelJsonMember member = { 0 };
  gboolean pending = FALSE; /* a member of the top-level object is being read */

  skip_space (&s);
  if (container_only && (s.pos >= length || (text[s.pos] != '{' && text[s.pos] != '[')))
    goto done;

  for (;;)
    {
      /* A value starts here. jansson counts every value's depth, the
       * top-level one being 1. */
      skip_space (&s);
      if (s.pos >= length || stack->len + 1 > JSON_PARSER_MAX_DEPTH)
        goto done;
      if (members != NULL && stack->len == 1 && g_array_index (stack, Frame, 0).object)
        {
          member.value_start = s.pos;
          pending = TRUE;
        }

      char c = text[s.pos];
      gboolean opened = FALSE;
      if (c == '{' || c == '[')
        {
          Frame frame = { c == '{', NULL };
          g_array_append_val (stack, frame);
          s.pos++;
          skip_space (&s);
          if (s.pos < length && text[s.pos] == (c == '{' ? '}' : ']'))
            {
              s.pos++;
              g_array_set_size (stack, stack->len - 1);
            }
          else if (c == '[')
            continue; /* its first element */
          else
            opened = TRUE; /* its first key, below */
        }
      else if (c == '"')
        {
          if (!scan_string (&s, NULL))
            goto done;
        }
      else if (c == '-' || is_digit (c))
        {
          if (!scan_number (&s))
            goto done;
        }
      else if (!scan_literal (&s, c == 't' ? "true" : c == 'f' ? "false" : "null"))
        goto done;

      /* After a value (or an object just opened): close what ends here,
       * then go on with the next element, or the next member's key. */
      for (;;)
        {
          if (!opened)
            {
              if (pending && stack->len == 1)
                {
                  member.value_length = s.pos - member.value_start;
                  g_array_append_val (members, member);
                  pending = FALSE;
                }
              skip_space (&s);
              if (stack->len == 0)
                {
                  ok = s.pos == length;
                  goto done;
                }
              if (s.pos >= length)
                goto done;
              Frame *top = &g_array_index (stack, Frame, stack->len - 1);
              char next = text[s.pos++];
              if (next == (top->object ? '}' : ']'))
                {
                  g_array_set_size (stack, stack->len - 1);
                  continue;
                }
              if (next != ',')
                goto done;
              if (!top->object)
                break; /* the next element */
              skip_space (&s);
            }
          opened = FALSE;

          /* A key, a colon, then the member's value. */
          Frame *top = &g_array_index (stack, Frame, stack->len - 1);
          if (s.pos >= length || text[s.pos] != '"')
            goto done;
          gsize key_start = s.pos + 1;
          g_string_truncate (s.key, 0);
          if (!scan_string (&s, s.key) || !add_key (top, s.key))
            goto done;
          if (members != NULL && stack->len == 1)
            {
              member.key_start = key_start;
              member.key_length = s.pos - 1 - key_start;
            }
          skip_space (&s);
          if (s.pos >= length || text[s.pos] != ':')
            goto done;
          s.pos++;
          break;
        }
    }

done:
  g_string_free (s.key, TRUE);
  if (!ok && members != NULL)
    g_array_set_size (members, 0);
  return ok;
}

gboolean
keel__json_scan (const char *text, gsize length, GArray *members)
{
  return scan (text, length, TRUE, members);
}

gboolean
keel__json_scan_value (const char *text, gsize length)
{
  return scan (text, length, FALSE, NULL);
}

gboolean
keel__json_key_equals (const char *text, const KeelJsonMember *member, const char *key)
{
  const char *raw = text + member->key_start;
  if (memchr (raw, '\\', member->key_length) == NULL)
    return strlen (key) == member->key_length && memcmp (raw, key, member->key_length) == 0;
  /* Escaped: compare the decoded key. The text was scanned already. */
  Scanner s = { text, member->key_start + member->key_length + 1, member->key_start - 1,
                g_string_new (NULL) };
  gboolean equal = scan_string (&s, s.key) && strcmp (s.key->str, key) == 0
                   && strlen (key) == s.key->len;
  g_string_free (s.key, TRUE);
  return equal;
}

/* In text the scanner accepted: the end of the string whose opening quote
 * is at pos. Only quotes and backslashes matter, so memchr() does the work. */
static gsize
skip_checked_string (const char *text, gsize length, gsize pos)
{
  pos++;
  for (;;)
    {
      const char *quote = memchr (text + pos, '"', length - pos);
      g_assert (quote != NULL); /* the text was checked */
      gsize at = (gsize) (quote - text);
      /* Escaped if an odd number of backslashes stands before it. */
      gsize backslashes = 0;
      while (at - backslashes > pos && text[at - backslashes - 1] == '\\')
        backslashes++;
      pos = at + 1;
      if (backslashes % 2 == 0)
        return pos;
    }
}

/* In checked text: the end of the value starting at pos. */
static gsize
skip_checked_value (const char *text, gsize length, gsize pos)
{
  guint depth = 0;
  do
    {
      char c = text[pos];
      if (c == '"')
        pos = skip_checked_string (text, length, pos);
      else
        {
          if (c == '{' || c == '[')
            depth++;
          else if (c == '}' || c == ']')
            depth--;
          pos++;
          /* A scalar ends at the first character that cannot continue it. */
          if (depth == 0 && c != '}' && c != ']' && c != '{' && c != '[')
            while (pos < length && strchr (",]} \t\n\r", text[pos]) == NULL)
              pos++;
        }
      if (depth > 0)
        while (pos < length && strchr (" \t\n\r", text[pos]) != NULL && text[pos] != '\0')
          pos++;
    }
  while (depth > 0);
  return pos;
}

gboolean
keel__json_find_member (const char *text, gsize length, gsize from, const char *key,
                        KeelJsonMember *member)
{
  /* The text was checked when it arrived (the contract): walk it, skipping
   * values at memchr() speed, without checking it again. */
  gsize pos = keel__json_skip_space (text, length, from);
  if (pos >= length || text[pos] != '{')
    return FALSE;
  pos = keel__json_skip_space (text, length, pos + 1);
  while (pos < length && text[pos] == '"')
    {
      KeelJsonMember candidate;
      candidate.key_start = pos + 1;
      pos = skip_checked_string (text, length, pos);
      candidate.key_length = pos - 1 - candidate.key_start;
      pos = keel__json_skip_space (text, length, pos);
      pos = keel__json_skip_space (text, length, pos + 1); /* the colon */
      candidate.value_start = pos;
      pos = skip_checked_value (text, length, pos);
      candidate.value_length = pos - candidate.value_start;
      if (keel__json_key_equals (text, &candidate, key))
        {
          *member = candidate;
          return TRUE;
        }
      pos = keel__json_skip_space (text, length, pos);
      if (pos < length && text[pos] == ',')
        pos = keel__json_skip_space (text, length, pos + 1);
      else
        break;
    }
  return FALSE;
}

gboolean
keel__json_find_element (const char *text, gsize length, gsize from, gsize index,
                         gsize *value_start, gsize *value_length)
{
  gsize pos = keel__json_skip_space (text, length, from);
  if (pos >= length || text[pos] != '[')
    return FALSE;
  pos = keel__json_skip_space (text, length, pos + 1);
  for (gsize i = 0; pos < length && text[pos] != ']'; i++)
    {
      gsize end = skip_checked_value (text, length, pos);
      if (i == index)
        {
          *value_start = pos;
          *value_length = end - pos;
          return TRUE;
        }
      pos = keel__json_skip_space (text, length, end);
      if (pos >= length || text[pos] != ',')
        break;
      pos = keel__json_skip_space (text, length, pos + 1);
    }
  return FALSE;
}
