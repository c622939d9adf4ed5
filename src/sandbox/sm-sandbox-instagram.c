/* sm-sandbox-instagram.c — Instagram (API with Facebook Login) in the sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 3: Instagram business accounts live behind
 * Facebook pages (the Facebook module lists them as a page's
 * instagram_business_account), are used with that page's token (or the
 * user's), and publish through containers (3.1): POST /{ig-user-id}/media
 * makes one, GET /{container-id}?fields=status_code tells when it is
 * ready, POST /{ig-user-id}/media_publish makes it public.
 *
 *  - image_url / video_url are fetched (_sm_sandbox_fetch_head: through the
 *    sandbox itself, so a bucket of the sandbox's S3 module is reachable);
 *    the container is IN_PROGRESS until the fetch ends, then FINISHED with
 *    the fetched bytes' SHA-256, or ERROR: 2207077 when the fetch fails,
 *    2207005 when an image is not a JPEG, 2207009 when a feed image is
 *    outside 4:5 to 1.91:1.
 *  - upload_type=resumable containers answer {"id","uri"}; the video goes
 *    to POST https://rupload.facebook.com/ig-api-upload/v{N}/{container-id}
 *    with Authorization: OAuth {token}, offset: {bytes already sent} and
 *    file_size: {total}, the body the rest of the file, streamed (never held
 *    in memory); or a file_url header and no body, fetched as a video_url
 *    is.  A request cut short keeps what arrived; GET
 *    /{container-id}?fields=video_status answers uploading_phase
 *    .bytes_transferred, where the next upload must start.  A video that is
 *    not MP4 (no ftyp box) makes the container ERROR 2207026; otherwise it
 *    stays IN_PROGRESS for processing_polls status reads, then FINISHED.
 *  - media_publish refuses a container that is not FINISHED (9007 /
 *    2207027) and, past quota_total posts in 24 hours, answers 9 / 2207042;
 *    GET /{ig-user-id}/content_publishing_limit reports the usage.
 *  - Containers not published within 24 hours are EXPIRED.
 *
 * Every published post records its files in order (_sm_sandbox_post_add_media)
 * under network "instagram", account the IG user id.  graph.facebook.com is
 * shared with Facebook and WhatsApp: these routes are claimed, serving only
 * requests about an Instagram user, container or media.
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"

#define IG_NETWORK            "instagram"
#define FB_NETWORK            "facebook"
#define IG_MAX_CAPTION        2200
#define IG_MAX_HASHTAGS       30
#define IG_MIN_CHILDREN       2
#define IG_MAX_CHILDREN       10
#define IG_DEFAULT_QUOTA      100
#define IG_QUOTA_DURATION_S   86400
#define IG_CONTAINER_LIFE_US  G_TIME_SPAN_DAY
/* Enough of an image to find its size: JPEG frame headers come after
 * EXIF and ICC data, which fits in this for every camera we know. */
#define IG_IMAGE_HEAD         (256 * 1024)
/* 4:5 to 1.91:1, with the same 1% slack as the client's rule table. */
#define IG_MIN_ASPECT         (0.8 * 0.99)
#define IG_MAX_ASPECT         (1.91 * 1.01)

typedef struct
{
  const char *id;
  const char *username;
  const char *name;
  const char *page_id;   /* the Facebook page it is linked to */
} IgUser;

/* The first sandbox page ("Sandbox Bakery") has a business account; the
 * second ("Sandbox Bookshop") has none. */
static const IgUser ig_users[] = {
  { "17841400000000001", "sandboxbakery", "Sandbox Bakery", "109000000000001" },
};

typedef enum
{
  UPLOAD_NONE,       /* image_url / video_url, or a carousel */
  UPLOAD_WAITING,    /* resumable, bytes still to come */
  UPLOAD_DONE,
} UploadState;

typedef struct
{
  char        *id;
  char        *user;          /* IG user id */
  char        *media_type;    /* "IMAGE", "REELS", "STORIES", "VIDEO", "CAROUSEL" */
  char        *caption;
  gboolean     carousel_item;
  gboolean     is_video;
  gint64       created_us;

  /* the file */
  char        *status_code;   /* IN_PROGRESS, FINISHED, ERROR, PUBLISHED */
  char        *status;        /* the error, for ERROR */
  guint64      bytes;
  char        *sha256;
  guint        polls_left;    /* IN_PROGRESS reads left before FINISHED */

  /* resumable upload */
  UploadState  upload;
  guint64      file_size;
  guint64      stored;
  GChecksum   *checksum;
  guint8       head[12];

  GPtrArray   *children;      /* container ids, in order (CAROUSEL) */
  char        *media_id;      /* once published */
} Container;

typedef struct
{
  char   *id;
  char   *user;
  char   *media_type;
  char   *product;          /* "FEED", "REELS", "STORY" */
  char   *caption;
  char   *shortcode;
  gint64  published_us;
} Media;

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *containers;   /* id → Container */
  GHashTable *media;        /* id → Media */
  guint       generation;   /* bumped on reset: fetches of before are dropped */
  /* POST /__sandbox/instagram */
  gint64      quota_total;
  gboolean    linked;
  guint       processing_polls;
} IgState;

/* The module's state, for the functions the Facebook module and the hooks
 * call, kept on the sandbox object. */
#define IG_STATE_KEY "sm-sandbox-instagram"

static IgState *
state_of (SmSandbox *sandbox)
{
  return g_object_get_data (G_OBJECT (sandbox), IG_STATE_KEY);
}

static const char * const graph_hosts[] = { "graph.facebook.com", NULL };
static const char * const rupload_hosts[] = { "rupload.facebook.com", NULL };

static const char * const user_fields[] = {
  "id", "username", "name", "biography", "profile_picture_url", "followers_count",
  "follows_count", "media_count", "website", "ig_id", NULL
};
static const char * const container_fields[] = {
  "id", "status_code", "status", "video_status", "copyright_check_status", NULL
};
static const char * const media_fields[] = {
  "id", "caption", "media_type", "media_product_type", "media_url", "permalink", "shortcode",
  "timestamp", "username", "like_count", "comments_count", "is_comment_enabled", "owner",
  "children", "thumbnail_url", NULL
};

/* ---- state ------------------------------------------------------------- */

