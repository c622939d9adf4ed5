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
 *
 * Files (6.4, 6.5) are never held in memory: the upload PUTs stream into a
 * running SHA-256, which is why video parts must arrive in order (a part
 * sent again is hashed on its own and must be the same bytes).  Upload URLs
 * are https://www.linkedin.com/dms-uploads/sp/v2/{id}/{kind}/{part}?…&m=SIG
 * and stop taking bytes at their expiry.  The knobs (part size, processing
 * time, URL lifetime, a processing failure) are the /__sandbox/linkedin
 * hook, documented in sm-sandbox.h.
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

static gboolean
member_is_string (JsonObject *object,
                  const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* ---- media: images, documents and videos (6.4, 6.5) --------------------- */

typedef enum
{
  ASSET_IMAGE,
  ASSET_DOCUMENT,
  ASSET_VIDEO,
} AssetKind;

static const struct
{
  const char *collection;   /* /rest/{collection} */
  const char *urn_prefix;
  const char *upload_segment;
  const char *field;        /* the URN's member in initializeUpload's answer */
  const char *resource;     /* in permission messages */
} asset_kinds[] = {
  [ASSET_IMAGE] = { "images", "urn:li:image:", "uploaded-image", "image", "images" },
  [ASSET_DOCUMENT] = { "documents", "urn:li:document:", "uploaded-document", "document", "documents" },
  [ASSET_VIDEO] = { "videos", "urn:li:video:", "uploaded-video", "video", "videos" },
};

/* One uploaded (or to be uploaded) file; reference counted (g_rc_box)
 * because a PUT streaming into it may outlive a reset. */
typedef struct
{
  AssetKind  kind;
  char      *id;             /* the URN without its prefix; in upload URLs */
  char      *urn;
  char      *owner;
  char      *signature;      /* the m= of its upload URLs */
  char      *upload_token;   /* videos: "" for one part, else a random string */
  gint64     expires_us;     /* the upload URLs stop working then */
  guint64    total;          /* videos: fileSizeBytes; images: once uploaded */
  guint64    part_bytes;     /* videos: every part but the last */
  guint      n_parts;
  guint      committed;      /* parts stored, in order */
  GChecksum *sha256;         /* of the committed parts, in order */
  char     **etags;          /* per part, NULL until stored */
  char     **part_sha256;    /* per part, to tell a part sent again */
  char      *file_sha256;    /* once complete (uploaded image, finalized video) */
  gint64     ready_us;       /* PROCESSING until then; 0: not complete */
  char      *failure;        /* PROCESSING_FAILED with this reason */
} Asset;

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *assets;        /* id → Asset */
  GHashTable *contents;      /* post URN → JsonNode "content" as posted */
  /* Test knobs (POST /__sandbox/linkedin), back to defaults on reset. */
  guint64     part_bytes;
  gint64      processing_ms;
  gint64      url_lifetime_ms;
  guint64     video_max_bytes;
  char       *fail_processing;
} LiState;

#define LI_PART_BYTES             (4 * 1024 * 1024)   /* 6.5 step 2 */
#define LI_PROCESSING_MS          1000
#define LI_URL_LIFETIME_MS        (60 * 60 * 1000)
#define LI_VIDEO_MIN_BYTES        75000               /* 6.5 limits: 75 KB */
#define LI_VIDEO_MAX_BYTES        500000000           /* 6.5 limits: 500 MB (unconfirmed) */
#define LI_MIN_PART_BYTES         1024
#define LI_MULTI_IMAGE_MIN        2
#define LI_MULTI_IMAGE_MAX        20

static void
asset_clear (Asset *asset)
{
  g_free (asset->id);
  g_free (asset->urn);
  g_free (asset->owner);
  g_free (asset->signature);
  g_free (asset->upload_token);
  g_clear_pointer (&asset->sha256, g_checksum_free);
  for (guint i = 0; asset->etags != NULL && i < asset->n_parts; i++)
    {
      g_free (asset->etags[i]);
      g_free (asset->part_sha256[i]);
    }
  g_free (asset->etags);
  g_free (asset->part_sha256);
  g_free (asset->file_sha256);
  g_free (asset->failure);
}

static void
asset_unref (Asset *asset)
{
  g_rc_box_release_full (asset, (GDestroyNotify) asset_clear);
}

static void
li_state_defaults (LiState *state)
{
  state->part_bytes = LI_PART_BYTES;
  state->processing_ms = LI_PROCESSING_MS;
  state->url_lifetime_ms = LI_URL_LIFETIME_MS;
  state->video_max_bytes = LI_VIDEO_MAX_BYTES;
  g_clear_pointer (&state->fail_processing, g_free);
}

static void
li_state_reset (gpointer data,
                gpointer user_data)
{
  LiState *state = data;

  g_hash_table_remove_all (state->assets);
  g_hash_table_remove_all (state->contents);
  li_state_defaults (state);
}

static void
li_state_free (gpointer data)
{
  LiState *state = data;

  g_hash_table_unref (state->assets);
  g_hash_table_unref (state->contents);
  g_free (state->fail_processing);
  g_free (state);
}

/* "WAITING_UPLOAD" | "PROCESSING" | "AVAILABLE" | "PROCESSING_FAILED":
 * processing takes processing_ms from the upload's end, failure included. */
static const char *
asset_status (Asset *asset)
{
  if (asset->ready_us == 0)
    return "WAITING_UPLOAD";
  if (g_get_real_time () < asset->ready_us)
    return "PROCESSING";
  return asset->failure != NULL ? "PROCESSING_FAILED" : "AVAILABLE";
}

