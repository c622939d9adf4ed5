/* sm-sandbox-threads.c — the Threads API in the sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 5: code → short-lived token → long-lived token
 * (refreshable), then the two-step publish: a container, published by
 * threads_publish.  Served under graph.threads.net and graph.threads.com
 * alike; errors are the Graph envelope.
 *
 * Containers: TEXT is FINISHED at once.  IMAGE and VIDEO fetch their
 * image_url / video_url as Threads does (_sm_sandbox_fetch: https only,
 * through the sandbox, so a bucket of its S3 module answers) and stay
 * IN_PROGRESS until the fetch ends; then FINISHED, with the SHA-256 of the
 * bytes fetched, or ERROR with error_message FAILED_DOWNLOADING_VIDEO (a
 * video that could not be fetched), FAILED_PROCESSING_VIDEO (a video that
 * is not MP4 or MOV) or UNKNOWN (an image that could not be fetched or is
 * not JPEG or PNG), judged by the answer's status and Content-Type.
 * Carousel children (is_carousel_item=true) cannot be published alone;
 * the CAROUSEL parent takes 2-20 distinct FINISHED children of the same
 * user and is FINISHED at once; publishing it makes them PUBLISHED.  A published post lists its files
 * in order under "media".  The publishing limit (250 posts per 24 h,
 * changed with POST /__sandbox/threads/publishing-limit) is enforced on
 * threads_publish and reported by threads_publishing_limit.
 *
 * Not enforced: the rule that a long-lived token must be a day old before
 * it can be refreshed (tests cannot wait a day).
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"

#define TH_NETWORK             "threads"
#define TH_SHORT_LIFETIME_S    3600
#define TH_LONG_LIFETIME_S     5183944
#define TH_MAX_TEXT            500
#define TH_QUOTA_TOTAL         250
#define TH_CAROUSEL_MIN        2
#define TH_CAROUSEL_MAX        20
#define TH_QUOTA_DURATION_S    86400
#define TH_CONTAINER_LIFETIME_US (G_GINT64_CONSTANT (24) * 3600 * G_USEC_PER_SEC)

/* The demo profile. */
#define TH_USER_ID             "26100000000000042"
#define TH_USERNAME            "so.me.sandbox"
#define TH_NAME                "So-me Sandbox"

typedef enum
{
  KIND_TEXT,
  KIND_IMAGE,
  KIND_VIDEO,
  KIND_CAROUSEL,
} ContainerKind;

typedef struct
{
  char          *id;
  char          *user;
  char          *text;
  char          *reply_to;
  char          *media_id;      /* once published */
  gint64         created_us;
  ContainerKind  kind;
  gboolean       carousel_item;
  gboolean       fetching;      /* IN_PROGRESS */
  char          *error_message; /* ERROR */
  guint64        bytes;         /* what was fetched, once FINISHED */
  char          *sha256;
  GPtrArray     *children;      /* CAROUSEL: child container ids, in order */
} Container;

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *containers;   /* id → Container */
  guint       quota_total;  /* posts per TH_QUOTA_DURATION_S */
} ThreadsState;

/* A fetch on its way, for the container with this id (gone after a reset). */
typedef struct
{
  ThreadsState *state;
  char         *id;
} Fetching;

static const char * const authorize_hosts[] = {
  "threads.net", "www.threads.net", "threads.com", "www.threads.com", NULL
};
static const char * const graph_hosts[] = { "graph.threads.net", "graph.threads.com", NULL };

static const char * const user_fields[] = {
  "id", "username", "name", "threads_profile_picture_url", "threads_biography", NULL
};
static const char * const media_fields[] = {
  "id", "permalink", "shortcode", "timestamp", "text", "media_type", "media_product_type",
  "username", "owner", "is_quote_post", NULL
};
static const char * const container_fields[] = { "id", "status", "error_message", NULL };
static const char * const reply_controls[] = {
  "everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only",
  "followers_only", NULL
};

/* ---- helpers ----------------------------------------------------------- */

static void
container_free (Container *container)
{
  g_free (container->id);
  g_free (container->user);
  g_free (container->text);
  g_free (container->reply_to);
  g_free (container->media_id);
  g_free (container->error_message);
  g_free (container->sha256);
  g_clear_pointer (&container->children, g_ptr_array_unref);
  g_free (container);
}

static void
fetching_free (gpointer data)
{
  Fetching *fetching = data;

  g_free (fetching->id);
  g_free (fetching);
}

static void
threads_state_free (gpointer data)
{
  ThreadsState *state = data;

  g_hash_table_unref (state->containers);
  g_free (state);
}

static void
threads_state_reset (gpointer data,
                     gpointer user_data)
{
  ThreadsState *state = data;

  g_hash_table_remove_all (state->containers);
  state->quota_total = TH_QUOTA_TOTAL;
}

static void
missing_permission (SmSandboxRequest *req)
{
  _sm_sandbox_graph_error (req, 403, 10, 0, "(#10) Application does not have permission for this action");
}

