/* test-sandbox.c — the sandbox speaks each network's protocol, strictly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Spawns the built so-me-studio-sandbox for each test, reads its base URL
 * from the first line of stdout and drives it over HTTP with libsoup's
 * synchronous API, as the app's clients will: full OAuth flows, posting,
 * the networks' error envelopes, and the /__sandbox/ test hooks (faults,
 * token expiry and revocation, the record of posts and requests).
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define REDIRECT_URI "http://127.0.0.1:8765/callback"
#define VERIFIER     "sandbox-test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
#define X_USER_ID    "1500000000000000001"

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  char             *base;
  SoupSession      *session;
} Fixture;

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
  JsonNode           *json;
  GError             *error;
} Reply;

static void
reply_free (Reply *reply)
{
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_error (&reply->error);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

/* ---- the sandbox process ----------------------------------------------- */

static char *
sandbox_path (void)
{
  const char *build = g_getenv ("SM_BUILD_DIR");

  if (build != NULL)
    return g_build_filename (build, "src", "so-me-studio-sandbox", NULL);
  return g_test_build_filename (G_TEST_BUILT, "..", "src", "so-me-studio-sandbox", NULL);
}

/* If this test aborts, the sandbox goes with it. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn_sandbox (const char       *listen,
               GSubprocessFlags  flags,
               GError          **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *path = sandbox_path ();

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | flags);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  return g_subprocess_launcher_spawn (launcher, error, path, "--listen", listen, NULL);
}

/* Straight to loopback: no proxy from the environment. */
static SoupSession *
new_session (void)
{
  SoupSession *session = soup_session_new_with_options ("timeout", 20, NULL);

  soup_session_set_proxy_resolver (session, NULL);
  return session;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->proc = spawn_sandbox ("127.0.0.1:0", G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  fx->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx->proc));
  fx->base = g_data_input_stream_read_line (fx->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->base);
  g_assert_true (g_str_has_prefix (fx->base, "http://127.0.0.1:"));
  fx->session = new_session ();
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->session);
  if (fx->proc != NULL)
    {
      g_subprocess_force_exit (fx->proc);
      g_subprocess_wait (fx->proc, NULL, NULL);
    }
  g_clear_object (&fx->out);
  g_clear_object (&fx->proc);
  g_clear_pointer (&fx->base, g_free);
}

/* ---- HTTP -------------------------------------------------------------- */

/* @path is appended to the base URL ("/api.x.com/2/tweets?…"); the varargs
 * are header name/value pairs ending with NULL. */
static Reply *
call_va (Fixture     *fx,
         SoupSession *session,
         const char  *method,
         const char  *path,
         const char  *content_type,
         const char  *body,
         va_list      headers)
{
  Reply *reply = g_new0 (Reply, 1);
  g_autofree char *url = g_strconcat (fx->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  const char *name;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  while ((name = va_arg (headers, const char *)) != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), name,
                                  va_arg (headers, const char *));
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }

  reply->body = soup_session_send_and_read (session != NULL ? session : fx->session, msg, NULL,
                                            &reply->error);
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (reply->body != NULL && g_bytes_get_size (reply->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize len;
      const char *data = g_bytes_get_data (reply->body, &len);

      if (json_parser_load_from_data (parser, data, len, NULL) && json_parser_get_root (parser) != NULL)
        reply->json = json_node_ref (json_parser_get_root (parser));
    }
  return reply;
}

static Reply *
call (Fixture    *fx,
      const char *method,
      const char *path,
      const char *content_type,
      const char *body,
      ...)
{
  va_list headers;
  Reply *reply;

  va_start (headers, body);
  reply = call_va (fx, NULL, method, path, content_type, body, headers);
  va_end (headers);
  g_assert_no_error (reply->error);
  return reply;
}

/* The same on a fresh session, allowing a transport error (drops). */
static Reply *
call_fresh (Fixture    *fx,
            const char *method,
            const char *path,
            const char *content_type,
            const char *body,
            ...)
{
  g_autoptr(SoupSession) session = new_session ();
  va_list headers;
  Reply *reply;

  va_start (headers, body);
  reply = call_va (fx, session, method, path, content_type, body, headers);
  va_end (headers);
  return reply;
}

static char *
bearer (const char *token)
{
  return g_strconcat ("Bearer ", token, NULL);
}

/* A JSON value by a dotted path, numbers indexing arrays ("data.0.id"). */
static JsonNode *
jnode (JsonNode   *root,
       const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = root;

  for (guint i = 0; node != NULL && parts[i] != NULL; i++)
    {
      guint64 index;

      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), parts[i]);
      else if (JSON_NODE_HOLDS_ARRAY (node) &&
               g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXUINT, &index, NULL) &&
               index < json_array_get_length (json_node_get_array (node)))
        node = json_array_get_element (json_node_get_array (node), index);
      else
        node = NULL;
    }
  return node;
}

