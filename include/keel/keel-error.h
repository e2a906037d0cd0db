/* keel-error.h — the error domain of libkeel. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#ifndef KEEL_API
#define KEEL_API __attribute__ ((visibility ("default")))
#endif

/**
 * KEEL_ERROR:
 *
 * The #GQuark of errors that libkeel reports through #GError. The message of
 * such an error says what was wrong, where, and how to fix it.
 */
#define KEEL_ERROR (keel_error_quark ())

/**
 * KeelError:
 * @KEEL_ERROR_CONFIG: `keel.json` (or another config file) is invalid.
 * @KEEL_ERROR_INVALID: a value passed by the app or a page is malformed.
 * @KEEL_ERROR_NOT_FOUND: a named thing (file, window, command) does not exist.
 * @KEEL_ERROR_FORBIDDEN: a request reaches for something it may not have.
 * @KEEL_ERROR_TOO_LARGE: input exceeds a configured size limit.
 * @KEEL_ERROR_ENVIRONMENT: the system lacks something Keel needs (a display, a package).
 * @KEEL_ERROR_FAILED: any other failure.
 *
 * Codes of the #KEEL_ERROR domain.
 */
typedef enum
{
  KEEL_ERROR_CONFIG,
  KEEL_ERROR_INVALID,
  KEEL_ERROR_NOT_FOUND,
  KEEL_ERROR_FORBIDDEN,
  KEEL_ERROR_TOO_LARGE,
  KEEL_ERROR_ENVIRONMENT,
  KEEL_ERROR_FAILED,
} KeelError;

/**
 * keel_error_quark:
 *
 * Returns: the quark behind #KEEL_ERROR. Callable from any thread.
 */
KEEL_API GQuark keel_error_quark (void);

/**
 * keel_quote_for_message:
 * @text: a NUL-terminated string, possibly from a page or a file (any bytes).
 *
 * @text made safe and short for an error message or a log line: in double
 * quotes, with quotes, backslashes and control characters escaped as in JSON,
 * bytes that are not UTF-8 replaced with U+FFFD, and cut after about 60 bytes
 * (on a character boundary) with "…" after the closing quote. The core quotes
 * every name it did not choose this way; a plugin's messages should too.
 *
 * Returns: (transfer full): the quoted text; free it with g_free().
 */
KEEL_API char *keel_quote_for_message (const char *text);

G_END_DECLS
