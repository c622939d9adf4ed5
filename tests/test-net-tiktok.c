/* test-net-tiktok.c — TikTok against the sandbox: connecting through the
 * real OAuth code path, a video that arrives whole through several chunks,
 * a server error and a cut in the middle recovered without sending the
 * file again, the creator's limits, processing that fails, an expired
 * sign-in; and the same from the command line through the publisher.
 *
 * Videos are made at run time with GStreamer: a two-second clip, and the
 * same clip with a 16 MB "free" box after it (valid MP4 padding, random
 * bytes), which TikTok's chunk rules cut in three.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-net-tiktok"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sm-http.h"
#include "sm-media-rules.h"
#include "sm-oauth.h"
#include "sm-platform.h"
#include "sm-store.h"
#include "sm-test-net.h"
#include "sm-test-util.h"

#define CLIENT_KEY    "sandbox-client"
#define CLIENT_SECRET "sandbox-secret"
#define REDIRECT_URI  "http://127.0.0.1:8765/callback"
#define UPLOAD_HOST   "open-upload.tiktokapis.com"
#define API_HOST      "open.tiktokapis.com"
#define CHUNK         (5 * 1024 * 1024)
#define PADDING       (16 * 1000 * 1000)

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmPublishResult, sm_publish_result_clear)

static const SmClientCredentials creds = {
  .client_id = (char *) CLIENT_KEY,
  .client_secret = (char *) CLIENT_SECRET,
};

static struct
{
  char        *dir;
  SmPostMedia  clip;     /* two seconds, one chunk */
  SmPostMedia  big;      /* the clip and 16 MB of padding: three chunks */
  char        *remote_id;
  SmTokens    *tokens;
  gint64       next_media_id;
} t;

static void
settings (const char *json)
{
  sm_test_net_hook_post ("tiktok/settings", "%s", json);
}

/* Every test starts from the sandbox's defaults, with a fresh request log. */
static void
sandbox_reset (void)
{
  g_autoptr(JsonNode) reply = sm_test_net_hook ("POST", "reset", NULL);

  /* More posts a minute than TikTok's 6 inits; the limit has its own test. */
  sm_test_net_hook_post ("rate-limits", "{\"enabled\":false}");
  settings ("{\"processing_ms\":300}");
}

static guint
count_requests (const char *method,
                const char *host,
                const char *path)
{
  g_autoptr(GPtrArray) found = sm_test_net_requests_since (0, method, host, path);

  return found->len;
}

/* The sandbox's TikTok posts. */
static JsonArray *
tiktok_posts (void)
{
  g_autoptr(GPtrArray) posts = sm_test_net_posts ("tiktok");
  JsonArray *ours = json_array_new ();

  for (guint i = 0; i < posts->len; i++)
    json_array_add_element (ours, json_node_copy (g_ptr_array_index (posts, i)));
  return ours;
}

static JsonArray *
requests_of (JsonNode   *requests,
             const char *method,
             const char *host,
             const char *path)
{
  JsonArray *all = json_node_get_array (requests);
  JsonArray *some = json_array_new ();

  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *r = json_array_get_object_element (all, i);

      if (g_strcmp0 (json_object_get_string_member (r, "method"), method) == 0 &&
          g_strcmp0 (json_object_get_string_member (r, "host"), host) == 0 &&
          (path == NULL || g_strcmp0 (json_object_get_string_member (r, "path"), path) == 0))
        json_array_add_element (some, json_node_copy (json_array_get_element (all, i)));
    }
  return some;
}

static void
assert_one_post_of (const SmPostMedia *media,
                    const char        *text)
{
  g_autoptr(JsonArray) posts = tiktok_posts ();
  JsonObject *post;
  JsonArray *files;

  g_assert_cmpuint (json_array_get_length (posts), ==, 1);
  post = json_array_get_object_element (posts, 0);
  g_assert_cmpstr (json_object_get_string_member (post, "account"), ==, t.remote_id);
  g_assert_cmpstr (json_object_get_string_member (post, "text"), ==, text);
  files = json_object_get_array_member (post, "media");
  g_assert_cmpuint (json_array_get_length (files), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (files, 0), "kind"),
                   ==, "video");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (files, 0), "bytes"),
                   ==, media->size_bytes);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (files, 0), "sha256"),
                   ==, media->sha256);
}

/* ---- the videos ------------------------------------------------------------- */

static void
media_fill (SmPostMedia *media,
            const char  *path)
{
  media->id = ++t.next_media_id;
  media->path = g_strdup (path);
  media->size_bytes = sm_test_net_file_size (path);
  media->sha256 = sm_test_net_file_sha256 (path);
  media->mime_type = g_strdup ("video/mp4");
}

static gboolean
make_videos (void)
{
  g_autofree char *clip = NULL;
  g_autofree char *big = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GSubprocess) gst = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7300);
  g_autoptr(GFile) out_file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autofree guint32 *block = g_new (guint32, (1 << 20) / 4);
  gsize len = 0;
  guint32 be;
  guint64 left;

  t.dir = g_dir_make_tmp ("sm-tiktok-XXXXXX", &error);
  g_assert_no_error (error);
  clip = g_build_filename (t.dir, "clip.mp4", NULL);
  big = g_build_filename (t.dir, "big.mp4", NULL);
  location = g_strdup_printf ("location=%s", clip);

  /* 640×360 at 30 fps, H.264 in MP4: what TikTok's rules take. */
  gst = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                          &error, "gst-launch-1.0", "-q", "-e",
                          "videotestsrc", "num-buffers=60", "!",
                          "video/x-raw,width=640,height=360,framerate=30/1,format=I420", "!",
                          "x264enc", "speed-preset=ultrafast", "!",
                          "mp4mux", "faststart=true", "!", "filesink", location, NULL);
  if (gst == NULL || !g_subprocess_wait_check (gst, NULL, &error))
    {
      g_test_message ("no GStreamer to make a video: %s", error ? error->message : "?");
      return FALSE;
    }

  /* The same clip with a free box of random bytes after it. */
  g_assert_true (g_file_get_contents (clip, &contents, &len, NULL));
  out_file = g_file_new_for_path (big);
  out = g_file_replace (out_file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), contents, len, NULL, NULL, &error));
  be = GUINT32_TO_BE (PADDING);
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), &be, 4, NULL, NULL, &error));
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), "free", 4, NULL, NULL, &error));
  for (left = PADDING - 8; left > 0;)
    {
      gsize n = MIN (left, (guint64) 1 << 20);

      for (guint i = 0; i < (1 << 20) / 4; i++)
        block[i] = g_rand_int (rand);
      g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), block, n, NULL, NULL, &error));
      left -= n;
    }
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  g_assert_no_error (error);

  media_fill (&t.clip, clip);
  media_fill (&t.big, big);
  g_assert_cmpint (t.clip.size_bytes, <, CHUNK);
  g_assert_cmpint (t.big.size_bytes / CHUNK, ==, 3);
  return TRUE;
}

