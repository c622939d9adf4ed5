/* sm-media.c — probing a media file: stat, SHA-256, GstDiscoverer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-media"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "sm-media.h"

/* Hashing reads this much at a time, so memory stays flat for any size. */
#define CHUNK_SIZE (1024 * 1024)
/* How much of the start of the file content sniffing looks at. */
#define HEAD_SIZE 4096
/* How long GstDiscoverer may take over one file. */
#define DISCOVER_TIMEOUT_S 10

G_DEFINE_QUARK (sm-media-error-quark, sm_media_error)

G_DEFINE_BOXED_TYPE (SmMediaInfo, sm_media_info, sm_media_info_copy, sm_media_info_free)

/* GStreamer caps → stable short ids.  The caps names are what the demuxers
 * and parsers in gst-plugins-base/good/libav emit. */
static const struct
{
  const char *caps_name;
  const char *id;
  const char *video_mime;
  const char *audio_mime;
} containers[] = {
  /* video/quicktime is split by its "variant" field in container_from_caps() */
  { "video/webm", "webm", "video/webm", "audio/webm" },
  { "audio/webm", "webm", "video/webm", "audio/webm" },
  { "video/x-matroska", "matroska", "video/x-matroska", "audio/x-matroska" },
  { "audio/x-matroska", "matroska", "video/x-matroska", "audio/x-matroska" },
  { "application/ogg", "ogg", "video/ogg", "audio/ogg" },
  { "video/ogg", "ogg", "video/ogg", "audio/ogg" },
  { "audio/ogg", "ogg", "video/ogg", "audio/ogg" },
  { "video/x-msvideo", "avi", "video/x-msvideo", "video/x-msvideo" },
  { "video/mpegts", "mpegts", "video/mp2t", "video/mp2t" },
  { "video/x-flv", "flv", "video/x-flv", "video/x-flv" },
  { "video/x-ms-asf", "asf", "video/x-ms-asf", "audio/x-ms-wma" },
  { "audio/x-wav", "wav", "audio/wav", "audio/wav" },
  { "audio/x-aiff", "aiff", "audio/aiff", "audio/aiff" },
};

static const struct
{
  const char *variant;
  const char *id;
  const char *video_mime;
  const char *audio_mime;
} quicktime_variants[] = {
  { "iso", "mp4", "video/mp4", "audio/mp4" },
  { "iso-fragmented", "mp4", "video/mp4", "audio/mp4" },
  { "3gpp", "3gp", "video/3gpp", "audio/3gpp" },
  { "apple", "quicktime", "video/quicktime", "video/quicktime" },
};

static gpointer
init_gstreamer (gpointer data G_GNUC_UNUSED)
{
  GError *error = NULL;

  if (!gst_init_check (NULL, NULL, &error))
    return error;
  return NULL;
}

/* The error gst_init_check() gave, or NULL; initialises GStreamer once,
 * from whichever thread gets here first. */
static const GError *
ensure_gstreamer (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, init_gstreamer, NULL);
}

static void
set_not_found (GError    **error,
               const char *name)
{
  g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_NOT_FOUND,
               _("“%s” was not found. It may have been moved, renamed or deleted; "
                 "choose the file again."),
               name);
}

static void
set_unreadable (GError    **error,
                const char *name,
                GError     *cause)
{
  g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_UNREADABLE,
               _("“%s” could not be read (%s). Check that you may open it, "
                 "or copy it somewhere else and choose the copy."),
               name, cause->message);
}

static void
set_corrupt (GError    **error,
             const char *name)
{
  g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_CORRUPT,
               _("“%s” is damaged or incomplete, perhaps only partly copied or "
                 "downloaded. Copy or export it again."),
               name);
}

static void
set_not_media (GError    **error,
               const char *name)
{
  g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_NOT_MEDIA,
               _("“%s” is not an image, video, audio file or document. "
                 "Choose a photo, a video or a PDF."),
               name);
}

/* Streams the whole file through SHA-256, keeping the first HEAD_SIZE bytes
 * for content sniffing. */
