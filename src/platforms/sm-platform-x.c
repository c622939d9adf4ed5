/* sm-platform-x.c — X API v2: OAuth 2.0 with PKCE as a public client,
 * posts with up to 4 images or a video or GIF uploaded through the v2 media
 * endpoints, threads (x.thread) as reply chains, reconciliation through the
 * user's timeline.
 *
 * Uploads go INIT → APPEND segments streamed from disk → FINALIZE → STATUS
 * polls.  The media id, its expiry, the segment size and the bytes X
 * acknowledged are saved through SmUploadHooks after every segment, so a
 * restarted publisher goes on with the next segment while the id is valid;
 * a finished upload's id is reused by a retry.  A thread that stopped half
 * way goes on after the last part the timeline shows, never posting one
 * twice.
 *
 * See ../shared/docs/platform-apis.md, section 8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-x"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sm-options.h"
#include "sm-part-stream.h"
#include "sm-platforms-private.h"
#include "sm-store.h"
#include "sm-text.h"
#include "sm-upload.h"

#define X_NAME         "X"
#define X_API          "https://api.x.com/2"
#define X_TOKEN_URL    X_API "/oauth2/token"
#define X_REVOKE_URL   X_API "/oauth2/revoke"
#define X_MEDIA_URL    X_API "/media/upload"
/* How far before the first attempt a post may carry its timestamp. */
#define CLOCK_SLACK_US (60 * G_USEC_PER_SEC)

/* APPEND segments (8.4): 1 MiB is what Postiz and node-twitter-api-v2
 * send; big files go in 4 MiB, under v1.1's 5 MB cap, so that a 512 MB
 * video is 128 segments, far from the 1000 allowed. */
#define X_CHUNK_SMALL        (1024 * 1024)
#define X_CHUNK_LARGE        (4 * 1024 * 1024)
#define X_LARGE_FILE         (16 * 1024 * 1024)
#define X_MAX_SEGMENTS       1000
#define X_APPEND_TRIES       5
/* A saved media id is used only with this much of its life left. */
#define X_EXPIRY_MARGIN_US   (10 * 60 * G_USEC_PER_SEC)
/* How long processing may take before the outbox tries later. */
#define X_MAX_PROCESSING_US  (20 * 60 * G_USEC_PER_SEC)

struct _SmPlatformX
{
  GObject parent_instance;
};

static void sm_platform_x_iface_init (SmPlatformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformX, sm_platform_x, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_x_iface_init))

static const SmOAuthSpec x_oauth_spec = {
  .authorize_url = "https://x.com/i/oauth2/authorize",
  .scopes = "tweet.read tweet.write users.read offline.access media.write",
  .pkce = TRUE,
  .needs_secret = FALSE,
  .client_id_param = "client_id",
  .extra_params = NULL,
};

/* Unix seconds in header @name as a delay from now, or -1. */
static gint64
header_reset_delay_us (SoupMessageHeaders *headers,
                       const char         *name)
{
  const char *value = soup_message_headers_get_one (headers, name);
  gint64 reset;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, G_MAXINT64, &reset, NULL))
    return -1;

  return CLAMP (reset * G_USEC_PER_SEC - g_get_real_time (),
                0, (gint64) 86400 * G_USEC_PER_SEC);
}

static gboolean
header_is_zero (SoupMessageHeaders *headers,
                const char         *name)
{
  return g_strcmp0 (soup_message_headers_get_one (headers, name), "0") == 0;
}

/* When X lets us call again (section 8.5): Retry-After if given; the
 * 24-hour post cap when that is what ran out, since waiting for the
 * 15-minute window would only hit it again; else the 15-minute window. */
static gint64
x_retry_after_us (SoupMessage *msg)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  gint64 delay;

  delay = sm_http_retry_after_us (headers, g_get_real_time ());
  if (delay >= 0)
    return delay;

  if (header_is_zero (headers, "x-user-limit-24hour-remaining"))
    {
      delay = header_reset_delay_us (headers, "x-user-limit-24hour-reset");
      if (delay >= 0)
        return delay;
    }

  if (header_is_zero (headers, "x-app-limit-24hour-remaining"))
    {
      delay = header_reset_delay_us (headers, "x-app-limit-24hour-reset");
      if (delay >= 0)
        return delay;
    }

  return header_reset_delay_us (headers, "x-rate-limit-reset");
}

/* X's words from an RFC 7807 problem or a v1.1-style errors array. */
static const char *
x_error_detail (JsonNode *root)
{
  const char *detail;

  /* An invalid-request problem's "detail" is generic ("One or more
   * parameters to your request was invalid."); the errors array says which
   * and why, so it goes first. */
  detail = sm_json_get_string (root, "errors.0.message");
  if (detail == NULL)
    detail = sm_json_get_string (root, "errors.0.detail");
  if (detail == NULL)
    detail = sm_json_get_string (root, "detail");
  if (detail == NULL)
    detail = sm_json_get_string (root, "title");

  return detail;
}

