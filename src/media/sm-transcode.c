/* sm-transcode.c — H.264/AAC MP4 from any video GStreamer can play, and
 * still frames.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pipeline is built by hand (decodebin's pads are linked as they
 * appear) so that the encoders are the ones named here: x264enc and
 * avenc_aac, from the packages tools/install-deps installs.  The bus is
 * polled from the calling thread, which also reports progress, so the
 * caller needs no main loop.
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "sm-media.h"
#include "sm-transcode.h"

#define POLL_INTERVAL (200 * GST_MSECOND)

typedef struct
{
  GstElement *pipeline;
  GstElement *mux;
  guint       out_width;
  guint       out_height;
  guint       max_fps;
  gboolean    video_linked;
  gboolean    audio_linked;
} Transcode;

static gboolean
ensure_gst (GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!gst_init_check (NULL, NULL, &local))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("GStreamer could not start: %s"), local->message);
      return FALSE;
    }
  return TRUE;
}

static GstElement *
make (const char  *factory,
      GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("The GStreamer element “%s” is missing; install the GStreamer plugins "
                   "(tools/install-deps lists them)"), factory);
  return element;
}

/* Adds @factories to the pipeline as a chain from @pad to the muxer (or to
 * a fakesink when @mux_pad_template is NULL). */
static gboolean
link_branch (Transcode          *t,
             GstPad             *pad,
             const char * const *factories,
             GstCaps            *filter_caps,
             const char         *mux_pad_template,
             const char        **missing)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autoptr(GstPad) sink_pad = NULL;
  g_autoptr(GstPad) last_src = NULL;
  g_autoptr(GstPad) mux_pad = NULL;

  for (guint i = 0; factories[i] != NULL; i++)
    {
      GstElement *element = gst_element_factory_make (factories[i], NULL);

      if (element == NULL)
        {
          *missing = factories[i];
          return FALSE;
        }
      if (g_str_equal (factories[i], "capsfilter") && filter_caps != NULL)
        g_object_set (element, "caps", filter_caps, NULL);
      if (g_str_equal (factories[i], "videorate") && t->max_fps > 0)
        g_object_set (element, "max-rate", (int) t->max_fps, NULL);
      if (g_str_equal (factories[i], "videoflip"))
        gst_util_set_object_arg (G_OBJECT (element), "video-direction", "auto");
      if (g_str_equal (factories[i], "x264enc"))
        {
          /* Constant quality (CRF 20), a preset that keeps a desktop
           * responsive, and key frames every two seconds or so. */
          gst_util_set_object_arg (G_OBJECT (element), "pass", "qual");
          gst_util_set_object_arg (G_OBJECT (element), "speed-preset", "faster");
          g_object_set (element, "quantizer", 20, "key-int-max", 60, NULL);
        }
      if (g_str_equal (factories[i], "avenc_aac"))
        g_object_set (element, "bitrate", 128000, NULL);
      gst_bin_add (GST_BIN (t->pipeline), element);
      g_ptr_array_add (chain, element);
    }

  for (guint i = 0; i + 1 < chain->len; i++)
    if (!gst_element_link (g_ptr_array_index (chain, i), g_ptr_array_index (chain, i + 1)))
      return FALSE;
  for (guint i = 0; i < chain->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (chain, i));

  sink_pad = gst_element_get_static_pad (g_ptr_array_index (chain, 0), "sink");
  if (gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    return FALSE;
  if (mux_pad_template == NULL)
    return TRUE;

  last_src = gst_element_get_static_pad (g_ptr_array_index (chain, chain->len - 1), "src");
  mux_pad = gst_element_request_pad_simple (t->mux, mux_pad_template);
  return mux_pad != NULL && gst_pad_link (last_src, mux_pad) == GST_PAD_LINK_OK;
}

