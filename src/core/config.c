#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "json-check.h"
#include "json-locate.h"
#include "keel/keel-error.h"
#include "message.h"

/* Strings from the config are shown in messages up to this many bytes. */
#define QUOTE_MAX KEEL_JSON_QUOTE_MAX

/* Warnings kept one by one; the rest are counted. Each one costs a scan of
 * the text to find its line, so a file made of ignored keys must not cost a
 * scan per key. */
#define MAX_WARNINGS 100

/* ---- What each object may hold ----
 *
 * Each kind of object is described by a table of the keys Keel implements
 * (with how to check and where to store each value) and a list of the Tauri
 * keys it accepts but ignores. One generic walker applies the tables, so the
 * same rules serve keel.json and window objects given by code. */

typedef enum
{
  KIND_IGNORED,        /* accepted whatever it holds */
  KIND_STRING,         /* a string, or null for unset */
  KIND_IDENTIFIER,     /* a reverse-domain name */
  KIND_DIRECTORY,      /* a directory path, or null */
  KIND_HTTP_URL,       /* an absolute http(s) URL, or null */
  KIND_BOOLEAN,
  KIND_SECTION,        /* an object described by Field.section, stored in the same target */
  KIND_WINDOWS,        /* app.windows */
  KIND_CSP,            /* app.security.csp */
  KIND_CSP_EXCEPTIONS, /* app.security.dangerousDisableAssetCspModification */
  KIND_CAPABILITIES,   /* app.security.capabilities */
  KIND_LABEL,          /* a window label */
  KIND_PAGE_URL,       /* a path inside the app or an http(s) URL */
  KIND_TITLE,          /* a string */
  KIND_SIZE,           /* a positive number */
  KIND_SIZE_LIMIT,     /* a positive number, or null for unset (0) */
  KIND_COORDINATE,     /* a number, or null for unset */
  KIND_INTEGER,        /* an integer in [min, max], or 0 when zero_allowed; stored as int */
  KIND_CHOICE,         /* one of Field.choices; stored as its index, an int */
} FieldKind;

typedef struct Section Section;

typedef struct
{
  const char *name;
  FieldKind kind;
  gsize offset;            /* of the value in the target struct */
  const Section *section;  /* for KIND_SECTION */
  gint64 min, max;         /* for KIND_INTEGER */
  gboolean zero_allowed;   /* for KIND_INTEGER: 0 is also accepted (it turns a feature off) */
  const char *unit;        /* for KIND_INTEGER messages, e.g. "milliseconds" */
  const char *const *choices; /* for KIND_CHOICE: the accepted strings, ending with NULL */
} Field;

struct Section
{
  const Field *fields;            /* ends with a NULL name */
  const char *const *tauri_only;  /* ends with NULL */
};

#define WINDOW_FIELD(name, kind, member) { name, kind, G_STRUCT_OFFSET (KeelWindowConfig, member), NULL }
#define CONFIG_FIELD(name, kind, member) { name, kind, G_STRUCT_OFFSET (KeelConfig, member), NULL }
#define SECTION_FIELD(name, section) { name, KIND_SECTION, 0, section }

static const Field window_fields[] = {
  WINDOW_FIELD ("label", KIND_LABEL, label),
  WINDOW_FIELD ("url", KIND_PAGE_URL, url),
  WINDOW_FIELD ("title", KIND_TITLE, title),
  WINDOW_FIELD ("width", KIND_SIZE, width),
  WINDOW_FIELD ("height", KIND_SIZE, height),
  WINDOW_FIELD ("minWidth", KIND_SIZE_LIMIT, min_width),
  WINDOW_FIELD ("minHeight", KIND_SIZE_LIMIT, min_height),
  WINDOW_FIELD ("maxWidth", KIND_SIZE_LIMIT, max_width),
  WINDOW_FIELD ("maxHeight", KIND_SIZE_LIMIT, max_height),
  WINDOW_FIELD ("x", KIND_COORDINATE, x),
  WINDOW_FIELD ("y", KIND_COORDINATE, y),
  WINDOW_FIELD ("resizable", KIND_BOOLEAN, resizable),
  WINDOW_FIELD ("visible", KIND_BOOLEAN, visible),
  WINDOW_FIELD ("center", KIND_BOOLEAN, center),
  WINDOW_FIELD ("decorations", KIND_BOOLEAN, decorations),
  WINDOW_FIELD ("fullscreen", KIND_BOOLEAN, fullscreen),
  WINDOW_FIELD ("maximized", KIND_BOOLEAN, maximized),
  WINDOW_FIELD ("focus", KIND_BOOLEAN, focus),
  WINDOW_FIELD ("alwaysOnTop", KIND_BOOLEAN, always_on_top),
  WINDOW_FIELD ("create", KIND_BOOLEAN, create),
  { NULL, 0, 0, NULL },
};

