/* test-e2e.c — the installed programs end to end: the CLI writes, D-Bus
 * activation starts the publisher, the sandbox receives, the keyring keeps
 * the tokens.
 *
 * Runs under tests/run-headless (private session bus with PREFIX's .service
 * files, unlocked gnome-keyring).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-time.h"
#include "sm-token-store.h"

typedef struct
{
  SmTestProfile *profile;
  gint64         post_id;
  const char    *want;
  guint          n_posts;
} Wait;

static gboolean
states_are (gpointer data)
{
  Wait *w = data;
  g_autofree char *states = sm_test_target_states (w->profile, w->post_id);
  return g_strcmp0 (states, w->want) == 0;
}

static gboolean
sandbox_has_posts (gpointer data)
{
  Wait *w = data;
  return sm_test_sandbox_count_posts (w->profile) >= w->n_posts;
}

static gint64
parse_time_us (const char *iso)
{
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (at);
  return g_date_time_to_unix (at) * G_TIME_SPAN_SECOND + g_date_time_get_microsecond (at);
}

/* When the sandbox first answered 429, 0 if it has not. */
static gint64
refused_at_us (SmTestProfile *p)
{
  g_autoptr(JsonNode) requests = sm_test_sandbox_get (p, "/__sandbox/requests");
  JsonArray *array = json_node_get_array (requests);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *r = json_array_get_object_element (array, i);

      if (json_object_get_int_member (r, "status") == 429)
        return parse_time_us (json_object_get_string_member (r, "received_at"));
    }
  return 0;
}

static gboolean
refused_once (gpointer data)
{
  return refused_at_us (data) > 0;
}

static gboolean
publisher_gone (gpointer data)
{
  return sm_test_publisher_pid () == 0;
}

static gint64
post_at (SmTestProfile *p,
         gint64         account,
         const char    *when,
         const char    *text)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, account);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 post_id = 0;

  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", when, text, NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &post_id, NULL));
  return post_id;
}

/* Every file under @dir, read whole, must not contain @needle. */
static void
assert_not_in_tree (const char *dir,
                    const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          assert_not_in_tree (path, needle);
          continue;
        }
      if (g_file_get_contents (path, &contents, &len, NULL))
        g_assert_null (g_strstr_len (contents, (gssize) len, needle));
    }
}

static void
test_schedule_activates_and_publishes_once (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(JsonNode) posts = NULL;
  g_autoptr(JsonNode) tokens = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autofree char *when = NULL;
  g_autofree char *autostart = NULL;
  JsonObject *post, *target;
  JsonArray *token_list;
  gint64 account, due, received;
  Wait w = { p, 0, "published", 1 };

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");

  /* Nothing runs before the post is scheduled. */
  g_assert_cmpuint (sm_test_publisher_pid (), ==, 0);

  due = (g_get_real_time () / G_TIME_SPAN_SECOND + 4) * G_TIME_SPAN_SECOND;
  when = sm_time_format_utc (due);
  w.post_id = post_at (p, account, when, "Fresh bread at 9, say hi! 🥖");

  /* The CLI's Wake() started the publisher by D-Bus activation, and while
   * something is queued it comes back at login. */
  g_assert_cmpuint (sm_test_publisher_pid (), !=, 0);
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 0);
  autostart = g_build_filename (p->config_home, "autostart", "studio.so_me.Studio.Publisher.desktop", NULL);
  g_assert_true (g_file_test (autostart, G_FILE_TEST_EXISTS));

  g_assert_true (sm_test_wait_for (states_are, &w, 30));
  /* Give a duplicate every chance to show up. */
  g_usleep (G_TIME_SPAN_SECOND);

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (posts)), ==, 1);
  post = json_array_get_object_element (json_node_get_array (posts), 0);
  g_assert_cmpstr (json_object_get_string_member (post, "network"), ==, "x");
  g_assert_cmpstr (json_object_get_string_member (post, "text"), ==, "Fresh bread at 9, say hi! 🥖");
  {
    g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (json_object_get_string_member (post, "received_at"), NULL);
    g_assert_nonnull (at);
    received = g_date_time_to_unix (at) * G_TIME_SPAN_SECOND + g_date_time_get_microsecond (at);
    g_assert_cmpint (received, >=, due);
  }

  status = sm_test_status (p, w.post_id);
  target = json_array_get_object_element (json_object_get_array_member (json_node_get_object (status), "targets"), 0);
  g_assert_cmpstr (json_object_get_string_member (target, "remote_id"), ==,
                   json_object_get_string_member (post, "id"));
  g_assert_nonnull (strstr (json_object_get_string_member (target, "permalink"),
                            json_object_get_string_member (post, "id")));

  /* The token is in the keyring, and nowhere in the profile's files. */
  tokens = sm_test_sandbox_get (p, "/__sandbox/tokens");
  token_list = json_node_get_array (tokens);
  g_assert_cmpuint (json_array_get_length (token_list), >, 0);
  for (guint i = 0; i < json_array_get_length (token_list); i++)
    {
      JsonObject *t = json_array_get_object_element (token_list, i);
      const char *access = json_object_get_string_member_with_default (t, "access_token", NULL);
      const char *refresh = json_object_get_string_member_with_default (t, "refresh_token", NULL);

      if (access)
        {
          assert_not_in_tree (p->data_home, access);
          assert_not_in_tree (p->config_home, access);
        }
      if (refresh)
        assert_not_in_tree (p->data_home, refresh);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *profile_dir = g_build_filename (p->data_home, "so-me-studio", NULL);
    g_autoptr(SmStore) store = sm_store_open (profile_dir, &error);
    g_autoptr(SmAccount) a = sm_store_get_account (store, account, &error);
    g_autoptr(SmTokens) kept = sm_token_store_load (profile_dir, SM_NETWORK_X, a->remote_id, NULL, &error);
    gboolean issued = FALSE;

    g_assert_no_error (error);
    for (guint i = 0; i < json_array_get_length (token_list); i++)
      issued |= g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (token_list, i),
                                                                      "access_token", NULL),
                           kept->access_token) == 0;
    g_assert_true (issued);
  }

  /* Nothing queued any more: no autostart, and the publisher leaves after
   * its idle timeout. */
  g_assert_false (g_file_test (autostart, G_FILE_TEST_EXISTS));
  g_assert_true (sm_test_wait_for (publisher_gone, NULL, 45));
}

