/* test-net-linkedin.c — LinkedIn posts with files, against the sandbox:
 * images as the member and as an organization, multi-part videos (a
 * failed part, a restarted publisher, expired upload URLs, a wrong ETag,
 * failed processing), rate limits, reconciliation, and the sandbox's own
 * strictness.
 *
 * The files are made at run time (GStreamer for the images and the MP4);
 * the sandbox's video part size is set through POST /__sandbox/linkedin so
 * that a video of a few hundred kilobytes goes up in several parts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-net-linkedin"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "sm-http.h"
#include "sm-platform.h"
#include "sm-platforms-private.h"
#include "sm-store.h"
#include "sm-test-net.h"
#include "sm-test-util.h"

#define CLIENT_ID     "sandbox-client"
#define CLIENT_SECRET "sandbox-secret"
#define REDIRECT_URI  "http://127.0.0.1:8765/callback"
#define API           "https://api.linkedin.com"
#define PERSON_URN    "urn:li:person:sbxQ7pL2mA"
#define ORG_URN       "urn:li:organization:90000001"
#define OTHER_ORG_URN "urn:li:organization:90000002"
#define VIDEO_PARTS   4

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmPublishResult, sm_publish_result_clear)

static struct
{
  SmTokens *tokens;
  char     *dir;
  char     *video;        /* an MP4 of several parts, or NULL */
  char     *images[3];    /* JPEG, PNG, JPEG */
  char     *skip;         /* why there are no files */
  guint     serial;
} fx;

static const SmClientCredentials creds = {
  .client_id = (char *) CLIENT_ID,
  .client_secret = (char *) CLIENT_SECRET,
};

/* ---- the sandbox ---------------------------------------------------------- */

/* Each test starts from a clean sandbox with small video parts and quick
 * processing; tokens stay. */
static void
sandbox_fresh (guint64 part_bytes)
{
  g_autoptr(JsonNode) reply = sm_test_net_hook ("POST", "reset", "{}");

  sm_test_net_hook_post ("linkedin", "{\"video_part_bytes\":%" G_GUINT64_FORMAT ",\"processing_ms\":300}",
                         part_bytes);
}

/* The requests the sandbox saw, as a new reference. */
static JsonArray *
requests (void)
{
  g_autoptr(JsonNode) node = sm_test_net_hook ("GET", "requests", NULL);

  return json_array_ref (json_node_get_array (node));
}

static guint
count_requests (const char *method,
                const char *path_glob,
                guint       status)
{
  g_autoptr(GPtrArray) found = sm_test_net_requests_since (0, method, NULL, path_glob);

  return status == 0 ? found->len : sm_test_net_count_status (found, status);
}

/* The one LinkedIn post the sandbox has, as a new reference (asserts one). */
static JsonNode *
only_post (void)
{
  g_autoptr(GPtrArray) posts = sm_test_net_posts ("linkedin");

  g_assert_cmpuint (posts->len, ==, 1);
  return json_node_ref (g_ptr_array_index (posts, 0));
}

static guint
count_posts (void)
{
  g_autoptr(GPtrArray) posts = sm_test_net_posts ("linkedin");

  return posts->len;
}

/* ---- connecting ------------------------------------------------------------ */

static void
connect_linkedin (void)
{
  SmPlatform *platform = sm_platform_get (SM_NETWORK_LINKEDIN);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = sm_test_net_pkce_verifier ();
  g_autofree char *challenge = sm_test_net_pkce_challenge (verifier);
  g_autofree char *url = sm_platform_build_authorize_url (platform, &creds, REDIRECT_URI, "st", challenge);
  g_autoptr(GHashTable) params = sm_test_net_consent (session, url, REDIRECT_URI, 0, NULL);
  g_autoptr(GPtrArray) accounts = NULL;
  gboolean member = FALSE, org = FALSE;

  accounts = sm_platform_exchange_code (platform, session, &creds, g_hash_table_lookup (params, "code"),
                                        REDIRECT_URI, verifier, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < accounts->len; i++)
    {
      SmAccountInfo *info = g_ptr_array_index (accounts, i);

      member |= g_strcmp0 (info->remote_id, PERSON_URN) == 0;
      org |= g_strcmp0 (info->remote_id, ORG_URN) == 0;
    }
  g_assert_true (member && org);
  fx.tokens = sm_tokens_copy (((SmAccountInfo *) g_ptr_array_index (accounts, 0))->tokens);
}

/* ---- files ------------------------------------------------------------------ */

/* DIR/@name made by gst-launch-1.0 from @pipeline, or NULL with @error. */
static char *
gst_make (const char *pipeline,
          const char *name,
          GError    **error)
{
  if (!sm_test_net_gst_launch (fx.dir, pipeline, name, error))
    return NULL;
  return g_build_filename (fx.dir, name, NULL);
}

static void
make_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *gst = g_find_program_in_path ("gst-launch-1.0");

  fx.dir = g_dir_make_tmp ("sm-test-linkedin-XXXXXX", &error);
  g_assert_no_error (error);
  if (gst == NULL)
    {
      fx.skip = g_strdup ("gst-launch-1.0 is not installed");
      return;
    }
  /* Noise, so that the MP4 is a few hundred kilobytes: over LinkedIn's
   * 75 KB minimum, in several parts. */
  fx.video = gst_make ("videotestsrc pattern=snow num-buffers=120 ! video/x-raw,width=320,height=240,"
                       "framerate=30/1,format=I420 ! x264enc speed-preset=ultrafast bitrate=800 "
                       "! mp4mux faststart=true", "clip.mp4", &error);
  if (fx.video != NULL)
    fx.images[0] = gst_make ("videotestsrc pattern=snow num-buffers=1 ! video/x-raw,width=320,height=240 "
                             "! jpegenc", "one.jpg", &error);
  if (fx.images[0] != NULL)
    fx.images[1] = gst_make ("videotestsrc pattern=smpte num-buffers=1 ! video/x-raw,width=320,height=240 "
                             "! pngenc", "two.png", &error);
  if (fx.images[1] != NULL)
    fx.images[2] = gst_make ("videotestsrc pattern=ball num-buffers=1 ! video/x-raw,width=240,height=320 "
                             "! jpegenc", "three.jpg", &error);
  if (error != NULL)
    fx.skip = g_strdup_printf ("cannot make the files: %s", error->message);
}

