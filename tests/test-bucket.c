/* test-bucket.c — the user's S3 bucket as a media host (sm-s3.c) against
 * the sandbox's S3 (sm-sandbox-s3.c), which checks Signature V4 on its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sandbox runs in this process on a thread of its own (the only one
 * that runs the default main context), so that a presigned URL can be
 * fetched the way the sandbox's Instagram and Threads fetch an image_url
 * (_sm_sandbox_fetch).
 */
#define G_LOG_DOMAIN "test-bucket"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sm-error.h"
#include "sm-media-rules.h"
#include "sm-http.h"
#include "sm-s3.h"
#include "sm-sandbox-private.h"
#include "sm-sigv4.h"
#include "sm-store.h"
#include "sm-test-net.h"
#include "sm-test-util.h"
#include "sm-token-store.h"

/* The sandbox runs on a thread of its own (sm-test-net.h); fetches wait on
 * lock and cond for its answer. */
static struct
{
  GMutex        lock;
  GCond         cond;
  char         *dir;
} sbx;

/* A new bucket in the sandbox, and its config at @endpoint (NULL: the
 * regional AWS endpoint). */
static SmS3Config *
make_bucket (const char     *region,
             const char     *endpoint,
             SmS3Addressing  addressing)
{
  static guint serial;
  g_autofree char *name = g_strdup_printf ("so-me-test-%u-%u", (guint) getpid (), ++serial);
  g_autofree char *json = g_strdup_printf ("{\"bucket\":\"%s\",\"region\":\"%s\"}", name, region);
  g_autoptr(JsonNode) reply = sm_test_net_hook ("POST", "s3/buckets", json);

  g_assert_cmpstr (sm_json_get_string (reply, "bucket"), ==, name);
  return sm_s3_config_new (endpoint != NULL ? endpoint : sm_json_get_string (reply, "endpoint"),
                           region, name,
                           sm_json_get_string (reply, "access_key_id"),
                           sm_json_get_string (reply, "secret_access_key"),
                           addressing);
}

/* The sandbox's record of @key, as a new reference. */
static JsonNode *
find_object (const char *bucket,
             const char *key)
{
  g_autoptr(JsonNode) objects = sm_test_net_hook ("GET", "s3/objects", NULL);
  JsonArray *array = json_node_get_array (objects);
  JsonNode *found = NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *o = json_array_get_element (array, i);

      if (g_strcmp0 (sm_json_get_string (o, "bucket"), bucket) == 0 &&
          g_strcmp0 (sm_json_get_string (o, "key"), key) == 0)
        {
          g_clear_pointer (&found, json_node_unref);
          found = json_node_ref (o);   /* the latest one */
        }
    }
  return found;
}

/* A file of @size pseudo-random bytes; its SHA-256 in @sha256_out. */
static char *
make_file (const char  *name,
           gsize        size,
           char       **sha256_out)
{
  g_autofree char *path = g_build_filename (sbx.dir, name, NULL);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) size);
  g_autofree guint32 *data = g_new (guint32, size / 4 + 1);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size / 4 + 1; i++)
    data[i] = g_rand_int (rand);
  g_file_set_contents (path, (const char *) data, (gssize) size, &error);
  g_assert_no_error (error);
  g_checksum_update (sum, (const guchar *) data, size);
  *sha256_out = g_strdup (g_checksum_get_string (sum));
  return g_steal_pointer (&path);
}

/* ---- _sm_sandbox_fetch, as the networks do it ------------------------- */

typedef struct
{
  char     *url;
  gboolean  done;
  guint     status;
  guint64   bytes;
  char     *sha256;
} FetchResult;

static void
fetch_done_cb (SmSandbox    *self,
               guint         status,
               guint64       bytes,
               const char   *sha256,
               const char   *content_type,
               const GError *error,
               gpointer      user_data)
{
  FetchResult *result = user_data;

  g_mutex_lock (&sbx.lock);
  result->status = status;
  result->bytes = bytes;
  result->sha256 = g_strdup (sha256);
  result->done = TRUE;
  g_cond_signal (&sbx.cond);
  g_mutex_unlock (&sbx.lock);
}

static gboolean
fetch_start_cb (gpointer data)
{
  FetchResult *result = data;

  _sm_sandbox_fetch (sm_test_net_sandbox (), result->url, fetch_done_cb, result, NULL);
  return G_SOURCE_REMOVE;
}