static gboolean
hash_file (GFile        *file,
           GCancellable *cancellable,
           char        **sha256,
           guchar       *head,
           gsize        *head_len,
           guint64      *total,
           GError      **error)
{
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (CHUNK_SIZE);

  *head_len = 0;
  *total = 0;

  in = g_file_read (file, cancellable, error);
  if (in == NULL)
    return FALSE;

  for (;;)
    {
      gsize n = 0;

      /* read_all, so that the head is HEAD_SIZE bytes even if the first read
       * returns less (pipes, network mounts). */
      if (!g_input_stream_read_all (G_INPUT_STREAM (in), buffer, CHUNK_SIZE, &n, cancellable,
                                    error))
        return FALSE;
      if (n == 0)
        break;

      if (*head_len < HEAD_SIZE)
        {
          gsize take = MIN (n, HEAD_SIZE - *head_len);

          memcpy (head + *head_len, buffer, take);
          *head_len += take;
        }

      g_checksum_update (checksum, buffer, n);
      *total += n;
    }

  *sha256 = g_strdup (g_checksum_get_string (checksum));
  return TRUE;
}

static gboolean
is_document_type (const char *content_type)
{
  static const char * const documents[] = {
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
    "text/plain", /* and its subtypes: text/csv, ... */
  };

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    if (g_content_type_is_a (content_type, documents[i]))
      return TRUE;
  return FALSE;
}

/* Content sniffing calls some binary files text (a leading '%' reads as
 * MATLAB source): text has no NUL bytes and hardly any control characters,
 * whatever its encoding. */
static gboolean
looks_like_text (const guchar *head,
                 gsize         head_len)
{
  gsize controls = 0;

  for (gsize i = 0; i < head_len; i++)
    {
      if (head[i] == 0)
        return FALSE;
      if ((head[i] < 0x20 && !g_ascii_isspace (head[i])) || head[i] == 0x7f)
        controls++;
    }
  return controls * 100 <= head_len;
}

static gboolean
is_media_type (const char *content_type)
{
  g_autofree char *mime = g_content_type_get_mime_type (content_type);

  return mime != NULL
         && (g_str_has_prefix (mime, "video/") || g_str_has_prefix (mime, "audio/")
             || g_str_has_prefix (mime, "image/"));
}

/* An ISO base media file (MP4, MOV, 3GP, HEIC) is a run of boxes, each
 * starting with its size.  Walk the top-level boxes: one that runs past the
 * end of the file means the end is missing.  GstDiscoverer alone misses
 * this: with the index (moov) at the front, as "fast start" files have it,
 * a file cut short still probes as whole. */
static gboolean
iso_boxes_complete (GFile        *file,
                    guint64       file_size,
                    GCancellable *cancellable,
                    GError      **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, error);
  guint64 offset = 0;

  if (in == NULL)
    return FALSE;

  /* Every box is at least 8 bytes, so this ends; the cap only bounds the
   * work on a file made of tiny boxes. */
  for (guint boxes = 0; offset + 8 <= file_size && boxes < 100000; boxes++)
    {
      guchar header[16];
      gsize n = 0;
      guint64 box_size;
      guint32 size32;

      if (!g_seekable_seek (G_SEEKABLE (in), (goffset) offset, G_SEEK_SET, cancellable, error)
          || !g_input_stream_read_all (G_INPUT_STREAM (in), header, sizeof header, &n,
                                       cancellable, error))
        return FALSE;
      if (n < 8)
        return FALSE;

      memcpy (&size32, header, sizeof size32);
      box_size = GUINT32_FROM_BE (size32);
      if (box_size == 0)
        return TRUE; /* the last box, running to the end of the file */
      if (box_size == 1)
        {
          if (n < 16)
            return FALSE;
          memcpy (&box_size, header + 8, sizeof box_size);
          box_size = GUINT64_FROM_BE (box_size);
          if (box_size < 16)
            return FALSE;
        }
      else if (box_size < 8)
        return FALSE;

      if (box_size > file_size - offset)
        return FALSE;
      offset += box_size;
    }

  return TRUE;
}

