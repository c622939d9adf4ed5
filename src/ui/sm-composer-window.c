/* sm-composer-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-composer-window.h"
#include "sm-media-rules.h"
#include "sm-options.h"
#include "sm-text.h"
#include "sm-token-store.h"
#include "sm-time.h"
#include "sm-ui-util.h"

/* How often the "time is in the past" check runs while the window is open. */
#define RECHECK_SECONDS 15

typedef struct
{
  SmAccount      *account;
  GtkCheckButton *check;
  AdwExpanderRow *variant_row;
  GtkTextBuffer  *variant_buffer;
  gboolean        variant_shown_once;
} AccountEntry;

struct _SmComposerWindow
{
  AdwWindow            parent_instance;

  /* template widgets */
  GtkTextView         *text_view;
  GtkLabel            *counter_label;
  GtkBox              *problems_box;
  AdwPreferencesGroup *accounts_group;
  AdwPreferencesGroup *variants_group;
  AdwPreferencesGroup *when_group;
  GtkMenuButton       *date_button;
  GtkPopover          *date_popover;
  GtkCalendar         *calendar;
  GtkSpinButton       *hour_spin;
  GtkSpinButton       *minute_spin;
  AdwEntryRow         *zone_row;
  GtkButton           *schedule_button;
  GtkButton           *post_now_button;

  /* owned */
  SmStore             *store;
  GPtrArray           *entries;       /* AccountEntry */
  char                *local_zone;
  guint                recheck_id;
  GCancellable        *cancellable;   /* the keyring look-up for the bucket */

  /* Whether a media bucket is set up (read from the keyring once). */
  enum { BUCKET_UNKNOWN, BUCKET_NONE, BUCKET_SET } bucket;
};

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

enum {
  POST_CREATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SmComposerWindow, sm_composer_window, ADW_TYPE_WINDOW)

static void
account_entry_free (AccountEntry *entry)
{
  g_clear_pointer (&entry->account, sm_account_free);
  g_free (entry);
}

static char *
buffer_get_all (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* The account's own text when the user wrote one, else NULL. */
static char *
entry_get_variant (AccountEntry *entry)
{
  g_autofree char *text = buffer_get_all (entry->variant_buffer);

  return is_blank (text) ? NULL : g_steal_pointer (&text);
}

static gboolean
entry_is_selected (AccountEntry *entry)
{
  return gtk_check_button_get_active (entry->check);
}

/* The UTC instant the date, time and zone fields mean; FALSE with a
 * message for people when they mean none. */
static gboolean
get_due (SmComposerWindow  *self,
         gint64            *out_us,
         char             **problem)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->calendar);
  g_autoptr(GError) error = NULL;
  const char *zone = gtk_editable_get_text (GTK_EDITABLE (self->zone_row));
  gint64 us;

  if (!sm_time_zone_is_valid (zone))
    {
      *problem = g_strdup_printf (_("“%s” is not a time zone; use a name such as Europe/Berlin or UTC."),
                                  zone);
      return FALSE;
    }

  us = sm_time_local_to_utc_us (zone,
                                g_date_time_get_year (date),
                                g_date_time_get_month (date),
                                g_date_time_get_day_of_month (date),
                                gtk_spin_button_get_value_as_int (self->hour_spin),
                                gtk_spin_button_get_value_as_int (self->minute_spin),
                                &error);
  if (error != NULL)
    {
      *problem = g_strdup (error->message);
      return FALSE;
    }

  *out_us = us;
  return TRUE;
}

static gpointer
copy_string (gconstpointer src,
             gpointer      data)
{
  return g_strdup (src);
}

