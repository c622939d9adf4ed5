/* test-store.c — the database: file, migrations, posts, and the outbox's
 * claiming and transitions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "sm-store.h"

typedef struct
{
  char    *dir;
  SmStore *store;
  gint64   account_x;
  gint64   account_fb;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 ws;

  f->dir = g_dir_make_tmp ("sm-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = sm_store_open (f->dir, &error);
  g_assert_no_error (error);
  ws = sm_store_get_default_workspace (f->store, NULL, &error);
  g_assert_no_error (error);
  f->account_x = sm_store_upsert_account (f->store, ws, SM_NETWORK_X, "42", "Shop", "@shop", &error);
  g_assert_no_error (error);
  f->account_fb = sm_store_upsert_account (f->store, ws, SM_NETWORK_FACEBOOK, "page-1", "Shop Page", NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "studio.db", NULL);
  g_autofree char *wal = g_build_filename (f->dir, "studio.db-wal", NULL);
  g_autofree char *shm = g_build_filename (f->dir, "studio.db-shm", NULL);

  g_clear_object (&f->store);
  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gint64
schedule (Fixture    *f,
          const char *text,
          gint64      due_us)
{
  g_autoptr(GError) error = NULL;
  SmTargetSpec specs[] = { { f->account_x, NULL }, { f->account_fb, NULL } };
  gint64 id = sm_store_create_post (f->store, text, due_us, "Europe/Berlin", specs, 2, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
test_workspaces_create_rename_zone (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(SmWorkspace) got = NULL;
  gint64 def = sm_store_get_default_workspace (f->store, NULL, NULL);
  gint64 ws;

  ws = sm_store_create_workspace (f->store, "  Client B\t", "America/New_York", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ws, >, def);

  got = sm_store_get_workspace (f->store, ws, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->name, ==, "Client B");
  g_assert_cmpstr (got->time_zone, ==, "America/New_York");
  g_assert_cmpint (sm_store_find_workspace (f->store, "client b ", &error), ==, ws);
  g_assert_no_error (error);

  /* Names: non-empty, unique ignoring case, one line; zones: IANA. */
  g_assert_cmpint (sm_store_create_workspace (f->store, "   ", "UTC", &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (sm_store_create_workspace (f->store, "CLIENT B", "UTC", &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "already"));
  g_clear_error (&error);
  g_assert_cmpint (sm_store_create_workspace (f->store, "Two\nlines", "UTC", &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (sm_store_create_workspace (f->store, "Mars", "Mars/Olympus_Mons", &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Mars/Olympus_Mons"));
  g_clear_error (&error);
  g_assert_cmpint (sm_store_find_workspace (f->store, "Mars", &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Rename: the same rules, and its own name (another case) is fine. */
  g_assert_false (sm_store_rename_workspace (f->store, ws, "", &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(SmWorkspace) def_ws = sm_store_get_workspace (f->store, def, &error);

    g_assert_no_error (error);
    g_assert_false (sm_store_rename_workspace (f->store, ws, def_ws->name, &error));
    g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_true (sm_store_rename_workspace (f->store, ws, "client b", &error));
  g_assert_no_error (error);
  g_assert_true (sm_store_rename_workspace (f->store, ws, " Atelier ", &error));
  g_assert_no_error (error);
  g_assert_false (sm_store_rename_workspace (f->store, 9999, "Nowhere", &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (sm_store_set_workspace_zone (f->store, ws, "Nowhere/City", &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (sm_store_set_workspace_zone (f->store, ws, "Asia/Tokyo", &error));
  g_assert_no_error (error);

  /* Listed by name: "Atelier" before "My Workspace". */
  list = sm_store_list_workspaces (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((SmWorkspace *) g_ptr_array_index (list, 0))->name, ==, "Atelier");
  g_assert_cmpstr (((SmWorkspace *) g_ptr_array_index (list, 0))->time_zone, ==, "Asia/Tokyo");
  g_assert_cmpint (((SmWorkspace *) g_ptr_array_index (list, 1))->id, ==, def);

  /* The default stays the first one made. */
  g_assert_cmpint (sm_store_get_default_workspace (f->store, NULL, NULL), ==, def);
  g_assert_cmpint (sm_store_resolve_workspace (f->store, 0, NULL, &error), ==, def);
  g_assert_cmpint (sm_store_resolve_workspace (f->store, 9999, NULL, &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
}

static void
test_workspaces_keep_their_own (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(SmPost) post = NULL;
  gint64 due = g_get_real_time () + (gint64) G_USEC_PER_SEC * 3600;
  gint64 def = sm_store_get_default_workspace (f->store, NULL, NULL);
  gint64 ws, other_account, mine, theirs;

  ws = sm_store_create_workspace (f->store, "Client B", "America/New_York", &error);
  g_assert_no_error (error);
  /* The same network account may be in two workspaces. */
  other_account = sm_store_upsert_account (f->store, ws, SM_NETWORK_X, "42", "Shop (B)", "@shop", &error);
  g_assert_no_error (error);
  g_assert_cmpint (other_account, !=, f->account_x);

  accounts = sm_store_list_accounts_in (f->store, ws, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpint (((SmAccount *) g_ptr_array_index (accounts, 0))->id, ==, other_account);
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = sm_store_list_accounts_in (f->store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = sm_store_list_accounts (f->store, &error);
  g_assert_cmpuint (accounts->len, ==, 3);

  mine = schedule (f, "Default's post", due);
  {
    SmTargetSpec spec = { other_account, NULL };

    theirs = sm_store_create_post (f->store, "B's post", due, "America/New_York", &spec, 1, FALSE, &error);
    g_assert_no_error (error);
  }
  post = sm_store_get_post (f->store, theirs, &error);
  g_assert_cmpint (post->workspace_id, ==, ws);

  posts = sm_store_list_posts_in (f->store, ws, due - 1, due + 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  g_assert_cmpint (((SmPost *) g_ptr_array_index (posts, 0))->id, ==, theirs);
  g_assert_cmpuint (((SmPost *) g_ptr_array_index (posts, 0))->targets->len, ==, 1);
  g_clear_pointer (&posts, g_ptr_array_unref);
  posts = sm_store_list_posts_in (f->store, def, due - 1, due + 1, &error);
  g_assert_cmpuint (posts->len, ==, 1);
  g_assert_cmpint (((SmPost *) g_ptr_array_index (posts, 0))->id, ==, mine);
  g_assert_cmpuint (((SmPost *) g_ptr_array_index (posts, 0))->targets->len, ==, 2);
  g_clear_pointer (&posts, g_ptr_array_unref);
  /* The publisher's view: every workspace. */
  posts = sm_store_list_posts (f->store, due - 1, due + 1, &error);
  g_assert_cmpuint (posts->len, ==, 2);
  g_clear_pointer (&posts, g_ptr_array_unref);
  posts = sm_store_list_posts_in (f->store, 9999, due - 1, due + 1, &error);
  g_assert_null (posts);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The account a post gets its zone from is the workspace's. */
  {
    g_autofree char *zone = sm_store_get_account_zone (f->store, other_account, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (zone, ==, "America/New_York");
  }
}

static void
test_workspaces_delete (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 def = sm_store_get_default_workspace (f->store, NULL, NULL);
  gint64 ws, account;

  /* The only one never goes, even when empty. */
  g_assert_true (sm_store_delete_account (f->store, f->account_x, &error));
  g_assert_true (sm_store_delete_account (f->store, f->account_fb, &error));
  g_assert_false (sm_store_delete_workspace (f->store, def, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  ws = sm_store_create_workspace (f->store, "Client B", "UTC", &error);
  g_assert_no_error (error);
  account = sm_store_upsert_account (f->store, ws, SM_NETWORK_X, "7", "B", NULL, &error);
  g_assert_no_error (error);

  /* One with accounts is refused, and nothing changes. */
  g_assert_false (sm_store_delete_workspace (f->store, ws, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "1 account"));
  g_clear_error (&error);
  {
    g_autoptr(SmAccount) still = sm_store_get_account (f->store, account, &error);

    g_assert_no_error (error);
    g_assert_cmpint (still->workspace_id, ==, ws);
  }

  g_assert_true (sm_store_delete_account (f->store, account, &error));
  g_assert_true (sm_store_delete_workspace (f->store, ws, &error));
  g_assert_no_error (error);
  list = sm_store_list_workspaces (f->store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_false (sm_store_delete_workspace (f->store, ws, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
}

static void
test_file_mode_and_pragmas (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "studio.db", NULL);
  GStatBuf st;
  sqlite3 *db;
  sqlite3_stmt *stmt;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  /* STRICT tables refuse a wrongly typed value. */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO workspaces (name, time_zone, created_us) VALUES ('a', 'UTC', 'soon')",
                                 NULL, NULL, NULL), !=, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_newer_database_refused (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "studio.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) again = NULL;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  again = sm_store_open (f->dir, &error);
  g_assert_null (again);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer"));
}

static void
test_create_post_validation (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 future = g_get_real_time () + G_TIME_SPAN_SECOND * 3600;
  SmTargetSpec unknown[] = { { 9999, NULL } };
  SmTargetSpec good[] = { { f->account_x, NULL } };
  SmTargetSpec twice[] = { { f->account_x, NULL }, { f->account_x, NULL } };

  g_assert_cmpint (sm_store_create_post (f->store, "hi", future, "UTC", unknown, 1, FALSE, &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "9999"));
  g_clear_error (&error);

  g_assert_cmpint (sm_store_create_post (f->store, "  \n", future, "UTC", good, 1, FALSE, &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (sm_store_create_post (f->store, "late", g_get_real_time () - G_TIME_SPAN_SECOND * 3600,
                                         "UTC", good, 1, FALSE, &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "past"));
  g_clear_error (&error);

  g_assert_cmpint (sm_store_create_post (f->store, "hi", future, "Not/AZone", good, 1, FALSE, &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (sm_store_create_post (f->store, "hi", future, "UTC", twice, 2, FALSE, &error), ==, 0);
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Nothing half-written by the refusals. */
  {
    g_autoptr(GPtrArray) posts = sm_store_list_posts (f->store, G_MININT64, G_MAXINT64, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (posts->len, ==, 0);
  }
}

static void
test_post_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmPost) post = NULL;
  gint64 due = g_get_real_time () + G_TIME_SPAN_SECOND * 60;
  SmTargetSpec specs[] = { { f->account_x, "short for X" }, { f->account_fb, NULL } };
  gint64 id = sm_store_create_post (f->store, "The long text ✨", due, "Europe/Berlin", specs, 2, FALSE, &error);

  g_assert_no_error (error);
  post = sm_store_get_post (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (post->text, ==, "The long text ✨");
  g_assert_cmpint (post->due_us, ==, due);
  g_assert_cmpstr (post->time_zone, ==, "Europe/Berlin");
  g_assert_cmpuint (post->targets->len, ==, 2);
  {
    SmTarget *x = g_ptr_array_index (post->targets, 0);
    SmTarget *fb = g_ptr_array_index (post->targets, 1);

    g_assert_cmpstr (x->text, ==, "short for X");
    g_assert_true (x->has_variant);
    g_assert_cmpstr (fb->text, ==, "The long text ✨");
    g_assert_false (fb->has_variant);
    g_assert_cmpint (x->state, ==, SM_TARGET_SCHEDULED);
    g_assert_cmpint (x->network, ==, SM_NETWORK_X);
  }
  g_assert_cmpuint (sm_store_count_queued (f->store, NULL), ==, 2);
  g_assert_cmpint (sm_store_next_wakeup_us (f->store, NULL), ==, due);
}

static void
test_claim_and_transitions (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) again = NULL;
  gint64 now = g_get_real_time ();
  gint64 post_id = schedule (f, "due now", now);
  SmTarget *t;

  schedule (f, "later", now + G_TIME_SPAN_SECOND * 3600);

  claimed = sm_store_claim_due (f->store, "a", now, G_TIME_SPAN_SECOND * 60, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 2);   /* both targets of the due post */
  t = g_ptr_array_index (claimed, 0);
  g_assert_cmpint (t->post_id, ==, post_id);
  g_assert_cmpint (t->state, ==, SM_TARGET_PUBLISHING);
  g_assert_cmpint (t->attempts, ==, 1);
  g_assert_cmpint (t->first_attempt_us, ==, now);

  /* Nobody else gets them while the lease holds. */
  again = sm_store_claim_due (f->store, "b", now + 1, G_TIME_SPAN_SECOND * 60, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 0);

  /* Only the lease holder can finish a target. */
  g_assert_false (sm_store_mark_published (f->store, t->id, "b", "1", NULL, now, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (sm_store_mark_published (f->store, t->id, "a", "1001", "https://x.com/i/status/1001", now, &error));
  g_assert_no_error (error);

  t = g_ptr_array_index (claimed, 1);
  g_assert_true (sm_store_mark_retry (f->store, t->id, "a", now + 10, "Service unavailable", &error));
  g_assert_no_error (error);
  {
    g_autoptr(SmTarget) reread = sm_store_get_target (f->store, t->id, &error);
    g_assert_cmpint (reread->state, ==, SM_TARGET_SCHEDULED);
    g_assert_cmpstr (reread->last_error, ==, "Service unavailable");
    g_assert_null (reread->lease_owner);
  }
  g_assert_cmpint (sm_store_next_wakeup_us (f->store, NULL), ==, now + 10);
}

/* A claim that was taken over (its lease ran out while its worker was
 * still busy, say across a suspend) can no longer change the target; and
 * targets a publisher is still working on are never claimed again. */
static void
test_stale_claim_is_fenced (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GArray) busy = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 now = g_get_real_time ();
  SmTarget *t;

  schedule (f, "slow network", now);
  first = sm_store_claim_due (f->store, "p#1", now, G_TIME_SPAN_SECOND, 1, NULL, &error);
  g_assert_no_error (error);
  t = g_ptr_array_index (first, 0);

  /* Still in flight in this process: not claimed again, even expired. */
  g_array_append_val (busy, t->id);
  none = sm_store_claim_due (f->store, "p#2", now + 2 * G_TIME_SPAN_SECOND, G_TIME_SPAN_SECOND, 10, busy, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < none->len; i++)
    g_assert_cmpint (((SmTarget *) g_ptr_array_index (none, i))->id, !=, t->id);

  /* Taken over by a newer claim: the old one's transitions are refused. */
  second = sm_store_claim_due (f->store, "p#3", now + 3 * G_TIME_SPAN_SECOND, G_TIME_SPAN_SECOND, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (sm_store_mark_retry (f->store, t->id, "p#1", now, "timed out", &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autoptr(SmTarget) now_t = sm_store_get_target (f->store, t->id, &error);
    g_assert_cmpint (now_t->state, ==, SM_TARGET_UNCONFIRMED);
    g_assert_cmpstr (now_t->lease_owner, ==, "p#3");
  }
}

/* Retrying a failed post that was ever sent checks the network first. */
static void
test_retry_after_send_reconciles (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gint64 now = g_get_real_time ();
  SmTarget *t;

  schedule (f, "maybe out", now);
  claimed = sm_store_claim_due (f->store, "p", now, G_TIME_SPAN_MINUTE, 1, NULL, &error);
  t = g_ptr_array_index (claimed, 0);
  g_assert_true (sm_store_mark_failed (f->store, t->id, "p", "Sign in again", &error));
  g_assert_true (sm_store_retry_target (f->store, t->id, &error));
  g_assert_no_error (error);
  {
    g_autoptr(SmTarget) again = sm_store_get_target (f->store, t->id, &error);
    g_assert_cmpint (again->state, ==, SM_TARGET_UNCONFIRMED);
    g_assert_cmpint (again->first_attempt_us, ==, now);
  }
}

static void
test_expired_lease_is_reconciled (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_auto(GStrv) owners = NULL;
  gint64 now = g_get_real_time ();

  schedule (f, "crash me", now);
  first = sm_store_claim_due (f->store, "dead", now, G_TIME_SPAN_SECOND * 600, 10, NULL, &error);
  g_assert_cmpuint (first->len, ==, 2);

  owners = sm_store_list_lease_owners (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (owners, ((const char *[]) { "dead", NULL }));

  /* The owner died: its leases end, and its targets come back
   * unconfirmed, never as plain scheduled ones to send again. */
  g_assert_cmpuint (sm_store_expire_leases_of (f->store, "dead", &error), ==, 2);
  second = sm_store_claim_due (f->store, "alive", now + 1, G_TIME_SPAN_SECOND * 600, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->len, ==, 2);
  for (guint i = 0; i < second->len; i++)
    {
      SmTarget *t = g_ptr_array_index (second, i);
      g_assert_cmpint (t->state, ==, SM_TARGET_UNCONFIRMED);
      g_assert_cmpint (t->attempts, ==, 2);   /* the send, and now the check */
      g_assert_cmpint (t->first_attempt_us, ==, now);
      g_assert_cmpstr (t->lease_owner, ==, "alive");
    }
}

typedef struct
{
  const char *dir;
  const char *owner;
  guint       claimed;
} ClaimerData;

static gpointer
claimer_thread (gpointer user_data)
{
  ClaimerData *data = user_data;
  g_autoptr(GError) error = NULL;
  /* Its own connection, as a second publisher process would have. */
  g_autoptr(SmStore) store = sm_store_open (data->dir, &error);

  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(GPtrArray) batch = sm_store_claim_due (store, data->owner, G_MAXINT64 / 2,
                                                        G_TIME_SPAN_SECOND, 7, NULL, &error);
      g_assert_no_error (error);
      if (batch->len == 0)
        break;
      for (guint i = 0; i < batch->len; i++)
        {
          SmTarget *t = g_ptr_array_index (batch, i);
          g_assert_true (sm_store_mark_published (store, t->id, data->owner, "r", NULL, 1, &error));
          g_assert_no_error (error);
        }
      data->claimed += batch->len;
    }
  return NULL;
}

static void
test_two_claimers_never_share (Fixture       *f,
                               gconstpointer  data)
{
  ClaimerData a = { f->dir, "a", 0 }, b = { f->dir, "b", 0 };
  GThread *ta, *tb;

  for (int i = 0; i < 200; i++)
    {
      g_autofree char *text = g_strdup_printf ("post %d", i);
      schedule (f, text, g_get_real_time ());
    }

  ta = g_thread_new ("a", claimer_thread, &a);
  tb = g_thread_new ("b", claimer_thread, &b);
  g_thread_join (ta);
  g_thread_join (tb);

  /* Every target exactly once: a double claim would fail mark_published
   * for the loser or count a target twice. */
  g_assert_cmpuint (a.claimed + b.claimed, ==, 400);
  g_assert_cmpuint (sm_store_count_queued (f->store, NULL), ==, 0);
  g_test_message ("claimer a took %u, b took %u", a.claimed, b.claimed);
}

static void
test_media_options_uploads (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(SmUploadState) got = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gint64 post = schedule (f, "with a video", g_get_real_time () + G_TIME_SPAN_HOUR);
  SmPostMedia media[] = {
    { 0, (char *) "/videos/cut.mp4", 314572800, (char *) "ab12", (char *) "video/mp4" },
    { 0, (char *) "/images/cover.png", 2048, (char *) "cd34", (char *) "image/png" },
  };
  SmUploadState state = { 0 };

  g_assert_true (sm_store_set_post_media (f->store, post, media, 2, &error));
  g_assert_no_error (error);
  listed = sm_store_list_post_media (f->store, post, &error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (listed, 0))->path, ==, "/videos/cut.mp4");
  g_assert_cmpint (((SmPostMedia *) g_ptr_array_index (listed, 0))->size_bytes, ==, 314572800);
  g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (listed, 1))->mime_type, ==, "image/png");

  g_assert_true (sm_store_set_post_option (f->store, post, "youtube.title", "First", &error));
  g_assert_true (sm_store_set_post_option (f->store, post, "youtube.title", "Our new oven", &error));
  g_assert_true (sm_store_set_post_option (f->store, post, "youtube.privacy", "unlisted", &error));
  options = sm_store_get_post_options (f->store, post, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (options, "youtube.title"), ==, "Our new oven");
  g_assert_cmpuint (g_hash_table_size (options), ==, 2);
  g_assert_false (sm_store_set_post_option (f->store, 424242, "x.thread", "1", &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  claimed = sm_store_claim_due (f->store, "p", G_MAXINT64 / 2, G_TIME_SPAN_MINUTE, 1, NULL, &error);
  state.target_id = ((SmTarget *) g_ptr_array_index (claimed, 0))->id;
  state.media_id = ((SmPostMedia *) g_ptr_array_index (listed, 0))->id;
  g_assert_null (sm_store_get_upload (f->store, state.target_id, state.media_id, &error));
  g_assert_no_error (error);
  state.session = (char *) "https://www.googleapis.com/upload/youtube/v3/videos?upload_id=xyz";
  state.acknowledged = 8 * 262144;
  g_assert_true (sm_store_save_upload (f->store, &state, &error));
  state.acknowledged = 16 * 262144;
  g_assert_true (sm_store_save_upload (f->store, &state, &error));
  got = sm_store_get_upload (f->store, state.target_id, state.media_id, &error);
  g_assert_nonnull (got);
  g_assert_cmpstr (got->session, ==, state.session);
  g_assert_cmpint (got->acknowledged, ==, 16 * 262144);

  /* All of it goes with the post. */
  g_assert_true (sm_store_delete_post (f->store, post, &error));
  g_clear_pointer (&got, sm_upload_state_free);
  g_assert_null (sm_store_get_upload (f->store, state.target_id, state.media_id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = sm_store_list_post_media (f->store, post, &error);
  g_assert_cmpuint (listed->len, ==, 0);
}

/* A post is never visible without its files and options: they are saved
 * with it, and a bad file leaves no post behind. */
static void
test_create_post_full_is_atomic (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) stored = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  SmTargetSpec spec = { f->account_x, NULL };
  SmPostMedia good = { 0, (char *) "/v.mp4", 10, (char *) "aa", (char *) "video/mp4" };
  SmPostMedia bad = { 0, (char *) "/w.mp4", -1, (char *) "bb", (char *) "video/mp4" };
  SmPostMedia both[2];
  gint64 post;

  g_hash_table_insert (options, (char *) "youtube.title", (char *) "Oven");
  post = sm_store_create_post_full (f->store, "with files", g_get_real_time () + G_TIME_SPAN_HOUR, "UTC",
                                    &spec, 1, &good, 1, options, FALSE, &error);
  g_assert_no_error (error);
  media = sm_store_list_post_media (f->store, post, &error);
  stored = sm_store_get_post_options (f->store, post, &error);
  g_assert_cmpuint (media->len, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (stored, "youtube.title"), ==, "Oven");

  both[0] = good;
  both[1] = bad;   /* a negative size breaks a CHECK: the whole post goes */
  g_assert_cmpint (sm_store_create_post_full (f->store, "half", g_get_real_time () + G_TIME_SPAN_HOUR, "UTC",
                                              &spec, 1, both, 2, NULL, FALSE, &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  posts = sm_store_list_posts (f->store, G_MININT64, G_MAXINT64, &error);
  g_assert_cmpuint (posts->len, ==, 1);
}

/* A profile from the previous version opens, keeps its posts, and gains
 * the new tables. */
static void
test_migrates_older_profile (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "studio.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) again = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  SmPostMedia media = { 0, (char *) "/a.png", 1, (char *) "ff", (char *) "image/png" };
  gint64 post = schedule (f, "from before", g_get_real_time () + G_TIME_SPAN_HOUR);
  sqlite3 *db;

  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE queue_slots; ALTER TABLE accounts DROP COLUMN time_zone;"
                                     "DROP TABLE uploads; DROP TABLE post_options; DROP TABLE post_media;"
                                     "PRAGMA user_version = 2", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  again = sm_store_open (f->dir, &error);
  g_assert_no_error (error);
  posts = sm_store_list_posts (again, G_MININT64, G_MAXINT64, &error);
  g_assert_cmpuint (posts->len, ==, 1);
  g_assert_cmpstr (((SmPost *) g_ptr_array_index (posts, 0))->text, ==, "from before");
  g_assert_true (sm_store_set_post_media (again, post, &media, 1, &error));
  g_assert_no_error (error);
  f->store = g_steal_pointer (&again);
}

static int
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  int n;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* A version 3 profile (before queue slots) opens at version 4: its
 * accounts and posts stay, read posting times in the workspace's zone
 * until given their own, and take slots that go with the account. */
static void
test_migrates_v3_queue_slots (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "studio.db", NULL);
  g_autofree char *workspace_zone = NULL;
  g_autofree char *zone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) again = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GArray) slots = NULL;
  sqlite3 *db;

  schedule (f, "from version 3", g_get_real_time () + G_TIME_SPAN_HOUR);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE queue_slots; ALTER TABLE accounts DROP COLUMN time_zone;"
                                     "PRAGMA user_version = 3", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM sqlite_schema WHERE name = 'queue_slots'"), ==, 0);

  again = sm_store_open (f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (path, "PRAGMA user_version"), ==, SM_STORE_SCHEMA_VERSION);
  posts = sm_store_list_posts (again, G_MININT64, G_MAXINT64, &error);
  g_assert_cmpuint (posts->len, ==, 1);
  g_assert_cmpstr (((SmPost *) g_ptr_array_index (posts, 0))->text, ==, "from version 3");

  g_assert_cmpint (sm_store_get_default_workspace (again, &workspace_zone, &error), >, 0);
  zone = sm_store_get_account_zone (again, f->account_x, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zone, ==, workspace_zone);
  g_clear_pointer (&zone, g_free);
  g_assert_true (sm_store_set_account_zone (again, f->account_x, "America/New_York", &error));
  zone = sm_store_get_account_zone (again, f->account_x, &error);
  g_assert_cmpstr (zone, ==, "America/New_York");

  slots = sm_store_list_queue_slots (again, f->account_x, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slots->len, ==, 0);
  g_assert_true (sm_store_add_queue_slot (again, f->account_x, 1, 9 * 60, &error));
  g_assert_true (sm_store_add_queue_slot (again, f->account_fb, 1, 9 * 60, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM queue_slots"), ==, 2);
  /* The database itself refuses what the API checks. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO queue_slots (account_id, weekday, minute) VALUES (1, 0, 60)",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);

  /* Slots go with their account. */
  g_assert_true (sm_store_delete_account (again, f->account_x, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM queue_slots"), ==, 1);
  f->store = g_steal_pointer (&again);
}

static void
test_delete_account_cascades (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SmTargetSpec only_fb[] = { { f->account_fb, NULL } };
  gint64 both = schedule (f, "both", g_get_real_time () + G_TIME_SPAN_SECOND * 100);
  gint64 fb_only = sm_store_create_post (f->store, "fb", g_get_real_time () + G_TIME_SPAN_SECOND * 100,
                                         "UTC", only_fb, 1, FALSE, &error);

  g_assert_no_error (error);
  g_assert_true (sm_store_delete_account (f->store, f->account_fb, &error));
  g_assert_no_error (error);
  {
    g_autoptr(SmPost) post = sm_store_get_post (f->store, both, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (post->targets->len, ==, 1);
  }
  g_assert_null (sm_store_get_post (f->store, fb_only, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
}

/* Per-network caps: each network gets its earliest due targets up to its
 * free slots, and a network with none neither gets work nor wakes the
 * publisher (a finished job does). */
static void
test_claim_respects_network_slots (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) none = NULL;
  guint slots[SM_N_NETWORKS] = { 0 };
  guint by_network[SM_N_NETWORKS] = { 0 };
  gint64 now = g_get_real_time ();
  gint64 first_post = 0;

  for (int i = 0; i < 5; i++)
    {
      gint64 id = schedule (f, "burst", now - 10 + i);

      if (i == 0)
        first_post = id;
    }

  slots[SM_NETWORK_X] = 2;
  slots[SM_NETWORK_FACEBOOK] = 1;
  claimed = sm_store_claim_due_limited (f->store, "p#1", now, G_TIME_SPAN_MINUTE, 8, NULL, slots,
                                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 3);
  for (guint i = 0; i < claimed->len; i++)
    {
      SmTarget *t = g_ptr_array_index (claimed, i);

      by_network[t->network]++;
      /* the earliest due of each network */
      if (t->network == SM_NETWORK_FACEBOOK)
        g_assert_cmpint (t->post_id, ==, first_post);
    }
  g_assert_cmpuint (by_network[SM_NETWORK_X], ==, 2);
  g_assert_cmpuint (by_network[SM_NETWORK_FACEBOOK], ==, 1);

  /* X full, Facebook full: nothing more, and nothing to wake up for. */
  slots[SM_NETWORK_X] = 0;
  slots[SM_NETWORK_FACEBOOK] = 0;
  none = sm_store_claim_due_limited (f->store, "p#2", now, G_TIME_SPAN_MINUTE, 8, NULL, slots,
                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpint (sm_store_next_wakeup_limited_us (f->store, slots, NULL, NULL), ==, G_MAXINT64);
  /* Without caps the due ones are due now. */
  g_assert_cmpint (sm_store_next_wakeup_us (f->store, NULL), <=, now);
  slots[SM_NETWORK_FACEBOOK] = 1;
  g_assert_cmpint (sm_store_next_wakeup_limited_us (f->store, slots, NULL, NULL), <=, now);
}

/* A rate limit on one account holds that account's other scheduled posts,
 * not the other accounts', and never a post being sent. */
static void
test_defer_account (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(SmPost) soon = NULL;
  g_autoptr(SmPost) later = NULL;
  gint64 now = g_get_real_time ();
  gint64 until = now + 15 * G_TIME_SPAN_MINUTE;
  gint64 soon_id, later_id;
  guint deferred;

  schedule (f, "in flight", now - 1);
  claimed = sm_store_claim_due (f->store, "p", now, G_TIME_SPAN_MINUTE, 8, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 2);
  soon_id = schedule (f, "soon", now + G_TIME_SPAN_MINUTE);
  later_id = schedule (f, "tomorrow", now + G_TIME_SPAN_DAY);

  deferred = sm_store_defer_account (f->store, f->account_x, until,
                                     "X's limit for this account resets at 14:05.", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deferred, ==, 1);

  soon = sm_store_get_post (f->store, soon_id, &error);
  later = sm_store_get_post (f->store, later_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < soon->targets->len; i++)
    {
      SmTarget *t = g_ptr_array_index (soon->targets, i);

      if (t->account_id == f->account_x)
        {
          g_assert_cmpint (t->next_attempt_us, ==, until);
          g_assert_cmpstr (t->last_error, ==, "X's limit for this account resets at 14:05.");
        }
      else
        g_assert_cmpint (t->next_attempt_us, ==, now + G_TIME_SPAN_MINUTE);
    }
  for (guint i = 0; i < later->targets->len; i++)
    g_assert_cmpint (((SmTarget *) g_ptr_array_index (later->targets, i))->next_attempt_us, ==,
                     now + G_TIME_SPAN_DAY);
  for (guint i = 0; i < claimed->len; i++)
    {
      g_autoptr(SmTarget) t = sm_store_get_target (f->store,
                                                   ((SmTarget *) g_ptr_array_index (claimed, i))->id,
                                                   &error);
      g_assert_cmpint (t->state, ==, SM_TARGET_PUBLISHING);
    }

  /* A hold in force keeps a post scheduled after it from being claimed, and
   * the account's next wake-up is its end. */
  {
    g_autoptr(GHashTable) holds = g_hash_table_new (g_int64_hash, g_int64_equal);
    g_autoptr(GPtrArray) due = NULL;
    gint64 new_id = schedule (f, "after the hold began", now - 1);

    g_hash_table_insert (holds, &f->account_x, &until);
    due = sm_store_claim_due_limited (f->store, "q", now, G_TIME_SPAN_MINUTE, 8, NULL, NULL, holds,
                                      &error);
    g_assert_no_error (error);
    g_assert_cmpuint (due->len, ==, 1);
    g_assert_cmpint (((SmTarget *) g_ptr_array_index (due, 0))->account_id, ==, f->account_fb);
    g_assert_cmpint (((SmTarget *) g_ptr_array_index (due, 0))->post_id, ==, new_id);
    g_assert_cmpint (sm_store_next_wakeup_limited_us (f->store, NULL, holds, NULL), ==,
                     now + G_TIME_SPAN_MINUTE);
  }
}

/* The calendar's drag: a post moves while nothing of it has left, and
 * says why not otherwise. */
static void
test_reschedule_post (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(SmPost) post = NULL;
  g_autofree char *db_path = g_build_filename (f->dir, "studio.db", NULL);
  gint64 now = g_get_real_time ();
  gint64 later = schedule (f, "later", now + 2 * G_TIME_SPAN_HOUR);
  gint64 due_now = schedule (f, "now", now);
  gint64 moved_to = now + 5 * G_TIME_SPAN_HOUR;
  sqlite3 *db;

  g_assert_true (sm_store_reschedule_post (f->store, later, moved_to, &error));
  g_assert_no_error (error);
  post = sm_store_get_post (f->store, later, &error);
  g_assert_cmpint (post->due_us, ==, moved_to);
  for (guint i = 0; i < post->targets->len; i++)
    {
      const SmTarget *t = g_ptr_array_index (post->targets, i);

      g_assert_cmpint (t->next_attempt_us, ==, moved_to);
      g_assert_cmpint (t->state, ==, SM_TARGET_SCHEDULED);
    }
  g_clear_pointer (&post, sm_post_free);

  /* Not into the past. */
  g_assert_false (sm_store_reschedule_post (f->store, later, now - G_TIME_SPAN_HOUR, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sm_store_reschedule_post (f->store, 424242, moved_to, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Being sent: refused, and nothing changes. */
  claimed = sm_store_claim_due (f->store, "p", now + G_TIME_SPAN_SECOND, G_TIME_SPAN_MINUTE, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 2);
  g_assert_false (sm_store_reschedule_post (f->store, due_now, moved_to, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* One part published: it cannot move, only be duplicated. */
  g_assert_true (sm_store_mark_published (f->store, ((SmTarget *) g_ptr_array_index (claimed, 0))->id, "p",
                                          "1", "https://x.com/shop/status/1", now, &error));
  g_assert_true (sm_store_mark_failed (f->store, ((SmTarget *) g_ptr_array_index (claimed, 1))->id, "p",
                                       "refused", &error));
  g_assert_false (sm_store_reschedule_post (f->store, due_now, moved_to, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "duplicate"));
  g_clear_error (&error);
  post = sm_store_get_post (f->store, due_now, &error);
  g_assert_cmpint (post->due_us, ==, now);
  g_clear_pointer (&post, sm_post_free);

  /* A part that failed before anything was sent moves, and is scheduled
   * again; one that failed after a send must be retried. */
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE targets SET state = 'failed', last_error = 'no token',"
                                     " lease_owner = NULL, lease_until_us = NULL"
                                     " WHERE post_id = (SELECT MAX(id) FROM posts WHERE text = 'later')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (sm_store_reschedule_post (f->store, later, moved_to + G_TIME_SPAN_HOUR, &error));
  g_assert_no_error (error);
  post = sm_store_get_post (f->store, later, &error);
  for (guint i = 0; i < post->targets->len; i++)
    {
      const SmTarget *t = g_ptr_array_index (post->targets, i);

      g_assert_cmpint (t->state, ==, SM_TARGET_SCHEDULED);
      g_assert_null (t->last_error);
    }
}

static void
test_duplicate_post (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(SmPost) copy = NULL;
  SmTargetSpec specs[] = { { f->account_x, "short for X" }, { f->account_fb, NULL } };
  SmPostMedia files[] = { { 0, (char *) "/images/cover.png", 2048, (char *) "cd34", (char *) "image/png" } };
  g_autoptr(GHashTable) opts = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 now = g_get_real_time ();
  gint64 original, copy_id;

  g_hash_table_insert (opts, (char *) "facebook.link", (char *) "https://shop.example");
  original = sm_store_create_post_full (f->store, "the long text", now + G_TIME_SPAN_HOUR, "Europe/Berlin",
                                        specs, 2, files, 1, opts, FALSE, &error);
  g_assert_no_error (error);

  copy_id = sm_store_duplicate_post (f->store, original, now + 3 * G_TIME_SPAN_HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpint (copy_id, !=, original);
  copy = sm_store_get_post (f->store, copy_id, &error);
  g_assert_cmpstr (copy->text, ==, "the long text");
  g_assert_cmpstr (copy->time_zone, ==, "Europe/Berlin");
  g_assert_cmpint (copy->due_us, ==, now + 3 * G_TIME_SPAN_HOUR);
  g_assert_cmpuint (copy->targets->len, ==, 2);
  g_assert_cmpint (((SmTarget *) g_ptr_array_index (copy->targets, 0))->state, ==, SM_TARGET_DRAFT);
  g_assert_cmpstr (((SmTarget *) g_ptr_array_index (copy->targets, 0))->text, ==, "short for X");
  g_assert_false (((SmTarget *) g_ptr_array_index (copy->targets, 1))->has_variant);
  media = sm_store_list_post_media (f->store, copy_id, &error);
  g_assert_cmpuint (media->len, ==, 1);
  g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (media, 0))->sha256, ==, "cd34");
  options = sm_store_get_post_options (f->store, copy_id, &error);
  g_assert_cmpstr (g_hash_table_lookup (options, "facebook.link"), ==, "https://shop.example");
}

/* The composer's Edit: every field replaced, the post's id kept, a kept
 * account's target kept; refused once anything of it has left. */
static void
test_update_post_full (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(SmPost) post = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  SmTargetSpec specs[] = { { f->account_x, "short for X" }, { f->account_fb, NULL } };
  SmPostMedia files[] = { { 0, (char *) "/images/cover.png", 2048, (char *) "cd34", (char *) "image/png" } };
  SmPostMedia new_files[] = {
    { 0, (char *) "/images/b.jpg", 10, (char *) "bb", (char *) "image/jpeg" },
    { 0, (char *) "/images/a.png", 20, (char *) "aa", (char *) "image/png" },
  };
  g_autoptr(GHashTable) opts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) new_opts = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 now = g_get_real_time ();
  gint64 account_ig, post_id, x_target = 0, media_id;
  SmTargetSpec new_specs[3];
  SmNewPost edit = { 0, };

  account_ig = sm_store_upsert_account (f->store, sm_store_get_default_workspace (f->store, NULL, NULL), SM_NETWORK_INSTAGRAM, "ig-1", "Shop IG", "shop", &error);
  g_assert_no_error (error);
  g_hash_table_insert (opts, (char *) "x.reply_settings", (char *) "following");
  g_hash_table_insert (opts, (char *) "facebook.kind", (char *) "post");
  post_id = sm_store_create_post_full (f->store, "the text", now + G_TIME_SPAN_HOUR, "Europe/Berlin",
                                       specs, 2, files, 1, opts, FALSE, &error);
  g_assert_no_error (error);
  post = sm_store_get_post (f->store, post_id, &error);
  for (guint i = 0; i < post->targets->len; i++)
    if (((SmTarget *) g_ptr_array_index (post->targets, i))->account_id == f->account_x)
      x_target = ((SmTarget *) g_ptr_array_index (post->targets, i))->id;
  g_assert_cmpint (x_target, >, 0);
  g_clear_pointer (&post, sm_post_free);

  /* X stays with another text, Facebook goes, Instagram comes. */
  new_specs[0] = (SmTargetSpec) { account_ig, NULL };
  new_specs[1] = (SmTargetSpec) { f->account_x, "new short X" };
  g_hash_table_insert (new_opts, (char *) "x.reply_settings", (char *) "mentionedUsers");
  g_hash_table_insert (new_opts, (char *) "instagram.kind", (char *) "feed");
  edit.text = "the new text";
  edit.due_us = now + 3 * G_TIME_SPAN_HOUR;
  edit.time_zone = "America/New_York";
  edit.targets = new_specs;
  edit.n_targets = 2;
  edit.media = new_files;
  edit.n_media = 2;
  edit.options = new_opts;
  edit.draft = FALSE;
  g_assert_true (sm_store_update_post_full (f->store, post_id, &edit, &error));
  g_assert_no_error (error);

  post = sm_store_get_post (f->store, post_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (post->text, ==, "the new text");
  g_assert_cmpstr (post->time_zone, ==, "America/New_York");
  g_assert_cmpint (post->due_us, ==, now + 3 * G_TIME_SPAN_HOUR);
  g_assert_cmpuint (post->targets->len, ==, 2);
  for (guint i = 0; i < post->targets->len; i++)
    {
      const SmTarget *t = g_ptr_array_index (post->targets, i);

      g_assert_cmpint (t->state, ==, SM_TARGET_SCHEDULED);
      g_assert_cmpint (t->next_attempt_us, ==, now + 3 * G_TIME_SPAN_HOUR);
      g_assert_cmpint (t->account_id, !=, f->account_fb);
      if (t->account_id == f->account_x)
        {
          g_assert_cmpint (t->id, ==, x_target);
          g_assert_true (t->has_variant);
          g_assert_cmpstr (t->text, ==, "new short X");
        }
      else
        {
          g_assert_cmpint (t->account_id, ==, account_ig);
          g_assert_false (t->has_variant);
          g_assert_cmpstr (t->text, ==, "the new text");
        }
    }
  g_clear_pointer (&post, sm_post_free);
  media = sm_store_list_post_media (f->store, post_id, &error);
  g_assert_cmpuint (media->len, ==, 2);
  g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (media, 0))->path, ==, "/images/b.jpg");
  g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (media, 1))->sha256, ==, "aa");
  media_id = ((SmPostMedia *) g_ptr_array_index (media, 0))->id;
  g_clear_pointer (&media, g_ptr_array_unref);
  options = sm_store_get_post_options (f->store, post_id, &error);
  g_assert_cmpuint (g_hash_table_size (options), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (options, "x.reply_settings"), ==, "mentionedUsers");
  g_assert_cmpstr (g_hash_table_lookup (options, "instagram.kind"), ==, "feed");
  g_clear_pointer (&options, g_hash_table_unref);

  /* A draft stays a draft, even with its time gone by; the same files
   * keep their rows. */
  edit.draft = TRUE;
  edit.due_us = now - G_TIME_SPAN_DAY;
  edit.options = NULL;
  g_assert_true (sm_store_update_post_full (f->store, post_id, &edit, &error));
  g_assert_no_error (error);
  post = sm_store_get_post (f->store, post_id, &error);
  for (guint i = 0; i < post->targets->len; i++)
    g_assert_cmpint (((SmTarget *) g_ptr_array_index (post->targets, i))->state, ==, SM_TARGET_DRAFT);
  g_clear_pointer (&post, sm_post_free);
  media = sm_store_list_post_media (f->store, post_id, &error);
  g_assert_cmpint (((SmPostMedia *) g_ptr_array_index (media, 0))->id, ==, media_id);
  g_clear_pointer (&media, g_ptr_array_unref);
  options = sm_store_get_post_options (f->store, post_id, &error);
  g_assert_cmpuint (g_hash_table_size (options), ==, 0);
  g_clear_pointer (&options, g_hash_table_unref);

  /* Scheduled in the past, an account twice, an unknown post: refused,
   * and nothing changes. */
  edit.draft = FALSE;
  edit.text = "must not be saved";
  g_assert_false (sm_store_update_post_full (f->store, post_id, &edit, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  edit.due_us = now + G_TIME_SPAN_HOUR;
  new_specs[2] = (SmTargetSpec) { f->account_x, NULL };
  edit.n_targets = 3;
  g_assert_false (sm_store_update_post_full (f->store, post_id, &edit, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  edit.n_targets = 2;
  g_assert_false (sm_store_update_post_full (f->store, 424242, &edit, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  post = sm_store_get_post (f->store, post_id, &error);
  g_assert_cmpstr (post->text, ==, "the new text");
  g_assert_cmpuint (post->targets->len, ==, 2);
  g_clear_pointer (&post, sm_post_free);

  /* Being sent: refused with a message that says so. */
  g_assert_true (sm_store_reschedule_post (f->store, post_id, now, &error));
  g_assert_true (sm_store_update_post_full (f->store, post_id,
                                            &(SmNewPost) { "the new text", now, "UTC", new_specs, 2,
                                                           NULL, 0, NULL, FALSE }, &error));
  g_assert_no_error (error);
  claimed = sm_store_claim_due (f->store, "p", now + G_TIME_SPAN_SECOND, G_TIME_SPAN_MINUTE, 10, NULL, &error);
  g_assert_cmpuint (claimed->len, ==, 2);
  g_assert_false (sm_store_update_post_full (f->store, post_id, &edit, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "being sent"));
  g_clear_error (&error);

  /* Published: refused, duplicate instead. */
  for (guint i = 0; i < claimed->len; i++)
    g_assert_true (sm_store_mark_published (f->store, ((SmTarget *) g_ptr_array_index (claimed, i))->id,
                                            "p", "1", NULL, now, &error));
  g_assert_false (sm_store_update_post_full (f->store, post_id, &edit, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "duplicate"));
  g_clear_error (&error);
  post = sm_store_get_post (f->store, post_id, &error);
  g_assert_cmpstr (post->text, ==, "the new text");
  g_assert_cmpint (((SmTarget *) g_ptr_array_index (post->targets, 0))->state, ==, SM_TARGET_PUBLISHED);
}

/* A long upload keeps its lease: renewing extends the leases its process
 * still holds, and never one that ran out or another's. */
static void
test_renew_leases (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) theirs = NULL;
  gint64 now = g_get_real_time ();
  guint renewed;

  schedule (f, "a long video", now - 2);
  mine = sm_store_claim_due (f->store, "p#1", now, G_TIME_SPAN_MINUTE, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mine->len, ==, 1);
  theirs = sm_store_claim_due (f->store, "q#1", now, G_TIME_SPAN_MINUTE, 1, NULL, &error);
  g_assert_cmpuint (theirs->len, ==, 1);

  renewed = sm_store_renew_leases_of (f->store, "p", now + 1, now + 10 * G_TIME_SPAN_MINUTE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (renewed, ==, 1);
  {
    g_autoptr(SmTarget) t = sm_store_get_target (f->store,
                                                 ((SmTarget *) g_ptr_array_index (mine, 0))->id,
                                                 &error);
    g_autoptr(SmTarget) other = sm_store_get_target (f->store,
                                                     ((SmTarget *) g_ptr_array_index (theirs, 0))->id,
                                                     &error);

    g_assert_cmpint (t->lease_until_us, ==, now + 10 * G_TIME_SPAN_MINUTE);
    g_assert_cmpint (other->lease_until_us, ==, now + G_TIME_SPAN_MINUTE);
  }
  /* Once q's lease ran out (a suspend), q's renewal is too late. */
  g_assert_cmpuint (sm_store_renew_leases_of (f->store, "q", now + 2 * G_TIME_SPAN_MINUTE,
                                              now + 12 * G_TIME_SPAN_MINUTE, &error), ==, 0);
}

/* The demo's history: only a post published everywhere moves back, and
 * its send and publish times move with it. */
static void
test_backdate_published_post (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(SmPost) post = NULL;
  gint64 now = g_get_real_time ();
  gint64 week_ago = now - 7 * G_TIME_SPAN_DAY;
  gint64 post_id = schedule (f, "sent at the start", now);

  claimed = sm_store_claim_due (f->store, "p", now, G_TIME_SPAN_MINUTE, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 2);

  /* One target published, one still being sent: it stays. */
  g_assert_true (sm_store_mark_published (f->store, ((SmTarget *) g_ptr_array_index (claimed, 0))->id,
                                          "p", "1", NULL, now + 5, &error));
  g_assert_no_error (error);
  g_assert_false (sm_store_backdate_published_post (f->store, post_id, week_ago, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (sm_store_mark_published (f->store, ((SmTarget *) g_ptr_array_index (claimed, 1))->id,
                                          "p", "2", NULL, now + 7, &error));
  g_assert_no_error (error);
  /* Never forward. */
  g_assert_false (sm_store_backdate_published_post (f->store, post_id, now + G_TIME_SPAN_DAY, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sm_store_backdate_published_post (f->store, post_id + 100, week_ago, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (sm_store_backdate_published_post (f->store, post_id, week_ago, &error));
  g_assert_no_error (error);
  post = sm_store_get_post (f->store, post_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (post->due_us, ==, week_ago);
  for (guint i = 0; i < post->targets->len; i++)
    {
      const SmTarget *t = g_ptr_array_index (post->targets, i);

      g_assert_cmpint (t->state, ==, SM_TARGET_PUBLISHED);
      g_assert_cmpint (t->published_us, ==, week_ago + (i == 0 ? 5 : 7));
      g_assert_cmpint (t->first_attempt_us, ==, week_ago);
    }
}

/* A first comment is begun once, by the lease's owner only, and what came
 * of it stays. */
static void
test_first_comment_once (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autofree char *remote_id = NULL;
  g_autofree char *note = NULL;
  gint64 now = g_get_real_time ();
  gboolean got = TRUE;
  SmTarget *t;

  schedule (f, "with a comment", now);
  claimed = sm_store_claim_due (f->store, "p#1", now, G_TIME_SPAN_MINUTE, 1, NULL, &error);
  g_assert_no_error (error);
  t = g_ptr_array_index (claimed, 0);
  g_assert_cmpint (sm_store_get_comment (f->store, t->id, NULL, NULL, &error), ==, SM_COMMENT_NONE);

  /* Not ours: nothing recorded, nothing to send. */
  g_assert_true (sm_store_begin_comment (f->store, t->id, "q#1", &got, &error));
  g_assert_false (got);
  g_assert_cmpint (sm_store_get_comment (f->store, t->id, NULL, NULL, &error), ==, SM_COMMENT_NONE);

  g_assert_true (sm_store_begin_comment (f->store, t->id, "p#1", &got, &error));
  g_assert_true (got);
  g_assert_cmpint (sm_store_get_comment (f->store, t->id, NULL, NULL, &error), ==, SM_COMMENT_SENDING);
  /* A second begin, even by the owner, is refused. */
  g_assert_true (sm_store_begin_comment (f->store, t->id, "p#1", &got, &error));
  g_assert_false (got);

  g_assert_true (sm_store_end_comment (f->store, t->id, SM_COMMENT_FAILED, NULL, "Refused.", &error));
  g_assert_cmpint (sm_store_get_comment (f->store, t->id, &remote_id, &note, &error), ==, SM_COMMENT_FAILED);
  g_assert_null (remote_id);
  g_assert_cmpstr (note, ==, "Refused.");
  g_assert_true (sm_store_begin_comment (f->store, t->id, "p#1", &got, &error));
  g_assert_false (got);
  g_assert_no_error (error);
}

/* The change stamp moves with a write on this connection and with one on
 * another (the publisher's, the calendar's reading thread's), and not
 * with reads: what the calendar read ahead is used only while it holds. */
static void
test_change_stamp (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) other = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  gint64 stamp, after;

  stamp = sm_store_get_change_stamp (f->store);
  g_assert_cmpint (stamp, !=, -1);
  posts = sm_store_list_posts (f->store, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sm_store_get_change_stamp (f->store), ==, stamp);

  schedule (f, "Written here", g_get_real_time () + G_TIME_SPAN_HOUR);
  after = sm_store_get_change_stamp (f->store);
  g_assert_cmpint (after, !=, stamp);

  other = sm_store_open (f->dir, &error);
  g_assert_no_error (error);
  g_clear_pointer (&posts, g_ptr_array_unref);
  posts = sm_store_list_posts (other, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sm_store_get_change_stamp (f->store), ==, after);
  {
    SmTargetSpec spec = { f->account_x, NULL };

    sm_store_create_post (other, "Written elsewhere", g_get_real_time () + G_TIME_SPAN_HOUR,
                          "Europe/Berlin", &spec, 1, FALSE, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (sm_store_get_change_stamp (f->store), !=, after);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/store/file-mode-and-pragmas", test_file_mode_and_pragmas);
  ADD ("/store/workspaces-create-rename-zone", test_workspaces_create_rename_zone);
  ADD ("/store/workspaces-keep-their-own", test_workspaces_keep_their_own);
  ADD ("/store/workspaces-delete", test_workspaces_delete);
  ADD ("/store/newer-database-refused", test_newer_database_refused);
  ADD ("/store/create-post-validation", test_create_post_validation);
  ADD ("/store/post-round-trip", test_post_round_trip);
  ADD ("/store/claim-and-transitions", test_claim_and_transitions);
  ADD ("/store/expired-lease-is-reconciled", test_expired_lease_is_reconciled);
  ADD ("/store/stale-claim-is-fenced", test_stale_claim_is_fenced);
  ADD ("/store/retry-after-send-reconciles", test_retry_after_send_reconciles);
  ADD ("/store/two-claimers-never-share", test_two_claimers_never_share);
  ADD ("/store/delete-account-cascades", test_delete_account_cascades);
  ADD ("/store/media-options-uploads", test_media_options_uploads);
  ADD ("/store/migrates-older-profile", test_migrates_older_profile);
  ADD ("/store/migrates-v3-queue-slots", test_migrates_v3_queue_slots);
  ADD ("/store/create-post-full-is-atomic", test_create_post_full_is_atomic);
  ADD ("/store/claim-respects-network-slots", test_claim_respects_network_slots);
  ADD ("/store/defer-account", test_defer_account);
  ADD ("/store/renew-leases", test_renew_leases);
  ADD ("/store/reschedule-post", test_reschedule_post);
  ADD ("/store/duplicate-post", test_duplicate_post);
  ADD ("/store/update-post-full", test_update_post_full);
  ADD ("/store/backdate-published-post", test_backdate_published_post);
  ADD ("/store/first-comment-once", test_first_comment_once);
  ADD ("/store/change-stamp", test_change_stamp);
#undef ADD
  return g_test_run ();
}
