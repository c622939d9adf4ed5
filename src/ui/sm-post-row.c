/* sm-post-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-post-row"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-post-row.h"
#include "sm-ui-util.h"

struct _SmPostRow
{
  GtkWidget      parent_instance;

  /* template widgets */
  GtkWidget     *row_box;
  GtkLabel      *day_label;
  GtkWidget     *card;
  GtkLabel      *time_label;
  GtkLabel      *text_label;
  GtkLabel      *zone_label;
  GtkBox        *targets_box;
  GtkWidget     *edit_button;

  /* owned */
  SmAgendaItem  *item;
  GHashTable    *progress;    /* target id → its upload progress box */
};

enum {
  RETRY_TARGET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SmPostRow, sm_post_row, GTK_TYPE_WIDGET)

static const char *
state_icon_name (SmTargetState state)
{
  switch (state)
    {
    case SM_TARGET_DRAFT:       return "document-edit-symbolic";
    case SM_TARGET_SCHEDULED:   return "alarm-symbolic";
    case SM_TARGET_PUBLISHING:  return "emblem-synchronizing-symbolic";
    case SM_TARGET_PUBLISHED:   return "emblem-ok-symbolic";
    case SM_TARGET_FAILED:      return "dialog-error-symbolic";
    case SM_TARGET_UNCONFIRMED: return "dialog-warning-symbolic";
    default:                    return "alarm-symbolic";
    }
}

static void
view_post_clicked_cb (GtkButton *button,
                      SmPostRow *self)
{
  const char *uri = g_object_get_data (G_OBJECT (button), "sm-permalink");

  if (uri != NULL)
    sm_ui_open_uri (GTK_WIDGET (self), uri);
}

static void
retry_clicked_cb (GtkButton *button,
                  SmPostRow *self)
{
  gint64 *target_id = g_object_get_data (G_OBJECT (button), "sm-target-id");

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  g_signal_emit (self, signals[RETRY_TARGET], 0, *target_id);
}