static gboolean
publish_with (const SmPostMedia *media,
              const char        *text,
              GHashTable        *options,
              SmTestUploads     *u,
              const SmTokens    *tokens,
              SmPublishResult   *result,
              GError           **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  SmUploadHooks hooks;
  SmPublishRequest request = {
    .account_remote_id = t.remote_id,
    .tokens = tokens != NULL ? tokens : t.tokens,
    .text = text,
    .not_before_us = g_get_real_time (),
    .media = files,
    .options = options,
    .uploads = &hooks,
  };

  SmUploadState *saved = sm_test_uploads_get (u, media->id);

  sm_test_uploads_bind (u, &hooks);
  g_ptr_array_add (files, (gpointer) media);
  /* The previous "sent" is from another run. */
  u->previous = saved != NULL ? (guint64) saved->acknowledged : 0;
  return sm_platform_publish (sm_platform_get (SM_NETWORK_TIKTOK), session, &request, result,
                              u->cancel, error);
}

static gboolean
find_with (const SmPostMedia *media,
           const char        *text,
           SmTestUploads     *u,
           SmPublishResult   *result,
           GError           **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  SmUploadHooks hooks;
  SmPublishRequest request = {
    .account_remote_id = t.remote_id,
    .tokens = t.tokens,
    .text = text,
    .not_before_us = g_get_real_time (),
    .media = files,
    .uploads = &hooks,
  };

  sm_test_uploads_bind (u, &hooks);
  g_ptr_array_add (files, (gpointer) media);
  return sm_platform_find_published (sm_platform_get (SM_NETWORK_TIKTOK), session, &request,
                                     result, NULL, error);
}

static GHashTable *
options_new (const char *first,
             ...) G_GNUC_NULL_TERMINATED;

static GHashTable *
options_new (const char *first,
             ...)
{
  GHashTable *options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, first);
  for (const char *key = first; key != NULL; key = va_arg (args, const char *))
    g_hash_table_insert (options, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
  return options;
}

static gboolean
need_sandbox (void)
{
  if (!sm_test_net_running () || t.clip.path == NULL)
    {
      g_test_skip ("no sandbox or no GStreamer to make videos");
      return FALSE;
    }
  if (t.tokens == NULL)
    {
      g_test_skip ("not connected");
      return FALSE;
    }
  sandbox_reset ();
  return TRUE;
}

/* ---- connecting ------------------------------------------------------------- */

/* The consent page, approved at once; the code the redirect carries. */
static char *
authorize (const char *state,
           const char *challenge)
{
  SmPlatform *platform = sm_platform_get (SM_NETWORK_TIKTOK);
  g_autofree char *url = sm_platform_build_authorize_url (platform, &creds, REDIRECT_URI, state,
                                                          challenge);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GHashTable) params = NULL;

  /* client_key, comma-separated scopes, PKCE S256 and state (7.1). */
  g_assert_true (g_str_has_prefix (url, "https://www.tiktok.com/v2/auth/authorize/?response_type=code"
                                        "&client_key=sandbox-client&"));
  g_assert_null (strstr (url, "client_id="));
  g_assert_nonnull (strstr (url, "&scope=user.info.basic%2Cvideo.publish&"));
  g_assert_nonnull (strstr (url, "&code_challenge_method=S256"));

  params = sm_test_net_consent (session, url, REDIRECT_URI, 302, NULL);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, state);
  return g_strdup (g_hash_table_lookup (params, "code"));
}

static void
test_connect (void)
{
  SmPlatform *platform = sm_platform_get (SM_NETWORK_TIKTOK);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *state = sm_oauth_random_string (24);
  g_autofree char *verifier = sm_oauth_random_string (48);
  g_autofree char *challenge = sm_oauth_pkce_challenge (verifier);
  g_autofree char *code = NULL;
  SmAccountInfo *info;

  if (!sm_test_net_running ())
    {
      g_test_skip ("no so-me-studio-sandbox in $SM_BUILD_DIR/src");
      return;
    }
  g_assert_true (sm_platform_get_oauth_spec (platform)->pkce);
  g_assert_true (sm_platform_get_oauth_spec (platform)->needs_secret);

  /* A verifier that is not the challenge's is refused. */
  code = authorize (state, challenge);
  accounts = sm_platform_exchange_code (platform, session, &creds, code, REDIRECT_URI,
                                        "not-the-verifier-not-the-verifier-not-the-verifier",
                                        NULL, &error);
  g_assert_null (accounts);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "Code verifier or code challenge is invalid"));
  g_clear_error (&error);
  g_clear_pointer (&code, g_free);

  /* The real flow, as sm-connect runs it. */
  code = authorize (state, challenge);
  accounts = sm_platform_exchange_code (platform, session, &creds, code, REDIRECT_URI, verifier,
                                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  info = g_ptr_array_index (accounts, 0);
  g_assert_cmpint (info->network, ==, SM_NETWORK_TIKTOK);
  g_assert_cmpstr (info->remote_id, ==, "-000sbxSoMeStudioTikTok01");
  g_assert_cmpstr (info->name, ==, "So-me Sandbox");
  g_assert_nonnull (info->tokens->refresh_token);
  /* Two hours (2026 docs), from the answer's expires_in. */
  g_assert_cmpint (info->tokens->expires_at_us, >, g_get_real_time () + G_GINT64_CONSTANT (7000) * G_USEC_PER_SEC);
  g_assert_cmpint (info->tokens->expires_at_us, <, g_get_real_time () + G_GINT64_CONSTANT (7300) * G_USEC_PER_SEC);
  g_assert_cmpstr (info->tokens->scope, ==, "user.info.basic,video.publish");

  /* A code works once. */
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = sm_platform_exchange_code (platform, session, &creds, code, REDIRECT_URI, verifier,
                                        NULL, &error);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_clear_error (&error);

  /* Kept for the tests that follow: the first grant's tokens. */
  g_clear_pointer (&accounts, g_ptr_array_unref);
  g_free (code);
  code = authorize (state, challenge);
  accounts = sm_platform_exchange_code (platform, session, &creds, code, REDIRECT_URI, verifier,
                                        NULL, &error);
  g_assert_no_error (error);
  info = g_ptr_array_index (accounts, 0);
  t.remote_id = g_strdup (info->remote_id);
  t.tokens = sm_tokens_copy (info->tokens);
}