static void
unsupported_request (SmSandboxRequest *req,
                     const char       *id)
{
  g_autofree char *method = g_ascii_strdown (req->method, -1);
  g_autofree char *message = g_strdup_printf ("Unsupported %s request. Object with ID '%s' does not "
                                              "exist, cannot be loaded due to missing permissions, "
                                              "or does not support this operation.",
                                              method, id);

  _sm_sandbox_graph_error (req, 400, 100, 33, message);
}

static void
nonexisting_field (SmSandboxRequest *req,
                   const char       *field,
                   const char       *node_type)
{
  g_autofree char *message = g_strdup_printf ("(#100) Tried accessing nonexisting field (%s) on "
                                              "node type (%s)", field, node_type);

  _sm_sandbox_graph_error (req, 400, 100, 0, message);
}

static const char *
unknown_field (GPtrArray          *fields,
               const char * const *known)
{
  if (fields == NULL)
    return NULL;
  for (guint i = 0; i < fields->len; i++)
    if (!g_strv_contains (known, g_ptr_array_index (fields, i)))
      return g_ptr_array_index (fields, i);
  return NULL;
}

/* The token, checked for @scope (NULL: none), or NULL after answering. */
static SmSandboxToken *
authenticate (SmSandboxRequest *req,
              const char       *scope,
              gboolean          about_me)
{
  SmSandboxToken *token = _sm_sandbox_graph_authenticate (req, TH_NETWORK, about_me);

  if (token == NULL)
    return NULL;
  if (!_sm_sandbox_scope_has (token->scope, "threads_basic") ||
      (scope != NULL && !_sm_sandbox_scope_has (token->scope, scope)))
    {
      missing_permission (req);
      return NULL;
    }
  return token;
}

/* "me" or the token's own user id; anything else is someone else. */
static gboolean
is_own_user (SmSandboxToken *token,
             const char     *id)
{
  return g_strcmp0 (id, "me") == 0 || g_strcmp0 (id, token->account) == 0;
}

static char *
format_timestamp (gint64 us)
{
  return _sm_sandbox_format_time (us, "%Y-%m-%dT%H:%M:%S+0000");
}

static char *
shortcode_for (guint64 serial)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char code[12];
  /* spread consecutive serials over the whole code */
  guint64 value = serial * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);

  for (guint i = 0; i < 11; i++)
    {
      code[i] = alphabet[value & 63];
      value >>= 6;
      if (i == 9)
        value ^= serial;
    }
  code[11] = '\0';
  return g_strdup (code);
}

static char *
permalink_for (SmSandboxPost *post)
{
  return g_strdup_printf ("https://www.threads.com/@%s/post/%s", TH_USERNAME, post->extra);
}

/* As the listing names it: TEXT_POST, IMAGE, VIDEO or CAROUSEL_ALBUM. */
static const char *
media_type_of (SmSandboxPost *post)
{
  SmSandboxMedia *first;

  if (post->media == NULL || post->media->len == 0)
    return "TEXT_POST";
  if (post->media->len > 1)
    return "CAROUSEL_ALBUM";
  first = g_ptr_array_index (post->media, 0);
  return strcmp (first->kind, "video") == 0 ? "VIDEO" : "IMAGE";
}

static JsonObject *
media_to_object (SmSandboxPost *post,
                 GPtrArray     *fields)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", post->id);
  if (_sm_sandbox_fields_has (fields, "permalink"))
    {
      g_autofree char *permalink = permalink_for (post);

      json_object_set_string_member (object, "permalink", permalink);
    }
  if (_sm_sandbox_fields_has (fields, "shortcode"))
    json_object_set_string_member (object, "shortcode", post->extra);
  if (_sm_sandbox_fields_has (fields, "timestamp"))
    {
      g_autofree char *timestamp = format_timestamp (post->received_us);

      json_object_set_string_member (object, "timestamp", timestamp);
    }
  if (_sm_sandbox_fields_has (fields, "text"))
    json_object_set_string_member (object, "text", post->text);
  if (_sm_sandbox_fields_has (fields, "media_type"))
    json_object_set_string_member (object, "media_type", media_type_of (post));
  if (_sm_sandbox_fields_has (fields, "media_product_type"))
    json_object_set_string_member (object, "media_product_type", "THREADS");
  if (_sm_sandbox_fields_has (fields, "username"))
    json_object_set_string_member (object, "username", TH_USERNAME);
  if (_sm_sandbox_fields_has (fields, "owner"))
    {
      JsonObject *owner = json_object_new ();

      json_object_set_string_member (owner, "id", post->account);
      json_object_set_object_member (object, "owner", owner);
    }
  if (_sm_sandbox_fields_has (fields, "is_quote_post"))
    json_object_set_boolean_member (object, "is_quote_post", FALSE);
  return object;
}

static const char *
container_status (Container *container)
{
  if (container->media_id != NULL)
    return "PUBLISHED";
  if (container->error_message != NULL)
    return "ERROR";
  if (g_get_real_time () - container->created_us > TH_CONTAINER_LIFETIME_US)
    return "EXPIRED";
  if (container->fetching)
    return "IN_PROGRESS";
  /* Text and carousels need no processing; media once fetched. */
  return "FINISHED";
}

