/* json-scan.c — see json-scan.h. Each rule below mirrors one of jansson
 * 2.14's (src/load.c, src/utf.c); fuzz-json-scan checks they agree. */
#include "json-scan.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

/* Unescaped keys of the objects open now, each as its length (a gsize)
 * then its bytes. An object's keys come after those of the objects around
 * it and go when it closes, so one buffer serves them all; a small one on
 * the stack serves most messages without an allocation. */
typedef struct
{
  char *data;
  gsize length;
  gsize capacity;
  char inline_data[256];
} Keys;

typedef struct
{
  const char *text;
  gsize length;
  gsize pos;
} Scanner;

/* Above this many keys, an object's duplicates are looked for in a hash
 * table instead of by comparing each key with all before it. */
#define KEYS_COMPARED_IN_TURN 16

typedef struct
{
  gboolean object;
  gsize keys_from;       /* where its keys start in Keys */
  guint key_count;
  GHashTable *keys;      /* its keys, once there are too many to compare in turn */
} Frame;

static void
keys_init (Keys *keys)
{
  keys->data = keys->inline_data;
  keys->length = 0;
  keys->capacity = sizeof keys->inline_data;
}

static void
keys_clear (Keys *keys)
{
  if (keys->data != keys->inline_data)
    g_free (keys->data);
}

static void
keys_append (Keys *keys, const void *bytes, gsize count)
{
  if (keys->capacity - keys->length < count)
    {
      gsize capacity = MAX (keys->capacity * 2, keys->length + count);
      if (keys->data == keys->inline_data)
        {
          keys->data = g_malloc (capacity);
          memcpy (keys->data, keys->inline_data, keys->length);
        }
      else
        keys->data = g_realloc (keys->data, capacity);
      keys->capacity = capacity;
    }
  memcpy (keys->data + keys->length, bytes, count);
  keys->length += count;
}

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

/* A string at pos (its opening quote). With `key`, its unescaped bytes are
 * appended there, and a NUL (\u0000) fails: object keys cannot hold one. */
