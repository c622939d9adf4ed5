/* test-net-instagram.c — Instagram with Facebook Login against the sandbox:
 * connecting through a Facebook login, and posts of every kind through
 * containers, the resumable video upload and the user's media bucket.
 *
 * The sandbox runs as its own process; the platform is called directly with
 * a real SoupSession, and upload progress is kept in memory the way the
 * publisher keeps it in the store.  Every check is something a user would
 * notice: the post's files arrive intact and in order, an upload cut in the
 * middle goes on instead of starting over, a full quota is reported with
 * when it frees up, a refused file names Instagram's reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-net-instagram"

#include "config.h"

#include <string.h>

#include "sm-http.h"
#include "sm-media-rules.h"
#include "sm-media.h"
#include "sm-platform.h"
#include "sm-platforms-private.h"
#include "sm-s3.h"
#include "sm-store.h"
#include "sm-test-net.h"
#include "sm-test-util.h"

#define CLIENT_ID     "sandbox-client"
#define CLIENT_SECRET "sandbox-secret"
#define REDIRECT_URI  "http://127.0.0.1:8765/callback"

/* The sandbox's business account, linked to its first page. */
#define IG_USER_ID    "17841400000000001"
#define IG_USERNAME   "sandboxbakery"
#define IG_PAGE_ID    "109000000000001"

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmPublishResult, sm_publish_result_clear)

static struct
{
  char        *dir;       /* fixtures */
  SmTokens    *tokens;    /* of the connected account */
} sandbox;

static const SmClientCredentials creds = {
  .client_id = (char *) CLIENT_ID,
  .client_secret = (char *) CLIENT_SECRET,
};

/* Bytes the sandbox took in requests to @host matching @method and the
 * path glob, from request @from on; *n_out counts them. */
static gint64
request_bytes (const char *method,
               const char *host,
               const char *glob,
               guint       from,
               guint      *n_out)
{
  g_autoptr(GPtrArray) requests = sm_test_net_requests_since (from, method, host, glob);

  if (n_out != NULL)
    *n_out = requests->len;
  return sm_test_net_body_bytes (requests);
}

/* ---- fixtures ------------------------------------------------------------------ */

