/* test-media.c — probing media files and each network's media rules.
 *
 * The fixtures are made at run time with gst-launch-1.0 in a temporary
 * folder (a 2 s H.264/AAC MP4, a 9:16 one, a WebM, a MOV, a phone-style
 * rotated MP4, M4A and MP3 audio, PNG and JPEG images, truncated, empty and
 * non-media files); nothing is committed.
 * Rules are checked on probed files and on hand-made SmMediaInfo for the
 * cases a fixture would be too slow or too big to make (a 3-minute video,
 * a 20 MB one).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-media"

#include "config.h"

#include <string.h>

#include <signal.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "sm-media-rules.h"
#include "sm-media.h"
#include "sm-test-net.h"
#include "sm-test-util.h"
#include "sm-transcode.h"

static char *fixture_dir;
/* Why the fixtures could not be made, or NULL when they are there. */
static char *no_fixtures;
/* The WebM fixture: VP8/Opus in WebM, or Theora/Vorbis in Ogg when this
 * GStreamer has no vp8enc. */
static const char *web_name = "clip.webm";
static gboolean web_is_vp8 = TRUE;

static char *
fixture (const char *name)
{
  return g_build_filename (fixture_dir, name, NULL);
}

static gboolean
have_element (const char *name)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find (name);

  return factory != NULL;
}

static void
write_fixture (const char *name,
               const void *data,
               gsize       len)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

/* The first @percent % of @from, as a copy cut short would be. */
static void
write_truncated (const char *from,
                 const char *to,
                 guint       percent)
{
  g_autofree char *path = fixture (from);
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  write_fixture (to, data, len * percent / 100);
}

/* Phones store portrait video as landscape pixels with a 90° rotation in
 * the track header; write that matrix into a copy of @from. */
static void
write_rotated (const char *from,
               const char *to)
{
  static const guint32 rotate_90[9] = {
    0, 0x10000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000,
  };
  g_autofree char *path = fixture (from);
  g_autofree char *data = NULL;
  gsize len = 0;
  char *tkhd;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  tkhd = NULL;
  for (gsize i = 0; i + 4 <= len && tkhd == NULL; i++)
    if (memcmp (data + i, "tkhd", 4) == 0)
      tkhd = data + i;
  g_assert_nonnull (tkhd);
  /* version 0: flags, times, track id, duration, layer ... then the matrix */
  g_assert_cmpint (tkhd[4], ==, 0);
  g_assert_cmpuint ((gsize) (tkhd - data) + 4 + 40 + sizeof rotate_90, <=, len);
  for (guint i = 0; i < 9; i++)
    {
      guint32 be = GUINT32_TO_BE (rotate_90[i]);

      memcpy (tkhd + 4 + 40 + 4 * i, &be, 4);
    }
  write_fixture (to, data, len);
}

static gboolean
make_fixtures (GError **error)
{
  static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
                            "trailer << /Root 1 0 R >>\n%%EOF\n";
  static const char text[] = "Launch notes\n\nShoot on Tuesday, post on Friday.\n";
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  guint32 noise[1024];

  /* Always the same bytes: some random runs look enough like an MP3 frame
   * for GStreamer's type finder. */
  for (guint i = 0; i < G_N_ELEMENTS (noise); i++)
    noise[i] = g_rand_int (rand);

  for (const char *const *e = (const char *const[]) { "x264enc", "avenc_aac", "aacparse", "mp4mux",
                                                      "qtmux", "pngenc", "jpegenc", NULL };
       *e != NULL; e++)
    if (!have_element (*e))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no GStreamer element %s", *e);
        return FALSE;
      }

  if (!sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=60 ! video/x-raw,width=640,height=360,framerate=30/1,"
                               "format=I420 ! x264enc speed-preset=ultrafast ! queue ! mux. "
                               "audiotestsrc num-buffers=87 samplesperbuffer=1024 "
                               "! audio/x-raw,rate=44100,channels=2 ! audioconvert ! avenc_aac ! aacparse "
                               "! queue ! mux. mp4mux name=mux faststart=true",
                               "clip.mp4", error)
      || !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=30 ! video/x-raw,width=1080,height=1920,"
                                  "framerate=30/1,format=I420 ! x264enc speed-preset=ultrafast "
                                  "! mp4mux faststart=true",
                                  "vertical.mp4", error)
      || !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=15 ! video/x-raw,width=320,height=240,"
                                  "framerate=30/1,format=I420 ! x264enc speed-preset=ultrafast ! mp4mux",
                                  "landscape.mp4", error)
      || !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=15 ! video/x-raw,width=320,height=240,"
                                  "framerate=30/1,format=I420 ! x264enc speed-preset=ultrafast ! qtmux",
                                  "clip.mov", error)
      || !sm_test_net_gst_launch (fixture_dir, "audiotestsrc num-buffers=44 samplesperbuffer=1024 "
                                  "! audio/x-raw,rate=44100,channels=1 ! audioconvert ! avenc_aac ! aacparse "
                                  "! mp4mux",
                                  "voice.m4a", error)
      || !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=1 ! video/x-raw,width=320,height=240 ! pngenc",
                                  "image.png", error)
      || !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=1 ! video/x-raw,width=320,height=240 ! jpegenc",
                                  "image.jpg", error)
      || !sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=1 ! video/x-raw,width=320,height=960 ! pngenc",
                                  "tall.png", error))
    return FALSE;

  if (have_element ("vp8enc") && have_element ("webmmux") && have_element ("opusenc"))
    {
      if (!sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240,"
                                   "framerate=30/1 ! videoconvert ! vp8enc deadline=1 ! queue ! mux. "
                                   "audiotestsrc num-buffers=47 samplesperbuffer=1024 ! audioconvert "
                                   "! opusenc ! queue ! mux. webmmux name=mux",
                                   web_name, error))
        return FALSE;
    }
  else
    {
      web_name = "clip.ogg";
      web_is_vp8 = FALSE;
      if (!sm_test_net_gst_launch (fixture_dir, "videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240,"
                                   "framerate=30/1 ! videoconvert ! theoraenc ! queue ! mux. "
                                   "audiotestsrc num-buffers=47 samplesperbuffer=1024 ! audioconvert "
                                   "! vorbisenc ! queue ! mux. oggmux name=mux",
                                   web_name, error))
        return FALSE;
    }

  if (have_element ("lamemp3enc")
      && !sm_test_net_gst_launch (fixture_dir, "audiotestsrc num-buffers=44 samplesperbuffer=1024 ! audioconvert "
                                  "! lamemp3enc",
                                  "song.mp3", error))
    return FALSE;

  write_truncated ("clip.mp4", "truncated.mp4", 30);
  /* without fast start the index is at the end, so this one loses it */
  write_truncated ("landscape.mp4", "truncated-index.mp4", 30);
  write_truncated (web_name, "truncated.webm", 30);
  write_rotated ("landscape.mp4", "rotated.mp4");
  write_fixture ("empty.mp4", "", 0);
  write_fixture ("notes.txt", text, strlen (text));
  write_fixture ("fake.mp4", text, strlen (text));
  write_fixture ("report.pdf", pdf, strlen (pdf));
  write_fixture ("noise.bin", noise, sizeof noise);

  return TRUE;
}

static void
remove_fixtures (void)
{
  g_autoptr(GDir) dir = g_dir_open (fixture_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = fixture (name);

      if (g_remove (path) != 0)
        g_rmdir (path);
    }
  g_rmdir (fixture_dir);
}

static gboolean
need_fixtures (void)
{
  if (no_fixtures == NULL)
    return TRUE;
  g_test_skip (no_fixtures);
  return FALSE;
}

