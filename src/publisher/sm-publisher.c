/* sm-publisher.c — outbox, timer, workers.
 *
 * One timer: a timerfd on CLOCK_REALTIME armed at the absolute instant of
 * the next thing to do.  An absolute realtime timer fires at the right wall
 * time after a suspend (a monotonic timeout would sleep through it), and
 * TFD_TIMER_CANCEL_ON_SET wakes us when the clock is set, so we re-arm.
 * Nothing polls: between due times the process sleeps in poll(2).
 *
 * Work is claimed from the store by lease (see sm_store_claim_due), sent
 * on worker threads, and every outcome is applied as a transition that
 * only succeeds while we still hold the lease.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-publisher"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "sm-autostart.h"
#include "sm-connect.h"
#include "sm-http.h"
#include "sm-media-rules.h"
#include "sm-notifier.h"
#include "sm-options.h"
#include "sm-outbox.h"
#include "sm-platform.h"
#include "sm-publisher.h"
#include "sm-publisher-dbus.h"
#include "sm-s3.h"
#include "sm-store.h"
#include "sm-token-store.h"

/* Longer than any one publish can take (HTTP timeouts plus container
 * polling); a publisher on this machine that dies is noticed at once
 * through its pid instead, see expire_dead_leases(). */
#define LEASE_US           (G_GINT64_CONSTANT (600) * G_TIME_SPAN_SECOND)
#define MAX_IN_FLIGHT      8
/* While posts are being sent, their leases are renewed this often: an
 * upload of gigabytes may take longer than LEASE_US. */
#define LEASE_RENEW_S      (600 / 4)

/* At most this many posts per network are sent at once by one publisher:
 * uploads share the user's uplink, and the networks throttle bursts from
 * one app (TikTok allows few concurrent uploads per user; Instagram and
 * Threads poll containers).  Text networks get more. */
static const guint network_concurrency[SM_N_NETWORKS] = {
  [SM_NETWORK_X] = 4,
  [SM_NETWORK_FACEBOOK] = 4,
  [SM_NETWORK_LINKEDIN] = 3,
  [SM_NETWORK_THREADS] = 2,
  [SM_NETWORK_INSTAGRAM] = 2,
  [SM_NETWORK_YOUTUBE] = 2,
  [SM_NETWORK_TIKTOK] = 1,
  [SM_NETWORK_WHATSAPP] = 4,
};
#define IDLE_EXIT_MS       (30 * 1000)

struct _SmPublisher
{
  GApplication            parent_instance;

  SmStore                *store;
  SmDBusPublisher1       *skeleton;
  SmNotifier             *notifier;
  char                   *owner;
  char                   *boot_id;
  char                   *pid_ns;
  int                     timer_fd;
  guint                   timer_source;
  guint                   sleep_sub;
  guint                   in_flight;
  guint                   in_flight_by_network[SM_N_NETWORKS];
  guint                   renew_source;
  GHashTable             *in_flight_ids;   /* gint64* target ids */
  GHashTable             *holds;           /* gint64* account id → gint64* until:
                                            * a network asked the account to wait */
  guint64                 claims;
  guint64                 wakeups;
  gboolean                held;
  gboolean                tick_queued;
};

G_DEFINE_FINAL_TYPE (SmPublisher, sm_publisher, G_TYPE_APPLICATION)

static void tick (SmPublisher *self);

static void
queued_tick_cb (gpointer data)
{
  SmPublisher *self = data;

  self->tick_queued = FALSE;
  tick (self);
  g_object_unref (self);
}

/* Jobs that finish together look at the queue once. */
static void
queue_tick (SmPublisher *self)
{
  if (self->tick_queued)
    return;
  self->tick_queued = TRUE;
  g_idle_add_once (queued_tick_cb, g_object_ref (self));
}

/* ---- who owns a lease ------------------------------------------------- */

static char *
read_boot_id (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
    return g_strdup ("unknown");
  return g_strstrip (g_steal_pointer (&contents));
}

/* The process start time (field 22 of /proc/PID/stat) tells a live
 * publisher from a new process that got the same pid. */
static char *
process_start_time (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_comm;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  after_comm = strrchr (contents, ')');
  if (after_comm == NULL)
    return NULL;
  fields = g_strsplit (after_comm + 2, " ", 0);
  /* after ") " comes field 3 (state); field 22 is index 19.  A zombie
   * (killed, not yet reaped by whoever started it) is dead too. */
  if (g_strv_length (fields) < 20 || g_str_equal (fields[0], "Z") || g_str_equal (fields[0], "X"))
    return NULL;
  return g_strdup (fields[19]);
}

/* "pid:[4026531836]": pids only mean something inside one namespace (two
 * Flatpak instances each have their own). */
static char *
read_pid_namespace (void)
{
  g_autofree char *link = g_file_read_link ("/proc/self/ns/pid", NULL);
  const char *open = link ? strchr (link, '[') : NULL;

  return g_strndup (open ? open + 1 : "0", open ? strcspn (open + 1, "]") : 1);
}

/* An owner is "BOOT:PIDNS:PID:START" for a process, plus "#N" per claim. */
static gboolean
owner_is_dead (SmPublisher *self,
               const char  *process)
{
  g_auto(GStrv) parts = g_strsplit (process, ":", 4);
  g_autofree char *start = NULL;
  gint64 pid;

  if (g_strv_length (parts) != 4)
    return FALSE;
  /* Another machine, boot or pid namespace: only the lease's end tells. */
  if (g_strcmp0 (parts[0], self->boot_id) != 0 || g_strcmp0 (parts[1], self->pid_ns) != 0)
    return FALSE;
  if (!g_ascii_string_to_signed (parts[2], 10, 1, G_MAXINT, &pid, NULL))
    return FALSE;
  start = process_start_time ((int) pid);
  return start == NULL || g_strcmp0 (start, parts[3]) != 0;
}

