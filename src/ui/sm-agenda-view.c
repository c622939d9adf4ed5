/* sm-agenda-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-agenda"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-agenda-view.h"
#include "sm-post-row.h"
#include "sm-time.h"
#include "sm-ui-util.h"

#define DAYS_BEFORE 7
#define DAYS_AFTER  60

struct _SmAgendaView
{
  AdwBin           parent_instance;

  /* template widgets */
  GtkStack        *stack;
  GtkScrolledWindow *scrolled_window;
  GtkBox          *days_box;

  /* owned */
  SmStore         *store;
  gint64           workspace_id;  /* 0: the default one */
  char            *zone;
  char            *layout_key;    /* of what is shown, see layout_key() */
  GHashTable      *rows;          /* post id → SmPostRow (borrowed) */
  GHashTable      *post_keys;     /* post id → post_key() of its row */
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (SmAgendaView, sm_agenda_view, ADW_TYPE_BIN)

static GDateTime *
local_due (const SmPost *post,
           GTimeZone    *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (post->due_us / G_USEC_PER_SEC);

  return g_date_time_to_timezone (utc, tz);
}

/* What decides the grouping: which posts, on which day, and which day is
 * today.  While it stays the same, a reload updates rows in place, so the
 * scroll position and the focus stay where the user left them. */
static char *
layout_key (GPtrArray  *posts,
            const char *zone,
            GTimeZone  *tz)
{
  GString *s = g_string_new (zone);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);

  g_string_append_printf (s, "|%d", g_date_time_get_day_of_year (now));

  for (guint i = 0; i < posts->len; i++)
    {
      const SmPost *post = g_ptr_array_index (posts, i);
      g_autoptr(GDateTime) due = local_due (post, tz);

      g_string_append_printf (s, "|%" G_GINT64_FORMAT "@%d-%d", post->id,
                              g_date_time_get_year (due), g_date_time_get_day_of_year (due));
    }

  return g_string_free (s, FALSE);
}

/* Everything one row shows. */
static char *
post_key (const SmPost *post)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%" G_GINT64_FORMAT ":%s:%s", post->due_us,
                          post->time_zone, post->text);
  for (guint j = 0; post->targets != NULL && j < post->targets->len; j++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, j);

      g_string_append_printf (s, ";%" G_GINT64_FORMAT ":%d:%s:%s:%s", target->id,
                              target->state, target->account_name,
                              target->permalink, target->last_error);
    }

  return g_string_free (s, FALSE);
}

static void
retry_target_cb (SmPostRow    *row,
                 gint64        target_id,
                 SmAgendaView *self);

static void
rebuild (SmAgendaView *self,
         GPtrArray    *posts)
{
  g_autoptr(GTimeZone) tz = sm_ui_time_zone_new (self->zone);
  GtkWidget *child;
  GtkWidget *group = NULL;
  int last_year = 0, last_day = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->days_box))) != NULL)
    gtk_box_remove (self->days_box, child);
  g_hash_table_remove_all (self->rows);
  g_hash_table_remove_all (self->post_keys);

  for (guint i = 0; i < posts->len; i++)
    {
      const SmPost *post = g_ptr_array_index (posts, i);
      g_autoptr(GDateTime) due = local_due (post, tz);
      GtkWidget *row;

      if (group == NULL ||
          g_date_time_get_year (due) != last_year ||
          g_date_time_get_day_of_year (due) != last_day)
        {
          g_autofree char *title = sm_ui_format_day (due);

          group = adw_preferences_group_new ();
          adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
          gtk_box_append (self->days_box, group);
          last_year = g_date_time_get_year (due);
          last_day = g_date_time_get_day_of_year (due);
        }

      row = sm_post_row_new (post, self->zone);
      g_signal_connect_object (row, "retry-target", G_CALLBACK (retry_target_cb), self, 0);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      g_hash_table_insert (self->rows, g_memdup2 (&post->id, sizeof post->id), row);
      g_hash_table_insert (self->post_keys, g_memdup2 (&post->id, sizeof post->id),
                           post_key (post));
    }

  gtk_stack_set_visible_child_name (self->stack, posts->len > 0 ? "list" : "empty");
}