static void
test_killed_mid_publish_posts_once (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  Wait w = { p, 0, "published", 1 };
  g_autofree char *states = NULL;
  gint64 account;
  guint32 first;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");

  /* The network takes the post, then answers slowly; the publisher dies
   * while it waits. */
  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/tweets\","
                        "\"count\":1,\"delay_ms\":5000}");
  w.post_id = post_at (p, account, "now", "Only once, please");
  g_assert_true (sm_test_wait_for (sandbox_has_posts, &w, 20));
  first = sm_test_publisher_pid ();
  g_assert_cmpuint (first, !=, 0);
  states = sm_test_target_states (p, w.post_id);
  g_assert_cmpstr (states, ==, "publishing");
  sm_test_stop_publisher (SIGKILL);

  /* Started again (any call activates it), it finds the dead publisher's
   * lease, asks the network, and records the post it finds. */
  {
    g_autofree char *out = NULL;
    g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "list", NULL), ==, 0);
  }
  {
    g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
    g_autoptr(GVariant) ret = g_dbus_connection_call_sync (bus, "studio.so_me.Studio.Publisher",
                                                           "/studio/so_me/Studio/Publisher",
                                                           "studio.so_me.Studio.Publisher1", "Wake",
                                                           NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
    g_assert_nonnull (ret);
  }
  g_assert_cmpuint (sm_test_publisher_pid (), !=, first);
  g_assert_true (sm_test_wait_for (states_are, &w, 30));
  g_usleep (G_TIME_SPAN_SECOND);
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 1);
}

static void
test_rate_limit_and_5xx (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  Wait w = { p, 0, "published", 1 };
  g_autoptr(JsonNode) status = NULL;
  gint64 account;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");

  /* A 429 with Retry-After: the post waits as asked, then goes out; and
   * the account's next post, due before then, waits with it instead of
   * being refused in turn. */
  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/tweets\","
                        "\"count\":1,\"status\":429,\"headers\":{\"Retry-After\":\"10\"},"
                        "\"body\":{\"title\":\"Too Many Requests\",\"detail\":\"Too Many Requests\","
                        "\"type\":\"about:blank\",\"status\":429}}");
  w.post_id = post_at (p, account, "now", "Patience");
  g_assert_true (sm_test_wait_for (refused_once, p, 30));
  {
    gint64 due = (g_get_real_time () / G_TIME_SPAN_SECOND + 2) * G_TIME_SPAN_SECOND;
    g_autofree char *when = sm_time_format_utc (due);
    Wait w2 = { p, post_at (p, account, when, "Right behind"), "published", 2 };
    g_autoptr(JsonNode) posts = NULL;
    g_autoptr(JsonNode) second = NULL;
    gint64 refused_us = refused_at_us (p), second_us = 0;
    JsonArray *array;

    g_assert_true (sm_test_wait_for (states_are, &w, 40));
    g_assert_true (sm_test_wait_for (states_are, &w2, 40));

    posts = sm_test_sandbox_get (p, "/__sandbox/posts");
    array = json_node_get_array (posts);
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *post = json_array_get_object_element (array, i);

        if (g_str_equal (json_object_get_string_member (post, "text"), "Right behind"))
          second_us = parse_time_us (json_object_get_string_member (post, "received_at"));
      }
    /* Due two seconds after the refusal, sent after the ten asked. */
    g_assert_cmpint (refused_us, >, 0);
    g_assert_cmpint (second_us, >=, refused_us + 9 * G_TIME_SPAN_SECOND);
    /* It waited; it was never refused itself. */
    second = sm_test_status (p, w2.post_id);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                       json_object_get_array_member (json_node_get_object (second), "targets"), 0),
                       "attempts"), ==, 1);
  }
  status = sm_test_status (p, w.post_id);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                     json_object_get_array_member (json_node_get_object (status), "targets"), 0),
                     "attempts"), ==, 2);

  /* A 503 on the create call: the outcome is unknown, so the publisher
   * asks X before sending again, finds nothing, and then sends. */
  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"api.x.com\",\"method\":\"POST\",\"path\":\"/2/tweets\","
                        "\"count\":1,\"status\":503}");
  w.post_id = post_at (p, account, "now", "Second try");
  w.n_posts = 3;
  g_assert_true (sm_test_wait_for (states_are, &w, 75));
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 3);
}

