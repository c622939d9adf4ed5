/* sm-store.h — the profile's SQLite database: the single source of truth.
 *
 * All SQL lives in sm-store.c.  One SmStore per process and thread; the UI,
 * the CLI and the publisher each open their own, and SQLite (WAL) arbitrates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "sm-network.h"
#include "sm-error.h"

G_BEGIN_DECLS

typedef enum
{
  SM_TARGET_DRAFT,
  SM_TARGET_SCHEDULED,
  SM_TARGET_PUBLISHING,
  SM_TARGET_PUBLISHED,
  SM_TARGET_FAILED,
  SM_TARGET_UNCONFIRMED,
} SmTargetState;

const char    *sm_target_state_to_string   (SmTargetState state);
SmTargetState  sm_target_state_from_string (const char   *str);
/* Translated, for people: "Scheduled", "Publishing", ... */
const char    *sm_target_state_display     (SmTargetState state);

typedef enum
{
  SM_ACCOUNT_CONNECTED,
  SM_ACCOUNT_NEEDS_RECONNECT,
} SmAccountState;

const char    *sm_account_state_to_string   (SmAccountState state);

typedef struct
{
  gint64          id;
  gint64          workspace_id;
  SmNetwork       network;
  char           *remote_id;
  char           *name;
  char           *handle;
  SmAccountState  state;
} SmAccount;

void sm_account_free (SmAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAccount, sm_account_free)

/* A workspace: its own accounts, posts, calendar and time zone. */
typedef struct
{
  gint64  id;
  char   *name;
  char   *time_zone;   /* IANA zone its calendar is laid out in */
} SmWorkspace;

void sm_workspace_free (SmWorkspace *workspace);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmWorkspace, sm_workspace_free)

typedef struct
{
  gint64         id;
  gint64         post_id;
  gint64         account_id;
  SmNetwork      network;
  char          *account_name;
  char          *account_remote_id;
  char          *text;            /* the text this account gets */
  gboolean       has_variant;     /* text differs from the post's */
  SmTargetState  state;
  int            attempts;
  gint64         next_attempt_us; /* scheduled/unconfirmed: when to act */
  gint64         first_attempt_us;/* when the first publish attempt started, 0 if none */
  char          *lease_owner;
  gint64         lease_until_us;
  char          *remote_id;
  char          *permalink;
  char          *last_error;      /* the network's reason, in words */
  gint64         published_us;
  gint64         last_attempt_us; /* when the last send started, 0 if none */
} SmTarget;

void       sm_target_free (SmTarget *target);
SmTarget  *sm_target_copy (const SmTarget *target);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmTarget, sm_target_free)

typedef struct
{
  gint64     id;
  gint64     workspace_id;
  char      *text;
  gint64     due_us;      /* UTC instant, microseconds since the epoch */
  char      *time_zone;   /* IANA zone the user meant, e.g. "Europe/Berlin" */
  gint64     created_us;
  GPtrArray *targets;     /* SmTarget, ordered by id */
} SmPost;

void sm_post_free (SmPost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmPost, sm_post_free)

/* A file attached to a post, as it was when the post was scheduled: the
 * publisher refuses to send a file whose size or hash changed since. */
typedef struct
{
  gint64  id;
  char   *path;
  gint64  size_bytes;
  char   *sha256;      /* lowercase hex */
  char   *mime_type;
} SmPostMedia;

void sm_post_media_free (SmPostMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmPostMedia, sm_post_media_free)

/* Where an upload of one file for one target stands, so that a publisher
 * that died resumes from what the network acknowledged. */
typedef struct
{
  gint64  target_id;
  gint64  media_id;
  char   *session;        /* the network's upload session (URL or id) */
  gint64  acknowledged;   /* bytes the network confirmed */
  char   *remote_media_id;/* set once the network has the whole file */
} SmUploadState;

void sm_upload_state_free (SmUploadState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmUploadState, sm_upload_state_free)

