/* sm-sandbox-linkedin.c — LinkedIn (OAuth 2.0, Posts API) in the sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 6.  The REST API wants LinkedIn-Version and
 * X-Restli-Protocol-Version on every call; errors are
 * {"status","serviceErrorCode","code","message"} (serviceErrorCode only
 * where LinkedIn has one: 65600 invalid or missing token, 65601 revoked,
 * 65602 expired, 100 not enough permissions); the token endpoint answers
 * {"error","error_description"}.
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"

#define LI_NETWORK              "linkedin"
#define LI_ACCESS_LIFETIME_S    5184000
#define LI_REFRESH_LIFETIME_S   31536000
#define LI_MAX_COMMENTARY       3000

/* The demo member and the organizations in the sandbox. */
#define LI_PERSON_ID            "sbxQ7pL2mA"
#define LI_PERSON_URN           "urn:li:person:" LI_PERSON_ID
#define LI_GIVEN_NAME           "Robin"
#define LI_FAMILY_NAME          "Sandbox"

typedef struct
{
  gint64      id;
  const char *name;
  const char *vanity;
  gboolean    admin;    /* the demo member administers it */
} Organization;

static const Organization organizations[] = {
  { 90000001, "Sandbox Studio Ltd", "sandbox-studio", TRUE },
  { 90000002, "Somebody Else Inc", "somebody-else", FALSE },
};

static const char * const www_hosts[] = { "www.linkedin.com", "linkedin.com", NULL };
static const char * const api_hosts[] = { "api.linkedin.com", NULL };

static const char * const post_members[] = {
  "author", "commentary", "visibility", "distribution", "content", "lifecycleState",
  "isReshareDisabledByAuthor", "contentLandingPage", "contentCallToActionLabel", "container",
  "reshareContext", "adContext", NULL
};

/* ---- helpers ----------------------------------------------------------- */

static void
li_error (SmSandboxRequest *req,
          guint             status,
          int               service_code,
          const char       *code,
          const char       *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "status", status);
  if (service_code != 0)
    json_object_set_int_member (object, "serviceErrorCode", service_code);
  json_object_set_string_member (object, "code", code);
  json_object_set_string_member (object, "message", message);
  _sm_sandbox_respond_object (req, status, object);
}

static void
unprocessable (SmSandboxRequest *req,
               const char       *field,
               const char       *problem)
{
  g_autofree char *message = g_strdup_printf ("ERROR :: /%s :: %s", field, problem);

  li_error (req, 422, 0, "UNPROCESSABLE_ENTITY", message);
}

static void
oauth_error (SmSandboxRequest *req,
             guint             status,
             const char       *error,
             const char       *description)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", error);
  json_object_set_string_member (object, "error_description", description);
  _sm_sandbox_respond_object (req, status, object);
}

static const Organization *
find_organization (gint64 id)
{
  for (guint i = 0; i < G_N_ELEMENTS (organizations); i++)
    if (organizations[i].id == id)
      return &organizations[i];
  return NULL;
}

static const Organization *
organization_from_urn (const char *urn)
{
  guint64 id;

  if (urn == NULL || !g_str_has_prefix (urn, "urn:li:organization:") ||
      !g_ascii_string_to_unsigned (urn + strlen ("urn:li:organization:"), 10, 1, G_MAXINT64, &id, NULL))
    return NULL;
  return find_organization ((gint64) id);
}

static char *
comma_scopes (const char *scope)
{
  g_auto(GStrv) parts = g_strsplit_set (scope, " ,", -1);
  GString *joined = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      if (joined->len > 0)
        g_string_append_c (joined, ',');
      g_string_append (joined, parts[i]);
    }
  return g_string_free (joined, FALSE);
}

