/* sm-sandbox-s3.c — S3 in the sandbox: the user's bucket for media that
 * Instagram and Threads fetch by URL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Buckets and their credentials are made by a hook (POST
 * /__sandbox/s3/buckets); each bucket has its own access key.  Served:
 *   path-style      https://s3.amazonaws.com/BUCKET/KEY,
 *                   https://s3.REGION.amazonaws.com/BUCKET/KEY,
 *                   https://s3.sandbox.test/BUCKET/KEY (a "custom endpoint")
 *   virtual-hosted  https://BUCKET.s3.REGION.amazonaws.com/KEY,
 *                   https://BUCKET.s3.amazonaws.com/KEY,
 *                   https://BUCKET.s3.sandbox.test/KEY
 * PUT (streamed to an unlinked temporary file, hashed as it arrives, so
 * nothing is left behind however the sandbox ends), GET and HEAD
 * (header-signed or presigned), DELETE.  Every request is checked with
 * Signature V4 computed here from what arrived (the real host from the path
 * prefix, the raw path and query), independently of the client's signer:
 * access key, region, service, date skew (15 minutes), presigned expiry
 * (at most 604800 s), signed x-amz-* headers, the payload hash when one is
 * claimed.  Errors are S3's XML <Error> with its codes and messages.
 */
#define G_LOG_DOMAIN "sm-sandbox-s3"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sm-sandbox-private.h"

#define S3_GENERIC_HOST   "s3.sandbox.test"
#define S3_MAX_SKEW_S     (15 * 60)
#define S3_MAX_EXPIRES    604800
#define S3_MAX_PUT_BYTES  (G_GUINT64_CONSTANT (5) * 1024 * 1024 * 1024)
#define UNSIGNED_PAYLOAD  "UNSIGNED-PAYLOAD"

typedef struct
{
  char *name;
  char *region;
  char *access_key_id;
  char *secret;
} S3Bucket;

typedef struct
{
  char     *bucket;
  char     *key;
  int       fd;            /* unlinked temporary file holding the bytes; -1 once deleted */
  char     *content_type;
  char     *sha256;
  char     *etag;
  guint64   bytes;
  guint     fetches;
  gboolean  deleted;
} S3Object;

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *buckets;      /* name → S3Bucket */
  GHashTable *by_key_id;    /* access key id → S3Bucket (borrowed) */
  GHashTable *regions;      /* regions whose path-style host is routed */
  GPtrArray  *objects;      /* S3Object, in creation order, deleted ones too */
  GHashTable *live;         /* "bucket/key" → S3Object (borrowed) */
} S3State;

/* An S3 error, to answer once the body is in. */
typedef struct
{
  guint  status;
  char  *code;
  char  *message;
  char  *extra;            /* more XML elements, already escaped */
} S3Error;

typedef struct
{
  S3State   *state;
  S3Error    error;
  char      *bucket;
  char      *key;
  char      *content_type;
  char      *claimed_sha256;   /* NULL for UNSIGNED-PAYLOAD */
  int        fd;
  GChecksum *sha256;
  GChecksum *md5;
  guint64    bytes;
  gboolean   write_failed;
} PutSink;

/* ---- helpers -------------------------------------------------------------- */

static void
bucket_free (S3Bucket *bucket)
{
  g_free (bucket->name);
  g_free (bucket->region);
  g_free (bucket->access_key_id);
  g_free (bucket->secret);
  g_free (bucket);
}

static void
object_drop_file (S3Object *object)
{
  if (object->fd >= 0)
    {
      close (object->fd);
      object->fd = -1;
    }
}

static void
object_free (S3Object *object)
{
  object_drop_file (object);
  g_free (object->bucket);
  g_free (object->key);
  g_free (object->content_type);
  g_free (object->sha256);
  g_free (object->etag);
  g_free (object);
}

static void
s3_error_clear (S3Error *error)
{
  g_clear_pointer (&error->code, g_free);
  g_clear_pointer (&error->message, g_free);
  g_clear_pointer (&error->extra, g_free);
}

static gboolean
s3_error_set (S3Error    *error,
              guint       status,
              const char *code,
              const char *message,
              const char *extra)
{
  s3_error_clear (error);
  error->status = status;
  error->code = g_strdup (code);
  error->message = g_strdup (message);
  error->extra = g_strdup (extra);
  return FALSE;
}

static void
respond_error (SmSandboxRequest *req,
               const S3Error    *error)
{
  g_autofree char *message = g_markup_escape_text (error->message, -1);
  g_autofree char *request_id = _sm_sandbox_random_string ("");
  char *xml;

  request_id[16] = '\0';
  xml = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<Error><Code>%s</Code><Message>%s</Message>%s"
                         "<RequestId>%s</RequestId><HostId>sandbox</HostId></Error>",
                         error->code, message, error->extra != NULL ? error->extra : "",
                         request_id);
  soup_server_message_set_status (req->msg, error->status, NULL);
  soup_server_message_set_response (req->msg, "application/xml", SOUP_MEMORY_TAKE, xml, strlen (xml));
}

static void
respond_error_now (SmSandboxRequest *req,
                   guint             status,
                   const char       *code,
                   const char       *message)
{
  S3Error error = { status, (char *) code, (char *) message, NULL };

  respond_error (req, &error);
}

static char *
xml_element (const char *name,
             const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return g_strdup_printf ("<%s>%s</%s>", name, escaped, name);
}

