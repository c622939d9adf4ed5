/* sm-cli-workspace.h — `so-me workspace` and the global `--workspace NAME`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sm-store.h"

G_BEGIN_DECLS

/* `so-me workspace ARGS…` with @argv[0] == "workspace"; returns the exit
 * status. */
int      sm_cli_workspace        (int          argc,
                                  char       **argv);

/* Takes `--workspace NAME` (or `--workspace=NAME`) out of @argv, wherever
 * it is before a `--`; FALSE with @error when NAME is missing. */
gboolean sm_cli_take_workspace_option (int    *argc,
                                       char  **argv,
                                       GError **error);
/* Whether `--workspace` was given. */
gboolean sm_cli_workspace_given  (void);
/* The workspace the command works in: `--workspace NAME`, else the
 * default one; its zone in @zone (may be NULL).  0 with an error saying
 * which workspaces there are. */
gint64   sm_cli_resolve_workspace (SmStore    *store,
                                   char      **zone,
                                   GError    **error);

G_END_DECLS
