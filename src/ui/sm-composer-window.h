/* sm-composer-window.h — writing a post: text, accounts (with a shorter
 * text per account where a network's limit needs one), photos and videos
 * (checked against each network's rules, converted where that helps),
 * each network's options, and when.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_COMPOSER_WINDOW (sm_composer_window_get_type ())
G_DECLARE_FINAL_TYPE (SmComposerWindow, sm_composer_window, SM, COMPOSER_WINDOW, AdwWindow)

/* A modal composer over @parent.  It saves the post in @store itself and
 * emits ::post-created (post id, TRUE for "Post Now") before it closes;
 * waking the publisher is the receiver's job.  Its Preview button shows
 * the post as each chosen network will (sm-post-preview.h). */
SmComposerWindow *sm_composer_window_new (GtkWindow *parent,
                                          SmStore   *store);
/* The same, offering only @workspace_id's accounts, in its zone. */
SmComposerWindow *sm_composer_window_new_in_workspace (GtkWindow *parent,
                                                       SmStore   *store,
                                                       gint64     workspace_id);

/* Starts the date and time fields at @due_us, as seen in the zone the
 * composer shows (the workspace's). */
void sm_composer_window_set_due (SmComposerWindow *self,
                                 gint64            due_us);

/* Fills the composer with a saved post to edit it: saving changes that
 * post (same id) and emits ::post-updated instead of ::post-created.
 * Fails with SM_STORE_ERROR_INVALID for a post that has gone out. */
gboolean sm_composer_window_load_post (SmComposerWindow  *self,
                                       gint64             post_id,
                                       GError           **error);

/* Attaches @files to the post, as Add Files or dropping them does. */
void sm_composer_window_add_files (SmComposerWindow *self,
                                   GFile           **files,
                                   guint             n_files);

G_END_DECLS
