/* test-net-x.c — contract tests for X with files and threads: the client
 * (sm-platform-x.c) against the sandbox (so-me-studio-sandbox), and the
 * sandbox's own strictness on the v2 media upload.
 *
 * Every check is something a user would notice: the photos arrive in
 * order and byte for byte, a dropped connection costs one segment and not
 * the file, a restarted publisher goes on where it stopped, a thread never
 * gets a part twice, X's reason for refusing a video reaches the user.
 *
 * The images and the video are made at run time with gst-launch-1.0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-net-x"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sm-http.h"
#include "sm-options.h"
#include "sm-part-stream.h"
#include "sm-platform.h"
#include "sm-store.h"
#include "sm-text.h"
#include "sm-test-net.h"
#include "sm-test-util.h"

#define CLIENT_ID    "sandbox-client"
#define REDIRECT_URI "http://127.0.0.1:8765/callback"
#define API          "https://api.x.com/2"
#define MIB          (1024 * 1024)

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmPublishResult, sm_publish_result_clear)

static const SmClientCredentials creds = { .client_id = (char *) CLIENT_ID };

static struct
{
  guint        serial;
  gint64       next_media_id;
  /* connected with the app's scopes */
  SmTokens    *tokens;
  char        *user;
  /* media made at run time, or why not */
  char        *dir;
  char        *no_media;
} t;

static gboolean
need_connected (void)
{
  if (!sm_test_net_need_sandbox ())
    return FALSE;
  if (t.tokens == NULL)
    {
      g_test_skip ("not connected");
      return FALSE;
    }
  return TRUE;
}

static gboolean
need_media (void)
{
  if (!need_connected ())
    return FALSE;
  if (t.no_media != NULL)
    {
      g_test_skip (t.no_media);
      return FALSE;
    }
  return TRUE;
}

static char *
unique_text (const char *what)
{
  return g_strdup_printf ("X contract test: %s (%u, %" G_GINT64_FORMAT ")", what, ++t.serial,
                          g_get_real_time ());
}

/* ---- connecting ------------------------------------------------------------ */

/* The OAuth flow as the app runs it, the consent approved at once; with
 * @drop_scope left out of the scopes asked for when not NULL. */
static GPtrArray *
connect_x (const char *drop_scope)
{
  SmPlatform *platform = sm_platform_get (SM_NETWORK_X);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *url = NULL;
  GPtrArray *accounts;

  verifier = g_strdup_printf ("%08x%08x%08x%08x%08x%08x%08x%08x", g_random_int (),
                              g_random_int (), g_random_int (), g_random_int (), g_random_int (),
                              g_random_int (), g_random_int (), g_random_int ());
  challenge = sm_test_net_pkce_challenge (verifier);
  url = sm_platform_build_authorize_url (platform, &creds, REDIRECT_URI, "state-x", challenge);
  g_assert_nonnull (strstr (url, "%20media.write"));
  if (drop_scope != NULL)
    {
      g_autofree char *needle = g_strconcat ("%20", drop_scope, NULL);
      g_autoptr(GString) edited = g_string_new (url);

      g_string_replace (edited, needle, "", 0);
      g_free (url);
      url = g_string_free (g_steal_pointer (&edited), FALSE);
    }

  params = sm_test_net_consent (session, url, REDIRECT_URI, 0, NULL);

  accounts = sm_platform_exchange_code (platform, session, &creds,
                                        g_hash_table_lookup (params, "code"), REDIRECT_URI,
                                        verifier, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  return accounts;
}

static void
test_connect (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  SmAccountInfo *account;
  g_auto(GStrv) scopes = NULL;

  if (!sm_test_net_need_sandbox ())
    return;

  accounts = connect_x (NULL);
  account = g_ptr_array_index (accounts, 0);
  /* Uploading media with an OAuth 2.0 user token needs media.write (8.1). */
  scopes = g_strsplit (account->tokens->scope, " ", -1);
  g_assert_true (g_strv_contains ((const char * const *) scopes, "media.write"));
  g_assert_true (g_strv_contains ((const char * const *) scopes, "tweet.write"));

  t.tokens = sm_tokens_copy (account->tokens);
  t.user = g_strdup (account->remote_id);
  g_assert_true (sm_platform_can_publish_media (sm_platform_get (SM_NETWORK_X)));
}

/* ---- files ----------------------------------------------------------------- */

static gboolean
gst_make (const char *pipeline,
          const char *name,
          GError    **error)
{
  g_autofree char *path = g_build_filename (t.dir, name, NULL);
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf ("gst-launch-1.0 -q -e %s ! filesink location=%s",
                                              pipeline, quoted);
  g_auto(GStrv) argv = NULL;
  int status = 0;

  if (!g_shell_parse_argv (command, NULL, &argv, error) ||
      !g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

static void
make_media (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *gst = g_find_program_in_path ("gst-launch-1.0");
  g_autofree char *big = g_malloc0 (5 * MIB + 1);
  g_autofree char *big_path = NULL;

  t.dir = g_dir_make_tmp ("test-net-x-XXXXXX", &error);
  g_assert_no_error (error);
  /* One byte more than a segment may be. */
  big_path = g_build_filename (t.dir, "big.bin", NULL);
  g_file_set_contents (big_path, big, 5 * MIB + 1, &error);
  g_assert_no_error (error);
  if (gst == NULL)
    {
      t.no_media = g_strdup ("gst-launch-1.0 is not installed");
      return;
    }
  /* Four images that differ, and a 3 MB H.264 MP4: noise does not
   * compress, so it makes four 1 MiB segments. */
  if (!gst_make ("videotestsrc pattern=snow num-buffers=1 ! video/x-raw,width=320,height=240 "
                 "! pngenc", "one.png", &error) ||
      !gst_make ("videotestsrc pattern=smpte num-buffers=1 ! video/x-raw,width=330,height=240 "
                 "! jpegenc", "two.jpg", &error) ||
      !gst_make ("videotestsrc pattern=ball num-buffers=1 ! video/x-raw,width=340,height=240 "
                 "! pngenc", "three.png", &error) ||
      !gst_make ("videotestsrc pattern=snow num-buffers=1 ! video/x-raw,width=350,height=240 "
                 "! jpegenc", "four.jpg", &error) ||
      !gst_make ("videotestsrc pattern=snow num-buffers=90 "
                 "! video/x-raw,width=640,height=360,framerate=30/1 "
                 "! x264enc speed-preset=ultrafast bitrate=8000 ! mp4mux", "clip.mp4", &error))
    t.no_media = g_strdup_printf ("could not make the media: %s", error->message);
}

static void
remove_media (void)
{
  g_autoptr(GDir) dir = t.dir != NULL ? g_dir_open (t.dir, 0, NULL) : NULL;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (t.dir, name, NULL);

      g_unlink (path);
    }
  if (t.dir != NULL)
    g_rmdir (t.dir);
}

/* A file of the post, as the store hands it to the publisher. */
static SmPostMedia *
post_media (const char *name)
{
  SmPostMedia *media = g_new0 (SmPostMedia, 1);
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  media->id = ++t.next_media_id;
  media->path = g_build_filename (t.dir, name, NULL);
  g_file_get_contents (media->path, &contents, &len, &error);
  g_assert_no_error (error);
  media->size_bytes = (gint64) len;
  media->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  media->mime_type = g_strdup (g_str_has_suffix (name, ".png") ? "image/png" :
                               g_str_has_suffix (name, ".jpg") ? "image/jpeg" :
                               g_str_has_suffix (name, ".gif") ? "image/gif" : "video/mp4");
  return media;
}

static GPtrArray *
media_list (const char *first,
            ...)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  va_list args;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    g_ptr_array_add (list, post_media (name));
  va_end (args);
  return list;
}

/* ---- upload hooks, as the publisher's store keeps them --------------------- */

/* X reports progress over all the files of a post: it never goes back. */
static void
hooks_init (SmTestUploads *hooks)
{
  sm_test_uploads_init (hooks, NULL);
  hooks->monotonic = TRUE;
}

static gboolean
publish_full (const SmTokens   *tokens,
              const char       *text,
              GPtrArray        *media,
              GHashTable       *options,
              SmTestUploads    *hooks,
              gint64            not_before,
              SmPublishResult  *result,
              GError          **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmUploadHooks uploads;
  SmPublishRequest request = {
    .account_remote_id = t.user,
    .tokens = tokens,
    .text = text,
    .not_before_us = not_before,
    .media = media,
    .options = options,
    .uploads = hooks != NULL ? &uploads : NULL,
  };

  if (hooks != NULL)
    {
      /* Each run's progress starts from nothing. */
      hooks->last_sent = 0;
      sm_test_uploads_bind (hooks, &uploads);
    }
  return sm_platform_publish (sm_platform_get (SM_NETWORK_X), session, &request, result, NULL,
                              error);
}

static gboolean
find_full (const char       *text,
           GPtrArray        *media,
           GHashTable       *options,
           gint64            not_before,
           SmPublishResult  *result,
           GError          **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmPublishRequest request = {
    .account_remote_id = t.user,
    .tokens = t.tokens,
    .text = text,
    .not_before_us = not_before,
    .media = media,
    .options = options,
  };

  return sm_platform_find_published (sm_platform_get (SM_NETWORK_X), session, &request, result,
                                     NULL, error);
}

/* The files the sandbox recorded for @post are @media, in order. */
static void
assert_post_media (JsonNode   *post,
                   GPtrArray  *media,
                   const char *kind)
{
  JsonNode *list = sm_json_get_node (post, "media");

  g_assert_nonnull (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, media->len);
  for (guint i = 0; i < media->len; i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (list), i);
      SmPostMedia *file = g_ptr_array_index (media, i);

      g_assert_cmpstr (sm_json_get_string (item, "kind"), ==, kind);
      g_assert_cmpint (sm_json_get_int (item, "bytes"), ==, file->size_bytes);
      g_assert_cmpstr (sm_json_get_string (item, "sha256"), ==, file->sha256);
    }
}

