/* sm-platform-youtube.c — YouTube Data API v3: Google OAuth for desktop
 * apps (PKCE, and a client secret that is not secret but required), one
 * account per channel, Google's error envelope.  Videos go up through the
 * resumable protocol (sm-upload.h); a post without one is refused.
 *
 * See ../shared/docs/platform-apis.md, section 1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-youtube"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-options.h"
#include "sm-platforms-private.h"
#include "sm-store.h"
#include "sm-upload.h"

#define YT_NAME               "YouTube"
#define YT_TOKEN_URL          "https://oauth2.googleapis.com/token"
#define YT_REVOKE_URL         "https://oauth2.googleapis.com/revoke"
#define YT_API                "https://www.googleapis.com/youtube/v3"
/* The daily per-channel upload cap: "retry in 24 h" (1.2). */
#define YT_UPLOAD_LIMIT_US    G_TIME_SPAN_DAY
/* The Data API quota resets at midnight Pacific time (1.5). */
#define YT_QUOTA_ZONE         "America/Los_Angeles"
#define YT_THUMBNAIL_URL      "https://www.googleapis.com/upload/youtube/v3/thumbnails/set"
/* Custom thumbnails: JPEG or PNG, 2 MB at most. */
#define YT_THUMBNAIL_MAX      (2 * 1024 * 1024)

struct _SmPlatformYoutube
{
  GObject parent_instance;
};

static void sm_platform_youtube_iface_init (SmPlatformInterface *iface);
static gboolean set_thumbnail (SoupSession   *session,
                               const char    *token,
                               const char    *video_id,
                               const char    *path,
                               GCancellable  *cancellable,
                               GError       **error);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformYoutube, sm_platform_youtube, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_youtube_iface_init))

static const SmOAuthSpec youtube_oauth_spec = {
  .authorize_url = "https://accounts.google.com/o/oauth2/v2/auth",
  .scopes = "https://www.googleapis.com/auth/youtube.upload "
            "https://www.googleapis.com/auth/youtube "
            "https://www.googleapis.com/auth/youtube.readonly "
            /* commentThreads.insert: the first comment (1.1). */
            "https://www.googleapis.com/auth/youtube.force-ssl",
  .pkce = TRUE,
  /* Desktop clients get a secret too, and the token call needs it (1.1). */
  .needs_secret = TRUE,
  .client_id_param = "client_id",
  /* A refresh token only comes with offline access, and again on a
   * reconnect only with consent asked anew. */
  .extra_params = "access_type=offline&prompt=consent",
};

static gboolean
reason_is (const char *reason,
           const char *wanted)
{
  return g_strcmp0 (reason, wanted) == 0;
}

static SmTokens *
yt_token_call (SoupSession   *session,
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
      /* invalid_grant "Token has been expired or revoked." on a refresh is
       * a dead grant: REVOKED (section 10). */
      _sm_platform_set_oauth_error (error, YT_NAME, msg, root, kind);
      return NULL;
    }

  tokens = _sm_platform_tokens_from_json (root);
  if (tokens == NULL)
    _sm_platform_set_bad_answer (error, YT_NAME, kind);

  return tokens;
}

static SmNetwork
sm_platform_youtube_get_network (SmPlatform *platform)
{
  return SM_NETWORK_YOUTUBE;
}

static const SmOAuthSpec *
sm_platform_youtube_get_oauth_spec (SmPlatform *platform)
{
  return &youtube_oauth_spec;
}

static const char *
sm_platform_youtube_get_builtin_client_id (SmPlatform *platform)
{
  return SM_YOUTUBE_CLIENT_ID;
}