/* One account a new post goes to, with its own text or NULL for the post's. */
typedef struct
{
  gint64      account_id;
  const char *text;
} SmTargetSpec;

#define SM_STORE_SCHEMA_VERSION 5

#define SM_TYPE_STORE (sm_store_get_type ())
G_DECLARE_FINAL_TYPE (SmStore, sm_store, SM, STORE, GObject)

/* $XDG_DATA_HOME/so-me-studio, created 0700. */
char      *sm_store_default_dir        (void);

/* Opens (creating and migrating) the database in @dir, or the default
 * directory when NULL.  Fails with SM_STORE_ERROR_TOO_NEW, touching nothing,
 * when a newer version wrote it. */
SmStore   *sm_store_open               (const char    *dir,
                                        GError       **error);
const char *sm_store_get_dir           (SmStore       *self);
/* Changes whenever the database does, from any connection. */
gint64     sm_store_get_change_stamp   (SmStore       *self);

/* Workspaces: the default one is created on first open with the local zone. */
gint64     sm_store_get_default_workspace (SmStore    *self,
                                           char      **time_zone,
                                           GError    **error);

/* SmWorkspace ordered by name (then id); never empty. */
GPtrArray *sm_store_list_workspaces    (SmStore       *self,
                                        GError       **error);
/* NOT_FOUND for an unknown id; @workspace_id <= 0: the default one. */
SmWorkspace *sm_store_get_workspace    (SmStore       *self,
                                        gint64         workspace_id,
                                        GError       **error);
/* The id of the workspace named @name (trimmed, compared without regard
 * to case), or 0 with NOT_FOUND. */
gint64     sm_store_find_workspace     (SmStore       *self,
                                        const char    *name,
                                        GError       **error);
/* The id of @workspace_id, or of the default workspace when it is <= 0,
 * and its zone; 0 with NOT_FOUND for an id that does not exist. */
gint64     sm_store_resolve_workspace  (SmStore       *self,
                                        gint64         workspace_id,
                                        char         **time_zone,
                                        GError       **error);
/* A new workspace.  The name is trimmed and must be non-empty and not
 * another workspace's (ignoring case); @zone must be an IANA zone (NULL:
 * the local one).  SM_STORE_ERROR_INVALID with a message for people
 * otherwise. */
gint64     sm_store_create_workspace   (SmStore       *self,
                                        const char    *name,
                                        const char    *zone,
                                        GError       **error);
gboolean   sm_store_rename_workspace   (SmStore       *self,
                                        gint64         workspace_id,
                                        const char    *name,
                                        GError       **error);
/* The calendar's zone; posts keep the zone they were written in. */
gboolean   sm_store_set_workspace_zone (SmStore       *self,
                                        gint64         workspace_id,
                                        const char    *zone,
                                        GError       **error);
/* Refused with SM_STORE_ERROR_INVALID for the last workspace and for one
 * that still has accounts (disconnect them first: their tokens and posts
 * go with them).  Its drafts without accounts go with it. */
gboolean   sm_store_delete_workspace   (SmStore       *self,
                                        gint64         workspace_id,
                                        GError       **error);

/* Accounts (no secrets here: tokens live in the keyring). */
gint64     sm_store_upsert_account     (SmStore       *self,
                                        gint64         workspace_id,
                                        SmNetwork      network,
                                        const char    *remote_id,
                                        const char    *name,
                                        const char    *handle,
                                        GError       **error);
GPtrArray *sm_store_list_accounts      (SmStore       *self,
                                        GError       **error);
/* The accounts of one workspace (<= 0: the default one). */
GPtrArray *sm_store_list_accounts_in   (SmStore       *self,
                                        gint64         workspace_id,
                                        GError       **error);
SmAccount *sm_store_get_account        (SmStore       *self,
                                        gint64         account_id,
                                        GError       **error);
