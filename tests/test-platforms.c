/* test-platforms.c — contract tests: each network's client against the
 * sandbox (so-me-studio-sandbox), plus the parts that need no network.
 *
 * The sandbox speaks each network's wire protocol on loopback; its test
 * hooks under /__sandbox/ inject faults and expire or revoke tokens.  Every
 * check here is something a user would notice: a post that went out twice,
 * a rate limit ignored, an expired sign-in that was not renewed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-platforms"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sm-http.h"
#include "sm-platform.h"
#include "sm-platforms-private.h"
#include "sm-upload.h"
#include "sm-test-net.h"
#include "sm-test-util.h"

#define CLIENT_ID     "sandbox-client"
#define CLIENT_SECRET "sandbox-secret"
#define REDIRECT_URI  "http://127.0.0.1:8765/callback"

typedef struct
{
  SmNetwork   network;
  const char *id;            /* as the sandbox hooks name it */
  const char *name;          /* as our messages name it */
  const char *host;          /* API host */
  const char *publish_path;  /* glob for the call that makes the post public */
  const char *find_path;     /* glob for the reconciliation listing (GET) */
  const char *token_host;    /* refresh endpoint, for the keep-old-refresh-token check */
  const char *token_method;
  const char *token_path;
  int         limit;         /* text limit in characters */
  gboolean    refreshes;     /* has a refresh grant at all */
  gboolean    refreshes_expired; /* ... that still works once the access token expired */
} Network;

static const Network networks[] = {
  { SM_NETWORK_X, "x", "X", "api.x.com", "/2/tweets", "/2/users/*/tweets",
    "api.x.com", "POST", "/2/oauth2/token", 280, TRUE, TRUE },
  { SM_NETWORK_FACEBOOK, "facebook", "Facebook", "graph.facebook.com", "/*/feed",
    "/*/published_posts", NULL, NULL, NULL, 63206, FALSE, FALSE },
  { SM_NETWORK_LINKEDIN, "linkedin", "LinkedIn", "api.linkedin.com", "/rest/posts",
    "/rest/posts", "www.linkedin.com", "POST", "/oauth/v2/accessToken", 3000, TRUE, TRUE },
  { SM_NETWORK_THREADS, "threads", "Threads", "graph.threads.net", "/*/threads_publish",
    "/*/threads", NULL, NULL, NULL, 500, TRUE, FALSE },
};

/* YouTube posts are videos: text-only publishing does not apply, so it has
 * tests of its own rather than a row above. */
static const Network youtube = {
  SM_NETWORK_YOUTUBE, "youtube", "YouTube", "www.googleapis.com", "/upload/youtube/v3/videos",
  "/youtube/v3/channels", "oauth2.googleapis.com", "POST", "/token", 5000, TRUE, TRUE
};

typedef struct
{
  GPtrArray *accounts;  /* SmAccountInfo */
  SmTokens  *tokens;    /* of accounts[0], as refreshed */
  char      *remote_id; /* accounts[0] */
} NetworkState;

static NetworkState states[SM_N_NETWORKS];

/* sm-platform.h has no g_auto() for it (yet). */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmPublishResult, sm_publish_result_clear)

static guint text_serial;   /* makes each text unique */

static const SmClientCredentials creds = {
  .client_id = (char *) CLIENT_ID,
  .client_secret = (char *) CLIENT_SECRET,
};

static void
token_hook (const char *what,
            const char *network_id)
{
  g_autofree char *json = g_strdup_printf ("{\"network\":\"%s\"}", network_id);
  g_autofree char *path = g_strconcat ("tokens/", what, NULL);
  g_autoptr(JsonNode) reply = sm_test_net_hook ("POST", path, json);

  g_assert_cmpint (sm_json_get_int (reply, "changed"), >, 0);
}

/* What the sandbox records: the text as sent on the wire, which for
 * LinkedIn is commentary with its "little text" characters escaped. */
static gboolean
recorded_text_matches (const Network *net,
                       const char    *text,
                       const char    *recorded)
{
  g_autoptr(GString) escaped = NULL;

  if (net->network != SM_NETWORK_LINKEDIN)
    return _sm_platform_text_matches (text, recorded);

  escaped = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (strchr ("\\|{}@[]()<>#*_~", *p) != NULL)
        g_string_append_c (escaped, '\\');
      g_string_append_c (escaped, *p);
    }

  return g_strcmp0 (escaped->str, recorded) == 0;
}

/* Posts of @net with @text, whatever their id. */
static guint
sandbox_count_text (const Network *net,
                    const char    *text)
{
  g_autoptr(JsonNode) posts = sm_test_net_hook ("GET", "posts", NULL);
  JsonArray *array = json_node_get_array (posts);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *post = json_array_get_element (array, i);

      if (g_strcmp0 (sm_json_get_string (post, "network"), net->id) == 0
          && recorded_text_matches (net, text, sm_json_get_string (post, "text")))
        n++;
    }

  return n;
}

/* ---- client side helpers ------------------------------------------------- */

static char *
unique_text (const Network *net,
             const char    *what)
{
  return g_strdup_printf ("Contract test %s: %s (%u, %" G_GINT64_FORMAT ")",
                          net->id, what, ++text_serial, g_get_real_time ());
}

/* Runs the consent page like a browser that approves at once, and returns
 * the code the redirect carries. */
static char *
authorize (SmPlatform *platform,
           const char *state,
           const char *challenge)
{
  g_autofree char *url = sm_platform_build_authorize_url (platform, &creds, REDIRECT_URI,
                                                          state, challenge);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GUri) location = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *code;

  g_assert_true (g_str_has_prefix (url, "https://"));

  params = sm_test_net_consent (session, url, REDIRECT_URI, 0, &location);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, state);
  code = g_hash_table_lookup (params, "code");
  g_assert_nonnull (code);

  /* Threads puts "#_" after the query; a code pasted from the address bar
   * keeps it, and the client must cope. */
  if (g_strcmp0 (g_uri_get_fragment (location), "_") == 0)
    return g_strconcat (code, "#_", NULL);

  return g_strdup (code);
}

