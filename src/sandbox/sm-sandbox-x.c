/* sm-sandbox-x.c — X API v2 in the sandbox: OAuth 2.0 + PKCE, posts,
 * replies (threads) and the v2 media upload.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 8.  Errors are RFC 7807 problems on the API and
 * {"error","error_description"} on the token endpoint; 401 is always the
 * same bare "Unauthorized" problem, whatever was wrong with the token.
 *
 * Media (8.4): only the split v2 endpoints and the one-shot image upload;
 * the retired command=INIT|APPEND|FINALIZE form on /2/media/upload is
 * refused.  Every media call needs the media.write scope.  APPEND bodies
 * are multipart/form-data parsed as they stream in: a segment is never held
 * in memory, only a running SHA-256 of the media's bytes, and it counts
 * only once its whole request is in.  Segments come in order, each once
 * (segment_index 0, 1, 2, …), at most 5 MiB each; FINALIZE needs exactly
 * total_bytes.  Videos and GIFs are then processed: "pending" for a
 * second, "in_progress" for another, then "succeeded", or "failed" when
 * POST /__sandbox/x/media-failure asked for it (sm-sandbox.h).  A post may
 * attach only media that succeeded: up to 4 images, or 1 GIF, or 1 video.
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
/* Media (8.4).  expires_after_secs: v1.1 documented a day for a media id. */
#define X_MEDIA_LIFETIME_S     (24 * 60 * 60)
#define X_MAX_SEGMENTS         1000
/* v1.1's documented segment cap; v2's is unconfirmed (8.4). */
#define X_MAX_SEGMENT_BYTES    (5 * 1024 * 1024)
#define X_MAX_IMAGE_BYTES      (5 * 1024 * 1024)
#define X_MAX_GIF_BYTES        (15 * 1024 * 1024)
#define X_MAX_VIDEO_BYTES      (512 * 1024 * 1024)
#define X_MAX_MEDIA_PER_POST   4
/* Each processing state lasts this long. */
#define X_PROCESSING_STEP_US   G_USEC_PER_SEC
/* Text parts and header blocks of a multipart body are small. */
#define X_MAX_FIELD_BYTES      1024
#define X_MAX_PART_HEADERS     8192
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
  GHashTable *media;     /* media id → XMedia */
  char       *fail_next; /* the next media processed fails with this message */
} XState;

/* One uploaded (or uploading) media; reference counted (g_rc_box) because
 * an APPEND streaming into it may outlive a reset. */
typedef struct
{
  char      *id;
  char      *key;          /* media_key: "3_…" image, "7_…" video, "16_…" GIF */
  char      *account;
  char      *media_type;
  char      *category;
  guint64    total;
  guint64    stored;
  guint      next_segment;
  GChecksum *sha256;       /* of the stored bytes, in order */
  char      *sha256_hex;   /* once finalized */
  gint64     expires_us;
  gint64     finalized_us; /* 0 while segments may still come */
  gboolean   processed;    /* videos and GIFs go through processing */
  char      *failure;      /* processing ends "failed" with this message */
} XMedia;

typedef enum
{
  PART_PREAMBLE,
  PART_AFTER_DELIMITER,
  PART_HEADERS,
  PART_BODY,
  PART_END,
  PART_ERROR,
} PartState;

/* A media upload body on its way in (APPEND and the one-shot upload):
 * multipart/form-data parsed as it arrives.  The "media" part only goes
 * into a SHA-256 (a copy of the media's own, for APPEND, swapped in once
 * the request is whole); text parts are kept, small. */
typedef struct
{
  XMedia     *media;         /* APPEND: a reference to the media, or NULL */
  GChecksum  *sha256;
  guint64     base;          /* media->stored when the request began */
  gboolean    multipart;
  char       *delimiter;     /* "\r\n--BOUNDARY" */
  gsize       delimiter_len;
  GByteArray *buffer;
  PartState   state;
  char       *part_name;
  GString    *part_text;
  GHashTable *fields;        /* text parts: name → value */
  guint       media_parts;
  guint64     media_bytes;
  gboolean    field_too_long;
  GString    *raw;           /* a body that is not multipart, its start */
} UploadSink;

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
media_clear (XMedia *media)
{
  g_free (media->id);
  g_free (media->key);
  g_free (media->account);
  g_free (media->media_type);
  g_free (media->category);
  g_checksum_free (media->sha256);
  g_free (media->sha256_hex);
  g_free (media->failure);
}