/* The upload is complete: processing starts, and fails if a test asked. */
static void
asset_complete (LiState *state,
                Asset   *asset)
{
  g_autoptr(GChecksum) copy = g_checksum_copy (asset->sha256);

  asset->file_sha256 = g_strdup (g_checksum_get_string (copy));
  asset->ready_us = g_get_real_time () + state->processing_ms * 1000;
  if (state->fail_processing != NULL)
    asset->failure = g_steal_pointer (&state->fail_processing);
}

static Asset *
asset_lookup_urn (LiState    *state,
                  const char *urn,
                  AssetKind  *kind_out)
{
  for (guint k = 0; k < G_N_ELEMENTS (asset_kinds); k++)
    if (urn != NULL && g_str_has_prefix (urn, asset_kinds[k].urn_prefix))
      {
        Asset *asset = g_hash_table_lookup (state->assets, urn + strlen (asset_kinds[k].urn_prefix));

        if (kind_out != NULL)
          *kind_out = k;
        return asset != NULL && asset->kind == k ? asset : NULL;
      }
  return NULL;
}

static char *
upload_url (Asset *asset,
            guint  part)
{
  return g_strdup_printf ("https://www.linkedin.com/dms-uploads/sp/v2/%s/%s/%u"
                          "?ca=vector_feedshare&cn=uploads&m=%s&v=beta",
                          asset->id, asset_kinds[asset->kind].upload_segment, part,
                          asset->signature);
}

static Asset *
asset_new (LiState    *state,
           AssetKind   kind,
           const char *owner)
{
  Asset *asset = g_rc_box_new0 (Asset);
  static const char * const prefixes[] = { "D4E10AQ", "D4D10AQ", "D5605AQ" };

  asset->kind = kind;
  asset->id = _sm_sandbox_random_string (prefixes[kind]);
  asset->urn = g_strconcat (asset_kinds[kind].urn_prefix, asset->id, NULL);
  asset->owner = g_strdup (owner);
  asset->signature = _sm_sandbox_random_string ("AQ");
  asset->expires_us = g_get_real_time () + state->url_lifetime_ms * 1000;
  asset->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  g_hash_table_insert (state->assets, asset->id, asset);
  return asset;
}

/* {"initializeUploadRequest":{…}} of a /rest/{images,documents,videos}
 * call, or NULL after answering. */
static JsonObject *
initialize_request (SmSandboxRequest *req,
                    const char       *name)
{
  JsonNode *root;
  JsonNode *inner;

  if (!_sm_sandbox_request_has_type (req, "application/json"))
    {
      li_error (req, 415, 0, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
      return NULL;
    }
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      li_error (req, 400, 0, "BAD_REQUEST", "The request body is not a JSON object");
      return NULL;
    }
  inner = json_object_get_member (json_node_get_object (root), name);
  if (inner == NULL || !JSON_NODE_HOLDS_OBJECT (inner))
    {
      unprocessable (req, name, "field is required but not found and has no default value");
      return NULL;
    }
  return json_node_get_object (inner);
}

/* The owner of a new upload: a URN the token may post as, or NULL after
 * answering. */
static const char *
upload_owner (SmSandboxRequest *req,
              SmSandboxToken   *token,
              JsonObject       *request,
              AssetKind         kind)
{
  const char *owner;

  if (!member_is_string (request, "owner"))
    {
      unprocessable (req, "initializeUploadRequest/owner",
                     "field is required but not found and has no default value");
      return NULL;
    }
  owner = json_object_get_string_member (request, "owner");
  if (strcmp (owner, LI_PERSON_URN) != 0 && organization_from_urn (owner) == NULL)
    {
      unprocessable (req, "initializeUploadRequest/owner",
                     "not a person or organization URN the sandbox knows");
      return NULL;
    }
  if (!may_act_as (token, owner, TRUE))
    {
      g_autofree char *what = g_strdup_printf ("%s.ACTION-initializeUpload", asset_kinds[kind].resource);

      access_denied (req, what);
      return NULL;
    }
  return owner;
}

static gboolean
rest_call_ok (SmSandboxRequest  *req,
              SmSandboxToken   **token_out)
{
  SmSandboxToken *token = authenticate (req);

  if (token == NULL || !rest_headers_ok (req))
    return FALSE;
  *token_out = token;
  return TRUE;
}

/* 6.4: POST /rest/images?action=initializeUpload (and /rest/documents). */
static void
initialize_single (SmSandboxRequest *req,
                   LiState          *state,
                   AssetKind         kind)
{
  SmSandboxToken *token;
  JsonObject *request, *value, *object;
  const char *owner;
  g_autofree char *url = NULL;
  Asset *asset;

  if (!rest_call_ok (req, &token))
    return;
  if (g_strcmp0 (_sm_sandbox_request_query (req, "action"), "initializeUpload") != 0)
    {
      li_error (req, 400, 0, "ILLEGAL_ARGUMENT", "Unknown action; the sandbox knows action=initializeUpload");
      return;
    }
  if ((request = initialize_request (req, "initializeUploadRequest")) == NULL)
    return;
  if ((owner = upload_owner (req, token, request, kind)) == NULL)
    return;

  asset = asset_new (state, kind, owner);
  asset->n_parts = 1;
  asset->etags = g_new0 (char *, 2);
  asset->part_sha256 = g_new0 (char *, 2);
  url = upload_url (asset, 0);

  value = json_object_new ();
  json_object_set_int_member (value, "uploadUrlExpiresAt", asset->expires_us / 1000);
  json_object_set_string_member (value, "uploadUrl", url);
  json_object_set_string_member (value, asset_kinds[kind].field, asset->urn);
  object = json_object_new ();
  json_object_set_object_member (object, "value", value);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
images_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  initialize_single (req, user_data, ASSET_IMAGE);
}

