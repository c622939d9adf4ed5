/* sm-platform-instagram.c — Instagram business accounts through the
 * Instagram API with Facebook Login: a Facebook login lists the Pages, and
 * each Page with a linked Instagram professional account gives one account,
 * used with that Page's token.  Posts go out as containers (a photo fetched
 * by Instagram from the user's bucket, or a video sent by the resumable
 * upload), polled until ready, then published.
 *
 * See ../shared/docs/platform-apis.md, sections 2.1 and 3.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-instagram"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-platforms-private.h"
#include "sm-store.h"

#define IG_NAME            "Instagram"
#define IG_GRAPH           "https://graph.facebook.com/v21.0"
#define IG_RUPLOAD         "https://rupload.facebook.com/ig-api-upload/v21.0/"
#define IG_RUPLOAD_PREFIX  "https://rupload.facebook.com/"
#define IG_MAX_PAGES       10      /* of /me/accounts, 100 Pages each */
#define IG_MIN_CAROUSEL    2
#define IG_MAX_CAROUSEL    10
#define CLOCK_SLACK_US     (60 * G_USEC_PER_SEC)
/* Containers: Meta suggests polling about once a minute for up to five
 * minutes; Postiz polls every 30 s for 8 minutes (3.1).  Photos are usually
 * ready within seconds, so start fast and slow down to 30 s. */
#define POLL_FIRST_US      (G_USEC_PER_SEC / 2)
#define POLL_MAX_US        (30 * G_USEC_PER_SEC)
#define POLL_LIMIT_US      (8 * 60 * G_USEC_PER_SEC)
/* How long the bucket's link to a photo stays valid: Instagram fetches it
 * while the container is IN_PROGRESS, within seconds to minutes. */
#define BUCKET_LINK_S      3600
#define BUCKET_SESSION     "bucket:"
/* Upload attempts in a row without the network confirming a new byte. */
#define UPLOAD_MAX_FAILURES 5
#define UPLOAD_BACKOFF_US  G_USEC_PER_SEC
/* When the publishing limit is reached and the network does not say when
 * a post leaves the 24-hour window. */
#define LIMIT_FALLBACK_US  G_TIME_SPAN_HOUR

struct _SmPlatformInstagram
{
  GObject parent_instance;
};

static void sm_platform_instagram_iface_init (SmPlatformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformInstagram, sm_platform_instagram, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_instagram_iface_init))

static const SmOAuthSpec instagram_oauth_spec = {
  /* Facebook Login, with Instagram's permissions (section 3). */
  .authorize_url = "https://www.facebook.com/v21.0/dialog/oauth",
  /* instagram_manage_comments: the first comment under a post. */
  .scopes = "instagram_basic,instagram_content_publish,instagram_manage_comments,"
            "pages_show_list,pages_read_engagement,business_management",
  .pkce = TRUE,
  .needs_secret = TRUE,
  .client_id_param = "client_id",
  .extra_params = NULL,
};

typedef enum
{
  KIND_FEED,
  KIND_REEL,
  KIND_STORY,
  KIND_CAROUSEL,
} PostKind;

/* One file of the post on its way into a container. */
typedef struct
{
  const SmPostMedia *media;
  gboolean           is_video;
  char              *container_id;
  char              *upload_uri;    /* resumable video: where the bytes go */
  gint64             acknowledged;  /* bytes the network confirmed */
  char              *bucket_key;    /* photo: the bucket object to remove */
} Item;

/* ---- errors ---------------------------------------------------------------- */

typedef struct
{
  gint64      subcode;
  gboolean    transient;
  const char *meaning;
} Subcode;

/* Instagram's error subcodes (3.1 "Known error subcodes") and what the
 * user should do about each. */
static const Subcode subcodes[] = {
  { 2207009, FALSE, N_("Instagram feed photos must be between 4:5 (portrait) and 1.91:1 "
                       "(landscape); crop the photo and schedule it again") },
  { 36003, FALSE, N_("Instagram feed photos must be between 4:5 (portrait) and 1.91:1 "
                     "(landscape); crop the photo and schedule it again") },
  { 36001, FALSE, N_("the photo’s resolution is not supported; use a larger or smaller "
                     "version") },
  { 2207005, FALSE, N_("Instagram takes photos as JPEG only; save the photo as JPEG") },
  { 2207026, FALSE, N_("the video format is not supported; use MP4 or MOV with H.264 video "
                       "and AAC audio") },
  { 2207023, FALSE, N_("this kind of file cannot be posted this way") },
  { 2207024, FALSE, N_("a carousel takes 2 to 10 photos or videos") },
  { 2207004, FALSE, N_("one of the carousel’s files failed") },
  { 2207077, FALSE, N_("Instagram could not download the file from the media bucket; check "
                       "that the bucket’s links can be opened from the internet") },
  { 2207052, FALSE, N_("Instagram could not download the file from the media bucket; check "
                       "that the bucket’s links can be opened from the internet") },
  { 2207051, FALSE, N_("Instagram blocked the action as suspicious; open the Instagram app "
                       "and check the account") },
  { 2207001, FALSE, N_("Instagram considers the post spam") },
  { 2207082, TRUE, N_("the upload to Instagram failed") },
  { 2207027, TRUE, N_("Instagram was not done preparing the post") },
  { 2207006, TRUE, N_("Instagram lost the prepared post") },
  { 2207008, TRUE, N_("the prepared post expired") },
};

static const Subcode *
find_subcode (gint64 subcode)
{
  for (guint i = 0; i < G_N_ELEMENTS (subcodes); i++)
    if (subcodes[i].subcode == subcode)
      return &subcodes[i];
  return NULL;
}

