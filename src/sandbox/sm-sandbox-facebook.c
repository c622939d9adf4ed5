/* sm-sandbox-facebook.c — Facebook Pages (Graph API) in the sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 2: the login dialog, code → short user token →
 * long-lived user token → one token per page from /me/accounts; text posts
 * (with an optional link) to a page's feed with that page's token; reading
 * them back; photos, multi-photo posts, videos, reels and stories (see
 * "photos, videos, reels and stories" below).  Every error is the Graph
 * envelope (section 2.5), which Threads shares.
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"

#define FB_NETWORK             "facebook"
#define FB_SHORT_LIFETIME_S    3600
#define FB_LONG_LIFETIME_S     5183944
#define FB_MAX_MESSAGE         63206

/* The demo user and the pages they manage. */
#define FB_USER_ID             "100000000000042"
#define FB_USER_NAME           "Sam Sandbox"

typedef struct
{
  const char *id;
  const char *name;
  const char *username;
  const char *category;
} Page;

static const Page pages[] = {
  { "109000000000001", "Sandbox Bakery", "sandboxbakery", "Bakery" },
  { "109000000000002", "Sandbox Bookshop", "sandboxbookshop", "Book store" },
};

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *page_tokens;   /* "user token\npage id" → page token (borrowed) */
} FbState;

static const char * const dialog_hosts[] = { "www.facebook.com", "facebook.com", "m.facebook.com", NULL };
static const char * const graph_hosts[] = { "graph.facebook.com", NULL };

static const char * const page_fields[] = {
  "id", "name", "username", "access_token", "tasks", "category", "category_list", "picture",
  "link", "about", "fan_count", "followers_count", "instagram_business_account", NULL
};
static const char * const post_fields[] = {
  "id", "message", "created_time", "updated_time", "permalink_url", "is_published",
  "status_type", "from", "link", NULL
};

/* ---- the Graph error envelope ------------------------------------------ */

void
_sm_sandbox_graph_error (SmSandboxRequest *req,
                         guint             http_status,
                         int               code,
                         int               subcode,
                         const char       *message)
{
  JsonObject *object = json_object_new ();
  JsonObject *error = json_object_new ();
  g_autofree char *trace = _sm_sandbox_random_string ("A");

  trace[11] = '\0';
  json_object_set_string_member (error, "message", message);
  json_object_set_string_member (error, "type",
                                 code == 100 && subcode == 33 ? "GraphMethodException" : "OAuthException");
  json_object_set_int_member (error, "code", code);
  if (subcode != 0)
    json_object_set_int_member (error, "error_subcode", subcode);
  json_object_set_boolean_member (error, "is_transient", code == 1 || code == 2);
  json_object_set_string_member (error, "fbtrace_id", trace);
  json_object_set_object_member (object, "error", error);
  _sm_sandbox_respond_object (req, http_status, object);
}

/* ---- helpers ----------------------------------------------------------- */

static void
fb_state_free (gpointer data)
{
  FbState *state = data;

  g_hash_table_unref (state->page_tokens);
  g_free (state);
}

static const Page *
find_page (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (g_strcmp0 (pages[i].id, id) == 0)
      return &pages[i];
  return NULL;
}

static gboolean
is_user_token (SmSandboxToken *token)
{
  return g_str_has_prefix (token->type, "user");
}

static void
unsupported_request (SmSandboxRequest *req,
                     const char       *id)
{
  g_autofree char *message = NULL;
  g_autofree char *method = g_ascii_strdown (req->method, -1);

  message = g_strdup_printf ("Unsupported %s request. Object with ID '%s' does not exist, cannot be "
                             "loaded due to missing permissions, or does not support this operation. "
                             "Please read the Graph API documentation at "
                             "https://developers.facebook.com/docs/graph-api",
                             method, id);
  _sm_sandbox_graph_error (req, 400, 100, 33, message);
}

static void
nonexisting_field (SmSandboxRequest *req,
                   const char       *field,
                   const char       *node_type)
{
  g_autofree char *message = g_strdup_printf ("(#100) Tried accessing nonexisting field (%s) on "
                                              "node type (%s)", field, node_type);

  _sm_sandbox_graph_error (req, 400, 100, 0, message);
}

/* The first requested field not in @known, or NULL. */
static const char *
unknown_field (GPtrArray          *fields,
               const char * const *known)
{
  if (fields == NULL)
    return NULL;
  for (guint i = 0; i < fields->len; i++)
    if (!g_strv_contains (known, g_ptr_array_index (fields, i)))
      return g_ptr_array_index (fields, i);
  return NULL;
}

void
_sm_sandbox_graph_token_error (SmSandboxRequest *req,
                               SmSandboxToken   *token)
{
  g_autofree char *now = _sm_sandbox_format_time (g_get_real_time (), "%A, %d-%b-%y %H:%M:%S UTC");

  if (token == NULL || strcmp (token->kind, "access") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 190, 0, "Invalid OAuth access token - Cannot parse access token");
    }
  else if (token->state == SM_SANDBOX_TOKEN_EXPIRED)
    {
      g_autofree char *message = g_strdup_printf ("Error validating access token: Session has expired on "
                                                  "%s. The current time is %s.", now, now);

      _sm_sandbox_graph_error (req, 400, 190, 463, message);
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("Error validating access token: The user has not "
                                                  "authorized application %s.", token->client_id);

      _sm_sandbox_graph_error (req, 400, 190, 458, message);
    }
}

SmSandboxToken *
_sm_sandbox_graph_authenticate (SmSandboxRequest *req,
                                const char       *network,
                                gboolean          about_me)
{
  const char *string = _sm_sandbox_request_param (req, "access_token");
  SmSandboxToken *token;

  if (string == NULL)
    string = _sm_sandbox_request_bearer (req, TRUE);
  if (string == NULL)
    {
      if (about_me)
        _sm_sandbox_graph_error (req, 400, 2500, 0,
                                 "An active access token must be used to query information about "
                                 "the current user.");
      else
        _sm_sandbox_graph_error (req, 400, 104, 0, "An access token is required to request this resource.");
      return NULL;
    }
  token = _sm_sandbox_token_lookup (req->sandbox, network, string);
  if (token == NULL || strcmp (token->kind, "access") != 0 || token->state != SM_SANDBOX_TOKEN_VALID)
    {
      _sm_sandbox_graph_token_error (req, token);
      return NULL;
    }
  return token;
}

static SmSandboxToken *
authenticate (SmSandboxRequest *req,
              gboolean          about_me)
{
  return _sm_sandbox_graph_authenticate (req, FB_NETWORK, about_me);
}

static char *
format_graph_time (gint64 us)
{
  return _sm_sandbox_format_time (us, "%Y-%m-%dT%H:%M:%S+0000");
}

static char *
post_permalink (SmSandboxPost *post)
{
  const char *underscore = strchr (post->id, '_');

  return g_strdup_printf ("https://www.facebook.com/%s/posts/%s", post->account,
                          underscore != NULL ? underscore + 1 : post->id);
}

static JsonObject *
post_to_object (SmSandboxPost *post,
                GPtrArray     *fields)
{
  JsonObject *object = json_object_new ();
  g_autofree char *created = format_graph_time (post->received_us);

  if (fields == NULL || _sm_sandbox_fields_has (fields, "created_time"))
    json_object_set_string_member (object, "created_time", created);
  if (fields == NULL || _sm_sandbox_fields_has (fields, "message"))
    json_object_set_string_member (object, "message", post->text);
  if (_sm_sandbox_fields_has (fields, "updated_time"))
    json_object_set_string_member (object, "updated_time", created);
  if (_sm_sandbox_fields_has (fields, "permalink_url"))
    {
      g_autofree char *permalink = post_permalink (post);

      json_object_set_string_member (object, "permalink_url", permalink);
    }
  if (_sm_sandbox_fields_has (fields, "link") && post->extra != NULL)
    json_object_set_string_member (object, "link", post->extra);
  if (_sm_sandbox_fields_has (fields, "is_published"))
    json_object_set_boolean_member (object, "is_published", TRUE);
  if (_sm_sandbox_fields_has (fields, "status_type"))
    json_object_set_string_member (object, "status_type", "mobile_status_update");
  if (_sm_sandbox_fields_has (fields, "from"))
    {
      JsonObject *from = json_object_new ();
      const Page *page = find_page (post->account);

      json_object_set_string_member (from, "name", page != NULL ? page->name : "");
      json_object_set_string_member (from, "id", post->account);
      json_object_set_object_member (object, "from", from);
    }
  json_object_set_string_member (object, "id", post->id);
  return object;
}

static void
add_paging (JsonObject *object,
            guint       count)
{
  JsonObject *paging = json_object_new ();
  JsonObject *cursors = json_object_new ();
  g_autofree char *before = g_base64_encode ((const guchar *) "0", 1);
  g_autofree char *after_text = g_strdup_printf ("%u", count > 0 ? count - 1 : 0);
  g_autofree char *after = g_base64_encode ((const guchar *) after_text, strlen (after_text));

  json_object_set_string_member (cursors, "before", before);
  json_object_set_string_member (cursors, "after", after);
  json_object_set_object_member (paging, "cursors", cursors);
  json_object_set_object_member (object, "paging", paging);
}

/* The page token @user gets for @page: one per user token, as Graph hands
 * out the same page token on every /me/accounts call. */
