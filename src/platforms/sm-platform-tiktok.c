/* sm-platform-tiktok.c — TikTok: Login Kit for desktop (OAuth v2 with PKCE,
 * the app named by client_key, rotating refresh tokens), and the Content
 * Posting API's direct post of a video uploaded from the file (FILE_UPLOAD).
 *
 * See ../shared/docs/platform-apis.md, section 7.
 *
 * A post goes out in four steps: creator_info/query says what this creator
 * may do right now (privacy levels, comments, duets, stitches, the longest
 * video); video/init opens the post with the file's size and its chunk
 * layout and hands out an upload URL; the file goes to that URL in chunks,
 * in order, each a PUT with Content-Range; then TikTok processes it, and
 * status/fetch says when it is PUBLISH_COMPLETE or FAILED.
 *
 * Nothing is public before the last chunk is in, so that chunk is the
 * "create": a lost answer to it is an unknown outcome, settled by
 * status/fetch.  The publish id, the upload URL and the chunk layout are
 * kept through SmUploadHooks after every chunk TikTok acknowledged, so that
 * a publisher that died goes on where it stopped while the upload URL is
 * still good (it lasts about an hour), after asking TikTok how many bytes
 * it has.  Once every chunk is in, the publish id is kept as the remote
 * media id, and only the status is asked from then on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-tiktok"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-media-rules.h"
#include "sm-media.h"
#include "sm-options.h"
#include "sm-platforms-private.h"
#include "sm-store.h"
#include "sm-upload.h"

#define TT_NAME             "TikTok"
#define TT_API              "https://open.tiktokapis.com/v2"
#define TT_TOKEN_URL        TT_API "/oauth/token/"
#define TT_REVOKE_URL       TT_API "/oauth/revoke/"
/* user.info.basic gives these (7.1); a username needs user.info.profile. */
#define TT_USER_INFO_URL    TT_API "/user/info/?fields=open_id,union_id,avatar_url,display_name"
#define TT_CREATOR_INFO_URL TT_API "/post/publish/creator_info/query/"
#define TT_VIDEO_INIT_URL   TT_API "/post/publish/video/init/"
#define TT_STATUS_URL       TT_API "/post/publish/status/fetch/"

/* Chunk rules (7.3): 5 MB..64 MB a chunk, the last up to 128 MB, at most
 * 1000.  Whether "MB" means 10^6 or 2^20 bytes is unconfirmed, so the sizes
 * chosen here are right under both readings: 5 MiB is at least 5 MB either
 * way, and a chunk never goes over 64 000 000 bytes. */
#define TT_CHUNK_SIZE       (G_GUINT64_CONSTANT (5) * 1024 * 1024)
#define TT_MAX_CHUNK_SIZE   G_GUINT64_CONSTANT (64000000)
#define TT_MAX_CHUNKS       1000
/* The upload URL lasts about an hour (unconfirmed): a saved one older than
 * this is not worth trying. */
#define TT_UPLOAD_URL_US    (50 * G_TIME_SPAN_MINUTE)
/* Failures in a row, for one chunk, before giving up for now. */
#define TT_MAX_FAILURES     5
#define TT_BACKOFF_MAX_US   (30 * G_USEC_PER_SEC)
/* How long to wait for processing before leaving it to reconciliation:
 * TikTok gives "< 30 s for 512 MB, > 2 min for 4 GB" (7.3). */
#define TT_PROCESSING_WAIT_US (5 * G_TIME_SPAN_MINUTE)
#define TT_POLL_FIRST_US    G_USEC_PER_SEC
/* status/fetch allows 30 calls a minute per token. */
#define TT_POLL_MAX_US      (8 * G_USEC_PER_SEC)
/* rate_limit_exceeded without Retry-After: the limits are per minute. */
#define TT_RATE_LIMIT_US    G_TIME_SPAN_MINUTE
/* The daily caps (spam_risk_too_many_posts, reached_active_user_cap). */
#define TT_DAILY_CAP_US     G_TIME_SPAN_DAY
/* spam_risk_too_many_pending_share: shares waiting in the creator's inbox. */
#define TT_PENDING_SHARE_US G_TIME_SPAN_HOUR

struct _SmPlatformTiktok
{
  GObject parent_instance;
};

static void sm_platform_tiktok_iface_init (SmPlatformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformTiktok, sm_platform_tiktok, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_tiktok_iface_init))

static const SmOAuthSpec tiktok_oauth_spec = {
  .authorize_url = "https://www.tiktok.com/v2/auth/authorize/",
  /* Comma-separated (7.1). */
  .scopes = "user.info.basic,video.publish",
  /* Required for desktop apps; S256 over base64url as RFC 7636 (7.1: a hex
   * digest is reported for desktop but unconfirmed). */
  .pkce = TRUE,
  .needs_secret = TRUE,
  .client_id_param = "client_key",
  .extra_params = NULL,
};

/* What TikTok's codes mean for the user: the envelope's error.code (7.2)
 * and status/fetch's fail_reason share these. */
static const struct
{
  const char *code;
  const char *words;
} reasons[] = {
  { "file_format_check_failed",
    N_("The video’s format is not one TikTok takes. Export it as MP4 with H.264 video and attach it again.") },
  { "duration_check_failed",
    N_("The video is longer or shorter than TikTok allows for this account. Trim it and attach it again.") },
  { "frame_rate_check_failed",
    N_("The video’s frame rate is not one TikTok takes. Export it at 23 to 60 frames per second.") },
  { "picture_size_check_failed",
    N_("The video’s picture size is not one TikTok takes. Export it at least 360 pixels on each side.") },
  { "invalid_file_upload",
    N_("The uploaded file was not accepted. Check that it plays, then attach it again.") },
  { "video_pull_failed", N_("The video could not be fetched.") },
  { "photo_pull_failed", N_("The photo could not be fetched.") },
  { "publish_cancelled", N_("The post was cancelled on TikTok.") },
  { "spam_risk_text",
    N_("The caption looks like spam. Change the text.") },
  { "spam_risk", N_("The post looks like spam.") },
  { "spam_risk_user_banned_from_posting",
    N_("This account may not post right now. Check it in the TikTok app.") },
  { "privacy_level_option_mismatch",
    N_("The privacy level is not one TikTok offers this account right now. Choose another with "
       "tiktok.privacy.") },
  { "unaudited_client_can_only_post_to_private_accounts",
    N_("Until TikTok has audited the app, it may only post privately. Set tiktok.privacy=SELF_ONLY.") },
  { "url_ownership_unverified", N_("Files are only fetched from a verified domain.") },
};

