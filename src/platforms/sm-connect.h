/* sm-connect.h — connecting an account: OAuth in the browser, tokens into
 * the keyring, the account row into the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sm-platform.h"
#include "sm-store.h"

G_BEGIN_DECLS

/* Called on the caller's main context with the authorize URL, once the
 * loopback listener is up.  When @open_browser is TRUE the URL is also
 * opened in the default browser. */
typedef void (*SmConnectUrlFunc) (const char *url,
                                  gpointer    user_data);

/* Runs the authorization-code flow (PKCE where the network has it, a random
 * `state`, a listener on 127.0.0.1 with a random port), exchanges the code,
 * saves each account's tokens in the keyring and upserts the accounts into
 * @workspace_id (0: the default one).  Finishes with a GArray of gint64
 * account ids. */
void     sm_connect_account_async  (SmStore            *store,
                                    gint64              workspace_id,
                                    SmNetwork           network,
                                    gboolean            open_browser,
                                    SmConnectUrlFunc    url_func,
                                    gpointer            url_data,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
GArray  *sm_connect_account_finish (GAsyncResult       *result,
                                    GError            **error);

/* For networks without OAuth (WhatsApp): checks @token for the account
 * @remote_id at the network (sm_platform_connect_token), then saves the
 * token in the keyring and upserts the account into @workspace_id (0: the
 * default one); nothing is saved when the network refuses.  Finishes with
 * the account id. */
void     sm_connect_account_with_token_async  (SmStore            *store,
                                               gint64              workspace_id,
                                               SmNetwork           network,
                                               const char         *remote_id,
                                               const char         *token,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gint64   sm_connect_account_with_token_finish (GAsyncResult       *result,
                                               GError            **error);

/* Removes the account: best-effort revoke at the network, tokens out of the
 * keyring, the row and its targets out of the store.  While the same
 * network account is also in another workspace, only the row and its
 * targets go: the other one keeps the shared tokens. */
gboolean sm_disconnect_account     (SmStore            *store,
                                    gint64              account_id,
                                    GCancellable       *cancellable,
                                    GError            **error);

/* Tokens for an account, refreshed first when they are about to expire, or
 * when @refused_token (an access token the network just refused, or NULL)
 * is still the current one.  Single-flight per account within the process;
 * a refresh that brings no refresh token keeps the old one; a network blip
 * during refresh is TRANSIENT; a dead grant marks the account
 * needs-reconnect and fails with REVOKED.  Blocking: call from a worker. */
SmTokens *sm_account_get_tokens    (SmStore            *store,
                                    const SmAccount    *account,
                                    const char         *refused_token,
                                    GCancellable       *cancellable,
                                    GError            **error);

G_END_DECLS