static void
container_free (Container *c)
{
  g_free (c->id);
  g_free (c->user);
  g_free (c->media_type);
  g_free (c->caption);
  g_free (c->status_code);
  g_free (c->status);
  g_free (c->sha256);
  g_clear_pointer (&c->checksum, g_checksum_free);
  g_clear_pointer (&c->children, g_ptr_array_unref);
  g_free (c->media_id);
  g_free (c);
}

static void
media_free (Media *m)
{
  g_free (m->id);
  g_free (m->user);
  g_free (m->media_type);
  g_free (m->product);
  g_free (m->caption);
  g_free (m->shortcode);
  g_free (m);
}

static void
ig_state_reset (gpointer data,
                gpointer sandbox)
{
  IgState *state = data;

  g_hash_table_remove_all (state->containers);
  g_hash_table_remove_all (state->media);
  state->generation++;
  state->quota_total = IG_DEFAULT_QUOTA;
  state->linked = TRUE;
  state->processing_polls = 1;
}

static void
ig_state_free (gpointer data)
{
  IgState *state = data;

  g_hash_table_unref (state->containers);
  g_hash_table_unref (state->media);
  g_free (state);
}

static const IgUser *
find_user (IgState    *state,
           const char *id)
{
  if (!state->linked)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (ig_users); i++)
    if (g_strcmp0 (ig_users[i].id, id) == 0)
      return &ig_users[i];
  return NULL;
}

static char *
new_id (IgState    *state,
        const char *prefix)
{
  return g_strdup_printf ("%s%012" G_GUINT64_FORMAT, prefix,
                          _sm_sandbox_next_serial (state->sandbox));
}

/* ---- errors -------------------------------------------------------------- */

