/* sm-media-rules.c — each network's media rules, as tables.
 *
 * The numbers come from shared/docs/platform-apis.md where it has them
 * (section given next to each).  Where it has none, the network's own media
 * spec pages were used and the number is marked "not in platform-apis.md";
 * "unconfirmed" means the doc itself flags it.  Change a number here and
 * every check and message follows.
 *
 * "MB" in the docs is read as 10^6 bytes, the stricter reading.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-media"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sm-media-rules.h"

#define KB(n) ((guint64) (n) * 1000)
#define MB(n) ((guint64) (n) * 1000 * 1000)
#define GB(n) ((guint64) (n) * 1000 * 1000 * 1000)
#define SECONDS(n) ((gint64) ((n) * 1000))
#define MINUTES(n) SECONDS ((n) * 60)
#define HOURS(n) MINUTES ((n) * 60)

/* A NULL-terminated list of ids, in a table. */
#define LIST(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* Aspect ratios are width:height; within this fraction of a limit counts as
 * on it (1080×1350 is 4:5, 1080×566 is 1.91:1). */
#define ASPECT_TOLERANCE 0.01

typedef struct
{
  double w;
  double h;
} Aspect;

/* One rule: what one kind of file must be in one or more kinds of post. */
typedef struct
{
  const char        *post_kinds;   /* space-separated PostKind ids */
  SmMediaKind        kind;
  const char        *label;        /* subject of every message, plural */
  const char        *formats;      /* what the format rule asks, in words */
  const char *const *mime_types;   /* images/documents: allowed types; NULL = any */
  const char *const *containers;   /* NULL = any; a bare stream has none and passes */
  const char *const *video_codecs; /* NULL = any */
  const char *const *audio_codecs; /* NULL = any; a silent video passes */
  guint64            min_bytes;
  guint64            max_bytes; /* 0 = no limit */
  gint64             min_duration_ms;
  gint64             max_duration_ms; /* 0 = no limit */
  Aspect             min_aspect;      /* {0, 0} = no limit */
  Aspect             max_aspect;
  double             min_fps;
  double             max_fps; /* 0 = no limit */
  guint              min_short_side;
  guint              min_long_side;
  gboolean           alone; /* must be the only file in its post */
} MediaRule;

typedef struct
{
  const char *id;
  const char *aliases; /* space-separated other names for it on this network */
  const char *label;   /* "Instagram carousels" */
  guint       min_count;
  guint       max_count;
} PostKind;

typedef struct
{
  const PostKind  *post_kinds; /* the first is the default */
  guint            n_post_kinds;
  const MediaRule *rules;
  guint            n_rules;
} NetworkRules;

/* Shared format lists. */
#define JPEG LIST ("image/jpeg")
#define JPEG_PNG LIST ("image/jpeg", "image/png")
#define MP4 LIST ("mp4")
#define MP4_MOV LIST ("mp4", "quicktime")
#define H264 LIST ("h264")
#define H264_HEVC LIST ("h264", "hevc")
#define AAC LIST ("aac")

/* X — §8.4 "Limits". */
static const PostKind x_post_kinds[] = {
  { "post", "image carousel", N_("X posts"), 0, 4 },
  { "video", NULL, N_("X video posts"), 1, 1 },
};

static const MediaRule x_rules[] = {
  {
    .post_kinds = "post",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("X images"),
    .formats = N_("JPEG, PNG, WebP or GIF"),
    .mime_types = LIST ("image/jpeg", "image/png", "image/webp"),
    .max_bytes = MB (5),
  },
  {
    .post_kinds = "post",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("X GIFs"),
    .formats = N_("GIF"),
    .mime_types = LIST ("image/gif"),
    .max_bytes = MB (15),
    .alone = TRUE,
  },
  {
    .post_kinds = "post video",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("X videos"),
    .formats = N_("MP4 or MOV with H.264 video and AAC audio"),
    /* INIT also lists video/webm and video/mp2t, but X's video spec asks for
     * H.264/AAC in MP4 or MOV (not in platform-apis.md) */
    .containers = MP4_MOV,
    .video_codecs = H264,
    .audio_codecs = AAC,
    .max_bytes = MB (512),
    /* 140 s: "for standard accounts, unconfirmed" (§8.4); the 0.5 s minimum,
     * 60 fps, 1:3–3:1 and 32 px are X's video spec, not in platform-apis.md */
    .min_duration_ms = SECONDS (0.5),
    .max_duration_ms = SECONDS (140),
    .min_aspect = { 1, 3 },
    .max_aspect = { 3, 1 },
    .max_fps = 60,
    .min_short_side = 32,
    .alone = TRUE,
  },
};

/* Facebook Pages — §2.2. */
static const PostKind facebook_post_kinds[] = {
  /* no photo count limit in §2.2; 10 is a guess, not in platform-apis.md */
  { "post", "image", N_("Facebook posts"), 0, 10 },
  { "carousel", NULL, N_("Facebook multi-photo posts"), 2, 10 },
  { "video", NULL, N_("Facebook videos"), 1, 1 },
  { "reel", NULL, N_("Facebook reels"), 1, 1 },
  { "story", NULL, N_("Facebook stories"), 1, 1 },
};

