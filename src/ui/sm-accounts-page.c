/* sm-accounts-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-accounts"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sm-accounts-page.h"
#include "sm-connect.h"
#include "sm-credentials-dialog.h"
#include "sm-queue-dialog.h"
#include "sm-token-store.h"
#include "sm-ui-util.h"

/* Connecting one account: the browser dialog and the flow it waits for. */
typedef struct
{
  SmAccountsPage *self;
  SmNetwork       network;
  GCancellable   *cancellable;
  GtkWidget      *dialog;       /* borrowed; NULL once it is gone */
  GtkWidget      *copy_button;  /* borrowed, inside the dialog */
  char           *url;
} ConnectOp;

struct _SmAccountsPage
{
  AdwBin        parent_instance;

  /* template widgets */
  GtkBox       *groups_box;

  /* owned */
  SmStore      *store;
  gint64        workspace_id;   /* whose accounts; 0: the default one */
  GCancellable *cancellable;
  GCancellable *health_cancellable; /* the keyring read for the shown rows */
  GHashTable   *rows;           /* account id → its AdwActionRow (borrowed) */
  ConnectOp    *connect_op;     /* the one flow running, if any */
  GtkWidget    *token_dialog;   /* borrowed: the token dialog while it is open */
  char         *shown_key;      /* what the page shows, see accounts_key() */
  /* Networks for which the user entered credentials in this session: when
   * those are refused, the dialog says why instead of explaining anew. */
  gboolean      entered_credentials[SM_N_NETWORKS];
};

enum {
  ACCOUNTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SmAccountsPage, sm_accounts_page, ADW_TYPE_BIN)

/* The networks that can be connected from here, in this order. */
static const SmNetwork page_networks[] = {
  SM_NETWORK_X,
  SM_NETWORK_FACEBOOK,
  SM_NETWORK_INSTAGRAM,
  SM_NETWORK_LINKEDIN,
  SM_NETWORK_THREADS,
  SM_NETWORK_YOUTUBE,
  SM_NETWORK_TIKTOK,
  SM_NETWORK_WHATSAPP,
};

static GtkWindow *
get_parent_window (SmAccountsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
show_message (SmAccountsPage *self,
              const char     *heading,
              const char     *body)
{
  GtkWidget *dialog = adw_message_dialog_new (get_parent_window (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
connect_op_free (ConnectOp *op)
{
  if (op->dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (op->dialog, op);
      gtk_window_destroy (GTK_WINDOW (op->dialog));
    }
  g_clear_object (&op->cancellable);
  g_clear_object (&op->self);
  g_clear_pointer (&op->url, g_free);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConnectOp, connect_op_free)

/* ---- Saving the user's own app credentials ---------------------------- */

typedef struct
{
  SmNetwork            network;
  SmClientCredentials  creds;
} SaveCredsData;

static void
save_creds_data_free (SaveCredsData *data)
{
  g_free (data->creds.client_id);
  if (data->creds.client_secret != NULL)
    {
      memset (data->creds.client_secret, 0, strlen (data->creds.client_secret));
      g_free (data->creds.client_secret);
    }
  g_free (data);
}

static void
save_creds_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SaveCredsData *data = task_data;
  GError *error = NULL;

  if (!sm_token_store_save_credentials (data->network, &data->creds, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_creds_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SmAccountsPage *self = SM_ACCOUNTS_PAGE (source);
  g_autoptr(GError) error = NULL;
  SmNetwork network = GPOINTER_TO_INT (user_data);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, _("Could Not Save the Credentials"), error->message);
      return;
    }

  sm_accounts_page_connect (self, network);
}

static void
credentials_response_cb (SmCredentialsDialog *dialog,
                         const char          *response,
                         SmAccountsPage      *self)
{
  g_autoptr(GTask) task = NULL;
  SaveCredsData *data;
  const char *secret;

  if (g_strcmp0 (response, "save") != 0)
    return;

  data = g_new0 (SaveCredsData, 1);
  data->network = sm_credentials_dialog_get_network (dialog);
  data->creds.client_id = g_strstrip (g_strdup (sm_credentials_dialog_get_client_id (dialog)));
  secret = sm_credentials_dialog_get_secret (dialog);
  data->creds.client_secret = secret != NULL ? g_strstrip (g_strdup (secret)) : NULL;

  self->entered_credentials[data->network] = TRUE;
  task = g_task_new (self, self->cancellable, save_creds_done_cb, GINT_TO_POINTER (data->network));
  g_task_set_source_tag (task, credentials_response_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) save_creds_data_free);
  g_task_run_in_thread (task, save_creds_thread);
}

static void
ask_credentials (SmAccountsPage *self,
                 SmNetwork       network,
                 const char     *reason)
{
  SmPlatform *platform = sm_platform_get (network);
  const SmOAuthSpec *spec = platform != NULL ? sm_platform_get_oauth_spec (platform) : NULL;
  GtkWidget *dialog;

  dialog = sm_credentials_dialog_new (get_parent_window (self), network, reason,
                                      spec != NULL && spec->needs_secret);
  g_signal_connect_object (dialog, "response", G_CALLBACK (credentials_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Connecting -------------------------------------------------------- */

static void
copy_link_clicked_cb (GtkButton *button,
                      ConnectOp *op)
{
  if (op->url == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), op->url);
  gtk_button_set_label (button, _("Link Copied"));
}

static void
connect_url_cb (const char *url,
                gpointer    user_data)
{
  ConnectOp *op = user_data;

  g_free (op->url);
  op->url = g_strdup (url);
  if (op->copy_button != NULL)
    gtk_widget_set_sensitive (op->copy_button, TRUE);
}

static void
browser_dialog_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            ConnectOp        *op)
{
  /* Every response closes the dialog: forget it, and stop waiting. */
  g_signal_handlers_disconnect_by_data (dialog, op);
  op->dialog = NULL;
  op->copy_button = NULL;
  g_cancellable_cancel (op->cancellable);
}

static char *
describe_accounts (SmStore *store,
                   GArray  *ids)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(SmAccount) account = sm_store_get_account (store, g_array_index (ids, gint64, i), NULL);

      if (account == NULL)
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, account->name);
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
connect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ConnectOp) op = user_data;
  SmAccountsPage *self = op->self;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  if (self->connect_op == op)
    self->connect_op = NULL;

  ids = sm_connect_account_finish (result, &error);
  if (ids != NULL)
    {
      g_autofree char *names = describe_accounts (self->store, ids);
      /* Translators: toast, "Connected Jane Doe" */
      g_autofree char *title = g_strdup_printf (_("Connected %s"), names);

      sm_accounts_page_reload (self);
      g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG))
    {
      ask_credentials (self, op->network,
                       self->entered_credentials[op->network] ? error->message : NULL);
      return;
    }

  {
    /* Translators: dialog heading, "Could Not Connect to X" */
    g_autofree char *heading = g_strdup_printf (_("Could Not Connect to %s"),
                                                sm_network_display_name (op->network));

    show_message (self, heading, error->message);
  }
}

