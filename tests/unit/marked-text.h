/* marked-text.h — for tests of located error messages: a document is
 * written with one '`' where the error must point, and the message is
 * checked for its "file:line:column: path: " prefix and its gist. */
#pragma once

#include <glib.h>
#include <string.h>

/* Removes the '`' mark from `marked` and returns the text, with the mark's
 * line and column. */
static inline char *
unmark (const char *marked, int *line, int *column)
{
  const char *mark = strchr (marked, '`');
  g_assert_nonnull (mark);
  g_assert_true (strrchr (marked, '`') == mark); /* one mark only */

  *line = 1;
  const char *line_start = marked;
  for (const char *p = marked; p < mark; p++)
    {
      if (*p == '\n')
        {
          (*line)++;
          line_start = p + 1;
        }
    }
  *column = (int) (mark - line_start) + 1;

  GString *text = g_string_new_len (marked, mark - marked);
  g_string_append (text, mark + 1);
  return g_string_free (text, FALSE);
}

static inline void
check_message (const GError *error, const char *prefix, const char *gist)
{
  if (!g_str_has_prefix (error->message, prefix))
    g_test_fail_printf ("expected a message starting with\n  %s\ngot\n  %s", prefix,
                        error->message);
  else if (gist != NULL && strstr (error->message + strlen (prefix), gist) == NULL)
    g_test_fail_printf ("expected a message containing\n  %s\ngot\n  %s", gist, error->message);
}
