/* sm-options.h — the per-network options a post can carry
 * ("youtube.privacy=unlisted"), and what values each takes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sm-network.h"

G_BEGIN_DECLS

/* TRUE when @key is a known option and @value fits it; otherwise a
 * translated, one-line message that says what is allowed. */
gboolean    sm_options_check      (const char  *key,
                                   const char  *value,
                                   char       **message);
/* The network an option belongs to ("youtube.title" → YouTube). */
SmNetwork   sm_options_network    (const char  *key);
/* The known keys of @network, NULL-terminated (static strings). */
const char *const *sm_options_keys (SmNetwork   network);
/* The values a choice option takes, NULL-terminated (static strings), or
 * NULL when @key is not a choice ("youtube.privacy" → private, public, …). */
const char *const *sm_options_choices (const char *key);
/* Whether @key is a known option that takes true or false. */
gboolean    sm_options_is_bool    (const char  *key);
/* Whether a post to @network has the options it needs together (WhatsApp:
 * a recipient in whatsapp.to; a template takes no files; a language goes
 * with a template).  FALSE with a translated, one-line @message. */
gboolean    sm_options_check_post (SmNetwork    network,
                                   GHashTable  *options,
                                   guint        n_media,
                                   char       **message);
/* The option holding a first comment on @network ("x.first_comment"), or
 * NULL for a network without comments (TikTok, WhatsApp). */
const char *sm_options_first_comment_key (SmNetwork network);
/* Reads a boolean option as stored ("true"/"false"/"1"/"0"/"yes"/"no"). */
gboolean    sm_options_get_bool   (GHashTable  *options,
                                   const char  *key,
                                   gboolean     fallback);

G_END_DECLS