static SmMediaInfo *
probe_ok (const char *name)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *sha256 = NULL;
  gsize len = 0;
  SmMediaInfo *info = sm_media_probe (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);

  /* The same bytes, the same hash, the same size as stat says. */
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
  g_assert_cmpstr (info->path, ==, path);
  g_assert_cmpstr (info->sha256, ==, sha256);
  g_assert_cmpuint (info->size_bytes, ==, len);

  return info;
}

static void
assert_probe_error (const char *name,
                    int         code)
{
  g_autofree char *path = fixture (name);
  g_autofree char *display = g_filename_display_basename (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmMediaInfo) info = sm_media_probe (path, NULL, &error);

  g_assert_error (error, SM_MEDIA_ERROR, code);
  g_assert_null (info);
  /* Every message names the file and ends with what to do. */
  g_assert_nonnull (strstr (error->message, display));
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_test_message ("%s: %s", name, error->message);
}

static void
assert_duration_near (gint64 us,
                      double seconds)
{
  g_assert_cmpfloat_with_epsilon (us / (double) G_USEC_PER_SEC, seconds, seconds * 0.1);
}

/* Checks @info and compares the problem: NULL = must pass. */
static void
assert_rule (SmNetwork          network,
             const char        *post_kind,
             const SmMediaInfo *info,
             const char        *expected)
{
  g_autofree char *problem = NULL;
  gboolean ok = sm_media_rules_check (network, post_kind, info, &problem);

  g_assert_cmpstr (problem, ==, expected);
  g_assert_cmpint (ok, ==, expected == NULL);
}

/* ---- probing ---------------------------------------------------------- */

static void
test_probe_mp4 (void)
{
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  info = probe_ok ("clip.mp4");
  g_assert_cmpint (info->kind, ==, SM_MEDIA_VIDEO);
  g_assert_cmpstr (info->mime_type, ==, "video/mp4");
  g_assert_cmpstr (info->container, ==, "mp4");
  g_assert_cmpstr (info->video_codec, ==, "h264");
  g_assert_cmpstr (info->audio_codec, ==, "aac");
  g_assert_true (info->has_audio);
  assert_duration_near (info->duration_us, 2.0);
  g_assert_cmpuint (info->width, ==, 640);
  g_assert_cmpuint (info->height, ==, 360);
  g_assert_cmpuint (info->framerate_num, ==, 30);
  g_assert_cmpuint (info->framerate_den, ==, 1);
}

static void
test_probe_vertical (void)
{
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  info = probe_ok ("vertical.mp4");
  g_assert_cmpint (info->kind, ==, SM_MEDIA_VIDEO);
  g_assert_cmpstr (info->container, ==, "mp4");
  g_assert_cmpstr (info->video_codec, ==, "h264");
  g_assert_null (info->audio_codec);
  g_assert_false (info->has_audio);
  assert_duration_near (info->duration_us, 1.0);
  g_assert_cmpuint (info->width, ==, 1080);
  g_assert_cmpuint (info->height, ==, 1920);
}

static void
test_probe_rotated (void)
{
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  /* 320×240 pixels turned by 90°: shown upright as 240×320, and that is
   * the shape the networks judge. */
  info = probe_ok ("rotated.mp4");
  g_assert_cmpint (info->kind, ==, SM_MEDIA_VIDEO);
  g_assert_cmpuint (info->width, ==, 240);
  g_assert_cmpuint (info->height, ==, 320);
}

static void
test_probe_webm (void)
{
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  info = probe_ok (web_name);
  g_assert_cmpint (info->kind, ==, SM_MEDIA_VIDEO);
  if (web_is_vp8)
    {
      g_assert_cmpstr (info->mime_type, ==, "video/webm");
      g_assert_cmpstr (info->container, ==, "webm");
      g_assert_cmpstr (info->video_codec, ==, "vp8");
      g_assert_cmpstr (info->audio_codec, ==, "opus");
    }
  else
    {
      g_assert_cmpstr (info->mime_type, ==, "video/ogg");
      g_assert_cmpstr (info->container, ==, "ogg");
      g_assert_cmpstr (info->video_codec, ==, "theora");
      g_assert_cmpstr (info->audio_codec, ==, "vorbis");
    }
  g_assert_true (info->has_audio);
  assert_duration_near (info->duration_us, 1.0);
  g_assert_cmpuint (info->width, ==, 320);
  g_assert_cmpuint (info->height, ==, 240);
}

/* What an iPhone or a camera writes: QuickTime, not MP4. */
static void
test_probe_mov (void)
{
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  info = probe_ok ("clip.mov");
  g_assert_cmpint (info->kind, ==, SM_MEDIA_VIDEO);
  g_assert_cmpstr (info->mime_type, ==, "video/quicktime");
  g_assert_cmpstr (info->container, ==, "quicktime");
  g_assert_cmpstr (info->video_codec, ==, "h264");
  assert_duration_near (info->duration_us, 0.5);

  /* Facebook takes MP4 only: the same streams in MP4 would do. */
  g_assert_false (sm_media_rules_check (SM_NETWORK_FACEBOOK, "video", info, NULL));
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_FACEBOOK, "video", info));
  g_assert_true (sm_media_rules_check (SM_NETWORK_X, NULL, info, NULL));
}

static void
test_probe_audio (void)
{
  g_autoptr(SmMediaInfo) m4a = NULL;
  g_autoptr(SmMediaInfo) mp3 = NULL;
  g_autofree char *mp3_path = NULL;

  if (!need_fixtures ())
    return;

  m4a = probe_ok ("voice.m4a");
  g_assert_cmpint (m4a->kind, ==, SM_MEDIA_AUDIO);
  g_assert_cmpstr (m4a->mime_type, ==, "audio/mp4");
  g_assert_cmpstr (m4a->container, ==, "mp4");
  g_assert_cmpstr (m4a->audio_codec, ==, "aac");
  g_assert_null (m4a->video_codec);
  g_assert_true (m4a->has_audio);
  g_assert_cmpuint (m4a->width, ==, 0);
  assert_duration_near (m4a->duration_us, 1.0);
  assert_rule (SM_NETWORK_WHATSAPP, NULL, m4a, NULL);
  assert_rule (SM_NETWORK_INSTAGRAM, "reel", m4a,
               "Instagram reels take only videos; this file is an audio file. "
               "Choose another file.");

  mp3_path = fixture ("song.mp3");
  if (!g_file_test (mp3_path, G_FILE_TEST_EXISTS))
    return; /* no lamemp3enc */
  mp3 = probe_ok ("song.mp3");
  g_assert_cmpint (mp3->kind, ==, SM_MEDIA_AUDIO);
  g_assert_cmpstr (mp3->mime_type, ==, "audio/mpeg");
  g_assert_null (mp3->container);
  g_assert_cmpstr (mp3->audio_codec, ==, "mp3");
  assert_duration_near (mp3->duration_us, 1.0);
  assert_rule (SM_NETWORK_WHATSAPP, NULL, mp3, NULL);
}

static void
test_probe_images (void)
{
  g_autoptr(SmMediaInfo) png = NULL;
  g_autoptr(SmMediaInfo) jpeg = NULL;
  g_autoptr(SmMediaInfo) tall = NULL;

  if (!need_fixtures ())
    return;

  png = probe_ok ("image.png");
  g_assert_cmpint (png->kind, ==, SM_MEDIA_IMAGE);
  g_assert_cmpstr (png->mime_type, ==, "image/png");
  g_assert_null (png->container);
  g_assert_null (png->video_codec);
  g_assert_cmpint (png->duration_us, ==, 0);
  g_assert_cmpuint (png->width, ==, 320);
  g_assert_cmpuint (png->height, ==, 240);

  jpeg = probe_ok ("image.jpg");
  g_assert_cmpint (jpeg->kind, ==, SM_MEDIA_IMAGE);
  g_assert_cmpstr (jpeg->mime_type, ==, "image/jpeg");
  g_assert_cmpuint (jpeg->width, ==, 320);
  g_assert_cmpuint (jpeg->height, ==, 240);

  tall = probe_ok ("tall.png");
  g_assert_cmpint (tall->kind, ==, SM_MEDIA_IMAGE);
  g_assert_cmpuint (tall->width, ==, 320);
  g_assert_cmpuint (tall->height, ==, 960);
}

