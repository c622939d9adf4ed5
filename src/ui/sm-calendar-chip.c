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
#define ICON_SIZE         12
#define SPACING           4
#define PROGRESS_HEIGHT   3
/* The chip draws its own box (no CSS background or border: see
 * sm_calendar_chip_snapshot_batch()): a network-coloured edge at its
 * start, then padding, around the icon and text. */
#define EDGE_WIDTH        3
#define START_INSET       (EDGE_WIDTH + 4)
#define END_INSET         4
#define PAD_Y             1
#define CORNER_CUT        2   /* pixels, in two steps */
#define TINT_ALPHA        0.16f

struct _SmCalendarChip
{
  GtkWidget      parent_instance;

  gint64         post_id;
  SmTargetState  state;
  char          *text;      /* time and first words */
  int            time_len;  /* bytes of the time in text */
  PangoLayout   *layout;
  int            text_width;  /* of the layout, unwrapped */
  int            text_height;
  int            layout_width; /* the width the layout is cut to, or -1 */
  char          *network_class;
  GtkIconPaintable *icon;     /* of the state, at icon_scale */
  int            icon_scale;
  gboolean       colors_valid;
  GdkRGBA        color;       /* the text's, and the icon's below */
  GdkRGBA        icon_color;
  GdkRGBA        accent;
  GdkRGBA        edge;        /* the network's colour */
  GdkRGBA        tint;        /* the same, under the text */
  gboolean       drawn_by_parent;
  char          *tooltip;   /* the state and networks */
  char          *account_times; /* in accounts' own zones, or NULL */
  char          *progress;  /* "Uploading 42% (…)", or NULL */
  int            percent;   /* of the upload, or -1 */
  gboolean       state_class_set; /* the state's class is on */
};

enum {
  CLICKED,
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SmCalendarChip, sm_calendar_chip, GTK_TYPE_WIDGET)

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

/* The layout follows the widget's font (CSS) and direction. */
static PangoLayout *
ensure_layout (SmCalendarChip *self)
{
  if (self->layout == NULL)
    {
      PangoAttrList *attrs = pango_attr_list_new ();
      PangoAttribute *weight = pango_attr_weight_new (PANGO_WEIGHT_BOLD);

      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->text);
      weight->start_index = 0;
      weight->end_index = self->time_len;
      pango_attr_list_insert (attrs, weight);
      pango_layout_set_attributes (self->layout, attrs);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
      pango_attr_list_unref (attrs);
      /* A recycled chip has its width already: the text is laid out
       * (shaped) once, cut to it, instead of once whole for measuring and
       * again cut for drawing.  Its natural width is then what it shows,
       * which is all a cell or an hour slot uses.  Measured once: not for
       * every frame. */
      self->layout_width = gtk_widget_get_width (GTK_WIDGET (self)) - START_INSET - END_INSET - ICON_SIZE - SPACING;
      if (self->layout_width > 0)
        pango_layout_set_width (self->layout, self->layout_width * PANGO_SCALE);
      else
        self->layout_width = -1;
      pango_layout_get_pixel_size (self->layout, &self->text_width, &self->text_height);
    }
  return self->layout;
}

/* The colours of the text, the state icon and an upload, from the theme:
 * looked up once per style change, not per chip per frame. */
