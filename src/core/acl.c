#include "acl.h"

#include <string.h>

#include "json-check.h"
#include "message.h" /* g_autoptr (json_t) */
#include "keel/keel-error.h"
#include "invoke-private.h"
#include "url-pattern.h"

/* Tauri's core plugins: their permissions are "core:<name>:...". */
static const char *const core_plugins[] = {
  "app", "event", "image", "menu", "path", "resources", "tray", "webview", "window", NULL,
};

/* Sets may include sets; more levels of sets than this is surely a mistake.
 * A set of leaves is one level; resolution expands this many, no more. */
#define MAX_SET_DEPTH 16

/* Resolutions kept; beyond this the cache starts again (a resolution is a
 * pure function of the capabilities that apply, so dropping one is safe). */
#define MAX_CACHED_RESOLUTIONS 256

/* A text that problems are located in. */
typedef struct
{
  gint ref_count;
  char *name;
  char *text;              /* NULL for a value given by code */
  gsize length;
} Source;

typedef struct
{
  char *id;                /* full identifier: "core:window:allow-set-title", "allow-greet" */
  char *description;
  char *plugin;            /* plugin key of its commands: "window", "store", "" (the app) */
  gboolean is_set;
  GPtrArray *members;      /* sets: full identifiers */
  GPtrArray *allow;        /* command names */
  GPtrArray *deny;
  json_t *scope_allow;     /* arrays, or NULL */
  json_t *scope_deny;
  char *source_name;       /* where it was defined, for messages */
  char *generated_for;     /* allow-/deny- made for this command; NULL if written */
} Permission;

typedef struct
{
  char *permission;        /* full identifier */
  json_t *allow;           /* inline scopes, or NULL */
  json_t *deny;
} Grant;

typedef struct
{
  char *identifier;
  char *description;
  GPtrArray *windows;      /* globs */
  GPtrArray *webviews;     /* globs */
  gboolean local;
  GPtrArray *remote_urls;  /* patterns */
  gboolean on_linux;       /* "platforms" includes linux, or is absent */
  GArray *grants;          /* of Grant */
  Source *source;
  GPtrArray *path;         /* keys and indices leading to it in its source */
  gboolean from_file;
} Capability;

typedef struct
{
  GPtrArray *allowed_by;   /* "permission (capability \"id\")" */
  GPtrArray *denied_by;
  json_t *scope_allow;     /* arrays */
  json_t *scope_deny;
} Entry;

typedef struct
{
  GPtrArray *capabilities; /* borrowed Capability*: those that apply */
  GHashTable *entries;     /* command → Entry* */
  GHashTable *global_allow; /* plugin key → array: scopes of permissions without commands */
  GHashTable *global_deny;
} Resolution;

struct _KeelAcl
{
  GHashTable *permissions;  /* full id → Permission* */
  GHashTable *manifests;    /* plugin name as written ("" for the app) → TRUE */
  GHashTable *commands;     /* every command a permission names → TRUE */
  GHashTable *registered;   /* the commands this app has handlers for → TRUE */
  GPtrArray *file_capabilities;   /* Capability*, in the order added */
  GPtrArray *config_capabilities; /* Capability* inline in keel.json */
  GPtrArray *config_references;   /* char* identifiers keel.json lists */
  GArray *config_reference_indices; /* gsize: where each sits in that list */
  Source *config_source;
  GPtrArray *active;        /* Capability* in force after finalize (borrowed) */
  gboolean finalized;
  gboolean chosen;          /* `active` is decided: no capability may be added */
  GPtrArray *journal;       /* while a manifest is read: the permission ids it added */

  GMutex lock;              /* guards the cache */
  GHashTable *resolutions;  /* signature → Resolution* */
  /* The last caller and its resolution: a window's calls come from one
   * page, and matching every capability again costs more than the rest of
   * the check. NULL last_resolution: none kept. */
  char *last_window;
  char *last_webview;
  char *last_url;
  gboolean last_local;
  Resolution *last_resolution;
};

/* ---- Small things ---- */

static Source *
source_new (const char *name, const char *text, gsize length)
{
  Source *source = g_new0 (Source, 1);
  source->ref_count = 1;
  source->name = g_strdup (name);
  if (text == NULL)
    return source;
  /* The text need not end with a NUL byte: copy `length` bytes, add one. */
  source->text = g_malloc (length + 1);
  memcpy (source->text, text, length);
  source->text[length] = '\0';
  source->length = length;
  return source;
}

static Source *
source_ref (Source *source)
{
  source->ref_count++;
  return source;
}

static void
source_unref (Source *source)
{
  if (source == NULL || --source->ref_count > 0)
    return;
  g_free (source->name);
  g_free (source->text);
  g_free (source);
}

static void
permission_free (gpointer data)
{
  Permission *permission = data;
  g_free (permission->id);
  g_free (permission->description);
  g_free (permission->plugin);
  g_clear_pointer (&permission->members, g_ptr_array_unref);
  g_clear_pointer (&permission->allow, g_ptr_array_unref);
  g_clear_pointer (&permission->deny, g_ptr_array_unref);
  json_decref (permission->scope_allow);
  json_decref (permission->scope_deny);
  g_free (permission->source_name);
  g_free (permission->generated_for);
  g_free (permission);
}

static void
grant_clear (gpointer data)
{
  Grant *grant = data;
  g_free (grant->permission);
  json_decref (grant->allow);
  json_decref (grant->deny);
}

static void
capability_free (gpointer data)
{
  Capability *capability = data;
  g_free (capability->identifier);
  g_free (capability->description);
  g_ptr_array_unref (capability->windows);
  g_ptr_array_unref (capability->webviews);
  g_ptr_array_unref (capability->remote_urls);
  g_array_unref (capability->grants);
  source_unref (capability->source);
  g_ptr_array_unref (capability->path);
  g_free (capability);
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;
  g_ptr_array_unref (entry->allowed_by);
  g_ptr_array_unref (entry->denied_by);
  json_decref (entry->scope_allow);
  json_decref (entry->scope_deny);
  g_free (entry);
}

static void
resolution_free (gpointer data)
{
  Resolution *resolution = data;
  g_ptr_array_unref (resolution->capabilities);
  g_hash_table_unref (resolution->entries);
  g_hash_table_unref (resolution->global_allow);
  g_hash_table_unref (resolution->global_deny);
  g_free (resolution);
}

static gboolean
is_core_plugin (const char *name)
{
  return g_strv_contains (core_plugins, name);
}

/* "set_title" → "set-title". */
static char *
kebab (const char *name)
{
  char *out = g_strdup (name);
  g_strdelimit (out, "_", '-');
  return out;
}

/* The plugin key of a command: "window" for "plugin:window|set_title", ""
 * for the app's own commands. */
static char *
command_plugin (const char *command)
{
  if (!g_str_has_prefix (command, "plugin:"))
    return g_strdup ("");
  const char *name = command + strlen ("plugin:");
  const char *bar = strchr (name, '|');
  return bar != NULL ? g_strndup (name, bar - name) : g_strdup (name);
}

/* The prefix of a plugin's permission identifiers: "core:window:", "store:", "". */
static char *
permission_prefix (const char *plugin)
{
  if (*plugin == '\0')
    return g_strdup ("");
  if (is_core_plugin (plugin))
    return g_strdup_printf ("core:%s:", plugin);
  return g_strdup_printf ("%s:", plugin);
}

/* The full name of a plugin's command: "plugin:window|set_title", "greet". */
static char *
full_command (const char *plugin, const char *name)
{
  if (*plugin == '\0')
    return g_strdup (name);
  return g_strdup_printf ("plugin:%s|%s", plugin, name);
}

/* Lowercase ASCII letters, digits and hyphens, not starting or ending with
 * a hyphen: Tauri's rule for the parts of identifiers. */
static gboolean
is_identifier_part (const char *text)
{
  if (*text == '\0' || *text == '-' || text[strlen (text) - 1] == '-')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
        return FALSE;
    }
  return TRUE;
}

/* A command name as plugins register it: ASCII letters, digits, '_' and '-'. */
static gboolean
is_command_name (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
        return FALSE;
    }
  return TRUE;
}

static Permission *
permission_new (const char *id, const char *plugin, const char *source_name)
{
  Permission *permission = g_new0 (Permission, 1);
  permission->id = g_strdup (id);
  permission->plugin = g_strdup (plugin);
  permission->allow = g_ptr_array_new_with_free_func (g_free);
  permission->deny = g_ptr_array_new_with_free_func (g_free);
  permission->source_name = g_strdup (source_name);
  return permission;
}