/* A 9:16 H.264/AAC MP4 of @frames frames at 30 fps, made by GStreamer. */
static char *
make_video (const char *name,
            const char *pattern,
            int         width,
            int         height,
            int         frames,
            int         kbits)
{
  g_autofree char *path = g_build_filename (sandbox.dir, name, NULL);
  g_autofree char *nb = g_strdup_printf ("num-buffers=%d", frames);
  g_autofree char *pat = g_strdup_printf ("pattern=%s", pattern);
  g_autofree char *caps = g_strdup_printf ("video/x-raw,width=%d,height=%d,framerate=30/1,"
                                           "format=I420", width, height);
  g_autofree char *rate = g_strdup_printf ("bitrate=%d", kbits);
  g_autofree char *audio = g_strdup_printf ("num-buffers=%d", frames * 44100 / 30 / 1024 + 1);
  g_autofree char *loc = g_strdup_printf ("location=%s", path);
  g_autoptr(GSubprocess) gst = NULL;
  g_autoptr(GError) error = NULL;

  gst = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "gst-launch-1.0", "-q", "-e",
                          "videotestsrc", pat, nb, "!", caps, "!",
                          "x264enc", "speed-preset=ultrafast", rate, "!", "queue", "!", "mux.",
                          "audiotestsrc", audio, "samplesperbuffer=1024", "!",
                          "audio/x-raw,rate=44100,channels=2", "!", "audioconvert", "!",
                          "avenc_aac", "!", "aacparse", "!", "queue", "!", "mux.",
                          "mp4mux", "name=mux", "faststart=true", "!", "filesink", loc, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (gst, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* A JPEG of @width × @height. */
static char *
make_jpeg (const char *name,
           int         width,
           int         height)
{
  g_autofree char *path = g_build_filename (sandbox.dir, name, NULL);
  g_autofree char *caps = g_strdup_printf ("video/x-raw,width=%d,height=%d", width, height);
  g_autofree char *loc = g_strdup_printf ("location=%s", path);
  g_autoptr(GSubprocess) gst = NULL;
  g_autoptr(GError) error = NULL;

  gst = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "gst-launch-1.0", "-q", "-e",
                          "videotestsrc", "num-buffers=1", "pattern=smpte", "!", caps, "!",
                          "jpegenc", "!", "filesink", loc, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (gst, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* Checks a fixture against the client's own rules for @kind. */
static void
assert_rules_take (const char *kind,
                   const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmMediaInfo) info = sm_media_probe (path, NULL, &error);
  g_autofree char *problem = NULL;

  g_assert_no_error (error);
  if (!sm_media_rules_check (SM_NETWORK_INSTAGRAM, kind, info, &problem))
    g_error ("%s: %s", path, problem);
}

/* ---- the client side --------------------------------------------------------------- */

/* The consent page approved at once, the code exchanged: the accounts. */
static GPtrArray *
connect_accounts (GError **error)
{
  SmPlatform *platform = sm_platform_get (SM_NETWORK_INSTAGRAM);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autofree char *verifier = sm_test_net_pkce_verifier ();
  g_autofree char *challenge = sm_test_net_pkce_challenge (verifier);
  g_autofree char *url = sm_platform_build_authorize_url (platform, &creds, REDIRECT_URI,
                                                          "state-ig", challenge);
  g_autoptr(GHashTable) params = NULL;

  g_assert_true (g_str_has_prefix (url, "https://www.facebook.com/"));
  g_assert_nonnull (strstr (url, "instagram_content_publish"));

  params = sm_test_net_consent (session, url, REDIRECT_URI, 0, NULL);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "state-ig");

  return sm_platform_exchange_code (platform, session, &creds,
                                    g_hash_table_lookup (params, "code"), REDIRECT_URI,
                                    verifier, NULL, error);
}

static gboolean
need_connected (void)
{
  if (!sm_test_net_need_sandbox ())
    return FALSE;
  if (sandbox.tokens == NULL)
    {
      g_autoptr(GPtrArray) accounts = NULL;
      g_autoptr(GError) error = NULL;

      accounts = connect_accounts (&error);
      g_assert_no_error (error);
      sandbox.tokens = sm_tokens_copy (((SmAccountInfo *) g_ptr_array_index (accounts, 0))->tokens);
    }
  return TRUE;
}

static gboolean
publish (const char       *text,
         GPtrArray        *media,
         const char       *kind,
         SmMediaHost      *media_host,
         SmUploadHooks    *hooks,
         GCancellable     *cancellable,
         SmPublishResult  *result,
         GError          **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  SmPublishRequest request = {
    .account_remote_id = IG_USER_ID,
    .tokens = sandbox.tokens,
    .text = text,
    .not_before_us = g_get_real_time (),
    .media = media,
    .options = options,
    .uploads = hooks,
    .media_host = media_host,
  };

  if (kind != NULL)
    g_hash_table_insert (options, "instagram.kind", (gpointer) kind);
  return sm_platform_publish (sm_platform_get (SM_NETWORK_INSTAGRAM), session, &request, result,
                              cancellable, error);
}

static gboolean
find_published (const char       *text,
                GPtrArray        *media,
                const char       *kind,
                SmUploadHooks    *hooks,
                gint64            not_before_us,
                SmPublishResult  *result,
                GError          **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  SmPublishRequest request = {
    .account_remote_id = IG_USER_ID,
    .tokens = sandbox.tokens,
    .text = text,
    .not_before_us = not_before_us,
    .media = media,
    .options = options,
    .uploads = hooks,
  };

  if (kind != NULL)
    g_hash_table_insert (options, "instagram.kind", (gpointer) kind);
  return sm_platform_find_published (sm_platform_get (SM_NETWORK_INSTAGRAM), session, &request,
                                     result, NULL, error);
}

static void
assert_post_files (JsonNode    *post,
                   GPtrArray   *media)
{
  JsonNode *files = sm_json_get_node (post, "media");
  JsonArray *array;

  g_assert_nonnull (files);
  array = json_node_get_array (files);
  g_assert_cmpuint (json_array_get_length (array), ==, media->len);
  for (guint i = 0; i < media->len; i++)
    {
      SmPostMedia *m = g_ptr_array_index (media, i);
      JsonObject *file = json_array_get_object_element (array, i);

      g_assert_cmpstr (json_object_get_string_member (file, "sha256"), ==, m->sha256);
      g_assert_cmpint (json_object_get_int_member (file, "bytes"), ==, m->size_bytes);
      g_assert_cmpstr (json_object_get_string_member (file, "kind"), ==,
                       g_str_has_prefix (m->mime_type, "video/") ? "video" : "image");
    }
}

/* ---- connecting ------------------------------------------------------------------- */

/* A login over two pages, one with an Instagram account linked: one
 * account, the Instagram user, with that page's token. */
static void
test_connect (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) tokens = NULL;
  SmAccountInfo *info;
  JsonArray *list;
  gboolean found = FALSE;

  if (!sm_test_net_need_sandbox ())
    return;

  accounts = connect_accounts (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  info = g_ptr_array_index (accounts, 0);
  g_assert_cmpint (info->network, ==, SM_NETWORK_INSTAGRAM);
  g_assert_cmpstr (info->remote_id, ==, IG_USER_ID);
  g_assert_cmpstr (info->handle, ==, "@" IG_USERNAME);
  g_assert_cmpstr (info->name, ==, "Sandbox Bakery");
  g_assert_cmpint (info->tokens->expires_at_us, ==, 0);

  /* The token is the linked page's, derived from a long-lived user token. */
  tokens = sm_test_net_hook ("GET", "tokens", NULL);
  list = json_node_get_array (tokens);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *t = json_array_get_object_element (list, i);

      if (g_strcmp0 (json_object_get_string_member (t, "token"), info->tokens->access_token) == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (t, "type"), ==, "page");
          g_assert_cmpstr (json_object_get_string_member (t, "account"), ==, IG_PAGE_ID);
          g_assert_nonnull (strstr (json_object_get_string_member (t, "scope"),
                                    "instagram_content_publish"));
          found = TRUE;
        }
    }
  g_assert_true (found);

  g_clear_pointer (&sandbox.tokens, sm_tokens_free);
  sandbox.tokens = sm_tokens_copy (info->tokens);
}

/* Pages without a linked Instagram account: a message that says what to do. */
static void
test_connect_unlinked (void)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  if (!sm_test_net_need_sandbox ())
    return;

  sm_test_net_hook_post ("instagram", "{\"linked\":false}");
  accounts = connect_accounts (&error);
  sm_test_net_hook_post ("instagram", "{\"linked\":true}");

  g_assert_null (accounts);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "Instagram"));
  g_assert_nonnull (strstr (error->message, "Page’s settings"));
}

static const char *reel (void);

/* From the command line, as a user does it: `so-me accounts connect
 * instagram`, a reel scheduled with `so-me post --media`, sent by the
 * publisher; a photo the feed would refuse is refused before it is
 * scheduled, as is a photo without a bucket; with `so-me bucket set`, the
 * photo goes out through the bucket. */
