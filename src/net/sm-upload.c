/* sm-upload.c — resumable uploads streamed from disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two things keep a resumed upload honest.  Each chunk goes on a new
 * connection: libsoup quietly sends an idempotent request (PUT) again when
 * a reused connection dies before the answer, and a chunk sent again after
 * the network kept part of it would no longer start where the network is.
 * And after any failure the network is asked what it has (a status query)
 * before another byte is sent, never assumed.
 */
#define G_LOG_DOMAIN "sm-upload"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-error.h"
#include "sm-http.h"
#include "sm-upload.h"

/* Failures in a row without the network confirming a new byte. */
#define MAX_FAILURES        5
#define BACKOFF_FIRST_US    (G_USEC_PER_SEC)
#define BACKOFF_MAX_US      (30 * G_USEC_PER_SEC)
/* A 429 asking for longer than this ends the upload: the outbox waits. */
#define MAX_INLINE_WAIT_US  (60 * G_USEC_PER_SEC)

#define HTTP_TOO_MANY_REQUESTS 429

G_DEFINE_QUARK (sm-upload-error-quark, sm_upload_error)

/* ---- a window on the file: one chunk, read as it is sent ---------------- */

#define SM_TYPE_UPLOAD_WINDOW (sm_upload_window_get_type ())
G_DECLARE_FINAL_TYPE (SmUploadWindow, sm_upload_window, SM, UPLOAD_WINDOW, GInputStream)

struct _SmUploadWindow
{
  GInputStream  parent_instance;

  GInputStream *base;     /* seekable; shared by every chunk, never closed here */
  goffset       start;
  goffset       length;
  goffset       pos;
};

static void sm_upload_window_seekable_init (GSeekableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmUploadWindow, sm_upload_window, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      sm_upload_window_seekable_init))

static gssize
sm_upload_window_read (GInputStream  *stream,
                       void          *buffer,
                       gsize          count,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SmUploadWindow *self = SM_UPLOAD_WINDOW (stream);
  gssize n;

  if (self->pos >= self->length)
    return 0;
  count = (gsize) MIN ((goffset) count, self->length - self->pos);

  if (!g_seekable_seek (G_SEEKABLE (self->base), self->start + self->pos, G_SEEK_SET,
                        cancellable, error))
    return -1;
  n = g_input_stream_read (self->base, buffer, count, cancellable, error);
  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                           _("The file became shorter while it was being uploaded"));
      return -1;
    }
  if (n > 0)
    self->pos += n;
  return n;
}

static gboolean
sm_upload_window_close (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  /* The file stays open for the next chunk. */
  return TRUE;
}

static goffset
sm_upload_window_tell (GSeekable *seekable)
{
  return SM_UPLOAD_WINDOW (seekable)->pos;
}

static gboolean
sm_upload_window_can_seek (GSeekable *seekable)
{
  return TRUE;
}

/* Should libsoup ever rewind the body to send it again, it gets this
 * chunk's bytes again, not the file's first ones. */
static gboolean
sm_upload_window_seek (GSeekable     *seekable,
                       goffset        offset,
                       GSeekType      type,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SmUploadWindow *self = SM_UPLOAD_WINDOW (seekable);
  goffset target;

  switch (type)
    {
    case G_SEEK_CUR:
      target = self->pos + offset;
      break;
    case G_SEEK_SET:
      target = offset;
      break;
    case G_SEEK_END:
      target = self->length + offset;
      break;
    default:
      g_assert_not_reached ();
    }

  if (target < 0 || target > self->length)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Seek outside the chunk");
      return FALSE;
    }
  self->pos = target;
  return TRUE;
}

static gboolean
sm_upload_window_can_truncate (GSeekable *seekable)
{
  return FALSE;
}

static gboolean
sm_upload_window_truncate (GSeekable     *seekable,
                           goffset        offset,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Cannot truncate");
  return FALSE;
}

static void
sm_upload_window_seekable_init (GSeekableIface *iface)
{
  iface->tell = sm_upload_window_tell;
  iface->can_seek = sm_upload_window_can_seek;
  iface->seek = sm_upload_window_seek;
  iface->can_truncate = sm_upload_window_can_truncate;
  iface->truncate_fn = sm_upload_window_truncate;
}