/* The first known subcode in a container's "status" text ("Error: 2207009
 * …"), or 0. */
static gint64
subcode_in_text (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) && (p == text || !g_ascii_isdigit (p[-1])))
        {
          gint64 n = g_ascii_strtoll (p, NULL, 10);

          if (find_subcode (n) != NULL || n == 2207042)
            return n;
        }
    }
  return 0;
}

static void
set_limit_reached (GError          **error,
                   gint64            quota_total,
                   gint64            retry_after_us,
                   SmPublishResult  *result)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *at = NULL;

  if (result != NULL)
    result->retry_after_us = retry_after_us;
  when = g_date_time_new_from_unix_local ((g_get_real_time () + retry_after_us) / G_USEC_PER_SEC);
  at = g_date_time_format (when, "%a %H:%M");
  if (quota_total > 0)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                 ngettext ("Instagram’s limit of %d post per 24 hours is reached; next free at "
                           "%s. It will be sent then.",
                           "Instagram’s limit of %d posts per 24 hours is reached; next free at "
                           "%s. It will be sent then.",
                           (unsigned long) quota_total),
                 (int) quota_total, at);
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                 _("Instagram’s limit of posts per 24 hours is reached; next free at about %s. "
                   "It will be sent then."),
                 at);
}

/* A refusal with a known subcode, in Meta's words and ours. */
static void
set_subcode_error (GError          **error,
                   SoupMessage      *msg,
                   const Subcode    *known,
                   const char       *meta_text,
                   SmCallKind        kind)
{
  g_autofree char *said = msg != NULL ? _sm_platform_scrub (msg, meta_text) : g_strdup (meta_text);
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, known->subcode);
  gsize len;

  if (said == NULL)
    said = g_strdup ("");
  g_strstrip (said);
  len = strlen (said);
  while (len > 0 && said[len - 1] == '.')
    said[--len] = '\0';

  if (known->transient)
    g_set_error (error, SM_PLATFORM_ERROR,
                 kind == SM_CALL_CREATE ? SM_PLATFORM_ERROR_OUTCOME_UNKNOWN : SM_PLATFORM_ERROR_TRANSIENT,
                 _("Instagram: %s (error %s). It will be tried again."), _(known->meaning), number);
  else if (*said != '\0' && strstr (said, number) != NULL)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("Instagram refused the post: %s. Instagram said: “%s”."),
                 _(known->meaning), said);
  else if (*said != '\0')
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("Instagram refused the post: %s. Instagram said: “%s” (error %s)."),
                 _(known->meaning), said, number);
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("Instagram refused the post: %s (error %s)."), _(known->meaning), number);
}

/* The Graph envelope (2.5) with Instagram's subcodes (3.1) on top. */
static void
ig_set_error (GError          **error,
              SoupMessage      *msg,
              JsonNode         *root,
              SmCallKind        kind,
              SmPublishResult  *result)
{
  gint64 subcode = sm_json_get_int (root, "error.error_subcode");
  const char *message = sm_json_get_string (root, "error.error_user_msg");
  const Subcode *known = find_subcode (subcode);

  if (message == NULL || *message == '\0')
    message = sm_json_get_string (root, "error.message");

  if (subcode == 2207042)
    {
      set_limit_reached (error, 0, LIMIT_FALLBACK_US, result);
      return;
    }
  if (known != NULL)
    {
      /* "Not ready" on a publish did not publish: safe to try again. */
      set_subcode_error (error, msg, known, message, known->transient ? SM_CALL_PREPARE : kind);
      return;
    }
  _sm_platform_set_meta_error (error, IG_NAME, msg, root, kind, result);
}

static JsonNode *
ig_call (SoupSession      *session,
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
      ig_set_error (error, msg, root, kind, result);
      return NULL;
    }
  if (root == NULL)
    {
      _sm_platform_set_bad_answer (error, IG_NAME, kind);
      return NULL;
    }
  return g_steal_pointer (&root);
}

static JsonNode *
ig_get (SoupSession      *session,
        const char       *url,
        const char       *token,
        SmPublishResult  *result,
        GCancellable     *cancellable,
        GError          **error)
{
  g_autoptr(SoupMessage) msg = sm_http_message_new ("GET", url, error);

  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, token);
  return ig_call (session, msg, SM_CALL_READ, result, cancellable, error);
}

/* A POST to @url with @token; the caller sets the form body with
 * sm_http_set_form_body() (NULL values are left out, and error messages
 * are scrubbed of what it carried, such as a presigned image_url). */
static SoupMessage *
ig_new_post (const char  *url,
             const char  *token,
             GError     **error)
{
  SoupMessage *msg = sm_http_message_new ("POST", url, error);

  if (msg != NULL)
    sm_http_set_bearer (msg, token);
  return msg;
}

/* ---- connecting ------------------------------------------------------------ */

static SmNetwork
sm_platform_instagram_get_network (SmPlatform *platform)
{
  return SM_NETWORK_INSTAGRAM;
}

static const SmOAuthSpec *
sm_platform_instagram_get_oauth_spec (SmPlatform *platform)
{
  return &instagram_oauth_spec;
}

static const char *
sm_platform_instagram_get_builtin_client_id (SmPlatform *platform)
{
  /* Instagram with Facebook Login is the same Meta app. */
  return SM_FACEBOOK_APP_ID;
}

/* The Instagram account behind one Page of /me/accounts, or NULL when the
 * Page has none (or the listing gave no token for it). */
