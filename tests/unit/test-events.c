/* Unit tests of src/core/events.c: Tauri's event targets and how they
 * match, event names, and the bus that turns an emit into one record per
 * listening page and into calls of C listeners. */
#include <glib.h>
#include <string.h>

#include "events.h"
#include "keel/keel-error.h"
#include "message.h"
#include "outbox.h"

static int fake_app_storage;
#define FAKE_APP ((KeelApp *) &fake_app_storage)

/* ---- targets ----------------------------------------------------------- */

static void
test_target_parse_valid (void)
{
  const struct
  {
    const char *json;
    KeelEventTargetKind kind;
    const char *label;
  } cases[] = {
    { "{\"kind\": \"Any\"}", KEEL_EVENT_TARGET_ANY, NULL },
    /* A label on a kind without one is ignored. */
    { "{\"kind\": \"Any\", \"label\": \"x\"}", KEEL_EVENT_TARGET_ANY, NULL },
    { "{\"kind\": \"AnyLabel\", \"label\": \"main\"}", KEEL_EVENT_TARGET_ANY_LABEL, "main" },
    { "{\"kind\": \"App\"}", KEEL_EVENT_TARGET_APP, NULL },
    { "{\"kind\": \"App\", \"label\": 3}", KEEL_EVENT_TARGET_APP, NULL },
    { "{\"kind\": \"Window\", \"label\": \"w\"}", KEEL_EVENT_TARGET_WINDOW, "w" },
    { "{\"kind\": \"Webview\", \"label\": \"v\"}", KEEL_EVENT_TARGET_WEBVIEW, "v" },
    { "{\"label\": \"vw\", \"kind\": \"WebviewWindow\"}", KEEL_EVENT_TARGET_WEBVIEW_WINDOW, "vw" },
    { "{\"kind\": \"Window\", \"label\": \"\"}", KEEL_EVENT_TARGET_WINDOW, "" },
    { "{\"kind\": \"Window\", \"label\": \"caf\\u00e9\"}", KEEL_EVENT_TARGET_WINDOW, "caf\xc3\xa9" },
    /* emitTo('main') sends a bare label: AnyLabel. */
    { "\"main\"", KEEL_EVENT_TARGET_ANY_LABEL, "main" },
    { "\"\"", KEEL_EVENT_TARGET_ANY_LABEL, "" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("target %s", cases[i].json);
      g_autoptr (json_t) value = json_loads (cases[i].json, JSON_DECODE_ANY, NULL);
      g_assert_nonnull (value);
      g_autoptr (GError) error = NULL;
      KeelEventTarget target;
      g_assert_true (keel__event_target_parse (value, &target, &error));
      g_assert_no_error (error);
      g_assert_cmpint (target.kind, ==, cases[i].kind);
      g_assert_cmpstr (target.label, ==, cases[i].label);
      keel__event_target_clear (&target);
      g_assert_null (target.label);
      /* Clearing twice is harmless. */
      keel__event_target_clear (&target);
    }
}

static void
test_target_parse_invalid (void)
{
  g_autofree char *long_kind = g_strnfill (500, 'K');
  g_autofree char *long_json = g_strdup_printf ("{\"kind\": \"%s\"}", long_kind);
  const struct
  {
    const char *json; /* NULL: no value at all */
    const char *words[2];
  } cases[] = {
    { NULL, { "event target must be a label string or an object {kind, label}", NULL } },
    { "null", { "event target must be", NULL } },
    { "3", { "event target must be", NULL } },
    { "true", { "event target must be", NULL } },
    { "[\"main\"]", { "event target must be", NULL } },
    { "{}", { "event target must be", "Any, AnyLabel, App, Window, Webview or WebviewWindow" } },
    { "{\"label\": \"main\"}", { "event target must be", NULL } },
    { "{\"kind\": 5}", { "event target must be", NULL } },
    { "{\"kind\": null, \"label\": \"x\"}", { "event target must be", NULL } },
    { "{\"kind\": \"Nope\"}", { "unknown event target kind \"Nope\"", "expected Any, AnyLabel" } },
    /* Kinds are case-sensitive, as serde's are. */
    { "{\"kind\": \"window\", \"label\": \"w\"}", { "unknown event target kind \"window\"", NULL } },
    { "{\"kind\": \"\"}", { "unknown event target kind \"\"", NULL } },
    /* A hostile kind is escaped and cut in the message. */
    { "{\"kind\": \"a\\nb\"}", { "unknown event target kind \"a\\nb\"", NULL } },
    { long_json, { "unknown event target kind \"KKKK", NULL } },
    { "{\"kind\": \"AnyLabel\"}", { "event target of kind AnyLabel needs \"label\", a string", NULL } },
    { "{\"kind\": \"Window\"}", { "kind Window needs \"label\"", NULL } },
    { "{\"kind\": \"Window\", \"label\": null}", { "kind Window needs \"label\"", NULL } },
    { "{\"kind\": \"Webview\", \"label\": 5}", { "kind Webview needs \"label\"", NULL } },
    { "{\"kind\": \"WebviewWindow\", \"label\": {}}", { "kind WebviewWindow needs \"label\"", NULL } },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("target %.60s", cases[i].json != NULL ? cases[i].json : "(none)");
      g_autoptr (json_t) value = NULL;
      if (cases[i].json != NULL)
        {
          value = json_loads (cases[i].json, JSON_DECODE_ANY, NULL);
          g_assert_nonnull (value);
        }
      g_autoptr (GError) error = NULL;
      KeelEventTarget target = { .kind = KEEL_EVENT_TARGET_WINDOW, .label = (char *) "stale" };
      g_assert_false (keel__event_target_parse (value, &target, &error));
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
      /* A failed parse leaves nothing to free. */
      g_assert_null (target.label);
      for (gsize w = 0; w < G_N_ELEMENTS (cases[i].words) && cases[i].words[w] != NULL; w++)
        if (strstr (error->message, cases[i].words[w]) == NULL)
          g_error ("message \"%s\" lacks \"%s\"", error->message, cases[i].words[w]);
      g_assert_cmpuint (strlen (error->message), <, 300);
    }
}

/* The targets of the truth tables below. */
static const KeelEventTarget t_any = { KEEL_EVENT_TARGET_ANY, NULL };
static const KeelEventTarget t_anylabel_a = { KEEL_EVENT_TARGET_ANY_LABEL, (char *) "a" };
static const KeelEventTarget t_anylabel_b = { KEEL_EVENT_TARGET_ANY_LABEL, (char *) "b" };
static const KeelEventTarget t_app = { KEEL_EVENT_TARGET_APP, NULL };
static const KeelEventTarget t_window_a = { KEEL_EVENT_TARGET_WINDOW, (char *) "a" };
static const KeelEventTarget t_window_b = { KEEL_EVENT_TARGET_WINDOW, (char *) "b" };
static const KeelEventTarget t_webview_a = { KEEL_EVENT_TARGET_WEBVIEW, (char *) "a" };
static const KeelEventTarget t_webview_window_a = { KEEL_EVENT_TARGET_WEBVIEW_WINDOW, (char *) "a" };

/* Emitted-to columns: emit() to all (NULL), then emit_to() each target. */
static const KeelEventTarget *const emitted_columns[] = {
  NULL, &t_any, &t_anylabel_a, &t_app, &t_window_a, &t_window_b, &t_webview_a, &t_webview_window_a,
};
static const char *const column_names[] = {
  "(all)", "Any", "AnyLabel(a)", "App", "Window(a)", "Window(b)", "Webview(a)", "WebviewWindow(a)",
};

static void
test_target_matches (void)
{
  /* Rows: the listener's target. Columns: see emitted_columns. A listener
   * with target Any hears everything; emit() and emit_to(Any) reach
   * everyone; AnyLabel(l) reaches every listener whose target carries label
   * l; a listener with AnyLabel(l) hears emit_to of any kind with label l
   * (Tauri >= 2.1); otherwise kind and label must be equal. */
  static const struct
  {
    const char *name;
    const KeelEventTarget *listener;
    const char *expected; /* one '1' or '0' per column */
  } rows[] = {
    /*                                              all Any AL(a) App W(a) W(b) V(a) VW(a) */
    { "Any", &t_any,                               "1" "1" "1"  "1" "1"  "1"  "1"  "1" },
    { "AnyLabel(a)", &t_anylabel_a,                "1" "1" "1"  "0" "1"  "0"  "1"  "1" },
    { "AnyLabel(b)", &t_anylabel_b,                "1" "1" "0"  "0" "0"  "1"  "0"  "0" },
    { "App", &t_app,                               "1" "1" "0"  "1" "0"  "0"  "0"  "0" },
    { "Window(a)", &t_window_a,                    "1" "1" "1"  "0" "1"  "0"  "0"  "0" },
    { "Window(b)", &t_window_b,                    "1" "1" "0"  "0" "0"  "1"  "0"  "0" },
    { "Webview(a)", &t_webview_a,                  "1" "1" "1"  "0" "0"  "0"  "1"  "0" },
    { "WebviewWindow(a)", &t_webview_window_a,     "1" "1" "1"  "0" "0"  "0"  "0"  "1" },
  };
  for (gsize r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      g_assert_cmpuint (strlen (rows[r].expected), ==, G_N_ELEMENTS (emitted_columns));
      for (gsize c = 0; c < G_N_ELEMENTS (emitted_columns); c++)
        {
          gboolean expected = rows[r].expected[c] == '1';
          gboolean got = keel__event_target_matches (rows[r].listener, emitted_columns[c]);
          if (got != expected)
            g_error ("listener %s, emitted to %s: expected %d, got %d", rows[r].name,
                     column_names[c], expected, got);
        }
    }

  /* Labels compare exactly. */
  const KeelEventTarget upper = { KEEL_EVENT_TARGET_WINDOW, (char *) "A" };
  const KeelEventTarget empty = { KEEL_EVENT_TARGET_WINDOW, (char *) "" };
  g_assert_false (keel__event_target_matches (&upper, &t_window_a));
  g_assert_false (keel__event_target_matches (&upper, &t_anylabel_a));
  g_assert_false (keel__event_target_matches (&empty, &t_window_a));
  g_assert_true (keel__event_target_matches (&empty, &empty));
}

static void
test_target_matches_tauri_2_1 (void)
{
  /* Since Tauri 2.1 (tauri-apps/tauri#11581, "handle AnyLabel listeners in
   * emit_to"), emit_to(Window/Webview/WebviewWindow(l)) also reaches
   * listeners registered with AnyLabel(l), which is what
   * listen(e, cb, {target: 'l'}) registers; @tauri-apps/api 2.12 pairs with
   * that Tauri. */
  static const struct
  {
    const KeelEventTarget *listener;
    const KeelEventTarget *emitted;
    gboolean delivered;
  } cells[] = {
    { &t_anylabel_a, &t_window_a, TRUE },
    { &t_anylabel_a, &t_webview_a, TRUE },
    { &t_anylabel_a, &t_webview_window_a, TRUE },
    { &t_anylabel_b, &t_window_b, TRUE },
    { &t_anylabel_a, &t_window_b, FALSE },
    { &t_anylabel_a, &t_app, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cells); i++)
    g_assert_cmpint (keel__event_target_matches (cells[i].listener, cells[i].emitted), ==,
                     cells[i].delivered);
}

/* ---- names ------------------------------------------------------------- */

static void
test_name_check (void)
{
  g_autofree char *longest = g_strnfill (256, 'n');
  g_autofree char *too_long = g_strnfill (257, 'n');
  const char *valid[] = {
    "a", "Z", "0", "my-event", "ns:evt/sub_x", "tauri://focus", "__keel:ready", longest,
  };
  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_test_message ("name %.40s", valid[i]);
      g_autoptr (GError) error = NULL;
      g_assert_true (keel__event_name_check (valid[i], &error));
      g_assert_no_error (error);
    }

  const struct
  {
    const char *name;
    const char *words[2];
  } invalid[] = {
    { "", { "event name is empty", NULL } },
    { "a b", { "invalid event name \"a b\"", "character 2 is not allowed" } },
    { "a.b", { "character 2 is not allowed", "use ASCII letters, digits, '-', '/', ':' and '_'" } },
    { "plugin:window|x", { "character 14 is not allowed", NULL } },
    { "*", { "character 1", NULL } },
    { "caf\xc3\xa9", { "character 4", NULL } },
    { "ok\n", { "invalid event name \"ok\\n\"", "character 3" } },
    { "tab\there", { "character 4", NULL } },
    { "\"quoted\"", { "character 1", NULL } },
    { too_long, { "longer than 256 characters", NULL } },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_message ("name %.40s", invalid[i].name);
      g_autoptr (GError) error = NULL;
      g_assert_false (keel__event_name_check (invalid[i].name, &error));
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
      for (gsize w = 0; w < G_N_ELEMENTS (invalid[i].words) && invalid[i].words[w] != NULL; w++)
        if (strstr (error->message, invalid[i].words[w]) == NULL)
          g_error ("message \"%s\" lacks \"%s\"", error->message, invalid[i].words[w]);
    }

  /* A NULL error is allowed. */
  g_assert_false (keel__event_name_check ("a b", NULL));
}

