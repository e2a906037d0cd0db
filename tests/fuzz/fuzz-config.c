/* Fuzzes keel.json parsing: any bytes must give a config or an error, never a
 * crash, a leak or a read past the end (the buffer is not NUL-terminated). The
 * locator is fuzzed too, at paths the config parser never asks for. */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "json-locate.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* A copy of exactly `size` bytes, so that ASan sees any read past the end. */
  char *text = g_memdup2 (data, size);
  GError *error = NULL;

  KeelConfig *config = keel__config_parse (text, size, "fuzz.json", "/tmp", &error);
  g_assert ((config == NULL) != (error == NULL));
  if (config != NULL)
    {
      for (guint i = 0; i < config->windows->len; i++)
        keel__window_config_free (keel__window_config_copy (g_ptr_array_index (config->windows, i)));
    }
  keel__config_free (config);
  g_clear_error (&error);

  static const char *const paths[][4] = {
    { "app", "windows", "0", NULL },
    { "app", "security", "csp", NULL },
    { "0", "1", NULL, NULL },
    { "", NULL, NULL, NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      int line = 0, column = 0;
      if (keel__json_locate (text, size, paths[i], &line, &column))
        g_assert (line >= 1 && column >= 1);
      if (keel__json_locate_key (text, size, paths[i], &line, &column))
        g_assert (line >= 1 && column >= 1);
    }

  g_free (text);
  return 0;
}
