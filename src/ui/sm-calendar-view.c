/* sm-calendar-view.c
 *
 * Days are dates in the workspace's zone (GDate), never "24 hours after
 * midnight": each day's range is [its midnight, the next day's midnight)
 * as sm_time_local_to_utc_us() finds them, so the 23- and 25-hour days of
 * a DST change hold exactly their posts, and a post's day and hour are
 * read from its local time.
 *
 * Only the shown range is read from the store, and widgets are made only
 * for what is shown: a month cell has at most SM_CALENDAR_MONTH_CHIPS
 * items, an hour of the week or day view at most
 * SM_CALENDAR_TIMELINE_SLOTS, the rest is "+N more".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-calendar"

#include "config.h"

#include <langinfo.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sm-calendar-chip.h"
#include "sm-calendar-timeline.h"
#include "sm-calendar-view.h"
#include "sm-post-popover.h"
#include "sm-publisher-dbus.h"
#include "sm-time.h"
#include "sm-ui-util.h"

#define MONTH_CELLS     42
#define UNDO_SECONDS    8
#define RELOAD_DELAY_MS 150
#define DEFAULT_HOUR    9

/* The month's grid draws its cells, then all of their chips at once (see
 * sm_calendar_chip_snapshot_batch()). */
#define SM_TYPE_CALENDAR_MONTH_GRID (sm_calendar_month_grid_get_type ())
G_DECLARE_FINAL_TYPE (SmCalendarMonthGrid, sm_calendar_month_grid, SM, CALENDAR_MONTH_GRID, GtkGrid)

struct _SmCalendarMonthGrid
{
  GtkGrid parent_instance;
};

G_DEFINE_FINAL_TYPE (SmCalendarMonthGrid, sm_calendar_month_grid, GTK_TYPE_GRID)

/* The line above each day and the fainter one on its left, in the text's
 * colour: one kind of render node for all of them, where a CSS border
 * per day was a GL draw call each between the days' numbers. */
static void
snapshot_day_lines (GtkWidget   *grid,
                    GtkSnapshot *snapshot)
{
  GdkRGBA top, left;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (grid), &top);
  G_GNUC_END_IGNORE_DEPRECATIONS
  left = top;
  top.alpha *= 0.12f;
  left.alpha *= 0.06f;

  for (GtkWidget *cell = gtk_widget_get_first_child (grid); cell != NULL; cell = gtk_widget_get_next_sibling (cell))
    {
      graphene_rect_t bounds;

      if (!gtk_widget_get_visible (cell) || !gtk_widget_compute_bounds (cell, grid, &bounds))
        continue;
      gtk_snapshot_append_color (snapshot, &top,
                                 &GRAPHENE_RECT_INIT (bounds.origin.x, bounds.origin.y, bounds.size.width, 1));
      gtk_snapshot_append_color (snapshot, &left,
                                 &GRAPHENE_RECT_INIT (bounds.origin.x, bounds.origin.y + 1, 1, bounds.size.height - 1));
    }
}

static void
sm_calendar_month_grid_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot)
{
  snapshot_day_lines (widget, snapshot);
  GTK_WIDGET_CLASS (sm_calendar_month_grid_parent_class)->snapshot (widget, snapshot);
  sm_calendar_chip_snapshot_batch (widget, snapshot);
}

static void
sm_calendar_month_grid_class_init (SmCalendarMonthGridClass *klass)
{
  GTK_WIDGET_CLASS (klass)->snapshot = sm_calendar_month_grid_snapshot;
}

static void
sm_calendar_month_grid_init (SmCalendarMonthGrid *self)
{
}

typedef struct
{
  GtkWidget *cell;
  GtkWidget *day_label;
  GtkWidget *chips_box;
  GDate      date;
} MonthCell;

typedef struct _PendingDelete PendingDelete;

/* The posts of a range next to the shown one, read ahead in a thread:
 * "next" and "previous" then cost the layout, not the read. */
typedef struct
{
  gint64     from_us;
  gint64     to_us;
  GPtrArray *posts;
} Prefetched;

struct _SmCalendarView
{
  AdwBin              parent_instance;

  /* template widgets */
  GtkLabel           *title_label;
  GtkToggleButton    *month_button;
  GtkToggleButton    *week_button;
  GtkToggleButton    *day_button;
  GtkToggleButton    *search_button;
  GtkSearchBar       *search_bar;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkGrid            *weekday_grid;
  GtkGrid            *month_grid;
  GtkScrolledWindow  *timeline_scroller;
  GtkBox             *day_header_box;
  SmCalendarTimeline *timeline;

  /* owned */
  SmStore            *store;
  gint64              workspace_id;  /* 0: the default one */
  char               *zone;
  GTimeZone          *tz;
  GPtrArray          *posts;            /* SmPost of the shown range */
  GHashTable         *pending_deletes;  /* target id → PendingDelete */
  GHashTable         *uploads;          /* target id → guint64[2] sent, total */
  GHashTable         *account_zones;    /* account id → its own zone, where it differs */
  SmStore            *reader;           /* the prefetching thread's connection */
  GArray             *prefetched;       /* Prefetched: the ranges either side */
  gint64              prefetch_stamp;   /* the store's change stamp they were read at */
  gboolean            prefetching;
  gboolean            prefetch_again;
  gboolean            prefetch_on_map;
  guint               prefetch_id;
  char               *filter;           /* casefolded search text, or NULL */
  GCancellable       *cancellable;
  GtkWidget          *popover;          /* parented to self while shown */
  GtkWidget          *day_labels_box;
  guint               reload_id;
  guint32             built_hours;      /* of the timeline, bit per hour */
  guint               build_id;
  graphene_rect_t     more_bounds;      /* of the last "+N more" opened */

  MonthCell           cells[MONTH_CELLS];
  GDate               date;             /* the focused day */
  GDate               range_start;
  guint               range_days;
  SmCalendarMode      mode;
  GDateWeekday        week_start;
  gboolean            scrolled;
};

/* A local delete waiting for its Undo toast to go. */
struct _PendingDelete
{
  SmCalendarView *view;
  gint64          target_id;
  AdwToast       *toast;
  guint           timeout_id;
};

enum {
  COMPOSE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SmCalendarView, sm_calendar_view, ADW_TYPE_BIN)

static void populate (SmCalendarView *self);

/* ---- Dates ---------------------------------------------------------------- */

/* The locale's first day of the week, as GtkCalendar reads it. */
static GDateWeekday
locale_week_start (void)
{
#ifdef __GLIBC__
  union { unsigned int word; char *string; } langinfo;
  int first_weekday, week_1stday = 0;
  guint week_origin;

  langinfo.string = nl_langinfo (_NL_TIME_FIRST_WEEKDAY);
  first_weekday = langinfo.string[0];
  langinfo.string = nl_langinfo (_NL_TIME_WEEK_1STDAY);
  week_origin = langinfo.word;
  if (week_origin == 19971130)       /* Sunday */
    week_1stday = 0;
  else if (week_origin == 19971201)  /* Monday */
    week_1stday = 1;
  /* 0 = Sunday … 6 = Saturday */
  switch ((week_1stday + first_weekday - 1) % 7)
    {
    case 0: return G_DATE_SUNDAY;
    case 6: return G_DATE_SATURDAY;
    default: return G_DATE_MONDAY;
    }
#else
  return G_DATE_MONDAY;
#endif
}

static void
date_today (SmCalendarView *self,
            GDate          *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);

  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

static void
date_of_post (SmCalendarView *self,
              const SmPost   *post,
              GDate          *date,
              int            *hour,
              int            *minute)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (post->due_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);

  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (local), g_date_time_get_month (local),
                  g_date_time_get_year (local));
  if (hour != NULL)
    *hour = g_date_time_get_hour (local);
  if (minute != NULL)
    *minute = g_date_time_get_minute (local);
}

/* The instant a wall-clock time on @date happens in the workspace's zone;
 * a time a DST change skips moves forward by the gap. */
static gint64
local_us (SmCalendarView *self,
          const GDate    *date,
          int             hour,
          int             minute)
{
  return sm_time_local_to_utc_us (self->zone, g_date_get_year (date), g_date_get_month (date),
                                  g_date_get_day (date), hour, minute, NULL);
}

/* Noon of @date, for formatting its name. */
static GDateTime *
date_time_of (SmCalendarView *self,
              const GDate    *date)
{
  return g_date_time_new (self->tz, g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date), 12, 0, 0);
}

static void
compute_range_for (SmCalendarView *self,
                   const GDate    *date,
                   GDate          *start,
                   guint          *n_days)
{
  guint back;

  *start = *date;
  switch (self->mode)
    {
    case SM_CALENDAR_MODE_MONTH:
      g_date_set_day (start, 1);
      back = (g_date_get_weekday (start) - self->week_start + 7) % 7;
      g_date_subtract_days (start, back);
      *n_days = MONTH_CELLS;
      break;
    case SM_CALENDAR_MODE_WEEK:
      back = (g_date_get_weekday (start) - self->week_start + 7) % 7;
      g_date_subtract_days (start, back);
      *n_days = 7;
      break;
    case SM_CALENDAR_MODE_DAY:
    default:
      *n_days = 1;
      break;
    }
}

static void
compute_range (SmCalendarView *self,
               GDate          *start,
               guint          *n_days)
{
  compute_range_for (self, &self->date, start, n_days);
}