/* SigV4's encoding: unreserved kept, '/' kept when @keep_slash. */
static char *
encode (const char *text,
        gboolean    keep_slash)
{
  GString *out = g_string_new (NULL);

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("-_.~", *p) != NULL || (keep_slash && *p == '/'))
        g_string_append_c (out, (char) *p);
      else
        g_string_append_printf (out, "%%%02X", *p);
    }
  return g_string_free (out, FALSE);
}

static char *
hmac_hex (const guint8 *key,
          gsize         key_len,
          const char   *data,
          guint8       *raw_out)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  gsize len = 32;

  g_hmac_update (hmac, (const guchar *) data, -1);
  if (raw_out != NULL)
    {
      g_hmac_get_digest (hmac, raw_out, &len);
      return NULL;
    }
  return g_strdup (g_hmac_get_string (hmac));
}

static char *
signature_of (const S3Bucket *bucket,
              const char     *date8,
              const char     *string_to_sign)
{
  g_autofree char *secret = g_strconcat ("AWS4", bucket->secret, NULL);
  guint8 k1[32], k2[32], k3[32], k4[32];

  hmac_hex ((const guint8 *) secret, strlen (secret), date8, k1);
  hmac_hex (k1, 32, bucket->region, k2);
  hmac_hex (k2, 32, "s3", k3);
  hmac_hex (k3, 32, "aws4_request", k4);
  return hmac_hex (k4, 32, string_to_sign, NULL);
}

/* Constant-time comparison of two hex signatures. */
static gboolean
same_signature (const char *a,
                const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < MIN (la, lb); i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

/* "20130524T000000Z" → unix seconds, or -1. */
static gint64
parse_amz_date (const char *text)
{
  int y, mo, d, h, mi, s;
  g_autoptr(GDateTime) when = NULL;

  if (text == NULL || strlen (text) != 16 || text[8] != 'T' || text[15] != 'Z' ||
      sscanf (text, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &s) != 6)
    return -1;
  when = g_date_time_new_utc (y, mo, d, h, mi, s);
  return when != NULL ? g_date_time_to_unix (when) : -1;
}

/* ---- addressing -------------------------------------------------------- */

typedef struct
{
  char *bucket;
  char *key;           /* decoded; "" for the bucket itself */
  char *raw_path;      /* the canonical URI: the path after the host, encoded */
  char *host_region;   /* the region the host names, NULL when any */
} Target;

static void
target_clear (Target *target)
{
  g_free (target->bucket);
  g_free (target->key);
  g_free (target->raw_path);
  g_free (target->host_region);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Target, target_clear)

/* The region in "s3.REGION.amazonaws.com" (or NULL for "s3.amazonaws.com"
 * and the generic host). */
static char *
region_of_host (const char *s3_host)
{
  const char *end;

  if (!g_str_has_prefix (s3_host, "s3.") || !g_str_has_suffix (s3_host, ".amazonaws.com"))
    return NULL;
  end = s3_host + strlen (s3_host) - strlen (".amazonaws.com");
  if (end <= s3_host + 3)
    return NULL;
  return g_strndup (s3_host + 3, end - (s3_host + 3));
}

static void
target_parse (SmSandboxRequest *req,
              Target           *target)
{
  /* libsoup's server hands the path decoded once: "/HOST/REST" with REST
   * the key as the client meant it.  The canonical URI is REST encoded
   * again the SigV4 way, as S3 computes it from the key. */
  const char *full = g_uri_get_path (soup_server_message_get_uri (req->msg));
  const char *after_host = full[0] == '/' ? strchr (full + 1, '/') : NULL;
  const char *rest = after_host != NULL ? after_host : "/";
  const char *s3_host;

  target->raw_path = encode (rest, TRUE);

  if (g_str_has_prefix (req->host, "s3."))
    {
      /* path-style: /BUCKET/KEY */
      const char *p = rest + 1;
      const char *slash = strchr (p, '/');

      s3_host = req->host;
      target->bucket = slash != NULL ? g_strndup (p, slash - p) : g_strdup (p);
      target->key = g_strdup (slash != NULL ? slash + 1 : "");
    }
  else
    {
      /* virtual-hosted: BUCKET.s3.… /KEY */
      const char *dot = strstr (req->host, ".s3.");

      s3_host = dot != NULL ? dot + 1 : req->host;
      target->bucket = g_strndup (req->host, dot != NULL ? (gsize) (dot - req->host) : 0);
      target->key = g_strdup (rest + 1);
    }
  target->host_region = region_of_host (s3_host);
}

/* ---- Signature V4, checked -------------------------------------------- */

typedef struct
{
  char *name;
  char *value;
} Pair;

static int
pair_compare (gconstpointer a,
              gconstpointer b)
{
  const Pair *pa = a, *pb = b;
  int c = strcmp (pa->name, pb->name);

  return c != 0 ? c : strcmp (pa->value, pb->value);
}

static void
pair_clear (gpointer data)
{
  Pair *pair = data;

  g_free (pair->name);
  g_free (pair->value);
}

/* The raw query's pairs, decoded. */
static GArray *
query_pairs (SmSandboxRequest *req)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (req->msg));
  GArray *pairs = g_array_new (FALSE, TRUE, sizeof (Pair));
  g_auto(GStrv) parts = NULL;

  g_array_set_clear_func (pairs, pair_clear);
  if (query == NULL || *query == '\0')
    return pairs;
  parts = g_strsplit (query, "&", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');
      Pair pair;

      if (parts[i][0] == '\0')
        continue;
      if (eq != NULL)
        *eq = '\0';
      pair.name = g_uri_unescape_string (parts[i], NULL);
      pair.value = g_uri_unescape_string (eq != NULL ? eq + 1 : "", NULL);
      if (pair.name == NULL)
        pair.name = g_strdup (parts[i]);
      if (pair.value == NULL)
        pair.value = g_strdup (eq != NULL ? eq + 1 : "");
      g_array_append_val (pairs, pair);
    }
  return pairs;
}

