/* sm-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "sm-http.h"
#include "sm-test-util.h"

#define PUBLISHER_NAME "studio.so_me.Studio.Publisher"

char *
sm_test_program (const char *name)
{
  const char *prefix = g_getenv ("SM_PREFIX");
  g_autofree char *bin = NULL;
  g_autofree char *libexec = NULL;

  if (prefix == NULL)
    g_error ("SM_PREFIX is not set: run the suite with tools/test, which installs into build/prefix");
  bin = g_build_filename (prefix, "bin", name, NULL);
  if (g_file_test (bin, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&bin);
  libexec = g_build_filename (prefix, "libexec", name, NULL);
  if (g_file_test (libexec, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&libexec);
  g_error ("%s is not installed in %s: run `ninja install` first (tools/test does)", name, prefix);
  return NULL;
}

/* A sandbox outlives no failed test: it dies with us. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

SmTestProfile *
sm_test_profile_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sandbox = sm_test_program ("so-me-studio-sandbox");
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  SmTestProfile *p = g_new0 (SmTestProfile, 1);

  p->dir = g_dir_make_tmp ("sm-profile-XXXXXX", &error);
  g_assert_no_error (error);
  p->data_home = g_build_filename (p->dir, "data", NULL);
  p->config_home = g_build_filename (p->dir, "config", NULL);
  g_mkdir_with_parents (p->data_home, 0700);
  g_mkdir_with_parents (p->config_home, 0700);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  p->sandbox = g_subprocess_launcher_spawn (launcher, &error, sandbox, "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->sandbox));
  p->sandbox_url = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p->sandbox_url);
  g_assert_true (g_str_has_prefix (p->sandbox_url, "http://127.0.0.1:"));

  p->env = g_get_environ ();
  p->env = g_environ_setenv (p->env, "XDG_DATA_HOME", p->data_home, TRUE);
  p->env = g_environ_setenv (p->env, "XDG_CONFIG_HOME", p->config_home, TRUE);
  p->env = g_environ_setenv (p->env, "SO_ME_STUDIO_NETWORK_BASE", p->sandbox_url, TRUE);
  p->env = g_environ_unsetenv (p->env, "G_DEBUG");
  return p;
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (children && (info = g_file_enumerator_next_file (children, NULL, NULL)))
    {
      g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));
      remove_tree (child);
      g_object_unref (info);
    }
  g_file_delete (file, NULL, NULL);
}

void
sm_test_remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  remove_tree (file);
}

void
sm_test_profile_free (SmTestProfile *p)
{
  g_autoptr(GFile) dir = NULL;

  sm_test_stop_publisher (SIGTERM);
  if (p->sandbox)
    {
      g_subprocess_send_signal (p->sandbox, SIGTERM);
      g_subprocess_wait (p->sandbox, NULL, NULL);
    }
  g_clear_object (&p->sandbox);
  dir = g_file_new_for_path (p->dir);
  remove_tree (dir);
  g_free (p->dir);
  g_free (p->data_home);
  g_free (p->config_home);
  g_free (p->sandbox_url);
  g_strfreev (p->env);
  g_free (p);
}

static GDBusConnection *
session_bus (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  return bus;
}

guint32
sm_test_publisher_pid (void)
{
  g_autoptr(GDBusConnection) bus = session_bus ();
  g_autoptr(GVariant) ret = NULL;
  guint32 pid = 0;

  ret = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                     g_variant_new ("(s)", PUBLISHER_NAME), G_VARIANT_TYPE ("(u)"),
                                     G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (ret)
    g_variant_get (ret, "(u)", &pid);
  return pid;
}

static gboolean
publisher_gone (gpointer data)
{
  return sm_test_publisher_pid () == 0;
}

void
sm_test_stop_publisher (int signum)
{
  guint32 pid = sm_test_publisher_pid ();

  if (pid == 0)
    return;
  kill ((pid_t) pid, signum);
  g_assert_true (sm_test_wait_for (publisher_gone, NULL, 10));
}

void
sm_test_profile_activate (SmTestProfile *p)
{
  g_autoptr(GDBusConnection) bus = session_bus ();
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder env;

  sm_test_stop_publisher (SIGTERM);

  g_variant_builder_init (&env, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&env, "{ss}", "XDG_DATA_HOME", p->data_home);
  g_variant_builder_add (&env, "{ss}", "XDG_CONFIG_HOME", p->config_home);
  g_variant_builder_add (&env, "{ss}", "SO_ME_STUDIO_NETWORK_BASE", p->sandbox_url);
  ret = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "UpdateActivationEnvironment",
                                     g_variant_new ("(a{ss})", &env), NULL,
                                     G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

int
sm_test_cli (SmTestProfile  *p,
             const char     *stdin_text,
             char          **out,
             char          **err,
             ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, sm_test_program ("so-me"));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, p->env);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text ? stdin_text : "", NULL, &o, &e, &error);
  g_assert_no_error (error);
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

gint64
sm_test_connect (SmTestProfile *p,
                 const char    *network)
{
  g_autofree char *so_me = sm_test_program ("so-me");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) connect = NULL;
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *accounts;
  gint64 id = 0;

  {
    g_autofree char *err = NULL;
    int status = sm_test_cli (p, "sandbox-not-a-secret\n", NULL, &err, "accounts", "credentials",
                              network, "--client-id", "sandbox-client", NULL);
    if (status != 0)
      g_test_message ("so-me accounts credentials: %s", err);
    g_assert_cmpint (status, ==, 0);
  }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_environ (launcher, p->env);
  connect = g_subprocess_launcher_spawn (launcher, &error, so_me, "accounts", "connect",
                                         network, "--print-url", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (connect));
  url = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);
  g_assert_true (g_str_has_prefix (url, p->sandbox_url));

  /* What the browser does: follow the network's redirect to our listener. */
  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                           "curl", "-sS", "-L", "--max-time", "20", "-o", "/dev/null", url, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (curl, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (connect, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "accounts", "list", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  accounts = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *a = json_array_get_object_element (accounts, i);
      if (g_str_equal (json_object_get_string_member (a, "network"), network))
        id = MAX (id, json_object_get_int_member (a, "id"));
    }
  g_assert_cmpint (id, >, 0);
  return id;
}

