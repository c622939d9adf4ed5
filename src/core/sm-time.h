/* sm-time.h — due times: a UTC instant plus the IANA zone the user meant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The local zone's IANA identifier ("Europe/Berlin"), "UTC" if unknown. */
char     *sm_time_local_zone_id   (void);
/* TRUE when @zone is a known IANA zone identifier. */
gboolean  sm_time_zone_is_valid   (const char *zone);

/* The UTC instant of a wall-clock time in @zone.  A time that does not exist
 * (skipped by a DST change) moves forward by the gap; one that exists twice
 * takes the first. */
gint64    sm_time_local_to_utc_us (const char *zone,
                                   int         year,
                                   int         month,
                                   int         day,
                                   int         hour,
                                   int         minute,
                                   GError    **error);

/* Parses "now", RFC 3339 ("2026-10-24T09:00:00+02:00", "…Z"), or a local
 * "YYYY-MM-DDTHH:MM[:SS]" / "YYYY-MM-DD HH:MM" read in @zone. */
gboolean  sm_time_parse_when      (const char *when,
                                   const char *zone,
                                   gint64      now_us,
                                   gint64     *out_us,
                                   GError    **error);

/* RFC 3339 in UTC with seconds ("2026-10-24T07:00:00Z"). */
char     *sm_time_format_utc      (gint64      us);
/* "2026-10-24 09:00" as seen in @zone. */
char     *sm_time_format_local    (gint64      us,
                                   const char *zone);

G_END_DECLS
