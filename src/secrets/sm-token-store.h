/* sm-token-store.h — tokens and app credentials, only ever in the keyring.
 *
 * Items are keyed by profile (the data directory), network and the account's
 * remote id, so two profiles never see each other's tokens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sm-platform.h"
#include "sm-s3.h"

G_BEGIN_DECLS

/* All fail with SM_PLATFORM_ERROR_KEYRING and a message for people when the
 * keyring is locked or missing. */
gboolean             sm_token_store_save        (const char          *profile,
                                                 SmNetwork            network,
                                                 const char          *remote_id,
                                                 const SmTokens      *tokens,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
/* NULL and SM_PLATFORM_ERROR_REVOKED when there is no token. */
SmTokens            *sm_token_store_load        (const char          *profile,
                                                 SmNetwork            network,
                                                 const char          *remote_id,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
gboolean             sm_token_store_delete      (const char          *profile,
                                                 SmNetwork            network,
                                                 const char          *remote_id,
                                                 GCancellable        *cancellable,
                                                 GError             **error);

gboolean             sm_token_store_save_credentials (SmNetwork                  network,
                                                      const SmClientCredentials *creds,
                                                      GCancellable              *cancellable,
                                                      GError                   **error);
/* Forgets the user's own credentials for @network (the built-in client id,
 * if any, stays). */
gboolean             sm_token_store_delete_credentials (SmNetwork         network,
                                                        GCancellable     *cancellable,
                                                        GError          **error);
/* The user's own credentials if saved, else the built-in client id, else
 * NULL with SM_PLATFORM_ERROR_CONFIG saying what to enter. */
SmClientCredentials *sm_token_store_load_credentials (SmNetwork                  network,
                                                      GCancellable              *cancellable,
                                                      GError                   **error);

/* The media bucket (sm-s3.h) of @profile: the whole configuration, secret
 * key included, as one keyring item.  Reading never prompts, like the
 * tokens: a locked keyring is SM_PLATFORM_ERROR_KEYRING. */
gboolean             sm_token_store_save_bucket   (const char          *profile,
                                                   const SmS3Config    *config,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
/* NULL without an error when no bucket is set up. */
SmS3Config          *sm_token_store_load_bucket   (const char          *profile,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
gboolean             sm_token_store_delete_bucket (const char          *profile,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

G_END_DECLS
