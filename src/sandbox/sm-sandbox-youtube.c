/* sm-sandbox-youtube.c — YouTube Data API v3 in the sandbox: Google OAuth
 * for desktop apps, the channel, and the resumable upload protocol.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 1.  The token endpoint answers Google's OAuth
 * errors ({"error":"invalid_grant","error_description":…}); the API answers
 * Google's JSON error envelope (1.6), with 401 authError/UNAUTHENTICATED for
 * any token that is unknown, expired or revoked.
 *
 * Uploads (1.3) are never held in memory: the PUT route streams, and each
 * session keeps only how many bytes it has, a running SHA-256 of them, and
 * the total it was opened for.  Every PUT on a session needs a valid access
 * token of the channel that opened it (401 otherwise: the client refreshes
 * and goes on with the same session).  The finished video is recorded as a
 * post with "bytes" and "sha256".  Sessions live until /__sandbox/reset,
 * which is how a test makes one "expire" (404).  A video is "processing" the
 * first two times videos.list shows it and "succeeded" from the third on.
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"

#define YT_NETWORK            "youtube"
#define YT_ACCESS_LIFETIME_S  3599
/* Chunks other than the last are multiples of this (Google's resumable rule). */
#define YT_CHUNK_GRANULARITY  (256 * 1024)
#define YT_MAX_TITLE_CHARS    100
#define YT_MAX_DESCRIPTION    5000
#define YT_MAX_TAGS_CHARS     500
#define YT_MAX_IDS            50
#define YT_THUMBNAIL_MAX      (2 * 1024 * 1024)
/* videos.list looks at a new video this often before it is processed. */
#define YT_PROCESSING_POLLS   2

/* The one demo channel every grant authorizes (ids are "UC" + 22). */
#define YT_CHANNEL_ID         "UCsbxSoMeStudioSandbox01"
#define YT_UPLOADS_PLAYLIST   "UUsbxSoMeStudioSandbox01"
#define YT_CHANNEL_TITLE      "So-me Sandbox"
#define YT_CHANNEL_HANDLE     "@somesandbox"

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *secrets;    /* client_id → the client secret first seen */
  GHashTable *uploads;    /* upload_id → Upload */
  GHashTable *videos;     /* video id → Video */
} YtState;

/* One resumable upload session; reference counted (g_rc_box) because a PUT
 * streaming into it may outlive a reset. */
typedef struct
{
  char       *id;
  char       *channel;
  char       *parts;        /* the part parameter the session was opened with */
  char       *content_type;
  guint64     total;
  guint64     stored;
  GChecksum  *sha256;       /* of the stored bytes, in order */
  JsonObject *snippet;      /* as validated */
  JsonObject *status;
  char       *video_id;     /* once every byte is in */
} Upload;

typedef struct
{
  char       *id;
  char       *channel;
  char       *parts;
  JsonObject *snippet;
  JsonObject *status;
  guint64     bytes;
  guint       polls;
} Video;

typedef enum
{
  PUT_NOT_FOUND,
  PUT_UNAUTHORIZED,
  PUT_FORBIDDEN,
  PUT_BAD_REQUEST,
  PUT_DONE,       /* the upload finished before: the video again */
  PUT_QUERY,      /* Content-Range: bytes * / total */
  PUT_CHUNK,      /* bytes go into the session */
} PutVerdict;

/* What one PUT on a session URI carries, decided from its headers. */
typedef struct
{
  Upload     *upload;     /* a reference, or NULL */
  PutVerdict  verdict;
  char       *message;    /* for PUT_BAD_REQUEST */
} PutSink;

static const char * const authorize_hosts[] = { "accounts.google.com", NULL };
static const char * const token_hosts[] = { "oauth2.googleapis.com", NULL };
static const char * const api_hosts[] = { "www.googleapis.com", "youtube.googleapis.com", NULL };

static const char * const known_scopes[] = {
  "https://www.googleapis.com/auth/youtube",
  "https://www.googleapis.com/auth/youtube.upload",
  "https://www.googleapis.com/auth/youtube.readonly",
  "https://www.googleapis.com/auth/youtube.force-ssl",
  "https://www.googleapis.com/auth/youtubepartner",
  "https://www.googleapis.com/auth/yt-analytics.readonly",
  "https://www.googleapis.com/auth/userinfo.profile",
  "https://www.googleapis.com/auth/userinfo.email",
  "openid", "email", "profile",
  NULL
};

/* Which scopes let a token do what (the API reference's "Authorization"). */
static const char * const read_scopes[] = {
  "https://www.googleapis.com/auth/youtube.readonly",
  "https://www.googleapis.com/auth/youtube",
  "https://www.googleapis.com/auth/youtube.force-ssl",
  "https://www.googleapis.com/auth/youtubepartner",
  NULL
};
static const char * const upload_scopes[] = {
  "https://www.googleapis.com/auth/youtube.upload",
  "https://www.googleapis.com/auth/youtube",
  "https://www.googleapis.com/auth/youtube.force-ssl",
  "https://www.googleapis.com/auth/youtubepartner",
  NULL
};
static const char * const manage_scopes[] = {
  "https://www.googleapis.com/auth/youtube",
  "https://www.googleapis.com/auth/youtube.force-ssl",
  "https://www.googleapis.com/auth/youtubepartner",
  NULL
};

static const char * const channel_parts[] = {
  "id", "snippet", "contentDetails", "statistics", "status", "brandingSettings",
  "topicDetails", "localizations", "contentOwnerDetails", "auditDetails", NULL
};
static const char * const video_parts[] = {
  "id", "snippet", "status", "processingDetails", "statistics", "contentDetails",
  "fileDetails", "liveStreamingDetails", "localizations", "player", "recordingDetails",
  "suggestions", "topicDetails", "paidProductPlacementDetails", NULL
};

/* Categories a video can be put in (videoCategories.list, region US). */
static const char * const assignable_categories[] = {
  "1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29", NULL
};

/* ---- helpers ----------------------------------------------------------- */

static void
upload_clear (Upload *upload)
{
  g_free (upload->id);
  g_free (upload->channel);
  g_free (upload->parts);
  g_free (upload->content_type);
  g_checksum_free (upload->sha256);
  g_clear_pointer (&upload->snippet, json_object_unref);
  g_clear_pointer (&upload->status, json_object_unref);
  g_free (upload->video_id);
}

static void
upload_unref (Upload *upload)
{
  g_rc_box_release_full (upload, (GDestroyNotify) upload_clear);
}

static void
video_free (Video *video)
{
  g_free (video->id);
  g_free (video->channel);
  g_free (video->parts);
  g_clear_pointer (&video->snippet, json_object_unref);
  g_clear_pointer (&video->status, json_object_unref);
  g_free (video);
}

static void
put_sink_free (gpointer data)
{
  PutSink *sink = data;

  g_clear_pointer (&sink->upload, upload_unref);
  g_free (sink->message);
  g_free (sink);
}

static void
yt_state_free (gpointer data)
{
  YtState *state = data;

  g_hash_table_unref (state->secrets);
  g_hash_table_unref (state->uploads);
  g_hash_table_unref (state->videos);
  g_free (state);
}

