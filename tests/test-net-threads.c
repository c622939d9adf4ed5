/* test-net-threads.c — Threads photos, videos and carousels, end to end
 * against the sandbox: the file goes into a media bucket, Threads (the
 * sandbox) fetches it from there by URL, and the bucket is empty again
 * afterwards, whatever happened.
 *
 * The sandbox runs in this process, on a thread of its own, so that the
 * client's synchronous calls can run on the test's thread.  The media
 * bucket is the sandbox's S3 with the real S3 media host (sm-s3.h).
 *
 * Fixtures (a PNG, a JPEG, a small MP4) are made at run time with
 * gst-launch-1.0, as tests/test-media.c does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-net-threads"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "sm-http.h"
#include "sm-media-host.h"
#include "sm-platform.h"
#include "sm-platforms-private.h"
#include "sm-s3.h"
#include "sm-sandbox.h"
#include "sm-sandbox-private.h"
#include "sm-store.h"
#include "sm-test-net.h"
#include "sm-test-util.h"

#define CLIENT_ID     "sandbox-client"
#define CLIENT_SECRET "sandbox-secret"
#define REDIRECT_URI  "http://127.0.0.1:8765/callback"

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmPublishResult, sm_publish_result_clear)

static const SmClientCredentials creds = {
  .client_id = (char *) CLIENT_ID,
  .client_secret = (char *) CLIENT_SECRET,
};

/* ---- the media bucket: S3 in the sandbox ------------------------------ */

/* A bucket of the sandbox's S3 (sm-sandbox-s3.c), made by its hook, and the
 * real S3 media host (sm-s3.h) on it: put() is a streamed, SigV4-signed PUT
 * to BUCKET.s3.REGION.amazonaws.com, the URL Threads gets is presigned,
 * remove() is a DELETE.  GET /__sandbox/s3/objects lists every object put,
 * with its SHA-256, how often it was fetched and whether it was deleted. */
#define BUCKET_REGION "eu-west-1"

static struct
{
  SmS3Config  *config;
  SmMediaHost *host;
  char        *name;
  char        *http_host;   /* as the sandbox logs it */
} bucket;

static void
bucket_make (void)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;

  bucket.name = g_strdup_printf ("so-me-threads-%u", g_random_int ());
  json = g_strdup_printf ("{\"bucket\":\"%s\",\"region\":\"" BUCKET_REGION "\"}", bucket.name);
  reply = sm_test_net_hook ("POST", "s3/buckets", json);
  bucket.config = sm_s3_config_new (sm_json_get_string (reply, "endpoint"), BUCKET_REGION, bucket.name,
                                    sm_json_get_string (reply, "access_key_id"),
                                    sm_json_get_string (reply, "secret_access_key"),
                                    SM_S3_ADDRESSING_AUTO);
  bucket.host = sm_s3_media_host_new (bucket.config);
  url = sm_s3_object_url (bucket.config, "x");
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  bucket.http_host = g_strdup (g_uri_get_host (uri));
}

static void
bucket_free (void)
{
  g_clear_pointer (&bucket.host, sm_s3_media_host_free);
  g_clear_pointer (&bucket.config, sm_s3_config_free);
  g_clear_pointer (&bucket.name, g_free);
  g_clear_pointer (&bucket.http_host, g_free);
}

/* The sandbox's record of every object of our bucket, in the order put. */
static GPtrArray *
bucket_objects (void)
{
  g_autoptr(JsonNode) objects = sm_test_net_hook ("GET", "s3/objects", NULL);
  JsonArray *array = json_node_get_array (objects);
  GPtrArray *ours = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *object = json_array_get_element (array, i);

      if (g_strcmp0 (sm_json_get_string (object, "bucket"), bucket.name) == 0)
        g_ptr_array_add (ours, json_node_ref (object));
    }
  return ours;
}

/* The record of @key, as a new reference, or NULL. */
static JsonNode *
bucket_object (const char *key)
{
  g_autoptr(GPtrArray) objects = bucket_objects ();

  for (guint i = 0; i < objects->len; i++)
    if (g_strcmp0 (sm_json_get_string (g_ptr_array_index (objects, i), "key"), key) == 0)
      return json_node_ref (g_ptr_array_index (objects, i));
  return NULL;
}