static gboolean
need_files (void)
{
  if (!sm_test_net_need_sandbox ())
    return FALSE;
  if (fx.skip != NULL)
    {
      g_test_skip (fx.skip);
      return FALSE;
    }
  return TRUE;
}

/* Bytes per part so that the video goes up in VIDEO_PARTS parts. */
static guint64
video_part_bytes (void)
{
  g_autoptr(SmPostMedia) video = sm_test_net_media_new (1, fx.video, "video/mp4");

  g_assert_cmpint (video->size_bytes, >=, 75000);
  return (guint64) video->size_bytes / VIDEO_PARTS + 1;
}

/* ---- the upload hooks, as the store keeps them -------------------------------- */

typedef struct
{
  SmTestUploads uploads;   /* first: the save callback casts */
  /* Cancel once a video part beyond this many bytes is saved (0: never). */
  GCancellable *cancel;
  gint64        cancel_after;
  /* Add this fault once every byte of a file is saved as sent (NULL: none). */
  const char   *fault_when_sent;
  gint64        fault_size;
} Hooks;

static void
hooks_saved (SmTestUploads *u,
             gint64         acknowledged,
             const char    *session,
             const char    *remote_media_id)
{
  Hooks *hooks = (Hooks *) u;

  if (hooks->cancel != NULL && hooks->cancel_after > 0 && acknowledged >= hooks->cancel_after &&
      remote_media_id == NULL)
    g_cancellable_cancel (hooks->cancel);
  if (hooks->fault_when_sent != NULL && acknowledged == hooks->fault_size && remote_media_id == NULL)
    {
      sm_test_net_add_fault ("%s", hooks->fault_when_sent);
      hooks->fault_when_sent = NULL;
    }
}

static void
hooks_init (Hooks *hooks)
{
  memset (hooks, 0, sizeof *hooks);
  sm_test_uploads_init (&hooks->uploads, NULL);
  hooks->uploads.on_save = hooks_saved;
}

static void
hooks_clear (Hooks *hooks)
{
  sm_test_uploads_clear (&hooks->uploads);
}

static gboolean
publish (const char       *author,
         const char       *text,
         GPtrArray        *media,
         Hooks            *hooks,
         GCancellable     *cancellable,
         SmPublishResult  *result,
         GError          **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmUploadHooks uploads;
  SmPublishRequest request = {
    .account_remote_id = author,
    .tokens = fx.tokens,
    .text = text,
    .not_before_us = g_get_real_time (),
    .media = media,
    .uploads = &uploads,
  };

  sm_test_uploads_bind (&hooks->uploads, &uploads);
  return sm_platform_publish (sm_platform_get (SM_NETWORK_LINKEDIN), session, &request, result,
                              cancellable, error);
}

static gboolean
find_published (const char       *author,
                const char       *text,
                GPtrArray        *media,
                Hooks            *hooks,
                SmPublishResult  *result,
                GError          **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmUploadHooks uploads;
  SmPublishRequest request = {
    .account_remote_id = author,
    .tokens = fx.tokens,
    .text = text,
    .not_before_us = g_get_real_time () - 60 * G_USEC_PER_SEC,
    .media = media,
    .uploads = &uploads,
  };

  sm_test_uploads_bind (&hooks->uploads, &uploads);
  return sm_platform_find_published (sm_platform_get (SM_NETWORK_LINKEDIN), session, &request,
                                     result, NULL, error);
}

static char *
unique_text (const char *what)
{
  return g_strdup_printf ("LinkedIn files %s (%u, %" G_GINT64_FORMAT ")", what, ++fx.serial,
                          g_get_real_time ());
}

/* The post has exactly @media's files, in order, byte for byte. */
static void
assert_post_files (JsonNode   *post,
                   GPtrArray  *media,
                   const char *kind)
{
  JsonNode *files = sm_json_get_node (post, "media");

  g_assert_nonnull (files);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (files)), ==, media->len);
  for (guint i = 0; i < media->len; i++)
    {
      SmPostMedia *m = g_ptr_array_index (media, i);
      JsonNode *file = json_array_get_element (json_node_get_array (files), i);

      g_assert_cmpstr (sm_json_get_string (file, "kind"), ==, kind);
      g_assert_cmpint (sm_json_get_int (file, "bytes"), ==, m->size_bytes);
      g_assert_cmpstr (sm_json_get_string (file, "sha256"), ==, m->sha256);
    }
}

static JsonNode *
rest (const char  *method,
      const char  *url,
      const char  *json,
      gboolean     headers,
      guint       *status,
      char       **etag)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = sm_http_message_new (method, url, &error);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GBytes) body = NULL;

  g_assert_no_error (error);
  sm_http_set_bearer (msg, fx.tokens->access_token);
  if (headers)
    {
      soup_message_headers_replace (soup_message_get_request_headers (msg), "LinkedIn-Version", "202601");
      soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Restli-Protocol-Version",
                                    "2.0.0");
    }
  if (json != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  body = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (etag != NULL)
    *etag = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "ETag"));
  return sm_http_parse_json (body, NULL);
}

/* ---- images ------------------------------------------------------------------ */