static const char *const window_tauri_only[] = {
  "transparent", "theme", "skipTaskbar", "shadow", "titleBarStyle", "userAgent",
  "zoomHotkeysEnabled", "devtools", "dragDropEnabled", "incognito", "parent",
  "tabbingIdentifier", "windowEffects", "contentProtected", "acceptFirstMouse", "hiddenTitle",
  "closable", "minimizable", "maximizable", "visibleOnAllWorkspaces", "backgroundColor",
  "additionalBrowserArgs", "useHttpsScheme", "proxyUrl", "browserExtensionsEnabled",
  "preventOverflow", "windowClassname", "alwaysOnBottom", "trafficLightPosition",
  "backgroundThrottling", "javascriptDisabled", "allowLinkPreview",
  "disableInputAccessoryView", NULL,
};

static const Section window_section = { window_fields, window_tauri_only };

static const Field security_fields[] = {
  CONFIG_FIELD ("csp", KIND_CSP, csp),
  CONFIG_FIELD ("dangerousDisableAssetCspModification", KIND_CSP_EXCEPTIONS,
                csp_modification_disabled),
  CONFIG_FIELD ("capabilities", KIND_CAPABILITIES, capabilities),
  { NULL, 0, 0, NULL },
};

static const char *const security_tauri_only[] = {
  "assetProtocol", "freezePrototype", "pattern", "headers", "devCsp", NULL,
};

static const Section security_section = { security_fields, security_tauri_only };

static const Field app_fields[] = {
  CONFIG_FIELD ("windows", KIND_WINDOWS, windows),
  SECTION_FIELD ("security", &security_section),
  CONFIG_FIELD ("withGlobalTauri", KIND_BOOLEAN, with_global_tauri),
  { NULL, 0, 0, NULL },
};

static const char *const app_tauri_only[] = {
  "trayIcon", "macOSPrivateApi", "enableGTKAppId", NULL,
};

static const Section app_section = { app_fields, app_tauri_only };

static const Field build_fields[] = {
  CONFIG_FIELD ("frontendDist", KIND_DIRECTORY, frontend_dist),
  CONFIG_FIELD ("devUrl", KIND_HTTP_URL, dev_url),
  { NULL, 0, 0, NULL },
};

static const char *const build_tauri_only[] = {
  "beforeDevCommand", "beforeBuildCommand", "beforeBundleCommand", "features", "runner",
  "removeUnusedCommands", "additionalWatchFolders", NULL,
};

static const Section build_section = { build_fields, build_tauri_only };

/* Keel's own sections have no Tauri-only keys. */
static const char *const no_tauri_keys[] = { NULL };

#define INTEGER_FIELD(name, member, lo, hi, zero, unit)                                             \
  { name, KIND_INTEGER, G_STRUCT_OFFSET (KeelConfig, member), NULL, lo, hi, zero, unit }

static const Field crash_loop_fields[] = {
  INTEGER_FIELD ("maxRestarts", crash_loop_max_restarts, 1, 100000, FALSE, "restarts"),
  INTEGER_FIELD ("periodSeconds", crash_loop_period_s, 1, 86400, FALSE, "seconds"),
  { NULL, 0, 0, NULL },
};

static const Section crash_loop_section = { crash_loop_fields, no_tauri_keys };

/* In the order of KeelPainting, which the walker stores as an int. */
static const char *const painting_choices[] = { "auto", "cpu", "gpu", NULL };
G_STATIC_ASSERT (sizeof (KeelPainting) == sizeof (int));

static const Field web_process_fields[] = {
  CONFIG_FIELD ("sandbox", KIND_BOOLEAN, sandbox),
  { "painting", KIND_CHOICE, G_STRUCT_OFFSET (KeelConfig, painting), NULL, 0, 0, FALSE, NULL,
    painting_choices },
  INTEGER_FIELD ("hangTimeoutMs", hang_timeout_ms, 200, 600000, TRUE, "milliseconds"),
  INTEGER_FIELD ("memoryLimitMB", memory_limit_mb, 64, 1048576, FALSE, "MiB"),
  SECTION_FIELD ("crashLoop", &crash_loop_section),
  { NULL, 0, 0, NULL },
};

static const Section web_process_section = { web_process_fields, no_tauri_keys };

static const Field ipc_fields[] = {
  INTEGER_FIELD ("maxMessageSize", max_message_size, KEEL_MAX_MESSAGE_SIZE_MIN,
                 KEEL_MAX_MESSAGE_SIZE_MAX, FALSE, "bytes"),
  { NULL, 0, 0, NULL },
};

static const Section ipc_section = { ipc_fields, no_tauri_keys };

G_STATIC_ASSERT ((gint64) KEEL_MESSAGE_DEFAULT_MAX_SIZE >= KEEL_MAX_MESSAGE_SIZE_MIN
                 && (gint64) KEEL_MESSAGE_DEFAULT_MAX_SIZE <= KEEL_MAX_MESSAGE_SIZE_MAX);

static const Field webview_fields[] = {
  CONFIG_FIELD ("mediaCapture", KIND_BOOLEAN, media_capture),
  CONFIG_FIELD ("backForwardCache", KIND_BOOLEAN, back_forward_cache),
  { NULL, 0, 0, NULL },
};

static const Section webview_section = { webview_fields, no_tauri_keys };

/* Keel's own settings, under a key of their own so they never collide with
 * Tauri's schema. */
static const Field keel_fields[] = {
  SECTION_FIELD ("webProcess", &web_process_section),
  SECTION_FIELD ("ipc", &ipc_section),
  SECTION_FIELD ("webview", &webview_section),
  { NULL, 0, 0, NULL },
};

