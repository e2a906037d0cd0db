/* store.h — the store plugin's insides: a key-value store kept in memory and
 * persisted as one JSON object in a file (store.c), and that file on disk
 * (store-file.c). The plugin (store-plugin.c) puts them behind Tauri's
 * `plugin:store|*` commands; the unit and crash-safety tests drive them
 * directly, so that what they test is the code the app runs.
 *
 * GLib, GIO and jansson only; nothing here knows about pages or windows. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Errors of the store, for the plugin to turn into codes pages see. */
#define KEEL_STORE_ERROR (keel__store_error_quark ())
GQuark keel__store_error_quark (void);

typedef enum
{
  KEEL_STORE_ERROR_NOT_FOUND, /* no file to read */
  KEEL_STORE_ERROR_CORRUPT,   /* the file is not a JSON object; it was moved aside */
  KEEL_STORE_ERROR_IO,        /* reading, writing or moving the file failed */
} KeelStoreError;

/* ---- The file (store-file.c) ---------------------------------------------- */

/**
 * keel__store_file_read:
 * @path: a store file.
 * @out: (out) (transfer full): the JSON object it holds.
 *
 * Reads a store file. A file that is not one JSON object in UTF-8 is corrupt:
 * it is renamed to `<path>.corrupt-<UTC time>` (never overwritten, never
 * deleted) and the error names the file, what is wrong with it (with line
 * and column) and where it went (or why it could not be moved: then it stays
 * where it is, and the error says so).
 *
 * Returns: %TRUE, or %FALSE with @error: %KEEL_STORE_ERROR_NOT_FOUND when
 *   there is no file, %KEEL_STORE_ERROR_CORRUPT, or %KEEL_STORE_ERROR_IO
 *   when it could not be read.
 */
gboolean keel__store_file_read (const char *path, json_t **out, GError **error);

/**
 * keel__store_file_write:
 * @path: a store file.
 * @object: the store's contents.
 *
 * Writes @object as pretty-printed JSON, atomically and durably: into a
 * temporary file in the same directory, fsync()ed, renamed over @path, and
 * the directory fsync()ed (g_file_set_contents_full() with CONSISTENT and
 * DURABLE does these steps). Missing directories are created (mode 0700),
 * each made durable in its parent. The file gets mode 0600. After a crash
 * at any point the file holds either the old or the new contents, and once
 * this returns %TRUE the new contents survive a crash.
 *
 * Returns: %TRUE, or %FALSE with @error (%KEEL_STORE_ERROR_IO).
 */
gboolean keel__store_file_write (const char *path, json_t *object, GError **error);

/* ---- The store (store.c) --------------------------------------------------- */

typedef struct _KeelStore KeelStore;

/* Called for each change, on the thread that made it, once the store is in
 * its new state: @value is the key's new value, or NULL when it was removed. */
typedef void (*KeelStoreChangeFunc) (KeelStore *store, const char *key, json_t *value,
                                     gpointer user_data);

/* How autosave is configured: KEEL_STORE_AUTOSAVE_OFF, or a debounce in
 * milliseconds (0: save at once, within the change). Tauri's default is
 * 100 ms. */
#define KEEL_STORE_AUTOSAVE_OFF (-1)
#define KEEL_STORE_AUTOSAVE_DEFAULT_MS 100

/**
 * keel__store_new:
 * @path: the file, as keel_resolve_path_below() gave it.
 * @defaults: (nullable) (transfer none): an object of default values.
 * @autosave_ms: KEEL_STORE_AUTOSAVE_OFF, or the debounce in milliseconds.
 *
 * A store holding @defaults, not read from its file yet (see
 * keel__store_load()). Autosave timers run on the thread-default main
 * context of the caller; the store is used from that context's thread only.
 */
KeelStore *keel__store_new (const char *path, json_t *defaults, gint64 autosave_ms);
/* Frees the store without saving: flush it first (keel__store_flush()). */
void keel__store_free (KeelStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelStore, keel__store_free)

void keel__store_set_change_func (KeelStore *store, KeelStoreChangeFunc func, gpointer user_data);
const char *keel__store_get_path (KeelStore *store);

/**
 * keel__store_load:
 * @ignore_defaults: replace the contents with the file's (Tauri's
 *   `overrideDefaults`); otherwise the file's keys are merged over the
 *   defaults.
 *
 * Reads the file into the store, as Tauri does when a store is created. A
 * missing file is no error: the store keeps its defaults. No change events.
 *
 * Returns: %TRUE, or %FALSE with @error from keel__store_file_read() other
 *   than NOT_FOUND; the store is unchanged then.
 */
gboolean keel__store_load (KeelStore *store, gboolean ignore_defaults, GError **error);

/* Like keel__store_load(), for `reload()`: a missing file is an error
 * (%KEEL_STORE_ERROR_NOT_FOUND), as in Tauri. No change events. */
gboolean keel__store_reload (KeelStore *store, gboolean ignore_defaults, GError **error);

/* Writes the file now (keel__store_file_write()) and cancels a pending
 * autosave. On failure the store stays dirty. */
gboolean keel__store_save (KeelStore *store, GError **error);
/* Saves if the store holds changes its file lacks; TRUE when nothing was to do. */
gboolean keel__store_flush (KeelStore *store, GError **error);
/* Whether the store holds changes its file lacks. */
gboolean keel__store_is_dirty (KeelStore *store);
/* Marks the store as differing from its file (e.g. a store created anew over
 * an existing file), so that the next flush writes it. */
void keel__store_mark_dirty (KeelStore *store);

/* The operations of Tauri's Store. Each change emits a change and triggers
 * autosave; set() takes @value (transfer full). */
void keel__store_set (KeelStore *store, const char *key, json_t *value);
/* Returns: (transfer none) (nullable): the value, NULL when the key is absent. */
json_t *keel__store_get (KeelStore *store, const char *key);
gboolean keel__store_has (KeelStore *store, const char *key);
/* Returns: whether the key was there. */
gboolean keel__store_delete (KeelStore *store, const char *key);
void keel__store_clear (KeelStore *store);
/* Back to the defaults, emitting a change for each key that differs. */
void keel__store_reset (KeelStore *store);
/* Returns: (transfer none): the contents, an object in insertion order. */
json_t *keel__store_get_contents (KeelStore *store);

G_END_DECLS
