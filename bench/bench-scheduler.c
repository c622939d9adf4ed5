/* bench-scheduler.c — how late and how costly the publisher is.
 *
 *  1. 1,000 targets due within one minute: the lateness of each publish
 *     after its due time (median, worst), and the publisher's CPU time per
 *     publish, against a reference in the same run: the same number of
 *     posts sent to the same sandbox by a plain libsoup loop in this
 *     process.
 *  2. Idle: with one post queued an hour ahead, the publisher's wake-ups
 *     per minute (its own count over D-Bus, and the kernel's count of
 *     voluntary context switches), against `sleep` as the reference.
 *
 * Runs under tests/run-headless (see tools/bench).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-time.h"
#include "sm-token-store.h"

static double
proc_cpu_seconds (guint32 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *p;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || !(p = strrchr (contents, ')')))
    return 0;
  fields = g_strsplit (p + 2, " ", 0);
  /* utime and stime are fields 14 and 15, i.e. index 11 and 12 here */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

static guint64
proc_voluntary_switches (guint32 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/status", pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      !(line = strstr (contents, "voluntary_ctxt_switches:")))
    return 0;
  return g_ascii_strtoull (line + strlen ("voluntary_ctxt_switches:"), NULL, 10);
}

static int
cmp_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static gboolean
all_done (gpointer data)
{
  SmStore *store = data;
  return sm_store_count_queued (store, NULL) == 0;
}

static guint64
publisher_wakeups (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) ret = g_dbus_connection_call_sync (bus, PUBLISHER_BUS_NAME, "/studio/so_me/Studio/Publisher",
                                                         "studio.so_me.Studio.Publisher1", "GetStatus", NULL,
                                                         G_VARIANT_TYPE ("(uxt)"), G_DBUS_CALL_FLAGS_NONE,
                                                         -1, NULL, NULL);
  guint32 queued;
  gint64 next;
  guint64 wakeups = 0;

  if (ret)
    g_variant_get (ret, "(uxt)", &queued, &next, &wakeups);
  return wakeups;
}

/* The reference: the same posts, sent by the simplest possible client. */
static double
reference_cpu_per_post (SmTestProfile *p,
                        const char    *token,
                        guint          n)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (p->sandbox_url, "/api.x.com/2/tweets", NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  double start = proc_cpu_seconds (getpid ());

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autofree char *body = g_strdup_printf ("{\"text\":\"reference post %u\"}", i);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&body), strlen (body));
      g_autoptr(GBytes) answer = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      answer = soup_session_send_and_read (session, msg, NULL, NULL);
      if (soup_message_get_status (msg) != 201)
        g_error ("reference post %u: HTTP %u", i, soup_message_get_status (msg));
    }
  return (proc_cpu_seconds (getpid ()) - start) / n;
}

