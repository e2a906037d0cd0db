/* fuzz-json-scan: the scanner (src/core/json-scan.c) and jansson must give
 * every text the same verdict, for a message (an array or an object at the
 * top) and for a lone value; and for an accepted object, the members the
 * scanner reports must be exactly jansson's, each value's text parsing to
 * the value jansson read. A disagreement is a bug in the scanner: text it
 * passes through untouched would be text the core cannot parse, or a page
 * could make the core refuse what it should accept. */
#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-scan.h"

#define FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

static void
check (gboolean condition, const char *what)
{
  if (!condition)
    {
      fprintf (stderr, "fuzz-json-scan: %s\n", what);
      abort ();
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  /* The core refuses raw NUL bytes before either parser sees the text. */
  if (memchr (text, '\0', size) != NULL)
    return 0;

  json_error_t error;
  json_t *root = json_loadb (text, size, FLAGS, &error);
  g_autoptr (GArray) members = g_array_new (FALSE, FALSE, sizeof (KeelJsonMember));
  gboolean scanned = keel__json_scan (text, size, members);
  check (scanned == (root != NULL), scanned ? "scanner accepts what jansson refuses"
                                            : "scanner refuses what jansson accepts");

  json_t *any = json_loadb (text, size, FLAGS | JSON_DECODE_ANY, &error);
  check (keel__json_scan_value (text, size) == (any != NULL), "verdicts differ for a lone value");
  json_decref (any);

  if (root != NULL && json_is_object (root))
    {
      check (members->len == json_object_size (root), "member count");
      for (guint i = 0; i < members->len; i++)
        {
          KeelJsonMember *member = &g_array_index (members, KeelJsonMember, i);
          check (member->value_start + member->value_length <= size, "value span");
          json_t *value = json_loadb (text + member->value_start, member->value_length,
                                      FLAGS | JSON_DECODE_ANY, &error);
          check (value != NULL, "a member's value text does not parse alone");
          /* Which key: the one whose value jansson holds equal. */
          const char *key;
          json_t *held;
          gboolean found = FALSE;
          json_object_foreach (root, key, held)
            {
              if (keel__json_key_equals (text, member, key))
                {
                  check (!found, "two keys match one member");
                  found = TRUE;
                  check (json_equal (value, held), "a member's value differs from jansson's");
                  KeelJsonMember again;
                  check (keel__json_find_member (text, size, 0, key, &again)
                           && again.value_start == member->value_start,
                         "find_member disagrees");
                }
            }
          check (found, "a member's key matches no key of jansson's");
          json_decref (value);
        }
      KeelJsonMember none;
      check (!keel__json_find_member (text, size, 0, "\x01no such key", &none), "found a missing key");
    }
  else
    check (members->len == 0, "members reported for a text that is no object");

  /* The element walker, on every element of a top-level array. */
  if (root != NULL && json_is_array (root))
    {
      gsize start = 0, length = 0;
      for (gsize i = 0; i < json_array_size (root); i++)
        {
          check (keel__json_find_element (text, size, 0, i, &start, &length),
                 "an element was not found");
          check (start + length <= size, "element span");
          json_t *value = json_loadb (text + start, length, FLAGS | JSON_DECODE_ANY, &error);
          check (value != NULL && json_equal (value, json_array_get (root, i)),
                 "an element's text differs from jansson's value");
          json_decref (value);
        }
      check (!keel__json_find_element (text, size, 0, json_array_size (root), &start, &length),
             "found an element past the end");
    }
  json_decref (root);
  return 0;
}
