/* sm-connect.c — connecting and disconnecting accounts, and keeping their
 * tokens fresh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-connect"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-connect.h"
#include "sm-http.h"
#include "sm-oauth.h"
#include "sm-token-store.h"

/* How long before expiry a token is refreshed.  Short-lived tokens (X, 2 h)
 * just ahead of time; long-lived ones (Threads, 60 days, which can only be
 * renewed while still valid) a week ahead, so that a user who posts once a
 * month never has to reconnect. */
static gint64
refresh_ahead_us (SmNetwork network)
{
  switch (network)
    {
    case SM_NETWORK_THREADS:
    case SM_NETWORK_LINKEDIN:
    case SM_NETWORK_INSTAGRAM:
      return 7 * G_TIME_SPAN_DAY;
    default:
      return G_TIME_SPAN_MINUTE;
    }
}

static void cache_forget (const char      *profile,
                          const SmAccount *account);

typedef struct
{
  SmStore             *store;
  SmPlatform          *platform;
  SmClientCredentials *creds;
  SmOAuthListener     *listener;
  char                *verifier;
  char                *code;
  gint64        workspace_id;  /* 0: the default one */
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->creds, sm_client_credentials_free);
  g_clear_object (&data->listener);
  g_clear_pointer (&data->verifier, g_free);
  g_clear_pointer (&data->code, g_free);
  g_free (data);
}

