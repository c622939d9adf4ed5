/* test-calendar.c — the calendar page, driven as a person would: posts in
 * every state in month, week and day views, "+N more", composing from a
 * day, moving a post as a drop does (and a published one refused),
 * retrying a failed one, deleting with Undo, searching, and following the
 * publisher's TargetChanged and UploadProgress.
 *
 * Runs under Xvfb with a private session bus (tools/test).  Screenshots go
 * to $SM_BUILD_DIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-calendar"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "sm-application.h"
#include "sm-calendar-chip.h"
#include "sm-calendar-view.h"
#include "sm-composer-window.h"
#include "sm-post-popover.h"
#include "sm-post-row.h"
#include "sm-store.h"
#include "sm-test-ui.h"
#include "sm-time.h"
#include "sm-ui-util.h"
#include "sm-window.h"

#define WAIT_MS 5000
#define SECOND_US ((gint64) G_USEC_PER_SEC)
#define HOUR_US   (3600 * SECOND_US)

static SmApplication *app;

/* ---- Helpers (as in test-ui.c) ---------------------------------------------- */

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
  return gtk_widget_get_mapped (GTK_WIDGET (data)) &&
         gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

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

static guint
count_widgets (GtkWidget     *root,
               Match          match,
               gconstpointer  data)
{
  guint n = match (root, data) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_widgets (child, match, data);

  return n;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

/* A chip that is on screen (the month and timeline pages are both built;
 * only the shown one is mapped). */
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

static gboolean
match_mapped_button_label (GtkWidget     *widget,
                           gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
match_id (GtkWidget     *widget,
          gconstpointer  id)
{
  return g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0;
}

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

/* The chip's pixel in the middle of its start edge is (@r, @g, @b), and
 * the one in the middle of its end is a pale tint, not the edge's colour. */
static void
assert_chip_edge (GtkWidget *chip,
                  guint      r,
                  guint      g,
                  guint      b)
{
  g_autoptr(GdkTexture) texture = sm_test_ui_render (chip);
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc (width * height * 4);
  const guchar *edge, *end;

  /* Cairo's ARGB32: B, G, R, A in memory here; both pixels are opaque. */
  gdk_texture_download (texture, pixels, width * 4);
  edge = pixels + (height / 2) * width * 4 + 1 * 4;
  end = pixels + (height / 2) * width * 4 + (width - 1) * 4;
  if (ABS (edge[2] - (int) r) > 3 || ABS (edge[1] - (int) g) > 3 || ABS (edge[0] - (int) b) > 3)
    g_error ("The chip's edge is #%02x%02x%02x, not #%02x%02x%02x", edge[2], edge[1], edge[0], r, g, b);
  g_assert_cmpint (end[2] + end[1] + end[0], >, 3 * 200);
}

/* A click: Enter would show the button pressed for a moment first. */
static void
click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button) || SM_IS_CALENDAR_CHIP (button));
  g_signal_emit_by_name (button, "clicked");
  settle ();
}

static void
close_window (GtkWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (window);
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
}

/* ---- Fixture ------------------------------------------------------------------ */

typedef struct
{
  SmStore        *store;
  char           *zone;
  gint64          x_account;
  gint64          linkedin_account;
  GDate           day;          /* three days ahead, in the workspace's zone */
  gint64          busy[5];      /* five posts at 10:xx on day */
  gint64          later;        /* day + 1 at 15:00 */
  gint64          undo;         /* day + 1 at 12:00 */
  gint64          published;    /* now */
  gint64          failed;       /* now */
  gint64          failed_target;
  gint64          published_target;
  SmWindow       *window;
  SmCalendarView *view;
} Fixture;

static gint64
at (Fixture     *f,
    const GDate *date,
    int          days,
    int          hour,
    int          minute)
{
  g_autoptr(GError) error = NULL;
  GDate d = *date;
  gint64 us;

  g_date_add_days (&d, days);
  us = sm_time_local_to_utc_us (f->zone, g_date_get_year (&d), g_date_get_month (&d),
                                g_date_get_day (&d), hour, minute, &error);
  g_assert_no_error (error);
  return us;
}