static void
unsupported_request (SmSandboxRequest *req,
                     const char       *id)
{
  g_autofree char *method = g_ascii_strdown (req->method, -1);
  g_autofree char *message =
    g_strdup_printf ("Unsupported %s request. Object with ID '%s' does not exist, cannot be "
                     "loaded due to missing permissions, or does not support this operation. "
                     "Please read the Graph API documentation at "
                     "https://developers.facebook.com/docs/graph-api",
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
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    if (!g_strv_contains (known, g_ptr_array_index (fields, i)))
      return g_ptr_array_index (fields, i);
  return NULL;
}

static void
param_error (SmSandboxRequest *req,
             const char       *message)
{
  g_autofree char *text = g_strdup_printf ("(#100) %s", message);

  _sm_sandbox_graph_error (req, 400, 100, 0, text);
}

/* ---- tokens -------------------------------------------------------------- */

static gboolean
is_user_token (SmSandboxToken *token)
{
  return g_str_has_prefix (token->type, "user");
}

/* Who may act for @user: its page's token, or the token of the user who
 * runs that page (the sandbox's one user runs every page). */
static gboolean
token_may_use (SmSandboxToken *token,
               const IgUser   *user)
{
  return is_user_token (token) || g_strcmp0 (token->account, user->page_id) == 0;
}

/* The request's valid token for @user with @scope (NULL: instagram_basic
 * only), or NULL after answering the Graph error. */
static SmSandboxToken *
authenticate_for (SmSandboxRequest *req,
                  const IgUser     *user,
                  const char       *scope)
{
  SmSandboxToken *token = _sm_sandbox_graph_authenticate (req, FB_NETWORK, FALSE);

  if (token == NULL)
    return NULL;
  if (!token_may_use (token, user))
    {
      unsupported_request (req, user->id);
      return NULL;
    }
  if (!_sm_sandbox_scope_has (token->scope, "instagram_basic"))
    {
      _sm_sandbox_graph_error (req, 403, 10, 0,
                               "(#10) Application does not have permission for this action: "
                               "instagram_basic is required");
      return NULL;
    }
  if (scope != NULL && !_sm_sandbox_scope_has (token->scope, scope))
    {
      g_autofree char *message = g_strdup_printf ("(#10) Application does not have permission "
                                                  "for this action: %s is required", scope);

      _sm_sandbox_graph_error (req, 403, 10, 0, message);
      return NULL;
    }
  return token;
}

/* ---- containers ---------------------------------------------------------- */

static gboolean
container_expired (Container *c)
{
  return c->media_id == NULL && g_get_real_time () - c->created_us > IG_CONTAINER_LIFE_US;
}

static void
container_fail (Container  *c,
                int         subcode,
                const char *message)
{
  g_free (c->status_code);
  g_free (c->status);
  c->status_code = g_strdup ("ERROR");
  c->status = g_strdup_printf ("Error: %d %s", subcode, message);
}

static void
container_finish (Container  *c,
                  guint64     bytes,
                  const char *sha256)
{
  c->bytes = bytes;
  g_free (c->sha256);
  c->sha256 = g_strdup (sha256);
  g_free (c->status_code);
  c->status_code = g_strdup ("IN_PROGRESS");
}

/* The status as a reader sees it now; each read while a video is being
 * "processed" brings it closer to FINISHED. */
static const char *
container_read_status (IgState   *state,
                       Container *c,
                       gboolean   count_read)
{
  if (c->media_id != NULL)
    return "PUBLISHED";
  if (container_expired (c))
    return "EXPIRED";

  if (c->children != NULL)
    {
      gboolean all = TRUE;

      for (guint i = 0; i < c->children->len; i++)
        {
          Container *child = g_hash_table_lookup (state->containers,
                                                  g_ptr_array_index (c->children, i));
          const char *status = child != NULL ? container_read_status (state, child, count_read)
                                             : "ERROR";

          if (strcmp (status, "ERROR") == 0 || strcmp (status, "EXPIRED") == 0)
            {
              if (strcmp (c->status_code, "ERROR") != 0)
                container_fail (c, 2207004, "A carousel item failed; the carousel cannot be "
                                "published.");
              return "ERROR";
            }
          all &= strcmp (status, "FINISHED") == 0;
        }
      return all ? "FINISHED" : "IN_PROGRESS";
    }

  if (strcmp (c->status_code, "IN_PROGRESS") == 0 && c->sha256 != NULL)
    {
      if (c->polls_left == 0)
        {
          g_free (c->status_code);
          c->status_code = g_strdup ("FINISHED");
        }
      else if (count_read)
        c->polls_left--;
    }
  return c->status_code;
}

/* The size of a JPEG (its first frame header) or PNG (IHDR) in @head. */
static gboolean
image_size (GBytes *head,
            guint  *width,
            guint  *height)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (head, &len);

  if (len >= 24 && memcmp (d, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp (d + 12, "IHDR", 4) == 0)
    {
      *width = (guint) d[16] << 24 | (guint) d[17] << 16 | (guint) d[18] << 8 | d[19];
      *height = (guint) d[20] << 24 | (guint) d[21] << 16 | (guint) d[22] << 8 | d[23];
      return *width > 0 && *height > 0;
    }

  if (len < 4 || d[0] != 0xFF || d[1] != 0xD8)
    return FALSE;
  for (gsize i = 2; i + 9 < len;)
    {
      guint8 marker;
      gsize segment;

      if (d[i] != 0xFF)
        return FALSE;
      marker = d[i + 1];
      if (marker == 0xFF)
        {
          i++;
          continue;
        }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
        {
          i += 2;
          continue;
        }
      segment = (gsize) d[i + 2] << 8 | d[i + 3];
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
        {
          *height = (guint) d[i + 5] << 8 | d[i + 6];
          *width = (guint) d[i + 7] << 8 | d[i + 8];
          return *width > 0 && *height > 0;
        }
      i += 2 + segment;
    }
  return FALSE;
}

typedef struct
{
  IgState *state;
  char    *container_id;
  guint    generation;
} FetchJob;

static void
fetch_job_free (gpointer data)
{
  FetchJob *job = data;

  g_free (job->container_id);
  g_free (job);
}

static void
fetched_cb (SmSandbox    *sandbox,
            guint         status,
            guint64       bytes,
            const char   *sha256,
            const char   *content_type,
            GBytes       *head,
            const GError *error,
            gpointer      user_data)
{
  FetchJob *job = user_data;
  Container *c;
  gsize len = 0;
  const guint8 *data;

  if (job->generation != job->state->generation)
    return;
  c = g_hash_table_lookup (job->state->containers, job->container_id);
  if (c == NULL)
    return;

  if (sha256 == NULL || head == NULL)
    {
      g_autofree char *why = error != NULL ? g_strdup (error->message)
                                           : g_strdup_printf ("HTTP %u", status);
      g_autofree char *message =
        g_strdup_printf ("The media could not be fetched from the URI (%s). Make sure the URL "
                         "is public and valid.", why);

      g_debug ("instagram: fetch for container %s failed: %s", c->id, why);
      container_fail (c, 2207077, message);
      return;
    }

  data = g_bytes_get_data (head, &len);
  if (!c->is_video)
    {
      guint width = 0, height = 0;

      /* Instagram takes JPEG only (3.1). */
      if (len < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF)
        {
          container_fail (c, 2207005, "The image format is not supported. Only JPEG images "
                          "can be published.");
          return;
        }
      if (!image_size (head, &width, &height))
        {
          container_fail (c, 2207005, "The image could not be read.");
          return;
        }
      if (strcmp (c->media_type, "STORIES") != 0)
        {
          double ratio = (double) width / height;

          if (ratio < IG_MIN_ASPECT || ratio > IG_MAX_ASPECT)
            {
              g_autofree char *message =
                g_strdup_printf ("The submitted image with aspect ratio ('%u:%u') cannot be "
                                 "published. Please submit an image with a valid aspect ratio "
                                 "(4:5 to 1.91:1).", width, height);

              container_fail (c, 2207009, message);
              return;
            }
        }
      c->polls_left = 0;
    }
  else
    {
      if (len < 8 || memcmp (data + 4, "ftyp", 4) != 0)
        {
          container_fail (c, 2207026, "The video format is not supported. Upload an MP4 or "
                          "MOV file.");
          return;
        }
      c->polls_left = job->state->processing_polls;
    }
  container_finish (c, bytes, sha256);
}

static void
start_fetch (IgState    *state,
             Container  *c,
             const char *url)
{
  FetchJob *job = g_new0 (FetchJob, 1);

  job->state = state;
  job->container_id = g_strdup (c->id);
  job->generation = state->generation;
  _sm_sandbox_fetch_head (state->sandbox, url, c->is_video ? 16 : IG_IMAGE_HEAD, fetched_cb,
                          job, fetch_job_free);
}

static gboolean
param_true (SmSandboxRequest *req,
            const char       *name)
{
  const char *value = _sm_sandbox_request_param (req, name);

  return g_strcmp0 (value, "true") == 0 || g_strcmp0 (value, "1") == 0;
}

static guint
count_hashtags (const char *caption)
{
  guint n = 0;

  for (const char *p = caption; p != NULL && *p != '\0'; p++)
    if (*p == '#' && p[1] != '\0' && p[1] != ' ' && p[1] != '#')
      n++;
  return n;
}

/* POST /{ig-user-id}/media (3.1, step 1) */
static void
create_container_cb (SmSandboxRequest *req,
                     gpointer          user_data)
{
  IgState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  const IgUser *user = find_user (state, id);
  const char *media_type = _sm_sandbox_request_param (req, "media_type");
  const char *image_url = _sm_sandbox_request_param (req, "image_url");
  const char *video_url = _sm_sandbox_request_param (req, "video_url");
  const char *upload_type = _sm_sandbox_request_param (req, "upload_type");
  const char *caption = _sm_sandbox_request_param (req, "caption");
  const char *children = _sm_sandbox_request_param (req, "children");
  gboolean carousel_item = param_true (req, "is_carousel_item");
  gboolean resumable;
  Container *c;
  JsonObject *object;

  if (user == NULL)
    {
      unsupported_request (req, id);
      return;
    }
  if (authenticate_for (req, user, "instagram_content_publish") == NULL)
    return;

  if (media_type == NULL)
    media_type = "IMAGE";
  if (!g_strv_contains ((const char * const[]) { "IMAGE", "REELS", "STORIES", "VIDEO", "CAROUSEL",
                                                 NULL }, media_type))
    {
      param_error (req, "Param media_type must be one of {IMAGE, VIDEO, REELS, STORIES, "
                   "CAROUSEL}");
      return;
    }
  if (upload_type != NULL && strcmp (upload_type, "resumable") != 0)
    {
      param_error (req, "Param upload_type must be resumable");
      return;
    }
  resumable = upload_type != NULL;
  if (caption != NULL && g_utf8_strlen (caption, -1) > IG_MAX_CAPTION)
    {
      param_error (req, "The caption can be at most 2200 characters long.");
      return;
    }
  if (count_hashtags (caption) > IG_MAX_HASHTAGS)
    {
      param_error (req, "The caption can have at most 30 hashtags.");
      return;
    }

  c = g_new0 (Container, 1);
  c->user = g_strdup (user->id);
  c->media_type = g_strdup (media_type);
  c->carousel_item = carousel_item;
  c->created_us = g_get_real_time ();
  c->status_code = g_strdup ("IN_PROGRESS");

  if (strcmp (media_type, "CAROUSEL") == 0)
    {
      g_auto(GStrv) ids = NULL;

      if (image_url != NULL || video_url != NULL || resumable || carousel_item)
        {
          container_free (c);
          param_error (req, "A carousel takes children, not a file of its own.");
          return;
        }
      if (children == NULL || *children == '\0')
        {
          container_free (c);
          param_error (req, "The parameter children is required for a CAROUSEL container.");
          return;
        }
      ids = g_strsplit (children, ",", -1);
      if (g_strv_length (ids) < IG_MIN_CHILDREN || g_strv_length (ids) > IG_MAX_CHILDREN)
        {
          container_free (c);
          _sm_sandbox_graph_error (req, 400, 100, 2207024,
                                   "(#100) The carousel has too little or too many attachments: "
                                   "2 to 10 children are allowed.");
          return;
        }
      c->children = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; ids[i] != NULL; i++)
        {
          Container *child = g_hash_table_lookup (state->containers, g_strstrip (ids[i]));

          if (child == NULL || strcmp (child->user, user->id) != 0 || !child->carousel_item ||
              child->media_id != NULL)
            {
              g_autofree char *message = g_strdup_printf ("The child %s is not a carousel item "
                                                          "container of this account.", ids[i]);

              container_free (c);
              param_error (req, message);
              return;
            }
          for (guint j = 0; j < c->children->len; j++)
            if (strcmp (g_ptr_array_index (c->children, j), ids[i]) == 0)
              {
                container_free (c);
                param_error (req, "The same child is listed twice.");
                return;
              }
          g_ptr_array_add (c->children, g_strdup (ids[i]));
        }
      c->caption = g_strdup (caption);
    }
  else
    {
      gboolean wants_video = strcmp (media_type, "IMAGE") != 0;
      guint sources = (image_url != NULL) + (video_url != NULL) + resumable;

      if (children != NULL)
        {
          container_free (c);
          param_error (req, "Only a CAROUSEL container takes children.");
          return;
        }
      if (sources != 1)
        {
          container_free (c);
          param_error (req, sources == 0 ? "The parameter image_url or video_url is required."
                                         : "Give one of image_url, video_url or "
                                           "upload_type=resumable.");
          return;
        }
      if (strcmp (media_type, "STORIES") == 0)
        wants_video = image_url == NULL;
      if (wants_video && image_url != NULL)
        {
          container_free (c);
          param_error (req, "image_url cannot be used with this media_type; use video_url.");
          return;
        }
      if (!wants_video && strcmp (media_type, "IMAGE") == 0 && (video_url != NULL || resumable))
        {
          container_free (c);
          _sm_sandbox_graph_error (req, 400, 100, 2207023,
                                   "(#100) The media type is not supported: a video needs "
                                   "media_type REELS, STORIES, or VIDEO in a carousel.");
          return;
        }
      if (strcmp (media_type, "VIDEO") == 0 && !carousel_item)
        {
          container_free (c);
          _sm_sandbox_graph_error (req, 400, 100, 2207023,
                                   "(#100) The VIDEO media type is only for carousel items; "
                                   "use REELS.");
          return;
        }
      if (carousel_item && strcmp (media_type, "IMAGE") != 0 && strcmp (media_type, "VIDEO") != 0)
        {
          container_free (c);
          param_error (req, "A carousel item is an image or a VIDEO.");
          return;
        }
      if (carousel_item || strcmp (media_type, "STORIES") == 0)
        c->caption = NULL;     /* neither has a caption of its own */
      else
        c->caption = g_strdup (caption);
      c->is_video = wants_video;
      if (resumable)
        {
          c->upload = UPLOAD_WAITING;
          c->checksum = g_checksum_new (G_CHECKSUM_SHA256);
        }
    }

  c->id = new_id (state, "1789");
  g_hash_table_insert (state->containers, c->id, c);
  if (image_url != NULL || video_url != NULL)
    start_fetch (state, c, image_url != NULL ? image_url : video_url);

  object = json_object_new ();
  json_object_set_string_member (object, "id", c->id);
  if (resumable)
    {
      g_autofree char *uri = g_strdup_printf ("https://rupload.facebook.com/ig-api-upload/v21.0/%s",
                                              c->id);

      json_object_set_string_member (object, "uri", uri);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- the resumable upload ------------------------------------------------ */

typedef struct
{
  IgState   *state;
  char      *container_id;
  guint      generation;
  int        http_status;   /* 0: the body is taken */
  int        code;
  int        subcode;
  char      *message;
  char      *file_url;      /* the video by URL instead of in the body */
} RuploadSink;

static void
rupload_sink_free (gpointer data)
{
  RuploadSink *sink = data;

  g_free (sink->container_id);
  g_free (sink->message);
  g_free (sink->file_url);
  g_free (sink);
}

static RuploadSink *
rupload_refuse (RuploadSink *sink,
                int          http_status,
                int          code,
                const char  *message)
{
  sink->http_status = http_status;
  sink->code = code;
  sink->message = g_strdup (message);
  return sink;
}

static gboolean
parse_size (const char *text,
            guint64    *out)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, out, NULL);
}