/* The access token, or NULL after answering 401. */
static SmSandboxToken *
authenticate (SmSandboxRequest *req)
{
  const char *bearer = _sm_sandbox_request_bearer (req, FALSE);
  SmSandboxToken *token;

  if (bearer == NULL)
    {
      li_error (req, 401, 65600, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token");
      return NULL;
    }
  token = _sm_sandbox_token_lookup (req->sandbox, LI_NETWORK, bearer);
  if (token == NULL || strcmp (token->kind, "access") != 0)
    {
      li_error (req, 401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token");
      return NULL;
    }
  if (token->state == SM_SANDBOX_TOKEN_REVOKED)
    {
      li_error (req, 401, 65601, "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user");
      return NULL;
    }
  if (token->state == SM_SANDBOX_TOKEN_EXPIRED)
    {
      li_error (req, 401, 65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired");
      return NULL;
    }
  return token;
}

/* LinkedIn-Version (YYYYMM) and X-Restli-Protocol-Version: 2.0.0. */
static gboolean
rest_headers_ok (SmSandboxRequest *req)
{
  const char *version = _sm_sandbox_request_header (req, "LinkedIn-Version");
  const char *restli = _sm_sandbox_request_header (req, "X-Restli-Protocol-Version");
  guint64 month;

  if (version == NULL)
    {
      li_error (req, 400, 0, "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.");
      return FALSE;
    }
  if (strlen (version) != 6 ||
      !g_ascii_string_to_unsigned (version, 10, 202001, 209912, NULL, NULL) ||
      !g_ascii_string_to_unsigned (version + 4, 10, 1, 12, &month, NULL))
    {
      g_autofree char *message = g_strdup_printf ("Requested version %s is not active", version);

      li_error (req, 426, 0, "NONEXISTENT_VERSION", message);
      return FALSE;
    }
  if (g_strcmp0 (restli, "2.0.0") != 0)
    {
      li_error (req, 400, 0, "INVALID_PROTOCOL_VERSION",
                "This endpoint needs the header X-Restli-Protocol-Version: 2.0.0");
      return FALSE;
    }
  return TRUE;
}

static void
access_denied (SmSandboxRequest *req,
               const char       *what)
{
  const char *version = _sm_sandbox_request_header (req, "LinkedIn-Version");
  g_autofree char *message = g_strdup_printf ("Not enough permissions to access: %s.%s", what,
                                              version != NULL ? version : "NO_VERSION");

  li_error (req, 403, 100, "ACCESS_DENIED", message);
}

/* May @token act for (or read as) @author?  Person: only the member
 * themself; organization: only one they administer. */
static gboolean
may_act_as (SmSandboxToken *token,
            const char     *author,
            gboolean        write)
{
  const Organization *org;

  if (g_strcmp0 (author, LI_PERSON_URN) == 0)
    return _sm_sandbox_scope_has (token->scope, "w_member_social") ||
           (!write && _sm_sandbox_scope_has (token->scope, "r_member_social"));
  org = organization_from_urn (author);
  if (org == NULL || !org->admin)
    return FALSE;
  return _sm_sandbox_scope_has (token->scope, "w_organization_social") ||
         (!write && (_sm_sandbox_scope_has (token->scope, "r_organization_social") ||
                     _sm_sandbox_scope_has (token->scope, "rw_organization_admin")));
}

/* ---- OAuth ------------------------------------------------------------- */

static void
authorize_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  static const SmSandboxAuthorizeSpec spec = {
    .network = LI_NETWORK,
  };

  _sm_sandbox_authorize (req, &spec);
}

static const char *
missing_param (SmSandboxRequest   *req,
               const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *value = _sm_sandbox_request_param (req, names[i]);

      if (value == NULL || *value == '\0')
        return names[i];
    }
  return NULL;
}

static void
respond_tokens (SmSandboxRequest *req,
                SmSandboxToken   *access,
                SmSandboxToken   *refresh)
{
  JsonObject *object = json_object_new ();
  g_autofree char *scope = comma_scopes (access->scope);
  gint64 refresh_left = (refresh->expires_us - g_get_real_time ()) / G_USEC_PER_SEC;

  json_object_set_string_member (object, "access_token", access->token);
  json_object_set_int_member (object, "expires_in", LI_ACCESS_LIFETIME_S);
  json_object_set_string_member (object, "refresh_token", refresh->token);
  json_object_set_int_member (object, "refresh_token_expires_in", MAX (refresh_left, 0));
  json_object_set_string_member (object, "scope", scope);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
token_cb (SmSandboxRequest *req,
          gpointer          user_data)
{
  const char *grant_type;
  const char *missing;
  const char *client_id;

  if (!_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      oauth_error (req, 400, "invalid_request",
                   "The token endpoint takes an application/x-www-form-urlencoded body");
      return;
    }

  grant_type = _sm_sandbox_request_param (req, "grant_type");
  client_id = _sm_sandbox_request_param (req, "client_id");
  if (g_strcmp0 (grant_type, "authorization_code") == 0)
    {
      const char * const required[] = { "code", "redirect_uri", "client_id", "client_secret", NULL };
      const char *verifier = _sm_sandbox_request_param (req, "code_verifier");
      const SmSandboxCode *stored = NULL;
      SmSandboxToken *access, *refresh;

      if ((missing = missing_param (req, required)) != NULL)
        {
          g_autofree char *message = g_strdup_printf ("A required parameter \"%s\" is missing", missing);

          oauth_error (req, 400, "invalid_request", message);
          return;
        }
      if (_sm_sandbox_code_redeem (req->sandbox, LI_NETWORK, _sm_sandbox_request_param (req, "code"),
                                   &stored) != SM_SANDBOX_CODE_OK ||
          strcmp (stored->client_id, client_id) != 0 ||
          strcmp (stored->redirect_uri, _sm_sandbox_request_param (req, "redirect_uri")) != 0 ||
          (stored->challenge != NULL && !_sm_sandbox_pkce_check (stored->challenge, verifier)))
        {
          oauth_error (req, 400, "invalid_request",
                       "Unable to retrieve access token: appid/redirect uri/code verifier does "
                       "not match authorization code. Or authorization code expired. Or "
                       "external member binding exists");
          return;
        }

      access = _sm_sandbox_token_issue (req->sandbox, LI_NETWORK, "access", "user", LI_PERSON_ID,
                                        stored->scope, client_id, 0, LI_ACCESS_LIFETIME_S);
      refresh = _sm_sandbox_token_issue (req->sandbox, LI_NETWORK, "refresh", "user", LI_PERSON_ID,
                                         stored->scope, client_id, access->grant, LI_REFRESH_LIFETIME_S);
      _sm_sandbox_token_pair (access, refresh);
      respond_tokens (req, access, refresh);
    }
  else if (g_strcmp0 (grant_type, "refresh_token") == 0)
    {
      const char * const required[] = { "refresh_token", "client_id", "client_secret", NULL };
      SmSandboxToken *refresh, *access;

      if ((missing = missing_param (req, required)) != NULL)
        {
          g_autofree char *message = g_strdup_printf ("A required parameter \"%s\" is missing", missing);

          oauth_error (req, 400, "invalid_request", message);
          return;
        }
      refresh = _sm_sandbox_token_lookup (req->sandbox, LI_NETWORK,
                                          _sm_sandbox_request_param (req, "refresh_token"));
      if (refresh == NULL || strcmp (refresh->kind, "refresh") != 0 ||
          refresh->state != SM_SANDBOX_TOKEN_VALID || strcmp (refresh->client_id, client_id) != 0)
        {
          oauth_error (req, 400, "invalid_grant",
                       "The provided authorization grant or refresh token is invalid, expired "
                       "or revoked.");
          return;
        }

      /* LinkedIn keeps the refresh token (and its end date) across refreshes. */
      access = _sm_sandbox_token_issue (req->sandbox, LI_NETWORK, "access", "user", refresh->account,
                                        refresh->scope, client_id, refresh->grant, LI_ACCESS_LIFETIME_S);
      _sm_sandbox_token_pair (access, refresh);
      respond_tokens (req, access, refresh);
    }
  else if (grant_type == NULL)
    {
      oauth_error (req, 400, "invalid_request", "A required parameter \"grant_type\" is missing");
    }
  else
    {
      oauth_error (req, 400, "unsupported_grant_type", "The grant type is not supported");
    }
}

static void
revoke_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  const char * const required[] = { "client_id", "client_secret", "token", NULL };
  const char *missing;
  SmSandboxToken *token;

  if (!_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      oauth_error (req, 400, "invalid_request",
                   "The revoke endpoint takes an application/x-www-form-urlencoded body");
      return;
    }
  if ((missing = missing_param (req, required)) != NULL)
    {
      g_autofree char *message = g_strdup_printf ("A required parameter \"%s\" is missing", missing);

      oauth_error (req, 400, "invalid_request", message);
      return;
    }
  token = _sm_sandbox_token_lookup (req->sandbox, LI_NETWORK, _sm_sandbox_request_param (req, "token"));
  if (token != NULL && strcmp (token->client_id, _sm_sandbox_request_param (req, "client_id")) == 0)
    _sm_sandbox_grant_revoke (req->sandbox, token->grant);
  _sm_sandbox_respond_empty (req, 200);
}

static void
introspect_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  const char * const required[] = { "client_id", "client_secret", "token", NULL };
  const char *missing;
  SmSandboxToken *token;
  JsonObject *object;

  if ((missing = missing_param (req, required)) != NULL)
    {
      g_autofree char *message = g_strdup_printf ("A required parameter \"%s\" is missing", missing);

      oauth_error (req, 400, "invalid_request", message);
      return;
    }
  token = _sm_sandbox_token_lookup (req->sandbox, LI_NETWORK, _sm_sandbox_request_param (req, "token"));
  object = json_object_new ();
  if (token == NULL || strcmp (token->client_id, _sm_sandbox_request_param (req, "client_id")) != 0)
    {
      json_object_set_boolean_member (object, "active", FALSE);
    }
  else
    {
      g_autofree char *scope = comma_scopes (token->scope);
      const char *status = token->state == SM_SANDBOX_TOKEN_VALID ? "active" :
                           token->state == SM_SANDBOX_TOKEN_EXPIRED ? "expired" : "revoked";

      json_object_set_boolean_member (object, "active", token->state == SM_SANDBOX_TOKEN_VALID);
      json_object_set_string_member (object, "client_id", token->client_id);
      json_object_set_int_member (object, "authorized_at", token->issued_us / G_USEC_PER_SEC);
      json_object_set_int_member (object, "created_at", token->issued_us / G_USEC_PER_SEC);
      json_object_set_string_member (object, "status", status);
      json_object_set_int_member (object, "expires_at", token->expires_us / G_USEC_PER_SEC);
      json_object_set_string_member (object, "scope", scope);
      json_object_set_string_member (object, "auth_type", "3L");
    }
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- API --------------------------------------------------------------- */

static void
userinfo_cb (SmSandboxRequest *req,
             gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req);
  JsonObject *object, *locale;

  if (token == NULL)
    return;
  if (!_sm_sandbox_scope_has (token->scope, "openid"))
    {
      access_denied (req, "userinfo.GET");
      return;
    }

  object = json_object_new ();
  json_object_set_string_member (object, "sub", LI_PERSON_ID);
  if (_sm_sandbox_scope_has (token->scope, "profile"))
    {
      json_object_set_string_member (object, "name", LI_GIVEN_NAME " " LI_FAMILY_NAME);
      json_object_set_string_member (object, "given_name", LI_GIVEN_NAME);
      json_object_set_string_member (object, "family_name", LI_FAMILY_NAME);
      json_object_set_string_member (object, "picture", "https://media.licdn.com/dms/image/sandbox");
      locale = json_object_new ();
      json_object_set_string_member (locale, "country", "US");
      json_object_set_string_member (locale, "language", "en");
      json_object_set_object_member (object, "locale", locale);
    }
  if (_sm_sandbox_scope_has (token->scope, "email"))
    {
      json_object_set_string_member (object, "email", "robin@sandbox.invalid");
      json_object_set_boolean_member (object, "email_verified", TRUE);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

static void
organization_acls_cb (SmSandboxRequest *req,
                      gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req);
  const char *q = _sm_sandbox_request_query (req, "q");
  const char *role = _sm_sandbox_request_query (req, "role");
  const char *state = _sm_sandbox_request_query (req, "state");
  JsonObject *object, *paging;
  JsonArray *elements;

  if (token == NULL || !rest_headers_ok (req))
    return;
  if (g_strcmp0 (q, "roleAssignee") != 0)
    {
      li_error (req, 400, 0, "ILLEGAL_ARGUMENT", "The sandbox knows only q=roleAssignee here");
      return;
    }
  if (!_sm_sandbox_scope_has (token->scope, "rw_organization_admin") &&
      !_sm_sandbox_scope_has (token->scope, "r_organization_admin") &&
      !_sm_sandbox_scope_has (token->scope, "w_organization_social") &&
      !_sm_sandbox_scope_has (token->scope, "r_organization_social"))
    {
      access_denied (req, "organizationAcls.FINDER-roleAssignee");
      return;
    }

  elements = json_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (organizations); i++)
    {
      JsonObject *item;
      g_autofree char *urn = NULL;

      if (!organizations[i].admin ||
          (role != NULL && strcmp (role, "ADMINISTRATOR") != 0) ||
          (state != NULL && strcmp (state, "APPROVED") != 0))
        continue;
      urn = g_strdup_printf ("urn:li:organization:%" G_GINT64_FORMAT, organizations[i].id);
      item = json_object_new ();
      json_object_set_string_member (item, "roleAssignee", LI_PERSON_URN);
      json_object_set_string_member (item, "state", "APPROVED");
      json_object_set_string_member (item, "role", "ADMINISTRATOR");
      json_object_set_string_member (item, "organization", urn);
      json_array_add_object_element (elements, item);
    }

  paging = json_object_new ();
  json_object_set_int_member (paging, "start", 0);
  json_object_set_int_member (paging, "count", 10);
  json_object_set_array_member (paging, "links", json_array_new ());
  json_object_set_int_member (paging, "total", json_array_get_length (elements));
  object = json_object_new ();
  json_object_set_object_member (object, "paging", paging);
  json_object_set_array_member (object, "elements", elements);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
organization_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req);
  const char *id_text = _sm_sandbox_request_arg (req, 0);
  const Organization *org = NULL;
  guint64 id;
  JsonObject *object, *name, *localized, *preferred;

  if (token == NULL || !rest_headers_ok (req))
    return;
  if (g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXINT64, &id, NULL))
    org = find_organization ((gint64) id);
  if (org == NULL)
    {
      li_error (req, 404, 0, "NOT_FOUND", "Organization not found");
      return;
    }

  localized = json_object_new ();
  json_object_set_string_member (localized, "en_US", org->name);
  preferred = json_object_new ();
  json_object_set_string_member (preferred, "country", "US");
  json_object_set_string_member (preferred, "language", "en");
  name = json_object_new ();
  json_object_set_object_member (name, "localized", localized);
  json_object_set_object_member (name, "preferredLocale", preferred);

  object = json_object_new ();
  json_object_set_int_member (object, "id", org->id);
  json_object_set_string_member (object, "localizedName", org->name);
  json_object_set_string_member (object, "vanityName", org->vanity);
  json_object_set_object_member (object, "name", name);
  _sm_sandbox_respond_object (req, 200, object);
}

