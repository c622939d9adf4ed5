/* test-ui-e2e.c — issue 4's acceptance, end to end through the real window:
 * connect YouTube, Facebook and X on the accounts page (the browser
 * sign-in, against the sandbox), compose a post with a video for the
 * three, see X refuse the file and Schedule blocked, Convert it with one
 * click, give YouTube a title, schedule; drag the post's chip to another
 * day and see the calendar, the store and the publisher (GetStatus over
 * D-Bus) agree; drag it back to today, a minute or so ahead, and see the
 * D-Bus-activated publisher send the converted file to the three networks
 * and the chip turn published.
 *
 * The video is made at run time with gst-launch-1.0.  Runs under
 * tests/run-headless (Xvfb, a private session bus activating the
 * installed publisher, an unlocked keyring).  PNGs of the accounts page,
 * the composer, the week and the month go to $SM_BUILD_DIR/screenshots/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-ui-e2e"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include <adwaita.h>

#include "sm-calendar-chip.h"
#include "sm-calendar-timeline.h"
#include "sm-calendar-view.h"
#include "sm-composer-window.h"
#include "sm-credentials-dialog.h"
#include "sm-media.h"
#include "sm-media-rules.h"
#include "sm-store.h"
#include "sm-test-net.h"
#include "sm-test-ui.h"
#include "sm-test-util.h"
#include "sm-time.h"
#include "sm-token-store.h"
#include "sm-ui-util.h"
#include "sm-window.h"

#define WAIT_MS    SM_TEST_UI_WAIT_MS
/* Reading, converting or sending a few seconds of video on a busy machine. */
#define MEDIA_MS   120000
#define SECOND_US  ((gint64) G_USEC_PER_SEC)

#define PUBLISHER_BUS_NAME "studio.so_me.Studio.Publisher"

static SmApplication *app;

/* The three networks, as the accounts page and the composer name them. */
static const struct
{
  SmNetwork   network;
  const char *id;
} networks[] = {
  { SM_NETWORK_YOUTUBE,  "youtube" },
  { SM_NETWORK_FACEBOOK, "facebook" },
  { SM_NETWORK_X,        "x" },
};

/* ---- Helpers ------------------------------------------------------------------ */

typedef struct
{
  GSubprocess *process;
  gboolean     done;
  gboolean     ok;
  GError      *error;
} Browser;

static void
browser_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Browser *browser = user_data;

  browser->ok = g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &browser->error);
  browser->done = TRUE;
}

static gboolean
browser_done (gpointer data)
{
  return ((Browser *) data)->done;
}

static gboolean
is_active (gpointer check)
{
  return gtk_check_button_get_active (GTK_CHECK_BUTTON (check));
}

/* Connects an account on @network from the accounts page as a person
 * would in a build without app credentials: Connect…, the network's
 * client id in the dialog that asks for it, then the sign-in link copied
 * from "Continue in Your Browser" and opened in a browser (curl), which
 * consents at the sandbox and comes back to the app.  Returns how many
 * accounts of @network the store has then. */