/* ---- the bus ----------------------------------------------------------- */

typedef struct
{
  KeelEventBus *bus;
  GHashTable *scripts; /* page id → script; a second script for a page fails */
  guint deliveries;
  GString *heard;      /* what C listeners got */
  guint self_id;       /* a C listener that unlistens itself */
  guint other_id;      /* a C listener that another one unlistens */
  guint late_id;       /* a C listener added during an emit */
  guint destroyed;
} Bus;

static void
deliver (gpointer user_data, guint64 page_id, const char *script)
{
  Bus *b = user_data;
  gpointer key = GSIZE_TO_POINTER ((gsize) page_id);
  if (g_hash_table_contains (b->scripts, key))
    g_error ("page %" G_GUINT64_FORMAT " got two scripts for one emit", page_id);
  g_hash_table_insert (b->scripts, key, g_strdup (script));
  b->deliveries++;
}

static void
bus_set_up (Bus *b, gconstpointer data)
{
  b->bus = keel__event_bus_new (FAKE_APP, deliver, b);
  b->scripts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  b->heard = g_string_new (NULL);
}

static void
bus_tear_down (Bus *b, gconstpointer data)
{
  keel__event_bus_free (b->bus);
  g_hash_table_unref (b->scripts);
  g_string_free (b->heard, TRUE);
}

