/* sm-sandbox-x.c — X API v2 in the sandbox: OAuth 2.0 + PKCE, posts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 8.  Errors are RFC 7807 problems on the API and
 * {"error","error_description"} on the token endpoint; 401 is always the
 * same bare "Unauthorized" problem, whatever was wrong with the token.
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"
#include "sm-text.h"

#define X_NETWORK              "x"
#define X_ACCESS_LIFETIME_S    7200
#define X_MAX_WEIGHTED_LENGTH  280
#define X_WINDOW_S             (15 * 60)
#define X_DAY_S                (24 * 60 * 60)
/* Twitter's snowflake epoch, so ids sort by time as the real ones do. */
#define X_EPOCH_MS             G_GINT64_CONSTANT (1288834974657)

/* The one demo account every grant authorizes. */
#define X_USER_ID              "1500000000000000001"
#define X_USER_NAME            "So-me Sandbox"
#define X_USER_HANDLE          "somesandbox"

typedef struct
{
  gint64 reset_s;
  guint  used;
} Window;

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *windows;   /* "what:user" → Window */
} XState;

static const char * const authorize_hosts[] = { "x.com", "twitter.com", NULL };
static const char * const api_hosts[] = { "api.x.com", "api.twitter.com", NULL };

static const char * const known_scopes[] = {
  "tweet.read", "tweet.write", "tweet.moderate.write", "users.read", "users.email",
  "follows.read", "follows.write", "offline.access", "space.read", "mute.read",
  "mute.write", "like.read", "like.write", "list.read", "list.write", "block.read",
  "block.write", "bookmark.read", "bookmark.write", "media.write", "dm.read", "dm.write",
  NULL
};

/* Fields POST /2/tweets knows (create-or-edit-post reference). */
static const char * const tweet_fields[] = {
  "text", "media", "reply", "poll", "quote_tweet_id", "reply_settings",
  "for_super_followers_only", "geo", "nullcast", "community_id", "share_with_followers",
  "made_with_ai", "paid_partnership", "card_uri", "direct_message_deep_link", "edit_options",
  NULL
};

/* ---- helpers ----------------------------------------------------------- */

static void
x_state_free (gpointer data)
{
  XState *state = data;

  g_hash_table_unref (state->windows);
  g_free (state);
}

static void
x_state_reset (gpointer data,
               gpointer user_data)
{
  XState *state = data;

  g_hash_table_remove_all (state->windows);
}

static void
oauth_error (SmSandboxRequest *req,
             guint             status,
             const char       *error,
             const char       *description)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", error);
  json_object_set_string_member (object, "error_description", description);
  _sm_sandbox_respond_object (req, status, object);
}

static void
problem (SmSandboxRequest *req,
         guint             status,
         const char       *title,
         const char       *type,
         const char       *detail)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "title", title);
  json_object_set_string_member (object, "type", type);
  json_object_set_int_member (object, "status", status);
  json_object_set_string_member (object, "detail", detail);
  _sm_sandbox_respond_object (req, status, object);
}

static void
invalid_request (SmSandboxRequest *req,
                 const char       *message)
{
  JsonObject *object = json_object_new ();
  JsonArray *errors = json_array_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (error, "parameters", json_object_new ());
  json_array_add_object_element (errors, error);
  json_object_set_array_member (object, "errors", errors);
  json_object_set_string_member (object, "title", "Invalid Request");
  json_object_set_string_member (object, "detail", "One or more parameters to your request was invalid.");
  json_object_set_string_member (object, "type", "https://api.x.com/2/problems/invalid-request");
  json_object_set_int_member (object, "status", 400);
  _sm_sandbox_respond_object (req, 400, object);
}

static void
unauthorized (SmSandboxRequest *req)
{
  problem (req, 401, "Unauthorized", "about:blank", "Unauthorized");
}