static void
x_set_error (GError          **error,
             SoupMessage      *msg,
             JsonNode         *root,
             SmCallKind        kind,
             SmPublishResult  *result)
{
  if (soup_message_get_status (msg) == SM_HTTP_STATUS_TOO_MANY_REQUESTS)
    _sm_platform_set_rate_limited (error, X_NAME, x_retry_after_us (msg), result);
  else
    _sm_platform_set_status_error (error, X_NAME, msg, kind, x_error_detail (root), result);
}

/* Sends a call to the API (not the token endpoint) and returns its JSON
 * answer, mapping every failure. */
static JsonNode *
x_call (SoupSession      *session,
        SoupMessage      *msg,
        SmCallKind        kind,
        SmPublishResult  *result,
        GCancellable     *cancellable,
        GError          **error)
{
  g_autoptr(JsonNode) root = NULL;

  if (!_sm_platform_send (session, msg, kind, cancellable, &root, error))
    return NULL;

  if (!_sm_platform_status_ok (msg))
    {
      x_set_error (error, msg, root, kind, result);
      return NULL;
    }

  if (root == NULL)
    {
      _sm_platform_set_bad_answer (error, X_NAME, kind);
      return NULL;
    }

  return g_steal_pointer (&root);
}

static SmTokens *
x_token_call (SoupSession   *session,
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
      _sm_platform_set_oauth_error (error, X_NAME, msg, root, kind);
      return NULL;
    }

  tokens = _sm_platform_tokens_from_json (root);
  if (tokens == NULL)
    _sm_platform_set_bad_answer (error, X_NAME, kind);

  return tokens;
}

static char *
x_permalink (const char *id)
{
  /* The handle is not at hand here; /i/ resolves to the right profile. */
  g_autofree char *escaped = _sm_platform_escape (id);

  return g_strdup_printf ("https://x.com/i/status/%s", escaped);
}

static SmNetwork
sm_platform_x_get_network (SmPlatform *platform)
{
  return SM_NETWORK_X;
}

static const SmOAuthSpec *
sm_platform_x_get_oauth_spec (SmPlatform *platform)
{
  return &x_oauth_spec;
}

static const char *
sm_platform_x_get_builtin_client_id (SmPlatform *platform)
{
  return SM_X_CLIENT_ID;
}

static GPtrArray *
sm_platform_x_exchange_code (SmPlatform                *platform,
                             SoupSession               *session,
                             const SmClientCredentials *creds,
                             const char                *code,
                             const char                *redirect_uri,
                             const char                *code_verifier,
                             GCancellable              *cancellable,
                             GError                   **error)
{
  g_autoptr(SoupMessage) token_msg = NULL;
  g_autoptr(SoupMessage) me_msg = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(JsonNode) me = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *handle = NULL;
  const char *id;
  const char *username;

  if (code_verifier == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           _("X needs a PKCE code verifier to connect."));
      return NULL;
    }

  /* A public client: client_id in the body, no secret, no Basic auth. */
  token_msg = sm_http_message_new ("POST", X_TOKEN_URL, error);
  if (token_msg == NULL)
    return NULL;
  sm_http_set_form_body (token_msg,
                         "code", code,
                         "grant_type", "authorization_code",
                         "client_id", creds->client_id,
                         "redirect_uri", redirect_uri,
                         "code_verifier", code_verifier,
                         NULL);

  tokens = x_token_call (session, token_msg, SM_CALL_TOKEN, cancellable, error);
  if (tokens == NULL)
    return NULL;

  me_msg = sm_http_message_new ("GET", X_API "/users/me", error);
  if (me_msg == NULL)
    return NULL;
  sm_http_set_bearer (me_msg, tokens->access_token);

  me = x_call (session, me_msg, SM_CALL_READ, NULL, cancellable, error);
  if (me == NULL)
    return NULL;

  id = sm_json_get_string (me, "data.id");
  username = sm_json_get_string (me, "data.username");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, X_NAME, SM_CALL_READ);
      return NULL;
    }

  if (username != NULL)
    handle = g_strconcat ("@", username, NULL);

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_info_free);
  g_ptr_array_add (accounts,
                   _sm_platform_account_new (SM_NETWORK_X, id,
                                             sm_json_get_string (me, "data.name"),
                                             handle, tokens));

  return g_steal_pointer (&accounts);
}

static SmTokens *
sm_platform_x_refresh (SmPlatform                *platform,
                       SoupSession               *session,
                       const SmClientCredentials *creds,
                       const SmTokens            *old,
                       GCancellable              *cancellable,
                       GError                   **error)
{
  /* X rotates refresh tokens: the new one replaces the old. */
  return _sm_platform_refresh_grant (session, X_TOKEN_URL, creds, FALSE, old, x_token_call,
                                     _("The X sign-in has expired and cannot be renewed. "
                                       "Reconnect the account."),
                                     cancellable, error);
}

/* ---- threads ------------------------------------------------------------ */

/* The texts this target posts: the parts of a thread (x.thread), or the
 * text alone. */
static GStrv
x_parts (const SmPublishRequest *request)
{
  if (sm_options_get_bool (request->options, "x.thread", FALSE))
    return sm_text_split_thread (request->text);
  return g_strdupv ((char *[]) { (char *) request->text, NULL });
}