static void
expire_dead_leases (SmPublisher *self)
{
  g_auto(GStrv) owners = sm_store_list_lease_owners (self->store, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; owners && owners[i]; i++)
    {
      g_autofree char *process = g_strndup (owners[i], strcspn (owners[i], "#"));

      if (g_strcmp0 (process, self->owner) == 0 || g_hash_table_contains (seen, process))
        continue;
      if (owner_is_dead (self, process))
        {
          guint n = sm_store_expire_leases_of (self->store, process, NULL);
          g_debug ("Publisher %s is gone; %u of its targets will be reconciled", process, n);
        }
      g_hash_table_add (seen, g_steal_pointer (&process));
    }
}

/* ---- the timer -------------------------------------------------------- */

static void
arm_timer (SmPublisher *self,
           gint64       at_us)
{
  struct itimerspec spec = { 0 };

  if (at_us != G_MAXINT64)
    {
      /* 0 would disarm: the past becomes "1 ns after the epoch". */
      at_us = MAX (at_us, 1);
      spec.it_value.tv_sec = at_us / G_TIME_SPAN_SECOND;
      spec.it_value.tv_nsec = (at_us % G_TIME_SPAN_SECOND) * 1000;
      if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0)
        spec.it_value.tv_nsec = 1;
    }
  if (timerfd_settime (self->timer_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL) != 0)
    g_warning ("Could not arm the timer: %s", g_strerror (errno));
}

static gboolean
timer_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  SmPublisher *self = user_data;
  guint64 expirations;

  /* ECANCELED: the wall clock was set.  Either way, look again. */
  if (read (fd, &expirations, sizeof expirations) < 0 && errno != ECANCELED && errno != EAGAIN)
    g_debug ("Timer read: %s", g_strerror (errno));
  tick (self);
  return G_SOURCE_CONTINUE;
}

static void
prepare_for_sleep_cb (GDBusConnection *bus,
                      const char      *sender,
                      const char      *path,
                      const char      *iface,
                      const char      *signal,
                      GVariant        *params,
                      gpointer         user_data)
{
  gboolean going_to_sleep;

  g_variant_get (params, "(b)", &going_to_sleep);
  if (!going_to_sleep)
    tick (user_data);   /* resumed: re-arm from the real time */
}

/* ---- one target ------------------------------------------------------- */

/* A post the network does not list yet may still be on its way: "not
 * found" proves nothing until this long after the send. */
#define SETTLE_US          (G_GINT64_CONSTANT (30) * G_TIME_SPAN_SECOND)

typedef struct
{
  SmTarget      *target;
  char          *owner;       /* this claim's owner, "PROCESS#N" */
  SmTargetState  new_state;   /* as stored; the claimed state if nothing was */
  char          *reason;      /* for people */
  gboolean       notify_failed;
  gboolean       notify_published;
  gint64         hold_until_us;  /* > 0: the whole account waits until then */
} Job;

static void
job_free (Job *job)
{
  sm_target_free (job->target);
  g_free (job->owner);
  g_free (job->reason);
  g_free (job);
}

/* Records a transition; the job's state and notifications follow only what
 * was actually stored (a claim taken over stores nothing). */
static void
record (Job           *job,
        gboolean       stored,
        GError        *store_error,
        SmTargetState  state,
        gboolean       notify_failed)
{
  if (!stored)
    {
      g_debug ("Target %" G_GINT64_FORMAT ": %s", job->target->id,
               store_error ? store_error->message : "not stored");
      return;
    }
  job->new_state = state;
  job->notify_failed = notify_failed;
}

/* Applies the decision for a failed attempt. */
static void
apply_failure_full (SmPublisher *self,
                    Job         *job,
                    GError      *error,
                    gint64       retry_after_us,
                    gboolean     account_wide_limit,
                    gboolean     reconciling)
{
  SmTarget *t = job->target;
  gint64 now = g_get_real_time ();
  gint64 next = 0;
  SmOutboxAction action = sm_outbox_decide (error, t->attempts, retry_after_us, now, &next);
  g_autoptr(GError) store_error = NULL;
  gboolean stored;

  if (action == SM_OUTBOX_REFRESH)
    action = SM_OUTBOX_FAILED;   /* a refresh was already tried */

  /* A target whose outcome is unknown stays unconfirmed until the network
   * answers the question: a failure to ask is never a licence to resend. */
  if (reconciling && action == SM_OUTBOX_RETRY)
    action = SM_OUTBOX_UNCONFIRMED;

  g_free (job->reason);
  job->reason = g_strdup (error->message);

  switch (action)
    {
    case SM_OUTBOX_RETRY:
      stored = sm_store_mark_retry (self->store, t->id, job->owner, next, error->message, &store_error);
      /* A limit on the account holds its other posts too, instead of each
       * one being refused in turn. */
      if (stored && account_wide_limit &&
          g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED))
        {
          g_autoptr(GError) defer_error = NULL;
          guint deferred = sm_store_defer_account (self->store, t->account_id, next,
                                                   error->message, &defer_error);

          /* Posts scheduled from now on wait too (main thread, job_done_cb). */
          job->hold_until_us = next;
          if (defer_error != NULL)
            g_warning ("Could not hold the account's other posts: %s", defer_error->message);
          else if (deferred > 0)
            g_debug ("Rate limit: %u more posts of account %" G_GINT64_FORMAT " wait",
                     deferred, t->account_id);
        }
      /* Only the user can unlock the keyring: say so, once. */
      record (job, stored, store_error, SM_TARGET_SCHEDULED,
              t->attempts == 1 && g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_KEYRING));
      break;

    case SM_OUTBOX_UNCONFIRMED:
      if (t->attempts >= SM_OUTBOX_MAX_ATTEMPTS * 2)
        {
          g_autofree char *msg = g_strdup_printf (_("%s It may have been posted: check on the "
                                                    "network before you retry."), error->message);
          stored = sm_store_mark_failed (self->store, t->id, job->owner, msg, &store_error);
          record (job, stored, store_error, SM_TARGET_FAILED, TRUE);
        }
      else
        {
          stored = sm_store_mark_unconfirmed (self->store, t->id, job->owner, next, error->message,
                                              &store_error);
          record (job, stored, store_error, SM_TARGET_UNCONFIRMED, FALSE);
        }
      break;

    case SM_OUTBOX_FAILED:
    default:
      stored = sm_store_mark_failed (self->store, t->id, job->owner, error->message, &store_error);
      record (job, stored, store_error, SM_TARGET_FAILED, TRUE);
      break;
    }
}

