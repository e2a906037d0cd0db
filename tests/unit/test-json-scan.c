/* Unit tests of src/core/json-scan.c: each of jansson's rules, one case at
 * least on either side of it, and every verdict checked against jansson
 * itself (fuzz-json-scan does the same for random text). */
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "json-scan.h"

#define FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

static const struct
{
  const char *text;
  gboolean accepted;
} cases[] = {
  { "{}", TRUE },
  { " [ ] ", TRUE },
  { "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", TRUE },
  { "\"top-level string\"", FALSE },   /* a message is an array or an object */
  { "42", FALSE },
  { "", FALSE },
  { "{", FALSE },
  { "{\"a\":1,}", FALSE },             /* trailing comma */
  { "[1,]", FALSE },
  { "[1 2]", FALSE },
  { "{\"a\" 1}", FALSE },
  { "{1:2}", FALSE },
  { "[] []", FALSE },
  { "[truex]", FALSE },
  { "[nul]", FALSE },
  { "[True]", FALSE },
  /* numbers */
  { "[0, -0, 1.5, -1.5e3, 1E+2, 2e-2]", TRUE },
  { "[01]", FALSE },
  { "[-]", FALSE },
  { "[1.]", FALSE },
  { "[.5]", FALSE },
  { "[1e]", FALSE },
  { "[+1]", FALSE },
  { "[9223372036854775807, -9223372036854775808]", TRUE },
  { "[9223372036854775808]", FALSE },  /* too big integer */
  { "[-9223372036854775809]", FALSE },
  { "[92233720368547758070]", FALSE },
  { "[1e308]", TRUE },
  { "[1e309]", FALSE },                /* real number overflow */
  { "[-1e309]", FALSE },
  { "[1e-400]", TRUE },                /* underflow is fine */
  { "[9223372036854775808.0]", TRUE },
  /* strings */
  { "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", TRUE },
  { "[\"\\x\"]", FALSE },
  { "[\"\\u00e9\\u20AC\"]", TRUE },
  { "[\"\\u00g0\"]", FALSE },
  { "[\"\\ud83d\\ude00\"]", TRUE },
  { "[\"\\ud83d\"]", FALSE },           /* high surrogate alone */
  { "[\"\\ud83dx\"]", FALSE },
  { "[\"\\ud83d\\u0041\"]", FALSE },    /* not followed by a low one */
  { "[\"\\ude00\"]", FALSE },           /* low surrogate alone */
  { "[\"\\u0000\"]", TRUE },            /* NUL in a value: JSON_ALLOW_NUL */
  { "{\"\\u0000\":1}", FALSE },         /* NUL in a key */
  { "[\"tab\there\"]", FALSE },         /* raw control character */
  { "[\"line\nbreak\"]", FALSE },
  { "[\"\x7f\"]", TRUE },
  { "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", TRUE },
  { "[\"\xc3\"]", FALSE },             /* cut short */
  { "[\"\xc0\xaf\"]", FALSE },         /* overlong */
  { "[\"\xe0\x80\xaf\"]", FALSE },
  { "[\"\xed\xa0\x80\"]", FALSE },     /* a surrogate in UTF-8 */
  { "[\"\xf4\x90\x80\x80\"]", FALSE }, /* above U+10FFFF */
  { "[\"\xff\"]", FALSE },
  { "[\xc3\xa9]", FALSE },              /* UTF-8 outside a string */
  { "[\"unterminated]", FALSE },
  /* keys */
  { "{\"a\":1,\"a\":2}", FALSE },
  { "{\"a\":1,\"\\u0061\":2}", FALSE },   /* the same key, escaped */
  { "{\"a\":{\"a\":1},\"b\":{\"a\":2}}", TRUE },
  { "{\"a\":[{\"x\":1,\"x\":1}]}", FALSE },
  { "{\"a\":{\"b\":1},\"b\":2}", TRUE },    /* an inner object's keys are its own */
  { "{\"a\":{\"b\":1},\"a\":2}", FALSE },
  { "{\"\u00e9\":1,\"\xc3\xa9\":2}", FALSE }, /* escaped and raw UTF-8 */
  { "{\"ab\":1,\"a\":2,\"b\":3}", TRUE },
  /* whitespace: only these four */
  { "\t\n\r [1] \t\n\r", TRUE },
  { "\f[1]", FALSE },
  { "[1]\v", FALSE },
};

static void
test_verdicts (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *text = cases[i].text;
      json_error_t error;
      json_t *parsed = json_loadb (text, strlen (text), FLAGS, &error);
      g_test_message ("%s", text);
      /* The table itself is checked against jansson first. */
      g_assert_cmpint (parsed != NULL, ==, cases[i].accepted);
      g_assert_cmpint (keel__json_scan (text, strlen (text), NULL), ==, cases[i].accepted);
      json_decref (parsed);
    }
}

/* Duplicate keys are found however many keys an object has (the scanner
 * compares a few in turn and hashes beyond), however long they are, and at
 * any depth; every verdict is checked against jansson. */