static GPtrArray *
sm_platform_youtube_exchange_code (SmPlatform                *platform,
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
  g_autoptr(JsonNode) channels = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  JsonNode *items;

  if (code_verifier == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           _("YouTube needs a PKCE code verifier to connect."));
      return NULL;
    }

  msg = sm_http_message_new ("POST", YT_TOKEN_URL, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_form_body (msg,
                         "code", code,
                         "client_id", creds->client_id,
                         "client_secret", creds->client_secret,
                         "redirect_uri", redirect_uri,
                         "grant_type", "authorization_code",
                         "code_verifier", code_verifier,
                         NULL);

  tokens = yt_token_call (session, msg, SM_CALL_TOKEN, cancellable, error);
  if (tokens == NULL)
    return NULL;

  channels = _sm_platform_youtube_get (session,
                                       YT_API "/channels?part=snippet,contentDetails,statistics"
                                       "&mine=true",
                                       tokens->access_token, SM_CALL_READ, NULL,
                                       cancellable, error);
  if (channels == NULL)
    return NULL;

  /* One Google account can own several channels (a personal one and brand
   * accounts); mine=true lists the one the user picked at consent. */
  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_info_free);
  items = sm_json_get_node (channels, "items");
  for (guint i = 0; items != NULL && JSON_NODE_HOLDS_ARRAY (items)
                    && i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonNode *channel = json_array_get_element (json_node_get_array (items), i);
      const char *id = sm_json_get_string (channel, "id");

      if (id == NULL)
        continue;
      g_ptr_array_add (accounts,
                       _sm_platform_account_new (SM_NETWORK_YOUTUBE, id,
                                                 sm_json_get_string (channel, "snippet.title"),
                                                 sm_json_get_string (channel, "snippet.customUrl"),
                                                 tokens));
    }

  if (accounts->len == 0)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("This Google account has no YouTube channel yet. Create one on "
                             "YouTube, then connect again."));
      return NULL;
    }

  return g_steal_pointer (&accounts);
}

static SmTokens *
sm_platform_youtube_refresh (SmPlatform                *platform,
                             SoupSession               *session,
                             const SmClientCredentials *creds,
                             const SmTokens            *old,
                             GCancellable              *cancellable,
                             GError                   **error)
{
  return _sm_platform_refresh_grant (session, YT_TOKEN_URL, creds, TRUE, old, yt_token_call,
                                     _("The YouTube sign-in has expired and cannot be renewed. "
                                       "Reconnect the account."),
                                     cancellable, error);
}

static gboolean
sm_platform_youtube_publish_text (SmPlatform              *platform,
                                  SoupSession             *session,
                                  const SmPublishRequest  *request,
                                  SmPublishResult         *result,
                                  GCancellable            *cancellable,
                                  GError                 **error)
{
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("YouTube posts need a video; add one."));
  return FALSE;
}

#define YT_UPLOAD_URL "https://www.googleapis.com/upload/youtube/v3/videos"

static char *
yt_permalink (const char *video_id)
{
  return g_strdup_printf ("https://www.youtube.com/watch?v=%s", video_id);
}

static const char *
option (const SmPublishRequest *request,
        const char             *key)
{
  return request->options ? g_hash_table_lookup (request->options, key) : NULL;
}

/* The video resource (1.2): the title is youtube.title, or the text's first
 * line cut to 100 characters; the text is the description. */