static void
emit (Bus *b, const KeelEventTarget *target, const char *event, json_t *payload)
{
  g_hash_table_remove_all (b->scripts);
  keel__event_bus_emit (b->bus, target, event, payload, NULL);
}

static const char *
script_of (Bus *b, guint64 page)
{
  return g_hash_table_lookup (b->scripts, GSIZE_TO_POINTER ((gsize) page));
}

static guint
count_of (const char *haystack, const char *needle)
{
  guint count = 0;
  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    count++;
  return count;
}

static void
test_bus_pages (Bus *b, gconstpointer data)
{
  guint e1 = keel__event_bus_listen_page (b->bus, 1, "a", &t_any, 10);
  guint e2 = keel__event_bus_listen_page (b->bus, 2, "a", &t_window_b, 20);
  guint e3 = keel__event_bus_listen_page (b->bus, 3, "b", &t_any, 30);
  /* Event ids are distinct across pages. */
  g_assert_cmpuint (e1, !=, e2);
  g_assert_cmpuint (e2, !=, e3);
  g_assert_cmpuint (e1, !=, e3);
  g_assert_cmpuint (keel__event_bus_page_listener_count (b->bus), ==, 3);

  g_autoptr (json_t) payload = json_pack ("{s:i}", "x", 1);
  emit (b, NULL, "a", payload);
  g_assert_cmpuint (g_hash_table_size (b->scripts), ==, 2);
  g_autofree char *r1 = g_strdup_printf ("v10:%u,a,{\"x\":1}", e1);
  g_autofree char *r2 = g_strdup_printf ("v20:%u,a,{\"x\":1}", e2);
  g_assert_cmpstr (script_of (b, 1), ==, r1);
  g_assert_cmpstr (script_of (b, 2), ==, r2);
  /* Page 3 listens to another event only. */
  g_assert_null (script_of (b, 3));

  /* emit_to reaches page 2 only through a matching target. */
  emit (b, &t_window_a, "a", payload);
  g_assert_nonnull (script_of (b, 1)); /* Any */
  g_assert_null (script_of (b, 2));
  emit (b, &t_anylabel_b, "a", payload);
  g_assert_nonnull (script_of (b, 2));

  /* No listener for that name: nothing is delivered. */
  emit (b, NULL, "c", payload);
  g_assert_cmpuint (g_hash_table_size (b->scripts), ==, 0);
  /* Names match exactly. */
  emit (b, NULL, "A", payload);
  g_assert_cmpuint (g_hash_table_size (b->scripts), ==, 0);
}