/* A post with files is listed with a t.co link to them after its text. */
static gboolean
x_listed_text_matches (const char *sent,
                       const char *seen,
                       gboolean    with_media)
{
  g_autoptr(GRegex) trailing = NULL;
  g_autofree char *stripped = NULL;

  if (_sm_platform_text_matches (sent, seen))
    return TRUE;
  if (!with_media || seen == NULL)
    return FALSE;
  trailing = g_regex_new ("\\s*https://t\\.co/\\S+\\s*$", 0, 0, NULL);
  stripped = g_regex_replace_literal (trailing, seen, -1, 0, "", 0, NULL);
  return stripped != NULL && _sm_platform_text_matches (sent, stripped);
}

static const char *
replied_to (JsonNode *post)
{
  JsonNode *refs = sm_json_get_node (post, "referenced_tweets");

  for (guint i = 0; refs != NULL && JSON_NODE_HOLDS_ARRAY (refs) &&
                    i < json_array_get_length (json_node_get_array (refs)); i++)
    {
      JsonNode *ref = json_array_get_element (json_node_get_array (refs), i);

      if (g_strcmp0 (sm_json_get_string (ref, "type"), "replied_to") == 0)
        return sm_json_get_string (ref, "id");
    }
  return NULL;
}

/* Which parts of the target are on the account's timeline since its first
 * attempt: the ids of a prefix of @parts, each a reply to the one before.
 * This is how a thread cut short (a crash, a lost answer, a rate limit)
 * goes on from the next part rather than posting one twice. */
static GPtrArray *
x_find_parts (SoupSession             *session,
              const SmPublishRequest  *request,
              char                   **parts,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) url = g_string_new (X_API "/users/");
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  gboolean with_media = request->media != NULL && request->media->len > 0;
  JsonArray *posts = NULL;
  JsonNode *data;

  /* Up to 100 posts since the first attempt: more than anyone posts in the
   * minutes a check takes. */
  g_string_append_printf (url, "%s/tweets?max_results=100", user);
  if (request->not_before_us > 0)
    {
      gint64 since = (request->not_before_us - CLOCK_SLACK_US) / G_USEC_PER_SEC;
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (MAX (since, 0));
      g_autofree char *stamp = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
      g_autofree char *escaped = _sm_platform_escape (stamp);

      g_string_append_printf (url, "&start_time=%s", escaped);
    }
  g_string_append (url, "&tweet.fields=created_at,referenced_tweets");

  msg = sm_http_message_new ("GET", url->str, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);

  root = x_call (session, msg, SM_CALL_READ, result, cancellable, error);
  if (root == NULL)
    return NULL;

  /* No "data" at all is how X says "no posts in that window"; errors
   * without data (an unknown user, a suspended account) say it cannot tell. */
  data = sm_json_get_node (root, "data");
  if (data == NULL && sm_json_get_node (root, "errors") != NULL)
    {
      _sm_platform_set_rejected (error, X_NAME, msg, SM_CALL_READ, x_error_detail (root));
      return NULL;
    }
  if (data != NULL && JSON_NODE_HOLDS_ARRAY (data))
    posts = json_node_get_array (data);

  for (guint part = 0; posts != NULL && parts[part] != NULL; part++)
    {
      const char *previous = part > 0 ? g_ptr_array_index (found, part - 1) : NULL;
      const char *match = NULL;

      /* Newest first: the oldest match is the one a first attempt made. */
      for (guint i = json_array_get_length (posts); i > 0 && match == NULL; i--)
        {
          JsonNode *post = json_array_get_element (posts, i - 1);
          const char *id = sm_json_get_string (post, "id");

          if (id != NULL
              && x_listed_text_matches (parts[part], sm_json_get_string (post, "text"),
                                        with_media && part == 0)
              && (previous == NULL || g_strcmp0 (replied_to (post), previous) == 0))
            match = id;
        }
      if (match == NULL)
        break;
      g_ptr_array_add (found, g_strdup (match));
    }

  return g_steal_pointer (&found);
}

