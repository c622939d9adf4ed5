/* sm-time.c — wall-clock times in the user's zone, DST-safe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-time"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sm-error.h"
#include "sm-time.h"

char *
sm_time_local_zone_id (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  const char *id = g_time_zone_get_identifier (tz);

  if (sm_time_zone_is_valid (id))
    return g_strdup (id);
  return g_strdup ("UTC");
}

gboolean
sm_time_zone_is_valid (const char *zone)
{
  g_autoptr(GTimeZone) tz = NULL;

  if (zone == NULL || *zone == '\0' || *zone == '/' || strstr (zone, "..") != NULL)
    return FALSE;
  tz = g_time_zone_new_identifier (zone);
  return tz != NULL;
}

static gint32
offset_at_utc (GTimeZone *tz,
               gint64     utc_secs)
{
  int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, utc_secs);
  return g_time_zone_get_offset (tz, interval);
}

/* Wall-clock seconds (as if UTC) → the UTC instant.  The candidates are the
 * offsets in force a day before and a day after; a candidate is right when
 * the zone agrees with it at the resulting instant.  No candidate means the
 * time fell into a gap: the offset from before the gap moves it forward by
 * the length of the gap, as clocks did.  Two candidates (a repeated hour):
 * the earlier instant. */
static gint64
wall_to_utc_secs (GTimeZone *tz,
                  gint64     wall)
{
  gint32 before = offset_at_utc (tz, wall - 86400);
  gint32 after = offset_at_utc (tz, wall + 86400);
  gint32 candidates[2] = { before, after };
  gint64 best = G_MAXINT64;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      gint64 utc = wall - candidates[i];
      if (offset_at_utc (tz, utc) == candidates[i] && utc < best)
        best = utc;
    }
  if (best == G_MAXINT64)
    best = wall - before;
  return best;
}

gint64
sm_time_local_to_utc_us (const char  *zone,
                         int          year,
                         int          month,
                         int          day,
                         int          hour,
                         int          minute,
                         GError     **error)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) naive = NULL;

  if (!sm_time_zone_is_valid (zone))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("“%s” is not a time zone; use a name like Europe/Berlin."),
                   zone ? zone : "");
      return 0;
    }
  naive = g_date_time_new_utc (year, month, day, hour, minute, 0);
  if (naive == NULL || !g_date_valid_dmy (day, month, year))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("%04d-%02d-%02d %02d:%02d is not a valid date and time."),
                   year, month, day, hour, minute);
      return 0;
    }
  tz = g_time_zone_new_identifier (zone);
  return wall_to_utc_secs (tz, g_date_time_to_unix (naive)) * G_TIME_SPAN_SECOND;
}

static gboolean
has_explicit_offset (const char *when)
{
  const char *t = strpbrk (when, "Tt ");

  if (t == NULL)
    return FALSE;
  return strpbrk (t, "Zz+-") != NULL;
}

gboolean
sm_time_parse_when (const char  *when,
                    const char  *zone,
                    gint64       now_us,
                    gint64      *out_us,
                    GError     **error)
{
  int y, mo, d, h, mi, s = 0, n = 0;
  char sep;

  g_return_val_if_fail (out_us != NULL, FALSE);

  if (when == NULL || *when == '\0')
    goto bad;
  if (g_ascii_strcasecmp (when, "now") == 0)
    {
      *out_us = now_us;
      return TRUE;
    }

  if (has_explicit_offset (when))
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (when, NULL);
      if (dt == NULL)
        goto bad;
      *out_us = g_date_time_to_unix (dt) * G_TIME_SPAN_SECOND + g_date_time_get_microsecond (dt);
      return TRUE;
    }

  if (sscanf (when, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 ||
      (sep != 'T' && sep != 't' && sep != ' '))
    goto bad;
  if (when[n] == ':')
    {
      int m = 0;
      if (sscanf (when + n, ":%2d%n", &s, &m) != 1)
        goto bad;
      n += m;
    }
  if (when[n] != '\0')
    goto bad;
  {
    gint64 us = sm_time_local_to_utc_us (zone, y, mo, d, h, mi, error);
    if (us == 0 && error && *error)
      return FALSE;
    *out_us = us + (gint64) s * G_TIME_SPAN_SECOND;
  }
  return TRUE;

bad:
  g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
               _("“%s” is not a time. Use “now”, 2026-10-24T09:00 (in the "
                 "chosen zone) or RFC 3339 such as 2026-10-24T09:00:00+02:00."),
               when ? when : "");
  return FALSE;
}

char *
sm_time_format_utc (gint64 us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (us / G_TIME_SPAN_SECOND);
  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

char *
sm_time_format_local (gint64      us,
                      const char *zone)
{
  g_autoptr(GTimeZone) tz = sm_time_zone_is_valid (zone) ? g_time_zone_new_identifier (zone)
                                                         : g_time_zone_new_utc ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_TIME_SPAN_SECOND);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone (utc, tz) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("?");
}