/* What a network gets for @url: the status, and bytes + SHA-256 of a 200. */
static guint
network_fetch (const char  *url,
               guint64     *bytes,
               char       **sha256)
{
  FetchResult result = { (char *) url, FALSE, 0, 0, NULL };

  g_main_context_invoke (sm_test_net_context (), fetch_start_cb, &result);
  g_mutex_lock (&sbx.lock);
  while (!result.done)
    g_cond_wait (&sbx.cond, &sbx.lock);
  g_mutex_unlock (&sbx.lock);

  if (bytes != NULL)
    *bytes = result.bytes;
  if (sha256 != NULL)
    *sha256 = g_steal_pointer (&result.sha256);
  g_free (result.sha256);
  return result.status;
}

/* ---- tests ------------------------------------------------------------- */

/* put → the network fetches the presigned URL → remove; the file is
 * streamed and arrives whole, the bucket ends empty. */
static void
check_round_trip (SmS3Config *config,
                  gsize       size,
                  const char *name)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmMediaHost *host = sm_s3_media_host_new (config);
  g_autofree char *sha256 = NULL;
  g_autofree char *path = make_file (name, size, &sha256);
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autofree char *fetched_sha = NULL;
  g_autoptr(JsonNode) object = NULL;
  g_autoptr(GError) error = NULL;
  guint64 fetched_bytes = 0;

  url = host->put (host, session, path, "image/jpeg", 3600, &key, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);
  g_test_message ("%s", url);
  g_assert_true (g_str_has_prefix (url, "https://"));
  g_assert_true (g_str_has_prefix (key, SM_S3_KEY_PREFIX));
  g_assert_true (g_str_has_suffix (key, name));
  g_assert_nonnull (strstr (url, "X-Amz-Expires=3600&"));

  /* Stored whole, as the file is. */
  object = find_object (config->bucket, key);
  g_assert_nonnull (object);
  g_assert_cmpint (sm_json_get_int (object, "bytes"), ==, (gint64) size);
  g_assert_cmpstr (sm_json_get_string (object, "sha256"), ==, sha256);
  g_assert_cmpstr (sm_json_get_string (object, "content_type"), ==, "image/jpeg");
  g_assert_cmpint (sm_json_get_int (object, "fetches"), ==, 0);
  g_clear_pointer (&object, json_node_unref);

  /* The network can fetch it without credentials. */
  g_assert_cmpuint (network_fetch (url, &fetched_bytes, &fetched_sha), ==, 200);
  g_assert_cmpuint (fetched_bytes, ==, size);
  g_assert_cmpstr (fetched_sha, ==, sha256);

  /* Without the signature it is private. */
  {
    g_autofree char *bare = g_strndup (url, strchr (url, '?') - url);

    g_assert_cmpuint (network_fetch (bare, NULL, NULL), ==, 403);
  }

  g_assert_true (host->remove (host, session, key, NULL, &error));
  g_assert_no_error (error);
  object = find_object (config->bucket, key);
  g_assert_cmpint (sm_json_get_int (object, "fetches"), ==, 1);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (object), "deleted"));

  /* Gone for the network too; removing it again is still success. */
  g_assert_cmpuint (network_fetch (url, NULL, NULL), ==, 404);
  g_assert_true (host->remove (host, session, key, NULL, &error));
  g_assert_no_error (error);

  sm_s3_media_host_free (host);
  g_unlink (path);
}

static void
test_virtual_hosted (void)
{
  g_autoptr(SmS3Config) config = make_bucket ("eu-west-1", NULL, SM_S3_ADDRESSING_AUTO);

  g_assert_cmpint (sm_s3_config_get_addressing (config), ==, SM_S3_ADDRESSING_VIRTUAL);
  /* A few megabytes, streamed from disk. */
  check_round_trip (config, 5 * 1024 * 1024 + 7, "holiday photo été+1.jpg");
}

static void
test_path_style (void)
{
  g_autoptr(SmS3Config) aws = make_bucket ("ap-southeast-2", NULL, SM_S3_ADDRESSING_PATH);
  g_autoptr(SmS3Config) generic = make_bucket ("us-east-1", "https://s3.sandbox.test",
                                               SM_S3_ADDRESSING_AUTO);
  g_autoptr(SmS3Config) global = make_bucket ("us-east-1", "https://s3.amazonaws.com",
                                              SM_S3_ADDRESSING_AUTO);

  g_assert_cmpint (sm_s3_config_get_addressing (generic), ==, SM_S3_ADDRESSING_PATH);
  check_round_trip (aws, 1000, "a~b c.png");
  check_round_trip (generic, 1, "x.jpg");
  check_round_trip (generic, 10, "100% real;#?x=y&z.jpg");
  check_round_trip (global, 300 * 1024, "日本.jpg");
}

