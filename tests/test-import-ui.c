/* test-import-ui.c — "Import Posts…" in the window: a file with problems
 * lists them row by row and saves nothing; a good file asks once and
 * schedules every post.  Drives the same code the menu item runs after
 * its file chooser (sm_import_flow_run()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-import-ui"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "sm-application.h"
#include "sm-import-flow.h"
#include "sm-store.h"
#include "sm-window.h"

#define WAIT_MS 10000

static SmApplication *app;

typedef gboolean (*Condition) (gpointer data);

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (Condition cond,
          gpointer  data,
          guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data)) && gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static GtkWidget *
find_widget (GtkWidget  *root,
             gboolean  (*match) (GtkWidget *, gconstpointer),
             gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static AdwMessageDialog *
find_dialog (const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0 &&
          gtk_widget_get_mapped (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer heading)
{
  return find_dialog (heading) != NULL;
}

static void
press (AdwMessageDialog *dialog,
       const char       *label)
{
  gpointer weak = dialog;
  GtkWidget *button = find_widget (GTK_WIDGET (dialog), match_button_label, label);

  g_assert_nonnull (button);
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_assert_true (gtk_widget_activate (button));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
}

static guint
count_posts (SmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = sm_store_list_posts (store, 0, G_MAXINT64, &error);

  g_assert_no_error (error);
  return posts->len;
}

typedef struct
{
  SmStore *store;
  guint    n;
} Count;

static gboolean
posts_are (gpointer data)
{
  Count *c = data;
  return count_posts (c->store) == c->n;
}

static GFile *
write_csv (const char *name,
           const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
test_import_through_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GFile) bad = NULL;
  g_autoptr(GFile) good = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *csv = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *problems;
  const char *text;
  SmWindow *window;
  gpointer weak;
  gint64 workspace, x;
  Count three;

  store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  workspace = sm_store_get_default_workspace (store, &zone, &error);
  g_assert_no_error (error);
  x = sm_store_upsert_account (store, workspace, SM_NETWORK_X, "100", "Corner Bakery", "@bakery", &error);
  g_assert_no_error (error);

  window = sm_window_new (GTK_APPLICATION (app), store);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (widget_is_mapped, window, WAIT_MS));
  /* The menu item's action is there and enabled. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "agenda"));

  /* Problems in two rows: both listed, with row and column; nothing saved. */
  csv = g_strdup_printf ("text,accounts,at\n"
                         "Good,%" G_GINT64_FORMAT ",2099-01-01T09:00\n"
                         "Bad account,99,2099-01-01T09:00\n"
                         ",%" G_GINT64_FORMAT ",2001-01-01T09:00\n", x, x);
  bad = write_csv ("bad.csv", csv);
  sm_import_flow_run (window, bad);
  g_assert_true (wait_for (dialog_shown, (gpointer) "The File Has Problems", WAIT_MS));
  dialog = find_dialog ("The File Has Problems");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "3 problems"));
  problems = find_widget (GTK_WIDGET (dialog), match_name, "import_problems");
  g_assert_nonnull (problems);
  text = gtk_label_get_text (GTK_LABEL (problems));
  g_assert_nonnull (strstr (text, "Row 3, accounts: there is no account 99"));
  g_assert_nonnull (strstr (text, "Row 4, text: the post has no text"));
  g_assert_nonnull (strstr (text, "Row 4, at: "));
  g_assert_null (strstr (text, "Row 2"));
  g_assert_false (adw_message_dialog_has_response (dialog, "schedule"));
  press (dialog, "_Close");
  g_assert_cmpuint (count_posts (store), ==, 0);

  /* A good file: one question, then every post at once. */
  g_free (csv);
  csv = g_strdup_printf ("text,accounts,at,zone\n"
                         "One,x:@bakery,2099-01-01T09:00,Europe/Paris\n"
                         "\"Two, with a comma\",%" G_GINT64_FORMAT ",2099-01-02T09:00,\n"
                         "Three,%" G_GINT64_FORMAT ",2099-01-03T09:00,\n", x, x);
  good = write_csv ("good.csv", csv);
  sm_import_flow_run (window, good);
  g_assert_true (wait_for (dialog_shown, (gpointer) "Schedule 3 Posts?", WAIT_MS));
  dialog = find_dialog ("Schedule 3 Posts?");
  g_assert_cmpuint (count_posts (store), ==, 0);
  press (dialog, "_Schedule 3 Posts");
  three.store = store;
  three.n = 3;
  g_assert_true (wait_for (posts_are, &three, WAIT_MS));

  weak = window;
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* As test-ui.c: look up what GTK needs before the dirs are isolated. */
  g_content_type_set_mime_dirs (NULL);
  gtk_init ();
  g_assert_nonnull (g_settings_schema_source_get_default ());
  gtk_icon_theme_get_for_display (gdk_display_get_default ());

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  app = sm_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/import-ui/through-window", test_import_through_window);

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
