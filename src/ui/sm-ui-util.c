/* sm-ui-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-publisher-dbus.h"
#include "sm-ui-util.h"

GTimeZone *
sm_ui_time_zone_new (const char *zone)
{
  GTimeZone *tz = NULL;

  if (zone != NULL && *zone != '\0')
    tz = g_time_zone_new_identifier (zone);

  return tz != NULL ? tz : g_time_zone_new_utc ();
}

/* The desktop's clock format, read once; 24-hour when the schema is not
 * installed (e.g. outside GNOME). */
static gboolean
use_12h_clock (void)
{
  static gsize done = 0;
  static gboolean twelve = FALSE;

  if (g_once_init_enter (&done))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
      if (schema != NULL && g_settings_schema_has_key (schema, "clock-format"))
        {
          g_autoptr(GSettings) settings = g_settings_new_full (schema, NULL, NULL);
          g_autofree char *format = g_settings_get_string (settings, "clock-format");

          twelve = g_strcmp0 (format, "12h") == 0;
        }
      g_once_init_leave (&done, 1);
    }

  return twelve;
}

char *
sm_ui_format_time (GDateTime *dt)
{
  g_return_val_if_fail (dt != NULL, NULL);

  if (use_12h_clock ())
    /* Translators: a time on a 12-hour clock, see strftime(3) */
    return g_date_time_format (dt, _("%-I:%M %p"));

  /* Translators: a time on a 24-hour clock, see strftime(3) */
  return g_date_time_format (dt, _("%H:%M"));
}

/* Days between the calendar dates of @a and @b (b - a), in @a's zone. */
static int
days_between (GDateTime *a,
              GDateTime *b)
{
  g_autoptr(GDate) da = g_date_new_dmy (g_date_time_get_day_of_month (a),
                                        g_date_time_get_month (a),
                                        g_date_time_get_year (a));
  g_autoptr(GDate) db = g_date_new_dmy (g_date_time_get_day_of_month (b),
                                        g_date_time_get_month (b),
                                        g_date_time_get_year (b));

  return g_date_days_between (da, db);
}

static char *
format_day (GDateTime *dt,
            gboolean   in_sentence)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (g_date_time_get_timezone (dt));
  int delta = days_between (now, dt);

  if (delta == 0)
    return g_strdup (in_sentence ? _("today") : _("Today"));
  if (delta == 1)
    return g_strdup (in_sentence ? _("tomorrow") : _("Tomorrow"));
  if (delta == -1)
    return g_strdup (in_sentence ? _("yesterday") : _("Yesterday"));

  if (g_date_time_get_year (now) == g_date_time_get_year (dt))
    /* Translators: a day in this year, see strftime(3) */
    return g_date_time_format (dt, _("%A, %B %-d"));

  /* Translators: a day in another year, see strftime(3) */
  return g_date_time_format (dt, _("%A, %B %-d, %Y"));
}

char *
sm_ui_format_day (GDateTime *dt)
{
  g_return_val_if_fail (dt != NULL, NULL);

  return format_day (dt, FALSE);
}

char *
sm_ui_format_when (gint64      us,
                   const char *zone)
{
  g_autoptr(GTimeZone) tz = sm_ui_time_zone_new (zone);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) dt = g_date_time_to_timezone (utc, tz);
  g_autofree char *day = format_day (dt, TRUE);
  g_autofree char *time = sm_ui_format_time (dt);

  /* Translators: "today at 09:00", "Friday, October 24 at 09:00" */
  return g_strdup_printf (_("%s at %s"), day, time);
}

static AdwToastOverlay *
find_toast_overlay_below (GtkWidget *widget)
{
  if (ADW_IS_TOAST_OVERLAY (widget))
    return ADW_TOAST_OVERLAY (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *overlay = find_toast_overlay_below (child);

      if (overlay != NULL)
        return overlay;
    }

  return NULL;
}

void
sm_ui_add_toast (GtkWidget *widget,
                 AdwToast  *toast)
{
  g_autoptr(AdwToast) owned = toast;
  GtkWidget *overlay;
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (ADW_IS_TOAST (toast));

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    {
      root = gtk_widget_get_root (widget);
      if (GTK_IS_WINDOW (root) && gtk_window_get_transient_for (GTK_WINDOW (root)) != NULL)
        root = GTK_ROOT (gtk_window_get_transient_for (GTK_WINDOW (root)));
      if (root != NULL)
        overlay = (GtkWidget *) find_toast_overlay_below (GTK_WIDGET (root));
    }

  if (overlay == NULL)
    {
      g_debug ("No toast overlay for: %s", adw_toast_get_title (toast));
      return;
    }

  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), g_steal_pointer (&owned));
}

void
sm_ui_show_toast (GtkWidget  *widget,
                  const char *title)
{
  /* Toast titles are Pango markup in libadwaita 1.2. */
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  sm_ui_add_toast (widget, adw_toast_new (escaped));
}

static void
open_uri_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GtkWidget) widget = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not open the link: %s"), error->message);

      sm_ui_show_toast (widget, title);
    }
}

