/* sm-platform-linkedin.c — LinkedIn (Community Management / Posts API): one
 * login yields the member and each organization they administer, all
 * sharing the member's tokens.
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

static void
li_set_error (GError          **error,
              SoupMessage      *msg,
              JsonNode         *root,
              SmCallKind        kind,
              SmPublishResult  *result)
{
  const char *message = sm_json_get_string (root, "message");

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

static JsonNode *
build_post (const char *author,
            const char *text)
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
  json_builder_set_member_name (builder, "lifecycleState");
  json_builder_add_string_value (builder, "PUBLISHED");
  json_builder_set_member_name (builder, "isReshareDisabledByAuthor");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
sm_platform_linkedin_publish_text (SmPlatform              *platform,
                                   SoupSession             *session,
                                   const SmPublishRequest  *request,
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
  body = build_post (request->account_remote_id, request->text);
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

      /* LinkedIn hands the commentary back as it was sent, escaped. */
      if (id == NULL
          || !(_sm_platform_text_matches (commentary, seen)
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

static void
sm_platform_linkedin_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_linkedin_get_network;
  iface->get_oauth_spec = sm_platform_linkedin_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_linkedin_get_builtin_client_id;
  iface->exchange_code = sm_platform_linkedin_exchange_code;
  iface->refresh = sm_platform_linkedin_refresh;
  iface->publish_text = sm_platform_linkedin_publish_text;
  iface->find_published = sm_platform_linkedin_find_published;
  iface->revoke = sm_platform_linkedin_revoke;
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
