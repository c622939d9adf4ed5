/* test-sigv4.c — Signature V4 (sm-sigv4.c) and S3 addresses (sm-s3.c)
 * against AWS's published examples and against botocore, byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/sigv4-reference.py runs botocore's S3SigV4Auth and S3's
 * generate_presigned_url on the same inputs with its clock fixed; the
 * Authorization headers and presigned URLs must be equal.  Each case is
 * also signed again with one input changed (the secret, the time, the key),
 * which must not match, so a signer that ignored an input would fail.
 */
#define G_LOG_DOMAIN "test-sigv4"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "sm-http.h"
#include "sm-s3.h"
#include "sm-sigv4.h"

#define TIME_2013_05_24 G_GINT64_CONSTANT (1369353600)   /* 20130524T000000Z */
#define TIME_FIXED      G_GINT64_CONSTANT (1700000000)   /* 20231114T221320Z */

#define ACCESS_KEY "AKIAIOSFODNN7EXAMPLE"
#define SECRET     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* Keys a user's files could have, and what S3 makes of them. */
static const char * const test_keys[] = {
  "so-me-studio/0123456789abcdef0123456789abcdef/photo.jpg",
  "so-me-studio/abc/Summer holiday (1).jpg",
  "so-me-studio/abc/été à Zürich — 日本.png",
  "so-me-studio/abc/a+b=c&d~e.jpeg",
  "so-me-studio/abc/100%_real;#?x.mp4",
  "nested/deeper/still/..x/file",
  NULL,
};

/* ---- AWS's own examples ------------------------------------------------ */

static void
test_uri_encode (void)
{
  g_autofree char *a = sm_sigv4_uri_encode ("a b/c+d~e_f.g-h", TRUE);
  g_autofree char *b = sm_sigv4_uri_encode ("a b/c+d~e_f.g-h", FALSE);
  g_autofree char *c = sm_sigv4_uri_encode ("ü*", FALSE);

  g_assert_cmpstr (a, ==, "a%20b/c%2Bd~e_f.g-h");
  g_assert_cmpstr (b, ==, "a%20b%2Fc%2Bd~e_f.g-h");
  g_assert_cmpstr (c, ==, "%C3%BC%2A");
}