static void
documents_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  initialize_single (req, user_data, ASSET_DOCUMENT);
}

static gboolean
member_is_int (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

/* A boolean member that must be absent or false: the sandbox takes no
 * captions or thumbnails. */
static gboolean
flag_is_false (SmSandboxRequest *req,
               JsonObject       *request,
               const char       *name)
{
  JsonNode *node = json_object_get_member (request, name);
  g_autofree char *field = g_strconcat ("initializeUploadRequest/", name, NULL);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      unprocessable (req, field, "must be a boolean");
      return FALSE;
    }
  if (json_node_get_boolean (node))
    {
      unprocessable (req, field, "the sandbox takes no captions or thumbnails; send false");
      return FALSE;
    }
  return TRUE;
}

/* 6.5 step 1. */
static void
video_initialize (SmSandboxRequest *req,
                  LiState          *state,
                  SmSandboxToken   *token)
{
  JsonObject *request, *value, *object;
  JsonArray *instructions;
  const char *owner;
  gint64 size;
  Asset *asset;

  if ((request = initialize_request (req, "initializeUploadRequest")) == NULL)
    return;
  if ((owner = upload_owner (req, token, request, ASSET_VIDEO)) == NULL)
    return;
  if (!member_is_int (request, "fileSizeBytes"))
    {
      unprocessable (req, "initializeUploadRequest/fileSizeBytes",
                     "field is required but not found and has no default value");
      return;
    }
  size = json_object_get_int_member (request, "fileSizeBytes");
  if (size < LI_VIDEO_MIN_BYTES || (guint64) size > state->video_max_bytes)
    {
      g_autofree char *message =
        g_strdup_printf ("fileSizeBytes must be between %d and %" G_GUINT64_FORMAT " bytes",
                         LI_VIDEO_MIN_BYTES, state->video_max_bytes);

      unprocessable (req, "initializeUploadRequest/fileSizeBytes", message);
      return;
    }
  if (!flag_is_false (req, request, "uploadCaptions") ||
      !flag_is_false (req, request, "uploadThumbnail"))
    return;

  asset = asset_new (state, ASSET_VIDEO, owner);
  asset->total = (guint64) size;
  asset->part_bytes = state->part_bytes;
  asset->n_parts = (guint) ((asset->total + asset->part_bytes - 1) / asset->part_bytes);
  asset->etags = g_new0 (char *, asset->n_parts + 1);
  asset->part_sha256 = g_new0 (char *, asset->n_parts + 1);
  /* A one-part upload has no token to give back (6.5 step 3). */
  asset->upload_token = asset->n_parts > 1 ? _sm_sandbox_random_string ("sbxut-") : g_strdup ("");

  instructions = json_array_new ();
  for (guint i = 0; i < asset->n_parts; i++)
    {
      JsonObject *item = json_object_new ();
      g_autofree char *url = upload_url (asset, i);
      guint64 first = (guint64) i * asset->part_bytes;

      json_object_set_string_member (item, "uploadUrl", url);
      json_object_set_int_member (item, "firstByte", (gint64) first);
      json_object_set_int_member (item, "lastByte",
                                  (gint64) MIN (first + asset->part_bytes, asset->total) - 1);
      json_array_add_object_element (instructions, item);
    }

  value = json_object_new ();
  json_object_set_int_member (value, "uploadUrlsExpireAt", asset->expires_us / 1000);
  json_object_set_string_member (value, "video", asset->urn);
  json_object_set_array_member (value, "uploadInstructions", instructions);
  json_object_set_string_member (value, "uploadToken", asset->upload_token);
  object = json_object_new ();
  json_object_set_object_member (object, "value", value);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
finalize_error (SmSandboxRequest *req,
                const char       *message)
{
  li_error (req, 400, 0, "BAD_REQUEST", message);
}

/* 6.5 step 3: every part stored, the ETags in order, the upload token. */
static void
video_finalize (SmSandboxRequest *req,
                LiState          *state,
                SmSandboxToken   *token)
{
  JsonObject *request;
  JsonNode *ids_node;
  JsonArray *ids;
  const char *urn;
  Asset *asset;

  if ((request = initialize_request (req, "finalizeUploadRequest")) == NULL)
    return;
  if (!member_is_string (request, "video"))
    {
      unprocessable (req, "finalizeUploadRequest/video",
                     "field is required but not found and has no default value");
      return;
    }
  urn = json_object_get_string_member (request, "video");
  asset = asset_lookup_urn (state, urn, NULL);
  if (asset == NULL || asset->kind != ASSET_VIDEO)
    {
      li_error (req, 404, 0, "NOT_FOUND", "Video not found");
      return;
    }
  if (!may_act_as (token, asset->owner, TRUE))
    {
      li_error (req, 403, 0, "ACCESS_DENIED",
                "Accessing this video resource is forbidden. Please check your permissions for "
                "this resource");
      return;
    }
  if (!member_is_string (request, "uploadToken") ||
      strcmp (json_object_get_string_member (request, "uploadToken"), asset->upload_token) != 0)
    {
      finalize_error (req, "uploadToken is not the one initializeUpload gave for this video");
      return;
    }
  ids_node = json_object_get_member (request, "uploadedPartIds");
  if (ids_node == NULL || !JSON_NODE_HOLDS_ARRAY (ids_node))
    {
      unprocessable (req, "finalizeUploadRequest/uploadedPartIds",
                     "field is required but not found and has no default value");
      return;
    }
  ids = json_node_get_array (ids_node);

  if (asset->ready_us != 0)
    {
      /* Finalized before (an answer that was lost): the same answer, for the
       * same parts. */
      for (guint i = 0; i < asset->n_parts && json_array_get_length (ids) == asset->n_parts; i++)
        if (g_strcmp0 (json_array_get_string_element (ids, i), asset->etags[i]) != 0)
          {
            finalize_error (req, "The video was finalized with other uploadedPartIds");
            return;
          }
      if (json_array_get_length (ids) != asset->n_parts)
        {
          finalize_error (req, "The video was finalized with other uploadedPartIds");
          return;
        }
      _sm_sandbox_respond_empty (req, 200);
      return;
    }
  if (g_get_real_time () >= asset->expires_us)
    {
      finalize_error (req, "The upload instructions have expired; initialize the upload again");
      return;
    }
  if (json_array_get_length (ids) != asset->n_parts || asset->committed != asset->n_parts)
    {
      g_autofree char *message =
        g_strdup_printf ("uploadedPartIds has %u part ids; the video has %u parts, %u of them "
                         "uploaded", json_array_get_length (ids), asset->n_parts, asset->committed);

      finalize_error (req, message);
      return;
    }
  for (guint i = 0; i < asset->n_parts; i++)
    {
      JsonNode *id = json_array_get_element (ids, i);

      if (!JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING ||
          strcmp (json_node_get_string (id), asset->etags[i]) != 0)
        {
          g_autofree char *message =
            g_strdup_printf ("uploadedPartIds[%u] is not the ETag of part %u; send each part's "
                             "ETag, in the order of the upload instructions", i, i);

          finalize_error (req, message);
          return;
        }
    }

  asset_complete (state, asset);
  _sm_sandbox_respond_empty (req, 200);
}

static void
videos_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  LiState *state = user_data;
  const char *action = _sm_sandbox_request_query (req, "action");
  SmSandboxToken *token;

  if (!rest_call_ok (req, &token))
    return;
  if (g_strcmp0 (action, "initializeUpload") == 0)
    video_initialize (req, state, token);
  else if (g_strcmp0 (action, "finalizeUpload") == 0)
    video_finalize (req, state, token);
  else
    li_error (req, 400, 0, "ILLEGAL_ARGUMENT",
              "Unknown action; the sandbox knows initializeUpload and finalizeUpload");
}