static void
test_check (void)
{
  g_autoptr(SmS3Config) config = make_bucket ("eu-central-1", NULL, SM_S3_ADDRESSING_AUTO);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) objects = NULL;
  JsonArray *array;
  guint found = 0;

  g_assert_true (sm_s3_check (config, session, NULL, &error));
  g_assert_no_error (error);

  /* One object was put, fetched once and deleted. */
  objects = sm_test_net_hook ("GET", "s3/objects", NULL);
  array = json_node_get_array (objects);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *o = json_array_get_element (array, i);

      if (g_strcmp0 (sm_json_get_string (o, "bucket"), config->bucket) != 0)
        continue;
      found++;
      g_assert_cmpint (sm_json_get_int (o, "fetches"), ==, 1);
      g_assert_true (json_object_get_boolean_member (json_node_get_object (o), "deleted"));
    }
  g_assert_cmpuint (found, ==, 1);
}

static void
test_expiry (void)
{
  g_autoptr(SmS3Config) config = make_bucket ("eu-west-1", NULL, SM_S3_ADDRESSING_AUTO);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmMediaHost *host = sm_s3_media_host_new (config);
  g_autofree char *sha256 = NULL;
  g_autofree char *path = make_file ("short.jpg", 4096, &sha256);
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autofree char *old = NULL;
  g_autofree char *fetched_sha = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  url = host->put (host, session, path, "image/jpeg", 1, &key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (network_fetch (url, NULL, &fetched_sha), ==, 200);
  g_assert_cmpstr (fetched_sha, ==, sha256);

  /* Signed an hour ago for ten minutes: refused at once. */
  old = sm_s3_presign_get (config, key, 600, g_get_real_time () / G_USEC_PER_SEC - 3600, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (network_fetch (old, NULL, NULL), ==, 403);
  body = sm_s3_fetch_presigned (config, session, old, NULL, &error);
  g_assert_null (body);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "Request has expired"));
  g_clear_error (&error);

  /* And the one-second URL, once its second has passed. */
  g_usleep (2100 * 1000);
  g_assert_cmpuint (network_fetch (url, NULL, NULL), ==, 403);

  g_assert_true (host->remove (host, session, key, NULL, &error));
  sm_s3_media_host_free (host);
  g_unlink (path);
}

/* Each mistake a user can make in the settings, with S3's own reason. */
static void
check_put_fails (const SmS3Config *config,
                 int               code,
                 const char       *reason)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmMediaHost *host = sm_s3_media_host_new (config);
  g_autofree char *sha256 = NULL;
  g_autofree char *path = make_file ("refused.jpg", 10, &sha256);
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  url = host->put (host, session, path, "image/jpeg", 60, &key, NULL, &error);
  g_assert_null (url);
  g_assert_null (key);
  g_assert_error (error, SM_PLATFORM_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, reason));
  sm_s3_media_host_free (host);
}

static void
test_errors (void)
{
  g_autoptr(SmS3Config) good = make_bucket ("eu-west-3", NULL, SM_S3_ADDRESSING_AUTO);
  g_autoptr(SmS3Config) other = make_bucket ("eu-west-3", NULL, SM_S3_ADDRESSING_AUTO);
  g_autoptr(SmS3Config) config = NULL;
  g_autoptr(JsonNode) fault = NULL;

  config = sm_s3_config_copy (good);
  g_free (config->secret_access_key);
  config->secret_access_key = g_strdup ("wrong/secret+key");
  check_put_fails (config, SM_PLATFORM_ERROR_CONFIG, "SignatureDoesNotMatch");
  g_clear_pointer (&config, sm_s3_config_free);

  config = sm_s3_config_copy (good);
  g_free (config->access_key_id);
  config->access_key_id = g_strdup ("AKIANOTAKEY");
  check_put_fails (config, SM_PLATFORM_ERROR_CONFIG, "InvalidAccessKeyId");
  g_clear_pointer (&config, sm_s3_config_free);

  /* Another bucket's key. */
  config = sm_s3_config_copy (good);
  g_free (config->access_key_id);
  config->access_key_id = g_strdup (other->access_key_id);
  g_free (config->secret_access_key);
  config->secret_access_key = g_strdup (other->secret_access_key);
  check_put_fails (config, SM_PLATFORM_ERROR_CONFIG, "AccessDenied");
  g_clear_pointer (&config, sm_s3_config_free);

  config = sm_s3_config_copy (good);
  g_free (config->bucket);
  config->bucket = g_strdup ("no-such-bucket-here");
  config->addressing = SM_S3_ADDRESSING_PATH;
  check_put_fails (config, SM_PLATFORM_ERROR_CONFIG, "NoSuchBucket");
  g_clear_pointer (&config, sm_s3_config_free);

  /* The right endpoint, the wrong region in the signature. */
  config = sm_s3_config_copy (good);
  g_free (config->region);
  config->region = g_strdup ("us-west-1");
  check_put_fails (config, SM_PLATFORM_ERROR_CONFIG, "AuthorizationHeaderMalformed");
  g_clear_pointer (&config, sm_s3_config_free);

  /* The bucket's region, at another region's endpoint. */
  config = sm_s3_config_copy (good);
  g_free (config->endpoint);
  config->endpoint = g_strdup ("https://s3.us-west-1.amazonaws.com");
  config->addressing = SM_S3_ADDRESSING_PATH;
  {
    g_autoptr(JsonNode) west = sm_test_net_hook ("POST", "s3/buckets",
                                                 "{\"bucket\":\"so-me-west-1-route\",\"region\":\"us-west-1\"}");
  }
  check_put_fails (config, SM_PLATFORM_ERROR_CONFIG, "PermanentRedirect");
  g_clear_pointer (&config, sm_s3_config_free);

  /* The store is busy: worth trying again. */
  fault = sm_test_net_hook ("POST", "faults",
                            "{\"method\":\"PUT\",\"status\":503,\"body\":\"<?xml version=\\\"1.0\\\" encoding=\\\"UTF-8\\\"?>"
                            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>\"}");
  check_put_fails (good, SM_PLATFORM_ERROR_TRANSIENT, "SlowDown: Please reduce your request rate.");
}

