/* sm-upload.h — resumable uploads streamed from disk: Google's resumable
 * protocol (YouTube, ../shared/docs/platform-apis.md section 1.3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The network hands out a session URL; the file goes to it in chunks of
 * PUT with Content-Range, each answered 308 with the Range the network has
 * stored, the last one with the finished resource.  Memory does not grow
 * with the file: each chunk is read from the file as it is written to the
 * socket.  A lost connection or a 5xx is followed by a status query
 * (Content-Range: bytes * /TOTAL) and the upload goes on from what the
 * network says it has.  Everything here is synchronous: call it from a
 * worker thread, as the SmPlatform methods are.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Chunks other than the last are multiples of this. */
#define SM_UPLOAD_CHUNK_GRANULARITY  (256 * 1024)
/* What Postiz uses for YouTube: few requests, little to resend. */
#define SM_UPLOAD_DEFAULT_CHUNK_SIZE (8 * 1024 * 1024)

#define SM_UPLOAD_ERROR (sm_upload_error_quark ())

/**
 * SmUploadError:
 * @SM_UPLOAD_ERROR_SESSION_EXPIRED: the network no longer knows the session
 *   (404 or 410): open a new one and send the file again from byte 0
 *
 * Other failures are in SM_PLATFORM_ERROR: TRANSIENT (gave up retrying
 * after lost connections or 5xx; resume later), RATE_LIMITED (429 with a
 * long wait), AUTH_EXPIRED (401: refresh, then resume on the same session),
 * REJECTED (any other refusal, or a file that is not what it should be),
 * OUTCOME_UNKNOWN (finished, but the answer could not be read: query the
 * session again).  G_IO_ERROR_CANCELLED when cancelled.
 */
typedef enum
{
  SM_UPLOAD_ERROR_SESSION_EXPIRED,
} SmUploadError;

GQuark sm_upload_error_quark (void);

/* Called on the uploading thread.  @sent grows as bytes are written (and
 * goes back to @acknowledged when a chunk is sent again); @acknowledged
 * changes only when the network has confirmed bytes: that is the moment to
 * persist the session URL and @acknowledged. */
typedef void (*SmUploadProgressFunc) (goffset  sent,
                                      goffset  acknowledged,
                                      goffset  total,
                                      gpointer user_data);

gboolean sm_upload_resumable_put (SoupSession           *session,
                                  const char            *session_url,
                                  GFile                 *file,
                                  goffset                total,
                                  goffset                start_offset,
                                  gsize                  chunk_size,
                                  const char            *content_type,
                                  const char            *bearer,
                                  SmUploadProgressFunc   progress,
                                  gpointer               user_data,
                                  goffset               *acknowledged_out,
                                  JsonNode             **final_json_out,
                                  GCancellable          *cancellable,
                                  GError               **error);

gboolean sm_upload_query_offset  (SoupSession           *session,
                                  const char            *session_url,
                                  goffset                total,
                                  const char            *bearer,
                                  goffset               *acknowledged_out,
                                  JsonNode             **final_json_out,
                                  GCancellable          *cancellable,
                                  GError               **error);

/* @length bytes of @base (a seekable stream, e.g. a GFileInputStream) from
 * @start, read as they are sent, seekable within; closing it leaves @base
 * open.  For networks that take a file in parts of their own (LinkedIn). */
GInputStream *sm_upload_window_new (GInputStream          *base,
                                    goffset                start,
                                    goffset                length);

G_END_DECLS