static void
test_cli_refuses_bad_input (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autofree char *long_text = NULL;
  g_autofree char *id = NULL;
  gint64 account;
  struct
  {
    const char *args[10];
    const char *says;
  } cases[] = {
    { { "post", "--to", "999", "--at", "now", "hello", NULL }, "no account 999" },
    { { "post", "--to", "ID", "--at", "2020-01-01T10:00:00Z", "hello", NULL }, "in the past" },
    { { "post", "--to", "ID", "--at", "soonish", "hello", NULL }, "is not a time" },
    { { "post", "--to", "ID", "--at", "now", "--zone", "Moon/Base", "hello", NULL }, "not a time zone" },
    { { "post", "--to", "ID", "--at", "now", "LONG", NULL }, "X allows 280" },
    { { "post", "--at", "now", "hello", NULL }, "--to" },
    { { "accounts", "connect", "myspace", NULL }, "not a network" },
    { { "post", "--to", "ID", "--at", "now", "--option", "youtube.privacy=secret", "hello", NULL }, "private, public, unlisted" },
    { { "post", "--to", "ID", "--at", "now", "--option", "youtube.privacy=unlisted", "hello", NULL }, "no YouTube account" },
    { { "status", "12345", NULL }, "no post 12345" },
  };

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);
  long_text = g_strnfill (300, 'a');

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *argv[11] = { NULL };
      int status;

      for (guint j = 0; cases[i].args[j]; j++)
        argv[j] = g_str_equal (cases[i].args[j], "ID") ? id
                : g_str_equal (cases[i].args[j], "LONG") ? long_text
                : cases[i].args[j];
      status = sm_test_cli (p, NULL, &out, &err, argv[0], argv[1], argv[2], argv[3],
                            argv[4], argv[5], argv[6], argv[7], argv[8], argv[9], NULL);
      g_test_message ("so-me %s … → %d: %s", argv[0], status, err);
      g_assert_cmpint (status, !=, 0);
      g_assert_nonnull (strstr (err, cases[i].says));
      /* One line, no crash, no trace. */
      g_assert_cmpint (strchr (err, '\n') - err, ==, (int) strlen (err) - 1);
    }

  /* Nothing was saved by the refusals. */
  {
    g_autofree char *out = NULL;
    g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "list", "--json", NULL), ==, 0);
    g_assert_cmpstr (g_strstrip (out), ==, "[]");
  }
}

typedef struct
{
  SmTestProfile *profile;
  gint64         post_id;
} AttemptWait;

static gboolean
attempted_once (gpointer data)
{
  AttemptWait *w = data;
  g_autoptr(JsonNode) status = sm_test_status (w->profile, w->post_id);
  JsonObject *t = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (status), "targets"), 0);

  return json_object_get_int_member (t, "attempts") == 1 &&
         g_str_equal (json_object_get_string_member (t, "state"), "scheduled");
}

/* The network is unreachable: the post waits for a retry, with the reason,
 * and nothing is lost. */
static void
test_network_down_keeps_post (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(JsonNode) status = NULL;
  AttemptWait w = { p, 0 };
  JsonObject *t;
  gint64 account;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");
  g_subprocess_send_signal (p->sandbox, SIGTERM);
  g_subprocess_wait (p->sandbox, NULL, NULL);
  g_clear_object (&p->sandbox);

  w.post_id = post_at (p, account, "now", "Into the void");
  g_assert_true (sm_test_wait_for (attempted_once, &w, 20));
  status = sm_test_status (p, w.post_id);
  t = json_array_get_object_element (json_object_get_array_member (json_node_get_object (status), "targets"), 0);
  g_assert_nonnull (strstr (json_object_get_string_member (t, "error"), "Could not reach"));
}

/* A profile written by a newer version is refused, and left as it was. */
static void
test_newer_database_refused (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autofree char *db = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *version = NULL;
  g_autofree char *set = NULL;
  g_autofree char *get = NULL;

  sm_test_profile_activate (p);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "list", NULL), ==, 0);
  db = g_build_filename (p->data_home, "so-me-studio", "studio.db", NULL);
  set = g_strdup_printf ("sqlite3 %s 'PRAGMA user_version = 7'", db);
  get = g_strdup_printf ("sqlite3 %s 'PRAGMA user_version'", db);
  g_assert_true (g_spawn_command_line_sync (set, NULL, NULL, NULL, NULL));
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "list", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "newer version of So-me Studio"));
  g_assert_true (g_spawn_command_line_sync (get, &version, NULL, NULL, NULL));
  g_assert_cmpstr (g_strstrip (version), ==, "7");
}

static gboolean
name_has_owner (gpointer data)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) ret = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                         "org.freedesktop.DBus", "NameHasOwner",
                                                         g_variant_new ("(s)", (const char *) data),
                                                         G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                                         -1, NULL, NULL);
  gboolean has = FALSE;

  if (ret)
    g_variant_get (ret, "(b)", &has);
  return has;
}

