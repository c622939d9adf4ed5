/* test-time.c — due times across DST, parsing what users type.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sm-time.h"
#include "sm-error.h"

static gint64
utc (int y, int mo, int d, int h, int mi)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, 0);
  return g_date_time_to_unix (dt) * G_TIME_SPAN_SECOND;
}

static void
test_berlin_dst (void)
{
  g_autoptr(GError) error = NULL;

  /* 09:00 in Berlin is 07:00 UTC in summer time (until 25 October 2026)… */
  g_assert_cmpint (sm_time_local_to_utc_us ("Europe/Berlin", 2026, 10, 24, 9, 0, &error), ==,
                   utc (2026, 10, 24, 7, 0));
  g_assert_no_error (error);
  /* …and 08:00 UTC after the change. */
  g_assert_cmpint (sm_time_local_to_utc_us ("Europe/Berlin", 2026, 10, 26, 9, 0, &error), ==,
                   utc (2026, 10, 26, 8, 0));
  g_assert_no_error (error);
}

static void
test_gap_and_overlap (void)
{
  g_autoptr(GError) error = NULL;

  /* 02:30 on 29 March 2026 does not exist in Berlin: it moves forward by
   * the hour the clocks skipped, to 03:30 CEST = 01:30 UTC. */
  g_assert_cmpint (sm_time_local_to_utc_us ("Europe/Berlin", 2026, 3, 29, 2, 30, &error), ==,
                   utc (2026, 3, 29, 1, 30));
  /* 02:30 on 25 October 2026 happens twice: the first one, CEST. */
  g_assert_cmpint (sm_time_local_to_utc_us ("Europe/Berlin", 2026, 10, 25, 2, 30, &error), ==,
                   utc (2026, 10, 25, 0, 30));
  /* New York: 09:00 EDT → 13:00 UTC, 09:00 EST → 14:00 UTC. */
  g_assert_cmpint (sm_time_local_to_utc_us ("America/New_York", 2026, 10, 30, 9, 0, &error), ==,
                   utc (2026, 10, 30, 13, 0));
  g_assert_cmpint (sm_time_local_to_utc_us ("America/New_York", 2026, 11, 2, 9, 0, &error), ==,
                   utc (2026, 11, 2, 14, 0));
  g_assert_no_error (error);
}

static void
test_parse_when (void)
{
  g_autoptr(GError) error = NULL;
  gint64 us = 0;

  g_assert_true (sm_time_parse_when ("now", "UTC", 42, &us, &error));
  g_assert_cmpint (us, ==, 42);
  g_assert_true (sm_time_parse_when ("2026-10-24T09:00:00+02:00", "UTC", 0, &us, &error));
  g_assert_cmpint (us, ==, utc (2026, 10, 24, 7, 0));
  g_assert_true (sm_time_parse_when ("2026-10-26T08:00:00Z", "Europe/Berlin", 0, &us, &error));
  g_assert_cmpint (us, ==, utc (2026, 10, 26, 8, 0));
  g_assert_true (sm_time_parse_when ("2026-10-24T09:00", "Europe/Berlin", 0, &us, &error));
  g_assert_cmpint (us, ==, utc (2026, 10, 24, 7, 0));
  g_assert_true (sm_time_parse_when ("2026-10-26 09:00:30", "Europe/Berlin", 0, &us, &error));
  g_assert_cmpint (us, ==, utc (2026, 10, 26, 8, 0) + 30 * G_TIME_SPAN_SECOND);
  g_assert_no_error (error);

  g_assert_false (sm_time_parse_when ("tomorrow-ish", "UTC", 0, &us, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sm_time_parse_when ("2026-02-30T10:00", "UTC", 0, &us, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sm_time_parse_when ("2026-10-24T09:00", "Mars/Olympus", 0, &us, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Mars/Olympus"));
}

static void
test_zones_and_format (void)
{
  g_autofree char *local = sm_time_local_zone_id ();
  g_autofree char *a = sm_time_format_utc (utc (2026, 10, 24, 7, 0));
  g_autofree char *b = sm_time_format_local (utc (2026, 10, 24, 7, 0), "Europe/Berlin");

  g_assert_true (sm_time_zone_is_valid (local));
  g_assert_true (sm_time_zone_is_valid ("Asia/Kolkata"));
  g_assert_false (sm_time_zone_is_valid (""));
  g_assert_false (sm_time_zone_is_valid ("../../etc/passwd"));
  g_assert_false (sm_time_zone_is_valid ("Nowhere/Special"));
  g_assert_cmpstr (a, ==, "2026-10-24T07:00:00Z");
  g_assert_cmpstr (b, ==, "2026-10-24 09:00");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/time/berlin-dst", test_berlin_dst);
  g_test_add_func ("/time/gap-and-overlap", test_gap_and_overlap);
  g_test_add_func ("/time/parse-when", test_parse_when);
  g_test_add_func ("/time/zones-and-format", test_zones_and_format);
  return g_test_run ();
}
