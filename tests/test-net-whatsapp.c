/* test-net-whatsapp.c — WhatsApp Business Cloud API: the client against
 * the sandbox, and the installed so-me, publisher and sandbox together.
 *
 * What a user would notice: a token or phone number id that does not work
 * is refused and nothing is saved; the token lands in the keyring and
 * nowhere on disk; a message outside the 24-hour window says a template is
 * needed; every file arrives once, in order, byte for byte; a lost answer
 * is never sent again without the user saying so; a post without a
 * recipient is refused before it is scheduled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-net-whatsapp"

#include "config.h"

#include <string.h>

#include "sm-http.h"
#include "sm-platform.h"
#include "sm-store.h"
#include "sm-test-net.h"
#include "sm-test-util.h"
#include "sm-token-store.h"

#define NUMBER       "106540352242922"
#define NUMBER_NAME  "Sandbox Bakery"
#define NUMBER_SHOWN "+1 555-078-3881"
#define CUSTOMER     "15551230001"

static SmTestProfile *profile;   /* one sandbox for the whole program */
static char *token;              /* a system-user token it issued */

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmPublishResult, sm_publish_result_clear)

/* ---- helpers ----------------------------------------------------------- */

static char *
new_token (void)
{
  g_autoptr(JsonNode) answer = sm_test_net_hook ("POST", "whatsapp/token", "{}");

  return g_strdup (sm_json_get_string (answer, "token"));
}

static void
open_window (const char *from,
             int         hours_ago)
{
  g_autofree char *json = g_strdup_printf ("{\"from\":\"%s\",\"hours_ago\":%d}", from, hours_ago);
  g_autoptr(JsonNode) answer = sm_test_net_hook ("POST", "whatsapp/inbound", json);
}

static void
reset_sandbox (void)
{
  g_autoptr(JsonNode) answer = sm_test_net_hook ("POST", "reset", NULL);
}

static guint
count_posts (void)
{
  g_autoptr(GPtrArray) posts = sm_test_net_posts (NULL);

  return posts->len;
}

/* How many requests the sandbox logged with this method and path glob. */
static guint
count_requests (const char *method,
                const char *glob)
{
  g_autoptr(GPtrArray) found = sm_test_net_requests_since (0, method, NULL, glob);

  return found->len;
}

static JsonArray *
posts_of (JsonNode *posts)
{
  return json_node_get_array (posts);
}

static SmPlatform *
whatsapp (void)
{
  SmPlatform *platform = sm_platform_get (SM_NETWORK_WHATSAPP);

  g_assert_nonnull (platform);
  return platform;
}

static gboolean
publish (GHashTable         *options,
         const char         *text,
         GPtrArray          *media,
         const SmUploadHooks *hooks,
         SmPublishResult    *result,
         GError            **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmTokens tokens = { token, NULL, 0, NULL };
  SmPublishRequest request = { 0 };

  request.account_remote_id = NUMBER;
  request.tokens = &tokens;
  request.text = text;
  request.not_before_us = g_get_real_time ();
  request.media = media;
  request.options = options;
  request.uploads = hooks;
  return sm_platform_publish (whatsapp (), session, &request, result, NULL, error);
}

/* publish() that must work: shows the error when it does not. */
static gboolean
publish_ok (GHashTable          *options,
            const char          *text,
            GPtrArray           *media,
            const SmUploadHooks *hooks,
            SmPublishResult     *result,
            GError             **error)
{
  gboolean ok = publish (options, text, media, hooks, result, error);

  g_assert_no_error (*error);
  return ok;
}

static gboolean
find_published (GHashTable          *options,
                const char          *text,
                GPtrArray           *media,
                const SmUploadHooks *hooks,
                SmPublishResult     *result,
                GError             **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmTokens tokens = { token, NULL, 0, NULL };
  SmPublishRequest request = { 0 };

  request.account_remote_id = NUMBER;
  request.tokens = &tokens;
  request.text = text;
  request.media = media;
  request.options = options;
  request.uploads = hooks;
  return sm_platform_find_published (whatsapp (), session, &request, result, NULL, error);
}

static GHashTable *
options_new (const char *first_key,
             ...) G_GNUC_NULL_TERMINATED;