/* ---- publishing ------------------------------------------------------------- */

static void
test_text_only_refused (void)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  SmPublishRequest request = { 0 };

  /* Before scheduling, as `so-me post` checks it. */
  g_assert_false (sm_media_rules_check_post (SM_NETWORK_TIKTOK, NULL, NULL, 0, &problem));
  g_assert_nonnull (strstr (problem, "TikTok"));
  g_assert_true (sm_platform_can_publish_media (sm_platform_get (SM_NETWORK_TIKTOK)));

  if (!need_sandbox ())
    return;
  request.account_remote_id = t.remote_id;
  request.tokens = t.tokens;
  request.text = "Words alone";
  g_assert_false (sm_platform_publish (sm_platform_get (SM_NETWORK_TIKTOK), session, &request,
                                       &result, NULL, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "video"));
  g_assert_cmpuint (count_requests ("POST", API_HOST, NULL), ==, 0);
}

/* Three chunks in order, saved as each is acknowledged, the video whole,
 * and reconciliation that finds it. */
static void
test_publish_chunks (void)
{
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_auto(SmPublishResult) found = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) requests = NULL;
  g_autoptr(JsonArray) puts = NULL;
  const char *text = "Three chunks of sourdough #bakery";
  guint64 total = (guint64) t.big.size_bytes;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;

  g_assert_true (publish_with (&t.big, text, NULL, &u, NULL, &result, &error));
  g_assert_no_error (error);
  /* Private by default: no public id, the publish id stands for it. */
  g_assert_true (g_str_has_prefix (result.remote_id, "v_pub_file~"));
  g_assert_null (result.permalink);
  g_assert_cmpstr (sm_test_uploads_get (&u, t.big.id)->remote_media_id, ==, result.remote_id);
  assert_one_post_of (&t.big, text);

  /* Saved after each acknowledged chunk: 5 MiB, 10 MiB, the whole file. */
  g_assert_cmpuint (u.acks->len, ==, 4);
  g_assert_cmpint (g_array_index (u.acks, gint64, 0), ==, 0);
  g_assert_cmpint (g_array_index (u.acks, gint64, 1), ==, CHUNK);
  g_assert_cmpint (g_array_index (u.acks, gint64, 2), ==, 2 * CHUNK);
  g_assert_cmpint (g_array_index (u.acks, gint64, 3), ==, total);
  g_assert_cmpuint (u.pushed, ==, total);
  g_assert_cmpuint (u.last_total, ==, total);

  requests = sm_test_net_hook ("GET", "requests", NULL);
  puts = requests_of (requests, "PUT", UPLOAD_HOST, "/video/");
  g_assert_cmpuint (json_array_get_length (puts), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (puts, 0), "status"), ==, 206);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (puts, 1), "status"), ==, 206);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (puts, 2), "status"), ==, 201);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (puts, 2), "body_bytes"),
                   ==, total - 2 * CHUNK);
  /* creator_info before init. */
  {
    g_autoptr(JsonArray) creator = requests_of (requests, "POST", API_HOST,
                                                "/v2/post/publish/creator_info/query/");
    g_autoptr(JsonArray) init = requests_of (requests, "POST", API_HOST, "/v2/post/publish/video/init/");

    g_assert_cmpuint (json_array_get_length (creator), ==, 1);
    g_assert_cmpuint (json_array_get_length (init), ==, 1);
  }

  /* Reconciliation asks the status of the saved publish. */
  g_assert_true (find_with (&t.big, text, &u, &found, &error));
  g_assert_no_error (error);
  g_assert_true (found.definitive);
  g_assert_cmpstr (found.remote_id, ==, result.remote_id);
}

/* A public post has a public id, and the sandbox lists it under it. */
static void
test_publish_public (void)
{
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) options = options_new ("tiktok.privacy", "PUBLIC_TO_EVERYONE", NULL);
  g_autoptr(JsonArray) posts = NULL;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;
  g_assert_true (publish_with (&t.clip, "Public clip", options, &u, NULL, &result, &error));
  g_assert_no_error (error);
  assert_one_post_of (&t.clip, "Public clip");
  posts = tiktok_posts ();
  g_assert_cmpstr (result.remote_id, ==,
                   json_object_get_string_member (json_array_get_object_element (posts, 0), "id"));
  /* The creator's username came with creator_info. */
  {
    g_autofree char *link = g_strdup_printf ("https://www.tiktok.com/@somesandbox/video/%s",
                                             result.remote_id);

    g_assert_cmpstr (result.permalink, ==, link);
  }
  /* One chunk: a file under 5 MB goes whole. */
  g_assert_cmpuint (count_requests ("PUT", UPLOAD_HOST, "/video/"), ==, 1);
}

/* A 503 on the second chunk: TikTok is asked where it stands, and only
 * that chunk goes again. */