static const char *
reason_words (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (reasons); i++)
    if (strcmp (reasons[i].code, code) == 0)
      return _(reasons[i].words);
  return NULL;
}

static gboolean
code_is (const char *code,
         const char *wanted)
{
  return g_strcmp0 (code, wanted) == 0;
}

static void
set_daily_cap (GError          **error,
               SmPublishResult  *result,
               const char       *code)
{
  if (result != NULL)
    result->retry_after_us = code_is (code, "spam_risk_too_many_pending_share")
                             ? TT_PENDING_SHARE_US : TT_DAILY_CAP_US;

  if (code_is (code, "reached_active_user_cap"))
    g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                         _("TikTok’s daily limit of people posting through So-me Studio has been "
                           "reached (reached_active_user_cap). It will be tried again in a day."));
  else if (code_is (code, "spam_risk_too_many_pending_share"))
    g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                         _("Too many videos are waiting in this TikTok account’s inbox "
                           "(spam_risk_too_many_pending_share). It will be tried again in an hour."));
  else
    g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                         _("This TikTok account has reached its daily limit of posts made through "
                           "apps (spam_risk_too_many_posts). It will be tried again in a day."));
}

/* Maps TikTok's envelope (7.2) into SM_PLATFORM_ERROR. */
static void
tt_set_error (GError          **error,
              SoupMessage      *msg,
              JsonNode         *root,
              SmCallKind        kind,
              SmPublishResult  *result)
{
  const char *code = sm_json_get_string (root, "error.code");
  const char *message = sm_json_get_string (root, "error.message");
  const char *words = reason_words (code);
  g_autofree char *detail = NULL;

  if (message != NULL && *message == '\0')
    message = NULL;
  if (code != NULL && message != NULL)
    detail = g_strdup_printf ("%s (%s)", message, code);
  else
    detail = g_strdup (message != NULL ? message : code);

  if (code_is (code, "access_token_invalid"))
    _sm_platform_set_auth_error (error, TT_NAME, msg,
                                 kind == SM_CALL_REFRESH ? SM_PLATFORM_ERROR_REVOKED
                                                         : SM_PLATFORM_ERROR_AUTH_EXPIRED,
                                 detail);
  else if (code_is (code, "scope_not_authorized") || code_is (code, "scope_permission_missed"))
    /* Only a new sign-in can add a permission. */
    _sm_platform_set_auth_error (error, TT_NAME, msg, SM_PLATFORM_ERROR_REVOKED, detail);
  else if (code_is (code, "rate_limit_exceeded") ||
           (code == NULL && soup_message_get_status (msg) == SM_HTTP_STATUS_TOO_MANY_REQUESTS))
    {
      gint64 retry = sm_http_retry_after_us (soup_message_get_response_headers (msg),
                                             g_get_real_time ());

      _sm_platform_set_rate_limited (error, TT_NAME, retry >= 0 ? retry : TT_RATE_LIMIT_US, result);
    }
  else if (code_is (code, "spam_risk_too_many_posts") || code_is (code, "reached_active_user_cap") ||
           code_is (code, "spam_risk_too_many_pending_share"))
    set_daily_cap (error, result, code);
  else if (code_is (code, "internal_error"))
    _sm_platform_set_status_error (error, TT_NAME, msg,
                                   SOUP_STATUS_IS_SERVER_ERROR (soup_message_get_status (msg))
                                   ? kind : SM_CALL_READ,
                                   detail, result);
  else if (words != NULL)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("TikTok refused the post: %s (%s)"), words, code);
  else if (code != NULL && !SOUP_STATUS_IS_SERVER_ERROR (soup_message_get_status (msg)) &&
           soup_message_get_status (msg) != SOUP_STATUS_UNAUTHORIZED)
    _sm_platform_set_rejected (error, TT_NAME, msg, kind, detail);
  else
    _sm_platform_set_status_error (error, TT_NAME, msg, kind, detail, result);
}

/* The envelope says ok (or there is none, on a 2xx). */
static gboolean
envelope_ok (SoupMessage *msg,
             JsonNode    *root)
{
  const char *code = sm_json_get_string (root, "error.code");

  return _sm_platform_status_ok (msg) && (code == NULL || strcmp (code, "ok") == 0);
}

/* Sends an API call and answers its JSON, mapping every failure. */
static JsonNode *
tt_call (SoupSession      *session,
         SoupMessage      *msg,
         SmCallKind        kind,
         SmPublishResult  *result,
         GCancellable     *cancellable,
         GError          **error)
{
  g_autoptr(JsonNode) root = NULL;

  if (!_sm_platform_send (session, msg, kind, cancellable, &root, error))
    return NULL;
  if (!envelope_ok (msg, root))
    {
      tt_set_error (error, msg, root, kind, result);
      return NULL;
    }
  if (root == NULL || sm_json_get_node (root, "data") == NULL)
    {
      _sm_platform_set_bad_answer (error, TT_NAME, kind);
      return NULL;
    }
  return g_steal_pointer (&root);
}

/* JSON with the charset TikTok's reference puts in the header. */
static void
set_json (SoupMessage *msg,
          JsonNode    *node)
{
  g_autofree char *text = node != NULL ? json_to_string (node, FALSE) : g_strdup ("");
  gsize len = strlen (text);
  g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);

  soup_message_set_request_body_from_bytes (msg, "application/json; charset=UTF-8", bytes);
}

