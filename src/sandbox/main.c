/* main.c — so-me-studio-sandbox: the networks, on loopback, for tests and
 * demo mode.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints its base URL (http://127.0.0.1:PORT) as the first line of stdout,
 * then serves until SIGTERM or SIGINT.  Point the app at it with
 * SO_ME_STUDIO_NETWORK_BASE=<that URL>.
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "sm-sandbox.h"

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_debug ("signal received, stopping");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *listen = NULL;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Loopback address and port to listen on (default 127.0.0.1:0, any free port)"),
      N_("HOST:PORT") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmSandbox) sandbox = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint term_id, int_id;

  /* stdout carries only the base URL; diagnostics go to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("A local stand-in for the social networks, speaking their "
                                  "real protocols on loopback, for tests and demo mode."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("so-me-studio-sandbox: %s\n", error->message);
      return 1;
    }
  if (version)
    {
      g_print ("so-me-studio-sandbox %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* A test that reads our first line and then stops reading must not kill
   * us with SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);

  sandbox = sm_sandbox_new ();
  if (!sm_sandbox_listen (sandbox, listen, &error))
    {
      g_printerr ("so-me-studio-sandbox: %s\n", error->message);
      return 1;
    }

  /* Handlers first: whoever reads the address may stop us right away. */
  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  int_id = g_unix_signal_add (SIGINT, quit_cb, loop);

  printf ("%s\n", sm_sandbox_get_base_url (sandbox));
  fflush (stdout);
  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);

  return 0;
}