static void
test_chunk_server_error (void)
{
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) requests = NULL;
  g_autoptr(JsonArray) puts = NULL;
  g_autoptr(JsonArray) statuses = NULL;
  guint64 total = (guint64) t.big.size_bytes;
  gint64 sent = 0;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;
  u.fault_after = CHUNK;
  u.fault = "{\"host\":\"" UPLOAD_HOST "\",\"method\":\"PUT\",\"path\":\"/video/\",\"count\":1,"
            "\"status\":503,\"body\":{\"data\":{},\"error\":{\"code\":\"internal_error\","
            "\"message\":\"Something went wrong.\",\"log_id\":\"x\"}}}";

  g_assert_true (publish_with (&t.big, "Despite a 503", NULL, &u, NULL, &result, &error));
  g_assert_no_error (error);
  assert_one_post_of (&t.big, "Despite a 503");

  requests = sm_test_net_hook ("GET", "requests", NULL);
  puts = requests_of (requests, "PUT", UPLOAD_HOST, "/video/");
  g_assert_cmpuint (json_array_get_length (puts), ==, 4);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (puts, 0), "status"), ==, 206);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (puts, 1), "status"), ==, 503);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (puts, 2), "status"), ==, 206);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (puts, 3), "status"), ==, 201);
  for (guint i = 0; i < json_array_get_length (puts); i++)
    sent += json_object_get_int_member (json_array_get_object_element (puts, i), "body_bytes");
  /* The first chunk went once; at most the failed one went twice. */
  g_assert_cmpint (sent, <=, (gint64) total + CHUNK);
  g_assert_cmpuint (u.pushed, <=, total + CHUNK);
  /* It asked before sending again. */
  statuses = requests_of (requests, "POST", API_HOST, "/v2/post/publish/status/fetch/");
  g_assert_cmpuint (json_array_get_length (statuses), >=, 2);
}

static void
set_session_expiry (SmUploadState *state,
                    gint64         expires_us)
{
  g_autoptr(JsonNode) node = json_from_string (state->session, NULL);

  g_assert_nonnull (node);
  json_object_set_int_member (json_node_get_object (node), "expires_us", expires_us);
  g_free (state->session);
  state->session = json_to_string (node, FALSE);
}

/* A publisher stopped in the middle of the second chunk: the next run asks
 * TikTok, then sends the second and third chunks only. */
