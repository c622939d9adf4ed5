/* bench-calendar.c — how quickly the calendar paints a busy month.
 *
 * One store with 3,000 posts in next month (four accounts on four
 * networks, every hour of every day), one with none.  For each, in a
 * fresh window with the calendar alone:
 *  - first paint: from creating the view (which reads the month from the
 *    store) to the end of the first frame that shows it;
 *  - switching months: from "next"/"previous" to the end of the frame that
 *    shows the month (median and worst of SWITCHES round trips, into the
 *    busy month and out of it);
 *  - the same for the week view of the busiest week.
 * Switching into the month is also split into the frame clock's phases:
 * the view's own update (in the action), styles and layout, and paint
 * (render nodes, and GL).
 * Printed side by side, with the ratio busy/empty, and the process's RSS
 * and peak RSS after the busy month.
 *
 * Runs under tests/run-headless (see tools/bench).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "bench-util.h"
#include "sm-application.h"
#include "sm-calendar-chip.h"
#include "sm-calendar-view.h"
#include "sm-store.h"
#include "sm-time.h"
#include "sm-ui-util.h"

#define N_POSTS  3000
#define SWITCHES 10

typedef struct
{
  double first_paint_ms;
  double into_month_ms;    /* median */
  double into_month_worst_ms;
  double out_of_month_ms;  /* median */
  double week_ms;          /* median */
  guint  chips;
  double read_ms;          /* the month from the store alone, median */
  double into_phase_ms[3]; /* medians of switching in: action, layout, paint */
} Result;

static guint64 paints;

/* Where a frame's time goes: the end of each phase of the frame clock
 * (our handlers run after GTK's own, connected when the window was
 * realized). */
enum { PHASE_LAYOUT, PHASE_PAINT, N_PHASES };
static gint64 phase_end[N_PHASES];

static void
phase_cb (GdkFrameClock *clock,
          gpointer       user_data)
{
  phase_end[GPOINTER_TO_INT (user_data)] = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  paints++;
}

typedef struct
{
  GArray *action;  /* the view's own work, in the action */
  GArray *layout;  /* to the end of the layout phase: styles, measuring, allocating */
  GArray *paint;   /* the paint phase: the render nodes and GL */
} Phases;