static SmAccountInfo *
account_of_page (SoupSession   *session,
                 JsonNode      *page,
                 GCancellable  *cancellable,
                 GError       **error)
{
  const char *page_token = sm_json_get_string (page, "access_token");
  const char *ig_id = sm_json_get_string (page, "instagram_business_account.id");
  g_autofree char *escaped = NULL;
  g_autofree char *url = NULL;
  g_autofree char *handle = NULL;
  g_autoptr(JsonNode) user = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  const char *username;
  const char *name;

  if (ig_id == NULL || page_token == NULL || *page_token == '\0')
    return NULL;

  escaped = _sm_platform_escape (ig_id);
  url = g_strdup_printf (IG_GRAPH "/%s?fields=id,username,name", escaped);
  user = ig_get (session, url, page_token, NULL, cancellable, error);
  if (user == NULL)
    return NULL;

  username = sm_json_get_string (user, "username");
  name = sm_json_get_string (user, "name");
  if (username == NULL)
    {
      _sm_platform_set_bad_answer (error, IG_NAME, SM_CALL_READ);
      return NULL;
    }
  handle = g_strconcat ("@", username, NULL);

  /* The Page's token: derived from a long-lived user token, it does not
   * expire (2.1), and it is what Instagram's calls take. */
  tokens = sm_tokens_new ();
  tokens->access_token = g_strdup (page_token);
  tokens->scope = g_strdup (instagram_oauth_spec.scopes);

  return _sm_platform_account_new (SM_NETWORK_INSTAGRAM, ig_id,
                                   name != NULL && *name != '\0' ? name : username,
                                   handle, tokens);
}

static GPtrArray *
sm_platform_instagram_exchange_code (SmPlatform                *platform,
                                     SoupSession               *session,
                                     const SmClientCredentials *creds,
                                     const char                *code,
                                     const char                *redirect_uri,
                                     const char                *code_verifier,
                                     GCancellable              *cancellable,
                                     GError                   **error)
{
  g_autoptr(SmTokens) user = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *next = NULL;

  user = _sm_platform_facebook_user_token (session, creds, code, redirect_uri, code_verifier,
                                           IG_NAME, cancellable, error);
  if (user == NULL)
    return NULL;

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_info_free);
  next = g_strdup (IG_GRAPH "/me/accounts?fields=id,name,access_token,instagram_business_account"
                   "&limit=100");
  for (guint n = 0; next != NULL && n < IG_MAX_PAGES; n++)
    {
      g_autoptr(JsonNode) root = NULL;
      JsonNode *data;
      const char *next_url;

      root = ig_get (session, next, user->access_token, NULL, cancellable, error);
      if (root == NULL)
        return NULL;
      data = sm_json_get_node (root, "data");
      if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
        {
          _sm_platform_set_bad_answer (error, IG_NAME, SM_CALL_READ);
          return NULL;
        }

      for (guint i = 0; i < json_array_get_length (json_node_get_array (data)); i++)
        {
          JsonNode *page = json_array_get_element (json_node_get_array (data), i);
          g_autoptr(GError) local_error = NULL;
          SmAccountInfo *info = account_of_page (session, page, cancellable, &local_error);

          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (info != NULL)
            g_ptr_array_add (accounts, info);
        }

      /* Absolute, and in sandbox mode the sandbox's: back to the real one. */
      next_url = sm_json_get_string (root, "paging.next");
      g_clear_pointer (&next, g_free);
      if (next_url != NULL)
        next = sm_http_unresolve_url (next_url);
    }

  if (accounts->len == 0)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("None of the Facebook Pages you chose has an Instagram account "
                             "linked. Link your Instagram professional account in the Facebook "
                             "Page’s settings (Linked accounts), then connect again and select "
                             "that Page."));
      return NULL;
    }

  return g_steal_pointer (&accounts);
}

static SmTokens *
sm_platform_instagram_refresh (SmPlatform                *platform,
                               SoupSession               *session,
                               const SmClientCredentials *creds,
                               const SmTokens            *old,
                               GCancellable              *cancellable,
                               GError                   **error)
{
  /* Page tokens have no refresh grant (2.1); only a new login helps. */
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                       _("Facebook no longer accepts the sign-in for this Instagram account and "
                         "has no way to renew it automatically. Reconnect the account."));
  return NULL;
}

static gboolean
sm_platform_instagram_publish_text (SmPlatform              *platform,
                                    SoupSession             *session,
                                    const SmPublishRequest  *request,
                                    SmPublishResult         *result,
                                    GCancellable            *cancellable,
                                    GError                 **error)
{
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("Instagram posts need a photo or a video; add one."));
  return FALSE;
}

/* ---- the publishing limit ---------------------------------------------------- */

/* When the oldest of the posts in the last 24 hours leaves the window:
 * the newest @usage feed posts' timestamps (stories are not listed, so
 * this can be early; the limit is asked again then). */
static gint64
limit_frees_in_us (SoupSession            *session,
                   const SmPublishRequest *request,
                   gint64                  usage,
                   GCancellable           *cancellable)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *data;
  gint64 now = g_get_real_time ();
  gint64 oldest = 0;

  url = g_strdup_printf (IG_GRAPH "/%s/media?fields=id,timestamp&limit=%d", user,
                         (int) CLAMP (usage, 1, 100));
  root = ig_get (session, url, request->tokens->access_token, NULL, cancellable, &error);
  data = root != NULL ? sm_json_get_node (root, "data") : NULL;
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      g_debug ("Cannot tell when the publishing limit frees up: %s",
               error != NULL ? error->message : "no listing");
      return LIMIT_FALLBACK_US;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (data)); i++)
    {
      gint64 t = _sm_platform_parse_time (sm_json_get_string (json_array_get_element (
                                                                json_node_get_array (data), i),
                                                              "timestamp"));

      if (t > now - G_TIME_SPAN_DAY && (oldest == 0 || t < oldest))
        oldest = t;
    }
  if (oldest == 0)
    return LIMIT_FALLBACK_US;
  return MAX (oldest + G_TIME_SPAN_DAY - now, 60 * G_USEC_PER_SEC);
}

