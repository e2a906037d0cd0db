/* plugins.h — the built-in plugins. Each is written against the public API
 * (keel/keel.h) only, and registers its commands under Tauri's names. */
#pragma once

#include "keel/keel.h"

void keel__plugin_app_register (KeelApp *app);
void keel__plugin_window_register (KeelApp *app);
void keel__plugin_webview_register (KeelApp *app);
void keel__plugin_path_register (KeelApp *app);
void keel__plugin_resources_register (KeelApp *app);