static JsonNode *
parse (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  json_parser_load_from_data (parser, data, (gssize) len, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

JsonNode *
sm_test_sandbox_get (SmTestProfile *p,
                     const char    *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (p->sandbox_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return parse (body);
}

/* POSTs @json to @path on the profile's sandbox; its answer, status in
 * *status. */
static GBytes *
sandbox_send_post (SmTestProfile *p,
                   const char    *path,
                   const char    *json,
                   guint         *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (p->sandbox_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) req = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  GBytes *body;

  soup_message_set_request_body_from_bytes (msg, "application/json", req);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return body;
}

JsonNode *
sm_test_sandbox_call (SmTestProfile *p,
                      const char    *path,
                      const char    *json,
                      guint          status)
{
  guint got = 0;
  g_autoptr(GBytes) body = sandbox_send_post (p, path, json, &got);

  if (status != 0)
    g_assert_cmpuint (got, ==, status);
  g_assert_true (SOUP_STATUS_IS_SUCCESSFUL (got));
  return g_bytes_get_size (body) > 0 ? parse (body) : NULL;
}

void
sm_test_sandbox_post (SmTestProfile *p,
                      const char    *path,
                      const char    *json)
{
  guint status = 0;
  g_autoptr(GBytes) body = sandbox_send_post (p, path, json, &status);

  g_assert_cmpuint (status, <, 300);
}

guint
sm_test_sandbox_count_posts (SmTestProfile *p)
{
  g_autoptr(JsonNode) posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  return json_array_get_length (json_node_get_array (posts));
}

void
sm_test_wake_publisher (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) ret = g_dbus_connection_call_sync (bus, "studio.so_me.Studio.Publisher",
                                                         "/studio/so_me/Studio/Publisher",
                                                         "studio.so_me.Studio.Publisher1", "Wake",
                                                         NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1,
                                                         NULL, NULL);

  g_assert_nonnull (ret);
}

JsonNode *
sm_test_status (SmTestProfile *p,
                gint64         post_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, post_id);
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "status", id, "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  return json_node_copy (json_parser_get_root (parser));
}

char *
sm_test_target_states (SmTestProfile *p,
                       gint64         post_id)
{
  g_autoptr(JsonNode) status = sm_test_status (p, post_id);
  JsonArray *targets = json_object_get_array_member (json_node_get_object (status), "targets");
  g_autoptr(GString) states = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (targets); i++)
    {
      JsonObject *t = json_array_get_object_element (targets, i);
      if (i > 0)
        g_string_append_c (states, ',');
      g_string_append (states, json_object_get_string_member (t, "state"));
    }
  return g_string_free (g_steal_pointer (&states), FALSE);
}