static void
test_bus_one_script_per_page (Bus *b, gconstpointer data)
{
  guint e10 = keel__event_bus_listen_page (b->bus, 1, "a", &t_any, 10);
  guint e11 = keel__event_bus_listen_page (b->bus, 1, "a", &t_any, 11);
  keel__event_bus_listen_page (b->bus, 1, "a", &t_window_b, 12);
  keel__event_bus_listen_page (b->bus, 1, "b", &t_any, 13);
  guint e_last
    = keel__event_bus_listen_page (b->bus, 1, "a", &t_window_a, G_GUINT64_CONSTANT (4294967295));

  g_autoptr (json_t) payload = json_pack ("{s:s}", "marker", "payload-marker");
  emit (b, &t_anylabel_a, "a", payload);
  g_assert_cmpuint (b->deliveries, ==, 1);
  const char *script = script_of (b, 1);
  g_assert_nonnull (script);
  /* The matching listeners, in registration order; the payload is written
   * once, whatever the number of listeners. */
  g_autofree char *expected = g_strdup_printf (
    "v10:%u;11:%u;4294967295:%u,a,{\"marker\":\"payload-marker\"}", e10, e11, e_last);
  g_assert_cmpstr (script, ==, expected);
  g_assert_cmpuint (count_of (script, "payload-marker"), ==, 1);
}