static void
test_probe_documents (void)
{
  g_autoptr(SmMediaInfo) pdf = NULL;
  g_autoptr(SmMediaInfo) text = NULL;

  if (!need_fixtures ())
    return;

  pdf = probe_ok ("report.pdf");
  g_assert_cmpint (pdf->kind, ==, SM_MEDIA_DOCUMENT);
  g_assert_cmpstr (pdf->mime_type, ==, "application/pdf");
  g_assert_null (pdf->container);
  g_assert_cmpuint (pdf->width, ==, 0);

  text = probe_ok ("notes.txt");
  g_assert_cmpint (text->kind, ==, SM_MEDIA_DOCUMENT);
  g_assert_cmpstr (text->mime_type, ==, "text/plain");
}

static void
test_probe_copy (void)
{
  g_autoptr(SmMediaInfo) info = NULL;
  g_autoptr(SmMediaInfo) copy = NULL;

  if (!need_fixtures ())
    return;

  info = probe_ok ("clip.mp4");
  copy = g_boxed_copy (SM_TYPE_MEDIA_INFO, info);
  g_assert_true (copy != info);
  g_assert_true (copy->container != info->container);
  g_assert_cmpstr (copy->sha256, ==, info->sha256);
  g_assert_cmpstr (copy->video_codec, ==, info->video_codec);
  g_assert_cmpint (copy->duration_us, ==, info->duration_us);
}

static gpointer
probe_thread (gpointer data)
{
  g_autofree char *path = fixture (data);

  return sm_media_probe (path, NULL, NULL);
}

/* Callers probe on worker threads, several at once; the first one in
 * initialises GStreamer. */
static void
test_probe_threads (void)
{
  GThread *a, *b;
  g_autoptr(SmMediaInfo) video = NULL;
  g_autoptr(SmMediaInfo) image = NULL;

  if (!need_fixtures ())
    return;

  a = g_thread_new ("probe-a", probe_thread, (gpointer) "clip.mp4");
  b = g_thread_new ("probe-b", probe_thread, (gpointer) "image.jpg");
  video = g_thread_join (a);
  image = g_thread_join (b);
  g_assert_nonnull (video);
  g_assert_nonnull (image);
  g_assert_cmpint (video->kind, ==, SM_MEDIA_VIDEO);
  g_assert_cmpint (image->kind, ==, SM_MEDIA_IMAGE);
}

/* ---- errors ----------------------------------------------------------- */

static void
test_error_not_found (void)
{
  if (!need_fixtures ())
    return;
  assert_probe_error ("holiday.mp4", SM_MEDIA_ERROR_NOT_FOUND);
}

static void
test_error_empty (void)
{
  if (!need_fixtures ())
    return;
  assert_probe_error ("empty.mp4", SM_MEDIA_ERROR_EMPTY);
}

/* The index of a fast-start MP4 is at the front, so the first 30 % still
 * says "2 s, H.264"; the probe must notice the missing end. */
static void
test_error_truncated (void)
{
  if (!need_fixtures ())
    return;
  assert_probe_error ("truncated.mp4", SM_MEDIA_ERROR_CORRUPT);
  assert_probe_error ("truncated-index.mp4", SM_MEDIA_ERROR_CORRUPT);
  if (web_is_vp8)
    assert_probe_error ("truncated.webm", SM_MEDIA_ERROR_CORRUPT);
}

static void
test_error_not_media (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  assert_probe_error ("noise.bin", SM_MEDIA_ERROR_NOT_MEDIA);
  /* Text whose name says video: the bytes decide. */
  assert_probe_error ("fake.mp4", SM_MEDIA_ERROR_NOT_MEDIA);

  info = sm_media_probe (fixture_dir, NULL, &error);
  g_assert_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_NOT_MEDIA);
  g_assert_null (info);
}

static void
test_error_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  path = fixture ("clip.mp4");
  g_cancellable_cancel (cancellable);
  info = sm_media_probe (path, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (info);
}

/* ---- rules ------------------------------------------------------------ */

static SmMediaInfo *
video_info (const char *container,
            const char *video_codec,
            const char *audio_codec,
            guint       width,
            guint       height,
            double      seconds,
            guint       fps,
            guint64     size_bytes)
{
  SmMediaInfo *info = sm_media_info_new ();

  info->path = g_strdup ("/tmp/made-up.mp4");
  info->kind = SM_MEDIA_VIDEO;
  info->mime_type = g_strdup ("video/mp4");
  info->container = g_strdup (container);
  info->video_codec = g_strdup (video_codec);
  info->audio_codec = g_strdup (audio_codec);
  info->has_audio = audio_codec != NULL;
  info->width = width;
  info->height = height;
  info->duration_us = (gint64) (seconds * G_USEC_PER_SEC);
  info->framerate_num = fps;
  info->framerate_den = 1;
  info->size_bytes = size_bytes;
  return info;
}

/* An ordinary phone clip: MP4, H.264/AAC, 30 fps, 10 MB. */
static SmMediaInfo *
mp4_info (guint  width,
          guint  height,
          double seconds)
{
  return video_info ("mp4", "h264", "aac", width, height, seconds, 30, 10 * 1000 * 1000);
}

static SmMediaInfo *
image_info (const char *mime_type,
            guint       width,
            guint       height,
            guint64     size_bytes)
{
  SmMediaInfo *info = sm_media_info_new ();

  info->path = g_strdup ("/tmp/made-up.jpg");
  info->kind = SM_MEDIA_IMAGE;
  info->mime_type = g_strdup (mime_type);
  info->width = width;
  info->height = height;
  info->size_bytes = size_bytes;
  return info;
}

static SmMediaInfo *
other_info (SmMediaKind kind,
            const char *mime_type,
            const char *container,
            const char *audio_codec,
            guint64     size_bytes)
{
  SmMediaInfo *info = sm_media_info_new ();

  info->path = g_strdup ("/tmp/made-up");
  info->kind = kind;
  info->mime_type = g_strdup (mime_type);
  info->container = g_strdup (container);
  info->audio_codec = g_strdup (audio_codec);
  info->has_audio = audio_codec != NULL;
  info->duration_us = audio_codec != NULL ? 30 * G_USEC_PER_SEC : 0;
  info->size_bytes = size_bytes;
  return info;
}

static void
assert_count (SmNetwork   network,
              const char *post_kind,
              guint       n,
              const char *expected)
{
  g_autofree char *problem = NULL;
  gboolean ok = sm_media_rules_check_count (network, post_kind, n, &problem);

  g_assert_cmpstr (problem, ==, expected);
  g_assert_cmpint (ok, ==, expected == NULL);
}

