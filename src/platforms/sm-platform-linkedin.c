/* sm-platform-linkedin.c — LinkedIn (Community Management / Posts API): one
 * login yields the member and each organization they administer, all
 * sharing the member's tokens.  Posts carry text, images (one, or 2-20 as
 * multiImage), a document or a video; files go up through the Images,
 * Documents and Videos APIs, streamed from disk, and the post is made once
 * LinkedIn has processed them.
 *
 * See ../shared/docs/platform-apis.md, section 6.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-linkedin"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-platforms-private.h"
#include "sm-store.h"
#include "sm-upload.h"

#define LI_NAME          "LinkedIn"
#define LI_OAUTH         "https://www.linkedin.com/oauth/v2"
#define LI_API           "https://api.linkedin.com"
/* Each version lives about a year before LinkedIn sunsets it (6.2). */
#define LI_VERSION       "202601"
#define LI_ORG_URN       "urn:li:organization:"
#define LI_PERSON_URN    "urn:li:person:"
#define LI_REVOKED_CODE  65601
#define CLOCK_SLACK_US   (60 * G_USEC_PER_SEC)

struct _SmPlatformLinkedin
{
  GObject parent_instance;
};

static void sm_platform_linkedin_iface_init (SmPlatformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformLinkedin, sm_platform_linkedin, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_linkedin_iface_init))

static const SmOAuthSpec linkedin_oauth_spec = {
  .authorize_url = LI_OAUTH "/authorization",
  .scopes = "openid profile w_member_social r_organization_social "
            "w_organization_social rw_organization_admin",
  .pkce = TRUE,   /* ignored where LinkedIn has not enabled it; verified where it has */
  .needs_secret = TRUE,
  .client_id_param = "client_id",
  .extra_params = NULL,
};

/* Commentary is "little text" (6.3): these characters are markup unless
 * escaped, and an unescaped one can make LinkedIn reject or mangle a post. */
static char *
escape_little_text (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 16);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (strchr ("\\|{}@[]()<>#*_~", *p) != NULL)
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static SoupMessage *
li_message_new (const char  *method,
                const char  *url,
                const char  *token,
                GError     **error)
{
  SoupMessage *msg = sm_http_message_new (method, url, error);

  if (msg == NULL)
    return NULL;

  sm_http_set_bearer (msg, token);
  /* Every /rest call names the API version and the Rest.li protocol. */
  if (g_str_has_prefix (url, LI_API "/rest/"))
    {
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

      soup_message_headers_replace (headers, "LinkedIn-Version", LI_VERSION);
      soup_message_headers_replace (headers, "X-Restli-Protocol-Version", "2.0.0");
    }

  return msg;
}

/* µs to the next midnight UTC, when LinkedIn's daily limits reset (6.7). */
static gint64
until_midnight_utc_us (gint64 now_us)
{
  return G_TIME_SPAN_DAY - now_us % G_TIME_SPAN_DAY;
}

/* LinkedIn's error envelope (6.7): {"status","serviceErrorCode","code",
 * "message"}, serviceErrorCode and code only where LinkedIn has them. */
static void
li_set_error (GError          **error,
              SoupMessage      *msg,
              JsonNode         *root,
              SmCallKind        kind,
              SmPublishResult  *result)
{
  const char *text = sm_json_get_string (root, "message");
  const char *code = sm_json_get_string (root, "code");
  gint64 service_code = sm_json_get_int (root, "serviceErrorCode");
  g_autofree char *message = NULL;

  if (text != NULL && code != NULL && service_code != 0)
    message = g_strdup_printf ("%s (%s, serviceErrorCode %" G_GINT64_FORMAT ")", text, code, service_code);
  else if (text != NULL && service_code != 0)
    message = g_strdup_printf ("%s (serviceErrorCode %" G_GINT64_FORMAT ")", text, service_code);
  else if (text != NULL && code != NULL && strstr (text, code) == NULL)
    message = g_strdup_printf ("%s (%s)", text, code);
  else
    message = g_strdup (text);

  if (soup_message_get_status (msg) == SM_HTTP_STATUS_TOO_MANY_REQUESTS)
    {
      /* No rate-limit headers are documented; without Retry-After, the
       * daily limits reset at midnight UTC (6.7). */
      gint64 now = g_get_real_time ();
      gint64 retry = sm_http_retry_after_us (soup_message_get_response_headers (msg), now);

      _sm_platform_set_rate_limited (error, LI_NAME, retry >= 0 ? retry : until_midnight_utc_us (now),
                                     result);
      return;
    }

  if (soup_message_get_status (msg) == SOUP_STATUS_UNAUTHORIZED
      && kind != SM_CALL_TOKEN && kind != SM_CALL_REFRESH)
    {
      /* 65601 is revoked; 65600 (invalid) and 65602 are reported for
       * expired tokens by different sources (6.7), so those try a refresh. */
      if (sm_json_get_int (root, "serviceErrorCode") == LI_REVOKED_CODE
          || g_strcmp0 (sm_json_get_string (root, "code"), "REVOKED_ACCESS_TOKEN") == 0)
        _sm_platform_set_auth_error (error, LI_NAME, msg, SM_PLATFORM_ERROR_REVOKED, message);
      else
        _sm_platform_set_auth_error (error, LI_NAME, msg, SM_PLATFORM_ERROR_AUTH_EXPIRED, message);
      return;
    }

  _sm_platform_set_status_error (error, LI_NAME, msg, kind, message, result);
}

/* Sends an API call; *@root may be NULL on success (201 has no body). */
static gboolean
li_call (SoupSession      *session,
         SoupMessage      *msg,
         SmCallKind        kind,
         SmPublishResult  *result,
         JsonNode        **root,
         GCancellable     *cancellable,
         GError          **error)
{
  if (!_sm_platform_send (session, msg, kind, cancellable, root, error))
    return FALSE;

  if (!_sm_platform_status_ok (msg))
    {
      li_set_error (error, msg, *root, kind, result);
      g_clear_pointer (root, json_node_unref);
      return FALSE;
    }

  return TRUE;
}

static JsonNode *
li_get (SoupSession   *session,
        const char    *url,
        const char    *token,
        GCancellable  *cancellable,
        GError       **error)
{
  g_autoptr(SoupMessage) msg = li_message_new ("GET", url, token, error);
  g_autoptr(JsonNode) root = NULL;

  if (msg == NULL)
    return NULL;

  if (!li_call (session, msg, SM_CALL_READ, NULL, &root, cancellable, error))
    return NULL;

  if (root == NULL)
    _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_READ);

  return g_steal_pointer (&root);
}

