/* fanout.h — the clock of the fan-out workload, shared by the floor and
 * keel-bench so that both emit the same events at the same pace: only the
 * way each event reaches the pages differs. */
#pragma once

#include <glib.h>

/* Four windows, 10,000 events a second to each, for 10 s. */
#define FANOUT_WINDOWS 4
#define FANOUT_RATE 10000
#define FANOUT_SECONDS 10
/* Events go out in batches, one per tick: a timer per event would cost more
 * than the events and could not keep 10 kHz anyway. */
#define FANOUT_TICK_MS 10

/* Sends event @seq (1, 2, …) to every window. */
typedef void (*FanoutEmitFunc) (guint64 seq, gpointer user_data);
/* Tells every window that @total events were sent, in @seconds. */
typedef void (*FanoutDoneFunc) (guint64 total, double seconds, gpointer user_data);

/* Starts emitting on the main loop; @done is called once, after the last
 * event. Each tick sends as many events as are due since the start, so a late
 * tick catches up instead of lowering the rate. The timer has
 * g_timeout_add()'s default priority, as an app's would: WebKit dispatches
 * what arrives from its processes at G_PRIORITY_HIGH_IDLE, so while ticks run
 * late, messages from the pages (and answers to evaluated scripts) wait —
 * in both programs alike. */
void fanout_start (FanoutEmitFunc emit, FanoutDoneFunc done, gpointer user_data);
