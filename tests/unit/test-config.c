/* Tests of keel.json parsing (src/core/config.c) and of the locator that gives
 * its errors a line and a column (src/core/json-locate.c).
 *
 * Most error tests write the config with a '`' just before the place the
 * error must point at; the helper removes the mark and works out the line
 * and column it stood at, so each expectation says where it points without
 * hand-counted numbers. A few tests spell the whole message out. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "config.h"
#include "json-locate.h"
#include "keel/keel-error.h"
#include "marked-text.h"

#define SOURCE "/app/keel.json"

/* A valid head; a test's own lines start on line 4. */
#define HEAD                                                                                       \
  "{\n"                                                                                            \
  "  \"identifier\": \"com.example.app\",\n"                                                      \
  "  \"build\": {\"frontendDist\": \"dist\"},\n"

static KeelConfig *
parse (const char *text, GError **error)
{
  return keel__config_parse (text, strlen (text), SOURCE, "/app", error);
}

/* Asserts that `marked` is refused at its mark, naming `path`, saying `gist`. */
static void
assert_config_error (const char *marked, const char *path, const char *gist)
{
  int line = 0, column = 0;
  g_autofree char *text = unmark (marked, &line, &column);
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelConfig) config = parse (text, &error);

  g_assert_null (config);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_autofree char *prefix = *path != '\0'
                                ? g_strdup_printf (SOURCE ":%d:%d: %s: ", line, column, path)
                                : g_strdup_printf (SOURCE ":%d:%d: ", line, column);
  check_message (error, prefix, gist);
}

