/* sm-preview.h — how each network shows a post in its feed, for the
 * composer's preview: where it cuts the text with "more", the shape it
 * crops the first photo or video to, and whether a link gets a card.
 * No GTK and no network: the rules are one table in sm-preview.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sm-network.h"

G_BEGIN_DECLS

typedef struct
{
  SmNetwork   network;
  const char *kind;        /* the NET.kind value this row is for; NULL: any other */
  gboolean    caption;     /* the feed shows the text at all (stories do not) */
  int         see_more;    /* characters shown before "more"; 0: the whole text */
  int         max_lines;   /* lines shown before "more"; 0: no such cut */
  const char *more_label;  /* what follows "… " at the cut ("more"), untranslated */
  int         title_chars; /* > 0: a title above the text (YouTube), cut here */
  double      min_ratio;   /* the media frame, width / height, at least … */
  double      max_ratio;   /* … and at most (equal: one fixed shape) */
  gboolean    link_card;   /* a text post's first link shows as a card */
  gboolean    thread_cards;/* a thread's parts are cards of their own (X) */
  gboolean    media_first; /* the picture comes before the text (Instagram) */
} SmPreviewRule;

/* The rule for @network's posts of @kind (the NET.kind option; NULL for
 * the network's default); never NULL for a valid network. */
const SmPreviewRule *sm_preview_rule       (SmNetwork            network,
                                            const char          *kind);

/* The text as the feed shows it before "more": cut at the rule's
 * characters or lines, at a word's end where one is near, without
 * trailing spaces.  @truncated says whether anything was left out. */
char                *sm_preview_truncate   (const SmPreviewRule *rule,
                                            const char          *text,
                                            gboolean            *truncated);

/* YouTube's title: @title (youtube.title) or the text's first line, as
 * the publisher sends it, cut at the rule's title_chars with "…". */
char                *sm_preview_title      (const SmPreviewRule *rule,
                                            const char          *title,
                                            const char          *text);

/* The width / height of the frame the feed shows a @width × @height
 * picture in: its own shape within the rule's range, else the nearest
 * end of it (the picture is cropped to fill it).  An unknown size gets
 * the range's wider end. */
double               sm_preview_crop_ratio (const SmPreviewRule *rule,
                                            int                  width,
                                            int                  height);

/* The first web address in @text (http://, https:// or www.), without
 * the punctuation that ends a sentence, and its domain without "www.";
 * FALSE when there is none. */
gboolean             sm_preview_first_link (const char          *text,
                                            char               **url,
                                            char               **domain);

G_END_DECLS