static void
connect_network (const Network *net)
{
  NetworkState *st = &states[net->network];
  SmPlatform *platform = sm_platform_get (net->network);
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *state = g_strdup_printf ("state-%u", g_random_int ());
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *code = NULL;
  SmAccountInfo *first;

  /* 64 unreserved characters. */
  verifier = g_strdup_printf ("%08x%08x%08x%08x%08x%08x%08x%08x",
                              g_random_int (), g_random_int (), g_random_int (), g_random_int (),
                              g_random_int (), g_random_int (), g_random_int (), g_random_int ());
  challenge = sm_test_net_pkce_challenge (verifier);

  code = authorize (platform, state, challenge);

  g_clear_pointer (&st->accounts, g_ptr_array_unref);
  g_clear_pointer (&st->tokens, sm_tokens_free);
  g_clear_pointer (&st->remote_id, g_free);

  st->accounts = sm_platform_exchange_code (platform, session, &creds, code, REDIRECT_URI,
                                            sm_platform_get_oauth_spec (platform)->pkce
                                            ? verifier : NULL,
                                            NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (st->accounts);
  g_assert_cmpuint (st->accounts->len, >, 0);

  for (guint i = 0; i < st->accounts->len; i++)
    {
      SmAccountInfo *info = g_ptr_array_index (st->accounts, i);

      g_assert_cmpint (info->network, ==, net->network);
      g_assert_nonnull (info->remote_id);
      g_assert_nonnull (info->name);
      g_assert_nonnull (info->tokens);
      g_assert_nonnull (info->tokens->access_token);
    }

  first = g_ptr_array_index (st->accounts, 0);
  st->tokens = sm_tokens_copy (first->tokens);
  st->remote_id = g_strdup (first->remote_id);
}

static gboolean
need_connected (const Network *net)
{
  if (!sm_test_net_need_sandbox ())
    return FALSE;
  if (states[net->network].tokens == NULL)
    {
      g_test_skip ("not connected");
      return FALSE;
    }
  return TRUE;
}

static gboolean
publish (const Network    *net,
         const char       *text,
         gint64           *not_before,
         SmPublishResult  *result,
         GError          **error)
{
  NetworkState *st = &states[net->network];
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmPublishRequest request = {
    .account_remote_id = st->remote_id,
    .tokens = st->tokens,
    .text = text,
    .not_before_us = g_get_real_time (),
  };

  if (not_before != NULL)
    *not_before = request.not_before_us;

  return sm_platform_publish_text (sm_platform_get (net->network), session, &request,
                                   result, NULL, error);
}

static gboolean
find_published (const Network    *net,
                const char       *text,
                gint64            not_before,
                SmPublishResult  *result,
                GError          **error)
{
  NetworkState *st = &states[net->network];
  g_autoptr(SoupSession) session = sm_http_session_new ();
  SmPublishRequest request = {
    .account_remote_id = st->remote_id,
    .tokens = st->tokens,
    .text = text,
    .not_before_us = not_before,
  };

  return sm_platform_find_published (sm_platform_get (net->network), session, &request,
                                     result, NULL, error);
}

static SmTokens *
refresh (const Network   *net,
         const SmTokens  *old,
         GError         **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();

  return sm_platform_refresh (sm_platform_get (net->network), session, &creds, old,
                              NULL, error);
}

/* ---- without a network ----------------------------------------------------- */

static void
test_registry (void)
{
  g_assert_nonnull (sm_platform_get (SM_NETWORK_X));
  g_assert_true (sm_platform_get (SM_NETWORK_X) == sm_platform_get (SM_NETWORK_X));
  g_assert_cmpint (sm_platform_get_network (sm_platform_get (SM_NETWORK_X)), ==, SM_NETWORK_X);
  g_assert_cmpint (sm_platform_get_network (sm_platform_get (SM_NETWORK_FACEBOOK)), ==, SM_NETWORK_FACEBOOK);
  g_assert_cmpint (sm_platform_get_network (sm_platform_get (SM_NETWORK_LINKEDIN)), ==, SM_NETWORK_LINKEDIN);
  g_assert_cmpint (sm_platform_get_network (sm_platform_get (SM_NETWORK_THREADS)), ==, SM_NETWORK_THREADS);
  g_assert_cmpint (sm_platform_get_network (sm_platform_get (SM_NETWORK_YOUTUBE)), ==, SM_NETWORK_YOUTUBE);
  g_assert_cmpint (sm_platform_get_network (sm_platform_get (SM_NETWORK_TIKTOK)), ==, SM_NETWORK_TIKTOK);
  g_assert_null (sm_platform_get (SM_NETWORK_INVALID));
  g_assert_null (sm_platform_get (SM_N_NETWORKS));
  g_assert_nonnull (sm_platform_get_builtin_client_id (sm_platform_get (SM_NETWORK_X)));
}

static void
test_authorize_urls (void)
{
  g_autofree char *x = sm_platform_build_authorize_url (sm_platform_get (SM_NETWORK_X), &creds,
                                                        REDIRECT_URI, "s t", "chal");
  g_autofree char *fb = sm_platform_build_authorize_url (sm_platform_get (SM_NETWORK_FACEBOOK),
                                                         &creds, REDIRECT_URI, "st", "chal");
  g_autofree char *li = sm_platform_build_authorize_url (sm_platform_get (SM_NETWORK_LINKEDIN),
                                                         &creds, REDIRECT_URI, "st", "chal");
  g_autofree char *th = sm_platform_build_authorize_url (sm_platform_get (SM_NETWORK_THREADS),
                                                         &creds, REDIRECT_URI, "st", "chal");

  g_assert_cmpstr (x, ==,
                   "https://x.com/i/oauth2/authorize?response_type=code&client_id=sandbox-client"
                   "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
                   "&scope=tweet.read%20tweet.write%20users.read%20offline.access%20media.write"
                   "&state=s%20t&code_challenge=chal&code_challenge_method=S256");
  g_assert_cmpstr (fb, ==,
                   "https://www.facebook.com/v21.0/dialog/oauth?response_type=code"
                   "&client_id=sandbox-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
                   "&scope=pages_show_list%2Cpages_manage_posts%2Cpages_read_engagement"
                   "%2Cpages_manage_engagement&state=st"
                   "&code_challenge=chal&code_challenge_method=S256");
  g_assert_true (g_str_has_prefix (li, "https://www.linkedin.com/oauth/v2/authorization?response_type=code&"));
  g_assert_nonnull (strstr (li, "&scope=openid%20profile%20w_member_social%20r_organization_social"
                                "%20w_organization_social%20rw_organization_admin&"));
  /* PKCE and state on every flow. */
  g_assert_nonnull (strstr (li, "&state=st&code_challenge=chal&code_challenge_method=S256"));
  g_assert_nonnull (strstr (th, "&state=st&code_challenge=chal&code_challenge_method=S256"));
  g_assert_true (g_str_has_prefix (th, "https://threads.net/oauth/authorize?response_type=code&"));
  g_assert_nonnull (strstr (th, "&scope=threads_basic%2Cthreads_content_publish%2Cthreads_manage_replies&"));

  {
    g_autofree char *yt = sm_platform_build_authorize_url (sm_platform_get (SM_NETWORK_YOUTUBE),
                                                           &creds, REDIRECT_URI, "st", "chal");

    /* Offline access and consent, or no refresh token (1.1). */
    g_assert_cmpstr (yt, ==,
                     "https://accounts.google.com/o/oauth2/v2/auth?response_type=code"
                     "&client_id=sandbox-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
                     "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube.upload"
                     "%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube"
                     "%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube.readonly"
                     "%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube.force-ssl"
                     "&state=st&code_challenge=chal&code_challenge_method=S256"
                     "&access_type=offline&prompt=consent");
    g_assert_true (sm_platform_get_oauth_spec (sm_platform_get (SM_NETWORK_YOUTUBE))->needs_secret);
  }
}

static void
test_helpers (void)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET",
                                                 "https://graph.facebook.com/v21.0/oauth/access_token"
                                                 "?client_secret=supersecretvalue&code=abcdefghijkl&x=1");
  g_autofree char *scrubbed = NULL;
  g_autofree char *long_text = NULL;
  g_autofree char *cut = NULL;

  /* A secret sent in a form body never comes back in a message. */
  {
    g_autoptr(SoupMessage) form = soup_message_new ("POST", "https://api.x.com/2/oauth2/token");
    g_autofree char *echoed = NULL;

    sm_http_set_form_body (form, "grant_type", "refresh_token",
                           "refresh_token", "rt-0123456789abcdef", NULL);
    echoed = _sm_platform_scrub (form, "Refresh token rt-0123456789abcdef is invalid");
    g_assert_cmpstr (echoed, ==, "Refresh token … is invalid");
  }

  /* Reconciliation: X lists links as t.co links, and entities escaped. */
  g_assert_true (_sm_platform_text_matches ("New menu: https://bakery.example/menu?x=1 today",
                                            "New menu: https://t.co/AbC123xyz today"));
  g_assert_true (_sm_platform_text_matches ("Bread & butter", "Bread &amp; butter"));
  g_assert_false (_sm_platform_text_matches ("New menu: https://bakery.example today",
                                             "Old menu: https://t.co/AbC123xyz today"));

  sm_http_set_bearer (msg, "EAABtokentokentoken");
  scrubbed = _sm_platform_scrub (msg, "Malformed access token EAABtokentokentoken\nfor "
                                      "abcdefghijkl and supersecretvalue (x=1)");
  g_assert_cmpstr (scrubbed, ==, "Malformed access token … for … and … (x=1)");

  long_text = g_strnfill (1000, 'a');
  cut = _sm_platform_scrub (msg, long_text);
  g_assert_cmpint (g_utf8_strlen (cut, -1), ==, 301);

  g_assert_true (_sm_platform_text_matches ("a & b <c>", "a &amp; b &lt;c&gt;"));
  g_assert_true (_sm_platform_text_matches ("line\nbreak ", "line\r\nbreak"));
  g_assert_true (_sm_platform_text_matches ("caf\xc3\xa9", "cafe\xcc\x81"));
  g_assert_false (_sm_platform_text_matches ("hello", "hello!"));
  g_assert_false (_sm_platform_text_matches ("hello", NULL));

  g_assert_cmpint (_sm_platform_parse_time ("2025-01-01T08:00:00+0000"), ==,
                   G_GINT64_CONSTANT (1735718400) * G_USEC_PER_SEC);
  g_assert_cmpint (_sm_platform_parse_time ("2025-01-01T08:00:00Z"), ==,
                   G_GINT64_CONSTANT (1735718400) * G_USEC_PER_SEC);
  g_assert_cmpint (_sm_platform_parse_time ("2025-01-01T09:00:00.5+01:00"), ==,
                   G_GINT64_CONSTANT (1735718400) * G_USEC_PER_SEC + G_USEC_PER_SEC / 2);
  g_assert_cmpint (_sm_platform_parse_time ("yesterday"), ==, 0);
  g_assert_cmpint (_sm_platform_parse_time (NULL), ==, 0);
}