/* MP4, MOV and 3GP files start with a box: "ftyp" in anything recent,
 * "moov", "mdat", "wide", "free" or "skip" in old QuickTime files. */
static gboolean
looks_like_iso_file (const guchar *head,
                     gsize         head_len)
{
  static const char *const first_boxes[] = { "ftyp", "moov", "mdat", "wide", "free", "skip" };

  if (head_len < 8)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (first_boxes); i++)
    if (memcmp (head + 4, first_boxes[i], 4) == 0)
      return TRUE;
  return FALSE;
}

/* An EBML variable-size integer (Matroska/WebM); FALSE if it does not fit
 * in @len.  *unknown is set for the all-ones "size not known" value. */
static gboolean
read_ebml_vint (const guchar *data,
                gsize         len,
                gsize        *pos,
                gboolean      keep_marker,
                guint64      *value,
                gboolean     *unknown)
{
  guint width = 1;
  guint64 v;
  gboolean all_ones;

  if (*pos >= len || data[*pos] == 0)
    return FALSE;
  while (!(data[*pos] & (0x80 >> (width - 1))))
    width++;
  if (*pos + width > len)
    return FALSE;

  v = keep_marker ? data[*pos] : (data[*pos] & (0xff >> width));
  all_ones = (data[*pos] & (0xff >> width)) == (0xff >> width);
  for (guint i = 1; i < width; i++)
    {
      v = (v << 8) | data[*pos + i];
      all_ones = all_ones && data[*pos + i] == 0xff;
    }
  *pos += width;
  *value = v;
  if (unknown != NULL)
    *unknown = all_ones;
  return TRUE;
}

/* Matroska/WebM: the Segment element after the EBML header states its size
 * (when the muxer could seek back to write it); a file shorter than that was
 * cut short.  Anything we cannot parse from the head is given the benefit of
 * the doubt. */
static gboolean
matroska_segment_complete (const guchar *head,
                           gsize         head_len,
                           guint64       file_size)
{
  gsize pos = 0;
  guint64 id, size;
  gboolean unknown;

  if (!read_ebml_vint (head, head_len, &pos, TRUE, &id, NULL) || id != 0x1A45DFA3
      || !read_ebml_vint (head, head_len, &pos, FALSE, &size, &unknown) || unknown
      || size > head_len - pos)
    return TRUE;
  pos += size;

  if (!read_ebml_vint (head, head_len, &pos, TRUE, &id, NULL) || id != 0x18538067
      || !read_ebml_vint (head, head_len, &pos, FALSE, &size, &unknown) || unknown)
    return TRUE;

  return size <= file_size - pos;
}

static const char *
video_codec_from_caps (const GstStructure *s)
{
  const char *name = gst_structure_get_name (s);
  int version = 0;

  if (g_str_equal (name, "video/x-h264"))
    return "h264";
  if (g_str_equal (name, "video/x-h265"))
    return "hevc";
  if (g_str_equal (name, "video/x-vp8"))
    return "vp8";
  if (g_str_equal (name, "video/x-vp9"))
    return "vp9";
  if (g_str_equal (name, "video/x-av1"))
    return "av1";
  if (g_str_equal (name, "video/x-theora"))
    return "theora";
  if (g_str_equal (name, "video/x-h263"))
    return "h263";
  if (g_str_equal (name, "video/x-prores"))
    return "prores";
  if (g_str_equal (name, "video/x-divx") || g_str_equal (name, "video/x-xvid"))
    return "mpeg4";
  if (g_str_equal (name, "video/x-wmv"))
    return "wmv";
  if (g_str_equal (name, "video/x-raw"))
    return "raw";
  if (g_str_equal (name, "image/jpeg"))
    return "mjpeg";
  if (g_str_equal (name, "video/mpeg") && gst_structure_get_int (s, "mpegversion", &version))
    return version == 4 ? "mpeg4" : version == 2 ? "mpeg2" : "mpeg1";
  return NULL;
}

