/* Unit tests of src/core/painting.c: whether web processes paint on the CPU,
 * on made-up device directories. */
#include <glib/gstdio.h>

#include "painting.h"
#include "test-tree.h"

/* A device directory holding `entries` (files; "dri/renderD128" makes dri/
 * first). Removed by remove_tree(). */
static char *
make_dev (const char *const *entries)
{
  g_autoptr (GError) error = NULL;
  char *dev = g_dir_make_tmp ("keel-painting-XXXXXX", &error);
  g_assert_no_error (error);
  for (gsize i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dev, entries[i], NULL);
      g_autofree char *parent = g_path_get_dirname (path);
      g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
  return dev;
}

static void
assert_machine (const char *const *entries, gboolean has_gpu)
{
  g_autofree char *dev = make_dev (entries);
  g_assert_cmpint (keel__machine_has_gpu (dev), ==, has_gpu);
  /* "auto" follows the machine; "cpu" and "gpu" do not look. */
  g_assert_cmpint (keel__painting_on_cpu (KEEL_PAINTING_AUTO, dev), ==, !has_gpu);
  g_assert_true (keel__painting_on_cpu (KEEL_PAINTING_CPU, dev));
  g_assert_false (keel__painting_on_cpu (KEEL_PAINTING_GPU, dev));
  remove_tree (dev);
}

static void
test_machines (void)
{
  /* No GPU: no dri directory, an empty one, display nodes only. */
  assert_machine ((const char *const[]){ "null", NULL }, FALSE);
  assert_machine ((const char *const[]){ "dri/by-path/x", NULL }, FALSE);
  assert_machine ((const char *const[]){ "dri/card0", "dri/card1", NULL }, FALSE);
  /* A render node, with or without a display node; NVIDIA's driver. */
  assert_machine ((const char *const[]){ "dri/renderD128", NULL }, TRUE);
  assert_machine ((const char *const[]){ "dri/card0", "dri/renderD129", NULL }, TRUE);
  assert_machine ((const char *const[]){ "nvidiactl", NULL }, TRUE);
}

static void
test_missing_dev (void)
{
  g_assert_false (keel__machine_has_gpu ("/nonexistent-keel-dev"));
  g_assert_true (keel__painting_on_cpu (KEEL_PAINTING_AUTO, "/nonexistent-keel-dev"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/painting/machines", test_machines);
  g_test_add_func ("/painting/missing-dev", test_missing_dev);
  return g_test_run ();
}
