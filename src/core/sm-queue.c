/* sm-queue.c — the next free posting time of one or more accounts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-queue"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sm-queue.h"
#include "sm-time.h"

G_DEFINE_QUARK (sm-queue-error-quark, sm_queue_error)

static const char *day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const char *day_full_names[] = {
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
};

static char *
account_label (const SmAccount *account)
{
  return g_strdup_printf ("%s (%s)", account->name, sm_network_display_name (account->network));
}

static int
compare_us (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* The instants, ascending and distinct, in [@after_us, @until_us] at which
 * @account has a slot and no post due within that minute. */
static GArray *
free_instants (SmStore          *store,
               const SmAccount  *account,
               gint64            after_us,
               gint64            until_us,
               GError          **error)
{
  g_autoptr(GArray) slots = sm_store_list_queue_slots (store, account->id, error);
  g_autoptr(GArray) taken = NULL;
  g_autoptr(GArray) instants = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_autoptr(GArray) result = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_autofree char *zone = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GError) local_error = NULL;
  GDate date;
  guint t = 0;

  if (slots == NULL)
    return NULL;
  if (slots->len == 0)
    {
      g_autofree char *label = account_label (account);
      g_set_error (error, SM_QUEUE_ERROR, SM_QUEUE_ERROR_NO_SLOTS,
                   _("Add posting times for %s first."), label);
      return NULL;
    }
  if (!(zone = sm_store_get_account_zone (store, account->id, error)))
    return NULL;
  if (!sm_time_zone_is_valid (zone))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("“%s” is not a time zone; use a name like Europe/Berlin."), zone);
      return NULL;
    }

  /* Every local day that can hold an instant in range: from the day
   * before @after_us's (a zone may move midnight back) to the day after
   * @until_us's. */
  tz = g_time_zone_new_identifier (zone);
  utc = g_date_time_new_from_unix_utc (after_us / G_TIME_SPAN_SECOND);
  local = g_date_time_to_timezone (utc, tz);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (local),
                  g_date_time_get_month (local), g_date_time_get_year (local));
  g_date_subtract_days (&date, 1);

  for (guint day = 0; day < SM_QUEUE_HORIZON_US / G_TIME_SPAN_DAY + 3; day++)
    {
      int weekday = g_date_get_weekday (&date);   /* G_DATE_MONDAY == 1: ISO */

      for (guint i = 0; i < slots->len; i++)
        {
          const SmQueueSlot *slot = &g_array_index (slots, SmQueueSlot, i);
          gint64 us;

          if (slot->weekday != weekday)
            continue;
          /* Gaps move forward, repeated times take the first instant;
           * each (day, slot) yields one instant, so a repeated time is
           * never used twice. */
          us = sm_time_local_to_utc_us (zone, g_date_get_year (&date), g_date_get_month (&date),
                                        g_date_get_day (&date), slot->minute / 60,
                                        slot->minute % 60, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (us >= after_us && us <= until_us)
            g_array_append_val (instants, us);
        }
      g_date_add_days (&date, 1);
    }
  g_array_sort (instants, compare_us);

  taken = sm_store_list_account_due (store, account->id, after_us,
                                     until_us + G_TIME_SPAN_MINUTE, error);
  if (taken == NULL)
    return NULL;
  for (guint i = 0; i < instants->len; i++)
    {
      gint64 us = g_array_index (instants, gint64, i);

      if (result->len > 0 && g_array_index (result, gint64, result->len - 1) == us)
        continue;
      while (t < taken->len && g_array_index (taken, gint64, t) < us)
        t++;
      if (t < taken->len && g_array_index (taken, gint64, t) < us + G_TIME_SPAN_MINUTE)
        continue;
      g_array_append_val (result, us);
    }
  return g_steal_pointer (&result);
}