static SmTokens *
li_token_call (SoupSession   *session,
               SoupMessage   *msg,
               SmCallKind     kind,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  SmTokens *tokens;

  if (!_sm_platform_send (session, msg, kind, cancellable, &root, error))
    return NULL;

  if (!_sm_platform_status_ok (msg))
    {
      _sm_platform_set_oauth_error (error, LI_NAME, msg, root, kind);
      return NULL;
    }

  tokens = _sm_platform_tokens_from_json (root);
  if (tokens == NULL)
    _sm_platform_set_bad_answer (error, LI_NAME, kind);

  return tokens;
}

static char *
li_permalink (const char *urn)
{
  return g_strdup_printf ("https://www.linkedin.com/feed/update/%s", urn);
}

/* The organizations the member administers, appended to @accounts.  An app
 * without access to the organization APIs still connects the member. */
static gboolean
add_organizations (GPtrArray       *accounts,
                   SoupSession     *session,
                   const SmTokens  *tokens,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) acls = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *elements;

  acls = li_get (session,
                 LI_API "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
                 tokens->access_token, cancellable, &local_error);
  if (acls == NULL)
    {
      if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED))
        {
          g_debug ("No organizations: %s", local_error->message);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  elements = sm_json_get_node (acls, "elements");
  if (elements == NULL || !JSON_NODE_HOLDS_ARRAY (elements))
    return TRUE;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (elements)); i++)
    {
      JsonNode *acl = json_array_get_element (json_node_get_array (elements), i);
      const char *urn = sm_json_get_string (acl, "organization");
      g_autofree char *id = NULL;
      g_autofree char *url = NULL;
      g_autoptr(JsonNode) org = NULL;

      /* Older versions call it organizationalTarget. */
      if (urn == NULL)
        urn = sm_json_get_string (acl, "organizationalTarget");
      if (urn == NULL || !g_str_has_prefix (urn, LI_ORG_URN)
          || g_hash_table_contains (seen, urn))
        continue;
      g_hash_table_add (seen, (gpointer) urn);

      id = _sm_platform_escape (urn + strlen (LI_ORG_URN));
      url = g_strdup_printf (LI_API "/rest/organizations/%s", id);
      org = li_get (session, url, tokens->access_token, cancellable, error);
      if (org == NULL)
        return FALSE;

      g_ptr_array_add (accounts,
                       _sm_platform_account_new (SM_NETWORK_LINKEDIN, urn,
                                                 sm_json_get_string (org, "localizedName"),
                                                 sm_json_get_string (org, "vanityName"),
                                                 tokens));
    }

  return TRUE;
}

static SmNetwork
sm_platform_linkedin_get_network (SmPlatform *platform)
{
  return SM_NETWORK_LINKEDIN;
}

static const SmOAuthSpec *
sm_platform_linkedin_get_oauth_spec (SmPlatform *platform)
{
  return &linkedin_oauth_spec;
}

static const char *
sm_platform_linkedin_get_builtin_client_id (SmPlatform *platform)
{
  return SM_LINKEDIN_CLIENT_ID;
}

static GPtrArray *
sm_platform_linkedin_exchange_code (SmPlatform                *platform,
                                    SoupSession               *session,
                                    const SmClientCredentials *creds,
                                    const char                *code,
                                    const char                *redirect_uri,
                                    const char                *code_verifier,
                                    GCancellable              *cancellable,
                                    GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(JsonNode) me = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *person = NULL;
  const char *sub;

  msg = sm_http_message_new ("POST", LI_OAUTH "/accessToken", error);
  if (msg == NULL)
    return NULL;
  sm_http_set_form_body (msg,
                         "grant_type", "authorization_code",
                         "code", code,
                         "redirect_uri", redirect_uri,
                         "client_id", creds->client_id,
                         "client_secret", creds->client_secret,
                         "code_verifier", code_verifier,
                         NULL);

  tokens = li_token_call (session, msg, SM_CALL_TOKEN, cancellable, error);
  if (tokens == NULL)
    return NULL;

  me = li_get (session, LI_API "/v2/userinfo", tokens->access_token, cancellable, error);
  if (me == NULL)
    return NULL;

  sub = sm_json_get_string (me, "sub");
  if (sub == NULL)
    {
      _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_READ);
      return NULL;
    }
  person = g_strconcat (LI_PERSON_URN, sub, NULL);

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_info_free);
  g_ptr_array_add (accounts,
                   _sm_platform_account_new (SM_NETWORK_LINKEDIN, person,
                                             sm_json_get_string (me, "name"),
                                             NULL, tokens));

  if (!add_organizations (accounts, session, tokens, cancellable, error))
    return NULL;

  return g_steal_pointer (&accounts);
}

static SmTokens *
sm_platform_linkedin_refresh (SmPlatform                *platform,
                              SoupSession               *session,
                              const SmClientCredentials *creds,
                              const SmTokens            *old,
                              GCancellable              *cancellable,
                              GError                   **error)
{
  /* Refresh tokens are only for LinkedIn's approved partners (6.1); other
   * apps sign in again every 60 days. */
  return _sm_platform_refresh_grant (session, LI_OAUTH "/accessToken", creds, TRUE, old, li_token_call,
                                     _("The LinkedIn sign-in has expired and LinkedIn does not renew it "
                                       "for this app. Reconnect the account."),
                                     cancellable, error);
}

/* ---- files (6.4 images and documents, 6.5 videos) ----------------------- */

/* How long a publish waits for LinkedIn to process a file before it leaves
 * it to the next attempt (the file stays uploaded). */
#define LI_PROCESSING_WAIT_US  (10 * 60 * G_USEC_PER_SEC)
#define LI_POLL_FIRST_US       (G_USEC_PER_SEC / 2)
#define LI_POLL_MAX_US         (10 * G_USEC_PER_SEC)
/* Member tokens may not read images (6.4, from Postiz): wait this instead. */
#define LI_IMAGE_GRACE_US      (5 * G_USEC_PER_SEC)
/* Upload URLs this close to their expiry are not worth starting on. */
#define LI_EXPIRY_MARGIN_US    (60 * G_USEC_PER_SEC)
/* Tries of one PUT after lost connections and 5xx. */
#define LI_PUT_TRIES           5
#define LI_BACKOFF_MAX_US      (30 * G_USEC_PER_SEC)
/* A 429 asking for longer than this ends the attempt: the outbox waits. */
#define LI_MAX_INLINE_WAIT_US  (60 * G_USEC_PER_SEC)
/* multiImage (6.3): 2 to 20 images. */
#define LI_MAX_IMAGES          20

typedef enum
{
  LI_FILE_IMAGE,
  LI_FILE_DOCUMENT,
  LI_FILE_VIDEO,
} LiFileKind;

static const char * const li_collections[] = {
  [LI_FILE_IMAGE] = "images",
  [LI_FILE_DOCUMENT] = "documents",
  [LI_FILE_VIDEO] = "videos",
};

