/* bench-startup.c — how long So-me Studio takes to show its first frame.
 *
 * Seeds a profile (a temporary XDG_DATA_HOME) with N_POSTS posts spread
 * over a year around now, on six accounts of five networks, in every
 * state (scheduled and drafts ahead; published behind, as sm-demo.c's
 * history is made; some failed or unconfirmed at the start), then starts, as separate processes and alternately, RUNS times:
 *  - the installed `so-me-studio` on that profile;
 *  - this program as `bench-startup --child minimal`: an AdwApplication
 *    with one AdwApplicationWindow holding one label, the same size.
 * Each child reports the moment its first frame was painted (and its RSS
 * then) through SO_ME_STUDIO_REPORT_FIRST_FRAME=FD (see
 * sm-application.c); the time counted is from just before the spawn
 * (fork + exec) to that moment, both on the monotonic clock.  Prints the
 * median and min of each (and of so-me-studio on an empty profile, to
 * tell what the posts cost from what the app costs), the ratio app/minimal (goal: <= 1.5x), and the
 * RSS at the first frame.  Then, in this process, how long the first
 * switch to the agenda takes (it is laid out when first shown).
 *
 * Runs under tests/run-headless (see tools/bench).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <adwaita.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "bench-util.h"
#include "sm-application.h"
#include "sm-post-row.h"
#include "sm-store.h"
#include "sm-window.h"

#define N_POSTS 10000
#define RUNS    5
#define GOAL    1.5

/* ---- The minimal window (the child) ---------------------------------- */

static void
minimal_first_frame_cb (GdkFrameClock *clock,
                        gpointer       user_data)
{
  int fd = GPOINTER_TO_INT (user_data);
  g_autofree char *line = g_strdup_printf ("first-frame monotonic-us=%" G_GINT64_FORMAT " rss-kib=%ld\n",
                                           g_get_monotonic_time (), bench_proc_status_kib ("VmRSS:"));

  g_signal_handlers_disconnect_by_func (clock, minimal_first_frame_cb, user_data);
  if (write (fd, line, strlen (line)) < 0)
    g_printerr ("bench-startup: %s\n", g_strerror (errno));
  close (fd);
}

static void
minimal_activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  const char *value = g_getenv ("SO_ME_STUDIO_REPORT_FIRST_FRAME");
  gint64 fd;

  gtk_window_set_title (GTK_WINDOW (window), "Minimal");
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);   /* as sm-window.ui */
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), gtk_label_new ("Hello"));
  if (value != NULL && g_ascii_string_to_signed (value, 10, 3, G_MAXINT, &fd, NULL))
    {
      gtk_widget_realize (window);
      g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                        G_CALLBACK (minimal_first_frame_cb), GINT_TO_POINTER ((int) fd));
    }
  gtk_window_present (GTK_WINDOW (window));
}

static int
run_minimal (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("studio.so_me.BenchMinimal", G_APPLICATION_DEFAULT_FLAGS);

  g_signal_connect (app, "activate", G_CALLBACK (minimal_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), 0, NULL);
}

/* ---- The profile ------------------------------------------------------ */

/* A profile with nothing in it yet (the store created, as on a first
 * start after the welcome). */
static char *
empty_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_build_filename (g_get_user_cache_dir (), "bench-startup-empty-XXXXXX", NULL);
  g_autofree char *dir = NULL;
  g_autoptr(SmStore) store = NULL;

  if (g_mkdtemp (data_home) == NULL)
    g_error ("%s: %s", data_home, g_strerror (errno));
  dir = g_build_filename (data_home, "so-me-studio", NULL);
  store = sm_store_open (dir, &error);
  g_assert_no_error (error);
  sm_store_get_default_workspace (store, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&data_home);
}