static const char *
jstr (JsonNode   *root,
      const char *path)
{
  JsonNode *node = jnode (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
jint (JsonNode   *root,
      const char *path)
{
  JsonNode *node = jnode (root, path);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return json_node_get_int (node);
}

static guint
jlen (JsonNode   *root,
      const char *path)
{
  JsonNode *node = path != NULL ? jnode (root, path) : root;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return 0;
  return json_array_get_length (json_node_get_array (node));
}

static void
hook (Fixture    *fx,
      const char *method,
      const char *what,
      const char *json)
{
  g_autofree char *path = g_strconcat ("/__sandbox/", what, NULL);
  g_autoptr(Reply) reply = call (fx, method, path, "application/json", json, NULL);

  g_assert_cmpuint (reply->status / 100, ==, 2);
}

static Reply *
sandbox_get (Fixture    *fx,
             const char *what)
{
  g_autofree char *path = g_strconcat ("/__sandbox/", what, NULL);

  return call (fx, "GET", path, NULL, NULL, NULL);
}

static char *
pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autofree char *base64 = NULL;
  GString *encoded;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  base64 = g_base64_encode (digest, len);
  encoded = g_string_new (base64);
  g_string_replace (encoded, "+", "-", 0);
  g_string_replace (encoded, "/", "_", 0);
  g_string_replace (encoded, "=", "", 0);
  return g_string_free (encoded, FALSE);
}

/* GET the authorize URL; expects 302 to the redirect URI and returns its
 * code (checking state). */
static char *
authorize (Fixture    *fx,
           const char *path)
{
  g_autoptr(Reply) reply = call (fx, "GET", path, NULL, NULL, NULL);
  const char *location = soup_message_headers_get_one (reply->headers, "Location");
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *without_fragment = NULL;
  char *hash;

  g_assert_cmpuint (reply->status, ==, 302);
  g_assert_nonnull (location);
  g_assert_true (g_str_has_prefix (location, REDIRECT_URI "?"));
  /* Threads appends "#_" after the code: the client strips it. */
  without_fragment = g_strdup (location);
  if ((hash = strchr (without_fragment, '#')) != NULL)
    *hash = '\0';
  uri = g_uri_parse (without_fragment, G_URI_FLAGS_ENCODED_QUERY, NULL);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st-42");
  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  return g_strdup (g_hash_table_lookup (params, "code"));
}

/* ---- X ----------------------------------------------------------------- */

static char *
x_authorize_path (const char *scope,
                  const char *challenge)
{
  g_autofree char *query = soup_form_encode ("response_type", "code",
                                             "client_id", "test-client",
                                             "redirect_uri", REDIRECT_URI,
                                             "scope", scope,
                                             "state", "st-42",
                                             "code_challenge", challenge,
                                             "code_challenge_method", "S256",
                                             NULL);

  return g_strconcat ("/x.com/i/oauth2/authorize?", query, NULL);
}

static Reply *
x_token (Fixture    *fx,
         const char *code,
         const char *verifier)
{
  g_autofree char *form = soup_form_encode ("grant_type", "authorization_code", "code", code,
                                            "client_id", "test-client", "redirect_uri", REDIRECT_URI,
                                            "code_verifier", verifier, NULL);

  return call (fx, "POST", "/api.x.com/2/oauth2/token", "application/x-www-form-urlencoded", form, NULL);
}

static Reply *
x_refresh (Fixture    *fx,
           const char *refresh_token)
{
  g_autofree char *form = soup_form_encode ("grant_type", "refresh_token", "refresh_token", refresh_token,
                                            "client_id", "test-client", NULL);

  return call (fx, "POST", "/api.x.com/2/oauth2/token", "application/x-www-form-urlencoded", form, NULL);
}

/* A full flow; returns the access token and (optionally) the refresh token. */
static char *
x_connect (Fixture  *fx,
           char    **refresh)
{
  g_autofree char *challenge = pkce_challenge (VERIFIER);
  g_autofree char *path = x_authorize_path ("tweet.read tweet.write users.read offline.access", challenge);
  g_autofree char *code = authorize (fx, path);
  g_autoptr(Reply) reply = x_token (fx, code, VERIFIER);

  g_assert_cmpuint (reply->status, ==, 200);
  if (refresh != NULL)
    *refresh = g_strdup (jstr (reply->json, "refresh_token"));
  return g_strdup (jstr (reply->json, "access_token"));
}

static Reply *
x_tweet (Fixture    *fx,
         const char *token,
         const char *text)
{
  g_autofree char *auth = bearer (token);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  return call (fx, "POST", "/api.x.com/2/tweets", "application/json", body, "Authorization", auth, NULL);
}

static gboolean
posts_contain (Fixture    *fx,
               const char *network,
               const char *text)
{
  g_autoptr(Reply) posts = sandbox_get (fx, "posts");

  for (guint i = 0; i < jlen (posts->json, NULL); i++)
    {
      g_autofree char *base = g_strdup_printf ("%u.", i);
      g_autofree char *net_path = g_strconcat (base, "network", NULL);
      g_autofree char *text_path = g_strconcat (base, "text", NULL);

      if (g_strcmp0 (jstr (posts->json, net_path), network) == 0 &&
          g_strcmp0 (jstr (posts->json, text_path), text) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_program (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *err_text = NULL;

  /* Only loopback: anything else is refused with a clear message. */
  proc = spawn_sandbox ("0.0.0.0:0", G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err_text, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (err_text, "loopback"));
  g_clear_object (&proc);

  /* First line of stdout is the base URL; SIGTERM stops it cleanly. */
  proc = spawn_sandbox ("127.0.0.1:0", G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_regex_match_simple ("^http://127\\.0\\.0\\.1:[0-9]+$", line, 0, 0));
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait_check (proc, NULL, &error);
  g_assert_no_error (error);
}

static void
test_x_oauth (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *challenge = pkce_challenge (VERIFIER);
  g_autofree char *path = x_authorize_path ("tweet.read tweet.write users.read offline.access", challenge);
  g_autofree char *code = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(Reply) reply = NULL;

  /* Authorize refuses what the real one refuses. */
  {
    const char *no_pkce = "/x.com/i/oauth2/authorize?response_type=code&client_id=c"
                          "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcb&scope=tweet.read&state=s";
    g_autofree char *elsewhere = NULL;
    g_autoptr(Reply) r1 = call (fx, "GET", no_pkce, NULL, NULL, NULL);
    g_autoptr(Reply) r2 = NULL;

    g_assert_cmpuint (r1->status, ==, 400);
    elsewhere = g_strconcat ("/x.com/i/oauth2/authorize?response_type=code&client_id=c"
                             "&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&scope=tweet.read&state=s"
                             "&code_challenge=", challenge, "&code_challenge_method=S256", NULL);
    r2 = call (fx, "GET", elsewhere, NULL, NULL, NULL);
    g_assert_cmpuint (r2->status, ==, 400);
  }

  /* A wrong verifier is refused, and the code is spent. */
  code = authorize (fx, path);
  reply = x_token (fx, code, "a-wrong-verifier-that-is-long-enough-0123456789-abcdef");
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_request");
  g_assert_nonnull (strstr (jstr (reply->json, "error_description"), "code verifier"));
  g_clear_pointer (&reply, reply_free);
  reply = x_token (fx, code, VERIFIER);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);

  /* The right verifier on a fresh code gets both tokens. */
  g_clear_pointer (&code, g_free);
  code = authorize (fx, path);
  reply = x_token (fx, code, VERIFIER);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (jstr (reply->json, "token_type"), ==, "bearer");
  g_assert_cmpint (jint (reply->json, "expires_in"), ==, 7200);
  access = g_strdup (jstr (reply->json, "access_token"));
  refresh = g_strdup (jstr (reply->json, "refresh_token"));
  g_assert_nonnull (access);
  g_assert_nonnull (refresh);
  g_clear_pointer (&reply, reply_free);

  auth = bearer (access);
  reply = call (fx, "GET", "/api.x.com/2/users/me", NULL, NULL, "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (jstr (reply->json, "data.id"), ==, X_USER_ID);
  g_assert_nonnull (jstr (reply->json, "data.username"));
  g_clear_pointer (&reply, reply_free);

  /* Refresh tokens rotate: the old one is spent. */
  reply = x_refresh (fx, refresh);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (jstr (reply->json, "refresh_token"), !=, refresh);
  g_assert_cmpstr (jstr (reply->json, "access_token"), !=, access);
  g_clear_pointer (&reply, reply_free);
  reply = x_refresh (fx, refresh);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error_description"), ==, "Value passed for the token was invalid.");
  g_clear_pointer (&reply, reply_free);

  /* Without offline.access there is no refresh token. */
  bad = x_authorize_path ("tweet.read tweet.write users.read", challenge);
  g_clear_pointer (&code, g_free);
  code = authorize (fx, bad);
  reply = x_token (fx, code, VERIFIER);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_null (jnode (reply->json, "refresh_token"));
}

static void
test_x_post (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *token = x_connect (fx, NULL);
  g_autofree char *auth = bearer (token);
  g_autofree char *long_text = g_strnfill (281, 'a');
  g_autofree char *full_text = g_strnfill (280, 'b');
  g_autoptr(GString) cjk = g_string_new (NULL);
  g_autoptr(Reply) reply = NULL;
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  g_autofree char *timeline = NULL;
  g_autofree char *since = NULL;
  g_autoptr(GDateTime) now = NULL;

  /* No token, or a made-up one: the bare 401 problem. */
  reply = call (fx, "POST", "/api.x.com/2/tweets", "application/json", "{\"text\":\"hi\"}", NULL);
  g_assert_cmpuint (reply->status, ==, 401);
  g_assert_cmpstr (jstr (reply->json, "title"), ==, "Unauthorized");
  g_assert_cmpint (jint (reply->json, "status"), ==, 401);
  g_clear_pointer (&reply, reply_free);
  reply = call (fx, "POST", "/api.x.com/2/tweets", "application/json", "{\"text\":\"hi\"}",
                "Authorization", "Bearer sbx-made-up", NULL);
  g_assert_cmpuint (reply->status, ==, 401);
  g_clear_pointer (&reply, reply_free);

  /* JSON only, text required, unknown fields refused. */
  reply = call (fx, "POST", "/api.x.com/2/tweets", "application/x-www-form-urlencoded", "text=hi",
                "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "title"), ==, "Invalid Request");
  g_clear_pointer (&reply, reply_free);
  reply = x_tweet (fx, token, "");
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);
  reply = call (fx, "POST", "/api.x.com/2/tweets", "application/json", "{\"text\":\"hi\",\"colour\":1}",
                "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);

  /* Weighted length: 281 light characters, or 141 CJK (weight 2), are too
   * many; 280 light ones fit. */
  reply = x_tweet (fx, token, long_text);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);
  for (guint i = 0; i < 141; i++)
    g_string_append (cjk, "漢");
  reply = x_tweet (fx, token, cjk->str);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);
  reply = x_tweet (fx, token, full_text);
  g_assert_cmpuint (reply->status, ==, 201);
  g_clear_pointer (&reply, reply_free);

  /* A post: 201, a numeric id, the rate-limit headers. */
  now = g_date_time_new_now_utc ();
  since = g_date_time_format_iso8601 (now);
  reply = x_tweet (fx, token, "Hello from the sandbox test");
  g_assert_cmpuint (reply->status, ==, 201);
  id = g_strdup (jstr (reply->json, "data.id"));
  g_assert_true (g_ascii_string_to_unsigned (id, 10, 1, G_MAXUINT64, NULL, NULL));
  g_assert_cmpstr (jstr (reply->json, "data.text"), ==, "Hello from the sandbox test");
  g_assert_nonnull (soup_message_headers_get_one (reply->headers, "x-rate-limit-limit"));
  g_assert_nonnull (soup_message_headers_get_one (reply->headers, "x-rate-limit-remaining"));
  g_assert_nonnull (soup_message_headers_get_one (reply->headers, "x-rate-limit-reset"));
  g_clear_pointer (&reply, reply_free);

  /* The same text again is a duplicate. */
  reply = x_tweet (fx, token, "Hello from the sandbox test");
  g_assert_cmpuint (reply->status, ==, 403);
  g_assert_cmpstr (jstr (reply->json, "detail"), ==,
                   "You are not allowed to create a Tweet with duplicate content.");
  g_clear_pointer (&reply, reply_free);

  reply = x_tweet (fx, token, "A second post");
  g_assert_cmpuint (reply->status, ==, 201);
  id2 = g_strdup (jstr (reply->json, "data.id"));
  g_clear_pointer (&reply, reply_free);

  /* Recent posts, newest first, from start_time on. */
  {
    g_autofree char *query = soup_form_encode ("max_results", "10", "start_time", since, NULL);

    timeline = g_strconcat ("/api.x.com/2/users/" X_USER_ID "/tweets?", query, NULL);
  }
  reply = call (fx, "GET", timeline, NULL, NULL, "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpint (jint (reply->json, "meta.result_count"), ==, 2);
  g_assert_cmpstr (jstr (reply->json, "data.0.id"), ==, id2);
  g_assert_cmpstr (jstr (reply->json, "data.1.id"), ==, id);
  g_assert_cmpstr (jstr (reply->json, "data.1.text"), ==, "Hello from the sandbox test");
  g_assert_nonnull (jstr (reply->json, "data.1.created_at"));
  g_clear_pointer (&reply, reply_free);
  reply = call (fx, "GET", "/api.x.com/2/users/" X_USER_ID "/tweets?max_results=5&start_time=2099-01-01T00:00:00Z",
                NULL, NULL, "Authorization", auth, NULL);
  g_assert_cmpint (jint (reply->json, "meta.result_count"), ==, 0);
  g_assert_null (jnode (reply->json, "data"));
  g_clear_pointer (&reply, reply_free);
  reply = call (fx, "GET", "/api.x.com/2/users/" X_USER_ID "/tweets?max_results=3", NULL, NULL,
                "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);

  /* What the sandbox recorded. */
  reply = sandbox_get (fx, "posts");
  g_assert_cmpuint (jlen (reply->json, NULL), ==, 3);
  g_assert_cmpstr (jstr (reply->json, "1.network"), ==, "x");
  g_assert_cmpstr (jstr (reply->json, "1.account"), ==, X_USER_ID);
  g_assert_cmpstr (jstr (reply->json, "1.id"), ==, id);
  g_assert_cmpstr (jstr (reply->json, "1.text"), ==, "Hello from the sandbox test");
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$",
                                       jstr (reply->json, "1.received_at"), 0, 0));
  g_clear_pointer (&reply, reply_free);

  /* Delete. */
  {
    g_autofree char *path = g_strconcat ("/api.x.com/2/tweets/", id, NULL);

    reply = call (fx, "DELETE", path, NULL, NULL, "Authorization", auth, NULL);
    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_true (json_node_get_boolean (jnode (reply->json, "data.deleted")));
    g_clear_pointer (&reply, reply_free);
  }
  reply = call (fx, "GET", timeline, NULL, NULL, "Authorization", auth, NULL);
  g_assert_cmpint (jint (reply->json, "meta.result_count"), ==, 1);
}

static void
test_x_faults (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *token = x_connect (fx, NULL);
  g_autofree char *auth = bearer (token);
  g_autoptr(Reply) reply = NULL;
  g_autofree char *body = NULL;
  gint64 start;

  /* 503 with Retry-After, once, answered without processing. */
  hook (fx, "POST", "faults",
        "{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/tweets\",\"count\":1,\"status\":503,"
        "\"body\":{\"title\":\"Service Unavailable\",\"status\":503},\"headers\":{\"Retry-After\":\"5\"}}");
  reply = x_tweet (fx, token, "fault: try again");
  g_assert_cmpuint (reply->status, ==, 503);
  g_assert_cmpstr (soup_message_headers_get_one (reply->headers, "Retry-After"), ==, "5");
  g_assert_cmpstr (jstr (reply->json, "title"), ==, "Service Unavailable");
  g_assert_false (posts_contain (fx, "x", "fault: try again"));
  g_clear_pointer (&reply, reply_free);
  reply = x_tweet (fx, token, "fault: try again");
  g_assert_cmpuint (reply->status, ==, 201);
  g_clear_pointer (&reply, reply_free);

  /* Delay: processed, answered late. */
  hook (fx, "POST", "faults", "{\"path\":\"/2/tweets\",\"delay_ms\":400}");
  start = g_get_monotonic_time ();
  reply = x_tweet (fx, token, "fault: slow");
  g_assert_cmpuint (reply->status, ==, 201);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * 1000);
  g_clear_pointer (&reply, reply_free);

  /* Drop after processing: no answer, but the post went out.  (A fresh
   * session, so libsoup does not quietly resend on a reused connection.) */
  hook (fx, "POST", "faults", "{\"host\":\"api.x.com\",\"path\":\"/2/tweets\",\"drop\":true}");
  body = g_strdup ("{\"text\":\"fault: dropped after\"}");
  reply = call_fresh (fx, "POST", "/api.x.com/2/tweets", "application/json", body,
                      "Authorization", auth, NULL);
  g_assert_nonnull (reply->error);
  g_assert_true (posts_contain (fx, "x", "fault: dropped after"));
  g_clear_pointer (&reply, reply_free);

  /* Drop before processing: no answer and no post. */
  hook (fx, "POST", "faults", "{\"path\":\"/2/tw*\",\"drop_before\":true}");
  reply = call_fresh (fx, "POST", "/api.x.com/2/tweets", "application/json",
                      "{\"text\":\"fault: dropped before\"}", "Authorization", auth, NULL);
  g_assert_nonnull (reply->error);
  g_assert_false (posts_contain (fx, "x", "fault: dropped before"));
  g_clear_pointer (&reply, reply_free);

  /* Globs, methods and counts: two GETs faulted, the POST not. */
  hook (fx, "POST", "faults", "{\"method\":\"GET\",\"path\":\"/2/*\",\"count\":2,\"status\":429}");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Reply) r = call (fx, "GET", "/api.x.com/2/users/me", NULL, NULL, "Authorization", auth, NULL);

      g_assert_cmpuint (r->status, ==, 429);
      g_assert_cmpuint (g_bytes_get_size (r->body), ==, 0);
    }
  reply = call (fx, "GET", "/api.x.com/2/users/me", NULL, NULL, "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, reply_free);

  /* DELETE clears. */
  hook (fx, "POST", "faults", "{\"status\":500}");
  reply = sandbox_get (fx, "faults");
  g_assert_cmpuint (jlen (reply->json, NULL), ==, 1);
  g_clear_pointer (&reply, reply_free);
  hook (fx, "DELETE", "faults", NULL);
  reply = call (fx, "GET", "/api.x.com/2/users/me", NULL, NULL, "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, reply_free);

  /* Bad fault requests are refused. */
  reply = call (fx, "POST", "/__sandbox/faults", "application/json", "{\"status\":503,\"drop\":true}", NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);

  /* The request log names what happened and carries no token. */
  reply = sandbox_get (fx, "requests");
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body));

    g_assert_null (strstr (text, token));
    g_assert_null (strstr (text, "sbx-"));
    g_assert_nonnull (strstr (text, "\"fault\":\"status\""));
    g_assert_nonnull (strstr (text, "\"fault\":\"delay\""));
    g_assert_nonnull (strstr (text, "\"fault\":\"drop\""));
    g_assert_nonnull (strstr (text, "\"fault\":\"drop_before\""));
    g_assert_nonnull (strstr (text, "\"path\":\"/2/tweets\""));
  }
  g_clear_pointer (&reply, reply_free);

  /* Reset forgets posts (and faults), keeps tokens. */
  hook (fx, "POST", "faults", "{\"status\":500}");
  hook (fx, "POST", "reset", NULL);
  reply = sandbox_get (fx, "posts");
  g_assert_cmpuint (jlen (reply->json, NULL), ==, 0);
  g_clear_pointer (&reply, reply_free);
  reply = x_tweet (fx, token, "after reset");
  g_assert_cmpuint (reply->status, ==, 201);
}

