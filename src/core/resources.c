/* resources.c — the resource table (see resources.h). */
#include "resources.h"

typedef struct
{
  char *kind;
  gpointer data;
  GDestroyNotify close;
} Resource;

struct _KeelResourceTable
{
  GHashTable *by_id;   /* rid → Resource* */
  guint32 next_id;     /* 0 once the ids ran out */
};

static void
resource_close (Resource *resource)
{
  if (resource->close != NULL)
    resource->close (resource->data);
  g_free (resource->kind);
  g_free (resource);
}

KeelResourceTable *
keel__resource_table_new (void)
{
  KeelResourceTable *table = g_new0 (KeelResourceTable, 1);
  table->by_id = g_hash_table_new (g_direct_hash, g_direct_equal);
  table->next_id = 1;
  return table;
}

void
keel__resource_table_free (KeelResourceTable *table)
{
  if (table == NULL)
    return;
  keel__resource_table_clear (table);
  g_hash_table_unref (table->by_id);
  g_free (table);
}

guint32
keel__resource_table_add (KeelResourceTable *table, const char *kind, gpointer data,
                          GDestroyNotify close)
{
  g_return_val_if_fail (kind != NULL, 0);
  if (table->next_id == 0)
    return 0;
  guint32 rid = table->next_id;
  table->next_id = rid == G_MAXUINT32 ? 0 : rid + 1;
  Resource *resource = g_new0 (Resource, 1);
  resource->kind = g_strdup (kind);
  resource->data = data;
  resource->close = close;
  g_hash_table_insert (table->by_id, GUINT_TO_POINTER (rid), resource);
  return rid;
}

gpointer
keel__resource_table_get (KeelResourceTable *table, guint32 rid, const char *kind)
{
  Resource *resource = g_hash_table_lookup (table->by_id, GUINT_TO_POINTER (rid));
  if (resource == NULL || g_strcmp0 (resource->kind, kind) != 0)
    return NULL;
  return resource->data;
}

const char *
keel__resource_table_get_kind (KeelResourceTable *table, guint32 rid)
{
  Resource *resource = g_hash_table_lookup (table->by_id, GUINT_TO_POINTER (rid));
  return resource != NULL ? resource->kind : NULL;
}

gboolean
keel__resource_table_close (KeelResourceTable *table, guint32 rid)
{
  Resource *resource = NULL;
  if (!g_hash_table_steal_extended (table->by_id, GUINT_TO_POINTER (rid), NULL,
                                    (gpointer *) &resource))
    return FALSE;
  /* Out of the table before its close function runs, which may use it. */
  resource_close (resource);
  return TRUE;
}

static gint
newest_first (gconstpointer a, gconstpointer b)
{
  guint32 x = GPOINTER_TO_UINT (a), y = GPOINTER_TO_UINT (b);
  return x < y ? 1 : x > y ? -1 : 0;
}

void
keel__resource_table_clear (KeelResourceTable *table)
{
  /* Again while close functions leave new resources behind. */
  while (g_hash_table_size (table->by_id) > 0)
    {
      GList *ids = g_list_sort (g_hash_table_get_keys (table->by_id), newest_first);
      for (GList *l = ids; l != NULL; l = l->next)
        keel__resource_table_close (table, GPOINTER_TO_UINT (l->data));
      g_list_free (ids);
    }
}