/* When the headers are in: may this body be stored? */
static gpointer
rupload_begin (SmSandboxRequest *req,
               gpointer          user_data)
{
  IgState *state = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *id = _sm_sandbox_request_arg (req, 0);
  const char *auth = _sm_sandbox_request_header (req, "Authorization");
  RuploadSink *sink = g_new0 (RuploadSink, 1);
  SmSandboxToken *token = NULL;
  Container *c = g_hash_table_lookup (state->containers, id);
  const IgUser *user = c != NULL ? find_user (state, c->user) : NULL;
  guint64 offset, file_size;
  goffset length = -1;

  sink->state = state;
  sink->container_id = g_strdup (id);
  sink->generation = state->generation;

  /* rupload wants the token as "OAuth {token}" (3.1), not Bearer. */
  if (auth == NULL || g_ascii_strncasecmp (auth, "OAuth ", 6) != 0)
    return rupload_refuse (sink, 400, 190, "Invalid OAuth access token: send Authorization: "
                           "OAuth {access-token}.");
  token = _sm_sandbox_token_lookup (state->sandbox, FB_NETWORK, auth + 6);
  if (token == NULL || strcmp (token->kind, "access") != 0 ||
      token->state != SM_SANDBOX_TOKEN_VALID)
    {
      sink->http_status = 400;
      sink->code = 190;
      sink->subcode = token != NULL && token->state == SM_SANDBOX_TOKEN_EXPIRED ? 463 : 0;
      sink->message = g_strdup ("Error validating access token.");
      return sink;
    }
  if (c == NULL || user == NULL || !token_may_use (token, user) || c->upload == UPLOAD_NONE)
    return rupload_refuse (sink, 400, 100, "There is no resumable upload for this container.");
  if (c->upload == UPLOAD_DONE)
    return rupload_refuse (sink, 400, 100, "The video of this container has been uploaded "
                           "already.");
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  if (_sm_sandbox_request_header (req, "file_url") != NULL)
    {
      /* Or Meta fetches the video itself (3.1): no body then. */
      if (c->stored > 0 || length > 0)
        return rupload_refuse (sink, 400, 100, "With file_url the request has no body, and "
                               "the upload must not have started.");
      sink->file_url = g_strdup (_sm_sandbox_request_header (req, "file_url"));
      return sink;
    }
  if (!parse_size (_sm_sandbox_request_header (req, "offset"), &offset) ||
      !parse_size (_sm_sandbox_request_header (req, "file_size"), &file_size) || file_size == 0)
    return rupload_refuse (sink, 400, 100, "The offset and file_size headers are required.");
  if (c->file_size != 0 && file_size != c->file_size)
    return rupload_refuse (sink, 400, 100, "file_size differs from the one this upload "
                           "started with.");
  if (offset != c->stored)
    {
      g_autofree char *message =
        g_strdup_printf ("The upload starts at offset %" G_GUINT64_FORMAT " but %"
                         G_GUINT64_FORMAT " bytes were received; read video_status and resume "
                         "from uploading_phase.bytes_transferred.", offset, c->stored);

      return rupload_refuse (sink, 400, 100, message);
    }
  if (length < 0 || (guint64) length != file_size - offset)
    return rupload_refuse (sink, 400, 100, "The body must be the rest of the file: "
                           "Content-Length = file_size - offset.");

  c->file_size = file_size;
  return sink;
}

