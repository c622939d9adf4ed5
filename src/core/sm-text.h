/* sm-text.h — how each network counts a post's text, and its limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sm-network.h"

G_BEGIN_DECLS

/* X's weighted length (twitter-text config v3): NFC first, URLs count 23,
 * emoji sequences 2, the light ranges 1, everything else 2.  In characters,
 * i.e. the weighted sum divided by the scale (100). */
int      sm_text_x_weighted_length (const char *text);
/* Whether X would take @text as a post, as twitter-text's "valid": not
 * empty, none of U+FFFE, U+FEFF, U+FFFF, and a weighted length <= 280. */
gboolean sm_text_x_is_valid        (const char *text);

/* The length of @text as @network counts it, in the unit of its limit. */
int      sm_text_count             (SmNetwork   network,
                                    const char *text);
/* The network's limit for a post's text (X 280, Threads 500, LinkedIn 3000,
 * Facebook 63206, ...). */
int      sm_text_limit             (SmNetwork   network);

/* TRUE when @text fits; otherwise a translated, one-line message that says
 * by how much it is over, e.g. "X allows 280 characters; this is 12 over". */
gboolean sm_text_check             (SmNetwork   network,
                                    const char *text,
                                    char      **message);

/* A thread (X's option x.thread): the parts of @text between lines that
 * hold only "---", trimmed, empty ones dropped; never empty itself. */
GStrv    sm_text_split_thread      (const char *text);
/* sm_text_check() for every part, the message naming the part. */
gboolean sm_text_check_thread      (SmNetwork   network,
                                    const char *text,
                                    char      **message);

G_END_DECLS