/* ---- against the sandbox ------------------------------------------------- */

static void
test_connect (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  SmAccountInfo *first;

  if (!sm_test_net_need_sandbox ())
    return;

  connect_network (net);
  first = g_ptr_array_index (st->accounts, 0);

  switch (net->network)
    {
    case SM_NETWORK_X:
      g_assert_cmpuint (st->accounts->len, ==, 1);
      g_assert_true (g_str_has_prefix (first->handle, "@"));
      g_assert_nonnull (first->tokens->refresh_token);
      g_assert_cmpint (first->tokens->expires_at_us, >, g_get_real_time ());
      break;

    case SM_NETWORK_FACEBOOK:
      /* One account per Page (the sandbox's user runs several), each with
       * its own token that never expires. */
      g_assert_cmpuint (st->accounts->len, >, 1);
      for (guint i = 0; i < st->accounts->len; i++)
        {
          SmAccountInfo *page = g_ptr_array_index (st->accounts, i);

          g_assert_null (page->tokens->refresh_token);
          g_assert_cmpint (page->tokens->expires_at_us, ==, 0);
          if (i > 0)
            g_assert_cmpstr (page->tokens->access_token, !=, first->tokens->access_token);
        }
      break;

    case SM_NETWORK_LINKEDIN:
      /* The member first, then the organizations they administer, all
       * with the member's tokens. */
      g_assert_true (g_str_has_prefix (first->remote_id, "urn:li:person:"));
      g_assert_cmpuint (st->accounts->len, >, 1);
      for (guint i = 1; i < st->accounts->len; i++)
        {
          SmAccountInfo *org = g_ptr_array_index (st->accounts, i);

          g_assert_true (g_str_has_prefix (org->remote_id, "urn:li:organization:"));
          g_assert_cmpstr (org->name, !=, org->remote_id);
          g_assert_cmpstr (org->tokens->access_token, ==, first->tokens->access_token);
        }
      break;

    case SM_NETWORK_THREADS:
      /* The long-lived token is its own refresh credential. */
      g_assert_cmpuint (st->accounts->len, ==, 1);
      g_assert_cmpstr (first->tokens->refresh_token, ==, first->tokens->access_token);
      g_assert_cmpint (first->tokens->expires_at_us, >, g_get_real_time ());
      break;

    case SM_NETWORK_YOUTUBE:
      /* One account per channel: its id, title and handle. */
      g_assert_cmpuint (st->accounts->len, ==, 1);
      g_assert_true (g_str_has_prefix (first->remote_id, "UC"));
      g_assert_cmpuint (strlen (first->remote_id), ==, 24);
      g_assert_cmpstr (first->name, ==, "So-me Sandbox");
      g_assert_cmpstr (first->handle, ==, "@somesandbox");
      g_assert_nonnull (first->tokens->refresh_token);
      g_assert_cmpint (first->tokens->expires_at_us, >, g_get_real_time ());
      break;

    case SM_NETWORK_INVALID:
    case SM_NETWORK_INSTAGRAM:
    case SM_NETWORK_TIKTOK:
    case SM_NETWORK_WHATSAPP:
    case SM_N_NETWORKS:
    default:
      g_assert_not_reached ();
    }
}