static LiFileKind
file_kind (const SmPostMedia *media)
{
  if (g_str_has_prefix (media->mime_type, "image/"))
    return LI_FILE_IMAGE;
  if (g_str_has_prefix (media->mime_type, "video/"))
    return LI_FILE_VIDEO;
  return LI_FILE_DOCUMENT;
}

/* Progress over every file of the post. */
typedef struct
{
  const SmUploadHooks *hooks;
  guint64              done;    /* bytes of the files before this one */
  guint64              total;
  guint64              sent;    /* of the current PUT */
  guint64              base;    /* of the current file before the current PUT */
} LiProgress;

static void
progress_report (LiProgress *progress)
{
  if (progress->hooks != NULL && progress->hooks->progress != NULL)
    progress->hooks->progress (progress->hooks->data,
                               MIN (progress->done + progress->base + progress->sent, progress->total),
                               progress->total);
}

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        chunk_size,
                    gpointer     user_data)
{
  LiProgress *progress = user_data;

  progress->sent += chunk_size;
  progress_report (progress);
}

/* Exponential, with jitter so that many uploads do not come back at once. */
static gint64
backoff_us (guint failures)
{
  gint64 delay = G_USEC_PER_SEC << MIN (failures - 1, 10u);

  delay = MIN (delay, LI_BACKOFF_MAX_US);
  return delay + g_random_int_range (0, (gint32) (delay / 2) + 1);
}

typedef enum
{
  PUT_OK,
  PUT_RETRY,      /* lost, 5xx, 408, a short 429: send the same bytes again */
  PUT_EXPIRED,    /* the URL no longer takes bytes: initialize again */
  PUT_FAILED,     /* the error says why */
} PutOutcome;

/* One PUT of @length bytes of @file from @first to an upload URL. */
static PutOutcome
put_once (SoupSession   *session,
          const char    *url,
          GInputStream  *file,
          goffset        first,
          goffset        length,
          const char    *content_type,
          const char    *token,
          LiProgress    *progress,
          char         **etag_out,
          gint64        *retry_after_us,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) window = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *detail = NULL;
  gulong handler;
  guint status;

  *retry_after_us = -1;
  msg = li_message_new ("PUT", url, token, error);
  if (msg == NULL)
    return PUT_FAILED;
  window = sm_upload_window_new (file, first, length);
  soup_message_set_request_body (msg, content_type, window, (gssize) length);
  /* libsoup sends an idempotent request again by itself when a reused
   * connection dies; a part is sent again here, and counted, or not at all. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
  progress->sent = 0;
  handler = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), progress);
  body = soup_session_send_and_read (session, msg, cancellable, &local_error);
  g_signal_handler_disconnect (msg, handler);

  if (body == NULL)
    {
      /* libsoup says PARTIAL_INPUT for a connection cut short as well as a
       * file that got shorter: both are tried again, and a changed file is
       * the publisher's to notice before the next attempt. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return PUT_FAILED;
        }
      g_debug ("upload PUT failed: %s", local_error->message);
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                   _("The upload to LinkedIn was interrupted (%s). It will go on from the last "
                     "part LinkedIn took."),
                   local_error->message);
      return PUT_RETRY;
    }

  status = soup_message_get_status (msg);
  if (g_bytes_get_size (body) > 0)
    root = sm_http_parse_json (body, NULL);
  g_debug ("upload PUT of %" G_GOFFSET_FORMAT " bytes at %" G_GOFFSET_FORMAT " -> %u",
           length, first, status);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      if (etag_out != NULL)
        *etag_out = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                            "ETag"));
      return PUT_OK;
    }

  detail = _sm_platform_scrub (msg, sm_json_get_string (root, "message"));
  if (SOUP_STATUS_IS_SERVER_ERROR (status) || status == SOUP_STATUS_REQUEST_TIMEOUT)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                   _("LinkedIn could not take the upload just now (HTTP %u%s%s). It will go on "
                     "from the last part LinkedIn took."),
                   status, detail != NULL ? ": " : "", detail != NULL ? detail : "");
      return PUT_RETRY;
    }
  if (status == SM_HTTP_STATUS_TOO_MANY_REQUESTS)
    {
      *retry_after_us = sm_http_retry_after_us (soup_message_get_response_headers (msg),
                                                g_get_real_time ());
      if (*retry_after_us < 0)
        *retry_after_us = until_midnight_utc_us (g_get_real_time ());
      _sm_platform_set_rate_limited (error, LI_NAME, *retry_after_us, NULL);
      return PUT_RETRY;
    }
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      li_set_error (error, msg, root, SM_CALL_PREPARE, NULL);
      return PUT_FAILED;
    }
  if (status == SOUP_STATUS_FORBIDDEN || status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    {
      g_debug ("upload URL refused (%u): %s", status, detail != NULL ? detail : "");
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                   _("LinkedIn no longer takes this upload (%s); it will start again."),
                   detail != NULL ? detail : soup_status_get_phrase (status));
      return PUT_EXPIRED;
    }
  li_set_error (error, msg, root, SM_CALL_PREPARE, NULL);
  return PUT_FAILED;
}

/* Whether the bytes of a PUT whose answer was lost got there after all. */
typedef gboolean (*LandedFunc) (gpointer user_data);

/* A PUT, tried again after lost connections, 5xx and short 429s; before
 * each retry, @landed (when given) may say the bytes are there already. */
static PutOutcome
put_bytes (SoupSession      *session,
           const char       *url,
           GInputStream     *file,
           goffset           first,
           goffset           length,
           const char       *content_type,
           const char       *token,
           LiProgress       *progress,
           char            **etag_out,
           LandedFunc        landed,
           gpointer          landed_data,
           SmPublishResult  *result,
           GCancellable     *cancellable,
           GError          **error)
{
  for (guint failures = 1;; failures++)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 retry_after = -1;
      PutOutcome outcome = put_once (session, url, file, first, length, content_type, token,
                                     progress, etag_out, &retry_after, cancellable, &local_error);

      if (outcome != PUT_RETRY)
        {
          if (outcome != PUT_OK)
            g_propagate_error (error, g_steal_pointer (&local_error));
          progress->sent = outcome == PUT_OK ? (guint64) length : 0;
          return outcome;
        }
      progress->sent = 0;
      progress_report (progress);
      if (failures >= LI_PUT_TRIES || retry_after > LI_MAX_INLINE_WAIT_US)
        {
          if (result != NULL && retry_after >= 0)
            result->retry_after_us = retry_after;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return PUT_FAILED;
        }
      g_debug ("upload: try %u after: %s", failures + 1, local_error->message);
      if (!_sm_platform_sleep (retry_after >= 0 ? retry_after : backoff_us (failures),
                               cancellable, error))
        return PUT_FAILED;
      if (landed != NULL && landed (landed_data))
        {
          progress->sent = (guint64) length;
          return PUT_OK;
        }
    }
}