static void
test_many_keys (void)
{
  for (int long_keys = 0; long_keys <= 1; long_keys++)
    for (int count = 1; count <= 40; count++)
      for (int repeat = -1; repeat < count; repeat++)
        {
          /* [{"k0":0,"inner":{<count keys>},"k1":1}], the inner keys
           * "<prefix><i>"; with `repeat` >= 0 the inner object ends with key
           * <repeat> again, its first letter escaped. */
          g_autofree char *prefix = long_keys ? g_strnfill (300, 'x') : g_strdup ("k");
          g_autoptr (GString) text = g_string_new ("[{\"k0\":0,\"inner\":{");
          for (int i = 0; i < count; i++)
            g_string_append_printf (text, "%s\"%s%d\":[%d]", i ? "," : "", prefix, i, i);
          if (repeat >= 0)
            g_string_append_printf (text, ",\"\\u%04x%s%d\":0", prefix[0], prefix + 1, repeat);
          g_string_append (text, "},\"k1\":1}]");

          json_error_t error;
          json_t *parsed = json_loadb (text->str, text->len, FLAGS, &error);
          g_test_message ("%d keys, repeat %d, long %d", count, repeat, long_keys);
          g_assert_cmpint (parsed != NULL, ==, repeat < 0);
          g_assert_cmpint (keel__json_scan (text->str, text->len, NULL), ==, repeat < 0);
          json_decref (parsed);
        }
}

/* Nested to exactly jansson's limit, and one level more. */
static void
test_depth (void)
{
  for (int extra = 0; extra <= 1; extra++)
    {
      int depth = JSON_PARSER_MAX_DEPTH - 1 + extra; /* arrays around one number */
      GString *text = g_string_new (NULL);
      for (int i = 0; i < depth; i++)
        g_string_append_c (text, '[');
      g_string_append_c (text, '1');
      for (int i = 0; i < depth; i++)
        g_string_append_c (text, ']');
      json_error_t error;
      json_t *parsed = json_loadb (text->str, text->len, FLAGS, &error);
      g_assert_cmpint (parsed != NULL, ==, extra == 0);
      g_assert_cmpint (keel__json_scan (text->str, text->len, NULL), ==, extra == 0);
      json_decref (parsed);
      g_string_free (text, TRUE);
    }
}

static void
test_members (void)
{
  const char *text = " { \"cmd\" : \"x\", \"args\":{\"a\":[1,{\"b\":2}]},\"k\\u0065y\":-1.5 } ";
  g_autoptr (GArray) members = g_array_new (FALSE, FALSE, sizeof (KeelJsonMember));
  g_assert_true (keel__json_scan (text, strlen (text), members));
  g_assert_cmpuint (members->len, ==, 3);
  static const char *const keys[] = { "cmd", "args", "key" };
  static const char *const values[] = { "\"x\"", "{\"a\":[1,{\"b\":2}]}", "-1.5" };
  for (guint i = 0; i < 3; i++)
    {
      KeelJsonMember *member = &g_array_index (members, KeelJsonMember, i);
      g_assert_true (keel__json_key_equals (text, member, keys[i]));
      g_assert_cmpmem (text + member->value_start, member->value_length, values[i],
                       strlen (values[i]));
    }
  g_assert_false (keel__json_key_equals (text, &g_array_index (members, KeelJsonMember, 2),
                                         "ke"));
  KeelJsonMember found;
  g_assert_true (keel__json_find_member (text, strlen (text), 0, "args", &found));
  g_assert_cmpuint (found.value_start, ==, g_array_index (members, KeelJsonMember, 1).value_start);
  g_assert_false (keel__json_find_member (text, strlen (text), 0, "a", &found));
  /* Inside: the object that is the value of "args", then its array. */
  KeelJsonMember inner;
  g_assert_true (keel__json_find_member (text, strlen (text), found.value_start, "a", &inner));
  gsize start = 0, length = 0;
  g_assert_true (keel__json_find_element (text, strlen (text), inner.value_start, 1, &start,
                                          &length));
  g_assert_cmpmem (text + start, length, "{\"b\":2}", 7);
  const char *spaced = " [ 1 ,2]";
  g_assert_true (keel__json_find_element (spaced, strlen (spaced), 0, 0, &start, &length));
  g_assert_cmpmem (spaced + start, length, "1", 1);
  g_assert_false (keel__json_find_element (text, strlen (text), inner.value_start, 2, &start,
                                           &length));
  /* The wrong kind of container, or none, at `from`. */
  g_assert_false (keel__json_find_element (text, strlen (text), 0, 0, &start, &length));
  g_assert_false (keel__json_find_member (text, strlen (text), inner.value_start, "b", &found));
  g_assert_false (keel__json_find_element ("[]", 2, 0, 0, &start, &length));
  g_assert_false (keel__json_find_member ("{}", 2, 0, "", &found));

  /* An array reports no members; a refused text none either. */
  g_array_set_size (members, 0);
  g_assert_true (keel__json_scan ("[1,2]", 5, members));
  g_assert_cmpuint (members->len, ==, 0);
  g_assert_false (keel__json_scan ("{\"a\":1,}", 8, members));
  g_assert_cmpuint (members->len, ==, 0);
}

static void
test_lone_values (void)
{
  g_assert_true (keel__json_scan_value ("\"s\"", 3));
  g_assert_true (keel__json_scan_value (" -0.5 ", 6));
  g_assert_true (keel__json_scan_value ("null", 4));
  g_assert_false (keel__json_scan_value ("nul", 3));
  g_assert_false (keel__json_scan_value ("1 2", 3));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-scan/verdicts", test_verdicts);
  g_test_add_func ("/json-scan/many-keys", test_many_keys);
  g_test_add_func ("/json-scan/depth", test_depth);
  g_test_add_func ("/json-scan/members", test_members);
  g_test_add_func ("/json-scan/lone-values", test_lone_values);
  return g_test_run ();
}
