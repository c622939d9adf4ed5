/* test-net-facebook.c — contract tests for Facebook Pages with files:
 * photos, multi-photo posts, videos through the legacy resumable upload,
 * reels through rupload, processing, limits and errors, against the
 * sandbox's strict Graph API.
 *
 * The files are made at run time (GStreamer for the photos and videos);
 * every check is what a user would notice: the post that arrives has the
 * files, byte for byte, in order; a failure mid-upload costs a chunk, not
 * the file; a refusal says why in Facebook's words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-net-facebook"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "sm-http.h"
#include "sm-platform.h"
#include "sm-platforms-private.h"
#include "sm-store.h"
#include "sm-test-net.h"
#include "sm-test-util.h"

#define CLIENT_ID     "sandbox-client"
#define CLIENT_SECRET "sandbox-secret"
#define REDIRECT_URI  "http://127.0.0.1:8765/callback"
#define VIDEO_HOST    "graph-video.facebook.com"
/* The chunk the sandbox hands out, as Facebook's first end_offset. */
#define CHUNK         (1024 * 1024)

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmPublishResult, sm_publish_result_clear)

static struct
{
  char     *dir;
  char     *no_fixtures;   /* why there are none, or NULL */
  SmTokens *tokens;
  char     *page;
  guint     serial;
} fb;

static const SmClientCredentials creds = {
  .client_id = (char *) CLIENT_ID,
  .client_secret = (char *) CLIENT_SECRET,
};

/* ---- connecting ------------------------------------------------------------ */

static void
connect_page (void)
{
  SmPlatform *platform = sm_platform_get (SM_NETWORK_FACEBOOK);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *url = NULL;
  SmAccountInfo *first;

  verifier = sm_test_net_pkce_verifier ();
  challenge = sm_test_net_pkce_challenge (verifier);
  url = sm_platform_build_authorize_url (platform, &creds, REDIRECT_URI, "state-fb", challenge);
  params = sm_test_net_consent (session, url, REDIRECT_URI, 0, NULL);

  accounts = sm_platform_exchange_code (platform, session, &creds,
                                        g_hash_table_lookup (params, "code"), REDIRECT_URI,
                                        verifier, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, >, 0);
  first = g_ptr_array_index (accounts, 0);

  g_clear_pointer (&fb.tokens, sm_tokens_free);
  g_clear_pointer (&fb.page, g_free);
  fb.tokens = sm_tokens_copy (first->tokens);
  fb.page = g_strdup (first->remote_id);
}

static gboolean
ready (void)
{
  if (!sm_test_net_need_sandbox ())
    return FALSE;
  if (fb.no_fixtures != NULL)
    {
      g_test_skip (fb.no_fixtures);
      return FALSE;
    }
  if (fb.tokens == NULL)
    connect_page ();
  return TRUE;
}

/* ---- files ------------------------------------------------------------------- */

static char *
fixture (const char *name)
{
  return g_build_filename (fb.dir, name, NULL);
}

static gboolean
make_fixtures (GError **error)
{
  g_autofree char *noise_path = fixture ("not-a-video.mp4");
  g_autofree guint8 *noise = g_malloc (300 * 1024);

  for (const char *const *e = (const char *const[]) { "x264enc", "mp4mux", "jpegenc", "pngenc",
                                                      NULL };
       *e != NULL; e++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (*e);

      if (factory == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "GStreamer element %s is missing", *e);
          return FALSE;
        }
    }

  /* Noise compresses badly: a video of a few MB in two seconds. */
  if (!sm_test_net_gst_launch (fb.dir, "videotestsrc pattern=snow num-buffers=60 ! video/x-raw,width=640,height=360,"
                               "framerate=30/1,format=I420 ! x264enc speed-preset=ultrafast bitrate=16000 "
                               "! mp4mux faststart=true", "clip.mp4", error)
      || !sm_test_net_gst_launch (fb.dir, "videotestsrc num-buffers=90 ! video/x-raw,width=540,height=960,"
                                  "framerate=30/1,format=I420 ! x264enc speed-preset=ultrafast ! mp4mux",
                                  "reel.mp4", error)
      || !sm_test_net_gst_launch (fb.dir, "videotestsrc pattern=smpte num-buffers=1 ! video/x-raw,width=640,height=480 "
                                  "! jpegenc", "one.jpg", error)
      || !sm_test_net_gst_launch (fb.dir, "videotestsrc pattern=ball num-buffers=1 ! video/x-raw,width=640,height=480 "
                                  "! jpegenc", "two.jpg", error)
      || !sm_test_net_gst_launch (fb.dir, "videotestsrc pattern=snow num-buffers=1 ! video/x-raw,width=320,height=240 "
                                  "! pngenc", "three.png", error))
    return FALSE;

  /* Called .mp4, but Facebook cannot make a video of it. */
  for (gsize i = 0; i < 300 * 1024; i++)
    noise[i] = (guint8) g_random_int ();
  return g_file_set_contents (noise_path, (const char *) noise, 300 * 1024, error);
}