/* "Example: GET Object" in the S3 API reference, sig-v4-header-based-auth. */
static void
test_aws_header_example (void)
{
  const SmSigV4Credentials creds = { ACCESS_KEY, SECRET, "us-east-1", "s3" };
  const char * const headers[] = { "Range", "bytes=0-9", NULL };
  g_autofree char *auth = NULL;
  g_autoptr(GError) error = NULL;

  auth = sm_sigv4_authorization (&creds, "GET", "https://examplebucket.s3.amazonaws.com/test.txt",
                                 headers, SM_SIGV4_EMPTY_SHA256, TIME_2013_05_24, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (auth, ==,
                   "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                   "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                   "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

/* "Example: ... presigned URL" in sigv4-query-string-auth. */
static void
test_aws_presign_example (void)
{
  const SmSigV4Credentials creds = { ACCESS_KEY, SECRET, "us-east-1", "s3" };
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  url = sm_sigv4_presign (&creds, "GET", "https://examplebucket.s3.amazonaws.com/test.txt",
                          86400, TIME_2013_05_24, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==,
                   "https://examplebucket.s3.amazonaws.com/test.txt"
                   "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                   "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                   "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                   "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");

  /* S3 takes a week at most. */
  g_clear_pointer (&url, g_free);
  url = sm_sigv4_presign (&creds, "GET", "https://examplebucket.s3.amazonaws.com/test.txt",
                          SM_SIGV4_MAX_EXPIRES + 1, TIME_2013_05_24, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (url);
  g_clear_error (&error);

  url = sm_sigv4_presign (&creds, "GET", "http://examplebucket.s3.amazonaws.com/test.txt",
                          60, TIME_2013_05_24, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (url);
}

/* ---- botocore ------------------------------------------------------------ */

static char *
python_program (void)
{
  const char *env = g_getenv ("SM_PYTHON3");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  /* Debian's python3 is the one python3-botocore is for; a python3 earlier
   * in PATH (a virtualenv) may lack it. */
  if (g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup ("/usr/bin/python3");
  return g_strdup ("python3");
}

/* Runs the reference script on @cases; its answers, one per case. */
static JsonArray *
run_reference (JsonArray *cases)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *input = NULL;
  g_autofree char *script = NULL;
  g_autofree char *python = python_program ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *answers;

  json_node_set_array (root, cases);
  input = json_to_string (root, FALSE);
  script = g_build_filename (g_getenv ("SM_SOURCE_DIR"), "tests", "sigv4-reference.py", NULL);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, python, script, NULL);
  g_assert_no_error (error);
  in = g_bytes_new (input, strlen (input));
  g_subprocess_communicate (proc, in, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("%s %s failed (botocore missing? tools/install-deps installs python3-botocore):\n%.*s",
             python, script, (int) g_bytes_get_size (err), (const char *) g_bytes_get_data (err, NULL));

  json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out), &error);
  g_assert_no_error (error);
  answers = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (answers));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (answers)), ==,
                    json_array_get_length (cases));
  return json_array_ref (json_node_get_array (answers));
}

typedef struct
{
  const char *method;
  const char *endpoint;       /* with the bucket for path-style */
  const char *key;
  const char *query[5];       /* name, value pairs (raw) */
  const char *content_type;   /* NULL: not sent */
  const char *body;           /* NULL: UNSIGNED-PAYLOAD */
  const char *region;
} HeaderCase;

static const HeaderCase header_cases[] = {
  { "PUT", "https://s3.amazonaws.com/my-bucket", NULL, { NULL }, "image/jpeg", NULL, "us-east-1" },
  { "PUT", "https://s3.eu-west-1.amazonaws.com/media.example", NULL, { NULL }, "video/mp4", "some bytes", "eu-west-1" },
  { "DELETE", "https://bucket.s3.ap-southeast-2.amazonaws.com", NULL, { NULL }, NULL, "", "ap-southeast-2" },
  { "GET", "https://minio.example.org:9000/photos", NULL,
    { "response-content-type", "image/png; q=1", "list-type", "2", NULL }, NULL, "", "us-east-1" },
  { "GET", "https://garage.example.net/b", NULL,
    { "prefix", "so-me studio/ü+~", "delimiter", "/", NULL }, NULL, "", "garage" },
};

/* The URL the C side signs: the key and query encoded by sm_sigv4. */
static char *
case_url (const HeaderCase *c,
          const char       *key)
{
  g_autofree char *path = sm_sigv4_uri_encode (key, TRUE);
  GString *url = g_string_new (c->endpoint);

  g_string_append_printf (url, "/%s", path);
  for (guint i = 0; c->query[i] != NULL; i += 2)
    {
      g_autofree char *name = sm_sigv4_uri_encode (c->query[i], FALSE);
      g_autofree char *value = sm_sigv4_uri_encode (c->query[i + 1], FALSE);

      g_string_append_printf (url, "%c%s=%s", i == 0 ? '?' : '&', name, value);
    }
  return g_string_free (url, FALSE);
}

static char *
case_payload (const HeaderCase *c)
{
  if (c->body == NULL)
    return g_strdup (SM_SIGV4_UNSIGNED_PAYLOAD);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, c->body, -1);
}

static char *
sign_case (const HeaderCase *c,
           const char       *key,
           const char       *secret,
           gint64            when)
{
  const SmSigV4Credentials creds = { ACCESS_KEY, secret, c->region, "s3" };
  const char * const headers[] = { "Content-Type", c->content_type, NULL };
  g_autofree char *url = case_url (c, key);
  g_autofree char *payload = case_payload (c);
  g_autoptr(GError) error = NULL;
  char *auth;

  auth = sm_sigv4_authorization (&creds, c->method, url,
                                 c->content_type != NULL ? headers : NULL,
                                 payload, when, &error);
  g_assert_no_error (error);
  return auth;
}

static JsonObject *
header_case_json (const HeaderCase *c,
                  const char       *key)
{
  JsonObject *o = json_object_new ();
  JsonObject *headers = json_object_new ();
  JsonArray *query = json_array_new ();

  json_object_set_string_member (o, "kind", "header");
  json_object_set_string_member (o, "method", c->method);
  json_object_set_string_member (o, "endpoint", c->endpoint);
  json_object_set_string_member (o, "key", key);
  for (guint i = 0; c->query[i] != NULL; i += 2)
    {
      JsonArray *pair = json_array_new ();

      json_array_add_string_element (pair, c->query[i]);
      json_array_add_string_element (pair, c->query[i + 1]);
      json_array_add_array_element (query, pair);
    }
  json_object_set_array_member (o, "query", query);
  if (c->content_type != NULL)
    json_object_set_string_member (headers, "Content-Type", c->content_type);
  json_object_set_object_member (o, "headers", headers);
  if (c->body == NULL)
    {
      json_object_set_string_member (o, "payload", SM_SIGV4_UNSIGNED_PAYLOAD);
      json_object_set_null_member (o, "body");
    }
  else
    {
      json_object_set_null_member (o, "payload");
      json_object_set_string_member (o, "body", c->body);
    }
  json_object_set_int_member (o, "time", TIME_FIXED);
  json_object_set_string_member (o, "access_key_id", ACCESS_KEY);
  json_object_set_string_member (o, "secret", SECRET);
  json_object_set_string_member (o, "region", c->region);
  return o;
}

