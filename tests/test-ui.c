/* test-ui.c — the first window, driven as a person would: write a post,
 * pick an account, choose a time, schedule, and see it in the agenda.
 *
 * Runs under Xvfb with a private session bus (tools/test).  Screenshots go
 * to $SM_BUILD_DIR/screenshots/ for people to look at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "sm-application.h"
#include "sm-composer-window.h"
#include "sm-credentials-dialog.h"
#include "sm-post-row.h"
#include "sm-store.h"
#include "sm-test-ui.h"
#include "sm-test-util.h"
#include "sm-text.h"
#include "sm-time.h"
#include "sm-token-store.h"
#include "sm-ui-util.h"
#include "sm-window.h"

#define WAIT_MS 5000
#define SECOND_US ((gint64) G_USEC_PER_SEC)
#define HOUR_US   (3600 * SECOND_US)

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
widget_has_focus (gpointer data)
{
  return gtk_widget_is_focus (GTK_WIDGET (data));
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
  gint64 until = g_get_monotonic_time () + 500 * 1000;
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
match_action_row_title (GtkWidget     *widget,
                        gconstpointer  title)
{
  return ADW_IS_ACTION_ROW (widget) &&
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
match_visible_label (GtkWidget     *widget,
                     gconstpointer  text)
{
  return GTK_IS_LABEL (widget) &&
         gtk_widget_is_visible (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static gboolean
match_post_row (GtkWidget     *widget,
                gconstpointer  post_id)
{
  return SM_IS_POST_ROW (widget) &&
         sm_post_row_get_post_id (SM_POST_ROW (widget)) == *(const gint64 *) post_id;
}

static GtkWidget *
find_by_id (GtkWidget  *root,
            const char *id)
{
  GtkWidget *widget = find_widget (root, match_id, id);

  g_assert_nonnull (widget);
  return widget;
}

/* The first toplevel of @type (and with @heading, for message dialogs). */
static GtkWindow *
find_toplevel (GType       type,
               const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (!G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        continue;
      if (heading != NULL &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) != 0)
        continue;
      return GTK_WINDOW (window);
    }

  return NULL;
}

static SmComposerWindow *
find_composer (void)
{
  return (SmComposerWindow *) find_toplevel (SM_TYPE_COMPOSER_WINDOW, NULL);
}

typedef struct
{
  GType       type;
  const char *heading;
} ToplevelQuery;

static gboolean
toplevel_shown (gpointer data)
{
  ToplevelQuery *query = data;
  GtkWindow *window = find_toplevel (query->type, query->heading);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static GtkWindow *
wait_for_toplevel (GType       type,
                   const char *heading)
{
  ToplevelQuery query = { type, heading };

  g_assert_true (wait_for (toplevel_shown, &query, WAIT_MS));
  return find_toplevel (type, heading);
}

static SmStore *
open_store (gint64  *workspace_id,
            char   **zone)
{
  g_autoptr(GError) error = NULL;
  SmStore *store;

  /* G_TEST_OPTION_ISOLATE_DIRS gives every test its own XDG_DATA_HOME. */
  store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  *workspace_id = sm_store_get_default_workspace (store, zone, &error);
  g_assert_no_error (error);
  g_assert_cmpint (*workspace_id, >, 0);
  g_assert_nonnull (*zone);

  return store;
}

static gint64
add_account (SmStore    *store,
             gint64      workspace_id,
             SmNetwork   network,
             const char *remote_id,
             const char *name,
             const char *handle)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = sm_store_upsert_account (store, workspace_id, network, remote_id, name, handle, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static SmWindow *
show_window (SmStore *store)
{
  SmWindow *window = sm_window_new (GTK_APPLICATION (app), store);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (widget_is_mapped, window, WAIT_MS));
  /* The calendar is the first page; these tests are about the agenda. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "agenda"));

  return window;
}

static SmComposerWindow *
open_composer (SmWindow *window)
{
  SmComposerWindow *composer;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-post", NULL));
  composer = find_composer ();
  g_assert_nonnull (composer);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (composer)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (composer)) == GTK_WINDOW (window));
  g_assert_true (wait_for (widget_is_mapped, composer, WAIT_MS));

  return composer;
}

/* Types into a text view the way the keyboard does. */
static void
type_text (GtkWidget  *text_view,
           const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));

  gtk_widget_grab_focus (text_view);
  gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, TRUE);
}