static GHashTable *
options_new (const char *first_key,
             ...)
{
  GHashTable *options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    g_hash_table_insert (options, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
  return options;
}

/* ---- fixtures, made at run time --------------------------------------- */

static char *
make_with_gst (const char *name,
               const char *pipeline)
{
  g_autofree char *path = g_build_filename (profile->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&path);
  g_assert_true (sm_test_net_gst_launch (profile->dir, pipeline, name, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static char *
make_image (void)
{
  return make_with_gst ("photo.jpg", "videotestsrc num-buffers=1 ! "
                        "video/x-raw,width=320,height=240 ! jpegenc");
}

static char *
make_video (void)
{
  return make_with_gst ("clip.mp4",
                        "mp4mux name=mux faststart=true "
                        "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240,"
                        "framerate=30/1,format=I420 ! x264enc speed-preset=ultrafast ! queue ! mux. "
                        "audiotestsrc num-buffers=44 ! audio/x-raw,rate=44100,channels=2 ! "
                        "audioconvert ! avenc_aac ! aacparse ! queue ! mux. mux.");
}

static char *
make_audio (void)
{
  return make_with_gst ("voice.ogg", "audiotestsrc num-buffers=50 ! audioconvert ! opusenc ! oggmux");
}

static char *
make_pdf (void)
{
  g_autofree char *path = g_build_filename (profile->dir, "menu.pdf", NULL);
  g_autoptr(GString) pdf = g_string_new ("%PDF-1.4\n");
  g_autoptr(GError) error = NULL;

  g_string_append (pdf, "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
                        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n");
  /* Some weight, so that the upload takes more than one read. */
  for (int i = 0; i < 4000; i++)
    g_string_append_printf (pdf, "%% filler line %d of the sandbox menu\n", i);
  g_string_append (pdf, "trailer << /Root 1 0 R >>\n%%EOF\n");
  g_assert_true (g_file_set_contents (path, pdf->str, (gssize) pdf->len, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static SmPostMedia *
post_media (gint64      id,
            const char *path,
            const char *mime)
{
  return sm_test_net_media_new (id, path, mime);
}

/* ---- connecting -------------------------------------------------------- */

static void
test_connect_check (void)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SmAccountInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (sm_platform_uses_oauth (whatsapp ()));
  info = sm_platform_connect_token (whatsapp (), session, NUMBER, token, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->network, ==, SM_NETWORK_WHATSAPP);
  g_assert_cmpstr (info->remote_id, ==, NUMBER);
  g_assert_cmpstr (info->name, ==, NUMBER_NAME);
  g_assert_cmpstr (info->handle, ==, NUMBER_SHOWN);
  g_assert_cmpstr (info->tokens->access_token, ==, token);
  g_assert_cmpint (info->tokens->expires_at_us, ==, 0);
}

static void
test_connect_refusals (void)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *revoked = new_token ();
  g_autofree char *json = NULL;
  guint before = count_requests ("GET", "/v21.0/*");
  SmAccountInfo *info;

  /* A token WhatsApp never issued. */
  info = sm_platform_connect_token (whatsapp (), session, NUMBER, "EAAGm0PX4ZCpsBAnotatoken",
                                    NULL, &error);
  g_assert_null (info);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "did not accept the token"));
  g_assert_nonnull (strstr (error->message, "Invalid OAuth access token"));
  g_clear_error (&error);

  /* A token revoked since. */
  json = g_strdup_printf ("{\"network\":\"whatsapp\",\"token\":\"%s\"}", revoked);
  g_autoptr(JsonNode) changed = sm_test_net_hook ("POST", "tokens/revoke", json);
  info = sm_platform_connect_token (whatsapp (), session, NUMBER, revoked, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "did not accept the token"));
  g_clear_error (&error);

  /* A phone number id the token cannot use. */
  info = sm_platform_connect_token (whatsapp (), session, "123456789012345", token, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "no phone number with the id 123456789012345"));
  g_clear_error (&error);

  /* Not an id at all: refused without asking. */
  info = sm_platform_connect_token (whatsapp (), session, "+1 555 078", token, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_cmpuint (count_requests ("GET", "/v21.0/*"), ==, before + 3);
}

static void
test_no_oauth (void)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  SmClientCredentials creds = { (char *) "id", NULL };
  SmTokens old = { token, NULL, 0, NULL };
  GPtrArray *accounts;
  SmTokens *fresh;

  g_assert_null (sm_platform_get_oauth_spec (whatsapp ())->authorize_url);
  accounts = sm_platform_exchange_code (whatsapp (), session, &creds, "code",
                                        "http://127.0.0.1:1/", "verifier", NULL, &error);
  g_assert_null (accounts);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "system-user token"));
  g_clear_error (&error);

  /* A system-user token does not expire: one refused is gone. */
  fresh = sm_platform_refresh (whatsapp (), session, &creds, &old, NULL, &error);
  g_assert_null (fresh);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
  g_assert_nonnull (strstr (error->message, "Reconnect"));
}