/* A request signed by hand, to see what the sandbox's S3 makes of it: the
 * status, and the Code of its XML error (NULL for none). */
static guint
raw_request (const SmS3Config  *config,
             const char        *method,
             const char        *key,
             gint64             when,
             char             **code_out)
{
  const SmSigV4Credentials creds = { config->access_key_id, config->secret_access_key,
                                     config->region, "s3" };
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autofree char *url = sm_s3_object_url (config, key);
  g_autoptr(SoupMessage) msg = sm_http_message_new (method, url, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *start, *end;

  g_assert_true (sm_sigv4_sign_message (&creds, msg, url, SM_SIGV4_EMPTY_SHA256, when, &error));
  body = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  start = g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "<Code>");
  end = start != NULL ? strstr (start, "</Code>") : NULL;
  *code_out = start != NULL && end != NULL ? g_strndup (start + 6, end - start - 6) : NULL;
  return soup_message_get_status (msg);
}

static guint
fetch_status_code (const char  *url,
                   char       **code_out)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SoupMessage) msg = sm_http_message_new ("GET", url, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *start, *end;

  body = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  start = g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "<Code>");
  end = start != NULL ? strstr (start, "</Code>") : NULL;
  *code_out = start != NULL && end != NULL ? g_strndup (start + 6, end - start - 6) : NULL;
  return soup_message_get_status (msg);
}