gboolean   sm_store_set_account_state  (SmStore       *self,
                                        gint64         account_id,
                                        SmAccountState state,
                                        GError       **error);
/* Deletes the account and its targets; posts left with no target go too. */
gboolean   sm_store_delete_account     (SmStore       *self,
                                        gint64         account_id,
                                        GError       **error);

/* Queue slots: weekly posting times of an account, a wall-clock time in
 * the account's zone (sm-queue.h reads them). */
typedef struct
{
  int weekday;   /* ISO: 1 Monday … 7 Sunday */
  int minute;    /* of the day, 0 … 1439 */
} SmQueueSlot;

/* SmQueueSlot ordered by weekday and time; NOT_FOUND for an unknown account. */
GArray    *sm_store_list_queue_slots   (SmStore       *self,
                                        gint64         account_id,
                                        GError       **error);
/* Adding a slot the account already has is no change and no error. */
gboolean   sm_store_add_queue_slot     (SmStore       *self,
                                        gint64         account_id,
                                        int            weekday,
                                        int            minute,
                                        GError       **error);
/* NOT_FOUND when the account has no such slot. */
gboolean   sm_store_remove_queue_slot  (SmStore       *self,
                                        gint64         account_id,
                                        int            weekday,
                                        int            minute,
                                        GError       **error);
/* The zone an account's posting times are meant in: its own, else the
 * workspace's. */
char      *sm_store_get_account_zone   (SmStore       *self,
                                        gint64         account_id,
                                        GError       **error);
/* @zone NULL: follow the workspace's zone again. */
gboolean   sm_store_set_account_zone   (SmStore       *self,
                                        gint64         account_id,
                                        const char    *zone,
                                        GError       **error);
/* The due instants (gint64, ascending) in [from_us, to_us) of the posts an
 * account has scheduled, being sent, unconfirmed or published: the times
 * its queue has taken. */
GArray    *sm_store_list_account_due   (SmStore       *self,
                                        gint64         account_id,
                                        gint64         from_us,
                                        gint64         to_us,
                                        GError       **error);

/* Posts.  @due_us must not be in the past (more than a minute) unless
 * @draft; unknown accounts and empty text are refused with
 * SM_STORE_ERROR_INVALID and a message for people. */
gint64     sm_store_create_post        (SmStore            *self,
                                        const char         *text,
                                        gint64              due_us,
                                        const char         *time_zone,
                                        const SmTargetSpec *targets,
                                        guint               n_targets,
                                        gboolean            draft,
                                        GError            **error);
/* The same, with the post's files (in order) and per-network options
 * ("youtube.title" → "…") saved in the same transaction. */
gint64     sm_store_create_post_full   (SmStore            *self,
                                        const char         *text,
                                        gint64              due_us,
                                        const char         *time_zone,
                                        const SmTargetSpec *targets,
                                        guint               n_targets,
                                        const SmPostMedia  *media,
                                        guint               n_media,
                                        GHashTable         *options,
                                        gboolean            draft,
                                        GError            **error);
/* One post for sm_store_create_posts_full(): the arguments of
 * sm_store_create_post_full(). */
typedef struct
{
  const char         *text;
  gint64              due_us;
  const char         *time_zone;
  const SmTargetSpec *targets;
  guint               n_targets;
  const SmPostMedia  *media;
  guint               n_media;
  GHashTable         *options;
  gboolean            draft;
} SmNewPost;

/* Saves @n_posts posts in one transaction: all of them or, on any error,
 * none.  Their ids go to @post_ids (room for @n_posts; may be NULL). */
gboolean   sm_store_create_posts_full  (SmStore            *self,
                                        const SmNewPost    *posts,
                                        guint               n_posts,
                                        gint64             *post_ids,
                                        GError            **error);
