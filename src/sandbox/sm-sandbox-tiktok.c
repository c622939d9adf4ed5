/* sm-sandbox-tiktok.c — TikTok in the sandbox: Login Kit (OAuth v2 with
 * PKCE, client_key), user info, and the Content Posting API's direct post
 * with FILE_UPLOAD.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 7.  The token endpoint answers OAuth errors
 * ({"error","error_description","log_id"}); every other endpoint answers
 * TikTok's envelope {"data":{…},"error":{"code","message","log_id"}}, with
 * 401 access_token_invalid for a token that is unknown, expired or revoked
 * and 401 scope_not_authorized for one without the scope.
 *
 * Uploads are never held in memory: each PUT streams into a running
 * SHA-256, and a chunk only counts once all of its bytes are in (a chunk
 * cut short leaves nothing behind).  The chunk rules are the media transfer
 * guide's, read leniently where the guide's "MB" is ambiguous (5 000 000 to
 * 64 MiB a chunk, the last up to 128 MiB); chunks come in order, each with
 * Content-Range, Content-Length and a video Content-Type.  Once the last
 * chunk is in, the publish is "processing" for processing_ms and then
 * PUBLISH_COMPLETE (the video becomes a post) or FAILED (fail_reason), on a
 * timer, whether or not anybody asks.  The creator's answers and the
 * processing outcome are set with POST /__sandbox/tiktok/settings.
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"

#define TT_NETWORK              "tiktok"
/* 2026 docs: access 2 h, refresh 180 days, refresh tokens rotate (7.1). */
#define TT_ACCESS_LIFETIME_S    7200
#define TT_REFRESH_LIFETIME_S   (180 * 24 * 60 * 60)
#define TT_MAX_TITLE_CHARS      2200
/* Chunk rules (7.3): "5 MB".."64 MB", the last up to "128 MB", 1..1000. */
#define TT_MIN_CHUNK            G_GUINT64_CONSTANT (5000000)
#define TT_MAX_CHUNK            G_GUINT64_CONSTANT (67108864)
#define TT_MAX_LAST_CHUNK       G_GUINT64_CONSTANT (134217728)
#define TT_MAX_CHUNKS           1000
/* Per token and minute (7.3, section 9). */
#define TT_INIT_PER_MINUTE      6
#define TT_STATUS_PER_MINUTE    30
#define TT_DEFAULT_PROCESSING_MS 1500
#define TT_DEFAULT_URL_LIFETIME_S 3600
#define TT_DEFAULT_MAX_DURATION_S 600

/* The one demo creator every grant authorizes. */
#define TT_OPEN_ID              "-000sbxSoMeStudioTikTok01"
#define TT_UNION_ID             "c9sbx-union-SoMeStudio"
#define TT_DISPLAY_NAME         "So-me Sandbox"
#define TT_USERNAME             "somesandbox"

typedef struct
{
  char     **privacy_level_options;
  gboolean   comment_disabled;
  gboolean   duet_disabled;
  gboolean   stitch_disabled;
  gint64     max_video_post_duration_sec;
  char      *cannot_post;        /* an error code, or NULL */
  gint64     processing_ms;
  char      *fail_reason;        /* publishes finishing now fail with it */
  gint64     upload_url_lifetime_s;
} Settings;

typedef struct
{
  gint64 start_s;
  guint  used;
} Window;

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *secrets;     /* client_key → the client secret first seen */
  GHashTable *publishes;   /* publish_id → Publish */
  GHashTable *windows;     /* "what:token" → Window */
  GPtrArray  *processing;  /* Publish whose processing timer runs (a reference each) */
  Settings    settings;
} TtState;

typedef enum
{
  PUBLISH_UPLOADING,
  PUBLISH_PROCESSING,
  PUBLISH_COMPLETE,
  PUBLISH_FAILED,
} PublishState;

/* One direct post; reference counted (g_rc_box) because a PUT streaming
 * into it, or its processing timer, may outlive a reset. */
typedef struct
{
  TtState     *state;
  char        *publish_id;
  char        *upload_id;
  char        *upload_token;
  char        *account;
  char        *title;
  char        *privacy;
  char        *content_type;   /* of the first chunk; the rest must match */
  guint64      video_size;
  guint64      chunk_size;
  guint        total_chunks;
  guint        chunks_in;
  guint64      stored;
  GChecksum   *sha256;         /* of the stored bytes, in order */
  gint64       created_us;
  gint64       url_expires_us;
  PublishState status;
  char        *fail_reason;
  char        *post_id;
  GSource     *timer;          /* processing, while it runs (a reference) */
} Publish;

typedef enum
{
  PUT_OK,
  PUT_NOT_FOUND,
  PUT_BAD_REQUEST,
} PutVerdict;

typedef struct
{
  Publish    *publish;     /* a reference, or NULL */
  PutVerdict  verdict;
  char       *code;
  char       *message;
  GChecksum  *sha256;      /* the stored bytes' hash, with this chunk's added */
  guint       index;       /* the chunk this PUT is */
  guint64     expected;
  guint64     received;
} PutSink;

static const char * const authorize_hosts[] = { "www.tiktok.com", NULL };
static const char * const api_hosts[] = { "open.tiktokapis.com", NULL };
static const char * const upload_hosts[] = { "open-upload.tiktokapis.com", NULL };

static const char * const known_scopes[] = {
  "user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload",
  "video.publish", NULL
};

static const char * const privacy_levels[] = {
  "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY", NULL
};

static const char * const cannot_post_codes[] = {
  "spam_risk_too_many_posts", "spam_risk_user_banned_from_posting", "reached_active_user_cap",
  NULL
};

static const char * const video_types[] = { "video/mp4", "video/quicktime", "video/webm", NULL };

/* user/info fields and the scope each needs (7.1, 7.4). */
static const struct
{
  const char *field;
  const char *scope;
} user_fields[] = {
  { "open_id", "user.info.basic" },
  { "union_id", "user.info.basic" },
  { "avatar_url", "user.info.basic" },
  { "avatar_url_100", "user.info.basic" },
  { "avatar_large_url", "user.info.basic" },
  { "display_name", "user.info.basic" },
  { "bio_description", "user.info.profile" },
  { "profile_deep_link", "user.info.profile" },
  { "is_verified", "user.info.profile" },
  { "username", "user.info.profile" },
  { "follower_count", "user.info.stats" },
  { "following_count", "user.info.stats" },
  { "likes_count", "user.info.stats" },
  { "video_count", "user.info.stats" },
};

/* ---- helpers ----------------------------------------------------------- */

static void
settings_clear (Settings *settings)
{
  g_clear_pointer (&settings->privacy_level_options, g_strfreev);
  g_clear_pointer (&settings->cannot_post, g_free);
  g_clear_pointer (&settings->fail_reason, g_free);
}

static void
settings_default (Settings *settings)
{
  settings_clear (settings);
  settings->privacy_level_options = g_strdupv ((char **) privacy_levels);
  settings->comment_disabled = FALSE;
  settings->duet_disabled = FALSE;
  settings->stitch_disabled = FALSE;
  settings->max_video_post_duration_sec = TT_DEFAULT_MAX_DURATION_S;
  settings->processing_ms = TT_DEFAULT_PROCESSING_MS;
  settings->upload_url_lifetime_s = TT_DEFAULT_URL_LIFETIME_S;
}