static KeelConfig *
parse_valid (const char *text)
{
  g_autoptr (GError) error = NULL;
  KeelConfig *config = parse (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

/* ---- json-locate ---- */

static void
assert_located (const char *marked, const char *const *path, gboolean at_key)
{
  int line = 0, column = 0;
  g_autofree char *text = unmark (marked, &line, &column);
  int found_line = 0, found_column = 0;
  gboolean found = at_key
                       ? keel__json_locate_key (text, strlen (text), path, &found_line, &found_column)
                       : keel__json_locate (text, strlen (text), path, &found_line, &found_column);
  g_assert_true (found);
  g_assert_cmpint (found_line, ==, line);
  g_assert_cmpint (found_column, ==, column);
}

static gboolean
locates (const char *text, const char *const *path)
{
  int line = 0, column = 0;
  return keel__json_locate (text, strlen (text), path, &line, &column);
}

static void
test_locate_values (void)
{
  const char *const root[] = { NULL };
  const char *const b[] = { "b", NULL };
  const char *const b1[] = { "b", "1", NULL };
  const char *const b1c[] = { "b", "1", "c", NULL };
  const char *const d[] = { "d", NULL };

  assert_located ("  `{\"a\": 1}", root, FALSE);
  assert_located ("{\"a\": 1, \"b\": `[1, 2]}", b, FALSE);
  assert_located ("{\"a\": {\"b\": 0}, \"b\":\n  [\"x\",\n   `{\"c\": 2}]}", b1, FALSE);
  assert_located ("{\"a\": \"b\", \"b\": [[1, [2]], {\"c\":\n\t`true}]}", b1c, FALSE);
  /* Skipping values of every kind, strings with escaped quotes and brackets. */
  assert_located ("{\"a\": [\"]\\\"}\", -1.5e+3, null, false, {\"x\": [{}]}], \"d\": `\"v\"}", d,
                  FALSE);
  /* CRLF line ends: lines end at '\n'. */
  assert_located ("{\r\n  \"a\": 1,\r\n  \"d\": `2\r\n}", d, FALSE);
  /* The column counts bytes: "é" is two. */
  assert_located ("{\"é\": 1, \"d\": `2}", d, FALSE);
  /* Text jansson refuses (here a key given twice) is not searched: its
   * errors are placed by jansson. */
  g_assert_false (locates ("{\"d\": 1, \"d\": 2}", d));
  g_assert_false (locates ("{\"d\": 1", d));
  g_assert_false (locates ("{\"d\": 1}}", d));
}

static void
test_locate_keys (void)
{
  const char *const width[] = { "app", "0", "width", NULL };
  const char *const index_last[] = { "app", "0", NULL };
  const char *const root[] = { NULL };

  assert_located ("{\"app\": [{\"w\": 1,\n  `\"width\": 2}]}", width, TRUE);
  int line = 0, column = 0;
  const char *text = "{\"app\": [{}]}";
  g_assert_false (keel__json_locate_key (text, strlen (text), index_last, &line, &column));
  g_assert_false (keel__json_locate_key (text, strlen (text), root, &line, &column));
  g_assert_cmpint (line, ==, 0);
}

static void
test_locate_escaped_keys (void)
{
  const char *const width[] = { "width", NULL };
  const char *const clef[] = { "\xf0\x9d\x84\x9e", NULL }; /* U+1D11E as UTF-8 */
  const char *const quoted[] = { "a\"b\\c/\n", NULL };

  assert_located ("{\"wid\": 1, \"\\u0077idth\": `3}", width, FALSE);
  assert_located ("{`\"\\u0077i\\u0064th\": 3}", width, TRUE);
  assert_located ("{\"\\ud834\\udd1e\": `1}", clef, FALSE);
  assert_located ("{\"a\\\"b\\\\c\\/\\n\": `1}", quoted, FALSE);
  /* A lone surrogate decodes to U+FFFD and matches nothing real. */
  g_assert_false (locates ("{\"\\ud834\": 1}", width));
}

static void
test_locate_not_found (void)
{
  const char *const missing[] = { "z", NULL };
  const char *const too_far[] = { "a", "3", NULL };
  const char *const not_index[] = { "a", "x", NULL };
  const char *const negative[] = { "a", "-1", NULL };
  const char *const into_scalar[] = { "b", "c", NULL };
  const char *const root[] = { NULL };

  const char *text = "{\"a\": [1, 2, 3], \"b\": 5}";
  g_assert_false (locates (text, missing));
  g_assert_false (locates (text, too_far));
  g_assert_false (locates (text, not_index));
  g_assert_false (locates (text, negative));
  g_assert_false (locates (text, into_scalar));
  g_assert_false (locates ("", root));
  g_assert_false (locates ("   ", root));
  g_assert_false (locates ("{}", missing));

  /* Deeper than the limit: refused without searching. */
  const char *deep[KEEL_JSON_LOCATE_MAX_DEPTH + 2];
  for (int i = 0; i < KEEL_JSON_LOCATE_MAX_DEPTH + 1; i++)
    deep[i] = "0";
  deep[KEEL_JSON_LOCATE_MAX_DEPTH + 1] = NULL;
  g_autofree char *open = g_strnfill (KEEL_JSON_LOCATE_MAX_DEPTH + 2, '[');
  g_autofree char *close = g_strnfill (KEEL_JSON_LOCATE_MAX_DEPTH + 2, ']');
  g_autofree char *nested = g_strconcat (open, close, NULL);
  g_assert_false (locates (nested, deep));
  deep[KEEL_JSON_LOCATE_MAX_DEPTH] = NULL;
  g_assert_true (locates (nested, deep));
}

/* The buffer holds exactly the JSON bytes, with no NUL after them, and every
 * prefix of it is searched too: under ASan a read past `length` fails. */
static void
test_locate_unterminated (void)
{
  const char *const deep[] = { "a", "b", "1", "\\", NULL };
  const char *const key[] = { "a", "b", "1", "\\", NULL };
  const char *source = "{\"a\": {\"x\": \"\\\"{[\", \"b\": [0, {\"\\\\\": \"\\u00e9\"}]}}";
  gsize length = strlen (source);

  char *text = g_malloc (length);
  memcpy (text, source, length);
  int line = 0, column = 0;
  g_assert_true (keel__json_locate (text, length, deep, &line, &column));
  g_assert_cmpint (line, ==, 1);
  g_assert_cmpint (column, ==, (int) (strstr (source, "\"\\u00e9") - source) + 1);
  g_assert_true (keel__json_locate_key (text, length, key, &line, &column));
  g_free (text);

  /* Cut anywhere, the text is no JSON: nothing is found, and nothing may be
   * read past the cut. */
  for (gsize prefix = 0; prefix < length; prefix++)
    {
      char *part = prefix > 0 ? g_malloc (prefix) : NULL;
      if (part != NULL)
        memcpy (part, source, prefix);
      g_assert_false (keel__json_locate (part, prefix, deep, &line, &column));
      g_assert_false (keel__json_locate_key (part, prefix, key, &line, &column));
      g_free (part);
    }
}

static void
test_locate_offsets (void)
{
  int line = 0, column = 0;
  const char *text = "ab\ncd\n\nx";
  keel__json_offset_to_line_column (text, strlen (text), 0, &line, &column);
  g_assert_cmpint (line, ==, 1);
  g_assert_cmpint (column, ==, 1);
  keel__json_offset_to_line_column (text, strlen (text), 4, &line, &column);
  g_assert_cmpint (line, ==, 2);
  g_assert_cmpint (column, ==, 2);
  keel__json_offset_to_line_column (text, strlen (text), 7, &line, &column);
  g_assert_cmpint (line, ==, 4);
  g_assert_cmpint (column, ==, 1);
  keel__json_offset_to_line_column (text, strlen (text), 99, &line, &column);
  g_assert_cmpint (line, ==, 4);
  g_assert_cmpint (column, ==, 2);
}

/* ---- Valid configs ---- */

static void
test_full_config (void)
{
  const char *text =
    "{\n"
    "  \"$schema\": \"https://schema.tauri.app/config/2\",\n"
    "  \"productName\": \"Hello\",\n"
    "  \"version\": \"1.2.3\",\n"
    "  \"identifier\": \"com.example.hello-app\",\n"
    "  \"build\": {\"frontendDist\": \"../dist\", \"devUrl\": \"http://localhost:1420\"},\n"
    "  \"app\": {\n"
    "    \"withGlobalTauri\": true,\n"
    "    \"windows\": [\n"
    "      {\"label\": \"main/1:x_y-z\", \"url\": \"pages/index.html?a=1#/home\", \"title\": \"Héllo\",\n"
    "       \"width\": 1024, \"height\": 768.5, \"minWidth\": 400, \"minHeight\": 300,\n"
    "       \"maxWidth\": 4000, \"maxHeight\": 3000, \"x\": -10, \"y\": 20.25,\n"
    "       \"resizable\": false, \"visible\": false, \"center\": true, \"decorations\": false,\n"
    "       \"fullscreen\": true, \"maximized\": true, \"focus\": false, \"alwaysOnTop\": true,\n"
    "       \"create\": false},\n"
    "      {\"label\": \"second\", \"url\": \"https://example.com/x\"}\n"
    "    ],\n"
    "    \"security\": {\n"
    "      \"csp\": \"default-src 'self'\",\n"
    "      \"dangerousDisableAssetCspModification\": [\"style-src\", \"script-src\"],\n"
    "      \"capabilities\": [\"default\", {\"identifier\": \"inline\", \"permissions\": []}]\n"
    "    }\n"
    "  }\n"
    "}\n";
  g_autoptr (KeelConfig) config = keel__config_parse (text, strlen (text), SOURCE, "/app", NULL);
  g_assert_nonnull (config);

  g_assert_cmpstr (config->source_name, ==, SOURCE);
  g_assert_cmpstr (config->base_dir, ==, "/app");
  g_assert_cmpstr (config->product_name, ==, "Hello");
  g_assert_cmpstr (config->version, ==, "1.2.3");
  g_assert_cmpstr (config->identifier, ==, "com.example.hello-app");
  g_assert_cmpstr (config->frontend_dist, ==, "../dist");
  g_assert_cmpstr (config->dev_url, ==, "http://localhost:1420");
  g_assert_true (config->with_global_tauri);
  g_assert_cmpstr (config->csp, ==, "default-src 'self'");
  g_assert_false (config->csp_modification_disabled_all);
  g_assert_cmpuint (g_strv_length (config->csp_modification_disabled), ==, 2);
  g_assert_cmpstr (config->csp_modification_disabled[0], ==, "style-src");
  g_assert_cmpstr (config->csp_modification_disabled[1], ==, "script-src");
  g_assert_true (json_is_array (config->capabilities));
  g_assert_cmpuint (json_array_size (config->capabilities), ==, 2);
  g_assert_cmpstr (json_string_value (json_array_get (config->capabilities, 0)), ==, "default");
  g_assert_cmpuint (config->warnings->len, ==, 0);

  g_assert_cmpuint (config->windows->len, ==, 2);
  const KeelWindowConfig *main_window = g_ptr_array_index (config->windows, 0);
  g_assert_cmpstr (main_window->label, ==, "main/1:x_y-z");
  g_assert_cmpstr (main_window->url, ==, "pages/index.html?a=1#/home");
  g_assert_cmpstr (main_window->title, ==, "Héllo");
  g_assert_cmpfloat (main_window->width, ==, 1024);
  g_assert_cmpfloat (main_window->height, ==, 768.5);
  g_assert_cmpfloat (main_window->min_width, ==, 400);
  g_assert_cmpfloat (main_window->min_height, ==, 300);
  g_assert_cmpfloat (main_window->max_width, ==, 4000);
  g_assert_cmpfloat (main_window->max_height, ==, 3000);
  g_assert_true (main_window->has_position);
  g_assert_cmpfloat (main_window->x, ==, -10);
  g_assert_cmpfloat (main_window->y, ==, 20.25);
  g_assert_false (main_window->resizable);
  g_assert_false (main_window->visible);
  g_assert_true (main_window->center);
  g_assert_false (main_window->decorations);
  g_assert_true (main_window->fullscreen);
  g_assert_true (main_window->maximized);
  g_assert_false (main_window->focus);
  g_assert_true (main_window->always_on_top);
  g_assert_false (main_window->create);

  const KeelWindowConfig *second = g_ptr_array_index (config->windows, 1);
  g_assert_cmpstr (second->label, ==, "second");
  g_assert_cmpstr (second->url, ==, "https://example.com/x");
  g_assert_cmpstr (second->title, ==, "Hello"); /* productName */
  g_assert_false (second->has_position);
}

static void
test_defaults (void)
{
  g_autoptr (KeelConfig) config = parse_valid (HEAD "  \"app\": {\"windows\": [{}]}\n}");

  g_assert_null (config->product_name);
  g_assert_null (config->version);
  g_assert_null (config->dev_url);
  g_assert_null (config->csp);
  g_assert_false (config->csp_modification_disabled_all);
  g_assert_nonnull (config->csp_modification_disabled);
  g_assert_null (config->csp_modification_disabled[0]);
  g_assert_null (config->capabilities);
  g_assert_false (config->with_global_tauri);
  g_assert_cmpuint (config->warnings->len, ==, 0);

  g_assert_cmpuint (config->windows->len, ==, 1);
  const KeelWindowConfig *window = g_ptr_array_index (config->windows, 0);
  g_assert_cmpstr (window->label, ==, "main");
  g_assert_cmpstr (window->url, ==, "index.html");
  g_assert_cmpstr (window->title, ==, "Keel");
  g_assert_cmpfloat (window->width, ==, 800);
  g_assert_cmpfloat (window->height, ==, 600);
  g_assert_cmpfloat (window->min_width, ==, 0);
  g_assert_cmpfloat (window->min_height, ==, 0);
  g_assert_cmpfloat (window->max_width, ==, 0);
  g_assert_cmpfloat (window->max_height, ==, 0);
  g_assert_false (window->has_position);
  g_assert_true (window->resizable);
  g_assert_true (window->visible);
  g_assert_false (window->center);
  g_assert_true (window->decorations);
  g_assert_false (window->fullscreen);
  g_assert_false (window->maximized);
  g_assert_true (window->focus);
  g_assert_false (window->always_on_top);
  g_assert_true (window->create);

  /* Without app at all there are no windows; without a base_dir there is none. */
  const char *minimal = "{\"identifier\": \"a.b\", \"build\": {\"devUrl\": \"https://x.org\"}}";
  g_autoptr (KeelConfig) bare = keel__config_parse (minimal, strlen (minimal), NULL, NULL, NULL);
  g_assert_nonnull (bare);
  g_assert_cmpstr (bare->source_name, ==, "keel.json");
  g_assert_null (bare->base_dir);
  g_assert_null (bare->frontend_dist);
  g_assert_cmpuint (bare->windows->len, ==, 0);
}

/* Tauri's optional keys accept null, as serde's Option does. */
static void
test_nulls (void)
{
  g_autoptr (KeelConfig) config = parse_valid (
    "{\"identifier\": \"a.b\", \"productName\": null, \"version\": null, \"$schema\": null,\n"
    " \"build\": {\"frontendDist\": \"d\", \"devUrl\": null},\n"
    " \"app\": {\"security\": {\"csp\": null}, \"windows\": [{\"minWidth\": null,\n"
    "   \"maxHeight\": null, \"x\": null, \"y\": null}]}}");
  g_assert_null (config->product_name);
  g_assert_null (config->csp);
  const KeelWindowConfig *window = g_ptr_array_index (config->windows, 0);
  g_assert_false (window->has_position);
  g_assert_cmpfloat (window->min_width, ==, 0);
}

static void
test_csp_object (void)
{
  g_autoptr (KeelConfig) config = parse_valid (
    HEAD "  \"app\": {\"security\": {\"csp\": {\n"
         "    \"default-src\": \"'self' customprotocol: asset:\",\n"
         "    \"connect-src\": \"ipc: http://ipc.localhost\",\n"
         "    \"img-src\": [\"'self'\", \"asset:\", \"http://asset.localhost\", \" blob: \", \"data:\"],\n"
         "    \"style-src\": \"  'unsafe-inline' 'self'  \",\n"
         "    \"upgrade-insecure-requests\": [],\n"
         "    \"block-all-mixed-content\": \"\"\n"
         "  }}}\n}");
  g_assert_cmpstr (config->csp, ==,
                   "default-src 'self' customprotocol: asset:; "
                   "connect-src ipc: http://ipc.localhost; "
                   "img-src 'self' asset: http://asset.localhost blob: data:; "
                   "style-src 'unsafe-inline' 'self'; "
                   "upgrade-insecure-requests; block-all-mixed-content");

  g_autoptr (KeelConfig) empty = parse_valid (HEAD "  \"app\": {\"security\": {\"csp\": {}}}\n}");
  g_assert_cmpstr (empty->csp, ==, "");
}

static void
test_csp_exceptions (void)
{
  g_autoptr (KeelConfig) all = parse_valid (
    HEAD "  \"app\": {\"security\": {\"dangerousDisableAssetCspModification\": true}}\n}");
  g_assert_true (all->csp_modification_disabled_all);
  g_assert_null (all->csp_modification_disabled[0]);

  g_autoptr (KeelConfig) none = parse_valid (
    HEAD "  \"app\": {\"security\": {\"dangerousDisableAssetCspModification\": false}}\n}");
  g_assert_false (none->csp_modification_disabled_all);

  assert_config_error (
    HEAD "  \"app\": {\"security\": {\"dangerousDisableAssetCspModification\": `\"all\"}}\n}",
    "app.security.dangerousDisableAssetCspModification",
    "expected true, false, or an array of CSP directive names, got the string \"all\"");
  assert_config_error (
    HEAD "  \"app\": {\"security\": {\"dangerousDisableAssetCspModification\": [\"a\", `1]}}\n}",
    "app.security.dangerousDisableAssetCspModification[1]",
    "expected a CSP directive name such as \"script-src\", got the number 1");
  assert_config_error (
    HEAD "  \"app\": {\"security\": {\"dangerousDisableAssetCspModification\": [`\"a b\"]}}\n}",
    "app.security.dangerousDisableAssetCspModification[0]", "\"a b\" is not a CSP directive name");
}

static void
test_warnings (void)
{
  const char *text = "{\n"
                     "  \"identifier\": \"com.example.app\",\n"
                     "  \"bundle\": {\"active\": true},\n"
                     "  \"build\": {\"frontendDist\": \"d\", \"beforeDevCommand\": \"npm run dev\"},\n"
                     "  \"app\": {\"trayIcon\": {}, \"macOSPrivateApi\": true,\n"
                     "    \"security\": {\"freezePrototype\": true, \"devCsp\": null},\n"
                     "    \"windows\": [{\"transparent\": true,\n"
                     "                 \"titleBarStyle\": \"Overlay\"}]},\n"
                     "  \"plugins\": {}\n"
                     "}\n";
  g_autoptr (KeelConfig) config = parse_valid (text);
  const char *expected[] = {
    SOURCE ":3:3: bundle: not implemented by Keel, ignored",
    SOURCE ":4:34: build.beforeDevCommand: not implemented by Keel, ignored",
    SOURCE ":5:11: app.trayIcon: not implemented by Keel, ignored",
    SOURCE ":5:27: app.macOSPrivateApi: not implemented by Keel, ignored",
    SOURCE ":6:18: app.security.freezePrototype: not implemented by Keel, ignored",
    SOURCE ":6:43: app.security.devCsp: not implemented by Keel, ignored",
    SOURCE ":7:18: app.windows[0].transparent: not implemented by Keel, ignored",
    SOURCE ":8:18: app.windows[0].titleBarStyle: not implemented by Keel, ignored",
    SOURCE ":9:3: plugins: not implemented by Keel, ignored",
  };
  g_assert_cmpuint (config->warnings->len, ==, G_N_ELEMENTS (expected));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (config->warnings, i), ==, expected[i]);
}

/* Past a hundred, warnings are counted rather than listed: each one costs a
 * scan of the text, and a megabyte of ignored keys must still load quickly. */
static void
test_many_warnings (void)
{
  GString *text = g_string_new (HEAD "  \"app\": {\"windows\": [");
  for (int i = 0; i < 20000; i++)
    g_string_append_printf (text, "%s\n    {\"label\": \"w%d\", \"shadow\": false}", i > 0 ? "," : "",
                            i);
  g_string_append (text, "]}\n}");
  g_assert_cmpuint (text->len, <=, KEEL_CONFIG_MAX_SIZE);

  g_autoptr (KeelConfig) config = parse_valid (text->str);
  g_string_free (text, TRUE);
  g_assert_cmpuint (config->windows->len, ==, 20000);
  g_assert_cmpuint (config->warnings->len, ==, 101);
  g_assert_cmpstr (g_ptr_array_index (config->warnings, 0), ==,
                   SOURCE ":5:21: app.windows[0].shadow: not implemented by Keel, ignored");
  g_assert_cmpstr (g_ptr_array_index (config->warnings, 100), ==,
                   SOURCE ": 19900 more keys not implemented by Keel were ignored");
}

/* ---- Errors ---- */

static void
test_error_exact_message (void)
{
  const char *text = HEAD "  \"app\": {\"windows\": [{\"width\": \"800\"}]}\n}";
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelConfig) config = parse (text, &error);
  g_assert_null (config);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "/app/keel.json:4:33: app.windows[0].width: expected a positive number, got "
                   "the string \"800\"");
}

