/* sm-sigv4.c — AWS Signature Version 4 for S3.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The steps, as AWS documents them ("Create a signed AWS API request",
 * "Authenticating Requests: Using Query Parameters"):
 *   canonical request = METHOD \n URI \n QUERY \n HEADERS \n\n SIGNED \n PAYLOAD
 *   string to sign    = AWS4-HMAC-SHA256 \n DATE \n SCOPE \n hex(SHA256(canonical))
 *   signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" secret, yyyymmdd), region), service), "aws4_request")
 *   signature         = hex(HMAC(signing key, string to sign))
 * For S3 the URI is the path as sent (each key segment encoded once, '/'
 * kept), not normalised.
 */
#define G_LOG_DOMAIN "sm-sigv4"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-sigv4.h"

typedef struct
{
  char *name;
  char *value;
} Pair;

static void
pair_clear (gpointer data)
{
  Pair *pair = data;

  g_free (pair->name);
  g_free (pair->value);
}

static int
pair_compare (gconstpointer a,
              gconstpointer b)
{
  const Pair *pa = a;
  const Pair *pb = b;
  int c = strcmp (pa->name, pb->name);

  return c != 0 ? c : strcmp (pa->value, pb->value);
}

static GArray *
pairs_new (void)
{
  GArray *pairs = g_array_new (FALSE, TRUE, sizeof (Pair));

  g_array_set_clear_func (pairs, pair_clear);
  return pairs;
}

static void
pairs_add (GArray     *pairs,
           const char *name,
           const char *value)
{
  Pair pair = { g_strdup (name), g_strdup (value) };

  g_array_append_val (pairs, pair);
}

char *
sm_sigv4_uri_encode (const char *text,
                     gboolean    keep_slash)
{
  static const char hex[] = "0123456789ABCDEF";
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text) * 3 / 2 + 1);
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
          (keep_slash && *p == '/'))
        g_string_append_c (out, (char) *p);
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0xf]);
        }
    }
  return g_string_free (out, FALSE);
}

char *
sm_sigv4_amz_date (gint64 unix_time)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (unix_time);

  g_return_val_if_fail (when != NULL, NULL);
  return g_date_time_format (when, "%Y%m%dT%H%M%SZ");
}

/* One component of an already-encoded query, decoded (when it decodes) and
 * encoded again the SigV4 way, so that "a%2fb" and "a%2Fb" sign alike. */
static char *
reencode (const char *component,
          gsize       len)
{
  g_autofree char *raw = g_strndup (component, len);
  g_autofree char *decoded = g_uri_unescape_string (raw, NULL);

  return sm_sigv4_uri_encode (decoded != NULL ? decoded : raw, FALSE);
}

/* The pairs of an encoded query, in order, each encoded the SigV4 way. */
static void
query_to_pairs (const char *query,
                GArray     *pairs)
{
  g_auto(GStrv) parts = NULL;

  if (query == NULL || *query == '\0')
    return;

  parts = g_strsplit (query, "&", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (parts[i][0] == '\0')
        continue;
      if (eq != NULL)
        {
          name = reencode (parts[i], eq - parts[i]);
          value = reencode (eq + 1, strlen (eq + 1));
        }
      else
        {
          name = reencode (parts[i], strlen (parts[i]));
          value = g_strdup ("");
        }
      pairs_add (pairs, name, value);
    }
}

static char *
pairs_join (GArray *pairs)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = &g_array_index (pairs, Pair, i);

      if (i > 0)
        g_string_append_c (out, '&');
      g_string_append_printf (out, "%s=%s", pair->name, pair->value);
    }
  return g_string_free (out, FALSE);
}

/* Leading and trailing blanks gone, inner runs of blanks one space. */
static char *
trim_all (const char *value)
{
  GString *out = g_string_new (NULL);
  gboolean blank = FALSE;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        blank = TRUE;
      else
        {
          if (blank && out->len > 0)
            g_string_append_c (out, ' ');
          blank = FALSE;
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  char *scheme_authority;   /* "https://host[:port]" as given */
  char *host;               /* the Host header: host[:port], port when not 443 */
  char *path;               /* encoded, "/" when empty */
  char *query;              /* encoded, or NULL */
} SplitUrl;

static void
split_url_clear (SplitUrl *url)
{
  g_free (url->scheme_authority);
  g_free (url->host);
  g_free (url->path);
  g_free (url->query);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SplitUrl, split_url_clear)

static gboolean
split_url (const char  *https_url,
           SplitUrl    *out,
           GError     **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  const char *after;
  int port = -1;

  memset (out, 0, sizeof *out);
  if (!g_uri_split (https_url, G_URI_FLAGS_ENCODED, &scheme, NULL, &host, &port,
                    &path, &out->query, NULL, NULL)
      || scheme == NULL || g_ascii_strcasecmp (scheme, "https") != 0
      || host == NULL || *host == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Only https:// addresses can be signed"));
      return FALSE;
    }

  if (port != -1 && port != 443)
    out->host = g_strdup_printf ("%s:%d", host, port);
  else
    out->host = g_steal_pointer (&host);
  out->path = path != NULL && *path != '\0' ? g_steal_pointer (&path) : g_strdup ("/");

  /* "https://" then the authority, up to the path or query. */
  after = https_url + strlen ("https://");
  after += strcspn (after, "/?#");
  out->scheme_authority = g_strndup (https_url, after - https_url);
  return TRUE;
}

static void
hmac_sha256 (const guint8 *key,
             gsize         key_len,
             const char   *data,
             guint8        out[32])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  gsize len = 32;

  g_hmac_update (hmac, (const guchar *) data, -1);
  g_hmac_get_digest (hmac, out, &len);
  g_assert (len == 32);
}