static const Section keel_section = { keel_fields, no_tauri_keys };

static const Field top_fields[] = {
  { "$schema", KIND_IGNORED, 0, NULL },
  CONFIG_FIELD ("productName", KIND_STRING, product_name),
  CONFIG_FIELD ("version", KIND_STRING, version),
  CONFIG_FIELD ("identifier", KIND_IDENTIFIER, identifier),
  SECTION_FIELD ("build", &build_section),
  SECTION_FIELD ("app", &app_section),
  SECTION_FIELD ("keel", &keel_section),
  { NULL, 0, 0, NULL },
};

static const char *const top_tauri_only[] = {
  "bundle", "plugins", "mainBinaryName", NULL,
};

static const Section top_section = { top_fields, top_tauri_only };

/* ---- Where the walker is (json-check.h) ---- */

typedef KeelJsonCheck Context;

/* Warnings dropped beyond MAX_WARNINGS, per parse. */
typedef struct
{
  GPtrArray *warnings;        /* NULL: warnings are logged */
  gsize dropped;
  const char *default_title;
} WalkState;

#define STATE(ctx) ((WalkState *) (ctx)->user_data)
#define push_key keel__json_check_push_key
#define push_index keel__json_check_push_index
#define pop keel__json_check_pop
#define quote keel_quote_for_message
#define describe keel__json_describe
#define fail keel__json_check_fail
#define fail_type keel__json_check_fail_type
#define format_message keel__json_check_message
#define render_path keel__json_check_path

/* Formats a number the same way in every locale. */
static const char *
number_text (double value, char buffer[G_ASCII_DTOSTR_BUF_SIZE])
{
  return g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%.15g", value);
}

static void
context_init (Context *ctx, KeelError code, WalkState *state)
{
  keel__json_check_init (ctx, code);
  ctx->user_data = state;
}

#define context_clear keel__json_check_clear

static void
warn_ignored (Context *ctx)
{
  WalkState *state = STATE (ctx);
  if (state->warnings != NULL && state->warnings->len >= MAX_WARNINGS)
    {
      state->dropped++;
      return;
    }

  char *message = format_message (ctx, TRUE, "not implemented by Keel, ignored");
  if (state->warnings != NULL)
    g_ptr_array_add (state->warnings, message);
  else
    {
      g_message ("%s", message);
      g_free (message);
    }
}

/* ---- Unknown keys ---- */

/* The implemented key closest to `key`, if within two edits. */
static const char *
suggest_key (const Section *section, const char *key)
{
  const char *names[64];
  gsize n = 0;
  for (const Field *field = section->fields; field->name != NULL && n < G_N_ELEMENTS (names);
       field++)
    names[n++] = field->name;
  return keel__closest_word (key, names, n, 2);
}

static gboolean
fail_unknown_key (const Context *ctx, const Section *section, const char *key, GError **error)
{
  const char *suggestion = suggest_key (section, key);
  if (suggestion != NULL)
    return fail (ctx, error, TRUE, "unknown key; did you mean `%s`?", suggestion);

  g_autoptr (GString) keys = g_string_new (NULL);
  for (const Field *field = section->fields; field->name != NULL; field++)
    g_string_append_printf (keys, "%s%s", keys->len > 0 ? ", " : "", field->name);
  return fail (ctx, error, TRUE, "unknown key; Keel accepts here: %s", keys->str);
}

/* ---- Checks of single values ---- */

/* Why `id` is not a reverse-domain identifier, or NULL if it is one. */
static char *
identifier_problem (const char *id)
{
  if (*id == '\0')
    return g_strdup ("it is empty");
  if (id[0] == '.' || id[strlen (id) - 1] == '.')
    return g_strdup ("it must not start or end with '.'");

  gsize segments = 1;
  for (const char *p = id; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (p[1] == '.')
            return g_strdup ("it must not have an empty segment (\"..\")");
          segments++;
        }
      else if (!g_ascii_isalnum (*p) && *p != '-')
        {
          gunichar c = g_utf8_get_char_validated (p, -1);
          if (c == (gunichar) -1 || c == (gunichar) -2 || c < 0x20 || c == 0x7f)
            return g_strdup_printf ("the byte 0x%02x is not allowed", (guchar) *p);
          char utf8[8] = { 0 };
          g_unichar_to_utf8 (c, utf8);
          return g_strdup_printf ("the character '%s' is not allowed", utf8);
        }
    }
  if (segments < 2)
    return g_strdup ("it needs at least two segments separated by '.'");
  return NULL;
}

/* Why `label` is not a window label, or NULL if it is one. */
static char *
label_problem (const char *label)
{
  if (*label == '\0')
    return g_strdup ("a label must not be empty");
  for (const char *p = label; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("-/:_", *p) != NULL)
        continue;
      gunichar c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2 || c < 0x20 || c == 0x7f)
        return g_strdup_printf ("the byte 0x%02x is not allowed in a label", (guchar) *p);
      char utf8[8] = { 0 };
      g_unichar_to_utf8 (c, utf8);
      return g_strdup_printf ("the character '%s' is not allowed in a label", utf8);
    }
  return NULL;
}