static JsonNode *
video_resource (const SmPublishRequest *request)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *title = option (request, "youtube.title");
  const char *tags = option (request, "youtube.tags");
  const char *privacy = option (request, "youtube.privacy");
  const char *publish_at = option (request, "youtube.publish_at");
  g_autofree char *first_line = NULL;

  if (title == NULL)
    {
      g_autofree char *line = g_strndup (request->text, strcspn (request->text, "\n"));
      first_line = g_utf8_substring (line, 0, MIN (g_utf8_strlen (line, -1), 100));
      title = *first_line ? first_line : _("Video");
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "snippet");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, request->text);
  json_builder_set_member_name (b, "categoryId");
  json_builder_add_string_value (b, option (request, "youtube.category") ? option (request, "youtube.category") : "22");
  if (tags != NULL)
    {
      g_auto(GStrv) list = g_strsplit (tags, ",", -1);

      json_builder_set_member_name (b, "tags");
      json_builder_begin_array (b);
      for (guint i = 0; list[i]; i++)
        if (*g_strstrip (list[i]))
          json_builder_add_string_value (b, list[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  /* publishAt only takes effect on a private video (1.2). */
  json_builder_set_member_name (b, "privacyStatus");
  json_builder_add_string_value (b, publish_at ? "private" : privacy ? privacy : "private");
  if (publish_at)
    {
      json_builder_set_member_name (b, "publishAt");
      json_builder_add_string_value (b, publish_at);
    }
  json_builder_set_member_name (b, "selfDeclaredMadeForKids");
  json_builder_add_boolean_value (b, sm_options_get_bool (request->options, "youtube.made_for_kids", FALSE));
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Opens an upload session; the session URL, as the network wrote it. */
static char *
start_session (SoupSession             *session,
               const SmPublishRequest  *request,
               const SmPostMedia       *media,
               GCancellable            *cancellable,
               GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) body = video_resource (request);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *length = g_strdup_printf ("%" G_GINT64_FORMAT, media->size_bytes);
  gboolean notify = sm_options_get_bool (request->options, "youtube.notify_subscribers", TRUE);
  g_autofree char *url = g_strconcat (YT_UPLOAD_URL "?uploadType=resumable&part=snippet,status",
                                      notify ? "" : "&notifySubscribers=false", NULL);
  SoupMessageHeaders *headers;
  const char *location;

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_json_body (msg, body);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "X-Upload-Content-Length", length);
  soup_message_headers_replace (headers, "X-Upload-Content-Type", media->mime_type);

  /* Nothing exists until the last byte arrives: opening a session again
   * is safe, so this is a "prepare" call, not a create. */
  if (!_sm_platform_send (session, msg, SM_CALL_PREPARE, cancellable, &root, error))
    return NULL;
  if (!_sm_platform_status_ok (msg))
    {
      _sm_platform_youtube_set_error (error, msg, root, SM_CALL_PREPARE, NULL);
      return NULL;
    }
  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  if (location == NULL)
    {
      _sm_platform_set_bad_answer (error, YT_NAME, SM_CALL_PREPARE);
      return NULL;
    }
  /* Keep the https URL the network meant (the sandbox hands out those too). */
  return sm_http_unresolve_url (location);
}

typedef struct
{
  const SmUploadHooks *hooks;
  gint64               media_id;
  const char          *session_url;
  goffset              saved;
} UploadProgress;

static void
upload_progress_cb (goffset  sent,
                    goffset  acknowledged,
                    goffset  total,
                    gpointer user_data)
{
  UploadProgress *p = user_data;

  if (acknowledged != p->saved)
    {
      p->saved = acknowledged;
      p->hooks->save (p->hooks->data, p->media_id, p->session_url, acknowledged, NULL);
    }
  if (p->hooks->progress)
    p->hooks->progress (p->hooks->data, (guint64) sent, (guint64) total);
}

static gboolean
sm_platform_youtube_publish (SmPlatform              *platform,
                             SoupSession             *session,
                             const SmPublishRequest  *request,
                             SmPublishResult         *result,
                             GCancellable            *cancellable,
                             GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const SmPostMedia *media;
  g_autoptr(SmUploadState) state = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *session_url = NULL;
  goffset offset = 0;

  if (request->media == NULL || request->media->len != 1 || hooks == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("A YouTube upload takes exactly one video."));
      return FALSE;
    }
  media = g_ptr_array_index (request->media, 0);
  file = g_file_new_for_path (media->path);

  state = hooks->load (hooks->data, media->id);
  if (state != NULL && state->remote_media_id != NULL)
    {
      /* Uploaded before: the video exists. */
      result->remote_id = g_strdup (state->remote_media_id);
      result->permalink = yt_permalink (state->remote_media_id);
      return TRUE;
    }
  if (state != NULL && state->session != NULL)
    {
      session_url = g_strdup (state->session);
      offset = state->acknowledged;
    }

  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(JsonNode) final = NULL;
      g_autoptr(GError) local_error = NULL;
      UploadProgress progress = { hooks, media->id, NULL, offset };
      goffset acknowledged = offset;
      const char *id;

      if (session_url == NULL)
        {
          session_url = start_session (session, request, media, cancellable, error);
          if (session_url == NULL)
            return FALSE;
          offset = 0;
          progress.saved = 0;
          hooks->save (hooks->data, media->id, session_url, 0, NULL);
        }
      progress.session_url = session_url;

      if (!sm_upload_resumable_put (session, session_url, file, media->size_bytes, offset,
                                    SM_UPLOAD_DEFAULT_CHUNK_SIZE, media->mime_type,
                                    request->tokens->access_token, upload_progress_cb, &progress,
                                    &acknowledged, &final, cancellable, &local_error))
        {
          if (g_error_matches (local_error, SM_UPLOAD_ERROR, SM_UPLOAD_ERROR_SESSION_EXPIRED) && attempt == 0)
            {
              /* YouTube forgot the session: a new one, from byte 0. */
              hooks->save (hooks->data, media->id, NULL, 0, NULL);
              g_clear_pointer (&session_url, g_free);
              continue;
            }
          if (acknowledged != progress.saved)
            hooks->save (hooks->data, media->id, session_url, acknowledged, NULL);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      id = sm_json_get_string (final, "id");
      if (id == NULL)
        {
          _sm_platform_set_bad_answer (error, YT_NAME, SM_CALL_CREATE);
          return FALSE;
        }
      hooks->save (hooks->data, media->id, session_url, media->size_bytes, id);
      result->remote_id = g_strdup (id);
      result->permalink = yt_permalink (id);

      /* The video is out either way: a refused thumbnail is said, not
       * fatal (an unverified channel cannot set one). */
      if (option (request, "youtube.thumbnail") != NULL)
        {
          g_autoptr(GError) thumb_error = NULL;

          if (!set_thumbnail (session, request->tokens->access_token, id,
                              option (request, "youtube.thumbnail"), cancellable, &thumb_error))
            result->warning = g_strdup_printf (_("The custom thumbnail was not set: %s"),
                                               thumb_error->message);
        }
      return TRUE;
    }

  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("YouTube kept losing the upload session; the video will be sent again later."));
  return FALSE;
}

