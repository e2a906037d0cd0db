/* Tests of capabilities and permissions (src/core/acl.c).
 *
 * Most tests start from the real manifests of the built-in plugins
 * (plugins/<name>/permissions.json), so that what they grant is what an app
 * gets. Error tests write the document with a '`' just before the place the
 * message must point at (as in test-config.c); the helper removes the mark and
 * works out its line and column. */
#include <glib.h>
#include <string.h>

#include "acl.h"
#include "keel/keel-error.h"
#include "message.h" /* g_autoptr (json_t) */

#define PLUGINS_DIR KEEL_TEST_SRCDIR "/../../plugins"
#define CAPABILITY_SOURCE "capabilities/test.json"
#define MANIFEST_SOURCE "test/permissions.json"
#define CONFIG_SOURCE "keel.json"

/* The real manifests, read once: source names and texts. */
static GPtrArray *manifest_names;
static GPtrArray *manifest_texts;

/* The commands an app registers in most tests. */
static const char *const registered[] = {
  "plugin:window|set_title", "plugin:window|title", "plugin:window|close",
  "plugin:event|listen",     "plugin:event|emit",   "plugin:app|version",
  "plugin:store|get",        "plugin:store|set",    "greet",
  "my_cmd",
};

/* For sorting arrays of strings: GPtrArray passes pointers to elements. */
static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
read_real_manifests (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (PLUGINS_DIR, 0, &error);
  g_assert_no_error (error);

  manifest_names = g_ptr_array_new_with_free_func (g_free);
  manifest_texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) plugins = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (plugins, g_strdup (name));
  /* A fixed order, whatever the file system's. */
  g_ptr_array_sort (plugins, compare_strings);
  for (guint i = 0; i < plugins->len; i++)
    {
      g_autofree char *path = g_build_filename (PLUGINS_DIR, plugins->pdata[i], "permissions.json",
                                                NULL);
      char *text = NULL;
      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      /* The built-in plugins only: an app enables the others (sql, ...). */
      json_t *manifest = json_loads (text, 0, NULL);
      gboolean builtin = g_str_has_prefix (json_string_value (json_object_get (manifest, "plugin")),
                                           "core");
      json_decref (manifest);
      if (!builtin)
        {
          g_free (text);
          continue;
        }
      g_ptr_array_add (manifest_names,
                       g_strdup_printf ("plugins/%s/permissions.json", (char *) plugins->pdata[i]));
      g_ptr_array_add (manifest_texts, text);
    }
  g_assert_cmpuint (manifest_texts->len, ==, 10);
}

static void
add_real_manifests (KeelAcl *acl)
{
  for (guint i = 0; i < manifest_texts->len; i++)
    {
      g_autoptr (GError) error = NULL;
      const char *text = manifest_texts->pdata[i];
      gboolean ok = keel__acl_add_manifest (acl, text, strlen (text), manifest_names->pdata[i],
                                            &error);
      g_assert_no_error (error);
      g_assert_true (ok);
    }
}

static KeelAcl *
acl_with_manifests (void)
{
  KeelAcl *acl = keel__acl_new ();
  add_real_manifests (acl);
  return acl;
}

static void
add_manifest (KeelAcl *acl, const char *text)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = keel__acl_add_manifest (acl, text, strlen (text), MANIFEST_SOURCE, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
add_file (KeelAcl *acl, const char *source_name, const char *text)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = keel__acl_add_capability_file (acl, text, strlen (text), source_name, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Sets app.security.capabilities from a keel.json text. */
static gboolean
set_config (KeelAcl *acl, const char *config_text, GError **error)
{
  json_error_t json_error;
  g_autoptr (json_t) root = json_loads (config_text, 0, &json_error);
  g_assert_nonnull (root);
  json_t *capabilities = json_object_get (json_object_get (json_object_get (root, "app"),
                                                           "security"),
                                          "capabilities");
  return keel__acl_set_config_capabilities (acl, capabilities, config_text, strlen (config_text),
                                            CONFIG_SOURCE, error);
}

static gboolean
finalize_with (KeelAcl *acl, const char *const *commands, guint n_commands, GPtrArray *warnings,
               GError **error)
{
  return keel__acl_finalize (acl, commands, n_commands, warnings, error);
}

/* Finalizes with the usual commands; no warning may come. */
static void
finalize_ok (KeelAcl *acl)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  gboolean ok = finalize_with (acl, registered, G_N_ELEMENTS (registered), warnings, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  for (guint i = 0; i < warnings->len; i++)
    g_test_fail_printf ("unexpected warning: %s", (char *) warnings->pdata[i]);
}

/* The real manifests, `manifest` (if any) and one capability file, finalized. */
static KeelAcl *
acl_of (const char *manifest, const char *capability)
{
  KeelAcl *acl = acl_with_manifests ();
  if (manifest != NULL)
    add_manifest (acl, manifest);
  add_file (acl, CAPABILITY_SOURCE, capability);
  finalize_ok (acl);
  return acl;
}

static KeelAclCaller
local_caller (const char *window)
{
  KeelAclCaller caller = { window, window, "keel://localhost/index.html", TRUE };
  return caller;
}

static KeelAclCaller
remote_caller (const char *window, const char *url)
{
  KeelAclCaller caller = { window, window, url, FALSE };
  return caller;
}

static gboolean
is_allowed (KeelAcl *acl, const KeelAclCaller *caller, const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (json_t) allow = NULL;
  g_autoptr (json_t) deny = NULL;
  gboolean ok = keel__acl_check (acl, caller, command, &allow, &deny, &error);
  if (ok)
    {
      g_assert_no_error (error);
      g_assert_true (json_is_array (allow));
      g_assert_true (json_is_array (deny));
    }
  else
    {
      g_assert_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN);
      g_assert_null (allow);
      g_assert_null (deny);
    }
  return ok;
}

static void
assert_allowed (KeelAcl *acl, const KeelAclCaller *caller, const char *command)
{
  g_autoptr (GError) error = NULL;
  if (!keel__acl_check (acl, caller, command, NULL, NULL, &error))
    g_test_fail_printf ("%s was refused to window \"%s\": %s", command,
                        caller->window_label != NULL ? caller->window_label : "(none)",
                        error->message);
  /* With the scopes asked for too. */
  g_assert_true (is_allowed (acl, caller, command));
}

/* Asserts a refusal whose message contains every one of the gists (a NULL
 * terminated list). */
G_GNUC_NULL_TERMINATED static void
assert_refused (KeelAcl *acl, const KeelAclCaller *caller, const char *command, ...)
{
  g_autoptr (GError) error = NULL;
  if (keel__acl_check (acl, caller, command, NULL, NULL, &error))
    {
      g_test_fail_printf ("%s was allowed to window \"%s\"", command,
                          caller->window_label != NULL ? caller->window_label : "(none)");
      return;
    }
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN);
  va_list args;
  va_start (args, command);
  for (const char *gist = va_arg (args, const char *); gist != NULL;
       gist = va_arg (args, const char *))
    {
      if (strstr (error->message, gist) == NULL)
        g_test_fail_printf ("expected a refusal containing\n  %s\ngot\n  %s", gist,
                            error->message);
    }
  va_end (args);
  g_assert_false (is_allowed (acl, caller, command));
}

/* Removes the '`' mark from `marked` and returns the text, with the mark's
 * line and column. */
static char *
unmark (const char *marked, int *line, int *column)
{
  const char *mark = strchr (marked, '`');
  g_assert_nonnull (mark);
  g_assert_true (strrchr (marked, '`') == mark); /* one mark only */

  *line = 1;
  const char *line_start = marked;
  for (const char *p = marked; p < mark; p++)
    {
      if (*p == '\n')
        {
          (*line)++;
          line_start = p + 1;
        }
    }
  *column = (int) (mark - line_start) + 1;

  GString *text = g_string_new_len (marked, mark - marked);
  g_string_append (text, mark + 1);
  return g_string_free (text, FALSE);
}

static void
check_message (const GError *error, const char *prefix, const char *gist)
{
  if (!g_str_has_prefix (error->message, prefix))
    g_test_fail_printf ("expected a message starting with\n  %s\ngot\n  %s", prefix,
                        error->message);
  else if (gist != NULL && strstr (error->message + strlen (prefix), gist) == NULL)
    g_test_fail_printf ("expected a message containing\n  %s\ngot\n  %s", gist, error->message);
}

static char *
located_prefix (const char *source, int line, int column, const char *path)
{
  if (*path == '\0')
    return g_strdup_printf ("%s:%d:%d: ", source, line, column);
  return g_strdup_printf ("%s:%d:%d: %s: ", source, line, column, path);
}

/* Asserts that the manifest `marked` is refused at its mark, naming `path`,
 * saying `gist`. The real manifests are loaded first. */
