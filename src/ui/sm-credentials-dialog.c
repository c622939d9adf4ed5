/* sm-credentials-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-credentials"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-credentials-dialog.h"

struct _SmCredentialsDialog
{
  AdwMessageDialog  parent_instance;

  /* template widgets */
  GtkEntry         *client_id_entry;
  GtkLabel         *secret_label;
  GtkPasswordEntry *secret_entry;

  SmNetwork         network;
  gboolean          needs_secret;
};

G_DEFINE_FINAL_TYPE (SmCredentialsDialog, sm_credentials_dialog, ADW_TYPE_MESSAGE_DIALOG)

static gboolean
is_filled (GtkEditable *editable)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (editable));

  return *g_strstrip (text) != '\0';
}

static void
entry_changed_cb (SmCredentialsDialog *self)
{
  gboolean ok = is_filled (GTK_EDITABLE (self->client_id_entry));

  if (self->needs_secret)
    ok = ok && is_filled (GTK_EDITABLE (self->secret_entry));

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save", ok);
}

static void
sm_credentials_dialog_class_init (SmCredentialsDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-credentials-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SmCredentialsDialog, client_id_entry);
  gtk_widget_class_bind_template_child (widget_class, SmCredentialsDialog, secret_label);
  gtk_widget_class_bind_template_child (widget_class, SmCredentialsDialog, secret_entry);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
}

static void
sm_credentials_dialog_init (SmCredentialsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * sm_credentials_dialog_new:
 * @parent: the window the dialog is modal for
 * @network: the network that needs credentials
 * @reason: (nullable): why they are needed, in words
 * @needs_secret: whether the network's token call needs a client secret
 *
 * Returns: (transfer none): a new dialog, not yet shown
 */
GtkWidget *
sm_credentials_dialog_new (GtkWindow  *parent,
                           SmNetwork   network,
                           const char *reason,
                           gboolean    needs_secret)
{
  SmCredentialsDialog *self;
  const char *name = sm_network_display_name (network);
  g_autofree char *heading = NULL;
  g_autofree char *help = NULL;
  g_autofree char *body = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (SM_TYPE_CREDENTIALS_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->network = network;
  self->needs_secret = needs_secret;

  /* Translators: dialog heading, "Connect to X With Your Own App" */
  heading = g_strdup_printf (_("Connect to %s With Your Own App"), name);
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);

  /* Translators: %s is a network's name */
  help = g_strdup_printf (_("This copy of So-me Studio has no app registered with %s. Register one "
                            "in its developer portal with the redirect address http://127.0.0.1, then "
                            "enter its client ID and secret. They are kept in your keyring."),
                          name);
  if (reason != NULL && *reason != '\0')
    body = g_strdup_printf ("%s\n\n%s", reason, help);
  else
    body = g_steal_pointer (&help);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  /* Public clients (X with PKCE) work without one; confidential ones too. */
  if (!needs_secret)
    gtk_label_set_text_with_mnemonic (self->secret_label, _("Client _Secret (optional)"));
  entry_changed_cb (self);

  return GTK_WIDGET (self);
}

SmNetwork
sm_credentials_dialog_get_network (SmCredentialsDialog *self)
{
  g_return_val_if_fail (SM_IS_CREDENTIALS_DIALOG (self), SM_NETWORK_INVALID);

  return self->network;
}

const char *
sm_credentials_dialog_get_client_id (SmCredentialsDialog *self)
{
  g_return_val_if_fail (SM_IS_CREDENTIALS_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->client_id_entry));
}

const char *
sm_credentials_dialog_get_secret (SmCredentialsDialog *self)
{
  const char *secret;

  g_return_val_if_fail (SM_IS_CREDENTIALS_DIALOG (self), NULL);

  secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_entry));
  return *secret != '\0' ? secret : NULL;
}