static void
test_error_syntax (void)
{
  assert_config_error ("{\n  \"identifier\": \"a.b\",\n  \"build\": {\"frontendDist\": \"d\",`}\n}",
                       "", "invalid JSON: ");
  assert_config_error ("{\"a\": tru`x}", "", "invalid JSON: invalid token near 'trux'");
  assert_config_error ("{\"a\": \"ab`c", "", "closing quote, bracket or brace missing");
  assert_config_error ("{\"a\": 1} `x", "", "invalid JSON: ");
  assert_config_error ("`", "", "invalid JSON: ");
  g_autoptr (GError) error = NULL;
  g_assert_null (keel__config_parse (NULL, 0, NULL, NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "keel.json:1:1: invalid JSON: ", NULL);
  assert_config_error ("{\"é\": `x}", "", "invalid JSON: "); /* byte column, not characters */
  assert_config_error ("`\xef\xbb\xbf{}", "", "byte-order mark");
}

static void
test_error_duplicate_key (void)
{
  assert_config_error ("{\n  \"identifier\": \"a.b\",\n  \"identifier`\": \"c.d\"\n}", "",
                       "invalid JSON: duplicate object key near '\"identifier\"'; a key may "
                       "appear only once");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{\"width\": 1, \"width`\": 2}]}\n}", "",
                       "duplicate object key");
}

static void
test_error_top_level (void)
{
  assert_config_error ("  `[1, 2]", "",
                       "expected the top level to be an object such as {\"identifier\": "
                       "\"com.example.myapp\", ...}, got an array");
  assert_config_error ("`{\n  \"build\": {\"frontendDist\": \"d\"}\n}", "identifier",
                       "missing; add the app's reverse-domain identifier");
  assert_config_error ("{\n  \"identifier\": \"a.b\",\n  \"build\": `{}\n}", "build",
                       "neither build.frontendDist nor build.devUrl is set");
  assert_config_error ("`{\n  \"identifier\": \"a.b\"\n}", "build",
                       "neither build.frontendDist nor build.devUrl is set");
  assert_config_error ("{\"identifier\": \"a.b\", \"build\": {\"frontendDist\": \"d\"},\n"
                       " \"productName\": `7}",
                       "productName", "expected a string, got the number 7");
  assert_config_error ("{\"identifier\": \"a.b\", \"build\": {\"frontendDist\": \"d\"},\n"
                       " \"version\": `[\"1\"]}",
                       "version", "expected a string, got an array");
  assert_config_error ("{\"identifier\": \"a.b\", \"build\": `\"d\"}", "build",
                       "expected an object, got the string \"d\"");
  assert_config_error (HEAD "  \"app\": `[]\n}", "app", "expected an object, got an array");
  assert_config_error (HEAD "  \"app\": {\"security\": `null}\n}", "app.security",
                       "expected an object, got null");
}

static void
test_error_identifier (void)
{
  static const struct
  {
    const char *value;
    const char *gist;
  } cases[] = {
    { "\"\"", "got the string \"\": it is empty" },
    { "\"app\"", "it needs at least two segments" },
    { "\".com.example\"", "it must not start or end with '.'" },
    { "\"com.example.\"", "it must not start or end with '.'" },
    { "\"com..example\"", "it must not have an empty segment" },
    { "\"com.exa mple\"", "the character ' ' is not allowed" },
    { "\"com.exämple\"", "the character 'ä' is not allowed" },
    { "\"com.ex_ample\"", "the character '_' is not allowed" },
    { "\"com.ex\\u0001\"", "got the string \"com.ex\\u0001\": the byte 0x01 is not allowed" },
    { "42", "expected a reverse-domain name such as \"com.example.myapp\", got the number 42" },
    { "null", "got null" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *marked = g_strdup_printf (
        "{\n  \"build\": {\"frontendDist\": \"d\"},\n  \"identifier\": `%s\n}", cases[i].value);
      assert_config_error (marked, "identifier", cases[i].gist);
    }
  g_autoptr (KeelConfig) config = parse_valid (
    "{\"identifier\": \"io.github.user-1.App2\", \"build\": {\"frontendDist\": \"d\"}}");
  g_assert_cmpstr (config->identifier, ==, "io.github.user-1.App2");
}

static void
test_error_build (void)
{
  static const struct
  {
    const char *value;
    const char *gist;
  } dev_urls[] = {
    { "\"localhost:1420\"",
      "got the string \"localhost:1420\": its scheme \"localhost:\" is neither http: nor https:" },
    { "\"ftp://example.com\"", "its scheme \"ftp:\" is neither http: nor https:" },
    { "\"/index.html\"", "it is not a valid URL (" },
    { "\"http://\"", "it has no host" },
    { "\"http://localhost:99999\"", "it is not a valid URL (" },
    { "\"http://exa mple.com\"", "its host contains a space" },
    { "true", "expected an http:// or https:// URL such as \"http://localhost:1420\", got true" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (dev_urls); i++)
    {
      g_autofree char *marked = g_strdup_printf (
        "{\n  \"identifier\": \"a.b\",\n  \"build\": {\"devUrl\": `%s}\n}", dev_urls[i].value);
      assert_config_error (marked, "build.devUrl", dev_urls[i].gist);
    }

  assert_config_error ("{\"identifier\": \"a.b\", \"build\": {\"frontendDist\": `\"\"}}",
                       "build.frontendDist",
                       "expected the path of the directory holding the web assets");
  assert_config_error ("{\"identifier\": \"a.b\", \"build\": {\"frontendDist\": `[\"a\"]}}",
                       "build.frontendDist", "got an array");
  assert_config_error ("{\"identifier\": \"a.b\",\n \"build\": {\"frontendDist\": "
                       "`\"http://localhost:3000\"}}",
                       "build.frontendDist", "got a URL; to load pages from a server, set "
                                             "build.devUrl instead");
}

static void
test_error_window_values (void)
{
  static const struct
  {
    const char *member;
    const char *path;
    const char *gist;
  } cases[] = {
    { "\"width\": `-5", "width", "expected a positive number, got the number -5" },
    { "\"height\": `0", "height", "expected a positive number, got the number 0" },
    { "\"width\": `1e6", "width", "no larger than 100000, got the number 1000000" },
    { "\"minWidth\": `true", "minWidth", "expected a positive number, got true" },
    { "\"maxHeight\": `{}", "maxHeight", "expected a positive number, got an object" },
    { "\"x\": `\"1\", \"y\": 2", "x", "expected a number from -100000 to 100000, got the string \"1\"" },
    { "\"x\": 1, \"y\": `-200000", "y", "expected a number from -100000 to 100000" },
    { "\"resizable\": `\"yes\"", "resizable", "expected true or false, got the string \"yes\"" },
    { "\"create\": `0", "create", "expected true or false, got the number 0" },
    { "\"alwaysOnTop\": `null", "alwaysOnTop", "expected true or false, got null" },
    { "\"title\": `null", "title", "expected a string, got null" },
    { "\"label\": `\"\"", "label", "a label must not be empty" },
    { "\"label\": `\"my window\"", "label", "got the string \"my window\": the character ' ' is "
                                            "not allowed in a label" },
    { "\"label\": `\"fenêtre\"", "label", "the character 'ê' is not allowed in a label" },
    { "\"label\": `5", "label", "expected a label string such as \"main\", got the number 5" },
    { "\"url\": `\"\"", "url", "got the string \"\": it is empty" },
    { "\"url\": `\"file:///etc/passwd\"", "url", "its scheme \"file:\" is neither http: nor https:" },
    { "\"url\": `\"../secret.html\"", "url", "it leaves the app's directory (\"..\")" },
    { "\"url\": `\"a/../../b\"", "url", "it leaves the app's directory" },
    { "\"url\": `\"//evil.example/\"", "url", "scheme-relative URL" },
    { "\"url\": `\"a\\\\b.html\"", "url", "separate directories with '/'" },
    { "\"url\": `\"https://\"", "url", "it has no host" },
    { "\"url\": `[]", "url", "got an array" },
    { "\"url\": `\"keel://localhost/../x.html\"", "url", "it leaves the app's directory" },
    { "\"url\": `\"keel://other/x.html\"", "url", "its scheme \"keel:\" is neither" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* The first window is labelled so that the second's default label is free. */
      g_autofree char *marked = g_strdup_printf (
        HEAD "  \"app\": {\"windows\": [\n    {\"label\": \"a\"},\n    {%s}\n  ]}\n}",
        cases[i].member);
      g_autofree char *path = g_strdup_printf ("app.windows[1].%s", cases[i].path);
      assert_config_error (marked, path, cases[i].gist);
    }

  /* The query and fragment of a page may hold "..". */
  g_autoptr (KeelConfig) config = parse_valid (
    HEAD "  \"app\": {\"windows\": [{\"url\": \"/app/index.html?next=../x#..\"}]}\n}");
  g_assert_cmpstr (((KeelWindowConfig *) g_ptr_array_index (config->windows, 0))->url, ==,
                   "/app/index.html?next=../x#..");

  /* A page of the app by its full URL, as window.open() hands it over. */
  g_autoptr (KeelConfig) full = parse_valid (
    HEAD "  \"app\": {\"windows\": [{\"url\": \"keel://localhost/sub/page.html?x\"}]}\n}");
  g_assert_cmpstr (((KeelWindowConfig *) g_ptr_array_index (full->windows, 0))->url, ==,
                   "keel://localhost/sub/page.html?x");
}

static void
test_error_window_structure (void)
{
  assert_config_error (HEAD "  \"app\": {\"windows\": `{\"label\": \"main\"}}\n}", "app.windows",
                       "expected an array of window objects, got an object");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{}, `\"second\"]}\n}", "app.windows[1]",
                       "expected a window object such as {\"label\": \"main\"}, got the string "
                       "\"second\"");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{\"label\": \"a\", \"x\": `10}]}\n}",
                       "app.windows[0].x", "a position needs both x and y; add \"y\" or remove \"x\"");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{\"y\": `10, \"x\": null}]}\n}",
                       "app.windows[0].y", "add \"x\" or remove \"y\"");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{\"minWidth\": `900, \"maxWidth\": 800}]}\n}",
                       "app.windows[0].minWidth",
                       "minWidth (900) is larger than maxWidth (800); lower minWidth or raise "
                       "maxWidth");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{\"maxHeight\": 10.5, \"minHeight\": `20.5}]}\n}",
                       "app.windows[0].minHeight", "minHeight (20.5) is larger than maxHeight (10.5)");
}