gboolean
sm_test_states_are (gpointer data)
{
  SmTestWait *w = data;
  g_autofree char *states = sm_test_target_states (w->profile, w->post_id);

  return g_strcmp0 (states, w->want) == 0;
}

gboolean
sm_test_wait_for (gboolean (*check) (gpointer),
                  gpointer   data,
                  double     timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_TIME_SPAN_SECOND);

  while (!check (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (100 * 1000);
    }
  return TRUE;
}

/* ---- first comments ------------------------------------------------------ */

/* `so-me post --to ID --at now [--media F] [--option O] --option
 * NET.first_comment=COMMENT TEXT`: the post's id. */
static gint64
post_with_comment (SmTestProfile            *p,
                   const SmTestFirstComment *c,
                   const char               *account,
                   const char               *text,
                   const char               *comment)
{
  g_autofree char *so_me = sm_test_program ("so-me");
  g_autofree char *option = g_strdup_printf ("%s.first_comment=%s", c->network, comment);
  g_autofree char *extra = g_strdup (c->option);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  gint64 id = 0;

  g_ptr_array_add (argv, so_me);
  g_ptr_array_add (argv, (gpointer) "post");
  g_ptr_array_add (argv, (gpointer) "--to");
  g_ptr_array_add (argv, (gpointer) account);
  g_ptr_array_add (argv, (gpointer) "--at");
  g_ptr_array_add (argv, (gpointer) "now");
  if (c->media != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--media");
      g_ptr_array_add (argv, (gpointer) c->media);
    }
  if (c->option != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--option");
      g_ptr_array_add (argv, extra);
    }
  g_ptr_array_add (argv, (gpointer) "--option");
  g_ptr_array_add (argv, option);
  g_ptr_array_add (argv, (gpointer) text);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, p->env);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    g_error ("so-me post with %s failed: %s", option, err);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &id, NULL));
  return id;
}

/* The one target of @post_id: its remote id and note (error). */
static void
target_of (SmTestProfile  *p,
           gint64          post_id,
           char          **remote_id,
           char          **note)
{
  g_autoptr(JsonNode) status = sm_test_status (p, post_id);

  *remote_id = g_strdup (sm_json_get_string (status, "targets.0.remote_id"));
  *note = g_strdup (sm_json_get_string (status, "targets.0.error"));
  g_assert_nonnull (*remote_id);
}

/* How many comments with @text the sandbox has under the post @remote_id
 * (replies to it on X and Threads); fails if any other comment is there. */