static void
test_botocore_headers (void)
{
  g_autoptr(JsonArray) cases = json_array_new ();
  g_autoptr(JsonArray) answers = NULL;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (header_cases); i++)
    for (guint k = 0; test_keys[k] != NULL; k++)
      json_array_add_object_element (cases, header_case_json (&header_cases[i], test_keys[k]));

  answers = run_reference (cases);

  for (guint i = 0; i < G_N_ELEMENTS (header_cases); i++)
    for (guint k = 0; test_keys[k] != NULL; k++, n++)
      {
        const HeaderCase *c = &header_cases[i];
        JsonObject *answer = json_array_get_object_element (answers, n);
        g_autofree char *url = case_url (c, test_keys[k]);
        g_autofree char *payload = case_payload (c);
        g_autofree char *amz_date = sm_sigv4_amz_date (TIME_FIXED);
        g_autofree char *auth = sign_case (c, test_keys[k], SECRET, TIME_FIXED);
        g_autofree char *wrong_secret = sign_case (c, test_keys[k], ACCESS_KEY, TIME_FIXED);
        g_autofree char *wrong_time = sign_case (c, test_keys[k], SECRET, TIME_FIXED + 1);
        g_autofree char *wrong_key = sign_case (c, test_keys[k == 0 ? 1 : 0], SECRET, TIME_FIXED);

        g_test_message ("%s %s", c->method, url);
        g_assert_cmpstr (url, ==, json_object_get_string_member (answer, "url"));
        g_assert_cmpstr (amz_date, ==, json_object_get_string_member (answer, "x-amz-date"));
        g_assert_cmpstr (payload, ==, json_object_get_string_member (answer, "x-amz-content-sha256"));
        g_assert_cmpstr (auth, ==, json_object_get_string_member (answer, "authorization"));

        /* One input changed: the signature must change with it. */
        g_assert_cmpstr (wrong_secret, !=, auth);
        g_assert_cmpstr (wrong_time, !=, auth);
        g_assert_cmpstr (wrong_key, !=, auth);
      }
}

typedef struct
{
  const char     *endpoint;
  const char     *region;
  const char     *bucket;
  SmS3Addressing  addressing;
  guint           expires;
} PresignCase;

static const PresignCase presign_cases[] = {
  { "https://s3.eu-west-1.amazonaws.com", "eu-west-1", "my-photos", SM_S3_ADDRESSING_AUTO, 3600 },
  { "https://s3.amazonaws.com", "us-east-1", "media.example.com", SM_S3_ADDRESSING_AUTO, 604800 },
  { "https://s3.us-west-2.amazonaws.com", "us-west-2", "abc", SM_S3_ADDRESSING_PATH, 1 },
  { "https://minio.example.org:9000", "us-east-1", "so-me", SM_S3_ADDRESSING_AUTO, 900 },
  { "https://storage.example.net/", "auto", "bucket-1", SM_S3_ADDRESSING_VIRTUAL, 86400 },
};