static void
test_error_duplicate_labels (void)
{
  assert_config_error (HEAD "  \"app\": {\"windows\": [\n"
                            "    {\"label\": \"one\"},\n"
                            "    {\"label\": \"two\"},\n"
                            "    {\"title\": \"x\", \"label\": `\"one\"}\n"
                            "  ]}\n}",
                       "app.windows[2].label",
                       "the label \"one\" is already used by app.windows[0]; give each window its "
                       "own label");
  /* Two windows with the default label: the second window itself is pointed at. */
  assert_config_error (HEAD "  \"app\": {\"windows\": [{}, `{\"title\": \"t\"}]}\n}",
                       "app.windows[1].label", "the label \"main\" is already used by app.windows[0]");
}

static void
test_error_security (void)
{
  assert_config_error (HEAD "  \"app\": {\"security\": {\"csp\": `5}}\n}", "app.security.csp",
                       "expected a policy string, or an object mapping directive names to "
                       "sources, got the number 5");
  assert_config_error (HEAD "  \"app\": {\"security\": {\"csp\": `\"default-src 'self'\\n\"}}\n}",
                       "app.security.csp", "must not contain control characters");
  assert_config_error (HEAD "  \"app\": {\"security\": {\"csp\": {\"default-src\": \"'self'\",\n"
                            "    \"script-src\": [\"'self'\", `\"a; object-src *\"]}}}\n}",
                       "app.security.csp.script-src[1]",
                       "a source must not contain ';'; give each directive its own key");
  assert_config_error (HEAD "  \"app\": {\"security\": {\"csp\": {\"img-src\": `\"a, b\"}}}\n}",
                       "app.security.csp.img-src", "a source must not contain ','");
  assert_config_error (HEAD "  \"app\": {\"security\": {\"csp\": {\"img-src\": [`7]}}}\n}",
                       "app.security.csp.img-src[0]",
                       "expected a source string such as \"'self'\", got the number 7");
  assert_config_error (HEAD "  \"app\": {\"security\": {\"csp\": {\"img-src\": [`\" \"]}}}\n}",
                       "app.security.csp.img-src[0]", "got an empty string");
  assert_config_error (HEAD "  \"app\": {\"security\": {\"csp\": {\"img-src\": `true}}}\n}",
                       "app.security.csp.img-src",
                       "expected a string or an array of source strings, got true");
  assert_config_error (HEAD "  \"app\": {\"security\": {\"csp\": {`\"img src\": \"a\"}}}\n}",
                       "app.security.csp[\"img src\"]", "\"img src\" is not a CSP directive name");
  assert_config_error (HEAD "  \"app\": {\"security\": {\"capabilities\": `{}}}\n}",
                       "app.security.capabilities", "expected an array of capabilities, got an "
                                                    "object");
  assert_config_error (HEAD "  \"app\": {\"withGlobalTauri\": `\"true\"}\n}", "app.withGlobalTauri",
                       "expected true or false, got the string \"true\"");
}