/* The date "next" (@direction 1) or "previous" (-1) goes to. */
static void
step_date (SmCalendarView *self,
           int             direction,
           GDate          *date)
{
  *date = self->date;
  switch (self->mode)
    {
    case SM_CALENDAR_MODE_MONTH:
      g_date_set_day (date, 1);
      if (direction > 0)
        g_date_add_months (date, 1);
      else
        g_date_subtract_months (date, 1);
      break;
    case SM_CALENDAR_MODE_WEEK:
      if (direction > 0)
        g_date_add_days (date, 7);
      else
        g_date_subtract_days (date, 7);
      break;
    case SM_CALENDAR_MODE_DAY:
    default:
      if (direction > 0)
        g_date_add_days (date, 1);
      else
        g_date_subtract_days (date, 1);
      break;
    }
}

/* ---- What is shown ---------------------------------------------------------- */

static gboolean
post_shown (SmCalendarView *self,
            const SmPost   *post)
{
  gboolean any = FALSE;

  for (guint i = 0; i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);

      if (!g_hash_table_contains (self->pending_deletes, &target->id))
        any = TRUE;
    }
  if (!any)
    return FALSE;

  if (self->filter != NULL)
    {
      g_autofree char *text = g_utf8_casefold (post->text, -1);

      if (strstr (text, self->filter) != NULL)
        return TRUE;
      for (guint i = 0; i < post->targets->len; i++)
        {
          const SmTarget *target = g_ptr_array_index (post->targets, i);
          g_autofree char *name = g_utf8_casefold (target->account_name ? target->account_name : "", -1);

          if (strstr (name, self->filter) != NULL)
            return TRUE;
        }
      return FALSE;
    }

  return TRUE;
}

/* The post as the calendar shows it: without parts waiting to be deleted.
 * Borrowed from self->posts, or a trimmed copy in @owned. */
static const SmPost *
shown_post (SmCalendarView *self,
            const SmPost   *post,
            SmPost        **owned)
{
  SmPost *copy;
  gboolean trimmed = FALSE;

  for (guint i = 0; i < post->targets->len && !trimmed; i++)
    trimmed = g_hash_table_contains (self->pending_deletes,
                                     &((SmTarget *) g_ptr_array_index (post->targets, i))->id);
  if (!trimmed)
    return post;

  copy = g_new0 (SmPost, 1);
  *copy = *post;
  copy->text = g_strdup (post->text);
  copy->time_zone = g_strdup (post->time_zone);
  copy->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_target_free);
  for (guint i = 0; i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);

      if (!g_hash_table_contains (self->pending_deletes, &target->id))
        g_ptr_array_add (copy->targets, sm_target_copy (target));
    }
  *owned = copy;
  return copy;
}

/* The shown posts of each day of the range (borrowed), in time order.
 * Each day's start is found once, and each post's day by comparing its
 * time with them: a busy month has thousands of posts. */
static GPtrArray **
bucket_posts (SmCalendarView *self)
{
  GPtrArray **buckets = g_new0 (GPtrArray *, self->range_days);
  g_autofree gint64 *starts = g_new (gint64, self->range_days + 1);

  for (guint i = 0; i <= self->range_days; i++)
    {
      GDate day = self->range_start;

      g_date_add_days (&day, i);
      starts[i] = local_us (self, &day, 0, 0);
    }
  for (guint i = 0; i < self->range_days; i++)
    buckets[i] = g_ptr_array_new ();
  for (guint i = 0; self->posts != NULL && i < self->posts->len; i++)
    {
      SmPost *post = g_ptr_array_index (self->posts, i);
      guint low = 0, high = self->range_days;

      if (post->due_us < starts[0] || post->due_us >= starts[self->range_days] || !post_shown (self, post))
        continue;
      /* The last day starting at or before the post. */
      while (high - low > 1)
        {
          guint mid = (low + high) / 2;

          if (starts[mid] <= post->due_us)
            low = mid;
          else
            high = mid;
        }
      g_ptr_array_add (buckets[low], post);
    }

  return buckets;
}

static void
free_buckets (SmCalendarView  *self,
              GPtrArray      **buckets)
{
  for (guint i = 0; i < self->range_days; i++)
    g_ptr_array_unref (buckets[i]);
  g_free (buckets);
}

static void chip_clicked_cb (SmCalendarChip *chip,
                             SmCalendarView *self);

/* ---- Upload progress --------------------------------------------------------- */

/* The post's uploads together: bytes sent and in all of its targets being
 * uploaded; total 0 when none is. */
static void
post_upload (SmCalendarView *self,
             const SmPost   *post,
             guint64        *sent,
             guint64        *total)
{
  *sent = *total = 0;
  for (guint i = 0; post != NULL && post->targets != NULL && i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);
      const guint64 *upload = g_hash_table_lookup (self->uploads, &target->id);

      if (upload != NULL && !g_hash_table_contains (self->pending_deletes, &target->id))
        {
          *sent += upload[0];
          *total += upload[1];
        }
    }
}

static const SmPost *
find_post (SmCalendarView *self,
           gint64          post_id)
{
  for (guint i = 0; self->posts != NULL && i < self->posts->len; i++)
    if (((SmPost *) g_ptr_array_index (self->posts, i))->id == post_id)
      return g_ptr_array_index (self->posts, i);
  return NULL;
}

static void
apply_upload_to_popover (SmCalendarView *self,
                         SmPostPopover  *popover)
{
  const SmPost *post = find_post (self, sm_post_popover_get_post_id (popover));

  for (guint i = 0; post != NULL && i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);
      const guint64 *upload = g_hash_table_lookup (self->uploads, &target->id);

      sm_post_popover_set_upload_progress (popover, target->id,
                                           upload != NULL ? upload[0] : 0,
                                           upload != NULL ? upload[1] : 0);
    }
}

/* Every chip and post popover shown (the "+N more" popovers are children
 * of self too) takes the latest numbers. */
static void
apply_uploads (SmCalendarView *self,
               GtkWidget      *widget)
{
  if (SM_IS_CALENDAR_CHIP (widget))
    {
      guint64 sent, total;

      post_upload (self, find_post (self, sm_calendar_chip_get_post_id (SM_CALENDAR_CHIP (widget))),
                   &sent, &total);
      sm_calendar_chip_set_upload_progress (SM_CALENDAR_CHIP (widget), sent, total);
      return;
    }
  if (SM_IS_POST_POPOVER (widget))
    apply_upload_to_popover (self, SM_POST_POPOVER (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    apply_uploads (self, child);
}

/* Shows @post on @chip, a new one or one recycled from another day. */
static void
update_chip (SmCalendarView *self,
             SmCalendarChip *chip,
             const SmPost   *post)
{
  g_autoptr(SmPost) owned = NULL;
  g_autofree char *times = sm_calendar_format_account_times (post, self->zone, self->account_zones);
  guint64 sent, total;

  sm_calendar_chip_set_post (chip, shown_post (self, post, &owned), self->tz);
  sm_calendar_chip_set_account_times (chip, times);
  post_upload (self, post, &sent, &total);
  sm_calendar_chip_set_upload_progress (chip, sent, total);
}

static GtkWidget *
make_chip (SmCalendarView *self,
           const SmPost   *post)
{
  GtkWidget *chip = g_object_new (SM_TYPE_CALENDAR_CHIP, NULL);

  update_chip (self, SM_CALENDAR_CHIP (chip), post);
  g_signal_connect_object (chip, "clicked", G_CALLBACK (chip_clicked_cb), self, 0);
  return chip;
}

static void
set_more_label (GtkWidget *button,
                guint      n)
{
  /* Translators: more posts on a day or in an hour than there is room for */
  g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "+%u more", "+%u more", n), n);

  gtk_button_set_label (GTK_BUTTON (button), label);
}

static GtkWidget *
make_more_button (guint n)
{
  GtkWidget *button = gtk_button_new ();

  set_more_label (button, n);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "sm-cal-more");
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  return button;
}

static void
update_title (SmCalendarView *self)
{
  g_autoptr(GDateTime) dt = date_time_of (self, &self->date);
  g_autofree char *title = NULL;

  switch (self->mode)
    {
    case SM_CALENDAR_MODE_MONTH:
      /* Translators: the calendar's title in month view, see g_date_time_format() */
      title = g_date_time_format (dt, _("%B %Y"));
      break;
    case SM_CALENDAR_MODE_WEEK:
      {
        GDate last = self->range_start;
        g_autoptr(GDateTime) first_dt = date_time_of (self, &self->range_start);
        g_autoptr(GDateTime) last_dt = NULL;
        /* Translators: first day of a week in the title, see g_date_time_format() */
        g_autofree char *from = g_date_time_format (first_dt, _("%b %-d"));
        g_autofree char *to = NULL;

        g_date_add_days (&last, 6);
        last_dt = date_time_of (self, &last);
        /* Translators: last day of a week in the title, see g_date_time_format() */
        to = g_date_time_format (last_dt, _("%b %-d, %Y"));
        /* Translators: a week: "Nov 23 – Nov 29, 2026" */
        title = g_strdup_printf (_("%s – %s"), from, to);
      }
      break;
    case SM_CALENDAR_MODE_DAY:
    default:
      title = sm_ui_format_day (dt);
      break;
    }

  gtk_label_set_label (self->title_label, title);
}