static const char *
token_state (Fixture    *fx,
             const char *token)
{
  static char state[16];
  g_autoptr(Reply) tokens = sandbox_get (fx, "tokens");

  state[0] = '\0';
  for (guint i = 0; i < jlen (tokens->json, NULL); i++)
    {
      g_autofree char *token_path = g_strdup_printf ("%u.token", i);
      g_autofree char *state_path = g_strdup_printf ("%u.state", i);

      if (g_strcmp0 (jstr (tokens->json, token_path), token) == 0)
        g_strlcpy (state, jstr (tokens->json, state_path), sizeof state);
    }
  return state;
}

static void
test_x_expire_revoke (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *refresh = NULL;
  g_autofree char *token = x_connect (fx, &refresh);
  g_autofree char *new_refresh = NULL;
  g_autofree char *new_token = NULL;
  g_autoptr(Reply) reply = NULL;

  reply = x_tweet (fx, token, "before expiry");
  g_assert_cmpuint (reply->status, ==, 201);
  g_clear_pointer (&reply, reply_free);

  /* Expired: 401, but the refresh token still works. */
  hook (fx, "POST", "tokens/expire", "{\"network\":\"x\"}");
  g_assert_cmpstr (token_state (fx, token), ==, "expired");
  g_assert_cmpstr (token_state (fx, refresh), ==, "valid");
  reply = x_tweet (fx, token, "after expiry");
  g_assert_cmpuint (reply->status, ==, 401);
  g_clear_pointer (&reply, reply_free);
  reply = x_refresh (fx, refresh);
  g_assert_cmpuint (reply->status, ==, 200);
  new_token = g_strdup (jstr (reply->json, "access_token"));
  new_refresh = g_strdup (jstr (reply->json, "refresh_token"));
  g_clear_pointer (&reply, reply_free);
  reply = x_tweet (fx, new_token, "after expiry");
  g_assert_cmpuint (reply->status, ==, 201);
  g_clear_pointer (&reply, reply_free);

  /* Revoked: 401, and the refresh fails as X answers a dead grant. */
  hook (fx, "POST", "tokens/revoke", "{\"network\":\"x\"}");
  reply = x_tweet (fx, new_token, "after revocation");
  g_assert_cmpuint (reply->status, ==, 401);
  g_clear_pointer (&reply, reply_free);
  reply = x_refresh (fx, new_refresh);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_request");
  g_clear_pointer (&reply, reply_free);
  g_assert_cmpstr (token_state (fx, new_refresh), ==, "revoked");

  /* The tokens hook pairs each token with its response. */
  reply = sandbox_get (fx, "tokens");
  g_assert_cmpuint (jlen (reply->json, NULL), ==, 4);
  g_assert_cmpstr (jstr (reply->json, "2.kind"), ==, "access");
  g_assert_cmpstr (jstr (reply->json, "2.access_token"), ==, new_token);
  g_assert_cmpstr (jstr (reply->json, "2.refresh_token"), ==, new_refresh);
  g_assert_cmpstr (jstr (reply->json, "0.network"), ==, "x");
}

/* ---- Facebook ---------------------------------------------------------- */

