/* sm-platform-threads.c — Threads API: long-lived tokens that refresh
 * themselves, and publishing in two steps (container, then publish).
 *
 * See ../shared/docs/platform-apis.md, section 5.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-threads"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-platforms-private.h"
#include "sm-store.h"

#define TH_NAME          "Threads"
#define TH_GRAPH         "https://graph.threads.net"
#define TH_API           TH_GRAPH "/v1.0"
#define CLOCK_SLACK_US   (60 * G_USEC_PER_SEC)
/* Polling a text container, and one with a photo or video (see PollPlan). */
#define POLL_LIMIT_US        (30 * G_USEC_PER_SEC)
#define POLL_FIRST_US        (G_USEC_PER_SEC / 4)
#define POLL_MAX_US          (4 * G_USEC_PER_SEC)
#define MEDIA_POLL_LIMIT_US  (5 * 60 * G_USEC_PER_SEC)
#define MEDIA_POLL_FIRST_US  (G_USEC_PER_SEC / 2)
#define MEDIA_POLL_MAX_US    (30 * G_USEC_PER_SEC)
/* How long a bucket URL stays valid: Threads fetches within seconds, and
 * a publisher that dies mid-way finds its containers again within this. */
#define MEDIA_URL_LIFETIME_S (60 * 60)
/* Files per carousel: 2-20 per current material (5.2). */
#define CAROUSEL_MIN         2
#define CAROUSEL_MAX         20
/* The publishing limit is a rolling 24 h window whose oldest post nobody
 * tells us: look again after this long. */
#define LIMIT_RECHECK_US     G_TIME_SPAN_HOUR

struct _SmPlatformThreads
{
  GObject parent_instance;
};

static void sm_platform_threads_iface_init (SmPlatformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformThreads, sm_platform_threads, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_threads_iface_init))

static const SmOAuthSpec threads_oauth_spec = {
  .authorize_url = "https://threads.net/oauth/authorize",
  /* threads_manage_replies: the first comment is a reply to the post. */
  .scopes = "threads_basic,threads_content_publish,threads_manage_replies",
  .pkce = TRUE,
  .needs_secret = TRUE,
  .client_id_param = "client_id",
  .extra_params = NULL,
};

static JsonNode *
th_call (SoupSession      *session,
         SoupMessage      *msg,
         SmCallKind        kind,
         SmPublishResult  *result,
         GCancellable     *cancellable,
         GError          **error)
{
  return _sm_platform_graph_call (session, msg, TH_NAME, kind, result, cancellable, error);
}

static JsonNode *
th_get (SoupSession      *session,
        const char       *url,
        const char       *token,
        SmCallKind        kind,
        SmPublishResult  *result,
        GCancellable     *cancellable,
        GError          **error)
{
  return _sm_platform_graph_get (session, url, token, TH_NAME, kind, result, cancellable, error);
}

/* A long-lived token answer: the access token is also what refreshes it
 * (th_refresh_token takes the token itself), so it is kept as the refresh
 * token too and the token store needs no special case. */
static SmTokens *
th_long_lived_tokens (JsonNode   *root,
                      SmCallKind  kind,
                      GError    **error)
{
  SmTokens *tokens = _sm_platform_tokens_from_json (root);

  if (tokens == NULL)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, kind);
      return NULL;
    }

  g_free (tokens->refresh_token);
  tokens->refresh_token = g_strdup (tokens->access_token);
  if (tokens->scope == NULL)
    tokens->scope = g_strdup (threads_oauth_spec.scopes);

  return tokens;
}

static SmNetwork
sm_platform_threads_get_network (SmPlatform *platform)
{
  return SM_NETWORK_THREADS;
}

static const SmOAuthSpec *
sm_platform_threads_get_oauth_spec (SmPlatform *platform)
{
  return &threads_oauth_spec;
}

static const char *
sm_platform_threads_get_builtin_client_id (SmPlatform *platform)
{
  return SM_THREADS_APP_ID;
}