/* POST /rest/{collection}?action=initializeUpload|finalizeUpload. */
static JsonNode *
li_action (SoupSession      *session,
           const char       *token,
           const char       *collection,
           const char       *action,
           JsonNode         *body,
           SmPublishResult  *result,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autofree char *url = g_strdup_printf (LI_API "/rest/%s?action=%s", collection, action);
  g_autoptr(SoupMessage) msg = li_message_new ("POST", url, token, error);
  g_autoptr(JsonNode) root = NULL;

  if (msg == NULL)
    return NULL;
  sm_http_set_json_body (msg, body);
  /* Nothing anyone sees exists until the post: safe to do again. */
  if (!li_call (session, msg, SM_CALL_PREPARE, result, &root, cancellable, error))
    return NULL;
  if (root == NULL)
    root = json_node_new (JSON_NODE_NULL);
  return g_steal_pointer (&root);
}

static JsonNode *
initialize_body (const char *owner,
                 gint64      file_size)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "initializeUploadRequest");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "owner");
  json_builder_add_string_value (b, owner);
  if (file_size >= 0)
    {
      json_builder_set_member_name (b, "fileSizeBytes");
      json_builder_add_int_value (b, file_size);
      json_builder_set_member_name (b, "uploadCaptions");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_set_member_name (b, "uploadThumbnail");
      json_builder_add_boolean_value (b, FALSE);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static GInputStream *
open_file (const SmPostMedia  *media,
           GCancellable       *cancellable,
           GError            **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (media->path);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, &local_error);

  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("%s cannot be read (%s); put it back or attach it again."),
                     media->path, local_error->message);
      return NULL;
    }
  return G_INPUT_STREAM (g_steal_pointer (&stream));
}

/* What a single-PUT upload (image, document) keeps between attempts:
 * {"urn","url","expiresAt"}; a video's is below. */
