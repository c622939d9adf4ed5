/* sm-oauth.h — the pieces of an OAuth 2.0 authorization-code flow that do
 * not depend on the network: PKCE, state, and the loopback redirect
 * listener (RFC 8252).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @n_bytes random bytes from the kernel (getrandom), base64url without
 * padding.  Used for code verifiers and state. */
char *sm_oauth_random_string  (gsize       n_bytes);
/* base64url(SHA-256(@verifier)) without padding (RFC 7636 S256). */
char *sm_oauth_pkce_challenge (const char *verifier);

#define SM_TYPE_OAUTH_LISTENER (sm_oauth_listener_get_type ())
G_DECLARE_FINAL_TYPE (SmOAuthListener, sm_oauth_listener, SM, OAUTH_LISTENER, GObject)

/* Listens on 127.0.0.1 with a random port on the thread-default main
 * context, for one redirect carrying @expected_state. */
SmOAuthListener *sm_oauth_listener_new              (const char          *expected_state,
                                                     GError             **error);
/* "http://127.0.0.1:PORT/callback" */
const char      *sm_oauth_listener_get_redirect_uri (SmOAuthListener     *self);
/* Finishes with the authorization code once a redirect with the right state
 * arrives; a redirect with another state is answered 400 and ignored; one
 * with ?error= fails with G_IO_ERROR_PERMISSION_DENIED. */
void             sm_oauth_listener_wait_async       (SmOAuthListener     *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char            *sm_oauth_listener_wait_finish      (SmOAuthListener     *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
