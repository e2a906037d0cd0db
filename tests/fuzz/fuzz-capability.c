/* Fuzzes capabilities (src/core/acl.c). The input up to its first NUL byte
 * is a capability file; what follows the NUL, if anything, is a keel.json
 * whose app.security.capabilities (or the whole document, when it is an
 * array) is set as the inline list. Both are read against a few small
 * manifests embedded here, so that the binary needs no source tree. When
 * everything is accepted, the ACL is finalized and every caller below checks
 * every command below, and is described.
 *
 * Any input must give a result or an error, never a crash, a leak or a read
 * past the end (each part is copied to a buffer of exactly its size). */
#include <stdint.h>
#include <string.h>

#include "acl.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Manifests like the built-in ones, with scopes and sets, plus a third-party
 * plugin and the app's own. */
static const char *const manifests[] = {
  "{\"plugin\": \"core:window\", \"commands\": [\"set_title\", \"title\", \"close\", \"create\"],\n"
  " \"default\": {\"permissions\": [\"allow-title\"]},\n"
  " \"permissions\": [\n"
  "  {\"identifier\": \"scoped-title\", \"commands\": {\"allow\": [\"set_title\"]},\n"
  "   \"scope\": {\"allow\": [{\"title\": \"*\"}], \"deny\": [{\"title\": \"x\"}]}},\n"
  "  {\"identifier\": \"window-scope\", \"scope\": {\"allow\": [\"w\"]}}],\n"
  " \"sets\": [{\"identifier\": \"manage\", \"permissions\": [\"allow-close\", \"allow-create\", "
  "\"default\"]}]}",
  "{\"plugin\": \"core:event\", \"commands\": [\"listen\", \"emit\"],\n"
  " \"default\": {\"permissions\": [\"allow-listen\", \"allow-emit\"]}}",
  "{\"plugin\": \"core\", \"default\": {\"permissions\": [\"core:window:default\", "
  "\"core:event:default\"]}}",
  "{\"plugin\": \"store\", \"commands\": [\"get\", \"set\"],\n"
  " \"permissions\": [{\"identifier\": \"data\", \"scope\": {\"allow\": [{\"key\": \"*\"}]}}]}",
  "{\"commands\": [\"greet\", \"save_note\"], \"default\": {\"permissions\": [\"allow-greet\"]},\n"
  " \"permissions\": [{\"identifier\": \"notes\", \"commands\": {\"allow\": [\"save_note\"]},\n"
  "   \"scope\": {\"allow\": [\"notes/*\"]}}],\n"
  " \"sets\": [{\"identifier\": \"all\", \"permissions\": [\"default\", \"notes\", "
  "\"core:default\"]}]}",
};

static const char *const registered[] = {
  "plugin:window|set_title", "plugin:window|title", "plugin:window|close", "plugin:event|listen",
  "greet",                   "save_note",           "plugin:store|get",    "plugin:store|set",
  "my_cmd",                  "bad.name",
};

static const char *const called[] = {
  "plugin:window|set_title", "plugin:window|title", "plugin:event|listen", "plugin:event|emit",
  "greet",                   "plugin:store|get",    "plugin:nothing|x",    "bad.name",
};

static const KeelAclCaller callers[] = {
  { "main", "main", "keel://localhost/index.html", TRUE },
  { "settings-1", "settings-1", "https://example.com/a", FALSE },
  { NULL, "view-1", "http://localhost:1420/index.html", FALSE },
  { "other", NULL, NULL, TRUE },
  { "main", "main", NULL, FALSE },
};

static void
check_all (KeelAcl *acl)
{
  for (gsize i = 0; i < G_N_ELEMENTS (callers); i++)
    {
      for (gsize j = 0; j < G_N_ELEMENTS (called); j++)
        {
          json_t *allow = NULL, *deny = NULL;
          GError *error = NULL;
          gboolean ok = keel__acl_check (acl, &callers[i], called[j], &allow, &deny, &error);
          g_assert (ok == (error == NULL));
          g_assert (ok == (allow != NULL) && ok == (deny != NULL));
          g_assert (!ok || (json_is_array (allow) && json_is_array (deny)));
          /* The same answer again, from the cache. */
          g_assert (keel__acl_check (acl, &callers[i], called[j], NULL, NULL, NULL) == ok);
          json_decref (allow);
          json_decref (deny);
          g_clear_error (&error);
        }
      g_free (keel__acl_describe (acl, &callers[i]));
    }
  GPtrArray *patterns = keel__acl_remote_url_patterns (acl);
  for (guint i = 0; i < patterns->len; i++)
    g_assert (patterns->pdata[i] != NULL);
  g_ptr_array_unref (patterns);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  KeelAcl *acl = keel__acl_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (manifests); i++)
    {
      gboolean added = keel__acl_add_manifest (acl, manifests[i], strlen (manifests[i]),
                                               "permissions.json", NULL);
      g_assert (added);
    }

  const uint8_t *nul = memchr (data, 0, size);
  size_t file_size = nul != NULL ? (size_t) (nul - data) : size;
  gboolean ok = TRUE;
  GError *error = NULL;

  /* An input that starts with NUL has no capability file, only keel.json. */
  if (file_size > 0 || nul == NULL)
    {
      char *file = g_memdup2 (data, file_size);
      ok = keel__acl_add_capability_file (acl, file, file_size, "capabilities/fuzz.json", &error);
      g_assert (ok == (error == NULL));
      g_clear_error (&error);
      g_free (file);
    }

  /* The keel.json part is read even when the file was refused: an ACL that
   * refused something may still be given more, and must still be freed. */
  if (nul != NULL)
    {
      size_t config_size = size - file_size - 1;
      char *config = g_memdup2 (nul + 1, config_size);
      json_t *root = json_loadb (config, config_size, JSON_REJECT_DUPLICATES, NULL);
      json_t *list = root;
      if (json_is_object (root))
        list = json_object_get (json_object_get (json_object_get (root, "app"), "security"),
                                "capabilities");
      gboolean set = keel__acl_set_config_capabilities (acl, list, config, config_size,
                                                        "keel.json", &error);
      g_assert (set == (error == NULL));
      g_clear_error (&error);
      ok = ok && set;
      json_decref (root);
      g_free (config);
    }

  if (ok)
    {
      GPtrArray *warnings = g_ptr_array_new_with_free_func (g_free);
      ok = keel__acl_finalize (acl, registered, G_N_ELEMENTS (registered), warnings, &error);
      g_assert (ok == (error == NULL));
      /* "bad.name" makes no permission: always a warning. */
      g_assert (!ok || warnings->len >= 1);
      g_clear_error (&error);
      g_ptr_array_unref (warnings);
    }
  if (ok)
    check_all (acl);

  keel__acl_free (acl);
  return 0;
}