static char *
single_session (const char *urn,
                const char *url,
                gint64      expires_ms)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "urn");
  json_builder_add_string_value (b, urn);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "expiresAt");
  json_builder_add_int_value (b, expires_ms);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* An upload URL as handed out (https://www.linkedin.com/…), never a
 * sandbox-resolved one. */
static char *
upload_url_from (const char *url)
{
  return url != NULL && *url != '\0' ? sm_http_unresolve_url (url) : NULL;
}

static char *media_status (SoupSession   *session,
                           const char    *token,
                           LiFileKind     kind,
                           const char    *urn,
                           char         **failure_out,
                           gboolean      *forbidden,
                           gboolean      *not_found,
                           GCancellable  *cancellable,
                           GError       **error);

typedef struct
{
  SoupSession  *session;
  const char   *token;
  LiFileKind    kind;
  const char   *urn;
  GCancellable *cancellable;
} Landed;

/* LinkedIn has the image or document once it is no longer WAITING_UPLOAD;
 * when it cannot say (member tokens may not read images), send again. */
static gboolean
single_landed (gpointer user_data)
{
  Landed *l = user_data;
  g_autofree char *status = NULL;
  gboolean forbidden, not_found;

  status = media_status (l->session, l->token, l->kind, l->urn, NULL, &forbidden, &not_found,
                         l->cancellable, NULL);
  g_debug ("after a lost answer, %s is %s", l->urn, status != NULL ? status : "unknown");
  return status != NULL && strcmp (status, "WAITING_UPLOAD") != 0;
}

/* Image or document: initialize, one PUT of the whole file (6.4).  The
 * URN, once LinkedIn has every byte; the session is kept through @hooks so
 * that a later attempt does not upload it again. */
static char *
upload_single (SoupSession             *session,
               const SmPublishRequest  *request,
               const SmPostMedia       *media,
               LiFileKind               kind,
               LiProgress              *progress,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const char *token = request->tokens->access_token;
  g_autoptr(SmUploadState) state = hooks->load (hooks->data, media->id);
  g_autoptr(GInputStream) file = NULL;
  g_autofree char *urn = NULL;
  g_autofree char *url = NULL;
  gint64 expires_ms = 0;
  Landed landed = { session, token, kind, NULL, cancellable };

  if (state != NULL && state->remote_media_id != NULL)
    return g_strdup (state->remote_media_id);
  if (state != NULL && state->session != NULL)
    {
      g_autoptr(JsonNode) saved = json_from_string (state->session, NULL);

      expires_ms = sm_json_get_int (saved, "expiresAt");
      if (sm_json_get_string (saved, "urn") != NULL && sm_json_get_string (saved, "url") != NULL &&
          expires_ms * 1000 - LI_EXPIRY_MARGIN_US > g_get_real_time ())
        {
          urn = g_strdup (sm_json_get_string (saved, "urn"));
          url = g_strdup (sm_json_get_string (saved, "url"));
        }
    }

  file = open_file (media, cancellable, error);
  if (file == NULL)
    return NULL;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      PutOutcome outcome;

      if (urn == NULL)
        {
          g_autoptr(JsonNode) body = initialize_body (request->account_remote_id, -1);
          g_autoptr(JsonNode) answer = NULL;
          g_autofree char *saved = NULL;
          g_autofree char *field = g_strconcat ("value.", kind == LI_FILE_IMAGE ? "image" : "document", NULL);

          answer = li_action (session, token, li_collections[kind], "initializeUpload", body,
                              result, cancellable, error);
          if (answer == NULL)
            return NULL;
          url = upload_url_from (sm_json_get_string (answer, "value.uploadUrl"));
          expires_ms = sm_json_get_int (answer, "value.uploadUrlExpiresAt");
          if (url == NULL || sm_json_get_string (answer, field) == NULL)
            {
              _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_PREPARE);
              return NULL;
            }
          urn = g_strdup (sm_json_get_string (answer, field));
          saved = single_session (urn, url, expires_ms);
          hooks->save (hooks->data, media->id, saved, 0, NULL);
        }

      /* One PUT of the whole file (6.4: "do not chunk"); should its answer
       * be lost, LinkedIn says whether it has the file before it is sent
       * again. */
      progress->base = 0;
      landed.urn = urn;
      outcome = put_bytes (session, url, file, 0, media->size_bytes, media->mime_type, token,
                           progress, NULL, single_landed, &landed, result, cancellable,
                           &local_error);
      if (outcome == PUT_OK)
        {
          g_autofree char *saved = single_session (urn, url, expires_ms);

          hooks->save (hooks->data, media->id, saved, media->size_bytes, urn);
          return g_steal_pointer (&urn);
        }
      if (outcome == PUT_EXPIRED && attempt == 0)
        {
          hooks->save (hooks->data, media->id, NULL, 0, NULL);
          g_clear_pointer (&urn, g_free);
          g_clear_pointer (&url, g_free);
          continue;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_assert_not_reached ();
}

/* A video upload in progress, kept through SmUploadHooks as JSON:
 * {"urn","uploadToken","expiresAt","parts":[{"url","first","last"}…],
 *  "etags":[…]}, etags being those of the parts LinkedIn took, in order. */
typedef struct
{
  char      *urn;
  char      *upload_token;
  gint64     expires_ms;
  GPtrArray *urls;     /* char *, per part */
  GArray    *firsts;   /* goffset */
  GArray    *lasts;    /* goffset, inclusive */
  GPtrArray *etags;    /* char * */
} VideoSession;

static void
video_session_free (VideoSession *vs)
{
  g_free (vs->urn);
  g_free (vs->upload_token);
  g_ptr_array_unref (vs->urls);
  g_array_unref (vs->firsts);
  g_array_unref (vs->lasts);
  g_ptr_array_unref (vs->etags);
  g_free (vs);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VideoSession, video_session_free)

static VideoSession *
video_session_new (void)
{
  VideoSession *vs = g_new0 (VideoSession, 1);

  vs->urls = g_ptr_array_new_with_free_func (g_free);
  vs->firsts = g_array_new (FALSE, FALSE, sizeof (goffset));
  vs->lasts = g_array_new (FALSE, FALSE, sizeof (goffset));
  vs->etags = g_ptr_array_new_with_free_func (g_free);
  return vs;
}

/* The upload instructions, checked: parts in order that cover the file
 * exactly once.  NULL when they do not. */
static VideoSession *
video_session_parse (JsonNode *value,
                     gint64    size,
                     gboolean  saved)
{
  g_autoptr(VideoSession) vs = video_session_new ();
  JsonNode *parts = sm_json_get_node (value, saved ? "parts" : "uploadInstructions");
  JsonNode *etags = saved ? sm_json_get_node (value, "etags") : NULL;
  goffset next = 0;

  vs->urn = g_strdup (sm_json_get_string (value, saved ? "urn" : "video"));
  vs->upload_token = g_strdup (sm_json_get_string (value, "uploadToken"));
  vs->expires_ms = sm_json_get_int (value, saved ? "expiresAt" : "uploadUrlsExpireAt");
  if (vs->urn == NULL || parts == NULL || !JSON_NODE_HOLDS_ARRAY (parts))
    return NULL;
  /* Often "" (6.5 step 3); never absent in a good answer. */
  if (vs->upload_token == NULL)
    vs->upload_token = g_strdup ("");

  for (guint i = 0; i < json_array_get_length (json_node_get_array (parts)); i++)
    {
      JsonNode *part = json_array_get_element (json_node_get_array (parts), i);
      char *url = upload_url_from (sm_json_get_string (part, saved ? "url" : "uploadUrl"));
      JsonNode *first_node = sm_json_get_node (part, saved ? "first" : "firstByte");
      goffset first = sm_json_get_int (part, saved ? "first" : "firstByte");
      goffset last = sm_json_get_int (part, saved ? "last" : "lastByte");

      if (url == NULL || first_node == NULL || first != next || last < first || last >= size)
        {
          g_free (url);
          return NULL;
        }
      g_ptr_array_add (vs->urls, url);
      g_array_append_val (vs->firsts, first);
      g_array_append_val (vs->lasts, last);
      next = last + 1;
    }
  if (next != size)
    return NULL;

  for (guint i = 0; etags != NULL && JSON_NODE_HOLDS_ARRAY (etags) &&
                    i < json_array_get_length (json_node_get_array (etags)); i++)
    {
      const char *etag = json_array_get_string_element (json_node_get_array (etags), i);

      if (etag == NULL || i >= vs->urls->len)
        return NULL;
      g_ptr_array_add (vs->etags, g_strdup (etag));
    }
  return g_steal_pointer (&vs);
}

static char *
video_session_to_string (VideoSession *vs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "urn");
  json_builder_add_string_value (b, vs->urn);
  json_builder_set_member_name (b, "uploadToken");
  json_builder_add_string_value (b, vs->upload_token);
  json_builder_set_member_name (b, "expiresAt");
  json_builder_add_int_value (b, vs->expires_ms);
  json_builder_set_member_name (b, "parts");
  json_builder_begin_array (b);
  for (guint i = 0; i < vs->urls->len; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "url");
      json_builder_add_string_value (b, g_ptr_array_index (vs->urls, i));
      json_builder_set_member_name (b, "first");
      json_builder_add_int_value (b, g_array_index (vs->firsts, goffset, i));
      json_builder_set_member_name (b, "last");
      json_builder_add_int_value (b, g_array_index (vs->lasts, goffset, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "etags");
  json_builder_begin_array (b);
  for (guint i = 0; i < vs->etags->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (vs->etags, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
video_session_save (const SmUploadHooks *hooks,
                    const SmPostMedia   *media,
                    VideoSession        *vs,
                    const char          *remote_id)
{
  g_autofree char *text = video_session_to_string (vs);
  goffset acknowledged = vs->etags->len == 0 ? 0
                         : g_array_index (vs->lasts, goffset, vs->etags->len - 1) + 1;

  hooks->save (hooks->data, media->id, text, acknowledged, remote_id);
}

/* GET /rest/{collection}/{urn}: the file's status, or NULL with an error;
 * *@forbidden when LinkedIn does not let this token read it. */
static char *
media_status (SoupSession   *session,
              const char    *token,
              LiFileKind     kind,
              const char    *urn,
              char         **failure_out,
              gboolean      *forbidden,
              gboolean      *not_found,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *escaped = _sm_platform_escape (urn);
  g_autofree char *url = g_strdup_printf (LI_API "/rest/%s/%s", li_collections[kind], escaped);
  g_autoptr(SoupMessage) msg = li_message_new ("GET", url, token, error);
  g_autoptr(JsonNode) root = NULL;
  const char *status;

  *forbidden = *not_found = FALSE;
  if (msg == NULL)
    return NULL;
  if (!li_call (session, msg, SM_CALL_READ, NULL, &root, cancellable, error))
    {
      *forbidden = soup_message_get_status (msg) == SOUP_STATUS_FORBIDDEN;
      *not_found = soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND;
      return NULL;
    }
  status = sm_json_get_string (root, "status");
  if (status == NULL)
    {
      _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_READ);
      return NULL;
    }
  if (failure_out != NULL)
    *failure_out = g_strdup (sm_json_get_string (root, "processingFailureReason"));
  return g_strdup (status);
}

/* Waits until LinkedIn has processed the file (6.4 step 3, 6.5 step 4). */
static gboolean
wait_available (SoupSession             *session,
                const SmPublishRequest  *request,
                const SmPostMedia       *media,
                LiFileKind               kind,
                const char              *urn,
                GCancellable            *cancellable,
                GError                 **error)
{
  gint64 deadline = g_get_monotonic_time () + LI_PROCESSING_WAIT_US;
  gint64 delay = LI_POLL_FIRST_US;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *failure = NULL;
      g_autofree char *status = NULL;
      gboolean forbidden, not_found;

      status = media_status (session, request->tokens->access_token, kind, urn, &failure,
                             &forbidden, &not_found, cancellable, &local_error);
      if (status == NULL && forbidden && kind != LI_FILE_VIDEO)
        {
          /* Member tokens cannot read images and documents (6.4): give
           * LinkedIn the time it usually needs instead. */
          g_debug ("cannot read %s; waiting instead", urn);
          return _sm_platform_sleep (LI_IMAGE_GRACE_US, cancellable, error);
        }
      if (status == NULL && not_found)
        {
          /* Gone: the next attempt uploads it again. */
          request->uploads->save (request->uploads->data, media->id, NULL, 0, NULL);
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("LinkedIn lost an uploaded file; it will be uploaded again."));
          return FALSE;
        }
      if (status == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("%s is %s", urn, status);
      if (strcmp (status, "AVAILABLE") == 0)
        return TRUE;
      if (strcmp (status, "PROCESSING_FAILED") == 0)
        {
          g_autofree char *name = g_path_get_basename (media->path);

          /* Sending the same file again would fail the same way. */
          request->uploads->save (request->uploads->data, media->id, NULL, 0, NULL);
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("LinkedIn could not process %s: %s. Try another file."),
                       name, failure != NULL && *failure != '\0' ? failure : status);
          return FALSE;
        }
      if (g_get_monotonic_time () + delay > deadline)
        {
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("LinkedIn is still processing a file. The post will be tried again "
                         "later without uploading it again."));
          return FALSE;
        }
      if (!_sm_platform_sleep (delay, cancellable, error))
        return FALSE;
      delay = MIN (delay * 2, LI_POLL_MAX_US);
    }
}

