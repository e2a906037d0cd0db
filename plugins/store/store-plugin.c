/* plugin:store — Tauri's store plugin (@tauri-apps/plugin-store v2) over
 * the public API: one store per file, shared by every window; each open
 * store is a resource whose id every window uses (Tauri keeps stores in the
 * app's resource table too); changes go to every page as `store://change`.
 *
 * The registry of open stores is the plugin's managed state, which the
 * commands reach with keel_invoke_get_state(). */
#include <gio/gio.h>
#include <string.h>

#include "keel/keel.h"
#include "store.h"

#define STATE_KEY "keel:store"
#define RESOURCE_KIND "store"
#define MANIFEST "/dev/keel/store/permissions.json"

typedef struct
{
  KeelApp *app;        /* for events and the data dir: stores are closed before the app goes */
  GHashTable *open;    /* resolved path → Entry* (owned by the resource table) */
} Registry;

/* One open store: the data of its resource. */
typedef struct
{
  Registry *registry;
  KeelStore *store;
  guint32 rid;
} Entry;

static void
registry_free (gpointer data)
{
  Registry *registry = data;
  /* Every store was a resource, closed (and saved) before managed state is
   * freed; nothing is left to write. */
  g_hash_table_unref (registry->open);
  g_free (registry);
}

/* The resource's close function: Store.close(), load() with createNew over
 * it, or the app's end. What autosave has not written yet is written now. */
static void
entry_close (gpointer data)
{
  Entry *entry = data;
  g_autoptr (GError) error = NULL;
  if (!keel__store_flush (entry->store, &error))
    g_warning ("keel store: %s; its last changes are lost", error->message);
  const char *path = keel__store_get_path (entry->store);
  if (g_hash_table_lookup (entry->registry->open, path) == entry)
    g_hash_table_remove (entry->registry->open, path);
  keel__store_free (entry->store);
  g_free (entry);
}

/* Tauri's ChangePayload: {path, resourceId, key, value, exists}, emitted to
 * every window (Tauri's app.emit); Store.onChange() and onKeyChange() keep
 * the events whose resourceId is their store's. */
static void
on_change (KeelStore *store, const char *key, json_t *value, gpointer data)
{
  Entry *entry = data;
  /* File names need not be UTF-8 ($XDG_DATA_HOME may not be); JSON must. */
  g_autofree char *path = g_filename_display_name (keel__store_get_path (store));
  keel_app_emit (entry->registry->app, "store://change",
                 json_pack ("{s:s, s:I, s:s, s:O?, s:b}", "path", path, "resourceId",
                            (json_int_t) entry->rid, "key", key, "value", value, "exists",
                            value != NULL));
}

/* The page's code for an error of store.h. */
static const char *
error_code (const GError *error)
{
  if (g_error_matches (error, KEEL_ERROR, KEEL_ERROR_INVALID))
    return "invalid_args"; /* the path (keel_resolve_path_below()) */
  if (g_error_matches (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN))
    return "forbidden";
  if (error->domain != KEEL_STORE_ERROR)
    return "io_error";
  switch (error->code)
    {
    case KEEL_STORE_ERROR_NOT_FOUND: return "not_found";
    case KEEL_STORE_ERROR_CORRUPT: return "corrupt_store";
    default: return "io_error";
    }
}

static void
reject_error (KeelInvoke *invoke, const GError *error, const char *advice)
{
  /* Said in the terminal too: the page may not show it, and the user may
   * want the file that was moved aside. */
  if (g_error_matches (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT))
    g_warning ("keel store: %s", error->message);
  keel_invoke_reject (invoke, error_code (error), "%s: %s%s", keel_invoke_get_command (invoke),
                      error->message, advice != NULL ? advice : "");
}

static Registry *
registry_of (KeelInvoke *invoke)
{
  return keel_invoke_get_state (invoke, STATE_KEY);
}

/* Reads `rid` and finds its store; rejects the invoke when it cannot. */
static Entry *
entry_arg (KeelInvoke *invoke)
{
  gint64 rid;
  if (!keel_invoke_arg_int (invoke, "rid", &rid))
    return NULL;
  Entry *entry = rid >= 1 && rid <= G_MAXUINT32
                   ? keel_app_get_resource (keel_invoke_get_app (invoke), (guint32) rid,
                                            RESOURCE_KIND)
                   : NULL;
  if (entry == NULL)
    keel_invoke_reject (invoke, "not_found",
                        "%s: resource id %" G_GINT64_FORMAT " is not an open store: it was "
                        "closed (Store.close(), or load() with createNew opened the file anew), "
                        "or never opened; load the store again",
                        keel_invoke_get_command (invoke), rid);
  return entry;
}

