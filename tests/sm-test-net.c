/* sm-test-net.c — the harness the network contract tests share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "sm-http.h"
#include "sm-test-net.h"

static struct
{
  char         *base;
  SoupSession  *hooks;
  /* as a child process */
  GSubprocess  *process;
  GThread      *drain;
  /* in this process */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SmSandbox    *sandbox;
  GMutex        lock;
  GCond         cond;
} sbx;

/* ---- the sandbox as a child process -------------------------------------- */

static gpointer
drain_thread (gpointer data)
{
  GInputStream *stream = data;
  char buffer[4096];

  /* Keep reading so that the sandbox never blocks on a full pipe. */
  while (g_input_stream_read (stream, buffer, sizeof buffer, NULL, NULL) > 0)
    ;
  g_object_unref (stream);
  return NULL;
}

static void
child_setup (gpointer data)
{
#ifdef __linux__
  /* A failed assertion aborts this process; the sandbox must not outlive it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

gboolean
sm_test_net_spawn (void)
{
  const char *build_dir = g_getenv ("SM_BUILD_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;

  g_assert_null (sbx.base);
  if (build_dir == NULL)
    return FALSE;
  path = g_build_filename (build_dir, "src", "so-me-studio-sandbox", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  sbx.process = g_subprocess_launcher_spawn (launcher, &error,
                                             path, "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sbx.process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_strstrip (line);
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:"));

  sbx.base = g_steal_pointer (&line);
  sbx.drain = g_thread_new ("sandbox-stdout", drain_thread, g_object_ref (G_INPUT_STREAM (out)));
  sbx.hooks = soup_session_new ();
  g_setenv (SM_NETWORK_BASE_ENV, sbx.base, TRUE);
  return TRUE;
}

/* ---- the sandbox on a thread of this process ------------------------------ */

static gpointer
sandbox_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (sbx.context);
  sbx.sandbox = sm_sandbox_new ();
  if (!sm_sandbox_listen (sbx.sandbox, "127.0.0.1:0", &error))
    g_error ("sandbox: %s", error->message);

  g_mutex_lock (&sbx.lock);
  sbx.base = g_strdup (sm_sandbox_get_base_url (sbx.sandbox));
  g_cond_signal (&sbx.cond);
  g_mutex_unlock (&sbx.lock);

  g_main_loop_run (sbx.loop);

  g_clear_object (&sbx.sandbox);
  while (g_main_context_iteration (sbx.context, FALSE))
    ;
  g_main_context_pop_thread_default (sbx.context);
  return NULL;
}

void
sm_test_net_run_in_thread (gboolean default_context)
{
  g_assert_null (sbx.base);
  /* The global default context is iterated only by the sandbox's thread
   * then: the sandbox core times its delays and drops with g_timeout_add(). */
  sbx.context = default_context ? g_main_context_ref (g_main_context_default ())
                                : g_main_context_new ();
  sbx.loop = g_main_loop_new (sbx.context, FALSE);
  g_mutex_lock (&sbx.lock);
  sbx.thread = g_thread_new ("sandbox", sandbox_thread, NULL);
  while (sbx.base == NULL)
    g_cond_wait (&sbx.cond, &sbx.lock);
  g_mutex_unlock (&sbx.lock);

  sbx.hooks = soup_session_new ();
  g_setenv (SM_NETWORK_BASE_ENV, sbx.base, TRUE);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (sbx.loop);
  return G_SOURCE_REMOVE;
}

void
sm_test_net_stop (void)
{
  if (sbx.process != NULL)
    {
      g_subprocess_force_exit (sbx.process);
      g_subprocess_wait (sbx.process, NULL, NULL);
      g_thread_join (sbx.drain);
      sbx.drain = NULL;
      g_clear_object (&sbx.process);
    }
  if (sbx.thread != NULL)
    {
      g_main_context_invoke (sbx.context, quit_cb, NULL);
      g_thread_join (sbx.thread);
      sbx.thread = NULL;
      g_clear_pointer (&sbx.loop, g_main_loop_unref);
      g_clear_pointer (&sbx.context, g_main_context_unref);
    }
  g_clear_object (&sbx.hooks);
  g_clear_pointer (&sbx.base, g_free);
}