static const char *
pairs_get (GArray     *pairs,
           const char *name)
{
  for (guint i = 0; i < pairs->len; i++)
    if (strcmp (g_array_index (pairs, Pair, i).name, name) == 0)
      return g_array_index (pairs, Pair, i).value;
  return NULL;
}

/* Canonical query: every pair but @skip, encoded, sorted. */
static char *
canonical_query (GArray     *pairs,
                 const char *skip)
{
  g_autoptr(GArray) sorted = g_array_new (FALSE, TRUE, sizeof (Pair));
  GString *out = g_string_new (NULL);

  g_array_set_clear_func (sorted, pair_clear);
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = &g_array_index (pairs, Pair, i);
      Pair copy;

      if (skip != NULL && strcmp (pair->name, skip) == 0)
        continue;
      copy.name = encode (pair->name, FALSE);
      copy.value = encode (pair->value, FALSE);
      g_array_append_val (sorted, copy);
    }
  g_array_sort (sorted, pair_compare);
  for (guint i = 0; i < sorted->len; i++)
    g_string_append_printf (out, "%s%s=%s", i > 0 ? "&" : "",
                            g_array_index (sorted, Pair, i).name,
                            g_array_index (sorted, Pair, i).value);
  return g_string_free (out, FALSE);
}

static char *
trim_all (const char *value)
{
  g_auto(GStrv) words = g_strsplit_set (value, " \t\r\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);
  return g_string_free (out, FALSE);
}

/* Checks "KEY/DATE/REGION/s3/aws4_request" against the bucket; @in_query
 * picks the wording of S3's answers. */
static gboolean
check_credential (S3State         *state,
                  const char      *credential,
                  const S3Bucket  *bucket,
                  const char      *amz_date,
                  gboolean         in_query,
                  S3Error         *error)
{
  g_auto(GStrv) parts = g_strsplit (credential, "/", -1);
  const char *malformed = in_query ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
  S3Bucket *owner;

  if (g_strv_length (parts) != 5 || strcmp (parts[4], "aws4_request") != 0)
    return s3_error_set (error, 400, malformed,
                         in_query ? "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
                                  : "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
                         NULL);

  owner = g_hash_table_lookup (state->by_key_id, parts[0]);
  if (owner == NULL)
    {
      g_autofree char *extra = xml_element ("AWSAccessKeyId", parts[0]);

      return s3_error_set (error, 403, "InvalidAccessKeyId",
                           "The AWS Access Key Id you provided does not exist in our records.", extra);
    }
  if (strcmp (parts[2], bucket->region) != 0)
    {
      g_autofree char *message = g_strdup_printf ("%s the region '%s' is wrong; expecting '%s'",
                                                  in_query ? "Error parsing the X-Amz-Credential parameter;"
                                                           : "The authorization header is malformed;",
                                                  parts[2], bucket->region);
      g_autofree char *extra = xml_element ("Region", bucket->region);

      return s3_error_set (error, 400, malformed, message, extra);
    }
  if (strcmp (parts[3], "s3") != 0)
    {
      g_autofree char *message = g_strdup_printf ("%s incorrect service \"%s\". This endpoint belongs to \"s3\".",
                                                  in_query ? "Error parsing the X-Amz-Credential parameter;"
                                                           : "The authorization header is malformed;",
                                                  parts[3]);

      return s3_error_set (error, 400, malformed, message, NULL);
    }
  if (amz_date == NULL || strncmp (parts[1], amz_date, 8) != 0 || strlen (parts[1]) != 8)
    {
      g_autofree char *message = g_strdup_printf ("%s Invalid credential date \"%s\". This date is not the same as X-Amz-Date: \"%s\".",
                                                  in_query ? "Error parsing the X-Amz-Credential parameter;"
                                                           : "The authorization header is malformed;",
                                                  parts[1], amz_date != NULL ? amz_date : "");

      return s3_error_set (error, 400, malformed, message, NULL);
    }
  /* Someone else's key: valid, but not for this bucket. */
  if (owner != bucket)
    return s3_error_set (error, 403, "AccessDenied", "Access Denied", NULL);
  return TRUE;
}

/* Computes the signature over the canonical request; FALSE with
 * SignatureDoesNotMatch when it differs from @given. */
static gboolean
check_signature (SmSandboxRequest *req,
                 const S3Bucket   *bucket,
                 const Target     *target,
                 const char       *query,
                 const char       *signed_headers,
                 const char       *payload,
                 const char       *amz_date,
                 const char       *given,
                 S3Error          *error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  g_autoptr(GString) canonical = g_string_new (NULL);
  g_auto(GStrv) names = g_strsplit (signed_headers, ";", -1);
  g_autofree char *hash = NULL;
  g_autofree char *string_to_sign = NULL;
  g_autofree char *date8 = g_strndup (amz_date, 8);
  g_autofree char *expected = NULL;

  g_string_append_printf (canonical, "%s\n%s\n%s\n", req->method, target->raw_path, query);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *value = NULL;

      if (strcmp (names[i], "host") == 0)
        value = g_strdup (req->host);   /* the real host, from the path prefix */
      else
        {
          const char *list = soup_message_headers_get_list (headers, names[i]);

          value = trim_all (list != NULL ? list : "");
        }
      g_string_append_printf (canonical, "%s:%s\n", names[i], value);
    }
  g_string_append_printf (canonical, "\n%s\n%s", signed_headers, payload);

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical->str, canonical->len);
  string_to_sign = g_strdup_printf ("AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request\n%s",
                                    amz_date, date8, bucket->region, hash);
  expected = signature_of (bucket, date8, string_to_sign);
  if (!same_signature (expected, given))
    {
      g_autofree char *a = xml_element ("AWSAccessKeyId", bucket->access_key_id);
      g_autofree char *b = xml_element ("StringToSign", string_to_sign);
      g_autofree char *c = xml_element ("SignatureProvided", given);
      g_autofree char *d = xml_element ("CanonicalRequest", canonical->str);
      g_autofree char *extra = g_strconcat (a, b, c, d, NULL);

      return s3_error_set (error, 403, "SignatureDoesNotMatch",
                           "The request signature we calculated does not match the signature you "
                           "provided. Check your key and signing method.", extra);
    }
  return TRUE;
}