static guint
published_in_last_day (SmSandbox  *sandbox,
                       const char *user)
{
  g_autoptr(GPtrArray) posts = _sm_sandbox_posts_of (sandbox, TH_NETWORK, user);
  gint64 since = g_get_real_time () - (gint64) TH_QUOTA_DURATION_S * G_USEC_PER_SEC;
  guint count = 0;

  /* Replies have a quota of their own (reply_quota_usage). */
  for (guint i = 0; i < posts->len; i++)
    if (((SmSandboxPost *) g_ptr_array_index (posts, i))->received_us >= since
        && ((SmSandboxPost *) g_ptr_array_index (posts, i))->reply_to == NULL)
      count++;
  return count;
}

/* ---- OAuth ------------------------------------------------------------- */

static void
authorize_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  static const SmSandboxAuthorizeSpec spec = {
    .network = TH_NETWORK,
    .code_suffix = "#_",
  };

  _sm_sandbox_authorize (req, &spec);
}

static void
respond_long_lived (SmSandboxRequest *req,
                    SmSandboxToken   *token)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "access_token", token->token);
  json_object_set_string_member (object, "token_type", "bearer");
  json_object_set_int_member (object, "expires_in", TH_LONG_LIFETIME_S);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
exchange (SmSandboxRequest *req)
{
  const char *client_secret = _sm_sandbox_request_param (req, "client_secret");
  const char *string = _sm_sandbox_request_param (req, "access_token");
  SmSandboxToken *short_lived, *token;

  if (g_strcmp0 (_sm_sandbox_request_param (req, "grant_type"), "th_exchange_token") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) grant_type must be th_exchange_token");
      return;
    }
  if (client_secret == NULL || *client_secret == '\0')
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter client_secret is required");
      return;
    }
  if (string == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter access_token is required");
      return;
    }
  short_lived = _sm_sandbox_token_lookup (req->sandbox, TH_NETWORK, string);
  if (short_lived == NULL || strcmp (short_lived->kind, "access") != 0 ||
      short_lived->state != SM_SANDBOX_TOKEN_VALID)
    {
      _sm_sandbox_graph_token_error (req, short_lived);
      return;
    }
  if (strcmp (short_lived->type, "short-lived") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) Only a short-lived token can be exchanged for a long-lived one");
      return;
    }

  token = _sm_sandbox_token_issue (req->sandbox, TH_NETWORK, "access", "long-lived", short_lived->account,
                                   short_lived->scope, short_lived->client_id, short_lived->grant,
                                   TH_LONG_LIFETIME_S);
  _sm_sandbox_token_pair (token, NULL);
  respond_long_lived (req, token);
}

static void
access_token_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  const char *grant_type = _sm_sandbox_request_param (req, "grant_type");
  const char * const required[] = { "client_id", "client_secret", "grant_type", "redirect_uri", "code", NULL };
  const char *client_id;
  const SmSandboxCode *stored = NULL;
  SmSandboxToken *token;
  JsonObject *object;

  /* Some clients exchange on /oauth/access_token too. */
  if (g_strcmp0 (grant_type, "th_exchange_token") == 0)
    {
      exchange (req);
      return;
    }

  for (guint i = 0; required[i] != NULL; i++)
    {
      const char *value = _sm_sandbox_request_param (req, required[i]);

      if (value == NULL || *value == '\0')
        {
          g_autofree char *message = g_strdup_printf ("(#100) The parameter %s is required", required[i]);

          _sm_sandbox_graph_error (req, 400, 100, 0, message);
          return;
        }
    }
  if (strcmp (grant_type, "authorization_code") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Unsupported grant_type");
      return;
    }

  client_id = _sm_sandbox_request_param (req, "client_id");
  switch (_sm_sandbox_code_redeem (req->sandbox, TH_NETWORK, _sm_sandbox_request_param (req, "code"), &stored))
    {
    case SM_SANDBOX_CODE_OK:
      break;
    case SM_SANDBOX_CODE_USED:
      _sm_sandbox_graph_error (req, 400, 100, 36009, "This authorization code has been used.");
      return;
    case SM_SANDBOX_CODE_EXPIRED:
      _sm_sandbox_graph_error (req, 400, 100, 36007, "This authorization code has expired.");
      return;
    case SM_SANDBOX_CODE_UNKNOWN:
    default:
      _sm_sandbox_graph_error (req, 400, 100, 0, "Invalid authorization code.");
      return;
    }
  if (strcmp (stored->client_id, client_id) != 0)
    {
      _sm_sandbox_graph_error (req, 400, 101, 0, "Error validating application. Invalid application ID.");
      return;
    }
  if (strcmp (stored->redirect_uri, _sm_sandbox_request_param (req, "redirect_uri")) != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 36008,
                               "Error validating verification code. Please make sure your "
                               "redirect_uri is identical to the one you used in the OAuth "
                               "dialog request");
      return;
    }
  if (stored->challenge != NULL &&
      !_sm_sandbox_pkce_check (stored->challenge, _sm_sandbox_request_param (req, "code_verifier")))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "Invalid code verifier.");
      return;
    }

  token = _sm_sandbox_token_issue (req->sandbox, TH_NETWORK, "access", "short-lived", TH_USER_ID,
                                   stored->scope, client_id, 0, TH_SHORT_LIFETIME_S);
  _sm_sandbox_token_pair (token, NULL);
  object = json_object_new ();
  json_object_set_string_member (object, "access_token", token->token);
  /* A number, as Threads sends it. */
  json_object_set_int_member (object, "user_id", g_ascii_strtoll (TH_USER_ID, NULL, 10));
  _sm_sandbox_respond_object (req, 200, object);
}