static void
test_image_member (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("one image");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (4 * 1024 * 1024);
  hooks_init (&hooks);
  g_ptr_array_add (media, sm_test_net_media_new (11, fx.images[0], "image/jpeg"));

  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (result.remote_id, "urn:li:share:"));

  post = only_post ();
  g_assert_cmpstr (sm_json_get_string (post, "id"), ==, result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "account"), ==, PERSON_URN);
  assert_post_files (post, media, "image");
  /* One upload, one PUT of the whole file; progress reached the end. */
  g_assert_cmpuint (count_requests ("POST", "/rest/images", 200), ==, 1);
  g_assert_cmpuint (count_requests ("PUT", "/dms-uploads/*", 201), ==, 1);
  g_assert_cmpuint (hooks.uploads.last_sent, ==, hooks.uploads.last_total);
  g_assert_cmpstr (sm_test_uploads_get (&hooks.uploads, 11)->remote_media_id, !=, NULL);
  hooks_clear (&hooks);
}

/* The image PUT's answer is lost after LinkedIn took the file: LinkedIn
 * is asked, and the file is not sent again. */
static void
test_image_answer_lost (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("image, answer lost");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (4 * 1024 * 1024);
  hooks_init (&hooks);
  g_ptr_array_add (media, sm_test_net_media_new (12, fx.images[1], "image/png"));
  sm_test_net_hook_post ("faults", "{\"host\":\"www.linkedin.com\",\"method\":\"PUT\",\"path\":\"/dms-uploads/*\","
                         "\"drop\":true}");

  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  post = only_post ();
  assert_post_files (post, media, "image");
  g_assert_cmpuint (count_requests ("PUT", "/dms-uploads/*", 0), ==, 1);
  g_assert_cmpuint (count_requests ("POST", "/rest/images", 0), ==, 1);
  hooks_clear (&hooks);
}

static void
test_images_organization (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("three images");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *url = NULL;
  g_autofree char *author = NULL;
  guint status;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (4 * 1024 * 1024);
  hooks_init (&hooks);
  g_ptr_array_add (media, sm_test_net_media_new (21, fx.images[0], "image/jpeg"));
  g_ptr_array_add (media, sm_test_net_media_new (22, fx.images[1], "image/png"));
  g_ptr_array_add (media, sm_test_net_media_new (23, fx.images[2], "image/jpeg"));

  g_assert_true (publish (ORG_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);

  post = only_post ();
  g_assert_cmpstr (sm_json_get_string (post, "account"), ==, ORG_URN);
  assert_post_files (post, media, "image");

  /* LinkedIn lists it as a multiImage post of the organization's images. */
  author = g_uri_escape_string (ORG_URN, NULL, TRUE);
  url = g_strdup_printf (API "/rest/posts?q=author&author=%s", author);
  listed = rest ("GET", url, NULL, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (sm_json_get_string (listed, "elements.0.id"), ==, result.remote_id);
  g_assert_cmpstr (sm_json_get_string (listed, "elements.0.content.multiImage.images.0.id"), ==,
                   sm_test_uploads_get (&hooks.uploads, 21)->remote_media_id);
  g_assert_cmpstr (sm_json_get_string (listed, "elements.0.content.multiImage.images.2.id"), ==,
                   sm_test_uploads_get (&hooks.uploads, 23)->remote_media_id);
  hooks_clear (&hooks);
}

/* ---- videos ------------------------------------------------------------------- */

static GPtrArray *
video_media (gint64 id)
{
  GPtrArray *media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);

  g_ptr_array_add (media, sm_test_net_media_new (id, fx.video, "video/mp4"));
  return media;
}

/* PUT bytes the sandbox took for the video's parts, by part number. */
static void
part_puts (guint   *puts,
           guint64 *bytes,
           guint64 *all_bytes)
{
  g_autoptr(JsonArray) all = requests ();

  memset (puts, 0, sizeof (guint) * VIDEO_PARTS);
  *all_bytes = 0;
  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *r = json_array_get_object_element (all, i);
      const char *path = json_object_get_string_member (r, "path");
      guint64 part;

      if (strcmp (json_object_get_string_member (r, "method"), "PUT") != 0 ||
          !g_str_has_prefix (path, "/dms-uploads/"))
        continue;
      g_assert_true (g_ascii_string_to_unsigned (strrchr (path, '/') + 1, 10, 0, VIDEO_PARTS - 1,
                                                 &part, NULL));
      puts[part]++;
      *all_bytes += (guint64) json_object_get_int_member (r, "body_bytes");
      if (bytes != NULL && json_object_get_int_member (r, "status") == 200)
        bytes[part] += (guint64) json_object_get_int_member (r, "body_bytes");
    }
}

static void
test_video (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("video");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(JsonNode) saved = NULL;
  guint puts[VIDEO_PARTS];
  guint64 bytes[VIDEO_PARTS] = { 0 };
  guint64 all_bytes;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (video_part_bytes ());
  hooks_init (&hooks);
  media = video_media (31);

  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);

  post = only_post ();
  g_assert_cmpstr (sm_json_get_string (post, "id"), ==, result.remote_id);
  assert_post_files (post, media, "video");

  /* Each part once, exactly its bytes. */
  part_puts (puts, bytes, &all_bytes);
  for (guint i = 0; i < VIDEO_PARTS; i++)
    g_assert_cmpuint (puts[i], ==, 1);
  g_assert_cmpuint (all_bytes, ==, (guint64) ((SmPostMedia *) media->pdata[0])->size_bytes);
  g_assert_cmpuint (count_requests ("POST", "/rest/videos", 200), ==, 2);

  /* What a restarted publisher would find: the video URN, every ETag. */
  saved = json_from_string (sm_test_uploads_get (&hooks.uploads, 31)->session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (sm_json_get_node (saved, "etags"))), ==,
                    VIDEO_PARTS);
  g_assert_cmpstr (sm_json_get_string (saved, "urn"), ==, sm_test_uploads_get (&hooks.uploads, 31)->remote_media_id);
  g_assert_cmpuint (strlen (sm_json_get_string (saved, "uploadToken")), >, 0);
  g_assert_cmpint (sm_test_uploads_get (&hooks.uploads, 31)->acknowledged, ==,
                   ((SmPostMedia *) media->pdata[0])->size_bytes);
  hooks_clear (&hooks);
}