static void
exchange_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ConnectData *data = task_data;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *profile = sm_store_get_dir (data->store);
  GError *error = NULL;
  gint64 workspace_id;

  infos = sm_platform_exchange_code (data->platform, session, data->creds, data->code,
                                     sm_oauth_listener_get_redirect_uri (data->listener),
                                     data->verifier, cancellable, &error);
  if (infos == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (infos->len == 0)
    {
      g_task_return_new_error (task, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                               _("The sign-in worked, but %s gave access to no account "
                                 "this app can post to."),
                               sm_network_display_name (sm_platform_get_network (data->platform)));
      return;
    }

  workspace_id = sm_store_resolve_workspace (data->store, data->workspace_id, NULL, &error);
  if (workspace_id == 0)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Tokens first: an account row without its token would look connected. */
  for (guint i = 0; i < infos->len; i++)
    {
      SmAccountInfo *info = g_ptr_array_index (infos, i);
      gint64 id;

      if (!sm_token_store_save (profile, info->network, info->remote_id, info->tokens,
                                cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      id = sm_store_upsert_account (data->store, workspace_id, info->network, info->remote_id,
                                    info->name, info->handle, &error);
      if (id == 0)
        {
          g_task_return_error (task, error);
          return;
        }
      g_array_append_val (ids, id);
      g_debug ("Connected %s account %" G_GINT64_FORMAT, sm_network_to_string (info->network), id);
    }

  g_task_return_pointer (task, g_steal_pointer (&ids), (GDestroyNotify) g_array_unref);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->code = sm_oauth_listener_wait_finish (SM_OAUTH_LISTENER (object), result, &error);
  if (data->code == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, exchange_thread);
}

static void
launch_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_debug ("Could not open the browser: %s", error->message);
}

void
sm_connect_account_async (SmStore             *store,
                          gint64               workspace_id,
                          SmNetwork            network,
                          gboolean             open_browser,
                          SmConnectUrlFunc     url_func,
                          gpointer             url_data,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *state = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *url = NULL;
  g_autofree char *resolved = NULL;
  SmPlatform *platform;
  ConnectData *data;
  GError *error = NULL;

  g_return_if_fail (SM_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_connect_account_async);

  platform = sm_platform_get (network);
  if (platform == NULL)
    {
      g_task_return_new_error (task, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                               _("Connecting %s accounts is not available yet."),
                               sm_network_display_name (network));
      return;
    }

  if (!sm_platform_uses_oauth (platform))
    {
      g_task_return_new_error (task, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                               _("%s accounts are connected with an access token, not in the "
                                 "browser."),
                               sm_network_display_name (network));
      return;
    }

  data = g_new0 (ConnectData, 1);
  data->store = g_object_ref (store);
  data->workspace_id = workspace_id;
  data->platform = platform;
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  data->creds = sm_token_store_load_credentials (network, cancellable, &error);
  if (data->creds == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state = sm_oauth_random_string (24);
  data->verifier = sm_oauth_random_string (48);
  if (sm_platform_get_oauth_spec (platform)->pkce)
    challenge = sm_oauth_pkce_challenge (data->verifier);

  data->listener = sm_oauth_listener_new (state, &error);
  if (data->listener == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  url = sm_platform_build_authorize_url (platform, data->creds,
                                         sm_oauth_listener_get_redirect_uri (data->listener),
                                         state, challenge);
  resolved = sm_http_resolve_url (url, &error);
  if (resolved == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  sm_oauth_listener_wait_async (data->listener, cancellable, wait_cb, g_object_ref (task));

  if (url_func)
    url_func (resolved, url_data);
  if (open_browser)
    g_app_info_launch_default_for_uri_async (resolved, NULL, cancellable, launch_cb, NULL);
}

GArray *
sm_connect_account_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  SmStore   *store;
  SmNetwork  network;
  char      *remote_id;
  char      *token;
  gint64        workspace_id;  /* 0: the default one */
} TokenConnectData;

static void
token_connect_data_free (TokenConnectData *data)
{
  g_clear_object (&data->store);
  g_free (data->remote_id);
  if (data->token != NULL)
    {
      memset (data->token, 0, strlen (data->token));
      g_free (data->token);
    }
  g_free (data);
}

static void
token_connect_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TokenConnectData *data = task_data;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SmAccountInfo) info = NULL;
  const char *profile = sm_store_get_dir (data->store);
  GError *error = NULL;
  gint64 workspace_id, id;

  info = sm_platform_connect_token (sm_platform_get (data->network), session, data->remote_id,
                                    data->token, cancellable, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  workspace_id = sm_store_resolve_workspace (data->store, data->workspace_id, NULL, &error);
  if (workspace_id == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Token first: an account row without its token would look connected. */
  if (!sm_token_store_save (profile, info->network, info->remote_id, info->tokens,
                            cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  id = sm_store_upsert_account (data->store, workspace_id, info->network, info->remote_id,
                                info->name, info->handle, &error);
  if (id == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  /* A reconnect with a new token (the upsert marked it connected again):
   * forget the refused one. */
  {
    g_autoptr(SmAccount) account = sm_store_get_account (data->store, id, NULL);

    if (account != NULL)
      cache_forget (profile, account);
  }
  g_debug ("Connected %s account %" G_GINT64_FORMAT " with a token",
           sm_network_to_string (info->network), id);
  g_task_return_int (task, id);
}

void
sm_connect_account_with_token_async (SmStore             *store,
                                     gint64               workspace_id,
                                     SmNetwork            network,
                                     const char          *remote_id,
                                     const char          *token,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SmPlatform *platform;
  TokenConnectData *data;

  g_return_if_fail (SM_IS_STORE (store));
  g_return_if_fail (remote_id != NULL && token != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_connect_account_with_token_async);

  platform = sm_platform_get (network);
  if (platform == NULL)
    {
      g_task_return_new_error (task, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                               _("Connecting %s accounts is not available yet."),
                               sm_network_display_name (network));
      return;
    }

  data = g_new0 (TokenConnectData, 1);
  data->store = g_object_ref (store);
  data->workspace_id = workspace_id;
  data->network = network;
  data->remote_id = g_strstrip (g_strdup (remote_id));
  data->token = g_strstrip (g_strdup (token));
  g_task_set_task_data (task, data, (GDestroyNotify) token_connect_data_free);
  g_task_run_in_thread (task, token_connect_thread);
}

gint64
sm_connect_account_with_token_finish (GAsyncResult  *result,
                                      GError       **error)
{
  gssize id;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);
  id = g_task_propagate_int (G_TASK (result), error);
  return id > 0 ? (gint64) id : 0;
}

gboolean
sm_disconnect_account (SmStore       *store,
                       gint64         account_id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(SmAccount) account = sm_store_get_account (store, account_id, error);
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(SmClientCredentials) creds = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *profile = sm_store_get_dir (store);
  SmPlatform *platform;

  if (account == NULL)
    return FALSE;

  /* The same network account in another workspace shares the keyring
   * item (it is per profile, network and account): only the row goes. */
  {
    g_autoptr(GPtrArray) all = sm_store_list_accounts (store, error);

    if (all == NULL)
      return FALSE;
    for (guint i = 0; i < all->len; i++)
      {
        const SmAccount *other = g_ptr_array_index (all, i);

        if (other->id != account->id && other->network == account->network &&
            g_strcmp0 (other->remote_id, account->remote_id) == 0)
          return sm_store_delete_account (store, account_id, error);
      }
  }

  platform = sm_platform_get (account->network);
  tokens = sm_token_store_load (profile, account->network, account->remote_id, cancellable, NULL);
  creds = sm_token_store_load_credentials (account->network, cancellable, NULL);
  if (platform && tokens && creds)
    {
      g_autoptr(SoupSession) session = sm_http_session_new ();

      /* Best effort: the account goes away here whatever the network says. */
      if (!sm_platform_revoke (platform, session, creds, tokens, cancellable, &local_error))
        g_debug ("Revoking at %s failed: %s", sm_network_to_string (account->network),
                 local_error->message);
    }

  cache_forget (profile, account);
  if (!sm_token_store_delete (profile, account->network, account->remote_id, cancellable, error))
    return FALSE;
  return sm_store_delete_account (store, account_id, error);
}

/* ---- tokens, refreshed single-flight -------------------------------- */

static char *
account_key (const char      *profile,
             const SmAccount *account)
{
  return g_strdup_printf ("%s\n%s\n%s", profile, sm_network_to_string (account->network),
                          account->remote_id);
}

/* Tokens read from the keyring are kept a few minutes, so that a burst of
 * posts does not ask the keyring (a D-Bus round trip and a decryption) for
 * every one.  A refreshed token the keyring would not take (it was locked,
 * say) is kept until it can be saved: the network may already have
 * retired the old refresh token. */
#define CACHE_US (G_GINT64_CONSTANT (300) * G_TIME_SPAN_SECOND)

typedef struct
{
  SmTokens *tokens;
  gint64    cached_us;
  gboolean  unsaved;
} CachedTokens;

static GMutex cache_lock;
static GHashTable *cache;   /* account_key () → CachedTokens */

static void
cached_tokens_free (CachedTokens *cached)
{
  sm_tokens_free (cached->tokens);
  g_free (cached);
}

/* A copy of the cached tokens, or NULL; *unsaved tells whether they still
 * have to reach the keyring. */
static SmTokens *
cache_get (const char      *profile,
           const SmAccount *account,
           gboolean        *unsaved)
{
  g_autofree char *key = account_key (profile, account);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);
  CachedTokens *cached = cache ? g_hash_table_lookup (cache, key) : NULL;

  if (cached == NULL || (!cached->unsaved && g_get_real_time () - cached->cached_us > CACHE_US))
    return NULL;
  *unsaved = cached->unsaved;
  return sm_tokens_copy (cached->tokens);
}

static void
cache_put (const char      *profile,
           const SmAccount *account,
           const SmTokens  *tokens,
           gboolean         unsaved)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);
  CachedTokens *cached = g_new0 (CachedTokens, 1);

  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cached_tokens_free);
  cached->tokens = sm_tokens_copy (tokens);
  cached->cached_us = g_get_real_time ();
  cached->unsaved = unsaved;
  g_hash_table_replace (cache, account_key (profile, account), cached);
}

static void
cache_forget (const char      *profile,
              const SmAccount *account)
{
  g_autofree char *key = account_key (profile, account);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);

  if (cache)
    g_hash_table_remove (cache, key);
}

