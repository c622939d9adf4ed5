/* test-edit.c — editing a saved post and the composer's preview, driven
 * as a person would: open a scheduled post's popover in the calendar,
 * choose Edit, change the text, one account's own text, an option and
 * the time, save, and find exactly that in the store under the same id;
 * a draft stays a draft; a published post offers no Edit, and one that
 * went out while the composer was open says so and keeps what was typed.
 * The preview cuts a long caption with "more" for Instagram, shows X the
 * whole text with a card for its link, and follows the typing.
 *
 * Runs under Xvfb with a private session bus (tests/run-headless).
 * Screenshots go to $SM_BUILD_DIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-edit"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include <adwaita.h>

#include "sm-application.h"
#include "sm-calendar-chip.h"
#include "sm-calendar-view.h"
#include "sm-composer-window.h"
#include "sm-media.h"
#include "sm-options.h"
#include "sm-post-popover.h"
#include "sm-store.h"
#include "sm-time.h"
#include "sm-window.h"

#define WAIT_MS 10000

static SmApplication *app;
static char *fixture_dir;

/* ---- Helpers (as in test-composer.c) ----------------------------------------- */

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
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
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

/* By name, shown or not (options sit in folded rows). */
static gboolean
match_any_name (GtkWidget     *widget,
                gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
match_mapped_name (GtkWidget     *widget,
                   gconstpointer  name)
{
  return gtk_widget_get_mapped (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static gboolean
match_action_row_subtitle (GtkWidget     *widget,
                           gconstpointer  subtitle)
{
  return ADW_IS_ACTION_ROW (widget) &&
         g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), subtitle) == 0;
}

static gboolean
match_expander_title (GtkWidget     *widget,
                      gconstpointer  title)
{
  return ADW_IS_EXPANDER_ROW (widget) && gtk_widget_get_visible (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
match_chip (GtkWidget     *widget,
            gconstpointer  post_id)
{
  return SM_IS_CALENDAR_CHIP (widget) && gtk_widget_get_mapped (widget) &&
         sm_calendar_chip_get_post_id (SM_CALENDAR_CHIP (widget)) == *(const gint64 *) post_id;
}

static GtkWidget *
find_by_id (GtkWidget  *root,
            const char *id)
{
  GtkWidget *widget = find_widget (root, match_id, id);

  g_assert_nonnull (widget);
  return widget;
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
  FindQuery *query = data;

  return find_widget (query->root, query->match, query->data) != NULL;
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
  GskRenderer *renderer;
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

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
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
  gint64 id = sm_store_upsert_account (store, workspace_id, network, remote_id, name, handle, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* Ticks an account's box by activating its row, as a click does. */
static void
choose_account (GtkWidget  *composer,
                const char *subtitle)
{
  GtkWidget *row = find_widget (composer, match_action_row_subtitle, subtitle);
  GtkWidget *check;

  g_assert_nonnull (row);
  check = find_widget (row, match_type, GSIZE_TO_POINTER (GTK_TYPE_CHECK_BUTTON));
  gtk_widget_activate (row);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
}

static gboolean
action_enabled (gpointer data)
{
  return gtk_widget_is_sensitive (GTK_WIDGET (data));
}

/* A 640×960 PNG (a tall phone photo), made at run time. */
static char *
make_png (void)
{
  g_autofree char *path = g_build_filename (fixture_dir, "loaf.png", NULL);
  const int width = 640, height = 960;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guchar *data = g_malloc ((gsize) width * height * 4);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = data + ((gsize) y * width + x) * 4;

        p[0] = (guchar) (200 + x % 56);
        p[1] = (guchar) (120 + y % 100);
        p[2] = 60;
        p[3] = 255;
      }
  bytes = g_bytes_new_take (data, (gsize) width * height * 4);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, (gsize) width * 4);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  return g_steal_pointer (&path);
}

static SmComposerWindow *
find_composer (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (SM_IS_COMPOSER_WINDOW (w))
        return SM_COMPOSER_WINDOW (w);
    }
  return NULL;
}

static gboolean
composer_open (gpointer data)
{
  SmComposerWindow *composer = find_composer ();

  return composer != NULL && widget_is_mapped (composer);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

static void
activate_and_wait_closed (SmComposerWindow *composer,
                          const char       *action)
{
  gpointer weak = composer;

  g_object_add_weak_pointer (G_OBJECT (composer), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), action, NULL));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
}

static void
close_window (GtkWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (window);
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
}

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_text_view (GtkWidget  *view,
               const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

/* The text view of an account's own text ("Shorter Texts"). */
static GtkWidget *
variant_view (GtkWidget  *composer,
              const char *account_name)
{
  GtkWidget *row = find_widget (composer, match_expander_title, account_name);

  g_assert_nonnull (row);
  return find_widget (row, match_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
}

typedef struct
{
  SmStore    *store;
  SmWindow   *window;
  gint64      workspace_id;
  gint64      x, fb, ig;
  char       *png;
  SmMediaInfo *png_info;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  f->workspace_id = sm_store_get_default_workspace (f->store, NULL, &error);
  g_assert_no_error (error);
  f->x = add_account (f->store, f->workspace_id, SM_NETWORK_X, "501", "Crumb Bakery", "@crumb");
  f->fb = add_account (f->store, f->workspace_id, SM_NETWORK_FACEBOOK, "fb-501", "Crumb Page", NULL);
  f->ig = add_account (f->store, f->workspace_id, SM_NETWORK_INSTAGRAM, "ig-501", "Crumb Gram", "crumb.gram");
  f->png = make_png ();
  f->png_info = sm_media_probe (f->png, NULL, &error);
  g_assert_no_error (error);

  f->window = sm_window_new (GTK_APPLICATION (app), f->store);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (wait_for (widget_is_mapped, f->window, WAIT_MS));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  SmComposerWindow *composer = find_composer ();
  AdwMessageDialog *dialog = find_message_dialog ();

  if (dialog != NULL)
    close_window (GTK_WINDOW (dialog));
  if (composer != NULL)
    close_window (GTK_WINDOW (composer));
  close_window (GTK_WINDOW (f->window));
  g_clear_object (&f->store);
  g_clear_pointer (&f->png_info, sm_media_info_free);
  g_free (f->png);
}

/* Tomorrow at @hour:@minute in Berlin. */
static gint64
tomorrow_at (int hour,
             int minute)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autoptr(GError) error = NULL;
  gint64 us = sm_time_local_to_utc_us ("Europe/Berlin", g_date_time_get_year (tomorrow),
                                       g_date_time_get_month (tomorrow),
                                       g_date_time_get_day_of_month (tomorrow), hour, minute, &error);

  g_assert_no_error (error);
  return us;
}

/* Opens @post_id's popover in the calendar. */
static GtkWidget *
open_popover (Fixture *f,
              gint64   post_id)
{
  GtkWidget *view = find_widget (GTK_WIDGET (f->window), match_type, GSIZE_TO_POINTER (SM_TYPE_CALENDAR_VIEW));
  FindQuery chip_query = { NULL, match_chip, (const char *) &post_id };
  GtkWidget *chip, *popover;

  g_assert_nonnull (view);
  /* Posts written to the store behind its back, as the command line does;
   * the window reads them again when it is next activated. */
  sm_calendar_view_reload (SM_CALENDAR_VIEW (view));
  g_assert_true (sm_calendar_view_show_post (SM_CALENDAR_VIEW (view), post_id));
  chip_query.root = view;
  g_assert_true (wait_for (widget_found, &chip_query, WAIT_MS));
  chip = find_widget (view, match_chip, &post_id);
  g_signal_emit_by_name (chip, "clicked");
  settle ();
  popover = find_widget (view, match_type, GSIZE_TO_POINTER (SM_TYPE_POST_POPOVER));
  g_assert_nonnull (popover);
  g_assert_true (wait_for (widget_is_mapped, popover, WAIT_MS));
  g_assert_cmpint (sm_post_popover_get_post_id (SM_POST_POPOVER (popover)), ==, post_id);
  return popover;
}

/* ---- Tests -------------------------------------------------------------------- */

/* A scheduled post: Edit in its popover, change the text, X's own text,
 * X's reply setting and the time; Save.  The store has exactly that,
 * under the same id; the file and Facebook's part are as they were. */
static void
test_edit_scheduled (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(GHashTable) saved_options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *shown = NULL;
  SmTargetSpec specs[] = { { f->x, "Short rye news for X" }, { f->fb, NULL } };
  SmPostMedia file = { 0, f->png, (gint64) f->png_info->size_bytes, f->png_info->sha256,
                       f->png_info->mime_type };
  gint64 due = tomorrow_at (10, 0);
  gint64 expected = tomorrow_at (11, 30);
  gint64 post_id, media_id;
  SmComposerWindow *composer;
  GtkWidget *popover, *edit, *combo, *view;
  const char *const *choices;
  guint mentioned = 0;

  g_hash_table_insert (saved_options, (char *) "x.reply_settings", (char *) "following");
  g_hash_table_insert (saved_options, (char *) "facebook.kind", (char *) "post");
  post_id = sm_store_create_post_full (f->store, "Our rye is back, every Saturday from eight.", due,
                                       "Europe/Berlin", specs, 2, &file, 1, saved_options, FALSE, &error);
  g_assert_no_error (error);
  media = sm_store_list_post_media (f->store, post_id, &error);
  media_id = ((SmPostMedia *) g_ptr_array_index (media, 0))->id;
  g_clear_pointer (&media, g_ptr_array_unref);

  popover = open_popover (f, post_id);
  save_screenshot (popover, "edit-popover.png");
  edit = find_widget (popover, match_button_label, "_Edit…");
  g_assert_nonnull (edit);
  g_signal_emit_by_name (edit, "clicked");
  g_assert_true (wait_for (composer_open, NULL, WAIT_MS));
  composer = find_composer ();

  /* Loaded exactly as saved. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "Edit Post");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_by_id (GTK_WIDGET (composer), "schedule_button"))),
                   ==, "_Save");
  view = find_by_id (GTK_WIDGET (composer), "text_view");
  shown = buffer_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  g_assert_cmpstr (shown, ==, "Our rye is back, every Saturday from eight.");
  g_clear_pointer (&shown, g_free);
  shown = buffer_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (variant_view (GTK_WIDGET (composer),
                                                                              "Crumb Bakery"))));
  g_assert_cmpstr (shown, ==, "Short rye news for X");
  g_clear_pointer (&shown, g_free);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_by_id (GTK_WIDGET (composer), "zone_row"))),
                   ==, "Europe/Berlin");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (find_by_id (GTK_WIDGET (composer),
                                                                                  "hour_spin"))), ==, 10);
  {
    FindQuery card = { GTK_WIDGET (composer), match_mapped_name, "media-card" };

    g_assert_true (wait_for (widget_found, &card, WAIT_MS));
  }
  combo = find_widget (GTK_WIDGET (composer), match_any_name, "x.reply_settings");
  g_assert_nonnull (combo);
  choices = sm_options_choices ("x.reply_settings");
  g_assert_cmpstr (choices[adw_combo_row_get_selected (ADW_COMBO_ROW (combo)) - 1], ==, "following");

  /* The changes. */
  set_text_view (view, "Rye is back! Every Saturday from eight, while it lasts.");
  set_text_view (variant_view (GTK_WIDGET (composer), "Crumb Bakery"), "Rye is back, Saturdays at 8");
  for (guint i = 0; choices[i] != NULL; i++)
    if (g_str_equal (choices[i], "mentionedUsers"))
      mentioned = i + 1;
  g_assert_cmpuint (mentioned, >, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (combo), mentioned);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_by_id (GTK_WIDGET (composer), "hour_spin")), 11);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_by_id (GTK_WIDGET (composer), "minute_spin")), 30);
  g_assert_true (wait_for (action_enabled, find_by_id (GTK_WIDGET (composer), "schedule_button"), WAIT_MS));
  save_screenshot (GTK_WIDGET (composer), "composer-edit.png");
  activate_and_wait_closed (composer, "composer.schedule");

  post = sm_store_get_post (f->store, post_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (post->text, ==, "Rye is back! Every Saturday from eight, while it lasts.");
  g_assert_cmpint (post->due_us, ==, expected);
  g_assert_cmpstr (post->time_zone, ==, "Europe/Berlin");
  g_assert_cmpuint (post->targets->len, ==, 2);
  for (guint i = 0; i < post->targets->len; i++)
    {
      const SmTarget *t = g_ptr_array_index (post->targets, i);

      g_assert_cmpint (t->state, ==, SM_TARGET_SCHEDULED);
      g_assert_cmpint (t->next_attempt_us, ==, expected);
      if (t->account_id == f->x)
        {
          g_assert_true (t->has_variant);
          g_assert_cmpstr (t->text, ==, "Rye is back, Saturdays at 8");
        }
      else
        {
          g_assert_cmpint (t->account_id, ==, f->fb);
          g_assert_false (t->has_variant);
        }
    }
  media = sm_store_list_post_media (f->store, post_id, &error);
  g_assert_cmpuint (media->len, ==, 1);
  g_assert_cmpint (((SmPostMedia *) g_ptr_array_index (media, 0))->id, ==, media_id);
  g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (media, 0))->sha256, ==, f->png_info->sha256);
  options = sm_store_get_post_options (f->store, post_id, &error);
  g_assert_cmpuint (g_hash_table_size (options), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (options, "x.reply_settings"), ==, "mentionedUsers");
  g_assert_cmpstr (g_hash_table_lookup (options, "facebook.kind"), ==, "post");
}

