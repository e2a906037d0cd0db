/* painting.h — how web processes paint: on the GPU or on the CPU.
 *
 * WebKitGTK paints pages with Skia, through GL by default. A machine without
 * a GPU still has GL: Mesa's llvmpipe, a GPU emulated on the CPU. Painting
 * through it costs more memory and time than Skia's own CPU painting (≈ 15
 * MiB of each web process and ≈ 18 ms of each start, docs/webkit-notes.md),
 * so keel.webProcess.painting "auto" paints on the CPU there and leaves
 * machines with a GPU to WebKit. Compositing stays on GL either way. */
#pragma once

#include <glib.h>

#include "config.h"

/* The environment variable through which WebKit's web processes take the
 * choice: any value but "0" paints on the CPU. */
#define KEEL_CPU_PAINTING_VARIABLE "WEBKIT_SKIA_ENABLE_CPU_RENDERING"

/* TRUE when the machine whose device directory is `dev_dir` ("/dev") has a
 * GPU that web processes can paint with: a DRM render node
 * (dri/renderD<n>, how Mesa's drivers and WebKit reach a GPU) or NVIDIA's
 * own driver (nvidiactl). */
gboolean keel__machine_has_gpu (const char *dev_dir);

/* TRUE when web processes should paint on the CPU: `painting` as keel.json
 * says, "auto" resolved with keel__machine_has_gpu (dev_dir). */
gboolean keel__painting_on_cpu (KeelPainting painting, const char *dev_dir);
