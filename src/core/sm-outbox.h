/* sm-outbox.h — what to do with a target after an attempt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SM_OUTBOX_RETRY,        /* back to scheduled at *next_attempt_us */
  SM_OUTBOX_UNCONFIRMED,  /* may have gone out: reconcile at *next_attempt_us */
  SM_OUTBOX_FAILED,       /* permanent: the user acts */
  SM_OUTBOX_REFRESH,      /* refresh the token once and try again now */
} SmOutboxAction;

/* After this many attempts a transient failure becomes permanent. */
#define SM_OUTBOX_MAX_ATTEMPTS 8

/* Exponential backoff with jitter: about 30 s, 1 min, 2 min … capped at one
 * hour, each drawn from [½, 1] of that so that many targets that failed
 * together do not come back together. */
gint64         sm_outbox_backoff_us (int           attempts);

/* Decides from a failed attempt's error (any domain; SM_PLATFORM_ERROR
 * codes are understood) what happens next.  @retry_after_us is the delay
 * the network asked for, or -1. */
SmOutboxAction sm_outbox_decide     (const GError *error,
                                     int           attempts,
                                     gint64        retry_after_us,
                                     gint64        now_us,
                                     gint64       *next_attempt_us);

G_END_DECLS
