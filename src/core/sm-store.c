/* sm-store.c — every SQL statement of the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "sm-store.h"
#include "sm-time.h"

struct _SmStore
{
  GObject  parent_instance;

  char    *dir;
  sqlite3 *db;
  /* One connection shared by the threads of a process: the mutex keeps a
   * transaction from interleaving with another thread's statements. */
  GMutex   lock;
  /* Prepared statements by SQL text, kept for the connection's lifetime:
   * the publisher runs the same few statements thousands of times. */
  GHashTable *statements;
};

G_DEFINE_FINAL_TYPE (SmStore, sm_store, G_TYPE_OBJECT)

/* Versioned migrations: index i brings user_version i to i + 1. */
static const char *migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE workspaces ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  time_zone TEXT NOT NULL,"
  "  created_us INTEGER NOT NULL"
  ") STRICT;"
  "CREATE TABLE accounts ("
  "  id INTEGER PRIMARY KEY,"
  "  workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  network TEXT NOT NULL,"
  "  remote_id TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  handle TEXT,"
  "  state TEXT NOT NULL DEFAULT 'connected'"
  "    CHECK (state IN ('connected', 'needs-reconnect')),"
  "  created_us INTEGER NOT NULL,"
  "  UNIQUE (workspace_id, network, remote_id)"
  ") STRICT;"
  "CREATE TABLE posts ("
  "  id INTEGER PRIMARY KEY,"
  "  workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  text TEXT NOT NULL,"
  "  due_us INTEGER NOT NULL,"
  "  time_zone TEXT NOT NULL,"
  "  created_us INTEGER NOT NULL,"
  "  updated_us INTEGER NOT NULL"
  ") STRICT;"
  "CREATE INDEX posts_due ON posts (due_us);"
  "CREATE TABLE targets ("
  "  id INTEGER PRIMARY KEY,"
  "  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  text TEXT,"
  "  state TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'publishing',"
  "    'published', 'failed', 'unconfirmed')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_us INTEGER,"
  "  first_attempt_us INTEGER,"
  "  lease_owner TEXT,"
  "  lease_until_us INTEGER,"
  "  remote_id TEXT,"
  "  permalink TEXT,"
  "  last_error TEXT,"
  "  published_us INTEGER,"
  "  updated_us INTEGER NOT NULL,"
  "  UNIQUE (post_id, account_id)"
  ") STRICT;"
  "CREATE INDEX targets_due ON targets (state, next_attempt_us);"
  "CREATE INDEX targets_account ON targets (account_id);",
  /* 1 → 2: when the last send started, to give a network time to list a
   * post before "not found" counts as proof that it did not go out. */
  "ALTER TABLE targets ADD COLUMN last_attempt_us INTEGER;",
  /* 2 → 3: media, per-network options, and resumable uploads. */
  "CREATE TABLE post_media ("
  "  id INTEGER PRIMARY KEY,"
  "  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  path TEXT NOT NULL,"
  "  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),"
  "  sha256 TEXT NOT NULL,"
  "  mime_type TEXT NOT NULL,"
  "  UNIQUE (post_id, position)"
  ") STRICT;"
  "CREATE TABLE post_options ("
  "  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,"
  "  key TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (post_id, key)"
  ") STRICT;"
  "CREATE TABLE uploads ("
  "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
  "  media_id INTEGER NOT NULL REFERENCES post_media (id) ON DELETE CASCADE,"
  "  session TEXT,"
  "  acknowledged INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged >= 0),"
  "  remote_media_id TEXT,"
  "  updated_us INTEGER NOT NULL,"
  "  PRIMARY KEY (target_id, media_id)"
  ") STRICT;",
  /* 3 → 4: queue slots, weekly posting times per account, read in the
   * account's own zone (NULL: the workspace's). */
  "ALTER TABLE accounts ADD COLUMN time_zone TEXT;"
  "CREATE TABLE queue_slots ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
  "  minute INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),"
  "  UNIQUE (account_id, weekday, minute)"
  ") STRICT;",
  /* 4 → 5: a target's first comment (the option NET.first_comment), sent
   * at most once: a row is made before the comment is sent, so a publisher
   * that died in between never sends it again (sm_store_begin_comment). */
  "CREATE TABLE IF NOT EXISTS first_comments ("
  "  target_id INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,"
  "  state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),"
  "  remote_id TEXT,"
  "  note TEXT,"
  "  updated_us INTEGER NOT NULL"
  ") STRICT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SM_STORE_SCHEMA_VERSION);

/* ---- enums ------------------------------------------------------------ */

static const char *target_states[] = {
  [SM_TARGET_DRAFT] = "draft",
  [SM_TARGET_SCHEDULED] = "scheduled",
  [SM_TARGET_PUBLISHING] = "publishing",
  [SM_TARGET_PUBLISHED] = "published",
  [SM_TARGET_FAILED] = "failed",
  [SM_TARGET_UNCONFIRMED] = "unconfirmed",
};

const char *
sm_target_state_to_string (SmTargetState state)
{
  g_return_val_if_fail (state <= SM_TARGET_UNCONFIRMED, NULL);
  return target_states[state];
}

SmTargetState
sm_target_state_from_string (const char *str)
{
  for (guint i = 0; i < G_N_ELEMENTS (target_states); i++)
    if (g_strcmp0 (target_states[i], str) == 0)
      return (SmTargetState) i;
  g_return_val_if_reached (SM_TARGET_FAILED);
}

const char *
sm_target_state_display (SmTargetState state)
{
  switch (state)
    {
    case SM_TARGET_DRAFT: return _("Draft");
    case SM_TARGET_SCHEDULED: return _("Scheduled");
    case SM_TARGET_PUBLISHING: return _("Publishing");
    case SM_TARGET_PUBLISHED: return _("Published");
    case SM_TARGET_FAILED: return _("Failed");
    case SM_TARGET_UNCONFIRMED: return _("Unconfirmed");
    default: g_return_val_if_reached (NULL);
    }
}

const char *
sm_account_state_to_string (SmAccountState state)
{
  return state == SM_ACCOUNT_CONNECTED ? "connected" : "needs-reconnect";
}

static SmAccountState
account_state_from_string (const char *str)
{
  return g_strcmp0 (str, "connected") == 0 ? SM_ACCOUNT_CONNECTED : SM_ACCOUNT_NEEDS_RECONNECT;
}

/* ---- boxed-ish helpers ------------------------------------------------ */

void
sm_account_free (SmAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->remote_id);
  g_free (account->name);
  g_free (account->handle);
  g_free (account);
}

void
sm_target_free (SmTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->account_name);
  g_free (target->account_remote_id);
  g_free (target->text);
  g_free (target->lease_owner);
  g_free (target->remote_id);
  g_free (target->permalink);
  g_free (target->last_error);
  g_free (target);
}

SmTarget *
sm_target_copy (const SmTarget *target)
{
  SmTarget *copy = g_memdup2 (target, sizeof *target);

  copy->account_name = g_strdup (target->account_name);
  copy->account_remote_id = g_strdup (target->account_remote_id);
  copy->text = g_strdup (target->text);
  copy->lease_owner = g_strdup (target->lease_owner);
  copy->remote_id = g_strdup (target->remote_id);
  copy->permalink = g_strdup (target->permalink);
  copy->last_error = g_strdup (target->last_error);
  return copy;
}

void
sm_post_free (SmPost *post)
{
  if (post == NULL)
    return;
  g_free (post->text);
  g_free (post->time_zone);
  g_clear_pointer (&post->targets, g_ptr_array_unref);
  g_free (post);
}

/* ---- SQLite plumbing -------------------------------------------------- */

static gboolean
set_sqlite_error (SmStore  *self,
                  int       rc,
                  GError  **error)
{
  int code = (rc & 0xff) == SQLITE_BUSY ? SM_STORE_ERROR_BUSY : SM_STORE_ERROR_FAILED;

  g_set_error (error, SM_STORE_ERROR, code,
               _("The database failed: %s"), sqlite3_errmsg (self->db));
  return FALSE;
}

/* A statement from the cache; released (reset, not finalized) when it
 * goes out of scope. */
typedef sqlite3_stmt SmStmt;

static void
stmt_release (SmStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmStmt, stmt_release)

static void
statement_free (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static SmStmt *
prepare (SmStore     *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;
  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

static gboolean
exec (SmStore     *self,
      const char  *sql,
      GError     **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, SM_STORE_ERROR,
                   (rc & 0xff) == SQLITE_BUSY ? SM_STORE_ERROR_BUSY : SM_STORE_ERROR_FAILED,
                   _("The database failed: %s"), msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           idx,
                   const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, idx);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);
  return text ? g_strdup ((const char *) text) : NULL;
}


static inline GMutexLocker *
store_lock (SmStore *self)
{
  return g_mutex_locker_new (&self->lock);
}

/* ---- opening and migrating -------------------------------------------- */

static gboolean
migrate (SmStore  *self,
         GError  **error)
{
  g_autoptr(SmStmt) stmt = prepare (self, "PRAGMA user_version", error);
  int version;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_sqlite_error (self, sqlite3_errcode (self->db), error);
  version = sqlite3_column_int (stmt, 0);

  if (version > SM_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_TOO_NEW,
                   _("This profile was saved by a newer version of So-me Studio "
                     "(database version %d; this version knows up to %d). "
                     "Update So-me Studio to open it; nothing was changed."),
                   version, SM_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (int v = version; v < SM_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      g_debug ("Migrating the database from version %d to %d", v, v + 1);
      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec (self, migrations[v], error) || !exec (self, bump, error))
        {
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!exec (self, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}

char *
sm_store_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "so-me-studio", NULL);
}

SmStore *
sm_store_open (const char  *dir,
               GError     **error)
{
  g_autoptr(SmStore) self = g_object_new (SM_TYPE_STORE, NULL);
  g_autofree char *path = NULL;
  int fd, rc;

  self->dir = dir ? g_strdup (dir) : sm_store_default_dir ();
  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the folder %s: %s"), self->dir, g_strerror (saved));
      return NULL;
    }

  /* Create the file 0600 ourselves: SQLite would use the umask.  Only
   * when it does not exist yet: closing any descriptor of the file drops
   * every POSIX lock this process holds on it, those of other
   * connections in this process included.  Without its lock a
   * connection's WAL can be checkpointed and deleted under it by another
   * process, and the whole process then reads an old copy. */
  path = g_build_filename (self->dir, "studio.db", NULL);
  fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not open the database %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  if (fd >= 0)
    close (fd);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_FAILED,
                   _("Could not open the database %s: %s"), path, sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 10000);

  if (!exec (self,
             "PRAGMA journal_mode = WAL;"
             /* A claim must be on disk before its post goes out: a
              * power cut must not bring it back as unsent. */
             "PRAGMA synchronous = FULL;"
             "PRAGMA foreign_keys = ON;", error))
    return NULL;
  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
