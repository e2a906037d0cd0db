/* Unit tests of channels in src/core: the page outbox (outbox.c: batching,
 * order, flush, close, pushes from threads), channel ids and the records a
 * channel writes (channel.c), and keel_invoke_get_channel() through the
 * router with a fake page. No display: a "page" here is a list of the
 * batches its outbox handed over. Records are separated by U+001E, written
 * "|" in the expected batches below. */
#include <glib.h>
#include <string.h>

#include "channel.h"
#include "keel/keel-error.h"
#include "message.h"
#include "outbox.h"
#include "router.h"

static int fake_app_storage;
#define FAKE_APP ((KeelApp *) &fake_app_storage)

/* ---- a fake page ------------------------------------------------------- */

typedef struct
{
  GPtrArray *batches; /* scripts run, in order */
  GThread *thread;    /* where the last one ran */
} Page;

static void
page_run (gpointer target, char *batch, gsize length)
{
  Page *page = target;
  g_assert_cmpuint (strlen (batch), ==, length);
  g_assert_true (g_utf8_validate (batch, length, NULL));
  /* "|" for the separator, so that expected batches read well. */
  g_assert_null (strchr (batch, '|'));
  g_strdelimit (batch, "\x1e", '|');
  g_ptr_array_add (page->batches, batch);
  page->thread = g_thread_self ();
}

static void
page_init (Page *page)
{
  page->batches = g_ptr_array_new_with_free_func (g_free);
  page->thread = NULL;
}