static void
add_problem (SmComposerWindow *self,
             const char       *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *image = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (image, GTK_ALIGN_START);
  gtk_accessible_update_state (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (self->problems_box, box);
}

/* A remark that does not stop the post (an information icon). */
static void
add_note (SmComposerWindow *self,
          const char       *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *image = gtk_image_new_from_icon_name ("dialog-information-symbolic");
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (image, GTK_ALIGN_START);
  gtk_accessible_update_state (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_name (box, "bucket-note");
  gtk_widget_add_css_class (box, "sm-note");
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (self->problems_box, box);
}

/* The selected networks that fetch photos and videos by URL, when no
 * media bucket is set up: "Instagram and Threads", else NULL. */
static char *
networks_needing_bucket (SmComposerWindow *self,
                         guint            *n_out)
{
  g_autoptr(GString) names = g_string_new (NULL);
  gboolean seen[SM_N_NETWORKS] = { FALSE, };
  guint n = 0;

  *n_out = 0;
  if (self->bucket != BUCKET_NONE)
    return NULL;
  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);
      SmNetwork network = entry->account->network;

      if (!entry_is_selected (entry) || seen[network])
        continue;
      seen[network] = TRUE;
      if (!sm_media_rules_needs_bucket (network, "image/jpeg") &&
          !sm_media_rules_needs_bucket (network, "video/mp4"))
        continue;
      if (n++ > 0)
        g_string_append (names, _(" and "));
      g_string_append (names, sm_network_display_name (network));
    }
  *n_out = n;
  return n > 0 ? g_string_free (g_steal_pointer (&names), FALSE) : NULL;
}

/* Enables @action when there is no problem; the button's tooltip says
 * what it would do, or what stands in the way. */
static void
set_button_state (SmComposerWindow *self,
                  GtkWidget        *button,
                  const char       *action,
                  GPtrArray        *problems,
                  const char       *ready_tooltip)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), action, problems->len == 0);

  if (problems->len == 0)
    {
      gtk_widget_set_tooltip_text (button, ready_tooltip);
    }
  else
    {
      g_autoptr(GString) tooltip = g_string_new (NULL);

      for (guint i = 0; i < problems->len; i++)
        {
          if (i > 0)
            g_string_append_c (tooltip, '\n');
          g_string_append (tooltip, g_ptr_array_index (problems, i));
        }
      gtk_widget_set_tooltip_text (button, tooltip->str);
    }
}

/* Recomputes everything that depends on the fields: the counters, the
 * shorter-text rows, the problems, and whether the buttons may act. */