/* POST /2/tweets for one part: its id. */
static char *
x_create_post (SoupSession             *session,
               const SmPublishRequest  *request,
               const char              *text,
               GPtrArray               *media_ids,
               const char              *reply_to,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *reply_settings = request->options != NULL ?
                               g_hash_table_lookup (request->options, "x.reply_settings") : NULL;
  const char *id;

  msg = sm_http_message_new ("POST", X_API "/tweets", error);
  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  if (media_ids != NULL && media_ids->len > 0)
    {
      json_builder_set_member_name (builder, "media");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "media_ids");
      json_builder_begin_array (builder);
      for (guint i = 0; i < media_ids->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (media_ids, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  if (reply_to != NULL)
    {
      json_builder_set_member_name (builder, "reply");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "in_reply_to_tweet_id");
      json_builder_add_string_value (builder, reply_to);
      json_builder_end_object (builder);
    }
  if (reply_settings != NULL)
    {
      json_builder_set_member_name (builder, "reply_settings");
      json_builder_add_string_value (builder, reply_settings);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  sm_http_set_json_body (msg, body);

  root = x_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (root == NULL)
    return NULL;

  id = sm_json_get_string (root, "data.id");
  if (id == NULL)
    {
      /* A 2xx with only an errors array: X took nothing. */
      if (sm_json_get_node (root, "errors") != NULL)
        _sm_platform_set_rejected (error, X_NAME, msg, SM_CALL_CREATE, x_error_detail (root));
      else
        _sm_platform_set_bad_answer (error, X_NAME, SM_CALL_CREATE);
      return NULL;
    }

  return g_strdup (id);
}

/* ---- media upload (8.4) ------------------------------------------------- */

/* What is saved through SmUploadHooks for one file: X's media id, when it
 * expires, the segment size it is sent in, and whether FINALIZE was sent;
 * the acknowledged offset is the bytes of the segments X answered. */
typedef struct
{
  char    *id;
  gint64   expires_us;
  gsize    chunk;
  gboolean finalized;
} XUpload;

static void
x_upload_clear (XUpload *upload)
{
  g_clear_pointer (&upload->id, g_free);
  upload->expires_us = 0;
  upload->chunk = 0;
  upload->finalized = FALSE;
}

static char *
x_upload_to_string (const XUpload *upload)
{
  return g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GSIZE_FORMAT " %d", upload->id,
                          upload->expires_us / G_USEC_PER_SEC, upload->chunk,
                          upload->finalized ? 1 : 0);
}

static gboolean
x_upload_parse (const char *text,
                XUpload    *upload)
{
  g_auto(GStrv) fields = text != NULL ? g_strsplit (text, " ", -1) : NULL;
  gint64 expires;
  guint64 chunk, finalized;

  if (fields == NULL || g_strv_length (fields) != 4 ||
      !g_ascii_string_to_unsigned (fields[0], 10, 1, G_MAXUINT64, NULL, NULL) ||
      !g_ascii_string_to_signed (fields[1], 10, 1, G_MAXINT64 / G_USEC_PER_SEC, &expires, NULL) ||
      !g_ascii_string_to_unsigned (fields[2], 10, X_CHUNK_SMALL, X_CHUNK_LARGE, &chunk, NULL) ||
      !g_ascii_string_to_unsigned (fields[3], 10, 0, 1, &finalized, NULL))
    return FALSE;
  upload->id = g_strdup (fields[0]);
  upload->expires_us = expires * G_USEC_PER_SEC;
  upload->chunk = (gsize) chunk;
  upload->finalized = finalized != 0;
  return TRUE;
}

/* What one publish sends, for progress. */
typedef struct
{
  const SmUploadHooks *hooks;
  guint64              done;   /* bytes of the files before this one */
  guint64              total;  /* of every file */
} XProgress;

static void
x_save (const SmPublishRequest *request,
        const SmPostMedia      *media,
        const XUpload          *upload,
        gint64                  acknowledged,
        const char             *remote_media_id)
{
  const SmUploadHooks *hooks = request->uploads;
  g_autofree char *session = NULL;

  if (hooks == NULL || hooks->save == NULL)
    return;
  session = upload != NULL && upload->id != NULL ? x_upload_to_string (upload) : NULL;
  hooks->save (hooks->data, media->id, session, acknowledged, remote_media_id);
}

static void
x_progress (XProgress *progress,
            guint64    sent)
{
  if (progress->hooks != NULL && progress->hooks->progress != NULL)
    progress->hooks->progress (progress->hooks->data, progress->done + sent, progress->total);
}

static const char *
x_media_category (const SmPostMedia *media)
{
  if (g_strcmp0 (media->mime_type, "image/gif") == 0)
    return "tweet_gif";
  if (media->mime_type != NULL && g_str_has_prefix (media->mime_type, "video/"))
    return "tweet_video";
  return "tweet_image";
}

/* A call of the upload: 404 (the media id is gone) becomes
 * SM_UPLOAD_ERROR_SESSION_EXPIRED, so that the upload starts over; a 403
 * about the media.write scope means connecting again. */
static JsonNode *
x_media_call (SoupSession      *session,
              SoupMessage      *msg,
              SmCallKind        kind,
              SmPublishResult  *result,
              GCancellable     *cancellable,
              GError          **error)
{
  g_autoptr(JsonNode) root = NULL;
  guint status;

  if (!_sm_platform_send (session, msg, kind, cancellable, &root, error))
    return NULL;

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_NOT_FOUND)
    {
      g_set_error_literal (error, SM_UPLOAD_ERROR, SM_UPLOAD_ERROR_SESSION_EXPIRED,
                           _("X no longer has this upload; it starts again from the beginning."));
      return NULL;
    }
  if (status == SOUP_STATUS_FORBIDDEN && x_error_detail (root) != NULL &&
      strstr (x_error_detail (root), "media.write") != NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                           _("X refused the upload: this account was connected without "
                             "permission to upload photos and videos (media.write). "
                             "Reconnect the account."));
      return NULL;
    }
  if (!_sm_platform_status_ok (msg))
    {
      x_set_error (error, msg, root, kind == SM_CALL_CREATE ? SM_CALL_PREPARE : kind, result);
      return NULL;
    }
  if (root == NULL)
    {
      _sm_platform_set_bad_answer (error, X_NAME, SM_CALL_PREPARE);
      return NULL;
    }
  return g_steal_pointer (&root);
}