static char *
seed_profile (double *seed_s)
{
  static const struct { SmNetwork network; const char *name; } accounts[] = {
    { SM_NETWORK_X, "Bench on X" },
    { SM_NETWORK_LINKEDIN, "Bench on LinkedIn" },
    { SM_NETWORK_THREADS, "Bench on Threads" },
    { SM_NETWORK_FACEBOOK, "Bench on Facebook" },
    { SM_NETWORK_FACEBOOK, "Bench's second Page" },
    { SM_NETWORK_INSTAGRAM, "Bench on Instagram" },
  };
  g_autoptr(GError) error = NULL;
  /* Under XDG_CACHE_HOME, which tests/run-headless removes when done. */
  g_autofree char *data_home = g_build_filename (g_get_user_cache_dir (), "bench-startup-XXXXXX", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *zone = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) claimed = NULL;
  g_autofree SmNewPost *posts = g_new0 (SmNewPost, N_POSTS);
  g_autofree SmTargetSpec *specs = g_new0 (SmTargetSpec, N_POSTS * 2);
  gint64 ids[G_N_ELEMENTS (accounts)], workspace_id;
  gint64 now = g_get_real_time (), year = (gint64) G_USEC_PER_SEC * 3600 * 24 * 365;
  gint64 t0 = g_get_monotonic_time ();
  g_autofree gint64 *due = g_new0 (gint64, N_POSTS);
  g_autofree gint64 *post_ids = g_new0 (gint64, N_POSTS);
  g_autoptr(GHashTable) unsettled = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint n_past = 0, n_backdated = 0;

  if (g_mkdtemp (data_home) == NULL)
    g_error ("%s: %s", data_home, g_strerror (errno));
  dir = g_build_filename (data_home, "so-me-studio", NULL);
  store = sm_store_open (dir, &error);
  g_assert_no_error (error);
  workspace_id = sm_store_get_default_workspace (store, &zone, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_autofree char *remote = g_strdup_printf ("bench-%u", i);

      ids[i] = sm_store_upsert_account (store, workspace_id, accounts[i].network, remote,
                                        accounts[i].name, "@bench", &error);
      g_assert_no_error (error);
    }

  /* Evenly over [now - ½ year, now + ½ year), one in three on two accounts,
   * one in ten a draft. */
  for (guint i = 0; i < N_POSTS; i++)
    {
      SmNewPost *post = &posts[i];
      SmTargetSpec *spec = &specs[i * 2];
      char *text = g_strdup_printf ("Post %u for the start-up bench: a few words about the engine, "
                                    "the mill and the store, with a link https://example.com/%u #bench", i, i);

      g_ptr_array_add (texts, text);
      spec[0].account_id = ids[i % G_N_ELEMENTS (accounts)];
      spec[1].account_id = ids[(i + 1) % G_N_ELEMENTS (accounts)];
      post->text = text;
      due[i] = now - year / 2 + (year / N_POSTS) * i + (i * 7919) % ((gint64) G_USEC_PER_SEC * 600);
      post->time_zone = zone;
      post->targets = spec;
      post->n_targets = i % 3 == 0 ? 2 : 1;
      post->draft = due[i] > now && i % 10 == 0;
      /* The store takes no post due in the past: those are created due
       * in a minute, published, then moved back to their time. */
      post->due_us = due[i] > now ? due[i] : now + G_USEC_PER_SEC * 60 + i;
      n_past += due[i] <= now;
    }
  sm_store_create_posts_full (store, posts, N_POSTS, post_ids, &error);
  g_assert_no_error (error);

  /* The past: claimed as a publisher would, then most published, some
   * failed, a few unconfirmed. */
  claimed = sm_store_claim_due (store, "bench#1", now + (gint64) G_USEC_PER_SEC * 3600,
                                (gint64) G_USEC_PER_SEC * 3600, N_POSTS * 2, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < claimed->len; i++)
    {
      SmTarget *target = g_ptr_array_index (claimed, i);

      if (i % 100 == 0)
        sm_store_mark_failed (store, target->id, "bench#1", "The network refused the post (bench).", &error);
      else if (i % 200 == 1)
        sm_store_mark_unconfirmed (store, target->id, "bench#1", now + (gint64) G_USEC_PER_SEC * 3600,
                                   "No answer from the network (bench).", &error);
      else
        {
          g_autofree char *remote = g_strdup_printf ("remote-%" G_GINT64_FORMAT, target->id);
          g_autofree char *link = g_strdup_printf ("https://example.com/p/%" G_GINT64_FORMAT, target->id);

          sm_store_mark_published (store, target->id, "bench#1", remote, link, now, &error);
        }
      g_assert_no_error (error);
      if (i % 100 == 0 || i % 200 == 1)
        g_hash_table_add (unsettled, &target->post_id);
    }
  /* Failed and unconfirmed posts stay due where they were created (a
   * minute from the start); the published ones go back to their time. */
  for (guint i = 0; i < N_POSTS; i++)
    if (due[i] <= now && !g_hash_table_contains (unsettled, &post_ids[i]))
      {
        sm_store_backdate_published_post (store, post_ids[i], due[i], &error);
        g_assert_no_error (error);
        n_backdated++;
      }

  *seed_s = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
  g_print ("startup: profile with %d posts over a year around now, on %u accounts; %u in the past "
           "(%u published there, %u failed or unconfirmed now), seeded in %.1f s\n",
           N_POSTS, (guint) G_N_ELEMENTS (accounts), n_past, n_backdated,
           g_hash_table_size (unsettled), *seed_s);
  return g_steal_pointer (&data_home);
}

