/* sm-cli-queue.c — `so-me queue`: weekly posting times per account, in the
 * account's zone, that `so-me post --queue` fills (sm-queue.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "sm-cli.h"
#include "sm-cli-queue.h"
#include "sm-queue.h"
#include "sm-store.h"
#include "sm-time.h"

static gboolean
parse_account (const char *text,
               gint64     *id)
{
  return g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, id, NULL);
}

/* `queue list ACCOUNT_ID`: the zone, then one "DAY HH:MM" a line, in the
 * form `queue add` and `queue remove` take. */
static int
cmd_list (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autofree char *zone = NULL;
  gint64 id;

  if (argc != 2 || !parse_account (argv[1], &id))
    return sm_cli_fail (_("usage: so-me queue list ACCOUNT_ID"));
  if (!(store = sm_store_open (NULL, &error)) ||
      !(slots = sm_store_list_queue_slots (store, id, &error)) ||
      !(zone = sm_store_get_account_zone (store, id, &error)))
    return sm_cli_fail ("%s", error->message);
  g_print ("zone %s\n", zone);
  for (guint i = 0; i < slots->len; i++)
    {
      const SmQueueSlot *slot = &g_array_index (slots, SmQueueSlot, i);
      g_autofree char *time = sm_queue_format_minute (slot->minute);

      g_print ("%s %s\n", sm_queue_day_name (slot->weekday), time);
    }
  return 0;
}

/* `queue add|remove ACCOUNT_ID DAY[,DAY…] HH:MM`. */
static int
cmd_change (int      argc,
            char   **argv,
            gboolean add)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 id;
  guint days;
  int minute;

  if (argc != 4 || !parse_account (argv[1], &id))
    return sm_cli_fail (add ? _("usage: so-me queue add ACCOUNT_ID DAY[,DAY…] HH:MM")
                     : _("usage: so-me queue remove ACCOUNT_ID DAY[,DAY…] HH:MM"));
  if (!sm_queue_parse_days (argv[2], &days))
    return sm_cli_fail (_("“%s” is not a day; use mon, tue, wed, thu, fri, sat, sun (comma-separated), "
                   "“weekdays” or “daily”"), argv[2]);
  if (!sm_queue_parse_time (argv[3], &minute))
    return sm_cli_fail (_("“%s” is not a time of day; use HH:MM, such as 09:30"), argv[3]);
  if (!(store = sm_store_open (NULL, &error)))
    return sm_cli_fail ("%s", error->message);
  /* Removing: every time named must be there, or nothing changes. */
  if (!add)
    {
      g_autoptr(GArray) slots = sm_store_list_queue_slots (store, id, &error);

      if (slots == NULL)
        return sm_cli_fail ("%s", error->message);
      for (int d = 1; d <= 7; d++)
        {
          gboolean found = FALSE;

          if (!(days & (1u << d)))
            continue;
          for (guint i = 0; i < slots->len && !found; i++)
            found = g_array_index (slots, SmQueueSlot, i).weekday == d &&
                    g_array_index (slots, SmQueueSlot, i).minute == minute;
          if (!found)
            {
              g_autofree char *time = sm_queue_format_minute (minute);
              return sm_cli_fail (_("account %" G_GINT64_FORMAT " has no posting time %s %s; nothing was removed "
                             "(“so-me queue list %" G_GINT64_FORMAT "” shows them)"),
                           id, sm_queue_day_name (d), time, id);
            }
        }
    }
  for (int d = 1; d <= 7; d++)
    {
      if (!(days & (1u << d)))
        continue;
      if (add ? !sm_store_add_queue_slot (store, id, d, minute, &error)
              : !sm_store_remove_queue_slot (store, id, d, minute, &error))
        {
          g_autofree char *time = sm_queue_format_minute (minute);
          return sm_cli_fail ("%s (%s %s)", error->message, sm_queue_day_name (d), time);
        }
    }
  return 0;
}

/* `queue zone ACCOUNT_ID ZONE`, or "default" for the workspace's. */
static int
cmd_zone (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 id;

  if (argc != 3 || !parse_account (argv[1], &id))
    return sm_cli_fail (_("usage: so-me queue zone ACCOUNT_ID ZONE|default"));
  if (!(store = sm_store_open (NULL, &error)) ||
      !sm_store_set_account_zone (store, id, g_str_equal (argv[2], "default") ? NULL : argv[2], &error))
    return sm_cli_fail ("%s", error->message);
  return 0;
}

int
sm_cli_queue (int    argc,
              char **argv)
{
  if (argc < 2)
    return sm_cli_fail (_("usage: so-me queue list|add|remove|zone ACCOUNT_ID …"));
  if (g_str_equal (argv[1], "list"))
    return cmd_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "add"))
    return cmd_change (argc - 1, argv + 1, TRUE);
  if (g_str_equal (argv[1], "remove"))
    return cmd_change (argc - 1, argv + 1, FALSE);
  if (g_str_equal (argv[1], "zone"))
    return cmd_zone (argc - 1, argv + 1);
  return sm_cli_fail (_("unknown command “queue %s”"), argv[1]);
}
