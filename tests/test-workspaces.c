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

#include <adwaita.h>

#include "sm-application.h"
#include "sm-composer-window.h"
#include "sm-store.h"
#include "sm-test-ui.h"
#include "sm-token-store.h"
#include "sm-window.h"

#define WAIT_MS 5000
#define SECOND_US ((gint64) G_USEC_PER_SEC)
#define HOUR_US   (3600 * SECOND_US)
#define DAY_US    (24 * HOUR_US)

static SmApplication *app;

/* ---- Helpers --------------------------------------------------------------- */

/* Opens the header bar's workspace menu and chooses the item @label, as a
 * click (or Enter on the focused button, then on the item) does. */
static void
choose_in_switcher (SmWindow   *window,
                    const char *label)
{
  GtkWidget *button = sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_id, "workspace_button");
  GtkPopover *popover;
  GtkWidget *item, *target;

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_focusable (button) ||
                 gtk_widget_get_focusable (gtk_widget_get_first_child (button)));
  /* Alt+W opens it from anywhere in the window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.switch-workspace", NULL));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  g_assert_nonnull (popover);
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, popover, WAIT_MS));

  item = sm_test_ui_wait_find (GTK_WIDGET (popover), sm_test_ui_match_label, label, WAIT_MS);
  g_assert_nonnull (item);
  /* The menu's item is the label's activatable ancestor. */
  target = gtk_widget_get_ancestor (item, g_type_from_name ("GtkModelButton"));
  g_assert_nonnull (target);
  g_assert_true (gtk_widget_activate (target));
  sm_test_ui_settle (300);
}

static const char *
shown_workspace (SmWindow *window)
{
  return gtk_label_get_text (GTK_LABEL (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_id,
                                                         "workspace_label")));
}

static void
assert_switcher_label (SmWindow   *window,
                       const char *name)
{
  GtkWidget *button = sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_id, "workspace_button");
  g_autofree char *expected = g_strdup_printf ("Workspace: %s", name);

  g_assert_cmpstr (shown_workspace (window), ==, name);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
}

