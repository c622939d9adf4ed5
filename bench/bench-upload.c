/* bench-upload.c — the YouTube upload path against curl, and the
 * publisher's memory for a small and a large file.
 *
 * For 100 MiB and 1 GiB files: a YouTube post is scheduled and the
 * publisher uploads it to the sandbox by the resumable protocol; its
 * throughput (first to last UploadProgress signal) is compared with
 * `curl -T` sending the same file to a session of the same sandbox in one
 * PUT, and its peak RSS (VmHWM, a fresh publisher per file) is printed.
 * Goals: throughput ≥ 0.9 of curl; peak RSS the same within 5 MiB.
 *
 * Runs under tests/run-headless (see tools/bench).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sm-http.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-token-store.h"

typedef struct
{
  gint64  first_us;
  gint64  last_us;
  guint64 total;
  gboolean done;
} Progress;

static void
upload_progress_cb (GDBusConnection *bus,
                    const char      *sender,
                    const char      *path,
                    const char      *iface,
                    const char      *signal,
                    GVariant        *params,
                    gpointer         user_data)
{
  Progress *p = user_data;
  gint64 target;
  guint64 sent, total;

  g_variant_get (params, "(xtt)", &target, &sent, &total);
  if (p->first_us == 0 && sent > 0)
    p->first_us = g_get_monotonic_time ();
  if (sent == total)
    {
      p->last_us = g_get_monotonic_time ();
      p->total = total;
      p->done = TRUE;
    }
}

static gboolean
progress_done (gpointer data)
{
  return ((Progress *) data)->done;
}

static char *
random_file (const char *dir,
             guint64     size,
             char      **sha256)
{
  g_autofree char *path = g_strdup_printf ("%s/random-%" G_GUINT64_FORMAT ".mp4", dir, size);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (1 << 20);
  FILE *f = fopen (path, "wb");
  GRand *rand = g_rand_new_with_seed (42);

  g_assert_nonnull (f);
  for (guint64 written = 0; written < size; written += 1 << 20)
    {
      for (guint i = 0; i < (1 << 20) / 4; i++)
        ((guint32 *) buf)[i] = g_rand_int (rand);
      fwrite (buf, 1, 1 << 20, f);
      g_checksum_update (sum, buf, 1 << 20);
    }
  fclose (f);
  g_rand_free (rand);
  *sha256 = g_strdup (g_checksum_get_string (sum));
  return g_steal_pointer (&path);
}

static guint64
vm_hwm_kib (guint32 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/status", pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || !(line = strstr (contents, "VmHWM:")))
    return 0;
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

/* The reference: curl sends the same file to a session of the same
 * sandbox in one PUT. */
static double
curl_seconds (SmTestProfile *p,
              const char    *token,
              const char    *path,
              guint64        size)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (p->sandbox_url, "/www.googleapis.com/upload/youtube/v3/videos"
                                      "?uploadType=resumable&part=snippet,status", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autofree char *length = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
  g_autofree char *range = g_strdup_printf ("Content-Range: bytes 0-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                                            size - 1, size);
  g_autofree char *auth_header = g_strconcat ("Authorization: ", auth, NULL);
  const char *body = "{\"snippet\":{\"title\":\"curl reference\"},\"status\":{\"privacyStatus\":\"private\"}}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session_url = NULL;
  gint64 start;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Upload-Content-Length", length);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Upload-Content-Type", "video/mp4");
  soup_message_set_request_body_from_bytes (msg, "application/json; charset=UTF-8", bytes);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  session_url = sm_http_resolve_url (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                   "Location"), &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "curl", "-sS", "--fail",
                           "-T", path, "-H", auth_header, "-H", range, "-H", "Content-Type: video/mp4",
                           session_url, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (curl, NULL, &error));
  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND;
}

int
main (int argc, char *argv[])
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmAccount) account = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *profile_dir = NULL;
  const guint64 sizes[] = { G_GUINT64_CONSTANT (100) << 20, G_GUINT64_CONSTANT (1) << 30 };
  guint64 hwm[G_N_ELEMENTS (sizes)];
  gint64 account_id;

  sm_test_profile_activate (p);
  g_setenv (SM_NETWORK_BASE_ENV, p->sandbox_url, TRUE);
  account_id = sm_test_connect (p, "youtube");
  profile_dir = g_build_filename (p->data_home, "so-me-studio", NULL);
  store = sm_store_open (profile_dir, &error);
  g_assert_no_error (error);
  account = sm_store_get_account (store, account_id, &error);
  tokens = sm_token_store_load (profile_dir, SM_NETWORK_YOUTUBE, account->remote_id, NULL, &error);
  g_assert_no_error (error);

  g_print ("upload: YouTube resumable path vs curl -T, same sandbox\n");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *sha = NULL;
      g_autofree char *path = random_file (p->dir, sizes[i], &sha);
      SmTargetSpec spec = { account_id, NULL };
      SmPostMedia media = { 0, path, (gint64) sizes[i], sha, (char *) "video/mp4" };
      Progress progress = { 0 };
      guint sub;
      gint64 post;
      guint32 pid;
      double ours, theirs;

      sm_test_stop_publisher (SIGTERM);
      sub = g_dbus_connection_signal_subscribe (bus, NULL, "studio.so_me.Studio.Publisher1", "UploadProgress",
                                                NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                upload_progress_cb, &progress, NULL);
      post = sm_store_create_post_full (store, "Benchmark upload", g_get_real_time (), "UTC", &spec, 1,
                                        &media, 1, NULL, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (post, >, 0);
      g_dbus_connection_call_sync (bus, PUBLISHER_BUS_NAME, "/studio/so_me/Studio/Publisher",
                                   "studio.so_me.Studio.Publisher1", "Wake", NULL, NULL,
                                   G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
      pid = sm_test_publisher_pid ();
      if (!sm_test_wait_for (progress_done, &progress, 600))
        g_error ("the upload of %" G_GUINT64_FORMAT " bytes did not finish", sizes[i]);
      hwm[i] = vm_hwm_kib (pid);
      g_dbus_connection_signal_unsubscribe (bus, sub);

      ours = (progress.last_us - progress.first_us) / (double) G_TIME_SPAN_SECOND;
      theirs = curl_seconds (p, tokens->access_token, path, sizes[i]);
      g_print ("  %5" G_GUINT64_FORMAT " MiB: publisher %.0f MiB/s, curl %.0f MiB/s, ratio %.2f (goal >= 0.9); "
               "publisher peak RSS %.1f MiB\n",
               sizes[i] >> 20, (sizes[i] >> 20) / ours, (sizes[i] >> 20) / theirs, theirs / ours,
               hwm[i] / 1024.0);
      g_unlink (path);
    }
  g_print ("  peak RSS difference 1 GiB - 100 MiB: %.1f MiB (goal: within 5 MiB)\n",
           ((double) hwm[1] - (double) hwm[0]) / 1024.0);
  return 0;
}
