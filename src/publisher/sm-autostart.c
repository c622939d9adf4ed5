/* sm-autostart.c
 *
 * An entry in /etc/xdg/autostart would start the publisher at every login,
 * queued or not.  Instead the publisher keeps a user autostart entry exactly
 * while the queue is not empty.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-autostart"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sm-autostart.h"

void
sm_autostart_update (gboolean queued)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "autostart", NULL);
  g_autofree char *path = g_build_filename (dir, PUBLISHER_BUS_NAME ".desktop", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  if (!queued)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        g_debug ("Could not remove %s: %s", path, g_strerror (errno));
      return;
    }

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return;

  contents = g_strdup_printf ("[Desktop Entry]\n"
                              "Type=Application\n"
                              "Name=%s\n"
                              "Comment=%s\n"
                              "Exec=%s/so-me-studio-publisher\n"
                              "NoDisplay=true\n"
                              "X-GNOME-Autostart-enabled=true\n",
                              _("So-me Studio Publisher"),
                              _("Publishes your scheduled posts"),
                              LIBEXECDIR);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    g_debug ("Could not write %s: %s", path, error ? error->message : g_strerror (errno));
}