/* The sandbox is as strict as S3 about what it checks. */
static void
test_sandbox_strict (void)
{
  g_autoptr(SmS3Config) config = make_bucket ("eu-west-2", NULL, SM_S3_ADDRESSING_AUTO);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GBytes) bytes = g_bytes_new_static ("hello", 5);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *url = NULL;
  char *code = NULL;

  g_assert_true (sm_s3_put_bytes (config, session, "so-me-studio/k/hello.txt", bytes, "text/plain",
                                  NULL, &error));
  g_assert_no_error (error);

  /* Signed now: fine; twenty minutes off: RequestTimeTooSkewed. */
  g_assert_cmpuint (raw_request (config, "GET", "so-me-studio/k/hello.txt", now, &code), ==, 200);
  g_clear_pointer (&code, g_free);
  g_assert_cmpuint (raw_request (config, "GET", "so-me-studio/k/hello.txt", now - 1200, &code), ==, 403);
  g_assert_cmpstr (code, ==, "RequestTimeTooSkewed");
  g_clear_pointer (&code, g_free);

  /* An x-amz-* header that was not signed. */
  {
    const SmSigV4Credentials creds = { config->access_key_id, config->secret_access_key,
                                       config->region, "s3" };
    g_autofree char *object = sm_s3_object_url (config, "so-me-studio/k/hello.txt");
    g_autoptr(SoupMessage) msg = sm_http_message_new ("GET", object, NULL);
    g_autoptr(GBytes) body = NULL;

    g_assert_true (sm_sigv4_sign_message (&creds, msg, object, SM_SIGV4_EMPTY_SHA256, now, &error));
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-amz-meta-late", "1");
    body = sm_http_send (session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 403);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                    "<HeadersNotSigned>x-amz-meta-late</HeadersNotSigned>"));
  }

  /* A body that is not what its signed hash says. */
  {
    const SmSigV4Credentials creds = { config->access_key_id, config->secret_access_key,
                                       config->region, "s3" };
    g_autofree char *object = sm_s3_object_url (config, "so-me-studio/k/other.txt");
    g_autoptr(SoupMessage) msg = sm_http_message_new ("PUT", object, NULL);
    g_autoptr(GBytes) body = NULL;
    g_autoptr(GBytes) wrong = g_bytes_new_static ("hellO", 5);
    g_autofree char *claimed = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

    soup_message_set_request_body_from_bytes (msg, "text/plain", wrong);
    g_assert_true (sm_sigv4_sign_message (&creds, msg, object, claimed, now, &error));
    body = sm_http_send (session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 400);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                    "<Code>XAmzContentSHA256Mismatch</Code>"));
  }

  /* Presigned: a changed key, a lifetime over a week, a missing signature. */
  url = sm_s3_presign_get (config, "so-me-studio/k/hello.txt", 600, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fetch_status_code (url, &code), ==, 200);
  g_clear_pointer (&code, g_free);
  {
    g_autoptr(GString) tampered = g_string_new (url);

    g_string_replace (tampered, "hello.txt", "hellp.txt", 1);
    g_assert_cmpuint (fetch_status_code (tampered->str, &code), ==, 403);
    g_assert_cmpstr (code, ==, "SignatureDoesNotMatch");
    g_clear_pointer (&code, g_free);

    g_string_assign (tampered, url);
    g_string_replace (tampered, "X-Amz-Expires=600", "X-Amz-Expires=604801", 1);
    g_assert_cmpuint (fetch_status_code (tampered->str, &code), ==, 400);
    g_assert_cmpstr (code, ==, "AuthorizationQueryParametersError");
    g_clear_pointer (&code, g_free);

    g_string_truncate (tampered, strstr (url, "&X-Amz-Signature=") - url);
    g_assert_cmpuint (fetch_status_code (tampered->str, &code), ==, 400);
    g_assert_cmpstr (code, ==, "AuthorizationQueryParametersError");
    g_clear_pointer (&code, g_free);
  }
  g_assert_true (sm_s3_delete (config, session, "so-me-studio/k/hello.txt", NULL, &error));
}

/* The PUT went through but its answer was lost: what may be stored is
 * deleted (a retry uses a new key), and the error is worth a retry. */
static void
test_lost_answer (void)
{
  g_autoptr(SmS3Config) config = make_bucket ("eu-west-1", NULL, SM_S3_ADDRESSING_AUTO);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(JsonNode) fault = sm_test_net_hook ("POST", "faults", "{\"method\":\"PUT\",\"drop\":true}");
  g_autoptr(JsonNode) objects = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *path = make_file ("lost.jpg", 200 * 1024, &sha256);
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  SmMediaHost *host = sm_s3_media_host_new (config);
  JsonArray *array;
  guint n = 0;

  url = host->put (host, session, path, "image/jpeg", 60, &key, NULL, &error);
  g_assert_null (url);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_test_message ("%s", error->message);

  /* It had been stored whole; it is gone now. */
  objects = sm_test_net_hook ("GET", "s3/objects", NULL);
  array = json_node_get_array (objects);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (o, "bucket"), config->bucket) != 0)
        continue;
      n++;
      g_assert_cmpstr (json_object_get_string_member (o, "sha256"), ==, sha256);
      g_assert_true (json_object_get_boolean_member (o, "deleted"));
    }
  g_assert_cmpuint (n, ==, 1);

  /* And the next try works. */
  g_clear_error (&error);
  url = host->put (host, session, path, "image/jpeg", 60, &key, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (host->remove (host, session, key, NULL, &error));
  sm_s3_media_host_free (host);
  g_unlink (path);
}

/* A 5xx without a body still says something. */
static void
test_server_error (void)
{
  g_autoptr(SmS3Config) good = make_bucket ("eu-north-1", NULL, SM_S3_ADDRESSING_AUTO);
  g_autoptr(JsonNode) fault = sm_test_net_hook ("POST", "faults", "{\"method\":\"PUT\",\"status\":500}");

  check_put_fails (good, SM_PLATFORM_ERROR_TRANSIENT, "HTTP 500");
}

/* The process's peak resident memory (VmHWM), in bytes. */
static gsize
peak_rss (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10) * 1024;
}

/* A large file goes up without the file ever being in memory, on either
 * side: the peak grows far less than the file's size. */