static gboolean
sm_platform_youtube_find_published (SmPlatform              *platform,
                                    SoupSession             *session,
                                    const SmPublishRequest  *request,
                                    SmPublishResult         *result,
                                    GCancellable            *cancellable,
                                    GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const SmPostMedia *media;
  g_autoptr(SmUploadState) state = NULL;
  g_autoptr(JsonNode) final = NULL;
  goffset acknowledged = 0;
  const char *id;

  /* A video exists only once its last byte arrived: ask the session.  Its
   * answer is certain, unlike a listing that may lag. */
  result->definitive = TRUE;
  if (request->media == NULL || request->media->len != 1 || hooks == NULL)
    return TRUE;
  media = g_ptr_array_index (request->media, 0);
  state = hooks->load (hooks->data, media->id);
  if (state == NULL || state->session == NULL)
    return TRUE;
  if (state->remote_media_id != NULL)
    {
      result->remote_id = g_strdup (state->remote_media_id);
      result->permalink = yt_permalink (state->remote_media_id);
      return TRUE;
    }
  if (!sm_upload_query_offset (session, state->session, media->size_bytes,
                               request->tokens->access_token, &acknowledged, &final,
                               cancellable, error))
    {
      /* A forgotten session never made a video. */
      if (error && g_error_matches (*error, SM_UPLOAD_ERROR, SM_UPLOAD_ERROR_SESSION_EXPIRED))
        {
          g_clear_error (error);
          return TRUE;
        }
      return FALSE;
    }
  id = final ? sm_json_get_string (final, "id") : NULL;
  if (id != NULL)
    {
      hooks->save (hooks->data, media->id, state->session, media->size_bytes, id);
      result->remote_id = g_strdup (id);
      result->permalink = yt_permalink (id);
    }
  else if (acknowledged != state->acknowledged)
    hooks->save (hooks->data, media->id, state->session, acknowledged, NULL);
  return TRUE;
}