static GtkWidget *
build_target (SmPostRow      *self,
              const SmTarget *target)
{
  const char *state_class = sm_target_state_to_string (target->state);
  g_autofree char *who = NULL;
  g_autofree char *accessible = NULL;
  GtkWidget *box, *line, *chip, *image, *label, *state_label;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (box), line);

  chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (chip, "sm-chip");
  if (state_class != NULL)
    gtk_widget_add_css_class (chip, state_class);
  gtk_widget_set_valign (chip, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (line), chip);

  image = gtk_image_new_from_icon_name (state_icon_name (target->state));
  gtk_accessible_update_state (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_box_append (GTK_BOX (chip), image);

  /* Translators: network and account of a post, e.g. "X · Jane Doe" */
  who = g_strdup_printf (_("%s · %s"), sm_network_display_name (target->network),
                         target->account_name != NULL ? target->account_name : "");
  label = gtk_label_new (who);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (chip), label);

  state_label = gtk_label_new (sm_target_state_display (target->state));
  gtk_widget_add_css_class (state_label, "sm-state");
  gtk_box_append (GTK_BOX (chip), state_label);

  /* Translators: how a screen reader reads one target, e.g. "X · Jane Doe: Published" */
  accessible = g_strdup_printf (_("%s: %s"), who, sm_target_state_display (target->state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (chip),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  /* The name may be cut short on a narrow window. */
  gtk_widget_set_tooltip_text (chip, accessible);

  if (target->state == SM_TARGET_PUBLISHED && target->permalink != NULL && *target->permalink != '\0')
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_View Post"));
      g_autofree char *tooltip = g_strdup_printf (_("Open %s"), target->permalink);

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, tooltip);
      g_object_set_data_full (G_OBJECT (button), "sm-permalink",
                              g_strdup (target->permalink), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (view_post_clicked_cb), self);
      gtk_box_append (GTK_BOX (line), button);
    }
  else if (target->state == SM_TARGET_FAILED)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Retry"));

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Put this post back in the queue, due now"));
      g_object_set_data_full (G_OBJECT (button), "sm-target-id",
                              g_memdup2 (&target->id, sizeof target->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (retry_clicked_cb), self);
      gtk_box_append (GTK_BOX (line), button);
    }

  if (target->state == SM_TARGET_PUBLISHING)
    {
      GtkWidget *progress = sm_ui_upload_progress_new (who);
      guint64 sent, total;

      gtk_widget_set_margin_start (progress, 10);
      if (sm_agenda_item_get_upload (self->item, target->id, &sent, &total))
        sm_ui_upload_progress_set (progress, sent, total);
      g_hash_table_insert (self->progress, g_memdup2 (&target->id, sizeof target->id), progress);
      gtk_box_append (GTK_BOX (box), progress);
    }

  if (target->state == SM_TARGET_FAILED || target->state == SM_TARGET_UNCONFIRMED)
    {
      const char *detail;
      GtkWidget *detail_label;

      if (target->state == SM_TARGET_UNCONFIRMED)
        detail = _("Sent, but the network did not confirm; checking…");
      else if (target->last_error != NULL && *target->last_error != '\0')
        detail = target->last_error;
      else
        detail = _("The network refused this post.");

      detail_label = gtk_label_new (detail);
      gtk_label_set_xalign (GTK_LABEL (detail_label), 0);
      gtk_label_set_wrap (GTK_LABEL (detail_label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (detail_label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (detail_label), target->state == SM_TARGET_FAILED);
      gtk_widget_set_margin_start (detail_label, 10);
      gtk_widget_add_css_class (detail_label, "caption");
      gtk_widget_add_css_class (detail_label, "sm-target-detail");
      gtk_widget_add_css_class (detail_label, state_class);
      if (target->state == SM_TARGET_UNCONFIRMED)
        gtk_widget_add_css_class (detail_label, "dim-label");
      gtk_box_append (GTK_BOX (box), detail_label);
    }

  return box;
}

/* Shows the item's post, replacing what the row showed. */
static void
show_post (SmPostRow *self)
{
  const SmPost *post = sm_agenda_item_get_post (self->item);
  const char *zone = sm_agenda_item_get_zone (self->item);
  const char *day = sm_agenda_item_get_day_title (self->item);
  g_autoptr(GTimeZone) tz = sm_ui_time_zone_new (zone);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *time = NULL;
  g_autofree char *accessible = NULL;
  GtkWidget *child;

  /* The first post of a day carries the day's heading; the last one the
   * space before the next day. */
  gtk_label_set_text (self->day_label, day != NULL ? day : "");
  gtk_widget_set_visible (GTK_WIDGET (self->day_label), day != NULL);
  if (sm_agenda_item_get_last_of_day (self->item))
    gtk_widget_add_css_class (self->row_box, "last-of-day");
  else
    gtk_widget_remove_css_class (self->row_box, "last-of-day");

  utc = g_date_time_new_from_unix_utc (post->due_us / G_USEC_PER_SEC);
  local = g_date_time_to_timezone (utc, tz);
  time = sm_ui_format_time (local);
  gtk_label_set_text (self->time_label, time);
  gtk_label_set_text (self->text_label, post->text);

  /* The user meant a time in another zone: say which, so "09:00" in New
   * York is not mistaken for 09:00 here. */
  if (post->time_zone != NULL && zone != NULL && g_strcmp0 (post->time_zone, zone) != 0)
    {
      g_autoptr(GTimeZone) post_tz = sm_ui_time_zone_new (post->time_zone);
      g_autoptr(GDateTime) there = g_date_time_to_timezone (utc, post_tz);
      g_autofree char *there_time = sm_ui_format_time (there);
      /* Translators: "15:00 in America/New_York" */
      g_autofree char *note = g_strdup_printf (_("%s in %s"), there_time, post->time_zone);

      gtk_label_set_text (self->zone_label, note);
      gtk_widget_set_visible (GTK_WIDGET (self->zone_label), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->zone_label), FALSE);
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->targets_box))) != NULL)
    gtk_box_remove (self->targets_box, child);
  g_hash_table_remove_all (self->progress);
  for (guint i = 0; post->targets != NULL && i < post->targets->len; i++)
    gtk_box_append (self->targets_box, build_target (self, g_ptr_array_index (post->targets, i)));

  /* Edit, as in the calendar's popover, while no part of it has left. */
  gtk_widget_set_visible (self->edit_button, sm_post_can_change (post));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->edit_button),
                                          g_variant_new_int64 (post->id));
  /* Named once it has a target: an action taking a post id refuses none. */
  if (gtk_actionable_get_action_name (GTK_ACTIONABLE (self->edit_button)) == NULL)
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->edit_button), "win.edit-post");
  {
    /* Translators: accessible name of a button, "Edit the post at 09:00" */
    g_autofree char *edit_label = g_strdup_printf (_("Edit the post at %s"), time);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->edit_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, edit_label,
                                    -1);
  }

  /* Translators: how a screen reader reads a post, "At 09:00: text" */
  accessible = g_strdup_printf (_("At %s: %s"), time, post->text);
  if (day != NULL)
    {
      /* The heading is part of the row: a screen reader hears the day
       * when it reaches its first post. */
      g_autofree char *with_day = NULL;

      /* Translators: the first post of a day, for screen readers: "Today, At 09:00: text" */
      with_day = g_strdup_printf (_("%s, %s"), day, accessible);
      g_free (accessible);
      accessible = g_steal_pointer (&with_day);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
item_changed_cb (SmAgendaItem *item,
                 SmPostRow    *self)
{
  show_post (self);
}

static void
item_upload_changed_cb (SmAgendaItem *item,
                        gint64        target_id,
                        SmPostRow    *self)
{
  GtkWidget *progress = g_hash_table_lookup (self->progress, &target_id);
  guint64 sent = 0, total = 0;

  if (progress == NULL)
    return;
  sm_agenda_item_get_upload (item, target_id, &sent, &total);
  sm_ui_upload_progress_set (progress, sent, total);
}

static void
sm_post_row_dispose (GObject *object)
{
  SmPostRow *self = (SmPostRow *) object;

  sm_post_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_POST_ROW);

  G_OBJECT_CLASS (sm_post_row_parent_class)->dispose (object);
}

