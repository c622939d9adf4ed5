/* sm-import-flow.h — "Import Posts…" in the window: choose a CSV file,
 * check it off the main thread (sm_import_check_async()), then either list
 * its problems row by row or ask to schedule its posts, all in one go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sm-window.h"

G_BEGIN_DECLS

/* Opens a file chooser for a .csv file, then imports it into @window. */
void sm_import_flow_choose (SmWindow *window);

/* Checks @file and shows the result in a dialog transient for @window:
 * "The File Has Problems" (nothing saved) or "Schedule N Posts?", whose
 * "schedule" response saves them, wakes the publisher and shows a toast. */
void sm_import_flow_run    (SmWindow *window,
                            GFile    *file);

G_END_DECLS