static GPtrArray *
sm_platform_threads_exchange_code (SmPlatform                *platform,
                                   SoupSession               *session,
                                   const SmClientCredentials *creds,
                                   const char                *code,
                                   const char                *redirect_uri,
                                   const char                *code_verifier,
                                   GCancellable              *cancellable,
                                   GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) short_root = NULL;
  g_autoptr(JsonNode) long_root = NULL;
  g_autoptr(JsonNode) me = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *clean_code = g_strdup (code);
  g_autofree char *url = NULL;
  g_autofree char *handle = NULL;
  const char *short_token;
  const char *id;
  const char *username;
  const char *name;

  /* Threads appends "#_" to the code in its redirect (5.1). */
  if (g_str_has_suffix (clean_code, "#_"))
    clean_code[strlen (clean_code) - 2] = '\0';

  msg = sm_http_message_new ("POST", TH_GRAPH "/oauth/access_token", error);
  if (msg == NULL)
    return NULL;
  sm_http_set_form_body (msg,
                         "client_id", creds->client_id,
                         "client_secret", creds->client_secret,
                         "grant_type", "authorization_code",
                         "redirect_uri", redirect_uri,
                         "code", clean_code,
                         "code_verifier", code_verifier,
                         NULL);

  short_root = th_call (session, msg, SM_CALL_TOKEN, NULL, cancellable, error);
  if (short_root == NULL)
    return NULL;

  short_token = sm_json_get_string (short_root, "access_token");
  if (short_token == NULL)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_TOKEN);
      return NULL;
    }

  /* The short token lives an hour; the long-lived one 60 days. */
  {
    g_autofree char *secret = _sm_platform_escape (creds->client_secret);
    g_autofree char *escaped_short = _sm_platform_escape (short_token);

    url = g_strdup_printf (TH_GRAPH "/access_token?grant_type=th_exchange_token"
                           "&client_secret=%s&access_token=%s",
                           secret, escaped_short);
  }
  long_root = th_get (session, url, NULL, SM_CALL_TOKEN, NULL, cancellable, error);
  if (long_root == NULL)
    return NULL;

  tokens = th_long_lived_tokens (long_root, SM_CALL_TOKEN, error);
  if (tokens == NULL)
    return NULL;

  me = th_get (session, TH_API "/me?fields=id,username,name", tokens->access_token,
               SM_CALL_READ, NULL, cancellable, error);
  if (me == NULL)
    return NULL;

  id = sm_json_get_string (me, "id");
  username = sm_json_get_string (me, "username");
  name = sm_json_get_string (me, "name");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_READ);
      return NULL;
    }
  if (username != NULL)
    handle = g_strconcat ("@", username, NULL);

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_info_free);
  g_ptr_array_add (accounts,
                   _sm_platform_account_new (SM_NETWORK_THREADS, id,
                                             name != NULL && *name != '\0' ? name : username,
                                             handle, tokens));

  return g_steal_pointer (&accounts);
}

static SmTokens *
sm_platform_threads_refresh (SmPlatform                *platform,
                             SoupSession               *session,
                             const SmClientCredentials *creds,
                             const SmTokens            *old,
                             GCancellable              *cancellable,
                             GError                   **error)
{
  const char *credential = old->refresh_token != NULL ? old->refresh_token : old->access_token;
  g_autofree char *escaped = _sm_platform_escape (credential);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) root = NULL;

  url = g_strdup_printf (TH_GRAPH "/refresh_access_token?grant_type=th_refresh_token"
                         "&access_token=%s",
                         escaped);
  root = th_get (session, url, NULL, SM_CALL_REFRESH, NULL, cancellable, error);
  if (root == NULL)
    return NULL;

  return th_long_lived_tokens (root, SM_CALL_REFRESH, error);
}

/* How long to wait for a container.  Text is usually ready at once; a
 * photo or video is fetched from the bucket and processed first, which
 * Threads says takes about 30 s on average and should be polled for no more
 * than 5 minutes (troubleshooting page, platform-apis.md 5.2).  Past the
 * limit, give up: nothing was published. */
typedef struct
{
  gint64 limit_us;
  gint64 first_us;
  gint64 max_us;
} PollPlan;

static const PollPlan text_poll = { POLL_LIMIT_US, POLL_FIRST_US, POLL_MAX_US };
static const PollPlan media_poll = { MEDIA_POLL_LIMIT_US, MEDIA_POLL_FIRST_US, MEDIA_POLL_MAX_US };

/* GET /{container-id}?fields=status,error_message: the status (new
 * string) and, for ERROR, Meta's reason. */