static void
rupload_chunk (gpointer      data,
               const guint8 *bytes,
               gsize         len)
{
  RuploadSink *sink = data;
  Container *c;

  if (sink->http_status != 0 || sink->generation != sink->state->generation)
    return;
  c = g_hash_table_lookup (sink->state->containers, sink->container_id);
  if (c == NULL || c->upload != UPLOAD_WAITING)
    return;
  /* Content-Length was checked, so this never runs past file_size. */
  for (gsize i = 0; i < len && c->stored + i < sizeof c->head; i++)
    c->head[c->stored + i] = bytes[i];
  g_checksum_update (c->checksum, bytes, len);
  c->stored += len;
}

static void
rupload_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  IgState *state = user_data;
  RuploadSink *sink = req->body_sink;
  Container *c;
  JsonObject *object;

  g_assert (sink != NULL);
  if (sink->http_status != 0)
    {
      _sm_sandbox_graph_error (req, sink->http_status, sink->code, sink->subcode, sink->message);
      return;
    }
  c = sink->generation == state->generation
      ? g_hash_table_lookup (state->containers, sink->container_id) : NULL;
  if (c == NULL)
    {
      unsupported_request (req, sink->container_id);
      return;
    }

  if (sink->file_url != NULL)
    {
      c->upload = UPLOAD_DONE;
      start_fetch (state, c, sink->file_url);
    }
  else if (c->upload == UPLOAD_WAITING && c->stored == c->file_size)
    {
      c->upload = UPLOAD_DONE;
      if (memcmp (c->head + 4, "ftyp", 4) != 0)
        container_fail (c, 2207026, "The video format is not supported. Upload an MP4 or MOV "
                        "file.");
      else
        {
          c->polls_left = state->processing_polls;
          container_finish (c, c->file_size, g_checksum_get_string (c->checksum));
        }
      g_debug ("instagram: upload of container %s complete, %" G_GUINT64_FORMAT " bytes",
               c->id, c->file_size);
    }

  object = json_object_new ();
  json_object_set_boolean_member (object, "success", TRUE);
  json_object_set_string_member (object, "message", "Upload successful.");
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- publishing ------------------------------------------------------------ */

/* Posts of @user published in the last @window_us (stories and carousels
 * count one each). */
static gint64
posts_within (IgState    *state,
              const char *user,
              gint64      since_us)
{
  g_autoptr(GPtrArray) posts = _sm_sandbox_posts_of (state->sandbox, IG_NETWORK, user);
  gint64 n = 0;

  for (guint i = 0; i < posts->len; i++)
    if (((SmSandboxPost *) g_ptr_array_index (posts, i))->received_us >= since_us)
      n++;
  return n;
}

static void
add_container_file (IgState       *state,
                    SmSandboxPost *post,
                    Container     *c)
{
  if (c->children != NULL)
    {
      for (guint i = 0; i < c->children->len; i++)
        {
          Container *child = g_hash_table_lookup (state->containers,
                                                  g_ptr_array_index (c->children, i));

          g_assert (child != NULL);
          add_container_file (state, post, child);
        }
      return;
    }
  _sm_sandbox_post_add_media (post, c->is_video ? "video" : "image", c->bytes, c->sha256);
}