/* Objects in the bucket now. */
static guint
bucket_count (void)
{
  g_autoptr(GPtrArray) objects = bucket_objects ();
  guint n = 0;

  for (guint i = 0; i < objects->len; i++)
    if (!json_object_get_boolean_member (json_node_get_object (g_ptr_array_index (objects, i)), "deleted"))
      n++;
  return n;
}

/* How many objects were ever put. */
static guint
bucket_n_puts (void)
{
  g_autoptr(GPtrArray) objects = bucket_objects ();

  return objects->len;
}

/* The keys of the objects put from the @from-th on, as a new array. */
static GPtrArray *
bucket_keys_since (guint from)
{
  g_autoptr(GPtrArray) objects = bucket_objects ();
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = from; i < objects->len; i++)
    g_ptr_array_add (keys, g_strdup (sm_json_get_string (g_ptr_array_index (objects, i), "key")));
  return keys;
}

static gboolean
bucket_was_removed (const char *key)
{
  g_autoptr(JsonNode) object = bucket_object (key);

  g_assert_nonnull (object);
  return json_object_get_boolean_member (json_node_get_object (object), "deleted");
}

static gboolean
bucket_has (const char *key)
{
  g_autoptr(JsonNode) object = bucket_object (key);

  return object != NULL && !json_object_get_boolean_member (json_node_get_object (object), "deleted");
}

/* Stores @key directly, as a put() whose publisher died would have. */
static void
bucket_store (const char *key,
              const char *content)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));
  g_autoptr(GError) error = NULL;

  g_assert_true (sm_s3_put_bytes (bucket.config, session, key, bytes, "image/png", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (bucket_has (key));
}

static guint
sandbox_count_threads_posts (void)
{
  g_autoptr(GPtrArray) posts = sm_test_net_posts ("threads");

  return posts->len;
}

/* Requests the sandbox logged with @method on @host whose path ends with
 * @suffix (and, when @status is not 0, answered with it). */
static guint
sandbox_count_requests (const char *method,
                        const char *host,
                        const char *suffix,
                        guint       status)
{
  g_autoptr(JsonNode) log = sm_test_net_hook ("GET", "requests", NULL);
  JsonArray *array = json_node_get_array (log);
  g_autofree char *escaped = suffix != NULL ? g_uri_escape_string (suffix, "/", FALSE) : NULL;
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *entry = json_array_get_element (array, i);
      const char *path = sm_json_get_string (entry, "path");

      if (g_strcmp0 (sm_json_get_string (entry, "method"), method) != 0 ||
          g_strcmp0 (sm_json_get_string (entry, "host"), host) != 0)
        continue;
      if (suffix != NULL && !g_str_has_suffix (path, suffix) && !g_str_has_suffix (path, escaped))
        continue;
      if (status != 0 && (guint) sm_json_get_int (entry, "status") != status)
        continue;
      n++;
    }
  return n;
}

/* ---- fixtures ------------------------------------------------------------ */

static char *fixture_dir;

static char *
fixture (const char *name)
{
  return g_build_filename (fixture_dir, name, NULL);
}

static char *no_fixtures;

static void
make_fixtures (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *gst = g_find_program_in_path ("gst-launch-1.0");

  fixture_dir = g_dir_make_tmp ("test-net-threads-XXXXXX", &error);
  g_assert_no_error (error);
  if (gst == NULL)
    {
      no_fixtures = g_strdup ("gst-launch-1.0 is not installed");
      return;
    }
  if (!sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=320,height=240 ! pngenc",
                               "photo.png", &error) ||
      !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=1 pattern=ball ! video/x-raw,width=320,height=400 ! jpegenc",
                               "photo.jpg", &error) ||
      !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=1 pattern=snow ! video/x-raw,width=400,height=300 ! pngenc",
                               "other.png", &error) ||
      !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240,framerate=30/1,"
                               "format=I420 ! x264enc speed-preset=ultrafast ! queue ! mux. "
                               "audiotestsrc num-buffers=44 samplesperbuffer=1024 "
                               "! audio/x-raw,rate=44100,channels=2 ! audioconvert ! avenc_aac ! aacparse "
                               "! queue ! mux. mp4mux name=mux faststart=true",
                               "clip.mp4", &error))
    no_fixtures = g_strdup (error->message);
}

