/* sm-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-application"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm-application.h"
#include "sm-demo.h"
#include "sm-store.h"
#include "sm-ui-util.h"
#include "sm-window.h"

struct _SmApplication
{
  AdwApplication  parent_instance;

  SmStore        *store;
  SmDemo         *demo;
  GCancellable   *cancellable;
  AdwToast       *demo_toast;   /* "Setting up the demo…", while it shows */
};

G_DEFINE_FINAL_TYPE (SmApplication, sm_application, ADW_TYPE_APPLICATION)

static SmWindow *
find_window (SmApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (SM_IS_WINDOW (l->data))
      return SM_WINDOW (l->data);

  return NULL;
}

static void
store_error_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         SmApplication    *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The main window, created on first use; NULL when the store cannot be
 * opened, after saying why. */
static void
wake_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sm_ui_wake_publisher_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("The publisher did not start: %s", error->message);
}

/* Something is queued: the publisher may not be running (no login
 * autostart in this session, or it was stopped); opening the window is
 * enough to have it catch up.  The demo wakes it itself once its
 * accounts are connected again. */
static gboolean
wake_if_queued_cb (gpointer user_data)
{
  SmApplication *self = user_data;
  SmStore *store = sm_application_get_store (self, NULL);

  if (self->demo == NULL && store != NULL && sm_store_count_queued (store, NULL) > 0)
    sm_ui_wake_publisher_async (self->cancellable, wake_done_cb, NULL);
  return G_SOURCE_REMOVE;
}

