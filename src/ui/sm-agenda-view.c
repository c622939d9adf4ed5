/* sm-agenda-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-agenda"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-agenda-item.h"
#include "sm-agenda-view.h"
#include "sm-post-row.h"
#include "sm-time.h"
#include "sm-ui-util.h"

#define DAYS_BEFORE 7
#define DAYS_AFTER  60
/* Frames to wait for the row of a post scrolled to before giving up. */
#define FOCUS_TRIES 120

/* The agenda is a GtkListView over SmAgendaItems, one per post, in due
 * order; a day's heading is part of its first post's row.  The list view
 * makes rows only for what is on screen and recycles them, and the posts
 * are read in a thread with a connection of its own, so showing the
 * agenda costs a few rows, not one widget tree per post of two months. */
struct _SmAgendaView
{
  AdwBin             parent_instance;

  /* template widgets */
  GtkStack          *stack;
  GtkScrolledWindow *scrolled_window;
  GtkListView       *list_view;
  GtkSpinner        *spinner;

  /* owned */
  SmStore           *store;
  SmStore           *reader;        /* the loading thread's connection */
  GListStore        *items;         /* SmAgendaItem, in due order */
  GHashTable        *by_id;         /* post id → SmAgendaItem (borrowed) */
  gint64             workspace_id;  /* 0: the default one */
  char              *zone;
  GCancellable      *cancellable;
  gboolean           loading;
  gboolean           reload_again;  /* asked while a read was running */
  gint64             focus_post_id; /* to focus once its row is made */
  guint              focus_tick_id;
  guint              focus_tries;
};

G_DEFINE_FINAL_TYPE (SmAgendaView, sm_agenda_view, ADW_TYPE_BIN)

typedef struct
{
  SmStore   *reader;   /* NULL: opened by the thread */
  char      *dir;
  gint64     workspace_id;
  char      *zone;     /* out */
  GPtrArray *posts;    /* out */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->reader);
  g_clear_pointer (&data->dir, g_free);
  g_clear_pointer (&data->zone, g_free);
  g_clear_pointer (&data->posts, g_ptr_array_unref);
  g_free (data);
}

static void start_load (SmAgendaView *self);

static GDateTime *
local_due (const SmPost *post,
           GTimeZone    *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (post->due_us / G_USEC_PER_SEC);

  return g_date_time_to_timezone (utc, tz);
}

/* Whole days in @zone: from a week ago to two months on. */
static void
agenda_range (const char *zone,
              gint64     *from_us,
              gint64     *to_us)
{
  g_autoptr(GTimeZone) tz = sm_ui_time_zone_new (zone);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) midnight = NULL;
  g_autoptr(GDateTime) from = NULL;
  g_autoptr(GDateTime) to = NULL;

  midnight = g_date_time_new (tz, g_date_time_get_year (now), g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now), 0, 0, 0);
  from = g_date_time_add_days (midnight, -DAYS_BEFORE);
  to = g_date_time_add_days (midnight, DAYS_AFTER + 1);
  *from_us = g_date_time_to_unix (from) * G_USEC_PER_SEC;
  *to_us = g_date_time_to_unix (to) * G_USEC_PER_SEC;
}

static char *
workspace_zone (SmStore *store,
                gint64   workspace_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = NULL;

  if (sm_store_resolve_workspace (store, workspace_id, &zone, &error) <= 0 || zone == NULL)
    {
      g_debug ("No workspace zone, using the local one: %s",
               error != NULL ? error->message : "none set");
      g_clear_pointer (&zone, g_free);
      zone = sm_time_local_zone_id ();
    }
  return g_steal_pointer (&zone);
}

/* What the agenda shows: the workspace's zone, and its posts from a week
 * ago to two months on, oldest first.  Runs in the loading thread, on its
 * own connection. */
