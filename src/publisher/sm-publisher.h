/* sm-publisher.h — the D-Bus-activated service that sends the outbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SM_PUBLISHER_OBJECT_PATH "/studio/so_me/Studio/Publisher"

#define SM_TYPE_PUBLISHER (sm_publisher_get_type ())
G_DECLARE_FINAL_TYPE (SmPublisher, sm_publisher, SM, PUBLISHER, GApplication)

SmPublisher *sm_publisher_new (void);

G_END_DECLS