static void
apply_failure (SmPublisher *self,
               Job         *job,
               GError      *error,
               gint64       retry_after_us,
               gboolean     reconciling)
{
  apply_failure_full (self, job, error, retry_after_us, FALSE, reconciling);
}

/* Calls the network with the account's tokens; a token refused before its
 * time is refreshed (once per account, see sm_account_get_tokens) and the
 * call made again. */
typedef gboolean (*PlatformCall) (SmPlatform             *platform,
                                  SoupSession            *session,
                                  const SmPublishRequest *request,
                                  SmPublishResult        *result,
                                  GCancellable           *cancellable,
                                  GError                **error);

static gboolean
call_with_refresh (SmPublisher       *self,
                   PlatformCall       call,
                   SmPlatform        *platform,
                   SoupSession       *session,
                   const SmAccount   *account,
                   SmTokens         **tokens,
                   SmPublishRequest  *request,
                   SmPublishResult   *result,
                   GCancellable      *cancellable,
                   GError           **error)
{
  GError *local_error = NULL;

  if (call (platform, session, request, result, cancellable, &local_error))
    return TRUE;
  if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED))
    {
      g_autoptr(SmTokens) refused = g_steal_pointer (tokens);

      g_clear_error (&local_error);
      *tokens = sm_account_get_tokens (self->store, account, refused->access_token,
                                       cancellable, error);
      if (*tokens == NULL)
        return FALSE;
      request->tokens = *tokens;
      sm_publish_result_clear (result);
      result->retry_after_us = -1;
      return call (platform, session, request, result, cancellable, error);
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

/* A file must be what it was when the post was scheduled. */
static gboolean
media_unchanged (const SmPostMedia  *media,
                 GCancellable       *cancellable,
                 GError            **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (media->path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (1024 * 1024);
  GError *local_error = NULL;
  gint64 total = 0;
  gssize n;

  in = g_file_read (file, cancellable, &local_error);
  if (in == NULL)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s cannot be read any more (%s); put it back or attach it again."),
                   media->path, local_error->message);
      g_clear_error (&local_error);
      return FALSE;
    }
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, 1024 * 1024, cancellable, &local_error)) > 0)
    {
      g_checksum_update (sum, buf, n);
      total += n;
    }
  if (n < 0)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                   _("%s could not be read (%s)."), media->path, local_error->message);
      g_clear_error (&local_error);
      return FALSE;
    }
  if (total != media->size_bytes || g_strcmp0 (g_checksum_get_string (sum), media->sha256) != 0)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s changed after the post was scheduled; attach it again so you "
                     "know what goes out."), media->path);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  SmPublisher *self;
  SmTarget    *target;
  gint64       last_emit_us;
} UploadHooksData;

static gpointer
upload_load_cb (gpointer data,
                gint64   media_id)
{
  UploadHooksData *d = data;
  return sm_store_get_upload (d->self->store, d->target->id, media_id, NULL);
}

static void
upload_save_cb (gpointer    data,
                gint64      media_id,
                const char *session,
                gint64      acknowledged,
                const char *remote_media_id)
{
  UploadHooksData *d = data;
  SmUploadState state = { d->target->id, media_id, (char *) session, acknowledged,
                          (char *) remote_media_id };
  g_autoptr(GError) error = NULL;

  if (!sm_store_save_upload (d->self->store, &state, &error))
    g_warning ("Could not save upload progress: %s", error->message);
}

typedef struct
{
  SmPublisher *self;
  gint64       target_id;
  guint64      sent;
  guint64      total;
} ProgressEvent;

static gboolean
emit_progress_cb (gpointer data)
{
  ProgressEvent *e = data;

  if (e->self->skeleton)
    sm_dbus_publisher1_emit_upload_progress (e->self->skeleton, e->target_id, e->sent, e->total);
  g_object_unref (e->self);
  g_free (e);
  return G_SOURCE_REMOVE;
}

static void
upload_progress_cb (gpointer data,
                    guint64  sent,
                    guint64  total)
{
  UploadHooksData *d = data;
  gint64 now = g_get_monotonic_time ();
  ProgressEvent *e;

  /* At most four signals a second, and always the last. */
  if (sent < total && now - d->last_emit_us < G_TIME_SPAN_SECOND / 4)
    return;
  d->last_emit_us = now;
  e = g_new0 (ProgressEvent, 1);
  e->self = g_object_ref (d->self);
  e->target_id = d->target->id;
  e->sent = sent;
  e->total = total;
  g_main_context_invoke (NULL, emit_progress_cb, e);
}

/* The first comment (NET.first_comment), sent once the post is out and
 * before the target is recorded published, while the lease is still ours.
 * It is recorded as being sent before it is sent (sm_store_begin_comment),
 * so it goes out at most once: a publisher that died after the post and is
 * reconciled through find_published finds the record and does not send it
 * again, and a comment whose outcome is unknown is a note, never a retry.
 * The post is what matters: whatever happens here, the target is
 * published.  Returns the note for the target when the comment is not
 * known to be out, else NULL. */