static void
update_state (SmComposerWindow *self)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) now_problems = NULL;
  g_autoptr(GString) counter = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autofree char *when_problem = NULL;
  g_autofree char *ready = NULL;
  gboolean networks_seen[SM_N_NETWORKS] = { FALSE, };
  gboolean any_selected = FALSE;
  gboolean any_variant_row = FALSE;
  guint n_quiet = 0;
  gboolean due_ok;
  gint64 due_us = 0;
  GtkWidget *child;

  if (self->entries == NULL)
    return;

  text = buffer_get_all (gtk_text_view_get_buffer (self->text_view));

  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);
      SmNetwork network = entry->account->network;
      g_autofree char *variant = entry_get_variant (entry);
      g_autofree char *main_problem = NULL;
      g_autofree char *variant_problem = NULL;
      g_autofree char *subtitle = NULL;
      gboolean main_fits, show_variant;

      if (!entry_is_selected (entry))
        {
          gtk_widget_set_visible (GTK_WIDGET (entry->variant_row), FALSE);
          continue;
        }
      any_selected = TRUE;

      main_fits = sm_text_check (network, text, &main_problem);

      /* One count and one problem per network for the shared text. */
      if (!networks_seen[network])
        {
          g_autofree char *media_problem = NULL;

          networks_seen[network] = TRUE;
          /* The composer has no files yet: say where a post needs one. */
          if (!sm_media_rules_check_count (network, NULL, 0, &media_problem))
            g_ptr_array_add (problems, g_steal_pointer (&media_problem));
          /* Nor options: where a post needs one (WhatsApp's recipient), say so. */
          else if (!sm_options_check_post (network, NULL, 0, &media_problem))
            g_ptr_array_add (problems, g_steal_pointer (&media_problem));
          if (counter->len > 0)
            g_string_append (counter, "   ");
          /* Translators: a network's count and limit, e.g. "X 292/280" */
          g_string_append_printf (counter, _("%s %d/%d"), sm_network_display_name (network),
                                  sm_text_count (network, text), sm_text_limit (network));
        }

      if (variant != NULL)
        {
          if (!sm_text_check (network, variant, &variant_problem))
            /* Translators: a problem with one account's own text, "Jane Doe: X allows …" */
            g_ptr_array_add (problems, g_strdup_printf (_("%s: %s"), entry->account->name, variant_problem));
        }
      else if (!main_fits)
        {
          gboolean already = FALSE;

          for (guint j = 0; j < problems->len; j++)
            if (g_strcmp0 (g_ptr_array_index (problems, j), main_problem) == 0)
              already = TRUE;
          if (!already)
            g_ptr_array_add (problems, g_steal_pointer (&main_problem));
        }

      /* Offer a shorter text where the shared one does not fit, and keep
       * showing one the user wrote. */
      show_variant = !main_fits || variant != NULL;
      gtk_widget_set_visible (GTK_WIDGET (entry->variant_row), show_variant);
      any_variant_row |= show_variant;
      if (show_variant && !entry->variant_shown_once)
        {
          entry->variant_shown_once = TRUE;
          adw_expander_row_set_expanded (entry->variant_row, TRUE);
        }

      subtitle = g_strdup_printf (_("%s %d/%d"), sm_network_display_name (network),
                                  sm_text_count (network, variant != NULL ? variant : text),
                                  sm_text_limit (network));
      adw_expander_row_set_subtitle (entry->variant_row, subtitle);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->variants_group), any_variant_row);

  if (counter->len == 0)
    {
      glong n = g_utf8_strlen (text, -1);

      g_string_printf (counter, ngettext ("%ld character", "%ld characters", n), n);
    }
  gtk_label_set_text (self->counter_label, counter->str);

  /* What is merely not done yet goes in the buttons' tooltips only; the
   * page shows what is wrong. */
  if (!any_selected)
    g_ptr_array_insert (problems, n_quiet++, g_strdup (_("Choose at least one account.")));
  if (is_blank (text))
    g_ptr_array_insert (problems, n_quiet++, g_strdup (_("Write the text of the post.")));

  due_ok = get_due (self, &due_us, &when_problem);
  if (!due_ok)
    g_ptr_array_add (problems, g_steal_pointer (&when_problem));

  /* Post Now does not care about the date and time, only the zone. */
  now_problems = g_ptr_array_copy (problems, copy_string, NULL);
  g_ptr_array_set_free_func (now_problems, g_free);

  if (due_ok)
    {
      g_autofree char *when = sm_ui_format_when (due_us, self->local_zone);
      g_autofree char *description = NULL;

      if (due_us < g_get_real_time ())
        g_ptr_array_add (problems, g_strdup (_("The time is in the past; choose a later one.")));

      /* Said in the user's own zone, which may differ from the one the
       * post is planned in. */
      if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->zone_row)), self->local_zone) == 0)
        description = g_strdup_printf (_("Goes out %s."), when);
      else
        description = g_strdup_printf (_("Goes out %s, your time."), when);
      adw_preferences_group_set_description (self->when_group, description);
      /* Translators: tooltip of the Schedule button, "Schedule for today at 15:00" */
      ready = g_strdup_printf (_("Schedule for %s"), when);
    }
  else
    {
      adw_preferences_group_set_description (self->when_group, NULL);
    }

  if (gtk_widget_has_css_class (GTK_WIDGET (self->zone_row), "error") != !due_ok)
    {
      if (due_ok)
        gtk_widget_remove_css_class (GTK_WIDGET (self->zone_row), "error");
      else
        gtk_widget_add_css_class (GTK_WIDGET (self->zone_row), "error");
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_box))) != NULL)
    gtk_box_remove (self->problems_box, child);
  for (guint i = n_quiet; i < problems->len; i++)
    add_problem (self, g_ptr_array_index (problems, i));
  {
    guint n_bucket = 0;
    g_autofree char *bucket_networks = networks_needing_bucket (self, &n_bucket);

    if (bucket_networks != NULL)
      {
        g_autofree char *note = g_strdup_printf (ngettext ("%s fetches photos and videos from a web address, "
                                                           "so posting them there needs your own storage "
                                                           "bucket, and none is set up. Set one up with "
                                                           "“so-me bucket set”; text posts need none.",
                                                           "%s fetch photos and videos from a web address, "
                                                           "so posting them there needs your own storage "
                                                           "bucket, and none is set up. Set one up with "
                                                           "“so-me bucket set”; text posts need none.",
                                                           n_bucket),
                                                 bucket_networks);

        add_note (self, note);
      }
    gtk_widget_set_visible (GTK_WIDGET (self->problems_box),
                            problems->len > n_quiet || bucket_networks != NULL);
  }

  set_button_state (self, GTK_WIDGET (self->schedule_button), "composer.schedule", problems, ready);
  set_button_state (self, GTK_WIDGET (self->post_now_button), "composer.post-now", now_problems,
                    _("Send the post to the selected accounts now"));
}

