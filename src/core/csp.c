#include "csp.h"

#include <string.h>

typedef struct
{
  char *name;         /* lowercased */
  GPtrArray *sources; /* of char *, as written */
} Directive;

static void
directive_free (Directive *directive)
{
  g_free (directive->name);
  g_ptr_array_unref (directive->sources);
  g_free (directive);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Directive, directive_free)

/* CSP3's ASCII whitespace: TAB, LF, FF, CR, SPACE (no VT). */
static gboolean
is_csp_whitespace (char c)
{
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        return FALSE;
    }
  return TRUE;
}

static Directive *
find_directive (GPtrArray *policy, const char *name)
{
  for (guint i = 0; i < policy->len; i++)
    {
      Directive *directive = g_ptr_array_index (policy, i);
      if (strcmp (directive->name, name) == 0)
        return directive;
    }
  return NULL;
}

/* CSP3 §2.2.1, "parse a serialized CSP", without its reporting. */
static GPtrArray *
parse_policy (const char *serialized)
{
  GPtrArray *policy = g_ptr_array_new_with_free_func ((GDestroyNotify) directive_free);
  g_auto (GStrv) tokens = g_strsplit (serialized, ";", -1);
  for (char **token = tokens; *token != NULL; token++)
    {
      /* A browser skips such a directive; keeping it would only carry bytes
       * a header cannot hold. */
      if (!is_ascii (*token))
        continue;

      g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
      const char *p = *token;
      for (;;)
        {
          while (is_csp_whitespace (*p))
            p++;
          if (*p == '\0')
            break;
          const char *start = p;
          while (*p != '\0' && !is_csp_whitespace (*p))
            p++;
          g_ptr_array_add (words, g_strndup (start, (gsize) (p - start)));
        }
      if (words->len == 0)
        continue;

      g_autofree char *name = g_ascii_strdown (g_ptr_array_index (words, 0), -1);
      if (find_directive (policy, name) != NULL)
        continue;

      Directive *directive = g_new0 (Directive, 1);
      directive->name = g_steal_pointer (&name);
      g_ptr_array_remove_index (words, 0);
      directive->sources = g_steal_pointer (&words);
      g_ptr_array_add (policy, directive);
    }
  return policy;
}

static gboolean
has_source (GPtrArray *sources, const char *source)
{
  for (guint i = 0; i < sources->len; i++)
    {
      if (g_ascii_strcasecmp (g_ptr_array_index (sources, i), source) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Appends the IPC sources that are missing. 'none' goes once anything is
 * added: beside a source it is invalid, and an empty list or 'none' alone
 * allowed nothing, so the IPC sources alone are the least that works. */
static void
add_sources (GPtrArray *sources, const char *const *ipc_sources)
{
  gboolean adding = FALSE;
  for (const char *const *source = ipc_sources; *source != NULL; source++)
    adding = adding || !has_source (sources, *source);
  if (!adding)
    return;

  for (guint i = sources->len; i-- > 0;)
    {
      if (g_ascii_strcasecmp (g_ptr_array_index (sources, i), "'none'") == 0)
        g_ptr_array_remove_index (sources, i);
    }
  for (const char *const *source = ipc_sources; *source != NULL; source++)
    {
      if (!has_source (sources, *source))
        g_ptr_array_add (sources, g_strdup (*source));
    }
}

static gboolean
is_disabled (const char *const *disabled, const char *name)
{
  for (const char *const *entry = disabled; entry != NULL && *entry != NULL; entry++)
    {
      if (g_ascii_strcasecmp (*entry, name) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
serialize_policy (GPtrArray *policy)
{
  if (policy->len == 0)
    return NULL;

  GString *text = g_string_new (NULL);
  for (guint i = 0; i < policy->len; i++)
    {
      Directive *directive = g_ptr_array_index (policy, i);
      if (i > 0)
        g_string_append (text, "; ");
      g_string_append (text, directive->name);
      for (guint j = 0; j < directive->sources->len; j++)
        {
          g_string_append_c (text, ' ');
          g_string_append (text, g_ptr_array_index (directive->sources, j));
        }
    }
  return g_string_free (text, FALSE);
}

char *
keel__csp_build (const char *configured_policy, const char *const *ipc_sources,
                 gboolean disabled_all, const char *const *disabled)
{
  if (configured_policy == NULL)
    return NULL;
  if (disabled_all)
    return g_strdup (configured_policy);

  g_autoptr (GPtrArray) policy = parse_policy (configured_policy);
  if (ipc_sources == NULL || ipc_sources[0] == NULL || is_disabled (disabled, "connect-src"))
    return serialize_policy (policy);

  Directive *connect_src = find_directive (policy, "connect-src");
  Directive *default_src = find_directive (policy, "default-src");
  if (connect_src != NULL)
    add_sources (connect_src->sources, ipc_sources);
  else if (default_src != NULL)
    {
      /* fetch() falls back to default-src only while connect-src is absent;
       * the new connect-src copies it so that nothing else changes. */
      g_autoptr (Directive) created = g_new0 (Directive, 1);
      created->name = g_strdup ("connect-src");
      created->sources = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < default_src->sources->len; i++)
        g_ptr_array_add (created->sources, g_strdup (g_ptr_array_index (default_src->sources, i)));
      add_sources (created->sources, ipc_sources);
      g_ptr_array_add (policy, g_steal_pointer (&created));
    }
  return serialize_policy (policy);
}