static char *
get_container_status (SoupSession   *session,
                      const char    *container_id,
                      const char    *token,
                      char         **error_message,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *escaped = _sm_platform_escape (container_id);
  g_autofree char *url = g_strdup_printf (TH_API "/%s?fields=status,error_message", escaped);
  g_autoptr(JsonNode) root = NULL;
  const char *status;

  root = th_get (session, url, token, SM_CALL_READ, NULL, cancellable, error);
  if (root == NULL)
    return NULL;
  status = sm_json_get_string (root, "status");
  if (status == NULL)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_READ);
      return NULL;
    }
  if (error_message != NULL)
    *error_message = g_strdup (sm_json_get_string (root, "error_message"));
  return g_strdup (status);
}

/* A container that ended in ERROR.  @file is the file it was made of, NULL
 * for text or a carousel.  Downloads that failed and Meta's UNKNOWN are
 * worth another try; everything else is about the file itself. */
static void
set_container_error (GError     **error,
                     const char  *file,
                     const char  *why)
{
  g_autofree char *base = file != NULL ? g_path_get_basename (file) : NULL;
  gboolean retry = why == NULL || g_strcmp0 (why, "UNKNOWN") == 0 ||
                   g_str_has_prefix (why, "FAILED_DOWNLOADING");

  if (why == NULL)
    why = "ERROR";
  if (base == NULL)
    g_set_error (error, SM_PLATFORM_ERROR,
                 retry ? SM_PLATFORM_ERROR_TRANSIENT : SM_PLATFORM_ERROR_REJECTED,
                 retry ? _("Threads could not prepare the post (%s). It will be tried again.")
                       : _("Threads refused the post: %s"),
                 why);
  else if (retry)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                 _("Threads could not fetch or process %s (%s). It will be tried again."),
                 base, why);
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                 _("Threads refused %s: %s. Check it against Threads’ rules for photos "
                   "and videos, or remove it from the post."),
                 base, why);
}

/* A status other than IN_PROGRESS or FINISHED, as an error. */
static void
set_status_error (GError     **error,
                  const char  *status,
                  const char  *why,
                  const char  *file)
{
  if (g_strcmp0 (status, "ERROR") == 0)
    set_container_error (error, file, why);
  else if (g_strcmp0 (status, "EXPIRED") == 0)
    g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                         _("Threads let the prepared post expire before it was "
                           "published. It will be tried again."));
  else if (g_strcmp0 (status, "PUBLISHED") == 0)
    /* Not ours to publish again; only reconciliation can tell. */
    g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                         _("Threads reports the post as already published. "
                           "This is checked before anything is sent again."));
  else
    _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_READ);
}

/* Waits until the container is ready to publish.  Nothing is public yet,
 * so every failure here is safe to retry from scratch. */
static gboolean
wait_for_container (SoupSession     *session,
                    const char      *container_id,
                    const char      *token,
                    const PollPlan  *plan,
                    GCancellable    *cancellable,
                    GError         **error)
{
  gint64 deadline = g_get_monotonic_time () + plan->limit_us;
  gint64 delay = plan->first_us;

  for (;;)
    {
      g_autofree char *status = NULL;
      g_autofree char *why = NULL;

      status = get_container_status (session, container_id, token, &why, cancellable, error);
      if (status == NULL)
        return FALSE;
      if (strcmp (status, "FINISHED") == 0)
        return TRUE;
      if (strcmp (status, "IN_PROGRESS") != 0)
        {
          set_status_error (error, status, why, NULL);
          return FALSE;
        }

      if (g_get_monotonic_time () + delay > deadline)
        {
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                               _("Threads is taking long to prepare the post. "
                                 "It will be tried again."));
          return FALSE;
        }

      if (!_sm_platform_sleep (delay, cancellable, error))
        return FALSE;
      delay = MIN (delay * 2, plan->max_us);
    }
}

/* GET /{user-id}/threads_publishing_limit before anything is sent: 250
 * API posts per rolling 24 h (5.2).  When they are used up, RATE_LIMITED
 * with a time to look again. */