static void
test_error_unknown_keys (void)
{
  assert_config_error (HEAD "  \"app\": {\"windows\": [{`\"widht\": 800}]}\n}",
                       "app.windows[0].widht", "unknown key; did you mean `width`?");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{`\"Width\": 800}]}\n}",
                       "app.windows[0].Width", "unknown key; did you mean `width`?");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{`\"alwaysontop\": true}]}\n}",
                       "app.windows[0].alwaysontop", "did you mean `alwaysOnTop`?");
  assert_config_error ("{\n  `\"identifer\": \"a.b\"\n}", "identifer",
                       "unknown key; did you mean `identifier`?");
  assert_config_error (HEAD "  \"app\": {`\"window\": []}\n}", "app.window",
                       "did you mean `windows`?");
  assert_config_error (HEAD "  \"app\": {\"security\": {`\"cps\": \"\"}}\n}", "app.security.cps",
                       "did you mean `csp`?");
  assert_config_error ("{\n  \"identifier\": \"a.b\",\n  \"build\": {`\"distDir\": \"d\"}\n}",
                       "build.distDir", "unknown key; Keel accepts here: frontendDist, devUrl");
  assert_config_error ("{\n  `\"tauri\": {}\n}", "tauri",
                       "unknown key; Keel accepts here: $schema, productName, version, "
                       "identifier, build, app");
  assert_config_error (HEAD "  \"app\": {\"windows\": [{`\"a b\\\"\": 1}]}\n}",
                       "app.windows[0][\"a b\\\"\"]", "unknown key; Keel accepts here: label,");
  /* A long key is cut short in the message. */
  g_autofree char *long_key = g_strnfill (5000, 'k');
  g_autofree char *marked = g_strdup_printf ("{\n  `\"%s\": 1\n}", long_key);
  g_autofree char *shown = g_strdup_printf ("[\"%.60s\"…]", long_key);
  assert_config_error (marked, shown, "unknown key; Keel accepts here: ");
  /* An implemented key written with an escape is still that key... */
  assert_config_error (HEAD "  \"app\": {\"windows\": [{\"\\u0077idth\": `\"800\"}]}\n}",
                       "app.windows[0].width", "expected a positive number, got the string \"800\"");
  /* ...and an unknown one is found by its decoded name. */
  assert_config_error (HEAD "  \"app\": {\"windows\": [{`\"\\u0077dith\": 1}]}\n}",
                       "app.windows[0].wdith", "did you mean `width`?");
}