/* Reads `key`; rejects the invoke when it cannot. */
static const char *
key_arg (KeelInvoke *invoke)
{
  const char *key;
  return keel_invoke_arg_string (invoke, "key", &key) ? key : NULL;
}

/* StoreOptions, as @tauri-apps/plugin-store sends them. */
typedef struct
{
  json_t *defaults;        /* borrowed; NULL when absent */
  gint64 autosave_ms;
  gboolean create_new;
  gboolean override_defaults;
} Options;

static gboolean
reject_option (KeelInvoke *invoke, const char *key, const char *expected, json_t *given)
{
  keel_invoke_reject (invoke, "invalid_args", "%s: options.%s must be %s, got %s",
                      keel_invoke_get_command (invoke), key, expected,
                      keel_json_type_words (given));
  return FALSE;
}

static gboolean
options_arg (KeelInvoke *invoke, Options *options)
{
  *options = (Options){ NULL, KEEL_STORE_AUTOSAVE_DEFAULT_MS, FALSE, FALSE };
  json_t *object = json_object_get (keel_invoke_get_args (invoke), "options");
  if (object == NULL || json_is_null (object))
    return TRUE;
  if (!json_is_object (object))
    {
      keel_invoke_reject (invoke, "invalid_args",
                          "%s: argument \"options\" must be an object (StoreOptions), got %s",
                          keel_invoke_get_command (invoke), keel_json_type_words (object));
      return FALSE;
    }
  const char *key;
  json_t *value;
  json_object_foreach (object, key, value)
    {
      /* null stands for "not given", as serde reads an Option. */
      if (json_is_null (value))
        continue;
      if (strcmp (key, "defaults") == 0)
        {
          if (!json_is_object (value))
            return reject_option (invoke, key, "an object of default values", value);
          options->defaults = value;
        }
      else if (strcmp (key, "autoSave") == 0)
        {
          /* true keeps the default debounce, as in Tauri; a number is the
           * debounce in milliseconds, 0 meaning "save at each change". */
          if (json_is_false (value))
            options->autosave_ms = KEEL_STORE_AUTOSAVE_OFF;
          else if (json_is_integer (value) && json_integer_value (value) >= 0
                   && json_integer_value (value) <= G_MAXINT32)
            options->autosave_ms = json_integer_value (value);
          else if (!json_is_true (value))
            return reject_option (invoke, key,
                                  "a boolean or a debounce in milliseconds (an integer from 0 "
                                  "to 2147483647)",
                                  value);
        }
      else if (strcmp (key, "createNew") == 0 || strcmp (key, "overrideDefaults") == 0)
        {
          if (!json_is_boolean (value))
            return reject_option (invoke, key, "a boolean", value);
          *(strcmp (key, "createNew") == 0 ? &options->create_new : &options->override_defaults)
            = json_is_true (value);
        }
      else if (strcmp (key, "serializeFnName") == 0 || strcmp (key, "deserializeFnName") == 0)
        {
          if (!json_is_string (value))
            return reject_option (invoke, key, "a string", value);
          keel_invoke_reject (invoke, "unsupported",
                              "%s: options.%s names \"%s\", but Keel's store reads and writes "
                              "JSON only and registers no other functions; leave %s out",
                              keel_invoke_get_command (invoke), key, json_string_value (value),
                              key);
          return FALSE;
        }
      else
        {
          keel_invoke_reject (invoke, "invalid_args",
                              "%s: \"%s\" is not a store option; the options are defaults, "
                              "autoSave, createNew, overrideDefaults, serializeFnName and "
                              "deserializeFnName",
                              keel_invoke_get_command (invoke), key);
          return FALSE;
        }
    }
  return TRUE;
}

/* Reads `path` and resolves it in the data directory; rejects the invoke
 * when it cannot. */