/* GET /rest/{images,documents,videos}/{encoded URN} (6.4 step 3, 6.5 step 4). */
static void
asset_get (SmSandboxRequest *req,
           LiState          *state,
           AssetKind         kind)
{
  SmSandboxToken *token;
  const char *urn = _sm_sandbox_request_arg (req, 0);
  AssetKind found_kind = kind;
  Asset *asset;
  JsonObject *object;
  const char *status;

  if (!rest_call_ok (req, &token))
    return;
  asset = asset_lookup_urn (state, urn, &found_kind);
  if (asset == NULL || found_kind != kind)
    {
      li_error (req, 404, 0, "NOT_FOUND", "Not found");
      return;
    }
  if (!may_act_as (token, asset->owner, FALSE))
    {
      if (kind == ASSET_VIDEO)
        li_error (req, 403, 0, "ACCESS_DENIED",
                  "Accessing this video resource is forbidden. Please check your permissions for "
                  "this resource");
      else
        {
          g_autofree char *what = g_strdup_printf ("%s.GET", asset_kinds[kind].resource);

          access_denied (req, what);
        }
      return;
    }

  status = asset_status (asset);
  object = json_object_new ();
  json_object_set_string_member (object, "id", asset->urn);
  json_object_set_string_member (object, "owner", asset->owner);
  json_object_set_string_member (object, "status", status);
  if (strcmp (status, "AVAILABLE") == 0)
    {
      g_autofree char *download = g_strdup_printf ("https://media.licdn.com/dms/sandbox/%s", asset->id);

      json_object_set_string_member (object, "downloadUrl", download);
      json_object_set_int_member (object, "downloadUrlExpiresAt",
                                  g_get_real_time () / 1000 + 24 * 60 * 60 * 1000);
    }
  if (kind == ASSET_VIDEO)
    {
      json_object_set_int_member (object, "uploadedAt", asset->ready_us / 1000);
      if (asset->failure != NULL && strcmp (status, "PROCESSING_FAILED") == 0)
        json_object_set_string_member (object, "processingFailureReason", asset->failure);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

static void
image_get_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  asset_get (req, user_data, ASSET_IMAGE);
}

static void
document_get_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  asset_get (req, user_data, ASSET_DOCUMENT);
}

static void
video_get_cb (SmSandboxRequest *req,
              gpointer          user_data)
{
  asset_get (req, user_data, ASSET_VIDEO);
}

/* ---- the upload PUTs (www.linkedin.com/dms-uploads/…) ------------------ */

/* What one PUT does, decided when its headers are in. */
typedef struct
{
  Asset     *asset;      /* a reference, or NULL */
  guint      part;
  guint      status;     /* 0: the bytes are taken; else refused with this */
  char      *code;
  char      *message;
  GChecksum *file;       /* the file's hash with this part added, when it is the next */
  GChecksum *part_sha;   /* this part's hash */
  guint64    got;
} PartSink;

static void
part_sink_free (gpointer data)
{
  PartSink *sink = data;

  g_clear_pointer (&sink->asset, asset_unref);
  g_free (sink->code);
  g_free (sink->message);
  g_clear_pointer (&sink->file, g_checksum_free);
  g_clear_pointer (&sink->part_sha, g_checksum_free);
  g_free (sink);
}