static char *
shortcode_for (const char *id)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  guint64 n = g_ascii_strtoull (id, NULL, 10);
  GString *code = g_string_new ("C");

  for (int i = 0; i < 10; i++, n /= 64)
    g_string_append_c (code, alphabet[n % 64]);
  return g_string_free (code, FALSE);
}

static char *
media_permalink (Media *m)
{
  return g_strdup_printf ("https://www.instagram.com/%s/%s/",
                          strcmp (m->product, "REELS") == 0 ? "reel" : "p", m->shortcode);
}

/* POST /{ig-user-id}/media_publish?creation_id= (3.1, step 3) */
static void
publish_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  IgState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  const IgUser *user = find_user (state, id);
  const char *creation_id = _sm_sandbox_request_param (req, "creation_id");
  Container *c;
  const char *status;
  SmSandboxPost *post;
  Media *m;
  JsonObject *object;

  if (user == NULL)
    {
      unsupported_request (req, id);
      return;
    }
  if (authenticate_for (req, user, "instagram_content_publish") == NULL)
    return;
  if (creation_id == NULL)
    {
      param_error (req, "The parameter creation_id is required.");
      return;
    }
  c = g_hash_table_lookup (state->containers, creation_id);
  if (c == NULL || strcmp (c->user, user->id) != 0)
    {
      _sm_sandbox_graph_error (req, 400, 9004, 2207006,
                               "The media with the given creation_id was not found.");
      return;
    }
  if (c->carousel_item)
    {
      param_error (req, "A carousel item is published through its carousel.");
      return;
    }

  status = container_read_status (state, c, FALSE);
  if (strcmp (status, "PUBLISHED") == 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) This media has already been published.");
      return;
    }
  if (strcmp (status, "EXPIRED") == 0)
    {
      _sm_sandbox_graph_error (req, 400, 9004, 2207008,
                               "The media container has expired: it was not published within "
                               "24 hours. Create a new one.");
      return;
    }
  if (strcmp (status, "FINISHED") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 9007, 2207027,
                               "The media is not ready for publishing, please wait for a moment.");
      return;
    }
  if (_sm_sandbox_rate_limits_enabled (state->sandbox) &&
      posts_within (state, user->id, g_get_real_time () - (gint64) IG_QUOTA_DURATION_S * G_USEC_PER_SEC)
      >= state->quota_total)
    {
      _sm_sandbox_graph_error (req, 400, 9, 2207042,
                               "Application request limit reached: the maximum number of posts "
                               "published through the API in 24 hours was reached.");
      return;
    }

  m = g_new0 (Media, 1);
  m->id = new_id (state, "1790");
  m->user = g_strdup (user->id);
  m->media_type = g_strdup (c->children != NULL ? "CAROUSEL_ALBUM" : c->is_video ? "VIDEO" : "IMAGE");
  m->product = g_strdup (strcmp (c->media_type, "STORIES") == 0 ? "STORY"
                         : strcmp (c->media_type, "REELS") == 0 ? "REELS" : "FEED");
  m->caption = g_strdup (c->caption);
  m->shortcode = shortcode_for (m->id);
  m->published_us = g_get_real_time ();
  g_hash_table_insert (state->media, m->id, m);
  c->media_id = g_strdup (m->id);

  post = _sm_sandbox_post_add (state->sandbox, IG_NETWORK, user->id, m->id,
                               c->caption != NULL ? c->caption : "");
  post->extra = g_strdup (m->product);
  add_container_file (state, post, c);

  object = json_object_new ();
  json_object_set_string_member (object, "id", m->id);
  _sm_sandbox_respond_object (req, 200, object);
}

/* GET /{ig-user-id}/content_publishing_limit */
static void
publishing_limit_cb (SmSandboxRequest *req,
                     gpointer          user_data)
{
  IgState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  const IgUser *user = find_user (state, id);
  const char *since_text = _sm_sandbox_request_param (req, "since");
  g_autoptr(GPtrArray) fields = NULL;
  gint64 now = g_get_real_time ();
  gint64 since = now - (gint64) IG_QUOTA_DURATION_S * G_USEC_PER_SEC;
  const char *unknown;
  JsonObject *object, *item;
  JsonArray *data;

  if (user == NULL)
    {
      unsupported_request (req, id);
      return;
    }
  if (authenticate_for (req, user, "instagram_content_publish") == NULL)
    return;
  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if ((unknown = unknown_field (fields, (const char * const[]) { "quota_usage", "config", NULL }))
      != NULL)
    {
      nonexisting_field (req, unknown, "ContentPublishingLimitResponse");
      return;
    }
  if (since_text != NULL)
    {
      gint64 given = _sm_sandbox_parse_time_us (since_text);

      if (given < 0 || given < since - 60 * G_USEC_PER_SEC || given > now + 60 * G_USEC_PER_SEC)
        {
          param_error (req, "Param since must be a unix time within the last 24 hours.");
          return;
        }
      since = MAX (since, given);
    }

  item = json_object_new ();
  if (fields == NULL || _sm_sandbox_fields_has (fields, "quota_usage"))
    json_object_set_int_member (item, "quota_usage", posts_within (state, user->id, since));
  if (_sm_sandbox_fields_has (fields, "config"))
    {
      JsonObject *config = json_object_new ();

      json_object_set_int_member (config, "quota_total", state->quota_total);
      json_object_set_int_member (config, "quota_duration", IG_QUOTA_DURATION_S);
      json_object_set_object_member (item, "config", config);
    }
  data = json_array_new ();
  json_array_add_object_element (data, item);
  object = json_object_new ();
  json_object_set_array_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

static JsonObject *
media_to_object (Media     *m,
                 GPtrArray *fields)
{
  JsonObject *object = json_object_new ();
  g_autofree char *timestamp = _sm_sandbox_format_time (m->published_us, "%Y-%m-%dT%H:%M:%S+0000");

  if (_sm_sandbox_fields_has (fields, "caption") && m->caption != NULL)
    json_object_set_string_member (object, "caption", m->caption);
  if (_sm_sandbox_fields_has (fields, "media_type"))
    json_object_set_string_member (object, "media_type", m->media_type);
  if (_sm_sandbox_fields_has (fields, "media_product_type"))
    json_object_set_string_member (object, "media_product_type", m->product);
  if (_sm_sandbox_fields_has (fields, "permalink"))
    {
      g_autofree char *permalink = media_permalink (m);

      json_object_set_string_member (object, "permalink", permalink);
    }
  if (_sm_sandbox_fields_has (fields, "shortcode"))
    json_object_set_string_member (object, "shortcode", m->shortcode);
  if (_sm_sandbox_fields_has (fields, "timestamp"))
    json_object_set_string_member (object, "timestamp", timestamp);
  if (_sm_sandbox_fields_has (fields, "username"))
    {
      const IgUser *user = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (ig_users); i++)
        if (strcmp (ig_users[i].id, m->user) == 0)
          user = &ig_users[i];
      json_object_set_string_member (object, "username", user != NULL ? user->username : "");
    }
  json_object_set_string_member (object, "id", m->id);
  return object;
}