static void
close_window (SmWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
}

/* The agenda reads its posts in a thread and its list view makes rows
 * only for what is on screen: a post's row is there once the post is read
 * and in view.  Returns the row, mapped. */
static gboolean
post_row_mapped (gpointer data)
{
  gpointer *args = data;
  GtkWidget *row = find_widget (args[0], match_post_row, args[1]);

  return row != NULL && widget_is_mapped (row);
}

static GtkWidget *
wait_for_post_row (SmWindow *window,
                   gint64    post_id)
{
  gpointer args[2] = { window, &post_id };

  g_assert_true (wait_for (post_row_mapped, args, WAIT_MS));
  return find_widget (GTK_WIDGET (window), match_post_row, &post_id);
}

/* args: window, label text */
static gboolean
label_mapped (gpointer data)
{
  gpointer *args = data;
  GtkWidget *label = find_widget (args[0], match_visible_label, args[1]);

  return label != NULL && widget_is_mapped (label);
}

/* ---- Tests ---------------------------------------------------------------- */

static void
test_schedule_post (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) later = NULL;
  g_autofree char *zone = NULL;
  const char *text = "Our spring collection is out today. Come and see it!";
  gint64 workspace_id, x_account, expected_due;
  SmComposerWindow *composer;
  SmWindow *window;
  GtkWidget *row, *check, *schedule, *post_row;
  const SmPost *post;
  const SmTarget *target;

  store = open_store (&workspace_id, &zone);
  x_account = add_account (store, workspace_id, SM_NETWORK_X, "1001", "Ada Lovelace", "@ada");
  add_account (store, workspace_id, SM_NETWORK_LINKEDIN, "urn:li:person:42", "Ada Lovelace", "ada-lovelace");

  window = show_window (store);

  /* Nothing planned yet: the empty state says so (once the posts are
   * read) and offers the way on. */
  {
    gpointer args[2] = { window, (gpointer) "No Posts Planned" };

    g_assert_true (wait_for (label_mapped, args, WAIT_MS));
  }
  sm_test_ui_save_png (GTK_WIDGET (window), "agenda-empty.png");

  composer = open_composer (window);

  /* No account chosen yet: nothing can be scheduled. */
  schedule = find_by_id (GTK_WIDGET (composer), "schedule_button");
  g_assert_false (gtk_widget_is_sensitive (schedule));

  type_text (find_by_id (GTK_WIDGET (composer), "text_view"), text);

  /* Choose the X account by activating its row, as a click or Space does. */
  row = find_widget (GTK_WIDGET (composer), match_action_row_subtitle, "X · @ada");
  g_assert_nonnull (row);
  check = find_widget (row, match_type, GSIZE_TO_POINTER (GTK_TYPE_CHECK_BUTTON));
  g_assert_nonnull (check);
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  gtk_widget_activate (row);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));

  /* An hour from now, in the workspace's zone. */
  tz = sm_ui_time_zone_new (zone);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now (tz);

    later = g_date_time_add_hours (now, 1);
  }
  gtk_calendar_select_day (GTK_CALENDAR (find_by_id (GTK_WIDGET (composer), "calendar")), later);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_by_id (GTK_WIDGET (composer), "hour_spin")),
                             g_date_time_get_hour (later));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_by_id (GTK_WIDGET (composer), "minute_spin")),
                             g_date_time_get_minute (later));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_by_id (GTK_WIDGET (composer), "zone_row"))),
                   ==, zone);
  expected_due = sm_time_local_to_utc_us (zone,
                                          g_date_time_get_year (later),
                                          g_date_time_get_month (later),
                                          g_date_time_get_day_of_month (later),
                                          g_date_time_get_hour (later),
                                          g_date_time_get_minute (later),
                                          &error);
  g_assert_no_error (error);

  g_assert_true (gtk_widget_is_sensitive (schedule));
  g_assert_false (gtk_widget_get_visible (find_by_id (GTK_WIDGET (composer), "problems_box")));
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer.png");

  {
    gpointer weak = composer;

    g_object_add_weak_pointer (G_OBJECT (composer), &weak);
    g_assert_true (gtk_widget_activate (schedule));
    g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
  }

  /* The post is in the store, for the X account only, at that instant. */
  posts = sm_store_list_posts (store, expected_due - HOUR_US,
                               expected_due + HOUR_US, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  post = g_ptr_array_index (posts, 0);
  g_assert_cmpstr (post->text, ==, text);
  g_assert_cmpint (post->due_us, ==, expected_due);
  g_assert_cmpstr (post->time_zone, ==, zone);
  g_assert_cmpuint (post->targets->len, ==, 1);
  target = g_ptr_array_index (post->targets, 0);
  g_assert_cmpint (target->account_id, ==, x_account);
  g_assert_cmpint (target->state, ==, SM_TARGET_SCHEDULED);
  g_assert_false (target->has_variant);

  /* And the agenda shows it. */
  post_row = wait_for_post_row (window, post->id);
  g_assert_nonnull (post_row);
  /* Shown with the focus on it, as after a notification's click. */
  g_assert_true (wait_for (widget_has_focus, post_row, WAIT_MS));
  g_assert_nonnull (find_widget (post_row, match_visible_label, text));
  g_assert_nonnull (find_widget (post_row, match_visible_label,
                                 sm_target_state_display (SM_TARGET_SCHEDULED)));
  sm_test_ui_save_png (GTK_WIDGET (window), "agenda.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_action_row_title, "Ada Lovelace"));
  sm_test_ui_save_png (GTK_WIDGET (window), "accounts.png");

  close_window (window);
}

static void
test_over_limit (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *zone = NULL;
  g_autofree char *problem = NULL;
  const char *variant = "Spring is here: the new collection is out.";
  gint64 workspace_id;
  SmComposerWindow *composer;
  SmWindow *window;
  GtkWidget *schedule, *post_now, *check, *variants_group, *variant_view;
  const char *tooltip;
  const SmTarget *target;

  store = open_store (&workspace_id, &zone);
  add_account (store, workspace_id, SM_NETWORK_X, "1001", "Ada Lovelace", "@ada");

  while (text->len <= 300)
    g_string_append (text, "Our spring collection is out today. ");
  g_assert_false (sm_text_check (SM_NETWORK_X, text->str, &problem));
  g_assert_nonnull (problem);

  window = show_window (store);
  composer = open_composer (window);

  /* The only account is chosen for the user. */
  check = find_widget (GTK_WIDGET (composer), match_type, GSIZE_TO_POINTER (GTK_TYPE_CHECK_BUTTON));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));

  type_text (find_by_id (GTK_WIDGET (composer), "text_view"), text->str);

  /* Too long for X: both buttons stop, and the problem is said in words,
   * on the page and in the Schedule button's tooltip. */
  schedule = find_by_id (GTK_WIDGET (composer), "schedule_button");
  post_now = find_by_id (GTK_WIDGET (composer), "post_now_button");
  g_assert_false (gtk_widget_is_sensitive (schedule));
  g_assert_false (gtk_widget_is_sensitive (post_now));
  g_assert_true (gtk_widget_get_visible (find_by_id (GTK_WIDGET (composer), "problems_box")));
  g_assert_nonnull (find_widget (find_by_id (GTK_WIDGET (composer), "problems_box"),
                                 match_visible_label, problem));
  tooltip = gtk_widget_get_tooltip_text (schedule);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, problem));

  /* A shorter text for that account is offered, and it makes things right. */
  variants_group = find_by_id (GTK_WIDGET (composer), "variants_group");
  g_assert_true (gtk_widget_get_visible (variants_group));
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer-over-limit.png");

  variant_view = find_widget (variants_group, match_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
  g_assert_nonnull (variant_view);
  type_text (variant_view, variant);
  g_assert_true (gtk_widget_is_sensitive (schedule));
  g_assert_true (gtk_widget_is_sensitive (post_now));

  {
    gpointer weak = composer;

    g_object_add_weak_pointer (G_OBJECT (composer), &weak);
    g_assert_true (gtk_widget_activate (schedule));
    g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
  }

  posts = sm_store_list_posts (store, g_get_real_time (),
                               g_get_real_time () + 48 * HOUR_US, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  g_assert_cmpstr (((SmPost *) g_ptr_array_index (posts, 0))->text, ==, text->str);
  target = g_ptr_array_index (((SmPost *) g_ptr_array_index (posts, 0))->targets, 0);
  g_assert_cmpstr (target->text, ==, variant);
  g_assert_true (target->has_variant);

  close_window (window);
}

static gboolean
label_shown (gpointer data)
{
  gpointer *args = data;

  return find_widget (args[0], match_visible_label, args[1]) != NULL;
}

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
bucket_note_shown (gpointer data)
{
  return find_widget (GTK_WIDGET (data), match_name, "bucket-note") != NULL;
}

/* Threads fetches photos by URL: without a media bucket the composer says
 * so, plainly and without stopping a text post; with one it says nothing. */
static void
test_composer_bucket_note (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmS3Config) bucket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = NULL;
  gint64 workspace_id;
  SmComposerWindow *composer;
  SmWindow *window;
  GtkWidget *note, *label;

  store = open_store (&workspace_id, &zone);
  add_account (store, workspace_id, SM_NETWORK_THREADS, "77", "ada.codes", "@ada.codes");
  sm_token_store_delete_bucket (sm_store_get_dir (store), NULL, NULL);

  window = show_window (store);
  composer = open_composer (window);
  type_text (find_by_id (GTK_WIDGET (composer), "text_view"), "Words only");

  g_assert_true (wait_for (bucket_note_shown, composer, WAIT_MS));
  note = find_widget (GTK_WIDGET (composer), match_name, "bucket-note");
  label = find_widget (note, match_type, GSIZE_TO_POINTER (GTK_TYPE_LABEL));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)),
                            "Threads fetches photos and videos from a web address"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "so-me bucket set"));
  g_assert_true (gtk_widget_get_visible (find_by_id (GTK_WIDGET (composer), "problems_box")));
  /* A note, not a problem: the text post can still go. */
  g_assert_true (gtk_widget_is_sensitive (find_by_id (GTK_WIDGET (composer), "post_now_button")));
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer-bucket-note.png");
  gtk_window_destroy (GTK_WINDOW (composer));

  /* With a bucket set up, nothing to say. */
  bucket = sm_s3_config_new ("https://s3.sandbox.test", "us-east-1", "ui-media", "AKIAUI", "not-used",
                             SM_S3_ADDRESSING_AUTO);
  g_assert_true (sm_token_store_save_bucket (sm_store_get_dir (store), bucket, NULL, &error));
  g_assert_no_error (error);
  composer = open_composer (window);
  type_text (find_by_id (GTK_WIDGET (composer), "text_view"), "Words only");
  g_assert_false (wait_for (bucket_note_shown, composer, 1000));
  gtk_window_destroy (GTK_WINDOW (composer));

  sm_token_store_delete_bucket (sm_store_get_dir (store), NULL, NULL);
  close_window (window);
}