/* ---- Connecting with a token (WhatsApp) -------------------------------- */

/* The dialog and the check it runs; shared by the window (until it is
 * destroyed) and the check in flight. */
typedef struct
{
  SmAccountsPage *self;
  SmNetwork       network;
  GCancellable   *cancellable;
  GtkWidget      *window;        /* NULL once destroyed */
  GtkWidget      *id_row;
  GtkWidget      *token_row;
  GtkWidget      *error_label;
  GtkWidget      *connect_button;
  GtkWidget      *spinner;
} TokenDialog;

static void
token_dialog_clear (TokenDialog *dialog)
{
  g_clear_object (&dialog->self);
  g_clear_object (&dialog->cancellable);
}

static void
token_dialog_set_busy (TokenDialog *dialog,
                       gboolean     busy)
{
  /* The focus leaves an entry before it turns insensitive, or its cursor
   * keeps blinking without it (and GTK warns). */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (dialog->window), NULL);
  gtk_widget_set_sensitive (dialog->connect_button, !busy);
  gtk_widget_set_sensitive (dialog->id_row, !busy);
  gtk_widget_set_sensitive (dialog->token_row, !busy);
  gtk_widget_set_visible (dialog->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (dialog->spinner), busy);
}

static void
token_dialog_show_error (TokenDialog *dialog,
                         const char  *message)
{
  gtk_label_set_text (GTK_LABEL (dialog->error_label), message);
  gtk_widget_set_visible (dialog->error_label, message != NULL);
}

/* Focus leaves the entries first: GTK warns about a GtkText destroyed while
 * it still has the focus. */
static void
token_dialog_close (GtkWidget *window)
{
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
token_connect_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  TokenDialog *dialog = user_data;
  SmAccountsPage *self = dialog->self;
  g_autoptr(GError) error = NULL;
  gint64 id = sm_connect_account_with_token_finish (result, &error);

  if (dialog->window != NULL)
    {
      token_dialog_set_busy (dialog, FALSE);
      if (id == 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          token_dialog_show_error (dialog, error->message);
          gtk_widget_grab_focus (dialog->token_row);
        }
    }

  if (id != 0)
    {
      g_autoptr(SmAccount) account = sm_store_get_account (self->store, id, NULL);
      /* Translators: toast, "Connected Sandbox Bakery" */
      g_autofree char *title = g_strdup_printf (_("Connected %s"), account ? account->name : "");

      if (dialog->window != NULL)
        token_dialog_close (dialog->window);
      sm_accounts_page_reload (self);
      g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
      sm_ui_show_toast (GTK_WIDGET (self), title);
    }

  g_rc_box_release_full (dialog, (GDestroyNotify) token_dialog_clear);
}