int
main (int argc, char *argv[])
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) lateness = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(SmAccount) account = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  g_autofree char *profile_dir = NULL;
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 1000;
  gint64 account_id, start, window = 60 * G_TIME_SPAN_SECOND;
  guint32 pid;
  double cpu, ref_cpu;

  p = sm_test_profile_new ();
  sm_test_profile_activate (p);
  /* X allows 100 posts per 15 minutes; this measures the publisher. */
  sm_test_sandbox_post (p, "/__sandbox/rate-limits", "{\"enabled\":false}");
  account_id = sm_test_connect (p, "x");
  profile_dir = g_build_filename (p->data_home, "so-me-studio", NULL);
  store = sm_store_open (profile_dir, &error);
  g_assert_no_error (error);
  account = sm_store_get_account (store, account_id, &error);
  tokens = sm_token_store_load (profile_dir, SM_NETWORK_X, account->remote_id, NULL, &error);
  g_assert_no_error (error);

  /* ---- 1. a burst ---------------------------------------------------- */
  start = g_get_real_time () + 10 * G_TIME_SPAN_SECOND;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("Scheduled post %u", i);
      SmTargetSpec spec = { account_id, NULL };

      if (!sm_store_create_post (store, text, start + window * i / n, "UTC", &spec, 1, FALSE, &error))
        g_error ("%s", error->message);
    }
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "list", NULL), ==, 0);
  {
    g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
    g_autoptr(GVariant) ret = g_dbus_connection_call_sync (bus, PUBLISHER_BUS_NAME, "/studio/so_me/Studio/Publisher",
                                                           "studio.so_me.Studio.Publisher1", "Wake", NULL, NULL,
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }
  pid = sm_test_publisher_pid ();
  if (!sm_test_wait_for (all_done, store, 180))
    g_error ("the publisher did not finish in three minutes");
  cpu = proc_cpu_seconds (pid);

  posts = sm_store_list_posts (store, G_MININT64, G_MAXINT64, &error);
  for (guint i = 0; i < posts->len; i++)
    {
      SmPost *post = g_ptr_array_index (posts, i);
      SmTarget *t = g_ptr_array_index (post->targets, 0);
      gint64 late = t->published_us - post->due_us;

      if (t->state != SM_TARGET_PUBLISHED)
        g_error ("post %" G_GINT64_FORMAT " ended %s: %s", post->id,
                 sm_target_state_to_string (t->state), t->last_error);
      g_array_append_val (lateness, late);
    }
  g_array_sort (lateness, cmp_int64);
  ref_cpu = reference_cpu_per_post (p, tokens->access_token, n);

  g_print ("scheduler: %u targets due within %d s\n", n, (int) (window / G_TIME_SPAN_SECOND));
  g_print ("  lateness after due time: median %.1f ms, worst %.1f ms\n",
           g_array_index (lateness, gint64, lateness->len / 2) / 1000.0,
           g_array_index (lateness, gint64, lateness->len - 1) / 1000.0);
  g_print ("  publisher CPU per publish: %.3f ms (plain libsoup loop: %.3f ms; ratio %.2f)\n",
           cpu * 1000 / n, ref_cpu * 1000, ref_cpu > 0 ? cpu / n / ref_cpu : 0);
  g_print ("  sandbox received %u posts for %u targets (+%u reference)\n",
           sm_test_sandbox_count_posts (p) - n, n, n);

  /* ---- 2. idle ------------------------------------------------------- */
  {
    SmTargetSpec spec = { account_id, NULL };
    g_autoptr(GSubprocess) sleeper = NULL;
    guint64 w0, w1, s0, s1, r0, r1;
    guint32 sleeper_pid;
    const int seconds = argc > 2 ? atoi (argv[2]) : 60;

    if (!sm_store_create_post (store, "An hour from now", g_get_real_time () + 3600 * G_TIME_SPAN_SECOND,
                               "UTC", &spec, 1, FALSE, &error))
      g_error ("%s", error->message);
    sm_test_stop_publisher (SIGTERM);
    publisher_wakeups ();   /* the call activates it */
    g_usleep (G_TIME_SPAN_SECOND);
    pid = sm_test_publisher_pid ();
    sleeper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "3600", NULL);
    sleeper_pid = (guint32) atoi (g_subprocess_get_identifier (sleeper));

    w0 = publisher_wakeups ();
    s0 = proc_voluntary_switches (pid);
    r0 = proc_voluntary_switches (sleeper_pid);
    g_usleep ((gulong) seconds * G_TIME_SPAN_SECOND);
    s1 = proc_voluntary_switches (pid);
    r1 = proc_voluntary_switches (sleeper_pid);
    w1 = publisher_wakeups ();
    g_subprocess_force_exit (sleeper);

    /* The GetStatus calls themselves wake the publisher twice; they are
     * not counted by its own timer count. */
    g_print ("idle: one post queued an hour ahead, %d s\n", seconds);
    g_print ("  publisher timer wake-ups per minute: %.1f (goal 0)\n", (w1 - w0) * 60.0 / seconds);
    g_print ("  publisher context switches per minute: %.1f (sleep(1): %.1f), besides 2 D-Bus calls\n",
             (s1 - s0) * 60.0 / seconds, (r1 - r0) * 60.0 / seconds);
  }
  return 0;
}
