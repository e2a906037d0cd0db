/* resources.h — the app's resource table: objects that pages hold by a
 * number, the resource id ("rid"), as Tauri's ResourceTable does. A store
 * opened by `load()` is one; `Resource.close()` in @tauri-apps/api sends
 * `plugin:resources|close` with its rid.
 *
 * Ids start at 1 and are never reused, so a stale id finds nothing rather
 * than someone else's object. Each entry has a kind (a string such as
 * "store") that lookups must name, so that one plugin's id never reaches
 * another plugin's object. Main thread only. */
#pragma once

#include <glib.h>

typedef struct _KeelResourceTable KeelResourceTable;

KeelResourceTable *keel__resource_table_new (void);
/* Closes what is left (keel__resource_table_clear()) and frees the table. */
void keel__resource_table_free (KeelResourceTable *table);

/* Adds `data`; `close` is called once, when it is closed or cleared.
 * Returns its id, or 0 when the ids ran out (after 2^32 - 1 of them). */
guint32 keel__resource_table_add (KeelResourceTable *table, const char *kind, gpointer data,
                                  GDestroyNotify close);
/* The data of `rid` if it is open and of that kind; NULL otherwise. */
gpointer keel__resource_table_get (KeelResourceTable *table, guint32 rid, const char *kind);
/* The kind of `rid`, or NULL when no such resource is open. */
const char *keel__resource_table_get_kind (KeelResourceTable *table, guint32 rid);
/* Removes `rid` and calls its close function. FALSE when it is not open. */
gboolean keel__resource_table_close (KeelResourceTable *table, guint32 rid);
/* Closes every resource, the newest first. Close functions may add or close
 * resources; those are dealt with too. */
void keel__resource_table_clear (KeelResourceTable *table);