void
sm_ui_open_uri (GtkWidget  *widget,
                const char *uri)
{
  g_autoptr(GdkAppLaunchContext) context = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (uri != NULL);

  context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           open_uri_cb, g_object_ref (widget));
}

static void
wake_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!sm_dbus_publisher1_call_wake_finish (SM_DBUS_PUBLISHER1 (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
proxy_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SmDBusPublisher1 *proxy;
  GError *error = NULL;

  proxy = sm_dbus_publisher1_proxy_new_for_bus_finish (result, &error);
  if (proxy == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The call goes to the well-known name, so the bus starts the publisher
   * when it is not running. */
  sm_dbus_publisher1_call_wake (proxy, g_task_get_cancellable (task),
                                wake_done_cb, g_object_ref (task));
  g_object_unref (proxy);
}

void
sm_ui_wake_publisher_async (GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, sm_ui_wake_publisher_async);

  sm_dbus_publisher1_proxy_new_for_bus (G_BUS_TYPE_SESSION,
                                        G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                        G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                                        G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                                        PUBLISHER_BUS_NAME,
                                        SM_PUBLISHER_OBJECT_PATH,
                                        cancellable,
                                        proxy_ready_cb,
                                        g_steal_pointer (&task));
}

gboolean
sm_ui_wake_publisher_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- TargetChanged and UploadProgress -------------------------------------- */

#define PROGRESS_INTERVAL_MS 250

typedef struct
{
  guint64 sent;
  guint64 total;
} Progress;

/* One subscription: TargetChanged calls func at once; UploadProgress keeps
 * the latest numbers per target and calls progress_func for each at most
 * every PROGRESS_INTERVAL_MS. */
typedef struct
{
  GWeakRef                owner;
  const char             *key;            /* the owner's data key of its Watch */
  const char             *signal_name;
  GDBusSignalCallback     callback;
  SmUiTargetChangedFunc   func;
  SmUiUploadProgressFunc  progress_func;
  GHashTable             *pending;        /* target id → Progress */
  guint                   flush_id;
} WatchData;

/* Lives as long as the owner: cancels a pending bus lookup and ends the
 * subscription. */
typedef struct
{
  GCancellable    *cancellable;
  GDBusConnection *bus;
  guint            signal_id;
} Watch;

static void
watch_data_free (gpointer data)
{
  WatchData *watch_data = data;

  g_clear_handle_id (&watch_data->flush_id, g_source_remove);
  g_clear_pointer (&watch_data->pending, g_hash_table_unref);
  g_weak_ref_clear (&watch_data->owner);
  g_free (watch_data);
}

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_cancellable_cancel (watch->cancellable);
  if (watch->bus != NULL && watch->signal_id != 0)
    g_dbus_connection_signal_unsubscribe (watch->bus, watch->signal_id);
  g_clear_object (&watch->bus);
  g_clear_object (&watch->cancellable);
  g_free (watch);
}

static void
watch_target_changed_cb (GDBusConnection *connection,
                         const char      *sender_name,
                         const char      *object_path,
                         const char      *interface_name,
                         const char      *signal_name,
                         GVariant        *parameters,
                         gpointer         user_data)
{
  WatchData *watch_data = user_data;
  g_autoptr(GObject) owner = g_weak_ref_get (&watch_data->owner);
  gint64 target_id = 0;
  const char *state = NULL;

  if (owner == NULL || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(xs)")))
    return;

  g_variant_get (parameters, "(x&s)", &target_id, &state);
  g_debug ("Target %" G_GINT64_FORMAT " is now %s", target_id, state);
  watch_data->func (owner, target_id, state);
}

static gboolean
watch_progress_flush_cb (gpointer user_data)
{
  WatchData *watch_data = user_data;
  g_autoptr(GObject) owner = g_weak_ref_get (&watch_data->owner);
  g_autoptr(GHashTable) pending = g_steal_pointer (&watch_data->pending);
  GHashTableIter iter;
  gpointer key, value;

  watch_data->flush_id = 0;
  watch_data->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  if (owner == NULL)
    return G_SOURCE_REMOVE;

  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Progress *progress = value;

      watch_data->progress_func (owner, *(gint64 *) key, progress->sent, progress->total);
    }
  return G_SOURCE_REMOVE;
}

static void
watch_upload_progress_cb (GDBusConnection *connection,
                          const char      *sender_name,
                          const char      *object_path,
                          const char      *interface_name,
                          const char      *signal_name,
                          GVariant        *parameters,
                          gpointer         user_data)
{
  WatchData *watch_data = user_data;
  Progress *progress = g_new0 (Progress, 1);
  gint64 target_id = 0;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(xtt)")))
    {
      g_free (progress);
      return;
    }

  /* A burst is one update: the latest numbers of each target. */
  g_variant_get (parameters, "(xtt)", &target_id, &progress->sent, &progress->total);
  g_hash_table_insert (watch_data->pending, g_memdup2 (&target_id, sizeof target_id), progress);
  if (watch_data->flush_id == 0)
    watch_data->flush_id = g_timeout_add (PROGRESS_INTERVAL_MS, watch_progress_flush_cb, watch_data);
}