/* Adds a permission, noting it in the journal of the manifest being read. */
static void
insert_permission (KeelAcl *acl, Permission *permission)
{
  g_hash_table_insert (acl->permissions, permission->id, permission);
  if (acl->journal != NULL)
    g_ptr_array_add (acl->journal, g_strdup (permission->id));
}

/* Adds allow-<name> and deny-<name> for one command unless they exist. Two
 * commands that make the same identifier ("get_item" and "get-item"), or a
 * written permission that took a command's identifier, are an error: the
 * identifier would grant another command than its name says. */
static gboolean
add_command_permissions (KeelAcl *acl, const char *plugin, const char *name,
                         const char *source_name, GError **error)
{
  g_autofree char *prefix = permission_prefix (plugin);
  g_autofree char *suffix = kebab (name);
  g_autofree char *command = full_command (plugin, name);

  for (int deny = 0; deny <= 1; deny++)
    {
      g_autofree char *id = g_strdup_printf ("%s%s-%s", prefix, deny ? "deny" : "allow", suffix);
      Permission *existing = g_hash_table_lookup (acl->permissions, id);
      if (existing != NULL)
        {
          if (g_strcmp0 (existing->generated_for, command) == 0)
            continue;
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                       "%s: the permission \"%s\" of the command \"%s\" already exists for %s%s "
                       "(%s); rename the command",
                       source_name, id, command,
                       existing->generated_for != NULL ? "the command " : "a permission written in ",
                       existing->generated_for != NULL ? existing->generated_for
                                                        : existing->source_name,
                       existing->source_name);
          return FALSE;
        }
      Permission *permission = permission_new (id, plugin, source_name);
      permission->description = g_strdup_printf ("%s the %s command.",
                                                  deny ? "Denies" : "Allows", command);
      permission->generated_for = g_strdup (command);
      g_ptr_array_add (deny ? permission->deny : permission->allow, g_strdup (command));
      insert_permission (acl, permission);
    }
  g_hash_table_add (acl->commands, g_steal_pointer (&command));
  return TRUE;
}

KeelAcl *
keel__acl_new (void)
{
  KeelAcl *acl = g_new0 (KeelAcl, 1);
  acl->permissions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, permission_free);
  acl->manifests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  acl->commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  acl->registered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  acl->file_capabilities = g_ptr_array_new_with_free_func (capability_free);
  acl->config_capabilities = g_ptr_array_new_with_free_func (capability_free);
  acl->config_references = g_ptr_array_new_with_free_func (g_free);
  acl->config_reference_indices = g_array_new (FALSE, FALSE, sizeof (gsize));
  acl->active = g_ptr_array_new ();
  g_mutex_init (&acl->lock);
  acl->resolutions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, resolution_free);
  return acl;
}

void
keel__acl_free (KeelAcl *acl)
{
  if (acl == NULL)
    return;
  g_hash_table_unref (acl->resolutions);
  g_free (acl->last_window);
  g_free (acl->last_webview);
  g_free (acl->last_url);
  g_mutex_clear (&acl->lock);
  g_ptr_array_unref (acl->active);
  g_ptr_array_unref (acl->config_references);
  g_array_unref (acl->config_reference_indices);
  g_ptr_array_unref (acl->config_capabilities);
  g_ptr_array_unref (acl->file_capabilities);
  source_unref (acl->config_source);
  g_hash_table_unref (acl->commands);
  g_hash_table_unref (acl->registered);
  g_hash_table_unref (acl->manifests);
  g_hash_table_unref (acl->permissions);
  g_free (acl);
}

/* ---- Reading JSON with located problems ---- */

/* The keys an object may hold; any other is an error with a suggestion. */
static gboolean
check_keys (KeelJsonCheck *check, json_t *object, const char *const *allowed, GError **error)
{
  const char *key;
  json_t *value;
  json_object_foreach (object, key, value)
    {
      if (g_strv_contains (allowed, key))
        continue;
      keel__json_check_push_key (check, key);
      const char *suggestion = keel__closest_word (key, allowed, g_strv_length ((char **) allowed), 2);
      g_autofree char *list = g_strjoinv (", ", (char **) allowed);
      if (suggestion != NULL)
        return keel__json_check_fail (check, error, TRUE, "unknown key; did you mean `%s`?",
                                      suggestion);
      return keel__json_check_fail (check, error, TRUE, "unknown key; allowed here: %s", list);
    }
  return TRUE;
}

/* An optional string member; *out is borrowed. */
static gboolean
get_string (KeelJsonCheck *check, json_t *object, const char *key, gboolean required,
            const char **out, GError **error)
{
  json_t *value = json_object_get (object, key);
  *out = NULL;
  if (value == NULL)
    {
      if (!required)
        return TRUE;
      return keel__json_check_fail (check, error, FALSE, "the key \"%s\" is missing", key);
    }
  keel__json_check_push_key (check, key);
  if (!json_is_string (value))
    return keel__json_check_fail_type (check, error, value, "a string");
  if (required && json_string_length (value) == 0)
    return keel__json_check_fail (check, error, FALSE, "must not be empty");
  keel__json_check_pop (check);
  *out = json_string_value (value);
  return TRUE;
}

/* An optional array of non-empty strings, appended to *out (created). */
static gboolean
get_strings (KeelJsonCheck *check, json_t *object, const char *key, GPtrArray *out,
             const char *example, GError **error)
{
  json_t *value = json_object_get (object, key);
  if (value == NULL)
    return TRUE;
  keel__json_check_push_key (check, key);
  if (!json_is_array (value))
    return keel__json_check_fail_type (check, error, value, example);
  gsize i;
  json_t *item;
  json_array_foreach (value, i, item)
    {
      keel__json_check_push_index (check, i);
      if (!json_is_string (item) || json_string_length (item) == 0)
        return keel__json_check_fail_type (check, error, item, "a non-empty string");
      if (strlen (json_string_value (item)) != json_string_length (item))
        return keel__json_check_fail (check, error, FALSE, "contains a NUL character");
      g_ptr_array_add (out, g_strdup (json_string_value (item)));
      keel__json_check_pop (check);
    }
  keel__json_check_pop (check);
  return TRUE;
}

/* An optional array of scope values (any JSON); *out gets a new reference. */
static gboolean
get_scope_list (KeelJsonCheck *check, json_t *object, const char *key, json_t **out,
                GError **error)
{
  json_t *value = json_object_get (object, key);
  *out = NULL;
  if (value == NULL || json_is_null (value))
    return TRUE;
  keel__json_check_push_key (check, key);
  if (!json_is_array (value))
    return keel__json_check_fail_type (check, error, value,
                                       "an array of scope entries, e.g. [{\"path\": \"$APPDATA/*\"}]");
  keel__json_check_pop (check);
  *out = json_incref (value);
  return TRUE;
}

/* ---- Manifests ---- */

/* "core:window" → key "window"; "store" → "store"; NULL (the app) → "".
 * "core" (the file of core:default) has no commands: key NULL. */
static gboolean
manifest_plugin (KeelJsonCheck *check, json_t *root, char **key, char **prefix, GError **error)
{
  const char *plugin;
  if (!get_string (check, root, "plugin", FALSE, &plugin, error))
    return FALSE;
  if (plugin == NULL)
    {
      *key = g_strdup ("");
      *prefix = g_strdup ("");
      return TRUE;
    }
  keel__json_check_push_key (check, "plugin");
  if (strcmp (plugin, "core") == 0)
    {
      *key = NULL;
      *prefix = g_strdup ("core:");
    }
  else if (g_str_has_prefix (plugin, "core:") && is_core_plugin (plugin + 5))
    {
      *key = g_strdup (plugin + 5);
      *prefix = g_strdup_printf ("%s:", plugin);
    }
  else if (is_identifier_part (plugin) && !is_core_plugin (plugin))
    {
      *key = g_strdup (plugin);
      *prefix = g_strdup_printf ("%s:", plugin);
    }
  else
    {
      g_autofree char *quoted = keel_quote_for_message (plugin);
      return keel__json_check_fail (check, error, FALSE,
                                    "%s is not a plugin name: use lowercase letters, digits and "
                                    "'-' (e.g. \"store\"), or \"core:<name>\" for Keel's core "
                                    "plugins (%s)",
                                    quoted, "app, event, image, menu, path, resources, tray, "
                                    "webview, window");
    }
  keel__json_check_pop (check);
  return TRUE;
}

/* A name in a set: relative to the manifest unless it has a ':'. */
static char *
member_id (const char *prefix, const char *name)
{
  if (strchr (name, ':') != NULL)
    return g_strdup (name);
  return g_strconcat (prefix, name, NULL);
}