static char *
send_first_comment (SmPublisher             *self,
                    Job                     *job,
                    SmPlatform              *platform,
                    SoupSession             *session,
                    const SmAccount         *account,
                    SmTokens               **tokens,
                    const SmPublishRequest  *post,
                    const SmPublishResult   *published,
                    GCancellable            *cancellable)
{
  SmTarget *t = job->target;
  const char *key = sm_options_first_comment_key (t->network);
  const char *text = key != NULL && post->options != NULL ? g_hash_table_lookup (post->options, key) : NULL;
  const char *network = sm_network_display_name (t->network);
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  SmPublishRequest request = { 0 };
  SmPublishResult result = { NULL, NULL, -1 };
  gboolean claimed = FALSE;

  if (text == NULL || *text == '\0' || published->remote_id == NULL || !sm_platform_has_comments (platform))
    return NULL;

  switch (sm_store_get_comment (self->store, t->id, NULL, &note, &error))
    {
    case SM_COMMENT_NONE:
      break;
    case SM_COMMENT_SENT:
      return NULL;
    case SM_COMMENT_FAILED:
      return g_steal_pointer (&note);
    case SM_COMMENT_SENDING:
      /* A publisher died while sending it. */
      return g_strdup_printf (_("The first comment may not have been posted: the app stopped "
                                "while sending it. Check the post on %s before adding it yourself."),
                              network);
    case SM_COMMENT_ERROR:
    default:
      g_warning ("Could not read the first comment of target %" G_GINT64_FORMAT ": %s", t->id,
                 error->message);
      return g_strdup_printf (_("The first comment was not posted: the app could not tell "
                                "whether it had been sent already (%s). Check the post on %s."),
                              error->message, network);
    }

  if (!sm_store_begin_comment (self->store, t->id, job->owner, &claimed, &error))
    {
      g_warning ("Could not record the first comment of target %" G_GINT64_FORMAT ": %s", t->id,
                 error->message);
      return g_strdup_printf (_("The first comment was not posted: %s"), error->message);
    }
  if (!claimed)
    return NULL;   /* another publisher has the target now, and says */

  request.account_remote_id = post->account_remote_id;
  request.tokens = *tokens;
  request.text = text;
  request.options = post->options;
  request.remote_id = published->comment_on != NULL ? published->comment_on : published->remote_id;

  if (call_with_refresh (self, sm_platform_publish_comment, platform, session, account,
                         tokens, &request, &result, cancellable, &error))
    {
      g_autoptr(GError) store_error = NULL;

      g_debug ("Target %" G_GINT64_FORMAT ": first comment %s", t->id, result.remote_id);
      if (!sm_store_end_comment (self->store, t->id, SM_COMMENT_SENT, result.remote_id, NULL,
                                 &store_error))
        g_warning ("Could not record the first comment of target %" G_GINT64_FORMAT ": %s",
                   t->id, store_error->message);
      sm_publish_result_clear (&result);
      return NULL;
    }
  sm_publish_result_clear (&result);

  /* A rate limit's message says when the post will be tried again, which
   * is not true of a comment. */
  if (g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED))
    note = g_strdup_printf (_("The first comment was not posted: %s allows the app no more "
                              "calls for now, and a comment is not tried again. Add it yourself "
                              "on %s."), network, network);
  else if (g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN))
    note = g_strdup_printf (_("The first comment may not have been posted: %s Check the post "
                              "on %s before adding it yourself."), error->message, network);
  else
    note = g_strdup_printf (_("The first comment was not posted: %s Add it yourself on %s."),
                            error->message, network);
  {
    g_autoptr(GError) store_error = NULL;

    if (!sm_store_end_comment (self->store, t->id, SM_COMMENT_FAILED, NULL, note, &store_error))
      g_warning ("Could not record the first comment of target %" G_GINT64_FORMAT ": %s",
                 t->id, store_error->message);
  }
  return g_steal_pointer (&note);
}