static void
test_agenda_states (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = NULL;
  const char *owner = "test-ui";
  gint64 workspace_id, now = g_get_real_time ();
  SmTargetSpec specs[4];
  gint64 post_id, scheduled_target = 0;
  SmWindow *window;
  gpointer args[2];

  store = open_store (&workspace_id, &zone);
  specs[0] = (SmTargetSpec) { add_account (store, workspace_id, SM_NETWORK_X, "1001", "Ada Lovelace", "@ada"), NULL };
  specs[1] = (SmTargetSpec) { add_account (store, workspace_id, SM_NETWORK_LINKEDIN, "urn:li:person:42", "Ada Lovelace", "ada"), NULL };
  specs[2] = (SmTargetSpec) { add_account (store, workspace_id, SM_NETWORK_THREADS, "77", "ada.codes", "@ada.codes"), NULL };
  specs[3] = (SmTargetSpec) { add_account (store, workspace_id, SM_NETWORK_FACEBOOK, "page-9", "Analytical Engines", NULL), NULL };

  /* One post due now on four accounts, taken by a "publisher" (this test)
   * and left in each state the agenda must explain. */
  post_id = sm_store_create_post (store, "The Analytical Engine weaves algebraic patterns.",
                                  now, zone, specs, 3, FALSE, &error);
  g_assert_no_error (error);
  claimed = sm_store_claim_due (store, owner, now + SECOND_US, 60 * SECOND_US, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 3);
  for (guint i = 0; i < claimed->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (claimed, i);

      if (target->network == SM_NETWORK_X)
        sm_store_mark_published (store, target->id, owner, "1234",
                                 "https://x.com/ada/status/1234", now, &error);
      else if (target->network == SM_NETWORK_LINKEDIN)
        sm_store_mark_failed (store, target->id, owner,
                              "LinkedIn refused the post: duplicate content. Change the text and try again.",
                              &error);
      else
        sm_store_mark_unconfirmed (store, target->id, owner, now + 60 * SECOND_US,
                                   "connection lost", &error);
      g_assert_no_error (error);
    }

  /* A second post, later, still scheduled. */
  sm_store_create_post (store, "Tomorrow: a note on Bernoulli numbers.",
                        now + 26 * HOUR_US, zone, &specs[3], 1, FALSE, &error);
  g_assert_no_error (error);

  window = show_window (store);
  g_assert_nonnull (wait_for_post_row (window, post_id));

  /* Keyboard: a post's row takes the focus, and Tab (the window's focus
   * movement) goes on to the row's own buttons. */
  {
    GtkWidget *row = wait_for_post_row (window, post_id);
    GtkWidget *focus;

    g_assert_true (gtk_widget_grab_focus (row));
    g_assert_true (gtk_widget_is_focus (row));
    g_assert_true (gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD));
    focus = gtk_root_get_focus (GTK_ROOT (window));
    g_assert_true (GTK_IS_BUTTON (focus));
    g_assert_true (gtk_widget_is_ancestor (focus, row));
    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (focus)), ==, "_View Post");
  }
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_visible_label,
                                 "Sent, but the network did not confirm; checking…"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_visible_label,
                                 "LinkedIn refused the post: duplicate content. Change the text and try again."));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_visible_label, "View Post"));
  sm_test_ui_save_png (GTK_WIDGET (window), "agenda-states.png");

  /* Live: the publisher says a target changed; the row follows without the
   * window being touched. */
  {
    g_autoptr(SmPost) post = sm_store_get_post (store, post_id, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < post->targets->len; i++)
      {
        const SmTarget *target = g_ptr_array_index (post->targets, i);

        if (target->state == SM_TARGET_UNCONFIRMED)
          scheduled_target = target->id;
      }
  }
  g_assert_cmpint (scheduled_target, >, 0);

  {
    g_autoptr(GPtrArray) again = sm_store_claim_due (store, owner, now + HOUR_US,
                                                     60 * SECOND_US, 10, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (again->len, >=, 1);
  }
  sm_store_mark_published (store, scheduled_target, owner, "88", "https://www.threads.net/@ada.codes/post/88",
                           now, &error);
  g_assert_no_error (error);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  settle ();   /* let the agenda's subscription reach the bus */
  g_dbus_connection_emit_signal (bus, NULL, SM_PUBLISHER_OBJECT_PATH, SM_PUBLISHER_INTERFACE,
                                 "TargetChanged",
                                 g_variant_new ("(xs)", scheduled_target, "published"),
                                 &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (bus, NULL, NULL);

  args[0] = window;
  args[1] = (gpointer) "Sent, but the network did not confirm; checking…";
  {
    gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

    while (label_shown (args) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_false (label_shown (args));

  close_window (window);

  /* A revoked grant: the accounts page says so and offers to reconnect. */
  sm_store_set_account_state (store, specs[2].account_id, SM_ACCOUNT_NEEDS_RECONNECT, &error);
  g_assert_no_error (error);

  /* On a phone-sized window the switcher moves to the bottom and nothing
   * is cut off. */
  window = sm_window_new (GTK_APPLICATION (app), store);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (widget_is_mapped, window, WAIT_MS));
  sm_test_ui_save_png (GTK_WIDGET (window), "calendar-narrow.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "agenda"));
  g_assert_nonnull (wait_for_post_row (window, post_id));
  sm_test_ui_save_png (GTK_WIDGET (window), "agenda-narrow.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_action_row_subtitle,
                                 "@ada.codes · Needs reconnecting"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), match_button_label, "_Reconnect…"));
  sm_test_ui_save_png (GTK_WIDGET (window), "accounts-narrow.png");
  close_window (window);
}

/* Connecting with no app credentials in this build asks for the user's
 * own, keeps them in the keyring, and goes on to the browser sign-in,
 * which Cancel stops. */
static void
test_connect_asks_credentials (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmClientCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = NULL;
  gint64 workspace_id;
  SmWindow *window;
  GtkWidget *connect;
  GtkWindow *dialog;
  GLogLevelFlags fatal_mask;
  gpointer weak;

  /* Other tests on this keyring may have saved some: start without. */
  g_assert_true (sm_token_store_delete_credentials (SM_NETWORK_X, NULL, &error));
  g_assert_no_error (error);
  creds = sm_token_store_load_credentials (SM_NETWORK_X, NULL, &error);
  g_assert_null (creds);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG);
  g_clear_error (&error);

  store = open_store (&workspace_id, &zone);
  window = show_window (store);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));

  /* The groups go X, Facebook, LinkedIn, Threads: the first Connect is X's. */
  connect = find_widget (GTK_WIDGET (window), match_button_label, "Connect…");
  g_assert_nonnull (connect);
  g_assert_true (wait_for (widget_is_mapped, connect, WAIT_MS));
  g_assert_true (gtk_widget_activate (connect));

  dialog = wait_for_toplevel (SM_TYPE_CREDENTIALS_DIALOG, NULL);
  g_assert_cmpint (sm_credentials_dialog_get_network (SM_CREDENTIALS_DIALOG (dialog)), ==, SM_NETWORK_X);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  gtk_editable_set_text (GTK_EDITABLE (find_by_id (GTK_WIDGET (dialog), "client_id_entry")), "my-own-client");
  gtk_editable_set_text (GTK_EDITABLE (find_by_id (GTK_WIDGET (dialog), "secret_entry")), "my-own-secret");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  sm_test_ui_save_png (GTK_WIDGET (dialog), "connect-credentials.png");

  /* No browser in the test session: sm-connect may warn about that, which
   * is not what this test is about. */
  fatal_mask = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label,
                                                   "_Save and Connect")));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));

  dialog = wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Continue in Your Browser");
  sm_test_ui_save_png (GTK_WIDGET (dialog), "connect-browser.png");

  creds = sm_token_store_load_credentials (SM_NETWORK_X, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (creds->client_id, ==, "my-own-client");

  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "_Cancel")));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
  settle ();
  g_log_set_always_fatal (fatal_mask);

  /* Cancelled: nothing was connected, and no error is shown. */
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  {
    g_autoptr(GPtrArray) accounts = sm_store_list_accounts (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (accounts->len, ==, 0);
  }

  close_window (window);
}

