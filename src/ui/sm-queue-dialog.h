/* sm-queue-dialog.h — an account's weekly posting times and their zone
 * (sm-queue.h), from the accounts page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

/* A modal window over @parent listing @account_id's posting times, with
 * rows to add one (a day or "Every Day"/"Weekdays", and a time) and to set
 * the zone they are meant in.  Changes are saved as they are made. */
GtkWidget *sm_queue_dialog_new (GtkWindow *parent,
                                SmStore   *store,
                                gint64     account_id);

G_END_DECLS