static void
exchange_cb (SmSandboxRequest *req,
             gpointer          user_data)
{
  exchange (req);
}

static void
refresh_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  const char *string = _sm_sandbox_request_param (req, "access_token");
  SmSandboxToken *old, *token;

  if (g_strcmp0 (_sm_sandbox_request_param (req, "grant_type"), "th_refresh_token") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) grant_type must be th_refresh_token");
      return;
    }
  if (string == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter access_token is required");
      return;
    }
  old = _sm_sandbox_token_lookup (req->sandbox, TH_NETWORK, string);
  /* An expired long-lived token cannot be refreshed: the user logs in again. */
  if (old == NULL || strcmp (old->kind, "access") != 0 || old->state != SM_SANDBOX_TOKEN_VALID)
    {
      _sm_sandbox_graph_token_error (req, old);
      return;
    }
  if (strcmp (old->type, "long-lived") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Only a long-lived token can be refreshed");
      return;
    }

  token = _sm_sandbox_token_issue (req->sandbox, TH_NETWORK, "access", "long-lived", old->account,
                                   old->scope, old->client_id, old->grant, TH_LONG_LIFETIME_S);
  _sm_sandbox_token_pair (token, NULL);
  respond_long_lived (req, token);
}

/* ---- the profile ------------------------------------------------------- */

static void
respond_user (SmSandboxRequest *req)
{
  g_autoptr(GPtrArray) fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  const char *unknown = unknown_field (fields, user_fields);
  JsonObject *object;

  if (unknown != NULL)
    {
      nonexisting_field (req, unknown, "User");
      return;
    }
  object = json_object_new ();
  json_object_set_string_member (object, "id", TH_USER_ID);
  if (_sm_sandbox_fields_has (fields, "username"))
    json_object_set_string_member (object, "username", TH_USERNAME);
  if (_sm_sandbox_fields_has (fields, "name"))
    json_object_set_string_member (object, "name", TH_NAME);
  if (_sm_sandbox_fields_has (fields, "threads_profile_picture_url"))
    json_object_set_string_member (object, "threads_profile_picture_url",
                                   "https://scontent.cdninstagram.com/sandbox/profile.jpg");
  if (_sm_sandbox_fields_has (fields, "threads_biography"))
    json_object_set_string_member (object, "threads_biography", "A stand-in profile for tests.");
  _sm_sandbox_respond_object (req, 200, object);
}

static void
me_cb (SmSandboxRequest *req,
       gpointer          user_data)
{
  if (authenticate (req, NULL, TRUE) != NULL)
    respond_user (req);
}

/* ---- publishing -------------------------------------------------------- */

static void
fetch_done_cb (SmSandbox    *sandbox,
               guint         status,
               guint64       bytes,
               const char   *sha256,
               const char   *content_type,
               const GError *error,
               gpointer      user_data)
{
  Fetching *fetching = user_data;
  Container *container = g_hash_table_lookup (fetching->state->containers, fetching->id);
  gboolean video;
  gboolean right_type;

  if (container == NULL)
    return;   /* reset meanwhile */
  container->fetching = FALSE;
  video = container->kind == KIND_VIDEO;
  if (video)
    right_type = g_strcmp0 (content_type, "video/mp4") == 0 ||
                 g_strcmp0 (content_type, "video/quicktime") == 0;
  else
    right_type = g_strcmp0 (content_type, "image/jpeg") == 0 ||
                 g_strcmp0 (content_type, "image/png") == 0;

  if (status != SOUP_STATUS_OK || sha256 == NULL)
    {
      g_debug ("Threads container %s: fetching its %s failed (%u%s%s)", container->id,
               video ? "video" : "image", status, error ? ": " : "", error ? error->message : "");
      container->error_message = g_strdup (video ? "FAILED_DOWNLOADING_VIDEO" : "UNKNOWN");
    }
  else if (!right_type)
    {
      g_debug ("Threads container %s: fetched %s, not a %s", container->id,
               content_type != NULL ? content_type : "no Content-Type", video ? "video" : "image");
      container->error_message = g_strdup (video ? "FAILED_PROCESSING_VIDEO" : "UNKNOWN");
    }
  else
    {
      container->bytes = bytes;
      container->sha256 = g_strdup (sha256);
    }
}

/* "true"/"false" (and 1/0) as Graph takes booleans; -1 when neither. */
static int
parse_bool (const char *value)
{
  if (value == NULL)
    return 0;
  if (strcmp (value, "true") == 0 || strcmp (value, "1") == 0)
    return 1;
  if (strcmp (value, "false") == 0 || strcmp (value, "0") == 0)
    return 0;
  return -1;
}

