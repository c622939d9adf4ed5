/* sm-platform-facebook.c — Facebook Pages through the Graph API: login
 * yields one account per Page, each with its own non-expiring Page token.
 *
 * See ../shared/docs/platform-apis.md, sections 2.1, 2.2, 2.5 and 2.6.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-facebook"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-platforms-private.h"

#define FB_NAME        "Facebook"
#define FB_GRAPH       "https://graph.facebook.com/v21.0"
#define FB_MAX_PAGES   10  /* of /me/accounts, 100 Pages each */
#define CLOCK_SLACK_US (60 * G_USEC_PER_SEC)

struct _SmPlatformFacebook
{
  GObject parent_instance;
};

static void sm_platform_facebook_iface_init (SmPlatformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformFacebook, sm_platform_facebook, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_facebook_iface_init))

static const SmOAuthSpec facebook_oauth_spec = {
  .authorize_url = "https://www.facebook.com/v21.0/dialog/oauth",
  .scopes = "pages_show_list,pages_manage_posts,pages_read_engagement",
  .pkce = TRUE,   /* Facebook Login's manual flow takes PKCE (S256) */
  .needs_secret = TRUE,
  .client_id_param = "client_id",
  .extra_params = NULL,
};

static JsonNode *
fb_call (SoupSession      *session,
         SoupMessage      *msg,
         SmCallKind        kind,
         SmPublishResult  *result,
         GCancellable     *cancellable,
         GError          **error)
{
  return _sm_platform_graph_call (session, msg, FB_NAME, kind, result, cancellable, error);
}

static JsonNode *
fb_get (SoupSession      *session,
        const char       *url,
        const char       *token,
        SmCallKind        kind,
        SmPublishResult  *result,
        GCancellable     *cancellable,
        GError          **error)
{
  return _sm_platform_graph_get (session, url, token, FB_NAME, kind, result, cancellable, error);
}

static char *
fb_permalink (const char *id)
{
  g_autofree char *escaped = _sm_platform_escape (id);

  return g_strdup_printf ("https://www.facebook.com/%s", escaped);
}

static SmNetwork
sm_platform_facebook_get_network (SmPlatform *platform)
{
  return SM_NETWORK_FACEBOOK;
}

static const SmOAuthSpec *
sm_platform_facebook_get_oauth_spec (SmPlatform *platform)
{
  return &facebook_oauth_spec;
}

static const char *
sm_platform_facebook_get_builtin_client_id (SmPlatform *platform)
{
  return SM_FACEBOOK_APP_ID;
}

static gboolean
add_pages (GPtrArray  *accounts,
           JsonNode   *root)
{
  JsonNode *data = sm_json_get_node (root, "data");
  JsonArray *pages;

  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    return FALSE;

  pages = json_node_get_array (data);
  for (guint i = 0; i < json_array_get_length (pages); i++)
    {
      JsonNode *page = json_array_get_element (pages, i);
      const char *id = sm_json_get_string (page, "id");
      const char *token = sm_json_get_string (page, "access_token");
      g_autoptr(SmTokens) tokens = NULL;

      /* A Page listed without a token is one the login did not grant. */
      if (id == NULL || token == NULL || *token == '\0')
        continue;

      /* Page tokens from a long-lived user token do not expire and have
       * no refresh token (section 2.1). */
      tokens = sm_tokens_new ();
      tokens->access_token = g_strdup (token);
      tokens->scope = g_strdup (facebook_oauth_spec.scopes);

      g_ptr_array_add (accounts,
                       _sm_platform_account_new (SM_NETWORK_FACEBOOK, id,
                                                 sm_json_get_string (page, "name"),
                                                 NULL, tokens));
    }

  return TRUE;
}

/* Facebook Login (section 2.1): code → short-lived user token →
 * long-lived (~60 days) user token.  Page tokens derived from the
 * long-lived one never expire; those from the short one die within hours. */
SmTokens *
_sm_platform_facebook_user_token (SoupSession               *session,
                                  const SmClientCredentials *creds,
                                  const char                *code,
                                  const char                *redirect_uri,
                                  const char                *code_verifier,
                                  const char                *network_name,
                                  GCancellable              *cancellable,
                                  GError                   **error)
{
  g_autofree char *client_id = _sm_platform_escape (creds->client_id);
  g_autofree char *client_secret = _sm_platform_escape (creds->client_secret);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) short_root = NULL;
  g_autoptr(JsonNode) long_root = NULL;
  const char *short_token;
  SmTokens *tokens;

  {
    g_autofree char *escaped_redirect = _sm_platform_escape (redirect_uri);
    g_autofree char *escaped_code = _sm_platform_escape (code);
    g_autofree char *escaped_verifier = _sm_platform_escape (code_verifier ? code_verifier : "");

    url = g_strdup_printf (FB_GRAPH "/oauth/access_token?client_id=%s&redirect_uri=%s"
                           "&client_secret=%s&code=%s%s%s",
                           client_id, escaped_redirect, client_secret, escaped_code,
                           code_verifier ? "&code_verifier=" : "", escaped_verifier);
  }
  short_root = _sm_platform_graph_get (session, url, NULL, network_name, SM_CALL_TOKEN, NULL,
                                       cancellable, error);
  if (short_root == NULL)
    return NULL;

  short_token = sm_json_get_string (short_root, "access_token");
  if (short_token == NULL)
    {
      _sm_platform_set_bad_answer (error, network_name, SM_CALL_TOKEN);
      return NULL;
    }

  {
    g_autofree char *escaped_short = _sm_platform_escape (short_token);

    g_clear_pointer (&url, g_free);
    url = g_strdup_printf (FB_GRAPH "/oauth/access_token?grant_type=fb_exchange_token"
                           "&client_id=%s&client_secret=%s&fb_exchange_token=%s",
                           client_id, client_secret, escaped_short);
  }
  long_root = _sm_platform_graph_get (session, url, NULL, network_name, SM_CALL_TOKEN, NULL,
                                      cancellable, error);
  if (long_root == NULL)
    return NULL;

  tokens = _sm_platform_tokens_from_json (long_root);
  if (tokens == NULL)
    _sm_platform_set_bad_answer (error, network_name, SM_CALL_TOKEN);
  return tokens;
}

