/* sm-token-store.c — libsecret schemas for tokens and app credentials.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-token-store"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "sm-token-store.h"

static const SecretSchema token_schema = {
  "studio.so_me.Studio.Token", SECRET_SCHEMA_NONE,
  {
    { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "network", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static const SecretSchema credentials_schema = {
  "studio.so_me.Studio.AppCredentials", SECRET_SCHEMA_NONE,
  {
    { "network", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static const SecretSchema bucket_schema = {
  "studio.so_me.Studio.MediaBucket", SECRET_SCHEMA_NONE,
  {
    { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static gboolean
keyring_error (GError  *cause,
               GError **error)
{
  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_KEYRING,
               _("The keyring could not be used (%s). Unlock it, for example "
                 "in Passwords and Keys, and try again."),
               cause ? cause->message : _("it is locked or not running"));
  g_clear_error (&cause);
  return FALSE;
}

/* The keyring daemon was restarted (a new login, a crash): libsecret's
 * cached connection points at a name that is gone.  Drop it so the next
 * call finds the new daemon. */
static gboolean
forget_stale_service (const GError *error)
{
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    {
      secret_service_disconnect ();
      return TRUE;
    }
  return FALSE;
}

static char *
tokens_to_json (const SmTokens *tokens)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, tokens->access_token ? tokens->access_token : "");
  if (tokens->refresh_token)
    {
      json_builder_set_member_name (builder, "refresh_token");
      json_builder_add_string_value (builder, tokens->refresh_token);
    }
  json_builder_set_member_name (builder, "expires_at_us");
  json_builder_add_int_value (builder, tokens->expires_at_us);
  if (tokens->scope)
    {
      json_builder_set_member_name (builder, "scope");
      json_builder_add_string_value (builder, tokens->scope);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static JsonObject *
parse_object (const char *secret,
              JsonNode  **root_out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, secret, -1, NULL))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  *root_out = json_node_copy (json_parser_get_root (parser));
  return json_node_get_object (*root_out);
}

gboolean
sm_token_store_save (const char      *profile,
                     SmNetwork        network,
                     const char      *remote_id,
                     const SmTokens  *tokens,
                     GCancellable    *cancellable,
                     GError         **error)
{
  g_autofree char *json = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (profile && remote_id && tokens, FALSE);

  json = tokens_to_json (tokens);
  label = g_strdup_printf (_("So-me Studio: %s account %s"),
                           sm_network_display_name (network), remote_id);
  for (int attempt = 0; ; attempt++)
    {
      if (secret_password_store_sync (&token_schema, SECRET_COLLECTION_DEFAULT, label, json,
                                      cancellable, &local_error,
                                      "profile", profile,
                                      "network", sm_network_to_string (network),
                                      "account", remote_id,
                                      NULL))
        break;
      if (attempt > 0 || !forget_stale_service (local_error))
        return keyring_error (local_error, error);
      g_clear_error (&local_error);
    }
  return TRUE;
}

/* Reads a secret without ever asking to unlock: the publisher runs in the
 * background, where an unlock prompt could wait forever.  A locked item is
 * an error that says what to do instead. */
static char *
lookup_without_prompt (const SecretSchema  *schema,
                       GHashTable          *attributes,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autolist(SecretItem) items = NULL;
  g_autoptr(SecretValue) value = NULL;
  GError *local_error = NULL;
  SecretItem *item;

  service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, cancellable, &local_error);
  if (service == NULL)
    {
      keyring_error (local_error, error);
      return NULL;
    }
  items = secret_service_search_sync (service, schema, attributes, SECRET_SEARCH_LOAD_SECRETS,
                                      cancellable, &local_error);
  if (local_error && forget_stale_service (local_error))
    {
      g_clear_error (&local_error);
      g_clear_object (&service);
      service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, cancellable, &local_error);
      if (service)
        items = secret_service_search_sync (service, schema, attributes, SECRET_SEARCH_LOAD_SECRETS,
                                            cancellable, &local_error);
    }
  if (local_error)
    {
      keyring_error (local_error, error);
      return NULL;
    }
  if (items == NULL)
    return NULL;

  item = items->data;
  if (secret_item_get_locked (item))
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_KEYRING,
                           _("The keyring is locked, so So-me Studio cannot read your "
                             "sign-ins. Unlock it (log in again, or open Passwords and "
                             "Keys); waiting posts go out at the next try."));
      return NULL;
    }
  value = secret_item_get_secret (item);
  if (value == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_KEYRING,
                           _("The keyring did not hand out the sign-in; try again."));
      return NULL;
    }
  return g_strdup (secret_value_get_text (value));
}