static gboolean
check_publishing_limit (SoupSession             *session,
                        const SmPublishRequest  *request,
                        SmPublishResult         *result,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 usage, total;

  url = g_strdup_printf (IG_GRAPH "/%s/content_publishing_limit?fields=quota_usage,config", user);
  root = ig_get (session, url, request->tokens->access_token, result, cancellable, error);
  if (root == NULL)
    return FALSE;

  usage = sm_json_get_int (root, "data.0.quota_usage");
  total = sm_json_get_int (root, "data.0.config.quota_total");
  if (total <= 0 || usage < total)
    return TRUE;

  set_limit_reached (error, total, limit_frees_in_us (session, request, usage, cancellable),
                     result);
  return FALSE;
}

/* ---- the files --------------------------------------------------------------- */

static void
item_clear (Item *item)
{
  g_clear_pointer (&item->container_id, g_free);
  g_clear_pointer (&item->upload_uri, g_free);
  g_clear_pointer (&item->bucket_key, g_free);
}

static gboolean
media_is_video (const SmPostMedia *media)
{
  return media->mime_type != NULL && g_str_has_prefix (media->mime_type, "video/");
}

static const char *
option (const SmPublishRequest *request,
        const char             *key)
{
  return request->options != NULL ? g_hash_table_lookup (request->options, key) : NULL;
}

/* instagram.kind, or what the files make of it: several → a carousel, one
 * video → a reel, one photo → a feed post. */
static gboolean
post_kind (const SmPublishRequest  *request,
           PostKind                *kind,
           GError                 **error)
{
  const char *value = option (request, "instagram.kind");
  guint n = request->media->len;
  gboolean video = media_is_video (g_ptr_array_index (request->media, 0));

  if (value == NULL)
    *kind = n > 1 ? KIND_CAROUSEL : video ? KIND_REEL : KIND_FEED;
  else if (g_str_equal (value, "carousel"))
    *kind = KIND_CAROUSEL;
  else if (g_str_equal (value, "reel") || g_str_equal (value, "video"))
    *kind = KIND_REEL;
  else if (g_str_equal (value, "story"))
    *kind = KIND_STORY;
  else
    /* "feed" (or "image", "post"): a video in the feed is a reel now. */
    *kind = video ? KIND_REEL : KIND_FEED;

  if (*kind == KIND_CAROUSEL && (n < IG_MIN_CAROUSEL || n > IG_MAX_CAROUSEL))
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("Instagram carousels take 2 to 10 photos or videos; this post has %u."), n);
      return FALSE;
    }
  if (*kind != KIND_CAROUSEL && n != 1)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("This Instagram post has %u files; post them as a carousel "
                     "(instagram.kind=carousel) or keep one."), n);
      return FALSE;
    }
  if (*kind == KIND_REEL && !video)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("Instagram reels need a video; choose one, or post the photo in "
                             "the feed."));
      return FALSE;
    }
  return TRUE;
}

static void
save_state (const SmPublishRequest *request,
            Item                   *item,
            const char             *remote_media_id)
{
  g_autofree char *session = NULL;

  if (item->container_id != NULL && item->upload_uri != NULL)
    session = g_strdup_printf ("%s %s", item->container_id, item->upload_uri);
  request->uploads->save (request->uploads->data, item->media->id, session,
                          item->acknowledged, remote_media_id);
}

/* Removes a photo's bucket object and forgets it; a failure leaves the
 * record, so that the next attempt removes it. */
static void
remove_from_bucket (SoupSession            *session,
                    const SmPublishRequest *request,
                    const SmPostMedia      *media,
                    const char             *key)
{
  g_autoptr(GError) error = NULL;

  if (request->media_host == NULL)
    return;
  if (!request->media_host->remove (request->media_host, session, key, NULL, &error))
    {
      g_message ("Could not remove a photo from the media bucket: %s", error->message);
      return;
    }
  request->uploads->save (request->uploads->data, media->id, NULL, 0, NULL);
}

/* What an earlier attempt left: a photo in the bucket is removed, a video
 * container is kept to go on with. */
static void
load_state (SoupSession            *session,
            const SmPublishRequest *request,
            Item                   *item)
{
  g_autoptr(SmUploadState) state = request->uploads->load (request->uploads->data,
                                                           item->media->id);
  const char *space;

  if (state == NULL || state->session == NULL)
    return;

  if (g_str_has_prefix (state->session, BUCKET_SESSION))
    {
      remove_from_bucket (session, request, item->media,
                          state->session + strlen (BUCKET_SESSION));
      return;
    }

  space = strchr (state->session, ' ');
  if (!item->is_video || space == NULL || !g_str_has_prefix (space + 1, IG_RUPLOAD_PREFIX))
    return;
  item->container_id = g_strndup (state->session, space - state->session);
  item->upload_uri = g_strdup (space + 1);
  item->acknowledged = state->acknowledged;
}

/* ---- containers ---------------------------------------------------------------- */

/* Polls a container until it is FINISHED.  Nothing is public yet, so every
 * failure here leaves nothing behind that matters. */