static gboolean
match_tooltip (GtkWidget     *widget,
               gconstpointer  text)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0;
}

static gboolean
match_row_title (GtkWidget     *widget,
                 gconstpointer  title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
match_label_containing (GtkWidget     *widget,
                        gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static GtkWindow *
find_titled (const char *title)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (window), title) == 0)
        return window;
    }
  return NULL;
}

static gboolean
titled_shown (gpointer title)
{
  return find_titled (title) != NULL;
}

typedef struct
{
  GtkWidget  *root;
  Match       match;
  const char *data;
} FindQuery;

static gboolean
widget_found (gpointer data)
{
  FindQuery *q = data;

  return find_widget (q->root, q->match, q->data) != NULL;
}

/* WhatsApp has no browser sign-in: a dialog takes the phone number id and
 * the token, checks them with the network without freezing the window,
 * shows what the network says, and connects once they work. */
static void
test_connect_whatsapp_token (void)
{
  g_autoptr(SmTestProfile) profile = sm_test_profile_new ();
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmTokens) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *token = NULL;
  gint64 workspace_id;
  SmWindow *window;
  GtkWindow *dialog;
  GtkWidget *connect;
  FindQuery query;
  gpointer weak;

  g_setenv ("SO_ME_STUDIO_NETWORK_BASE", profile->sandbox_url, TRUE);
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autofree char *url = g_strconcat (profile->sandbox_url, "/__sandbox/whatsapp/token", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_no_error (error);
    g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                               (gssize) g_bytes_get_size (body), NULL));
    token = g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                     "token"));
  }

  store = open_store (&workspace_id, &zone);
  window = show_window (store);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));
  connect = find_widget (GTK_WIDGET (window), match_tooltip, "Connect an account on WhatsApp Business");
  g_assert_nonnull (connect);
  g_assert_true (wait_for (widget_is_mapped, connect, WAIT_MS));
  g_assert_true (gtk_widget_activate (connect));

  g_assert_true (wait_for (titled_shown, (gpointer) "Connect WhatsApp Business", WAIT_MS));
  dialog = find_titled ("Connect WhatsApp Business");
  g_assert_true (gtk_window_get_modal (dialog));
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (dialog), match_row_title, "Phone Number ID")),
                         "106540352242922");
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (dialog), match_row_title, "Access Token")),
                         "EAAGnotavalidtoken");
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "C_onnect")));

  /* The network's refusal, in the dialog, which stays. */
  query = (FindQuery) { GTK_WIDGET (dialog), match_label_containing, "did not accept the token" };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));
  sm_test_ui_save_png (GTK_WIDGET (dialog), "connect-whatsapp-refused.png");
  kept = sm_token_store_load (sm_store_get_dir (store), SM_NETWORK_WHATSAPP, "106540352242922", NULL, &error);
  g_assert_null (kept);
  g_clear_error (&error);

  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (dialog), match_row_title, "Access Token")),
                         token);
  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_assert_true (gtk_widget_activate (find_widget (GTK_WIDGET (dialog), match_button_label, "C_onnect")));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));

  query = (FindQuery) { GTK_WIDGET (window), match_action_row_title, "Sandbox Bakery" };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));
  /* Then what the keyring says: a system-user token does not expire. */
  query = (FindQuery) { GTK_WIDGET (window), match_action_row_subtitle,
                        "+1 555-078-3881 · Signed in · does not expire" };
  g_assert_true (wait_for (widget_found, &query, WAIT_MS));
  kept = sm_token_store_load (sm_store_get_dir (store), SM_NETWORK_WHATSAPP, "106540352242922", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept->access_token, ==, token);

  close_window (window);
  g_assert_true (sm_token_store_delete (sm_store_get_dir (store), SM_NETWORK_WHATSAPP,
                                        "106540352242922", NULL, &error));
  g_unsetenv ("SO_ME_STUDIO_NETWORK_BASE");
}

