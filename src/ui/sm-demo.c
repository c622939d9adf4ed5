/* sm-demo.c
 *
 * The demo must never send its well-known demo credentials to a real
 * network: every step checks that the network base override is set and
 * points at this machine before it saves or uses them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-demo"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sm-connect.h"
#include "sm-demo.h"
#include "sm-http.h"
#include "sm-media-rules.h"
#include "sm-time.h"
#include "sm-ui-util.h"
#include "sm-token-store.h"

#define DEMO_CLIENT_ID     "so-me-studio-demo"
#define DEMO_CLIENT_SECRET "demo"
#define SANDBOX_START_SECONDS 15

struct _SmDemo
{
  GObject           parent_instance;

  SmStore          *store;
  SoupSession      *session;

  /* the sandbox, when this object started it */
  GSubprocess      *sandbox;
  GDataInputStream *sandbox_out;
  GCancellable     *sandbox_cancellable;
  guint             start_timeout_id;

  /* the run in progress */
  GTask            *task;
  GPtrArray        *errors;         /* char *, for people */
  guint             next_network;
  guint             n_connected;
  GCancellable     *connect_cancellable;
  char             *authorize_error;
};

G_DEFINE_FINAL_TYPE (SmDemo, sm_demo, G_TYPE_OBJECT)

static const SmNetwork demo_networks[] = {
  SM_NETWORK_X,
  SM_NETWORK_FACEBOOK,
  SM_NETWORK_LINKEDIN,
  SM_NETWORK_THREADS,
  SM_NETWORK_YOUTUBE,
  SM_NETWORK_TIKTOK,
};

static void connect_next (SmDemo *self);

/* TRUE for http://127.0.0.1:PORT, http://localhost:PORT, http://[::1]:PORT. */
static gboolean
is_loopback_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (url == NULL)
    return FALSE;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0)
    return FALSE;

  host = g_uri_get_host (uri);
  return g_strcmp0 (host, "127.0.0.1") == 0 ||
         g_strcmp0 (host, "localhost") == 0 ||
         g_strcmp0 (host, "::1") == 0 ||
         g_strcmp0 (host, "[::1]") == 0;
}

static const char *
get_sandbox_base (void)
{
  const char *base = g_getenv (SM_NETWORK_BASE_ENV);

  return is_loopback_url (base) ? base : NULL;
}

static void
add_error (SmDemo     *self,
           SmNetwork   network,
           const char *message)
{
  if (network != SM_NETWORK_INVALID)
    /* Translators: a demo problem for one network, "X: the sandbox refused …" */
    g_ptr_array_add (self->errors, g_strdup_printf (_("%s: %s"), sm_network_display_name (network), message));
  else
    g_ptr_array_add (self->errors, g_strdup (message));
}

static void
wake_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sm_ui_wake_publisher_finish (result, &error))
    g_debug ("The demo's posts wait for the publisher: %s", error->message);
}

/* A first demo shows the app at work: a post to every account that goes
 * out two minutes after the start (watch the agenda change), and a few
 * planned ones.  Only ever into an empty profile. */