static void
test_bus_script_text (Bus *b, gconstpointer data)
{
  guint e5 = keel__event_bus_listen_page (b->bus, 7, "ns:evt/sub_x-y", &t_any, 5);
  g_autoptr (json_t) payload = json_pack ("{s:s, s:[i, b, n], s:f}", "s",
                                          "he said \"hi\" \xe2\x80\xa8 </script> \\ \x1e,", "list", 1,
                                          TRUE, "real", 0.5);
  emit (b, NULL, "ns:evt/sub_x-y", payload);
  const char *script = script_of (b, 7);
  g_assert_nonnull (script);
  g_test_message ("script: %s", script);

  /* A "v" record of outbox.h: listener and event id, the name as it is
   * (checked names hold no comma), the payload's JSON text. */
  g_autofree char *payload_json = keel__json_to_text (payload);
  g_autofree char *prefix = g_strdup_printf ("v5:%u,ns:evt/sub_x-y,", e5);
  g_assert_true (g_str_has_prefix (script, prefix));
  g_assert_cmpstr (script + strlen (prefix), ==, payload_json);
  /* Nothing in it could end the record in a batch. */
  g_assert_null (strchr (script, KEEL_OUTBOX_SEPARATOR));
  g_assert_true (g_utf8_validate (script, -1, NULL));

  /* No payload is null. */
  emit (b, NULL, "ns:evt/sub_x-y", NULL);
  g_assert_true (g_str_has_suffix (script_of (b, 7), ",null"));

  /* Scalars too. */
  g_autoptr (json_t) number = json_integer (-3);
  emit (b, NULL, "ns:evt/sub_x-y", number);
  g_assert_true (g_str_has_suffix (script_of (b, 7), ",ns:evt/sub_x-y,-3"));
}

