#include "events.h"

#include <string.h>

#include "keel/keel-error.h"
#include "message.h"

#define EVENT_NAME_MAX 256

typedef struct
{
  char *event;
  KeelEventTarget target;
  guint64 handler_id;
  guint event_id;
} PageListener;

typedef struct
{
  gint ref_count;   /* the bus's, plus one per emit running it */
  gboolean removed; /* unlistened: an emit already running skips it */
  guint id;
  char *event;
  KeelEventFunc func;          /* hears the payload parsed, or ... */
  KeelEventJsonFunc json_func; /* ... as JSON text */
  gpointer user_data;
  GDestroyNotify destroy;
} CListener;

struct _KeelEventBus
{
  KeelApp *app;
  KeelEventScriptFunc deliver;
  gpointer deliver_data;
  GHashTable *pages;     /* page id → GPtrArray of PageListener, in registration order */
  GPtrArray *c_listeners;
  GPtrArray *handed_out; /* payload texts JSON listeners hold now, checked (a stack) */
  guint next_event_id;
  guint next_c_id;
};

static const struct
{
  const char *name;
  KeelEventTargetKind kind;
  gboolean has_label;
} target_kinds[] = {
  { "Any", KEEL_EVENT_TARGET_ANY, FALSE },
  { "AnyLabel", KEEL_EVENT_TARGET_ANY_LABEL, TRUE },
  { "App", KEEL_EVENT_TARGET_APP, FALSE },
  { "Window", KEEL_EVENT_TARGET_WINDOW, TRUE },
  { "Webview", KEEL_EVENT_TARGET_WEBVIEW, TRUE },
  { "WebviewWindow", KEEL_EVENT_TARGET_WEBVIEW_WINDOW, TRUE },
};

gboolean
keel__event_target_parse (json_t *value, KeelEventTarget *out, GError **error)
{
  memset (out, 0, sizeof *out);
  if (json_is_string (value))
    {
      out->kind = KEEL_EVENT_TARGET_ANY_LABEL;
      out->label = g_strdup (json_string_value (value));
      return TRUE;
    }

  const char *kind = NULL;
  json_t *label = NULL;
  if (json_is_object (value))
    {
      kind = json_string_value (json_object_get (value, "kind"));
      label = json_object_get (value, "label");
    }
  if (kind == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                   "event target must be a label string or an object {kind, label} with kind "
                   "Any, AnyLabel, App, Window, Webview or WebviewWindow");
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (target_kinds); i++)
    {
      if (strcmp (kind, target_kinds[i].name) != 0)
        continue;
      if (target_kinds[i].has_label && !json_is_string (label))
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "event target of kind %s needs \"label\", a string", kind);
          return FALSE;
        }
      out->kind = target_kinds[i].kind;
      out->label = target_kinds[i].has_label ? g_strdup (json_string_value (label)) : NULL;
      return TRUE;
    }
  g_autofree char *shown = g_strescape (kind, NULL);
  g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
               "unknown event target kind \"%.64s\": expected Any, AnyLabel, App, Window, Webview "
               "or WebviewWindow",
               shown);
  return FALSE;
}

void
keel__event_target_clear (KeelEventTarget *target)
{
  g_clear_pointer (&target->label, g_free);
}

static gboolean
target_has_label (const KeelEventTarget *target, const char *label)
{
  switch (target->kind)
    {
    case KEEL_EVENT_TARGET_ANY_LABEL:
    case KEEL_EVENT_TARGET_WINDOW:
    case KEEL_EVENT_TARGET_WEBVIEW:
    case KEEL_EVENT_TARGET_WEBVIEW_WINDOW:
      return g_strcmp0 (target->label, label) == 0;
    default:
      return FALSE;
    }
}

gboolean
keel__event_target_matches (const KeelEventTarget *listener, const KeelEventTarget *emitted)
{
  if (listener->kind == KEEL_EVENT_TARGET_ANY || emitted == NULL
      || emitted->kind == KEEL_EVENT_TARGET_ANY)
    return TRUE;
  if (emitted->kind == KEEL_EVENT_TARGET_ANY_LABEL)
    return target_has_label (listener, emitted->label);
  /* listen(e, cb, {target: 'l'}) registers AnyLabel(l): it hears emit_to of
   * any kind that names l (Tauri >= 2.1, tauri-apps/tauri#11581). */
  if (listener->kind == KEEL_EVENT_TARGET_ANY_LABEL)
    return target_has_label (emitted, listener->label);
  return listener->kind == emitted->kind && g_strcmp0 (listener->label, emitted->label) == 0;
}

gboolean
keel__event_name_check (const char *name, GError **error)
{
  gsize length = 0;
  for (const char *p = name; *p != '\0'; p++, length++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '/' && *p != ':' && *p != '_')
        {
          g_autofree char *shown = g_strescape (name, NULL);
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "invalid event name \"%.80s\": character %" G_GSIZE_FORMAT
                       " is not allowed; use ASCII letters, digits, '-', '/', ':' and '_'",
                       shown, length + 1);
          return FALSE;
        }
      if (length >= EVENT_NAME_MAX)
        {
          g_set_error (error, KEEL_ERROR, KEEL_ERROR_INVALID,
                       "event name is longer than %d characters", EVENT_NAME_MAX);
          return FALSE;
        }
    }
  if (length == 0)
    {
      g_set_error_literal (error, KEEL_ERROR, KEEL_ERROR_INVALID, "event name is empty");
      return FALSE;
    }
  return TRUE;
}

