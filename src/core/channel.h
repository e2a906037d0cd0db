/* channel.h — Tauri's Channel on the core's side.
 *
 * A page's Channel travels inside invoke arguments as "__CHANNEL__:<id>",
 * where id is the page's callback id (a random 32-bit number, see
 * bridge.js). A KeelChannel is bound to the page that sent it through that
 * page's outbox (outbox.h): messages go there as calls of the bridge's
 * channel functions, numbered from 0 so the page can put them in order, and
 * the end is one more number. The outbox closes with the page, and with it
 * the channel. */
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

/* Appends text as a double-quoted JavaScript string literal that is also a
 * JSON string: quotes, backslashes, control characters, U+2028 and U+2029
 * escaped, and each byte that is not part of valid UTF-8 replaced by
 * U+FFFD, so that nothing in `text` can end the literal or break the script
 * around it. */
void keel__js_string_append (GString *out, const char *text, gsize length);

/* Messages sent on a channel so far (its next index), for tests. */
guint64 keel__channel_sent_count (KeelChannel *channel);
