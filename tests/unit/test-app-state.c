/* Unit tests of managed state and resources through the public API of
 * libkeel (keel_app_manage(), keel_app_get_state(), keel_app_add_resource()
 * and friends), on an app that never runs: no display is needed. Handlers
 * reaching state from threads are tested in test-router.c; windows in the
 * windowed store test. Also C listeners that take payloads as JSON text
 * (keel_app_listen_json(), keel_app_emit_json()), which need no page. */
#include <glib/gstdio.h>
#include <keel/keel.h>

typedef struct
{
  char *dir;
  KeelApp *app;
  GString *log;   /* what destroy and close functions did, in order */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->dir = g_dir_make_tmp ("keel-app-state-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *config = g_build_filename (f->dir, "keel.json", NULL);
  g_autofree char *dist = g_build_filename (f->dir, "dist", NULL);
  g_assert_cmpint (g_mkdir (dist, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config,
                                      "{\"identifier\": \"dev.keel.test.app-state\", "
                                      "\"build\": {\"frontendDist\": \"dist\"}}",
                                      -1, &error));
  f->app = keel_app_new (config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->app);
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  keel_app_free (f->app);
  g_autofree char *config = g_build_filename (f->dir, "keel.json", NULL);
  g_autofree char *dist = g_build_filename (f->dir, "dist", NULL);
  g_remove (config);
  g_rmdir (dist);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_string_free (f->log, TRUE);
}

/* A piece of state or a resource that writes its name into the log when it
 * is freed or closed. */
typedef struct
{
  GString *log;
  const char *name;
} Thing;

static Thing *
thing_new (Fixture *f, const char *name)
{
  Thing *thing = g_new0 (Thing, 1);
  thing->log = f->log;
  thing->name = name;
  return thing;
}

static void
thing_free (gpointer data)
{
  Thing *thing = data;
  g_string_append_printf (thing->log, "%s;", thing->name);
  g_free (thing);
}

static void
test_manage (Fixture *f, gconstpointer data)
{
  Thing *db = thing_new (f, "db");
  Thing *cache = thing_new (f, "cache");
  g_assert_true (keel_app_manage (f->app, "db", db, thing_free));
  g_assert_true (keel_app_manage (f->app, "cache", cache, thing_free));
  g_assert_true (keel_app_get_state (f->app, "db") == db);
  g_assert_true (keel_app_get_state (f->app, "cache") == cache);
  g_assert_null (keel_app_get_state (f->app, "nothing"));

  /* The same key again: a critical; the first stays, the second is freed. */
  Thing *second = thing_new (f, "second db");
  g_test_expect_message ("Keel", G_LOG_LEVEL_CRITICAL, "*state \"db\" is already managed*");
  g_assert_false (keel_app_manage (f->app, "db", second, thing_free));
  g_test_assert_expected_messages ();
  g_assert_cmpstr (f->log->str, ==, "second db;");
  g_assert_true (keel_app_get_state (f->app, "db") == db);

  /* Freed with the app, the last managed first. */
  keel_app_free (g_steal_pointer (&f->app));
  g_assert_cmpstr (f->log->str, ==, "second db;cache;db;");
}

/* The registry of a plugin: a resource's close function finds it alive. */
typedef struct
{
  GString *log;
  gboolean alive;
} Registry;

static void
registry_free (gpointer data)
{
  Registry *registry = data;
  g_string_append (registry->log, "registry;");
  registry->alive = FALSE;
}

typedef struct
{
  Registry *registry;
  const char *name;
} Handle;

static void
handle_close (gpointer data)
{
  Handle *handle = data;
  g_assert_true (handle->registry->alive);
  g_string_append_printf (handle->registry->log, "%s;", handle->name);
  g_free (handle);
}

static Handle *
handle_new (Registry *registry, const char *name)
{
  Handle *handle = g_new0 (Handle, 1);
  handle->registry = registry;
  handle->name = name;
  return handle;
}

static void
test_resources (Fixture *f, gconstpointer data)
{
  Registry registry = { f->log, TRUE };
  keel_app_manage (f->app, "registry", &registry, registry_free);

  guint32 a = keel_app_add_resource (f->app, "store", handle_new (&registry, "a"), handle_close);
  guint32 b = keel_app_add_resource (f->app, "store", handle_new (&registry, "b"), handle_close);
  guint32 other = keel_app_add_resource (f->app, "image", handle_new (&registry, "image"),
                                         handle_close);
  g_assert_cmpuint (a, >=, 1);
  g_assert_cmpuint (b, >, a);
  g_assert_cmpuint (other, >, b);

  /* A lookup names the kind: one plugin's id never reaches another's object. */
  Handle *found = keel_app_get_resource (f->app, a, "store");
  g_assert_nonnull (found);
  g_assert_cmpstr (found->name, ==, "a");
  g_assert_null (keel_app_get_resource (f->app, other, "store"));
  g_assert_null (keel_app_get_resource (f->app, 0, "store"));
  g_assert_null (keel_app_get_resource (f->app, 999999, "store"));

  /* Closed once; the id then finds nothing, and is not handed out again. */
  g_assert_true (keel_app_close_resource (f->app, a));
  g_assert_cmpstr (f->log->str, ==, "a;");
  g_assert_false (keel_app_close_resource (f->app, a));
  g_assert_null (keel_app_get_resource (f->app, a, "store"));
  guint32 c = keel_app_add_resource (f->app, "store", handle_new (&registry, "c"), handle_close);
  g_assert_cmpuint (c, >, other);

  /* The app's end closes the rest, the newest first, and only then frees
   * managed state, which their close functions may use. */
  keel_app_free (g_steal_pointer (&f->app));
  g_assert_cmpstr (f->log->str, ==, "a;c;image;b;registry;");
}

/* ---- C listeners that take payloads as text ---- */

static void
heard_json (KeelApp *app, const char *event, GBytes *payload_json, const char *source,
            gpointer data)
{
  Fixture *f = data;
  gsize length;
  const char *text = g_bytes_get_data (payload_json, &length);
  g_string_append_printf (f->log, "[%s %.*s from %s]", event, (int) length, text,
                          source != NULL ? source : "C");
}

static void
heard_value (KeelApp *app, const char *event, json_t *payload, const char *source, gpointer data)
{
  Fixture *f = data;
  char *text = json_dumps (payload, JSON_ENCODE_ANY | JSON_COMPACT);
  g_string_append_printf (f->log, "(%s %s)", event, text);
  free (text);
}

static void
test_json_listeners (Fixture *f, gconstpointer data)
{
  keel_app_listen_json (f->app, "note", heard_json, f, NULL);
  keel_app_listen (f->app, "note", heard_value, f, NULL);

  /* The text as given reaches the text listener; the other gets it parsed. */
  g_autoptr (GBytes) payload = g_bytes_new_static ("{\"a\": [1, 2]}", 13);
  keel_app_emit_json (f->app, NULL, "note", payload);
  g_assert_cmpstr (f->log->str, ==, "[note {\"a\": [1, 2]} from C](note {\"a\":[1,2]})");

  /* keel_app_emit's payloads reach text listeners as JSON text. */
  g_string_truncate (f->log, 0);
  keel_app_emit (f->app, "note", json_string ("x"));
  g_assert_cmpstr (f->log->str, ==, "[note \"x\" from C](note \"x\")");

  /* Text that is not one JSON value is refused, and no one hears it. */
  g_string_truncate (f->log, 0);
  g_autoptr (GBytes) broken = g_bytes_new_static ("{\"a\": ", 6);
  g_test_expect_message ("Keel", G_LOG_LEVEL_WARNING,
                         "keel_app_emit_json: the payload of \"note\" is not one JSON value*");
  keel_app_emit_json (f->app, "main", "note", broken);
  g_test_assert_expected_messages ();
  g_autoptr (GBytes) two = g_bytes_new_static ("1 2", 3);
  g_test_expect_message ("Keel", G_LOG_LEVEL_WARNING, "*not one JSON value*");
  keel_app_emit_json (f->app, NULL, "note", two);
  g_test_assert_expected_messages ();
  /* So is a bad event name. */
  g_test_expect_message ("Keel", G_LOG_LEVEL_WARNING, "keel_app_emit_json: *");
  keel_app_emit_json (f->app, NULL, "bad name!", payload);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (f->log->str, ==, "");
}

/* The app's data directory follows XDG_DATA_HOME (set in main()) and the
 * identifier, and is not created by asking. */
static void
test_data_dir (Fixture *f, gconstpointer data)
{
  const char *dir = keel_app_get_data_dir (f->app);
  g_assert_cmpstr (dir, ==, "/keel-test-data-home/dev.keel.test.app-state");
  g_assert_false (g_file_test ("/keel-test-data-home", G_FILE_TEST_EXISTS));
  g_assert_true (keel_app_get_data_dir (f->app) == dir);
}

int
main (int argc, char **argv)
{
  /* Before GLib reads it: the app must not write anywhere real. */
  g_setenv ("XDG_DATA_HOME", "/keel-test-data-home", TRUE);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/app-state/manage", test_manage);
  ADD ("/app-state/resources", test_resources);
  ADD ("/app-state/json-listeners", test_json_listeners);
  ADD ("/app-state/data-dir", test_data_dir);
  return g_test_run ();
}