/* A draft opens as one and, saved as a draft, stays one, time and all. */
static void
test_edit_draft (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = NULL;
  SmTargetSpec specs[] = { { f->ig, NULL } };
  gint64 due = tomorrow_at (16, 45);
  gint64 post_id;
  SmComposerWindow *composer;
  GtkWidget *popover, *edit;

  post_id = sm_store_create_post (f->store, "An idea: seeded loaves", due, "Europe/Berlin", specs, 1, TRUE, &error);
  g_assert_no_error (error);

  popover = open_popover (f, post_id);
  edit = find_widget (popover, match_button_label, "_Edit…");
  g_assert_nonnull (edit);
  g_signal_emit_by_name (edit, "clicked");
  g_assert_true (wait_for (composer_open, NULL, WAIT_MS));
  composer = find_composer ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "Edit Draft");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_by_id (GTK_WIDGET (composer), "schedule_button"))),
                   ==, "_Schedule");

  set_text_view (find_by_id (GTK_WIDGET (composer), "text_view"), "An idea: seeded loaves, with pumpkin");
  activate_and_wait_closed (composer, "composer.save-draft");

  post = sm_store_get_post (f->store, post_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (post->text, ==, "An idea: seeded loaves, with pumpkin");
  g_assert_cmpint (post->due_us, ==, due);
  g_assert_cmpuint (post->targets->len, ==, 1);
  g_assert_cmpint (((SmTarget *) g_ptr_array_index (post->targets, 0))->state, ==, SM_TARGET_DRAFT);
  g_assert_cmpint (((SmTarget *) g_ptr_array_index (post->targets, 0))->account_id, ==, f->ig);
}

