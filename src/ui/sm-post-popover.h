/* sm-post-popover.h — a post's details from the calendar: each account's
 * state, link and error, with Retry, Delete and Duplicate.  The buttons
 * activate the calendar's actions ("calendar.retry-target" …), so the
 * popover must be parented inside an SmCalendarView.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_POST_POPOVER (sm_post_popover_get_type ())
G_DECLARE_FINAL_TYPE (SmPostPopover, sm_post_popover, SM, POST_POPOVER, GtkPopover)

GtkWidget *sm_post_popover_new          (const SmPost *post,
                                         const char   *zone);
gint64     sm_post_popover_get_post_id  (SmPostPopover *self);

/* @total 0 hides the target's upload progress. */
void        sm_post_popover_set_upload_progress (SmPostPopover *self,
                                                 gint64         target_id,
                                                 guint64        sent,
                                                 guint64        total);
const char *sm_post_popover_get_upload_text     (SmPostPopover *self,
                                                 gint64         target_id);
void        sm_post_popover_set_account_times   (SmPostPopover *self,
                                                 const char    *times);

G_END_DECLS