static void
populate_month (SmCalendarView *self,
                GPtrArray     **buckets)
{
  GDate today;

  date_today (self, &today);

  for (guint i = 0; i < MONTH_CELLS; i++)
    {
      MonthCell *cell = &self->cells[i];
      GPtrArray *posts = buckets[i];
      g_autoptr(GDateTime) dt = NULL;
      g_autofree char *number = NULL;
      g_autofree char *name = NULL;
      g_autofree char *accessible = NULL;
      GtkWidget *child;
      guint n_chips;

      cell->date = self->range_start;
      g_date_add_days (&cell->date, i);
      dt = date_time_of (self, &cell->date);

      number = g_strdup_printf ("%u", g_date_get_day (&cell->date));
      gtk_label_set_label (GTK_LABEL (cell->day_label), number);

      if (g_date_get_month (&cell->date) != g_date_get_month (&self->date))
        gtk_widget_add_css_class (cell->cell, "other-month");
      else
        gtk_widget_remove_css_class (cell->cell, "other-month");
      if (g_date_compare (&cell->date, &today) == 0)
        gtk_widget_add_css_class (cell->cell, "today");
      else
        gtk_widget_remove_css_class (cell->cell, "today");
      if (g_date_compare (&cell->date, &self->date) == 0)
        gtk_widget_add_css_class (cell->cell, "selected");
      else
        gtk_widget_remove_css_class (cell->cell, "selected");

      /* The cell's chips are reused, then "+N more" (always last): moving
       * to another month updates widgets rather than making them again. */
      n_chips = posts->len <= SM_CALENDAR_MONTH_CHIPS ? posts->len : SM_CALENDAR_MONTH_CHIPS - 1;
      child = gtk_widget_get_first_child (cell->chips_box);
      {
        GtkWidget *previous = NULL;

        for (guint j = 0; j < n_chips; j++)
          {
            const SmPost *post = g_ptr_array_index (posts, j);

            if (SM_IS_CALENDAR_CHIP (child))
              {
                update_chip (self, SM_CALENDAR_CHIP (child), post);
                gtk_widget_set_visible (child, TRUE);
                previous = child;
                child = gtk_widget_get_next_sibling (child);
              }
            else
              {
                GtkWidget *chip = make_chip (self, post);

                sm_calendar_chip_set_drawn_by_parent (SM_CALENDAR_CHIP (chip), TRUE);
                gtk_box_insert_child_after (GTK_BOX (cell->chips_box), chip, previous);
                previous = chip;
              }
          }
        /* Chips not needed now wait, hidden and showing nothing, for the
         * next month (at most SM_CALENDAR_MONTH_CHIPS a cell). */
        for (; SM_IS_CALENDAR_CHIP (child); child = gtk_widget_get_next_sibling (child))
          {
            sm_calendar_chip_reset (SM_CALENDAR_CHIP (child));
            gtk_widget_set_visible (child, FALSE);
          }
      }
      /* What is left is the "+N more" button, if any. */
      if (n_chips < posts->len)
        {
          GtkWidget *more = child;
          g_autofree char *day = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&cell->date),
                                                  g_date_get_month (&cell->date),
                                                  g_date_get_day (&cell->date));
          g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                 "%u more post; open the day",
                                                                 "%u more posts; open the day",
                                                                 posts->len - n_chips),
                                                    posts->len - n_chips);

          if (more == NULL)
            {
              /* The target first: an action with a parameter and no
               * target would be refused. */
              more = make_more_button (posts->len - n_chips);
              gtk_actionable_set_action_target (GTK_ACTIONABLE (more), "s", day);
              gtk_actionable_set_action_name (GTK_ACTIONABLE (more), "calendar.open-day");
              gtk_box_append (GTK_BOX (cell->chips_box), more);
            }
          else
            {
              set_more_label (more, posts->len - n_chips);
              gtk_actionable_set_action_target (GTK_ACTIONABLE (more), "s", day);
              gtk_widget_set_visible (more, TRUE);
            }
          gtk_accessible_update_property (GTK_ACCESSIBLE (more), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
        }
      else if (child != NULL)
        {
          /* Kept hidden for the next busy day. */
          gtk_widget_set_visible (child, FALSE);
        }

      name = sm_ui_format_day (dt);
      /* Translators: a day in the month view, for screen readers: "Friday, October 24: 3 posts" */
      accessible = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u post", "%s: %u posts", posts->len),
                                    name, posts->len);
      gtk_accessible_update_property (GTK_ACCESSIBLE (cell->cell), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
    }
}

static void more_in_hour_clicked_cb (GtkButton      *button,
                                     SmCalendarView *self);

/* The hours in view, and two either side.  Before the first allocation,
 * the working day. */
static void
visible_hours (SmCalendarView *self,
               guint          *first,
               guint          *last)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->timeline_scroller);
  int hour_height = sm_calendar_timeline_get_hour_height (self->timeline);
  double value = gtk_adjustment_get_value (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);

  if (page <= 0)
    {
      *first = DEFAULT_HOUR - 3;
      *last = DEFAULT_HOUR + 12;
      return;
    }
  *first = (guint) MAX (0, (int) (value / hour_height) - 2);
  *last = (guint) MIN (23, (int) ((value + page) / hour_height) + 2);
}

/* Makes the items of hours @first to @last not made yet: an hour out of
 * view costs nothing until it is scrolled to. */
static void
build_hours (SmCalendarView *self,
             GPtrArray     **buckets,
             guint           first,
             guint           last)
{
  guint32 wanted = 0;

  for (guint hour = first; hour <= last && hour < 24; hour++)
    wanted |= 1u << hour;
  wanted &= ~self->built_hours;
  if (wanted == 0)
    return;
  self->built_hours |= wanted;

  for (guint day = 0; day < self->range_days; day++)
    {
      GPtrArray *posts = buckets[day];
      guint i = 0;

      /* Posts are in time order: walk them an hour at a time.  A repeated
       * hour (the 25-hour day) shares its row; a skipped one stays empty. */
      while (i < posts->len)
        {
          int hour;
          guint end = i, n, shown;
          GDate post_date;

          date_of_post (self, g_ptr_array_index (posts, i), &post_date, &hour, NULL);
          while (end < posts->len)
            {
              int h;

              date_of_post (self, g_ptr_array_index (posts, end), &post_date, &h, NULL);
              if (h != hour)
                break;
              end++;
            }
          n = end - i;
          if ((wanted & (1u << hour)) == 0)
            {
              i = end;
              continue;
            }

          shown = n <= SM_CALENDAR_TIMELINE_SLOTS ? n : SM_CALENDAR_TIMELINE_SLOTS - 1;
          for (guint j = 0; j < shown; j++)
            {
              const SmPost *post = g_ptr_array_index (posts, i + j);
              GtkWidget *chip = sm_calendar_timeline_take_spare (self->timeline, SM_TYPE_CALENDAR_CHIP);

              if (chip != NULL)
                update_chip (self, SM_CALENDAR_CHIP (chip), post);
              else
                chip = make_chip (self, post);
              sm_calendar_chip_set_drawn_by_parent (SM_CALENDAR_CHIP (chip), TRUE);
              sm_calendar_timeline_add (self->timeline, chip, day, hour, j);
            }
          if (shown < n)
            {
              GtkWidget *more = sm_calendar_timeline_take_spare (self->timeline, GTK_TYPE_BUTTON);
              g_autofree char *more_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                          "%u more post in this hour",
                                                                          "%u more posts in this hour",
                                                                          n - shown),
                                                             n - shown);

              if (more != NULL)
                {
                  set_more_label (more, n - shown);
                }
              else
                {
                  more = make_more_button (n - shown);
                  g_signal_connect_object (more, "clicked", G_CALLBACK (more_in_hour_clicked_cb), self, 0);
                }
              gtk_accessible_update_property (GTK_ACCESSIBLE (more), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                              more_label, -1);
              g_object_set_data (G_OBJECT (more), "sm-day", GUINT_TO_POINTER (day));
              g_object_set_data (G_OBJECT (more), "sm-hour", GINT_TO_POINTER (hour));
              sm_calendar_timeline_add (self->timeline, more, day, hour, shown);
            }
          i = end;
        }
    }
}

