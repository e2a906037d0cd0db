#include "trace.h"

#include <stdio.h>
#include <string.h>

gboolean
keel__trace_enabled (void)
{
  static gsize initialized = 0;
  static gboolean enabled = FALSE;
  if (g_once_init_enter (&initialized))
    {
      const char *value = g_getenv ("KEEL_TRACE");
      enabled = value != NULL && *value != '\0' && strcmp (value, "0") != 0;
      g_once_init_leave (&initialized, 1);
    }
  return enabled;
}

void
keel__trace_invoke (const char *window_label, const char *command, const char *outcome,
                    gint64 duration_us)
{
  /* One fprintf per line so lines from threads do not interleave. */
  fprintf (stderr, "keel-trace: [%s] %s -> %s (%" G_GINT64_FORMAT ".%03d ms)\n", window_label,
           command, outcome, duration_us / 1000, (int) (duration_us % 1000));
}