static gboolean
check_publishing_limit (SoupSession             *session,
                        const SmPublishRequest  *request,
                        SmPublishResult         *result,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (TH_API "/%s/threads_publishing_limit"
                                          "?fields=quota_usage,config", user);
  g_autoptr(JsonNode) root = NULL;
  JsonNode *data;
  JsonNode *item;
  JsonNode *config;
  gint64 usage;
  gint64 total;
  gint64 duration;

  root = th_get (session, url, request->tokens->access_token, SM_CALL_READ, result,
                 cancellable, error);
  if (root == NULL)
    return FALSE;

  data = sm_json_get_node (root, "data");
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data) ||
      json_array_get_length (json_node_get_array (data)) == 0)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_READ);
      return FALSE;
    }
  item = json_array_get_element (json_node_get_array (data), 0);
  config = sm_json_get_node (item, "config");
  usage = sm_json_get_int (item, "quota_usage");
  total = config != NULL ? sm_json_get_int (config, "quota_total") : 0;
  duration = config != NULL ? sm_json_get_int (config, "quota_duration") : 0;
  if (total <= 0 || usage < total)
    return TRUE;

  if (result != NULL)
    result->retry_after_us = LIMIT_RECHECK_US;
  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
               ngettext ("Threads allows %d post through apps per %d hours, and this profile "
                         "has used it up (%d). The post waits and is tried again in an hour.",
                         "Threads allows %d posts through apps per %d hours, and this profile "
                         "has used them up (%d). The post waits and is tried again in an hour.",
                         (unsigned long) total),
               (int) total, (int) MAX (1, duration / 3600), (int) usage);
  return FALSE;
}

/* What a container is made of; NULL fields are left out. */
typedef struct
{
  const char *media_type;
  const char *text;
  const char *image_url;
  const char *video_url;
  const char *is_carousel_item;
  const char *children;
  const char *reply_control;
  const char *reply_to_id;
} ContainerParams;

/* POST /{user-id}/threads: the new container's id. */
static char *
create_container (SoupSession             *session,
                  const SmPublishRequest  *request,
                  const ContainerParams   *params,
                  SmPublishResult         *result,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (TH_API "/%s/threads", user);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);
  /* The form body, so that a bucket URL's signature never shows in an
   * error message (_sm_platform_scrub). */
  sm_http_set_form_body (msg,
                         "media_type", params->media_type,
                         "image_url", params->image_url,
                         "video_url", params->video_url,
                         "is_carousel_item", params->is_carousel_item,
                         "children", params->children,
                         "text", params->text != NULL && *params->text != '\0' ? params->text : NULL,
                         "reply_control", params->reply_control,
                         "reply_to_id", params->reply_to_id,
                         NULL);

  /* Nobody sees a container, so losing one costs nothing. */
  root = th_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
  if (root == NULL)
    return NULL;
  id = sm_json_get_string (root, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_PREPARE);
      return NULL;
    }
  return g_strdup (id);
}

/* The chosen reply control, or NULL for Threads' default (everyone). */
static const char *
reply_control (const SmPublishRequest *request)
{
  const char *value = request->options != NULL
    ? g_hash_table_lookup (request->options, "threads.reply_control") : NULL;

  return value != NULL && *value != '\0' && strcmp (value, "everyone") != 0 ? value : NULL;
}

/* threads_publish of a FINISHED container, then the permalink. */
static gboolean
publish_container (SoupSession             *session,
                   const SmPublishRequest  *request,
                   const char              *container_id,
                   SmPublishResult         *result,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  const char *token = request->tokens->access_token;
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *escaped = _sm_platform_escape (container_id);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) published = NULL;
  g_autoptr(JsonNode) link = NULL;
  g_autoptr(GError) link_error = NULL;
  const char *id;

  /* From here on a lost answer means the post may be out. */
  url = g_strdup_printf (TH_API "/%s/threads_publish?creation_id=%s", user, escaped);
  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, token);
  sm_http_set_form_body (msg, NULL);

  published = th_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (published == NULL)
    return FALSE;

  id = sm_json_get_string (published, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_CREATE);
      return FALSE;
    }
  result->remote_id = g_strdup (id);

  /* The permalink is cosmetic: the post is out whatever happens here. */
  {
    g_autofree char *escaped_id = _sm_platform_escape (id);

    g_clear_pointer (&url, g_free);
    url = g_strdup_printf (TH_API "/%s?fields=permalink", escaped_id);
  }
  link = th_get (session, url, token, SM_CALL_READ, NULL, cancellable, &link_error);
  if (link != NULL)
    result->permalink = g_strdup (sm_json_get_string (link, "permalink"));
  else
    g_debug ("No permalink for a published post: %s", link_error->message);

  return TRUE;
}