static void
fill_dialog (AdwMessageDialog *dialog,
             const char       *name,
             const char       *zone)
{
  gtk_editable_set_text (GTK_EDITABLE (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_row_title,
                                                        "Name")), name);
  gtk_editable_set_text (GTK_EDITABLE (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_row_title,
                                                        "Time Zone")), zone);
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

  window = sm_test_ui_show_window (app, store, WAIT_MS);
  assert_switcher_label (window, "My Workspace");
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_chip, &post, WAIT_MS));

  /* New Workspace…: the dialog checks the name and the zone as they are
   * typed, and Create stays off until both are good. */
  choose_in_switcher (window, "New Workspace…");
  dialog = ADW_MESSAGE_DIALOG (sm_test_ui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, "New Workspace"));
  fill_dialog (dialog, "my workspace", "America/New_York");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_label_containing,
                                     "already a workspace"));
  fill_dialog (dialog, "  Client B ", "America/Nowhere");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_label_containing,
                                     "“America/Nowhere” is not a time zone"));
  sm_test_ui_save_png (GTK_WIDGET (dialog), "workspace-new-invalid.png");
  fill_dialog (dialog, "  Client B ", "America/New_York");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_true (gtk_widget_activate (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_button_label,
                                                       "C_reate")));
  g_assert_true (sm_test_ui_wait_window_gone (ADW_TYPE_MESSAGE_DIALOG, "New Workspace", WAIT_MS));
  sm_test_ui_settle (300);

  /* The window shows the new workspace: its name, an empty calendar. */
  second_id = sm_window_get_workspace (window);
  g_assert_cmpint (second_id, !=, def);
  second = sm_store_get_workspace (store, second_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second->name, ==, "Client B");
  g_assert_cmpstr (second->time_zone, ==, "America/New_York");
  assert_switcher_label (window, "Client B");
  g_assert_null (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_chip, NULL));

  /* Its composer has no accounts, and starts in its zone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-post", NULL));
  composer = SM_COMPOSER_WINDOW (sm_test_ui_find_toplevel (SM_TYPE_COMPOSER_WINDOW, NULL));
  g_assert_nonnull (composer);
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, composer, WAIT_MS));
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_row_title,
                                     "No connected accounts"));
  g_assert_null (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_row_title, "Ada"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (sm_test_ui_find_by_id (GTK_WIDGET (composer), "zone_row"))),
                   ==, "America/New_York");
  sm_test_ui_close_window (GTK_WINDOW (composer));

  /* An account of its own: the composer offers that one only. */
  b_account = sm_store_upsert_account (store, second_id, SM_NETWORK_FACEBOOK, "page-b", "Client B Page", NULL, &error);
  g_assert_no_error (error);
  sm_window_reload (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-post", NULL));
  composer = SM_COMPOSER_WINDOW (sm_test_ui_find_toplevel (SM_TYPE_COMPOSER_WINDOW, NULL));
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, composer, WAIT_MS));
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_row_title, "Client B Page"));
  g_assert_null (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_row_title, "Ada"));
  sm_test_ui_close_window (GTK_WINDOW (composer));

  /* The accounts page lists only its account. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));
  sm_test_ui_settle (300);
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_row_title, "Client B Page"));
  g_assert_null (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_row_title, "Ada"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "calendar"));

  /* Workspace Settings…: rename it (a taken name is refused first). */
  choose_in_switcher (window, "Workspace Settings…");
  dialog = ADW_MESSAGE_DIALOG (sm_test_ui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Workspace Settings"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (sm_test_ui_find (GTK_WIDGET (dialog),
                                                                        sm_test_ui_match_row_title, "Name"))),
                   ==, "Client B");
  fill_dialog (dialog, "", "America/New_York");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_label_containing,
                                     "Give the workspace a name"));
  fill_dialog (dialog, "Atelier", "America/New_York");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "save"));
  g_assert_true (gtk_widget_activate (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_button_label,
                                                       "_Save")));
  sm_test_ui_settle (300);
  g_clear_pointer (&second, sm_workspace_free);
  second = sm_store_get_workspace (store, second_id, &error);
  g_assert_cmpstr (second->name, ==, "Atelier");
  assert_switcher_label (window, "Atelier");

  /* The window remembers the workspace it showed. */
  sm_test_ui_close_window (GTK_WINDOW (window));
  window = sm_test_ui_show_window (app, store, WAIT_MS);
  assert_switcher_label (window, "Atelier");
  g_assert_cmpint (sm_window_get_workspace (window), ==, second_id);
  sm_test_ui_settle (300);
  g_assert_null (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_chip, NULL));

  /* Back to the first one: its post is there again. */
  {
    GtkWidget *button = sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_id, "workspace_button");

    sm_test_ui_save_png (GTK_WIDGET (window), "workspace-window.png");
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
    sm_test_ui_save_png (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))),
                         "workspace-switcher.png");
    gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  }
  choose_in_switcher (window, "My Workspace");
  assert_switcher_label (window, "My Workspace");
  g_assert_cmpint (sm_window_get_workspace (window), ==, def);
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_chip, &post, WAIT_MS));

  /* Deleting a workspace with accounts is refused, and says why. */
  choose_in_switcher (window, "Atelier");
  choose_in_switcher (window, "Workspace Settings…");
  dialog = ADW_MESSAGE_DIALOG (sm_test_ui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Workspace Settings"));
  g_assert_true (gtk_widget_activate (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_button_label,
                                                       "_Delete…")));
  dialog = ADW_MESSAGE_DIALOG (sm_test_ui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Delete “Atelier”?"));
  g_assert_true (gtk_widget_activate (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_button_label,
                                                       "_Delete")));
  dialog = ADW_MESSAGE_DIALOG (sm_test_ui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG,
                                                         "Could Not Delete the Workspace"));
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_label_containing,
                                     "still has 1 account"));
  sm_test_ui_close_window (GTK_WINDOW (dialog));
  workspaces = sm_store_list_workspaces (store, &error);
  g_assert_cmpuint (workspaces->len, ==, 2);

  /* Without its account it goes, and the window shows the default one. */
  g_assert_true (sm_store_delete_account (store, b_account, &error));
  choose_in_switcher (window, "Workspace Settings…");
  dialog = ADW_MESSAGE_DIALOG (sm_test_ui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Workspace Settings"));
  g_assert_true (gtk_widget_activate (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_button_label,
                                                       "_Delete…")));
  dialog = ADW_MESSAGE_DIALOG (sm_test_ui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Delete “Atelier”?"));
  g_assert_true (gtk_widget_activate (sm_test_ui_find (GTK_WIDGET (dialog), sm_test_ui_match_button_label,
                                                       "_Delete")));
  sm_test_ui_settle (300);
  g_clear_pointer (&workspaces, g_ptr_array_unref);
  workspaces = sm_store_list_workspaces (store, &error);
  g_assert_cmpuint (workspaces->len, ==, 1);
  assert_switcher_label (window, "My Workspace");
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_chip, &post, WAIT_MS));

  sm_test_ui_close_window (GTK_WINDOW (window));
}

/* What the accounts page says about each account's tokens, read from the
 * keyring (never shown). */
static void
test_token_health (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  SmWindow *window;
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

  window = sm_test_ui_show_window (app, store, WAIT_MS);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));

  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_row_subtitle,
                                          "@ada · Signed in · renews automatically", WAIT_MS));
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_row_subtitle,
                                          "@bakery · Access expires in 3 days — reconnect before then", WAIT_MS));
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_row_subtitle,
                                          "Access expired — reconnect to post again", WAIT_MS));
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_row_subtitle,
                                          "No token in the keyring — reconnect", WAIT_MS));
  /* Where the user must act, the row offers it; not where all is well. */
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_button_named,
                                     "Reconnect Bakery Insta on Instagram"));
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_button_named,
                                     "Reconnect Bakery Page on Facebook Pages"));
  g_assert_null (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_button_named, "Reconnect Ada on X"));
  /* The network's own verdict stays what the row says. */
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_row_subtitle, "Needs reconnecting"));
  sm_test_ui_save_png (GTK_WIDGET (window), "accounts-token-health.png");
  /* No token's text anywhere. */
  g_assert_null (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_any_label_containing, "test-access"));
  g_assert_null (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_any_label_containing, "test-refresh"));

  sm_test_ui_close_window (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Look up what GTK needs before isolating the folders. */
  sm_test_ui_init_gtk (FALSE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  app = sm_test_ui_app_new ();

  g_test_add_func ("/workspaces/switcher", test_switcher);
  g_test_add_func ("/workspaces/token-health", test_token_health);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
