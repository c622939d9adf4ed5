/* sm-s3.c — the user's S3-compatible bucket, as a media host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-s3"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/random.h>

#include "sm-error.h"
#include "sm-http.h"
#include "sm-s3.h"
#include "sm-sigv4.h"

/* What a presigned URL may live at most; S3 refuses longer. */
#define SM_S3_MAX_LIFETIME SM_SIGV4_MAX_EXPIRES

/* ---- configuration ------------------------------------------------------ */

SmS3Config *
sm_s3_config_new (const char     *endpoint,
                  const char     *region,
                  const char     *bucket,
                  const char     *access_key_id,
                  const char     *secret_access_key,
                  SmS3Addressing  addressing)
{
  SmS3Config *config = g_new0 (SmS3Config, 1);
  gsize len;

  config->endpoint = g_strdup (endpoint != NULL ? endpoint : "");
  /* "https://host/" and "https://host" are the same endpoint. */
  len = strlen (config->endpoint);
  while (len > strlen ("https://") && config->endpoint[len - 1] == '/')
    config->endpoint[--len] = '\0';
  config->region = g_strdup (region != NULL ? region : "");
  config->bucket = g_strdup (bucket != NULL ? bucket : "");
  config->access_key_id = g_strdup (access_key_id != NULL ? access_key_id : "");
  config->secret_access_key = g_strdup (secret_access_key != NULL ? secret_access_key : "");
  config->addressing = addressing;
  return config;
}

SmS3Config *
sm_s3_config_copy (const SmS3Config *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  return sm_s3_config_new (config->endpoint, config->region, config->bucket,
                           config->access_key_id, config->secret_access_key,
                           config->addressing);
}

void
sm_s3_config_free (SmS3Config *config)
{
  if (config == NULL)
    return;

  if (config->secret_access_key != NULL)
    memset (config->secret_access_key, 0, strlen (config->secret_access_key));
  g_free (config->endpoint);
  g_free (config->region);
  g_free (config->bucket);
  g_free (config->access_key_id);
  g_free (config->secret_access_key);
  g_free (config);
}

static gboolean
bucket_name_ok (const char *name)
{
  gsize len = strlen (name);

  /* S3's rules: 3-63 characters, lower-case letters, digits, dots and
   * hyphens, beginning and ending with a letter or digit. */
  if (len < 3 || len > 63)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '.' || *p == '-'))
      return FALSE;
  return g_ascii_isalnum (name[0]) && g_ascii_isalnum (name[len - 1]);
}

gboolean
sm_s3_config_validate (const SmS3Config  *config,
                       GError           **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;

  g_return_val_if_fail (config != NULL, FALSE);

  if (!g_uri_split (config->endpoint, G_URI_FLAGS_ENCODED, &scheme, NULL, &host, NULL,
                    &path, &query, NULL, NULL)
      || scheme == NULL || g_ascii_strcasecmp (scheme, "https") != 0
      || host == NULL || *host == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The endpoint must be an https:// address, such as https://s3.eu-west-1.amazonaws.com"));
      return FALSE;
    }
  if ((path != NULL && *path != '\0' && strcmp (path, "/") != 0) || query != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The endpoint is the storage service’s address only, without a path: the bucket is given separately"));
      return FALSE;
    }
  if (*config->region == '\0' || strpbrk (config->region, "/ \t\n") != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The region is missing or not a region name (such as eu-west-1; “us-east-1” for most self-hosted stores)"));
      return FALSE;
    }
  if (!bucket_name_ok (config->bucket))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A bucket name has 3 to 63 lower-case letters, digits, dots or hyphens, and begins and ends with a letter or digit"));
      return FALSE;
    }
  if (*config->access_key_id == '\0' || strpbrk (config->access_key_id, "/ \t\n") != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The access key id is missing or has spaces or slashes in it"));
      return FALSE;
    }
  if (*config->secret_access_key == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The secret access key is missing"));
      return FALSE;
    }
  return TRUE;
}

/* The endpoint's host, lower-case, without the port. */
static char *
endpoint_host (const SmS3Config *config)
{
  g_autofree char *host = NULL;

  if (!g_uri_split (config->endpoint, G_URI_FLAGS_ENCODED, NULL, NULL, &host, NULL,
                    NULL, NULL, NULL, NULL) || host == NULL)
    return g_strdup ("");
  return g_ascii_strdown (host, -1);
}

