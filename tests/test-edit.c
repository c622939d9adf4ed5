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

#include <gst/gst.h>

#include <adwaita.h>

#include "sm-application.h"
#include "sm-calendar-view.h"
#include "sm-agenda-view.h"
#include "sm-composer-window.h"
#include "sm-media.h"
#include "sm-options.h"
#include "sm-post-popover.h"
#include "sm-store.h"
#include "sm-test-ui.h"
#include "sm-test-util.h"
#include "sm-time.h"
#include "sm-window.h"

#define WAIT_MS 10000

static SmApplication *app;
static char *fixture_dir;

/* ---- Helpers ------------------------------------------------------------------ */

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
  return (SmComposerWindow *) sm_test_ui_find_toplevel (SM_TYPE_COMPOSER_WINDOW, NULL);
}

/* A composer is shown; it. */
static SmComposerWindow *
wait_composer (void)
{
  GtkWindow *composer = sm_test_ui_wait_window (SM_TYPE_COMPOSER_WINDOW, NULL, WAIT_MS);

  g_assert_nonnull (composer);
  return SM_COMPOSER_WINDOW (composer);
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
  GtkWidget *row = sm_test_ui_find (composer, sm_test_ui_match_expander_title, account_name);

  g_assert_nonnull (row);
  return sm_test_ui_find (row, sm_test_ui_match_type, GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW));
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
  f->x = sm_test_ui_add_account (f->store, f->workspace_id, SM_NETWORK_X, "501", "Crumb Bakery", "@crumb");
  f->fb = sm_test_ui_add_account (f->store, f->workspace_id, SM_NETWORK_FACEBOOK, "fb-501", "Crumb Page", NULL);
  f->ig = sm_test_ui_add_account (f->store, f->workspace_id, SM_NETWORK_INSTAGRAM, "ig-501", "Crumb Gram",
                                  "crumb.gram");
  f->png = make_png ();
  f->png_info = sm_media_probe (f->png, NULL, &error);
  g_assert_no_error (error);

  f->window = sm_test_ui_show_window (app, f->store, WAIT_MS);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  SmComposerWindow *composer = find_composer ();
  GtkWindow *dialog = sm_test_ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL);

  if (dialog != NULL)
    sm_test_ui_close_window (dialog);
  if (composer != NULL)
    sm_test_ui_close_window (GTK_WINDOW (composer));
  sm_test_ui_close_window (GTK_WINDOW (f->window));
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
  GtkWidget *view = sm_test_ui_find (GTK_WIDGET (f->window), sm_test_ui_match_type,
                                     GSIZE_TO_POINTER (SM_TYPE_CALENDAR_VIEW));
  GtkWidget *chip, *popover;

  g_assert_nonnull (view);
  /* Posts written to the store behind its back, as the command line does;
   * the window reads them again when it is next activated. */
  sm_calendar_view_reload (SM_CALENDAR_VIEW (view));
  g_assert_true (sm_calendar_view_show_post (SM_CALENDAR_VIEW (view), post_id));
  chip = sm_test_ui_wait_find (view, sm_test_ui_match_chip, &post_id, WAIT_MS);
  g_assert_nonnull (chip);
  sm_test_ui_click (chip);
  sm_test_ui_settle (500);
  popover = sm_test_ui_find (view, sm_test_ui_match_type, GSIZE_TO_POINTER (SM_TYPE_POST_POPOVER));
  g_assert_nonnull (popover);
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, popover, WAIT_MS));
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
  sm_test_ui_save_png (popover, "edit-popover.png");
  edit = sm_test_ui_find (popover, sm_test_ui_match_button_label, "_Edit…");
  g_assert_nonnull (edit);
  sm_test_ui_click (edit);
  composer = wait_composer ();

  /* Loaded exactly as saved. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "Edit Post");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (sm_test_ui_find_by_id (GTK_WIDGET (composer),
                                                                            "schedule_button"))), ==, "_Save");
  view = sm_test_ui_find_by_id (GTK_WIDGET (composer), "text_view");
  shown = buffer_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  g_assert_cmpstr (shown, ==, "Our rye is back, every Saturday from eight.");
  g_clear_pointer (&shown, g_free);
  shown = buffer_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (variant_view (GTK_WIDGET (composer),
                                                                              "Crumb Bakery"))));
  g_assert_cmpstr (shown, ==, "Short rye news for X");
  g_clear_pointer (&shown, g_free);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (sm_test_ui_find_by_id (GTK_WIDGET (composer),
                                                                              "zone_row"))), ==, "Europe/Berlin");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (sm_test_ui_find_by_id (GTK_WIDGET (composer),
                                                                                             "hour_spin"))),
                   ==, 10);
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "media-card",
                                          WAIT_MS));
  combo = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_name, "x.reply_settings");
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
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sm_test_ui_find_by_id (GTK_WIDGET (composer), "hour_spin")), 11);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sm_test_ui_find_by_id (GTK_WIDGET (composer), "minute_spin")), 30);
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_sensitive,
                                  sm_test_ui_find_by_id (GTK_WIDGET (composer), "schedule_button"), WAIT_MS));
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer-edit.png");
  sm_test_ui_activate_and_wait_closed (GTK_WINDOW (composer), "composer.schedule", WAIT_MS);

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
  edit = sm_test_ui_find (popover, sm_test_ui_match_button_label, "_Edit…");
  g_assert_nonnull (edit);
  sm_test_ui_click (edit);
  composer = wait_composer ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "Edit Draft");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (sm_test_ui_find_by_id (GTK_WIDGET (composer),
                                                                            "schedule_button"))), ==, "_Schedule");

  set_text_view (sm_test_ui_find_by_id (GTK_WIDGET (composer), "text_view"),
                 "An idea: seeded loaves, with pumpkin");
  sm_test_ui_activate_and_wait_closed (GTK_WINDOW (composer), "composer.save-draft", WAIT_MS);

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

/* The agenda offers the same Edit as the popover: it opens the composer
 * with the post; a published post's row has none. */