static void
page_listener_free (gpointer data)
{
  PageListener *listener = data;
  g_free (listener->event);
  keel__event_target_clear (&listener->target);
  g_free (listener);
}

static void
c_listener_unref (gpointer data)
{
  CListener *listener = data;
  if (!g_atomic_int_dec_and_test (&listener->ref_count))
    return;
  if (listener->destroy != NULL)
    listener->destroy (listener->user_data);
  g_free (listener->event);
  g_free (listener);
}

KeelEventBus *
keel__event_bus_new (KeelApp *app, KeelEventScriptFunc deliver, gpointer user_data)
{
  KeelEventBus *bus = g_new0 (KeelEventBus, 1);
  bus->app = app;
  bus->deliver = deliver;
  bus->deliver_data = user_data;
  bus->pages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                      (GDestroyNotify) g_ptr_array_unref);
  bus->c_listeners = g_ptr_array_new_with_free_func (c_listener_unref);
  bus->handed_out = g_ptr_array_new ();
  bus->next_event_id = 1;
  bus->next_c_id = 1;
  return bus;
}

void
keel__event_bus_free (KeelEventBus *bus)
{
  if (bus == NULL)
    return;
  g_hash_table_unref (bus->pages);
  g_ptr_array_unref (bus->c_listeners);
  g_ptr_array_unref (bus->handed_out);
  g_free (bus);
}

guint
keel__event_bus_listen_page (KeelEventBus *bus, guint64 page_id, const char *event,
                             const KeelEventTarget *target, guint64 handler_id)
{
  gpointer key = GSIZE_TO_POINTER ((gsize) page_id);
  GPtrArray *listeners = g_hash_table_lookup (bus->pages, key);
  if (listeners == NULL)
    {
      listeners = g_ptr_array_new_with_free_func (page_listener_free);
      g_hash_table_insert (bus->pages, key, listeners);
    }
  PageListener *listener = g_new0 (PageListener, 1);
  listener->event = g_strdup (event);
  listener->target.kind = target->kind;
  listener->target.label = g_strdup (target->label);
  listener->handler_id = handler_id;
  listener->event_id = bus->next_event_id++;
  g_ptr_array_add (listeners, listener);
  return listener->event_id;
}