static void
test_publish (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = unique_text (net, "hello");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;

  if (!need_connected (net))
    return;

  g_assert_true (publish (net, text, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (result.remote_id);
  g_assert_nonnull (result.permalink);
  g_assert_true (g_str_has_prefix (result.permalink, "https://"));

  post = sm_test_net_post (net->id, result.remote_id);
  g_assert_nonnull (post);
  g_assert_cmpstr (sm_json_get_string (post, "account"), ==, states[net->network].remote_id);
  g_assert_true (recorded_text_matches (net, text, sm_json_get_string (post, "text")));
}

/* A published post deleted at the network; a second time, already gone,
 * is no error. */
static void
test_delete (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  g_autofree char *text = unique_text (net, "to be deleted");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;

  if (!need_connected (net))
    return;

  g_assert_true (publish (net, text, NULL, &result, &error));
  g_assert_no_error (error);
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(SoupSession) session = sm_http_session_new ();
      g_auto(SmPublishResult) deleted = { NULL, NULL, -1 };
      SmPublishRequest request = {
        .account_remote_id = st->remote_id,
        .tokens = st->tokens,
        .text = text,
        .not_before_us = g_get_real_time () - G_TIME_SPAN_MINUTE,
        .remote_id = result.remote_id,
      };

      g_assert_true (sm_platform_delete_published (sm_platform_get (net->network), session,
                                                   &request, &deleted, NULL, &error));
      g_assert_no_error (error);
    }
  post = sm_test_net_post (net->id, result.remote_id);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (post), "deleted"));
}

static void
test_rate_limited (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = unique_text (net, "rate limited");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  gint64 expected;

  if (!need_connected (net))
    return;

  switch (net->network)
    {
    case SM_NETWORK_X:
      {
        /* No Retry-After: the 24-hour post cap ran out, so its reset wins
         * over the 15-minute window's. */
        gint64 now = g_get_real_time () / G_USEC_PER_SEC;

        sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"%s\",\"count\":1,"
                               "\"status\":429,\"body\":{\"title\":\"Too Many Requests\",\"status\":429,"
                               "\"detail\":\"Too Many Requests\",\"type\":\"about:blank\"},"
                               "\"headers\":{\"x-rate-limit-remaining\":\"0\","
                               "\"x-rate-limit-reset\":\"%" G_GINT64_FORMAT "\","
                               "\"x-user-limit-24hour-remaining\":\"0\","
                               "\"x-user-limit-24hour-reset\":\"%" G_GINT64_FORMAT "\"}}",
                               net->host, net->publish_path, now + 300, now + 3600);
        expected = 3600;
      }
      break;

    case SM_NETWORK_FACEBOOK:
      /* Meta sends no Retry-After: the Business Use Case header says when. */
      sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"%s\",\"count\":1,"
                             "\"status\":400,\"body\":{\"error\":{\"message\":\"(#80001) There have been "
                             "too many calls to this Page account.\",\"type\":\"OAuthException\","
                             "\"code\":80001,\"fbtrace_id\":\"Atest\"}},"
                             "\"headers\":{\"X-Business-Use-Case-Usage\":\"{\\\"123\\\":[{\\\"type\\\":"
                             "\\\"pages\\\",\\\"call_count\\\":100,\\\"total_cputime\\\":10,"
                             "\\\"total_time\\\":10,\\\"estimated_time_to_regain_access\\\":5}]}\"}}",
                             net->host, net->publish_path);
      expected = 300;
      break;

    case SM_NETWORK_LINKEDIN:
      {
        /* Retry-After as an HTTP-date. */
        g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC + 600);
        g_autofree char *date = soup_date_time_to_string (when, SOUP_DATE_HTTP);

        sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"%s\",\"count\":1,"
                               "\"status\":429,\"headers\":{\"Retry-After\":\"%s\"}}",
                               net->host, net->publish_path, date);
        expected = 600;
      }
      break;

    case SM_NETWORK_THREADS:
    case SM_NETWORK_INVALID:
    case SM_NETWORK_INSTAGRAM:
    case SM_NETWORK_YOUTUBE:
    case SM_NETWORK_TIKTOK:
    case SM_NETWORK_WHATSAPP:
    case SM_N_NETWORKS:
    default:
      sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"%s\",\"count\":1,"
                             "\"status\":429,\"headers\":{\"Retry-After\":\"120\"}}",
                             net->host, net->publish_path);
      expected = 120;
      break;
    }

  g_assert_false (publish (net, text, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_null (result.remote_id);
  /* Seconds of slack for the clock moving between here and the client. */
  g_assert_cmpint (result.retry_after_us, <=, expected * G_USEC_PER_SEC);
  g_assert_cmpint (result.retry_after_us, >=, (expected - 3) * G_USEC_PER_SEC);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 0);
}

/* A 5xx on the create call: the post may exist, so the outbox must not
 * send it again blindly; reconciliation then says it does not. */
static void
test_server_error (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = unique_text (net, "server error");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_auto(SmPublishResult) found = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  gint64 not_before;

  if (!need_connected (net))
    return;

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"%s\",\"count\":1,\"status\":503}",
                         net->host, net->publish_path);

  g_assert_false (publish (net, text, &not_before, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);

  g_assert_true (find_published (net, text, not_before, &found, &error));
  g_assert_no_error (error);
  g_assert_null (found.remote_id);
}

/* The network took the post, then the connection died: unknown outcome,
 * and reconciliation finds the post. */
static void
test_dropped_after (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = NULL;
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_auto(SmPublishResult) found = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) post = NULL;
  gint64 not_before;

  if (!need_connected (net))
    return;

  /* LinkedIn's reserved characters must survive escaping both ways. */
  text = net->network == SM_NETWORK_LINKEDIN
         ? unique_text (net, "dropped (after) #sandbox @team [x] {y} <z> *a* _b_ ~c~ | \\")
         : unique_text (net, "dropped after");

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"%s\",\"count\":1,\"drop\":true}",
                         net->host, net->publish_path);

  g_assert_false (publish (net, text, &not_before, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 1);

  g_assert_true (find_published (net, text, not_before, &found, &error));
  g_assert_no_error (error);
  g_assert_nonnull (found.remote_id);

  post = sm_test_net_post (net->id, found.remote_id);
  g_assert_nonnull (post);
  g_assert_true (recorded_text_matches (net, text, sm_json_get_string (post, "text")));
}

/* The connection died before the network acted: the client cannot tell
 * that apart, so still unknown; reconciliation finds nothing. */
static void
test_dropped_before (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = unique_text (net, "dropped before");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_auto(SmPublishResult) found = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  gint64 not_before;

  if (!need_connected (net))
    return;

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"%s\",\"count\":1,\"drop_before\":true}",
                         net->host, net->publish_path);

  g_assert_false (publish (net, text, &not_before, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);

  g_assert_true (find_published (net, text, not_before, &found, &error));
  g_assert_no_error (error);
  g_assert_null (found.remote_id);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 0);
}

