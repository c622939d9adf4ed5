/* sm-calendar-view.h — the workspace's posts by month, week or day, in
 * the workspace's time zone: compose by clicking a day or an hour, move a
 * post by dragging it, and act on a post from its popover.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

typedef enum
{
  SM_CALENDAR_MODE_MONTH,
  SM_CALENDAR_MODE_WEEK,
  SM_CALENDAR_MODE_DAY,
} SmCalendarMode;

/* Chips a month cell shows before it says "+N more". */
#define SM_CALENDAR_MONTH_CHIPS 3

#define SM_TYPE_CALENDAR_VIEW (sm_calendar_view_get_type ())
G_DECLARE_FINAL_TYPE (SmCalendarView, sm_calendar_view, SM, CALENDAR_VIEW, AdwBin)

void           sm_calendar_view_set_store  (SmCalendarView *self,
                                            SmStore        *store);
void           sm_calendar_view_set_workspace (SmCalendarView *self,
                                               gint64          workspace_id);
/* Reads the shown range again. */
void           sm_calendar_view_reload     (SmCalendarView *self);
void           sm_calendar_view_set_mode   (SmCalendarView *self,
                                            SmCalendarMode  mode);
SmCalendarMode sm_calendar_view_get_mode   (SmCalendarView *self);
/* The focused day, in the workspace's calendar. */
void           sm_calendar_view_set_date   (SmCalendarView *self,
                                            int             year,
                                            int             month,
                                            int             day);
void           sm_calendar_view_get_date   (SmCalendarView *self,
                                            GDate          *date);
/* Goes to the post's day; FALSE when there is no such post. */
gboolean       sm_calendar_view_show_post  (SmCalendarView *self,
                                            gint64          post_id);
/* What a drop does: moves the post to that day, at @hour:@minute in the
 * workspace's zone, or at its own time of day when @hour is -1; wakes
 * the publisher.  A refusal is shown as a toast and returns FALSE. */
gboolean       sm_calendar_view_move_post  (SmCalendarView *self,
                                            gint64          post_id,
                                            int             year,
                                            int             month,
                                            int             day,
                                            int             hour,
                                            int             minute);

G_END_DECLS