/* "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…" */
static gboolean
check_header_auth (S3State          *state,
                   SmSandboxRequest *req,
                   const S3Bucket   *bucket,
                   const Target     *target,
                   const char       *authorization,
                   char            **payload_out,
                   S3Error          *error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *amz_date = soup_message_headers_get_one (headers, "x-amz-date");
  const char *payload = soup_message_headers_get_one (headers, "x-amz-content-sha256");
  g_autofree char *credential = NULL;
  g_autofree char *signed_headers = NULL;
  g_autofree char *signature = NULL;
  g_autoptr(GArray) pairs = NULL;
  g_autofree char *query = NULL;
  g_auto(GStrv) fields = NULL;
  g_auto(GStrv) names = NULL;
  SoupMessageHeadersIter iter;
  const char *name, *value;
  gint64 when;

  if (!g_str_has_prefix (authorization, "AWS4-HMAC-SHA256 "))
    return s3_error_set (error, 400, "InvalidArgument",
                         "Unsupported Authorization Type", NULL);

  fields = g_strsplit (authorization + strlen ("AWS4-HMAC-SHA256 "), ",", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_strstrip (fields[i]);
      if (g_str_has_prefix (fields[i], "Credential="))
        credential = g_strdup (fields[i] + strlen ("Credential="));
      else if (g_str_has_prefix (fields[i], "SignedHeaders="))
        signed_headers = g_strdup (fields[i] + strlen ("SignedHeaders="));
      else if (g_str_has_prefix (fields[i], "Signature="))
        signature = g_strdup (fields[i] + strlen ("Signature="));
    }
  if (credential == NULL || signed_headers == NULL || signature == NULL)
    return s3_error_set (error, 400, "AuthorizationHeaderMalformed",
                         "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.",
                         NULL);

  if (amz_date == NULL)
    return s3_error_set (error, 403, "AccessDenied",
                         "AWS authentication requires a valid Date or x-amz-date header", NULL);
  when = parse_amz_date (amz_date);
  if (when < 0)
    return s3_error_set (error, 403, "AccessDenied",
                         "AWS authentication requires a valid Date or x-amz-date header", NULL);
  if (!check_credential (state, credential, bucket, amz_date, FALSE, error))
    return FALSE;
  if (ABS (g_get_real_time () / G_USEC_PER_SEC - when) > S3_MAX_SKEW_S)
    {
      g_autofree char *now = _sm_sandbox_format_time (g_get_real_time (), "%Y%m%dT%H%M%SZ");
      g_autofree char *a = xml_element ("RequestTime", amz_date);
      g_autofree char *b = xml_element ("ServerTime", now);
      g_autofree char *c = xml_element ("MaxAllowedSkewMilliseconds", "900000");
      g_autofree char *extra = g_strconcat (a, b, c, NULL);

      return s3_error_set (error, 403, "RequestTimeTooSkewed",
                           "The difference between the request time and the current time is too large.",
                           extra);
    }

  if (payload == NULL)
    return s3_error_set (error, 400, "InvalidRequest",
                         "Missing required header for this request: x-amz-content-sha256", NULL);
  if (strcmp (payload, UNSIGNED_PAYLOAD) != 0)
    {
      gboolean hex = strlen (payload) == 64;

      for (const char *p = payload; hex && *p != '\0'; p++)
        hex = g_ascii_isxdigit (*p) && !g_ascii_isupper (*p);
      if (!hex)
        return s3_error_set (error, 400, "InvalidArgument",
                             "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                             "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
                             "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
                             "or a valid sha256 value.", NULL);
    }

  /* host must be signed, and every x-amz-* header sent. */
  names = g_strsplit (signed_headers, ";", -1);
  if (!g_strv_contains ((const char * const *) names, "host"))
    return s3_error_set (error, 400, "AuthorizationHeaderMalformed",
                         "The authorization header is malformed; the host header must be signed.", NULL);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);

      if (g_str_has_prefix (lower, "x-amz-") && !g_strv_contains ((const char * const *) names, lower))
        {
          g_autofree char *extra = xml_element ("HeadersNotSigned", lower);

          return s3_error_set (error, 403, "AccessDenied",
                               "There were headers present in the request which were not signed", extra);
        }
    }

  pairs = query_pairs (req);
  query = canonical_query (pairs, NULL);
  if (!check_signature (req, bucket, target, query, signed_headers, payload, amz_date, signature, error))
    return FALSE;

  *payload_out = g_strdup (payload);
  return TRUE;
}