static gint64
create (Fixture    *f,
        const char *text,
        gint64      due_us,
        gint64      account_id)
{
  g_autoptr(GError) error = NULL;
  SmTargetSpec spec = { account_id, NULL };
  gint64 id = sm_store_create_post (f->store, text, due_us, f->zone, &spec, 1, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
first_target (Fixture *f,
              gint64   post_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = sm_store_get_post (f->store, post_id, &error);

  g_assert_no_error (error);
  return ((SmTarget *) g_ptr_array_index (post->targets, 0))->id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) ahead = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gint64 workspace_id, now_us = g_get_real_time ();

  /* The workspace takes the local zone when it is made. */
  if (data != NULL)
    g_setenv ("TZ", data, TRUE);

  f->store = sm_store_open (NULL, &error);
  g_assert_no_error (error);
  workspace_id = sm_store_get_default_workspace (f->store, &f->zone, &error);
  g_assert_no_error (error);
  if (data != NULL)
    g_assert_cmpstr (f->zone, ==, data);

  f->x_account = sm_store_upsert_account (f->store, workspace_id, SM_NETWORK_X, "1001",
                                          "Ada Lovelace", "@ada", &error);
  g_assert_no_error (error);
  f->linkedin_account = sm_store_upsert_account (f->store, workspace_id, SM_NETWORK_LINKEDIN,
                                                 "urn:li:person:42", "Ada Lovelace", "ada", &error);
  g_assert_no_error (error);

  tz = sm_ui_time_zone_new (f->zone);
  now = g_date_time_new_now (tz);
  ahead = g_date_time_add_days (now, 3);
  g_date_clear (&f->day, 1);
  g_date_set_dmy (&f->day, g_date_time_get_day_of_month (ahead), g_date_time_get_month (ahead),
                  g_date_time_get_year (ahead));

  for (guint i = 0; i < G_N_ELEMENTS (f->busy); i++)
    {
      g_autofree char *text = g_strdup_printf ("Engine note %u: the mill and the store.", i + 1);

      f->busy[i] = create (f, text, at (f, &f->day, 0, 10, 10 * i), i % 2 ? f->linkedin_account : f->x_account);
    }
  f->later = create (f, "A note on Bernoulli numbers, for tomorrow.", at (f, &f->day, 1, 15, 0), f->x_account);
  f->undo = create (f, "Punched cards, explained.", at (f, &f->day, 1, 12, 0), f->linkedin_account);

  /* Two posts due now, taken by a "publisher" (this test) and left
   * published and failed. */
  f->published = create (f, "The Analytical Engine weaves algebraic patterns.", now_us, f->x_account);
  f->failed = create (f, "LinkedIn did not take this one.", now_us, f->linkedin_account);
  claimed = sm_store_claim_due (f->store, "test-calendar", now_us + SECOND_US, 60 * SECOND_US,
                                10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 2);
  f->published_target = first_target (f, f->published);
  f->failed_target = first_target (f, f->failed);
  g_assert_true (sm_store_mark_published (f->store, f->published_target, "test-calendar", "1234",
                                          "https://x.com/ada/status/1234", now_us, &error));
  g_assert_no_error (error);
  g_assert_true (sm_store_mark_failed (f->store, f->failed_target, "test-calendar",
                                       "LinkedIn refused the post: duplicate content.", &error));
  g_assert_no_error (error);

  f->window = sm_window_new (GTK_APPLICATION (app), f->store);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (wait_for (widget_is_mapped, f->window, WAIT_MS));
  f->view = SM_CALENDAR_VIEW (find_widget (GTK_WIDGET (f->window), match_type,
                                           GSIZE_TO_POINTER (SM_TYPE_CALENDAR_VIEW)));
  g_assert_nonnull (f->view);
  /* The calendar is the first page. */
  g_assert_true (wait_for (widget_is_mapped, f->view, WAIT_MS));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  close_window (GTK_WINDOW (f->window));
  g_clear_object (&f->store);
  g_clear_pointer (&f->zone, g_free);
  if (data != NULL)
    g_unsetenv ("TZ");
}

static GtkWidget *
wait_chip (Fixture *f,
           gint64   post_id)
{
  settle ();
  return find_widget (GTK_WIDGET (f->view), match_chip, &post_id);
}

static SmTargetState
target_state (Fixture *f,
              gint64   target_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmTarget) target = sm_store_get_target (f->store, target_id, &error);

  g_assert_no_error (error);
  return target->state;
}

static gint64
post_due (Fixture *f,
          gint64   post_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = sm_store_get_post (f->store, post_id, &error);

  g_assert_no_error (error);
  return post->due_us;
}

static void
show_day_of_fixture (Fixture        *f,
                     SmCalendarMode  mode)
{
  sm_calendar_view_set_mode (f->view, mode);
  sm_calendar_view_set_date (f->view, g_date_get_year (&f->day), g_date_get_month (&f->day),
                             g_date_get_day (&f->day));
  settle ();
}

/* ---- Tests -------------------------------------------------------------------- */

static gboolean
chip_shown (gpointer data)
{
  gpointer *args = data;

  return find_widget (args[0], match_chip, args[1]) != NULL;
}

static gboolean
chip_gone (gpointer data)
{
  return !chip_shown (data);
}