static void
test_rules_x (void)
{
  g_autoptr(SmMediaInfo) clip = mp4_info (640, 360, 2);
  g_autoptr(SmMediaInfo) long_clip = mp4_info (1280, 720, 185);
  g_autoptr(SmMediaInfo) webm = video_info ("webm", "vp8", "opus", 640, 360, 20, 30, 4000000);
  g_autoptr(SmMediaInfo) long_webm = video_info ("webm", "vp8", "opus", 640, 360, 185, 30, 4000000);
  g_autoptr(SmMediaInfo) fast = video_info ("mp4", "h264", "aac", 1280, 720, 20, 120, 40000000);
  g_autoptr(SmMediaInfo) png = image_info ("image/png", 1200, 675, 800000);
  g_autoptr(SmMediaInfo) gif = image_info ("image/gif", 480, 270, 9000000);
  g_autoptr(SmMediaInfo) heic = image_info ("image/heic", 4032, 3024, 2000000);
  g_autoptr(SmMediaInfo) pdf = other_info (SM_MEDIA_DOCUMENT, "application/pdf", NULL, NULL, 1000);

  assert_rule (SM_NETWORK_X, NULL, clip, NULL);
  assert_rule (SM_NETWORK_X, "video", clip, NULL);
  assert_rule (SM_NETWORK_X, NULL, png, NULL);
  assert_rule (SM_NETWORK_X, "image", gif, NULL); /* 9 MB: GIFs may be 15 */
  assert_rule (SM_NETWORK_X, NULL, long_clip,
               "X videos can be up to 140 seconds long; this one is 3:05. Trim it.");
  assert_rule (SM_NETWORK_X, NULL, webm,
               "X videos must be MP4 or MOV with H.264 video and AAC audio; this one is WebM "
               "with VP8 video and Opus audio. Convert it.");
  assert_rule (SM_NETWORK_X, NULL, fast,
               "X videos can be up to 60 frames per second; this one has 120. Convert it.");
  assert_rule (SM_NETWORK_X, NULL, heic,
               "X images must be JPEG, PNG, WebP or GIF; this one is HEIC. "
               "Save it as JPEG, PNG, WebP or GIF.");
  assert_rule (SM_NETWORK_X, NULL, pdf,
               "X posts take only images and videos; this file is a document. "
               "Choose another file.");
  assert_rule (SM_NETWORK_X, "story", clip, "X has no stories. Choose another kind of post.");

  /* A conversion fixes the format and the frame rate, not the length. */
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, webm));
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, fast));
  g_assert_false (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, long_webm));
  g_assert_false (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, long_clip));
  g_assert_false (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, clip));
  g_assert_false (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, heic));
  /* The length is what the user must fix first. */
  assert_rule (SM_NETWORK_X, NULL, long_webm,
               "X videos can be up to 140 seconds long; this one is 3:05. Trim it.");

  assert_count (SM_NETWORK_X, NULL, 4, NULL);
  assert_count (SM_NETWORK_X, NULL, 0, NULL);
  assert_count (SM_NETWORK_X, "image", 5,
                "X posts can have up to 4 files; this one has 5. Remove some.");
  assert_count (SM_NETWORK_X, "video", 2,
                "X video posts can have only 1 file; this one has 2. Remove some.");
}

static void
test_rules_x_post (void)
{
  g_autoptr(SmMediaInfo) clip = mp4_info (640, 360, 2);
  g_autoptr(SmMediaInfo) png = image_info ("image/png", 1200, 675, 800000);
  g_autoptr(SmMediaInfo) gif = image_info ("image/gif", 480, 270, 9000000);
  g_autoptr(SmMediaInfo) big_png = image_info ("image/png", 4000, 3000, 6000000);
  const SmMediaInfo *four_images[] = { png, png, png, png };
  const SmMediaInfo *video_and_image[] = { clip, png };
  const SmMediaInfo *gif_and_image[] = { png, gif };
  const SmMediaInfo *with_big[] = { png, big_png };
  g_autofree char *problem = NULL;

  g_assert_true (sm_media_rules_check_post (SM_NETWORK_X, NULL, four_images, 4, NULL));
  g_assert_true (sm_media_rules_check_post (SM_NETWORK_X, NULL, NULL, 0, NULL));

  g_assert_false (sm_media_rules_check_post (SM_NETWORK_X, NULL, video_and_image, 2, &problem));
  g_assert_cmpstr (problem, ==,
                   "X videos must be alone in a post; this one has 2 files. Remove the others.");
  g_clear_pointer (&problem, g_free);

  g_assert_false (sm_media_rules_check_post (SM_NETWORK_X, NULL, gif_and_image, 2, &problem));
  g_assert_cmpstr (problem, ==,
                   "X GIFs must be alone in a post; this one has 2 files. Remove the others.");
  g_clear_pointer (&problem, g_free);

  g_assert_false (sm_media_rules_check_post (SM_NETWORK_X, NULL, with_big, 2, &problem));
  g_assert_cmpstr (problem, ==,
                   "X images can be up to 5.0\u00A0MB; this one is 6.0\u00A0MB. "
                   "Export it smaller or at a lower quality.");
}

static void
test_rules_instagram (void)
{
  g_autoptr(SmMediaInfo) jpeg = image_info ("image/jpeg", 1080, 1350, 900000);
  g_autoptr(SmMediaInfo) wide = image_info ("image/jpeg", 1080, 566, 900000);
  g_autoptr(SmMediaInfo) tall = image_info ("image/png", 320, 960, 30000);
  g_autoptr(SmMediaInfo) png = image_info ("image/png", 1080, 1080, 900000);
  g_autoptr(SmMediaInfo) story = image_info ("image/jpeg", 1080, 1920, 900000);
  g_autoptr(SmMediaInfo) reel = mp4_info (1080, 1920, 30);
  g_autoptr(SmMediaInfo) short_reel = mp4_info (1080, 1920, 1);
  g_autoptr(SmMediaInfo) long_story = mp4_info (1080, 1920, 75);
  g_autoptr(SmMediaInfo) slow = video_info ("quicktime", "hevc", "aac", 1080, 1920, 30, 15, 9000000);

  assert_rule (SM_NETWORK_INSTAGRAM, NULL, jpeg, NULL);
  assert_rule (SM_NETWORK_INSTAGRAM, "carousel", wide, NULL); /* 1.91:1, on the limit */
  assert_rule (SM_NETWORK_INSTAGRAM, NULL, tall,
               "Instagram feed images must be between 4:5 and 1.91:1; this one is 1:3. Crop it.");
  assert_rule (SM_NETWORK_INSTAGRAM, "image", png,
               "Instagram feed images must be JPEG; this one is PNG. Save it as JPEG.");
  assert_rule (SM_NETWORK_INSTAGRAM, "story", story, NULL); /* no shape rule for stories */
  assert_rule (SM_NETWORK_INSTAGRAM, "reel", reel, NULL);
  assert_rule (SM_NETWORK_INSTAGRAM, "video", reel, NULL);
  assert_rule (SM_NETWORK_INSTAGRAM, "reel", jpeg,
               "Instagram reels take only videos; this file is an image. Choose another file.");
  assert_rule (SM_NETWORK_INSTAGRAM, "reel", short_reel,
               "Instagram reels must be at least 3 seconds long; this one is 1.0 seconds. "
               "Use a longer clip.");
  assert_rule (SM_NETWORK_INSTAGRAM, "story", long_story,
               "Instagram video stories can be up to 60 seconds long; this one is 1:15. "
               "Trim it.");
  assert_rule (SM_NETWORK_INSTAGRAM, "reel", slow,
               "Instagram reels must have at least 23 frames per second; this one has 15. "
               "Convert it.");
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_INSTAGRAM, "reel", slow));

  assert_count (SM_NETWORK_INSTAGRAM, "carousel", 2, NULL);
  assert_count (SM_NETWORK_INSTAGRAM, "carousel", 10, NULL);
  assert_count (SM_NETWORK_INSTAGRAM, "carousel", 1,
                "Instagram carousels need at least 2 files; this one has 1. Add more.");
  assert_count (SM_NETWORK_INSTAGRAM, "carousel", 11,
                "Instagram carousels can have up to 10 files; this one has 11. Remove some.");
  assert_count (SM_NETWORK_INSTAGRAM, "reel", 0,
                "Instagram reels need at least 1 file; this one has 0. Add one.");
}