static char *
format_created_at (gint64 us)
{
  g_autofree char *secs = _sm_sandbox_format_time (us, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", secs, (int) ((us / 1000) % 1000));
}

static char *
new_tweet_id (SmSandbox *sandbox)
{
  gint64 ms = g_get_real_time () / 1000 - X_EPOCH_MS;
  guint64 id = ((guint64) ms << 22) | (_sm_sandbox_next_serial (sandbox) & 0x3fffff);

  return g_strdup_printf ("%" G_GUINT64_FORMAT, id);
}

static gboolean
is_numeric_id (const char *text)
{
  return text != NULL && *text != '\0' &&
         g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, NULL, NULL);
}

/* Counts one call against a 15-minute window and sets the headers the real
 * API sends; answers 429 and returns FALSE when the window is used up. */
static gboolean
count_call (XState           *state,
            SmSandboxRequest *req,
            const char       *what,
            const char       *user,
            guint             limit,
            const char       *header_prefix,
            gint64            window_s)
{
  g_autofree char *key = g_strdup_printf ("%s:%s", what, user);
  Window *window = g_hash_table_lookup (state->windows, key);
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *limit_name = g_strconcat (header_prefix, "limit", NULL);
  g_autofree char *remaining_name = g_strconcat (header_prefix, "remaining", NULL);
  g_autofree char *reset_name = g_strconcat (header_prefix, "reset", NULL);
  g_autofree char *limit_text = NULL;
  g_autofree char *remaining_text = NULL;
  g_autofree char *reset_text = NULL;
  gboolean allowed;

  if (window == NULL)
    {
      window = g_new0 (Window, 1);
      g_hash_table_insert (state->windows, g_steal_pointer (&key), window);
    }
  if (now_s >= window->reset_s)
    {
      window->reset_s = now_s + window_s;
      window->used = 0;
    }
  allowed = window->used < limit || !_sm_sandbox_rate_limits_enabled (req->sandbox);
  if (allowed && window->used < limit)
    window->used++;

  limit_text = g_strdup_printf ("%u", limit);
  remaining_text = g_strdup_printf ("%u", limit - window->used);
  reset_text = g_strdup_printf ("%" G_GINT64_FORMAT, window->reset_s);
  _sm_sandbox_set_header (req, limit_name, limit_text);
  _sm_sandbox_set_header (req, remaining_name, remaining_text);
  _sm_sandbox_set_header (req, reset_name, reset_text);

  if (!allowed)
    problem (req, 429, "Too Many Requests", "about:blank", "Too Many Requests");
  return allowed;
}

/* The access token of the request, or NULL after answering 401/403. */
static SmSandboxToken *
authenticate (SmSandboxRequest *req,
              const char       *scope)
{
  const char *bearer = _sm_sandbox_request_bearer (req, FALSE);
  SmSandboxToken *token = _sm_sandbox_token_lookup (req->sandbox, X_NETWORK, bearer);

  if (token == NULL || strcmp (token->kind, "access") != 0 ||
      token->state != SM_SANDBOX_TOKEN_VALID)
    {
      unauthorized (req);
      return NULL;
    }
  if (scope != NULL && !_sm_sandbox_scope_has (token->scope, scope))
    {
      g_autofree char *detail = g_strdup_printf ("Missing scope %s for this endpoint.", scope);

      problem (req, 403, "Forbidden", "about:blank", detail);
      return NULL;
    }
  return token;
}

/* client_id from the body, or from Basic auth (confidential clients). */
static char *
token_client_id (SmSandboxRequest *req)
{
  const char *header = _sm_sandbox_request_header (req, "Authorization");
  const char *body_id = _sm_sandbox_request_param (req, "client_id");

  if (header != NULL && g_ascii_strncasecmp (header, "Basic ", 6) == 0)
    {
      gsize len = 0;
      g_autofree guchar *decoded = g_base64_decode (header + 6, &len);
      g_autofree char *text = g_strndup ((const char *) decoded, len);
      char *colon = strchr (text, ':');

      if (colon != NULL)
        {
          *colon = '\0';
          return g_strdup (text);
        }
    }
  return g_strdup (body_id);
}

