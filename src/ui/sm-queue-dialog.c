/* sm-queue-dialog.c — "Posting Times": list, add and remove an account's
 * weekly queue slots and set the zone they are meant in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-queue-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-queue.h"
#include "sm-queue-dialog.h"
#include "sm-time.h"

typedef struct
{
  SmStore   *store;
  gint64     account_id;
  GtkWidget *window;       /* borrowed */
  GtkWidget *slots_group;  /* borrowed */
  GList     *slot_rows;    /* borrowed rows in slots_group */
  GtkWidget *zone_row;
  GtkWidget *day_row;
  GtkWidget *time_row;
  GtkWidget *error_label;
} QueueDialog;

/* The day choices, in the order of the combo row: masks as in
 * sm_queue_parse_days(). */
static const guint day_masks[] = { 0xfe, 0x3e, 1u << 1, 1u << 2, 1u << 3, 1u << 4, 1u << 5, 1u << 6, 1u << 7 };

static void
queue_dialog_free (QueueDialog *dialog)
{
  g_clear_object (&dialog->store);
  g_list_free (dialog->slot_rows);
  g_free (dialog);
}

static void
show_error (QueueDialog *dialog,
            const char  *message)
{
  gtk_label_set_text (GTK_LABEL (dialog->error_label), message ? message : "");
  gtk_widget_set_visible (dialog->error_label, message != NULL);
}

static void reload_slots (QueueDialog *dialog);

static void
remove_clicked_cb (GtkButton   *button,
                   QueueDialog *dialog)
{
  g_autoptr(GError) error = NULL;
  int weekday = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sm-weekday"));
  int minute = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sm-minute"));

  if (!sm_store_remove_queue_slot (dialog->store, dialog->account_id, weekday, minute, &error))
    show_error (dialog, error->message);
  else
    show_error (dialog, NULL);
  reload_slots (dialog);
}

static void
reload_slots (QueueDialog *dialog)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) slots = sm_store_list_queue_slots (dialog->store, dialog->account_id, &error);

  for (GList *l = dialog->slot_rows; l; l = l->next)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (dialog->slots_group), l->data);
  g_clear_pointer (&dialog->slot_rows, g_list_free);

  if (slots == NULL)
    {
      show_error (dialog, error->message);
      return;
    }
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (dialog->slots_group),
                                         slots->len == 0
                                         ? _("No posting times yet. A post added to the queue "
                                             "goes to the next free posting time.")
                                         : NULL);
  for (guint i = 0; i < slots->len; i++)
    {
      const SmQueueSlot *slot = &g_array_index (slots, SmQueueSlot, i);
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
      g_signal_connect (button, "clicked", G_CALLBACK (remove_clicked_cb), dialog);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (dialog->slots_group), row);
      dialog->slot_rows = g_list_append (dialog->slot_rows, row);
    }
}

static void
add_clicked_cb (GtkWidget   *widget,
                QueueDialog *dialog)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (dialog->time_row));
  guint choice = adw_combo_row_get_selected (ADW_COMBO_ROW (dialog->day_row));
  int minute;

  if (!sm_queue_parse_time (text, &minute))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not a time of day; use HH:MM, such as 09:30."),
                                                  text);
      gtk_widget_add_css_class (dialog->time_row, "error");
      show_error (dialog, message);
      return;
    }
  gtk_widget_remove_css_class (dialog->time_row, "error");
  if (choice >= G_N_ELEMENTS (day_masks))
    return;
  for (int d = 1; d <= 7; d++)
    if ((day_masks[choice] & (1u << d)) &&
        !sm_store_add_queue_slot (dialog->store, dialog->account_id, d, minute, &error))
      {
        show_error (dialog, error->message);
        reload_slots (dialog);
        return;
      }
  show_error (dialog, NULL);
  gtk_editable_set_text (GTK_EDITABLE (dialog->time_row), "");
  reload_slots (dialog);
}

static void
zone_apply_cb (AdwEntryRow *row,
               QueueDialog *dialog)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  /* Empty: the workspace's zone again. */
  if (!sm_store_set_account_zone (dialog->store, dialog->account_id, *zone ? zone : NULL, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      show_error (dialog, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  show_error (dialog, NULL);
  g_clear_pointer (&zone, g_free);
  zone = sm_store_get_account_zone (dialog->store, dialog->account_id, NULL);
  gtk_editable_set_text (GTK_EDITABLE (row), zone ? zone : "");
}

GtkWidget *
sm_queue_dialog_new (GtkWindow *parent,
                     SmStore   *store,
                     gint64     account_id)
{
  g_autoptr(SmAccount) account = sm_store_get_account (store, account_id, NULL);
  g_autofree char *zone = sm_store_get_account_zone (store, account_id, NULL);
  g_autoptr(GtkStringList) days = gtk_string_list_new (NULL);
  QueueDialog *dialog = g_new0 (QueueDialog, 1);
  GtkWidget *box, *header, *page, *group, *button, *title;

  dialog->store = g_object_ref (store);
  dialog->account_id = account_id;

  dialog->window = adw_window_new ();
  gtk_window_set_modal (GTK_WINDOW (dialog->window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog->window), parent);
  gtk_window_set_default_size (GTK_WINDOW (dialog->window), 420, 560);
  gtk_window_set_title (GTK_WINDOW (dialog->window), _("Posting Times"));
  g_object_set_data_full (G_OBJECT (dialog->window), "sm-queue-dialog", dialog,
                          (GDestroyNotify) queue_dialog_free);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  title = adw_window_title_new (_("Posting Times"), account ? account->name : NULL);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (box), header);

  /* What went wrong, above the page. */
  dialog->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (dialog->error_label), TRUE);
  gtk_widget_add_css_class (dialog->error_label, "error");
  gtk_widget_set_margin_top (dialog->error_label, 12);
  gtk_widget_set_margin_start (dialog->error_label, 12);
  gtk_widget_set_margin_end (dialog->error_label, 12);
  gtk_widget_set_visible (dialog->error_label, FALSE);
  gtk_box_append (GTK_BOX (box), dialog->error_label);

  page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);

  /* The zone the times are meant in. */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Times are kept in this zone, so 09:00 stays 09:00 when "
                                           "the clocks change. Leave it empty for the workspace’s zone."));
  dialog->zone_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (dialog->zone_row), _("Time Zone"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (dialog->zone_row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (dialog->zone_row), zone ? zone : "");
  g_signal_connect (dialog->zone_row, "apply", G_CALLBACK (zone_apply_cb), dialog);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), dialog->zone_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* A new time. */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Add a Time"));
  gtk_string_list_append (days, _("Every Day"));
  gtk_string_list_append (days, _("Weekdays"));
  for (int d = 1; d <= 7; d++)
    gtk_string_list_append (days, sm_queue_day_display (d));
  dialog->day_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (dialog->day_row), _("Day"));
  adw_combo_row_set_model (ADW_COMBO_ROW (dialog->day_row), G_LIST_MODEL (days));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), dialog->day_row);
  dialog->time_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (dialog->time_row), _("Time (HH:MM)"));
  g_signal_connect (dialog->time_row, "entry-activated", G_CALLBACK (add_clicked_cb), dialog);
  button = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Add Posting Time"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Add Posting Time"), -1);
  g_signal_connect (button, "clicked", G_CALLBACK (add_clicked_cb), dialog);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (dialog->time_row), button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), dialog->time_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* The times there are. */
  dialog->slots_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (dialog->slots_group), _("Weekly Times"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (dialog->slots_group));

  adw_window_set_content (ADW_WINDOW (dialog->window), box);
  reload_slots (dialog);
  return dialog->window;
}