static void
ensure_colors (SmCalendarChip *self)
{
  GtkStyleContext *context;
  const char *name;
  GdkRGBA named;

  if (self->colors_valid)
    return;
  self->colors_valid = TRUE;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (context, &self->color);

  /* The state icon in the state's colour from the theme, when it has one. */
  self->icon_color = self->color;
  name = self->state == SM_TARGET_FAILED ? "error_color" :
         self->state == SM_TARGET_PUBLISHED ? "success_color" :
         self->state == SM_TARGET_PUBLISHING || self->state == SM_TARGET_UNCONFIRMED ? "warning_color" :
         NULL;
  if (name != NULL && gtk_style_context_lookup_color (context, name, &named))
    self->icon_color = named;
  self->accent = self->color;
  gtk_style_context_lookup_color (context, "accent_color", &self->accent);

  /* The network's colour, named in style.css (and style-dark.css). */
  self->edge = self->color;
  self->edge.alpha *= 0.4f;
  if (self->network_class != NULL)
    {
      g_autofree char *edge_name = g_strdelimit (g_strconcat ("sm_", self->network_class, NULL), "-", '_');

      gtk_style_context_lookup_color (context, edge_name, &self->edge);
    }
  self->tint = self->edge;
  self->tint.alpha *= TINT_ALPHA;
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* What a screen reader tells beyond the chip's name: the upload, then the
 * times in the accounts' own zones. */
static void
update_description (SmCalendarChip *self)
{
  g_autofree char *description = NULL;

  if (self->progress != NULL && self->account_times != NULL)
    description = g_strdup_printf ("%s\n%s", self->progress, self->account_times);
  else if (self->progress != NULL || self->account_times != NULL)
    description = g_strdup (self->progress != NULL ? self->progress : self->account_times);

  if (description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    description, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* The tooltip is made when it is shown: setting a widget's tooltip text
 * asks the display where the pointer is, a round trip to the X server for
 * each of the month's chips every time it changes. */
static gboolean
sm_calendar_chip_query_tooltip (GtkWidget  *widget,
                                int         x,
                                int         y,
                                gboolean    keyboard_tooltip,
                                GtkTooltip *tooltip)
{
  g_autofree char *text = sm_calendar_chip_dup_tooltip (SM_CALENDAR_CHIP (widget));

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void snapshot_all (SmCalendarChip *self,
                          GtkSnapshot    *snapshot);

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
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GdkPaintable) paintable = NULL;

  /* Drawn here: the chip's own snapshot may leave it to its parent. */
  snapshot_all (self, snapshot);
  paintable = gtk_snapshot_free_to_paintable (snapshot, &GRAPHENE_SIZE_INIT (gtk_widget_get_width (GTK_WIDGET (self)),
                                                                             gtk_widget_get_height (GTK_WIDGET (self))));
  if (paintable != NULL)
    gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            SmCalendarChip  *self)
{
  /* Not claimed yet: a drag may start from here. */
  gtk_widget_set_state_flags (GTK_WIDGET (self), GTK_STATE_FLAG_ACTIVE, FALSE);
}

static void
released_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             SmCalendarChip  *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_widget_unset_state_flags (GTK_WIDGET (self), GTK_STATE_FLAG_ACTIVE);
  if (gtk_widget_contains (GTK_WIDGET (self), x, y))
    g_signal_emit (self, signals[CLICKED], 0);
}

static void
cancel_cb (GtkGesture       *gesture,
           GdkEventSequence *sequence,
           SmCalendarChip   *self)
{
  gtk_widget_unset_state_flags (GTK_WIDGET (self), GTK_STATE_FLAG_ACTIVE);
}

static void
sm_calendar_chip_activate (SmCalendarChip *self)
{
  g_signal_emit (self, signals[CLICKED], 0);
}

static void
sm_calendar_chip_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  SmCalendarChip *self = SM_CALENDAR_CHIP (widget);
  int width, height;

  ensure_layout (self);
  width = self->text_width;
  height = self->text_height;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Shrinks to the icon and an ellipsis. */
      *minimum = START_INSET + ICON_SIZE + SPACING + MIN (width, 2 * height) + END_INSET;
      *natural = START_INSET + ICON_SIZE + SPACING + width + END_INSET;
    }
  else
    {
      *minimum = *natural = MAX (height, ICON_SIZE) + 2 * PAD_Y;
    }
}

/* A rectangle with its corners cut in two steps, as a few rectangles: one
 * kind of render node for every chip, which GL draws in one call for
 * all of them (a rounded clip would be one call each). */
