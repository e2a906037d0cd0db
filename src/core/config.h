/* config.h — keel.json: reading it, checking it, and what it says.
 *
 * keel.json has the structure of Tauri v2's tauri.conf.json for the parts
 * Keel implements (docs/configuration.md lists them). Every problem is
 * reported with the file, line and column, the key path and what was
 * expected; Tauri keys that Keel does not implement are accepted with a
 * warning, and any other key is an error. This is the one place that parses
 * keel.json; tests/fuzz/fuzz-config.c fuzzes it.
 *
 * Nothing here touches global state: any thread may parse, and a config
 * belongs to whoever parsed it. */
#pragma once

#include <glib.h>
#include <jansson.h>

/* A keel.json is a few kilobytes; anything near this is not one. */
#define KEEL_CONFIG_MAX_SIZE ((gsize) 1024 * 1024)

/* The largest width, height, or |x|, |y| accepted for a window, in logical
 * pixels: far beyond any screen, small enough to stay exact in an int. */
#define KEEL_WINDOW_DIMENSION_MAX 100000.0

/* Defaults of keel.webProcess: a hang is detected within at most
 * hangTimeoutMs + hangTimeoutMs / 2 (the ping period), 7.5 s by default. */
#define KEEL_DEFAULT_HANG_TIMEOUT_MS 5000
#define KEEL_DEFAULT_CRASH_LOOP_MAX_RESTARTS 3
#define KEEL_DEFAULT_CRASH_LOOP_PERIOD_S 60

/* keel.webProcess.painting: how web processes paint pages (docs/configuration.md). */
typedef enum
{
  KEEL_PAINTING_AUTO, /* on the CPU when the machine has no GPU, else WebKit's default */
  KEEL_PAINTING_CPU,  /* Skia's raster backend; compositing stays on GL */
  KEEL_PAINTING_GPU,  /* WebKit's default: Skia on GL */
} KeelPainting;

/* Bounds of keel.ipc.maxMessageSize, in bytes. Below 1 KiB even small calls
 * would fail; 1 GiB keeps the limit (and the relay's count of characters) in
 * an int, and is far beyond what one IPC message should carry. The default
 * is KEEL_MESSAGE_DEFAULT_MAX_SIZE (message.h). */
#define KEEL_MAX_MESSAGE_SIZE_MIN 1024
#define KEEL_MAX_MESSAGE_SIZE_MAX (1024 * 1024 * 1024)

typedef struct
{
  char *label;
  char *url;              /* "index.html" by default */
  char *title;
  double width, height;
  double min_width, min_height, max_width, max_height; /* 0 = unset */
  double x, y;
  gboolean has_position;
  gboolean resizable, visible, center, decorations, fullscreen, maximized, focus, always_on_top;
  gboolean create;
} KeelWindowConfig;

typedef struct
{
  char *source_name;       /* what errors call the file: its path, or "resource:///x/keel.json" */
  char *text;              /* the text parsed, for locating problems found later */
  gsize text_length;
  char *base_dir;          /* directory of the file (NULL when parsed from memory without one) */
  char *product_name;      /* NULL when unset */
  char *version;           /* NULL when unset */
  char *identifier;
  char *frontend_dist;     /* as written (relative or absolute), NULL when unset */
  char *dev_url;           /* NULL when unset */
  GPtrArray *windows;      /* of KeelWindowConfig*, owned */
  char *csp;               /* normalized policy string, NULL when unset */
  gboolean csp_modification_disabled_all;
  char **csp_modification_disabled;   /* NULL-terminated, never NULL */
  json_t *capabilities;    /* app.security.capabilities as given (new ref) or NULL */
  gboolean with_global_tauri;

  /* keel.webProcess: Keel's own section (Tauri has no equivalent). */
  int hang_timeout_ms;         /* a page silent this long is restarted; 0 = never */
  int memory_limit_mb;         /* per web process; 0 = WebKit's default */
  int crash_loop_max_restarts; /* restarts allowed within crash_loop_period_s */
  int crash_loop_period_s;
  gboolean sandbox;            /* WebKit's bubblewrap sandbox; TRUE by default */
  KeelPainting painting;       /* stored as an int by the config walker */

  /* keel.ipc */
  int max_message_size;        /* bytes; larger messages from pages are refused */
  gboolean media_capture;      /* keel.webview.mediaCapture: pages may ask for camera and microphone */
  gboolean back_forward_cache; /* keel.webview.backForwardCache: WebKit keeps pages left for history.back() */
  GPtrArray *warnings;     /* of char*, never NULL */
} KeelConfig;

/**
 * keel__config_parse:
 * @text: the text of a keel.json; it need not be NUL-terminated.
 * @length: its length in bytes; more than #KEEL_CONFIG_MAX_SIZE is refused
 *   (KEEL_ERROR_TOO_LARGE) before parsing.
 * @source_name: (nullable): what error messages call the text, e.g. its path;
 *   NULL means "keel.json".
 * @base_dir: (nullable): the directory relative paths start from.
 * @error: set on failure.
 *
 * Parses and validates a keel.json. An invalid one fails with KEEL_ERROR_CONFIG
 * and a message "<source>:<line>:<column>: <key path>: <problem>"; the first
 * problem in document order is reported. Tauri keys that Keel ignores are
 * listed in the result's `warnings`.
 *
 * Returns: (transfer full) (nullable): the config, or NULL with @error set.
 */
KeelConfig *keel__config_parse (const char *text, gsize length, const char *source_name,
                                const char *base_dir, GError **error);

/**
 * keel__config_load_file:
 * @path: keel.json itself, or a directory holding one.
 * @error: set on failure: KEEL_ERROR_NOT_FOUND naming the path when there is no
 *   such file, KEEL_ERROR_TOO_LARGE, or KEEL_ERROR_CONFIG.
 *
 * Reads and parses a keel.json. The config's `source_name` is the file's path
 * as given (in UTF-8 for display); its `base_dir` is the file's directory as
 * an absolute path.
 *
 * Returns: (transfer full) (nullable): the config, or NULL with @error set.
 */
KeelConfig *keel__config_load_file (const char *path, GError **error);

/** keel__config_free: frees a config and all it holds; accepts NULL. */
void keel__config_free (KeelConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelConfig, keel__config_free)

/**
 * keel__window_config_from_json:
 * @object: a window object, as found in app.windows[], given by the app from
 *   C, or sent by a page (plugin:webview|create_webview_window).
 * @where: (nullable): what error messages call @object, e.g. "options", giving
 *   "options.width: expected a positive number, got the string \"800\"".
 * @default_title: (nullable): the title when @object has none; NULL means "Keel".
 * @error: set on failure, with code KEEL_ERROR_INVALID (the value came from
 *   code, not from keel.json).
 *
 * Validates one window object; defaults apply to missing keys. The same
 * checks run on app.windows[] in keel.json. Tauri window keys that Keel does
 * not implement are logged with g_message() and ignored.
 *
 * Returns: (transfer full) (nullable): the window config, or NULL with @error set.
 */
KeelWindowConfig *keel__window_config_from_json (json_t *object, const char *where,
                                                 const char *default_title, GError **error);

/** keel__window_config_copy: Returns: (transfer full): a deep copy of @config. */
KeelWindowConfig *keel__window_config_copy (const KeelWindowConfig *config);

/** keel__window_config_free: frees a window config; accepts NULL. */
void keel__window_config_free (KeelWindowConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelWindowConfig, keel__window_config_free)