static void
wake_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SmAgendaView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sm_ui_wake_publisher_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Wake failed: %s", error->message);
      sm_ui_show_toast (GTK_WIDGET (self),
                        _("The publisher could not be reached; it will send the post when it next starts."));
    }
}

static void
retry_target_cb (SmPostRow    *row,
                 gint64        target_id,
                 SmAgendaView *self)
{
  g_autoptr(GError) error = NULL;

  if (!sm_store_retry_target (self->store, target_id, &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not retry: %s"), error->message);

      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }

  sm_agenda_view_update_post (self, sm_post_row_get_post_id (row));
  sm_ui_wake_publisher_async (self->cancellable, wake_done_cb, g_object_ref (self));
}

static void
target_changed_cb (GObject    *owner,
                   gint64      target_id,
                   const char *state)
{
  SmAgendaView *self = SM_AGENDA_VIEW (owner);
  g_autoptr(SmTarget) target = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;

  target = sm_store_get_target (self->store, target_id, &error);
  if (target == NULL)
    {
      /* Gone (its account was disconnected): read everything again. */
      sm_agenda_view_reload (self);
      return;
    }

  /* Sent or failed: its progress goes at once. */
  if (g_strcmp0 (state, "publishing") != 0)
    {
      SmPostRow *row = g_hash_table_lookup (self->rows, &target->post_id);

      if (row != NULL)
        sm_post_row_set_upload_progress (row, target_id, 0, 0);
    }
  sm_agenda_view_update_post (self, target->post_id);
}

static void
upload_progress_cb (GObject *owner,
                    gint64   target_id,
                    guint64  sent,
                    guint64  total)
{
  SmAgendaView *self = SM_AGENDA_VIEW (owner);
  g_autoptr(SmTarget) target = NULL;
  g_autoptr(GError) error = NULL;
  SmPostRow *row;

  if (self->store == NULL || total == 0)
    return;
  target = sm_store_get_target (self->store, target_id, &error);
  if (target == NULL)
    {
      g_debug ("Progress of an unknown target %" G_GINT64_FORMAT ": %s", target_id, error->message);
      return;
    }
  row = g_hash_table_lookup (self->rows, &target->post_id);
  if (row != NULL)
    sm_post_row_set_upload_progress (row, target_id, sent, total);
}

static void
sm_agenda_view_dispose (GObject *object)
{
  SmAgendaView *self = (SmAgendaView *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_agenda_view_parent_class)->dispose (object);
}

static void
sm_agenda_view_finalize (GObject *object)
{
  SmAgendaView *self = (SmAgendaView *) object;

  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->post_keys, g_hash_table_unref);
  g_clear_pointer (&self->zone, g_free);
  g_clear_pointer (&self->layout_key, g_free);

  G_OBJECT_CLASS (sm_agenda_view_parent_class)->finalize (object);
}

static void
sm_agenda_view_class_init (SmAgendaViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_agenda_view_dispose;
  object_class->finalize = sm_agenda_view_finalize;

  g_type_ensure (SM_TYPE_POST_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-agenda-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SmAgendaView, stack);
  gtk_widget_class_bind_template_child (widget_class, SmAgendaView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SmAgendaView, days_box);
}

static void
sm_agenda_view_init (SmAgendaView *self)
{
  GtkWidget *viewport;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->post_keys = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();

  viewport = gtk_scrolled_window_get_child (self->scrolled_window);
  if (GTK_IS_VIEWPORT (viewport))
    gtk_viewport_set_scroll_to_focus (GTK_VIEWPORT (viewport), TRUE);

  sm_ui_watch_target_changed (G_OBJECT (self), target_changed_cb);
  sm_ui_watch_upload_progress (G_OBJECT (self), upload_progress_cb);
}

/**
 * sm_agenda_view_set_store:
 * @self: a #SmAgendaView
 * @store: the profile's store
 *
 * Sets the store to read posts from, and reads them.
 */
