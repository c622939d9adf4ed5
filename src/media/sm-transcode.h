/* sm-transcode.h — videos a network will not take, made into ones it will;
 * and still frames for the UI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SmTranscodeOptions:
 * @max_fps: frames per second at most (a 120 fps clip becomes 60); 0 keeps
 *   the rate
 * @max_long_side: the longer side in pixels at most, the shape kept; 0 keeps
 *   the size
 *
 * What the converted video must fit besides being H.264/AAC in MP4.
 */
typedef struct
{
  guint max_fps;
  guint max_long_side;
} SmTranscodeOptions;

/* @fraction goes from 0 to 1. */
typedef void (*SmTranscodeProgressFunc) (double   fraction,
                                         gpointer user_data);

/* Converts the video at @input to H.264 video and AAC sound in an MP4 at
 * @output, which must not exist yet.  @input is only read.  The result is
 * written to a hidden file beside @output and renamed once complete, so a
 * failure, a full disk or a cancel leaves nothing behind.  Blocks (run it
 * on a worker thread); @progress is called from the calling thread a few
 * times a second.  Errors: SM_MEDIA_ERROR for an input that is not a
 * readable video, G_IO_ERROR for the output (G_IO_ERROR_NO_SPACE with the
 * folder named when the disk is full, G_IO_ERROR_EXISTS,
 * G_IO_ERROR_CANCELLED). */
gboolean sm_transcode_to_mp4          (const char                *input,
                                       const char                *output,
                                       const SmTranscodeOptions  *options,
                                       SmTranscodeProgressFunc    progress,
                                       gpointer                   user_data,
                                       GCancellable              *cancellable,
                                       GError                   **error);

/* Where a converted copy of @input goes by default: beside it, named
 * "NAME (converted).mp4", or "NAME (converted 2).mp4" when that exists. */
char    *sm_transcode_default_output  (const char                *input);

/* A PNG of the frame at @position_us (clamped to the video; 0 for the
 * first) of a video, or of an image, scaled to fit in @max_side pixels,
 * shown upright.  For thumbnails and cover frames. */
GBytes  *sm_media_thumbnail_png       (const char                *path,
                                       gint64                     position_us,
                                       guint                      max_side,
                                       GCancellable              *cancellable,
                                       GError                   **error);

G_END_DECLS