static void
test_bus_unlisten_and_forget (Bus *b, gconstpointer data)
{
  guint e1 = keel__event_bus_listen_page (b->bus, 1, "a", &t_any, 10);
  guint e2 = keel__event_bus_listen_page (b->bus, 1, "b", &t_any, 11);
  guint e3 = keel__event_bus_listen_page (b->bus, 2, "a", &t_any, 20);
  g_assert_true (keel__event_bus_page_listens (b->bus, 1, "a"));
  g_assert_true (keel__event_bus_page_listens (b->bus, 1, "b"));
  g_assert_false (keel__event_bus_page_listens (b->bus, 1, "c"));
  g_assert_false (keel__event_bus_page_listens (b->bus, 3, "a"));

  /* Unlisten needs the right page, name and id. */
  g_assert_false (keel__event_bus_unlisten_page (b->bus, 2, "a", e1));
  g_assert_false (keel__event_bus_unlisten_page (b->bus, 1, "b", e1));
  g_assert_false (keel__event_bus_unlisten_page (b->bus, 1, "a", 9999));
  g_assert_false (keel__event_bus_unlisten_page (b->bus, 42, "a", e1));
  g_assert_true (keel__event_bus_unlisten_page (b->bus, 1, "a", e1));
  g_assert_false (keel__event_bus_unlisten_page (b->bus, 1, "a", e1));
  g_assert_false (keel__event_bus_page_listens (b->bus, 1, "a"));
  g_assert_cmpuint (keel__event_bus_page_listener_count (b->bus), ==, 2);

  emit (b, NULL, "a", NULL);
  g_assert_null (script_of (b, 1));
  g_assert_nonnull (script_of (b, 2));

  /* A page that goes takes its listeners with it. */
  keel__event_bus_forget_page (b->bus, 2);
  g_assert_false (keel__event_bus_page_listens (b->bus, 2, "a"));
  g_assert_cmpuint (keel__event_bus_page_listener_count (b->bus), ==, 1);
  g_assert_false (keel__event_bus_unlisten_page (b->bus, 2, "a", e3));
  emit (b, NULL, "a", NULL);
  g_assert_cmpuint (g_hash_table_size (b->scripts), ==, 0);
  emit (b, NULL, "b", NULL);
  g_assert_nonnull (script_of (b, 1));
  /* Forgetting an unknown page, or twice, is harmless. */
  keel__event_bus_forget_page (b->bus, 2);
  keel__event_bus_forget_page (b->bus, 77);
  keel__event_bus_forget_page (b->bus, 1);
  g_assert_cmpuint (keel__event_bus_page_listener_count (b->bus), ==, 0);
  g_assert_false (keel__event_bus_unlisten_page (b->bus, 1, "b", e2));

  /* A page may listen again after being forgotten (a reload keeps no id). */
  guint again = keel__event_bus_listen_page (b->bus, 1, "a", &t_any, 10);
  g_assert_cmpuint (again, !=, e1);
  emit (b, NULL, "a", NULL);
  g_assert_nonnull (script_of (b, 1));
}

static void
c_listener (KeelApp *app, const char *event, json_t *payload, const char *source_label,
            gpointer user_data)
{
  Bus *b = user_data;
  g_assert_true (app == FAKE_APP);
  g_assert_nonnull (payload);
  g_autofree char *text = keel__json_to_text (payload);
  g_string_append_printf (b->heard, "[%s %s %s]", event, text,
                          source_label != NULL ? source_label : "(C)");
}

static void
c_listener_self (KeelApp *app, const char *event, json_t *payload, const char *source_label,
                 gpointer user_data)
{
  Bus *b = user_data;
  g_string_append (b->heard, "[self]");
  /* Removes itself, and the one after it, and adds one: only the removal
   * of itself may take effect in this emit. */
  g_assert_true (keel__event_bus_unlisten_c (b->bus, b->self_id));
  if (b->other_id != 0)
    g_assert_true (keel__event_bus_unlisten_c (b->bus, b->other_id));
  b->late_id = keel__event_bus_listen_c (b->bus, event, c_listener, NULL, b, NULL);
}

static void
c_listener_other (KeelApp *app, const char *event, json_t *payload, const char *source_label,
                  gpointer user_data)
{
  Bus *b = user_data;
  g_string_append (b->heard, "[other]");
}

static void
count_destroy (gpointer user_data)
{
  Bus *b = user_data;
  b->destroyed++;
}