static gboolean
recheck_cb (gpointer user_data)
{
  update_state (SM_COMPOSER_WINDOW (user_data));
  return G_SOURCE_CONTINUE;
}

static void
update_date_label (SmComposerWindow *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->calendar);
  g_autofree char *label = sm_ui_format_day (date);

  gtk_menu_button_set_label (self->date_button, label);
}

static void
calendar_day_selected_cb (SmComposerWindow *self)
{
  update_date_label (self);
  gtk_popover_popdown (self->date_popover);
  update_state (self);
}

static void
when_changed_cb (SmComposerWindow *self)
{
  update_state (self);
}

static gboolean
spin_output_cb (GtkSpinButton *spin,
                gpointer       user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
show_error (SmComposerWindow *self,
            const char       *heading,
            const char       *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
create_post (SmComposerWindow *self,
             gboolean          now)
{
  g_autoptr(GArray) specs = g_array_new (FALSE, TRUE, sizeof (SmTargetSpec));
  g_autoptr(GPtrArray) variants = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = buffer_get_all (gtk_text_view_get_buffer (self->text_view));
  g_autofree char *problem = NULL;
  const char *zone = gtk_editable_get_text (GTK_EDITABLE (self->zone_row));
  gint64 due_us = 0;
  gint64 post_id;

  if (now)
    {
      due_us = g_get_real_time ();
    }
  else if (!get_due (self, &due_us, &problem))
    {
      show_error (self, _("Cannot Schedule the Post"), problem);
      return;
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);
      SmTargetSpec spec = { entry->account->id, NULL };
      char *variant;

      if (!entry_is_selected (entry))
        continue;

      variant = entry_get_variant (entry);
      if (variant != NULL)
        g_ptr_array_add (variants, variant);
      spec.text = variant;
      g_array_append_val (specs, spec);
    }

  post_id = sm_store_create_post (self->store, text, due_us, zone,
                                  (const SmTargetSpec *) (gpointer) specs->data, specs->len,
                                  FALSE, &error);
  if (post_id <= 0)
    {
      show_error (self, _("Could Not Save the Post"),
                  error != NULL ? error->message : _("The database refused the post."));
      return;
    }

  g_debug ("Created post %" G_GINT64_FORMAT " due %" G_GINT64_FORMAT, post_id, due_us);
  g_signal_emit (self, signals[POST_CREATED], 0, post_id, now);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
schedule_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  create_post (SM_COMPOSER_WINDOW (widget), FALSE);
}

static void
post_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  create_post (SM_COMPOSER_WINDOW (widget), TRUE);
}