static void
phases_init (Phases *phases)
{
  phases->action = g_array_new (FALSE, FALSE, sizeof (double));
  phases->layout = g_array_new (FALSE, FALSE, sizeof (double));
  phases->paint = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
phases_clear (Phases *phases)
{
  g_clear_pointer (&phases->action, g_array_unref);
  g_clear_pointer (&phases->layout, g_array_unref);
  g_clear_pointer (&phases->paint, g_array_unref);
}

/* Iterates until one more frame has been painted; returns the time from
 * @start to that, in ms. */
static double
wait_paint (gint64 start)
{
  guint64 before = paints;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (paints == before && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (paints == before)
    g_error ("No frame painted in 10 s");
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* Activates @action on @view and waits for the frame that shows it;
 * returns the whole time in ms and adds its phases to @phases. */
static double
switch_and_paint (GtkWidget  *view,
                  const char *action,
                  Phases     *phases)
{
  gint64 start = g_get_monotonic_time ();
  gint64 acted;
  double ms, part;

  gtk_widget_activate_action (view, action, NULL);
  acted = g_get_monotonic_time ();
  ms = wait_paint (start);
  part = (acted - start) / 1000.0;
  g_array_append_val (phases->action, part);
  part = (phase_end[PHASE_LAYOUT] - acted) / 1000.0;
  g_array_append_val (phases->layout, part);
  part = (phase_end[PHASE_PAINT] - phase_end[PHASE_LAYOUT]) / 1000.0;
  g_array_append_val (phases->paint, part);
  return ms;
}

static gboolean
done_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets idles, layout and drawing finish, without spinning. */
static void
settle (void)
{
  gboolean done = FALSE;

  g_timeout_add (200, done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static guint
count_chips (GtkWidget *root)
{
  guint n = SM_IS_CALENDAR_CHIP (root) && gtk_widget_get_mapped (root) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    n += count_chips (child);
  return n;
}

/* Next month's first day in @zone. */
static void
next_month (const char *zone,
            int        *year,
            int        *month)
{
  g_autoptr(GTimeZone) tz = sm_ui_time_zone_new (zone);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) first = g_date_time_new (tz, g_date_time_get_year (now),
                                                g_date_time_get_month (now), 1, 12, 0, 0);
  g_autoptr(GDateTime) next = g_date_time_add_months (first, 1);

  *year = g_date_time_get_year (next);
  *month = g_date_time_get_month (next);
}

static SmStore *
make_store (guint n_posts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-calendar-XXXXXX", &error);
  g_autofree char *zone = NULL;
  SmStore *store;
  gint64 workspace_id, accounts[4];
  static const SmNetwork networks[4] = { SM_NETWORK_X, SM_NETWORK_LINKEDIN, SM_NETWORK_THREADS, SM_NETWORK_FACEBOOK };
  int year, month, days;

  g_assert_no_error (error);
  store = sm_store_open (dir, &error);
  g_assert_no_error (error);
  workspace_id = sm_store_get_default_workspace (store, &zone, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *remote = g_strdup_printf ("account-%u", i);

      accounts[i] = sm_store_upsert_account (store, workspace_id, networks[i], remote,
                                             "Bench Account", "@bench", &error);
      g_assert_no_error (error);
    }

  next_month (zone, &year, &month);
  days = g_date_get_days_in_month (month, year);
  for (guint i = 0; i < n_posts; i++)
    {
      g_autofree char *text = g_strdup_printf ("Post %u of the busy month: a few words about the engine, "
                                               "the mill and the store, for the bench.", i);
      SmTargetSpec spec = { accounts[i % 4], NULL };
      int day = 1 + (i % days), hour = (i / days) % 24, minute = (i * 7) % 60;
      gint64 due = sm_time_local_to_utc_us (zone, year, month, day, hour, minute, &error);

      g_assert_no_error (error);
      sm_store_create_post (store, text, due, zone, &spec, 1, FALSE, &error);
      g_assert_no_error (error);
    }

  return store;
}

static void
run (SmStore *store,
     Result  *result)
{
  g_autoptr(GArray) into = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) week = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *zone = NULL;
  GtkWidget *window;
  SmCalendarView *view;
  Phases into_phases, out_phases, week_phases;
  int year, month;
  gint64 start;

  sm_store_get_default_workspace (store, &zone, NULL);
  next_month (zone, &year, &month);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);

  start = g_get_monotonic_time ();
  view = g_object_new (SM_TYPE_CALENDAR_VIEW, NULL);
  sm_calendar_view_set_store (view, store);
  sm_calendar_view_set_date (view, year, month, 15);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_widget_realize (window);
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

    g_signal_connect (clock, "layout", G_CALLBACK (phase_cb), GINT_TO_POINTER (PHASE_LAYOUT));
    g_signal_connect (clock, "paint", G_CALLBACK (phase_cb), GINT_TO_POINTER (PHASE_PAINT));
    g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  }
  gtk_window_present (GTK_WINDOW (window));
  result->first_paint_ms = wait_paint (start);
  settle ();
  result->chips = count_chips (GTK_WIDGET (view));

  phases_init (&out_phases);
  phases_init (&into_phases);
  phases_init (&week_phases);
  for (guint i = 0; i < SWITCHES; i++)
    {
      double ms;

      ms = switch_and_paint (GTK_WIDGET (view), "calendar.next", &out_phases);
      g_array_append_val (out, ms);
      settle ();

      ms = switch_and_paint (GTK_WIDGET (view), "calendar.previous", &into_phases);
      g_array_append_val (into, ms);
      settle ();
    }

  /* The week view of the busy month's second week, back and forth. */
  sm_calendar_view_set_mode (view, SM_CALENDAR_MODE_WEEK);
  sm_calendar_view_set_date (view, year, month, 10);
  settle ();
  for (guint i = 0; i < SWITCHES; i++)
    {
      double ms;

      ms = switch_and_paint (GTK_WIDGET (view), i % 2 ? "calendar.previous" : "calendar.next", &week_phases);
      g_array_append_val (week, ms);
      settle ();
    }

  /* What of that is the store: the same read, alone. */
  {
    g_autoptr(GArray) reads = g_array_new (FALSE, FALSE, sizeof (double));
    gint64 from = sm_time_local_to_utc_us (zone, year, month, 1, 0, 0, NULL);
    gint64 to = sm_time_local_to_utc_us (zone, month == 12 ? year + 1 : year, month % 12 + 1, 1, 0, 0, NULL);

    for (guint i = 0; i < SWITCHES; i++)
      {
        g_autoptr(GPtrArray) posts = NULL;
        double ms;

        start = g_get_monotonic_time ();
        posts = sm_store_list_posts (store, from, to, NULL);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (reads, ms);
      }
    result->read_ms = bench_median (reads);
  }

  result->into_month_ms = bench_median (into);
  result->into_month_worst_ms = g_array_index (into, double, into->len - 1);
  result->out_of_month_ms = bench_median (out);
  result->week_ms = bench_median (week);
  result->into_phase_ms[0] = bench_median (into_phases.action);
  result->into_phase_ms[1] = bench_median (into_phases.layout);
  result->into_phase_ms[2] = bench_median (into_phases.paint);
  phases_clear (&into_phases);
  phases_clear (&out_phases);
  phases_clear (&week_phases);

  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmApplication) app = NULL;
  g_autoptr(SmStore) empty = NULL;
  g_autoptr(SmStore) busy = NULL;
  Result none = { 0, }, full = { 0, };
  gint64 t0;
  double seed_s;

  gtk_init ();
  app = sm_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  empty = make_store (0);
  t0 = g_get_monotonic_time ();
  busy = make_store (N_POSTS);
  seed_s = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;

  /* Warm-up: icons, CSS and fonts are loaded once per process. */
  run (empty, &none);

  run (empty, &none);
  run (busy, &full);

  g_print ("calendar: month view, %d posts in the month (seeded in %.1f s), window 1100×800\n",
           N_POSTS, seed_s);
  g_print ("  chips drawn for the busy month: %u (the rest is \"+N more\")\n", full.chips);
  g_print ("  first paint:            %7.1f ms   (no posts: %6.1f ms; ratio %.2f)\n",
           full.first_paint_ms, none.first_paint_ms, full.first_paint_ms / none.first_paint_ms);
  g_print ("  switch into the month:  %7.1f ms   (no posts: %6.1f ms; ratio %.2f), worst %.1f ms\n",
           full.into_month_ms, none.into_month_ms, full.into_month_ms / none.into_month_ms,
           full.into_month_worst_ms);
  g_print ("    medians of its phases:  the view's update %.1f ms (%.1f), styles and layout %.1f ms (%.1f), "
           "paint %.1f ms (%.1f)\n",
           full.into_phase_ms[0], none.into_phase_ms[0], full.into_phase_ms[1], none.into_phase_ms[1],
           full.into_phase_ms[2], none.into_phase_ms[2]);
  g_print ("  of which reading the month from the store: %.1f ms (sm_store_list_posts alone)\n",
           full.read_ms);
  g_print ("  switch out of it:       %7.1f ms   (no posts: %6.1f ms; ratio %.2f)\n",
           full.out_of_month_ms, none.out_of_month_ms, full.out_of_month_ms / none.out_of_month_ms);
  g_print ("  week view, next/prev:   %7.1f ms   (no posts: %6.1f ms; ratio %.2f)\n",
           full.week_ms, none.week_ms, full.week_ms / none.week_ms);
  g_print ("  process RSS: %ld KiB, peak %ld KiB\n", bench_proc_status_kib ("VmRSS:"), bench_proc_status_kib ("VmHWM:"));

  return 0;
}
