/* Unit tests of src/core/csp.c: the Content-Security-Policy of HTML
 * responses. */
#include <glib.h>

#include "csp.h"

static const char *const ipc[] = { "keel-ipc://localhost", NULL };
static const char *const ipc_two[] = { "keel-ipc://localhost", "http://keel-ipc.localhost", NULL };

typedef struct
{
  const char *policy;
  const char *expected;
} CspCase;

static void
check_cases (const CspCase *cases, gsize count, const char *const *sources,
             const char *const *disabled)
{
  for (gsize i = 0; i < count; i++)
    {
      g_test_message ("policy \"%s\"", cases[i].policy);
      g_autofree char *built = keel__csp_build (cases[i].policy, sources, FALSE, disabled);
      g_assert_cmpstr (built, ==, cases[i].expected);
    }
}

static void
test_null_policy (void)
{
  g_assert_null (keel__csp_build (NULL, ipc, FALSE, NULL));
  g_assert_null (keel__csp_build (NULL, ipc, TRUE, NULL));
  /* Nothing left after parsing is no policy either. */
  g_assert_null (keel__csp_build ("", ipc, FALSE, NULL));
  g_assert_null (keel__csp_build (" ;\t; ", ipc, FALSE, NULL));
}

static void
test_connect_src (void)
{
  static const CspCase cases[] = {
    { "default-src 'self'; connect-src 'self' https://api.example.com",
      "default-src 'self'; connect-src 'self' https://api.example.com keel-ipc://localhost" },
    { "connect-src 'self'", "connect-src 'self' keel-ipc://localhost" },
    { "connect-src 'self'; img-src *", "connect-src 'self' keel-ipc://localhost; img-src *" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), ipc, NULL);

  g_autofree char *two = keel__csp_build ("connect-src 'self'", ipc_two, FALSE, NULL);
  g_assert_cmpstr (two, ==, "connect-src 'self' keel-ipc://localhost http://keel-ipc.localhost");
}

static void
test_default_src_only (void)
{
  static const CspCase cases[] = {
    /* The new connect-src carries default-src's sources, so fetch() is
     * restricted as before, plus IPC. */
    { "default-src 'self' https://cdn.example.com; img-src data:",
      "default-src 'self' https://cdn.example.com; img-src data:; "
      "connect-src 'self' https://cdn.example.com keel-ipc://localhost" },
    { "default-src 'none'", "default-src 'none'; connect-src keel-ipc://localhost" },
    { "default-src", "default-src; connect-src keel-ipc://localhost" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), ipc, NULL);
}

static void
test_neither (void)
{
  static const CspCase cases[] = {
    /* fetch() is unrestricted: nothing to add. */
    { "script-src 'self'; img-src *", "script-src 'self'; img-src *" },
    { "frame-ancestors 'none'", "frame-ancestors 'none'" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), ipc, NULL);
}

static void
test_none (void)
{
  static const CspCase cases[] = {
    /* 'none' beside a source would be invalid: the IPC source replaces it. */
    { "default-src 'self'; connect-src 'none'",
      "default-src 'self'; connect-src keel-ipc://localhost" },
    { "connect-src 'NONE'", "connect-src keel-ipc://localhost" },
    { "connect-src", "connect-src keel-ipc://localhost" },
    /* Already invalid as configured; 'none' was ignored and still goes. */
    { "connect-src 'none' 'self'", "connect-src 'self' keel-ipc://localhost" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), ipc, NULL);
}

static void
test_duplicates (void)
{
  static const CspCase cases[] = {
    /* The first occurrence wins, as in browsers; later ones are dropped. */
    { "connect-src 'self'; connect-src *", "connect-src 'self' keel-ipc://localhost" },
    { "connect-src 'none'; CONNECT-SRC 'self'", "connect-src keel-ipc://localhost" },
    { "default-src 'self'; img-src a; default-src *; img-src b",
      "default-src 'self'; img-src a; connect-src 'self' keel-ipc://localhost" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), ipc, NULL);
}

static void
test_case_insensitive_names (void)
{
  static const CspCase cases[] = {
    { "Connect-Src 'self'", "connect-src 'self' keel-ipc://localhost" },
    { "DEFAULT-SRC 'self'", "default-src 'self'; connect-src 'self' keel-ipc://localhost" },
    /* Sources keep their spelling. */
    { "script-src 'SELF' HTTPS://A.example", "script-src 'SELF' HTTPS://A.example" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), ipc, NULL);
}