static gboolean
x_initialize (SoupSession             *session,
              const SmPublishRequest  *request,
              const SmPostMedia       *media,
              XUpload                 *upload,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;
  gint64 lifetime;

  msg = sm_http_message_new ("POST", X_MEDIA_URL "/initialize", error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "media_type");
  json_builder_add_string_value (builder, media->mime_type);
  json_builder_set_member_name (builder, "total_bytes");
  json_builder_add_int_value (builder, media->size_bytes);
  json_builder_set_member_name (builder, "media_category");
  json_builder_add_string_value (builder, x_media_category (media));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  sm_http_set_json_body (msg, body);

  /* A media id nobody has attached yet: asking for another is harmless. */
  root = x_media_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
  if (root == NULL)
    return FALSE;
  id = sm_json_get_string (root, "data.id");
  lifetime = sm_json_get_int (root, "data.expires_after_secs");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, X_NAME, SM_CALL_PREPARE);
      return FALSE;
    }
  x_upload_clear (upload);
  upload->id = g_strdup (id);
  /* Without a lifetime, a day, as v1.1 documented. */
  upload->expires_us = g_get_real_time () +
                       (lifetime > 0 ? lifetime : 24 * 60 * 60) * G_USEC_PER_SEC;
  upload->chunk = media->size_bytes > X_LARGE_FILE ? X_CHUNK_LARGE : X_CHUNK_SMALL;
  return TRUE;
}

/* APPEND of one segment, streamed from @file; the send is a "create" so
 * that a connection lost after the segment went out says so. */
static gboolean
x_append (SoupSession             *session,
          const SmPublishRequest  *request,
          const SmPostMedia       *media,
          const XUpload           *upload,
          GInputStream            *file,
          goffset                  offset,
          goffset                  length,
          SmPublishResult         *result,
          GCancellable            *cancellable,
          GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *escaped = _sm_platform_escape (upload->id);
  g_autofree char *url = g_strdup_printf (X_MEDIA_URL "/%s/append", escaped);
  g_autofree char *index = g_strdup_printf ("%" G_GOFFSET_FORMAT,
                                            offset / (goffset) upload->chunk);
  g_autofree char *name = g_path_get_basename (media->path);
  const char *fields[] = { "segment_index", index, NULL };

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_part_stream_set_form_body (msg, fields, "media", name, "application/octet-stream", file,
                                offset, length);

  root = x_media_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  return root != NULL;
}

static JsonNode *
x_finalize (SoupSession             *session,
            const SmPublishRequest  *request,
            const XUpload           *upload,
            SmPublishResult         *result,
            GCancellable            *cancellable,
            GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *escaped = _sm_platform_escape (upload->id);
  g_autofree char *url = g_strdup_printf (X_MEDIA_URL "/%s/finalize", escaped);

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);
  return x_media_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
}

static JsonNode *
x_status (SoupSession             *session,
          const SmPublishRequest  *request,
          const XUpload           *upload,
          SmPublishResult         *result,
          GCancellable            *cancellable,
          GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *escaped = _sm_platform_escape (upload->id);
  g_autofree char *url = g_strdup_printf (X_MEDIA_URL "?command=STATUS&media_id=%s", escaped);

  msg = sm_http_message_new ("GET", url, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);
  return x_media_call (session, msg, SM_CALL_READ, result, cancellable, error);
}

/* Polls STATUS, as long as X's check_after_secs say, until the media is
 * ready; a failure is X's refusal of the file. */
static gboolean
x_wait_processed (SoupSession             *session,
                  const SmPublishRequest  *request,
                  const SmPostMedia       *media,
                  const XUpload           *upload,
                  JsonNode                *answer,
                  SmPublishResult         *result,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autoptr(JsonNode) current = json_node_ref (answer);
  gint64 deadline = g_get_monotonic_time () + X_MAX_PROCESSING_US;

  for (;;)
    {
      const char *state = sm_json_get_string (current, "data.processing_info.state");
      gint64 after;

      /* No processing_info: ready (8.4). */
      if (state == NULL || g_str_equal (state, "succeeded"))
        return TRUE;
      if (g_str_equal (state, "failed"))
        {
          g_autofree char *name = g_path_get_basename (media->path);
          const char *why = sm_json_get_string (current, "data.processing_info.error.message");

          if (why == NULL)
            why = sm_json_get_string (current, "data.processing_info.error.name");
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("X could not process %s: %s. Convert the file or choose another one."),
                       name, why != NULL ? why : _("no reason given"));
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("X is still processing the upload; the post will be tried again later."));
          return FALSE;
        }

      after = sm_json_get_int (current, "data.processing_info.check_after_secs");
      if (!_sm_platform_sleep (CLAMP (after, 1, 60) * G_USEC_PER_SEC, cancellable, error))
        return FALSE;
      g_clear_pointer (&current, json_node_unref);
      current = x_status (session, request, upload, result, cancellable, error);
      if (current == NULL)
        return FALSE;
    }
}