static gboolean
check_query_auth (S3State          *state,
                  SmSandboxRequest *req,
                  const S3Bucket   *bucket,
                  const Target     *target,
                  GArray           *pairs,
                  S3Error          *error)
{
  const char *algorithm = pairs_get (pairs, "X-Amz-Algorithm");
  const char *credential = pairs_get (pairs, "X-Amz-Credential");
  const char *amz_date = pairs_get (pairs, "X-Amz-Date");
  const char *expires = pairs_get (pairs, "X-Amz-Expires");
  const char *signed_headers = pairs_get (pairs, "X-Amz-SignedHeaders");
  const char *signature = pairs_get (pairs, "X-Amz-Signature");
  g_autofree char *query = NULL;
  g_auto(GStrv) names = NULL;
  guint64 lifetime;
  gint64 when, now = g_get_real_time () / G_USEC_PER_SEC;

  if (algorithm == NULL || credential == NULL || amz_date == NULL || expires == NULL ||
      signed_headers == NULL || signature == NULL)
    return s3_error_set (error, 400, "AuthorizationQueryParametersError",
                         "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                         "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
                         "and X-Amz-Expires parameters.", NULL);
  if (strcmp (algorithm, "AWS4-HMAC-SHA256") != 0)
    return s3_error_set (error, 400, "AuthorizationQueryParametersError",
                         "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"", NULL);
  when = parse_amz_date (amz_date);
  if (when < 0)
    return s3_error_set (error, 400, "AuthorizationQueryParametersError",
                         "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", NULL);
  if (!g_ascii_string_to_unsigned (expires, 10, 0, G_MAXUINT64, &lifetime, NULL))
    return s3_error_set (error, 400, "AuthorizationQueryParametersError",
                         "X-Amz-Expires should be a number", NULL);
  if (lifetime > S3_MAX_EXPIRES)
    return s3_error_set (error, 400, "AuthorizationQueryParametersError",
                         "X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds", NULL);
  if (!check_credential (state, credential, bucket, amz_date, TRUE, error))
    return FALSE;

  names = g_strsplit (signed_headers, ";", -1);
  if (!g_strv_contains ((const char * const *) names, "host"))
    return s3_error_set (error, 400, "AuthorizationQueryParametersError",
                         "X-Amz-SignedHeaders must include host", NULL);

  query = canonical_query (pairs, "X-Amz-Signature");
  if (!check_signature (req, bucket, target, query, signed_headers, UNSIGNED_PAYLOAD, amz_date,
                        signature, error))
    return FALSE;

  if (when > now + S3_MAX_SKEW_S)
    return s3_error_set (error, 403, "AccessDenied", "Request is not valid yet", NULL);
  if (now > when + (gint64) lifetime)
    {
      g_autofree char *expired = _sm_sandbox_format_time ((when + (gint64) lifetime) * G_USEC_PER_SEC,
                                                          "%Y-%m-%dT%H:%M:%SZ");
      g_autofree char *server = _sm_sandbox_format_time (now * G_USEC_PER_SEC, "%Y-%m-%dT%H:%M:%SZ");
      g_autofree char *a = xml_element ("X-Amz-Expires", expires);
      g_autofree char *b = xml_element ("Expires", expired);
      g_autofree char *c = xml_element ("ServerTime", server);
      g_autofree char *extra = g_strconcat (a, b, c, NULL);

      return s3_error_set (error, 403, "AccessDenied", "Request has expired", extra);
    }
  return TRUE;
}

/* The bucket addressed, authenticated.  @payload_out: the claimed payload
 * hash (header auth), UNSIGNED-PAYLOAD for presigned requests. */
static S3Bucket *
authenticate (S3State          *state,
              SmSandboxRequest *req,
              const Target     *target,
              char            **payload_out,
              S3Error          *error)
{
  const char *authorization = _sm_sandbox_request_header (req, "Authorization");
  g_autoptr(GArray) pairs = query_pairs (req);
  S3Bucket *bucket;

  bucket = g_hash_table_lookup (state->buckets, target->bucket);
  if (bucket == NULL || *target->bucket == '\0')
    {
      g_autofree char *extra = xml_element ("BucketName", target->bucket);

      s3_error_set (error, 404, "NoSuchBucket", "The specified bucket does not exist", extra);
      return NULL;
    }
  if (target->host_region != NULL && strcmp (target->host_region, bucket->region) != 0)
    {
      g_autofree char *endpoint = g_strdup_printf ("%s.s3.%s.amazonaws.com", bucket->name, bucket->region);
      g_autofree char *a = xml_element ("Bucket", bucket->name);
      g_autofree char *b = xml_element ("Endpoint", endpoint);
      g_autofree char *extra = g_strconcat (a, b, NULL);

      s3_error_set (error, 301, "PermanentRedirect",
                    "The bucket you are attempting to access must be addressed using the specified "
                    "endpoint. Please send all future requests to this endpoint.", extra);
      return NULL;
    }

  if (authorization != NULL)
    {
      if (pairs_get (pairs, "X-Amz-Algorithm") != NULL)
        {
          s3_error_set (error, 400, "InvalidArgument",
                        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                        "Signature query string parameter or the Authorization header should be specified",
                        NULL);
          return NULL;
        }
      if (!check_header_auth (state, req, bucket, target, authorization, payload_out, error))
        return NULL;
      return bucket;
    }
  if (pairs_get (pairs, "X-Amz-Algorithm") != NULL || pairs_get (pairs, "X-Amz-Signature") != NULL)
    {
      if (!check_query_auth (state, req, bucket, target, pairs, error))
        return NULL;
      *payload_out = g_strdup (UNSIGNED_PAYLOAD);
      return bucket;
    }

  /* Anonymous: the bucket is private. */
  s3_error_set (error, 403, "AccessDenied", "Access Denied", NULL);
  return NULL;
}

static char *
live_key (const char *bucket,
          const char *key)
{
  return g_strconcat (bucket, "/", key, NULL);
}

/* ---- PUT: streamed ------------------------------------------------------ */

static void
put_sink_free (gpointer data)
{
  PutSink *sink = data;

  if (sink->fd >= 0)
    close (sink->fd);
  s3_error_clear (&sink->error);
  g_free (sink->bucket);
  g_free (sink->key);
  g_free (sink->content_type);
  g_free (sink->claimed_sha256);
  g_clear_pointer (&sink->sha256, g_checksum_free);
  g_clear_pointer (&sink->md5, g_checksum_free);
  g_free (sink);
}

static gpointer
put_begin (SmSandboxRequest *req,
           gpointer          user_data)
{
  S3State *state = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  PutSink *sink = g_new0 (PutSink, 1);
  g_auto(Target) target = { 0 };
  g_autofree char *payload = NULL;
  g_autoptr(GError) error = NULL;
  const char *content_type;

  sink->state = state;
  sink->fd = -1;
  target_parse (req, &target);

  if (authenticate (state, req, &target, &payload, &sink->error) == NULL)
    return sink;
  if (*target.key == '\0')
    {
      s3_error_set (&sink->error, 400, "InvalidRequest",
                    "The sandbox does not create buckets through the API; use POST /__sandbox/s3/buckets.",
                    NULL);
      return sink;
    }
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      s3_error_set (&sink->error, 411, "MissingContentLength",
                    "You must provide the Content-Length HTTP header.", NULL);
      return sink;
    }
  if ((guint64) soup_message_headers_get_content_length (headers) > S3_MAX_PUT_BYTES)
    {
      s3_error_set (&sink->error, 400, "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed size", NULL);
      return sink;
    }

  {
    g_autofree char *file = NULL;

    sink->fd = g_file_open_tmp ("so-me-sandbox-s3-XXXXXX", &file, &error);
    if (sink->fd >= 0)
      g_unlink (file);
  }
  if (sink->fd < 0)
    {
      s3_error_set (&sink->error, 500, "InternalError", error->message, NULL);
      return sink;
    }
  sink->bucket = g_strdup (target.bucket);
  sink->key = g_strdup (target.key);
  content_type = soup_message_headers_get_one (headers, "Content-Type");
  sink->content_type = g_strdup (content_type != NULL ? content_type : "binary/octet-stream");
  if (strcmp (payload, UNSIGNED_PAYLOAD) != 0)
    sink->claimed_sha256 = g_steal_pointer (&payload);
  sink->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  sink->md5 = g_checksum_new (G_CHECKSUM_MD5);
  return sink;
}