gint64
sm_queue_next_free (SmStore       *store,
                    const gint64  *account_ids,
                    guint          n_accounts,
                    gint64         after_us,
                    GError       **error)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_free);
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  gint64 until_us = after_us + SM_QUEUE_HORIZON_US;
  GArray *first;

  g_return_val_if_fail (SM_IS_STORE (store), 0);
  g_return_val_if_fail (account_ids != NULL || n_accounts == 0, 0);

  if (n_accounts == 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("Choose at least one account."));
      return 0;
    }
  for (guint i = 0; i < n_accounts; i++)
    {
      SmAccount *account = sm_store_get_account (store, account_ids[i], error);
      GArray *set;

      if (account == NULL)
        return 0;
      g_ptr_array_add (accounts, account);
      if (!(set = free_instants (store, account, after_us, until_us, error)))
        return 0;
      g_ptr_array_add (sets, set);
    }

  first = g_ptr_array_index (sets, 0);
  for (guint i = 0; i < first->len; i++)
    {
      gint64 us = g_array_index (first, gint64, i);
      gboolean everywhere = TRUE;

      for (guint j = 1; j < sets->len && everywhere; j++)
        {
          GArray *other = g_ptr_array_index (sets, j);
          everywhere = bsearch (&us, other->data, other->len, sizeof (gint64), compare_us) != NULL;
        }
      if (everywhere)
        return us;
    }

  if (n_accounts == 1)
    {
      g_autofree char *label = account_label (g_ptr_array_index (accounts, 0));
      g_set_error (error, SM_QUEUE_ERROR, SM_QUEUE_ERROR_FULL,
                   _("%s has no free posting time in the next 8 weeks; add more posting times."),
                   label);
    }
  else
    {
      g_autoptr(GString) labels = g_string_new (NULL);

      for (guint i = 0; i < accounts->len; i++)
        {
          g_autofree char *label = account_label (g_ptr_array_index (accounts, i));
          if (i > 0)
            g_string_append (labels, ", ");
          g_string_append (labels, label);
        }
      g_set_error (error, SM_QUEUE_ERROR, SM_QUEUE_ERROR_FULL,
                   _("%s have no free posting time in common in the next 8 weeks; give them "
                     "a posting time in common, or queue the post for each account on its own."),
                   labels->str);
    }
  return 0;
}

gboolean
sm_queue_parse_time (const char *text,
                     int        *minute)
{
  guint64 h, m;
  const char *colon;
  g_autofree char *hours = NULL;

  if (text == NULL || !(colon = strchr (text, ':')))
    return FALSE;
  hours = g_strndup (text, colon - text);
  if (strlen (hours) < 1 || strlen (hours) > 2 || strlen (colon + 1) != 2 ||
      !g_ascii_string_to_unsigned (hours, 10, 0, 23, &h, NULL) ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 59, &m, NULL))
    return FALSE;
  *minute = (int) (h * 60 + m);
  return TRUE;
}

gboolean
sm_queue_parse_days (const char *text,
                     guint      *mask)
{
  g_auto(GStrv) parts = NULL;
  guint result = 0;

  if (text == NULL || *text == '\0')
    return FALSE;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i]; i++)
    {
      const char *part = g_strstrip (parts[i]);
      gboolean known = FALSE;

      if (g_ascii_strcasecmp (part, "daily") == 0)
        result |= 0xfe, known = TRUE;
      else if (g_ascii_strcasecmp (part, "weekdays") == 0)
        result |= 0x3e, known = TRUE;
      else if (g_ascii_strcasecmp (part, "weekend") == 0)
        result |= 0xc0, known = TRUE;
      for (int d = 0; d < 7 && !known; d++)
        if (g_ascii_strcasecmp (part, day_names[d]) == 0 ||
            g_ascii_strcasecmp (part, day_full_names[d]) == 0)
          result |= 1u << (d + 1), known = TRUE;
      if (!known)
        return FALSE;
    }
  *mask = result;
  return TRUE;
}

const char *
sm_queue_day_name (int weekday)
{
  g_return_val_if_fail (weekday >= 1 && weekday <= 7, "?");
  return day_names[weekday - 1];
}

const char *
sm_queue_day_display (int weekday)
{
  static const char *names[] = {
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"),
    N_("Friday"), N_("Saturday"), N_("Sunday"),
  };

  g_return_val_if_fail (weekday >= 1 && weekday <= 7, "?");
  return _(names[weekday - 1]);
}

char *
sm_queue_format_minute (int minute)
{
  return g_strdup_printf ("%02d:%02d", minute / 60, minute % 60);
}

gint64
sm_queue_create_post (SmStore          *store,
                      const SmNewPost  *post,
                      gint64            after_us,
                      gint64           *due_us,
                      GError          **error)
{
  g_autofree gint64 *ids = NULL;
  SmNewPost attempt;

  g_return_val_if_fail (SM_IS_STORE (store), 0);
  g_return_val_if_fail (post != NULL, 0);

  ids = g_new0 (gint64, MAX (post->n_targets, 1));
  for (guint i = 0; i < post->n_targets; i++)
    ids[i] = post->targets[i].account_id;

  attempt = *post;
  attempt.draft = FALSE;
  /* Each lost race means one more post in the slot looked at, so the
   * next look finds a later one; a bound keeps a broken store from
   * looping. */
  for (guint tries = 0; tries < 64; tries++)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 post_id;

      attempt.due_us = sm_queue_next_free (store, ids, post->n_targets, after_us, error);
      if (attempt.due_us == 0)
        return 0;
      post_id = sm_store_create_post_in_slot (store, &attempt, &local_error);
      if (post_id != 0)
        {
          if (due_us != NULL)
            *due_us = attempt.due_us;
          return post_id;
        }
      if (!g_error_matches (local_error, SM_STORE_ERROR, SM_STORE_ERROR_TAKEN))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return 0;
        }
    }
  g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_BUSY,
                       _("Other posts kept taking the free posting times; try again."));
  return 0;
}