/* A failed read is only ever "try again". */
static void
test_read_transient (gconstpointer data)
{
  const Network *net = data;
  g_auto(SmPublishResult) found = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;

  if (!need_connected (net))
    return;

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"GET\",\"path\":\"%s\",\"count\":1,\"status\":503}",
                         net->host, net->find_path);
  g_assert_false (find_published (net, "anything", g_get_real_time (), &found, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_clear_error (&error);

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"GET\",\"path\":\"%s\",\"count\":1,\"drop\":true}",
                         net->host, net->find_path);
  g_assert_false (find_published (net, "anything", g_get_real_time (), &found, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
}

/* Threads: losing the container call costs nothing, so it is TRANSIENT
 * (safe to retry), never OUTCOME_UNKNOWN. */
static void
test_threads_container_lost (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = unique_text (net, "container lost");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;

  if (!need_connected (net))
    return;

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"/*/threads\",\"count\":1,\"drop\":true}",
                         net->host);
  g_assert_false (publish (net, text, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_clear_error (&error);

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"POST\",\"path\":\"/*/threads\",\"count\":1,\"status\":500}",
                         net->host);
  g_assert_false (publish (net, text, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_clear_error (&error);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 0);

  /* And the retry goes through. */
  g_assert_true (publish (net, text, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 1);
}

static void
test_rejected (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = g_strnfill ((gsize) net->limit + 1, 'a');
  g_autofree char *prefix = g_strdup_printf ("%s refused the post: ", net->name);
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;

  if (!need_connected (net))
    return;

  g_assert_false (publish (net, text, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  /* In the network's own words after ours. */
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_cmpuint (strlen (error->message), >, strlen (prefix) + 3);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 0);
}

static void
test_x_duplicate (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = unique_text (net, "twice");
  g_auto(SmPublishResult) first = { NULL, NULL, -1 };
  g_auto(SmPublishResult) second = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;

  if (!need_connected (net))
    return;

  g_assert_true (publish (net, text, NULL, &first, &error));
  g_assert_no_error (error);
  g_assert_false (publish (net, text, NULL, &second, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_cmpstr (error->message, ==,
                   "X refused the post: You are not allowed to create a Tweet with duplicate content.");
}

static void
test_expired (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  g_autofree char *text = unique_text (net, "after refresh");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SmTokens) fresh = NULL;
  g_autoptr(SmTokens) kept = NULL;

  if (!need_connected (net))
    return;

  if (net->refreshes && !net->refreshes_expired)
    {
      /* Threads renews a long-lived token only while it is still valid
       * (5.1): refreshing ahead of expiry is the way, and it works. */
      g_autofree char *before = unique_text (net, "before expiry");

      fresh = refresh (net, st->tokens, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (fresh->access_token, !=, st->tokens->access_token);
      g_assert_cmpstr (fresh->refresh_token, ==, fresh->access_token);
      g_assert_cmpint (fresh->expires_at_us, >, g_get_real_time ());
      sm_tokens_free (st->tokens);
      st->tokens = g_steal_pointer (&fresh);

      g_assert_true (publish (net, before, NULL, &result, &error));
      g_assert_no_error (error);
      sm_publish_result_clear (&result);
    }

  token_hook ("expire", net->id);

  g_assert_false (publish (net, text, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
  g_clear_error (&error);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 0);

  if (!net->refreshes_expired)
    {
      /* No refresh grant (Facebook), or none for an expired token
       * (Threads): the user has to connect again, and is told so. */
      g_assert_null (refresh (net, st->tokens, &error));
      g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
      g_assert_nonnull (strstr (error->message, "Reconnect"));
      connect_network (net);
      return;
    }

  fresh = refresh (net, st->tokens, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fresh);
  g_assert_cmpstr (fresh->access_token, !=, st->tokens->access_token);
  g_assert_nonnull (fresh->refresh_token);

  sm_tokens_free (st->tokens);
  st->tokens = sm_tokens_copy (fresh);

  g_assert_true (publish (net, text, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 1);

  /* An answer without a refresh token keeps the one we have. */
  if (net->token_path != NULL)
    {
      sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"count\":1,\"status\":200,"
                             "\"body\":{\"access_token\":\"sbx-not-a-real-token\",\"token_type\":\"bearer\","
                             "\"expires_in\":3600}}",
                             net->token_host, net->token_method, net->token_path);
      kept = refresh (net, st->tokens, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (kept->access_token, ==, "sbx-not-a-real-token");
      g_assert_cmpstr (kept->refresh_token, ==, st->tokens->refresh_token);
      g_assert_cmpint (kept->expires_at_us, >, g_get_real_time ());
    }

  /* A blip during refresh is transient, not a disconnect. */
  if (net->token_path != NULL)
    {
      g_autoptr(SmTokens) none = NULL;

      sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"count\":1,\"status\":503}",
                             net->token_host, net->token_method, net->token_path);
      none = refresh (net, st->tokens, &error);
      g_assert_null (none);
      g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
      g_clear_error (&error);

      sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"count\":1,\"drop\":true}",
                             net->token_host, net->token_method, net->token_path);
      none = refresh (net, st->tokens, &error);
      g_assert_null (none);
      g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
    }
}

static void
test_revoked (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  g_autofree char *text = unique_text (net, "revoked");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;

  if (!need_connected (net))
    return;

  token_hook ("revoke", net->id);

  g_assert_false (publish (net, text, NULL, &result, &error));
  if (net->network == SM_NETWORK_X)
    {
      /* X answers a dead token with the same bare 401 as an expired one;
       * the refresh that follows is what tells. */
      g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
    }
  else
    {
      g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
      g_assert_nonnull (strstr (error->message, "Reconnect"));
    }
  g_clear_error (&error);

  if (net->refreshes)
    {
      g_autoptr(SmTokens) none = refresh (net, st->tokens, &error);

      g_assert_null (none);
      g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
    }

  g_assert_cmpuint (sandbox_count_text (net, text), ==, 0);
}

/* Disconnecting: a best-effort revocation that never gets in the way. */
static void
test_disconnect (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;

  if (!sm_test_net_need_sandbox ())
    return;

  connect_network (net);

  g_assert_true (sm_platform_revoke (sm_platform_get (net->network), session, &creds,
                                     st->tokens, NULL, &error));
  g_assert_no_error (error);

  /* Where the network has a revocation call, the grant is gone after it. */
  if (net->network == SM_NETWORK_X || net->network == SM_NETWORK_LINKEDIN)
    {
      g_autoptr(SmTokens) none = refresh (net, st->tokens, &error);

      g_assert_null (none);
      g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
    }
}

/* ---- YouTube --------------------------------------------------------------- */

#define YT_CHANNELS_URL "https://www.googleapis.com/youtube/v3/channels?part=snippet&mine=true"
#define MIB             (1024 * 1024)

/* A Data API read with the account's tokens, through the YouTube error
 * mapping. */
static JsonNode *
youtube_read (const SmTokens   *tokens,
              SmPublishResult  *result,
              GError          **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();

  return _sm_platform_youtube_get (session, YT_CHANNELS_URL, tokens->access_token,
                                   SM_CALL_READ, result, NULL, error);
}

/* Text alone is refused, in words that say what to do. */
static void
test_youtube_text (gconstpointer data)
{
  const Network *net = data;
  g_autofree char *text = unique_text (net, "no video");
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_auto(SmPublishResult) found = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;

  if (!need_connected (net))
    return;

  g_assert_false (publish (net, text, NULL, &result, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_cmpstr (error->message, ==, "YouTube posts need a video; add one.");
  g_assert_null (result.remote_id);
  g_clear_error (&error);

  /* And so it never went out. */
  g_assert_true (find_published (net, text, g_get_real_time (), &found, &error));
  g_assert_no_error (error);
  g_assert_null (found.remote_id);
  g_assert_cmpuint (sandbox_count_text (net, text), ==, 0);
}

/* Expired: the API says 401, a refresh renews it and keeps the refresh
 * token (Google sends none), a blip during refresh is transient. */
static void
test_youtube_expired (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SmTokens) fresh = NULL;

  if (!need_connected (net))
    return;

  root = youtube_read (st->tokens, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&root, json_node_unref);

  token_hook ("expire", net->id);
  root = youtube_read (st->tokens, NULL, &error);
  g_assert_null (root);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
  g_clear_error (&error);

  fresh = refresh (net, st->tokens, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fresh->access_token, !=, st->tokens->access_token);
  g_assert_cmpstr (fresh->refresh_token, ==, st->tokens->refresh_token);
  g_assert_cmpint (fresh->expires_at_us, >, g_get_real_time ());
  g_assert_nonnull (fresh->scope);
  sm_tokens_free (st->tokens);
  st->tokens = g_steal_pointer (&fresh);

  root = youtube_read (st->tokens, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sm_json_get_string (root, "items.0.id"), ==, st->remote_id);

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"count\":1,\"status\":503}",
                         net->token_host, net->token_method, net->token_path);
  g_assert_null (refresh (net, st->tokens, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
  g_clear_error (&error);

  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"count\":1,\"drop\":true}",
                         net->token_host, net->token_method, net->token_path);
  g_assert_null (refresh (net, st->tokens, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
}

/* Google's error envelope, as the outbox needs it. */
static void
test_youtube_errors (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  g_auto(SmPublishResult) result = { NULL, NULL, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 expected;

  if (!need_connected (net))
    return;

  /* The daily quota: wait for midnight Pacific time. */
  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"GET\",\"path\":\"%s\",\"status\":403,"
                         "\"body\":{\"error\":{\"code\":403,\"message\":\"The request cannot be completed "
                         "because you have exceeded your quota.\",\"errors\":[{\"message\":\"The request "
                         "cannot be completed because you have exceeded your quota.\",\"domain\":"
                         "\"youtube.quota\",\"reason\":\"quotaExceeded\"}]}}}",
                         net->host, net->find_path);
  expected = _sm_platform_youtube_quota_reset_us (g_get_real_time ());
  root = youtube_read (st->tokens, &result, &error);
  g_assert_null (root);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "midnight Pacific"));
  g_assert_cmpint (result.retry_after_us, <=, expected);
  g_assert_cmpint (result.retry_after_us, >=, expected - 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Too fast: Retry-After. */
  result.retry_after_us = -1;
  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"GET\",\"path\":\"%s\",\"status\":403,"
                         "\"headers\":{\"Retry-After\":\"30\"},"
                         "\"body\":{\"error\":{\"code\":403,\"message\":\"Rate limit exceeded\","
                         "\"errors\":[{\"domain\":\"youtube.quota\",\"reason\":\"rateLimitExceeded\"}]}}}",
                         net->host, net->find_path);
  root = youtube_read (st->tokens, &result, &error);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_cmpint (result.retry_after_us, <=, 30 * G_USEC_PER_SEC);
  g_assert_cmpint (result.retry_after_us, >=, 27 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* The daily upload cap: a day. */
  result.retry_after_us = -1;
  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"GET\",\"path\":\"%s\",\"status\":400,"
                         "\"body\":{\"error\":{\"code\":400,\"message\":\"The user has exceeded the number "
                         "of videos they may upload.\",\"errors\":[{\"domain\":\"youtube.video\","
                         "\"reason\":\"uploadLimitExceeded\"}]}}}",
                         net->host, net->find_path);
  root = youtube_read (st->tokens, &result, &error);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED);
  g_assert_cmpint (result.retry_after_us, ==, G_TIME_SPAN_DAY);
  g_clear_error (&error);

  /* Any other 403 is a refusal, with Google's reason. */
  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"GET\",\"path\":\"%s\",\"status\":403,"
                         "\"body\":{\"error\":{\"code\":403,\"message\":\"Request had insufficient "
                         "authentication scopes.\",\"errors\":[{\"domain\":\"global\","
                         "\"reason\":\"insufficientPermissions\"}],\"status\":\"PERMISSION_DENIED\"}}}",
                         net->host, net->find_path);
  root = youtube_read (st->tokens, &result, &error);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "insufficientPermissions"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* A server error on a read: try again. */
  sm_test_net_add_fault ("{\"host\":\"%s\",\"method\":\"GET\",\"path\":\"%s\",\"status\":503}",
                         net->host, net->find_path);
  root = youtube_read (st->tokens, &result, &error);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);
}

static void
test_youtube_quota_reset (void)
{
  /* 2025-01-01T08:00:00Z is midnight in Los Angeles (PST): a whole day. */
  g_assert_cmpint (_sm_platform_youtube_quota_reset_us (G_GINT64_CONSTANT (1735718400) * G_USEC_PER_SEC),
                   ==, G_TIME_SPAN_DAY);
  /* 2025-07-01T12:00:00.5Z is 05:00:00.5 PDT: 19 hours less half a second. */
  g_assert_cmpint (_sm_platform_youtube_quota_reset_us (G_GINT64_CONSTANT (1751371200) * G_USEC_PER_SEC
                                                        + G_USEC_PER_SEC / 2),
                   ==, 19 * G_TIME_SPAN_HOUR - G_USEC_PER_SEC / 2);
  /* 2025-03-09T07:00:00Z is 23:00 PST on the eve of DST: an hour. */
  g_assert_cmpint (_sm_platform_youtube_quota_reset_us (G_GINT64_CONSTANT (1741503600) * G_USEC_PER_SEC),
                   ==, G_TIME_SPAN_HOUR);
}

/* Revoked: Google's 401 is the same as for an expired token; the refresh
 * that follows tells, and says to reconnect. */
static void
test_youtube_revoked (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SmTokens) none = NULL;

  if (!need_connected (net))
    return;

  token_hook ("revoke", net->id);
  root = youtube_read (st->tokens, NULL, &error);
  g_assert_null (root);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
  g_clear_error (&error);

  none = refresh (net, st->tokens, &error);
  g_assert_null (none);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
  g_assert_nonnull (strstr (error->message, "Reconnect"));
}

static void
test_youtube_disconnect (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SmTokens) none = NULL;

  if (!sm_test_net_need_sandbox ())
    return;

  connect_network (net);
  g_assert_true (sm_platform_revoke (sm_platform_get (net->network), session, &creds,
                                     st->tokens, NULL, &error));
  g_assert_no_error (error);
  none = refresh (net, st->tokens, &error);
  g_assert_null (none);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED);
  g_clear_error (&error);

  /* Revoking what is already gone is not a failure. */
  g_assert_true (sm_platform_revoke (sm_platform_get (net->network), session, &creds,
                                     st->tokens, NULL, &error));
  g_assert_no_error (error);
}

typedef struct
{
  goffset  written;        /* bytes the client pushed, resends included */
  goffset  previous;
  goffset  last_acknowledged;
  guint    acknowledgements;
  gboolean fault_added;
  goffset  fault_after;
} UploadWatch;

static void
upload_progress_cb (goffset  sent,
                    goffset  acknowledged,
                    goffset  total,
                    gpointer user_data)
{
  UploadWatch *watch = user_data;

  g_assert_cmpint (sent, >=, acknowledged);
  g_assert_cmpint (sent, <=, total);
  if (sent > watch->previous)
    watch->written += sent - watch->previous;
  watch->previous = sent;

  if (acknowledged != watch->last_acknowledged)
    {
      watch->acknowledgements++;
      watch->last_acknowledged = acknowledged;
    }

  /* Halfway through, the connection dies in the middle of a chunk. */
  if (!watch->fault_added && acknowledged >= watch->fault_after)
    {
      sm_test_net_add_fault ("{\"host\":\"www.googleapis.com\",\"method\":\"PUT\","
                             "\"path\":\"/upload/youtube/v3/videos\",\"count\":1,"
                             "\"drop_after_bytes\":1000000}");
      watch->fault_added = TRUE;
    }
}

/* Opens a resumable session for @total bytes; returns its URL. */
static char *
youtube_start_upload (const SmTokens *tokens,
                      goffset         total)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *length = g_strdup_printf ("%" G_GOFFSET_FORMAT, total);
  SoupMessageHeaders *headers;

  msg = sm_http_message_new ("POST", "https://www.googleapis.com/upload/youtube/v3/videos"
                                     "?uploadType=resumable&part=snippet,status", &error);
  g_assert_no_error (error);
  sm_http_set_bearer (msg, tokens->access_token);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "X-Upload-Content-Length", length);
  soup_message_headers_replace (headers, "X-Upload-Content-Type", "video/mp4");
  body = json_from_string ("{\"snippet\":{\"title\":\"Twenty mebibytes\",\"description\":\"\"},"
                           "\"status\":{\"privacyStatus\":\"unlisted\"}}", &error);
  g_assert_no_error (error);
  sm_http_set_json_body (msg, body);

  answer = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Location"));
}

