/* sm-sandbox-facebook.c — Facebook Pages (Graph API) in the sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 2: the login dialog, code → short user token →
 * long-lived user token → one token per page from /me/accounts; text posts
 * to a page's feed with that page's token; reading them back.  Every error
 * is the Graph envelope (section 2.5), which Threads shares.
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
  "status_type", "from", NULL
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

static void
publish_cb (SmSandboxRequest *req,
            gpointer          user_data)
{
  SmSandboxToken *token = authenticate (req, FALSE);
  const char *id = _sm_sandbox_request_arg (req, 0);
  const Page *page;
  const char *message;
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
  if (message == NULL || *message == '\0')
    {
      _sm_sandbox_graph_error (req, 400, 100, 0, "(#100) Missing message or attachment.");
      return;
    }
  if (g_utf8_strlen (message, -1) > FB_MAX_MESSAGE)
    {
      _sm_sandbox_graph_error (req, 400, 100, 0,
                               "(#100) Param message must be at most 63206 characters long.");
      return;
    }
  if (_sm_sandbox_post_find_text (req->sandbox, FB_NETWORK, page->id, message) != NULL)
    {
      _sm_sandbox_graph_error (req, 400, 506, 0, "(#506) Duplicate status message");
      return;
    }

  post_id = g_strdup_printf ("%s_%" G_GUINT64_FORMAT, page->id,
                             G_GUINT64_CONSTANT (122100000000000000) + _sm_sandbox_next_serial (req->sandbox));
  post = _sm_sandbox_post_add (req->sandbox, FB_NETWORK, page->id, post_id, message);

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
  SmSandboxToken *token;
  const char *id = _sm_sandbox_request_arg (req, 0);
  g_autoptr(GPtrArray) fields = NULL;
  const char *unknown;
  const Page *page;
  SmSandboxPost *post;

  /* Instagram users, containers and media share graph.facebook.com. */
  if (_sm_sandbox_instagram_node (req))
    return;
  if ((token = authenticate (req, FALSE)) == NULL)
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

void
_sm_sandbox_facebook_register (SmSandbox *self)
{
  FbState *state = g_new0 (FbState, 1);

  state->sandbox = self;
  state->page_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  _sm_sandbox_add_module (self, state, NULL, fb_state_free);

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