/* Sends @post_id's targets (as the publisher would) and marks them published. */
static void
publish (Fixture *f,
         gint64   post_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gint64 now = g_get_real_time ();

  g_assert_true (sm_store_reschedule_post (f->store, post_id, now, &error));
  g_assert_no_error (error);
  claimed = sm_store_claim_due (f->store, "test", now + G_USEC_PER_SEC, G_TIME_SPAN_MINUTE, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, >, 0);
  for (guint i = 0; i < claimed->len; i++)
    {
      const SmTarget *t = g_ptr_array_index (claimed, i);

      g_assert_cmpint (t->post_id, ==, post_id);
      g_assert_true (sm_store_mark_published (f->store, t->id, "test", "1", NULL, now, &error));
      g_assert_no_error (error);
    }
}

/* A published post offers Duplicate, not Edit; one published while the
 * composer was open is refused with the store's words, and the composer
 * keeps what was typed. */
static void
test_published_not_editable (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = NULL;
  g_autofree char *kept = NULL;
  SmTargetSpec specs[] = { { f->x, NULL } };
  gint64 post_id, other_id;
  SmComposerWindow *composer;
  AdwMessageDialog *dialog;
  GtkWidget *popover, *view;

  /* Published while the composer is open. */
  other_id = sm_store_create_post (f->store, "Croissants at seven", tomorrow_at (7, 0), "Europe/Berlin",
                                   specs, 1, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.edit-post", "x", other_id));
  g_assert_true (wait_for (composer_open, NULL, WAIT_MS));
  composer = find_composer ();
  view = find_by_id (GTK_WIDGET (composer), "text_view");
  set_text_view (view, "Croissants at seven, and pain au chocolat");
  publish (f, other_id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.schedule", NULL));
  g_assert_true (wait_for (message_dialog_shown, NULL, WAIT_MS));
  dialog = find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Save the Changes");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "duplicate"));
  save_screenshot (GTK_WIDGET (dialog), "edit-refused.png");
  close_window (GTK_WINDOW (dialog));
  g_assert_true (find_composer () == composer);
  kept = buffer_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  g_assert_cmpstr (kept, ==, "Croissants at seven, and pain au chocolat");
  close_window (GTK_WINDOW (composer));
  post = sm_store_get_post (f->store, other_id, &error);
  g_assert_cmpstr (post->text, ==, "Croissants at seven");

  /* Published: no Edit in its popover, Duplicate instead, and asking
   * the window to edit it opens no composer. */
  post_id = sm_store_create_post (f->store, "Bread, published", tomorrow_at (8, 0), "Europe/Berlin",
                                  specs, 1, FALSE, &error);
  g_assert_no_error (error);
  publish (f, post_id);
  popover = open_popover (f, post_id);
  g_assert_null (find_widget (popover, match_button_label, "_Edit…"));
  g_assert_nonnull (find_widget (popover, match_button_label, "_Duplicate"));
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.edit-post", "x", post_id));
  settle ();
  g_assert_null (find_composer ());
}

typedef struct
{
  GtkWidget  *root;
  const char *name;
  const char *suffix;    /* the label ends with this */
  const char *equals;    /* or is exactly this */
} LabelQuery;

static gboolean
label_shows (gpointer data)
{
  LabelQuery *query = data;
  GtkWidget *label = find_widget (query->root, match_mapped_name, query->name);
  const char *text;

  if (label == NULL || !GTK_IS_LABEL (label))
    return FALSE;
  text = gtk_label_get_text (GTK_LABEL (label));
  if (query->equals != NULL)
    return g_strcmp0 (text, query->equals) == 0;
  return g_str_has_suffix (text, query->suffix);
}

typedef struct
{
  GtkWidget  *root;
  const char *name;
  guint       n;
} CountQuery;

static guint
count_named (GtkWidget  *root,
             const char *name)
{
  guint n = gtk_widget_get_mapped (root) && g_strcmp0 (gtk_widget_get_name (root), name) == 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_named (child, name);
  return n;
}

/* Exactly @n shown widgets of that name. */
static gboolean
widgets_counted (gpointer data)
{
  CountQuery *query = data;

  return count_named (query->root, query->name) == query->n;
}

static gboolean
match_label_text (GtkWidget     *widget,
                  gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

typedef struct
{
  GtkWidget *pane;
  double     ratio;
} RatioQuery;

/* The preview's picture is shown at @ratio (width / height), to a pixel. */
static gboolean
media_shown_at (gpointer data)
{
  RatioQuery *query = data;
  GtkWidget *picture = find_widget (query->pane, match_mapped_name, "preview-media");
  int width, height;

  if (picture == NULL)
    return FALSE;
  width = gtk_widget_get_width (picture);
  height = gtk_widget_get_height (picture);
  return width > 100 && height > 0 && fabs (width - height * query->ratio) <= 1.5;
}

/* A long text for Instagram and X: Instagram's caption is cut with
 * "more", X shows it whole with a card for its link, and the preview
 * follows the typing; an X thread is a card per part; a tall photo is
 * cropped to each feed's shape. */
static void
test_preview (Fixture       *f,
              gconstpointer  data)
{
  const char *text = "Saturday is rye day at Crumb. We bake the sourdough rye overnight, "
                     "slice it thin for the shop and keep a few whole loaves for the regulars. "
                     "Come early, they go by ten. Order ahead at https://www.crumb-bakery.example/rye "
                     "and we keep one for you.";
  g_autofree char *full_more = g_strconcat (text, " See you!", NULL);
  SmComposerWindow *composer;
  GtkWidget *view, *button, *pane, *label;
  LabelQuery query = { NULL, "preview-text", NULL, NULL };
  FindQuery find = { NULL, match_mapped_name, NULL };

  g_assert_cmpint (g_utf8_strlen (text, -1), >, 125);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-post", NULL));
  g_assert_true (wait_for (composer_open, NULL, WAIT_MS));
  composer = find_composer ();
  view = find_by_id (GTK_WIDGET (composer), "text_view");
  gtk_widget_grab_focus (view);
  gtk_text_buffer_insert_interactive_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1, TRUE);
  choose_account (GTK_WIDGET (composer), "Instagram · crumb.gram");
  choose_account (GTK_WIDGET (composer), "X · @crumb");

  /* Preview, then the Instagram button. */
  button = find_by_id (GTK_WIDGET (composer), "preview_button");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  pane = find_by_id (GTK_WIDGET (composer), "preview");
  g_assert_true (wait_for (widget_is_mapped, pane, WAIT_MS));
  find.root = GTK_WIDGET (composer);
  find.data = "preview-network-instagram";
  g_assert_true (wait_for (widget_found, &find, WAIT_MS));
  g_assert_nonnull (find_widget (GTK_WIDGET (composer), match_mapped_name, "preview-network-x"));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_widget (GTK_WIDGET (composer), match_mapped_name,
                                                                "preview-network-instagram")), TRUE);
  query.root = pane;
  query.suffix = "… more";
  g_assert_true (wait_for (label_shows, &query, WAIT_MS));
  label = find_widget (pane, match_mapped_name, "preview-text");
  g_assert_true (g_str_has_prefix (text, "Saturday is rye day"));
  g_assert_cmpint (g_utf8_strlen (gtk_label_get_text (GTK_LABEL (label)), -1), <=, 125 + strlen ("… more"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (pane, match_mapped_name, "preview-name"))),
                   ==, "Crumb Gram");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (pane, match_mapped_name, "preview-avatar"))),
                   ==, "C");
  /* Instagram makes no card of a link. */
  g_assert_null (find_widget (pane, match_mapped_name, "preview-link"));
  save_screenshot (GTK_WIDGET (composer), "composer-preview-instagram.png");

  /* X: the whole text, and a card with the link's domain. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_widget (GTK_WIDGET (composer), match_mapped_name,
                                                                "preview-network-x")), TRUE);
  query.suffix = NULL;
  query.equals = text;
  g_assert_true (wait_for (label_shows, &query, WAIT_MS));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_widget (pane, match_mapped_name, "preview-handle"))),
                   ==, "@crumb");
  query.name = "preview-link-domain";
  query.equals = "CRUMB-BAKERY.EXAMPLE";
  g_assert_true (wait_for (label_shows, &query, WAIT_MS));
  query.name = "preview-link-url";
  query.equals = "https://www.crumb-bakery.example/rye";
  g_assert_true (wait_for (label_shows, &query, WAIT_MS));

  /* It follows the typing. */
  gtk_text_buffer_insert_interactive_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                                                " See you!", -1, TRUE);
  query.name = "preview-text";
  query.equals = full_more;
  g_assert_true (wait_for (label_shows, &query, WAIT_MS));
  save_screenshot (GTK_WIDGET (composer), "composer-preview.png");

  /* An X thread: each part is a post of its own. */
  {
    GtkWidget *row = find_widget (GTK_WIDGET (composer), match_any_name, "x.thread");
    CountQuery cards = { pane, "preview-card", 2 };

    g_assert_nonnull (row);
    set_text_view (view, "Rye day, part one.\n---\nPart two: come early.");
    gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))), TRUE);
    g_assert_true (wait_for (widgets_counted, &cards, WAIT_MS));
    g_assert_nonnull (find_widget (pane, match_label_text, "Rye day, part one."));
    g_assert_nonnull (find_widget (pane, match_label_text, "Part two: come early."));
  }

  /* A tall photo: X crops it to 16:9 and drops the link card, Instagram's
   * feed to 4:5. */
  {
    g_autoptr(GFile) file = g_file_new_for_path (f->png);
    GFile *files[] = { file };

    RatioQuery ratio = { pane, 16.0 / 9.0 };

    sm_composer_window_add_files (composer, files, 1);
    g_assert_true (wait_for (media_shown_at, &ratio, WAIT_MS));
    g_assert_null (find_widget (pane, match_mapped_name, "preview-link"));

    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find_widget (GTK_WIDGET (composer), match_mapped_name,
                                                                  "preview-network-instagram")), TRUE);
    query.name = "preview-name";
    query.equals = "Crumb Gram";
    g_assert_true (wait_for (label_shows, &query, WAIT_MS));
    /* Once the photo is read, its 2:3 shape is cropped to 4:5. */
    ratio.ratio = 0.8;
    g_assert_true (wait_for (media_shown_at, &ratio, WAIT_MS));
    save_screenshot (GTK_WIDGET (composer), "composer-preview-media.png");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* As test-composer: GTK without GL under Xvfb. */
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  g_content_type_set_mime_dirs (NULL);
  gtk_init ();
  gst_init (NULL, NULL);
  g_assert_nonnull (g_settings_schema_source_get_default ());
  gtk_icon_theme_get_for_display (gdk_display_get_default ());

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  fixture_dir = g_dir_make_tmp ("sm-edit-XXXXXX", &error);
  g_assert_no_error (error);

  app = sm_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/edit/scheduled", test_edit_scheduled);
  ADD ("/edit/draft-stays-draft", test_edit_draft);
  ADD ("/edit/published-not-editable", test_published_not_editable);
  ADD ("/preview/instagram-and-x", test_preview);
#undef ADD

  status = g_test_run ();

  g_clear_object (&app);
  {
    g_autoptr(GDir) dir = g_dir_open (fixture_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (fixture_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (fixture_dir);
  }
  g_free (fixture_dir);
  return status;
}
