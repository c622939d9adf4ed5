/* sm-media.h — what a media file is: kind, format, size, length, shape.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SM_MEDIA_ERROR (sm_media_error_quark ())

/**
 * SmMediaError:
 * @SM_MEDIA_ERROR_NOT_FOUND: there is no file at that path (moved or deleted)
 * @SM_MEDIA_ERROR_UNREADABLE: the file exists but cannot be opened or read
 *   (permissions, I/O error)
 * @SM_MEDIA_ERROR_EMPTY: the file has zero bytes
 * @SM_MEDIA_ERROR_NOT_MEDIA: not an image, video, audio file or document
 *   (or a folder)
 * @SM_MEDIA_ERROR_CORRUPT: looks like media but is damaged or incomplete,
 *   e.g. a video copied only in part
 *
 * There is no size cap in the probe: hashing streams, so any size can be
 * probed, and each network's limit is a rule (sm-media-rules.h).
 */
typedef enum
{
  SM_MEDIA_ERROR_NOT_FOUND,
  SM_MEDIA_ERROR_UNREADABLE,
  SM_MEDIA_ERROR_EMPTY,
  SM_MEDIA_ERROR_NOT_MEDIA,
  SM_MEDIA_ERROR_CORRUPT,
} SmMediaError;

GQuark sm_media_error_quark (void);

typedef enum
{
  SM_MEDIA_UNKNOWN = 0,
  SM_MEDIA_IMAGE,
  SM_MEDIA_VIDEO,
  SM_MEDIA_AUDIO,
  SM_MEDIA_DOCUMENT,
} SmMediaKind;

#define SM_TYPE_MEDIA_INFO (sm_media_info_get_type ())

/**
 * SmMediaInfo:
 * @path: the file, as given to sm_media_probe()
 * @size_bytes: its size
 * @sha256: SHA-256 of the content, lower-case hex
 * @kind: image, video, audio or document
 * @mime_type: e.g. "video/mp4", "video/quicktime", "image/jpeg", "application/pdf"
 * @container: short id: "mp4", "quicktime", "3gp", "webm", "matroska", "ogg",
 *   "avi", "mpegts", ...; %NULL for images, documents and bare audio streams
 * @video_codec: "h264", "hevc", "vp8", "vp9", "av1", "mpeg4", ...; %NULL when none
 * @audio_codec: "aac", "mp3", "opus", "vorbis", "flac", "amr", ...; %NULL when none
 * @duration_us: length in microseconds; 0 for images and documents
 * @width: width as shown (a phone video recorded with a 90° rotation tag
 *   reports its upright width); 0 when not visual
 * @height: height as shown
 * @framerate_num: frames per second as a fraction; 0/1 when unknown or variable
 * @framerate_den: see @framerate_num
 * @has_audio: whether a video (or audio file) has a sound track
 *
 * Plain data, copyable; the ids are stable and safe to store.
 */
typedef struct
{
  char        *path;
  guint64      size_bytes;
  char        *sha256;
  SmMediaKind  kind;
  char        *mime_type;
  char        *container;
  char        *video_codec;
  char        *audio_codec;
  gint64       duration_us;
  guint        width;
  guint        height;
  guint        framerate_num;
  guint        framerate_den;
  gboolean     has_audio;
} SmMediaInfo;

GType        sm_media_info_get_type (void) G_GNUC_CONST;
SmMediaInfo *sm_media_info_new      (void);
SmMediaInfo *sm_media_info_copy     (const SmMediaInfo *info);
void         sm_media_info_free     (SmMediaInfo       *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmMediaInfo, sm_media_info_free)

/* "image", "video", "audio", "document" or "unknown". */
const char  *sm_media_kind_to_string (SmMediaKind kind);

SmMediaInfo *sm_media_probe          (const char   *path,
                                      GCancellable *cancellable,
                                      GError      **error);

G_END_DECLS
