/* sm-post-row.h — one post in the agenda: its day's heading when it is the
 * first of the day, time, text and, per account, the state of its target.
 * Rows are made and recycled by the agenda's list view, and show an
 * SmAgendaItem.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-agenda-item.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_POST_ROW (sm_post_row_get_type ())
G_DECLARE_FINAL_TYPE (SmPostRow, sm_post_row, SM, POST_ROW, GtkWidget)

GtkWidget    *sm_post_row_new         (void);
void          sm_post_row_set_item    (SmPostRow    *self,
                                       SmAgendaItem *item);
SmAgendaItem *sm_post_row_get_item    (SmPostRow    *self);
gint64        sm_post_row_get_post_id (SmPostRow    *self);

/* @total 0 hides the target's upload progress. */
void        sm_post_row_set_upload_progress (SmPostRow *self,
                                             gint64     target_id,
                                             guint64    sent,
                                             guint64    total);
const char *sm_post_row_get_upload_text     (SmPostRow *self,
                                             gint64     target_id);

G_END_DECLS