static JsonNode *
tt_post_json (SoupSession      *session,
              const char       *url,
              const char       *token,
              JsonNode         *body,
              SmCallKind        kind,
              SmPublishResult  *result,
              GCancellable     *cancellable,
              GError          **error)
{
  g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", url, error);

  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, token);
  set_json (msg, body);
  return tt_call (session, msg, kind, result, cancellable, error);
}

/* The token endpoint: OAuth errors, sometimes with a 200 (7.1). */
static SmTokens *
tt_token_call (SoupSession   *session,
               SoupMessage   *msg,
               SmCallKind     kind,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  SmTokens *tokens;

  if (!_sm_platform_send (session, msg, kind, cancellable, &root, error))
    return NULL;
  if (!_sm_platform_status_ok (msg) ||
      (sm_json_get_string (root, "error") != NULL && sm_json_get_string (root, "access_token") == NULL))
    {
      _sm_platform_set_oauth_error (error, TT_NAME, msg, root, kind);
      return NULL;
    }
  tokens = _sm_platform_tokens_from_json (root);
  if (tokens == NULL)
    _sm_platform_set_bad_answer (error, TT_NAME, kind);
  return tokens;
}

/* TikTok writes granted scopes comma-separated (7.1). */
static gboolean
scope_has (const char *scope,
           const char *wanted)
{
  g_auto(GStrv) parts = g_strsplit_set (scope, ", ", -1);

  return g_strv_contains ((const char * const *) parts, wanted);
}

static SmNetwork
sm_platform_tiktok_get_network (SmPlatform *platform)
{
  return SM_NETWORK_TIKTOK;
}

static const SmOAuthSpec *
sm_platform_tiktok_get_oauth_spec (SmPlatform *platform)
{
  return &tiktok_oauth_spec;
}

static const char *
sm_platform_tiktok_get_builtin_client_id (SmPlatform *platform)
{
  return SM_TIKTOK_CLIENT_KEY;
}

static GPtrArray *
sm_platform_tiktok_exchange_code (SmPlatform                *platform,
                                  SoupSession               *session,
                                  const SmClientCredentials *creds,
                                  const char                *code,
                                  const char                *redirect_uri,
                                  const char                *code_verifier,
                                  GCancellable              *cancellable,
                                  GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupMessage) me_msg = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(JsonNode) me = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  const char *open_id;

  if (code_verifier == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           _("TikTok needs a PKCE code verifier to connect."));
      return NULL;
    }

  msg = sm_http_message_new ("POST", TT_TOKEN_URL, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_form_body (msg,
                         "client_key", creds->client_id,
                         "client_secret", creds->client_secret,
                         "code", code,
                         "grant_type", "authorization_code",
                         "redirect_uri", redirect_uri,
                         "code_verifier", code_verifier,
                         NULL);
  tokens = tt_token_call (session, msg, SM_CALL_TOKEN, cancellable, error);
  if (tokens == NULL)
    return NULL;

  /* The consent screen lets nothing be left out today, but an answer
   * without the posting scope would only fail at the first post. */
  if (tokens->scope != NULL && !scope_has (tokens->scope, "video.publish"))
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("TikTok did not give So-me Studio permission to post videos. "
                             "Connect again and allow it."));
      return NULL;
    }

  me_msg = sm_http_message_new ("GET", TT_USER_INFO_URL, error);
  if (me_msg == NULL)
    return NULL;
  sm_http_set_bearer (me_msg, tokens->access_token);
  me = tt_call (session, me_msg, SM_CALL_READ, NULL, cancellable, error);
  if (me == NULL)
    return NULL;

  open_id = sm_json_get_string (me, "data.user.open_id");
  if (open_id == NULL || *open_id == '\0')
    {
      _sm_platform_set_bad_answer (error, TT_NAME, SM_CALL_READ);
      return NULL;
    }

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_info_free);
  g_ptr_array_add (accounts,
                   _sm_platform_account_new (SM_NETWORK_TIKTOK, open_id,
                                             sm_json_get_string (me, "data.user.display_name"),
                                             NULL, tokens));
  return g_steal_pointer (&accounts);
}

static SmTokens *
sm_platform_tiktok_refresh (SmPlatform                *platform,
                            SoupSession               *session,
                            const SmClientCredentials *creds,
                            const SmTokens            *old,
                            GCancellable              *cancellable,
                            GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  SmTokens *tokens;

  if (old->refresh_token == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                           _("The TikTok sign-in has expired and cannot be renewed. "
                             "Reconnect the account."));
      return NULL;
    }

  /* _sm_platform_refresh_grant() names the app client_id; TikTok wants
   * client_key.  Refresh tokens rotate: the answer's replaces the old. */
  msg = sm_http_message_new ("POST", TT_TOKEN_URL, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_form_body (msg,
                         "client_key", creds->client_id,
                         "client_secret", creds->client_secret,
                         "grant_type", "refresh_token",
                         "refresh_token", old->refresh_token,
                         NULL);
  tokens = tt_token_call (session, msg, SM_CALL_REFRESH, cancellable, error);
  if (tokens == NULL)
    return NULL;
  if (tokens->refresh_token == NULL)
    tokens->refresh_token = g_strdup (old->refresh_token);
  if (tokens->scope == NULL)
    tokens->scope = g_strdup (old->scope);
  return tokens;
}

static gboolean
sm_platform_tiktok_publish_text (SmPlatform              *platform,
                                 SoupSession             *session,
                                 const SmPublishRequest  *request,
                                 SmPublishResult         *result,
                                 GCancellable            *cancellable,
                                 GError                 **error)
{
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("TikTok posts need a video; add one."));
  return FALSE;
}

/* ---- the upload session, as kept through SmUploadHooks ------------------ */

typedef struct
{
  char    *publish_id;
  char    *upload_url;   /* the real https URL */
  guint64  chunk_size;
  guint    chunk_count;
  gint64   expires_us;   /* when the upload URL is not worth trying */
  char    *username;     /* creator_info's creator_username, for the permalink; may be NULL */
} Session;