static void
on_pad_added (GstElement *decodebin,
              GstPad     *pad,
              gpointer    user_data)
{
  static const char * const video[] = {
    "queue", "videoconvert", "videoflip", "videorate", "videoscale", "capsfilter",
    "x264enc", "queue", NULL,
  };
  static const char * const audio[] = {
    "queue", "audioconvert", "audioresample", "capsfilter", "avenc_aac", "aacparse", "queue", NULL,
  };
  static const char * const drop[] = { "fakesink", NULL };
  Transcode *t = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *missing = NULL;
  const char *name;
  gboolean ok;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  if (g_str_has_prefix (name, "video/") && !t->video_linked)
    {
      g_autoptr(GstCaps) filter = gst_caps_new_simple ("video/x-raw",
                                                       "format", G_TYPE_STRING, "I420",
                                                       "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                                       NULL);

      if (t->out_width > 0 && t->out_height > 0)
        gst_caps_set_simple (filter,
                             "width", G_TYPE_INT, (int) t->out_width,
                             "height", G_TYPE_INT, (int) t->out_height,
                             NULL);
      t->video_linked = TRUE;
      ok = link_branch (t, pad, video, filter, "video_%u", &missing);
    }
  else if (g_str_has_prefix (name, "audio/") && !t->audio_linked)
    {
      g_autoptr(GstCaps) filter = gst_caps_from_string ("audio/x-raw,channels=[1,2],rate=48000");

      t->audio_linked = TRUE;
      ok = link_branch (t, pad, audio, filter, "audio_%u", &missing);
    }
  else
    {
      ok = link_branch (t, pad, drop, NULL, NULL, &missing);
    }

  if (!ok && missing != NULL)
    GST_ELEMENT_ERROR (decodebin, CORE, MISSING_PLUGIN,
                       (_("The GStreamer element “%s” is missing; install the GStreamer plugins "
                          "(tools/install-deps lists them)"), missing), (NULL));
  else if (!ok)
    GST_ELEMENT_ERROR (decodebin, CORE, NEGOTIATION,
                       (_("Could not set up the conversion of a %s stream"), name), (NULL));
}

/* Even sizes, as H.264 in 4:2:0 needs, fitting @max_long_side. */
static void
output_size (guint     width,
             guint     height,
             guint     max_long_side,
             gboolean  even,
             guint    *out_width,
             guint    *out_height)
{
  double scale = 1.0;
  guint long_side = MAX (width, height);

  if (max_long_side > 0 && long_side > max_long_side)
    scale = (double) max_long_side / long_side;
  *out_width = MAX (2, (guint) (width * scale + 0.5));
  *out_height = MAX (2, (guint) (height * scale + 0.5));
  if (even)
    {
      *out_width &= ~1u;
      *out_height &= ~1u;
    }
}

static void
set_output_error (GError     **error,
                  const GError *gst_error,
                  const char  *output)
{
  g_autofree char *folder = g_path_get_dirname (output);

  if (g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("There is not enough space in %s for the converted video; free some space "
                   "or choose another folder. The original is unchanged."),
                 folder);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("Could not write the converted video in %s: %s. The original is unchanged."),
                 folder, gst_error->message);
}