static gboolean
sm_platform_youtube_revoke (SmPlatform                *platform,
                            SoupSession               *session,
                            const SmClientCredentials *creds,
                            const SmTokens            *tokens,
                            GCancellable              *cancellable,
                            GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *token = tokens->refresh_token != NULL ? tokens->refresh_token : tokens->access_token;

  if (token == NULL)
    return TRUE;

  /* Either token ends the whole grant.  In the body rather than the
   * documented ?token=, which Google accepts too, so that it stays out of
   * URLs. */
  msg = sm_http_message_new ("POST", YT_REVOKE_URL, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_form_body (msg, "token", token, NULL);

  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;

  if (!_sm_platform_status_ok (msg))
    {
      /* Already expired or revoked: nothing left to end. */
      if (soup_message_get_status (msg) == SOUP_STATUS_BAD_REQUEST
          && reason_is (sm_json_get_string (root, "error"), "invalid_token"))
        return TRUE;

      _sm_platform_set_oauth_error (error, YT_NAME, msg, root, SM_CALL_READ);
      return FALSE;
    }

  return TRUE;
}

/* thumbnails.set (1.2): the image is at most 2 MB, so it is sent whole. */
static gboolean
set_thumbnail (SoupSession   *session,
               const char    *token,
               const char    *video_id,
               const char    *path,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *escaped = g_uri_escape_string (video_id, NULL, FALSE);
  g_autofree char *url = g_strconcat (YT_THUMBNAIL_URL "?videoId=", escaped, NULL);
  g_autofree char *name = g_filename_display_basename (path);
  const char *type;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (info == NULL)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("The thumbnail %s is gone; choose it again."), name);
      return FALSE;
    }
  type = g_file_info_get_content_type (info);
  if (g_strcmp0 (type, "image/jpeg") != 0 && g_strcmp0 (type, "image/png") != 0)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("YouTube thumbnails must be JPEG or PNG images; %s is not."), name);
      return FALSE;
    }
  if (g_file_info_get_size (info) > YT_THUMBNAIL_MAX)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("YouTube thumbnails can be 2 MB at most; %s is larger. Save it smaller."), name);
      return FALSE;
    }
  bytes = g_file_load_bytes (file, cancellable, NULL, error);
  if (bytes == NULL)
    return FALSE;

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, token);
  soup_message_set_request_body_from_bytes (msg, type, bytes);
  root = _sm_platform_youtube_call (session, msg, SM_CALL_READ, NULL, cancellable, error);
  return root != NULL;
}