static void
seed_posts (SmDemo *self)
{
  g_autoptr(GPtrArray) posts = sm_store_list_posts (self->store, G_MININT64, G_MAXINT64, NULL);
  g_autoptr(GPtrArray) accounts = sm_store_list_accounts (self->store, NULL);
  g_autoptr(GArray) everyone = g_array_new (FALSE, TRUE, sizeof (SmTargetSpec));
  g_autoptr(GArray) pages = g_array_new (FALSE, TRUE, sizeof (SmTargetSpec));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autoptr(GDateTime) next_week = g_date_time_add_days (now, 6);
  g_autofree char *zone = NULL;
  const struct
  {
    GArray     *to;
    GDateTime  *day;
    int         hour;
    const char *text;
  } plan[] = {
    { pages, tomorrow, 9, N_("Fresh sourdough every Saturday from 8 am. Come early, it goes fast! 🥖") },
    { everyone, next_week, 17, N_("Thank you for a wonderful first year! Cake and coffee are on us all week.") },
  };

  if (posts == NULL || posts->len > 0 || accounts == NULL || accounts->len == 0)
    return;
  if (sm_store_get_default_workspace (self->store, &zone, NULL) == 0)
    return;

  for (guint i = 0; i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);
      SmTargetSpec spec = { account->id, NULL };

      /* Text posts only where a network takes text alone (not YouTube). */
      if (!sm_media_rules_check_count (account->network, NULL, 0, NULL))
        continue;
      g_array_append_val (everyone, spec);
      if (account->network == SM_NETWORK_FACEBOOK || account->network == SM_NETWORK_X)
        g_array_append_val (pages, spec);
    }

  sm_store_create_post (self->store,
                        _("Hello from the So-me Studio demo! This post goes out two minutes after the demo starts."),
                        g_get_real_time () + 2 * G_TIME_SPAN_MINUTE, zone,
                        (SmTargetSpec *) everyone->data, everyone->len, FALSE, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (plan); i++)
    {
      gint64 due = sm_time_local_to_utc_us (zone, g_date_time_get_year (plan[i].day),
                                            g_date_time_get_month (plan[i].day),
                                            g_date_time_get_day_of_month (plan[i].day),
                                            plan[i].hour, 0, NULL);

      if (plan[i].to->len > 0)
        sm_store_create_post (self->store, _(plan[i].text), due, zone,
                              (SmTargetSpec *) plan[i].to->data, plan[i].to->len, FALSE, NULL);
    }
  sm_ui_wake_publisher_async (NULL, wake_done_cb, NULL);
}

static void
finish_run (SmDemo *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  seed_posts (self);

  if (self->errors->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_ptr_array_add (self->errors, NULL);
  {
    g_autofree char *message = g_strjoinv ("\n", (char **) self->errors->pdata);

    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
  }
  g_ptr_array_set_size (self->errors, 0);
}

static void
fail_run (SmDemo     *self,
          const char *message)
{
  add_error (self, SM_NETWORK_INVALID, message);
  finish_run (self);
}

/* ---- Connecting one network -------------------------------------------- */

/* Takes @message; the flow then stops waiting for a code that won't come. */
static void
fail_authorize (SmDemo *self,
                char   *message)
{
  g_free (self->authorize_error);
  self->authorize_error = message;
  if (self->connect_cancellable != NULL)
    g_cancellable_cancel (self->connect_cancellable);
}

static void
authorize_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessage *msg;

  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_authorize (self, g_strdup_printf (_("The sandbox’s sign-in page did not answer: %s"),
                                               error->message));
    }
  else if (msg != NULL && soup_message_get_status (msg) >= 400)
    {
      fail_authorize (self, g_strdup_printf (_("The sandbox’s sign-in page answered “%u %s”."),
                                             soup_message_get_status (msg),
                                             soup_message_get_reason_phrase (msg)));
    }
  /* Otherwise the redirect reached the loopback listener; the flow goes on. */
}

/* Plays the user's part: open the authorize page and follow its redirects,
 * which end at the app's own loopback listener with the code. */
static void
demo_url_cb (const char *url,
             gpointer    user_data)
{
  SmDemo *self = user_data;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved = NULL;
  const char *base = get_sandbox_base ();

  if (base == NULL)
    {
      fail_authorize (self, g_strdup (_("No local sandbox is set; the demo does not talk to real networks.")));
      return;
    }

  if (g_str_has_prefix (url, "https://"))
    resolved = sm_http_resolve_url (url, &error);
  else
    resolved = g_strdup (url);

  if (resolved == NULL || !g_str_has_prefix (resolved, base))
    {
      fail_authorize (self, g_strdup_printf (_("The sign-in address does not lead to the sandbox: %s"),
                                             error != NULL ? error->message : url));
      return;
    }

  msg = soup_message_new (SOUP_METHOD_GET, resolved);
  if (msg == NULL)
    {
      fail_authorize (self, g_strdup (_("The sign-in address is not valid.")));
      return;
    }

  g_debug ("Approving the demo sign-in");
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    self->connect_cancellable,
                                    authorize_done_cb, g_object_ref (self));
}

static void
connect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  SmNetwork network = demo_networks[self->next_network];

  ids = sm_connect_account_finish (result, &error);
  /* A sign-in request still in flight belongs to this network: drop it. */
  g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);

  if (self->task == NULL)
    return;

  if (ids != NULL)
    self->n_connected += ids->len;
  else if (self->authorize_error != NULL)
    add_error (self, network, self->authorize_error);
  else if (g_task_return_error_if_cancelled (self->task))
    {
      g_clear_object (&self->task);
      return;
    }
  else
    add_error (self, network, error->message);

  g_clear_pointer (&self->authorize_error, g_free);
  self->next_network++;
  connect_next (self);
}

