#include "painting.h"

gboolean
keel__machine_has_gpu (const char *dev_dir)
{
  g_autofree char *nvidia = g_build_filename (dev_dir, "nvidiactl", NULL);
  if (g_file_test (nvidia, G_FILE_TEST_EXISTS))
    return TRUE;
  g_autofree char *dri = g_build_filename (dev_dir, "dri", NULL);
  g_autoptr (GDir) dir = g_dir_open (dri, 0, NULL);
  if (dir == NULL)
    return FALSE;
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

gboolean
keel__painting_on_cpu (KeelPainting painting, const char *dev_dir)
{
  switch (painting)
    {
    case KEEL_PAINTING_CPU:
      return TRUE;
    case KEEL_PAINTING_GPU:
      return FALSE;
    case KEEL_PAINTING_AUTO:
    default:
      return !keel__machine_has_gpu (dev_dir);
    }
}