static void
populate_timeline (SmCalendarView *self,
                   GPtrArray     **buckets)
{
  GtkWidget *child;
  GDate today;
  guint first, last;

  date_today (self, &today);
  sm_calendar_timeline_clear (self->timeline);
  sm_calendar_timeline_set_n_days (self->timeline, self->range_days);
  self->built_hours = 0;

  while ((child = gtk_widget_get_first_child (self->day_labels_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->day_labels_box), child);

  for (guint day = 0; day < self->range_days; day++)
    {
      GDate date = self->range_start;
      g_autoptr(GDateTime) dt = NULL;
      g_autofree char *name = NULL;
      GtkWidget *label;

      g_date_add_days (&date, day);
      dt = date_time_of (self, &date);
      /* Translators: a day's column heading in the week view, see g_date_time_format() */
      name = g_date_time_format (dt, _("%a %-d"));
      label = gtk_label_new (name);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (label, "sm-cal-day-name");
      if (g_date_compare (&date, &today) == 0)
        gtk_widget_add_css_class (label, "today");
      if (g_date_compare (&date, &self->date) == 0)
        gtk_widget_add_css_class (label, "selected");
      gtk_box_append (GTK_BOX (self->day_labels_box), label);
    }

  visible_hours (self, &first, &last);
  build_hours (self, buckets, first, last);
  sm_calendar_timeline_drop_spares (self->timeline);
}

static gboolean
build_visible_hours_cb (gpointer user_data)
{
  SmCalendarView *self = user_data;
  GPtrArray **buckets;
  guint first, last;

  self->build_id = 0;
  if (self->mode == SM_CALENDAR_MODE_MONTH || self->range_days == 0)
    return G_SOURCE_REMOVE;
  visible_hours (self, &first, &last);
  g_debug ("Hours %u to %u in view, built %x", first, last, self->built_hours);
  for (guint hour = first; hour <= last; hour++)
    if ((self->built_hours & (1u << hour)) == 0)
      {
        buckets = bucket_posts (self);
        build_hours (self, buckets, first, last);
        free_buckets (self, buckets);
        break;
      }
  return G_SOURCE_REMOVE;
}

/* Not while GTK allocates (the adjustment changes then): widgets added
 * there would be drawn before they have a size. */
static void
timeline_scrolled_cb (GtkAdjustment  *adjustment,
                      SmCalendarView *self)
{
  /* Ahead of GTK's own idles, which a busy frame clock keeps ready. */
  if (self->build_id == 0)
    self->build_id = g_idle_add_full (G_PRIORITY_DEFAULT, build_visible_hours_cb, self, NULL);
}

/* The working day in view the first time the hours are shown, once they
 * have their size. */
static void
scroll_to_morning_cb (GtkAdjustment  *adjustment,
                      SmCalendarView *self)
{
  double morning = (DEFAULT_HOUR - 1) * sm_calendar_timeline_get_hour_height (self->timeline);

  if (self->scrolled || gtk_adjustment_get_upper (adjustment) < morning + gtk_adjustment_get_page_size (adjustment))
    return;
  self->scrolled = TRUE;
  g_signal_handlers_disconnect_by_func (adjustment, scroll_to_morning_cb, self);
  gtk_adjustment_set_value (adjustment, morning);
}

static void
populate (SmCalendarView *self)
{
  GPtrArray **buckets;

  update_title (self);
  if (self->range_days == 0)
    return;

  buckets = bucket_posts (self);
  if (self->mode == SM_CALENDAR_MODE_MONTH)
    {
      gtk_stack_set_visible_child_name (self->stack, "month");
      populate_month (self, buckets);
    }
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "timeline");
      populate_timeline (self, buckets);
      if (!self->scrolled)
        g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->timeline_scroller),
                                 "changed", G_CALLBACK (scroll_to_morning_cb), self, 0);
    }
  free_buckets (self, buckets);
}

/* The workspace's zone, which the user may have changed. */
static void
read_zone (SmCalendarView *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = NULL;

  if (sm_store_resolve_workspace (self->store, self->workspace_id, &zone, &error) <= 0 ||
      zone == NULL || !sm_time_zone_is_valid (zone))
    {
      g_debug ("No workspace zone, using the local one: %s",
               error != NULL ? error->message : "none set");
      g_free (zone);
      zone = sm_time_local_zone_id ();
    }
  if (g_strcmp0 (zone, self->zone) != 0)
    {
      g_free (self->zone);
      self->zone = g_steal_pointer (&zone);
      g_clear_pointer (&self->tz, g_time_zone_unref);
      self->tz = sm_ui_time_zone_new (self->zone);
    }
}

typedef struct
{
  SmStore    *reader;    /* NULL: opened by the thread */
  char       *dir;
  gint64      workspace_id;
  gint64      stamp;
  Prefetched  ranges[2];
} PrefetchData;

static void
prefetched_clear (gpointer data)
{
  g_clear_pointer (&((Prefetched *) data)->posts, g_ptr_array_unref);
}

static void
prefetch_data_free (PrefetchData *data)
{
  g_clear_object (&data->reader);
  g_clear_pointer (&data->dir, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (data->ranges); i++)
    prefetched_clear (&data->ranges[i]);
  g_free (data);
}

/* The posts read ahead for [@from_us, @to_us), if nothing changed in the
 * store since: taken, or NULL. */
static GPtrArray *
take_prefetched (SmCalendarView *self,
                 gint64          from_us,
                 gint64          to_us)
{
  gint64 stamp;

  if (self->prefetched->len == 0)
    return NULL;
  stamp = sm_store_get_change_stamp (self->store);
  if (stamp == -1 || stamp != self->prefetch_stamp)
    {
      g_debug ("The store changed since the read ahead");
      g_array_set_size (self->prefetched, 0);
      return NULL;
    }
  for (guint i = 0; i < self->prefetched->len; i++)
    {
      Prefetched *range = &g_array_index (self->prefetched, Prefetched, i);

      if (range->from_us == from_us && range->to_us == to_us && range->posts != NULL)
        {
          g_debug ("Range read ahead");
          return g_steal_pointer (&range->posts);
        }
    }
  g_debug ("Range not read ahead");
  return NULL;
}

static void
prefetch_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PrefetchData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (data->reader == NULL)
    data->reader = sm_store_open (data->dir, &error);
  for (guint i = 0; data->reader != NULL && i < G_N_ELEMENTS (data->ranges); i++)
    {
      data->ranges[i].posts = sm_store_list_posts_in (data->reader, data->workspace_id,
                                                      data->ranges[i].from_us,
                                                      data->ranges[i].to_us, &error);
      if (data->ranges[i].posts == NULL)
        break;
    }
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void prefetch_neighbours (SmCalendarView *self);

static void
prefetch_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (source);
  PrefetchData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Only a read ahead: the range is read when shown. */
      g_debug ("Reading ahead failed: %s", error->message);
    }
  else
    {
      if (self->reader == NULL)
        self->reader = g_object_ref (data->reader);
      g_array_set_size (self->prefetched, 0);
      /* Read for a workspace no longer shown: of no use. */
      for (guint i = 0; data->workspace_id == self->workspace_id && i < G_N_ELEMENTS (data->ranges); i++)
        {
          Prefetched range = data->ranges[i];

          data->ranges[i].posts = NULL;
          g_array_append_val (self->prefetched, range);
        }
      self->prefetch_stamp = data->stamp;
    }

  self->prefetching = FALSE;
  if (self->prefetch_again)
    {
      self->prefetch_again = FALSE;
      prefetch_neighbours (self);
    }
}

/* Reads the ranges "previous" and "next" go to, in a thread with its own
 * connection. */
static void
prefetch_neighbours (SmCalendarView *self)
{
  g_autoptr(GTask) task = NULL;
  PrefetchData *data;

  if (self->store == NULL || self->range_days == 0)
    return;
  if (self->prefetching)
    {
      self->prefetch_again = TRUE;
      return;
    }

  data = g_new0 (PrefetchData, 1);
  for (guint i = 0; i < G_N_ELEMENTS (data->ranges); i++)
    {
      GDate date, start, end;
      guint n_days;

      step_date (self, i == 0 ? -1 : 1, &date);
      compute_range_for (self, &date, &start, &n_days);
      end = start;
      g_date_add_days (&end, n_days);
      data->ranges[i].from_us = local_us (self, &start, 0, 0);
      data->ranges[i].to_us = local_us (self, &end, 0, 0);
    }
  /* Taken before the thread reads: whatever it reads is at least this
   * current. */
  data->stamp = sm_store_get_change_stamp (self->store);
  data->reader = self->reader != NULL ? g_object_ref (self->reader) : NULL;
  data->dir = g_strdup (sm_store_get_dir (self->store));
  data->workspace_id = self->workspace_id;
  self->prefetching = TRUE;

  task = g_task_new (self, self->cancellable, prefetch_done_cb, NULL);
  g_task_set_source_tag (task, prefetch_neighbours);
  g_task_set_task_data (task, data, (GDestroyNotify) prefetch_data_free);
  g_task_run_in_thread (task, prefetch_thread);
}

static gboolean
prefetch_idle_cb (gpointer user_data)
{
  SmCalendarView *self = user_data;

  self->prefetch_id = 0;
  /* Not for a view nobody sees, such as the window's before its first
   * frame. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->prefetch_on_map = TRUE;
      return G_SOURCE_REMOVE;
    }
  prefetch_neighbours (self);
  return G_SOURCE_REMOVE;
}

/* Once the frame is drawn and nothing else waits. */
static void
schedule_prefetch (SmCalendarView *self)
{
  if (self->prefetch_id == 0)
    self->prefetch_id = g_idle_add_full (G_PRIORITY_LOW, prefetch_idle_cb, self, NULL);
}

static void
mapped_cb (SmCalendarView *self)
{
  if (self->prefetch_on_map)
    {
      self->prefetch_on_map = FALSE;
      schedule_prefetch (self);
    }
}

/* The accounts with a zone of their own (schema v4), other than the
 * workspace's: their posts show the time there too. */
static void
read_account_zones (SmCalendarView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = sm_store_list_accounts (self->store, &error);

  g_hash_table_remove_all (self->account_zones);
  if (accounts == NULL)
    {
      g_debug ("Listing accounts failed: %s", error->message);
      return;
    }
  for (guint i = 0; i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);
      g_autofree char *zone = sm_store_get_account_zone (self->store, account->id, NULL);

      if (zone != NULL && g_strcmp0 (zone, self->zone) != 0)
        g_hash_table_insert (self->account_zones, g_memdup2 (&account->id, sizeof account->id),
                             g_steal_pointer (&zone));
    }
}

/* Reads the posts of the range around self->date, which only the store
 * knows; populate() alone re-lays them out. */
