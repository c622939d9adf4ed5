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

/* `so-me import FILE.csv` (sm-cli-import.c); @argv[0] is "import". */
int sm_cli_import (int    argc,
                   char **argv);

/* Wakes the publisher (starting it); says so when it cannot be reached. */
void sm_cli_wake_publisher (void);

/* Prints "so-me: MESSAGE" on standard error; returns 1, the exit status. */
int  sm_cli_fail (const char *format,
                  ...) G_GNUC_PRINTF (1, 2);

/* Parses the options of a @command ("workspace list") that takes only
 * --json and no arguments; FALSE, having said why, on anything else. */
gboolean sm_cli_parse_json_only (int         argc,
                                 char      **argv,
                                 const char *command,
                                 gboolean   *json);

/* One line from standard input, never from the command line (where ps
 * would show it) nor on the screen: on a terminal, read with echo off after
 * @prompt.  Stripped; empty at end of input.  Free with
 * sm_cli_wipe_secret(), which overwrites it first. */
GString *sm_cli_read_secret (const char *prompt);
void     sm_cli_wipe_secret (GString    *secret);

G_END_DECLS