static void
remove_fixtures (void)
{
  g_autoptr(GDir) dir = g_dir_open (fixture_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = fixture (name);

      g_unlink (path);
    }
  g_rmdir (fixture_dir);
  g_clear_pointer (&fixture_dir, g_free);
}

static gint64 media_serial;

/* A file of the post, as the publisher hands it over. */
static SmPostMedia *
post_media (const char *name,
            const char *mime_type)
{
  g_autofree char *path = fixture (name);

  return sm_test_net_media_new (++media_serial, path, mime_type);
}

static const char *
uploads_session (SmTestUploads *u,
                 gint64         media_id)
{
  SmUploadState *state = sm_test_uploads_get (u, media_id);

  return state != NULL ? state->session : NULL;
}

/* ---- the account ---------------------------------------------------------- */

static struct
{
  SmTokens *tokens;
  char     *remote_id;
} account;

/* Connects the sandbox's Threads profile as a user would: the consent
 * page approves at once, the code goes through the client's exchange. */
static void
connect_account (void)
{
  SmPlatform *platform = sm_platform_get (SM_NETWORK_THREADS);
  g_autofree char *verifier = sm_test_net_pkce_verifier ();
  g_autofree char *challenge = sm_test_net_pkce_challenge (verifier);
  g_autofree char *url = sm_platform_build_authorize_url (platform, &creds, REDIRECT_URI,
                                                          "state-1", challenge);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  SmAccountInfo *first;

  params = sm_test_net_consent (session, url, REDIRECT_URI, 0, NULL);

  accounts = sm_platform_exchange_code (platform, session, &creds,
                                        g_hash_table_lookup (params, "code"), REDIRECT_URI,
                                        verifier, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  first = g_ptr_array_index (accounts, 0);
  account.tokens = sm_tokens_copy (first->tokens);
  account.remote_id = g_strdup (first->remote_id);
}

/* ---- publishing ------------------------------------------------------------ */

static gboolean
publish (const char       *text,
         GPtrArray        *media,
         SmMediaHost      *host,
         SmTestUploads    *uploads,
         SmPublishResult  *result,
         GError          **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmUploadHooks hooks = { 0 };
  SmPublishRequest request = {
    .account_remote_id = account.remote_id,
    .tokens = account.tokens,
    .text = text,
    .not_before_us = g_get_real_time (),
    .media = media,
    .media_host = host,
  };

  if (uploads != NULL)
    {
      sm_test_uploads_bind (uploads, &hooks);
      request.uploads = &hooks;
    }
  return sm_platform_publish (sm_platform_get (SM_NETWORK_THREADS), session, &request, result,
                              NULL, error);
}

static gboolean
need_fixtures (void)
{
  if (no_fixtures != NULL)
    {
      g_test_skip (no_fixtures);
      return FALSE;
    }
  return TRUE;
}

static char *
unique_text (const char *what)
{
  static guint serial;

  return g_strdup_printf ("Threads media test: %s (%u, %" G_GINT64_FORMAT ")", what, ++serial,
                          g_get_real_time ());
}

/* The post went out once, with exactly these files in this order; every
 * file was put into the bucket once, fetched from it by Threads, and
 * removed again. */
static void
assert_published (SmPublishResult *result,
                  const char      *text,
                  GPtrArray       *media,
                  guint            puts_before)
{
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(GPtrArray) keys = bucket_keys_since (puts_before);
  JsonNode *files;

  g_assert_nonnull (result->remote_id);
  g_assert_nonnull (result->permalink);
  g_assert_true (g_str_has_prefix (result->permalink, "https://www.threads.com/@"));

  post = sm_test_net_post ("threads", result->remote_id);
  g_assert_nonnull (post);
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, text);
  files = sm_json_get_node (post, "media");
  g_assert_nonnull (files);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (files)), ==, media->len);
  for (guint i = 0; i < media->len; i++)
    {
      SmPostMedia *m = g_ptr_array_index (media, i);
      JsonNode *file = json_array_get_element (json_node_get_array (files), i);

      g_assert_cmpstr (sm_json_get_string (file, "sha256"), ==, m->sha256);
      g_assert_cmpint (sm_json_get_int (file, "bytes"), ==, m->size_bytes);
      g_assert_cmpstr (sm_json_get_string (file, "kind"), ==,
                       g_str_has_prefix (m->mime_type, "video/") ? "video" : "image");
    }

  g_assert_cmpuint (keys->len, ==, media->len);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      g_autofree char *base = g_path_get_basename (((SmPostMedia *) g_ptr_array_index (media, i))->path);

      /* put in order, fetched by the sandbox (Threads), then deleted */
      g_autoptr(JsonNode) object = bucket_object (key);
      SmPostMedia *m = g_ptr_array_index (media, i);

      g_assert_true (g_str_has_suffix (key, base));
      /* the bytes that went in are the file's, Threads fetched them once */
      g_assert_cmpstr (sm_json_get_string (object, "sha256"), ==, m->sha256);
      g_assert_cmpstr (sm_json_get_string (object, "content_type"), ==, m->mime_type);
      g_assert_cmpint (sm_json_get_int (object, "fetches"), ==, 1);
      g_assert_cmpuint (sandbox_count_requests ("DELETE", bucket.http_host, key, 204), ==, 1);
      g_assert_true (bucket_was_removed (key));
      g_assert_false (bucket_has (key));
    }
  g_assert_cmpuint (bucket_count (), ==, 0);
}