/* hex(HMAC(signing key, @string_to_sign)). */
static char *
signature_for (const SmSigV4Credentials *creds,
               const char               *date8,
               const char               *string_to_sign)
{
  g_autofree char *secret = g_strconcat ("AWS4", creds->secret_access_key, NULL);
  guint8 k_date[32], k_region[32], k_service[32], k_signing[32];
  g_autoptr(GHmac) hmac = NULL;
  char *hex;

  hmac_sha256 ((const guint8 *) secret, strlen (secret), date8, k_date);
  hmac_sha256 (k_date, 32, creds->region, k_region);
  hmac_sha256 (k_region, 32, creds->service, k_service);
  hmac_sha256 (k_service, 32, "aws4_request", k_signing);

  hmac = g_hmac_new (G_CHECKSUM_SHA256, k_signing, 32);
  g_hmac_update (hmac, (const guchar *) string_to_sign, -1);
  hex = g_strdup (g_hmac_get_string (hmac));

  /* The keys derive from the secret: do not leave them on the stack. */
  memset (secret, 0, strlen (secret));
  memset (k_date, 0, sizeof k_date);
  memset (k_region, 0, sizeof k_region);
  memset (k_service, 0, sizeof k_service);
  memset (k_signing, 0, sizeof k_signing);
  return hex;
}

/* The signature of the canonical request made of the parts given; also
 * the scope "DATE/REGION/SERVICE/aws4_request". */
static char *
sign_canonical (const SmSigV4Credentials *creds,
                const char               *method,
                const char               *path,
                const char               *canonical_query,
                GArray                   *headers,      /* sorted, lower-case */
                const char               *payload,
                const char               *amz_date,
                char                    **signed_headers_out)
{
  g_autoptr(GString) canonical = g_string_new (NULL);
  g_autoptr(GString) signed_headers = g_string_new (NULL);
  g_autofree char *date8 = g_strndup (amz_date, 8);
  g_autofree char *canonical_hash = NULL;
  g_autofree char *string_to_sign = NULL;

  g_string_append_printf (canonical, "%s\n%s\n%s\n", method, path, canonical_query);
  for (guint i = 0; i < headers->len; i++)
    {
      Pair *pair = &g_array_index (headers, Pair, i);

      g_string_append_printf (canonical, "%s:%s\n", pair->name, pair->value);
      if (i > 0)
        g_string_append_c (signed_headers, ';');
      g_string_append (signed_headers, pair->name);
    }
  g_string_append_printf (canonical, "\n%s\n%s", signed_headers->str, payload);

  canonical_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical->str, canonical->len);
  string_to_sign = g_strdup_printf ("AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
                                    amz_date, date8, creds->region, creds->service,
                                    canonical_hash);

  *signed_headers_out = g_strdup (signed_headers->str);
  return signature_for (creds, date8, string_to_sign);
}

static gboolean
creds_valid (const SmSigV4Credentials *creds)
{
  return creds != NULL && creds->access_key_id != NULL && creds->secret_access_key != NULL &&
         creds->region != NULL && creds->service != NULL;
}

