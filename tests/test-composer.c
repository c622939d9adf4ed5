/* test-composer.c — the composer with files and network options, driven
 * as a person would: attach a video for YouTube, X and Instagram, see that
 * X will not take it, convert it with one click, give YouTube a title,
 * schedule, and find the converted file and the options in the store.
 *
 * The video is made at run time with gst-launch-1.0, as test-media.c does.
 * Runs under Xvfb with a private session bus (tests/run-headless).  A
 * screenshot goes to $SM_BUILD_DIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-composer"

#include "config.h"

#include <string.h>

#include <gst/gst.h>

#include <adwaita.h>

#include "sm-application.h"
#include "sm-composer-window.h"
#include "sm-media.h"
#include "sm-media-rules.h"
#include "sm-queue.h"
#include "sm-store.h"
#include "sm-test-ui.h"
#include "sm-test-util.h"
#include "sm-window.h"

#define WAIT_MS 5000
/* Converting a few seconds of video on a busy machine. */
#define CONVERT_MS 180000
#define HOUR_US ((gint64) 3600 * G_USEC_PER_SEC)

static SmApplication *app;
static char *fixture_dir;

/* ---- Helpers ------------------------------------------------------------------ */

/* A 4 s VP8/Opus WebM: YouTube takes it; X and Instagram want H.264 and AAC. */
static char *
make_webm (void)
{
  g_autofree char *path = g_build_filename (fixture_dir, "holiday clip.webm", NULL);
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  command = g_strdup_printf ("gst-launch-1.0 -q -e videotestsrc num-buffers=120 "
                             "! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert "
                             "! vp8enc deadline=1 ! queue ! mux. "
                             "audiotestsrc num-buffers=188 samplesperbuffer=1024 ! audioconvert "
                             "! opusenc ! queue ! mux. webmmux name=mux ! filesink location=%s",
                             quoted);
  g_assert_true (g_shell_parse_argv (command, NULL, &argv, &error));
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("gst-launch-1.0: %s: %s", error->message, err);
  return g_steal_pointer (&path);
}

static gboolean
have_element (const char *name)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find (name);

  return factory != NULL;
}

static gboolean
stream_prepared (gpointer data)
{
  return gtk_media_stream_is_prepared (data) || gtk_media_stream_get_error (data) != NULL;
}

/* Opens the composer from @window and types @text into it. */
static SmComposerWindow *
open_composer_with_text (SmWindow   *window,
                         const char *text)
{
  GtkWindow *composer;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-post", NULL));
  composer = sm_test_ui_find_toplevel (SM_TYPE_COMPOSER_WINDOW, NULL);
  g_assert_nonnull (composer);
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, composer, WAIT_MS));
  sm_test_ui_type (sm_test_ui_find_by_id (GTK_WIDGET (composer), "text_view"), text);
  return SM_COMPOSER_WINDOW (composer);
}

/* ---- Tests ------------------------------------------------------------------ */