static void
test_error_first_wins (void)
{
  /* Problems are reported in document order, whatever their kind. */
  assert_config_error ("{\n  \"app\": {\"windows\": [{\"width\": `false}]},\n"
                       "  \"identifier\": 5\n}",
                       "app.windows[0].width", "got false");
  assert_config_error ("{\n  \"identifier\": `5,\n  \"app\": {\"windows\": [{\"width\": false}]}\n}",
                       "identifier", "got the number 5");
}

/* The text handed over is exactly the JSON, with garbage (not NUL) after it. */
static void
test_not_nul_terminated (void)
{
  const char *json = "{\"identifier\": \"a.b\", \"build\": {\"frontendDist\": \"d\"}, "
                     "\"app\": {\"windows\": [{\"width\": 100}]}}";
  gsize length = strlen (json);
  g_autofree char *buffer = g_malloc (length + 8);
  memcpy (buffer, json, length);
  memset (buffer + length, '}', 8);

  g_autoptr (GError) error = NULL;
  g_autoptr (KeelConfig) config = keel__config_parse (buffer, length, SOURCE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (((KeelWindowConfig *) g_ptr_array_index (config->windows, 0))->width, ==, 100);

  /* An error near the end must not look past it either. */
  const char *bad = "{\"identifier\": \"a.b\", \"build\": {\"frontendDist\": \"d\"}, \"x\": 1";
  g_autofree char *exact = g_malloc (strlen (bad));
  memcpy (exact, bad, strlen (bad));
  g_autoptr (KeelConfig) none = keel__config_parse (exact, strlen (bad), SOURCE, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
}

static void
test_too_large (void)
{
  const char *json = "{\"identifier\": \"a.b\", \"build\": {\"frontendDist\": \"d\"}}";
  gsize length = KEEL_CONFIG_MAX_SIZE;
  g_autofree char *text = g_malloc (length + 1);
  memset (text, ' ', length + 1);
  memcpy (text, json, strlen (json));

  g_autoptr (GError) error = NULL;
  g_autoptr (KeelConfig) config = keel__config_parse (text, length, SOURCE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);

  g_autoptr (KeelConfig) refused = keel__config_parse (text, length + 1, SOURCE, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE);
  check_message (error, SOURCE ": 1048577 bytes is more than the 1048576 bytes (1 MiB)", NULL);
}

/* ---- Files ---- */

static void
test_load_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("keel-config-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *file = g_build_filename (dir, "keel.json", NULL);
  const char *json = "{\"identifier\": \"a.b\", \"build\": {\"frontendDist\": \"../dist\"}}";
  g_assert_true (g_file_set_contents (file, json, -1, &error));

  g_autoptr (KeelConfig) from_dir = keel__config_load_file (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from_dir->source_name, ==, file);
  g_assert_cmpstr (from_dir->base_dir, ==, dir);
  g_assert_cmpstr (from_dir->frontend_dist, ==, "../dist");

  g_autoptr (KeelConfig) from_file = keel__config_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from_file->source_name, ==, file);
  g_assert_cmpstr (from_file->base_dir, ==, dir);

  /* Errors in a loaded file name it. */
  g_autofree char *other = g_build_filename (dir, "other.json", NULL);
  g_assert_true (g_file_set_contents (other, "{\n  \"identifier\": \"a\"\n}", -1, &error));
  g_autoptr (KeelConfig) invalid = keel__config_load_file (other, &error);
  g_assert_null (invalid);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_autofree char *prefix = g_strdup_printf ("%s:2:17: identifier: ", other);
  check_message (error, prefix, "at least two segments");
  g_clear_error (&error);

  /* Too large: refused before being read. */
  g_autofree char *big = g_build_filename (dir, "big.json", NULL);
  g_autofree char *spaces = g_strnfill (KEEL_CONFIG_MAX_SIZE + 1, ' ');
  g_assert_true (g_file_set_contents (big, spaces, -1, &error));
  g_autoptr (KeelConfig) too_large = keel__config_load_file (big, &error);
  g_assert_null (too_large);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE);
  check_message (error, big, "1 MiB");
  g_clear_error (&error);

  /* A directory without keel.json. */
  g_autofree char *empty_dir = g_build_filename (dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (empty_dir, 0700), ==, 0);
  g_autoptr (KeelConfig) missing_in_dir = keel__config_load_file (empty_dir, &error);
  g_assert_null (missing_in_dir);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND);
  g_autofree char *expected_missing = g_build_filename (empty_dir, "keel.json", NULL);
  check_message (error, expected_missing, ": no such file");
  g_clear_error (&error);

  g_assert_cmpint (g_remove (big), ==, 0);
  g_assert_cmpint (g_remove (other), ==, 0);
  g_assert_cmpint (g_remove (file), ==, 0);
  g_assert_cmpint (g_rmdir (empty_dir), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_load_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelConfig) config = keel__config_load_file ("/nonexistent/dir/keel.json", &error);
  g_assert_null (config);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND);
  check_message (error, "/nonexistent/dir/keel.json: no such file", NULL);
  g_clear_error (&error);

  g_autoptr (KeelConfig) device = keel__config_load_file ("/dev/null", &error);
  g_assert_null (device);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "/dev/null: not a regular file", NULL);
}

/* ---- Window objects from code ---- */

static void
test_window_from_json (void)
{
  g_autoptr (GError) error = NULL;
  json_t *object = json_pack ("{s:s, s:i, s:b}", "label", "settings", "width", 400, "center", 1);
  g_autoptr (KeelWindowConfig) window = keel__window_config_from_json (object, "options", "My App",
                                                                       &error);
  json_decref (object);
  g_assert_no_error (error);
  g_assert_cmpstr (window->label, ==, "settings");
  g_assert_cmpstr (window->title, ==, "My App");
  g_assert_cmpstr (window->url, ==, "index.html");
  g_assert_cmpfloat (window->width, ==, 400);
  g_assert_cmpfloat (window->height, ==, 600);
  g_assert_true (window->center);

  g_autoptr (KeelWindowConfig) copy = keel__window_config_copy (window);
  g_assert_true (copy->label != window->label);
  g_assert_cmpstr (copy->label, ==, "settings");
  g_assert_cmpstr (copy->title, ==, "My App");
  g_assert_cmpstr (copy->url, ==, "index.html");
  g_assert_cmpfloat (copy->width, ==, 400);
  g_assert_true (copy->center);

  object = json_object ();
  g_autoptr (KeelWindowConfig) untitled = keel__window_config_from_json (object, NULL, NULL, NULL);
  json_decref (object);
  g_assert_cmpstr (untitled->title, ==, "Keel");

  keel__window_config_free (NULL);
  keel__config_free (NULL);
}