sm_store_get_dir (SmStore *self)
{
  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  return self->dir;
}

/**
 * sm_store_get_change_stamp:
 * @self: a #SmStore
 *
 * A number that changes whenever the database changes, by this connection
 * (its count of changed rows) or by another, in this process or another
 * (SQLite's `PRAGMA data_version`): what was read on any connection is
 * still current while the stamp taken before the read stays the same.
 *
 * Returns: the stamp, or -1 when it cannot be read
 */
gint64
sm_store_get_change_stamp (SmStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SmStmt) stmt = NULL;
  gint64 version = -1;

  g_return_val_if_fail (SM_IS_STORE (self), -1);

  /* The statement cache is shared: the lock, as for every other read. */
  locker = store_lock (self);
  stmt = prepare (self, "PRAGMA data_version", NULL);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  if (version < 0)
    return -1;

  return (version << 40) ^ sqlite3_total_changes64 (self->db);
}

/* ---- workspaces ------------------------------------------------------- */

gint64
sm_store_get_default_workspace (SmStore  *self,
                                char    **time_zone,
                                GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autofree char *zone = NULL;
  gint64 id = 0;
  int rc;

  /* Once it exists, a plain read: the window asks often, and a write lock
   * would wait for the publisher's transactions. */
  {
    g_autoptr(SmStmt) stmt = prepare (self, "SELECT id, time_zone FROM workspaces ORDER BY id LIMIT 1", error);

    if (stmt == NULL)
      return 0;
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
      {
        id = sqlite3_column_int64 (stmt, 0);
        if (time_zone)
          *time_zone = column_dup (stmt, 1);
        return id;
      }
    if (rc != SQLITE_DONE)
      {
        set_sqlite_error (self, rc, error);
        return 0;
      }
  }

  /* One transaction: the UI and the CLI starting together on a new profile
   * must not create two default workspaces. */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return 0;
  {
    g_autoptr(SmStmt) stmt = prepare (self, "SELECT id, time_zone FROM workspaces ORDER BY id LIMIT 1", error);

    if (stmt == NULL)
      goto fail;
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
      {
        id = sqlite3_column_int64 (stmt, 0);
        zone = column_dup (stmt, 1);
      }
    else if (rc != SQLITE_DONE)
      {
        set_sqlite_error (self, rc, error);
        goto fail;
      }
  }
  if (id == 0)
    {
      g_autoptr(SmStmt) stmt = prepare (self,
                                        "INSERT INTO workspaces (name, time_zone, created_us) VALUES (?, ?, ?)",
                                        error);
      if (stmt == NULL)
        goto fail;
      zone = sm_time_local_zone_id ();
      sqlite3_bind_text (stmt, 1, _("My Workspace"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, zone, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          set_sqlite_error (self, rc, error);
          goto fail;
        }
      id = sqlite3_last_insert_rowid (self->db);
    }
  if (!exec (self, "COMMIT", error))
    goto fail;
  if (time_zone)
    *time_zone = g_steal_pointer (&zone);
  return id;

fail:
  exec (self, "ROLLBACK", NULL);
  return 0;
}

static gboolean step_done_changed (SmStore       *self,
                                   sqlite3_stmt  *stmt,
                                   const char    *not_found_message,
                                   GError       **error);

void
sm_workspace_free (SmWorkspace *workspace)
{
  if (workspace == NULL)
    return;
  g_free (workspace->name);
  g_free (workspace->time_zone);
  g_free (workspace);
}

#define WORKSPACE_NAME_MAX 80

static SmWorkspace *
workspace_from_row (sqlite3_stmt *stmt)
{
  SmWorkspace *workspace = g_new0 (SmWorkspace, 1);

  workspace->id = sqlite3_column_int64 (stmt, 0);
  workspace->name = column_dup (stmt, 1);
  workspace->time_zone = column_dup (stmt, 2);
  return workspace;
}

static gint
workspace_compare (gconstpointer a,
                   gconstpointer b)
{
  const SmWorkspace *wa = *(SmWorkspace **) a;
  const SmWorkspace *wb = *(SmWorkspace **) b;
  g_autofree char *ka = g_utf8_collate_key (wa->name, -1);
  g_autofree char *kb = g_utf8_collate_key (wb->name, -1);
  int cmp = strcmp (ka, kb);

  if (cmp != 0)
    return cmp;
  return wa->id < wb->id ? -1 : wa->id > wb->id;
}

static GPtrArray *
list_workspaces_locked (SmStore  *self,
                        GError  **error)
{
  g_autoptr(GPtrArray) workspaces = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_workspace_free);
  g_autoptr(SmStmt) stmt = prepare (self, "SELECT id, name, time_zone FROM workspaces ORDER BY id", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (workspaces, workspace_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&workspaces);
}

GPtrArray *
sm_store_list_workspaces (SmStore  *self,
                          GError  **error)
{
  g_autoptr(GPtrArray) workspaces = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  /* The default one exists before anything lists them. */
  if (sm_store_get_default_workspace (self, NULL, error) == 0)
    return NULL;
  {
    g_autoptr(GMutexLocker) locker = store_lock (self);

    workspaces = list_workspaces_locked (self, error);
  }
  if (workspaces != NULL)
    g_ptr_array_sort (workspaces, workspace_compare);
  return g_steal_pointer (&workspaces);
}

SmWorkspace *
sm_store_get_workspace (SmStore  *self,
                        gint64    workspace_id,
                        GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SmStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  if (workspace_id <= 0 &&
      (workspace_id = sm_store_get_default_workspace (self, NULL, error)) == 0)
    return NULL;

  locker = store_lock (self);
  stmt = prepare (self, "SELECT id, name, time_zone FROM workspaces WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, workspace_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return workspace_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                 _("The workspace no longer exists."));
  else
    set_sqlite_error (self, rc, error);
  return NULL;
}

gint64
sm_store_resolve_workspace (SmStore  *self,
                            gint64    workspace_id,
                            char    **time_zone,
                            GError  **error)
{
  g_autoptr(SmWorkspace) workspace = sm_store_get_workspace (self, workspace_id, error);

  if (workspace == NULL)
    return 0;
  if (time_zone != NULL)
    *time_zone = g_steal_pointer (&workspace->time_zone);
  return workspace->id;
}

/* The id of another workspace than @except called @name, ignoring case;
 * 0 when none.  Called with the lock held. */
static gint64
find_workspace_locked (SmStore     *self,
                       const char  *name,
                       gint64       except,
                       GError     **error)
{
  g_autoptr(GPtrArray) workspaces = list_workspaces_locked (self, error);
  g_autofree char *key = g_utf8_casefold (name, -1);

  if (workspaces == NULL)
    return -1;
  for (guint i = 0; i < workspaces->len; i++)
    {
      SmWorkspace *workspace = g_ptr_array_index (workspaces, i);
      g_autofree char *other = g_utf8_casefold (workspace->name, -1);

      if (workspace->id != except && strcmp (key, other) == 0)
        return workspace->id;
    }
  return 0;
}

gint64
sm_store_find_workspace (SmStore     *self,
                         const char  *name,
                         GError     **error)
{
  g_autofree char *trimmed = NULL;
  gint64 id;

  g_return_val_if_fail (SM_IS_STORE (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  if (sm_store_get_default_workspace (self, NULL, error) == 0)
    return 0;
  trimmed = g_strstrip (g_strdup (name));
  {
    g_autoptr(GMutexLocker) locker = store_lock (self);

    id = find_workspace_locked (self, trimmed, 0, error);
  }
  if (id < 0)
    return 0;
  if (id == 0)
    g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                 _("There is no workspace called “%s”; “so-me workspace list” shows them."), trimmed);
  return id;
}

/* A trimmed copy of @name if it can name a workspace, else NULL with
 * SM_STORE_ERROR_INVALID saying why. */
static char *
check_workspace_name (const char  *name,
                      GError     **error)
{
  g_autofree char *trimmed = NULL;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                           _("Give the workspace a name."));
      return NULL;
    }
  trimmed = g_strstrip (g_strdup (name));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                           _("Give the workspace a name."));
      return NULL;
    }
  if (g_utf8_strlen (trimmed, -1) > WORKSPACE_NAME_MAX)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("A workspace’s name can be at most %d characters long."), WORKSPACE_NAME_MAX);
      return NULL;
    }
  for (const char *p = trimmed; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                             _("A workspace’s name must be one line of text."));
        return NULL;
      }
  return g_steal_pointer (&trimmed);
}

static gboolean
check_workspace_zone (const char  *zone,
                      GError     **error)
{
  if (zone == NULL || !sm_time_zone_is_valid (zone))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("“%s” is not a time zone; use a name like Europe/Berlin."),
                   zone != NULL ? zone : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
refuse_taken_name (SmStore     *self,
                   const char  *name,
                   gint64       except,
                   GError     **error)
{
  gint64 other = find_workspace_locked (self, name, except, error);

  if (other < 0)
    return TRUE;
  if (other > 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("There is already a workspace called “%s”; choose another name."), name);
      return TRUE;
    }
  return FALSE;
}

gint64
sm_store_create_workspace (SmStore     *self,
                           const char  *name,
                           const char  *zone,
                           GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *local = NULL;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), 0);

  if (!(trimmed = check_workspace_name (name, error)))
    return 0;
  if (zone == NULL)
    zone = local = sm_time_local_zone_id ();
  if (!check_workspace_zone (zone, error))
    return 0;
  /* The default one first: a new profile's first workspace is that one. */
  if (sm_store_get_default_workspace (self, NULL, error) == 0)
    return 0;

  {
    g_autoptr(GMutexLocker) locker = store_lock (self);

    if (!exec (self, "BEGIN IMMEDIATE", error))
      return 0;
    if (refuse_taken_name (self, trimmed, 0, error))
      goto fail;
    {
      g_autoptr(SmStmt) stmt = prepare (self,
                                        "INSERT INTO workspaces (name, time_zone, created_us) VALUES (?, ?, ?)",
                                        error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, zone, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          set_sqlite_error (self, rc, error);
          goto fail;
        }
      id = sqlite3_last_insert_rowid (self->db);
    }
    if (!exec (self, "COMMIT", error))
      goto fail;
    return id;

  fail:
    exec (self, "ROLLBACK", NULL);
    return 0;
  }
}