static SmSandboxToken *
page_token_for (FbState        *state,
                SmSandboxToken *user,
                const Page     *page)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s", user->token, page->id);
  const char *existing = g_hash_table_lookup (state->page_tokens, key);
  SmSandboxToken *token;

  if (existing != NULL)
    {
      token = _sm_sandbox_token_lookup (state->sandbox, FB_NETWORK, existing);
      if (token->state == SM_SANDBOX_TOKEN_VALID)
        return token;
    }

  /* Page tokens derived from a long-lived user token do not expire;
   * those from a short-lived one die with it. */
  token = _sm_sandbox_token_issue (state->sandbox, FB_NETWORK, "access", "page", page->id,
                                   user->scope, user->client_id, user->grant, 0);
  if (strcmp (user->type, "user-long-lived") != 0)
    token->expires_us = user->expires_us;
  _sm_sandbox_token_pair (token, NULL);
  g_hash_table_replace (state->page_tokens, g_steal_pointer (&key), token->token);
  return token;
}

/* The Instagram business account linked to @page (sm-sandbox-instagram.c),
 * as Graph lists it: {"id": "…"}, absent when none is linked. */
static void
add_instagram_business_account (FbState    *state,
                                JsonObject *item,
                                const Page *page)
{
  const char *ig_id = _sm_sandbox_instagram_account_for_page (state->sandbox, page->id);
  JsonObject *account;

  if (ig_id == NULL)
    return;
  account = json_object_new ();
  json_object_set_string_member (account, "id", ig_id);
  json_object_set_object_member (item, "instagram_business_account", account);
}

/* ---- OAuth ------------------------------------------------------------- */

static void
dialog_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  static const SmSandboxAuthorizeSpec spec = {
    .network = FB_NETWORK,
  };

  _sm_sandbox_authorize (req, &spec);
}

static void
respond_token (SmSandboxRequest *req,
               SmSandboxToken   *token,
               gint64            expires_in)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "access_token", token->token);
  json_object_set_string_member (object, "token_type", "bearer");
  json_object_set_int_member (object, "expires_in", expires_in);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
access_token_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  const char *grant_type = _sm_sandbox_request_param (req, "grant_type");
  const char *client_id = _sm_sandbox_request_param (req, "client_id");
  const char *client_secret = _sm_sandbox_request_param (req, "client_secret");
  SmSandboxToken *token;

  if (client_id == NULL || *client_id == '\0')
    {
      _sm_sandbox_graph_error (req, 400, 101, 0, "Missing client_id parameter.");
      return;
    }
  if (client_secret == NULL || *client_secret == '\0')
    {
      _sm_sandbox_graph_error (req, 400, 1, 0, "Missing client_secret parameter.");
      return;
    }

  if (g_strcmp0 (grant_type, "fb_exchange_token") == 0)
    {
      const char *string = _sm_sandbox_request_param (req, "fb_exchange_token");
      SmSandboxToken *user;

      if (string == NULL)
        {
          _sm_sandbox_graph_error (req, 400, 100, 0, "Missing fb_exchange_token parameter.");
          return;
        }
      user = _sm_sandbox_token_lookup (req->sandbox, FB_NETWORK, string);
      if (user == NULL || !is_user_token (user) || user->state != SM_SANDBOX_TOKEN_VALID)
        {
          _sm_sandbox_graph_token_error (req, user);
          return;
        }
      if (strcmp (user->client_id, client_id) != 0)
        {
          _sm_sandbox_graph_error (req, 400, 101, 0,
                                   "Error validating application. Invalid application ID.");
          return;
        }

      token = _sm_sandbox_token_issue (req->sandbox, FB_NETWORK, "access", "user-long-lived",
                                       user->account, user->scope, client_id, user->grant,
                                       FB_LONG_LIFETIME_S);
      _sm_sandbox_token_pair (token, NULL);
      respond_token (req, token, FB_LONG_LIFETIME_S);
      return;
    }
  else if (grant_type == NULL || strcmp (grant_type, "authorization_code") == 0)
    {
      const char *code = _sm_sandbox_request_param (req, "code");
      const char *redirect_uri = _sm_sandbox_request_param (req, "redirect_uri");
      const char *verifier = _sm_sandbox_request_param (req, "code_verifier");
      const SmSandboxCode *stored = NULL;

      if (redirect_uri == NULL)
        {
          _sm_sandbox_graph_error (req, 400, 191, 0, "Missing redirect_uri parameter.");
          return;
        }
      if (code == NULL)
        {
          _sm_sandbox_graph_error (req, 400, 100, 0, "Missing code parameter.");
          return;
        }

      switch (_sm_sandbox_code_redeem (req->sandbox, FB_NETWORK, code, &stored))
        {
        case SM_SANDBOX_CODE_OK:
          break;
        case SM_SANDBOX_CODE_USED:
          _sm_sandbox_graph_error (req, 400, 100, 36009, "This authorization code has been used.");
          return;
        case SM_SANDBOX_CODE_EXPIRED:
          _sm_sandbox_graph_error (req, 400, 100, 36007, "This authorization code has expired.");
          return;
        case SM_SANDBOX_CODE_UNKNOWN:
        default:
          _sm_sandbox_graph_error (req, 400, 100, 0, "Invalid verification code format.");
          return;
        }
      if (strcmp (stored->client_id, client_id) != 0)
        {
          _sm_sandbox_graph_error (req, 400, 101, 0,
                                   "Error validating application. Invalid application ID.");
          return;
        }
      if (strcmp (stored->redirect_uri, redirect_uri) != 0)
        {
          _sm_sandbox_graph_error (req, 400, 100, 36008,
                                   "Error validating verification code. Please make sure your "
                                   "redirect_uri is identical to the one you used in the OAuth "
                                   "dialog request");
          return;
        }
      if (stored->challenge != NULL && !_sm_sandbox_pkce_check (stored->challenge, verifier))
        {
          _sm_sandbox_graph_error (req, 400, 100, 0, "Invalid code verifier.");
          return;
        }

      token = _sm_sandbox_token_issue (req->sandbox, FB_NETWORK, "access", "user", FB_USER_ID,
                                       stored->scope, client_id, 0, FB_SHORT_LIFETIME_S);
      _sm_sandbox_token_pair (token, NULL);
      respond_token (req, token, FB_SHORT_LIFETIME_S);
      return;
    }

  _sm_sandbox_graph_error (req, 400, 100, 0, "Unsupported grant_type.");
}

/* ---- the user ---------------------------------------------------------- */

static void
me_cb (SmSandboxRequest *req,
       gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, TRUE);
  JsonObject *object;

  if (token == NULL)
    return;
  object = json_object_new ();
  if (is_user_token (token))
    {
      json_object_set_string_member (object, "name", FB_USER_NAME);
      json_object_set_string_member (object, "id", FB_USER_ID);
    }
  else
    {
      const Page *page = find_page (token->account);

      g_assert (page != NULL);
      json_object_set_string_member (object, "name", page->name);
      json_object_set_string_member (object, "id", page->id);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

static void
me_accounts_cb (SmSandboxRequest *req,
                gpointer          user_data)
{
  FbState *state = user_data;
  SmSandboxToken *token = authenticate (req, TRUE);
  g_autoptr(GPtrArray) fields = NULL;
  const char *unknown;
  const char *limit_text = _sm_sandbox_request_param (req, "limit");
  guint64 limit = 25;
  JsonObject *object;
  JsonArray *data;

  if (token == NULL)
    return;
  if (!is_user_token (token))
    {
      nonexisting_field (req, "accounts", "Page");
      return;
    }
  if (!_sm_sandbox_scope_has (token->scope, "pages_show_list"))
    {
      _sm_sandbox_graph_error (req, 403, 200, 0, "(#200) Requires pages_show_list permission to "
                               "list the Pages you manage");
      return;
    }

  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if ((unknown = unknown_field (fields, page_fields)) != NULL)
    {
      nonexisting_field (req, unknown, "Page");
      return;
    }
  if (limit_text != NULL && !g_ascii_string_to_unsigned (limit_text, 10, 0, 1000, &limit, NULL))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param limit must be a number");
      return;
    }

  data = json_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (pages) && i < limit; i++)
    {
      const Page *page = &pages[i];
      JsonObject *item = json_object_new ();
      gboolean all = fields == NULL;

      if (all || _sm_sandbox_fields_has (fields, "access_token"))
        json_object_set_string_member (item, "access_token", page_token_for (state, token, page)->token);
      if (all || _sm_sandbox_fields_has (fields, "category"))
        json_object_set_string_member (item, "category", page->category);
      if (all || _sm_sandbox_fields_has (fields, "name"))
        json_object_set_string_member (item, "name", page->name);
      if (_sm_sandbox_fields_has (fields, "username"))
        json_object_set_string_member (item, "username", page->username);
      if (_sm_sandbox_fields_has (fields, "link"))
        {
          g_autofree char *link = g_strdup_printf ("https://www.facebook.com/%s", page->username);

          json_object_set_string_member (item, "link", link);
        }
      if (_sm_sandbox_fields_has (fields, "picture"))
        {
          JsonObject *picture = json_object_new ();
          JsonObject *picture_data = json_object_new ();

          json_object_set_int_member (picture_data, "height", 200);
          json_object_set_boolean_member (picture_data, "is_silhouette", FALSE);
          json_object_set_string_member (picture_data, "url",
                                         "https://scontent.xx.fbcdn.net/sandbox/page.png");
          json_object_set_int_member (picture_data, "width", 200);
          json_object_set_object_member (picture, "data", picture_data);
          json_object_set_object_member (item, "picture", picture);
        }
      if (_sm_sandbox_fields_has (fields, "fan_count"))
        json_object_set_int_member (item, "fan_count", 120);
      if (_sm_sandbox_fields_has (fields, "followers_count"))
        json_object_set_int_member (item, "followers_count", 130);
      if (_sm_sandbox_fields_has (fields, "instagram_business_account"))
        add_instagram_business_account (state, item, page);
      if (all || _sm_sandbox_fields_has (fields, "tasks"))
        {
          JsonArray *tasks = json_array_new ();
          const char * const names[] = { "ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING",
                                         "MODERATE", "MANAGE" };

          for (guint j = 0; j < G_N_ELEMENTS (names); j++)
            json_array_add_string_element (tasks, names[j]);
          json_object_set_array_member (item, "tasks", tasks);
        }
      json_object_set_string_member (item, "id", page->id);
      json_array_add_object_element (data, item);
    }

  object = json_object_new ();
  add_paging (object, json_array_get_length (data));
  json_object_set_array_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