static gboolean
wait_for_container (SoupSession   *session,
                    const char    *container_id,
                    const char    *token,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *escaped = _sm_platform_escape (container_id);
  g_autofree char *url = g_strdup_printf (IG_GRAPH "/%s?fields=status_code,status", escaped);
  gint64 deadline = g_get_monotonic_time () + POLL_LIMIT_US;
  gint64 delay = POLL_FIRST_US;

  for (;;)
    {
      g_autoptr(JsonNode) root = NULL;
      const char *status_code;

      root = ig_get (session, url, token, NULL, cancellable, error);
      if (root == NULL)
        return FALSE;

      status_code = sm_json_get_string (root, "status_code");
      if (g_strcmp0 (status_code, "FINISHED") == 0)
        return TRUE;

      if (g_strcmp0 (status_code, "ERROR") == 0)
        {
          const char *status = sm_json_get_string (root, "status");
          const Subcode *known = find_subcode (subcode_in_text (status));

          if (subcode_in_text (status) == 2207042)
            set_limit_reached (error, 0, LIMIT_FALLBACK_US, NULL);
          else if (known != NULL)
            set_subcode_error (error, NULL, known, status, SM_CALL_PREPARE);
          else
            g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                         _("Instagram could not prepare the post: %s"),
                         status != NULL ? status : "ERROR");
          return FALSE;
        }

      if (g_strcmp0 (status_code, "EXPIRED") == 0)
        {
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                               _("Instagram let the prepared post expire before it was "
                                 "published. It will be prepared again."));
          return FALSE;
        }

      if (g_strcmp0 (status_code, "PUBLISHED") == 0)
        {
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                               _("Instagram reports the post as already published. This is "
                                 "checked before anything is sent again."));
          return FALSE;
        }

      if (g_get_monotonic_time () + delay > deadline)
        {
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                               _("Instagram is taking long to prepare the post. It will be "
                                 "tried again."));
          return FALSE;
        }

      if (!_sm_platform_sleep (delay, cancellable, error))
        return FALSE;
      delay = MIN (delay * 3 / 2, POLL_MAX_US);
    }
}

/* A photo: into the bucket, then a container Instagram fills from its URL. */
static gboolean
create_photo_container (SoupSession             *session,
                        const SmPublishRequest  *request,
                        PostKind                 kind,
                        Item                    *item,
                        SmPublishResult         *result,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (IG_GRAPH "/%s/media", user);
  g_autofree char *image_url = NULL;
  g_autofree char *session_text = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  if (request->media_host == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           _("Instagram fetches photos from a web address, so it needs a media "
                             "bucket (S3-compatible storage) to take them from. Set one up with "
                             "“so-me bucket set”, then post again."));
      return FALSE;
    }

  image_url = request->media_host->put (request->media_host, session, item->media->path,
                                        item->media->mime_type, BUCKET_LINK_S, &item->bucket_key,
                                        cancellable, error);
  if (image_url == NULL)
    return FALSE;
  session_text = g_strconcat (BUCKET_SESSION, item->bucket_key, NULL);
  request->uploads->save (request->uploads->data, item->media->id, session_text, 0, NULL);

  msg = ig_new_post (url, request->tokens->access_token, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_form_body (msg,
                         "image_url", image_url,
                         "media_type", kind == KIND_STORY ? "STORIES" : NULL,
                         "is_carousel_item", kind == KIND_CAROUSEL ? "true" : NULL,
                         "caption", kind == KIND_FEED ? request->text : NULL,
                         NULL);
  root = ig_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
  if (root == NULL)
    return FALSE;
  id = sm_json_get_string (root, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, IG_NAME, SM_CALL_PREPARE);
      return FALSE;
    }
  item->container_id = g_strdup (id);
  return TRUE;
}

/* A video: a resumable container; the bytes follow by rupload. */
static gboolean
create_video_container (SoupSession             *session,
                        const SmPublishRequest  *request,
                        PostKind                 kind,
                        Item                    *item,
                        SmPublishResult         *result,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (IG_GRAPH "/%s/media", user);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;
  const char *uri;

  msg = ig_new_post (url, request->tokens->access_token, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_form_body (msg,
                         "media_type", kind == KIND_STORY ? "STORIES"
                                       : kind == KIND_CAROUSEL ? "VIDEO" : "REELS",
                         "upload_type", "resumable",
                         "is_carousel_item", kind == KIND_CAROUSEL ? "true" : NULL,
                         "caption", kind == KIND_REEL ? request->text : NULL,
                         "share_to_feed", kind == KIND_REEL ? "true" : NULL,
                         NULL);
  root = ig_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
  if (root == NULL)
    return FALSE;
  id = sm_json_get_string (root, "id");
  uri = sm_json_get_string (root, "uri");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, IG_NAME, SM_CALL_PREPARE);
      return FALSE;
    }
  item->container_id = g_strdup (id);
  /* The token goes to this address: only ever Meta's upload host. */
  if (uri != NULL)
    {
      g_autofree char *real = sm_http_unresolve_url (uri);

      if (g_str_has_prefix (real, IG_RUPLOAD_PREFIX))
        item->upload_uri = g_steal_pointer (&real);
    }
  if (item->upload_uri == NULL)
    {
      g_autofree char *escaped = _sm_platform_escape (id);

      item->upload_uri = g_strconcat (IG_RUPLOAD, escaped, NULL);
    }
  item->acknowledged = 0;
  save_state (request, item, NULL);
  return TRUE;
}

/* Where the network stands with a resumable container: the bytes it has
 * (uploading_phase.bytes_transferred).  FALSE with *gone when the
 * container no longer exists or failed (a new one is needed). */
