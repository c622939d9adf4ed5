/* sm-post-row.h — one post in the agenda: time, text and, per account, the
 * state of its target.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_POST_ROW (sm_post_row_get_type ())
G_DECLARE_FINAL_TYPE (SmPostRow, sm_post_row, SM, POST_ROW, AdwPreferencesRow)

/* @zone is the workspace's zone, in which the time is shown. */
GtkWidget *sm_post_row_new         (const SmPost *post,
                                    const char   *zone);
void       sm_post_row_set_post    (SmPostRow    *self,
                                    const SmPost *post,
                                    const char   *zone);
gint64     sm_post_row_get_post_id (SmPostRow    *self);

/* @total 0 hides the target's upload progress. */
void        sm_post_row_set_upload_progress (SmPostRow *self,
                                             gint64     target_id,
                                             guint64    sent,
                                             guint64    total);
const char *sm_post_row_get_upload_text     (SmPostRow *self,
                                             gint64     target_id);

G_END_DECLS
