/* sm-agenda-item.h — one post of the agenda's list model: the post as last
 * read, whether it opens its day (and the day's heading), and the latest
 * upload numbers of its targets.  Rows (SmPostRow) are recycled by the
 * list view; what must outlive a row lives here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_AGENDA_ITEM (sm_agenda_item_get_type ())
G_DECLARE_FINAL_TYPE (SmAgendaItem, sm_agenda_item, SM, AGENDA_ITEM, GObject)

/* Takes @post. @zone is the workspace's, in which times are shown. */
SmAgendaItem *sm_agenda_item_new          (SmPost       *post,
                                           const char   *zone);
const SmPost *sm_agenda_item_get_post     (SmAgendaItem *self);
const char   *sm_agenda_item_get_zone     (SmAgendaItem *self);
/* Takes @post; emits ::changed only when something shown differs. */
void          sm_agenda_item_set_post     (SmAgendaItem *self,
                                           SmPost       *post,
                                           const char   *zone);

/* The day's heading when the item is the first of its day, else NULL;
 * @last: the last of its day. */
const char   *sm_agenda_item_get_day_title (SmAgendaItem *self);
gboolean      sm_agenda_item_get_last_of_day (SmAgendaItem *self);
void          sm_agenda_item_set_day      (SmAgendaItem *self,
                                           const char   *day_title,
                                           gboolean      last_of_day);

/* @total 0 forgets the target's upload; emits ::upload-changed. */
void          sm_agenda_item_set_upload   (SmAgendaItem *self,
                                           gint64        target_id,
                                           guint64       sent,
                                           guint64       total);
gboolean      sm_agenda_item_get_upload   (SmAgendaItem *self,
                                           gint64        target_id,
                                           guint64      *sent,
                                           guint64      *total);

G_END_DECLS
