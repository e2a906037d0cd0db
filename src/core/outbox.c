/* outbox.c — a page's pending records, handed over as one batch per
 * main-loop iteration (see outbox.h). */
#include "outbox.h"

struct _KeelOutbox
{
  gint ref_count;
  GMainContext *context;
  KeelOutboxRunFunc run;
  gpointer target;    /* main thread only; NULL once closed */
  guint batches;      /* main thread only */

  GMutex lock;        /* guards what follows: pushes come from any thread */
  gboolean closed;
  gboolean scheduled; /* a batch source is attached and has not run yet */
  GString *pending;   /* NULL when nothing is pending */
};

KeelOutbox *
keel__outbox_new (GMainContext *context, KeelOutboxRunFunc run, gpointer target)
{
  KeelOutbox *outbox = g_new0 (KeelOutbox, 1);
  outbox->ref_count = 1;
  outbox->context = g_main_context_ref (context != NULL ? context : g_main_context_default ());
  outbox->run = run;
  outbox->target = target;
  g_mutex_init (&outbox->lock);
  return outbox;
}

KeelOutbox *
keel__outbox_ref (KeelOutbox *outbox)
{
  g_atomic_int_inc (&outbox->ref_count);
  return outbox;
}

void
keel__outbox_unref (KeelOutbox *outbox)
{
  if (outbox == NULL || !g_atomic_int_dec_and_test (&outbox->ref_count))
    return;
  if (outbox->pending != NULL)
    g_string_free (outbox->pending, TRUE);
  g_mutex_clear (&outbox->lock);
  g_main_context_unref (outbox->context);
  g_free (outbox);
}

static gboolean
run_batch (gpointer data)
{
  KeelOutbox *outbox = data;
  g_mutex_lock (&outbox->lock);
  outbox->scheduled = FALSE;
  g_mutex_unlock (&outbox->lock);
  keel__outbox_flush (outbox);
  return G_SOURCE_REMOVE;
}

gboolean
keel__outbox_push (KeelOutbox *outbox, const char *head, const char *body, gsize body_length)
{
  gboolean schedule = FALSE;
  g_mutex_lock (&outbox->lock);
  if (outbox->closed)
    {
      g_mutex_unlock (&outbox->lock);
      return FALSE;
    }
  if (outbox->pending == NULL)
    outbox->pending = g_string_sized_new (256);
  else
    g_string_append_c (outbox->pending, KEEL_OUTBOX_SEPARATOR);
  g_string_append (outbox->pending, head);
  if (body != NULL)
    g_string_append_len (outbox->pending, body, (gssize) body_length);
  if (!outbox->scheduled)
    outbox->scheduled = schedule = TRUE;
  g_mutex_unlock (&outbox->lock);

  if (schedule)
    {
      /* An idle source, not g_main_context_invoke(): even on the main thread
       * the record must wait for the batch, and from another thread the
       * batch must still leave from the main one. Default priority, like
       * invoke answers, so that a busy loop cannot starve deliveries. */
      GSource *source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, run_batch, keel__outbox_ref (outbox),
                             (GDestroyNotify) keel__outbox_unref);
      g_source_set_static_name (source, "[keel] page outbox");
      g_source_attach (source, outbox->context);
      g_source_unref (source);
    }
  return TRUE;
}

void
keel__outbox_flush (KeelOutbox *outbox)
{
  g_mutex_lock (&outbox->lock);
  GString *batch = g_steal_pointer (&outbox->pending);
  g_mutex_unlock (&outbox->lock);
  if (batch == NULL)
    return;
  /* target is cleared by close(), on this same thread: a batch stolen before
   * the page ended cannot be run after it. */
  if (outbox->target == NULL)
    {
      g_string_free (batch, TRUE);
      return;
    }
  outbox->batches++;
  gsize length = batch->len;
  outbox->run (outbox->target, g_string_free (batch, FALSE), length);
}

void
keel__outbox_close (KeelOutbox *outbox)
{
  g_mutex_lock (&outbox->lock);
  outbox->closed = TRUE;
  GString *dropped = g_steal_pointer (&outbox->pending);
  g_mutex_unlock (&outbox->lock);
  outbox->target = NULL;
  if (dropped != NULL)
    g_string_free (dropped, TRUE);
}

gboolean
keel__outbox_is_open (KeelOutbox *outbox)
{
  g_mutex_lock (&outbox->lock);
  gboolean open = !outbox->closed;
  g_mutex_unlock (&outbox->lock);
  return open;
}

guint
keel__outbox_batch_count (KeelOutbox *outbox)
{
  return outbox->batches;
}