static const char *
audio_codec_from_caps (const GstStructure *s)
{
  const char *name = gst_structure_get_name (s);
  int version = 0;
  int layer = 0;

  if (g_str_equal (name, "audio/mpeg") && gst_structure_get_int (s, "mpegversion", &version))
    {
      if (version == 2 || version == 4)
        return "aac";
      if (gst_structure_get_int (s, "layer", &layer) && layer != 3)
        return "mp2";
      return "mp3";
    }
  if (g_str_equal (name, "audio/x-opus"))
    return "opus";
  if (g_str_equal (name, "audio/x-vorbis"))
    return "vorbis";
  if (g_str_equal (name, "audio/x-flac"))
    return "flac";
  if (g_str_equal (name, "audio/x-ac3"))
    return "ac3";
  if (g_str_equal (name, "audio/x-eac3"))
    return "eac3";
  if (g_str_equal (name, "audio/x-alac"))
    return "alac";
  if (g_str_equal (name, "audio/AMR"))
    return "amr";
  if (g_str_equal (name, "audio/AMR-WB"))
    return "amr-wb";
  if (g_str_equal (name, "audio/x-wma"))
    return "wma";
  if (g_str_equal (name, "audio/x-raw"))
    return "pcm";
  if (g_str_equal (name, "audio/x-alaw"))
    return "alaw";
  if (g_str_equal (name, "audio/x-mulaw"))
    return "mulaw";
  return NULL;
}

/* A codec we have no id for still gets a stable one from its caps name:
 * "video/x-foo" → "foo". */
static char *
codec_id (const GstStructure *s,
          const char         *known)
{
  const char *name = gst_structure_get_name (s);
  const char *slash;

  if (known != NULL)
    return g_strdup (known);
  slash = strchr (name, '/');
  name = slash != NULL ? slash + 1 : name;
  if (g_str_has_prefix (name, "x-"))
    name += 2;
  return g_ascii_strdown (name, -1);
}