static GPtrArray *
sm_platform_facebook_exchange_code (SmPlatform                *platform,
                                    SoupSession               *session,
                                    const SmClientCredentials *creds,
                                    const char                *code,
                                    const char                *redirect_uri,
                                    const char                *code_verifier,
                                    GCancellable              *cancellable,
                                    GError                   **error)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(SmTokens) user = NULL;
  g_autofree char *next = NULL;
  const char *user_token;

  user = _sm_platform_facebook_user_token (session, creds, code, redirect_uri, code_verifier,
                                           FB_NAME, cancellable, error);
  if (user == NULL)
    return NULL;
  user_token = user->access_token;

  /* The Pages, each with its own token. */
  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_info_free);
  next = g_strdup (FB_GRAPH "/me/accounts?fields=id,name,access_token,tasks&limit=100");
  for (guint n = 0; next != NULL && n < FB_MAX_PAGES; n++)
    {
      g_autoptr(JsonNode) root = NULL;
      const char *next_url;

      root = fb_get (session, next, user_token, SM_CALL_READ, NULL, cancellable, error);
      if (root == NULL)
        return NULL;

      if (!add_pages (accounts, root))
        {
          _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_READ);
          return NULL;
        }

      /* The next page's URL comes back absolute; in sandbox mode it points
       * at the sandbox, so map it back to the real one first. */
      next_url = sm_json_get_string (root, "paging.next");
      g_clear_pointer (&next, g_free);
      if (next_url != NULL)
        next = sm_http_unresolve_url (next_url);
    }

  if (accounts->len == 0)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("This Facebook login gives access to no Page. Check that you "
                             "manage a Page and select it when connecting, then try again."));
      return NULL;
    }

  return g_steal_pointer (&accounts);
}

static SmTokens *
sm_platform_facebook_refresh (SmPlatform                *platform,
                              SoupSession               *session,
                              const SmClientCredentials *creds,
                              const SmTokens            *old,
                              GCancellable              *cancellable,
                              GError                   **error)
{
  /* Facebook has no refresh grant (section 2.1): a Page token dies only
   * when the user changes the password, loses the Page role or removes the
   * app, and then only a new login helps. */
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                       _("Facebook no longer accepts the sign-in for this Page and has no "
                         "way to renew it automatically. Reconnect the account."));
  return NULL;
}

static gboolean
sm_platform_facebook_publish_text (SmPlatform              *platform,
                                   SoupSession             *session,
                                   const SmPublishRequest  *request,
                                   SmPublishResult         *result,
                                   GCancellable            *cancellable,
                                   GError                 **error)
{
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (FB_GRAPH "/%s/feed", page);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_form_body (msg, "message", request->text, NULL);

  root = fb_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (root == NULL)
    return FALSE;

  id = sm_json_get_string (root, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_CREATE);
      return FALSE;
    }

  result->remote_id = g_strdup (id);
  result->permalink = fb_permalink (id);

  return TRUE;
}

static gboolean
sm_platform_facebook_find_published (SmPlatform              *platform,
                                     SoupSession             *session,
                                     const SmPublishRequest  *request,
                                     SmPublishResult         *result,
                                     GCancellable            *cancellable,
                                     GError                 **error)
{
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonNode *data;
  gint64 since = request->not_before_us > 0 ? request->not_before_us - CLOCK_SLACK_US : 0;

  url = g_strdup_printf (FB_GRAPH "/%s/published_posts"
                         "?fields=id,message,created_time,permalink_url&limit=25",
                         page);
  root = fb_get (session, url, request->tokens->access_token, SM_CALL_READ, result,
                 cancellable, error);
  if (root == NULL)
    return FALSE;

  data = sm_json_get_node (root, "data");
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_READ);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (data)); i++)
    {
      JsonNode *post = json_array_get_element (json_node_get_array (data), i);
      const char *id = sm_json_get_string (post, "id");
      const char *permalink = sm_json_get_string (post, "permalink_url");
      gint64 created = _sm_platform_parse_time (sm_json_get_string (post, "created_time"));

      if (id == NULL || !_sm_platform_text_matches (request->text,
                                                    sm_json_get_string (post, "message")))
        continue;
      if (since > 0 && created > 0 && created < since)
        continue;

      result->remote_id = g_strdup (id);
      result->permalink = permalink != NULL ? g_strdup (permalink) : fb_permalink (id);
      return TRUE;
    }

  return TRUE;
}

static void
sm_platform_facebook_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_facebook_get_network;
  iface->get_oauth_spec = sm_platform_facebook_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_facebook_get_builtin_client_id;
  iface->exchange_code = sm_platform_facebook_exchange_code;
  iface->refresh = sm_platform_facebook_refresh;
  iface->publish_text = sm_platform_facebook_publish_text;
  iface->find_published = sm_platform_facebook_find_published;
  /* revoke: the interface's default.  Removing the app needs the user
   * token, which is not kept; forgetting the Page token is enough. */
}

static void
sm_platform_facebook_class_init (SmPlatformFacebookClass *klass)
{
}

static void
sm_platform_facebook_init (SmPlatformFacebook *self)
{
}

SmPlatform *
sm_platform_facebook_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_FACEBOOK, NULL);
}