static void
test_cli (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) posts = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  g_autofree char *video = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *tall = NULL;
  g_autofree char *square = NULL;
  g_autofree char *secret_line = NULL;
  g_autofree char *photo_sha = NULL;
  g_autoptr(JsonNode) made = NULL;
  g_autoptr(JsonNode) objects = NULL;
  SmTestWait w = { NULL, 0, "published" };
  gint64 account = 0;
  JsonArray *list;
  guint n = 0;

  if (!sm_test_net_need_sandbox ())
    return;
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus: run under tests/run-headless");
      return;
    }

  p = sm_test_profile_new ();
  w.profile = p;
  sm_test_profile_activate (p);
  account = sm_test_connect (p, "instagram");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "accounts", "list", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  list = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *a = json_array_get_object_element (list, i);

      if (g_strcmp0 (json_object_get_string_member (a, "network"), "instagram") == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (a, "name"), ==, "Sandbox Bakery");
          n++;
        }
    }
  g_assert_cmpuint (n, ==, 1);

  /* A reel, through the publisher. */
  video = g_strdup (reel ());
  sha = sm_test_net_file_sha256 (video);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--media", video, "--option", "instagram.kind=reel",
                                "Rye, from the command line", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 120));
  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  list = json_node_get_array (posts);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (sm_json_get_string (json_array_get_element (list, 0), "network"), ==, "instagram");
  g_assert_cmpstr (sm_json_get_string (json_array_get_element (list, 0), "media.0.sha256"), ==, sha);

  /* A photo without a bucket: refused before it is scheduled, saying
   * what to do. */
  square = make_jpeg ("cli-square.jpg", 1080, 1080);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--media", square, "--option", "instagram.kind=feed",
                                "A square loaf", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "so-me bucket set"));

  /* With the bucket set up, the photo goes through it to Instagram, and
   * nothing of it stays there. */
  made = sm_test_sandbox_call (p, "/__sandbox/s3/buckets",
                               "{\"bucket\":\"bakery-cli\",\"region\":\"eu-west-1\"}", 201);
  secret_line = g_strconcat (sm_json_get_string (made, "secret_access_key"), "\n", NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, secret_line, &out, &err, "bucket", "set",
                                "--endpoint", sm_json_get_string (made, "endpoint"),
                                "--region", "eu-west-1", "--bucket", "bakery-cli",
                                "--access-key-id", sm_json_get_string (made, "access_key_id"),
                                NULL), ==, 0);
  /* 1:3 is no feed photo: refused before anything is saved. */
  tall = make_jpeg ("cli-tall.jpg", 360, 1080);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--media", tall, "--option", "instagram.kind=feed",
                                "Too tall", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "4:5"));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "post", "--to", id, "--at", "now",
                                "--media", square, "--option", "instagram.kind=feed",
                                "A square loaf", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 120));
  g_clear_pointer (&posts, json_node_unref);
  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  list = json_node_get_array (posts);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  photo_sha = sm_test_net_file_sha256 (square);
  g_assert_cmpstr (sm_json_get_string (json_array_get_element (list, 1), "media.0.kind"), ==, "image");
  g_assert_cmpstr (sm_json_get_string (json_array_get_element (list, 1), "media.0.sha256"), ==,
                   photo_sha);
  objects = sm_test_sandbox_get (p, "/__sandbox/s3/objects");
  list = json_node_get_array (objects);
  g_assert_cmpuint (json_array_get_length (list), >=, 1);
  {
    JsonNode *o = json_array_get_element (list, json_array_get_length (list) - 1);

    g_assert_cmpstr (sm_json_get_string (o, "sha256"), ==, photo_sha);
    g_assert_cmpint (sm_json_get_int (o, "fetches"), >=, 1);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (o), "deleted"));
  }
}

/* The publisher is killed while Instagram holds its answer to the upload:
 * the next publisher asks the container, finds the video whole, and
 * publishes it without sending a byte again. */
static void
test_cli_killed_publisher (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autoptr(JsonNode) requests = NULL;
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;
  g_autofree char *video = NULL;
  g_autofree char *sha = NULL;
  SmTestWait w = { NULL, 0, "publishing" };
  gint64 size, sent = 0;
  JsonArray *list;

  if (!sm_test_net_need_sandbox ())
    return;
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus: run under tests/run-headless");
      return;
    }

  p = sm_test_profile_new ();
  w.profile = p;
  sm_test_profile_activate (p);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, sm_test_connect (p, "instagram"));
  video = g_strdup (reel ());
  sha = sm_test_net_file_sha256 (video);
  size = sm_test_net_file_size (video);

  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"rupload.facebook.com\",\"method\":\"POST\","
                        "\"path\":\"/ig-api-upload/*\",\"count\":1,\"delay_ms\":8000}");
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "post", "--to", id, "--at", "now",
                                "--media", video, "A reel that outlives its publisher", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 30));

  /* The 8 MB are in after well under a second on loopback; the answer
   * waits 8 s. */
  g_usleep (4 * G_TIME_SPAN_SECOND);
  {
    g_autofree char *states = sm_test_target_states (p, w.post_id);

    g_assert_cmpstr (states, ==, "publishing");
  }
  sm_test_stop_publisher (SIGKILL);
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 0);

  sm_test_wake_publisher ();
  w.want = "published";
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 120));

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  list = json_node_get_array (posts);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (sm_json_get_string (json_array_get_element (list, 0), "media.0.sha256"), ==, sha);

  requests = sm_test_sandbox_get (p, "/__sandbox/requests");
  list = json_node_get_array (requests);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *r = json_array_get_object_element (list, i);

      if (g_strcmp0 (json_object_get_string_member (r, "host"), "rupload.facebook.com") == 0)
        sent += json_object_get_int_member_with_default (r, "body_bytes", 0);
    }
  g_test_message ("sent %" G_GINT64_FORMAT " bytes for a %" G_GINT64_FORMAT "-byte reel", sent, size);
  g_assert_cmpint (sent, ==, size);
}

