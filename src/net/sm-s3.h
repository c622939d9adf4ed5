/* sm-s3.h — the user's S3-compatible bucket, as a media host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Instagram and Threads fetch media from a URL.  The file is PUT into the
 * user's bucket (AWS S3, or any store that speaks S3 with Signature V4:
 * MinIO, Garage, Ceph, Cloudflare R2, Backblaze B2, Wasabi…) under an
 * unguessable key, and the network is given a presigned GET URL that
 * expires.  The bucket stays private: nothing in it is public.
 *
 * Addressing: "path-style" (https://ENDPOINT/BUCKET/KEY) or
 * "virtual-hosted" (https://BUCKET.ENDPOINT-HOST/KEY).  When not chosen,
 * AWS endpoints (s3.amazonaws.com, s3.REGION.amazonaws.com) use
 * virtual-hosted, as AWS wants, unless the bucket name has a dot (its TLS
 * certificate would not match); every other endpoint uses path-style, which
 * is what self-hosted stores answer without DNS set-up.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "sm-media-host.h"

G_BEGIN_DECLS

typedef enum
{
  SM_S3_ADDRESSING_AUTO,
  SM_S3_ADDRESSING_PATH,
  SM_S3_ADDRESSING_VIRTUAL,
} SmS3Addressing;

typedef struct
{
  char           *endpoint;           /* https://host[:port], no path */
  char           *region;
  char           *bucket;
  char           *access_key_id;
  char           *secret_access_key;
  SmS3Addressing  addressing;
} SmS3Config;

/* Where put() stores files: PREFIX "<32 random hex>/" BASENAME. */
#define SM_S3_KEY_PREFIX "so-me-studio/"

SmS3Config *sm_s3_config_new        (const char       *endpoint,
                                     const char       *region,
                                     const char       *bucket,
                                     const char       *access_key_id,
                                     const char       *secret_access_key,
                                     SmS3Addressing    addressing);
SmS3Config *sm_s3_config_copy       (const SmS3Config *config);
/* Overwrites the secret before freeing it. */
void        sm_s3_config_free       (SmS3Config       *config);
/* Checks the fields a user types (https endpoint without path, region,
 * bucket name rules); G_IO_ERROR_INVALID_ARGUMENT with the reason. */
gboolean    sm_s3_config_validate   (const SmS3Config *config,
                                     GError          **error);
/* AUTO resolved as described above. */
SmS3Addressing sm_s3_config_get_addressing (const SmS3Config *config);
const char *sm_s3_addressing_to_string     (SmS3Addressing    addressing);

/* https:// URL of @key (raw, UTF-8) in the bucket, key encoded. */
char       *sm_s3_object_url        (const SmS3Config *config,
                                     const char       *key);
/* A presigned GET of @key valid for @lifetime_s from @unix_time. */
char       *sm_s3_presign_get       (const SmS3Config *config,
                                     const char       *key,
                                     guint             lifetime_s,
                                     gint64            unix_time,
                                     GError          **error);
/* SM_S3_KEY_PREFIX + 32 random hex digits + "/" + basename of @path. */
char       *sm_s3_new_key           (const char       *path);

/* PUT of the file at @path, streamed from disk with its Content-Length. */
gboolean    sm_s3_put_file          (const SmS3Config *config,
                                     SoupSession      *session,
                                     const char       *key,
                                     const char       *path,
                                     const char       *content_type,
                                     GCancellable     *cancellable,
                                     GError          **error);
gboolean    sm_s3_put_bytes         (const SmS3Config *config,
                                     SoupSession      *session,
                                     const char       *key,
                                     GBytes           *bytes,
                                     const char       *content_type,
                                     GCancellable     *cancellable,
                                     GError          **error);
/* DELETE; a key that is not there (204 or 404) is success. */
gboolean    sm_s3_delete            (const SmS3Config *config,
                                     SoupSession      *session,
                                     const char       *key,
                                     GCancellable     *cancellable,
                                     GError          **error);
/* GET of a presigned @url without credentials, as a network does: the
 * body, or NULL with the store's error. */
GBytes     *sm_s3_fetch_presigned   (const SmS3Config *config,
                                     SoupSession      *session,
                                     const char       *url,
                                     GCancellable     *cancellable,
                                     GError          **error);
/* A real round trip: PUT a tiny object, GET it through a presigned URL,
 * DELETE it.  What `so-me bucket set` and `so-me bucket test` run. */
gboolean    sm_s3_check             (const SmS3Config *config,
                                     SoupSession      *session,
                                     GCancellable     *cancellable,
                                     GError          **error);

/* A media host on a copy of @config; free with sm_s3_media_host_free. */
SmMediaHost *sm_s3_media_host_new   (const SmS3Config *config);
void         sm_s3_media_host_free  (SmMediaHost      *host);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmS3Config, sm_s3_config_free)

G_END_DECLS
