/* sm-post-preview.h — a post as one network's feed will show it: the
 * account's name and handle with an initial for the avatar, the text cut
 * where the network puts "more" (each part of an X thread as a card of
 * its own), the first photo or video cropped to the feed's shape, and a
 * card for the first link.  The rules come from sm-preview.h; nothing is
 * fetched from the network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sm-network.h"

G_BEGIN_DECLS

/* What one network's preview shows; all borrowed. */
typedef struct
{
  SmNetwork     network;
  const char   *kind;          /* the NET.kind option, or NULL */
  const char   *name;          /* the account's name */
  const char   *handle;        /* its handle, or NULL */
  const char   *text;          /* the text this account gets */
  gboolean      thread;        /* x.thread: split at lines of --- */
  const char   *title;         /* youtube.title, or NULL */
  GdkPaintable *media;         /* the first file's picture, or NULL */
  int           media_width;   /* its size, 0 when unknown */
  int           media_height;
  gboolean      media_is_video;
  guint         n_media;       /* files in the post */
} SmPreviewPost;

#define SM_TYPE_POST_PREVIEW (sm_post_preview_get_type ())
G_DECLARE_FINAL_TYPE (SmPostPreview, sm_post_preview, SM, POST_PREVIEW, GtkWidget)

GtkWidget *sm_post_preview_new  (void);
/* Shows @post; NULL shows that no account is chosen. */
void       sm_post_preview_show (SmPostPreview       *self,
                                 const SmPreviewPost *post);

G_END_DECLS
