/* sm-calendar-timeline.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-calendar"

#include "config.h"

#include "sm-calendar-chip.h"
#include "sm-calendar-timeline.h"

#define SLOT_HEIGHT  26
#define HOUR_HEIGHT  (SM_CALENDAR_TIMELINE_SLOTS * SLOT_HEIGHT + 4)
#define HOURS        24
#define MIN_COLUMN   90

typedef struct
{
  GtkWidget *child;
  guint      day;
  guint      hour;
  guint      slot;
} Item;

struct _SmCalendarTimeline
{
  GtkWidget  parent_instance;

  GArray    *items;   /* Item */
  GPtrArray *spares;  /* children of the last items, hidden, to reuse */
  guint      n_days;
  PangoLayout *hour_layouts[24];
};

G_DEFINE_FINAL_TYPE (SmCalendarTimeline, sm_calendar_timeline, GTK_TYPE_WIDGET)

static double
column_width (SmCalendarTimeline *self,
              int                 width)
{
  return MAX (1.0, (double) (width - SM_CALENDAR_TIMELINE_GUTTER) / self->n_days);
}

static void
sm_calendar_timeline_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  SmCalendarTimeline *self = SM_CALENDAR_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = SM_CALENDAR_TIMELINE_GUTTER + self->n_days * MIN_COLUMN;
  else
    *minimum = *natural = HOURS * HOUR_HEIGHT;
}

static void
sm_calendar_timeline_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  SmCalendarTimeline *self = SM_CALENDAR_TIMELINE (widget);
  double col = column_width (self, width);

  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = &g_array_index (self->items, Item, i);
      int x = SM_CALENDAR_TIMELINE_GUTTER + (int) (item->day * col) + 2;
      int y = item->hour * HOUR_HEIGHT + item->slot * SLOT_HEIGHT + 2;
      int child_min, child_nat;

      /* GTK wants every child measured before it is allocated; the slot's
       * size is what it gets, whatever it asks for. */
      gtk_widget_measure (item->child, GTK_ORIENTATION_HORIZONTAL, -1,
                          &child_min, &child_nat, NULL, NULL);

      gtk_widget_size_allocate (item->child,
                                &(GtkAllocation) { x, y, MAX (1, (int) col - 4), SLOT_HEIGHT - 2 },
                                -1);
    }
}

static void
sm_calendar_timeline_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  SmCalendarTimeline *self = SM_CALENDAR_TIMELINE (widget);
  int width = gtk_widget_get_width (widget);
  double col = column_width (self, width);
  GdkRGBA line;

  /* Lines in the text colour, faint: follows light, dark and high
   * contrast styles. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &line);
  G_GNUC_END_IGNORE_DEPRECATIONS
  line.alpha *= 0.15;

  /* Every line, then every label: GL draws each kind in one go. */
  for (guint hour = 0; hour < HOURS; hour++)
    gtk_snapshot_append_color (snapshot, &line,
                               &GRAPHENE_RECT_INIT (SM_CALENDAR_TIMELINE_GUTTER, hour * HOUR_HEIGHT,
                                                    width - SM_CALENDAR_TIMELINE_GUTTER, 1));
  for (guint day = 0; day <= self->n_days; day++)
    gtk_snapshot_append_color (snapshot, &line,
                               &GRAPHENE_RECT_INIT (SM_CALENDAR_TIMELINE_GUTTER + (int) (day * col), 0,
                                                    1, HOURS * HOUR_HEIGHT));
  for (guint hour = 0; hour < HOURS; hour++)
    {
      GdkRGBA label = line;

      if (self->hour_layouts[hour] == NULL)
        {
          g_autofree char *text = g_strdup_printf ("%02u:00", hour);

          self->hour_layouts[hour] = gtk_widget_create_pango_layout (widget, text);
        }
      label.alpha = MIN (1.0, line.alpha * 4.5);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (6, hour * HOUR_HEIGHT + 2));
      gtk_snapshot_append_layout (snapshot, self->hour_layouts[hour], &label);
      gtk_snapshot_restore (snapshot);
    }

  GTK_WIDGET_CLASS (sm_calendar_timeline_parent_class)->snapshot (widget, snapshot);
  sm_calendar_chip_snapshot_batch (widget, snapshot);
}

static void
sm_calendar_timeline_css_changed (GtkWidget         *widget,
                                  GtkCssStyleChange *change)
{
  SmCalendarTimeline *self = SM_CALENDAR_TIMELINE (widget);

  GTK_WIDGET_CLASS (sm_calendar_timeline_parent_class)->css_changed (widget, change);

  /* A new font: the hour labels are laid out again. */
  for (guint i = 0; i < HOURS; i++)
    g_clear_object (&self->hour_layouts[i]);
}

static void
sm_calendar_timeline_dispose (GObject *object)
{
  SmCalendarTimeline *self = (SmCalendarTimeline *) object;

  if (self->items != NULL)
    sm_calendar_timeline_clear (self);
  if (self->spares != NULL)
    sm_calendar_timeline_drop_spares (self);
  for (guint i = 0; i < HOURS; i++)
    g_clear_object (&self->hour_layouts[i]);

  G_OBJECT_CLASS (sm_calendar_timeline_parent_class)->dispose (object);
}

