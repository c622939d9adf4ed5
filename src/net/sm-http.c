/* sm-http.c — HTTP for every network: one base-URL rule, one error mapping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-http"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-error.h"
#include "sm-http.h"

#define SM_HTTP_USER_AGENT      "So-me-Studio/0.1"
#define SM_HTTP_TIMEOUT_S       60
#define SM_HTTP_MAX_RETRY_AFTER (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

/* The sandbox base from the environment, without a trailing slash, or NULL
 * when the variable is unset or empty.  A value that is not an http(s) URL
 * with a host is an error rather than silently ignored: falling back to the
 * real networks from a test or a demo would be the worst outcome. */
static char *
get_network_base (GError **error)
{
  const char *env = g_getenv (SM_NETWORK_BASE_ENV);
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *query = NULL;
  gsize len;

  if (env == NULL || *env == '\0')
    return NULL;

  if (!g_uri_split (env, G_URI_FLAGS_ENCODED, &scheme, NULL, &host, NULL,
                    NULL, &query, NULL, NULL)
      || scheme == NULL
      || (g_ascii_strcasecmp (scheme, "http") != 0
          && g_ascii_strcasecmp (scheme, "https") != 0)
      || host == NULL || *host == '\0' || query != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s must be an http:// or https:// URL such as http://127.0.0.1:8080"),
                   SM_NETWORK_BASE_ENV);
      return NULL;
    }

  len = strlen (env);
  while (len > 0 && env[len - 1] == '/')
    len--;

  return g_strndup (env, len);
}

/* TRUE when @url starts with "@base/", i.e. is already resolved. */
static gboolean
is_under_base (const char *url,
               const char *base)
{
  gsize len = strlen (base);

  return strncmp (url, base, len) == 0 && url[len] == '/';
}

char *
sm_http_resolve_url (const char  *https_url,
                     GError     **error)
{
  g_autofree char *base = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (https_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  base = get_network_base (&local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* A URL the sandbox handed back (an upload session, a next page) and
   * that nobody unresolved is already where it has to go. */
  if (base != NULL && is_under_base (https_url, base))
    return g_strdup (https_url);

  if (!g_uri_split (https_url, G_URI_FLAGS_ENCODED, &scheme, NULL, &host,
                    NULL, NULL, NULL, NULL, NULL)
      || scheme == NULL || g_ascii_strcasecmp (scheme, "https") != 0
      || host == NULL || *host == '\0')
    {
      /* Never echo the URL: it may carry a token in its query. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Refusing to send a request to an address that is not https://"));
      return NULL;
    }

  if (base == NULL)
    return g_strdup (https_url);

  /* https://HOST/PATH → BASE/HOST/PATH: the scheme and "//" go, the rest
   * (host, port, path, query) is kept byte for byte. */
  return g_strconcat (base, "/", https_url + strlen ("https://"), NULL);
}

char *
sm_http_unresolve_url (const char *url)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  base = get_network_base (NULL);
  if (base == NULL || !is_under_base (url, base))
    return g_strdup (url);

  return g_strconcat ("https://", url + strlen (base) + 1, NULL);
}

SoupSession *
sm_http_session_new (void)
{
  return soup_session_new_with_options ("timeout", SM_HTTP_TIMEOUT_S,
                                        "idle-timeout", SM_HTTP_TIMEOUT_S,
                                        "user-agent", SM_HTTP_USER_AGENT,
                                        NULL);
}

SoupMessage *
sm_http_message_new (const char  *method,
                     const char  *https_url,
                     GError     **error)
{
  g_autofree char *url = NULL;
  SoupMessage *msg;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (https_url != NULL, NULL);

  url = sm_http_resolve_url (https_url, error);
  if (url == NULL)
    return NULL;

  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Refusing to send a request to a malformed address"));
      return NULL;
    }

  /* A redirect would bypass the https-only rule of sm_http_resolve_url():
   * no network API we call redirects, so none is followed. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  return msg;
}

void
sm_http_set_bearer (SoupMessage *msg,
                    const char  *token)
{
  g_autofree char *value = NULL;

  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (token != NULL);

  value = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", value);
}

void
sm_http_set_json_body (SoupMessage *msg,
                       JsonNode    *node)
{
  g_autoptr(GBytes) bytes = NULL;
  char *data;

  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (node != NULL);

  data = json_to_string (node, FALSE);
  bytes = g_bytes_new_take (data, strlen (data));
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
}

void
sm_http_set_form_body (SoupMessage *msg,
                       ...)
{
  g_autoptr(GString) form = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  const char *key;
  va_list args;

  g_return_if_fail (SOUP_IS_MESSAGE (msg));

  va_start (args, msg);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);
      g_autofree char *k = NULL;
      g_autofree char *v = NULL;

      /* A NULL value leaves the pair out, for optional parameters. */
      if (value == NULL)
        continue;

      k = g_uri_escape_string (key, NULL, FALSE);
      v = g_uri_escape_string (value, NULL, FALSE);
      if (form->len > 0)
        g_string_append_c (form, '&');
      g_string_append_printf (form, "%s=%s", k, v);
    }
  va_end (args);

  /* Kept with the message, so that error messages can be scrubbed of the
   * secrets it carried (sm_http_get_form_body). */
  g_object_set_data_full (G_OBJECT (msg), "sm-form-body", g_strdup (form->str), g_free);
  bytes = g_string_free_to_bytes (g_steal_pointer (&form));
  soup_message_set_request_body_from_bytes (msg,
                                            "application/x-www-form-urlencoded",
                                            bytes);
}