void
sm_test_net_attach (const char *base)
{
  g_assert_null (sbx.base);
  sbx.base = g_strdup (base);
  sbx.hooks = soup_session_new ();
}

gboolean
sm_test_net_running (void)
{
  return sbx.base != NULL;
}

gboolean
sm_test_net_need_sandbox (void)
{
  if (sbx.base == NULL)
    {
      g_test_skip ("no so-me-studio-sandbox in $SM_BUILD_DIR/src");
      return FALSE;
    }
  return TRUE;
}

const char *
sm_test_net_base (void)
{
  return sbx.base;
}

SmSandbox *
sm_test_net_sandbox (void)
{
  return sbx.sandbox;
}

GMainContext *
sm_test_net_context (void)
{
  return sbx.context;
}

SoupSession *
sm_test_net_session (void)
{
  return sbx.hooks;
}

/* ---- hooks ----------------------------------------------------------------- */

JsonNode *
sm_test_net_hook (const char *method,
                  const char *path,
                  const char *json)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *answer;

  g_assert_nonnull (sbx.base);
  url = g_strconcat (sbx.base, "/__sandbox/", path, NULL);
  msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  if (json != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", request);
    }
  body = soup_session_send_and_read (sbx.hooks, msg, NULL, &error);
  g_assert_no_error (error);
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_error ("sandbox hook %s %s: %u %.*s", method, path, soup_message_get_status (msg),
             (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));
  answer = sm_http_parse_json (body, &error);
  /* An answer, when there is one, is JSON. */
  if (g_bytes_get_size (body) > 0)
    g_assert_no_error (error);
  return answer;
}

static void
hook_vpost (const char *path,
            const char *format,
            va_list     args) G_GNUC_PRINTF (2, 0);

static void
hook_vpost (const char *path,
            const char *format,
            va_list     args)
{
  g_autofree char *json = g_strdup_vprintf (format, args);
  g_autoptr(JsonNode) reply = sm_test_net_hook ("POST", path, json);
}

void
sm_test_net_hook_post (const char *path,
                       const char *format,
                       ...)
{
  va_list args;

  va_start (args, format);
  hook_vpost (path, format, args);
  va_end (args);
}

void
sm_test_net_add_fault (const char *format,
                       ...)
{
  va_list args;

  va_start (args, format);
  hook_vpost ("faults", format, args);
  va_end (args);
}

void
sm_test_net_clear_faults (void)
{
  g_autoptr(JsonNode) reply = sm_test_net_hook ("DELETE", "faults", NULL);
}

/* ---- what the sandbox recorded ---------------------------------------------- */

GPtrArray *
sm_test_net_posts (const char *network)
{
  g_autoptr(JsonNode) posts = sm_test_net_hook ("GET", "posts", NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  JsonArray *array;

  g_assert_true (JSON_NODE_HOLDS_ARRAY (posts));
  array = json_node_get_array (posts);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *post = json_array_get_element (array, i);

      if (network == NULL || g_strcmp0 (sm_json_get_string (post, "network"), network) == 0)
        g_ptr_array_add (found, json_node_ref (post));
    }
  return found;
}

JsonNode *
sm_test_net_post (const char *network,
                  const char *id)
{
  g_autoptr(GPtrArray) posts = sm_test_net_posts (network);

  for (guint i = 0; i < posts->len; i++)
    if (g_strcmp0 (sm_json_get_string (g_ptr_array_index (posts, i), "id"), id) == 0)
      return json_node_ref (g_ptr_array_index (posts, i));
  return NULL;
}

GPtrArray *
sm_test_net_posts_with_text (const char *network,
                             const char *text)
{
  GPtrArray *posts = sm_test_net_posts (network);

  for (guint i = posts->len; i > 0; i--)
    if (g_strcmp0 (sm_json_get_string (g_ptr_array_index (posts, i - 1), "text"), text) != 0)
      g_ptr_array_remove_index (posts, i - 1);
  return posts;
}

