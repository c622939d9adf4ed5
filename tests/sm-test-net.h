/* sm-test-net.h — the harness the network contract tests share: the
 * sandbox (as a child process or on a thread of this one), its /__sandbox/
 * hooks, the posts and requests it recorded, faults, upload hooks that keep
 * their state in memory, and media files made at run time.
 *
 * One sandbox per test program: the functions below all speak to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sm-platform.h"
#include "sm-sandbox.h"
#include "sm-store.h"

G_BEGIN_DECLS

/* ---- the sandbox --------------------------------------------------------- */

/* Spawns $SM_BUILD_DIR/src/so-me-studio-sandbox on a free loopback port
 * (it dies with this process), reads its base URL from its first line of
 * output and points SM_NETWORK_BASE_ENV at it.  FALSE when there is no
 * built sandbox (the tests then skip). */
gboolean     sm_test_net_spawn          (void);

/* Runs an SmSandbox in this process on a thread of its own, serving from
 * the global default context when @default_context (so that nothing else
 * may iterate it) or from a new one; points SM_NETWORK_BASE_ENV at it. */
void         sm_test_net_run_in_thread  (gboolean        default_context);

/* Speaks to a sandbox someone else runs at @base (an SmTestProfile's). */
void         sm_test_net_attach         (const char     *base);

/* Stops whichever sandbox runs (a no-op when none does; one attached to
 * is only let go). */
void         sm_test_net_stop           (void);

/* TRUE once a sandbox runs. */
gboolean     sm_test_net_running        (void);

/* Calls g_test_skip() and answers FALSE when no sandbox runs. */
gboolean     sm_test_net_need_sandbox   (void);

/* The sandbox's base URL (http://127.0.0.1:PORT), or NULL. */
const char  *sm_test_net_base           (void);

/* The in-process sandbox (sm_test_net_run_in_thread()), or NULL. */
SmSandbox   *sm_test_net_sandbox        (void);

/* The context the in-process sandbox serves from, or NULL. */
GMainContext *sm_test_net_context       (void);

/* The session the hooks are sent with (for a test's own raw requests). */
SoupSession *sm_test_net_session        (void);

/* ---- hooks --------------------------------------------------------------- */

/* @method /__sandbox/@path with an optional JSON body; its JSON answer
 * (NULL for an empty one).  Anything but a 2xx, or an answer that is not
 * JSON, ends the test. */
JsonNode    *sm_test_net_hook           (const char     *method,
                                         const char     *path,
                                         const char     *json);

/* POST /__sandbox/@path with the JSON made from @format, answer dropped. */
void         sm_test_net_hook_post      (const char     *path,
                                         const char     *format,
                                         ...) G_GNUC_PRINTF (2, 3);

/* Adds the fault made from @format (see sm-sandbox.h for its fields). */
void         sm_test_net_add_fault      (const char     *format,
                                         ...) G_GNUC_PRINTF (1, 2);

/* Removes every fault. */
void         sm_test_net_clear_faults   (void);

/* ---- what the sandbox recorded ------------------------------------------- */

/* GET /__sandbox/posts: every post of @network (NULL: of all), in order. */
GPtrArray   *sm_test_net_posts          (const char     *network);

/* The post of @network recorded with @id, as a new reference, or NULL. */
JsonNode    *sm_test_net_post           (const char     *network,
                                         const char     *id);

/* The posts of @network whose text is @text. */
GPtrArray   *sm_test_net_posts_with_text (const char    *network,
                                          const char    *text);

/* The number of requests the sandbox logged so far: a mark for
 * sm_test_net_requests_since(). */
guint        sm_test_net_requests_mark  (void);

/* The logged requests since @mark whose method matches the glob @method,
 * whose host is @host and whose path matches the glob @path_glob (each
 * NULL: any). */
GPtrArray   *sm_test_net_requests_since (guint           mark,
                                         const char     *method,
                                         const char     *host,
                                         const char     *path_glob);

/* How many of @records (from sm_test_net_requests_since()) had @status. */
guint        sm_test_net_count_status   (GPtrArray      *records,
                                         guint           status);

/* The request body bytes the sandbox took in @records, all told. */
gint64       sm_test_net_body_bytes     (GPtrArray      *records);