static guint
count_comments (SmTestProfile            *p,
                const SmTestFirstComment *c,
                const char               *remote_id,
                const char               *text)
{
  g_autoptr(JsonNode) posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  JsonArray *list = json_node_get_array (posts);
  gboolean found = FALSE;
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *post = json_array_get_element (list, i);
      JsonNode *comments = sm_json_get_node (post, "comments");

      if (g_strcmp0 (sm_json_get_string (post, "network"), c->network) != 0)
        continue;
      if (c->reply)
        {
          if (g_strcmp0 (sm_json_get_string (post, "reply_to"), remote_id) != 0)
            continue;
          g_assert_cmpstr (sm_json_get_string (post, "text"), ==, text);
          g_assert_false (sm_json_get_node (post, "deleted") != NULL
                          && json_node_get_boolean (sm_json_get_node (post, "deleted")));
          n++;
          continue;
        }
      if (g_strcmp0 (sm_json_get_string (post, "id"), remote_id) != 0)
        {
          /* A comment never lands under another post. */
          for (guint j = 0; comments != NULL && j < json_array_get_length (json_node_get_array (comments)); j++)
            g_assert_cmpstr (sm_json_get_string (json_array_get_element (json_node_get_array (comments), j), "text"),
                             !=, text);
          continue;
        }
      found = TRUE;
      for (guint j = 0; comments != NULL && j < json_array_get_length (json_node_get_array (comments)); j++)
        {
          JsonNode *comment = json_array_get_element (json_node_get_array (comments), j);

          g_assert_cmpstr (sm_json_get_string (comment, "text"), ==, text);
          g_assert_cmpstr (sm_json_get_string (comment, "author"), ==, sm_json_get_string (post, "account"));
          n++;
        }
    }
  g_assert_true (c->reply || found);
  return n;
}