/* ---- The parent ------------------------------------------------------- */

typedef struct
{
  double ms;
  long   rss_kib;
} Start;

/* Spawns @argv with SO_ME_STUDIO_REPORT_FIRST_FRAME on a pipe and waits
 * for its report; then ends it. */
static Start
time_start (const char * const *argv,
            const char         *data_home)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  g_autofree char *line = NULL;
  const char *p;
  int fds[2];
  gint64 start, painted;
  Start result = { 0, };

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    g_error ("pipe: %s", error->message);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_setenv (launcher, "SO_ME_STUDIO_REPORT_FIRST_FRAME", "3", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  in = g_unix_input_stream_new (fds[0], TRUE);
  data = g_data_input_stream_new (in);

  start = g_get_monotonic_time ();
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (child == NULL)
    g_error ("%s: %s", argv[0], error->message);
  g_clear_object (&launcher);   /* closes our copy of the pipe's write end */

  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  if (line == NULL || (p = strstr (line, "monotonic-us=")) == NULL)
    g_error ("%s: no first frame reported (%s)", argv[0], error ? error->message : "exited");
  painted = g_ascii_strtoll (p + strlen ("monotonic-us="), NULL, 10);
  if ((p = strstr (line, "rss-kib=")) != NULL)
    result.rss_kib = g_ascii_strtoll (p + strlen ("rss-kib="), NULL, 10);
  result.ms = (painted - start) / 1000.0;

  g_subprocess_send_signal (child, SIGTERM);
  g_subprocess_wait (child, NULL, NULL);
  return result;
}

static guint64 paints;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  paints++;
}

