/* test-workspaces.c — workspaces in the window, driven as a person would:
 * a second workspace made through the header bar's switcher with its own
 * zone, its empty calendar, the composer offering only its accounts,
 * renaming it, switching back, the window remembering it; and what the
 * accounts page says about each account's tokens.
 *
 * Runs under Xvfb with a private session bus and keyring (tools/test).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-workspaces"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "sm-application.h"
#include "sm-calendar-chip.h"
#include "sm-composer-window.h"
#include "sm-store.h"
#include "sm-token-store.h"
#include "sm-window.h"

#define WAIT_MS 5000
#define SECOND_US ((gint64) G_USEC_PER_SEC)
#define HOUR_US   (3600 * SECOND_US)
#define DAY_US    (24 * HOUR_US)

static SmApplication *app;

/* ---- Helpers --------------------------------------------------------------- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @cond holds or @timeout_ms pass. */
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
  return gtk_widget_get_mapped (GTK_WIDGET (data)) &&
         gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Lets pending idles, layout and drawing happen. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 300 * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             Match          match,
             gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
match_id (GtkWidget     *widget,
          gconstpointer  id)
{
  return g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0;
}

static gboolean
match_row_title (GtkWidget     *widget,
                 gconstpointer  title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
match_action_row_subtitle (GtkWidget     *widget,
                           gconstpointer  subtitle)
{
  return ADW_IS_ACTION_ROW (widget) &&
         g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), subtitle) == 0;
}

static gboolean
match_mapped_label (GtkWidget     *widget,
                    gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
match_label_containing (GtkWidget     *widget,
                        gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* A shown button, by its accessible name. */
static gboolean
match_visible_button_label (GtkWidget     *widget,
                            gconstpointer  label)
{
  g_autofree char *mismatch = NULL;

  if (!GTK_IS_BUTTON (widget) || !gtk_widget_get_visible (widget) ||
      !gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return FALSE;
  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                 label);
  return mismatch == NULL;
}

static gboolean
match_chip (GtkWidget     *widget,
            gconstpointer  post_id)
{
  return SM_IS_CALENDAR_CHIP (widget) && gtk_widget_get_mapped (widget) &&
         sm_calendar_chip_get_post_id (SM_CALENDAR_CHIP (widget)) == *(const gint64 *) post_id;
}

static gboolean
match_any_chip (GtkWidget     *widget,
                gconstpointer  unused)
{
  return SM_IS_CALENDAR_CHIP (widget) && gtk_widget_get_mapped (widget);
}

typedef struct
{
  GtkWidget  *root;
  Match       match;
  gconstpointer data;
} FindQuery;

static gboolean
widget_found (gpointer data)
{
  FindQuery *q = data;

  return find_widget (q->root, q->match, q->data) != NULL;
}


/* The first shown message dialog with @heading. */
static AdwMessageDialog *
find_dialog (const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) &&
          gtk_widget_get_mapped (GTK_WIDGET (window)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0)
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static gboolean
dialog_shown (gpointer heading)
{
  return find_dialog (heading) != NULL;
}

static gboolean
dialog_gone (gpointer heading)
{
  return find_dialog (heading) == NULL;
}

static SmComposerWindow *
find_composer (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (SM_IS_COMPOSER_WINDOW (window))
        return SM_COMPOSER_WINDOW (window);
    }
  return NULL;
}

static void
destroy_and_wait (GtkWidget *widget)
{
  gpointer weak = widget;

  g_object_add_weak_pointer (G_OBJECT (widget), &weak);
  gtk_window_destroy (GTK_WINDOW (widget));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
}

static SmWindow *
show_window (SmStore *store)
{
  SmWindow *window = sm_window_new (GTK_APPLICATION (app), store);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (widget_is_mapped, window, WAIT_MS));
  return window;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *build_dir = g_getenv ("SM_BUILD_DIR");
  g_autofree char *dir = g_build_filename (build_dir != NULL ? build_dir : g_get_tmp_dir (),
                                           "screenshots", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  int width, height;

  g_assert_true (wait_for (widget_is_mapped, widget, WAIT_MS));
  settle ();
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

/* Opens the header bar's workspace menu and chooses the item @label, as a
 * click (or Enter on the focused button, then on the item) does. */
static void
choose_in_switcher (SmWindow   *window,
                    const char *label)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), match_id, "workspace_button");
  GtkPopover *popover;
  FindQuery query;
  GtkWidget *item, *target;

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_focusable (button) ||
                 gtk_widget_get_focusable (gtk_widget_get_first_child (button)));
  /* Alt+W opens it from anywhere in the window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.switch-workspace", NULL));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  g_assert_nonnull (popover);
  g_assert_true (wait_for (widget_is_mapped, popover, WAIT_MS));

  query = (FindQuery) { GTK_WIDGET (popover), match_mapped_label, label };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));
  item = find_widget (GTK_WIDGET (popover), match_mapped_label, label);
  /* The menu's item is the label's activatable ancestor. */
  target = gtk_widget_get_ancestor (item, g_type_from_name ("GtkModelButton"));
  g_assert_nonnull (target);
  g_assert_true (gtk_widget_activate (target));
  settle ();
}

