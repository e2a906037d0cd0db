/* trace.h — KEEL_TRACE=1 logs every IPC message to stderr: window, command,
 * outcome, duration. Read once; costs one branch when off. */
#pragma once

#include <glib.h>

gboolean keel__trace_enabled (void);
void keel__trace_invoke (const char *window_label, const char *command, const char *outcome,
                         gint64 duration_us);