static SmPostMedia *
media_new (const char *name,
           const char *mime_type)
{
  g_autofree char *path = fixture (name);
  static gint64 next_id = 1;

  return sm_test_net_media_new (next_id++, path, mime_type);
}

static char *
unique_text (const char *what)
{
  return g_strdup_printf ("Facebook test %s (%u, %" G_GINT64_FORMAT ")", what, ++fb.serial,
                          g_get_real_time ());
}

static gboolean
publish (const char           *text,
         GPtrArray            *media,
         const char           *kind,
         const SmUploadHooks  *uploads,
         SmPublishResult      *result,
         GError              **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  SmPublishRequest request = {
    .account_remote_id = fb.page,
    .tokens = fb.tokens,
    .text = text,
    .not_before_us = g_get_real_time (),
    .media = media,
    .options = options,
    .uploads = uploads,
  };

  if (kind != NULL)
    g_hash_table_insert (options, (gpointer) "facebook.kind", (gpointer) kind);
  return sm_platform_publish (sm_platform_get (SM_NETWORK_FACEBOOK), session, &request, result,
                              NULL, error);
}

/* The post has exactly @media's files, in order, byte for byte. */
static void
assert_post_media (const char *id,
                   GPtrArray  *media,
                   const char *kind)
{
  g_autoptr(JsonNode) post = sm_test_net_post ("facebook", id);
  JsonNode *files;

  g_assert_nonnull (post);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (post), "deleted"));
  files = sm_json_get_node (post, "media");
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

/* ---- tests ---------------------------------------------------------------------- */

