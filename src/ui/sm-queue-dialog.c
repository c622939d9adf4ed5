/* sm-queue-dialog.c — "Posting Times": list, add and remove an account's
 * weekly queue slots and set the zone they are meant in.  Each change is
 * saved as it is made; the store's calls are single small statements, so
 * they run on the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-queue-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-queue.h"
#include "sm-queue-dialog.h"

struct _SmQueueDialog
{
  AdwWindow       parent_instance;

  /* template widgets */
  AdwWindowTitle *window_title;
  GtkLabel       *error_label;
  AdwEntryRow    *zone_row;
  AdwComboRow    *day_row;
  GtkStringList  *day_list;
  AdwEntryRow    *time_row;
  AdwPreferencesGroup *slots_group;

  /* owned */
  SmStore        *store;
  gint64          account_id;
  GPtrArray      *slot_rows;    /* the rows in slots_group */
};

G_DEFINE_FINAL_TYPE (SmQueueDialog, sm_queue_dialog, ADW_TYPE_WINDOW)

/* The day choices, in the order of day_row: weekday masks as in
 * sm_queue_parse_days(). */
static const guint day_masks[] = {
  0xfe, 0x3e, 1u << 1, 1u << 2, 1u << 3, 1u << 4, 1u << 5, 1u << 6, 1u << 7
};

static void
show_error (SmQueueDialog *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void reload_slots (SmQueueDialog *self);

static void
remove_clicked_cb (GtkButton     *button,
                   SmQueueDialog *self)
{
  g_autoptr(GError) error = NULL;
  int weekday = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sm-weekday"));
  int minute = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sm-minute"));

  if (!sm_store_remove_queue_slot (self->store, self->account_id, weekday, minute, &error))
    show_error (self, error->message);
  else
    show_error (self, NULL);
  reload_slots (self);
}

static GtkWidget *
build_slot_row (SmQueueDialog     *self,
                const SmQueueSlot *slot)
{
  g_autofree char *time = sm_queue_format_minute (slot->minute);
  g_autofree char *label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("list-remove-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sm_queue_day_display (slot->weekday));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), time);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* Translators: a button's tooltip and accessible name, "Remove Monday 09:30" */
  label = g_strdup_printf (_("Remove %s %s"), sm_queue_day_display (slot->weekday), time);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data (G_OBJECT (button), "sm-weekday", GINT_TO_POINTER (slot->weekday));
  g_object_set_data (G_OBJECT (button), "sm-minute", GINT_TO_POINTER (slot->minute));
  g_signal_connect_object (button, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
reload_slots (SmQueueDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) slots = sm_store_list_queue_slots (self->store, self->account_id, &error);

  for (guint i = 0; i < self->slot_rows->len; i++)
    adw_preferences_group_remove (self->slots_group, g_ptr_array_index (self->slot_rows, i));
  g_ptr_array_set_size (self->slot_rows, 0);

  if (slots == NULL)
    {
      show_error (self, error->message);
      return;
    }
  adw_preferences_group_set_description (self->slots_group,
                                         slots->len == 0
                                         ? _("No posting times yet. A post added to the queue "
                                             "goes to the next free posting time.")
                                         : NULL);
  for (guint i = 0; i < slots->len; i++)
    {
      GtkWidget *row = build_slot_row (self, &g_array_index (slots, SmQueueSlot, i));

      adw_preferences_group_add (self->slots_group, row);
      g_ptr_array_add (self->slot_rows, row);
    }
}

static void
add_clicked_cb (SmQueueDialog *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->time_row));
  guint choice = adw_combo_row_get_selected (self->day_row);
  int minute;

  if (!sm_queue_parse_time (text, &minute))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not a time of day; use HH:MM, such as 09:30."),
                                                  text);
      gtk_widget_add_css_class (GTK_WIDGET (self->time_row), "error");
      show_error (self, message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->time_row), "error");
  g_return_if_fail (choice < G_N_ELEMENTS (day_masks));
  for (int d = 1; d <= 7; d++)
    if ((day_masks[choice] & (1u << d)) &&
        !sm_store_add_queue_slot (self->store, self->account_id, d, minute, &error))
      {
        show_error (self, error->message);
        reload_slots (self);
        return;
      }
  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->time_row), "");
  reload_slots (self);
}

static void
zone_apply_cb (SmQueueDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->zone_row))));

  /* Empty: the workspace's zone again. */
  if (!sm_store_set_account_zone (self->store, self->account_id, *zone ? zone : NULL, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->zone_row), "error");
      show_error (self, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->zone_row), "error");
  show_error (self, NULL);
  g_clear_pointer (&zone, g_free);
  zone = sm_store_get_account_zone (self->store, self->account_id, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->zone_row), zone ? zone : "");
}

static void
sm_queue_dialog_dispose (GObject *object)
{
  SmQueueDialog *self = SM_QUEUE_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->slot_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (sm_queue_dialog_parent_class)->dispose (object);
}

static void
sm_queue_dialog_class_init (SmQueueDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_queue_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-queue-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SmQueueDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, SmQueueDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SmQueueDialog, zone_row);
  gtk_widget_class_bind_template_child (widget_class, SmQueueDialog, day_row);
  gtk_widget_class_bind_template_child (widget_class, SmQueueDialog, day_list);
  gtk_widget_class_bind_template_child (widget_class, SmQueueDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, SmQueueDialog, slots_group);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, zone_apply_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sm_queue_dialog_init (SmQueueDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->slot_rows = g_ptr_array_new ();
  gtk_string_list_append (self->day_list, _("Every Day"));
  gtk_string_list_append (self->day_list, _("Weekdays"));
  for (int d = 1; d <= 7; d++)
    gtk_string_list_append (self->day_list, sm_queue_day_display (d));
}

/**
 * sm_queue_dialog_new:
 * @parent: the window the dialog is modal for
 * @store: the profile's store
 * @account_id: the account whose posting times it shows
 *
 * A window listing @account_id's weekly posting times, with rows to add
 * one (a day, "Every Day" or "Weekdays", and a time), remove one, and set
 * the zone they are meant in.
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
sm_queue_dialog_new (GtkWindow *parent,
                     SmStore   *store,
                     gint64     account_id)
{
  g_autoptr(SmAccount) account = NULL;
  g_autofree char *zone = NULL;
  SmQueueDialog *self;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  self = g_object_new (SM_TYPE_QUEUE_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->account_id = account_id;

  account = sm_store_get_account (store, account_id, NULL);
  if (account != NULL)
    adw_window_title_set_subtitle (self->window_title, account->name);
  zone = sm_store_get_account_zone (store, account_id, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->zone_row), zone ? zone : "");
  reload_slots (self);
  return GTK_WIDGET (self);
}