static void
publish_clear (Publish *publish)
{
  g_free (publish->publish_id);
  g_free (publish->upload_id);
  g_free (publish->upload_token);
  g_free (publish->account);
  g_free (publish->title);
  g_free (publish->privacy);
  g_free (publish->content_type);
  g_checksum_free (publish->sha256);
  g_free (publish->fail_reason);
  g_free (publish->post_id);
}

static void
publish_unref (Publish *publish)
{
  g_rc_box_release_full (publish, (GDestroyNotify) publish_clear);
}

static void
put_sink_free (gpointer data)
{
  PutSink *sink = data;

  g_clear_pointer (&sink->publish, publish_unref);
  g_clear_pointer (&sink->sha256, g_checksum_free);
  g_free (sink->code);
  g_free (sink->message);
  g_free (sink);
}

static void
tt_state_free (gpointer data)
{
  TtState *state = data;

  g_hash_table_unref (state->secrets);
  g_hash_table_unref (state->publishes);
  g_hash_table_unref (state->windows);
  /* Timers still running would find the state gone. */
  for (guint i = 0; i < state->processing->len; i++)
    {
      Publish *publish = g_ptr_array_index (state->processing, i);

      g_source_destroy (publish->timer);
      g_clear_pointer (&publish->timer, g_source_unref);
    }
  g_ptr_array_unref (state->processing);
  settings_clear (&state->settings);
  g_free (state);
}

static void
tt_state_reset (gpointer data,
                gpointer user_data)
{
  TtState *state = data;

  /* Posts go with the core's reset; publishes, rate windows and the
   * settings go with them.  Client secrets stay, as the tokens do. */
  g_hash_table_remove_all (state->publishes);
  g_hash_table_remove_all (state->windows);
  settings_default (&state->settings);
}

static char *
log_id (void)
{
  g_autofree char *stamp = _sm_sandbox_format_time (g_get_real_time (), "%Y%m%d%H%M%S");

  return g_strdup_printf ("%s%08X%08X", stamp, g_random_int (), g_random_int ());
}

static void
oauth_error (SmSandboxRequest *req,
             guint             status,
             const char       *error,
             const char       *description)
{
  JsonObject *object = json_object_new ();
  g_autofree char *id = log_id ();

  json_object_set_string_member (object, "error", error);
  json_object_set_string_member (object, "error_description", description);
  json_object_set_string_member (object, "log_id", id);
  _sm_sandbox_respond_object (req, status, object);
}

/* The envelope (7.2) around @data (taken; NULL: {}). */
static void
respond_envelope (SmSandboxRequest *req,
                  guint             status,
                  JsonObject       *data,
                  const char       *code,
                  const char       *message)
{
  JsonObject *object = json_object_new ();
  JsonObject *error = json_object_new ();
  g_autofree char *id = log_id ();

  json_object_set_object_member (object, "data", data != NULL ? data : json_object_new ());
  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_string_member (error, "log_id", id);
  json_object_set_object_member (object, "error", error);
  _sm_sandbox_respond_object (req, status, object);
}

static void
respond_ok (SmSandboxRequest *req,
            JsonObject       *data)
{
  respond_envelope (req, 200, data, "ok", "");
}

static void
invalid_params (SmSandboxRequest *req,
                const char       *message)
{
  respond_envelope (req, 400, NULL, "invalid_params", message);
}

/* The request's valid access token of this network holding @scope (any
 * of a space-separated list), or NULL after answering 401. */
static SmSandboxToken *
authenticate (SmSandboxRequest *req,
              const char       *scopes)
{
  const char *bearer = _sm_sandbox_request_bearer (req, FALSE);
  SmSandboxToken *token = _sm_sandbox_token_lookup (req->sandbox, TT_NETWORK, bearer);
  g_auto(GStrv) wanted = g_strsplit (scopes, " ", -1);

  if (token == NULL || strcmp (token->kind, "access") != 0 ||
      token->state != SM_SANDBOX_TOKEN_VALID)
    {
      respond_envelope (req, 401, NULL, "access_token_invalid",
                        "The access token is invalid or not found in the request.");
      return NULL;
    }
  for (guint i = 0; wanted[i] != NULL; i++)
    if (_sm_sandbox_scope_has (token->scope, wanted[i]))
      return token;

  respond_envelope (req, 401, NULL, "scope_not_authorized",
                    "The user did not authorize the scope required for completing this request.");
  return NULL;
}

/* Counts a call of @what by @token; FALSE after answering 429. */
static gboolean
rate_limit (TtState          *state,
            SmSandboxRequest *req,
            const char       *what,
            SmSandboxToken   *token,
            guint             per_minute)
{
  g_autofree char *key = g_strdup_printf ("%s:%s", what, token->token);
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  Window *window = g_hash_table_lookup (state->windows, key);

  if (window == NULL || now_s - window->start_s >= 60)
    {
      if (window == NULL)
        {
          window = g_new0 (Window, 1);
          g_hash_table_insert (state->windows, g_steal_pointer (&key), window);
        }
      window->start_s = now_s;
      window->used = 0;
    }
  if (window->used >= per_minute && _sm_sandbox_rate_limits_enabled (req->sandbox))
    {
      g_autofree char *retry = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                MAX (1, window->start_s + 60 - now_s));

      _sm_sandbox_set_header (req, "Retry-After", retry);
      respond_envelope (req, 429, NULL, "rate_limit_exceeded",
                        "The API rate limit was exceeded. Please try again later.");
      return FALSE;
    }
  window->used++;
  return TRUE;
}

/* The JSON object body of a request that must be application/json, or
 * NULL after answering 400. */
static JsonObject *
json_body (SmSandboxRequest *req,
           gboolean          may_be_empty)
{
  JsonNode *root;

  if (!_sm_sandbox_request_has_type (req, "application/json"))
    {
      invalid_params (req, "Content-Type must be application/json; charset=UTF-8.");
      return NULL;
    }
  root = _sm_sandbox_request_json (req);
  if (root == NULL && !req->json_invalid && may_be_empty)
    return json_object_new ();
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid_params (req, "The request body is not a JSON object.");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static gboolean
member_is (JsonObject *object,
           const char *name,
           GType       type)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* ---- OAuth ------------------------------------------------------------- */

static void
authorize_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  static const SmSandboxAuthorizeSpec spec = {
    .network = TT_NETWORK,
    .require_pkce = TRUE,
    .require_state = TRUE,
    .known_scopes = known_scopes,
    .client_id_param = "client_key",
  };

  if (_sm_sandbox_request_query (req, "client_key") == NULL &&
      _sm_sandbox_request_query (req, "client_id") != NULL)
    {
      _sm_sandbox_respond_page (req, 400, "Invalid request: TikTok names the app client_key, "
                                          "not client_id.");
      return;
    }
  _sm_sandbox_authorize (req, &spec);
}

static void
respond_tokens (SmSandboxRequest *req,
                SmSandboxToken   *access,
                SmSandboxToken   *refresh)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "access_token", access->token);
  json_object_set_int_member (object, "expires_in", TT_ACCESS_LIFETIME_S);
  json_object_set_string_member (object, "open_id", access->account);
  json_object_set_int_member (object, "refresh_expires_in", TT_REFRESH_LIFETIME_S);
  json_object_set_string_member (object, "refresh_token", refresh->token);
  json_object_set_string_member (object, "scope", access->scope);
  json_object_set_string_member (object, "token_type", "Bearer");
  _sm_sandbox_respond_object (req, 200, object);
}