/* Why `text` is not an absolute http(s) URL, or NULL if it is one. */
static char *
http_url_problem (const char *text)
{
  g_autoptr (GError) uri_error = NULL;
  g_autoptr (GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, &uri_error);
  if (uri == NULL)
    return g_strdup_printf ("it is not a valid URL (%s)", uri_error->message);

  const char *scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return g_strdup_printf ("its scheme \"%s:\" is neither http: nor https:", scheme);

  const char *host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    return g_strdup ("it has no host");
  for (const char *p = host; *p != '\0'; p++)
    {
      if ((guchar) *p <= ' ' || *p == 0x7f)
        return g_strdup ("its host contains a space or a control character");
    }
  return NULL;
}

/* Why `url` is neither a page inside the app nor an http(s) URL, or NULL. */
static char *
page_url_problem (const char *url)
{
  if (*url == '\0')
    return g_strdup ("it is empty");

  /* A page of the app may be named by its full URL too, as a page sees it
   * (window.open() or a link hands the app such URLs). */
  if (g_str_has_prefix (url, "keel://localhost/"))
    url += strlen ("keel://localhost/");

  const char *scheme = g_uri_peek_scheme (url);
  if (scheme != NULL)
    {
      if (strcmp (scheme, "http") != 0 && strcmp (scheme, "https") != 0)
        return g_strdup_printf ("its scheme \"%s:\" is neither http: nor https:", scheme);
      return http_url_problem (url);
    }

  if (g_str_has_prefix (url, "//"))
    return g_strdup ("it is a scheme-relative URL; write the scheme (https://...)");
  if (strchr (url, '\\') != NULL)
    return g_strdup ("it contains '\\'; separate directories with '/'");

  /* Only the path is checked for "..": a query or fragment may say anything. */
  gsize path_length = strcspn (url, "?#");
  g_autofree char *path = g_strndup (url, path_length);
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  for (char **part = parts; *part != NULL; part++)
    {
      if (strcmp (*part, "..") == 0)
        return g_strdup ("it leaves the app's directory (\"..\")");
    }
  return NULL;
}

/* CSP directive names are tokens: letters, digits and '-'. */
static gboolean
is_directive_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-')
        return FALSE;
    }
  return TRUE;
}

/* A policy goes into a header and a <meta> tag: a line break would split
 * the header, and within one directive ';' or ',' would start another
 * directive or policy behind the author's back. */
static gboolean
check_policy_text (const Context *ctx, const char *text, gboolean is_source, GError **error)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return fail (ctx, error, FALSE,
                     "a policy must not contain control characters such as line breaks");
      if (is_source && (*p == ';' || *p == ','))
        return fail (ctx, error, FALSE,
                     "a source must not contain '%c'; give each directive its own key", *p);
    }
  return TRUE;
}

static gboolean
check_directive_name (const Context *ctx, const char *name, gboolean at_key, GError **error)
{
  if (is_directive_name (name))
    return TRUE;
  g_autofree char *quoted = quote (name);
  return fail (ctx, error, at_key,
               "%s is not a CSP directive name; expected letters, digits and '-', as in "
               "\"script-src\"",
               quoted);
}

/* Turns {"default-src": "'self'", "img-src": ["'self'", "data:"]} into
 * "default-src 'self'; img-src 'self' data:", keeping the object's order. */
static gboolean
normalize_csp (Context *ctx, json_t *object, char **out, GError **error)
{
  g_autoptr (GString) policy = g_string_new (NULL);
  const char *name;
  json_t *sources;

  json_object_foreach (object, name, sources)
    {
      push_key (ctx, name);
      if (!check_directive_name (ctx, name, TRUE, error))
        return FALSE;

      if (policy->len > 0)
        g_string_append (policy, "; ");
      g_string_append (policy, name);

      if (json_is_string (sources))
        {
          if (!check_policy_text (ctx, json_string_value (sources), TRUE, error))
            return FALSE;
          g_autofree char *stripped = g_strstrip (g_strdup (json_string_value (sources)));
          if (*stripped != '\0')
            g_string_append_printf (policy, " %s", stripped);
        }
      else if (json_is_array (sources))
        {
          gsize i;
          json_t *source;
          json_array_foreach (sources, i, source)
            {
              push_index (ctx, i);
              if (!json_is_string (source))
                return fail_type (ctx, error, source, "a source string such as \"'self'\"");
              if (!check_policy_text (ctx, json_string_value (source), TRUE, error))
                return FALSE;
              g_autofree char *stripped = g_strstrip (g_strdup (json_string_value (source)));
              if (*stripped == '\0')
                return fail (ctx, error, FALSE, "expected a source such as \"'self'\", got an "
                                                "empty string");
              g_string_append_printf (policy, " %s", stripped);
              pop (ctx);
            }
        }
      else
        return fail_type (ctx, error, sources, "a string or an array of source strings");
      pop (ctx);
    }

  *out = g_strdup (policy->str);
  return TRUE;
}