static void
respond_tokens (SmSandboxRequest *req,
                SmSandboxToken   *access,
                SmSandboxToken   *refresh)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "token_type", "bearer");
  json_object_set_int_member (object, "expires_in", X_ACCESS_LIFETIME_S);
  json_object_set_string_member (object, "access_token", access->token);
  json_object_set_string_member (object, "scope", access->scope);
  if (refresh != NULL)
    json_object_set_string_member (object, "refresh_token", refresh->token);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
issue_tokens (SmSandboxRequest *req,
              const char       *scope,
              const char       *client_id,
              guint             grant)
{
  SmSandboxToken *access;
  SmSandboxToken *refresh = NULL;

  access = _sm_sandbox_token_issue (req->sandbox, X_NETWORK, "access", "user", X_USER_ID,
                                    scope, client_id, grant, X_ACCESS_LIFETIME_S);
  /* A refresh token only comes with offline.access. */
  if (_sm_sandbox_scope_has (scope, "offline.access"))
    refresh = _sm_sandbox_token_issue (req->sandbox, X_NETWORK, "refresh", "user", X_USER_ID,
                                       scope, client_id, access->grant, 0);
  _sm_sandbox_token_pair (access, refresh);
  respond_tokens (req, access, refresh);
}

/* ---- OAuth ------------------------------------------------------------- */

static void
authorize_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  static const SmSandboxAuthorizeSpec spec = {
    .network = X_NETWORK,
    .require_pkce = TRUE,
    .require_state = TRUE,
    .known_scopes = known_scopes,
  };

  _sm_sandbox_authorize (req, &spec);
}

static void
token_cb (SmSandboxRequest *req,
          gpointer          user_data)
{
  const char *grant_type;
  g_autofree char *client_id = NULL;

  if (!_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      oauth_error (req, 400, "invalid_request",
                   "The token endpoint takes an application/x-www-form-urlencoded body.");
      return;
    }

  grant_type = _sm_sandbox_request_param (req, "grant_type");
  client_id = token_client_id (req);
  if (grant_type == NULL)
    {
      oauth_error (req, 400, "invalid_request", "Missing required parameter [grant_type].");
      return;
    }
  if (client_id == NULL || *client_id == '\0')
    {
      oauth_error (req, 400, "invalid_request", "Missing required parameter [client_id].");
      return;
    }

  if (strcmp (grant_type, "authorization_code") == 0)
    {
      const char *code = _sm_sandbox_request_param (req, "code");
      const char *redirect_uri = _sm_sandbox_request_param (req, "redirect_uri");
      const char *verifier = _sm_sandbox_request_param (req, "code_verifier");
      const SmSandboxCode *stored = NULL;

      if (code == NULL)
        {
          oauth_error (req, 400, "invalid_request", "Missing required parameter [code].");
          return;
        }
      if (redirect_uri == NULL)
        {
          oauth_error (req, 400, "invalid_request", "Missing required parameter [redirect_uri].");
          return;
        }
      if (verifier == NULL)
        {
          oauth_error (req, 400, "invalid_request", "Missing required parameter [code_verifier].");
          return;
        }

      if (_sm_sandbox_code_redeem (req->sandbox, X_NETWORK, code, &stored) != SM_SANDBOX_CODE_OK ||
          strcmp (stored->client_id, client_id) != 0 ||
          strcmp (stored->redirect_uri, redirect_uri) != 0)
        {
          oauth_error (req, 400, "invalid_request", "Value passed for the token was invalid.");
          return;
        }
      if (!_sm_sandbox_pkce_check (stored->challenge, verifier))
        {
          oauth_error (req, 400, "invalid_request",
                       "Value passed for the code verifier did not match the code challenge.");
          return;
        }

      issue_tokens (req, stored->scope, client_id, 0);
    }
  else if (strcmp (grant_type, "refresh_token") == 0)
    {
      const char *string = _sm_sandbox_request_param (req, "refresh_token");
      SmSandboxToken *old;

      if (string == NULL)
        {
          oauth_error (req, 400, "invalid_request", "Missing required parameter [refresh_token].");
          return;
        }
      old = _sm_sandbox_token_lookup (req->sandbox, X_NETWORK, string);
      if (old == NULL || strcmp (old->kind, "refresh") != 0 ||
          old->state != SM_SANDBOX_TOKEN_VALID || strcmp (old->client_id, client_id) != 0)
        {
          oauth_error (req, 400, "invalid_request", "Value passed for the token was invalid.");
          return;
        }

      /* Refresh tokens rotate: the one just used is spent. */
      old->state = SM_SANDBOX_TOKEN_REVOKED;
      issue_tokens (req, old->scope, client_id, old->grant);
    }
  else
    {
      oauth_error (req, 400, "unsupported_grant_type",
                   "Value passed for the grant type was invalid.");
    }
}