static void
yt_state_reset (gpointer data,
                gpointer user_data)
{
  YtState *state = data;

  /* Posts go with the core's reset; sessions and videos go with them.  The
   * client secrets stay, as the tokens do. */
  g_hash_table_remove_all (state->uploads);
  g_hash_table_remove_all (state->videos);
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

static const char *
status_name (guint status)
{
  switch (status)
    {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ABORTED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 503:
      return "UNAVAILABLE";
    default:
      return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    }
}

/* Google's JSON error envelope (1.6). */
static void
google_error (SmSandboxRequest *req,
              guint             status,
              const char       *domain,
              const char       *reason,
              const char       *message,
              const char       *location)
{
  JsonObject *object = json_object_new ();
  JsonObject *error = json_object_new ();
  JsonArray *errors = json_array_new ();
  JsonObject *item = json_object_new ();

  json_object_set_string_member (item, "message", message);
  json_object_set_string_member (item, "domain", domain);
  json_object_set_string_member (item, "reason", reason);
  if (location != NULL)
    {
      json_object_set_string_member (item, "location", location);
      json_object_set_string_member (item, "locationType",
                                     strcmp (location, "Authorization") == 0 ? "header" : "parameter");
    }
  json_array_add_object_element (errors, item);
  json_object_set_int_member (error, "code", status);
  json_object_set_string_member (error, "message", message);
  json_object_set_array_member (error, "errors", errors);
  json_object_set_string_member (error, "status", status_name (status));
  json_object_set_object_member (object, "error", error);
  _sm_sandbox_respond_object (req, status, object);
}

static void
bad_request (SmSandboxRequest *req,
             const char       *reason,
             const char       *message)
{
  google_error (req, 400, "youtube.api", reason, message, NULL);
}

static void
unauthenticated (SmSandboxRequest *req,
                 gboolean          missing)
{
  _sm_sandbox_set_header (req, "WWW-Authenticate",
                          missing ? "Bearer realm=\"https://accounts.google.com/\""
                                  : "Bearer realm=\"https://accounts.google.com/\", "
                                    "error=\"invalid_token\"");
  if (missing)
    google_error (req, 401, "global", "required",
                  "Request is missing required authentication credential. Expected OAuth 2 "
                  "access token, login cookie or other valid authentication credential.",
                  "Authorization");
  else
    google_error (req, 401, "global", "authError",
                  "Request had invalid authentication credentials. Expected OAuth 2 access "
                  "token, login cookie or other valid authentication credential.",
                  "Authorization");
}

static void
insufficient_permissions (SmSandboxRequest *req)
{
  google_error (req, 403, "global", "insufficientPermissions",
                "Request had insufficient authentication scopes.", NULL);
}

static gboolean
scope_has_any (const char         *scope,
               const char * const *wanted)
{
  for (guint i = 0; wanted[i] != NULL; i++)
    if (_sm_sandbox_scope_has (scope, wanted[i]))
      return TRUE;
  return FALSE;
}

/* The valid access token the request carries; NULL when there is none
 * (@why_out: PUT_UNAUTHORIZED) or it lacks every one of @scopes
 * (PUT_FORBIDDEN).  Answers nothing. */
static SmSandboxToken *
check_token (SmSandboxRequest   *req,
             const char * const *scopes,
             PutVerdict         *why_out)
{
  const char *bearer = _sm_sandbox_request_bearer (req, FALSE);
  SmSandboxToken *token = _sm_sandbox_token_lookup (req->sandbox, YT_NETWORK, bearer);

  if (token == NULL || strcmp (token->kind, "access") != 0 ||
      token->state != SM_SANDBOX_TOKEN_VALID)
    {
      *why_out = PUT_UNAUTHORIZED;
      return NULL;
    }
  if (!scope_has_any (token->scope, scopes))
    {
      *why_out = PUT_FORBIDDEN;
      return NULL;
    }
  return token;
}

/* The request's access token, or NULL after answering 401/403. */
static SmSandboxToken *
authenticate (SmSandboxRequest   *req,
              const char * const *scopes)
{
  PutVerdict why = PUT_UNAUTHORIZED;
  SmSandboxToken *token = check_token (req, scopes, &why);

  if (token != NULL)
    return token;
  if (why == PUT_FORBIDDEN)
    insufficient_permissions (req);
  else
    unauthenticated (req, _sm_sandbox_request_bearer (req, FALSE) == NULL);
  return NULL;
}

/* The names in a part parameter ("snippet,status"), or NULL after
 * answering 400. */
static GStrv
parse_parts (SmSandboxRequest   *req,
             const char * const *known)
{
  const char *part = _sm_sandbox_request_query (req, "part");
  g_auto(GStrv) names = NULL;

  if (part == NULL || *part == '\0')
    {
      google_error (req, 400, "global", "required", "Required parameter: part", "part");
      return NULL;
    }
  names = g_strsplit (part, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_strstrip (names[i]);
      if (!g_strv_contains (known, names[i]))
        {
          g_autofree char *message = g_strdup_printf ("'%s'", names[i]);

          google_error (req, 400, "youtube.part", "unknownPart", message, "part");
          return NULL;
        }
    }
  return g_steal_pointer (&names);
}

static char *
random_id (guint length)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  GString *s = g_string_sized_new (length);

  for (guint i = 0; i < length; i++)
    g_string_append_c (s, alphabet[g_random_int_range (0, 64)]);
  return g_string_free (s, FALSE);
}

static char *
format_time (gint64 us)
{
  return _sm_sandbox_format_time (us, "%Y-%m-%dT%H:%M:%SZ");
}

static JsonObject *
thumbnails (const char *base)
{
  static const struct { const char *name; int width, height; } sizes[] = {
    { "default", 88, 88 }, { "medium", 240, 240 }, { "high", 800, 800 },
  };
  JsonObject *object = json_object_new ();

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      JsonObject *thumb = json_object_new ();
      g_autofree char *url = g_strdup_printf ("%s/%s.jpg", base, sizes[i].name);

      json_object_set_string_member (thumb, "url", url);
      json_object_set_int_member (thumb, "width", sizes[i].width);
      json_object_set_int_member (thumb, "height", sizes[i].height);
      json_object_set_object_member (object, sizes[i].name, thumb);
    }
  return object;
}

/* A deep copy: json_node_copy() shares the members. */
static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_alloc ();
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) copy = NULL;

  json_node_init_object (node, object);
  text = json_to_string (node, FALSE);
  copy = json_from_string (text, NULL);
  g_assert (copy != NULL && JSON_NODE_HOLDS_OBJECT (copy));
  return json_object_ref (json_node_get_object (copy));
}

/* ---- OAuth ------------------------------------------------------------- */

static void
authorize_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  static const char * const kept[] = { "access_type", "prompt", NULL };
  static const SmSandboxAuthorizeSpec spec = {
    .network = YT_NETWORK,
    .require_pkce = TRUE,
    .require_state = TRUE,
    .known_scopes = known_scopes,
    .kept_params = kept,
  };

  _sm_sandbox_authorize (req, &spec);
}

static void
respond_tokens (SmSandboxRequest *req,
                SmSandboxToken   *access,
                SmSandboxToken   *refresh)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "access_token", access->token);
  json_object_set_int_member (object, "expires_in", YT_ACCESS_LIFETIME_S);
  if (refresh != NULL)
    json_object_set_string_member (object, "refresh_token", refresh->token);
  json_object_set_string_member (object, "scope", access->scope);
  json_object_set_string_member (object, "token_type", "Bearer");
  _sm_sandbox_respond_object (req, 200, object);
}

/* Desktop clients get a secret that is not secret but still required; the
 * first one a client id uses is the one it must keep using. */
static gboolean
check_client (YtState          *state,
              SmSandboxRequest *req,
              const char       *client_id,
              const char       *client_secret)
{
  const char *known;

  if (client_id == NULL || *client_id == '\0')
    {
      oauth_error (req, 400, "invalid_request", "Could not determine client ID from request.");
      return FALSE;
    }
  if (client_secret == NULL || *client_secret == '\0')
    {
      oauth_error (req, 400, "invalid_request", "client_secret is missing.");
      return FALSE;
    }
  known = g_hash_table_lookup (state->secrets, client_id);
  if (known == NULL)
    g_hash_table_insert (state->secrets, g_strdup (client_id), g_strdup (client_secret));
  else if (strcmp (known, client_secret) != 0)
    {
      oauth_error (req, 401, "invalid_client", "Unauthorized");
      return FALSE;
    }
  return TRUE;
}

