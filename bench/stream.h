/* stream.h — the channel workloads, shared by the floor and keel-bench so
 * that both stream the same messages and the same bytes. */
#pragma once

#include <glib.h>

/* chan100k: small JSON messages {"seq": 1, 2, …}. */
#define STREAM_MESSAGES 100000
/* chan64m: bytes, sent in chunks (Keel) or as one response body that WebKit
 * hands the page in chunks of its own (the floor). */
#define STREAM_BYTES (64u << 20)
#define STREAM_CHUNK (64u << 10)

/* The stream's bytes: byte i is (i * 31 + (i >> 11)) & 255, which the page
 * checks at the start of every chunk it receives. */
static inline GBytes *
stream_bytes (void)
{
  guint8 *data = g_malloc (STREAM_BYTES);
  for (guint64 i = 0; i < STREAM_BYTES; i++)
    data[i] = (guint8) ((i * 31 + (i >> 11)) & 255);
  return g_bytes_new_take (data, STREAM_BYTES);
}