gboolean
sm_store_rename_workspace (SmStore     *self,
                           gint64       workspace_id,
                           const char  *name,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  if (!(trimmed = check_workspace_name (name, error)))
    return FALSE;

  locker = store_lock (self);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (refuse_taken_name (self, trimmed, workspace_id, error))
    goto fail;
  {
    g_autoptr(SmStmt) stmt = prepare (self, "UPDATE workspaces SET name = ? WHERE id = ?", error);

    if (stmt == NULL)
      goto fail;
    sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 2, workspace_id);
    if (!step_done_changed (self, stmt, _("The workspace no longer exists."), error))
      goto fail;
  }
  if (!exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gboolean
sm_store_set_workspace_zone (SmStore     *self,
                             gint64       workspace_id,
                             const char  *zone,
                             GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SmStmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  if (!check_workspace_zone (zone, error))
    return FALSE;
  locker = store_lock (self);
  stmt = prepare (self, "UPDATE workspaces SET time_zone = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, zone, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, workspace_id);
  return step_done_changed (self, stmt, _("The workspace no longer exists."), error);
}

/* One number from a query with one parameter; -1 on error. */
static gint64
count_locked (SmStore     *self,
              const char  *sql,
              gint64       param,
              GError     **error)
{
  g_autoptr(SmStmt) stmt = prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, param);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

gboolean
sm_store_delete_workspace (SmStore     *self,
                           gint64       workspace_id,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 n;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  locker = store_lock (self);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  n = count_locked (self, "SELECT count(*) FROM workspaces WHERE id != ?", workspace_id, error);
  if (n < 0)
    goto fail;
  if (n == 0)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                           _("This is the only workspace; there must always be one."));
      goto fail;
    }
  /* Accounts are what a user would lose without seeing it: their posts,
   * queue slots and tokens.  Disconnecting them first is explicit. */
  n = count_locked (self, "SELECT count(*) FROM accounts WHERE workspace_id = ?", workspace_id, error);
  if (n < 0)
    goto fail;
  if (n > 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The workspace still has %" G_GINT64_FORMAT " account; disconnect it on the Accounts page first.",
                                "The workspace still has %" G_GINT64_FORMAT " accounts; disconnect them on the Accounts page first.",
                                n),
                   n);
      goto fail;
    }
  {
    g_autoptr(SmStmt) stmt = prepare (self, "DELETE FROM workspaces WHERE id = ?", error);

    if (stmt == NULL)
      goto fail;
    sqlite3_bind_int64 (stmt, 1, workspace_id);
    if (!step_done_changed (self, stmt, _("The workspace no longer exists."), error))
      goto fail;
  }
  if (!exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

/* ---- accounts --------------------------------------------------------- */

#define ACCOUNT_COLUMNS "id, workspace_id, network, remote_id, name, handle, state"

static SmAccount *
account_from_row (sqlite3_stmt *stmt)
{
  SmAccount *account = g_new0 (SmAccount, 1);

  account->id = sqlite3_column_int64 (stmt, 0);
  account->workspace_id = sqlite3_column_int64 (stmt, 1);
  account->network = sm_network_from_string ((const char *) sqlite3_column_text (stmt, 2));
  account->remote_id = column_dup (stmt, 3);
  account->name = column_dup (stmt, 4);
  account->handle = column_dup (stmt, 5);
  account->state = account_state_from_string ((const char *) sqlite3_column_text (stmt, 6));
  return account;
}

gint64
sm_store_upsert_account (SmStore     *self,
                         gint64       workspace_id,
                         SmNetwork    network,
                         const char  *remote_id,
                         const char  *name,
                         const char  *handle,
                         GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (remote_id != NULL && name != NULL, 0);

  stmt = prepare (self,
                  "INSERT INTO accounts (workspace_id, network, remote_id, name, handle, state, created_us)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, 'connected', ?6)"
                  " ON CONFLICT (workspace_id, network, remote_id) DO UPDATE SET"
                  "  name = excluded.name, handle = excluded.handle, state = 'connected'"
                  " RETURNING id", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, workspace_id);
  sqlite3_bind_text (stmt, 2, sm_network_to_string (network), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, remote_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, name, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 5, handle);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      return 0;
    }
  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
sm_store_list_accounts (SmStore  *self,
                        GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_free);
  g_autoptr(SmStmt) stmt = prepare (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY network, name, id", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (accounts, account_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

GPtrArray *
sm_store_list_accounts_in (SmStore  *self,
                           gint64    workspace_id,
                           GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_free);
  g_autoptr(SmStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  if ((workspace_id = sm_store_resolve_workspace (self, workspace_id, NULL, error)) == 0)
    return NULL;
  locker = store_lock (self);
  stmt = prepare (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE workspace_id = ?"
                        " ORDER BY network, name, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, workspace_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (accounts, account_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

SmAccount *
sm_store_get_account (SmStore  *self,
                      gint64    account_id,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return account_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                 _("There is no account %" G_GINT64_FORMAT "; “so-me accounts list” shows the accounts."),
                 account_id);
  else
    set_sqlite_error (self, rc, error);
  return NULL;
}

static gboolean
step_done_changed (SmStore       *self,
                   sqlite3_stmt  *stmt,
                   const char    *not_found_message,
                   GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_sqlite_error (self, rc, error);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND, not_found_message);
      return FALSE;
    }
  return TRUE;
}

gboolean
sm_store_set_account_state (SmStore         *self,
                            gint64           account_id,
                            SmAccountState   state,
                            GError         **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self, "UPDATE accounts SET state = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sm_account_state_to_string (state), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, account_id);
  return step_done_changed (self, stmt, _("The account no longer exists."), error);
}

gboolean
sm_store_delete_account (SmStore  *self,
                         gint64    account_id,
                         GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = NULL;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  stmt = prepare (self, "DELETE FROM accounts WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!step_done_changed (self, stmt, _("The account no longer exists."), error))
    goto fail;
  if (!exec (self, "DELETE FROM posts WHERE NOT EXISTS"
                   " (SELECT 1 FROM targets WHERE targets.post_id = posts.id)", error))
    goto fail;
  return exec (self, "COMMIT", error);

fail:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

/* ---- queue slots ------------------------------------------------------ */

static gboolean
account_exists (SmStore  *self,
                gint64    account_id,
                GError  **error)
{
  g_autoptr(SmStmt) stmt = prepare (self, "SELECT 1 FROM accounts WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                 _("There is no account %" G_GINT64_FORMAT "; “so-me accounts list” shows the accounts."),
                 account_id);
  else
    set_sqlite_error (self, rc, error);
  return FALSE;
}

static gboolean
check_slot (int      weekday,
            int      minute,
            GError **error)
{
  if (weekday < 1 || weekday > 7 || minute < 0 || minute >= 24 * 60)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("A posting time needs a weekday (Monday to Sunday) and a time from 00:00 to 23:59."));
      return FALSE;
    }
  return TRUE;
}

GArray *
sm_store_list_queue_slots (SmStore  *self,
                           gint64    account_id,
                           GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(GArray) slots = g_array_new (FALSE, TRUE, sizeof (SmQueueSlot));
  g_autoptr(SmStmt) stmt = NULL;
  int rc;

  if (!account_exists (self, account_id, error))
    return NULL;
  stmt = prepare (self, "SELECT weekday, minute FROM queue_slots WHERE account_id = ?"
                        " ORDER BY weekday, minute", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SmQueueSlot slot = { sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1) };
      g_array_append_val (slots, slot);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&slots);
}

gboolean
sm_store_add_queue_slot (SmStore  *self,
                         gint64    account_id,
                         int       weekday,
                         int       minute,
                         GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = NULL;
  int rc;

  if (!check_slot (weekday, minute, error) || !account_exists (self, account_id, error))
    return FALSE;
  stmt = prepare (self, "INSERT INTO queue_slots (account_id, weekday, minute) VALUES (?, ?, ?)"
                        " ON CONFLICT (account_id, weekday, minute) DO NOTHING", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int (stmt, 2, weekday);
  sqlite3_bind_int (stmt, 3, minute);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  return TRUE;
}

gboolean
sm_store_remove_queue_slot (SmStore  *self,
                            gint64    account_id,
                            int       weekday,
                            int       minute,
                            GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = NULL;

  if (!check_slot (weekday, minute, error) || !account_exists (self, account_id, error))
    return FALSE;
  stmt = prepare (self, "DELETE FROM queue_slots WHERE account_id = ? AND weekday = ? AND minute = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int (stmt, 2, weekday);
  sqlite3_bind_int (stmt, 3, minute);
  return step_done_changed (self, stmt, _("The account has no such posting time."), error);
}

char *
sm_store_get_account_zone (SmStore  *self,
                           gint64    account_id,
                           GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
                                    "SELECT COALESCE (a.time_zone, w.time_zone) FROM accounts a"
                                    " JOIN workspaces w ON w.id = a.workspace_id WHERE a.id = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return column_dup (stmt, 0);
  if (rc == SQLITE_DONE)
    g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                 _("There is no account %" G_GINT64_FORMAT "; “so-me accounts list” shows the accounts."),
                 account_id);
  else
    set_sqlite_error (self, rc, error);
  return NULL;
}

gboolean
sm_store_set_account_zone (SmStore     *self,
                           gint64       account_id,
                           const char  *zone,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = NULL;

  if (zone != NULL && !sm_time_zone_is_valid (zone))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("“%s” is not a time zone; use a name like Europe/Berlin."), zone);
      return FALSE;
    }
  stmt = prepare (self, "UPDATE accounts SET time_zone = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text_or_null (stmt, 1, zone);
  sqlite3_bind_int64 (stmt, 2, account_id);
  return step_done_changed (self, stmt, _("The account no longer exists."), error);
}