/* A 5xx on part 2 and a connection cut in the middle of part 1: those
 * parts go again, the others do not. */
static void
test_video_part_error (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("video, part 2 fails");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  guint puts[VIDEO_PARTS];
  guint64 all_bytes;
  gint64 size;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (video_part_bytes ());
  hooks_init (&hooks);
  media = video_media (41);
  size = ((SmPostMedia *) media->pdata[0])->size_bytes;
  sm_test_net_hook_post ("faults", "{\"host\":\"www.linkedin.com\",\"method\":\"PUT\","
                         "\"path\":\"/dms-uploads/*/uploaded-video/2\",\"count\":1,\"status\":503,"
                         "\"body\":{\"status\":503,\"message\":\"Service Unavailable\"}}");

  /* And the connection to part 1 dies after 1000 bytes. */
  sm_test_net_hook_post ("faults", "{\"host\":\"www.linkedin.com\",\"method\":\"PUT\","
                         "\"path\":\"/dms-uploads/*/uploaded-video/1\",\"count\":1,\"drop_after_bytes\":1000}");

  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  post = only_post ();
  assert_post_files (post, media, "video");

  part_puts (puts, NULL, &all_bytes);
  g_assert_cmpuint (puts[0], ==, 1);
  g_assert_cmpuint (puts[1], ==, 2);
  g_assert_cmpuint (puts[2], ==, 2);
  g_assert_cmpuint (puts[3], ==, 1);
  /* Less than the whole file again: 1000 bytes of part 1, and part 2 at
   * most once more (a 503 takes no body). */
  g_assert_cmpuint (all_bytes, <, 2 * (guint64) size);
  g_assert_cmpuint (all_bytes, <=, (guint64) size + 1000 + video_part_bytes ());
  hooks_clear (&hooks);
}

/* A publisher stopped after part 1 resumes with part 2 from what it saved,
 * on the same upload; with the upload URLs expired meanwhile, it starts
 * over. */
static void
test_video_resume (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("video, resumed");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(JsonNode) saved = NULL;
  guint puts[VIDEO_PARTS];
  guint64 all_bytes, part;
  Hooks hooks;

  if (!need_files ())
    return;
  part = video_part_bytes ();
  sandbox_fresh (part);
  hooks_init (&hooks);
  media = video_media (51);

  /* Killed after two parts. */
  hooks.cancel = cancellable;
  hooks.cancel_after = (gint64) (2 * part);
  g_assert_false (publish (PERSON_URN, text, media, &hooks, cancellable, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (sm_test_uploads_get (&hooks.uploads, 51)->acknowledged, ==, (gint64) (2 * part));
  saved = json_from_string (sm_test_uploads_get (&hooks.uploads, 51)->session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (sm_json_get_node (saved, "etags"))), ==, 2);
  g_assert_cmpuint (count_posts (), ==, 0);

  /* A new publisher, the saved state: parts 2 and 3, then the post. */
  hooks.cancel = NULL;
  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  post = only_post ();
  assert_post_files (post, media, "video");
  part_puts (puts, NULL, &all_bytes);
  for (guint i = 0; i < VIDEO_PARTS; i++)
    g_assert_cmpuint (puts[i], ==, 1);
  g_assert_cmpuint (all_bytes, ==, (guint64) ((SmPostMedia *) media->pdata[0])->size_bytes);
  /* One initializeUpload and one finalizeUpload: the same upload. */
  g_assert_cmpuint (count_requests ("POST", "/rest/videos", 0), ==, 2);
  hooks_clear (&hooks);

  /* Again, with upload URLs that expire at once: the resumed publisher
   * starts a new upload instead of sending to dead URLs. */
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&post, json_node_unref);
  sm_publish_result_clear (&result);
  text = unique_text ("video, resumed after expiry");
  sandbox_fresh (part);
  sm_test_net_hook_post ("linkedin", "{\"upload_url_lifetime_ms\":1500}");
  hooks_init (&hooks);
  g_cancellable_reset (cancellable);
  hooks.cancel = cancellable;
  hooks.cancel_after = (gint64) part;
  g_assert_false (publish (PERSON_URN, text, media, &hooks, cancellable, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_usleep (1600 * 1000);
  sm_test_net_hook_post ("linkedin", "{\"upload_url_lifetime_ms\":3600000}");

  /* The sandbox refuses the old URL, as LinkedIn does. */
  {
    g_autoptr(JsonNode) old = json_from_string (sm_test_uploads_get (&hooks.uploads, 51)->session, &error);
    g_autofree char *url = NULL;
    g_autoptr(SoupMessage) msg = NULL;
    g_autoptr(GBytes) bytes = g_bytes_new_static ("x", 1);
    g_autoptr(GBytes) body = NULL;

    g_assert_no_error (error);
    url = sm_http_resolve_url (sm_json_get_string (old, "parts.1.url"), &error);
    g_assert_no_error (error);
    msg = soup_message_new ("PUT", url);
    soup_message_set_request_body_from_bytes (msg, "application/octet-stream", bytes);
    body = soup_session_send_and_read (sm_test_net_session (), msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 403);
  }

  hooks.cancel = NULL;
  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  post = only_post ();
  assert_post_files (post, media, "video");
  g_assert_cmpuint (count_requests ("POST", "/rest/videos", 200), ==, 3);
  hooks_clear (&hooks);
}

#define WRONG_ETAG_FAULT \
  "{\"host\":\"www.linkedin.com\",\"method\":\"PUT\",\"path\":\"/dms-uploads/*/uploaded-video/3\"," \
  "\"count\":%d,\"status\":200,\"headers\":{\"ETag\":\"\\\"not-an-etag\\\"\"}}"

/* A part answered with an ETag LinkedIn never gave: finalizing is refused,
 * and the upload starts over once; when it happens again, the post fails
 * with LinkedIn's words. */
static void
test_video_wrong_etag (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("video, wrong ETag");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (video_part_bytes ());
  hooks_init (&hooks);
  media = video_media (61);

  sm_test_net_hook_post ("faults", WRONG_ETAG_FAULT, 1);
  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  post = only_post ();
  assert_post_files (post, media, "video");
  g_assert_cmpuint (count_requests ("POST", "/rest/videos", 400), ==, 1);
  hooks_clear (&hooks);

  sandbox_fresh (video_part_bytes ());
  hooks_init (&hooks);
  g_clear_pointer (&text, g_free);
  text = unique_text ("video, wrong ETag twice");
  sm_test_net_hook_post ("faults", WRONG_ETAG_FAULT, 2);
  g_assert_false (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "LinkedIn refused the post: "));
  g_assert_nonnull (strstr (error->message, "uploadedPartIds"));
  g_assert_cmpuint (count_posts (), ==, 0);
  /* Nothing half-done is kept for the next attempt. */
  g_assert_null (sm_test_uploads_get (&hooks.uploads, 61)->session);
  hooks_clear (&hooks);
}

static void
test_video_processing_failed (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("video, processing fails");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (video_part_bytes ());
  sm_test_net_hook_post ("linkedin", "{\"fail_processing\":\"The video's frame rate is not supported\"}");
  hooks_init (&hooks);
  media = video_media (71);

  g_assert_false (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "The video's frame rate is not supported"));
  g_assert_nonnull (strstr (error->message, "clip.mp4"));
  g_assert_cmpuint (count_posts (), ==, 0);
  /* A later attempt uploads again rather than posting the failed video. */
  g_assert_null (sm_test_uploads_get (&hooks.uploads, 71)->remote_media_id);
  hooks_clear (&hooks);
}