static gboolean
add_permission (KeelAcl *acl, KeelJsonCheck *check, Permission *permission, GError **error)
{
  if (g_hash_table_contains (acl->permissions, permission->id))
    {
      g_autofree char *quoted = keel_quote_for_message (permission->id);
      Permission *other = g_hash_table_lookup (acl->permissions, permission->id);
      permission_free (permission);
      return keel__json_check_fail (check, error, FALSE,
                                    "the permission %s is already defined (in %s); identifiers "
                                    "must be unique",
                                    quoted, other->source_name);
    }
  insert_permission (acl, permission);
  return TRUE;
}

static gboolean
read_set (KeelAcl *acl, KeelJsonCheck *check, json_t *object, const char *id, const char *prefix,
          const char *plugin, GError **error)
{
  static const char *const keys[] = { "identifier", "description", "permissions", NULL };
  if (!json_is_object (object))
    return keel__json_check_fail_type (check, error, object,
                                       "an object {\"identifier\", \"description\", \"permissions\"}");
  if (!check_keys (check, object, keys, error))
    return FALSE;
  const char *description;
  if (!get_string (check, object, "description", FALSE, &description, error))
    return FALSE;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  if (json_object_get (object, "permissions") == NULL)
    return keel__json_check_fail (check, error, FALSE,
                                  "the key \"permissions\" is missing: list the permissions of "
                                  "the set");
  if (!get_strings (check, object, "permissions", names, "an array of permission identifiers",
                    error))
    return FALSE;

  /* A plugin's sets name its own permissions only: granting "store:default"
   * must not grant, say, window creation. The app's own manifest and the
   * "core" one may gather permissions of any plugin. */
  if (plugin != NULL && *plugin != '\0')
    {
      for (guint i = 0; i < names->len; i++)
        {
          const char *name = names->pdata[i];
          if (strchr (name, ':') != NULL && !g_str_has_prefix (name, prefix))
            {
              keel__json_check_push_key (check, "permissions");
              keel__json_check_push_index (check, i);
              g_autofree char *quoted = keel_quote_for_message (name);
              return keel__json_check_fail (check, error, FALSE,
                                            "%s belongs to another plugin; a plugin's sets may "
                                            "name only its own permissions (the app's own "
                                            "manifest may combine plugins)",
                                            quoted);
            }
        }
    }

  Permission *set = permission_new (id, plugin != NULL ? plugin : "", check->source_name);
  set->is_set = TRUE;
  set->description = g_strdup (description);
  set->members = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (set->members, member_id (prefix, names->pdata[i]));
  return add_permission (acl, check, set, error);
}

static gboolean
read_local_id (KeelJsonCheck *check, json_t *object, const char *prefix, char **id,
               GError **error)
{
  const char *local;
  if (!get_string (check, object, "identifier", TRUE, &local, error))
    return FALSE;
  if (!is_identifier_part (local))
    {
      keel__json_check_push_key (check, "identifier");
      g_autofree char *quoted = keel_quote_for_message (local);
      return keel__json_check_fail (check, error, FALSE,
                                    "%s is not an identifier: use lowercase letters, digits and "
                                    "'-', e.g. \"allow-read-config\"; the plugin prefix is added",
                                    quoted);
    }
  *id = g_strconcat (prefix, local, NULL);
  return TRUE;
}

static gboolean
read_command_list (KeelJsonCheck *check, json_t *object, const char *key, const char *plugin,
                   GPtrArray *out, GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  if (!get_strings (check, object, key, names, "an array of command names", error))
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      if (!is_command_name (names->pdata[i]))
        {
          keel__json_check_push_key (check, key);
          keel__json_check_push_index (check, i);
          g_autofree char *quoted = keel_quote_for_message (names->pdata[i]);
          return keel__json_check_fail (check, error, FALSE,
                                        "%s is not a command name: write it as the page invokes "
                                        "it after \"plugin:<name>|\", e.g. \"set_title\"",
                                        quoted);
        }
      g_ptr_array_add (out, full_command (plugin, names->pdata[i]));
    }
  return TRUE;
}

static gboolean
read_permission (KeelAcl *acl, KeelJsonCheck *check, json_t *object, const char *prefix,
                 const char *plugin, GError **error)
{
  static const char *const keys[] = { "identifier", "description", "commands", "scope", NULL };
  static const char *const list_keys[] = { "allow", "deny", NULL };
  /* Its commands would be nobody's, and a scope alone would apply to the
   * commands of plugin "" — the app's. */
  if (plugin == NULL)
    return keel__json_check_fail (check, error, FALSE,
                                  "the \"core\" manifest holds only sets; permissions belong to "
                                  "the manifest of their plugin");
  if (!json_is_object (object))
    return keel__json_check_fail_type (check, error, object,
                                       "an object {\"identifier\", \"description\", \"commands\", "
                                       "\"scope\"}");
  if (!check_keys (check, object, keys, error))
    return FALSE;
  g_autofree char *id = NULL;
  if (!read_local_id (check, object, prefix, &id, error))
    return FALSE;
  const char *description;
  if (!get_string (check, object, "description", FALSE, &description, error))
    return FALSE;

  Permission *permission = permission_new (id, plugin != NULL ? plugin : "", check->source_name);
  permission->description = g_strdup (description);

  json_t *commands = json_object_get (object, "commands");
  json_t *scope = json_object_get (object, "scope");
  gboolean ok = TRUE;
  if (commands != NULL)
    {
      keel__json_check_push_key (check, "commands");
      if (!json_is_object (commands))
        ok = keel__json_check_fail_type (check, error, commands,
                                         "an object {\"allow\": [...], \"deny\": [...]}");
      else
        ok = check_keys (check, commands, list_keys, error)
             && read_command_list (check, commands, "allow", plugin, permission->allow, error)
             && read_command_list (check, commands, "deny", plugin, permission->deny, error);
      if (ok)
        keel__json_check_pop (check);
    }
  if (ok && scope != NULL)
    {
      keel__json_check_push_key (check, "scope");
      if (!json_is_object (scope))
        ok = keel__json_check_fail_type (check, error, scope,
                                         "an object {\"allow\": [...], \"deny\": [...]}");
      else
        ok = check_keys (check, scope, list_keys, error)
             && get_scope_list (check, scope, "allow", &permission->scope_allow, error)
             && get_scope_list (check, scope, "deny", &permission->scope_deny, error);
      if (ok)
        keel__json_check_pop (check);
    }
  if (ok && permission->allow->len == 0 && permission->deny->len == 0
      && permission->scope_allow == NULL && permission->scope_deny == NULL)
    ok = keel__json_check_fail (check, error, FALSE,
                                "the permission neither names commands nor carries a scope; give "
                                "\"commands\": {\"allow\": [...]} or \"scope\"");
  if (!ok)
    {
      permission_free (permission);
      return FALSE;
    }
  return add_permission (acl, check, permission, error);
}

static gboolean
read_manifest (KeelAcl *acl, KeelJsonCheck *check, json_t *root, GError **error)
{
  static const char *const keys[] = {
    "$schema", "plugin", "description", "commands", "default", "permissions", "sets", NULL,
  };
  if (!json_is_object (root))
    return keel__json_check_fail_type (check, error, root,
                                       "a permission manifest object {\"plugin\", \"commands\", "
                                       "\"default\", \"permissions\", \"sets\"}");
  if (!check_keys (check, root, keys, error))
    return FALSE;

  g_autofree char *plugin = NULL;
  g_autofree char *prefix = NULL;
  if (!manifest_plugin (check, root, &plugin, &prefix, error))
    return FALSE;
  const char *written = json_string_value (json_object_get (root, "plugin"));
  if (written == NULL)
    written = "";
  if (g_hash_table_contains (acl->manifests, written))
    {
      if (*written == '\0')
        return keel__json_check_fail (check, error, FALSE,
                                      "the app's own permissions are already defined; put them "
                                      "in one manifest");
      keel__json_check_push_key (check, "plugin");
      return keel__json_check_fail (check, error, FALSE,
                                    "the permissions of plugin \"%s\" are already defined", written);
    }

  const char *description;
  if (!get_string (check, root, "description", FALSE, &description, error))
    return FALSE;

  json_t *commands = json_object_get (root, "commands");
  if (commands != NULL)
    {
      if (plugin == NULL && json_array_size (commands) > 0)
        {
          keel__json_check_push_key (check, "commands");
          return keel__json_check_fail (check, error, FALSE,
                                        "the \"core\" manifest holds only sets; commands belong "
                                        "to the manifest of their plugin");
        }
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      if (!read_command_list (check, root, "commands", "", names, error))
        return FALSE;
      for (guint i = 0; i < names->len; i++)
        {
          if (!add_command_permissions (acl, plugin, names->pdata[i], check->source_name, error))
            return FALSE;
        }
    }

  json_t *value = json_object_get (root, "default");
  if (value != NULL)
    {
      g_autofree char *id = g_strconcat (prefix, "default", NULL);
      keel__json_check_push_key (check, "default");
      if (json_is_object (value) && json_object_get (value, "identifier") != NULL)
        {
          keel__json_check_push_key (check, "identifier");
          return keel__json_check_fail (check, error, TRUE,
                                        "the default set is always named \"default\"; remove "
                                        "the identifier");
        }
      if (!read_set (acl, check, value, id, prefix, plugin, error))
        return FALSE;
      keel__json_check_pop (check);
    }

  for (int pass = 0; pass < 2; pass++)
    {
      const char *key = pass == 0 ? "permissions" : "sets";
      value = json_object_get (root, key);
      if (value == NULL)
        continue;
      keel__json_check_push_key (check, key);
      if (!json_is_array (value))
        return keel__json_check_fail_type (check, error, value, "an array");
      gsize i;
      json_t *item;
      json_array_foreach (value, i, item)
        {
          keel__json_check_push_index (check, i);
          if (pass == 0)
            {
              if (!read_permission (acl, check, item, prefix, plugin, error))
                return FALSE;
            }
          else
            {
              g_autofree char *id = NULL;
              if (!json_is_object (item))
                return keel__json_check_fail_type (check, error, item, "a set object");
              if (!read_local_id (check, item, prefix, &id, error)
                  || !read_set (acl, check, item, id, prefix, plugin, error))
                return FALSE;
            }
          keel__json_check_pop (check);
        }
      keel__json_check_pop (check);
    }

  g_hash_table_add (acl->manifests, g_strdup (written));
  return TRUE;
}

