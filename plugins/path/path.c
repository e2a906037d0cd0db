/* plugin:path — resolve_directory with Tauri's BaseDirectory numbers,
 * answered from the XDG base and user directories. */
#include "plugins.h"

/* @tauri-apps/api/path's BaseDirectory enum. */
enum
{
  DIR_AUDIO = 1, DIR_CACHE, DIR_CONFIG, DIR_DATA, DIR_LOCAL_DATA, DIR_DOCUMENT, DIR_DOWNLOAD,
  DIR_PICTURE, DIR_PUBLIC, DIR_VIDEO, DIR_RESOURCE, DIR_TEMP, DIR_APP_CONFIG, DIR_APP_DATA,
  DIR_APP_LOCAL_DATA, DIR_APP_CACHE, DIR_APP_LOG, DIR_DESKTOP, DIR_EXECUTABLE, DIR_FONT,
  DIR_HOME, DIR_RUNTIME, DIR_TEMPLATE,
};

static char *
special_dir (GUserDirectory which)
{
  const char *dir = g_get_user_special_dir (which);
  return dir != NULL ? g_strdup (dir) : NULL;
}

/* NULL when the directory does not exist on this system. */
static char *
resolve (KeelApp *app, gint64 directory)
{
  const char *id = keel_app_get_identifier (app);
  switch (directory)
    {
    case DIR_AUDIO: return special_dir (G_USER_DIRECTORY_MUSIC);
    case DIR_CACHE: return g_strdup (g_get_user_cache_dir ());
    case DIR_CONFIG: return g_strdup (g_get_user_config_dir ());
    case DIR_DATA:
    case DIR_LOCAL_DATA: return g_strdup (g_get_user_data_dir ());
    case DIR_DOCUMENT: return special_dir (G_USER_DIRECTORY_DOCUMENTS);
    case DIR_DOWNLOAD: return special_dir (G_USER_DIRECTORY_DOWNLOAD);
    case DIR_PICTURE: return special_dir (G_USER_DIRECTORY_PICTURES);
    case DIR_PUBLIC: return special_dir (G_USER_DIRECTORY_PUBLIC_SHARE);
    case DIR_VIDEO: return special_dir (G_USER_DIRECTORY_VIDEOS);
    case DIR_DESKTOP: return special_dir (G_USER_DIRECTORY_DESKTOP);
    case DIR_TEMPLATE: return special_dir (G_USER_DIRECTORY_TEMPLATES);
    case DIR_RESOURCE:
      {
        g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
        return exe != NULL ? g_path_get_dirname (exe) : NULL;
      }
    case DIR_TEMP: return g_strdup (g_get_tmp_dir ());
    case DIR_APP_CONFIG: return g_build_filename (g_get_user_config_dir (), id, NULL);
    case DIR_APP_DATA:
    case DIR_APP_LOCAL_DATA: return g_strdup (keel_app_get_data_dir (app));
    case DIR_APP_CACHE: return g_build_filename (g_get_user_cache_dir (), id, NULL);
    case DIR_APP_LOG: return g_build_filename (keel_app_get_data_dir (app), "logs", NULL);
    case DIR_EXECUTABLE:
      {
        const char *bin = g_getenv ("XDG_BIN_HOME");
        return bin != NULL && g_path_is_absolute (bin)
                 ? g_strdup (bin)
                 : g_build_filename (g_get_home_dir (), ".local", "bin", NULL);
      }
    case DIR_FONT: return g_build_filename (g_get_user_data_dir (), "fonts", NULL);
    case DIR_HOME: return g_strdup (g_get_home_dir ());
    case DIR_RUNTIME:
      {
        /* Not g_get_user_runtime_dir(): it falls back to the cache dir. */
        const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
        return runtime != NULL && g_path_is_absolute (runtime) ? g_strdup (runtime) : NULL;
      }
    default: return NULL;
    }
}

static void
resolve_directory_command (KeelInvoke *invoke, gpointer data)
{
  gint64 directory;
  if (!keel_invoke_arg_int (invoke, "directory", &directory))
    return;
  if (directory < DIR_AUDIO || directory > DIR_TEMPLATE)
    {
      keel_invoke_reject (invoke, "invalid_args",
                          "plugin:path|resolve_directory: unknown directory %" G_GINT64_FORMAT
                          "; use a BaseDirectory value from @tauri-apps/api/path (1 to %d)",
                          directory, DIR_TEMPLATE);
      return;
    }
  g_autofree char *path = resolve (keel_invoke_get_app (invoke), directory);
  if (path == NULL)
    {
      keel_invoke_reject (invoke, "not_found",
                          "plugin:path|resolve_directory: directory %" G_GINT64_FORMAT
                          " is not defined on this system (its XDG variable or user-dirs entry "
                          "is unset)",
                          directory);
      return;
    }
  keel_invoke_resolve (invoke, json_string (path));
}

void
keel__plugin_path_register (KeelApp *app)
{
  keel_app_register_command (app, "plugin:path|resolve_directory", resolve_directory_command,
                             NULL, NULL);
}
