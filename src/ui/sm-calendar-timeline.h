/* sm-calendar-timeline.h — the hours of one to seven days, side by side,
 * with the posts of each hour laid out in slots: a custom layout, so an
 * empty hour costs no widget at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SM_CALENDAR_TIMELINE_SLOTS 3    /* items one hour has room for */
#define SM_CALENDAR_TIMELINE_GUTTER 56  /* width of the hour labels */

#define SM_TYPE_CALENDAR_TIMELINE (sm_calendar_timeline_get_type ())
G_DECLARE_FINAL_TYPE (SmCalendarTimeline, sm_calendar_timeline, SM, CALENDAR_TIMELINE, GtkWidget)

GtkWidget *sm_calendar_timeline_new          (void);
void       sm_calendar_timeline_set_n_days   (SmCalendarTimeline *self,
                                              guint               n_days);
guint      sm_calendar_timeline_get_n_days   (SmCalendarTimeline *self);
/* Removes every item; their widgets stay, hidden, as spares. */
void       sm_calendar_timeline_clear        (SmCalendarTimeline *self);
/* A spare of @type to reuse with sm_calendar_timeline_add(), or NULL. */
GtkWidget *sm_calendar_timeline_take_spare   (SmCalendarTimeline *self,
                                              GType               type);
/* Removes the spares not reused. */
void       sm_calendar_timeline_drop_spares  (SmCalendarTimeline *self);
/* Puts @child in slot @slot (< SM_CALENDAR_TIMELINE_SLOTS) of @hour
 * (wall-clock, 0–23) on day @day. */
void       sm_calendar_timeline_add          (SmCalendarTimeline *self,
                                              GtkWidget          *child,
                                              guint               day,
                                              guint               hour,
                                              guint               slot);
/* The day and wall-clock time (to the quarter hour) at a point; FALSE
 * in the hour labels or outside. */
gboolean   sm_calendar_timeline_get_time_at  (SmCalendarTimeline *self,
                                              double              x,
                                              double              y,
                                              guint              *day,
                                              guint              *hour,
                                              guint              *minute);
int        sm_calendar_timeline_get_hour_height (SmCalendarTimeline *self);

G_END_DECLS
