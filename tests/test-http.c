/* test-http.c — the one base-URL rule, Retry-After, JSON paths, and how
 * transport failures are told apart (sm-http.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-http"

#include "config.h"

#include <string.h>

#include "sm-error.h"
#include "sm-http.h"

/* ---- a local server on its own thread ---------------------------------- */

typedef struct
{
  GMutex        lock;
  GCond         cond;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  guint         port;
  GThread      *thread;
} TestServer;

static TestServer test_server;

static void
echo_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  const char *type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *reply = NULL;

  /* method|content type|authorization|body */
  reply = g_strdup_printf ("%s|%s|%s|%.*s",
                           soup_server_message_get_method (msg),
                           type != NULL ? type : "",
                           auth != NULL ? auth : "",
                           (int) g_bytes_get_size (bytes),
                           (const char *) g_bytes_get_data (bytes, NULL));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, reply, strlen (reply));
}

static void
drop_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  /* The request was read in full (the handler runs after the body): the
   * server acted, then the connection died before any answer. */
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  g_io_stream_close (stream, NULL, NULL);
}

static void
hang_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  soup_server_message_pause (msg);
}

static gpointer
server_thread (gpointer data)
{
  TestServer *ts = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (ts->context);

  ts->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (ts->server, "/example.test/echo", echo_cb, NULL, NULL);
  soup_server_add_handler (ts->server, "/example.test/drop", drop_cb, NULL, NULL);
  soup_server_add_handler (ts->server, "/example.test/hang", hang_cb, NULL, NULL);
  soup_server_listen_local (ts->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (ts->server);
  g_assert_nonnull (uris);

  g_mutex_lock (&ts->lock);
  ts->port = (guint) g_uri_get_port (uris->data);
  g_cond_signal (&ts->cond);
  g_mutex_unlock (&ts->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (ts->loop);

  g_main_context_pop_thread_default (ts->context);
  return NULL;
}

static void
test_server_start (void)
{
  TestServer *ts = &test_server;

  g_mutex_init (&ts->lock);
  g_cond_init (&ts->cond);
  ts->context = g_main_context_new ();
  ts->loop = g_main_loop_new (ts->context, FALSE);

  g_mutex_lock (&ts->lock);
  ts->thread = g_thread_new ("test-server", server_thread, ts);
  while (ts->port == 0)
    g_cond_wait (&ts->cond, &ts->lock);
  g_mutex_unlock (&ts->lock);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
test_server_stop (void)
{
  TestServer *ts = &test_server;

  g_main_context_invoke (ts->context, quit_cb, ts->loop);
  g_thread_join (ts->thread);
  g_clear_object (&ts->server);
  g_main_loop_unref (ts->loop);
  g_main_context_unref (ts->context);
}

static void
use_test_server (void)
{
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%u", test_server.port);

  g_setenv (SM_NETWORK_BASE_ENV, base, TRUE);
}

/* ---- resolve / unresolve ----------------------------------------------- */

static void
test_resolve_without_base (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *back = NULL;

  g_unsetenv (SM_NETWORK_BASE_ENV);

  url = sm_http_resolve_url ("https://api.x.com/2/tweets?a=b%20c", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "https://api.x.com/2/tweets?a=b%20c");

  /* Plain HTTP is refused, and so are other schemes and host-less URLs. */
  g_assert_null (sm_http_resolve_url ("http://api.x.com/2/tweets", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (sm_http_resolve_url ("http://127.0.0.1:8080/api.x.com/2/tweets", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (sm_http_resolve_url ("ftp://example.com/", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (sm_http_resolve_url ("https:///nohost", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (sm_http_resolve_url ("not a url", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Unresolving needs a base; without one a URL stays as it is. */
  back = sm_http_unresolve_url ("http://127.0.0.1:8080/api.x.com/2/tweets");
  g_assert_cmpstr (back, ==, "http://127.0.0.1:8080/api.x.com/2/tweets");

  /* And sm_http_message_new() follows the same rule. */
  g_assert_null (sm_http_message_new ("GET", "http://api.x.com/2/users/me", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  {
    g_autoptr(SoupMessage) msg = sm_http_message_new ("GET", "https://api.x.com/2/users/me", &error);
    g_autofree char *s = NULL;

    g_assert_no_error (error);
    s = g_uri_to_string (soup_message_get_uri (msg));
    g_assert_cmpstr (s, ==, "https://api.x.com/2/users/me");
  }
}

static void
test_resolve_with_base (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *again = NULL;
  g_autofree char *back = NULL;
  g_autofree char *other = NULL;
  g_autofree char *real = NULL;

  /* A trailing slash on the base does not double up. */
  g_setenv (SM_NETWORK_BASE_ENV, "http://127.0.0.1:8080/", TRUE);

  url = sm_http_resolve_url ("https://api.x.com/2/tweets?a=b%20c", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:8080/api.x.com/2/tweets?a=b%20c");

  /* A URL the sandbox handed back is already resolved. */
  again = sm_http_resolve_url (url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, url);

  /* ... and maps back to the real one. */
  back = sm_http_unresolve_url (url);
  g_assert_cmpstr (back, ==, "https://api.x.com/2/tweets?a=b%20c");

  /* Other URLs are left alone by unresolve; other http URLs are refused. */
  other = sm_http_unresolve_url ("https://graph.facebook.com/v21.0/me");
  g_assert_cmpstr (other, ==, "https://graph.facebook.com/v21.0/me");
  real = sm_http_unresolve_url ("http://127.0.0.1:8081/api.x.com/2/tweets");
  g_assert_cmpstr (real, ==, "http://127.0.0.1:8081/api.x.com/2/tweets");

  g_assert_null (sm_http_resolve_url ("http://api.x.com/2/tweets", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A base that is not an http(s) URL is an error, not a silent fallback to
   * the real networks. */
  g_setenv (SM_NETWORK_BASE_ENV, "127.0.0.1:8080", TRUE);
  g_assert_null (sm_http_resolve_url ("https://api.x.com/2/tweets", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* An empty variable is no variable. */
  g_setenv (SM_NETWORK_BASE_ENV, "", TRUE);
  g_clear_pointer (&url, g_free);
  url = sm_http_resolve_url ("https://api.x.com/2/tweets", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "https://api.x.com/2/tweets");

  g_unsetenv (SM_NETWORK_BASE_ENV);
}

/* ---- Retry-After -------------------------------------------------------- */

static void
test_retry_after (void)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  gint64 now = g_get_real_time ();
  g_autoptr(GDateTime) later = NULL;
  g_autoptr(GDateTime) earlier = NULL;
  g_autofree char *date = NULL;

  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, -1);

  soup_message_headers_replace (headers, "Retry-After", "120");
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, 120 * G_USEC_PER_SEC);

  soup_message_headers_replace (headers, "Retry-After", " 0 ");
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, 0);

  /* Clamped to one day. */
  soup_message_headers_replace (headers, "Retry-After", "99999999999999999999999");
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, (gint64) 86400 * G_USEC_PER_SEC);
  soup_message_headers_replace (headers, "Retry-After", "172800");
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, (gint64) 86400 * G_USEC_PER_SEC);

  /* HTTP-date: relative to @now; a date in the past means now. */
  later = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC + 90);
  date = soup_date_time_to_string (later, SOUP_DATE_HTTP);
  soup_message_headers_replace (headers, "Retry-After", date);
  g_assert_cmpint (sm_http_retry_after_us (headers, (now / G_USEC_PER_SEC) * G_USEC_PER_SEC),
                   ==, 90 * G_USEC_PER_SEC);

  g_clear_pointer (&date, g_free);
  earlier = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC - 90);
  date = soup_date_time_to_string (earlier, SOUP_DATE_HTTP);
  soup_message_headers_replace (headers, "Retry-After", date);
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, 0);

  /* The RFC's own example, against a fixed now. */
  soup_message_headers_replace (headers, "Retry-After", "Fri, 31 Dec 1999 23:59:59 GMT");
  g_assert_cmpint (sm_http_retry_after_us (headers, (G_GINT64_CONSTANT (946684799) - 30) * G_USEC_PER_SEC),
                   ==, 30 * G_USEC_PER_SEC);

  soup_message_headers_replace (headers, "Retry-After", "soon");
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, -1);
  soup_message_headers_replace (headers, "Retry-After", "12abc");
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, -1);
  soup_message_headers_replace (headers, "Retry-After", "-5");
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, -1);
  soup_message_headers_replace (headers, "Retry-After", "");
  g_assert_cmpint (sm_http_retry_after_us (headers, now), ==, -1);
}

/* ---- JSON ---------------------------------------------------------------- */

static JsonNode *
parse (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(GError) error = NULL;
  JsonNode *node = sm_http_parse_json (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
test_json_paths (void)
{
  g_autoptr(JsonNode) root = parse ("{\"data\":{\"id\":\"1445880548472328192\",\"n\":42,"
                                    "\"d\":2.0,\"t\":true,\"nul\":null,"
                                    "\"list\":[{\"id\":\"a\"},{\"id\":\"b\"}]},"
                                    "\"0\":\"zero\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) bad = g_bytes_new_static ("{\"a\":", 5);

  g_assert_cmpstr (sm_json_get_string (root, "data.id"), ==, "1445880548472328192");
  g_assert_cmpstr (sm_json_get_string (root, "data.list.0.id"), ==, "a");
  g_assert_cmpstr (sm_json_get_string (root, "data.list.1.id"), ==, "b");
  g_assert_null (sm_json_get_string (root, "data.list.2.id"));
  g_assert_null (sm_json_get_string (root, "data.list.x.id"));
  g_assert_null (sm_json_get_string (root, "data.list.-1.id"));
  /* A numeric segment on an object is a member name. */
  g_assert_cmpstr (sm_json_get_string (root, "0"), ==, "zero");

  /* Wrong types give NULL / 0, never a crash or a critical. */
  g_assert_null (sm_json_get_string (root, "data.n"));
  g_assert_null (sm_json_get_string (root, "data.nul"));
  g_assert_null (sm_json_get_string (root, "data"));
  g_assert_null (sm_json_get_string (root, "data.id.deeper"));
  g_assert_null (sm_json_get_string (root, "missing.path"));
  g_assert_cmpint (sm_json_get_int (root, "data.n"), ==, 42);
  g_assert_cmpint (sm_json_get_int (root, "data.d"), ==, 2);
  g_assert_cmpint (sm_json_get_int (root, "data.id"), ==, 0);
  g_assert_cmpint (sm_json_get_int (root, "data.t"), ==, 0);
  g_assert_cmpint (sm_json_get_int (root, "data.list"), ==, 0);
  g_assert_cmpint (sm_json_get_int (root, "nope"), ==, 0);

  g_assert_true (sm_json_get_node (root, "") == root);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (sm_json_get_node (root, "data.list")));
  g_assert_null (sm_json_get_node (NULL, "data"));
  g_assert_null (sm_json_get_string (NULL, "data.id"));
  g_assert_cmpint (sm_json_get_int (NULL, "data.n"), ==, 0);

  g_assert_null (sm_http_parse_json (empty, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (sm_http_parse_json (NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (sm_http_parse_json (bad, &error));
  g_assert_nonnull (error);
}

/* ---- sending --------------------------------------------------------------- */

static char *
send_text (SoupMessage  *msg,
           GError      **error)
{
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GBytes) body = sm_http_send (session, msg, NULL, error);

  if (body == NULL)
    return NULL;

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
test_send_bodies (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) form = NULL;
  g_autoptr(SoupMessage) json = NULL;
  g_autoptr(JsonNode) node = parse ("{\"text\":\"héllo & \\\"you\\\"\"}");
  g_autofree char *reply = NULL;

  use_test_server ();

  form = sm_http_message_new ("POST", "https://example.test/echo", &error);
  g_assert_no_error (error);
  sm_http_set_bearer (form, "tok-123");
  sm_http_set_form_body (form,
                         "text", "a b&c=d/é+",
                         "skipped", NULL,
                         "code", "x#_",
                         NULL);
  reply = send_text (form, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply, ==,
                   "POST|application/x-www-form-urlencoded|Bearer tok-123|"
                   "text=a%20b%26c%3Dd%2F%C3%A9%2B&code=x%23_");
  g_assert_cmpuint (soup_message_get_status (form), ==, 200);

  g_clear_pointer (&reply, g_free);
  json = sm_http_message_new ("POST", "https://example.test/echo", &error);
  g_assert_no_error (error);
  sm_http_set_json_body (json, node);
  reply = send_text (json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply, ==, "POST|application/json||{\"text\":\"héllo & \\\"you\\\"\"}");

  g_unsetenv (SM_NETWORK_BASE_ENV);
}

static void
test_send_lost_after_sending (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *reply = NULL;

  use_test_server ();

  msg = sm_http_message_new ("POST", "https://example.test/drop", &error);
  g_assert_no_error (error);
  sm_http_set_form_body (msg, "text", "hello", NULL);
  reply = send_text (msg, &error);
  g_assert_null (reply);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_OUTCOME_UNKNOWN);
  /* The real host is named, never the sandbox's address. */
  g_assert_nonnull (strstr (error->message, "example.test"));

  g_unsetenv (SM_NETWORK_BASE_ENV);
}

static void
test_send_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *base = NULL;
  g_autofree char *reply = NULL;

  /* A port that nothing listens on: bound, then closed. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  base = g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);
  g_setenv (SM_NETWORK_BASE_ENV, base, TRUE);

  msg = sm_http_message_new ("POST", "https://example.test/echo", &error);
  g_assert_no_error (error);
  sm_http_set_form_body (msg, "text", "hello", NULL);
  reply = send_text (msg, &error);
  g_assert_null (reply);
  g_assert_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT);

  g_unsetenv (SM_NETWORK_BASE_ENV);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (G_USEC_PER_SEC / 5);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_send_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupSession) session = sm_http_session_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) body = NULL;
  GThread *thread;

  use_test_server ();

  msg = sm_http_message_new ("POST", "https://example.test/hang", &error);
  g_assert_no_error (error);
  sm_http_set_form_body (msg, "text", "hello", NULL);

  thread = g_thread_new ("cancel", cancel_later, cancellable);
  body = sm_http_send (session, msg, cancellable, &error);
  g_thread_join (thread);

  /* Cancelling is the caller's own doing: it passes through unmapped. */
  g_assert_null (body);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_unsetenv (SM_NETWORK_BASE_ENV);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  test_server_start ();

  g_test_add_func ("/http/resolve/without-base", test_resolve_without_base);
  g_test_add_func ("/http/resolve/with-base", test_resolve_with_base);
  g_test_add_func ("/http/retry-after", test_retry_after);
  g_test_add_func ("/http/json-paths", test_json_paths);
  g_test_add_func ("/http/send/bodies", test_send_bodies);
  g_test_add_func ("/http/send/lost-after-sending", test_send_lost_after_sending);
  g_test_add_func ("/http/send/unreachable", test_send_unreachable);
  g_test_add_func ("/http/send/cancelled", test_send_cancelled);

  ret = g_test_run ();

  test_server_stop ();

  return ret;
}
