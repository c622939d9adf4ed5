/* test-demo.c — `so-me-studio --demo` as a user starts it: in a folder of
 * its own (the app re-runs itself in a private session with the demo
 * profile), with the sandbox it starts.  Checks the eight networks, posts
 * in every state, posts in the sandbox, a real profile left alone, and a
 * second start that adds nothing.  Saves a screenshot of the window (the
 * calendar) as $SM_BUILD_DIR/screenshots/demo.png.
 *
 * Runs under tests/run-headless (an X display, a session bus).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-demo"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "sm-http.h"
#include "sm-store.h"
#include "sm-test-util.h"

/* ---- The app, run as a user runs it ------------------------------------- */

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  GPtrArray        *lines;
  gboolean          eof;
} Demo;

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Demo *demo = user_data;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, NULL);

  if (line == NULL)
    {
      demo->eof = TRUE;
      return;
    }
  g_ptr_array_add (demo->lines, line);
  g_data_input_stream_read_line_async (demo->out, G_PRIORITY_DEFAULT, NULL, read_line_cb, demo);
}

static void
own_process_group (gpointer data)
{
  setpgid (0, 0);
}

static Demo *
demo_start (const char *home)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *app = sm_test_program ("so-me-studio");
  g_autofree char *sandbox = sm_test_program ("so-me-studio-sandbox");
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *cache = g_build_filename (home, "cache", NULL);
  g_autoptr(GError) error = NULL;
  Demo *demo = g_new0 (Demo, 1);

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "SM_SANDBOX_BIN", sandbox, TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "sm-demo", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "SO_ME_STUDIO_DEMO_SESSION");
  g_subprocess_launcher_unsetenv (launcher, SM_NETWORK_BASE_ENV);
  /* The whole group goes at the end: the app, its bus, its publisher. */
  g_subprocess_launcher_set_child_setup (launcher, own_process_group, NULL, NULL);

  demo->proc = g_subprocess_launcher_spawn (launcher, &error, app, "--demo", NULL);
  g_assert_no_error (error);
  demo->lines = g_ptr_array_new_with_free_func (g_free);
  demo->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (demo->proc));
  g_data_input_stream_read_line_async (demo->out, G_PRIORITY_DEFAULT, NULL, read_line_cb, demo);
  return demo;
}

static void
demo_stop (Demo *demo)
{
  pid_t pid = atoi (g_subprocess_get_identifier (demo->proc));

  gint64 deadline;

  kill (-pid, SIGTERM);
  g_subprocess_wait (demo->proc, NULL, NULL);
  /* The whole session goes, its keyring daemon too, before a next start. */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (kill (-pid, 0) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        kill (-pid, SIGKILL);
      g_usleep (50000);
    }
  while (!demo->eof)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&demo->out);
  g_clear_object (&demo->proc);
  g_ptr_array_unref (demo->lines);
  g_free (demo);
}

static void
demo_dump (Demo *demo)
{
  for (guint i = 0; i < demo->lines->len; i++)
    g_printerr ("  | %s\n", (char *) g_ptr_array_index (demo->lines, i));
}

/* The text after @marker in the first line that has it, or NULL. */
static const char *
demo_find (Demo       *demo,
           const char *marker)
{
  for (guint i = 0; i < demo->lines->len; i++)
    {
      const char *found = strstr (g_ptr_array_index (demo->lines, i), marker);

      if (found != NULL)
        return found + strlen (marker);
    }
  return NULL;
}

/* Runs the main loop until @marker is printed; its line's rest. */
static const char *
demo_wait_for (Demo       *demo,
               const char *marker,
               guint       timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;
  const char *found;

  while ((found = demo_find (demo, marker)) == NULL && !demo->eof &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (found == NULL)
    {
      g_printerr ("No “%s” from the demo; it said:\n", marker);
      demo_dump (demo);
    }
  return found;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE), g_usleep (20000);
}

/* ---- What the demo made ------------------------------------------------- */

typedef struct
{
  guint n_posts;
  guint n_accounts;
  guint networks;        /* connected, as 1 << SmNetwork */
  guint n_history;       /* published everywhere, due more than 12 h ago */
  guint n_published;     /* targets */
  guint n_failed;        /* targets, with X's duplicate-content reason */
  guint n_draft;         /* posts */
  guint n_scheduled;     /* posts due in the days ahead */
  guint n_with_media;    /* posts */
} Census;

