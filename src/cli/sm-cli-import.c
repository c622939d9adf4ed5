/* sm-cli-import.c — `so-me import FILE.csv [--dry-run]`: every row checked
 * as `so-me post` would check it, every problem printed as FILE:ROW:
 * column: message, and the posts saved in one go only when there is none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-cli.h"
#include "sm-cli-workspace.h"
#include "sm-import.h"
#include "sm-store.h"
#include "sm-time.h"

static void
print_plan (const SmImportPost *post)
{
  g_autofree char *when = sm_time_format_utc (post->due_us);
  g_autoptr(GString) accounts = g_string_new (NULL);
  g_autofree char *first_line = g_strndup (post->text, strcspn (post->text, "\n"));

  for (guint i = 0; i < post->account_ids->len; i++)
    g_string_append_printf (accounts, "%s%" G_GINT64_FORMAT, i ? "," : "",
                            g_array_index (post->account_ids, gint64, i));
  /* TRANSLATORS: row, time (or "draft"), zone, account ids, files, text */
  g_print (_("row %u: %s (%s) to %s, %u files: %s\n"), post->row,
           post->draft ? _("draft") : when, post->time_zone, accounts->str,
           post->media->len, first_line);
}

int
sm_cli_import (int    argc,
               char **argv)
{
  gboolean dry_run = FALSE;
  GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Check the file and show what would be scheduled; save nothing"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (N_("FILE.csv"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 workspace_id;
  g_autoptr(SmImport) import = NULL;
  g_autoptr(GArray) ids = NULL;
  guint n_drafts = 0;

  g_option_context_set_summary (ctx, _("Schedule the posts of a CSV file: columns text, accounts, at, "
                                       "zone, media, options, draft (see README.md)."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("so-me: %s\n", error->message);
      return 1;
    }
  if (argc != 2)
    {
      g_printerr ("so-me: %s\n", _("usage: so-me import FILE.csv [--dry-run]"));
      return 1;
    }

  if (!(store = sm_store_open (NULL, &error)) ||
      !(workspace_id = sm_cli_resolve_workspace (store, NULL, &error)) ||
      !(import = sm_import_check_in (store, workspace_id, argv[1], g_get_real_time (), NULL, &error)))
    {
      g_printerr ("so-me: %s: %s\n", argv[1], error->message);
      return 1;
    }

  if (import->problems->len > 0)
    {
      for (guint i = 0; i < import->problems->len; i++)
        {
          SmImportProblem *problem = g_ptr_array_index (import->problems, i);

          if (problem->column != NULL)
            g_printerr ("%s:%u: %s: %s\n", argv[1], problem->row, problem->column, problem->message);
          else
            g_printerr ("%s:%u: %s\n", argv[1], problem->row, problem->message);
        }
      g_printerr (ngettext ("so-me: %u problem; nothing was saved.\n",
                            "so-me: %u problems; nothing was saved.\n", import->problems->len),
                  import->problems->len);
      return 1;
    }

  for (guint i = 0; i < import->posts->len; i++)
    n_drafts += ((SmImportPost *) g_ptr_array_index (import->posts, i))->draft;

  if (dry_run)
    {
      for (guint i = 0; i < import->posts->len; i++)
        print_plan (g_ptr_array_index (import->posts, i));
      g_print (ngettext ("Would schedule %u post (%u of them drafts); nothing was saved.\n",
                         "Would schedule %u posts (%u of them drafts); nothing was saved.\n",
                         import->posts->len),
               import->posts->len, n_drafts);
      return 0;
    }

  if (!(ids = sm_import_save (store, import, &error)))
    {
      g_printerr ("so-me: %s: %s\n", argv[1], error->message);
      return 1;
    }
  g_print (ngettext ("Scheduled %u post (%u of them drafts):",
                     "Scheduled %u posts (%u of them drafts):", ids->len),
           ids->len, n_drafts);
  for (guint i = 0; i < ids->len; i++)
    g_print (" %" G_GINT64_FORMAT, g_array_index (ids, gint64, i));
  g_print ("\n");
  if (n_drafts < ids->len)
    sm_cli_wake_publisher ();
  return 0;
}