static void
token_connect_clicked_cb (GtkButton   *button,
                          TokenDialog *dialog)
{
  g_autofree char *id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (dialog->id_row))));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (dialog->token_row));

  if (*id == '\0' || *token == '\0')
    {
      token_dialog_show_error (dialog, _("Enter both the phone number ID and the access token."));
      return;
    }

  token_dialog_show_error (dialog, NULL);
  token_dialog_set_busy (dialog, TRUE);
  /* The check runs on a worker; the dialog stays, to show what the
   * network says. */
  sm_connect_account_with_token_async (dialog->self->store, dialog->self->workspace_id,
                                       dialog->network, id, token,
                                       dialog->cancellable, token_connect_done_cb,
                                       g_rc_box_acquire (dialog));
}

static void
token_dialog_destroy_cb (GtkWidget   *window,
                         TokenDialog *dialog)
{
  if (dialog->self->token_dialog == window)
    dialog->self->token_dialog = NULL;
  dialog->window = NULL;
  g_cancellable_cancel (dialog->cancellable);
  g_rc_box_release_full (dialog, (GDestroyNotify) token_dialog_clear);
}

static void
ask_token (SmAccountsPage *self,
           SmNetwork       network,
           const char     *remote_id)
{
  const char *name = sm_network_display_name (network);
  TokenDialog *dialog;
  GtkWidget *box, *header, *cancel, *content, *intro, *group;
  g_autofree char *title = NULL;

  if (self->token_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->token_dialog));
      return;
    }

  dialog = g_rc_box_new0 (TokenDialog);
  dialog->self = g_object_ref (self);
  dialog->network = network;
  dialog->cancellable = g_cancellable_new ();

  dialog->window = adw_window_new ();
  self->token_dialog = dialog->window;
  /* Translators: a dialog's title, "Connect WhatsApp Business" */
  title = g_strdup_printf (_("Connect %s"), name);
  gtk_window_set_title (GTK_WINDOW (dialog->window), title);
  gtk_window_set_modal (GTK_WINDOW (dialog->window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog->window), get_parent_window (self));
  gtk_window_set_default_size (GTK_WINDOW (dialog->window), 480, -1);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog->window), TRUE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (token_dialog_close), dialog->window);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  dialog->connect_button = gtk_button_new_with_mnemonic (_("C_onnect"));
  gtk_widget_add_css_class (dialog->connect_button, "suggested-action");
  g_signal_connect (dialog->connect_button, "clicked", G_CALLBACK (token_connect_clicked_cb), dialog);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), dialog->connect_button);
  dialog->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (dialog->spinner, FALSE);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), dialog->spinner);
  gtk_box_append (GTK_BOX (box), header);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  intro = gtk_label_new (_("WhatsApp Business has no sign-in in the browser. Enter the phone number "
                           "ID shown in WhatsApp Manager under API Setup, and a system-user access "
                           "token with the whatsapp_business_messaging permission. The token is "
                           "checked with WhatsApp, then kept in your keyring."));
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_box_append (GTK_BOX (content), intro);

  group = adw_preferences_group_new ();
  dialog->id_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (dialog->id_row), _("Phone Number ID"));
  gtk_editable_set_text (GTK_EDITABLE (dialog->id_row), remote_id != NULL ? remote_id : "");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), dialog->id_row);
  dialog->token_row = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (dialog->token_row), _("Access Token"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (dialog->token_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), dialog->token_row);
  gtk_box_append (GTK_BOX (content), group);

  dialog->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (dialog->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (dialog->error_label), 0);
  gtk_label_set_selectable (GTK_LABEL (dialog->error_label), TRUE);
  gtk_widget_add_css_class (dialog->error_label, "error");
  gtk_widget_set_visible (dialog->error_label, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dialog->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("What went wrong"), -1);
  gtk_box_append (GTK_BOX (content), dialog->error_label);

  gtk_box_append (GTK_BOX (box), content);
  adw_window_set_content (ADW_WINDOW (dialog->window), box);
  gtk_window_set_default_widget (GTK_WINDOW (dialog->window), dialog->connect_button);

  g_signal_connect (dialog->window, "destroy", G_CALLBACK (token_dialog_destroy_cb), dialog);
  gtk_window_present (GTK_WINDOW (dialog->window));
  gtk_widget_grab_focus (remote_id != NULL ? dialog->token_row : dialog->id_row);
}