static void
reload (SmCalendarView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  GDate end;

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store == NULL)
    {
      populate (self);
      return;
    }

  read_zone (self);
  read_account_zones (self);
  compute_range (self, &self->range_start, &self->range_days);
  end = self->range_start;
  g_date_add_days (&end, self->range_days);

  posts = take_prefetched (self, local_us (self, &self->range_start, 0, 0), local_us (self, &end, 0, 0));
  if (posts == NULL)
    posts = sm_store_list_posts_in (self->store, self->workspace_id,
                                    local_us (self, &self->range_start, 0, 0),
                                    local_us (self, &end, 0, 0), &error);
  if (posts == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not read the posts: %s"), error->message);

      g_warning ("Listing posts failed: %s", error->message);
      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }
  g_clear_pointer (&self->posts, g_ptr_array_unref);
  self->posts = g_steal_pointer (&posts);

  /* Progress only for what the profile still has in flight (a missed
   * TargetChanged must not leave a bar behind). */
  for (guint i = 0; i < self->posts->len; i++)
    {
      const SmPost *post = g_ptr_array_index (self->posts, i);

      for (guint j = 0; j < post->targets->len; j++)
        {
          const SmTarget *target = g_ptr_array_index (post->targets, j);

          if (target->state != SM_TARGET_PUBLISHING)
            g_hash_table_remove (self->uploads, &target->id);
        }
    }

  populate (self);
  schedule_prefetch (self);
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  SmCalendarView *self = user_data;

  self->reload_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

/* A burst of TargetChanged (a thread, many due at once) is one read. */
static void
queue_reload (SmCalendarView *self)
{
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_timeout_cb, self);
}

static void
focus_date (SmCalendarView *self)
{
  if (self->mode != SM_CALENDAR_MODE_MONTH)
    return;
  for (guint i = 0; i < MONTH_CELLS; i++)
    if (g_date_compare (&self->cells[i].date, &self->date) == 0)
      {
        gtk_widget_grab_focus (self->cells[i].cell);
        return;
      }
}

/* Moves the focused day; reads the store only when the range changes. */
static void
go_to_date (SmCalendarView *self,
            const GDate    *date,
            gboolean        grab_focus)
{
  GDate start;
  guint n_days;

  self->date = *date;
  compute_range (self, &start, &n_days);
  if (self->store == NULL || n_days != self->range_days ||
      g_date_compare (&start, &self->range_start) != 0)
    reload (self);
  else
    populate (self);
  if (grab_focus)
    focus_date (self);
}

/* ---- Popovers --------------------------------------------------------------- */

static gboolean
unparent_popover_cb (gpointer user_data)
{
  g_autoptr(GtkWidget) popover = user_data;

  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);
  return G_SOURCE_REMOVE;
}

static void
popover_closed_cb (GtkPopover     *popover,
                   SmCalendarView *self)
{
  if (self->popover == GTK_WIDGET (popover))
    self->popover = NULL;
  /* Not while it emits ::closed. */
  g_idle_add (unparent_popover_cb, g_object_ref (popover));
}

static void
close_popover (SmCalendarView *self)
{
  if (self->popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static void
show_popover (SmCalendarView        *self,
              GtkWidget             *popover,
              const graphene_rect_t *bounds)
{
  close_popover (self);
  if (self->popover != NULL)
    {
      gtk_widget_unparent (self->popover);
      self->popover = NULL;
    }

  self->popover = popover;
  gtk_widget_set_parent (popover, GTK_WIDGET (self));
  gtk_popover_set_pointing_to (GTK_POPOVER (popover),
                               &(GdkRectangle) { (int) bounds->origin.x, (int) bounds->origin.y,
                                                 MAX (1, (int) bounds->size.width),
                                                 MAX (1, (int) bounds->size.height) });
  g_signal_connect_object (popover, "closed", G_CALLBACK (popover_closed_cb), self, 0);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
chip_clicked_cb (SmCalendarChip *chip,
                 SmCalendarView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = NULL;
  g_autoptr(SmPost) owned = NULL;
  graphene_rect_t bounds;

  post = sm_store_get_post (self->store, sm_calendar_chip_get_post_id (chip), &error);
  if (post == NULL)
    {
      sm_ui_show_toast (GTK_WIDGET (self), error->message);
      queue_reload (self);
      return;
    }

  /* A chip in the "+N more" popover: point at where that was opened. */
  if (gtk_widget_get_native (GTK_WIDGET (chip)) != gtk_widget_get_native (GTK_WIDGET (self)) ||
      !gtk_widget_compute_bounds (GTK_WIDGET (chip), GTK_WIDGET (self), &bounds))
    bounds = self->more_bounds;

  show_popover (self, sm_post_popover_new (shown_post (self, post, &owned), self->zone), &bounds);
  {
    g_autofree char *times = sm_calendar_format_account_times (post, self->zone, self->account_zones);

    sm_post_popover_set_account_times (SM_POST_POPOVER (self->popover), times);
  }
  apply_upload_to_popover (self, SM_POST_POPOVER (self->popover));
}

static void
more_in_hour_clicked_cb (GtkButton      *button,
                         SmCalendarView *self)
{
  guint day = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "sm-day"));
  int hour = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sm-hour"));
  GPtrArray **buckets = bucket_posts (self);
  GtkWidget *popover, *scroller, *box;

  if (!gtk_widget_compute_bounds (GTK_WIDGET (button), GTK_WIDGET (self), &self->more_bounds))
    graphene_rect_init (&self->more_bounds, 0, 0, 1, 1);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  for (guint i = 0; day < self->range_days && i < buckets[day]->len; i++)
    {
      const SmPost *post = g_ptr_array_index (buckets[day], i);
      GDate date;
      int h;

      date_of_post (self, post, &date, &h, NULL);
      if (h == hour)
        gtk_box_append (GTK_BOX (box), make_chip (self, post));
    }
  free_buckets (self, buckets);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 400);
  gtk_widget_set_size_request (scroller, 280, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);

  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), scroller);
  show_popover (self, popover, &self->more_bounds);
}

/* ---- Acting on posts ------------------------------------------------------------ */

static void
wake_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SmCalendarView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (sm_ui_wake_publisher_finish (result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_debug ("Wake failed: %s", error->message);
  sm_ui_show_toast (GTK_WIDGET (self),
                    _("The publisher could not be reached; it will act when it next starts."));
}

static void
wake_publisher (SmCalendarView *self)
{
  sm_ui_wake_publisher_async (self->cancellable, wake_done_cb, g_object_ref (self));
}

static void
commit_delete (PendingDelete *pending)
{
  SmCalendarView *self = pending->view;
  g_autoptr(GError) error = NULL;
  gint64 target_id = pending->target_id;

  /* Frees @pending, whose toast then goes. */
  g_hash_table_remove (self->pending_deletes, &target_id);

  if (!sm_store_delete_target (self->store, target_id, &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not delete the post: %s"), error->message);

      sm_ui_show_toast (GTK_WIDGET (self), title);
    }
  else
    {
      wake_publisher (self);
    }
  queue_reload (self);
}

static gboolean
pending_timeout_cb (gpointer user_data)
{
  PendingDelete *pending = user_data;

  pending->timeout_id = 0;
  commit_delete (pending);
  return G_SOURCE_REMOVE;
}

static void
toast_dismissed_cb (AdwToast      *toast,
                    PendingDelete *pending)
{
  commit_delete (pending);
}

static void
undo_clicked_cb (AdwToast      *toast,
                 PendingDelete *pending)
{
  SmCalendarView *self = pending->view;
  gint64 target_id = pending->target_id;

  g_hash_table_remove (self->pending_deletes, &target_id);
  populate (self);
}

static void
pending_delete_free (gpointer data)
{
  PendingDelete *pending = data;

  g_clear_handle_id (&pending->timeout_id, g_source_remove);
  if (pending->toast != NULL)
    {
      g_signal_handlers_disconnect_by_data (pending->toast, pending);
      adw_toast_dismiss (pending->toast);
      g_clear_object (&pending->toast);
    }
  g_free (pending);
}

/* A local delete is held back until its toast goes (or UNDO_SECONDS + 2,
 * as a toast waits while the window is in the background), so Undo puts
 * back exactly what was there.  Only a part due well after that may wait:
 * the publisher must never send a post the user has deleted. */
static void
delete_local (SmCalendarView *self,
              const SmTarget *target)
{
  g_autoptr(GError) error = NULL;
  PendingDelete *pending;
  gint64 hold_us = (UNDO_SECONDS + 2 + 60) * G_USEC_PER_SEC;

  if (target->state == SM_TARGET_SCHEDULED && target->next_attempt_us < g_get_real_time () + hold_us)
    {
      if (!sm_store_delete_target (self->store, target->id, &error))
        {
          g_autofree char *title = g_strdup_printf (_("Could not delete the post: %s"), error->message);

          sm_ui_show_toast (GTK_WIDGET (self), title);
          return;
        }
      sm_ui_show_toast (GTK_WIDGET (self), _("Deleted. It was due too soon to offer Undo."));
      wake_publisher (self);
      reload (self);
      return;
    }

  pending = g_new0 (PendingDelete, 1);
  pending->view = self;
  pending->target_id = target->id;
  pending->toast = g_object_ref (adw_toast_new (_("Post deleted")));
  adw_toast_set_button_label (pending->toast, _("_Undo"));
  adw_toast_set_timeout (pending->toast, UNDO_SECONDS);
  /* Shown at once, ahead of other toasts: Undo is no use later. */
  adw_toast_set_priority (pending->toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (pending->toast, "button-clicked", G_CALLBACK (undo_clicked_cb), pending);
  g_signal_connect (pending->toast, "dismissed", G_CALLBACK (toast_dismissed_cb), pending);
  pending->timeout_id = g_timeout_add_seconds (UNDO_SECONDS + 2, pending_timeout_cb, pending);
  g_hash_table_insert (self->pending_deletes, g_memdup2 (&target->id, sizeof target->id), pending);

  sm_ui_add_toast (GTK_WIDGET (self), g_object_ref (pending->toast));
  populate (self);
}

typedef struct
{
  SmCalendarView *view;
  gint64          target_id;
  char           *network;
} DeletePublished;

static void
delete_published_free (DeletePublished *call)
{
  g_clear_object (&call->view);
  g_free (call->network);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeletePublished, delete_published_free)

static void
delete_published_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(DeletePublished) call = user_data;
  g_autoptr(GError) error = NULL;

  if (!sm_dbus_publisher1_call_delete_published_finish (SM_DBUS_PUBLISHER1 (source), result, &error))
    {
      g_autofree char *title = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_dbus_error_strip_remote_error (error);
      title = g_strdup_printf (_("Could not delete the post: %s"), error->message);
      sm_ui_show_toast (GTK_WIDGET (call->view), title);
    }
  else
    {
      g_autofree char *title = g_strdup_printf (_("Deleted from %s"), call->network);

      sm_ui_show_toast (GTK_WIDGET (call->view), title);
    }
  queue_reload (call->view);
}

static void
delete_published_proxy_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(DeletePublished) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmDBusPublisher1) proxy = NULL;

  proxy = sm_dbus_publisher1_proxy_new_for_bus_finish (result, &error);
  if (proxy == NULL)
    {
      g_autofree char *title = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      title = g_strdup_printf (_("Could not delete the post: %s"), error->message);
      sm_ui_show_toast (GTK_WIDGET (call->view), title);
      return;
    }

  /* The network may take a while to answer. */
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (proxy), 2 * 60 * 1000);
  sm_dbus_publisher1_call_delete_published (proxy, call->target_id, call->view->cancellable,
                                            delete_published_done_cb, call);
  call = NULL;
}