static const char *
shown_workspace (SmWindow *window)
{
  return gtk_label_get_text (GTK_LABEL (find_widget (GTK_WIDGET (window), match_id, "workspace_label")));
}

static void
assert_switcher_label (SmWindow   *window,
                       const char *name)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), match_id, "workspace_button");
  g_autofree char *expected = g_strdup_printf ("Workspace: %s", name);

  g_assert_cmpstr (shown_workspace (window), ==, name);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
}

static void
fill_dialog (AdwMessageDialog *dialog,
             const char       *name,
             const char       *zone)
{
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (dialog), match_row_title, "Name")), name);
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (dialog), match_row_title, "Time Zone")), zone);
}

static void
save_tokens (SmStore    *store,
             SmNetwork   network,
             const char *remote_id,
             const char *refresh_token,
             gint64      expires_at_us)
{
  g_autoptr(GError) error = NULL;
  SmTokens tokens = { (char *) "test-access", (char *) refresh_token, expires_at_us, NULL };

  g_assert_true (sm_token_store_save (sm_store_get_dir (store), network, remote_id, &tokens, NULL, &error));
  g_assert_no_error (error);
}

/* ---- Tests ---------------------------------------------------------------- */

static void
test_switcher (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) workspaces = NULL;
  g_autoptr(SmWorkspace) second = NULL;
  g_autofree char *default_zone = NULL;
  SmTargetSpec spec = { 0, NULL };
  AdwMessageDialog *dialog;
  SmComposerWindow *composer;
  SmWindow *window;
  FindQuery query;
  gint64 def, ada, post, second_id, b_account;

  store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  def = sm_store_get_default_workspace (store, &default_zone, &error);
  g_assert_no_error (error);
  ada = sm_store_upsert_account (store, def, SM_NETWORK_X, "1", "Ada", "@ada", &error);
  g_assert_no_error (error);
  spec.account_id = ada;
  post = sm_store_create_post (store, "Fresh bread at nine", g_get_real_time () + HOUR_US,
                               default_zone, &spec, 1, FALSE, &error);
  g_assert_no_error (error);

  window = show_window (store);
  assert_switcher_label (window, "My Workspace");
  query = (FindQuery) { GTK_WIDGET (window), match_chip, &post };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));

  /* New Workspace…: the dialog checks the name and the zone as they are
   * typed, and Create stays off until both are good. */
  choose_in_switcher (window, "New Workspace…");
  g_assert_true (wait_for (dialog_shown, (gpointer) "New Workspace", WAIT_MS));
  dialog = find_dialog ("New Workspace");
  fill_dialog (dialog, "my workspace", "America/New_York");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), match_label_containing, "already a workspace"));
  fill_dialog (dialog, "  Client B ", "America/Nowhere");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), match_label_containing,
                                 "“America/Nowhere” is not a time zone"));
  save_screenshot (GTK_WIDGET (dialog), "workspace-new-invalid.png");
  fill_dialog (dialog, "  Client B ", "America/New_York");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "C_reate")));
  g_assert_true (wait_for (dialog_gone, (gpointer) "New Workspace", WAIT_MS));
  settle ();

  /* The window shows the new workspace: its name, an empty calendar. */
  second_id = sm_window_get_workspace (window);
  g_assert_cmpint (second_id, !=, def);
  second = sm_store_get_workspace (store, second_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->name, ==, "Client B");
  g_assert_cmpstr (second->time_zone, ==, "America/New_York");
  assert_switcher_label (window, "Client B");
  g_assert_null (find_widget (GTK_WIDGET (window), match_any_chip, NULL));

  /* Its composer has no accounts, and starts in its zone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-post", NULL));
  composer = find_composer ();
  g_assert_nonnull (composer);
  g_assert_true (wait_for (widget_is_mapped, composer, WAIT_MS));
  g_assert_nonnull (find_widget (GTK_WIDGET (composer), match_row_title, "No connected accounts"));
  g_assert_null (find_widget (GTK_WIDGET (composer), match_row_title, "Ada"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget (GTK_WIDGET (composer), match_id, "zone_row"))),
                   ==, "America/New_York");
  destroy_and_wait (GTK_WIDGET (composer));

  /* An account of its own: the composer offers that one only. */
  b_account = sm_store_upsert_account (store, second_id, SM_NETWORK_FACEBOOK, "page-b", "Client B Page", NULL, &error);
  g_assert_no_error (error);
  sm_window_reload (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-post", NULL));
  composer = find_composer ();
  g_assert_true (wait_for (widget_is_mapped, composer, WAIT_MS));
  g_assert_nonnull (find_widget (GTK_WIDGET (composer), match_row_title, "Client B Page"));
  g_assert_null (find_widget (GTK_WIDGET (composer), match_row_title, "Ada"));
  destroy_and_wait (GTK_WIDGET (composer));

  /* The accounts page lists only its account. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));
  settle ();
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_row_title, "Client B Page"));
  g_assert_null (find_widget (GTK_WIDGET (window), match_row_title, "Ada"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "calendar"));

  /* Workspace Settings…: rename it (a taken name is refused first). */
  choose_in_switcher (window, "Workspace Settings…");
  g_assert_true (wait_for (dialog_shown, (gpointer) "Workspace Settings", WAIT_MS));
  dialog = find_dialog ("Workspace Settings");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget (GTK_WIDGET (dialog), match_row_title, "Name"))),
                   ==, "Client B");
  fill_dialog (dialog, "", "America/New_York");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), match_label_containing, "Give the workspace a name"));
  fill_dialog (dialog, "Atelier", "America/New_York");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "_Save")));
  settle ();
  g_clear_pointer (&second, sm_workspace_free);
  second = sm_store_get_workspace (store, second_id, &error);
  g_assert_cmpstr (second->name, ==, "Atelier");
  assert_switcher_label (window, "Atelier");

  /* The window remembers the workspace it showed. */
  destroy_and_wait (GTK_WIDGET (window));
  window = show_window (store);
  assert_switcher_label (window, "Atelier");
  g_assert_cmpint (sm_window_get_workspace (window), ==, second_id);
  settle ();
  g_assert_null (find_widget (GTK_WIDGET (window), match_any_chip, NULL));

  /* Back to the first one: its post is there again. */
  {
    GtkWidget *button = find_widget (GTK_WIDGET (window), match_id, "workspace_button");

    save_screenshot (GTK_WIDGET (window), "workspace-window.png");
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
    save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))),
                     "workspace-switcher.png");
    gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  }
  choose_in_switcher (window, "My Workspace");
  assert_switcher_label (window, "My Workspace");
  g_assert_cmpint (sm_window_get_workspace (window), ==, def);
  query = (FindQuery) { GTK_WIDGET (window), match_chip, &post };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));

  /* Deleting a workspace with accounts is refused, and says why. */
  choose_in_switcher (window, "Atelier");
  choose_in_switcher (window, "Workspace Settings…");
  g_assert_true (wait_for (dialog_shown, (gpointer) "Workspace Settings", WAIT_MS));
  dialog = find_dialog ("Workspace Settings");
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "_Delete…")));
  g_assert_true (wait_for (dialog_shown, (gpointer) "Delete “Atelier”?", WAIT_MS));
  dialog = find_dialog ("Delete “Atelier”?");
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "_Delete")));
  g_assert_true (wait_for (dialog_shown, (gpointer) "Could Not Delete the Workspace", WAIT_MS));
  dialog = find_dialog ("Could Not Delete the Workspace");
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), match_label_containing, "still has 1 account"));
  destroy_and_wait (GTK_WIDGET (dialog));
  workspaces = sm_store_list_workspaces (store, &error);
  g_assert_cmpuint (workspaces->len, ==, 2);

  /* Without its account it goes, and the window shows the default one. */
  g_assert_true (sm_store_delete_account (store, b_account, &error));
  choose_in_switcher (window, "Workspace Settings…");
  g_assert_true (wait_for (dialog_shown, (gpointer) "Workspace Settings", WAIT_MS));
  dialog = find_dialog ("Workspace Settings");
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "_Delete…")));
  g_assert_true (wait_for (dialog_shown, (gpointer) "Delete “Atelier”?", WAIT_MS));
  dialog = find_dialog ("Delete “Atelier”?");
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "_Delete")));
  settle ();
  g_clear_pointer (&workspaces, g_ptr_array_unref);
  workspaces = sm_store_list_workspaces (store, &error);
  g_assert_cmpuint (workspaces->len, ==, 1);
  assert_switcher_label (window, "My Workspace");
  query = (FindQuery) { GTK_WIDGET (window), match_chip, &post };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));

  destroy_and_wait (GTK_WIDGET (window));
}

