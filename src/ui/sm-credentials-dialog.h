/* sm-credentials-dialog.h — asks for the user's own client id and secret
 * when this build has none for a network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-network.h"

G_BEGIN_DECLS

#define SM_TYPE_CREDENTIALS_DIALOG (sm_credentials_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SmCredentialsDialog, sm_credentials_dialog, SM, CREDENTIALS_DIALOG, AdwMessageDialog)

/* Responds "save" or "cancel".  @reason is what the network setup said is
 * missing, shown above the fields; @needs_secret makes the secret required. */
GtkWidget  *sm_credentials_dialog_new           (GtkWindow           *parent,
                                                 SmNetwork            network,
                                                 const char          *reason,
                                                 gboolean             needs_secret);
SmNetwork   sm_credentials_dialog_get_network   (SmCredentialsDialog *self);
const char *sm_credentials_dialog_get_client_id (SmCredentialsDialog *self);
/* NULL when left empty. */
const char *sm_credentials_dialog_get_secret    (SmCredentialsDialog *self);

G_END_DECLS
