/* sm-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

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