me_permissions_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, TRUE);
  JsonObject *object;

  if (token == NULL)
    return;
  if (!is_user_token (token))
    {
      nonexisting_field (req, "permissions", "Page");
      return;
    }

  object = json_object_new ();
  if (strcmp (req->method, "DELETE") == 0)
    {
      /* The app is removed: the user's tokens and every page token
       * derived from them die. */
      _sm_sandbox_grant_revoke (req->sandbox, token->grant);
      json_object_set_boolean_member (object, "success", TRUE);
    }
  else
    {
      g_auto(GStrv) scopes = g_strsplit_set (token->scope, " ,", -1);
      JsonArray *data = json_array_new ();

      for (guint i = 0; scopes[i] != NULL; i++)
        {
          JsonObject *item;

          if (scopes[i][0] == '\0')
            continue;
          item = json_object_new ();
          json_object_set_string_member (item, "permission", scopes[i]);
          json_object_set_string_member (item, "status", "granted");
          json_array_add_object_element (data, item);
        }
      json_object_set_array_member (object, "data", data);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- pages and posts --------------------------------------------------- */

/* The page a request addresses: its id, or "me" with a page token. */
static const Page *
addressed_page (SmSandboxRequest *req,
                SmSandboxToken   *token,
                const char       *id)
{
  if (g_strcmp0 (id, "me") == 0 && !is_user_token (token))
    id = token->account;
  return find_page (id);
}

static gboolean
publish_link_ok (const char *link)
{
  g_autoptr(GUri) uri = g_uri_parse (link, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "http") == 0);
}

static void
publish_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, FALSE);
  const char *id = _sm_sandbox_request_arg (req, 0);
  const Page *page;
  const char *message;
  const char *link;
  const char *published;
  g_autoptr(GPtrArray) fields = NULL;
  g_autofree char *post_id = NULL;
  SmSandboxPost *post;
  JsonObject *object;

  if (token == NULL)
    return;
  if ((page = addressed_page (req, token, id)) == NULL)
    {
      unsupported_request (req, id);
      return;
    }
  if (is_user_token (token) || strcmp (token->account, page->id) != 0 ||
      !_sm_sandbox_scope_has (token->scope, "pages_manage_posts") ||
      !_sm_sandbox_scope_has (token->scope, "pages_read_engagement"))
    {
      _sm_sandbox_graph_error (req, 403, 200, 0,
                               "(#200) If posting to a page, requires both pages_read_engagement "
                               "and pages_manage_posts as an admin with sufficient administrative "
                               "permission");
      return;
    }

  published = _sm_sandbox_request_param (req, "published");
  if (published != NULL && (strcmp (published, "false") == 0 || strcmp (published, "0") == 0))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) The sandbox does not support unpublished or scheduled "
                               "posts yet");
      return;
    }

  message = _sm_sandbox_request_param (req, "message");
  link = _sm_sandbox_request_param (req, "link");
  if (link != NULL && !publish_link_ok (link))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The link parameter must be an http or https URL.");
      return;
    }
  if ((message == NULL || *message == '\0') && link == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Missing message or attachment.");
      return;
    }
  if (message == NULL)
    message = "";
  if (g_utf8_strlen (message, -1) > FB_MAX_MESSAGE)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) Param message must be at most 63206 characters long.");
      return;
    }
  if (*message != '\0' && _sm_sandbox_post_find_text (req->sandbox, FB_NETWORK, page->id, message) != NULL)
    {
      _sm_sandbox_graph_error (req, 400, 506, 0, "(#506) Duplicate status message");
      return;
    }

  post_id = g_strdup_printf ("%s_%" G_GUINT64_FORMAT, page->id,
                             G_GUINT64_CONSTANT (122100000000000000) + _sm_sandbox_next_serial (req->sandbox));
  post = _sm_sandbox_post_add (req->sandbox, FB_NETWORK, page->id, post_id, message);
  /* The link a post previews (section 2.2, `link`). */
  post->extra = g_strdup (link);

  object = json_object_new ();
  json_object_set_string_member (object, "id", post_id);
  /* Postiz asks for the permalink in the same call. */
  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if (_sm_sandbox_fields_has (fields, "permalink_url"))
    {
      g_autofree char *permalink = post_permalink (post);

      json_object_set_string_member (object, "permalink_url", permalink);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

static void
list_posts_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, FALSE);
  const char *id = _sm_sandbox_request_arg (req, 0);
  const char *limit_text = _sm_sandbox_request_param (req, "limit");
  const char *since_text = _sm_sandbox_request_param (req, "since");
  const char *until_text = _sm_sandbox_request_param (req, "until");
  guint64 limit = 25;
  gint64 since_us = 0, until_us = G_MAXINT64;
  const Page *page;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  const char *unknown;
  JsonObject *object;
  JsonArray *data;

  if (token == NULL)
    return;
  if ((page = addressed_page (req, token, id)) == NULL)
    {
      unsupported_request (req, id);
      return;
    }
  if (is_user_token (token) || strcmp (token->account, page->id) != 0)
    {
      _sm_sandbox_graph_error (req, 403, 210, 0,
                               "(#210) A page access token is required to request this resource.");
      return;
    }
  if (!_sm_sandbox_scope_has (token->scope, "pages_read_engagement"))
    {
      _sm_sandbox_graph_error (req, 403, 10, 0,
                               "(#10) This endpoint requires the 'pages_read_engagement' "
                               "permission or the 'Page Public Content Access' feature.");
      return;
    }

  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if ((unknown = unknown_field (fields, post_fields)) != NULL)
    {
      nonexisting_field (req, unknown, "PagePost");
      return;
    }
  if (limit_text != NULL && !g_ascii_string_to_unsigned (limit_text, 10, 1, 100, &limit, NULL))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param limit must be a number from 1 to 100");
      return;
    }
  if (since_text != NULL && (since_us = _sm_sandbox_parse_time_us (since_text)) < 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param since must be a unix timestamp or a date");
      return;
    }
  if (until_text != NULL && (until_us = _sm_sandbox_parse_time_us (until_text)) < 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param until must be a unix timestamp or a date");
      return;
    }

  posts = _sm_sandbox_posts_of (req->sandbox, FB_NETWORK, page->id);
  data = json_array_new ();
  for (guint i = 0; i < posts->len && json_array_get_length (data) < limit; i++)
    {
      SmSandboxPost *post = g_ptr_array_index (posts, i);

      /* Graph compares whole seconds */
      if (post->received_us / G_USEC_PER_SEC < since_us / G_USEC_PER_SEC ||
          post->received_us / G_USEC_PER_SEC > until_us / G_USEC_PER_SEC)
        continue;
      json_array_add_object_element (data, post_to_object (post, fields));
    }

  object = json_object_new ();
  if (json_array_get_length (data) > 0)
    add_paging (object, json_array_get_length (data));
  json_object_set_array_member (object, "data", data);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
node_cb (SmSandboxRequest *req,
         gpointer          user_data)
{
  FbState *state = user_data;
  SmSandboxToken *token = authenticate (req, FALSE);
  const char *id = _sm_sandbox_request_arg (req, 0);
  g_autoptr(GPtrArray) fields = NULL;
  const char *unknown;
  const Page *page;
  SmSandboxPost *post;

  if (token == NULL)
    return;
  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));

  if ((page = addressed_page (req, token, id)) != NULL)
    {
      JsonObject *object = json_object_new ();

      if ((unknown = unknown_field (fields, page_fields)) != NULL ||
          _sm_sandbox_fields_has (fields, "access_token"))
        {
          json_object_unref (object);
          nonexisting_field (req, unknown != NULL ? unknown : "access_token", "Page");
          return;
        }
      json_object_set_string_member (object, "name", page->name);
      if (_sm_sandbox_fields_has (fields, "username"))
        json_object_set_string_member (object, "username", page->username);
      if (_sm_sandbox_fields_has (fields, "category"))
        json_object_set_string_member (object, "category", page->category);
      if (_sm_sandbox_fields_has (fields, "instagram_business_account"))
        add_instagram_business_account (state, object, page);
      json_object_set_string_member (object, "id", page->id);
      _sm_sandbox_respond_object (req, 200, object);
      return;
    }

  post = _sm_sandbox_post_lookup (req->sandbox, FB_NETWORK, id);
  /* A post is visible to its page's token and to the user who runs it. */
  if (post == NULL || (!is_user_token (token) && strcmp (token->account, post->account) != 0))
    {
      unsupported_request (req, id);
      return;
    }
  if ((unknown = unknown_field (fields, post_fields)) != NULL)
    {
      nonexisting_field (req, unknown, "PagePost");
      return;
    }
  _sm_sandbox_respond_object (req, 200, post_to_object (post, fields));
}

static void
delete_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, FALSE);
  const char *id = _sm_sandbox_request_arg (req, 0);
  SmSandboxPost *post;
  JsonObject *object;

  if (token == NULL)
    return;
  post = _sm_sandbox_post_lookup (req->sandbox, FB_NETWORK, id);
  if (post == NULL)
    {
      unsupported_request (req, id);
      return;
    }
  if (is_user_token (token) || strcmp (token->account, post->account) != 0)
    {
      _sm_sandbox_graph_error (req, 403, 200, 0,
                               "(#200) Permissions error: a page access token of the post's page "
                               "is required");
      return;
    }
  post->deleted = TRUE;
  object = json_object_new ();
  json_object_set_boolean_member (object, "success", TRUE);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
