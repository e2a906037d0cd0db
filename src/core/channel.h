/* channel.h — Tauri's Channel on the core's side.
 *
 * A page's Channel travels inside invoke arguments as "__CHANNEL__:<id>",
 * where id is the page's callback id (a random 32-bit number, see
 * bridge.js). A KeelChannel is bound to the page that sent it through that
 * page's outbox (outbox.h): its messages go there as records numbered from
 * 0, so the page can put them in order, and the end is one more number.
 * The outbox closes with the page, and with it the channel. */
#pragma once

#include <glib.h>

#include "keel/keel-channel.h"
#include "outbox.h"

#define KEEL_CHANNEL_PREFIX "__CHANNEL__:"

/* Parses the string a page sends for a Channel (untrusted: it is an invoke
 * argument; `length` bytes, which may hold NULs). FALSE with a
 * KEEL_ERROR_INVALID that quotes the beginning of the text and says what a
 * channel looks like. */
gboolean keel__channel_id_parse (const char *text, gsize length, guint32 *id, GError **error);

/* A channel that sends to callback `id` of the page whose outbox this is. */
KeelChannel *keel__channel_new (KeelOutbox *outbox, guint32 id);

/* Messages sent on a channel so far (its next index), for tests. */
guint64 keel__channel_sent_count (KeelChannel *channel);