static void
sm_upload_window_finalize (GObject *object)
{
  SmUploadWindow *self = SM_UPLOAD_WINDOW (object);

  g_clear_object (&self->base);

  G_OBJECT_CLASS (sm_upload_window_parent_class)->finalize (object);
}

static void
sm_upload_window_class_init (SmUploadWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = sm_upload_window_finalize;
  stream_class->read_fn = sm_upload_window_read;
  stream_class->close_fn = sm_upload_window_close;
}

static void
sm_upload_window_init (SmUploadWindow *self)
{
}

GInputStream *
sm_upload_window_new (GInputStream *base,
                      goffset       start,
                      goffset       length)
{
  SmUploadWindow *self = g_object_new (SM_TYPE_UPLOAD_WINDOW, NULL);

  self->base = g_object_ref (base);
  self->start = start;
  self->length = length;
  return G_INPUT_STREAM (self);
}

/* ---- one upload ---------------------------------------------------------- */

typedef struct
{
  SoupSession          *session;
  const char           *url;
  goffset               total;
  const char           *content_type;
  const char           *bearer;
  SmUploadProgressFunc  progress;
  gpointer              user_data;
  GInputStream         *file;          /* NULL for a query alone */
  goffset               acknowledged;  /* what the network confirmed */
  goffset               sent;
} Upload;

typedef enum
{
  ANSWER_INCOMPLETE,  /* 308: *acknowledged_out says how far */
  ANSWER_DONE,        /* 200/201: the finished resource */
  ANSWER_RETRY,       /* lost, 5xx, 408, 429: ask, then go on */
  ANSWER_FAILED,      /* the error says why */
} Answer;

static void
report (Upload *upload)
{
  if (upload->progress != NULL)
    upload->progress (upload->sent, upload->acknowledged, upload->total, upload->user_data);
}

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        chunk_size,
                    gpointer     user_data)
{
  Upload *upload = user_data;

  upload->sent += chunk_size;
  report (upload);
}

/* The real host and path of @msg, for messages and logs: never the
 * query, which holds the session id. */
static char *
real_url (SoupMessage *msg,
          char       **host_out)
{
  g_autofree char *resolved = g_uri_to_string_partial (soup_message_get_uri (msg),
                                                       G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT |
                                                       G_URI_HIDE_USERINFO | G_URI_HIDE_PASSWORD |
                                                       G_URI_HIDE_AUTH_PARAMS);
  char *real = sm_http_unresolve_url (resolved);
  g_autoptr(GUri) uri = g_uri_parse (real, G_URI_FLAGS_ENCODED, NULL);

  *host_out = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "?");
  return real;
}

/* "bytes=0-N" → N + 1; no header → 0; -1 when it says something else. */
static goffset
parse_range (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Range");
  guint64 last;

  if (value == NULL)
    return 0;
  if (!g_str_has_prefix (value, "bytes=0-") ||
      !g_ascii_string_to_unsigned (value + strlen ("bytes=0-"), 10, 0, G_MAXINT64 - 1, &last, NULL))
    return -1;
  return (goffset) last + 1;
}

/* The network's words from a Google-style error envelope or a plain text
 * body, on one line; NULL when there are none. */