static void
test_views (Fixture       *f,
            gconstpointer  data)
{
  GDate date;
  GtkWidget *chip;
  guint busy_shown = 0;

  /* Month: the busy day shows two chips and "+3 more"; every state has
   * its chip (today's published and failed posts, if today is in the
   * same grid). */
  show_day_of_fixture (f, SM_CALENDAR_MODE_MONTH);
  for (guint i = 0; i < G_N_ELEMENTS (f->busy); i++)
    busy_shown += find_widget (GTK_WIDGET (f->view), match_chip, &f->busy[i]) != NULL;
  g_assert_cmpuint (busy_shown, ==, SM_CALENDAR_MONTH_CHIPS - 1);
  g_assert_nonnull (find_widget (GTK_WIDGET (f->view), match_mapped_button_label, "+3 more"));
  g_assert_nonnull (wait_chip (f, f->later));

  /* The chip says its state and is coloured by its network. */
  chip = find_widget (GTK_WIDGET (f->view), match_chip, &f->busy[0]);
  g_assert_cmpint (sm_calendar_chip_get_state (SM_CALENDAR_CHIP (chip)), ==, SM_TARGET_SCHEDULED);
  g_assert_true (gtk_widget_has_css_class (chip, "network-x"));
  g_assert_true (gtk_widget_has_css_class (chip, "scheduled"));
  /* On the screen (the month's grid draws it): X's colour (Adwaita's
   * dark_2, #5e5c64) along its start, and the text on a tint of it. */
  assert_chip_edge (chip, 0x5e, 0x5c, 0x64);
  sm_test_ui_save_png (GTK_WIDGET (f->window), "calendar-month.png");

  /* Today: published and failed chips. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.today", NULL));
  settle ();
  chip = find_widget (GTK_WIDGET (f->view), match_chip, &f->published);
  g_assert_nonnull (chip);
  g_assert_cmpint (sm_calendar_chip_get_state (SM_CALENDAR_CHIP (chip)), ==, SM_TARGET_PUBLISHED);
  chip = find_widget (GTK_WIDGET (f->view), match_chip, &f->failed);
  g_assert_nonnull (chip);
  g_assert_cmpint (sm_calendar_chip_get_state (SM_CALENDAR_CHIP (chip)), ==, SM_TARGET_FAILED);
  g_assert_true (gtk_widget_has_css_class (chip, "network-linkedin"));

  /* "+3 more" opens the day. */
  show_day_of_fixture (f, SM_CALENDAR_MODE_MONTH);
  click (find_widget (GTK_WIDGET (f->view), match_mapped_button_label, "+3 more"));
  g_assert_cmpint (sm_calendar_view_get_mode (f->view), ==, SM_CALENDAR_MODE_DAY);
  sm_calendar_view_get_date (f->view, &date);
  g_assert_cmpint (g_date_compare (&date, &f->day), ==, 0);
  /* Day: the five posts of 10:00 share the hour: two chips and "+3 more". */
  g_assert_cmpuint (count_widgets (GTK_WIDGET (f->view), match_any_chip, NULL), ==, 2);
  g_assert_nonnull (find_widget (GTK_WIDGET (f->view), match_mapped_button_label, "+3 more"));

  /* Week: the busy day and the next. */
  sm_calendar_view_set_mode (f->view, SM_CALENDAR_MODE_WEEK);
  settle ();
  g_assert_nonnull (find_widget (GTK_WIDGET (f->view), match_chip, &f->busy[0]));
  sm_test_ui_save_png (GTK_WIDGET (f->window), "calendar-week.png");

  /* Keyboard: Right moves the focused day by one. */
  sm_calendar_view_set_mode (f->view, SM_CALENDAR_MODE_MONTH);
  show_day_of_fixture (f, SM_CALENDAR_MODE_MONTH);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.next", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.previous", NULL));
  settle ();

  /* Search: only what matches stays. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.search", NULL));
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (f->view), match_id, "search_entry")),
                         "bernoulli");
  /* The entry waits a moment for more typing before it searches. */
  g_assert_true (wait_for (chip_gone, (gpointer[]) { f->view, &f->busy[0] }, WAIT_MS));
  g_assert_nonnull (find_widget (GTK_WIDGET (f->view), match_chip, &f->later));
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (f->view), match_id, "search_entry")), "");
  g_assert_true (wait_for (chip_shown, (gpointer[]) { f->view, &f->busy[0] }, WAIT_MS));
}