static void
take_census (const char *demo_profile,
             Census     *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = sm_store_open (demo_profile, &error);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  gint64 now = g_get_real_time ();

  memset (c, 0, sizeof *c);
  g_assert_no_error (error);
  accounts = sm_store_list_accounts (store, &error);
  g_assert_no_error (error);
  posts = sm_store_list_posts (store, G_MININT64, G_MAXINT64, &error);
  g_assert_no_error (error);

  c->n_accounts = accounts->len;
  for (guint i = 0; i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);

      if (account->state == SM_ACCOUNT_CONNECTED)
        c->networks |= 1u << account->network;
    }

  c->n_posts = posts->len;
  for (guint i = 0; i < posts->len; i++)
    {
      const SmPost *post = g_ptr_array_index (posts, i);
      g_autoptr(GPtrArray) media = sm_store_list_post_media (store, post->id, NULL);
      guint published = 0, draft = 0, scheduled = 0;

      c->n_with_media += media != NULL && media->len > 0;
      for (guint t = 0; t < post->targets->len; t++)
        {
          const SmTarget *target = g_ptr_array_index (post->targets, t);

          published += target->state == SM_TARGET_PUBLISHED;
          draft += target->state == SM_TARGET_DRAFT;
          scheduled += target->state == SM_TARGET_SCHEDULED;
          if (target->state == SM_TARGET_FAILED && target->network == SM_NETWORK_X &&
              target->last_error != NULL && strstr (target->last_error, "duplicate") != NULL)
            c->n_failed++;
        }
      c->n_published += published;
      if (published == post->targets->len && post->due_us < now - 12 * G_TIME_SPAN_HOUR)
        c->n_history++;
      if (draft == post->targets->len)
        c->n_draft++;
      if (scheduled == post->targets->len && post->due_us > now + 12 * G_TIME_SPAN_HOUR)
        c->n_scheduled++;
    }
}

typedef struct
{
  const char *demo_profile;
  Census      census;
} CensusWait;

static gboolean
every_state_shows (gpointer data)
{
  CensusWait *w = data;

  take_census (w->demo_profile, &w->census);
  /* Eight history posts moved back (14 targets), the duplicate refused,
   * two drafts, the planned ones, and the post due a minute after the
   * start published too (4 targets). */
  return w->census.n_history >= 8 && w->census.n_failed == 1 && w->census.n_draft == 2 &&
         w->census.n_scheduled >= 10 && w->census.n_published >= 18;
}