static gboolean
sm_platform_youtube_update_published (SmPlatform              *platform,
                                      SoupSession             *session,
                                      const SmPublishRequest  *request,
                                      SmPublishResult         *result,
                                      GCancellable            *cancellable,
                                      GError                 **error)
{
  g_autoptr(JsonNode) body = video_resource (request);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *thumbnail = option (request, "youtube.thumbnail");

  /* videos.update replaces the parts it is given: the whole snippet and
   * status go, with the id (1.2). */
  json_object_set_string_member (json_node_get_object (body), "id", request->remote_id);
  msg = sm_http_message_new ("PUT", YT_API "/videos?part=snippet,status", error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_json_body (msg, body);
  /* Setting the same fields twice ends the same: safe to repeat. */
  root = _sm_platform_youtube_call (session, msg, SM_CALL_READ, result, cancellable, error);
  if (root == NULL)
    return FALSE;

  if (thumbnail != NULL &&
      !set_thumbnail (session, request->tokens->access_token, request->remote_id, thumbnail,
                      cancellable, error))
    {
      g_prefix_error (error, _("The video’s details were changed, but not its thumbnail: "));
      return FALSE;
    }
  result->remote_id = g_strdup (request->remote_id);
  result->permalink = yt_permalink (request->remote_id);
  return TRUE;
}

static gboolean
sm_platform_youtube_delete_published (SmPlatform              *platform,
                                      SoupSession             *session,
                                      const SmPublishRequest  *request,
                                      SmPublishResult         *result,
                                      GCancellable            *cancellable,
                                      GError                 **error)
{
  g_autofree char *escaped = g_uri_escape_string (request->remote_id, NULL, FALSE);
  g_autofree char *url = g_strconcat (YT_API "/videos?id=", escaped, NULL);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("DELETE", url, error);
  g_autoptr(JsonNode) root = NULL;

  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;
  /* Gone already (deleted on youtube.com): what was asked is true. */
  if (_sm_platform_status_ok (msg) || soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND)
    return TRUE;
  _sm_platform_youtube_set_error (error, msg, root, SM_CALL_READ, result);
  return FALSE;
}

/* commentThreads.insert (1.2, 50 units): a top-level comment by the
 * channel under its video. */
static gboolean
sm_platform_youtube_publish_comment (SmPlatform              *platform,
                                     SoupSession             *session,
                                     const SmPublishRequest  *request,
                                     SmPublishResult         *result,
                                     GCancellable            *cancellable,
                                     GError                 **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "snippet");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "channelId");
  json_builder_add_string_value (builder, request->account_remote_id);
  json_builder_set_member_name (builder, "videoId");
  json_builder_add_string_value (builder, request->remote_id);
  json_builder_set_member_name (builder, "topLevelComment");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "snippet");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "textOriginal");
  json_builder_add_string_value (builder, request->text);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  msg = sm_http_message_new ("POST", YT_API "/commentThreads?part=snippet", error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_json_body (msg, body);
  root = _sm_platform_youtube_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (root == NULL)
    return FALSE;
  id = sm_json_get_string (root, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, YT_NAME, SM_CALL_CREATE);
      return FALSE;
    }
  result->remote_id = g_strdup (id);
  return TRUE;
}

static void
sm_platform_youtube_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_youtube_get_network;
  iface->get_oauth_spec = sm_platform_youtube_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_youtube_get_builtin_client_id;
  iface->exchange_code = sm_platform_youtube_exchange_code;
  iface->refresh = sm_platform_youtube_refresh;
  iface->publish_text = sm_platform_youtube_publish_text;
  iface->publish = sm_platform_youtube_publish;
  iface->find_published = sm_platform_youtube_find_published;
  iface->revoke = sm_platform_youtube_revoke;
  iface->update_published = sm_platform_youtube_update_published;
  iface->delete_published = sm_platform_youtube_delete_published;
  iface->publish_comment = sm_platform_youtube_publish_comment;
}

static void
sm_platform_youtube_class_init (SmPlatformYoutubeClass *klass)
{
}

static void
sm_platform_youtube_init (SmPlatformYoutube *self)
{
}

SmPlatform *
sm_platform_youtube_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_YOUTUBE, NULL);
}

/* Shared with the rest of src/platforms (sm-platforms-private.h) */

gint64
_sm_platform_youtube_quota_reset_us (gint64 now_us)
{
  g_autoptr(GTimeZone) pacific = g_time_zone_new_identifier (YT_QUOTA_ZONE);
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) there = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) tomorrow = NULL;

  /* Without time zone data, Pacific Standard Time is off by an hour at
   * most, half the year. */
  if (pacific == NULL)
    pacific = g_time_zone_new_offset (-8 * 60 * 60);

  now = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
  there = g_date_time_to_timezone (now, pacific);
  today = g_date_time_new (pacific, g_date_time_get_year (there), g_date_time_get_month (there),
                           g_date_time_get_day_of_month (there), 0, 0, 0);
  /* Adding a calendar day keeps it at midnight across DST changes. */
  tomorrow = g_date_time_add_days (today, 1);

  return g_date_time_difference (tomorrow, now) - now_us % G_USEC_PER_SEC;
}