/* ---- images, video --------------------------------------------------------- */

static void
test_images (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("four images");
  g_auto(SmPublishResult) result = { NULL };
  g_auto(SmTestUploads) hooks = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(GPtrArray) inits = NULL;
  guint64 total = 0;
  guint mark;

  hooks_init (&hooks);
  if (!need_media ())
    return;

  media = media_list ("one.png", "two.jpg", "three.png", "four.jpg", NULL);
  for (guint i = 0; i < media->len; i++)
    total += ((SmPostMedia *) g_ptr_array_index (media, i))->size_bytes;

  mark = sm_test_net_requests_mark ();
  g_assert_true (publish_full (t.tokens, text, media, NULL, &hooks, g_get_real_time (), &result,
                               &error));
  g_assert_no_error (error);
  g_assert_nonnull (result.remote_id);
  g_assert_true (g_str_has_suffix (result.permalink, result.remote_id));

  /* One post, its four images in order, byte for byte. */
  post = sm_test_net_post ("x", result.remote_id);
  g_assert_nonnull (post);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, text);
  assert_post_media (post, media, "image");

  /* Each went up once, and the finished uploads were saved for a retry. */
  inits = sm_test_net_requests_since (mark, "POST", NULL, "/2/media/upload/initialize");
  g_assert_cmpuint (inits->len, ==, 4);
  for (guint i = 0; i < media->len; i++)
    {
      SmUploadState *state = sm_test_uploads_get (&hooks, ((SmPostMedia *) g_ptr_array_index (media, i))->id);

      g_assert_nonnull (state);
      g_assert_nonnull (state->remote_media_id);
    }
  g_assert_cmpuint (hooks.last_sent, ==, total);
  g_assert_cmpuint (hooks.last_total, ==, total);

  /* Sent again (a retry after the post was lost), nothing is uploaded
   * again: the media ids are reused. */
  {
    g_auto(SmPublishResult) again = { NULL };
    g_autofree char *other = unique_text ("four images again");
    g_autoptr(GPtrArray) media_calls = NULL;
    g_autoptr(JsonNode) second = NULL;

    mark = sm_test_net_requests_mark ();
    g_assert_true (publish_full (t.tokens, other, media, NULL, &hooks, g_get_real_time (), &again,
                                 &error));
    g_assert_no_error (error);
    media_calls = sm_test_net_requests_since (mark, "*", NULL, "/2/media/*");
    g_assert_cmpuint (media_calls->len, ==, 0);
    second = sm_test_net_post ("x", again.remote_id);
    assert_post_media (second, media, "image");
  }
}