/* Sends @media's bytes from what @upload says X acknowledged (a new
 * INIT when it has no id), then FINALIZE and processing.  Fails with
 * SM_UPLOAD_ERROR_SESSION_EXPIRED when the upload must start over. */
static gboolean
x_upload_attempt (SoupSession             *session,
                  const SmPublishRequest  *request,
                  const SmPostMedia       *media,
                  XUpload                 *upload,
                  goffset                  acknowledged,
                  GInputStream            *file,
                  XProgress               *progress,
                  SmPublishResult         *result,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autoptr(JsonNode) answer = NULL;
  goffset total = media->size_bytes;

  if (upload->id == NULL)
    {
      if (!x_initialize (session, request, media, upload, result, cancellable, error))
        return FALSE;
      acknowledged = 0;
      x_save (request, media, upload, 0, NULL);
    }

  for (goffset offset = acknowledged; !upload->finalized && offset < total;)
    {
      goffset length = MIN ((goffset) upload->chunk, total - offset);
      gboolean maybe_stored = FALSE;

      for (guint tries = 1;; tries++)
        {
          g_autoptr(GError) local_error = NULL;

          if (x_append (session, request, media, upload, file, offset, length, result,
                        cancellable, &local_error))
            break;

          /* A segment whose answer was lost may be stored: sent again, X
           * refuses it as a duplicate, and only starting over is sure. */
          if (maybe_stored &&
              g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED))
            {
              g_set_error_literal (error, SM_UPLOAD_ERROR, SM_UPLOAD_ERROR_SESSION_EXPIRED,
                                   local_error->message);
              return FALSE;
            }
          if (tries >= X_APPEND_TRIES ||
              !(g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT) ||
                g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN)))
            {
              if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN))
                local_error->code = SM_PLATFORM_ERROR_TRANSIENT;
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          maybe_stored |= g_error_matches (local_error, SM_PLATFORM_ERROR,
                                           SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
          g_debug ("APPEND of segment %" G_GOFFSET_FORMAT ", try %u: %s",
                   offset / (goffset) upload->chunk, tries, local_error->message);
          if (!_sm_platform_sleep (MIN ((gint64) G_USEC_PER_SEC << (tries - 1), 30 * G_USEC_PER_SEC),
                                   cancellable, error))
            return FALSE;
        }

      offset += length;
      x_save (request, media, upload, offset, NULL);
      x_progress (progress, (guint64) offset);
    }

  if (!upload->finalized)
    {
      answer = x_finalize (session, request, upload, result, cancellable, error);
      if (answer == NULL)
        return FALSE;
      upload->finalized = TRUE;
      x_save (request, media, upload, total, NULL);
    }
  else
    {
      /* Finalized before the publisher stopped: ask where processing is. */
      answer = x_status (session, request, upload, result, cancellable, error);
      if (answer == NULL)
        return FALSE;
    }

  return x_wait_processed (session, request, media, upload, answer, result, cancellable, error);
}

/* Uploads one file, or reuses what an earlier attempt saved: the media id
 * of a finished upload while it is valid, or the upload's id and the
 * segments X acknowledged. */
static char *
x_upload_media (SoupSession             *session,
                const SmPublishRequest  *request,
                const SmPostMedia       *media,
                XProgress               *progress,
                SmPublishResult         *result,
                GCancellable            *cancellable,
                GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  g_autoptr(SmUploadState) saved = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (media->path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  XUpload upload = { 0 };
  goffset acknowledged = 0;
  gboolean usable;

  /* segment_index goes up to 999 (8.4); the media rules stop such files
   * long before this. */
  if (media->size_bytes > (gint64) X_CHUNK_LARGE * X_MAX_SEGMENTS)
    {
      g_autofree char *name = g_path_get_basename (media->path);

      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s is too large for X; choose a smaller file."), name);
      return NULL;
    }

  if (hooks != NULL && hooks->load != NULL)
    saved = hooks->load (hooks->data, media->id);
  usable = saved != NULL && x_upload_parse (saved->session, &upload) &&
           upload.expires_us - X_EXPIRY_MARGIN_US > g_get_real_time ();

  if (usable && saved->remote_media_id != NULL)
    {
      g_debug ("Media %" G_GINT64_FORMAT " was uploaded before as %s", media->id,
               saved->remote_media_id);
      x_upload_clear (&upload);
      x_progress (progress, (guint64) media->size_bytes);
      return g_strdup (saved->remote_media_id);
    }
  if (usable && saved->acknowledged >= 0 && saved->acknowledged <= media->size_bytes &&
      (saved->acknowledged % (goffset) upload.chunk == 0 || saved->acknowledged == media->size_bytes))
    acknowledged = saved->acknowledged;
  else
    x_upload_clear (&upload);

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      x_upload_clear (&upload);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("%s cannot be read (%s); put it back or attach it again."),
                     media->path, local_error->message);
      return NULL;
    }

  for (guint attempt = 0;; attempt++)
    {
      g_clear_error (&local_error);
      if (x_upload_attempt (session, request, media, &upload, acknowledged,
                            G_INPUT_STREAM (stream), progress, result, cancellable, &local_error))
        {
          char *id = g_steal_pointer (&upload.id);

          x_save (request, media, &(XUpload) { id, upload.expires_us, upload.chunk, TRUE },
                  media->size_bytes, id);
          x_upload_clear (&upload);
          return id;
        }

      if (g_error_matches (local_error, SM_UPLOAD_ERROR, SM_UPLOAD_ERROR_SESSION_EXPIRED) &&
          attempt == 0)
        {
          g_debug ("Upload of media %" G_GINT64_FORMAT " starts over: %s", media->id,
                   local_error->message);
          x_upload_clear (&upload);
          acknowledged = 0;
          x_save (request, media, NULL, 0, NULL);
          continue;
        }
      if (g_error_matches (local_error, SM_UPLOAD_ERROR, SM_UPLOAD_ERROR_SESSION_EXPIRED))
        {
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("X kept losing the upload (%s); it will be tried again later."),
                       local_error->message);
        }
      else
        {
          /* A file X will not take: nothing saved is worth resuming. */
          if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED))
            x_save (request, media, NULL, 0, NULL);
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      x_upload_clear (&upload);
      return NULL;
    }
}

