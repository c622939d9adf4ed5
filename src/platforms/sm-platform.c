/* sm-platform.c — the SmPlatform interface, its registry, and the error
 * mapping every network shares.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-platforms-private.h"

/* Longest network message quoted back to the user, in characters. */
#define MAX_DETAIL_CHARS 300
/* Query values at least this long are treated as secrets when scrubbing. */
#define MIN_SECRET_LEN 8

G_DEFINE_INTERFACE (SmPlatform, sm_platform, G_TYPE_OBJECT)

/* Tokens and secrets are wiped before their memory goes back to the heap,
 * so that a later crash report or core file does not carry them. */
static void
secret_free (char *secret)
{
  if (secret == NULL)
    return;

  for (volatile char *p = secret; *p != '\0'; p++)
    *p = '\0';
  g_free (secret);
}

static char *
real_host (SoupMessage *msg)
{
  g_autofree char *url = g_uri_to_string (soup_message_get_uri (msg));
  g_autofree char *real = sm_http_unresolve_url (url);
  g_autoptr(GUri) uri = g_uri_parse (real, G_URI_FLAGS_ENCODED, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (g_uri_get_host (soup_message_get_uri (msg)));

  return g_strdup (g_uri_get_host (uri));
}

static void
replace_all (GString    *text,
             const char *needle)
{
  static const char mark[] = "…";
  gsize len = strlen (needle);
  gsize from = 0;
  const char *hit;

  while (from < text->len && (hit = strstr (text->str + from, needle)) != NULL)
    {
      gssize pos = hit - text->str;

      g_string_erase (text, pos, (gssize) len);
      g_string_insert (text, pos, mark);
      from = (gsize) pos + strlen (mark);
    }
}

static const char *
detail_or_status (SoupMessage *msg,
                  const char  *detail,
                  char       **owned)
{
  if (detail != NULL && *detail != '\0')
    return detail;

  if (soup_message_get_reason_phrase (msg) != NULL
      && *soup_message_get_reason_phrase (msg) != '\0')
    *owned = g_strdup_printf ("HTTP %u %s", soup_message_get_status (msg),
                              soup_message_get_reason_phrase (msg));
  else
    *owned = g_strdup_printf ("HTTP %u", soup_message_get_status (msg));

  return *owned;
}

/* The X-Business-Use-Case-Usage header (Meta, section 2.6): the longest
 * estimated_time_to_regain_access over all business objects, in minutes. */
static gint64
meta_buc_retry_after_us (SoupMessage *msg)
{
  const char *header;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  gint64 minutes = 0;

  header = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                         "X-Business-Use-Case-Usage");
  if (header == NULL)
    return -1;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, header, -1, NULL))
    return -1;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return -1;

  {
    g_autoptr(GList) members = json_object_get_values (json_node_get_object (root));

    for (const GList *l = members; l != NULL; l = l->next)
      {
        JsonNode *entries = l->data;

        if (!JSON_NODE_HOLDS_ARRAY (entries))
          continue;

        for (guint i = 0; i < json_array_get_length (json_node_get_array (entries)); i++)
          {
            JsonNode *entry = json_array_get_element (json_node_get_array (entries), i);

            minutes = MAX (minutes, sm_json_get_int (entry, "estimated_time_to_regain_access"));
          }
      }
  }

  if (minutes <= 0)
    return -1;

  return MIN (minutes, 24 * 60) * 60 * G_USEC_PER_SEC;
}

gint64
_sm_platform_meta_retry_after_us (SoupMessage *msg)
{
  gint64 retry = sm_http_retry_after_us (soup_message_get_response_headers (msg),
                                         g_get_real_time ());

  return retry >= 0 ? retry : meta_buc_retry_after_us (msg);
}

static void
set_server_error (GError     **error,
                  const char  *network_name,
                  SoupMessage *msg,
                  SmCallKind   kind,
                  const char  *detail)
{
  g_autofree char *scrubbed = _sm_platform_scrub (msg, detail);
  g_autofree char *owned = NULL;
  const char *what = detail_or_status (msg, scrubbed, &owned);

  if (kind == SM_CALL_CREATE)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                 _("%s had a problem while taking the post (%s). It may still have "
                   "gone out; this is checked before anything is sent again."),
                 network_name, what);
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                 _("%s had a temporary problem (%s). It will be tried again."),
                 network_name, what);
}

static const char *
sm_platform_real_get_builtin_client_id (SmPlatform *self)
{
  return "";
}

static SmTokens *
sm_platform_real_refresh (SmPlatform                *self,
                          SoupSession               *session,
                          const SmClientCredentials *creds,
                          const SmTokens            *old,
                          GCancellable              *cancellable,
                          GError                   **error)
{
  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
               _("%s access cannot be renewed automatically. Reconnect the account."),
               sm_network_display_name (sm_platform_get_network (self)));
  return NULL;
}

static gboolean
sm_platform_real_revoke (SmPlatform                *self,
                         SoupSession               *session,
                         const SmClientCredentials *creds,
                         const SmTokens            *tokens,
                         GCancellable              *cancellable,
                         GError                   **error)
{
  /* Nothing to call: disconnecting forgets the tokens, which is enough. */
  return TRUE;
}

