/* sm-oauth.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-oauth"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "sm-oauth.h"

struct _SmOAuthListener
{
  GObject     parent_instance;

  SoupServer *server;
  char       *expected_state;
  char       *redirect_uri;
  GMainContext *context;     /* where the server runs */
  GTask      *task;          /* the pending wait, if any */
  gulong      cancel_id;
};

G_DEFINE_FINAL_TYPE (SmOAuthListener, sm_oauth_listener, G_TYPE_OBJECT)

static char *
base64url (const guint8 *data,
           gsize         len)
{
  char *b64 = g_base64_encode (data, len);

  for (char *p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return b64;
}

char *
sm_oauth_random_string (gsize n_bytes)
{
  g_autofree guint8 *buf = g_malloc (n_bytes);
  gsize got = 0;

  while (got < n_bytes)
    {
      gssize r = getrandom (buf + got, n_bytes - got, 0);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom failed: %s", g_strerror (errno));
        }
      got += (gsize) r;
    }
  return base64url (buf, n_bytes);
}

char *
sm_oauth_pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (sum, (const guchar *) verifier, -1);
  g_checksum_get_digest (sum, digest, &len);
  return base64url (digest, len);
}

/* Compares without an early exit, so timing says nothing about the state. */
static gboolean
strings_equal_const_time (const char *a,
                          const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < la; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i % MAX (lb, 1)];
  return diff == 0;
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *title,
         const char        *body)
{
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_body = g_markup_escape_text (body, -1);
  g_autofree char *html = g_strdup_printf ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                                           "<title>%s</title></head><body style=\"font-family:sans-serif;"
                                           "margin:3em\"><h1>%s</h1><p>%s</p></body></html>",
                                           escaped_title, escaped_title, escaped_body);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    html, strlen (html));
}

static void
finish_task (SmOAuthListener *self,
             char            *code,
             GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    {
      g_free (code);
      g_clear_error (&error);
      return;
    }
  g_cancellable_disconnect (g_task_get_cancellable (task), self->cancel_id);
  self->cancel_id = 0;
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, code, g_free);
}

static void
callback_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  SmOAuthListener *self = user_data;
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *err = query ? g_hash_table_lookup (query, "error") : NULL;

  if (g_strcmp0 (path, "/callback") != 0)
    {
      respond (msg, SOUP_STATUS_NOT_FOUND, _("Not found"), _("This address is not part of the sign-in."));
      return;
    }

  if (state == NULL || !strings_equal_const_time (state, self->expected_state))
    {
      respond (msg, SOUP_STATUS_BAD_REQUEST, _("Sign-in not recognised"),
               _("This answer does not belong to the sign-in So-me Studio started. Start again from the app."));
      return;
    }

  if (err != NULL)
    {
      const char *desc = g_hash_table_lookup (query, "error_description");

      respond (msg, SOUP_STATUS_OK, _("Sign-in cancelled"),
               _("You can close this page and return to So-me Studio."));
      finish_task (self, NULL,
                   g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                _("The network did not grant access (%s)."),
                                desc ? desc : err));
      return;
    }
  if (code == NULL || *code == '\0')
    {
      respond (msg, SOUP_STATUS_BAD_REQUEST, _("Sign-in failed"),
               _("The network sent no authorization code."));
      return;
    }

  respond (msg, SOUP_STATUS_OK, _("Signed in"),
           _("So-me Studio is connected. You can close this page."));
  finish_task (self, g_strdup (code), NULL);
}

static void
sm_oauth_listener_dispose (GObject *object)
{
  SmOAuthListener *self = SM_OAUTH_LISTENER (object);

  if (self->server)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->task)
    finish_task (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("The sign-in was cancelled.")));

  G_OBJECT_CLASS (sm_oauth_listener_parent_class)->dispose (object);
}

static void
sm_oauth_listener_finalize (GObject *object)
{
  SmOAuthListener *self = SM_OAUTH_LISTENER (object);

  g_clear_pointer (&self->expected_state, g_free);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (sm_oauth_listener_parent_class)->finalize (object);
}

static void
sm_oauth_listener_class_init (SmOAuthListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_oauth_listener_dispose;
  object_class->finalize = sm_oauth_listener_finalize;
}

static void
sm_oauth_listener_init (SmOAuthListener *self)
{
}

SmOAuthListener *
sm_oauth_listener_new (const char  *expected_state,
                       GError     **error)
{
  g_autoptr(SmOAuthListener) self = g_object_new (SM_TYPE_OAUTH_LISTENER, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;

  g_return_val_if_fail (expected_state != NULL, NULL);

  self->expected_state = g_strdup (expected_state);
  self->context = g_main_context_ref_thread_default ();
  self->server = soup_server_new ("server-header", "so-me-studio", NULL);
  soup_server_add_handler (self->server, NULL, callback_cb, self, NULL);
  if (!soup_server_listen (self->server, address, 0, error))
    return NULL;

  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);
  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%d/callback",
                                        g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return g_steal_pointer (&self);
}

const char *
sm_oauth_listener_get_redirect_uri (SmOAuthListener *self)
{
  g_return_val_if_fail (SM_IS_OAUTH_LISTENER (self), NULL);
  return self->redirect_uri;
}

static gboolean
cancelled_idle_cb (gpointer data)
{
  SmOAuthListener *self = data;

  finish_task (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                _("The sign-in was cancelled.")));
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable    *cancellable,
              SmOAuthListener *self)
{
  /* May run in any thread and with the cancellable's lock held. */
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Always from an idle, even on our own thread: finishing disconnects
   * from the cancellable, which must not happen inside its handler. */
  g_source_set_callback (source, cancelled_idle_cb, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->context);
}

void
sm_oauth_listener_wait_async (SmOAuthListener     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SM_IS_OAUTH_LISTENER (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, sm_oauth_listener_wait_async);
  if (cancellable)
    self->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
}

char *
sm_oauth_listener_wait_finish (SmOAuthListener  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
