/* channel.c — KeelChannel: numbered messages for one callback of one page,
 * written as calls of the bridge's channel functions into the page's outbox. */
#include "channel.h"

#include <string.h>

#include "keel/keel-error.h"
#include "message.h"

/* The bridge's entry points (src/bridge/bridge.js, __KEEL_INTERNALS__). */
#define BRIDGE "window.__KEEL_INTERNALS__."

struct _KeelChannel
{
  gint ref_count;
  guint32 id;
  KeelOutbox *outbox;

  /* Held from taking a message's number until it is in the outbox, so that
   * messages from several threads enter it in the order of their numbers. */
  GMutex lock;
  guint64 next_index;
  gboolean closed;
};

gboolean
keel__channel_id_parse (const char *text, gsize length, guint32 *id, GError **error)
{
  const gsize prefix = strlen (KEEL_CHANNEL_PREFIX);
  const char *problem = NULL;
  guint64 value = 0;
  if (length < prefix || memcmp (text, KEEL_CHANNEL_PREFIX, prefix) != 0)
    problem = "expected \"" KEEL_CHANNEL_PREFIX "<id>\", the string a Channel from "
              "@tauri-apps/api/core turns into";
  else if (length == prefix || length - prefix > 10)
    problem = "the id after \"" KEEL_CHANNEL_PREFIX "\" must be a decimal number from 0 to "
              "4294967295";
  for (gsize i = prefix; problem == NULL && i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        problem = "the id after \"" KEEL_CHANNEL_PREFIX "\" must be a decimal number from 0 to "
                  "4294967295";
      else
        value = value * 10 + (guint64) (text[i] - '0');
    }
  if (problem == NULL && value > G_MAXUINT32)
    problem = "the id after \"" KEEL_CHANNEL_PREFIX "\" must be a decimal number from 0 to "
              "4294967295";
  if (problem != NULL)
    {
      /* Quoted as ASCII, octal escapes as g_strescape() writes them, and
       * cut: the text is the page's and may hold anything, NULs included. */
      GString *shown = g_string_new (NULL);
      for (gsize i = 0; i < MIN (length, 48); i++)
        {
          guchar c = (guchar) text[i];
          if (c == '"' || c == '\\')
            g_string_append_printf (shown, "\\%c", c);
          else if (c >= 0x20 && c < 0x7f)
            g_string_append_c (shown, (char) c);
          else
            g_string_append_printf (shown, "\\%03o", c);
        }
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID, "\"%s\"%s is not a channel: %s",
                   shown->str, length > 48 ? "..." : "", problem);
      g_string_free (shown, TRUE);
      return FALSE;
    }
  *id = (guint32) value;
  return TRUE;
}

void
keel__js_string_append (GString *out, const char *text, gsize length)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *p = (const guchar *) text;
  const guchar *end = p + length;
  const guchar *run = p; /* start of bytes not yet copied */
  g_string_append_c (out, '"');
  while (p < end)
    {
      guchar c = *p;
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
        {
          p++;
          continue;
        }
      g_string_append_len (out, (const char *) run, p - run);
      if (c < 0x80)
        {
          switch (c)
            {
            case '"': g_string_append (out, "\\\""); break;
            case '\\': g_string_append (out, "\\\\"); break;
            case '\n': g_string_append (out, "\\n"); break;
            case '\r': g_string_append (out, "\\r"); break;
            case '\t': g_string_append (out, "\\t"); break;
            default:
              g_string_append (out, "\\u00");
              g_string_append_c (out, hex[c >> 4]);
              g_string_append_c (out, hex[c & 15]);
            }
          p++;
        }
      else
        {
          gunichar ch = g_utf8_get_char_validated ((const char *) p, end - p);
          if (ch == (gunichar) -1 || ch == (gunichar) -2)
            {
              g_string_append (out, "\\ufffd");
              p++;
            }
          else
            {
              gsize n = (gsize) g_utf8_skip[c];
              /* Line separators: allowed in string literals since ES2019,
               * escaped anyway as JSON writers commonly do. */
              if (ch == 0x2028 || ch == 0x2029)
                g_string_append (out, ch == 0x2028 ? "\\u2028" : "\\u2029");
              else
                g_string_append_len (out, (const char *) p, (gssize) n);
              p += n;
            }
        }
      run = p;
    }
  g_string_append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
}

/* Bytes travel as base64 in the script, decoded by the bridge's
 * decodeBytes(). This and decodeBytes() are the only two places that know
 * it: a faster transport (a custom URI scheme the page fetches from) can
 * replace both without touching anything else. */
