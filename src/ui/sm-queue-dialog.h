/* sm-queue-dialog.h — an account's weekly posting times and their zone
 * (sm-queue.h), from the accounts page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_QUEUE_DIALOG (sm_queue_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SmQueueDialog, sm_queue_dialog, SM, QUEUE_DIALOG, AdwWindow)

GtkWidget *sm_queue_dialog_new (GtkWindow *parent,
                                SmStore   *store,
                                gint64     account_id);

G_END_DECLS