static void
issue_tokens (SmSandboxRequest *req,
              const char       *scope,
              const char       *client_key,
              guint             grant)
{
  SmSandboxToken *access, *refresh;

  access = _sm_sandbox_token_issue (req->sandbox, TT_NETWORK, "access", "user", TT_OPEN_ID,
                                    scope, client_key, grant, TT_ACCESS_LIFETIME_S);
  refresh = _sm_sandbox_token_issue (req->sandbox, TT_NETWORK, "refresh", "user", TT_OPEN_ID,
                                     scope, client_key, access->grant, TT_REFRESH_LIFETIME_S);
  _sm_sandbox_token_pair (access, refresh);
  respond_tokens (req, access, refresh);
}

/* The client key and its secret (the first one seen for a key is the one
 * it must keep using); FALSE after answering. */
static gboolean
check_client (TtState          *state,
              SmSandboxRequest *req,
              const char      **client_key_out)
{
  const char *client_key = _sm_sandbox_request_param (req, "client_key");
  const char *client_secret = _sm_sandbox_request_param (req, "client_secret");
  const char *known;

  if (client_key == NULL || *client_key == '\0')
    {
      oauth_error (req, 400, "invalid_request", "The request parameter client_key is missing.");
      return FALSE;
    }
  if (client_secret == NULL || *client_secret == '\0')
    {
      oauth_error (req, 400, "invalid_request", "The request parameter client_secret is missing.");
      return FALSE;
    }
  known = g_hash_table_lookup (state->secrets, client_key);
  if (known == NULL)
    g_hash_table_insert (state->secrets, g_strdup (client_key), g_strdup (client_secret));
  else if (strcmp (known, client_secret) != 0)
    {
      oauth_error (req, 401, "invalid_client", "Client key or secret is incorrect.");
      return FALSE;
    }
  *client_key_out = client_key;
  return TRUE;
}

static void
token_cb (SmSandboxRequest *req,
          gpointer          user_data)
{
  TtState *state = user_data;
  const char *grant_type;
  const char *client_key = NULL;

  if (!_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      oauth_error (req, 400, "invalid_request",
                   "The token endpoint takes an application/x-www-form-urlencoded body.");
      return;
    }
  if (!check_client (state, req, &client_key))
    return;

  grant_type = _sm_sandbox_request_param (req, "grant_type");
  if (grant_type == NULL)
    {
      oauth_error (req, 400, "invalid_request", "The request parameter grant_type is missing.");
      return;
    }

  if (strcmp (grant_type, "authorization_code") == 0)
    {
      const char *code = _sm_sandbox_request_param (req, "code");
      const char *redirect_uri = _sm_sandbox_request_param (req, "redirect_uri");
      const char *verifier = _sm_sandbox_request_param (req, "code_verifier");
      const SmSandboxCode *stored = NULL;
      SmSandboxCodeStatus status;

      if (code == NULL || redirect_uri == NULL)
        {
          oauth_error (req, 400, "invalid_request",
                       code == NULL ? "The request parameter code is missing."
                                    : "The request parameter redirect_uri is missing.");
          return;
        }
      /* Desktop apps must send the verifier (7.1). */
      if (verifier == NULL)
        {
          oauth_error (req, 400, "invalid_request", "Code verifier or code challenge is invalid.");
          return;
        }
      status = _sm_sandbox_code_redeem (req->sandbox, TT_NETWORK, code, &stored);
      if (status == SM_SANDBOX_CODE_EXPIRED)
        {
          oauth_error (req, 400, "invalid_grant", "Authorization code is expired.");
          return;
        }
      if (status != SM_SANDBOX_CODE_OK || strcmp (stored->client_id, client_key) != 0)
        {
          oauth_error (req, 400, "invalid_grant", "Authorization code is invalid.");
          return;
        }
      if (strcmp (stored->redirect_uri, redirect_uri) != 0)
        {
          oauth_error (req, 400, "invalid_request", "Redirect URI is not the one authorized.");
          return;
        }
      if (!_sm_sandbox_pkce_check (stored->challenge, verifier))
        {
          oauth_error (req, 400, "invalid_request", "Code verifier or code challenge is invalid.");
          return;
        }
      issue_tokens (req, stored->scope, client_key, 0);
    }
  else if (strcmp (grant_type, "refresh_token") == 0)
    {
      const char *string = _sm_sandbox_request_param (req, "refresh_token");
      SmSandboxToken *old;

      if (string == NULL)
        {
          oauth_error (req, 400, "invalid_request", "The request parameter refresh_token is missing.");
          return;
        }
      old = _sm_sandbox_token_lookup (req->sandbox, TT_NETWORK, string);
      if (old == NULL || strcmp (old->kind, "refresh") != 0 ||
          strcmp (old->client_id, client_key) != 0)
        {
          oauth_error (req, 400, "invalid_grant", "Refresh token is invalid.");
          return;
        }
      if (old->state != SM_SANDBOX_TOKEN_VALID)
        {
          oauth_error (req, 400, "invalid_grant",
                       old->state == SM_SANDBOX_TOKEN_EXPIRED ? "Refresh token is expired."
                                                              : "Refresh token is invalid.");
          return;
        }
      /* Refresh tokens rotate (2026 docs): the one just used is spent. */
      old->state = SM_SANDBOX_TOKEN_REVOKED;
      issue_tokens (req, old->scope, client_key, old->grant);
    }
  else
    {
      oauth_error (req, 400, "unsupported_grant_type", "The grant_type is not supported.");
    }
}

static void
revoke_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  TtState *state = user_data;
  const char *client_key = NULL;
  const char *string;
  SmSandboxToken *token;

  if (!_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      oauth_error (req, 400, "invalid_request",
                   "The revoke endpoint takes an application/x-www-form-urlencoded body.");
      return;
    }
  if (!check_client (state, req, &client_key))
    return;
  string = _sm_sandbox_request_param (req, "token");
  if (string == NULL || *string == '\0')
    {
      oauth_error (req, 400, "invalid_request", "The request parameter token is missing.");
      return;
    }
  token = _sm_sandbox_token_lookup (req->sandbox, TT_NETWORK, string);
  if (token == NULL || strcmp (token->client_id, client_key) != 0)
    {
      oauth_error (req, 400, "invalid_request", "The token is invalid.");
      return;
    }

  /* The user's authorization of the app ends: every token of the grant. */
  _sm_sandbox_grant_revoke (req->sandbox, token->grant);
  _sm_sandbox_respond_object (req, 200, json_object_new ());
}

/* ---- user info --------------------------------------------------------- */