static void
test_large_file_streamed (void)
{
  const gsize size = 96 * 1024 * 1024;
  g_autoptr(SmS3Config) config = make_bucket ("eu-west-1", NULL, SM_S3_ADDRESSING_AUTO);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *path = g_build_filename (sbx.dir, "large.mp4", NULL);
  g_autofree guint8 *block = g_malloc (1024 * 1024);
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) object = NULL;
  g_autoptr(GError) error = NULL;
  SmMediaHost *host = sm_s3_media_host_new (config);
  FILE *f = fopen (path, "wb");
  gsize before;

  g_assert_nonnull (f);
  for (gsize done = 0; done < size; done += 1024 * 1024)
    {
      for (gsize i = 0; i < 1024 * 1024; i++)
        block[i] = (guint8) ((done / 4096) * 31 + i * 7);
      g_assert_cmpuint (fwrite (block, 1, 1024 * 1024, f), ==, 1024 * 1024);
      g_checksum_update (sum, block, 1024 * 1024);
    }
  g_assert_cmpint (fclose (f), ==, 0);

  before = peak_rss ();
  url = host->put (host, session, path, "video/mp4", 600, &key, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("peak RSS grew by %" G_GSIZE_FORMAT " KiB for a %" G_GSIZE_FORMAT " KiB file",
                  (peak_rss () - before) / 1024, size / 1024);
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpuint (peak_rss () - before, <, size / 4);
#else
  /* AddressSanitizer keeps freed buffers in quarantine (256 MB by
   * default), so the peak says nothing about streaming under it. */
  g_test_message ("memory bound not checked under AddressSanitizer");
#endif

  object = find_object (config->bucket, key);
  g_assert_cmpint (sm_json_get_int (object, "bytes"), ==, (gint64) size);
  g_assert_cmpstr (sm_json_get_string (object, "sha256"), ==, g_checksum_get_string (sum));

  g_assert_true (host->remove (host, session, key, NULL, &error));
  sm_s3_media_host_free (host);
  g_unlink (path);
}

static void
test_needs_bucket (void)
{
  g_assert_true (sm_media_rules_needs_bucket (SM_NETWORK_INSTAGRAM, "image/jpeg"));
  g_assert_false (sm_media_rules_needs_bucket (SM_NETWORK_INSTAGRAM, "video/mp4"));
  g_assert_true (sm_media_rules_needs_bucket (SM_NETWORK_THREADS, "image/png"));
  g_assert_true (sm_media_rules_needs_bucket (SM_NETWORK_THREADS, "video/mp4"));
  g_assert_false (sm_media_rules_needs_bucket (SM_NETWORK_X, "image/jpeg"));
  g_assert_false (sm_media_rules_needs_bucket (SM_NETWORK_YOUTUBE, "video/mp4"));
  g_assert_false (sm_media_rules_needs_bucket (SM_NETWORK_THREADS, NULL));
}

/* ---- so-me bucket, as a user runs it ----------------------------------- */