/* GET /{ig-user-id}/media and /{ig-user-id}/stories, newest first */
static void
list_media_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  IgState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  const IgUser *user = find_user (state, id);
  gboolean stories = g_str_has_suffix (req->path, "/stories");
  const char *limit_text = _sm_sandbox_request_param (req, "limit");
  const char *since_text = _sm_sandbox_request_param (req, "since");
  guint64 limit = 25;
  gint64 since = 0;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  const char *unknown;
  JsonObject *object;
  JsonArray *data;

  if (user == NULL)
    {
      unsupported_request (req, id);
      return;
    }
  if (authenticate_for (req, user, NULL) == NULL)
    return;
  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if ((unknown = unknown_field (fields, media_fields)) != NULL)
    {
      nonexisting_field (req, unknown, "IGMedia");
      return;
    }
  if (limit_text != NULL && !g_ascii_string_to_unsigned (limit_text, 10, 1, 100, &limit, NULL))
    {
      param_error (req, "Param limit must be a number from 1 to 100");
      return;
    }
  if (since_text != NULL && (since = _sm_sandbox_parse_time_us (since_text)) < 0)
    {
      param_error (req, "Param since must be a unix timestamp or a date");
      return;
    }

  posts = _sm_sandbox_posts_of (state->sandbox, IG_NETWORK, user->id);
  data = json_array_new ();
  for (guint i = 0; i < posts->len && json_array_get_length (data) < limit; i++)
    {
      SmSandboxPost *post = g_ptr_array_index (posts, i);
      Media *m = g_hash_table_lookup (state->media, post->id);

      if (m == NULL || (strcmp (m->product, "STORY") == 0) != stories)
        continue;
      /* Stories are listed for 24 hours. */
      if (stories && g_get_real_time () - m->published_us > G_TIME_SPAN_DAY)
        continue;
      if (m->published_us / G_USEC_PER_SEC < since / G_USEC_PER_SEC)
        continue;
      json_array_add_object_element (data, media_to_object (m, fields));
    }
  object = json_object_new ();
  json_object_set_array_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- nodes ----------------------------------------------------------------- */

static void
respond_user (SmSandboxRequest *req,
              IgState          *state,
              const IgUser     *user,
              GPtrArray        *fields)
{
  JsonObject *object = json_object_new ();
  const char *unknown = unknown_field (fields, user_fields);

  if (unknown != NULL)
    {
      json_object_unref (object);
      nonexisting_field (req, unknown, "IGUser");
      return;
    }
  if (_sm_sandbox_fields_has (fields, "username"))
    json_object_set_string_member (object, "username", user->username);
  if (_sm_sandbox_fields_has (fields, "name"))
    json_object_set_string_member (object, "name", user->name);
  if (_sm_sandbox_fields_has (fields, "profile_picture_url"))
    json_object_set_string_member (object, "profile_picture_url",
                                   "https://scontent.cdninstagram.com/sandbox/profile.jpg");
  if (_sm_sandbox_fields_has (fields, "followers_count"))
    json_object_set_int_member (object, "followers_count", 240);
  if (_sm_sandbox_fields_has (fields, "media_count"))
    {
      g_autoptr(GPtrArray) posts = _sm_sandbox_posts_of (state->sandbox, IG_NETWORK, user->id);

      json_object_set_int_member (object, "media_count", posts->len);
    }
  json_object_set_string_member (object, "id", user->id);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
respond_container (SmSandboxRequest *req,
                   IgState          *state,
                   Container        *c,
                   GPtrArray        *fields)
{
  JsonObject *object = json_object_new ();
  const char *unknown = unknown_field (fields, container_fields);
  const char *status;

  if (unknown != NULL)
    {
      json_object_unref (object);
      nonexisting_field (req, unknown, "ShadowIGMediaBuilder");
      return;
    }
  status = container_read_status (state, c, _sm_sandbox_fields_has (fields, "status_code"));
  if (_sm_sandbox_fields_has (fields, "status_code"))
    json_object_set_string_member (object, "status_code", status);
  if (_sm_sandbox_fields_has (fields, "status"))
    json_object_set_string_member (object, "status",
                                   strcmp (status, "ERROR") == 0 && c->status != NULL
                                   ? c->status : status);
  if (_sm_sandbox_fields_has (fields, "video_status") && c->upload != UPLOAD_NONE)
    {
      /* IGResumableVideoUploadStatus: where a resumed upload starts. */
      JsonObject *video_status = json_object_new ();
      JsonObject *uploading = json_object_new ();
      JsonObject *processing = json_object_new ();
      gboolean done = c->upload == UPLOAD_DONE;

      json_object_set_string_member (uploading, "status",
                                     done ? "complete" : c->stored > 0 ? "in_progress"
                                                                        : "not_started");
      json_object_set_int_member (uploading, "bytes_transferred", (gint64) c->stored);
      if (c->file_size > 0)
        json_object_set_int_member (uploading, "source_file_size", (gint64) c->file_size);
      json_object_set_string_member (processing, "status",
                                     !done ? "not_started"
                                     : strcmp (status, "ERROR") == 0 ? "error"
                                     : strcmp (status, "IN_PROGRESS") == 0 ? "in_progress"
                                                                          : "complete");
      json_object_set_object_member (video_status, "uploading_phase", uploading);
      json_object_set_object_member (video_status, "processing_phase", processing);
      json_object_set_object_member (object, "video_status", video_status);
    }
  json_object_set_string_member (object, "id", c->id);
  _sm_sandbox_respond_object (req, 200, object);
}

/* POST /{ig-media-id}/comments?message= (section 3.2): a comment by the
 * account under its own media; needs instagram_manage_comments. */
static void
comment_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  IgState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  const char *message = _sm_sandbox_request_param (req, "message");
  Media *m = g_hash_table_lookup (state->media, id);
  const IgUser *user = m != NULL ? find_user (state, m->user) : NULL;
  SmSandboxPost *post = m != NULL ? _sm_sandbox_post_lookup (state->sandbox, IG_NETWORK, m->id) : NULL;
  g_autofree char *comment_id = NULL;
  JsonObject *object;

  if (user == NULL || post == NULL || post->deleted)
    {
      unsupported_request (req, id);
      return;
    }
  if (authenticate_for (req, user, "instagram_manage_comments") == NULL)
    return;
  if (g_strcmp0 (m->product, "STORY") == 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Comments are not available on stories.");
      return;
    }
  if (message == NULL || *message == '\0')
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter message is required");
      return;
    }
  if (g_utf8_strlen (message, -1) > 2200)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param message must be at most 2200 characters long.");
      return;
    }

  comment_id = new_id (state, "1800");
  _sm_sandbox_post_add_comment (post, comment_id, user->id, message);
  object = json_object_new ();
  json_object_set_string_member (object, "id", comment_id);
  _sm_sandbox_respond_object (req, 200, object);
}

