/* sm-error.h — the one error domain every network's failures map into.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SM_PLATFORM_ERROR (sm_platform_error_quark ())

/**
 * SmPlatformError:
 * @SM_PLATFORM_ERROR_AUTH_EXPIRED: the access token expired; refreshing may help
 * @SM_PLATFORM_ERROR_REVOKED: the grant is gone; the user must reconnect
 * @SM_PLATFORM_ERROR_RATE_LIMITED: too many calls; retry after a delay
 * @SM_PLATFORM_ERROR_TRANSIENT: the request did not take effect; safe to retry
 * @SM_PLATFORM_ERROR_REJECTED: the network refused the content; the user must act
 * @SM_PLATFORM_ERROR_OUTCOME_UNKNOWN: the request may have taken effect; reconcile
 *   before sending again
 * @SM_PLATFORM_ERROR_KEYRING: the token could not be read (e.g. keyring locked)
 * @SM_PLATFORM_ERROR_CONFIG: the app is not set up for this network (no client id)
 * @SM_PLATFORM_ERROR_CANNOT_TELL: reconciliation only: the network has no way to
 *   tell whether an earlier send took effect (WhatsApp lists no sent messages);
 *   the target fails with a question for the user, whose retry is the answer
 */
typedef enum
{
  SM_PLATFORM_ERROR_AUTH_EXPIRED,
  SM_PLATFORM_ERROR_REVOKED,
  SM_PLATFORM_ERROR_RATE_LIMITED,
  SM_PLATFORM_ERROR_TRANSIENT,
  SM_PLATFORM_ERROR_REJECTED,
  SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
  SM_PLATFORM_ERROR_KEYRING,
  SM_PLATFORM_ERROR_CONFIG,
  SM_PLATFORM_ERROR_CANNOT_TELL,
} SmPlatformError;

GQuark sm_platform_error_quark (void);

#define SM_STORE_ERROR (sm_store_error_quark ())

typedef enum
{
  SM_STORE_ERROR_FAILED,
  SM_STORE_ERROR_TOO_NEW,      /* the database was written by a newer version */
  SM_STORE_ERROR_NOT_FOUND,
  SM_STORE_ERROR_INVALID,      /* bad input: past time, unknown zone, empty text */
  SM_STORE_ERROR_BUSY,
  SM_STORE_ERROR_TAKEN,        /* a queue slot another post took first */
} SmStoreError;

GQuark sm_store_error_quark (void);

G_END_DECLS