/* ---- Disconnecting ----------------------------------------------------- */

typedef struct
{
  char   *store_dir;
  gint64  account_id;
  char   *name;
} DisconnectData;

static void
disconnect_data_free (DisconnectData *data)
{
  g_free (data->store_dir);
  g_free (data->name);
  g_free (data);
}

/* A store is used by one thread: the worker opens its own on the same
 * database, and SQLite arbitrates. */
static void
disconnect_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  DisconnectData *data = task_data;
  g_autoptr(SmStore) store = NULL;
  GError *error = NULL;

  store = sm_store_open (data->store_dir, &error);
  if (store == NULL || !sm_disconnect_account (store, data->account_id, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
disconnect_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SmAccountsPage *self = SM_ACCOUNTS_PAGE (source);
  DisconnectData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Rebuild even if nothing changed: the row was greyed out. */
      g_clear_pointer (&self->shown_key, g_free);
      sm_accounts_page_reload (self);
      show_message (self, _("Could Not Disconnect the Account"), error->message);
      return;
    }

  sm_accounts_page_reload (self);
  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
  {
    /* Translators: toast, "Disconnected Jane Doe" */
    g_autofree char *title = g_strdup_printf (_("Disconnected %s"), data->name);

    sm_ui_show_toast (GTK_WIDGET (self), title);
  }
}

static void
disconnect_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        SmAccountsPage   *self)
{
  g_autoptr(GTask) task = NULL;
  DisconnectData *data;
  GtkWidget *row;

  if (g_strcmp0 (response, "disconnect") != 0)
    return;

  data = g_new0 (DisconnectData, 1);
  data->store_dir = g_strdup (sm_store_get_dir (self->store));
  data->account_id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "sm-account-id");
  data->name = g_strdup (g_object_get_data (G_OBJECT (dialog), "sm-account-name"));

  /* The row waits, greyed out, until the account is gone. */
  row = g_object_get_data (G_OBJECT (dialog), "sm-row");
  if (row != NULL)
    gtk_widget_set_sensitive (row, FALSE);

  task = g_task_new (self, self->cancellable, disconnect_done_cb, NULL);
  g_task_set_source_tag (task, disconnect_response_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) disconnect_data_free);
  g_task_run_in_thread (task, disconnect_thread);
}