static void
container_from_caps (const GstStructure *s,
                     SmMediaInfo        *info,
                     gboolean            has_video)
{
  const char *name = gst_structure_get_name (s);

  if (g_str_equal (name, "video/quicktime"))
    {
      const char *variant = gst_structure_get_string (s, "variant");

      for (guint i = 0; i < G_N_ELEMENTS (quicktime_variants); i++)
        if (g_strcmp0 (variant, quicktime_variants[i].variant) == 0)
          {
            info->container = g_strdup (quicktime_variants[i].id);
            info->mime_type = g_strdup (has_video ? quicktime_variants[i].video_mime
                                                  : quicktime_variants[i].audio_mime);
            return;
          }
      /* No variant: plain QuickTime */
      info->container = g_strdup ("quicktime");
      info->mime_type = g_strdup ("video/quicktime");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    if (g_str_equal (name, containers[i].caps_name))
      {
        info->container = g_strdup (containers[i].id);
        info->mime_type = g_strdup (has_video ? containers[i].video_mime
                                              : containers[i].audio_mime);
        return;
      }

  /* ID3/APE tags wrap a bare stream (MP3, AAC); they are not a container
   * any network asks about, so leave it NULL. */
  if (g_str_equal (name, "application/x-id3") || g_str_equal (name, "application/x-apetag"))
    return;

  info->container = codec_id (s, NULL);
}

/* "rotate-90" and "rotate-270" (and flipped forms) mean the pixels are
 * stored sideways: phones record portrait video that way. */
static gboolean
is_sideways (const GstTagList *tags)
{
  g_autofree char *orientation = NULL;

  if (tags == NULL || !gst_tag_list_get_string (tags, GST_TAG_IMAGE_ORIENTATION, &orientation))
    return FALSE;
  return g_str_has_suffix (orientation, "rotate-90") || g_str_has_suffix (orientation, "rotate-270");
}

/* Picks the stream the networks judge: the first real video, else the
 * first still image. */
static GstDiscovererVideoInfo *
main_video_stream (GList *videos)
{
  for (GList *l = videos; l != NULL; l = l->next)
    if (!gst_discoverer_video_info_is_image (l->data))
      return l->data;
  return videos != NULL ? videos->data : NULL;
}

static void
fill_from_discoverer (SmMediaInfo       *info,
                      GstDiscovererInfo *dinfo)
{
  g_autoptr(GstDiscovererStreamInfo) top = gst_discoverer_info_get_stream_info (dinfo);
  GList *videos = gst_discoverer_info_get_video_streams (dinfo);
  GList *audios = gst_discoverer_info_get_audio_streams (dinfo);
  GstDiscovererVideoInfo *video = main_video_stream (videos);
  gboolean is_image = video != NULL && gst_discoverer_video_info_is_image (video);
  g_autoptr(GstCaps) top_caps = top != NULL && GST_IS_DISCOVERER_CONTAINER_INFO (top)
                                  ? gst_discoverer_stream_info_get_caps (top)
                                  : NULL;
  const GstStructure *container = top_caps != NULL && gst_caps_get_size (top_caps) > 0
                                    ? gst_caps_get_structure (top_caps, 0)
                                    : NULL;

  /* A GIF (animated or not) comes as a "container" of a video stream; it is
   * still an image file to the networks. */
  if (container != NULL && video != NULL && audios == NULL
      && g_str_has_prefix (gst_structure_get_name (container), "image/"))
    {
      is_image = TRUE;
      info->mime_type = g_strdup (gst_structure_get_name (container));
      container = NULL;
    }

  if (video != NULL && !is_image)
    info->kind = SM_MEDIA_VIDEO;
  else if (audios != NULL)
    info->kind = SM_MEDIA_AUDIO;
  else if (is_image)
    info->kind = SM_MEDIA_IMAGE;

  if (container != NULL)
    container_from_caps (container, info, info->kind == SM_MEDIA_VIDEO);

  if (video != NULL)
    {
      GstDiscovererStreamInfo *stream = GST_DISCOVERER_STREAM_INFO (video);
      g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (stream);
      const GstStructure *s = caps != NULL && gst_caps_get_size (caps) > 0
                                ? gst_caps_get_structure (caps, 0)
                                : NULL;
      guint width = gst_discoverer_video_info_get_width (video);
      guint height = gst_discoverer_video_info_get_height (video);

      if (is_sideways (gst_discoverer_stream_info_get_tags (stream))
          || is_sideways (gst_discoverer_info_get_tags (dinfo)))
        {
          guint swap = width;

          width = height;
          height = swap;
        }
      info->width = width;
      info->height = height;

      if (is_image)
        {
          /* A still image: its "codec" is its file format. */
          if (info->mime_type == NULL && s != NULL)
            info->mime_type = g_strdup (gst_structure_get_name (s));
        }
      else
        {
          info->framerate_num = gst_discoverer_video_info_get_framerate_num (video);
          info->framerate_den = gst_discoverer_video_info_get_framerate_denom (video);
          if (info->framerate_den == 0)
            {
              info->framerate_num = 0;
              info->framerate_den = 1;
            }
          if (s != NULL)
            info->video_codec = codec_id (s, video_codec_from_caps (s));
        }
    }

  if (audios != NULL)
    {
      g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (audios->data);

      info->has_audio = TRUE;
      if (caps != NULL && gst_caps_get_size (caps) > 0)
        {
          const GstStructure *s = gst_caps_get_structure (caps, 0);

          info->audio_codec = codec_id (s, audio_codec_from_caps (s));

          /* A bare stream (MP3, ADTS AAC, FLAC) has no container to name
           * its type after. */
          if (info->mime_type == NULL && info->kind == SM_MEDIA_AUDIO)
            {
              const char *codec = info->audio_codec;

              if (g_str_equal (codec, "mp3") || g_str_equal (codec, "mp2"))
                info->mime_type = g_strdup ("audio/mpeg");
              else if (g_str_equal (codec, "aac"))
                info->mime_type = g_strdup ("audio/aac");
              else if (g_str_equal (codec, "flac"))
                info->mime_type = g_strdup ("audio/flac");
              else if (g_str_equal (codec, "amr"))
                info->mime_type = g_strdup ("audio/amr");
            }
        }
    }

  if (info->kind == SM_MEDIA_VIDEO || info->kind == SM_MEDIA_AUDIO)
    {
      GstClockTime duration = gst_discoverer_info_get_duration (dinfo);

      if (GST_CLOCK_TIME_IS_VALID (duration))
        info->duration_us = (gint64) (duration / GST_USECOND);
    }

  gst_discoverer_stream_info_list_free (videos);
  gst_discoverer_stream_info_list_free (audios);
}

static gboolean
discover (SmMediaInfo  *info,
          const char   *name,
          GFile        *file,
          const guchar *head,
          gsize         head_len,
          GCancellable *cancellable,
          GError      **error)
{
  const GError *init_error = ensure_gstreamer ();
  g_autoptr(GstDiscoverer) discoverer = NULL;
  g_autoptr(GstDiscovererInfo) dinfo = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *sniffed = NULL;
  GstDiscovererResult result;

  if (init_error != NULL)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_UNREADABLE,
                   _("“%s” could not be read: GStreamer does not work on this system (%s). "
                     "Reinstall the app."),
                   name, init_error->message);
      return FALSE;
    }

  discoverer = gst_discoverer_new (DISCOVER_TIMEOUT_S * GST_SECOND, &local_error);
  if (discoverer == NULL)
    {
      set_unreadable (error, name, local_error);
      return FALSE;
    }

  /* Synchronous on purpose: callers run the probe on a worker thread.  It
   * cannot be interrupted, so cancellation takes effect after it returns
   * (at most the timeout). */
  dinfo = gst_discoverer_discover_uri (discoverer, uri, &local_error);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  result = dinfo != NULL ? gst_discoverer_info_get_result (dinfo) : GST_DISCOVERER_ERROR;
  g_debug ("%s: discoverer result %d%s%s", uri, result, local_error ? ": " : "",
           local_error ? local_error->message : "");

  if (result == GST_DISCOVERER_TIMEOUT)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_CORRUPT,
                   _("“%s” could not be read within %d seconds; it may be damaged. "
                     "Export or copy it again."),
                   name, DISCOVER_TIMEOUT_S);
      return FALSE;
    }

  /* Missing plugins still tell us the container and codecs (only decoding
   * is missing), which is all the rules need. */
  if (result == GST_DISCOVERER_OK || result == GST_DISCOVERER_MISSING_PLUGINS)
    fill_from_discoverer (info, dinfo);

  if (info->kind != SM_MEDIA_UNKNOWN)
    return TRUE;

  /* Judge by the content alone (not the name) from here. */
  sniffed = g_content_type_guess (NULL, head, head_len, NULL);

  /* An image format this GStreamer cannot decode (WebP, HEIC without
   * plugins-bad): still an image, of unknown size. */
  if (result == GST_DISCOVERER_MISSING_PLUGINS && g_content_type_is_mime_type (sniffed, "image/*"))
    {
      info->kind = SM_MEDIA_IMAGE;
      info->mime_type = g_content_type_get_mime_type (sniffed);
      return TRUE;
    }

  /* Nothing playable: bytes that say video make a damaged video; anything
   * else is not media. */
  if (is_media_type (sniffed))
    set_corrupt (error, name);
  else
    set_not_media (error, name);
  return FALSE;
}