gboolean
sm_transcode_to_mp4 (const char                *input,
                     const char                *output,
                     const SmTranscodeOptions  *options,
                     SmTranscodeProgressFunc    progress,
                     gpointer                   user_data,
                     GCancellable              *cancellable,
                     GError                   **error)
{
  g_autoptr(SmMediaInfo) info = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *faststart = NULL;
  GstElement *src, *decodebin, *sink;
  Transcode t = { 0 };
  gboolean done = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (input != NULL && output != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ensure_gst (error))
    return FALSE;

  info = sm_media_probe (input, cancellable, error);
  if (info == NULL)
    return FALSE;
  if (info->kind != SM_MEDIA_VIDEO)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_NOT_MEDIA,
                   _("%s is not a video; only videos can be converted"), input);
      return FALSE;
    }
  if (g_file_test (output, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s already exists; choose another name for the converted video"), output);
      return FALSE;
    }

  /* A hidden file beside the output, made by filesink (so with the
   * user's umask): the final link is atomic, and a half-written video
   * never has the final name. */
  dir = g_path_get_dirname (output);
  base = g_path_get_basename (output);
  do
    {
      g_free (temp);
      temp = g_strdup_printf ("%s/.%s.%08x%08x.part", dir, base, g_random_int (), g_random_int ());
    }
  while (g_file_test (temp, G_FILE_TEST_EXISTS));
  if (g_access (dir, W_OK) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write in %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  t.max_fps = options != NULL ? options->max_fps : 0;
  output_size (info->width, info->height, options != NULL ? options->max_long_side : 0, TRUE,
               &t.out_width, &t.out_height);

  t.pipeline = gst_pipeline_new ("transcode");
  if ((src = make ("filesrc", error)) == NULL ||
      (decodebin = make ("decodebin", error)) == NULL ||
      (t.mux = make ("mp4mux", error)) == NULL ||
      (sink = make ("filesink", error)) == NULL)
    goto out;
  g_object_set (src, "location", input, NULL);
  /* Fast start (the index first, as networks prefer) needs the media data
   * parked in a file first: keep it in the output's folder, not in /tmp. */
  faststart = g_strconcat (temp, ".mdat", NULL);
  g_object_set (t.mux, "faststart", TRUE, "faststart-file", faststart, NULL);
  g_object_set (sink, "location", temp, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (t.pipeline), src, decodebin, t.mux, sink, NULL);
  if (!gst_element_link (src, decodebin) || !gst_element_link (t.mux, sink))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not set up the video conversion"));
      goto out;
    }
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added), &t);

  bus = gst_element_get_bus (t.pipeline);
  if (gst_element_set_state (t.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_UNREADABLE,
                   _("Could not start converting %s"), input);
      goto out;
    }
  if (progress != NULL)
    progress (0.0, user_data);

  while (!done)
    {
      g_autoptr(GstMessage) msg = NULL;
      gint64 position = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      msg = gst_bus_timed_pop_filtered (bus, POLL_INTERVAL,
                                        GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
      if (msg == NULL)
        {
          if (progress != NULL && info->duration_us > 0 &&
              gst_element_query_position (t.pipeline, GST_FORMAT_TIME, &position) &&
              position >= 0)
            progress (CLAMP ((double) (position / GST_USECOND) / info->duration_us, 0.0, 0.99),
                      user_data);
          continue;
        }

      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS)
        {
          done = TRUE;
        }
      else
        {
          g_autoptr(GError) gst_error = NULL;
          g_autofree char *debug = NULL;

          gst_message_parse_error (msg, &gst_error, &debug);
          g_debug ("transcode: %s (%s)", gst_error->message, debug != NULL ? debug : "");
          if (GST_MESSAGE_SRC (msg) == GST_OBJECT (sink) ||
              gst_error->domain == GST_RESOURCE_ERROR)
            set_output_error (error, gst_error, output);
          else if (gst_error->domain == GST_CORE_ERROR)
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, gst_error->message);
          else
            g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_CORRUPT,
                         _("%s could not be converted: %s"), input, gst_error->message);
          goto out;
        }
    }

  gst_element_set_state (t.pipeline, GST_STATE_NULL);
  if (!t.video_linked)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_CORRUPT,
                   _("%s has no video stream that can be converted"), input);
      goto out;
    }
  /* Refuses to replace a file that appeared meanwhile. */
  if (link (temp, output) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not save the converted video as %s: %s"), output, g_strerror (saved));
      goto out;
    }
  ok = TRUE;
  if (progress != NULL)
    progress (1.0, user_data);

out:
  if (t.pipeline != NULL)
    {
      gst_element_set_state (t.pipeline, GST_STATE_NULL);
      gst_object_unref (t.pipeline);
    }
  g_unlink (temp);
  if (faststart != NULL)
    g_unlink (faststart);
  return ok;
}

