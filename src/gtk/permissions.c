/* permissions.c — where the app's capabilities and permissions come from.
 *
 * The rules live in src/core/acl.c; this file gathers their sources: the
 * built-in plugins' manifests (compiled into libkeel), the app's own
 * permissions/ and capabilities/ directories (JSON files) next to keel.json (or in
 * its GResource tree), manifests plugins add from C, and
 * app.security.capabilities. The ACL is finalized when the app starts, once
 * every command is registered, and then guards the router. */
#include <glib/gstdio.h>
#include <string.h>

#include "acl.h"
#include "shell.h"

#define BUILTIN_MANIFESTS "/dev/keel/permissions"

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

typedef gboolean (*AddFunc) (KeelAcl *acl, const char *text, gsize length,
                             const char *source_name, GError **error);

/* Adds every *.json of a resource directory, in name order. A missing
 * directory is fine: an app need not have one. */
static gboolean
add_resource_dir (KeelAcl *acl, const char *dir, AddFunc add, GError **error)
{
  g_auto (GStrv) names = g_resources_enumerate_children (dir, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (names == NULL)
    return TRUE;
  qsort (names, g_strv_length (names), sizeof *names, compare_names);
  for (char **name = names; *name != NULL; name++)
    {
      if (!g_str_has_suffix (*name, ".json"))
        continue;
      g_autofree char *path = g_build_path ("/", dir, *name, NULL);
      g_autoptr (GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (bytes == NULL)
        return FALSE;
      g_autofree char *source = g_strconcat ("resource://", path, NULL);
      gsize length;
      const char *text = g_bytes_get_data (bytes, &length);
      if (!add (acl, text, length, source, error))
        return FALSE;
    }
  return TRUE;
}

/* The same for a directory on disk; `shown` is how messages name it. */
static gboolean
add_disk_dir (KeelAcl *acl, const char *dir, const char *shown, AddFunc add, GError **error)
{
  g_autoptr (GError) open_error = NULL;
  g_autoptr (GDir) handle = g_dir_open (dir, 0, &open_error);
  if (handle == NULL)
    {
      if (g_error_matches (open_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG, "%s: cannot read the directory: %s",
                   shown, open_error->message);
      return FALSE;
    }
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      if (g_str_has_suffix (name, ".json"))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autofree char *source = g_build_filename (shown, names->pdata[i], NULL);
      g_autofree char *text = NULL;
      gsize length = 0;
      g_autoptr (GError) read_error = NULL;
      GStatBuf info;
      if (g_stat (path, &info) == 0 && info.st_size > (goffset) KEEL_ACL_MAX_FILE_SIZE)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE,
                       "%s: %" G_GOFFSET_FORMAT " bytes is more than the 1 MiB such a file may "
                       "have; is this the right file?",
                       source, (goffset) info.st_size);
          return FALSE;
        }
      if (!g_file_get_contents (path, &text, &length, &read_error))
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG, "%s: cannot read it: %s", source,
                       read_error->message);
          return FALSE;
        }
      if (!add (acl, text, length, source, error))
        return FALSE;
    }
  return TRUE;
}

/* The app's own directory `sub` (permissions/ or capabilities/). */
static gboolean
add_app_dir (KeelApp *app, const char *sub, AddFunc add, GError **error)
{
  if (app->resource_dir != NULL)
    {
      g_autofree char *dir = g_build_path ("/", app->resource_dir, sub, NULL);
      return add_resource_dir (app->acl, dir, add, error);
    }
  if (app->config->base_dir == NULL)
    return TRUE;
  g_autofree char *dir = g_build_filename (app->config->base_dir, sub, NULL);
  /* Messages name files as keel.json was named: relative when it was. */
  g_autofree char *config_dir = g_path_get_dirname (app->config->source_name);
  g_autofree char *shown = g_build_filename (config_dir, sub, NULL);
  return add_disk_dir (app->acl, dir, shown, add, error);
}