/* Every file of the post, in order: X's media ids. */
static GPtrArray *
x_upload_all (SoupSession             *session,
              const SmPublishRequest  *request,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  XProgress progress = { request->uploads, 0, 0 };

  /* A grant from before media.write was asked for cannot upload: checked
   * here so that nothing is sent for nothing. */
  if (request->tokens->scope != NULL && *request->tokens->scope != '\0')
    {
      g_auto(GStrv) scopes = g_strsplit (request->tokens->scope, " ", -1);

      if (!g_strv_contains ((const char * const *) scopes, "media.write"))
        {
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                               _("This X account was connected without permission to upload "
                                 "photos and videos (media.write). Reconnect the account."));
          return NULL;
        }
    }

  for (guint i = 0; i < request->media->len; i++)
    progress.total += ((SmPostMedia *) g_ptr_array_index (request->media, i))->size_bytes;

  for (guint i = 0; i < request->media->len; i++)
    {
      const SmPostMedia *media = g_ptr_array_index (request->media, i);
      char *id = x_upload_media (session, request, media, &progress, result, cancellable, error);

      if (id == NULL)
        return NULL;
      g_ptr_array_add (ids, id);
      progress.done += media->size_bytes;
    }
  return g_steal_pointer (&ids);
}

/* ---- publishing --------------------------------------------------------- */

static gboolean
sm_platform_x_publish (SmPlatform              *platform,
                       SoupSession             *session,
                       const SmPublishRequest  *request,
                       SmPublishResult         *result,
                       GCancellable            *cancellable,
                       GError                 **error)
{
  g_auto(GStrv) parts = x_parts (request);
  guint n_parts = g_strv_length (parts);
  g_autoptr(GPtrArray) done = NULL;
  g_autoptr(GPtrArray) media_ids = NULL;
  g_autofree char *first = NULL;
  g_autofree char *previous = NULL;

  /* A thread that went out in part before goes on from the next part. */
  if (n_parts > 1)
    {
      done = x_find_parts (session, request, parts, result, cancellable, error);
      if (done == NULL)
        return FALSE;
      if (done->len > 0)
        {
          first = g_strdup (g_ptr_array_index (done, 0));
          previous = g_strdup (g_ptr_array_index (done, done->len - 1));
          g_debug ("%u of %u parts of the thread are out already", done->len, n_parts);
        }
    }

  /* The files go with the first part. */
  if (first == NULL && request->media != NULL && request->media->len > 0)
    {
      media_ids = x_upload_all (session, request, result, cancellable, error);
      if (media_ids == NULL)
        return FALSE;
    }

  for (guint i = done != NULL ? done->len : 0; i < n_parts; i++)
    {
      g_autoptr(GError) local_error = NULL;
      char *id = x_create_post (session, request, parts[i], i == 0 ? media_ids : NULL, previous,
                                result, cancellable, &local_error);

      if (id == NULL)
        {
          if (i > 0)
            g_prefix_error (&local_error,
                            _("The thread stopped at part %u of %u (the parts before it are "
                              "out, and it goes on from there): "), i + 1, n_parts);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_free (previous);
      previous = id;
      if (first == NULL)
        first = g_strdup (id);
    }

  result->remote_id = g_strdup (first);
  result->permalink = x_permalink (first);
  if (n_parts > 1)
    result->comment_on = g_strdup (previous);
  return TRUE;
}

static gboolean
sm_platform_x_find_published (SmPlatform              *platform,
                              SoupSession             *session,
                              const SmPublishRequest  *request,
                              SmPublishResult         *result,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  g_auto(GStrv) parts = x_parts (request);
  g_autoptr(GPtrArray) found = x_find_parts (session, request, parts, result, cancellable, error);

  if (found == NULL)
    return FALSE;

  /* A thread counts as out only whole: with a part missing, publishing
   * again goes on from it. */
  if (found->len == g_strv_length (parts))
    {
      result->remote_id = g_strdup (g_ptr_array_index (found, 0));
      result->permalink = x_permalink (result->remote_id);
      if (found->len > 1)
        result->comment_on = g_strdup (g_ptr_array_index (found, found->len - 1));
    }

  return TRUE;
}

/* The first comment on X is what people do by hand: a reply to the post
 * (to a thread's last part), without the post's reply settings. */
static gboolean
sm_platform_x_publish_comment (SmPlatform              *platform,
                               SoupSession             *session,
                               const SmPublishRequest  *request,
                               SmPublishResult         *result,
                               GCancellable            *cancellable,
                               GError                 **error)
{
  SmPublishRequest reply = *request;
  char *id;

  reply.options = NULL;
  id = x_create_post (session, &reply, request->text, NULL, request->remote_id, result,
                      cancellable, error);
  if (id == NULL)
    return FALSE;
  result->remote_id = id;
  result->permalink = x_permalink (id);
  return TRUE;
}

/* DELETE /2/tweets/{id}; one already gone counts. */
static gboolean
x_delete_one (SoupSession      *session,
              const char       *token,
              const char       *id,
              SmPublishResult  *result,
              GCancellable     *cancellable,
              GError          **error)
{
  g_autofree char *escaped = _sm_platform_escape (id);
  g_autofree char *url = g_strconcat (X_API "/tweets/", escaped, NULL);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("DELETE", url, error);
  g_autoptr(JsonNode) root = NULL;

  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, token);
  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;
  if (_sm_platform_status_ok (msg) || soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND)
    return TRUE;
  x_set_error (error, msg, root, SM_CALL_READ, result);
  return FALSE;
}