static void
test_rules_facebook (void)
{
  g_autoptr(SmMediaInfo) reel = mp4_info (1080, 1920, 30);
  g_autoptr(SmMediaInfo) landscape = mp4_info (640, 360, 30);
  g_autoptr(SmMediaInfo) small = mp4_info (360, 640, 30);
  g_autoptr(SmMediaInfo) long_reel = mp4_info (1080, 1920, 95);
  g_autoptr(SmMediaInfo) mov = video_info ("quicktime", "h264", "aac", 1920, 1080, 30, 30, 9000000);
  g_autoptr(SmMediaInfo) photo = image_info ("image/jpeg", 4000, 3000, 5000000);

  assert_rule (SM_NETWORK_FACEBOOK, "reel", reel, NULL);
  assert_rule (SM_NETWORK_FACEBOOK, "reel", landscape,
               "Facebook reels must be 9:16; this one is 16:9. Crop it.");
  assert_rule (SM_NETWORK_FACEBOOK, "reel", small,
               "Facebook reels must be at least 540×960 pixels; this one is 360×640. "
               "Use a larger version.");
  assert_rule (SM_NETWORK_FACEBOOK, "reel", long_reel,
               "Facebook reels can be up to 90 seconds long; this one is 1:35. Trim it.");
  assert_rule (SM_NETWORK_FACEBOOK, "video", landscape, NULL);
  assert_rule (SM_NETWORK_FACEBOOK, "video", mov,
               "Facebook videos must be MP4; this one is MOV with H.264 video and AAC audio. "
               "Convert it.");
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_FACEBOOK, "video", mov));
  assert_rule (SM_NETWORK_FACEBOOK, NULL, photo,
               "Facebook photos can be up to 4.0\u00A0MB; this one is 5.0\u00A0MB. "
               "Export it smaller or at a lower quality.");
  assert_count (SM_NETWORK_FACEBOOK, "carousel", 1,
                "Facebook multi-photo posts need at least 2 files; this one has 1. Add more.");
}

static void
test_rules_whatsapp (void)
{
  g_autoptr(SmMediaInfo) clip = mp4_info (640, 360, 20);
  g_autoptr(SmMediaInfo) big = video_info ("mp4", "h264", "aac", 1920, 1080, 20, 30, 20000000);
  g_autoptr(SmMediaInfo) webm = video_info ("webm", "vp9", "opus", 640, 360, 20, 30, 4000000);
  g_autoptr(SmMediaInfo) voice = other_info (SM_MEDIA_AUDIO, "audio/ogg", "ogg", "opus", 90000);
  g_autoptr(SmMediaInfo) mp3 = other_info (SM_MEDIA_AUDIO, "audio/mpeg", NULL, "mp3", 900000);
  g_autoptr(SmMediaInfo) flac = other_info (SM_MEDIA_AUDIO, "audio/flac", NULL, "flac", 900000);
  g_autoptr(SmMediaInfo) pdf = other_info (SM_MEDIA_DOCUMENT, "application/pdf", NULL, NULL, 1000);
  g_autoptr(SmMediaInfo) odt = other_info (SM_MEDIA_DOCUMENT, "application/vnd.oasis.opendocument.text",
                                           NULL, NULL, 1000);

  assert_rule (SM_NETWORK_WHATSAPP, NULL, clip, NULL);
  assert_rule (SM_NETWORK_WHATSAPP, NULL, big,
               "WhatsApp videos can be up to 16.0\u00A0MB; this one is 20.0\u00A0MB. "
               "Trim it or export it at a lower quality.");
  assert_rule (SM_NETWORK_WHATSAPP, NULL, webm,
               "WhatsApp videos must be MP4 or 3GP with H.264 video and AAC audio; this one is "
               "WebM with VP9 video and Opus audio. Convert it.");
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_WHATSAPP, NULL, webm));
  assert_rule (SM_NETWORK_WHATSAPP, NULL, voice, NULL);
  assert_rule (SM_NETWORK_WHATSAPP, NULL, mp3, NULL);
  assert_rule (SM_NETWORK_WHATSAPP, NULL, flac,
               "WhatsApp audio must be AAC, AMR, MP3, M4A or Ogg Opus; this one is FLAC. "
               "Convert it.");
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_WHATSAPP, NULL, flac));
  assert_rule (SM_NETWORK_WHATSAPP, NULL, pdf, NULL);
  assert_rule (SM_NETWORK_WHATSAPP, NULL, odt,
               "WhatsApp documents must be PDF, Word, Excel, PowerPoint or plain text; this one "
               "is OpenDocument text. Save it as PDF, Word, Excel, PowerPoint or plain text.");
  {
    g_autoptr(SmMediaInfo) sticker = other_info (SM_MEDIA_IMAGE, "image/webp", NULL, NULL, 90000);
    g_autoptr(SmMediaInfo) big_sticker = other_info (SM_MEDIA_IMAGE, "image/webp", NULL, NULL,
                                                     600000);

    assert_rule (SM_NETWORK_WHATSAPP, NULL, sticker, NULL);
    assert_rule (SM_NETWORK_WHATSAPP, NULL, big_sticker,
                 "WhatsApp stickers can be up to 500.0\u00A0kB; this one is 600.0\u00A0kB. "
                 "Export it smaller or at a lower quality.");
  }
  assert_count (SM_NETWORK_WHATSAPP, NULL, 10, NULL);
  assert_count (SM_NETWORK_WHATSAPP, NULL, 11,
                "WhatsApp messages can have up to 10 files; this one has 11. Remove some.");
  assert_rule (SM_NETWORK_WHATSAPP, "reel", clip,
               "WhatsApp Business has no reels. Choose another kind of post.");
}

static void
test_rules_threads (void)
{
  g_autoptr(SmMediaInfo) clip = mp4_info (1080, 1920, 40);
  g_autoptr(SmMediaInfo) long_clip = mp4_info (1080, 1920, 360);
  g_autoptr(SmMediaInfo) png = image_info ("image/png", 1440, 1800, 3000000);
  g_autoptr(SmMediaInfo) webp = image_info ("image/webp", 1440, 1800, 300000);

  assert_rule (SM_NETWORK_THREADS, NULL, clip, NULL);
  assert_rule (SM_NETWORK_THREADS, "carousel", png, NULL);
  assert_rule (SM_NETWORK_THREADS, NULL, long_clip,
               "Threads videos can be up to 5 minutes long; this one is 6:00. Trim it.");
  assert_rule (SM_NETWORK_THREADS, NULL, webp,
               "Threads images must be JPEG or PNG; this one is WebP. Save it as JPEG or PNG.");
  assert_count (SM_NETWORK_THREADS, "carousel", 20, NULL);
  assert_count (SM_NETWORK_THREADS, "carousel", 21,
                "Threads carousels can have up to 20 files; this one has 21. Remove some.");
  assert_count (SM_NETWORK_THREADS, NULL, 2,
                "Threads posts can have only 1 file; this one has 2. Remove some.");
}