static GPtrArray *
notify_calls (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  GVariant *args;
  const char *method;
  guint64 when;

  ret = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                     "org.freedesktop.DBus.Mock", "GetCalls", NULL,
                                     G_VARIANT_TYPE ("(a(tsav))"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_assert_nonnull (ret);
  g_variant_get (ret, "(a(tsav))", &iter);
  while (g_variant_iter_next (iter, "(t&s@av)", &when, &method, &args))
    {
      if (g_str_equal (method, "Notify"))
        g_ptr_array_add (calls, g_variant_ref (args));
      g_variant_unref (args);
    }
  return calls;
}

static gboolean
has_notifications (gpointer data)
{
  g_autoptr(GPtrArray) calls = notify_calls ();
  return calls->len >= GPOINTER_TO_UINT (data);
}

static char *
notify_arg_string (GVariant *args,
                   guint     i)
{
  g_autoptr(GVariant) boxed = g_variant_get_child_value (args, i);
  g_autoptr(GVariant) value = g_variant_get_variant (boxed);
  return g_variant_dup_string (value, NULL);
}

/* What the desktop shows: a notification that belongs to the app, and a
 * click on it that opens the app on the post. */
static void
test_notifications_belong_to_the_app (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(GSubprocess) notifyd = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  Wait w = { p, 0, "published", 1 };
  gint64 account;

  notifyd = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "/usr/bin/python3", "-m", "dbusmock", "--template", "notification_daemon", NULL);
  g_assert_no_error (error);
  g_assert_true (sm_test_wait_for (name_has_owner, (gpointer) "org.freedesktop.Notifications", 20));

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");

  w.post_id = post_at (p, account, "now", "Tell me when it's out");
  g_assert_true (sm_test_wait_for (states_are, &w, 30));
  g_assert_true (sm_test_wait_for (has_notifications, GUINT_TO_POINTER (1), 10));
  calls = notify_calls ();
  {
    GVariant *args = g_ptr_array_index (calls, 0);
    g_autofree char *icon = notify_arg_string (args, 2);
    g_autofree char *summary = notify_arg_string (args, 3);
    g_autofree char *body = notify_arg_string (args, 4);
    g_autoptr(GVariant) hints_box = g_variant_get_child_value (args, 6);
    g_autoptr(GVariant) hints = g_variant_get_variant (hints_box);
    g_autoptr(GVariant) entry = g_variant_lookup_value (hints, "desktop-entry", G_VARIANT_TYPE_STRING);

    g_assert_cmpstr (icon, ==, "studio.so_me.Studio");
    g_assert_cmpstr (summary, ==, "Posted to X");
    g_assert_cmpstr (body, ==, "Tell me when it's out");
    g_assert_cmpstr (g_variant_get_string (entry, NULL), ==, "studio.so_me.Studio");
  }

  /* A post X refuses (the same text twice) says what went wrong. */
  w.post_id = post_at (p, account, "now", "Tell me when it's out");
  w.want = "failed";
  g_assert_true (sm_test_wait_for (states_are, &w, 30));
  g_assert_true (sm_test_wait_for (has_notifications, GUINT_TO_POINTER (2), 10));
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = notify_calls ();
  {
    GVariant *args = g_ptr_array_index (calls, 1);
    g_autofree char *summary = notify_arg_string (args, 3);
    g_autofree char *body = notify_arg_string (args, 4);

    g_assert_nonnull (strstr (summary, "Could not post to X"));
    g_assert_nonnull (strstr (body, "duplicate"));
  }

  /* Clicking it opens So-me Studio (D-Bus activated) on the post. */
  {
    g_autoptr(GVariant) ret = NULL;
    GVariant *signal_args[] = { g_variant_new_variant (g_variant_new_uint32 (2)),
                                g_variant_new_variant (g_variant_new_string ("default")) };

    ret = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Mock", "EmitSignal",
                                       g_variant_new ("(sss@av)", "org.freedesktop.Notifications",
                                                      "ActionInvoked", "us",
                                                      g_variant_new_array (G_VARIANT_TYPE_VARIANT, signal_args, 2)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_true (sm_test_wait_for (name_has_owner, (gpointer) "studio.so_me.Studio", 30));
  g_usleep (G_TIME_SPAN_SECOND);
  g_assert_true (name_has_owner ((gpointer) "studio.so_me.Studio"));
  {
    g_autoptr(GVariant) ret = g_dbus_connection_call_sync (bus, "studio.so_me.Studio", "/studio/so_me/Studio",
                                                           "org.freedesktop.Application", "ActivateAction",
                                                           g_variant_new ("(sava{sv})", "quit", NULL, NULL),
                                                           NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }

  g_subprocess_force_exit (notifyd);
  g_subprocess_wait (notifyd, NULL, NULL);
}

/* A locked keyring: the background publisher never pops up an unlock
 * prompt; the post waits, saying why. */
static void
test_locked_keyring_keeps_post (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) status = NULL;
  AttemptWait w = { p, 0 };
  JsonObject *t;
  gint64 account;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");

  ret = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                     "org.freedesktop.Secret.Service", "Lock",
                                     g_variant_new_parsed ("([objectpath '/org/freedesktop/secrets/collection/login'],)"),
                                     NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  w.post_id = post_at (p, account, "now", "Behind a lock");
  g_assert_true (sm_test_wait_for (attempted_once, &w, 20));
  status = sm_test_status (p, w.post_id);
  t = json_array_get_object_element (json_object_get_array_member (json_node_get_object (status), "targets"), 0);
  g_assert_nonnull (strstr (json_object_get_string_member (t, "error"), "keyring is locked"));
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 0);

  /* Unlock again with the password, as logging in would, for the tests
   * after this one (gnome-keyring's own unlock call, over a plain session). */
  {
    g_autoptr(GVariant) session = NULL;
    g_autoptr(GVariant) unlocked = NULL;
    g_autoptr(GVariant) output = NULL;
    const char *session_path;

    session = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                           "org.freedesktop.Secret.Service", "OpenSession",
                                           g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                                           G_VARIANT_TYPE ("(vo)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
    g_variant_get (session, "(v&o)", &output, &session_path);
    unlocked = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                            "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                                            "UnlockWithMasterPassword",
                                            g_variant_new ("(o(o@ay@ays))", "/org/freedesktop/secrets/collection/login",
                                                           session_path,
                                                           g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
                                                           g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "pw", 2, 1),
                                                           "text/plain"),
                                            NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }
  {
    g_autofree char *profile_dir = g_build_filename (p->data_home, "so-me-studio", NULL);
    g_autoptr(SmStore) store = sm_store_open (profile_dir, &error);
    g_autoptr(SmAccount) a = sm_store_get_account (store, account, &error);
    g_autoptr(SmTokens) tokens = NULL;

    for (int i = 0; i < 50 && tokens == NULL; i++, g_usleep (100000))
      {
        g_clear_error (&error);
        tokens = sm_token_store_load (profile_dir, SM_NETWORK_X, a->remote_id, NULL, &error);
      }
    g_assert_no_error (error);
    g_assert_nonnull (tokens);
  }
}

static gboolean all_published (gpointer data);

static guint
count_access_tokens (SmTestProfile *p)
{
  g_autoptr(JsonNode) tokens = sm_test_sandbox_get (p, "/__sandbox/tokens");
  JsonArray *list = json_node_get_array (tokens);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (list); i++)
    n += g_strcmp0 (json_object_get_string_member (json_array_get_object_element (list, i), "kind"),
                    "access") == 0;
  return n;
}