static JsonNode *
finalize_body (VideoSession *vs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "finalizeUploadRequest");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "video");
  json_builder_add_string_value (b, vs->urn);
  json_builder_set_member_name (b, "uploadToken");
  json_builder_add_string_value (b, vs->upload_token);
  json_builder_set_member_name (b, "uploadedPartIds");
  json_builder_begin_array (b);
  for (guint i = 0; i < vs->etags->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (vs->etags, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The saved upload of a video, if LinkedIn still has it waiting for parts;
 * sets *@finalized when it was finalized already. */
static VideoSession *
video_session_resume (SoupSession             *session,
                      const SmPublishRequest  *request,
                      const SmPostMedia       *media,
                      SmUploadState           *state,
                      gboolean                *finalized,
                      GCancellable            *cancellable,
                      GError                 **error)
{
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(VideoSession) vs = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *status = NULL;
  gboolean forbidden, not_found;

  *finalized = FALSE;
  if (state == NULL || state->session == NULL ||
      (saved = json_from_string (state->session, NULL)) == NULL ||
      (vs = video_session_parse (saved, media->size_bytes, TRUE)) == NULL)
    return NULL;
  if (vs->expires_ms * 1000 - LI_EXPIRY_MARGIN_US <= g_get_real_time ())
    {
      g_debug ("upload instructions of %s expired; starting over", vs->urn);
      return NULL;
    }

  /* Where it stands is LinkedIn's to say. */
  status = media_status (session, request->tokens->access_token, LI_FILE_VIDEO, vs->urn, NULL,
                         &forbidden, &not_found, cancellable, &local_error);
  if (status == NULL && (not_found || forbidden))
    return NULL;
  if (status == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (strcmp (status, "WAITING_UPLOAD") != 0)
    *finalized = TRUE;
  return g_steal_pointer (&vs);
}

/* 6.5: initialize, each part PUT to its URL (ETags collected in order),
 * finalize.  The video URN once finalized; progress is saved after every
 * part LinkedIn took, so that a later attempt goes on with the next part
 * while the upload URLs last. */
static char *
upload_video (SoupSession             *session,
              const SmPublishRequest  *request,
              const SmPostMedia       *media,
              LiProgress              *progress,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const char *token = request->tokens->access_token;
  g_autoptr(SmUploadState) state = hooks->load (hooks->data, media->id);
  g_autoptr(GInputStream) file = NULL;
  g_autoptr(VideoSession) vs = NULL;
  g_autoptr(GError) resume_error = NULL;
  gboolean finalized = FALSE;

  if (state != NULL && state->remote_media_id != NULL)
    return g_strdup (state->remote_media_id);

  vs = video_session_resume (session, request, media, state, &finalized, cancellable, &resume_error);
  if (resume_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&resume_error));
      return NULL;
    }
  if (finalized)
    {
      video_session_save (hooks, media, vs, vs->urn);
      return g_strdup (vs->urn);
    }

  file = open_file (media, cancellable, error);
  if (file == NULL)
    return NULL;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(JsonNode) answer = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean expired = FALSE;

      if (vs == NULL)
        {
          g_autoptr(JsonNode) init = initialize_body (request->account_remote_id, media->size_bytes);

          answer = li_action (session, token, "videos", "initializeUpload", init, result,
                              cancellable, error);
          if (answer == NULL)
            return NULL;
          vs = video_session_parse (sm_json_get_node (answer, "value"), media->size_bytes, FALSE);
          if (vs == NULL)
            {
              _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_PREPARE);
              return NULL;
            }
          g_clear_pointer (&answer, json_node_unref);
          video_session_save (hooks, media, vs, NULL);
        }

      for (guint i = vs->etags->len; i < vs->urls->len; i++)
        {
          goffset first = g_array_index (vs->firsts, goffset, i);
          goffset last = g_array_index (vs->lasts, goffset, i);
          g_autofree char *etag = NULL;
          PutOutcome outcome;

          progress->base = (guint64) first;
          outcome = put_bytes (session, g_ptr_array_index (vs->urls, i), file, first,
                               last - first + 1, "application/octet-stream", token, progress,
                               &etag, NULL, NULL, result, cancellable, &local_error);
          if (outcome == PUT_EXPIRED)
            {
              expired = TRUE;
              break;
            }
          if (outcome != PUT_OK)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (etag == NULL || *etag == '\0')
            {
              _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_PREPARE);
              return NULL;
            }
          /* As received, quotes and all (6.5 step 2). */
          g_ptr_array_add (vs->etags, g_steal_pointer (&etag));
          video_session_save (hooks, media, vs, NULL);
        }

      if (!expired)
        {
          body = finalize_body (vs);
          answer = li_action (session, token, "videos", "finalizeUpload", body, result,
                              cancellable, &local_error);
          if (answer != NULL)
            {
              video_session_save (hooks, media, vs, vs->urn);
              return g_strdup (vs->urn);
            }
          /* Refused (not a blip, a sign-in or a rate limit): the parts
           * LinkedIn has are not what it wants; one more upload from the
           * start. */
          if (!g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          g_debug ("finalize refused: %s", local_error->message);
        }

      hooks->save (hooks->data, media->id, NULL, 0, NULL);
      g_clear_pointer (&vs, video_session_free);
      if (attempt == 1)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  g_assert_not_reached ();
}