static void
test_edit_from_agenda (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SmTargetSpec specs[] = { { f->fb, NULL } };
  gint64 due = tomorrow_at (9, 30);
  gint64 post_id;
  SmComposerWindow *composer;
  GtkWidget *agenda, *edit;

  post_id = sm_store_create_post (f->store, "Pretzels on Friday", due, "Europe/Berlin", specs, 1, FALSE, &error);
  g_assert_no_error (error);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "agenda"));
  agenda = sm_test_ui_find (GTK_WIDGET (f->window), sm_test_ui_match_type,
                            GSIZE_TO_POINTER (SM_TYPE_AGENDA_VIEW));
  g_assert_nonnull (agenda);
  sm_agenda_view_reload (SM_AGENDA_VIEW (agenda));
  /* The only post: its time is shown in the workspace's zone. */
  edit = sm_test_ui_wait_find (agenda, sm_test_ui_match_accessible_prefix, "Edit the post at ", WAIT_MS);
  g_assert_nonnull (edit);
  sm_test_ui_click (edit);
  composer = wait_composer ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (composer)), ==, "Edit Post");
  sm_test_ui_close_window (GTK_WINDOW (composer));

  publish (f, post_id);
  sm_agenda_view_reload (SM_AGENDA_VIEW (agenda));
  g_assert_true (sm_test_ui_wait_gone (agenda, sm_test_ui_match_accessible_prefix, "Edit the post at ",
                                       WAIT_MS));
  /* The row is still there, published, with View Post instead. */
  g_assert_nonnull (sm_test_ui_wait_find (agenda, sm_test_ui_match_label_containing, "Pretzels on Friday",
                                          WAIT_MS));
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
  composer = wait_composer ();
  view = sm_test_ui_find_by_id (GTK_WIDGET (composer), "text_view");
  set_text_view (view, "Croissants at seven, and pain au chocolat");
  publish (f, other_id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.schedule", NULL));
  dialog = ADW_MESSAGE_DIALOG (sm_test_ui_wait_window (ADW_TYPE_MESSAGE_DIALOG, NULL, WAIT_MS));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Save the Changes");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "duplicate"));
  sm_test_ui_save_png (GTK_WIDGET (dialog), "edit-refused.png");
  sm_test_ui_close_window (GTK_WINDOW (dialog));
  g_assert_true (find_composer () == composer);
  kept = buffer_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  g_assert_cmpstr (kept, ==, "Croissants at seven, and pain au chocolat");
  sm_test_ui_close_window (GTK_WINDOW (composer));
  post = sm_store_get_post (f->store, other_id, &error);
  g_assert_cmpstr (post->text, ==, "Croissants at seven");

  /* Published: no Edit in its popover, Duplicate instead, and asking
   * the window to edit it opens no composer. */
  post_id = sm_store_create_post (f->store, "Bread, published", tomorrow_at (8, 0), "Europe/Berlin",
                                  specs, 1, FALSE, &error);
  g_assert_no_error (error);
  publish (f, post_id);
  popover = open_popover (f, post_id);
  g_assert_null (sm_test_ui_find (popover, sm_test_ui_match_button_label, "_Edit…"));
  g_assert_nonnull (sm_test_ui_find (popover, sm_test_ui_match_button_label, "_Duplicate"));
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.edit-post", "x", post_id));
  sm_test_ui_settle (500);
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
  GtkWidget *label = sm_test_ui_find (query->root, sm_test_ui_match_shown_name, query->name);
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

/* Exactly @n shown widgets of that name. */
static gboolean
widgets_counted (gpointer data)
{
  CountQuery *query = data;

  return sm_test_ui_count (query->root, sm_test_ui_match_shown_name, query->name) == query->n;
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
  GtkWidget *picture = sm_test_ui_find (query->pane, sm_test_ui_match_shown_name, "preview-media");
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

  g_assert_cmpint (g_utf8_strlen (text, -1), >, 125);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-post", NULL));
  composer = wait_composer ();
  view = sm_test_ui_find_by_id (GTK_WIDGET (composer), "text_view");
  sm_test_ui_type (view, text);
  sm_test_ui_choose_account (GTK_WIDGET (composer), "Instagram · crumb.gram");
  sm_test_ui_choose_account (GTK_WIDGET (composer), "X · @crumb");

  /* Preview, then the Instagram button. */
  button = sm_test_ui_find_by_id (GTK_WIDGET (composer), "preview_button");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  pane = sm_test_ui_find_by_id (GTK_WIDGET (composer), "preview");
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, pane, WAIT_MS));
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name,
                                          "preview-network-instagram", WAIT_MS));
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "preview-network-x"));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name,
                                                                    "preview-network-instagram")), TRUE);
  query.root = pane;
  query.suffix = "… more";
  g_assert_true (sm_test_ui_wait (label_shows, &query, WAIT_MS));
  label = sm_test_ui_find (pane, sm_test_ui_match_shown_name, "preview-text");
  g_assert_true (g_str_has_prefix (text, "Saturday is rye day"));
  g_assert_cmpint (g_utf8_strlen (gtk_label_get_text (GTK_LABEL (label)), -1), <=, 125 + strlen ("… more"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (sm_test_ui_find (pane, sm_test_ui_match_shown_name,
                                                                   "preview-name"))), ==, "Crumb Gram");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (sm_test_ui_find (pane, sm_test_ui_match_shown_name,
                                                                   "preview-avatar"))), ==, "C");
  /* Instagram makes no card of a link. */
  g_assert_null (sm_test_ui_find (pane, sm_test_ui_match_shown_name, "preview-link"));
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer-preview-instagram.png");

  /* X: the whole text, and a card with the link's domain. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name,
                                                                    "preview-network-x")), TRUE);
  query.suffix = NULL;
  query.equals = text;
  g_assert_true (sm_test_ui_wait (label_shows, &query, WAIT_MS));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (sm_test_ui_find (pane, sm_test_ui_match_shown_name,
                                                                   "preview-handle"))), ==, "@crumb");
  query.name = "preview-link-domain";
  query.equals = "CRUMB-BAKERY.EXAMPLE";
  g_assert_true (sm_test_ui_wait (label_shows, &query, WAIT_MS));
  query.name = "preview-link-url";
  query.equals = "https://www.crumb-bakery.example/rye";
  g_assert_true (sm_test_ui_wait (label_shows, &query, WAIT_MS));

  /* It follows the typing. */
  sm_test_ui_type (view, " See you!");
  query.name = "preview-text";
  query.equals = full_more;
  g_assert_true (sm_test_ui_wait (label_shows, &query, WAIT_MS));
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer-preview.png");

  /* An X thread: each part is a post of its own. */
  {
    GtkWidget *row = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_name, "x.thread");
    CountQuery cards = { pane, "preview-card", 2 };

    g_assert_nonnull (row);
    set_text_view (view, "Rye day, part one.\n---\nPart two: come early.");
    gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))), TRUE);
    g_assert_true (sm_test_ui_wait (widgets_counted, &cards, WAIT_MS));
    g_assert_nonnull (sm_test_ui_find (pane, sm_test_ui_match_label, "Rye day, part one."));
    g_assert_nonnull (sm_test_ui_find (pane, sm_test_ui_match_label, "Part two: come early."));
  }

  /* A tall photo: X crops it to 16:9 and drops the link card, Instagram's
   * feed to 4:5. */
  {
    g_autoptr(GFile) file = g_file_new_for_path (f->png);
    GFile *files[] = { file };

    RatioQuery ratio = { pane, 16.0 / 9.0 };

    sm_composer_window_add_files (composer, files, 1);
    g_assert_true (sm_test_ui_wait (media_shown_at, &ratio, WAIT_MS));
    g_assert_null (sm_test_ui_find (pane, sm_test_ui_match_shown_name, "preview-link"));

    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (sm_test_ui_find (GTK_WIDGET (composer),
                                                                      sm_test_ui_match_shown_name,
                                                                      "preview-network-instagram")), TRUE);
    query.name = "preview-name";
    query.equals = "Crumb Gram";
    g_assert_true (sm_test_ui_wait (label_shows, &query, WAIT_MS));
    /* Once the photo is read, its 2:3 shape is cropped to 4:5. */
    ratio.ratio = 0.8;
    g_assert_true (sm_test_ui_wait (media_shown_at, &ratio, WAIT_MS));
    sm_test_ui_save_png (GTK_WIDGET (composer), "composer-preview-media.png");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* As test-composer: GTK without GL under Xvfb. */
  sm_test_ui_init_gtk (TRUE);
  gst_init (NULL, NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  fixture_dir = g_dir_make_tmp ("sm-edit-XXXXXX", &error);
  g_assert_no_error (error);

  app = sm_test_ui_app_new ();

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/edit/scheduled", test_edit_scheduled);
  ADD ("/edit/draft-stays-draft", test_edit_draft);
  ADD ("/edit/published-not-editable", test_published_not_editable);
  ADD ("/edit/from-agenda", test_edit_from_agenda);
  ADD ("/preview/instagram-and-x", test_preview);
#undef ADD

  status = g_test_run ();

  g_clear_object (&app);
  sm_test_remove_tree (fixture_dir);
  g_free (fixture_dir);
  return status;
}