static void
publish_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SmPublisher *self = source_object;
  Job *job = task_data;
  SmTarget *t = job->target;
  g_autoptr(SmAccount) account = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GHashTable) options = NULL;
  SmPublishResult result = { NULL, NULL, -1 };
  SmPublishRequest request = { 0 };
  UploadHooksData hooks_data = { 0 };
  SmUploadHooks hooks = { 0 };
  SmMediaHost *media_host = NULL;
  SmPlatform *platform = sm_platform_get (t->network);
  gboolean reconciling = t->state == SM_TARGET_UNCONFIRMED;

  if (platform == NULL)
    {
      error = g_error_new (SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           _("Publishing to %s is not available yet."),
                           sm_network_display_name (t->network));
      apply_failure (self, job, error, -1, FALSE);
      goto out;
    }

  account = sm_store_get_account (self->store, t->account_id, &error);
  if (account == NULL)
    {
      apply_failure (self, job, error, -1, reconciling);
      goto out;
    }

  tokens = sm_account_get_tokens (self->store, account, NULL, cancellable, &error);
  if (tokens == NULL)
    {
      apply_failure (self, job, error, -1, reconciling);
      goto out;
    }

  session = sm_http_session_new ();
  request.account_remote_id = account->remote_id;
  request.tokens = tokens;
  request.text = t->text;
  request.not_before_us = t->first_attempt_us;

  media = sm_store_list_post_media (self->store, t->post_id, &error);
  options = media ? sm_store_get_post_options (self->store, t->post_id, &error) : NULL;
  if (media == NULL || options == NULL)
    {
      apply_failure (self, job, error, -1, reconciling);
      goto out;
    }
  hooks_data.self = self;
  hooks_data.target = t;
  hooks.data = &hooks_data;
  hooks.load = upload_load_cb;
  hooks.save = upload_save_cb;
  hooks.progress = upload_progress_cb;
  request.media = media;
  request.options = options;
  request.uploads = &hooks;

  /* The user's bucket, for networks that fetch files by URL (Instagram,
   * Threads).  Without one, a post that needs it fails with what to do;
   * a keyring that cannot be read is a keyring error, which waits.  A
   * target being reconciled asks the network first either way. */
  {
    g_autoptr(GError) bucket_error = NULL;
    g_autoptr(SmS3Config) bucket = sm_token_store_load_bucket (sm_store_get_dir (self->store),
                                                               cancellable, &bucket_error);
    gboolean needed = FALSE;

    for (guint i = 0; i < media->len; i++)
      needed |= sm_media_rules_needs_bucket (t->network,
                                             ((SmPostMedia *) g_ptr_array_index (media, i))->mime_type);
    if (bucket != NULL)
      request.media_host = media_host = sm_s3_media_host_new (bucket);
    else if (needed && !reconciling)
      {
        if (bucket_error == NULL)
          bucket_error = g_error_new (SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                                      _("%s fetches photos and videos from a web address, so they "
                                        "go through your own storage bucket, and none is set up. "
                                        "Set one up with “so-me bucket set”, then retry."),
                                      sm_network_display_name (t->network));
        apply_failure (self, job, bucket_error, -1, FALSE);
        goto out;
      }
  }

  if (reconciling)
    {
      gint64 settled = t->last_attempt_us + SETTLE_US;

      if (!call_with_refresh (self, sm_platform_find_published, platform, session, account,
                              &tokens, &request, &result, cancellable, &error))
        {
          /* A network with nothing to ask (WhatsApp lists no sent messages)
           * cannot tell: the target fails with a question for the user, and
           * the user's retry is the answer.  sm_store_retry_target() sets
           * attempts back to 0, so that retry's claim is attempt 1; every
           * other reconciliation comes later. */
          if (t->attempts != 1
              || !g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CANNOT_TELL))
            {
              apply_failure (self, job, error, result.retry_after_us, TRUE);
              goto out;
            }
          g_debug ("Target %" G_GINT64_FORMAT ": the user asked to send it again", t->id);
          g_clear_error (&error);
          sm_publish_result_clear (&result);
          result.definitive = TRUE;
        }
      if (result.remote_id != NULL)
        goto published;

      if (!result.definitive && g_get_real_time () < settled)
        {
          /* Not listed yet, but it may still appear: ask again later. */
          g_autoptr(GError) store_error = NULL;
          gboolean stored = sm_store_mark_unconfirmed (self->store, t->id, job->owner, settled,
                                                       _("Sent, but the network did not confirm; "
                                                         "checking whether it went out."),
                                                       &store_error);
          record (job, stored, store_error, SM_TARGET_UNCONFIRMED, FALSE);
          goto out;
        }

      /* The network says it never arrived: now, and only now, send again. */
      g_debug ("Target %" G_GINT64_FORMAT " did not go out; sending it again", t->id);
      if (!sm_store_mark_publishing (self->store, t->id, job->owner, &error))
        {
          g_debug ("Target %" G_GINT64_FORMAT ": %s", t->id, error->message);
          goto out;
        }
      t->attempts++;
      job->new_state = SM_TARGET_PUBLISHING;
    }

  for (guint i = 0; i < media->len; i++)
    if (!media_unchanged (g_ptr_array_index (media, i), cancellable, &error))
      {
        apply_failure (self, job, error, -1, FALSE);
        goto out;
      }

  if (!call_with_refresh (self, sm_platform_publish, platform, session, account,
                          &tokens, &request, &result, cancellable, &error))
    {
      apply_failure_full (self, job, error, result.retry_after_us, !result.limit_kind_only, FALSE);
      goto out;
    }

published:
  {
    g_autoptr(GError) store_error = NULL;
    g_autofree char *comment_note = send_first_comment (self, job, platform, session, account,
                                                        &tokens, &request, &result, cancellable);
    gboolean stored = FALSE;

    if (comment_note != NULL)
      {
        char *both = result.warning != NULL ? g_strdup_printf ("%s\n%s", result.warning, comment_note)
                                            : g_strdup (comment_note);

        g_free (result.warning);
        result.warning = both;
      }

    /* The post is out: recording it must not be lost to a busy database. */
    for (int i = 0; i < 5 && !stored; i++)
      {
        g_clear_error (&store_error);
        stored = sm_store_mark_published (self->store, t->id, job->owner, result.remote_id,
                                          result.permalink, g_get_real_time (), &store_error);
        if (!stored && !g_error_matches (store_error, SM_STORE_ERROR, SM_STORE_ERROR_BUSY))
          break;
      }
    if (stored && result.warning != NULL)
      {
        g_autoptr(GError) note_error = NULL;

        if (!sm_store_set_target_note (self->store, t->id, result.warning, &note_error))
          g_warning ("Could not save a note on target %" G_GINT64_FORMAT ": %s", t->id,
                     note_error->message);
        g_free (job->reason);
        job->reason = g_strdup (result.warning);
      }
    if (stored)
      {
        job->new_state = SM_TARGET_PUBLISHED;
        job->notify_published = TRUE;
        g_free (t->permalink);
        t->permalink = g_strdup (result.permalink);
      }
    else
      g_warning ("Target %" G_GINT64_FORMAT " was published as %s but could not be recorded: %s",
                 t->id, result.remote_id, store_error->message);
  }

out:
  sm_publish_result_clear (&result);
  g_clear_pointer (&media_host, sm_s3_media_host_free);
  g_task_return_boolean (task, TRUE);
}