static void
token_cb (SmSandboxRequest *req,
          gpointer          user_data)
{
  YtState *state = user_data;
  const char *grant_type;
  const char *client_id;

  if (!_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      oauth_error (req, 400, "invalid_request",
                   "The token endpoint takes an application/x-www-form-urlencoded body.");
      return;
    }

  grant_type = _sm_sandbox_request_param (req, "grant_type");
  client_id = _sm_sandbox_request_param (req, "client_id");
  if (grant_type == NULL)
    {
      oauth_error (req, 400, "invalid_request", "Missing required parameter: grant_type");
      return;
    }
  if (!check_client (state, req, client_id, _sm_sandbox_request_param (req, "client_secret")))
    return;

  if (strcmp (grant_type, "authorization_code") == 0)
    {
      const char *code = _sm_sandbox_request_param (req, "code");
      const char *redirect_uri = _sm_sandbox_request_param (req, "redirect_uri");
      const char *verifier = _sm_sandbox_request_param (req, "code_verifier");
      const SmSandboxCode *stored = NULL;
      SmSandboxCodeStatus status;
      SmSandboxToken *access, *refresh = NULL;
      const char *access_type;

      if (code == NULL)
        {
          oauth_error (req, 400, "invalid_request", "Missing required parameter: code");
          return;
        }
      if (redirect_uri == NULL)
        {
          oauth_error (req, 400, "invalid_request", "Missing parameter: redirect_uri");
          return;
        }

      status = _sm_sandbox_code_redeem (req->sandbox, YT_NETWORK, code, &stored);
      if (status == SM_SANDBOX_CODE_UNKNOWN)
        {
          oauth_error (req, 400, "invalid_grant", "Malformed auth code.");
          return;
        }
      if (status != SM_SANDBOX_CODE_OK || strcmp (stored->client_id, client_id) != 0)
        {
          oauth_error (req, 400, "invalid_grant", "Bad Request");
          return;
        }
      if (strcmp (stored->redirect_uri, redirect_uri) != 0)
        {
          oauth_error (req, 400, "redirect_uri_mismatch", "Bad Request");
          return;
        }
      if (stored->challenge != NULL && verifier == NULL)
        {
          oauth_error (req, 400, "invalid_grant", "Missing code verifier.");
          return;
        }
      if (stored->challenge != NULL && !_sm_sandbox_pkce_check (stored->challenge, verifier))
        {
          oauth_error (req, 400, "invalid_grant", "Invalid code verifier.");
          return;
        }

      access = _sm_sandbox_token_issue (req->sandbox, YT_NETWORK, "access", "user",
                                        YT_CHANNEL_ID, stored->scope, client_id, 0,
                                        YT_ACCESS_LIFETIME_S);
      /* A refresh token only for offline access (1.1). */
      access_type = stored->kept != NULL ? g_hash_table_lookup (stored->kept, "access_type") : NULL;
      if (g_strcmp0 (access_type, "offline") == 0)
        refresh = _sm_sandbox_token_issue (req->sandbox, YT_NETWORK, "refresh", "user",
                                           YT_CHANNEL_ID, stored->scope, client_id,
                                           access->grant, 0);
      _sm_sandbox_token_pair (access, refresh);
      respond_tokens (req, access, refresh);
    }
  else if (strcmp (grant_type, "refresh_token") == 0)
    {
      const char *string = _sm_sandbox_request_param (req, "refresh_token");
      SmSandboxToken *old, *access;

      if (string == NULL)
        {
          oauth_error (req, 400, "invalid_request", "Missing required parameter: refresh_token");
          return;
        }
      old = _sm_sandbox_token_lookup (req->sandbox, YT_NETWORK, string);
      if (old != NULL && strcmp (old->kind, "refresh") == 0 && strcmp (old->client_id, client_id) != 0)
        {
          oauth_error (req, 401, "unauthorized_client", "Unauthorized");
          return;
        }
      if (old == NULL || strcmp (old->kind, "refresh") != 0 ||
          old->state != SM_SANDBOX_TOKEN_VALID)
        {
          oauth_error (req, 400, "invalid_grant", "Token has been expired or revoked.");
          return;
        }

      /* Google does not rotate refresh tokens: the answer has none. */
      access = _sm_sandbox_token_issue (req->sandbox, YT_NETWORK, "access", "user", old->account,
                                        old->scope, client_id, old->grant, YT_ACCESS_LIFETIME_S);
      _sm_sandbox_token_pair (access, NULL);
      g_free (access->pair_refresh);
      access->pair_refresh = g_strdup (old->token);
      respond_tokens (req, access, NULL);
    }
  else
    {
      g_autofree char *description = g_strdup_printf ("Invalid grant_type: %s", grant_type);

      oauth_error (req, 400, "unsupported_grant_type", description);
    }
}

static void
revoke_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  const char *string = _sm_sandbox_request_param (req, "token");
  SmSandboxToken *token;

  if (string == NULL || *string == '\0')
    {
      oauth_error (req, 400, "invalid_request", "Bad Request");
      return;
    }
  token = _sm_sandbox_token_lookup (req->sandbox, YT_NETWORK, string);
  if (token == NULL || token->state != SM_SANDBOX_TOKEN_VALID)
    {
      oauth_error (req, 400, "invalid_token", "Token expired or revoked");
      return;
    }

  /* Either token ends the whole grant. */
  _sm_sandbox_grant_revoke (req->sandbox, token->grant);
  _sm_sandbox_respond_object (req, 200, json_object_new ());
}

/* ---- channels ---------------------------------------------------------- */

static guint
live_videos (YtState    *state,
             const char *channel)
{
  GHashTableIter iter;
  Video *video;
  guint n = 0;

  g_hash_table_iter_init (&iter, state->videos);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &video))
    if (strcmp (video->channel, channel) == 0)
      n++;
  return n;
}

static JsonObject *
channel_resource (YtState *state,
                  GStrv    parts)
{
  JsonObject *channel = json_object_new ();

  json_object_set_string_member (channel, "kind", "youtube#channel");
  json_object_set_string_member (channel, "etag", "sbx-channel-etag");
  json_object_set_string_member (channel, "id", YT_CHANNEL_ID);

  if (g_strv_contains ((const char * const *) parts, "snippet"))
    {
      JsonObject *snippet = json_object_new ();
      JsonObject *localized = json_object_new ();

      json_object_set_string_member (snippet, "title", YT_CHANNEL_TITLE);
      json_object_set_string_member (snippet, "description",
                                     "A channel that exists only in the So-me Studio sandbox.");
      json_object_set_string_member (snippet, "customUrl", YT_CHANNEL_HANDLE);
      json_object_set_string_member (snippet, "publishedAt", "2020-01-01T08:00:00Z");
      json_object_set_object_member (snippet, "thumbnails",
                                     thumbnails ("https://yt3.ggpht.com/sandbox/" YT_CHANNEL_ID));
      json_object_set_string_member (localized, "title", YT_CHANNEL_TITLE);
      json_object_set_string_member (localized, "description",
                                     "A channel that exists only in the So-me Studio sandbox.");
      json_object_set_object_member (snippet, "localized", localized);
      json_object_set_string_member (snippet, "country", "US");
      json_object_set_object_member (channel, "snippet", snippet);
    }
  if (g_strv_contains ((const char * const *) parts, "contentDetails"))
    {
      JsonObject *details = json_object_new ();
      JsonObject *playlists = json_object_new ();

      json_object_set_string_member (playlists, "likes", "LL");
      json_object_set_string_member (playlists, "uploads", YT_UPLOADS_PLAYLIST);
      json_object_set_object_member (details, "relatedPlaylists", playlists);
      json_object_set_object_member (channel, "contentDetails", details);
    }
  if (g_strv_contains ((const char * const *) parts, "statistics"))
    {
      JsonObject *statistics = json_object_new ();
      g_autofree char *videos = g_strdup_printf ("%u", live_videos (state, YT_CHANNEL_ID));

      /* Counts are strings (1.2). */
      json_object_set_string_member (statistics, "viewCount", "1234");
      json_object_set_string_member (statistics, "subscriberCount", "56");
      json_object_set_boolean_member (statistics, "hiddenSubscriberCount", FALSE);
      json_object_set_string_member (statistics, "videoCount", videos);
      json_object_set_object_member (channel, "statistics", statistics);
    }
  if (g_strv_contains ((const char * const *) parts, "status"))
    {
      JsonObject *status = json_object_new ();

      json_object_set_string_member (status, "privacyStatus", "public");
      json_object_set_boolean_member (status, "isLinked", TRUE);
      json_object_set_string_member (status, "longUploadsStatus", "eligible");
      json_object_set_object_member (channel, "status", status);
    }
  return channel;
}