static Reply *
fb_publish (Fixture    *fx,
            const char *page,
            const char *token,
            const char *message)
{
  g_autofree char *path = g_strdup_printf ("/graph.facebook.com/v21.0/%s/feed", page);
  g_autofree char *form = soup_form_encode ("message", message, "access_token", token, NULL);

  return call (fx, "POST", path, "application/x-www-form-urlencoded", form, NULL);
}

static void
test_facebook (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *query = soup_form_encode ("client_id", "fb-app", "redirect_uri", REDIRECT_URI,
                                             "state", "st-42", "response_type", "code",
                                             "scope", "pages_show_list,pages_manage_posts,pages_read_engagement",
                                             NULL);
  g_autofree char *dialog = g_strconcat ("/www.facebook.com/v21.0/dialog/oauth?", query, NULL);
  g_autofree char *code = authorize (fx, dialog);
  g_autofree char *user_token = NULL;
  g_autofree char *long_token = NULL;
  g_autofree char *page_a = NULL, *page_b = NULL, *token_a = NULL, *token_b = NULL;
  g_autofree char *post_id = NULL;
  g_autoptr(Reply) reply = NULL;
  g_autofree char *path = NULL;

  /* code → short-lived user token (client_secret required) */
  g_free (query);
  query = soup_form_encode ("client_id", "fb-app", "redirect_uri", REDIRECT_URI, "code", code, NULL);
  path = g_strconcat ("/graph.facebook.com/v21.0/oauth/access_token?", query, NULL);
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error.type"), ==, "OAuthException");
  g_clear_pointer (&reply, reply_free);
  g_free (code);
  code = authorize (fx, dialog);
  g_free (query);
  query = soup_form_encode ("client_id", "fb-app", "redirect_uri", REDIRECT_URI, "client_secret", "s3",
                            "code", code, NULL);
  g_free (path);
  path = g_strconcat ("/graph.facebook.com/v21.0/oauth/access_token?", query, NULL);
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (jstr (reply->json, "token_type"), ==, "bearer");
  user_token = g_strdup (jstr (reply->json, "access_token"));
  g_clear_pointer (&reply, reply_free);

  /* → long-lived */
  g_free (query);
  query = soup_form_encode ("grant_type", "fb_exchange_token", "client_id", "fb-app", "client_secret", "s3",
                            "fb_exchange_token", user_token, NULL);
  g_free (path);
  path = g_strconcat ("/graph.facebook.com/v21.0/oauth/access_token?", query, NULL);
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpint (jint (reply->json, "expires_in"), ==, 5183944);
  long_token = g_strdup (jstr (reply->json, "access_token"));
  g_clear_pointer (&reply, reply_free);

  /* → two pages, each with its own token */
  g_free (path);
  path = g_strconcat ("/graph.facebook.com/v21.0/me/accounts?fields=id,name,access_token,tasks,picture.type(large)"
                      "&access_token=", long_token, NULL);
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpuint (jlen (reply->json, "data"), ==, 2);
  page_a = g_strdup (jstr (reply->json, "data.0.id"));
  page_b = g_strdup (jstr (reply->json, "data.1.id"));
  token_a = g_strdup (jstr (reply->json, "data.0.access_token"));
  token_b = g_strdup (jstr (reply->json, "data.1.access_token"));
  g_assert_nonnull (token_a);
  g_assert_cmpstr (token_a, !=, token_b);
  g_assert_cmpstr (token_a, !=, long_token);
  g_clear_pointer (&reply, reply_free);

  /* A user token cannot post to a page, nor can another page's token. */
  reply = fb_publish (fx, page_a, long_token, "Fresh bread at nine");
  g_assert_cmpint (jint (reply->json, "error.code"), ==, 200);
  g_clear_pointer (&reply, reply_free);
  reply = fb_publish (fx, page_a, token_b, "Fresh bread at nine");
  g_assert_cmpint (jint (reply->json, "error.code"), ==, 200);
  g_clear_pointer (&reply, reply_free);
  reply = fb_publish (fx, page_a, token_a, "");
  g_assert_cmpint (jint (reply->json, "error.code"), ==, 100);
  g_clear_pointer (&reply, reply_free);

  /* The page's own token can. */
  reply = fb_publish (fx, page_a, token_a, "Fresh bread at nine");
  g_assert_cmpuint (reply->status, ==, 200);
  post_id = g_strdup (jstr (reply->json, "id"));
  g_assert_true (g_str_has_prefix (post_id, page_a));
  g_assert_true (post_id[strlen (page_a)] == '_');
  g_clear_pointer (&reply, reply_free);
  reply = fb_publish (fx, page_a, token_a, "Fresh bread at nine");
  g_assert_cmpint (jint (reply->json, "error.code"), ==, 506);
  g_clear_pointer (&reply, reply_free);

  /* JSON body, token as Bearer. */
  {
    g_autofree char *auth = bearer (token_a);
    g_autofree char *feed = g_strdup_printf ("/graph.facebook.com/v22.0/%s/feed", page_a);

    reply = call (fx, "POST", feed, "application/json", "{\"message\":\"Croissants too\"}",
                  "Authorization", auth, NULL);
    g_assert_cmpuint (reply->status, ==, 200);
    g_clear_pointer (&reply, reply_free);

    /* Recent posts, newest first. */
    g_free (path);
    path = g_strdup_printf ("/graph.facebook.com/v21.0/%s/published_posts"
                            "?fields=id,message,created_time,permalink_url", page_a);
    reply = call (fx, "GET", path, NULL, NULL, "Authorization", auth, NULL);
    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpuint (jlen (reply->json, "data"), ==, 2);
    g_assert_cmpstr (jstr (reply->json, "data.0.message"), ==, "Croissants too");
    g_assert_cmpstr (jstr (reply->json, "data.1.id"), ==, post_id);
    g_assert_nonnull (jstr (reply->json, "data.1.created_time"));
    g_assert_nonnull (jstr (reply->json, "data.1.permalink_url"));
    g_clear_pointer (&reply, reply_free);

    g_free (path);
    path = g_strdup_printf ("/graph.facebook.com/v21.0/%s?fields=permalink_url", post_id);
    reply = call (fx, "GET", path, NULL, NULL, "Authorization", auth, NULL);
    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_true (g_str_has_prefix (jstr (reply->json, "permalink_url"), "https://www.facebook.com/"));
    g_clear_pointer (&reply, reply_free);
  }

  /* Expired tokens: code 190, subcode 463. */
  hook (fx, "POST", "tokens/expire", "{\"network\":\"facebook\"}");
  reply = fb_publish (fx, page_a, token_a, "Too late");
  g_assert_cmpint (jint (reply->json, "error.code"), ==, 190);
  g_assert_cmpint (jint (reply->json, "error.error_subcode"), ==, 463);
  g_clear_pointer (&reply, reply_free);

  g_assert_true (posts_contain (fx, "facebook", "Fresh bread at nine"));
  g_assert_false (posts_contain (fx, "facebook", "Too late"));
}

/* ---- LinkedIn ---------------------------------------------------------- */

static Reply *
li_post (Fixture    *fx,
         const char *token,
         const char *author,
         const char *commentary,
         gboolean    headers)
{
  g_autofree char *auth = bearer (token);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "author");
  json_builder_add_string_value (builder, author);
  json_builder_set_member_name (builder, "commentary");
  json_builder_add_string_value (builder, commentary);
  json_builder_set_member_name (builder, "visibility");
  json_builder_add_string_value (builder, "PUBLIC");
  json_builder_set_member_name (builder, "distribution");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "feedDistribution");
  json_builder_add_string_value (builder, "MAIN_FEED");
  json_builder_set_member_name (builder, "targetEntities");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "thirdPartyDistributionChannels");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "lifecycleState");
  json_builder_add_string_value (builder, "PUBLISHED");
  json_builder_set_member_name (builder, "isReshareDisabledByAuthor");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);

  if (!headers)
    return call (fx, "POST", "/api.linkedin.com/rest/posts", "application/json", body,
                 "Authorization", auth, NULL);
  return call (fx, "POST", "/api.linkedin.com/rest/posts", "application/json", body,
               "Authorization", auth, "LinkedIn-Version", "202601", "X-Restli-Protocol-Version", "2.0.0",
               NULL);
}

