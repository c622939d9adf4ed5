/* sm-cli-bucket.h — `so-me bucket`: the media bucket settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `so-me bucket ARGS…` with @argv[0] == "bucket"; returns the exit status. */
int sm_cli_bucket (int    argc,
                   char **argv);

G_END_DECLS
