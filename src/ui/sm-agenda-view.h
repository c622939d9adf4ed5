/* sm-agenda-view.h — the posts of the last week and the next two months,
 * day by day, kept up to date from the publisher's TargetChanged signal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_AGENDA_VIEW (sm_agenda_view_get_type ())
G_DECLARE_FINAL_TYPE (SmAgendaView, sm_agenda_view, SM, AGENDA_VIEW, AdwBin)

void     sm_agenda_view_set_store   (SmAgendaView *self,
                                     SmStore      *store);
void     sm_agenda_view_set_workspace (SmAgendaView *self,
                                       gint64        workspace_id);
/* Re-reads the posts; rebuilds only when something changed. */
void     sm_agenda_view_reload      (SmAgendaView *self);
/* Re-reads one post and updates its row. */
void     sm_agenda_view_update_post (SmAgendaView *self,
                                     gint64        post_id);
/* Scrolls to the post's row and focuses it; FALSE when it is not shown. */
gboolean sm_agenda_view_show_post   (SmAgendaView *self,
                                     gint64        post_id);

G_END_DECLS
