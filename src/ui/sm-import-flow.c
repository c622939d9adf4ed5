/* sm-import-flow.c — the window's side of bulk import (sm-import.c does
 * the reading, checking and saving).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-import-flow"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-import.h"
#include "sm-import-flow.h"
#include "sm-ui-util.h"

#define MAX_SHOWN 200

typedef struct
{
  SmWindow *window;
  SmImport *import;
  char     *name;   /* the file's display name */
} Flow;

static void
flow_free (Flow *flow)
{
  g_clear_object (&flow->window);
  g_clear_pointer (&flow->import, sm_import_free);
  g_free (flow->name);
  g_free (flow);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Flow, flow_free)

static AdwMessageDialog *
new_dialog (SmWindow   *window,
            const char *heading,
            const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (window), heading, body);

  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  return ADW_MESSAGE_DIALOG (dialog);
}

static void
wake_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SmWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  if (sm_ui_wake_publisher_finish (result, &error))
    return;
  g_debug ("Wake failed: %s", error->message);
  sm_ui_show_toast (GTK_WIDGET (window),
                    _("Saved. The publisher could not be reached; it will publish when it next starts."));
}

static void
schedule_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      gpointer          user_data)
{
  g_autoptr(Flow) flow = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *title = NULL;

  (void) dialog;
  if (!g_str_equal (response, "schedule"))
    return;

  ids = sm_import_save (sm_window_get_store (flow->window), flow->import, &error);
  if (ids == NULL)
    {
      AdwMessageDialog *failed = new_dialog (flow->window, _("Could Not Schedule the Posts"),
                                             error->message);

      adw_message_dialog_add_response (failed, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (failed));
      return;
    }

  title = g_strdup_printf (ngettext ("Scheduled %u post from %s", "Scheduled %u posts from %s", ids->len),
                           ids->len, flow->name);
  sm_ui_show_toast (GTK_WIDGET (flow->window), title);
  sm_window_reload (flow->window);
  sm_ui_wake_publisher_async (NULL, wake_done_cb, g_object_ref (flow->window));
}

/* "Row 3, accounts: there is no account 99", one a line. */
static GtkWidget *
problems_view (SmImport *import)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *label, *scrolled;

  for (guint i = 0; i < import->problems->len; i++)
    {
      SmImportProblem *problem = g_ptr_array_index (import->problems, i);
      guint rest = import->problems->len - i;

      /* A label of thousands of lines helps nobody: `so-me import` lists all. */
      if (i == MAX_SHOWN && rest > 1)
        {
          g_string_append_c (text, '\n');
          g_string_append_printf (text, ngettext ("And %u more problem.", "And %u more problems.", rest), rest);
          break;
        }

      if (i > 0)
        g_string_append_c (text, '\n');
      if (problem->column != NULL)
        /* Translators: a problem in an imported file: "Row 3, accounts: …" */
        g_string_append_printf (text, _("Row %u, %s: %s"), problem->row, problem->column, problem->message);
      else
        /* Translators: a problem in an imported file: "Row 3: …" */
        g_string_append_printf (text, _("Row %u: %s"), problem->row, problem->message);
    }

  label = gtk_label_new (text->str);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_name (label, "import_problems");
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
  return scrolled;
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Flow) flow = user_data;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;
  guint n;

  (void) source;
  flow->import = sm_import_check_finish (result, &error);
  if (flow->import == NULL)
    {
      g_autofree char *body = g_strdup_printf ("%s: %s", flow->name, error->message);

      dialog = new_dialog (flow->window, _("Could Not Import the File"), body);
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  n = flow->import->problems->len;
  if (n > 0)
    {
      g_autofree char *body =
        g_strdup_printf (ngettext ("%s has %u problem. Nothing was scheduled: correct it and import the file again.",
                                   "%s has %u problems. Nothing was scheduled: correct them and import the file again.", n),
                         flow->name, n);

      dialog = new_dialog (flow->window, _("The File Has Problems"), body);
      adw_message_dialog_set_extra_child (dialog, problems_view (flow->import));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  n = flow->import->posts->len;
  {
    g_autofree char *heading = g_strdup_printf (ngettext ("Schedule %u Post?", "Schedule %u Posts?", n), n);
    g_autofree char *body =
      g_strdup_printf (ngettext ("Every row of %s is ready: %u post, saved all at once.",
                                 "Every row of %s is ready: %u posts, saved all at once.", n),
                       flow->name, n);
    g_autofree char *label = g_strdup_printf (ngettext ("_Schedule %u Post", "_Schedule %u Posts", n), n);

    dialog = new_dialog (flow->window, heading, body);
    adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "schedule", label, NULL);
    adw_message_dialog_set_response_appearance (dialog, "schedule", ADW_RESPONSE_SUGGESTED);
    adw_message_dialog_set_default_response (dialog, "schedule");
    adw_message_dialog_set_close_response (dialog, "cancel");
    g_signal_connect (dialog, "response", G_CALLBACK (schedule_response_cb), g_steal_pointer (&flow));
    gtk_window_present (GTK_WINDOW (dialog));
  }
}

void
sm_import_flow_run (SmWindow *window,
                    GFile    *file)
{
  g_autofree char *path = NULL;
  Flow *flow;

  g_return_if_fail (SM_IS_WINDOW (window));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  flow = g_new0 (Flow, 1);
  flow->window = g_object_ref (window);
  flow->name = g_file_get_basename (file);
  if (path == NULL)
    {
      AdwMessageDialog *dialog = new_dialog (window, _("Could Not Import the File"),
                                             _("Only files on this computer can be imported."));

      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      flow_free (flow);
      return;
    }
  sm_import_check_in_async (sm_store_get_dir (sm_window_get_store (window)),
                            sm_window_get_workspace (window), path, NULL,
                            check_done_cb, flow);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(SmWindow) window = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        sm_import_flow_run (window, file);
    }
  g_object_unref (chooser);
}

void
sm_import_flow_choose (SmWindow *window)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();

  g_return_if_fail (SM_IS_WINDOW (window));

  chooser = gtk_file_chooser_native_new (_("Import Posts"), GTK_WINDOW (window),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_file_filter_set_name (csv, _("CSV files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_pattern (csv, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), csv);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (window));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