static JsonObject *
post_to_object (SmSandboxPost *post)
{
  JsonObject *object = json_object_new ();
  JsonObject *distribution = json_object_new ();
  JsonObject *state_info = json_object_new ();
  gint64 ms = post->received_us / 1000;

  json_object_set_string_member (distribution, "feedDistribution", "MAIN_FEED");
  json_object_set_array_member (distribution, "targetEntities", json_array_new ());
  json_object_set_array_member (distribution, "thirdPartyDistributionChannels", json_array_new ());
  json_object_set_boolean_member (state_info, "isEditedByAuthor", FALSE);

  json_object_set_string_member (object, "id", post->id);
  json_object_set_string_member (object, "author", post->account);
  json_object_set_string_member (object, "commentary", post->text);
  json_object_set_string_member (object, "visibility", post->extra);
  json_object_set_object_member (object, "distribution", distribution);
  json_object_set_string_member (object, "lifecycleState", "PUBLISHED");
  json_object_set_object_member (object, "lifecycleStateInfo", state_info);
  json_object_set_boolean_member (object, "isReshareDisabledByAuthor", FALSE);
  json_object_set_int_member (object, "createdAt", ms);
  json_object_set_int_member (object, "publishedAt", ms);
  json_object_set_int_member (object, "lastModifiedAt", ms);
  return object;
}