static void
test_window_from_json_errors (void)
{
  g_autoptr (GError) error = NULL;
  json_t *object = json_pack ("{s:s, s:s}", "label", "x", "width", "800");
  KeelWindowConfig *window = keel__window_config_from_json (object, "options", NULL, &error);
  json_decref (object);
  g_assert_null (window);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "options.width: expected a positive number, got the string \"800\"");
  g_clear_error (&error);

  object = json_pack ("{s:i}", "widht", 1);
  window = keel__window_config_from_json (object, NULL, NULL, &error);
  json_decref (object);
  g_assert_null (window);
  g_assert_cmpstr (error->message, ==, "widht: unknown key; did you mean `width`?");
  g_clear_error (&error);

  object = json_string ("main");
  window = keel__window_config_from_json (object, "options", NULL, &error);
  json_decref (object);
  g_assert_null (window);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_INVALID);
  check_message (error, "options: expected a window object", NULL);
  g_clear_error (&error);

  /* Tauri-only keys are logged, not refused. */
  object = json_pack ("{s:b}", "transparent", 1);
  g_test_expect_message ("Keel", G_LOG_LEVEL_MESSAGE,
                         "options.transparent: not implemented by Keel, ignored");
  window = keel__window_config_from_json (object, "options", NULL, &error);
  g_test_assert_expected_messages ();
  json_decref (object);
  g_assert_no_error (error);
  keel__window_config_free (window);
}

/* keel.webProcess: Keel's own section for the web process lifecycle. */
static void
test_keel_section (void)
{
  g_autoptr (KeelConfig) defaults = parse_valid (HEAD "  \"app\": {}\n}");
  g_assert_cmpint (defaults->hang_timeout_ms, ==, KEEL_DEFAULT_HANG_TIMEOUT_MS);
  g_assert_cmpint (defaults->memory_limit_mb, ==, 0);
  g_assert_cmpint (defaults->crash_loop_max_restarts, ==, KEEL_DEFAULT_CRASH_LOOP_MAX_RESTARTS);
  g_assert_cmpint (defaults->crash_loop_period_s, ==, KEEL_DEFAULT_CRASH_LOOP_PERIOD_S);

  g_autoptr (KeelConfig) set = parse_valid (
    HEAD "  \"keel\": {\"webProcess\": {\"hangTimeoutMs\": 1500, \"memoryLimitMB\": 512,\n"
    "    \"crashLoop\": {\"maxRestarts\": 5, \"periodSeconds\": 30}}}\n}");
  g_assert_cmpint (set->hang_timeout_ms, ==, 1500);
  g_assert_cmpint (set->memory_limit_mb, ==, 512);
  g_assert_cmpint (set->crash_loop_max_restarts, ==, 5);
  g_assert_cmpint (set->crash_loop_period_s, ==, 30);

  /* 0 turns hang detection off. */
  g_autoptr (KeelConfig) off
    = parse_valid (HEAD "  \"keel\": {\"webProcess\": {\"hangTimeoutMs\": 0}}\n}");
  g_assert_cmpint (off->hang_timeout_ms, ==, 0);

  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"hangTimeoutMs\": `100}}\n}",
                       "keel.webProcess.hangTimeoutMs",
                       "expected a whole number of milliseconds from 200 to 600000 (or 0 to turn "
                       "it off), got the number 100");
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"hangTimeoutMs\": `\"5s\"}}\n}",
                       "keel.webProcess.hangTimeoutMs", "got the string \"5s\"");
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"hangTimeoutMs\": `1500.5}}\n}",
                       "keel.webProcess.hangTimeoutMs", "whole number");
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"memoryLimitMB\": `10}}\n}",
                       "keel.webProcess.memoryLimitMB", "from 64 to");
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"crashLoop\": {\"maxRestarts\": `0}}}\n}",
                       "keel.webProcess.crashLoop.maxRestarts", "from 1 to");
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {`\"hangTimeout\": 1000}}\n}",
                       "keel.webProcess.hangTimeout", "did you mean `hangTimeoutMs`?");
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": `true}\n}", "keel.webProcess",
                       "expected an object");
}

/* keel.webProcess.painting: one of three words, "auto" when absent. */
static void
test_painting (void)
{
  g_autoptr (KeelConfig) defaults = parse_valid (HEAD "  \"app\": {}\n}");
  g_assert_cmpint (defaults->painting, ==, KEEL_PAINTING_AUTO);
  const struct
  {
    const char *word;
    KeelPainting painting;
  } cases[] = { { "auto", KEEL_PAINTING_AUTO }, { "cpu", KEEL_PAINTING_CPU },
                { "gpu", KEEL_PAINTING_GPU } };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf (
        HEAD "  \"keel\": {\"webProcess\": {\"painting\": \"%s\"}}\n}", cases[i].word);
      g_autoptr (KeelConfig) config = parse_valid (text);
      g_assert_cmpint (config->painting, ==, cases[i].painting);
    }
  const char *expected = "expected one of \"auto\", \"cpu\", \"gpu\", got ";
  g_autofree char *word = g_strconcat (expected, "the string \"GPU\"", NULL);
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"painting\": `\"GPU\"}}\n}",
                       "keel.webProcess.painting", word);
  g_autofree char *boolean = g_strconcat (expected, "true", NULL);
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"painting\": `true}}\n}",
                       "keel.webProcess.painting", boolean);
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"painting\": `null}}\n}",
                       "keel.webProcess.painting", "got null");
}

/* Deep nesting: jansson refuses keel.json past 2048 levels (it counts
 * every value) instead of recursing without bound, and the message says so;
 * the locator walks any depth without recursion. */
static void
test_deep_nesting (void)
{
  GString *text = g_string_new (HEAD "  \"$schema\": ");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, ']');
  g_string_append (text, "\n}");
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelConfig) config = keel__config_parse (text->str, text->len, SOURCE, "/app", &error);
  g_assert_null (config);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  /* The top object is level 1: the 2048th '[' (column 14 + 2047) is one too many. */
  check_message (error, SOURCE ":4:2061: invalid JSON: maximum parsing depth reached",
                 "may nest at most 2048 levels deep");
  g_string_free (text, TRUE);

  /* What parses is kept or ignored as given, never walked level by level. */
  g_autofree char *arrays = g_strnfill (2040, '[');
  g_autofree char *closing = g_strnfill (2040, ']');
  g_autofree char *capabilities = g_strdup_printf (
    HEAD "  \"app\": {\"security\": {\"capabilities\": %s%s}}\n}", arrays, closing);
  g_autoptr (KeelConfig) deep = parse_valid (capabilities);
  g_assert_true (json_is_array (deep->capabilities));

  /* The locator on the deepest text jansson parses: skipping an element
   * counts brackets, it does not recurse. */
  gsize depth = JSON_PARSER_MAX_DEPTH - 2; /* with the wrapping array, the most jansson nests */
  g_autofree char *open = g_strnfill (depth, '[');
  g_autofree char *close = g_strnfill (depth, ']');
  g_autofree char *million = g_strconcat (open, "1", close, ",2]", NULL);
  g_autofree char *wrapped = g_strconcat ("[", million, NULL);
  const char *const first[] = { "0", NULL };
  const char *const second[] = { "1", NULL };
  const char *const inner[] = { "0", "0", "0", "0", "0", "0", "0", "0", NULL };
  int line = 0, column = 0;
  g_assert_true (keel__json_locate (wrapped, strlen (wrapped), first, &line, &column));
  g_assert_cmpint (column, ==, 2);
  g_assert_true (keel__json_locate (wrapped, strlen (wrapped), second, &line, &column));
  g_assert_cmpint (column, ==, (int) (2 * depth + 4));
  g_assert_true (keel__json_locate (wrapped, strlen (wrapped), inner, &line, &column));
  g_assert_cmpint (column, ==, 9);
  /* Unclosed: found nothing, read nothing past the end. */
  g_assert_false (keel__json_locate (open, depth, second, &line, &column));
}