/* Posting Times from the accounts page: a day choice and a time add the
 * slots, a row's button removes one, a wrong time or zone is named and
 * changes nothing. */
static void
test_posting_times (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *account_zone = NULL;
  gint64 workspace_id, account;
  SmWindow *window;
  GtkWidget *button, *time_row, *zone_row;
  GtkWindow *dialog;

  store = open_store (&workspace_id, &zone);
  account = add_account (store, workspace_id, SM_NETWORK_X, "77", "Bakery", "@bakery");
  window = show_window (store);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "accounts"));

  button = find_widget (GTK_WIDGET (window), match_tooltip, "Posting Times for Bakery on X…");
  g_assert_nonnull (button);
  g_assert_true (wait_for (widget_is_mapped, button, WAIT_MS));
  g_assert_true (gtk_widget_activate (button));
  g_assert_true (wait_for (titled_shown, (gpointer) "Posting Times", WAIT_MS));
  dialog = find_titled ("Posting Times");
  g_assert_true (wait_for (widget_is_mapped, dialog, WAIT_MS));
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), match_label_containing, "No posting times yet"));

  adw_combo_row_set_selected (ADW_COMBO_ROW (find_widget (GTK_WIDGET (dialog), match_row_title, "Day")), 1);
  time_row = find_widget (GTK_WIDGET (dialog), match_row_title, "Time (HH:MM)");
  button = find_widget (GTK_WIDGET (dialog), match_tooltip, "Add Posting Time");
  /* "clicked" itself: gtk_widget_activate() clicks a button only after
   * its press animation. */
  gtk_editable_set_text (GTK_EDITABLE (time_row), "25:00");
  g_signal_emit_by_name (button, "clicked");
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), match_label_containing, "is not a time of day"));
  slots = sm_store_list_queue_slots (store, account, &error);
  g_assert_cmpuint (slots->len, ==, 0);
  g_clear_pointer (&slots, g_array_unref);

  gtk_editable_set_text (GTK_EDITABLE (time_row), "09:30");
  g_signal_emit_by_name (button, "clicked");
  slots = sm_store_list_queue_slots (store, account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slots->len, ==, 5);
  g_clear_pointer (&slots, g_array_unref);
  g_assert_null (find_widget (GTK_WIDGET (dialog), match_label_containing, "is not a time of day"));
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), match_action_row_title, "Friday"));
  g_assert_null (find_widget (GTK_WIDGET (dialog), match_action_row_title, "Saturday"));

  g_signal_emit_by_name (find_widget (GTK_WIDGET (dialog), match_tooltip, "Remove Monday 09:30"), "clicked");
  slots = sm_store_list_queue_slots (store, account, &error);
  g_assert_cmpuint (slots->len, ==, 4);
  g_assert_cmpint (g_array_index (slots, SmQueueSlot, 0).weekday, ==, 2);
  g_assert_null (find_widget (GTK_WIDGET (dialog), match_action_row_title, "Monday"));

  zone_row = find_widget (GTK_WIDGET (dialog), match_row_title, "Time Zone");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (zone_row)), ==, zone);
  gtk_editable_set_text (GTK_EDITABLE (zone_row), "Mars/Olympus");
  g_signal_emit_by_name (zone_row, "apply");
  g_assert_nonnull (find_widget (GTK_WIDGET (dialog), match_label_containing, "is not a time zone"));
  account_zone = sm_store_get_account_zone (store, account, &error);
  g_assert_cmpstr (account_zone, ==, zone);
  g_clear_pointer (&account_zone, g_free);
  gtk_editable_set_text (GTK_EDITABLE (zone_row), "America/New_York");
  g_signal_emit_by_name (zone_row, "apply");
  account_zone = sm_store_get_account_zone (store, account, &error);
  g_assert_cmpstr (account_zone, ==, "America/New_York");
  g_assert_null (find_widget (GTK_WIDGET (dialog), match_label_containing, "is not a time zone"));
  sm_test_ui_save_png (GTK_WIDGET (dialog), "posting-times.png");

  gtk_window_destroy (dialog);
  close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* G_TEST_OPTION_ISOLATE_DIRS also hides the system's data folders, where
   * the MIME database (to load SVG icons), the icon theme and the GSettings
   * schemas that GTK and libadwaita read live.  Each is looked up once and
   * kept: do it before isolating. */
  g_content_type_set_mime_dirs (NULL);
  gtk_init ();
  g_assert_nonnull (g_settings_schema_source_get_default ());
  gtk_icon_theme_get_for_display (gdk_display_get_default ());

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* GTK's own startup (display, styles, the app's CSS) without running a
   * main loop of its own; the tests iterate the default context. */
  app = sm_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/schedule-post", test_schedule_post);
  g_test_add_func ("/ui/over-limit", test_over_limit);
  g_test_add_func ("/ui/agenda-states", test_agenda_states);
  g_test_add_func ("/ui/composer-bucket-note", test_composer_bucket_note);
  g_test_add_func ("/ui/connect-asks-credentials", test_connect_asks_credentials);
  g_test_add_func ("/ui/connect-whatsapp-token", test_connect_whatsapp_token);
  g_test_add_func ("/ui/posting-times", test_posting_times);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