static void
test_compose_from_day (Fixture       *f,
                       gconstpointer  data)
{
  SmComposerWindow *composer;
  g_autoptr(GDateTime) chosen = NULL;
  GtkWidget *calendar;

  show_day_of_fixture (f, SM_CALENDAR_MODE_MONTH);

  /* N (or a click on the empty part of a day) writes a post for that day,
   * at nine. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.compose", NULL));
  composer = (SmComposerWindow *) find_toplevel (SM_TYPE_COMPOSER_WINDOW, NULL);
  g_assert_nonnull (composer);
  g_assert_true (wait_for (widget_is_mapped, composer, WAIT_MS));
  calendar = find_widget (GTK_WIDGET (composer), match_id, "calendar");
  chosen = gtk_calendar_get_date (GTK_CALENDAR (calendar));
  g_assert_cmpint (g_date_time_get_year (chosen), ==, g_date_get_year (&f->day));
  g_assert_cmpint (g_date_time_get_month (chosen), ==, g_date_get_month (&f->day));
  g_assert_cmpint (g_date_time_get_day_of_month (chosen), ==, g_date_get_day (&f->day));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (find_widget (GTK_WIDGET (composer),
                                                                                   match_id, "hour_spin"))),
                   ==, 9);
  close_window (GTK_WINDOW (composer));
}

static void
test_move (Fixture       *f,
           gconstpointer  data)
{
  GDate target = f->day;
  gint64 published_due = post_due (f, f->published);

  /* A drop on a day two days on keeps the time of day. */
  show_day_of_fixture (f, SM_CALENDAR_MODE_MONTH);
  g_date_add_days (&target, 2);
  g_assert_true (sm_calendar_view_move_post (f->view, f->later, g_date_get_year (&target),
                                             g_date_get_month (&target), g_date_get_day (&target),
                                             -1, 0));
  g_assert_cmpint (post_due (f, f->later), ==, at (f, &f->day, 2, 15, 0));
  g_assert_cmpint (target_state (f, first_target (f, f->later)), ==, SM_TARGET_SCHEDULED);

  /* A drop on an hour of the week view sets the time too. */
  sm_calendar_view_set_mode (f->view, SM_CALENDAR_MODE_WEEK);
  settle ();
  g_assert_true (sm_calendar_view_move_post (f->view, f->later, g_date_get_year (&target),
                                             g_date_get_month (&target), g_date_get_day (&target),
                                             11, 30));
  g_assert_cmpint (post_due (f, f->later), ==, at (f, &f->day, 2, 11, 30));
  {
    g_autoptr(SmTarget) t = sm_store_get_target (f->store, first_target (f, f->later), NULL);

    g_assert_cmpint (t->next_attempt_us, ==, at (f, &f->day, 2, 11, 30));
  }

  /* A published post stays where it is. */
  g_assert_false (sm_calendar_view_move_post (f->view, f->published, g_date_get_year (&target),
                                              g_date_get_month (&target), g_date_get_day (&target),
                                              9, 0));
  g_assert_cmpint (post_due (f, f->published), ==, published_due);
  g_assert_cmpint (target_state (f, f->published_target), ==, SM_TARGET_PUBLISHED);

  /* The store says why, in words. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sm_store_reschedule_post (f->store, f->published, at (f, &target, 0, 9, 0), &error));
    g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "duplicate"));
  }
  /* A failed post that was sent must be retried, not moved. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sm_store_reschedule_post (f->store, f->failed, at (f, &target, 0, 9, 0), &error));
    g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
    g_assert_cmpint (target_state (f, f->failed_target), ==, SM_TARGET_FAILED);
  }
}

static void
test_retry_and_duplicate (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  GtkWidget *chip;
  GtkWidget *popover;
  SmTargetState state;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.today", NULL));
  settle ();

  /* The failed post's popover says what the network said, and offers
   * Retry. */
  chip = find_widget (GTK_WIDGET (f->view), match_chip, &f->failed);
  g_assert_nonnull (chip);
  click (chip);
  popover = find_widget (GTK_WIDGET (f->view), match_type, GSIZE_TO_POINTER (GTK_TYPE_POPOVER));
  g_assert_nonnull (popover);
  g_assert_true (wait_for (widget_is_mapped, popover, WAIT_MS));
  g_assert_nonnull (find_widget (popover, match_button_label, "_Retry"));
  g_assert_nonnull (find_widget (popover, match_button_label, "_Duplicate"));
  sm_test_ui_save_png (popover, "calendar-popover.png");

  click (find_widget (popover, match_button_label, "_Retry"));
  /* Sent once already: it comes back to be checked with the network. */
  state = target_state (f, f->failed_target);
  g_assert_true (state == SM_TARGET_UNCONFIRMED || state == SM_TARGET_SCHEDULED ||
                 state == SM_TARGET_PUBLISHING || state == SM_TARGET_FAILED);
  g_assert_cmpint (state, !=, SM_TARGET_FAILED);

  /* Duplicating the published post makes a draft with the same text. */
  before = sm_store_list_posts (f->store, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.duplicate-post", "x",
                                             f->published));
  after = sm_store_list_posts (f->store, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, before->len + 1);
  {
    const SmPost *copy = NULL;

    for (guint i = 0; i < after->len; i++)
      {
        const SmPost *post = g_ptr_array_index (after, i);

        if (post->id > f->failed && post->id != f->published)
          copy = post;
      }
    g_assert_nonnull (copy);
    g_assert_cmpstr (copy->text, ==, "The Analytical Engine weaves algebraic patterns.");
    g_assert_cmpuint (copy->targets->len, ==, 1);
    g_assert_cmpint (((SmTarget *) g_ptr_array_index (copy->targets, 0))->state, ==, SM_TARGET_DRAFT);
    g_assert_cmpint (((SmTarget *) g_ptr_array_index (copy->targets, 0))->account_id, ==, f->x_account);
    g_assert_cmpint (copy->due_us, >, g_get_real_time ());
  }
}

static gboolean
store_lost_target (gpointer data)
{
  gpointer *args = data;
  g_autoptr(SmTarget) target = sm_store_get_target (args[0], *(gint64 *) args[1], NULL);

  return target == NULL;
}