static gboolean
member_is_string (JsonObject *object,
                  const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static void
create_post_cb (SmSandboxRequest *req,
                gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req);
  JsonNode *root;
  JsonObject *body;
  g_autoptr(GList) members = NULL;
  const char *author, *commentary, *visibility, *lifecycle;
  JsonNode *distribution;
  const char *feed;
  SmSandboxPost *post;
  g_autofree char *urn = NULL;

  if (token == NULL || !rest_headers_ok (req))
    return;
  if (!_sm_sandbox_request_has_type (req, "application/json"))
    {
      li_error (req, 415, 0, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
      return;
    }
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      li_error (req, 400, 0, "BAD_REQUEST", "The request body is not a JSON object");
      return;
    }
  body = json_node_get_object (root);

  members = json_object_get_members (body);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (post_members, l->data))
      {
        unprocessable (req, l->data, "unrecognized field found but not allowed");
        return;
      }

  if (!member_is_string (body, "author"))
    {
      unprocessable (req, "author", "field is required but not found and has no default value");
      return;
    }
  author = json_object_get_string_member (body, "author");
  if (strcmp (author, LI_PERSON_URN) != 0 && organization_from_urn (author) == NULL)
    {
      unprocessable (req, "author", "not a person or organization URN the sandbox knows");
      return;
    }
  if (!may_act_as (token, author, TRUE))
    {
      access_denied (req, "partnerApiPostsExternal.CREATE");
      return;
    }

  if (json_object_has_member (body, "content"))
    {
      unprocessable (req, "content", "the sandbox has no media yet; post text only");
      return;
    }
  if (!member_is_string (body, "commentary"))
    {
      unprocessable (req, "commentary", "field is required but not found and has no default value");
      return;
    }
  commentary = json_object_get_string_member (body, "commentary");
  if (*commentary == '\0')
    {
      unprocessable (req, "commentary", "a text post needs commentary");
      return;
    }
  if (g_utf8_strlen (commentary, -1) > LI_MAX_COMMENTARY)
    {
      unprocessable (req, "commentary", "length exceeds the maximum of 3000 characters");
      return;
    }

  if (!member_is_string (body, "visibility"))
    {
      unprocessable (req, "visibility", "field is required but not found and has no default value");
      return;
    }
  visibility = json_object_get_string_member (body, "visibility");
  if (strcmp (visibility, "PUBLIC") != 0 && strcmp (visibility, "LOGGED_IN") != 0 &&
      (strcmp (visibility, "CONNECTIONS") != 0 || strcmp (author, LI_PERSON_URN) != 0))
    {
      unprocessable (req, "visibility", "value is not one of PUBLIC, CONNECTIONS (members only), LOGGED_IN");
      return;
    }

  distribution = json_object_get_member (body, "distribution");
  if (distribution == NULL || !JSON_NODE_HOLDS_OBJECT (distribution))
    {
      unprocessable (req, "distribution", "field is required but not found and has no default value");
      return;
    }
  feed = json_object_get_string_member_with_default (json_node_get_object (distribution),
                                                     "feedDistribution", NULL);
  if (g_strcmp0 (feed, "MAIN_FEED") != 0 && g_strcmp0 (feed, "NONE") != 0)
    {
      unprocessable (req, "distribution/feedDistribution", "value must be MAIN_FEED or NONE");
      return;
    }

  if (!member_is_string (body, "lifecycleState"))
    {
      unprocessable (req, "lifecycleState", "field is required but not found and has no default value");
      return;
    }
  lifecycle = json_object_get_string_member (body, "lifecycleState");
  if (strcmp (lifecycle, "PUBLISHED") != 0)
    {
      unprocessable (req, "lifecycleState", "the sandbox creates PUBLISHED posts only");
      return;
    }

  if ((post = _sm_sandbox_post_find_text (req->sandbox, LI_NETWORK, author, commentary)) != NULL)
    {
      g_autofree char *message = g_strdup_printf ("Content is a duplicate of %s", post->id);

      li_error (req, 422, 0, "DUPLICATE_POST", message);
      return;
    }

  urn = g_strdup_printf ("urn:li:share:%" G_GUINT64_FORMAT,
                         G_GUINT64_CONSTANT (7200000000000000000) + _sm_sandbox_next_serial (req->sandbox));
  post = _sm_sandbox_post_add (req->sandbox, LI_NETWORK, author, urn, commentary);
  post->extra = g_strdup (visibility);

  _sm_sandbox_set_header (req, "x-restli-id", urn);
  _sm_sandbox_respond_empty (req, 201);
}

