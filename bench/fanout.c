#include "fanout.h"

typedef struct
{
  FanoutEmitFunc emit;
  FanoutDoneFunc done;
  gpointer user_data;
  gint64 start_us;
  guint64 sent;
} Fanout;

static gboolean
tick (gpointer data)
{
  Fanout *fanout = data;
  const guint64 total = (guint64) FANOUT_RATE * FANOUT_SECONDS;
  gint64 elapsed_us = g_get_monotonic_time () - fanout->start_us;
  guint64 due = MIN (total, (guint64) elapsed_us * FANOUT_RATE / G_USEC_PER_SEC);
  while (fanout->sent < due)
    fanout->emit (++fanout->sent, fanout->user_data);
  if (fanout->sent < total)
    return G_SOURCE_CONTINUE;
  elapsed_us = g_get_monotonic_time () - fanout->start_us;
  fanout->done (total, (double) elapsed_us / G_USEC_PER_SEC, fanout->user_data);
  return G_SOURCE_REMOVE;
}

void
fanout_start (FanoutEmitFunc emit, FanoutDoneFunc done, gpointer user_data)
{
  Fanout *fanout = g_new0 (Fanout, 1);
  fanout->emit = emit;
  fanout->done = done;
  fanout->user_data = user_data;
  fanout->start_us = g_get_monotonic_time ();
  g_timeout_add_full (G_PRIORITY_DEFAULT, FANOUT_TICK_MS, tick, fanout, g_free);
}