static void
test_bus_c_listeners (Bus *b, gconstpointer data)
{
  guint id = keel__event_bus_listen_c (b->bus, "a", c_listener, NULL, b, count_destroy);
  keel__event_bus_listen_c (b->bus, "b", c_listener, NULL, b, count_destroy);

  g_autoptr (json_t) payload = json_pack ("[i]", 1);
  keel__event_bus_emit (b->bus, NULL, "a", payload, "main");
  g_assert_cmpstr (b->heard->str, ==, "[a [1] main]");

  /* C listeners hear every event of their name, whatever the target. */
  g_string_truncate (b->heard, 0);
  keel__event_bus_emit (b->bus, &t_window_b, "a", payload, NULL);
  g_assert_cmpstr (b->heard->str, ==, "[a [1] (C)]");

  /* No payload arrives as JSON null, not NULL. */
  g_string_truncate (b->heard, 0);
  keel__event_bus_emit (b->bus, NULL, "a", NULL, NULL);
  g_assert_cmpstr (b->heard->str, ==, "[a null (C)]");

  /* No page listener is needed for C listeners, and no script is made. */
  g_assert_cmpuint (b->deliveries, ==, 0);

  g_assert_true (keel__event_bus_unlisten_c (b->bus, id));
  g_assert_cmpuint (b->destroyed, ==, 1);
  g_assert_false (keel__event_bus_unlisten_c (b->bus, id));
  g_assert_false (keel__event_bus_unlisten_c (b->bus, 0));
  g_string_truncate (b->heard, 0);
  keel__event_bus_emit (b->bus, NULL, "a", payload, NULL);
  g_assert_cmpstr (b->heard->str, ==, "");

  /* The "b" listener is freed with the bus. */
  keel__event_bus_free (g_steal_pointer (&b->bus));
  g_assert_cmpuint (b->destroyed, ==, 2);
  b->bus = keel__event_bus_new (FAKE_APP, deliver, b);
}

/* A listener whose data is freed by its destroy notify, unlistening itself
 * and then still using that data: the data must live until it returns. */
typedef struct
{
  KeelEventBus *bus;
  guint id;
  int calls;
  int *destroyed_at_return; /* set by the destroy notify: 1 if freed during the call */
  gboolean running;
} SelfData;

static void
self_data_free (gpointer data)
{
  SelfData *self = data;
  *self->destroyed_at_return = self->running ? 1 : 2;
  g_free (self);
}

static void
c_listener_frees_itself (KeelApp *app, const char *event, json_t *payload,
                         const char *source_label, gpointer user_data)
{
  SelfData *self = user_data;
  self->running = TRUE;
  g_assert_true (keel__event_bus_unlisten_c (self->bus, self->id));
  self->calls++; /* after the removal: a use-after-free if the bus freed us */
  self->running = FALSE;
}

static void
test_bus_c_listener_frees_itself (Bus *b, gconstpointer data)
{
  int destroyed = 0;
  SelfData *self = g_new0 (SelfData, 1);
  self->bus = b->bus;
  self->destroyed_at_return = &destroyed;
  self->id = keel__event_bus_listen_c (b->bus, "a", c_listener_frees_itself, NULL, self,
                                       self_data_free);
  keel__event_bus_listen_c (b->bus, "a", c_listener, NULL, b, NULL);
  keel__event_bus_emit (b->bus, NULL, "a", NULL, "main");
  /* Freed once, after it returned; the next listener still ran. */
  g_assert_cmpint (destroyed, ==, 2);
  g_assert_cmpstr (b->heard->str, ==, "[a null main]");
}

static void
test_bus_c_listener_unlistens_during_emit (Bus *b, gconstpointer data)
{
  keel__event_bus_listen_c (b->bus, "a", c_listener, NULL, b, NULL);
  b->self_id = keel__event_bus_listen_c (b->bus, "a", c_listener_self, NULL, b, count_destroy);
  b->other_id = keel__event_bus_listen_c (b->bus, "a", c_listener_other, NULL, b, NULL);
  keel__event_bus_listen_c (b->bus, "a", c_listener, NULL, b, NULL);

  keel__event_bus_emit (b->bus, NULL, "a", NULL, "w");
  /* The listener before ran, it ran and left (its data freed), the one it
   * removed did not run, the one after ran, the one it added waits. */
  g_assert_cmpstr (b->heard->str, ==, "[a null w][self][a null w]");
  g_assert_cmpuint (b->destroyed, ==, 1);

  g_string_truncate (b->heard, 0);
  keel__event_bus_emit (b->bus, NULL, "a", NULL, "w");
  g_assert_cmpstr (b->heard->str, ==, "[a null w][a null w][a null w]");
  g_assert_true (keel__event_bus_unlisten_c (b->bus, b->late_id));
}