static void
test_rules_linkedin (void)
{
  g_autoptr(SmMediaInfo) clip = mp4_info (1920, 1080, 45);
  g_autoptr(SmMediaInfo) short_clip = mp4_info (640, 360, 2);
  g_autoptr(SmMediaInfo) tall = mp4_info (360, 1080, 45);
  g_autoptr(SmMediaInfo) tiny = video_info ("mp4", "h264", "aac", 320, 240, 5, 30, 50000);
  g_autoptr(SmMediaInfo) pdf = other_info (SM_MEDIA_DOCUMENT, "application/pdf", NULL, NULL, 90000);
  g_autoptr(SmMediaInfo) text = other_info (SM_MEDIA_DOCUMENT, "text/plain", NULL, NULL, 900);
  const SmMediaInfo *pdf_and_video[] = { pdf, clip };
  g_autofree char *problem = NULL;

  assert_rule (SM_NETWORK_LINKEDIN, NULL, clip, NULL);
  assert_rule (SM_NETWORK_LINKEDIN, NULL, pdf, NULL);
  assert_rule (SM_NETWORK_LINKEDIN, NULL, short_clip,
               "LinkedIn videos must be at least 3 seconds long; this one is 2.0 seconds. "
               "Use a longer clip.");
  assert_rule (SM_NETWORK_LINKEDIN, NULL, tall,
               "LinkedIn videos must be between 1:2.4 and 2.4:1; this one is 1:3. Crop it.");
  assert_rule (SM_NETWORK_LINKEDIN, NULL, tiny,
               "LinkedIn videos must be at least 75.0\u00A0kB; this one is only 50.0\u00A0kB. "
               "Use a longer or better-quality version.");
  assert_rule (SM_NETWORK_LINKEDIN, NULL, text,
               "LinkedIn documents must be PDF, PowerPoint or Word; this one is plain text. "
               "Save it as PDF, PowerPoint or Word.");
  assert_count (SM_NETWORK_LINKEDIN, "carousel", 1,
                "LinkedIn multi-image posts need at least 2 files; this one has 1. Add more.");

  g_assert_false (sm_media_rules_check_post (SM_NETWORK_LINKEDIN, NULL, pdf_and_video, 2,
                                             &problem));
  g_assert_cmpstr (problem, ==,
                   "LinkedIn documents must be alone in a post; this one has 2 files. "
                   "Remove the others.");
}

static void
test_rules_tiktok (void)
{
  g_autoptr(SmMediaInfo) clip = mp4_info (1080, 1920, 90);
  g_autoptr(SmMediaInfo) webm = video_info ("webm", "vp9", "opus", 1080, 1920, 30, 30, 9000000);
  g_autoptr(SmMediaInfo) small = video_info ("webm", "vp8", "opus", 320, 240, 30, 30, 900000);
  g_autoptr(SmMediaInfo) slow = mp4_info (1080, 1920, 30);
  g_autoptr(SmMediaInfo) long_clip = mp4_info (1080, 1920, 750);
  g_autoptr(SmMediaInfo) photo = image_info ("image/jpeg", 1080, 1920, 900000);
  g_autofree char *problem = NULL;

  slow->framerate_num = 15;

  assert_rule (SM_NETWORK_TIKTOK, NULL, clip, NULL);
  assert_rule (SM_NETWORK_TIKTOK, NULL, webm, NULL);
  assert_rule (SM_NETWORK_TIKTOK, NULL, small,
               "TikTok videos must be at least 360×360 pixels; this one is 320×240. "
               "Use a larger version.");
  assert_rule (SM_NETWORK_TIKTOK, NULL, slow,
               "TikTok videos must have at least 23 frames per second; this one has 15. "
               "Convert it.");
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_TIKTOK, NULL, slow));
  assert_rule (SM_NETWORK_TIKTOK, NULL, long_clip,
               "TikTok videos can be up to 10 minutes long; this one is 12:30. Trim it.");
  assert_rule (SM_NETWORK_TIKTOK, "post", photo,
               "TikTok posts take only videos; this file is an image. Choose another file.");

  /* creator_info says this account may post 60 s at most */
  g_assert_false (sm_media_rules_check_for_account (SM_NETWORK_TIKTOK, NULL, clip, 60, &problem));
  g_assert_cmpstr (problem, ==,
                   "TikTok videos can be up to 60 seconds long; this one is 1:30. Trim it.");
  g_assert_true (sm_media_rules_check_for_account (SM_NETWORK_TIKTOK, NULL, clip, 600, NULL));
}

static void
test_rules_youtube (void)
{
  g_autoptr(SmMediaInfo) webm = video_info ("webm", "vp9", "opus", 3840, 2160, 600, 60, 900000000);
  g_autoptr(SmMediaInfo) marathon = mp4_info (1920, 1080, 13 * 3600);
  g_autoptr(SmMediaInfo) photo = image_info ("image/jpeg", 1280, 720, 900000);

  g_assert_cmpstr (sm_media_rules_default_post_kind (SM_NETWORK_YOUTUBE), ==, "video");
  assert_rule (SM_NETWORK_YOUTUBE, NULL, webm, NULL);
  assert_rule (SM_NETWORK_YOUTUBE, "post", webm, NULL);
  assert_rule (SM_NETWORK_YOUTUBE, NULL, marathon,
               "YouTube videos can be up to 12 hours long; this one is 13:00:00. Trim it.");
  assert_rule (SM_NETWORK_YOUTUBE, NULL, photo,
               "YouTube uploads take only videos; this file is an image. Choose another file.");
}

/* The fixtures themselves, end to end: probe, then ask each network. */
static void
test_rules_probed (void)
{
  g_autoptr(SmMediaInfo) clip = NULL;
  g_autoptr(SmMediaInfo) vertical = NULL;
  g_autoptr(SmMediaInfo) web = NULL;
  g_autoptr(SmMediaInfo) tall = NULL;
  g_autoptr(SmMediaInfo) jpeg = NULL;
  g_autoptr(SmMediaInfo) text = NULL;

  if (!need_fixtures ())
    return;

  clip = probe_ok ("clip.mp4");
  vertical = probe_ok ("vertical.mp4");
  web = probe_ok (web_name);
  tall = probe_ok ("tall.png");
  jpeg = probe_ok ("image.jpg");
  text = probe_ok ("notes.txt");

  assert_rule (SM_NETWORK_X, NULL, clip, NULL);
  assert_rule (SM_NETWORK_WHATSAPP, NULL, clip, NULL);
  assert_rule (SM_NETWORK_INSTAGRAM, NULL, tall,
               "Instagram feed images must be between 4:5 and 1.91:1; this one is 1:3. Crop it.");
  assert_rule (SM_NETWORK_INSTAGRAM, NULL, jpeg, NULL);
  assert_rule (SM_NETWORK_FACEBOOK, "reel", vertical,
               "Facebook reels must be at least 3 seconds long; this one is 1.0 seconds. "
               "Use a longer clip.");
  assert_rule (SM_NETWORK_LINKEDIN, NULL, clip,
               "LinkedIn videos must be at least 3 seconds long; this one is 2.0 seconds. "
               "Use a longer clip.");
  assert_rule (SM_NETWORK_WHATSAPP, NULL, text, NULL);
  assert_rule (SM_NETWORK_X, NULL, text,
               "X posts take only images and videos; this file is a document. "
               "Choose another file.");
  assert_rule (SM_NETWORK_YOUTUBE, NULL, web, NULL);

  if (web_is_vp8)
    {
      assert_rule (SM_NETWORK_X, NULL, web,
                   "X videos must be MP4 or MOV with H.264 video and AAC audio; this one is "
                   "WebM with VP8 video and Opus audio. Convert it.");
      g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, web));
      g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_WHATSAPP, NULL, web));
    }
}