static void
session_free (Session *s)
{
  if (s == NULL)
    return;
  g_free (s->publish_id);
  g_free (s->upload_url);
  g_free (s->username);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

static char *
session_to_string (const Session *s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "publish_id");
  json_builder_add_string_value (b, s->publish_id);
  json_builder_set_member_name (b, "upload_url");
  json_builder_add_string_value (b, s->upload_url);
  json_builder_set_member_name (b, "chunk_size");
  json_builder_add_int_value (b, (gint64) s->chunk_size);
  json_builder_set_member_name (b, "total_chunk_count");
  json_builder_add_int_value (b, s->chunk_count);
  json_builder_set_member_name (b, "expires_us");
  json_builder_add_int_value (b, s->expires_us);
  if (s->username != NULL)
    {
      json_builder_set_member_name (b, "username");
      json_builder_add_string_value (b, s->username);
    }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  return json_to_string (node, FALSE);
}

static Session *
session_from_string (const char *text)
{
  g_autoptr(JsonNode) root = text != NULL ? json_from_string (text, NULL) : NULL;
  g_autoptr(Session) s = NULL;

  if (root == NULL || sm_json_get_string (root, "publish_id") == NULL ||
      sm_json_get_string (root, "upload_url") == NULL ||
      sm_json_get_int (root, "chunk_size") <= 0 || sm_json_get_int (root, "total_chunk_count") <= 0)
    return NULL;
  s = g_new0 (Session, 1);
  s->publish_id = g_strdup (sm_json_get_string (root, "publish_id"));
  s->upload_url = g_strdup (sm_json_get_string (root, "upload_url"));
  s->chunk_size = (guint64) sm_json_get_int (root, "chunk_size");
  s->chunk_count = (guint) sm_json_get_int (root, "total_chunk_count");
  s->expires_us = sm_json_get_int (root, "expires_us");
  s->username = g_strdup (sm_json_get_string (root, "username"));
  return g_steal_pointer (&s);
}

/* The media transfer guide's layout for @size bytes (7.3 step 3). */
static gboolean
chunk_layout (guint64   size,
              guint64  *chunk_size,
              guint    *count,
              GError  **error)
{
  guint64 chunk;

  if (size < TT_CHUNK_SIZE)
    {
      /* Small files go whole. */
      *chunk_size = size;
      *count = 1;
      return TRUE;
    }
  chunk = MAX (TT_CHUNK_SIZE, (size + TT_MAX_CHUNKS - 1) / TT_MAX_CHUNKS);
  if (chunk > TT_MAX_CHUNK_SIZE)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("The video is too big for TikTok’s upload; make it smaller."));
      return FALSE;
    }
  *chunk_size = chunk;
  /* The last chunk takes the remainder, so it is less than two chunks. */
  *count = (guint) (size / chunk);
  return TRUE;
}

static const char *
option (const SmPublishRequest *request,
        const char             *key)
{
  return request->options != NULL ? g_hash_table_lookup (request->options, key) : NULL;
}

/* ---- status/fetch -------------------------------------------------------- */

typedef struct
{
  char    *status;
  char    *fail_reason;
  char    *post_id;        /* the first publicaly_available_post_id, or NULL */
  gint64   uploaded_bytes; /* -1 when not given */
} Status;

static void
status_clear (Status *s)
{
  g_clear_pointer (&s->status, g_free);
  g_clear_pointer (&s->fail_reason, g_free);
  g_clear_pointer (&s->post_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Status, status_clear)

static gboolean
fetch_status (SoupSession      *session,
              const char       *token,
              const char       *publish_id,
              Status           *out,
              SmPublishResult  *result,
              GCancellable     *cancellable,
              GError          **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonNode *uploaded;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "publish_id");
  json_builder_add_string_value (b, publish_id);
  json_builder_end_object (b);
  body = json_builder_get_root (b);

  root = tt_post_json (session, TT_STATUS_URL, token, body, SM_CALL_READ, result,
                       cancellable, error);
  if (root == NULL)
    return FALSE;
  if (sm_json_get_string (root, "data.status") == NULL)
    {
      _sm_platform_set_bad_answer (error, TT_NAME, SM_CALL_READ);
      return FALSE;
    }
  out->status = g_strdup (sm_json_get_string (root, "data.status"));
  out->fail_reason = g_strdup (sm_json_get_string (root, "data.fail_reason"));
  /* The API's own spelling (7.3 step 5). */
  out->post_id = g_strdup (sm_json_get_string (root, "data.publicaly_available_post_id.0"));
  uploaded = sm_json_get_node (root, "data.uploaded_bytes");
  out->uploaded_bytes = uploaded != NULL && JSON_NODE_HOLDS_VALUE (uploaded)
                        ? sm_json_get_int (root, "data.uploaded_bytes") : -1;
  return TRUE;
}

static gboolean
status_is_done (const Status *s)
{
  /* SEND_TO_USER_INBOX ends the draft flow, which is never used here, but
   * means the same: TikTok has the video. */
  return g_strcmp0 (s->status, "PUBLISH_COMPLETE") == 0 ||
         g_strcmp0 (s->status, "SEND_TO_USER_INBOX") == 0;
}

static void
forget_upload (const SmUploadHooks *hooks,
               const SmPostMedia   *media)
{
  hooks->save (hooks->data, media->id, NULL, 0, NULL);
}

/* FAILED: what went wrong, in words.  The saved upload is forgotten, so a
 * retry starts over. */
static void
set_failed (GError              **error,
            const SmUploadHooks  *hooks,
            const SmPostMedia    *media,
            const char           *fail_reason)
{
  const char *words = reason_words (fail_reason);

  forget_upload (hooks, media);
  if (code_is (fail_reason, "internal"))
    g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                         _("TikTok had a problem processing the video (internal). It will be "
                           "sent again."));
  else if (code_is (fail_reason, "auth_removed"))
    g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                         _("The TikTok account no longer allows So-me Studio to post "
                           "(auth_removed). Reconnect the account."));
  else if (code_is (fail_reason, "spam_risk_too_many_posts"))
    set_daily_cap (error, NULL, fail_reason);
  else if (words != NULL)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("TikTok could not publish the video: %s (%s)"), words, fail_reason);
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("TikTok could not publish the video (%s)."),
                 fail_reason != NULL ? fail_reason : _("no reason given"));
}