/* Saves one post (as sm_store_create_posts_full()) at a queue slot chosen
 * before: refused with SM_STORE_ERROR_TAKEN, saving nothing, when one of
 * its accounts has meanwhile got a post (scheduled, being sent,
 * unconfirmed or published) due within the minute of @post->due_us.  The
 * check and the insert are one transaction, so two writers never take
 * the same slot (sm_queue_create_post() picks again). */
gint64     sm_store_create_post_in_slot (SmStore           *self,
                                        const SmNewPost    *post,
                                        GError            **error);
/* Attaches files (in order) and per-network options ("youtube.title" →
 * "…") to a post, in one transaction; meant right after creating it. */
gboolean   sm_store_set_post_media     (SmStore            *self,
                                        gint64              post_id,
                                        const SmPostMedia  *media,
                                        guint               n_media,
                                        GError            **error);
gboolean   sm_store_set_post_option    (SmStore            *self,
                                        gint64              post_id,
                                        const char         *key,
                                        const char         *value,
                                        GError            **error);
/* SmPostMedia in order. */
GPtrArray *sm_store_list_post_media    (SmStore            *self,
                                        gint64              post_id,
                                        GError            **error);
/* key → value, both strings. */
GHashTable *sm_store_get_post_options  (SmStore            *self,
                                        gint64              post_id,
                                        GError            **error);

/* Upload progress, kept per target and file; NULL without error when none. */
SmUploadState *sm_store_get_upload     (SmStore            *self,
                                        gint64              target_id,
                                        gint64              media_id,
                                        GError            **error);
gboolean   sm_store_save_upload        (SmStore            *self,
                                        const SmUploadState *state,
                                        GError            **error);
gboolean   sm_store_forget_upload      (SmStore            *self,
                                        gint64              target_id,
                                        gint64              media_id,
                                        GError            **error);

SmPost    *sm_store_get_post           (SmStore       *self,
                                        gint64         post_id,
                                        GError       **error);
/* Posts due in [from_us, to_us), oldest first, with their targets. */
GPtrArray *sm_store_list_posts         (SmStore       *self,
                                        gint64         from_us,
                                        gint64         to_us,
                                        GError       **error);
/* The same, for one workspace's posts (<= 0: the default one). */
GPtrArray *sm_store_list_posts_in      (SmStore       *self,
                                        gint64         workspace_id,
                                        gint64         from_us,
                                        gint64         to_us,
                                        GError       **error);
/* Removes one account's part of a post (and the post with its last
 * part); refused with NOT_FOUND while a publisher holds it. */
gboolean   sm_store_delete_target      (SmStore       *self,
                                        gint64         target_id,
                                        GError       **error);
/* A target's first comment (NET.first_comment), sent at most once. */
typedef enum
{
  SM_COMMENT_ERROR = -1,   /* the store could not tell (error is set) */
  SM_COMMENT_NONE = 0,     /* not begun: it may be sent */
  SM_COMMENT_SENDING,      /* begun, no outcome recorded: it may be out */
  SM_COMMENT_SENT,
  SM_COMMENT_FAILED,       /* the network refused it; note says why */
} SmCommentState;

/* Records that the comment is being sent, only while @owner holds the
 * target's lease and only if nothing was recorded before: *@claimed is
 * TRUE when this call did, and only then may the comment be sent. */
gboolean   sm_store_begin_comment      (SmStore        *self,
                                        gint64          target_id,
                                        const char     *owner,
                                        gboolean       *claimed,
                                        GError        **error);
/* The outcome: SM_COMMENT_SENT with the network's id, or SM_COMMENT_FAILED
 * with the note the target shows. */
gboolean   sm_store_end_comment        (SmStore        *self,
                                        gint64          target_id,
                                        SmCommentState  state,
                                        const char     *remote_id,
                                        const char     *note,
                                        GError        **error);
SmCommentState sm_store_get_comment    (SmStore        *self,
                                        gint64          target_id,
                                        char          **remote_id,
                                        char          **note,
                                        GError        **error);
/* A note on a published part (last_error): what did not happen, such as
 * a refused thumbnail. */