static void
sm_calendar_timeline_finalize (GObject *object)
{
  SmCalendarTimeline *self = (SmCalendarTimeline *) object;

  g_clear_pointer (&self->items, g_array_unref);
  g_clear_pointer (&self->spares, g_ptr_array_unref);

  G_OBJECT_CLASS (sm_calendar_timeline_parent_class)->finalize (object);
}

static void
sm_calendar_timeline_class_init (SmCalendarTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_calendar_timeline_dispose;
  object_class->finalize = sm_calendar_timeline_finalize;
  widget_class->measure = sm_calendar_timeline_measure;
  widget_class->size_allocate = sm_calendar_timeline_size_allocate;
  widget_class->snapshot = sm_calendar_timeline_snapshot;
  widget_class->css_changed = sm_calendar_timeline_css_changed;

  gtk_widget_class_set_css_name (widget_class, "sm-calendar-timeline");
}

static void
sm_calendar_timeline_init (SmCalendarTimeline *self)
{
  self->items = g_array_new (FALSE, FALSE, sizeof (Item));
  self->spares = g_ptr_array_new ();
  self->n_days = 7;
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
sm_calendar_timeline_new (void)
{
  return g_object_new (SM_TYPE_CALENDAR_TIMELINE, NULL);
}

void
sm_calendar_timeline_set_n_days (SmCalendarTimeline *self,
                                 guint               n_days)
{
  g_return_if_fail (SM_IS_CALENDAR_TIMELINE (self));
  g_return_if_fail (n_days >= 1 && n_days <= 7);

  if (self->n_days == n_days)
    return;
  self->n_days = n_days;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
sm_calendar_timeline_get_n_days (SmCalendarTimeline *self)
{
  g_return_val_if_fail (SM_IS_CALENDAR_TIMELINE (self), 1);

  return self->n_days;
}

void
sm_calendar_timeline_clear (SmCalendarTimeline *self)
{
  g_return_if_fail (SM_IS_CALENDAR_TIMELINE (self));

  /* Kept, hidden, for sm_calendar_timeline_take_spare(): moving to
   * another week reuses the widgets instead of making them again. */
  for (guint i = 0; i < self->items->len; i++)
    {
      GtkWidget *child = g_array_index (self->items, Item, i).child;

      gtk_widget_set_visible (child, FALSE);
      g_ptr_array_add (self->spares, child);
    }
  g_array_set_size (self->items, 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * sm_calendar_timeline_take_spare:
 * @self: a #SmCalendarTimeline
 * @type: the type of child wanted
 *
 * Returns: (transfer none) (nullable): a child of @type that
 *   sm_calendar_timeline_clear() took away, to be set up again and passed
 *   to sm_calendar_timeline_add(), or %NULL when there is none
 */
GtkWidget *
sm_calendar_timeline_take_spare (SmCalendarTimeline *self,
                                 GType               type)
{
  g_return_val_if_fail (SM_IS_CALENDAR_TIMELINE (self), NULL);

  for (guint i = self->spares->len; i > 0; i--)
    {
      GtkWidget *child = g_ptr_array_index (self->spares, i - 1);

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        {
          g_ptr_array_remove_index_fast (self->spares, i - 1);
          return child;
        }
    }
  return NULL;
}

/* Removes the spares not reused. */
void
sm_calendar_timeline_drop_spares (SmCalendarTimeline *self)
{
  g_return_if_fail (SM_IS_CALENDAR_TIMELINE (self));

  for (guint i = 0; i < self->spares->len; i++)
    gtk_widget_unparent (g_ptr_array_index (self->spares, i));
  g_ptr_array_set_size (self->spares, 0);
}

void
sm_calendar_timeline_add (SmCalendarTimeline *self,
                          GtkWidget          *child,
                          guint               day,
                          guint               hour,
                          guint               slot)
{
  Item item = { child, day, hour, slot };

  g_return_if_fail (SM_IS_CALENDAR_TIMELINE (self));
  g_return_if_fail (GTK_IS_WIDGET (child));
  g_return_if_fail (day < self->n_days && hour < HOURS && slot < SM_CALENDAR_TIMELINE_SLOTS);

  if (gtk_widget_get_parent (child) == GTK_WIDGET (self))
    gtk_widget_set_visible (child, TRUE);   /* a spare, reused */
  else
    gtk_widget_set_parent (child, GTK_WIDGET (self));
  g_array_append_val (self->items, item);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

gboolean
sm_calendar_timeline_get_time_at (SmCalendarTimeline *self,
                                  double              x,
                                  double              y,
                                  guint              *day,
                                  guint              *hour,
                                  guint              *minute)
{
  double col;
  int in_hour;

  g_return_val_if_fail (SM_IS_CALENDAR_TIMELINE (self), FALSE);

  col = column_width (self, gtk_widget_get_width (GTK_WIDGET (self)));
  if (x < SM_CALENDAR_TIMELINE_GUTTER || y < 0 || y >= HOURS * HOUR_HEIGHT)
    return FALSE;
  *day = MIN ((guint) ((x - SM_CALENDAR_TIMELINE_GUTTER) / col), self->n_days - 1);
  *hour = (guint) (y / HOUR_HEIGHT);
  in_hour = (int) y - (int) *hour * HOUR_HEIGHT;
  *minute = MIN (45, (in_hour * 60 / HOUR_HEIGHT) / 15 * 15);
  return TRUE;
}

int
sm_calendar_timeline_get_hour_height (SmCalendarTimeline *self)
{
  return HOUR_HEIGHT;
}
