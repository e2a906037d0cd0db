/* Unit tests of the store plugin's insides (plugins/store/store.c and
 * store-file.c): reading and writing its file, corrupt files kept aside, the
 * operations with their change events, dirty tracking and autosave (where a
 * store may live: test-data-path.c). The windowed store test drives the same
 * code through pages. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "test-tree.h"

typedef struct
{
  char *dir;
  GString *log;   /* changes, as "key=value;" or "key-;" */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->dir = g_dir_make_tmp ("keel-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_string_free (f->log, TRUE);
}

static char *
path_in (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
write_text (Fixture *f, const char *name, const char *text)
{
  g_autofree char *path = path_in (f, name);
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_set_contents (path, text, -1, &error));
}

static char *
read_text (Fixture *f, const char *name)
{
  g_autofree char *path = path_in (f, name);
  char *text = NULL;
  return g_file_get_contents (path, &text, NULL, NULL) ? text : NULL;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names in the fixture's directory, sorted, joined with ' '. */
static char *
list_dir (Fixture *f)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *dir = g_dir_open (f->dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static json_t *
parse (const char *text)
{
  json_error_t error;
  json_t *value = json_loads (text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &error);
  if (value == NULL)
    g_error ("not JSON (%s): %s", error.text, text);
  return value;
}

static void
assert_json (json_t *value, const char *expected)
{
  json_t *want = parse (expected);
  if (!json_equal (value, want))
    {
      g_autofree char *got = json_dumps (value, JSON_COMPACT | JSON_ENCODE_ANY);
      g_error ("expected %s, got %s", expected, got);
    }
  json_decref (want);
}

/* ---- the file ------------------------------------------------------------ */

static void
test_file_round_trip (Fixture *f, gconstpointer data)
{
  /* Directories are created; the file is private, pretty, ends with a
   * newline, and every value reads back exactly. */
  g_autofree char *path = path_in (f, "a/b/store.json");
  json_t *object = parse ("{\"z\": 1, \"a\": [true, null, {\"x\": \"y\"}], \"real\": 0.1, "
                          "\"big\": 1e300, \"int\": 9007199254740993, "
                          "\"nul\": \"a\\u0000b\", \"snow\": \"☃ \\ud83d\\ude00\"}");
  g_autoptr (GError) error = NULL;
  g_assert_true (keel__store_file_write (path, object, &error));
  g_assert_no_error (error);

  GStatBuf info;
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_autofree char *sub = path_in (f, "a/b");
  g_assert_cmpint (g_stat (sub, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);

  g_autofree char *text = read_text (f, "a/b/store.json");
  g_assert_true (g_str_has_prefix (text, "{\n  \"z\": 1,\n  \"a\": [\n"));
  g_assert_true (g_str_has_suffix (text, "}\n"));

  json_t *back = NULL;
  g_assert_true (keel__store_file_read (path, &back, &error));
  g_assert_true (json_equal (back, object));
  g_assert_cmpfloat (json_real_value (json_object_get (back, "real")), ==, 0.1);
  /* Keys keep their order. */
  g_assert_cmpstr (json_object_iter_key (json_object_iter (back)), ==, "z");
  json_decref (back);
  json_decref (object);

  /* Nothing else is left in the directory: no temporary file. */
  g_autofree char *listing = list_dir (f);
  g_assert_cmpstr (listing, ==, "a");
}

static void
test_file_missing (Fixture *f, gconstpointer data)
{
  g_autofree char *path = path_in (f, "none.json");
  g_autoptr (GError) error = NULL;
  json_t *value = NULL;
  g_assert_false (keel__store_file_read (path, &value, &error));
  g_assert_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_NOT_FOUND);
  g_assert_null (value);
}

/* Reads a corrupt file: the error names it and what is wrong, and the file
 * is found, unchanged, under the name the error gives. */
static void
assert_corrupt (Fixture *f, const char *text, const char *problem)
{
  write_text (f, "bad.json", text);
  g_autofree char *path = path_in (f, "bad.json");
  g_autoptr (GError) error = NULL;
  json_t *value = NULL;
  g_assert_false (keel__store_file_read (path, &value, &error));
  g_assert_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT);
  g_assert_null (value);
  if (strstr (error->message, path) == NULL || strstr (error->message, problem) == NULL)
    g_error ("the message lacks \"%s\" or the path: %s", problem, error->message);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* The last mention: the file's own text, quoted in the message, may say it too. */
  const char *aside = g_strrstr (error->message, "moved aside to ");
  g_assert_nonnull (aside);
  aside += strlen ("moved aside to ");
  g_autofree char *kept = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (aside, &kept, &length, NULL));
  g_assert_cmpmem (kept, length, text, strlen (text));
  g_assert_true (g_str_has_prefix (aside, path));
  g_assert_nonnull (strstr (aside, ".corrupt-"));
}