static void
watch_bus_ready_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  WatchData *watch_data = user_data;
  GDBusConnection *bus;
  Watch *watch;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No session bus, no live updates: %s", error->message);
      watch_data_free (watch_data);
      return;
    }

  {
    g_autoptr(GObject) owner = g_weak_ref_get (&watch_data->owner);

    watch = owner != NULL ? g_object_get_data (owner, watch_data->key) : NULL;
  }
  if (watch == NULL)
    {
      g_object_unref (bus);
      watch_data_free (watch_data);
      return;
    }
  watch->bus = bus;
  /* No sender: the subscription survives the publisher exiting when idle
   * and being activated again. */
  watch->signal_id = g_dbus_connection_signal_subscribe (bus, NULL,
                                                         SM_PUBLISHER_INTERFACE,
                                                         watch_data->signal_name,
                                                         SM_PUBLISHER_OBJECT_PATH,
                                                         NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE,
                                                         watch_data->callback,
                                                         watch_data, watch_data_free);
}

static void
watch_signal (GObject    *owner,
              WatchData  *watch_data)
{
  Watch *watch;

  g_return_if_fail (g_object_get_data (owner, watch_data->key) == NULL);

  watch = g_new0 (Watch, 1);
  watch->cancellable = g_cancellable_new ();
  g_object_set_data_full (owner, watch_data->key, watch, watch_free);

  g_weak_ref_init (&watch_data->owner, owner);
  g_bus_get (G_BUS_TYPE_SESSION, watch->cancellable, watch_bus_ready_cb, watch_data);
}

void
sm_ui_watch_target_changed (GObject               *owner,
                            SmUiTargetChangedFunc  func)
{
  WatchData *watch_data;

  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (func != NULL);

  watch_data = g_new0 (WatchData, 1);
  watch_data->key = "sm-ui-target-watch";
  watch_data->signal_name = "TargetChanged";
  watch_data->callback = watch_target_changed_cb;
  watch_data->func = func;
  watch_signal (owner, watch_data);
}

void
sm_ui_watch_upload_progress (GObject                *owner,
                             SmUiUploadProgressFunc  func)
{
  WatchData *watch_data;

  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (func != NULL);

  watch_data = g_new0 (WatchData, 1);
  watch_data->key = "sm-ui-progress-watch";
  watch_data->signal_name = "UploadProgress";
  watch_data->callback = watch_upload_progress_cb;
  watch_data->progress_func = func;
  watch_data->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  watch_signal (owner, watch_data);
}

int
sm_ui_upload_percent (guint64 sent,
                      guint64 total)
{
  if (total == 0)
    return 0;
  return (int) (MIN (sent, total) * 100 / total);
}

char *
sm_ui_format_upload_progress (guint64 sent,
                              guint64 total)
{
  g_autofree char *sent_size = g_format_size (MIN (sent, total));
  g_autofree char *total_size = g_format_size (total);

  /* Translators: "Uploading 42% (120 MB of 290 MB)" */
  return g_strdup_printf (_("Uploading %d%% (%s of %s)"), sm_ui_upload_percent (sent, total),
                          sent_size, total_size);
}

/**
 * sm_ui_upload_progress_new:
 * @who: whose upload, for screen readers ("X · Ada Lovelace")
 *
 * Returns: (transfer floating): a hidden box with "Uploading 42% (…)" and
 * a progress bar, for sm_ui_upload_progress_set()
 */
GtkWidget *
sm_ui_upload_progress_new (const char *who)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *bar = gtk_progress_bar_new ();
  /* Translators: accessible label of a progress bar: "Upload to X · Ada Lovelace" */
  g_autofree char *accessible = g_strdup_printf (_("Upload to %s"), who);

  gtk_widget_add_css_class (box, "sm-upload-progress");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  /* The bar says it all to a screen reader. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), bar);
  g_object_set_data (G_OBJECT (box), "sm-label", label);
  g_object_set_data (G_OBJECT (box), "sm-bar", bar);
  gtk_widget_set_visible (box, FALSE);

  return box;
}

/* Shows @sent of @total on @progress; hides it when @total is 0. */
void
sm_ui_upload_progress_set (GtkWidget *progress,
                           guint64    sent,
                           guint64    total)
{
  GtkWidget *label = g_object_get_data (G_OBJECT (progress), "sm-label");
  GtkWidget *bar = g_object_get_data (G_OBJECT (progress), "sm-bar");
  g_autofree char *text = NULL;

  g_return_if_fail (GTK_IS_LABEL (label) && GTK_IS_PROGRESS_BAR (bar));

  gtk_widget_set_visible (progress, total > 0);
  if (total == 0)
    return;

  text = sm_ui_format_upload_progress (sent, total);
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), sm_ui_upload_percent (sent, total) / 100.0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text,
                                  -1);
}

/* The text shown, or NULL when hidden. */
const char *
sm_ui_upload_progress_get_text (GtkWidget *progress)
{
  GtkWidget *label = g_object_get_data (G_OBJECT (progress), "sm-label");

  if (!gtk_widget_get_visible (progress) || !GTK_IS_LABEL (label))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (label));
}