gboolean
keel__acl_add_manifest (KeelAcl *acl, const char *text, gsize length, const char *source_name,
                        GError **error)
{
  g_return_val_if_fail (acl != NULL && !acl->finalized, FALSE);
  if (source_name == NULL)
    source_name = "permissions.json";
  g_autoptr (json_t) root = keel__json_check_load (text, length, source_name,
                                                   KEEL_ACL_MAX_FILE_SIZE, "1 MiB",
                                                   "permission manifest", KEEL_ERROR_CONFIG, error);
  if (root == NULL)
    return FALSE;
  KeelJsonCheck check;
  keel__json_check_init (&check, KEEL_ERROR_CONFIG);
  check.text = text;
  check.length = length;
  check.source_name = source_name;
  /* All or nothing: a manifest refused halfway leaves none of its
   * permissions behind (a caller that goes on would otherwise have half a
   * plugin grantable, and could not add it again). */
  g_autoptr (GPtrArray) journal = g_ptr_array_new_with_free_func (g_free);
  GHashTable *commands_before = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, acl->commands);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (commands_before, key);
  acl->journal = journal;
  gboolean ok = read_manifest (acl, &check, root, error);
  acl->journal = NULL;
  if (!ok)
    {
      for (guint i = 0; i < journal->len; i++)
        g_hash_table_remove (acl->permissions, journal->pdata[i]);
      g_hash_table_iter_init (&iter, acl->commands);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          if (!g_hash_table_contains (commands_before, key))
            g_hash_table_iter_remove (&iter);
        }
    }
  g_hash_table_unref (commands_before);
  keel__json_check_clear (&check);
  return ok;
}

/* ---- Capabilities ---- */

static const char *const platform_names[] = { "linux", "macOS", "windows", "android", "iOS", NULL };

static gboolean
read_grant (KeelJsonCheck *check, json_t *item, Grant *grant, GError **error)
{
  static const char *const keys[] = { "identifier", "allow", "deny", NULL };
  if (json_is_string (item))
    {
      if (json_string_length (item) == 0)
        return keel__json_check_fail (check, error, FALSE,
                                      "an empty permission identifier; write e.g. \"core:default\"");
      grant->permission = g_strdup (json_string_value (item));
      return TRUE;
    }
  if (!json_is_object (item))
    return keel__json_check_fail_type (check, error, item,
                                       "a permission identifier such as \"core:default\", or "
                                       "{\"identifier\", \"allow\", \"deny\"} with scopes");
  if (!check_keys (check, item, keys, error))
    return FALSE;
  const char *id;
  if (!get_string (check, item, "identifier", TRUE, &id, error))
    return FALSE;
  grant->permission = g_strdup (id);
  return get_scope_list (check, item, "allow", &grant->allow, error)
         && get_scope_list (check, item, "deny", &grant->deny, error);
}

static Capability *
read_capability (KeelJsonCheck *check, json_t *object, Source *source, GError **error)
{
  static const char *const keys[] = {
    "$schema", "identifier", "description", "windows", "webviews", "permissions", "local",
    "remote", "platforms", NULL,
  };
  if (!json_is_object (object))
    {
      keel__json_check_fail_type (check, error, object,
                                  "a capability object {\"identifier\", \"windows\", "
                                  "\"permissions\", ...}");
      return NULL;
    }
  if (!check_keys (check, object, keys, error))
    return NULL;

  g_autoptr (GPtrArray) platforms = g_ptr_array_new_with_free_func (g_free);
  Capability *capability = g_new0 (Capability, 1);
  capability->windows = g_ptr_array_new_with_free_func (g_free);
  capability->webviews = g_ptr_array_new_with_free_func (g_free);
  capability->remote_urls = g_ptr_array_new_with_free_func (g_free);
  capability->grants = g_array_new (FALSE, TRUE, sizeof (Grant));
  g_array_set_clear_func (capability->grants, grant_clear);
  capability->source = source_ref (source);
  capability->path = g_ptr_array_new_with_free_func (g_free);
  capability->local = TRUE;
  capability->on_linux = TRUE;

  const char *identifier, *description;
  if (!get_string (check, object, "identifier", TRUE, &identifier, error)
      || !get_string (check, object, "description", FALSE, &description, error))
    goto fail;
  capability->identifier = g_strdup (identifier);
  capability->description = g_strdup (description);

  if (!get_strings (check, object, "windows", capability->windows,
                    "an array of window labels or globs, e.g. [\"main\", \"settings-*\"]", error)
      || !get_strings (check, object, "webviews", capability->webviews,
                       "an array of web view labels or globs", error))
    goto fail;
  if (capability->windows->len == 0 && capability->webviews->len == 0)
    {
      keel__json_check_fail (check, error, FALSE,
                             "capability \"%s\" names no window: add \"windows\": [\"main\"] "
                             "(labels or globs such as \"*\")",
                             identifier);
      goto fail;
    }

  json_t *local = json_object_get (object, "local");
  if (local != NULL)
    {
      keel__json_check_push_key (check, "local");
      if (!json_is_boolean (local))
        {
          keel__json_check_fail_type (check, error, local, "true or false");
          goto fail;
        }
      capability->local = json_is_true (local);
      keel__json_check_pop (check);
    }

  json_t *remote = json_object_get (object, "remote");
  if (remote != NULL)
    {
      static const char *const remote_keys[] = { "urls", NULL };
      keel__json_check_push_key (check, "remote");
      if (!json_is_object (remote))
        {
          keel__json_check_fail_type (check, error, remote,
                                      "an object {\"urls\": [\"https://example.com/*\"]}");
          goto fail;
        }
      if (!check_keys (check, remote, remote_keys, error)
          || !get_strings (check, remote, "urls", capability->remote_urls,
                           "an array of URL patterns, e.g. [\"https://*.example.com/*\"]", error))
        goto fail;
      for (guint i = 0; i < capability->remote_urls->len; i++)
        {
          g_autoptr (GError) pattern_error = NULL;
          if (!keel__url_pattern_check (capability->remote_urls->pdata[i], &pattern_error))
            {
              keel__json_check_push_key (check, "urls");
              keel__json_check_push_index (check, i);
              keel__json_check_fail (check, error, FALSE, "%s", pattern_error->message);
              goto fail;
            }
        }
      keel__json_check_pop (check);
    }
  if (!capability->local && capability->remote_urls->len == 0)
    {
      keel__json_check_fail (check, error, FALSE,
                             "capability \"%s\" has \"local\": false and no remote.urls, so it "
                             "applies to no page",
                             identifier);
      goto fail;
    }

  if (!get_strings (check, object, "platforms", platforms,
                    "an array of platforms, e.g. [\"linux\"]", error))
    goto fail;
  for (guint i = 0; i < platforms->len; i++)
    {
      if (!g_strv_contains (platform_names, platforms->pdata[i]))
        {
          keel__json_check_push_key (check, "platforms");
          keel__json_check_push_index (check, i);
          g_autofree char *quoted = keel_quote_for_message (platforms->pdata[i]);
          keel__json_check_fail (check, error, FALSE,
                                 "%s is not a platform; use linux, macOS, windows, android or iOS",
                                 quoted);
          goto fail;
        }
    }
  if (platforms->len > 0)
    capability->on_linux = g_ptr_array_find_with_equal_func (platforms, "linux", g_str_equal, NULL);

  json_t *permissions = json_object_get (object, "permissions");
  if (permissions == NULL)
    {
      keel__json_check_fail (check, error, FALSE,
                             "the key \"permissions\" is missing: list what the windows may do, "
                             "e.g. [\"core:default\"]");
      goto fail;
    }
  keel__json_check_push_key (check, "permissions");
  if (!json_is_array (permissions))
    {
      keel__json_check_fail_type (check, error, permissions,
                                  "an array of permissions, e.g. [\"core:default\"]");
      goto fail;
    }
  gsize i;
  json_t *item;
  json_array_foreach (permissions, i, item)
    {
      Grant grant = { NULL, NULL, NULL };
      keel__json_check_push_index (check, i);
      if (!read_grant (check, item, &grant, error))
        {
          grant_clear (&grant);
          goto fail;
        }
      g_array_append_val (capability->grants, grant);
      keel__json_check_pop (check);
    }
  keel__json_check_pop (check);
  return capability;

fail:
  capability_free (capability);
  return NULL;
}