static void
wrote_body_cb (SoupMessage *msg,
               gpointer     user_data)
{
  gboolean *wrote_body = user_data;

  *wrote_body = TRUE;
}

GBytes *
sm_http_send (SoupSession   *session,
              SoupMessage   *msg,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *real_url = NULL;
  g_autofree char *host = NULL;
  GUri *uri;
  GBytes *body;
  gboolean wrote_body = FALSE;
  gulong handler;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The path says what is being done; the query may carry tokens, codes
   * or secrets, so it is never logged, and neither are headers or bodies. */
  uri = soup_message_get_uri (msg);
  {
    g_autofree char *resolved = g_uri_to_string_partial (uri, G_URI_HIDE_QUERY
                                                              | G_URI_HIDE_FRAGMENT
                                                              | G_URI_HIDE_USERINFO
                                                              | G_URI_HIDE_PASSWORD
                                                              | G_URI_HIDE_AUTH_PARAMS);
    real_url = sm_http_unresolve_url (resolved);
  }
  g_debug ("%s %s", soup_message_get_method (msg), real_url);

  handler = g_signal_connect (msg, "wrote-body", G_CALLBACK (wrote_body_cb), &wrote_body);
  body = soup_session_send_and_read (session, msg, cancellable, &local_error);
  g_signal_handler_disconnect (msg, handler);

  if (body != NULL)
    {
      g_debug ("%s %s -> %u", soup_message_get_method (msg), real_url,
               soup_message_get_status (msg));
      return body;
    }

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_debug ("%s %s failed %s sending: %s", soup_message_get_method (msg), real_url,
           wrote_body ? "after" : "before", local_error->message);

  {
    GUri *real = g_uri_parse (real_url, G_URI_FLAGS_ENCODED, NULL);

    host = g_strdup (real != NULL && g_uri_get_host (real) != NULL
                     ? g_uri_get_host (real) : g_uri_get_host (uri));
    g_clear_pointer (&real, g_uri_unref);
  }

  if (wrote_body)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                 _("The connection to %s was lost after the request was sent (%s). "
                   "It may have taken effect; this is checked before anything is sent again."),
                 host, local_error->message);
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                 _("Could not reach %s (%s). Check the internet connection; "
                   "it will be tried again."),
                 host, local_error->message);

  return NULL;
}

JsonNode *
sm_http_parse_json (GBytes  *body,
                    GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  gconstpointer data;
  gsize size = 0;

  data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  if (data == NULL || size == 0)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           _("The answer was empty where data was expected"));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, error))
    return NULL;

  return json_parser_steal_root (parser);
}

gint64
sm_http_retry_after_us (SoupMessageHeaders *headers,
                        gint64              now_us)
{
  g_autofree char *value = NULL;
  const char *header;
  gint64 delay;

  g_return_val_if_fail (headers != NULL, -1);

  header = soup_message_headers_get_one (headers, "Retry-After");
  if (header == NULL)
    return -1;

  value = g_strstrip (g_strdup (header));
  if (*value == '\0')
    return -1;

  if (g_ascii_isdigit (*value))
    {
      g_autoptr(GError) local_error = NULL;
      guint64 seconds;

      if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &seconds, &local_error))
        {
          /* All digits but too many of them is "a very long time". */
          if (g_error_matches (local_error, G_NUMBER_PARSER_ERROR,
                               G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
            return SM_HTTP_MAX_RETRY_AFTER;
          return -1;
        }
      if (seconds > (guint64) (SM_HTTP_MAX_RETRY_AFTER / G_USEC_PER_SEC))
        return SM_HTTP_MAX_RETRY_AFTER;
      delay = (gint64) seconds * G_USEC_PER_SEC;
    }
  else
    {
      g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);

      if (when == NULL)
        return -1;
      delay = g_date_time_to_unix (when) * G_USEC_PER_SEC - now_us;
    }

  return CLAMP (delay, 0, SM_HTTP_MAX_RETRY_AFTER);
}

JsonNode *
sm_json_get_node (JsonNode   *root,
                  const char *path)
{
  g_auto(GStrv) segments = NULL;
  JsonNode *node = root;

  if (root == NULL)
    return NULL;
  if (path == NULL || *path == '\0')
    return root;

  segments = g_strsplit (path, ".", -1);
  for (guint i = 0; node != NULL && segments[i] != NULL; i++)
    {
      const char *segment = segments[i];

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);

          node = json_object_has_member (object, segment)
                 ? json_object_get_member (object, segment)
                 : NULL;
        }
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint64 index;

          if (g_ascii_string_to_unsigned (segment, 10, 0, G_MAXUINT, &index, NULL)
              && index < json_array_get_length (array))
            node = json_array_get_element (array, (guint) index);
          else
            node = NULL;
        }
      else
        node = NULL;
    }

  return node;
}

const char *
sm_json_get_string (JsonNode   *root,
                    const char *path)
{
  JsonNode *node = sm_json_get_node (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gint64
sm_json_get_int (JsonNode   *root,
                 const char *path)
{
  JsonNode *node = sm_json_get_node (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  /* Numbers only: an id sent as a string stays a string (Meta sends large
   * ids as strings precisely so that nobody rounds them). */
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (d >= (double) G_MININT64 && d <= (double) G_MAXINT64)
        return (gint64) d;
    }

  return 0;
}

const char *
sm_http_get_form_body (SoupMessage *msg)
{
  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), NULL);
  return g_object_get_data (G_OBJECT (msg), "sm-form-body");
}
