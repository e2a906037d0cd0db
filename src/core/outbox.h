/* outbox.h — what the core has to deliver to one page, in order, batched.
 *
 * Event deliveries and channel messages reach a page as records of data
 * that the bridge (src/bridge/bridge.js, __KEEL_INTERNALS__.deliver) turns
 * into calls of the page's callbacks. Handing WebKit one script per message
 * costs a round through it each, and a script of many calls costs the
 * page's JavaScript parser more than the calls themselves; a page's outbox
 * instead collects the records pushed during one main-loop iteration and
 * hands them to the shell as one batch, a string the bridge splits and reads
 * with JSON.parse. Records keep the order they were pushed in, so events and
 * channel messages to the same page keep their relative order.
 *
 * A batch is its records joined by KEEL_OUTBOX_SEPARATOR (U+001E, which no
 * record may hold; valid JSON text never does). Records, by first letter:
 *   v<handler>:<event id>[;<handler>:<event id>...],<event name>,<payload JSON>
 *                                     an event for those listeners
 *   m<callback>,<index>,<JSON text>   message <index> of a channel
 *   x<callback>,<index>               a message whose text was not UTF-8 JSON
 *   b<callback>,<index>,<base64>      bytes on a channel
 *   z<callback>,<index>               a channel's end
 * Numbers are decimal; event names never hold a comma (events.h).
 *
 * One outbox per page (one document in one window): the shell makes it when
 * the document commits and closes it when the page ends, which drops what
 * is still pending and makes every later push fail. Whoever still holds a
 * reference (a channel the app kept) then finds it closed; the memory goes
 * with the last reference.
 *
 * Threads: push, is_open, ref and unref from any thread; batches run on the
 * main context given at creation. new, flush and close on that context's
 * thread only. Platform-free: the shell supplies the function that hands a
 * batch to the page. */
#pragma once

#include <glib.h>

#define KEEL_OUTBOX_SEPARATOR '\x1e'

/* Hands a batch (transfer full, g_free() it; valid UTF-8, NUL-terminated)
 * to the page's bridge without waiting. */
typedef void (*KeelOutboxRunFunc) (gpointer target, char *batch, gsize length);

typedef struct _KeelOutbox KeelOutbox;

/* An open outbox whose batches go to run(target, ...) from `context`
 * (NULL: the global default context). */
KeelOutbox *keel__outbox_new (GMainContext *context, KeelOutboxRunFunc run, gpointer target);
KeelOutbox *keel__outbox_ref (KeelOutbox *outbox);
void keel__outbox_unref (KeelOutbox *outbox);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelOutbox, keel__outbox_unref)

/* Appends one record: `head` then, unless NULL, the first `body_length`
 * bytes of `body` (two parts, so that a large payload is copied once). Both
 * must be valid UTF-8 without KEEL_OUTBOX_SEPARATOR or NUL. Schedules a
 * batch on the context. FALSE, doing nothing, when the outbox is closed. */
gboolean keel__outbox_push (KeelOutbox *outbox, const char *head, const char *body,
                            gsize body_length);

/* Runs what is pending now, before the batch would have. The shell calls it
 * before anything else it sends the page (an invoke's answer, a script of
 * the app's), so that everything pushed earlier arrives first. */
void keel__outbox_flush (KeelOutbox *outbox);

/* The page has ended: what is pending is dropped, pushes fail from now on,
 * and the run function is never called again. */
void keel__outbox_close (KeelOutbox *outbox);
gboolean keel__outbox_is_open (KeelOutbox *outbox);

/* Batches run so far, for tests and measurements. */
guint keel__outbox_batch_count (KeelOutbox *outbox);