/* Remembers where a capability sits, to locate problems found later. */
static void
set_capability_path (Capability *capability, const KeelJsonCheck *check, const char *const *extra)
{
  (void) check;
  for (const char *const *p = extra; *p != NULL; p++)
    g_ptr_array_add (capability->path, g_strdup (*p));
}

static gboolean
add_capability (GPtrArray *list, Capability *capability, KeelJsonCheck *check, GError **error)
{
  for (guint i = 0; i < list->len; i++)
    {
      Capability *other = list->pdata[i];
      if (strcmp (other->identifier, capability->identifier) == 0)
        {
          keel__json_check_push_key (check, "identifier");
          keel__json_check_fail (check, error, FALSE,
                                 "a capability \"%s\" already exists (%s); identifiers must be "
                                 "unique",
                                 capability->identifier, other->source->name);
          capability_free (capability);
          return FALSE;
        }
    }
  g_ptr_array_add (list, capability);
  return TRUE;
}

gboolean
keel__acl_add_capability_file (KeelAcl *acl, const char *text, gsize length,
                               const char *source_name, GError **error)
{
  g_return_val_if_fail (acl != NULL && !acl->chosen, FALSE);
  if (source_name == NULL)
    source_name = "capability";
  g_autoptr (json_t) root = keel__json_check_load (text, length, source_name,
                                                   KEEL_ACL_MAX_FILE_SIZE, "1 MiB",
                                                   "capability file", KEEL_ERROR_CONFIG, error);
  if (root == NULL)
    return FALSE;

  Source *source = source_new (source_name, text, length);
  KeelJsonCheck check;
  keel__json_check_init (&check, KEEL_ERROR_CONFIG);
  check.text = source->text;
  check.length = source->length;
  check.source_name = source->name;

  gboolean ok = TRUE;
  json_t *list = root;
  const char *list_key = NULL;
  if (json_is_object (root) && json_object_get (root, "capabilities") != NULL
      && json_object_get (root, "identifier") == NULL)
    {
      static const char *const keys[] = { "$schema", "capabilities", NULL };
      ok = check_keys (&check, root, keys, error);
      list = json_object_get (root, "capabilities");
      list_key = "capabilities";
      keel__json_check_push_key (&check, list_key);
      if (ok && !json_is_array (list))
        ok = keel__json_check_fail_type (&check, error, list, "an array of capabilities");
    }

  if (ok && json_is_array (list))
    {
      gsize i;
      json_t *item;
      json_array_foreach (list, i, item)
        {
          keel__json_check_push_index (&check, i);
          Capability *capability = read_capability (&check, item, source, error);
          if (capability == NULL)
            {
              ok = FALSE;
              break;
            }
          char index[24];
          g_snprintf (index, sizeof index, "%" G_GSIZE_FORMAT, i);
          const char *path[] = { list_key != NULL ? list_key : index,
                                 list_key != NULL ? index : NULL, NULL };
          set_capability_path (capability, &check, path);
          capability->from_file = TRUE;
          if (!add_capability (acl->file_capabilities, capability, &check, error))
            {
              ok = FALSE;
              break;
            }
          keel__json_check_pop (&check);
        }
    }
  else if (ok)
    {
      Capability *capability = read_capability (&check, root, source, error);
      const char *path[] = { NULL };
      ok = capability != NULL;
      if (ok)
        {
          set_capability_path (capability, &check, path);
          capability->from_file = TRUE;
          ok = add_capability (acl->file_capabilities, capability, &check, error);
        }
    }

  keel__json_check_clear (&check);
  source_unref (source);
  return ok;
}

gboolean
keel__acl_set_config_capabilities (KeelAcl *acl, json_t *capabilities, const char *config_text,
                                   gsize length, const char *source_name, GError **error)
{
  g_return_val_if_fail (acl != NULL && !acl->chosen, FALSE);
  if (capabilities == NULL)
    return TRUE;
  if (source_name == NULL)
    source_name = "keel.json";

  source_unref (acl->config_source);
  acl->config_source = source_new (source_name, config_text, length);
  KeelJsonCheck check;
  keel__json_check_init (&check, KEEL_ERROR_CONFIG);
  check.text = acl->config_source->text;
  check.length = acl->config_source->length;
  check.source_name = acl->config_source->name;
  check.where = "app.security.capabilities";
  if (config_text != NULL)
    {
      keel__json_check_push_key (&check, "app");
      keel__json_check_push_key (&check, "security");
      keel__json_check_push_key (&check, "capabilities");
    }

  gboolean ok = TRUE;
  if (!json_is_array (capabilities))
    ok = keel__json_check_fail_type (&check, error, capabilities,
                                     "an array of capabilities and capability identifiers");
  gsize i;
  json_t *item;
  json_array_foreach (capabilities, i, item)
    {
      if (!ok)
        break;
      keel__json_check_push_index (&check, i);
      if (json_is_string (item))
        {
          g_ptr_array_add (acl->config_references, g_strdup (json_string_value (item)));
          g_array_append_val (acl->config_reference_indices, i);
        }
      else
        {
          Capability *capability = read_capability (&check, item, acl->config_source, error);
          if (capability == NULL)
            {
              ok = FALSE;
              break;
            }
          char index[24];
          g_snprintf (index, sizeof index, "%" G_GSIZE_FORMAT, i);
          const char *path[] = { "app", "security", "capabilities", index, NULL };
          set_capability_path (capability, &check, path);
          if (!add_capability (acl->config_capabilities, capability, &check, error))
            {
              ok = FALSE;
              break;
            }
        }
      keel__json_check_pop (&check);
    }
  keel__json_check_clear (&check);
  return ok;
}

/* ---- Finalizing ---- */

/* A check positioned at a capability's member, for problems found late. */
static void
check_at_capability (KeelJsonCheck *check, const Capability *capability)
{
  keel__json_check_init (check, KEEL_ERROR_CONFIG);
  check->text = capability->source->text;
  check->length = capability->source->length;
  check->source_name = capability->source->name;
  for (guint i = 0; i < capability->path->len; i++)
    {
      const char *segment = capability->path->pdata[i];
      if (g_ascii_isdigit (segment[0]))
        keel__json_check_push_index (check, g_ascii_strtoull (segment, NULL, 10));
      else
        keel__json_check_push_key (check, segment);
    }
}

static guint
count_colons (const char *text)
{
  guint n = 0;
  for (const char *p = strchr (text, ':'); p != NULL; p = strchr (p + 1, ':'))
    n++;
  return n;
}

/* Why `id` names no permission, for a message: a suggestion or the plugin's absence. */
static char *
unknown_permission_hint (KeelAcl *acl, const char *id)
{
  g_autofree const char **known = (const char **) g_hash_table_get_keys_as_array (acl->permissions, NULL);
  guint n = g_hash_table_size (acl->permissions);
  /* Only identifiers of the same shape: "fs:default" is not a misspelt
   * "default" (the app's own set) but a plugin's, and that plugin's absence
   * is the better hint. */
  g_autoptr (GPtrArray) alike = g_ptr_array_new ();
  guint colons = count_colons (id);
  for (guint i = 0; i < n; i++)
    {
      if (count_colons (known[i]) == colons)
        g_ptr_array_add (alike, (gpointer) known[i]);
    }
  const char *suggestion = keel__closest_word (id, (const char *const *) alike->pdata,
                                               alike->len, 3);
  if (suggestion != NULL)
    return g_strdup_printf ("; did you mean \"%s\"?", suggestion);

  /* The plugin part: everything before the last ':'. */
  const char *colon = strrchr (id, ':');
  if (colon != NULL)
    {
      g_autofree char *plugin = g_strndup (id, colon - id);
      const char *written = g_str_has_prefix (plugin, "core:") ? plugin : plugin;
      if (!g_hash_table_contains (acl->manifests, written))
        {
          gboolean any = FALSE;
          g_autofree char *prefix = g_strconcat (plugin, ":", NULL);
          for (guint i = 0; i < n && !any; i++)
            any = g_str_has_prefix (known[i], prefix);
          if (!any)
            return g_strdup_printf ("; this app has no plugin \"%s\" (is it registered?)", plugin);
        }
    }
  return g_strdup ("; `keel permissions` lists what this app defines, docs/permissions.md the "
                   "built-in ones");
}