/* The post's "content" (6.3): one file as media, or several images as
 * multiImage. */
static void
add_content (JsonBuilder       *b,
             const GPtrArray   *media,
             GPtrArray         *urns)
{
  json_builder_set_member_name (b, "content");
  json_builder_begin_object (b);
  if (urns->len == 1)
    {
      const SmPostMedia *file = g_ptr_array_index (media, 0);

      json_builder_set_member_name (b, "media");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, g_ptr_array_index (urns, 0));
      /* A document post shows its title; LinkedIn wants one. */
      if (file_kind (file) == LI_FILE_DOCUMENT)
        {
          g_autofree char *title = g_path_get_basename (file->path);

          json_builder_set_member_name (b, "title");
          json_builder_add_string_value (b, title);
        }
      json_builder_end_object (b);
    }
  else
    {
      json_builder_set_member_name (b, "multiImage");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "images");
      json_builder_begin_array (b);
      for (guint i = 0; i < urns->len; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, g_ptr_array_index (urns, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static gboolean
check_files (const GPtrArray  *media,
             GError          **error)
{
  guint images = 0;

  for (guint i = 0; i < media->len; i++)
    if (file_kind (g_ptr_array_index (media, i)) == LI_FILE_IMAGE)
      images++;
  if (images == media->len && images <= LI_MAX_IMAGES)
    return TRUE;
  if (images == 0 && media->len == 1)
    return TRUE;
  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
               _("A LinkedIn post takes up to %d images, or one video, or one document."),
               LI_MAX_IMAGES);
  return FALSE;
}

static JsonNode *
build_post (const char      *author,
            const char      *text,
            const GPtrArray *media,
            GPtrArray       *urns)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *commentary = escape_little_text (text);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "author");
  json_builder_add_string_value (builder, author);
  json_builder_set_member_name (builder, "commentary");
  json_builder_add_string_value (builder, commentary);
  json_builder_set_member_name (builder, "visibility");
  json_builder_add_string_value (builder, "PUBLIC");
  json_builder_set_member_name (builder, "distribution");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "feedDistribution");
  json_builder_add_string_value (builder, "MAIN_FEED");
  json_builder_set_member_name (builder, "targetEntities");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "thirdPartyDistributionChannels");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (urns != NULL && urns->len > 0)
    add_content (builder, media, urns);
  json_builder_set_member_name (builder, "lifecycleState");
  json_builder_add_string_value (builder, "PUBLISHED");
  json_builder_set_member_name (builder, "isReshareDisabledByAuthor");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* 6.3: the post, with the files' URNs when there are files. */
static gboolean
create_post (SoupSession             *session,
             const SmPublishRequest  *request,
             const GPtrArray         *media,
             GPtrArray               *urns,
             SmPublishResult         *result,
             GCancellable            *cancellable,
             GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *urn;

  msg = li_message_new ("POST", LI_API "/rest/posts", request->tokens->access_token, error);
  if (msg == NULL)
    return FALSE;
  body = build_post (request->account_remote_id, request->text, media, urns);
  sm_http_set_json_body (msg, body);

  if (!li_call (session, msg, SM_CALL_CREATE, result, &root, cancellable, error))
    return FALSE;

  /* 201 with an empty body; the new post's URN is in a header (6.3). */
  urn = soup_message_headers_get_one (soup_message_get_response_headers (msg), "x-restli-id");
  if (urn == NULL)
    urn = sm_json_get_string (root, "id");
  if (urn == NULL || *urn == '\0')
    {
      _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_CREATE);
      return FALSE;
    }

  result->remote_id = g_strdup (urn);
  result->permalink = li_permalink (urn);

  return TRUE;
}

static gboolean
sm_platform_linkedin_publish_text (SmPlatform              *platform,
                                   SoupSession             *session,
                                   const SmPublishRequest  *request,
                                   SmPublishResult         *result,
                                   GCancellable            *cancellable,
                                   GError                 **error)
{
  return create_post (session, request, NULL, NULL, result, cancellable, error);
}

static gboolean
sm_platform_linkedin_publish (SmPlatform              *platform,
                              SoupSession             *session,
                              const SmPublishRequest  *request,
                              SmPublishResult         *result,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  g_autoptr(GPtrArray) urns = NULL;
  LiProgress progress = { request->uploads, 0, 0, 0, 0 };

  if (request->media == NULL || request->media->len == 0)
    return sm_platform_linkedin_publish_text (platform, session, request, result, cancellable, error);
  if (request->uploads == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           "LinkedIn uploads need upload hooks");
      return FALSE;
    }
  if (!check_files (request->media, error))
    return FALSE;

  for (guint i = 0; i < request->media->len; i++)
    progress.total += ((const SmPostMedia *) g_ptr_array_index (request->media, i))->size_bytes;

  /* Every file up first, then each processed, then the post. */
  urns = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < request->media->len; i++)
    {
      const SmPostMedia *media = g_ptr_array_index (request->media, i);
      LiFileKind kind = file_kind (media);
      char *urn;

      if (kind == LI_FILE_VIDEO)
        urn = upload_video (session, request, media, &progress, result, cancellable, error);
      else
        urn = upload_single (session, request, media, kind, &progress, result, cancellable, error);
      if (urn == NULL)
        return FALSE;
      g_ptr_array_add (urns, urn);
      progress.done += media->size_bytes;
      progress.base = progress.sent = 0;
      progress_report (&progress);
    }
  for (guint i = 0; i < request->media->len; i++)
    {
      const SmPostMedia *media = g_ptr_array_index (request->media, i);

      if (!wait_available (session, request, media, file_kind (media),
                           g_ptr_array_index (urns, i), cancellable, error))
        return FALSE;
    }

  return create_post (session, request, request->media, urns, result, cancellable, error);
}

/* The first file of a listed post's content (6.3), or NULL. */
static const char *
listed_media_urn (JsonNode *post)
{
  const char *urn = sm_json_get_string (post, "content.media.id");

  return urn != NULL ? urn : sm_json_get_string (post, "content.multiImage.images.0.id");
}