graph_unknown_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  g_autofree char *message = g_strdup_printf ("Unknown path components: %s", req->path);

  _sm_sandbox_graph_error (req, 400, 2500, 0, message);
}

static void
site_not_found_cb (SmSandboxRequest *req,
                   gpointer          user_data)
{
  _sm_sandbox_respond_page (req, 404, "This page isn’t available in the sandbox’s Facebook.");
}

/* ---- photos, videos, reels and stories ----------------------------------- */

/* Section 2.2.  Photos come as multipart `source` (up to 4 MB, JPEG or
 * PNG by their bytes); a photo with published=false waits, unseen, to be
 * attached to one post (attached_media) or story.  Videos take the legacy
 * resumable upload on graph-video: the server hands out each chunk's
 * window (FB_CHUNK_BYTES) and takes exactly that window next, never
 * another offset.  A photo or a chunk is one multipart request, kept in
 * memory up to FB_MAX_FORM_BYTES (the core keeps only small bodies).
 * Reels and video stories send the file to
 * rupload.facebook.com in one raw POST, streamed, never held in memory,
 * with Authorization: OAuth {page token}, offset (the bytes the session
 * has) and file_size; what a cut request delivered stays stored, and
 * another offset is refused.  `url`, `file_url` and the one-request video
 * `source` are not taken here (the clients never use them).
 *
 * After its finish call a video "processes" for FB_PROCESSING_US, then is
 * "ready" — or "error", with Meta's words, when its bytes are not an MP4
 * (no "ftyp" box first): that is how a test asks for a processing failure.
 * GET /{video-id}?fields=status answers video_status and the
 * uploading_phase (bytes_transferred), processing_phase and
 * publishing_phase objects.  A Page publishes at most FB_REELS_PER_DAY
 * reels in a rolling 24 h: the 31st finish gets error 80001 with an
 * X-Business-Use-Case-Usage header giving estimated_time_to_regain_access
 * (section 2.6). */

#define FB_CHUNK_BYTES        (1024 * 1024)
#define FB_MAX_PHOTO_BYTES    (4 * 1000 * 1000)
#define FB_MAX_VIDEO_BYTES    (G_GUINT64_CONSTANT (10) * 1000 * 1000 * 1000)
#define FB_PROCESSING_US      (600 * 1000)
#define FB_REELS_PER_DAY      30
#define FB_NOT_A_VIDEO        "The video file you selected is in a format that we don't support."

typedef enum
{
  FB_VIDEO_PLAIN,
  FB_VIDEO_REEL,
  FB_VIDEO_STORY,
} FbVideoKind;

typedef struct
{
  char       *id;
  char       *page;
  FbVideoKind kind;
  char       *session_id;   /* legacy upload */
  guint64     total;        /* file_size; 0 until a rupload declares it */
  guint64     stored;
  GChecksum  *sha256;       /* of the stored bytes, in order */
  guint8      head[8];      /* the first bytes, to tell an MP4 */
  gint64      created_us;
  gint64      finished_us;  /* the finish call; 0 before */
  gboolean    published;
  char       *post_id;
} FbVideo;

typedef struct
{
  char    *id;
  char    *page;
  guint64  bytes;
  char    *sha256;
  gboolean published;
  char    *attached_to;
} FbPhoto;

typedef struct
{
  SmSandbox  *sandbox;
  FbState    *fb;
  GHashTable *photos;     /* id → FbPhoto */
  GHashTable *videos;     /* id → FbVideo (g_rc_box: a rupload may outlive a reset) */
  GHashTable *sessions;   /* upload_session_id → FbVideo (borrowed) */
  GHashTable *reels;      /* page id → GArray of gint64, when each reel was published */
} FbMedia;

static const char * const graph_video_hosts[] = { "graph-video.facebook.com", NULL };
static const char * const rupload_hosts[] = { "rupload.facebook.com", NULL };
static const char * const video_fields[] = {
  "id", "status", "description", "created_time", "updated_time", "permalink_url", "published",
  "title", NULL
};

static void
fb_video_clear (FbVideo *video)
{
  g_free (video->id);
  g_free (video->page);
  g_free (video->session_id);
  g_checksum_free (video->sha256);
  g_free (video->post_id);
}

static void
fb_video_unref (gpointer video)
{
  g_rc_box_release_full (video, (GDestroyNotify) fb_video_clear);
}

static void
fb_photo_free (gpointer data)
{
  FbPhoto *photo = data;

  g_free (photo->id);
  g_free (photo->page);
  g_free (photo->sha256);
  g_free (photo->attached_to);
  g_free (photo);
}

static void
fb_media_reset (gpointer data,
                gpointer unused)
{
  FbMedia *media = data;

  g_hash_table_remove_all (media->sessions);
  g_hash_table_remove_all (media->videos);
  g_hash_table_remove_all (media->photos);
  g_hash_table_remove_all (media->reels);
}

static void
fb_media_free (gpointer data)
{
  FbMedia *media = data;

  g_hash_table_unref (media->sessions);
  g_hash_table_unref (media->videos);
  g_hash_table_unref (media->photos);
  g_hash_table_unref (media->reels);
  g_free (media);
}

static char *
media_id (SmSandbox *sandbox)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT,
                          G_GUINT64_CONSTANT (10230000000000000) + _sm_sandbox_next_serial (sandbox));
}

static char *
new_post_id (SmSandbox  *sandbox,
             const char *page)
{
  return g_strdup_printf ("%s_%" G_GUINT64_FORMAT, page,
                          G_GUINT64_CONSTANT (122100000000000000) + _sm_sandbox_next_serial (sandbox));
}

/* The page a publishing call addresses, with a token of that page that
 * may post; NULL after answering the Graph error.  @access_token: for
 * streaming routes, whose body the core does not parse, the token of the
 * body as this module parsed it. */
static const Page *
publishing_page_with (SmSandboxRequest  *req,
                      gboolean           streamed,
                      const char        *access_token,
                      SmSandboxToken   **token_out)
{
  SmSandboxToken *token;
  const char *id = _sm_sandbox_request_arg (req, 0);
  const Page *page;

  if (!streamed)
    token = authenticate (req, FALSE);
  else
    {
      const char *string = access_token;

      if (string == NULL)
        string = _sm_sandbox_request_query (req, "access_token");
      if (string == NULL)
        string = _sm_sandbox_request_bearer (req, TRUE);
      if (string == NULL)
        {
          _sm_sandbox_graph_error (req, 400, 104, 0, "An access token is required to request this resource.");
          return NULL;
        }
      token = _sm_sandbox_token_lookup (req->sandbox, FB_NETWORK, string);
      if (token == NULL || strcmp (token->kind, "access") != 0 || token->state != SM_SANDBOX_TOKEN_VALID)
        {
          _sm_sandbox_graph_token_error (req, token);
          return NULL;
        }
    }
  if (token == NULL)
    return NULL;
  if ((page = addressed_page (req, token, id)) == NULL)
    {
      unsupported_request (req, id);
      return NULL;
    }
  if (is_user_token (token) || strcmp (token->account, page->id) != 0 ||
      !_sm_sandbox_scope_has (token->scope, "pages_manage_posts") ||
      !_sm_sandbox_scope_has (token->scope, "pages_read_engagement"))
    {
      _sm_sandbox_graph_error (req, 403, 200, 0,
                               "(#200) If posting to a page, requires both pages_read_engagement "
                               "and pages_manage_posts as an admin with sufficient administrative "
                               "permission");
      return NULL;
    }
  if (token_out != NULL)
    *token_out = token;
  return page;
}

static const Page *
publishing_page (SmSandboxRequest  *req,
                 SmSandboxToken   **token_out)
{
  return publishing_page_with (req, FALSE, NULL, token_out);
}

static gboolean
param_is_false (SmSandboxRequest *req,
                const char       *name)
{
  const char *value = _sm_sandbox_request_param (req, name);

  return value != NULL && (strcmp (value, "false") == 0 || strcmp (value, "0") == 0);
}

static gboolean
bytes_are_photo (GBytes *bytes)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) ||
         (size >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0);
}

static gboolean
video_is_mp4 (FbVideo *video)
{
  return video->stored >= 8 && memcmp (video->head + 4, "ftyp", 4) == 0;
}

static void
video_take (FbVideo      *video,
            const guint8 *data,
            gsize         len)
{
  for (gsize i = 0; i < len && video->stored + i < sizeof video->head; i++)
    video->head[video->stored + i] = data[i];
  g_checksum_update (video->sha256, data, len);
  video->stored += len;
}

static FbVideo *
video_new (FbMedia     *media,
           const char  *page,
           FbVideoKind  kind)
{
  FbVideo *video = g_rc_box_new0 (FbVideo);

  video->id = media_id (media->sandbox);
  video->page = g_strdup (page);
  video->kind = kind;
  video->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  video->created_us = g_get_real_time ();
  g_hash_table_insert (media->videos, video->id, video);
  return video;
}

/* The finish call took effect: the post exists from now on (and never
 * goes live when processing is to fail). */
static void
video_publish (FbMedia    *media,
               FbVideo    *video,
               const char *text,
               const char *post_id)
{
  g_autoptr(GChecksum) copy = g_checksum_copy (video->sha256);
  SmSandboxPost *post;

  video->finished_us = g_get_real_time ();
  video->published = TRUE;
  video->post_id = g_strdup (post_id != NULL ? post_id : video->id);
  post = _sm_sandbox_post_add (media->sandbox, FB_NETWORK, video->page, video->post_id,
                               text != NULL ? text : "");
  _sm_sandbox_post_add_media (post, "video", video->stored, g_checksum_get_string (copy));
  post->deleted = !video_is_mp4 (video);
}

static JsonObject *
phase (const char *status)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "status", status);
  return object;
}