static guint
connect_network (SmWindow      *window,
                 SmStore       *store,
                 SmNetwork      network)
{
  g_autofree char *connect_name = g_strdup_printf ("Connect an account on %s",
                                                   sm_network_display_name (network));
  g_autofree char *url = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *connect, *copy, *row;
  GtkWindow *dialog;
  Browser browser = { NULL, };
  GLogLevelFlags fatal_mask;
  gpointer weak;
  guint n = 0;

  connect = sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_accessible, connect_name, WAIT_MS);
  g_assert_nonnull (connect);
  sm_test_ui_click (connect);

  /* This build has no credentials of its own for the network. */
  dialog = sm_test_ui_wait_toplevel (SM_TYPE_CREDENTIALS_DIALOG, NULL);
  g_assert_cmpint (sm_credentials_dialog_get_network (SM_CREDENTIALS_DIALOG (dialog)), ==, network);
  gtk_editable_set_text (GTK_EDITABLE (sm_test_ui_find_by_id (GTK_WIDGET (dialog), "client_id_entry")),
                         "sandbox-client");
  {
    GtkWidget *secret = sm_test_ui_find_by_id (GTK_WIDGET (dialog), "secret_entry");

    if (gtk_widget_get_visible (secret))
      gtk_editable_set_text (GTK_EDITABLE (secret), "sandbox-not-a-secret");
  }

  /* There is no browser in the test session: opening one may warn. */
  fatal_mask = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  sm_test_ui_click (sm_test_ui_find_accessible (GTK_WIDGET (dialog), "Save and Connect"));
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_null, &weak, WAIT_MS));

  dialog = sm_test_ui_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Continue in Your Browser");
  copy = sm_test_ui_find_accessible (GTK_WIDGET (dialog), "Copy Sign-In Link");
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_sensitive, copy, WAIT_MS));
  sm_test_ui_click (copy);
  url = sm_test_ui_clipboard_text (copy);
  g_assert_nonnull (url);
  g_assert_true (g_str_has_prefix (url, g_getenv ("SO_ME_STUDIO_NETWORK_BASE")));

  /* The browser: the network's consent page sends it back to the app's
   * listener on 127.0.0.1, which this main loop serves. */
  browser.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                      "curl", "-sS", "-L", "--max-time", "30", "-o", "/dev/null", url, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (browser.process, NULL, browser_done_cb, &browser);
  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_assert_true (sm_test_ui_wait (browser_done, &browser, 40000));
  g_assert_no_error (browser.error);
  g_assert_true (browser.ok);
  g_clear_object (&browser.process);
  /* The dialog closes by itself once the network answered. */
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_null, &weak, 30000));
  sm_test_ui_settle (200);
  g_log_set_always_fatal (fatal_mask);
  g_assert_null (sm_test_ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));

  accounts = sm_store_list_accounts (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < accounts->len; i++)
    {
      SmAccount *account = g_ptr_array_index (accounts, i);

      if (account->network != network)
        continue;
      n++;
      /* Its row on the page, with a Posting Times button named for it. */
      {
        g_autofree char *times = g_strdup_printf ("Posting Times for %s on %s…", account->name,
                                                  sm_network_display_name (network));

        row = sm_test_ui_wait_find (GTK_WIDGET (window), sm_test_ui_match_accessible, times, WAIT_MS);
        g_assert_nonnull (row);
      }
    }
  return n;
}

/* The first account of @network in the store. */
static SmAccount *
account_of (SmStore   *store,
            SmNetwork  network)
{
  g_autoptr(GPtrArray) accounts = sm_store_list_accounts (store, NULL);

  g_assert_nonnull (accounts);
  for (guint i = 0; i < accounts->len; i++)
    {
      SmAccount *account = g_ptr_array_index (accounts, i);

      if (account->network == network)
        {
          g_ptr_array_steal_index (accounts, i);
          return account;
        }
    }
  g_error ("No %s account", sm_network_display_name (network));
  return NULL;
}

/* A 4 s VP8/Opus WebM: YouTube takes it, X wants H.264 and AAC. */
static char *
make_webm (const char *dir)
{
  g_autoptr(GError) error = NULL;

  if (!sm_test_net_gst_launch (dir,
                               "videotestsrc num-buffers=120 "
                               "! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert "
                               "! vp8enc deadline=1 ! queue ! mux. "
                               "audiotestsrc num-buffers=188 samplesperbuffer=1024 ! audioconvert "
                               "! opusenc ! queue ! mux. webmmux name=mux",
                               "harbour clip.webm", &error))
    g_error ("%s", error->message);
  return g_build_filename (dir, "harbour clip.webm", NULL);
}

static gboolean
have_element (const char *name)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find (name);

  return factory != NULL;
}

/* A click on the header's view switcher. */
static void
show_page (SmWindow   *window,
           const char *title)
{
  GtkWidget *button = sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_button_named, title);

  g_assert_nonnull (button);
  sm_test_ui_click (button);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
}

static gboolean
match_calendar (GtkWidget     *widget,
                gconstpointer  unused)
{
  return GTK_IS_CALENDAR (widget);
}