static void
test_file_corrupt (Fixture *f, gconstpointer data)
{
  assert_corrupt (f, "{\"a\": 1,,}", "line 1, column 9");
  assert_corrupt (f, "{\"a\": 1,\n\"b\": tru}", "line 2");
  assert_corrupt (f, "", "it is empty");
  assert_corrupt (f, "[1, 2]", "holds an array, not the JSON object");
  assert_corrupt (f, "\"text\"", "holds a string");
  assert_corrupt (f, "7", "holds an integer, not");
  assert_corrupt (f, "0.5", "holds a number with a fraction, not");
  assert_corrupt (f, "null", "holds null, not");
  assert_corrupt (f, "{\"a\": \"\xff\"}", "unable to decode byte 0xff");
  assert_corrupt (f, "{\"a\": 1} trailing", "end of file expected");
  assert_corrupt (f, "{\"a\": 1e400}", "real number overflow");

  /* Eleven corrupt files in one second: each kept under its own name. */
  g_autofree char *listing = list_dir (f);
  g_auto (GStrv) names = g_strsplit (listing, " ", -1);
  g_assert_cmpuint (g_strv_length (names), ==, 11);
  for (char **name = names; *name != NULL; name++)
    g_assert_true (g_str_has_prefix (*name, "bad.json.corrupt-"));
}

static void
test_file_unreadable (Fixture *f, gconstpointer data)
{
  /* Not a file: an error that says so, and nothing is moved. */
  g_autofree char *path = path_in (f, "dir.json");
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_autoptr (GError) error = NULL;
  json_t *value = NULL;
  g_assert_false (keel__store_file_read (path, &value, &error));
  g_assert_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_clear_error (&error);

  /* Writing below a regular file fails with a message naming the store. */
  write_text (f, "plain", "x");
  g_autofree char *below = path_in (f, "plain/store.json");
  json_t *object = json_object ();
  g_assert_false (keel__store_file_write (below, object, &error));
  g_assert_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, below));
  g_assert_nonnull (strstr (error->message, "a file of that name is in the way"));
  json_decref (object);
}

/* ---- the store ------------------------------------------------------------ */

static void
record_change (KeelStore *store, const char *key, json_t *value, gpointer data)
{
  Fixture *f = data;
  if (value == NULL)
    g_string_append_printf (f->log, "%s-;", key);
  else
    {
      char *text = json_dumps (value, JSON_COMPACT | JSON_ENCODE_ANY);
      g_string_append_printf (f->log, "%s=%s;", key, text);
      free (text);
    }
}

static KeelStore *
store_new (Fixture *f, const char *name, const char *defaults, gint64 autosave_ms)
{
  g_autofree char *path = path_in (f, name);
  json_t *object = defaults != NULL ? parse (defaults) : NULL;
  KeelStore *store = keel__store_new (path, object, autosave_ms);
  json_decref (object);
  keel__store_set_change_func (store, record_change, f);
  return store;
}

static void
test_store_operations (Fixture *f, gconstpointer data)
{
  g_autoptr (KeelStore) store = store_new (f, "ops.json", NULL, KEEL_STORE_AUTOSAVE_OFF);
  g_autoptr (GError) error = NULL;
  g_assert_true (keel__store_load (store, FALSE, &error));
  g_assert_false (keel__store_is_dirty (store));

  keel__store_set (store, "b", json_integer (1));
  keel__store_set (store, "a", json_string ("x"));
  keel__store_set (store, "b", json_integer (2));
  keel__store_set (store, "n", json_null ());
  g_assert_true (keel__store_is_dirty (store));
  assert_json (keel__store_get (store, "b"), "2");
  assert_json (keel__store_get (store, "n"), "null");
  g_assert_null (keel__store_get (store, "nothing"));
  g_assert_true (keel__store_has (store, "n"));
  g_assert_false (keel__store_has (store, "nothing"));
  /* Insertion order, as keys() and entries() report it. */
  assert_json (keel__store_get_contents (store), "{\"b\": 2, \"a\": \"x\", \"n\": null}");

  g_assert_true (keel__store_delete (store, "a"));
  g_assert_false (keel__store_delete (store, "a"));
  keel__store_clear (store);
  assert_json (keel__store_get_contents (store), "{}");
  g_assert_cmpstr (f->log->str, ==, "b=1;a=\"x\";b=2;n=null;a-;b-;n-;");

  /* Without defaults, reset is clear. */
  keel__store_set (store, "c", json_true ());
  g_string_truncate (f->log, 0);
  keel__store_reset (store);
  g_assert_cmpstr (f->log->str, ==, "c-;");

  /* Nothing was written: autosave is off. */
  g_autofree char *text = read_text (f, "ops.json");
  g_assert_null (text);
  g_assert_true (keel__store_save (store, &error));
  g_assert_false (keel__store_is_dirty (store));
  g_autofree char *saved = read_text (f, "ops.json");
  g_assert_cmpstr (saved, ==, "{}\n");
}