static gboolean
sm_platform_real_publish (SmPlatform              *self,
                          SoupSession             *session,
                          const SmPublishRequest  *request,
                          SmPublishResult         *result,
                          GCancellable            *cancellable,
                          GError                 **error)
{
  if (request->media == NULL || request->media->len == 0)
    return SM_PLATFORM_GET_IFACE (self)->publish_text (self, session, request, result,
                                                       cancellable, error);

  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
               _("So-me Studio cannot post photos or videos to %s yet; post the text alone."),
               sm_network_display_name (sm_platform_get_network (self)));
  return FALSE;
}

static gboolean
sm_platform_real_update_published (SmPlatform              *self,
                                   SoupSession             *session,
                                   const SmPublishRequest  *request,
                                   SmPublishResult         *result,
                                   GCancellable            *cancellable,
                                   GError                 **error)
{
  const char *name = sm_network_display_name (sm_platform_get_network (self));

  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
               _("%s does not let apps change a published post; change it on %s itself."),
               name, name);
  return FALSE;
}

static gboolean
sm_platform_real_delete_published (SmPlatform              *self,
                                   SoupSession             *session,
                                   const SmPublishRequest  *request,
                                   SmPublishResult         *result,
                                   GCancellable            *cancellable,
                                   GError                 **error)
{
  const char *name = sm_network_display_name (sm_platform_get_network (self));

  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
               _("%s does not let apps delete a published post; delete it on %s itself."),
               name, name);
  return FALSE;
}

static void
sm_platform_default_init (SmPlatformInterface *iface)
{
  iface->update_published = sm_platform_real_update_published;
  iface->delete_published = sm_platform_real_delete_published;
  iface->get_builtin_client_id = sm_platform_real_get_builtin_client_id;
  iface->publish = sm_platform_real_publish;
  iface->refresh = sm_platform_real_refresh;
  iface->revoke = sm_platform_real_revoke;
}

/* Tokens, credentials, accounts, results */

SmTokens *
sm_tokens_new (void)
{
  return g_new0 (SmTokens, 1);
}

SmTokens *
sm_tokens_copy (const SmTokens *tokens)
{
  SmTokens *copy;

  g_return_val_if_fail (tokens != NULL, NULL);

  copy = sm_tokens_new ();
  copy->access_token = g_strdup (tokens->access_token);
  copy->refresh_token = g_strdup (tokens->refresh_token);
  copy->expires_at_us = tokens->expires_at_us;
  copy->scope = g_strdup (tokens->scope);

  return copy;
}

void
sm_tokens_free (SmTokens *tokens)
{
  if (tokens == NULL)
    return;

  g_clear_pointer (&tokens->access_token, secret_free);
  g_clear_pointer (&tokens->refresh_token, secret_free);
  g_clear_pointer (&tokens->scope, g_free);
  g_free (tokens);
}

void
sm_client_credentials_free (SmClientCredentials *creds)
{
  if (creds == NULL)
    return;

  g_clear_pointer (&creds->client_id, g_free);
  g_clear_pointer (&creds->client_secret, secret_free);
  g_free (creds);
}

void
sm_account_info_free (SmAccountInfo *info)
{
  if (info == NULL)
    return;

  g_clear_pointer (&info->remote_id, g_free);
  g_clear_pointer (&info->name, g_free);
  g_clear_pointer (&info->handle, g_free);
  g_clear_pointer (&info->tokens, sm_tokens_free);
  g_free (info);
}

void
sm_publish_result_clear (SmPublishResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->remote_id, g_free);
  g_clear_pointer (&result->permalink, g_free);
  g_clear_pointer (&result->warning, g_free);
  g_clear_pointer (&result->comment_on, g_free);
  result->retry_after_us = -1;
}

/* Helpers shared by the networks (sm-platforms-private.h) */

gboolean
_sm_platform_status_ok (SoupMessage *msg)
{
  return SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg));
}

gboolean
_sm_platform_send (SoupSession   *session,
                   SoupMessage   *msg,
                   SmCallKind     kind,
                   GCancellable  *cancellable,
                   JsonNode     **root,
                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) body = NULL;

  g_assert (root != NULL);

  *root = NULL;

  body = sm_http_send (session, msg, cancellable, &local_error);
  if (body == NULL)
    {
      if (kind != SM_CALL_CREATE
          && g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN))
        {
          g_autofree char *host = real_host (msg);

          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                       _("The connection to %s was lost before it answered. "
                         "It will be tried again."),
                       host);
          return FALSE;
        }

      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (g_bytes_get_size (body) > 0)
    *root = sm_http_parse_json (body, NULL);

  return TRUE;
}

