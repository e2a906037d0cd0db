/* state.h — managed state: values the app hands the core under a name, for
 * every command handler to reach (Tauri's State<T>).
 *
 * The table is owned by the router, whose memory outlives the app while
 * invokes are pending, so a handler on a worker thread can still reach the
 * state after the app was freed; the states are destroyed when the router's
 * last reference goes. Lookups and insertions take a lock: any thread. */
#pragma once

#include <glib.h>

typedef struct _KeelStateTable KeelStateTable;

KeelStateTable *keel__state_table_new (void);
/* Destroys the states in the reverse order of their insertion: a state added
 * later may depend on one added earlier. */
void keel__state_table_free (KeelStateTable *table);

/* Takes `state` with its `destroy`. FALSE when `key` is taken: the table is
 * unchanged and the caller still owns `state`. */
gboolean keel__state_table_insert (KeelStateTable *table, const char *key, gpointer state,
                                   GDestroyNotify destroy);
/* The state under `key`, or NULL. */
gpointer keel__state_table_lookup (KeelStateTable *table, const char *key);