/* ---- videos ------------------------------------------------------------------------ */

static char *reel_path;

/* 3.2 s of 720×1280 snow at 20 Mbit/s: about 8 MB, and a real reel. */
static const char *
reel (void)
{
  if (reel_path == NULL)
    {
      reel_path = make_video ("reel.mp4", "snow", 720, 1280, 96, 20000);
      assert_rules_take ("reel", reel_path);
    }
  return reel_path;
}

static void
test_reel (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  const SmUploadState *state;
  SmPostMedia *m;
  JsonNode *post;

  if (!need_connected ())
    return;

  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (11, reel (), "video/mp4"));
  m = g_ptr_array_index (media, 0);
  before = sm_test_net_posts ("instagram");

  g_assert_true (publish ("Fresh sourdough, from the oven to you #bakery", media, "reel", NULL,
                          &hooks, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (result.remote_id);
  g_assert_true (g_str_has_prefix (result.permalink, "https://www.instagram.com/reel/"));

  after = sm_test_net_posts ("instagram");
  g_assert_cmpuint (after->len, ==, before->len + 1);
  post = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpstr (sm_json_get_string (post, "id"), ==, result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "account"), ==, IG_USER_ID);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==,
                   "Fresh sourdough, from the oven to you #bakery");
  assert_post_files (post, media);

  /* Progress reached the end, and what was saved says the file is there. */
  g_assert_cmpuint (u.last_sent, ==, (guint64) m->size_bytes);
  state = sm_test_uploads_get (&u, m->id);
  g_assert_nonnull (state);
  g_assert_cmpint (state->acknowledged, ==, m->size_bytes);
  g_assert_nonnull (state->session);
  g_assert_nonnull (strstr (state->session, " https://rupload.facebook.com/ig-api-upload/"));
  sm_test_uploads_clear (&u);
}

/* The connection dies halfway through the upload: the client asks the
 * container how far it got and sends only the rest. */
static void
test_reel_resume_after_cut (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *fault = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  SmPostMedia *m;
  guint from, n_uploads = 0;
  gint64 sent;

  if (!need_connected ())
    return;

  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (21, reel (), "video/mp4"));
  m = g_ptr_array_index (media, 0);
  before = sm_test_net_posts ("instagram");
  from = sm_test_net_requests_mark ();

  fault = g_strdup_printf ("{\"host\":\"rupload.facebook.com\",\"method\":\"POST\","
                           "\"path\":\"/ig-api-upload/*\",\"count\":1,"
                           "\"drop_after_bytes\":%" G_GINT64_FORMAT "}", m->size_bytes / 2);
  sm_test_net_add_fault ("%s", fault);

  g_assert_true (publish ("Cut in the middle, and still one reel", media, "reel", NULL, &hooks,
                          NULL, &result, &error));
  g_assert_no_error (error);

  after = sm_test_net_posts ("instagram");
  g_assert_cmpuint (after->len, ==, before->len + 1);
  assert_post_files (g_ptr_array_index (after, after->len - 1), media);

  sent = request_bytes ("POST", "rupload.facebook.com", "/ig-api-upload/*", from, &n_uploads);
  g_test_message ("sent %" G_GINT64_FORMAT " bytes in %u requests for a %" G_GINT64_FORMAT
                  "-byte video", sent, n_uploads, m->size_bytes);
  g_assert_cmpuint (n_uploads, ==, 2);
  g_assert_cmpint (sent, >=, m->size_bytes);
  g_assert_cmpint (sent - m->size_bytes, <, m->size_bytes / 10);
  sm_test_uploads_clear (&u);
}

/* The publisher dies mid-upload (cancelled here); the next one finds the
 * container in what was saved, asks where it stands, and sends the rest. */