char *
_sm_platform_scrub (SoupMessage *msg,
                    const char  *text)
{
  g_autoptr(GString) out = NULL;
  g_autofree char *valid = NULL;
  const char *auth;
  const char *query;

  if (text == NULL)
    return NULL;

  out = g_string_new (text);

  auth = soup_message_headers_get_one (soup_message_get_request_headers (msg),
                                       "Authorization");
  if (auth != NULL)
    {
      const char *space = strchr (auth, ' ');
      const char *credential = space != NULL ? space + 1 : auth;

      if (strlen (credential) >= MIN_SECRET_LEN)
        replace_all (out, credential);
    }

  /* Whatever the query or a form body carried (codes, refresh tokens,
   * client secrets) is cut from what the network echoed back. */
  for (int source = 0; source < 2; source++)
    {
      query = source == 0 ? g_uri_get_query (soup_message_get_uri (msg)) : sm_http_get_form_body (msg);
      if (query != NULL)
        {
          g_autoptr(GHashTable) params = g_uri_parse_params (query, -1, "&",
                                                             G_URI_PARAMS_WWW_FORM, NULL);
          GHashTableIter iter;
          gpointer value;

          if (params != NULL)
            {
              g_hash_table_iter_init (&iter, params);
              while (g_hash_table_iter_next (&iter, NULL, &value))
                if (strlen (value) >= MIN_SECRET_LEN)
                  replace_all (out, value);
            }
        }
    }

  for (gsize i = 0; i < out->len; i++)
    if (out->str[i] == '\n' || out->str[i] == '\r' || out->str[i] == '\t')
      out->str[i] = ' ';

  g_strstrip (out->str);
  valid = g_utf8_make_valid (out->str, -1);

  if (g_utf8_strlen (valid, -1) > MAX_DETAIL_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (valid, 0, MAX_DETAIL_CHARS);

      return g_strconcat (cut, "…", NULL);
    }

  return g_steal_pointer (&valid);
}

void
_sm_platform_set_rate_limited (GError          **error,
                               const char       *network_name,
                               gint64            retry_after_us,
                               SmPublishResult  *result)
{
  if (result != NULL)
    result->retry_after_us = retry_after_us;

  if (retry_after_us > 0)
    {
      gint64 minutes = MAX (1, (retry_after_us + 60 * G_USEC_PER_SEC - 1) / (60 * G_USEC_PER_SEC));

      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                   ngettext ("%s asks to slow down. It will be tried again in about %d minute.",
                             "%s asks to slow down. It will be tried again in about %d minutes.",
                             (unsigned long) minutes),
                   network_name, (int) minutes);
    }
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                 _("%s asks to slow down. It will be tried again later."),
                 network_name);
}

void
_sm_platform_set_rejected (GError     **error,
                           const char  *network_name,
                           SoupMessage *msg,
                           SmCallKind   kind,
                           const char  *detail)
{
  g_autofree char *scrubbed = _sm_platform_scrub (msg, detail);
  g_autofree char *owned = NULL;
  const char *what = detail_or_status (msg, scrubbed, &owned);

  switch (kind)
    {
    case SM_CALL_CREATE:
    case SM_CALL_PREPARE:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s refused the post: %s"), network_name, what);
      break;

    case SM_CALL_TOKEN:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s refused the sign-in (%s). Try connecting the account again."),
                   network_name, what);
      break;

    case SM_CALL_REFRESH:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                   _("%s no longer accepts the sign-in for this account (%s). "
                     "Reconnect the account."),
                   network_name, what);
      break;

    case SM_CALL_READ:
    default:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s refused the request: %s"), network_name, what);
      break;
    }
}

void
_sm_platform_set_auth_error (GError          **error,
                             const char       *network_name,
                             SoupMessage      *msg,
                             SmPlatformError   code,
                             const char       *detail)
{
  if (code == SM_PLATFORM_ERROR_AUTH_EXPIRED)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED,
                   _("The %s sign-in for this account has expired. It will be renewed "
                     "and the request tried again."),
                   network_name);
    }
  else
    {
      g_autofree char *scrubbed = _sm_platform_scrub (msg, detail);
      g_autofree char *owned = NULL;
      const char *what = detail_or_status (msg, scrubbed, &owned);

      g_assert (code == SM_PLATFORM_ERROR_REVOKED);
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                   _("%s no longer accepts the sign-in for this account (%s). "
                     "Reconnect the account."),
                   network_name, what);
    }
}

void
_sm_platform_set_status_error (GError          **error,
                               const char       *network_name,
                               SoupMessage      *msg,
                               SmCallKind        kind,
                               const char       *detail,
                               SmPublishResult  *result)
{
  guint status = soup_message_get_status (msg);

  if (status == SM_HTTP_STATUS_TOO_MANY_REQUESTS)
    {
      gint64 retry = sm_http_retry_after_us (soup_message_get_response_headers (msg),
                                             g_get_real_time ());

      _sm_platform_set_rate_limited (error, network_name, retry, result);
    }
  else if (status == SOUP_STATUS_UNAUTHORIZED && kind != SM_CALL_TOKEN)
    {
      _sm_platform_set_auth_error (error, network_name, msg,
                                   kind == SM_CALL_REFRESH
                                   ? SM_PLATFORM_ERROR_REVOKED
                                   : SM_PLATFORM_ERROR_AUTH_EXPIRED,
                                   detail);
    }
  else if (SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      set_server_error (error, network_name, msg, kind, detail);
    }
  else if (status == SOUP_STATUS_REQUEST_TIMEOUT)
    {
      /* 408: the server gave up waiting for the request, so it did not act. */
      set_server_error (error, network_name, msg, SM_CALL_READ, detail);
    }
  else
    {
      _sm_platform_set_rejected (error, network_name, msg, kind, detail);
    }
}

