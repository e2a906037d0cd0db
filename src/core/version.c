#include "keel-build-config.h"
#include "keel/keel-version.h"

const char *
keel_version_string (void)
{
  return KEEL_VERSION;
}
