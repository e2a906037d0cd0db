/* channel.c — KeelChannel: numbered messages for one callback of one page,
 * written as records into the page's outbox (see outbox.h for the records). */
#include "channel.h"

#include <string.h>

#include "keel/keel-error.h"
#include "message.h"

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

/* Bytes travel as base64 in the batch, decoded by the bridge's
 * decodeBytes(). This and decodeBytes() are the only two places that know
 * it: a faster transport (a custom URI scheme the page fetches from) can
 * replace both without touching anything else. */
static char *
encode_bytes (const guint8 *data, gsize size)
{
  return g_base64_encode (data, size);
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

/* Queues the record <kind><id>,<index>[,<body>]. Takes the next number
 * only if the outbox took the record. */
static gboolean
send_record (KeelChannel *channel, char kind, const char *body, gsize body_length,
             gboolean closing)
{
  char head[64];
  gboolean sent = FALSE;
  g_mutex_lock (&channel->lock);
  if (!channel->closed)
    {
      g_snprintf (head, sizeof head, "%c%" G_GUINT32_FORMAT ",%" G_GUINT64_FORMAT "%s", kind,
                  channel->id, channel->next_index, body != NULL ? "," : "");
      sent = keel__outbox_push (channel->outbox, head, body, body_length);
      if (sent)
        channel->next_index++;
      channel->closed = closing;
    }
  g_mutex_unlock (&channel->lock);
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
  /* jansson writes UTF-8 and escapes every control character. */
  g_autofree char *text = keel__json_to_text (message);
  json_decref (message);
  return send_record (channel, 'm', text, strlen (text), FALSE);
}

gboolean
keel_channel_send_raw (KeelChannel *channel, const char *json_text)
{
  g_return_val_if_fail (channel != NULL && json_text != NULL, FALSE);
  if (!keel_channel_is_open (channel))
    return FALSE;
  /* Not parsed; only what would break the batch is looked for, in passes
   * far cheaper than a parse. Text that fails is not JSON anyway: valid JSON
   * is UTF-8 and holds no raw control character but white space. The page
   * is told, and the message keeps its number. */
  gsize length = strlen (json_text);
  if (!keel__text_is_c_string_utf8 (json_text, length)
      || memchr (json_text, KEEL_OUTBOX_SEPARATOR, length) != NULL)
    return send_record (channel, 'x', NULL, 0, FALSE);
  return send_record (channel, 'm', json_text, length, FALSE);
}

gboolean
keel_channel_send_bytes (KeelChannel *channel, GBytes *bytes)
{
  g_return_val_if_fail (channel != NULL && bytes != NULL, FALSE);
  if (!keel_channel_is_open (channel))
    return FALSE;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree char *text = encode_bytes (data, size);
  return send_record (channel, 'b', text, strlen (text), FALSE);
}

void
keel_channel_close (KeelChannel *channel)
{
  g_return_if_fail (channel != NULL);
  send_record (channel, 'z', NULL, 0, TRUE);
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