static void
media_unref (XMedia *media)
{
  g_rc_box_release_full (media, (GDestroyNotify) media_clear);
}

static void
upload_sink_free (gpointer data)
{
  UploadSink *sink = data;

  g_clear_pointer (&sink->media, media_unref);
  g_clear_pointer (&sink->sha256, g_checksum_free);
  g_free (sink->delimiter);
  g_clear_pointer (&sink->buffer, g_byte_array_unref);
  g_free (sink->part_name);
  if (sink->part_text != NULL)
    g_string_free (sink->part_text, TRUE);
  g_clear_pointer (&sink->fields, g_hash_table_unref);
  if (sink->raw != NULL)
    g_string_free (sink->raw, TRUE);
  g_free (sink);
}

static void
x_state_free (gpointer data)
{
  XState *state = data;

  g_hash_table_unref (state->windows);
  g_hash_table_unref (state->media);
  g_free (state->fail_next);
  g_free (state);
}

static void
x_state_reset (gpointer data,
               gpointer user_data)
{
  XState *state = data;

  g_hash_table_remove_all (state->windows);
  g_hash_table_remove_all (state->media);
  g_clear_pointer (&state->fail_next, g_free);
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

/* A post's text as X shows it: with media, a t.co link to them is
 * appended. */
static char *
shown_text (SmSandboxPost *post)
{
  if (post->media->len == 0)
    return g_strdup (post->text);
  return g_strdup_printf ("%s https://t.co/%s", post->text,
                          post->id + MAX (0, (int) strlen (post->id) - 10));
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

/* ---- media (8.4) -------------------------------------------------------- */

static gboolean
media_is_video (const XMedia *media)
{
  return g_str_has_suffix (media->category, "_video");
}

/* What a post's "media" lists the file as. */
static const char *
media_kind (const XMedia *media)
{
  return media_is_video (media) ? "video" : "image";
}

/* "pending" → "in_progress" → "succeeded" | "failed", a step a second
 * from FINALIZE; media without processing (images) is ready at once. */
static const char *
media_state (const XMedia *media,
             gint64        now_us)
{
  gint64 age;

  if (media->finalized_us == 0)
    return NULL;
  if (!media->processed)
    return "succeeded";
  age = now_us - media->finalized_us;
  if (age < X_PROCESSING_STEP_US)
    return "pending";
  if (age < 2 * X_PROCESSING_STEP_US)
    return "in_progress";
  return media->failure != NULL ? "failed" : "succeeded";
}

/* The media the account owns with @id, not expired, or NULL. */
static XMedia *
media_lookup (XState     *state,
              const char *id,
              const char *account)
{
  XMedia *media = id != NULL ? g_hash_table_lookup (state->media, id) : NULL;

  if (media == NULL || strcmp (media->account, account) != 0 ||
      g_get_real_time () >= media->expires_us)
    return NULL;
  return media;
}

static void
media_not_found (SmSandboxRequest *req,
                 const char       *id)
{
  g_autofree char *detail = g_strdup_printf ("Could not find media with id: [%s].",
                                             id != NULL ? id : "");

  problem (req, 404, "Not Found Error", "https://api.x.com/2/problems/resource-not-found", detail);
}

static XMedia *
media_new (XState     *state,
           const char *account,
           const char *media_type,
           const char *category,
           guint64     total)
{
  XMedia *media = g_rc_box_new0 (XMedia);
  const char *prefix = g_str_has_suffix (category, "_video") ? "7" :
                       g_str_has_suffix (category, "_gif") ? "16" : "3";

  media->id = new_tweet_id (state->sandbox);
  media->key = g_strconcat (prefix, "_", media->id, NULL);
  media->account = g_strdup (account);
  media->media_type = g_strdup (media_type);
  media->category = g_strdup (category);
  media->total = total;
  media->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  media->expires_us = g_get_real_time () + (gint64) X_MEDIA_LIFETIME_S * G_USEC_PER_SEC;
  g_hash_table_insert (state->media, media->id, media);
  return media;
}

static void
media_finalize (XState *state,
                XMedia *media)
{
  g_autoptr(GChecksum) copy = g_checksum_copy (media->sha256);

  media->finalized_us = g_get_real_time ();
  media->sha256_hex = g_strdup (g_checksum_get_string (copy));
  media->processed = !g_str_equal (media->category, "tweet_image") &&
                     !g_str_equal (media->category, "dm_image") &&
                     !g_str_equal (media->category, "subtitles");
  if (media->processed && state->fail_next != NULL)
    media->failure = g_steal_pointer (&state->fail_next);
}

/* {"data":{"id","media_key","size","expires_after_secs"[,"processing_info"]}} */
static void
respond_media (SmSandboxRequest *req,
               XMedia           *media)
{
  gint64 now = g_get_real_time ();
  const char *state = media_state (media, now);
  JsonObject *object = json_object_new ();
  JsonObject *data = json_object_new ();

  json_object_set_string_member (data, "id", media->id);
  json_object_set_string_member (data, "media_key", media->key);
  if (media->finalized_us != 0)
    json_object_set_int_member (data, "size", (gint64) media->stored);
  json_object_set_int_member (data, "expires_after_secs",
                              MAX (0, (media->expires_us - now) / G_USEC_PER_SEC));
  if (state != NULL && media->processed)
    {
      JsonObject *info = json_object_new ();

      json_object_set_string_member (info, "state", state);
      if (g_str_equal (state, "pending") || g_str_equal (state, "in_progress"))
        json_object_set_int_member (info, "check_after_secs", 1);
      if (!g_str_equal (state, "pending"))
        json_object_set_int_member (info, "progress_percent",
                                    g_str_equal (state, "in_progress") ? 50 : 100);
      if (g_str_equal (state, "failed"))
        {
          JsonObject *error = json_object_new ();

          json_object_set_int_member (error, "code", 1);
          json_object_set_string_member (error, "name", "InvalidMedia");
          json_object_set_string_member (error, "message", media->failure);
          json_object_set_object_member (info, "error", error);
        }
      json_object_set_object_member (data, "processing_info", info);
    }
  json_object_set_object_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

static const char * const init_fields[] = {
  "media_type", "total_bytes", "media_category", "additional_owners", "shared", NULL
};
static const char * const media_types[] = {
  "video/mp4", "video/webm", "video/mp2t", "video/quicktime", "image/jpeg", "image/gif",
  "image/bmp", "image/png", "image/webp", "image/pjpeg", "image/tiff", "text/srt", "text/vtt",
  "model/gltf-binary", "model/vnd.usdz+zip", NULL
};
static const char * const media_categories[] = {
  "amplify_video", "tweet_gif", "tweet_image", "tweet_video", "dm_gif", "dm_image", "dm_video",
  "subtitles", NULL
};

/* Whether @category takes @type, and up to how many bytes. */
static guint64
category_max_bytes (const char *category,
                    const char *type)
{
  if (g_str_has_suffix (category, "_video"))
    return g_str_has_prefix (type, "video/") ? X_MAX_VIDEO_BYTES : 0;
  if (g_str_has_suffix (category, "_gif"))
    return g_str_equal (type, "image/gif") ? X_MAX_GIF_BYTES : 0;
  if (g_str_has_suffix (category, "_image"))
    return g_str_has_prefix (type, "image/") ? X_MAX_IMAGE_BYTES : 0;
  if (g_str_equal (category, "subtitles"))
    return g_str_has_prefix (type, "text/") ? X_MAX_IMAGE_BYTES : 0;
  return 0;
}

static void
media_initialize_cb (SmSandboxRequest *req,
                     gpointer          user_data)
{
  XState *state = user_data;
  SmSandboxToken *token = authenticate (req, "media.write");
  JsonNode *root;
  JsonObject *body;
  g_autoptr(GList) members = NULL;
  const char *type, *category = "tweet_image";
  JsonNode *total_node;
  gint64 total;
  guint64 max;
  XMedia *media;

  if (token == NULL)
    return;
  if (!count_call (state, req, "media-initialize", token->account, 500, "x-rate-limit-", X_WINDOW_S))
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
    if (!g_strv_contains (init_fields, l->data))
      {
        g_autofree char *message = g_strdup_printf ("$.%s: is not defined in the schema and the "
                                                    "schema does not allow additional properties",
                                                    (const char *) l->data);
        invalid_request (req, message);
        return;
      }

  type = json_object_get_string_member_with_default (body, "media_type", NULL);
  if (type == NULL || !g_strv_contains (media_types, type))
    {
      invalid_request (req, "$.media_type is required and must be one of the supported media types.");
      return;
    }
  total_node = json_object_get_member (body, "total_bytes");
  if (total_node == NULL || !JSON_NODE_HOLDS_VALUE (total_node) ||
      json_node_get_value_type (total_node) != G_TYPE_INT64 ||
      (total = json_node_get_int (total_node)) <= 0)
    {
      invalid_request (req, "$.total_bytes is required and must be a positive integer.");
      return;
    }
  if (json_object_has_member (body, "media_category"))
    {
      category = json_object_get_string_member_with_default (body, "media_category", "");
      if (!g_strv_contains (media_categories, category))
        {
          invalid_request (req, "$.media_category must be one of amplify_video, tweet_gif, "
                                "tweet_image, tweet_video, dm_gif, dm_image, dm_video, subtitles.");
          return;
        }
    }
  max = category_max_bytes (category, type);
  if (max == 0)
    {
      g_autofree char *message = g_strdup_printf ("media_category %s does not take %s.",
                                                  category, type);
      invalid_request (req, message);
      return;
    }
  if ((guint64) total > max)
    {
      g_autofree char *message = g_strdup_printf ("File size exceeds %" G_GUINT64_FORMAT
                                                  " bytes for media_category %s.", max, category);
      invalid_request (req, message);
      return;
    }

  media = media_new (state, token->account, type, category, (guint64) total);
  respond_media (req, media);
}

/* ---- multipart bodies, as they stream in ---- */

/* memmem() is a GNU extension. */
static const guint8 *
find_bytes (const guint8 *haystack,
            gsize         len,
            const char   *needle,
            gsize         needle_len)
{
  const guint8 *p = haystack;

  while (len >= needle_len)
    {
      const guint8 *first = memchr (p, needle[0], len - needle_len + 1);

      if (first == NULL)
        return NULL;
      if (memcmp (first, needle, needle_len) == 0)
        return first;
      len -= first + 1 - p;
      p = first + 1;
    }
  return NULL;
}

static void
sink_take (UploadSink   *sink,
           const guint8 *data,
           gsize         len)
{
  if (sink->state != PART_BODY || len == 0)
    return;
  if (g_strcmp0 (sink->part_name, "media") == 0)
    {
      sink->media_bytes += len;
      if (sink->sha256 != NULL)
        g_checksum_update (sink->sha256, data, len);
    }
  else if (sink->part_text->len + len > X_MAX_FIELD_BYTES)
    sink->field_too_long = TRUE;
  else
    g_string_append_len (sink->part_text, (const char *) data, len);
}

static void
sink_end_part (UploadSink *sink)
{
  if (g_strcmp0 (sink->part_name, "media") == 0)
    sink->media_parts++;
  else if (sink->part_name != NULL)
    g_hash_table_replace (sink->fields, g_strdup (sink->part_name),
                          g_strndup (sink->part_text->str, sink->part_text->len));
  g_clear_pointer (&sink->part_name, g_free);
  g_string_truncate (sink->part_text, 0);
}

/* A part's headers (up to the blank line): its form-data name. */
static gboolean
sink_part_headers (UploadSink *sink,
                   const char *block,
                   gsize       len)
{
  g_autoptr(GString) text = g_string_new ("X\r\n");
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *disposition = NULL;

  /* soup_headers_parse() skips a first line (a status line). */
  g_string_append_len (text, block, len);
  if (!soup_headers_parse (text->str, text->len, headers) ||
      !soup_message_headers_get_content_disposition (headers, &disposition, &params) ||
      g_ascii_strcasecmp (disposition, "form-data") != 0 ||
      g_hash_table_lookup (params, "name") == NULL)
    return FALSE;
  sink->part_name = g_strdup (g_hash_table_lookup (params, "name"));
  return TRUE;
}

static void
upload_sink_chunk (gpointer      data,
                   const guint8 *bytes,
                   gsize         len)
{
  UploadSink *sink = data;

  if (!sink->multipart)
    {
      if (sink->raw->len < 65536)
        g_string_append_len (sink->raw, (const char *) bytes, MIN (len, 65536 - sink->raw->len));
      return;
    }

  g_byte_array_append (sink->buffer, bytes, len);
  for (;;)
    {
      guint8 *buf = sink->buffer->data;
      gsize n = sink->buffer->len;

      switch (sink->state)
        {
        case PART_PREAMBLE:
        case PART_BODY:
          {
            const guint8 *found = find_bytes (buf, n, sink->delimiter, sink->delimiter_len);
            gsize keep;

            if (found != NULL)
              {
                gsize at = found - buf;

                sink_take (sink, buf, at);
                if (sink->state == PART_BODY)
                  sink_end_part (sink);
                g_byte_array_remove_range (sink->buffer, 0, at + sink->delimiter_len);
                sink->state = PART_AFTER_DELIMITER;
                continue;
              }
            /* The end might hold the start of a delimiter. */
            keep = MIN (n, sink->delimiter_len - 1);
            sink_take (sink, buf, n - keep);
            g_byte_array_remove_range (sink->buffer, 0, n - keep);
            return;
          }

        case PART_AFTER_DELIMITER:
          if (n < 2)
            return;
          if (buf[0] == '-' && buf[1] == '-')
            sink->state = PART_END;
          else if (buf[0] == '\r' && buf[1] == '\n')
            {
              g_byte_array_remove_range (sink->buffer, 0, 2);
              sink->state = PART_HEADERS;
              continue;
            }
          else
            sink->state = PART_ERROR;
          return;

        case PART_HEADERS:
          {
            const guint8 *found = find_bytes (buf, n, "\r\n\r\n", 4);
            gsize at;

            if (found == NULL)
              {
                if (n > X_MAX_PART_HEADERS)
                  sink->state = PART_ERROR;
                return;
              }
            at = found - buf;
            if (!sink_part_headers (sink, (const char *) buf, at + 4))
              {
                sink->state = PART_ERROR;
                return;
              }
            g_byte_array_remove_range (sink->buffer, 0, at + 4);
            sink->state = PART_BODY;
            continue;
          }

        case PART_END:
        case PART_ERROR:
        default:
          g_byte_array_set_size (sink->buffer, 0);
          return;
        }
    }
}

static gpointer
upload_sink_new (SmSandboxRequest *req,
                 XMedia           *media)
{
  UploadSink *sink = g_new0 (UploadSink, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  g_autoptr(GHashTable) params = NULL;
  const char *type = soup_message_headers_get_content_type (headers, &params);
  const char *boundary = params != NULL ? g_hash_table_lookup (params, "boundary") : NULL;

  sink->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sink->part_text = g_string_new (NULL);
  if (media != NULL)
    {
      sink->media = g_rc_box_acquire (media);
      sink->base = media->stored;
      sink->sha256 = g_checksum_copy (media->sha256);
    }
  else
    sink->sha256 = g_checksum_new (G_CHECKSUM_SHA256);

  if (g_strcmp0 (type, "multipart/form-data") == 0 && boundary != NULL && *boundary != '\0')
    {
      sink->multipart = TRUE;
      sink->delimiter = g_strconcat ("\r\n--", boundary, NULL);
      sink->delimiter_len = strlen (sink->delimiter);
      sink->buffer = g_byte_array_new ();
      /* The first delimiter has no line break before it. */
      g_byte_array_append (sink->buffer, (const guint8 *) "\r\n", 2);
    }
  else
    sink->raw = g_string_new (NULL);
  return sink;
}

static gpointer
append_begin (SmSandboxRequest *req,
              gpointer          user_data)
{
  XState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  XMedia *media = id != NULL ? g_hash_table_lookup (state->media, id) : NULL;

  return upload_sink_new (req, media != NULL && media->finalized_us == 0 ? media : NULL);
}

static gpointer
upload_begin (SmSandboxRequest *req,
              gpointer          user_data)
{
  return upload_sink_new (req, NULL);
}

/* A complete multipart body, or FALSE after answering. */
static gboolean
sink_check_multipart (SmSandboxRequest *req,
                      UploadSink       *sink,
                      const char       *what)
{
  if (!sink->multipart)
    {
      g_autofree char *message = g_strdup_printf ("%s takes a multipart/form-data body.", what);

      invalid_request (req, message);
      return FALSE;
    }
  if (sink->state != PART_END)
    {
      invalid_request (req, "The multipart/form-data body is malformed.");
      return FALSE;
    }
  if (sink->field_too_long)
    {
      invalid_request (req, "A form field of the request is too long.");
      return FALSE;
    }
  if (sink->media_parts != 1)
    {
      invalid_request (req, "$.media is required, once.");
      return FALSE;
    }
  return TRUE;
}

static void
media_append_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  XState *state = user_data;
  UploadSink *sink = req->body_sink;
  SmSandboxToken *token = authenticate (req, "media.write");
  const char *id = _sm_sandbox_request_arg (req, 0);
  const char *index_text;
  guint64 index;
  XMedia *media;
  JsonObject *object, *data;

  if (token == NULL)
    return;
  if (!count_call (state, req, "media-append", token->account, 5000, "x-rate-limit-", X_WINDOW_S))
    return;
  media = media_lookup (state, id, token->account);
  if (media == NULL)
    {
      media_not_found (req, id);
      return;
    }
  g_assert (sink != NULL);
  if (!sink_check_multipart (req, sink, "APPEND"))
    return;
  if (media->finalized_us != 0)
    {
      invalid_request (req, "This media has been finalized and takes no more segments.");
      return;
    }

  index_text = g_hash_table_lookup (sink->fields, "segment_index");
  if (index_text == NULL)
    {
      invalid_request (req, "$.segment_index is required.");
      return;
    }
  if (!g_ascii_string_to_unsigned (index_text, 10, 0, X_MAX_SEGMENTS - 1, &index, NULL))
    {
      invalid_request (req, "$.segment_index must be an integer between 0 and 999.");
      return;
    }
  if (index < media->next_segment)
    {
      g_autofree char *message = g_strdup_printf ("Segment %" G_GUINT64_FORMAT " was already "
                                                  "received.", index);
      invalid_request (req, message);
      return;
    }
  if (index > media->next_segment)
    {
      g_autofree char *message = g_strdup_printf ("Segment %" G_GUINT64_FORMAT " arrived before "
                                                  "segment %u.", index, media->next_segment);
      invalid_request (req, message);
      return;
    }
  if (sink->media_bytes == 0)
    {
      invalid_request (req, "The media segment is empty.");
      return;
    }
  if (sink->media_bytes > X_MAX_SEGMENT_BYTES)
    {
      g_autofree char *message = g_strdup_printf ("A segment can be at most %d bytes; this one "
                                                  "is %" G_GUINT64_FORMAT ".",
                                                  X_MAX_SEGMENT_BYTES, sink->media_bytes);
      invalid_request (req, message);
      return;
    }
  if (media->stored + sink->media_bytes > media->total)
    {
      g_autofree char *message = g_strdup_printf ("The segments add up to more than total_bytes "
                                                  "(%" G_GUINT64_FORMAT ").", media->total);
      invalid_request (req, message);
      return;
    }
  /* Another APPEND of this media finished while this one streamed in. */
  if (sink->media != media || sink->base != media->stored)
    {
      invalid_request (req, "Segments of one media must be sent one after the other.");
      return;
    }

  g_checksum_free (media->sha256);
  media->sha256 = g_steal_pointer (&sink->sha256);
  media->stored += sink->media_bytes;
  media->next_segment++;

  data = json_object_new ();
  json_object_set_int_member (data, "expires_at", media->expires_us / G_USEC_PER_SEC);
  object = json_object_new ();
  json_object_set_object_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
media_finalize_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  XState *state = user_data;
  SmSandboxToken *token = authenticate (req, "media.write");
  const char *id = _sm_sandbox_request_arg (req, 0);
  XMedia *media;

  if (token == NULL)
    return;
  if (!count_call (state, req, "media-finalize", token->account, 500, "x-rate-limit-", X_WINDOW_S))
    return;
  media = media_lookup (state, id, token->account);
  if (media == NULL)
    {
      media_not_found (req, id);
      return;
    }
  /* Finalized before (an answer that was lost): where it stands. */
  if (media->finalized_us == 0)
    {
      if (media->stored != media->total)
        {
          g_autofree char *message = g_strdup_printf ("total_bytes was %" G_GUINT64_FORMAT
                                                      " but %" G_GUINT64_FORMAT " bytes arrived.",
                                                      media->total, media->stored);
          invalid_request (req, message);
          return;
        }
      media_finalize (state, media);
    }
  respond_media (req, media);
}

/* The retired form (8.4): command=INIT|APPEND|FINALIZE on /2/media/upload. */
static gboolean
refuse_retired_command (SmSandboxRequest *req,
                        UploadSink       *sink)
{
  const char *command = _sm_sandbox_request_query (req, "command");
  g_autoptr(GHashTable) form = NULL;

  if (command == NULL && sink != NULL && sink->fields != NULL)
    command = g_hash_table_lookup (sink->fields, "command");
  if (command == NULL && sink != NULL && sink->raw != NULL && sink->raw->len > 0)
    {
      form = soup_form_decode (sink->raw->str);
      command = g_hash_table_lookup (form, "command");
      if (command == NULL)
        {
          g_autoptr(JsonNode) json = json_from_string (sink->raw->str, NULL);

          if (json != NULL && JSON_NODE_HOLDS_OBJECT (json) &&
              json_object_has_member (json_node_get_object (json), "command"))
            command = "command";
        }
    }
  if (command == NULL)
    return FALSE;
  invalid_request (req, "The command parameter is no longer supported on POST /2/media/upload; "
                        "use /2/media/upload/initialize, /2/media/upload/{id}/append and "
                        "/2/media/upload/{id}/finalize.");
  return TRUE;
}

/* One-shot upload of a small file (8.4): multipart media + media_category. */
static void
media_upload_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  XState *state = user_data;
  UploadSink *sink = req->body_sink;
  SmSandboxToken *token = authenticate (req, "media.write");
  const char *category, *type;
  XMedia *media;

  if (token == NULL)
    return;
  if (!count_call (state, req, "media-upload", token->account, 500, "x-rate-limit-", X_WINDOW_S))
    return;
  g_assert (sink != NULL);
  if (refuse_retired_command (req, sink) || !sink_check_multipart (req, sink, "POST /2/media/upload"))
    return;

  category = g_hash_table_lookup (sink->fields, "media_category");
  if (category == NULL || (!g_str_equal (category, "tweet_image") &&
                           !g_str_equal (category, "dm_image") &&
                           !g_str_equal (category, "subtitles")))
    {
      invalid_request (req, "$.media_category is required and must be tweet_image, dm_image "
                            "or subtitles.");
      return;
    }
  type = g_hash_table_lookup (sink->fields, "media_type");
  if (type != NULL && !g_strv_contains (media_types, type))
    {
      invalid_request (req, "$.media_type must be one of the supported media types.");
      return;
    }
  if (type == NULL)
    type = g_str_equal (category, "subtitles") ? "text/srt" : "image/jpeg";
  if (category_max_bytes (category, type) == 0 || sink->media_bytes == 0 ||
      sink->media_bytes > category_max_bytes (category, type))
    {
      invalid_request (req, "The file is empty, too large, or not of the media_category's type.");
      return;
    }

  media = media_new (state, token->account, type, category, sink->media_bytes);
  g_checksum_free (media->sha256);
  media->sha256 = g_steal_pointer (&sink->sha256);
  media->stored = sink->media_bytes;
  media_finalize (state, media);
  respond_media (req, media);
}

static void
media_status_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  XState *state = user_data;
  SmSandboxToken *token = authenticate (req, "media.write");
  const char *command = _sm_sandbox_request_query (req, "command");
  const char *id = _sm_sandbox_request_query (req, "media_id");
  XMedia *media;

  if (token == NULL)
    return;
  if (!count_call (state, req, "media-status", token->account, 5000, "x-rate-limit-", X_WINDOW_S))
    return;
  if (g_strcmp0 (command, "STATUS") != 0)
    {
      invalid_request (req, "GET /2/media/upload takes command=STATUS.");
      return;
    }
  if (id == NULL)
    {
      invalid_request (req, "The `media_id` query parameter is required.");
      return;
    }
  media = media_lookup (state, id, token->account);
  if (media == NULL)
    {
      media_not_found (req, id);
      return;
    }
  if (media->finalized_us == 0)
    {
      invalid_request (req, "This media has not been finalized yet.");
      return;
    }
  respond_media (req, media);
}

/* POST /__sandbox/x/media-failure {"message":"…"} */
static void
hook_media_failure_cb (SmSandboxRequest *req,
                       gpointer          user_data)
{
  XState *state = user_data;
  JsonNode *root = _sm_sandbox_request_json (req);
  const char *message = NULL;
  JsonObject *object;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    message = json_object_get_string_member_with_default (json_node_get_object (root),
                                                          "message", NULL);
  if (message == NULL || *message == '\0')
    {
      object = json_object_new ();
      json_object_set_string_member (object, "error", "expected {\"message\": \"why it failed\"}");
      _sm_sandbox_respond_object (req, 400, object);
      return;
    }
  g_free (state->fail_next);
  state->fail_next = g_strdup (message);
  object = json_object_new ();
  json_object_set_string_member (object, "message", message);
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
  g_autoptr(GPtrArray) attached = NULL;
  g_autofree char *shown = NULL;
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
          json_array_get_length (json_node_get_array (ids)) == 0 ||
          json_array_get_length (json_node_get_array (ids)) > X_MAX_MEDIA_PER_POST)
        {
          invalid_request (req, "Your media IDs are invalid.");
          return;
        }
      attached = g_ptr_array_new ();
      for (guint i = 0; i < json_array_get_length (json_node_get_array (ids)); i++)
        {
          JsonNode *element = json_array_get_element (json_node_get_array (ids), i);
          const char *media_id = JSON_NODE_HOLDS_VALUE (element) &&
                                 json_node_get_value_type (element) == G_TYPE_STRING ?
                                 json_node_get_string (element) : NULL;
          XMedia *item = media_lookup (state, media_id, token->account);
          const char *media_state_now = item != NULL ? media_state (item, g_get_real_time ()) : NULL;

          if (item == NULL || g_ptr_array_find (attached, item, NULL))
            {
              invalid_request (req, "Your media IDs are invalid.");
              return;
            }
          if (g_strcmp0 (media_state_now, "succeeded") != 0)
            {
              g_autofree char *message =
                g_strdup_printf ("Media %s cannot be attached: its processing_info.state is %s.",
                                 item->id, media_state_now != NULL ? media_state_now
                                                                   : "not finalized");
              invalid_request (req, message);
              return;
            }
          if (!g_str_has_prefix (item->category, "tweet_") &&
              !g_str_equal (item->category, "amplify_video"))
            {
              invalid_request (req, "Your media IDs are invalid.");
              return;
            }
          g_ptr_array_add (attached, item);
        }
      for (guint i = 0; attached->len > 1 && i < attached->len; i++)
        if (!g_str_equal (((XMedia *) g_ptr_array_index (attached, i))->category, "tweet_image"))
          {
            invalid_request (req, "A post can have up to 4 images, or 1 GIF, or 1 video; "
                                  "they cannot be mixed.");
            return;
          }
    }

  if (json_object_has_member (body, "reply_settings"))
    {
      static const char * const settings[] = {
        "following", "mentionedUsers", "subscribers", "verified", NULL
      };
      const char *value = json_object_get_string_member_with_default (body, "reply_settings", "");

      if (!g_strv_contains (settings, value))
        {
          invalid_request (req, "$.reply_settings must be one of following, mentionedUsers, "
                                "subscribers, verified.");
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
  for (guint i = 0; attached != NULL && i < attached->len; i++)
    {
      XMedia *media = g_ptr_array_index (attached, i);

      _sm_sandbox_post_add_media (post, media_kind (media), media->stored, media->sha256_hex);
    }

  shown = shown_text (post);
  data = json_object_new ();
  json_object_set_string_member (data, "id", id);
  json_object_set_string_member (data, "text", shown);
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
  g_autoptr(GPtrArray) fields = _sm_sandbox_parse_fields (_sm_sandbox_request_query (req, "tweet.fields"));
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
      g_autofree char *shown = NULL;

      if (post->received_us < start_us || post->received_us > end_us ||
          numeric <= since || numeric >= until)
        continue;
      created_at = format_created_at (post->received_us);
      shown = shown_text (post);
      item = json_object_new ();
      json_object_set_string_member (item, "id", post->id);
      json_object_set_string_member (item, "text", shown);
      if (post->reply_to != NULL && _sm_sandbox_fields_has (fields, "referenced_tweets"))
        {
          JsonArray *referenced = json_array_new ();
          JsonObject *reference = json_object_new ();

          json_object_set_string_member (reference, "type", "replied_to");
          json_object_set_string_member (reference, "id", post->reply_to);
          json_array_add_object_element (referenced, reference);
          json_object_set_array_member (item, "referenced_tweets", referenced);
        }
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
  state->media = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) media_unref);
  _sm_sandbox_add_module (self, state, x_state_reset, x_state_free);
  _sm_sandbox_add_hook (self, "POST", "x/media-failure", hook_media_failure_cb, state);

  _sm_sandbox_add_route (self, authorize_hosts, "GET", "/i/oauth2/authorize", authorize_cb, state);
  _sm_sandbox_add_route (self, authorize_hosts, "*", "/**", site_not_found_cb, state);

  _sm_sandbox_add_route (self, api_hosts, "POST", "/2/oauth2/token", token_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/2/oauth2/revoke", revoke_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/2/users/me", users_me_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/2/users/*/tweets", user_tweets_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/2/tweets", create_tweet_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "DELETE", "/2/tweets/*", delete_tweet_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/2/media/upload/initialize",
                         media_initialize_cb, state);
  _sm_sandbox_add_streaming_route (self, api_hosts, "POST", "/2/media/upload/*/append",
                                   append_begin, upload_sink_chunk, upload_sink_free,
                                   media_append_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/2/media/upload/*/finalize",
                         media_finalize_cb, state);
  _sm_sandbox_add_streaming_route (self, api_hosts, "POST", "/2/media/upload",
                                   upload_begin, upload_sink_chunk, upload_sink_free,
                                   media_upload_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/2/media/upload", media_status_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "*", "/**", api_not_found_cb, state);
}