static void
confirm_delete_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            gpointer          user_data)
{
  g_autoptr(DeletePublished) call = user_data;
  GCancellable *cancellable = call->view->cancellable;

  if (g_strcmp0 (response, "delete") != 0)
    return;

  sm_dbus_publisher1_proxy_new_for_bus (G_BUS_TYPE_SESSION,
                                        G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                        G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                                        G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                                        PUBLISHER_BUS_NAME, SM_PUBLISHER_OBJECT_PATH,
                                        cancellable,
                                        delete_published_proxy_cb, g_steal_pointer (&call));
}

static void
delete_published (SmCalendarView *self,
                  const SmTarget *target)
{
  DeletePublished *call;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  const char *network = sm_network_display_name (target->network);
  /* Translators: heading of a dialog: "Delete From X?" */
  g_autofree char *heading = g_strdup_printf (_("Delete From %s?"), network);
  /* Translators: "The post is removed from Ada Lovelace on X. This cannot be undone." */
  g_autofree char *body = g_strdup_printf (_("The post is removed from %s on %s. This cannot be undone."),
                                           target->account_name, network);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  call = g_new0 (DeletePublished, 1);
  call->view = g_object_ref (self);
  call->target_id = target->id;
  call->network = g_strdup (network);
  g_signal_connect (dialog, "response", G_CALLBACK (confirm_delete_response_cb), call);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_target_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmTarget) target = NULL;

  close_popover (self);
  target = sm_store_get_target (self->store, g_variant_get_int64 (parameter), &error);
  if (target == NULL)
    {
      sm_ui_show_toast (GTK_WIDGET (self), error->message);
      queue_reload (self);
      return;
    }

  switch (target->state)
    {
    case SM_TARGET_PUBLISHED:
      delete_published (self, target);
      break;
    case SM_TARGET_PUBLISHING:
    case SM_TARGET_UNCONFIRMED:
      sm_ui_show_toast (GTK_WIDGET (self),
                        _("This post is being sent, or may have gone out; wait until it is published, then delete it."));
      break;
    case SM_TARGET_DRAFT:
    case SM_TARGET_SCHEDULED:
    case SM_TARGET_FAILED:
    default:
      delete_local (self, target);
      break;
    }
}

static void
retry_target_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);
  g_autoptr(GError) error = NULL;

  close_popover (self);
  if (!sm_store_retry_target (self->store, g_variant_get_int64 (parameter), &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not retry: %s"), error->message);

      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }

  sm_ui_show_toast (GTK_WIDGET (self), _("Sending again…"));
  wake_publisher (self);
  reload (self);
}

static void
duplicate_post_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = NULL;
  g_autofree char *when = NULL;
  g_autofree char *title = NULL;
  gint64 due_us, copy_id;

  close_popover (self);
  post = sm_store_get_post (self->store, g_variant_get_int64 (parameter), &error);
  if (post == NULL)
    {
      sm_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }

  /* The same time if it is still ahead, else the next full hour. */
  due_us = post->due_us;
  if (due_us <= g_get_real_time ())
    {
      g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);
      g_autoptr(GDateTime) hour = g_date_time_new (self->tz, g_date_time_get_year (now),
                                                   g_date_time_get_month (now),
                                                   g_date_time_get_day_of_month (now),
                                                   g_date_time_get_hour (now), 0, 0);
      g_autoptr(GDateTime) next = g_date_time_add_hours (hour, 1);

      due_us = g_date_time_to_unix (next) * G_USEC_PER_SEC;
    }

  copy_id = sm_store_duplicate_post (self->store, post->id, due_us, &error);
  if (copy_id == 0)
    {
      title = g_strdup_printf (_("Could not duplicate the post: %s"), error->message);
      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }

  when = sm_ui_format_when (due_us, self->zone);
  /* Translators: toast: "Duplicated as a draft for today at 15:00" */
  title = g_strdup_printf (_("Duplicated as a draft for %s"), when);
  sm_ui_show_toast (GTK_WIDGET (self), title);
  sm_calendar_view_show_post (self, copy_id);
}

/* The window opens the composer with the post. */
static void
edit_post_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  close_popover (SM_CALENDAR_VIEW (widget));
  gtk_widget_activate_action_variant (widget, "win.edit-post", parameter);
}

static void
open_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  close_popover (SM_CALENDAR_VIEW (widget));
  sm_ui_open_uri (widget, g_variant_get_string (parameter, NULL));
}

/* ---- Composing ---------------------------------------------------------------- */

static void
compose_at (SmCalendarView *self,
            const GDate    *date,
            int             hour,
            int             minute)
{
  gint64 due_us, now = g_get_real_time ();
  GDate today;

  date_today (self, &today);
  if (g_date_compare (date, &today) < 0)
    {
      sm_ui_show_toast (GTK_WIDGET (self), _("That day is over; choose today or a later day."));
      return;
    }

  if (hour < 0)
    {
      /* A whole day: nine in the morning, or the next full hour at least
       * half an hour from now, as the composer starts. */
      due_us = local_us (self, date, DEFAULT_HOUR, 0);
      if (due_us < now + 30 * G_TIME_SPAN_MINUTE)
        {
          g_autoptr(GDateTime) later = g_date_time_new_now (self->tz);
          g_autoptr(GDateTime) then = g_date_time_add_minutes (later, 90);
          GDate then_date;

          g_date_clear (&then_date, 1);
          g_date_set_dmy (&then_date, g_date_time_get_day_of_month (then),
                          g_date_time_get_month (then), g_date_time_get_year (then));
          due_us = local_us (self, &then_date, g_date_time_get_hour (then), 0);
        }
    }
  else
    {
      due_us = local_us (self, date, hour, minute);
      if (due_us < now)
        {
          sm_ui_show_toast (GTK_WIDGET (self), _("That time is over; choose a later one."));
          return;
        }
    }

  g_signal_emit (self, signals[COMPOSE], 0, due_us);
}

static void
cell_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 SmCalendarView  *self)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *picked = gtk_widget_pick (cell, x, y, GTK_PICK_DEFAULT);
  MonthCell *month_cell = g_object_get_data (G_OBJECT (cell), "sm-cell");

  /* A chip or "+N more" does its own thing. */
  if (picked != NULL && picked != cell &&
      (SM_IS_CALENDAR_CHIP (picked) || gtk_widget_get_ancestor (picked, GTK_TYPE_BUTTON) != NULL))
    return;

  self->date = month_cell->date;
  gtk_widget_grab_focus (cell);
  compose_at (self, &month_cell->date, -1, 0);
}

static void
timeline_pressed_cb (GtkGestureClick *gesture,
                     int              n_press,
                     double           x,
                     double           y,
                     SmCalendarView  *self)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->timeline), x, y, GTK_PICK_DEFAULT);
  guint day, hour, minute;
  GDate date;

  if (picked != GTK_WIDGET (self->timeline) ||
      !sm_calendar_timeline_get_time_at (self->timeline, x, y, &day, &hour, &minute))
    return;

  date = self->range_start;
  g_date_add_days (&date, day);
  self->date = date;
  compose_at (self, &date, hour, minute);
}

/* ---- Dropping -------------------------------------------------------------------- */

static gboolean
cell_drop_cb (GtkDropTarget  *target,
              const GValue   *value,
              double          x,
              double          y,
              SmCalendarView *self)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  MonthCell *month_cell = g_object_get_data (G_OBJECT (cell), "sm-cell");

  if (!G_VALUE_HOLDS_INT64 (value))
    return FALSE;

  return sm_calendar_view_move_post (self, g_value_get_int64 (value),
                                     g_date_get_year (&month_cell->date),
                                     g_date_get_month (&month_cell->date),
                                     g_date_get_day (&month_cell->date), -1, 0);
}

static gboolean
timeline_drop_cb (GtkDropTarget  *target,
                  const GValue   *value,
                  double          x,
                  double          y,
                  SmCalendarView *self)
{
  guint day, hour, minute;
  GDate date;

  if (!G_VALUE_HOLDS_INT64 (value) ||
      !sm_calendar_timeline_get_time_at (self->timeline, x, y, &day, &hour, &minute))
    return FALSE;

  date = self->range_start;
  g_date_add_days (&date, day);
  return sm_calendar_view_move_post (self, g_value_get_int64 (value),
                                     g_date_get_year (&date), g_date_get_month (&date),
                                     g_date_get_day (&date), hour, minute);
}