static void
open_accounts_clicked_cb (SmComposerWindow *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.show-page", "s", "accounts");
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
add_account_entry (SmComposerWindow *self,
                   SmAccount        *account)
{
  AccountEntry *entry = g_new0 (AccountEntry, 1);
  g_autofree char *subtitle = NULL;
  g_autofree char *check_label = NULL;
  g_autofree char *variant_label = NULL;
  g_autofree char *hint = NULL;
  const char *network = sm_network_display_name (account->network);
  GtkWidget *row, *check, *variant_row, *scroller, *text_view, *hint_label, *box, *box_row;

  entry->account = account;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), account->name);
  if (account->handle != NULL && *account->handle != '\0')
    /* Translators: network and handle, "X · @jane" */
    subtitle = g_strdup_printf (_("%s · %s"), network, account->handle);
  else
    subtitle = g_strdup (network);
  if (account->state == SM_ACCOUNT_NEEDS_RECONNECT)
    {
      g_autofree char *plain = g_steal_pointer (&subtitle);

      /* Translators: "X · @jane · needs reconnecting before this post is due" */
      subtitle = g_strdup_printf (_("%s · needs reconnecting before this post is due"), plain);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  check = gtk_check_button_new ();
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  /* Translators: accessible name of a check button, "Post to Jane Doe on X" */
  check_label = g_strdup_printf (_("Post to %s on %s"), account->name, network);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, check_label,
                                  -1);
  g_signal_connect_swapped (check, "toggled", G_CALLBACK (update_state), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  adw_preferences_group_add (self->accounts_group, row);
  entry->check = GTK_CHECK_BUTTON (check);

  variant_row = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (variant_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (variant_row), account->name);
  gtk_widget_set_visible (variant_row, FALSE);

  text_view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (text_view), 12);
  /* Translators: accessible name of a text field, "Text for Jane Doe on X" */
  variant_label = g_strdup_printf (_("Text for %s on %s"), account->name, network);
  gtk_accessible_update_property (GTK_ACCESSIBLE (text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, variant_label,
                                  -1);
  entry->variant_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  g_signal_connect_swapped (entry->variant_buffer, "changed", G_CALLBACK (update_state), self);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 96);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), text_view);
  gtk_widget_add_css_class (scroller, "card");
  gtk_widget_add_css_class (scroller, "sm-editor");

  /* Translators: above an account's own text, "At most 280 characters on X." */
  hint = g_strdup_printf (_("At most %d characters on %s."), sm_text_limit (account->network), network);
  hint_label = gtk_label_new (hint);
  gtk_label_set_xalign (GTK_LABEL (hint_label), 0);
  gtk_label_set_wrap (GTK_LABEL (hint_label), TRUE);
  gtk_widget_add_css_class (hint_label, "caption");
  gtk_widget_add_css_class (hint_label, "dim-label");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), hint_label);
  gtk_box_append (GTK_BOX (box), scroller);
  /* A plain container, not a row to click: the text view takes the focus. */
  box_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (box_row), FALSE);
  gtk_widget_set_focusable (box_row, FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (box_row), box);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (variant_row), box_row);
  adw_preferences_group_add (self->variants_group, variant_row);
  entry->variant_row = ADW_EXPANDER_ROW (variant_row);

  g_ptr_array_add (self->entries, entry);
}

static void
load_accounts (SmComposerWindow *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  accounts = sm_store_list_accounts (self->store, &error);
  if (accounts == NULL)
    g_debug ("Listing accounts failed: %s", error->message);

  if (accounts == NULL || accounts->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("Open _Accounts"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No connected accounts"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   accounts == NULL ? error->message
                                                    : _("Connect an account to post to it."));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_signal_connect_swapped (button, "clicked", G_CALLBACK (open_accounts_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (self->accounts_group, row);
      return;
    }

  /* The entries own the accounts from here on. */
  g_ptr_array_set_free_func (accounts, NULL);
  for (guint i = 0; i < accounts->len; i++)
    add_account_entry (self, g_ptr_array_index (accounts, i));

  /* One account: that is where the post goes. */
  if (self->entries->len == 1)
    gtk_check_button_set_active (((AccountEntry *) g_ptr_array_index (self->entries, 0))->check, TRUE);
}

static void
load_when (SmComposerWindow *self)
{
  g_autofree char *zone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) later = NULL;

  if (sm_store_get_default_workspace (self->store, &zone, &error) <= 0 || zone == NULL)
    {
      g_debug ("No workspace zone: %s", error != NULL ? error->message : "none set");
      g_free (zone);
      zone = g_strdup (self->local_zone);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->zone_row), zone);

  /* The next full hour at least half an hour from now. */
  tz = sm_ui_time_zone_new (zone);
  now = g_date_time_new_now (tz);
  later = g_date_time_add_minutes (now, 90);

  gtk_calendar_select_day (self->calendar, later);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (later));
  gtk_spin_button_set_value (self->minute_spin, 0);
  update_date_label (self);
}

static void
load_bucket_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(SmS3Config) config = NULL;
  GError *error = NULL;

  config = sm_token_store_load_bucket (task_data, cancellable, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, config != NULL);
}