static void
list_response (SmSandboxRequest *req,
               const char       *kind,
               JsonArray        *items)
{
  JsonObject *object = json_object_new ();
  JsonObject *page = json_object_new ();
  guint n = json_array_get_length (items);

  json_object_set_string_member (object, "kind", kind);
  json_object_set_string_member (object, "etag", "sbx-list-etag");
  json_object_set_int_member (page, "totalResults", n);
  json_object_set_int_member (page, "resultsPerPage", MAX (n, 5));
  json_object_set_object_member (object, "pageInfo", page);
  json_object_set_array_member (object, "items", items);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
channels_cb (SmSandboxRequest *req,
             gpointer          user_data)
{
  YtState *state = user_data;
  SmSandboxToken *token = authenticate (req, read_scopes);
  g_auto(GStrv) parts = NULL;
  const char *mine = _sm_sandbox_request_query (req, "mine");
  const char *ids = _sm_sandbox_request_query (req, "id");
  const char *username = _sm_sandbox_request_query (req, "forUsername");
  const char *handle = _sm_sandbox_request_query (req, "forHandle");
  guint filters = (mine != NULL) + (ids != NULL) + (username != NULL) + (handle != NULL);
  JsonArray *items;
  gboolean match = FALSE;

  if (token == NULL)
    return;
  if ((parts = parse_parts (req, channel_parts)) == NULL)
    return;
  if (filters != 1)
    {
      google_error (req, 400, "youtube.parameter", "incompatibleParameters",
                    "Exactly one of mine, id, forUsername and forHandle is required.", NULL);
      return;
    }

  if (mine != NULL)
    match = g_ascii_strcasecmp (mine, "true") == 0 && strcmp (token->account, YT_CHANNEL_ID) == 0;
  else if (ids != NULL)
    {
      g_auto(GStrv) list = g_strsplit (ids, ",", -1);

      match = g_strv_contains ((const char * const *) list, YT_CHANNEL_ID);
    }
  else if (handle != NULL)
    match = g_ascii_strcasecmp (handle, YT_CHANNEL_HANDLE) == 0 ||
            g_ascii_strcasecmp (handle, YT_CHANNEL_HANDLE + 1) == 0;

  items = json_array_new ();
  if (match)
    json_array_add_object_element (items, channel_resource (state, parts));
  list_response (req, "youtube#channelListResponse", items);
}

/* ---- videos ------------------------------------------------------------ */

static JsonObject *
video_resource (Video    *video,
                GStrv     parts,
                gboolean  count_poll)
{
  JsonObject *object = json_object_new ();
  gboolean processed;
  gboolean wants_state = g_strv_contains ((const char * const *) parts, "status") ||
                         g_strv_contains ((const char * const *) parts, "processingDetails");

  if (count_poll && wants_state)
    video->polls++;
  processed = video->polls > YT_PROCESSING_POLLS;

  json_object_set_string_member (object, "kind", "youtube#video");
  json_object_set_string_member (object, "etag", "sbx-video-etag");
  json_object_set_string_member (object, "id", video->id);
  if (g_strv_contains ((const char * const *) parts, "snippet"))
    json_object_set_object_member (object, "snippet", copy_object (video->snippet));
  if (g_strv_contains ((const char * const *) parts, "status"))
    {
      JsonObject *status = copy_object (video->status);

      json_object_set_string_member (status, "uploadStatus", processed ? "processed" : "uploaded");
      json_object_set_object_member (object, "status", status);
    }
  if (g_strv_contains ((const char * const *) parts, "processingDetails"))
    {
      JsonObject *details = json_object_new ();

      json_object_set_string_member (details, "processingStatus",
                                     processed ? "succeeded" : "processing");
      if (!processed)
        {
          JsonObject *progress = json_object_new ();

          json_object_set_string_member (progress, "partsTotal", "1000");
          json_object_set_string_member (progress, "partsProcessed",
                                         video->polls <= 1 ? "0" : "500");
          json_object_set_string_member (progress, "timeLeftMs", "10000");
          json_object_set_object_member (details, "processingProgress", progress);
        }
      json_object_set_object_member (object, "processingDetails", details);
    }
  if (g_strv_contains ((const char * const *) parts, "statistics"))
    {
      JsonObject *statistics = json_object_new ();

      json_object_set_string_member (statistics, "viewCount", "0");
      json_object_set_string_member (statistics, "likeCount", "0");
      json_object_set_string_member (statistics, "favoriteCount", "0");
      json_object_set_string_member (statistics, "commentCount", "0");
      json_object_set_object_member (object, "statistics", statistics);
    }
  return object;
}

static void
videos_list_cb (SmSandboxRequest *req,
                gpointer          user_data)
{
  YtState *state = user_data;
  SmSandboxToken *token = authenticate (req, read_scopes);
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) ids = NULL;
  const char *id_text = _sm_sandbox_request_query (req, "id");
  JsonArray *items;

  if (token == NULL)
    return;
  if ((parts = parse_parts (req, video_parts)) == NULL)
    return;
  if (id_text == NULL)
    {
      google_error (req, 400, "youtube.parameter", "missingRequiredParameter",
                    "No filter selected. Expected one of: id, chart, myRating.", NULL);
      return;
    }
  ids = g_strsplit (id_text, ",", -1);
  if (g_strv_length (ids) > YT_MAX_IDS)
    {
      google_error (req, 400, "youtube.parameter", "invalidValue",
                    "The id parameter takes at most 50 ids.", "id");
      return;
    }

  items = json_array_new ();
  for (guint i = 0; ids[i] != NULL; i++)
    {
      Video *video = g_hash_table_lookup (state->videos, g_strstrip (ids[i]));

      /* Private videos of other channels are not listed. */
      if (video != NULL && strcmp (video->channel, token->account) == 0)
        json_array_add_object_element (items, video_resource (video, parts, TRUE));
    }
  list_response (req, "youtube#videoListResponse", items);
}

static void
videos_delete_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  YtState *state = user_data;
  SmSandboxToken *token = authenticate (req, manage_scopes);
  const char *id = _sm_sandbox_request_query (req, "id");
  Video *video;
  SmSandboxPost *post;

  if (token == NULL)
    return;
  if (id == NULL || *id == '\0')
    {
      google_error (req, 400, "global", "required", "Required parameter: id", "id");
      return;
    }
  video = g_hash_table_lookup (state->videos, id);
  if (video == NULL)
    {
      google_error (req, 404, "youtube.video", "videoNotFound",
                    "The video that you are trying to delete cannot be found.", "id");
      return;
    }
  if (strcmp (video->channel, token->account) != 0)
    {
      google_error (req, 403, "youtube.video", "forbidden",
                    "The video that you are trying to delete cannot be deleted.", "id");
      return;
    }

  post = _sm_sandbox_post_lookup (req->sandbox, YT_NETWORK, id);
  if (post != NULL)
    post->deleted = TRUE;
  g_hash_table_remove (state->videos, id);
  _sm_sandbox_respond_empty (req, 204);
}

