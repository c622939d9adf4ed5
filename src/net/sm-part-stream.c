/* sm-part-stream.c — a multipart/form-data body streamed from a file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup's SoupMultipart wants every part in memory; an upload segment of
 * several megabytes should not have to be.  This stream is the multipart
 * text around a window on the file, read as libsoup writes the request.
 * It is seekable so that libsoup can rewind it to send it again.
 */
#define G_LOG_DOMAIN "sm-part-stream"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-part-stream.h"

struct _SmPartStream
{
  GInputStream  parent_instance;

  GBytes       *head;
  GInputStream *file;     /* seekable, shared, never closed here */
  goffset       offset;
  goffset       length;
  GBytes       *tail;
  goffset       pos;      /* in the whole body */
};

static void sm_part_stream_seekable_init (GSeekableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPartStream, sm_part_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      sm_part_stream_seekable_init))

static goffset
total_length (SmPartStream *self)
{
  return (goffset) g_bytes_get_size (self->head) + self->length +
         (goffset) g_bytes_get_size (self->tail);
}

/* Copies from @bytes, which sits at @start in the body. */
static gssize
read_bytes (SmPartStream *self,
            GBytes       *bytes,
            goffset       start,
            void         *buffer,
            gsize         count)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gsize n = MIN (count, (gsize) (start + (goffset) size - self->pos));

  memcpy (buffer, data + (self->pos - start), n);
  self->pos += n;
  return (gssize) n;
}

static gssize
sm_part_stream_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  SmPartStream *self = SM_PART_STREAM (stream);
  goffset head_len = (goffset) g_bytes_get_size (self->head);
  goffset file_end = head_len + self->length;
  goffset in_file;
  gssize n;

  if (count == 0 || self->pos >= total_length (self))
    return 0;
  if (self->pos < head_len)
    return read_bytes (self, self->head, 0, buffer, count);
  if (self->pos >= file_end)
    return read_bytes (self, self->tail, file_end, buffer, count);

  in_file = self->pos - head_len;
  count = (gsize) MIN ((goffset) count, self->length - in_file);
  if (!g_seekable_seek (G_SEEKABLE (self->file), self->offset + in_file, G_SEEK_SET,
                        cancellable, error))
    return -1;
  n = g_input_stream_read (self->file, buffer, count, cancellable, error);
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
sm_part_stream_close (GInputStream  *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  /* The file stays open for the next part. */
  return TRUE;
}

static goffset
sm_part_stream_tell (GSeekable *seekable)
{
  return SM_PART_STREAM (seekable)->pos;
}

static gboolean
sm_part_stream_can_seek (GSeekable *seekable)
{
  return TRUE;
}

static gboolean
sm_part_stream_seek (GSeekable     *seekable,
                     goffset        offset,
                     GSeekType      type,
                     GCancellable  *cancellable,
                     GError       **error)
{
  SmPartStream *self = SM_PART_STREAM (seekable);
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
      target = total_length (self) + offset;
      break;
    default:
      g_assert_not_reached ();
    }

  if (target < 0 || target > total_length (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Seek outside the body");
      return FALSE;
    }
  self->pos = target;
  return TRUE;
}

static gboolean
sm_part_stream_can_truncate (GSeekable *seekable)
{
  return FALSE;
}

static gboolean
sm_part_stream_truncate (GSeekable     *seekable,
                         goffset        offset,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Cannot truncate");
  return FALSE;
}

static void
sm_part_stream_seekable_init (GSeekableIface *iface)
{
  iface->tell = sm_part_stream_tell;
  iface->can_seek = sm_part_stream_can_seek;
  iface->seek = sm_part_stream_seek;
  iface->can_truncate = sm_part_stream_can_truncate;
  iface->truncate_fn = sm_part_stream_truncate;
}

