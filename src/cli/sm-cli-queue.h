/* sm-cli-queue.h — `so-me queue`: an account's weekly posting times.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `so-me queue ARGS…` with @argv[0] == "queue"; returns the exit status. */
int sm_cli_queue (int    argc,
                  char **argv);

G_END_DECLS
