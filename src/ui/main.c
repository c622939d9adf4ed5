/* main.c — so-me-studio, the desktop app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "so-me-studio"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "sm-application.h"
#include "sm-demo.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SmApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  sm_demo_enter_private_session (argc, argv);

  app = sm_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