static gboolean
sm_platform_threads_publish_text (SmPlatform              *platform,
                                  SoupSession             *session,
                                  const SmPublishRequest  *request,
                                  SmPublishResult         *result,
                                  GCancellable            *cancellable,
                                  GError                 **error)
{
  g_autofree char *container_id = NULL;

  if (!check_publishing_limit (session, request, result, cancellable, error))
    return FALSE;

  /* 1. The container. */
  {
    ContainerParams params = {
      .media_type = "TEXT",
      .text = request->text,
      .reply_control = reply_control (request),
    };

    container_id = create_container (session, request, &params, result, cancellable, error);
  }
  if (container_id == NULL)
    return FALSE;

  /* 2. Ready? */
  if (!wait_for_container (session, container_id, request->tokens->access_token, &text_poll,
                           cancellable, error))
    return FALSE;

  /* 3. Publish, 4. permalink. */
  return publish_container (session, request, container_id, result, cancellable, error);
}

/* ---- photos and videos -------------------------------------------------- */

/* One file of a media post.  What is known about it is kept through
 * SmUploadHooks, as the upload's "session":
 *   "bucket:KEY"               the file is in the bucket, no container yet
 *   "container:ID bucket:KEY"  container ID is fetching or processing it
 *   "container:ID"             container ID is FINISHED (also remote_media_id)
 *                              and the file is out of the bucket again
 * so that a publisher that died mid-way removes what it left in the bucket
 * and takes up finished containers instead of making them again. */
typedef struct
{
  const SmPostMedia *media;
  const char        *media_type;  /* "IMAGE" or "VIDEO" */
  char              *key;         /* in the bucket; NULL once removed */
  char              *container;
  gboolean           finished;
} Item;

static void
item_save (const SmPublishRequest *request,
           Item                   *item)
{
  const SmUploadHooks *hooks = request->uploads;
  g_autofree char *session = NULL;

  if (hooks == NULL || hooks->save == NULL)
    return;
  if (item->container != NULL && item->key != NULL)
    session = g_strdup_printf ("container:%s bucket:%s", item->container, item->key);
  else if (item->container != NULL)
    session = g_strdup_printf ("container:%s", item->container);
  else if (item->key != NULL)
    session = g_strdup_printf ("bucket:%s", item->key);

  hooks->save (hooks->data, item->media->id, session,
               item->finished ? item->media->size_bytes : 0,
               item->finished ? item->container : NULL);
}

/* What item_save() wrote, read back. */
static void
item_load (const SmPublishRequest *request,
           Item                   *item)
{
  const SmUploadHooks *hooks = request->uploads;
  g_autoptr(SmUploadState) state = NULL;
  const char *rest;

  if (hooks == NULL || hooks->load == NULL)
    return;
  state = hooks->load (hooks->data, item->media->id);
  if (state == NULL || state->session == NULL)
    return;

  rest = state->session;
  if (g_str_has_prefix (rest, "container:"))
    {
      const char *end;

      rest += strlen ("container:");
      end = strchr (rest, ' ');
      item->container = end != NULL ? g_strndup (rest, end - rest) : g_strdup (rest);
      rest = end != NULL ? end + 1 : "";
      if (*item->container == '\0')
        g_clear_pointer (&item->container, g_free);
    }
  if (g_str_has_prefix (rest, "bucket:") && rest[strlen ("bucket:")] != '\0')
    item->key = g_strdup (rest + strlen ("bucket:"));
  item->finished = item->container != NULL &&
                   g_strcmp0 (state->remote_media_id, item->container) == 0;
}

/* Removes the item's file from the bucket; on failure the key stays
 * recorded, so that the next attempt tries again. */
static void
item_remove_object (SoupSession             *session,
                    const SmPublishRequest  *request,
                    Item                    *item,
                    GCancellable            *cancellable)
{
  g_autoptr(GError) local_error = NULL;

  if (item->key == NULL)
    return;
  if (!request->media_host->remove (request->media_host, session, item->key,
                                    cancellable, &local_error))
    {
      g_warning ("Could not remove a file from the media bucket: %s", local_error->message);
      return;
    }
  g_clear_pointer (&item->key, g_free);
  item_save (request, item);
}