static PartSink *
part_refuse (PartSink   *sink,
             guint       status,
             const char *code,
             const char *message)
{
  sink->status = status;
  sink->code = g_strdup (code);
  sink->message = g_strdup (message);
  return sink;
}

static gpointer
part_begin (SmSandboxRequest *req,
            gpointer          user_data)
{
  LiState *state = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *id = _sm_sandbox_request_arg (req, 0);
  const char *segment = _sm_sandbox_request_arg (req, 1);
  const char *part_text = _sm_sandbox_request_arg (req, 2);
  PartSink *sink = g_new0 (PartSink, 1);
  Asset *asset = g_hash_table_lookup (state->assets, id);
  guint64 part, first, expected;
  goffset length;

  if (asset == NULL || strcmp (segment, asset_kinds[asset->kind].upload_segment) != 0 ||
      g_strcmp0 (_sm_sandbox_request_query (req, "m"), asset->signature) != 0 ||
      !g_ascii_string_to_unsigned (part_text, 10, 0, G_MAXUINT, &part, NULL) ||
      part >= asset->n_parts)
    return part_refuse (sink, 404, "NOT_FOUND", "No upload at this URL");
  sink->asset = g_rc_box_acquire (asset);
  sink->part = (guint) part;

  if (g_get_real_time () >= asset->expires_us)
    return part_refuse (sink, 403, "UPLOAD_URL_EXPIRED",
                        "The upload URL has expired; initialize the upload again");
  /* Images and documents go up with the owner's token (6.4 step 2); video
   * part URLs are signed. */
  if (asset->kind != ASSET_VIDEO)
    {
      const char *bearer = _sm_sandbox_request_bearer (req, FALSE);
      SmSandboxToken *token = _sm_sandbox_token_lookup (req->sandbox, LI_NETWORK, bearer);

      if (token == NULL || strcmp (token->kind, "access") != 0 ||
          token->state != SM_SANDBOX_TOKEN_VALID)
        return part_refuse (sink, 401, "INVALID_ACCESS_TOKEN", "Invalid access token");
      if (!may_act_as (token, asset->owner, TRUE))
        return part_refuse (sink, 403, "ACCESS_DENIED", "Not enough permissions to upload this file");
    }
  if (asset->ready_us != 0)
    return part_refuse (sink, 400, "BAD_REQUEST", "This upload is complete already");
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return part_refuse (sink, 411, "LENGTH_REQUIRED", "Content-Length is required");
  length = soup_message_headers_get_content_length (headers);

  if (asset->kind != ASSET_VIDEO)
    {
      if (length == 0)
        return part_refuse (sink, 400, "BAD_REQUEST", "The file is empty");
      sink->file = g_checksum_new (G_CHECKSUM_SHA256);
      return sink;
    }

  if (!_sm_sandbox_request_has_type (req, "application/octet-stream"))
    return part_refuse (sink, 415, "UNSUPPORTED_MEDIA_TYPE",
                        "Video parts go up as Content-Type: application/octet-stream");
  first = part * asset->part_bytes;
  expected = MIN (asset->part_bytes, asset->total - first);
  if ((guint64) length != expected)
    {
      g_autofree char *message =
        g_strdup_printf ("Part %u is bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                         " (%" G_GUINT64_FORMAT " bytes), not %" G_GOFFSET_FORMAT " bytes",
                         sink->part, first, first + expected - 1, expected, length);

      return part_refuse (sink, 400, "BAD_REQUEST", message);
    }
  if (part > asset->committed)
    {
      g_autofree char *message =
        g_strdup_printf ("Part %u comes before part %u: upload the parts in order",
                         asset->committed, sink->part);

      return part_refuse (sink, 400, "BAD_REQUEST", message);
    }
  /* The next part extends the file's hash; a part sent again only has to be
   * the same bytes. */
  if (part == asset->committed)
    sink->file = g_checksum_copy (asset->sha256);
  sink->part_sha = g_checksum_new (G_CHECKSUM_SHA256);
  return sink;
}

static void
part_chunk (gpointer      data,
            const guint8 *bytes,
            gsize         len)
{
  PartSink *sink = data;

  if (sink->status != 0)
    return;
  if (sink->file != NULL)
    g_checksum_update (sink->file, bytes, len);
  if (sink->part_sha != NULL)
    g_checksum_update (sink->part_sha, bytes, len);
  sink->got += len;
}

static void
part_cb (SmSandboxRequest *req,
         gpointer          user_data)
{
  LiState *state = user_data;
  PartSink *sink = req->body_sink;
  Asset *asset;
  g_autofree char *etag = NULL;
  g_autofree char *random = NULL;
  const char *part_sha;

  g_assert (sink != NULL);
  if (sink->status != 0)
    {
      li_error (req, sink->status, 0, sink->code, sink->message);
      return;
    }
  asset = sink->asset;
  /* Reset while the body came in. */
  if (g_hash_table_lookup (state->assets, asset->id) != asset)
    {
      li_error (req, 404, 0, "NOT_FOUND", "No upload at this URL");
      return;
    }

  if (asset->kind != ASSET_VIDEO)
    {
      g_checksum_free (asset->sha256);
      asset->sha256 = g_steal_pointer (&sink->file);
      asset->total = sink->got;
      asset->committed = 1;
      asset_complete (state, asset);
      _sm_sandbox_respond_empty (req, 201);
      return;
    }

  part_sha = g_checksum_get_string (sink->part_sha);
  if (sink->part < asset->committed && strcmp (part_sha, asset->part_sha256[sink->part]) != 0)
    {
      g_autofree char *message =
        g_strdup_printf ("Part %u was uploaded before with other bytes", sink->part);

      li_error (req, 409, 0, "CONFLICT", message);
      return;
    }
  if (sink->part == asset->committed)
    {
      g_checksum_free (asset->sha256);
      asset->sha256 = g_steal_pointer (&sink->file);
      asset->part_sha256[sink->part] = g_strdup (part_sha);
      asset->committed++;
    }
  /* Every PUT gets an ETag of its own; finalize wants the latest. */
  random = _sm_sandbox_random_string ("sbx");
  etag = g_strdup_printf ("\"/ambry-video/signedId/%s\"", random);
  g_free (asset->etags[sink->part]);
  asset->etags[sink->part] = g_strdup (etag);
  _sm_sandbox_set_header (req, "ETag", etag);
  _sm_sandbox_respond_empty (req, 200);
}