static void
test_reel_resume_after_restart (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *container = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  SmPostMedia *m;
  const SmUploadState *state;
  guint from, n_uploads = 0, n_containers = 0;
  gint64 sent;

  if (!need_connected ())
    return;

  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (31, reel (), "video/mp4"));
  m = g_ptr_array_index (media, 0);
  before = sm_test_net_posts ("instagram");

  /* The sandbox takes the body slowly enough for the cut to land midway. */
  u.cancel = g_cancellable_new ();
  u.cancel_after = (guint64) m->size_bytes / 2;
  {
    g_auto(SmPublishResult) result = { NULL, NULL, -1 };

    g_assert_false (publish ("A reel that survives a restart", media, "reel", NULL, &hooks,
                             u.cancel, &result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  state = sm_test_uploads_get (&u, m->id);
  g_assert_nonnull (state);
  g_assert_nonnull (state->session);
  container = g_strndup (state->session, strcspn (state->session, " "));
  g_clear_object (&u.cancel);
  u.cancel_after = 0;

  from = sm_test_net_requests_mark ();
  {
    g_auto(SmPublishResult) result = { NULL, NULL, -1 };

    g_assert_true (publish ("A reel that survives a restart", media, "reel", NULL, &hooks, NULL,
                            &result, &error));
    g_assert_no_error (error);
  }

  after = sm_test_net_posts ("instagram");
  g_assert_cmpuint (after->len, ==, before->len + 1);
  assert_post_files (g_ptr_array_index (after, after->len - 1), media);

  /* The same container, and only what was missing sent again. */
  request_bytes ("POST", "graph.facebook.com", "/*/" IG_USER_ID "/media", from, &n_containers);
  g_assert_cmpuint (n_containers, ==, 0);
  state = sm_test_uploads_get (&u, m->id);
  g_assert_true (g_str_has_prefix (state->session, container));
  sent = request_bytes ("POST", "rupload.facebook.com", "/ig-api-upload/*", from, &n_uploads);
  g_test_message ("after the restart: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes",
                  sent, m->size_bytes);
  g_assert_cmpuint (n_uploads, ==, 1);
  g_assert_cmpint (sent, >, 0);
  g_assert_cmpint (sent, <, m->size_bytes);
  sm_test_uploads_clear (&u);
}

/* Three videos as a carousel: one post, its files in the order given. */
static void
test_carousel_order (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) after = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  const char *patterns[] = { "ball", "smpte", "pinwheel" };
  SmUploadHooks hooks;
  SmTestUploads u;
  JsonNode *post;

  if (!need_connected ())
    return;

  sm_test_uploads_init (&u, &hooks);
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autofree char *name = g_strdup_printf ("slide-%u.mp4", i);
      g_autofree char *path = make_video (name, patterns[i], 540, 960, 96, 2000);

      assert_rules_take ("carousel", path);
      g_ptr_array_add (media, sm_test_net_media_new (40 + i, path, "video/mp4"));
    }

  g_assert_true (publish ("Three loaves, three ways", media, "carousel", NULL, &hooks, NULL,
                          &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (result.permalink, "https://www.instagram.com/p/"));

  after = sm_test_net_posts ("instagram");
  post = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpstr (sm_json_get_string (post, "id"), ==, result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, "Three loaves, three ways");
  assert_post_files (post, media);
  sm_test_uploads_clear (&u);
}

/* A video story: no caption, and listed among the account's stories. */
static void
test_story (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) after = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) stories = NULL;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autofree char *path = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  JsonNode *post;

  if (!need_connected ())
    return;

  sm_test_uploads_init (&u, &hooks);
  path = make_video ("story.mp4", "ball", 540, 960, 96, 2000);
  assert_rules_take ("story", path);
  g_ptr_array_add (media, sm_test_net_media_new (51, path, "video/mp4"));

  g_assert_true (publish ("Behind the counter this morning", media, "story", NULL, &hooks, NULL,
                          &result, &error));
  g_assert_no_error (error);

  after = sm_test_net_posts ("instagram");
  post = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpstr (sm_json_get_string (post, "id"), ==, result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, "");
  assert_post_files (post, media);

  stories = _sm_platform_graph_get (session, "https://graph.facebook.com/v21.0/" IG_USER_ID
                                    "/stories?fields=id,media_product_type",
                                    sandbox.tokens->access_token, "Instagram", SM_CALL_READ, NULL,
                                    NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sm_json_get_string (stories, "data.0.id"), ==, result.remote_id);
  g_assert_cmpstr (sm_json_get_string (stories, "data.0.media_product_type"), ==, "STORY");
  sm_test_uploads_clear (&u);
}

/* The 24-hour quota is used up: refused before anything is sent, with
 * when it frees up. */
static void
test_publishing_limit (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *quota = NULL;
  g_autofree char *expected = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  guint from, n = 0;

  if (!need_connected ())
    return;

  /* At least one post went out in this run: make that the whole quota. */
  before = sm_test_net_posts ("instagram");
  if (before->len == 0)
    {
      g_test_skip ("needs an earlier post in the last 24 hours");
      return;
    }
  quota = g_strdup_printf ("{\"quota_total\":%u}", before->len);
  sm_test_net_hook_post ("instagram", "%s", quota);

  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (61, reel (), "video/mp4"));
  from = sm_test_net_requests_mark ();
  g_assert_false (publish ("One too many today", media, "reel", NULL, &hooks, NULL, &result,
                           &error));
  sm_test_net_hook_post ("instagram", "{\"quota_total\":100}");

  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  expected = g_strdup_printf ("limit of %u post", before->len);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_nonnull (strstr (error->message, "next free at"));
  /* The oldest post leaves the window 24 hours after it went out. */
  g_assert_cmpint (result.retry_after_us, >, 23 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (result.retry_after_us, <=, G_TIME_SPAN_DAY);

  request_bytes ("POST", "graph.facebook.com", "/*/" IG_USER_ID "/media", from, &n);
  g_assert_cmpuint (n, ==, 0);
  request_bytes ("POST", "rupload.facebook.com", "/**", from, &n);
  g_assert_cmpuint (n, ==, 0);
  after = sm_test_net_posts ("instagram");
  g_assert_cmpuint (after->len, ==, before->len);
  sm_test_uploads_clear (&u);
}

/* A file Instagram cannot use: the container ends in ERROR, and the error
 * says so in Instagram's terms. */
static void
test_container_error (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (sandbox.dir, "not-a-video.mp4", NULL);
  guint8 noise[64 * 1024];
  SmUploadHooks hooks;
  SmTestUploads u;

  if (!need_connected ())
    return;

  for (guint i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_random_int ();
  g_assert_true (g_file_set_contents (path, (const char *) noise, sizeof noise, NULL));
  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (71, path, "video/mp4"));
  before = sm_test_net_posts ("instagram");

  g_assert_false (publish ("This will not play", media, "reel", NULL, &hooks, NULL, &result,
                           &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "2207026"));
  g_assert_nonnull (strstr (error->message, "MP4"));

  after = sm_test_net_posts ("instagram");
  g_assert_cmpuint (after->len, ==, before->len);
  sm_test_uploads_clear (&u);
}