SmS3Addressing
sm_s3_config_get_addressing (const SmS3Config *config)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (config != NULL, SM_S3_ADDRESSING_PATH);

  if (config->addressing != SM_S3_ADDRESSING_AUTO)
    return config->addressing;

  host = endpoint_host (config);
  if ((strcmp (host, "s3.amazonaws.com") == 0 ||
       (g_str_has_prefix (host, "s3.") && g_str_has_suffix (host, ".amazonaws.com"))) &&
      strchr (config->bucket, '.') == NULL)
    return SM_S3_ADDRESSING_VIRTUAL;
  return SM_S3_ADDRESSING_PATH;
}

const char *
sm_s3_addressing_to_string (SmS3Addressing addressing)
{
  switch (addressing)
    {
    case SM_S3_ADDRESSING_PATH:
      return "path-style";
    case SM_S3_ADDRESSING_VIRTUAL:
      return "virtual-hosted";
    case SM_S3_ADDRESSING_AUTO:
    default:
      return "automatic";
    }
}

char *
sm_s3_object_url (const SmS3Config *config,
                  const char       *key)
{
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (config != NULL && key != NULL, NULL);

  encoded = sm_sigv4_uri_encode (key, TRUE);
  if (sm_s3_config_get_addressing (config) == SM_S3_ADDRESSING_VIRTUAL)
    {
      /* https://host → https://bucket.host */
      const char *rest = config->endpoint + strlen ("https://");

      return g_strdup_printf ("https://%s.%s/%s", config->bucket, rest, encoded);
    }
  return g_strdup_printf ("%s/%s/%s", config->endpoint, config->bucket, encoded);
}

static void
config_credentials (const SmS3Config   *config,
                    SmSigV4Credentials *creds)
{
  creds->access_key_id = config->access_key_id;
  creds->secret_access_key = config->secret_access_key;
  creds->region = config->region;
  creds->service = "s3";
}

char *
sm_s3_presign_get (const SmS3Config  *config,
                   const char        *key,
                   guint              lifetime_s,
                   gint64             unix_time,
                   GError           **error)
{
  SmSigV4Credentials creds;
  g_autofree char *url = NULL;

  g_return_val_if_fail (config != NULL && key != NULL, NULL);

  config_credentials (config, &creds);
  url = sm_s3_object_url (config, key);
  return sm_sigv4_presign (&creds, "GET", url, lifetime_s, unix_time, error);
}

char *
sm_s3_new_key (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  GString *key = g_string_new (SM_S3_KEY_PREFIX);
  guint8 random[16];
  gsize got = 0;

  while (got < sizeof random)
    {
      gssize r = getrandom (random + got, sizeof random - got, 0);

      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom failed: %s", g_strerror (errno));
        }
      got += (gsize) r;
    }
  for (gsize i = 0; i < sizeof random; i++)
    g_string_append_printf (key, "%02x", random[i]);
  g_string_append_c (key, '/');
  /* A name that would not survive as one segment becomes "file". */
  if (*base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0 ||
      strcmp (base, "/") == 0 || !g_utf8_validate (base, -1, NULL))
    g_string_append (key, "file");
  else
    g_string_append (key, base);
  return g_string_free (key, FALSE);
}

/* ---- errors -------------------------------------------------------------- */

typedef struct
{
  GString    *text;
  const char *element;
  char       *code;
  char       *message;
} ErrorParse;

static void
error_start (GMarkupParseContext  *context,
             const char           *element,
             const char          **names,
             const char          **values,
             gpointer              user_data,
             GError              **error)
{
  ErrorParse *parse = user_data;

  g_string_truncate (parse->text, 0);
  parse->element = g_markup_parse_context_get_element (context);
}

static void
error_end (GMarkupParseContext  *context,
           const char           *element,
           gpointer              user_data,
           GError              **error)
{
  ErrorParse *parse = user_data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  const char *parent = stack != NULL && stack->next != NULL ? stack->next->data : NULL;

  if (g_strcmp0 (parent, "Error") != 0)
    return;
  if (strcmp (element, "Code") == 0 && parse->code == NULL)
    parse->code = g_strdup (parse->text->str);
  else if (strcmp (element, "Message") == 0 && parse->message == NULL)
    parse->message = g_strdup (parse->text->str);
}