static void
test_store_defaults (Fixture *f, gconstpointer data)
{
  /* The file's keys over the defaults; reset back to the defaults with a
   * change for each key that differs. */
  write_text (f, "d.json", "{\"theme\": \"dark\", \"extra\": 1}");
  g_autoptr (KeelStore) store
    = store_new (f, "d.json", "{\"theme\": \"light\", \"size\": 12}", KEEL_STORE_AUTOSAVE_OFF);
  g_autoptr (GError) error = NULL;
  g_assert_true (keel__store_load (store, FALSE, &error));
  assert_json (keel__store_get_contents (store),
               "{\"theme\": \"dark\", \"size\": 12, \"extra\": 1}");
  /* The file lacks "size": memory is ahead of it. */
  g_assert_true (keel__store_is_dirty (store));
  g_assert_cmpstr (f->log->str, ==, "");

  keel__store_set (store, "size", json_integer (12));
  g_string_truncate (f->log, 0);
  keel__store_reset (store);
  g_assert_cmpstr (f->log->str, ==, "theme=\"light\";extra-;");
  assert_json (keel__store_get_contents (store), "{\"theme\": \"light\", \"size\": 12}");

  /* overrideDefaults: the file alone. */
  g_autoptr (KeelStore) over
    = store_new (f, "d.json", "{\"theme\": \"light\", \"size\": 12}", KEEL_STORE_AUTOSAVE_OFF);
  g_assert_true (keel__store_load (over, TRUE, &error));
  assert_json (keel__store_get_contents (over), "{\"theme\": \"dark\", \"extra\": 1}");
  g_assert_false (keel__store_is_dirty (over));

  /* No file: the defaults, which the file lacks. */
  g_autoptr (KeelStore) fresh = store_new (f, "fresh.json", "{\"a\": 1}", KEEL_STORE_AUTOSAVE_OFF);
  g_assert_true (keel__store_load (fresh, FALSE, &error));
  g_assert_true (keel__store_is_dirty (fresh));
  g_assert_true (keel__store_flush (fresh, &error));
  g_autofree char *text = read_text (f, "fresh.json");
  g_assert_cmpstr (text, ==, "{\n  \"a\": 1\n}\n");
  /* A flush with nothing to write writes nothing. */
  g_assert_cmpint (g_remove (keel__store_get_path (fresh)), ==, 0);
  g_assert_true (keel__store_flush (fresh, &error));
  g_assert_false (g_file_test (keel__store_get_path (fresh), G_FILE_TEST_EXISTS));
}

static void
test_store_reload (Fixture *f, gconstpointer data)
{
  g_autoptr (KeelStore) store = store_new (f, "r.json", "{\"d\": 0}", KEEL_STORE_AUTOSAVE_OFF);
  g_autoptr (GError) error = NULL;
  g_assert_true (keel__store_load (store, FALSE, &error));

  /* No file yet: reload says so and changes nothing. */
  keel__store_set (store, "mine", json_integer (1));
  g_assert_false (keel__store_reload (store, FALSE, &error));
  g_assert_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_json (keel__store_get_contents (store), "{\"d\": 0, \"mine\": 1}");

  /* The file's values over memory's; keys only memory has stay. No events. */
  write_text (f, "r.json", "{\"mine\": 2, \"theirs\": 3}");
  g_string_truncate (f->log, 0);
  g_assert_true (keel__store_reload (store, FALSE, &error));
  assert_json (keel__store_get_contents (store), "{\"d\": 0, \"mine\": 2, \"theirs\": 3}");
  g_assert_true (keel__store_is_dirty (store));
  g_assert_true (keel__store_reload (store, TRUE, &error));
  assert_json (keel__store_get_contents (store), "{\"mine\": 2, \"theirs\": 3}");
  g_assert_false (keel__store_is_dirty (store));
  g_assert_cmpstr (f->log->str, ==, "");

  /* A corrupt file: refused and kept aside; memory is untouched and owes
   * the disk a new file. */
  write_text (f, "r.json", "{oops");
  g_assert_false (keel__store_reload (store, FALSE, &error));
  g_assert_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT);
  assert_json (keel__store_get_contents (store), "{\"mine\": 2, \"theirs\": 3}");
  g_assert_true (keel__store_is_dirty (store));
  g_assert_true (keel__store_flush (store, &error));
  g_autofree char *text = read_text (f, "r.json");
  g_assert_cmpstr (text, ==, "{\n  \"mine\": 2,\n  \"theirs\": 3\n}\n");
}

