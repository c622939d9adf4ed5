/* sm-sigv4.h — AWS Signature Version 4, as S3 and S3-compatible stores
 * check it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions of their inputs (the time is a parameter), so that they
 * can be checked byte for byte against botocore (tests/test-sigv4.c).
 *
 * URLs given here are the real https:// URLs, with the path already encoded
 * by sm_sigv4_uri_encode (@keep_slash TRUE) and the query, if any, already
 * encoded pair by pair with sm_sigv4_uri_encode (@keep_slash FALSE).  The
 * signature covers the real host even when the request is sent to the
 * sandbox (SO_ME_STUDIO_NETWORK_BASE).
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SM_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SM_SIGV4_EMPTY_SHA256     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* The longest a presigned URL may live (seven days). */
#define SM_SIGV4_MAX_EXPIRES      604800

typedef struct
{
  const char *access_key_id;
  const char *secret_access_key;
  const char *region;
  const char *service;   /* "s3" */
} SmSigV4Credentials;

/* Percent-encodes @text (UTF-8) as SigV4 wants: A-Z a-z 0-9 - _ . ~ are
 * kept, every other byte becomes %XX (upper-case hex); '/' is kept when
 * @keep_slash (an S3 key in a path). */
char     *sm_sigv4_uri_encode    (const char               *text,
                                  gboolean                  keep_slash);

/* "20130524T000000Z" for @unix_time (UTC). */
char     *sm_sigv4_amz_date      (gint64                    unix_time);

/* The Authorization header value for a request to @https_url.  The request
 * must be sent with "X-Amz-Date: sm_sigv4_amz_date (@unix_time)" and
 * "X-Amz-Content-SHA256: @payload_sha256" (hex SHA-256 of the body, or
 * SM_SIGV4_UNSIGNED_PAYLOAD), which are signed along with Host and the
 * NULL-terminated name, value pairs of @headers (e.g. Content-Type).
 * NULL with G_IO_ERROR_INVALID_ARGUMENT when the URL is not https://. */
char     *sm_sigv4_authorization (const SmSigV4Credentials *creds,
                                  const char               *method,
                                  const char               *https_url,
                                  const char * const       *headers,
                                  const char               *payload_sha256,
                                  gint64                    unix_time,
                                  GError                  **error);

/* A presigned URL: @https_url with X-Amz-Algorithm, X-Amz-Credential,
 * X-Amz-Date, X-Amz-Expires and X-Amz-SignedHeaders=host appended to its
 * query, then X-Amz-Signature.  @expires_s is 1 … SM_SIGV4_MAX_EXPIRES. */
char     *sm_sigv4_presign       (const SmSigV4Credentials *creds,
                                  const char               *method,
                                  const char               *https_url,
                                  guint                     expires_s,
                                  gint64                    unix_time,
                                  GError                  **error);

/* Signs @msg (made with sm_http_message_new for @https_url): sets
 * X-Amz-Date, X-Amz-Content-SHA256 and Authorization, signing Host (the
 * real one from @https_url) and Content-Type when @msg has one. */
gboolean  sm_sigv4_sign_message  (const SmSigV4Credentials *creds,
                                  SoupMessage              *msg,
                                  const char               *https_url,
                                  const char               *payload_sha256,
                                  gint64                    unix_time,
                                  GError                  **error);

G_END_DECLS