static void
test_rules_post_kinds (void)
{
  g_autoptr(SmMediaInfo) clip = mp4_info (1080, 1920, 30);

  g_assert_cmpstr (sm_media_rules_default_post_kind (SM_NETWORK_X), ==, "post");
  g_assert_cmpstr (sm_media_rules_default_post_kind (SM_NETWORK_TIKTOK), ==, "video");
  g_assert_true (sm_media_rules_has_post_kind (SM_NETWORK_INSTAGRAM, "video"));
  g_assert_true (sm_media_rules_has_post_kind (SM_NETWORK_X, "carousel"));
  g_assert_false (sm_media_rules_has_post_kind (SM_NETWORK_X, "reel"));
  g_assert_false (sm_media_rules_has_post_kind (SM_NETWORK_THREADS, "story"));

  /* Every network has a default, its rules pass an ordinary vertical
   * clip or explain why in one sentence with nothing left unformatted. */
  for (SmNetwork n = SM_NETWORK_INVALID + 1; n < SM_N_NETWORKS; n++)
    {
      const char *kinds[] = { NULL, "post", "reel", "story", "video", "image", "carousel" };

      g_assert_nonnull (sm_media_rules_default_post_kind (n));
      for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
        {
          g_autofree char *problem = NULL;

          if (sm_media_rules_check (n, kinds[i], clip, &problem))
            {
              g_assert_null (problem);
              continue;
            }
          g_assert_nonnull (problem);
          g_assert_true (g_str_has_suffix (problem, "."));
          g_assert_null (strchr (problem, '%'));
          g_assert_null (strchr (problem, '\n'));
        }
    }
}

/* A 4 GiB video: every network with a smaller limit refuses it with its
 * own limit in the message, before anything is uploaded; Facebook (10 GB)
 * and YouTube (256 GB) take it. */
static void
test_rules_four_gigabytes (void)
{
  g_autoptr(SmMediaInfo) info = video_info ("mp4", "h264", "aac", 1080, 1920, 60, 30,
                                            G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024);

  for (SmNetwork network = SM_NETWORK_INVALID + 1; network < SM_N_NETWORKS; network++)
    {
      g_autofree char *problem = NULL;
      gboolean ok = sm_media_rules_check (network, NULL, info, &problem);

      g_test_message ("%s: %s", sm_network_to_string (network), ok ? "ok" : problem);
      if (network == SM_NETWORK_YOUTUBE || network == SM_NETWORK_FACEBOOK)
        {
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      {
        /* "WhatsApp" of "WhatsApp Business" */
        const char *display = sm_network_display_name (network);
        g_autofree char *name = g_strndup (display, strcspn (display, " "));

        g_assert_nonnull (strstr (problem, name));
      }
      g_assert_true (strstr (problem, "MB") != NULL || strstr (problem, "GB") != NULL);
    }
}

/* ---- converting and still frames ------------------------------------------ */

typedef struct
{
  GArray       *fractions;
  GCancellable *cancel_at_first;
} ProgressLog;

static void
log_progress (double   fraction,
              gpointer user_data)
{
  ProgressLog *log = user_data;

  g_array_append_val (log->fractions, fraction);
  if (log->cancel_at_first != NULL)
    g_cancellable_cancel (log->cancel_at_first);
}

/* Files in the fixture folder whose name starts with a dot: what a
 * conversion left behind. */
static guint
count_hidden_files (void)
{
  g_autoptr(GDir) dir = g_dir_open (fixture_dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.')
      n++;
  return n;
}

static SmMediaInfo *
transcode_ok (const char               *from,
              const char               *to,
              const SmTranscodeOptions *options)
{
  g_autofree char *input = fixture (from);
  g_autofree char *output = fixture (to);
  g_autoptr(SmMediaInfo) before = probe_ok (from);
  g_autoptr(SmMediaInfo) after = NULL;
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  ProgressLog log = { fractions, NULL };
  g_autoptr(GError) error = NULL;
  SmMediaInfo *info;

  g_assert_true (sm_transcode_to_mp4 (input, output, options, log_progress, &log, NULL, &error));
  g_assert_no_error (error);

  /* Progress only goes forward, from 0 to 1. */
  g_assert_cmpuint (fractions->len, >=, 2);
  g_assert_cmpfloat (g_array_index (fractions, double, 0), ==, 0.0);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i), >=,
                       g_array_index (fractions, double, i - 1));

  /* The original is untouched. */
  after = probe_ok (from);
  g_assert_cmpstr (after->sha256, ==, before->sha256);
  g_assert_cmpuint (count_hidden_files (), ==, 0);

  info = probe_ok (to);
  g_assert_cmpint (info->kind, ==, SM_MEDIA_VIDEO);
  g_assert_cmpstr (info->mime_type, ==, "video/mp4");
  g_assert_cmpstr (info->video_codec, ==, "h264");
  if (before->has_audio)
    g_assert_cmpstr (info->audio_codec, ==, "aac");
  assert_duration_near (info->duration_us, before->duration_us / (double) G_USEC_PER_SEC);
  return info;
}

static void
test_transcode_webm (void)
{
  g_autoptr(SmMediaInfo) original = NULL;
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  /* X does not take VP8/Opus in WebM; the converted copy it does. */
  original = probe_ok (web_name);
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, original));
  info = transcode_ok (web_name, "web-converted.mp4", NULL);
  g_assert_cmpuint (info->width, ==, original->width);
  g_assert_cmpuint (info->height, ==, original->height);
  g_assert_true (info->has_audio);
  g_assert_false (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, info));
  assert_rule (SM_NETWORK_X, NULL, info, NULL);
}

static void
test_transcode_limits (void)
{
  SmTranscodeOptions options = { .max_fps = 15, .max_long_side = 320 };
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  /* 640×360 at 30 fps → 320×180 at 15 fps, the shape kept. */
  info = transcode_ok ("clip.mp4", "clip-small.mp4", &options);
  g_assert_cmpuint (info->width, ==, 320);
  g_assert_cmpuint (info->height, ==, 180);
  g_assert_cmpuint (info->framerate_num, ==, 15 * info->framerate_den);
}

static void
test_transcode_rotated (void)
{
  g_autoptr(SmMediaInfo) info = NULL;

  if (!need_fixtures ())
    return;

  /* A phone's portrait video comes out upright in its pixels. */
  info = transcode_ok ("rotated.mp4", "rotated-converted.mp4", NULL);
  g_assert_cmpuint (info->width, ==, 240);
  g_assert_cmpuint (info->height, ==, 320);
}

static void
assert_transcode_fails (const char   *from,
                        const char   *to,
                        GQuark        domain,
                        int           code,
                        GCancellable *cancel_at_first)
{
  g_autofree char *input = fixture (from);
  g_autofree char *output = fixture (to);
  gboolean existed = g_file_test (output, G_FILE_TEST_EXISTS);
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  ProgressLog log = { fractions, cancel_at_first };
  g_autoptr(GError) error = NULL;

  g_assert_false (sm_transcode_to_mp4 (input, output, NULL, log_progress, &log,
                                       cancel_at_first, &error));
  g_assert_error (error, domain, code);
  g_test_message ("%s → %s: %s", from, to, error->message);
  g_assert_cmpint (g_file_test (output, G_FILE_TEST_EXISTS), ==, existed);
  g_assert_cmpuint (count_hidden_files (), ==, 0);
}

static void
test_transcode_refusals (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  if (!need_fixtures ())
    return;

  assert_transcode_fails ("image.png", "image.mp4", SM_MEDIA_ERROR, SM_MEDIA_ERROR_NOT_MEDIA, NULL);
  assert_transcode_fails ("truncated.mp4", "truncated-converted.mp4", SM_MEDIA_ERROR,
                          SM_MEDIA_ERROR_CORRUPT, NULL);
  /* Never over an existing file: the WebM's own MP4 twin is there. */
  assert_transcode_fails ("landscape.mp4", "clip.mp4", G_IO_ERROR, G_IO_ERROR_EXISTS, NULL);
  /* Cancelled at the first progress report: nothing left behind. */
  assert_transcode_fails ("clip.mp4", "clip-cancelled.mp4", G_IO_ERROR, G_IO_ERROR_CANCELLED,
                          cancellable);
}