static void
user_info_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, "user.info.basic user.info.profile user.info.stats");
  const char *fields = _sm_sandbox_request_query (req, "fields");
  g_auto(GStrv) names = NULL;
  JsonObject *user;
  JsonObject *data;

  if (token == NULL)
    return;
  if (fields == NULL || *fields == '\0')
    {
      invalid_params (req, "The fields parameter is required.");
      return;
    }
  names = g_strsplit (fields, ",", -1);
  user = json_object_new ();
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);
      const char *scope = NULL;

      for (guint j = 0; j < G_N_ELEMENTS (user_fields) && scope == NULL; j++)
        if (strcmp (user_fields[j].field, name) == 0)
          scope = user_fields[j].scope;
      if (scope == NULL)
        {
          g_autofree char *message = g_strdup_printf ("Invalid field: %s.", name);

          json_object_unref (user);
          invalid_params (req, message);
          return;
        }
      if (!_sm_sandbox_scope_has (token->scope, scope))
        {
          json_object_unref (user);
          respond_envelope (req, 401, NULL, "scope_not_authorized",
                            "The user did not authorize the scope required for completing "
                            "this request.");
          return;
        }

      if (strcmp (name, "open_id") == 0)
        json_object_set_string_member (user, name, token->account);
      else if (strcmp (name, "union_id") == 0)
        json_object_set_string_member (user, name, TT_UNION_ID);
      else if (g_str_has_prefix (name, "avatar"))
        json_object_set_string_member (user, name,
                                       "https://p16-sign.tiktokcdn-us.com/sandbox/avatar.jpeg");
      else if (strcmp (name, "display_name") == 0)
        json_object_set_string_member (user, name, TT_DISPLAY_NAME);
      else if (strcmp (name, "username") == 0)
        json_object_set_string_member (user, name, TT_USERNAME);
      else if (strcmp (name, "bio_description") == 0)
        json_object_set_string_member (user, name, "A creator that exists only in the sandbox.");
      else if (strcmp (name, "profile_deep_link") == 0)
        json_object_set_string_member (user, name, "https://vm.tiktok.com/sandbox/");
      else if (strcmp (name, "is_verified") == 0)
        json_object_set_boolean_member (user, name, FALSE);
      else
        json_object_set_int_member (user, name, 42);
    }
  data = json_object_new ();
  json_object_set_object_member (data, "user", user);
  respond_ok (req, data);
}

/* ---- posting ----------------------------------------------------------- */

/* Answers the creator's "cannot post now" code, if one is set. */
static gboolean
creator_blocked (TtState          *state,
                 SmSandboxRequest *req)
{
  const char *code = state->settings.cannot_post;
  const char *message;

  if (code == NULL)
    return FALSE;
  if (strcmp (code, "spam_risk_user_banned_from_posting") == 0)
    message = "The user is banned from making new posts.";
  else if (strcmp (code, "reached_active_user_cap") == 0)
    message = "The daily quota of active users posting through this client has been reached.";
  else
    message = "The user has reached the daily limit of posts made through the API.";
  respond_envelope (req, 403, NULL, code, message);
  return TRUE;
}

static void
creator_info_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  TtState *state = user_data;
  SmSandboxToken *token = authenticate (req, "video.publish");
  g_autoptr(JsonObject) body = NULL;
  JsonObject *data;
  JsonArray *options;

  if (token == NULL)
    return;
  if ((body = json_body (req, TRUE)) == NULL)
    return;
  if (creator_blocked (state, req))
    return;

  data = json_object_new ();
  options = json_array_new ();
  for (guint i = 0; state->settings.privacy_level_options[i] != NULL; i++)
    json_array_add_string_element (options, state->settings.privacy_level_options[i]);
  json_object_set_string_member (data, "creator_avatar_url",
                                 "https://p16-sign.tiktokcdn-us.com/sandbox/avatar.jpeg");
  json_object_set_string_member (data, "creator_username", TT_USERNAME);
  json_object_set_string_member (data, "creator_nickname", TT_DISPLAY_NAME);
  json_object_set_array_member (data, "privacy_level_options", options);
  json_object_set_boolean_member (data, "comment_disabled", state->settings.comment_disabled);
  json_object_set_boolean_member (data, "duet_disabled", state->settings.duet_disabled);
  json_object_set_boolean_member (data, "stitch_disabled", state->settings.stitch_disabled);
  json_object_set_int_member (data, "max_video_post_duration_sec",
                              state->settings.max_video_post_duration_sec);
  respond_ok (req, data);
}

/* The chunk layout of 7.3 step 3; NULL when it is fine, else what is not. */
static char *
check_chunks (guint64 video_size,
              guint64 chunk_size,
              guint64 total_chunk_count)
{
  guint64 last;

  if (video_size == 0)
    return g_strdup ("video_size must be the size of the video in bytes.");
  if (chunk_size == 0 || chunk_size > video_size)
    return g_strdup ("chunk_size must be between 1 and video_size.");
  if (total_chunk_count != video_size / chunk_size)
    return g_strdup_printf ("total_chunk_count must be floor(video_size / chunk_size) = %"
                            G_GUINT64_FORMAT ".", video_size / chunk_size);
  if (total_chunk_count < 1 || total_chunk_count > TT_MAX_CHUNKS)
    return g_strdup ("total_chunk_count must be between 1 and 1000.");
  if (video_size < TT_MIN_CHUNK && chunk_size != video_size)
    return g_strdup ("A video under 5 MB is uploaded as one chunk with chunk_size = video_size.");
  if (total_chunk_count == 1)
    {
      if (video_size > TT_MAX_CHUNK)
        return g_strdup ("A video over 64 MB must be uploaded in several chunks.");
      return NULL;
    }
  if (chunk_size < TT_MIN_CHUNK || chunk_size > TT_MAX_CHUNK)
    return g_strdup ("chunk_size must be between 5 MB and 64 MB.");
  last = video_size - (total_chunk_count - 1) * chunk_size;
  if (last > TT_MAX_LAST_CHUNK)
    return g_strdup ("The last chunk may not exceed 128 MB.");
  return NULL;
}

static gboolean
get_size (JsonObject *source,
          const char *name,
          guint64    *out)
{
  gint64 value;

  if (!member_is (source, name, G_TYPE_INT64))
    return FALSE;
  value = json_object_get_int_member (source, name);
  if (value < 0)
    return FALSE;
  *out = (guint64) value;
  return TRUE;
}

