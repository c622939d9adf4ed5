/* sm-queue.h — "Add to queue": weekly posting times per account, and the
 * next free one.
 *
 * A slot is a weekday and a wall-clock time in the account's zone
 * (sm_store_get_account_zone), so 09:00 stays 09:00 across DST changes:
 *  - a time the clocks skip (02:30 on the night 02:00–03:00 is skipped)
 *    moves forward by the length of the gap, to 03:30, as clocks did
 *    (sm_time_local_to_utc_us; RFC 5545 reads such times the same way);
 *  - a time that happens twice (02:30 on the night 02:00–03:00 repeats)
 *    is used once, the first time.
 *
 * A slot is free for an account when none of its posts that are
 * scheduled, being sent, unconfirmed or published is due within the slot's
 * minute.  A post has one due time for all its accounts, so a post for
 * several accounts goes to the earliest instant that is a free slot of
 * every one of them: give the accounts a posting time in common.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_QUEUE_ERROR (sm_queue_error_quark ())
GQuark sm_queue_error_quark (void);

typedef enum
{
  SM_QUEUE_ERROR_NO_SLOTS,   /* an account has no posting times */
  SM_QUEUE_ERROR_FULL,       /* no free (common) slot within the horizon */
} SmQueueError;

/* How far ahead a free slot is looked for. */
#define SM_QUEUE_HORIZON_US (8 * 7 * G_TIME_SPAN_DAY)

/* The earliest instant >= @after_us and at most SM_QUEUE_HORIZON_US after
 * it that is a free slot of every account in @account_ids; 0 with @error
 * set when there is none, when an account has no slots ("Add posting
 * times for ACCOUNT first"), or is unknown (SM_STORE_ERROR_NOT_FOUND). */
gint64    sm_queue_next_free      (SmStore       *store,
                                   const gint64  *account_ids,
                                   guint          n_accounts,
                                   gint64         after_us,
                                   GError       **error);

/* Saves @post (its due_us is ignored) at the earliest free slot its
 * accounts share after @after_us, with the check and the insert in one
 * transaction: a slot another writer takes meanwhile is passed over.
 * Returns the post's id and its time in @due_us; 0 with @error as
 * sm_queue_next_free(). */
gint64    sm_queue_create_post    (SmStore         *store,
                                   const SmNewPost *post,
                                   gint64           after_us,
                                   gint64          *due_us,
                                   GError         **error);

/* "09:30" → 570; FALSE for anything but H:MM or HH:MM from 00:00 to 23:59. */
gboolean  sm_queue_parse_time     (const char    *text,
                                   int           *minute);
/* "mon,wed", "weekdays", "daily" (also "weekend", full names, any case) →
 * a mask with bit (1 << weekday) set for each ISO weekday; FALSE if a
 * name is not a day. */
gboolean  sm_queue_parse_days     (const char    *text,
                                   guint         *mask);
/* "mon" … "sun": the CLI's name of ISO @weekday. */
const char *sm_queue_day_name     (int            weekday);
/* Translated, for people: "Monday" … "Sunday". */
const char *sm_queue_day_display  (int            weekday);
/* "09:30". */
char     *sm_queue_format_minute  (int            minute);

G_END_DECLS