/* The answer to media_publish is lost: the post is found by its caption
 * rather than sent again.  When the publish never happened, the container
 * says so for certain, and the next attempt publishes the video already
 * uploaded without sending it again. */
static void
test_reconcile (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  gint64 start = g_get_real_time ();
  guint from, n = 0;

  if (!need_connected ())
    return;

  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (91, reel (), "video/mp4"));
  before = sm_test_net_posts ("instagram");

  /* Published, but the answer never came. */
  sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\","
                         "\"path\":\"/*/media_publish\",\"count\":1,\"drop\":true}");
  {
    g_auto(SmPublishResult) result = { NULL, NULL, -1 };

    g_assert_false (publish ("Did this one go out?", media, "reel", NULL, &hooks, NULL, &result,
                             &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
    g_clear_error (&error);
  }
  after = sm_test_net_posts ("instagram");
  g_assert_cmpuint (after->len, ==, before->len + 1);
  {
    g_auto(SmPublishResult) result = { NULL, NULL, -1 };

    g_assert_true (find_published ("Did this one go out?", media, "reel", &hooks, start, &result,
                                   &error));
    g_assert_no_error (error);
    g_assert_cmpstr (result.remote_id, ==,
                     sm_json_get_string (g_ptr_array_index (after, after->len - 1), "id"));
    g_assert_nonnull (result.permalink);
  }
  sm_test_uploads_clear (&u);

  /* Not published: Instagram failed before it acted. */
  sm_test_uploads_init (&u, &hooks);
  g_clear_pointer (&before, g_ptr_array_unref);
  before = sm_test_net_posts ("instagram");
  sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\","
                         "\"path\":\"/*/media_publish\",\"count\":1,\"status\":503}");
  {
    g_auto(SmPublishResult) result = { NULL, NULL, -1 };

    g_assert_false (publish ("Second try, same video", media, "reel", NULL, &hooks, NULL,
                             &result, &error));
    g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
    g_clear_error (&error);
  }
  {
    g_auto(SmPublishResult) result = { NULL, NULL, -1 };

    g_assert_true (find_published ("Second try, same video", media, "reel", &hooks, start,
                                   &result, &error));
    g_assert_no_error (error);
    g_assert_null (result.remote_id);
    g_assert_true (result.definitive);
  }
  from = sm_test_net_requests_mark ();
  {
    g_auto(SmPublishResult) result = { NULL, NULL, -1 };

    g_assert_true (publish ("Second try, same video", media, "reel", NULL, &hooks, NULL, &result,
                            &error));
    g_assert_no_error (error);
  }
  request_bytes ("POST", "rupload.facebook.com", "/**", from, &n);
  g_assert_cmpuint (n, ==, 0);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = sm_test_net_posts ("instagram");
  g_assert_cmpuint (after->len, ==, before->len + 1);
  assert_post_files (g_ptr_array_index (after, after->len - 1), media);
  sm_test_uploads_clear (&u);
}

/* ---- photos --------------------------------------------------------------------------- */

/* Without a bucket, a photo cannot go: the user is told how to set one up,
 * and nothing reaches Instagram. */
static void
test_photo_needs_bucket (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  guint from, n = 0;

  if (!need_connected ())
    return;

  path = make_jpeg ("square.jpg", 1080, 1080);
  assert_rules_take ("feed", path);
  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (81, path, "image/jpeg"));
  from = sm_test_net_requests_mark ();

  g_assert_false (publish ("A photo with nowhere to go", media, "feed", NULL, &hooks, NULL,
                           &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "so-me bucket set"));
  request_bytes ("POST", "graph.facebook.com", "/**", from, &n);
  g_assert_cmpuint (n, ==, 0);
  sm_test_uploads_clear (&u);
}

/* ---- photos through the bucket ------------------------------------------------------ */

static SmMediaHost *bucket_host;

/* The user's bucket: a private S3 bucket in the sandbox, as `so-me bucket
 * set` would configure it. */
static SmMediaHost *
media_bucket (void)
{
  if (bucket_host == NULL)
    {
      g_autoptr(JsonNode) reply = sm_test_net_hook ("POST", "s3/buckets",
                                                    "{\"bucket\":\"bakery-media\",\"region\":\"eu-west-1\"}");
      g_autoptr(SmS3Config) config = NULL;

      config = sm_s3_config_new (sm_json_get_string (reply, "endpoint"), "eu-west-1",
                                 "bakery-media", sm_json_get_string (reply, "access_key_id"),
                                 sm_json_get_string (reply, "secret_access_key"),
                                 SM_S3_ADDRESSING_AUTO);
      bucket_host = sm_s3_media_host_new (config);
    }
  return bucket_host;
}

/* The bucket's objects from the @from-th on (new references). */
static GPtrArray *
bucket_objects (guint from)
{
  g_autoptr(JsonNode) objects = sm_test_net_hook ("GET", "s3/objects", NULL);
  JsonArray *array = json_node_get_array (objects);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = from; i < json_array_get_length (array); i++)
    g_ptr_array_add (found, json_node_ref (json_array_get_element (array, i)));
  return found;
}

static guint
bucket_count (void)
{
  g_autoptr(GPtrArray) all = bucket_objects (0);

  return all->len;
}

/* Each file of @media that is a photo went through the bucket: put with
 * the file's bytes, fetched by Instagram, and deleted. */