static gboolean
query_upload (SoupSession             *session,
              const SmPublishRequest  *request,
              Item                    *item,
              gboolean                *gone,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autofree char *escaped = _sm_platform_escape (item->container_id);
  g_autofree char *url = g_strdup_printf (IG_GRAPH "/%s?fields=status_code,video_status", escaped);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *status_code;
  const char *phase;

  *gone = FALSE;
  msg = sm_http_message_new ("GET", url, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;
  if (!_sm_platform_status_ok (msg))
    {
      /* "Object … does not exist" (100/33): forgotten, or never made. */
      if (sm_json_get_int (root, "error.code") == 100 &&
          sm_json_get_int (root, "error.error_subcode") == 33)
        {
          *gone = TRUE;
          return FALSE;
        }
      ig_set_error (error, msg, root, SM_CALL_READ, NULL);
      return FALSE;
    }

  status_code = sm_json_get_string (root, "status_code");
  if (g_strcmp0 (status_code, "EXPIRED") == 0 || g_strcmp0 (status_code, "ERROR") == 0)
    {
      *gone = TRUE;
      return FALSE;
    }
  phase = sm_json_get_string (root, "video_status.uploading_phase.status");
  if (g_strcmp0 (phase, "complete") == 0 || g_strcmp0 (status_code, "FINISHED") == 0)
    item->acknowledged = item->media->size_bytes;
  else
    item->acknowledged = CLAMP (sm_json_get_int (root, "video_status.uploading_phase.bytes_transferred"),
                                0, item->media->size_bytes);
  return TRUE;
}

typedef struct
{
  const SmUploadHooks *hooks;
  guint64              done;      /* bytes of earlier files */
  guint64              total;     /* of every file */
  guint64              sent;      /* of this request */
  gint64               start;     /* where this request started in the file */
} Progress;

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        chunk_size,
                    gpointer     user_data)
{
  Progress *p = user_data;

  p->sent += chunk_size;
  if (p->hooks->progress != NULL)
    p->hooks->progress (p->hooks->data, p->done + (guint64) p->start + p->sent, p->total);
}

/* One POST to rupload: the file from item->acknowledged to its end,
 * streamed from disk. */