static void
put_chunk (gpointer      data,
           const guint8 *bytes,
           gsize         len)
{
  PutSink *sink = data;
  gsize done = 0;

  if (sink->fd < 0 || sink->write_failed)
    return;
  g_checksum_update (sink->sha256, bytes, len);
  g_checksum_update (sink->md5, bytes, len);
  sink->bytes += len;
  while (done < len)
    {
      ssize_t n = write (sink->fd, bytes + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          sink->write_failed = TRUE;
          return;
        }
      done += (gsize) n;
    }
}

static void
put_cb (SmSandboxRequest *req,
        gpointer          user_data)
{
  S3State *state = user_data;
  PutSink *sink = req->body_sink;
  g_autofree char *live = NULL;
  S3Object *object, *previous;

  if (sink == NULL)
    {
      respond_error_now (req, 500, "InternalError", "We encountered an internal error. Please try again.");
      return;
    }
  if (sink->error.code != NULL)
    {
      respond_error (req, &sink->error);
      return;
    }
  if (sink->write_failed)
    {
      respond_error_now (req, 500, "InternalError", "We encountered an internal error. Please try again.");
      return;
    }
  if (sink->claimed_sha256 != NULL &&
      strcmp (sink->claimed_sha256, g_checksum_get_string (sink->sha256)) != 0)
    {
      g_autofree char *a = xml_element ("ClientComputedContentSHA256", sink->claimed_sha256);
      g_autofree char *b = xml_element ("S3ComputedContentSHA256", g_checksum_get_string (sink->sha256));
      S3Error error = { 400, (char *) "XAmzContentSHA256Mismatch",
                        (char *) "The provided 'x-amz-content-sha256' header does not match what was computed.",
                        g_strconcat (a, b, NULL) };

      respond_error (req, &error);
      g_free (error.extra);
      return;
    }


  object = g_new0 (S3Object, 1);
  object->bucket = g_strdup (sink->bucket);
  object->key = g_strdup (sink->key);
  object->fd = sink->fd;
  sink->fd = -1;
  object->content_type = g_strdup (sink->content_type);
  object->sha256 = g_strdup (g_checksum_get_string (sink->sha256));
  object->etag = g_strdup_printf ("\"%s\"", g_checksum_get_string (sink->md5));
  object->bytes = sink->bytes;

  /* A PUT on an existing key replaces it. */
  live = live_key (object->bucket, object->key);
  previous = g_hash_table_lookup (state->live, live);
  if (previous != NULL)
    {
      previous->deleted = TRUE;
      object_drop_file (previous);
    }
  g_ptr_array_add (state->objects, object);
  g_hash_table_replace (state->live, g_steal_pointer (&live), object);

  _sm_sandbox_set_header (req, "ETag", object->etag);
  _sm_sandbox_respond_empty (req, 200);
}