static GPtrArray *
load_posts (SmStore  *store,
            gint64    workspace_id,
            char    **zone_out,
            GError  **error)
{
  g_autofree char *zone = workspace_zone (store, workspace_id);
  GPtrArray *posts;
  gint64 from_us, to_us;

  agenda_range (zone, &from_us, &to_us);
  posts = sm_store_list_posts_in (store, workspace_id, from_us, to_us, error);
  if (posts != NULL)
    *zone_out = g_steal_pointer (&zone);
  return posts;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (data->reader == NULL)
    data->reader = sm_store_open (data->dir, &error);
  if (data->reader != NULL)
    data->posts = load_posts (data->reader, data->workspace_id, &data->zone, &error);
  if (data->posts == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static SmAgendaItem *
item_at (SmAgendaView *self,
         guint         position)
{
  g_autoptr(SmAgendaItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), position);

  /* The list store keeps its own reference. */
  return item;
}

static SmPostRow *
find_row (SmAgendaView *self,
          gint64        post_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (SM_IS_POST_ROW (row) && gtk_widget_get_child_visible (child) &&
          sm_post_row_get_post_id (SM_POST_ROW (row)) == post_id)
        return SM_POST_ROW (row);
    }
  return NULL;
}

static gboolean
focus_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  SmAgendaView *self = user_data;
  SmPostRow *row = find_row (self, self->focus_post_id);

  if (row == NULL && ++self->focus_tries < FOCUS_TRIES)
    return G_SOURCE_CONTINUE;

  if (row != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (row));
  self->focus_post_id = 0;
  self->focus_tick_id = 0;
  return G_SOURCE_REMOVE;
}

/* Scrolls to the pending post and focuses its row once the list view has
 * made it (on a later frame). */
static void
focus_pending (SmAgendaView *self)
{
  SmAgendaItem *item = g_hash_table_lookup (self->by_id, &self->focus_post_id);
  guint position;

  if (item == NULL || !g_list_store_find (self->items, item, &position))
    return;

  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
  self->focus_tries = 0;
  if (self->focus_tick_id == 0)
    self->focus_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                        focus_tick_cb, self, NULL);
}

/* Puts what was read into the model.  Items are kept per post, and only
 * the part of the list between the unchanged start and end is replaced,
 * so an update leaves the rows around it, the scroll position and the
 * focus where the user left them. */