GArray *
sm_store_list_account_due (SmStore  *self,
                           gint64    account_id,
                           gint64    from_us,
                           gint64    to_us,
                           GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(GArray) due = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_autoptr(SmStmt) stmt = prepare (self,
                                    "SELECT p.due_us FROM targets t JOIN posts p ON p.id = t.post_id"
                                    " WHERE t.account_id = ?1 AND p.due_us >= ?2 AND p.due_us < ?3"
                                    "  AND t.state IN ('scheduled', 'publishing', 'unconfirmed', 'published')"
                                    " ORDER BY p.due_us", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, from_us);
  sqlite3_bind_int64 (stmt, 3, to_us);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 us = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (due, us);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&due);
}

/* ---- posts ------------------------------------------------------------ */

static gboolean insert_media  (SmStore            *self,
                               gint64              post_id,
                               const SmPostMedia  *media,
                               guint               n_media,
                               GError            **error);
static gboolean insert_option (SmStore            *self,
                               gint64              post_id,
                               const char         *key,
                               const char         *value,
                               GError            **error);

#define TARGET_COLUMNS \
  "t.id, t.post_id, t.account_id, a.network, a.name, a.remote_id," \
  " COALESCE (t.text, p.text), t.text IS NOT NULL, t.state, t.attempts," \
  " t.next_attempt_us, t.first_attempt_us, t.lease_owner, t.lease_until_us," \
  " t.remote_id, t.permalink, t.last_error, t.published_us, t.last_attempt_us"
#define TARGET_FROM \
  " FROM targets t JOIN accounts a ON a.id = t.account_id JOIN posts p ON p.id = t.post_id"

static SmTarget *
target_from_row (sqlite3_stmt *stmt,
                 int           col)
{
  SmTarget *target = g_new0 (SmTarget, 1);

  target->id = sqlite3_column_int64 (stmt, col + 0);
  target->post_id = sqlite3_column_int64 (stmt, col + 1);
  target->account_id = sqlite3_column_int64 (stmt, col + 2);
  target->network = sm_network_from_string ((const char *) sqlite3_column_text (stmt, col + 3));
  target->account_name = column_dup (stmt, col + 4);
  target->account_remote_id = column_dup (stmt, col + 5);
  target->text = column_dup (stmt, col + 6);
  target->has_variant = sqlite3_column_int (stmt, col + 7);
  target->state = sm_target_state_from_string ((const char *) sqlite3_column_text (stmt, col + 8));
  target->attempts = sqlite3_column_int (stmt, col + 9);
  target->next_attempt_us = sqlite3_column_int64 (stmt, col + 10);
  target->first_attempt_us = sqlite3_column_int64 (stmt, col + 11);
  target->lease_owner = column_dup (stmt, col + 12);
  target->lease_until_us = sqlite3_column_int64 (stmt, col + 13);
  target->remote_id = column_dup (stmt, col + 14);
  target->permalink = column_dup (stmt, col + 15);
  target->last_error = column_dup (stmt, col + 16);
  target->published_us = sqlite3_column_int64 (stmt, col + 17);
  target->last_attempt_us = sqlite3_column_int64 (stmt, col + 18);
  return target;
}

gint64
sm_store_create_post (SmStore             *self,
                      const char          *text,
                      gint64               due_us,
                      const char          *time_zone,
                      const SmTargetSpec  *targets,
                      guint                n_targets,
                      gboolean             draft,
                      GError             **error)
{
  return sm_store_create_post_full (self, text, due_us, time_zone, targets, n_targets,
                                    NULL, 0, NULL, draft, error);
}

gint64
sm_store_create_post_full (SmStore             *self,
                           const char          *text,
                           gint64               due_us,
                           const char          *time_zone,
                           const SmTargetSpec  *targets,
                           guint                n_targets,
                           const SmPostMedia   *media,
                           guint                n_media,
                           GHashTable          *options,
                           gboolean             draft,
                           GError             **error)
{
  SmNewPost post = { text, due_us, time_zone, targets, n_targets, media, n_media, options, draft };
  gint64 post_id = 0;

  if (!sm_store_create_posts_full (self, &post, 1, &post_id, error))
    return 0;
  return post_id;
}

/* Refuses what can be told without the database, with a message for people. */
static gboolean
check_new_post (const SmNewPost  *post,
                gint64            now,
                GError          **error)
{
  {
    g_autofree char *stripped = g_strstrip (g_strdup (post->text ? post->text : ""));
    if (*stripped == '\0')
      {
        g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                             _("The post has no text."));
        return FALSE;
      }
  }
  if (post->n_targets == 0)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                           _("Choose at least one account to post to."));
      return FALSE;
    }
  if (post->time_zone == NULL || !sm_time_zone_is_valid (post->time_zone))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("“%s” is not a time zone; use a name like Europe/Berlin."),
                   post->time_zone ? post->time_zone : "");
      return FALSE;
    }
  if (!post->draft && post->due_us < now - 60 * G_TIME_SPAN_SECOND)
    {
      g_autofree char *when = sm_time_format_local (post->due_us, post->time_zone);
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   _("%s (%s) is in the past; pick a later time or post now."),
                   when, post->time_zone);
      return FALSE;
    }
  return TRUE;
}

/* One post, its targets, files and options; with the lock held, inside
 * the caller's transaction.  Returns its id, 0 on error. */
static gint64
insert_post (SmStore          *self,
             const SmNewPost  *post,
             gint64            now,
             GError          **error)
{
  g_autoptr(SmStmt) stmt = NULL;
  gint64 post_id, workspace_id = 0;
  int rc;

  /* Every account must exist and belong to one workspace. */
  for (guint i = 0; i < post->n_targets; i++)
    {
      g_autoptr(SmStmt) q = prepare (self, "SELECT workspace_id FROM accounts WHERE id = ?", error);

      if (q == NULL)
        return 0;
      sqlite3_bind_int64 (q, 1, post->targets[i].account_id);
      rc = sqlite3_step (q);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                       _("There is no account %" G_GINT64_FORMAT "; “so-me accounts list” shows the accounts."),
                       post->targets[i].account_id);
          return 0;
        }
      if (rc != SQLITE_ROW)
        {
          set_sqlite_error (self, rc, error);
          return 0;
        }
      if (workspace_id == 0)
        workspace_id = sqlite3_column_int64 (q, 0);
    }

  stmt = prepare (self,
                  "INSERT INTO posts (workspace_id, text, due_us, time_zone, created_us, updated_us)"
                  " VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, workspace_id);
  sqlite3_bind_text (stmt, 2, post->text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, post->due_us);
  sqlite3_bind_text (stmt, 4, post->time_zone, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, now);
  sqlite3_bind_int64 (stmt, 6, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return 0;
    }
  post_id = sqlite3_last_insert_rowid (self->db);
  g_clear_pointer (&stmt, stmt_release);

  stmt = prepare (self,
                  "INSERT INTO targets (post_id, account_id, text, state, next_attempt_us, updated_us)"
                  " VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  for (guint i = 0; i < post->n_targets; i++)
    {
      const char *variant = post->targets[i].text;

      if (variant != NULL && g_strcmp0 (variant, post->text) == 0)
        variant = NULL;
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, post_id);
      sqlite3_bind_int64 (stmt, 2, post->targets[i].account_id);
      bind_text_or_null (stmt, 3, variant);
      sqlite3_bind_text (stmt, 4, post->draft ? "draft" : "scheduled", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, post->due_us);
      sqlite3_bind_int64 (stmt, 6, now);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_CONSTRAINT_UNIQUE || (rc & 0xff) == SQLITE_CONSTRAINT)
        {
          g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                               _("An account was chosen twice."));
          return 0;
        }
      if (rc != SQLITE_DONE)
        {
          set_sqlite_error (self, rc, error);
          return 0;
        }
    }

  /* Files and options in the same transaction: a publisher must never
   * see the post without them. */
  if (!insert_media (self, post_id, post->media, post->n_media, error))
    return 0;
  if (post->options != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, post->options);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (!insert_option (self, post_id, key, value, error))
          return 0;
    }
  return post_id;
}

gboolean
sm_store_create_posts_full (SmStore          *self,
                            const SmNewPost  *posts,
                            guint             n_posts,
                            gint64           *post_ids,
                            GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_posts == 0 || posts != NULL, FALSE);

  for (guint i = 0; i < n_posts; i++)
    if (!check_new_post (&posts[i], now, error))
      return FALSE;

  locker = store_lock (self);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint i = 0; i < n_posts; i++)
    {
      gint64 post_id = insert_post (self, &posts[i], now, error);

      if (post_id == 0)
        goto fail;
      if (post_ids != NULL)
        post_ids[i] = post_id;
    }
  if (!exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gint64
sm_store_create_post_in_slot (SmStore          *self,
                              const SmNewPost  *post,
                              GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 now = g_get_real_time ();
  gint64 post_id;

  g_return_val_if_fail (SM_IS_STORE (self), 0);
  g_return_val_if_fail (post != NULL, 0);

  if (!check_new_post (post, now, error))
    return 0;

  locker = store_lock (self);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return 0;
  for (guint i = 0; i < post->n_targets; i++)
    {
      g_autoptr(SmStmt) stmt = prepare (self,
                                        "SELECT 1 FROM targets t JOIN posts p ON p.id = t.post_id"
                                        " WHERE t.account_id = ?1 AND p.due_us >= ?2 AND p.due_us < ?3"
                                        "  AND t.state IN ('scheduled', 'publishing', 'unconfirmed', 'published')"
                                        " LIMIT 1", error);
      int rc;

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, post->targets[i].account_id);
      sqlite3_bind_int64 (stmt, 2, post->due_us);
      sqlite3_bind_int64 (stmt, 3, post->due_us + G_TIME_SPAN_MINUTE);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_TAKEN,
                               _("Another post took that posting time first."));
          goto fail;
        }
      if (rc != SQLITE_DONE)
        {
          set_sqlite_error (self, rc, error);
          goto fail;
        }
    }
  if ((post_id = insert_post (self, post, now, error)) == 0)
    goto fail;
  if (!exec (self, "COMMIT", error))
    goto fail;
  return post_id;

fail:
  exec (self, "ROLLBACK", NULL);
  return 0;
}

