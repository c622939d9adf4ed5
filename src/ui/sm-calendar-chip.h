/* sm-calendar-chip.h — one post in the calendar: a small button coloured
 * by its network, with its state, time and first words, drawn by one
 * widget (a busy week shows hundreds).  ::clicked on a click, Enter or
 * Space; dragging it carries the post id (G_TYPE_INT64).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_CALENDAR_CHIP (sm_calendar_chip_get_type ())
G_DECLARE_FINAL_TYPE (SmCalendarChip, sm_calendar_chip, SM, CALENDAR_CHIP, GtkWidget)

/* The state a post shows as a whole: the one that needs the user most
 * (failed, then unconfirmed, publishing, scheduled, draft), published
 * only when every part is. */
SmTargetState sm_calendar_post_state        (const SmPost *post);

GtkWidget    *sm_calendar_chip_new          (const SmPost *post,
                                             GTimeZone    *tz);
void          sm_calendar_chip_set_post     (SmCalendarChip *self,
                                             const SmPost   *post,
                                             GTimeZone      *tz);
/* A chip kept hidden for later shows no post. */
void          sm_calendar_chip_reset        (SmCalendarChip *self);
gint64        sm_calendar_chip_get_post_id  (SmCalendarChip *self);
SmTargetState sm_calendar_chip_get_state    (SmCalendarChip *self);
/* "09:00 Our spring collection…", as drawn. */
const char   *sm_calendar_chip_get_text     (SmCalendarChip *self);
/* Drawn by its container's snapshot, with the container's other chips:
 * the container calls sm_calendar_chip_snapshot_batch() after its
 * children. */
void          sm_calendar_chip_set_drawn_by_parent (SmCalendarChip *self,
                                                    gboolean        drawn_by_parent);
void          sm_calendar_chip_snapshot_batch      (GtkWidget      *container,
                                                    GtkSnapshot    *snapshot);

/* The tooltip as shown (made when shown, not kept in the widget). */
char         *sm_calendar_chip_dup_tooltip  (SmCalendarChip *self);

/* @total 0: no upload shown. */
void          sm_calendar_chip_set_upload_progress (SmCalendarChip *self,
                                                    guint64         sent,
                                                    guint64         total);
int           sm_calendar_chip_get_upload_percent  (SmCalendarChip *self);

/* The post's time where an account's zone differs from the workspace's. */
char         *sm_calendar_format_account_times     (const SmPost   *post,
                                                    const char     *zone,
                                                    GHashTable     *account_zones);
void          sm_calendar_chip_set_account_times   (SmCalendarChip *self,
                                                    const char     *times);

G_END_DECLS