static void
param_not_allowed (SmSandboxRequest *req,
                   const char       *param,
                   const char       *media_type)
{
  g_autofree char *message = g_strdup_printf ("(#100) Param %s is not allowed for media_type %s",
                                              param, media_type);

  _sm_sandbox_graph_error (req, 400, 100, 0, message);
}

static void
param_required (SmSandboxRequest *req,
                const char       *param,
                const char       *media_type)
{
  g_autofree char *message = g_strdup_printf ("(#100) The parameter %s is required for %s posts",
                                              param, media_type);

  _sm_sandbox_graph_error (req, 400, 100, 0, message);
}

/* The children of a CAROUSEL: 2-20 distinct FINISHED carousel items of
 * @user (one that went out in a published carousel is PUBLISHED, so it
 * cannot go out twice).  NULL after answering. */
static GPtrArray *
take_children (SmSandboxRequest *req,
               ThreadsState     *state,
               const char       *user,
               const char       *list)
{
  g_auto(GStrv) ids = g_strsplit (list, ",", -1);
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  guint n = g_strv_length (ids);

  if (n < TH_CAROUSEL_MIN || n > TH_CAROUSEL_MAX)
    {
      g_autofree char *message =
        g_strdup_printf ("(#100) A carousel takes %d to %d children; %u were given",
                         TH_CAROUSEL_MIN, TH_CAROUSEL_MAX, n);

      _sm_sandbox_graph_error (req, 400, 100, 0, message);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *id = g_strstrip (ids[i]);
      Container *child = g_hash_table_lookup (state->containers, id);

      if (child == NULL || strcmp (child->user, user) != 0)
        {
          unsupported_request (req, id);
          return NULL;
        }
      if (!child->carousel_item)
        {
          g_autofree char *message =
            g_strdup_printf ("(#100) Container %s was not created with is_carousel_item=true", id);

          _sm_sandbox_graph_error (req, 400, 100, 0, message);
          return NULL;
        }
      if (g_ptr_array_find_with_equal_func (children, id, g_str_equal, NULL))
        {
          g_autofree char *message =
            g_strdup_printf ("(#100) Container %s is given twice", id);

          _sm_sandbox_graph_error (req, 400, 100, 0, message);
          return NULL;
        }
      if (strcmp (container_status (child), "FINISHED") != 0)
        {
          g_autofree char *message =
            g_strdup_printf ("(#100) Carousel item %s is %s; only FINISHED items can be added",
                             id, container_status (child));

          _sm_sandbox_graph_error (req, 400, 100, 0, message);
          return NULL;
        }
      g_ptr_array_add (children, g_strdup (id));
    }
  return g_steal_pointer (&children);
}