/* ---- the resumable upload (1.3) ---------------------------------------- */

static gboolean
has_angle_brackets (const char *text)
{
  return strchr (text, '<') != NULL || strchr (text, '>') != NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* commentThreads.insert (1.2): a top-level comment by the channel under
 * a video of its own.  Needs youtube.force-ssl (the only scope the API
 * reference lists for it); the body is a commentThread resource with
 * snippet.channelId, snippet.videoId and
 * snippet.topLevelComment.snippet.textOriginal. */
static void
comment_threads_insert_cb (SmSandboxRequest *req,
                           gpointer          user_data)
{
  static const char * const comment_scopes[] = {
    "https://www.googleapis.com/auth/youtube.force-ssl", NULL
  };
  static const char * const thread_parts[] = { "id", "snippet", "replies", NULL };
  YtState *state = user_data;
  SmSandboxToken *token = authenticate (req, comment_scopes);
  g_auto(GStrv) parts = NULL;
  JsonNode *root;
  JsonObject *snippet = NULL, *top = NULL, *top_snippet = NULL;
  const char *channel, *video_id, *text;
  SmSandboxPost *post;
  g_autofree char *id = NULL;
  g_autofree char *published = NULL;
  JsonObject *object, *out_snippet, *out_top, *out_top_snippet;

  if (token == NULL)
    return;
  if ((parts = parse_parts (req, thread_parts)) == NULL)
    return;
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      bad_request (req, "parseError", "The request body is not a commentThread resource.");
      return;
    }
  snippet = object_member (json_node_get_object (root), "snippet");
  top = object_member (snippet, "topLevelComment");
  top_snippet = object_member (top, "snippet");
  channel = string_member (snippet, "channelId");
  video_id = string_member (snippet, "videoId");
  text = string_member (top_snippet, "textOriginal");
  if (video_id == NULL || *video_id == '\0')
    {
      google_error (req, 400, "youtube.commentThread", "missingVideoId",
                    "The request must specify snippet.videoId.", "body.snippet.videoId");
      return;
    }
  if (text == NULL || *text == '\0')
    {
      google_error (req, 400, "youtube.commentThread", "commentTextRequired",
                    "The comment resource being inserted must specify a value for the "
                    "snippet.topLevelComment.snippet.textOriginal property.",
                    "body.snippet.topLevelComment.snippet.textOriginal");
      return;
    }
  if (g_utf8_strlen (text, -1) > 10000)
    {
      google_error (req, 400, "youtube.commentThread", "commentTextTooLong",
                    "The comment resource being inserted contains too many characters in the "
                    "snippet.topLevelComment.snippet.textOriginal property.",
                    "body.snippet.topLevelComment.snippet.textOriginal");
      return;
    }
  post = _sm_sandbox_post_lookup (req->sandbox, YT_NETWORK, video_id);
  if (g_hash_table_lookup (state->videos, video_id) == NULL || post == NULL || post->deleted)
    {
      google_error (req, 404, "youtube.commentThread", "videoNotFound",
                    "The video identified by the videoId parameter could not be found.",
                    "body.snippet.videoId");
      return;
    }
  if (strcmp (post->account, token->account) != 0 ||
      (channel != NULL && strcmp (channel, token->account) != 0))
    {
      google_error (req, 403, "youtube.commentThread", "forbidden",
                    "The comment thread could not be created due to insufficient permissions. "
                    "The request might not be properly authorized.", NULL);
      return;
    }

  id = random_id (26);
  _sm_sandbox_post_add_comment (post, id, token->account, text);
  published = format_time (g_get_real_time ());

  out_top_snippet = json_object_new ();
  json_object_set_string_member (out_top_snippet, "channelId", token->account);
  json_object_set_string_member (out_top_snippet, "videoId", video_id);
  json_object_set_string_member (out_top_snippet, "textDisplay", text);
  json_object_set_string_member (out_top_snippet, "textOriginal", text);
  json_object_set_string_member (out_top_snippet, "authorChannelId", token->account);
  json_object_set_string_member (out_top_snippet, "publishedAt", published);
  json_object_set_string_member (out_top_snippet, "updatedAt", published);
  out_top = json_object_new ();
  json_object_set_string_member (out_top, "kind", "youtube#comment");
  json_object_set_string_member (out_top, "id", id);
  json_object_set_object_member (out_top, "snippet", out_top_snippet);
  out_snippet = json_object_new ();
  json_object_set_string_member (out_snippet, "channelId", token->account);
  json_object_set_string_member (out_snippet, "videoId", video_id);
  json_object_set_object_member (out_snippet, "topLevelComment", out_top);
  json_object_set_boolean_member (out_snippet, "canReply", TRUE);
  json_object_set_int_member (out_snippet, "totalReplyCount", 0);
  json_object_set_boolean_member (out_snippet, "isPublic", TRUE);
  object = json_object_new ();
  json_object_set_string_member (object, "kind", "youtube#commentThread");
  json_object_set_string_member (object, "id", id);
  json_object_set_object_member (object, "snippet", out_snippet);
  _sm_sandbox_respond_object (req, 200, object);
}

/* Checks the video resource of an insert and keeps what it sets; FALSE
 * after answering 400. */