/* A thread goes whole: its replies first (found on the timeline as the
 * publisher found them), then the first part, whose id the target has. */
static gboolean
sm_platform_x_delete_published (SmPlatform              *platform,
                                SoupSession             *session,
                                const SmPublishRequest  *request,
                                SmPublishResult         *result,
                                GCancellable            *cancellable,
                                GError                 **error)
{
  g_auto(GStrv) parts = x_parts (request);

  if (g_strv_length (parts) > 1)
    {
      g_autoptr(GPtrArray) found = x_find_parts (session, request, parts, result, cancellable, error);

      if (found == NULL)
        return FALSE;
      if (found->len > 0 && g_strcmp0 (g_ptr_array_index (found, 0), request->remote_id) == 0)
        for (guint i = found->len; i > 1; i--)
          if (!x_delete_one (session, request->tokens->access_token, g_ptr_array_index (found, i - 1),
                             result, cancellable, error))
            return FALSE;
    }
  return x_delete_one (session, request->tokens->access_token, request->remote_id, result,
                       cancellable, error);
}

static gboolean
x_revoke_one (SoupSession               *session,
              const SmClientCredentials *creds,
              const char                *token,
              const char                *hint,
              GCancellable              *cancellable,
              GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;

  msg = sm_http_message_new ("POST", X_REVOKE_URL, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_form_body (msg,
                         "token", token,
                         "token_type_hint", hint,
                         "client_id", creds->client_id,
                         NULL);

  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;

  if (!_sm_platform_status_ok (msg))
    {
      _sm_platform_set_oauth_error (error, X_NAME, msg, root, SM_CALL_READ);
      return FALSE;
    }

  return TRUE;
}

static gboolean
sm_platform_x_revoke (SmPlatform                *platform,
                      SoupSession               *session,
                      const SmClientCredentials *creds,
                      const SmTokens            *tokens,
                      GCancellable              *cancellable,
                      GError                   **error)
{
  /* Revoking the refresh token ends the grant; the access token is revoked
   * too so that it stops working at once rather than in two hours. */
  if (tokens->refresh_token != NULL
      && !x_revoke_one (session, creds, tokens->refresh_token, "refresh_token",
                        cancellable, error))
    return FALSE;

  if (tokens->access_token != NULL)
    return x_revoke_one (session, creds, tokens->access_token, "access_token",
                         cancellable, error);

  return TRUE;
}

static void
sm_platform_x_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_x_get_network;
  iface->get_oauth_spec = sm_platform_x_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_x_get_builtin_client_id;
  iface->exchange_code = sm_platform_x_exchange_code;
  iface->refresh = sm_platform_x_refresh;
  iface->publish_text = sm_platform_x_publish;
  iface->publish = sm_platform_x_publish;
  iface->find_published = sm_platform_x_find_published;
  iface->revoke = sm_platform_x_revoke;
  iface->delete_published = sm_platform_x_delete_published;
  iface->publish_comment = sm_platform_x_publish_comment;
}

static void
sm_platform_x_class_init (SmPlatformXClass *klass)
{
}

static void
sm_platform_x_init (SmPlatformX *self)
{
}

SmPlatform *
sm_platform_x_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_X, NULL);
}