static void
revoke_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  g_autofree char *client_id = NULL;
  const char *string;
  SmSandboxToken *token;
  JsonObject *object;

  if (!_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      oauth_error (req, 400, "invalid_request",
                   "The revoke endpoint takes an application/x-www-form-urlencoded body.");
      return;
    }
  client_id = token_client_id (req);
  string = _sm_sandbox_request_param (req, "token");
  if (client_id == NULL || *client_id == '\0')
    {
      oauth_error (req, 400, "invalid_request", "Missing required parameter [client_id].");
      return;
    }
  if (string == NULL)
    {
      oauth_error (req, 400, "invalid_request", "Missing required parameter [token].");
      return;
    }

  /* RFC 7009: an unknown token is not an error. */
  token = _sm_sandbox_token_lookup (req->sandbox, X_NETWORK, string);
  if (token != NULL && strcmp (token->client_id, client_id) == 0)
    _sm_sandbox_grant_revoke (req->sandbox, token->grant);

  object = json_object_new ();
  json_object_set_boolean_member (object, "revoked", TRUE);
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- API --------------------------------------------------------------- */

static void
users_me_cb (SmSandboxRequest *req,
             gpointer          user_data)
{
  XState *state = user_data;
  SmSandboxToken *token = authenticate (req, "users.read");
  g_autoptr(GPtrArray) fields = NULL;
  JsonObject *object, *data;

  if (token == NULL)
    return;
  if (!count_call (state, req, "users/me", token->account, 75, "x-rate-limit-", X_WINDOW_S))
    return;

  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_query (req, "user.fields"));
  data = json_object_new ();
  json_object_set_string_member (data, "id", X_USER_ID);
  json_object_set_string_member (data, "name", X_USER_NAME);
  json_object_set_string_member (data, "username", X_USER_HANDLE);
  if (_sm_sandbox_fields_has (fields, "profile_image_url"))
    json_object_set_string_member (data, "profile_image_url",
                                   "https://pbs.twimg.com/profile_images/sandbox_normal.png");
  if (_sm_sandbox_fields_has (fields, "public_metrics"))
    {
      g_autoptr(GPtrArray) posts = _sm_sandbox_posts_of (req->sandbox, X_NETWORK, X_USER_ID);
      JsonObject *metrics = json_object_new ();

      json_object_set_int_member (metrics, "followers_count", 42);
      json_object_set_int_member (metrics, "following_count", 7);
      json_object_set_int_member (metrics, "tweet_count", posts->len);
      json_object_set_int_member (metrics, "listed_count", 0);
      json_object_set_int_member (metrics, "like_count", 0);
      json_object_set_object_member (data, "public_metrics", metrics);
    }
  object = json_object_new ();
  json_object_set_object_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