guint
sm_test_net_requests_mark (void)
{
  g_autoptr(JsonNode) requests = sm_test_net_hook ("GET", "requests", NULL);

  return json_array_get_length (json_node_get_array (requests));
}

GPtrArray *
sm_test_net_requests_since (guint       mark,
                            const char *method,
                            const char *host,
                            const char *path_glob)
{
  g_autoptr(JsonNode) requests = sm_test_net_hook ("GET", "requests", NULL);
  JsonArray *array = json_node_get_array (requests);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = mark; i < json_array_get_length (array); i++)
    {
      JsonNode *record = json_array_get_element (array, i);

      if ((method == NULL
              || g_pattern_match_simple (method, sm_json_get_string (record, "method")))
          && (host == NULL || g_strcmp0 (sm_json_get_string (record, "host"), host) == 0)
          && (path_glob == NULL
              || g_pattern_match_simple (path_glob, sm_json_get_string (record, "path"))))
        g_ptr_array_add (found, json_node_ref (record));
    }
  return found;
}

gint64
sm_test_net_body_bytes (GPtrArray *records)
{
  gint64 bytes = 0;

  for (guint i = 0; i < records->len; i++)
    bytes += json_object_get_int_member_with_default (
      json_node_get_object (g_ptr_array_index (records, i)), "body_bytes", 0);
  return bytes;
}

guint
sm_test_net_count_status (GPtrArray *records,
                          guint      status)
{
  guint n = 0;

  for (guint i = 0; i < records->len; i++)
    n += sm_json_get_int (g_ptr_array_index (records, i), "status") == status;
  return n;
}

/* ---- connecting -------------------------------------------------------------- */

char *
sm_test_net_pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  char *b64;

  g_checksum_update (sha, (const guchar *) verifier, -1);
  g_checksum_get_digest (sha, digest, &len);
  b64 = g_base64_encode (digest, len);
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  if (strchr (b64, '=') != NULL)
    *strchr (b64, '=') = '\0';
  return b64;
}

char *
sm_test_net_pkce_verifier (void)
{
  return g_strdup_printf ("%08x%08x%08x%08x%08x%08x", g_random_int (), g_random_int (),
                          g_random_int (), g_random_int (), g_random_int (), g_random_int ());
}

GHashTable *
sm_test_net_consent (SoupSession *session,
                     const char  *url,
                     const char  *redirect_uri,
                     guint        status,
                     GUri       **location)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *prefix = g_strconcat (redirect_uri, "?", NULL);
  GHashTable *params;
  const char *header;

  msg = sm_http_message_new ("GET", url, &error);
  g_assert_no_error (error);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  body = sm_http_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (!SOUP_STATUS_IS_REDIRECTION (soup_message_get_status (msg)))
    g_error ("authorize: %u %.*s", soup_message_get_status (msg),
             (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));
  if (status != 0)
    g_assert_cmpuint (soup_message_get_status (msg), ==, status);

  header = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  g_assert_nonnull (header);
  g_assert_true (g_str_has_prefix (header, prefix));
  uri = g_uri_parse (header, G_URI_FLAGS_ENCODED, &error);
  g_assert_no_error (error);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_WWW_FORM, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  if (location != NULL)
    *location = g_steal_pointer (&uri);
  return params;
}

/* ---- files ------------------------------------------------------------------ */

char *
sm_test_net_file_sha256 (const char *path)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  g_autofree guint8 *buffer = g_malloc (1 << 20);
  gssize n;

  g_assert_nonnull (in);
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buffer, 1 << 20, NULL, NULL)) > 0)
    g_checksum_update (sha, buffer, n);
  g_assert_cmpint (n, ==, 0);
  return g_strdup (g_checksum_get_string (sha));
}

gint64
sm_test_net_file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (gint64) st.st_size;
}

SmPostMedia *
sm_test_net_media_new (gint64      id,
                       const char *path,
                       const char *mime_type)
{
  SmPostMedia *media = g_new0 (SmPostMedia, 1);

  media->id = id;
  media->path = g_strdup (path);
  media->size_bytes = sm_test_net_file_size (path);
  media->sha256 = sm_test_net_file_sha256 (path);
  media->mime_type = g_strdup (mime_type);
  return media;
}