static void
test_video (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("a video");
  g_auto(SmPublishResult) result = { NULL };
  g_auto(SmTestUploads) hooks = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(GPtrArray) appends = NULL;
  g_autoptr(GPtrArray) polls = NULL;
  g_autoptr(GPtrArray) tweets = NULL;
  SmPostMedia *clip;
  gint64 started;
  guint mark;

  hooks_init (&hooks);
  if (!need_media ())
    return;

  media = media_list ("clip.mp4", NULL);
  clip = g_ptr_array_index (media, 0);
  g_assert_cmpint (clip->size_bytes, >, 2 * MIB);

  mark = sm_test_net_requests_mark ();
  started = g_get_monotonic_time ();
  g_assert_true (publish_full (t.tokens, text, media, NULL, &hooks, g_get_real_time (), &result,
                               &error));
  g_assert_no_error (error);

  post = sm_test_net_post ("x", result.remote_id);
  g_assert_nonnull (post);
  assert_post_media (post, media, "video");

  /* 1 MiB segments, each sent once; processing took its two seconds and
   * was polled, and the post came only after it. */
  appends = sm_test_net_requests_since (mark, "POST", NULL, "/2/media/upload/*/append");
  g_assert_cmpuint (appends->len, ==, (clip->size_bytes + MIB - 1) / MIB);
  g_assert_cmpuint (sm_test_net_count_status (appends, 200), ==, appends->len);
  polls = sm_test_net_requests_since (mark, "GET", NULL, "/2/media/upload");
  g_assert_cmpuint (polls->len, >=, 1);
  g_assert_cmpuint (sm_test_net_count_status (polls, 200), ==, polls->len);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 2 * G_USEC_PER_SEC);
  tweets = sm_test_net_requests_since (mark, "POST", NULL, "/2/tweets");
  g_assert_cmpuint (tweets->len, ==, 1);
  g_assert_cmpuint (sm_test_net_count_status (tweets, 201), ==, 1);
  g_assert_cmpuint (hooks.last_sent, ==, (guint64) clip->size_bytes);
}

/* A 503 on segment 2: that segment is sent again, the others once. */
static void
test_append_server_error (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("a video through a 503");
  g_auto(SmPublishResult) result = { NULL };
  g_auto(SmTestUploads) hooks = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(GPtrArray) appends = NULL;
  SmPostMedia *clip;
  guint segments;
  guint64 received = 0;
  guint mark;

  hooks_init (&hooks);
  if (!need_media ())
    return;

  media = media_list ("clip.mp4", NULL);
  clip = g_ptr_array_index (media, 0);
  segments = (clip->size_bytes + MIB - 1) / MIB;
  hooks.fault_media = clip->id;
  hooks.fault_after = 2 * MIB;
  hooks.fault = "{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/media/upload/*/append\","
                "\"status\":503,\"body\":{\"title\":\"Service Unavailable\",\"status\":503,"
                "\"type\":\"about:blank\",\"detail\":\"Service Unavailable\"}}";

  mark = sm_test_net_requests_mark ();
  g_assert_true (publish_full (t.tokens, text, media, NULL, &hooks, g_get_real_time (), &result,
                               &error));
  g_assert_no_error (error);
  g_assert_true (hooks.fault_added);

  post = sm_test_net_post ("x", result.remote_id);
  g_assert_nonnull (post);
  assert_post_media (post, media, "video");

  /* One request more than there are segments: the refused one. */
  appends = sm_test_net_requests_since (mark, "POST", NULL, "/2/media/upload/*/append");
  g_assert_cmpuint (appends->len, ==, segments + 1);
  g_assert_cmpuint (sm_test_net_count_status (appends, 503), ==, 1);
  g_assert_cmpuint (sm_test_net_count_status (appends, 200), ==, segments);
  g_assert_cmpint (sm_json_get_int (g_ptr_array_index (appends, 2), "status"), ==, 503);
  for (guint i = 0; i < appends->len; i++)
    received += sm_json_get_int (g_ptr_array_index (appends, i), "body_bytes");
  /* The file, one segment again, and a little multipart framing each. */
  g_assert_cmpuint (received, >, (guint64) clip->size_bytes + MIB);
  g_assert_cmpuint (received, <, (guint64) clip->size_bytes + MIB + (segments + 1) * 1024);
}

/* The answer to segment 1 is lost after X stored it: sent again, X
 * refuses it as a duplicate, and the upload starts over rather than
 * guessing; what arrives is still the file. */
static void
test_append_answer_lost (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("a video whose segment answer was lost");
  g_auto(SmPublishResult) result = { NULL };
  g_auto(SmTestUploads) hooks = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(GPtrArray) inits = NULL;
  g_autoptr(GPtrArray) appends = NULL;
  SmPostMedia *clip;
  guint segments;
  guint mark;

  hooks_init (&hooks);
  if (!need_media ())
    return;

  media = media_list ("clip.mp4", NULL);
  clip = g_ptr_array_index (media, 0);
  segments = (clip->size_bytes + MIB - 1) / MIB;
  hooks.fault_media = clip->id;
  hooks.fault_after = MIB;
  hooks.fault = "{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/media/upload/*/append\","
                "\"drop\":true}";

  mark = sm_test_net_requests_mark ();
  g_assert_true (publish_full (t.tokens, text, media, NULL, &hooks, g_get_real_time (), &result,
                               &error));
  g_assert_no_error (error);
  post = sm_test_net_post ("x", result.remote_id);
  g_assert_nonnull (post);
  assert_post_media (post, media, "video");

  inits = sm_test_net_requests_since (mark, "POST", NULL, "/2/media/upload/initialize");
  g_assert_cmpuint (inits->len, ==, 2);
  /* Two of the first upload, the refused duplicate, then all of them. */
  appends = sm_test_net_requests_since (mark, "POST", NULL, "/2/media/upload/*/append");
  g_assert_cmpuint (appends->len, ==, 2 + 1 + segments);
  g_assert_cmpuint (sm_test_net_count_status (appends, 400), ==, 1);
}

/* A publisher that stopped mid-upload (here: the connection cut in
 * segment 2 on every try) goes on from the segment it saved; a media id
 * past its life starts over. */