SmTokens *
sm_token_store_load (const char    *profile,
                     SmNetwork      network,
                     const char    *remote_id,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  SmTokens *tokens;
  JsonObject *obj;
  char *secret;

  attributes = secret_attributes_build (&token_schema,
                                        "profile", profile,
                                        "network", sm_network_to_string (network),
                                        "account", remote_id,
                                        NULL);
  secret = lookup_without_prompt (&token_schema, attributes, cancellable, &local_error);
  if (local_error)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (secret == NULL)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                   _("No sign-in is saved for this %s account; reconnect it."),
                   sm_network_display_name (network));
      return NULL;
    }
  obj = parse_object (secret, &root);
  memset (secret, 0, strlen (secret));
  g_free (secret);
  if (obj == NULL)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                   _("The saved sign-in for this %s account is damaged; reconnect it."),
                   sm_network_display_name (network));
      return NULL;
    }

  tokens = sm_tokens_new ();
  tokens->access_token = g_strdup (json_object_get_string_member_with_default (obj, "access_token", ""));
  tokens->refresh_token = g_strdup (json_object_get_string_member_with_default (obj, "refresh_token", NULL));
  tokens->expires_at_us = json_object_get_int_member_with_default (obj, "expires_at_us", 0);
  tokens->scope = g_strdup (json_object_get_string_member_with_default (obj, "scope", NULL));
  return tokens;
}

gboolean
sm_token_store_delete (const char    *profile,
                       SmNetwork      network,
                       const char    *remote_id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  GError *local_error = NULL;

  secret_password_clear_sync (&token_schema, cancellable, &local_error,
                              "profile", profile,
                              "network", sm_network_to_string (network),
                              "account", remote_id,
                              NULL);
  if (local_error)
    return keyring_error (local_error, error);
  return TRUE;
}

gboolean
sm_token_store_save_credentials (SmNetwork                   network,
                                 const SmClientCredentials  *creds,
                                 GCancellable               *cancellable,
                                 GError                    **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (creds != NULL && creds->client_id != NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "client_id");
  json_builder_add_string_value (builder, creds->client_id);
  if (creds->client_secret)
    {
      json_builder_set_member_name (builder, "client_secret");
      json_builder_add_string_value (builder, creds->client_secret);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  label = g_strdup_printf (_("So-me Studio: %s app credentials"), sm_network_display_name (network));
  if (!secret_password_store_sync (&credentials_schema, SECRET_COLLECTION_DEFAULT, label, json,
                                   cancellable, &local_error,
                                   "network", sm_network_to_string (network), NULL))
    return keyring_error (local_error, error);
  return TRUE;
}

gboolean
sm_token_store_delete_credentials (SmNetwork      network,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  GError *local_error = NULL;

  secret_password_clear_sync (&credentials_schema, cancellable, &local_error,
                              "network", sm_network_to_string (network), NULL);
  if (local_error)
    return keyring_error (local_error, error);
  return TRUE;
}

SmClientCredentials *
sm_token_store_load_credentials (SmNetwork      network,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  SmPlatform *platform = sm_platform_get (network);
  SmClientCredentials *creds;
  const char *builtin;
  char *secret;

  attributes = secret_attributes_build (&credentials_schema,
                                        "network", sm_network_to_string (network), NULL);
  secret = lookup_without_prompt (&credentials_schema, attributes, cancellable, &local_error);
  if (local_error)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (secret != NULL)
    {
      JsonObject *obj = parse_object (secret, &root);

      memset (secret, 0, strlen (secret));
      g_free (secret);
      if (obj != NULL && json_object_get_string_member_with_default (obj, "client_id", NULL))
        {
          creds = g_new0 (SmClientCredentials, 1);
          creds->client_id = g_strdup (json_object_get_string_member (obj, "client_id"));
          creds->client_secret = g_strdup (json_object_get_string_member_with_default (obj, "client_secret", NULL));
          return creds;
        }
    }

  builtin = platform ? sm_platform_get_builtin_client_id (platform) : NULL;
  if (builtin && *builtin && !(platform && sm_platform_get_oauth_spec (platform)->needs_secret))
    {
      creds = g_new0 (SmClientCredentials, 1);
      creds->client_id = g_strdup (builtin);
      return creds;
    }

  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
               _("So-me Studio has no app credentials for %s. Create an app in "
                 "the network's developer portal and enter its client id and "
                 "secret (“so-me accounts credentials %s”)."),
               sm_network_display_name (network), sm_network_to_string (network));
  return NULL;
}