static void
video_init_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  TtState *state = user_data;
  SmSandboxToken *token = authenticate (req, "video.publish");
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *upload_url = NULL;
  JsonObject *post_info;
  JsonObject *source_info;
  JsonObject *data;
  const char *source;
  const char *privacy;
  const char *title = "";
  const struct { const char *option; gboolean disabled; } switches[] = {
    { "disable_comment", state->settings.comment_disabled },
    { "disable_duet", state->settings.duet_disabled },
    { "disable_stitch", state->settings.stitch_disabled },
  };
  guint64 video_size = 0, chunk_size = 0, total_chunk_count = 0;
  Publish *publish;

  if (token == NULL)
    return;
  if (!rate_limit (state, req, "init", token, TT_INIT_PER_MINUTE))
    return;
  if ((body = json_body (req, FALSE)) == NULL)
    return;
  if (creator_blocked (state, req))
    return;

  post_info = json_object_has_member (body, "post_info") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "post_info"))
              ? json_object_get_object_member (body, "post_info") : NULL;
  source_info = json_object_has_member (body, "source_info") &&
                JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "source_info"))
                ? json_object_get_object_member (body, "source_info") : NULL;
  if (post_info == NULL || source_info == NULL)
    {
      invalid_params (req, "post_info and source_info are required.");
      return;
    }

  if (json_object_has_member (post_info, "title"))
    {
      if (!member_is (post_info, "title", G_TYPE_STRING))
        {
          invalid_params (req, "post_info.title must be a string.");
          return;
        }
      title = json_object_get_string_member (post_info, "title");
      if (!g_utf8_validate (title, -1, NULL) || g_utf8_strlen (title, -1) > TT_MAX_TITLE_CHARS)
        {
          invalid_params (req, "post_info.title may have at most 2200 characters.");
          return;
        }
    }
  if (!member_is (post_info, "privacy_level", G_TYPE_STRING) ||
      !g_strv_contains (privacy_levels,
                        (privacy = json_object_get_string_member (post_info, "privacy_level"))))
    {
      invalid_params (req, "post_info.privacy_level must be one of PUBLIC_TO_EVERYONE, "
                           "MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY.");
      return;
    }
  if (!g_strv_contains ((const char * const *) state->settings.privacy_level_options, privacy))
    {
      respond_envelope (req, 400, NULL, "privacy_level_option_mismatch",
                        "The privacy_level is not among the creator's privacy_level_options.");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
    {
      gboolean value = FALSE;

      if (json_object_has_member (post_info, switches[i].option))
        {
          if (!member_is (post_info, switches[i].option, G_TYPE_BOOLEAN))
            {
              g_autofree char *message = g_strdup_printf ("post_info.%s must be a boolean.",
                                                          switches[i].option);

              invalid_params (req, message);
              return;
            }
          value = json_object_get_boolean_member (post_info, switches[i].option);
        }
      /* What creator_info says is off cannot be turned on. */
      if (switches[i].disabled && !value)
        {
          g_autofree char *message =
            g_strdup_printf ("The creator has turned this off; post_info.%s must be true.",
                             switches[i].option);

          invalid_params (req, message);
          return;
        }
    }
  if (json_object_has_member (post_info, "video_cover_timestamp_ms") &&
      !member_is (post_info, "video_cover_timestamp_ms", G_TYPE_INT64))
    {
      invalid_params (req, "post_info.video_cover_timestamp_ms must be an integer.");
      return;
    }

  source = member_is (source_info, "source", G_TYPE_STRING)
           ? json_object_get_string_member (source_info, "source") : NULL;
  if (g_strcmp0 (source, "PULL_FROM_URL") == 0)
    {
      respond_envelope (req, 403, NULL, "url_ownership_unverified",
                        "No domain or URL prefix is verified for this client in the sandbox; "
                        "use FILE_UPLOAD.");
      return;
    }
  if (g_strcmp0 (source, "FILE_UPLOAD") != 0)
    {
      invalid_params (req, "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.");
      return;
    }
  if (!get_size (source_info, "video_size", &video_size) ||
      !get_size (source_info, "chunk_size", &chunk_size) ||
      !get_size (source_info, "total_chunk_count", &total_chunk_count))
    {
      invalid_params (req, "source_info needs video_size, chunk_size and total_chunk_count "
                           "as integers.");
      return;
    }
  if ((problem = check_chunks (video_size, chunk_size, total_chunk_count)) != NULL)
    {
      invalid_params (req, problem);
      return;
    }

  publish = g_rc_box_new0 (Publish);
  publish->state = state;
  publish->publish_id = g_strdup_printf ("v_pub_file~v2-1.%" G_GUINT64_FORMAT,
                                         _sm_sandbox_next_serial (req->sandbox));
  publish->upload_id = g_strdup_printf ("%" G_GUINT64_FORMAT, _sm_sandbox_next_serial (req->sandbox));
  publish->upload_token = _sm_sandbox_random_string ("sbxut-");
  publish->account = g_strdup (token->account);
  publish->title = g_strdup (title);
  publish->privacy = g_strdup (privacy);
  publish->video_size = video_size;
  publish->chunk_size = chunk_size;
  publish->total_chunks = (guint) total_chunk_count;
  publish->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  publish->created_us = g_get_real_time ();
  publish->url_expires_us = publish->created_us +
                            state->settings.upload_url_lifetime_s * G_USEC_PER_SEC;
  publish->status = PUBLISH_UPLOADING;
  g_hash_table_insert (state->publishes, publish->publish_id, publish);

  /* The URL as the real service writes it; clients map it back to the
   * sandbox through their base override. */
  upload_url = g_strdup_printf ("https://open-upload.tiktokapis.com/video/?upload_id=%s"
                                "&upload_token=%s", publish->upload_id, publish->upload_token);
  data = json_object_new ();
  json_object_set_string_member (data, "publish_id", publish->publish_id);
  json_object_set_string_member (data, "upload_url", upload_url);
  respond_ok (req, data);
  g_debug ("tiktok: publish of %" G_GUINT64_FORMAT " bytes in %u chunks", video_size,
           publish->total_chunks);
}

static Publish *
find_upload (TtState    *state,
             const char *upload_id)
{
  GHashTableIter iter;
  Publish *publish;

  if (upload_id == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, state->publishes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &publish))
    if (strcmp (publish->upload_id, upload_id) == 0)
      return publish;
  return NULL;
}

/* "bytes A-B/T"; FALSE when it is not that. */
static gboolean
parse_content_range (const char *value,
                     guint64    *first_out,
                     guint64    *last_out,
                     guint64    *total_out)
{
  g_auto(GStrv) halves = NULL;
  g_auto(GStrv) ends = NULL;

  if (value == NULL || !g_str_has_prefix (value, "bytes "))
    return FALSE;
  halves = g_strsplit (value + strlen ("bytes "), "/", 2);
  if (halves[0] == NULL || halves[1] == NULL ||
      !g_ascii_string_to_unsigned (halves[1], 10, 1, G_MAXINT64, total_out, NULL))
    return FALSE;
  ends = g_strsplit (halves[0], "-", 2);
  return ends[0] != NULL && ends[1] != NULL &&
         g_ascii_string_to_unsigned (ends[0], 10, 0, G_MAXINT64, first_out, NULL) &&
         g_ascii_string_to_unsigned (ends[1], 10, 0, G_MAXINT64, last_out, NULL) &&
         *first_out <= *last_out && *last_out < *total_out;
}

static PutSink *
put_refuse (PutSink    *sink,
            PutVerdict  verdict,
            const char *code,
            const char *message)
{
  sink->verdict = verdict;
  sink->code = g_strdup (code);
  sink->message = g_strdup (message);
  return sink;
}

/* Step 4, when the headers are in: whether this PUT is the next chunk. */
static gpointer
put_begin (SmSandboxRequest *req,
           gpointer          user_data)
{
  TtState *state = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  PutSink *sink = g_new0 (PutSink, 1);
  Publish *publish = find_upload (state, _sm_sandbox_request_query (req, "upload_id"));
  const char *upload_token = _sm_sandbox_request_query (req, "upload_token");
  guint64 first = 0, last = 0, total = 0, start, expected;
  goffset length;

  if (publish == NULL || g_strcmp0 (upload_token, publish->upload_token) != 0)
    return put_refuse (sink, PUT_NOT_FOUND, "invalid_params", "The upload URL is not valid.");
  sink->publish = g_rc_box_acquire (publish);
  if (g_get_real_time () > publish->url_expires_us)
    return put_refuse (sink, PUT_NOT_FOUND, "invalid_params",
                       "The upload URL has expired; initialize the post again.");
  if (publish->status != PUBLISH_UPLOADING)
    return put_refuse (sink, PUT_BAD_REQUEST, "invalid_params",
                       "Every chunk of this upload is already in.");
  if (content_type == NULL || !g_strv_contains (video_types, content_type))
    return put_refuse (sink, PUT_BAD_REQUEST, "invalid_file_upload",
                       "Content-Type must be video/mp4, video/quicktime or video/webm.");
  if (publish->content_type != NULL && g_ascii_strcasecmp (publish->content_type, content_type) != 0)
    return put_refuse (sink, PUT_BAD_REQUEST, "invalid_file_upload",
                       "Every chunk must have the Content-Type of the first.");
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return put_refuse (sink, PUT_BAD_REQUEST, "invalid_params", "Content-Length is required.");
  length = soup_message_headers_get_content_length (headers);
  if (!parse_content_range (_sm_sandbox_request_header (req, "Content-Range"), &first, &last, &total))
    return put_refuse (sink, PUT_BAD_REQUEST, "invalid_params",
                       "Content-Range must be bytes FIRST-LAST/TOTAL.");
  if (total != publish->video_size)
    return put_refuse (sink, PUT_BAD_REQUEST, "invalid_params",
                       "The total in Content-Range is not the video_size of the post.");
  if ((guint64) length != last - first + 1)
    return put_refuse (sink, PUT_BAD_REQUEST, "invalid_params",
                       "Content-Length does not match Content-Range.");

  /* Chunks are uploaded in order; the last one absorbs the remainder. */
  start = (guint64) publish->chunks_in * publish->chunk_size;
  expected = publish->chunks_in + 1 == publish->total_chunks ? publish->video_size - start
                                                              : publish->chunk_size;
  if (first != start || last - first + 1 != expected)
    {
      g_autofree char *message =
        g_strdup_printf ("Chunk %u of %u must be bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                         "/%" G_GUINT64_FORMAT ".", publish->chunks_in + 1, publish->total_chunks,
                         start, start + expected - 1, publish->video_size);

      return put_refuse (sink, PUT_BAD_REQUEST, "invalid_params", message);
    }

  sink->verdict = PUT_OK;
  sink->index = publish->chunks_in;
  sink->expected = expected;
  sink->sha256 = g_checksum_copy (publish->sha256);
  if (publish->content_type == NULL)
    publish->content_type = g_strdup (content_type);
  return sink;
}

