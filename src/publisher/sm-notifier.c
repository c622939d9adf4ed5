/* sm-notifier.c
 *
 * The publisher runs without a window, but what it says must be the app's:
 * notifications carry the desktop-entry hint of studio.so_me.Studio, and a
 * click activates the app's `show-post` action over D-Bus
 * (org.freedesktop.Application), which starts the app if needed.  We talk
 * to org.freedesktop.Notifications directly: GApplication's notifications
 * would belong to the publisher's own id.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-notifier.h"

#define NOTIFY_NAME  "org.freedesktop.Notifications"
#define NOTIFY_PATH  "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"
#define APP_PATH     "/studio/so_me/Studio"
#define COALESCE_MS  1500

typedef struct
{
  gint64    post_id;
  gboolean  failed;
  char     *title;
  char     *body;
} Outcome;

struct _SmNotifier
{
  GObject          parent_instance;

  GDBusConnection *bus;
  GPtrArray       *pending;       /* Outcome */
  GHashTable      *post_by_id;    /* notification id → post id */
  guint            flush_id;
  guint            action_sub;
};

G_DEFINE_FINAL_TYPE (SmNotifier, sm_notifier, G_TYPE_OBJECT)

static void
outcome_free (Outcome *outcome)
{
  g_free (outcome->title);
  g_free (outcome->body);
  g_free (outcome);
}

static void
activate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GError) error = NULL;

  ret = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (ret == NULL)
    g_debug ("Could not open So-me Studio: %s", error->message);
}

static void
action_invoked_cb (GDBusConnection *bus,
                   const char      *sender,
                   const char      *path,
                   const char      *iface,
                   const char      *signal,
                   GVariant        *params,
                   gpointer         user_data)
{
  SmNotifier *self = user_data;
  const char *action;
  guint32 id;
  gpointer post;

  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(us)")))
    return;
  g_variant_get (params, "(u&s)", &id, &action);
  if (!g_hash_table_lookup_extended (self->post_by_id, GUINT_TO_POINTER (id), NULL, &post))
    return;

  g_dbus_connection_call (bus, APP_ID, APP_PATH, "org.freedesktop.Application",
                          "ActivateAction",
                          g_variant_new ("(s@ava{sv})", "show-post",
                                         g_variant_new_array (G_VARIANT_TYPE_VARIANT,
                                                              (GVariant *[]) {
                                                                g_variant_new_variant (g_variant_new_int64 (*(gint64 *) post))
                                                              }, 1),
                                         NULL),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, activate_cb, NULL);
}

typedef struct
{
  SmNotifier *self;
  gint64      post_id;
} NotifyData;

static void
notify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  NotifyData *data = user_data;
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GError) error = NULL;

  ret = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (ret == NULL)
    /* No notification server (a headless session): nothing to show. */
    g_debug ("No notification shown: %s", error->message);
  else
    {
      guint32 id;
      g_variant_get (ret, "(u)", &id);
      g_hash_table_insert (data->self->post_by_id, GUINT_TO_POINTER (id),
                           g_memdup2 (&data->post_id, sizeof data->post_id));
    }
  g_object_unref (data->self);
  g_free (data);
}

static void
send_notification (SmNotifier *self,
                   gint64      post_id,
                   gboolean    failed,
                   const char *title,
                   const char *body)
{
  GVariantBuilder hints;
  NotifyData *data;
  const char *actions[] = { "default", _("Open"), NULL };

  g_variant_builder_init (&hints, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (APP_ID));
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (failed ? 2 : 1));
  g_variant_builder_add (&hints, "{sv}", "category",
                         g_variant_new_string (failed ? "transfer.error" : "transfer.complete"));

  data = g_new0 (NotifyData, 1);
  data->self = g_object_ref (self);
  data->post_id = post_id;

  g_dbus_connection_call (self->bus, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_IFACE, "Notify",
                          g_variant_new ("(susss^asa{sv}i)", _("So-me Studio"), 0, APP_ID,
                                         title, body ? body : "", actions, &hints, -1),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000,
                          NULL, notify_cb, data);
}

static gboolean
flush_cb (gpointer user_data)
{
  SmNotifier *self = user_data;
  g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending);
  guint n_failed = 0;

  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) outcome_free);
  self->flush_id = 0;

  if (pending->len == 1)
    {
      Outcome *o = g_ptr_array_index (pending, 0);
      send_notification (self, o->post_id, o->failed, o->title, o->body);
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < pending->len; i++)
    n_failed += ((Outcome *) g_ptr_array_index (pending, i))->failed;

  if (n_failed > 0)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("%u post needs you", "%u posts need you", n_failed), n_failed);
      send_notification (self, 0, TRUE, title, _("Open So-me Studio to see what went wrong and retry."));
    }
  if (pending->len > n_failed)
    {
      guint n = pending->len - n_failed;
      g_autofree char *title = g_strdup_printf (ngettext ("%u post published", "%u posts published", n), n);
      send_notification (self, 0, FALSE, title, NULL);
    }
  return G_SOURCE_REMOVE;
}

void
sm_notifier_publish (SmNotifier *self,
                     gint64      post_id,
                     gboolean    failed,
                     const char *title,
                     const char *body)
{
  Outcome *outcome;

  g_return_if_fail (SM_IS_NOTIFIER (self));

  outcome = g_new0 (Outcome, 1);
  outcome->post_id = post_id;
  outcome->failed = failed;
  outcome->title = g_strdup (title);
  outcome->body = g_strdup (body);
  g_ptr_array_add (self->pending, outcome);

  if (self->flush_id == 0)
    self->flush_id = g_timeout_add (COALESCE_MS, flush_cb, self);
}

static void
sm_notifier_dispose (GObject *object)
{
  SmNotifier *self = SM_NOTIFIER (object);

  if (self->flush_id)
    {
      g_source_remove (self->flush_id);
      flush_cb (self);
    }
  if (self->action_sub)
    g_dbus_connection_signal_unsubscribe (self->bus, self->action_sub);
  self->action_sub = 0;
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (sm_notifier_parent_class)->dispose (object);
}

static void
sm_notifier_finalize (GObject *object)
{
  SmNotifier *self = SM_NOTIFIER (object);

  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->post_by_id, g_hash_table_unref);

  G_OBJECT_CLASS (sm_notifier_parent_class)->finalize (object);
}

static void
sm_notifier_class_init (SmNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_notifier_dispose;
  object_class->finalize = sm_notifier_finalize;
}

static void
sm_notifier_init (SmNotifier *self)
{
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) outcome_free);
  self->post_by_id = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

SmNotifier *
sm_notifier_new (GDBusConnection *bus)
{
  SmNotifier *self = g_object_new (SM_TYPE_NOTIFIER, NULL);

  self->bus = g_object_ref (bus);
  self->action_sub = g_dbus_connection_signal_subscribe (bus, NULL, NOTIFY_IFACE, "ActionInvoked",
                                                         NOTIFY_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         action_invoked_cb, self, NULL);
  return self;
}