static char *
error_detail (JsonNode *root,
              GBytes   *body)
{
  const char *message = sm_json_get_string (root, "error.message");
  const char *reason = sm_json_get_string (root, "error.errors.0.reason");
  g_autofree char *text = NULL;

  if (message == NULL && root == NULL && body != NULL && g_bytes_get_size (body) > 0 &&
      g_bytes_get_size (body) < 500)
    message = text = g_utf8_make_valid (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (message == NULL)
    message = sm_json_get_string (root, "error_description");
  if (message == NULL)
    return NULL;
  if (reason != NULL && strstr (message, reason) == NULL)
    return g_strdelimit (g_strdup_printf ("%s (%s)", message, reason), "\r\n\t", ' ');
  return g_strdelimit (g_strdup (message), "\r\n\t", ' ');
}

/* One PUT: a chunk of @len bytes at upload->acknowledged, or a status
 * query when @len is 0. */
static Answer
put_once (Upload        *upload,
          gsize          len,
          goffset       *acknowledged_out,
          gint64        *retry_after_us,
          JsonNode     **json_out,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *range = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;
  gulong handler = 0;
  guint status;

  *retry_after_us = -1;

  msg = sm_http_message_new ("PUT", upload->url, error);
  if (msg == NULL)
    return ANSWER_FAILED;
  url = real_url (msg, &host);
  if (upload->bearer != NULL)
    sm_http_set_bearer (msg, upload->bearer);
  headers = soup_message_get_request_headers (msg);

  if (len == 0)
    {
      g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);

      range = g_strdup_printf ("bytes */%" G_GOFFSET_FORMAT, upload->total);
      soup_message_set_request_body_from_bytes (msg, NULL, empty);
    }
  else
    {
      g_autoptr(GInputStream) window = sm_upload_window_new (upload->file, upload->acknowledged,
                                                             (goffset) len);

      range = g_strdup_printf ("bytes %" G_GOFFSET_FORMAT "-%" G_GOFFSET_FORMAT "/%" G_GOFFSET_FORMAT,
                               upload->acknowledged, upload->acknowledged + (goffset) len - 1,
                               upload->total);
      soup_message_set_request_body (msg, upload->content_type, window, (gssize) len);
      soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
      upload->sent = upload->acknowledged;
      handler = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), upload);
    }
  soup_message_headers_replace (headers, "Content-Range", range);

  /* Whether it got there or not does not matter here: a status query
   * follows any failure, so transport errors are all alike. */
  g_debug ("PUT %s %s", url, range);
  body = soup_session_send_and_read (upload->session, msg, cancellable, &local_error);
  if (handler != 0)
    g_signal_handler_disconnect (msg, handler);
  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return ANSWER_FAILED;
        }
      g_debug ("PUT %s %s failed: %s", url, range, local_error->message);
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                   _("The upload to %s was interrupted (%s). It will go on from where it "
                     "stopped."),
                   host, local_error->message);
      return ANSWER_RETRY;
    }

  status = soup_message_get_status (msg);
  g_debug ("PUT %s %s -> %u", url, range, status);
  if (g_bytes_get_size (body) > 0)
    root = sm_http_parse_json (body, NULL);

  if (status == 308)
    {
      goffset acknowledged = parse_range (soup_message_get_response_headers (msg));

      if (acknowledged < 0 || acknowledged > upload->total)
        {
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("%s sent an upload answer that could not be understood. "
                         "It will be tried again."),
                       host);
          return ANSWER_RETRY;
        }
      *acknowledged_out = acknowledged;
      return ANSWER_INCOMPLETE;
    }

  if (status == SOUP_STATUS_OK || status == SOUP_STATUS_CREATED)
    {
      if (root == NULL)
        {
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                       _("%s took the whole file but its answer could not be understood. "
                         "The upload is checked again before anything is sent."),
                       host);
          return ANSWER_FAILED;
        }
      *json_out = g_steal_pointer (&root);
      return ANSWER_DONE;
    }

  if (SOUP_STATUS_IS_SERVER_ERROR (status) || status == SOUP_STATUS_REQUEST_TIMEOUT ||
      status == HTTP_TOO_MANY_REQUESTS)
    {
      g_autofree char *detail = error_detail (root, body);

      if (status == HTTP_TOO_MANY_REQUESTS)
        *retry_after_us = sm_http_retry_after_us (soup_message_get_response_headers (msg),
                                                  g_get_real_time ());
      g_set_error (error, SM_PLATFORM_ERROR,
                   status == HTTP_TOO_MANY_REQUESTS ? SM_PLATFORM_ERROR_RATE_LIMITED
                                                    : SM_PLATFORM_ERROR_TRANSIENT,
                   _("%s could not take the upload just now (HTTP %u%s%s). "
                     "It will go on from where it stopped."),
                   host, status, detail != NULL ? ": " : "", detail != NULL ? detail : "");
      return ANSWER_RETRY;
    }

  /* A refusal: the caller may read the network's own envelope. */
  *json_out = g_steal_pointer (&root);
  if (status == SOUP_STATUS_UNAUTHORIZED)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED,
                 _("The %s sign-in expired during the upload. It will be renewed and the "
                   "upload will go on."),
                 host);
  else if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    g_set_error (error, SM_UPLOAD_ERROR, SM_UPLOAD_ERROR_SESSION_EXPIRED,
                 _("%s no longer has this upload; it will start again from the beginning."),
                 host);
  else
    {
      g_autofree char *detail = error_detail (*json_out, body);

      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s refused the upload: %s"), host,
                   detail != NULL ? detail : soup_status_get_phrase (status));
    }
  return ANSWER_FAILED;
}