/* What the accounts page says about each account's tokens, read from the
 * keyring (never shown). */
static void
test_token_health (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  SmWindow *window;
  FindQuery query;
  gint64 def, reconnect;

  store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  def = sm_store_get_default_workspace (store, NULL, &error);
  g_assert_no_error (error);

  sm_store_upsert_account (store, def, SM_NETWORK_X, "x-1", "Ada", "@ada", &error);
  save_tokens (store, SM_NETWORK_X, "x-1", "test-refresh", g_get_real_time () + 2 * HOUR_US);
  /* A 60-day token without a refresh token, three days from its end. */
  sm_store_upsert_account (store, def, SM_NETWORK_INSTAGRAM, "ig-1", "Bakery Insta", "@bakery", &error);
  save_tokens (store, SM_NETWORK_INSTAGRAM, "ig-1", NULL, g_get_real_time () + 3 * DAY_US - HOUR_US);
  sm_store_upsert_account (store, def, SM_NETWORK_LINKEDIN, "li-1", "Bakery Ltd", NULL, &error);
  save_tokens (store, SM_NETWORK_LINKEDIN, "li-1", NULL, g_get_real_time () - HOUR_US);
  sm_store_upsert_account (store, def, SM_NETWORK_FACEBOOK, "fb-1", "Bakery Page", NULL, &error);
  reconnect = sm_store_upsert_account (store, def, SM_NETWORK_YOUTUBE, "yt-1", "Bakery TV", NULL, &error);
  save_tokens (store, SM_NETWORK_YOUTUBE, "yt-1", "test-refresh", 0);
  g_assert_true (sm_store_set_account_state (store, reconnect, SM_ACCOUNT_NEEDS_RECONNECT, &error));
  g_assert_no_error (error);

  window = show_window (store);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));

  query = (FindQuery) { GTK_WIDGET (window), match_action_row_subtitle,
                        "@ada · Signed in · renews automatically" };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));
  query = (FindQuery) { GTK_WIDGET (window), match_action_row_subtitle,
                        "@bakery · Access expires in 3 days — reconnect before then" };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));
  query = (FindQuery) { GTK_WIDGET (window), match_action_row_subtitle,
                        "Access expired — reconnect to post again" };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));
  query = (FindQuery) { GTK_WIDGET (window), match_action_row_subtitle,
                        "No token in the keyring — reconnect" };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));
  /* Where the user must act, the row offers it; not where all is well. */
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_visible_button_label, "Reconnect Bakery Insta on Instagram"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_visible_button_label, "Reconnect Bakery Page on Facebook Pages"));
  g_assert_null (find_widget (GTK_WIDGET (window), match_visible_button_label, "Reconnect Ada on X"));
  /* The network's own verdict stays what the row says. */
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_action_row_subtitle, "Needs reconnecting"));
  save_screenshot (GTK_WIDGET (window), "accounts-token-health.png");
  /* No token's text anywhere. */
  g_assert_null (find_widget (GTK_WIDGET (window), match_label_containing, "test-access"));
  g_assert_null (find_widget (GTK_WIDGET (window), match_label_containing, "test-refresh"));

  destroy_and_wait (GTK_WIDGET (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* As test-ui.c: look up what GTK needs before isolating the folders. */
  g_content_type_set_mime_dirs (NULL);
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_init ();
  g_assert_nonnull (g_settings_schema_source_get_default ());
  gtk_icon_theme_get_for_display (gdk_display_get_default ());

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  app = sm_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/workspaces/switcher", test_switcher);
  g_test_add_func ("/workspaces/token-health", test_token_health);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