static void
append_box (GtkSnapshot   *snapshot,
            const GdkRGBA *color,
            float          x,
            float          width,
            float          height,
            gboolean       cut_start,
            gboolean       cut_end,
            gboolean       rtl)
{
  for (int row = 0; row < CORNER_CUT && height >= 2 * CORNER_CUT; row++)
    {
      float start = cut_start ? CORNER_CUT - row : 0, end = cut_end ? CORNER_CUT - row : 0;
      float left = rtl ? end : start, right = rtl ? start : end;

      gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x + left, row, width - left - right, 1));
      gtk_snapshot_append_color (snapshot, color,
                                 &GRAPHENE_RECT_INIT (x + left, height - 1 - row, width - left - right, 1));
    }
  if (height >= 2 * CORNER_CUT)
    gtk_snapshot_append_color (snapshot, color,
                               &GRAPHENE_RECT_INIT (x, CORNER_CUT, width, height - 2 * CORNER_CUT));
  else
    gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, 0, width, height));
}

/* The box: the network's edge and tint, and how far an upload is. */
static void
snapshot_background (SmCalendarChip *self,
                     GtkSnapshot    *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;

  if (width <= EDGE_WIDTH || height <= 0)
    return;
  ensure_colors (self);
  append_box (snapshot, &self->edge, rtl ? width - EDGE_WIDTH : 0, EDGE_WIDTH, height, TRUE, FALSE, rtl);
  append_box (snapshot, &self->tint, rtl ? 0 : EDGE_WIDTH, width - EDGE_WIDTH, height, FALSE, TRUE, rtl);

  /* Being uploaded: the chip fills from its start as far as sent, with a
   * thin bar along the bottom; under the text, which stays readable. */
  if (self->percent >= 0)
    {
      GdkRGBA accent = self->accent, tint, trough;
      /* Between the edge and the cut corners at the end. */
      float inner = width - EDGE_WIDTH - CORNER_CUT;
      float filled = inner * self->percent / 100.f;
      float start = rtl ? width - EDGE_WIDTH : EDGE_WIDTH;
      float x = rtl ? start - filled : start;
      float bar_x = rtl ? start - inner : start;

      tint = trough = accent;
      tint.alpha *= 0.2f;
      trough.alpha *= 0.25f;
      gtk_snapshot_append_color (snapshot, &tint, &GRAPHENE_RECT_INIT (x, 0, filled, height));
      gtk_snapshot_append_color (snapshot, &trough,
                                 &GRAPHENE_RECT_INIT (bar_x, height - PROGRESS_HEIGHT, inner, PROGRESS_HEIGHT));
      gtk_snapshot_append_color (snapshot, &accent,
                                 &GRAPHENE_RECT_INIT (x, height - PROGRESS_HEIGHT, filled, PROGRESS_HEIGHT));
    }
}

/* The state's icon, in the state's colour. */
static void
snapshot_icon (SmCalendarChip *self,
               GtkSnapshot    *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;

  ensure_colors (self);
  if (self->icon != NULL && self->icon_scale != gtk_widget_get_scale_factor (widget))
    g_clear_object (&self->icon);
  if (self->icon == NULL)
    {
      GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));

      self->icon = gtk_icon_theme_lookup_icon (theme, state_icon_name (self->state), NULL, ICON_SIZE,
                                               gtk_widget_get_scale_factor (widget),
                                               gtk_widget_get_direction (widget), 0);
      self->icon_scale = gtk_widget_get_scale_factor (widget);
    }
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rtl ? width - START_INSET - ICON_SIZE : START_INSET,
                                                          (height - ICON_SIZE) / 2.0));
  gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (self->icon), snapshot, ICON_SIZE, ICON_SIZE,
                                            &self->icon_color, 1);
  gtk_snapshot_restore (snapshot);
}

/* The time and first words, cut to the width. */
static void
snapshot_text (SmCalendarChip *self,
               GtkSnapshot    *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  PangoLayout *layout = ensure_layout (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int room = MAX (0, width - START_INSET - END_INSET - ICON_SIZE - SPACING);
  int text_width, text_height;
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;

  ensure_colors (self);
  if (self->layout_width != room)
    {
      self->layout_width = room;
      pango_layout_set_width (layout, room * PANGO_SCALE);
    }
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rtl ? END_INSET : START_INSET + ICON_SIZE + SPACING,
                                                          (height - text_height) / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, &self->color);
  gtk_snapshot_restore (snapshot);
}