static void
test_linkedin (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *query = soup_form_encode ("response_type", "code", "client_id", "li-app",
                                             "redirect_uri", REDIRECT_URI, "state", "st-42",
                                             "scope", "openid profile w_member_social "
                                                      "w_organization_social rw_organization_admin",
                                             NULL);
  g_autofree char *path = g_strconcat ("/www.linkedin.com/oauth/v2/authorization?", query, NULL);
  g_autofree char *code = authorize (fx, path);
  g_autofree char *form = NULL;
  g_autofree char *token = NULL, *refresh = NULL, *auth = NULL;
  g_autofree char *person = NULL, *org = NULL, *share = NULL;
  g_autofree char *long_text = g_strnfill (3001, 'x');
  g_autoptr(Reply) reply = NULL;

  /* The token call needs the client secret. */
  form = soup_form_encode ("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT_URI,
                           "client_id", "li-app", NULL);
  reply = call (fx, "POST", "/www.linkedin.com/oauth/v2/accessToken", "application/x-www-form-urlencoded",
                form, NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_request");
  g_clear_pointer (&reply, reply_free);

  g_free (code);
  code = authorize (fx, path);
  g_free (form);
  form = soup_form_encode ("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT_URI,
                           "client_id", "li-app", "client_secret", "s3", NULL);
  reply = call (fx, "POST", "/www.linkedin.com/oauth/v2/accessToken", "application/x-www-form-urlencoded",
                form, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpint (jint (reply->json, "expires_in"), ==, 5184000);
  token = g_strdup (jstr (reply->json, "access_token"));
  refresh = g_strdup (jstr (reply->json, "refresh_token"));
  g_assert_nonnull (refresh);
  auth = bearer (token);
  g_clear_pointer (&reply, reply_free);

  reply = call (fx, "GET", "/api.linkedin.com/v2/userinfo", NULL, NULL, "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  person = g_strconcat ("urn:li:person:", jstr (reply->json, "sub"), NULL);
  g_assert_nonnull (jstr (reply->json, "name"));
  g_clear_pointer (&reply, reply_free);

  reply = call (fx, "GET", "/api.linkedin.com/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
                NULL, NULL, "Authorization", auth, "LinkedIn-Version", "202601",
                "X-Restli-Protocol-Version", "2.0.0", NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpuint (jlen (reply->json, "elements"), ==, 1);
  org = g_strdup (jstr (reply->json, "elements.0.organization"));
  g_assert_true (g_str_has_prefix (org, "urn:li:organization:"));
  g_clear_pointer (&reply, reply_free);
  {
    g_autofree char *org_path = g_strconcat ("/api.linkedin.com/rest/organizations/",
                                             org + strlen ("urn:li:organization:"), NULL);

    reply = call (fx, "GET", org_path, NULL, NULL, "Authorization", auth, "LinkedIn-Version", "202601",
                  "X-Restli-Protocol-Version", "2.0.0", NULL);
    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_nonnull (jstr (reply->json, "localizedName"));
    g_clear_pointer (&reply, reply_free);
  }

  /* The REST headers are required. */
  reply = li_post (fx, token, person, "Hello LinkedIn", FALSE);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "code"), ==, "VERSION_MISSING");
  g_clear_pointer (&reply, reply_free);

  /* Posts as the member and as the organization. */
  reply = li_post (fx, token, person, "Hello LinkedIn", TRUE);
  g_assert_cmpuint (reply->status, ==, 201);
  g_assert_cmpuint (g_bytes_get_size (reply->body), ==, 0);
  share = g_strdup (soup_message_headers_get_one (reply->headers, "x-restli-id"));
  g_assert_true (g_str_has_prefix (share, "urn:li:share:"));
  g_clear_pointer (&reply, reply_free);
  reply = li_post (fx, token, org, "Hello from the company", TRUE);
  g_assert_cmpuint (reply->status, ==, 201);
  g_clear_pointer (&reply, reply_free);
  reply = li_post (fx, token, "urn:li:organization:90000002", "Not mine", TRUE);
  g_assert_cmpuint (reply->status, ==, 403);
  g_assert_cmpint (jint (reply->json, "serviceErrorCode"), ==, 100);
  g_clear_pointer (&reply, reply_free);
  reply = li_post (fx, token, person, long_text, TRUE);
  g_assert_cmpuint (reply->status, ==, 422);
  g_clear_pointer (&reply, reply_free);
  reply = li_post (fx, token, person, "Hello LinkedIn", TRUE);
  g_assert_cmpuint (reply->status, ==, 422);
  g_clear_pointer (&reply, reply_free);

  /* Read back, newest first. */
  {
    g_autofree char *encoded = g_uri_escape_string (person, NULL, FALSE);
    g_autofree char *list = g_strconcat ("/api.linkedin.com/rest/posts?q=author&count=10&author=", encoded, NULL);

    reply = call (fx, "GET", list, NULL, NULL, "Authorization", auth, "LinkedIn-Version", "202601",
                  "X-Restli-Protocol-Version", "2.0.0", NULL);
    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpuint (jlen (reply->json, "elements"), ==, 1);
    g_assert_cmpstr (jstr (reply->json, "elements.0.id"), ==, share);
    g_assert_cmpstr (jstr (reply->json, "elements.0.commentary"), ==, "Hello LinkedIn");
    g_assert_cmpint (jint (reply->json, "elements.0.createdAt"), >, G_GINT64_CONSTANT (1600000000000));
    g_clear_pointer (&reply, reply_free);
  }

  /* Revoked: 65601, and the refresh grant is dead. */
  hook (fx, "POST", "tokens/revoke", "{\"network\":\"linkedin\"}");
  reply = call (fx, "GET", "/api.linkedin.com/v2/userinfo", NULL, NULL, "Authorization", auth, NULL);
  g_assert_cmpuint (reply->status, ==, 401);
  g_assert_cmpint (jint (reply->json, "serviceErrorCode"), ==, 65601);
  g_clear_pointer (&reply, reply_free);
  g_free (form);
  form = soup_form_encode ("grant_type", "refresh_token", "refresh_token", refresh, "client_id", "li-app",
                           "client_secret", "s3", NULL);
  reply = call (fx, "POST", "/www.linkedin.com/oauth/v2/accessToken", "application/x-www-form-urlencoded",
                form, NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_grant");
  g_clear_pointer (&reply, reply_free);

  g_assert_true (posts_contain (fx, "linkedin", "Hello LinkedIn"));
}

/* ---- Threads ----------------------------------------------------------- */

static void
test_threads (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *query = soup_form_encode ("client_id", "th-app", "redirect_uri", REDIRECT_URI,
                                             "scope", "threads_basic,threads_content_publish",
                                             "response_type", "code", "state", "st-42", NULL);
  g_autofree char *path = g_strconcat ("/threads.net/oauth/authorize?", query, NULL);
  g_autofree char *code = NULL;
  g_autofree char *form = NULL;
  g_autofree char *short_token = NULL, *long_token = NULL, *user_id = NULL;
  g_autofree char *container = NULL, *media = NULL, *too_long = g_strnfill (501, 'y');
  g_autoptr(Reply) reply = NULL;

  /* The redirect ends with "#_". */
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 302);
  g_assert_true (g_str_has_suffix (soup_message_headers_get_one (reply->headers, "Location"), "#_"));
  g_clear_pointer (&reply, reply_free);
  code = authorize (fx, path);

  /* code → short-lived (POST form) → long-lived → refreshed */
  form = soup_form_encode ("client_id", "th-app", "client_secret", "s3", "grant_type", "authorization_code",
                           "redirect_uri", REDIRECT_URI, "code", code, NULL);
  reply = call (fx, "POST", "/graph.threads.net/oauth/access_token", "application/x-www-form-urlencoded",
                form, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  short_token = g_strdup (jstr (reply->json, "access_token"));
  user_id = g_strdup_printf ("%" G_GINT64_FORMAT, jint (reply->json, "user_id"));
  g_clear_pointer (&reply, reply_free);

  g_free (query);
  query = soup_form_encode ("grant_type", "th_exchange_token", "client_secret", "s3",
                            "access_token", short_token, NULL);
  g_free (path);
  path = g_strconcat ("/graph.threads.net/access_token?", query, NULL);
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (jstr (reply->json, "token_type"), ==, "bearer");
  g_assert_cmpint (jint (reply->json, "expires_in"), ==, 5183944);
  long_token = g_strdup (jstr (reply->json, "access_token"));
  g_clear_pointer (&reply, reply_free);

  g_free (query);
  query = soup_form_encode ("grant_type", "th_refresh_token", "access_token", long_token, NULL);
  g_free (path);
  path = g_strconcat ("/graph.threads.net/refresh_access_token?", query, NULL);
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_free (long_token);
  long_token = g_strdup (jstr (reply->json, "access_token"));
  g_clear_pointer (&reply, reply_free);

  g_free (path);
  path = g_strconcat ("/graph.threads.net/v1.0/me?fields=id,username,name&access_token=", long_token, NULL);
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (jstr (reply->json, "id"), ==, user_id);
  g_assert_nonnull (jstr (reply->json, "username"));
  g_clear_pointer (&reply, reply_free);

  /* Too long: the Graph envelope. */
  g_free (query);
  query = soup_form_encode ("media_type", "TEXT", "text", too_long, "access_token", long_token, NULL);
  g_free (path);
  path = g_strdup_printf ("/graph.threads.net/v1.0/%s/threads?%s", user_id, query);
  reply = call (fx, "POST", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpint (jint (reply->json, "error.code"), ==, 100);
  g_assert_nonnull (strstr (jstr (reply->json, "error.message"), "at most 500 characters"));
  g_clear_pointer (&reply, reply_free);

  /* Container → FINISHED → publish → permalink, on the .com host too. */
  g_free (query);
  query = soup_form_encode ("media_type", "TEXT", "text", "Hello Threads", "access_token", long_token, NULL);
  g_free (path);
  path = g_strdup_printf ("/graph.threads.net/v1.0/%s/threads?%s", user_id, query);
  reply = call (fx, "POST", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  container = g_strdup (jstr (reply->json, "id"));
  g_clear_pointer (&reply, reply_free);

  g_free (path);
  path = g_strdup_printf ("/graph.threads.com/v1.0/%s?fields=status,error_message&access_token=%s",
                          container, long_token);
  reply = call (fx, "GET", path, NULL, NULL, NULL);
  g_assert_cmpstr (jstr (reply->json, "status"), ==, "FINISHED");
  g_clear_pointer (&reply, reply_free);

  g_free (path);
  path = g_strdup_printf ("/graph.threads.net/v1.0/%s/threads_publish?creation_id=%s&access_token=%s",
                          user_id, container, long_token);
  reply = call (fx, "POST", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  media = g_strdup (jstr (reply->json, "id"));
  g_assert_nonnull (media);
  g_clear_pointer (&reply, reply_free);
  reply = call (fx, "POST", path, NULL, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);

  {
    g_autofree char *auth = bearer (long_token);

    g_free (path);
    path = g_strdup_printf ("/graph.threads.net/v1.0/%s?fields=id,permalink", media);
    reply = call (fx, "GET", path, NULL, NULL, "Authorization", auth, NULL);
    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_true (g_str_has_prefix (jstr (reply->json, "permalink"), "https://www.threads."));
    g_clear_pointer (&reply, reply_free);

    g_free (path);
    path = g_strdup_printf ("/graph.threads.net/v1.0/%s/threads?fields=id,text,timestamp,permalink&limit=5",
                            user_id);
    reply = call (fx, "GET", path, NULL, NULL, "Authorization", auth, NULL);
    g_assert_cmpuint (jlen (reply->json, "data"), ==, 1);
    g_assert_cmpstr (jstr (reply->json, "data.0.id"), ==, media);
    g_assert_cmpstr (jstr (reply->json, "data.0.text"), ==, "Hello Threads");
    g_assert_nonnull (jstr (reply->json, "data.0.timestamp"));
    g_clear_pointer (&reply, reply_free);

    g_free (path);
    path = g_strdup_printf ("/graph.threads.net/v1.0/%s/threads_publishing_limit"
                            "?fields=quota_usage,config", user_id);
    reply = call (fx, "GET", path, NULL, NULL, "Authorization", auth, NULL);
    g_assert_cmpint (jint (reply->json, "data.0.quota_usage"), ==, 1);
    g_assert_cmpint (jint (reply->json, "data.0.config.quota_total"), ==, 250);
    g_clear_pointer (&reply, reply_free);

    /* Expired: 190/463. */
    hook (fx, "POST", "tokens/expire", "{\"network\":\"threads\"}");
    reply = call (fx, "GET", "/graph.threads.net/v1.0/me?fields=id", NULL, NULL, "Authorization", auth, NULL);
    g_assert_cmpint (jint (reply->json, "error.code"), ==, 190);
    g_assert_cmpint (jint (reply->json, "error.error_subcode"), ==, 463);
    g_clear_pointer (&reply, reply_free);
  }

  g_assert_true (posts_contain (fx, "threads", "Hello Threads"));
}

/* ---- YouTube ----------------------------------------------------------- */

#define YT_CHANNEL_ID "UCsbxSoMeStudioSandbox01"
#define YT_SCOPES     "https://www.googleapis.com/auth/youtube.upload " \
                      "https://www.googleapis.com/auth/youtube " \
                      "https://www.googleapis.com/auth/youtube.readonly"
#define YT_SECRET     "test-secret"
#define YT_UPLOAD     "/www.googleapis.com/upload/youtube/v3/videos"
#define MIB           (1024 * 1024)

static char *
yt_authorize_path (const char *extra)
{
  g_autofree char *challenge = pkce_challenge (VERIFIER);
  g_autofree char *query = soup_form_encode ("client_id", "test-client",
                                             "redirect_uri", REDIRECT_URI,
                                             "response_type", "code",
                                             "scope", YT_SCOPES,
                                             "state", "st-42",
                                             "code_challenge", challenge,
                                             "code_challenge_method", "S256",
                                             NULL);

  return g_strconcat ("/accounts.google.com/o/oauth2/v2/auth?", query, extra, NULL);
}

static Reply *
yt_token (Fixture    *fx,
          const char *code,
          const char *secret,
          const char *verifier)
{
  /* The secret last: soup_form_encode() stops at a NULL value. */
  g_autofree char *form = soup_form_encode ("code", code, "client_id", "test-client",
                                            "redirect_uri", REDIRECT_URI,
                                            "grant_type", "authorization_code",
                                            "code_verifier", verifier,
                                            "client_secret", secret, NULL);

  return call (fx, "POST", "/oauth2.googleapis.com/token", "application/x-www-form-urlencoded",
               form, NULL);
}

static Reply *
yt_refresh (Fixture    *fx,
            const char *refresh_token)
{
  g_autofree char *form = soup_form_encode ("grant_type", "refresh_token",
                                            "refresh_token", refresh_token,
                                            "client_id", "test-client",
                                            "client_secret", YT_SECRET, NULL);

  return call (fx, "POST", "/oauth2.googleapis.com/token", "application/x-www-form-urlencoded",
               form, NULL);
}

static char *
yt_connect (Fixture  *fx,
            char    **refresh)
{
  g_autofree char *path = yt_authorize_path ("&access_type=offline&prompt=consent");
  g_autofree char *code = authorize (fx, path);
  g_autoptr(Reply) reply = yt_token (fx, code, YT_SECRET, VERIFIER);

  g_assert_cmpuint (reply->status, ==, 200);
  if (refresh != NULL)
    *refresh = g_strdup (jstr (reply->json, "refresh_token"));
  return g_strdup (jstr (reply->json, "access_token"));
}

static Reply *
yt_channels (Fixture    *fx,
             const char *token)
{
  g_autofree char *auth = token != NULL ? bearer (token) : NULL;

  return call (fx, "GET",
               "/www.googleapis.com/youtube/v3/channels?part=snippet,contentDetails,statistics&mine=true",
               NULL, NULL, auth != NULL ? "Authorization" : NULL, auth, NULL);
}

static void
assert_google_error (Reply      *reply,
                     guint       status,
                     const char *reason)
{
  g_assert_cmpuint (reply->status, ==, status);
  g_assert_cmpint (jint (reply->json, "error.code"), ==, status);
  g_assert_cmpstr (jstr (reply->json, "error.errors.0.reason"), ==, reason);
  g_assert_nonnull (jstr (reply->json, "error.message"));
}

static void
test_youtube_oauth (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *code = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *renewed = NULL;
  g_autoptr(Reply) reply = NULL;

  /* Authorize needs PKCE (S256) and state, and a loopback redirect. */
  {
    g_autofree char *no_pkce = g_strconcat ("/accounts.google.com/o/oauth2/v2/auth?client_id=c"
                                            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcb"
                                            "&response_type=code&state=s&scope=",
                                            "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube", NULL);
    g_autoptr(Reply) r = call (fx, "GET", no_pkce, NULL, NULL, NULL);

    g_assert_cmpuint (r->status, ==, 400);
  }

  /* Without access_type=offline: an access token alone. */
  path = yt_authorize_path (NULL);
  code = authorize (fx, path);
  reply = yt_token (fx, code, YT_SECRET, VERIFIER);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_nonnull (jstr (reply->json, "access_token"));
  g_assert_null (jnode (reply->json, "refresh_token"));
  g_clear_pointer (&reply, reply_free);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&code, g_free);

  /* Desktop clients still send their secret; the code stays unspent when
   * it is missing. */
  path = yt_authorize_path ("&access_type=offline&prompt=consent");
  code = authorize (fx, path);
  reply = yt_token (fx, code, NULL, VERIFIER);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_request");
  g_assert_cmpstr (jstr (reply->json, "error_description"), ==, "client_secret is missing.");
  g_clear_pointer (&reply, reply_free);
  /* Another secret than the client's is not its secret. */
  reply = yt_token (fx, code, "another-secret", VERIFIER);
  g_assert_cmpuint (reply->status, ==, 401);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_client");
  g_clear_pointer (&reply, reply_free);
  /* A wrong verifier spends the code. */
  reply = yt_token (fx, code, YT_SECRET, "a-wrong-verifier-that-is-long-enough-0123456789-abcdef");
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_grant");
  g_clear_pointer (&reply, reply_free);
  reply = yt_token (fx, code, YT_SECRET, VERIFIER);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_grant");
  g_clear_pointer (&reply, reply_free);

  /* Offline access with PKCE and the secret: both tokens. */
  g_clear_pointer (&code, g_free);
  code = authorize (fx, path);
  reply = yt_token (fx, code, YT_SECRET, VERIFIER);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (jstr (reply->json, "token_type"), ==, "Bearer");
  g_assert_cmpint (jint (reply->json, "expires_in"), ==, 3599);
  g_assert_cmpstr (jstr (reply->json, "scope"), ==, YT_SCOPES);
  access = g_strdup (jstr (reply->json, "access_token"));
  refresh = g_strdup (jstr (reply->json, "refresh_token"));
  g_assert_nonnull (access);
  g_assert_nonnull (refresh);
  g_clear_pointer (&reply, reply_free);

  /* The channel, as channels.list shows it. */
  reply = yt_channels (fx, access);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (jstr (reply->json, "kind"), ==, "youtube#channelListResponse");
  g_assert_cmpint (jint (reply->json, "pageInfo.totalResults"), ==, 1);
  g_assert_cmpuint (jlen (reply->json, "items"), ==, 1);
  g_assert_cmpstr (jstr (reply->json, "items.0.kind"), ==, "youtube#channel");
  g_assert_cmpstr (jstr (reply->json, "items.0.id"), ==, YT_CHANNEL_ID);
  g_assert_cmpstr (jstr (reply->json, "items.0.snippet.title"), ==, "So-me Sandbox");
  g_assert_cmpstr (jstr (reply->json, "items.0.snippet.customUrl"), ==, "@somesandbox");
  g_assert_nonnull (jstr (reply->json, "items.0.snippet.thumbnails.default.url"));
  g_assert_nonnull (jstr (reply->json, "items.0.contentDetails.relatedPlaylists.uploads"));
  /* Counts are strings. */
  g_assert_cmpstr (jstr (reply->json, "items.0.statistics.viewCount"), ==, "1234");
  g_assert_cmpstr (jstr (reply->json, "items.0.statistics.videoCount"), ==, "0");
  g_clear_pointer (&reply, reply_free);

  /* No token, a bad one: Google's 401 envelope. */
  reply = yt_channels (fx, NULL);
  assert_google_error (reply, 401, "required");
  g_clear_pointer (&reply, reply_free);
  reply = yt_channels (fx, "ya29.not-a-token");
  assert_google_error (reply, 401, "authError");
  g_assert_cmpstr (jstr (reply->json, "error.status"), ==, "UNAUTHENTICATED");
  g_clear_pointer (&reply, reply_free);

  /* Expired: 401 authError; the refresh answers without a refresh token. */
  hook (fx, "POST", "tokens/expire", "{\"network\":\"youtube\"}");
  reply = yt_channels (fx, access);
  assert_google_error (reply, 401, "authError");
  g_clear_pointer (&reply, reply_free);
  reply = yt_refresh (fx, refresh);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_null (jnode (reply->json, "refresh_token"));
  renewed = g_strdup (jstr (reply->json, "access_token"));
  g_assert_cmpstr (renewed, !=, access);
  g_clear_pointer (&reply, reply_free);
  reply = yt_channels (fx, renewed);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, reply_free);
  /* The refresh token is not rotated: it works again. */
  reply = yt_refresh (fx, refresh);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, reply_free);

  /* Revoking ends the grant: 401, and the refresh token is dead. */
  {
    g_autofree char *revoke = g_strconcat ("/oauth2.googleapis.com/revoke?token=", refresh, NULL);

    reply = call (fx, "POST", revoke, "application/x-www-form-urlencoded", "", NULL);
    g_assert_cmpuint (reply->status, ==, 200);
    g_clear_pointer (&reply, reply_free);
    reply = call (fx, "POST", revoke, "application/x-www-form-urlencoded", "", NULL);
    g_assert_cmpuint (reply->status, ==, 400);
    g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_token");
    g_clear_pointer (&reply, reply_free);
  }
  reply = yt_channels (fx, renewed);
  assert_google_error (reply, 401, "authError");
  g_clear_pointer (&reply, reply_free);
  reply = yt_refresh (fx, refresh);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (jstr (reply->json, "error"), ==, "invalid_grant");
  g_assert_cmpstr (jstr (reply->json, "error_description"), ==, "Token has been expired or revoked.");
}

/* POST the session start; returns the reply (Location on 200). */
static Reply *
yt_start (Fixture    *fx,
          const char *token,
          const char *length,
          const char *body)
{
  g_autofree char *auth = bearer (token);

  return call (fx, "POST", YT_UPLOAD "?uploadType=resumable&part=snippet,status",
               "application/json; charset=UTF-8", body,
               "Authorization", auth,
               "X-Upload-Content-Type", "video/mp4",
               length != NULL ? "X-Upload-Content-Length" : NULL, length,
               NULL);
}

/* PUT @len bytes of @data at @first on the session at @path (the sandbox
 * path of the session URI); @first < 0 sends a status query.  On @session
 * when given, so that a dropped connection is not quietly retried. */
static Reply *
yt_put (Fixture      *fx,
        SoupSession  *session,
        const char   *path,
        const char   *token,
        const guint8 *data,
        gint64        first,
        gsize         len,
        gsize         total)
{
  g_autofree char *url = g_strconcat (fx->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("PUT", url);
  g_autofree char *auth = bearer (token);
  g_autofree char *range = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Reply *reply = g_new0 (Reply, 1);

  if (first < 0)
    range = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, total);
  else
    range = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%" G_GSIZE_FORMAT,
                             first, first + (gint64) len - 1, total);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Range", range);
  bytes = first < 0 ? g_bytes_new (NULL, 0) : g_bytes_new_static (data + first, len);
  soup_message_set_request_body_from_bytes (msg, "video/mp4", bytes);

  reply->body = soup_session_send_and_read (session != NULL ? session : fx->session, msg, NULL,
                                            &reply->error);
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  if (reply->body != NULL && g_bytes_get_size (reply->body) > 0)
    reply->json = json_from_string (g_bytes_get_data (reply->body, NULL), NULL);
  return reply;
}

static const char *
header (Reply      *reply,
        const char *name)
{
  return soup_message_headers_get_one (reply->headers, name);
}

static void
test_youtube_upload (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *token = yt_connect (fx, NULL);
  const gsize total = 3 * MIB + 12345;
  g_autofree guint8 *video = g_malloc (total);
  g_autofree char *sha256 = NULL;
  g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT, total);
  g_autofree char *session = NULL;
  g_autofree char *video_id = NULL;
  g_autofree char *auth = bearer (token);
  g_autoptr(Reply) reply = NULL;
  const char *location;
  gsize kept;

  for (gsize i = 0; i < total; i++)
    video[i] = (guint8) g_random_int ();
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, video, total);

  /* The session start checks the metadata as YouTube does. */
  reply = yt_start (fx, token, length, "{\"snippet\":{\"title\":\"<b>bold</b>\"}}");
  assert_google_error (reply, 400, "invalidTitle");
  g_clear_pointer (&reply, reply_free);
  reply = yt_start (fx, token, length,
                    "{\"snippet\":{\"title\":\"Later\"},\"status\":{\"privacyStatus\":\"public\","
                    "\"publishAt\":\"2099-01-01T08:00:00Z\"}}");
  assert_google_error (reply, 400, "invalidPublishAt");
  g_clear_pointer (&reply, reply_free);
  reply = yt_start (fx, token, NULL, "{\"snippet\":{\"title\":\"No length\"}}");
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, reply_free);

  reply = yt_start (fx, token, length,
                    "{\"snippet\":{\"title\":\"Sandbox upload\",\"description\":\"Three mebibytes.\","
                    "\"categoryId\":\"22\"},\"status\":{\"privacyStatus\":\"private\","
                    "\"publishAt\":\"2099-01-01T08:00:00Z\"}}");
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (reply->body), ==, 0);
  location = header (reply, "Location");
  g_assert_nonnull (location);
  g_assert_true (g_str_has_prefix (location, "https://www.googleapis.com/upload/youtube/v3/videos"
                                             "?uploadType=resumable&upload_id="));
  /* https://HOST/PATH is BASE/HOST/PATH in the sandbox. */
  session = g_strconcat ("/", location + strlen ("https://"), NULL);
  g_clear_pointer (&reply, reply_free);

  /* Nothing stored yet: 308 without Range. */
  reply = yt_put (fx, NULL, session, token, video, -1, 0, total);
  g_assert_cmpuint (reply->status, ==, 308);
  g_assert_null (header (reply, "Range"));
  g_clear_pointer (&reply, reply_free);

  /* 1 MiB chunks (a multiple of 256 KiB), 308 after each. */
  reply = yt_put (fx, NULL, session, token, video, 0, MIB, total);
  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 308);
  g_assert_cmpstr (header (reply, "Range"), ==, "bytes=0-1048575");
  g_clear_pointer (&reply, reply_free);

  /* A status fault answers without storing anything. */
  hook (fx, "POST", "faults", "{\"host\":\"www.googleapis.com\",\"method\":\"PUT\","
                              "\"path\":\"/upload/youtube/v3/videos\",\"status\":503}");
  reply = yt_put (fx, NULL, session, token, video, MIB, MIB, total);
  g_assert_cmpuint (reply->status, ==, 503);
  g_clear_pointer (&reply, reply_free);
  reply = yt_put (fx, NULL, session, token, video, -1, 0, total);
  g_assert_cmpuint (reply->status, ==, 308);
  g_assert_cmpstr (header (reply, "Range"), ==, "bytes=0-1048575");
  g_clear_pointer (&reply, reply_free);

  /* The connection dies 300000 bytes into the next chunk: those are kept. */
  hook (fx, "POST", "faults", "{\"method\":\"PUT\",\"path\":\"/upload/youtube/v3/videos\","
                              "\"drop_after_bytes\":300000}");
  {
    g_autoptr(SoupSession) fresh = new_session ();

    reply = yt_put (fx, fresh, session, token, video, MIB, MIB, total);
    g_assert_nonnull (reply->error);
    g_clear_pointer (&reply, reply_free);
  }
  reply = yt_put (fx, NULL, session, token, video, -1, 0, total);
  g_assert_cmpuint (reply->status, ==, 308);
  kept = MIB + 300000;
  {
    g_autofree char *expected = g_strdup_printf ("bytes=0-%" G_GSIZE_FORMAT, kept - 1);

    g_assert_cmpstr (header (reply, "Range"), ==, expected);
  }
  g_clear_pointer (&reply, reply_free);

  /* Chunks start where the session is, and are whole multiples of 256 KiB
   * unless they are the last. */
  reply = yt_put (fx, NULL, session, token, video, MIB, MIB, total);
  assert_google_error (reply, 400, "badRequest");
  g_clear_pointer (&reply, reply_free);
  reply = yt_put (fx, NULL, session, token, video, kept, 1000, total);
  assert_google_error (reply, 400, "badRequest");
  g_assert_nonnull (strstr (jstr (reply->json, "error.message"), "262144"));
  g_clear_pointer (&reply, reply_free);

  /* Resume from the acknowledged offset. */
  reply = yt_put (fx, NULL, session, token, video, kept, MIB, total);
  g_assert_cmpuint (reply->status, ==, 308);
  kept += MIB;
  {
    g_autofree char *expected = g_strdup_printf ("bytes=0-%" G_GSIZE_FORMAT, kept - 1);

    g_assert_cmpstr (header (reply, "Range"), ==, expected);
  }
  g_clear_pointer (&reply, reply_free);

  /* The last chunk, of any size: 201 and the video. */
  reply = yt_put (fx, NULL, session, token, video, kept, total - kept, total);
  g_assert_cmpuint (reply->status, ==, 201);
  g_assert_cmpstr (jstr (reply->json, "kind"), ==, "youtube#video");
  video_id = g_strdup (jstr (reply->json, "id"));
  g_assert_cmpuint (strlen (video_id), ==, 11);
  g_assert_cmpstr (jstr (reply->json, "snippet.title"), ==, "Sandbox upload");
  g_assert_cmpstr (jstr (reply->json, "snippet.channelId"), ==, YT_CHANNEL_ID);
  g_assert_cmpstr (jstr (reply->json, "status.uploadStatus"), ==, "uploaded");
  g_assert_cmpstr (jstr (reply->json, "status.privacyStatus"), ==, "private");
  g_assert_cmpstr (jstr (reply->json, "status.publishAt"), ==, "2099-01-01T08:00:00Z");
  g_clear_pointer (&reply, reply_free);

  /* Asking again after the end gives the same answer. */
  reply = yt_put (fx, NULL, session, token, video, -1, 0, total);
  g_assert_cmpuint (reply->status, ==, 201);
  g_assert_cmpstr (jstr (reply->json, "id"), ==, video_id);
  g_clear_pointer (&reply, reply_free);

  /* The post records what arrived: every byte, once, in order. */
  reply = sandbox_get (fx, "posts");
  g_assert_cmpuint (jlen (reply->json, NULL), ==, 1);
  g_assert_cmpstr (jstr (reply->json, "0.network"), ==, "youtube");
  g_assert_cmpstr (jstr (reply->json, "0.id"), ==, video_id);
  g_assert_cmpstr (jstr (reply->json, "0.text"), ==, "Sandbox upload");
  g_assert_cmpstr (jstr (reply->json, "0.account"), ==, YT_CHANNEL_ID);
  g_assert_cmpint (jint (reply->json, "0.bytes"), ==, total);
  g_assert_cmpstr (jstr (reply->json, "0.sha256"), ==, sha256);
  g_clear_pointer (&reply, reply_free);

  /* The request log tells how much of the dropped request arrived. */
  reply = sandbox_get (fx, "requests");
  {
    gboolean seen = FALSE;

    for (guint i = 0; i < jlen (reply->json, NULL); i++)
      {
        g_autofree char *fault = g_strdup_printf ("%u.fault", i);
        g_autofree char *bytes = g_strdup_printf ("%u.body_bytes", i);

        if (g_strcmp0 (jstr (reply->json, fault), "drop_after_bytes") == 0)
          {
            g_assert_cmpint (jint (reply->json, bytes), ==, 300000);
            seen = TRUE;
          }
      }
    g_assert_true (seen);
  }
  g_clear_pointer (&reply, reply_free);

  /* Processing is a state machine a test can step: two looks, then done. */
  {
    g_autofree char *path = g_strconcat ("/www.googleapis.com/youtube/v3/videos"
                                         "?part=status,processingDetails,snippet&id=", video_id, NULL);

    for (guint i = 0; i < 3; i++)
      {
        reply = call (fx, "GET", path, NULL, NULL, "Authorization", auth, NULL);
        g_assert_cmpuint (reply->status, ==, 200);
        g_assert_cmpstr (jstr (reply->json, "kind"), ==, "youtube#videoListResponse");
        g_assert_cmpstr (jstr (reply->json, "items.0.id"), ==, video_id);
        g_assert_cmpstr (jstr (reply->json, "items.0.processingDetails.processingStatus"), ==,
                         i < 2 ? "processing" : "succeeded");
        g_assert_cmpstr (jstr (reply->json, "items.0.status.uploadStatus"), ==,
                         i < 2 ? "uploaded" : "processed");
        g_clear_pointer (&reply, reply_free);
      }

    g_clear_pointer (&path, g_free);
    path = g_strconcat ("/www.googleapis.com/youtube/v3/videos?id=", video_id, NULL);
    reply = call (fx, "DELETE", path, NULL, NULL, "Authorization", auth, NULL);
    g_assert_cmpuint (reply->status, ==, 204);
    g_clear_pointer (&reply, reply_free);
    reply = call (fx, "DELETE", path, NULL, NULL, "Authorization", auth, NULL);
    assert_google_error (reply, 404, "videoNotFound");
    g_clear_pointer (&reply, reply_free);
    reply = sandbox_get (fx, "posts");
    g_assert_true (json_node_get_boolean (jnode (reply->json, "0.deleted")));
    g_clear_pointer (&reply, reply_free);
  }

  /* An unknown session, or one a reset forgot, is 404: start again. */
  reply = yt_put (fx, NULL, YT_UPLOAD "?uploadType=resumable&upload_id=nope", token, video,
                  -1, 0, total);
  assert_google_error (reply, 404, "notFound");
  g_clear_pointer (&reply, reply_free);
  hook (fx, "POST", "reset", NULL);
  reply = yt_put (fx, NULL, session, token, video, -1, 0, total);
  g_assert_cmpuint (reply->status, ==, 404);
}