static void
test_resume (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("a video, resumed");
  g_auto(SmPublishResult) result = { NULL };
  g_auto(SmTestUploads) hooks = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(GPtrArray) appends = NULL;
  g_autoptr(GPtrArray) inits = NULL;
  g_autofree char *session = NULL;
  SmUploadState *state;
  SmPostMedia *clip;
  guint segments;
  guint64 received = 0;
  guint mark;

  hooks_init (&hooks);
  if (!need_media ())
    return;

  media = media_list ("clip.mp4", NULL);
  clip = g_ptr_array_index (media, 0);
  segments = (clip->size_bytes + MIB - 1) / MIB;
  hooks.fault_media = clip->id;
  hooks.fault_after = 2 * MIB;
  hooks.fault = "{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/media/upload/*/append\","
                "\"count\":5,\"drop_after_bytes\":300000}";

  mark = sm_test_net_requests_mark ();
  g_assert_false (publish_full (t.tokens, text, media, NULL, &hooks, g_get_real_time (), &result,
                                &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_clear_error (&error);
  g_assert_null (result.remote_id);
  state = sm_test_uploads_get (&hooks, clip->id);
  g_assert_nonnull (state);
  g_assert_nonnull (state->session);
  g_assert_null (state->remote_media_id);
  g_assert_cmpint (state->acknowledged, ==, 2 * MIB);
  session = g_strdup (state->session);
  sm_test_net_clear_faults ();

  /* The next publisher: the same saved state, the same media id, segment
   * 2 onwards. */
  {
    guint second = sm_test_net_requests_mark ();

    g_assert_true (publish_full (t.tokens, text, media, NULL, &hooks, g_get_real_time (), &result,
                                 &error));
    g_assert_no_error (error);
    inits = sm_test_net_requests_since (second, "POST", NULL, "/2/media/upload/initialize");
    g_assert_cmpuint (inits->len, ==, 0);
    g_clear_pointer (&appends, g_ptr_array_unref);
    appends = sm_test_net_requests_since (second, "POST", NULL, "/2/media/upload/*/append");
    g_assert_cmpuint (appends->len, ==, segments - 2);
    g_assert_cmpuint (sm_test_net_count_status (appends, 200), ==, segments - 2);
  }
  post = sm_test_net_post ("x", result.remote_id);
  g_assert_nonnull (post);
  assert_post_media (post, media, "video");

  /* Across both: every byte once, plus the five cut tries of 300000. */
  g_clear_pointer (&appends, g_ptr_array_unref);
  appends = sm_test_net_requests_since (mark, "POST", NULL, "/2/media/upload/*/append");
  for (guint i = 0; i < appends->len; i++)
    if (sm_json_get_int (g_ptr_array_index (appends, i), "status") == 200)
      received += sm_json_get_int (g_ptr_array_index (appends, i), "body_bytes");
  g_assert_cmpuint (received, >, (guint64) clip->size_bytes);
  g_assert_cmpuint (received, <, (guint64) clip->size_bytes + segments * 1024);
  g_assert_cmpuint (sm_test_net_count_status (appends, 0), ==, 5);

  /* The same file saved half way with a media id that has expired: a new
   * upload from the start. */
  {
    g_auto(SmPublishResult) fresh = { NULL };
    g_autofree char *other = unique_text ("a video, its upload expired");
    g_auto(GStrv) fields = g_strsplit (session, " ", -1);
    g_autofree char *expired = NULL;
    guint third;

    g_assert_cmpuint (g_strv_length (fields), ==, 4);
    expired = g_strdup_printf ("%s %" G_GINT64_FORMAT " %s 0", fields[0],
                               g_get_real_time () / G_USEC_PER_SEC - 60, fields[2]);
    sm_test_uploads_save (&hooks, clip->id, expired, 2 * MIB, NULL);

    third = sm_test_net_requests_mark ();
    g_assert_true (publish_full (t.tokens, other, media, NULL, &hooks, g_get_real_time (), &fresh,
                                 &error));
    g_assert_no_error (error);
    g_clear_pointer (&inits, g_ptr_array_unref);
    inits = sm_test_net_requests_since (third, "POST", NULL, "/2/media/upload/initialize");
    g_assert_cmpuint (inits->len, ==, 1);
    g_clear_pointer (&appends, g_ptr_array_unref);
    appends = sm_test_net_requests_since (third, "POST", NULL, "/2/media/upload/*/append");
    g_assert_cmpuint (appends->len, ==, segments);
    g_clear_pointer (&post, json_node_unref);
    post = sm_test_net_post ("x", fresh.remote_id);
    assert_post_media (post, media, "video");
  }
}

/* X's processing fails: a permanent error in X's words, nothing posted,
 * nothing kept to resume. */
static void
test_processing_failed (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *text = unique_text ("a video X cannot process");
  g_auto(SmPublishResult) result = { NULL };
  g_auto(SmTestUploads) hooks = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) armed = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  SmUploadState *state;

  hooks_init (&hooks);
  if (!need_media ())
    return;

  media = media_list ("clip.mp4", NULL);
  armed = sm_test_net_hook ("POST", "x/media-failure", "{\"message\":\"Unsupported video format\"}");

  g_assert_false (publish_full (t.tokens, text, media, NULL, &hooks, g_get_real_time (), &result,
                                &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "Unsupported video format"));
  g_assert_nonnull (strstr (error->message, "clip.mp4"));
  posts = sm_test_net_posts_with_text ("x", text);
  g_assert_cmpuint (posts->len, ==, 0);
  state = sm_test_uploads_get (&hooks, ((SmPostMedia *) g_ptr_array_index (media, 0))->id);
  g_assert_nonnull (state);
  g_assert_null (state->session);
  g_assert_null (state->remote_media_id);
}

/* A grant without media.write cannot upload: the user must reconnect. */
static void
test_missing_scope (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(SmTokens) stale = NULL;
  g_autofree char *text = unique_text ("an image without media.write");
  g_auto(SmTestUploads) hooks = { 0 };
  g_autoptr(GError) error = NULL;
  SmAccountInfo *account;
  guint mark;

  hooks_init (&hooks);
  if (!need_media ())
    return;

  accounts = connect_x ("media.write");
  account = g_ptr_array_index (accounts, 0);
  g_assert_null (strstr (account->tokens->scope, "media.write"));
  media = media_list ("one.png", NULL);

  /* The grant says what it allows: nothing is sent. */
  {
    g_auto(SmPublishResult) result = { NULL };

    mark = sm_test_net_requests_mark ();
    g_assert_false (publish_full (account->tokens, text, media, NULL, &hooks, g_get_real_time (),
                                  &result, &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
    g_assert_nonnull (strstr (error->message, "media.write"));
    g_clear_error (&error);
    calls = sm_test_net_requests_since (mark, "*", NULL, "/2/*");
    g_assert_cmpuint (calls->len, ==, 0);
  }

  /* A token whose recorded scope is wrong: the sandbox refuses it as X
   * does, with 403, and that says the same. */
  {
    g_auto(SmPublishResult) result = { NULL };

    stale = sm_tokens_copy (account->tokens);
    g_free (stale->scope);
    stale->scope = g_strdup ("tweet.read tweet.write users.read offline.access media.write");
    mark = sm_test_net_requests_mark ();
    g_assert_false (publish_full (stale, text, media, NULL, &hooks, g_get_real_time (), &result,
                                  &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
    g_clear_pointer (&calls, g_ptr_array_unref);
    calls = sm_test_net_requests_since (mark, "POST", NULL, "/2/media/upload/initialize");
    g_assert_cmpuint (calls->len, ==, 1);
    g_assert_cmpint (sm_json_get_int (g_ptr_array_index (calls, 0), "status"), ==, 403);
  }
}

/* ---- threads --------------------------------------------------------------- */

static GHashTable *
thread_options (void)
{
  GHashTable *options = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (options, (gpointer) "x.thread", (gpointer) "true");
  return options;
}

/* The posts of a thread, found by their texts: each one once, each a
 * reply to the one before; the first's id. */
static char *
assert_chain (char **parts)
{
  g_autofree char *previous = NULL;
  char *first = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) found = sm_test_net_posts_with_text ("x", parts[i]);
      JsonNode *post;

      g_assert_cmpuint (found->len, ==, 1);
      post = g_ptr_array_index (found, 0);
      g_assert_cmpstr (sm_json_get_string (post, "reply_to"), ==, previous);
      g_free (previous);
      previous = g_strdup (sm_json_get_string (post, "id"));
      if (first == NULL)
        first = g_strdup (previous);
    }
  return first;
}

static char *
thread_text (const char *what,
             char     ***parts_out)
{
  g_autofree char *a = unique_text (what);
  g_autofree char *b = unique_text ("second part");
  g_autofree char *c = unique_text ("third part");
  char *text = g_strdup_printf ("%s\n\n---\n%s\n---\n\n%s\n", a, b, c);

  *parts_out = g_strdupv ((char *[]) { a, b, c, NULL });
  return text;
}

static void
test_thread (void)
{
  g_autoptr(GHashTable) options = thread_options ();
  g_autoptr(GPtrArray) media = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *text = thread_text ("a thread", &parts);
  g_autofree char *first = NULL;
  g_auto(SmPublishResult) result = { NULL };
  g_auto(SmPublishResult) found = { NULL };
  g_auto(SmTestUploads) hooks = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  gint64 not_before = g_get_real_time ();

  hooks_init (&hooks);
  if (!need_media ())
    return;

  media = media_list ("two.jpg", NULL);
  g_assert_true (publish_full (t.tokens, text, media, options, &hooks, not_before, &result,
                               &error));
  g_assert_no_error (error);

  /* Three posts, a chain, the first one's id is the target's, and the
   * image went with the first. */
  first = assert_chain (parts);
  g_assert_cmpstr (result.remote_id, ==, first);
  post = sm_test_net_post ("x", first);
  assert_post_media (post, media, "image");
  {
    g_autoptr(GPtrArray) last = sm_test_net_posts_with_text ("x", parts[2]);

    g_assert_null (sm_json_get_node (g_ptr_array_index (last, 0), "media"));
  }

  /* Reconciliation finds the whole thread, by the first part's id. */
  g_assert_true (find_full (text, media, options, not_before, &found, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (found.remote_id, ==, first);

  /* Deleting the post deletes the whole thread; a second time is no error. */
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(SoupSession) session = sm_http_session_new ();
      g_auto(SmPublishResult) deleted = { NULL };
      SmPublishRequest request = {
        .account_remote_id = t.user,
        .tokens = t.tokens,
        .text = text,
        .not_before_us = not_before,
        .media = media,
        .options = options,
        .remote_id = first,
      };

      g_assert_true (sm_platform_delete_published (sm_platform_get (SM_NETWORK_X), session,
                                                   &request, &deleted, NULL, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) gone = sm_test_net_posts_with_text ("x", parts[i]);

      g_assert_cmpuint (gone->len, ==, 1);
      g_assert_true (json_object_get_boolean_member (json_node_get_object (g_ptr_array_index (gone, 0)), "deleted"));
    }
}

/* The third POST /2/tweets fails: the retry posts only the third part. */
static void
test_thread_resume (void)
{
  g_autoptr(GHashTable) options = thread_options ();
  g_auto(GStrv) parts = NULL;
  g_autofree char *text = thread_text ("a thread cut after part 2", &parts);
  g_autofree char *first = NULL;
  g_auto(SmPublishResult) result = { NULL };
  g_auto(SmPublishResult) found = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tweets = NULL;
  gint64 not_before = g_get_real_time ();
  guint mark;

  if (!need_connected ())
    return;

  /* Faults are taken in the order added: the first passes two posts
   * through untouched, the second answers the third. */
  sm_test_net_add_fault ("{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/tweets\",\"count\":2,"
                         "\"delay_ms\":1}");
  sm_test_net_add_fault ("{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/tweets\",\"count\":1,"
                         "\"status\":503}");
  g_assert_false (publish_full (t.tokens, text, NULL, options, NULL, not_before, &result, &error));
  /* A 5xx on a create: it may have gone out. */
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "part 3 of 3"));
  g_clear_error (&error);
  g_assert_null (result.remote_id);
  {
    g_autoptr(GPtrArray) third = sm_test_net_posts_with_text ("x", parts[2]);

    g_assert_cmpuint (third->len, ==, 0);
  }

  /* Reconciliation: part 3 is not out, so the thread is not. */
  g_assert_true (find_full (text, NULL, options, not_before, &found, &error));
  g_assert_no_error (error);
  g_assert_null (found.remote_id);

  /* Sent again: only part 3, as a reply to part 2. */
  mark = sm_test_net_requests_mark ();
  g_assert_true (publish_full (t.tokens, text, NULL, options, NULL, not_before, &result, &error));
  g_assert_no_error (error);
  tweets = sm_test_net_requests_since (mark, "POST", NULL, "/2/tweets");
  g_assert_cmpuint (tweets->len, ==, 1);
  first = assert_chain (parts);
  g_assert_cmpstr (result.remote_id, ==, first);

  /* And once more, as after a lost answer to the last part: nothing. */
  {
    g_auto(SmPublishResult) again = { NULL };

    mark = sm_test_net_requests_mark ();
    g_assert_true (publish_full (t.tokens, text, NULL, options, NULL, not_before, &again, &error));
    g_assert_no_error (error);
    g_clear_pointer (&tweets, g_ptr_array_unref);
    tweets = sm_test_net_requests_since (mark, "POST", NULL, "/2/tweets");
    g_assert_cmpuint (tweets->len, ==, 0);
    g_assert_cmpstr (again.remote_id, ==, first);
  }
}

static void
test_thread_text (void)
{
  g_auto(GStrv) parts = sm_text_split_thread ("One\n---\n\nTwo\n  ---  \r\nThree\n---\n");
  g_auto(GStrv) single = sm_text_split_thread ("No break --- here\n----\n");
  g_autofree char *long_part = g_strnfill (281, 'a');
  g_autofree char *thread = g_strdup_printf ("Short\n---\n%s", long_part);
  g_autofree char *message = NULL;
  g_autofree char *option_message = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_assert_cmpstr (parts[0], ==, "One");
  g_assert_cmpstr (parts[1], ==, "Two");
  g_assert_cmpstr (parts[2], ==, "Three");
  g_assert_cmpuint (g_strv_length (single), ==, 1);
  g_assert_cmpstr (single[0], ==, "No break --- here\n----");

  /* Each part is counted on its own. */
  g_assert_false (sm_text_check (SM_NETWORK_X, thread, NULL));
  g_assert_false (sm_text_check_thread (SM_NETWORK_X, thread, &message));
  g_assert_cmpstr (message, ==, "Part 2 of 2 of the thread: X allows 280 characters; "
                                "this text is 1 over.");
  g_clear_pointer (&message, g_free);
  g_clear_pointer (&thread, g_free);
  thread = g_strdup_printf ("%s\n---\n%s", long_part + 1, long_part + 1);
  g_assert_false (sm_text_check (SM_NETWORK_X, thread, NULL));
  g_assert_true (sm_text_check_thread (SM_NETWORK_X, thread, &message));

  g_assert_true (sm_options_check ("x.thread", "true", &option_message));
  g_assert_false (sm_options_check ("x.thread", "maybe", &option_message));
  g_assert_cmpint (sm_options_network ("x.thread"), ==, SM_NETWORK_X);
}

/* The whole way: `so-me post` checks each part, the publisher (its store
 * keeping the upload) sends the thread with the image on its first part. */
static void
test_publisher_thread (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(SmPostMedia) image = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *long_part = g_strnfill (281, 'x');
  g_autofree char *too_long = g_strdup_printf ("Fine\n---\n%s", long_part);
  g_autofree char *a = g_strnfill (200, 'a');
  g_autofree char *b = g_strnfill (200, 'b');
  g_autofree char *text = g_strdup_printf ("%s\n---\n%s\n---\nThe end.", a, b);
  g_auto(GStrv) parts = g_strdupv ((char *[]) { a, b, (char *) "The end.", NULL });
  g_autofree char *first = NULL;
  SmTestWait w = { NULL, 0, "published" };

  if (g_getenv ("SM_PREFIX") == NULL)
    {
      g_test_skip ("SM_PREFIX is not set (run under tests/run-headless)");
      return;
    }
  if (t.no_media != NULL)
    {
      g_test_skip (t.no_media);
      return;
    }

  p = sm_test_profile_new ();
  sm_test_profile_activate (p);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, sm_test_connect (p, "x"));
  image = post_media ("one.png");

  /* A part over X's limit is refused before anything is saved, by part. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--option", "x.thread=true", too_long, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Part 2 of 2 of the thread"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* 410 characters in all: too long as one post, fine as a thread. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now", text,
                                NULL), ==, 1);
  g_assert_nonnull (strstr (err, "X allows 280"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--media", image->path, "--option", "x.thread=true", text, NULL),
                   ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));
  w.profile = p;
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 120));

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (posts)), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonNode *post = json_array_get_element (json_node_get_array (posts), i);

      g_assert_cmpstr (sm_json_get_string (post, "text"), ==, parts[i]);
      g_assert_cmpstr (sm_json_get_string (post, "reply_to"), ==, first);
      g_free (first);
      first = g_strdup (sm_json_get_string (post, "id"));
      if (i == 0)
        {
          g_assert_cmpstr (sm_json_get_string (post, "media.0.sha256"), ==, image->sha256);
          g_assert_cmpint (sm_json_get_int (post, "media.0.bytes"), ==, image->size_bytes);
        }
      else
        g_assert_null (sm_json_get_node (post, "media"));
    }
}

/* ---- rate limits ----------------------------------------------------------- */

static void
test_rate_limits (void)
{
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  if (!need_media ())
    return;

  /* The 15-minute window. */
  {
    g_autofree char *text = unique_text ("rate limited");
    g_auto(SmPublishResult) result = { NULL };

    sm_test_net_add_fault ("{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/tweets\",\"status\":429,"
                           "\"body\":{\"title\":\"Too Many Requests\",\"type\":\"about:blank\",\"status\":429,"
                           "\"detail\":\"Too Many Requests\"},\"headers\":{\"x-rate-limit-limit\":\"100\","
                           "\"x-rate-limit-remaining\":\"0\",\"x-rate-limit-reset\":\"%" G_GINT64_FORMAT "\","
                           "\"x-user-limit-24hour-limit\":\"300\",\"x-user-limit-24hour-remaining\":\"12\","
                           "\"x-user-limit-24hour-reset\":\"%" G_GINT64_FORMAT "\"}}",
                           now_s + 600, now_s + 80000);
    g_assert_false (publish_full (t.tokens, text, NULL, NULL, NULL, g_get_real_time (), &result,
                                  &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
    g_clear_error (&error);
    g_assert_cmpint (result.retry_after_us, >, 590 * G_USEC_PER_SEC);
    g_assert_cmpint (result.retry_after_us, <=, 600 * G_USEC_PER_SEC);
  }

  /* The day's posts used up: wait for the 24-hour reset, not the window. */
  {
    g_autofree char *text = unique_text ("daily cap");
    g_auto(SmPublishResult) result = { NULL };

    sm_test_net_add_fault ("{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/tweets\",\"status\":429,"
                           "\"headers\":{\"x-rate-limit-remaining\":\"40\",\"x-rate-limit-reset\":\"%"
                           G_GINT64_FORMAT "\",\"x-user-limit-24hour-remaining\":\"0\","
                           "\"x-user-limit-24hour-reset\":\"%" G_GINT64_FORMAT "\"}}",
                           now_s + 600, now_s + 80000);
    g_assert_false (publish_full (t.tokens, text, NULL, NULL, NULL, g_get_real_time (), &result,
                                  &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
    g_clear_error (&error);
    g_assert_cmpint (result.retry_after_us, >, G_GINT64_CONSTANT (79990) * G_USEC_PER_SEC);
    g_assert_cmpint (result.retry_after_us, <=, G_GINT64_CONSTANT (80000) * G_USEC_PER_SEC);
  }

  /* On an upload call too. */
  {
    g_autofree char *text = unique_text ("upload rate limited");
    g_auto(SmPublishResult) result = { NULL };
    g_auto(SmTestUploads) hooks = { 0 };

    hooks_init (&hooks);
    media = media_list ("one.png", NULL);
    sm_test_net_add_fault ("{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/media/upload/initialize\","
                           "\"status\":429,\"headers\":{\"x-rate-limit-remaining\":\"0\","
                           "\"x-rate-limit-reset\":\"%" G_GINT64_FORMAT "\"}}", now_s + 300);
    g_assert_false (publish_full (t.tokens, text, media, NULL, &hooks, g_get_real_time (), &result,
                                  &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
    g_clear_error (&error);
    g_assert_cmpint (result.retry_after_us, >, 290 * G_USEC_PER_SEC);
    g_assert_cmpint (result.retry_after_us, <=, 300 * G_USEC_PER_SEC);
  }
}

/* ---- the sandbox's strictness ------------------------------------------- */

/* A raw call to X with the connected account's token; the status, and the
 * JSON answer in *@answer. */
static guint
call (const char   *method,
      const char   *url,
      const char   *json,
      JsonNode    **answer,
      SoupMessage **msg_out)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  msg = sm_http_message_new (method, url, &error);
  g_assert_no_error (error);
  sm_http_set_bearer (msg, t.tokens->access_token);
  if (json != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (json, &error);

      g_assert_no_error (error);
      sm_http_set_json_body (msg, node);
    }
  body = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  status = soup_message_get_status (msg);
  g_test_message ("%s %s → %u %.*s", method, url, status, (int) g_bytes_get_size (body),
                  (const char *) g_bytes_get_data (body, NULL));
  if (answer != NULL)
    *answer = sm_http_parse_json (body, NULL);
  if (msg_out != NULL)
    *msg_out = g_steal_pointer (&msg);
  return status;
}

/* A multipart POST to @url: @fields and the "media" part, @length bytes of
 * @path from @offset. */
static guint
post_multipart (const char         *url,
                const char * const *fields,
                const char         *path,
                goffset             offset,
                goffset             length,
                JsonNode          **answer)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, &error);

  g_assert_no_error (error);
  msg = sm_http_message_new ("POST", url, &error);
  g_assert_no_error (error);
  sm_http_set_bearer (msg, t.tokens->access_token);
  sm_part_stream_set_form_body (msg, fields, "media", "blob", "application/octet-stream",
                                G_INPUT_STREAM (in), offset, length);
  body = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (answer != NULL)
    *answer = sm_http_parse_json (body, NULL);
  return soup_message_get_status (msg);
}

/* APPEND of @length bytes of @path from @offset as segment @index. */
static guint
append (const char  *media_id,
        const char  *path,
        goffset      offset,
        goffset      length,
        guint        index,
        JsonNode   **answer)
{
  g_autofree char *url = g_strdup_printf (API "/media/upload/%s/append", media_id);
  g_autofree char *index_text = g_strdup_printf ("%u", index);
  const char *fields[] = { "segment_index", index_text, NULL };

  return post_multipart (url, fields, path, offset, length, answer);
}

static char *
initialize (const char *type,
            const char *category,
            gint64      total)
{
  g_autofree char *json = g_strdup_printf ("{\"media_type\":\"%s\",\"total_bytes\":%" G_GINT64_FORMAT
                                           ",\"media_category\":\"%s\"}", type, total, category);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_assert_cmpuint (call ("POST", API "/media/upload/initialize", json, &answer, &msg), ==, 200);
  /* The rate-limit headers come with media calls too. */
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                  "x-rate-limit-remaining"));
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                  "x-rate-limit-reset"));
  g_assert_cmpint (sm_json_get_int (answer, "data.expires_after_secs"), >, 0);
  return g_strdup (sm_json_get_string (answer, "data.id"));
}

/* @answer is read after @status was computed (argument order is not). */
static void
assert_invalid (guint       status,
                JsonNode  **answer,
                const char *words)
{
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (sm_json_get_string (*answer, "title"), ==, "Invalid Request");
  if (words != NULL)
    g_assert_nonnull (strstr (sm_json_get_string (*answer, "errors.0.message"), words));
}

static void
test_sandbox_strict (void)
{
  g_autoptr(SmPostMedia) clip = NULL;
  g_autoptr(SmPostMedia) image = NULL;
  g_autofree char *video_id = NULL;
  g_autofree char *image_id = NULL;
  g_autofree char *tweet = NULL;
  g_autofree char *status_url = NULL;
  g_autofree char *finalize_url = NULL;
  g_autofree char *text = unique_text ("strict");
  JsonNode *answer = NULL;

  if (!need_media ())
    return;
  clip = post_media ("clip.mp4");
  image = post_media ("one.png");

#define CLEAR() g_clear_pointer (&answer, json_node_unref)

  /* The retired form. */
  assert_invalid (call ("POST", API "/media/upload?command=INIT&total_bytes=10&media_type=image/png",
                        NULL, &answer, NULL), &answer, "command");
  CLEAR ();

  /* INIT's checks. */
  assert_invalid (call ("POST", API "/media/upload/initialize",
                        "{\"media_type\":\"video/mp4\",\"total_bytes\":1000,"
                        "\"media_category\":\"tweet_image\"}", &answer, NULL), &answer, NULL);
  CLEAR ();
  assert_invalid (call ("POST", API "/media/upload/initialize",
                        "{\"media_type\":\"image/png\",\"total_bytes\":6000000,"
                        "\"media_category\":\"tweet_image\"}", &answer, NULL), &answer, NULL);
  CLEAR ();
  assert_invalid (call ("POST", API "/media/upload/initialize",
                        "{\"media_type\":\"video/mp4\",\"media_category\":\"tweet_video\"}",
                        &answer, NULL), &answer, "total_bytes");
  CLEAR ();

  video_id = initialize ("video/mp4", "tweet_video", clip->size_bytes);

  /* Unknown media. */
  g_assert_cmpuint (append ("1234567890", clip->path, 0, MIB, 0, &answer), ==, 404);
  CLEAR ();
  /* Out of order, too large, then in order, then again. */
  assert_invalid (append (video_id, clip->path, MIB, MIB, 1, &answer), &answer, "before segment 0");
  CLEAR ();
  {
    g_autofree char *big = g_build_filename (t.dir, "big.bin", NULL);

    assert_invalid (append (video_id, big, 0, 5 * MIB + 1, 0, &answer), &answer, "at most");
  }
  CLEAR ();
  g_assert_cmpuint (append (video_id, clip->path, 0, MIB, 0, &answer), ==, 200);
  g_assert_cmpint (sm_json_get_int (answer, "data.expires_at"), >, g_get_real_time () / G_USEC_PER_SEC);
  CLEAR ();
  assert_invalid (append (video_id, clip->path, 0, MIB, 0, &answer), &answer, "already");
  CLEAR ();

  /* FINALIZE before every byte is there. */
  finalize_url = g_strdup_printf (API "/media/upload/%s/finalize", video_id);
  assert_invalid (call ("POST", finalize_url, NULL, &answer, NULL), &answer, "total_bytes");
  CLEAR ();
  g_assert_cmpuint (append (video_id, clip->path, MIB, clip->size_bytes - MIB, 1, &answer), ==, 200);
  CLEAR ();

  /* STATUS before FINALIZE, then the processing states in order. */
  status_url = g_strdup_printf (API "/media/upload?command=STATUS&media_id=%s", video_id);
  assert_invalid (call ("GET", status_url, NULL, &answer, NULL), &answer, "finalized");
  CLEAR ();
  g_assert_cmpuint (call ("POST", finalize_url, NULL, &answer, NULL), ==, 200);
  g_assert_cmpstr (sm_json_get_string (answer, "data.processing_info.state"), ==, "pending");
  g_assert_cmpint (sm_json_get_int (answer, "data.size"), ==, clip->size_bytes);
  CLEAR ();

  /* Not processed yet: it cannot be attached. */
  tweet = g_strdup_printf ("{\"text\":\"%s\",\"media\":{\"media_ids\":[\"%s\"]}}", text, video_id);
  assert_invalid (call ("POST", API "/tweets", tweet, &answer, NULL), &answer, "processing_info");
  CLEAR ();

  g_usleep (G_USEC_PER_SEC + 100000);
  g_assert_cmpuint (call ("GET", status_url, NULL, &answer, NULL), ==, 200);
  g_assert_cmpstr (sm_json_get_string (answer, "data.processing_info.state"), ==, "in_progress");
  g_assert_cmpint (sm_json_get_int (answer, "data.processing_info.check_after_secs"), >, 0);
  CLEAR ();
  g_usleep (G_USEC_PER_SEC);
  g_assert_cmpuint (call ("GET", status_url, NULL, &answer, NULL), ==, 200);
  g_assert_cmpstr (sm_json_get_string (answer, "data.processing_info.state"), ==, "succeeded");
  CLEAR ();

  /* No segments after FINALIZE. */
  assert_invalid (append (video_id, clip->path, 0, MIB, 2, &answer), &answer, "finalized");
  CLEAR ();

  /* A video and an image together: refused. */
  image_id = initialize ("image/png", "tweet_image", image->size_bytes);
  g_assert_cmpuint (append (image_id, image->path, 0, image->size_bytes, 0, NULL), ==, 200);
  {
    g_autofree char *url = g_strdup_printf (API "/media/upload/%s/finalize", image_id);
    g_autofree char *mixed = g_strdup_printf ("{\"text\":\"%s\",\"media\":{\"media_ids\":"
                                              "[\"%s\",\"%s\"]}}", text, image_id, video_id);

    g_assert_cmpuint (call ("POST", url, NULL, &answer, NULL), ==, 200);
    /* An image needs no processing. */
    g_assert_null (sm_json_get_node (answer, "data.processing_info"));
    CLEAR ();
    assert_invalid (call ("POST", API "/tweets", mixed, &answer, NULL), &answer, "mixed");
    CLEAR ();
  }

  /* Unknown media ids. */
  {
    g_autofree char *unknown = g_strdup_printf ("{\"text\":\"%s\",\"media\":{\"media_ids\":"
                                                "[\"99\"]}}", text);

    assert_invalid (call ("POST", API "/tweets", unknown, &answer, NULL), &answer, "media IDs");
    CLEAR ();
  }

  /* The one-shot upload takes an image with its media_category. */
  {
    const char *no_category[] = { "media_type", "image/png", NULL };
    const char *image_fields[] = { "media_category", "tweet_image", "media_type", "image/png", NULL };
    g_autofree char *with_image = NULL;

    assert_invalid (post_multipart (API "/media/upload", no_category, image->path, 0,
                                    image->size_bytes, &answer), &answer, "media_category");
    CLEAR ();
    g_assert_cmpuint (post_multipart (API "/media/upload", image_fields, image->path, 0,
                                      image->size_bytes, &answer), ==, 200);
    g_assert_cmpint (sm_json_get_int (answer, "data.size"), ==, image->size_bytes);
    with_image = g_strdup_printf ("{\"text\":\"%s one-shot\",\"media\":{\"media_ids\":[\"%s\"]}}",
                                  text, sm_json_get_string (answer, "data.id"));
    CLEAR ();
    g_assert_cmpuint (call ("POST", API "/tweets", with_image, &answer, NULL), ==, 201);
    {
      g_autoptr(JsonNode) post = sm_test_net_post ("x", sm_json_get_string (answer, "data.id"));

      g_assert_cmpstr (sm_json_get_string (post, "media.0.sha256"), ==, image->sha256);
    }
    CLEAR ();
  }

  /* And alone, the video is fine. */
  g_assert_cmpuint (call ("POST", API "/tweets", tweet, &answer, NULL), ==, 201);
  {
    g_autoptr(JsonNode) post = sm_test_net_post ("x", sm_json_get_string (answer, "data.id"));

    g_assert_cmpstr (sm_json_get_string (post, "media.0.sha256"), ==, clip->sha256);
    g_assert_cmpstr (sm_json_get_string (post, "media.0.kind"), ==, "video");
  }
  CLEAR ();
#undef CLEAR
}

/* x.first_comment: a reply to the post, through `so-me post` and the
 * publisher; refused, cut by a killed publisher, or left for a restarted
 * one (sm_test_first_comment). */
static void
test_first_comment (void)
{
  static const SmTestFirstComment c = {
    .network = "x",
    .comment_host = "api.x.com",
    .comment_path = "/2/tweets",
    .comment_after = 1,   /* the post's own POST /2/tweets */
    .create_host = "api.x.com",
    .create_method = "POST",
    .create_path = "/2/tweets",
    .refusal = "\"status\":403,\"body\":{\"detail\":\"You are not allowed to create a Tweet with "
               "duplicate content.\",\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403}",
    .reply = TRUE,
  };

  sm_test_first_comment (&c);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  sm_test_net_spawn ();
  make_media ();

  g_test_add_func ("/net-x/thread-text", test_thread_text);
  g_test_add_func ("/net-x/connect", test_connect);
  g_test_add_func ("/net-x/images", test_images);
  g_test_add_func ("/net-x/video", test_video);
  g_test_add_func ("/net-x/append-server-error", test_append_server_error);
  g_test_add_func ("/net-x/append-answer-lost", test_append_answer_lost);
  g_test_add_func ("/net-x/resume", test_resume);
  g_test_add_func ("/net-x/processing-failed", test_processing_failed);
  g_test_add_func ("/net-x/missing-scope", test_missing_scope);
  g_test_add_func ("/net-x/thread", test_thread);
  g_test_add_func ("/net-x/thread-resume", test_thread_resume);
  g_test_add_func ("/net-x/rate-limits", test_rate_limits);
  g_test_add_func ("/net-x/publisher-thread", test_publisher_thread);
  g_test_add_func ("/net-x/first-comment", test_first_comment);
  g_test_add_func ("/net-x/sandbox-strict", test_sandbox_strict);

  ret = g_test_run ();

  if (sm_test_net_running ())
    sm_test_net_clear_faults ();
  sm_test_net_stop ();
  remove_media ();
  g_clear_pointer (&t.tokens, sm_tokens_free);
  g_clear_pointer (&t.user, g_free);
  g_clear_pointer (&t.dir, g_free);
  g_clear_pointer (&t.no_media, g_free);
  return ret;
}