static void
update_hold (SmPublisher *self)
{
  guint queued = sm_store_count_queued (self->store, NULL);
  gboolean want = queued > 0 || self->in_flight > 0;

  if (want && !self->held)
    g_application_hold (G_APPLICATION (self));
  else if (!want && self->held)
    g_application_release (G_APPLICATION (self));
  self->held = want;
  sm_autostart_update (queued > 0);
}

static void
emit_changed (SmPublisher   *self,
              gint64         target_id,
              SmTargetState  state)
{
  if (self->skeleton)
    sm_dbus_publisher1_emit_target_changed (self->skeleton, target_id,
                                            sm_target_state_to_string (state));
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SmPublisher *self = SM_PUBLISHER (object);
  Job *job = g_task_get_task_data (G_TASK (result));
  SmTarget *t = job->target;

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_hash_table_remove (self->in_flight_ids, &t->id);
  self->in_flight--;
  if (job->hold_until_us > 0)
    {
      gint64 *until = g_hash_table_lookup (self->holds, &t->account_id);

      if (until == NULL)
        g_hash_table_insert (self->holds, g_memdup2 (&t->account_id, sizeof (gint64)),
                             g_memdup2 (&job->hold_until_us, sizeof (gint64)));
      else
        *until = MAX (*until, job->hold_until_us);
    }
  self->in_flight_by_network[t->network]--;
  emit_changed (self, t->id, job->new_state);

  if (job->notify_published)
    {
      g_autofree char *title = g_strdup_printf (_("Posted to %s"), sm_network_display_name (t->network));
      g_autofree char *body = job->reason != NULL ? g_strdup_printf ("%s\n%s", t->text, job->reason)
                                                  : g_strdup (t->text);

      sm_notifier_publish (self->notifier, t->post_id, FALSE, title, body);
    }
  else if (job->notify_failed)
    {
      g_autofree char *title = g_strdup_printf (_("Could not post to %s (%s)"),
                                                sm_network_display_name (t->network),
                                                t->account_name);
      sm_notifier_publish (self->notifier, t->post_id, TRUE, title, job->reason);
    }

  queue_tick (self);
}

/* ---- the loop --------------------------------------------------------- */

static gboolean
renew_leases_cb (gpointer data)
{
  SmPublisher *self = data;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  if (self->in_flight == 0)
    {
      self->renew_source = 0;
      return G_SOURCE_REMOVE;
    }
  sm_store_renew_leases_of (self->store, self->owner, now, now + LEASE_US, &error);
  if (error != NULL)
    g_warning ("Could not renew the leases of posts being sent: %s", error->message);
  return G_SOURCE_CONTINUE;
}

/* How many more posts each network may have in flight now. */
static void
free_slots (SmPublisher *self,
            guint        slots[SM_N_NETWORKS])
{
  for (SmNetwork n = 0; n < SM_N_NETWORKS; n++)
    slots[n] = n == SM_NETWORK_INVALID || self->in_flight_by_network[n] >= network_concurrency[n]
               ? 0 : network_concurrency[n] - self->in_flight_by_network[n];
}

static void
tick (SmPublisher *self)
{
  guint slots[SM_N_NETWORKS];
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *claim_owner = NULL;
  gint64 now = g_get_real_time ();
  gint64 next;

  if (self->store == NULL)
    return;

  self->wakeups++;
  expire_dead_leases (self);
  {
    GHashTableIter iter;
    gpointer until;

    /* Holds that ended are gone. */
    g_hash_table_iter_init (&iter, self->holds);
    while (g_hash_table_iter_next (&iter, NULL, &until))
      if (*(gint64 *) until <= now)
        g_hash_table_iter_remove (&iter);
  }

  free_slots (self, slots);
  if (self->in_flight < MAX_IN_FLIGHT)
    {
      g_autoptr(GArray) busy = g_array_new (FALSE, FALSE, sizeof (gint64));
      GHashTableIter iter;
      gint64 *id;

      g_hash_table_iter_init (&iter, self->in_flight_ids);
      while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
        g_array_append_val (busy, *id);

      claim_owner = g_strdup_printf ("%s#%" G_GUINT64_FORMAT, self->owner, ++self->claims);
      claimed = sm_store_claim_due_limited (self->store, claim_owner, now, LEASE_US,
                                            MAX_IN_FLIGHT - self->in_flight, busy, slots,
                                            self->holds, &error);
      if (claimed == NULL)
        g_warning ("Could not read the queue: %s", error->message);
    }

  for (guint i = 0; claimed && i < claimed->len; i++)
    {
      SmTarget *t = g_ptr_array_index (claimed, i);
      g_autoptr(GTask) task = g_task_new (self, NULL, job_done_cb, NULL);
      Job *job = g_new0 (Job, 1);

      job->target = sm_target_copy (t);
      job->owner = g_strdup (claim_owner);
      job->new_state = t->state;
      g_hash_table_add (self->in_flight_ids, g_memdup2 (&t->id, sizeof t->id));
      g_task_set_task_data (task, job, (GDestroyNotify) job_free);
      g_task_set_source_tag (task, tick);
      self->in_flight++;
      self->in_flight_by_network[t->network]++;
      if (self->renew_source == 0)
        self->renew_source = g_timeout_add_seconds (LEASE_RENEW_S, renew_leases_cb, self);
      emit_changed (self, t->id, t->state);
      g_debug ("Claimed target %" G_GINT64_FORMAT " (%s)", t->id, sm_target_state_to_string (t->state));
      g_task_run_in_thread (task, publish_thread);
    }

  /* With every worker busy the next wake-up comes from a finished job. */
  free_slots (self, slots);
  next = self->in_flight >= MAX_IN_FLIGHT ? G_MAXINT64
                                          : sm_store_next_wakeup_limited_us (self->store, slots,
                                                                             self->holds, NULL);
  arm_timer (self, next);
  update_hold (self);
}