static void
snapshot_all (SmCalendarChip *self,
              GtkSnapshot    *snapshot)
{
  snapshot_background (self, snapshot);
  snapshot_icon (self, snapshot);
  snapshot_text (self, snapshot);
}

static void
sm_calendar_chip_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  SmCalendarChip *self = SM_CALENDAR_CHIP (widget);

  if (!self->drawn_by_parent)
    snapshot_all (self, snapshot);
}

static void
sm_calendar_chip_css_changed (GtkWidget         *widget,
                              GtkCssStyleChange *change)
{
  SmCalendarChip *self = SM_CALENDAR_CHIP (widget);

  GTK_WIDGET_CLASS (sm_calendar_chip_parent_class)->css_changed (widget, change);

  /* A new font or colours: lay out and look up again. */
  g_clear_object (&self->layout);
  g_clear_object (&self->icon);
  self->colors_valid = FALSE;
  gtk_widget_queue_resize (widget);
}

static void
sm_calendar_chip_finalize (GObject *object)
{
  SmCalendarChip *self = (SmCalendarChip *) object;

  g_clear_object (&self->layout);
  g_clear_object (&self->icon);
  g_clear_pointer (&self->network_class, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->tooltip, g_free);
  g_clear_pointer (&self->account_times, g_free);
  g_clear_pointer (&self->progress, g_free);

  G_OBJECT_CLASS (sm_calendar_chip_parent_class)->finalize (object);
}

static void
sm_calendar_chip_class_init (SmCalendarChipClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sm_calendar_chip_finalize;
  widget_class->measure = sm_calendar_chip_measure;
  widget_class->snapshot = sm_calendar_chip_snapshot;
  widget_class->css_changed = sm_calendar_chip_css_changed;
  widget_class->query_tooltip = sm_calendar_chip_query_tooltip;

  /**
   * SmCalendarChip::clicked:
   *
   * A click, Enter or Space on the chip.
   */
  signals[CLICKED] =
    g_signal_new ("clicked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[ACTIVATE] =
    g_signal_new_class_handler ("activate", G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_FIRST | G_SIGNAL_ACTION,
                                G_CALLBACK (sm_calendar_chip_activate),
                                NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_activate_signal (widget_class, signals[ACTIVATE]);

  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Return, 0, "activate", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_KP_Enter, 0, "activate", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_ISO_Enter, 0, "activate", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_space, 0, "activate", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_KP_Space, 0, "activate", NULL);

  gtk_widget_class_set_css_name (widget_class, "button");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
}

static void
sm_calendar_chip_init (SmCalendarChip *self)
{
  GtkDragSource *source = gtk_drag_source_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_can_focus (GTK_WIDGET (self), TRUE);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (pressed_cb), self, 0);
  g_signal_connect_object (click, "released", G_CALLBACK (released_cb), self, 0);
  g_signal_connect_object (click, "cancel", G_CALLBACK (cancel_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect_object (source, "prepare", G_CALLBACK (drag_prepare_cb), self, 0);
  g_signal_connect_object (source, "drag-begin", G_CALLBACK (drag_begin_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (source));

  gtk_widget_add_css_class (GTK_WIDGET (self), "sm-cal-chip");
  gtk_widget_add_css_class (GTK_WIDGET (self), "flat");
  self->percent = -1;
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

  g_return_val_if_fail (post != NULL, NULL);

  self = g_object_new (SM_TYPE_CALENDAR_CHIP, NULL);
  sm_calendar_chip_set_post (self, post, tz);

  return GTK_WIDGET (self);
}

/**
 * sm_calendar_chip_set_post:
 * @self: a #SmCalendarChip
 * @post: the post, with its targets
 * @tz: the zone its time is shown in
 *
 * Makes the chip show @post (its account times and upload progress are
 * set again after this): the calendar recycles its chips when it moves to
 * another month or week.
 */
void
sm_calendar_chip_set_post (SmCalendarChip *self,
                           const SmPost   *post,
                           GTimeZone      *tz)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GString) networks = g_string_new (NULL);
  g_autofree char *time = NULL;
  g_autofree char *words = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *network_class = NULL;
  g_autofree char *text = NULL;
  SmNetwork network = SM_NETWORK_INVALID;
  SmTargetState state;

  g_return_if_fail (SM_IS_CALENDAR_CHIP (self));
  g_return_if_fail (post != NULL);

  self->post_id = post->id;
  state = sm_calendar_post_state (post);

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
  text = g_strconcat (time, " ", words, NULL);
  if (g_strcmp0 (text, self->text) != 0)
    {
      g_free (self->text);
      self->text = g_steal_pointer (&text);
      self->time_len = strlen (time);
      g_clear_object (&self->layout);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }

  /* Classes change only when they differ: each change restyles. */
  network_class = g_strconcat ("network-", sm_network_to_string (network), NULL);
  if (g_strcmp0 (network_class, self->network_class) != 0)
    {
      if (self->network_class != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self), self->network_class);
      gtk_widget_add_css_class (GTK_WIDGET (self), network_class);
      g_free (self->network_class);
      self->network_class = g_steal_pointer (&network_class);
      self->colors_valid = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (self->state_class_set && state != self->state)
    gtk_widget_remove_css_class (GTK_WIDGET (self), sm_target_state_to_string (self->state));
  if (!self->state_class_set || state != self->state)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), sm_target_state_to_string (state));
      g_clear_object (&self->icon);
      self->colors_valid = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  self->state = state;
  self->state_class_set = TRUE;

  /* Translators: a post in the calendar, for screen readers:
   * "09:00, Scheduled, X, LinkedIn: Our spring collection…" */
  accessible = g_strdup_printf (_("%s, %s, %s: %s"), time, sm_target_state_display (self->state),
                                networks->str, words);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);

  /* Translators: tooltip of a post in the calendar: "Scheduled · X, LinkedIn" */
  tooltip = g_strdup_printf (_("%s · %s"), sm_target_state_display (self->state), networks->str);
  g_free (self->tooltip);
  self->tooltip = g_steal_pointer (&tooltip);

  /* A new post: no account times and no upload until they are set. */
  sm_calendar_chip_set_account_times (self, NULL);
  sm_calendar_chip_set_upload_progress (self, 0, 0);
}