gboolean
keel__event_bus_unlisten_page (KeelEventBus *bus, guint64 page_id, const char *event,
                               guint event_id)
{
  GPtrArray *listeners = g_hash_table_lookup (bus->pages, GSIZE_TO_POINTER ((gsize) page_id));
  for (guint i = 0; listeners != NULL && i < listeners->len; i++)
    {
      PageListener *listener = g_ptr_array_index (listeners, i);
      if (listener->event_id == event_id && strcmp (listener->event, event) == 0)
        {
          g_ptr_array_remove_index (listeners, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* Does one of a page's listeners (NULL: none) listen to event? */
static gboolean
listens_to (GPtrArray *listeners, const char *event)
{
  for (guint i = 0; listeners != NULL && i < listeners->len; i++)
    if (strcmp (((PageListener *) g_ptr_array_index (listeners, i))->event, event) == 0)
      return TRUE;
  return FALSE;
}

gboolean
keel__event_bus_page_listens (KeelEventBus *bus, guint64 page_id, const char *event)
{
  return listens_to (g_hash_table_lookup (bus->pages, GSIZE_TO_POINTER ((gsize) page_id)), event);
}

void
keel__event_bus_forget_page (KeelEventBus *bus, guint64 page_id)
{
  g_hash_table_remove (bus->pages, GSIZE_TO_POINTER ((gsize) page_id));
}

guint
keel__event_bus_listen_c (KeelEventBus *bus, const char *event, KeelEventFunc func,
                          KeelEventJsonFunc json_func, gpointer user_data,
                          GDestroyNotify destroy)
{
  g_return_val_if_fail ((func == NULL) != (json_func == NULL), 0);
  CListener *listener = g_new0 (CListener, 1);
  listener->ref_count = 1;
  listener->id = bus->next_c_id++;
  listener->event = g_strdup (event);
  listener->func = func;
  listener->json_func = json_func;
  listener->user_data = user_data;
  listener->destroy = destroy;
  g_ptr_array_add (bus->c_listeners, listener);
  return listener->id;
}

gboolean
keel__event_bus_unlisten_c (KeelEventBus *bus, guint listener_id)
{
  for (guint i = 0; i < bus->c_listeners->len; i++)
    {
      CListener *listener = g_ptr_array_index (bus->c_listeners, i);
      if (listener->id == listener_id)
        {
          /* Its data is freed once no emit runs it any more. */
          listener->removed = TRUE;
          g_ptr_array_remove_index (bus->c_listeners, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* One record per page, however many of its listeners match: the payload is
 * written once, parsed once by the page, and handed to each listener's
 * callback as {event, id, payload}. The record's form is in outbox.h;
 * a checked event name holds no comma. */
static char *
page_record (GPtrArray *listeners, const KeelEventTarget *target, const char *event,
             const char *payload_json, gsize payload_length)
{
  GString *record = NULL;
  for (guint i = 0; i < listeners->len; i++)
    {
      PageListener *listener = g_ptr_array_index (listeners, i);
      if (strcmp (listener->event, event) != 0
          || !keel__event_target_matches (&listener->target, target))
        continue;
      if (record == NULL)
        record = g_string_sized_new (payload_length + 64);
      g_string_append_c (record, record->len == 0 ? 'v' : ';');
      g_string_append_printf (record, "%" G_GUINT64_FORMAT ":%u", listener->handler_id,
                              listener->event_id);
    }
  if (record == NULL)
    return NULL;
  g_string_append_c (record, ',');
  g_string_append (record, event);
  g_string_append_c (record, ',');
  g_string_append_len (record, payload_json, (gssize) payload_length);
  return g_string_free (record, FALSE);
}

/* One emit: pages get payload_json as is; C listeners get `payload`, parsed
 * from the text the first time one needs it when the caller had none. JSON
 * listeners get `payload_bytes` (its text), made from it when NULL. */
static void
emit (KeelEventBus *bus, const KeelEventTarget *target, const char *event,
      const char *payload_json, gsize payload_length, json_t *payload, GBytes *payload_bytes,
      const char *source_label)
{
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, bus->pages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *listeners = value;
      if (!listens_to (listeners, event))
        continue;
      g_autofree char *record
        = page_record (listeners, target, event, payload_json, payload_length);
      if (record != NULL)
        bus->deliver (bus->deliver_data, (guint64) GPOINTER_TO_SIZE (key), record);
    }

  /* C listeners are the app's own: like Tauri's Rust listeners they hear
   * every event of their name. They run over a snapshot holding a reference
   * each, so a listener may unlisten itself or others meanwhile. */
  g_autoptr (GPtrArray) matching = g_ptr_array_new_with_free_func (c_listener_unref);
  for (guint i = 0; i < bus->c_listeners->len; i++)
    {
      CListener *listener = g_ptr_array_index (bus->c_listeners, i);
      if (strcmp (listener->event, event) == 0)
        {
          g_atomic_int_inc (&listener->ref_count);
          g_ptr_array_add (matching, listener);
        }
    }
  if (matching->len == 0)
    return;
  g_autoptr (json_t) parsed = NULL;
  g_autoptr (GBytes) made = NULL;
  for (guint i = 0; i < matching->len; i++)
    {
      CListener *listener = g_ptr_array_index (matching, i);
      if (listener->removed)
        continue;
      if (listener->json_func != NULL)
        {
          if (payload_bytes == NULL)
            payload_bytes = made = g_bytes_new (payload_json, payload_length);
          /* While the listener runs, the bus holds a reference to the text, so
           * no other GBytes can share its address: keel__event_bus_handed_out()
           * may vouch for it by identity. */
          g_ptr_array_add (bus->handed_out, payload_bytes);
          listener->json_func (bus->app, event, payload_bytes, source_label,
                               listener->user_data);
          g_ptr_array_remove_index (bus->handed_out, bus->handed_out->len - 1);
          continue;
        }
      if (payload == NULL)
        {
          g_autoptr (GBytes) unparsed = g_bytes_new_static (payload_json, payload_length);
          payload = parsed = keel__json_parse_checked (unparsed);
        }
      listener->func (bus->app, event, payload, source_label, listener->user_data);
    }
}

void
keel__event_bus_emit (KeelEventBus *bus, const KeelEventTarget *target, const char *event,
                      json_t *payload, const char *source_label)
{
  g_autoptr (json_t) null_payload = payload == NULL ? json_null () : NULL;
  if (payload == NULL)
    payload = null_payload;
  g_autofree char *text = keel__json_to_text (payload);
  emit (bus, target, event, text, strlen (text), payload, NULL, source_label);
}

void
keel__event_bus_emit_text (KeelEventBus *bus, const KeelEventTarget *target, const char *event,
                           GBytes *payload_json, const char *source_label)
{
  if (payload_json == NULL)
    {
      emit (bus, target, event, "null", 4, NULL, NULL, source_label);
      return;
    }
  gsize length;
  const char *text = g_bytes_get_data (payload_json, &length);
  emit (bus, target, event, text, length, NULL, payload_json, source_label);
}

gboolean
keel__event_bus_handed_out (KeelEventBus *bus, GBytes *payload_json)
{
  for (guint i = 0; i < bus->handed_out->len; i++)
    if (g_ptr_array_index (bus->handed_out, i) == payload_json)
      return TRUE;
  return FALSE;
}

guint
keel__event_bus_page_listener_count (KeelEventBus *bus)
{
  guint count = 0;
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, bus->pages);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    count += ((GPtrArray *) value)->len;
  return count;
}
