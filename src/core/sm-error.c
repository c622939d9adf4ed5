/* sm-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-error"

#include "config.h"

#include "sm-error.h"

G_DEFINE_QUARK (sm-platform-error-quark, sm_platform_error)
G_DEFINE_QUARK (sm-store-error-quark, sm_store_error)