static void
test_delete_undo (Fixture       *f,
                  gconstpointer  data)
{
  gint64 target_id = first_target (f, f->undo);
  GtkWidget *undo;
  GtkWindow *dialog;
  gpointer args[2] = { f->store, &target_id };

  show_day_of_fixture (f, SM_CALENDAR_MODE_WEEK);
  g_assert_nonnull (find_widget (GTK_WIDGET (f->view), match_chip, &f->undo));

  /* Deleted: gone from the calendar at once, still in the store while
   * Undo is offered. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.delete-target", "x", target_id));
  settle ();
  g_assert_null (find_widget (GTK_WIDGET (f->view), match_chip, &f->undo));
  g_assert_false (store_lost_target (args));

  undo = find_widget (GTK_WIDGET (f->window), match_mapped_button_label, "_Undo");
  g_assert_nonnull (undo);
  click (undo);
  g_assert_nonnull (find_widget (GTK_WIDGET (f->view), match_chip, &f->undo));
  g_assert_false (store_lost_target (args));
  g_assert_cmpint (target_state (f, target_id), ==, SM_TARGET_SCHEDULED);

  /* Deleted again, and left: gone from the store once the toast goes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.delete-target", "x", target_id));
  g_assert_true (wait_for (store_lost_target, args, 15000));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SmPost) post = sm_store_get_post (f->store, f->undo, &error);

    g_assert_null (post);
    g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  }

  /* A published post is deleted at the network, after asking. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "calendar.delete-target", "x",
                                             f->published_target));
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Delete From X?");
  g_assert_nonnull (dialog);
  g_assert_true (wait_for (widget_is_mapped, dialog, WAIT_MS));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  settle ();
  g_assert_cmpint (target_state (f, f->published_target), ==, SM_TARGET_PUBLISHED);
}

static gboolean
chip_in_state (gpointer data)
{
  gpointer *args = data;
  GtkWidget *chip = find_widget (args[0], match_chip, args[1]);

  return chip != NULL &&
         (int) sm_calendar_chip_get_state (SM_CALENDAR_CHIP (chip)) == GPOINTER_TO_INT (args[2]);
}

static void
test_live (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gpointer args[3] = { f->view, &f->busy[0], GINT_TO_POINTER (SM_TARGET_PUBLISHING) };
  gint64 target_id = first_target (f, f->busy[0]);

  show_day_of_fixture (f, SM_CALENDAR_MODE_MONTH);
  g_assert_nonnull (find_widget (GTK_WIDGET (f->view), match_chip, &f->busy[0]));

  /* A publisher takes the post; its signal alone updates the chip. */
  claimed = sm_store_claim_due (f->store, "test-calendar-2", at (f, &f->day, 0, 10, 1),
                                60 * SECOND_US, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpint (((SmTarget *) g_ptr_array_index (claimed, 0))->id, ==, target_id);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  settle ();
  g_dbus_connection_emit_signal (bus, NULL, SM_PUBLISHER_OBJECT_PATH, SM_PUBLISHER_INTERFACE,
                                 "TargetChanged", g_variant_new ("(xs)", target_id, "publishing"),
                                 &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (bus, NULL, NULL);
  g_assert_true (wait_for (chip_in_state, args, WAIT_MS));

  /* Being sent: it cannot move. */
  g_assert_false (sm_calendar_view_move_post (f->view, f->busy[0], g_date_get_year (&f->day),
                                              g_date_get_month (&f->day), g_date_get_day (&f->day), 14, 0));
}

/* ---- Upload progress ------------------------------------------------------------ */

typedef struct
{
  guint   calls;
  gint64  target_id;
  guint64 sent;
  guint64 total;
} ProgressSeen;

static void
progress_seen_cb (GObject *owner,
                  gint64   target_id,
                  guint64  sent,
                  guint64  total)
{
  ProgressSeen *seen = g_object_get_data (owner, "seen");

  seen->calls++;
  seen->target_id = target_id;
  seen->sent = sent;
  seen->total = total;
}

static gboolean
progress_seen_last (gpointer data)
{
  ProgressSeen *seen = data;

  return seen->sent == 300;
}

static void
emit_progress (GDBusConnection *bus,
               gint64           target_id,
               guint64          sent,
               guint64          total)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (bus, NULL, SM_PUBLISHER_OBJECT_PATH, SM_PUBLISHER_INTERFACE,
                                 "UploadProgress", g_variant_new ("(xtt)", target_id, sent, total),
                                 &error);
  g_assert_no_error (error);
}

static void
emit_target_changed (GDBusConnection *bus,
                     gint64           target_id,
                     const char      *state)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (bus, NULL, SM_PUBLISHER_OBJECT_PATH, SM_PUBLISHER_INTERFACE,
                                 "TargetChanged", g_variant_new ("(xs)", target_id, state),
                                 &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (bus, NULL, NULL);
}

static gboolean
chip_percent_is (gpointer data)
{
  gpointer *args = data;
  GtkWidget *chip = find_widget (args[0], match_chip, args[1]);

  return chip != NULL && sm_calendar_chip_get_upload_percent (SM_CALENDAR_CHIP (chip)) == GPOINTER_TO_INT (args[2]);
}

static gboolean
match_post_row (GtkWidget     *widget,
                gconstpointer  post_id)
{
  return SM_IS_POST_ROW (widget) && sm_post_row_get_post_id (SM_POST_ROW (widget)) == *(const gint64 *) post_id;
}

/* args: window, post id, target id, expected text or NULL */
static gboolean
row_upload_text_is (gpointer data)
{
  gpointer *args = data;
  GtkWidget *row = find_widget (args[0], match_post_row, args[1]);

  return row != NULL &&
         g_strcmp0 (sm_post_row_get_upload_text (SM_POST_ROW (row), *(gint64 *) args[2]), args[3]) == 0;
}

/* args: popover, target id, expected text or NULL */
static gboolean
popover_upload_text_is (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (sm_post_popover_get_upload_text (args[0], *(gint64 *) args[1]), args[2]) == 0;
}

/* What a screen reader is told, as text (the value told when it differs). */
static void
assert_accessible_text (GtkAccessible         *accessible,
                        GtkAccessibleProperty  property,
                        const char            *expected)
{
  g_autofree char *value = NULL;

  g_assert_true (gtk_test_accessible_has_property (accessible, property));
  value = gtk_test_accessible_check_property (accessible, property, expected);
  if (value != NULL)
    g_assert_cmpstr (value, ==, expected);
}

/* What the chip's tooltip shows when the pointer rests on it. */
static char *
chip_tooltip (GtkWidget *chip)
{
  char *text = sm_calendar_chip_dup_tooltip (SM_CALENDAR_CHIP (chip));

  g_assert_nonnull (text);
  g_assert_true (gtk_widget_get_has_tooltip (chip));
  return text;
}

static void
assert_chip_tooltip_ends_with (GtkWidget  *chip,
                               const char *expected)
{
  g_autofree char *text = chip_tooltip (chip);

  if (!g_str_has_suffix (text, expected))
    g_error ("Tooltip \"%s\" does not end with \"%s\"", text, expected);
}

static void
assert_chip_tooltip_lacks (GtkWidget  *chip,
                           const char *part)
{
  g_autofree char *text = chip_tooltip (chip);

  g_assert_null (strstr (text, part));
}

static void
test_upload_progress (Fixture       *f,
                      gconstpointer  data)
{
  /* g_format_size() puts a no-break space between number and unit. */
  static const char expected[] = "Uploading 42% (126.0\u00a0MB of 300.0\u00a0MB)";
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GObject) watcher = g_object_new (G_TYPE_OBJECT, NULL);
  ProgressSeen seen = { 0, };
  gint64 target_id = first_target (f, f->busy[0]);
  gpointer publishing[3] = { f->view, &f->busy[0], GINT_TO_POINTER (SM_TARGET_PUBLISHING) };
  gpointer at_42[3] = { f->view, &f->busy[0], GINT_TO_POINTER (42) };
  gpointer no_progress[3] = { f->view, &f->busy[0], GINT_TO_POINTER (-1) };
  gpointer row_shows[4] = { f->window, &f->busy[0], &target_id, (gpointer) expected };
  gpointer row_clear[4] = { f->window, &f->busy[0], &target_id, NULL };
  GtkWidget *chip, *popover, *bar;

  show_day_of_fixture (f, SM_CALENDAR_MODE_MONTH);
  g_assert_nonnull (find_widget (GTK_WIDGET (f->view), match_chip, &f->busy[0]));

  /* The shared subscription, on its own: a burst of a hundred signals
   * is a few calls, the last with the latest numbers. */
  g_object_set_data (watcher, "seen", &seen);
  sm_ui_watch_upload_progress (watcher, progress_seen_cb);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  settle ();
  for (guint i = 1; i <= 100; i++)
    emit_progress (bus, 777, i * 3, 300);
  g_dbus_connection_flush_sync (bus, NULL, NULL);
  g_assert_true (wait_for (progress_seen_last, &seen, WAIT_MS));
  g_assert_cmpint (seen.target_id, ==, 777);
  g_assert_cmpuint (seen.total, ==, 300);
  g_assert_cmpuint (seen.calls, >=, 1);
  g_assert_cmpuint (seen.calls, <=, 8);
  g_clear_object (&watcher);

  /* The agenda reads the store when it is first shown: show it once, then
   * go back to the calendar. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "agenda"));
  {
    /* Read (in a thread) and laid out: the post's row is there, with no
     * upload yet. */
    gpointer row_shown[4] = { f->window, &f->busy[0], &target_id, NULL };

    g_assert_true (wait_for (row_upload_text_is, row_shown, WAIT_MS));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "calendar"));
  settle ();

  /* A publisher takes the post and starts sending its video. */
  claimed = sm_store_claim_due (f->store, "test-calendar-3", at (f, &f->day, 0, 10, 1),
                                60 * SECOND_US, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpint (((SmTarget *) g_ptr_array_index (claimed, 0))->id, ==, target_id);
  g_assert_true (sm_store_mark_publishing (f->store, target_id, "test-calendar-3", &error));
  g_assert_no_error (error);
  emit_target_changed (bus, target_id, "publishing");
  g_assert_true (wait_for (chip_in_state, publishing, WAIT_MS));

  for (guint i = 1; i <= 42; i++)
    emit_progress (bus, target_id, i * 3000000, 300000000);
  g_dbus_connection_flush_sync (bus, NULL, NULL);

  /* The chip shows it, and says it to a screen reader. */
  g_assert_true (wait_for (chip_percent_is, at_42, WAIT_MS));
  chip = find_widget (GTK_WIDGET (f->view), match_chip, &f->busy[0]);
  assert_accessible_text (GTK_ACCESSIBLE (chip), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
  assert_chip_tooltip_ends_with (chip, expected);
  sm_test_ui_save_png (chip, "calendar-chip-uploading.png");
  /* And in the day's cell, beside the other posts. */
  sm_test_ui_save_png (gtk_widget_get_parent (gtk_widget_get_parent (chip)), "calendar-cell-uploading.png");

  /* So does the agenda's row for that account. */
  g_assert_true (wait_for (row_upload_text_is, row_shows, WAIT_MS));

  /* And the post's popover, with a progress bar. */
  click (chip);
  popover = find_widget (GTK_WIDGET (f->view), match_type, GSIZE_TO_POINTER (SM_TYPE_POST_POPOVER));
  g_assert_nonnull (popover);
  g_assert_true (wait_for (widget_is_mapped, popover, WAIT_MS));
  g_assert_cmpstr (sm_post_popover_get_upload_text (SM_POST_POPOVER (popover), target_id), ==, expected);
  bar = find_widget (popover, match_type, GSIZE_TO_POINTER (GTK_TYPE_PROGRESS_BAR));
  g_assert_nonnull (bar);
  g_assert_true (gtk_widget_is_visible (bar));
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)), 0.42, 0.001);
  assert_accessible_text (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Upload to X · Ada Lovelace");
  assert_accessible_text (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, expected);
  sm_test_ui_save_png (popover, "calendar-popover-uploading.png");

  /* Sent: the progress goes everywhere. */
  g_assert_true (sm_store_mark_published (f->store, target_id, "test-calendar-3", "5678",
                                          "https://x.com/ada/status/5678", g_get_real_time (), &error));
  g_assert_no_error (error);
  emit_target_changed (bus, target_id, "published");
  {
    gpointer args[3] = { popover, &target_id, NULL };

    g_assert_true (wait_for (popover_upload_text_is, args, WAIT_MS));
    g_assert_false (gtk_widget_is_visible (bar));
  }
  g_assert_true (wait_for (chip_percent_is, no_progress, WAIT_MS));
  g_assert_true (wait_for (row_upload_text_is, row_clear, WAIT_MS));
  chip = find_widget (GTK_WIDGET (f->view), match_chip, &f->busy[0]);
  assert_chip_tooltip_lacks (chip, "Uploading");
  /* Nothing more to tell a screen reader than the chip's name. */
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (chip), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
}