static void
page_clear (Page *page)
{
  g_ptr_array_unref (page->batches);
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static const char *
batch (Page *page, guint i)
{
  g_assert_cmpuint (i, <, page->batches->len);
  return g_ptr_array_index (page->batches, i);
}

/* ---- the outbox -------------------------------------------------------- */

static void
test_outbox_batches (void)
{
  Page page;
  page_init (&page);
  KeelOutbox *outbox = keel__outbox_new (NULL, page_run, &page);
  g_assert_true (keel__outbox_is_open (outbox));

  /* Nothing runs at the push itself: records wait for the loop. */
  g_assert_true (keel__outbox_push (outbox, "a", NULL, 0));
  g_assert_true (keel__outbox_push (outbox, "b,", "1,2xxx", 3));
  g_assert_true (keel__outbox_push (outbox, "c", NULL, 0));
  g_assert_cmpuint (page.batches->len, ==, 0);
  iterate ();
  /* One batch per iteration, in push order. */
  g_assert_cmpuint (page.batches->len, ==, 1);
  g_assert_cmpstr (batch (&page, 0), ==, "a|b,1,2|c");
  g_assert_cmpuint (keel__outbox_batch_count (outbox), ==, 1);
  g_assert_true (page.thread == g_thread_self ());

  /* Nothing pending: nothing runs. */
  iterate ();
  keel__outbox_flush (outbox);
  g_assert_cmpuint (page.batches->len, ==, 1);

  /* flush runs what is pending at once; the batch source scheduled by the
   * push then finds nothing. */
  keel__outbox_push (outbox, "d", NULL, 0);
  keel__outbox_flush (outbox);
  g_assert_cmpuint (page.batches->len, ==, 2);
  g_assert_cmpstr (batch (&page, 1), ==, "d");
  iterate ();
  g_assert_cmpuint (page.batches->len, ==, 2);

  /* Pushed after that flush, with the old source still attached until it
   * ran: still one batch. */
  keel__outbox_push (outbox, "e", NULL, 0);
  keel__outbox_push (outbox, "f", NULL, 0);
  iterate ();
  g_assert_cmpuint (page.batches->len, ==, 3);
  g_assert_cmpstr (batch (&page, 2), ==, "e|f");

  keel__outbox_close (outbox);
  keel__outbox_unref (outbox);
  page_clear (&page);
}

static void
test_outbox_close (void)
{
  Page page;
  page_init (&page);
  KeelOutbox *outbox = keel__outbox_new (NULL, page_run, &page);
  KeelOutbox *held = keel__outbox_ref (outbox); /* as a channel holds it */

  keel__outbox_push (outbox, "pending", NULL, 0);
  keel__outbox_close (outbox);
  g_assert_false (keel__outbox_is_open (held));
  /* What was pending is dropped; later pushes fail; nothing ever runs. */
  g_assert_false (keel__outbox_push (held, "late", NULL, 0));
  iterate ();
  keel__outbox_flush (held);
  g_assert_cmpuint (page.batches->len, ==, 0);
  /* Closing twice is harmless. */
  keel__outbox_close (outbox);

  keel__outbox_unref (outbox);
  g_assert_false (keel__outbox_push (held, "later", NULL, 0));
  keel__outbox_unref (held);
  page_clear (&page);
}

/* ---- channel ids ------------------------------------------------------- */

static void
test_id_parse (void)
{
  const struct
  {
    const char *text;
    guint32 id;
  } valid[] = {
    { "__CHANNEL__:0", 0 },
    { "__CHANNEL__:1", 1 },
    { "__CHANNEL__:3735928559", 3735928559u },
    { "__CHANNEL__:4294967295", 4294967295u },
    { "__CHANNEL__:0000000007", 7 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr (GError) error = NULL;
      guint32 id = 12345;
      g_assert_true (keel__channel_id_parse (valid[i].text, strlen (valid[i].text), &id, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (id, ==, valid[i].id);
    }

  const char *shape = "expected \"__CHANNEL__:<id>\"";
  const char *number = "must be a decimal number from 0 to 4294967295";
  const struct
  {
    const char *text;
    gsize length; /* 0: strlen */
    const char *words[2];
  } invalid[] = {
    { "", 0, { "\"\" is not a channel", shape } },
    { "hello", 0, { "\"hello\" is not a channel", shape } },
    { "__channel__:1", 0, { "is not a channel", shape } },
    { "__CHANNEL__", 0, { "is not a channel", shape } },
    { " __CHANNEL__:1", 0, { "is not a channel", shape } },
    { "__CHANNEL__:", 0, { "\"__CHANNEL__:\" is not a channel", number } },
    { "__CHANNEL__:abc", 0, { "\"__CHANNEL__:abc\" is not a channel", number } },
    { "__CHANNEL__:12a", 0, { "is not a channel", number } },
    { "__CHANNEL__:-1", 0, { "is not a channel", number } },
    { "__CHANNEL__:+1", 0, { "is not a channel", number } },
    { "__CHANNEL__: 1", 0, { "is not a channel", number } },
    { "__CHANNEL__:1 ", 0, { "is not a channel", number } },
    { "__CHANNEL__:1.5", 0, { "is not a channel", number } },
    { "__CHANNEL__:0x10", 0, { "is not a channel", number } },
    { "__CHANNEL__:4294967296", 0, { "is not a channel", number } },
    { "__CHANNEL__:99999999999", 0, { "is not a channel", number } },
    { "__CHANNEL__:18446744073709551617", 0, { "is not a channel", number } },
    /* A NUL inside (JSON's \u0000): the id does not end there. */
    { "__CHANNEL__:1\0002", 15, { "\"__CHANNEL__:1\\000", number } },
    /* Quoted as ASCII, cut after 48 bytes. */
    { "\xff\xfe__CHANNEL__:1", 0, { "\"\\377\\376__CHANNEL__:1\" is not a channel", shape } },
    { "__CHANNEL__:111111111111111111111111111111111111111111111111111111", 0,
      { "\"__CHANNEL__:111111111111111111111111111111111111\"... is not", number } },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      gsize length = invalid[i].length != 0 ? invalid[i].length : strlen (invalid[i].text);
      g_test_message ("invalid channel %s", invalid[i].text);
      g_autoptr (GError) error = NULL;
      guint32 id = 12345;
      g_assert_false (keel__channel_id_parse (invalid[i].text, length, &id, &error));
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
      g_assert_cmpuint (id, ==, 12345);
      for (gsize w = 0; w < G_N_ELEMENTS (invalid[i].words); w++)
        if (invalid[i].words[w] != NULL && strstr (error->message, invalid[i].words[w]) == NULL)
          g_error ("\"%s\" lacks \"%s\"", error->message, invalid[i].words[w]);
    }
}

/* ---- channels ---------------------------------------------------------- */

typedef struct
{
  Page page;
  KeelOutbox *outbox;
} ChannelFixture;

static void
channel_set_up (ChannelFixture *f, gconstpointer data)
{
  page_init (&f->page);
  f->outbox = keel__outbox_new (NULL, page_run, &f->page);
}

static void
channel_tear_down (ChannelFixture *f, gconstpointer data)
{
  iterate ();
  keel__outbox_close (f->outbox);
  keel__outbox_unref (f->outbox);
  page_clear (&f->page);
}

static void
test_channel_script (ChannelFixture *f, gconstpointer data)
{
  KeelChannel *channel = keel__channel_new (f->outbox, 4294967295u);
  g_assert_true (keel_channel_is_open (channel));
  g_assert_true (keel_channel_send (channel, json_pack ("{s:i, s:s}", "n", 1, "s", "a\"b")));
  g_assert_true (keel_channel_send (channel, NULL));
  g_assert_true (keel_channel_send_raw (channel, "[1, 2, {\"x\": \"\\u0041\"}]\n"));
  /* Not JSON, but nothing that would break the batch: passed as is. */
  g_assert_true (keel_channel_send_raw (channel, "not json, \"\\"));
  /* What would break it goes as an "x" record, keeping its number. */
  g_assert_true (keel_channel_send_raw (channel, "\"a\x1e\""));
  g_assert_true (keel_channel_send_raw (channel, "\"\xff\""));
  guint8 data_bytes[] = { 0, 1, 2, 253, 254, 255 };
  g_autoptr (GBytes) bytes = g_bytes_new_static (data_bytes, sizeof data_bytes);
  g_assert_true (keel_channel_send_bytes (channel, bytes));
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  g_assert_true (keel_channel_send_bytes (channel, empty));
  keel_channel_close (channel);
  iterate ();

  g_assert_cmpuint (f->page.batches->len, ==, 1);
  g_assert_cmpstr (batch (&f->page, 0), ==,
                   "m4294967295,0,{\"n\":1,\"s\":\"a\\\"b\"}|"
                   "m4294967295,1,null|"
                   "m4294967295,2,[1, 2, {\"x\": \"\\u0041\"}]\n|"
                   "m4294967295,3,not json, \"\\|"
                   "x4294967295,4|"
                   "x4294967295,5|"
                   "b4294967295,6,AAEC/f7/|"
                   "b4294967295,7,|"
                   "z4294967295,8");
  g_assert_cmpuint (keel__channel_sent_count (channel), ==, 9);

  /* Closed: sends fail and add nothing; closing again does nothing. */
  g_assert_false (keel_channel_is_open (channel));
  g_assert_false (keel_channel_send (channel, json_true ()));
  g_assert_false (keel_channel_send_raw (channel, "1"));
  g_assert_false (keel_channel_send_bytes (channel, bytes));
  keel_channel_close (channel);
  keel_channel_unref (channel);
  iterate ();
  g_assert_cmpuint (f->page.batches->len, ==, 1);
}

static void
test_channel_dies_with_page (ChannelFixture *f, gconstpointer data)
{
  KeelChannel *channel = keel__channel_new (f->outbox, 7);
  KeelChannel *kept = keel_channel_ref (channel);
  g_assert_true (keel_channel_send (channel, json_integer (1)));
  /* The page ends before the batch runs: that message is dropped too. */
  keel__outbox_close (f->outbox);
  g_assert_false (keel_channel_is_open (channel));
  g_assert_false (keel_channel_send (channel, json_integer (2)));
  g_assert_false (keel_channel_send_raw (channel, "3"));
  g_autoptr (GBytes) bytes = g_bytes_new_static ("x", 1);
  g_assert_false (keel_channel_send_bytes (channel, bytes));
  keel_channel_close (channel);
  iterate ();
  g_assert_cmpuint (f->page.batches->len, ==, 0);
  keel_channel_unref (channel);
  keel_channel_unref (kept);
}

static void
test_channel_unref_ends (ChannelFixture *f, gconstpointer data)
{
  KeelChannel *channel = keel__channel_new (f->outbox, 9);
  KeelChannel *second = keel_channel_ref (channel);
  keel_channel_send (channel, json_string ("last"));
  keel_channel_unref (channel);
  g_assert_true (keel_channel_is_open (second)); /* one reference is left */
  keel_channel_unref (second);
  iterate ();
  g_assert_cmpuint (f->page.batches->len, ==, 1);
  g_assert_cmpstr (batch (&f->page, 0), ==, "m9,0,\"last\"|z9,1");
  keel_channel_unref (NULL);
}

/* Events and channel messages share the page's outbox: their order is the
 * order of the calls. */
static void
test_channel_interleaves_with_events (ChannelFixture *f, gconstpointer data)
{
  g_autoptr (KeelChannel) channel = keel__channel_new (f->outbox, 3);
  keel__outbox_push (f->outbox, "v1:1,e,1", NULL, 0);
  keel_channel_send_raw (channel, "1");
  keel__outbox_push (f->outbox, "v1:1,e,2", NULL, 0);
  keel_channel_send (channel, json_integer (2));
  iterate ();
  g_assert_cmpstr (batch (&f->page, 0), ==, "v1:1,e,1|m3,0,1|v1:1,e,2|m3,1,2");
}

#define THREADS 4
#define PER_THREAD 5000

static gint senders_done;

static gpointer
send_many (gpointer data)
{
  KeelChannel *channel = data;
  for (int i = 0; i < PER_THREAD; i++)
    {
      g_autofree char *text = g_strdup_printf ("[\"%p\",%d]", (void *) g_thread_self (), i);
      g_assert_true (keel_channel_send_raw (channel, text));
    }
  keel_channel_unref (channel);
  g_atomic_int_inc (&senders_done);
  return NULL;
}

/* Sends from several threads at once: every message arrives once, numbered
 * in the order the outbox got them, each thread's in the order it sent
 * them, and every script runs on the main context's thread. */
static void
test_channel_threads (ChannelFixture *f, gconstpointer data)
{
  g_autoptr (KeelChannel) channel = keel__channel_new (f->outbox, 11);
  GThread *threads[THREADS];
  for (int t = 0; t < THREADS; t++)
    threads[t] = g_thread_new ("sender", send_many, keel_channel_ref (channel));
  /* Batches run meanwhile, as the main loop would run them. */
  while (g_atomic_int_get (&senders_done) < THREADS)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (100);
  for (int t = 0; t < THREADS; t++)
    g_thread_join (threads[t]);
  iterate ();
  g_test_message ("%u batches", f->page.batches->len);
  g_assert_true (f->page.thread == g_thread_self ());

  GHashTable *last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint64 expected_index = 0;
  for (guint b = 0; b < f->page.batches->len; b++)
    {
      g_auto (GStrv) records = g_strsplit (batch (&f->page, b), "|", -1);
      for (guint r = 0; records[r] != NULL; r++)
        {
          /* m11,<index>,["<thread>",<n>] */
          const char *p = records[r];
          g_assert_true (g_str_has_prefix (p, "m11,"));
          char *end;
          guint64 index = g_ascii_strtoull (p + 4, &end, 10);
          g_assert_cmpuint (index, ==, expected_index);
          expected_index++;
          g_assert_true (g_str_has_prefix (end, ",[\""));
          const char *quote = strchr (end + 3, '"');
          g_autofree char *sender = g_strndup (end + 3, quote - (end + 3));
          int n = (int) g_ascii_strtoll (quote + 2, &end, 10);
          gpointer previous;
          if (g_hash_table_lookup_extended (last, sender, NULL, &previous))
            g_assert_cmpint (n, ==, GPOINTER_TO_INT (previous) + 1);
          else
            g_assert_cmpint (n, ==, 0);
          g_hash_table_replace (last, g_strdup (sender), GINT_TO_POINTER (n));
          g_assert_cmpstr (end, ==, "]");
        }
    }
  g_assert_cmpuint (expected_index, ==, THREADS * PER_THREAD);
  g_assert_cmpuint (g_hash_table_size (last), ==, THREADS);
  g_hash_table_unref (last);
}

/* ---- keel_invoke_get_channel through the router ------------------------ */

typedef struct
{
  KeelRouter *router;
  Page page;
  KeelOutbox *outbox;
  GPtrArray *replies;
  KeelChannel *channel; /* kept by the "stream" command */
} InvokeFixture;

static void
fixture_reply (gpointer target, gboolean ok, GBytes *json_text, GBytes *bytes)
{
  g_assert_null (bytes);
  InvokeFixture *f = target;
  g_ptr_array_add (f->replies,
                   g_strdup_printf ("%c%.*s", ok ? 'o' : 'e', (int) g_bytes_get_size (json_text),
                                    (const char *) g_bytes_get_data (json_text, NULL)));
}

/* stream {onEvent}: answers the channel's error, or sends "hello" on it,
 * keeps it, and answers null. */
static void
stream_command (KeelInvoke *invoke, gpointer data)
{
  InvokeFixture *f = data;
  g_autoptr (GError) error = NULL;
  KeelChannel *channel = keel_invoke_get_channel (invoke, "onEvent", &error);
  if (channel == NULL)
    {
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
      keel_invoke_reject (invoke, "invalid_args", "%s", error->message);
      return;
    }
  keel_channel_send (channel, json_string ("hello"));
  g_clear_pointer (&f->channel, keel_channel_unref);
  f->channel = channel;
  keel_invoke_resolve (invoke, NULL);
}

static void
invoke_set_up (InvokeFixture *f, gconstpointer data)
{
  f->router = keel__router_new (FAKE_APP, NULL);
  page_init (&f->page);
  f->outbox = keel__outbox_new (NULL, page_run, &f->page);
  f->replies = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpuint (keel__router_page_opened (f->router), ==, 1);
  keel__router_register (f->router, "stream", stream_command, f, NULL);
}

static void
invoke_tear_down (InvokeFixture *f, gconstpointer data)
{
  iterate ();
  g_clear_pointer (&f->channel, keel_channel_unref);
  keel__router_free (f->router);
  keel__outbox_close (f->outbox);
  keel__outbox_unref (f->outbox);
  g_ptr_array_unref (f->replies);
  page_clear (&f->page);
}

static const char *
call (InvokeFixture *f, KeelOutbox *outbox, const char *message)
{
  KeelCaller caller = {
    .window_label = "main",
    .webview_label = "main",
    .origin = "keel://localhost",
    .page_id = 1,
    .outbox = outbox,
    .reply = fixture_reply,
    .reply_target = f,
  };
  guint before = f->replies->len;
  keel__router_dispatch_text (f->router, &caller, message, strlen (message), NULL);
  while (f->replies->len == before)
    g_main_context_iteration (NULL, TRUE);
  return g_ptr_array_index (f->replies, f->replies->len - 1);
}

static void
test_invoke_channel (InvokeFixture *f, gconstpointer data)
{
  g_assert_cmpstr (call (f, f->outbox, "{\"cmd\":\"stream\",\"args\":{\"onEvent\":\"__CHANNEL__:42\"}}"),
                   ==, "onull");
  iterate ();
  g_assert_cmpuint (f->page.batches->len, ==, 1);
  g_assert_cmpstr (batch (&f->page, 0), ==, "m42,0,\"hello\"");

  /* The channel outlives its invoke. */
  g_assert_true (keel_channel_send (f->channel, json_integer (2)));
  g_clear_pointer (&f->channel, keel_channel_unref);
  iterate ();
  g_assert_cmpstr (batch (&f->page, 1), ==, "m42,1,2|z42,2");
}

static void
test_invoke_channel_invalid (InvokeFixture *f, gconstpointer data)
{
  const char *words = "a Channel (the string \\\"__CHANNEL__:<id>\\\" that a Channel from "
                      "@tauri-apps/api/core becomes in invoke arguments)";
  const struct
  {
    const char *args;
    const char *message;
  } cases[] = {
    { "{}", "command \\\"stream\\\" is missing argument \\\"onEvent\\\" (%s)" },
    { "{\"onEvent\":null}", "command \\\"stream\\\" is missing argument \\\"onEvent\\\" (%s)" },
    { "{\"onEvent\":12}", "command \\\"stream\\\": argument \\\"onEvent\\\" must be %s, got an integer" },
    { "{\"onEvent\":{\"id\":1}}", "command \\\"stream\\\": argument \\\"onEvent\\\" must be %s, got an object" },
    { "[\"__CHANNEL__:1\"]", "command \\\"stream\\\" takes its arguments as an object with \\\"onEvent\\\" (%s); got an array" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = g_strdup_printf ("{\"cmd\":\"stream\",\"args\":%s}", cases[i].args);
      g_autofree char *expected_message = g_strdup_printf (cases[i].message, words);
      g_autofree char *expected
        = g_strdup_printf ("e{\"code\":\"invalid_args\",\"message\":\"%s\"}", expected_message);
      g_assert_cmpstr (call (f, f->outbox, message), ==, expected);
    }

  const char *forged[] = { "hello", "__CHANNEL__:abc", "__CHANNEL__:-3", "__CHANNEL__:4294967296" };
  for (gsize i = 0; i < G_N_ELEMENTS (forged); i++)
    {
      g_autofree char *message = g_strdup_printf (
        "{\"cmd\":\"stream\",\"args\":{\"onEvent\":\"%s\"}}", forged[i]);
      const char *reply = call (f, f->outbox, message);
      g_autofree char *start = g_strdup_printf (
        "e{\"code\":\"invalid_args\",\"message\":\"command \\\"stream\\\": argument \\\"onEvent\\\": "
        "\\\"%s\\\" is not a channel: ",
        forged[i]);
      if (!g_str_has_prefix (reply, start))
        g_error ("%s does not start with %s", reply, start);
    }

  /* A call the core made itself has no page to stream to. */
  const char *reply = call (f, NULL, "{\"cmd\":\"stream\",\"args\":{\"onEvent\":\"__CHANNEL__:5\"}}");
  g_assert_nonnull (strstr (reply, "this call came from no page"));
  iterate ();
  g_assert_cmpuint (f->page.batches->len, ==, 0);
}

/* The page went before the handler asked for its channel: it comes back
 * closed, and nothing reaches any page. */
static void
test_invoke_channel_page_gone (InvokeFixture *f, gconstpointer data)
{
  keel__outbox_close (f->outbox);
  g_assert_cmpstr (call (f, f->outbox, "{\"cmd\":\"stream\",\"args\":{\"onEvent\":\"__CHANNEL__:8\"}}"),
                   ==, "onull");
  g_assert_nonnull (f->channel);
  g_assert_false (keel_channel_is_open (f->channel));
  iterate ();
  g_assert_cmpuint (f->page.batches->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/channel/outbox/batches", test_outbox_batches);
  g_test_add_func ("/channel/outbox/close", test_outbox_close);
  g_test_add_func ("/channel/id/parse", test_id_parse);
#define ADD(path, func)                                                                          \
  g_test_add ("/channel/" path, ChannelFixture, NULL, channel_set_up, func, channel_tear_down)
  ADD ("script", test_channel_script);
  ADD ("dies-with-page", test_channel_dies_with_page);
  ADD ("unref-ends", test_channel_unref_ends);
  ADD ("interleaves-with-events", test_channel_interleaves_with_events);
  ADD ("threads", test_channel_threads);
#undef ADD
#define ADD(path, func)                                                                          \
  g_test_add ("/channel/invoke/" path, InvokeFixture, NULL, invoke_set_up, func, invoke_tear_down)
  ADD ("get", test_invoke_channel);
  ADD ("invalid", test_invoke_channel_invalid);
  ADD ("page-gone", test_invoke_channel_page_gone);
#undef ADD
  return g_test_run ();
}