static void
create_container_cb (SmSandboxRequest *req,
                     gpointer          user_data)
{
  ThreadsState *state = user_data;
  SmSandboxToken *token = authenticate (req, "threads_content_publish", FALSE);
  const char *user = _sm_sandbox_request_arg (req, 0);
  const char *media_type = _sm_sandbox_request_param (req, "media_type");
  const char *text = _sm_sandbox_request_param (req, "text");
  const char *reply_to = _sm_sandbox_request_param (req, "reply_to_id");
  const char *reply_control = _sm_sandbox_request_param (req, "reply_control");
  const char *image_url = _sm_sandbox_request_param (req, "image_url");
  const char *video_url = _sm_sandbox_request_param (req, "video_url");
  const char *children_list = _sm_sandbox_request_param (req, "children");
  int carousel_item = parse_bool (_sm_sandbox_request_param (req, "is_carousel_item"));
  g_autoptr(GPtrArray) children = NULL;
  ContainerKind kind;
  Container *container;
  JsonObject *object;

  if (token == NULL)
    return;
  if (!is_own_user (token, user))
    {
      unsupported_request (req, user);
      return;
    }
  if (media_type == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter media_type is required");
      return;
    }
  if (strcmp (media_type, "TEXT") == 0)
    kind = KIND_TEXT;
  else if (strcmp (media_type, "IMAGE") == 0)
    kind = KIND_IMAGE;
  else if (strcmp (media_type, "VIDEO") == 0)
    kind = KIND_VIDEO;
  else if (strcmp (media_type, "CAROUSEL") == 0)
    kind = KIND_CAROUSEL;
  else
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}");
      return;
    }

  /* Each kind takes its own parameters and no other's. */
  if (carousel_item < 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param is_carousel_item must be a boolean");
      return;
    }
  if (image_url != NULL && kind != KIND_IMAGE)
    {
      param_not_allowed (req, "image_url", media_type);
      return;
    }
  if (video_url != NULL && kind != KIND_VIDEO)
    {
      param_not_allowed (req, "video_url", media_type);
      return;
    }
  if (children_list != NULL && kind != KIND_CAROUSEL)
    {
      param_not_allowed (req, "children", media_type);
      return;
    }
  if (carousel_item && (kind == KIND_TEXT || kind == KIND_CAROUSEL))
    {
      param_not_allowed (req, "is_carousel_item", media_type);
      return;
    }
  if (kind == KIND_TEXT && (text == NULL || *text == '\0'))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter text is required for TEXT posts");
      return;
    }
  if (kind == KIND_IMAGE && (image_url == NULL || *image_url == '\0'))
    {
      param_required (req, "image_url", media_type);
      return;
    }
  if (kind == KIND_VIDEO && (video_url == NULL || *video_url == '\0'))
    {
      param_required (req, "video_url", media_type);
      return;
    }
  if (kind == KIND_CAROUSEL && (children_list == NULL || *children_list == '\0'))
    {
      param_required (req, "children", media_type);
      return;
    }
  /* A carousel item is only a file: what is said goes on the carousel. */
  if (carousel_item && (text != NULL || reply_to != NULL || reply_control != NULL))
    {
      param_not_allowed (req, text != NULL ? "text" : reply_to != NULL ? "reply_to_id" : "reply_control",
                         "carousel items");
      return;
    }
  if (text != NULL && g_utf8_strlen (text, -1) > TH_MAX_TEXT)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param text must be at most 500 characters long.");
      return;
    }
  if (reply_control != NULL && !g_strv_contains (reply_controls, reply_control))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) Param reply_control must be one of {everyone, accounts_you_follow, "
                               "mentioned_only, parent_post_author_only, followers_only}");
      return;
    }
  if (reply_to != NULL && _sm_sandbox_post_lookup (req->sandbox, TH_NETWORK, reply_to) == NULL)
    {
      unsupported_request (req, reply_to);
      return;
    }
  /* Replying takes threads_manage_replies. */
  if (reply_to != NULL && !_sm_sandbox_scope_has (token->scope, "threads_manage_replies"))
    {
      missing_permission (req);
      return;
    }
  if (kind == KIND_CAROUSEL &&
      (children = take_children (req, state, token->account, children_list)) == NULL)
    return;

  container = g_new0 (Container, 1);
  container->id = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                   G_GUINT64_CONSTANT (17800000000000000) + _sm_sandbox_next_serial (req->sandbox));
  container->user = g_strdup (token->account);
  container->text = g_strdup (text);
  container->reply_to = g_strdup (reply_to);
  container->created_us = g_get_real_time ();
  container->kind = kind;
  container->carousel_item = carousel_item;
  g_hash_table_insert (state->containers, container->id, container);

  container->children = g_steal_pointer (&children);
  if (kind == KIND_IMAGE || kind == KIND_VIDEO)
    {
      Fetching *fetching = g_new0 (Fetching, 1);

      fetching->state = state;
      fetching->id = g_strdup (container->id);
      container->fetching = TRUE;
      _sm_sandbox_fetch (req->sandbox, kind == KIND_IMAGE ? image_url : video_url,
                         fetch_done_cb, fetching, fetching_free);
    }

  object = json_object_new ();
  json_object_set_string_member (object, "id", container->id);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
add_container_media (SmSandboxPost *post,
                     Container     *container)
{
  _sm_sandbox_post_add_media (post, container->kind == KIND_VIDEO ? "video" : "image",
                              container->bytes, container->sha256);
}

static void
publish_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  ThreadsState *state = user_data;
  SmSandboxToken *token = authenticate (req, "threads_content_publish", FALSE);
  const char *user = _sm_sandbox_request_arg (req, 0);
  const char *creation_id = _sm_sandbox_request_param (req, "creation_id");
  Container *container;
  SmSandboxPost *post;
  const char *status;
  guint64 serial;
  JsonObject *object;

  if (token == NULL)
    return;
  if (!is_own_user (token, user))
    {
      unsupported_request (req, user);
      return;
    }
  if (creation_id == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter creation_id is required");
      return;
    }
  container = g_hash_table_lookup (state->containers, creation_id);
  if (container == NULL || strcmp (container->user, token->account) != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Media ID is not available");
      return;
    }
  if (container->media_id != NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) This container has already been published");
      return;
    }
  if (container->carousel_item)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) A carousel item cannot be published on its own; publish its carousel");
      return;
    }
  status = container_status (container);
  if (strcmp (status, "EXPIRED") == 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) The container expired: it was not published within 24 hours");
      return;
    }
  if (strcmp (status, "FINISHED") != 0)
    {
      /* Meta's "not ready" for a container still at work or failed. */
      _sm_sandbox_graph_error (req, 400, 9007, 2207027,
                               "(#9007) Media ID is not available: the media is not ready for publishing");
      return;
    }
  if (published_in_last_day (req->sandbox, token->account) >= state->quota_total)
    {
      g_autofree char *message = g_strdup_printf ("(#4) Publishing limit reached: %u posts per 24 hours",
                                                  state->quota_total);

      _sm_sandbox_graph_error (req, 400, 4, 0, message);
      return;
    }

  serial = _sm_sandbox_next_serial (req->sandbox);
  container->media_id = g_strdup_printf ("%" G_GUINT64_FORMAT, G_GUINT64_CONSTANT (18000000000000000) + serial);
  post = _sm_sandbox_post_add (req->sandbox, TH_NETWORK, token->account, container->media_id,
                               container->text != NULL ? container->text : "");
  post->reply_to = g_strdup (container->reply_to);
  post->extra = shortcode_for (serial);
  if (container->kind == KIND_IMAGE || container->kind == KIND_VIDEO)
    add_container_media (post, container);
  for (guint i = 0; container->children != NULL && i < container->children->len; i++)
    {
      Container *child = g_hash_table_lookup (state->containers,
                                              g_ptr_array_index (container->children, i));

      add_container_media (post, child);
      g_free (child->media_id);
      child->media_id = g_strdup (container->media_id);
    }

  object = json_object_new ();
  json_object_set_string_member (object, "id", container->media_id);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