static void
sm_post_row_finalize (GObject *object)
{
  SmPostRow *self = (SmPostRow *) object;

  g_clear_pointer (&self->progress, g_hash_table_unref);

  G_OBJECT_CLASS (sm_post_row_parent_class)->finalize (object);
}

static void
sm_post_row_class_init (SmPostRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sm_post_row_dispose;
  G_OBJECT_CLASS (klass)->finalize = sm_post_row_finalize;

  /**
   * SmPostRow::retry-target:
   * @target_id: the failed target the user wants to send again
   */
  signals[RETRY_TARGET] =
    g_signal_new ("retry-target",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-post-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SmPostRow, row_box);
  gtk_widget_class_bind_template_child (widget_class, SmPostRow, day_label);
  gtk_widget_class_bind_template_child (widget_class, SmPostRow, card);
  gtk_widget_class_bind_template_child (widget_class, SmPostRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, SmPostRow, text_label);
  gtk_widget_class_bind_template_child (widget_class, SmPostRow, zone_label);
  gtk_widget_class_bind_template_child (widget_class, SmPostRow, targets_box);
  gtk_widget_class_bind_template_child (widget_class, SmPostRow, edit_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sm-post-row");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sm_post_row_init (SmPostRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->progress = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/**
 * sm_post_row_new:
 *
 * A row for the agenda's list view, showing nothing until
 * sm_post_row_set_item().
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
sm_post_row_new (void)
{
  return g_object_new (SM_TYPE_POST_ROW, NULL);
}

/**
 * sm_post_row_set_item:
 * @self: a #SmPostRow
 * @item: (nullable): the post to show, or %NULL when the row is recycled
 *
 * Shows @item and follows its changes until another item is set.
 */
void
sm_post_row_set_item (SmPostRow    *self,
                      SmAgendaItem *item)
{
  g_return_if_fail (SM_IS_POST_ROW (self));
  g_return_if_fail (item == NULL || SM_IS_AGENDA_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->item, self);
      g_clear_object (&self->item);
    }
  if (item == NULL)
    return;

  self->item = g_object_ref (item);
  g_signal_connect (item, "changed", G_CALLBACK (item_changed_cb), self);
  g_signal_connect (item, "upload-changed", G_CALLBACK (item_upload_changed_cb), self);
  show_post (self);
}

SmAgendaItem *
sm_post_row_get_item (SmPostRow *self)
{
  g_return_val_if_fail (SM_IS_POST_ROW (self), NULL);

  return self->item;
}

gint64
sm_post_row_get_post_id (SmPostRow *self)
{
  g_return_val_if_fail (SM_IS_POST_ROW (self), 0);

  return self->item != NULL ? sm_agenda_item_get_post (self->item)->id : 0;
}

/**
 * sm_post_row_set_upload_progress:
 * @self: a #SmPostRow
 * @target_id: one of the post's targets
 * @sent: bytes the network has so far
 * @total: bytes in all, or 0 when it is no longer being uploaded
 *
 * Shows "Uploading 42% (120 MB of 290 MB)" with a progress bar under a
 * target being published, or hides it.  The numbers are kept by the row's
 * item, so a row recycled and bound again shows them too.
 */
void
sm_post_row_set_upload_progress (SmPostRow *self,
                                 gint64     target_id,
                                 guint64    sent,
                                 guint64    total)
{
  g_return_if_fail (SM_IS_POST_ROW (self));

  if (self->item != NULL)
    sm_agenda_item_set_upload (self->item, target_id, sent, total);
}

/* "Uploading 42% (…)" as shown for @target_id, or NULL. */
const char *
sm_post_row_get_upload_text (SmPostRow *self,
                             gint64     target_id)
{
  GtkWidget *progress;

  g_return_val_if_fail (SM_IS_POST_ROW (self), NULL);

  progress = g_hash_table_lookup (self->progress, &target_id);
  return progress != NULL ? sm_ui_upload_progress_get_text (progress) : NULL;
}