void
_sm_platform_set_bad_answer (GError     **error,
                             const char  *network_name,
                             SmCallKind   kind)
{
  if (kind == SM_CALL_CREATE)
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN,
                 _("%s accepted the post but its answer could not be understood. "
                   "This is checked before anything is sent again."),
                 network_name);
  else
    g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                 _("%s sent an answer that could not be understood. "
                   "It will be tried again."),
                 network_name);
}

void
_sm_platform_set_oauth_error (GError      **error,
                              const char   *network_name,
                              SoupMessage  *msg,
                              JsonNode     *root,
                              SmCallKind    kind)
{
  const char *code = sm_json_get_string (root, "error");
  const char *description = sm_json_get_string (root, "error_description");
  guint status = soup_message_get_status (msg);

  if (code == NULL && sm_json_get_node (root, "error") != NULL)
    {
      /* Meta's token endpoints answer with the Graph envelope. */
      _sm_platform_set_meta_error (error, network_name, msg, root, kind, NULL);
      return;
    }

  if (g_strcmp0 (code, "invalid_client") == 0 || g_strcmp0 (code, "unauthorized_client") == 0)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                   _("%s did not accept the app's client id or secret. "
                     "Check them in the account settings."),
                   network_name);
      return;
    }

  /* invalid_grant / invalid_request on a refresh: the grant is gone (X
   * answers invalid_request for a dead refresh token, section 10). */
  if (status == SM_HTTP_STATUS_TOO_MANY_REQUESTS || SOUP_STATUS_IS_SERVER_ERROR (status))
    _sm_platform_set_status_error (error, network_name, msg, kind, description, NULL);
  else
    _sm_platform_set_rejected (error, network_name, msg, kind,
                               description != NULL ? description : code);
}

static gboolean
meta_code_is_rate_limit (gint64 code)
{
  return code == 4 || code == 17 || code == 32 || code == 613 || code == 341
         || (code >= 80001 && code <= 80009);
}

static gboolean
meta_subcode_is_revoked (gint64 subcode)
{
  /* 458 app removed, 459 checkpoint, 460 password changed, 464 unconfirmed
   * user, 467 logged out, 492 lost the page role (section 2.5). */
  return subcode == 458 || subcode == 459 || subcode == 460 || subcode == 464
         || subcode == 467 || subcode == 492;
}

void
_sm_platform_set_meta_error (GError          **error,
                             const char       *network_name,
                             SoupMessage      *msg,
                             JsonNode         *root,
                             SmCallKind        kind,
                             SmPublishResult  *result)
{
  JsonNode *envelope = sm_json_get_node (root, "error");
  guint status = soup_message_get_status (msg);
  gint64 code;
  gint64 subcode;
  const char *message;
  gboolean is_transient;

  if (envelope == NULL || !JSON_NODE_HOLDS_OBJECT (envelope))
    {
      if (status == SM_HTTP_STATUS_TOO_MANY_REQUESTS)
        {
          gint64 retry = sm_http_retry_after_us (soup_message_get_response_headers (msg),
                                                 g_get_real_time ());

          if (retry < 0)
            retry = meta_buc_retry_after_us (msg);
          _sm_platform_set_rate_limited (error, network_name, retry, result);
          return;
        }

      _sm_platform_set_status_error (error, network_name, msg, kind, NULL, result);
      return;
    }

  code = sm_json_get_int (envelope, "code");
  subcode = sm_json_get_int (envelope, "error_subcode");
  message = sm_json_get_string (envelope, "error_user_msg");
  if (message == NULL || *message == '\0')
    message = sm_json_get_string (envelope, "message");
  is_transient = json_object_get_boolean_member_with_default (json_node_get_object (envelope),
                                                              "is_transient", FALSE);

  if (meta_code_is_rate_limit (code) || status == SM_HTTP_STATUS_TOO_MANY_REQUESTS)
    {
      gint64 retry = sm_http_retry_after_us (soup_message_get_response_headers (msg),
                                             g_get_real_time ());

      if (retry < 0)
        retry = meta_buc_retry_after_us (msg);
      _sm_platform_set_rate_limited (error, network_name, retry, result);
      return;
    }

  if (code == 190 || code == 102)
    {
      g_autofree char *lower = g_ascii_strdown (message != NULL ? message : "", -1);

      if (kind == SM_CALL_TOKEN || kind == SM_CALL_REFRESH)
        _sm_platform_set_rejected (error, network_name, msg, kind, message);
      else if (meta_subcode_is_revoked (subcode)
               || strstr (lower, "revoked") != NULL)
        _sm_platform_set_auth_error (error, network_name, msg,
                                     SM_PLATFORM_ERROR_REVOKED, message);
      else
        /* 463, "Session has expired", or a bare 190: refreshing settles it
         * (Facebook, having no refresh, turns that into REVOKED). */
        _sm_platform_set_auth_error (error, network_name, msg,
                                     SM_PLATFORM_ERROR_AUTH_EXPIRED, message);
      return;
    }

  if ((code == 10 || (code >= 200 && code <= 299)) && kind != SM_CALL_TOKEN)
    {
      /* A permission the grant lacks: only a new login can add it. */
      _sm_platform_set_auth_error (error, network_name, msg,
                                   SM_PLATFORM_ERROR_REVOKED, message);
      return;
    }

  if (code == 1 || code == 2 || is_transient || SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      set_server_error (error, network_name, msg, kind, message);
      return;
    }

  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      _sm_platform_set_status_error (error, network_name, msg, kind, message, result);
      return;
    }

  _sm_platform_set_rejected (error, network_name, msg, kind, message);
}