static void
set_published (SmPublishResult *result,
               const char      *publish_id,
               const Status    *s,
               const char      *username)
{
  /* A private post has no public id: the publish id is the handle, and
   * there is no address to show. */
  result->remote_id = g_strdup (s->post_id != NULL ? s->post_id : publish_id);
  if (s->post_id != NULL && username != NULL && *username != '\0')
    {
      g_autofree char *user = _sm_platform_escape (username);
      g_autofree char *id = _sm_platform_escape (s->post_id);

      result->permalink = g_strdup_printf ("https://www.tiktok.com/@%s/video/%s", user, id);
    }
}

/* Asks status/fetch until TikTok says how it ended. */
static gboolean
wait_published (SoupSession             *session,
                const SmPublishRequest  *request,
                const SmPostMedia       *media,
                const char              *publish_id,
                const char              *username,
                SmPublishResult         *result,
                GCancellable            *cancellable,
                GError                 **error)
{
  gint64 deadline = g_get_monotonic_time () + TT_PROCESSING_WAIT_US;
  gint64 delay = TT_POLL_FIRST_US;

  for (;;)
    {
      g_auto(Status) s = { NULL, NULL, NULL, -1 };
      g_autoptr(GError) local_error = NULL;

      if (!fetch_status (session, request->tokens->access_token, publish_id, &s, result,
                         cancellable, &local_error))
        {
          /* A blip while asking changes nothing: ask again. */
          if (!g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT) &&
              !(g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED) &&
                result->retry_after_us <= TT_RATE_LIMIT_US))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_debug ("status/fetch: %s", local_error->message);
          delay = MAX (delay, result->retry_after_us);
          result->retry_after_us = -1;
        }
      else if (status_is_done (&s))
        {
          set_published (result, publish_id, &s, username);
          return TRUE;
        }
      else if (g_strcmp0 (s.status, "FAILED") == 0)
        {
          set_failed (error, request->uploads, media, s.fail_reason);
          return FALSE;
        }

      if (g_get_monotonic_time () + delay > deadline)
        {
          /* Every byte is in; whether it goes out is TikTok's to say. */
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                               _("TikTok has the video but is still processing it. Whether it "
                                 "was published is checked again later."));
          return FALSE;
        }
      if (!_sm_platform_sleep (delay, cancellable, error))
        return FALSE;
      delay = MIN (delay * 2, TT_POLL_MAX_US);
    }
}

/* ---- creator_info and video/init ----------------------------------------- */

/* tiktok.disable_* as the user set it: -1 unset, else TRUE/FALSE. */
static int
tristate (const SmPublishRequest *request,
          const char             *key)
{
  if (option (request, key) == NULL)
    return -1;
  return sm_options_get_bool (request->options, key, FALSE);
}

/* What the creator allows now, checked against the post; the post_info
 * to send, or NULL with a REJECTED error. */
static JsonNode *
post_info_for (SoupSession             *session,
               const SmPublishRequest  *request,
               const SmPostMedia       *media,
               char                   **username,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  static const struct
  {
    const char *option;
    const char *creator_field;
    const char *message;
  } switches[] = {
    { "tiktok.disable_comment", "data.comment_disabled",
      N_("Comments are turned off for this TikTok account, so this post cannot turn them on. "
         "Remove tiktok.disable_comment=false, or allow comments in the TikTok app.") },
    { "tiktok.disable_duet", "data.duet_disabled",
      N_("Duets are turned off for this TikTok account, so this post cannot turn them on. "
         "Remove tiktok.disable_duet=false, or allow duets in the TikTok app.") },
    { "tiktok.disable_stitch", "data.stitch_disabled",
      N_("Stitches are turned off for this TikTok account, so this post cannot turn them on. "
         "Remove tiktok.disable_stitch=false, or allow stitches in the TikTok app.") },
  };
  static const char * const post_fields[] = { "disable_comment", "disable_duet", "disable_stitch" };
  g_autoptr(JsonNode) creator = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(SmMediaInfo) info = NULL;
  g_autoptr(GError) probe_error = NULL;
  g_autofree char *problem = NULL;
  const char *privacy = option (request, "tiktok.privacy");
  JsonNode *options;
  gboolean offered = FALSE;
  gint64 max_duration;

  creator = tt_post_json (session, TT_CREATOR_INFO_URL, request->tokens->access_token, NULL,
                          SM_CALL_READ, result, cancellable, error);
  if (creator == NULL)
    return NULL;
  *username = g_strdup (sm_json_get_string (creator, "data.creator_username"));

  /* Nobody chose: the most private level, which unaudited apps are held
   * to anyway (7.3). */
  if (privacy == NULL)
    privacy = "SELF_ONLY";
  options = sm_json_get_node (creator, "data.privacy_level_options");
  if (options != NULL && JSON_NODE_HOLDS_ARRAY (options))
    {
      JsonArray *array = json_node_get_array (options);
      g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
      g_auto(GStrv) list = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *level = json_array_get_string_element (array, i);

          if (level == NULL)
            continue;
          g_strv_builder_add (names, level);
          offered |= strcmp (level, privacy) == 0;
        }
      list = g_strv_builder_end (names);
      if (!offered)
        {
          g_autofree char *joined = g_strjoinv (", ", list);

          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("TikTok does not offer the privacy level %s to this account right now; "
                         "it offers %s. Choose one of those with tiktok.privacy."),
                       privacy, *joined != '\0' ? joined : _("none"));
          return NULL;
        }
    }

  /* Each account has its own longest video. */
  max_duration = sm_json_get_int (creator, "data.max_video_post_duration_sec");
  info = sm_media_probe (media->path, cancellable, &probe_error);
  if (info == NULL)
    {
      if (g_error_matches (probe_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&probe_error));
      else
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("The video for TikTok cannot be read: %s"), probe_error->message);
      return NULL;
    }
  if (!sm_media_rules_check_for_account (SM_NETWORK_TIKTOK, NULL, info,
                                         (guint) CLAMP (max_duration, 0, G_MAXUINT), &problem))
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED, problem);
      return NULL;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, request->text);
  json_builder_set_member_name (b, "privacy_level");
  json_builder_add_string_value (b, privacy);
  for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
    {
      JsonNode *node = sm_json_get_node (creator, switches[i].creator_field);
      gboolean creator_off = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                             json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
                             json_node_get_boolean (node);
      int wanted = tristate (request, switches[i].option);

      if (creator_off && wanted == FALSE)
        {
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                               _(switches[i].message));
          return NULL;
        }
      json_builder_set_member_name (b, post_fields[i]);
      json_builder_add_boolean_value (b, creator_off || wanted == TRUE);
    }
  json_builder_set_member_name (b, "brand_content_toggle");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "brand_organic_toggle");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* creator_info, then video/init: a new session, or NULL. */