/* ---- connecting ---------------------------------------------------------- */

/* The PKCE S256 challenge for @verifier (base64url, no padding). */
char        *sm_test_net_pkce_challenge (const char     *verifier);

/* A fresh random PKCE verifier. */
char        *sm_test_net_pkce_verifier  (void);

/* Opens the authorize @url without following its redirect, as a browser
 * whose user consents at once, and asserts the answer: a redirect (with
 * @status, or any 3xx when 0) to @redirect_uri with a code.  Returns the
 * redirect's query parameters (code, state, ...), and in @location (when
 * not NULL) the whole address it redirected to. */
GHashTable  *sm_test_net_consent        (SoupSession    *session,
                                         const char     *url,
                                         const char     *redirect_uri,
                                         guint           status,
                                         GUri          **location);

/* ---- files --------------------------------------------------------------- */

/* The hex SHA-256 of the file at @path, read in 1 MiB blocks. */
char        *sm_test_net_file_sha256    (const char     *path);

/* The size of the file at @path (which must exist). */
gint64       sm_test_net_file_size      (const char     *path);

/* An SmPostMedia for the file at @path, with its size and SHA-256. */
SmPostMedia *sm_test_net_media_new      (gint64          id,
                                         const char     *path,
                                         const char     *mime_type);

/* Runs `gst-launch-1.0 -q -e PIPELINE ! filesink location=DIR/NAME`;
 * FALSE with @error (naming @name and what gst-launch said) on failure. */
gboolean     sm_test_net_gst_launch     (const char     *dir,
                                         const char     *pipeline,
                                         const char     *name,
                                         GError        **error);

/* ---- upload hooks that keep state in memory, as the store would ---------- */

typedef struct _SmTestUploads SmTestUploads;

/* Called after each save (with what was saved) and each progress report,
 * for a test that cuts or faults an upload at a given point. */
typedef void (*SmTestUploadsSaved)    (SmTestUploads *u,
                                       gint64         acknowledged,
                                       const char    *session,
                                       const char    *remote_media_id);
typedef void (*SmTestUploadsProgress) (SmTestUploads *u,
                                       guint64        sent,
                                       guint64        total);

struct _SmTestUploads
{
  GHashTable   *states;            /* media id → SmUploadState */
  guint         saves;
  gint64        last_acknowledged;
  GArray       *acks;              /* gint64: every offset saved in a session, before the media id */
  guint64       last_sent;
  guint64       last_total;
  guint64       pushed;            /* bytes sent, resends included */
  guint64       previous;
  /* A publisher killed in the middle of the upload: @cancel (unreffed by
   * clear) is cancelled once cancel_after bytes are pushed (resends count;
   * a test that resumes sets previous to the saved offset first). */
  GCancellable *cancel;
  guint64       cancel_after;
  /* A fault (JSON, as for sm_test_net_add_fault()) added once, at the
   * first save that acknowledges fault_after bytes or more (of media
   * fault_media, when not 0). */
  const char   *fault;
  gint64        fault_after;
  gint64        fault_media;
  gboolean      fault_added;
  /* Progress must never go back (a network that reports it over all
   * the files of a post). */
  gboolean      monotonic;
  SmTestUploadsSaved    on_save;
  SmTestUploadsProgress on_progress;
  gpointer      data;              /* the test's own */
};

/* Empties @u and points @hooks (when not NULL) at it: load, save,
 * progress; progress asserts sent <= total. */
void         sm_test_uploads_init       (SmTestUploads  *u,
                                         SmUploadHooks  *hooks);
/* Points @hooks at @u as it stands. */
void         sm_test_uploads_bind       (SmTestUploads  *u,
                                         SmUploadHooks  *hooks);
void         sm_test_uploads_clear      (SmTestUploads  *u);
/* Saves as the network would, through @u's save hook. */
void         sm_test_uploads_save       (SmTestUploads  *u,
                                         gint64          media_id,
                                         const char     *session,
                                         gint64          acknowledged,
                                         const char     *remote_media_id);
/* What was last saved for @media_id, or NULL. */
SmUploadState *sm_test_uploads_get      (SmTestUploads  *u,
                                         gint64          media_id);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SmTestUploads, sm_test_uploads_clear)

G_END_DECLS