static const MediaRule facebook_rules[] = {
  {
    .post_kinds = "post carousel story",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("Facebook photos"),
    .formats = N_("JPEG or PNG"),
    .mime_types = JPEG_PNG, /* the upload file_type list, §2.2 */
    .max_bytes = MB (4),    /* error 1366046 "photo >4 MB", §2.5 */
  },
  {
    .post_kinds = "post video",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("Facebook videos"),
    .formats = N_("MP4"),
    .containers = MP4, /* the upload file_type list has only video/mp4, §2.2 */
    /* 10 GB and 240 minutes: Facebook's video spec, not in platform-apis.md */
    .max_bytes = GB (10),
    .max_duration_ms = MINUTES (240),
    .alone = TRUE,
  },
  {
    .post_kinds = "reel",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("Facebook reels"),
    .formats = N_("MP4"),
    .containers = MP4,
    /* "3-90 s; 9:16; 540x960 min", §2.2 Reels */
    .min_duration_ms = SECONDS (3),
    .max_duration_ms = SECONDS (90),
    .min_aspect = { 9, 16 },
    .max_aspect = { 9, 16 },
    .min_short_side = 540,
    .min_long_side = 960,
  },
  {
    .post_kinds = "story",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("Facebook video stories"),
    .formats = N_("MP4"),
    .containers = MP4,
    .max_duration_ms = SECONDS (60), /* not in platform-apis.md */
  },
};

/* Instagram — §3.1 "Limits".  Video numbers are Instagram's Reels/Stories
 * container specs, not in platform-apis.md. */
#define INSTAGRAM_VIDEO_FORMATS N_("MP4 or MOV with H.264 or HEVC video and AAC audio")

static const PostKind instagram_post_kinds[] = {
  /* "feed" is instagram.kind's name for it (sm-options.c) */
  { "post", "image feed", N_("Instagram posts"), 1, 1 },
  { "reel", "video", N_("Instagram reels"), 1, 1 },
  { "story", NULL, N_("Instagram stories"), 1, 1 },
  /* 2-10 items; "20 in some newer material, unconfirmed", §3.1 */
  { "carousel", NULL, N_("Instagram carousels"), 2, 10 },
};

static const MediaRule instagram_rules[] = {
  {
    .post_kinds = "post carousel",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("Instagram feed images"),
    .formats = N_("JPEG"),
    .mime_types = JPEG, /* "JPEG preferred"; 2207005 unsupported image format, §3.1 */
    .max_bytes = MB (8), /* not in platform-apis.md */
    .min_aspect = { 4, 5 },  /* §3.1, errors 36003 / 2207009 */
    .max_aspect = { 1.91, 1 },
  },
  {
    .post_kinds = "story",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("Instagram story images"),
    .formats = N_("JPEG"),
    .mime_types = JPEG,
    .max_bytes = MB (8), /* not in platform-apis.md */
  },
  {
    .post_kinds = "post reel",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("Instagram reels"),
    .formats = INSTAGRAM_VIDEO_FORMATS,
    .containers = MP4_MOV,
    .video_codecs = H264_HEVC,
    .audio_codecs = AAC,
    .max_bytes = MB (300),
    .min_duration_ms = SECONDS (3),
    .max_duration_ms = MINUTES (15),
    .min_fps = 23,
    .max_fps = 60,
  },
  {
    .post_kinds = "story",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("Instagram video stories"),
    .formats = INSTAGRAM_VIDEO_FORMATS,
    .containers = MP4_MOV,
    .video_codecs = H264_HEVC,
    .audio_codecs = AAC,
    .max_bytes = MB (100),
    .min_duration_ms = SECONDS (3),
    .max_duration_ms = SECONDS (60),
    .min_fps = 23,
    .max_fps = 60,
  },
  {
    .post_kinds = "carousel",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("Instagram carousel videos"),
    .formats = INSTAGRAM_VIDEO_FORMATS,
    .containers = MP4_MOV,
    .video_codecs = H264_HEVC,
    .audio_codecs = AAC,
    .max_bytes = MB (300),
    .min_duration_ms = SECONDS (3),
    .max_duration_ms = SECONDS (60),
    .min_fps = 23,
    .max_fps = 60,
  },
};

/* WhatsApp Business — §4.2 "Size limits".  One file per message: a post
 * with several files becomes that many messages, in order.  The cap of 10
 * is So-me Studio's, to keep a post a post, not WhatsApp's. */
static const PostKind whatsapp_post_kinds[] = {
  { "post", "image video", N_("WhatsApp messages"), 0, 10 },
};

static const MediaRule whatsapp_rules[] = {
  {
    .post_kinds = "post",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("WhatsApp images"),
    .formats = N_("JPEG or PNG"),
    .mime_types = JPEG_PNG,
    .max_bytes = MB (5),
  },
  {
    /* Sent as a sticker.  100 KB static, 500 KB animated: the probe does
     * not tell which, so the larger; the sandbox checks the smaller for a
     * static one, as WhatsApp does. */
    .post_kinds = "post",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("WhatsApp stickers"),
    .formats = N_("WebP"),
    .mime_types = LIST ("image/webp"),
    .max_bytes = KB (500),
  },
  {
    .post_kinds = "post",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("WhatsApp videos"),
    .formats = N_("MP4 or 3GP with H.264 video and AAC audio"),
    .containers = LIST ("mp4", "3gp"),
    .video_codecs = H264,
    .audio_codecs = AAC,
    .max_bytes = MB (16),
  },
  {
    .post_kinds = "post",
    .kind = SM_MEDIA_AUDIO,
    .label = N_("WhatsApp audio"),
    .formats = N_("AAC, AMR, MP3, M4A or Ogg Opus"),
    /* aac/amr/mp3 are bare streams (no container); m4a is MP4 */
    .containers = LIST ("mp4", "ogg"),
    .audio_codecs = LIST ("aac", "amr", "mp3", "opus"),
    .max_bytes = MB (16),
  },
  {
    .post_kinds = "post",
    .kind = SM_MEDIA_DOCUMENT,
    .label = N_("WhatsApp documents"),
    .formats = N_("PDF, Word, Excel, PowerPoint or plain text"),
    .mime_types = LIST ("application/pdf", "application/msword",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "application/vnd.ms-excel",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "application/vnd.ms-powerpoint",
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                        "text/plain"),
    .max_bytes = MB (100),
  },
};