/* Checks that a set's members exist and that no set contains itself, and
 * gives its height: 1 for a set of leaves, one more per level of sets below.
 * `heights` remembers the sets checked (0 while a set is being checked), so
 * that a set many others include is checked once, not once per path to it.
 * `depth` counts the sets above this one on the way from `root`; it bounds
 * the recursion before any height is known. */
static gboolean
check_set (KeelAcl *acl, Permission *set, const Permission *root, const Permission *parent,
           guint depth, GHashTable *heights, guint *height, GError **error)
{
  gpointer known;
  if (g_hash_table_lookup_extended (heights, set, NULL, &known))
    {
      if (GPOINTER_TO_UINT (known) == 0)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                       "%s: the set \"%s\" contains itself (through %s)", set->source_name,
                       set->id, parent != NULL ? parent->id : set->id);
          return FALSE;
        }
      *height = GPOINTER_TO_UINT (known);
      return TRUE;
    }
  if (depth >= MAX_SET_DEPTH)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                   "%s: the set \"%s\" nests sets more than %d deep", root->source_name,
                   root->id, MAX_SET_DEPTH);
      return FALSE;
    }

  g_hash_table_insert (heights, set, GUINT_TO_POINTER (0));
  guint deepest = 0;
  for (guint i = 0; i < set->members->len; i++)
    {
      const char *member = set->members->pdata[i];
      Permission *permission = g_hash_table_lookup (acl->permissions, member);
      if (permission == NULL)
        {
          g_autofree char *hint = unknown_permission_hint (acl, member);
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                       "%s: the set \"%s\" names the unknown permission \"%s\"%s",
                       set->source_name, set->id, member, hint);
          return FALSE;
        }
      guint member_height = 0;
      if (permission->is_set
          && !check_set (acl, permission, root, set, depth + 1, heights, &member_height, error))
        return FALSE;
      deepest = MAX (deepest, member_height);
    }
  *height = deepest + 1;
  if (*height > MAX_SET_DEPTH)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                   "%s: the set \"%s\" nests sets more than %d deep", set->source_name, set->id,
                   MAX_SET_DEPTH);
      return FALSE;
    }
  g_hash_table_insert (heights, set, GUINT_TO_POINTER (*height));
  return TRUE;
}

static Capability *
find_file_capability (KeelAcl *acl, const char *identifier)
{
  for (guint i = 0; i < acl->file_capabilities->len; i++)
    {
      Capability *capability = acl->file_capabilities->pdata[i];
      if (strcmp (capability->identifier, identifier) == 0)
        return capability;
    }
  return NULL;
}

gboolean
keel__acl_choose_capabilities (KeelAcl *acl, GError **error)
{
  if (acl->chosen)
    return TRUE;
  acl->chosen = TRUE;
  if (acl->config_references->len == 0 && acl->config_capabilities->len == 0)
    {
      for (guint i = 0; i < acl->file_capabilities->len; i++)
        g_ptr_array_add (acl->active, acl->file_capabilities->pdata[i]);
      return TRUE;
    }

  for (guint i = 0; i < acl->config_capabilities->len; i++)
    {
      Capability *capability = acl->config_capabilities->pdata[i];
      if (find_file_capability (acl, capability->identifier) != NULL)
        {
          KeelJsonCheck check;
          check_at_capability (&check, capability);
          keel__json_check_push_key (&check, "identifier");
          keel__json_check_fail (&check, error, FALSE,
                                 "a capability file already defines \"%s\"; identifiers must be "
                                 "unique",
                                 capability->identifier);
          keel__json_check_clear (&check);
          return FALSE;
        }
      g_ptr_array_add (acl->active, capability);
    }

  for (guint i = 0; i < acl->config_references->len; i++)
    {
      const char *identifier = acl->config_references->pdata[i];
      Capability *capability = find_file_capability (acl, identifier);
      if (capability == NULL)
        {
          g_autoptr (GPtrArray) names = g_ptr_array_new ();
          for (guint j = 0; j < acl->file_capabilities->len; j++)
            g_ptr_array_add (names, ((Capability *) acl->file_capabilities->pdata[j])->identifier);
          const char *suggestion = keel__closest_word (identifier, (const char *const *) names->pdata,
                                                       names->len, 2);
          g_autofree char *list = NULL;
          g_ptr_array_add (names, NULL);
          list = g_strjoinv (", ", (char **) names->pdata);
          /* The position of the string among the config's entries. */
          KeelJsonCheck check;
          keel__json_check_init (&check, KEEL_ERROR_CONFIG);
          check.text = acl->config_source->text;
          check.length = acl->config_source->length;
          check.source_name = acl->config_source->name;
          keel__json_check_push_key (&check, "app");
          keel__json_check_push_key (&check, "security");
          keel__json_check_push_key (&check, "capabilities");
          keel__json_check_push_index (&check,
                                       g_array_index (acl->config_reference_indices, gsize, i));
          if (suggestion != NULL)
            keel__json_check_fail (&check, error, FALSE,
                                   "no capability file defines \"%s\"; did you mean \"%s\"?",
                                   identifier, suggestion);
          else
            keel__json_check_fail (&check, error, FALSE,
                                   "no capability file defines \"%s\" (capabilities/*.json "
                                   "define: %s)",
                                   identifier, *list != '\0' ? list : "none");
          keel__json_check_clear (&check);
          return FALSE;
        }
      if (!g_ptr_array_find (acl->active, capability, NULL))
        g_ptr_array_add (acl->active, capability);
    }
  return TRUE;
}

/* Hands a warning to the caller's array, or logs it. */
static void
warn (GPtrArray *warnings, char *message)
{
  if (warnings != NULL)
    g_ptr_array_add (warnings, message);
  else
    {
      g_message ("%s", message);
      g_free (message);
    }
}

gboolean
keel__acl_finalize (KeelAcl *acl, const char *const *commands, guint n_commands,
                    GPtrArray *warnings, GError **error)
{
  g_return_val_if_fail (acl != NULL && !acl->finalized, FALSE);

  for (guint i = 0; i < n_commands; i++)
    {
      g_hash_table_add (acl->registered, g_strdup (commands[i]));
      g_autofree char *plugin = command_plugin (commands[i]);
      const char *name = commands[i];
      if (*plugin != '\0')
        name = strchr (commands[i], '|') != NULL ? strchr (commands[i], '|') + 1 : "";
      if (is_command_name (name) && (*plugin == '\0' || is_identifier_part (plugin)))
        {
          if (!add_command_permissions (acl, plugin, name, "(registered commands)", error))
            return FALSE;
          continue;
        }
      /* No permission can be named for it, so none can allow it; known as a
       * command all the same, it is refused rather than let through as one
       * the router does not know. */
      g_hash_table_add (acl->commands, g_strdup (commands[i]));
      g_autofree char *quoted = keel_quote_for_message (commands[i]);
      warn (warnings, g_strdup_printf ("the command %s makes no permission identifier, so no "
                                       "permission can allow it and no page may call it; name "
                                       "commands with letters, digits, '_' and '-', and plugins "
                                       "with lowercase letters, digits and '-'",
                                       quoted));
    }

  /* Sets: members exist, no cycles. */
  GHashTableIter iter;
  gpointer value;
  g_autoptr (GHashTable) heights = g_hash_table_new (NULL, NULL);
  g_hash_table_iter_init (&iter, acl->permissions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Permission *permission = value;
      guint height;
      if (permission->is_set
          && !check_set (acl, permission, permission, NULL, 0, heights, &height, error))
        return FALSE;
    }

  if (!keel__acl_choose_capabilities (acl, error))
    return FALSE;

  /* Grants name permissions that exist. */
  for (guint i = 0; i < acl->active->len; i++)
    {
      Capability *capability = acl->active->pdata[i];
      for (guint j = 0; j < capability->grants->len; j++)
        {
          Grant *grant = &g_array_index (capability->grants, Grant, j);
          if (g_hash_table_contains (acl->permissions, grant->permission))
            continue;
          KeelJsonCheck check;
          check_at_capability (&check, capability);
          keel__json_check_push_key (&check, "permissions");
          keel__json_check_push_index (&check, j);
          g_autofree char *hint = unknown_permission_hint (acl, grant->permission);
          g_autofree char *quoted = keel_quote_for_message (grant->permission);
          keel__json_check_fail (&check, error, FALSE, "unknown permission %s%s", quoted, hint);
          keel__json_check_clear (&check);
          return FALSE;
        }
      if (!capability->on_linux)
        warn (warnings, g_strdup_printf ("%s: capability \"%s\" lists platforms without linux; "
                                         "it is ignored",
                                         capability->source->name, capability->identifier));
    }

  acl->finalized = TRUE;
  return TRUE;
}