static gboolean
rupload_once (SoupSession             *session,
              const SmPublishRequest  *request,
              Item                    *item,
              Progress                *progress,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (item->media->path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *offset = NULL;
  g_autofree char *size = NULL;
  SoupMessageHeaders *headers;
  gulong handler;
  gint64 remaining = item->media->size_bytes - item->acknowledged;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return FALSE;
  if (!g_seekable_seek (G_SEEKABLE (stream), item->acknowledged, G_SEEK_SET, cancellable, error))
    return FALSE;

  msg = sm_http_message_new ("POST", item->upload_uri, error);
  if (msg == NULL)
    return FALSE;
  headers = soup_message_get_request_headers (msg);
  auth = g_strconcat ("OAuth ", request->tokens->access_token, NULL);
  offset = g_strdup_printf ("%" G_GINT64_FORMAT, item->acknowledged);
  size = g_strdup_printf ("%" G_GINT64_FORMAT, item->media->size_bytes);
  soup_message_headers_replace (headers, "Authorization", auth);
  soup_message_headers_replace (headers, "offset", offset);
  soup_message_headers_replace (headers, "file_size", size);
  soup_message_set_request_body (msg, "application/octet-stream", G_INPUT_STREAM (stream),
                                 remaining);
  /* A fresh connection: never a body half-sent on a reused one. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);

  progress->sent = 0;
  progress->start = item->acknowledged;
  handler = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), progress);
  body = sm_http_send (session, msg, cancellable, error);
  g_signal_handler_disconnect (msg, handler);
  if (body == NULL)
    return FALSE;

  if (g_bytes_get_size (body) > 0)
    root = sm_http_parse_json (body, NULL);
  if (!_sm_platform_status_ok (msg))
    {
      ig_set_error (error, msg, root, SM_CALL_PREPARE, NULL);
      return FALSE;
    }
  item->acknowledged = item->media->size_bytes;
  return TRUE;
}

static gboolean
error_is_retryable (const GError *error)
{
  return g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT) ||
         g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
}

/* Sends the rest of a video, going on from what the network reports after
 * every failure.  *gone when the container has to be made anew. */
static gboolean
upload_video (SoupSession             *session,
              const SmPublishRequest  *request,
              Item                    *item,
              Progress                *progress,
              gboolean                *gone,
              GCancellable            *cancellable,
              GError                 **error)
{
  guint failures = 0;

  *gone = FALSE;
  while (item->acknowledged < item->media->size_bytes)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 before = item->acknowledged;

      if (rupload_once (session, request, item, progress, cancellable, &local_error))
        break;
      /* A refusal may only mean that more bytes of a cut request arrived
       * after the network was last asked (the offset no longer matches);
       * anything else about the token or the account ends the upload. */
      if (!error_is_retryable (local_error) &&
          !g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("Upload of container %s stopped: %s", item->container_id, local_error->message);

      /* Ask, never assume, how far it got. */
      if (!query_upload (session, request, item, gone, cancellable, error))
        return FALSE;
      save_state (request, item, NULL);
      if (!error_is_retryable (local_error) && item->acknowledged == before)
        {
          /* Refused for another reason than where it stood. */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      failures = item->acknowledged > before ? 0 : failures + 1;
      if (failures >= UPLOAD_MAX_FAILURES)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!_sm_platform_sleep (UPLOAD_BACKOFF_US * failures, cancellable, error))
        return FALSE;
    }

  save_state (request, item, NULL);
  return TRUE;
}

/* One file into a ready container.  Photos' bucket objects are removed as
 * soon as the container is done with them, however it ended. */
static gboolean
prepare_item (SoupSession             *session,
              const SmPublishRequest  *request,
              PostKind                 kind,
              Item                    *item,
              Progress                *progress,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  if (!item->is_video)
    {
      gboolean ok = create_photo_container (session, request, kind, item, result, cancellable,
                                            error);

      progress->done += (guint64) item->media->size_bytes;
      return ok;
    }

  for (int attempt = 0; attempt < 2; attempt++)
    {
      gboolean gone = FALSE;

      if (item->container_id != NULL)
        {
          /* From an earlier attempt: where does the network stand?  Bytes
           * of a cut request may have arrived after the last save. */
          g_autoptr(GError) local_error = NULL;

          if (!query_upload (session, request, item, &gone, cancellable, &local_error) && !gone)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      if (gone || item->container_id == NULL)
        {
          g_clear_pointer (&item->container_id, g_free);
          g_clear_pointer (&item->upload_uri, g_free);
          if (!create_video_container (session, request, kind, item, result, cancellable, error))
            return FALSE;
        }
      if (upload_video (session, request, item, progress, &gone, cancellable, error))
        {
          progress->done += (guint64) item->media->size_bytes;
          return TRUE;
        }
      if (!gone)
        return FALSE;
      g_clear_error (error);
      g_clear_pointer (&item->container_id, g_free);
    }

  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("Instagram kept losing the video upload; it will be sent again later."));
  return FALSE;
}

static void
remove_photos (SoupSession            *session,
               const SmPublishRequest *request,
               Item                   *items,
               guint                   n)
{
  for (guint i = 0; i < n; i++)
    if (items[i].bucket_key != NULL)
      {
        remove_from_bucket (session, request, items[i].media, items[i].bucket_key);
        g_clear_pointer (&items[i].bucket_key, g_free);
      }
}

static gboolean
publish_container (SoupSession             *session,
                   const SmPublishRequest  *request,
                   const char              *container_id,
                   SmPublishResult         *result,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (IG_GRAPH "/%s/media_publish", user);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) published = NULL;
  g_autoptr(JsonNode) link = NULL;
  g_autoptr(GError) link_error = NULL;
  const char *id;

  /* From here on a lost answer means the post may be out. */
  msg = ig_new_post (url, request->tokens->access_token, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_form_body (msg, "creation_id", container_id, NULL);
  published = ig_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (published == NULL)
    return FALSE;
  id = sm_json_get_string (published, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, IG_NAME, SM_CALL_CREATE);
      return FALSE;
    }
  result->remote_id = g_strdup (id);

  /* The permalink is cosmetic: the post is out whatever happens here. */
  {
    g_autofree char *escaped = _sm_platform_escape (id);

    g_clear_pointer (&url, g_free);
    url = g_strdup_printf (IG_GRAPH "/%s?fields=permalink", escaped);
  }
  link = ig_get (session, url, request->tokens->access_token, NULL, cancellable, &link_error);
  if (link != NULL)
    result->permalink = g_strdup (sm_json_get_string (link, "permalink"));
  else
    g_debug ("No permalink for a published post: %s", link_error->message);
  return TRUE;
}

static gboolean
sm_platform_instagram_publish (SmPlatform              *platform,
                               SoupSession             *session,
                               const SmPublishRequest  *request,
                               SmPublishResult         *result,
                               GCancellable            *cancellable,
                               GError                 **error)
{
  const char *token = request->tokens->access_token;
  g_autofree Item *items = NULL;
  g_autofree char *parent = NULL;
  Progress progress = { 0 };
  PostKind kind;
  guint n;
  gboolean ok = FALSE;

  if (request->media == NULL || request->media->len == 0)
    return sm_platform_instagram_publish_text (platform, session, request, result, cancellable,
                                               error);
  if (request->uploads == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           _("Instagram posts need upload tracking, which is missing here."));
      return FALSE;
    }
  if (!post_kind (request, &kind, error))
    return FALSE;

  n = request->media->len;
  items = g_new0 (Item, n);
  progress.hooks = request->uploads;
  for (guint i = 0; i < n; i++)
    {
      items[i].media = g_ptr_array_index (request->media, i);
      items[i].is_video = media_is_video (items[i].media);
      progress.total += (guint64) items[i].media->size_bytes;
      /* A photo left in the bucket by an attempt that died goes now. */
      load_state (session, request, &items[i]);
    }

  /* 1. Room for one more post today?  Asked before anything is sent. */
  if (!check_publishing_limit (session, request, result, cancellable, error))
    goto out;

  /* 2. A container per file; photos are fetched by Instagram meanwhile. */
  for (guint i = 0; i < n; i++)
    if (!prepare_item (session, request, kind, &items[i], &progress, result, cancellable, error))
      goto out;

  /* 3. Each ready; the bucket's copy goes as soon as Instagram has it. */
  for (guint i = 0; i < n; i++)
    {
      gboolean ready = wait_for_container (session, items[i].container_id, token, cancellable,
                                           error);

      if (items[i].bucket_key != NULL)
        remove_photos (session, request, &items[i], 1);
      if (!ready)
        goto out;
      if (items[i].is_video)
        save_state (request, &items[i], items[i].container_id);
    }

  /* 4. A carousel: the parent, its children in order. */
  if (kind == KIND_CAROUSEL)
    {
      g_autofree char *user = _sm_platform_escape (request->account_remote_id);
      g_autofree char *url = g_strdup_printf (IG_GRAPH "/%s/media", user);
      g_autoptr(GString) children = g_string_new (NULL);
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(JsonNode) root = NULL;

      for (guint i = 0; i < n; i++)
        g_string_append_printf (children, "%s%s", i > 0 ? "," : "", items[i].container_id);
      msg = ig_new_post (url, token, error);
      if (msg == NULL)
        goto out;
      sm_http_set_form_body (msg,
                             "media_type", "CAROUSEL",
                             "children", children->str,
                             "caption", request->text,
                             NULL);
      root = ig_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
      if (root == NULL)
        goto out;
      parent = g_strdup (sm_json_get_string (root, "id"));
      if (parent == NULL)
        {
          _sm_platform_set_bad_answer (error, IG_NAME, SM_CALL_PREPARE);
          goto out;
        }
      if (!wait_for_container (session, parent, token, cancellable, error))
        goto out;
    }

  /* 5. Public. */
  ok = publish_container (session, request, parent != NULL ? parent : items[0].container_id,
                          result, cancellable, error);

out:
  /* Whatever happened, nothing stays in the bucket that could be removed. */
  remove_photos (session, request, items, n);
  for (guint i = 0; i < n; i++)
    item_clear (&items[i]);
  return ok;
}

