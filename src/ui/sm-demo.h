/* sm-demo.h — `so-me-studio --demo`: the app against a local sandbox of
 * the networks, with an account connected on each through the real OAuth
 * path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_DEMO (sm_demo_get_type ())
G_DECLARE_FINAL_TYPE (SmDemo, sm_demo, SM, DEMO, GObject)

SmDemo   *sm_demo_new          (SmStore             *store);

/* Starts the sandbox unless SO_ME_STUDIO_NETWORK_BASE already names one,
 * tells the bus to give that base to the publisher it activates, connects
 * an account on each of the eight networks (WhatsApp with a token from the
 * sandbox, the others through OAuth; one connected already only again when
 * the sandbox is this object's own, new one, that knows no earlier
 * tokens), sets up a media bucket in the sandbox's S3, and, into a profile
 * with no posts, seeds three weeks of posts with photos and clips made on
 * the spot (see sm-demo.c).  Finishes FALSE with every problem, one per
 * line, when some step failed; the steps that worked stay done. */
void      sm_demo_start_async  (SmDemo              *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
gboolean  sm_demo_start_finish (SmDemo              *self,
                                GAsyncResult        *result,
                                guint               *n_connected,
                                GError             **error);

/* Stops the sandbox this object started, if any.  Also done on dispose. */
void      sm_demo_stop         (SmDemo              *self);

/* The demo never touches the user's real profile, keyring or publisher:
 * `--demo` outside a demo session re-runs the app in one (its own data
 * folders under $XDG_DATA_HOME/so-me-studio-demo, its own session bus and
 * keyring).  Returns only when no re-run is needed; prints why and returns
 * when it cannot re-run. */
void      sm_demo_enter_private_session (int    argc,
                                         char **argv);

G_END_DECLS
