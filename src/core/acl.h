/* acl.h — capabilities and permissions: which page may call which command.
 *
 * Tauri v2's model, as data:
 *
 * - A permission manifest (one JSON file per plugin, plus the app's own)
 *   names commands and groups them. Every command gets two permissions
 *   without being written down: `allow-<name>` and `deny-<name>` (underscores
 *   become hyphens), prefixed by its plugin: `core:window:allow-set-title`
 *   for "plugin:window|set_title", `store:allow-get` for "plugin:store|get",
 *   bare `allow-greet` for the app's own "greet". A manifest adds a `default`
 *   set, named sets, and permissions that carry scopes.
 * - A capability grants permissions to windows (label globs) or web views,
 *   for pages on the app's own origin (`local`, true by default) and/or pages
 *   whose URL a `remote.urls` pattern matches.
 * - A call is allowed when a capability that applies to the caller grants a
 *   permission allowing the command and none denies it: deny wins. A caller
 *   no capability applies to may call nothing.
 *
 * Building: add manifests and capabilities in any order, then finalize with
 * the registered commands; only then can calls be checked. Every problem is
 * reported with the file, line and column (json-check.h).
 *
 * A finalized ACL is read-only except for its resolution cache, which is
 * guarded: calls may be checked from any thread. */
#pragma once

#include <glib.h>
#include <jansson.h>

/* Manifests and capability files are a few kilobytes. */
#define KEEL_ACL_MAX_FILE_SIZE ((gsize) 1024 * 1024)

typedef struct _KeelAcl KeelAcl;

/* Who is calling, as the shell established it (never as the page claims). */
typedef struct
{
  const char *window_label;
  const char *webview_label;
  const char *url;          /* the calling document's URL */
  gboolean local;           /* that URL is on the app's own origin (or devUrl) */
} KeelAclCaller;

KeelAcl *keel__acl_new (void);
void keel__acl_free (KeelAcl *acl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeelAcl, keel__acl_free)

/**
 * keel__acl_add_manifest:
 * @text: a permission manifest:
 *   {"plugin": "core:window", "description": "...",
 *    "commands": ["set_title", ...],
 *    "default": {"description": "...", "permissions": ["allow-set-title", ...]},
 *    "permissions": [{"identifier": "...", "description": "...",
 *                     "commands": {"allow": [...], "deny": [...]},
 *                     "scope": {"allow": [...], "deny": [...]}}],
 *    "sets": [{"identifier": "...", "description": "...", "permissions": [...]}]}
 *   Without "plugin" the manifest is the app's own (identifiers unprefixed).
 *   A name without ':' in a set refers to the same manifest.
 * @source_name: what messages call the text.
 *
 * Returns: FALSE with @error (KEEL_ERROR_CONFIG) naming the place of the
 *   first problem; a plugin given twice is an error.
 */
gboolean keel__acl_add_manifest (KeelAcl *acl, const char *text, gsize length,
                                 const char *source_name, GError **error);

/**
 * keel__acl_add_capability_file:
 * @text: a file of capabilities/: one capability object, an array of them,
 *   or {"capabilities": [...]}.
 *
 * Capability files are all in force unless keel.json's
 * app.security.capabilities lists some (keel__acl_set_config_capabilities()).
 */
gboolean keel__acl_add_capability_file (KeelAcl *acl, const char *text, gsize length,
                                        const char *source_name, GError **error);

/**
 * keel__acl_set_config_capabilities:
 * @capabilities: (nullable): app.security.capabilities as parsed: an array
 *   of capability objects (inline) and strings (identifiers of capabilities
 *   from files). When it is non-empty, only what it lists is in force.
 * @config_text: the keel.json text, for locating problems.
 */
gboolean keel__acl_set_config_capabilities (KeelAcl *acl, json_t *capabilities,
                                            const char *config_text, gsize length,
                                            const char *source_name, GError **error);

/**
 * keel__acl_choose_capabilities:
 *
 * Decides which capabilities are in force (all files, or what keel.json
 * lists) once every capability source is added; an identifier keel.json
 * lists that no file defines is an error. Afterwards no capability may be
 * added, and keel__acl_remote_url_patterns() answers. keel__acl_finalize()
 * calls it when nobody did.
 */
gboolean keel__acl_choose_capabilities (KeelAcl *acl, GError **error);

/**
 * keel__acl_finalize:
 * @commands: the registered command names.
 * @warnings: (nullable): receives char* warnings (capabilities that apply to
 *   no platform of Keel, say); NULL logs them.
 *
 * Generates the allow-/deny- permissions of every command, resolves sets and
 * checks that every permission a capability or set names exists.
 */
gboolean keel__acl_finalize (KeelAcl *acl, const char *const *commands, guint n_commands,
                             GPtrArray *warnings, GError **error);

/**
 * keel__acl_check:
 * @scope_allow: (out) (optional) (transfer full): on success, the allow
 *   scopes that apply to this call (an array, maybe empty).
 * @scope_deny: (out) (optional) (transfer full): likewise, the deny scopes.
 * @error: on refusal, KEEL_ERROR_FORBIDDEN with a message naming the
 *   command, the caller and the permission(s) that would allow it.
 *
 * A command that no permission mentions at all (not registered when the ACL
 * was finalized, so no allow-/deny- pair exists) is refused with
 * KEEL_ERROR_NOT_FOUND, so that the router can answer "unknown command"
 * when it has no handler either; such a call never runs.
 */
gboolean keel__acl_check (KeelAcl *acl, const KeelAclCaller *caller, const char *command,
                          json_t **scope_allow, json_t **scope_deny, GError **error);

/* Every remote.urls pattern of the capabilities in force (borrowed strings),
 * for the navigation rules; valid once the capabilities are chosen. */
GPtrArray *keel__acl_remote_url_patterns (KeelAcl *acl);

/**
 * keel__acl_describe:
 *
 * The audit view of one caller: the capabilities that apply, then each
 * command it may call with the permissions that allow it and the scopes
 * that apply, and each command denied explicitly. Plain text, one line per
 * command, sorted.
 */
char *keel__acl_describe (KeelAcl *acl, const KeelAclCaller *caller);

/**
 * keel__acl_check_invoke:
 * @acl: a finalized ACL (the user data of the router's permission slot).
 *
 * The router's permission check (a #KeelPermissionCheck): checks the
 * invoke's command for its caller and stores the scopes that apply in the
 * invoke, for keel_invoke_get_scope_allow().
 */
typedef struct _KeelInvoke KeelInvoke;
gboolean keel__acl_check_invoke (KeelInvoke *invoke, GError **error, gpointer acl);