static gboolean
wait_us (gint64         delay_us,
         GCancellable  *cancellable,
         GError       **error)
{
  GPollFD pfd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (delay_us > 0)
    {
      if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pfd))
        {
          g_poll (&pfd, 1, (gint) ((delay_us + 999) / 1000));
          g_cancellable_release_fd (cancellable);
        }
      else
        g_usleep ((gulong) delay_us);
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Exponential, with jitter so that many uploads do not come back at once. */
static gint64
backoff_us (guint failures)
{
  gint64 delay = BACKOFF_FIRST_US << MIN (failures - 1, 10u);

  delay = MIN (delay, BACKOFF_MAX_US);
  return delay + g_random_int_range (0, (gint32) (delay / 2) + 1);
}

/**
 * sm_upload_resumable_put:
 * @session: a #SoupSession
 * @session_url: the session URL the network handed out (real https://)
 * @file: the file to send
 * @total: its size in bytes, as announced when the session was opened
 * @start_offset: what the network acknowledged before (0 for a new
 *   session); anything else is checked with a status query first
 * @chunk_size: bytes per PUT, a multiple of %SM_UPLOAD_CHUNK_GRANULARITY
 * @content_type: the file's MIME type
 * @bearer: (nullable): the access token
 * @progress: (nullable) (scope call): see #SmUploadProgressFunc
 * @user_data: for @progress
 * @acknowledged_out: (out) (optional): the bytes the network confirmed,
 *   also on failure, so that the caller can persist it and resume
 * @final_json_out: (out) (optional): the finished resource on success; on
 *   a refusal, the error body when it is JSON (for the network's envelope)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, see #SmUploadError
 *
 * Sends @file from @start_offset to the end, retrying lost connections and
 * server errors a few times with exponential backoff, asking the network
 * where it stands before each retry.
 *
 * Returns: %TRUE when the network has the whole file
 */
