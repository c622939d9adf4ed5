/* sm-notifier.h — desktop notifications that belong to the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SM_TYPE_NOTIFIER (sm_notifier_get_type ())
G_DECLARE_FINAL_TYPE (SmNotifier, sm_notifier, SM, NOTIFIER, GObject)

SmNotifier *sm_notifier_new     (GDBusConnection *bus);
/* Queues one outcome; outcomes that arrive close together are shown as one
 * summary so a burst of posts does not flood the desktop.  Clicking a
 * notification opens So-me Studio on @post_id (0: just the app). */
void        sm_notifier_publish (SmNotifier      *self,
                                 gint64           post_id,
                                 gboolean         failed,
                                 const char      *title,
                                 const char      *body);

G_END_DECLS