static void
assert_photos_went_through_bucket (GPtrArray *objects,
                                   GPtrArray *media)
{
  guint photos = 0;

  for (guint i = 0; i < media->len; i++)
    {
      SmPostMedia *m = g_ptr_array_index (media, i);
      gboolean found = FALSE;

      if (g_str_has_prefix (m->mime_type, "video/"))
        continue;
      photos++;
      for (guint j = 0; j < objects->len; j++)
        {
          JsonNode *o = g_ptr_array_index (objects, j);

          if (g_strcmp0 (sm_json_get_string (o, "sha256"), m->sha256) == 0)
            {
              g_assert_cmpint (sm_json_get_int (o, "fetches"), >=, 1);
              g_assert_true (json_object_get_boolean_member (json_node_get_object (o), "deleted"));
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
  g_assert_cmpuint (objects->len, ==, photos);
}

/* A feed photo: into the bucket, fetched by Instagram, published, and
 * gone from the bucket. */
static void
test_photo_feed (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const SmUploadState *state;
  SmUploadHooks hooks;
  SmTestUploads u;
  JsonNode *post;
  guint from;

  if (!need_connected ())
    return;

  path = make_jpeg ("portrait.jpg", 1080, 1350);
  assert_rules_take ("feed", path);
  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (101, path, "image/jpeg"));
  from = bucket_count ();

  g_assert_true (publish ("Our morning loaves, 4:5", media, "feed", media_bucket (), &hooks, NULL,
                          &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (result.permalink, "https://www.instagram.com/p/"));

  after = sm_test_net_posts ("instagram");
  post = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpstr (sm_json_get_string (post, "id"), ==, result.remote_id);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, "Our morning loaves, 4:5");
  assert_post_files (post, media);

  objects = bucket_objects (from);
  assert_photos_went_through_bucket (objects, media);
  /* Nothing left to clean up. */
  state = sm_test_uploads_get (&u, 101);
  g_assert_true (state == NULL || state->session == NULL);
  sm_test_uploads_clear (&u);
}

/* A photo Instagram refuses for its shape (the client's rules would have
 * caught it; here it is sent anyway): the container's ERROR is explained,
 * and the bucket's copy is deleted all the same. */
static void
test_photo_aspect_error (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  guint from;

  if (!need_connected ())
    return;

  path = make_jpeg ("too-tall.jpg", 360, 1080);
  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (111, path, "image/jpeg"));
  before = sm_test_net_posts ("instagram");
  from = bucket_count ();

  g_assert_false (publish ("Too tall for the feed", media, "feed", media_bucket (), &hooks, NULL,
                           &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "2207009"));
  g_assert_nonnull (strstr (error->message, "4:5"));

  after = sm_test_net_posts ("instagram");
  g_assert_cmpuint (after->len, ==, before->len);
  objects = bucket_objects (from);
  assert_photos_went_through_bucket (objects, media);
  sm_test_uploads_clear (&u);
}

/* Photos and a video in one carousel: in order, the video by rupload, the
 * photos through the bucket. */
static void
test_carousel_mixed (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *video = NULL;
  g_autofree char *last = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  guint from;

  if (!need_connected ())
    return;

  first = make_jpeg ("mixed-1.jpg", 1080, 1080);
  video = make_video ("mixed-2.mp4", "ball", 540, 960, 96, 2000);
  last = make_jpeg ("mixed-3.jpg", 1080, 1350);
  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (121, first, "image/jpeg"));
  g_ptr_array_add (media, sm_test_net_media_new (122, video, "video/mp4"));
  g_ptr_array_add (media, sm_test_net_media_new (123, last, "image/jpeg"));
  from = bucket_count ();

  g_assert_true (publish ("Crust, crumb, and the oven", media, "carousel", media_bucket (),
                          &hooks, NULL, &result, &error));
  g_assert_no_error (error);

  after = sm_test_net_posts ("instagram");
  assert_post_files (g_ptr_array_index (after, after->len - 1), media);
  objects = bucket_objects (from);
  assert_photos_went_through_bucket (objects, media);
  sm_test_uploads_clear (&u);
}

/* A photo story: any shape, no caption. */
static void
test_photo_story (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  JsonNode *post;
  guint from;

  if (!need_connected ())
    return;

  path = make_jpeg ("story.jpg", 1080, 1920);
  assert_rules_take ("story", path);
  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (131, path, "image/jpeg"));
  from = bucket_count ();

  g_assert_true (publish ("Fresh out", media, "story", media_bucket (), &hooks, NULL, &result,
                          &error));
  g_assert_no_error (error);
  after = sm_test_net_posts ("instagram");
  post = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, "");
  assert_post_files (post, media);
  objects = bucket_objects (from);
  assert_photos_went_through_bucket (objects, media);
  sm_test_uploads_clear (&u);
}

/* Instagram cannot fetch the photo: its reason, and the copy deleted. */
static void
test_photo_fetch_fails (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) objects = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  SmUploadHooks hooks;
  SmTestUploads u;
  guint from;

  if (!need_connected ())
    return;

  path = make_jpeg ("unreachable.jpg", 1080, 1080);
  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (141, path, "image/jpeg"));
  from = bucket_count ();
  sm_test_net_add_fault ("{\"method\":\"GET\",\"path\":\"*so-me-studio/*\",\"count\":1,\"status\":403}");

  g_assert_false (publish ("Nobody can see this photo", media, "feed", media_bucket (), &hooks,
                           NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "2207077"));
  g_assert_nonnull (strstr (error->message, "bucket"));

  objects = bucket_objects (from);
  g_assert_cmpuint (objects->len, ==, 1);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (g_ptr_array_index (objects, 0)),
                                                 "deleted"));
  sm_test_uploads_clear (&u);
}