char *
sm_sigv4_authorization (const SmSigV4Credentials  *creds,
                        const char                *method,
                        const char                *https_url,
                        const char * const        *headers,
                        const char                *payload_sha256,
                        gint64                     unix_time,
                        GError                   **error)
{
  g_auto(SplitUrl) url = { 0 };
  g_autoptr(GArray) query = pairs_new ();
  g_autoptr(GArray) signed_headers = pairs_new ();
  g_autofree char *canonical_query = NULL;
  g_autofree char *amz_date = NULL;
  g_autofree char *names = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *date8 = NULL;

  g_return_val_if_fail (creds_valid (creds), NULL);
  g_return_val_if_fail (method != NULL && https_url != NULL && payload_sha256 != NULL, NULL);

  if (!split_url (https_url, &url, error))
    return NULL;

  query_to_pairs (url.query, query);
  g_array_sort (query, pair_compare);
  canonical_query = pairs_join (query);

  amz_date = sm_sigv4_amz_date (unix_time);
  pairs_add (signed_headers, "host", url.host);
  pairs_add (signed_headers, "x-amz-content-sha256", payload_sha256);
  pairs_add (signed_headers, "x-amz-date", amz_date);
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    {
      g_autofree char *name = g_ascii_strdown (headers[i], -1);
      g_autofree char *value = trim_all (headers[i + 1]);

      pairs_add (signed_headers, name, value);
    }
  g_array_sort (signed_headers, pair_compare);

  signature = sign_canonical (creds, method, url.path, canonical_query, signed_headers,
                              payload_sha256, amz_date, &names);
  date8 = g_strndup (amz_date, 8);

  return g_strdup_printf ("AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
                          "SignedHeaders=%s, Signature=%s",
                          creds->access_key_id, date8, creds->region, creds->service,
                          names, signature);
}

char *
sm_sigv4_presign (const SmSigV4Credentials  *creds,
                  const char                *method,
                  const char                *https_url,
                  guint                      expires_s,
                  gint64                     unix_time,
                  GError                   **error)
{
  g_auto(SplitUrl) url = { 0 };
  g_autoptr(GArray) params = pairs_new ();
  g_autoptr(GArray) sorted = pairs_new ();
  g_autoptr(GArray) headers = pairs_new ();
  g_autofree char *amz_date = NULL;
  g_autofree char *date8 = NULL;
  g_autofree char *credential = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *query = NULL;
  g_autofree char *canonical_query = NULL;
  g_autofree char *names = NULL;
  g_autofree char *signature = NULL;

  g_return_val_if_fail (creds_valid (creds), NULL);
  g_return_val_if_fail (method != NULL && https_url != NULL, NULL);

  if (expires_s < 1 || expires_s > SM_SIGV4_MAX_EXPIRES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A presigned address can live from 1 second to %u seconds (seven days)"),
                   (guint) SM_SIGV4_MAX_EXPIRES);
      return NULL;
    }
  if (!split_url (https_url, &url, error))
    return NULL;

  amz_date = sm_sigv4_amz_date (unix_time);
  date8 = g_strndup (amz_date, 8);
  {
    g_autofree char *raw = g_strdup_printf ("%s/%s/%s/%s/aws4_request", creds->access_key_id,
                                            date8, creds->region, creds->service);

    credential = sm_sigv4_uri_encode (raw, FALSE);
  }
  expires = g_strdup_printf ("%u", expires_s);

  /* The operation's own parameters first, then the auth ones, in the order
   * AWS's SDKs write them. */
  query_to_pairs (url.query, params);
  pairs_add (params, "X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  pairs_add (params, "X-Amz-Credential", credential);
  pairs_add (params, "X-Amz-Date", amz_date);
  pairs_add (params, "X-Amz-Expires", expires);
  pairs_add (params, "X-Amz-SignedHeaders", "host");
  query = pairs_join (params);

  for (guint i = 0; i < params->len; i++)
    {
      Pair *pair = &g_array_index (params, Pair, i);

      pairs_add (sorted, pair->name, pair->value);
    }
  g_array_sort (sorted, pair_compare);
  canonical_query = pairs_join (sorted);

  pairs_add (headers, "host", url.host);
  signature = sign_canonical (creds, method, url.path, canonical_query, headers,
                              SM_SIGV4_UNSIGNED_PAYLOAD, amz_date, &names);

  return g_strdup_printf ("%s%s?%s&X-Amz-Signature=%s", url.scheme_authority, url.path,
                          query, signature);
}

gboolean
sm_sigv4_sign_message (const SmSigV4Credentials  *creds,
                       SoupMessage               *msg,
                       const char                *https_url,
                       const char                *payload_sha256,
                       gint64                     unix_time,
                       GError                   **error)
{
  SoupMessageHeaders *headers;
  const char *content_type;
  const char *extra[3] = { NULL, NULL, NULL };
  g_autofree char *authorization = NULL;
  g_autofree char *amz_date = NULL;

  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), FALSE);

  headers = soup_message_get_request_headers (msg);
  content_type = soup_message_headers_get_one (headers, "Content-Type");
  if (content_type != NULL)
    {
      extra[0] = "content-type";
      extra[1] = content_type;
    }

  authorization = sm_sigv4_authorization (creds, soup_message_get_method (msg), https_url,
                                          extra, payload_sha256, unix_time, error);
  if (authorization == NULL)
    return FALSE;

  amz_date = sm_sigv4_amz_date (unix_time);
  soup_message_headers_replace (headers, "X-Amz-Date", amz_date);
  soup_message_headers_replace (headers, "X-Amz-Content-SHA256", payload_sha256);
  soup_message_headers_replace (headers, "Authorization", authorization);
  return TRUE;
}