/* ---- media in posts (6.3) ----------------------------------------------- */

static const char *
asset_kind_name (AssetKind kind)
{
  switch (kind)
    {
    case ASSET_IMAGE:
      return "image";
    case ASSET_DOCUMENT:
      return "document";
    case ASSET_VIDEO:
      return "video";
    default:
      g_assert_not_reached ();
    }
}

/* A file a post refers to: uploaded by its author and processed. */
static Asset *
content_asset (SmSandboxRequest *req,
               LiState          *state,
               const char       *author,
               JsonObject       *item,
               const char       *field,
               gboolean          images_only)
{
  g_autofree char *id_field = g_strconcat (field, "/id", NULL);
  const char *urn;
  const char *status;
  Asset *asset;

  if (!member_is_string (item, "id"))
    {
      unprocessable (req, id_field, "field is required but not found and has no default value");
      return NULL;
    }
  urn = json_object_get_string_member (item, "id");
  asset = asset_lookup_urn (state, urn, NULL);
  if (asset == NULL || (images_only && asset->kind != ASSET_IMAGE))
    {
      g_autofree char *message = g_strdup_printf ("%s is not a%s URN the sandbox issued", urn,
                                                  images_only ? "n image" : " media");

      unprocessable (req, id_field, message);
      return NULL;
    }
  if (strcmp (asset->owner, author) != 0)
    {
      g_autofree char *message = g_strdup_printf ("%s belongs to %s, not to the author", urn, asset->owner);

      unprocessable (req, id_field, message);
      return NULL;
    }
  status = asset_status (asset);
  if (strcmp (status, "AVAILABLE") != 0)
    {
      g_autofree char *message = g_strdup_printf ("%s is %s, not AVAILABLE", urn, status);

      unprocessable (req, id_field, message);
      return NULL;
    }
  return asset;
}

/* The files of a post's "content" (media or multiImage), in order, or
 * NULL after answering. */
static GPtrArray *
content_assets (SmSandboxRequest *req,
                LiState          *state,
                const char       *author,
                JsonNode         *content)
{
  g_autoptr(GPtrArray) assets = g_ptr_array_new ();
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  JsonNode *node;

  if (!JSON_NODE_HOLDS_OBJECT (content))
    {
      unprocessable (req, "content", "must be an object");
      return NULL;
    }
  object = json_node_get_object (content);
  members = json_object_get_members (object);
  if (g_list_length (members) != 1 ||
      (strcmp (members->data, "media") != 0 && strcmp (members->data, "multiImage") != 0))
    {
      unprocessable (req, "content", "the sandbox takes exactly one of media or multiImage");
      return NULL;
    }

  node = json_object_get_member (object, "media");
  if (node != NULL)
    {
      JsonObject *media;
      Asset *asset;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          unprocessable (req, "content/media", "must be an object");
          return NULL;
        }
      media = json_node_get_object (node);
      if ((asset = content_asset (req, state, author, media, "content/media", FALSE)) == NULL)
        return NULL;
      if (json_object_has_member (media, "title") && !member_is_string (media, "title"))
        {
          unprocessable (req, "content/media/title", "must be a string");
          return NULL;
        }
      if (asset->kind == ASSET_DOCUMENT && !member_is_string (media, "title"))
        {
          unprocessable (req, "content/media/title", "a document post needs a title");
          return NULL;
        }
      g_ptr_array_add (assets, asset);
      return g_steal_pointer (&assets);
    }

  node = json_object_get_member (object, "multiImage");
  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      (node = json_object_get_member (json_node_get_object (node), "images")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    {
      unprocessable (req, "content/multiImage/images",
                     "field is required but not found and has no default value");
      return NULL;
    }
  if (json_array_get_length (json_node_get_array (node)) < LI_MULTI_IMAGE_MIN ||
      json_array_get_length (json_node_get_array (node)) > LI_MULTI_IMAGE_MAX)
    {
      unprocessable (req, "content/multiImage/images", "a multi-image post has 2 to 20 images");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (node), i);
      g_autofree char *field = g_strdup_printf ("content/multiImage/images/%u", i);
      Asset *asset;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          unprocessable (req, field, "must be an object");
          return NULL;
        }
      asset = content_asset (req, state, author, json_node_get_object (item), field, TRUE);
      if (asset == NULL)
        return NULL;
      for (guint j = 0; j < assets->len; j++)
        if (g_ptr_array_index (assets, j) == asset)
          {
            unprocessable (req, field, "the same image twice");
            return NULL;
          }
      g_ptr_array_add (assets, asset);
    }
  return g_steal_pointer (&assets);
}