static void
assert_manifest_error (const char *marked, const char *path, const char *gist)
{
  int line = 0, column = 0;
  g_autofree char *text = unmark (marked, &line, &column);
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  g_autoptr (GError) error = NULL;

  g_assert_false (keel__acl_add_manifest (acl, text, strlen (text), MANIFEST_SOURCE, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_autofree char *prefix = located_prefix (MANIFEST_SOURCE, line, column, path);
  check_message (error, prefix, gist);
}

/* The app manifest most capability tests use beside the real ones. */
static const char app_manifest[] =
  "{\n"
  "  \"commands\": [\"greet\", \"save_note\"],\n"
  "  \"default\": {\"permissions\": [\"allow-greet\"]}\n"
  "}\n";

/* Asserts that the capability file `marked` is refused, when added or when
 * the ACL is finalized, at its mark, naming `path`, saying `gist`. */
static void
assert_capability_error (const char *marked, const char *path, const char *gist)
{
  int line = 0, column = 0;
  g_autofree char *text = unmark (marked, &line, &column);
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_manifest (acl, app_manifest);
  g_autoptr (GError) error = NULL;

  if (keel__acl_add_capability_file (acl, text, strlen (text), CAPABILITY_SOURCE, &error))
    g_assert_false (finalize_with (acl, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_autofree char *prefix = located_prefix (CAPABILITY_SOURCE, line, column, path);
  check_message (error, prefix, gist);
}

/* Asserts that keel.json `marked` (its app.security.capabilities) is refused,
 * when set or at finalize, at its mark. `files` are capability files added
 * first (NULL-terminated, may be NULL). */
static void
assert_config_error (const char *const *files, const char *marked, const char *path,
                     const char *gist)
{
  int line = 0, column = 0;
  g_autofree char *text = unmark (marked, &line, &column);
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_manifest (acl, app_manifest);
  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("capabilities/file-%u.json", i);
      add_file (acl, name, files[i]);
    }
  g_autoptr (GError) error = NULL;

  if (set_config (acl, text, &error))
    g_assert_false (finalize_with (acl, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_autofree char *prefix = located_prefix (CONFIG_SOURCE, line, column, path);
  check_message (error, prefix, gist);
}

static json_t *
json (const char *text)
{
  json_error_t json_error;
  json_t *value = json_loads (text, 0, &json_error);
  if (value == NULL)
    g_error ("bad JSON in a test: %s: %s", text, json_error.text);
  return value;
}

static void
assert_json (json_t *actual, const char *expected_text)
{
  g_autoptr (json_t) expected = json (expected_text);
  if (!json_equal (actual, expected))
    {
      g_autofree char *text = json_dumps (actual, JSON_COMPACT | JSON_ENCODE_ANY);
      g_test_fail_printf ("expected %s, got %s", expected_text, text);
    }
}

/* Checks that `command` is allowed to `caller` with exactly these scopes. */
static void
assert_scopes (KeelAcl *acl, const KeelAclCaller *caller, const char *command,
               const char *allow_text, const char *deny_text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (json_t) allow = NULL;
  g_autoptr (json_t) deny = NULL;
  if (!keel__acl_check (acl, caller, command, &allow, &deny, &error))
    {
      g_test_fail_printf ("%s was refused: %s", command, error->message);
      return;
    }
  assert_json (allow, allow_text);
  assert_json (deny, deny_text);
}

/* ---- Manifests ---- */

/* Every command of every real manifest has its allow- and deny- permission,
 * and core:default allows exactly what the default sets list. */
static void
test_manifest_real (void)
{
  g_autoptr (GString) capability = g_string_new ("{\"identifier\": \"all\", \"windows\": "
                                                 "[\"all\"], \"permissions\": [\"core:default\"");
  g_autoptr (GPtrArray) in_default = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) not_in_default = g_ptr_array_new_with_free_func (g_free);
  guint n_commands = 0;

  for (guint i = 0; i < manifest_texts->len; i++)
    {
      g_autoptr (json_t) manifest = json (manifest_texts->pdata[i]);
      const char *plugin = json_string_value (json_object_get (manifest, "plugin"));
      g_assert_nonnull (plugin);
      if (strcmp (plugin, "core") == 0)
        {
          g_assert_cmpuint (json_array_size (json_object_get (manifest, "commands")), ==, 0);
          continue;
        }
      g_assert_true (g_str_has_prefix (plugin, "core:"));
      json_t *defaults = json_object_get (json_object_get (manifest, "default"), "permissions");
      gsize j;
      json_t *command;
      json_array_foreach (json_object_get (manifest, "commands"), j, command)
        {
          g_autofree char *kebab = g_strdelimit (g_strdup (json_string_value (command)), "_", '-');
          g_autofree char *allow = g_strdup_printf ("allow-%s", kebab);
          g_string_append_printf (capability, ", \"%s:allow-%s\", \"%s:deny-%s\"", plugin, kebab,
                                  plugin, kebab);
          gboolean listed = FALSE;
          gsize k;
          json_t *member;
          json_array_foreach (defaults, k, member)
            listed = listed || strcmp (json_string_value (member), allow) == 0;
          g_ptr_array_add (listed ? in_default : not_in_default,
                           g_strdup_printf ("plugin:%s|%s", plugin + 5, json_string_value (command)));
          n_commands++;
        }
    }
  g_string_append (capability, "]}");
  /* The counts of docs/permissions.md. */
  g_assert_cmpuint (n_commands, ==, 16 + 4 + 8 + 79 + 18 + 5 + 22 + 1 + 12);
  g_assert_cmpuint (in_default->len, ==, 8 + 4 + 8 + 28 + 4 + 5 + 22 + 1 + 12);

  /* Every allow- and deny- permission exists: the capability finalizes. The
   * denies win, so that window may call nothing. */
  g_autoptr (KeelAcl) all = acl_of (NULL, capability->str);
  KeelAclCaller caller = local_caller ("all");
  for (guint i = 0; i < in_default->len; i++)
    assert_refused (all, &caller, in_default->pdata[i], "a deny wins", NULL);

  /* core:default allows what the default sets list, and nothing else. */
  g_autoptr (KeelAcl) acl = acl_of (NULL, "{\"identifier\": \"main\", \"windows\": [\"main\"], "
                                          "\"permissions\": [\"core:default\"]}");
  caller = local_caller ("main");
  for (guint i = 0; i < in_default->len; i++)
    assert_allowed (acl, &caller, in_default->pdata[i]);
  for (guint i = 0; i < not_in_default->len; i++)
    assert_refused (acl, &caller, not_in_default->pdata[i], "no capability of window \"main\"",
                    NULL);
}

static void
test_manifest_valid_shapes (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  /* Every key, a third-party plugin. */
  add_manifest (acl, "{\n"
                     "  \"$schema\": \"../schemas/permissions.json\",\n"
                     "  \"plugin\": \"my-store2\",\n"
                     "  \"description\": \"Stores things.\",\n"
                     "  \"commands\": [\"get\", \"set\", \"Weird-Name_2\"],\n"
                     "  \"default\": {\"description\": \"Reads.\", \"permissions\": [\"allow-get\"]},\n"
                     "  \"permissions\": [\n"
                     "    {\"identifier\": \"rw\", \"description\": \"Both.\",\n"
                     "     \"commands\": {\"allow\": [\"get\", \"set\"], \"deny\": []},\n"
                     "     \"scope\": {\"allow\": [{\"key\": \"a\"}], \"deny\": null}},\n"
                     "    {\"identifier\": \"scope-only\", \"scope\": {\"deny\": [\"x\"]}},\n"
                     "    {\"identifier\": \"scope-empty\", \"scope\": {\"allow\": []}}\n"
                     "  ],\n"
                     "  \"sets\": [\n"
                     "    {\"identifier\": \"everything\", \"description\": \"All.\",\n"
                     "     \"permissions\": [\"rw\", \"default\", \"scope-only\", \"core:default\"]},\n"
                     "    {\"identifier\": \"empty\", \"permissions\": []}\n"
                     "  ]\n"
                     "}\n");
  /* The app's own, with nothing but commands; and a manifest with no key at all
   * for another plugin. */
  add_manifest (acl, "{\"commands\": [\"greet\"]}");
  add_manifest (acl, "{\"plugin\": \"bare\"}");
  add_file (acl, CAPABILITY_SOURCE,
            "{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": "
            "[\"my-store2:everything\", \"my-store2:empty\", \"my-store2:allow-Weird-Name-2\", "
            "\"allow-greet\", \"my-store2:deny-Weird-Name-2\"]}");
  const char *const commands[] = { "greet" };
  g_autoptr (GError) error = NULL;
  g_assert_true (finalize_with (acl, commands, 1, NULL, &error));
  g_assert_no_error (error);

  KeelAclCaller caller = local_caller ("main");
  assert_scopes (acl, &caller, "plugin:my-store2|get", "[{\"key\": \"a\"}]", "[\"x\"]");
  assert_scopes (acl, &caller, "plugin:my-store2|set", "[{\"key\": \"a\"}]", "[\"x\"]");
  assert_allowed (acl, &caller, "plugin:window|title"); /* through core:default */
  assert_allowed (acl, &caller, "greet");
  /* Names keep their case; only '_' becomes '-'. */
  assert_refused (acl, &caller, "plugin:my-store2|Weird-Name_2",
                  "by my-store2:deny-Weird-Name-2 (capability \"main\")", NULL);
}

static void
test_manifest_not_object (void)
{
  assert_manifest_error ("`[]", "", "expected a permission manifest object");
  assert_manifest_error ("  `[{\"plugin\": \"store\"}]", "", "got an array");
}

static void
test_manifest_unknown_keys (void)
{
  assert_manifest_error ("{\"plugin\": \"store\", `\"comands\": []}", "comands",
                         "unknown key; did you mean `commands`?");
  assert_manifest_error ("{\"plugin\": \"store\",\n  `\"Default\": {}}", "Default",
                         "unknown key; did you mean `default`?");
  assert_manifest_error ("{`\"frobnicate\": 1}", "frobnicate",
                         "unknown key; allowed here: $schema, plugin, description, commands, "
                         "default, permissions, sets");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"commands\": {\"allow\": [\"get\"]}, `\"scopes\": {}}]}",
                         "permissions[0].scopes", "did you mean `scope`?");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"commands\": {`\"alow\": [\"get\"]}}]}",
                         "permissions[0].commands.alow", "did you mean `allow`?");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"scope\": {`\"denny\": []}}]}",
                         "permissions[0].scope.denny", "did you mean `deny`?");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"scope\": {`\"denied\": []}}]}",
                         "permissions[0].scope.denied", "unknown key; allowed here: allow, deny");
  assert_manifest_error ("{\"plugin\": \"store\", \"sets\": [{\"identifier\": \"a\", "
                         "`\"permission\": []}]}",
                         "sets[0].permission", "did you mean `permissions`?");
  assert_manifest_error ("{\"plugin\": \"store\", \"default\": {`\"perms\": []}}",
                         "default.perms", "unknown key; allowed here: identifier, description, "
                                          "permissions");
}

static void
test_manifest_plugin_names (void)
{
  static const char *const bad[] = {
    "Store", "my_store", "-store", "store-", "st ore", "window", "event", "core:nonexistent",
    "core:", "core:core", "core:Window", "fs:x", "é",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *marked = g_strdup_printf ("{\"plugin\": `\"%s\", \"commands\": []}", bad[i]);
      g_autofree char *gist = g_strdup_printf ("\"%s\" is not a plugin name: use lowercase "
                                               "letters, digits and '-' (e.g. \"store\"), or "
                                               "\"core:<name>\" for Keel's core plugins (app, "
                                               "event, image, menu, path, resources, tray, "
                                               "webview, window)",
                                               bad[i]);
      assert_manifest_error (marked, "plugin", gist);
    }
  assert_manifest_error ("{\"plugin\": `\"\"}", "plugin", "\"\" is not a plugin name");
  assert_manifest_error ("{\"plugin\": `5}", "plugin", "expected a string, got the number 5");
  assert_manifest_error ("{\"plugin\": `null}", "plugin", "expected a string, got null");
}