/* The status object of section 2.2 as it stands now. */
static JsonObject *
video_status_object (FbVideo *video)
{
  JsonObject *status = json_object_new ();
  JsonObject *uploading;
  JsonObject *processing;
  JsonObject *publishing;
  gboolean complete = video->total > 0 && video->stored == video->total;
  gboolean processed = video->published
                       && g_get_real_time () >= video->finished_us + FB_PROCESSING_US;
  const char *overall;

  uploading = phase (complete ? "complete" : video->stored > 0 ? "in_progress" : "not_started");
  json_object_set_int_member (uploading, "bytes_transferred", (gint64) video->stored);

  if (!video->published)
    processing = phase ("not_started");
  else if (!processed)
    processing = phase ("in_progress");
  else if (!video_is_mp4 (video))
    {
      JsonArray *errors = json_array_new ();
      JsonObject *error = json_object_new ();

      processing = phase ("error");
      json_object_set_int_member (error, "code", 1363008);
      json_object_set_string_member (error, "message", FB_NOT_A_VIDEO);
      json_array_add_object_element (errors, error);
      json_object_set_array_member (processing, "errors", errors);
    }
  else
    processing = phase ("complete");

  publishing = phase (!video->published ? "not_started" : processed ? "complete" : "in_progress");
  if (video->published && processed && video_is_mp4 (video))
    {
      g_autofree char *when = format_graph_time (video->finished_us + FB_PROCESSING_US);

      json_object_set_string_member (publishing, "publish_status", "published");
      json_object_set_string_member (publishing, "publish_time", when);
    }

  if (!video->published)
    overall = complete ? "upload_complete" : "uploading";
  else if (!processed)
    overall = "processing";
  else
    overall = video_is_mp4 (video) ? "ready" : "error";

  json_object_set_string_member (status, "video_status", overall);
  json_object_set_object_member (status, "uploading_phase", uploading);
  json_object_set_object_member (status, "processing_phase", processing);
  json_object_set_object_member (status, "publishing_phase", publishing);
  return status;
}

/* ---- multipart bodies bigger than the core keeps ---- */

/* The core accumulates small bodies only (text posts); a photo or a video
 * chunk comes through a streaming route into this sink, kept up to
 * FB_MAX_FORM_BYTES (a 4 MB photo or a 1 MiB chunk, with room), then
 * parsed here. */
#define FB_MAX_FORM_BYTES     (8 * 1024 * 1024)

typedef struct
{
  GByteArray *bytes;
  gboolean    too_large;
} FormSink;

typedef struct
{
  SoupMultipart *multipart;
  GHashTable    *fields;    /* text fields of the body */
  gboolean       too_large;
} Form;

static gpointer
form_begin (SmSandboxRequest *req,
            gpointer          user_data)
{
  FormSink *sink = g_new0 (FormSink, 1);

  sink->bytes = g_byte_array_new ();
  return sink;
}

static void
form_chunk (gpointer      data,
            const guint8 *bytes,
            gsize         len)
{
  FormSink *sink = data;

  if (sink->too_large)
    return;
  if (sink->bytes->len + len > FB_MAX_FORM_BYTES)
    {
      sink->too_large = TRUE;
      g_byte_array_set_size (sink->bytes, 0);
      return;
    }
  g_byte_array_append (sink->bytes, bytes, len);
}

static void
form_sink_free (gpointer data)
{
  FormSink *sink = data;

  g_byte_array_unref (sink->bytes);
  g_free (sink);
}

static void
form_clear (Form *form)
{
  g_clear_pointer (&form->multipart, soup_multipart_free);
  g_clear_pointer (&form->fields, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Form, form_clear)

/* Parses the streamed body: multipart/form-data or a urlencoded form. */
static void
form_open (SmSandboxRequest *req,
           Form             *form)
{
  FormSink *sink = req->body_sink;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  g_autoptr(GBytes) body = NULL;

  form->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (sink == NULL)
    return;
  if (sink->too_large)
    {
      form->too_large = TRUE;
      return;
    }
  body = g_bytes_new (sink->bytes->data, sink->bytes->len);
  if (_sm_sandbox_request_has_type (req, "multipart/form-data"))
    {
      form->multipart = soup_multipart_new_from_message (headers, body);
      for (int i = 0; form->multipart != NULL && i < soup_multipart_get_length (form->multipart); i++)
        {
          SoupMessageHeaders *part_headers;
          GBytes *part_body;
          g_autoptr(GHashTable) disposition = NULL;
          const char *name;

          if (!soup_multipart_get_part (form->multipart, i, &part_headers, &part_body) ||
              !soup_message_headers_get_content_disposition (part_headers, NULL, &disposition) ||
              (name = g_hash_table_lookup (disposition, "name")) == NULL ||
              g_hash_table_lookup (disposition, "filename") != NULL)
            continue;
          g_hash_table_replace (form->fields, g_strdup (name),
                                g_strndup (g_bytes_get_data (part_body, NULL),
                                           g_bytes_get_size (part_body)));
        }
    }
  else if (_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      g_autofree char *text = g_strndup ((const char *) sink->bytes->data, sink->bytes->len);
      GHashTable *decoded = soup_form_decode (text);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, decoded);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_replace (form->fields, g_strdup (key), g_strdup (value));
      g_hash_table_unref (decoded);
    }
}

/* A text field of the body, else the query. */
static const char *
form_param (SmSandboxRequest *req,
            Form             *form,
            const char       *name)
{
  const char *value = g_hash_table_lookup (form->fields, name);

  return value != NULL ? value : _sm_sandbox_request_query (req, name);
}

static gboolean
form_false (SmSandboxRequest *req,
            Form             *form,
            const char       *name)
{
  const char *value = form_param (req, form, name);

  return value != NULL && (strcmp (value, "false") == 0 || strcmp (value, "0") == 0);
}

/* A file part: its bytes (valid with @form), content type and filename. */
static GBytes *
form_file (Form        *form,
           const char  *name,
           const char **content_type,
           gboolean    *has_filename)
{
  for (int i = 0; form->multipart != NULL && i < soup_multipart_get_length (form->multipart); i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part_body;
      g_autoptr(GHashTable) disposition = NULL;

      if (!soup_multipart_get_part (form->multipart, i, &part_headers, &part_body) ||
          !soup_message_headers_get_content_disposition (part_headers, NULL, &disposition) ||
          g_strcmp0 (g_hash_table_lookup (disposition, "name"), name) != 0)
        continue;
      if (content_type != NULL)
        *content_type = soup_message_headers_get_content_type (part_headers, NULL);
      if (has_filename != NULL)
        *has_filename = g_hash_table_lookup (disposition, "filename") != NULL;
      return part_body;
    }
  return NULL;
}

/* ---- photos ---- */