gboolean   sm_store_set_target_note    (SmStore       *self,
                                        gint64         target_id,
                                        const char    *note,
                                        GError       **error);
/* The text this account's part says (its own variant). */
gboolean   sm_store_set_target_text    (SmStore       *self,
                                        gint64         target_id,
                                        const char    *text,
                                        GError       **error);
gboolean   sm_store_delete_post        (SmStore       *self,
                                        gint64         post_id,
                                        GError       **error);
SmTarget  *sm_store_get_target         (SmStore       *self,
                                        gint64         target_id,
                                        GError       **error);
/* Puts a failed target back in the queue, due now; one that was ever sent
 * comes back unconfirmed, so the network is asked before it is sent again. */
gboolean   sm_store_retry_target       (SmStore       *self,
                                        gint64         target_id,
                                        GError       **error);
/* Moves a post to @due_us.  Only a post none of whose targets has left
 * (scheduled, draft, or failed before anything was sent) can move; the
 * failed ones come back scheduled.  Refused with SM_STORE_ERROR_INVALID
 * and a message for people when a target is published (duplicate it
 * instead), being sent or unconfirmed (check it first), or failed after
 * a send (retry it, which asks the network first); and when @due_us is
 * in the past for a post that is not a draft. */
gboolean   sm_store_reschedule_post    (SmStore       *self,
                                        gint64         post_id,
                                        gint64         due_us,
                                        GError       **error);
/* Whether @post, as read, may still be moved or edited: none of its
 * targets is published, being sent, unconfirmed, or failed after a send
 * (the rule sm_store_reschedule_post() and sm_store_update_post_full()
 * apply, which also refuse a target a publisher holds right now). */
gboolean   sm_post_can_change          (const SmPost       *post);
/* Replaces what the composer edits of a post, keeping its id, in one
 * transaction: text, due time and zone, accounts (a kept account keeps
 * its target; new ones are added, the others removed) with their own
 * texts, files (in order), options, and whether it is a draft
 * (@post->draft) or scheduled.  Allowed under the rule of
 * sm_store_reschedule_post(): refused with SM_STORE_ERROR_INVALID and a
 * message for people when a target is published, being sent,
 * unconfirmed, or failed after a send; NOT_FOUND for no such post.  The
 * checks of sm_store_create_post_full() apply (text, accounts, zone, no
 * past time unless a draft). */
gboolean   sm_store_update_post_full   (SmStore            *self,
                                        gint64              post_id,
                                        const SmNewPost    *post,
                                        GError            **error);
/* A new draft with @post_id's text, accounts (with their own texts),
 * files and options, due at @due_us in the post's zone.  Returns its id. */
gint64     sm_store_duplicate_post     (SmStore       *self,
                                        gint64         post_id,
                                        gint64         due_us,
                                        GError       **error);

/* For the demo's history only (sm-demo.c): moves a post that the
 * publisher has published on every target back to @due_us, earlier than
 * its time, with its targets' send and publish times moved by as much, so
 * that posts really sent at the demo's start show a week of past posts.
 * Refused with SM_STORE_ERROR_INVALID otherwise. */
gboolean   sm_store_backdate_published_post (SmStore  *self,
                                        gint64         post_id,
                                        gint64         due_us,
                                        GError       **error);

/* ---- The outbox (used by the publisher) ------------------------------
 *
 * A target is claimed by setting a lease (owner, until) in one statement, so
 * two publishers never take the same target.  Claiming returns:
 *  - scheduled targets that are due: now `publishing`, attempts + 1;
 *  - unconfirmed targets that are due: still `unconfirmed`, leased, to be
 *    reconciled with the network before anything is sent again;
 *  - publishing targets whose lease expired (their publisher died): turned
 *    `unconfirmed` and leased, for the same reconciliation.
 * Every claim counts as an attempt.  @exclude (gint64 target ids, may be
 * NULL) are never claimed: the caller is still working on them.  An owner
 * should be unique per claim ("PROCESS#N"), so that a worker whose claim
 * was taken over can no longer change the target.
 */