static void
sm_part_stream_finalize (GObject *object)
{
  SmPartStream *self = SM_PART_STREAM (object);

  g_clear_pointer (&self->head, g_bytes_unref);
  g_clear_object (&self->file);
  g_clear_pointer (&self->tail, g_bytes_unref);

  G_OBJECT_CLASS (sm_part_stream_parent_class)->finalize (object);
}

static void
sm_part_stream_class_init (SmPartStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = sm_part_stream_finalize;
  stream_class->read_fn = sm_part_stream_read;
  stream_class->close_fn = sm_part_stream_close;
}

static void
sm_part_stream_init (SmPartStream *self)
{
}

/**
 * sm_part_stream_new:
 * @head: bytes before the file's
 * @file: a seekable stream of the file
 * @offset: where the window starts in @file
 * @length: how many bytes of @file
 * @tail: bytes after the file's
 *
 * Returns: (transfer full): the stream
 */
GInputStream *
sm_part_stream_new (GBytes       *head,
                    GInputStream *file,
                    goffset       offset,
                    goffset       length,
                    GBytes       *tail)
{
  SmPartStream *self;

  g_return_val_if_fail (head != NULL && tail != NULL, NULL);
  g_return_val_if_fail (G_IS_SEEKABLE (file), NULL);
  g_return_val_if_fail (offset >= 0 && length >= 0, NULL);

  self = g_object_new (SM_TYPE_PART_STREAM, NULL);
  self->head = g_bytes_ref (head);
  self->file = g_object_ref (file);
  self->offset = offset;
  self->length = length;
  self->tail = g_bytes_ref (tail);
  return G_INPUT_STREAM (self);
}

/* A quoted-string for a Content-Disposition parameter. */
static void
append_quoted (GString    *s,
               const char *value)
{
  g_string_append_c (s, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      if (*p != '\r' && *p != '\n')
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

/**
 * sm_part_stream_set_form_body:
 *
 * See sm-part-stream.h.
 */
void
sm_part_stream_set_form_body (SoupMessage        *msg,
                              const char * const *fields,
                              const char         *file_field,
                              const char         *filename,
                              const char         *content_type,
                              GInputStream       *file,
                              goffset             offset,
                              goffset             length)
{
  g_autofree char *boundary = NULL;
  g_autofree char *type = NULL;
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(GBytes) head_bytes = NULL;
  g_autoptr(GBytes) tail_bytes = NULL;
  g_autoptr(GInputStream) body = NULL;
  char *tail;

  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (file_field != NULL && content_type != NULL);

  /* 128 random bits: no file holds them by chance. */
  boundary = g_strdup_printf ("so-me-studio-%08x%08x%08x%08x", g_random_int (), g_random_int (),
                              g_random_int (), g_random_int ());

  for (guint i = 0; fields != NULL && fields[i] != NULL && fields[i + 1] != NULL; i += 2)
    {
      g_string_append_printf (head, "--%s\r\nContent-Disposition: form-data; name=", boundary);
      append_quoted (head, fields[i]);
      g_string_append_printf (head, "\r\n\r\n%s\r\n", fields[i + 1]);
    }
  g_string_append_printf (head, "--%s\r\nContent-Disposition: form-data; name=", boundary);
  append_quoted (head, file_field);
  if (filename != NULL)
    {
      g_string_append (head, "; filename=");
      append_quoted (head, filename);
    }
  g_string_append_printf (head, "\r\nContent-Type: %s\r\n\r\n", content_type);

  tail = g_strdup_printf ("\r\n--%s--\r\n", boundary);
  tail_bytes = g_bytes_new_take (tail, strlen (tail));
  head_bytes = g_bytes_new (head->str, head->len);
  body = sm_part_stream_new (head_bytes, file, offset, length, tail_bytes);

  type = g_strdup_printf ("multipart/form-data; boundary=%s", boundary);
  soup_message_set_request_body (msg, type, body,
                                 (gssize) (g_bytes_get_size (head_bytes) + length +
                                           g_bytes_get_size (tail_bytes)));
}