/**
 * sm_calendar_chip_reset:
 * @self: a #SmCalendarChip
 *
 * Makes a chip kept for later (hidden) show no post: no post id, no name
 * for screen readers, no upload.
 */
void
sm_calendar_chip_reset (SmCalendarChip *self)
{
  g_return_if_fail (SM_IS_CALENDAR_CHIP (self));

  self->post_id = 0;
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
  sm_calendar_chip_set_account_times (self, NULL);
  sm_calendar_chip_set_upload_progress (self, 0, 0);
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

const char *
sm_calendar_chip_get_text (SmCalendarChip *self)
{
  g_return_val_if_fail (SM_IS_CALENDAR_CHIP (self), NULL);

  return self->text;
}

/**
 * sm_calendar_chip_dup_tooltip:
 * @self: a #SmCalendarChip
 *
 * Returns: (transfer full) (nullable): the chip's tooltip, as shown: the
 *   state and networks, the times in the accounts' own zones, the upload
 */
char *
sm_calendar_chip_dup_tooltip (SmCalendarChip *self)
{
  GString *text;

  g_return_val_if_fail (SM_IS_CALENDAR_CHIP (self), NULL);

  if (self->tooltip == NULL)
    return NULL;
  text = g_string_new (self->tooltip);
  if (self->account_times != NULL)
    g_string_append_printf (text, "\n%s", self->account_times);
  if (self->progress != NULL)
    g_string_append_printf (text, "\n%s", self->progress);
  return g_string_free (text, FALSE);
}

/**
 * sm_calendar_chip_set_upload_progress:
 * @self: a #SmCalendarChip
 * @sent: bytes of the post's files the networks have so far
 * @total: bytes in all, or 0 when nothing is being uploaded
 *
 * Shows how far the post's upload is, as a thin bar along the chip, in its
 * tooltip and as its accessible description ("Uploading 42% (…)").
 */
void
sm_calendar_chip_set_upload_progress (SmCalendarChip *self,
                                      guint64         sent,
                                      guint64         total)
{
  int percent;

  g_return_if_fail (SM_IS_CALENDAR_CHIP (self));

  percent = total > 0 ? sm_ui_upload_percent (sent, total) : -1;
  if (percent == self->percent)
    return;
  self->percent = percent;

  g_clear_pointer (&self->progress, g_free);
  if (percent >= 0)
    {
      self->progress = sm_ui_format_upload_progress (sent, total);
      gtk_widget_add_css_class (GTK_WIDGET (self), "uploading");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "uploading");
    }
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* 0–100 while an upload is shown, else -1. */
int
sm_calendar_chip_get_upload_percent (SmCalendarChip *self)
{
  g_return_val_if_fail (SM_IS_CALENDAR_CHIP (self), -1);

  return self->percent;
}

/**
 * sm_calendar_chip_set_account_times:
 * @self: a #SmCalendarChip
 * @times: (nullable): the post's time in its accounts' own zones, from
 *   sm_calendar_format_account_times()
 *
 * Adds @times to the chip's tooltip, and makes it what a screen reader
 * tells about the chip beyond its name.  Set before the upload progress.
 */
void
sm_calendar_chip_set_account_times (SmCalendarChip *self,
                                    const char     *times)
{
  g_return_if_fail (SM_IS_CALENDAR_CHIP (self));

  if (g_strcmp0 (times, self->account_times) == 0)
    return;

  g_free (self->account_times);
  self->account_times = g_strdup (times);
  update_description (self);
}

/**
 * sm_calendar_format_account_times:
 * @post: the post, with its targets
 * @zone: the workspace's zone, in which the calendar shows times
 * @account_zones: (nullable): account id (gint64) → the account's own
 *   IANA zone
 *
 * Returns: (nullable): one line per account of @post whose zone differs
 *   from @zone, "09:00 · 15:00 in Asia/Tokyo (Ana’s Bakery on Instagram)",
 *   or %NULL when every account uses @zone
 */
char *
sm_calendar_format_account_times (const SmPost *post,
                                  const char   *zone,
                                  GHashTable   *account_zones)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) here = NULL;
  g_autofree char *here_time = NULL;
  GString *lines = NULL;

  g_return_val_if_fail (post != NULL, NULL);

  if (account_zones == NULL || g_hash_table_size (account_zones) == 0)
    return NULL;

  for (guint i = 0; post->targets != NULL && i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);
      const char *account_zone = g_hash_table_lookup (account_zones, &target->account_id);
      g_autoptr(GTimeZone) there_tz = NULL;
      g_autoptr(GDateTime) there = NULL;
      g_autofree char *there_time = NULL;

      if (account_zone == NULL || g_strcmp0 (account_zone, zone) == 0)
        continue;

      if (here_time == NULL)
        {
          tz = sm_ui_time_zone_new (zone);
          utc = g_date_time_new_from_unix_utc (post->due_us / G_USEC_PER_SEC);
          here = g_date_time_to_timezone (utc, tz);
          here_time = sm_ui_format_time (here);
          lines = g_string_new (NULL);
        }
      there_tz = sm_ui_time_zone_new (account_zone);
      there = g_date_time_to_timezone (utc, there_tz);
      there_time = sm_ui_format_time (there);
      if (lines->len > 0)
        g_string_append_c (lines, '\n');
      /* Translators: a post's time in the workspace's zone, then in one
       * account's own zone: "09:00 · 15:00 in Asia/Tokyo (Ana’s Bakery on
       * Instagram)" */
      g_string_append_printf (lines, _("%s · %s in %s (%s on %s)"), here_time, there_time, account_zone,
                              target->account_name != NULL ? target->account_name : "",
                              sm_network_display_name (target->network));
    }

  return lines != NULL ? g_string_free (lines, FALSE) : NULL;
}

