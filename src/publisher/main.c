/* main.c — so-me-studio-publisher
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sm-publisher.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SmPublisher) publisher = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  publisher = sm_publisher_new ();
  return g_application_run (G_APPLICATION (publisher), argc, argv);
}