static void
append_bytes_literal (GString *out, const guint8 *data, gsize size)
{
  gsize start = out->len;
  g_string_set_size (out, start + 1 + (size / 3 + 1) * 4 + 4 + 1);
  char *p = out->str + start;
  *p++ = '"';
  gint state = 0, save = 0;
  gsize n = g_base64_encode_step (data, size, FALSE, p, &state, &save);
  n += g_base64_encode_close (FALSE, p + n, &state, &save);
  p[n] = '"';
  g_string_truncate (out, start + 1 + n + 1);
}

KeelChannel *
keel__channel_new (KeelOutbox *outbox, guint32 id)
{
  KeelChannel *channel = g_new0 (KeelChannel, 1);
  channel->ref_count = 1;
  channel->id = id;
  channel->outbox = keel__outbox_ref (outbox);
  g_mutex_init (&channel->lock);
  return channel;
}

KeelChannel *
keel_channel_ref (KeelChannel *channel)
{
  g_return_val_if_fail (channel != NULL, NULL);
  g_atomic_int_inc (&channel->ref_count);
  return channel;
}

void
keel_channel_unref (KeelChannel *channel)
{
  if (channel == NULL || !g_atomic_int_dec_and_test (&channel->ref_count))
    return;
  /* As in Tauri, dropping the channel ends it: the page's callback goes. */
  keel_channel_close (channel);
  keel__outbox_unref (channel->outbox);
  g_mutex_clear (&channel->lock);
  g_free (channel);
}

/* Queues BRIDGE function(id,index<tail>; tail is either "," + an argument +
 * ");" or ");". Takes the next number only if the outbox took the piece. */
static gboolean
send_piece (KeelChannel *channel, const char *function, const char *tail, gsize tail_length,
            gboolean closing)
{
  char head[96];
  gboolean sent = FALSE;
  g_mutex_lock (&channel->lock);
  if (!channel->closed)
    {
      g_snprintf (head, sizeof head, BRIDGE "%s(%" G_GUINT32_FORMAT ",%" G_GUINT64_FORMAT,
                  function, channel->id, channel->next_index);
      sent = keel__outbox_push (channel->outbox, head, tail, tail_length);
      if (sent)
        channel->next_index++;
      channel->closed = closing;
    }
  g_mutex_unlock (&channel->lock);
  return sent;
}

static gboolean
send_text (KeelChannel *channel, const char *text, gsize length)
{
  GString *tail = g_string_sized_new (length + 16);
  g_string_append_c (tail, ',');
  keel__js_string_append (tail, text, length);
  g_string_append (tail, ");");
  gboolean sent = send_piece (channel, "message", tail->str, tail->len, FALSE);
  g_string_free (tail, TRUE);
  return sent;
}

gboolean
keel_channel_send (KeelChannel *channel, json_t *message)
{
  g_return_val_if_fail (channel != NULL, FALSE);
  /* A dead channel costs no encoding: streams that outlive their page stop
   * cheaply. */
  if (!keel_channel_is_open (channel))
    {
      json_decref (message);
      return FALSE;
    }
  g_autofree char *text = keel__json_to_text (message);
  json_decref (message);
  return send_text (channel, text, strlen (text));
}

gboolean
keel_channel_send_raw (KeelChannel *channel, const char *json_text)
{
  g_return_val_if_fail (channel != NULL && json_text != NULL, FALSE);
  if (!keel_channel_is_open (channel))
    return FALSE;
  return send_text (channel, json_text, strlen (json_text));
}

gboolean
keel_channel_send_bytes (KeelChannel *channel, GBytes *bytes)
{
  g_return_val_if_fail (channel != NULL && bytes != NULL, FALSE);
  if (!keel_channel_is_open (channel))
    return FALSE;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  GString *tail = g_string_sized_new (size / 3 * 4 + 16);
  g_string_append_c (tail, ',');
  append_bytes_literal (tail, data, size);
  g_string_append (tail, ");");
  gboolean sent = send_piece (channel, "bytes", tail->str, tail->len, FALSE);
  g_string_free (tail, TRUE);
  return sent;
}

void
keel_channel_close (KeelChannel *channel)
{
  g_return_if_fail (channel != NULL);
  send_piece (channel, "end", ");", 2, TRUE);
}

gboolean
keel_channel_is_open (KeelChannel *channel)
{
  g_return_val_if_fail (channel != NULL, FALSE);
  g_mutex_lock (&channel->lock);
  gboolean open = !channel->closed;
  g_mutex_unlock (&channel->lock);
  return open && keel__outbox_is_open (channel->outbox);
}

guint64
keel__channel_sent_count (KeelChannel *channel)
{
  g_mutex_lock (&channel->lock);
  guint64 count = channel->next_index;
  g_mutex_unlock (&channel->lock);
  return count;
}