static Session *
start_post (SoupSession             *session,
            const SmPublishRequest  *request,
            const SmPostMedia       *media,
            SmPublishResult         *result,
            GCancellable            *cancellable,
            GError                 **error)
{
  g_autoptr(JsonNode) post_info = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(Session) s = g_new0 (Session, 1);
  guint64 chunk_size;
  guint count;
  const char *publish_id;
  const char *upload_url;

  if (!chunk_layout ((guint64) media->size_bytes, &chunk_size, &count, error))
    return NULL;
  post_info = post_info_for (session, request, media, &s->username, result, cancellable, error);
  if (post_info == NULL)
    return NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "post_info");
  json_builder_add_value (b, g_steal_pointer (&post_info));
  json_builder_set_member_name (b, "source_info");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, "FILE_UPLOAD");
  json_builder_set_member_name (b, "video_size");
  json_builder_add_int_value (b, media->size_bytes);
  json_builder_set_member_name (b, "chunk_size");
  json_builder_add_int_value (b, (gint64) chunk_size);
  json_builder_set_member_name (b, "total_chunk_count");
  json_builder_add_int_value (b, count);
  json_builder_end_object (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);

  /* Nothing is public until the last chunk is in: opening a post again is
   * harmless, so this is a "prepare", not a create. */
  root = tt_post_json (session, TT_VIDEO_INIT_URL, request->tokens->access_token, body,
                       SM_CALL_PREPARE, result, cancellable, error);
  if (root == NULL)
    return NULL;
  publish_id = sm_json_get_string (root, "data.publish_id");
  upload_url = sm_json_get_string (root, "data.upload_url");
  if (publish_id == NULL || upload_url == NULL)
    {
      _sm_platform_set_bad_answer (error, TT_NAME, SM_CALL_PREPARE);
      return NULL;
    }
  s->publish_id = g_strdup (publish_id);
  /* Keep the https URL the network meant (the sandbox hands out those too). */
  s->upload_url = sm_http_unresolve_url (upload_url);
  s->chunk_size = chunk_size;
  s->chunk_count = count;
  s->expires_us = g_get_real_time () + TT_UPLOAD_URL_US;
  return g_steal_pointer (&s);
}

/* ---- the chunks ----------------------------------------------------------- */

typedef struct
{
  const SmUploadHooks *hooks;
  guint64              base;    /* bytes acknowledged before this chunk */
  guint64              sent;
  guint64              total;
} ChunkProgress;

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        len,
                    gpointer     user_data)
{
  ChunkProgress *p = user_data;

  p->sent += len;
  if (p->hooks->progress != NULL)
    p->hooks->progress (p->hooks->data, MIN (p->base + p->sent, p->total), p->total);
}

typedef enum
{
  CHUNK_DONE,     /* 2xx: TikTok has it */
  CHUNK_RETRY,    /* lost, 5xx, 408, a short 429: ask, then go on */
  CHUNK_EXPIRED,  /* the upload URL is gone: start over */
  CHUNK_FAILED,
} ChunkAnswer;

/* One PUT of the chunk at @start, @len bytes, streamed from @stream. */
static ChunkAnswer
put_chunk (SoupSession          *session,
           const Session        *s,
           const SmPostMedia    *media,
           const SmUploadHooks  *hooks,
           GInputStream         *stream,
           guint64               start,
           guint64               len,
           gint64               *retry_after_us,
           GCancellable         *cancellable,
           GError              **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) window = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *range = NULL;
  ChunkProgress progress = { hooks, start, 0, (guint64) media->size_bytes };
  gulong handler;
  guint status;

  *retry_after_us = -1;
  msg = sm_http_message_new ("PUT", s->upload_url, error);
  if (msg == NULL)
    return CHUNK_FAILED;
  window = sm_upload_window_new (stream, (goffset) start, (goffset) len);
  soup_message_set_request_body (msg, media->mime_type, window, (gssize) len);
  range = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GINT64_FORMAT,
                           start, start + len - 1, media->size_bytes);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Range", range);
  /* A chunk sent again after a reused connection died must not go out
   * behind our back (libsoup resends idempotent requests). */
  soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
  handler = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), &progress);

  g_debug ("PUT chunk %s", range);
  body = sm_http_send (session, msg, cancellable, &local_error);
  g_signal_handler_disconnect (msg, handler);
  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return CHUNK_FAILED;
        }
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                   _("The upload to TikTok was interrupted (%s). It will go on from where it "
                     "stopped."),
                   local_error->message);
      return CHUNK_RETRY;
    }

  status = soup_message_get_status (msg);
  g_debug ("PUT chunk %s -> %u", range, status);
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return CHUNK_DONE;

  if (g_bytes_get_size (body) > 0)
    root = sm_http_parse_json (body, NULL);
  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                           _("TikTok no longer has this upload; it starts again from the beginning."));
      return CHUNK_EXPIRED;
    }
  if (SOUP_STATUS_IS_SERVER_ERROR (status) || status == SOUP_STATUS_REQUEST_TIMEOUT ||
      status == SM_HTTP_STATUS_TOO_MANY_REQUESTS)
    {
      SmPublishResult retry = { .retry_after_us = -1 };

      tt_set_error (error, msg, root, SM_CALL_READ, &retry);
      *retry_after_us = retry.retry_after_us;
      return CHUNK_RETRY;
    }
  tt_set_error (error, msg, root, SM_CALL_PREPARE, NULL);
  return CHUNK_FAILED;
}