GPtrArray *sm_store_claim_due          (SmStore       *self,
                                        const char    *owner,
                                        gint64         now_us,
                                        gint64         lease_us,
                                        guint          max,
                                        const GArray  *exclude,
                                        GError       **error);
/* The same, with at most @slots[network] targets of each network (an array
 * of SM_N_NETWORKS; NULL: no caps), the earliest due first in each, and
 * none of an account in @holds (gint64* account id → gint64* instant; may
 * be NULL) before its instant: a network asked it to wait. */
GPtrArray *sm_store_claim_due_limited  (SmStore       *self,
                                        const char    *owner,
                                        gint64         now_us,
                                        gint64         lease_us,
                                        guint          max,
                                        const GArray  *exclude,
                                        const guint   *slots,
                                        GHashTable    *holds,
                                        GError       **error);
/* Leases held by @owner, or by its claims ("OWNER#N"), end now: the
 * process is known to be dead. */
guint      sm_store_expire_leases_of   (SmStore       *self,
                                        const char    *owner,
                                        GError       **error);
/* Leases @owner (or its claims) still holds at @now_us last until
 * @until_us: a long upload keeps its target.  A lease that ran out (and
 * may have been taken over) is not renewed. */
guint      sm_store_renew_leases_of    (SmStore       *self,
                                        const char    *owner,
                                        gint64         now_us,
                                        gint64         until_us,
                                        GError       **error);
/* Distinct owners of live leases, for a liveness check. */
GStrv      sm_store_list_lease_owners  (SmStore       *self,
                                        GError       **error);
/* The earliest instant at which something needs doing, G_MAXINT64 if none. */
gint64     sm_store_next_wakeup_us     (SmStore       *self,
                                        GError       **error);
/* The same, leaving out networks with no free slot (@slots as for
 * sm_store_claim_due_limited): a finished job wakes the caller for those;
 * an account in @holds waits for its instant. */
gint64     sm_store_next_wakeup_limited_us (SmStore   *self,
                                        const guint   *slots,
                                        GHashTable    *holds,
                                        GError       **error);
/* The network asked to wait for the whole account: every scheduled,
 * unleased target of @account_id due before @until_us waits until then,
 * with @reason shown.  Returns how many. */
guint      sm_store_defer_account      (SmStore       *self,
                                        gint64         account_id,
                                        gint64         until_us,
                                        const char    *reason,
                                        GError       **error);
/* Targets scheduled, publishing or unconfirmed. */
guint      sm_store_count_queued       (SmStore       *self,
                                        GError       **error);

/* Transitions; each applies only while @owner holds the lease (FALSE with
 * SM_STORE_ERROR_NOT_FOUND otherwise). */
gboolean   sm_store_mark_publishing    (SmStore       *self,
                                        gint64         target_id,
                                        const char    *owner,
                                        GError       **error);
gboolean   sm_store_mark_published     (SmStore       *self,
                                        gint64         target_id,
                                        const char    *owner,
                                        const char    *remote_id,
                                        const char    *permalink,
                                        gint64         now_us,
                                        GError       **error);
gboolean   sm_store_mark_failed        (SmStore       *self,
                                        gint64         target_id,
                                        const char    *owner,
                                        const char    *reason,
                                        GError       **error);
gboolean   sm_store_mark_retry         (SmStore       *self,
                                        gint64         target_id,
                                        const char    *owner,
                                        gint64         next_attempt_us,
                                        const char    *reason,
                                        GError       **error);
gboolean   sm_store_mark_unconfirmed   (SmStore       *self,
                                        gint64         target_id,
                                        const char    *owner,
                                        gint64         next_attempt_us,
                                        const char    *reason,
                                        GError       **error);

G_END_DECLS
