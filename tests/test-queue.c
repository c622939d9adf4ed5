/* test-queue.c — weekly posting times and the next free one: across a
 * week, taken slots, DST in Berlin and New York, several accounts, no
 * slots, and the 8-week horizon.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sm-queue.h"
#include "sm-store.h"
#include "sm-time.h"

typedef struct
{
  char    *dir;
  SmStore *store;
  gint64   shop;   /* X, Europe/Berlin */
  gint64   page;   /* Facebook, America/New_York */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 ws;

  f->dir = g_dir_make_tmp ("sm-queue-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = sm_store_open (f->dir, &error);
  g_assert_no_error (error);
  ws = sm_store_get_default_workspace (f->store, NULL, &error);
  g_assert_no_error (error);
  f->shop = sm_store_upsert_account (f->store, ws, SM_NETWORK_X, "42", "Shop", "@shop", &error);
  g_assert_no_error (error);
  f->page = sm_store_upsert_account (f->store, ws, SM_NETWORK_FACEBOOK, "page-1", "Page", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sm_store_set_account_zone (f->store, f->shop, "Europe/Berlin", &error));
  g_assert_true (sm_store_set_account_zone (f->store, f->page, "America/New_York", &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  const char *files[] = { "studio.db", "studio.db-wal", "studio.db-shm" };

  g_clear_object (&f->store);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, files[i], NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gint64
utc (int y, int mo, int d, int h, int mi)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, 0);
  return g_date_time_to_unix (dt) * G_TIME_SPAN_SECOND;
}

static gint64
local (const char *zone, int y, int mo, int d, int h, int mi)
{
  g_autoptr(GError) error = NULL;
  gint64 us = sm_time_local_to_utc_us (zone, y, mo, d, h, mi, &error);

  g_assert_no_error (error);
  return us;
}

static void
add_slot (Fixture *f,
          gint64   account,
          int      weekday,
          int      hour,
          int      minute)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sm_store_add_queue_slot (f->store, account, weekday, hour * 60 + minute, &error));
  g_assert_no_error (error);
}

static gint64
next_free (Fixture *f,
           gint64   account,
           gint64   after_us)
{
  g_autoptr(GError) error = NULL;
  gint64 us = sm_queue_next_free (f->store, &account, 1, after_us, &error);

  g_assert_no_error (error);
  return us;
}

/* Asserts @us reads as @expected ("2027-03-28 03:30") in @zone. */
static void
assert_local (gint64      us,
              const char *zone,
              const char *expected)
{
  g_autofree char *text = sm_time_format_local (us, zone);
  g_assert_cmpstr (text, ==, expected);
}

static gint64
post_at (Fixture *f,
         gint64   account,
         gint64   due_us,
         gboolean draft)
{
  g_autoptr(GError) error = NULL;
  SmTargetSpec spec = { account, NULL };
  gint64 id = sm_store_create_post (f->store, "queued", due_us, "Europe/Berlin", &spec, 1, draft, &error);

  g_assert_no_error (error);
  return id;
}