static void
list_posts_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req);
  const char *q = _sm_sandbox_request_query (req, "q");
  const char *author = _sm_sandbox_request_query (req, "author");
  const char *count_text = _sm_sandbox_request_query (req, "count");
  const char *start_text = _sm_sandbox_request_query (req, "start");
  guint64 count = 10, start = 0;
  g_autoptr(GPtrArray) posts = NULL;
  JsonObject *object, *paging;
  JsonArray *elements;

  if (token == NULL || !rest_headers_ok (req))
    return;
  if (g_strcmp0 (q, "author") != 0)
    {
      li_error (req, 400, 0, "ILLEGAL_ARGUMENT", "The sandbox knows only q=author here");
      return;
    }
  if (author == NULL)
    {
      li_error (req, 400, 0, "ILLEGAL_ARGUMENT", "author is required with q=author");
      return;
    }
  if (count_text != NULL && !g_ascii_string_to_unsigned (count_text, 10, 1, 100, &count, NULL))
    {
      li_error (req, 400, 0, "ILLEGAL_ARGUMENT", "count must be 1 to 100");
      return;
    }
  if (start_text != NULL && !g_ascii_string_to_unsigned (start_text, 10, 0, G_MAXINT, &start, NULL))
    {
      li_error (req, 400, 0, "ILLEGAL_ARGUMENT", "start must be a number");
      return;
    }
  if (!may_act_as (token, author, FALSE))
    {
      access_denied (req, "partnerApiPostsExternal.FINDER-author");
      return;
    }

  posts = _sm_sandbox_posts_of (req->sandbox, LI_NETWORK, author);
  elements = json_array_new ();
  for (guint i = start; i < posts->len && json_array_get_length (elements) < count; i++)
    json_array_add_object_element (elements, post_to_object (g_ptr_array_index (posts, i)));

  paging = json_object_new ();
  json_object_set_int_member (paging, "start", start);
  json_object_set_int_member (paging, "count", count);
  json_object_set_array_member (paging, "links", json_array_new ());
  json_object_set_int_member (paging, "total", posts->len);
  object = json_object_new ();
  json_object_set_object_member (object, "paging", paging);
  json_object_set_array_member (object, "elements", elements);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