static void
test_whitespace_and_empty (void)
{
  static const CspCase cases[] = {
    { "  default-src\t 'self'   ;;  ; img-src\r\n*\f;  ",
      "default-src 'self'; img-src *; connect-src 'self' keel-ipc://localhost" },
    { ";;connect-src 'self';;", "connect-src 'self' keel-ipc://localhost" },
    /* VT is not CSP whitespace; it stays part of the token. */
    { "img-src a\vb", "img-src a\vb" },
    /* A directive with bytes outside ASCII is ignored by browsers: dropped. */
    { "img-src caf\xc3\xa9.example; script-src 'self'", "script-src 'self'" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), ipc, NULL);
}

static void
test_disabled_all (void)
{
  const char *policy = "  default-src 'self' ;connect-src 'none';; ";
  g_autofree char *built = keel__csp_build (policy, ipc, TRUE, NULL);
  g_assert_cmpstr (built, ==, policy);

  static const char *const disabled[] = { "connect-src", NULL };
  g_autofree char *built_with_list = keel__csp_build (policy, ipc, TRUE, disabled);
  g_assert_cmpstr (built_with_list, ==, policy);
}

static void
test_disabled_list (void)
{
  static const char *const connect[] = { "CONNECT-SRC", NULL };
  static const CspCase connect_cases[] = {
    { "connect-src 'self'", "connect-src 'self'" },
    { "connect-src 'none'", "connect-src 'none'" },
    /* Not created either. */
    { "default-src 'self'", "default-src 'self'" },
  };
  check_cases (connect_cases, G_N_ELEMENTS (connect_cases), ipc, connect);

  static const char *const others[] = { "script-src", "default-src", NULL };
  static const CspCase other_cases[] = {
    { "connect-src 'self'", "connect-src 'self' keel-ipc://localhost" },
    /* default-src itself stays untouched; the new connect-src is another
     * directive. */
    { "default-src 'self'", "default-src 'self'; connect-src 'self' keel-ipc://localhost" },
  };
  check_cases (other_cases, G_N_ELEMENTS (other_cases), ipc, others);

  static const char *const empty[] = { NULL };
  static const CspCase empty_cases[] = {
    { "connect-src 'self'", "connect-src 'self' keel-ipc://localhost" },
  };
  check_cases (empty_cases, G_N_ELEMENTS (empty_cases), ipc, empty);
}

static void
test_already_present (void)
{
  static const CspCase cases[] = {
    { "connect-src 'self' keel-ipc://localhost", "connect-src 'self' keel-ipc://localhost" },
    { "connect-src KEEL-IPC://LOCALHOST", "connect-src KEEL-IPC://LOCALHOST" },
    { "default-src keel-ipc://localhost 'self'",
      "default-src keel-ipc://localhost 'self'; connect-src keel-ipc://localhost 'self'" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), ipc, NULL);

  g_autofree char *one_of_two = keel__csp_build ("connect-src http://keel-ipc.localhost",
                                                 ipc_two, FALSE, NULL);
  g_assert_cmpstr (one_of_two, ==, "connect-src http://keel-ipc.localhost keel-ipc://localhost");
}

static void
test_no_ipc_sources (void)
{
  static const char *const none[] = { NULL };
  static const CspCase cases[] = {
    /* Nothing to add: the policy comes back normalized, nothing created. */
    { "default-src  'self' ;", "default-src 'self'" },
    { "connect-src 'none'", "connect-src 'none'" },
  };
  check_cases (cases, G_N_ELEMENTS (cases), NULL, NULL);
  check_cases (cases, G_N_ELEMENTS (cases), none, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csp/null-policy", test_null_policy);
  g_test_add_func ("/csp/connect-src", test_connect_src);
  g_test_add_func ("/csp/default-src-only", test_default_src_only);
  g_test_add_func ("/csp/neither", test_neither);
  g_test_add_func ("/csp/none", test_none);
  g_test_add_func ("/csp/duplicates", test_duplicates);
  g_test_add_func ("/csp/case-insensitive-names", test_case_insensitive_names);
  g_test_add_func ("/csp/whitespace-and-empty", test_whitespace_and_empty);
  g_test_add_func ("/csp/disabled-all", test_disabled_all);
  g_test_add_func ("/csp/disabled-list", test_disabled_list);
  g_test_add_func ("/csp/already-present", test_already_present);
  g_test_add_func ("/csp/no-ipc-sources", test_no_ipc_sources);

  return g_test_run ();
}