/* keel.webview: settings of every window's web view, off by default. */
static void
test_keel_webview (void)
{
  g_autoptr (KeelConfig) defaults = parse_valid (HEAD "  \"app\": {}\n}");
  g_assert_false (defaults->media_capture);
  g_assert_false (defaults->back_forward_cache);
  g_autoptr (KeelConfig) on
    = parse_valid (HEAD "  \"keel\": {\"webview\": {\"mediaCapture\": true}}\n}");
  g_assert_true (on->media_capture);
  g_assert_false (on->back_forward_cache);
  g_autoptr (KeelConfig) cache
    = parse_valid (HEAD "  \"keel\": {\"webview\": {\"backForwardCache\": true}}\n}");
  g_assert_true (cache->back_forward_cache);
  g_assert_false (cache->media_capture);

  g_autoptr (GError) error = NULL;
  g_autoptr (KeelConfig) refused
    = parse (HEAD "  \"keel\": {\"webview\": {\"mediaCapture\": \"yes\"}}\n}", &error);
  g_assert_null (refused);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "keel.webview.mediaCapture: expected"));
  g_assert_nonnull (strstr (error->message, "the string \"yes\""));

  g_clear_error (&error);
  g_autoptr (KeelConfig) typo
    = parse (HEAD "  \"keel\": {\"webview\": {\"mediaCaptur\": true}}\n}", &error);
  g_assert_null (typo);
  g_assert_nonnull (strstr (error->message, "did you mean `mediaCapture`?"));

  g_clear_error (&error);
  g_autoptr (KeelConfig) number
    = parse (HEAD "  \"keel\": {\"webview\": {\"backForwardCache\": 1}}\n}", &error);
  g_assert_null (number);
  g_assert_nonnull (strstr (error->message, "keel.webview.backForwardCache: expected"));
}

static void
test_keel_ipc (void)
{
  g_autoptr (KeelConfig) defaults = parse_valid (HEAD "  \"app\": {}\n}");
  g_assert_cmpint (defaults->max_message_size, ==, 64 * 1024 * 1024);
  g_autoptr (KeelConfig) empty = parse_valid (HEAD "  \"keel\": {\"ipc\": {}}\n}");
  g_assert_cmpint (empty->max_message_size, ==, 64 * 1024 * 1024);

  g_autoptr (KeelConfig) set
    = parse_valid (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": 65536}}\n}");
  g_assert_cmpint (set->max_message_size, ==, 65536);

  /* Both bounds are accepted; 1e3 * 1024 is a whole number written as a real. */
  g_autoptr (KeelConfig) lowest
    = parse_valid (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": 1024}}\n}");
  g_assert_cmpint (lowest->max_message_size, ==, 1024);
  g_autoptr (KeelConfig) highest
    = parse_valid (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": 1073741824}}\n}");
  g_assert_cmpint (highest->max_message_size, ==, 1073741824);
  g_autoptr (KeelConfig) real
    = parse_valid (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": 1.024e6}}\n}");
  g_assert_cmpint (real->max_message_size, ==, 1024000);

  /* The whole message once, then each way to get it wrong. */
  g_autofree char *text = g_strdup (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": 1023}}\n}");
  g_autoptr (GError) error = NULL;
  g_autoptr (KeelConfig) refused = parse (text, &error);
  g_assert_null (refused);
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   SOURCE ":4:38: keel.ipc.maxMessageSize: expected a whole number of bytes "
                   "from 1024 to 1073741824, got the number 1023");

  assert_config_error (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": `1073741825}}\n}",
                       "keel.ipc.maxMessageSize", "from 1024 to 1073741824, got the number 1073741825");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": `0}}\n}",
                       "keel.ipc.maxMessageSize", "got the number 0");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": `-4096}}\n}",
                       "keel.ipc.maxMessageSize", "got the number -4096");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": `1e12}}\n}",
                       "keel.ipc.maxMessageSize", "expected a whole number of bytes");
  /* Beyond any integer type: refused, without casting it to one first (the
   * cast is undefined; UBSan stopped here in fuzz-config). */
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": `3214e48}}\n}",
                       "keel.ipc.maxMessageSize", "got the number 3.214e+51");
  assert_config_error (HEAD "  \"keel\": {\"webProcess\": {\"hangTimeoutMs\": `-1e300}}\n}",
                       "keel.webProcess.hangTimeoutMs", "got the number -1e+300");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": `4096.5}}\n}",
                       "keel.ipc.maxMessageSize", "whole number");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": `\"64MiB\"}}\n}",
                       "keel.ipc.maxMessageSize", "got the string \"64MiB\"");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {\"maxMessageSize\": `null}}\n}",
                       "keel.ipc.maxMessageSize", "got null");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {`\"maxMessageBytes\": 4096}}\n}",
                       "keel.ipc.maxMessageBytes", "unknown key; Keel accepts here: maxMessageSize");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": {`\"maxMesageSize\": 4096}}\n}",
                       "keel.ipc.maxMesageSize", "did you mean `maxMessageSize`?");
  assert_config_error (HEAD "  \"keel\": {\"ipc\": `4096}\n}", "keel.ipc", "expected an object");
  assert_config_error (HEAD "  \"keel\": {`\"ipcs\": {}}\n}", "keel.ipcs", "did you mean `ipc`?");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-locate/values", test_locate_values);
  g_test_add_func ("/json-locate/keys", test_locate_keys);
  g_test_add_func ("/json-locate/escaped-keys", test_locate_escaped_keys);
  g_test_add_func ("/json-locate/not-found", test_locate_not_found);
  g_test_add_func ("/json-locate/unterminated", test_locate_unterminated);
  g_test_add_func ("/json-locate/offsets", test_locate_offsets);

  g_test_add_func ("/config/full", test_full_config);
  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/nulls", test_nulls);
  g_test_add_func ("/config/csp-object", test_csp_object);
  g_test_add_func ("/config/csp-exceptions", test_csp_exceptions);
  g_test_add_func ("/config/warnings", test_warnings);
  g_test_add_func ("/config/many-warnings", test_many_warnings);

  g_test_add_func ("/config/error/exact-message", test_error_exact_message);
  g_test_add_func ("/config/error/syntax", test_error_syntax);
  g_test_add_func ("/config/error/duplicate-key", test_error_duplicate_key);
  g_test_add_func ("/config/error/top-level", test_error_top_level);
  g_test_add_func ("/config/error/identifier", test_error_identifier);
  g_test_add_func ("/config/error/build", test_error_build);
  g_test_add_func ("/config/error/window-values", test_error_window_values);
  g_test_add_func ("/config/error/window-structure", test_error_window_structure);
  g_test_add_func ("/config/error/duplicate-labels", test_error_duplicate_labels);
  g_test_add_func ("/config/error/security", test_error_security);
  g_test_add_func ("/config/error/unknown-keys", test_error_unknown_keys);
  g_test_add_func ("/config/error/first-wins", test_error_first_wins);
  g_test_add_func ("/config/not-nul-terminated", test_not_nul_terminated);
  g_test_add_func ("/config/too-large", test_too_large);
  g_test_add_func ("/config/deep-nesting", test_deep_nesting);

  g_test_add_func ("/config/load-file", test_load_file);
  g_test_add_func ("/config/load-missing-file", test_load_missing_file);

  g_test_add_func ("/config/keel-section", test_keel_section);
  g_test_add_func ("/config/painting", test_painting);
  g_test_add_func ("/config/keel-ipc", test_keel_ipc);
  g_test_add_func ("/config/keel-webview", test_keel_webview);
  g_test_add_func ("/window-config/from-json", test_window_from_json);
  g_test_add_func ("/window-config/from-json-errors", test_window_from_json_errors);

  return g_test_run ();
}