static void
error_text (GMarkupParseContext  *context,
            const char           *text,
            gsize                 len,
            gpointer              user_data,
            GError              **error)
{
  ErrorParse *parse = user_data;

  g_string_append_len (parse->text, text, len);
}

/* <Error><Code>…</Code><Message>…</Message>…</Error> → code, message. */
static void
parse_error_body (GBytes  *body,
                  char   **code,
                  char   **message)
{
  static const GMarkupParser parser = { error_start, error_end, error_text, NULL, NULL };
  ErrorParse parse = { g_string_new (NULL), NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;

  if (data != NULL && len > 0)
    {
      /* GMarkup does not take the XML declaration. */
      const char *start = data;
      const char *end = data + len;

      if (len > 5 && strncmp (data, "<?xml", 5) == 0)
        {
          const char *close = g_strstr_len (data, len, "?>");

          start = close != NULL ? close + 2 : end;
        }
      context = g_markup_parse_context_new (&parser, G_MARKUP_IGNORE_QUALIFIED, &parse, NULL);
      g_markup_parse_context_parse (context, start, end - start, NULL);
    }

  g_string_free (parse.text, TRUE);
  *code = parse.code;
  *message = parse.message;
}

/* Maps a non-2xx answer of the store to SM_PLATFORM_ERROR. */
static void
set_store_error (const SmS3Config  *config,
                 SoupMessage       *msg,
                 GBytes            *body,
                 GError           **error)
{
  guint status = soup_message_get_status (msg);
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *host = endpoint_host (config);
  g_autofree char *reason = NULL;

  parse_error_body (body, &code, &message);
  if (code == NULL)
    code = g_strdup_printf ("HTTP %u", status);
  reason = message != NULL && *message != '\0' ? g_strdup_printf ("%s: %s", code, message)
                                               : g_strdup (code);

  if (strcmp (code, "SignatureDoesNotMatch") == 0)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                 _("The storage service at %s did not accept the signature of the request (%s). "
                   "The secret access key is probably wrong: enter it again with “so-me bucket set”."),
                 host, reason);
  else if (strcmp (code, "InvalidAccessKeyId") == 0)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                 _("The storage service at %s does not know the access key id “%s” (%s). "
                   "Check it, or set the bucket up again with “so-me bucket set”."),
                 host, config->access_key_id, reason);
  else if (strcmp (code, "AccessDenied") == 0 || strcmp (code, "AllAccessDisabled") == 0)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                 _("The bucket “%s” refused access (%s). The access key must be allowed to put, "
                   "get and delete objects in it; fix its policy, or use another key with "
                   "“so-me bucket set”."),
                 config->bucket, reason);
  else if (strcmp (code, "NoSuchBucket") == 0)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                 _("There is no bucket “%s” at %s (%s). Check the bucket name and endpoint "
                   "with “so-me bucket set”."),
                 config->bucket, host, reason);
  else if (strcmp (code, "RequestTimeTooSkewed") == 0)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                 _("The storage service refused the request because this computer’s clock is more "
                   "than 15 minutes off (%s). Set the date and time to be set automatically, then "
                   "try again."),
                 reason);
  else if (strcmp (code, "AuthorizationHeaderMalformed") == 0 ||
           strcmp (code, "AuthorizationQueryParametersError") == 0 ||
           strcmp (code, "PermanentRedirect") == 0 || strcmp (code, "IllegalLocationConstraintException") == 0 ||
           status == SOUP_STATUS_MOVED_PERMANENTLY || status == SOUP_STATUS_TEMPORARY_REDIRECT)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                 _("The bucket “%s” is not in region “%s” or not at %s (%s). Set the bucket’s own "
                   "region and endpoint with “so-me bucket set”."),
                 config->bucket, config->region, host, reason);
  else if (strcmp (code, "SlowDown") == 0 || status >= 500)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                 _("The storage service at %s is busy or failing (%s). It will be tried again."),
                 host, reason);
  else if (strcmp (code, "EntityTooLarge") == 0)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("The file is too large for the bucket “%s” to take in one piece (%s)."),
                 config->bucket, reason);
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("The storage service at %s refused the request (%s)."),
                 host, reason);
}

/* ---- requests ------------------------------------------------------------ */