/* ---- GET, HEAD, DELETE ---------------------------------------------------- */

static void
get_cb (SmSandboxRequest *req,
        gpointer          user_data)
{
  S3State *state = user_data;
  g_auto(Target) target = { 0 };
  g_autofree char *payload = NULL;
  g_autofree char *live = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  S3Error s3_error = { 0 };
  S3Object *object;

  target_parse (req, &target);
  if (authenticate (state, req, &target, &payload, &s3_error) == NULL)
    {
      respond_error (req, &s3_error);
      s3_error_clear (&s3_error);
      return;
    }

  live = live_key (target.bucket, target.key);
  object = g_hash_table_lookup (state->live, live);
  if (object == NULL || *target.key == '\0')
    {
      g_autofree char *extra = xml_element ("Key", target.key);
      S3Error missing = { 404, (char *) "NoSuchKey", (char *) "The specified key does not exist.", extra };

      respond_error (req, &missing);
      return;
    }

  /* Mapped, not read: a large object is not copied into memory. */
  if (object->bytes > 0)
    {
      mapped = g_mapped_file_new_from_fd (object->fd, FALSE, &error);
      if (mapped == NULL)
        {
          respond_error_now (req, 500, "InternalError", error->message);
          return;
        }
      bytes = g_mapped_file_get_bytes (mapped);
    }
  else
    bytes = g_bytes_new_static ("", 0);

  _sm_sandbox_set_header (req, "ETag", object->etag);
  soup_server_message_set_status (req->msg, 200, NULL);
  if (strcmp (req->method, "HEAD") == 0)
    {
      soup_message_headers_set_content_length (soup_server_message_get_response_headers (req->msg),
                                               (goffset) object->bytes);
      soup_message_headers_set_content_type (soup_server_message_get_response_headers (req->msg),
                                             object->content_type, NULL);
      return;
    }
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (req->msg),
                                         object->content_type, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (req->msg), bytes);
  object->fetches++;
}

static void
delete_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  S3State *state = user_data;
  g_auto(Target) target = { 0 };
  g_autofree char *payload = NULL;
  g_autofree char *live = NULL;
  S3Error s3_error = { 0 };
  S3Object *object;

  target_parse (req, &target);
  if (authenticate (state, req, &target, &payload, &s3_error) == NULL)
    {
      respond_error (req, &s3_error);
      s3_error_clear (&s3_error);
      return;
    }
  if (*target.key == '\0')
    {
      respond_error_now (req, 409, "BucketNotEmpty",
                         "The sandbox does not delete buckets through the API.");
      return;
    }

  live = live_key (target.bucket, target.key);
  object = g_hash_table_lookup (state->live, live);
  if (object != NULL)
    {
      object->deleted = TRUE;
      object_drop_file (object);
      g_hash_table_remove (state->live, live);
    }
  /* S3 answers 204 whether or not the key was there. */
  _sm_sandbox_respond_empty (req, 204);
}

static void
not_implemented_cb (SmSandboxRequest *req,
                    gpointer          user_data)
{
  respond_error_now (req, 501, "NotImplemented",
                     "A header you provided implies functionality that is not implemented");
}

/* ---- routes ------------------------------------------------------------- */

static void
add_object_routes (S3State    *state,
                   const char *host,
                   gboolean    path_style)
{
  const char *hosts[] = { host, NULL };
  const char *pattern = path_style ? "/*/**" : "/**";

  _sm_sandbox_add_streaming_route (state->sandbox, hosts, "PUT", pattern,
                                   put_begin, put_chunk, put_sink_free, put_cb, state);
  _sm_sandbox_add_route (state->sandbox, hosts, "GET", pattern, get_cb, state);
  _sm_sandbox_add_route (state->sandbox, hosts, "HEAD", pattern, get_cb, state);
  _sm_sandbox_add_route (state->sandbox, hosts, "DELETE", pattern, delete_cb, state);
  _sm_sandbox_add_route (state->sandbox, hosts, "*", "/**", not_implemented_cb, state);
}

/* ---- hooks -------------------------------------------------------------- */

static void
hook_error (SmSandboxRequest *req,
            guint             status,
            const char       *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  _sm_sandbox_respond_object (req, status, object);
}

static gboolean
valid_bucket_name (const char *name)
{
  gsize len = strlen (name);

  if (len < 3 || len > 63 || !g_ascii_isalnum (name[0]) || !g_ascii_isalnum (name[len - 1]))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-' || *p == '.'))
      return FALSE;
  return TRUE;
}