static void
put_chunk (gpointer      data,
           const guint8 *bytes,
           gsize         len)
{
  PutSink *sink = data;

  if (sink->verdict != PUT_OK)
    return;
  /* Content-Length matched the range, so this never runs past it. */
  g_checksum_update (sink->sha256, bytes, len);
  sink->received += len;
}

/* Processing is over: the post is public, or it failed. */
static void
processing_finish (TtState *state,
                   Publish *publish)
{
  SmSandboxPost *post;
  g_autofree char *id = NULL;

  /* Reset while processing: nothing to finish. */
  if (g_hash_table_lookup (state->publishes, publish->publish_id) != publish ||
      publish->status != PUBLISH_PROCESSING)
    return;

  if (publish->fail_reason != NULL)
    {
      publish->status = PUBLISH_FAILED;
      g_debug ("tiktok: publish failed: %s", publish->fail_reason);
      return;
    }

  /* Ids look like TikTok's: 19 digits. */
  id = g_strdup_printf ("73%017" G_GUINT64_FORMAT, _sm_sandbox_next_serial (state->sandbox));
  publish->post_id = g_strdup (id);
  publish->status = PUBLISH_COMPLETE;
  post = _sm_sandbox_post_add (state->sandbox, TT_NETWORK, publish->account, id, publish->title);
  post->extra = g_strdup (publish->privacy);
  _sm_sandbox_post_add_media (post, "video", publish->video_size,
                              g_checksum_get_string (publish->sha256));
  g_debug ("tiktok: published video of %" G_GUINT64_FORMAT " bytes", publish->video_size);
}

static gboolean
processing_done_cb (gpointer data)
{
  Publish *publish = data;
  TtState *state = publish->state;
  guint index;

  /* The timer's reference, released once done here. */
  g_clear_pointer (&publish->timer, g_source_unref);
  if (g_ptr_array_find (state->processing, publish, &index))
    g_ptr_array_steal_index_fast (state->processing, index);
  processing_finish (state, publish);
  publish_unref (publish);
  return G_SOURCE_REMOVE;
}

static void
put_cb (SmSandboxRequest *req,
        gpointer          user_data)
{
  TtState *state = user_data;
  PutSink *sink = req->body_sink;
  Publish *publish;

  g_assert (sink != NULL);
  publish = sink->publish;
  switch (sink->verdict)
    {
    case PUT_NOT_FOUND:
      respond_envelope (req, 404, NULL, sink->code, sink->message);
      return;
    case PUT_BAD_REQUEST:
      respond_envelope (req, 400, NULL, sink->code, sink->message);
      return;
    case PUT_OK:
      break;
    default:
      g_assert_not_reached ();
    }

  /* Reset, or another PUT of this chunk got in first, while this one came. */
  if (g_hash_table_lookup (state->publishes, publish->publish_id) != publish ||
      publish->status != PUBLISH_UPLOADING || publish->chunks_in != sink->index)
    {
      respond_envelope (req, 400, NULL, "invalid_params", "The upload changed while this chunk came in.");
      return;
    }
  if (sink->received != sink->expected)
    {
      respond_envelope (req, 400, NULL, "invalid_params", "The chunk is shorter than Content-Length.");
      return;
    }

  g_checksum_free (publish->sha256);
  publish->sha256 = g_steal_pointer (&sink->sha256);
  publish->stored += sink->received;
  publish->chunks_in++;

  if (publish->chunks_in < publish->total_chunks)
    {
      _sm_sandbox_respond_empty (req, 206);
      return;
    }

  /* The last chunk: processing starts, and ends on its own. */
  publish->status = PUBLISH_PROCESSING;
  if (state->settings.fail_reason != NULL)
    publish->fail_reason = g_strdup (state->settings.fail_reason);
  publish->timer = _sm_sandbox_timeout_source_new ((guint) MAX (state->settings.processing_ms, 0),
                                                   processing_done_cb, publish, NULL);
  g_ptr_array_add (state->processing, g_rc_box_acquire (publish));
  _sm_sandbox_respond_empty (req, 201);
}

static const char *
status_name (PublishState status)
{
  switch (status)
    {
    case PUBLISH_UPLOADING:
    case PUBLISH_PROCESSING:
      return "PROCESSING_UPLOAD";
    case PUBLISH_COMPLETE:
      return "PUBLISH_COMPLETE";
    case PUBLISH_FAILED:
      return "FAILED";
    default:
      g_assert_not_reached ();
    }
}

static void
status_fetch_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  TtState *state = user_data;
  SmSandboxToken *token = authenticate (req, "video.publish video.upload");
  g_autoptr(JsonObject) body = NULL;
  const char *publish_id;
  Publish *publish;
  JsonObject *data;
  JsonArray *ids;

  if (token == NULL)
    return;
  if (!rate_limit (state, req, "status", token, TT_STATUS_PER_MINUTE))
    return;
  if ((body = json_body (req, FALSE)) == NULL)
    return;
  publish_id = member_is (body, "publish_id", G_TYPE_STRING)
               ? json_object_get_string_member (body, "publish_id") : NULL;
  if (publish_id == NULL)
    {
      invalid_params (req, "publish_id is required.");
      return;
    }
  publish = g_hash_table_lookup (state->publishes, publish_id);
  if (publish == NULL || strcmp (publish->account, token->account) != 0)
    {
      invalid_params (req, "The publish_id does not exist.");
      return;
    }

  data = json_object_new ();
  json_object_set_string_member (data, "status", status_name (publish->status));
  if (publish->status == PUBLISH_FAILED)
    json_object_set_string_member (data, "fail_reason", publish->fail_reason);
  ids = json_array_new ();
  /* Only public posts get a public id (the API's own spelling). */
  if (publish->status == PUBLISH_COMPLETE && strcmp (publish->privacy, "SELF_ONLY") != 0)
    json_array_add_string_element (ids, publish->post_id);
  json_object_set_array_member (data, "publicaly_available_post_id", ids);
  json_object_set_int_member (data, "uploaded_bytes", (gint64) publish->stored);
  json_object_set_int_member (data, "downloaded_bytes", 0);
  respond_ok (req, data);
}