static void
test_manifest_duplicate_plugin (void)
{
  /* The real ones are loaded first. */
  assert_manifest_error ("{\"plugin\": `\"core:window\"}", "plugin",
                         "the permissions of plugin \"core:window\" are already defined");
  assert_manifest_error ("{\"plugin\": `\"core\"}", "plugin",
                         "the permissions of plugin \"core\" are already defined");

  g_autoptr (KeelAcl) acl = keel__acl_new ();
  g_autoptr (GError) error = NULL;
  add_manifest (acl, "{\"plugin\": \"store\", \"commands\": [\"get\"]}");
  const char *text = "{\n  \"plugin\": \"store\"}";
  g_assert_false (keel__acl_add_manifest (acl, text, strlen (text), "other.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "other.json:2:13: plugin: the permissions of plugin \"store\" are already "
                   "defined");
  g_clear_error (&error);

  add_manifest (acl, app_manifest);
  text = "{\"commands\": [\"other\"]}";
  g_assert_false (keel__acl_add_manifest (acl, text, strlen (text), "app2.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "app2.json:1:1: the app's own permissions are already defined; put them in "
                   "one manifest");
}

static void
test_manifest_duplicate_permission (void)
{
  /* A permission named like a generated one. */
  assert_manifest_error ("{\"plugin\": \"store\", \"commands\": [\"get\"],\n"
                         "  \"permissions\": [`{\"identifier\": \"allow-get\", "
                         "\"commands\": {\"allow\": [\"get\"]}}]}",
                         "permissions[0]",
                         "the permission \"store:allow-get\" is already defined (in "
                         MANIFEST_SOURCE "); identifiers must be unique");
  /* Twice the same. */
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [\n"
                         "  {\"identifier\": \"a\", \"scope\": {\"allow\": []}},\n"
                         "  `{\"identifier\": \"a\", \"scope\": {\"allow\": []}}]}",
                         "permissions[1]", "the permission \"store:a\" is already defined");
  /* A set named like a permission, and the default set. */
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [\n"
                         "  {\"identifier\": \"a\", \"scope\": {\"allow\": []}}],\n"
                         "  \"sets\": [`{\"identifier\": \"a\", \"permissions\": []}]}",
                         "sets[0]", "the permission \"store:a\" is already defined");
  assert_manifest_error ("{\"plugin\": \"store\", \"default\": {\"permissions\": []},\n"
                         "  \"sets\": [`{\"identifier\": \"default\", \"permissions\": []}]}",
                         "sets[0]", "the permission \"store:default\" is already defined");
  /* Another manifest cannot take a core plugin's identifier: a local
   * identifier has no ':' in it. */
  g_autoptr (KeelAcl) acl = keel__acl_new ();
  add_manifest (acl, "{\"plugin\": \"core:window\", \"commands\": [\"set_title\"]}");
  g_autoptr (GError) error = NULL;
  const char *text = "{\"commands\": [\"set_title\"], \"sets\": [{\"identifier\": "
                     "\"core:window:allow-set-title\", \"permissions\": []}]}";
  g_assert_false (keel__acl_add_manifest (acl, text, strlen (text), "app.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "app.json:1:", "not an identifier");
}

static void
test_manifest_identifiers (void)
{
  static const char *const bad[] = { "Allow-X", "-x", "x-", "a_b", "a:b", "a b", "core:x", "-" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *marked = g_strdup_printf (
        "{\"plugin\": \"store\", \"permissions\": [{\"identifier\": `\"%s\", "
        "\"scope\": {\"allow\": []}}]}",
        bad[i]);
      g_autofree char *gist = g_strdup_printf (
        "\"%s\" is not an identifier: use lowercase letters, digits and '-', e.g. "
        "\"allow-read-config\"; the plugin prefix is added",
        bad[i]);
      assert_manifest_error (marked, "permissions[0].identifier", gist);

      g_free (marked);
      marked = g_strdup_printf ("{\"plugin\": \"store\", \"sets\": [{\"identifier\": `\"%s\", "
                                "\"permissions\": []}]}",
                                bad[i]);
      assert_manifest_error (marked, "sets[0].identifier", gist);
    }
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": `\"\", "
                         "\"scope\": {}}]}",
                         "permissions[0].identifier", "must not be empty");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": `7}]}",
                         "permissions[0].identifier", "expected a string, got the number 7");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [`{\"scope\": {}}]}",
                         "permissions[0]", "the key \"identifier\" is missing");
  assert_manifest_error ("{\"plugin\": \"store\", \"sets\": [`{\"permissions\": []}]}", "sets[0]",
                         "the key \"identifier\" is missing");
}

static void
test_manifest_empty_permission (void)
{
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [`{\"identifier\": \"a\"}]}",
                         "permissions[0]",
                         "the permission neither names commands nor carries a scope; give "
                         "\"commands\": {\"allow\": [...]} or \"scope\"");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [\n"
                         "  `{\"identifier\": \"a\", \"commands\": {}, \"scope\": {}}]}",
                         "permissions[0]", "neither names commands nor carries a scope");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [\n"
                         "  `{\"identifier\": \"a\", \"commands\": {\"allow\": [], \"deny\": []},"
                         " \"scope\": {\"allow\": null}}]}",
                         "permissions[0]", "neither names commands nor carries a scope");
}

static void
test_manifest_core (void)
{
  /* "core" holds only sets: no commands, no permissions. */
  g_autoptr (KeelAcl) acl = keel__acl_new ();
  g_autoptr (GError) error = NULL;
  const char *text = "{\"plugin\": \"core\",\n \"commands\": [\"exit\"]}";
  g_assert_false (keel__acl_add_manifest (acl, text, strlen (text), "core.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "core.json:2:14: commands: the \"core\" manifest holds only sets; commands "
                   "belong to the manifest of their plugin");
  g_clear_error (&error);

  text = "{\"plugin\": \"core\", \"permissions\": [\n"
         "  {\"identifier\": \"x\", \"commands\": {\"allow\": [\"exit\"]}}]}";
  g_assert_false (keel__acl_add_manifest (acl, text, strlen (text), "core.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "core.json:2:3: permissions[0]: ", "the \"core\" manifest holds only sets");
  g_clear_error (&error);

  /* A scope alone would apply to every command of... no plugin: refused too. */
  text = "{\"plugin\": \"core\", \"permissions\": [\n"
         "  {\"identifier\": \"x\", \"scope\": {\"allow\": [\"anything\"]}}]}";
  g_assert_false (keel__acl_add_manifest (acl, text, strlen (text), "core.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "core.json:2:3: permissions[0]: ", "the \"core\" manifest holds only sets");
  g_clear_error (&error);

  /* An empty list is fine. */
  add_manifest (acl, "{\"plugin\": \"core\", \"commands\": [], \"permissions\": [],\n"
                     " \"sets\": [{\"identifier\": \"nothing\", \"permissions\": []}]}");
}

static void
test_manifest_default_identifier (void)
{
  assert_manifest_error ("{\"plugin\": \"store\",\n"
                         "  \"default\": {`\"identifier\": \"default\", \"permissions\": []}}",
                         "default.identifier",
                         "the default set is always named \"default\"; remove the identifier");
  assert_manifest_error ("{\"plugin\": \"store\", \"default\": `[]}", "default",
                         "expected an object {\"identifier\", \"description\", \"permissions\"}, "
                         "got an array");
  assert_manifest_error ("{\"plugin\": \"store\", \"default\": `{}}", "default",
                         "the key \"permissions\" is missing: list the permissions of the set");
  assert_manifest_error ("{\"plugin\": \"store\", \"default\": {\"permissions\": [`\"\"]}}",
                         "default.permissions[0]",
                         "expected a non-empty string, got the string \"\"");
}

static void
test_manifest_size_and_syntax (void)
{
  g_autoptr (KeelAcl) acl = keel__acl_new ();
  g_autoptr (GError) error = NULL;

  /* Exactly the limit is fine; a byte more is not. */
  GString *text = g_string_new (NULL);
  const char *body = "{\"plugin\": \"big\"}";
  g_string_append (text, body);
  while (text->len < KEEL_ACL_MAX_FILE_SIZE)
    g_string_append_c (text, ' ');
  g_assert_true (keel__acl_add_manifest (acl, text->str, text->len, "big.json", &error));
  g_assert_no_error (error);
  g_string_append_c (text, ' ');
  g_assert_false (keel__acl_add_manifest (acl, text->str, text->len, "big.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "big.json: 1048577 bytes is more than the 1048576 bytes (1 MiB) a permission "
                   "manifest may have; is this the right file?");
  g_string_free (text, TRUE);
  g_clear_error (&error);

  const char *bom = "\xEF\xBB\xBF{\"plugin\": \"bom\"}";
  g_assert_false (keel__acl_add_manifest (acl, bom, strlen (bom), "bom.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "bom.json:1:1: the file starts with a byte-order mark, which JSON does not "
                   "allow; save it as UTF-8 without BOM");
  g_clear_error (&error);

  const char *broken = "{\"plugin\": \"broken\",\n  \"commands\": [\"a\" \"b\"]}";
  g_assert_false (keel__acl_add_manifest (acl, broken, strlen (broken), "broken.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "broken.json:2:", "invalid JSON");
  g_clear_error (&error);

  const char *twice = "{\"plugin\": \"twice\", \"plugin\": \"twice\"}";
  g_assert_false (keel__acl_add_manifest (acl, twice, strlen (twice), "twice.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "twice.json:1:", "a key may appear only once in an object");
  g_clear_error (&error);

  const char *cut = "{\"plugin\": \"cut\"";
  g_assert_false (keel__acl_add_manifest (acl, cut, strlen (cut), "cut.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "cut.json:1:", "is a closing quote, bracket or brace missing?");
  g_clear_error (&error);

  /* JSON text cannot carry a NUL in a string, nor be a bare value. */
  const char *nul = "{\"plugin\": \"a\\u0000b\"}";
  g_assert_false (keel__acl_add_manifest (acl, nul, strlen (nul), "nul.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "nul.json:1:", "invalid JSON");
  g_clear_error (&error);
  g_assert_false (keel__acl_add_manifest (acl, "null", 4, "bare.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "bare.json:1:", "invalid JSON");
  g_clear_error (&error);

  /* Not NUL-terminated: only `length` bytes count. */
  const char *padded = "{\"plugin\": \"padded\"}garbage";
  g_assert_true (keel__acl_add_manifest (acl, padded, strlen ("{\"plugin\": \"padded\"}"),
                                         "padded.json", &error));
  g_assert_no_error (error);

  /* Empty and NULL texts. */
  g_assert_false (keel__acl_add_manifest (acl, "", 0, NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "permissions.json:1:1: invalid JSON: ", NULL);
  g_clear_error (&error);
  g_assert_false (keel__acl_add_manifest (acl, NULL, 0, "null.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "null.json:1:1: invalid JSON: ", NULL);
}

static void
test_manifest_types (void)
{
  assert_manifest_error ("{\"plugin\": \"store\", \"commands\": `\"get\"}", "commands",
                         "expected an array of command names, got the string \"get\"");
  assert_manifest_error ("{\"plugin\": \"store\", \"commands\": [`5]}", "commands[0]",
                         "expected a non-empty string, got the number 5");
  assert_manifest_error ("{\"plugin\": \"store\", \"commands\": [\"get\", `\"set title\"]}",
                         "commands[1]",
                         "\"set title\" is not a command name: write it as the page invokes it "
                         "after \"plugin:<name>|\", e.g. \"set_title\"");
  assert_manifest_error ("{\"plugin\": \"store\", \"commands\": [`\"plugin:store|get\"]}",
                         "commands[0]", "is not a command name");
  assert_manifest_error ("{\"plugin\": \"store\", \"description\": `5}", "description",
                         "expected a string, got the number 5");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": `{}}", "permissions",
                         "expected an array, got an object");
  assert_manifest_error ("{\"plugin\": \"store\", \"sets\": `null}", "sets",
                         "expected an array, got null");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [`\"a\"]}", "permissions[0]",
                         "expected an object {\"identifier\", \"description\", \"commands\", "
                         "\"scope\"}, got the string \"a\"");
  assert_manifest_error ("{\"plugin\": \"store\", \"sets\": [`\"a\"]}", "sets[0]",
                         "expected a set object, got the string \"a\"");
  assert_manifest_error ("{\"plugin\": \"store\", \"sets\": [`{\"identifier\": \"a\"}]}",
                         "sets[0]", "the key \"permissions\" is missing");
  assert_manifest_error ("{\"plugin\": \"store\", \"sets\": [{\"identifier\": \"a\", "
                         "\"permissions\": `\"b\"}]}",
                         "sets[0].permissions",
                         "expected an array of permission identifiers, got the string \"b\"");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"commands\": `[\"get\"]}]}",
                         "permissions[0].commands",
                         "expected an object {\"allow\": [...], \"deny\": [...]}, got an array");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"commands\": {\"allow\": `\"get\"}}]}",
                         "permissions[0].commands.allow",
                         "expected an array of command names, got the string \"get\"");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"commands\": {\"deny\": [\"ok\", `\"no|pe\"]}}]}",
                         "permissions[0].commands.deny[1]", "\"no|pe\" is not a command name");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"scope\": `[]}]}",
                         "permissions[0].scope",
                         "expected an object {\"allow\": [...], \"deny\": [...]}, got an array");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"scope\": {\"allow\": `{\"path\": \"x\"}}}]}",
                         "permissions[0].scope.allow",
                         "expected an array of scope entries, e.g. [{\"path\": \"$APPDATA/*\"}], "
                         "got an object");
  assert_manifest_error ("{\"plugin\": \"store\", \"permissions\": [{\"identifier\": \"a\",\n"
                         "  \"scope\": {\"allow\": [], \"deny\": `1}}]}",
                         "permissions[0].scope.deny", "got the number 1");
}

/* ---- Generated allow-/deny- permissions ---- */

static void
test_generated_from_manifests (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_manifest (acl, app_manifest);
  g_autoptr (GError) error = NULL;
  const char *store = "{\"plugin\": \"store\", \"commands\": [\"get_item\"]}";
  g_assert_true (keel__acl_add_manifest (acl, store, strlen (store), "store.json", &error));
  g_assert_no_error (error);
  add_file (acl, CAPABILITY_SOURCE,
            "[{\"identifier\": \"a\", \"windows\": [\"a\"], \"permissions\": [\n"
            "   \"core:window:allow-set-title\", \"store:allow-get-item\", \"allow-greet\",\n"
            "   \"allow-save-note\"]},\n"
            " {\"identifier\": \"d\", \"windows\": [\"d\"], \"permissions\": [\n"
            "   \"core:window:allow-set-title\", \"core:window:deny-set-title\",\n"
            "   \"store:deny-get-item\", \"allow-greet\", \"deny-greet\"]}]");
  finalize_ok (acl);

  KeelAclCaller a = local_caller ("a");
  assert_allowed (acl, &a, "plugin:window|set_title");
  assert_allowed (acl, &a, "plugin:store|get_item");
  assert_allowed (acl, &a, "greet");
  assert_allowed (acl, &a, "save_note");
  assert_refused (acl, &a, "plugin:window|title", "\"plugin:window|title\" refused",
                  "add core:window:allow-title to the \"permissions\"", NULL);
  /* Registered, so generated at finalize. */
  assert_refused (acl, &a, "plugin:store|get", "add store:allow-get to", NULL);
  assert_refused (acl, &a, "my_cmd", "add allow-my-cmd to", NULL);

  KeelAclCaller d = local_caller ("d");
  assert_refused (acl, &d, "plugin:window|set_title",
                  "\"plugin:window|set_title\" refused: it is denied to window \"d\" (page "
                  "\"keel://localhost/index.html\") by core:window:deny-set-title (capability "
                  "\"d\"); a deny wins over any allow",
                  NULL);
  assert_refused (acl, &d, "plugin:store|get_item", "by store:deny-get-item", NULL);
  assert_refused (acl, &d, "greet", "by deny-greet (capability \"d\")", NULL);
  /* A deny alone refuses too. */
  assert_refused (acl, &d, "plugin:store|get_item", "a deny wins", NULL);
}

static void
test_generated_from_commands (void)
{
  /* No manifest for the store plugin nor for the app: their registered
   * commands get their pairs all the same. */
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_file (acl, CAPABILITY_SOURCE,
            "[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\n"
            "   \"core:window:allow-brand-new\", \"store:allow-get\", \"allow-greet\",\n"
            "   \"allow-my-cmd\", \"core:tray:allow-set-title\"]},\n"
            " {\"identifier\": \"other\", \"windows\": [\"other\"], \"permissions\": [\n"
            "   \"store:allow-set\", \"store:deny-set\", \"deny-greet\", \"deny-my-cmd\"]}]");
  const char *const commands[] = {
    "plugin:window|brand_new", "plugin:store|get", "plugin:store|set", "greet", "my_cmd",
    "plugin:tray|set_title", /* in the manifest already */
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (finalize_with (acl, commands, G_N_ELEMENTS (commands), warnings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (warnings->len, ==, 0);

  KeelAclCaller main_window = local_caller ("main");
  assert_allowed (acl, &main_window, "plugin:window|brand_new");
  assert_allowed (acl, &main_window, "plugin:store|get");
  assert_allowed (acl, &main_window, "greet");
  assert_allowed (acl, &main_window, "my_cmd");
  assert_allowed (acl, &main_window, "plugin:tray|set_title");
  assert_refused (acl, &main_window, "plugin:store|set", "add store:allow-set to", NULL);
  assert_refused (acl, &main_window, "plugin:window|set_title",
                  "add core:window:allow-set-title to", NULL);

  KeelAclCaller other = local_caller ("other");
  assert_refused (acl, &other, "plugin:store|set", "by store:deny-set", NULL);
  assert_refused (acl, &other, "greet", "by deny-greet", NULL);
  assert_refused (acl, &other, "my_cmd", "by deny-my-cmd", NULL);
  assert_refused (acl, &other, "plugin:store|get", "add store:allow-get to", NULL);
}

/* A registered command whose name makes no permission identifier cannot be
 * allowed by any capability: it is refused, never let through unchecked. */
static void
test_generated_unusable_names (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_file (acl, CAPABILITY_SOURCE,
            "{\"identifier\": \"all\", \"windows\": [\"*\"], \"permissions\": [\"core:default\"]}");
  const char *const commands[] = {
    "save.note", "plugin:My_Plugin|do", "plugin:window|", "plugin:nobar", "greet",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (finalize_with (acl, commands, G_N_ELEMENTS (commands), warnings, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (warnings->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *gist = g_strdup_printf ("the command \"%s\"", commands[i]);
      if (strstr (warnings->pdata[i], gist) == NULL
          || strstr (warnings->pdata[i], "no permission can allow it") == NULL)
        g_test_fail_printf ("unexpected warning: %s", (char *) warnings->pdata[i]);
    }

  KeelAclCaller caller = local_caller ("main");
  for (guint i = 0; i < 4; i++)
    assert_refused (acl, &caller, commands[i], "refused", NULL);
  /* Not registered at all: let through, for the router to answer. */
  assert_allowed (acl, &caller, "save.other");
  /* Registered with a usable name but granted nothing. */
  assert_refused (acl, &caller, "greet", "add allow-greet to", NULL);
}

/* ---- Capability files ---- */

static void
test_capability_shapes (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_manifest (acl, app_manifest);
  add_file (acl, "capabilities/one.json",
            "{\"$schema\": \"../gen/schemas/desktop-schema.json\", \"identifier\": \"one\",\n"
            " \"description\": \"An object.\", \"windows\": [\"w1\"], \"permissions\": "
            "[\"allow-greet\"]}");
  add_file (acl, "capabilities/two.json",
            "[{\"identifier\": \"two-a\", \"windows\": [\"w2a\"], \"permissions\": "
            "[\"allow-greet\"]},\n"
            " {\"identifier\": \"two-b\", \"windows\": [\"w2b\"], \"permissions\": "
            "[\"allow-save-note\"]}]");
  add_file (acl, "capabilities/three.json",
            "{\"$schema\": \"x\", \"capabilities\": [\n"
            "  {\"identifier\": \"three\", \"windows\": [\"w3\"], \"permissions\": "
            "[\"allow-greet\"]}]}");
  add_file (acl, "capabilities/empty-array.json", "[]");
  add_file (acl, "capabilities/empty-list.json", "{\"capabilities\": []}");
  finalize_ok (acl);

  static const char *const windows[] = { "w1", "w2a", "w3" };
  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    {
      KeelAclCaller caller = local_caller (windows[i]);
      assert_allowed (acl, &caller, "greet");
      assert_refused (acl, &caller, "save_note", "add allow-save-note to", NULL);
    }
  KeelAclCaller w2b = local_caller ("w2b");
  assert_allowed (acl, &w2b, "save_note");
  assert_refused (acl, &w2b, "greet", "add allow-greet to", NULL);
  KeelAclCaller w4 = local_caller ("w4");
  assert_refused (acl, &w4, "greet", "no capability applies to window \"w4\"", NULL);
}

static void
test_capability_file_errors (void)
{
  assert_capability_error ("[`5]", "[0]",
                           "expected a capability object {\"identifier\", \"windows\", "
                           "\"permissions\", ...}, got the number 5");
  assert_capability_error ("[{\"identifier\": \"a\", \"windows\": [\"a\"], \"permissions\": []},\n"
                           " `\"main\"]",
                           "[1]", "expected a capability object");
  assert_capability_error ("{\"capabilities\": [], `\"extra\": 1}", "extra",
                           "unknown key; allowed here: $schema, capabilities");
  assert_capability_error ("{\"capabilities\": [], `\"$schemas\": 1}", "$schemas",
                           "unknown key; did you mean `$schema`?");
  assert_capability_error ("{\"capabilities\": `{}}", "capabilities",
                           "expected an array of capabilities, got an object");
  assert_capability_error ("{\"capabilities\": [\n"
                           "  {\"identifier\": \"a\", \"windows\": [\"a\"], \"permissions\": []},\n"
                           "  `{\"identifier\": \"b\", \"permissions\": []}]}",
                           "capabilities[1]",
                           "capability \"b\" names no window: add \"windows\": [\"main\"] (labels "
                           "or globs such as \"*\")");
}

/* One capability object with a problem at its mark. */
static void
test_capability_errors (void)
{
  assert_capability_error ("{\"identifier\": \"a\", `\"window\": [\"main\"], \"permissions\": []}",
                           "window", "unknown key; did you mean `windows`?");
  assert_capability_error ("`{\"windows\": [\"main\"], \"permissions\": []}", "",
                           "the key \"identifier\" is missing");
  assert_capability_error ("{\"identifier\": `\"\", \"windows\": [\"main\"], \"permissions\": []}",
                           "identifier", "must not be empty");
  assert_capability_error ("{\"identifier\": `[], \"windows\": [\"main\"], \"permissions\": []}",
                           "identifier", "expected a string, got an array");
  assert_capability_error ("{\"identifier\": \"a\", \"description\": `1, \"windows\": [\"main\"], "
                           "\"permissions\": []}",
                           "description", "expected a string, got the number 1");
  assert_capability_error ("`{\"identifier\": \"a\", \"permissions\": []}", "",
                           "capability \"a\" names no window");
  assert_capability_error ("`{\"identifier\": \"a\", \"windows\": [], \"webviews\": [],\n"
                           "  \"permissions\": []}",
                           "", "capability \"a\" names no window");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": `\"main\", \"permissions\": []}",
                           "windows",
                           "expected an array of window labels or globs, e.g. [\"main\", "
                           "\"settings-*\"], got the string \"main\"");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"x\", `\"\"], \"permissions\": []}",
                           "windows[1]", "expected a non-empty string, got the string \"\"");
  assert_capability_error ("{\"identifier\": \"a\", \"webviews\": `5, \"permissions\": []}",
                           "webviews", "expected an array of web view labels or globs");
  assert_capability_error ("`{\"identifier\": \"a\", \"windows\": [\"main\"]}", "",
                           "the key \"permissions\" is missing: list what the windows may do, "
                           "e.g. [\"core:default\"]");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": `{}}",
                           "permissions",
                           "expected an array of permissions, e.g. [\"core:default\"], got an "
                           "object");
}

static void
test_capability_grant_errors (void)
{
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"permissions\": [\"allow-greet\", `5]}",
                           "permissions[1]",
                           "expected a permission identifier such as \"core:default\", or "
                           "{\"identifier\", \"allow\", \"deny\"} with scopes, got the number 5");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"permissions\": [`\"\"]}",
                           "permissions[0]",
                           "an empty permission identifier; write e.g. \"core:default\"");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  {\"identifier\": \"allow-greet\", `\"alow\": []}]}",
                           "permissions[0].alow", "unknown key; did you mean `allow`?");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  `{\"allow\": []}]}",
                           "permissions[0]", "the key \"identifier\" is missing");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  {\"identifier\": `\"\"}]}",
                           "permissions[0].identifier", "must not be empty");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  {\"identifier\": \"allow-greet\", \"allow\": `{}}]}",
                           "permissions[0].allow", "expected an array of scope entries");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  {\"identifier\": \"allow-greet\", \"deny\": `\"x\"}]}",
                           "permissions[0].deny", "expected an array of scope entries");
}

static void
test_capability_local_remote_errors (void)
{
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"local\": `\"yes\",\n"
                           "  \"permissions\": []}",
                           "local", "expected true or false, got the string \"yes\"");
  assert_capability_error ("`{\"identifier\": \"a\", \"windows\": [\"main\"], \"local\": false,\n"
                           "  \"permissions\": []}",
                           "",
                           "capability \"a\" has \"local\": false and no remote.urls, so it "
                           "applies to no page");
  assert_capability_error ("`{\"identifier\": \"a\", \"windows\": [\"main\"], \"local\": false,\n"
                           "  \"remote\": {\"urls\": []}, \"permissions\": []}",
                           "", "has \"local\": false and no remote.urls");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"remote\": `[],\n"
                           "  \"permissions\": []}",
                           "remote",
                           "expected an object {\"urls\": [\"https://example.com/*\"]}, got an "
                           "array");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"remote\": {`\"url\": []}, \"permissions\": []}",
                           "remote.url", "unknown key; did you mean `urls`?");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"remote\": {\"urls\": `\"https://example.com/*\"}, "
                           "\"permissions\": []}",
                           "remote.urls", "expected an array of URL patterns");
  /* The matcher's own words may change; the place and the refusal may not. */
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"remote\": {\"urls\": [\"https://example.com/*\",\n"
                           "                      `\"ftp://example.com/*\"]}, "
                           "\"permissions\": []}",
                           "remote.urls[1]", NULL);
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"remote\": {\"urls\": [`\"example.com\"]}, \"permissions\": []}",
                           "remote.urls[0]", NULL);
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"remote\": {\"urls\": [`\"file:///etc/*\"]}, \"permissions\": []}",
                           "remote.urls[0]", NULL);
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"remote\": {\"urls\": [`\"\"]}, \"permissions\": []}",
                           "remote.urls[0]", "expected a non-empty string");
}

static void
test_capability_platform_errors (void)
{
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"platforms\": [\"linux\", `\"Linux\"], \"permissions\": []}",
                           "platforms[1]",
                           "\"Linux\" is not a platform; use linux, macOS, windows, android or iOS");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"platforms\": `\"linux\", \"permissions\": []}",
                           "platforms", "expected an array of platforms, e.g. [\"linux\"]");
}

static void
test_capability_duplicates (void)
{
  assert_capability_error ("[{\"identifier\": \"a\", \"windows\": [\"x\"], \"permissions\": []},\n"
                           " {\"identifier\": `\"a\", \"windows\": [\"y\"], \"permissions\": []}]",
                           "[1].identifier",
                           "a capability \"a\" already exists (" CAPABILITY_SOURCE
                           "); identifiers must be unique");

  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_file (acl, "capabilities/one.json",
            "{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": []}");
  g_autoptr (GError) error = NULL;
  const char *text = "{\"capabilities\": [\n"
                     "  {\"identifier\": \"main\", \"windows\": [\"other\"], \"permissions\": []}]}";
  g_assert_false (keel__acl_add_capability_file (acl, text, strlen (text),
                                                 "capabilities/two.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "capabilities/two.json:2:18: capabilities[0].identifier: a capability \"main\" "
                   "already exists (capabilities/one.json); identifiers must be unique");
}

static void
test_capability_size_and_syntax (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  g_autoptr (GError) error = NULL;

  GString *text = g_string_new ("[]");
  while (text->len <= KEEL_ACL_MAX_FILE_SIZE)
    g_string_append_c (text, '\n');
  g_assert_false (keel__acl_add_capability_file (acl, text->str, text->len, "big.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "big.json: 1048577 bytes is more than the 1048576 bytes (1 MiB) a capability "
                   "file may have; is this the right file?");
  g_string_free (text, TRUE);
  g_clear_error (&error);

  const char *bom = "\xEF\xBB\xBF[]";
  g_assert_false (keel__acl_add_capability_file (acl, bom, strlen (bom), "bom.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "bom.json:1:1: the file starts with a byte-order mark", NULL);
  g_clear_error (&error);

  const char *broken = "[\n  {\"identifier\": \"a\",}]";
  g_assert_false (keel__acl_add_capability_file (acl, broken, strlen (broken), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "capability:2:", "invalid JSON");
  g_clear_error (&error);

  const char *twice = "{\"identifier\": \"a\", \"identifier\": \"b\"}";
  g_assert_false (keel__acl_add_capability_file (acl, twice, strlen (twice), "twice.json", &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "twice.json:1:", "a key may appear only once");
  g_clear_error (&error);

  /* Not NUL-terminated: exactly `length` bytes are read, here and when a
   * problem found at finalize is located (ASan sees any byte more). */
  const char *file = "{\"identifier\": \"x\", \"windows\": [\"x\"],\n"
                     " \"permissions\": [\"core:nope\"]}";
  g_autofree char *exact = g_memdup2 (file, strlen (file));
  g_assert_true (keel__acl_add_capability_file (acl, exact, strlen (file), "exact.json", &error));
  g_assert_no_error (error);
  const char *config = "{\"app\": {\"security\": {\"capabilities\": [\"x\",\n"
                       "  {\"identifier\": \"y\", \"windows\": [\"y\"], \"permissions\": []}]}}}";
  g_autofree char *exact_config = g_memdup2 (config, strlen (config));
  g_autoptr (json_t) root = json (config);
  json_t *list = json_object_get (json_object_get (json_object_get (root, "app"), "security"),
                                  "capabilities");
  g_assert_true (keel__acl_set_config_capabilities (acl, list, exact_config, strlen (config),
                                                    CONFIG_SOURCE, &error));
  g_assert_no_error (error);
  g_assert_false (finalize_with (acl, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, "exact.json:2:18: permissions[0]: unknown permission \"core:nope\"", NULL);
}

/* ---- Capabilities in keel.json ---- */

static const char file_a[] =
  "{\"identifier\": \"a\", \"windows\": [\"wa\"], \"permissions\": [\"allow-greet\"]}";
static const char file_b[] =
  "{\"identifier\": \"b\", \"windows\": [\"wb\"], \"permissions\": [\"allow-greet\"]}";

/* An ACL of the real and app manifests, files a and b, keel.json `config`
 * (NULL: no app.security.capabilities), finalized. */
static KeelAcl *
acl_with_config (const char *config)
{
  KeelAcl *acl = acl_with_manifests ();
  add_manifest (acl, app_manifest);
  add_file (acl, "capabilities/a.json", file_a);
  add_file (acl, "capabilities/b.json", file_b);
  g_autoptr (GError) error = NULL;
  g_assert_true (set_config (acl, config != NULL ? config : "{\"app\": {}}", &error));
  g_assert_no_error (error);
  finalize_ok (acl);
  return acl;
}

static gboolean
greets (KeelAcl *acl, const char *window)
{
  KeelAclCaller caller = local_caller (window);
  return is_allowed (acl, &caller, "greet");
}

static void
test_config_inline (void)
{
  g_autoptr (KeelAcl) acl = acl_with_config (
    "{\"app\": {\"security\": {\"capabilities\": [\n"
    "  {\"identifier\": \"inline\", \"windows\": [\"main\"],\n"
    "   \"permissions\": [\"allow-greet\", \"core:default\"]}]}}}");
  g_assert_true (greets (acl, "main"));
  KeelAclCaller caller = local_caller ("main");
  assert_allowed (acl, &caller, "plugin:event|listen");
  /* The list names no file capability: none is in force. */
  g_assert_false (greets (acl, "wa"));
  g_assert_false (greets (acl, "wb"));
}

static void
test_config_references (void)
{
  /* Only what the list names. */
  g_autoptr (KeelAcl) only_a = acl_with_config ("{\"app\": {\"security\": {\"capabilities\": "
                                                "[\"a\"]}}}");
  g_assert_true (greets (only_a, "wa"));
  g_assert_false (greets (only_a, "wb"));
  KeelAclCaller wb = local_caller ("wb");
  assert_refused (only_a, &wb, "greet", "no capability applies to window \"wb\"", NULL);

  /* Inline and references together; a reference twice is harmless. */
  g_autoptr (KeelAcl) mixed = acl_with_config (
    "{\"app\": {\"security\": {\"capabilities\": [\"b\",\n"
    "  {\"identifier\": \"inline\", \"windows\": [\"main\"], \"permissions\": [\"allow-greet\"]},\n"
    "  \"b\"]}}}");
  g_assert_true (greets (mixed, "main"));
  g_assert_false (greets (mixed, "wa"));
  g_assert_true (greets (mixed, "wb"));

  /* An empty list, or none at all: every file is in force. */
  g_autoptr (KeelAcl) empty = acl_with_config ("{\"app\": {\"security\": {\"capabilities\": []}}}");
  g_assert_true (greets (empty, "wa"));
  g_assert_true (greets (empty, "wb"));
  g_autoptr (KeelAcl) absent = acl_with_config (NULL);
  g_assert_true (greets (absent, "wa"));
  g_assert_true (greets (absent, "wb"));
}

static void
test_config_exact_message (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  g_autoptr (GError) error = NULL;
  const char *config = "{\n"
                       "  \"app\": {\n"
                       "    \"security\": {\n"
                       "      \"capabilities\": [{\n"
                       "        \"identifier\": \"inline\", \"windows\": [\"main\"],\n"
                       "        \"permissions\": [\"core:default\",\n"
                       "        \"core:window:allow-set-titel\"]\n"
                       "      }]\n"
                       "    }\n"
                       "  }\n"
                       "}\n";
  g_assert_true (set_config (acl, config, &error));
  g_assert_no_error (error);
  g_assert_false (finalize_with (acl, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "keel.json:7:9: app.security.capabilities[0].permissions[1]: unknown "
                   "permission \"core:window:allow-set-titel\"; did you mean "
                   "\"core:window:allow-set-title\"?");
}

static void
test_config_errors (void)
{
  const char *const files[] = { file_a, file_b, NULL };

  assert_config_error (NULL, "{\"app\": {\"security\": {\"capabilities\": `{}}}}",
                       "app.security.capabilities",
                       "expected an array of capabilities and capability identifiers, got an "
                       "object");
  assert_config_error (NULL, "{\"app\": {\"security\": {\"capabilities\": [`5]}}}",
                       "app.security.capabilities[0]", "expected a capability object");
  assert_config_error (NULL,
                       "{\"app\": {\"security\": {\"capabilities\": [\n"
                       "  `{\"identifier\": \"x\", \"permissions\": []}]}}}",
                       "app.security.capabilities[0]", "capability \"x\" names no window");
  assert_config_error (NULL,
                       "{\"app\": {\"security\": {\"capabilities\": [\n"
                       "  {\"identifier\": \"x\", `\"windoes\": [], \"permissions\": []}]}}}",
                       "app.security.capabilities[0].windoes", "did you mean `windows`?");
  /* A reference that no file defines, at the string. */
  assert_config_error (files,
                       "{\"app\": {\"security\": {\"capabilities\": [\"a\",\n"
                       "  `\"bb\"]}}}",
                       "app.security.capabilities[1]",
                       "no capability file defines \"bb\"; did you mean \"b\"?");
  assert_config_error (files,
                       "{\"app\": {\"security\": {\"capabilities\": [`\"zzzzzz\"]}}}",
                       "app.security.capabilities[0]",
                       "no capability file defines \"zzzzzz\" (capabilities/*.json define: a, b)");
  assert_config_error (NULL,
                       "{\"app\": {\"security\": {\"capabilities\": [`\"main\"]}}}",
                       "app.security.capabilities[0]",
                       "no capability file defines \"main\" (capabilities/*.json define: none)");
  /* Identifiers are unique among inline ones and against files. */
  assert_config_error (NULL,
                       "{\"app\": {\"security\": {\"capabilities\": [\n"
                       "  {\"identifier\": \"x\", \"windows\": [\"a\"], \"permissions\": []},\n"
                       "  {\"identifier\": `\"x\", \"windows\": [\"b\"], \"permissions\": []}]}}}",
                       "app.security.capabilities[1].identifier",
                       "a capability \"x\" already exists (keel.json); identifiers must be unique");
  assert_config_error (files,
                       "{\"app\": {\"security\": {\"capabilities\": [\n"
                       "  {\"identifier\": `\"b\", \"windows\": [\"a\"], \"permissions\": []}]}}}",
                       "app.security.capabilities[0].identifier",
                       "a capability file already defines \"b\"; identifiers must be unique");
  /* Grants are checked at finalize, located in keel.json. */
  assert_config_error (files,
                       "{\"app\": {\"security\": {\"capabilities\": [\"a\",\n"
                       "  {\"identifier\": \"x\", \"windows\": [\"a\"], \"permissions\": [\n"
                       "    \"allow-greet\", `{\"identifier\": \"allow-gret\"}]}]}}}",
                       "app.security.capabilities[1].permissions[1]",
                       "unknown permission \"allow-gret\"; did you mean \"allow-greet\"?");
}

/* app.security.capabilities given by code, without its text: messages name
 * the place by path alone, never a made-up line and column. */
static void
test_config_without_text (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (json_t) bad_shape = json ("[{\"identifier\": \"x\", \"windows\": 5, "
                                       "\"permissions\": []}]");
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  g_assert_false (keel__acl_set_config_capabilities (acl, bad_shape, NULL, 0, NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "app.security.capabilities[0].windows: expected an array of window labels or "
                   "globs, e.g. [\"main\", \"settings-*\"], got the number 5");
  g_clear_error (&error);

  g_autoptr (json_t) unknown = json ("[{\"identifier\": \"x\", \"windows\": [\"main\"], "
                                     "\"permissions\": [\"core:window:allow-set-titel\"]}]");
  g_autoptr (KeelAcl) acl2 = acl_with_manifests ();
  g_assert_true (keel__acl_set_config_capabilities (acl2, unknown, NULL, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (finalize_with (acl2, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "app.security.capabilities[0].permissions[0]: unknown permission "
                   "\"core:window:allow-set-titel\"; did you mean "
                   "\"core:window:allow-set-title\"?");
  g_clear_error (&error);

  g_autoptr (json_t) reference = json ("[\"nope\"]");
  g_autoptr (KeelAcl) acl3 = acl_with_manifests ();
  g_assert_true (keel__acl_set_config_capabilities (acl3, reference, NULL, 0, NULL, &error));
  g_assert_false (finalize_with (acl3, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "app.security.capabilities[0]: no capability file defines \"nope\" "
                   "(capabilities/*.json define: none)");
  g_clear_error (&error);

  /* NULL: nothing to set. */
  g_autoptr (KeelAcl) acl4 = acl_with_manifests ();
  g_assert_true (keel__acl_set_config_capabilities (acl4, NULL, NULL, 0, NULL, &error));
  g_assert_no_error (error);
}

/* ---- Finalizing ---- */

static void
test_finalize_unknown_permission (void)
{
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  \"core:default\", `\"core:window:allow-set-titel\"]}",
                           "permissions[1]",
                           "unknown permission \"core:window:allow-set-titel\"; did you mean "
                           "\"core:window:allow-set-title\"?");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  `\"fs:default\"]}",
                           "permissions[0]",
                           "unknown permission \"fs:default\"; this app has no plugin \"fs\" (is "
                           "it registered?)");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  `\"core:nothing:default\"]}",
                           "permissions[0]", "this app has no plugin \"core:nothing\"");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  `\"core:window:frobnicate-everything\"]}",
                           "permissions[0]",
                           "unknown permission \"core:window:frobnicate-everything\"; `keel "
                           "permissions` lists what this app defines, docs/permissions.md the "
                           "built-in ones");
  assert_capability_error ("{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  `\"allow-my_cmd\"]}",
                           "permissions[0]", "did you mean \"allow-my-cmd\"?");
  assert_capability_error ("[{\"identifier\": \"ok\", \"windows\": [\"x\"], \"permissions\": []},\n"
                           " {\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [\n"
                           "  `{\"identifier\": \"core:windw:default\", \"allow\": []}]}]",
                           "[1].permissions[0]", "did you mean \"core:window:default\"?");
  assert_capability_error ("{\"capabilities\": [{\"identifier\": \"a\", \"windows\": [\"main\"],\n"
                           "  \"permissions\": [`\"Core:Default\"]}]}",
                           "capabilities[0].permissions[0]", "did you mean \"core:default\"?");
}

/* A manifest with a set that names `member`, and a capability granting it. */
static void
assert_set_error (const char *manifest, const char *gist)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_manifest (acl, manifest);
  g_autoptr (GError) error = NULL;
  g_assert_false (finalize_with (acl, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  check_message (error, MANIFEST_SOURCE ": ", gist);
}

static void
test_finalize_set_errors (void)
{
  assert_set_error ("{\"plugin\": \"store\", \"commands\": [\"get\"],\n"
                    " \"sets\": [{\"identifier\": \"s\", \"permissions\": [\"allow-gte\"]}]}",
                    "the set \"store:s\" names the unknown permission \"store:allow-gte\"; did you "
                    "mean \"store:allow-get\"?");
  assert_set_error ("{\"plugin\": \"store\", \"default\": {\"permissions\": [\"fs:read-all\"]}}",
                    "the set \"store:default\" names the unknown permission \"fs:read-all\"; this "
                    "app has no plugin \"fs\"");
  /* Self-inclusion and a cycle. */
  assert_set_error ("{\"plugin\": \"store\", \"sets\": [\n"
                    "  {\"identifier\": \"a\", \"permissions\": [\"a\"]}]}",
                    "the set \"store:a\" contains itself (through store:a)");
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_manifest (acl, "{\"plugin\": \"store\", \"sets\": [\n"
                     "  {\"identifier\": \"a\", \"permissions\": [\"b\"]},\n"
                     "  {\"identifier\": \"b\", \"permissions\": [\"store:a\"]}]}");
  g_autoptr (GError) error = NULL;
  g_assert_false (finalize_with (acl, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_assert_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG);
  if (strcmp (error->message, MANIFEST_SOURCE ": the set \"store:a\" contains itself (through "
                                              "store:b)")
        != 0
      && strcmp (error->message, MANIFEST_SOURCE ": the set \"store:b\" contains itself (through "
                                                 "store:a)")
           != 0)
    g_test_fail_printf ("unexpected message: %s", error->message);
}

/* A chain of `n` sets, s1 → s2 → … → sn → allow-get. */
static char *
chain_manifest (guint n)
{
  GString *text = g_string_new ("{\"plugin\": \"store\", \"commands\": [\"get\"], \"sets\": [");
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *member = i < n ? g_strdup_printf ("s%u", i + 1) : g_strdup ("allow-get");
      g_string_append_printf (text, "%s{\"identifier\": \"s%u\", \"permissions\": [\"%s\"]}",
                              i > 1 ? ", " : "", i, member);
    }
  g_string_append (text, "]}");
  return g_string_free (text, FALSE);
}

static void
test_finalize_depth (void)
{
  /* 16 nested sets: fine, and the leaf at the bottom counts. */
  g_autofree char *deep = chain_manifest (16);
  g_autoptr (KeelAcl) acl = acl_of (deep, "{\"identifier\": \"a\", \"windows\": [\"main\"], "
                                          "\"permissions\": [\"store:s1\"]}");
  KeelAclCaller caller = local_caller ("main");
  assert_allowed (acl, &caller, "plugin:store|get");

  /* 17: too deep. */
  g_autofree char *deeper = chain_manifest (17);
  assert_set_error (deeper, "the set \"store:s1\" nests sets more than 16 deep");
}

/* Sets that share members must not be expanded once per path to them: 4
 * sets per level, each including all 4 of the next, 12 levels deep, would be
 * 4^12 expansions. */
static void
test_finalize_shared_members (void)
{
  GString *text = g_string_new ("{\"plugin\": \"store\", \"commands\": [\"get\"], \"sets\": [");
  for (guint level = 0; level < 12; level++)
    for (guint k = 0; k < 4; k++)
      {
        g_string_append_printf (text, "%s{\"identifier\": \"l%u-%u\", \"permissions\": [",
                                level + k > 0 ? ", " : "", level, k);
        for (guint m = 0; m < 4; m++)
          {
            if (level == 11)
              g_string_append_printf (text, "%s\"allow-get\"", m > 0 ? ", " : "");
            else
              g_string_append_printf (text, "%s\"l%u-%u\"", m > 0 ? ", " : "", level + 1, m);
          }
        g_string_append (text, "]}");
      }
  g_string_append (text, "]}");

  gint64 start = g_get_monotonic_time ();
  g_autoptr (KeelAcl) acl = acl_of (text->str, "{\"identifier\": \"a\", \"windows\": [\"main\"], "
                                               "\"permissions\": [\"store:l0-0\"]}");
  KeelAclCaller caller = local_caller ("main");
  assert_allowed (acl, &caller, "plugin:store|get");
  g_autofree char *description = keel__acl_describe (acl, &caller);
  /* Allowed once by the permission, however many paths lead to it. */
  g_assert_nonnull (strstr (description, "by: store:allow-get (capability \"a\")\n"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_string_free (text, TRUE);
}

/* ---- Checking calls ---- */

static void
test_check_window_globs (void)
{
  g_autoptr (KeelAcl) acl = acl_of (app_manifest,
                                    "[{\"identifier\": \"some\", \"windows\": [\"main\", "
                                    "\"settings-*\", \"pop?\"],\n"
                                    "  \"permissions\": [\"allow-greet\"]},\n"
                                    " {\"identifier\": \"every\", \"windows\": [\"*\"],\n"
                                    "  \"permissions\": [\"allow-save-note\"]}]");
  static const char *const yes[] = { "main", "settings-", "settings-a", "settings-a-b", "pop1",
                                     "popX" };
  static const char *const no[] = { "mai", "main2", "Main", "settings", "xsettings-a", "pop",
                                    "pop12", "" };
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    g_assert_true (greets (acl, yes[i]));
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    {
      KeelAclCaller caller = local_caller (no[i]);
      g_assert_false (greets (acl, no[i]));
      /* "*" applies to every window, even with an empty label. */
      assert_allowed (acl, &caller, "save_note");
    }
  /* No window label at all: only webview globs could apply. */
  KeelAclCaller nobody = { NULL, NULL, "keel://localhost/", TRUE };
  assert_refused (acl, &nobody, "save_note", "no capability applies", NULL);
}

static void
test_check_webviews (void)
{
  g_autoptr (KeelAcl) acl = acl_of (app_manifest,
                                    "{\"identifier\": \"views\", \"webviews\": [\"view-*\"],\n"
                                    " \"permissions\": [\"allow-greet\"]}");
  KeelAclCaller in_view = { "main", "view-1", "keel://localhost/", TRUE };
  assert_allowed (acl, &in_view, "greet");
  KeelAclCaller other_view = { "view-1", "other", "keel://localhost/", TRUE };
  assert_refused (acl, &other_view, "greet", "no capability applies", NULL);
  KeelAclCaller no_view = { "main", NULL, "keel://localhost/", TRUE };
  assert_refused (acl, &no_view, "greet", "no capability applies", NULL);

  /* Windows or webviews: either matching is enough. */
  g_autoptr (KeelAcl) both = acl_of (app_manifest,
                                     "{\"identifier\": \"both\", \"windows\": [\"main\"],\n"
                                     " \"webviews\": [\"side\"], \"permissions\": "
                                     "[\"allow-greet\"]}");
  KeelAclCaller side = { "other", "side", "keel://localhost/", TRUE };
  assert_allowed (both, &side, "greet");
  KeelAclCaller main_window = { "main", "whatever", "keel://localhost/", TRUE };
  assert_allowed (both, &main_window, "greet");
}

static void
test_check_remote (void)
{
  g_autoptr (KeelAcl) acl = acl_of (
    app_manifest,
    "[{\"identifier\": \"local-only\", \"windows\": [\"*\"], \"permissions\": [\"allow-greet\"]},\n"
    " {\"identifier\": \"both\", \"windows\": [\"main\"], \"permissions\": [\"allow-save-note\"],\n"
    "  \"remote\": {\"urls\": [\"https://example.com/*\"]}},\n"
    " {\"identifier\": \"remote-only\", \"windows\": [\"main\"], \"local\": false,\n"
    "  \"permissions\": [\"core:event:allow-listen\"],\n"
    "  \"remote\": {\"urls\": [\"https://example.com/*\", \"http://localhost:1420/*\"]}}]");

  KeelAclCaller local = local_caller ("main");
  assert_allowed (acl, &local, "greet");
  assert_allowed (acl, &local, "save_note");
  /* "local": false: not for the app's own pages. */
  assert_refused (acl, &local, "plugin:event|listen", "add core:event:allow-listen", NULL);

  KeelAclCaller matching = remote_caller ("main", "https://example.com/a");
  assert_allowed (acl, &matching, "save_note");
  assert_allowed (acl, &matching, "plugin:event|listen");
  /* A local-only capability does not follow the window to a remote page. */
  assert_refused (acl, &matching, "greet", "add allow-greet to", NULL);
  KeelAclCaller dev = remote_caller ("main", "http://localhost:1420/index.html");
  assert_allowed (acl, &dev, "plugin:event|listen");
  assert_refused (acl, &dev, "save_note", "add allow-save-note", NULL);

  /* A URL that no pattern matches: as if no capability applied at all. */
  static const char *const strangers[] = {
    "https://evil.com/a", "http://example.com/a", "https://example.com.evil.com/a",
  };
  for (guint i = 0; i < G_N_ELEMENTS (strangers); i++)
    {
      KeelAclCaller stranger = remote_caller ("main", strangers[i]);
      g_autofree char *page = g_strdup_printf ("window \"main\" (page \"%s\")", strangers[i]);
      assert_refused (acl, &stranger, "save_note",
                      "\"save_note\" refused: the page is not on the app's origin and no "
                      "capability for ",
                      page, "lists its URL in \"remote\": {\"urls\": [...]}", NULL);
      /* Even a command nobody registered. */
      assert_refused (acl, &stranger, "unheard_of", "not on the app's origin", NULL);
    }
  KeelAclCaller no_url = { "main", "main", NULL, FALSE };
  assert_refused (acl, &no_url, "save_note", "not on the app's origin", NULL);
  /* The other window: only the local-only capability, which a remote page
   * does not get. */
  KeelAclCaller other = remote_caller ("other", "https://example.com/a");
  assert_refused (acl, &other, "greet", "not on the app's origin", NULL);
}

static void
test_check_no_capability (void)
{
  g_autoptr (KeelAcl) acl = acl_of (app_manifest, "[]");
  KeelAclCaller caller = local_caller ("main");
  assert_refused (acl, &caller, "greet",
                  "\"greet\" refused: no capability applies to window \"main\" (page "
                  "\"keel://localhost/index.html\"), so it may call no command; name the window "
                  "in the \"windows\" of a capability (capabilities/*.json or "
                  "app.security.capabilities in keel.json)",
                  NULL);
  /* Commands nobody registered are refused too. */
  assert_refused (acl, &caller, "unheard_of", "no capability applies", NULL);
  g_autofree char *description = keel__acl_describe (acl, &caller);
  g_assert_cmpstr (description, ==, "  no capability applies: no command may be called\n");
}

static void
test_check_default_set (void)
{
  g_autoptr (KeelAcl) acl = acl_of (NULL, "{\"identifier\": \"main\", \"windows\": [\"main\"], "
                                          "\"permissions\": [\"core:default\"]}");
  KeelAclCaller caller = local_caller ("main");
  assert_allowed (acl, &caller, "plugin:event|listen");
  assert_allowed (acl, &caller, "plugin:event|emit");
  assert_allowed (acl, &caller, "plugin:window|title");
  assert_allowed (acl, &caller, "plugin:app|version");
  assert_refused (acl, &caller, "plugin:window|set_title",
                  "\"plugin:window|set_title\" refused: no capability of window \"main\" (page "
                  "\"keel://localhost/index.html\") grants it; add core:window:allow-set-title to "
                  "the \"permissions\" of a capability for this window",
                  NULL);
  assert_refused (acl, &caller, "plugin:window|close", "core:window:allow-close", NULL);
  /* Registered, but no default set names them. */
  assert_refused (acl, &caller, "greet", "add allow-greet to", NULL);
  assert_refused (acl, &caller, "plugin:store|get", "add store:allow-get to", NULL);
}

static void
test_check_deny_wins (void)
{
  g_autoptr (KeelAcl) acl = acl_of (
    app_manifest,
    "[{\"identifier\": \"grant\", \"windows\": [\"main\", \"other\"],\n"
    "  \"permissions\": [\"core:default\", \"core:window:allow-set-title\", \"allow-greet\"]},\n"
    " {\"identifier\": \"forbid\", \"windows\": [\"main\"],\n"
    "  \"permissions\": [\"core:event:deny-listen\", \"deny-greet\",\n"
    "                    {\"identifier\": \"core:window:deny-set-title\", \"allow\": [1]}]}]");
  KeelAclCaller main_window = local_caller ("main");
  assert_refused (acl, &main_window, "plugin:event|listen",
                  "by core:event:deny-listen (capability \"forbid\"); a deny wins over any allow",
                  NULL);
  assert_refused (acl, &main_window, "greet", "by deny-greet", NULL);
  assert_refused (acl, &main_window, "plugin:window|set_title", "by core:window:deny-set-title",
                  NULL);
  assert_allowed (acl, &main_window, "plugin:event|emit");

  /* The deny applies to main only. */
  KeelAclCaller other = local_caller ("other");
  assert_allowed (acl, &other, "plugin:event|listen");
  assert_allowed (acl, &other, "greet");
  assert_allowed (acl, &other, "plugin:window|set_title");
}

static void
test_check_unknown_command (void)
{
  g_autoptr (KeelAcl) acl = acl_of (app_manifest, "{\"identifier\": \"main\", \"windows\": "
                                                  "[\"main\"], \"permissions\": []}");
  KeelAclCaller caller = local_caller ("main");
  /* Nobody registered it and no permission names it: the router answers. */
  g_autoptr (json_t) allow = NULL;
  g_autoptr (json_t) deny = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (keel__acl_check (acl, &caller, "plugin:nothing|here", &allow, &deny, &error));
  g_assert_no_error (error);
  assert_json (allow, "[]");
  assert_json (deny, "[]");
  assert_allowed (acl, &caller, "unheard_of");
  assert_allowed (acl, &caller, "plugin:window|no_such_command");
  /* A command of a manifest, though unregistered, is checked. */
  assert_refused (acl, &caller, "save_note", "add allow-save-note to", NULL);
  assert_refused (acl, &caller, "plugin:window|set_icon", "core:window:allow-set-icon", NULL);

  KeelAclCaller stranger = local_caller ("stranger");
  assert_refused (acl, &stranger, "unheard_of",
                  "\"unheard_of\" refused: no capability applies to window \"stranger\"", NULL);
}

/* A third-party plugin with scoped permissions, and the app's own. */
static const char files_manifest[] =
  "{\"plugin\": \"files\", \"commands\": [\"read\", \"write\", \"remove\"],\n"
  " \"permissions\": [\n"
  "  {\"identifier\": \"read-home\", \"commands\": {\"allow\": [\"read\"]},\n"
  "   \"scope\": {\"allow\": [{\"path\": \"$HOME/*\"}], \"deny\": [{\"path\": \"$HOME/.ssh/*\"}]}},\n"
  "  {\"identifier\": \"scope-docs\", \"scope\": {\"allow\": [{\"path\": \"$DOCUMENT/*\"}]}},\n"
  "  {\"identifier\": \"scope-no-tmp\", \"scope\": {\"deny\": [{\"path\": \"/tmp/*\"}]}}],\n"
  " \"sets\": [{\"identifier\": \"read-docs\", \"permissions\": [\"read-home\", "
  "\"scope-docs\"]}]}";

static const char notes_manifest[] =
  "{\"commands\": [\"greet\", \"save_note\"],\n"
  " \"permissions\": [{\"identifier\": \"notes-dir\", \"scope\": {\"allow\": [\"notes/*\"]}}]}";

static KeelAcl *
scoped_acl (const char *capabilities)
{
  KeelAcl *acl = acl_with_manifests ();
  add_manifest (acl, notes_manifest);
  g_autoptr (GError) error = NULL;
  g_assert_true (keel__acl_add_manifest (acl, files_manifest, strlen (files_manifest),
                                         "files.json", &error));
  g_assert_no_error (error);
  add_file (acl, CAPABILITY_SOURCE, capabilities);
  finalize_ok (acl);
  return acl;
}

static void
test_check_scopes (void)
{
  g_autoptr (KeelAcl) acl = scoped_acl (
    "{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\n"
    "  \"files:read-home\",\n"
    "  {\"identifier\": \"files:allow-write\", \"allow\": [{\"path\": \"/tmp/out/*\"}],\n"
    "   \"deny\": [{\"path\": \"/tmp/out/secret\"}]},\n"
    "  \"files:scope-docs\", \"allow-greet\", \"notes-dir\", \"core:event:default\"]}");
  KeelAclCaller caller = local_caller ("main");

  assert_scopes (acl, &caller, "plugin:files|read",
                 "[{\"path\": \"$HOME/*\"}, {\"path\": \"$DOCUMENT/*\"}]",
                 "[{\"path\": \"$HOME/.ssh/*\"}]");
  assert_scopes (acl, &caller, "plugin:files|write",
                 "[{\"path\": \"/tmp/out/*\"}, {\"path\": \"$DOCUMENT/*\"}]",
                 "[{\"path\": \"/tmp/out/secret\"}]");
  assert_refused (acl, &caller, "plugin:files|remove", "add files:allow-remove to", NULL);
  /* The app's scope-only permission applies to the app's commands. */
  assert_scopes (acl, &caller, "greet", "[\"notes/*\"]", "[]");
  /* Other plugins see none of them, and scope-no-tmp, not granted, is
   * nowhere (the deny lists above are exact). */
  assert_scopes (acl, &caller, "plugin:event|listen", "[]", "[]");

  /* The same scopes through a set, and a scope-only grant with inline scopes. */
  g_autoptr (KeelAcl) through_set = scoped_acl (
    "{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\n"
    "  {\"identifier\": \"files:read-docs\", \"deny\": [\"inline-deny\"]},\n"
    "  {\"identifier\": \"files:scope-no-tmp\", \"allow\": [\"inline-allow\"]},\n"
    "  \"files:allow-remove\"]}");
  assert_scopes (through_set, &caller, "plugin:files|read",
                 "[{\"path\": \"$HOME/*\"}, {\"path\": \"$DOCUMENT/*\"}, \"inline-allow\"]",
                 "[{\"path\": \"$HOME/.ssh/*\"}, \"inline-deny\", \"inline-deny\", "
                 "{\"path\": \"/tmp/*\"}]");
  assert_scopes (through_set, &caller, "plugin:files|remove",
                 "[{\"path\": \"$DOCUMENT/*\"}, \"inline-allow\"]",
                 "[\"inline-deny\", {\"path\": \"/tmp/*\"}]");
  assert_refused (through_set, &caller, "plugin:files|write", "files:allow-write", NULL);

  /* Scopes a caller receives are its own: changing them (a plugin expanding
   * "$HOME" in place, say) changes nothing for the next call. */
  g_autoptr (json_t) allow = NULL;
  g_assert_true (keel__acl_check (acl, &caller, "plugin:files|read", &allow, NULL, NULL));
  json_object_set_new (json_array_get (allow, 0), "path", json_string ("/home/me/*"));
  json_array_clear (allow);
  assert_scopes (acl, &caller, "plugin:files|read",
                 "[{\"path\": \"$HOME/*\"}, {\"path\": \"$DOCUMENT/*\"}]",
                 "[{\"path\": \"$HOME/.ssh/*\"}]");
}

static void
test_check_merge (void)
{
  g_autoptr (KeelAcl) acl = scoped_acl (
    "[{\"identifier\": \"one\", \"windows\": [\"main\"], \"permissions\": [\n"
    "   {\"identifier\": \"files:read-home\", \"allow\": [\"from-one\"]}, \"allow-greet\"]},\n"
    " {\"identifier\": \"two\", \"windows\": [\"*\"], \"permissions\": [\n"
    "   {\"identifier\": \"files:allow-read\", \"allow\": [\"from-two\"], \"deny\": [\"no\"]},\n"
    "   \"core:event:allow-emit\"]}]");
  KeelAclCaller main_window = local_caller ("main");
  assert_scopes (acl, &main_window, "plugin:files|read",
                 "[{\"path\": \"$HOME/*\"}, \"from-one\", \"from-two\"]",
                 "[{\"path\": \"$HOME/.ssh/*\"}, \"no\"]");
  assert_allowed (acl, &main_window, "greet");
  assert_allowed (acl, &main_window, "plugin:event|emit");
  KeelAclCaller other = local_caller ("other");
  assert_scopes (acl, &other, "plugin:files|read", "[\"from-two\"]", "[\"no\"]");
  assert_refused (acl, &other, "greet", "add allow-greet", NULL);

  g_autofree char *description = keel__acl_describe (acl, &main_window);
  g_assert_nonnull (strstr (description,
                            "  allowed plugin:files|read (no handler registered)\n"
                            "      by: files:read-home (capability \"one\"), files:allow-read "
                            "(capability \"two\")\n"));
}

static void
test_check_refusal_lists_permissions (void)
{
  /* Several permissions allow the command: named in order, at most five. */
  g_autoptr (KeelAcl) acl = acl_of (
    "{\"plugin\": \"x\", \"commands\": [\"run\", \"walk\"], \"permissions\": [\n"
    "  {\"identifier\": \"zeta\", \"commands\": {\"allow\": [\"run\"]}},\n"
    "  {\"identifier\": \"alpha\", \"commands\": {\"allow\": [\"run\", \"walk\"]}},\n"
    "  {\"identifier\": \"mid\", \"commands\": {\"allow\": [\"run\"]}},\n"
    "  {\"identifier\": \"beta\", \"commands\": {\"allow\": [\"walk\"]}},\n"
    "  {\"identifier\": \"gamma\", \"commands\": {\"allow\": [\"walk\"]}},\n"
    "  {\"identifier\": \"delta\", \"commands\": {\"allow\": [\"walk\"]}},\n"
    "  {\"identifier\": \"epsilon\", \"commands\": {\"allow\": [\"walk\"]}},\n"
    "  {\"identifier\": \"denier\", \"commands\": {\"deny\": [\"run\"]}}],\n"
    " \"sets\": [{\"identifier\": \"all\", \"permissions\": [\"zeta\"]}]}",
    "{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": []}");
  KeelAclCaller caller = local_caller ("main");
  assert_refused (acl, &caller, "plugin:x|run",
                  "grants it; add x:allow-run, x:alpha, x:mid, x:zeta to the \"permissions\"",
                  NULL);
  assert_refused (acl, &caller, "plugin:x|walk",
                  "grants it; add x:allow-walk, x:alpha, x:beta, x:delta, x:epsilon (and 1 more) "
                  "to the \"permissions\"",
                  NULL);
}

/* Many windows, each with its own capability: more combinations than the
 * cache keeps, so it starts again on the way, and every answer stays right. */
static void
test_check_cache (void)
{
  enum { N = 300 };
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  GString *text = g_string_new ("[{\"identifier\": \"shared\", \"windows\": [\"*\"], "
                                "\"permissions\": [\"allow-shared\"]}");
  g_autoptr (GPtrArray) commands = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (commands, g_strdup ("shared"));
  for (guint i = 0; i < N; i++)
    {
      g_string_append_printf (text, ",\n {\"identifier\": \"c%u\", \"windows\": [\"w%u\"], "
                                    "\"permissions\": [\"allow-c%u\"]}",
                              i, i, i);
      g_ptr_array_add (commands, g_strdup_printf ("c%u", i));
    }
  g_string_append (text, "]");
  add_file (acl, CAPABILITY_SOURCE, text->str);
  g_string_free (text, TRUE);
  g_autoptr (GError) error = NULL;
  g_assert_true (finalize_with (acl, (const char *const *) commands->pdata, commands->len, NULL,
                                &error));
  g_assert_no_error (error);

  for (guint pass = 0; pass < 3; pass++)
    for (guint i = 0; i < N; i++)
      {
        /* Interleaved: this window, then another, then this one again. */
        g_autofree char *window = g_strdup_printf ("w%u", i);
        g_autofree char *next_window = g_strdup_printf ("w%u", (i * 7 + pass) % N);
        g_autofree char *own = g_strdup_printf ("c%u", i);
        g_autofree char *neighbour = g_strdup_printf ("c%u", (i + 1) % N);
        KeelAclCaller caller = local_caller (window);
        KeelAclCaller next = local_caller (next_window);
        g_assert_true (is_allowed (acl, &caller, own));
        g_assert_true (is_allowed (acl, &next, "shared"));
        g_assert_false (is_allowed (acl, &caller, neighbour));
        g_assert_true (is_allowed (acl, &caller, own));
        g_assert_true (is_allowed (acl, &caller, "shared"));
      }
  /* A window of none of them: only the shared one. */
  KeelAclCaller stranger = local_caller ("stranger");
  g_assert_true (is_allowed (acl, &stranger, "shared"));
  g_assert_false (is_allowed (acl, &stranger, "c0"));
}

/* ---- Remote URL patterns and the audit view ---- */

static void
test_remote_url_patterns (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_file (acl, "capabilities/a.json",
            "{\"identifier\": \"a\", \"windows\": [\"main\"], \"permissions\": [],\n"
            " \"remote\": {\"urls\": [\"https://a.example/*\", \"https://b.example/*\"]}}");
  add_file (acl, "capabilities/b.json",
            "{\"identifier\": \"b\", \"windows\": [\"main\"], \"permissions\": [], \"local\": false,\n"
            " \"remote\": {\"urls\": [\"https://b.example/*\", \"http://localhost:1420/*\"]}}");
  add_file (acl, "capabilities/mac.json",
            "{\"identifier\": \"mac\", \"windows\": [\"main\"], \"permissions\": [],\n"
            " \"platforms\": [\"macOS\", \"iOS\"], \"remote\": {\"urls\": [\"https://mac.example/*\"]}}");
  add_file (acl, "capabilities/unused.json",
            "{\"identifier\": \"unused\", \"windows\": [\"main\"], \"permissions\": [],\n"
            " \"remote\": {\"urls\": [\"https://unused.example/*\"]}}");
  g_autoptr (GError) error = NULL;
  g_assert_true (set_config (acl, "{\"app\": {\"security\": {\"capabilities\": [\"a\", \"b\", "
                                  "\"mac\"]}}}",
                             &error));
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (finalize_with (acl, registered, G_N_ELEMENTS (registered), warnings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (warnings->len, ==, 1);

  g_autoptr (GPtrArray) patterns = keel__acl_remote_url_patterns (acl);
  g_assert_cmpuint (patterns->len, ==, 3);
  g_assert_cmpstr (patterns->pdata[0], ==, "https://a.example/*");
  g_assert_cmpstr (patterns->pdata[1], ==, "https://b.example/*");
  g_assert_cmpstr (patterns->pdata[2], ==, "http://localhost:1420/*");

  g_autoptr (KeelAcl) none = acl_of (NULL, "[]");
  g_autoptr (GPtrArray) no_patterns = keel__acl_remote_url_patterns (none);
  g_assert_cmpuint (no_patterns->len, ==, 0);
}

static void
test_platforms (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  add_manifest (acl, app_manifest);
  add_file (acl, CAPABILITY_SOURCE,
            "[{\"identifier\": \"mobile\", \"windows\": [\"main\"], \"permissions\": "
            "[\"allow-greet\"],\n"
            "  \"platforms\": [\"android\", \"iOS\"]},\n"
            " {\"identifier\": \"desktop\", \"windows\": [\"main\"], \"permissions\": "
            "[\"allow-save-note\"],\n"
            "  \"platforms\": [\"windows\", \"linux\", \"macOS\"]},\n"
            " {\"identifier\": \"any\", \"windows\": [\"any\"], \"permissions\": [\"allow-greet\"],\n"
            "  \"platforms\": []}]");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (finalize_with (acl, registered, G_N_ELEMENTS (registered), warnings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpstr (warnings->pdata[0], ==,
                   CAPABILITY_SOURCE ": capability \"mobile\" lists platforms without linux; it is "
                                     "ignored");

  KeelAclCaller caller = local_caller ("main");
  assert_allowed (acl, &caller, "save_note");
  assert_refused (acl, &caller, "greet", "add allow-greet", NULL);
  g_assert_true (greets (acl, "any"));

  /* Without a warnings array, the warning is logged. */
  g_autoptr (KeelAcl) logged = acl_with_manifests ();
  add_manifest (logged, app_manifest);
  add_file (logged, CAPABILITY_SOURCE,
            "{\"identifier\": \"mobile\", \"windows\": [\"main\"], \"permissions\": [],\n"
            "  \"platforms\": [\"android\"]}");
  g_test_expect_message ("Keel", G_LOG_LEVEL_MESSAGE,
                         "*capability \"mobile\" lists platforms without linux*");
  g_assert_true (finalize_with (logged, registered, G_N_ELEMENTS (registered), NULL, &error));
  g_test_assert_expected_messages ();
  KeelAclCaller main_window = local_caller ("main");
  assert_refused (logged, &main_window, "greet", "no capability applies", NULL);
}

static void
test_describe (void)
{
  g_autoptr (KeelAcl) acl = scoped_acl (
    "[{\"identifier\": \"main\", \"windows\": [\"main\"], \"permissions\": [\n"
    "   \"files:read-home\", \"allow-greet\", \"notes-dir\", \"core:event:allow-listen\",\n"
    "   \"core:window:deny-close\"]},\n"
    " {\"identifier\": \"extra\", \"windows\": [\"m*\"], \"permissions\": [\n"
    "   \"core:event:allow-emit\", \"allow-greet\"]}]");
  KeelAclCaller caller = local_caller ("main");
  g_autofree char *description = keel__acl_describe (acl, &caller);
  g_assert_cmpstr (description, ==,
                   "  capabilities: main extra\n"
                   "  allowed greet\n"
                   "      by: allow-greet (capability \"main\"), allow-greet (capability "
                   "\"extra\")\n"
                   "      scope allow: [\"notes/*\"]\n"
                   "  allowed plugin:event|emit\n"
                   "      by: core:event:allow-emit (capability \"extra\")\n"
                   "  allowed plugin:event|listen\n"
                   "      by: core:event:allow-listen (capability \"main\")\n"
                   "  allowed plugin:files|read (no handler registered)\n"
                   "      by: files:read-home (capability \"main\")\n"
                   "      scope allow: [{\"path\":\"$HOME/*\"}]\n"
                   "      scope deny: [{\"path\":\"$HOME/.ssh/*\"}]\n"
                   "  DENIED  plugin:window|close\n"
                   "      by: core:window:deny-close (capability \"main\")\n");

  KeelAclCaller other = local_caller ("mx");
  g_autofree char *other_description = keel__acl_describe (acl, &other);
  g_assert_cmpstr (other_description, ==,
                   "  capabilities: extra\n"
                   "  allowed greet\n"
                   "      by: allow-greet (capability \"extra\")\n"
                   "  allowed plugin:event|emit\n"
                   "      by: core:event:allow-emit (capability \"extra\")\n");
}

/* ---- Threads ---- */

enum { N_THREAD_WINDOWS = 40, N_THREADS = 8, N_ROUNDS = 3000 };

typedef struct
{
  KeelAcl *acl;
  guint seed;
  gint *failures;
} ThreadData;

static gpointer
check_in_thread (gpointer user_data)
{
  ThreadData *data = user_data;
  GRand *rand = g_rand_new_with_seed (data->seed);
  for (guint round = 0; round < N_ROUNDS; round++)
    {
      guint i = g_rand_int_range (rand, 0, N_THREAD_WINDOWS + 1);
      char window[32], own[32], other[32];
      g_snprintf (window, sizeof window, "w%u", i);
      g_snprintf (own, sizeof own, "c%u", i < N_THREAD_WINDOWS ? i : 0);
      g_snprintf (other, sizeof other, "c%u", (i + 1) % N_THREAD_WINDOWS);
      KeelAclCaller caller = local_caller (window);
      g_autoptr (json_t) allow = NULL;
      g_autoptr (json_t) deny = NULL;
      g_autoptr (GError) error = NULL;
      gboolean ok = keel__acl_check (data->acl, &caller, own, &allow, &deny, &error);
      /* w<N> has no capability of its own. */
      gboolean expected = i < N_THREAD_WINDOWS;
      if (ok != expected || (ok && json_array_size (allow) != 2))
        g_atomic_int_inc (data->failures);
      if (keel__acl_check (data->acl, &caller, other, NULL, NULL, NULL))
        g_atomic_int_inc (data->failures);
      if (round % 100 == 0)
        {
          g_autofree char *description = keel__acl_describe (data->acl, &caller);
          if (strstr (description, "allowed shared") == NULL)
            g_atomic_int_inc (data->failures);
        }
    }
  g_rand_free (rand);
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr (KeelAcl) acl = acl_with_manifests ();
  GString *text = g_string_new ("[{\"identifier\": \"shared\", \"windows\": [\"*\"], "
                                "\"permissions\": [{\"identifier\": \"allow-shared\", "
                                "\"allow\": [\"s\"]}, {\"identifier\": \"app-scope\", \"allow\": "
                                "[\"everywhere\"]}]}");
  g_autoptr (GPtrArray) commands = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (commands, g_strdup ("shared"));
  for (guint i = 0; i < N_THREAD_WINDOWS; i++)
    {
      g_string_append_printf (text, ",\n {\"identifier\": \"c%u\", \"windows\": [\"w%u\"], "
                                    "\"permissions\": [{\"identifier\": \"allow-c%u\", "
                                    "\"allow\": [%u]}]}",
                              i, i, i, i);
      g_ptr_array_add (commands, g_strdup_printf ("c%u", i));
    }
  g_string_append (text, "]");
  add_manifest (acl, "{\"permissions\": [{\"identifier\": \"app-scope\", \"scope\": "
                     "{\"deny\": []}}]}");
  add_file (acl, CAPABILITY_SOURCE, text->str);
  g_string_free (text, TRUE);
  g_autoptr (GError) error = NULL;
  g_assert_true (finalize_with (acl, (const char *const *) commands->pdata, commands->len, NULL,
                                &error));
  g_assert_no_error (error);

  gint failures = 0;
  GThread *threads[N_THREADS];
  ThreadData data[N_THREADS];
  for (guint i = 0; i < N_THREADS; i++)
    {
      data[i] = (ThreadData) { acl, i + 1, &failures };
      threads[i] = g_thread_new ("acl-check", check_in_thread, &data[i]);
    }
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (failures, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  read_real_manifests ();

  g_test_add_func ("/acl/manifest/real", test_manifest_real);
  g_test_add_func ("/acl/manifest/valid-shapes", test_manifest_valid_shapes);
  g_test_add_func ("/acl/manifest/not-object", test_manifest_not_object);
  g_test_add_func ("/acl/manifest/unknown-keys", test_manifest_unknown_keys);
  g_test_add_func ("/acl/manifest/plugin-names", test_manifest_plugin_names);
  g_test_add_func ("/acl/manifest/duplicate-plugin", test_manifest_duplicate_plugin);
  g_test_add_func ("/acl/manifest/duplicate-permission", test_manifest_duplicate_permission);
  g_test_add_func ("/acl/manifest/identifiers", test_manifest_identifiers);
  g_test_add_func ("/acl/manifest/empty-permission", test_manifest_empty_permission);
  g_test_add_func ("/acl/manifest/core", test_manifest_core);
  g_test_add_func ("/acl/manifest/default-identifier", test_manifest_default_identifier);
  g_test_add_func ("/acl/manifest/size-and-syntax", test_manifest_size_and_syntax);
  g_test_add_func ("/acl/manifest/types", test_manifest_types);
  g_test_add_func ("/acl/generated/from-manifests", test_generated_from_manifests);
  g_test_add_func ("/acl/generated/from-commands", test_generated_from_commands);
  g_test_add_func ("/acl/generated/unusable-names", test_generated_unusable_names);
  g_test_add_func ("/acl/capability/shapes", test_capability_shapes);
  g_test_add_func ("/acl/capability/file-errors", test_capability_file_errors);
  g_test_add_func ("/acl/capability/errors", test_capability_errors);
  g_test_add_func ("/acl/capability/grant-errors", test_capability_grant_errors);
  g_test_add_func ("/acl/capability/local-remote-errors", test_capability_local_remote_errors);
  g_test_add_func ("/acl/capability/platform-errors", test_capability_platform_errors);
  g_test_add_func ("/acl/capability/duplicates", test_capability_duplicates);
  g_test_add_func ("/acl/capability/size-and-syntax", test_capability_size_and_syntax);
  g_test_add_func ("/acl/config/inline", test_config_inline);
  g_test_add_func ("/acl/config/references", test_config_references);
  g_test_add_func ("/acl/config/exact-message", test_config_exact_message);
  g_test_add_func ("/acl/config/errors", test_config_errors);
  g_test_add_func ("/acl/config/without-text", test_config_without_text);
  g_test_add_func ("/acl/finalize/unknown-permission", test_finalize_unknown_permission);
  g_test_add_func ("/acl/finalize/set-errors", test_finalize_set_errors);
  g_test_add_func ("/acl/finalize/depth", test_finalize_depth);
  g_test_add_func ("/acl/finalize/shared-members", test_finalize_shared_members);
  g_test_add_func ("/acl/check/window-globs", test_check_window_globs);
  g_test_add_func ("/acl/check/webviews", test_check_webviews);
  g_test_add_func ("/acl/check/remote", test_check_remote);
  g_test_add_func ("/acl/check/no-capability", test_check_no_capability);
  g_test_add_func ("/acl/check/default-set", test_check_default_set);
  g_test_add_func ("/acl/check/deny-wins", test_check_deny_wins);
  g_test_add_func ("/acl/check/unknown-command", test_check_unknown_command);
  g_test_add_func ("/acl/check/scopes", test_check_scopes);
  g_test_add_func ("/acl/check/merge", test_check_merge);
  g_test_add_func ("/acl/check/refusal-lists-permissions", test_check_refusal_lists_permissions);
  g_test_add_func ("/acl/check/cache", test_check_cache);
  g_test_add_func ("/acl/remote-url-patterns", test_remote_url_patterns);
  g_test_add_func ("/acl/platforms", test_platforms);
  g_test_add_func ("/acl/describe", test_describe);
  g_test_add_func ("/acl/threads", test_threads);

  int status = g_test_run ();
  g_ptr_array_unref (manifest_names);
  g_ptr_array_unref (manifest_texts);
  return status;
}
