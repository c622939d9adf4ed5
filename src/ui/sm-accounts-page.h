/* sm-accounts-page.h — connected accounts per network: connect (OAuth in
 * the browser), reconnect, disconnect.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_ACCOUNTS_PAGE (sm_accounts_page_get_type ())
G_DECLARE_FINAL_TYPE (SmAccountsPage, sm_accounts_page, SM, ACCOUNTS_PAGE, AdwBin)

void sm_accounts_page_set_store (SmAccountsPage *self,
                                 SmStore        *store);
void sm_accounts_page_set_workspace (SmAccountsPage *self,
                                     gint64          workspace_id);
void sm_accounts_page_reload    (SmAccountsPage *self);
/* Starts connecting an account on @network, as the Connect button does. */
void sm_accounts_page_connect   (SmAccountsPage *self,
                                 SmNetwork       network);

G_END_DECLS