/* ---- video/list and video/query (7.4) ------------------------------------- */

static const char * const video_fields[] = {
  "id", "title", "video_description", "duration", "cover_image_url", "embed_link", "embed_html",
  "create_time", "share_url", "view_count", "like_count", "comment_count", "share_count",
  "height", "width", NULL
};

/* The fields parameter, or NULL after answering 400. */
static GStrv
parse_video_fields (SmSandboxRequest *req)
{
  const char *fields = _sm_sandbox_request_query (req, "fields");
  g_auto(GStrv) names = NULL;

  if (fields == NULL || *fields == '\0')
    {
      invalid_params (req, "The fields parameter is required.");
      return NULL;
    }
  names = g_strsplit (fields, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_strstrip (names[i]);
      if (!g_strv_contains (video_fields, names[i]))
        {
          g_autofree char *message = g_strdup_printf ("Invalid field: %s.", names[i]);

          invalid_params (req, message);
          return NULL;
        }
    }
  return g_steal_pointer (&names);
}

static JsonObject *
video_object (SmSandboxPost *post,
              GStrv          fields)
{
  JsonObject *video = json_object_new ();
  g_autofree char *share_url = g_strdup_printf ("https://www.tiktok.com/@" TT_USERNAME "/video/%s",
                                                post->id);

  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *name = fields[i];

      if (strcmp (name, "id") == 0)
        json_object_set_string_member (video, name, post->id);
      else if (strcmp (name, "title") == 0 || strcmp (name, "video_description") == 0)
        json_object_set_string_member (video, name, post->text);
      else if (strcmp (name, "create_time") == 0)
        json_object_set_int_member (video, name, post->received_us / G_USEC_PER_SEC);
      else if (strcmp (name, "share_url") == 0)
        json_object_set_string_member (video, name, share_url);
      else if (strcmp (name, "embed_link") == 0)
        {
          g_autofree char *link = g_strdup_printf ("https://www.tiktok.com/player/v1/%s", post->id);

          json_object_set_string_member (video, name, link);
        }
      else if (strcmp (name, "embed_html") == 0)
        {
          g_autofree char *html = g_strdup_printf ("<blockquote class=\"tiktok-embed\" cite=\"%s\">"
                                                   "</blockquote>", share_url);

          json_object_set_string_member (video, name, html);
        }
      else if (strcmp (name, "cover_image_url") == 0)
        json_object_set_string_member (video, name,
                                       "https://p16-sign.tiktokcdn-us.com/sandbox/cover.jpeg");
      else
        /* Counts, duration and size: the sandbox does not watch videos. */
        json_object_set_int_member (video, name, 0);
    }
  return video;
}

static void
video_list_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  TtState *state = user_data;
  SmSandboxToken *token = authenticate (req, "video.list");
  g_autoptr(JsonObject) body = NULL;
  g_auto(GStrv) fields = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  gint64 max_count = 10;
  gint64 cursor = G_MAXINT64;
  gint64 next_cursor = 0;
  gboolean has_more = FALSE;
  JsonArray *videos;
  JsonObject *data;

  if (token == NULL || (fields = parse_video_fields (req)) == NULL)
    return;
  if ((body = json_body (req, TRUE)) == NULL)
    return;
  if (json_object_has_member (body, "max_count"))
    {
      if (!member_is (body, "max_count", G_TYPE_INT64) ||
          (max_count = json_object_get_int_member (body, "max_count")) < 1 || max_count > 20)
        {
          invalid_params (req, "max_count must be between 1 and 20.");
          return;
        }
    }
  /* The cursor is a time in Unix milliseconds: videos made before it. */
  if (json_object_has_member (body, "cursor"))
    {
      if (!member_is (body, "cursor", G_TYPE_INT64))
        {
          invalid_params (req, "cursor must be an integer.");
          return;
        }
      cursor = json_object_get_int_member (body, "cursor");
    }

  posts = _sm_sandbox_posts_of (state->sandbox, TT_NETWORK, token->account);
  videos = json_array_new ();
  for (guint i = 0; i < posts->len; i++)
    {
      SmSandboxPost *post = g_ptr_array_index (posts, i);
      gint64 made_ms = post->received_us / 1000;

      if (made_ms >= cursor)
        continue;
      if (json_array_get_length (videos) == (guint) max_count)
        {
          has_more = TRUE;
          break;
        }
      json_array_add_object_element (videos, video_object (post, fields));
      next_cursor = made_ms;
    }
  data = json_object_new ();
  json_object_set_array_member (data, "videos", videos);
  json_object_set_int_member (data, "cursor", next_cursor);
  json_object_set_boolean_member (data, "has_more", has_more);
  respond_ok (req, data);
}

static void
video_query_cb (SmSandboxRequest *req,
                gpointer          user_data)
{
  TtState *state = user_data;
  SmSandboxToken *token = authenticate (req, "video.list");
  g_autoptr(JsonObject) body = NULL;
  g_auto(GStrv) fields = NULL;
  JsonNode *ids_node;
  JsonArray *ids;
  JsonArray *videos;
  JsonObject *data;

  if (token == NULL || (fields = parse_video_fields (req)) == NULL)
    return;
  if ((body = json_body (req, FALSE)) == NULL)
    return;
  ids_node = json_object_has_member (body, "filters") &&
             JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "filters"))
             ? json_object_get_member (json_object_get_object_member (body, "filters"), "video_ids")
             : NULL;
  ids = ids_node != NULL && JSON_NODE_HOLDS_ARRAY (ids_node) ? json_node_get_array (ids_node) : NULL;
  if (ids == NULL || json_array_get_length (ids) == 0 || json_array_get_length (ids) > 20)
    {
      invalid_params (req, "filters.video_ids must list 1 to 20 video ids.");
      return;
    }

  videos = json_array_new ();
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      const char *id = json_array_get_string_element (ids, i);
      SmSandboxPost *post = id != NULL ? _sm_sandbox_post_lookup (state->sandbox, TT_NETWORK, id)
                                       : NULL;

      /* Only the creator's own videos; unknown ids are left out. */
      if (post != NULL && !post->deleted && g_strcmp0 (post->account, token->account) == 0)
        json_array_add_object_element (videos, video_object (post, fields));
    }
  data = json_object_new ();
  json_object_set_array_member (data, "videos", videos);
  respond_ok (req, data);
}

static void
api_not_found_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  respond_envelope (req, 404, NULL, "invalid_params", "The endpoint does not exist.");
}

static void
site_not_found_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  _sm_sandbox_respond_page (req, 404, "This page doesn’t exist in the sandbox’s TikTok.");
}

/* ---- POST /__sandbox/tiktok/settings ------------------------------------- */