/**
 * _sm_platform_youtube_set_error:
 *
 * Maps Google's JSON error envelope (section 1.6) into SM_PLATFORM_ERROR:
 * 401 → AUTH_EXPIRED (Google says the same for a revoked token; the
 * refresh that follows tells), quotaExceeded → RATE_LIMITED until the quota
 * resets at midnight Pacific time, rateLimitExceeded → RATE_LIMITED with
 * Retry-After, uploadLimitExceeded → RATE_LIMITED for a day, any other 403
 * → REJECTED with the reason, 5xx → TRANSIENT (OUTCOME_UNKNOWN for a
 * create), other 4xx → REJECTED.
 */
void
_sm_platform_youtube_set_error (GError          **error,
                                SoupMessage      *msg,
                                JsonNode         *root,
                                SmCallKind        kind,
                                SmPublishResult  *result)
{
  guint status = soup_message_get_status (msg);
  const char *reason = sm_json_get_string (root, "error.errors.0.reason");
  const char *message = sm_json_get_string (root, "error.message");
  g_autofree char *detail = NULL;

  if (message == NULL)
    message = sm_json_get_string (root, "error.errors.0.message");
  if (message != NULL && reason != NULL && strstr (message, reason) == NULL)
    detail = g_strdup_printf ("%s (%s)", message, reason);
  else
    detail = g_strdup (message != NULL ? message : reason);

  if (reason_is (reason, "quotaExceeded") || reason_is (reason, "dailyLimitExceeded"))
    {
      gint64 wait = _sm_platform_youtube_quota_reset_us (g_get_real_time ());
      gint64 hours = MAX (1, (wait + G_TIME_SPAN_HOUR - 1) / G_TIME_SPAN_HOUR);

      if (result != NULL)
        result->retry_after_us = wait;
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                   ngettext ("The app’s daily YouTube quota is used up. It will be tried "
                             "again when it resets at midnight Pacific time, in about %d hour.",
                             "The app’s daily YouTube quota is used up. It will be tried "
                             "again when it resets at midnight Pacific time, in about %d hours.",
                             (unsigned long) hours),
                   (int) hours);
    }
  else if (reason_is (reason, "uploadLimitExceeded"))
    {
      if (result != NULL)
        result->retry_after_us = YT_UPLOAD_LIMIT_US;
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                           _("This YouTube channel has reached its daily upload limit. "
                             "It will be tried again in a day."));
    }
  else if (reason_is (reason, "rateLimitExceeded") || reason_is (reason, "userRateLimitExceeded"))
    {
      _sm_platform_set_rate_limited (error, YT_NAME,
                                     sm_http_retry_after_us (soup_message_get_response_headers (msg),
                                                             g_get_real_time ()),
                                     result);
    }
  else if (status == SOUP_STATUS_FORBIDDEN)
    {
      _sm_platform_set_rejected (error, YT_NAME, msg, kind, detail);
    }
  else
    {
      _sm_platform_set_status_error (error, YT_NAME, msg, kind, detail, result);
    }
}

JsonNode *
_sm_platform_youtube_call (SoupSession      *session,
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
      _sm_platform_youtube_set_error (error, msg, root, kind, result);
      return NULL;
    }

  if (root == NULL)
    {
      _sm_platform_set_bad_answer (error, YT_NAME, kind);
      return NULL;
    }

  return g_steal_pointer (&root);
}

JsonNode *
_sm_platform_youtube_get (SoupSession      *session,
                          const char       *url,
                          const char       *token,
                          SmCallKind        kind,
                          SmPublishResult  *result,
                          GCancellable     *cancellable,
                          GError          **error)
{
  g_autoptr(SoupMessage) msg = sm_http_message_new ("GET", url, error);

  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, token);

  return _sm_platform_youtube_call (session, msg, kind, result, cancellable, error);
}