/* ---- D-Bus ------------------------------------------------------------ */

static gboolean
handle_wake_cb (SmDBusPublisher1      *skeleton,
                GDBusMethodInvocation *invocation,
                SmPublisher           *self)
{
  g_debug ("Woken over D-Bus");
  tick (self);
  sm_dbus_publisher1_complete_wake (skeleton, invocation);
  return TRUE;
}

static gboolean
handle_get_status_cb (SmDBusPublisher1      *skeleton,
                      GDBusMethodInvocation *invocation,
                      SmPublisher           *self)
{
  gint64 next;

  if (self->store == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, SM_STORE_ERROR, SM_STORE_ERROR_FAILED,
                                                     _("The publisher could not open the profile."));
      return TRUE;
    }
  next = sm_store_next_wakeup_us (self->store, NULL);
  sm_dbus_publisher1_complete_get_status (skeleton, invocation,
                                          sm_store_count_queued (self->store, NULL),
                                          next == G_MAXINT64 ? 0 : next,
                                          self->wakeups);
  return TRUE;
}

/* ---- changing and deleting what was published ---------------------------- */

typedef struct
{
  gint64      target_id;
  gboolean    delete;
  char       *text;
  GHashTable *options;   /* NULL for a delete */
} Edit;

static void
edit_free (Edit *edit)
{
  g_free (edit->text);
  g_clear_pointer (&edit->options, g_hash_table_unref);
  g_free (edit);
}

static void
edit_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SmPublisher *self = source_object;
  Edit *edit = task_data;
  g_autoptr(SmTarget) t = NULL;
  g_autoptr(SmAccount) account = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GError) error = NULL;
  SmPublishRequest request = { 0 };
  SmPublishResult result = { NULL, NULL, -1 };
  SmPlatform *platform;
  gboolean ok;

  t = sm_store_get_target (self->store, edit->target_id, &error);
  if (t == NULL)
    goto fail;
  if (t->state != SM_TARGET_PUBLISHED || t->remote_id == NULL)
    {
      g_set_error_literal (&error, SM_STORE_ERROR, SM_STORE_ERROR_FAILED,
                           edit->delete ? _("Only a published post can be deleted at the network.")
                                        : _("Only a published post can be changed at the network."));
      goto fail;
    }
  platform = sm_platform_get (t->network);
  account = sm_store_get_account (self->store, t->account_id, &error);
  if (platform == NULL || account == NULL)
    goto fail;
  tokens = sm_account_get_tokens (self->store, account, NULL, cancellable, &error);
  if (tokens == NULL)
    goto fail;

  options = sm_store_get_post_options (self->store, t->post_id, &error);
  if (options == NULL)
    goto fail;
  if (edit->options != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, edit->options);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_replace (options, g_strdup (key), g_strdup (value));
    }

  session = sm_http_session_new ();
  request.account_remote_id = account->remote_id;
  request.tokens = tokens;
  request.text = edit->text != NULL ? edit->text : t->text;
  request.options = options;
  request.remote_id = t->remote_id;
  /* What finding the post's parts again needs (an X thread). */
  request.not_before_us = t->first_attempt_us;
  media = sm_store_list_post_media (self->store, t->post_id, &error);
  if (media == NULL)
    goto fail;
  request.media = media;

  ok = call_with_refresh (self, edit->delete ? sm_platform_delete_published
                                             : sm_platform_update_published,
                          platform, session, account, &tokens, &request, &result,
                          cancellable, &error);
  sm_publish_result_clear (&result);
  if (!ok)
    goto fail;

  /* The network has it: now the profile says the same. */
  if (edit->delete)
    ok = sm_store_delete_target (self->store, t->id, &error);
  else
    {
      GHashTableIter iter;
      gpointer key, value;

      ok = sm_store_set_target_text (self->store, t->id, request.text, &error);
      g_hash_table_iter_init (&iter, edit->options);
      while (ok && g_hash_table_iter_next (&iter, &key, &value))
        ok = sm_store_set_post_option (self->store, t->post_id, key, value, &error);
    }
  if (!ok)
    {
      g_prefix_error (&error, _("Done at %s, but not saved in So-me Studio: "),
                      sm_network_display_name (t->network));
      goto fail;
    }
  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
edit_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SmPublisher *self = SM_PUBLISHER (object);
  GDBusMethodInvocation *invocation = user_data;
  Edit *edit = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                                   error->message);
  else
    {
      if (edit->delete)
        sm_dbus_publisher1_emit_target_changed (self->skeleton, edit->target_id, "deleted");
      else
        emit_changed (self, edit->target_id, SM_TARGET_PUBLISHED);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  g_object_unref (invocation);
  g_application_release (G_APPLICATION (self));
}

static void
start_edit (SmPublisher           *self,
            GDBusMethodInvocation *invocation,
            Edit                  *edit)
{
  g_autoptr(GTask) task = NULL;

  if (self->store == NULL)
    {
      edit_free (edit);
      g_dbus_method_invocation_return_error_literal (invocation, SM_STORE_ERROR, SM_STORE_ERROR_FAILED,
                                                     _("The publisher could not open the profile."));
      return;
    }
  /* Stay up until the network has answered. */
  g_application_hold (G_APPLICATION (self));
  task = g_task_new (self, NULL, edit_done_cb, g_object_ref (invocation));
  g_task_set_task_data (task, edit, (GDestroyNotify) edit_free);
  g_task_run_in_thread (task, edit_thread);
}