/**
 * sm_calendar_chip_set_drawn_by_parent:
 * @self: a #SmCalendarChip
 * @drawn_by_parent: whether its container draws it, with
 *   sm_calendar_chip_snapshot_batch()
 */
void
sm_calendar_chip_set_drawn_by_parent (SmCalendarChip *self,
                                      gboolean        drawn_by_parent)
{
  g_return_if_fail (SM_IS_CALENDAR_CHIP (self));

  if (self->drawn_by_parent == !!drawn_by_parent)
    return;
  self->drawn_by_parent = !!drawn_by_parent;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

typedef struct
{
  SmCalendarChip *chip;
  graphene_rect_t bounds;  /* in the container */
  graphene_rect_t clip;    /* what its ancestors let show, in the container */
  gboolean        clipped; /* whether it reaches out of that */
} Batched;

/* The shown chips under @widget that their container draws, and where. */
static void
collect_chips (GtkWidget       *container,
               GtkWidget       *widget,
               graphene_rect_t *clip,
               GArray          *chips)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds, child_clip = *clip;

      if (!gtk_widget_get_visible (child) || !gtk_widget_get_child_visible (child) ||
          !gtk_widget_compute_bounds (child, container, &bounds))
        continue;

      if (SM_IS_CALENDAR_CHIP (child))
        {
          Batched item = { SM_CALENDAR_CHIP (child), bounds, *clip, FALSE };

          if (!item.chip->drawn_by_parent || !graphene_rect_intersection (&bounds, clip, NULL))
            continue;
          item.clipped = !graphene_rect_contains_rect (clip, &bounds);
          g_array_append_val (chips, item);
          continue;
        }

      if (gtk_widget_get_overflow (child) == GTK_OVERFLOW_HIDDEN &&
          !graphene_rect_intersection (&child_clip, &bounds, &child_clip))
        continue;
      collect_chips (container, child, &child_clip, chips);
    }
}