/* Slots are kept in order, once each, and checked. */
static void
test_slots_store (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autofree char *zone = NULL;

  add_slot (f, f->shop, 3, 14, 30);
  add_slot (f, f->shop, 1, 9, 0);
  add_slot (f, f->shop, 1, 9, 0);
  add_slot (f, f->shop, 7, 20, 0);
  slots = sm_store_list_queue_slots (f->store, f->shop, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slots->len, ==, 3);
  g_assert_cmpint (g_array_index (slots, SmQueueSlot, 0).weekday, ==, 1);
  g_assert_cmpint (g_array_index (slots, SmQueueSlot, 0).minute, ==, 540);
  g_assert_cmpint (g_array_index (slots, SmQueueSlot, 1).weekday, ==, 3);
  g_assert_cmpint (g_array_index (slots, SmQueueSlot, 2).weekday, ==, 7);

  g_assert_false (sm_store_add_queue_slot (f->store, f->shop, 8, 0, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sm_store_add_queue_slot (f->store, f->shop, 1, 1440, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sm_store_add_queue_slot (f->store, 999, 1, 60, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (sm_store_remove_queue_slot (f->store, f->shop, 2, 540, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (sm_store_remove_queue_slot (f->store, f->shop, 1, 540, &error));
  g_assert_no_error (error);
  g_clear_pointer (&slots, g_array_unref);
  slots = sm_store_list_queue_slots (f->store, f->shop, &error);
  g_assert_cmpuint (slots->len, ==, 2);
  /* The other account's slots are its own. */
  g_clear_pointer (&slots, g_array_unref);
  slots = sm_store_list_queue_slots (f->store, f->page, &error);
  g_assert_cmpuint (slots->len, ==, 0);

  /* The zone: the account's own, or the workspace's again. */
  g_assert_false (sm_store_set_account_zone (f->store, f->shop, "Mars/Olympus", &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  zone = sm_store_get_account_zone (f->store, f->shop, &error);
  g_assert_cmpstr (zone, ==, "Europe/Berlin");
  g_clear_pointer (&zone, g_free);
  g_assert_true (sm_store_set_account_zone (f->store, f->shop, NULL, &error));
  {
    g_autofree char *workspace_zone = NULL;
    sm_store_get_default_workspace (f->store, &workspace_zone, &error);
    zone = sm_store_get_account_zone (f->store, f->shop, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (zone, ==, workspace_zone);
  }
}

/* Mon 09:00, Wed 14:30 and Sun 20:00 in Berlin, read from points across
 * the week of 4 January 2027 (a Monday). */
static void
test_slots_across_week (Fixture       *f,
                        gconstpointer  data)
{
  const char *z = "Europe/Berlin";

  add_slot (f, f->shop, 1, 9, 0);
  add_slot (f, f->shop, 3, 14, 30);
  add_slot (f, f->shop, 7, 20, 0);

  assert_local (next_free (f, f->shop, local (z, 2027, 1, 4, 8, 0)), z, "2027-01-04 09:00");
  g_assert_cmpint (next_free (f, f->shop, local (z, 2027, 1, 4, 8, 0)), ==, utc (2027, 1, 4, 8, 0));
  /* A slot at exactly the start counts; a second after, it has passed. */
  g_assert_cmpint (next_free (f, f->shop, local (z, 2027, 1, 4, 9, 0)), ==, utc (2027, 1, 4, 8, 0));
  assert_local (next_free (f, f->shop, local (z, 2027, 1, 4, 9, 0) + 1), z, "2027-01-06 14:30");
  assert_local (next_free (f, f->shop, local (z, 2027, 1, 7, 0, 0)), z, "2027-01-10 20:00");
  /* Sunday after the last slot: next Monday. */
  assert_local (next_free (f, f->shop, local (z, 2027, 1, 10, 20, 1)), z, "2027-01-11 09:00");
}

/* A slot is taken by a scheduled post of the same account due within its
 * minute; drafts, other accounts and other minutes do not take it. */
static void
test_skips_taken (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *z = "Europe/Berlin";
  gint64 after = local (z, 2027, 1, 4, 0, 0);
  gint64 monday = local (z, 2027, 1, 4, 9, 0);
  gint64 tuesday = local (z, 2027, 1, 5, 9, 0);
  gint64 wednesday = local (z, 2027, 1, 6, 9, 0);

  for (int d = 1; d <= 7; d++)
    add_slot (f, f->shop, d, 9, 0);

  post_at (f, f->shop, monday + 30 * G_TIME_SPAN_SECOND, FALSE);
  g_assert_cmpint (next_free (f, f->shop, after), ==, tuesday);

  post_at (f, f->shop, tuesday, TRUE);                    /* a draft */
  post_at (f, f->page, tuesday, FALSE);                   /* another account */
  post_at (f, f->shop, tuesday + G_TIME_SPAN_MINUTE, FALSE);  /* 09:01 */
  g_assert_cmpint (next_free (f, f->shop, after), ==, tuesday);

  /* Adding to the queue, again and again, fills the slots in order. */
  post_at (f, f->shop, next_free (f, f->shop, after), FALSE);
  g_assert_cmpint (next_free (f, f->shop, after), ==, wednesday);
  post_at (f, f->shop, next_free (f, f->shop, after), FALSE);
  assert_local (next_free (f, f->shop, after), z, "2027-01-07 09:00");

  /* A deleted post frees its slot. */
  {
    g_autoptr(GPtrArray) posts = sm_store_list_posts (f->store, wednesday, wednesday + 1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (posts->len, ==, 1);
    g_assert_true (sm_store_delete_post (f->store, ((SmPost *) g_ptr_array_index (posts, 0))->id, &error));
  }
  g_assert_cmpint (next_free (f, f->shop, after), ==, wednesday);
}

/* Berlin: on 28 March 2027 clocks skip 02:00–03:00; on 31 October 2027
 * 02:00–03:00 happens twice. */
static void
test_dst_berlin (Fixture       *f,
                 gconstpointer  data)
{
  const char *z = "Europe/Berlin";

  add_slot (f, f->shop, 7, 2, 30);
  add_slot (f, f->shop, 7, 9, 0);

  /* 09:00 stays 09:00: 08:00 UTC in winter, 07:00 UTC in summer. */
  g_assert_cmpint (next_free (f, f->shop, utc (2027, 3, 21, 3, 0)), ==, utc (2027, 3, 21, 8, 0));
  g_assert_cmpint (next_free (f, f->shop, utc (2027, 3, 28, 2, 0)), ==, utc (2027, 3, 28, 7, 0));

  /* The skipped 02:30 moves forward by the gap: 03:30 summer time. */
  g_assert_cmpint (next_free (f, f->shop, utc (2027, 3, 27, 12, 0)), ==, utc (2027, 3, 28, 1, 30));
  assert_local (utc (2027, 3, 28, 1, 30), z, "2027-03-28 03:30");

  /* The repeated 02:30 is used once, the first time (00:30 UTC, summer
   * time)… */
  g_assert_cmpint (next_free (f, f->shop, utc (2027, 10, 30, 12, 0)), ==, utc (2027, 10, 31, 0, 30));
  /* …and not again an hour later (01:30 UTC, the second 02:30): after the
   * first, the next is 09:00 winter time. */
  g_assert_cmpint (next_free (f, f->shop, utc (2027, 10, 31, 0, 31)), ==, utc (2027, 10, 31, 8, 0));
  /* A week later 02:30 is 01:30 UTC. */
  g_assert_cmpint (next_free (f, f->shop, utc (2027, 10, 31, 8, 1)), ==, utc (2027, 11, 7, 1, 30));
}

/* New York: on 14 March 2027 clocks skip 02:00–03:00; on 7 November 2027
 * 01:00–02:00 happens twice. */
static void
test_dst_new_york (Fixture       *f,
                   gconstpointer  data)
{
  const char *z = "America/New_York";

  add_slot (f, f->page, 7, 2, 30);
  add_slot (f, f->page, 7, 1, 30);

  /* 02:30 does not exist: 03:30 EDT (07:30 UTC). 01:30 EST before it. */
  g_assert_cmpint (next_free (f, f->page, utc (2027, 3, 14, 0, 0)), ==, utc (2027, 3, 14, 6, 30));
  g_assert_cmpint (next_free (f, f->page, utc (2027, 3, 14, 6, 31)), ==, utc (2027, 3, 14, 7, 30));
  assert_local (utc (2027, 3, 14, 7, 30), z, "2027-03-14 03:30");

  /* 01:30 happens at 05:30 UTC (EDT) and 06:30 UTC (EST): only the first
   * is a slot; the next after it is 02:30 EST. */
  g_assert_cmpint (next_free (f, f->page, utc (2027, 11, 7, 0, 0)), ==, utc (2027, 11, 7, 5, 30));
  g_assert_cmpint (next_free (f, f->page, utc (2027, 11, 7, 5, 31)), ==, utc (2027, 11, 7, 7, 30));
  assert_local (utc (2027, 11, 7, 7, 30), z, "2027-11-07 02:30");
}

/* Several accounts: the earliest instant that is a free slot of each. */
static void
test_several_accounts (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 both[] = { f->shop, f->page };
  gint64 after = utc (2027, 1, 4, 0, 0);
  gint64 us;

  /* Shop (Berlin): Mon 09:00 and 15:00; Page (New York): Mon 09:00 =
   * 15:00 in Berlin in January. */
  add_slot (f, f->shop, 1, 9, 0);
  add_slot (f, f->shop, 1, 15, 0);
  add_slot (f, f->page, 1, 9, 0);

  g_assert_cmpint (next_free (f, f->shop, after), ==, utc (2027, 1, 4, 8, 0));
  us = sm_queue_next_free (f->store, both, 2, after, &error);
  g_assert_no_error (error);
  g_assert_cmpint (us, ==, utc (2027, 1, 4, 14, 0));

  /* Taken for one of them: a week later. */
  post_at (f, f->shop, us, FALSE);
  us = sm_queue_next_free (f->store, both, 2, after, &error);
  g_assert_no_error (error);
  g_assert_cmpint (us, ==, utc (2027, 1, 11, 14, 0));

  /* No time in common: said so, with both names. */
  g_assert_true (sm_store_remove_queue_slot (f->store, f->shop, 1, 15 * 60, &error));
  g_assert_cmpint (sm_queue_next_free (f->store, both, 2, after, &error), ==, 0);
  g_assert_error (error, SM_QUEUE_ERROR, SM_QUEUE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "Shop (X)"));
  g_assert_nonnull (strstr (error->message, "Page (Facebook Pages)"));
}

static void
test_no_slots (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 both[] = { f->page, f->shop };
  gint64 nobody = 4242;

  add_slot (f, f->page, 1, 9, 0);
  g_assert_cmpint (sm_queue_next_free (f->store, both, 2, utc (2027, 1, 1, 0, 0), &error), ==, 0);
  g_assert_error (error, SM_QUEUE_ERROR, SM_QUEUE_ERROR_NO_SLOTS);
  g_assert_cmpstr (error->message, ==, "Add posting times for Shop (X) first.");
  g_clear_error (&error);

  g_assert_cmpint (sm_queue_next_free (f->store, &nobody, 1, utc (2027, 1, 1, 0, 0), &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
}

/* The search looks 8 weeks ahead, no further. */
static void
test_horizon (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *z = "Europe/Berlin";
  gint64 after = local (z, 2027, 1, 4, 10, 0);   /* Monday, after the slot */
  gint64 last = 0;

  add_slot (f, f->shop, 1, 9, 0);
  /* The 8 Mondays within 8 weeks: 11 January … 1 March. */
  for (int week = 1; week <= 8; week++)
    {
      gint64 us = next_free (f, f->shop, after);
      g_assert_cmpint (us, ==, local (z, 2027, 1, 4, 9, 0) + week * 7 * G_TIME_SPAN_DAY);
      post_at (f, f->shop, us, FALSE);
      last = us;
    }
  assert_local (last, z, "2027-03-01 09:00");
  g_assert_cmpint (sm_queue_next_free (f->store, &f->shop, 1, after, &error), ==, 0);
  g_assert_error (error, SM_QUEUE_ERROR, SM_QUEUE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "8 weeks"));
  g_clear_error (&error);
  /* From a week later, 8 March is within reach. */
  assert_local (next_free (f, f->shop, after + 7 * G_TIME_SPAN_DAY), z, "2027-03-08 09:00");
}

static void
test_parse (void)
{
  guint mask = 0;
  int minute = -1;

  g_assert_true (sm_queue_parse_days ("weekdays", &mask));
  g_assert_cmpuint (mask, ==, (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5));
  g_assert_true (sm_queue_parse_days ("daily", &mask));
  g_assert_cmpuint (mask, ==, 0xfe);
  g_assert_true (sm_queue_parse_days ("mon,SUN, wed", &mask));
  g_assert_cmpuint (mask, ==, (1u << 1) | (1u << 3) | (1u << 7));
  g_assert_false (sm_queue_parse_days ("funday", &mask));
  g_assert_false (sm_queue_parse_days ("mon,", &mask));
  g_assert_false (sm_queue_parse_days ("", &mask));

  g_assert_true (sm_queue_parse_time ("09:30", &minute));
  g_assert_cmpint (minute, ==, 570);
  g_assert_true (sm_queue_parse_time ("0:00", &minute));
  g_assert_cmpint (minute, ==, 0);
  g_assert_true (sm_queue_parse_time ("23:59", &minute));
  g_assert_cmpint (minute, ==, 1439);
  g_assert_false (sm_queue_parse_time ("24:00", &minute));
  g_assert_false (sm_queue_parse_time ("9:5", &minute));
  g_assert_false (sm_queue_parse_time ("930", &minute));
  g_assert_false (sm_queue_parse_time ("-1:30", &minute));
}

/* A slot someone else took between choosing and saving is refused, and
 * nothing of the post is saved. */
static void
test_slot_taken_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  gint64 now = g_get_real_time ();
  gint64 due;
  SmTargetSpec spec = { 0, NULL };
  SmNewPost post = { "mine", 0, "Europe/Berlin", &spec, 1, NULL, 0, NULL, FALSE };

  for (int day = 1; day <= 7; day++)
    add_slot (f, f->shop, day, 9, 0);
  spec.account_id = f->shop;
  due = next_free (f, f->shop, now);
  post_at (f, f->shop, due, FALSE);

  post.due_us = due;
  g_assert_cmpint (sm_store_create_post_in_slot (f->store, &post, &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_TAKEN);
  posts = sm_store_list_posts (f->store, due - G_TIME_SPAN_DAY, due + G_TIME_SPAN_DAY, NULL);
  g_assert_cmpuint (posts->len, ==, 1);
}

typedef struct
{
  const char *dir;
  gint64      account;
  guint       n;
  GArray     *due;   /* gint64 */
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = sm_store_open (w->dir, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < w->n; i++)
    {
      SmTargetSpec spec = { w->account, NULL };
      SmNewPost post = { "queued", 0, "Europe/Berlin", &spec, 1, NULL, 0, NULL, FALSE };
      gint64 due = 0;
      gint64 id;

      id = sm_queue_create_post (store, &post, g_get_real_time (), &due, &error);
      g_assert_no_error (error);
      g_assert_cmpint (id, >, 0);
      g_array_append_val (w->due, due);
    }
  return NULL;
}

/* Two writers (two connections, as the window and `so-me post --queue`)
 * filling one account's queue at once never put two posts in one slot. */
static void
test_concurrent_writers (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  Writer writers[2];
  GThread *threads[2];

  for (int day = 1; day <= 7; day++)
    for (int hour = 8; hour < 20; hour += 3)
      add_slot (f, f->shop, day, hour, 0);

  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    {
      writers[i] = (Writer) { f->dir, f->shop, 12, g_array_new (FALSE, FALSE, sizeof (gint64)) };
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    {
      g_thread_join (threads[i]);
      for (guint j = 0; j < writers[i].due->len; j++)
        {
          gint64 due = g_array_index (writers[i].due, gint64, j);

          g_assert_false (g_hash_table_contains (seen, &due));
          g_hash_table_add (seen, g_memdup2 (&due, sizeof due));
        }
      g_array_unref (writers[i].due);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 24);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/queue/slots-store", test_slots_store);
  ADD ("/queue/slots-across-week", test_slots_across_week);
  ADD ("/queue/skips-taken", test_skips_taken);
  ADD ("/queue/dst-berlin", test_dst_berlin);
  ADD ("/queue/dst-new-york", test_dst_new_york);
  ADD ("/queue/several-accounts", test_several_accounts);
  ADD ("/queue/no-slots", test_no_slots);
  ADD ("/queue/horizon", test_horizon);
  ADD ("/queue/slot-taken-refused", test_slot_taken_refused);
  ADD ("/queue/concurrent-writers", test_concurrent_writers);
#undef ADD
  g_test_add_func ("/queue/parse", test_parse);
  return g_test_run ();
}