static char *
path_arg (KeelInvoke *invoke, Registry *registry)
{
  const char *path;
  if (!keel_invoke_arg_string (invoke, "path", &path))
    return NULL;
  g_autoptr (GError) error = NULL;
  char *resolved
    = keel_resolve_path_below (keel_app_get_data_dir (registry->app), path, "store path",
                               "settings.json", &error);
  if (resolved == NULL)
    reject_error (invoke, error, NULL);
  return resolved;
}

/* load {path, options?} → the store's resource id. A store already open for
 * that file is shared and the options are ignored, as in Tauri. */
static void
load_command (KeelInvoke *invoke, gpointer data)
{
  Registry *registry = registry_of (invoke);
  KeelApp *app = keel_invoke_get_app (invoke);
  Options options;
  g_autofree char *path = path_arg (invoke, registry);
  if (path == NULL || !options_arg (invoke, &options))
    return;

  Entry *open = g_hash_table_lookup (registry->open, path);
  if (open != NULL && !options.create_new)
    {
      keel_invoke_resolve (invoke, json_integer (open->rid));
      return;
    }
  if (open != NULL)
    keel_app_close_resource (app, open->rid);

  g_autoptr (KeelStore) store = keel__store_new (path, options.defaults, options.autosave_ms);
  g_autoptr (GError) error = NULL;
  if (options.create_new)
    {
      /* A new store over an existing file: the file is replaced at the
       * first save, not read. */
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        keel__store_mark_dirty (store);
    }
  else if (!keel__store_load (store, options.override_defaults, &error))
    {
      reject_error (invoke, error,
                    g_error_matches (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT)
                      ? "; load the store again to start from its defaults"
                      : NULL);
      return;
    }

  Entry *entry = g_new0 (Entry, 1);
  entry->registry = registry;
  entry->store = g_steal_pointer (&store);
  guint32 rid = keel_app_add_resource (app, RESOURCE_KIND, entry, entry_close);
  if (rid == 0)
    {
      /* The entry is closed already. */
      keel_invoke_reject (invoke, "failed", "%s: the app has no resource ids left",
                          keel_invoke_get_command (invoke));
      return;
    }
  entry->rid = rid;
  keel__store_set_change_func (entry->store, on_change, entry);
  g_hash_table_insert (registry->open, (gpointer) keel__store_get_path (entry->store), entry);
  keel_invoke_resolve (invoke, json_integer (entry->rid));
}

/* get_store {path} → the resource id of the store open for that file, or null. */
static void
get_store_command (KeelInvoke *invoke, gpointer data)
{
  Registry *registry = registry_of (invoke);
  g_autofree char *path = path_arg (invoke, registry);
  if (path == NULL)
    return;
  Entry *open = g_hash_table_lookup (registry->open, path);
  keel_invoke_resolve (invoke, open != NULL ? json_integer (open->rid) : json_null ());
}

static void
set_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  const char *key = entry != NULL ? key_arg (invoke) : NULL;
  if (key == NULL)
    return;
  json_t *value = json_object_get (keel_invoke_get_args (invoke), "value");
  if (value == NULL)
    {
      keel_invoke_reject (invoke, "invalid_args",
                          "%s: missing argument \"value\" (any JSON value; undefined is not "
                          "one: to remove a key, use delete())",
                          keel_invoke_get_command (invoke));
      return;
    }
  keel__store_set (entry->store, key, json_incref (value));
  keel_invoke_resolve (invoke, NULL);
}

/* get {rid, key} → [value, exists], value null when absent. */
static void
get_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  const char *key = entry != NULL ? key_arg (invoke) : NULL;
  if (key == NULL)
    return;
  json_t *value = keel__store_get (entry->store, key);
  keel_invoke_resolve (invoke, json_pack ("[O?b]", value, value != NULL));
}

static void
has_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  const char *key = entry != NULL ? key_arg (invoke) : NULL;
  if (key == NULL)
    return;
  keel_invoke_resolve (invoke, json_boolean (keel__store_has (entry->store, key)));
}

static void
delete_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  const char *key = entry != NULL ? key_arg (invoke) : NULL;
  if (key == NULL)
    return;
  keel_invoke_resolve (invoke, json_boolean (keel__store_delete (entry->store, key)));
}

static void
clear_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  if (entry == NULL)
    return;
  keel__store_clear (entry->store);
  keel_invoke_resolve (invoke, NULL);
}