/* An expired token is refreshed once for a burst of posts (X rotates
 * refresh tokens: a second refresh would kill the grant); a revoked grant
 * fails the post with what to do, and marks the account. */
static void
test_expired_and_revoked_tokens (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(JsonNode) status = NULL;
  g_autofree char *accounts = NULL;
  Wait w = { p, 0, "failed", 1 };
  gint64 account;
  guint issued;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");
  issued = count_access_tokens (p);

  sm_test_sandbox_post (p, "/__sandbox/tokens/expire", "{\"network\":\"x\"}");
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *text = g_strdup_printf ("Burst %u", i);
      post_at (p, account, "now", text);
    }
  g_assert_true (sm_test_wait_for (all_published, p, 30));
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 6);
  g_assert_cmpuint (count_access_tokens (p), ==, issued + 1);

  sm_test_sandbox_post (p, "/__sandbox/tokens/revoke", "{\"network\":\"x\"}");
  w.post_id = post_at (p, account, "now", "After the revoke");
  g_assert_true (sm_test_wait_for (states_are, &w, 30));
  status = sm_test_status (p, w.post_id);
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (
                              json_object_get_array_member (json_node_get_object (status), "targets"), 0),
                            "error"), "connect"));
  g_assert_cmpint (sm_test_cli (p, NULL, &accounts, NULL, "accounts", "list", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (accounts, "needs-reconnect"));
}

