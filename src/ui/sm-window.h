/* sm-window.h — the main window: agenda and accounts under a view switcher.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_WINDOW (sm_window_get_type ())
G_DECLARE_FINAL_TYPE (SmWindow, sm_window, SM, WINDOW, AdwApplicationWindow)

SmWindow *sm_window_new       (GtkApplication *application,
                               SmStore        *store);
SmStore  *sm_window_get_store (SmWindow       *self);
/* Re-reads posts and accounts from the store. */
void      sm_window_reload    (SmWindow       *self);
/* The workspace the window shows (its calendar, agenda, accounts and the
 * composer's accounts), remembered per profile. */
gint64    sm_window_get_workspace (SmWindow   *self);
void      sm_window_set_workspace (SmWindow   *self,
                                   gint64      workspace_id);
/* Shows the agenda with the post focused. */
void      sm_window_show_post (SmWindow       *self,
                               gint64          post_id);
void      sm_window_add_toast (SmWindow       *self,
                               AdwToast       *toast);

G_END_DECLS