static void
test_image (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("image");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_auto(SmPublishResult) found = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmTestUploads uploads;
  SmUploadHooks hooks;
  guint puts = bucket_n_puts ();
  gint64 started = g_get_real_time ();
  SmPostMedia *m;

  if (!need_fixtures ())
    return;
  sm_test_uploads_init (&uploads, &hooks);
  g_ptr_array_add (media, post_media ("photo.png", "image/png"));
  m = g_ptr_array_index (media, 0);

  g_assert_true (publish (text, media, bucket.host, &uploads, &result, &error));
  g_assert_no_error (error);
  assert_published (&result, text, media, puts);

  /* The finished container is on record for a restart. */
  g_assert_true (g_str_has_prefix (uploads_session (&uploads, m->id), "container:"));
  g_assert_null (strstr (uploads_session (&uploads, m->id), "bucket:"));
  g_assert_cmpuint (uploads.last_sent, ==, (guint64) m->size_bytes);
  g_assert_cmpuint (uploads.last_total, ==, (guint64) m->size_bytes);

  /* Reconciliation after an unknown outcome finds it by its listing. */
  {
    SmPublishRequest request = {
      .account_remote_id = account.remote_id,
      .tokens = account.tokens,
      .text = text,
      .not_before_us = started,
      .media = media,
      .uploads = &hooks,
      .media_host = bucket.host,
    };

    g_assert_true (sm_platform_find_published (sm_platform_get (SM_NETWORK_THREADS), session,
                                               &request, &found, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (found.remote_id, ==, result.remote_id);
  }
  sm_test_uploads_clear (&uploads);
}

static void
test_video (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("video");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  SmTestUploads uploads;
  SmUploadHooks hooks;
  guint puts = bucket_n_puts ();

  if (!need_fixtures ())
    return;
  sm_test_uploads_init (&uploads, &hooks);
  g_ptr_array_add (media, post_media ("clip.mp4", "video/mp4"));

  g_assert_true (publish (text, media, bucket.host, &uploads, &result, &error));
  g_assert_no_error (error);
  assert_published (&result, text, media, puts);
  sm_test_uploads_clear (&uploads);
}

static void
test_carousel (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("carousel");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  SmTestUploads uploads;
  SmUploadHooks hooks;
  guint puts = bucket_n_puts ();
  guint posts = sandbox_count_threads_posts ();

  if (!need_fixtures ())
    return;
  sm_test_uploads_init (&uploads, &hooks);
  /* Not in an order any sorting would give. */
  g_ptr_array_add (media, post_media ("photo.jpg", "image/jpeg"));
  g_ptr_array_add (media, post_media ("clip.mp4", "video/mp4"));
  g_ptr_array_add (media, post_media ("other.png", "image/png"));

  g_assert_true (publish (text, media, bucket.host, &uploads, &result, &error));
  g_assert_no_error (error);
  assert_published (&result, text, media, puts);
  g_assert_cmpuint (sandbox_count_threads_posts (), ==, posts + 1);
  sm_test_uploads_clear (&uploads);
}

/* Threads could not fetch the video: the container ends in ERROR with
 * Meta's reason, the error says so, and the file leaves the bucket. */
static void
test_container_error (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("error");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(JsonNode) fault = NULL;
  g_autofree char *json = NULL;
  guint puts = bucket_n_puts ();
  guint posts = sandbox_count_threads_posts ();
  const char *key;

  if (!need_fixtures ())
    return;
  g_ptr_array_add (media, post_media ("clip.mp4", "video/mp4"));
  json = g_strdup_printf ("{\"host\":\"%s\",\"method\":\"GET\",\"count\":1,\"status\":403,"
                          "\"body\":\"AccessDenied\"}", bucket.http_host);
  fault = sm_test_net_hook ("POST", "faults", json);

  g_assert_false (publish (text, media, bucket.host, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "FAILED_DOWNLOADING_VIDEO"));
  g_assert_nonnull (strstr (error->message, "clip.mp4"));
  g_assert_null (result.remote_id);
  g_assert_cmpuint (sandbox_count_threads_posts (), ==, posts);

  keys = bucket_keys_since (puts);
  g_assert_cmpuint (keys->len, ==, 1);
  key = g_ptr_array_index (keys, 0);
  g_assert_cmpuint (sandbox_count_requests ("GET", bucket.http_host, key, 403), ==, 1);
  g_assert_true (bucket_was_removed (key));
  g_assert_cmpuint (bucket_count (), ==, 0);
}

/* A file that is not what its container says: the image container fails
 * and the carousel is not made; nothing stays in the bucket. */
static void
test_carousel_child_error (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("child error");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  guint puts = bucket_n_puts ();
  guint posts = sandbox_count_threads_posts ();
  guint parents = sandbox_count_requests ("POST", "graph.threads.net", "/threads", 0);

  if (!need_fixtures ())
    return;
  g_ptr_array_add (media, post_media ("photo.png", "image/png"));
  /* An MP4 handed over as a photo: the bucket serves it as image/gif. */
  g_ptr_array_add (media, post_media ("clip.mp4", "image/gif"));

  g_assert_false (publish (text, media, bucket.host, NULL, &result, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "clip.mp4"));
  g_assert_nonnull (strstr (error->message, "UNKNOWN"));
  g_assert_cmpuint (sandbox_count_threads_posts (), ==, posts);
  /* two children, no parent */
  g_assert_cmpuint (sandbox_count_requests ("POST", "graph.threads.net", "/threads", 0), ==,
                    parents + 2);

  keys = bucket_keys_since (puts);
  g_assert_cmpuint (keys->len, ==, 2);
  for (guint i = 0; i < keys->len; i++)
    g_assert_true (bucket_was_removed (g_ptr_array_index (keys, i)));
  g_assert_cmpuint (bucket_count (), ==, 0);
}

/* threads_publish fails with a 503: the outcome is unknown, the
 * listing does not have the post, and the next attempt takes up the
 * finished containers instead of putting the files in the bucket again. */
static void
test_resume (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("resume");
  g_auto(SmPublishResult) first = { NULL, NULL, -1 };
  g_auto(SmPublishResult) found = { NULL, NULL, -1 };
  g_auto(SmPublishResult) second = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmTestUploads uploads;
  SmUploadHooks hooks;
  guint puts = bucket_n_puts ();
  guint containers;
  gint64 started = g_get_real_time ();

  if (!need_fixtures ())
    return;
  sm_test_uploads_init (&uploads, &hooks);
  g_ptr_array_add (media, post_media ("photo.jpg", "image/jpeg"));
  g_ptr_array_add (media, post_media ("other.png", "image/png"));

  fault = sm_test_net_hook ("POST", "faults",
                            "{\"host\":\"graph.threads.net\",\"method\":\"POST\",\"path\":\"/*/threads_publish\","
                            "\"count\":1,\"status\":503,\"body\":{\"error\":{\"message\":\"Service "
                            "temporarily unavailable\",\"type\":\"OAuthException\",\"code\":2,"
                            "\"is_transient\":true}}}");
  g_assert_false (publish (text, media, bucket.host, &uploads, &first, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
  g_assert_cmpuint (bucket_count (), ==, 0);
  g_assert_cmpuint (bucket_n_puts (), ==, puts + 2);
  g_clear_error (&error);

  {
    SmPublishRequest request = {
      .account_remote_id = account.remote_id,
      .tokens = account.tokens,
      .text = text,
      .not_before_us = started,
      .media = media,
      .uploads = &hooks,
      .media_host = bucket.host,
    };

    g_assert_true (sm_platform_find_published (sm_platform_get (SM_NETWORK_THREADS), session,
                                               &request, &found, NULL, &error));
    g_assert_no_error (error);
    g_assert_null (found.remote_id);
  }

  containers = sandbox_count_requests ("POST", "graph.threads.net", "/threads", 0);
  g_assert_true (publish (text, media, bucket.host, &uploads, &second, &error));
  g_assert_no_error (error);
  /* no file put again, one new container: the carousel */
  g_assert_cmpuint (bucket_n_puts (), ==, puts + 2);
  g_assert_cmpuint (sandbox_count_requests ("POST", "graph.threads.net", "/threads", 0), ==,
                    containers + 1);
  assert_published (&second, text, media, puts);
  sm_test_uploads_clear (&uploads);
}

/* A publisher that died between put() and the container left a file in
 * the bucket: the next attempt removes it and starts that file over. */
static void
test_leftover (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("leftover");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  const char *leftover = "so-me-studio/0123456789abcdef0123456789abcdef/photo.png";
  g_autofree char *session = g_strconcat ("bucket:", leftover, NULL);
  SmTestUploads uploads;
  SmUploadHooks hooks;
  guint puts;
  SmPostMedia *m;

  if (!need_fixtures ())
    return;
  sm_test_uploads_init (&uploads, &hooks);
  g_ptr_array_add (media, post_media ("photo.png", "image/png"));
  m = g_ptr_array_index (media, 0);
  bucket_store (leftover, "left behind");
  puts = bucket_n_puts ();
  hooks.save (&uploads, m->id, session, 0, NULL);

  g_assert_true (publish (text, media, bucket.host, &uploads, &result, &error));
  g_assert_no_error (error);
  g_assert_true (bucket_was_removed (leftover));
  g_assert_false (bucket_has (leftover));
  assert_published (&result, text, media, puts);
  sm_test_uploads_clear (&uploads);
}

/* The profile used its publishing limit: RATE_LIMITED with a time to come
 * back, before anything went into the bucket. */
static void
test_publishing_limit (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("limit");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_auto(SmPublishResult) text_result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) limit = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *json = NULL;
  g_autofree char *other_text = unique_text ("limit, text");
  guint puts = bucket_n_puts ();
  guint posts;

  if (!need_fixtures ())
    return;
  g_ptr_array_add (media, post_media ("photo.png", "image/png"));

  /* At least one post today, whatever ran before. */
  g_assert_true (publish (text, NULL, bucket.host, NULL, &text_result, &error));
  g_assert_no_error (error);
  sm_publish_result_clear (&text_result);
  posts = sandbox_count_threads_posts ();

  /* Exactly used up. */
  limit = sm_test_net_hook ("POST", "threads/publishing-limit", "{\"quota_total\":1000}");
  json = g_strdup_printf ("{\"quota_total\":%" G_GINT64_FORMAT "}",
                          sm_json_get_int (limit, "quota_usage"));
  g_clear_pointer (&limit, json_node_unref);
  limit = sm_test_net_hook ("POST", "threads/publishing-limit", json);
  g_assert_cmpint (sm_json_get_int (limit, "quota_usage"), >, 0);

  g_assert_false (publish (text, media, bucket.host, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_cmpint (result.retry_after_us, >, 0);
  g_assert_nonnull (strstr (error->message, "Threads allows"));
  g_assert_nonnull (strstr (error->message, "24 hours"));
  g_assert_cmpuint (bucket_n_puts (), ==, puts);
  g_clear_error (&error);

  /* Text posts count against the same limit. */
  g_assert_false (publish (other_text, NULL, bucket.host, NULL, &text_result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_cmpint (text_result.retry_after_us, >, 0);
  g_assert_cmpuint (sandbox_count_threads_posts (), ==, posts);

  back = sm_test_net_hook ("POST", "threads/publishing-limit", "{\"quota_total\":250}");
}

/* No bucket set up: the user is told what Threads needs and how to give
 * it, and nothing is sent. */
static void
test_no_bucket (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("no bucket");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  guint containers = sandbox_count_requests ("POST", "graph.threads.net", "/threads", 0);

  if (!need_fixtures ())
    return;
  g_ptr_array_add (media, post_media ("photo.png", "image/png"));

  g_assert_false (publish (text, media, NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "media bucket"));
  g_assert_nonnull (strstr (error->message, "so-me bucket set"));
  g_assert_cmpuint (sandbox_count_requests ("POST", "graph.threads.net", "/threads", 0), ==,
                    containers);
}

/* 21 files: more than a carousel takes, refused before anything is sent. */
static void
test_too_many (void)
{
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autofree char *text = unique_text ("too many");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  guint puts = bucket_n_puts ();

  if (!need_fixtures ())
    return;
  for (guint i = 0; i < 21; i++)
    g_ptr_array_add (media, post_media ("photo.png", "image/png"));

  g_assert_false (publish (text, media, bucket.host, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "at most 20"));
  g_assert_cmpuint (bucket_n_puts (), ==, puts);
}

/* The sandbox is as strict as Threads about containers. */
static void
test_sandbox_rules (void)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  struct
  {
    const char *form;
    const char *says;
  } cases[] = {
    { "media_type=IMAGE", "image_url is required" },
    { "media_type=VIDEO&image_url=https://media.example.com/x.png", "image_url is not allowed" },
    { "media_type=TEXT&text=hi&is_carousel_item=true", "is_carousel_item is not allowed" },
    { "media_type=IMAGE&image_url=https://media.example.com/x.png&is_carousel_item=true&text=hi",
      "text is not allowed" },
    { "media_type=CAROUSEL&children=1", "2 to 20 children" },
    { "media_type=CAROUSEL&children=1,2", "Object with ID '1' does not exist" },
    { "media_type=TEXT&text=hi&reply_control=nobody", "reply_control must be one of" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = g_strdup_printf ("https://graph.threads.net/v1.0/%s/threads", account.remote_id);
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GBytes) form = g_bytes_new (cases[i].form, strlen (cases[i].form));
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) error = NULL;

      msg = sm_http_message_new ("POST", url, &error);
      g_assert_no_error (error);
      sm_http_set_bearer (msg, account.tokens->access_token);
      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", form);
      body = sm_http_send (session, msg, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 400);
      root = sm_http_parse_json (body, &error);
      g_assert_no_error (error);
      g_assert_cmpint (sm_json_get_int (root, "error.code"), ==, 100);
      if (strstr (sm_json_get_string (root, "error.message"), cases[i].says) == NULL)
        g_error ("%s: %s", cases[i].form, sm_json_get_string (root, "error.message"));
    }
}

/* ---- the whole way: so-me post, the publisher, S3, Threads --------------- */

typedef struct
{
  SmTestProfile *profile;
  gint64         post_id;
} Published;

static gboolean
target_settled (gpointer data)
{
  Published *w = data;
  g_autofree char *states = sm_test_target_states (w->profile, w->post_id);

  return g_strcmp0 (states, "published") == 0 || g_strcmp0 (states, "failed") == 0;
}

/* A carousel of a photo and a video through `so-me bucket set`, `so-me
 * post` and the D-Bus-activated publisher, against the installed sandbox:
 * one post with both files in order, the bucket empty afterwards. */
static void
test_publisher_carousel (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(SmPostMedia) photo = NULL;
  g_autoptr(SmPostMedia) clip = NULL;
  g_autoptr(JsonNode) made = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autoptr(JsonNode) objects = NULL;
  g_autofree char *secret_line = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *states = NULL;
  JsonArray *array;
  JsonNode *post;
  Published w = { NULL, 0 };

  if (g_getenv ("SM_PREFIX") == NULL)
    {
      g_test_skip ("SM_PREFIX is not set (run under tests/run-headless)");
      return;
    }
  if (!need_fixtures ())
    return;
  photo = post_media ("photo.jpg", "image/jpeg");
  clip = post_media ("clip.mp4", "video/mp4");

  p = sm_test_profile_new ();
  sm_test_profile_activate (p);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, sm_test_connect (p, "threads"));

  made = sm_test_sandbox_call (p, "/__sandbox/s3/buckets", "{\"bucket\":\"threads-e2e\",\"region\":\"eu-west-1\"}", 201);
  secret_line = g_strconcat (sm_json_get_string (made, "secret_access_key"), "\n", NULL);
  g_assert_cmpint (sm_test_cli (p, secret_line, &out, &err, "bucket", "set",
                                "--endpoint", sm_json_get_string (made, "endpoint"),
                                "--region", "eu-west-1", "--bucket", "threads-e2e",
                                "--access-key-id", sm_json_get_string (made, "access_key_id"),
                                NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Two files are a carousel, and say so. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--media", photo->path, "--media", clip->path,
                                "A carousel, the whole way", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Threads posts can have only 1 file"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--option", "threads.kind=carousel",
                                "--media", photo->path, "--media", clip->path,
                                "A carousel, the whole way", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));
  w.profile = p;
  g_assert_true (sm_test_wait_for (target_settled, &w, 120));
  states = sm_test_target_states (p, w.post_id);
  g_assert_cmpstr (states, ==, "published");

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  array = json_node_get_array (posts);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  post = json_array_get_element (array, 0);
  g_assert_cmpstr (sm_json_get_string (post, "network"), ==, "threads");
  g_assert_cmpstr (sm_json_get_string (post, "text"), ==, "A carousel, the whole way");
  g_assert_cmpstr (sm_json_get_string (post, "media.0.kind"), ==, "image");
  g_assert_cmpstr (sm_json_get_string (post, "media.0.sha256"), ==, photo->sha256);
  g_assert_cmpstr (sm_json_get_string (post, "media.1.kind"), ==, "video");
  g_assert_cmpstr (sm_json_get_string (post, "media.1.sha256"), ==, clip->sha256);
  g_assert_null (sm_json_get_node (post, "media.2"));

  /* Both files went through the bucket, were fetched once, and are gone
   * (before them: the check object of `so-me bucket set`, gone too). */
  objects = sm_test_sandbox_get (p, "/__sandbox/s3/objects");
  array = json_node_get_array (objects);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonNode *object = json_array_get_element (array, i);

      g_assert_true (json_object_get_boolean_member (json_node_get_object (object), "deleted"));
      if (i == 0)
        continue;
      g_assert_cmpstr (sm_json_get_string (object, "sha256"), ==, i == 1 ? photo->sha256 : clip->sha256);
      g_assert_cmpint (sm_json_get_int (object, "fetches"), ==, 1);
    }
}

/* threads.first_comment: a reply (a TEXT container with reply_to_id, then
 * threads_publish), through `so-me post` and the publisher
 * (sm_test_first_comment). */
static void
test_first_comment (void)
{
  static const SmTestFirstComment c = {
    .network = "threads",
    .comment_host = "graph.threads.net",
    .comment_path = "/v1.0/*/threads_publish",
    .comment_after = 1,   /* the post's own threads_publish */
    .create_host = "graph.threads.net",
    .create_method = "POST",
    .create_path = "/v1.0/*/threads_publish",
    .refusal = "\"status\":400,\"body\":{\"error\":{\"message\":\"(#100) Replies to this post are "
               "limited\",\"type\":\"OAuthException\",\"code\":100,\"fbtrace_id\":\"AbCdEf\"}}",
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

  /* Before any other thread: it sets the environment. */
  make_fixtures ();
  sm_test_net_run_in_thread (FALSE);
  bucket_make ();
  connect_account ();

  g_test_add_func ("/net-threads/image", test_image);
  g_test_add_func ("/net-threads/video", test_video);
  g_test_add_func ("/net-threads/carousel", test_carousel);
  g_test_add_func ("/net-threads/container-error", test_container_error);
  g_test_add_func ("/net-threads/carousel-child-error", test_carousel_child_error);
  g_test_add_func ("/net-threads/resume", test_resume);
  g_test_add_func ("/net-threads/leftover", test_leftover);
  g_test_add_func ("/net-threads/publishing-limit", test_publishing_limit);
  g_test_add_func ("/net-threads/no-bucket", test_no_bucket);
  g_test_add_func ("/net-threads/too-many", test_too_many);
  g_test_add_func ("/net-threads/sandbox-rules", test_sandbox_rules);
  g_test_add_func ("/net-threads/publisher-carousel", test_publisher_carousel);
  g_test_add_func ("/net-threads/first-comment", test_first_comment);

  ret = g_test_run ();

  bucket_free ();
  sm_test_net_stop ();
  remove_fixtures ();
  g_clear_pointer (&account.tokens, sm_tokens_free);
  g_clear_pointer (&account.remote_id, g_free);
  g_clear_pointer (&no_fixtures, g_free);
  return ret;
}