static gboolean
handle_change_published_cb (SmDBusPublisher1      *skeleton,
                            GDBusMethodInvocation *invocation,
                            gint64                 target_id,
                            const char            *text,
                            GVariant              *options,
                            SmPublisher           *self)
{
  Edit *edit = g_new0 (Edit, 1);
  GVariantIter iter;
  const char *key, *value;

  edit->target_id = target_id;
  edit->text = g_strdup (text);
  edit->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    g_hash_table_replace (edit->options, g_strdup (key), g_strdup (value));
  start_edit (self, invocation, edit);
  return TRUE;
}

static gboolean
handle_delete_published_cb (SmDBusPublisher1      *skeleton,
                            GDBusMethodInvocation *invocation,
                            gint64                 target_id,
                            SmPublisher           *self)
{
  Edit *edit = g_new0 (Edit, 1);

  edit->target_id = target_id;
  edit->delete = TRUE;
  start_edit (self, invocation, edit);
  return TRUE;
}

static gboolean
sm_publisher_dbus_register (GApplication     *app,
                            GDBusConnection  *bus,
                            const char       *object_path,
                            GError          **error)
{
  SmPublisher *self = SM_PUBLISHER (app);

  if (!G_APPLICATION_CLASS (sm_publisher_parent_class)->dbus_register (app, bus, object_path, error))
    return FALSE;

  self->skeleton = sm_dbus_publisher1_skeleton_new ();
  g_signal_connect (self->skeleton, "handle-wake", G_CALLBACK (handle_wake_cb), self);
  g_signal_connect (self->skeleton, "handle-get-status", G_CALLBACK (handle_get_status_cb), self);
  g_signal_connect (self->skeleton, "handle-change-published",
                    G_CALLBACK (handle_change_published_cb), self);
  g_signal_connect (self->skeleton, "handle-delete-published",
                    G_CALLBACK (handle_delete_published_cb), self);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), bus,
                                         SM_PUBLISHER_OBJECT_PATH, error))
    return FALSE;

  self->notifier = sm_notifier_new (bus);
  self->sleep_sub = g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                                        "org.freedesktop.login1.Manager",
                                                        "PrepareForSleep", "/org/freedesktop/login1",
                                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                        prepare_for_sleep_cb, self, NULL);
  return TRUE;
}

static void
sm_publisher_dbus_unregister (GApplication    *app,
                              GDBusConnection *bus,
                              const char      *object_path)
{
  SmPublisher *self = SM_PUBLISHER (app);

  if (self->skeleton)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  g_clear_object (&self->skeleton);
  if (self->sleep_sub)
    g_dbus_connection_signal_unsubscribe (bus, self->sleep_sub);
  self->sleep_sub = 0;
  g_clear_object (&self->notifier);

  G_APPLICATION_CLASS (sm_publisher_parent_class)->dbus_unregister (app, bus, object_path);
}

/* ---- GApplication ----------------------------------------------------- */

static void
sm_publisher_startup (GApplication *app)
{
  SmPublisher *self = SM_PUBLISHER (app);
  g_autoptr(GError) error = NULL;
  g_autofree char *start = NULL;

  G_APPLICATION_CLASS (sm_publisher_parent_class)->startup (app);

  self->boot_id = read_boot_id ();
  self->pid_ns = read_pid_namespace ();
  start = process_start_time (getpid ());
  self->owner = g_strdup_printf ("%s:%s:%d:%s", self->boot_id, self->pid_ns, getpid (),
                                 start ? start : "0");

  self->store = sm_store_open (NULL, &error);
  if (self->store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return;
    }

  self->timer_fd = timerfd_create (CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (self->timer_fd < 0)
    g_error ("timerfd_create: %s", g_strerror (errno));
  self->timer_source = g_unix_fd_add (self->timer_fd, G_IO_IN, timer_cb, self);

  /* Look at the queue as soon as the main loop runs. */
  g_idle_add_once ((GSourceOnceFunc) tick, self);
}

static void
sm_publisher_shutdown (GApplication *app)
{
  SmPublisher *self = SM_PUBLISHER (app);

  g_clear_handle_id (&self->timer_source, g_source_remove);
  if (self->timer_fd >= 0)
    close (self->timer_fd);
  self->timer_fd = -1;

  G_APPLICATION_CLASS (sm_publisher_parent_class)->shutdown (app);
}

static void
sm_publisher_activate (GApplication *app)
{
  /* Started by hand or by autostart: the queue is looked at from startup. */
}

static void
sm_publisher_finalize (GObject *object)
{
  SmPublisher *self = SM_PUBLISHER (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->owner, g_free);
  g_clear_pointer (&self->boot_id, g_free);
  g_clear_pointer (&self->pid_ns, g_free);
  g_clear_pointer (&self->in_flight_ids, g_hash_table_unref);
  g_clear_pointer (&self->holds, g_hash_table_unref);
  g_clear_handle_id (&self->renew_source, g_source_remove);

  G_OBJECT_CLASS (sm_publisher_parent_class)->finalize (object);
}

static void
sm_publisher_class_init (SmPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = sm_publisher_finalize;
  app_class->startup = sm_publisher_startup;
  app_class->shutdown = sm_publisher_shutdown;
  app_class->activate = sm_publisher_activate;
  app_class->dbus_register = sm_publisher_dbus_register;
  app_class->dbus_unregister = sm_publisher_dbus_unregister;
}

static void
sm_publisher_init (SmPublisher *self)
{
  self->timer_fd = -1;
  self->in_flight_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->holds = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

SmPublisher *
sm_publisher_new (void)
{
  return g_object_new (SM_TYPE_PUBLISHER,
                       "application-id", PUBLISHER_BUS_NAME,
                       "flags", G_APPLICATION_IS_SERVICE,
                       "inactivity-timeout", IDLE_EXIT_MS,
                       NULL);
}