list_threads_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, NULL, FALSE);
  const char *user = _sm_sandbox_request_arg (req, 0);
  const char *limit_text = _sm_sandbox_request_param (req, "limit");
  const char *since_text = _sm_sandbox_request_param (req, "since");
  const char *until_text = _sm_sandbox_request_param (req, "until");
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  const char *unknown;
  guint64 limit = 25;
  gint64 since_us = 0, until_us = G_MAXINT64;
  JsonObject *object;
  JsonArray *data;

  if (token == NULL)
    return;
  if (!is_own_user (token, user))
    {
      unsupported_request (req, user);
      return;
    }
  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if ((unknown = unknown_field (fields, media_fields)) != NULL)
    {
      nonexisting_field (req, unknown, "ThreadsMedia");
      return;
    }
  if (limit_text != NULL && !g_ascii_string_to_unsigned (limit_text, 10, 1, 100, &limit, NULL))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param limit must be a number from 1 to 100");
      return;
    }
  if (since_text != NULL && (since_us = _sm_sandbox_parse_time_us (since_text)) < 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param since must be a unix timestamp or a date");
      return;
    }
  if (until_text != NULL && (until_us = _sm_sandbox_parse_time_us (until_text)) < 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param until must be a unix timestamp or a date");
      return;
    }

  posts = _sm_sandbox_posts_of (req->sandbox, TH_NETWORK, token->account);
  data = json_array_new ();
  for (guint i = 0; i < posts->len && json_array_get_length (data) < limit; i++)
    {
      SmSandboxPost *post = g_ptr_array_index (posts, i);

      /* Replies are listed under /replies, not /threads. */
      if (post->reply_to != NULL)
        continue;
      if (post->received_us / G_USEC_PER_SEC < since_us / G_USEC_PER_SEC ||
          post->received_us / G_USEC_PER_SEC > until_us / G_USEC_PER_SEC)
        continue;
      json_array_add_object_element (data, media_to_object (post, fields));
    }

  object = json_object_new ();
  json_object_set_array_member (object, "data", data);
  if (json_array_get_length (data) > 0)
    {
      JsonObject *paging = json_object_new ();
      JsonObject *cursors = json_object_new ();
      JsonArray *items = json_object_get_array_member (object, "data");
      JsonObject *first = json_array_get_object_element (items, 0);
      JsonObject *last = json_array_get_object_element (items, json_array_get_length (items) - 1);

      json_object_set_string_member (cursors, "before", json_object_get_string_member (first, "id"));
      json_object_set_string_member (cursors, "after", json_object_get_string_member (last, "id"));
      json_object_set_object_member (paging, "cursors", cursors);
      json_object_set_object_member (object, "paging", paging);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

static void
publishing_limit_cb (SmSandboxRequest *req,
                     gpointer          user_data)
{
  ThreadsState *state = user_data;
  SmSandboxToken *token = authenticate (req, NULL, FALSE);
  const char *user = _sm_sandbox_request_arg (req, 0);
  g_autoptr(GPtrArray) fields = NULL;
  gboolean all;
  JsonObject *object, *item;
  JsonArray *data;

  if (token == NULL)
    return;
  if (!is_own_user (token, user))
    {
      unsupported_request (req, user);
      return;
    }
  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  all = fields == NULL;

  item = json_object_new ();
  if (all || _sm_sandbox_fields_has (fields, "quota_usage"))
    json_object_set_int_member (item, "quota_usage", published_in_last_day (req->sandbox, token->account));
  if (all || _sm_sandbox_fields_has (fields, "config"))
    {
      JsonObject *config = json_object_new ();

      json_object_set_int_member (config, "quota_total", state->quota_total);
      json_object_set_int_member (config, "quota_duration", TH_QUOTA_DURATION_S);
      json_object_set_object_member (item, "config", config);
    }
  if (_sm_sandbox_fields_has (fields, "reply_quota_usage"))
    json_object_set_int_member (item, "reply_quota_usage", 0);
  if (_sm_sandbox_fields_has (fields, "reply_config"))
    {
      JsonObject *config = json_object_new ();

      json_object_set_int_member (config, "quota_total", 1000);
      json_object_set_int_member (config, "quota_duration", TH_QUOTA_DURATION_S);
      json_object_set_object_member (item, "reply_config", config);
    }
  data = json_array_new ();
  json_array_add_object_element (data, item);
  object = json_object_new ();
  json_object_set_array_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

/* GET /{id}: the user, a container or a published post. */
static void
node_cb (SmSandboxRequest *req,
         gpointer          user_data)
{
  ThreadsState *state = user_data;
  SmSandboxToken *token = authenticate (req, NULL, FALSE);
  const char *id = _sm_sandbox_request_arg (req, 0);
  g_autoptr(GPtrArray) fields = NULL;
  const char *unknown;
  Container *container;
  SmSandboxPost *post;

  if (token == NULL)
    return;
  if (strcmp (id, token->account) == 0)
    {
      respond_user (req);
      return;
    }

  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  container = g_hash_table_lookup (state->containers, id);
  if (container != NULL && strcmp (container->user, token->account) == 0)
    {
      JsonObject *object;

      if ((unknown = unknown_field (fields, container_fields)) != NULL)
        {
          nonexisting_field (req, unknown, "ThreadsMediaContainer");
          return;
        }
      object = json_object_new ();
      if (_sm_sandbox_fields_has (fields, "status"))
        json_object_set_string_member (object, "status", container_status (container));
      if (_sm_sandbox_fields_has (fields, "error_message") && container->error_message != NULL &&
          container->media_id == NULL)
        json_object_set_string_member (object, "error_message", container->error_message);
      json_object_set_string_member (object, "id", container->id);
      _sm_sandbox_respond_object (req, 200, object);
      return;
    }

  post = _sm_sandbox_post_lookup (req->sandbox, TH_NETWORK, id);
  if (post == NULL || strcmp (post->account, token->account) != 0)
    {
      unsupported_request (req, id);
      return;
    }
  if ((unknown = unknown_field (fields, media_fields)) != NULL)
    {
      nonexisting_field (req, unknown, "ThreadsMedia");
      return;
    }
  _sm_sandbox_respond_object (req, 200, media_to_object (post, fields));
}

static void
delete_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, NULL, FALSE);
  const char *id = _sm_sandbox_request_arg (req, 0);
  SmSandboxPost *post;
  JsonObject *object;

  if (token == NULL)
    return;
  post = _sm_sandbox_post_lookup (req->sandbox, TH_NETWORK, id);
  if (post == NULL || strcmp (post->account, token->account) != 0)
    {
      unsupported_request (req, id);
      return;
    }
  if (!_sm_sandbox_scope_has (token->scope, "threads_delete") &&
      !_sm_sandbox_scope_has (token->scope, "threads_content_publish"))
    {
      missing_permission (req);
      return;
    }
  post->deleted = TRUE;
  object = json_object_new ();
  json_object_set_boolean_member (object, "success", TRUE);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
graph_unknown_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  g_autofree char *message = g_strdup_printf ("Unknown path components: %s", req->path);

  _sm_sandbox_graph_error (req, 400, 2500, 0, message);
}