static void
disconnect_clicked_cb (GtkButton      *button,
                       SmAccountsPage *self)
{
  gint64 *account_id = g_object_get_data (G_OBJECT (button), "sm-account-id");
  g_autoptr(SmAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *row;

  account = sm_store_get_account (self->store, *account_id, &error);
  if (account == NULL)
    {
      sm_accounts_page_reload (self);
      return;
    }

  /* Translators: dialog heading, "Disconnect Jane Doe?" */
  heading = g_strdup_printf (_("Disconnect %s?"), account->name);
  if (sm_platform_get (account->network) != NULL
      && !sm_platform_uses_oauth (sm_platform_get (account->network)))
    body = g_strdup (_("Posts still planned for this account will be removed, and its access token "
                       "removed from the keyring; the token itself stays valid until you revoke it "
                       "in Meta Business Settings. You can connect the account again later."));
  else
    /* Translators: %s is a network's name */
    body = g_strdup_printf (_("Posts still planned for this account will be removed, and %s will be "
                              "asked to revoke So-me Studio’s access. You can connect the account again later."),
                            sm_network_display_name (account->network));
  dialog = adw_message_dialog_new (get_parent_window (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "disconnect", _("_Disconnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "disconnect",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  g_object_set_data_full (G_OBJECT (dialog), "sm-account-id",
                          g_memdup2 (account_id, sizeof *account_id), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "sm-account-name", g_strdup (account->name), g_free);
  if (row != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "sm-row", g_object_ref (row), g_object_unref);

  g_signal_connect_object (dialog, "response", G_CALLBACK (disconnect_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
connect_clicked_cb (GtkButton      *button,
                    SmAccountsPage *self)
{
  SmNetwork network = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sm-network"));
  const char *remote_id = g_object_get_data (G_OBJECT (button), "sm-remote-id");
  SmPlatform *platform = sm_platform_get (network);

  /* A reconnect with a token keeps the phone number id. */
  if (remote_id != NULL && platform != NULL && !sm_platform_uses_oauth (platform))
    ask_token (self, network, remote_id);
  else
    sm_accounts_page_connect (self, network);
}

static void
posting_times_clicked_cb (GtkButton      *button,
                          SmAccountsPage *self)
{
  gint64 *account_id = g_object_get_data (G_OBJECT (button), "sm-account-id");

  gtk_window_present (GTK_WINDOW (sm_queue_dialog_new (get_parent_window (self), self->store,
                                                       *account_id)));
}

/* ---- Token health ------------------------------------------------------- */

/* What the keyring says about an account's access, for people. */
typedef enum
{
  HEALTH_RENEWS,        /* a refresh token (or Threads' own renewal) */
  HEALTH_NO_EXPIRY,     /* a token that does not expire */
  HEALTH_EXPIRES,       /* cannot be renewed; expires later */
  HEALTH_EXPIRES_SOON,  /* cannot be renewed; expires within a week */
  HEALTH_EXPIRED,
  HEALTH_MISSING,       /* no token in the keyring */
  HEALTH_UNKNOWN,       /* the keyring could not be read */
} Health;

#define HEALTH_SOON_US (7 * G_TIME_SPAN_DAY)

typedef struct
{
  gint64     account_id;
  SmNetwork  network;
  char      *remote_id;
  Health     health;
  gint64     expires_at_us;
} HealthItem;

static void
health_item_free (HealthItem *item)
{
  g_free (item->remote_id);
  g_free (item);
}

/* Whether So-me Studio renews the access by itself (sm_account_get_tokens):
 * with a refresh token, or Threads' long-lived token renewed with itself. */
static gboolean
renews_itself (SmNetwork       network,
               const SmTokens *tokens)
{
  return tokens->refresh_token != NULL || network == SM_NETWORK_THREADS;
}

static void
health_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GPtrArray *items = task_data;
  const char *profile = g_object_get_data (G_OBJECT (task), "sm-profile");
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < items->len; i++)
    {
      HealthItem *item = g_ptr_array_index (items, i);
      g_autoptr(SmTokens) tokens = NULL;
      g_autoptr(GError) error = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      /* Tokens stay in this thread: only what they say goes back. */
      tokens = sm_token_store_load (profile, item->network, item->remote_id, cancellable, &error);
      if (tokens == NULL)
        {
          item->health = g_error_matches (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED)
                         ? HEALTH_MISSING : HEALTH_UNKNOWN;
          if (item->health == HEALTH_UNKNOWN)
            g_debug ("Could not read the keyring: %s", error->message);
          continue;
        }
      item->expires_at_us = tokens->expires_at_us;
      if (tokens->expires_at_us != 0 && tokens->expires_at_us <= now)
        /* Threads renews only a token that still works. */
        item->health = tokens->refresh_token != NULL ? HEALTH_RENEWS : HEALTH_EXPIRED;
      else if (renews_itself (item->network, tokens))
        item->health = HEALTH_RENEWS;
      else if (tokens->expires_at_us == 0)
        item->health = HEALTH_NO_EXPIRY;
      else if (tokens->expires_at_us - now <= HEALTH_SOON_US)
        item->health = HEALTH_EXPIRES_SOON;
      else
        item->health = HEALTH_EXPIRES;
    }

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_boolean (task, TRUE);
}

/* The line a row shows about its access. */
static char *
health_text (const HealthItem *item)
{
  gint64 left = item->expires_at_us - g_get_real_time ();
  int days = (int) MAX (1, (left + G_TIME_SPAN_DAY - 1) / G_TIME_SPAN_DAY);

  switch (item->health)
    {
    case HEALTH_RENEWS:
      return g_strdup (_("Signed in · renews automatically"));
    case HEALTH_NO_EXPIRY:
      return g_strdup (_("Signed in · does not expire"));
    case HEALTH_EXPIRES:
      {
        g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (item->expires_at_us / G_USEC_PER_SEC);
        /* Translators: a date, see strftime(3) */
        g_autofree char *date = g_date_time_format (when, _("%-d %B %Y"));

        /* Translators: "Signed in · expires on 3 March 2027; reconnect before then" */
        return g_strdup_printf (_("Signed in · expires on %s; reconnect before then"), date);
      }
    case HEALTH_EXPIRES_SOON:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Access expires in %d day — reconnect before then",
                                           "Access expires in %d days — reconnect before then",
                                           days),
                              days);
    case HEALTH_EXPIRED:
      return g_strdup (_("Access expired — reconnect to post again"));
    case HEALTH_MISSING:
      return g_strdup (_("No token in the keyring — reconnect"));
    case HEALTH_UNKNOWN:
    default:
      return g_strdup (_("Could not read the keyring; unlock it to see the sign-in’s state"));
    }
}

static void
health_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SmAccountsPage *self;
  GPtrArray *items;

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;   /* cancelled: the page was rebuilt or went away */

  self = SM_ACCOUNTS_PAGE (source);
  items = g_task_get_task_data (G_TASK (result));
  for (guint i = 0; i < items->len; i++)
    {
      HealthItem *item = g_ptr_array_index (items, i);
      AdwActionRow *row = g_hash_table_lookup (self->rows, &item->account_id);
      const char *handle;
      g_autofree char *text = NULL;
      g_autofree char *subtitle = NULL;
      gboolean warn;

      if (row == NULL || g_object_get_data (G_OBJECT (row), "sm-needs-reconnect") != NULL)
        continue;
      handle = g_object_get_data (G_OBJECT (row), "sm-handle");
      text = health_text (item);
      if (handle != NULL && *handle != '\0')
        /* Translators: a row's subtitle, "@jane · Signed in · renews automatically" */
        subtitle = g_strdup_printf (_("%s · %s"), handle, text);
      else
        subtitle = g_steal_pointer (&text);
      adw_action_row_set_subtitle (row, subtitle);

      warn = item->health == HEALTH_EXPIRES_SOON || item->health == HEALTH_EXPIRED ||
             item->health == HEALTH_MISSING;
      if (warn && g_object_get_data (G_OBJECT (row), "sm-warned") == NULL)
        {
          GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

          gtk_widget_add_css_class (icon, "warning");
          gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
          adw_action_row_add_prefix (row, icon);
          g_object_set_data (G_OBJECT (row), "sm-warned", GINT_TO_POINTER (TRUE));
          gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "sm-reconnect-button"), TRUE);
        }
    }
}