static GPtrArray *
load_targets (SmStore       *self,
              const char    *where,
              gint64         arg,
              GError       **error)
{
  g_autofree char *sql = g_strconcat ("SELECT " TARGET_COLUMNS TARGET_FROM " WHERE ", where,
                                      " ORDER BY t.post_id, t.id", NULL);
  g_autoptr(SmStmt) stmt = prepare (self, sql, error);
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_target_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, arg);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (targets, target_from_row (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&targets);
}

static SmPost *
post_from_row (sqlite3_stmt *stmt)
{
  SmPost *post = g_new0 (SmPost, 1);

  post->id = sqlite3_column_int64 (stmt, 0);
  post->workspace_id = sqlite3_column_int64 (stmt, 1);
  post->text = column_dup (stmt, 2);
  post->due_us = sqlite3_column_int64 (stmt, 3);
  post->time_zone = column_dup (stmt, 4);
  post->created_us = sqlite3_column_int64 (stmt, 5);
  post->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_target_free);
  return post;
}

#define POST_COLUMNS "id, workspace_id, text, due_us, time_zone, created_us"

SmPost *
sm_store_get_post (SmStore  *self,
                   gint64    post_id,
                   GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self, "SELECT " POST_COLUMNS " FROM posts WHERE id = ?", error);
  g_autoptr(SmPost) post = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, post_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("There is no post %" G_GINT64_FORMAT "."), post_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  post = post_from_row (stmt);
  targets = load_targets (self, "t.post_id = ?", post_id, error);
  if (targets == NULL)
    return NULL;
  g_ptr_array_extend_and_steal (post->targets, g_steal_pointer (&targets));
  return g_steal_pointer (&post);
}

/* Posts due in [from_us, to_us) of @workspace_id, or of every workspace
 * when it is 0. */
static GPtrArray *
list_posts (SmStore  *self,
            gint64    workspace_id,
            gint64    from_us,
            gint64    to_us,
            GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = NULL;
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  int rc;

  stmt = prepare (self, "SELECT " POST_COLUMNS " FROM posts WHERE due_us >= ? AND due_us < ?"
                        " AND (?3 = 0 OR workspace_id = ?3)"
                        " ORDER BY due_us, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_us);
  sqlite3_bind_int64 (stmt, 2, to_us);
  sqlite3_bind_int64 (stmt, 3, workspace_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SmPost *post = post_from_row (stmt);
      g_ptr_array_add (posts, post);
      g_hash_table_insert (by_id, &post->id, post);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  g_clear_pointer (&stmt, stmt_release);

  /* All targets of the range in one query. */
  stmt = prepare (self, "SELECT " TARGET_COLUMNS TARGET_FROM
                        " WHERE p.due_us >= ? AND p.due_us < ?"
                        " AND (?3 = 0 OR p.workspace_id = ?3) ORDER BY t.post_id, t.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_us);
  sqlite3_bind_int64 (stmt, 2, to_us);
  sqlite3_bind_int64 (stmt, 3, workspace_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SmTarget *target = target_from_row (stmt, 0);
      SmPost *post = g_hash_table_lookup (by_id, &target->post_id);

      if (post)
        g_ptr_array_add (post->targets, target);
      else
        sm_target_free (target);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&posts);
}

GPtrArray *
sm_store_list_posts (SmStore  *self,
                     gint64    from_us,
                     gint64    to_us,
                     GError  **error)
{
  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  return list_posts (self, 0, from_us, to_us, error);
}

GPtrArray *
sm_store_list_posts_in (SmStore  *self,
                        gint64    workspace_id,
                        gint64    from_us,
                        gint64    to_us,
                        GError  **error)
{
  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  if ((workspace_id = sm_store_resolve_workspace (self, workspace_id, NULL, error)) == 0)
    return NULL;
  return list_posts (self, workspace_id, from_us, to_us, error);
}

gboolean
sm_store_delete_post (SmStore  *self,
                      gint64    post_id,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self, "DELETE FROM posts WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  return step_done_changed (self, stmt, _("The post no longer exists."), error);
}

gboolean
sm_store_delete_target (SmStore  *self,
                        gint64    target_id,
                        GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = NULL;
  gint64 now = g_get_real_time ();
  gint64 post_id = 0;
  int rc;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* A target a publisher holds is being sent: it cannot go now. */
  stmt = prepare (self,
    "DELETE FROM targets WHERE id = ?1 AND (lease_until_us IS NULL OR lease_until_us <= ?2)"
    " RETURNING post_id", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_int64 (stmt, 2, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    post_id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);
  if (post_id == 0)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                           _("That post is being sent right now, or no longer exists; "
                             "try again in a moment."));
      goto fail;
    }

  /* A post with no account left is gone with its last target. */
  stmt = prepare (self,
    "DELETE FROM posts WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM targets WHERE post_id = ?1)",
    error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);

  if (!exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&stmt, stmt_release);
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gboolean
sm_store_set_target_note (SmStore     *self,
                          gint64       target_id,
                          const char  *note,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "UPDATE targets SET last_error = ?2 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, note, -1, SQLITE_TRANSIENT);
  return step_done_changed (self, stmt, _("That post no longer exists."), error);
}

gboolean
sm_store_set_target_text (SmStore     *self,
                          gint64       target_id,
                          const char  *text,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "UPDATE targets SET text = ?2, updated_us = ?3 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  return step_done_changed (self, stmt, _("That post no longer exists."), error);
}

SmTarget *
sm_store_get_target (SmStore  *self,
                     gint64    target_id,
                     GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(GPtrArray) targets = load_targets (self, "t.id = ?", target_id, error);

  if (targets == NULL)
    return NULL;
  if (targets->len == 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("There is no target %" G_GINT64_FORMAT "."), target_id);
      return NULL;
    }
  return sm_target_copy (g_ptr_array_index (targets, 0));
}

gboolean
sm_store_retry_target (SmStore  *self,
                       gint64    target_id,
                       GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    /* A target that was ever sent may be out there: check first. */
    "UPDATE targets SET"
    " state = CASE WHEN first_attempt_us IS NULL THEN 'scheduled' ELSE 'unconfirmed' END,"
    " next_attempt_us = ?1, last_error = NULL, attempts = 0, updated_us = ?1"
    " WHERE id = ?2 AND state = 'failed'", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 2, target_id);
  return step_done_changed (self, stmt, _("Only a failed post can be retried."), error);
}

gboolean
sm_post_can_change (const SmPost *post)
{
  g_return_val_if_fail (post != NULL, FALSE);

  for (guint i = 0; post->targets != NULL && i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);

      if (target->state == SM_TARGET_PUBLISHED || target->state == SM_TARGET_PUBLISHING ||
          target->state == SM_TARGET_UNCONFIRMED ||
          (target->state == SM_TARGET_FAILED && target->first_attempt_us != 0))
        return FALSE;
    }
  return TRUE;
}

/* Whether a post may still change: none of its targets has left
 * (published, being sent, unconfirmed, leased, or failed after a send).
 * With the lock held, inside the caller's transaction, so a publisher
 * cannot claim a target in between.  @editing picks the words of the
 * messages; the rule is the same for moving and for editing. */
static gboolean
check_post_unsent (SmStore   *self,
                   gint64     post_id,
                   gint64     now,
                   gboolean   editing,
                   gboolean  *all_drafts,
                   GError   **error)
{
  g_autoptr(SmStmt) stmt = NULL;
  gboolean any = FALSE;
  int rc;

  *all_drafts = TRUE;
  stmt = prepare (self,
    "SELECT state, first_attempt_us IS NOT NULL,"
    " lease_until_us IS NOT NULL AND lease_until_us > ?2"
    " FROM targets WHERE post_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, now);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SmTargetState state = sm_target_state_from_string ((const char *) sqlite3_column_text (stmt, 0));
      gboolean sent = sqlite3_column_int (stmt, 1) != 0;
      gboolean leased = sqlite3_column_int (stmt, 2) != 0;

      any = TRUE;
      if (state != SM_TARGET_DRAFT)
        *all_drafts = FALSE;
      if (state == SM_TARGET_PUBLISHED)
        {
          g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                               editing
                               ? _("Part of this post is already published and cannot be changed; "
                                   "duplicate it to post a changed copy.")
                               : _("Part of this post is already published and cannot be moved; "
                                   "duplicate it to post it again at another time."));
          return FALSE;
        }
      if (state == SM_TARGET_PUBLISHING || state == SM_TARGET_UNCONFIRMED || leased)
        {
          g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                               editing
                               ? _("This post is being sent, or may have gone out, and cannot be "
                                   "changed; check its state first.")
                               : _("This post is being sent, or may have gone out; "
                                   "check its state first, then move what is left."));
          return FALSE;
        }
      if (state == SM_TARGET_FAILED && sent)
        {
          g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                               editing
                               ? _("This post failed after it was sent and may be out there, so it "
                                   "cannot be changed; use Retry, which asks the network first, or "
                                   "duplicate it.")
                               : _("This post failed after it was sent and may be out there; "
                                   "use Retry, which asks the network first."));
          return FALSE;
        }
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  if (!any)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("There is no post %" G_GINT64_FORMAT "."), post_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
sm_store_reschedule_post (SmStore  *self,
                          gint64    post_id,
                          gint64    due_us,
                          GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SmStmt) stmt = NULL;
  gint64 now = g_get_real_time ();
  gboolean all_drafts = TRUE;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  locker = store_lock (self);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* Every target is looked at under the same transaction as the move, so
   * a publisher cannot claim one in between. */
  if (!check_post_unsent (self, post_id, now, FALSE, &all_drafts, error))
    goto fail;
  if (!all_drafts && due_us < now - 60 * G_TIME_SPAN_SECOND)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                           _("That time is in the past; move the post to a later time."));
      goto fail;
    }

  stmt = prepare (self, "UPDATE posts SET due_us = ?2, updated_us = ?3 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, due_us);
  sqlite3_bind_int64 (stmt, 3, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);

  stmt = prepare (self,
    "UPDATE targets SET next_attempt_us = ?2, updated_us = ?3,"
    " state = CASE WHEN state = 'failed' THEN 'scheduled' ELSE state END,"
    " attempts = CASE WHEN state = 'failed' THEN 0 ELSE attempts END,"
    " last_error = CASE WHEN state = 'failed' THEN NULL ELSE last_error END"
    " WHERE post_id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, due_us);
  sqlite3_bind_int64 (stmt, 3, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);

  if (!exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&stmt, stmt_release);
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

/* Whether @post's files are the rows the post has, in the same order:
 * then they stay, with any upload progress that refers to them. */
static gboolean
same_media (SmStore          *self,
            gint64            post_id,
            const SmNewPost  *post,
            gboolean         *same,
            GError          **error)
{
  g_autoptr(SmStmt) stmt = prepare (self,
    "SELECT path, size_bytes, sha256, mime_type FROM post_media WHERE post_id = ? ORDER BY position",
    error);
  guint i = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  *same = TRUE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (i >= post->n_media ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), post->media[i].path) != 0 ||
          sqlite3_column_int64 (stmt, 1) != post->media[i].size_bytes ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), post->media[i].sha256) != 0 ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), post->media[i].mime_type) != 0)
        *same = FALSE;
      i++;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  if (i != post->n_media)
    *same = FALSE;
  return TRUE;
}