/**
 * sm_media_probe:
 * @path: a local file
 * @cancellable: (nullable): checked while hashing and after discovery
 * @error: SM_MEDIA_ERROR, or G_IO_ERROR_CANCELLED
 *
 * Finds out what @path is: size, SHA-256, kind, format, codecs, length and
 * shape.  Blocks (it reads the whole file and lets GStreamer look at it, up
 * to 10 s): run it on a worker thread, never on the main loop.
 *
 * Returns: (transfer full): the facts, or %NULL with @error set
 */
SmMediaInfo *
sm_media_probe (const char   *path,
                GCancellable *cancellable,
                GError      **error)
{
  g_autoptr(SmMediaInfo) info = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) finfo = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *content_type = NULL;
  g_autofree guchar *head = NULL;
  gsize head_len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  name = g_filename_display_basename (path);

  finfo = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                             G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (finfo == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        set_not_found (error, name);
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_unreadable (error, name, local_error);
      return NULL;
    }

  if (g_file_info_get_file_type (finfo) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_NOT_MEDIA,
                   _("“%s” is a folder. Choose a file inside it."), name);
      return NULL;
    }
  if (g_file_info_get_file_type (finfo) != G_FILE_TYPE_REGULAR)
    {
      set_not_media (error, name);
      return NULL;
    }

  info = sm_media_info_new ();
  info->path = g_strdup (path);
  head = g_malloc (HEAD_SIZE);

  if (g_file_info_get_size (finfo) > 0
      && !hash_file (file, cancellable, &info->sha256, head, &head_len, &info->size_bytes,
                     &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_unreadable (error, name, local_error);
      return NULL;
    }

  /* Checked on what was hashed: the file may have been truncated since
   * the stat. */
  if (info->size_bytes == 0)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_EMPTY,
                   _("“%s” is empty (0 bytes). It may not have finished copying or "
                     "saving; export it again or choose another file."),
                   name);
      return NULL;
    }

  content_type = g_content_type_guess (path, head, head_len, NULL);
  if (is_document_type (content_type)
      && (!g_content_type_is_a (content_type, "text/plain") || looks_like_text (head, head_len)))
    {
      /* GStreamer has nothing to say about documents. */
      info->kind = SM_MEDIA_DOCUMENT;
      info->mime_type = g_content_type_get_mime_type (content_type);
      return g_steal_pointer (&info);
    }

  /* Before GstDiscoverer, which can sit out its whole timeout on a file
   * cut short (qtdemux waiting for an index that never comes). */
  if (looks_like_iso_file (head, head_len))
    {
      if (!iso_boxes_complete (file, info->size_bytes, cancellable, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else if (local_error != NULL)
            set_unreadable (error, name, local_error);
          else
            set_corrupt (error, name);
          return NULL;
        }
    }
  else if (!matroska_segment_complete (head, head_len, info->size_bytes))
    {
      set_corrupt (error, name);
      return NULL;
    }

  if (!discover (info, name, file, head, head_len, cancellable, error))
    return NULL;

  if (info->mime_type == NULL)
    info->mime_type = g_content_type_get_mime_type (content_type);

  g_debug ("%s: %s %s container=%s video=%s audio=%s %ux%u %u/%u fps %" G_GINT64_FORMAT " us",
           name, sm_media_kind_to_string (info->kind), info->mime_type, info->container,
           info->video_codec, info->audio_codec, info->width, info->height, info->framerate_num,
           info->framerate_den, info->duration_us);

  return g_steal_pointer (&info);
}