/* The last Sunday of @month next year: where Europe's clocks change. */
static void
last_sunday (int    month,
             GDate *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int year = g_date_time_get_year (now) + 1;

  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_get_days_in_month (month, year), month, year);
  while (g_date_get_weekday (date) != G_DATE_SUNDAY)
    g_date_subtract_days (date, 1);
}

static guint
chips_shown (Fixture      *f,
             const gint64 *ids,
             guint         n)
{
  guint shown = 0;

  for (guint i = 0; i < n; i++)
    shown += find_widget (GTK_WIDGET (f->view), match_chip, &ids[i]) != NULL;
  return shown;
}

/* The week and day views make an hour's chips when it comes into view:
 * scroll through the whole day. */
static void
scroll_through_day (Fixture *f)
{
  GtkAdjustment *adjustment =
    gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (find_widget (GTK_WIDGET (f->view), match_id,
                                                                           "timeline_scroller")));

  gtk_adjustment_set_value (adjustment, 0);
  settle ();
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  settle ();
}

static gboolean
match_label (GtkWidget     *widget,
             gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static GtkWidget *
open_popover (Fixture *f,
              gint64   post_id)
{
  GtkWidget *chip = find_widget (GTK_WIDGET (f->view), match_chip, &post_id);
  GtkWidget *popover;

  g_assert_nonnull (chip);
  click (chip);
  popover = find_widget (GTK_WIDGET (f->view), match_type, GSIZE_TO_POINTER (SM_TYPE_POST_POPOVER));
  g_assert_nonnull (popover);
  g_assert_true (wait_for (widget_is_mapped, popover, WAIT_MS));
  return popover;
}

static void
close_popover (GtkWidget *popover)
{
  gpointer weak = popover;

  g_object_add_weak_pointer (G_OBJECT (popover), &weak);
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (wait_for (pointer_is_null, &weak, WAIT_MS));
}

/* In Europe/Berlin, an Instagram account posting in Asia/Tokyo: its post
 * at 09:00 says the time in Tokyo too, on the chip (tooltip, and what a
 * screen reader is told) and in the popover; a post of an account in the
 * workspace's zone does not, nor does this one once the account follows
 * the workspace's zone again. */
static void
test_account_zone (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tokyo = g_time_zone_new_identifier ("Asia/Tokyo");
  g_autoptr(GDateTime) there = NULL;
  g_autofree char *expected = NULL;
  gint64 workspace_id, bakery, post, due;
  GtkWidget *chip, *popover;

  workspace_id = sm_store_get_default_workspace (f->store, NULL, &error);
  g_assert_no_error (error);
  bakery = sm_store_upsert_account (f->store, workspace_id, SM_NETWORK_INSTAGRAM, "17841400000000001",
                                    "Ana’s Bakery", "anasbakery", &error);
  g_assert_no_error (error);
  g_assert_true (sm_store_set_account_zone (f->store, bakery, "Asia/Tokyo", &error));
  g_assert_no_error (error);
  due = at (f, &f->day, 0, 9, 0);
  post = create (f, "Fresh cardamom buns at nine.", due, bakery);

  /* Tokyo is 7 or 8 hours ahead of Berlin, with or without summer time. */
  {
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (due / SECOND_US);

    there = g_date_time_to_timezone (utc, tokyo);
  }
  g_assert_true (g_date_time_get_hour (there) == 16 || g_date_time_get_hour (there) == 17);
  expected = g_strdup_printf ("09:00 · %02d:00 in Asia/Tokyo (Ana’s Bakery on Instagram)",
                              g_date_time_get_hour (there));

  sm_calendar_view_reload (f->view);
  show_day_of_fixture (f, SM_CALENDAR_MODE_MONTH);

  chip = find_widget (GTK_WIDGET (f->view), match_chip, &post);
  g_assert_nonnull (chip);
  assert_chip_tooltip_ends_with (chip, expected);
  assert_accessible_text (GTK_ACCESSIBLE (chip), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);

  popover = open_popover (f, post);
  {
    GtkWidget *label = find_widget (popover, match_label, expected);

    g_assert_nonnull (label);
    g_assert_true (gtk_widget_get_mapped (label));
  }
  sm_test_ui_save_png (popover, "calendar-popover-account-zone.png");
  close_popover (popover);

  /* The X account uses the workspace's zone: nothing more to say. */
  chip = find_widget (GTK_WIDGET (f->view), match_chip, &f->busy[0]);
  g_assert_nonnull (chip);
  assert_chip_tooltip_lacks (chip, " in ");
  popover = open_popover (f, f->busy[0]);
  g_assert_null (find_widget (popover, match_label, expected));
  close_popover (popover);

  /* Back to the workspace's zone. */
  g_assert_true (sm_store_set_account_zone (f->store, bakery, NULL, &error));
  g_assert_no_error (error);
  sm_calendar_view_reload (f->view);
  settle ();
  chip = find_widget (GTK_WIDGET (f->view), match_chip, &post);
  g_assert_nonnull (chip);
  assert_chip_tooltip_lacks (chip, "Asia/Tokyo");
  popover = open_popover (f, post);
  g_assert_null (find_widget (popover, match_label, expected));
  close_popover (popover);
}

/* In Europe/Berlin: the 25-hour day in October holds both 02:30s and its
 * 23:30, and not the next day's 00:15; the 23-hour day in March holds its
 * 23:30 and not the next day's 00:30; a drop on the skipped 02:30 lands
 * at 03:30 summer time. */
static void
test_dst (Fixture       *f,
          gconstpointer  data)
{
  GDate autumn, spring, next;
  gint64 first_0230_us, second_0230_us, ids[4], spring_ids[2];
  g_autoptr(GDateTime) noon = NULL;

  last_sunday (10, &autumn);
  /* 02:30 CEST is 00:30 UTC; an hour later the clocks say 02:30 again. */
  first_0230_us = at (f, &autumn, 0, 2, 30);
  second_0230_us = first_0230_us + HOUR_US;
  {
    g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (second_0230_us / SECOND_US);
    g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

    g_assert_cmpint (g_date_time_get_hour (local), ==, 2);
    g_assert_cmpint (g_date_time_get_minute (local), ==, 30);
  }
  ids[0] = create (f, "First half past two.", first_0230_us, f->x_account);
  ids[1] = create (f, "Second half past two.", second_0230_us, f->x_account);
  ids[2] = create (f, "Late on the long day.", at (f, &autumn, 0, 23, 30), f->x_account);
  ids[3] = create (f, "Just after midnight.", at (f, &autumn, 1, 0, 15), f->x_account);
  /* The long day really is 25 hours. */
  g_assert_cmpint (at (f, &autumn, 1, 0, 0) - at (f, &autumn, 0, 0, 0), ==, 25 * HOUR_US);

  sm_calendar_view_set_mode (f->view, SM_CALENDAR_MODE_DAY);
  sm_calendar_view_set_date (f->view, g_date_get_year (&autumn), g_date_get_month (&autumn),
                             g_date_get_day (&autumn));
  settle ();
  /* The working day is in view; the night's chips are made when it is. */
  g_assert_cmpuint (chips_shown (f, &ids[2], 1), ==, 0);
  scroll_through_day (f);
  g_assert_cmpuint (chips_shown (f, ids, 3), ==, 3);
  g_assert_cmpuint (chips_shown (f, &ids[3], 1), ==, 0);
  next = autumn;
  g_date_add_days (&next, 1);
  sm_calendar_view_set_date (f->view, g_date_get_year (&next), g_date_get_month (&next),
                             g_date_get_day (&next));
  settle ();
  scroll_through_day (f);
  g_assert_cmpuint (chips_shown (f, ids, 3), ==, 0);
  g_assert_cmpuint (chips_shown (f, &ids[3], 1), ==, 1);

  /* Month view: the same split. */
  sm_calendar_view_set_mode (f->view, SM_CALENDAR_MODE_MONTH);
  settle ();
  g_assert_cmpuint (chips_shown (f, ids, 4), ==, 4);
  {
    GtkWidget *cells[4];

    for (guint i = 0; i < 4; i++)
      cells[i] = gtk_widget_get_parent (find_widget (GTK_WIDGET (f->view), match_chip, &ids[i]));
    g_assert_true (cells[0] == cells[1] && cells[1] == cells[2]);
    g_assert_true (cells[3] != cells[0]);
  }

  last_sunday (3, &spring);
  g_assert_cmpint (at (f, &spring, 1, 0, 0) - at (f, &spring, 0, 0, 0), ==, 23 * HOUR_US);
  spring_ids[0] = create (f, "Late on the short day.", at (f, &spring, 0, 23, 30), f->x_account);
  spring_ids[1] = create (f, "Half past midnight.", at (f, &spring, 1, 0, 30), f->x_account);
  sm_calendar_view_set_mode (f->view, SM_CALENDAR_MODE_DAY);
  sm_calendar_view_set_date (f->view, g_date_get_year (&spring), g_date_get_month (&spring),
                             g_date_get_day (&spring));
  settle ();
  scroll_through_day (f);
  g_assert_cmpuint (chips_shown (f, spring_ids, 1), ==, 1);
  g_assert_cmpuint (chips_shown (f, &spring_ids[1], 1), ==, 0);

  /* A drop on 02:30 of the short day, a time that does not exist: it
   * moves on by the gap, to 03:30 summer time (01:30 UTC). */
  g_assert_true (sm_calendar_view_move_post (f->view, spring_ids[0], g_date_get_year (&spring),
                                             g_date_get_month (&spring), g_date_get_day (&spring), 2, 30));
  noon = g_date_time_new_utc (g_date_get_year (&spring), g_date_get_month (&spring),
                              g_date_get_day (&spring), 1, 30, 0);
  g_assert_cmpint (post_due (f, spring_ids[0]), ==, g_date_time_to_unix (noon) * SECOND_US);
  sm_test_ui_save_png (GTK_WIDGET (f->window), "calendar-day-dst.png");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_content_type_set_mime_dirs (NULL);
  /* GTK's test accessibility backend: what a screen reader would be told
   * can be asserted (gtk_test_accessible_assert_property). */
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

#define ADD(path, func) \
  g_test_add ("/calendar/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("views", test_views);
  ADD ("compose-from-day", test_compose_from_day);
  ADD ("move", test_move);
  ADD ("retry-and-duplicate", test_retry_and_duplicate);
  ADD ("delete-undo", test_delete_undo);
  ADD ("live", test_live);
  ADD ("upload-progress", test_upload_progress);
#undef ADD
  g_test_add ("/calendar/dst", Fixture, "Europe/Berlin", fixture_set_up, test_dst, fixture_tear_down);
  g_test_add ("/calendar/account-zone", Fixture, "Europe/Berlin", fixture_set_up, test_account_zone,
              fixture_tear_down);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