/* finalizeUpload's answer is lost: the next attempt asks LinkedIn, finds
 * the video finalized, and neither uploads nor finalizes it again. */
static void
test_video_finalize_lost (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("video, finalize lost");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  guint puts[VIDEO_PARTS];
  guint64 all_bytes;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (video_part_bytes ());
  hooks_init (&hooks);
  media = video_media (101);
  hooks.fault_when_sent = "{\"host\":\"api.linkedin.com\",\"method\":\"POST\","
                          "\"path\":\"/rest/videos\",\"drop\":true}";
  hooks.fault_size = ((SmPostMedia *) media->pdata[0])->size_bytes;

  g_assert_false (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_clear_error (&error);
  g_assert_null (hooks.fault_when_sent);
  g_assert_cmpuint (count_posts (), ==, 0);

  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  post = only_post ();
  assert_post_files (post, media, "video");
  part_puts (puts, NULL, &all_bytes);
  for (guint i = 0; i < VIDEO_PARTS; i++)
    g_assert_cmpuint (puts[i], ==, 1);
  g_assert_cmpuint (count_requests ("POST", "/rest/videos", 0), ==, 2);
  hooks_clear (&hooks);
}

/* A PDF as a document post, titled with its file name. */
static void
test_document (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("document");
  g_autofree char *path = NULL;
  g_autofree char *author = NULL;
  g_autofree char *url = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(JsonNode) listed = NULL;
  static const char pdf[] =
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n";
  guint status;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (video_part_bytes ());
  hooks_init (&hooks);
  path = g_build_filename (fx.dir, "Menu for spring.pdf", NULL);
  g_assert_true (g_file_set_contents (path, pdf, sizeof pdf - 1, &error));
  g_ptr_array_add (media, sm_test_net_media_new (111, path, "application/pdf"));

  g_assert_true (publish (PERSON_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  post = only_post ();
  assert_post_files (post, media, "document");

  author = g_uri_escape_string (PERSON_URN, NULL, TRUE);
  url = g_strdup_printf (API "/rest/posts?q=author&author=%s", author);
  listed = rest ("GET", url, NULL, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (sm_json_get_string (listed, "elements.0.content.media.title"), ==, "Menu for spring.pdf");
  g_assert_true (g_str_has_prefix (sm_json_get_string (listed, "elements.0.content.media.id"),
                                   "urn:li:document:"));

  /* Deleted as the author; a second time is no error. */
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(SoupSession) session = sm_http_session_new ();
      g_auto(SmPublishResult) deleted = { NULL, NULL, -1 };
      SmPublishRequest request = {
        .account_remote_id = PERSON_URN,
        .tokens = fx.tokens,
        .text = text,
        .remote_id = result.remote_id,
      };

      g_assert_true (sm_platform_delete_published (sm_platform_get (SM_NETWORK_LINKEDIN), session,
                                                   &request, &deleted, NULL, &error));
      g_assert_no_error (error);
    }
  g_clear_pointer (&post, json_node_unref);
  post = only_post ();
  g_assert_true (json_object_get_boolean_member (json_node_get_object (post), "deleted"));
  g_unlink (path);
  hooks_clear (&hooks);
}

/* ---- errors, limits, reconciliation ------------------------------------------- */

static void
test_rate_limited (void)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) video = NULL;
  g_autofree char *text = unique_text ("rate limited");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  gint64 midnight = G_TIME_SPAN_DAY - now % G_TIME_SPAN_DAY;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (video_part_bytes ());
  hooks_init (&hooks);
  g_ptr_array_add (images, sm_test_net_media_new (81, fx.images[0], "image/jpeg"));

  /* No Retry-After: LinkedIn's daily limits reset at midnight UTC. */
  sm_test_net_hook_post ("faults", "{\"host\":\"api.linkedin.com\",\"method\":\"POST\",\"path\":\"/rest/images\","
                         "\"status\":429,\"body\":{\"status\":429,\"serviceErrorCode\":101,"
                         "\"code\":\"TOO_MANY_REQUESTS\",\"message\":\"Resource level throttle APPLICATION DAY "
                         "limit for calls to this resource is reached.\"}}");
  g_assert_false (publish (PERSON_URN, text, images, &hooks, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_cmpint (result.retry_after_us, <=, midnight);
  g_assert_cmpint (result.retry_after_us, >=, midnight - 5 * G_USEC_PER_SEC);
  g_clear_error (&error);
  sm_publish_result_clear (&result);

  /* With Retry-After on a video part: too long to wait inline; what was
   * sent stays saved. */
  video = video_media (82);
  sm_test_net_hook_post ("faults", "{\"host\":\"www.linkedin.com\",\"method\":\"PUT\","
                         "\"path\":\"/dms-uploads/*/uploaded-video/1\",\"status\":429,"
                         "\"headers\":{\"Retry-After\":\"600\"}}");
  g_assert_false (publish (PERSON_URN, text, video, &hooks, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_cmpint (result.retry_after_us, <=, 600 * G_USEC_PER_SEC);
  g_assert_cmpint (result.retry_after_us, >=, 597 * G_USEC_PER_SEC);
  g_assert_cmpint (sm_test_uploads_get (&hooks.uploads, 82)->acknowledged, ==, (gint64) video_part_bytes ());
  g_assert_cmpuint (count_posts (), ==, 0);
  hooks_clear (&hooks);
}

/* The create call's answer is lost: reconciliation finds the post by its
 * file; a post whose files never went up certainly is not out. */
static void
test_find_published (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) other = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("lost answer");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_auto(SmPublishResult) found = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  Hooks hooks;

  if (!need_files ())
    return;
  sandbox_fresh (video_part_bytes ());
  hooks_init (&hooks);
  g_ptr_array_add (media, sm_test_net_media_new (91, fx.images[1], "image/png"));
  g_ptr_array_add (media, sm_test_net_media_new (92, fx.images[2], "image/jpeg"));

  sm_test_net_hook_post ("faults", "{\"host\":\"api.linkedin.com\",\"method\":\"POST\",\"path\":\"/rest/posts\","
                         "\"drop\":true}");
  g_assert_false (publish (ORG_URN, text, media, &hooks, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);

  /* Another post with the same text but other files is not it. */
  g_assert_true (find_published (ORG_URN, text, media, &hooks, &found, &error));
  g_assert_no_error (error);
  post = only_post ();
  g_assert_cmpstr (found.remote_id, ==, sm_json_get_string (post, "id"));
  g_assert_false (found.definitive);
  sm_publish_result_clear (&found);

  /* Files that never went up: certainly not out, no need to wait. */
  g_ptr_array_add (other, sm_test_net_media_new (93, fx.images[0], "image/jpeg"));
  g_assert_true (find_published (ORG_URN, text, other, &hooks, &found, &error));
  g_assert_no_error (error);
  g_assert_null (found.remote_id);
  g_assert_true (found.definitive);
  hooks_clear (&hooks);
}

/* ---- the sandbox's strictness -------------------------------------------------- */

static guint
put_part (JsonNode    *value,
          guint        index,
          const char  *contents,
          gsize        length,
          char       **etag)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("uploadInstructions.%u.uploadUrl", index);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("PUT", sm_json_get_string (value, path), &error);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GBytes) bytes = g_bytes_new (contents, length);
  g_autoptr(GBytes) body = NULL;

  g_assert_no_error (error);
  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", bytes);
  body = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (etag != NULL)
    *etag = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "ETag"));
  return soup_message_get_status (msg);
}

static void
test_sandbox_strict (void)
{
  const gsize size = 100000, part = 40000;
  g_autofree char *contents = g_malloc (size);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autofree char *etag0 = NULL;
  g_autofree char *etag1 = NULL;
  g_autofree char *etag2 = NULL;
  g_autofree char *finalize = NULL;
  g_autofree char *post = NULL;
  g_autofree char *status_url = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *e0 = NULL;
  g_autofree char *e1 = NULL;
  g_autofree char *e2 = NULL;
  const char *video;
  guint status;

  if (!sm_test_net_running () || fx.tokens == NULL)
    {
      g_test_skip ("no sandbox");
      return;
    }
  sandbox_fresh (part);
  for (gsize i = 0; i < size; i++)
    contents[i] = (char) g_random_int ();

  /* Without the REST headers, or for an organization the member does not
   * administer: refused in LinkedIn's envelope. */
  answer = rest ("POST", API "/rest/videos?action=initializeUpload",
                 "{\"initializeUploadRequest\":{\"owner\":\"" PERSON_URN "\",\"fileSizeBytes\":100000}}",
                 FALSE, &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (sm_json_get_string (answer, "code"), ==, "VERSION_MISSING");
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("POST", API "/rest/images?action=initializeUpload",
                 "{\"initializeUploadRequest\":{\"owner\":\"" OTHER_ORG_URN "\"}}", TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 403);
  g_assert_cmpint (sm_json_get_int (answer, "serviceErrorCode"), ==, 100);
  g_clear_pointer (&answer, json_node_unref);
  /* Under 75 KB is not a video LinkedIn takes. */
  answer = rest ("POST", API "/rest/videos?action=initializeUpload",
                 "{\"initializeUploadRequest\":{\"owner\":\"" PERSON_URN "\",\"fileSizeBytes\":1000}}",
                 TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 422);
  g_clear_pointer (&answer, json_node_unref);

  answer = rest ("POST", API "/rest/videos?action=initializeUpload",
                 "{\"initializeUploadRequest\":{\"owner\":\"" PERSON_URN "\",\"fileSizeBytes\":100000,"
                 "\"uploadCaptions\":false,\"uploadThumbnail\":false}}", TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  value = json_node_ref (sm_json_get_node (answer, "value"));
  video = sm_json_get_string (value, "video");
  g_assert_cmpint (sm_json_get_int (value, "uploadInstructions.0.lastByte"), ==, part - 1);
  g_assert_cmpint (sm_json_get_int (value, "uploadInstructions.2.firstByte"), ==, 2 * part);
  g_assert_cmpint (sm_json_get_int (value, "uploadInstructions.2.lastByte"), ==, size - 1);

  /* A part of the wrong size, a part out of order. */
  g_assert_cmpuint (put_part (value, 0, contents, part - 1, NULL), ==, 400);
  g_assert_cmpuint (put_part (value, 1, contents + part, part, NULL), ==, 400);
  g_assert_cmpuint (put_part (value, 0, contents, part, &etag0), ==, 200);
  g_assert_cmpuint (put_part (value, 1, contents + part, part, &etag1), ==, 200);
  g_assert_nonnull (etag0);
  g_assert_cmpstr (etag0, !=, etag1);

  /* Finalizing with a part missing, or with ETags LinkedIn never gave. */
  e0 = g_strescape (etag0, NULL);
  e1 = g_strescape (etag1, NULL);
  finalize = g_strdup_printf ("{\"finalizeUploadRequest\":{\"video\":\"%s\",\"uploadToken\":\"%s\","
                              "\"uploadedPartIds\":[\"%s\",\"%s\"]}}", video,
                              sm_json_get_string (value, "uploadToken"), e0, e1);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("POST", API "/rest/videos?action=finalizeUpload", finalize, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (sm_json_get_string (answer, "message"), "uploadedPartIds has 2"));
  g_assert_cmpuint (put_part (value, 2, contents + 2 * part, size - 2 * part, &etag2), ==, 200);
  e2 = g_strescape (etag2, NULL);
  g_free (finalize);
  finalize = g_strdup_printf ("{\"finalizeUploadRequest\":{\"video\":\"%s\",\"uploadToken\":\"%s\","
                              "\"uploadedPartIds\":[\"%s\",\"%s\",\"%s\"]}}", video,
                              sm_json_get_string (value, "uploadToken"), e1, e0, e2);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("POST", API "/rest/videos?action=finalizeUpload", finalize, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (sm_json_get_string (answer, "message"), "uploadedPartIds[0]"));
  /* A wrong upload token. */
  g_free (finalize);
  finalize = g_strdup_printf ("{\"finalizeUploadRequest\":{\"video\":\"%s\",\"uploadToken\":\"nope\","
                              "\"uploadedPartIds\":[\"%s\",\"%s\",\"%s\"]}}", video, e0, e1, e2);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("POST", API "/rest/videos?action=finalizeUpload", finalize, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 400);

  /* Not finalized: the video waits, and a post with it is refused. */
  escaped = g_uri_escape_string (video, NULL, TRUE);
  status_url = g_strdup_printf (API "/rest/videos/%s", escaped);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("GET", status_url, NULL, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (sm_json_get_string (answer, "status"), ==, "WAITING_UPLOAD");
  post = g_strdup_printf ("{\"author\":\"" PERSON_URN "\",\"commentary\":\"\",\"visibility\":\"PUBLIC\","
                          "\"distribution\":{\"feedDistribution\":\"MAIN_FEED\"},"
                          "\"content\":{\"media\":{\"id\":\"%s\"}},\"lifecycleState\":\"PUBLISHED\"}", video);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("POST", API "/rest/posts", post, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 422);

  /* The right ETags in order: processing, then available over time. */
  g_free (finalize);
  finalize = g_strdup_printf ("{\"finalizeUploadRequest\":{\"video\":\"%s\",\"uploadToken\":\"%s\","
                              "\"uploadedPartIds\":[\"%s\",\"%s\",\"%s\"]}}", video,
                              sm_json_get_string (value, "uploadToken"), e0, e1, e2);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("POST", API "/rest/videos?action=finalizeUpload", finalize, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("GET", status_url, NULL, TRUE, &status, NULL);
  g_assert_cmpstr (sm_json_get_string (answer, "status"), ==, "PROCESSING");
  g_usleep (400 * 1000);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("GET", status_url, NULL, TRUE, &status, NULL);
  g_assert_cmpstr (sm_json_get_string (answer, "status"), ==, "AVAILABLE");

  /* An organization may not post the member's video. */
  g_free (post);
  post = g_strdup_printf ("{\"author\":\"" ORG_URN "\",\"commentary\":\"\",\"visibility\":\"PUBLIC\","
                          "\"distribution\":{\"feedDistribution\":\"MAIN_FEED\"},"
                          "\"content\":{\"media\":{\"id\":\"%s\"}},\"lifecycleState\":\"PUBLISHED\"}", video);
  g_clear_pointer (&answer, json_node_unref);
  answer = rest ("POST", API "/rest/posts", post, TRUE, &status, NULL);
  g_assert_cmpuint (status, ==, 422);
  g_assert_cmpuint (count_posts (), ==, 0);
}


/* ---- end to end: the installed CLI and publisher ------------------------------- */

/* `so-me post --media clip.mp4` to the organization; the publisher is
 * killed while LinkedIn takes part 2; the next one asks LinkedIn where the
 * video stands and sends parts 2 and 3 only. */
static void
test_e2e_video_killed (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(SmPostMedia) video = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autoptr(JsonNode) reqs = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *config = NULL;
  g_autofree char *text = unique_text ("through the publisher");
  guint puts[VIDEO_PARTS] = { 0 };
  guint64 sent = 0;
  gint64 account;
  SmTestWait w = { NULL, 0, "published" };
  JsonNode *post = NULL;

  if (!need_files ())
    return;
  if (g_getenv ("SM_PREFIX") == NULL)
    {
      g_test_skip ("needs the installed programs (tests/run-headless)");
      return;
    }
  video = sm_test_net_media_new (1, fx.video, "video/mp4");
  p = sm_test_profile_new ();
  w.profile = p;
  sm_test_profile_activate (p);
  account = sm_test_connect (p, "linkedin");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);
  config = g_strdup_printf ("{\"video_part_bytes\":%" G_GINT64_FORMAT ",\"processing_ms\":300}",
                            video->size_bytes / VIDEO_PARTS + 1);
  sm_test_sandbox_post (p, "/__sandbox/linkedin", config);
  /* LinkedIn takes part 2, then answers slowly. */
  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"www.linkedin.com\",\"method\":\"PUT\","
                        "\"path\":\"/dms-uploads/*/uploaded-video/2\",\"count\":1,\"delay_ms\":8000}");

  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--media", fx.video, text, NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));

  g_usleep (4 * G_TIME_SPAN_SECOND);
  {
    g_autofree char *states = sm_test_target_states (p, w.post_id);

    g_assert_cmpstr (states, ==, "publishing");
  }
  sm_test_stop_publisher (SIGKILL);
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 0);
  sm_test_wake_publisher ();
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 60));

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (posts)), ==, 1);
  post = json_array_get_element (json_node_get_array (posts), 0);
  g_assert_cmpstr (sm_json_get_string (post, "account"), ==, ORG_URN);
  g_assert_cmpint (sm_json_get_int (post, "media.0.bytes"), ==, video->size_bytes);
  g_assert_cmpstr (sm_json_get_string (post, "media.0.kind"), ==, "video");
  g_assert_cmpstr (sm_json_get_string (post, "media.0.sha256"), ==, video->sha256);

  /* Parts 0 and 1 went once; part 2 again, as its answer never came. */
  reqs = sm_test_sandbox_get (p, "/__sandbox/requests");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (reqs)); i++)
    {
      JsonObject *r = json_array_get_object_element (json_node_get_array (reqs), i);
      const char *path = json_object_get_string_member (r, "path");
      guint64 part;

      if (strcmp (json_object_get_string_member (r, "method"), "PUT") != 0 ||
          !g_str_has_prefix (path, "/dms-uploads/"))
        continue;
      g_assert_true (g_ascii_string_to_unsigned (strrchr (path, '/') + 1, 10, 0, VIDEO_PARTS - 1,
                                                 &part, NULL));
      puts[part]++;
      sent += (guint64) json_object_get_int_member (r, "body_bytes");
    }
  g_assert_cmpuint (puts[0], ==, 1);
  g_assert_cmpuint (puts[1], ==, 1);
  g_assert_cmpuint (puts[2], ==, 2);
  g_assert_cmpuint (puts[3], ==, 1);
  g_assert_cmpuint (sent, <, 2 * (guint64) video->size_bytes);
}

