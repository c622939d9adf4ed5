/* sm-calendar-chip.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-calendar"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sm-calendar-chip.h"
#include "sm-ui-util.h"

#define FIRST_WORDS_CHARS 48

struct _SmCalendarChip
{
  GtkButton      parent_instance;

  gint64         post_id;
  SmTargetState  state;
};

G_DEFINE_FINAL_TYPE (SmCalendarChip, sm_calendar_chip, GTK_TYPE_BUTTON)

static const char *
state_icon_name (SmTargetState state)
{
  switch (state)
    {
    case SM_TARGET_DRAFT:       return "document-edit-symbolic";
    case SM_TARGET_SCHEDULED:   return "alarm-symbolic";
    case SM_TARGET_PUBLISHING:  return "mail-send-symbolic";
    case SM_TARGET_PUBLISHED:   return "emblem-ok-symbolic";
    case SM_TARGET_FAILED:      return "dialog-error-symbolic";
    case SM_TARGET_UNCONFIRMED: return "dialog-question-symbolic";
    default:                    return "alarm-symbolic";
    }
}

/* The first line, cut at a word near FIRST_WORDS_CHARS characters. */
static char *
first_words (const char *text)
{
  g_autofree char *line = g_strdup (text != NULL ? text : "");
  char *nl = strchr (line, '\n');
  const char *cut;

  if (nl != NULL)
    *nl = '\0';
  g_strstrip (line);
  if (g_utf8_strlen (line, -1) <= FIRST_WORDS_CHARS)
    return g_steal_pointer (&line);

  cut = g_utf8_offset_to_pointer (line, FIRST_WORDS_CHARS);
  for (const char *p = cut; p > line; p = g_utf8_prev_char (p))
    if (*p == ' ')
      {
        cut = p;
        break;
      }
  /* Translators: a post's first words, cut off */
  return g_strdup_printf (_("%.*s…"), (int) (cut - line), line);
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource  *source,
                 double          x,
                 double          y,
                 SmCalendarChip *self)
{
  return gdk_content_provider_new_typed (G_TYPE_INT64, self->post_id);
}

static void
drag_begin_cb (GtkDragSource  *source,
               GdkDrag        *drag,
               SmCalendarChip *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static void
sm_calendar_chip_class_init (SmCalendarChipClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_css_name (widget_class, "button");
}

static void
sm_calendar_chip_init (SmCalendarChip *self)
{
  GtkDragSource *source = gtk_drag_source_new ();

  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect_object (source, "prepare", G_CALLBACK (drag_prepare_cb), self, 0);
  g_signal_connect_object (source, "drag-begin", G_CALLBACK (drag_begin_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (source));

  gtk_widget_add_css_class (GTK_WIDGET (self), "sm-cal-chip");
  gtk_widget_add_css_class (GTK_WIDGET (self), "flat");
}

SmTargetState
sm_calendar_post_state (const SmPost *post)
{
  static const SmTargetState order[] = {
    SM_TARGET_FAILED, SM_TARGET_UNCONFIRMED, SM_TARGET_PUBLISHING,
    SM_TARGET_SCHEDULED, SM_TARGET_DRAFT,
  };
  gboolean seen[SM_TARGET_UNCONFIRMED + 1] = { FALSE, };

  g_return_val_if_fail (post != NULL, SM_TARGET_DRAFT);

  for (guint i = 0; post->targets != NULL && i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);

      if (target->state <= SM_TARGET_UNCONFIRMED)
        seen[target->state] = TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (seen[order[i]])
      return order[i];

  return seen[SM_TARGET_PUBLISHED] ? SM_TARGET_PUBLISHED : SM_TARGET_DRAFT;
}

/**
 * sm_calendar_chip_new:
 * @post: the post, with its targets
 * @tz: the zone its time is shown in
 *
 * Returns: (transfer floating): a chip for @post
 */
GtkWidget *
sm_calendar_chip_new (const SmPost *post,
                      GTimeZone    *tz)
{
  SmCalendarChip *self;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GString) networks = g_string_new (NULL);
  g_autofree char *time = NULL;
  g_autofree char *words = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *network_class = NULL;
  SmNetwork network = SM_NETWORK_INVALID;
  GtkWidget *box, *icon, *time_label, *text_label;

  g_return_val_if_fail (post != NULL, NULL);

  self = g_object_new (SM_TYPE_CALENDAR_CHIP, NULL);
  self->post_id = post->id;
  self->state = sm_calendar_post_state (post);

  for (guint i = 0; post->targets != NULL && i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);

      if (network == SM_NETWORK_INVALID)
        network = target->network;
      if (networks->len > 0)
        g_string_append (networks, ", ");
      g_string_append (networks, sm_network_display_name (target->network));
    }

  utc = g_date_time_new_from_unix_utc (post->due_us / G_USEC_PER_SEC);
  local = g_date_time_to_timezone (utc, tz);
  time = sm_ui_format_time (local);
  words = first_words (post->text);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  icon = gtk_image_new_from_icon_name (state_icon_name (self->state));
  gtk_widget_add_css_class (icon, "sm-cal-state");
  gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  time_label = gtk_label_new (time);
  gtk_widget_add_css_class (time_label, "sm-cal-time");
  gtk_widget_add_css_class (time_label, "numeric");
  text_label = gtk_label_new (words);
  gtk_label_set_ellipsize (GTK_LABEL (text_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (text_label), 0);
  gtk_label_set_width_chars (GTK_LABEL (text_label), 0);
  gtk_widget_set_hexpand (text_label, TRUE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), time_label);
  gtk_box_append (GTK_BOX (box), text_label);
  gtk_button_set_child (GTK_BUTTON (self), box);

  network_class = g_strconcat ("network-", sm_network_to_string (network), NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self), network_class);
  gtk_widget_add_css_class (GTK_WIDGET (self), sm_target_state_to_string (self->state));

  /* Translators: a post in the calendar, for screen readers:
   * "09:00, Scheduled, X, LinkedIn: Our spring collection…" */
  accessible = g_strdup_printf (_("%s, %s, %s: %s"), time, sm_target_state_display (self->state),
                                networks->str, words);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  /* Translators: tooltip of a post in the calendar: "Scheduled · X, LinkedIn" */
  tooltip = g_strdup_printf (_("%s · %s"), sm_target_state_display (self->state), networks->str);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);

  return GTK_WIDGET (self);
}

gint64
sm_calendar_chip_get_post_id (SmCalendarChip *self)
{
  g_return_val_if_fail (SM_IS_CALENDAR_CHIP (self), 0);

  return self->post_id;
}

SmTargetState
sm_calendar_chip_get_state (SmCalendarChip *self)
{
  g_return_val_if_fail (SM_IS_CALENDAR_CHIP (self), SM_TARGET_DRAFT);

  return self->state;
}
