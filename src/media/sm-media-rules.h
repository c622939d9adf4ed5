/* sm-media-rules.h — what each network takes: formats, sizes, lengths,
 * shapes and how many files per post.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sm-media.h"
#include "sm-network.h"

G_BEGIN_DECLS

/* Post kinds are "post", "reel", "story", "video", "image", "carousel";
 * %NULL means the network's default (sm_media_rules_default_post_kind()).
 * Where a network has no separate kind, the name is an alias: on X
 * "image" and "carousel" are plain posts, on Instagram "video" is a reel. */

const char *sm_media_rules_default_post_kind (SmNetwork   network);
gboolean    sm_media_rules_has_post_kind     (SmNetwork   network,
                                              const char *post_kind);

/* TRUE when @info meets the network's rules for @post_kind; otherwise a
 * translated one-line @problem naming the rule and the fix, e.g.
 * "Instagram feed images must be between 4:5 and 1.91:1; this one is 1:3.
 * Crop it."  When several rules fail, the one a conversion cannot fix is
 * reported first. */
gboolean    sm_media_rules_check             (SmNetwork          network,
                                              const char        *post_kind,
                                              const SmMediaInfo *info,
                                              char             **problem);

/* The same, with the account's own longest video when the network tells
 * it (TikTok's creator_info max_video_post_duration_sec); 0 keeps the
 * table's limit. */
gboolean    sm_media_rules_check_for_account (SmNetwork          network,
                                              const char        *post_kind,
                                              const SmMediaInfo *info,
                                              guint              max_duration_s,
                                              char             **problem);

/* TRUE when @info fails only on container, codecs or frame rate, so that
 * converting it to MP4 with H.264 video and AAC audio (AAC in MP4 for an
 * audio file) would make it pass.  FALSE when it already passes, or when
 * something a conversion cannot fix is wrong too (length, shape, size,
 * kind).  Images are never "transcoded": their problem says which format
 * to save them in. */
gboolean    sm_media_rules_needs_transcode   (SmNetwork          network,
                                              const char        *post_kind,
                                              const SmMediaInfo *info);

/* TRUE when a post of @post_kind may carry @n files (X: up to 4;
 * Instagram carousels: 2 to 10; reels: exactly 1; ...). */
gboolean    sm_media_rules_check_count       (SmNetwork          network,
                                              const char        *post_kind,
                                              guint              n,
                                              char             **problem);

/* Everything about one post's files: the count, files that must be alone
 * (X: 4 images or 1 video or 1 GIF), then each file. */
gboolean    sm_media_rules_check_post        (SmNetwork                 network,
                                              const char               *post_kind,
                                              const SmMediaInfo *const *items,
                                              guint                     n_items,
                                              char                    **problem);

/* TRUE when @network fetches a file of @mime_type from a URL, so that the
 * post needs the user's media bucket (sm-s3.h, `so-me bucket set`):
 * Instagram images, Threads images and videos. */
gboolean    sm_media_rules_needs_bucket      (SmNetwork                 network,
                                              const char               *mime_type);

G_END_DECLS
