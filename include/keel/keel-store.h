/* keel-store.h — the store plugin: persistent key-value stores for pages,
 * compatible with the npm package @tauri-apps/plugin-store v2.
 *
 * |[<!-- language="C" -->
 * KeelApp *app = keel_app_new ("keel.json", &error);
 * keel_store_plugin_register (app);
 * ]|
 *
 * and in a page, with a capability that grants `store:default`:
 *
 * |[<!-- language="JavaScript" -->
 * import { load } from '@tauri-apps/plugin-store';
 * const settings = await load('settings.json');
 * await settings.set('theme', 'dark');
 * ]|
 *
 * Stores live in `$XDG_DATA_HOME/<identifier>/`, one in memory per file,
 * shared by every window. See docs/store.md. */
#pragma once

#include "keel-app.h"

G_BEGIN_DECLS

/**
 * keel_store_plugin_register:
 * @app: an app that is not running yet.
 *
 * Enables the store plugin: registers the `plugin:store|*` commands
 * (load, get_store, set, get, has, delete, clear, reset, keys, values,
 * entries, length, reload, save) and their permissions, with Tauri's
 * identifiers (`store:default` allows them all; `store:allow-set`,
 * `store:deny-set`, ...), which capabilities may then grant. The plugin
 * keeps its open stores in the app's managed state under "keel:store".
 *
 * Call it once, before keel_app_run(); a second call, or a call once the app
 * runs, is a programming error (a critical) and changes nothing.
 * Main thread only.
 */
KEEL_API void keel_store_plugin_register (KeelApp *app);

G_END_DECLS