static void
load_bucket_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  SmComposerWindow *self;
  gboolean set;

  set = g_task_propagate_boolean (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = SM_COMPOSER_WINDOW (object);
  /* A keyring that cannot be read says nothing either way. */
  if (error != NULL)
    g_debug ("Could not tell whether a media bucket is set up: %s", error->message);
  else
    self->bucket = set ? BUCKET_SET : BUCKET_NONE;
  update_state (self);
}

/* Whether a media bucket is set up, from the keyring, off the main loop. */
static void
load_bucket (SmComposerWindow *self)
{
  g_autoptr(GTask) task = NULL;

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, load_bucket_cb, NULL);
  g_task_set_source_tag (task, load_bucket);
  g_task_set_task_data (task, g_strdup (sm_store_get_dir (self->store)), g_free);
  g_task_run_in_thread (task, load_bucket_thread);
}

static void
sm_composer_window_constructed (GObject *object)
{
  SmComposerWindow *self = (SmComposerWindow *) object;

  G_OBJECT_CLASS (sm_composer_window_parent_class)->constructed (object);

  g_assert (self->store != NULL);

  load_accounts (self);
  load_when (self);
  load_bucket (self);
  update_state (self);

  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->text_view));
}

static void
sm_composer_window_dispose (GObject *object)
{
  SmComposerWindow *self = (SmComposerWindow *) object;

  g_clear_handle_id (&self->recheck_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* update_state() stops once the entries are gone. */
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_composer_window_parent_class)->dispose (object);
}

static void
sm_composer_window_finalize (GObject *object)
{
  SmComposerWindow *self = (SmComposerWindow *) object;

  g_clear_pointer (&self->local_zone, g_free);

  G_OBJECT_CLASS (sm_composer_window_parent_class)->finalize (object);
}

static void
sm_composer_window_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SmComposerWindow *self = SM_COMPOSER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_composer_window_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SmComposerWindow *self = SM_COMPOSER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_composer_window_class_init (SmComposerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sm_composer_window_constructed;
  object_class->dispose = sm_composer_window_dispose;
  object_class->finalize = sm_composer_window_finalize;
  object_class->set_property = sm_composer_window_set_property;
  object_class->get_property = sm_composer_window_get_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         SM_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SmComposerWindow::post-created:
   * @post_id: the new post
   * @now: whether the user chose Post Now
   */
  signals[POST_CREATED] =
    g_signal_new ("post-created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-composer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, counter_label);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, problems_box);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, variants_group);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, when_group);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, date_button);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, date_popover);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, calendar);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, zone_row);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, schedule_button);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, post_now_button);
  gtk_widget_class_bind_template_callback (widget_class, calendar_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, when_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, spin_output_cb);

  gtk_widget_class_install_action (widget_class, "composer.schedule", NULL, schedule_action);
  gtk_widget_class_install_action (widget_class, "composer.post-now", NULL, post_now_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "composer.schedule", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "composer.schedule", NULL);
}

static void
sm_composer_window_init (SmComposerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) account_entry_free);
  self->local_zone = sm_time_local_zone_id ();

  g_signal_connect_swapped (gtk_text_view_get_buffer (self->text_view), "changed",
                            G_CALLBACK (update_state), self);
  self->recheck_id = g_timeout_add_seconds (RECHECK_SECONDS, recheck_cb, self);
}

/**
 * sm_composer_window_new:
 * @parent: the window the composer is modal for
 * @store: where the post is saved
 *
 * Returns: (transfer none): a new composer; it destroys itself when done
 */
SmComposerWindow *
sm_composer_window_new (GtkWindow *parent,
                        SmStore   *store)
{
  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  return g_object_new (SM_TYPE_COMPOSER_WINDOW,
                       "transient-for", parent,
                       "application", gtk_window_get_application (parent),
                       "store", store,
                       NULL);
}

void
sm_composer_window_set_due (SmComposerWindow *self,
                            gint64            due_us)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_if_fail (SM_IS_COMPOSER_WINDOW (self));

  tz = sm_ui_time_zone_new (gtk_editable_get_text (GTK_EDITABLE (self->zone_row)));
  utc = g_date_time_new_from_unix_utc (due_us / G_USEC_PER_SEC);
  local = g_date_time_to_timezone (utc, tz);

  gtk_calendar_select_day (self->calendar, local);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (local));
  gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (local));
  update_date_label (self);
  update_state (self);
}