/* ---- Navigation and keys ---------------------------------------------------------- */

static void
step (SmCalendarView *self,
      int             direction)
{
  GDate date;

  step_date (self, direction, &date);
  go_to_date (self, &date, FALSE);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  step (SM_CALENDAR_VIEW (widget), -1);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  step (SM_CALENDAR_VIEW (widget), 1);
}

static void
today_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);
  GDate today;

  date_today (self, &today);
  go_to_date (self, &today, TRUE);
}

static void
open_day_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);
  int year, month, day;

  if (sscanf (g_variant_get_string (parameter, NULL), "%d-%d-%d", &year, &month, &day) != 3 ||
      !g_date_valid_dmy (day, month, year))
    return;

  close_popover (self);
  if (self->mode == SM_CALENDAR_MODE_DAY)
    {
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_dmy (&date, day, month, year);
      go_to_date (self, &date, FALSE);
      return;
    }
  g_date_set_dmy (&self->date, day, month, year);
  sm_calendar_view_set_mode (self, SM_CALENDAR_MODE_DAY);
}

static void
compose_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);

  compose_at (self, &self->date, -1, 0);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Keys pressed in a popover reach the view too: they are the popover's. */
static gboolean
popover_shown (SmCalendarView *self)
{
  return self->popover != NULL && gtk_widget_get_visible (self->popover);
}

static gboolean
shortcut_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);

  if (popover_shown (self))
    return FALSE;
  return gtk_widget_activate_action_variant (widget, g_variant_get_string (args, NULL), NULL);
}

static gboolean
move_focus_cb (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);
  int days = g_variant_get_int32 (args);
  GDate date = self->date;

  /* Up and Down scroll the hours of a day. */
  if (popover_shown (self) || (self->mode == SM_CALENDAR_MODE_DAY && (days == 7 || days == -7)))
    return FALSE;

  if (days > 0)
    g_date_add_days (&date, days);
  else
    g_date_subtract_days (&date, -days);
  go_to_date (self, &date, TRUE);
  return TRUE;
}

static gboolean
open_focused_cb (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);

  if (popover_shown (self) || self->mode == SM_CALENDAR_MODE_DAY)
    return FALSE;
  sm_calendar_view_set_mode (self, SM_CALENDAR_MODE_DAY);
  return TRUE;
}

static void
cell_focus_enter_cb (GtkEventControllerFocus *controller,
                     SmCalendarView          *self)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  MonthCell *month_cell = g_object_get_data (G_OBJECT (cell), "sm-cell");

  if (g_date_compare (&month_cell->date, &self->date) == 0)
    return;
  for (guint i = 0; i < MONTH_CELLS; i++)
    gtk_widget_remove_css_class (self->cells[i].cell, "selected");
  gtk_widget_add_css_class (cell, "selected");
  self->date = month_cell->date;
  update_title (self);
}

static void
mode_toggled_cb (SmCalendarView *self)
{
  SmCalendarMode mode;

  if (gtk_toggle_button_get_active (self->week_button))
    mode = SM_CALENDAR_MODE_WEEK;
  else if (gtk_toggle_button_get_active (self->day_button))
    mode = SM_CALENDAR_MODE_DAY;
  else if (gtk_toggle_button_get_active (self->month_button))
    mode = SM_CALENDAR_MODE_MONTH;
  else
    return;   /* the one going off, before the one going on */

  sm_calendar_view_set_mode (self, mode);
}

static void
search_changed_cb (SmCalendarView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_debug ("Searching for “%s”", text);
  g_clear_pointer (&self->filter, g_free);
  if (text != NULL && *text != '\0')
    self->filter = g_utf8_casefold (text, -1);
  populate (self);
}

static void
stop_search_cb (SmCalendarView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
target_changed_cb (GObject    *owner,
                   gint64      target_id,
                   const char *state)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (owner);

  /* Sent, failed or gone: its progress goes at once. */
  if (g_strcmp0 (state, "publishing") != 0 && g_hash_table_remove (self->uploads, &target_id))
    apply_uploads (self, GTK_WIDGET (self));
  queue_reload (self);
}

static void
upload_progress_cb (GObject *owner,
                    gint64   target_id,
                    guint64  sent,
                    guint64  total)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (owner);
  guint64 *upload = g_new (guint64, 2);

  if (total == 0)
    {
      g_free (upload);
      return;
    }
  upload[0] = sent;
  upload[1] = total;
  g_hash_table_insert (self->uploads, g_memdup2 (&target_id, sizeof target_id), upload);
  apply_uploads (self, GTK_WIDGET (self));
}

/* ---- GObject ------------------------------------------------------------------------ */

static void
build_month (SmCalendarView *self)
{
  GDate day;

  /* Any week starting on the locale's first day names the columns. */
  g_date_clear (&day, 1);
  g_date_set_dmy (&day, 1, 1, 2024);   /* a Monday */
  g_date_add_days (&day, (self->week_start - G_DATE_MONDAY + 7) % 7);
  for (guint i = 0; i < 7; i++, g_date_add_days (&day, 1))
    {
      char name[64];
      GtkWidget *label;

      g_date_strftime (name, sizeof name, "%a", &day);
      label = gtk_label_new (name);
      gtk_widget_add_css_class (label, "sm-cal-weekday");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->weekday_grid, label, i, 0, 1, 1);
    }

  for (guint i = 0; i < MONTH_CELLS; i++)
    {
      MonthCell *cell = &self->cells[i];
      GtkGesture *click;
      GtkDropTarget *drop;
      GtkEventController *focus;

      cell->cell = gtk_box_new (GTK_ORIENTATION_VERTICAL, 1);
      gtk_widget_set_focusable (cell->cell, TRUE);
      gtk_widget_add_css_class (cell->cell, "sm-cal-day");
      gtk_widget_set_hexpand (cell->cell, TRUE);
      gtk_widget_set_vexpand (cell->cell, TRUE);
      gtk_widget_set_overflow (cell->cell, GTK_OVERFLOW_HIDDEN);
      gtk_accessible_update_property (GTK_ACCESSIBLE (cell->cell), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("Click or press N to write a post for this day; Enter opens the day"),
                                      -1);
      g_object_set_data (G_OBJECT (cell->cell), "sm-cell", cell);

      cell->day_label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (cell->day_label), 0);
      gtk_widget_add_css_class (cell->day_label, "sm-cal-day-number");
      gtk_widget_add_css_class (cell->day_label, "numeric");
      gtk_box_append (GTK_BOX (cell->cell), cell->day_label);

      cell->chips_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 1);
      gtk_box_append (GTK_BOX (cell->cell), cell->chips_box);

      click = gtk_gesture_click_new ();
      gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
      g_signal_connect_object (click, "released", G_CALLBACK (cell_pressed_cb), self, 0);
      gtk_widget_add_controller (cell->cell, GTK_EVENT_CONTROLLER (click));

      drop = gtk_drop_target_new (G_TYPE_INT64, GDK_ACTION_MOVE);
      g_signal_connect_object (drop, "drop", G_CALLBACK (cell_drop_cb), self, 0);
      gtk_widget_add_controller (cell->cell, GTK_EVENT_CONTROLLER (drop));

      focus = gtk_event_controller_focus_new ();
      g_signal_connect_object (focus, "enter", G_CALLBACK (cell_focus_enter_cb), self, 0);
      gtk_widget_add_controller (cell->cell, focus);

      gtk_grid_attach (self->month_grid, cell->cell, i % 7, i / 7, 1, 1);
    }
}

static void
build_timeline (SmCalendarView *self)
{
  GtkWidget *gutter = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkGesture *click;
  GtkDropTarget *drop;

  gtk_widget_set_size_request (gutter, SM_CALENDAR_TIMELINE_GUTTER, -1);
  gtk_box_append (self->day_header_box, gutter);
  self->day_labels_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_set_homogeneous (GTK_BOX (self->day_labels_box), TRUE);
  gtk_widget_set_hexpand (self->day_labels_box, TRUE);
  gtk_box_append (self->day_header_box, self->day_labels_box);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "released", G_CALLBACK (timeline_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->timeline), GTK_EVENT_CONTROLLER (click));

  drop = gtk_drop_target_new (G_TYPE_INT64, GDK_ACTION_MOVE);
  g_signal_connect_object (drop, "drop", G_CALLBACK (timeline_drop_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->timeline), GTK_EVENT_CONTROLLER (drop));
}

static void
sm_calendar_view_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  SmCalendarView *self = SM_CALENDAR_VIEW (widget);

  GTK_WIDGET_CLASS (sm_calendar_view_parent_class)->size_allocate (widget, width, height, baseline);

  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));
}

static void
sm_calendar_view_dispose (GObject *object)
{
  SmCalendarView *self = (SmCalendarView *) object;

  /* Toasts gone with the window: what was deleted stays deleted. */
  if (self->pending_deletes != NULL && self->store != NULL)
    {
      g_autoptr(GList) ids = g_hash_table_get_keys (self->pending_deletes);

      for (GList *l = ids; l != NULL; l = l->next)
        {
          gint64 target_id = *(gint64 *) l->data;
          g_autoptr(GError) error = NULL;

          g_hash_table_remove (self->pending_deletes, &target_id);
          if (!sm_store_delete_target (self->store, target_id, &error))
            g_warning ("Could not delete target %" G_GINT64_FORMAT ": %s", target_id, error->message);
        }
    }

  /* The shown popover, and closed ones still waiting for their idle. */
  self->popover = NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self)), *next; child != NULL; child = next)
    {
      next = gtk_widget_get_next_sibling (child);
      if (GTK_IS_POPOVER (child))
        gtk_widget_unparent (child);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_handle_id (&self->build_id, g_source_remove);
  g_clear_handle_id (&self->prefetch_id, g_source_remove);
  g_clear_object (&self->store);
  g_clear_object (&self->reader);

  G_OBJECT_CLASS (sm_calendar_view_parent_class)->dispose (object);
}