static gint64
backoff_us (guint failures)
{
  gint64 delay = MIN (G_USEC_PER_SEC << MIN (failures - 1, 10u), TT_BACKOFF_MAX_US);

  return delay + g_random_int_range (0, (gint32) (delay / 2) + 1);
}

/* Sends the chunks from @offset on.  TRUE once TikTok has every byte. */
static gboolean
send_chunks (SoupSession             *session,
             const SmPublishRequest  *request,
             const SmPostMedia       *media,
             const Session           *s,
             guint64                  offset,
             gboolean                *expired,
             SmPublishResult         *result,
             GCancellable            *cancellable,
             GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  guint64 total = (guint64) media->size_bytes;
  g_autoptr(GFile) file = g_file_new_for_path (media->path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *saved = session_to_string (s);
  guint failures = 0;

  *expired = FALSE;
  stream = g_file_read (file, cancellable, &local_error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable,
                                           &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("%s cannot be read (%s); put it back or attach it again."),
                     media->path, local_error->message);
      return FALSE;
    }
  if ((guint64) g_file_info_get_size (info) != total)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s is not the size it had when the upload started; attach it again."),
                   media->path);
      return FALSE;
    }

  while (offset < total)
    {
      guint index = (guint) (offset / s->chunk_size);
      guint64 len = index + 1 >= s->chunk_count ? total - offset : s->chunk_size;
      g_autoptr(GError) attempt_error = NULL;
      g_auto(Status) st = { NULL, NULL, NULL, -1 };
      gint64 retry_after = -1;

      switch (put_chunk (session, s, media, hooks, G_INPUT_STREAM (stream), offset, len,
                         &retry_after, cancellable, &attempt_error))
        {
        case CHUNK_DONE:
          offset += len;
          failures = 0;
          hooks->save (hooks->data, media->id, saved, (gint64) offset, NULL);
          continue;

        case CHUNK_EXPIRED:
          *expired = TRUE;
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return FALSE;

        case CHUNK_FAILED:
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return FALSE;

        case CHUNK_RETRY:
          break;

        default:
          g_assert_not_reached ();
        }

      if (++failures > TT_MAX_FAILURES || retry_after > TT_RATE_LIMIT_US)
        {
          /* The last chunk may have got there with its answer lost: then
           * the post may be on its way, and only status/fetch can tell. */
          if (offset + len == total &&
              !g_error_matches (attempt_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED))
            g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                         _("The last part of the video may not have reached TikTok (%s). "
                           "Whether it did is checked before anything is sent again."),
                         attempt_error->message);
          else
            {
              if (retry_after > 0)
                result->retry_after_us = retry_after;
              g_propagate_error (error, g_steal_pointer (&attempt_error));
            }
          return FALSE;
        }
      g_debug ("upload: try %u after: %s", failures, attempt_error->message);
      if (!_sm_platform_sleep (retry_after >= 0 ? retry_after : backoff_us (failures),
                               cancellable, error))
        return FALSE;

      /* Where TikTok stands is TikTok's to say, before another byte. */
      if (fetch_status (session, request->tokens->access_token, s->publish_id, &st, NULL,
                        cancellable, NULL))
        {
          if (g_strcmp0 (st.status, "FAILED") == 0)
            {
              set_failed (error, hooks, media, st.fail_reason);
              return FALSE;
            }
          if (status_is_done (&st) || st.uploaded_bytes == (gint64) total)
            offset = total;
          else if (st.uploaded_bytes >= 0 && (guint64) st.uploaded_bytes % s->chunk_size == 0 &&
                   (guint64) st.uploaded_bytes / s->chunk_size < s->chunk_count)
            offset = (guint64) st.uploaded_bytes;
          if (offset > 0)
            hooks->save (hooks->data, media->id, saved, (gint64) offset, NULL);
        }
    }

  if (hooks->progress != NULL)
    hooks->progress (hooks->data, total, total);
  return TRUE;
}

/* A saved session worth going on with, and from where; NULL to start over.
 * *@complete: every byte is in already. */
static Session *
resume_session (SoupSession             *session,
                const SmPublishRequest  *request,
                const SmPostMedia       *media,
                const SmUploadState     *state,
                guint64                 *offset,
                gboolean                *complete,
                GCancellable            *cancellable,
                GError                 **error)
{
  g_autoptr(Session) s = session_from_string (state->session);
  g_auto(Status) st = { NULL, NULL, NULL, -1 };
  g_autoptr(GError) local_error = NULL;
  guint64 chunk_size;
  guint count;

  *offset = 0;
  *complete = FALSE;
  if (s == NULL || g_get_real_time () > s->expires_us)
    return NULL;
  /* The file must be cut as it was announced. */
  if (!chunk_layout ((guint64) media->size_bytes, &chunk_size, &count, NULL) ||
      chunk_size != s->chunk_size || count != s->chunk_count)
    return NULL;

  if (!fetch_status (session, request->tokens->access_token, s->publish_id, &st, NULL,
                     cancellable, &local_error))
    {
      /* TikTok does not know it (any more): start over.  Anything else
       * (a blip, an expired token) is for the caller. */
      if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED))
        return NULL;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (g_strcmp0 (st.status, "FAILED") == 0)
    return NULL;
  if (status_is_done (&st) || st.uploaded_bytes == media->size_bytes)
    {
      *complete = TRUE;
      return g_steal_pointer (&s);
    }
  if (st.uploaded_bytes >= 0)
    *offset = (guint64) st.uploaded_bytes;
  else
    *offset = (guint64) MAX (state->acknowledged, 0);
  if (*offset % s->chunk_size != 0 || *offset / s->chunk_size >= s->chunk_count)
    return NULL;
  return g_steal_pointer (&s);
}