static void
respond_config (SmSandboxRequest *req,
                LiState          *state)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "video_part_bytes", (gint64) state->part_bytes);
  json_object_set_int_member (object, "processing_ms", state->processing_ms);
  json_object_set_int_member (object, "upload_url_lifetime_ms", state->url_lifetime_ms);
  json_object_set_int_member (object, "video_max_bytes", (gint64) state->video_max_bytes);
  if (state->fail_processing != NULL)
    json_object_set_string_member (object, "fail_processing", state->fail_processing);
  else
    json_object_set_null_member (object, "fail_processing");
  _sm_sandbox_respond_object (req, 200, object);
}

static void
hook_refuse (SmSandboxRequest *req,
             const char       *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  _sm_sandbox_respond_object (req, 400, object);
}

/* GET/POST /__sandbox/linkedin (sm-sandbox.h). */
static void
config_hook_cb (SmSandboxRequest *req,
                gpointer          user_data)
{
  static const char * const numbers[] = {
    "video_part_bytes", "processing_ms", "upload_url_lifetime_ms", "video_max_bytes", NULL
  };
  LiState *state = user_data;
  JsonNode *root;
  JsonObject *object;
  JsonNode *fail;
  g_autoptr(GList) members = NULL;

  if (strcmp (req->method, "GET") == 0)
    {
      respond_config (req, state);
      return;
    }
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      hook_refuse (req, "expected a JSON object");
      return;
    }
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (numbers, l->data) && strcmp (l->data, "fail_processing") != 0)
      {
        hook_refuse (req, "unknown member; see sm-sandbox.h");
        return;
      }
  for (guint i = 0; numbers[i] != NULL; i++)
    if (json_object_has_member (object, numbers[i]) &&
        (!member_is_int (object, numbers[i]) || json_object_get_int_member (object, numbers[i]) < 0))
      {
        hook_refuse (req, "numbers must be integers, 0 or more");
        return;
      }
  if (json_object_has_member (object, "video_part_bytes") &&
      json_object_get_int_member (object, "video_part_bytes") < LI_MIN_PART_BYTES)
    {
      hook_refuse (req, "video_part_bytes must be 1024 or more");
      return;
    }
  fail = json_object_get_member (object, "fail_processing");
  if (fail != NULL && !JSON_NODE_HOLDS_NULL (fail) && !member_is_string (object, "fail_processing"))
    {
      hook_refuse (req, "fail_processing must be a string or null");
      return;
    }

  if (json_object_has_member (object, "video_part_bytes"))
    state->part_bytes = (guint64) json_object_get_int_member (object, "video_part_bytes");
  if (json_object_has_member (object, "processing_ms"))
    state->processing_ms = json_object_get_int_member (object, "processing_ms");
  if (json_object_has_member (object, "upload_url_lifetime_ms"))
    state->url_lifetime_ms = json_object_get_int_member (object, "upload_url_lifetime_ms");
  if (json_object_has_member (object, "video_max_bytes"))
    state->video_max_bytes = (guint64) json_object_get_int_member (object, "video_max_bytes");
  if (fail != NULL)
    {
      g_free (state->fail_processing);
      state->fail_processing = JSON_NODE_HOLDS_NULL (fail) ? NULL : g_strdup (json_node_get_string (fail));
    }
  respond_config (req, state);
}

static JsonObject *
post_to_object (LiState       *state,
                SmSandboxPost *post)
{
  JsonNode *content = g_hash_table_lookup (state->contents, post->id);
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
  if (content != NULL)
    json_object_set_member (object, "content", json_node_copy (content));
  json_object_set_string_member (object, "lifecycleState", "PUBLISHED");
  json_object_set_object_member (object, "lifecycleStateInfo", state_info);
  json_object_set_boolean_member (object, "isReshareDisabledByAuthor", FALSE);
  json_object_set_int_member (object, "createdAt", ms);
  json_object_set_int_member (object, "publishedAt", ms);
  json_object_set_int_member (object, "lastModifiedAt", ms);
  return object;
}

static void
create_post_cb (SmSandboxRequest *req,
                gpointer          user_data)
{
  LiState *state = user_data;
  g_autoptr(GPtrArray) assets = NULL;
  JsonNode *content;
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

  content = json_object_get_member (body, "content");
  if (content != NULL && (assets = content_assets (req, state, author, content)) == NULL)
    return;
  if (!member_is_string (body, "commentary"))
    {
      unprocessable (req, "commentary", "field is required but not found and has no default value");
      return;
    }
  commentary = json_object_get_string_member (body, "commentary");
  if (*commentary == '\0' && content == NULL)
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

  if (*commentary != '\0' &&
      (post = _sm_sandbox_post_find_text (req->sandbox, LI_NETWORK, author, commentary)) != NULL)
    {
      g_autofree char *message = g_strdup_printf ("Content is a duplicate of %s", post->id);

      li_error (req, 422, 0, "DUPLICATE_POST", message);
      return;
    }

  urn = g_strdup_printf ("urn:li:share:%" G_GUINT64_FORMAT,
                         G_GUINT64_CONSTANT (7200000000000000000) + _sm_sandbox_next_serial (req->sandbox));
  post = _sm_sandbox_post_add (req->sandbox, LI_NETWORK, author, urn, commentary);
  post->extra = g_strdup (visibility);
  for (guint i = 0; assets != NULL && i < assets->len; i++)
    {
      Asset *asset = g_ptr_array_index (assets, i);

      _sm_sandbox_post_add_media (post, asset_kind_name (asset->kind), asset->total,
                                  asset->file_sha256);
    }
  if (content != NULL)
    g_hash_table_insert (state->contents, g_strdup (urn), json_node_copy (content));

  _sm_sandbox_set_header (req, "x-restli-id", urn);
  _sm_sandbox_respond_empty (req, 201);
}