static JsonObject *
settings_to_json (const Settings *settings)
{
  JsonObject *object = json_object_new ();
  JsonArray *options = json_array_new ();

  for (guint i = 0; settings->privacy_level_options[i] != NULL; i++)
    json_array_add_string_element (options, settings->privacy_level_options[i]);
  json_object_set_array_member (object, "privacy_level_options", options);
  json_object_set_boolean_member (object, "comment_disabled", settings->comment_disabled);
  json_object_set_boolean_member (object, "duet_disabled", settings->duet_disabled);
  json_object_set_boolean_member (object, "stitch_disabled", settings->stitch_disabled);
  json_object_set_int_member (object, "max_video_post_duration_sec",
                              settings->max_video_post_duration_sec);
  if (settings->cannot_post != NULL)
    json_object_set_string_member (object, "cannot_post", settings->cannot_post);
  else
    json_object_set_null_member (object, "cannot_post");
  json_object_set_int_member (object, "processing_ms", settings->processing_ms);
  if (settings->fail_reason != NULL)
    json_object_set_string_member (object, "fail_reason", settings->fail_reason);
  else
    json_object_set_null_member (object, "fail_reason");
  json_object_set_int_member (object, "upload_url_lifetime_s", settings->upload_url_lifetime_s);
  return object;
}

static void
hook_error (SmSandboxRequest *req,
            const char       *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  _sm_sandbox_respond_object (req, 400, object);
}

/* A string member or null; FALSE when it is something else. */
static gboolean
nullable_string (JsonObject  *object,
                 const char  *name,
                 const char **out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (!member_is (object, name, G_TYPE_STRING))
    return FALSE;
  *out = json_object_get_string_member (object, name);
  return TRUE;
}

static void
settings_hook_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  TtState *state = user_data;
  Settings *settings = &state->settings;
  JsonNode *root = NULL;
  JsonObject *object;
  g_autoptr(GStrvBuilder) options = NULL;
  const char *text = NULL;

  if (strcmp (req->method, "GET") == 0)
    {
      _sm_sandbox_respond_object (req, 200, settings_to_json (settings));
      return;
    }

  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    SoupMessageBody *body = soup_server_message_get_request_body (req->msg);

    if (body->data != NULL && body->length > 0 &&
        json_parser_load_from_data (parser, body->data, body->length, NULL))
      root = json_node_copy (json_parser_get_root (parser));
  }
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_clear_pointer (&root, json_node_unref);
      hook_error (req, "expected a JSON object; see sm-sandbox.h");
      return;
    }
  object = json_node_get_object (root);

  /* Checked in full first, so that a bad request changes nothing. */
  if (json_object_has_member (object, "privacy_level_options"))
    {
      JsonNode *node = json_object_get_member (object, "privacy_level_options");
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      options = g_strv_builder_new ();
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          const char *level = json_array_get_string_element (array, i);

          if (level == NULL || !g_strv_contains (privacy_levels, level))
            array = NULL;
          else
            g_strv_builder_add (options, level);
        }
      if (array == NULL)
        {
          json_node_unref (root);
          hook_error (req, "privacy_level_options takes PUBLIC_TO_EVERYONE, "
                           "MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY");
          return;
        }
    }
  if ((json_object_has_member (object, "cannot_post") &&
       (!nullable_string (object, "cannot_post", &text) ||
        (text != NULL && !g_strv_contains (cannot_post_codes, text)))) ||
      (json_object_has_member (object, "fail_reason") &&
       !nullable_string (object, "fail_reason", &text)))
    {
      json_node_unref (root);
      hook_error (req, "cannot_post takes null, spam_risk_too_many_posts, "
                       "spam_risk_user_banned_from_posting or reached_active_user_cap; "
                       "fail_reason null or a string");
      return;
    }
  for (guint i = 0; i < 3; i++)
    {
      const char *names[] = { "max_video_post_duration_sec", "processing_ms", "upload_url_lifetime_s" };

      if (json_object_has_member (object, names[i]) &&
          (!member_is (object, names[i], G_TYPE_INT64) ||
           json_object_get_int_member (object, names[i]) < 0))
        {
          json_node_unref (root);
          hook_error (req, "max_video_post_duration_sec, processing_ms and "
                           "upload_url_lifetime_s take integers >= 0");
          return;
        }
    }
  for (guint i = 0; i < 3; i++)
    {
      const char *names[] = { "comment_disabled", "duet_disabled", "stitch_disabled" };

      if (json_object_has_member (object, names[i]) && !member_is (object, names[i], G_TYPE_BOOLEAN))
        {
          json_node_unref (root);
          hook_error (req, "comment_disabled, duet_disabled and stitch_disabled take booleans");
          return;
        }
    }

  if (options != NULL)
    {
      g_strfreev (settings->privacy_level_options);
      settings->privacy_level_options = g_strv_builder_end (options);
    }
  if (json_object_has_member (object, "cannot_post"))
    {
      nullable_string (object, "cannot_post", &text);
      g_free (settings->cannot_post);
      settings->cannot_post = g_strdup (text);
    }
  if (json_object_has_member (object, "fail_reason"))
    {
      nullable_string (object, "fail_reason", &text);
      g_free (settings->fail_reason);
      settings->fail_reason = g_strdup (text);
    }
  if (json_object_has_member (object, "max_video_post_duration_sec"))
    settings->max_video_post_duration_sec = json_object_get_int_member (object, "max_video_post_duration_sec");
  if (json_object_has_member (object, "processing_ms"))
    settings->processing_ms = json_object_get_int_member (object, "processing_ms");
  if (json_object_has_member (object, "upload_url_lifetime_s"))
    settings->upload_url_lifetime_s = json_object_get_int_member (object, "upload_url_lifetime_s");
  if (json_object_has_member (object, "comment_disabled"))
    settings->comment_disabled = json_object_get_boolean_member (object, "comment_disabled");
  if (json_object_has_member (object, "duet_disabled"))
    settings->duet_disabled = json_object_get_boolean_member (object, "duet_disabled");
  if (json_object_has_member (object, "stitch_disabled"))
    settings->stitch_disabled = json_object_get_boolean_member (object, "stitch_disabled");

  json_node_unref (root);
  _sm_sandbox_respond_object (req, 200, settings_to_json (settings));
}

void
_sm_sandbox_tiktok_register (SmSandbox *self)
{
  TtState *state = g_new0 (TtState, 1);

  state->sandbox = self;
  state->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state->publishes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) publish_unref);
  state->windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state->processing = g_ptr_array_new_with_free_func ((GDestroyNotify) publish_unref);
  settings_default (&state->settings);
  _sm_sandbox_add_module (self, state, tt_state_reset, tt_state_free);

  _sm_sandbox_add_route (self, authorize_hosts, "GET", "/v2/auth/authorize/", authorize_cb, state);
  _sm_sandbox_add_route (self, authorize_hosts, "*", "/**", site_not_found_cb, state);

  _sm_sandbox_add_route (self, api_hosts, "POST", "/v2/oauth/token/", token_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/v2/oauth/revoke/", revoke_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/v2/user/info/", user_info_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/v2/post/publish/creator_info/query/",
                         creator_info_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/v2/post/publish/video/init/",
                         video_init_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/v2/post/publish/status/fetch/",
                         status_fetch_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/v2/video/list/", video_list_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/v2/video/query/", video_query_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "*", "/**", api_not_found_cb, state);

  _sm_sandbox_add_streaming_route (self, upload_hosts, "PUT", "/video/",
                                   put_begin, put_chunk, put_sink_free, put_cb, state);
  _sm_sandbox_add_route (self, upload_hosts, "*", "/**", api_not_found_cb, state);

  _sm_sandbox_add_hook (self, "POST", "tiktok/settings", settings_hook_cb, state);
  _sm_sandbox_add_hook (self, "GET", "tiktok/settings", settings_hook_cb, state);
}