static void
test_photo (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autofree char *text = NULL;
  SmUploadHooks uploads;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  text = unique_text ("one photo");
  g_ptr_array_add (media, media_new ("one.jpg", "image/jpeg"));

  g_assert_true (publish (text, media, NULL, &uploads, &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (result.remote_id, fb.page));
  g_assert_true (g_str_has_prefix (result.permalink, "https://www.facebook.com/"));
  assert_post_media (result.remote_id, media, "image");
  post = sm_test_net_post ("facebook", result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, text);
  sm_test_uploads_clear (&h);
}

static void
test_photos (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_auto(SmPublishResult) again = { .retry_after_us = -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autofree char *text = NULL;
  SmUploadHooks uploads;
  guint before;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  text = unique_text ("three photos");
  g_ptr_array_add (media, media_new ("two.jpg", "image/jpeg"));
  g_ptr_array_add (media, media_new ("three.png", "image/png"));
  g_ptr_array_add (media, media_new ("one.jpg", "image/jpeg"));

  posts = sm_test_net_hook ("GET", "posts", NULL);
  before = json_array_get_length (json_node_get_array (posts));
  g_assert_true (publish (text, media, "post", &uploads, &result, &error));
  g_assert_no_error (error);

  /* One post, not four: the photos waited unpublished for it. */
  g_clear_pointer (&posts, json_node_unref);
  posts = sm_test_net_hook ("GET", "posts", NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (posts)), ==, before + 1);
  assert_post_media (result.remote_id, media, "image");
  post = sm_test_net_post ("facebook", result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, text);
  g_assert_cmpuint (h.saves, ==, 3);

  /* Sent again (the outbox after a refusal), the photos are not uploaded
   * again, and Facebook refuses to post them twice. */
  g_assert_false (publish (text, media, "post", &uploads, &again, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "already posted"));
  sm_test_uploads_clear (&h);
}

/* Publishes clip.mp4 as a video post; returns the id. */
static char *
publish_clip (SmUploadHooks *uploads,
              GPtrArray     *media,
              const char    *text)
{
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_autoptr(GError) error = NULL;

  g_assert_true (publish (text, media, NULL, uploads, &result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (result.permalink, "/videos/"));
  return g_steal_pointer (&result.remote_id);
}

static void
test_video (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) transfers = NULL;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_auto(SmPublishResult) found = { .retry_after_us = -1 };
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  g_autofree char *node = NULL;
  SmPostMedia *clip;
  SmUploadHooks uploads;
  guint first;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  text = unique_text ("video");
  clip = media_new ("clip.mp4", "video/mp4");
  g_ptr_array_add (media, clip);
  g_test_message ("video of %" G_GINT64_FORMAT " bytes", clip->size_bytes);
  g_assert_cmpint (clip->size_bytes, >, 2 * CHUNK);

  first = sm_test_net_requests_mark ();
  id = publish_clip (&uploads, media, text);
  assert_post_media (id, media, "video");
  post = sm_test_net_post ("facebook", id);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, text);

  /* Chunk by chunk, each saved when acknowledged, each sent once. */
  transfers = sm_test_net_requests_since (first, "POST", VIDEO_HOST, "/*/*/videos");
  g_assert_cmpuint (transfers->len, ==, 2 + (clip->size_bytes + CHUNK - 1) / CHUNK);
  g_assert_cmpuint (h.saves, >=, (clip->size_bytes + CHUNK - 1) / CHUNK);
  g_assert_cmpuint (h.last_total, ==, (guint64) clip->size_bytes);
  /* And after the finish (the last of those), its processing was watched
   * until ready. */
  node = g_strdup_printf ("/*/%s", id);
  {
    g_autoptr(JsonNode) requests = sm_test_net_hook ("GET", "requests", NULL);
    JsonArray *array = json_node_get_array (requests);
    guint polls = 0;

    for (guint i = first; i < json_array_get_length (array); i++)
      {
        JsonNode *record = json_array_get_element (array, i);

        if (g_strcmp0 (sm_json_get_string (record, "host"), VIDEO_HOST) == 0)
          polls = 0;
        else if (g_strcmp0 (sm_json_get_string (record, "method"), "GET") == 0
                 && g_pattern_match_simple (node, sm_json_get_string (record, "path")))
          polls++;
      }
    g_assert_cmpuint (polls, >=, 2);
  }

  /* Reconciliation asks the video itself. */
  {
    SmPublishRequest request = {
      .account_remote_id = fb.page, .tokens = fb.tokens, .text = text,
      .not_before_us = g_get_real_time () - G_USEC_PER_SEC, .media = media, .uploads = &uploads,
    };

    g_assert_true (sm_platform_find_published (sm_platform_get (SM_NETWORK_FACEBOOK), session,
                                               &request, &found, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (found.remote_id, ==, id);
    g_assert_true (found.definitive);
  }
  sm_test_uploads_clear (&h);
}

/* Bytes the sandbox took in transfer requests since @first, and how
 * many of those were faulted. */
static guint64
transferred_since (guint  first,
                   guint *faulted)
{
  g_autoptr(GPtrArray) transfers = sm_test_net_requests_since (first, "POST", VIDEO_HOST, "/*/*/videos");
  guint64 bytes = 0;

  *faulted = 0;
  for (guint i = 0; i < transfers->len; i++)
    {
      JsonNode *record = g_ptr_array_index (transfers, i);

      bytes += (guint64) sm_json_get_int (record, "body_bytes");
      if (sm_json_get_string (record, "fault") != NULL)
        (*faulted)++;
    }
  return bytes;
}

static void
test_video_server_error (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  SmPostMedia *clip;
  SmUploadHooks uploads;
  guint first, faulted = 0;
  guint64 bytes;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  text = unique_text ("video with a 503");
  clip = media_new ("clip.mp4", "video/mp4");
  g_ptr_array_add (media, clip);

  /* After the first chunk is in, the next transfer gets a 503. */
  h.fault = "{\"host\":\"" VIDEO_HOST "\",\"method\":\"POST\",\"path\":\"/*/*/videos\","
            "\"count\":1,\"status\":503,\"body\":{\"error\":{\"message\":\"An unexpected error "
            "has occurred. Please retry your request later.\",\"type\":\"OAuthException\","
            "\"code\":2,\"is_transient\":true}}}";
  h.fault_after = CHUNK;
  first = sm_test_net_requests_mark ();
  id = publish_clip (&uploads, media, text);
  g_assert_true (h.fault_added);
  assert_post_media (id, media, "video");

  /* The file went once, plus at most the one chunk that was refused. */
  bytes = transferred_since (first, &faulted);
  g_test_message ("%" G_GUINT64_FORMAT " bytes for %" G_GINT64_FORMAT, bytes, clip->size_bytes);
  g_assert_cmpuint (faulted, ==, 1);
  g_assert_cmpuint (bytes, >=, (guint64) clip->size_bytes);
  g_assert_cmpuint (bytes, <, (guint64) clip->size_bytes + CHUNK + 64 * 1024);
  sm_test_uploads_clear (&h);
}

static void
test_video_resume (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GError) error = NULL;
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  SmUploadState *saved;
  SmPostMedia *clip;
  SmUploadHooks uploads;
  guint first, second, faulted = 0;
  gint64 key;
  guint64 bytes;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  text = unique_text ("video cut off");
  clip = media_new ("clip.mp4", "video/mp4");
  g_ptr_array_add (media, clip);

  /* From the third chunk on, every transfer is cut after 100 kB: the
   * publisher gives up for now, with two chunks saved. */
  h.fault = "{\"host\":\"" VIDEO_HOST "\",\"method\":\"POST\",\"path\":\"/*/*/videos\","
            "\"count\":10,\"drop_after_bytes\":100000}";
  h.fault_after = 2 * CHUNK;
  first = sm_test_net_requests_mark ();
  g_assert_false (publish (text, media, NULL, &uploads, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  key = clip->id;
  saved = g_hash_table_lookup (h.states, &key);
  g_assert_nonnull (saved);
  g_assert_nonnull (saved->session);
  g_assert_null (saved->remote_media_id);
  g_assert_cmpint (saved->acknowledged, ==, 2 * CHUNK);
  g_clear_error (&error);
  sm_test_net_clear_faults ();

  /* A new run from the saved state: it asks, then sends the rest. */
  second = sm_test_net_requests_mark ();
  g_assert_true (publish (text, media, NULL, &uploads, &result, &error));
  g_assert_no_error (error);
  id = g_strdup (result.remote_id);
  assert_post_media (id, media, "video");
  {
    g_autoptr(JsonNode) requests = sm_test_net_hook ("GET", "requests", NULL);
    JsonNode *next = json_array_get_element (json_node_get_array (requests), second);

    /* Before another byte: where does the upload stand? */
    g_assert_cmpstr (sm_json_get_string (next, "method"), ==, "GET");
    g_assert_cmpstr (sm_json_get_string (next, "host"), ==, "graph.facebook.com");
  }

  /* Every byte arrived once in requests that were not cut; what was cut
   * was 100 kB a time. */
  bytes = transferred_since (first, &faulted);
  g_assert_cmpuint (faulted, >=, 1);
  g_assert_cmpuint (bytes - (guint64) faulted * 100000, >=, (guint64) clip->size_bytes);
  g_assert_cmpuint (bytes - (guint64) faulted * 100000, <, (guint64) clip->size_bytes + 64 * 1024);
  sm_test_uploads_clear (&h);
}

static gboolean
publish_reel (const char       *name,
              const char       *text,
              SmPublishResult  *result,
              GError          **error)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  SmUploadHooks uploads;
  gboolean ok;
  SmTestUploads h;

  sm_test_uploads_init (&h, &uploads);
  g_ptr_array_add (media, media_new (name, "video/mp4"));
  ok = publish (text, media, "reel", &uploads, result, error);
  if (ok)
    assert_post_media (result->remote_id, media, "video");
  sm_test_uploads_clear (&h);
  return ok;
}

static void
test_reel (void)
{
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uploads = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autofree char *text = NULL;
  g_autofree char *node = NULL;
  guint first;

  if (!ready ())
    return;
  text = unique_text ("reel");
  first = sm_test_net_requests_mark ();
  g_assert_true (publish_reel ("reel.mp4", text, &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (result.permalink, "https://www.facebook.com/reel/"));
  post = sm_test_net_post ("facebook", result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, text);

  /* One upload to rupload, then start → finish, and after the finish the
   * processing polled until ready (it takes the sandbox 0.6 s). */
  uploads = sm_test_net_requests_since (first, "POST", "rupload.facebook.com", "/video-upload/*/*");
  g_assert_cmpuint (uploads->len, ==, 1);
  node = g_strdup_printf ("/*/%s", result.remote_id);
  {
    g_autoptr(JsonNode) requests = sm_test_net_hook ("GET", "requests", NULL);
    JsonArray *array = json_node_get_array (requests);
    guint reels_calls = 0;
    guint polls_after_finish = 0;

    for (guint i = first; i < json_array_get_length (array); i++)
      {
        JsonNode *record = json_array_get_element (array, i);
        const char *path = sm_json_get_string (record, "path");

        if (g_strcmp0 (sm_json_get_string (record, "method"), "POST") == 0
            && g_pattern_match_simple ("/*/*/video_reels", path))
          reels_calls++;
        else if (reels_calls == 2 && g_strcmp0 (sm_json_get_string (record, "method"), "GET") == 0
                 && g_pattern_match_simple (node, path))
          polls_after_finish++;
      }
    g_assert_cmpuint (reels_calls, ==, 2);
    g_assert_cmpuint (polls_after_finish, >=, 2);
  }
}

static void
test_reel_limit (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) rupload = NULL;
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_auto(SmPublishResult) later = { .retry_after_us = -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  SmUploadHooks uploads;
  guint first;
  SmTestUploads h;

  if (!ready ())
    return;
  /* A fresh day for the sandbox: no reel yet. */
  reply = sm_test_net_hook ("POST", "reset", NULL);

  for (guint i = 0; i < 30; i++)
    {
      g_auto(SmPublishResult) ok = { .retry_after_us = -1 };
      g_autofree char *text = g_strdup_printf ("Reel %u of the day", i + 1);

      g_assert_true (publish_reel ("reel.mp4", text, &ok, &error));
      g_assert_no_error (error);
    }

  sm_test_uploads_init (&h, &uploads);
  g_ptr_array_add (media, media_new ("reel.mp4", "video/mp4"));
  g_assert_false (publish ("Reel 31 of the day", media, "reel", &uploads, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "daily reel limit"));
  g_assert_nonnull (strstr (error->message, "after"));
  /* The oldest reel leaves the 24-hour window in about a day. */
  g_assert_cmpint (result.retry_after_us, >, 23 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (result.retry_after_us, <=, G_TIME_SPAN_DAY + G_TIME_SPAN_MINUTE);
  g_clear_error (&error);

  /* A day later Facebook has forgotten the upload that waited: it is sent
   * again, and the reel goes out. */
  g_clear_pointer (&reply, json_node_unref);
  reply = sm_test_net_hook ("POST", "reset", NULL);
  first = sm_test_net_requests_mark ();
  g_assert_true (publish ("Reel 31 of the day", media, "reel", &uploads, &later, &error));
  g_assert_no_error (error);
  assert_post_media (later.remote_id, media, "video");
  rupload = sm_test_net_requests_since (first, "POST", "rupload.facebook.com", "/video-upload/*/*");
  g_assert_cmpuint (rupload->len, ==, 1);
  sm_test_uploads_clear (&h);
}

static void
test_processing_failure (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  SmUploadHooks uploads;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  text = unique_text ("not a video");
  g_ptr_array_add (media, media_new ("not-a-video.mp4", "video/mp4"));

  g_assert_false (publish (text, media, NULL, &uploads, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "format that we don't support"));
  g_assert_null (result.remote_id);
  sm_test_uploads_clear (&h);
}

static void
test_expired (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SmTokens) refreshed = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  SmUploadHooks uploads;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  json = g_strdup_printf ("{\"network\":\"facebook\",\"token\":\"%s\"}", fb.tokens->access_token);
  reply = sm_test_net_hook ("POST", "tokens/expire", json);
  g_assert_cmpint (sm_json_get_int (reply, "changed"), ==, 1);

  text = unique_text ("expired");
  g_ptr_array_add (media, media_new ("one.jpg", "image/jpeg"));
  g_assert_false (publish (text, media, NULL, &uploads, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
  g_assert_nonnull (strstr (error->message, "Facebook sign-in"));
  g_assert_nonnull (strstr (error->message, "expired"));
  g_clear_error (&error);

  /* Facebook has no refresh: the user must reconnect. */
  refreshed = sm_platform_refresh (sm_platform_get (SM_NETWORK_FACEBOOK), session, &creds,
                                   fb.tokens, NULL, &error);
  g_assert_null (refreshed);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
  g_assert_nonnull (strstr (error->message, "Reconnect"));
  g_clear_pointer (&fb.tokens, sm_tokens_free);
  sm_test_uploads_clear (&h);
}

static void
test_text_link (void)
{
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;

  if (!ready ())
    return;
  text = unique_text ("launch notes at https://example.com/launch?from=fb.");

  g_assert_true (publish (text, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  post = sm_test_net_post ("facebook", result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, text);

  /* The URL became the post's link preview; the text stayed whole. */
  url = g_strdup_printf ("https://graph.facebook.com/v21.0/%s?fields=link,message", result.remote_id);
  node = _sm_platform_graph_get (session, url, fb.tokens->access_token, "Facebook", SM_CALL_READ,
                                 NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sm_json_get_string (node, "link"), ==, "https://example.com/launch?from=fb");
  g_assert_cmpstr (sm_json_get_string (node, "message"), ==, text);

  /* Deleted with the Page token; a second time, Graph says it does not
   * exist, which counts as deleted. */
  for (int round = 0; round < 2; round++)
    {
      g_auto(SmPublishResult) deleted = { .retry_after_us = -1 };
      SmPublishRequest request = {
        .account_remote_id = fb.page,
        .tokens = fb.tokens,
        .text = text,
        .remote_id = result.remote_id,
      };

      g_assert_true (sm_platform_delete_published (sm_platform_get (SM_NETWORK_FACEBOOK), session,
                                                   &request, &deleted, NULL, &error));
      g_assert_no_error (error);
    }
  g_clear_pointer (&post, json_node_unref);
  post = sm_test_net_post ("facebook", result.remote_id);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (post), "deleted"));
}

static void
test_photo_found (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { .retry_after_us = -1 };
  g_auto(SmPublishResult) found = { .retry_after_us = -1 };
  g_auto(SmPublishResult) missing = { .retry_after_us = -1 };
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *other = NULL;
  SmUploadHooks uploads;
  gint64 not_before;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  text = unique_text ("photo to find");
  other = unique_text ("photo never sent");
  g_ptr_array_add (media, media_new ("two.jpg", "image/jpeg"));
  not_before = g_get_real_time ();
  g_assert_true (publish (text, media, NULL, &uploads, &result, &error));
  g_assert_no_error (error);

  /* After an unknown outcome, the Page's posts since the first attempt
   * say whether it went out. */
  {
    SmPublishRequest request = {
      .account_remote_id = fb.page, .tokens = fb.tokens, .text = text,
      .not_before_us = not_before, .media = media, .uploads = &uploads,
    };

    g_assert_true (sm_platform_find_published (sm_platform_get (SM_NETWORK_FACEBOOK), session,
                                               &request, &found, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (found.remote_id, ==, result.remote_id);

    request.text = other;
    g_assert_true (sm_platform_find_published (sm_platform_get (SM_NETWORK_FACEBOOK), session,
                                               &request, &missing, NULL, &error));
    g_assert_no_error (error);
    g_assert_null (missing.remote_id);
  }
  sm_test_uploads_clear (&h);
}

static void
test_stories (void)
{
  g_autoptr(GPtrArray) photo = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) video = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) first = { .retry_after_us = -1 };
  g_auto(SmPublishResult) second = { .retry_after_us = -1 };
  g_autoptr(GError) error = NULL;
  SmUploadHooks uploads;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  g_ptr_array_add (photo, media_new ("one.jpg", "image/jpeg"));
  g_ptr_array_add (video, media_new ("reel.mp4", "video/mp4"));

  g_assert_true (publish ("", photo, "story", &uploads, &first, &error));
  g_assert_no_error (error);
  assert_post_media (first.remote_id, photo, "image");

  g_assert_true (publish ("", video, "story", &uploads, &second, &error));
  g_assert_no_error (error);
  assert_post_media (second.remote_id, video, "video");
  g_assert_cmpstr (first.remote_id, !=, second.remote_id);
  sm_test_uploads_clear (&h);
}

/* Throttled: the wait comes from the usage headers (section 2.6). */
static void
test_throttled (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GError) error = NULL;
  SmUploadHooks uploads;
  SmTestUploads h;

  if (!ready ())
    return;
  sm_test_uploads_init (&h, &uploads);
  g_ptr_array_add (media, media_new ("one.jpg", "image/jpeg"));

  /* X-Business-Use-Case-Usage says when, in minutes. */
  {
    g_auto(SmPublishResult) result = { .retry_after_us = -1 };

    sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\",\"path\":\"/*/*/photos\","
                           "\"count\":1,\"status\":400,\"body\":{\"error\":{\"message\":\"(#80001) There have "
                           "been too many calls to this Page account.\",\"type\":\"OAuthException\",\"code\":80001}},"
                           "\"headers\":{\"X-Business-Use-Case-Usage\":\"{\\\"109000000000001\\\":[{\\\"type\\\":"
                           "\\\"pages\\\",\\\"call_count\\\":100,\\\"estimated_time_to_regain_access\\\":7}]}\"}}");
    g_assert_false (publish ("throttled", media, NULL, &uploads, &result, &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
    g_assert_cmpint (result.retry_after_us, ==, 7 * G_TIME_SPAN_MINUTE);
    g_clear_error (&error);
  }

  /* Only X-App-Usage: 150 % of a rolling hour's budget. */
  {
    g_auto(SmPublishResult) result = { .retry_after_us = -1 };

    sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\",\"path\":\"/*/*/photos\","
                           "\"count\":1,\"status\":400,\"body\":{\"error\":{\"message\":\"(#4) Application "
                           "request limit reached\",\"type\":\"OAuthException\",\"code\":4,\"is_transient\":true}},"
                           "\"headers\":{\"X-App-Usage\":\"{\\\"call_count\\\":150,\\\"total_cputime\\\":20,"
                           "\\\"total_time\\\":30}\"}}");
    g_assert_false (publish ("throttled", media, NULL, &uploads, &result, &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
    g_assert_cmpint (result.retry_after_us, >=, 20 * G_TIME_SPAN_MINUTE);
    g_assert_cmpint (result.retry_after_us, <=, 21 * G_TIME_SPAN_MINUTE);
    g_assert_nonnull (strstr (error->message, "Facebook"));
  }
  sm_test_uploads_clear (&h);
}

/* A raw call to the sandbox, as a client that gets it wrong would send it. */
static JsonNode *
raw_call (SoupMessage *msg,
          guint        expected_status)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (soup_message_get_status (msg) != expected_status)
    g_error ("expected HTTP %u, got %u: %.*s", expected_status, soup_message_get_status (msg),
             (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));
  return sm_http_parse_json (body, NULL);
}

static SoupMessage *
video_form (const char *phase,
            const char *session_id,
            const char *start,
            gsize       chunk)
{
  g_autofree char *url = g_strdup_printf ("https://" VIDEO_HOST "/v21.0/%s/videos", fb.page);
  g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/form-data");
  SoupMessage *msg = sm_http_message_new ("POST", url, NULL);

  soup_multipart_append_form_string (multipart, "upload_phase", phase);
  if (g_strcmp0 (phase, "start") == 0)
    soup_multipart_append_form_string (multipart, "file_size", "3000000");
  if (session_id != NULL)
    soup_multipart_append_form_string (multipart, "upload_session_id", session_id);
  if (start != NULL)
    soup_multipart_append_form_string (multipart, "start_offset", start);
  if (chunk > 0)
    {
      g_autofree char *zeros = g_malloc0 (chunk);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&zeros), chunk);

      soup_multipart_append_form_file (multipart, "video_file_chunk", "clip.mp4",
                                       "application/octet-stream", bytes);
    }
  {
    g_autoptr(GBytes) body = NULL;

    soup_multipart_to_message (multipart, soup_message_get_request_headers (msg), &body);
    soup_message_set_request_body_from_bytes (msg, NULL, body);
  }
  sm_http_set_bearer (msg, fb.tokens->access_token);
  return msg;
}

/* The sandbox refuses what Facebook refuses: chunks off the window it
 * handed out, rupload without "OAuth" or at the wrong offset, a user
 * token where a Page token is needed. */
static void
test_strict (void)
{
  g_autoptr(SoupMessage) start = NULL;
  g_autoptr(SoupMessage) off = NULL;
  g_autoptr(SoupMessage) short_chunk = NULL;
  g_autoptr(SoupMessage) reel = NULL;
  g_autoptr(SoupMessage) bearer = NULL;
  g_autoptr(SoupMessage) offset = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(JsonNode) reel_started = NULL;
  g_autoptr(JsonNode) tokens = NULL;
  g_autoptr(GBytes) payload = g_bytes_new_static ("0123456789", 10);
  g_autofree char *reel_url = NULL;
  g_autofree char *oauth = NULL;
  const char *session_id;
  const char *user_token = NULL;

  if (!ready ())
    return;

  start = video_form ("start", NULL, NULL, 0);
  started = raw_call (start, 200);
  session_id = sm_json_get_string (started, "upload_session_id");
  g_assert_cmpstr (sm_json_get_string (started, "start_offset"), ==, "0");
  g_assert_cmpstr (sm_json_get_string (started, "end_offset"), ==, "1048576");

  off = video_form ("transfer", session_id, "5", CHUNK);
  refused = raw_call (off, 400);
  g_assert_cmpint (sm_json_get_int (refused, "error.code"), ==, 6000);
  g_clear_pointer (&refused, json_node_unref);
  short_chunk = video_form ("transfer", session_id, "0", 1000);
  refused = raw_call (short_chunk, 400);
  g_assert_cmpint (sm_json_get_int (refused, "error.error_subcode"), ==, 1363037);
  g_clear_pointer (&refused, json_node_unref);

  /* rupload: OAuth, not Bearer; the offset the session has. */
  {
    g_autofree char *url = g_strdup_printf ("https://graph.facebook.com/v21.0/%s/video_reels", fb.page);

    reel = sm_http_message_new ("POST", url, NULL);
    sm_http_set_bearer (reel, fb.tokens->access_token);
    sm_http_set_form_body (reel, "upload_phase", "start", NULL);
    reel_started = raw_call (reel, 200);
    reel_url = g_strdup (sm_json_get_string (reel_started, "upload_url"));
    g_assert_true (g_str_has_prefix (reel_url, "https://rupload.facebook.com/video-upload/"));
  }
  bearer = sm_http_message_new ("POST", reel_url, NULL);
  sm_http_set_bearer (bearer, fb.tokens->access_token);
  soup_message_headers_replace (soup_message_get_request_headers (bearer), "offset", "0");
  soup_message_headers_replace (soup_message_get_request_headers (bearer), "file_size", "10");
  soup_message_set_request_body_from_bytes (bearer, "application/octet-stream", payload);
  refused = raw_call (bearer, 401);
  g_assert_cmpstr (sm_json_get_string (refused, "debug_info.type"), ==, "AuthError");
  g_clear_pointer (&refused, json_node_unref);

  offset = sm_http_message_new ("POST", reel_url, NULL);
  oauth = g_strconcat ("OAuth ", fb.tokens->access_token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (offset), "Authorization", oauth);
  soup_message_headers_replace (soup_message_get_request_headers (offset), "offset", "4");
  soup_message_headers_replace (soup_message_get_request_headers (offset), "file_size", "14");
  soup_message_set_request_body_from_bytes (offset, "application/octet-stream", payload);
  refused = raw_call (offset, 400);
  g_assert_nonnull (strstr (sm_json_get_string (refused, "debug_info.message"), "offset 4"));
  g_clear_pointer (&refused, json_node_unref);

  /* A user token cannot post photos to a Page. */
  tokens = sm_test_net_hook ("GET", "tokens", NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (tokens)); i++)
    {
      JsonNode *token = json_array_get_element (json_node_get_array (tokens), i);

      if (g_strcmp0 (sm_json_get_string (token, "network"), "facebook") == 0
          && g_strcmp0 (sm_json_get_string (token, "type"), "user-long-lived") == 0
          && g_strcmp0 (sm_json_get_string (token, "state"), "valid") == 0)
        user_token = sm_json_get_string (token, "token");
    }
  g_assert_nonnull (user_token);
  {
    g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
    g_auto(SmPublishResult) result = { .retry_after_us = -1 };
    g_autoptr(SmTokens) page_tokens = fb.tokens;
    g_autoptr(GError) error = NULL;
    SmUploadHooks uploads;
    SmTestUploads h;

    sm_test_uploads_init (&h, &uploads);
    g_ptr_array_add (media, media_new ("one.jpg", "image/jpeg"));
    fb.tokens = sm_tokens_new ();
    fb.tokens->access_token = g_strdup (user_token);
    g_assert_false (publish ("with a user token", media, NULL, &uploads, &result, &error));
    /* (#200) a permission the grant lacks: reconnect. */
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
    sm_tokens_free (fb.tokens);
    fb.tokens = g_steal_pointer (&page_tokens);
    sm_test_uploads_clear (&h);
  }
}

/* facebook.first_comment: POST /{post-id}/comments as the Page, through
 * `so-me post` and the publisher (sm_test_first_comment). */
static void
test_first_comment (void)
{
  static const SmTestFirstComment c = {
    .network = "facebook",
    .comment_host = "graph.facebook.com",
    .comment_path = "/v21.0/*/comments",
    .create_host = "graph.facebook.com",
    .create_method = "POST",
    .create_path = "/v21.0/*/feed",
    .refusal = "\"status\":403,\"body\":{\"error\":{\"message\":\"(#200) Permissions error\","
               "\"type\":\"OAuthException\",\"code\":200,\"fbtrace_id\":\"AbCdEf\"}}",
  };

  sm_test_first_comment (&c);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* Before any thread exists: it sets the environment. */
  sm_test_net_spawn ();
  gst_init (&argc, &argv);

  fb.dir = g_dir_make_tmp ("sm-net-facebook-XXXXXX", &error);
  g_assert_no_error (error);
  if (g_find_program_in_path ("gst-launch-1.0") == NULL)
    fb.no_fixtures = g_strdup ("gst-launch-1.0 is not installed");
  else if (!make_fixtures (&error))
    fb.no_fixtures = g_strdup_printf ("no fixtures: %s", error->message);

  g_test_add_func ("/net-facebook/text-link", test_text_link);
  g_test_add_func ("/net-facebook/photo", test_photo);
  g_test_add_func ("/net-facebook/photo-found", test_photo_found);
  g_test_add_func ("/net-facebook/photos", test_photos);
  g_test_add_func ("/net-facebook/video", test_video);
  g_test_add_func ("/net-facebook/video-server-error", test_video_server_error);
  g_test_add_func ("/net-facebook/video-resume", test_video_resume);
  g_test_add_func ("/net-facebook/reel", test_reel);
  g_test_add_func ("/net-facebook/stories", test_stories);
  g_test_add_func ("/net-facebook/throttled", test_throttled);
  g_test_add_func ("/net-facebook/processing-failure", test_processing_failure);
  g_test_add_func ("/net-facebook/reel-limit", test_reel_limit);
  g_test_add_func ("/net-facebook/strict", test_strict);
  g_test_add_func ("/net-facebook/expired", test_expired);
  g_test_add_func ("/net-facebook/first-comment", test_first_comment);

  ret = g_test_run ();

  if (sm_test_net_running ())
    sm_test_net_clear_faults ();
  sm_test_net_stop ();
  {
    g_autoptr(GDir) dir = g_dir_open (fb.dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = fixture (name);

        g_unlink (path);
      }
    g_rmdir (fb.dir);
  }
  g_clear_pointer (&fb.dir, g_free);
  g_clear_pointer (&fb.no_fixtures, g_free);
  g_clear_pointer (&fb.tokens, sm_tokens_free);
  g_clear_pointer (&fb.page, g_free);
  return ret;
}