static gboolean
sm_platform_tiktok_publish (SmPlatform              *platform,
                            SoupSession             *session,
                            const SmPublishRequest  *request,
                            SmPublishResult         *result,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const SmPostMedia *media;
  g_autoptr(SmUploadState) state = NULL;
  g_autoptr(Session) s = NULL;
  g_autofree char *saved = NULL;
  guint64 offset = 0;
  gboolean complete = FALSE;

  if (request->media == NULL || request->media->len != 1 || hooks == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("A TikTok post takes exactly one video."));
      return FALSE;
    }
  media = g_ptr_array_index (request->media, 0);
  if (media->mime_type == NULL || !g_str_has_prefix (media->mime_type, "video/") ||
      media->size_bytes <= 0)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("So-me Studio posts videos to TikTok; attach a video."));
      return FALSE;
    }

  state = hooks->load (hooks->data, media->id);
  if (state != NULL && state->remote_media_id != NULL)
    {
      g_autoptr(Session) done = session_from_string (state->session);

      /* Every byte went up before: only the outcome is left to ask. */
      return wait_published (session, request, media, state->remote_media_id,
                             done != NULL ? done->username : NULL, result, cancellable, error);
    }

  if (state != NULL && state->session != NULL)
    {
      GError *local_error = NULL;

      s = resume_session (session, request, media, state, &offset, &complete, cancellable,
                          &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (s == NULL)
        forget_upload (hooks, media);
    }

  for (int attempt = 0; !complete; attempt++)
    {
      gboolean expired = FALSE;

      if (s == NULL)
        {
          s = start_post (session, request, media, result, cancellable, error);
          if (s == NULL)
            return FALSE;
          offset = 0;
          g_free (saved);
          saved = session_to_string (s);
          hooks->save (hooks->data, media->id, saved, 0, NULL);
        }

      if (send_chunks (session, request, media, s, offset, &expired, result, cancellable, error))
        break;
      if (!expired || attempt > 0)
        return FALSE;
      /* The upload URL is gone: a new post, from the first byte. */
      g_clear_error (error);
      forget_upload (hooks, media);
      g_clear_pointer (&s, session_free);
    }

  g_free (saved);
  saved = session_to_string (s);
  hooks->save (hooks->data, media->id, saved, media->size_bytes, s->publish_id);
  return wait_published (session, request, media, s->publish_id, s->username, result,
                         cancellable, error);
}

static gboolean
sm_platform_tiktok_find_published (SmPlatform              *platform,
                                   SoupSession             *session,
                                   const SmPublishRequest  *request,
                                   SmPublishResult         *result,
                                   GCancellable            *cancellable,
                                   GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const SmPostMedia *media;
  g_autoptr(SmUploadState) state = NULL;
  g_autoptr(Session) s = NULL;
  g_auto(Status) st = { NULL, NULL, NULL, -1 };
  g_autoptr(GError) local_error = NULL;
  const char *publish_id;

  /* A post exists only once every chunk is in; TikTok's status of the
   * publish says so for certain. */
  result->definitive = TRUE;
  if (request->media == NULL || request->media->len != 1 || hooks == NULL)
    return TRUE;
  media = g_ptr_array_index (request->media, 0);
  state = hooks->load (hooks->data, media->id);
  if (state == NULL)
    return TRUE;
  s = session_from_string (state->session);
  publish_id = state->remote_media_id != NULL ? state->remote_media_id
                                              : s != NULL ? s->publish_id : NULL;
  if (publish_id == NULL)
    return TRUE;

  if (!fetch_status (session, request->tokens->access_token, publish_id, &st, result,
                     cancellable, &local_error))
    {
      /* A publish TikTok does not know never made a post. */
      if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (status_is_done (&st))
    {
      set_published (result, publish_id, &st, s != NULL ? s->username : NULL);
      return TRUE;
    }
  if (g_strcmp0 (st.status, "FAILED") == 0)
    {
      set_failed (error, hooks, media, st.fail_reason);
      return FALSE;
    }
  if (state->remote_media_id == NULL && st.uploaded_bytes >= 0 &&
      st.uploaded_bytes < media->size_bytes)
    /* Not every byte is in: nothing can go out.  Sending again resumes. */
    return TRUE;

  if (state->remote_media_id == NULL && s != NULL)
    hooks->save (hooks->data, media->id, state->session, media->size_bytes, publish_id);
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("TikTok has the video and is still processing it. It is checked "
                         "again later."));
  return FALSE;
}

static gboolean
sm_platform_tiktok_revoke (SmPlatform                *platform,
                           SoupSession               *session,
                           const SmClientCredentials *creds,
                           const SmTokens            *tokens,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (tokens->access_token == NULL)
    return TRUE;

  /* Revoking the access token ends the user's authorization of the app. */
  msg = sm_http_message_new ("POST", TT_REVOKE_URL, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_form_body (msg,
                         "client_key", creds->client_id,
                         "client_secret", creds->client_secret,
                         "token", tokens->access_token,
                         NULL);
  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;
  if (!_sm_platform_status_ok (msg) || sm_json_get_string (root, "error") != NULL)
    {
      _sm_platform_set_oauth_error (error, TT_NAME, msg, root, SM_CALL_READ);
      return FALSE;
    }
  return TRUE;
}

static void
sm_platform_tiktok_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_tiktok_get_network;
  iface->get_oauth_spec = sm_platform_tiktok_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_tiktok_get_builtin_client_id;
  iface->exchange_code = sm_platform_tiktok_exchange_code;
  iface->refresh = sm_platform_tiktok_refresh;
  iface->publish_text = sm_platform_tiktok_publish_text;
  iface->publish = sm_platform_tiktok_publish;
  iface->find_published = sm_platform_tiktok_find_published;
  iface->revoke = sm_platform_tiktok_revoke;
}

static void
sm_platform_tiktok_class_init (SmPlatformTiktokClass *klass)
{
}

static void
sm_platform_tiktok_init (SmPlatformTiktok *self)
{
}

SmPlatform *
sm_platform_tiktok_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_TIKTOK, NULL);
}
