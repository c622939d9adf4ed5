/* sm-post-popover.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-calendar"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-post-popover.h"
#include "sm-ui-util.h"

struct _SmPostPopover
{
  GtkPopover  parent_instance;

  gint64      post_id;
  GHashTable *progress;   /* target id → its upload progress box */
  GtkLabel   *account_times;
};

G_DEFINE_FINAL_TYPE (SmPostPopover, sm_post_popover, GTK_TYPE_POPOVER)

static GtkWidget *
action_button (const char *label,
               const char *icon_name,
               const char *accessible,
               const char *action,
               GVariant   *target)
{
  GtkWidget *button = gtk_button_new ();

  if (label != NULL)
    {
      gtk_button_set_label (GTK_BUTTON (button), label);
      gtk_button_set_use_underline (GTK_BUTTON (button), TRUE);
    }
  else
    {
      gtk_button_set_icon_name (GTK_BUTTON (button), icon_name);
      gtk_widget_set_tooltip_text (button, accessible);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_widget_add_css_class (button, "flat");

  return button;
}

static GtkWidget *
target_box (SmPostPopover  *self,
            const SmTarget *target)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  g_autofree char *who = NULL;
  g_autofree char *delete_label = NULL;
  GtkWidget *name, *state;
  const char *network = sm_network_display_name (target->network);

  /* Translators: "X · Ada Lovelace" */
  who = g_strdup_printf (_("%s · %s"), network, target->account_name);
  name = gtk_label_new (who);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "heading");
  state = gtk_label_new (sm_target_state_display (target->state));
  gtk_widget_add_css_class (state, "sm-cal-target-state");
  gtk_widget_add_css_class (state, sm_target_state_to_string (target->state));
  gtk_box_append (GTK_BOX (line), name);
  gtk_box_append (GTK_BOX (line), state);
  gtk_box_append (GTK_BOX (box), line);

  {
    GtkWidget *progress = sm_ui_upload_progress_new (who);

    g_hash_table_insert (self->progress, g_memdup2 (&target->id, sizeof target->id), progress);
    gtk_box_append (GTK_BOX (box), progress);
  }

  if (target->last_error != NULL && *target->last_error != '\0')
    {
      GtkWidget *error = gtk_label_new (target->last_error);

      gtk_label_set_wrap (GTK_LABEL (error), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (error), 44);
      gtk_label_set_xalign (GTK_LABEL (error), 0);
      gtk_widget_add_css_class (error, "sm-target-detail");
      if (target->state == SM_TARGET_FAILED)
        gtk_widget_add_css_class (error, "failed");
      else
        gtk_widget_add_css_class (error, "dim-label");
      gtk_box_append (GTK_BOX (box), error);
    }

  if (target->permalink != NULL && *target->permalink != '\0')
    {
      g_autofree char *accessible = g_strdup_printf (_("Open the post on %s"), network);

      gtk_box_append (GTK_BOX (buttons),
                      action_button (_("_Open Post"), NULL, accessible, "calendar.open-link",
                                     g_variant_new_string (target->permalink)));
    }
  if (target->state == SM_TARGET_FAILED)
    {
      g_autofree char *accessible = g_strdup_printf (_("Send again to %s"), network);

      gtk_box_append (GTK_BOX (buttons),
                      action_button (_("_Retry"), NULL, accessible, "calendar.retry-target",
                                     g_variant_new_int64 (target->id)));
    }
  /* Translators: accessible label of a trash button: "Delete from X" */
  delete_label = g_strdup_printf (_("Delete from %s"), network);
  gtk_box_append (GTK_BOX (buttons),
                  action_button (NULL, "user-trash-symbolic", delete_label, "calendar.delete-target",
                                 g_variant_new_int64 (target->id)));
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), buttons);

  return box;
}

static void
sm_post_popover_finalize (GObject *object)
{
  SmPostPopover *self = (SmPostPopover *) object;

  g_clear_pointer (&self->progress, g_hash_table_unref);

  G_OBJECT_CLASS (sm_post_popover_parent_class)->finalize (object);
}

static void
sm_post_popover_class_init (SmPostPopoverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sm_post_popover_finalize;
}

static void
sm_post_popover_init (SmPostPopover *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "sm-post-popover");
  self->progress = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/**
 * sm_post_popover_new:
 * @post: the post, with its targets
 * @zone: the zone its time is shown in
 *
 * Returns: (transfer floating): a popover, to be parented by the caller
 */