gboolean
keel__permissions_load (KeelApp *app, GError **error)
{
  app->acl = keel__acl_new ();
  return add_resource_dir (app->acl, BUILTIN_MANIFESTS, keel__acl_add_manifest, error)
         && add_app_dir (app, "permissions", keel__acl_add_manifest, error)
         && add_app_dir (app, "capabilities", keel__acl_add_capability_file, error)
         && keel__acl_set_config_capabilities (app->acl, app->config->capabilities,
                                               app->config->text, app->config->text_length,
                                               app->config->source_name, error)
         && keel__acl_choose_capabilities (app->acl, error);
}

gboolean
keel__permissions_finalize (KeelApp *app, GError **error)
{
  if (app->acl_ready)
    return TRUE;
  g_autoptr (GPtrArray) commands = keel__router_list_commands (app->router);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  if (!keel__acl_finalize (app->acl, (const char *const *) commands->pdata, commands->len,
                           warnings, error))
    return FALSE;
  for (guint i = 0; i < warnings->len; i++)
    g_printerr ("keel: warning: %s\n", (const char *) warnings->pdata[i]);
  keel__router_set_permission_check (app->router, keel__acl_check_invoke, app->acl);
  app->acl_ready = TRUE;
  return TRUE;
}

gboolean
keel_app_add_permissions (KeelApp *app, const char *manifest_json, GError **error)
{
  g_return_val_if_fail (app != NULL && manifest_json != NULL, FALSE);
  if (app->acl_ready)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "permissions can only be added before keel_app_run() and "
                   "keel_app_describe_permissions(), which settle them");
      return FALSE;
    }
  return keel__acl_add_manifest (app->acl, manifest_json, strlen (manifest_json),
                                 "keel_app_add_permissions()", error);
}

/* A URL that a remote.urls pattern matches, to describe what such pages
 * may do: each '*' stands for some text. */
static char *
example_url (const char *pattern)
{
  GString *out = g_string_new (NULL);
  for (const char *p = pattern; *p != '\0'; p++)
    {
      if (*p == '*')
        g_string_append_c (out, 'x');
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
add_label (GPtrArray *labels, const char *label)
{
  if (!g_ptr_array_find_with_equal_func (labels, label, g_str_equal, NULL))
    g_ptr_array_add (labels, (gpointer) label);
}

char *
keel_app_describe_permissions (KeelApp *app, GError **error)
{
  g_return_val_if_fail (app != NULL, NULL);
  if (!keel__permissions_finalize (app, error))
    return NULL;

  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  for (guint i = 0; i < app->config->windows->len; i++)
    add_label (labels, ((KeelWindowConfig *) app->config->windows->pdata[i])->label);
  for (guint i = 0; i < app->pending_windows->len; i++)
    add_label (labels, ((KeelWindowConfig *) app->pending_windows->pdata[i])->label);
  for (GList *l = app->windows; l != NULL; l = l->next)
    add_label (labels, ((KeelWindow *) l->data)->label);

  g_autoptr (GPtrArray) patterns = keel__acl_remote_url_patterns (app->acl);
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < labels->len; i++)
    {
      const char *label = labels->pdata[i];
      KeelAclCaller caller = { label, label, KEEL_APP_ORIGIN "/", TRUE };
      g_autofree char *local = keel__acl_describe (app->acl, &caller);
      g_string_append_printf (out, "window \"%s\", app pages (%s%s%s):\n%s", label,
                              KEEL_APP_ORIGIN, app->dev_origin != NULL ? " and devUrl " : "",
                              app->dev_origin != NULL ? app->dev_origin : "", local);
      for (guint j = 0; j < patterns->len; j++)
        {
          g_autofree char *url = example_url (patterns->pdata[j]);
          KeelAclCaller remote = { label, label, url, FALSE };
          g_autofree char *text = keel__acl_describe (app->acl, &remote);
          g_string_append_printf (out, "window \"%s\", remote pages matching %s:\n%s", label,
                                  (const char *) patterns->pdata[j], text);
        }
      g_string_append_c (out, '\n');
    }
  if (labels->len == 0)
    g_string_append (out, "no windows are configured (app.windows in keel.json is empty)\n");
  return g_string_free (out, FALSE);
}