static void
site_not_found_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  _sm_sandbox_respond_page (req, 404, "This page isn’t available in the sandbox’s Threads.");
}

static void
hook_error (SmSandboxRequest *req,
            guint             status,
            const char       *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  _sm_sandbox_respond_object (req, status, object);
}

/* POST /__sandbox/threads/publishing-limit {"quota_total": N} (sm-sandbox.h). */
static void
publishing_limit_hook_cb (SmSandboxRequest *req,
                          gpointer          user_data)
{
  ThreadsState *state = user_data;
  JsonNode *root;
  JsonObject *object;
  JsonNode *total;

  root = _sm_sandbox_request_json (req);   /* borrowed */
  total = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
    ? json_object_get_member (json_node_get_object (root), "quota_total") : NULL;
  if (total == NULL ||
      json_node_get_value_type (total) != G_TYPE_INT64 ||
      json_node_get_int (total) < 0 || json_node_get_int (total) > G_MAXINT32)
    {
      hook_error (req, 400, "expected POST {\"quota_total\": N}, N from 0");
      return;
    }
  state->quota_total = (guint) json_node_get_int (total);

  object = json_object_new ();
  json_object_set_int_member (object, "quota_total", state->quota_total);
  json_object_set_int_member (object, "quota_usage",
                              published_in_last_day (state->sandbox, TH_USER_ID));
  _sm_sandbox_respond_object (req, 200, object);
}

void
_sm_sandbox_threads_register (SmSandbox *self)
{
  ThreadsState *state = g_new0 (ThreadsState, 1);

  state->sandbox = self;
  state->quota_total = TH_QUOTA_TOTAL;
  _sm_sandbox_add_hook (self, "POST", "threads/publishing-limit", publishing_limit_hook_cb, state);
  state->containers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) container_free);
  _sm_sandbox_add_module (self, state, threads_state_reset, threads_state_free);

  _sm_sandbox_add_route (self, authorize_hosts, "GET", "/oauth/authorize", authorize_cb, state);
  _sm_sandbox_add_route (self, authorize_hosts, "*", "/**", site_not_found_cb, state);

  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/oauth/access_token", access_token_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/oauth/access_token", access_token_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/access_token", exchange_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/refresh_access_token", refresh_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/me", me_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/threads", create_container_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*/threads", list_threads_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/threads_publish", publish_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*/threads_publishing_limit", publishing_limit_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*", node_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "DELETE", "/?v/*", delete_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "*", "/**", graph_unknown_cb, state);
}