/* ---- text, the 24-hour window, templates ------------------------------- */

static void
test_text_and_window (void)
{
  g_autoptr(GHashTable) options = options_new ("whatsapp.to", "+15551230002", NULL);
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) posts = NULL;
  JsonObject *post;

  reset_sandbox ();

  /* Nobody wrote to us: free-form text is outside the window. */
  g_assert_false (publish (options, "Your bread is ready", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "24 hours"));
  g_assert_nonnull (strstr (error->message, "template is needed"));
  g_clear_error (&error);

  /* A message from 25 hours ago does not open it either. */
  open_window ("15551230002", 25);
  g_assert_false (publish (options, "Your bread is ready", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_clear_error (&error);

  /* Within the window, with a link. */
  open_window ("15551230002", 0);
  g_assert_true (publish_ok (options, "Your bread is ready: https://example.com/order/7", NULL, NULL,
                          &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (result.remote_id, "wamid."));

  posts = sm_test_net_hook ("GET", "posts", NULL);
  g_assert_cmpuint (json_array_get_length (posts_of (posts)), ==, 1);
  post = json_array_get_object_element (posts_of (posts), 0);
  g_assert_cmpstr (json_object_get_string_member (post, "network"), ==, "whatsapp");
  g_assert_cmpstr (json_object_get_string_member (post, "account"), ==, NUMBER);
  g_assert_cmpstr (json_object_get_string_member (post, "id"), ==, result.remote_id);
  g_assert_cmpstr (json_object_get_string_member (post, "text"), ==,
                   "Your bread is ready: https://example.com/order/7");
}

static void
test_templates (void)
{
  g_autoptr(GHashTable) order = options_new ("whatsapp.to", "15551230003",
                                             "whatsapp.template", "order_update",
                                             "whatsapp.language", "de", NULL);
  g_autoptr(GHashTable) hello = options_new ("whatsapp.to", "15551230003",
                                             "whatsapp.template", "hello_world", NULL);
  g_autoptr(GHashTable) unknown = options_new ("whatsapp.to", "15551230003",
                                               "whatsapp.template", "summer_sale",
                                               "whatsapp.language", "en_US", NULL);
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) posts = NULL;

  reset_sandbox ();

  /* Templates go out of the window; the text's "{{1}}=" line is the
   * parameter, the rest a note. */
  g_assert_true (publish_ok (order, "Shipping notice\n{{1}}=A-1234", NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (result.remote_id, "wamid."));
  sm_publish_result_clear (&result);

  /* hello_world in en_US (the default language), no parameters. */
  g_assert_true (publish_ok (hello, "Say hello", NULL, NULL, &result, &error));
  g_assert_no_error (error);
  sm_publish_result_clear (&result);

  /* Parameters it does not take: 132000. */
  g_assert_false (publish (hello, "{{1}}=Sam", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "different number of parameters"));
  g_clear_error (&error);

  /* A template WhatsApp does not know: 132001. */
  g_assert_false (publish (unknown, "Sale!", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "no approved template"));
  g_assert_nonnull (strstr (error->message, "summer_sale"));
  g_clear_error (&error);

  posts = sm_test_net_hook ("GET", "posts", NULL);
  g_assert_cmpuint (json_array_get_length (posts_of (posts)), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (posts_of (posts), 0),
                                                  "text"), ==, "order_update");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (posts_of (posts), 1),
                                                  "text"), ==, "hello_world");
}