/* A publisher that died after putting a photo in the bucket: the next
 * attempt removes what it left before putting the photo again. */
static void
test_photo_leftover_removed (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(GPtrArray) objects = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  g_autofree char *saved = NULL;
  SmMediaHost *host;
  SmUploadHooks hooks;
  SmTestUploads u;
  guint from;

  if (!need_connected ())
    return;

  path = make_jpeg ("again.jpg", 1080, 1080);
  sm_test_uploads_init (&u, &hooks);
  g_ptr_array_add (media, sm_test_net_media_new (151, path, "image/jpeg"));
  from = bucket_count ();
  host = media_bucket ();

  /* What the dead attempt did: the photo in the bucket, its key saved. */
  url = host->put (host, session, path, "image/jpeg", 3600, &key, NULL, &error);
  g_assert_no_error (error);
  saved = g_strconcat ("bucket:", key, NULL);
  hooks.save (&u, 151, saved, 0, NULL);

  g_assert_true (publish ("Second attempt at a square loaf", media, "feed", host, &hooks, NULL,
                          &result, &error));
  g_assert_no_error (error);

  objects = bucket_objects (from);
  g_assert_cmpuint (objects->len, ==, 2);
  for (guint i = 0; i < objects->len; i++)
    g_assert_true (json_object_get_boolean_member (json_node_get_object (g_ptr_array_index (objects, i)),
                                                   "deleted"));
  g_assert_cmpstr (sm_json_get_string (g_ptr_array_index (objects, 0), "key"), ==, key);
  sm_test_uploads_clear (&u);
}

/* The client's rules catch a feed photo Instagram would refuse, before
 * anything is scheduled. */
static void
test_photo_shape_rule (void)
{
  g_autofree char *tall = NULL;
  g_autoptr(SmMediaInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;

  if (!sm_test_net_need_sandbox ())
    return;
  tall = make_jpeg ("tall.jpg", 360, 1080);
  info = sm_media_probe (tall, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (sm_media_rules_check (SM_NETWORK_INSTAGRAM, "feed", info, &problem));
  g_assert_nonnull (strstr (problem, "4:5"));
  /* A story has no such rule. */
  g_assert_true (sm_media_rules_check (SM_NETWORK_INSTAGRAM, "story", info, NULL));
}

/* instagram.first_comment: POST /{ig-media-id}/comments under a reel,
 * through `so-me post` and the publisher (sm_test_first_comment). */
static void
test_first_comment (void)
{
  SmTestFirstComment c = {
    .network = "instagram",
    .comment_host = "graph.facebook.com",
    .comment_path = "/v21.0/*/comments",
    .create_host = "graph.facebook.com",
    .create_method = "POST",
    .create_path = "/v21.0/*/media_publish",
    .refusal = "\"status\":400,\"body\":{\"error\":{\"message\":\"(#100) Comments on this media "
               "are turned off\",\"type\":\"OAuthException\",\"code\":100,\"fbtrace_id\":\"AbCdEf\"}}",
    .option = "instagram.kind=reel",
  };
  g_autofree char *video = g_strdup (reel ());

  c.media = video;
  sm_test_first_comment (&c);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  sandbox.dir = g_dir_make_tmp ("test-net-instagram-XXXXXX", &error);
  g_assert_no_error (error);
  sm_test_net_spawn ();

  g_test_add_func ("/instagram/connect", test_connect);
  g_test_add_func ("/instagram/connect-unlinked", test_connect_unlinked);
  g_test_add_func ("/instagram/cli", test_cli);
  g_test_add_func ("/instagram/cli-killed-publisher", test_cli_killed_publisher);
  g_test_add_func ("/instagram/reel", test_reel);
  g_test_add_func ("/instagram/reel-resume-after-cut", test_reel_resume_after_cut);
  g_test_add_func ("/instagram/reel-resume-after-restart", test_reel_resume_after_restart);
  g_test_add_func ("/instagram/carousel-order", test_carousel_order);
  g_test_add_func ("/instagram/story", test_story);
  g_test_add_func ("/instagram/publishing-limit", test_publishing_limit);
  g_test_add_func ("/instagram/container-error", test_container_error);
  g_test_add_func ("/instagram/reconcile", test_reconcile);
  g_test_add_func ("/instagram/photo-needs-bucket", test_photo_needs_bucket);
  g_test_add_func ("/instagram/photo-shape-rule", test_photo_shape_rule);
  g_test_add_func ("/instagram/photo-feed", test_photo_feed);
  g_test_add_func ("/instagram/photo-aspect-error", test_photo_aspect_error);
  g_test_add_func ("/instagram/carousel-mixed", test_carousel_mixed);
  g_test_add_func ("/instagram/photo-story", test_photo_story);
  g_test_add_func ("/instagram/photo-fetch-fails", test_photo_fetch_fails);
  g_test_add_func ("/instagram/photo-leftover-removed", test_photo_leftover_removed);
  g_test_add_func ("/instagram/first-comment", test_first_comment);

  ret = g_test_run ();

  sm_test_net_stop ();
  g_clear_pointer (&bucket_host, sm_s3_media_host_free);
  g_clear_pointer (&sandbox.tokens, sm_tokens_free);
  g_clear_pointer (&reel_path, g_free);
  {
    g_autoptr(GFile) dir = g_file_new_for_path (sandbox.dir);
    g_autoptr(GFileEnumerator) e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                              0, NULL, NULL);
    GFileInfo *info;

    while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
      {
        g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

        g_file_delete (child, NULL, NULL);
        g_object_unref (info);
      }
    g_file_delete (dir, NULL, NULL);
  }
  g_free (sandbox.dir);
  return ret;
}