static void
test_store_load_corrupt (Fixture *f, gconstpointer data)
{
  /* load() refuses a corrupt file, leaving the store as it was made. */
  write_text (f, "c.json", "not json");
  g_autoptr (KeelStore) store = store_new (f, "c.json", "{\"d\": 1}", KEEL_STORE_AUTOSAVE_OFF);
  g_autoptr (GError) error = NULL;
  g_assert_false (keel__store_load (store, FALSE, &error));
  g_assert_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT);
  assert_json (keel__store_get_contents (store), "{\"d\": 1}");
  /* A second store on the same path finds no file now. */
  g_autoptr (KeelStore) again = store_new (f, "c.json", NULL, KEEL_STORE_AUTOSAVE_OFF);
  g_clear_error (&error);
  g_assert_true (keel__store_load (again, FALSE, &error));
  assert_json (keel__store_get_contents (again), "{}");
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* Runs the default main loop for `ms` milliseconds. */
static void
run_for (guint ms)
{
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add (ms, quit_loop, loop);
  g_main_loop_run (loop);
  g_main_loop_unref (loop);
}

static void
test_store_autosave (Fixture *f, gconstpointer data)
{
  /* Debounced: written once the store has been quiet for the interval,
   * with the latest contents. */
  g_autoptr (KeelStore) store = store_new (f, "auto.json", NULL, 200);
  g_autoptr (GError) error = NULL;
  g_assert_true (keel__store_load (store, FALSE, &error));
  for (int i = 1; i <= 5; i++)
    {
      keel__store_set (store, "n", json_integer (i));
      run_for (60);
    }
  /* 300 ms of changes 60 ms apart: the file is not there yet. */
  g_autofree char *early = read_text (f, "auto.json");
  g_assert_null (early);
  g_assert_true (keel__store_is_dirty (store));
  run_for (400);
  g_autofree char *text = read_text (f, "auto.json");
  g_assert_cmpstr (text, ==, "{\n  \"n\": 5\n}\n");
  g_assert_false (keel__store_is_dirty (store));

  /* save() cancels a pending autosave. */
  keel__store_set (store, "n", json_integer (6));
  g_assert_true (keel__store_save (store, &error));
  g_assert_cmpint (g_remove (keel__store_get_path (store)), ==, 0);
  run_for (400);
  g_assert_false (g_file_test (keel__store_get_path (store), G_FILE_TEST_EXISTS));

  /* 0: written within the change. */
  g_autoptr (KeelStore) now = store_new (f, "now.json", NULL, 0);
  keel__store_set (now, "a", json_integer (1));
  g_autofree char *at_once = read_text (f, "now.json");
  g_assert_cmpstr (at_once, ==, "{\n  \"a\": 1\n}\n");
  keel__store_delete (now, "a");
  g_autofree char *after_delete = read_text (f, "now.json");
  g_assert_cmpstr (after_delete, ==, "{}\n");

  /* Off: never, until saved or flushed. */
  g_autoptr (KeelStore) off = store_new (f, "off.json", NULL, KEEL_STORE_AUTOSAVE_OFF);
  keel__store_set (off, "a", json_integer (1));
  run_for (150);
  g_assert_false (g_file_test (keel__store_get_path (off), G_FILE_TEST_EXISTS));
  g_assert_true (keel__store_flush (off, &error));
  g_assert_true (g_file_test (keel__store_get_path (off), G_FILE_TEST_EXISTS));
}

static void
test_store_autosave_failure (Fixture *f, gconstpointer data)
{
  /* A failed autosave is logged; the store stays dirty, and a later save
   * that can write does. */
  write_text (f, "blocker", "a file where a directory should be");
  g_autofree char *path = path_in (f, "blocker/s.json");
  KeelStore *store = keel__store_new (path, NULL, 0);
  g_test_expect_message ("Keel", G_LOG_LEVEL_WARNING, "*autosave failed*blocker/s.json*");
  keel__store_set (store, "a", json_integer (1));
  g_test_assert_expected_messages ();
  g_assert_true (keel__store_is_dirty (store));
  g_autoptr (GError) error = NULL;
  g_assert_false (keel__store_save (store, &error));
  g_assert_error (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_IO);
  g_assert_true (keel__store_is_dirty (store));
  keel__store_free (store);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/file/round-trip", test_file_round_trip);
  ADD ("/store/file/missing", test_file_missing);
  ADD ("/store/file/corrupt", test_file_corrupt);
  ADD ("/store/file/unreadable", test_file_unreadable);
  ADD ("/store/operations", test_store_operations);
  ADD ("/store/defaults", test_store_defaults);
  ADD ("/store/reload", test_store_reload);
  ADD ("/store/load-corrupt", test_store_load_corrupt);
  ADD ("/store/autosave", test_store_autosave);
  ADD ("/store/autosave-failure", test_store_autosave_failure);
  return g_test_run ();
}