static void
test_errors (void)
{
  g_autoptr(GHashTable) options = options_new ("whatsapp.to", "15551230004", NULL);
  g_autoptr(GHashTable) nowhere = options_new ("whatsapp.to", "9995550000", NULL);
  g_autoptr(GHashTable) none = options_new ("whatsapp.template", "hello_world", NULL);
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *mine = new_token ();
  g_autofree char *kept = NULL;

  reset_sandbox ();
  open_window ("15551230004", 0);

  /* Throughput limit, with the BUC header saying when. */
  sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\",\"path\":\"/*/messages\","
                         "\"status\":400,\"headers\":{\"X-Business-Use-Case-Usage\":"
                         "\"{\\\"" NUMBER "\\\":[{\\\"type\\\":\\\"whatsapp\\\",\\\"estimated_time_to_regain_access\\\":3}]}\"},"
                         "\"body\":{\"error\":{\"message\":\"(#130429) Rate limit hit\",\"type\":\"OAuthException\","
                         "\"code\":130429,\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":"
                         "\"Cloud API message throughput has been reached.\"}}}}");
  g_assert_false (publish (options, "hello", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_cmpint (result.retry_after_us, ==, 180 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Pair rate limit. */
  sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\",\"path\":\"/*/messages\","
                         "\"status\":400,\"body\":{\"error\":{\"message\":\"(#131056) Pair rate limit hit\","
                         "\"type\":\"OAuthException\",\"code\":131056}}}");
  g_assert_false (publish (options, "hello", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "this recipient"));
  g_clear_error (&error);

  /* Not on WhatsApp: 131026. */
  g_assert_false (publish (nowhere, "hello", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "could not deliver"));
  g_clear_error (&error);

  /* No recipient: refused without a request. */
  g_assert_false (publish (none, "hello", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "whatsapp.to"));
  g_clear_error (&error);

  /* A revoked token: 190, which a refresh turns into "reconnect". */
  kept = g_steal_pointer (&token);
  token = g_strdup (mine);
  {
    g_autofree char *json = g_strdup_printf ("{\"network\":\"whatsapp\",\"token\":\"%s\"}", mine);
    g_autoptr(JsonNode) changed = sm_test_net_hook ("POST", "tokens/revoke", json);
  }
  g_assert_false (publish (options, "hello", NULL, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
  g_clear_error (&error);
  g_free (token);
  token = g_steal_pointer (&kept);

  g_assert_cmpuint (count_posts (), ==, 0);
}

/* ---- files ------------------------------------------------------------- */

static void
assert_post_file (JsonObject *post,
                  const char *kind,
                  const char *path,
                  const char *text)
{
  JsonArray *media = json_object_get_array_member (post, "media");
  JsonObject *file;
  g_autofree char *sha = sm_test_net_file_sha256 (path);

  g_assert_cmpstr (json_object_get_string_member (post, "account"), ==, NUMBER);
  g_assert_cmpstr (json_object_get_string_member (post, "text"), ==, text);
  g_assert_cmpuint (json_array_get_length (media), ==, 1);
  file = json_array_get_object_element (media, 0);
  g_assert_cmpstr (json_object_get_string_member (file, "kind"), ==, kind);
  g_assert_cmpstr (json_object_get_string_member (file, "sha256"), ==, sha);
}

static void
test_files (void)
{
  g_autoptr(GHashTable) options = options_new ("whatsapp.to", CUSTOMER, NULL);
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_auto(SmPublishResult) again = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autofree char *image = make_image ();
  g_autofree char *video = make_video ();
  g_autofree char *pdf = make_pdf ();
  g_autofree char *audio = make_audio ();
  SmUploadHooks hooks = { 0 };
  SmTestUploads uploads;
  guint uploads_before;

  reset_sandbox ();
  open_window (CUSTOMER, 0);
  sm_test_uploads_init (&uploads, &hooks);
  g_ptr_array_add (media, post_media (11, image, "image/jpeg"));
  g_ptr_array_add (media, post_media (12, video, "video/mp4"));
  g_ptr_array_add (media, post_media (13, pdf, "application/pdf"));
  g_ptr_array_add (media, post_media (14, audio, "audio/ogg"));

  g_assert_true (publish_ok (options, "Today's menu", media, &hooks, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (uploads.last_sent, ==, uploads.last_total);

  /* One message per file, in order, the text as the first one's caption. */
  posts = sm_test_net_hook ("GET", "posts", NULL);
  g_assert_cmpuint (json_array_get_length (posts_of (posts)), ==, 4);
  assert_post_file (json_array_get_object_element (posts_of (posts), 0), "image", image,
                    "Today's menu");
  assert_post_file (json_array_get_object_element (posts_of (posts), 1), "video", video, "");
  assert_post_file (json_array_get_object_element (posts_of (posts), 2), "document", pdf, "");
  assert_post_file (json_array_get_object_element (posts_of (posts), 3), "audio", audio, "");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (posts_of (posts), 0), "id"),
                   ==, result.remote_id);

  /* Asked again, the saved states settle it without a request. */
  uploads_before = count_requests ("POST", "/v21.0/*/media");
  g_assert_cmpuint (uploads_before, ==, 4);
  g_assert_true (find_published (options, "Today's menu", media, &hooks, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (again.remote_id, ==, result.remote_id);
  g_assert_cmpuint (count_requests ("POST", "/v21.0/*/media"), ==, 4);

  sm_test_uploads_clear (&uploads);
}

/* The audio file takes no caption: the text goes first, on its own. */
static void
test_audio_first (void)
{
  g_autoptr(GHashTable) options = options_new ("whatsapp.to", CUSTOMER, NULL);
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autofree char *audio = make_audio ();
  SmUploadHooks hooks = { 0 };
  SmTestUploads uploads;
  JsonObject *first;

  reset_sandbox ();
  open_window (CUSTOMER, 0);
  sm_test_uploads_init (&uploads, &hooks);
  g_ptr_array_add (media, post_media (21, audio, "audio/ogg"));

  g_assert_true (publish_ok (options, "A message from the baker", media, &hooks, &result, &error));
  g_assert_no_error (error);
  posts = sm_test_net_hook ("GET", "posts", NULL);
  g_assert_cmpuint (json_array_get_length (posts_of (posts)), ==, 2);
  first = json_array_get_object_element (posts_of (posts), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "text"), ==, "A message from the baker");
  g_assert_false (json_object_has_member (first, "media"));
  assert_post_file (json_array_get_object_element (posts_of (posts), 1), "audio", audio, "");
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, result.remote_id);
  sm_test_uploads_clear (&uploads);
}

/* A lost answer: never sent again on the client's own; a half-sent post
 * goes on after its last confirmed message, with the media ids it saved. */
static void
test_lost_answer (void)
{
  g_autoptr(GHashTable) options = options_new ("whatsapp.to", CUSTOMER, NULL);
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *image = make_image ();
  g_autofree char *pdf = make_pdf ();
  SmUploadHooks hooks = { 0 };
  SmTestUploads uploads;

  reset_sandbox ();
  open_window (CUSTOMER, 0);
  sm_test_uploads_init (&uploads, &hooks);
  g_ptr_array_add (media, post_media (31, image, "image/jpeg"));
  g_ptr_array_add (media, post_media (32, pdf, "application/pdf"));

  /* The second message goes out, but its answer is lost. */
  sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\",\"path\":\"/*/messages\","
                         "\"count\":1,\"delay_ms\":0}");
  sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\",\"path\":\"/*/messages\","
                         "\"count\":1,\"drop\":true}");
  g_assert_false (publish (options, "Menu", media, &hooks, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);
  g_assert_cmpuint (count_posts (), ==, 2);

  /* WhatsApp cannot be asked: the user is. */
  g_assert_false (find_published (options, "Menu", media, &hooks, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CANNOT_TELL);
  g_assert_nonnull (strstr (error->message, "Look at the chat"));
  g_clear_error (&error);
  g_assert_cmpuint (count_posts (), ==, 2);

  /* A text message whose answer was lost: the same question. */
  g_assert_false (find_published (options, "Menu", NULL, &hooks, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CANNOT_TELL);
  g_clear_error (&error);

  /* The user says it did not arrive (their retry): only the unconfirmed
   * message goes again, with the media id saved, no new upload. */
  g_assert_true (publish_ok (options, "Menu", media, &hooks, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_posts (), ==, 3);
  g_assert_cmpuint (count_requests ("POST", "/v21.0/*/media"), ==, 2);

  /* An upload whose answer is lost is only transient: nobody sees it. */
  sm_test_uploads_clear (&uploads);
  sm_test_uploads_init (&uploads, &hooks);
  sm_test_net_add_fault ("{\"host\":\"graph.facebook.com\",\"method\":\"POST\",\"path\":\"/*/media\","
                         "\"count\":1,\"drop\":true}");
  sm_publish_result_clear (&result);
  g_assert_false (publish (options, "Menu", media, &hooks, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_clear_error (&error);
  g_assert_true (find_published (options, "Menu", media, &hooks, &result, &error));
  g_assert_no_error (error);
  g_assert_null (result.remote_id);
  g_assert_true (result.definitive);
  sm_test_uploads_clear (&uploads);
}

/* A saved media id WhatsApp no longer knows: refused once, then uploaded
 * anew rather than refused for ever. */
static void
test_stale_media_id (void)
{
  g_autoptr(GHashTable) options = options_new ("whatsapp.to", CUSTOMER, NULL);
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_auto(SmPublishResult) result = { NULL, NULL, -1, FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *image = make_image ();
  g_autofree char *session = g_strdup_printf ("up=%" G_GINT64_FORMAT ";text=;msg=",
                                              g_get_real_time () / G_USEC_PER_SEC - 3600);
  SmUploadHooks hooks = { 0 };
  SmTestUploads uploads;

  reset_sandbox ();
  open_window (CUSTOMER, 0);
  sm_test_uploads_init (&uploads, &hooks);
  g_ptr_array_add (media, post_media (41, image, "image/jpeg"));
  hooks.save (&uploads, 41, session, 1, "1040000000999999");

  g_assert_false (publish (options, "Photo", media, &hooks, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "not a valid media id"));
  g_clear_error (&error);
  g_assert_cmpuint (count_requests ("POST", "/v21.0/*/media"), ==, 0);

  g_assert_true (publish_ok (options, "Photo", media, &hooks, &result, &error));
  g_assert_cmpuint (count_requests ("POST", "/v21.0/*/media"), ==, 1);
  g_assert_cmpuint (count_posts (), ==, 1);
  sm_test_uploads_clear (&uploads);
}

static void
test_sandbox_strict (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (profile->sandbox_url,
                                      "/graph.facebook.com/v21.0/" NUMBER "/media", NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  const char *bodies[][2] = {
    /* a PNG said to be a JPEG */
    { "image/jpeg", "\x89PNG\r\n\x1a\nnot really" },
    /* a type WhatsApp does not take */
    { "image/gif", "GIF89a...." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/form-data");
      g_autoptr(GBytes) file = g_bytes_new_static (bodies[i][1], strlen (bodies[i][1]));
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();

      soup_multipart_append_form_string (multipart, "messaging_product", "whatsapp");
      soup_multipart_append_form_string (multipart, "type", bodies[i][0]);
      soup_multipart_append_form_file (multipart, "file", "x", bodies[i][0], file);
      msg = soup_message_new_from_multipart (url, multipart);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      answer = soup_session_send_and_read (session, msg, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 400);
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                                 (gssize) g_bytes_get_size (answer), NULL));
      g_assert_cmpint (sm_json_get_int (json_parser_get_root (parser), "error.code"), ==, 131053);
    }
}

/* ---- the installed programs -------------------------------------------- */

static gint64
cli_connect (SmTestProfile *p,
             const char    *number,
             const char    *stdin_text,
             int            expect_status,
             char         **err)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *accounts;
  int status = sm_test_cli (p, stdin_text, NULL, err, "accounts", "connect", "whatsapp",
                            "--phone-number-id", number, NULL);
  gint64 id = 0;

  g_assert_cmpint (status, ==, expect_status);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "accounts", "list", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  accounts = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *a = json_array_get_object_element (accounts, i);

      if (g_str_equal (json_object_get_string_member (a, "network"), "whatsapp"))
        {
          g_assert_cmpstr (json_object_get_string_member (a, "name"), ==, NUMBER_NAME);
          g_assert_cmpstr (json_object_get_string_member (a, "handle"), ==, NUMBER_SHOWN);
          id = json_object_get_int_member (a, "id");
        }
    }
  return id;
}

static void
assert_not_in_tree (const char *dir,
                    const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          assert_not_in_tree (path, needle);
          continue;
        }
      if (g_file_get_contents (path, &contents, &len, NULL))
        g_assert_null (g_strstr_len (contents, (gssize) len, needle));
    }
}

static void
test_cli_connect (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autofree char *profile_dir = g_build_filename (p->data_home, "so-me-studio", NULL);
  g_autofree char *cli_token = NULL;
  g_autofree char *line = NULL;
  g_autofree char *err = NULL;
  g_autoptr(SmTokens) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  gint64 id;

  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autofree char *url = g_strconcat (p->sandbox_url, "/__sandbox/whatsapp/token", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_no_error (error);
    g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                               (gssize) g_bytes_get_size (body), NULL));
    cli_token = g_strdup (sm_json_get_string (json_parser_get_root (parser), "token"));
  }
  line = g_strconcat (cli_token, "\n", NULL);

  /* Refusals: nothing is saved. */
  id = cli_connect (p, NUMBER, "EAAGnotatokenatall\n", 1, &err);
  g_assert_cmpint (id, ==, 0);
  g_assert_nonnull (strstr (err, "did not accept the token"));
  g_clear_pointer (&err, g_free);
  id = cli_connect (p, "123456789012345", line, 1, &err);
  g_assert_cmpint (id, ==, 0);
  g_assert_nonnull (strstr (err, "no phone number with the id 123456789012345"));
  g_clear_pointer (&err, g_free);
  id = cli_connect (p, NUMBER, "", 1, &err);
  g_assert_cmpint (id, ==, 0);
  g_assert_nonnull (strstr (err, "no token on standard input"));
  g_clear_pointer (&err, g_free);
  kept = sm_token_store_load (profile_dir, SM_NETWORK_WHATSAPP, NUMBER, NULL, &error);
  g_assert_null (kept);
  g_clear_error (&error);

  /* The browser flow is not WhatsApp's. */
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "accounts", "connect", "whatsapp", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--phone-number-id"));
  g_clear_pointer (&err, g_free);

  /* The token from standard input: in the keyring, nowhere on disk. */
  id = cli_connect (p, NUMBER, line, 0, &err);
  g_assert_cmpint (id, >, 0);
  kept = sm_token_store_load (profile_dir, SM_NETWORK_WHATSAPP, NUMBER, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept->access_token, ==, cli_token);
  g_assert_cmpint (kept->expires_at_us, ==, 0);
  assert_not_in_tree (p->data_home, cli_token);
  assert_not_in_tree (p->config_home, cli_token);
  assert_not_in_tree (p->dir, cli_token);

  g_assert_true (sm_token_store_delete (profile_dir, SM_NETWORK_WHATSAPP, NUMBER, NULL, &error));
}

static gint64
cli_post (SmTestProfile *p,
          gint64         account,
          int            expect_status,
          char         **err,
          ...) G_GNUC_NULL_TERMINATED;

/* so-me post --to ACCOUNT --at now ARGS… */
static gint64
cli_post (SmTestProfile *p,
          gint64         account,
          int            expect_status,
          char         **err,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *e = NULL;
  const char *arg;
  va_list args;
  gint64 id = 0;

  g_ptr_array_add (argv, sm_test_program ("so-me"));
  g_ptr_array_add (argv, g_strdup ("post"));
  g_ptr_array_add (argv, g_strdup ("--to"));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GINT64_FORMAT, account));
  g_ptr_array_add (argv, g_strdup ("--at"));
  g_ptr_array_add (argv, g_strdup ("now"));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, p->env);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &e, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, expect_status);
  if (expect_status == 0)
    g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &id, NULL));
  if (err)
    *err = g_steal_pointer (&e);
  return id;
}