/* ---- reconciliation ----------------------------------------------------------- */

static gboolean
sm_platform_instagram_find_published (SmPlatform              *platform,
                                      SoupSession             *session,
                                      const SmPublishRequest  *request,
                                      SmPublishResult         *result,
                                      GCancellable            *cancellable,
                                      GError                 **error)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 since = request->not_before_us > 0 ? request->not_before_us - CLOCK_SLACK_US : 0;
  const char *kind = option (request, "instagram.kind");
  gboolean story = g_strcmp0 (kind, "story") == 0;
  JsonNode *data;

  /* An attempt that died may have left photos in the bucket; whatever
   * it did, Instagram is done with them now. */
  if (request->uploads != NULL && request->media != NULL)
    for (guint i = 0; i < request->media->len; i++)
      {
        const SmPostMedia *media = g_ptr_array_index (request->media, i);
        g_autoptr(SmUploadState) state = request->uploads->load (request->uploads->data,
                                                                 media->id);

        if (state != NULL && state->session != NULL &&
            g_str_has_prefix (state->session, BUCKET_SESSION))
          remove_from_bucket (session, request, media, state->session + strlen (BUCKET_SESSION));
      }

  /* Stories have no caption: the story that appeared since the attempt
   * is the one.  Everything else is found by its caption. */
  url = g_strdup_printf (IG_GRAPH "/%s/%s?fields=id,caption,timestamp,permalink&limit=25", user,
                         story ? "stories" : "media");
  root = ig_get (session, url, request->tokens->access_token, result, cancellable, error);
  if (root == NULL)
    return FALSE;

  data = sm_json_get_node (root, "data");
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      _sm_platform_set_bad_answer (error, IG_NAME, SM_CALL_READ);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (data)); i++)
    {
      JsonNode *post = json_array_get_element (json_node_get_array (data), i);
      const char *id = sm_json_get_string (post, "id");
      gint64 created = _sm_platform_parse_time (sm_json_get_string (post, "timestamp"));

      if (id == NULL)
        continue;
      if (!story && !_sm_platform_text_matches (request->text, sm_json_get_string (post, "caption")))
        continue;
      if (since > 0 && created > 0 && created < since)
        continue;
      if (story && created == 0)
        continue;

      result->remote_id = g_strdup (id);
      result->permalink = g_strdup (sm_json_get_string (post, "permalink"));
      return TRUE;
    }

  /* Not listed.  A single video's container says for certain whether it
   * was published: anything but PUBLISHED means it was not. */
  if (request->uploads != NULL && request->media != NULL && request->media->len == 1)
    {
      Item item = { g_ptr_array_index (request->media, 0), TRUE, NULL, NULL, 0, NULL };
      g_autoptr(JsonNode) status = NULL;

      load_state (session, request, &item);
      if (item.container_id != NULL)
        {
          g_autofree char *escaped = _sm_platform_escape (item.container_id);
          g_autoptr(GError) local_error = NULL;

          g_clear_pointer (&url, g_free);
          url = g_strdup_printf (IG_GRAPH "/%s?fields=status_code", escaped);
          status = ig_get (session, url, request->tokens->access_token, NULL, cancellable,
                           &local_error);
          if (status != NULL &&
              g_strcmp0 (sm_json_get_string (status, "status_code"), "PUBLISHED") != 0)
            result->definitive = TRUE;
        }
      item_clear (&item);
    }

  return TRUE;
}

/* POST /{ig-media-id}/comments with message (section 3.2). */
static gboolean
sm_platform_instagram_publish_comment (SmPlatform              *platform,
                                       SoupSession             *session,
                                       const SmPublishRequest  *request,
                                       SmPublishResult         *result,
                                       GCancellable            *cancellable,
                                       GError                 **error)
{
  return _sm_platform_graph_comment (session, IG_GRAPH, IG_NAME, request, result, cancellable, error);
}

static void
sm_platform_instagram_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_instagram_get_network;
  iface->get_oauth_spec = sm_platform_instagram_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_instagram_get_builtin_client_id;
  iface->exchange_code = sm_platform_instagram_exchange_code;
  iface->refresh = sm_platform_instagram_refresh;
  iface->publish_text = sm_platform_instagram_publish_text;
  iface->publish = sm_platform_instagram_publish;
  iface->find_published = sm_platform_instagram_find_published;
  iface->publish_comment = sm_platform_instagram_publish_comment;
  /* revoke: the interface's default; the user token is not kept. */
}

static void
sm_platform_instagram_class_init (SmPlatformInstagramClass *klass)
{
}

static void
sm_platform_instagram_init (SmPlatformInstagram *self)
{
}

SmPlatform *
sm_platform_instagram_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_INSTAGRAM, NULL);
}
