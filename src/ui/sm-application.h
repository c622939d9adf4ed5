/* sm-application.h — So-me Studio's GTK application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_APPLICATION (sm_application_get_type ())
G_DECLARE_FINAL_TYPE (SmApplication, sm_application, SM, APPLICATION, AdwApplication)

SmApplication *sm_application_new       (void);
/* The profile's store, opened on first use; NULL with an error for people
 * when it cannot be opened (e.g. written by a newer version). */
SmStore       *sm_application_get_store (SmApplication  *self,
                                         GError        **error);

G_END_DECLS