/* A JSON listener is handed the emitter's own text, no copy, and the bus
 * vouches for it (by identity) only while the listener runs. */
typedef struct
{
  Bus *b;
  GBytes *expected;   /* the GBytes the listener must be handed, if known */
  GBytes *same_text;  /* equal text, another GBytes: never vouched for */
  GBytes *kept;       /* what the listener was handed, kept for after */
} JsonHeard;

static void
json_listener (KeelApp *app, const char *event, GBytes *payload_json, const char *source_label,
               gpointer user_data)
{
  JsonHeard *heard = user_data;
  if (heard->expected != NULL)
    g_assert_true (payload_json == heard->expected);
  g_assert_true (keel__event_bus_handed_out (heard->b->bus, payload_json));
  g_assert_false (keel__event_bus_handed_out (heard->b->bus, heard->same_text));
  gsize length;
  const char *text = g_bytes_get_data (payload_json, &length);
  g_string_append_printf (heard->b->heard, "[%s %.*s]", event, (int) length, text);
  g_clear_pointer (&heard->kept, g_bytes_unref);
  heard->kept = g_bytes_ref (payload_json);
}

static void
test_bus_json_listeners (Bus *b, gconstpointer data)
{
  JsonHeard heard = { b, NULL, g_bytes_new_static ("[1,2]", 5), NULL };
  keel__event_bus_listen_c (b->bus, "a", NULL, json_listener, &heard, NULL);

  g_autoptr (GBytes) payload = g_bytes_new ("[1,2]", 5);
  heard.expected = payload;
  keel__event_bus_emit_text (b->bus, NULL, "a", payload, "main");
  g_assert_cmpstr (b->heard->str, ==, "[a [1,2]]");
  g_assert_false (keel__event_bus_handed_out (b->bus, payload));

  /* A payload given as a value is written out once for JSON listeners. */
  g_string_truncate (b->heard, 0);
  heard.expected = NULL;
  g_autoptr (json_t) value = json_pack ("{s:b}", "x", TRUE);
  keel__event_bus_emit (b->bus, NULL, "a", value, NULL);
  g_assert_cmpstr (b->heard->str, ==, "[a {\"x\":true}]");
  g_assert_false (keel__event_bus_handed_out (b->bus, heard.kept));
  g_assert_false (keel__event_bus_handed_out (b->bus, NULL));

  g_bytes_unref (heard.same_text);
  g_bytes_unref (heard.kept);
}

static void
test_bus_free_with_listeners (void)
{
  /* Freeing a bus that still has page and C listeners leaks nothing (run
   * under ASan), and NULL is accepted. */
  KeelEventBus *bus = keel__event_bus_new (NULL, deliver, NULL);
  keel__event_bus_listen_page (bus, 1, "a", &t_window_a, 1);
  keel__event_bus_listen_page (bus, 2, "b", &t_any, 2);
  keel__event_bus_listen_c (bus, "a", c_listener, NULL, NULL, NULL);
  keel__event_bus_free (bus);
  keel__event_bus_free (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/events/target/parse-valid", test_target_parse_valid);
  g_test_add_func ("/events/target/parse-invalid", test_target_parse_invalid);
  g_test_add_func ("/events/target/matches", test_target_matches);
  g_test_add_func ("/events/target/matches-tauri-2.1", test_target_matches_tauri_2_1);
  g_test_add_func ("/events/name/check", test_name_check);
#define ADD(path, func) g_test_add ("/events/bus/" path, Bus, NULL, bus_set_up, func, bus_tear_down)
  ADD ("pages", test_bus_pages);
  ADD ("one-record-per-page", test_bus_one_script_per_page);
  ADD ("record-text", test_bus_script_text);
  ADD ("unlisten-and-forget", test_bus_unlisten_and_forget);
  ADD ("c-listeners", test_bus_c_listeners);
  ADD ("c-listener-unlistens-during-emit", test_bus_c_listener_unlistens_during_emit);
  ADD ("c-listener-frees-itself", test_bus_c_listener_frees_itself);
  ADD ("json-listeners", test_bus_json_listeners);
  g_test_add_func ("/events/bus/free-with-listeners", test_bus_free_with_listeners);

  return g_test_run ();
}