/* graph.facebook.com is Facebook's too: these routes serve only requests
 * about an Instagram user, container or media (claimed routes). */
static gboolean
claim_cb (SmSandboxRequest *req,
          gpointer          user_data)
{
  IgState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);

  return id != NULL && (find_user (state, id) != NULL ||
                        g_hash_table_contains (state->containers, id) ||
                        g_hash_table_contains (state->media, id));
}

/* GET /{id} of an IG user, container or media */
static void
node_cb (SmSandboxRequest *req,
         gpointer          user_data)
{
  IgState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  g_autoptr(GPtrArray) fields = NULL;
  const IgUser *user = find_user (state, id);
  Container *c = NULL;
  Media *m = NULL;

  if (user == NULL && (c = g_hash_table_lookup (state->containers, id)) == NULL)
    m = g_hash_table_lookup (state->media, id);
  if (user == NULL && (c != NULL || m != NULL))
    user = find_user (state, c != NULL ? c->user : m->user);
  if (user == NULL)
    {
      unsupported_request (req, id);
      return;
    }
  if (authenticate_for (req, user, NULL) == NULL)
    return;

  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if (c != NULL)
    respond_container (req, state, c, fields);
  else if (m != NULL)
    {
      const char *unknown = unknown_field (fields, media_fields);

      if (unknown != NULL)
        nonexisting_field (req, unknown, "IGMedia");
      else
        _sm_sandbox_respond_object (req, 200, media_to_object (m, fields));
    }
  else
    respond_user (req, state, user, fields);
}

const char *
_sm_sandbox_instagram_account_for_page (SmSandbox  *self,
                                        const char *page_id)
{
  IgState *state = state_of (self);

  if (state == NULL || !state->linked)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (ig_users); i++)
    if (g_strcmp0 (ig_users[i].page_id, page_id) == 0)
      return ig_users[i].id;
  return NULL;
}

/* ---- the test hook ----------------------------------------------------------- */

static void
hook_answer (SmSandboxRequest *req,
             IgState          *state)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "quota_total", state->quota_total);
  json_object_set_boolean_member (object, "linked", state->linked);
  json_object_set_int_member (object, "processing_polls", state->processing_polls);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
hook_refuse (SmSandboxRequest *req,
             const char       *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  _sm_sandbox_respond_object (req, 400, object);
}

/* GET and POST /__sandbox/instagram (sm-sandbox.h) */
static void
config_hook_cb (SmSandboxRequest *req,
                gpointer          user_data)
{
  IgState *state = user_data;
  JsonNode *root;
  JsonObject *object;

  if (strcmp (req->method, "GET") == 0)
    {
      hook_answer (req, state);
      return;
    }
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      hook_refuse (req, "expected {\"quota_total\":N, \"linked\":BOOL, \"processing_polls\":N}");
      return;
    }
  object = json_node_get_object (root);
  if (json_object_has_member (object, "quota_total"))
    {
      gint64 quota = json_object_get_int_member_with_default (object, "quota_total", -1);

      if (quota < 0)
        {
          hook_refuse (req, "quota_total must be 0 or more");
          return;
        }
      state->quota_total = quota;
    }
  if (json_object_has_member (object, "linked"))
    state->linked = json_object_get_boolean_member (object, "linked");
  if (json_object_has_member (object, "processing_polls"))
    {
      gint64 polls = json_object_get_int_member_with_default (object, "processing_polls", -1);

      if (polls < 0 || polls > 1000)
        {
          hook_refuse (req, "processing_polls must be 0 to 1000");
          return;
        }
      state->processing_polls = (guint) polls;
    }
  hook_answer (req, state);
}

void
_sm_sandbox_instagram_register (SmSandbox *self)
{
  IgState *state = g_new0 (IgState, 1);

  state->sandbox = self;
  state->containers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) container_free);
  state->media = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) media_free);
  ig_state_reset (state, self);
  g_object_set_data (G_OBJECT (self), IG_STATE_KEY, state);
  _sm_sandbox_add_module (self, state, ig_state_reset, ig_state_free);

  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/media", create_container_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*/media", list_media_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*/stories", list_media_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/media_publish", publish_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/comments", comment_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*/content_publishing_limit",
                         publishing_limit_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*", node_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_hook (self, "GET", IG_NETWORK, config_hook_cb, state);
  _sm_sandbox_add_hook (self, "POST", IG_NETWORK, config_hook_cb, state);
  _sm_sandbox_add_streaming_route (self, rupload_hosts, "POST", "/ig-api-upload/?v/*",
                                   rupload_begin, rupload_chunk, rupload_sink_free, rupload_cb,
                                   state);
}