static JsonNode *
sandbox_get (const char *base,
             const char *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  node = sm_http_parse_json (body, &error);
  g_assert_no_error (error);
  return node;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* Names, sizes and times of everything under @dir, sorted. */
static char *
listing (const char *dir)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return g_strdup ("(none)");
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_string_append_printf (out, "%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                              (char *) g_ptr_array_index (names, i),
                              (gint64) st.st_size, (gint64) st.st_mtime);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
save_screenshot (const char *name)
{
  const char *build = g_getenv ("SM_BUILD_DIR");
  g_autofree char *dir = g_build_filename (build != NULL ? build : ".", "screenshots", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GSubprocess) import = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *import_path = g_find_program_in_path ("import");

  if (import_path == NULL)
    {
      g_test_message ("No screenshot: ImageMagick's import is not installed");
      return;
    }
  g_mkdir_with_parents (dir, 0755);
  /* The window sits at the top left of the otherwise empty screen. */
  import = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                             "import", "-window", "root", "-trim", "+repage", path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (import, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("Screenshot: %s", path);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* ---- The test ------------------------------------------------------------ */

static void
test_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("sm-demo-XXXXXX", &error);
  g_autofree char *real_profile = NULL;
  g_autofree char *demo_profile = NULL;
  g_autofree char *real_before = NULL;
  g_autofree char *real_after = NULL;
  g_autofree char *base = NULL;
  g_autoptr(JsonNode) published = NULL;
  CensusWait wait = { 0, };
  Census after_first, after_second;
  guint sandbox_networks = 0, sandbox_media = 0;
  Demo *demo;
  const char *found;

  g_assert_no_error (error);
  {
    g_autofree char *dbus_run_session = g_find_program_in_path ("dbus-run-session");
    g_autofree char *keyring = g_find_program_in_path ("gnome-keyring-daemon");

    if (dbus_run_session == NULL || keyring == NULL || g_getenv ("DISPLAY") == NULL)
      {
        g_test_skip ("needs dbus-run-session, gnome-keyring-daemon and a display (tests/run-headless)");
        return;
      }
  }
  real_profile = g_build_filename (home, "data", "so-me-studio", NULL);
  demo_profile = g_build_filename (home, "data", "so-me-studio-demo", "data", "so-me-studio", NULL);

  /* A real profile with a post of its own. */
  {
    g_autoptr(SmStore) store = sm_store_open (real_profile, &error);
    g_autofree char *zone = NULL;
    gint64 account;
    SmTargetSpec spec = { 0, NULL };

    g_assert_no_error (error);
    sm_store_get_default_workspace (store, &zone, &error);
    g_assert_no_error (error);
    account = sm_store_upsert_account (store, 1, SM_NETWORK_X, "42", "Me", "me", &error);
    g_assert_no_error (error);
    spec.account_id = account;
    sm_store_create_post (store, "My own post", g_get_real_time () + G_TIME_SPAN_DAY, zone,
                          &spec, 1, FALSE, &error);
    g_assert_no_error (error);
  }
  real_before = listing (real_profile);

  /* First start: everything is set up. */
  demo = demo_start (home);
  found = demo_wait_for (demo, "Sandbox at ", 60);
  g_assert_nonnull (found);
  base = g_strstrip (g_strdup (found));
  found = demo_wait_for (demo, "The demo is set up", 240);
  g_assert_nonnull (found);
  if (*found != '\0')
    demo_dump (demo);
  g_assert_cmpstr (found, ==, "");

  take_census (demo_profile, &after_first);
  g_assert_cmpuint (after_first.networks, ==, ((1u << SM_N_NETWORKS) - 1) & ~1u);
  g_assert_cmpuint (after_first.n_posts, >=, 20);
  g_assert_cmpuint (after_first.n_with_media, >=, 12);

  wait.demo_profile = demo_profile;
  if (!sm_test_wait_for (every_state_shows, &wait, 300))
    {
      demo_dump (demo);
      g_error ("Not every state shows: %u history, %u failed, %u drafts, %u scheduled, "
               "%u published targets", wait.census.n_history, wait.census.n_failed,
               wait.census.n_draft, wait.census.n_scheduled, wait.census.n_published);
    }
  g_assert_nonnull (demo_wait_for (demo, "The demo's history is in place", 30));

  /* Published in the sandbox, on all eight networks, with their files. */
  published = sandbox_get (base, "/__sandbox/posts");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (published));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (published)); i++)
    {
      JsonNode *post = json_array_get_element (json_node_get_array (published), i);
      JsonNode *media = sm_json_get_node (post, "media");

      sandbox_networks |= 1u << sm_network_from_string (sm_json_get_string (post, "network"));
      if (media != NULL && JSON_NODE_HOLDS_ARRAY (media) &&
          json_array_get_length (json_node_get_array (media)) > 0)
        sandbox_media++;
    }
  g_assert_cmpuint (sandbox_networks, ==, ((1u << SM_N_NETWORKS) - 1) & ~1u);
  g_assert_cmpuint (sandbox_media, >=, 8);

  /* The calendar, once the window has reloaded. */
  spin (1500);
  save_screenshot ("demo.png");
  demo_stop (demo);

  /* Second start: nothing more. */
  take_census (demo_profile, &after_first);
  demo = demo_start (home);
  found = demo_wait_for (demo, "Sandbox at ", 60);
  g_assert_nonnull (found);
  g_free (base);
  base = g_strstrip (g_strdup (found));
  found = demo_wait_for (demo, "The demo is set up", 240);
  g_assert_nonnull (found);
  if (*found != '\0')
    demo_dump (demo);
  g_assert_cmpstr (found, ==, "");
  /* Its new sandbox knows every account again (the old tokens died with
   * the old sandbox), and they are the same accounts.  Instagram signs in
   * with Facebook Login: its tokens are listed as Facebook's. */
  {
    g_autoptr(JsonNode) tokens = sandbox_get (base, "/__sandbox/tokens");
    guint token_networks = 0;

    for (guint i = 0; i < json_array_get_length (json_node_get_array (tokens)); i++)
      token_networks |= 1u << sm_network_from_string (sm_json_get_string (
                          json_array_get_element (json_node_get_array (tokens), i), "network"));
    g_assert_cmpuint (token_networks, ==, ((1u << SM_N_NETWORKS) - 1) & ~1u & ~(1u << SM_NETWORK_INSTAGRAM));
  }
  spin (3000);
  take_census (demo_profile, &after_second);
  demo_stop (demo);
  g_assert_cmpuint (after_second.n_posts, ==, after_first.n_posts);
  g_assert_cmpuint (after_second.n_accounts, ==, after_first.n_accounts);
  g_assert_cmpuint (after_second.networks, ==, after_first.networks);

  /* The real profile never saw any of it. */
  real_after = listing (real_profile);
  g_assert_cmpstr (real_after, ==, real_before);

  remove_tree (home);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/demo/first-and-second-start", test_demo);
  return g_test_run ();
}
