/* test-workspace-cli.c — `so-me workspace …` and `--workspace NAME`,
 * through the installed program, as a user types them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-token-store.h"

/* `so-me --workspace NAME accounts connect x --print-url`, then what the
 * browser does; returns the new account's id. */
static gint64
connect_into (SmTestProfile *p,
              const char    *workspace)
{
  g_autofree char *so_me = sm_test_program ("so-me");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) connect = NULL;
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  JsonArray *accounts;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_environ (launcher, p->env);
  connect = g_subprocess_launcher_spawn (launcher, &error, so_me, "--workspace", workspace,
                                         "accounts", "connect", "x", "--print-url", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (connect));
  url = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);

  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                           "curl", "-sS", "-L", "--max-time", "20", "-o", "/dev/null", url, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (curl, NULL, &error));
  g_assert_true (g_subprocess_wait_check (connect, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "accounts", "list", "--json",
                                "--workspace", workspace, NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  accounts = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);
  return json_object_get_int_member (json_array_get_object_element (accounts, 0), "id");
}

static void
test_workspace_cli (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;
  g_auto(GStrv) fields = NULL;
  JsonArray *list;
  JsonObject *atelier = NULL;
  gint64 default_account, atelier_account;

  sm_test_profile_activate (p);

  /* A new profile has its default workspace. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "workspace", "list", NULL), ==, 0);
  fields = g_strsplit (g_strchomp (out), "\t", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 4);
  g_assert_cmpstr (fields[1], ==, "My Workspace");
  g_assert_cmpstr (fields[3], ==, "(default)");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "workspace", "create", " Client B ",
                                "--zone", "America/New_York", NULL), ==, 0);
  g_assert_true (g_ascii_isdigit (out[0]));
  g_clear_pointer (&out, g_free);

  /* Bad input is refused, and says why. */
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "workspace", "create", "client b", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already a workspace called “client b”"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "workspace", "create", "Mars",
                                "--zone", "Mars/Olympus", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "“Mars/Olympus” is not a time zone"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "workspace", "create", "  ", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Give the workspace a name"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "workspace", "rename", "Nowhere", "X", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no workspace called “Nowhere”"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "workspace", "rename", "Client B", "Atelier", NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "workspace", "zone", "Atelier", "Nowhere/City", NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "workspace", "zone", "atelier", "Asia/Tokyo", NULL), ==, 0);

  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "workspace", "list", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  list = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (list, i), "name"), "Atelier"))
      atelier = json_array_get_object_element (list, i);
  g_assert_nonnull (atelier);
  g_assert_cmpstr (json_object_get_string_member (atelier, "time_zone"), ==, "Asia/Tokyo");
  g_assert_false (json_object_get_boolean_member (atelier, "default"));
  g_clear_pointer (&out, g_free);

  /* Accounts go where --workspace says, and are listed per workspace. */
  default_account = sm_test_connect (p, "x");
  atelier_account = connect_into (p, "Atelier");
  g_assert_cmpint (atelier_account, !=, default_account);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "accounts", "list", NULL), ==, 0);
  mine = g_strdup_printf ("%" G_GINT64_FORMAT "\t", default_account);
  theirs = g_strdup_printf ("%" G_GINT64_FORMAT "\t", atelier_account);
  g_assert_true (g_str_has_prefix (out, mine));
  g_assert_null (strstr (out, theirs));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "--workspace", "Nowhere", "accounts", "list", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no workspace called “Nowhere”"));
  g_clear_pointer (&err, g_free);

  /* A post goes to its accounts' workspace; --workspace must agree. */
  g_clear_pointer (&mine, g_free);
  mine = g_strdup_printf ("%" G_GINT64_FORMAT, default_account);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "--workspace", "Atelier", "post", "--to", mine,
                                "--draft", "Wrong place", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "is not in the workspace “Atelier”"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&mine, g_free);
  mine = g_strdup_printf ("%" G_GINT64_FORMAT, atelier_account);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "--workspace", "Atelier", "post", "--to", mine,
                                "--draft", "--at", "2030-01-02T09:00", "In Tokyo", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "list", "--workspace", "Atelier", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "In Tokyo"));
  g_assert_nonnull (strstr (out, "Asia/Tokyo"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "--workspace", "My Workspace", "list", NULL), ==, 0);
  g_assert_null (strstr (out, "In Tokyo"));
  g_clear_pointer (&out, g_free);

  /* A workspace with accounts stays; so does the last one. */
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "workspace", "delete", "Atelier", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "still has 1 account"));
  g_clear_pointer (&err, g_free);
  /* Disconnecting it there leaves the same X account in the default
   * workspace signed in: they share the keyring item. */
  g_clear_pointer (&mine, g_free);
  mine = g_strdup_printf ("%" G_GINT64_FORMAT, atelier_account);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "accounts", "disconnect", mine, NULL), ==, 0);
  {
    g_autofree char *profile = g_build_filename (p->data_home, "so-me-studio", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SmStore) store = sm_store_open (profile, &error);
    g_autoptr(SmAccount) account = NULL;
    g_autoptr(SmTokens) tokens = NULL;

    g_assert_no_error (error);
    account = sm_store_get_account (store, default_account, &error);
    g_assert_no_error (error);
    tokens = sm_token_store_load (profile, SM_NETWORK_X, account->remote_id, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (tokens);
  }
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "workspace", "delete", "Atelier", NULL), ==, 0);

  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "workspace", "create", "Empty", NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "workspace", "delete", "Empty", NULL), ==, 0);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "workspace", "list", NULL), ==, 0);
  g_assert_null (strstr (out, "Empty"));
  g_assert_null (strstr (out, "Atelier"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "workspace", "delete", "My Workspace", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "the only workspace"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/workspace-cli/round-trip", test_workspace_cli);
  return g_test_run ();
}