GtkWidget *
sm_post_popover_new (const SmPost *post,
                     const char   *zone)
{
  SmPostPopover *self;
  g_autofree char *when = NULL;
  GtkWidget *box, *title, *text, *duplicate;

  g_return_val_if_fail (post != NULL, NULL);

  self = g_object_new (SM_TYPE_POST_POPOVER, NULL);
  self->post_id = post->id;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  when = sm_ui_format_when (post->due_us, zone);
  title = gtk_label_new (when);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "title-4");
  gtk_box_append (GTK_BOX (box), title);

  /* The time in accounts' own zones, when one differs. */
  self->account_times = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->account_times, 0);
  gtk_label_set_wrap (self->account_times, TRUE);
  gtk_label_set_max_width_chars (self->account_times, 44);
  gtk_widget_add_css_class (GTK_WIDGET (self->account_times), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (self->account_times), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->account_times));

  text = gtk_label_new (post->text);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (text), 44);
  gtk_label_set_lines (GTK_LABEL (text), 6);
  gtk_label_set_ellipsize (GTK_LABEL (text), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_box_append (GTK_BOX (box), text);

  for (guint i = 0; post->targets != NULL && i < post->targets->len; i++)
    gtk_box_append (GTK_BOX (box), target_box (self, g_ptr_array_index (post->targets, i)));

  duplicate = action_button (_("_Duplicate"), NULL, _("Duplicate this post as a new draft"),
                             "calendar.duplicate-post", g_variant_new_int64 (post->id));
  gtk_widget_set_halign (duplicate, GTK_ALIGN_START);
  /* Edit while nothing of it has gone out; a published post is
   * duplicated instead. */
  if (sm_post_can_change (post))
    {
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      gtk_box_append (GTK_BOX (buttons),
                      action_button (_("_Edit…"), NULL, _("Edit this post in the composer"),
                                     "calendar.edit-post", g_variant_new_int64 (post->id)));
      gtk_box_append (GTK_BOX (buttons), duplicate);
      gtk_box_append (GTK_BOX (box), buttons);
    }
  else
    gtk_box_append (GTK_BOX (box), duplicate);

  gtk_popover_set_child (GTK_POPOVER (self), box);

  return GTK_WIDGET (self);
}

gint64
sm_post_popover_get_post_id (SmPostPopover *self)
{
  g_return_val_if_fail (SM_IS_POST_POPOVER (self), 0);

  return self->post_id;
}

/**
 * sm_post_popover_set_upload_progress:
 * @self: a #SmPostPopover
 * @target_id: one of the post's targets
 * @sent: bytes the network has so far
 * @total: bytes in all, or 0 when it is not being uploaded
 *
 * Shows "Uploading 42% (120 MB of 290 MB)" with a progress bar under the
 * target, or hides it.
 */
void
sm_post_popover_set_upload_progress (SmPostPopover *self,
                                     gint64         target_id,
                                     guint64        sent,
                                     guint64        total)
{
  GtkWidget *progress;

  g_return_if_fail (SM_IS_POST_POPOVER (self));

  progress = g_hash_table_lookup (self->progress, &target_id);
  if (progress != NULL)
    sm_ui_upload_progress_set (progress, sent, total);
}

/* "Uploading 42% (…)" as shown for @target_id, or NULL. */
const char *
sm_post_popover_get_upload_text (SmPostPopover *self,
                                 gint64         target_id)
{
  GtkWidget *progress;

  g_return_val_if_fail (SM_IS_POST_POPOVER (self), NULL);

  progress = g_hash_table_lookup (self->progress, &target_id);
  return progress != NULL ? sm_ui_upload_progress_get_text (progress) : NULL;
}

/**
 * sm_post_popover_set_account_times:
 * @self: a #SmPostPopover
 * @times: (nullable): the post's time in its accounts' own zones, as
 *   sm_calendar_format_account_times() says it, or %NULL
 *
 * Shows "09:00 · 15:00 in Asia/Tokyo (Ana’s Bakery on Instagram)" under
 * the post's time.
 */
void
sm_post_popover_set_account_times (SmPostPopover *self,
                                   const char    *times)
{
  g_return_if_fail (SM_IS_POST_POPOVER (self));

  gtk_label_set_text (self->account_times, times != NULL ? times : "");
  gtk_widget_set_visible (GTK_WIDGET (self->account_times), times != NULL);
}