static void
save_credentials_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  SmNetwork network = GPOINTER_TO_INT (task_data);
  SmClientCredentials creds = { (char *) DEMO_CLIENT_ID, (char *) DEMO_CLIENT_SECRET };
  GError *error = NULL;

  if (!sm_token_store_save_credentials (network, &creds, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_credentials_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  SmDemo *self = SM_DEMO (source);
  g_autoptr(GError) error = NULL;
  SmNetwork network = demo_networks[self->next_network];

  if (self->task == NULL)
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_task_return_error_if_cancelled (self->task))
        {
          g_clear_object (&self->task);
          return;
        }
      add_error (self, network, error->message);
      self->next_network++;
      connect_next (self);
      return;
    }

  self->connect_cancellable = g_cancellable_new ();
  sm_connect_account_async (self->store, network, FALSE,
                            demo_url_cb, self,
                            self->connect_cancellable,
                            connect_done_cb, g_object_ref (self));
}

static gboolean
has_connected_account (SmDemo    *self,
                       SmNetwork  network)
{
  g_autoptr(GPtrArray) accounts = sm_store_list_accounts (self->store, NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);

      if (account->network == network && account->state == SM_ACCOUNT_CONNECTED)
        return TRUE;
    }

  return FALSE;
}

static void
connect_next (SmDemo *self)
{
  g_autoptr(GTask) save = NULL;
  SmNetwork network;

  while (self->next_network < G_N_ELEMENTS (demo_networks) &&
         has_connected_account (self, demo_networks[self->next_network]))
    self->next_network++;

  if (self->next_network >= G_N_ELEMENTS (demo_networks))
    {
      finish_run (self);
      return;
    }

  network = demo_networks[self->next_network];

  /* The last line of defence: demo credentials only ever go with a
   * sandbox on this machine. */
  if (get_sandbox_base () == NULL)
    {
      fail_run (self, _("No local sandbox is set; the demo does not talk to real networks."));
      return;
    }

  g_debug ("Connecting a demo account on %s", sm_network_to_string (network));
  save = g_task_new (self, g_task_get_cancellable (self->task), save_credentials_done_cb, NULL);
  g_task_set_source_tag (save, connect_next);
  g_task_set_task_data (save, GINT_TO_POINTER (network), NULL);
  g_task_run_in_thread (save, save_credentials_thread);
}

/* ---- The publisher's environment --------------------------------------- */

static void
update_environment_done_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (self->task == NULL)
    return;
  if (g_task_return_error_if_cancelled (self->task))
    {
      g_clear_object (&self->task);
      return;
    }
  if (reply == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The publisher may not use the sandbox: %s"),
                                                  error->message);

      add_error (self, SM_NETWORK_INVALID, message);
    }

  connect_next (self);
}

static void
bus_ready_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder env;

  bus = g_bus_get_finish (result, &error);
  if (self->task == NULL)
    return;
  if (bus == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The publisher may not use the sandbox: %s"),
                                                  error->message);

      add_error (self, SM_NETWORK_INVALID, message);
      connect_next (self);
      return;
    }

  /* The publisher is started by the bus, with the bus's environment, not
   * ours: hand it the sandbox's address there. */
  g_variant_builder_init (&env, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&env, "{ss}", SM_NETWORK_BASE_ENV, g_getenv (SM_NETWORK_BASE_ENV));
  g_dbus_connection_call (bus,
                          "org.freedesktop.DBus",
                          "/org/freedesktop/DBus",
                          "org.freedesktop.DBus",
                          "UpdateActivationEnvironment",
                          g_variant_new ("(a{ss})", &env),
                          NULL,
                          G_DBUS_CALL_FLAGS_NONE,
                          -1,
                          g_task_get_cancellable (self->task),
                          update_environment_done_cb,
                          g_object_ref (self));
}

static void
update_environment (SmDemo *self)
{
  g_bus_get (G_BUS_TYPE_SESSION, g_task_get_cancellable (self->task),
             bus_ready_cb, g_object_ref (self));
}

/* ---- The sandbox -------------------------------------------------------- */