/* Threads — §5.2 names the checks (INVALID_DURATION, INVALID_FRAME_RATE,
 * INVALID_ASPEC_RATIO ...) but no numbers: these are Threads' media spec
 * (images: JPEG/PNG, 8 MB, aspect up to 10:1; videos: MOV/MP4, H.264/HEVC,
 * AAC, 1 GB, 5 min, 23-60 fps, aspect 0.01:1-10:1), not in platform-apis.md. */
static const PostKind threads_post_kinds[] = {
  { "post", "image video", N_("Threads posts"), 0, 1 },
  /* 2-20 "per current material; some tools still cap at 10, unconfirmed", §5.2 */
  { "carousel", NULL, N_("Threads carousels"), 2, 20 },
};

static const MediaRule threads_rules[] = {
  {
    .post_kinds = "post carousel",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("Threads images"),
    .formats = N_("JPEG or PNG"),
    .mime_types = JPEG_PNG,
    .max_bytes = MB (8),
    /* "aspect ratio limit 10:1" either way */
    .min_aspect = { 1, 10 },
    .max_aspect = { 10, 1 },
  },
  {
    .post_kinds = "post carousel",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("Threads videos"),
    .formats = N_("MP4 or MOV with H.264 or HEVC video and AAC audio"),
    .containers = MP4_MOV,
    .video_codecs = H264_HEVC,
    .audio_codecs = AAC,
    .max_bytes = GB (1),
    .max_duration_ms = MINUTES (5),
    .min_fps = 23,
    .max_fps = 60,
    /* "between 0.01:1 and 10:1" */
    .min_aspect = { 1, 100 },
    .max_aspect = { 10, 1 },
  },
};

/* LinkedIn — §6.3 (posts: one file as media, or multiImage), §6.4 (images,
 * documents) and §6.5 (videos).  src/platforms/sm-platform-linkedin.c sends
 * one image as media and several as multiImage. */
static const PostKind linkedin_post_kinds[] = {
  /* multiImage: 2-20 images, LinkedIn's Posts API, not in platform-apis.md */
  { "post", "image video", N_("LinkedIn posts"), 0, 20 },
  { "carousel", NULL, N_("LinkedIn multi-image posts"), 2, 20 },
};