static void
test_resume_after_cut (void)
{
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_auto(SmPublishResult) found = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) requests = NULL;
  g_autoptr(JsonArray) puts = NULL;
  g_autoptr(JsonArray) inits = NULL;
  g_autofree char *first_session = NULL;
  guint64 total = (guint64) t.big.size_bytes;
  gint64 sent = 0;
  guint before;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;
  u.cancel = g_cancellable_new ();
  u.cancel_after = CHUNK + 1024 * 1024;

  g_assert_false (publish_with (&t.big, "Cut and resumed", NULL, &u, NULL, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_nonnull (sm_test_uploads_get (&u, t.big.id)->session);
  g_assert_cmpint (sm_test_uploads_get (&u, t.big.id)->acknowledged, ==, CHUNK);
  g_assert_null (sm_test_uploads_get (&u, t.big.id)->remote_media_id);
  g_assert_cmpuint (json_array_get_length (tiktok_posts ()), ==, 0);
  first_session = g_strdup (sm_test_uploads_get (&u, t.big.id)->session);

  /* Reconciling now: nothing went out, for certain. */
  g_assert_true (find_with (&t.big, "Cut and resumed", &u, &found, &error));
  g_assert_no_error (error);
  g_assert_true (found.definitive);
  g_assert_null (found.remote_id);

  /* "Restart": the same saved state, a new run.  (A request the client
   * gave up on mid-body is not in the sandbox's log.) */
  before = count_requests ("PUT", UPLOAD_HOST, "/video/");
  g_assert_cmpuint (before, >=, 1);
  sm_test_net_clear_faults ();
  g_clear_object (&u.cancel);
  u.cancel_after = 0;
  g_assert_true (publish_with (&t.big, "Cut and resumed", NULL, &u, NULL, &result, &error));
  g_assert_no_error (error);
  assert_one_post_of (&t.big, "Cut and resumed");

  requests = sm_test_net_hook ("GET", "requests", NULL);
  inits = requests_of (requests, "POST", API_HOST, "/v2/post/publish/video/init/");
  g_assert_cmpuint (json_array_get_length (inits), ==, 1);
  puts = requests_of (requests, "PUT", UPLOAD_HOST, "/video/");
  /* Then only chunks 2 and 3. */
  g_assert_cmpuint (json_array_get_length (puts), ==, before + 2);
  for (guint i = before; i < json_array_get_length (puts); i++)
    sent += json_object_get_int_member (json_array_get_object_element (puts, i), "body_bytes");
  g_assert_cmpint (sent, ==, (gint64) total - CHUNK);

  /* An upload URL past its hour is not tried: a new post from byte 0. */
  sandbox_reset ();
  g_hash_table_remove_all (u.states);
  {
    SmUploadState *state = g_new0 (SmUploadState, 1);

    state->media_id = t.big.id;
    state->session = g_strdup (first_session);
    state->acknowledged = CHUNK;
    g_hash_table_insert (u.states, g_memdup2 (&t.big.id, sizeof t.big.id), state);
    set_session_expiry (state, g_get_real_time () - G_USEC_PER_SEC);
  }
  sm_publish_result_clear (&result);
  g_assert_true (publish_with (&t.big, "Started over", NULL, &u, NULL, &result, &error));
  g_assert_no_error (error);
  assert_one_post_of (&t.big, "Started over");
  g_assert_cmpuint (count_requests ("POST", API_HOST, "/v2/post/publish/video/init/"), ==, 1);
  g_assert_cmpuint (count_requests ("PUT", UPLOAD_HOST, "/video/"), ==, 3);
}

static void
assert_refused_before_init (const char      *settings_json,
                            GHashTable      *options,
                            int              code,
                            const char      *words)
{
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;

  sm_test_uploads_init (&u, NULL);
  sandbox_reset ();
  if (settings_json != NULL)
    settings (settings_json);
  g_assert_false (publish_with (&t.clip, "Refused", options, &u, NULL, &result, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, SM_PLATFORM_ERROR, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  g_assert_cmpuint (count_requests ("POST", API_HOST, "/v2/post/publish/video/init/"), ==, 0);
  g_assert_cmpuint (count_requests ("PUT", UPLOAD_HOST, "/video/"), ==, 0);
  if (code == SM_PLATFORM_ERROR_RATE_LIMITED)
    g_assert_cmpint (result.retry_after_us, ==, G_TIME_SPAN_DAY);
}

/* creator_info says the creator cannot post now: a clear message and a
 * day's wait, and not a byte uploaded. */
static void
test_creator_cannot_post (void)
{
  if (!need_sandbox ())
    return;
  assert_refused_before_init ("{\"cannot_post\":\"spam_risk_too_many_posts\"}", NULL,
                              SM_PLATFORM_ERROR_RATE_LIMITED, "daily limit of posts");
  assert_refused_before_init ("{\"cannot_post\":\"reached_active_user_cap\"}", NULL,
                              SM_PLATFORM_ERROR_RATE_LIMITED, "daily limit of people posting");
  assert_refused_before_init ("{\"cannot_post\":\"spam_risk_user_banned_from_posting\"}", NULL,
                              SM_PLATFORM_ERROR_REJECTED, "may not post right now");
}

static void
test_privacy_not_offered (void)
{
  g_autoptr(GHashTable) public = options_new ("tiktok.privacy", "PUBLIC_TO_EVERYONE", NULL);

  if (!need_sandbox ())
    return;
  assert_refused_before_init ("{\"privacy_level_options\":[\"FOLLOWER_OF_CREATOR\",\"SELF_ONLY\"]}",
                              public, SM_PLATFORM_ERROR_REJECTED,
                              "does not offer the privacy level PUBLIC_TO_EVERYONE to this account "
                              "right now; it offers FOLLOWER_OF_CREATOR, SELF_ONLY");
  /* Without a choice, private; a creator without it must be asked. */
  assert_refused_before_init ("{\"privacy_level_options\":[\"PUBLIC_TO_EVERYONE\"]}", NULL,
                              SM_PLATFORM_ERROR_REJECTED, "SELF_ONLY");
}

static void
test_too_long (void)
{
  if (!need_sandbox ())
    return;
  /* The clip is two seconds. */
  assert_refused_before_init ("{\"max_video_post_duration_sec\":1}", NULL,
                              SM_PLATFORM_ERROR_REJECTED, "up to 1 second");
}

/* Comments off for the creator: not turned on by the post, and kept off
 * when the post says nothing. */
static void
test_comments_disabled (void)
{
  g_autoptr(GHashTable) on = options_new ("tiktok.disable_comment", "false", NULL);
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;
  assert_refused_before_init ("{\"comment_disabled\":true}", on, SM_PLATFORM_ERROR_REJECTED,
                              "Comments are turned off");

  /* The sandbox refuses init with disable_comment false in that state. */
  sandbox_reset ();
  settings ("{\"comment_disabled\":true,\"duet_disabled\":true}");
  g_assert_true (publish_with (&t.clip, "Quiet clip", NULL, &u, NULL, &result, &error));
  g_assert_no_error (error);
  assert_one_post_of (&t.clip, "Quiet clip");
}

/* TikTok takes every byte, then processing fails: the reason in words,
 * the upload forgotten so that a retry starts over, and no post. */
static void
test_processing_failed (void)
{
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;
  settings ("{\"fail_reason\":\"frame_rate_check_failed\"}");
  g_assert_false (publish_with (&t.clip, "Will fail", NULL, &u, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "frame rate"));
  g_assert_nonnull (strstr (error->message, "frame_rate_check_failed"));
  g_assert_nonnull (sm_test_uploads_get (&u, t.clip.id));
  g_assert_null (sm_test_uploads_get (&u, t.clip.id)->session);
  g_assert_null (sm_test_uploads_get (&u, t.clip.id)->remote_media_id);
  g_assert_cmpuint (json_array_get_length (tiktok_posts ()), ==, 0);

  /* Fixed on TikTok's side: the retry is a new post. */
  settings ("{\"fail_reason\":null}");
  g_clear_error (&error);
  g_assert_true (publish_with (&t.clip, "Will fail", NULL, &u, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_requests ("POST", API_HOST, "/v2/post/publish/video/init/"), ==, 2);
}

/* An expired access token: AUTH_EXPIRED, a refresh that rotates the
 * refresh token, and the post with the new one. */
static void
test_expired_token (void)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(SmTokens) fresh = NULL;
  g_autoptr(SmTokens) again = NULL;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;
  sm_test_net_hook_post ("tokens/expire", "{\"network\":\"tiktok\"}");
  g_assert_false (publish_with (&t.clip, "After a refresh", NULL, &u, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
  g_clear_error (&error);

  /* TikTok's token endpoint may refuse with a 200: still a dead grant. */
  sm_test_net_add_fault ("{\"host\":\"" API_HOST "\",\"path\":\"/v2/oauth/token/\",\"status\":200,"
                         "\"body\":{\"error\":\"invalid_grant\",\"error_description\":"
                         "\"Refresh token is invalid.\",\"log_id\":\"x\"}}");
  again = sm_platform_refresh (sm_platform_get (SM_NETWORK_TIKTOK), session, &creds, t.tokens,
                               NULL, &error);
  g_assert_null (again);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
  g_assert_nonnull (strstr (error->message, "Refresh token is invalid."));
  g_clear_error (&error);

  fresh = sm_platform_refresh (sm_platform_get (SM_NETWORK_TIKTOK), session, &creds, t.tokens,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fresh->access_token, !=, t.tokens->access_token);
  g_assert_nonnull (fresh->refresh_token);
  g_assert_cmpstr (fresh->refresh_token, !=, t.tokens->refresh_token);
  g_assert_cmpint (fresh->expires_at_us, >, g_get_real_time ());

  /* The old refresh token is spent: the grant is gone for whoever uses it. */
  again = sm_platform_refresh (sm_platform_get (SM_NETWORK_TIKTOK), session, &creds, t.tokens,
                               NULL, &error);
  g_assert_null (again);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
  g_clear_error (&error);

  g_assert_true (publish_with (&t.clip, "After a refresh", NULL, &u, fresh, &result, &error));
  g_assert_no_error (error);
  assert_one_post_of (&t.clip, "After a refresh");
  sm_tokens_free (t.tokens);
  t.tokens = g_steal_pointer (&fresh);
}

/* TikTok's envelope, code by code. */
static void
test_envelope_errors (void)
{
  static const struct
  {
    const char      *path;
    guint            status;
    const char      *code;
    const char      *headers;
    int              expected;
    gint64           retry_after_us;
    const char      *words;
  } cases[] = {
    { "/v2/post/publish/creator_info/query/", 429, "rate_limit_exceeded", NULL,
      SM_PLATFORM_ERROR_RATE_LIMITED, G_TIME_SPAN_MINUTE, "slow down" },
    { "/v2/post/publish/creator_info/query/", 429, "rate_limit_exceeded",
      ",\"headers\":{\"Retry-After\":\"120\"}", SM_PLATFORM_ERROR_RATE_LIMITED,
      120 * G_USEC_PER_SEC, "slow down" },
    { "/v2/post/publish/video/init/", 403, "spam_risk_too_many_posts", NULL,
      SM_PLATFORM_ERROR_RATE_LIMITED, G_TIME_SPAN_DAY, "daily limit" },
    { "/v2/post/publish/video/init/", 400, "privacy_level_option_mismatch", NULL,
      SM_PLATFORM_ERROR_REJECTED, -1, "privacy level" },
    { "/v2/post/publish/video/init/", 403, "unaudited_client_can_only_post_to_private_accounts",
      NULL, SM_PLATFORM_ERROR_REJECTED, -1, "tiktok.privacy=SELF_ONLY" },
    { "/v2/post/publish/video/init/", 401, "scope_not_authorized", NULL,
      SM_PLATFORM_ERROR_REVOKED, -1, "Reconnect" },
    { "/v2/post/publish/video/init/", 500, "internal_error", NULL,
      SM_PLATFORM_ERROR_TRANSIENT, -1, "temporary problem" },
    { "/v2/post/publish/creator_info/query/", 401, "access_token_invalid", NULL,
      SM_PLATFORM_ERROR_AUTH_EXPIRED, -1, "renewed" },
    /* A 200 that is not ok is still an error. */
    { "/v2/post/publish/video/init/", 200, "spam_risk_text", NULL,
      SM_PLATFORM_ERROR_REJECTED, -1, "looks like spam" },
  };

  if (!need_sandbox ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(SmTestUploads) u;
      g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
      g_autoptr(GError) error = NULL;
      g_autofree char *fault = g_strdup_printf ("{\"host\":\"" API_HOST "\",\"path\":\"%s\","
                                                "\"status\":%u%s,\"body\":{\"data\":{},\"error\":"
                                                "{\"code\":\"%s\",\"message\":\"Sandbox says no.\","
                                                "\"log_id\":\"202601010000\"}}}",
                                                cases[i].path, cases[i].status,
                                                cases[i].headers ? cases[i].headers : "",
                                                cases[i].code);

      sm_test_uploads_init (&u, NULL);
      sm_test_net_clear_faults ();
      sm_test_net_add_fault ("%s", fault);
      g_assert_false (publish_with (&t.clip, "Envelope", NULL, &u, NULL, &result, &error));
      g_test_message ("%s → %s", cases[i].code, error->message);
      g_assert_error (error, SM_PLATFORM_ERROR, cases[i].expected);
      if (strstr (error->message, cases[i].words) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].code, error->message, cases[i].words);
      if (cases[i].retry_after_us > 0)
        g_assert_cmpint (result.retry_after_us, ==, cases[i].retry_after_us);
    }
  g_assert_cmpuint (json_array_get_length (tiktok_posts ()), ==, 0);
}

/* The sandbox holds TikTok's 6 inits a minute per token. */
static void
test_init_rate_limit (void)
{
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  guint refused = 0;

  if (!need_sandbox ())
    return;
  sm_test_net_hook_post ("rate-limits", "{\"enabled\":true}");
  settings ("{\"processing_ms\":0}");
  for (guint i = 0; i < 7; i++)
    {
      g_auto(SmTestUploads) u;
      g_autoptr(GError) error = NULL;

      sm_test_uploads_init (&u, NULL);
      sm_publish_result_clear (&result);
      if (!publish_with (&t.clip, "Seven in a minute", NULL, &u, NULL, &result, &error))
        {
          g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
          g_assert_cmpint (result.retry_after_us, >, 0);
          g_assert_cmpint (result.retry_after_us, <=, G_TIME_SPAN_MINUTE);
          refused++;
        }
    }
  g_assert_cmpuint (refused, ==, 1);
  g_assert_cmpuint (json_array_get_length (tiktok_posts ()), ==, 6);
}

static void
test_disconnect (void)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(SmTokens) refreshed = NULL;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;
  g_assert_true (sm_platform_revoke (sm_platform_get (SM_NETWORK_TIKTOK), session, &creds,
                                     t.tokens, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (publish_with (&t.clip, "After revoke", NULL, &u, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
  g_clear_error (&error);
  refreshed = sm_platform_refresh (sm_platform_get (SM_NETWORK_TIKTOK), session, &creds, t.tokens,
                                   NULL, &error);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
  g_clear_pointer (&t.tokens, sm_tokens_free);
}


/* ---- the sandbox is as strict as TikTok --------------------------------------- */

/* A raw call to the sandbox's TikTok: status and the envelope's code. */
static guint
raw_call (const char  *method,
          const char  *url,
          const char  *content_type,
          const char  *body,
          const char  *range,
          char       **code_out,
          JsonNode   **root_out)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  msg = sm_http_message_new (method, url, &error);
  g_assert_no_error (error);
  sm_http_set_bearer (msg, t.tokens->access_token);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  if (range != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Range", range);
  answer = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  root = sm_http_parse_json (answer, NULL);
  if (code_out != NULL)
    *code_out = g_strdup (sm_json_get_string (root, "error.code"));
  if (root_out != NULL)
    *root_out = g_steal_pointer (&root);
  return soup_message_get_status (msg);
}

static void
assert_init_refused (const char *source_info,
                     const char *code)
{
  g_autofree char *body = g_strdup_printf ("{\"post_info\":{\"title\":\"x\",\"privacy_level\":"
                                           "\"SELF_ONLY\"},\"source_info\":%s}", source_info);
  g_autofree char *got = NULL;

  g_assert_cmpuint (raw_call ("POST", "https://" API_HOST "/v2/post/publish/video/init/",
                              "application/json; charset=UTF-8", body, NULL, &got, NULL), ==, 400);
  g_assert_cmpstr (got, ==, code);
}

static void
test_sandbox_strict (void)
{
  g_autoptr(JsonNode) init = NULL;
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;
  g_autofree char *six_mb = NULL;

  if (!need_sandbox ())
    return;

  /* Chunk layouts the media transfer guide does not allow. */
  assert_init_refused ("{\"source\":\"FILE_UPLOAD\",\"video_size\":12000000,"
                       "\"chunk_size\":6000000,\"total_chunk_count\":3}", "invalid_params");
  assert_init_refused ("{\"source\":\"FILE_UPLOAD\",\"video_size\":12000000,"
                       "\"chunk_size\":4000000,\"total_chunk_count\":3}", "invalid_params");
  assert_init_refused ("{\"source\":\"FILE_UPLOAD\",\"video_size\":4000000,"
                       "\"chunk_size\":2000000,\"total_chunk_count\":2}", "invalid_params");
  assert_init_refused ("{\"source\":\"FILE_UPLOAD\",\"video_size\":70000000,"
                       "\"chunk_size\":70000000,\"total_chunk_count\":1}", "invalid_params");
  assert_init_refused ("{\"source\":\"FILE_UPLOAD\",\"video_size\":\"12000000\","
                       "\"chunk_size\":6000000,\"total_chunk_count\":2}", "invalid_params");

  /* A privacy level the creator is not offered. */
  settings ("{\"privacy_level_options\":[\"PUBLIC_TO_EVERYONE\"]}");
  assert_init_refused ("{\"source\":\"FILE_UPLOAD\",\"video_size\":1000,"
                       "\"chunk_size\":1000,\"total_chunk_count\":1}",
                       "privacy_level_option_mismatch");
  sandbox_reset ();

  /* 12 MB in two chunks of 6 MB; the last takes the rest. */
  g_assert_cmpuint (raw_call ("POST", "https://" API_HOST "/v2/post/publish/video/init/",
                              "application/json; charset=UTF-8",
                              "{\"post_info\":{\"title\":\"strict\",\"privacy_level\":\"SELF_ONLY\"},"
                              "\"source_info\":{\"source\":\"FILE_UPLOAD\",\"video_size\":12000000,"
                              "\"chunk_size\":6000000,\"total_chunk_count\":2}}",
                              NULL, &code, &init), ==, 200);
  g_assert_cmpstr (code, ==, "ok");
  url = g_strdup (sm_json_get_string (init, "data.upload_url"));
  g_assert_true (g_str_has_prefix (url, "https://" UPLOAD_HOST "/video/?upload_id="));
  six_mb = g_malloc0 (6000000 + 1);
  memset (six_mb, 'v', 6000000);

  /* Out of order, without a range, of another type, of another total. */
  g_clear_pointer (&code, g_free);
  g_assert_cmpuint (raw_call ("PUT", url, "video/mp4", six_mb, "bytes 6000000-11999999/12000000",
                              &code, NULL), ==, 400);
  g_clear_pointer (&code, g_free);
  g_assert_cmpuint (raw_call ("PUT", url, "video/mp4", six_mb, NULL, &code, NULL), ==, 400);
  g_clear_pointer (&code, g_free);
  g_assert_cmpuint (raw_call ("PUT", url, "application/octet-stream", six_mb,
                              "bytes 0-5999999/12000000", &code, NULL), ==, 400);
  g_assert_cmpstr (code, ==, "invalid_file_upload");
  g_clear_pointer (&code, g_free);
  g_assert_cmpuint (raw_call ("PUT", url, "video/mp4", six_mb, "bytes 0-5999999/13000000",
                              &code, NULL), ==, 400);
  /* The first chunk, then the first again: refused, it is in. */
  g_assert_cmpuint (raw_call ("PUT", url, "video/mp4", six_mb, "bytes 0-5999999/12000000",
                              NULL, NULL), ==, 206);
  g_assert_cmpuint (raw_call ("PUT", url, "video/mp4", six_mb, "bytes 0-5999999/12000000",
                              NULL, NULL), ==, 400);
  /* A wrong upload token is no upload. */
  {
    g_autofree char *forged = g_strconcat (url, "x", NULL);

    g_assert_cmpuint (raw_call ("PUT", forged, "video/mp4", six_mb,
                                "bytes 6000000-11999999/12000000", NULL, NULL), ==, 404);
  }
  g_assert_cmpuint (raw_call ("PUT", url, "video/mp4", six_mb, "bytes 6000000-11999999/12000000",
                              NULL, NULL), ==, 201);
  g_assert_cmpuint (json_array_get_length (tiktok_posts ()), ==, 0);

  /* Without a token, or on the wrong path. */
  {
    g_autoptr(SoupSession) session = sm_http_session_new ();
    g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", "https://" API_HOST
                                                      "/v2/post/publish/creator_info/query/", NULL);
    g_autoptr(GBytes) answer = sm_http_send (session, msg, NULL, NULL);
    g_autoptr(JsonNode) root = sm_http_parse_json (answer, NULL);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 401);
    g_assert_cmpstr (sm_json_get_string (root, "error.code"), ==, "access_token_invalid");
  }
  g_clear_pointer (&code, g_free);
  g_assert_cmpuint (raw_call ("POST", "https://" API_HOST "/v2/post/publish/status/fetch",
                              "application/json", "{}", NULL, &code, NULL), ==, 404);
}

/* video/list and video/query with a grant that has video.list: the video
 * just posted, by the id the post got. */
static void
test_read_apis (void)
{
  g_autoptr(GHashTable) options = options_new ("tiktok.privacy", "PUBLIC_TO_EVERYONE", NULL);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) query = NULL;
  g_autofree char *verifier = sm_oauth_random_string (48);
  g_autofree char *challenge = sm_oauth_pkce_challenge (verifier);
  g_autofree char *escaped = g_uri_escape_string (challenge, NULL, FALSE);
  g_autofree char *url = NULL;
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  g_autoptr(SmTokens) reader = sm_tokens_new ();
  g_auto(SmTestUploads) u;
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GHashTable) params = NULL;
  const SmTokens *saved;

  sm_test_uploads_init (&u, NULL);
  if (!need_sandbox ())
    return;
  g_assert_true (publish_with (&t.clip, "Listed clip", options, &u, NULL, &result, &error));
  g_assert_no_error (error);

  /* The posting grant may not list videos. */
  body = g_strdup ("{\"max_count\":20}");
  g_assert_cmpuint (raw_call ("POST", "https://" API_HOST "/v2/video/list/?fields=id,title",
                              "application/json; charset=UTF-8", body, NULL, &code, NULL), ==, 401);
  g_assert_cmpstr (code, ==, "scope_not_authorized");
  g_clear_pointer (&code, g_free);

  /* A grant with video.list, by hand. */
  url = g_strdup_printf ("https://www.tiktok.com/v2/auth/authorize/?client_key=" CLIENT_KEY
                         "&response_type=code&scope=user.info.basic,video.list"
                         "&redirect_uri=" REDIRECT_URI "&state=s&code_challenge=%s"
                         "&code_challenge_method=S256", escaped);
  params = sm_test_net_consent (session, url, REDIRECT_URI, 302, NULL);
  msg = sm_http_message_new ("POST", "https://" API_HOST "/v2/oauth/token/", &error);
  sm_http_set_form_body (msg, "client_key", CLIENT_KEY, "client_secret", CLIENT_SECRET,
                         "code", g_hash_table_lookup (params, "code"),
                         "grant_type", "authorization_code", "redirect_uri", REDIRECT_URI,
                         "code_verifier", verifier, NULL);
  answer = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  root = sm_http_parse_json (answer, NULL);
  g_assert_cmpstr (sm_json_get_string (root, "open_id"), ==, t.remote_id);
  reader->access_token = g_strdup (sm_json_get_string (root, "access_token"));

  saved = t.tokens;
  t.tokens = reader;
  g_assert_cmpuint (raw_call ("POST", "https://" API_HOST "/v2/video/list/?fields=id,title,share_url",
                              "application/json; charset=UTF-8", body, NULL, &code, &list), ==, 200);
  g_assert_cmpstr (code, ==, "ok");
  g_assert_cmpstr (sm_json_get_string (list, "data.videos.0.id"), ==, result.remote_id);
  g_assert_cmpstr (sm_json_get_string (list, "data.videos.0.title"), ==, "Listed clip");
  g_assert_true (g_str_has_suffix (sm_json_get_string (list, "data.videos.0.share_url"),
                                   result.remote_id));
  g_assert_null (sm_json_get_node (list, "data.videos.1"));
  g_clear_pointer (&code, g_free);
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"filters\":{\"video_ids\":[\"%s\",\"7300000000000000000\"]}}",
                          result.remote_id);
  g_assert_cmpuint (raw_call ("POST", "https://" API_HOST "/v2/video/query/?fields=id,create_time",
                              "application/json; charset=UTF-8", body, NULL, &code, &query), ==, 200);
  g_assert_cmpstr (sm_json_get_string (query, "data.videos.0.id"), ==, result.remote_id);
  g_assert_cmpint (sm_json_get_int (query, "data.videos.0.create_time"), >, 0);
  g_assert_null (sm_json_get_node (query, "data.videos.1"));
  t.tokens = (SmTokens *) saved;
}

/* ---- from the command line, through the publisher --------------------------- */

static void
test_cli_connect_and_post (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  SmTestWait w = { NULL, 0, "published" };
  JsonObject *post;
  gint64 account;

  if (t.big.path == NULL || g_getenv ("SM_PREFIX") == NULL)
    {
      g_test_skip ("needs the installed programs (tests/run-headless) and GStreamer");
      return;
    }
  p = sm_test_profile_new ();
  w.profile = p;
  sm_test_profile_activate (p);
  /* `so-me accounts connect tiktok`: the loopback listener, state, PKCE. */
  account = sm_test_connect (p, "tiktok");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);

  /* Words alone are refused before anything is saved. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "No video", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "TikTok"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--media", t.big.path, "--option", "tiktok.privacy=SELF_ONLY",
                                "Fresh from the oven #bakery", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 120));

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (posts)), ==, 1);
  post = json_array_get_object_element (json_node_get_array (posts), 0);
  g_assert_cmpstr (json_object_get_string_member (post, "network"), ==, "tiktok");
  g_assert_cmpstr (json_object_get_string_member (post, "text"), ==, "Fresh from the oven #bakery");
  g_assert_cmpint (json_object_get_int_member (post, "bytes"), ==, t.big.size_bytes);
  g_assert_cmpstr (json_object_get_string_member (post, "sha256"), ==, t.big.sha256);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = dir != NULL ? g_dir_open (dir, 0, NULL) : NULL;
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  if (dir != NULL)
    g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (sm_test_net_spawn ())
    make_videos ();

  g_test_add_func ("/tiktok/connect", test_connect);
  g_test_add_func ("/tiktok/text-only-refused", test_text_only_refused);
  g_test_add_func ("/tiktok/publish-chunks", test_publish_chunks);
  g_test_add_func ("/tiktok/publish-public", test_publish_public);
  g_test_add_func ("/tiktok/chunk-server-error", test_chunk_server_error);
  g_test_add_func ("/tiktok/resume-after-cut", test_resume_after_cut);
  g_test_add_func ("/tiktok/creator-cannot-post", test_creator_cannot_post);
  g_test_add_func ("/tiktok/privacy-not-offered", test_privacy_not_offered);
  g_test_add_func ("/tiktok/too-long", test_too_long);
  g_test_add_func ("/tiktok/comments-disabled", test_comments_disabled);
  g_test_add_func ("/tiktok/processing-failed", test_processing_failed);
  g_test_add_func ("/tiktok/expired-token", test_expired_token);
  g_test_add_func ("/tiktok/envelope-errors", test_envelope_errors);
  g_test_add_func ("/tiktok/init-rate-limit", test_init_rate_limit);
  g_test_add_func ("/tiktok/sandbox-strict", test_sandbox_strict);
  g_test_add_func ("/tiktok/read-apis", test_read_apis);
  g_test_add_func ("/tiktok/disconnect", test_disconnect);
  g_test_add_func ("/tiktok/cli-connect-and-post", test_cli_connect_and_post);
  status = g_test_run ();

  sm_test_net_stop ();
  remove_tree (t.dir);
  g_free (t.dir);
  g_free (t.remote_id);
  sm_tokens_free (t.tokens);
  for (SmPostMedia *m = &t.clip; m != NULL; m = m == &t.clip ? &t.big : NULL)
    {
      g_free (m->path);
      g_free (m->sha256);
      g_free (m->mime_type);
    }
  return status;
}