SmMediaInfo *
sm_media_info_new (void)
{
  SmMediaInfo *info = g_new0 (SmMediaInfo, 1);

  info->framerate_den = 1;
  return info;
}

SmMediaInfo *
sm_media_info_copy (const SmMediaInfo *info)
{
  SmMediaInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->path = g_strdup (info->path);
  copy->sha256 = g_strdup (info->sha256);
  copy->mime_type = g_strdup (info->mime_type);
  copy->container = g_strdup (info->container);
  copy->video_codec = g_strdup (info->video_codec);
  copy->audio_codec = g_strdup (info->audio_codec);
  return copy;
}

void
sm_media_info_free (SmMediaInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->path);
  g_free (info->sha256);
  g_free (info->mime_type);
  g_free (info->container);
  g_free (info->video_codec);
  g_free (info->audio_codec);
  g_free (info);
}

const char *
sm_media_kind_to_string (SmMediaKind kind)
{
  switch (kind)
    {
    case SM_MEDIA_IMAGE:
      return "image";
    case SM_MEDIA_VIDEO:
      return "video";
    case SM_MEDIA_AUDIO:
      return "audio";
    case SM_MEDIA_DOCUMENT:
      return "document";
    case SM_MEDIA_UNKNOWN:
    default:
      return "unknown";
    }
}
