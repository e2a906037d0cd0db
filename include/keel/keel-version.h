/* keel-version.h — compile-time and run-time version of libkeel. */
#pragma once

#include "keel-error.h"

G_BEGIN_DECLS

#define KEEL_MAJOR_VERSION 0
#define KEEL_MINOR_VERSION 1
#define KEEL_MICRO_VERSION 0

/**
 * keel_version_string:
 *
 * Returns: (transfer none): the version of the libkeel in use, e.g. "0.1.0".
 *   `plugin:app|tauri_version` answers this. Callable from any thread.
 */
KEEL_API const char *keel_version_string (void);

G_END_DECLS
