/* sm-outbox.c — the retry policy of the outbox (see ARCHITECTURE.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-outbox"

#include "config.h"

#include "sm-error.h"
#include "sm-outbox.h"

#define BACKOFF_BASE_US  (G_GINT64_CONSTANT (30) * G_TIME_SPAN_SECOND)
#define BACKOFF_CAP_US   (G_GINT64_CONSTANT (3600) * G_TIME_SPAN_SECOND)
#define RECONCILE_US     (G_GINT64_CONSTANT (5) * G_TIME_SPAN_SECOND)

gint64
sm_outbox_backoff_us (int attempts)
{
  gint64 delay = BACKOFF_BASE_US;

  for (int i = 1; i < attempts && delay < BACKOFF_CAP_US; i++)
    delay *= 2;
  delay = MIN (delay, BACKOFF_CAP_US);
  return delay / 2 + g_random_int_range (0, (gint32) MIN (delay / 2, G_MAXINT32 - 1) + 1);
}

SmOutboxAction
sm_outbox_decide (const GError *error,
                  int           attempts,
                  gint64        retry_after_us,
                  gint64        now_us,
                  gint64       *next_attempt_us)
{
  g_return_val_if_fail (error != NULL, SM_OUTBOX_FAILED);
  g_return_val_if_fail (next_attempt_us != NULL, SM_OUTBOX_FAILED);

  *next_attempt_us = now_us + sm_outbox_backoff_us (attempts);

  if (error->domain != SM_PLATFORM_ERROR)
    return attempts < SM_OUTBOX_MAX_ATTEMPTS ? SM_OUTBOX_RETRY : SM_OUTBOX_FAILED;

  switch ((SmPlatformError) error->code)
    {
    case SM_PLATFORM_ERROR_RATE_LIMITED:
      /* The network said when; a little jitter keeps a burst from
       * returning in the same second.  Rate limits are not the post's
       * fault, so they get twice the attempts. */
      if (retry_after_us >= 0)
        *next_attempt_us = now_us + retry_after_us + g_random_int_range (0, G_TIME_SPAN_SECOND);
      return attempts < 2 * SM_OUTBOX_MAX_ATTEMPTS ? SM_OUTBOX_RETRY : SM_OUTBOX_FAILED;

    case SM_PLATFORM_ERROR_KEYRING:
      /* Waiting for the user to unlock is not the post's failure: keep
       * trying (the backoff tops out at an hour). */
      return SM_OUTBOX_RETRY;

    case SM_PLATFORM_ERROR_TRANSIENT:
      return attempts < SM_OUTBOX_MAX_ATTEMPTS ? SM_OUTBOX_RETRY : SM_OUTBOX_FAILED;

    case SM_PLATFORM_ERROR_OUTCOME_UNKNOWN:
      /* Never resend blindly: ask the network first, soon. */
      *next_attempt_us = now_us + RECONCILE_US;
      return SM_OUTBOX_UNCONFIRMED;

    case SM_PLATFORM_ERROR_AUTH_EXPIRED:
      return SM_OUTBOX_REFRESH;

    case SM_PLATFORM_ERROR_REVOKED:
    case SM_PLATFORM_ERROR_REJECTED:
    case SM_PLATFORM_ERROR_CONFIG:
    case SM_PLATFORM_ERROR_CANNOT_TELL:   /* the user looks, and retries or not */
    default:
      return SM_OUTBOX_FAILED;
    }
}