/* Runs @stmt (bound) to its end. */
static gboolean
step_done (SmStore  *self,
           SmStmt   *stmt,
           GError  **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    return TRUE;
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                           _("An account was chosen twice."));
      return FALSE;
    }
  return set_sqlite_error (self, rc, error);
}

gboolean
sm_store_update_post_full (SmStore          *self,
                           gint64            post_id,
                           const SmNewPost  *post,
                           GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SmStmt) stmt = NULL;
  g_autoptr(GHashTable) kept = NULL;   /* account id → target id */
  gint64 now = g_get_real_time ();
  gint64 workspace_id = 0;
  gboolean all_drafts, same = FALSE;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (post != NULL, FALSE);

  if (!check_new_post (post, now, error))
    return FALSE;

  locker = store_lock (self);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* The same rule as moving it, checked under the same transaction as
   * the change: nothing of the post may have left. */
  if (!check_post_unsent (self, post_id, now, TRUE, &all_drafts, error))
    goto fail;

  stmt = prepare (self, "SELECT workspace_id FROM posts WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  workspace_id = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, stmt_release);

  /* Every account must exist, in the post's workspace. */
  for (guint i = 0; i < post->n_targets; i++)
    {
      stmt = prepare (self, "SELECT workspace_id FROM accounts WHERE id = ?", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, post->targets[i].account_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE || (rc == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) != workspace_id))
        {
          g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                       _("There is no account %" G_GINT64_FORMAT " in this post’s workspace; "
                         "“so-me accounts list” shows the accounts."),
                       post->targets[i].account_id);
          goto fail;
        }
      if (rc != SQLITE_ROW)
        {
          set_sqlite_error (self, rc, error);
          goto fail;
        }
      g_clear_pointer (&stmt, stmt_release);
    }

  stmt = prepare (self,
    "UPDATE posts SET text = ?2, due_us = ?3, time_zone = ?4, updated_us = ?5 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_text (stmt, 2, post->text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, post->due_us);
  sqlite3_bind_text (stmt, 4, post->time_zone, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!step_done (self, stmt, error))
    goto fail;
  g_clear_pointer (&stmt, stmt_release);

  /* The accounts the post keeps keep their target (and its id); the
   * others go, and new ones come. */
  kept = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  stmt = prepare (self, "SELECT account_id, id FROM targets WHERE post_id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 account_id = sqlite3_column_int64 (stmt, 0);
      gint64 target_id = sqlite3_column_int64 (stmt, 1);

      g_hash_table_insert (kept, g_memdup2 (&account_id, sizeof account_id),
                           g_memdup2 (&target_id, sizeof target_id));
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);

  for (guint i = 0; i < post->n_targets; i++)
    {
      const char *variant = post->targets[i].text;
      gint64 *target_id = g_hash_table_lookup (kept, &post->targets[i].account_id);

      if (variant != NULL && g_strcmp0 (variant, post->text) == 0)
        variant = NULL;
      if (target_id != NULL)
        stmt = prepare (self,
          "UPDATE targets SET text = ?3, state = ?4, next_attempt_us = ?5, updated_us = ?6,"
          " attempts = CASE WHEN state = 'failed' THEN 0 ELSE attempts END,"
          " last_error = CASE WHEN state = 'failed' THEN NULL ELSE last_error END"
          " WHERE id = ?1 AND post_id = ?2", error);
      else
        stmt = prepare (self,
          "INSERT INTO targets (post_id, account_id, text, state, next_attempt_us, updated_us)"
          " VALUES (?2, ?7, ?3, ?4, ?5, ?6)", error);
      if (stmt == NULL)
        goto fail;
      if (target_id != NULL)
        sqlite3_bind_int64 (stmt, 1, *target_id);
      else
        sqlite3_bind_int64 (stmt, 7, post->targets[i].account_id);
      sqlite3_bind_int64 (stmt, 2, post_id);
      bind_text_or_null (stmt, 3, variant);
      sqlite3_bind_text (stmt, 4, post->draft ? "draft" : "scheduled", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, post->due_us);
      sqlite3_bind_int64 (stmt, 6, now);
      if (!step_done (self, stmt, error))
        goto fail;
      g_clear_pointer (&stmt, stmt_release);
      /* An account chosen twice finds no target the second time, and its
       * INSERT hits the UNIQUE constraint. */
      if (target_id != NULL)
        g_hash_table_remove (kept, &post->targets[i].account_id);
    }
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, kept);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        /* What is left is no longer chosen. */
        stmt = prepare (self, "DELETE FROM targets WHERE id = ?", error);
        if (stmt == NULL)
          goto fail;
        sqlite3_bind_int64 (stmt, 1, *(gint64 *) value);
        if (!step_done (self, stmt, error))
          goto fail;
        g_clear_pointer (&stmt, stmt_release);
      }
  }

  /* Files: the same list keeps its rows (and any upload they have);
   * another replaces them. */
  if (!same_media (self, post_id, post, &same, error))
    goto fail;
  if (!same)
    {
      stmt = prepare (self, "DELETE FROM post_media WHERE post_id = ?", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, post_id);
      if (!step_done (self, stmt, error))
        goto fail;
      g_clear_pointer (&stmt, stmt_release);
      if (!insert_media (self, post_id, post->media, post->n_media, error))
        goto fail;
    }

  stmt = prepare (self, "DELETE FROM post_options WHERE post_id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  if (!step_done (self, stmt, error))
    goto fail;
  g_clear_pointer (&stmt, stmt_release);
  if (post->options != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, post->options);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (!insert_option (self, post_id, key, value, error))
          goto fail;
    }

  if (!exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&stmt, stmt_release);
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gint64
sm_store_duplicate_post (SmStore  *self,
                         gint64    post_id,
                         gint64    due_us,
                         GError  **error)
{
  g_autoptr(SmPost) post = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GHashTable) options = NULL;
  g_autoptr(GArray) specs = NULL;
  g_autoptr(GArray) files = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), 0);

  if (!(post = sm_store_get_post (self, post_id, error)) ||
      !(media = sm_store_list_post_media (self, post_id, error)) ||
      !(options = sm_store_get_post_options (self, post_id, error)))
    return 0;

  specs = g_array_sized_new (FALSE, TRUE, sizeof (SmTargetSpec), post->targets->len);
  for (guint i = 0; i < post->targets->len; i++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, i);
      SmTargetSpec spec = { target->account_id, target->has_variant ? target->text : NULL };

      g_array_append_val (specs, spec);
    }
  files = g_array_sized_new (FALSE, TRUE, sizeof (SmPostMedia), media->len);
  for (guint i = 0; i < media->len; i++)
    g_array_append_vals (files, g_ptr_array_index (media, i), 1);

  /* A draft: nothing goes out until the user says when. */
  return sm_store_create_post_full (self, post->text, due_us, post->time_zone,
                                    (const SmTargetSpec *) specs->data, specs->len,
                                    (const SmPostMedia *) files->data, files->len,
                                    options, TRUE, error);
}

