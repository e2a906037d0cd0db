/* outbox.h — what the core has to run in one page, in order, batched.
 *
 * Event deliveries and channel messages reach a page as scripts run in its
 * main world. Running one script per message costs a round through WebKit
 * each; a page's outbox instead collects the pieces pushed during one
 * main-loop iteration and hands them to the shell as one script, in the
 * order they were pushed (so events and channel messages to the same page
 * keep their relative order).
 *
 * One outbox per page (one document in one window): the shell makes it when
 * the document commits and closes it when the page ends, which drops what
 * is still pending and makes every later push fail. Whoever still holds a
 * reference (a channel the app kept) then finds it closed; the memory goes
 * with the last reference.
 *
 * Threads: push, is_open, ref and unref from any thread; the batch runs on
 * the main context given at creation. new, flush and close on that
 * context's thread only. Platform-free: the shell supplies the function that
 * runs a script. */
#pragma once

#include <glib.h>

/* Runs a script in the page's main world without waiting for it. */
typedef void (*KeelOutboxRunFunc) (gpointer target, const char *script, gsize length);

typedef struct _KeelOutbox KeelOutbox;

/* An open outbox whose batches go to run(target, ...) from `context`
 * (NULL: the global default context). */
KeelOutbox *keel__outbox_new (GMainContext *context, KeelOutboxRunFunc run, gpointer target);
KeelOutbox *keel__outbox_ref (KeelOutbox *outbox);
void keel__outbox_unref (KeelOutbox *outbox);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelOutbox, keel__outbox_unref)

/* Appends one piece of script: `head` then, unless NULL, the first
 * `body_length` bytes of `body` (two parts, so that a large payload is
 * copied once). Each piece must be a complete statement ending in ';'.
 * Schedules a batch on the context. FALSE, doing nothing, when the outbox
 * is closed. */
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