/* The bucket, then a container for one file. */
static gboolean
item_start (SoupSession             *session,
            const SmPublishRequest  *request,
            Item                    *item,
            gboolean                 carousel,
            SmPublishResult         *result,
            GCancellable            *cancellable,
            GError                 **error)
{
  SmMediaHost *host = request->media_host;
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  gboolean image = strcmp (item->media_type, "IMAGE") == 0;

  url = host->put (host, session, item->media->path, item->media->mime_type,
                   MEDIA_URL_LIFETIME_S, &key, cancellable, error);
  if (url == NULL)
    return FALSE;
  item->key = g_steal_pointer (&key);
  item_save (request, item);

  {
    /* A carousel item is only the file; the text goes on the carousel. */
    ContainerParams params = {
      .media_type = item->media_type,
      .image_url = image ? url : NULL,
      .video_url = image ? NULL : url,
      .is_carousel_item = carousel ? "true" : NULL,
      .text = carousel ? NULL : request->text,
      .reply_control = carousel ? NULL : reply_control (request),
    };

    item->container = create_container (session, request, &params, result, cancellable, error);
  }
  if (item->container == NULL)
    return FALSE;
  item_save (request, item);
  return TRUE;
}

/* What a restarted publisher found for a file: a finished container is
 * taken up again if Threads still has it FINISHED; a file left in the
 * bucket without a container is removed; a container still at work is
 * waited for. */