static void
test_transcode_write_failure (void)
{
  g_autofree char *input = fixture ("clip.mp4");
  g_autofree char *output = fixture ("clip-too-big.mp4");
  g_autoptr(SmMediaInfo) before = NULL;
  g_autoptr(SmMediaInfo) after = NULL;
  g_autoptr(GError) error = NULL;
  struct rlimit saved, small;
  gboolean ok;

  if (!need_fixtures ())
    return;

  /* The disk "fills up" after 16 KiB: the write fails part way, as on a
   * full disk (EFBIG here, ENOSPC there; the same path). */
  before = probe_ok ("clip.mp4");
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  small = saved;
  small.rlim_cur = 16 * 1024;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  ok = sm_transcode_to_mp4 (input, output, NULL, NULL, NULL, NULL, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, SIG_DFL);

  g_assert_false (ok);
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, fixture_dir));
  g_assert_nonnull (strstr (error->message, "original is unchanged"));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_hidden_files (), ==, 0);
  after = probe_ok ("clip.mp4");
  g_assert_cmpstr (after->sha256, ==, before->sha256);
}

/* Width and height from a PNG's IHDR. */
static void
png_size (GBytes *png,
          guint  *width,
          guint  *height)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);

  g_assert_cmpuint (len, >, 24);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  *width = GUINT32_FROM_BE (*(const guint32 *) (data + 16));
  *height = GUINT32_FROM_BE (*(const guint32 *) (data + 20));
}

static void
assert_thumbnail (const char *name,
                  gint64      position_us,
                  guint       max_side,
                  guint       width,
                  guint       height)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = sm_media_thumbnail_png (path, position_us, max_side, NULL, &error);
  guint w, h;

  g_assert_no_error (error);
  png_size (png, &w, &h);
  g_assert_cmpuint (w, ==, width);
  g_assert_cmpuint (h, ==, height);
}

static void
test_thumbnails (void)
{
  g_autofree char *notes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = NULL;

  if (!need_fixtures ())
    return;

  assert_thumbnail ("clip.mp4", G_USEC_PER_SEC, 160, 160, 90);
  /* Past the end: the last frames, not an error. */
  assert_thumbnail ("clip.mp4", 60 * G_USEC_PER_SEC, 160, 160, 90);
  assert_thumbnail ("rotated.mp4", 0, 160, 120, 160);
  assert_thumbnail ("image.jpg", 0, 100, 100, 75);
  assert_thumbnail ("tall.png", 0, 0, 320, 960);

  notes = fixture ("notes.txt");
  png = sm_media_thumbnail_png (notes, 0, 100, NULL, &error);
  g_assert_null (png);
  g_assert_error (error, SM_MEDIA_ERROR, SM_MEDIA_ERROR_NOT_MEDIA);
}

static void
test_cli_media (void)
{
  g_autofree char *program = sm_test_program ("so-me");
  g_autofree char *web = fixture (web_name);
  g_autofree char *out = fixture ("cli-converted.mp4");
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!need_fixtures ())
    return;

  {
    const char *argv[] = { program, "media", "check", web, "--to", "x", "--to", "youtube", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &stdout_text,
                                 &stderr_text, &status, &error));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (stdout_text, "fix: so-me media transcode"));
    g_clear_pointer (&stdout_text, g_free);
    g_clear_pointer (&stderr_text, g_free);
  }
  {
    const char *argv[] = { program, "media", "transcode", web, "--out", out, NULL };
    g_auto(GStrv) lines = NULL;
    guint n;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &stdout_text,
                                 &stderr_text, &status, &error));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    lines = g_strsplit (g_strstrip (stdout_text), "\n", -1);
    n = g_strv_length (lines);
    /* Progress lines, then the new file's path alone. */
    g_assert_cmpuint (n, >=, 2);
    g_assert_nonnull (strstr (lines[0], "%"));
    g_assert_cmpstr (lines[n - 1], ==, out);
    g_clear_pointer (&stdout_text, g_free);
    g_clear_pointer (&stderr_text, g_free);
  }
  {
    const char *argv[] = { program, "media", "check", out, "--to", "x", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &stdout_text,
                                 &stderr_text, &status, &error));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *gst_launch_path = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  fixture_dir = g_dir_make_tmp ("sm-test-media-XXXXXX", &error);
  g_assert_no_error (error);

  gst_launch_path = g_find_program_in_path ("gst-launch-1.0");
  if (gst_launch_path == NULL)
    no_fixtures = g_strdup ("gst-launch-1.0 is not installed");
  else if (!make_fixtures (&error))
    no_fixtures = g_strdup_printf ("cannot make media fixtures: %s", error->message);

  g_test_add_func ("/media/probe/mp4", test_probe_mp4);
  g_test_add_func ("/media/probe/vertical", test_probe_vertical);
  g_test_add_func ("/media/probe/rotated", test_probe_rotated);
  g_test_add_func ("/media/probe/webm", test_probe_webm);
  g_test_add_func ("/media/probe/mov", test_probe_mov);
  g_test_add_func ("/media/probe/audio", test_probe_audio);
  g_test_add_func ("/media/probe/images", test_probe_images);
  g_test_add_func ("/media/probe/documents", test_probe_documents);
  g_test_add_func ("/media/probe/copy", test_probe_copy);
  g_test_add_func ("/media/probe/threads", test_probe_threads);
  g_test_add_func ("/media/error/not-found", test_error_not_found);
  g_test_add_func ("/media/error/empty", test_error_empty);
  g_test_add_func ("/media/error/truncated", test_error_truncated);
  g_test_add_func ("/media/error/not-media", test_error_not_media);
  g_test_add_func ("/media/error/cancelled", test_error_cancelled);
  g_test_add_func ("/media/rules/x", test_rules_x);
  g_test_add_func ("/media/rules/x-post", test_rules_x_post);
  g_test_add_func ("/media/rules/instagram", test_rules_instagram);
  g_test_add_func ("/media/rules/facebook", test_rules_facebook);
  g_test_add_func ("/media/rules/whatsapp", test_rules_whatsapp);
  g_test_add_func ("/media/rules/threads", test_rules_threads);
  g_test_add_func ("/media/rules/linkedin", test_rules_linkedin);
  g_test_add_func ("/media/rules/tiktok", test_rules_tiktok);
  g_test_add_func ("/media/rules/youtube", test_rules_youtube);
  g_test_add_func ("/media/rules/probed", test_rules_probed);
  g_test_add_func ("/media/rules/post-kinds", test_rules_post_kinds);
  g_test_add_func ("/media/rules/four-gigabytes", test_rules_four_gigabytes);
  g_test_add_func ("/media/transcode/webm", test_transcode_webm);
  g_test_add_func ("/media/transcode/limits", test_transcode_limits);
  g_test_add_func ("/media/transcode/rotated", test_transcode_rotated);
  g_test_add_func ("/media/transcode/refusals", test_transcode_refusals);
  g_test_add_func ("/media/transcode/write-failure", test_transcode_write_failure);
  g_test_add_func ("/media/thumbnail", test_thumbnails);
  g_test_add_func ("/media/cli", test_cli_media);

  status = g_test_run ();

  remove_fixtures ();
  g_free (fixture_dir);
  g_free (no_fixtures);
  return status;
}