static void
reset_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  if (entry == NULL)
    return;
  keel__store_reset (entry->store);
  keel_invoke_resolve (invoke, NULL);
}

typedef enum
{
  LIST_KEYS,
  LIST_VALUES,
  LIST_ENTRIES,
} ListKind;

/* keys, values, entries: arrays in the order the keys were added. */
static void
list_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  if (entry == NULL)
    return;
  ListKind kind = GPOINTER_TO_INT (data);
  json_t *list = json_array ();
  const char *key;
  json_t *value;
  json_object_foreach (keel__store_get_contents (entry->store), key, value)
    {
      if (kind == LIST_KEYS)
        json_array_append_new (list, json_string (key));
      else if (kind == LIST_VALUES)
        json_array_append (list, value);
      else
        json_array_append_new (list, json_pack ("[sO]", key, value));
    }
  keel_invoke_resolve (invoke, list);
}

static void
length_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  if (entry == NULL)
    return;
  keel_invoke_resolve (invoke,
                       json_integer (json_object_size (keel__store_get_contents (entry->store))));
}

/* reload {rid, ignoreDefaults?}: the file's contents over memory's (or in
 * place of them); no change events, as in Tauri. */
static void
reload_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  gboolean ignore_defaults = FALSE;
  if (entry == NULL || !keel_invoke_arg_bool_opt (invoke, "ignoreDefaults", &ignore_defaults))
    return;
  g_autoptr (GError) error = NULL;
  if (!keel__store_reload (entry->store, ignore_defaults, &error))
    {
      const char *advice = NULL;
      if (g_error_matches (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_NOT_FOUND))
        advice = " (nothing was saved yet); save() first";
      else if (g_error_matches (error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT))
        advice = "; the store keeps what it holds in memory and writes a new file at its next "
                 "save";
      reject_error (invoke, error, advice);
      return;
    }
  keel_invoke_resolve (invoke, NULL);
}

static void
save_command (KeelInvoke *invoke, gpointer data)
{
  Entry *entry = entry_arg (invoke);
  if (entry == NULL)
    return;
  g_autoptr (GError) error = NULL;
  if (!keel__store_save (entry->store, &error))
    {
      reject_error (invoke, error, "; the changes stay in memory");
      return;
    }
  keel_invoke_resolve (invoke, NULL);
}

void
keel_store_plugin_register (KeelApp *app)
{
  g_return_if_fail (app != NULL);
  if (keel_app_get_state (app, STATE_KEY) != NULL)
    {
      g_critical ("keel_store_plugin_register: the store plugin is registered already");
      return;
    }
  g_autoptr (GBytes) manifest = g_resources_lookup_data (MANIFEST, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                                         NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strndup (g_bytes_get_data (manifest, NULL),
                                     g_bytes_get_size (manifest));
  if (!keel_app_add_permissions (app, text, &error))
    {
      g_critical ("keel_store_plugin_register: %s; register plugins before keel_app_run()",
                  error->message);
      return;
    }

  Registry *registry = g_new0 (Registry, 1);
  registry->app = app;
  registry->open = g_hash_table_new (g_str_hash, g_str_equal);
  keel_app_manage (app, STATE_KEY, registry, registry_free);

  static const struct
  {
    const char *name;
    KeelCommandFunc handler;
    ListKind list;
  } commands[] = {
    { "plugin:store|load", load_command, 0 },
    { "plugin:store|get_store", get_store_command, 0 },
    { "plugin:store|set", set_command, 0 },
    { "plugin:store|get", get_command, 0 },
    { "plugin:store|has", has_command, 0 },
    { "plugin:store|delete", delete_command, 0 },
    { "plugin:store|clear", clear_command, 0 },
    { "plugin:store|reset", reset_command, 0 },
    { "plugin:store|keys", list_command, LIST_KEYS },
    { "plugin:store|values", list_command, LIST_VALUES },
    { "plugin:store|entries", list_command, LIST_ENTRIES },
    { "plugin:store|length", length_command, 0 },
    { "plugin:store|reload", reload_command, 0 },
    { "plugin:store|save", save_command, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    keel_app_register_command (app, commands[i].name, commands[i].handler,
                               GINT_TO_POINTER (commands[i].list), NULL);
}