create_tweet_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  XState *state = user_data;
  SmSandboxToken *token = authenticate (req, "tweet.write");
  JsonNode *root;
  JsonObject *body;
  JsonNode *text_node;
  const char *text;
  g_autoptr(GList) members = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *id = NULL;
  const char *reply_to = NULL;
  SmSandboxPost *post;
  JsonObject *object, *data;
  JsonArray *history;

  if (token == NULL)
    return;

  if (!count_call (state, req, "tweets", token->account, 100, "x-rate-limit-", X_WINDOW_S) ||
      !count_call (state, req, "tweets24", token->account, 300, "x-user-limit-24hour-", X_DAY_S) ||
      !count_call (state, req, "tweets24", "app", 10000, "x-app-limit-24hour-", X_DAY_S))
    return;

  if (!_sm_sandbox_request_has_type (req, "application/json"))
    {
      invalid_request (req, "Requests with bodies must have content-type of application/json.");
      return;
    }
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid_request (req, "The request body must be a JSON object.");
      return;
    }
  body = json_node_get_object (root);

  members = json_object_get_members (body);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (tweet_fields, l->data))
      {
        g_autofree char *message = g_strdup_printf ("$.%s: is not defined in the schema and the "
                                                    "schema does not allow additional properties",
                                                    (const char *) l->data);
        invalid_request (req, message);
        return;
      }

  if (json_object_has_member (body, "media"))
    {
      JsonNode *media = json_object_get_member (body, "media");
      JsonNode *ids = JSON_NODE_HOLDS_OBJECT (media) ?
                      json_object_get_member (json_node_get_object (media), "media_ids") : NULL;

      if (json_object_has_member (body, "poll") || json_object_has_member (body, "quote_tweet_id") ||
          json_object_has_member (body, "card_uri"))
        {
          invalid_request (req, "media cannot be combined with poll, quote_tweet_id or card_uri.");
          return;
        }
      if (ids == NULL || !JSON_NODE_HOLDS_ARRAY (ids) ||
          json_array_get_length (json_node_get_array (ids)) > 0)
        {
          invalid_request (req, "Your media IDs are invalid.");
          return;
        }
    }

  if (json_object_has_member (body, "reply"))
    {
      JsonNode *reply = json_object_get_member (body, "reply");

      if (JSON_NODE_HOLDS_OBJECT (reply))
        reply_to = json_object_get_string_member_with_default (json_node_get_object (reply),
                                                               "in_reply_to_tweet_id", NULL);
      if (reply_to == NULL)
        {
          invalid_request (req, "$.reply.in_reply_to_tweet_id is required.");
          return;
        }
      if (_sm_sandbox_post_lookup (req->sandbox, X_NETWORK, reply_to) == NULL)
        {
          problem (req, 403, "Forbidden", "about:blank",
                   "You attempted to reply to a Tweet that is deleted or not visible to you.");
          return;
        }
    }

  text_node = json_object_get_member (body, "text");
  if (text_node == NULL || !JSON_NODE_HOLDS_VALUE (text_node) ||
      json_node_get_value_type (text_node) != G_TYPE_STRING)
    {
      invalid_request (req, "$.text is required and must be a string.");
      return;
    }
  text = json_node_get_string (text_node);
  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    {
      invalid_request (req, "Your Tweet text is empty.");
      return;
    }
  if (sm_text_x_weighted_length (text) > X_MAX_WEIGHTED_LENGTH)
    {
      invalid_request (req, "Your Tweet text is too long.");
      return;
    }

  if (_sm_sandbox_post_find_text (req->sandbox, X_NETWORK, token->account, text) != NULL)
    {
      problem (req, 403, "Forbidden", "about:blank",
               "You are not allowed to create a Tweet with duplicate content.");
      return;
    }

  id = new_tweet_id (req->sandbox);
  post = _sm_sandbox_post_add (req->sandbox, X_NETWORK, token->account, id, text);
  post->reply_to = g_strdup (reply_to);

  data = json_object_new ();
  json_object_set_string_member (data, "id", id);
  json_object_set_string_member (data, "text", text);
  history = json_array_new ();
  json_array_add_string_element (history, id);
  json_object_set_array_member (data, "edit_history_tweet_ids", history);
  object = json_object_new ();
  json_object_set_object_member (object, "data", data);
  _sm_sandbox_respond_object (req, 201, object);
}

