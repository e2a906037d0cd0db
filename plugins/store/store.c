/* store.c — one store: its contents in memory, whether its file lags behind
 * (dirty), and autosave, which writes the file a debounce interval after the
 * last change, as Tauri's store does. */
#include "store.h"

struct _KeelStore
{
  char *path;
  json_t *contents;        /* object, in insertion order */
  json_t *defaults;        /* object, or NULL */
  gint64 autosave_ms;      /* KEEL_STORE_AUTOSAVE_OFF, or the debounce */
  gboolean dirty;          /* memory holds what the file lacks */
  GMainContext *context;   /* where autosave timers run */
  GSource *autosave;       /* the pending autosave, or NULL */
  KeelStoreChangeFunc change;
  gpointer change_data;
};

KeelStore *
keel__store_new (const char *path, json_t *defaults, gint64 autosave_ms)
{
  g_return_val_if_fail (defaults == NULL || json_is_object (defaults), NULL);
  KeelStore *store = g_new0 (KeelStore, 1);
  store->path = g_strdup (path);
  store->defaults = defaults != NULL ? json_copy (defaults) : NULL;
  store->contents = defaults != NULL ? json_copy (defaults) : json_object ();
  store->autosave_ms = autosave_ms;
  store->context = g_main_context_ref_thread_default ();
  return store;
}

static void
cancel_autosave (KeelStore *store)
{
  if (store->autosave == NULL)
    return;
  g_source_destroy (store->autosave);
  g_clear_pointer (&store->autosave, g_source_unref);
}

void
keel__store_free (KeelStore *store)
{
  if (store == NULL)
    return;
  cancel_autosave (store);
  json_decref (store->contents);
  json_decref (store->defaults);
  g_main_context_unref (store->context);
  g_free (store->path);
  g_free (store);
}

void
keel__store_set_change_func (KeelStore *store, KeelStoreChangeFunc func, gpointer user_data)
{
  store->change = func;
  store->change_data = user_data;
}

const char *
keel__store_get_path (KeelStore *store)
{
  return store->path;
}

gboolean
keel__store_is_dirty (KeelStore *store)
{
  return store->dirty;
}

void
keel__store_mark_dirty (KeelStore *store)
{
  store->dirty = TRUE;
}

gboolean
keel__store_save (KeelStore *store, GError **error)
{
  cancel_autosave (store);
  if (!keel__store_file_write (store->path, store->contents, error))
    return FALSE;
  store->dirty = FALSE;
  return TRUE;
}

gboolean
keel__store_flush (KeelStore *store, GError **error)
{
  return !store->dirty || keel__store_save (store, error);
}

/* No page waits for an autosave: a failure is logged, the store stays dirty
 * and the next change, save() or the app's end tries again. */
static void
autosave_now (KeelStore *store)
{
  g_autoptr (GError) error = NULL;
  if (!keel__store_save (store, &error))
    g_warning ("keel store: autosave failed: %s; the changes stay in memory and are written "
               "at the next save",
               error->message);
}

static gboolean
on_autosave (gpointer data)
{
  KeelStore *store = data;
  g_clear_pointer (&store->autosave, g_source_unref);
  autosave_now (store);
  return G_SOURCE_REMOVE;
}

/* After every change. Each change restarts the debounce, as in Tauri: the
 * file is written once the store has been quiet for the interval. */
static void
changed (KeelStore *store)
{
  store->dirty = TRUE;
  if (store->autosave_ms == KEEL_STORE_AUTOSAVE_OFF)
    return;
  if (store->autosave_ms == 0)
    {
      autosave_now (store);
      return;
    }
  cancel_autosave (store);
  store->autosave = g_timeout_source_new ((guint) store->autosave_ms);
  g_source_set_callback (store->autosave, on_autosave, store, NULL);
  g_source_set_static_name (store->autosave, "[keel] store autosave");
  g_source_attach (store->autosave, store->context);
}

static void
emit (KeelStore *store, const char *key, json_t *value)
{
  if (store->change != NULL)
    store->change (store, key, value, store->change_data);
}

/* Merges the file over the contents (or replaces them), as Tauri's load. */
static gboolean
read_file (KeelStore *store, gboolean ignore_defaults, gboolean missing_ok, GError **error)
{
  json_t *file = NULL;
  g_autoptr (GError) local_error = NULL;
  if (!keel__store_file_read (store->path, &file, &local_error))
    {
      if (missing_ok && g_error_matches (local_error, KEEL_STORE_ERROR,
                                         KEEL_STORE_ERROR_NOT_FOUND))
        {
          /* Nothing on disk: the defaults, if any, are what the file lacks. */
          store->dirty = json_object_size (store->contents) > 0;
          return TRUE;
        }
      /* A corrupt file has been moved aside: nothing on disk any more. */
      if (g_error_matches (local_error, KEEL_STORE_ERROR, KEEL_STORE_ERROR_CORRUPT))
        store->dirty = TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  size_t in_file = json_object_size (file);
  if (ignore_defaults)
    {
      json_decref (store->contents);
      store->contents = file;
    }
  else
    {
      json_object_update (store->contents, file);
      json_decref (file);
    }
  /* Memory matches the file now, unless it kept keys the file lacks. */
  store->dirty = json_object_size (store->contents) > in_file;
  if (!store->dirty)
    cancel_autosave (store);
  return TRUE;
}

gboolean
keel__store_load (KeelStore *store, gboolean ignore_defaults, GError **error)
{
  return read_file (store, ignore_defaults, TRUE, error);
}

gboolean
keel__store_reload (KeelStore *store, gboolean ignore_defaults, GError **error)
{
  return read_file (store, ignore_defaults, FALSE, error);
}

void
keel__store_set (KeelStore *store, const char *key, json_t *value)
{
  g_return_if_fail (key != NULL && value != NULL);
  json_object_set_new (store->contents, key, value);
  changed (store);
  emit (store, key, value);
}

json_t *
keel__store_get (KeelStore *store, const char *key)
{
  return json_object_get (store->contents, key);
}

gboolean
keel__store_has (KeelStore *store, const char *key)
{
  return json_object_get (store->contents, key) != NULL;
}

gboolean
keel__store_delete (KeelStore *store, const char *key)
{
  if (json_object_del (store->contents, key) != 0)
    return FALSE;
  changed (store);
  emit (store, key, NULL);
  return TRUE;
}

void
keel__store_clear (KeelStore *store)
{
  json_t *old = store->contents;
  store->contents = json_object ();
  changed (store);
  const char *key;
  json_t *value;
  json_object_foreach (old, key, value)
    emit (store, key, NULL);
  json_decref (old);
}

void
keel__store_reset (KeelStore *store)
{
  if (store->defaults == NULL)
    {
      keel__store_clear (store);
      return;
    }
  json_t *old = store->contents;
  store->contents = json_copy (store->defaults);
  changed (store);
  /* A change for each key whose value differs: removed, changed, restored. */
  const char *key;
  json_t *value;
  json_object_foreach (old, key, value)
    {
      json_t *now = json_object_get (store->contents, key);
      if (now == NULL || !json_equal (now, value))
        emit (store, key, now);
    }
  json_object_foreach (store->contents, key, value)
    if (json_object_get (old, key) == NULL)
      emit (store, key, value);
  json_decref (old);
}

json_t *
keel__store_get_contents (KeelStore *store)
{
  return store->contents;
}