static void
clear_faults (SmTestProfile *p)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (p->sandbox_url, "/__sandbox/faults", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("DELETE", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

/* The network's posts that are not replies, oldest first, as ids. */
static GPtrArray *
own_posts (SmTestProfile            *p,
           const SmTestFirstComment *c)
{
  g_autoptr(JsonNode) posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  JsonArray *list = json_node_get_array (posts);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *post = json_array_get_element (list, i);

      if (g_strcmp0 (sm_json_get_string (post, "network"), c->network) == 0
          && sm_json_get_string (post, "reply_to") == NULL)
        g_ptr_array_add (ids, g_strdup (sm_json_get_string (post, "id")));
    }
  return ids;
}

typedef struct
{
  SmTestProfile            *p;
  const SmTestFirstComment *c;
  guint                     before;     /* own posts before this one */
  char                     *remote_id;  /* the new post, once there */
  const char               *comment;
} CommentWait;

static gboolean
new_post_there (gpointer data)
{
  CommentWait *cw = data;
  g_autoptr(GPtrArray) ids = own_posts (cw->p, cw->c);

  if (ids->len <= cw->before)
    return FALSE;
  g_assert_cmpuint (ids->len, ==, cw->before + 1);
  g_free (cw->remote_id);
  cw->remote_id = g_strdup (g_ptr_array_index (ids, ids->len - 1));
  return TRUE;
}

static gboolean
comment_there (gpointer data)
{
  CommentWait *cw = data;

  return count_comments (cw->p, cw->c, cw->remote_id, cw->comment) > 0;
}

static char *
fault_json (const char *host,
            const char *method,
            const char *path,
            guint       after,
            const char *what)
{
  return g_strdup_printf ("{\"host\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"after\":%u,%s}",
                          host, method, path, after, what);
}

void
sm_test_first_comment (const SmTestFirstComment *c)
{
  g_autoptr(SmTestProfile) p = NULL;
  g_autofree char *account = NULL;
  g_autofree char *tag = g_strdup_printf ("%08x", g_random_int ());
  SmTestWait w = { NULL, 0, "published" };

  if (g_getenv ("SM_PREFIX") == NULL)
    {
      g_test_skip ("SM_PREFIX is not set (run under tests/run-headless)");
      return;
    }

  p = sm_test_profile_new ();
  w.profile = p;
  sm_test_profile_activate (p);
  account = g_strdup_printf ("%" G_GINT64_FORMAT, sm_test_connect (p, c->network));

  /* 1. The comment arrives under the post, with its text, once. */
  {
    g_autofree char *text = g_strdup_printf ("Fresh rye today (%s, 1)", tag);
    const char *comment = "Order by noon: link in bio 🥖";
    g_autofree char *remote_id = NULL, *note = NULL;

    w.post_id = post_with_comment (p, c, account, text, comment);
    g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 180));
    target_of (p, w.post_id, &remote_id, &note);
    g_assert_null (note);
    g_assert_cmpuint (count_comments (p, c, remote_id, comment), ==, 1);
  }

  /* 2. The network refuses the comment: the post is published all the
   * same, with a note that says so. */
  {
    g_autofree char *text = g_strdup_printf ("Seeded loaves (%s, 2)", tag);
    g_autofree char *comment = g_strdup_printf ("Refused comment %s", tag);
    g_autofree char *fault = fault_json (c->comment_host, "POST", c->comment_path, c->comment_after,
                                         c->refusal);
    g_autofree char *remote_id = NULL, *note = NULL;

    sm_test_sandbox_post (p, "/__sandbox/faults", fault);
    w.post_id = post_with_comment (p, c, account, text, comment);
    g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 180));
    clear_faults (p);
    target_of (p, w.post_id, &remote_id, &note);
    g_assert_nonnull (note);
    if (strstr (note, "first comment was not posted") == NULL)
      g_error ("the note does not say the comment was not posted: %s", note);
    g_assert_cmpuint (count_comments (p, c, remote_id, comment), ==, 0);
  }

  /* 3. The publisher dies while the comment's answer is on its way: the
   * next one finds the post, does not send the comment again, and says
   * it may not be there. */
  {
    g_autofree char *text = g_strdup_printf ("Sourdough class (%s, 3)", tag);
    g_autofree char *comment = g_strdup_printf ("Unanswered comment %s", tag);
    g_autofree char *fault = fault_json (c->comment_host, "POST", c->comment_path, c->comment_after,
                                         "\"delay_ms\":60000");
    g_autofree char *remote_id = NULL, *note = NULL, *states = NULL;
    g_autoptr(GPtrArray) before = own_posts (p, c);
    CommentWait cw = { p, c, before->len, NULL, comment };

    sm_test_sandbox_post (p, "/__sandbox/faults", fault);
    w.post_id = post_with_comment (p, c, account, text, comment);
    g_assert_true (sm_test_wait_for (new_post_there, &cw, 180));
    g_assert_true (sm_test_wait_for (comment_there, &cw, 120));
    states = sm_test_target_states (p, w.post_id);
    g_assert_cmpstr (states, ==, "publishing");
    sm_test_stop_publisher (SIGKILL);
    clear_faults (p);

    sm_test_wake_publisher ();
    g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 180));
    target_of (p, w.post_id, &remote_id, &note);
    g_assert_cmpstr (remote_id, ==, cw.remote_id);
    g_assert_nonnull (note);
    if (strstr (note, "may not have been posted") == NULL)
      g_error ("the note does not say the comment may not be there: %s", note);
    g_assert_cmpuint (count_comments (p, c, remote_id, comment), ==, 1);
    g_free (cw.remote_id);
  }

  /* 4. The publisher dies after the post went out, before the comment:
   * the next one finds the post through the network and sends the
   * comment, once. */
  {
    g_autofree char *text = g_strdup_printf ("Rye and caraway (%s, 4)", tag);
    g_autofree char *comment = g_strdup_printf ("Late comment %s", tag);
    g_autofree char *fault = fault_json (c->create_host, c->create_method, c->create_path, 0,
                                         "\"delay_ms\":60000");
    g_autofree char *remote_id = NULL, *note = NULL;
    g_autoptr(GPtrArray) before = own_posts (p, c);
    CommentWait cw = { p, c, before->len, NULL, comment };

    sm_test_sandbox_post (p, "/__sandbox/faults", fault);
    w.post_id = post_with_comment (p, c, account, text, comment);
    g_assert_true (sm_test_wait_for (new_post_there, &cw, 180));
    g_assert_cmpuint (count_comments (p, c, cw.remote_id, comment), ==, 0);
    sm_test_stop_publisher (SIGKILL);
    clear_faults (p);

    sm_test_wake_publisher ();
    g_assert_true (sm_test_wait_for (sm_test_states_are, &w, 180));
    target_of (p, w.post_id, &remote_id, &note);
    g_assert_cmpstr (remote_id, ==, cw.remote_id);
    g_assert_null (note);
    g_assert_cmpuint (count_comments (p, c, remote_id, comment), ==, 1);
    g_free (cw.remote_id);
  }
}