static char *
make_video (SmTestProfile *p,
            const char    *name,
            int            frames)
{
  g_autofree char *path = g_build_filename (p->dir, name, NULL);
  g_autofree char *nb = g_strdup_printf ("num-buffers=%d", frames);
  g_autofree char *loc = g_strdup_printf ("location=%s", path);
  g_autoptr(GSubprocess) gst = NULL;
  g_autoptr(GError) error = NULL;

  /* Snow does not compress: a short clip makes a file of real size. */
  gst = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "gst-launch-1.0", "-q", "-e",
                          "videotestsrc", "pattern=snow", nb, "!",
                          "video/x-raw,width=1280,height=720,framerate=30/1,format=I420", "!",
                          "x264enc", "speed-preset=ultrafast", "bitrate=40000", "!",
                          "mp4mux", "faststart=true", "!", "filesink", loc, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (gst, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static JsonObject *
sandbox_video (JsonNode *posts)
{
  JsonArray *list = json_node_get_array (posts);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *post = json_array_get_object_element (list, i);
      if (g_strcmp0 (json_object_get_string_member (post, "network"), "youtube") == 0)
        return post;
    }
  return NULL;
}

/* A video to YouTube from the command line, by the resumable protocol; the
 * publisher is killed in the middle of the upload and, started again, goes
 * on from where YouTube says it stopped. */
static void
test_youtube_video_resumes_after_kill (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(JsonNode) posts = NULL;
  g_autoptr(JsonNode) requests = NULL;
  g_autofree char *video = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Wait w = { p, 0, "published", 1 };
  JsonObject *uploaded;
  gint64 account, size, sent = 0;
  gboolean big;
  JsonArray *list;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "youtube");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);
  /* About 300 MB, as the issue asks: 1,800 frames of snow at 40 Mbit/s;
   * a tenth of that on a machine short of disk. */
  {
    g_autoptr(GFile) dir = g_file_new_for_path (p->dir);
    g_autoptr(GFileInfo) fs = g_file_query_filesystem_info (dir, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
    guint64 free_bytes = fs ? g_file_info_get_attribute_uint64 (fs, G_FILE_ATTRIBUTE_FILESYSTEM_FREE) : 0;

    big = free_bytes > G_GUINT64_CONSTANT (2) * 1024 * 1024 * 1024;
    if (!big)
      g_test_message ("only %" G_GUINT64_FORMAT " bytes free: a 26 MB video instead of 300 MB", free_bytes);
  }
  video = make_video (p, "oven.mp4", big ? 1800 : 150);
  sha = file_sha256 (video);
  {
    g_autoptr(GFile) f = g_file_new_for_path (video);
    g_autoptr(GFileInfo) info = g_file_query_info (f, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, NULL);
    size = g_file_info_get_size (info);
  }
  g_assert_cmpint (size, >, big ? 250 * 1024 * 1024 : 16 * 1024 * 1024);

  /* Without a video, YouTube is refused before anything is saved. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now", "No video", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "YouTube"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* YouTube stores the first chunk, then answers slowly. */
  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"www.googleapis.com\",\"method\":\"PUT\","
                        "\"path\":\"/upload/youtube/v3/videos*\",\"count\":1,\"delay_ms\":6000}");
  g_assert_cmpint (sm_test_cli (p, NULL, &out, &err, "post", "--to", id, "--at", "now",
                                "--media", video, "--option", "youtube.title=Our new oven",
                                "--option", "youtube.privacy=unlisted",
                                "A look at the new oven, baking its first loaves.", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));

  /* Kill it while it waits for YouTube's answer to the first chunk. */
  g_usleep (3 * G_TIME_SPAN_SECOND);
  {
    g_autofree char *states = sm_test_target_states (p, w.post_id);
    g_assert_cmpstr (states, ==, "publishing");
  }
  sm_test_stop_publisher (SIGKILL);
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 0);

  {
    g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
    g_autoptr(GVariant) ret = g_dbus_connection_call_sync (bus, "studio.so_me.Studio.Publisher",
                                                           "/studio/so_me/Studio/Publisher",
                                                           "studio.so_me.Studio.Publisher1", "Wake",
                                                           NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
    g_assert_nonnull (ret);
  }
  g_assert_true (sm_test_wait_for (states_are, &w, 180));

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (posts)), ==, 1);
  uploaded = sandbox_video (posts);
  g_assert_nonnull (uploaded);
  g_assert_cmpstr (json_object_get_string_member (uploaded, "text"), ==, "Our new oven");
  g_assert_cmpint (json_object_get_int_member (uploaded, "bytes"), ==, size);
  g_assert_cmpstr (json_object_get_string_member (uploaded, "sha256"), ==, sha);

  /* The second publisher went on from what YouTube had: fewer bytes than
   * the whole file were sent again. */
  requests = sm_test_sandbox_get (p, "/__sandbox/requests");
  list = json_node_get_array (requests);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *r = json_array_get_object_element (list, i);
      if (g_strcmp0 (json_object_get_string_member (r, "method"), "PUT") == 0)
        sent += json_object_get_int_member_with_default (r, "body_bytes", 0);
    }
  g_test_message ("sent %" G_GINT64_FORMAT " bytes for a %" G_GINT64_FORMAT "-byte video", sent, size);
  g_assert_cmpint (sent, >=, size);
  g_assert_cmpint (sent - size, <, size);
}

static gboolean
all_published (gpointer data)
{
  SmTestProfile *p = data;
  g_autofree char *out = NULL;

  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "list", NULL), ==, 0);
  return strstr (out, "Scheduled") == NULL && strstr (out, "Publishing") == NULL &&
         strstr (out, "Unconfirmed") == NULL;
}

/* A second session of the same user: its own bus, its own keyring daemon
 * on the same keyring files, and a publisher there, on the same profile. */
static void
test_two_publishers_publish_each_once (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(GSubprocess) bus2 = NULL;
  g_autoptr(GSubprocess) keyring2 = NULL;
  g_autoptr(GSubprocess) publisher2 = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) posts = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *address2 = NULL;
  g_autofree char *run2 = g_build_filename (p->dir, "run2", NULL);
  g_autofree char *publisher = sm_test_program ("so-me-studio-publisher");
  g_autofree char *when = NULL;
  gint64 account, due;
  const guint n = 12;
  JsonArray *list;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "x");

  g_mkdir_with_parents (run2, 0700);
  bus2 = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           "dbus-daemon", "--session", "--nofork", "--print-address", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus2));
  address2 = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address2);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", address2, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", run2, TRUE);
  keyring2 = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                          "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (keyring2), "pw", 2, NULL, NULL, &error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (keyring2), NULL, NULL);
  g_assert_no_error (error);
  g_usleep (G_TIME_SPAN_SECOND / 2);

  /* Scheduled through the first session: its publisher is activated. */
  due = (g_get_real_time () / G_TIME_SPAN_SECOND + 5) * G_TIME_SPAN_SECOND;
  when = sm_time_format_utc (due);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("Post number %u of the race", i);
      post_at (p, account, when, text);
    }
  g_assert_cmpuint (sm_test_publisher_pid (), !=, 0);

  /* The second session's publisher, on the same profile. */
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", p->data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", p->config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "SO_ME_STUDIO_NETWORK_BASE", p->sandbox_url, TRUE);
  publisher2 = g_subprocess_launcher_spawn (launcher, &error, publisher, NULL);
  g_assert_no_error (error);

  g_assert_true (sm_test_wait_for (all_published, p, 60));
  g_usleep (G_TIME_SPAN_SECOND);

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  list = json_node_get_array (posts);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      const char *text = json_object_get_string_member (json_array_get_object_element (list, i), "text");
      g_assert_false (g_hash_table_contains (seen, text));
      g_hash_table_add (seen, (gpointer) text);
    }
  g_assert_cmpuint (json_array_get_length (list), ==, n);
  g_assert_true (g_subprocess_get_identifier (publisher2) != NULL);   /* it was running throughout */

  g_subprocess_force_exit (publisher2);
  g_subprocess_force_exit (keyring2);
  g_subprocess_force_exit (bus2);
}