static void
delete_tweet_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  XState *state = user_data;
  SmSandboxToken *token = authenticate (req, "tweet.write");
  const char *id = _sm_sandbox_request_arg (req, 0);
  SmSandboxPost *post;
  JsonObject *object, *data;

  if (token == NULL)
    return;
  if (!count_call (state, req, "tweets-delete", token->account, 50, "x-rate-limit-", X_WINDOW_S))
    return;
  if (!is_numeric_id (id))
    {
      invalid_request (req, "The `id` path parameter must be a numeric string.");
      return;
    }
  post = _sm_sandbox_post_lookup (req->sandbox, X_NETWORK, id);
  if (post == NULL)
    {
      g_autofree char *detail = g_strdup_printf ("Could not find tweet with id: [%s].", id);

      problem (req, 404, "Not Found Error",
               "https://api.x.com/2/problems/resource-not-found", detail);
      return;
    }
  if (strcmp (post->account, token->account) != 0)
    {
      problem (req, 403, "Forbidden", "about:blank", "You are not allowed to delete this Tweet.");
      return;
    }

  post->deleted = TRUE;
  data = json_object_new ();
  json_object_set_boolean_member (data, "deleted", TRUE);
  object = json_object_new ();
  json_object_set_object_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
user_tweets_cb (SmSandboxRequest *req,
                gpointer          user_data)
{
  XState *state = user_data;
  SmSandboxToken *token = authenticate (req, "tweet.read");
  const char *user_id = _sm_sandbox_request_arg (req, 0);
  const char *max_text = _sm_sandbox_request_query (req, "max_results");
  const char *start_text = _sm_sandbox_request_query (req, "start_time");
  const char *end_text = _sm_sandbox_request_query (req, "end_time");
  const char *since_id = _sm_sandbox_request_query (req, "since_id");
  const char *until_id = _sm_sandbox_request_query (req, "until_id");
  guint64 max_results = 10, since = 0, until = G_MAXUINT64;
  gint64 start_us = 0, end_us = G_MAXINT64;
  g_autoptr(GPtrArray) posts = NULL;
  JsonObject *object, *meta;
  JsonArray *data;
  const char *newest = NULL, *oldest = NULL;

  if (token == NULL)
    return;
  if (!_sm_sandbox_scope_has (token->scope, "users.read"))
    {
      problem (req, 403, "Forbidden", "about:blank", "Missing scope users.read for this endpoint.");
      return;
    }
  if (!count_call (state, req, "user-tweets", token->account, 900, "x-rate-limit-", X_WINDOW_S))
    return;

  if (!is_numeric_id (user_id))
    {
      invalid_request (req, "The `id` path parameter must be a numeric string.");
      return;
    }
  if (max_text != NULL &&
      !g_ascii_string_to_unsigned (max_text, 10, 5, 100, &max_results, NULL))
    {
      g_autofree char *message = g_strdup_printf ("The `max_results` query parameter value [%s] "
                                                  "is not between 5 and 100", max_text);
      invalid_request (req, message);
      return;
    }
  if (start_text != NULL && (start_us = _sm_sandbox_parse_time_us (start_text)) < 0)
    {
      invalid_request (req, "The `start_time` query parameter must be an RFC 3339 date-time.");
      return;
    }
  if (end_text != NULL && (end_us = _sm_sandbox_parse_time_us (end_text)) < 0)
    {
      invalid_request (req, "The `end_time` query parameter must be an RFC 3339 date-time.");
      return;
    }
  if (since_id != NULL && !g_ascii_string_to_unsigned (since_id, 10, 0, G_MAXUINT64, &since, NULL))
    {
      invalid_request (req, "The `since_id` query parameter must be a numeric string.");
      return;
    }
  if (until_id != NULL && !g_ascii_string_to_unsigned (until_id, 10, 0, G_MAXUINT64, &until, NULL))
    {
      invalid_request (req, "The `until_id` query parameter must be a numeric string.");
      return;
    }

  object = json_object_new ();
  if (strcmp (user_id, X_USER_ID) != 0)
    {
      JsonArray *errors = json_array_new ();
      JsonObject *error = json_object_new ();
      g_autofree char *detail = g_strdup_printf ("Could not find user with id: [%s].", user_id);

      json_object_set_string_member (error, "value", user_id);
      json_object_set_string_member (error, "detail", detail);
      json_object_set_string_member (error, "title", "Not Found Error");
      json_object_set_string_member (error, "resource_type", "user");
      json_object_set_string_member (error, "parameter", "id");
      json_object_set_string_member (error, "resource_id", user_id);
      json_object_set_string_member (error, "type", "https://api.x.com/2/problems/resource-not-found");
      json_array_add_object_element (errors, error);
      json_object_set_array_member (object, "errors", errors);
      _sm_sandbox_respond_object (req, 200, object);
      return;
    }

  posts = _sm_sandbox_posts_of (req->sandbox, X_NETWORK, user_id);
  data = json_array_new ();
  for (guint i = 0; i < posts->len && json_array_get_length (data) < max_results; i++)
    {
      SmSandboxPost *post = g_ptr_array_index (posts, i);
      guint64 numeric = g_ascii_strtoull (post->id, NULL, 10);
      JsonObject *item;
      JsonArray *history;
      g_autofree char *created_at = NULL;

      if (post->received_us < start_us || post->received_us > end_us ||
          numeric <= since || numeric >= until)
        continue;
      created_at = format_created_at (post->received_us);
      item = json_object_new ();
      json_object_set_string_member (item, "id", post->id);
      json_object_set_string_member (item, "text", post->text);
      json_object_set_string_member (item, "created_at", created_at);
      history = json_array_new ();
      json_array_add_string_element (history, post->id);
      json_object_set_array_member (item, "edit_history_tweet_ids", history);
      json_array_add_object_element (data, item);
      if (newest == NULL)
        newest = post->id;
      oldest = post->id;
    }

  meta = json_object_new ();
  json_object_set_int_member (meta, "result_count", json_array_get_length (data));
  if (newest != NULL)
    {
      json_object_set_string_member (meta, "newest_id", newest);
      json_object_set_string_member (meta, "oldest_id", oldest);
    }
  if (json_array_get_length (data) > 0)
    json_object_set_array_member (object, "data", data);
  else
    json_array_unref (data);
  json_object_set_object_member (object, "meta", meta);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
api_not_found_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  JsonObject *object = json_object_new ();
  JsonArray *errors = json_array_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "message", "Sorry, that page does not exist");
  json_object_set_int_member (error, "code", 34);
  json_array_add_object_element (errors, error);
  json_object_set_array_member (object, "errors", errors);
  _sm_sandbox_respond_object (req, 404, object);
}

static void
site_not_found_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  _sm_sandbox_respond_page (req, 404, "This page doesn’t exist in the sandbox’s X.");
}

void
_sm_sandbox_x_register (SmSandbox *self)
{
  XState *state = g_new0 (XState, 1);

  state->sandbox = self;
  state->windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  _sm_sandbox_add_module (self, state, x_state_reset, x_state_free);

  _sm_sandbox_add_route (self, authorize_hosts, "GET", "/i/oauth2/authorize", authorize_cb, state);
  _sm_sandbox_add_route (self, authorize_hosts, "*", "/**", site_not_found_cb, state);

  _sm_sandbox_add_route (self, api_hosts, "POST", "/2/oauth2/token", token_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/2/oauth2/revoke", revoke_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/2/users/me", users_me_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/2/users/*/tweets", user_tweets_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/2/tweets", create_tweet_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "DELETE", "/2/tweets/*", delete_tweet_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "*", "/**", api_not_found_cb, state);
}