static void
test_publish_through_the_outbox (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autofree char *profile_dir = g_build_filename (p->data_home, "so-me-studio", NULL);
  g_autofree char *pdf = make_pdf ();
  g_autofree char *sha = sm_test_net_file_sha256 (pdf);
  g_autofree char *line = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autofree char *target_id = NULL;
  JsonObject *post, *target;
  SmTestWait w = { p, 0, NULL };
  gint64 account;

  sm_test_profile_activate (p);
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autofree char *url = g_strconcat (p->sandbox_url, "/__sandbox/whatsapp/token", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_no_error (error);
    g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                               (gssize) g_bytes_get_size (body), NULL));
    line = g_strconcat (sm_json_get_string (json_parser_get_root (parser), "token"), "\n", NULL);
  }
  account = cli_connect (p, NUMBER, line, 0, NULL);
  g_assert_cmpint (account, >, 0);

  /* No recipient: refused before anything is scheduled. */
  cli_post (p, account, 1, &err, "Hello", NULL);
  g_assert_nonnull (strstr (err, "whatsapp.to"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &list, NULL, "list", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_true (json_parser_load_from_data (parser, list, -1, NULL));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==, 0);
  }

  /* A PDF with its caption, inside the window. */
  {
    g_autofree char *json = g_strdup_printf ("{\"from\":\"%s\"}", CUSTOMER);
    sm_test_sandbox_post (p, "/__sandbox/whatsapp/inbound", json);
  }
  w.post_id = cli_post (p, account, 0, NULL, "--media", pdf, "--option",
                        "whatsapp.to=" CUSTOMER, "Our menu", NULL);
  w.want = "published";
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 30));
  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (posts)), ==, 1);
  post = json_array_get_object_element (json_node_get_array (posts), 0);
  g_assert_cmpstr (json_object_get_string_member (post, "text"), ==, "Our menu");
  g_assert_cmpstr (json_object_get_string_member (post, "sha256"), ==, sha);
  status = sm_test_status (p, w.post_id);
  target = json_array_get_object_element (json_object_get_array_member (json_node_get_object (status),
                                                                        "targets"), 0);
  g_assert_cmpstr (json_object_get_string_member (target, "remote_id"), ==,
                   json_object_get_string_member (post, "id"));
  g_clear_pointer (&status, json_node_unref);
  g_clear_pointer (&posts, json_node_unref);

  /* Outside the window: failed, saying a template is needed. */
  w.post_id = cli_post (p, account, 0, NULL, "--option", "whatsapp.to=15551239999",
                        "Are you still there?", NULL);
  w.want = "failed";
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 30));
  status = sm_test_status (p, w.post_id);
  target = json_array_get_object_element (json_object_get_array_member (json_node_get_object (status),
                                                                        "targets"), 0);
  g_assert_nonnull (strstr (json_object_get_string_member (target, "error"), "template is needed"));
  g_clear_pointer (&status, json_node_unref);

  /* A lost answer: the outbox asks the user instead of sending again;
   * the user's retry sends it once more. */
  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"graph.facebook.com\",\"method\":\"POST\",\"path\":\"/*/messages\","
                        "\"count\":1,\"drop\":true}");
  w.post_id = cli_post (p, account, 0, NULL, "--option", "whatsapp.to=" CUSTOMER,
                        "Fresh bread at 4", NULL);
  w.want = "failed";
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 60));
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 2);
  status = sm_test_status (p, w.post_id);
  target = json_array_get_object_element (json_object_get_array_member (json_node_get_object (status),
                                                                        "targets"), 0);
  g_assert_nonnull (strstr (json_object_get_string_member (target, "error"), "Look at the chat"));
  target_id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (target, "id"));
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "retry", target_id, NULL), ==, 0);
  w.want = "published";
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 30));
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 3);
  g_clear_pointer (&status, json_node_unref);

  /* The token revoked in Business Settings: failed, and the account
   * waits for a new token. */
  sm_test_sandbox_post (p, "/__sandbox/tokens/revoke", "{\"network\":\"whatsapp\"}");
  w.post_id = cli_post (p, account, 0, NULL, "--option", "whatsapp.to=" CUSTOMER, "Closed today", NULL);
  w.want = "failed";
  g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 30));
  status = sm_test_status (p, w.post_id);
  target = json_array_get_object_element (json_object_get_array_member (json_node_get_object (status),
                                                                        "targets"), 0);
  g_assert_nonnull (strstr (json_object_get_string_member (target, "error"), "Reconnect the account"));
  g_clear_pointer (&list, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &list, NULL, "accounts", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (list, "needs-reconnect"));
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 3);

  g_assert_true (sm_token_store_delete (profile_dir, SM_NETWORK_WHATSAPP, NUMBER, NULL, &error));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  profile = sm_test_profile_new ();
  g_setenv (SM_NETWORK_BASE_ENV, profile->sandbox_url, TRUE);
  sm_test_net_attach (profile->sandbox_url);
  token = new_token ();

  g_test_add_func ("/whatsapp/connect/check", test_connect_check);
  g_test_add_func ("/whatsapp/connect/refusals", test_connect_refusals);
  g_test_add_func ("/whatsapp/connect/no-oauth", test_no_oauth);
  g_test_add_func ("/whatsapp/text-and-window", test_text_and_window);
  g_test_add_func ("/whatsapp/templates", test_templates);
  g_test_add_func ("/whatsapp/errors", test_errors);
  g_test_add_func ("/whatsapp/files", test_files);
  g_test_add_func ("/whatsapp/audio-first", test_audio_first);
  g_test_add_func ("/whatsapp/lost-answer", test_lost_answer);
  g_test_add_func ("/whatsapp/stale-media-id", test_stale_media_id);
  g_test_add_func ("/whatsapp/sandbox-strict", test_sandbox_strict);
  g_test_add_func ("/whatsapp/cli-connect", test_cli_connect);
  g_test_add_func ("/whatsapp/outbox", test_publish_through_the_outbox);

  ret = g_test_run ();

  g_clear_pointer (&token, g_free);
  sm_test_net_stop ();
  g_clear_pointer (&profile, sm_test_profile_free);
  return ret;
}
