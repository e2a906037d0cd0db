/* keel-channel.h — channels: a stream of messages from a command to a page.
 *
 * A page makes a `Channel` (from `@tauri-apps/api/core`) and passes it as an
 * argument of a command: `invoke('download', {url, onProgress: channel})`.
 * It travels as the string "__CHANNEL__:<id>"; the handler turns it into a
 * #KeelChannel with keel_invoke_get_channel() and sends on it, during the
 * call or long after it was answered, until it closes the channel. The page's
 * `channel.onmessage` receives every message once, in the order sent.
 *
 * A channel belongs to the page that made it. When that page goes —
 * navigation, reload, a crash of its web process, its window closing — the
 * channel is dead: every send returns %FALSE and does nothing, and nothing
 * ever reaches the next document in that window.
 *
 * Threads: every function here may be called from any thread. Messages are
 * delivered from the app's main loop; those sent from one thread arrive in
 * the order that thread sent them. See docs/ipc.md, "Channels". */
#pragma once

#include <jansson.h>

#include "keel-command.h"

G_BEGIN_DECLS

/**
 * KeelChannel:
 *
 * The sending end of a page's `Channel`. Reference-counted: keep it with
 * keel_channel_ref() for as long as you stream. When the last reference goes
 * on an open channel, the channel is closed first (the page hears the end,
 * as with keel_channel_close()).
 */
typedef struct _KeelChannel KeelChannel;

/**
 * keel_invoke_get_channel:
 * @invoke: a call, not answered yet.
 * @key: the name of the argument that holds the channel.
 * @error: return location for an error.
 *
 * Reads a `Channel` argument. Unlike the keel_invoke_arg_*() helpers it
 * does not answer the invoke on failure: reject it yourself, typically with
 * `keel_invoke_reject (invoke, "invalid_args", "%s", error->message)`.
 * Callable from any thread before the invoke is answered. The channel stays
 * valid after the invoke is answered.
 *
 * If the calling page has already gone, the channel is returned closed.
 *
 * Each call makes a new #KeelChannel that numbers its messages from 0, so a
 * page's `Channel` serves one command: passed to a second one, its
 * numbering starts over (as in Tauri).
 *
 * Returns: (transfer full) (nullable): a new reference to the channel, or
 *   %NULL with @error set (%KEEL_ERROR_INVALID) when the argument is missing
 *   or is not a string "__CHANNEL__:<id>" with a decimal id below 2^32;
 *   the message names the command, the argument and what was expected.
 */
KEEL_API KeelChannel *keel_invoke_get_channel (KeelInvoke *invoke, const char *key,
                                               GError **error);

/**
 * keel_channel_ref:
 * @channel: a channel.
 *
 * Returns: (transfer full): @channel, with one more reference.
 */
KEEL_API KeelChannel *keel_channel_ref (KeelChannel *channel);

/**
 * keel_channel_unref:
 * @channel: (nullable) (transfer full): a channel.
 *
 * Drops a reference. The last one closes the channel if it is still open
 * (see keel_channel_close()) and frees it.
 */
KEEL_API void keel_channel_unref (KeelChannel *channel);

/**
 * keel_channel_send:
 * @channel: a channel.
 * @message: (transfer full) (nullable): the message; %NULL means JSON null.
 *
 * Sends a JSON value; it reaches `onmessage` as the value `JSON.parse()`
 * would make of its text. The value is encoded on the calling thread, now.
 *
 * Returns: %TRUE when the message was queued for the page; %FALSE when the
 *   channel is closed or its page has gone (the message is dropped). A
 *   message queued just before the page goes is dropped too.
 */
KEEL_API gboolean keel_channel_send (KeelChannel *channel, json_t *message);

/**
 * keel_channel_send_raw:
 * @channel: a channel.
 * @json_text: a complete JSON text, in UTF-8.
 *
 * Like keel_channel_send() for a message the caller already holds as JSON
 * text: the core passes it to the page without parsing it (the page parses
 * it once). The text is trusted: if it is not valid JSON, the page logs an
 * error and `onmessage` gets null for it; it never runs as code.
 *
 * Returns: %TRUE when queued, %FALSE when the channel is closed or its page
 *   has gone.
 */
KEEL_API gboolean keel_channel_send_raw (KeelChannel *channel, const char *json_text);

/**
 * keel_channel_send_bytes:
 * @channel: a channel.
 * @bytes: (transfer none): the data.
 *
 * Sends binary data; `onmessage` gets an `ArrayBuffer` holding a copy of it.
 * The caller keeps its reference to @bytes.
 *
 * Returns: %TRUE when queued, %FALSE when the channel is closed or its page
 *   has gone.
 */
KEEL_API gboolean keel_channel_send_bytes (KeelChannel *channel, GBytes *bytes);

/**
 * keel_channel_close:
 * @channel: a channel.
 *
 * Ends the stream: after the messages already sent, the page's `Channel`
 * hears the end and unregisters its callback; `onmessage` is not called
 * again. Later sends return %FALSE. Closing twice does nothing.
 */
KEEL_API void keel_channel_close (KeelChannel *channel);

/**
 * keel_channel_is_open:
 * @channel: a channel.
 *
 * Returns: %TRUE until the channel is closed or its page goes.
 */
KEEL_API gboolean keel_channel_is_open (KeelChannel *channel);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelChannel, keel_channel_unref)

G_END_DECLS