static void
apply_posts (SmAgendaView *self,
             GPtrArray    *posts,
             const char   *zone)
{
  g_autoptr(GTimeZone) tz = sm_ui_time_zone_new (zone);
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (posts->len, g_object_unref);
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) days = g_array_sized_new (FALSE, FALSE, sizeof (gint), posts->len);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  guint prefix = 0, suffix = 0;

  g_free (self->zone);
  self->zone = g_strdup (zone);

  /* The items take the posts. */
  g_ptr_array_set_free_func (posts, NULL);
  for (guint i = 0; i < posts->len; i++)
    {
      SmPost *post = g_ptr_array_index (posts, i);
      SmAgendaItem *item = g_hash_table_lookup (self->by_id, &post->id);
      g_autoptr(GDateTime) due = local_due (post, tz);
      gint day = g_date_time_get_year (due) * 1000 + g_date_time_get_day_of_year (due);

      if (item != NULL)
        {
          g_object_ref (item);
          sm_agenda_item_set_post (item, post, zone);
        }
      else
        {
          item = sm_agenda_item_new (post, zone);
        }
      g_ptr_array_add (items, item);
      g_array_append_val (days, day);
      g_hash_table_insert (by_id, g_memdup2 (&post->id, sizeof post->id), item);
    }
  g_ptr_array_set_size (posts, 0);

  /* Headings: on each day's first post, "Today" and "Tomorrow" moving on
   * at midnight. */
  for (guint i = 0; i < items->len; i++)
    {
      SmAgendaItem *item = g_ptr_array_index (items, i);
      gint day = g_array_index (days, gint, i);
      gboolean first = i == 0 || g_array_index (days, gint, i - 1) != day;
      gboolean last = i + 1 == items->len || g_array_index (days, gint, i + 1) != day;
      g_autofree char *title = NULL;

      if (first)
        {
          g_autoptr(GDateTime) due = local_due (sm_agenda_item_get_post (item), tz);

          title = sm_ui_format_day (due);
        }
      sm_agenda_item_set_day (item, title, last);
    }

  while (prefix < n_old && prefix < items->len &&
         item_at (self, prefix) == g_ptr_array_index (items, prefix))
    prefix++;
  while (suffix < n_old - prefix && suffix < items->len - prefix &&
         item_at (self, n_old - 1 - suffix) == g_ptr_array_index (items, items->len - 1 - suffix))
    suffix++;
  if (prefix + suffix < n_old || prefix + suffix < items->len)
    g_list_store_splice (self->items, prefix, n_old - prefix - suffix,
                         items->pdata + prefix, items->len - prefix - suffix);

  g_hash_table_unref (self->by_id);
  self->by_id = g_steal_pointer (&by_id);

  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "list" : "empty");

  if (self->focus_post_id != 0)
    {
      if (g_hash_table_contains (self->by_id, &self->focus_post_id))
        focus_pending (self);
      else if (!self->reload_again)
        self->focus_post_id = 0;
    }
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SmAgendaView *self = SM_AGENDA_VIEW (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *title = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->loading = FALSE;
      title = g_strdup_printf (_("Could not read the posts: %s"), error->message);
      g_warning ("Listing posts failed: %s", error->message);
      sm_ui_show_toast (GTK_WIDGET (self), title);
      gtk_spinner_stop (self->spinner);
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "loading") == 0)
        gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    {
      self->loading = FALSE;
      if (self->reader == NULL)
        self->reader = g_object_ref (data->reader);
      /* Another workspace was chosen meanwhile: its read follows. */
      if (data->workspace_id == self->workspace_id)
        apply_posts (self, data->posts, data->zone);
    }

  if (self->reload_again)
    {
      self->reload_again = FALSE;
      start_load (self);
    }
}

static void
start_load (SmAgendaView *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  if (self->loading)
    {
      self->reload_again = TRUE;
      return;
    }

  self->loading = TRUE;
  data = g_new0 (LoadData, 1);
  data->reader = self->reader != NULL ? g_object_ref (self->reader) : NULL;
  data->dir = g_strdup (sm_store_get_dir (self->store));
  data->workspace_id = self->workspace_id;
  task = g_task_new (self, self->cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, start_load);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
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
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              SmAgendaView             *self)
{
  GtkWidget *row = sm_post_row_new ();

  /* The row itself takes the focus; its buttons are reached with Tab. */
  gtk_list_item_set_activatable (list_item, FALSE);
  gtk_list_item_set_selectable (list_item, FALSE);
  g_signal_connect_object (row, "retry-target", G_CALLBACK (retry_target_cb), self, 0);
  gtk_list_item_set_child (list_item, row);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             SmAgendaView             *self)
{
  sm_post_row_set_item (SM_POST_ROW (gtk_list_item_get_child (list_item)),
                        gtk_list_item_get_item (list_item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               SmAgendaView             *self)
{
  sm_post_row_set_item (SM_POST_ROW (gtk_list_item_get_child (list_item)), NULL);
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
      SmAgendaItem *item = g_hash_table_lookup (self->by_id, &target->post_id);

      if (item != NULL)
        sm_agenda_item_set_upload (item, target_id, 0, 0);
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
  SmAgendaItem *item;

  if (self->store == NULL || total == 0)
    return;
  target = sm_store_get_target (self->store, target_id, &error);
  if (target == NULL)
    {
      g_debug ("Progress of an unknown target %" G_GINT64_FORMAT ": %s", target_id, error->message);
      return;
    }
  item = g_hash_table_lookup (self->by_id, &target->post_id);
  if (item != NULL)
    sm_agenda_item_set_upload (item, target_id, sent, total);
}

static void
sm_agenda_view_dispose (GObject *object)
{
  SmAgendaView *self = (SmAgendaView *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->focus_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->focus_tick_id);
      self->focus_tick_id = 0;
    }
  g_clear_object (&self->store);
  g_clear_object (&self->reader);

  G_OBJECT_CLASS (sm_agenda_view_parent_class)->dispose (object);
}

static void
sm_agenda_view_finalize (GObject *object)
{
  SmAgendaView *self = (SmAgendaView *) object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_object (&self->items);
  g_clear_pointer (&self->zone, g_free);

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
  gtk_widget_class_bind_template_child (widget_class, SmAgendaView, list_view);
  gtk_widget_class_bind_template_child (widget_class, SmAgendaView, spinner);
}

static void
sm_agenda_view_init (SmAgendaView *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->items = g_list_store_new (SM_TYPE_AGENDA_ITEM);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row_cb), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_row_cb), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->items)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));

  sm_ui_watch_target_changed (G_OBJECT (self), target_changed_cb);
  sm_ui_watch_upload_progress (G_OBJECT (self), upload_progress_cb);
}

