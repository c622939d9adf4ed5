/* test-queue-cli.c — `so-me queue add/list/remove/zone` and `so-me post
 * --queue`, through the installed program, as a user types them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sm-test-util.h"
#include "sm-time.h"

/* The first Monday 09:30 in @zone after now, computed here on its own. */
static gint64
next_monday_0930 (const char *zone)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  gint64 now_us = g_get_real_time ();

  for (int day = 0; day <= 7; day++)
    {
      g_autoptr(GDateTime) d = g_date_time_add_days (now, day);
      g_autoptr(GDateTime) slot = g_date_time_new (tz, g_date_time_get_year (d), g_date_time_get_month (d),
                                                   g_date_time_get_day_of_month (d), 9, 30, 0);
      gint64 us = g_date_time_to_unix (slot) * G_TIME_SPAN_SECOND;

      if (g_date_time_get_day_of_week (slot) == 1 && us >= now_us)
        return us;
    }
  g_assert_not_reached ();
}

static gint64
due_of (SmTestProfile *p,
        gint64         post_id)
{
  g_autoptr(JsonNode) status = sm_test_status (p, post_id);
  g_autoptr(GDateTime) due = g_date_time_new_from_iso8601 (
      json_object_get_string_member (json_node_get_object (status), "due"), NULL);

  g_assert_nonnull (due);
  return g_date_time_to_unix (due) * G_TIME_SPAN_SECOND;
}

static void
test_queue_round_trip (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *when = NULL;
  g_autofree char *expected_err = NULL;
  gint64 account, first, second, expected;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);

  /* Nothing to queue into yet: said so, nothing saved. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--queue", "early", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Add posting times for"));
  g_assert_nonnull (strstr (err, "first"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "queue", "zone", id, "America/New_York", NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "queue", "add", id, "mon,wed", "09:30", NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "queue", "add", id, "weekdays", "18:00", NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "queue", "list", id, NULL), ==, 0);
  g_assert_cmpstr (out, ==,
                   "zone America/New_York\n"
                   "mon 09:30\nmon 18:00\ntue 18:00\nwed 09:30\nwed 18:00\nthu 18:00\nfri 18:00\n");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "queue", "remove", id, "weekdays", "18:00", NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "queue", "remove", id, "wed", "09:30", NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "queue", "list", id, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "zone America/New_York\nmon 09:30\n");
  g_clear_pointer (&out, g_free);

  /* Mistakes are named. */
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "queue", "add", id, "funday", "09:30", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "“funday” is not a day"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "queue", "add", id, "mon", "25:00", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "“25:00” is not a time of day"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "queue", "remove", id, "tue", "09:30", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "has no posting time tue 09:30; nothing was removed"));
  g_clear_pointer (&err, g_free);
  /* mon is there, tue is not: mon stays. */
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "queue", "remove", id, "mon,tue", "09:30", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "queue", "list", id, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "zone America/New_York\nmon 09:30\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "queue", "zone", id, "Mars/Olympus", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not a time zone"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "post", "--to", id, "--queue", "--at", "now", "x", NULL), ==, 1);
  g_clear_pointer (&err, g_free);

  /* Two posts to the queue take the next two Mondays at 09:30 New York
   * time; the id alone on standard output, the time for people. */
  expected = next_monday_0930 ("America/New_York");
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--queue", "first", NULL), ==, 0);
  first = g_ascii_strtoll (out, NULL, 10);
  g_assert_cmpint (first, >, 0);
  when = sm_time_format_local (expected, "America/New_York");
  expected_err = g_strdup_printf ("Queued for %s America/New_York (", when);
  g_assert_nonnull (strstr (err, expected_err));
  g_assert_cmpint (due_of (p, first), ==, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--queue", "second", NULL), ==, 0);
  second = g_ascii_strtoll (out, NULL, 10);
  g_assert_cmpint (second, >, first);
  /* A week on, still 09:30 in New York (across a DST change too). */
  {
    g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("America/New_York");
    g_autoptr(GDateTime) a = g_date_time_new_from_unix_utc (due_of (p, second) / G_TIME_SPAN_SECOND);
    g_autoptr(GDateTime) l = g_date_time_to_timezone (a, tz);

    g_assert_cmpint (g_date_time_get_day_of_week (l), ==, 1);
    g_assert_cmpint (g_date_time_get_hour (l), ==, 9);
    g_assert_cmpint (g_date_time_get_minute (l), ==, 30);
    g_assert_cmpint (due_of (p, second) - expected, >=, 7 * G_TIME_SPAN_DAY - G_TIME_SPAN_HOUR);
    g_assert_cmpint (due_of (p, second) - expected, <=, 7 * G_TIME_SPAN_DAY + G_TIME_SPAN_HOUR);
  }
  {
    g_autoptr(JsonNode) status = sm_test_status (p, second);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status), "time_zone"), ==,
                     "America/New_York");
  }

  /* The slots go with a disconnected account. */
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "accounts", "disconnect", id, NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "queue", "list", id, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no account"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/queue-cli/round-trip", test_queue_round_trip);
  return g_test_run ();
}