static void
photos_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  FbMedia *media = user_data;
  const Page *page;
  const char *content_type = NULL;
  gboolean has_filename = FALSE;
  g_auto(Form) form = { 0 };
  GBytes *source;
  FbPhoto *photo;
  JsonObject *object;

  form_open (req, &form);
  page = publishing_page_with (req, TRUE, g_hash_table_lookup (form.fields, "access_token"), NULL);
  if (page == NULL)
    return;
  if (form.too_large)
    {
      _sm_sandbox_graph_error (req, 400, 100, 1366046,
                               "(#100) The photo is larger than 4 MB. Upload a smaller one.");
      return;
    }
  if (form_param (req, &form, "url") != NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) The sandbox takes photos as a multipart source file only");
      return;
    }
  source = form_file (&form, "source", &content_type, &has_filename);
  if (source == NULL || !has_filename)
    {
      _sm_sandbox_graph_error (req, 400, 324, 0,
                               "(#324) Requires upload file: a multipart/form-data part "
                               "\"source\" with a filename");
      return;
    }
  if (g_bytes_get_size (source) > FB_MAX_PHOTO_BYTES)
    {
      _sm_sandbox_graph_error (req, 400, 100, 1366046,
                               "(#100) The photo is larger than 4 MB. Upload a smaller one.");
      return;
    }
  if (!bytes_are_photo (source) ||
      (content_type != NULL && strcmp (content_type, "image/jpeg") != 0 &&
       strcmp (content_type, "image/png") != 0))
    {
      _sm_sandbox_graph_error (req, 400, 324, 1366046,
                               "(#324) Missing or invalid image file");
      return;
    }

  photo = g_new0 (FbPhoto, 1);
  photo->id = media_id (media->sandbox);
  photo->page = g_strdup (page->id);
  photo->bytes = g_bytes_get_size (source);
  photo->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, source);
  photo->published = !form_false (req, &form, "published");
  g_hash_table_insert (media->photos, photo->id, photo);

  object = json_object_new ();
  json_object_set_string_member (object, "id", photo->id);
  if (photo->published)
    {
      const char *message = form_param (req, &form, "message");
      g_autofree char *post_id = new_post_id (media->sandbox, page->id);
      SmSandboxPost *post;

      if (message == NULL)
        message = form_param (req, &form, "caption");
      if (message != NULL && g_utf8_strlen (message, -1) > FB_MAX_MESSAGE)
        {
          json_object_unref (object);
          g_hash_table_remove (media->photos, photo->id);
          _sm_sandbox_graph_error (req, 400, 100, 0,
                                   "(#100) Param message must be at most 63206 characters long.");
          return;
        }
      post = _sm_sandbox_post_add (media->sandbox, FB_NETWORK, page->id, post_id,
                                   message != NULL ? message : "");
      _sm_sandbox_post_add_media (post, "image", photo->bytes, photo->sha256);
      photo->attached_to = g_strdup (post_id);
      json_object_set_string_member (object, "post_id", post_id);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

/* attached_media as Graph takes it: a JSON array, or attached_media[N]
 * parameters each holding one {"media_fbid"} object.  The photos, in
 * order, or NULL after answering the error. */
static GPtrArray *
attached_photos (SmSandboxRequest *req,
                 FbMedia          *media,
                 const Page       *page)
{
  g_autoptr(GPtrArray) photos = g_ptr_array_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  const char *whole = _sm_sandbox_request_param (req, "attached_media");

  if (whole != NULL)
    {
      g_autoptr(JsonNode) root = json_from_string (whole, NULL);

      if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
        {
          _sm_sandbox_graph_error (req, 400, 100, 0,
                                   "(#100) param attached_media must be an array.");
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
        g_ptr_array_add (items, json_node_copy (json_array_get_element (json_node_get_array (root), i)));
    }
  else
    for (guint i = 0;; i++)
      {
        g_autofree char *name = g_strdup_printf ("attached_media[%u]", i);
        const char *value = _sm_sandbox_request_param (req, name);
        JsonNode *item;

        if (value == NULL)
          break;
        item = json_from_string (value, NULL);
        if (item == NULL)
          {
            _sm_sandbox_graph_error (req, 400, 100, 0,
                                     "(#100) param attached_media must be an array of objects.");
            return NULL;
          }
        g_ptr_array_add (items, item);
      }

  for (guint i = 0; i < items->len; i++)
    {
      JsonNode *item = g_ptr_array_index (items, i);
      const char *fbid = JSON_NODE_HOLDS_OBJECT (item)
                         ? json_object_get_string_member_with_default (json_node_get_object (item),
                                                                       "media_fbid", NULL)
                         : NULL;
      FbPhoto *photo = fbid != NULL ? g_hash_table_lookup (media->photos, fbid) : NULL;

      if (photo == NULL || strcmp (photo->page, page->id) != 0)
        {
          _sm_sandbox_graph_error (req, 400, 100, 0,
                                   "(#100) param attached_media[media_fbid] must be a photo "
                                   "uploaded to this Page with published=false.");
          return NULL;
        }
      if (photo->published || photo->attached_to != NULL || g_ptr_array_find (photos, photo, NULL))
        {
          _sm_sandbox_graph_error (req, 400, 100, 1366051,
                                   "(#100) These photos were already posted.");
          return NULL;
        }
      g_ptr_array_add (photos, photo);
    }
  return g_steal_pointer (&photos);
}

/* ---- videos: the legacy resumable upload ---- */

static void
respond_window (SmSandboxRequest *req,
                FbVideo          *video,
                JsonObject       *object)
{
  guint64 end = MIN (video->stored + FB_CHUNK_BYTES, video->total);
  g_autofree char *start_text = g_strdup_printf ("%" G_GUINT64_FORMAT, video->stored);
  g_autofree char *end_text = g_strdup_printf ("%" G_GUINT64_FORMAT, end);

  json_object_set_string_member (object, "start_offset", start_text);
  json_object_set_string_member (object, "end_offset", end_text);
  _sm_sandbox_respond_object (req, 200, object);
}

static FbVideo *
session_video (SmSandboxRequest *req,
               Form             *form,
               FbMedia          *media,
               const Page       *page)
{
  const char *session_id = form_param (req, form, "upload_session_id");
  FbVideo *video = session_id != NULL ? g_hash_table_lookup (media->sessions, session_id) : NULL;

  if (session_id == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter upload_session_id is required");
      return NULL;
    }
  if (video == NULL || strcmp (video->page, page->id) != 0)
    {
      _sm_sandbox_graph_error (req, 400, 6000, 1363030,
                               "There was a problem uploading your video file: the upload session "
                               "is unknown or expired. Please try again.");
      return NULL;
    }
  return video;
}

static void
videos_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  FbMedia *media = user_data;
  const Page *page;
  const char *upload_phase;
  g_auto(Form) form = { 0 };
  FbVideo *video;

  form_open (req, &form);
  page = publishing_page_with (req, TRUE, g_hash_table_lookup (form.fields, "access_token"), NULL);
  if (page == NULL)
    return;
  if (form.too_large)
    {
      _sm_sandbox_graph_error (req, 400, 6000, 1363037,
                               "There was a problem uploading your video file: the chunk is larger "
                               "than the end_offset given.");
      return;
    }
  upload_phase = form_param (req, &form, "upload_phase");
  if (upload_phase == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) The sandbox takes videos through upload_phase="
                               "start/transfer/finish only");
      return;
    }

  if (strcmp (upload_phase, "start") == 0)
    {
      const char *size_text = form_param (req, &form, "file_size");
      guint64 size = 0;
      JsonObject *object;

      if (size_text == NULL ||
          !g_ascii_string_to_unsigned (size_text, 10, 1, FB_MAX_VIDEO_BYTES, &size, NULL))
        {
          _sm_sandbox_graph_error (req, 400, 100, 0,
                                   "(#100) The parameter file_size is required: the video's size "
                                   "in bytes, at most 10 GB");
          return;
        }
      video = video_new (media, page->id, FB_VIDEO_PLAIN);
      video->total = size;
      video->session_id = media_id (media->sandbox);
      g_hash_table_insert (media->sessions, video->session_id, video);

      object = json_object_new ();
      json_object_set_string_member (object, "video_id", video->id);
      json_object_set_string_member (object, "upload_session_id", video->session_id);
      respond_window (req, video, object);
    }
  else if (strcmp (upload_phase, "transfer") == 0)
    {
      const char *start_text = form_param (req, &form, "start_offset");
      GBytes *chunk;
      guint64 start = 0;
      guint64 expected;

      if ((video = session_video (req, &form, media, page)) == NULL)
        return;
      if (start_text == NULL || !g_ascii_string_to_unsigned (start_text, 10, 0, G_MAXUINT64, &start, NULL))
        {
          _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter start_offset is required");
          return;
        }
      chunk = form_file (&form, "video_file_chunk", NULL, NULL);
      if (chunk == NULL)
        {
          _sm_sandbox_graph_error (req, 400, 100, 0,
                                   "(#100) The parameter video_file_chunk is required: a "
                                   "multipart/form-data file part");
          return;
        }
      expected = MIN (FB_CHUNK_BYTES, video->total - video->stored);
      if (start != video->stored || g_bytes_get_size (chunk) != expected)
        {
          g_autofree char *message =
            g_strdup_printf ("There was a problem uploading your video file: the chunk must be "
                             "bytes %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " (start_offset "
                             "%s, %" G_GSIZE_FORMAT " bytes sent).",
                             video->stored, video->stored + expected, start_text,
                             g_bytes_get_size (chunk));

          _sm_sandbox_graph_error (req, 400, 6000, 1363037, message);
          return;
        }
      video_take (video, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
      respond_window (req, video, json_object_new ());
    }
  else if (strcmp (upload_phase, "finish") == 0)
    {
      JsonObject *object;

      if ((video = session_video (req, &form, media, page)) == NULL)
        return;
      if (video->stored != video->total)
        {
          g_autofree char *message =
            g_strdup_printf ("There was a problem uploading your video file: only %" G_GUINT64_FORMAT
                             " of %" G_GUINT64_FORMAT " bytes arrived.", video->stored, video->total);

          _sm_sandbox_graph_error (req, 400, 6001, 1363019, message);
          return;
        }
      if (form_false (req, &form, "published") || form_param (req, &form, "scheduled_publish_time"))
        {
          _sm_sandbox_graph_error (req, 400, 100, 0,
                                   "(#100) The sandbox does not support unpublished or scheduled "
                                   "videos yet");
          return;
        }
      if (!video->published)
        video_publish (media, video, form_param (req, &form, "description"), NULL);
      object = json_object_new ();
      json_object_set_boolean_member (object, "success", TRUE);
      _sm_sandbox_respond_object (req, 200, object);
    }
  else
    _sm_sandbox_graph_error (req, 400, 100, 0,
                             "(#100) upload_phase must be one of start, transfer, finish");
}

/* ---- reels and stories ---- */

/* When the oldest reel of the last 24 h leaves the window, or 0 while
 * fewer than FB_REELS_PER_DAY are in it. */
static gint64
reel_slot_free_us (FbMedia    *media,
                   const char *page)
{
  GArray *times = g_hash_table_lookup (media->reels, page);
  gint64 now = g_get_real_time ();
  guint recent = 0;
  gint64 oldest = G_MAXINT64;

  for (guint i = 0; times != NULL && i < times->len; i++)
    {
      gint64 when = g_array_index (times, gint64, i);

      if (when > now - G_TIME_SPAN_DAY)
        {
          recent++;
          oldest = MIN (oldest, when);
        }
    }
  return recent >= FB_REELS_PER_DAY ? oldest + G_TIME_SPAN_DAY : 0;
}

static void
reels_limit_error (SmSandboxRequest *req,
                   const Page       *page,
                   gint64            free_us)
{
  gint64 minutes = MAX (1, (free_us - g_get_real_time () + 59 * G_USEC_PER_SEC) / (60 * G_USEC_PER_SEC));
  g_autofree char *usage =
    g_strdup_printf ("{\"%s\":[{\"type\":\"pages\",\"call_count\":100,\"total_cputime\":1,"
                     "\"total_time\":1,\"estimated_time_to_regain_access\":%" G_GINT64_FORMAT "}]}",
                     page->id, minutes);

  _sm_sandbox_set_header (req, "X-Business-Use-Case-Usage", usage);
  _sm_sandbox_graph_error (req, 400, 80001, 0,
                           "(#80001) There have been too many calls to this Page account: this "
                           "Page has published 30 reels through the API in the last 24 hours.");
}

static void
upload_start_answer (SmSandboxRequest *req,
                     FbMedia          *media,
                     const Page       *page,
                     FbVideoKind       kind)
{
  FbVideo *video = video_new (media, page->id, kind);
  g_autofree char *url = g_strdup_printf ("https://rupload.facebook.com/video-upload/v21.0/%s",
                                          video->id);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "video_id", video->id);
  json_object_set_string_member (object, "upload_url", url);
  _sm_sandbox_respond_object (req, 200, object);
}