static gboolean
validate_video (SmSandboxRequest  *req,
                JsonObject        *body,
                JsonObject       **snippet_out,
                JsonObject       **status_out)
{
  JsonNode *snippet_node = json_object_get_member (body, "snippet");
  JsonNode *status_node = json_object_get_member (body, "status");
  JsonObject *in_snippet = snippet_node != NULL && JSON_NODE_HOLDS_OBJECT (snippet_node) ?
                           json_node_get_object (snippet_node) : NULL;
  JsonObject *in_status = status_node != NULL && JSON_NODE_HOLDS_OBJECT (status_node) ?
                          json_node_get_object (status_node) : NULL;
  const char *title = string_member (in_snippet, "title");
  const char *description = string_member (in_snippet, "description");
  const char *category = string_member (in_snippet, "categoryId");
  const char *language = string_member (in_snippet, "defaultLanguage");
  const char *privacy = string_member (in_status, "privacyStatus");
  const char *publish_at = string_member (in_status, "publishAt");
  const char *license = string_member (in_status, "license");
  JsonNode *tags = in_snippet != NULL ? json_object_get_member (in_snippet, "tags") : NULL;
  g_autoptr(JsonObject) snippet = json_object_new ();
  g_autoptr(JsonObject) status = json_object_new ();
  g_autofree char *stripped = g_strstrip (g_strdup (title != NULL ? title : ""));

  if (title == NULL || *stripped == '\0' || g_utf8_strlen (title, -1) > YT_MAX_TITLE_CHARS ||
      has_angle_brackets (title))
    {
      bad_request (req, "invalidTitle",
                   "The request metadata specifies an invalid or empty video title.");
      return FALSE;
    }
  if (description != NULL && (strlen (description) > YT_MAX_DESCRIPTION ||
                              has_angle_brackets (description)))
    {
      bad_request (req, "invalidDescription",
                   "The request metadata specifies an invalid video description.");
      return FALSE;
    }
  if (tags != NULL)
    {
      glong chars = 0;

      if (!JSON_NODE_HOLDS_ARRAY (tags))
        {
          bad_request (req, "invalidTags", "The request metadata specifies invalid video keywords.");
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (json_node_get_array (tags)); i++)
        {
          JsonNode *tag = json_array_get_element (json_node_get_array (tags), i);

          if (!JSON_NODE_HOLDS_VALUE (tag) || json_node_get_value_type (tag) != G_TYPE_STRING)
            {
              bad_request (req, "invalidTags",
                           "The request metadata specifies invalid video keywords.");
              return FALSE;
            }
          /* A comma between tags counts; a tag with a space counts its quotes. */
          chars += g_utf8_strlen (json_node_get_string (tag), -1) + (i > 0 ? 1 : 0) +
                   (strchr (json_node_get_string (tag), ' ') != NULL ? 2 : 0);
        }
      if (chars > YT_MAX_TAGS_CHARS)
        {
          bad_request (req, "invalidTags", "The request metadata specifies invalid video keywords.");
          return FALSE;
        }
    }
  if (category != NULL && !g_strv_contains (assignable_categories, category))
    {
      bad_request (req, "invalidCategoryId",
                   "The snippet.categoryId property specifies an invalid category ID.");
      return FALSE;
    }
  if (privacy == NULL)
    privacy = "public";
  if (strcmp (privacy, "private") != 0 && strcmp (privacy, "public") != 0 &&
      strcmp (privacy, "unlisted") != 0)
    {
      bad_request (req, "invalidVideoMetadata",
                   "status.privacyStatus must be private, public or unlisted.");
      return FALSE;
    }
  if (publish_at != NULL)
    {
      gint64 when = _sm_sandbox_parse_time_us (publish_at);

      if (strcmp (privacy, "private") != 0)
        {
          bad_request (req, "invalidPublishAt",
                       "status.publishAt can only be set when status.privacyStatus is private.");
          return FALSE;
        }
      if (when < 0 || when <= g_get_real_time ())
        {
          bad_request (req, "invalidPublishAt",
                       "The request metadata specifies an invalid scheduled publishing time.");
          return FALSE;
        }
    }
  if (license != NULL && strcmp (license, "youtube") != 0 && strcmp (license, "creativeCommon") != 0)
    {
      bad_request (req, "invalidVideoMetadata", "status.license must be youtube or creativeCommon.");
      return FALSE;
    }

  json_object_set_string_member (snippet, "title", title);
  json_object_set_string_member (snippet, "description", description != NULL ? description : "");
  if (tags != NULL)
    json_object_set_member (snippet, "tags", json_node_copy (tags));
  json_object_set_string_member (snippet, "categoryId", category != NULL ? category : "22");
  if (language != NULL)
    json_object_set_string_member (snippet, "defaultLanguage", language);

  json_object_set_string_member (status, "privacyStatus", privacy);
  if (publish_at != NULL)
    json_object_set_string_member (status, "publishAt", publish_at);
  json_object_set_string_member (status, "license", license != NULL ? license : "youtube");
  json_object_set_boolean_member (status, "embeddable",
                                  in_status == NULL ||
                                  json_object_get_boolean_member_with_default (in_status, "embeddable", TRUE));
  json_object_set_boolean_member (status, "publicStatsViewable",
                                  in_status == NULL ||
                                  json_object_get_boolean_member_with_default (in_status,
                                                                               "publicStatsViewable", TRUE));
  if (in_status != NULL && json_object_has_member (in_status, "selfDeclaredMadeForKids"))
    json_object_set_boolean_member (status, "selfDeclaredMadeForKids",
                                    json_object_get_boolean_member_with_default (in_status,
                                                                                 "selfDeclaredMadeForKids",
                                                                                 FALSE));

  *snippet_out = g_steal_pointer (&snippet);
  *status_out = g_steal_pointer (&status);
  return TRUE;
}

/* videos.update (1.2): PUT /videos?part=snippet,status with the resource
 * and its id; each part given replaces the stored one, so the snippet
 * needs its title and categoryId. */
static void
videos_update_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  YtState *state = user_data;
  SmSandboxToken *token = authenticate (req, manage_scopes);
  JsonNode *root;
  JsonObject *body;
  JsonObject *in_snippet;
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonObject) snippet = NULL;
  g_autoptr(JsonObject) status = NULL;
  const char *id;
  Video *video;
  SmSandboxPost *post;

  if (token == NULL)
    return;
  if ((parts = parse_parts (req, video_parts)) == NULL)
    return;
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      google_error (req, 400, "global", "parseError", "Parse Error", NULL);
      return;
    }
  body = json_node_get_object (root);
  id = string_member (body, "id");
  if (id == NULL)
    {
      google_error (req, 400, "youtube.video", "videoRequiresId",
                    "The video resource must specify an id.", "body.id");
      return;
    }
  video = g_hash_table_lookup (state->videos, id);
  if (video == NULL)
    {
      google_error (req, 404, "youtube.video", "videoNotFound",
                    "The video that you are trying to update cannot be found.", "body.id");
      return;
    }
  if (strcmp (video->channel, token->account) != 0)
    {
      google_error (req, 403, "youtube.video", "forbidden",
                    "The video that you are trying to update cannot be updated.", "body.id");
      return;
    }
  in_snippet = json_object_has_member (body, "snippet") &&
               JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "snippet")) ?
               json_object_get_object_member (body, "snippet") : NULL;
  if (g_strv_contains ((const char * const *) parts, "snippet") &&
      (in_snippet == NULL || string_member (in_snippet, "categoryId") == NULL))
    {
      bad_request (req, "invalidCategoryId",
                   "The snippet.categoryId property must be set when updating the snippet.");
      return;
    }
  if (!validate_video (req, body, &snippet, &status))
    return;

  if (g_strv_contains ((const char * const *) parts, "snippet"))
    {
      g_clear_pointer (&video->snippet, json_object_unref);
      video->snippet = g_steal_pointer (&snippet);
      post = _sm_sandbox_post_lookup (req->sandbox, YT_NETWORK, id);
      if (post != NULL)
        {
          g_free (post->text);
          post->text = g_strdup (json_object_get_string_member (video->snippet, "title"));
        }
    }
  if (g_strv_contains ((const char * const *) parts, "status"))
    {
      g_clear_pointer (&video->status, json_object_unref);
      video->status = g_steal_pointer (&status);
    }
  _sm_sandbox_respond_object (req, 200, video_resource (video, parts, FALSE));
}

/* thumbnails.set (1.2): a JPEG or PNG body of 2 MB at most. */
static void
thumbnails_set_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  YtState *state = user_data;
  SmSandboxToken *token = authenticate (req, manage_scopes);
  const char *id = _sm_sandbox_request_query (req, "videoId");
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *base = NULL;
  JsonObject *answer;
  JsonArray *items;
  Video *video;
  SmSandboxPost *post;

  if (token == NULL)
    return;
  if (id == NULL || (video = g_hash_table_lookup (state->videos, id)) == NULL)
    {
      google_error (req, 404, "youtube.thumbnail", "videoNotFound",
                    "The video that you are trying to set a thumbnail for cannot be found.", "videoId");
      return;
    }
  if (strcmp (video->channel, token->account) != 0)
    {
      google_error (req, 403, "youtube.thumbnail", "forbidden",
                    "The authenticated user doesn't have permissions to upload and set custom "
                    "video thumbnails.", NULL);
      return;
    }
  if (!_sm_sandbox_request_has_type (req, "image/jpeg") &&
      !_sm_sandbox_request_has_type (req, "image/png"))
    {
      google_error (req, 400, "youtube.thumbnail", "imageFormatUnsupported",
                    "The image you are trying to set as a thumbnail is not supported.", NULL);
      return;
    }
  bytes = soup_message_body_flatten (body);
  if (g_bytes_get_size (bytes) == 0)
    {
      google_error (req, 400, "global", "mediaBodyRequired",
                    "The request does not include the image content.", NULL);
      return;
    }
  if (g_bytes_get_size (bytes) > YT_THUMBNAIL_MAX)
    {
      google_error (req, 413, "global", "uploadTooLarge",
                    "The thumbnail is larger than 2 MB.", NULL);
      return;
    }

  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  post = _sm_sandbox_post_lookup (req->sandbox, YT_NETWORK, id);
  if (post != NULL)
    _sm_sandbox_post_add_media (post, "thumbnail", g_bytes_get_size (bytes), sha256);

  base = g_strdup_printf ("https://i.ytimg.com/vi/%s", id);
  answer = json_object_new ();
  items = json_array_new ();
  json_array_add_object_element (items, thumbnails (base));
  json_object_set_string_member (answer, "kind", "youtube#thumbnailSetResponse");
  json_object_set_string_member (answer, "etag", "sbx-thumbnail-etag");
  json_object_set_array_member (answer, "items", items);
  _sm_sandbox_respond_object (req, 200, answer);
}