/* 20 MiB streamed from disk in 4 MiB chunks; the connection dies in the
 * middle; the client asks, resumes from what the sandbox kept, and the
 * video that arrives is the file, byte for byte. */
static void
test_youtube_upload (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  const goffset total = 20 * MIB;
  const gsize chunk = 4 * MIB;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GChecksum) sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint32 *block = g_new (guint32, MIB / sizeof (guint32));
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) video = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(JsonNode) requests = NULL;
  g_autofree char *url = NULL;
  UploadWatch watch = { 0 };
  goffset acknowledged = -1;
  guint first_record;
  guint64 received = 0;
  gboolean dropped = FALSE;

  if (!need_connected (net))
    return;

  /* Random bytes, written now: nothing to compress or to guess. */
  file = g_file_new_tmp ("sm-upload-XXXXXX.mp4", &io, &error);
  g_assert_no_error (error);
  for (goffset done = 0; done < total; done += MIB)
    {
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (io));

      for (gsize i = 0; i < MIB / sizeof (guint32); i++)
        block[i] = g_random_int ();
      g_checksum_update (sha256, (const guchar *) block, MIB);
      g_output_stream_write_all (out, block, MIB, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_io_stream_close (G_IO_STREAM (io), NULL, &error);
  g_assert_no_error (error);

  requests = sm_test_net_hook ("GET", "requests", NULL);
  first_record = json_array_get_length (json_node_get_array (requests));
  g_clear_pointer (&requests, json_node_unref);

  url = youtube_start_upload (st->tokens, total);
  g_assert_true (g_str_has_prefix (url, "https://www.googleapis.com/upload/youtube/v3/videos?"));

  watch.fault_after = 2 * chunk;
  g_assert_true (sm_upload_resumable_put (session, url, file, total, 0, chunk, "video/mp4",
                                          st->tokens->access_token, upload_progress_cb, &watch,
                                          &acknowledged, &video, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (watch.fault_added);
  g_assert_cmpint (acknowledged, ==, total);
  g_assert_nonnull (sm_json_get_string (video, "id"));
  g_assert_cmpstr (sm_json_get_string (video, "snippet.title"), ==, "Twenty mebibytes");
  g_assert_cmpstr (sm_json_get_string (video, "status.uploadStatus"), ==, "uploaded");

  /* The sandbox has the file: same size, same hash. */
  post = sm_test_net_post (net->id, sm_json_get_string (video, "id"));
  g_assert_nonnull (post);
  g_assert_cmpint (sm_json_get_int (post, "bytes"), ==, total);
  g_assert_cmpstr (sm_json_get_string (post, "sha256"), ==, g_checksum_get_string (sha256));

  /* After the drop, only part of one chunk went again, not the file. */
  g_test_message ("written %" G_GOFFSET_FORMAT " for %" G_GOFFSET_FORMAT, watch.written, total);
  g_assert_cmpint (watch.written, >=, total);
  g_assert_cmpint (watch.written - total, <=, (goffset) chunk);
  g_assert_cmpuint (watch.acknowledgements, >=, 6);

  /* And the sandbox took every byte exactly once. */
  requests = sm_test_net_hook ("GET", "requests", NULL);
  for (guint i = first_record; i < json_array_get_length (json_node_get_array (requests)); i++)
    {
      JsonNode *record = json_array_get_element (json_node_get_array (requests), i);

      if (g_strcmp0 (sm_json_get_string (record, "method"), "PUT") != 0)
        continue;
      received += sm_json_get_int (record, "body_bytes");
      if (g_strcmp0 (sm_json_get_string (record, "fault"), "drop_after_bytes") == 0)
        {
          g_assert_cmpint (sm_json_get_int (record, "body_bytes"), ==, 1000000);
          dropped = TRUE;
        }
    }
  g_assert_true (dropped);
  g_assert_cmpuint (received, ==, (guint64) total);

  /* Asked again, the session says it is done, with the same video. */
  {
    g_autoptr(JsonNode) again = NULL;

    acknowledged = 0;
    g_assert_true (sm_upload_query_offset (session, url, total, st->tokens->access_token,
                                           &acknowledged, &again, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (acknowledged, ==, total);
    g_assert_cmpstr (sm_json_get_string (again, "id"), ==, sm_json_get_string (video, "id"));
  }

  g_file_delete (file, NULL, NULL);
}

typedef struct
{
  GCancellable *cancellable;
  goffset       stop_at;
} StopWatch;

static void
stop_progress_cb (goffset  sent,
                  goffset  acknowledged,
                  goffset  total,
                  gpointer user_data)
{
  StopWatch *watch = user_data;

  if (acknowledged >= watch->stop_at)
    g_cancellable_cancel (watch->cancellable);
}

/* A publisher that stopped mid-upload resumes from the offset it saved,
 * after asking; an expired sign-in is the caller's to renew, and the
 * upload goes on on the same session; a session the network forgot means
 * starting over. */
static void
test_youtube_upload_resume (gconstpointer data)
{
  const Network *net = data;
  NetworkState *st = &states[net->network];
  const goffset total = 3 * MIB + 1000;
  g_autofree char *contents = g_malloc (total);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) video = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(SmTokens) fresh = NULL;
  g_autofree char *url = NULL;
  g_autofree char *sha256 = NULL;
  StopWatch stop = { cancellable, MIB };
  goffset acknowledged = -1;

  if (!need_connected (net))
    return;

  for (goffset i = 0; i < total; i++)
    contents[i] = (char) g_random_int ();
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, total);
  file = g_file_new_tmp ("sm-upload-XXXXXX.mp4", &io, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (io)), contents, total,
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (io), NULL, &error);
  g_assert_no_error (error);

  url = youtube_start_upload (st->tokens, total);

  /* Stopped after the first chunk: the acknowledged offset is handed back. */
  g_assert_false (sm_upload_resumable_put (session, url, file, total, 0, MIB, "video/mp4",
                                           st->tokens->access_token, stop_progress_cb, &stop,
                                           &acknowledged, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (acknowledged, ==, MIB);
  g_clear_error (&error);

  /* Later, the sign-in has expired: the status query says so, and the
   * offset stays what it was. */
  token_hook ("expire", net->id);
  acknowledged = -1;
  g_assert_false (sm_upload_resumable_put (session, url, file, total, MIB, MIB, "video/mp4",
                                           st->tokens->access_token, NULL, NULL,
                                           &acknowledged, NULL, NULL, &error));
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_AUTH_EXPIRED);
  g_assert_cmpint (acknowledged, ==, MIB);
  g_clear_error (&error);

  /* Renewed, it goes on on the same session. */
  fresh = refresh (net, st->tokens, &error);
  g_assert_no_error (error);
  sm_tokens_free (st->tokens);
  st->tokens = g_steal_pointer (&fresh);
  g_assert_true (sm_upload_resumable_put (session, url, file, total, acknowledged, MIB,
                                          "video/mp4", st->tokens->access_token, NULL, NULL,
                                          &acknowledged, &video, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (acknowledged, ==, total);
  post = sm_test_net_post (net->id, sm_json_get_string (video, "id"));
  g_assert_nonnull (post);
  g_assert_cmpstr (sm_json_get_string (post, "sha256"), ==, sha256);

  /* A session the network no longer knows: start again. */
  acknowledged = -1;
  g_assert_false (sm_upload_resumable_put (session, "https://www.googleapis.com/upload/youtube/v3/"
                                           "videos?uploadType=resumable&upload_id=gone",
                                           file, total, 0, MIB, "video/mp4",
                                           st->tokens->access_token, NULL, NULL,
                                           &acknowledged, NULL, NULL, &error));
  g_assert_error (error, SM_UPLOAD_ERROR, SM_UPLOAD_ERROR_SESSION_EXPIRED);
  g_assert_cmpint (acknowledged, ==, 0);

  g_file_delete (file, NULL, NULL);
}

static void
add_network_test (const Network *net,
                  const char    *name,
                  GTestDataFunc  func)
{
  g_autofree char *path = g_strdup_printf ("/platforms/%s/%s", net->id, name);

  g_test_add_data_func (path, net, func);
}

/* youtube.first_comment: commentThreads.insert under the video, through
 * `so-me post` and the publisher (sm_test_first_comment). */
static void
test_youtube_first_comment (void)
{
  SmTestFirstComment c = {
    .network = "youtube",
    .comment_host = "www.googleapis.com",
    .comment_path = "/youtube/v3/commentThreads",
    .create_host = "www.googleapis.com",
    .create_method = "PUT",
    .create_path = "/upload/youtube/v3/videos*",
    .refusal = "\"status\":403,\"body\":{\"error\":{\"code\":403,\"message\":\"The comment thread "
               "could not be created due to insufficient permissions.\",\"errors\":[{\"message\":"
               "\"The comment thread could not be created due to insufficient permissions.\","
               "\"domain\":\"youtube.commentThread\",\"reason\":\"forbidden\"}],"
               "\"status\":\"PERMISSION_DENIED\"}}",
  };
  g_autofree char *dir = g_dir_make_tmp ("sm-yt-comment-XXXXXX", NULL);
  g_autofree char *video = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (dir);
  if (!sm_test_net_gst_launch (dir, "videotestsrc num-buffers=60 ! video/x-raw,width=640,height=360,"
                               "framerate=30/1 ! x264enc speed-preset=ultrafast ! mp4mux",
                               "clip.mp4", &error))
    {
      g_test_skip (error->message);
      return;
    }
  c.media = video = g_build_filename (dir, "clip.mp4", NULL);
  sm_test_first_comment (&c);
  g_unlink (video);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* Start before any thread exists: it sets the environment. */
  sm_test_net_spawn ();

  g_test_add_func ("/platforms/registry", test_registry);
  g_test_add_func ("/platforms/authorize-urls", test_authorize_urls);
  g_test_add_func ("/platforms/helpers", test_helpers);
  g_test_add_func ("/platforms/youtube/quota-reset", test_youtube_quota_reset);
  g_test_add_func ("/platforms/youtube/first-comment", test_youtube_first_comment);

  for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
    {
      const Network *net = &networks[i];

      add_network_test (net, "connect", test_connect);
      add_network_test (net, "publish", test_publish);
      add_network_test (net, "delete", test_delete);
      add_network_test (net, "rate-limited", test_rate_limited);
      add_network_test (net, "server-error", test_server_error);
      add_network_test (net, "dropped-after", test_dropped_after);
      add_network_test (net, "dropped-before", test_dropped_before);
      add_network_test (net, "read-transient", test_read_transient);
      if (net->network == SM_NETWORK_THREADS)
        add_network_test (net, "container-lost", test_threads_container_lost);
      if (net->network == SM_NETWORK_X)
        add_network_test (net, "duplicate", test_x_duplicate);
      add_network_test (net, "rejected", test_rejected);
      add_network_test (net, "expired", test_expired);
      add_network_test (net, "revoked", test_revoked);
      add_network_test (net, "disconnect", test_disconnect);
    }

  add_network_test (&youtube, "connect", test_connect);
  add_network_test (&youtube, "publish-text", test_youtube_text);
  add_network_test (&youtube, "errors", test_youtube_errors);
  add_network_test (&youtube, "expired", test_youtube_expired);
  add_network_test (&youtube, "upload", test_youtube_upload);
  add_network_test (&youtube, "upload-resume", test_youtube_upload_resume);
  add_network_test (&youtube, "revoked", test_youtube_revoked);
  add_network_test (&youtube, "disconnect", test_youtube_disconnect);

  ret = g_test_run ();

  if (sm_test_net_running ())
    sm_test_net_clear_faults ();
  sm_test_net_stop ();

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_clear_pointer (&states[i].accounts, g_ptr_array_unref);
      g_clear_pointer (&states[i].tokens, sm_tokens_free);
      g_clear_pointer (&states[i].remote_id, g_free);
    }

  return ret;
}