/* ---- the media bucket ---------------------------------------------------- */

gboolean
sm_token_store_save_bucket (const char        *profile,
                            const SmS3Config  *config,
                            GCancellable      *cancellable,
                            GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (profile != NULL && config != NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "endpoint");
  json_builder_add_string_value (builder, config->endpoint);
  json_builder_set_member_name (builder, "region");
  json_builder_add_string_value (builder, config->region);
  json_builder_set_member_name (builder, "bucket");
  json_builder_add_string_value (builder, config->bucket);
  json_builder_set_member_name (builder, "access_key_id");
  json_builder_add_string_value (builder, config->access_key_id);
  json_builder_set_member_name (builder, "secret_access_key");
  json_builder_add_string_value (builder, config->secret_access_key);
  json_builder_set_member_name (builder, "addressing");
  json_builder_add_string_value (builder, sm_s3_addressing_to_string (config->addressing));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  label = g_strdup_printf (_("So-me Studio: media bucket %s"), config->bucket);
  for (int attempt = 0; ; attempt++)
    {
      ok = secret_password_store_sync (&bucket_schema, SECRET_COLLECTION_DEFAULT, label, json,
                                       cancellable, &local_error,
                                       "profile", profile, NULL);
      if (ok || attempt > 0 || !forget_stale_service (local_error))
        break;
      g_clear_error (&local_error);
    }
  memset (json, 0, strlen (json));
  if (!ok)
    return keyring_error (local_error, error);
  return TRUE;
}

SmS3Config *
sm_token_store_load_bucket (const char    *profile,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  SmS3Addressing addressing = SM_S3_ADDRESSING_AUTO;
  const char *style;
  JsonObject *obj;
  SmS3Config *config;
  char *secret;

  g_return_val_if_fail (profile != NULL, NULL);

  attributes = secret_attributes_build (&bucket_schema, "profile", profile, NULL);
  secret = lookup_without_prompt (&bucket_schema, attributes, cancellable, &local_error);
  if (local_error)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (secret == NULL)
    return NULL;

  obj = parse_object (secret, &root);
  memset (secret, 0, strlen (secret));
  g_free (secret);
  if (obj == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           _("The saved media bucket settings are damaged; set them again "
                             "with “so-me bucket set”."));
      return NULL;
    }

  style = json_object_get_string_member_with_default (obj, "addressing", "");
  if (g_strcmp0 (style, "path-style") == 0)
    addressing = SM_S3_ADDRESSING_PATH;
  else if (g_strcmp0 (style, "virtual-hosted") == 0)
    addressing = SM_S3_ADDRESSING_VIRTUAL;
  config = sm_s3_config_new (json_object_get_string_member_with_default (obj, "endpoint", ""),
                             json_object_get_string_member_with_default (obj, "region", ""),
                             json_object_get_string_member_with_default (obj, "bucket", ""),
                             json_object_get_string_member_with_default (obj, "access_key_id", ""),
                             json_object_get_string_member_with_default (obj, "secret_access_key", ""),
                             addressing);
  return config;
}

gboolean
sm_token_store_delete_bucket (const char    *profile,
                              GCancellable  *cancellable,
                              GError       **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (profile != NULL, FALSE);

  secret_password_clear_sync (&bucket_schema, cancellable, &local_error,
                              "profile", profile, NULL);
  if (local_error)
    return keyring_error (local_error, error);
  return TRUE;
}