static void
sm_calendar_view_finalize (GObject *object)
{
  SmCalendarView *self = (SmCalendarView *) object;

  g_clear_pointer (&self->pending_deletes, g_hash_table_unref);
  g_clear_pointer (&self->uploads, g_hash_table_unref);
  g_clear_pointer (&self->account_zones, g_hash_table_unref);
  g_clear_pointer (&self->prefetched, g_array_unref);
  g_clear_pointer (&self->posts, g_ptr_array_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->zone, g_free);
  g_clear_pointer (&self->filter, g_free);

  G_OBJECT_CLASS (sm_calendar_view_parent_class)->finalize (object);
}

static void
sm_calendar_view_class_init (SmCalendarViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_calendar_view_dispose;
  object_class->finalize = sm_calendar_view_finalize;
  widget_class->size_allocate = sm_calendar_view_size_allocate;

  /**
   * SmCalendarView::compose:
   * @due_us: when the post should go out
   *
   * The user asked to write a post for a day or an hour.
   */
  signals[COMPOSE] =
    g_signal_new ("compose", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (SM_TYPE_CALENDAR_TIMELINE);
  g_type_ensure (SM_TYPE_CALENDAR_MONTH_GRID);

  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-calendar-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, title_label);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, month_button);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, week_button);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, day_button);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, search_button);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, stack);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, weekday_grid);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, month_grid);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, timeline_scroller);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, day_header_box);
  gtk_widget_class_bind_template_child (widget_class, SmCalendarView, timeline);
  gtk_widget_class_bind_template_callback (widget_class, mode_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);

  gtk_widget_class_install_action (widget_class, "calendar.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "calendar.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "calendar.today", NULL, today_action);
  gtk_widget_class_install_action (widget_class, "calendar.open-day", "s", open_day_action);
  gtk_widget_class_install_action (widget_class, "calendar.compose", NULL, compose_action);
  gtk_widget_class_install_action (widget_class, "calendar.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "calendar.retry-target", "x", retry_target_action);
  gtk_widget_class_install_action (widget_class, "calendar.delete-target", "x", delete_target_action);
  gtk_widget_class_install_action (widget_class, "calendar.duplicate-post", "x", duplicate_post_action);
  gtk_widget_class_install_action (widget_class, "calendar.edit-post", "x", edit_post_action);
  gtk_widget_class_install_action (widget_class, "calendar.open-link", "s", open_link_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, 0, move_focus_cb, "i", -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, 0, move_focus_cb, "i", 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, 0, move_focus_cb, "i", -7);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, 0, move_focus_cb, "i", 7);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Return, 0, open_focused_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Enter, 0, open_focused_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_n, 0, shortcut_cb, "s", "calendar.compose");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_t, 0, shortcut_cb, "s", "calendar.today");
  gtk_widget_class_add_binding (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, shortcut_cb, "s", "calendar.search");
}

static void
sm_calendar_view_init (SmCalendarView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->pending_deletes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, pending_delete_free);
  self->uploads = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->account_zones = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->prefetched = g_array_new (FALSE, TRUE, sizeof (Prefetched));
  g_array_set_clear_func (self->prefetched, prefetched_clear);
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  self->cancellable = g_cancellable_new ();
  self->week_start = locale_week_start ();
  self->zone = sm_time_local_zone_id ();
  self->tz = sm_ui_time_zone_new (self->zone);
  self->mode = SM_CALENDAR_MODE_MONTH;
  date_today (self, &self->date);
  g_date_clear (&self->range_start, 1);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  build_month (self);
  build_timeline (self);
  /* Scrolled, or more hours in view (a taller window). */
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->timeline_scroller),
                           "value-changed", G_CALLBACK (timeline_scrolled_cb), self, 0);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->timeline_scroller),
                           "changed", G_CALLBACK (timeline_scrolled_cb), self, 0);

  sm_ui_watch_target_changed (G_OBJECT (self), target_changed_cb);
  sm_ui_watch_upload_progress (G_OBJECT (self), upload_progress_cb);
}

/* ---- Public API ---------------------------------------------------------------------- */

/**
 * sm_calendar_view_set_store:
 * @self: a #SmCalendarView
 * @store: the profile's store
 *
 * Sets the store to read posts from, and shows this month.
 */
void
sm_calendar_view_set_store (SmCalendarView *self,
                            SmStore        *store)
{
  g_return_if_fail (SM_IS_CALENDAR_VIEW (self));
  g_return_if_fail (SM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_clear_object (&self->reader);
  g_array_set_size (self->prefetched, 0);

  /* Today in the workspace's zone. */
  read_zone (self);
  date_today (self, &self->date);
  reload (self);
}

/**
 * sm_calendar_view_set_workspace:
 * @self: a #SmCalendarView
 * @workspace_id: the workspace whose posts to show, in its zone (0: the
 *   default one)
 */
void
sm_calendar_view_set_workspace (SmCalendarView *self,
                                gint64          workspace_id)
{
  g_return_if_fail (SM_IS_CALENDAR_VIEW (self));

  if (self->workspace_id == workspace_id)
    return;
  self->workspace_id = workspace_id;
  g_array_set_size (self->prefetched, 0);
  if (self->store != NULL)
    reload (self);
}

void
sm_calendar_view_reload (SmCalendarView *self)
{
  g_return_if_fail (SM_IS_CALENDAR_VIEW (self));

  reload (self);
}

void
sm_calendar_view_set_mode (SmCalendarView *self,
                           SmCalendarMode  mode)
{
  GtkToggleButton *button;

  g_return_if_fail (SM_IS_CALENDAR_VIEW (self));

  button = mode == SM_CALENDAR_MODE_WEEK ? self->week_button :
           mode == SM_CALENDAR_MODE_DAY ? self->day_button : self->month_button;
  if (self->mode != mode)
    {
      self->mode = mode;
      close_popover (self);
      reload (self);
      if (mode == SM_CALENDAR_MODE_MONTH)
        focus_date (self);
    }
  if (!gtk_toggle_button_get_active (button))
    gtk_toggle_button_set_active (button, TRUE);
}

SmCalendarMode
sm_calendar_view_get_mode (SmCalendarView *self)
{
  g_return_val_if_fail (SM_IS_CALENDAR_VIEW (self), SM_CALENDAR_MODE_MONTH);

  return self->mode;
}

void
sm_calendar_view_set_date (SmCalendarView *self,
                           int             year,
                           int             month,
                           int             day)
{
  GDate date;

  g_return_if_fail (SM_IS_CALENDAR_VIEW (self));
  g_return_if_fail (g_date_valid_dmy (day, month, year));

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  go_to_date (self, &date, FALSE);
}

void
sm_calendar_view_get_date (SmCalendarView *self,
                           GDate          *date)
{
  g_return_if_fail (SM_IS_CALENDAR_VIEW (self));

  *date = self->date;
}

gboolean
sm_calendar_view_show_post (SmCalendarView *self,
                            gint64          post_id)
{
  g_autoptr(SmPost) post = NULL;
  GDate date;

  g_return_val_if_fail (SM_IS_CALENDAR_VIEW (self), FALSE);

  if (self->store == NULL || (post = sm_store_get_post (self->store, post_id, NULL)) == NULL)
    return FALSE;

  date_of_post (self, post, &date, NULL, NULL);
  go_to_date (self, &date, FALSE);
  return TRUE;
}

gboolean
sm_calendar_view_move_post (SmCalendarView *self,
                            gint64          post_id,
                            int             year,
                            int             month,
                            int             day,
                            int             hour,
                            int             minute)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = NULL;
  g_autofree char *when = NULL;
  g_autofree char *title = NULL;
  gint64 due_us;
  GDate date;

  g_return_val_if_fail (SM_IS_CALENDAR_VIEW (self), FALSE);
  g_return_val_if_fail (g_date_valid_dmy (day, month, year), FALSE);

  if (self->store == NULL)
    return FALSE;

  close_popover (self);
  post = sm_store_get_post (self->store, post_id, &error);
  if (post == NULL)
    {
      title = g_strdup_printf (_("Could not move the post: %s"), error->message);
      sm_ui_show_toast (GTK_WIDGET (self), title);
      queue_reload (self);
      return FALSE;
    }

  /* A drop on a day keeps the post's time of day there. */
  if (hour < 0)
    date_of_post (self, post, &date, &hour, &minute);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  due_us = local_us (self, &date, hour, minute);
  if (due_us == post->due_us)
    return TRUE;

  if (!sm_store_reschedule_post (self->store, post_id, due_us, &error))
    {
      title = g_strdup_printf (_("Could not move the post: %s"), error->message);
      sm_ui_show_toast (GTK_WIDGET (self), title);
      return FALSE;
    }

  when = sm_ui_format_when (due_us, self->zone);
  /* Translators: toast: "Moved to Friday, October 24 at 09:00" */
  title = g_strdup_printf (_("Moved to %s"), when);
  sm_ui_show_toast (GTK_WIDGET (self), title);
  wake_publisher (self);
  reload (self);
  return TRUE;
}