gboolean
sm_test_net_gst_launch (const char *dir,
                        const char *pipeline,
                        const char *name,
                        GError    **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf ("gst-launch-1.0 -q -e %s ! filesink location=%s",
                                              pipeline, quoted);
  g_auto(GStrv) argv = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_shell_parse_argv (command, NULL, &argv, error)
      || !g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                        NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s: ", name, err);
      return FALSE;
    }
  return TRUE;
}

/* ---- upload hooks ------------------------------------------------------------ */

static gpointer
uploads_load (gpointer data,
              gint64   media_id)
{
  SmTestUploads *u = data;
  SmUploadState *state = g_hash_table_lookup (u->states, &media_id);
  SmUploadState *copy;

  if (state == NULL)
    return NULL;
  copy = g_new0 (SmUploadState, 1);
  copy->media_id = state->media_id;
  copy->session = g_strdup (state->session);
  copy->acknowledged = state->acknowledged;
  copy->remote_media_id = g_strdup (state->remote_media_id);
  return copy;
}

static void
uploads_save (gpointer    data,
              gint64      media_id,
              const char *session,
              gint64      acknowledged,
              const char *remote_media_id)
{
  SmTestUploads *u = data;
  SmUploadState *state = g_new0 (SmUploadState, 1);

  state->media_id = media_id;
  state->session = g_strdup (session);
  state->acknowledged = acknowledged;
  state->remote_media_id = g_strdup (remote_media_id);
  g_hash_table_replace (u->states, g_memdup2 (&media_id, sizeof media_id), state);
  u->saves++;
  u->last_acknowledged = acknowledged;
  if (session != NULL && remote_media_id == NULL)
    g_array_append_val (u->acks, acknowledged);
  if (u->fault != NULL && !u->fault_added && acknowledged >= u->fault_after
      && (u->fault_media == 0 || media_id == u->fault_media))
    {
      sm_test_net_add_fault ("%s", u->fault);
      u->fault_added = TRUE;
    }
  if (u->on_save != NULL)
    u->on_save (u, acknowledged, session, remote_media_id);
}

static void
uploads_progress (gpointer data,
                  guint64  sent,
                  guint64  total)
{
  SmTestUploads *u = data;

  g_assert_cmpuint (sent, <=, total);
  if (u->monotonic)
    g_assert_cmpuint (sent, >=, u->last_sent);
  if (sent > u->previous)
    u->pushed += sent - u->previous;
  u->previous = sent;
  u->last_sent = sent;
  u->last_total = total;
  if (u->cancel != NULL && u->cancel_after > 0 && u->pushed >= u->cancel_after)
    g_cancellable_cancel (u->cancel);
  if (u->on_progress != NULL)
    u->on_progress (u, sent, total);
}

void
sm_test_uploads_init (SmTestUploads *u,
                      SmUploadHooks *hooks)
{
  memset (u, 0, sizeof *u);
  u->states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify) sm_upload_state_free);
  u->acks = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (hooks != NULL)
    sm_test_uploads_bind (u, hooks);
}

void
sm_test_uploads_bind (SmTestUploads *u,
                      SmUploadHooks *hooks)
{
  hooks->data = u;
  hooks->load = uploads_load;
  hooks->save = uploads_save;
  hooks->progress = uploads_progress;
}

void
sm_test_uploads_clear (SmTestUploads *u)
{
  g_clear_pointer (&u->states, g_hash_table_unref);
  g_clear_pointer (&u->acks, g_array_unref);
  g_clear_object (&u->cancel);
}

void
sm_test_uploads_save (SmTestUploads *u,
                      gint64         media_id,
                      const char    *session,
                      gint64         acknowledged,
                      const char    *remote_media_id)
{
  uploads_save (u, media_id, session, acknowledged, remote_media_id);
}

SmUploadState *
sm_test_uploads_get (SmTestUploads *u,
                     gint64         media_id)
{
  return g_hash_table_lookup (u->states, &media_id);
}
