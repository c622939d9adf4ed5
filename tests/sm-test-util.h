/* sm-test-util.h — driving the installed programs the way a user does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A profile of its own (data and config folders), the environment the
 * programs get, and the sandbox it talks to. */
typedef struct
{
  char        *dir;
  char        *data_home;
  char        *config_home;
  char        *sandbox_url;
  GSubprocess *sandbox;
  char       **env;
} SmTestProfile;

/* The installed program @name from $SM_PREFIX (bin/ or libexec/). */
char          *sm_test_program          (const char     *name);

SmTestProfile *sm_test_profile_new      (void);
void           sm_test_profile_free     (SmTestProfile  *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmTestProfile, sm_test_profile_free)

/* Deletes the file or folder @path with all it holds (a fixture folder). */
void           sm_test_remove_tree      (const char     *path);

/* Points D-Bus activation at this profile and sandbox, as a user's session
 * would have it; stops any running publisher first. */
void           sm_test_profile_activate (SmTestProfile  *profile);

/* Runs `so-me ARGS…` in the profile's environment; returns its exit status
 * and what it printed. */
int            sm_test_cli              (SmTestProfile  *profile,
                                         const char     *stdin_text,
                                         char          **out,
                                         char          **err,
                                         ...) G_GNUC_NULL_TERMINATED;

/* Connects an account of @network through the CLI (--print-url, then curl
 * -L on the address, as a browser would); returns its account id. */
gint64         sm_test_connect          (SmTestProfile  *profile,
                                         const char     *network);

/* GET/POST on the sandbox, answering JSON. */
JsonNode      *sm_test_sandbox_get      (SmTestProfile  *profile,
                                         const char     *path);
void           sm_test_sandbox_post     (SmTestProfile  *profile,
                                         const char     *path,
                                         const char     *json);
/* POST on the sandbox, answered with @status (0: any 2xx); its JSON
 * answer, or NULL for an empty one. */
JsonNode      *sm_test_sandbox_call     (SmTestProfile  *profile,
                                         const char     *path,
                                         const char     *json,
                                         guint           status);
guint          sm_test_sandbox_count_posts (SmTestProfile *profile);

/* The publisher on the session bus: its pid, or 0 when none runs. */
guint32        sm_test_publisher_pid    (void);
void           sm_test_stop_publisher   (int             signum);

/* Calls Wake on the publisher over the session bus (activating it when
 * none runs), as the app does after a change; asserts it answered. */
void           sm_test_wake_publisher   (void);

/* `so-me status ID --json` parsed. */
JsonNode      *sm_test_status           (SmTestProfile  *profile,
                                         gint64          post_id);
/* The state of every target of @post_id, e.g. "published,published". */
char          *sm_test_target_states    (SmTestProfile  *profile,
                                         gint64          post_id);

/* For sm_test_wait_for (sm_test_states_are, &wait, …): waits until the
 * targets of @post_id in @profile are in the states @want, e.g.
 * "published,published". */
typedef struct
{
  SmTestProfile *profile;
  gint64         post_id;
  const char    *want;
} SmTestWait;

gboolean       sm_test_states_are       (gpointer        wait);

/* Polls @check every 100 ms until it returns TRUE or @timeout_s pass. */
gboolean       sm_test_wait_for         (gboolean      (*check) (gpointer),
                                         gpointer        data,
                                         double          timeout_s);

/* A first comment (NET.first_comment) the whole way: `so-me post`, the
 * installed publisher, the profile's sandbox.  What a network's case says
 * about its calls: */
typedef struct
{
  const char *network;        /* "facebook" */
  const char *comment_host;   /* the comment call, for faults */
  const char *comment_path;   /* a glob, as for faults */
  guint       comment_after;  /* matching calls before the comment's (X: the post's own) */
  const char *create_host;    /* the call that makes the post (its answer delayed) */
  const char *create_method;
  const char *create_path;
  const char *refusal;        /* the network refusing the comment: a fault's
                               * "status":…,"body":… members */
  const char *media;          /* a file for `so-me post --media`, or NULL */
  const char *option;         /* one more --option (instagram.kind=reel), or NULL */
  gboolean    reply;          /* X, Threads: the comment is a reply post */
} SmTestFirstComment;

/* Checks, on a profile of its own: the comment arrives under the right
 * post with the right text, once; a refused comment leaves the post
 * published with a note saying so; a publisher killed while the comment's
 * answer is on its way leaves one comment and a note that it may not have
 * been posted; a publisher killed after the post went out (its answer
 * lost) is reconciled and sends the comment, once. */
void           sm_test_first_comment    (const SmTestFirstComment *c);

G_END_DECLS