/* The month cell a chip is in. */
static GtkWidget *
cell_of (GtkWidget *chip)
{
  return gtk_widget_get_parent (gtk_widget_get_parent (chip));
}

/* The month grid's cell @days after @cell (the grid is 7 wide). */
static GtkWidget *
cell_after (GtkWidget *cell,
            int        days)
{
  GtkGrid *grid = GTK_GRID (gtk_widget_get_parent (cell));
  int column = 0, row = 0, index;

  gtk_grid_query_child (grid, cell, &column, &row, NULL, NULL);
  index = row * 7 + column + days;
  g_assert_cmpint (index, >=, 0);
  g_assert_cmpint (index, <, 42);
  return gtk_grid_get_child_at (grid, index % 7, index / 7);
}

/* The day number a month cell shows. */
static int
cell_day (GtkWidget *cell)
{
  GtkWidget *label = gtk_widget_get_first_child (cell);

  g_assert_true (GTK_IS_LABEL (label));
  return atoi (gtk_label_get_text (GTK_LABEL (label)));
}

typedef struct
{
  GtkWidget *root;
  gint64     post_id;
  GtkWidget *cell;      /* when set: the chip must be in this cell */
  const char *state;    /* when set: the chip's accessible name says it */
} ChipQuery;

static GtkWidget *
find_chip (ChipQuery *query)
{
  GtkWidget *chip = sm_test_ui_find (query->root, sm_test_ui_match_chip, &query->post_id);
  g_autofree char *name = NULL;
  g_autofree char *needle = NULL;

  if (chip == NULL || (query->cell != NULL && cell_of (chip) != query->cell))
    return NULL;
  if (query->state != NULL)
    {
      name = sm_test_ui_accessible_name (chip);
      needle = g_strdup_printf (", %s, ", query->state);
      if (name == NULL || strstr (name, needle) == NULL)
        return NULL;
    }
  return chip;
}

static gboolean
chip_shown (gpointer data)
{
  return find_chip (data) != NULL;
}

typedef struct
{
  SmTestProfile *profile;
  const char    *sha256;
  guint          n;
} SandboxQuery;

/* The sandbox has a post on each network with the file of @sha256. */
static gboolean
sandbox_has_file_everywhere (gpointer data)
{
  SandboxQuery *query = data;
  g_autoptr(JsonNode) posts = sm_test_sandbox_get (query->profile, "/__sandbox/posts");
  JsonArray *array = json_node_get_array (posts);
  gboolean seen[G_N_ELEMENTS (networks)] = { FALSE, };

  query->n = json_array_get_length (array);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *post = json_array_get_object_element (array, i);
      JsonArray *media = json_object_has_member (post, "media")
                         ? json_object_get_array_member (post, "media") : NULL;
      const char *sha256;

      /* One file, as the network received it (a YouTube video is the
       * post's own bytes). */
      if (media != NULL && json_array_get_length (media) != 1)
        continue;
      sha256 = media != NULL
               ? json_object_get_string_member (json_array_get_object_element (media, 0), "sha256")
               : json_object_get_string_member_with_default (post, "sha256", NULL);
      if (g_strcmp0 (sha256, query->sha256) != 0)
        continue;
      for (guint n = 0; n < G_N_ELEMENTS (networks); n++)
        if (g_str_equal (json_object_get_string_member (post, "network"), networks[n].id))
          seen[n] = TRUE;
    }
  for (guint n = 0; n < G_N_ELEMENTS (networks); n++)
    if (!seen[n])
      return FALSE;
  return TRUE;
}

/* GetStatus, asked of the publisher on the session bus (which D-Bus
 * activates when none runs). */
static void
publisher_status (guint32 *queued,
                  gint64  *next_due)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint64 wakeups = 0;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, PUBLISHER_BUS_NAME, SM_PUBLISHER_OBJECT_PATH,
                                       SM_PUBLISHER_INTERFACE, "GetStatus", NULL,
                                       G_VARIANT_TYPE ("(uxt)"), G_DBUS_CALL_FLAGS_NONE, 10000,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(uxt)", queued, next_due, &wakeups);
  g_assert_cmpuint (wakeups, >, 0);
}