gboolean
sm_upload_resumable_put (SoupSession           *session,
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
                         GError               **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) last_error = NULL;
  g_autofree char *name = NULL;
  Upload upload = { 0 };
  gboolean ask_first;
  guint failures = 0;

  g_return_val_if_fail (SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (session_url != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (total > 0, FALSE);
  g_return_val_if_fail (start_offset >= 0 && start_offset <= total, FALSE);
  g_return_val_if_fail (chunk_size > 0 && chunk_size % SM_UPLOAD_CHUNK_GRANULARITY == 0, FALSE);
  g_return_val_if_fail (content_type != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (acknowledged_out != NULL)
    *acknowledged_out = start_offset;
  if (final_json_out != NULL)
    *final_json_out = NULL;

  name = g_file_get_parse_name (file);
  stream = g_file_read (file, cancellable, &local_error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable,
                                           &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("%s cannot be read (%s); put it back or attach it again."),
                     name, local_error->message);
      return FALSE;
    }
  if (g_file_info_get_size (info) != total)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s is not the size it had when the upload started; attach it again."),
                   name);
      return FALSE;
    }

  upload.session = session;
  upload.url = session_url;
  upload.total = total;
  upload.content_type = content_type;
  upload.bearer = bearer;
  upload.progress = progress;
  upload.user_data = user_data;
  upload.file = G_INPUT_STREAM (stream);
  upload.acknowledged = start_offset;
  upload.sent = start_offset;

  /* A session from before (another run, another attempt): where it stands
   * is the network's to say. */
  ask_first = start_offset > 0;

  for (;;)
    {
      g_autoptr(JsonNode) json = NULL;
      g_autoptr(GError) attempt_error = NULL;
      goffset acknowledged = -1;
      gint64 retry_after = -1;
      gsize len = 0;
      Answer answer;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (!ask_first)
        len = (gsize) MIN ((goffset) chunk_size, total - upload.acknowledged);
      answer = put_once (&upload, len, &acknowledged, &retry_after, &json, cancellable,
                         &attempt_error);

      switch (answer)
        {
        case ANSWER_INCOMPLETE:
          {
            gboolean moved = acknowledged > upload.acknowledged;

            upload.acknowledged = acknowledged;
            upload.sent = acknowledged;
            if (acknowledged_out != NULL)
              *acknowledged_out = acknowledged;
            report (&upload);
            if (moved)
              failures = 0;

            /* A chunk that moved nothing, or every byte there and still
             * not finished: worth a few more tries, not a loop for ever. */
            if (acknowledged < total && (moved || ask_first))
              {
                ask_first = FALSE;
                break;
              }
            g_set_error (&attempt_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                         _("The upload is not moving forward. It will be tried again later."));
          }
          G_GNUC_FALLTHROUGH;

        case ANSWER_RETRY:
          failures++;
          g_clear_error (&last_error);
          last_error = g_steal_pointer (&attempt_error);
          if (failures > MAX_FAILURES || retry_after > MAX_INLINE_WAIT_US)
            {
              g_propagate_error (error, g_steal_pointer (&last_error));
              return FALSE;
            }
          g_debug ("upload: try %u after: %s", failures, last_error->message);
          if (!wait_us (retry_after >= 0 ? retry_after : backoff_us (failures), cancellable, error))
            return FALSE;
          ask_first = TRUE;
          break;

        case ANSWER_DONE:
          upload.acknowledged = total;
          upload.sent = total;
          if (acknowledged_out != NULL)
            *acknowledged_out = total;
          report (&upload);
          if (final_json_out != NULL)
            *final_json_out = g_steal_pointer (&json);
          return TRUE;

        case ANSWER_FAILED:
          if (final_json_out != NULL)
            *final_json_out = g_steal_pointer (&json);
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return FALSE;

        default:
          g_assert_not_reached ();
        }
    }
}

/**
 * sm_upload_query_offset:
 * @session: a #SoupSession
 * @session_url: the session URL the network handed out
 * @total: the file's size, as announced when the session was opened
 * @bearer: (nullable): the access token
 * @acknowledged_out: (out): the bytes the network has (@total when done)
 * @final_json_out: (out) (optional): the finished resource when the upload
 *   is complete, else %NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, see #SmUploadError
 *
 * Asks the network where an upload stands (one status query, no retry).
 *
 * Returns: %TRUE when the network answered
 */
gboolean
sm_upload_query_offset (SoupSession   *session,
                        const char    *session_url,
                        goffset        total,
                        const char    *bearer,
                        goffset       *acknowledged_out,
                        JsonNode     **final_json_out,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(JsonNode) json = NULL;
  Upload upload = { 0 };
  goffset acknowledged = 0;
  gint64 retry_after;

  g_return_val_if_fail (SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (session_url != NULL, FALSE);
  g_return_val_if_fail (total > 0, FALSE);
  g_return_val_if_fail (acknowledged_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (final_json_out != NULL)
    *final_json_out = NULL;

  upload.session = session;
  upload.url = session_url;
  upload.total = total;
  upload.bearer = bearer;

  switch (put_once (&upload, 0, &acknowledged, &retry_after, &json, cancellable, error))
    {
    case ANSWER_INCOMPLETE:
      *acknowledged_out = acknowledged;
      return TRUE;

    case ANSWER_DONE:
      *acknowledged_out = total;
      if (final_json_out != NULL)
        *final_json_out = g_steal_pointer (&json);
      return TRUE;

    case ANSWER_RETRY:
    case ANSWER_FAILED:
      if (final_json_out != NULL)
        *final_json_out = g_steal_pointer (&json);
      return FALSE;

    default:
      g_assert_not_reached ();
    }
}