/* linkedin.first_comment: POST /rest/socialActions/{urn}/comments as the
 * author, through `so-me post` and the publisher (sm_test_first_comment). */
static void
test_first_comment (void)
{
  static const SmTestFirstComment c = {
    .network = "linkedin",
    .comment_host = "api.linkedin.com",
    .comment_path = "/rest/socialActions/*/comments",
    .create_host = "api.linkedin.com",
    .create_method = "POST",
    .create_path = "/rest/posts",
    .refusal = "\"status\":403,\"body\":{\"status\":403,\"serviceErrorCode\":100,"
               "\"code\":\"ACCESS_DENIED\",\"message\":\"Not enough permissions to access: "
               "partnerApiSocialActions.CREATE.20260101\"}",
  };

  sm_test_first_comment (&c);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (sm_test_net_spawn ())
    connect_linkedin ();
  make_files ();

  g_test_add_func ("/linkedin/sandbox-strict", test_sandbox_strict);
  g_test_add_func ("/linkedin/image/member", test_image_member);
  g_test_add_func ("/linkedin/image/answer-lost", test_image_answer_lost);
  g_test_add_func ("/linkedin/image/organization", test_images_organization);
  g_test_add_func ("/linkedin/video", test_video);
  g_test_add_func ("/linkedin/video/part-error", test_video_part_error);
  g_test_add_func ("/linkedin/video/resume", test_video_resume);
  g_test_add_func ("/linkedin/video/wrong-etag", test_video_wrong_etag);
  g_test_add_func ("/linkedin/video/processing-failed", test_video_processing_failed);
  g_test_add_func ("/linkedin/video/finalize-lost", test_video_finalize_lost);
  g_test_add_func ("/linkedin/document", test_document);
  g_test_add_func ("/linkedin/rate-limited", test_rate_limited);
  g_test_add_func ("/linkedin/find-published", test_find_published);
  g_test_add_func ("/linkedin/e2e/video-killed", test_e2e_video_killed);
  g_test_add_func ("/linkedin/first-comment", test_first_comment);

  ret = g_test_run ();

  sm_test_net_stop ();
  g_clear_pointer (&fx.tokens, sm_tokens_free);
  if (fx.dir != NULL)
    {
      const char *files[] = { fx.video, fx.images[0], fx.images[1], fx.images[2] };

      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        if (files[i] != NULL)
          g_unlink (files[i]);
      g_rmdir (fx.dir);
    }
  g_free (fx.dir);
  g_free (fx.video);
  for (guint i = 0; i < G_N_ELEMENTS (fx.images); i++)
    g_free (fx.images[i]);
  g_free (fx.skip);
  return ret;
}