static void
list_posts_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  LiState *state = user_data;
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
    json_array_add_object_element (elements, post_to_object (state, g_ptr_array_index (posts, i)));

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
  LiState *state = user_data;
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
  _sm_sandbox_respond_object (req, 200, post_to_object (state, post));
}

/* 6.3: POST /rest/socialActions/{urn}/comments
 * {"actor":urn,"object":postUrn,"message":{"text":"…"}}: a comment by the
 * post's author (the member or an organization they administer, with
 * w_member_social / w_organization_social), 201 with the comment and its
 * URN in x-restli-id. */
static void
comment_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  SmSandboxToken *token;
  const char *urn = _sm_sandbox_request_arg (req, 0);
  SmSandboxPost *post;
  JsonNode *root;
  JsonObject *body, *message, *object, *out_message;
  const char *actor, *target, *text;
  g_autofree char *id = NULL;
  g_autofree char *comment_urn = NULL;

  if (!rest_call_ok (req, &token))
    return;
  if (!_sm_sandbox_request_has_type (req, "application/json"))
    {
      li_error (req, 415, 0, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
      return;
    }
  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      li_error (req, 400, 0, "ILLEGAL_ARGUMENT", "The request body must be a JSON object");
      return;
    }
  body = json_node_get_object (root);
  if (!member_is_string (body, "actor"))
    {
      unprocessable (req, "actor", "field is required but not found and has no default value");
      return;
    }
  if (!member_is_string (body, "object"))
    {
      unprocessable (req, "object", "field is required but not found and has no default value");
      return;
    }
  message = json_object_get_member (body, "message") != NULL
            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (body, "message"))
            ? json_object_get_object_member (body, "message") : NULL;
  if (message == NULL || !member_is_string (message, "text")
      || *json_object_get_string_member (message, "text") == '\0')
    {
      unprocessable (req, "message/text", "field is required but not found and has no default value");
      return;
    }
  actor = json_object_get_string_member (body, "actor");
  target = json_object_get_string_member (body, "object");
  text = json_object_get_string_member (message, "text");
  if (g_strcmp0 (target, urn) != 0)
    {
      unprocessable (req, "object", "must be the URN in the path");
      return;
    }
  if (g_utf8_strlen (text, -1) > 1250)
    {
      unprocessable (req, "message/text", "length must be at most 1250 characters");
      return;
    }
  post = _sm_sandbox_post_lookup (req->sandbox, LI_NETWORK, urn);
  if (post == NULL || post->deleted)
    {
      li_error (req, 404, 0, "NOT_FOUND", "Post not found");
      return;
    }
  if (strcmp (actor, post->account) != 0 || !may_act_as (token, actor, TRUE))
    {
      access_denied (req, "partnerApiSocialActions.CREATE");
      return;
    }

  id = g_strdup_printf ("%" G_GUINT64_FORMAT,
                        G_GUINT64_CONSTANT (7300000000000000000) + _sm_sandbox_next_serial (req->sandbox));
  comment_urn = g_strdup_printf ("urn:li:comment:(%s,%s)", urn, id);
  _sm_sandbox_post_add_comment (post, comment_urn, actor, text);

  out_message = json_object_new ();
  json_object_set_string_member (out_message, "text", text);
  object = json_object_new ();
  json_object_set_string_member (object, "actor", actor);
  json_object_set_string_member (object, "object", urn);
  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "$URN", comment_urn);
  json_object_set_object_member (object, "message", out_message);
  _sm_sandbox_set_header (req, "x-restli-id", comment_urn);
  _sm_sandbox_respond_object (req, 201, object);
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
  LiState *state = g_new0 (LiState, 1);

  state->sandbox = self;
  state->assets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) asset_unref);
  state->contents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) json_node_unref);
  li_state_defaults (state);
  _sm_sandbox_add_module (self, state, li_state_reset, li_state_free);
  _sm_sandbox_add_hook (self, "GET", LI_NETWORK, config_hook_cb, state);
  _sm_sandbox_add_hook (self, "POST", LI_NETWORK, config_hook_cb, state);

  _sm_sandbox_add_route (self, www_hosts, "GET", "/oauth/v2/authorization", authorize_cb, NULL);
  _sm_sandbox_add_route (self, www_hosts, "POST", "/oauth/v2/accessToken", token_cb, NULL);
  _sm_sandbox_add_route (self, www_hosts, "POST", "/oauth/v2/revoke", revoke_cb, NULL);
  _sm_sandbox_add_route (self, www_hosts, "POST", "/oauth/v2/introspectToken", introspect_cb, NULL);
  _sm_sandbox_add_streaming_route (self, www_hosts, "PUT", "/dms-uploads/sp/v2/*/*/*",
                                   part_begin, part_chunk, part_sink_free, part_cb, state);
  _sm_sandbox_add_route (self, www_hosts, "*", "/**", site_not_found_cb, NULL);

  _sm_sandbox_add_route (self, api_hosts, "GET", "/v2/userinfo", userinfo_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/organizationAcls", organization_acls_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/organizations/*", organization_cb, NULL);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/rest/posts", create_post_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/posts", list_posts_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/posts/*", post_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "DELETE", "/rest/posts/*", post_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/rest/socialActions/*/comments", comment_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/rest/images", images_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/images/*", image_get_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/rest/documents", documents_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/documents/*", document_get_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "POST", "/rest/videos", videos_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "GET", "/rest/videos/*", video_get_cb, state);
  _sm_sandbox_add_route (self, api_hosts, "*", "/**", api_not_found_cb, NULL);
}