static SoupMessage *
signed_message (const SmS3Config  *config,
                const char        *method,
                const char        *key,
                const char        *payload_sha256,
                GInputStream      *body,
                goffset            body_length,
                const char        *content_type,
                GError           **error)
{
  SmSigV4Credentials creds;
  g_autofree char *url = sm_s3_object_url (config, key);
  g_autoptr(SoupMessage) msg = NULL;

  msg = sm_http_message_new (method, url, error);
  if (msg == NULL)
    return NULL;

  if (body != NULL)
    {
      soup_message_set_request_body (msg, content_type, body, (gssize) body_length);
      /* A refusal (a wrong key, a missing bucket) comes before the body is
       * sent, not after a video has gone up for nothing. */
      soup_message_headers_set_expectations (soup_message_get_request_headers (msg),
                                             SOUP_EXPECTATION_CONTINUE);
    }

  config_credentials (config, &creds);
  if (!sm_sigv4_sign_message (&creds, msg, url, payload_sha256, g_get_real_time () / G_USEC_PER_SEC,
                              error))
    return NULL;
  return g_steal_pointer (&msg);
}

/* Sends and checks; on a lost connection after the body was written, the
 * object may exist: a new key will be used next time, so the outcome is
 * only a retry, after a best-effort delete of what may be there. */
static gboolean
send_put (const SmS3Config  *config,
          SoupSession       *session,
          SoupMessage       *msg,
          const char        *key,
          GCancellable      *cancellable,
          GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  body = sm_http_send (session, msg, cancellable, &local_error);
  if (body == NULL)
    {
      if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN))
        {
          g_autofree char *host = endpoint_host (config);

          sm_s3_delete (config, session, key, cancellable, NULL);
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("The connection to %s was lost while the file was being put in the "
                         "bucket; it will be tried again."), host);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_NO_CONTENT && status != SOUP_STATUS_CREATED)
    {
      set_store_error (config, msg, body, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sm_s3_put_file (const SmS3Config  *config,
                SoupSession       *session,
                const char        *key,
                const char        *path,
                const char        *content_type,
                GCancellable      *cancellable,
                GError           **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (config != NULL && SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (key != NULL && path != NULL, FALSE);

  file = g_file_new_for_path (path);
  stream = g_file_read (file, cancellable, &local_error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable,
                                           &local_error);
  if (info == NULL)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("Could not read the file to put in the bucket: %s"), local_error->message);
      return FALSE;
    }

  /* Streamed from disk as libsoup writes it; S3 takes an unsigned payload
   * over https, and the Content-Length is the file's. */
  msg = signed_message (config, "PUT", key, SM_SIGV4_UNSIGNED_PAYLOAD, G_INPUT_STREAM (stream),
                        g_file_info_get_size (info),
                        content_type != NULL ? content_type : "application/octet-stream",
                        error);
  if (msg == NULL)
    return FALSE;
  return send_put (config, session, msg, key, cancellable, error);
}

/* A small body sent as put() sends files: unsigned payload, streamed. */
static gboolean
put_bytes_unsigned (const SmS3Config  *config,
                    SoupSession       *session,
                    const char        *key,
                    GBytes            *bytes,
                    const char        *content_type,
                    GCancellable      *cancellable,
                    GError           **error)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(SoupMessage) msg = NULL;

  msg = signed_message (config, "PUT", key, SM_SIGV4_UNSIGNED_PAYLOAD, stream,
                        g_bytes_get_size (bytes), content_type, error);
  if (msg == NULL)
    return FALSE;
  return send_put (config, session, msg, key, cancellable, error);
}