static const MediaRule linkedin_rules[] = {
  {
    .post_kinds = "post carousel",
    .kind = SM_MEDIA_IMAGE,
    .label = N_("LinkedIn images"),
    .formats = N_("JPEG, PNG or GIF"),
    /* §6.4 gives no formats or sizes; JPEG, PNG and GIF are the Images
     * API's, not in platform-apis.md */
    .mime_types = LIST ("image/jpeg", "image/png", "image/gif"),
  },
  {
    .post_kinds = "post",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("LinkedIn videos"),
    .formats = N_("MP4"),
    .containers = MP4,
    /* "75 KB-500 MB, 3 s-30 min, MP4, aspect 1:2.4-2.4:1", §6.5; the size
     * range is marked unconfirmed there (200 MB and 5 GiB also seen) */
    .min_bytes = KB (75),
    .max_bytes = MB (500),
    .min_duration_ms = SECONDS (3),
    .max_duration_ms = MINUTES (30),
    .min_aspect = { 1, 2.4 },
    .max_aspect = { 2.4, 1 },
    .alone = TRUE,
  },
  {
    .post_kinds = "post",
    .kind = SM_MEDIA_DOCUMENT,
    .label = N_("LinkedIn documents"),
    .formats = N_("PDF, PowerPoint or Word"),
    .mime_types = LIST ("application/pdf", "application/vnd.ms-powerpoint",
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                        "application/msword",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    .max_bytes = MB (100), /* LinkedIn's Documents API, not in platform-apis.md */
    .alone = TRUE,
  },
};

/* TikTok — §7.3.  Photos are PULL_FROM_URL only, so only videos here. */
static const PostKind tiktok_post_kinds[] = {
  { "video", "post reel", N_("TikTok posts"), 1, 1 },
};

static const MediaRule tiktok_rules[] = {
  {
    .post_kinds = "video",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("TikTok videos"),
    .formats = N_("MP4, MOV or WebM with H.264, HEVC, VP8 or VP9 video"),
    /* the upload Content-Types, §7.3 step 4 */
    .containers = LIST ("mp4", "quicktime", "webm"),
    /* codecs, 23-60 fps, 360 px: TikTok's media transfer guide, not in
     * platform-apis.md */
    .video_codecs = LIST ("h264", "hevc", "vp8", "vp9"),
    /* §7.3 gives processing times up to 4 GB; the chunk rules (1000 chunks
     * of at most 64 MB) allow more, so 4 GB is the binding limit */
    .max_bytes = GB (4),
    /* Each account has its own limit, creator_info's
     * max_video_post_duration_sec (§7.3 step 1): pass it to
     * sm_media_rules_check_for_account().  10 min is the longest any
     * account gets. */
    .max_duration_ms = MINUTES (10),
    .min_fps = 23,
    .max_fps = 60,
    .min_short_side = 360,
  },
};

/* YouTube — §1.2 lists no file limits (only failureReason "tooSmall",
 * "codec", ...): 256 GB and 12 hours are YouTube's upload limits, not in
 * platform-apis.md.  YouTube converts any format. */
static const PostKind youtube_post_kinds[] = {
  { "video", "post", N_("YouTube uploads"), 1, 1 },
};

static const MediaRule youtube_rules[] = {
  {
    .post_kinds = "video",
    .kind = SM_MEDIA_VIDEO,
    .label = N_("YouTube videos"),
    .max_bytes = GB (256),
    .max_duration_ms = HOURS (12),
  },
};

#define NETWORK(name) \
  { name##_post_kinds, G_N_ELEMENTS (name##_post_kinds), name##_rules, G_N_ELEMENTS (name##_rules) }

static const NetworkRules networks[SM_N_NETWORKS] = {
  [SM_NETWORK_INVALID] = { NULL, 0, NULL, 0 },
  [SM_NETWORK_X] = NETWORK (x),
  [SM_NETWORK_FACEBOOK] = NETWORK (facebook),
  [SM_NETWORK_LINKEDIN] = NETWORK (linkedin),
  [SM_NETWORK_THREADS] = NETWORK (threads),
  [SM_NETWORK_INSTAGRAM] = NETWORK (instagram),
  [SM_NETWORK_YOUTUBE] = NETWORK (youtube),
  [SM_NETWORK_TIKTOK] = NETWORK (tiktok),
  [SM_NETWORK_WHATSAPP] = NETWORK (whatsapp),
};

/* What a check found wrong, in the order they are reported. */
typedef enum
{
  PROBLEM_NONE,
  PROBLEM_FIXABLE, /* container, codecs or frame rate: a conversion fixes it */
  PROBLEM_OTHER,
} ProblemKind;

static gboolean
word_in_list (const char *list,
              const char *word)
{
  gsize len = strlen (word);

  for (const char *p = list; p != NULL && *p != '\0';)
    {
      const char *end = strchr (p, ' ');
      gsize n = end != NULL ? (gsize) (end - p) : strlen (p);

      if (n == len && strncmp (p, word, len) == 0)
        return TRUE;
      p = end != NULL ? end + 1 : NULL;
    }
  return FALSE;
}

static gboolean
in_list (const char *const *list,
         const char         *id)
{
  if (id == NULL)
    return FALSE;
  for (; *list != NULL; list++)
    if (g_str_equal (*list, id))
      return TRUE;
  return FALSE;
}

static const PostKind *
find_post_kind (SmNetwork   network,
                const char *post_kind)
{
  const NetworkRules *net = &networks[network];

  if (post_kind == NULL)
    return &net->post_kinds[0];
  for (guint i = 0; i < net->n_post_kinds; i++)
    if (g_str_equal (net->post_kinds[i].id, post_kind)
        || word_in_list (net->post_kinds[i].aliases, post_kind))
      return &net->post_kinds[i];
  return NULL;
}

/* The rule for this kind of file in this kind of post: where several fit
 * the kind (X's images and GIFs), the one for its type, else the first. */
static const MediaRule *
find_rule (SmNetwork          network,
           const PostKind    *pk,
           const SmMediaInfo *info)
{
  const NetworkRules *net = &networks[network];
  const MediaRule *first = NULL;

  for (guint i = 0; i < net->n_rules; i++)
    {
      const MediaRule *rule = &net->rules[i];

      if (rule->kind != info->kind || !word_in_list (rule->post_kinds, pk->id))
        continue;
      if (rule->mime_types == NULL || in_list (rule->mime_types, info->mime_type))
        return rule;
      if (first == NULL)
        first = rule;
    }
  return first;
}

static const char *
kind_with_article (SmMediaKind kind)
{
  switch (kind)
    {
    case SM_MEDIA_IMAGE:
      return _("an image");
    case SM_MEDIA_VIDEO:
      return _("a video");
    case SM_MEDIA_AUDIO:
      return _("an audio file");
    case SM_MEDIA_DOCUMENT:
      return _("a document");
    case SM_MEDIA_UNKNOWN:
    default:
      return _("a file of unknown type");
    }
}

/* The kinds of file a post kind takes, as a phrase. */
static const char *
kinds_phrase (guint mask)
{
#define BIT(k) (1u << (k))
  switch (mask)
    {
    case BIT (SM_MEDIA_IMAGE):
      return _("images");
    case BIT (SM_MEDIA_VIDEO):
      return _("videos");
    case BIT (SM_MEDIA_IMAGE) | BIT (SM_MEDIA_VIDEO):
      return _("images and videos");
    case BIT (SM_MEDIA_IMAGE) | BIT (SM_MEDIA_VIDEO) | BIT (SM_MEDIA_DOCUMENT):
      return _("images, videos and documents");
    default:
      return _("images, videos, audio files and documents");
    }
#undef BIT
}

static const char *
post_kind_plural (const char *post_kind)
{
  static const struct
  {
    const char *id;
    const char *plural;
  } names[] = {
    { "post", N_("posts") },   { "reel", N_("reels") },   { "story", N_("stories") },
    { "video", N_("videos") }, { "image", N_("images") }, { "carousel", N_("carousels") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].id, post_kind))
      return _(names[i].plural);
  return post_kind;
}

static const char *
container_name (const char *id)
{
  static const char *const names[][2] = {
    { "mp4", "MP4" },       { "quicktime", "MOV" }, { "3gp", "3GP" },
    { "webm", "WebM" },     { "matroska", "Matroska" }, { "ogg", "Ogg" },
    { "avi", "AVI" },       { "mpegts", "MPEG-TS" }, { "flv", "FLV" },
    { "asf", "ASF" },       { "wav", "WAV" },        { "aiff", "AIFF" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i][0], id))
      return names[i][1];
  return NULL;
}