/**
 * sm_agenda_view_set_store:
 * @self: a #SmAgendaView
 * @store: the profile's store
 *
 * Sets the store to read posts from, and starts reading them.
 */
void
sm_agenda_view_set_store (SmAgendaView *self,
                          SmStore      *store)
{
  g_return_if_fail (SM_IS_AGENDA_VIEW (self));
  g_return_if_fail (SM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  g_clear_object (&self->reader);
  gtk_spinner_start (self->spinner);
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

/**
 * sm_agenda_view_reload:
 * @self: a #SmAgendaView
 *
 * Reads the posts again in a thread; what changed is updated in place
 * when the read is done.
 */
void
sm_agenda_view_reload (SmAgendaView *self)
{
  g_return_if_fail (SM_IS_AGENDA_VIEW (self));

  if (self->store == NULL)
    return;

  start_load (self);
}

void
sm_agenda_view_update_post (SmAgendaView *self,
                            gint64        post_id)
{
  SmAgendaItem *item;
  SmPost *post;

  g_return_if_fail (SM_IS_AGENDA_VIEW (self));

  if (self->store == NULL)
    return;

  /* Same day and time: its row follows at once (one small query).
   * Anything else (moved, gone, new) is a read of the whole range. */
  item = g_hash_table_lookup (self->by_id, &post_id);
  post = item != NULL ? sm_store_get_post (self->store, post_id, NULL) : NULL;
  if (post != NULL && post->due_us == sm_agenda_item_get_post (item)->due_us)
    {
      g_debug ("Post %" G_GINT64_FORMAT " changed in place", post_id);
      sm_agenda_item_set_post (item, post, self->zone);
      return;
    }
  g_clear_pointer (&post, sm_post_free);

  g_debug ("Post %" G_GINT64_FORMAT " changed", post_id);
  sm_agenda_view_reload (self);
}

/**
 * sm_agenda_view_show_post:
 * @self: a #SmAgendaView
 * @post_id: the post
 *
 * Scrolls to the post's row and focuses it, once the posts are read.
 *
 * Returns: %FALSE when the post is not in the agenda's range
 */
gboolean
sm_agenda_view_show_post (SmAgendaView *self,
                          gint64        post_id)
{
  g_return_val_if_fail (SM_IS_AGENDA_VIEW (self), FALSE);

  if (self->store == NULL)
    return FALSE;

  if (!g_hash_table_contains (self->by_id, &post_id))
    {
      g_autoptr(SmPost) post = sm_store_get_post (self->store, post_id, NULL);
      g_autofree char *zone = self->zone != NULL ? g_strdup (self->zone) : workspace_zone (self->store, self->workspace_id);
      gint64 from_us, to_us;

      if (post == NULL)
        return FALSE;
      agenda_range (zone, &from_us, &to_us);
      if (post->due_us < from_us || post->due_us >= to_us)
        return FALSE;
    }

  self->focus_post_id = post_id;
  /* Focused now if shown, else when the read brings it. */
  focus_pending (self);
  sm_agenda_view_reload (self);
  return TRUE;
}