static gboolean
check_csp_exceptions (Context *ctx, json_t *value, KeelConfig *config, GError **error)
{
  if (json_is_boolean (value))
    {
      config->csp_modification_disabled_all = json_is_true (value);
      return TRUE;
    }
  if (!json_is_array (value))
    return fail_type (ctx, error, value, "true, false, or an array of CSP directive names");

  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gsize i;
  json_t *name;
  json_array_foreach (value, i, name)
    {
      push_index (ctx, i);
      if (!json_is_string (name))
        return fail_type (ctx, error, name, "a CSP directive name such as \"script-src\"");
      if (!check_directive_name (ctx, json_string_value (name), FALSE, error))
        return FALSE;
      g_ptr_array_add (names, g_strdup (json_string_value (name)));
      pop (ctx);
    }
  g_ptr_array_add (names, NULL);

  g_strfreev (config->csp_modification_disabled);
  config->csp_modification_disabled = (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  config->csp_modification_disabled_all = FALSE;
  return TRUE;
}

static gboolean
check_dimension (const Context *ctx, json_t *value, double *out, GError **error)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  if (!json_is_number (value) || json_number_value (value) <= 0)
    return fail_type (ctx, error, value, "a positive number");
  if (json_number_value (value) > KEEL_WINDOW_DIMENSION_MAX)
    {
      g_autofree char *got = describe (value);
      return fail (ctx, error, FALSE, "expected a positive number no larger than %s, got %s",
                   number_text (KEEL_WINDOW_DIMENSION_MAX, buffer), got);
    }
  *out = json_number_value (value);
  return TRUE;
}

static gboolean validate_members (Context *ctx, json_t *object, const Section *section,
                                  gpointer target, GError **error);
static gboolean check_windows (Context *ctx, json_t *value, KeelConfig *config, GError **error);

static void
set_string (gpointer target, gsize offset, const char *value)
{
  char **slot = G_STRUCT_MEMBER_P (target, offset);
  g_free (*slot);
  *slot = g_strdup (value);
}