gboolean
sm_s3_put_bytes (const SmS3Config  *config,
                 SoupSession       *session,
                 const char        *key,
                 GBytes            *bytes,
                 const char        *content_type,
                 GCancellable      *cancellable,
                 GError           **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *sha256 = NULL;

  g_return_val_if_fail (config != NULL && SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (key != NULL && bytes != NULL, FALSE);

  /* Small bodies are signed with their hash, so the store checks them. */
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  msg = signed_message (config, "PUT", key, sha256, stream, g_bytes_get_size (bytes),
                        content_type != NULL ? content_type : "application/octet-stream",
                        error);
  if (msg == NULL)
    return FALSE;
  return send_put (config, session, msg, key, cancellable, error);
}

gboolean
sm_s3_delete (const SmS3Config  *config,
              SoupSession       *session,
              const char        *key,
              GCancellable      *cancellable,
              GError           **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  g_return_val_if_fail (config != NULL && SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  msg = signed_message (config, "DELETE", key, SM_SIGV4_EMPTY_SHA256, NULL, 0, NULL, error);
  if (msg == NULL)
    return FALSE;
  body = sm_http_send (session, msg, cancellable, error);
  if (body == NULL)
    return FALSE;

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_NO_CONTENT || status == SOUP_STATUS_OK)
    return TRUE;
  if (status == SOUP_STATUS_NOT_FOUND)
    {
      g_autofree char *code = NULL;
      g_autofree char *message = NULL;

      /* Gone already is what was wanted; a missing bucket is not. */
      parse_error_body (body, &code, &message);
      if (g_strcmp0 (code, "NoSuchBucket") != 0)
        return TRUE;
    }
  set_store_error (config, msg, body, error);
  return FALSE;
}

GBytes *
sm_s3_fetch_presigned (const SmS3Config  *config,
                       SoupSession       *session,
                       const char        *url,
                       GCancellable      *cancellable,
                       GError           **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (config != NULL && SOUP_IS_SESSION (session) && url != NULL, NULL);

  msg = sm_http_message_new ("GET", url, error);
  if (msg == NULL)
    return NULL;
  body = sm_http_send (session, msg, cancellable, error);
  if (body == NULL)
    return NULL;
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      set_store_error (config, msg, body, error);
      return NULL;
    }
  return g_steal_pointer (&body);
}

gboolean
sm_s3_check (const SmS3Config  *config,
             SoupSession       *session,
             GCancellable      *cancellable,
             GError           **error)
{
  g_autofree char *key = sm_s3_new_key ("check.txt");
  g_autofree char *text = g_strdup_printf ("So-me Studio bucket check %s\n", key);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GBytes) fetched = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (config != NULL && SOUP_IS_SESSION (session), FALSE);

  if (!sm_s3_config_validate (config, error))
    return FALSE;
  /* Put the way files are put (unsigned payload), so that a store that
   * would refuse that is found out now. */
  if (!put_bytes_unsigned (config, session, key, bytes, "text/plain", cancellable, error))
    return FALSE;

  url = sm_s3_presign_get (config, key, 300, g_get_real_time () / G_USEC_PER_SEC, &local_error);
  if (url != NULL)
    fetched = sm_s3_fetch_presigned (config, session, url, cancellable, &local_error);
  if (fetched != NULL && !g_bytes_equal (fetched, bytes))
    g_set_error (&local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("The bucket gave back something else than what was put in it"));

  /* Clean up even when the fetch failed. */
  if (!sm_s3_delete (config, session, key, cancellable, local_error == NULL ? error : NULL) &&
      local_error == NULL)
    return FALSE;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* ---- the media host ------------------------------------------------------ */

static char *
media_host_put (SmMediaHost   *host,
                SoupSession   *session,
                const char    *path,
                const char    *content_type,
                guint          lifetime_s,
                char         **out_key,
                GCancellable  *cancellable,
                GError       **error)
{
  SmS3Config *config = host->data;
  g_autofree char *key = sm_s3_new_key (path);
  g_autoptr(GError) local_error = NULL;
  char *url;

  if (!sm_s3_put_file (config, session, key, path, content_type, cancellable, error))
    return NULL;

  url = sm_s3_presign_get (config, key, CLAMP (lifetime_s, 1, SM_S3_MAX_LIFETIME),
                           g_get_real_time () / G_USEC_PER_SEC, &local_error);
  if (url == NULL)
    {
      sm_s3_delete (config, session, key, cancellable, NULL);
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                   _("Could not make an address for the file in the bucket: %s"),
                   local_error->message);
      return NULL;
    }

  g_debug ("put a file in bucket %s", config->bucket);
  if (out_key != NULL)
    *out_key = g_steal_pointer (&key);
  return url;
}

static gboolean
media_host_remove (SmMediaHost   *host,
                   SoupSession   *session,
                   const char    *key,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return sm_s3_delete (host->data, session, key, cancellable, error);
}

SmMediaHost *
sm_s3_media_host_new (const SmS3Config *config)
{
  SmMediaHost *host;

  g_return_val_if_fail (config != NULL, NULL);

  host = g_new0 (SmMediaHost, 1);
  host->data = sm_s3_config_copy (config);
  host->put = media_host_put;
  host->remove = media_host_remove;
  return host;
}

void
sm_s3_media_host_free (SmMediaHost *host)
{
  if (host == NULL)
    return;

  sm_s3_config_free (host->data);
  g_free (host);
}
