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

#define TH_NAME          "Threads"
#define TH_GRAPH         "https://graph.threads.net"
#define TH_API           TH_GRAPH "/v1.0"
#define CLOCK_SLACK_US   (60 * G_USEC_PER_SEC)
/* Text containers are usually ready at once; media ones take longer and
 * are not handled here.  Past this, give up: nothing was published. */
#define POLL_LIMIT_US    (30 * G_USEC_PER_SEC)
#define POLL_FIRST_US    (G_USEC_PER_SEC / 4)
#define POLL_MAX_US      (4 * G_USEC_PER_SEC)

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
  .scopes = "threads_basic,threads_content_publish",
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

/* Waits until the container is ready to publish.  Nothing is public yet,
 * so every failure here is safe to retry from scratch. */
static gboolean
wait_for_container (SoupSession   *session,
                    const char    *container_id,
                    const char    *token,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *escaped = _sm_platform_escape (container_id);
  g_autofree char *url = g_strdup_printf (TH_API "/%s?fields=status,error_message", escaped);
  gint64 deadline = g_get_monotonic_time () + POLL_LIMIT_US;
  gint64 delay = POLL_FIRST_US;

  for (;;)
    {
      g_autoptr(JsonNode) root = NULL;
      const char *status;

      root = th_get (session, url, token, SM_CALL_READ, NULL, cancellable, error);
      if (root == NULL)
        return FALSE;

      status = sm_json_get_string (root, "status");
      if (g_strcmp0 (status, "FINISHED") == 0)
        return TRUE;

      if (g_strcmp0 (status, "ERROR") == 0)
        {
          const char *why = sm_json_get_string (root, "error_message");

          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("Threads refused the post: %s"),
                       why != NULL ? why : "ERROR");
          return FALSE;
        }

      if (g_strcmp0 (status, "EXPIRED") == 0)
        {
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                               _("Threads let the prepared post expire before it was "
                                 "published. It will be tried again."));
          return FALSE;
        }

      if (g_strcmp0 (status, "PUBLISHED") == 0)
        {
          /* Not ours to publish again; only reconciliation can tell. */
          g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                               _("Threads reports the post as already published. "
                                 "This is checked before anything is sent again."));
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
      delay = MIN (delay * 2, POLL_MAX_US);
    }
}

static gboolean
sm_platform_threads_publish_text (SmPlatform              *platform,
                                  SoupSession             *session,
                                  const SmPublishRequest  *request,
                                  SmPublishResult         *result,
                                  GCancellable            *cancellable,
                                  GError                 **error)
{
  const char *token = request->tokens->access_token;
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) create_msg = NULL;
  g_autoptr(SoupMessage) publish_msg = NULL;
  g_autoptr(JsonNode) container = NULL;
  g_autoptr(JsonNode) published = NULL;
  g_autoptr(JsonNode) link = NULL;
  g_autoptr(GError) link_error = NULL;
  g_autofree char *container_id = NULL;
  const char *id;

  /* 1. The container.  Nobody sees it, so losing it costs nothing. */
  url = g_strdup_printf (TH_API "/%s/threads", user);
  create_msg = sm_http_message_new ("POST", url, error);
  if (create_msg == NULL)
    return FALSE;
  sm_http_set_bearer (create_msg, token);
  sm_http_set_form_body (create_msg,
                         "media_type", "TEXT",
                         "text", request->text,
                         NULL);

  container = th_call (session, create_msg, SM_CALL_PREPARE, result, cancellable, error);
  if (container == NULL)
    return FALSE;
  container_id = g_strdup (sm_json_get_string (container, "id"));
  if (container_id == NULL)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_PREPARE);
      return FALSE;
    }

  /* 2. Ready? */
  if (!wait_for_container (session, container_id, token, cancellable, error))
    return FALSE;

  /* 3. Publish: from here on a lost answer means the post may be out. */
  {
    g_autofree char *escaped = _sm_platform_escape (container_id);

    g_clear_pointer (&url, g_free);
    url = g_strdup_printf (TH_API "/%s/threads_publish?creation_id=%s", user, escaped);
  }
  publish_msg = sm_http_message_new ("POST", url, error);
  if (publish_msg == NULL)
    return FALSE;
  sm_http_set_bearer (publish_msg, token);
  sm_http_set_form_body (publish_msg, NULL);

  published = th_call (session, publish_msg, SM_CALL_CREATE, result, cancellable, error);
  if (published == NULL)
    return FALSE;

  id = sm_json_get_string (published, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, TH_NAME, SM_CALL_CREATE);
      return FALSE;
    }
  result->remote_id = g_strdup (id);

  /* 4. The permalink is cosmetic: the post is out whatever happens here. */
  {
    g_autofree char *escaped = _sm_platform_escape (id);

    g_clear_pointer (&url, g_free);
    url = g_strdup_printf (TH_API "/%s?fields=permalink", escaped);
  }
  link = th_get (session, url, token, SM_CALL_READ, NULL, cancellable, &link_error);
  if (link != NULL)
    result->permalink = g_strdup (sm_json_get_string (link, "permalink"));
  else
    g_debug ("No permalink for a published post: %s", link_error->message);

  return TRUE;
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

  url = g_strdup_printf (TH_API "/%s/threads?fields=id,text,timestamp,permalink&limit=25", user);
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

      if (id == NULL || !_sm_platform_text_matches (request->text,
                                                    sm_json_get_string (post, "text")))
        continue;
      if (since > 0 && created > 0 && created < since)
        continue;

      result->remote_id = g_strdup (id);
      result->permalink = g_strdup (sm_json_get_string (post, "permalink"));
      return TRUE;
    }

  return TRUE;
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
  iface->find_published = sm_platform_threads_find_published;
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