static void
drain_line_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autofree char *line = NULL;

  /* Keep reading the sandbox's output so it never blocks on a full pipe. */
  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (line == NULL || self->sandbox_out == NULL)
    return;

  g_debug ("sandbox: %s", line);
  g_data_input_stream_read_line_async (self->sandbox_out, G_PRIORITY_LOW,
                                       self->sandbox_cancellable,
                                       drain_line_cb, g_object_ref (self));
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  SmDemo *self = user_data;

  self->start_timeout_id = 0;
  /* The pending read then ends with no line. */
  if (self->sandbox != NULL)
    g_subprocess_force_exit (self->sandbox);

  return G_SOURCE_REMOVE;
}

static void
first_line_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_clear_handle_id (&self->start_timeout_id, g_source_remove);

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (self->task == NULL)
    return;
  if (g_task_return_error_if_cancelled (self->task))
    {
      g_clear_object (&self->task);
      return;
    }

  if (line != NULL)
    g_strstrip (line);

  if (line == NULL || !is_loopback_url (line))
    {
      g_autofree char *message = NULL;

      if (error != NULL)
        message = g_strdup_printf (_("The network sandbox did not start: %s"), error->message);
      else if (line == NULL)
        message = g_strdup (_("The network sandbox did not start: it exited or did not answer in time."));
      else
        message = g_strdup_printf (_("The network sandbox did not start: it said “%s”."), line);
      sm_demo_stop (self);
      fail_run (self, message);
      return;
    }

  g_debug ("Sandbox at %s", line);
  g_setenv (SM_NETWORK_BASE_ENV, line, TRUE);

  g_data_input_stream_read_line_async (self->sandbox_out, G_PRIORITY_LOW,
                                       self->sandbox_cancellable,
                                       drain_line_cb, g_object_ref (self));
  update_environment (self);
}

#ifdef __linux__
/* Runs in the child: the sandbox goes when the app does, even on a crash. */
static void
sandbox_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static void
start_sandbox (SmDemo *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *bin = g_getenv ("SM_SANDBOX_BIN");

  if (bin == NULL || *bin == '\0')
    bin = BINDIR "/so-me-studio-sandbox";

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, sandbox_child_setup, NULL, NULL);
#endif
  self->sandbox = g_subprocess_launcher_spawn (launcher, &error, bin, "--listen", "127.0.0.1:0", NULL);
  if (self->sandbox == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The network sandbox did not start: %s"), error->message);

      fail_run (self, message);
      return;
    }

  self->sandbox_cancellable = g_cancellable_new ();
  self->sandbox_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->sandbox));
  self->start_timeout_id = g_timeout_add_seconds (SANDBOX_START_SECONDS, start_timeout_cb, self);
  g_data_input_stream_read_line_async (self->sandbox_out, G_PRIORITY_DEFAULT,
                                       self->sandbox_cancellable,
                                       first_line_cb, g_object_ref (self));
}

/* ---- GObject -------------------------------------------------------------- */

static void
sm_demo_dispose (GObject *object)
{
  SmDemo *self = (SmDemo *) object;

  sm_demo_stop (self);
  if (self->connect_cancellable != NULL)
    g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_demo_parent_class)->dispose (object);
}

static void
sm_demo_finalize (GObject *object)
{
  SmDemo *self = (SmDemo *) object;

  g_clear_pointer (&self->errors, g_ptr_array_unref);
  g_clear_pointer (&self->authorize_error, g_free);

  G_OBJECT_CLASS (sm_demo_parent_class)->finalize (object);
}

static void
sm_demo_class_init (SmDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_demo_dispose;
  object_class->finalize = sm_demo_finalize;
}

static void
sm_demo_init (SmDemo *self)
{
  self->errors = g_ptr_array_new_with_free_func (g_free);
  self->session = g_object_new (SOUP_TYPE_SESSION, "timeout", 30, NULL);
}

/**
 * sm_demo_new:
 * @store: the profile's store, where the demo accounts go
 *
 * Returns: (transfer full): a new #SmDemo
 */
SmDemo *
sm_demo_new (SmStore *store)
{
  SmDemo *self;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  self = g_object_new (SM_TYPE_DEMO, NULL);
  self->store = g_object_ref (store);

  return self;
}