static void
test_botocore_presign (void)
{
  g_autoptr(JsonArray) cases = json_array_new ();
  g_autoptr(JsonArray) answers = NULL;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (presign_cases); i++)
    for (guint k = 0; test_keys[k] != NULL; k++)
      {
        const PresignCase *c = &presign_cases[i];
        g_autoptr(SmS3Config) config = sm_s3_config_new (c->endpoint, c->region, c->bucket,
                                                         ACCESS_KEY, SECRET, c->addressing);
        JsonObject *o = json_object_new ();

        json_object_set_string_member (o, "kind", "presign");
        json_object_set_string_member (o, "endpoint", config->endpoint);
        json_object_set_string_member (o, "bucket", c->bucket);
        json_object_set_string_member (o, "key", test_keys[k]);
        json_object_set_string_member (o, "addressing",
                                       sm_s3_config_get_addressing (config) == SM_S3_ADDRESSING_VIRTUAL ?
                                       "virtual" : "path");
        json_object_set_int_member (o, "expires", c->expires);
        json_object_set_int_member (o, "time", TIME_FIXED);
        json_object_set_string_member (o, "access_key_id", ACCESS_KEY);
        json_object_set_string_member (o, "secret", SECRET);
        json_object_set_string_member (o, "region", c->region);
        json_array_add_object_element (cases, o);
      }

  answers = run_reference (cases);

  for (guint i = 0; i < G_N_ELEMENTS (presign_cases); i++)
    for (guint k = 0; test_keys[k] != NULL; k++, n++)
      {
        const PresignCase *c = &presign_cases[i];
        g_autoptr(SmS3Config) config = sm_s3_config_new (c->endpoint, c->region, c->bucket,
                                                         ACCESS_KEY, SECRET, c->addressing);
        g_autoptr(SmS3Config) other = sm_s3_config_copy (config);
        JsonObject *answer = json_array_get_object_element (answers, n);
        g_autoptr(GError) error = NULL;
        g_autofree char *url = sm_s3_presign_get (config, test_keys[k], c->expires, TIME_FIXED, &error);
        g_autofree char *later = NULL;
        g_autofree char *wrong = NULL;

        g_assert_no_error (error);
        g_test_message ("%s", url);
        g_assert_cmpstr (url, ==, json_object_get_string_member (answer, "url"));

        later = sm_s3_presign_get (config, test_keys[k], c->expires, TIME_FIXED + 1, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (later, !=, url);
        g_free (other->secret_access_key);
        other->secret_access_key = g_strdup ("not the secret");
        wrong = sm_s3_presign_get (other, test_keys[k], c->expires, TIME_FIXED, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (wrong, !=, url);
      }
}

/* ---- on the wire ----------------------------------------------------------- */

typedef struct
{
  GSocketListener *listener;
  char            *head;     /* the request line and headers as received */
} Wire;

/* Accepts one connection, keeps what came before the body, answers 200. */
static gpointer
wire_thread (gpointer data)
{
  Wire *wire = data;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  GInputStream *in;
  char buf[4096];

  conn = g_socket_listener_accept (wire->listener, NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  while (strstr (head->str, "\r\n\r\n") == NULL)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (head, buf, n);
    }
  g_string_truncate (head, strstr (head->str, "\r\n\r\n") - head->str);
  /* Expect: 100-continue is answered with the final status at once. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), answer,
                             strlen (answer), NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  wire->head = g_string_free (g_steal_pointer (&head), FALSE);
  return NULL;
}

static const char *
head_header (char       **lines,
             const char  *name)
{
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL && (gsize) (colon - lines[i]) == strlen (name) &&
          g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0)
        return colon + 1 + strspn (colon + 1, " ");
    }
  return NULL;
}

/* What libsoup really sends for a PUT of sm-s3 (path as written, the
 * headers after libsoup added its own), signed again by botocore from the
 * wire: the Authorization must be the same. */
static void
test_botocore_wire (void)
{
  g_autoptr(SmS3Config) config = sm_s3_config_new ("https://s3.eu-west-1.amazonaws.com", "eu-west-1",
                                                   "photos", ACCESS_KEY, SECRET, SM_S3_ADDRESSING_AUTO);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GBytes) body = g_bytes_new_static ("a small body", 12);
  g_autoptr(JsonArray) cases = json_array_new ();
  g_autoptr(JsonArray) answers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) request_line = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  Wire wire = { g_socket_listener_new (), NULL };
  const char *key = "so-me-studio/0123/Summer 100% été;#?x=y&z ~+.jpg";
  const char *amz_date, *rest;
  JsonObject *o, *headers;
  GThread *thread;
  gint64 when;

  g_socket_listener_add_address (wire.listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  base = g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_setenv (SM_NETWORK_BASE_ENV, base, TRUE);
  thread = g_thread_new ("wire", wire_thread, &wire);

  g_assert_true (sm_s3_put_bytes (config, session, key, body, "image/jpeg", NULL, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_unsetenv (SM_NETWORK_BASE_ENV);
  g_object_unref (wire.listener);

  g_test_message ("%s", wire.head);
  lines = g_strsplit (wire.head, "\r\n", -1);
  request_line = g_strsplit (lines[0], " ", 3);
  g_assert_cmpstr (request_line[0], ==, "PUT");
  /* "/HOST/PATH": the real URL is https://HOST/PATH, byte for byte. */
  rest = request_line[1] + 1;
  url = g_strconcat ("https://", rest, NULL);
  g_assert_true (g_str_has_prefix (url, "https://photos.s3.eu-west-1.amazonaws.com/so-me-studio/0123/"));
  amz_date = head_header (lines, "X-Amz-Date");
  g_assert_nonnull (amz_date);
  {
    int y, mo, d, h, mi, sec;
    g_autoptr(GDateTime) t = NULL;

    g_assert_cmpint (sscanf (amz_date, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &sec), ==, 6);
    t = g_date_time_new_utc (y, mo, d, h, mi, sec);
    when = g_date_time_to_unix (t);
  }

  o = json_object_new ();
  headers = json_object_new ();
  json_object_set_string_member (o, "kind", "header");
  json_object_set_string_member (o, "method", "PUT");
  json_object_set_string_member (o, "url", url);
  json_object_set_string_member (headers, "Content-Type", head_header (lines, "Content-Type"));
  json_object_set_object_member (o, "headers", headers);
  json_object_set_null_member (o, "payload");
  json_object_set_string_member (o, "body", "a small body");
  json_object_set_int_member (o, "time", when);
  json_object_set_string_member (o, "access_key_id", ACCESS_KEY);
  json_object_set_string_member (o, "secret", SECRET);
  json_object_set_string_member (o, "region", "eu-west-1");
  json_array_add_object_element (cases, o);
  answers = run_reference (cases);

  o = json_array_get_object_element (answers, 0);
  g_assert_cmpstr (head_header (lines, "X-Amz-Content-SHA256"), ==,
                   json_object_get_string_member (o, "x-amz-content-sha256"));
  g_assert_cmpstr (head_header (lines, "Authorization"), ==,
                   json_object_get_string_member (o, "authorization"));
  g_free (wire.head);
}

/* ---- addressing ---------------------------------------------------------- */

static void
test_addressing (void)
{
  g_autoptr(SmS3Config) aws = sm_s3_config_new ("https://s3.eu-west-1.amazonaws.com/", "eu-west-1",
                                                "photos", "A", "S", SM_S3_ADDRESSING_AUTO);
  g_autoptr(SmS3Config) dotted = sm_s3_config_new ("https://s3.eu-west-1.amazonaws.com", "eu-west-1",
                                                   "media.example.com", "A", "S", SM_S3_ADDRESSING_AUTO);
  g_autoptr(SmS3Config) minio = sm_s3_config_new ("https://minio.local:9000", "us-east-1",
                                                  "photos", "A", "S", SM_S3_ADDRESSING_AUTO);
  g_autofree char *a = sm_s3_object_url (aws, "k/a b.jpg");
  g_autofree char *b = sm_s3_object_url (dotted, "k");
  g_autofree char *c = sm_s3_object_url (minio, "k");
  g_autofree char *key = sm_s3_new_key ("/home/me/Pictures/Summer 1.jpg");
  g_autofree char *key2 = sm_s3_new_key ("/home/me/Pictures/Summer 1.jpg");
  g_autoptr(SmS3Config) bad = sm_s3_config_new ("http://minio.local", "us-east-1", "photos", "A", "S",
                                                SM_S3_ADDRESSING_AUTO);
  g_autoptr(SmS3Config) bad_bucket = sm_s3_config_new ("https://minio.local", "us-east-1", "Photos",
                                                       "A", "S", SM_S3_ADDRESSING_AUTO);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (a, ==, "https://photos.s3.eu-west-1.amazonaws.com/k/a%20b.jpg");
  g_assert_cmpstr (b, ==, "https://s3.eu-west-1.amazonaws.com/media.example.com/k");
  g_assert_cmpstr (c, ==, "https://minio.local:9000/photos/k");

  g_assert_true (g_str_has_prefix (key, SM_S3_KEY_PREFIX));
  g_assert_true (g_str_has_suffix (key, "/Summer 1.jpg"));
  g_assert_cmpuint (strlen (key), ==, strlen (SM_S3_KEY_PREFIX) + 32 + strlen ("/Summer 1.jpg"));
  g_assert_cmpstr (key, !=, key2);

  g_assert_true (sm_s3_config_validate (aws, &error));
  g_assert_no_error (error);
  g_assert_false (sm_s3_config_validate (bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (sm_s3_config_validate (bad_bucket, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sigv4/uri-encode", test_uri_encode);
  g_test_add_func ("/sigv4/aws-header-example", test_aws_header_example);
  g_test_add_func ("/sigv4/aws-presign-example", test_aws_presign_example);
  g_test_add_func ("/sigv4/botocore-headers", test_botocore_headers);
  g_test_add_func ("/sigv4/botocore-presign", test_botocore_presign);
  g_test_add_func ("/sigv4/botocore-wire", test_botocore_wire);
  g_test_add_func ("/s3/addressing", test_addressing);

  return g_test_run ();
}