static gint64
first_target_id (SmTestProfile *p,
                 gint64         post_id)
{
  g_autoptr(JsonNode) status = sm_test_status (p, post_id);
  JsonArray *targets = json_object_get_array_member (json_node_get_object (status), "targets");

  return json_object_get_int_member (json_array_get_object_element (targets, 0), "id");
}

/* A YouTube video with a custom thumbnail; then its title and privacy
 * changed, a bad thumbnail refused, and the video deleted, each from the
 * command line through the publisher, at YouTube and in the profile. */
static void
test_youtube_change_and_delete (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(JsonNode) posts = NULL;
  g_autofree char *video = NULL;
  g_autofree char *thumb = NULL;
  g_autofree char *thumb_sha = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *id = NULL;
  g_autofree char *target = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *thumb_option = NULL;
  Wait w = { p, 0, "published", 1 };
  JsonObject *uploaded;
  JsonArray *media;
  gint64 account, later;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "youtube");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);
  video = make_video (p, "bakery.mp4", 20);
  /* The cover frame comes from the video itself. */
  thumb = g_build_filename (p->dir, "cover.png", NULL);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "media", "thumbnail", video, "--out", thumb,
                                "--at", "0.3", "--size", "640", NULL), ==, 0);
  thumb_sha = file_sha256 (thumb);
  thumb_option = g_strconcat ("youtube.thumbnail=", thumb, NULL);

  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "post", "--to", id, "--at", "now",
                                "--media", video, "--option", "youtube.title=Morning bake",
                                "--option", thumb_option, "Fresh from the oven.", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));
  g_clear_pointer (&out, g_free);
  g_assert_true (sm_test_wait_for (states_are, &w, 60));

  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  uploaded = sandbox_video (posts);
  media = json_object_get_array_member (uploaded, "media");
  g_assert_cmpuint (json_array_get_length (media), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (media, 1), "kind"),
                   ==, "thumbnail");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (media, 1), "sha256"),
                   ==, thumb_sha);
  g_clear_pointer (&posts, json_node_unref);

  /* Changed at YouTube and in the profile. */
  target = g_strdup_printf ("%" G_GINT64_FORMAT, first_target_id (p, w.post_id));
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "update", target,
                                "--option", "youtube.title=Morning bake, day two",
                                "--option", "youtube.privacy=public",
                                "--text", "Fresh from the oven, again.", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  g_assert_cmpstr (json_object_get_string_member (sandbox_video (posts), "text"), ==,
                   "Morning bake, day two");
  g_clear_pointer (&posts, json_node_unref);
  {
    g_autoptr(JsonNode) status = sm_test_status (p, w.post_id);
    JsonObject *t = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (status), "targets"), 0);

    g_assert_cmpstr (json_object_get_string_member (t, "text"), ==, "Fresh from the oven, again.");
    g_assert_cmpstr (json_object_get_string_member (t, "state"), ==, "published");
  }

  /* An option of another network, and a thumbnail YouTube will not take,
   * are refused with the reason. */
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "update", target,
                                "--option", "x.reply_settings=following", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "YouTube"));
  g_clear_pointer (&err, g_free);
  notes = g_build_filename (p->dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (notes, "not a picture\n", -1, NULL));
  g_free (thumb_option);
  thumb_option = g_strconcat ("youtube.thumbnail=", notes, NULL);
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "update", target, "--option", thumb_option,
                                NULL), ==, 1);
  g_assert_nonnull (strstr (err, "JPEG or PNG"));
  g_assert_null (strstr (err, "GDBus"));
  g_clear_pointer (&err, g_free);

  /* YouTube fails the delete: the post stays, published. */
  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"www.googleapis.com\",\"method\":\"DELETE\","
                        "\"path\":\"/youtube/v3/videos\",\"count\":1,\"status\":503}");
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "delete", target, NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_true (states_are (&w));

  /* Deleted at YouTube, then gone from the profile with its last part. */
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "delete", target, NULL), ==, 0);
  posts = sm_test_sandbox_get (p, "/__sandbox/posts");
  g_assert_true (json_object_get_boolean_member (sandbox_video (posts), "deleted"));
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *post = g_strdup_printf ("%" G_GINT64_FORMAT, w.post_id);

    g_assert_cmpint (sm_test_cli (p, NULL, NULL, &err, "status", post, NULL), ==, 1);
    g_clear_pointer (&err, g_free);
  }

  /* A post not sent yet is only removed here: nothing reaches YouTube. */
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "post", "--to", id, "--at", "2099-01-01T09:00",
                                "--media", video, "Much later.", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &later, NULL));
  g_free (target);
  target = g_strdup_printf ("%" G_GINT64_FORMAT, first_target_id (p, later));
  g_assert_cmpint (sm_test_cli (p, NULL, NULL, NULL, "delete", target, NULL), ==, 0);
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 1);
}