/* TRUE when any file under @dir holds @needle. */
static gboolean
tree_contains (const char *dir,
               const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (tree_contains (path, needle))
            return TRUE;
        }
      else if (g_file_get_contents (path, &contents, &len, NULL) &&
               g_strstr_len (contents, (gssize) len, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
have_installed_programs (void)
{
  if (g_getenv ("SM_PREFIX") == NULL)
    {
      g_test_skip ("SM_PREFIX is not set: run under tests/run-headless (tools/test)");
      return FALSE;
    }
  return TRUE;
}

static void
test_cli_bucket (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(JsonNode) made = NULL;
  g_autoptr(JsonNode) objects = NULL;
  g_autoptr(SmS3Config) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile_dir = NULL;
  g_autofree char *secret_line = NULL;
  const char *bucket, *key_id, *secret;
  char *out = NULL, *err = NULL;
  int status;

  if (!have_installed_programs ())
    return;
  p = sm_test_profile_new ();
  made = sm_test_sandbox_call (p, "/__sandbox/s3/buckets", "{\"bucket\":\"cli-media\",\"region\":\"eu-west-1\"}", 201);
  bucket = sm_json_get_string (made, "bucket");
  key_id = sm_json_get_string (made, "access_key_id");
  secret = sm_json_get_string (made, "secret_access_key");
  secret_line = g_strconcat (secret, "\n", NULL);

  /* Nothing set up yet. */
  status = sm_test_cli (p, NULL, &out, &err, "bucket", "show", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "so-me bucket set"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A wrong secret: refused with S3's reason, nothing saved. */
  status = sm_test_cli (p, "not-the-secret\n", &out, &err, "bucket", "set",
                        "--endpoint", "https://s3.eu-west-1.amazonaws.com", "--region", "eu-west-1",
                        "--bucket", bucket, "--access-key-id", key_id, NULL);
  g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "SignatureDoesNotMatch"));
  g_assert_nonnull (strstr (err, "nothing was saved"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sm_test_cli (p, NULL, &out, &err, "bucket", "show", NULL);
  g_assert_cmpint (status, ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The right one, on standard input; AWS's endpoint names the region. */
  status = sm_test_cli (p, secret_line, &out, &err, "bucket", "set",
                        "--endpoint", "https://s3.eu-west-1.amazonaws.com",
                        "--bucket", bucket, "--access-key-id", key_id, NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, secret));
  g_assert_null (strstr (err, secret));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The check really went to the bucket: one object, fetched, deleted. */
  objects = sm_test_sandbox_get (p, "/__sandbox/s3/objects");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (objects)), ==, 1);
  g_assert_cmpint (sm_json_get_int (objects, "0.fetches"), ==, 1);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (json_node_get_array (objects), 0),
                                                 "deleted"));

  /* In the keyring, whole; on disk, nowhere. */
  profile_dir = g_build_filename (p->data_home, "so-me-studio", NULL);
  saved = sm_token_store_load_bucket (profile_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (saved);
  g_assert_cmpstr (saved->secret_access_key, ==, secret);
  g_assert_cmpstr (saved->bucket, ==, bucket);
  g_assert_cmpstr (saved->endpoint, ==, "https://s3.eu-west-1.amazonaws.com");
  g_assert_cmpstr (saved->region, ==, "eu-west-1");
  g_assert_cmpint (saved->addressing, ==, SM_S3_ADDRESSING_AUTO);
  g_assert_false (tree_contains (p->dir, secret));

  /* show: everything but the secret. */
  status = sm_test_cli (p, NULL, &out, &err, "bucket", "show", NULL);
  g_assert_cmpint (status, ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, bucket));
  g_assert_nonnull (strstr (out, key_id));
  g_assert_nonnull (strstr (out, "virtual-hosted"));
  g_assert_null (strstr (out, secret));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sm_test_cli (p, NULL, &out, &err, "bucket", "show", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, secret));
  g_assert_nonnull (strstr (out, "\"secret_access_key_saved\" : true"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = sm_test_cli (p, NULL, &out, &err, "bucket", "test", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The secret never on the command line: an argument is refused. */
  status = sm_test_cli (p, NULL, &out, &err, "bucket", "set", "--secret-access-key", secret, NULL);
  g_assert_cmpint (status, ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = sm_test_cli (p, NULL, &out, &err, "bucket", "clear", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&saved, sm_s3_config_free);
  saved = sm_token_store_load_bucket (profile_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (saved);
}

/* A JPEG made at run time. */
static char *
make_jpeg (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "photo.jpg", NULL);
  g_autofree char *sink = g_strdup_printf ("location=%s", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) gst = NULL;

  gst = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "gst-launch-1.0", "-q", "-e",
                          "videotestsrc", "num-buffers=1", "!", "video/x-raw,width=640,height=640",
                          "!", "jpegenc", "!", "filesink", sink, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (gst, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_cli_post_needs_bucket (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autofree char *photo = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonNode) made = NULL;
  g_autofree char *secret_line = NULL;
  char *out = NULL, *err = NULL;
  gint64 account;
  int status;

  if (!have_installed_programs ())
    return;
  p = sm_test_profile_new ();
  account = sm_test_connect (p, "threads");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);
  photo = make_jpeg (p->dir);

  /* A photo to Threads without a bucket: refused before anything is saved. */
  status = sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                        "--media", photo, "A photo", NULL);
  g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "Threads fetches photos and videos from a web address"));
  g_assert_nonnull (strstr (err, "so-me bucket set"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sm_test_cli (p, NULL, &out, &err, "list", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, "A photo"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Instagram takes images only by URL too; both are named.  (The account
   * is put in the store directly: posting is refused before any network
   * is asked.) */
  {
    g_autofree char *dir = g_build_filename (p->data_home, "so-me-studio", NULL);
    g_autoptr(SmStore) store = sm_store_open (dir, NULL);
    g_autofree char *zone = NULL;
    g_autofree char *ig_id = NULL;
    gint64 workspace = sm_store_get_default_workspace (store, &zone, NULL);
    gint64 ig = sm_store_upsert_account (store, workspace, SM_NETWORK_INSTAGRAM, "17841400000000001",
                                         "Ada", "@ada", NULL);

    g_assert_cmpint (ig, >, 0);
    ig_id = g_strdup_printf ("%" G_GINT64_FORMAT, ig);
    status = sm_test_cli (p, NULL, &out, &err, "post", "--to", ig_id, "--to", id, "--at", "now",
                          "--media", photo, "A photo", NULL);
    g_test_message ("%s", err);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "Instagram and Threads fetch photos and videos from a web address"));
    g_assert_nonnull (strstr (err, "so-me bucket set"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Text alone needs no bucket. */
  status = sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--draft", "Words only", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* With a bucket, the photo gets past that check. */
  made = sm_test_sandbox_call (p, "/__sandbox/s3/buckets", "{\"bucket\":\"threads-media\",\"region\":\"us-east-1\"}", 201);
  secret_line = g_strconcat (sm_json_get_string (made, "secret_access_key"), "\n", NULL);
  /* Another endpoint does not say its region. */
  status = sm_test_cli (p, secret_line, &out, &err, "bucket", "set",
                        "--endpoint", "https://s3.sandbox.test", "--bucket", "threads-media",
                        "--access-key-id", sm_json_get_string (made, "access_key_id"), NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "--region"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sm_test_cli (p, secret_line, &out, &err, "bucket", "set",
                        "--endpoint", "https://s3.sandbox.test", "--region", "us-east-1",
                        "--bucket", "threads-media",
                        "--access-key-id", sm_json_get_string (made, "access_key_id"), NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--draft",
                        "--media", photo, "A photo", NULL);
  g_test_message ("%s", err);
  g_assert_null (strstr (err, "so-me bucket set"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
}

typedef struct
{
  SmTestProfile *profile;
  gint64         post_id;
} FailWait;

static gboolean
target_failed (gpointer data)
{
  FailWait *w = data;
  g_autofree char *states = sm_test_target_states (w->profile, w->post_id);

  return g_strcmp0 (states, "failed") == 0;
}

/* A photo for Threads that reached the publisher with no bucket set up
 * (saved before the bucket was cleared, say) fails with what to do. */
static void
test_publisher_needs_bucket (void)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autofree char *photo = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *id = NULL;
  g_autofree char *zone = NULL;
  char *out = NULL, *err = NULL;
  SmTargetSpec target = { 0 };
  SmPostMedia media = { 0 };
  FailWait w = { 0 };
  const char *message;
  gsize len;

  if (!have_installed_programs ())
    return;
  p = sm_test_profile_new ();
  sm_test_profile_activate (p);
  target.account_id = sm_test_connect (p, "threads");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, target.account_id);
  photo = make_jpeg (p->dir);
  g_assert_true (g_file_get_contents (photo, &contents, &len, NULL));
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);

  dir = g_build_filename (p->data_home, "so-me-studio", NULL);
  store = sm_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sm_store_get_default_workspace (store, &zone, &error), >, 0);
  media.path = photo;
  media.size_bytes = (gint64) len;
  media.sha256 = sha256;
  media.mime_type = (char *) "image/jpeg";
  w.profile = p;
  w.post_id = sm_store_create_post_full (store, "A photo", g_get_real_time (), zone, &target, 1,
                                         &media, 1, options, FALSE, &error);
  g_assert_no_error (error);

  /* Any CLI post wakes the publisher, which claims every due target. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "Wake up", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (sm_test_wait_for (target_failed, &w, 30));

  status = sm_test_status (p, w.post_id);
  message = sm_json_get_string (status, "targets.0.error");
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "Threads fetches photos and videos from a web address"));
  g_assert_nonnull (strstr (message, "so-me bucket set"));
  sm_test_stop_publisher (SIGTERM);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  sbx.dir = g_dir_make_tmp ("test-bucket-XXXXXX", NULL);
  g_assert_nonnull (sbx.dir);
  sm_test_net_run_in_thread (TRUE);

  g_test_add_func ("/bucket/virtual-hosted", test_virtual_hosted);
  g_test_add_func ("/bucket/path-style", test_path_style);
  g_test_add_func ("/bucket/check", test_check);
  g_test_add_func ("/bucket/expiry", test_expiry);
  g_test_add_func ("/bucket/errors", test_errors);
  g_test_add_func ("/bucket/server-error", test_server_error);
  g_test_add_func ("/bucket/sandbox-strict", test_sandbox_strict);
  g_test_add_func ("/bucket/lost-answer", test_lost_answer);
  g_test_add_func ("/bucket/large-file-streamed", test_large_file_streamed);
  g_test_add_func ("/bucket/needs-bucket", test_needs_bucket);
  g_test_add_func ("/bucket/cli", test_cli_bucket);
  g_test_add_func ("/bucket/cli-post-needs-bucket", test_cli_post_needs_bucket);
  g_test_add_func ("/bucket/publisher-needs-bucket", test_publisher_needs_bucket);

  status = g_test_run ();

  sm_test_net_stop ();
  g_rmdir (sbx.dir);
  g_free (sbx.dir);
  return status;
}