static gboolean
is_video_type (const char *type)
{
  return type != NULL && (g_str_has_prefix (type, "video/") ||
                          g_ascii_strcasecmp (type, "application/octet-stream") == 0);
}

/* Step 1: POST …/upload/youtube/v3/videos?uploadType=resumable&part=… */
static void
insert_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  YtState *state = user_data;
  SmSandboxToken *token = authenticate (req, upload_scopes);
  const char *upload_type = _sm_sandbox_request_query (req, "uploadType");
  const char *length_text = _sm_sandbox_request_header (req, "X-Upload-Content-Length");
  const char *content_type = _sm_sandbox_request_header (req, "X-Upload-Content-Type");
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonObject) snippet = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autofree char *escaped_parts = NULL;
  g_autofree char *location = NULL;
  JsonNode *root;
  guint64 total;
  Upload *upload;

  if (token == NULL)
    return;
  if (g_strcmp0 (upload_type, "resumable") != 0)
    {
      bad_request (req, "invalidUploadType",
                   "The sandbox implements uploadType=resumable only.");
      return;
    }
  if ((parts = parse_parts (req, video_parts)) == NULL)
    return;
  if (!g_strv_contains ((const char * const *) parts, "snippet"))
    {
      google_error (req, 400, "youtube.part", "invalidPart",
                    "An upload sets the snippet (part=snippet,status).", "part");
      return;
    }
  if (length_text == NULL ||
      !g_ascii_string_to_unsigned (length_text, 10, 0, G_MAXINT64, &total, NULL))
    {
      google_error (req, 400, "global", "required",
                    "X-Upload-Content-Length must be the size of the video in bytes.", NULL);
      return;
    }
  if (total == 0)
    {
      bad_request (req, "mediaBodyRequired", "The request does not include the video content.");
      return;
    }
  if (!is_video_type (content_type))
    {
      g_autofree char *message =
        g_strdup_printf ("Media type '%s' is not supported. Valid media types: "
                         "[video/*, application/octet-stream]", content_type != NULL ? content_type : "");

      google_error (req, 400, "global", "badContent", message, NULL);
      return;
    }
  if (!_sm_sandbox_request_has_type (req, "application/json"))
    {
      google_error (req, 400, "global", "badContent",
                    "The video resource goes in an application/json body.", NULL);
      return;
    }
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      google_error (req, 400, "global", "parseError", "Parse Error", NULL);
      return;
    }
  if (!validate_video (req, json_node_get_object (root), &snippet, &status))
    return;

  upload = g_rc_box_new0 (Upload);
  upload->id = _sm_sandbox_random_string ("sbxu");
  upload->channel = g_strdup (token->account);
  upload->parts = g_strjoinv (",", parts);
  upload->content_type = g_strdup (content_type);
  upload->total = total;
  upload->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  upload->snippet = g_steal_pointer (&snippet);
  upload->status = g_steal_pointer (&status);
  g_hash_table_insert (state->uploads, upload->id, upload);

  /* The session URI as the real service writes it; clients map it back to
   * the sandbox through their base override. */
  escaped_parts = g_uri_escape_string (upload->parts, ",", FALSE);
  location = g_strdup_printf ("https://www.googleapis.com/upload/youtube/v3/videos"
                              "?uploadType=resumable&upload_id=%s&part=%s",
                              upload->id, escaped_parts);
  _sm_sandbox_set_header (req, "Location", location);
  _sm_sandbox_set_header (req, "X-GUploader-UploadID", upload->id);
  _sm_sandbox_respond_empty (req, 200);
  g_debug ("upload session for %" G_GUINT64_FORMAT " bytes", total);
}

/* "bytes A-B/T" or "bytes * /T" (no space); FALSE when neither. */
static gboolean
parse_content_range (const char *value,
                     gboolean   *query_out,
                     guint64    *first_out,
                     guint64    *last_out,
                     guint64    *total_out)
{
  g_auto(GStrv) halves = NULL;
  const char *range;

  if (value == NULL || !g_str_has_prefix (value, "bytes "))
    return FALSE;
  halves = g_strsplit (value + strlen ("bytes "), "/", 2);
  if (halves[0] == NULL || halves[1] == NULL ||
      !g_ascii_string_to_unsigned (halves[1], 10, 1, G_MAXINT64, total_out, NULL))
    return FALSE;
  range = halves[0];
  if (strcmp (range, "*") == 0)
    {
      *query_out = TRUE;
      return TRUE;
    }
  {
    g_auto(GStrv) ends = g_strsplit (range, "-", 2);

    *query_out = FALSE;
    return ends[0] != NULL && ends[1] != NULL &&
           g_ascii_string_to_unsigned (ends[0], 10, 0, G_MAXINT64, first_out, NULL) &&
           g_ascii_string_to_unsigned (ends[1], 10, 0, G_MAXINT64, last_out, NULL) &&
           *first_out <= *last_out && *last_out < *total_out;
  }
}

static PutSink *
put_refuse (PutSink    *sink,
            PutVerdict  verdict,
            const char *message)
{
  sink->verdict = verdict;
  sink->message = g_strdup (message);
  return sink;
}

/* Steps 2 and 4, when the headers are in: what this PUT may do. */
static gpointer
put_begin (SmSandboxRequest *req,
           gpointer          user_data)
{
  YtState *state = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *upload_id = _sm_sandbox_request_query (req, "upload_id");
  const char *range = _sm_sandbox_request_header (req, "Content-Range");
  PutSink *sink = g_new0 (PutSink, 1);
  PutVerdict why = PUT_UNAUTHORIZED;
  SmSandboxToken *token;
  Upload *upload;
  goffset length = 0;
  gboolean query = FALSE;
  guint64 first = 0, last = 0, total = 0;

  upload = upload_id != NULL ? g_hash_table_lookup (state->uploads, upload_id) : NULL;
  if (upload == NULL)
    return put_refuse (sink, PUT_NOT_FOUND, NULL);
  sink->upload = g_rc_box_acquire (upload);

  token = check_token (req, upload_scopes, &why);
  if (token == NULL)
    return put_refuse (sink, why, NULL);
  if (strcmp (token->account, upload->channel) != 0)
    return put_refuse (sink, PUT_FORBIDDEN, NULL);
  if (upload->video_id != NULL)
    return put_refuse (sink, PUT_DONE, NULL);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  else if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_NONE)
    return put_refuse (sink, PUT_BAD_REQUEST, "Content-Length is required.");

  if (range == NULL)
    {
      /* The whole file in one request. */
      if ((guint64) length != upload->total)
        return put_refuse (sink, PUT_BAD_REQUEST,
                           "Without Content-Range the body must be the whole video.");
      first = 0;
      last = upload->total - 1;
      total = upload->total;
    }
  else if (!parse_content_range (range, &query, &first, &last, &total))
    return put_refuse (sink, PUT_BAD_REQUEST,
                       "Content-Range must be bytes FIRST-LAST/TOTAL or bytes */TOTAL.");

  if (total != upload->total)
    return put_refuse (sink, PUT_BAD_REQUEST,
                       "The total in Content-Range is not X-Upload-Content-Length of the session.");
  if (query)
    {
      if (length != 0)
        return put_refuse (sink, PUT_BAD_REQUEST, "A status query has an empty body.");
      return put_refuse (sink, PUT_QUERY, NULL);
    }
  if ((guint64) length != last - first + 1)
    return put_refuse (sink, PUT_BAD_REQUEST, "Content-Length does not match Content-Range.");
  if (first != upload->stored)
    {
      g_autofree char *message =
        g_strdup_printf ("The chunk starts at byte %" G_GUINT64_FORMAT " but the session has "
                         "%" G_GUINT64_FORMAT " bytes; ask with Content-Range: bytes */%"
                         G_GUINT64_FORMAT " and resume from there.",
                         first, upload->stored, upload->total);

      return put_refuse (sink, PUT_BAD_REQUEST, message);
    }
  if (last + 1 < upload->total && (last - first + 1) % YT_CHUNK_GRANULARITY != 0)
    return put_refuse (sink, PUT_BAD_REQUEST,
                       "Chunks other than the last must be a multiple of 262144 bytes.");

  sink->verdict = PUT_CHUNK;
  return sink;
}

