/* state.c — the managed state table (see state.h). */
#include "state.h"

typedef struct
{
  char *key;
  gpointer state;
  GDestroyNotify destroy;
} Entry;

struct _KeelStateTable
{
  GMutex lock;
  GHashTable *by_key;   /* key → Entry* (borrowed from `order`) */
  GPtrArray *order;     /* Entry*, in insertion order */
};

KeelStateTable *
keel__state_table_new (void)
{
  KeelStateTable *table = g_new0 (KeelStateTable, 1);
  g_mutex_init (&table->lock);
  table->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  table->order = g_ptr_array_new ();
  return table;
}

void
keel__state_table_free (KeelStateTable *table)
{
  if (table == NULL)
    return;
  /* Nothing can look a state up any more (the last invoke is gone), so the
   * destroy functions run without the lock: they may take their own. */
  for (guint i = table->order->len; i > 0; i--)
    {
      Entry *entry = g_ptr_array_index (table->order, i - 1);
      if (entry->destroy != NULL)
        entry->destroy (entry->state);
      g_free (entry->key);
      g_free (entry);
    }
  g_ptr_array_unref (table->order);
  g_hash_table_unref (table->by_key);
  g_mutex_clear (&table->lock);
  g_free (table);
}

gboolean
keel__state_table_insert (KeelStateTable *table, const char *key, gpointer state,
                          GDestroyNotify destroy)
{
  g_mutex_lock (&table->lock);
  gboolean taken = g_hash_table_contains (table->by_key, key);
  if (!taken)
    {
      Entry *entry = g_new0 (Entry, 1);
      entry->key = g_strdup (key);
      entry->state = state;
      entry->destroy = destroy;
      g_ptr_array_add (table->order, entry);
      g_hash_table_insert (table->by_key, entry->key, entry);
    }
  g_mutex_unlock (&table->lock);
  return !taken;
}

gpointer
keel__state_table_lookup (KeelStateTable *table, const char *key)
{
  g_mutex_lock (&table->lock);
  Entry *entry = g_hash_table_lookup (table->by_key, key);
  gpointer state = entry != NULL ? entry->state : NULL;
  g_mutex_unlock (&table->lock);
  return state;
}