/* The fault kinds that were there before act on the streaming PUT as on
 * any request: drop_before stores nothing, drop stores and then closes,
 * delay answers late. */
static void
test_youtube_upload_faults (Fixture       *fx,
                            gconstpointer  data)
{
  g_autofree char *token = yt_connect (fx, NULL);
  const gsize total = MIB;
  g_autofree guint8 *video = g_malloc0 (total);
  g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT, total);
  g_autofree char *session = NULL;
  g_autoptr(Reply) reply = NULL;
  gint64 start;

  reply = yt_start (fx, token, length, "{\"snippet\":{\"title\":\"Faults\"}}");
  g_assert_cmpuint (reply->status, ==, 200);
  session = g_strconcat ("/", header (reply, "Location") + strlen ("https://"), NULL);
  g_clear_pointer (&reply, reply_free);

  hook (fx, "POST", "faults", "{\"method\":\"PUT\",\"drop_before\":true}");
  {
    g_autoptr(SoupSession) fresh = new_session ();

    reply = yt_put (fx, fresh, session, token, video, 0, 262144, total);
    g_assert_nonnull (reply->error);
    g_clear_pointer (&reply, reply_free);
  }
  reply = yt_put (fx, NULL, session, token, video, -1, 0, total);
  g_assert_cmpuint (reply->status, ==, 308);
  g_assert_null (header (reply, "Range"));
  g_clear_pointer (&reply, reply_free);

  hook (fx, "POST", "faults", "{\"method\":\"PUT\",\"drop\":true}");
  {
    g_autoptr(SoupSession) fresh = new_session ();

    reply = yt_put (fx, fresh, session, token, video, 0, 262144, total);
    g_assert_nonnull (reply->error);
    g_clear_pointer (&reply, reply_free);
  }
  reply = yt_put (fx, NULL, session, token, video, -1, 0, total);
  g_assert_cmpuint (reply->status, ==, 308);
  g_assert_cmpstr (header (reply, "Range"), ==, "bytes=0-262143");
  g_clear_pointer (&reply, reply_free);

  hook (fx, "POST", "faults", "{\"method\":\"PUT\",\"delay_ms\":300}");
  start = g_get_monotonic_time ();
  reply = yt_put (fx, NULL, session, token, video, 262144, total - 262144, total);
  g_assert_cmpuint (reply->status, ==, 201);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  g_clear_pointer (&reply, reply_free);

  /* A bad fault is refused. */
  reply = call (fx, "POST", "/__sandbox/faults", "application/json", "{\"drop_after_bytes\":-1}", NULL);
  g_assert_cmpuint (reply->status, ==, 400);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox/program", test_program);
  g_test_add ("/sandbox/x/oauth", Fixture, NULL, fixture_setup, test_x_oauth, fixture_teardown);
  g_test_add ("/sandbox/x/post", Fixture, NULL, fixture_setup, test_x_post, fixture_teardown);
  g_test_add ("/sandbox/x/faults", Fixture, NULL, fixture_setup, test_x_faults, fixture_teardown);
  g_test_add ("/sandbox/x/expire-revoke", Fixture, NULL, fixture_setup, test_x_expire_revoke, fixture_teardown);
  g_test_add ("/sandbox/facebook", Fixture, NULL, fixture_setup, test_facebook, fixture_teardown);
  g_test_add ("/sandbox/linkedin", Fixture, NULL, fixture_setup, test_linkedin, fixture_teardown);
  g_test_add ("/sandbox/threads", Fixture, NULL, fixture_setup, test_threads, fixture_teardown);
  g_test_add ("/sandbox/youtube/oauth", Fixture, NULL, fixture_setup, test_youtube_oauth, fixture_teardown);
  g_test_add ("/sandbox/youtube/upload", Fixture, NULL, fixture_setup, test_youtube_upload, fixture_teardown);
  g_test_add ("/sandbox/youtube/upload-faults", Fixture, NULL, fixture_setup, test_youtube_upload_faults,
              fixture_teardown);

  return g_test_run ();
}