SmTokens *
_sm_platform_tokens_from_json (JsonNode *root)
{
  const char *access_token = sm_json_get_string (root, "access_token");
  const char *expires_in_str;
  gint64 expires_in;
  SmTokens *tokens;

  if (access_token == NULL || *access_token == '\0')
    return NULL;

  tokens = sm_tokens_new ();
  tokens->access_token = g_strdup (access_token);
  tokens->refresh_token = g_strdup (sm_json_get_string (root, "refresh_token"));
  tokens->scope = g_strdup (sm_json_get_string (root, "scope"));

  expires_in = sm_json_get_int (root, "expires_in");
  expires_in_str = sm_json_get_string (root, "expires_in");
  if (expires_in == 0 && expires_in_str != NULL)
    g_ascii_string_to_signed (expires_in_str, 10, 0, G_MAXINT32, &expires_in, NULL);
  if (expires_in > 0)
    tokens->expires_at_us = g_get_real_time () + expires_in * G_USEC_PER_SEC;

  if (tokens->refresh_token != NULL && *tokens->refresh_token == '\0')
    g_clear_pointer (&tokens->refresh_token, secret_free);

  return tokens;
}

SmAccountInfo *
_sm_platform_account_new (SmNetwork       network,
                          const char     *remote_id,
                          const char     *name,
                          const char     *handle,
                          const SmTokens *tokens)
{
  SmAccountInfo *info = g_new0 (SmAccountInfo, 1);

  info->network = network;
  info->remote_id = g_strdup (remote_id);
  info->name = g_strdup (name != NULL && *name != '\0' ? name : remote_id);
  info->handle = g_strdup (handle);
  info->tokens = sm_tokens_copy (tokens);

  return info;
}

static char *
normalize_for_match (const char *text,
                     gboolean    unescape_html)
{
  g_autoptr(GString) s = g_string_new (text);
  g_autofree char *normalized = NULL;

  g_string_replace (s, "\r\n", "\n", 0);
  if (unescape_html)
    {
      /* X lists text with &, < and > as HTML entities. */
      g_string_replace (s, "&lt;", "<", 0);
      g_string_replace (s, "&gt;", ">", 0);
      g_string_replace (s, "&quot;", "\"", 0);
      g_string_replace (s, "&#39;", "'", 0);
      g_string_replace (s, "&amp;", "&", 0);
    }
  g_strstrip (s->str);

  /* Networks shorten or wrap links when they list a post (X's t.co): a
   * link matches any link. */
  {
    g_autoptr(GRegex) link = g_regex_new ("https?://\\S+", G_REGEX_CASELESS, 0, NULL);
    g_autofree char *linkless = g_regex_replace_literal (link, s->str, -1, 0, "\x01", 0, NULL);

    if (linkless)
      g_string_assign (s, linkless);
  }

  normalized = g_utf8_normalize (s->str, -1, G_NORMALIZE_NFC);
  return normalized != NULL ? g_steal_pointer (&normalized) : g_strdup (s->str);
}

gboolean
_sm_platform_text_matches (const char *sent,
                           const char *seen)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  if (sent == NULL || seen == NULL)
    return FALSE;
  if (g_strcmp0 (sent, seen) == 0)
    return TRUE;

  a = normalize_for_match (sent, FALSE);
  b = normalize_for_match (seen, FALSE);
  if (g_strcmp0 (a, b) == 0)
    return TRUE;

  c = normalize_for_match (seen, TRUE);
  return g_strcmp0 (a, c) == 0;
}

gint64
_sm_platform_parse_time (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  if (text == NULL || *text == '\0')
    return 0;

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return 0;

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

gboolean
_sm_platform_sleep (gint64         delay_us,
                    GCancellable  *cancellable,
                    GError       **error)
{
  GPollFD pfd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (delay_us > 0)
    {
      if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pfd))
        {
          g_poll (&pfd, 1, (gint) ((delay_us + 999) / 1000));
          g_cancellable_release_fd (cancellable);
        }
      else
        g_usleep ((gulong) delay_us);
    }

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

char *
_sm_platform_escape (const char *value)
{
  return g_uri_escape_string (value != NULL ? value : "", NULL, FALSE);
}