void
sm_demo_start_async (SmDemo              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *base;

  g_return_if_fail (SM_IS_DEMO (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_demo_start_async);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The demo is already being set up."));
      return;
    }

  self->task = g_steal_pointer (&task);
  self->next_network = 0;
  self->n_connected = 0;
  g_ptr_array_set_size (self->errors, 0);

  base = g_getenv (SM_NETWORK_BASE_ENV);
  if (base == NULL || *base == '\0')
    {
      start_sandbox (self);
      return;
    }

  if (get_sandbox_base () == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("%s must name a sandbox on this computer, such as http://127.0.0.1:8080, "
                           "for the demo; it is “%s”."), SM_NETWORK_BASE_ENV, base);

      fail_run (self, message);
      return;
    }

  update_environment (self);
}

gboolean
sm_demo_start_finish (SmDemo        *self,
                      GAsyncResult  *result,
                      guint         *n_connected,
                      GError       **error)
{
  g_return_val_if_fail (SM_IS_DEMO (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (n_connected != NULL)
    *n_connected = self->n_connected;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sm_demo_stop (SmDemo *self)
{
  g_return_if_fail (SM_IS_DEMO (self));

  g_clear_handle_id (&self->start_timeout_id, g_source_remove);
  if (self->sandbox_cancellable != NULL)
    g_cancellable_cancel (self->sandbox_cancellable);
  g_clear_object (&self->sandbox_cancellable);
  g_clear_object (&self->sandbox_out);

  if (self->sandbox != NULL)
    {
      g_debug ("Stopping the sandbox");
      g_subprocess_send_signal (self->sandbox, SIGTERM);
      g_clear_object (&self->sandbox);
    }
}

#define DEMO_SESSION_ENV "SO_ME_STUDIO_DEMO_SESSION"

void
sm_demo_enter_private_session (int    argc,
                               char **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autofree char *home = NULL;
  const char *wayland;
  gboolean demo = FALSE;

  for (int i = 1; i < argc; i++)
    demo |= g_strcmp0 (argv[i], "--demo") == 0;
  if (!demo || g_getenv (DEMO_SESSION_ENV) != NULL)
    return;

  home = g_build_filename (g_get_user_data_dir (), "so-me-studio-demo", NULL);
  for (guint i = 0; i < 4; i++)
    {
      const char *sub[] = { "data", "config", "cache", "run" };
      g_autofree char *dir = g_build_filename (home, sub[i], NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_printerr (_("Cannot start the demo: %s: %s\n"), dir, g_strerror (errno));
          return;
        }
    }

  /* A Wayland display named relative to the real runtime folder must
   * stay reachable from the demo's own runtime folder. */
  wayland = g_getenv ("WAYLAND_DISPLAY");
  if (wayland != NULL && !g_path_is_absolute (wayland) && g_get_user_runtime_dir () != NULL)
    {
      g_autofree char *abs = g_build_filename (g_get_user_runtime_dir (), wayland, NULL);
      g_setenv ("WAYLAND_DISPLAY", abs, TRUE);
    }

#define SET_DIR(var, sub) G_STMT_START { \
    g_autofree char *d = g_build_filename (home, sub, NULL); \
    g_setenv (var, d, TRUE); \
  } G_STMT_END
  SET_DIR ("XDG_DATA_HOME", "data");
  SET_DIR ("XDG_CONFIG_HOME", "config");
  SET_DIR ("XDG_CACHE_HOME", "cache");
  SET_DIR ("XDG_RUNTIME_DIR", "run");
#undef SET_DIR
  g_setenv (DEMO_SESSION_ENV, "1", TRUE);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_unsetenv (SM_NETWORK_BASE_ENV);

  args = g_ptr_array_new ();
  g_ptr_array_add (args, (char *) "dbus-run-session");
  g_ptr_array_add (args, (char *) "--");
  g_ptr_array_add (args, (char *) "sh");
  g_ptr_array_add (args, (char *) "-c");
  g_ptr_array_add (args, (char *) "printf demo | gnome-keyring-daemon --daemonize --unlock "
                                  "--components=secrets >/dev/null; exec \"$@\"");
  g_ptr_array_add (args, (char *) "sh");
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);

  execvp ("dbus-run-session", (char **) args->pdata);
  g_printerr (_("Cannot start the demo in a session of its own (%s); "
                "is dbus-run-session installed?\n"), g_strerror (errno));
  exit (1);
}