static gboolean
sm_platform_linkedin_find_published (SmPlatform              *platform,
                                     SoupSession             *session,
                                     const SmPublishRequest  *request,
                                     SmPublishResult         *result,
                                     GCancellable            *cancellable,
                                     GError                 **error)
{
  g_autofree char *author = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autofree char *commentary = escape_little_text (request->text);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonNode *elements;
  gint64 since = request->not_before_us > 0 ? request->not_before_us - CLOCK_SLACK_US : 0;
  g_autofree char *first_urn = NULL;

  /* A post with files is only sent once every file is up: a file without
   * its URN means it certainly never went out.  Otherwise the post is the
   * one that carries our first file. */
  if (request->media != NULL && request->media->len > 0)
    {
      const SmUploadHooks *hooks = request->uploads;

      for (guint i = 0; i < request->media->len; i++)
        {
          const SmPostMedia *media = g_ptr_array_index (request->media, i);
          g_autoptr(SmUploadState) state = hooks != NULL ? hooks->load (hooks->data, media->id) : NULL;

          if (state == NULL || state->remote_media_id == NULL)
            {
              result->definitive = TRUE;
              return TRUE;
            }
          if (i == 0)
            first_urn = g_strdup (state->remote_media_id);
        }
    }

  url = g_strdup_printf (LI_API "/rest/posts?q=author&author=%s&count=20", author);
  msg = li_message_new ("GET", url, request->tokens->access_token, error);
  if (msg == NULL)
    return FALSE;

  if (!li_call (session, msg, SM_CALL_READ, result, &root, cancellable, error))
    return FALSE;

  elements = sm_json_get_node (root, "elements");
  if (elements == NULL || !JSON_NODE_HOLDS_ARRAY (elements))
    {
      _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_READ);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (elements)); i++)
    {
      JsonNode *post = json_array_get_element (json_node_get_array (elements), i);
      const char *id = sm_json_get_string (post, "id");
      const char *seen = sm_json_get_string (post, "commentary");
      gint64 created_ms = sm_json_get_int (post, "createdAt");

      if (created_ms == 0)
        created_ms = sm_json_get_int (post, "publishedAt");

      if (id == NULL)
        continue;
      if (first_urn != NULL)
        {
          if (g_strcmp0 (listed_media_urn (post), first_urn) != 0)
            continue;
        }
      /* LinkedIn hands the commentary back as it was sent, escaped. */
      else if (!(_sm_platform_text_matches (commentary, seen)
                 || _sm_platform_text_matches (request->text, seen)))
        continue;
      if (since > 0 && created_ms > 0 && created_ms * 1000 < since)
        continue;

      result->remote_id = g_strdup (id);
      result->permalink = li_permalink (id);
      return TRUE;
    }

  return TRUE;
}

static gboolean
sm_platform_linkedin_revoke (SmPlatform                *platform,
                             SoupSession               *session,
                             const SmClientCredentials *creds,
                             const SmTokens            *tokens,
                             GCancellable              *cancellable,
                             GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (creds->client_secret == NULL || tokens->access_token == NULL)
    return TRUE;

  msg = sm_http_message_new ("POST", LI_OAUTH "/revoke", error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_form_body (msg,
                         "client_id", creds->client_id,
                         "client_secret", creds->client_secret,
                         "token", tokens->access_token,
                         NULL);

  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;

  if (!_sm_platform_status_ok (msg))
    {
      _sm_platform_set_oauth_error (error, LI_NAME, msg, root, SM_CALL_READ);
      return FALSE;
    }

  return TRUE;
}

/* DELETE /rest/posts/{urn}; one already gone counts. */
static gboolean
sm_platform_linkedin_delete_published (SmPlatform              *platform,
                                       SoupSession             *session,
                                       const SmPublishRequest  *request,
                                       SmPublishResult         *result,
                                       GCancellable            *cancellable,
                                       GError                 **error)
{
  g_autofree char *escaped = g_uri_escape_string (request->remote_id, NULL, FALSE);
  g_autofree char *url = g_strconcat (LI_API "/rest/posts/", escaped, NULL);
  g_autoptr(SoupMessage) msg = li_message_new ("DELETE", url, request->tokens->access_token, error);
  g_autoptr(JsonNode) root = NULL;

  if (msg == NULL)
    return FALSE;
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-RestLi-Method", "DELETE");
  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;
  if (_sm_platform_status_ok (msg) || soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND)
    return TRUE;
  li_set_error (error, msg, root, SM_CALL_READ, result);
  return FALSE;
}

/* POST /rest/socialActions/{urn}/comments (6.3), as the post's author
 * (w_member_social / w_organization_social): 201 with the comment, whose
 * URN is in x-restli-id (or the body's "$URN" / "id"). */
static gboolean
sm_platform_linkedin_publish_comment (SmPlatform              *platform,
                                      SoupSession             *session,
                                      const SmPublishRequest  *request,
                                      SmPublishResult         *result,
                                      GCancellable            *cancellable,
                                      GError                 **error)
{
  g_autofree char *escaped = g_uri_escape_string (request->remote_id, NULL, FALSE);
  g_autofree char *url = g_strconcat (LI_API "/rest/socialActions/", escaped, "/comments", NULL);
  g_autoptr(SoupMessage) msg = li_message_new ("POST", url, request->tokens->access_token, error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  if (msg == NULL)
    return FALSE;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "actor");
  json_builder_add_string_value (builder, request->account_remote_id);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, request->remote_id);
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, request->text);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  sm_http_set_json_body (msg, body);

  if (!li_call (session, msg, SM_CALL_CREATE, result, &root, cancellable, error))
    return FALSE;
  id = soup_message_headers_get_one (soup_message_get_response_headers (msg), "x-restli-id");
  if (id == NULL && root != NULL)
    id = sm_json_get_string (root, "$URN");
  if (id == NULL && root != NULL)
    id = sm_json_get_string (root, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, LI_NAME, SM_CALL_CREATE);
      return FALSE;
    }
  result->remote_id = g_strdup (id);
  return TRUE;
}

static void
sm_platform_linkedin_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_linkedin_get_network;
  iface->get_oauth_spec = sm_platform_linkedin_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_linkedin_get_builtin_client_id;
  iface->exchange_code = sm_platform_linkedin_exchange_code;
  iface->refresh = sm_platform_linkedin_refresh;
  iface->publish_text = sm_platform_linkedin_publish_text;
  iface->publish = sm_platform_linkedin_publish;
  iface->find_published = sm_platform_linkedin_find_published;
  iface->revoke = sm_platform_linkedin_revoke;
  iface->delete_published = sm_platform_linkedin_delete_published;
  iface->publish_comment = sm_platform_linkedin_publish_comment;
}

static void
sm_platform_linkedin_class_init (SmPlatformLinkedinClass *klass)
{
}

static void
sm_platform_linkedin_init (SmPlatformLinkedin *self)
{
}

SmPlatform *
sm_platform_linkedin_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_LINKEDIN, NULL);
}