typedef void (*SnapshotPart) (SmCalendarChip *self,
                              GtkSnapshot    *snapshot);

static void
snapshot_part (const Batched *item,
               GtkSnapshot   *snapshot,
               SnapshotPart   part)
{
  gtk_snapshot_save (snapshot);
  if (item->clipped)
    gtk_snapshot_push_clip (snapshot, &item->clip);
  gtk_snapshot_translate (snapshot, &item->bounds.origin);
  part (item->chip, snapshot);
  if (item->clipped)
    gtk_snapshot_pop (snapshot);
  gtk_snapshot_restore (snapshot);
}

/**
 * sm_calendar_chip_snapshot_batch:
 * @container: the widget whose snapshot this is
 * @snapshot: its snapshot, after its children
 *
 * Draws the chips under @container that it draws (see
 * sm_calendar_chip_set_drawn_by_parent()): every chip's box, then every
 * icon (by state, so that one colour follows another), then every text.
 * GL then draws each kind for all chips at once, where one chip after
 * another is four draws each: a busy month's frame had 350 draw calls,
 * which cost most of it with GL in software.
 */
void
sm_calendar_chip_snapshot_batch (GtkWidget   *container,
                                 GtkSnapshot *snapshot)
{
  g_autoptr(GArray) chips = g_array_new (FALSE, FALSE, sizeof (Batched));
  graphene_rect_t clip = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (container),
                                             gtk_widget_get_height (container));

  g_return_if_fail (GTK_IS_WIDGET (container));

  collect_chips (container, container, &clip, chips);

  for (guint i = 0; i < chips->len; i++)
    snapshot_part (&g_array_index (chips, Batched, i), snapshot, snapshot_background);
  for (SmTargetState state = SM_TARGET_DRAFT; state <= SM_TARGET_UNCONFIRMED; state++)
    for (guint i = 0; i < chips->len; i++)
      if (g_array_index (chips, Batched, i).chip->state == state)
        snapshot_part (&g_array_index (chips, Batched, i), snapshot, snapshot_icon);
  for (guint i = 0; i < chips->len; i++)
    snapshot_part (&g_array_index (chips, Batched, i), snapshot, snapshot_text);
}