/* The video of a finish call, uploaded whole; NULL after the error. */
static FbVideo *
finish_video (SmSandboxRequest *req,
              FbMedia          *media,
              const Page       *page,
              FbVideoKind       kind)
{
  const char *id = _sm_sandbox_request_param (req, "video_id");
  FbVideo *video = id != NULL ? g_hash_table_lookup (media->videos, id) : NULL;

  if (id == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The parameter video_id is required");
      return NULL;
    }
  if (video == NULL || video->kind != kind || strcmp (video->page, page->id) != 0)
    {
      unsupported_request (req, id);
      return NULL;
    }
  if (video->total == 0 || video->stored != video->total)
    {
      _sm_sandbox_graph_error (req, 400, 6001, 1363019,
                               "There was a problem uploading your video file: the upload is not "
                               "complete. Please try again.");
      return NULL;
    }
  return video;
}

static void
reels_cb (SmSandboxRequest *req,
          gpointer          user_data)
{
  FbMedia *media = user_data;
  const Page *page = publishing_page (req, NULL);
  const char *upload_phase;
  const char *state;
  FbVideo *video;
  JsonObject *object;
  gint64 free_us;

  if (page == NULL)
    return;
  upload_phase = _sm_sandbox_request_param (req, "upload_phase");
  if (g_strcmp0 (upload_phase, "start") == 0)
    {
      upload_start_answer (req, media, page, FB_VIDEO_REEL);
      return;
    }
  if (g_strcmp0 (upload_phase, "finish") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) upload_phase must be start or finish");
      return;
    }
  if ((video = finish_video (req, media, page, FB_VIDEO_REEL)) == NULL)
    return;
  state = _sm_sandbox_request_param (req, "video_state");
  if (state == NULL || (strcmp (state, "PUBLISHED") != 0 && strcmp (state, "DRAFT") != 0 &&
                        strcmp (state, "SCHEDULED") != 0))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) The parameter video_state is required: PUBLISHED, DRAFT "
                               "or SCHEDULED");
      return;
    }
  if (strcmp (state, "SCHEDULED") == 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) The sandbox does not support scheduled reels yet");
      return;
    }

  if (strcmp (state, "PUBLISHED") == 0 && !video->published)
    {
      GArray *times = g_hash_table_lookup (media->reels, page->id);
      gint64 now = g_get_real_time ();

      if ((free_us = reel_slot_free_us (media, page->id)) > 0 &&
          _sm_sandbox_rate_limits_enabled (media->sandbox))
        {
          reels_limit_error (req, page, free_us);
          return;
        }
      if (times == NULL)
        {
          times = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_hash_table_insert (media->reels, g_strdup (page->id), times);
        }
      g_array_append_val (times, now);
      video_publish (media, video, _sm_sandbox_request_param (req, "description"), NULL);
    }
  object = json_object_new ();
  json_object_set_boolean_member (object, "success", TRUE);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
video_stories_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  FbMedia *media = user_data;
  const Page *page = publishing_page (req, NULL);
  const char *upload_phase;
  FbVideo *video;
  JsonObject *object;

  if (page == NULL)
    return;
  upload_phase = _sm_sandbox_request_param (req, "upload_phase");
  if (g_strcmp0 (upload_phase, "start") == 0)
    {
      upload_start_answer (req, media, page, FB_VIDEO_STORY);
      return;
    }
  if (g_strcmp0 (upload_phase, "finish") != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) upload_phase must be start or finish");
      return;
    }
  if ((video = finish_video (req, media, page, FB_VIDEO_STORY)) == NULL)
    return;
  if (!video->published)
    {
      g_autofree char *post_id = new_post_id (media->sandbox, page->id);

      video_publish (media, video, "", post_id);
    }
  object = json_object_new ();
  json_object_set_boolean_member (object, "success", TRUE);
  json_object_set_string_member (object, "post_id", video->post_id);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
photo_stories_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  FbMedia *media = user_data;
  const Page *page = publishing_page (req, NULL);
  const char *photo_id;
  FbPhoto *photo;
  g_autofree char *post_id = NULL;
  SmSandboxPost *post;
  JsonObject *object;

  if (page == NULL)
    return;
  photo_id = _sm_sandbox_request_param (req, "photo_id");
  photo = photo_id != NULL ? g_hash_table_lookup (media->photos, photo_id) : NULL;
  if (photo == NULL || strcmp (photo->page, page->id) != 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) The parameter photo_id is required: a photo uploaded to "
                               "this Page with published=false");
      return;
    }
  if (photo->published || photo->attached_to != NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 1366051, "(#100) These photos were already posted.");
      return;
    }
  post_id = new_post_id (media->sandbox, page->id);
  post = _sm_sandbox_post_add (media->sandbox, FB_NETWORK, page->id, post_id, "");
  _sm_sandbox_post_add_media (post, "image", photo->bytes, photo->sha256);
  photo->attached_to = g_strdup (post_id);

  object = json_object_new ();
  json_object_set_boolean_member (object, "success", TRUE);
  json_object_set_string_member (object, "post_id", post_id);
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- rupload ---- */

typedef struct
{
  FbVideo *video;     /* a reference, or NULL */
  guint    status;    /* 0: the bytes go in */
  char    *type;
  char    *message;
} RuploadSink;

static void
rupload_sink_free (gpointer data)
{
  RuploadSink *sink = data;

  if (sink->video != NULL)
    fb_video_unref (sink->video);
  g_free (sink->type);
  g_free (sink->message);
  g_free (sink);
}

static RuploadSink *
rupload_refuse (RuploadSink *sink,
                guint        status,
                const char  *type,
                const char  *message)
{
  sink->status = status;
  sink->type = g_strdup (type);
  sink->message = g_strdup (message);
  return sink;
}

static gboolean
header_number (SmSandboxRequest *req,
               const char       *name,
               guint64          *out)
{
  const char *value = _sm_sandbox_request_header (req, name);

  return value != NULL && g_ascii_string_to_unsigned (value, 10, 0, FB_MAX_VIDEO_BYTES, out, NULL);
}

static gpointer
rupload_begin (SmSandboxRequest *req,
               gpointer          user_data)
{
  FbMedia *media = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *id = _sm_sandbox_request_arg (req, 0);
  const char *authorization = _sm_sandbox_request_header (req, "Authorization");
  RuploadSink *sink = g_new0 (RuploadSink, 1);
  FbVideo *video = id != NULL ? g_hash_table_lookup (media->videos, id) : NULL;
  SmSandboxToken *token;
  guint64 offset = 0, size = 0;
  goffset length = -1;

  if (video == NULL || video->kind == FB_VIDEO_PLAIN)
    return rupload_refuse (sink, 404, "NotFoundError", "No upload session for this video id");
  sink->video = g_rc_box_acquire (video);

  if (authorization == NULL || !g_str_has_prefix (authorization, "OAuth "))
    return rupload_refuse (sink, 401, "AuthError",
                           "Authorization: OAuth {page access token} is required");
  token = _sm_sandbox_token_lookup (req->sandbox, FB_NETWORK, authorization + strlen ("OAuth "));
  if (token == NULL || strcmp (token->kind, "access") != 0)
    return rupload_refuse (sink, 401, "AuthError", "Invalid OAuth access token");
  if (token->state == SM_SANDBOX_TOKEN_EXPIRED)
    return rupload_refuse (sink, 401, "AuthError", "Error validating access token: Session has expired");
  if (token->state != SM_SANDBOX_TOKEN_VALID)
    return rupload_refuse (sink, 401, "AuthError", "Error validating access token: the token was revoked");
  if (is_user_token (token) || strcmp (token->account, video->page) != 0)
    return rupload_refuse (sink, 403, "PermissionError", "A page access token of the video's Page is required");

  if (!header_number (req, "offset", &offset))
    return rupload_refuse (sink, 400, "ParameterValidationError",
                           "HeaderValuePredicate: Header offset not convertable to unsigned long");
  if (!header_number (req, "file_size", &size) || size == 0)
    return rupload_refuse (sink, 400, "ParameterValidationError",
                           "HeaderValuePredicate: Header file_size not convertable to unsigned long");
  if (video->published || (video->total > 0 && video->stored == video->total))
    return rupload_refuse (sink, 400, "ParameterValidationError", "The video was already uploaded");
  if (video->total != 0 && size != video->total)
    return rupload_refuse (sink, 400, "ParameterValidationError",
                           "file_size is not the size this upload started with");
  if (offset != video->stored)
    {
      g_autofree char *message = g_strdup_printf ("offset %" G_GUINT64_FORMAT " does not match the "
                                                  "%" G_GUINT64_FORMAT " bytes received",
                                                  offset, video->stored);

      return rupload_refuse (sink, 400, "ParameterValidationError", message);
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  if (length < 0 || (guint64) length != size - offset)
    return rupload_refuse (sink, 400, "ParameterValidationError",
                           "The body must be the file from offset to file_size, with Content-Length");

  video->total = size;
  return sink;
}

static void
rupload_chunk (gpointer      data,
               const guint8 *bytes,
               gsize         len)
{
  RuploadSink *sink = data;

  if (sink->status != 0 || sink->video->stored + len > sink->video->total)
    return;
  video_take (sink->video, bytes, len);
}

static void
rupload_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  RuploadSink *sink = req->body_sink;
  JsonObject *object = json_object_new ();

  if (sink == NULL || sink->status != 0)
    {
      JsonObject *info = json_object_new ();

      json_object_set_boolean_member (info, "retriable", FALSE);
      json_object_set_string_member (info, "type", sink != NULL ? sink->type : "ProtocolError");
      json_object_set_string_member (info, "message", sink != NULL ? sink->message : "No body");
      json_object_set_object_member (object, "debug_info", info);
      _sm_sandbox_respond_object (req, sink != NULL ? sink->status : 400, object);
      return;
    }
  json_object_set_boolean_member (object, "success", TRUE);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
rupload_unknown_cb (SmSandboxRequest *req,
                    gpointer          user_data)
{
  JsonObject *object = json_object_new ();
  JsonObject *info = json_object_new ();

  json_object_set_boolean_member (info, "retriable", FALSE);
  json_object_set_string_member (info, "type", "NotFoundError");
  json_object_set_string_member (info, "message", "Unknown upload path");
  json_object_set_object_member (object, "debug_info", info);
  _sm_sandbox_respond_object (req, 404, object);
}

/* ---- a post with photos ---- */

static gboolean
has_attached_media (SmSandboxRequest *req)
{
  return _sm_sandbox_request_param (req, "attached_media") != NULL ||
         _sm_sandbox_request_param (req, "attached_media[0]") != NULL;
}

/* POST /{page}/feed with attached_media; anything else is a text post
 * (publish_cb). */
static void
feed_media_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  FbMedia *media = user_data;
  const Page *page;
  const char *message;
  g_autoptr(GPtrArray) photos = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  g_autofree char *post_id = NULL;
  SmSandboxPost *post;
  JsonObject *object;

  if (!has_attached_media (req))
    {
      publish_cb (req, media->fb);
      return;
    }
  if ((page = publishing_page (req, NULL)) == NULL)
    return;
  if (param_is_false (req, "published"))
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) The sandbox does not support unpublished or scheduled "
                               "posts yet");
      return;
    }
  message = _sm_sandbox_request_param (req, "message");
  if (message != NULL && g_utf8_strlen (message, -1) > FB_MAX_MESSAGE)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) Param message must be at most 63206 characters long.");
      return;
    }
  if ((photos = attached_photos (req, media, page)) == NULL)
    return;
  if (photos->len == 0)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Missing message or attachment.");
      return;
    }

  post_id = new_post_id (media->sandbox, page->id);
  post = _sm_sandbox_post_add (media->sandbox, FB_NETWORK, page->id, post_id,
                               message != NULL ? message : "");
  for (guint i = 0; i < photos->len; i++)
    {
      FbPhoto *photo = g_ptr_array_index (photos, i);

      _sm_sandbox_post_add_media (post, "image", photo->bytes, photo->sha256);
      photo->attached_to = g_strdup (post_id);
    }

  object = json_object_new ();
  json_object_set_string_member (object, "id", post_id);
  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if (_sm_sandbox_fields_has (fields, "permalink_url"))
    {
      g_autofree char *permalink = post_permalink (post);

      json_object_set_string_member (object, "permalink_url", permalink);
    }
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- a video as a Graph node ---- */