gboolean
sm_store_backdate_published_post (SmStore  *self,
                                  gint64    post_id,
                                  gint64    due_us,
                                  GError  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(SmStmt) stmt = NULL;
  gint64 old_due, n_targets, n_published;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  locker = store_lock (self);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  stmt = prepare (self,
    "SELECT p.due_us, COUNT(t.id), COUNT(CASE WHEN t.state = 'published' THEN 1 END)"
    " FROM posts p LEFT JOIN targets t ON t.post_id = p.id WHERE p.id = ?1 GROUP BY p.id", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("There is no post %" G_GINT64_FORMAT "."), post_id);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  old_due = sqlite3_column_int64 (stmt, 0);
  n_targets = sqlite3_column_int64 (stmt, 1);
  n_published = sqlite3_column_int64 (stmt, 2);
  g_clear_pointer (&stmt, stmt_release);
  if (n_targets == 0 || n_published != n_targets || due_us >= old_due)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                           _("Only a post published on every account can move back in time."));
      goto fail;
    }

  stmt = prepare (self, "UPDATE posts SET due_us = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, due_us);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);

  /* Every instant of the send moves with the post. */
  stmt = prepare (self,
    "UPDATE targets SET next_attempt_us = ?2,"
    " published_us = published_us + ?3,"
    " first_attempt_us = first_attempt_us + ?3,"
    " last_attempt_us = last_attempt_us + ?3"
    " WHERE post_id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_int64 (stmt, 2, due_us);
  sqlite3_bind_int64 (stmt, 3, due_us - old_due);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);

  if (!exec (self, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&stmt, stmt_release);
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

/* ---- media, options, uploads ------------------------------------------ */

/* Both with the lock held, inside the caller's transaction if any. */
static gboolean
insert_media (SmStore            *self,
              gint64              post_id,
              const SmPostMedia  *media,
              guint               n_media,
              GError            **error)
{
  for (guint i = 0; i < n_media; i++)
    {
      g_autoptr(SmStmt) stmt = prepare (self,
        "INSERT INTO post_media (post_id, position, path, size_bytes, sha256, mime_type)"
        " VALUES (?, ?, ?, ?, ?, ?)", error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, post_id);
      sqlite3_bind_int (stmt, 2, (int) i);
      sqlite3_bind_text (stmt, 3, media[i].path, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, media[i].size_bytes);
      sqlite3_bind_text (stmt, 5, media[i].sha256, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, media[i].mime_type, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          if ((rc & 0xff) == SQLITE_CONSTRAINT)
            g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                         _("There is no post %" G_GINT64_FORMAT "."), post_id);
          else
            set_sqlite_error (self, rc, error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
insert_option (SmStore     *self,
               gint64       post_id,
               const char  *key,
               const char  *value,
               GError     **error)
{
  g_autoptr(SmStmt) stmt = prepare (self,
    "INSERT INTO post_options (post_id, key, value) VALUES (?, ?, ?)"
    " ON CONFLICT (post_id, key) DO UPDATE SET value = excluded.value", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, post_id);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, value, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("There is no post %" G_GINT64_FORMAT "."), post_id);
      return FALSE;
    }
  return set_sqlite_error (self, rc, error);
}

void
sm_post_media_free (SmPostMedia *media)
{
  if (media == NULL)
    return;
  g_free (media->path);
  g_free (media->sha256);
  g_free (media->mime_type);
  g_free (media);
}

void
sm_upload_state_free (SmUploadState *state)
{
  if (state == NULL)
    return;
  g_free (state->session);
  g_free (state->remote_media_id);
  g_free (state);
}

gboolean
sm_store_set_post_media (SmStore            *self,
                         gint64              post_id,
                         const SmPostMedia  *media,
                         guint               n_media,
                         GError            **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  {
    g_autoptr(SmStmt) clear = prepare (self, "DELETE FROM post_media WHERE post_id = ?", error);

    if (clear == NULL)
      goto fail;
    sqlite3_bind_int64 (clear, 1, post_id);
    if (sqlite3_step (clear) != SQLITE_DONE)
      {
        set_sqlite_error (self, sqlite3_errcode (self->db), error);
        goto fail;
      }
  }
  if (!insert_media (self, post_id, media, n_media, error))
    goto fail;
  return exec (self, "COMMIT", error);

fail:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gboolean
sm_store_set_post_option (SmStore     *self,
                          gint64       post_id,
                          const char  *key,
                          const char  *value,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);

  g_return_val_if_fail (key != NULL && value != NULL, FALSE);
  return insert_option (self, post_id, key, value, error);
}

GPtrArray *
sm_store_list_post_media (SmStore  *self,
                          gint64    post_id,
                          GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_media_free);
  g_autoptr(SmStmt) stmt = prepare (self,
    "SELECT id, path, size_bytes, sha256, mime_type FROM post_media"
    " WHERE post_id = ? ORDER BY position", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, post_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SmPostMedia *media = g_new0 (SmPostMedia, 1);

      media->id = sqlite3_column_int64 (stmt, 0);
      media->path = column_dup (stmt, 1);
      media->size_bytes = sqlite3_column_int64 (stmt, 2);
      media->sha256 = column_dup (stmt, 3);
      media->mime_type = column_dup (stmt, 4);
      g_ptr_array_add (list, media);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

GHashTable *
sm_store_get_post_options (SmStore  *self,
                           gint64    post_id,
                           GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(SmStmt) stmt = prepare (self, "SELECT key, value FROM post_options WHERE post_id = ?", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, post_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (options, column_dup (stmt, 0), column_dup (stmt, 1));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&options);
}

SmUploadState *
sm_store_get_upload (SmStore  *self,
                     gint64    target_id,
                     gint64    media_id,
                     GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "SELECT session, acknowledged, remote_media_id FROM uploads"
    " WHERE target_id = ? AND media_id = ?", error);
  SmUploadState *state;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_int64 (stmt, 2, media_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  state = g_new0 (SmUploadState, 1);
  state->target_id = target_id;
  state->media_id = media_id;
  state->session = column_dup (stmt, 0);
  state->acknowledged = sqlite3_column_int64 (stmt, 1);
  state->remote_media_id = column_dup (stmt, 2);
  return state;
}

gboolean
sm_store_save_upload (SmStore              *self,
                      const SmUploadState  *state,
                      GError              **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "INSERT INTO uploads (target_id, media_id, session, acknowledged, remote_media_id, updated_us)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (target_id, media_id) DO UPDATE SET session = excluded.session,"
    "  acknowledged = excluded.acknowledged, remote_media_id = excluded.remote_media_id,"
    "  updated_us = excluded.updated_us", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, state->target_id);
  sqlite3_bind_int64 (stmt, 2, state->media_id);
  bind_text_or_null (stmt, 3, state->session);
  sqlite3_bind_int64 (stmt, 4, state->acknowledged);
  bind_text_or_null (stmt, 5, state->remote_media_id);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  return TRUE;
}

gboolean
sm_store_forget_upload (SmStore  *self,
                        gint64    target_id,
                        gint64    media_id,
                        GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self, "DELETE FROM uploads WHERE target_id = ? AND media_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_int64 (stmt, 2, media_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, sqlite3_errcode (self->db), error);
  return TRUE;
}

/* ---- first comments --------------------------------------------------- */

static const char *comment_states[] = {
  [SM_COMMENT_SENDING] = "sending",
  [SM_COMMENT_SENT] = "sent",
  [SM_COMMENT_FAILED] = "failed",
};

gboolean
sm_store_begin_comment (SmStore     *self,
                        gint64       target_id,
                        const char  *owner,
                        gboolean    *claimed,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  /* Only the lease's owner, and only once: the primary key refuses a
   * second row, and nothing ever deletes one but the target's own end. */
  g_autoptr(SmStmt) stmt = prepare (self,
    "INSERT INTO first_comments (target_id, state, updated_us)"
    " SELECT id, 'sending', ?3 FROM targets WHERE id = ?1 AND lease_owner = ?2"
    " ON CONFLICT (target_id) DO NOTHING", error);
  int rc;

  g_return_val_if_fail (claimed != NULL, FALSE);
  *claimed = FALSE;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  *claimed = sqlite3_changes (self->db) > 0;
  return TRUE;
}

gboolean
sm_store_end_comment (SmStore         *self,
                      gint64           target_id,
                      SmCommentState   state,
                      const char      *remote_id,
                      const char      *note,
                      GError         **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "UPDATE first_comments SET state = ?2, remote_id = ?3, note = ?4, updated_us = ?5"
    " WHERE target_id = ?1", error);

  g_return_val_if_fail (state == SM_COMMENT_SENT || state == SM_COMMENT_FAILED, FALSE);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, comment_states[state], -1, SQLITE_STATIC);
  bind_text_or_null (stmt, 3, remote_id);
  bind_text_or_null (stmt, 4, note);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  return step_done_changed (self, stmt, _("That post no longer exists."), error);
}

SmCommentState
sm_store_get_comment (SmStore  *self,
                      gint64    target_id,
                      char    **remote_id,
                      char    **note,
                      GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "SELECT state, remote_id, note FROM first_comments WHERE target_id = ?", error);
  const char *state;
  int rc;

  if (remote_id != NULL)
    *remote_id = NULL;
  if (note != NULL)
    *note = NULL;
  if (stmt == NULL)
    return SM_COMMENT_ERROR;
  sqlite3_bind_int64 (stmt, 1, target_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return SM_COMMENT_NONE;
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      return SM_COMMENT_ERROR;
    }
  if (remote_id != NULL)
    *remote_id = column_dup (stmt, 1);
  if (note != NULL)
    *note = column_dup (stmt, 2);
  state = (const char *) sqlite3_column_text (stmt, 0);
  for (guint i = SM_COMMENT_SENDING; i < G_N_ELEMENTS (comment_states); i++)
    if (g_strcmp0 (state, comment_states[i]) == 0)
      return (SmCommentState) i;
  return SM_COMMENT_SENDING;   /* the CHECK allows nothing else */
}

/* ---- the outbox ------------------------------------------------------- */

/* Claiming is one UPDATE … RETURNING inside BEGIN IMMEDIATE: the write lock
 * is taken before anything is read, so two publishers (even on two
 * machines sharing the file, or later two servers on PostgreSQL with
 * FOR UPDATE SKIP LOCKED) can never lease the same target. */
/* {"x":2,"youtube":0,…} for the networks with a cap; NULL without caps. */
static char *
slots_to_json (const guint *slots)
{
  GString *json;

  if (slots == NULL)
    return NULL;
  json = g_string_new ("{");
  for (SmNetwork n = SM_NETWORK_INVALID + 1; n < SM_N_NETWORKS; n++)
    g_string_append_printf (json, "%s\"%s\":%u", json->len > 1 ? "," : "",
                            sm_network_to_string (n), slots[n]);
  g_string_append_c (json, '}');
  return g_string_free (json, FALSE);
}

GPtrArray *
sm_store_claim_due (SmStore       *self,
                    const char    *owner,
                    gint64         now_us,
                    gint64         lease_us,
                    guint          max,
                    const GArray  *exclude,
                    GError       **error)
{
  return sm_store_claim_due_limited (self, owner, now_us, lease_us, max, exclude, NULL, NULL, error);
}

/* {"12":1795953200000000,…}: accounts held until then; NULL without. */
static char *
holds_to_json (GHashTable *holds)
{
  GHashTableIter iter;
  gpointer key, value;
  GString *json;

  if (holds == NULL || g_hash_table_size (holds) == 0)
    return NULL;
  json = g_string_new ("{");
  g_hash_table_iter_init (&iter, holds);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (json, "%s\"%" G_GINT64_FORMAT "\":%" G_GINT64_FORMAT,
                            json->len > 1 ? "," : "", *(gint64 *) key, *(gint64 *) value);
  g_string_append_c (json, '}');
  return g_string_free (json, FALSE);
}