static void
put_chunk (gpointer      data,
           const guint8 *bytes,
           gsize         len)
{
  PutSink *sink = data;
  Upload *upload = sink->upload;

  if (sink->verdict != PUT_CHUNK || upload->video_id != NULL)
    return;
  /* Content-Length matched the range, so this never runs past it. */
  g_checksum_update (upload->sha256, bytes, len);
  upload->stored += len;
}

static void
respond_video (SmSandboxRequest *req,
               Video            *video,
               guint             status)
{
  g_auto(GStrv) parts = g_strsplit (video->parts, ",", -1);

  _sm_sandbox_respond_object (req, status, video_resource (video, parts, FALSE));
}

/* The last byte is in: the video exists from now on. */
static Video *
finish_upload (YtState *state,
               Upload  *upload)
{
  Video *video = g_new0 (Video, 1);
  g_autoptr(GChecksum) copy = g_checksum_copy (upload->sha256);
  g_autofree char *now = format_time (g_get_real_time ());
  g_autofree char *thumbs = NULL;
  JsonObject *localized = json_object_new ();
  SmSandboxPost *post;

  do
    {
      g_free (video->id);
      video->id = random_id (11);
    }
  while (g_hash_table_contains (state->videos, video->id));
  video->channel = g_strdup (upload->channel);
  video->parts = g_strdup (upload->parts);
  video->snippet = copy_object (upload->snippet);
  video->status = copy_object (upload->status);
  video->bytes = upload->total;

  thumbs = g_strdup_printf ("https://i.ytimg.com/vi/%s", video->id);
  json_object_set_string_member (video->snippet, "publishedAt", now);
  json_object_set_string_member (video->snippet, "channelId", video->channel);
  json_object_set_object_member (video->snippet, "thumbnails", thumbnails (thumbs));
  json_object_set_string_member (video->snippet, "channelTitle", YT_CHANNEL_TITLE);
  json_object_set_string_member (video->snippet, "liveBroadcastContent", "none");
  json_object_set_string_member (localized, "title",
                                 json_object_get_string_member (upload->snippet, "title"));
  json_object_set_string_member (localized, "description",
                                 json_object_get_string_member (upload->snippet, "description"));
  json_object_set_object_member (video->snippet, "localized", localized);
  json_object_set_string_member (video->status, "uploadStatus", "uploaded");

  upload->video_id = g_strdup (video->id);
  g_hash_table_insert (state->videos, video->id, video);

  post = _sm_sandbox_post_add (state->sandbox, YT_NETWORK, video->channel, video->id,
                               json_object_get_string_member (upload->snippet, "title"));
  _sm_sandbox_post_add_media (post, "video", upload->total, g_checksum_get_string (copy));
  g_debug ("upload complete: video of %" G_GUINT64_FORMAT " bytes", upload->total);
  return video;
}

static void
resume_incomplete (SmSandboxRequest *req,
                   Upload           *upload)
{
  soup_server_message_set_status (req->msg, 308, "Resume Incomplete");
  soup_server_message_set_response (req->msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
  /* No Range at all when nothing is stored (1.3, step 3). */
  if (upload->stored > 0)
    {
      g_autofree char *value = g_strdup_printf ("bytes=0-%" G_GUINT64_FORMAT, upload->stored - 1);

      _sm_sandbox_set_header (req, "Range", value);
    }
}

/* Steps 2-4, once the body is in. */
static void
put_cb (SmSandboxRequest *req,
        gpointer          user_data)
{
  YtState *state = user_data;
  PutSink *sink = req->body_sink;
  Upload *upload;
  Video *video;

  g_assert (sink != NULL);
  upload = sink->upload;
  if (upload != NULL)
    _sm_sandbox_set_header (req, "X-GUploader-UploadID", upload->id);

  switch (sink->verdict)
    {
    case PUT_NOT_FOUND:
      google_error (req, 404, "global", "notFound",
                    "The upload session does not exist or has expired; start a new one.", NULL);
      return;

    case PUT_UNAUTHORIZED:
      unauthenticated (req, _sm_sandbox_request_bearer (req, FALSE) == NULL);
      return;

    case PUT_FORBIDDEN:
      google_error (req, 403, "global", "forbidden",
                    "This upload session belongs to another channel or needs the upload scope.",
                    NULL);
      return;

    case PUT_BAD_REQUEST:
      google_error (req, 400, "global", "badRequest", sink->message, NULL);
      return;

    case PUT_DONE:
    case PUT_QUERY:
    case PUT_CHUNK:
      break;

    default:
      g_assert_not_reached ();
    }

  /* The session may have been reset while the body came in. */
  if (g_hash_table_lookup (state->uploads, upload->id) != upload)
    {
      google_error (req, 404, "global", "notFound",
                    "The upload session does not exist or has expired; start a new one.", NULL);
      return;
    }

  if (upload->video_id == NULL && upload->stored == upload->total)
    finish_upload (state, upload);

  if (upload->video_id == NULL)
    {
      resume_incomplete (req, upload);
      return;
    }

  /* Completed, now or before: the same answer each time (1.3, step 4). */
  video = g_hash_table_lookup (state->videos, upload->video_id);
  if (video == NULL)
    {
      google_error (req, 404, "youtube.video", "videoNotFound",
                    "The video of this upload session has been deleted.", NULL);
      return;
    }
  respond_video (req, video, 201);
}

static void
api_not_found_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  google_error (req, 404, "global", "notFound", "Not Found", NULL);
}

static void
site_not_found_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  _sm_sandbox_respond_page (req, 404, "This page doesn’t exist in the sandbox’s Google.");
}

void
_sm_sandbox_youtube_register (SmSandbox *self)
{
  YtState *state = g_new0 (YtState, 1);

  state->sandbox = self;
  state->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state->uploads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) upload_unref);
  state->videos = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) video_free);
  _sm_sandbox_add_module (self, state, yt_state_reset, yt_state_free);

  _sm_sandbox_add_route (self, authorize_hosts, "GET", "/o/oauth2/v2/auth", authorize_cb, state);
  _sm_sandbox_add_route (self, authorize_hosts, "*", "/**", site_not_found_cb, state);

  _sm_sandbox_add_route (self, token_hosts, "POST", "/token", token_cb, state);
  _sm_sandbox_add_route (self, token_hosts, "POST", "/revoke", revoke_cb, state);
  _sm_sandbox_add_route (self, token_hosts, "*", "/**", site_not_found_cb, state);

  _sm_sandbox_add_route (self, api_hosts, "GET", "/youtube/v3/channels", channels_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/youtube/v3/videos", videos_list_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "DELETE", "/youtube/v3/videos", videos_delete_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "PUT", "/youtube/v3/videos", videos_update_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/youtube/v3/commentThreads",
                         comment_threads_insert_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/upload/youtube/v3/thumbnails/set",
                         thumbnails_set_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/upload/youtube/v3/videos", insert_cb, state);
  _sm_sandbox_add_streaming_route (self, api_hosts, "PUT", "/upload/youtube/v3/videos",
                                   put_begin, put_chunk, put_sink_free, put_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "*", "/**", api_not_found_cb, state);
}
