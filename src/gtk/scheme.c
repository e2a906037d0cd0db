/* scheme.c — serves the frontend over keel://localhost/.
 *
 * Files come from build.frontendDist on disk, opened beneath its directory
 * so that no path, encoding or symlink reaches outside it, or from the app's
 * embedded GResource tree. HTML responses carry the configured CSP. */
#include <errno.h>
#include <gio/gunixinputstream.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assets.h"
#include "shell.h"

void
keel__scheme_respond (WebKitURISchemeRequest *request, guint status, GInputStream *body,
                      gint64 length, const char *content_type, const char *const *headers)
{
  g_autoptr (WebKitURISchemeResponse) response = webkit_uri_scheme_response_new (body, length);
  webkit_uri_scheme_response_set_status (response, status, soup_status_get_phrase (status));
  webkit_uri_scheme_response_set_content_type (response, content_type);
  SoupMessageHeaders *all = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  /* Also in the headers: WebKit forgets set_content_type() once headers are
   * set, and with nosniff a script without its type is refused. */
  soup_message_headers_append (all, "Content-Type", content_type);
  for (const char *const *header = headers; header != NULL && header[0] != NULL; header += 2)
    {
      if (header[1] != NULL)
        soup_message_headers_append (all, header[0], header[1]);
    }
  webkit_uri_scheme_response_set_http_headers (response, all);
  webkit_uri_scheme_request_finish_with_response (request, response);
}

static void
respond (WebKitURISchemeRequest *request, guint status, GInputStream *body, gint64 length,
         const char *content_type, const char *csp)
{
  const char *headers[] = { "X-Content-Type-Options", "nosniff", "Cache-Control", "no-cache",
                            "Content-Security-Policy", csp, NULL };
  keel__scheme_respond (request, status, body, length, content_type, headers);
}

static void
respond_error (WebKitURISchemeRequest *request, guint status, const char *message)
{
  g_autoptr (GBytes) bytes = g_bytes_new (message, strlen (message));
  g_autoptr (GInputStream) body = g_memory_input_stream_new_from_bytes (bytes);
  respond (request, status, body, (gint64) strlen (message), "text/plain; charset=utf-8", NULL);
}

static GInputStream *
open_on_disk (KeelApp *app, const char *rel_path, gint64 *length, GError **error)
{
  int fd = keel__asset_open_beneath (app->dist_fd, rel_path, error);
  if (fd < 0)
    return NULL;
  struct stat st;
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_FAILED, "cannot read %s: %s", rel_path,
                   g_strerror (saved));
      return NULL;
    }
  *length = st.st_size;
  return g_unix_input_stream_new (fd, TRUE);
}

static GInputStream *
open_embedded (KeelApp *app, const char *rel_path, gint64 *length, GError **error)
{
  g_autofree char *path
    = g_build_path ("/", app->resource_dir, app->config->frontend_dist, rel_path, NULL);
  g_autoptr (GBytes) bytes
    = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL)
    {
      g_set_error (error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND, "no such file: %s", rel_path);
      return NULL;
    }
  *length = (gint64) g_bytes_get_size (bytes);
  return g_memory_input_stream_new_from_bytes (bytes);
}

void
keel__scheme_handle (WebKitURISchemeRequest *request, gpointer data)
{
  KeelApp *app = data;
  const char *uri = webkit_uri_scheme_request_get_uri (request);
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL || g_strcmp0 (g_uri_get_host (parsed), "localhost") != 0)
    {
      respond_error (request, 404, "Keel serves the app's files at keel://localhost/ only");
      return;
    }

  g_autoptr (GError) error = NULL;
  g_autofree char *rel_path = keel__asset_normalize_path (g_uri_get_path (parsed), &error);
  g_autoptr (GInputStream) body = NULL;
  gint64 length = 0;
  if (rel_path != NULL)
    {
      if (app->resource_dir != NULL && app->config->frontend_dist != NULL)
        body = open_embedded (app, rel_path, &length, &error);
      else if (app->dist_fd >= 0)
        body = open_on_disk (app, rel_path, &length, &error);
      else
        g_set_error (&error, KEEL_ERROR, KEEL_ERROR_NOT_FOUND,
                     "this app has no build.frontendDist to serve files from");
    }

  if (body == NULL)
    {
      if (g_error_matches (error, KEEL_ERROR, KEEL_ERROR_FORBIDDEN))
        respond_error (request, 403, error->message);
      else if (g_error_matches (error, KEEL_ERROR, KEEL_ERROR_INVALID))
        respond_error (request, 400, error->message);
      else
        respond_error (request, 404, error->message);
      return;
    }

  respond (request, 200, body, length, keel__asset_content_type (rel_path),
           keel__asset_is_html (rel_path) ? app->csp : NULL);
}