GPtrArray *
sm_store_claim_due_limited (SmStore       *self,
                            const char    *owner,
                            gint64         now_us,
                            gint64         lease_us,
                            guint          max,
                            const GArray  *exclude,
                            const guint   *slots,
                            GHashTable    *holds,
                            GError       **error)
{
  g_autofree char *slots_json = slots_to_json (slots);
  g_autofree char *holds_json = holds_to_json (holds);
  g_autoptr(GString) exclude_json = g_string_new ("[");
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) claimed = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_target_free);
  int rc;

  g_return_val_if_fail (owner != NULL, NULL);

  for (guint i = 0; exclude && i < exclude->len; i++)
    g_string_append_printf (exclude_json, "%s%" G_GINT64_FORMAT, i ? "," : "",
                            g_array_index (exclude, gint64, i));
  g_string_append_c (exclude_json, ']');

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  stmt = prepare (self,
    "UPDATE targets SET"
    "  state = CASE state WHEN 'scheduled' THEN 'publishing' ELSE 'unconfirmed' END,"
    "  attempts = attempts + 1,"
    "  first_attempt_us = COALESCE (first_attempt_us, CASE WHEN state = 'scheduled' THEN ?1 END),"
    "  last_attempt_us = CASE WHEN state = 'scheduled' THEN ?1 ELSE last_attempt_us END,"
    "  last_error = CASE WHEN state = 'publishing' THEN ?4 ELSE last_error END,"
    "  lease_owner = ?2, lease_until_us = ?1 + ?3, updated_us = ?1"
    " WHERE id IN (SELECT id FROM ("
    "     SELECT t.id, t.next_attempt_us, a.network,"
    "       ROW_NUMBER () OVER (PARTITION BY a.network"
    "                           ORDER BY t.next_attempt_us, t.id) AS rank"
    "     FROM targets t JOIN accounts a ON a.id = t.account_id"
    "     WHERE ((t.state IN ('scheduled', 'unconfirmed') AND t.next_attempt_us <= ?1"
    "             AND (t.lease_until_us IS NULL OR t.lease_until_us <= ?1)"
    "             AND COALESCE (json_extract (?8, '$.\"' || t.account_id || '\"'), 0) <= ?1)"
    "         OR (t.state = 'publishing' AND t.lease_until_us <= ?1))"
    "       AND t.id NOT IN (SELECT value FROM json_each (?6)))"
    "   WHERE rank <= COALESCE (json_extract (?7, '$.' || network), ?5)"
    "   ORDER BY next_attempt_us, id LIMIT ?5)"
    " RETURNING id", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now_us);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, lease_us);
  sqlite3_bind_text (stmt, 4, _("The publisher stopped while sending this post; "
                                "checking with the network whether it went out."), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 5, (int) MIN (max, G_MAXINT));
  sqlite3_bind_text (stmt, 6, exclude_json->str, -1, SQLITE_TRANSIENT);
  if (slots_json != NULL)
    sqlite3_bind_text (stmt, 7, slots_json, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 7);
  if (holds_json != NULL)
    sqlite3_bind_text (stmt, 8, holds_json, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 8);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GPtrArray) rows = load_targets (self, "t.id = ?", g_array_index (ids, gint64, i), error);

      if (rows == NULL)
        goto fail;
      if (rows->len == 1)
        g_ptr_array_add (claimed, sm_target_copy (g_ptr_array_index (rows, 0)));
    }

  if (!exec (self, "COMMIT", error))
    goto fail;
  return g_steal_pointer (&claimed);

fail:
  exec (self, "ROLLBACK", NULL);
  return NULL;
}

guint
sm_store_expire_leases_of (SmStore     *self,
                           const char  *owner,
                           GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "UPDATE targets SET lease_until_us = 0"
    " WHERE (lease_owner = ?1 OR substr (lease_owner, 1, length (?1) + 1) = ?1 || '#')"
    " AND lease_until_us > 0", error);
  int rc;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, owner, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return 0;
    }
  return (guint) sqlite3_changes (self->db);
}

guint
sm_store_renew_leases_of (SmStore     *self,
                          const char  *owner,
                          gint64       now_us,
                          gint64       until_us,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "UPDATE targets SET lease_until_us = ?3"
    " WHERE (lease_owner = ?1 OR substr (lease_owner, 1, length (?1) + 1) = ?1 || '#')"
    " AND lease_until_us > ?2 AND lease_until_us < ?3", error);
  int rc;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, owner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now_us);
  sqlite3_bind_int64 (stmt, 3, until_us);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return 0;
    }
  return (guint) sqlite3_changes (self->db);
}

GStrv
sm_store_list_lease_owners (SmStore  *self,
                            GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(SmStmt) stmt = prepare (self,
    "SELECT DISTINCT lease_owner FROM targets WHERE lease_owner IS NOT NULL"
    " AND lease_until_us > ? AND state IN ('publishing', 'unconfirmed')", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

gint64
sm_store_next_wakeup_us (SmStore  *self,
                         GError  **error)
{
  return sm_store_next_wakeup_limited_us (self, NULL, NULL, error);
}

gint64
sm_store_next_wakeup_limited_us (SmStore      *self,
                                 const guint  *slots,
                                 GHashTable   *holds,
                                 GError      **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autofree char *slots_json = slots_to_json (slots);
  g_autofree char *holds_json = holds_to_json (holds);
  g_autoptr(SmStmt) stmt = prepare (self,
    "SELECT MIN (CASE"
    "  WHEN t.state = 'publishing' THEN t.lease_until_us"
    "  ELSE MAX (t.next_attempt_us, COALESCE (t.lease_until_us, 0),"
    "            COALESCE (json_extract (?2, '$.\"' || t.account_id || '\"'), 0)) END)"
    " FROM targets t JOIN accounts a ON a.id = t.account_id"
    " WHERE t.state IN ('scheduled', 'publishing', 'unconfirmed')"
    "   AND COALESCE (json_extract (?1, '$.' || a.network), 1) > 0", error);
  int rc;

  if (stmt == NULL)
    return G_MAXINT64;
  if (slots_json != NULL)
    sqlite3_bind_text (stmt, 1, slots_json, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 1);
  if (holds_json != NULL)
    sqlite3_bind_text (stmt, 2, holds_json, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      return G_MAXINT64;
    }
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return G_MAXINT64;
  return sqlite3_column_int64 (stmt, 0);
}

guint
sm_store_count_queued (SmStore  *self,
                       GError  **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "SELECT COUNT (*) FROM targets WHERE state IN ('scheduled', 'publishing', 'unconfirmed')", error);
  int rc;

  if (stmt == NULL)
    return 0;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, rc, error);
      return 0;
    }
  return (guint) sqlite3_column_int64 (stmt, 0);
}

static gboolean
transition (SmStore        *self,
            const char     *sql,
            gint64          target_id,
            const char     *owner,
            GError        **error,
            ...)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self, sql, error);
  va_list args;
  int idx = 3;
  int kind;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, owner, -1, SQLITE_TRANSIENT);

  /* Extra parameters come as (kind, value) pairs: 's' text, 'x' int64. */
  va_start (args, error);
  while ((kind = va_arg (args, int)) != 0)
    {
      if (kind == 's')
        bind_text_or_null (stmt, idx++, va_arg (args, const char *));
      else
        sqlite3_bind_int64 (stmt, idx++, va_arg (args, gint64));
    }
  va_end (args);

  return step_done_changed (self, stmt,
                            _("Another publisher took over this post."), error);
}

#define OWNED " WHERE id = ?1 AND lease_owner = ?2"

gboolean
sm_store_mark_publishing (SmStore     *self,
                          gint64       target_id,
                          const char  *owner,
                          GError     **error)
{
  return transition (self,
                     "UPDATE targets SET state = 'publishing', attempts = attempts + 1,"
                     " first_attempt_us = COALESCE (first_attempt_us, ?3), last_attempt_us = ?3,"
                     " updated_us = ?3" OWNED,
                     target_id, owner, error, 'x', g_get_real_time (), 0);
}

gboolean
sm_store_mark_published (SmStore     *self,
                         gint64       target_id,
                         const char  *owner,
                         const char  *remote_id,
                         const char  *permalink,
                         gint64       now_us,
                         GError     **error)
{
  return transition (self,
                     "UPDATE targets SET state = 'published', remote_id = ?3, permalink = ?4,"
                     " published_us = ?5, last_error = NULL, lease_owner = NULL,"
                     " lease_until_us = NULL, next_attempt_us = NULL, updated_us = ?5" OWNED,
                     target_id, owner, error,
                     's', remote_id, 's', permalink, 'x', now_us, 0);
}

gboolean
sm_store_mark_failed (SmStore     *self,
                      gint64       target_id,
                      const char  *owner,
                      const char  *reason,
                      GError     **error)
{
  return transition (self,
                     "UPDATE targets SET state = 'failed', last_error = ?3, lease_owner = NULL,"
                     " lease_until_us = NULL, next_attempt_us = NULL, updated_us = ?4" OWNED,
                     target_id, owner, error,
                     's', reason, 'x', g_get_real_time (), 0);
}

gboolean
sm_store_mark_retry (SmStore     *self,
                     gint64       target_id,
                     const char  *owner,
                     gint64       next_attempt_us,
                     const char  *reason,
                     GError     **error)
{
  return transition (self,
                     "UPDATE targets SET state = 'scheduled', next_attempt_us = ?3, last_error = ?4,"
                     " lease_owner = NULL, lease_until_us = NULL, updated_us = ?5" OWNED,
                     target_id, owner, error,
                     'x', next_attempt_us, 's', reason, 'x', g_get_real_time (), 0);
}

guint
sm_store_defer_account (SmStore     *self,
                        gint64       account_id,
                        gint64       until_us,
                        const char  *reason,
                        GError     **error)
{
  g_autoptr(GMutexLocker) locker = store_lock (self);
  g_autoptr(SmStmt) stmt = prepare (self,
    "UPDATE targets SET next_attempt_us = ?2, last_error = ?3, updated_us = ?4"
    " WHERE account_id = ?1 AND state = 'scheduled' AND next_attempt_us < ?2"
    "   AND (lease_until_us IS NULL OR lease_until_us <= ?4)", error);
  int rc;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, until_us);
  sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, rc, error);
      return 0;
    }
  return (guint) sqlite3_changes (self->db);
}

gboolean
sm_store_mark_unconfirmed (SmStore     *self,
                           gint64       target_id,
                           const char  *owner,
                           gint64       next_attempt_us,
                           const char  *reason,
                           GError     **error)
{
  return transition (self,
                     "UPDATE targets SET state = 'unconfirmed', next_attempt_us = ?3, last_error = ?4,"
                     " lease_owner = NULL, lease_until_us = NULL, updated_us = ?5" OWNED,
                     target_id, owner, error,
                     'x', next_attempt_us, 's', reason, 'x', g_get_real_time (), 0);
}

/* ---- GObject ---------------------------------------------------------- */

static void
sm_store_finalize (GObject *object)
{
  SmStore *self = SM_STORE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->dir, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sm_store_parent_class)->finalize (object);
}

static void
sm_store_class_init (SmStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sm_store_finalize;
}

static void
sm_store_init (SmStore *self)
{
  g_mutex_init (&self->lock);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, statement_free);
}