static gboolean
item_resume (SoupSession             *session,
             const SmPublishRequest  *request,
             Item                    *item,
             GCancellable            *cancellable,
             GError                 **error)
{
  g_autofree char *status = NULL;
  g_autofree char *why = NULL;
  g_autoptr(GError) local_error = NULL;

  if (item->container == NULL)
    {
      item_remove_object (session, request, item, cancellable);
      return TRUE;
    }

  status = get_container_status (session, item->container, request->tokens->access_token,
                                 &why, cancellable, &local_error);
  if (status == NULL && !g_error_matches (local_error, SM_PLATFORM_ERROR,
                                          SM_PLATFORM_ERROR_REJECTED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (g_strcmp0 (status, "PUBLISHED") == 0)
    {
      set_status_error (error, status, why, item->media->path);
      return FALSE;
    }
  if (g_strcmp0 (status, "FINISHED") == 0 || g_strcmp0 (status, "IN_PROGRESS") == 0)
    {
      item->finished = strcmp (status, "FINISHED") == 0;
      if (item->finished)
        item_remove_object (session, request, item, cancellable);
      return TRUE;
    }

  /* Gone, expired or failed: start this file over. */
  g_debug ("Not taking up Threads container %s again: %s", item->container,
           status != NULL ? status : local_error->message);
  item_remove_object (session, request, item, cancellable);
  g_clear_pointer (&item->container, g_free);
  item->finished = FALSE;
  item_save (request, item);
  return TRUE;
}

/* Polls every unfinished container until all are FINISHED; each file
 * leaves the bucket as soon as its container is done with it. */
static gboolean
wait_for_items (SoupSession             *session,
                const SmPublishRequest  *request,
                Item                    *items,
                guint                    n_items,
                GCancellable            *cancellable,
                GError                 **error)
{
  gint64 deadline = g_get_monotonic_time () + media_poll.limit_us;
  gint64 delay = media_poll.first_us;

  for (;;)
    {
      gboolean waiting = FALSE;

      for (guint i = 0; i < n_items; i++)
        {
          Item *item = &items[i];
          g_autofree char *status = NULL;
          g_autofree char *why = NULL;

          if (item->finished)
            continue;
          status = get_container_status (session, item->container, request->tokens->access_token,
                                         &why, cancellable, error);
          if (status == NULL)
            return FALSE;
          if (strcmp (status, "IN_PROGRESS") == 0)
            {
              waiting = TRUE;
              continue;
            }
          if (strcmp (status, "FINISHED") != 0)
            {
              set_status_error (error, status, why, item->media->path);
              return FALSE;
            }
          item->finished = TRUE;
          item_save (request, item);
          item_remove_object (session, request, item, cancellable);
        }
      if (!waiting)
        return TRUE;

      if (g_get_monotonic_time () + delay > deadline)
        {
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                               _("Threads is taking long to process the photos or videos. "
                                 "It will be tried again."));
          return FALSE;
        }
      if (!_sm_platform_sleep (delay, cancellable, error))
        return FALSE;
      delay = MIN (delay * 2, media_poll.max_us);
    }
}

static gboolean
publish_items (SoupSession             *session,
               const SmPublishRequest  *request,
               Item                    *items,
               guint                    n_items,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  gboolean carousel = n_items > 1;
  g_autofree char *parent = NULL;

  /* 1. Whatever an earlier attempt left, then every file into the bucket
   *    and its container; Threads fetches them meanwhile. */
  for (guint i = 0; i < n_items; i++)
    if (!item_resume (session, request, &items[i], cancellable, error))
      return FALSE;
  for (guint i = 0; i < n_items; i++)
    {
      if (items[i].container != NULL)
        continue;
      if (!item_start (session, request, &items[i], carousel, result, cancellable, error))
        return FALSE;
      if (request->uploads != NULL && request->uploads->progress != NULL)
        {
          guint64 sent = 0, total = 0;

          for (guint j = 0; j < n_items; j++)
            {
              total += items[j].media->size_bytes;
              if (j <= i)
                sent += items[j].media->size_bytes;
            }
          request->uploads->progress (request->uploads->data, sent, total);
        }
    }

  /* 2. Fetched and processed. */
  if (!wait_for_items (session, request, items, n_items, cancellable, error))
    return FALSE;

  if (!carousel)
    return publish_container (session, request, items[0].container, result, cancellable, error);

  /* 3. The carousel itself: the children in order, and the text. */
  {
    g_autoptr(GString) children = g_string_new (NULL);

    for (guint i = 0; i < n_items; i++)
      {
        if (i > 0)
          g_string_append_c (children, ',');
        g_string_append (children, items[i].container);
      }
    ContainerParams params = {
      .media_type = "CAROUSEL",
      .children = children->str,
      .text = request->text,
      .reply_control = reply_control (request),
    };

    parent = create_container (session, request, &params, result, cancellable, error);
  }
  if (parent == NULL)
    return FALSE;
  if (!wait_for_container (session, parent, request->tokens->access_token, &media_poll,
                           cancellable, error))
    return FALSE;

  return publish_container (session, request, parent, result, cancellable, error);
}

static gboolean
sm_platform_threads_publish (SmPlatform              *platform,
                             SoupSession             *session,
                             const SmPublishRequest  *request,
                             SmPublishResult         *result,
                             GCancellable            *cancellable,
                             GError                 **error)
{
  guint n_items;
  Item *items;
  gboolean ok;

  if (request->media == NULL || request->media->len == 0)
    return sm_platform_threads_publish_text (platform, session, request, result,
                                             cancellable, error);

  n_items = request->media->len;
  if (n_items > CAROUSEL_MAX)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("A Threads post takes at most %d photos and videos; this one has %u."),
                   CAROUSEL_MAX, n_items);
      return FALSE;
    }
  G_STATIC_ASSERT (CAROUSEL_MIN == 2);   /* one file is a plain post */

  items = g_new0 (Item, n_items);
  for (guint i = 0; i < n_items; i++)
    {
      const SmPostMedia *media = g_ptr_array_index (request->media, i);

      items[i].media = media;
      if (g_str_has_prefix (media->mime_type, "image/"))
        items[i].media_type = "IMAGE";
      else if (g_str_has_prefix (media->mime_type, "video/"))
        items[i].media_type = "VIDEO";
      else
        {
          g_autofree char *base = g_path_get_basename (media->path);

          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("Threads takes photos and videos only; remove %s from the post."),
                       base);
          g_free (items);
          return FALSE;
        }
    }

  if (request->media_host == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           _("Threads fetches photos and videos from a link, so it needs a "
                             "media bucket (any S3-compatible storage) to hand them over. "
                             "Set one up with “so-me bucket set”, then try the post again."));
      g_free (items);
      return FALSE;
    }

  for (guint i = 0; i < n_items; i++)
    item_load (request, &items[i]);

  ok = check_publishing_limit (session, request, result, cancellable, error) &&
       publish_items (session, request, items, n_items, result, cancellable, error);

  /* Nothing stays in the bucket, success or not.  A container whose file
   * is gone before it finished cannot finish any more: forget it. */
  for (guint i = 0; i < n_items; i++)
    {
      item_remove_object (session, request, &items[i], NULL);
      if (!items[i].finished && items[i].container != NULL && items[i].key == NULL)
        {
          g_clear_pointer (&items[i].container, g_free);
          item_save (request, &items[i]);
        }
      g_free (items[i].key);
      g_free (items[i].container);
    }
  g_free (items);
  return ok;
}

