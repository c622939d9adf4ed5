/* sm-platform-x.c — X API v2: OAuth 2.0 with PKCE as a public client, text
 * posts, reconciliation through the user's timeline.
 *
 * See ../shared/docs/platform-apis.md, section 8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-x"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-platforms-private.h"

#define X_NAME         "X"
#define X_API          "https://api.x.com/2"
#define X_TOKEN_URL    X_API "/oauth2/token"
#define X_REVOKE_URL   X_API "/oauth2/revoke"
/* How far before the first attempt a post may carry its timestamp. */
#define CLOCK_SLACK_US (60 * G_USEC_PER_SEC)

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

static gboolean
sm_platform_x_publish_text (SmPlatform              *platform,
                            SoupSession             *session,
                            const SmPublishRequest  *request,
                            SmPublishResult         *result,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  msg = sm_http_message_new ("POST", X_API "/tweets", error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, request->text);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  sm_http_set_json_body (msg, body);

  root = x_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (root == NULL)
    return FALSE;

  id = sm_json_get_string (root, "data.id");
  if (id == NULL)
    {
      /* A 2xx with only an errors array: X took nothing. */
      if (sm_json_get_node (root, "errors") != NULL)
        _sm_platform_set_rejected (error, X_NAME, msg, SM_CALL_CREATE, x_error_detail (root));
      else
        _sm_platform_set_bad_answer (error, X_NAME, SM_CALL_CREATE);
      return FALSE;
    }

  result->remote_id = g_strdup (id);
  result->permalink = x_permalink (id);

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
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) url = g_string_new (X_API "/users/");
  g_autofree char *user = _sm_platform_escape (request->account_remote_id);
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
  g_string_append (url, "&tweet.fields=created_at");

  msg = sm_http_message_new ("GET", url->str, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);

  root = x_call (session, msg, SM_CALL_READ, result, cancellable, error);
  if (root == NULL)
    return FALSE;

  /* No "data" at all is how X says "no posts in that window"; errors
   * without data (an unknown user, a suspended account) say it cannot tell. */
  data = sm_json_get_node (root, "data");
  if (data == NULL && sm_json_get_node (root, "errors") != NULL)
    {
      _sm_platform_set_rejected (error, X_NAME, msg, SM_CALL_READ, x_error_detail (root));
      return FALSE;
    }
  if (data != NULL && JSON_NODE_HOLDS_ARRAY (data))
    {
      JsonArray *posts = json_node_get_array (data);

      for (guint i = 0; i < json_array_get_length (posts); i++)
        {
          JsonNode *post = json_array_get_element (posts, i);
          const char *id = sm_json_get_string (post, "id");

          if (id != NULL
              && _sm_platform_text_matches (request->text, sm_json_get_string (post, "text")))
            {
              result->remote_id = g_strdup (id);
              result->permalink = x_permalink (id);
              return TRUE;
            }
        }
    }

  return TRUE;
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
  iface->publish_text = sm_platform_x_publish_text;
  iface->find_published = sm_platform_x_find_published;
  iface->revoke = sm_platform_x_revoke;
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