static SmWindow *
ensure_window (SmApplication *self)
{
  g_autoptr(GError) error = NULL;
  SmWindow *window = find_window (self);
  SmStore *store;
  GtkWidget *dialog;

  if (window != NULL)
    return window;

  store = sm_application_get_store (self, &error);
  if (store != NULL)
    {
      /* Not before the window is up: a publisher starting competes with
       * the first frame for the CPU. */
      g_timeout_add_seconds_full (G_PRIORITY_LOW, 3, wake_if_queued_cb, g_object_ref (self),
                                  g_object_unref);
      return sm_window_new (GTK_APPLICATION (self), store);
    }

  dialog = adw_message_dialog_new (NULL, _("Your Posts Cannot Be Opened"), error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Quit"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  g_signal_connect (dialog, "response", G_CALLBACK (store_error_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));

  return NULL;
}

static void
demo_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SmApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  SmWindow *window;
  guint n_connected = 0;
  gboolean ok;

  ok = sm_demo_start_finish (SM_DEMO (source), result, &n_connected, &error);

  if (self->demo_toast != NULL)
    {
      adw_toast_dismiss (self->demo_toast);
      g_clear_object (&self->demo_toast);
    }

  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  window = find_window (self);
  if (window == NULL)
    return;

  sm_window_reload (window);

  if (ok)
    {
      sm_window_add_toast (window, adw_toast_new (_("The demo is ready: its accounts talk to a local stand-in for the networks.")));
    }
  else
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (window),
                                                  _("The Demo Is Not Fully Set Up"),
                                                  error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
demo_posts_changed_cb (SmApplication *self)
{
  SmWindow *window = find_window (self);

  if (window != NULL)
    sm_window_reload (window);
}

static void
start_demo (SmApplication *self)
{
  SmWindow *window = find_window (self);
  SmStore *store = sm_application_get_store (self, NULL);

  if (window == NULL || store == NULL || self->demo != NULL)
    return;

  self->demo = sm_demo_new (store);
  g_signal_connect_object (self->demo, "posts-changed", G_CALLBACK (demo_posts_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* No timeout: it goes when the demo is set up. */
  self->demo_toast = adw_toast_new (_("Setting up the demo…"));
  adw_toast_set_timeout (self->demo_toast, 0);
  sm_window_add_toast (window, g_object_ref (self->demo_toast));

  sm_demo_start_async (self->demo, self->cancellable, demo_done_cb, g_object_ref (self));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  SmApplication *self = user_data;
  static const char *developers[] = { "The So-me Studio developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (parent,
                         "application-name", _("So-me Studio"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The So-me Studio developers"),
                         "developers", developers,
                         "comments", _("Plan, publish and follow up your social media posts"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         /* Translators: your names, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
new_post_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SmApplication *self = user_data;
  SmWindow *window = ensure_window (self);

  if (window == NULL)
    return;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-post", NULL);
}

/* From a notification the publisher sent, through
 * org.freedesktop.Application.ActivateAction. */
static void
show_post_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  SmApplication *self = user_data;
  SmWindow *window = ensure_window (self);

  if (window == NULL)
    return;

  gtk_window_present (GTK_WINDOW (window));
  sm_window_show_post (window, g_variant_get_int64 (parameter));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
  { "new-post", new_post_activated, NULL, NULL, NULL, { 0 } },
  { "show-post", show_post_activated, "x", NULL, NULL, { 0 } },
};

static gboolean
quit_signal_cb (gpointer user_data)
{
  /* Quit through shutdown, which stops the demo's sandbox. */
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

/* Keeps the memory a frame frees for the next frame.
 *
 * Where GL is drawn in software (Mesa's llvmpipe: a machine without a
 * GPU, a virtual machine, a remote session, Xvfb), every frame allocates
 * and frees several MiB.  glibc gives memory at the top of the heap back
 * to the system once more than M_TRIM_THRESHOLD is free there, and
 * serves large blocks with fresh mmap()s; by default both adapt to what
 * was freed last, and for a busy month they settled where every frame
 * gave its buffers back and faulted them in again: half the time of a
 * frame was page faults, and a switch of month took five times as long
 * in some runs as in others (bench/bench-calendar).  Fixed thresholds
 * keep up to 32 MiB of freed heap, and serve blocks below 8 MiB from it.
 * With a GPU driver frames allocate little, and nothing changes. */
static void
tune_allocator (void)
{
#ifdef __GLIBC__
  mallopt (M_MMAP_THRESHOLD, 8 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 32 * 1024 * 1024);
#endif
}

static void
sm_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_post_accels[] = { "<Control>n", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  SmApplication *self = SM_APPLICATION (app);

  tune_allocator ();
  G_APPLICATION_CLASS (sm_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-post", new_post_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

/* Only g_application_run() comes here, so a process that merely registers
 * the application (the tests) keeps the default signal handling. */
static gboolean
sm_application_local_command_line (GApplication   *app,
                                   char         ***arguments,
                                   int            *exit_status)
{
  g_unix_signal_add (SIGINT, quit_signal_cb, app);
  g_unix_signal_add (SIGTERM, quit_signal_cb, app);

  return G_APPLICATION_CLASS (sm_application_parent_class)->local_command_line (app, arguments, exit_status);
}

/* SO_ME_STUDIO_REPORT_FIRST_FRAME=FD (for bench/bench-startup.c): once the
 * main window's first frame is painted, one line goes to that inherited
 * file descriptor, which is then closed:
 *   "first-frame monotonic-us=N rss-kib=N\n"
 * (g_get_monotonic_time() and the process's VmRSS at that moment).  Unset,
 * as always outside the benchmark, nothing happens. */
static void
report_first_frame_cb (GdkFrameClock *clock,
                       gpointer       user_data)
{
  int fd = GPOINTER_TO_INT (user_data);
  gint64 now = g_get_monotonic_time ();
  g_autofree char *status = NULL;
  g_autofree char *line = NULL;
  const char *rss;
  long rss_kib = 0;

  g_signal_handlers_disconnect_by_func (clock, report_first_frame_cb, user_data);
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (rss = strstr (status, "VmRSS:")) != NULL)
    rss_kib = strtol (rss + strlen ("VmRSS:"), NULL, 10);
  line = g_strdup_printf ("first-frame monotonic-us=%" G_GINT64_FORMAT " rss-kib=%ld\n", now, rss_kib);
  if (write (fd, line, strlen (line)) < 0)
    g_debug ("SO_ME_STUDIO_REPORT_FIRST_FRAME: %s", g_strerror (errno));
  close (fd);
}

static void
maybe_report_first_frame (SmWindow *window)
{
  static gboolean done;
  const char *value = g_getenv ("SO_ME_STUDIO_REPORT_FIRST_FRAME");
  GdkFrameClock *clock;
  gint64 fd;

  if (done || value == NULL ||
      !g_ascii_string_to_signed (value, 10, 3, G_MAXINT, &fd, NULL))
    return;
  done = TRUE;
  gtk_widget_realize (GTK_WIDGET (window));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (report_first_frame_cb), GINT_TO_POINTER ((int) fd));
}

static void
sm_application_activate (GApplication *app)
{
  SmWindow *window = ensure_window (SM_APPLICATION (app));

  if (window != NULL)
    {
      maybe_report_first_frame (window);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static int
sm_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  SmApplication *self = SM_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);

  g_application_activate (app);

  if (g_variant_dict_contains (options, "demo"))
    start_demo (self);

  return 0;
}

static void
sm_application_shutdown (GApplication *app)
{
  SmApplication *self = SM_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  if (self->demo != NULL)
    sm_demo_stop (self->demo);

  G_APPLICATION_CLASS (sm_application_parent_class)->shutdown (app);
}

static void
sm_application_dispose (GObject *object)
{
  SmApplication *self = (SmApplication *) object;

  g_clear_object (&self->demo_toast);
  g_clear_object (&self->demo);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sm_application_parent_class)->dispose (object);
}

static void
sm_application_class_init (SmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = sm_application_dispose;

  app_class->local_command_line = sm_application_local_command_line;
  app_class->startup = sm_application_startup;
  app_class->activate = sm_application_activate;
  app_class->command_line = sm_application_command_line;
  app_class->shutdown = sm_application_shutdown;
}

static void
sm_application_init (SmApplication *self)
{
  static const GOptionEntry options[] = {
    { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
      N_("Try the app with a local stand-in for the networks and demo accounts"), NULL },
    { NULL }
  };

  self->cancellable = g_cancellable_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Plan, publish and follow up your social media posts."));
}

/**
 * sm_application_new:
 *
 * Returns: (transfer full): the application
 */
SmApplication *
sm_application_new (void)
{
  return g_object_new (SM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/studio/so_me/Studio",
                       NULL);
}

SmStore *
sm_application_get_store (SmApplication  *self,
                          GError        **error)
{
  g_return_val_if_fail (SM_IS_APPLICATION (self), NULL);

  if (self->store == NULL)
    self->store = sm_store_open (NULL, error);

  return self->store;
}