static const char *
codec_name (const char *id)
{
  static const char *const names[][2] = {
    { "h264", "H.264" },     { "hevc", "HEVC" },    { "vp8", "VP8" },       { "vp9", "VP9" },
    { "av1", "AV1" },        { "mpeg4", "MPEG-4" }, { "mpeg2", "MPEG-2" },  { "mpeg1", "MPEG-1" },
    { "theora", "Theora" },  { "prores", "ProRes" }, { "mjpeg", "Motion JPEG" },
    { "aac", "AAC" },        { "mp3", "MP3" },      { "mp2", "MP2" },       { "opus", "Opus" },
    { "vorbis", "Vorbis" },  { "flac", "FLAC" },    { "amr", "AMR" },       { "pcm", "PCM" },
    { "ac3", "AC-3" },       { "eac3", "E-AC-3" },  { "alac", "ALAC" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i][0], id))
      return names[i][1];
  return NULL;
}

static char *
upper_name (const char *id,
            const char *known)
{
  return known != NULL ? g_strdup (known) : g_ascii_strup (id, -1);
}

/* "PNG", "WebM with VP8 video and Opus audio", "PDF", ... */
static char *
describe_format (const SmMediaInfo *info)
{
  static const struct
  {
    const char *mime;
    const char *name;
  } documents[] = {
    { "application/pdf", "PDF" },
    { "application/msword", N_("Word") },
    { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", N_("Word") },
    { "application/vnd.ms-excel", N_("Excel") },
    { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", N_("Excel") },
    { "application/vnd.ms-powerpoint", N_("PowerPoint") },
    { "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      N_("PowerPoint") },
    { "application/vnd.oasis.opendocument.text", N_("OpenDocument text") },
    { "application/vnd.oasis.opendocument.spreadsheet", N_("OpenDocument spreadsheet") },
    { "application/vnd.oasis.opendocument.presentation", N_("OpenDocument presentation") },
    { "application/rtf", "RTF" },
    { "text/plain", N_("plain text") },
    { "text/csv", "CSV" },
  };
  g_autofree char *container = NULL;
  g_autofree char *video = NULL;
  g_autofree char *audio = NULL;

  if (info->kind == SM_MEDIA_IMAGE || info->kind == SM_MEDIA_DOCUMENT)
    {
      if (info->mime_type == NULL)
        return g_strdup (_("an unknown format"));
      if (g_str_has_prefix (info->mime_type, "image/"))
        {
          const char *sub = info->mime_type + strlen ("image/");

          if (g_str_equal (sub, "jpeg"))
            return g_strdup ("JPEG");
          if (g_str_equal (sub, "webp"))
            return g_strdup ("WebP");
          if (g_str_equal (sub, "heif") || g_str_equal (sub, "heic"))
            return g_strdup ("HEIC");
          return g_ascii_strup (sub, -1);
        }
      for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
        if (g_str_equal (documents[i].mime, info->mime_type))
          return g_strdup (_(documents[i].name));
      return g_content_type_get_description (info->mime_type);
    }

  if (info->container != NULL)
    container = upper_name (info->container, container_name (info->container));
  if (info->video_codec != NULL)
    video = upper_name (info->video_codec, codec_name (info->video_codec));
  if (info->audio_codec != NULL)
    audio = upper_name (info->audio_codec, codec_name (info->audio_codec));

  if (container == NULL)
    {
      if (audio != NULL && video == NULL)
        return g_steal_pointer (&audio);
      container = g_strdup (_("an unknown container"));
    }

  if (video != NULL && audio != NULL)
    /* Translators: a file's format: "WebM with VP8 video and Opus audio" */
    return g_strdup_printf (_("%s with %s video and %s audio"), container, video, audio);
  if (video != NULL)
    return g_strdup_printf (_("%s with %s video"), container, video);
  if (audio != NULL)
    return g_strdup_printf (_("%s with %s audio"), container, audio);
  return g_steal_pointer (&container);
}

/* A limit: "140 seconds", "0.5 seconds", "15 minutes", "12 hours". */
static char *
format_limit_duration (gint64 ms)
{
  gint64 s = ms / 1000;

  if (ms % 1000 != 0)
    return g_strdup_printf (_("%.1f seconds"), ms / 1000.0);
  if (s >= 3600 && s % 3600 == 0)
    return g_strdup_printf (g_dngettext (NULL, "%u hour", "%u hours", (gulong) (s / 3600)),
                            (guint) (s / 3600));
  if (s >= 180 && s % 60 == 0)
    return g_strdup_printf (g_dngettext (NULL, "%u minute", "%u minutes", (gulong) (s / 60)),
                            (guint) (s / 60));
  return g_strdup_printf (g_dngettext (NULL, "%u second", "%u seconds", (gulong) s), (guint) s);
}

/* A file's length, rounded away from the limit it missed so that it never
 * reads as equal to it: "3:05", "1:02:03", "2.4 seconds". */
static char *
format_actual_duration (gint64   us,
                        gboolean round_up)
{
  gint64 s;

  if (us < G_USEC_PER_SEC * 60)
    {
      double tenths = (double) us / (G_USEC_PER_SEC / 10);

      tenths = round_up ? ceil (tenths) : floor (tenths);
      if (tenths < 600)
        return g_strdup_printf (_("%.1f seconds"), tenths / 10);
    }

  s = round_up ? (us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC : us / G_USEC_PER_SEC;
  if (s >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", (guint) (s / 3600), (guint) (s / 60 % 60),
                            (guint) (s % 60));
  return g_strdup_printf ("%u:%02u", (guint) (s / 60), (guint) (s % 60));
}

static char *
format_aspect (Aspect a)
{
  return g_strdup_printf ("%g:%g", a.w, a.h);
}

/* "1:3", "16:9", or "1.78:1" when the exact ratio is unwieldy. */
static char *
format_file_aspect (guint width,
                    guint height)
{
  guint a = width, b = height;

  while (b != 0)
    {
      guint t = a % b;

      a = b;
      b = t;
    }
  if (a != 0 && width / a <= 32 && height / a <= 32)
    return g_strdup_printf ("%u:%u", width / a, height / a);
  if (width >= height)
    return g_strdup_printf ("%.2f:1", (double) width / height);
  return g_strdup_printf ("1:%.2f", (double) height / width);
}

static char *
format_fps (double fps)
{
  return g_strdup_printf ("%.4g", fps);
}

static const char *
size_fix (SmMediaKind kind)
{
  switch (kind)
    {
    case SM_MEDIA_IMAGE:
      return _("Export it smaller or at a lower quality.");
    case SM_MEDIA_DOCUMENT:
      return _("Make it smaller or split it.");
    case SM_MEDIA_AUDIO:
      return _("Trim it or export it at a lower bitrate.");
    case SM_MEDIA_VIDEO:
    case SM_MEDIA_UNKNOWN:
    default:
      return _("Trim it or export it at a lower quality.");
    }
}

/* The checks a conversion cannot fix: size, length, shape. */
static char *
check_fixed_properties (const MediaRule   *rule,
                        const SmMediaInfo *info,
                        gint64             max_duration_ms)
{
  const char *label = _(rule->label);
  gboolean timed = info->kind == SM_MEDIA_VIDEO || info->kind == SM_MEDIA_AUDIO;
  gboolean visual = info->kind == SM_MEDIA_VIDEO || info->kind == SM_MEDIA_IMAGE;

  if (rule->max_bytes != 0 && info->size_bytes > rule->max_bytes)
    {
      g_autofree char *limit = g_format_size (rule->max_bytes);
      g_autofree char *actual = g_format_size (info->size_bytes);

      /* Translators: "WhatsApp videos can be up to 16.0 MB; this one is
       * 20.1 MB. Trim it or export it at a lower quality." */
      return g_strdup_printf (_("%s can be up to %s; this one is %s. %s"), label, limit, actual,
                              size_fix (info->kind));
    }

  if (info->size_bytes < rule->min_bytes)
    {
      g_autofree char *limit = g_format_size (rule->min_bytes);
      g_autofree char *actual = g_format_size (info->size_bytes);

      return g_strdup_printf (_("%s must be at least %s; this one is only %s. "
                                "Use a longer or better-quality version."),
                              label, limit, actual);
    }

  /* A length of 0 is unknown (some streams do not say), not zero. */
  if (timed && info->duration_us > 0)
    {
      gint64 duration_ms = info->duration_us / 1000;

      if (max_duration_ms != 0 && duration_ms > max_duration_ms)
        {
          g_autofree char *limit = format_limit_duration (max_duration_ms);
          g_autofree char *actual = format_actual_duration (info->duration_us, TRUE);

          /* Translators: "X videos can be up to 140 seconds long; this one
           * is 3:05. Trim it." */
          return g_strdup_printf (_("%s can be up to %s long; this one is %s. Trim it."), label,
                                  limit, actual);
        }
      if (duration_ms < rule->min_duration_ms)
        {
          g_autofree char *limit = format_limit_duration (rule->min_duration_ms);
          g_autofree char *actual = format_actual_duration (info->duration_us, FALSE);

          return g_strdup_printf (_("%s must be at least %s long; this one is %s. "
                                    "Use a longer clip."),
                                  label, limit, actual);
        }
    }

  if (visual && info->width > 0 && info->height > 0)
    {
      double ratio = (double) info->width / info->height;
      gboolean has_min = rule->min_aspect.h > 0;
      gboolean has_max = rule->max_aspect.h > 0;
      double min = has_min ? rule->min_aspect.w / rule->min_aspect.h : 0;
      double max = has_max ? rule->max_aspect.w / rule->max_aspect.h : 0;
      guint short_side = MIN (info->width, info->height);
      guint long_side = MAX (info->width, info->height);

      if ((has_min && ratio < min * (1 - ASPECT_TOLERANCE))
          || (has_max && ratio > max * (1 + ASPECT_TOLERANCE)))
        {
          g_autofree char *actual = format_file_aspect (info->width, info->height);
          g_autofree char *lo = has_min ? format_aspect (rule->min_aspect) : NULL;
          g_autofree char *hi = has_max ? format_aspect (rule->max_aspect) : NULL;

          if (has_min && has_max && min == max)
            /* Translators: "Facebook reels must be 9:16; this one is 16:9. Crop it." */
            return g_strdup_printf (_("%s must be %s; this one is %s. Crop it."), label, lo,
                                    actual);
          if (has_min && has_max)
            /* Translators: "Instagram feed images must be between 4:5 and
             * 1.91:1; this one is 1:3. Crop it." */
            return g_strdup_printf (_("%s must be between %s and %s; this one is %s. Crop it."),
                                    label, lo, hi, actual);
          if (has_max)
            return g_strdup_printf (_("%s can be at most %s; this one is %s. Crop it."), label, hi,
                                    actual);
          return g_strdup_printf (_("%s must be at least %s; this one is %s. Crop it."), label, lo,
                                  actual);
        }

      if (short_side < rule->min_short_side || long_side < rule->min_long_side)
        {
          gboolean portrait = info->height > info->width;
          guint want_short = rule->min_short_side;
          guint want_long = MAX (rule->min_long_side, rule->min_short_side);

          /* Translators: "Facebook reels must be at least 540×960 pixels;
           * this one is 360×640. Use a larger version." */
          return g_strdup_printf (_("%s must be at least %u×%u pixels; this one is %u×%u. "
                                    "Use a larger version."),
                                  label, portrait ? want_short : want_long,
                                  portrait ? want_long : want_short, info->width, info->height);
        }
    }

  return NULL;
}

/* The checks a conversion fixes: container, codecs, frame rate.  Images
 * and documents have only their type. */
static char *
check_format (const MediaRule   *rule,
              const SmMediaInfo *info)
{
  const char *label = _(rule->label);

  if (info->kind == SM_MEDIA_IMAGE || info->kind == SM_MEDIA_DOCUMENT)
    {
      if (rule->mime_types != NULL && !in_list (rule->mime_types, info->mime_type))
        {
          g_autofree char *actual = describe_format (info);

          /* Translators: "Instagram feed images must be JPEG; this one is
           * PNG. Save it as JPEG." */
          return g_strdup_printf (_("%s must be %s; this one is %s. Save it as %s."), label,
                                  _(rule->formats), actual, _(rule->formats));
        }
      return NULL;
    }

  /* A bare audio stream (MP3, ADTS AAC) has no container and needs none; a
   * bare video stream does. */
  if ((rule->containers != NULL
       && (info->container != NULL ? !in_list (rule->containers, info->container)
                                   : info->kind == SM_MEDIA_VIDEO))
      || (rule->video_codecs != NULL && info->kind == SM_MEDIA_VIDEO
          && !in_list (rule->video_codecs, info->video_codec))
      || (rule->audio_codecs != NULL && info->audio_codec != NULL
          && !in_list (rule->audio_codecs, info->audio_codec)))
    {
      g_autofree char *actual = describe_format (info);

      /* Translators: "Instagram reels must be MP4 or MOV with H.264 or HEVC
       * video and AAC audio; this one is WebM with VP8 video and Opus
       * audio. Convert it." */
      return g_strdup_printf (_("%s must be %s; this one is %s. Convert it."), label,
                              _(rule->formats), actual);
    }

  if (info->kind == SM_MEDIA_VIDEO && info->framerate_num > 0 && info->framerate_den > 0)
    {
      double fps = (double) info->framerate_num / info->framerate_den;

      if (rule->max_fps > 0 && fps > rule->max_fps + 0.01)
        {
          g_autofree char *limit = format_fps (rule->max_fps);
          g_autofree char *actual = format_fps (fps);

          return g_strdup_printf (_("%s can be up to %s frames per second; this one has %s. "
                                    "Convert it."),
                                  label, limit, actual);
        }
      /* 23.976 fps counts as 23 */
      if (fps < rule->min_fps - 0.5)
        {
          g_autofree char *limit = format_fps (rule->min_fps);
          g_autofree char *actual = format_fps (fps);

          return g_strdup_printf (_("%s must have at least %s frames per second; this one has "
                                    "%s. Convert it."),
                                  label, limit, actual);
        }
    }

  return NULL;
}

static gboolean
valid_network (SmNetwork network)
{
  return network > SM_NETWORK_INVALID && network < SM_N_NETWORKS;
}

static char *
unknown_post_kind (SmNetwork   network,
                   const char *post_kind)
{
  /* Translators: "X has no stories. Choose another kind of post." */
  return g_strdup_printf (_("%s has no %s. Choose another kind of post."),
                          sm_network_display_name (network), post_kind_plural (post_kind));
}

/* The whole check; *kind says whether a conversion would fix what it found. */
static char *
find_problem (SmNetwork          network,
              const char        *post_kind,
              const SmMediaInfo *info,
              guint              max_duration_s,
              ProblemKind       *kind)
{
  const NetworkRules *net = &networks[network];
  const PostKind *pk = find_post_kind (network, post_kind);
  const MediaRule *rule;
  char *problem;

  *kind = PROBLEM_OTHER;

  if (pk == NULL)
    return unknown_post_kind (network, post_kind);

  rule = find_rule (network, pk, info);
  if (rule == NULL)
    {
      guint mask = 0;

      for (guint i = 0; i < net->n_rules; i++)
        if (word_in_list (net->rules[i].post_kinds, pk->id))
          mask |= 1u << net->rules[i].kind;

      /* Translators: "Instagram reels take only videos; this file is an
       * image. Choose another file." */
      return g_strdup_printf (_("%s take only %s; this file is %s. Choose another file."),
                              _(pk->label), kinds_phrase (mask), kind_with_article (info->kind));
    }

  problem = check_fixed_properties (rule, info,
                                    max_duration_s != 0 ? SECONDS (max_duration_s)
                                                        : rule->max_duration_ms);
  if (problem != NULL)
    return problem;

  problem = check_format (rule, info);
  if (problem != NULL)
    {
      *kind = PROBLEM_FIXABLE;
      return problem;
    }

  *kind = PROBLEM_NONE;
  return NULL;
}

/**
 * sm_media_rules_check_for_account:
 * @network: the network
 * @post_kind: (nullable): "post", "reel", "story", "video", "image",
 *   "carousel", or %NULL for the network's default
 * @info: the probed file
 * @max_duration_s: the account's longest video in seconds, or 0
 * @problem: (out) (optional): a translated one-line reason and fix
 *
 * Returns: whether the network takes the file for that kind of post
 */
gboolean
sm_media_rules_check_for_account (SmNetwork          network,
                                  const char        *post_kind,
                                  const SmMediaInfo *info,
                                  guint              max_duration_s,
                                  char             **problem)
{
  g_autofree char *message = NULL;
  ProblemKind kind;

  g_return_val_if_fail (valid_network (network), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  message = find_problem (network, post_kind, info, max_duration_s, &kind);
  if (problem != NULL)
    *problem = g_steal_pointer (&message);
  return kind == PROBLEM_NONE;
}

gboolean
sm_media_rules_check (SmNetwork          network,
                      const char        *post_kind,
                      const SmMediaInfo *info,
                      char             **problem)
{
  return sm_media_rules_check_for_account (network, post_kind, info, 0, problem);
}

gboolean
sm_media_rules_needs_transcode (SmNetwork          network,
                                const char        *post_kind,
                                const SmMediaInfo *info)
{
  g_autofree char *message = NULL;
  ProblemKind kind;

  g_return_val_if_fail (valid_network (network), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  if (info->kind != SM_MEDIA_VIDEO && info->kind != SM_MEDIA_AUDIO)
    return FALSE;

  message = find_problem (network, post_kind, info, 0, &kind);
  return kind == PROBLEM_FIXABLE;
}

gboolean
sm_media_rules_check_count (SmNetwork   network,
                            const char *post_kind,
                            guint       n,
                            char      **problem)
{
  const PostKind *pk;
  char *message = NULL;

  g_return_val_if_fail (valid_network (network), FALSE);

  pk = find_post_kind (network, post_kind);
  if (pk == NULL)
    message = unknown_post_kind (network, post_kind);
  else if (n > pk->max_count)
    /* Translators: "Instagram carousels can have up to 10 files; this one has 11. Remove some." */
    message = g_strdup_printf (g_dngettext (NULL, "%s can have only %u file; this one has %u. "
                                                  "Remove some.",
                                            "%s can have up to %u files; this one has %u. "
                                            "Remove some.",
                                            pk->max_count),
                               _(pk->label), pk->max_count, n);
  else if (n < pk->min_count)
    message = g_strdup_printf (g_dngettext (NULL, "%s need at least %u file; this one has %u. "
                                                  "Add one.",
                                            "%s need at least %u files; this one has %u. "
                                            "Add more.",
                                            pk->min_count),
                               _(pk->label), pk->min_count, n);

  if (problem != NULL)
    *problem = message;
  else
    g_free (message);
  return message == NULL;
}

gboolean
sm_media_rules_check_post (SmNetwork                 network,
                           const char               *post_kind,
                           const SmMediaInfo *const *items,
                           guint                     n_items,
                           char                    **problem)
{
  const PostKind *pk;

  g_return_val_if_fail (valid_network (network), FALSE);
  g_return_val_if_fail (items != NULL || n_items == 0, FALSE);

  if (!sm_media_rules_check_count (network, post_kind, n_items, problem))
    return FALSE;

  pk = find_post_kind (network, post_kind);
  g_assert (pk != NULL);

  if (n_items > 1)
    for (guint i = 0; i < n_items; i++)
      {
        const MediaRule *rule = find_rule (network, pk, items[i]);

        if (rule != NULL && rule->alone)
          {
            if (problem != NULL)
              /* Translators: "X videos must be alone in a post; this one
               * has 3 files. Remove the others." */
              *problem = g_strdup_printf (_("%s must be alone in a post; this one has %u files. "
                                            "Remove the others."),
                                          _(rule->label), n_items);
            return FALSE;
          }
      }

  for (guint i = 0; i < n_items; i++)
    if (!sm_media_rules_check (network, pk->id, items[i], problem))
      return FALSE;

  return TRUE;
}

const char *
sm_media_rules_default_post_kind (SmNetwork network)
{
  g_return_val_if_fail (valid_network (network), NULL);

  return networks[network].post_kinds[0].id;
}

gboolean
sm_media_rules_has_post_kind (SmNetwork   network,
                              const char *post_kind)
{
  g_return_val_if_fail (valid_network (network), FALSE);

  return find_post_kind (network, post_kind) != NULL;
}

gboolean
sm_media_rules_needs_bucket (SmNetwork   network,
                             const char *mime_type)
{
  gboolean image, video;

  if (mime_type == NULL)
    return FALSE;
  image = g_str_has_prefix (mime_type, "image/");
  video = g_str_has_prefix (mime_type, "video/");

  switch (network)
    {
    case SM_NETWORK_INSTAGRAM:
      /* Videos go up by Meta's resumable upload; images only by URL. */
      return image;
    case SM_NETWORK_THREADS:
      return image || video;
    default:
      return FALSE;
    }
}