/* The registry */

SmPlatform *
sm_platform_get (SmNetwork network)
{
  static GMutex lock;
  static SmPlatform *platforms[SM_N_NETWORKS];
  SmPlatform *platform;

  if (network <= SM_NETWORK_INVALID || network >= SM_N_NETWORKS)
    return NULL;

  g_mutex_lock (&lock);
  if (platforms[network] == NULL)
    {
      switch (network)
        {
        case SM_NETWORK_X:
          platforms[network] = sm_platform_x_new ();
          break;
        case SM_NETWORK_FACEBOOK:
          platforms[network] = sm_platform_facebook_new ();
          break;
        case SM_NETWORK_LINKEDIN:
          platforms[network] = sm_platform_linkedin_new ();
          break;
        case SM_NETWORK_THREADS:
          platforms[network] = sm_platform_threads_new ();
          break;
        case SM_NETWORK_YOUTUBE:
          platforms[network] = sm_platform_youtube_new ();
          break;
        case SM_NETWORK_INSTAGRAM:
          platforms[network] = sm_platform_instagram_new ();
          break;
        case SM_NETWORK_TIKTOK:
          platforms[network] = sm_platform_tiktok_new ();
          break;
        case SM_NETWORK_WHATSAPP:
          platforms[network] = sm_platform_whatsapp_new ();
          break;
        case SM_NETWORK_INVALID:
        case SM_N_NETWORKS:
        default:
          break;
        }
    }
  platform = platforms[network];
  g_mutex_unlock (&lock);

  return platform;
}

/* The interface's public API */

SmNetwork
sm_platform_get_network (SmPlatform *self)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), SM_NETWORK_INVALID);

  return SM_PLATFORM_GET_IFACE (self)->get_network (self);
}

const SmOAuthSpec *
sm_platform_get_oauth_spec (SmPlatform *self)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), NULL);

  return SM_PLATFORM_GET_IFACE (self)->get_oauth_spec (self);
}

const char *
sm_platform_get_builtin_client_id (SmPlatform *self)
{
  const char *id;

  g_return_val_if_fail (SM_IS_PLATFORM (self), "");

  id = SM_PLATFORM_GET_IFACE (self)->get_builtin_client_id (self);
  return id != NULL ? id : "";
}

static void
append_param (GString    *url,
              const char *key,
              const char *value)
{
  g_autofree char *escaped = _sm_platform_escape (value);

  g_string_append_printf (url, "&%s=%s", key, escaped);
}

/**
 * sm_platform_build_authorize_url:
 *
 * The network's consent page for @creds, as the real https:// URL.  A
 * browser in sandbox mode needs it passed through sm_http_resolve_url().
 *
 * Returns: (transfer full): the URL
 */
char *
sm_platform_build_authorize_url (SmPlatform                *self,
                                 const SmClientCredentials *creds,
                                 const char                *redirect_uri,
                                 const char                *state,
                                 const char                *code_challenge)
{
  const SmOAuthSpec *spec;
  g_autoptr(GString) url = NULL;

  g_return_val_if_fail (SM_IS_PLATFORM (self), NULL);
  g_return_val_if_fail (creds != NULL && creds->client_id != NULL, NULL);
  g_return_val_if_fail (redirect_uri != NULL, NULL);

  spec = sm_platform_get_oauth_spec (self);
  g_return_val_if_fail (spec != NULL && spec->authorize_url != NULL, NULL);

  url = g_string_new (spec->authorize_url);
  g_string_append_c (url, strchr (spec->authorize_url, '?') != NULL ? '&' : '?');
  g_string_append (url, "response_type=code");

  append_param (url, spec->client_id_param != NULL ? spec->client_id_param : "client_id",
                creds->client_id);
  append_param (url, "redirect_uri", redirect_uri);
  if (spec->scopes != NULL && *spec->scopes != '\0')
    append_param (url, "scope", spec->scopes);
  if (state != NULL)
    append_param (url, "state", state);
  if (spec->pkce)
    {
      g_return_val_if_fail (code_challenge != NULL, NULL);
      append_param (url, "code_challenge", code_challenge);
      append_param (url, "code_challenge_method", "S256");
    }
  if (spec->extra_params != NULL && *spec->extra_params != '\0')
    {
      g_string_append_c (url, '&');
      g_string_append (url, spec->extra_params);
    }

  return g_string_free (g_steal_pointer (&url), FALSE);
}

GPtrArray *
sm_platform_exchange_code (SmPlatform                *self,
                           SoupSession               *session,
                           const SmClientCredentials *creds,
                           const char                *code,
                           const char                *redirect_uri,
                           const char                *code_verifier,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (creds != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (redirect_uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (creds->client_id == NULL || *creds->client_id == '\0')
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                   _("No client id is set up for %s. Enter one in the account settings."),
                   sm_network_display_name (sm_platform_get_network (self)));
      return NULL;
    }

  if (sm_platform_get_oauth_spec (self)->needs_secret
      && (creds->client_secret == NULL || *creds->client_secret == '\0'))
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                   _("%s needs the app secret to connect. Enter it in the account settings."),
                   sm_network_display_name (sm_platform_get_network (self)));
      return NULL;
    }

  return SM_PLATFORM_GET_IFACE (self)->exchange_code (self, session, creds, code,
                                                      redirect_uri, code_verifier,
                                                      cancellable, error);
}