static void
hook_buckets_add (S3State          *state,
                  SmSandboxRequest *req)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (req->msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *key_id = NULL;
  g_autofree char *endpoint = NULL;
  JsonObject *in, *out;
  const char *name, *region;
  S3Bucket *bucket;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      hook_error (req, 400, "expected {\"bucket\":\"name\",\"region\":\"eu-west-1\"}");
      return;
    }
  in = json_node_get_object (json_parser_get_root (parser));
  name = json_object_get_string_member_with_default (in, "bucket", NULL);
  region = json_object_get_string_member_with_default (in, "region", "us-east-1");
  if (name == NULL || !valid_bucket_name (name))
    {
      hook_error (req, 400, "bucket: 3-63 lower-case letters, digits, '-' or '.'");
      return;
    }
  if (region == NULL || *region == '\0' || strpbrk (region, "/. ") != NULL)
    {
      hook_error (req, 400, "region: a region name such as eu-west-1");
      return;
    }
  if (g_hash_table_contains (state->buckets, name))
    {
      hook_error (req, 409, "that bucket exists already (buckets stay across resets)");
      return;
    }

  bucket = g_new0 (S3Bucket, 1);
  bucket->name = g_strdup (name);
  bucket->region = g_strdup (region);
  key_id = _sm_sandbox_random_string ("");
  key_id[16] = '\0';
  bucket->access_key_id = g_ascii_strup (key_id, -1);
  {
    g_autofree char *id = g_strconcat ("AKIA", bucket->access_key_id, NULL);

    g_free (bucket->access_key_id);
    bucket->access_key_id = g_steal_pointer (&id);
  }
  /* A slash and a plus, as AWS secrets have, so that encoding is tested. */
  {
    g_autofree char *random = _sm_sandbox_random_string ("");

    bucket->secret = g_strdup_printf ("sbx/%.*s+%s", 18, random, random + 18);
  }
  g_hash_table_insert (state->buckets, bucket->name, bucket);
  g_hash_table_insert (state->by_key_id, bucket->access_key_id, bucket);

  /* The hosts this bucket is reached at. */
  {
    g_autofree char *v1 = g_strdup_printf ("%s.s3.%s.amazonaws.com", name, region);
    g_autofree char *v2 = g_strdup_printf ("%s.s3.amazonaws.com", name);
    g_autofree char *v3 = g_strdup_printf ("%s." S3_GENERIC_HOST, name);

    add_object_routes (state, v1, FALSE);
    add_object_routes (state, v2, FALSE);
    add_object_routes (state, v3, FALSE);
  }
  if (!g_hash_table_contains (state->regions, region))
    {
      g_autofree char *host = g_strdup_printf ("s3.%s.amazonaws.com", region);

      g_hash_table_add (state->regions, g_strdup (region));
      add_object_routes (state, host, TRUE);
    }

  endpoint = g_strdup_printf ("https://s3.%s.amazonaws.com", region);
  out = json_object_new ();
  json_object_set_string_member (out, "bucket", bucket->name);
  json_object_set_string_member (out, "region", bucket->region);
  json_object_set_string_member (out, "access_key_id", bucket->access_key_id);
  json_object_set_string_member (out, "secret_access_key", bucket->secret);
  json_object_set_string_member (out, "endpoint", endpoint);
  json_object_set_string_member (out, "generic_endpoint", "https://" S3_GENERIC_HOST);
  _sm_sandbox_respond_object (req, 201, out);
}

static void
hook_objects (S3State          *state,
              SmSandboxRequest *req)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < state->objects->len; i++)
    {
      S3Object *object = g_ptr_array_index (state->objects, i);
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "bucket", object->bucket);
      json_object_set_string_member (o, "key", object->key);
      json_object_set_int_member (o, "bytes", (gint64) object->bytes);
      json_object_set_string_member (o, "sha256", object->sha256);
      json_object_set_string_member (o, "content_type", object->content_type);
      json_object_set_int_member (o, "fetches", object->fetches);
      json_object_set_boolean_member (o, "deleted", object->deleted);
      json_array_add_object_element (array, o);
    }
  json_node_take_array (node, array);
  _sm_sandbox_respond_json (req, 200, node);
}

void
_sm_sandbox_s3_hook (SmSandboxRequest *req,
                     const char       *what)
{
  S3State *state = g_object_get_data (G_OBJECT (req->sandbox), "sm-sandbox-s3");

  if (state == NULL)
    hook_error (req, 404, "the S3 module is not registered");
  else if (strcmp (req->method, "POST") == 0 && strcmp (what, "buckets") == 0)
    hook_buckets_add (state, req);
  else if (strcmp (req->method, "GET") == 0 && strcmp (what, "objects") == 0)
    hook_objects (state, req);
  else
    hook_error (req, 404, "no such sandbox hook; see sm-sandbox.h");
}

/* ---- module ------------------------------------------------------------- */

static void
s3_state_reset (gpointer data,
                gpointer user_data)
{
  S3State *state = data;

  /* Objects go (their files with them); buckets and keys stay, as tokens do. */
  g_hash_table_remove_all (state->live);
  g_ptr_array_set_size (state->objects, 0);
}

static void
s3_state_free (gpointer data)
{
  S3State *state = data;

  g_hash_table_unref (state->live);
  g_ptr_array_unref (state->objects);
  g_hash_table_unref (state->by_key_id);
  g_hash_table_unref (state->buckets);
  g_hash_table_unref (state->regions);
  g_free (state);
}

void
_sm_sandbox_s3_register (SmSandbox *self)
{
  S3State *state = g_new0 (S3State, 1);

  state->sandbox = self;
  state->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) bucket_free);
  state->by_key_id = g_hash_table_new (g_str_hash, g_str_equal);
  state->regions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) object_free);
  state->live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  _sm_sandbox_add_module (self, state, s3_state_reset, s3_state_free);
  /* The module's state, for the hooks (which the core dispatches). */
  g_object_set_data (G_OBJECT (self), "sm-sandbox-s3", state);

  add_object_routes (state, "s3.amazonaws.com", TRUE);
  add_object_routes (state, S3_GENERIC_HOST, TRUE);
}