/* The media_type a post of @request is listed with. */
static const char *
listed_media_type (const SmPublishRequest *request)
{
  const SmPostMedia *media;

  if (request->media == NULL || request->media->len == 0)
    return "TEXT_POST";
  if (request->media->len > 1)
    return "CAROUSEL_ALBUM";
  media = g_ptr_array_index (request->media, 0);
  return g_str_has_prefix (media->mime_type, "video/") ? "VIDEO" : "IMAGE";
}

/* A photo or video may go without text: then the listing has none. */
static gboolean
text_matches (const char *sent,
              const char *seen)
{
  if (sent == NULL || *sent == '\0')
    return seen == NULL || *seen == '\0';
  return _sm_platform_text_matches (sent, seen);
}

static gboolean
sm_platform_threads_find_published (SmPlatform              *platform,
                                    SoupSession             *session,
                                    const SmPublishRequest  *request,
                                    SmPublishResult         *result,
                                    GCancellable            *cancellable,
                                    GError                 **error)
{
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonNode *data;
  gint64 since = request->not_before_us > 0 ? request->not_before_us - CLOCK_SLACK_US : 0;
  const char *media_type = listed_media_type (request);

  url = g_strdup_printf (TH_API "/%s/threads?fields=id,text,timestamp,permalink,media_type"
                         "&limit=25", user);
  root = th_get (session, url, request->tokens->access_token, SM_CALL_READ, result,
                 cancellable, error);
  if (root == NULL)
    return FALSE;

  data = sm_json_get_node (root, "data");
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_READ);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (data)); i++)
    {
      JsonNode *post = json_array_get_element (json_node_get_array (data), i);
      const char *id = sm_json_get_string (post, "id");
      gint64 created = _sm_platform_parse_time (sm_json_get_string (post, "timestamp"));

      if (id == NULL || !text_matches (request->text, sm_json_get_string (post, "text")) ||
          g_strcmp0 (sm_json_get_string (post, "media_type"), media_type) != 0)
        continue;
      if (since > 0 && created > 0 && created < since)
        continue;

      result->remote_id = g_strdup (id);
      result->permalink = g_strdup (sm_json_get_string (post, "permalink"));
      return TRUE;
    }

  return TRUE;
}

/* DELETE /{threads-media-id}. */
static gboolean
sm_platform_threads_delete_published (SmPlatform              *platform,
                                      SoupSession             *session,
                                      const SmPublishRequest  *request,
                                      SmPublishResult         *result,
                                      GCancellable            *cancellable,
                                      GError                 **error)
{
  return _sm_platform_graph_delete (session, TH_API, TH_NAME, request, result, cancellable, error);
}

/* The first comment is a reply to the post: a TEXT container with
 * reply_to_id, then threads_publish (replies have a quota of their own,
 * 1,000 a day, not the 250 posts). */
static gboolean
sm_platform_threads_publish_comment (SmPlatform              *platform,
                                     SoupSession             *session,
                                     const SmPublishRequest  *request,
                                     SmPublishResult         *result,
                                     GCancellable            *cancellable,
                                     GError                 **error)
{
  ContainerParams params = {
    .media_type = "TEXT",
    .text = request->text,
    .reply_to_id = request->remote_id,
  };
  g_autofree char *container_id = create_container (session, request, &params, result,
                                                    cancellable, error);

  if (container_id == NULL)
    return FALSE;
  if (!wait_for_container (session, container_id, request->tokens->access_token, &text_poll,
                           cancellable, error))
    return FALSE;
  return publish_container (session, request, container_id, result, cancellable, error);
}

static void
sm_platform_threads_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_threads_get_network;
  iface->get_oauth_spec = sm_platform_threads_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_threads_get_builtin_client_id;
  iface->exchange_code = sm_platform_threads_exchange_code;
  iface->refresh = sm_platform_threads_refresh;
  iface->publish_text = sm_platform_threads_publish_text;
  iface->publish = sm_platform_threads_publish;
  iface->find_published = sm_platform_threads_find_published;
  iface->delete_published = sm_platform_threads_delete_published;
  iface->publish_comment = sm_platform_threads_publish_comment;
  /* revoke: the interface's default; Threads has no revocation call. */
}

static void
sm_platform_threads_class_init (SmPlatformThreadsClass *klass)
{
}

static void
sm_platform_threads_init (SmPlatformThreads *self)
{
}

SmPlatform *
sm_platform_threads_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_THREADS, NULL);
}