/* Checks one value against its field and stores it in `target`. */
static gboolean
validate_value (Context *ctx, const Field *field, json_t *value, gpointer target, GError **error)
{
  const char *text = json_string_value (value); /* NULL unless a string */
  g_autofree char *problem = NULL;

  switch (field->kind)
    {
    case KIND_IGNORED:
      return TRUE;

    case KIND_STRING:
      if (json_is_null (value))
        return TRUE; /* as in Tauri, null means unset */
      if (text == NULL)
        return fail_type (ctx, error, value, "a string");
      set_string (target, field->offset, text);
      return TRUE;

    case KIND_TITLE:
      if (text == NULL)
        return fail_type (ctx, error, value, "a string");
      set_string (target, field->offset, text);
      return TRUE;

    case KIND_IDENTIFIER:
      if (text == NULL)
        return fail_type (ctx, error, value, "a reverse-domain name such as \"com.example.myapp\"");
      if ((problem = identifier_problem (text)) != NULL)
        {
          g_autofree char *got = describe (value);
          return fail (ctx, error, FALSE,
                       "expected a reverse-domain name of ASCII letters, digits, '-' and '.', "
                       "such as \"com.example.myapp\", got %s: %s",
                       got, problem);
        }
      set_string (target, field->offset, text);
      return TRUE;

    case KIND_DIRECTORY:
      if (json_is_null (value))
        return TRUE;
      if (text == NULL || *text == '\0')
        return fail_type (ctx, error, value,
                          "the path of the directory holding the web assets, such as \"../dist\"");
      if (g_uri_peek_scheme (text) != NULL)
        {
          g_autofree char *url_problem = http_url_problem (text);
          if (url_problem == NULL)
            return fail (ctx, error, FALSE,
                         "expected a directory path, got a URL; to load pages from a server, "
                         "set build.devUrl instead");
        }
      set_string (target, field->offset, text);
      return TRUE;

    case KIND_HTTP_URL:
      if (json_is_null (value))
        return TRUE;
      if (text == NULL)
        return fail_type (ctx, error, value, "an http:// or https:// URL such as \"http://localhost:1420\"");
      if ((problem = http_url_problem (text)) != NULL)
        {
          g_autofree char *got = describe (value);
          return fail (ctx, error, FALSE,
                       "expected an absolute http:// or https:// URL such as "
                       "\"http://localhost:1420\", got %s: %s",
                       got, problem);
        }
      set_string (target, field->offset, text);
      return TRUE;

    case KIND_CHOICE:
      for (int i = 0; text != NULL && field->choices[i] != NULL; i++)
        if (strcmp (text, field->choices[i]) == 0)
          {
            G_STRUCT_MEMBER (int, target, field->offset) = i;
            return TRUE;
          }
      {
        g_autofree char *expected = g_strjoinv ("\", \"", (char **) field->choices);
        g_autofree char *got = describe (value);
        return fail (ctx, error, FALSE, "expected one of \"%s\", got %s", expected, got);
      }

    case KIND_BOOLEAN:
      if (!json_is_boolean (value))
        return fail_type (ctx, error, value, "true or false");
      G_STRUCT_MEMBER (gboolean, target, field->offset) = json_is_true (value);
      return TRUE;

    case KIND_SECTION:
      if (!json_is_object (value))
        return fail_type (ctx, error, value, "an object");
      return validate_members (ctx, value, field->section, target, error);

    case KIND_WINDOWS:
      return check_windows (ctx, value, target, error);

    case KIND_CSP:
      if (json_is_null (value))
        return TRUE;
      if (json_is_object (value))
        {
          char *policy = NULL;
          if (!normalize_csp (ctx, value, &policy, error))
            return FALSE;
          g_free (G_STRUCT_MEMBER (char *, target, field->offset));
          G_STRUCT_MEMBER (char *, target, field->offset) = policy;
          return TRUE;
        }
      if (text == NULL)
        return fail_type (ctx, error, value,
                          "a policy string, or an object mapping directive names to sources");
      if (!check_policy_text (ctx, text, FALSE, error))
        return FALSE;
      set_string (target, field->offset, text);
      return TRUE;

    case KIND_CSP_EXCEPTIONS:
      return check_csp_exceptions (ctx, value, target, error);

    case KIND_CAPABILITIES:
      {
        json_t **slot = G_STRUCT_MEMBER_P (target, field->offset);
        if (!json_is_array (value))
          return fail_type (ctx, error, value, "an array of capabilities");
        json_decref (*slot);
        *slot = json_incref (value);
        return TRUE;
      }

    case KIND_LABEL:
      if (text == NULL)
        return fail_type (ctx, error, value, "a label string such as \"main\"");
      if ((problem = label_problem (text)) != NULL)
        {
          g_autofree char *got = describe (value);
          return fail (ctx, error, FALSE,
                       "expected a label of ASCII letters, digits, '-', '/', ':' and '_', got "
                       "%s: %s",
                       got, problem);
        }
      set_string (target, field->offset, text);
      return TRUE;

    case KIND_PAGE_URL:
      if (text == NULL)
        return fail_type (ctx, error, value,
                          "a page of the app such as \"index.html\", or an http:// or https:// URL");
      if ((problem = page_url_problem (text)) != NULL)
        {
          g_autofree char *got = describe (value);
          return fail (ctx, error, FALSE,
                       "expected a page of the app such as \"index.html\", or an absolute "
                       "http:// or https:// URL, got %s: %s",
                       got, problem);
        }
      set_string (target, field->offset, text);
      return TRUE;

    case KIND_SIZE:
      return check_dimension (ctx, value, G_STRUCT_MEMBER_P (target, field->offset), error);

    case KIND_SIZE_LIMIT:
      if (json_is_null (value))
        return TRUE;
      return check_dimension (ctx, value, G_STRUCT_MEMBER_P (target, field->offset), error);

    case KIND_INTEGER:
      {
        double number = json_is_number (value) ? json_number_value (value) : -1;
        gboolean in_range = json_is_number (value)
                            && ((number >= field->min && number <= field->max)
                                || (field->zero_allowed && number == 0));
        /* The cast only once the range is known: casting a real beyond
         * gint64 (3e48, say) is undefined. */
        if (in_range && (json_is_integer (value) || number == (double) (gint64) number))
          {
            G_STRUCT_MEMBER (int, target, field->offset) = (int) number;
            return TRUE;
          }
        g_autofree char *got = describe (value);
        return fail (ctx, error, FALSE, "expected a whole number of %s from %" G_GINT64_FORMAT
                     " to %" G_GINT64_FORMAT "%s, got %s",
                     field->unit, field->min, field->max,
                     field->zero_allowed ? " (or 0 to turn it off)" : "", got);
      }

    case KIND_COORDINATE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];
        if (json_is_null (value))
          return TRUE;
        if (!json_is_number (value) || ABS (json_number_value (value)) > KEEL_WINDOW_DIMENSION_MAX)
          {
            g_autofree char *got = describe (value);
            const char *max = number_text (KEEL_WINDOW_DIMENSION_MAX, buffer);
            return fail (ctx, error, FALSE, "expected a number from -%s to %s, got %s", max, max,
                         got);
          }
        G_STRUCT_MEMBER (double, target, field->offset) = json_number_value (value);
        return TRUE;
      }
    }

  g_return_val_if_reached (FALSE);
}