static gboolean
scan_string (Scanner *s, Keys *key)
{
  s->pos++;
  for (;;)
    {
      /* The common run: printable ASCII, nothing to decode. */
      gsize run = plain_run_end (s->text, s->pos, s->length);
      if (key != NULL)
        keys_append (key, s->text + s->pos, run - s->pos);
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
            keys_append (key, s->text + start, s->pos - start);
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
            keys_append (key, &to[found - from], 1);
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
          char utf8[6];
          keys_append (key, utf8, (gsize) g_unichar_to_utf8 ((gunichar) value, utf8));
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

/* The key whose entry starts at *at in `keys`: its bytes and (in *size)
 * their count; *at moves on to the next entry. */
static const char *
next_key (const Keys *keys, gsize *at, gsize *size)
{
  memcpy (size, keys->data + *at, sizeof *size);
  const char *key = keys->data + *at + sizeof *size;
  *at += sizeof *size + *size;
  return key;
}

/* Reads the key at s->pos (its opening quote) into the object's set in
 * `keys`; FALSE if it is not a valid key or was there already. */
static gboolean
scan_key (Scanner *s, Keys *keys, Frame *frame)
{
  gsize entry = keys->length;
  gsize size = 0;
  keys_append (keys, &size, sizeof size);
  if (!scan_string (s, keys))
    return FALSE;
  size = keys->length - entry - sizeof size;
  memcpy (keys->data + entry, &size, sizeof size);
  const char *key = keys->data + entry + sizeof size;

  if (frame->keys != NULL)
    {
      keys_append (keys, "", 1);
      key = keys->data + entry + sizeof size;
      gboolean added = !g_hash_table_contains (frame->keys, key)
                       && g_hash_table_add (frame->keys, g_strdup (key));
      keys->length = entry;
      return added;
    }
  for (gsize at = frame->keys_from; at < entry;)
    {
      gsize other_size;
      const char *other = next_key (keys, &at, &other_size);
      if (other_size == size && memcmp (other, key, size) == 0)
        return FALSE;
    }
  /* NUL-free (scan_string() refuses \u0000 in a key), so a key's bytes are
   * a C string once copied out. */
  if (++frame->key_count > KEYS_COMPARED_IN_TURN)
    {
      frame->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (gsize at = frame->keys_from; at < keys->length;)
        {
          gsize other_size;
          const char *other = next_key (keys, &at, &other_size);
          g_hash_table_add (frame->keys, g_strndup (other, other_size));
        }
      keys->length = frame->keys_from;
    }
  return TRUE;
}

/* Open containers: the first few on the stack, deeper ones on the heap. */
typedef struct
{
  Frame *frames;
  guint count;
  guint capacity;
  Frame inline_frames[32];
} Stack;

static Frame *
stack_push (Stack *stack, gboolean object, gsize keys_from)
{
  if (stack->count == stack->capacity)
    {
      guint capacity = stack->capacity * 2;
      if (stack->frames == stack->inline_frames)
        stack->frames = g_memdup2 (stack->inline_frames, sizeof stack->inline_frames);
      stack->frames = g_renew (Frame, stack->frames, capacity);
      stack->capacity = capacity;
    }
  Frame *frame = &stack->frames[stack->count++];
  *frame = (Frame){ object, keys_from, 0, NULL };
  return frame;
}

/* Closes the innermost container; its keys go. */
static void
stack_pop (Stack *stack, Keys *keys)
{
  Frame *frame = &stack->frames[--stack->count];
  g_clear_pointer (&frame->keys, g_hash_table_unref);
  keys->length = frame->keys_from;
}

static gboolean
scan (const char *text, gsize length, gboolean container_only, GArray *members)
{
  Keys keys;
  keys_init (&keys);
  Scanner s = { text, length, 0 };
  Stack stack;
  stack.frames = stack.inline_frames;
  stack.count = 0;
  stack.capacity = G_N_ELEMENTS (stack.inline_frames);
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
      if (s.pos >= length || stack.count + 1 > JSON_PARSER_MAX_DEPTH)
        goto done;
      if (members != NULL && stack.count == 1 && stack.frames[0].object)
        {
          member.value_start = s.pos;
          pending = TRUE;
        }

      char c = text[s.pos];
      gboolean opened = FALSE;
      if (c == '{' || c == '[')
        {
          stack_push (&stack, c == '{', keys.length);
          s.pos++;
          skip_space (&s);
          if (s.pos < length && text[s.pos] == (c == '{' ? '}' : ']'))
            {
              s.pos++;
              stack_pop (&stack, &keys);
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
              if (pending && stack.count == 1)
                {
                  member.value_length = s.pos - member.value_start;
                  g_array_append_val (members, member);
                  pending = FALSE;
                }
              skip_space (&s);
              if (stack.count == 0)
                {
                  ok = s.pos == length;
                  goto done;
                }
              if (s.pos >= length)
                goto done;
              Frame *top = &stack.frames[stack.count - 1];
              char next = text[s.pos++];
              if (next == (top->object ? '}' : ']'))
                {
                  stack_pop (&stack, &keys);
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
          Frame *top = &stack.frames[stack.count - 1];
          if (s.pos >= length || text[s.pos] != '"')
            goto done;
          gsize key_start = s.pos + 1;
          if (!scan_key (&s, &keys, top))
            goto done;
          if (members != NULL && stack.count == 1)
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
  while (stack.count > 0)
    stack_pop (&stack, &keys);
  if (stack.frames != stack.inline_frames)
    g_free (stack.frames);
  keys_clear (&keys);
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
  Keys decoded;
  keys_init (&decoded);
  Scanner s = { text, member->key_start + member->key_length + 1, member->key_start - 1 };
  gboolean equal = scan_string (&s, &decoded) && decoded.length == strlen (key)
                   && memcmp (decoded.data, key, decoded.length) == 0;
  keys_clear (&decoded);
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