static void
video_node_cb (SmSandboxRequest *req,
               gpointer          user_data)
{
  FbMedia *media = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  FbVideo *video = id != NULL ? g_hash_table_lookup (media->videos, id) : NULL;
  g_autoptr(GPtrArray) fields = NULL;
  SmSandboxToken *token;
  const char *unknown;
  JsonObject *object;

  if (video == NULL)
    {
      /* Registered before the Page's own node routes. */
      if (g_strcmp0 (id, "me") == 0)
        me_cb (req, media->fb);
      else
        node_cb (req, media->fb);
      return;
    }
  if ((token = authenticate (req, FALSE)) == NULL)
    return;
  if (!is_user_token (token) && strcmp (token->account, video->page) != 0)
    {
      unsupported_request (req, id);
      return;
    }
  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_param (req, "fields"));
  if ((unknown = unknown_field (fields, video_fields)) != NULL)
    {
      nonexisting_field (req, unknown, "Video");
      return;
    }

  object = json_object_new ();
  if (_sm_sandbox_fields_has (fields, "status"))
    json_object_set_object_member (object, "status", video_status_object (video));
  if (_sm_sandbox_fields_has (fields, "published"))
    json_object_set_boolean_member (object, "published", video->published);
  if (fields == NULL || _sm_sandbox_fields_has (fields, "created_time"))
    {
      g_autofree char *created = format_graph_time (video->created_us);

      json_object_set_string_member (object, "created_time", created);
    }
  if (_sm_sandbox_fields_has (fields, "permalink_url"))
    {
      g_autofree char *permalink = video->kind == FB_VIDEO_REEL
                                   ? g_strdup_printf ("/reel/%s/", video->id)
                                   : g_strdup_printf ("/%s/videos/%s/", video->page, video->id);

      json_object_set_string_member (object, "permalink_url", permalink);
    }
  if (_sm_sandbox_fields_has (fields, "description") && video->published)
    {
      SmSandboxPost *post = _sm_sandbox_post_lookup (media->sandbox, FB_NETWORK, video->post_id);

      if (post != NULL && *post->text != '\0')
        json_object_set_string_member (object, "description", post->text);
    }
  json_object_set_string_member (object, "id", video->id);
  _sm_sandbox_respond_object (req, 200, object);
}

/* POST /{post-id}/comments (section 2.3): a comment by the Page under its
 * own post (a video's id stands for its post).  Needs the Page's token
 * with pages_manage_engagement; answers {"id":"{post}_{comment}"}. */
static void
comment_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  FbMedia *media = user_data;
  SmSandboxToken *token = authenticate (req, FALSE);
  const char *id = _sm_sandbox_request_arg (req, 0);
  const char *message = _sm_sandbox_request_param (req, "message");
  const char *attachment = _sm_sandbox_request_param (req, "attachment_url");
  FbVideo *video = g_hash_table_lookup (media->videos, id);
  SmSandboxPost *post;
  g_autofree char *comment_id = NULL;
  JsonObject *object;

  if (token == NULL)
    return;
  post = _sm_sandbox_post_lookup (req->sandbox, FB_NETWORK,
                                  video != NULL && video->post_id != NULL ? video->post_id : id);
  if (post == NULL || post->deleted)
    {
      unsupported_request (req, id);
      return;
    }
  if (is_user_token (token) || strcmp (token->account, post->account) != 0 ||
      !_sm_sandbox_scope_has (token->scope, "pages_manage_engagement"))
    {
      _sm_sandbox_graph_error (req, 403, 200, 0,
                               "(#200) Permissions error: commenting as a Page requires a page access "
                               "token with pages_manage_engagement and pages_read_engagement");
      return;
    }
  if ((message == NULL || *message == '\0') && attachment == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Missing message or attachment.");
      return;
    }
  if (message != NULL && g_utf8_strlen (message, -1) > 8000)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Param message must be at most 8000 characters long.");
      return;
    }

  comment_id = g_strdup_printf ("%s_%" G_GUINT64_FORMAT, post->id,
                                G_GUINT64_CONSTANT (1020000000000000) + _sm_sandbox_next_serial (req->sandbox));
  _sm_sandbox_post_add_comment (post, comment_id, post->account, message != NULL ? message : "");
  object = json_object_new ();
  json_object_set_string_member (object, "id", comment_id);
  _sm_sandbox_respond_object (req, 200, object);
}

/* Every route here goes before the Page's own: registered first. */
static void
facebook_media_register (SmSandbox *self,
                         FbState   *fb)
{
  FbMedia *media = g_new0 (FbMedia, 1);

  media->sandbox = self;
  media->fb = fb;
  media->photos = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, fb_photo_free);
  media->videos = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, fb_video_unref);
  media->sessions = g_hash_table_new (g_str_hash, g_str_equal);
  media->reels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_array_unref);
  _sm_sandbox_add_module (self, media, fb_media_reset, fb_media_free);

  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/feed", feed_media_cb, media);
  _sm_sandbox_add_streaming_route (self, graph_hosts, "POST", "/?v/*/photos", form_begin,
                                   form_chunk, form_sink_free, photos_cb, media);
  _sm_sandbox_add_streaming_route (self, graph_hosts, "POST", "/?v/*/videos", form_begin,
                                   form_chunk, form_sink_free, videos_cb, media);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/video_reels", reels_cb, media);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/video_stories", video_stories_cb, media);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/photo_stories", photo_stories_cb, media);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/comments", comment_cb, media);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*", video_node_cb, media);

  _sm_sandbox_add_streaming_route (self, graph_video_hosts, "POST", "/?v/*/videos", form_begin,
                                   form_chunk, form_sink_free, videos_cb, media);
  _sm_sandbox_add_route (self, graph_video_hosts, "GET", "/?v/*", video_node_cb, media);
  _sm_sandbox_add_route (self, graph_video_hosts, "*", "/**", graph_unknown_cb, media);

  _sm_sandbox_add_streaming_route (self, rupload_hosts, "POST", "/video-upload/?v/*",
                                   rupload_begin, rupload_chunk, rupload_sink_free,
                                   rupload_cb, media);
  _sm_sandbox_add_route (self, rupload_hosts, "*", "/**", rupload_unknown_cb, media);
}

void
_sm_sandbox_facebook_register (SmSandbox *self)
{
  FbState *state = g_new0 (FbState, 1);

  state->sandbox = self;
  state->page_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  _sm_sandbox_add_module (self, state, NULL, fb_state_free);
  facebook_media_register (self, state);

  _sm_sandbox_add_route (self, dialog_hosts, "GET", "/?v/dialog/oauth", dialog_cb, state);
  _sm_sandbox_add_route (self, dialog_hosts, "*", "/**", site_not_found_cb, state);

  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/oauth/access_token", access_token_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/oauth/access_token", access_token_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/me/accounts", me_accounts_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/me/permissions", me_permissions_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "DELETE", "/?v/me/permissions", me_permissions_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/feed", publish_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*/feed", list_posts_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*/published_posts", list_posts_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*/posts", list_posts_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/me", me_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*", node_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "DELETE", "/?v/*", delete_cb, state);
  _sm_sandbox_add_route (self, graph_hosts, "*", "/**", graph_unknown_cb, state);
}