static GMutex refresh_locks_lock;
static GHashTable *refresh_locks;   /* "profile\nnetwork\nremote id" → GMutex* */

static GMutex *
account_lock (const char      *profile,
              const SmAccount *account)
{
  g_autofree char *key = account_key (profile, account);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&refresh_locks_lock);
  GMutex *lock;

  if (refresh_locks == NULL)
    refresh_locks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  lock = g_hash_table_lookup (refresh_locks, key);
  if (lock == NULL)
    {
      /* Lives as long as the process, like the account's identity. */
      lock = g_new0 (GMutex, 1);
      g_mutex_init (lock);
      g_hash_table_insert (refresh_locks, g_steal_pointer (&key), lock);
    }
  return lock;
}

SmTokens *
sm_account_get_tokens (SmStore          *store,
                       const SmAccount  *account,
                       const char       *refused_token,
                       GCancellable     *cancellable,
                       GError          **error)
{
  const char *profile = sm_store_get_dir (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (account_lock (profile, account));
  g_autoptr(SmTokens) tokens = NULL;
  g_autoptr(SmTokens) fresh = NULL;
  g_autoptr(SmClientCredentials) creds = NULL;
  g_autoptr(SoupSession) session = NULL;
  SmPlatform *platform = sm_platform_get (account->network);
  GError *local_error = NULL;
  gboolean force_refresh = FALSE;
  gboolean unsaved = FALSE;

  tokens = cache_get (profile, account, &unsaved);
  if (tokens != NULL && unsaved)
    {
      /* Try to save them again now; until then they are the current ones. */
      if (sm_token_store_save (profile, account->network, account->remote_id, tokens, cancellable, NULL))
        cache_put (profile, account, tokens, FALSE);
    }
  else if (tokens != NULL && refused_token != NULL && g_strcmp0 (refused_token, tokens->access_token) == 0)
    /* Refused: the keyring may hold newer ones (a reconnect elsewhere). */
    g_clear_pointer (&tokens, sm_tokens_free);

  if (tokens == NULL)
    {
      tokens = sm_token_store_load (profile, account->network, account->remote_id, cancellable, error);
      if (tokens == NULL)
        {
          cache_forget (profile, account);
          return NULL;
        }
      cache_put (profile, account, tokens, FALSE);
    }

  /* Whoever waited on the lock while another thread refreshed finds fresh
   * tokens here and does not refresh again: a refused token is refreshed
   * only if it is still the one in the keyring.  This matters: X rotates
   * refresh tokens, so a second refresh with the old one would fail and
   * look like a revoked grant. */
  if (refused_token != NULL)
    force_refresh = g_strcmp0 (refused_token, tokens->access_token) == 0;
  if (!force_refresh &&
      (tokens->expires_at_us == 0 ||
       tokens->expires_at_us - refresh_ahead_us (account->network) > g_get_real_time ()))
    return g_steal_pointer (&tokens);

  /* A network without OAuth has no app credentials: its refresh() only
   * says whether the token can be renewed (it cannot). */
  if (platform != NULL && !sm_platform_uses_oauth (platform))
    creds = g_new0 (SmClientCredentials, 1);
  else
    creds = sm_token_store_load_credentials (account->network, cancellable, error);
  if (creds == NULL || platform == NULL)
    return NULL;

  session = sm_http_session_new ();
  fresh = sm_platform_refresh (platform, session, creds, tokens, cancellable, &local_error);
  if (fresh == NULL && !force_refresh && tokens->expires_at_us > g_get_real_time ())
    {
      /* A refresh ahead of time failed, but the token still works: use it,
       * and try again next time. */
      g_debug ("Early refresh of %s account %" G_GINT64_FORMAT " failed: %s",
               sm_network_to_string (account->network), account->id, local_error->message);
      g_clear_error (&local_error);
      return g_steal_pointer (&tokens);
    }
  if (fresh == NULL)
    {
      if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED))
        {
          cache_forget (profile, account);
          sm_store_set_account_state (store, account->id, SM_ACCOUNT_NEEDS_RECONNECT, NULL);
        }
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (fresh->refresh_token == NULL)
    fresh->refresh_token = g_strdup (tokens->refresh_token);

  if (!sm_token_store_save (profile, account->network, account->remote_id, fresh, cancellable,
                            &local_error))
    {
      /* The network already rotated the refresh token: losing the new one
       * would lose the grant.  Use it, and keep it until it can be saved. */
      g_warning ("Could not save the refreshed sign-in of %s account %" G_GINT64_FORMAT ": %s",
                 sm_network_to_string (account->network), account->id, local_error->message);
      g_clear_error (&local_error);
      cache_put (profile, account, fresh, TRUE);
    }
  else
    cache_put (profile, account, fresh, FALSE);
  g_debug ("Refreshed the token of %s account %" G_GINT64_FORMAT,
           sm_network_to_string (account->network), account->id);
  return g_steal_pointer (&fresh);
}