SmTokens *
sm_platform_refresh (SmPlatform                *self,
                     SoupSession               *session,
                     const SmClientCredentials *creds,
                     const SmTokens            *old,
                     GCancellable              *cancellable,
                     GError                   **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (creds != NULL, NULL);
  g_return_val_if_fail (old != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return SM_PLATFORM_GET_IFACE (self)->refresh (self, session, creds, old,
                                                cancellable, error);
}

gboolean
sm_platform_publish_text (SmPlatform              *self,
                          SoupSession             *session,
                          const SmPublishRequest  *request,
                          SmPublishResult         *result,
                          GCancellable            *cancellable,
                          GError                 **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (request->account_remote_id != NULL, FALSE);
  g_return_val_if_fail (request->tokens != NULL && request->tokens->access_token != NULL, FALSE);
  g_return_val_if_fail (request->text != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result->retry_after_us = -1;

  return SM_PLATFORM_GET_IFACE (self)->publish_text (self, session, request, result,
                                                     cancellable, error);
}

gboolean
sm_platform_find_published (SmPlatform              *self,
                            SoupSession             *session,
                            const SmPublishRequest  *request,
                            SmPublishResult         *result,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (request->account_remote_id != NULL, FALSE);
  g_return_val_if_fail (request->tokens != NULL && request->tokens->access_token != NULL, FALSE);
  g_return_val_if_fail (request->text != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result->retry_after_us = -1;

  return SM_PLATFORM_GET_IFACE (self)->find_published (self, session, request, result,
                                                       cancellable, error);
}

gboolean
sm_platform_revoke (SmPlatform                *self,
                    SoupSession               *session,
                    const SmClientCredentials *creds,
                    const SmTokens            *tokens,
                    GCancellable              *cancellable,
                    GError                   **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (creds != NULL, FALSE);
  g_return_val_if_fail (tokens != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return SM_PLATFORM_GET_IFACE (self)->revoke (self, session, creds, tokens,
                                               cancellable, error);
}

gboolean
sm_platform_uses_oauth (SmPlatform *self)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), TRUE);

  return SM_PLATFORM_GET_IFACE (self)->connect_token == NULL;
}

/**
 * sm_platform_connect_token:
 *
 * For a network without OAuth: checks @access_token against the account
 * @remote_id at the network.
 *
 * Returns: (transfer full): the account, with the token, or %NULL
 */
SmAccountInfo *
sm_platform_connect_token (SmPlatform    *self,
                           SoupSession   *session,
                           const char    *remote_id,
                           const char    *access_token,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (remote_id != NULL, NULL);
  g_return_val_if_fail (access_token != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (SM_PLATFORM_GET_IFACE (self)->connect_token == NULL)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                   _("%s accounts are connected by signing in, not with a pasted token."),
                   sm_network_display_name (sm_platform_get_network (self)));
      return NULL;
    }

  return SM_PLATFORM_GET_IFACE (self)->connect_token (self, session, remote_id, access_token,
                                                      cancellable, error);
}

JsonNode *
_sm_platform_graph_call (SoupSession      *session,
                         SoupMessage      *msg,
                         const char       *network_name,
                         SmCallKind        kind,
                         SmPublishResult  *result,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autoptr(JsonNode) root = NULL;

  if (!_sm_platform_send (session, msg, kind, cancellable, &root, error))
    return NULL;

  if (!_sm_platform_status_ok (msg))
    {
      if (kind == SM_CALL_TOKEN || kind == SM_CALL_REFRESH)
        _sm_platform_set_oauth_error (error, network_name, msg, root, kind);
      else
        _sm_platform_set_meta_error (error, network_name, msg, root, kind, result);
      return NULL;
    }

  if (root == NULL)
    {
      _sm_platform_set_bad_answer (error, network_name, kind);
      return NULL;
    }

  return g_steal_pointer (&root);
}

gboolean
_sm_platform_graph_delete (SoupSession             *session,
                           const char              *api,
                           const char              *network_name,
                           const SmPublishRequest  *request,
                           SmPublishResult         *result,
                           GCancellable            *cancellable,
                           GError                 **error)
{
  g_autofree char *escaped = g_uri_escape_string (request->remote_id, NULL, FALSE);
  g_autofree char *url = g_strconcat (api, "/", escaped, NULL);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("DELETE", url, error);
  g_autoptr(JsonNode) root = NULL;

  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return FALSE;
  if (_sm_platform_status_ok (msg))
    return TRUE;
  /* Graph's "does not exist" (100/33): already gone, as asked. */
  if (root != NULL && sm_json_get_int (root, "error.code") == 100 &&
      sm_json_get_int (root, "error.error_subcode") == 33)
    return TRUE;
  _sm_platform_set_meta_error (error, network_name, msg, root, SM_CALL_READ, result);
  return FALSE;
}