void
sm_agenda_view_set_store (SmAgendaView *self,
                          SmStore      *store)
{
  g_return_if_fail (SM_IS_AGENDA_VIEW (self));
  g_return_if_fail (SM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  g_clear_pointer (&self->layout_key, g_free);
  sm_agenda_view_reload (self);
}

/**
 * sm_agenda_view_set_workspace:
 * @self: a #SmAgendaView
 * @workspace_id: the workspace whose posts to show (0: the default one)
 */
void
sm_agenda_view_set_workspace (SmAgendaView *self,
                              gint64        workspace_id)
{
  g_return_if_fail (SM_IS_AGENDA_VIEW (self));

  if (self->workspace_id == workspace_id)
    return;
  self->workspace_id = workspace_id;
  sm_agenda_view_reload (self);
}

void
sm_agenda_view_reload (SmAgendaView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) midnight = NULL;
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *layout = NULL;

  g_return_if_fail (SM_IS_AGENDA_VIEW (self));

  if (self->store == NULL)
    return;

  if (sm_store_resolve_workspace (self->store, self->workspace_id, &zone, &error) <= 0 || zone == NULL)
    {
      g_debug ("No workspace zone, using the local one: %s",
               error != NULL ? error->message : "none set");
      g_clear_error (&error);
      g_free (zone);
      zone = sm_time_local_zone_id ();
    }
  g_free (self->zone);
  self->zone = g_steal_pointer (&zone);

  /* Whole days in the workspace's zone: from a week ago to two months on. */
  tz = sm_ui_time_zone_new (self->zone);
  now = g_date_time_new_now (tz);
  midnight = g_date_time_new (tz, g_date_time_get_year (now), g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now), 0, 0, 0);
  from = g_date_time_add_days (midnight, -DAYS_BEFORE);
  to = g_date_time_add_days (midnight, DAYS_AFTER + 1);

  posts = sm_store_list_posts_in (self->store, self->workspace_id,
                                  g_date_time_to_unix (from) * G_USEC_PER_SEC,
                                  g_date_time_to_unix (to) * G_USEC_PER_SEC,
                                  &error);
  if (posts == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not read the posts: %s"), error->message);

      g_warning ("Listing posts failed: %s", error->message);
      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }

  layout = layout_key (posts, self->zone, tz);
  if (g_strcmp0 (layout, self->layout_key) != 0)
    {
      g_free (self->layout_key);
      self->layout_key = g_steal_pointer (&layout);
      rebuild (self, posts);
      return;
    }

  for (guint i = 0; i < posts->len; i++)
    {
      const SmPost *post = g_ptr_array_index (posts, i);
      g_autofree char *key = post_key (post);
      SmPostRow *row = g_hash_table_lookup (self->rows, &post->id);

      if (row == NULL || g_strcmp0 (key, g_hash_table_lookup (self->post_keys, &post->id)) == 0)
        continue;

      sm_post_row_set_post (row, post, self->zone);
      g_hash_table_insert (self->post_keys, g_memdup2 (&post->id, sizeof post->id),
                           g_steal_pointer (&key));
    }
}

void
sm_agenda_view_update_post (SmAgendaView *self,
                            gint64        post_id)
{
  g_return_if_fail (SM_IS_AGENDA_VIEW (self));

  /* Reading the whole range is a small query; it also catches the post
   * moving to another day or leaving the range. */
  g_debug ("Post %" G_GINT64_FORMAT " changed", post_id);
  sm_agenda_view_reload (self);
}

gboolean
sm_agenda_view_show_post (SmAgendaView *self,
                          gint64        post_id)
{
  GtkWidget *row;

  g_return_val_if_fail (SM_IS_AGENDA_VIEW (self), FALSE);

  sm_agenda_view_reload (self);

  row = g_hash_table_lookup (self->rows, &post_id);
  if (row == NULL)
    return FALSE;

  gtk_widget_grab_focus (row);
  return TRUE;
}
