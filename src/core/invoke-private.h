/* invoke-private.h — the KeelInvoke record, shared by router.c and invoke.c. */
#pragma once

#include "router.h"

struct _KeelInvoke
{
  /* One reference for the answer, one held by the router while the handler
   * runs, so that a handler answering twice in a row meets the "answered"
   * flag instead of freed memory. */
  gint ref_count;
  KeelRouter *router;      /* holds a reference */
  char *command;
  json_t *args;            /* parsed on demand from args_text: keel_invoke_get_args() */
  GBytes *args_text;       /* the arguments' JSON text as the page sent it, or NULL */
  GBytes *body;            /* a binary request's bytes, else NULL */
  json_t *headers;         /* lower-case name → string; NULL when none were sent */
  char *window_label;
  char *webview_label;
  char *origin;
  char *url;
  gboolean local;
  json_t *scope_allow;     /* set by the permission check; NULL means none */
  json_t *scope_deny;
  guint64 page_id;
  KeelOutbox *outbox;      /* the calling page's, NULL for calls the core made */
  gint64 start_time;       /* monotonic, µs */

  KeelReplyFunc reply;
  gpointer reply_target;
  GDestroyNotify reply_target_free;

  /* The answer, set once by resolve/reject: a value, JSON text from
   * keel_invoke_resolve_raw() that is parsed only if a hook needs it, or
   * bytes from keel_invoke_resolve_bytes(). */
  gint answered;           /* atomic flag: a second answer is a programming error */
  gboolean ok;
  json_t *value;
  GBytes *raw;
  GBytes *bytes;           /* keel_invoke_resolve_bytes() */
};

/* Completes an answered invoke: marshals to the router's main context, runs
 * the response hooks, replies if the page is alive, frees the invoke. */
void keel__invoke_finish (KeelInvoke *invoke);
