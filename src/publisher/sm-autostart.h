/* sm-autostart.h — bring the publisher back at login only while something
 * is queued.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes or removes $XDG_CONFIG_HOME/autostart/studio.so_me.Studio.Publisher.desktop. */
void sm_autostart_update (gboolean queued);

G_END_DECLS