/* Iterates until one more frame has been painted. */
static void
wait_paint (void)
{
  guint64 before = paints;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (paints == before && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (paints == before)
    g_error ("No frame painted in 60 s");
}

static gboolean
post_row_mapped (GtkWidget *widget)
{
  if (SM_IS_POST_ROW (widget) && gtk_widget_get_mapped (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (post_row_mapped (child))
      return TRUE;
  return FALSE;
}

static GtkWidget *rows_painted_window;

static void
rows_painted_cb (gint64 *rows_painted)
{
  if (*rows_painted == 0 && post_row_mapped (rows_painted_window))
    *rows_painted = g_get_monotonic_time ();
}

/* The agenda is read and laid out when first shown (sm-window.c), not
 * before the first frame: what that first switch costs, in this process,
 * on the same profile (median of RUNS fresh windows): until the next
 * frame (the window answers again), and until a frame with the posts'
 * rows (the agenda reads them in a thread). */
static double
time_agenda_switch (const char *data_home,
                    double     *rows_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmApplication) app = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) row_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dir = g_build_filename (data_home, "so-me-studio", NULL);

  gtk_init ();
  app = sm_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  store = sm_store_open (dir, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < RUNS; i++)
    {
      SmWindow *window = sm_window_new (GTK_APPLICATION (app), store);
      gint64 start;
      double ms;

      gtk_widget_realize (GTK_WIDGET (window));
      g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                        G_CALLBACK (after_paint_cb), NULL);
      gtk_window_present (GTK_WINDOW (window));
      wait_paint ();

      start = g_get_monotonic_time ();
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "agenda");
      wait_paint ();
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, ms);
      {
        gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
        gint64 rows_painted = 0;
        gulong id;

        /* Rows are mapped in a frame's layout, then painted in it. */
        id = g_signal_connect_swapped (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                                       G_CALLBACK (rows_painted_cb), &rows_painted);
        rows_painted_window = GTK_WIDGET (window);
        if (post_row_mapped (GTK_WIDGET (window)))
          rows_painted = g_get_monotonic_time ();
        while (rows_painted == 0 && g_get_monotonic_time () < deadline)
          g_main_context_iteration (NULL, TRUE);
        g_signal_handler_disconnect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), id);
        if (rows_painted == 0)
          g_error ("No agenda row painted in 60 s");
        ms = (rows_painted - start) / 1000.0;
      }
      g_array_append_val (row_times, ms);
      gtk_window_destroy (GTK_WINDOW (window));
    }
  *rows_ms = bench_median (row_times);
  return bench_median (times);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = NULL;
  g_autofree char *empty_home = NULL;
  g_autofree char *self = NULL;
  g_autofree char *app_path = NULL;
  g_autoptr(GArray) app_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) empty_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) empty_rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) min_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) app_rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) min_rss = g_array_new (FALSE, FALSE, sizeof (double));
  double seed_s, ratio;
  const char *prefix = g_getenv ("SM_PREFIX");

  if (argc == 3 && g_str_equal (argv[1], "--child") && g_str_equal (argv[2], "minimal"))
    return run_minimal ();

  if (prefix == NULL)
    g_error ("SM_PREFIX is not set: run through tools/bench startup");
  app_path = g_build_filename (prefix, "bin", "so-me-studio", NULL);
  self = g_file_read_link ("/proc/self/exe", NULL);
  data_home = seed_profile (&seed_s);
  empty_home = empty_profile ();

  {
    const char *app_argv[] = { app_path, NULL };
    const char *min_argv[] = { self, "--child", "minimal", NULL };

    /* One unmeasured start of each: the page cache, fontconfig's cache. */
    time_start (app_argv, data_home);
    time_start (min_argv, data_home);

    for (guint i = 0; i < RUNS; i++)
      {
        Start a, m, e;
        double kib;

        /* Alternating, and which goes first alternates too. */
        if (i % 2 == 0)
          {
            a = time_start (app_argv, data_home);
            m = time_start (min_argv, data_home);
          }
        else
          {
            m = time_start (min_argv, data_home);
            a = time_start (app_argv, data_home);
          }
        e = time_start (app_argv, empty_home);
        g_array_append_val (empty_ms, e.ms);
        kib = e.rss_kib;
        g_array_append_val (empty_rss, kib);
        g_array_append_val (app_ms, a.ms);
        g_array_append_val (min_ms, m.ms);
        kib = a.rss_kib;
        g_array_append_val (app_rss, kib);
        kib = m.rss_kib;
        g_array_append_val (min_rss, kib);
        g_print ("  run %u: so-me-studio %6.1f ms, minimal %6.1f ms, so-me-studio with no posts %6.1f ms\n",
                 i + 1, a.ms, m.ms, e.ms);
      }
  }

  ratio = bench_median (app_ms) / bench_median (min_ms);
  g_print ("startup: exec to first painted frame, %d runs each, window 960x720\n", RUNS);
  g_print ("  so-me-studio (%d posts): median %6.1f ms, min %6.1f ms, RSS at first frame %.0f KiB\n",
           N_POSTS, bench_median (app_ms), bench_min (app_ms), bench_median (app_rss));
  g_print ("  minimal libadwaita window:  median %6.1f ms, min %6.1f ms, RSS at first frame %.0f KiB\n",
           bench_median (min_ms), bench_min (min_ms), bench_median (min_rss));
  g_print ("  so-me-studio, no posts:     median %6.1f ms, min %6.1f ms, RSS at first frame %.0f KiB\n",
           bench_median (empty_ms), bench_min (empty_ms), bench_median (empty_rss));
  g_print ("  ratio app/minimal (medians): %.2fx (goal <= %.1fx: %s)\n",
           ratio, GOAL, ratio <= GOAL ? "met" : "missed");
  {
    double rows_ms = 0, switch_ms = time_agenda_switch (data_home, &rows_ms);

    g_print ("  first switch to the agenda (read and laid out when first shown): median %.1f ms\n",
             switch_ms);
    g_print ("  ... until its rows are painted: median %.1f ms\n", rows_ms);
  }

  return 0;
}