/* Reads each shown account's tokens off the main thread and says in its
 * row what they mean; the tokens themselves never leave the worker. */
static void
read_health (SmAccountsPage *self,
             GPtrArray      *accounts)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *items;

  g_cancellable_cancel (self->health_cancellable);
  g_clear_object (&self->health_cancellable);
  if (accounts == NULL || accounts->len == 0)
    return;

  self->health_cancellable = g_cancellable_new ();
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) health_item_free);
  for (guint i = 0; i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);
      HealthItem *item = g_new0 (HealthItem, 1);

      item->account_id = account->id;
      item->network = account->network;
      item->remote_id = g_strdup (account->remote_id);
      g_ptr_array_add (items, item);
    }

  task = g_task_new (self, self->health_cancellable, health_done_cb, NULL);
  g_task_set_source_tag (task, read_health);
  g_task_set_task_data (task, items, (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data_full (G_OBJECT (task), "sm-profile",
                          g_strdup (sm_store_get_dir (self->store)), g_free);
  g_task_run_in_thread (task, health_thread);
}

/* ---- Building the page ------------------------------------------------- */

static GtkWidget *
build_account_row (SmAccountsPage  *self,
                   const SmAccount *account)
{
  const char *network = sm_network_display_name (account->network);
  g_autofree char *disconnect_label = NULL;
  GtkWidget *row, *button;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), account->name);
  g_object_set_data_full (G_OBJECT (row), "sm-handle", g_strdup (account->handle), g_free);
  g_hash_table_insert (self->rows, g_memdup2 (&account->id, sizeof account->id), row);

  if (account->state == SM_ACCOUNT_NEEDS_RECONNECT)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      g_autofree char *reconnect_label = NULL;
      g_autofree char *subtitle = NULL;

      gtk_widget_add_css_class (icon, "warning");
      gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      g_object_set_data (G_OBJECT (row), "sm-needs-reconnect", GINT_TO_POINTER (TRUE));

      /* The state goes in the subtitle, so that narrow windows keep room
       * for the name. */
      if (account->handle != NULL && *account->handle != '\0')
        /* Translators: a row's subtitle, "@jane · Needs reconnecting" */
        subtitle = g_strdup_printf (_("%s · Needs reconnecting"), account->handle);
      else
        subtitle = g_strdup (_("Needs reconnecting"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      button = gtk_button_new_with_mnemonic (_("_Reconnect…"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "suggested-action");
      /* Translators: accessible name of a button, "Reconnect Jane Doe on X" */
      reconnect_label = g_strdup_printf (_("Reconnect %s on %s"), account->name, network);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, reconnect_label,
                                      -1);
      if (sm_platform_get (account->network) != NULL
          && !sm_platform_uses_oauth (sm_platform_get (account->network)))
        gtk_widget_set_tooltip_text (button, _("The network no longer accepts the access token; enter a new one"));
      else
        gtk_widget_set_tooltip_text (button, _("The network no longer accepts So-me Studio’s access; sign in again in your browser"));
      g_object_set_data (G_OBJECT (button), "sm-network", GINT_TO_POINTER (account->network));
      g_object_set_data_full (G_OBJECT (button), "sm-remote-id", g_strdup (account->remote_id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (connect_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  else
    {
      g_autofree char *subtitle = NULL;
      g_autofree char *reconnect_label = NULL;

      if (account->handle != NULL && *account->handle != '\0')
        /* Translators: a row's subtitle, "@jane · Connected" */
        subtitle = g_strdup_printf (_("%s · Connected"), account->handle);
      else
        subtitle = g_strdup (_("Connected"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      /* Shown when the keyring says the sign-in needs the user
       * (health_done_cb). */
      button = gtk_button_new_with_mnemonic (_("_Reconnect…"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_visible (button, FALSE);
      /* Translators: accessible name of a button, "Reconnect Jane Doe on X" */
      reconnect_label = g_strdup_printf (_("Reconnect %s on %s"), account->name, network);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, reconnect_label,
                                      -1);
      gtk_widget_set_tooltip_text (button, _("Sign in again, before So-me Studio’s access ends"));
      g_object_set_data (G_OBJECT (button), "sm-network", GINT_TO_POINTER (account->network));
      g_object_set_data_full (G_OBJECT (button), "sm-remote-id", g_strdup (account->remote_id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (connect_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      g_object_set_data (G_OBJECT (row), "sm-reconnect-button", button);
    }

  /* Posting Times: the account's queue slots (sm-queue-dialog.c). */
  {
    g_autofree char *times_label = NULL;

    button = gtk_button_new_from_icon_name ("alarm-symbolic");
    gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
    gtk_widget_add_css_class (button, "flat");
    /* Translators: a button's tooltip and accessible name, "Posting Times for Jane Doe on X…" */
    times_label = g_strdup_printf (_("Posting Times for %s on %s…"), account->name, network);
    gtk_widget_set_tooltip_text (button, times_label);
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, times_label,
                                    -1);
    g_object_set_data_full (G_OBJECT (button), "sm-account-id",
                            g_memdup2 (&account->id, sizeof account->id), g_free);
    g_signal_connect (button, "clicked", G_CALLBACK (posting_times_clicked_cb), self);
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  }

  /* An icon, labelled for screen readers and in its tooltip: on a narrow
   * window the account's name needs the room. */
  button = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* Translators: a button's tooltip and accessible name, "Disconnect Jane Doe from X…" */
  disconnect_label = g_strdup_printf (_("Disconnect %s from %s…"), account->name, network);
  gtk_widget_set_tooltip_text (button, disconnect_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, disconnect_label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "sm-account-id",
                          g_memdup2 (&account->id, sizeof account->id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (disconnect_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static GtkWidget *
build_network_group (SmAccountsPage *self,
                     SmNetwork       network,
                     GPtrArray      *accounts)
{
  const char *name = sm_network_display_name (network);
  g_autofree char *connect_label = NULL;
  GtkWidget *group, *button;
  guint n = 0;

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), name);

  button = gtk_button_new_with_label (_("Connect…"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* Translators: accessible name of a button, "Connect an account on X" */
  connect_label = g_strdup_printf (_("Connect an account on %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, connect_label,
                                  -1);
  gtk_widget_set_tooltip_text (button, connect_label);
  g_object_set_data (G_OBJECT (button), "sm-network", GINT_TO_POINTER (network));
  g_signal_connect (button, "clicked", G_CALLBACK (connect_clicked_cb), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), button);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);

      if (account->network != network)
        continue;
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), build_account_row (self, account));
      n++;
    }

  if (n == 0)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                           _("No account connected."));

  return group;
}

/* Everything the page shows, so that a reload that finds nothing new leaves
 * the widgets (and the keyboard focus) alone. */
static char *
accounts_key (GPtrArray *accounts)
{
  GString *key = g_string_new ("accounts");

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);

      g_string_append_printf (key, "|%" G_GINT64_FORMAT ":%d:%d:%s:%s", account->id,
                              account->network, account->state, account->name, account->handle);
    }

  return g_string_free (key, FALSE);
}

static void
sm_accounts_page_finalize (GObject *object)
{
  SmAccountsPage *self = (SmAccountsPage *) object;

  g_clear_pointer (&self->shown_key, g_free);
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (sm_accounts_page_parent_class)->finalize (object);
}

static void
sm_accounts_page_dispose (GObject *object)
{
  SmAccountsPage *self = (SmAccountsPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->health_cancellable);
  g_clear_object (&self->health_cancellable);
  if (self->token_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->token_dialog));
  if (self->connect_op != NULL)
    g_cancellable_cancel (self->connect_op->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_accounts_page_parent_class)->dispose (object);
}

static void
sm_accounts_page_class_init (SmAccountsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_accounts_page_dispose;
  object_class->finalize = sm_accounts_page_finalize;

  /**
   * SmAccountsPage::accounts-changed:
   *
   * An account was connected or disconnected.
   */
  signals[ACCOUNTS_CHANGED] =
    g_signal_new ("accounts-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-accounts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SmAccountsPage, groups_box);
}

static void
sm_accounts_page_init (SmAccountsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/**
 * sm_accounts_page_set_store:
 * @self: a #SmAccountsPage
 * @store: the profile's store
 */
void
sm_accounts_page_set_store (SmAccountsPage *self,
                            SmStore        *store)
{
  g_return_if_fail (SM_IS_ACCOUNTS_PAGE (self));
  g_return_if_fail (SM_IS_STORE (store));

  if (g_set_object (&self->store, store))
    sm_accounts_page_reload (self);
}

/**
 * sm_accounts_page_set_workspace:
 * @self: a #SmAccountsPage
 * @workspace_id: whose accounts to show, and where new ones go (0: the
 *   default workspace)
 */
void
sm_accounts_page_set_workspace (SmAccountsPage *self,
                                gint64          workspace_id)
{
  g_return_if_fail (SM_IS_ACCOUNTS_PAGE (self));

  if (self->workspace_id == workspace_id)
    return;
  self->workspace_id = workspace_id;
  sm_accounts_page_reload (self);
}

void
sm_accounts_page_reload (SmAccountsPage *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  GtkWidget *child;

  g_return_if_fail (SM_IS_ACCOUNTS_PAGE (self));

  if (self->store == NULL)
    return;

  accounts = sm_store_list_accounts_in (self->store, self->workspace_id, &error);
  if (accounts == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not read the accounts: %s"), error->message);

      sm_ui_show_toast (GTK_WIDGET (self), title);
    }

  key = accounts_key (accounts);
  if (g_strcmp0 (key, self->shown_key) == 0)
    {
      /* The same rows; what the keyring says may have changed. */
      read_health (self, accounts);
      return;
    }
  g_free (self->shown_key);
  self->shown_key = g_steal_pointer (&key);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box))) != NULL)
    gtk_box_remove (self->groups_box, child);
  g_hash_table_remove_all (self->rows);

  for (guint i = 0; i < G_N_ELEMENTS (page_networks); i++)
    gtk_box_append (self->groups_box, build_network_group (self, page_networks[i], accounts));
  read_health (self, accounts);
}

/**
 * sm_accounts_page_connect:
 * @self: a #SmAccountsPage
 * @network: the network to connect an account on
 *
 * Runs the browser sign-in for @network while a dialog says so; on success
 * the new accounts appear and ::accounts-changed is emitted.  When the app
 * has no credentials for @network, asks for the user's own and retries.  A
 * network without OAuth (WhatsApp) gets a dialog for its id and token
 * instead, checked with the network before anything is saved.
 */
void
sm_accounts_page_connect (SmAccountsPage *self,
                          SmNetwork       network)
{
  ConnectOp *op;
  GtkWidget *dialog, *box, *spinner;
  g_autofree char *body = NULL;

  g_return_if_fail (SM_IS_ACCOUNTS_PAGE (self));
  g_return_if_fail (self->store != NULL);

  if (sm_platform_get (network) != NULL && !sm_platform_uses_oauth (sm_platform_get (network)))
    {
      ask_token (self, network, NULL);
      return;
    }

  if (self->connect_op != NULL)
    {
      if (self->connect_op->dialog != NULL)
        gtk_window_present (GTK_WINDOW (self->connect_op->dialog));
      return;
    }

  op = g_new0 (ConnectOp, 1);
  op->self = g_object_ref (self);
  op->network = network;
  op->cancellable = g_cancellable_new ();
  self->connect_op = op;

  /* Translators: %s is a network's name */
  body = g_strdup_printf (_("Sign in to %s in your browser and allow So-me Studio to post for you. "
                            "This dialog closes by itself when you are done."),
                          sm_network_display_name (network));
  dialog = adw_message_dialog_new (get_parent_window (self), _("Continue in Your Browser"), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), spinner);
  op->copy_button = gtk_button_new_with_mnemonic (_("Copy Sign-In _Link"));
  gtk_widget_set_halign (op->copy_button, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (op->copy_button, FALSE);
  gtk_widget_set_tooltip_text (op->copy_button,
                               _("Copy the sign-in address, to open it in another browser"));
  g_signal_connect (op->copy_button, "clicked", G_CALLBACK (copy_link_clicked_cb), op);
  gtk_box_append (GTK_BOX (box), op->copy_button);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  op->dialog = dialog;
  g_signal_connect (dialog, "response", G_CALLBACK (browser_dialog_response_cb), op);
  gtk_window_present (GTK_WINDOW (dialog));

  sm_connect_account_async (self->store, self->workspace_id, network, TRUE,
                            connect_url_cb, op,
                            op->cancellable,
                            connect_done_cb, op);
}
