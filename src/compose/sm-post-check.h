/* sm-post-check.h — what `so-me post`, the import and the window check
 * before a post is saved: each account's text against its network, the
 * options, the files against every network, the media bucket, and whether
 * So-me Studio can post files there at all.
 *
 * It sits above the media and platform layers (it probes files and asks
 * the platforms), so nothing below src/cli, src/ui and sm-import uses it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sm-store.h"

G_BEGIN_DECLS

typedef enum
{
  SM_POST_FIELD_TEXT,
  SM_POST_FIELD_ACCOUNTS,
  SM_POST_FIELD_OPTIONS,
  SM_POST_FIELD_MEDIA,
} SmPostField;

/* One thing wrong with a post, in words for people. */
typedef struct
{
  SmPostField  field;
  gint64       account_id;  /* the account it is about, 0 for the post */
  char        *message;
} SmPostProblem;

void sm_post_problem_free (SmPostProblem *problem);

/* The post to check.  @texts, when not NULL, holds one text per account
 * (NULL: the post's).  @options maps "youtube.title" → "…".
 * @media_paths are absolute (or relative to the working directory). */
typedef struct
{
  const char         *text;
  GPtrArray          *accounts;     /* SmAccount */
  const char *const  *texts;
  GHashTable         *options;
  const char *const  *media_paths;
  guint               n_media;
} SmPostCheck;

/* Tells whether the profile's media bucket is set up, asking the keyring
 * once: TRUE with @has_bucket set, FALSE with @error when the keyring
 * cannot be read.  @has_bucket starts at -1 (unknown). */
typedef struct
{
  const char *profile;   /* sm_store_get_dir() */
  int         has_bucket; /* -1 unknown, 0 no, 1 yes */
} SmPostCheckContext;

/* Checks @post and appends every problem found (SmPostProblem) to
 * @problems, in the order `so-me post` always checked them.  The probed
 * files (SmMediaInfo, in order) are appended to @media when not NULL.
 * Returns TRUE when nothing was wrong. */
gboolean sm_post_check (SmPostCheckContext *context,
                        const SmPostCheck  *post,
                        GPtrArray          *media,
                        GPtrArray          *problems,
                        GCancellable       *cancellable);

G_END_DECLS