post_cb (SmSandboxRequest *req,
         gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req);
  const char *urn = _sm_sandbox_request_arg (req, 0);
  SmSandboxPost *post;

  if (token == NULL || !rest_headers_ok (req))
    return;
  post = _sm_sandbox_post_lookup (req->sandbox, LI_NETWORK, urn);
  if (post == NULL)
    {
      li_error (req, 404, 0, "NOT_FOUND", "Post not found");
      return;
    }
  if (!may_act_as (token, post->account, strcmp (req->method, "DELETE") == 0))
    {
      access_denied (req, strcmp (req->method, "DELETE") == 0 ?
                          "partnerApiPostsExternal.DELETE" : "partnerApiPostsExternal.GET");
      return;
    }

  if (strcmp (req->method, "DELETE") == 0)
    {
      post->deleted = TRUE;
      _sm_sandbox_respond_empty (req, 204);
      return;
    }
  _sm_sandbox_respond_object (req, 200, post_to_object (post));
}

static void
api_not_found_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  li_error (req, 404, 0, "RESOURCE_NOT_FOUND", "No virtual resource found");
}

static void
site_not_found_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  _sm_sandbox_respond_page (req, 404, "This page doesn’t exist in the sandbox’s LinkedIn.");
}

void
_sm_sandbox_linkedin_register (SmSandbox *self)
{
  _sm_sandbox_add_route (self, www_hosts, "GET", "/oauth/v2/authorization", authorize_cb, NULL);
  _sm_sandbox_add_route (self, www_hosts, "POST", "/oauth/v2/accessToken", token_cb, NULL);
  _sm_sandbox_add_route (self, www_hosts, "POST", "/oauth/v2/revoke", revoke_cb, NULL);
  _sm_sandbox_add_route (self, www_hosts, "POST", "/oauth/v2/introspectToken", introspect_cb, NULL);
  _sm_sandbox_add_route (self, www_hosts, "*", "/**", site_not_found_cb, NULL);

  _sm_sandbox_add_route (self, api_hosts, "GET", "/v2/userinfo", userinfo_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/organizationAcls", organization_acls_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/organizations/*", organization_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/rest/posts", create_post_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/posts", list_posts_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/posts/*", post_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "DELETE", "/rest/posts/*", post_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "*", "/**", api_not_found_cb, NULL);
}