/* ---- Resolving ---- */

static gboolean
glob_any (GPtrArray *globs, const char *text)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < globs->len; i++)
    {
      if (g_pattern_match_simple (globs->pdata[i], text))
        return TRUE;
    }
  return FALSE;
}

static gboolean
capability_applies (const Capability *capability, const KeelAclCaller *caller)
{
  if (!capability->on_linux)
    return FALSE;
  if (!glob_any (capability->windows, caller->window_label)
      && !glob_any (capability->webviews, caller->webview_label))
    return FALSE;
  if (caller->local)
    return capability->local;
  if (caller->url == NULL)
    return FALSE;
  for (guint i = 0; i < capability->remote_urls->len; i++)
    {
      if (keel__url_pattern_match (capability->remote_urls->pdata[i], caller->url))
        return TRUE;
    }
  return FALSE;
}

static void
append_scopes (json_t **target, json_t *scopes)
{
  if (scopes == NULL || json_array_size (scopes) == 0)
    return;
  if (*target == NULL)
    *target = json_array ();
  json_array_extend (*target, scopes);
}

static Entry *
resolution_entry (Resolution *resolution, const char *command)
{
  Entry *entry = g_hash_table_lookup (resolution->entries, command);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->allowed_by = g_ptr_array_new_with_free_func (g_free);
      entry->denied_by = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (resolution->entries, g_strdup (command), entry);
    }
  return entry;
}

static void
add_global_scopes (GHashTable *table, const char *plugin, json_t *scopes)
{
  if (scopes == NULL || json_array_size (scopes) == 0)
    return;
  json_t *list = g_hash_table_lookup (table, plugin);
  if (list == NULL)
    {
      list = json_array ();
      g_hash_table_insert (table, g_strdup (plugin), list);
    }
  json_array_extend (list, scopes);
}

/* Applies one leaf permission granted by a capability (with the grant's
 * inline scopes) to the resolution. */
static void
apply_leaf (Resolution *resolution, const Permission *permission, const Capability *capability,
            const Grant *grant)
{
  g_autofree char *by = g_strdup_printf ("%s (capability \"%s\")", permission->id,
                                         capability->identifier);
  if (permission->allow->len == 0 && permission->deny->len == 0)
    {
      /* Scope only: it applies to every command of its plugin. */
      add_global_scopes (resolution->global_allow, permission->plugin, permission->scope_allow);
      add_global_scopes (resolution->global_deny, permission->plugin, permission->scope_deny);
      add_global_scopes (resolution->global_allow, permission->plugin, grant->allow);
      add_global_scopes (resolution->global_deny, permission->plugin, grant->deny);
      return;
    }
  for (guint i = 0; i < permission->allow->len; i++)
    {
      Entry *entry = resolution_entry (resolution, permission->allow->pdata[i]);
      /* The same permission granted twice by one capability (directly and
       * through a set, say) is one grant; only inline scopes add up. */
      if (!g_ptr_array_find_with_equal_func (entry->allowed_by, by, g_str_equal, NULL))
        {
          g_ptr_array_add (entry->allowed_by, g_strdup (by));
          append_scopes (&entry->scope_allow, permission->scope_allow);
          append_scopes (&entry->scope_deny, permission->scope_deny);
        }
      append_scopes (&entry->scope_allow, grant->allow);
      append_scopes (&entry->scope_deny, grant->deny);
    }
  for (guint i = 0; i < permission->deny->len; i++)
    {
      Entry *entry = resolution_entry (resolution, permission->deny->pdata[i]);
      if (!g_ptr_array_find_with_equal_func (entry->denied_by, by, g_str_equal, NULL))
        g_ptr_array_add (entry->denied_by, g_strdup (by));
    }
}

/* `seen` holds the permissions this grant reached already: one reached
 * again through another set adds nothing, and expanding it again would cost
 * as much as the paths to it. */
static void
apply_permission (KeelAcl *acl, Resolution *resolution, const char *id,
                  const Capability *capability, const Grant *grant, guint depth, GHashTable *seen)
{
  Permission *permission = g_hash_table_lookup (acl->permissions, id);
  /* finalize() proved that every name exists, that sets do not cycle and
   * that they nest at most MAX_SET_DEPTH levels (a leaf is one deeper). */
  if (permission == NULL || depth > MAX_SET_DEPTH || !g_hash_table_add (seen, permission))
    return;
  if (!permission->is_set)
    {
      apply_leaf (resolution, permission, capability, grant);
      return;
    }
  for (guint i = 0; i < permission->members->len; i++)
    apply_permission (acl, resolution, permission->members->pdata[i], capability, grant,
                      depth + 1, seen);
}

static Resolution *
resolve (KeelAcl *acl, GPtrArray *capabilities)
{
  Resolution *resolution = g_new0 (Resolution, 1);
  resolution->capabilities = g_ptr_array_ref (capabilities);
  resolution->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  resolution->global_allow = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                    (GDestroyNotify) json_decref);
  resolution->global_deny = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   (GDestroyNotify) json_decref);
  for (guint i = 0; i < capabilities->len; i++)
    {
      const Capability *capability = capabilities->pdata[i];
      for (guint j = 0; j < capability->grants->len; j++)
        {
          const Grant *grant = &g_array_index (capability->grants, Grant, j);
          g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
          apply_permission (acl, resolution, grant->permission, capability, grant, 0, seen);
        }
    }
  return resolution;
}

/* The resolution for the capabilities that apply to a caller (cached by
 * which ones they are). Call with the lock held. */
static Resolution *
resolution_for (KeelAcl *acl, const KeelAclCaller *caller)
{
  if (acl->last_resolution != NULL && acl->last_local == caller->local
      && g_strcmp0 (acl->last_window, caller->window_label) == 0
      && g_strcmp0 (acl->last_webview, caller->webview_label) == 0
      && g_strcmp0 (acl->last_url, caller->url) == 0)
    return acl->last_resolution;

  g_autoptr (GPtrArray) applying = g_ptr_array_new ();
  GString *signature = g_string_new (NULL);
  for (guint i = 0; i < acl->active->len; i++)
    {
      if (capability_applies (acl->active->pdata[i], caller))
        {
          g_ptr_array_add (applying, acl->active->pdata[i]);
          g_string_append_printf (signature, "%u,", i);
        }
    }

  Resolution *resolution = g_hash_table_lookup (acl->resolutions, signature->str);
  if (resolution != NULL)
    g_string_free (signature, TRUE);
  else
    {
      if (g_hash_table_size (acl->resolutions) >= MAX_CACHED_RESOLUTIONS)
        g_hash_table_remove_all (acl->resolutions);
      resolution = resolve (acl, applying);
      g_hash_table_insert (acl->resolutions, g_string_free (signature, FALSE), resolution);
    }

  g_free (acl->last_window);
  g_free (acl->last_webview);
  g_free (acl->last_url);
  acl->last_window = g_strdup (caller->window_label);
  acl->last_webview = g_strdup (caller->webview_label);
  acl->last_url = g_strdup (caller->url);
  acl->last_local = caller->local;
  acl->last_resolution = resolution;
  return resolution;
}

static void
append_copies (json_t *target, json_t *scopes)
{
  size_t i;
  json_t *scope;
  json_array_foreach (scopes, i, scope)
    json_array_append_new (target, json_deep_copy (scope));
}

/* The scopes of a call: the command's own and its plugin's global ones,
 * or NULL when there are none (most calls). Copies: the caller owns them and
 * may change them, while the ACL's own stay as they are for other calls and
 * other threads. */
static json_t *
call_scopes (json_t *own, GHashTable *global, const char *command)
{
  json_t *plugin_scopes = NULL;
  if (g_hash_table_size (global) > 0)
    {
      g_autofree char *plugin = command_plugin (command);
      plugin_scopes = g_hash_table_lookup (global, plugin);
    }
  if (json_array_size (own) == 0 && json_array_size (plugin_scopes) == 0)
    return NULL;
  json_t *scopes = json_array ();
  if (own != NULL)
    append_copies (scopes, own);
  if (plugin_scopes != NULL)
    append_copies (scopes, plugin_scopes);
  return scopes;
}