static const char *
target_error (SmTestProfile *p,
              gint64         post_id,
              JsonNode     **keep)
{
  *keep = sm_test_status (p, post_id);
  return json_object_get_string_member (json_array_get_object_element (
           json_object_get_array_member (json_node_get_object (*keep), "targets"), 0), "error");
}

/* What can go wrong with a file between scheduling and sending: changed,
 * deleted; and a grant revoked in the middle of an upload.  Each post fails
 * with a message that says what to do, and nothing half-made is left. */
static void
test_media_faults (void)
{
  g_autoptr(SmTestProfile) p = sm_test_profile_new ();
  g_autoptr(JsonNode) keep = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *video = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *when = NULL;
  g_autofree char *accounts = NULL;
  Wait w = { p, 0, "failed", 0 };
  gint64 account, first, second;

  sm_test_profile_activate (p);
  account = sm_test_connect (p, "youtube");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, account);
  changed = make_video (p, "changed.mp4", 10);
  gone = make_video (p, "gone.mp4", 10);
  video = make_video (p, "long.mp4", 400);

  /* Scheduled ahead (far enough for a slow, sanitized build to schedule
   * both first); then one file is edited, one deleted. */
  when = sm_time_format_utc ((g_get_real_time () / G_TIME_SPAN_SECOND + 15) * G_TIME_SPAN_SECOND);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "post", "--to", id, "--at", when,
                                "--media", changed, "Edited after scheduling", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &first, NULL));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "post", "--to", id, "--at", when,
                                "--media", gone, "Deleted after scheduling", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &second, NULL));
  g_clear_pointer (&out, g_free);
  {
    g_autoptr(GFile) file = g_file_new_for_path (changed);
    g_autoptr(GFileOutputStream) stream = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, NULL);

    g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (stream), "more", 4, NULL, NULL, NULL));
  }
  g_assert_cmpint (g_unlink (gone), ==, 0);
  {
    g_autofree char *states = sm_test_target_states (p, first);

    /* Otherwise this run was too slow to test anything. */
    g_assert_cmpstr (states, ==, "scheduled");
  }

  w.post_id = first;
  g_assert_true (sm_test_wait_for (states_are, &w, 45));
  g_assert_nonnull (strstr (target_error (p, first, &keep), "changed after the post was scheduled"));
  g_clear_pointer (&keep, json_node_unref);
  w.post_id = second;
  g_assert_true (sm_test_wait_for (states_are, &w, 30));
  g_assert_nonnull (strstr (target_error (p, second, &keep), "cannot be read any more"));
  g_clear_pointer (&keep, json_node_unref);
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 0);

  /* The grant is revoked while the video is going up: the next chunk is
   * refused, the refresh is too, and the post asks to reconnect. */
  sm_test_sandbox_post (p, "/__sandbox/faults",
                        "{\"host\":\"www.googleapis.com\",\"method\":\"PUT\","
                        "\"path\":\"/upload/youtube/v3/videos*\",\"count\":1,\"delay_ms\":4000}");
  g_assert_cmpint (sm_test_cli (p, NULL, &out, NULL, "post", "--to", id, "--at", "now",
                                "--media", video, "Revoked on the way", NULL), ==, 0);
  g_assert_true (g_ascii_string_to_signed (g_strstrip (out), 10, 1, G_MAXINT64, &w.post_id, NULL));
  g_usleep (2 * G_TIME_SPAN_SECOND);
  sm_test_sandbox_post (p, "/__sandbox/tokens/revoke", "{\"network\":\"youtube\"}");
  g_assert_true (sm_test_wait_for (states_are, &w, 60));
  g_assert_nonnull (strstr (target_error (p, w.post_id, &keep), "connect"));
  g_assert_cmpint (sm_test_cli (p, NULL, &accounts, NULL, "accounts", "list", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (accounts, "needs-reconnect"));
  g_assert_cmpuint (sm_test_sandbox_count_posts (p), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/e2e/schedule-activates-and-publishes-once", test_schedule_activates_and_publishes_once);
  g_test_add_func ("/e2e/killed-mid-publish-posts-once", test_killed_mid_publish_posts_once);
  g_test_add_func ("/e2e/rate-limit-and-5xx", test_rate_limit_and_5xx);
  g_test_add_func ("/e2e/cli-refuses-bad-input", test_cli_refuses_bad_input);
  g_test_add_func ("/e2e/network-down-keeps-post", test_network_down_keeps_post);
  g_test_add_func ("/e2e/expired-and-revoked-tokens", test_expired_and_revoked_tokens);
  g_test_add_func ("/e2e/notifications-belong-to-the-app", test_notifications_belong_to_the_app);
  g_test_add_func ("/e2e/newer-database-refused", test_newer_database_refused);
  g_test_add_func ("/e2e/locked-keyring-keeps-post", test_locked_keyring_keeps_post);
  g_test_add_func ("/e2e/two-publishers-publish-each-once", test_two_publishers_publish_each_once);
  g_test_add_func ("/e2e/youtube-video-resumes-after-kill", test_youtube_video_resumes_after_kill);
  g_test_add_func ("/e2e/youtube-change-and-delete", test_youtube_change_and_delete);
  g_test_add_func ("/e2e/media-faults", test_media_faults);
  return g_test_run ();
}