static gint64
local_us (const char  *zone,
          const GDate *date,
          int          hour,
          int          minute)
{
  g_autoptr(GError) error = NULL;
  gint64 us = sm_time_local_to_utc_us (zone, g_date_get_year (date), g_date_get_month (date),
                                       g_date_get_day (date), hour, minute, &error);

  g_assert_no_error (error);
  return us;
}

static void
show_month_of (SmCalendarView *view,
               const GDate    *date)
{
  GtkWidget *month = sm_test_ui_find_accessible (GTK_WIDGET (view), "Month");

  if (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (month)))
    sm_test_ui_click (month);
  g_assert_cmpint (sm_calendar_view_get_mode (view), ==, SM_CALENDAR_MODE_MONTH);
  sm_calendar_view_set_date (view, g_date_get_year (date), g_date_get_month (date), g_date_get_day (date));
  sm_test_ui_settle (200);
}

/* ---- The test --------------------------------------------------------------- */

static void
test_compose_fix_schedule_drag_publish (void)
{
  g_autoptr(SmTestProfile) profile = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(SmMediaInfo) original = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *webm = NULL;
  g_autofree char *x_problem = NULL;
  g_autofree char *converted_sha = NULL;
  g_autofree char *converted_path = NULL;
  const char *text = "Boats back in the harbour: four seconds of our morning.";
  SmAccount *accounts[G_N_ELEMENTS (networks)];
  SmWindow *window;
  SmCalendarView *view;
  SmComposerWindow *composer;
  GtkWidget *schedule, *problems, *convert, *chip, *from_cell, *to_cell;
  GDate today, scheduled_day, moved_day;
  int hour, minute;
  gint64 post_id, moved_due, soon_due;
  ChipQuery chip_query;

  if (g_find_program_in_path ("gst-launch-1.0") == NULL || g_find_program_in_path ("curl") == NULL ||
      !have_element ("vp8enc") || !have_element ("webmmux") || !have_element ("opusenc") ||
      !have_element ("x264enc") || !have_element ("avenc_aac"))
    {
      g_test_skip ("needs gst-launch-1.0 with vp8enc, webmmux, opusenc, x264enc and avenc_aac, and curl");
      return;
    }

  /* A profile, its sandbox, and D-Bus activation pointed at both; the
   * window works on the same profile, in this process. */
  profile = sm_test_profile_new ();
  sm_test_profile_activate (profile);
  g_setenv ("SO_ME_STUDIO_NETWORK_BASE", profile->sandbox_url, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
    {
      g_assert_true (sm_token_store_delete_credentials (networks[i].network, NULL, &error));
      g_assert_no_error (error);
    }
  {
    g_autofree char *store_dir = g_build_filename (profile->data_home, "so-me-studio", NULL);

    store = sm_store_open (store_dir, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (sm_store_get_default_workspace (store, &zone, &error), >, 0);
  g_assert_no_error (error);
  tz = sm_ui_time_zone_new (zone);

  dir = g_build_filename (profile->dir, "videos", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  webm = make_webm (dir);
  original = sm_media_probe (webm, NULL, &error);
  g_assert_no_error (error);

  window = sm_window_new (GTK_APPLICATION (app), store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 860);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, window, WAIT_MS));

  /* ---- 1. Three video networks, connected from the accounts page ---------- */
  show_page (window, "Accounts");
  for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
    {
      g_assert_cmpuint (connect_network (window, store, networks[i].network), >=, 1);
      accounts[i] = account_of (store, networks[i].network);
    }
  sm_test_ui_save_png (GTK_WIDGET (window), "ui-e2e-accounts.png");

  /* ---- 2. The composer: text, the video, the three accounts ------------- */
  show_page (window, "Calendar");
  view = SM_CALENDAR_VIEW (sm_test_ui_find (GTK_WIDGET (window), sm_test_ui_match_type,
                                            GSIZE_TO_POINTER (SM_TYPE_CALENDAR_VIEW)));
  g_assert_nonnull (view);
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, view, WAIT_MS));
  sm_test_ui_click (sm_test_ui_find_accessible (GTK_WIDGET (window), "New Post"));
  composer = SM_COMPOSER_WINDOW (sm_test_ui_wait_toplevel (SM_TYPE_COMPOSER_WINDOW, NULL));
  gtk_window_set_default_size (GTK_WINDOW (composer), 900, 900);
  sm_test_ui_type (sm_test_ui_find_accessible (GTK_WIDGET (composer), "Post text"), text);

  for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
    {
      g_autofree char *name = g_strdup_printf ("Post to %s on %s", accounts[i]->name,
                                               sm_network_display_name (networks[i].network));
      GtkWidget *check = sm_test_ui_find_accessible (GTK_WIDGET (composer), name);

      g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
      g_signal_emit_by_name (check, "activate");
      g_assert_true (sm_test_ui_wait (is_active, check, WAIT_MS));
    }

  /* The video, dropped from a file manager. */
  file = g_file_new_for_path (webm);
  sm_test_ui_drop_file (GTK_WIDGET (composer), file);
  {
    g_autofree char *size = g_format_size (original->size_bytes);
    g_autofree char *details = g_strdup_printf ("0:04 · %s", size);

    g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_label_containing,
                                            details, MEDIA_MS));
  }

  /* ---- X refuses the file: the problem shows and Schedule is blocked ---- */
  {
    const SmMediaInfo *items[] = { original };

    g_assert_false (sm_media_rules_check_post (SM_NETWORK_X, NULL, items, 1, &x_problem));
    g_assert_true (sm_media_rules_needs_transcode (SM_NETWORK_X, NULL, original));
  }
  problems = sm_test_ui_find_by_id (GTK_WIDGET (composer), "problems_box");
  g_assert_nonnull (sm_test_ui_wait_find (problems, sm_test_ui_match_label_containing, x_problem, WAIT_MS));
  g_assert_true (gtk_widget_is_visible (problems));
  schedule = sm_test_ui_find_accessible (GTK_WIDGET (composer), "Schedule");
  g_assert_false (gtk_widget_is_sensitive (schedule));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (schedule), x_problem));
  sm_test_ui_save_png (GTK_WIDGET (composer), "ui-e2e-composer.png");

  /* ---- One click converts it; the problem goes ----------------------------- */
  /* X's Convert, beside its problem (Facebook wants MP4 too: one copy
   * fixes both). */
  convert = sm_test_ui_find (gtk_widget_get_parent (sm_test_ui_find (problems, sm_test_ui_match_label_containing,
                                                                     x_problem)),
                             sm_test_ui_match_accessible, "Convert");
  g_assert_nonnull (convert);
  /* A screen reader tells which problem it fixes. */
  {
    g_autofree char *description = NULL;

    g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (convert),
                                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
    description = gtk_test_accessible_check_property (GTK_ACCESSIBLE (convert),
                                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, x_problem);
    g_assert_null (description);
  }
  sm_test_ui_click (convert);
  g_assert_nonnull (sm_test_ui_wait_find (GTK_WIDGET (composer), sm_test_ui_match_label_containing,
                                          "Converted from harbour clip.webm", MEDIA_MS));
  g_assert_true (sm_test_ui_wait_gone (GTK_WIDGET (composer), sm_test_ui_match_label_containing,
                                       x_problem, WAIT_MS));
  g_assert_null (sm_test_ui_find (GTK_WIDGET (composer), sm_test_ui_match_accessible, "Convert"));

  /* YouTube's title, in its options. */
  {
    GtkWidget *youtube = sm_test_ui_find_accessible (GTK_WIDGET (composer), "YouTube");
    GtkWidget *title;

    g_assert_true (ADW_IS_EXPANDER_ROW (youtube));
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (youtube), TRUE);
    title = sm_test_ui_wait_find (youtube, sm_test_ui_match_accessible, "Title", WAIT_MS);
    g_assert_nonnull (title);
    gtk_editable_set_text (GTK_EDITABLE (title), "Harbour morning");
  }

  /* When: two days from today, at a time of day a minute or two from
   * now, so that a drag back to today makes it due within the test. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now (tz);
    /* The minute after the one 45 s from now: 45 to 105 s ahead. */
    g_autoptr(GDateTime) ahead = g_date_time_add_seconds (now, 45 + 60);
    g_autoptr(GDateTime) day = NULL;
    GtkWidget *calendar, *date_row;

    hour = g_date_time_get_hour (ahead);
    minute = g_date_time_get_minute (ahead);
    g_date_clear (&today, 1);
    g_date_set_dmy (&today, g_date_time_get_day_of_month (ahead), g_date_time_get_month (ahead),
                    g_date_time_get_year (ahead));
    scheduled_day = today;
    g_date_add_days (&scheduled_day, 2);
    moved_day = today;
    g_date_add_days (&moved_day, 3);

    day = g_date_time_add_days (ahead, 2);
    /* The date row's calendar (in its popover, which is not opened:
     * popovers on Xvfb without a monitor make GDK complain). */
    date_row = sm_test_ui_find_accessible (GTK_WIDGET (composer), "Date");
    g_assert_true (ADW_IS_ACTION_ROW (date_row));
    calendar = sm_test_ui_find (date_row, match_calendar, NULL);
    g_assert_nonnull (calendar);
    {
      g_autofree char *name = sm_test_ui_accessible_name (calendar);

      g_assert_cmpstr (name, ==, "Date");
    }
    gtk_calendar_select_day (GTK_CALENDAR (calendar), day);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (sm_test_ui_find_accessible (GTK_WIDGET (composer), "Hour")),
                               hour);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (sm_test_ui_find_accessible (GTK_WIDGET (composer), "Minute")),
                               minute);
  }
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_sensitive, schedule, MEDIA_MS));
  g_assert_false (gtk_widget_get_visible (problems));
  sm_test_ui_save_png (GTK_WIDGET (composer), "ui-e2e-composer-fixed.png");

  {
    gpointer weak = composer;

    g_object_add_weak_pointer (G_OBJECT (composer), &weak);
    sm_test_ui_click (schedule);
    g_assert_true (sm_test_ui_wait (sm_test_ui_is_null, &weak, WAIT_MS));
  }

  posts = sm_store_list_posts (store, 0, G_MAXINT64 / 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  post_id = ((SmPost *) g_ptr_array_index (posts, 0))->id;
  g_assert_cmpint (((SmPost *) g_ptr_array_index (posts, 0))->due_us, ==,
                   local_us (zone, &scheduled_day, hour, minute));
  g_clear_pointer (&posts, g_ptr_array_unref);

  /* ---- 3. The chip, dragged to the next day in the month ---------------- */
  /* Written from the header's New Post, the post is shown in the agenda;
   * back to the calendar. */
  show_page (window, "Calendar");
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, view, WAIT_MS));
  show_month_of (view, &today);
  chip_query = (ChipQuery) { GTK_WIDGET (view), post_id, NULL, "Scheduled" };
  g_assert_true (sm_test_ui_wait (chip_shown, &chip_query, WAIT_MS));
  chip = find_chip (&chip_query);
  {
    g_autofree char *name = sm_test_ui_accessible_name (chip);

    for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
      g_assert_nonnull (strstr (name, sm_network_display_name (networks[i].network)));
  }
  from_cell = cell_of (chip);
  g_assert_cmpint (cell_day (from_cell), ==, g_date_get_day (&scheduled_day));
  to_cell = cell_after (from_cell, 1);
  g_assert_cmpint (cell_day (to_cell), ==, g_date_get_day (&moved_day));

  g_assert_true (sm_test_ui_drag (chip, to_cell, 20, 30));
  chip_query.cell = to_cell;
  g_assert_true (sm_test_ui_wait (chip_shown, &chip_query, WAIT_MS));
  chip_query.cell = from_cell;
  g_assert_false (chip_shown (&chip_query));

  /* ---- 4. The store and the publisher agree ------------------------------ */
  moved_due = local_us (zone, &moved_day, hour, minute);
  {
    g_autoptr(SmPost) post = sm_store_get_post (store, post_id, &error);
    g_autoptr(SmMediaInfo) converted = NULL;
    const SmPostMedia *row;
    guint32 queued = 0;
    gint64 next_due = 0;

    g_assert_no_error (error);
    g_assert_cmpstr (post->text, ==, text);
    g_assert_cmpint (post->due_us, ==, moved_due);
    g_assert_cmpuint (post->targets->len, ==, G_N_ELEMENTS (networks));
    for (guint i = 0; i < post->targets->len; i++)
      {
        const SmTarget *target = g_ptr_array_index (post->targets, i);

        g_assert_cmpint (target->state, ==, SM_TARGET_SCHEDULED);
        g_assert_cmpint (target->next_attempt_us, ==, moved_due);
      }

    media = sm_store_list_post_media (store, post_id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (media->len, ==, 1);
    row = g_ptr_array_index (media, 0);
    g_assert_true (g_str_has_suffix (row->path, "harbour clip (converted).mp4"));
    g_assert_cmpstr (row->mime_type, ==, "video/mp4");
    converted = sm_media_probe (row->path, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (converted->video_codec, ==, "h264");
    converted_sha = sm_test_net_file_sha256 (row->path);
    g_assert_cmpstr (converted_sha, ==, row->sha256);
    g_assert_cmpint (sm_test_net_file_size (row->path), ==, row->size_bytes);
    converted_path = g_strdup (row->path);
    {
      g_autoptr(GHashTable) options = sm_store_get_post_options (store, post_id, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (g_hash_table_lookup (options, "youtube.title"), ==, "Harbour morning");
    }

    /* The drop woke the publisher (D-Bus activated from the prefix); it
     * reads the same profile and knows the new time. */
    publisher_status (&queued, &next_due);
    g_assert_cmpuint (queued, ==, G_N_ELEMENTS (networks));
    g_assert_cmpint (next_due, ==, moved_due);
    g_assert_cmpuint (sm_test_publisher_pid (), >, 0);
  }

  /* The week shows it on its new day, at its time. */
  {
    GtkWidget *week = sm_test_ui_find_accessible (GTK_WIDGET (view), "Week");
    GtkWidget *scroller = sm_test_ui_find_by_id (GTK_WIDGET (view), "timeline_scroller");
    GtkWidget *timeline = sm_test_ui_find_by_id (GTK_WIDGET (view), "timeline");
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
    int hour_height = sm_calendar_timeline_get_hour_height (SM_CALENDAR_TIMELINE (timeline));

    sm_test_ui_click (week);
    g_assert_cmpint (sm_calendar_view_get_mode (view), ==, SM_CALENDAR_MODE_WEEK);
    sm_calendar_view_set_date (view, g_date_get_year (&moved_day), g_date_get_month (&moved_day),
                               g_date_get_day (&moved_day));
    sm_test_ui_settle (200);
    gtk_adjustment_set_value (adjustment, MAX (0, (hour - 1) * hour_height));
    chip_query = (ChipQuery) { timeline, post_id, NULL, "Scheduled" };
    g_assert_true (sm_test_ui_wait (chip_shown, &chip_query, WAIT_MS));
    {
      guint day = 0, at_hour = 0, at_minute = 0;
      double x = 0, y = 0;

      chip = find_chip (&chip_query);
      g_assert_true (gtk_widget_translate_coordinates (chip, timeline, 2, 2, &x, &y));
      g_assert_true (sm_calendar_timeline_get_time_at (SM_CALENDAR_TIMELINE (timeline), x, y,
                                                       &day, &at_hour, &at_minute));
      g_assert_cmpuint (at_hour, ==, hour);
      /* Its column is headed with the new day ("Wed 2"). */
      {
        GtkWidget *labels = gtk_widget_get_last_child (sm_test_ui_find_by_id (GTK_WIDGET (view),
                                                                              "day_header_box"));
        GtkWidget *heading = gtk_widget_get_first_child (labels);
        g_autofree char *number = g_strdup_printf (" %d", g_date_get_day (&moved_day));

        for (guint i = 0; i < day && heading != NULL; i++)
          heading = gtk_widget_get_next_sibling (heading);
        g_assert_true (GTK_IS_LABEL (heading));
        g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (heading)), number));
      }
    }
    sm_test_ui_save_png (GTK_WIDGET (window), "ui-e2e-week.png");
  }

  /* ---- Dragged back to today: due within a minute or two ------------------- */
  show_month_of (view, &today);
  chip_query = (ChipQuery) { GTK_WIDGET (view), post_id, NULL, "Scheduled" };
  g_assert_true (sm_test_ui_wait (chip_shown, &chip_query, WAIT_MS));
  chip = find_chip (&chip_query);
  g_assert_cmpint (cell_day (cell_of (chip)), ==, g_date_get_day (&moved_day));
  to_cell = cell_after (cell_of (chip), -3);
  g_assert_cmpint (cell_day (to_cell), ==, g_date_get_day (&today));
  soon_due = local_us (zone, &today, hour, minute);
  g_test_message ("Due in %" G_GINT64_FORMAT " s", (soon_due - g_get_real_time ()) / SECOND_US);
  g_assert_true (sm_test_ui_drag (chip, to_cell, 20, 30));
  {
    g_autoptr(SmPost) post = sm_store_get_post (store, post_id, &error);

    g_assert_no_error (error);
    g_assert_cmpint (post->due_us, ==, soon_due);
  }

  /* The publisher sends the converted file to all three. */
  {
    SandboxQuery query = { profile, converted_sha, 0 };
    double timeout_s = MAX (0, soon_due - g_get_real_time ()) / (double) SECOND_US + 120;

    g_assert_true (sm_test_wait_for (sandbox_has_file_everywhere, &query, timeout_s));
    g_assert_cmpuint (query.n, ==, G_N_ELEMENTS (networks));
  }

  /* The window follows: the chip, on today, says Published. */
  chip_query = (ChipQuery) { GTK_WIDGET (view), post_id, to_cell, "Published" };
  g_assert_true (sm_test_ui_wait (chip_shown, &chip_query, 60000));
  chip = find_chip (&chip_query);
  g_assert_cmpint (sm_calendar_chip_get_state (SM_CALENDAR_CHIP (chip)), ==, SM_TARGET_PUBLISHED);
  {
    g_autoptr(SmPost) post = sm_store_get_post (store, post_id, &error);
    guint32 queued = 1;
    gint64 next_due = -1;

    g_assert_no_error (error);
    for (guint i = 0; i < post->targets->len; i++)
      {
        const SmTarget *target = g_ptr_array_index (post->targets, i);

        g_assert_cmpint (target->state, ==, SM_TARGET_PUBLISHED);
        g_assert_nonnull (target->remote_id);
        g_assert_cmpint (target->published_us, >=, soon_due - 60 * SECOND_US);
      }
    publisher_status (&queued, &next_due);
    g_assert_cmpuint (queued, ==, 0);
    g_assert_cmpint (next_due, ==, 0);
  }
  /* The file sent is the one the store kept, unchanged since. */
  {
    g_autofree char *sha = sm_test_net_file_sha256 (converted_path);

    g_assert_cmpstr (sha, ==, converted_sha);
  }
  sm_test_ui_save_png (GTK_WIDGET (window), "ui-e2e-month.png");

  sm_test_ui_close_window (GTK_WINDOW (window));
  for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
    {
      sm_account_free (accounts[i]);
      /* The next test on this keyring starts without them. */
      g_assert_true (sm_token_store_delete_credentials (networks[i].network, NULL, &error));
      g_assert_no_error (error);
    }
  g_unsetenv ("SO_ME_STUDIO_NETWORK_BASE");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Without GL: GStreamer's GL upload crashes now and then in Mesa's
   * software rasterizer under Xvfb (see test-composer.c). */
  sm_test_ui_init_gtk (TRUE);
  gst_init (NULL, NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  app = sm_test_ui_app_new ();

  g_test_add_func ("/ui-e2e/compose-fix-schedule-drag-publish", test_compose_fix_schedule_drag_publish);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