gboolean
_sm_platform_graph_comment (SoupSession             *session,
                            const char              *api,
                            const char              *network_name,
                            const SmPublishRequest  *request,
                            SmPublishResult         *result,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  g_autofree char *escaped = g_uri_escape_string (request->remote_id, NULL, FALSE);
  g_autofree char *url = g_strconcat (api, "/", escaped, "/comments", NULL);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", url, error);
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_form_body (msg, "message", request->text, NULL);
  root = _sm_platform_graph_call (session, msg, network_name, SM_CALL_CREATE, result,
                                  cancellable, error);
  if (root == NULL)
    return FALSE;
  id = sm_json_get_string (root, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, network_name, SM_CALL_CREATE);
      return FALSE;
    }
  result->remote_id = g_strdup (id);
  return TRUE;
}

JsonNode *
_sm_platform_graph_get (SoupSession      *session,
                        const char       *url,
                        const char       *token,
                        const char       *network_name,
                        SmCallKind        kind,
                        SmPublishResult  *result,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(SoupMessage) msg = sm_http_message_new ("GET", url, error);

  if (msg == NULL)
    return NULL;
  if (token != NULL)
    sm_http_set_bearer (msg, token);

  return _sm_platform_graph_call (session, msg, network_name, kind, result, cancellable, error);
}

gboolean
sm_platform_publish (SmPlatform              *self,
                     SoupSession             *session,
                     const SmPublishRequest  *request,
                     SmPublishResult         *result,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (SOUP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (request != NULL && request->text != NULL, FALSE);
  g_return_val_if_fail (request->tokens != NULL && request->tokens->access_token != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result->retry_after_us = -1;

  return SM_PLATFORM_GET_IFACE (self)->publish (self, session, request, result, cancellable, error);
}

gboolean
sm_platform_update_published (SmPlatform              *self,
                              SoupSession             *session,
                              const SmPublishRequest  *request,
                              SmPublishResult         *result,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (request != NULL && request->remote_id != NULL && request->text != NULL, FALSE);
  g_return_val_if_fail (request->tokens != NULL && request->tokens->access_token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result->retry_after_us = -1;
  return SM_PLATFORM_GET_IFACE (self)->update_published (self, session, request, result,
                                                         cancellable, error);
}

gboolean
sm_platform_delete_published (SmPlatform              *self,
                              SoupSession             *session,
                              const SmPublishRequest  *request,
                              SmPublishResult         *result,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (request != NULL && request->remote_id != NULL, FALSE);
  g_return_val_if_fail (request->tokens != NULL && request->tokens->access_token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result->retry_after_us = -1;
  return SM_PLATFORM_GET_IFACE (self)->delete_published (self, session, request, result,
                                                         cancellable, error);
}

gboolean
sm_platform_has_comments (SmPlatform *self)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  return SM_PLATFORM_GET_IFACE (self)->publish_comment != NULL;
}

gboolean
sm_platform_publish_comment (SmPlatform              *self,
                             SoupSession             *session,
                             const SmPublishRequest  *request,
                             SmPublishResult         *result,
                             GCancellable            *cancellable,
                             GError                 **error)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (request != NULL && request->remote_id != NULL && request->text != NULL, FALSE);
  g_return_val_if_fail (request->tokens != NULL && request->tokens->access_token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result->retry_after_us = -1;
  if (SM_PLATFORM_GET_IFACE (self)->publish_comment == NULL)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s posts have no comments."),
                   sm_network_display_name (sm_platform_get_network (self)));
      return FALSE;
    }
  return SM_PLATFORM_GET_IFACE (self)->publish_comment (self, session, request, result,
                                                        cancellable, error);
}

gboolean
sm_platform_can_publish_media (SmPlatform *self)
{
  g_return_val_if_fail (SM_IS_PLATFORM (self), FALSE);
  return SM_PLATFORM_GET_IFACE (self)->publish != sm_platform_real_publish;
}

SmTokens *
_sm_platform_refresh_grant (SoupSession               *session,
                            const char                *token_url,
                            const SmClientCredentials *creds,
                            gboolean                   send_secret,
                            const SmTokens            *old,
                            SmTokenCallFunc            call,
                            const char                *no_refresh_message,
                            GCancellable              *cancellable,
                            GError                   **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  SmTokens *tokens;

  if (old->refresh_token == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED, no_refresh_message);
      return NULL;
    }

  msg = sm_http_message_new ("POST", token_url, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_form_body (msg,
                         "grant_type", "refresh_token",
                         "refresh_token", old->refresh_token,
                         "client_id", creds->client_id,
                         "client_secret", send_secret ? creds->client_secret : NULL,
                         NULL);

  tokens = call (session, msg, SM_CALL_REFRESH, cancellable, error);
  if (tokens == NULL)
    return NULL;

  if (tokens->refresh_token == NULL)
    tokens->refresh_token = g_strdup (old->refresh_token);
  if (tokens->scope == NULL)
    tokens->scope = g_strdup (old->scope);
  return tokens;
}
