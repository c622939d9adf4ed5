/* sm-cli.h — the `so-me` command.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs `so-me` with @argv; returns the exit status. */
int sm_cli_run (int    argc,
                char **argv);

/* `so-me media …` (sm-cli-media.c); @argv[0] is "media". */
int sm_cli_media (int    argc,
                  char **argv);

G_END_DECLS