/* Who is calling, in words: "window \"main\" (keel://localhost/index.html)". */
static char *
describe_caller (const KeelAclCaller *caller)
{
  g_autofree char *url = caller->url != NULL ? keel_quote_for_message (caller->url) : NULL;
  g_autofree char *label = keel_quote_for_message (caller->window_label != NULL ? caller->window_label
                                                                           : "");
  return g_strdup_printf ("window %s%s%s%s", label,
                          url != NULL ? " (page " : "", url != NULL ? url : "",
                          url != NULL ? ")" : "");
}

/* For qsort() and g_ptr_array_sort() of strings: both pass pointers to the
 * elements. */
static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The leaf permissions that allow a command, for a refusal: "a, b". */
static char *
permissions_allowing (KeelAcl *acl, const char *command)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, acl->permissions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Permission *permission = value;
      if (!permission->is_set
          && g_ptr_array_find_with_equal_func (permission->allow, command, g_str_equal, NULL))
        g_ptr_array_add (ids, permission->id);
    }
  g_ptr_array_sort (ids, compare_strings);
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < ids->len && i < 5; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", (const char *) ids->pdata[i]);
  if (ids->len > 5)
    g_string_append_printf (out, " (and %u more)", ids->len - 5);
  return g_string_free (out, FALSE);
}

/* keel__acl_check(), but no scopes are NULL rather than an empty array (an
 * invoke makes one only if a handler asks). */
static gboolean
check (KeelAcl *acl, const KeelAclCaller *caller, const char *command, json_t **scope_allow,
       json_t **scope_deny, GError **error)
{
  g_return_val_if_fail (acl != NULL && acl->finalized, FALSE);
  g_return_val_if_fail (caller != NULL && command != NULL, FALSE);

  g_mutex_lock (&acl->lock);
  Resolution *resolution = resolution_for (acl, caller);
  g_autofree char *who = NULL;

  if (resolution->capabilities->len == 0)
    {
      g_mutex_unlock (&acl->lock);
      who = describe_caller (caller);
      if (caller->local)
        g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
                     "\"%s\" refused: no capability applies to %s, so it may call no command; "
                     "name the window in the \"windows\" of a capability (capabilities/*.json "
                     "or app.security.capabilities in keel.json)",
                     command, who);
      else
        g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
                     "\"%s\" refused: the page is not on the app's origin and no capability for "
                     "%s lists its URL in \"remote\": {\"urls\": [...]}",
                     command, who);
      return FALSE;
    }

  Entry *entry = g_hash_table_lookup (resolution->entries, command);
  if (entry != NULL && entry->denied_by->len > 0)
    {
      g_autofree char *by = g_strdup (entry->denied_by->pdata[0]);
      g_mutex_unlock (&acl->lock);
      who = describe_caller (caller);
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
                   "\"%s\" refused: it is denied to %s by %s; a deny wins over any allow",
                   command, who, by);
      return FALSE;
    }
  if (entry != NULL && entry->allowed_by->len > 0)
    {
      if (scope_allow != NULL)
        *scope_allow = call_scopes (entry->scope_allow, resolution->global_allow, command);
      if (scope_deny != NULL)
        *scope_deny = call_scopes (entry->scope_deny, resolution->global_deny, command);
      g_mutex_unlock (&acl->lock);
      return TRUE;
    }
  g_mutex_unlock (&acl->lock);

  /* Not a command any permission names. Refused all the same (a command
   * registered after finalize must not pass unchecked); NOT_FOUND lets the
   * router say "unknown command" when there is no handler either. */
  if (!g_hash_table_contains (acl->commands, command))
    {
      who = describe_caller (caller);
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND,
                   "\"%s\" refused: no permission names this command (it was not registered "
                   "when the app started), so no capability can grant it to %s",
                   command, who);
      return FALSE;
    }

  who = describe_caller (caller);
  g_autofree char *allowing = permissions_allowing (acl, command);
  g_set_error (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN,
               "\"%s\" refused: no capability of %s grants it; add %s to the \"permissions\" of "
               "a capability for this window",
               command, who, *allowing != '\0' ? allowing : "a permission that allows it");
  return FALSE;
}

gboolean
keel__acl_check (KeelAcl *acl, const KeelAclCaller *caller, const char *command,
                 json_t **scope_allow, json_t **scope_deny, GError **error)
{
  if (!check (acl, caller, command, scope_allow, scope_deny, error))
    return FALSE;
  if (scope_allow != NULL && *scope_allow == NULL)
    *scope_allow = json_array ();
  if (scope_deny != NULL && *scope_deny == NULL)
    *scope_deny = json_array ();
  return TRUE;
}

GPtrArray *
keel__acl_remote_url_patterns (KeelAcl *acl)
{
  g_return_val_if_fail (acl->chosen, g_ptr_array_new ());
  GPtrArray *patterns = g_ptr_array_new ();
  for (guint i = 0; i < acl->active->len; i++)
    {
      Capability *capability = acl->active->pdata[i];
      if (!capability->on_linux)
        continue;
      for (guint j = 0; j < capability->remote_urls->len; j++)
        {
          const char *pattern = capability->remote_urls->pdata[j];
          if (!g_ptr_array_find_with_equal_func (patterns, pattern, g_str_equal, NULL))
            g_ptr_array_add (patterns, (gpointer) pattern);
        }
    }
  return patterns;
}

static void
append_scope_line (GString *out, const char *label, json_t *scopes)
{
  if (scopes == NULL || json_array_size (scopes) == 0)
    return;
  g_autofree char *text = json_dumps (scopes, JSON_COMPACT | JSON_ENSURE_ASCII);
  g_string_append_printf (out, "      %s: %s\n", label, text != NULL ? text : "?");
}

char *
keel__acl_describe (KeelAcl *acl, const KeelAclCaller *caller)
{
  g_return_val_if_fail (acl != NULL && acl->finalized, NULL);
  GString *out = g_string_new (NULL);

  g_mutex_lock (&acl->lock);
  Resolution *resolution = resolution_for (acl, caller);
  if (resolution->capabilities->len == 0)
    {
      g_string_append (out, "  no capability applies: no command may be called\n");
      g_mutex_unlock (&acl->lock);
      return g_string_free (out, FALSE);
    }
  g_string_append (out, "  capabilities:");
  for (guint i = 0; i < resolution->capabilities->len; i++)
    g_string_append_printf (out, " %s", ((Capability *) resolution->capabilities->pdata[i])->identifier);
  g_string_append_c (out, '\n');

  g_autofree const char **commands = (const char **) g_hash_table_get_keys_as_array (resolution->entries, NULL);
  guint n = g_hash_table_size (resolution->entries);
  qsort (commands, n, sizeof *commands, compare_strings);
  for (guint i = 0; i < n; i++)
    {
      Entry *entry = g_hash_table_lookup (resolution->entries, commands[i]);
      if (entry->denied_by->len > 0)
        {
          g_string_append_printf (out, "  DENIED  %s\n      by: %s\n", commands[i],
                                  (const char *) entry->denied_by->pdata[0]);
          continue;
        }
      g_string_append_printf (out, "  allowed %s%s\n      by:", commands[i],
                              g_hash_table_contains (acl->registered, commands[i])
                                ? ""
                                : " (no handler registered)");
      for (guint j = 0; j < entry->allowed_by->len; j++)
        g_string_append_printf (out, "%s %s", j > 0 ? "," : "",
                                (const char *) entry->allowed_by->pdata[j]);
      g_string_append_c (out, '\n');
      g_autoptr (json_t) allow = call_scopes (entry->scope_allow, resolution->global_allow,
                                              commands[i]);
      g_autoptr (json_t) deny = call_scopes (entry->scope_deny, resolution->global_deny,
                                             commands[i]);
      append_scope_line (out, "scope allow", allow);
      append_scope_line (out, "scope deny", deny);
    }
  g_mutex_unlock (&acl->lock);
  return g_string_free (out, FALSE);
}

gboolean
keel__acl_check_invoke (KeelInvoke *invoke, GError **error, gpointer acl)
{
  KeelAclCaller caller = {
    .window_label = invoke->window_label,
    .webview_label = invoke->webview_label,
    .url = invoke->url,
    .local = invoke->local,
  };
  json_t *allow = NULL, *deny = NULL;
  if (!check (acl, &caller, invoke->command, &allow, &deny, error))
    return FALSE;
  json_decref (invoke->scope_allow);
  json_decref (invoke->scope_deny);
  invoke->scope_allow = allow;
  invoke->scope_deny = deny;
  return TRUE;
}