static gboolean
strv_contains (const char *const *strv, const char *text)
{
  for (; *strv != NULL; strv++)
    {
      if (strcmp (*strv, text) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Walks an object's members in document order, so the first problem in the
 * file is the one reported. */
static gboolean
validate_members (Context *ctx, json_t *object, const Section *section, gpointer target,
                  GError **error)
{
  const char *key;
  json_t *value;

  json_object_foreach (object, key, value)
    {
      const Field *field = section->fields;
      while (field->name != NULL && strcmp (field->name, key) != 0)
        field++;

      push_key (ctx, key);
      if (field->name != NULL)
        {
          if (!validate_value (ctx, field, value, target, error))
            return FALSE;
        }
      else if (strv_contains (section->tauri_only, key))
        warn_ignored (ctx);
      else
        return fail_unknown_key (ctx, section, key, error);
      pop (ctx);
    }
  return TRUE;
}

/* ---- Windows ---- */

static KeelWindowConfig *
window_config_new (const char *title)
{
  KeelWindowConfig *window = g_new0 (KeelWindowConfig, 1);
  window->label = g_strdup ("main");
  window->url = g_strdup ("index.html");
  window->title = g_strdup (title);
  window->width = 800;
  window->height = 600;
  window->resizable = TRUE;
  window->visible = TRUE;
  window->decorations = TRUE;
  window->focus = TRUE;
  window->create = TRUE;
  return window;
}

static gboolean
has_value (json_t *object, const char *key)
{
  json_t *value = json_object_get (object, key);
  return value != NULL && !json_is_null (value);
}

static gboolean
check_limits (Context *ctx, const char *min_key, double min, const char *max_key, double max,
              GError **error)
{
  char min_buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char max_buffer[G_ASCII_DTOSTR_BUF_SIZE];
  if (min <= 0 || max <= 0 || min <= max)
    return TRUE;

  push_key (ctx, min_key);
  return fail (ctx, error, FALSE, "%s (%s) is larger than %s (%s); lower %s or raise %s", min_key,
               number_text (min, min_buffer), max_key, number_text (max, max_buffer), min_key,
               max_key);
}

/* The one window validator: the path in ctx says where `object` is. */
static KeelWindowConfig *
window_from_json (Context *ctx, json_t *object, GError **error)
{
  if (!json_is_object (object))
    {
      fail_type (ctx, error, object, "a window object such as {\"label\": \"main\"}");
      return NULL;
    }

  g_autoptr (KeelWindowConfig) window = window_config_new (STATE (ctx)->default_title);
  if (!validate_members (ctx, object, &window_section, window, error))
    return NULL;

  gboolean has_x = has_value (object, "x");
  gboolean has_y = has_value (object, "y");
  if (has_x != has_y)
    {
      push_key (ctx, has_x ? "x" : "y");
      fail (ctx, error, FALSE, "a position needs both x and y; add \"%s\" or remove \"%s\"",
            has_x ? "y" : "x", has_x ? "x" : "y");
      return NULL;
    }
  window->has_position = has_x;

  if (!check_limits (ctx, "minWidth", window->min_width, "maxWidth", window->max_width, error)
      || !check_limits (ctx, "minHeight", window->min_height, "maxHeight", window->max_height,
                        error))
    return NULL;

  return g_steal_pointer (&window);
}

static gboolean
check_windows (Context *ctx, json_t *value, KeelConfig *config, GError **error)
{
  if (!json_is_array (value))
    return fail_type (ctx, error, value, "an array of window objects");

  g_autofree char *array_path = render_path (ctx);
  /* Label → 1 + index of the window that has it; the labels belong to the
   * windows in config->windows. */
  g_autoptr (GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);
  gsize i;
  json_t *element;
  json_array_foreach (value, i, element)
    {
      push_index (ctx, i);
      KeelWindowConfig *window = window_from_json (ctx, element, error);
      if (window == NULL)
        return FALSE;
      g_ptr_array_add (config->windows, window);

      /* Checked here rather than after the loop so that problems are still
       * reported in document order. */
      gsize earlier = GPOINTER_TO_SIZE (g_hash_table_lookup (labels, window->label));
      if (earlier != 0)
        {
          g_autofree char *quoted = quote (window->label);
          push_key (ctx, "label");
          return fail (ctx, error, FALSE,
                       "the label %s is already used by %s[%" G_GSIZE_FORMAT "]; give each "
                       "window its own label",
                       quoted, array_path, earlier - 1);
        }
      g_hash_table_insert (labels, window->label, GSIZE_TO_POINTER (i + 1));
      pop (ctx);
    }
  return TRUE;
}

KeelWindowConfig *
keel__window_config_from_json (json_t *object, const char *where, const char *default_title,
                               GError **error)
{
  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  WalkState state = { .default_title = default_title != NULL ? default_title : "Keel" };
  Context ctx;
  context_init (&ctx, KEEL_ERROR_INVALID, &state);
  ctx.where = where;

  KeelWindowConfig *window = window_from_json (&ctx, object, error);
  context_clear (&ctx);
  return window;
}

KeelWindowConfig *
keel__window_config_copy (const KeelWindowConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  KeelWindowConfig *copy = g_memdup2 (config, sizeof *config);
  copy->label = g_strdup (config->label);
  copy->url = g_strdup (config->url);
  copy->title = g_strdup (config->title);
  return copy;
}

void
keel__window_config_free (KeelWindowConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->label);
  g_free (config->url);
  g_free (config->title);
  g_free (config);
}

/* ---- The whole file ---- */

static KeelConfig *
config_new (const char *source_name, const char *base_dir)
{
  KeelConfig *config = g_new0 (KeelConfig, 1);
  config->source_name = g_strdup (source_name);
  config->text = g_strdup ("");
  config->base_dir = g_strdup (base_dir);
  config->windows = g_ptr_array_new_with_free_func ((GDestroyNotify) keel__window_config_free);
  config->csp_modification_disabled = g_new0 (char *, 1);
  config->warnings = g_ptr_array_new_with_free_func (g_free);
  config->hang_timeout_ms = KEEL_DEFAULT_HANG_TIMEOUT_MS;
  config->crash_loop_max_restarts = KEEL_DEFAULT_CRASH_LOOP_MAX_RESTARTS;
  config->crash_loop_period_s = KEEL_DEFAULT_CRASH_LOOP_PERIOD_S;
  config->sandbox = TRUE;
  config->max_message_size = KEEL_MESSAGE_DEFAULT_MAX_SIZE;
  return config;
}

void
keel__config_free (KeelConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->source_name);
  g_free (config->text);
  g_free (config->base_dir);
  g_free (config->product_name);
  g_free (config->version);
  g_free (config->identifier);
  g_free (config->frontend_dist);
  g_free (config->dev_url);
  g_ptr_array_unref (config->windows);
  g_free (config->csp);
  g_strfreev (config->csp_modification_disabled);
  json_decref (config->capabilities);
  g_ptr_array_unref (config->warnings);
  g_free (config);
}

static gboolean
validate_config (Context *ctx, json_t *root, KeelConfig *config, GError **error)
{
  if (!json_is_object (root))
    return fail_type (ctx, error, root,
                      "the top level to be an object such as {\"identifier\": "
                      "\"com.example.myapp\", ...}");

  /* Windows take their default title from productName, wherever it is. */
  json_t *product_name = json_object_get (root, "productName");
  STATE (ctx)->default_title = json_is_string (product_name) ? json_string_value (product_name) : "Keel";

  if (!validate_members (ctx, root, &top_section, config, error))
    return FALSE;

  if (config->identifier == NULL)
    {
      push_key (ctx, "identifier");
      return fail (ctx, error, FALSE,
                   "missing; add the app's reverse-domain identifier, such as "
                   "\"identifier\": \"com.example.myapp\"");
    }
  if (config->frontend_dist == NULL && config->dev_url == NULL)
    {
      push_key (ctx, "build");
      return fail (ctx, error, FALSE,
                   "neither build.frontendDist nor build.devUrl is set; set frontendDist to the "
                   "directory of the web assets (relative to this file), or devUrl to a "
                   "development server's URL");
    }
  return TRUE;
}

KeelConfig *
keel__config_parse (const char *text, gsize length, const char *source_name,
                    const char *base_dir, GError **error)
{
  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (source_name == NULL)
    source_name = "keel.json";
  if (text == NULL)
    text = "";

  json_t *root = keel__json_check_load (text, length, source_name, KEEL_CONFIG_MAX_SIZE, "1 MiB",
                                        "keel.json", KEEL_ERROR_CONFIG, error);
  if (root == NULL)
    return NULL;

  g_autoptr (KeelConfig) config = config_new (source_name, base_dir);
  g_free (config->text);
  config->text = g_malloc (length + 1);
  memcpy (config->text, text, length);
  config->text[length] = '\0';
  config->text_length = length;
  WalkState state = { .warnings = config->warnings };
  Context ctx;
  context_init (&ctx, KEEL_ERROR_CONFIG, &state);
  ctx.text = text;
  ctx.length = length;
  ctx.source_name = source_name;

  gboolean valid = validate_config (&ctx, root, config, error);
  if (state.dropped > 0)
    g_ptr_array_add (config->warnings,
                     g_strdup_printf ("%s: %" G_GSIZE_FORMAT " more keys not implemented by Keel "
                                      "were ignored",
                                      source_name, state.dropped));
  context_clear (&ctx);
  json_decref (root);
  if (!valid)
    return NULL;
  return g_steal_pointer (&config);
}

KeelConfig *
keel__config_load_file (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *file = g_file_test (path, G_FILE_TEST_IS_DIR)
                              ? g_build_filename (path, "keel.json", NULL)
                              : g_strdup (path);
  g_autofree char *display_name = g_filename_display_name (file);

  /* The size is checked before reading so that a wrong path (a disk image,
   * say) is refused without being read into memory. */
  GStatBuf info;
  if (g_stat (file, &info) != 0)
    {
      int saved_errno = errno;
      if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        g_set_error (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND,
                     "%s: no such file; create it (see docs/configuration.md) or give the path "
                     "of an existing keel.json or of the directory that holds it",
                     display_name);
      else
        g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED, "%s: cannot read it: %s", display_name,
                     g_strerror (saved_errno));
      return NULL;
    }
  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_CONFIG,
                   "%s: not a regular file; give the path of a keel.json or of its directory",
                   display_name);
      return NULL;
    }
  if (info.st_size > (goffset) KEEL_CONFIG_MAX_SIZE)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_TOO_LARGE,
                   "%s: %" G_GOFFSET_FORMAT " bytes is more than the %" G_GSIZE_FORMAT " bytes "
                   "(1 MiB) a keel.json may have; is this the right file?",
                   display_name, (goffset) info.st_size, KEEL_CONFIG_MAX_SIZE);
      return NULL;
    }

  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) read_error = NULL;
  if (!g_file_get_contents (file, &contents, &length, &read_error))
    {
      g_set_error (error, KEEL_ERROR,
                   g_error_matches (read_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                       ? KEEL_ERROR_NOT_FOUND
                       : KEEL_ERROR_FAILED,
                   "%s: cannot read it: %s", display_name, read_error->message);
      return NULL;
    }

  g_autofree char *directory = g_path_get_dirname (file);
  g_autofree char *base_dir = g_canonicalize_filename (directory, NULL);
  return keel__config_parse (contents, length, display_name, base_dir, error);
}