static void
test_media_convert_options (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(SmMediaInfo) converted = NULL;
  g_autoptr(SmMediaInfo) original_info = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *webm = NULL;
  g_autofree char *photo_path = NULL;
  const char *text = "Our holiday in four seconds.";
  gint64 workspace_id;
  SmWindow *window;
  SmComposerWindow *composer;
  GtkWidget *schedule, *convert, *title_row, *problems, *expander;
  const SmPost *post;
  const SmPostMedia *row;

  if (g_find_program_in_path ("gst-launch-1.0") == NULL ||
      !have_element ("vp8enc") || !have_element ("webmmux") || !have_element ("opusenc") ||
      !have_element ("x264enc"))
    {
      g_test_skip ("needs gst-launch-1.0 with vp8enc, webmmux, opusenc and x264enc");
      return;
    }

  webm = make_webm ();
  photo_path = g_build_filename (fixture_dir, "still.png", NULL);
  {
    g_autofree char *quoted = g_shell_quote (photo_path);
    g_autofree char *command = g_strdup_printf ("gst-launch-1.0 -q -e videotestsrc num-buffers=1 "
                                                "! video/x-raw,width=320,height=240 ! pngenc "
                                                "! filesink location=%s", quoted);
    g_autofree char *out = NULL;
    int status = 0;

    g_assert_true (g_spawn_command_line_sync (command, &out, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, &error));
  }
  original_info = sm_media_probe (webm, NULL, &error);
  g_assert_no_error (error);

  store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  workspace_id = sm_store_get_default_workspace (store, &zone, &error);
  g_assert_no_error (error);
  sm_test_ui_add_account (store, workspace_id, SM_NETWORK_YOUTUBE, "UC42", "Ada's Channel", "@adachannel");
  sm_test_ui_add_account (store, workspace_id, SM_NETWORK_X, "1001", "Ada Lovelace", "@ada");
  sm_test_ui_add_account (store, workspace_id, SM_NETWORK_INSTAGRAM, "1789", "ada.codes", "@ada.codes");

  window = sm_test_ui_show_window (app, store, WAIT_MS);
  composer = open_composer_with_text (window, text);
  sm_test_ui_choose_account (GTK_WIDGET (composer), "YouTube · @adachannel");
  sm_test_ui_choose_account (GTK_WIDGET (composer), "X · @ada");
  sm_test_ui_choose_account (GTK_WIDGET (composer), "Instagram · @ada.codes");

  /* The selected networks' options show. */
  g_assert_true (gtk_widget_get_visible (sm_test_ui_find_by_id (GTK_WIDGET (composer), "options_group")));

  /* The video, as Add Files or a drop gives it. */
  file = g_file_new_for_path (webm);
  sm_composer_window_add_files (composer, &file, 1);
  schedule = sm_test_ui_find_by_id (GTK_WIDGET (composer), "schedule_button");

  /* Read off the main loop; then its card says how long and how big. */
  {
    g_autofree char *size = g_format_size (original_info->size_bytes);
    g_autofree char *details = g_strdup_printf ("0:04 · %s", size);

    g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_label_containing, details,
                                            60000));
  }

  /* X does not take VP8 in WebM: a problem that blocks scheduling, with
   * a Convert button; Instagram neither (it wants H.264 too). */
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "convert-button",
                                          WAIT_MS));
  problems = sm_test_ui_find_by_id (GTK_WIDGET (composer), "problems_box");
  g_assert_nonnull (sm_test_ui_find (problems, sm_test_ui_match_label_containing, "X"));
  g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, original_info));
  g_assert_false (gtk_widget_is_sensitive (schedule));
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer-media-problem.png");

  /* Open YouTube's options.  A title with < > is refused as typed. */
  expander = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_expander_title, "YouTube");
  g_assert_nonnull (expander);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "youtube.title",
                                          WAIT_MS));
  title_row = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "youtube.title");
  g_assert_nonnull (title_row);
  g_assert_true (ADW_IS_ENTRY_ROW (title_row));
  gtk_editable_set_text (GTK_EDITABLE (title_row), "Holiday <2026>");
  g_assert_nonnull (sm_test_ui_wait_find (problems, sm_test_ui_match_label_containing, "youtube.title cannot contain",
                                          WAIT_MS));
  g_assert_true (gtk_widget_has_css_class (title_row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (title_row), "Holiday 2026");
  g_assert_true (sm_test_ui_wait_gone (problems, sm_test_ui_match_label_containing, "youtube.title cannot contain",
                                       WAIT_MS));
  g_assert_false (gtk_widget_has_css_class (title_row, "error"));

  /* A photo dropped on the window joins, after the video; X takes one video or photos, not
   * both.  Moved first and then removed, the video is alone again. */
  {
    g_autoptr(GFile) photo = g_file_new_for_path (photo_path);
    GtkWidget *first, *button;

    sm_test_ui_drop_file (GTK_WIDGET (composer), photo);
    g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_label_containing, "320×240",
                                            60000));
    g_assert_nonnull (sm_test_ui_wait_find (problems, sm_test_ui_match_label_containing,
                                            "X videos must be alone in a post", WAIT_MS));
    first = gtk_widget_get_first_child (sm_test_ui_find_by_id (GTK_WIDGET (composer), "media_box"));
    g_assert_nonnull (sm_test_ui_find (first, sm_test_ui_match_label_containing, "holiday clip.webm"));
    button = sm_test_ui_find (gtk_widget_get_next_sibling (first), sm_test_ui_match_tooltip, "Move earlier");
    g_assert_true (gtk_widget_is_sensitive (button));
    sm_test_ui_click (button);
    first = gtk_widget_get_first_child (sm_test_ui_find_by_id (GTK_WIDGET (composer), "media_box"));
    g_assert_nonnull (sm_test_ui_find (first, sm_test_ui_match_label_containing, "still.png"));
    g_assert_nonnull (sm_test_ui_find (gtk_widget_get_next_sibling (first), sm_test_ui_match_label_containing,
                                       "holiday clip.webm"));
    sm_test_ui_click (sm_test_ui_find (first, sm_test_ui_match_tooltip, "Remove from the post"));
    first = gtk_widget_get_first_child (sm_test_ui_find_by_id (GTK_WIDGET (composer), "media_box"));
    g_assert_nonnull (sm_test_ui_find (first, sm_test_ui_match_label_containing, "holiday clip.webm"));
    g_assert_null (gtk_widget_get_next_sibling (first));
    g_assert_true (sm_test_ui_wait_gone (problems, sm_test_ui_match_label_containing,
                                         "X videos must be alone in a post", WAIT_MS));
  }

  /* One click converts it off the main loop, with a progress bar. */
  convert = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "convert-button");
  sm_test_ui_click (convert);
  g_assert_nonnull (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_type,
                                     GSIZE_TO_POINTER (GTK_TYPE_PROGRESS_BAR)));
  g_assert_false (gtk_widget_is_sensitive (schedule));

  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_label_containing,
                                          "Converted from holiday clip.webm", CONVERT_MS));
  g_assert_null (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "convert-button"));
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_sensitive, schedule, WAIT_MS));
  g_assert_false (gtk_widget_get_visible (problems));
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer-media.png");

  /* The converted video plays in a window of its own, through GTK's
   * GStreamer media backend. */
  {
    GtkWidget *play = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_tooltip, "Play the video");
    GtkWidget *video;
    GtkWindow *preview;
    GtkMediaStream *stream;

    g_assert_nonnull (play);
    sm_test_ui_click (play);
    preview = sm_test_ui_find_toplevel (GTK_TYPE_WINDOW, "holiday clip (converted).mp4");
    g_assert_nonnull (preview);
    g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (preview)), ==, "media-preview");
    g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, preview, WAIT_MS));
    video = sm_test_ui_find (GTK_WIDGET (preview), sm_test_ui_match_type, GSIZE_TO_POINTER (GTK_TYPE_VIDEO));
    g_assert_nonnull (video);
    stream = gtk_video_get_media_stream (GTK_VIDEO (video));
    g_assert_nonnull (stream);
    g_assert_true (sm_test_ui_wait (stream_prepared, stream, 30000));
    g_assert_no_error (gtk_media_stream_get_error (stream));
    g_assert_cmpint (gtk_media_stream_get_duration (stream), >, 3 * G_USEC_PER_SEC);
    sm_test_ui_close_window (preview);
  }

  /* The options of the three networks, YouTube's open, scrolled to. */
  {
    GtkWidget *scroller = gtk_widget_get_ancestor (sm_test_ui_find_by_id (GTK_WIDGET (composer), "options_group"),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
    double y = 0;

    g_assert_true (gtk_widget_translate_coordinates (sm_test_ui_find_by_id (GTK_WIDGET (composer), "options_group"),
                                                     gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                                     0, 0, NULL, &y));
    gtk_adjustment_set_value (adjustment, y - 12);
    sm_test_ui_save_png (GTK_WIDGET (composer), "composer-options.png");
  }

  /* YouTube's thumbnail: a frame of the (converted) video, saved in the
   * profile's folder. */
  {
    GtkWidget *use = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_button_label, "_Use This Frame");
    GtkWidget *cover = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "youtube.thumbnail");

    g_assert_nonnull (use);
    g_assert_nonnull (cover);
    /* It sits in the Pick a Frame popover, not opened here: the signal itself. */
    g_signal_emit_by_name (use, "clicked");
    g_assert_nonnull (sm_test_ui_wait_find (cover, sm_test_ui_match_label_containing, "cover-", 60000));
  }

  /* Schedule: the default time is in an hour or two. */
  {
    gpointer weak = composer;

    g_object_add_weak_pointer (G_OBJECT (composer), &weak);
    g_assert_true (gtk_widget_activate (schedule));
    g_assert_true (sm_test_ui_wait (sm_test_ui_is_null, &weak, WAIT_MS));
  }

  posts = sm_store_list_posts (store, g_get_real_time (), g_get_real_time () + 4 * HOUR_US, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  post = g_ptr_array_index (posts, 0);
  g_assert_cmpstr (post->text, ==, text);
  g_assert_cmpuint (post->targets->len, ==, 3);

  /* The converted copy, exactly as it is on disk; the original kept. */
  media = sm_store_list_post_media (store, post->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (media->len, ==, 1);
  row = g_ptr_array_index (media, 0);
  g_assert_true (g_str_has_suffix (row->path, "holiday clip (converted).mp4"));
  g_assert_cmpstr (row->mime_type, ==, "video/mp4");
  converted = sm_media_probe (row->path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (converted->sha256, ==, row->sha256);
  g_assert_cmpint (converted->size_bytes, ==, row->size_bytes);
  g_assert_cmpstr (converted->video_codec, ==, "h264");
  g_assert_true (g_file_test (webm, G_FILE_TEST_IS_REGULAR));
  {
    const SmNetwork networks[] = { SM_NETWORK_YOUTUBE, SM_NETWORK_X, SM_NETWORK_INSTAGRAM };
    const SmMediaInfo *items[] = { converted };

    for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
      {
        g_autofree char *problem = NULL;

        g_assert_true (sm_media_rules_check_post (networks[i], NULL, items, 1, &problem));
      }
  }

  options = sm_store_get_post_options (store, post->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (options, "youtube.title"), ==, "Holiday 2026");
  {
    const char *cover = g_hash_table_lookup (options, "youtube.thumbnail");
    g_autofree char *covers = g_build_filename (sm_store_get_dir (store), "covers", NULL);
    g_autoptr(SmMediaInfo) cover_info = NULL;

    g_assert_nonnull (cover);
    g_assert_true (g_str_has_prefix (cover, covers));
    cover_info = sm_media_probe (cover, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (cover_info->mime_type, ==, "image/png");
    g_assert_cmpuint (cover_info->width, ==, 320);
  }
  g_assert_cmpuint (g_hash_table_size (options), ==, 2);

  sm_test_ui_close_window (GTK_WINDOW (window));
}

static gboolean
switch_on (gpointer data)
{
  return gtk_switch_get_active (GTK_SWITCH (data));
}

typedef struct
{
  GtkWidget  *problems;
  const char *text;
} Problem;

static gboolean
problem_shown (gpointer data)
{
  Problem *problem = data;

  return gtk_widget_get_visible (problem->problems) &&
         sm_test_ui_find (problem->problems, sm_test_ui_match_label_containing, problem->text) != NULL;
}

/* Waits until the problems box is shown with one that says @text. */
static gboolean
wait_problem (GtkWidget  *problems,
              const char *text)
{
  Problem problem = { problems, text };

  return sm_test_ui_wait (problem_shown, &problem, WAIT_MS);
}

/* X's thread switch and WhatsApp's recipient, checked as they are set,
 * and kept with the post. */
static void
test_options_thread_recipient (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *zone = NULL;
  gint64 workspace_id;
  SmWindow *window;
  SmComposerWindow *composer = NULL;
  GtkWidget *schedule, *problems, *expander, *thread, *sw, *to;

  /* Two parts of 200 characters: too long for one X post, fine as a thread. */
  for (int i = 0; i < 200; i++)
    g_string_append_c (text, 'a' + i % 26);
  g_string_append (text, "\n---\n");
  for (int i = 0; i < 200; i++)
    g_string_append_c (text, 'z' - i % 26);

  store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  workspace_id = sm_store_get_default_workspace (store, &zone, &error);
  g_assert_no_error (error);
  sm_test_ui_add_account (store, workspace_id, SM_NETWORK_X, "1001", "Ada Lovelace", "@ada");
  sm_test_ui_add_account (store, workspace_id, SM_NETWORK_WHATSAPP, "106540352242922", "Sandbox Bakery",
                          "+1 555-078-3881");

  window = sm_test_ui_show_window (app, store, WAIT_MS);
  composer = open_composer_with_text (window, text->str);
  sm_test_ui_choose_account (GTK_WIDGET (composer), "X · @ada");
  sm_test_ui_choose_account (GTK_WIDGET (composer), "WhatsApp Business · +1 555-078-3881");
  schedule = sm_test_ui_find_by_id (GTK_WIDGET (composer), "schedule_button");
  problems = sm_test_ui_find_by_id (GTK_WIDGET (composer), "problems_box");

  /* Too long for X as one post; WhatsApp needs a recipient, and its
   * options open by themselves. */
  g_assert_true (wait_problem (problems, "A WhatsApp message needs a recipient"));
  g_assert_true (wait_problem (problems, "280"));
  g_assert_false (gtk_widget_is_sensitive (schedule));
  expander = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_expander_title, "WhatsApp Business");
  g_assert_nonnull (expander);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (expander)));

  /* As a thread, each part fits. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (sm_test_ui_find (GTK_WIDGET (composer),
                                                                    sm_test_ui_match_expander_title, "X")), TRUE);
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "x.thread",
                                          WAIT_MS));
  thread = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "x.thread");
  sw = sm_test_ui_find (thread, sm_test_ui_match_type, GSIZE_TO_POINTER (GTK_TYPE_SWITCH));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (sw)));
  /* Activating the row flips the switch, at the end of its animation. */
  gtk_widget_activate (thread);
  g_assert_true (sm_test_ui_wait (switch_on, sw, WAIT_MS));
  g_assert_true (sm_test_ui_wait_gone (problems, sm_test_ui_match_label_containing, "280", WAIT_MS));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (sm_test_ui_find_by_id (GTK_WIDGET (composer),
                                                                                  "counter_label"))),
                            "X 2 posts, longest 200/280"));

  /* A recipient that is not a phone number is refused as typed. */
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "whatsapp.to",
                                          WAIT_MS));
  to = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "whatsapp.to");
  gtk_editable_set_text (GTK_EDITABLE (to), "the baker");
  g_assert_true (wait_problem (problems, "whatsapp.to takes digits only"));
  g_assert_false (gtk_widget_is_sensitive (schedule));
  gtk_editable_set_text (GTK_EDITABLE (to), "+15551234567");
  g_assert_true (sm_test_ui_wait_gone (problems, sm_test_ui_match_label_containing, "whatsapp.to takes digits only",
                                       WAIT_MS));
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_sensitive, schedule, WAIT_MS));

  /* X's first comment is a reply: counted as X counts a post. */
  {
    g_autofree char *long_comment = g_strnfill (281, 'a');
    GtkWidget *comment;

    g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "x.first_comment",
                                            WAIT_MS));
    comment = sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "x.first_comment");
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (comment)), ==,
                     "First comment, as a reply");
    gtk_editable_set_text (GTK_EDITABLE (comment), long_comment);
    g_assert_true (wait_problem (problems, "x.first_comment: X allows 280 characters"));
    g_assert_false (gtk_widget_is_sensitive (schedule));
    g_assert_true (gtk_widget_has_css_class (comment, "error"));
    gtk_editable_set_text (GTK_EDITABLE (comment), "Order by noon: https://example.com/rye");
    g_assert_true (sm_test_ui_wait_gone (problems, sm_test_ui_match_label_containing,
                                         "x.first_comment: X allows 280 characters", WAIT_MS));
    g_assert_true (sm_test_ui_wait (sm_test_ui_is_sensitive, schedule, WAIT_MS));
    /* WhatsApp has no comments. */
    g_assert_null (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_shown_name, "whatsapp.first_comment"));
  }
  sm_test_ui_save_png (GTK_WIDGET (composer), "composer-thread-recipient.png");

  {
    gpointer weak = composer;

    g_object_add_weak_pointer (G_OBJECT (composer), &weak);
    g_assert_true (gtk_widget_activate (schedule));
    g_assert_true (sm_test_ui_wait (sm_test_ui_is_null, &weak, WAIT_MS));
  }

  posts = sm_store_list_posts (store, g_get_real_time (), g_get_real_time () + 4 * HOUR_US, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  media = sm_store_list_post_media (store, ((SmPost *) g_ptr_array_index (posts, 0))->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (media->len, ==, 0);
  options = sm_store_get_post_options (store, ((SmPost *) g_ptr_array_index (posts, 0))->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (options, "x.thread"), ==, "true");
  g_assert_cmpstr (g_hash_table_lookup (options, "whatsapp.to"), ==, "+15551234567");
  g_assert_cmpstr (g_hash_table_lookup (options, "x.first_comment"), ==, "Order by noon: https://example.com/rye");
  g_assert_cmpuint (g_hash_table_size (options), ==, 3);

  sm_test_ui_close_window (GTK_WINDOW (window));
}

/* "Add to Queue" takes the account's next free posting time; "Save as
 * Draft" keeps the post unsent. */
static void
test_queue_and_draft (void)
{
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autofree char *zone = NULL;
  gint64 workspace_id, account, expected;
  SmComposerWindow *composer;
  SmWindow *window;
  guint queued = 0, drafts = 0;

  store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  workspace_id = sm_store_get_default_workspace (store, &zone, &error);
  g_assert_no_error (error);
  account = sm_test_ui_add_account (store, workspace_id, SM_NETWORK_X, "2002", "Queue Bakery", "@queue");
  for (int day = 1; day <= 7; day++)
    g_assert_true (sm_store_add_queue_slot (store, account, day, 9 * 60 + 30, &error));
  expected = sm_queue_next_free (store, &account, 1, g_get_real_time (), &error);
  g_assert_no_error (error);

  window = sm_test_ui_show_window (app, store, WAIT_MS);

  composer = open_composer_with_text (window, "Fresh rye, from the queue.");
  /* The only account is ticked already. */
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (
    sm_test_ui_find (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_row_subtitle, "X · @queue"),
                     sm_test_ui_match_type, GSIZE_TO_POINTER (GTK_TYPE_CHECK_BUTTON)))));
  /* Add to Queue is enabled with Post Now: only the time differs. */
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_sensitive,
                                  sm_test_ui_find_by_id (GTK_WIDGET (composer), "post_now_button"), WAIT_MS));
  sm_test_ui_activate_and_wait_closed (GTK_WINDOW (composer), "composer.add-to-queue", WAIT_MS);

  composer = open_composer_with_text (window, "An idea for later.");
  sm_test_ui_activate_and_wait_closed (GTK_WINDOW (composer), "composer.save-draft", WAIT_MS);

  posts = sm_store_list_posts (store, 0, G_MAXINT64 / 2, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < posts->len; i++)
    {
      SmPost *post = g_ptr_array_index (posts, i);
      SmTarget *t = g_ptr_array_index (post->targets, 0);

      if (g_str_equal (post->text, "Fresh rye, from the queue."))
        {
          queued++;
          g_assert_cmpint (post->due_us, ==, expected);
          g_assert_cmpint (t->state, ==, SM_TARGET_SCHEDULED);
        }
      else if (g_str_equal (post->text, "An idea for later."))
        {
          drafts++;
          g_assert_cmpint (t->state, ==, SM_TARGET_DRAFT);
        }
    }
  g_assert_cmpuint (queued, ==, 1);
  g_assert_cmpuint (drafts, ==, 1);

  sm_test_ui_close_window (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Under Xvfb, GL is Mesa's software rasterizer, and GStreamer's GL
   * upload for GtkVideo on its own thread crashes in it now and then
   * (SIGBUS in swrast_dri.so from gst_gl_memory_texsubimage).  Without GL,
   * GTK draws with cairo and the video sink hands it plain memory. */
  sm_test_ui_init_gtk (TRUE);
  gst_init (NULL, NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  fixture_dir = g_dir_make_tmp ("sm-composer-XXXXXX", &error);
  g_assert_no_error (error);

  app = sm_test_ui_app_new ();

  g_test_add_func ("/composer/media-convert-options", test_media_convert_options);
  g_test_add_func ("/composer/options-thread-recipient", test_options_thread_recipient);
  g_test_add_func ("/composer/queue-and-draft", test_queue_and_draft);

  status = g_test_run ();

  g_clear_object (&app);
  sm_test_remove_tree (fixture_dir);
  g_free (fixture_dir);
  return status;
}