char *
sm_transcode_default_output (const char *input)
{
  g_autofree char *dir = g_path_get_dirname (input);
  g_autofree char *base = g_path_get_basename (input);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';

  for (guint n = 1; ; n++)
    {
      g_autofree char *name = n == 1
        ? g_strdup_printf ("%s (converted).mp4", base)
        : g_strdup_printf ("%s (converted %u).mp4", base, n);
      char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
}

/* ---- still frames -------------------------------------------------------- */

static GstMessage *
wait_async_done (GstElement    *pipeline,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);

  for (guint waited = 0; waited < 150; waited++)   /* 30 s at most */
    {
      GstMessage *msg;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      msg = gst_bus_timed_pop_filtered (bus, POLL_INTERVAL,
                                        GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR);
      if (msg == NULL)
        continue;
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
        {
          g_autoptr(GError) gst_error = NULL;

          gst_message_parse_error (msg, &gst_error, NULL);
          g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_CORRUPT,
                       _("No picture could be taken from the file: %s"), gst_error->message);
          gst_message_unref (msg);
          return NULL;
        }
      return msg;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("Taking a picture from the file took too long"));
  return NULL;
}

GBytes *
sm_media_thumbnail_png (const char    *path,
                        gint64         position_us,
                        guint          max_side,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(SmMediaInfo) info = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GstSample) png = NULL;
  g_autoptr(GstCaps) png_caps = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *description = NULL;
  g_autofree char *quoted = NULL;
  GstMessage *msg;
  GstBuffer *buffer;
  GstMapInfo map;
  guint width, height;
  GBytes *bytes;

  g_return_val_if_fail (path != NULL, NULL);

  if (!ensure_gst (error))
    return NULL;
  info = sm_media_probe (path, cancellable, error);
  if (info == NULL)
    return NULL;
  if (info->kind != SM_MEDIA_VIDEO && info->kind != SM_MEDIA_IMAGE)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_NOT_MEDIA,
                   _("%s is neither a picture nor a video"), path);
      return NULL;
    }

  quoted = g_strescape (path, NULL);
  description = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                                 "videoflip video-direction=auto ! videoconvert ! "
                                 "fakesink name=sink enable-last-sample=true sync=false",
                                 quoted);
  pipeline = gst_parse_launch (description, &local);
  if (pipeline == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("GStreamer cannot take pictures here: %s"), local->message);
      return NULL;
    }
  gst_object_ref_sink (pipeline);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  msg = wait_async_done (pipeline, cancellable, error);
  if (msg == NULL)
    goto fail;
  gst_message_unref (msg);

  if (info->kind == SM_MEDIA_VIDEO && position_us > 0)
    {
      gint64 position = CLAMP (position_us, 0, MAX (info->duration_us - 100000, 0)) * GST_USECOND;

      if (gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
                                   GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, position))
        {
          msg = wait_async_done (pipeline, cancellable, error);
          if (msg == NULL)
            goto fail;
          gst_message_unref (msg);
        }
    }

  g_object_get (sink, "last-sample", &sample, NULL);
  if (sample == NULL)
    {
      g_set_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_CORRUPT,
                   _("%s has no picture to show"), path);
      goto fail;
    }

  {
    GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
    int w = 0, h = 0;

    gst_structure_get_int (s, "width", &w);
    gst_structure_get_int (s, "height", &h);
    output_size (MAX (w, 2), MAX (h, 2), max_side, FALSE, &width, &height);
  }
  png_caps = gst_caps_new_simple ("image/png",
                                  "width", G_TYPE_INT, (int) width,
                                  "height", G_TYPE_INT, (int) height,
                                  NULL);
  png = gst_video_convert_sample (sample, png_caps, 10 * GST_SECOND, &local);
  if (png == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not make a picture of %s: %s"), path,
                   local != NULL ? local->message : "");
      goto fail;
    }
  buffer = gst_sample_get_buffer (png);
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not read the picture"));
      goto fail;
    }
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return bytes;

fail:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return NULL;
}
