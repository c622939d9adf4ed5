/* sm-ui-util.h — small helpers shared by the UI's widgets: date and time
 * wording, toasts, opening links, waking the publisher.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SM_PUBLISHER_OBJECT_PATH "/studio/so_me/Studio/Publisher"
#define SM_PUBLISHER_INTERFACE   "studio.so_me.Studio.Publisher1"

/* @zone as a GTimeZone; UTC when @zone is NULL or unknown. */
GTimeZone *sm_ui_time_zone_new      (const char *zone);

/* "09:00", or "9:00 AM" when the desktop uses a 12-hour clock. */
char      *sm_ui_format_time        (GDateTime  *dt);
/* "Today", "Tomorrow", "Yesterday" or "Friday, October 24" (with the year
 * when it is not this year), compared with today in @dt's zone. */
char      *sm_ui_format_day         (GDateTime  *dt);
/* "today at 09:00", "Friday, October 24 at 09:00", for sentences. */
char      *sm_ui_format_when        (gint64      us,
                                     const char *zone);

/* Shows @title as a toast in the AdwToastOverlay around @widget, or around
 * the window @widget's window is transient for. */
void       sm_ui_show_toast         (GtkWidget  *widget,
                                     const char *title);
void       sm_ui_add_toast          (GtkWidget  *widget,
                                     AdwToast   *toast);

/* Opens @uri in the default handler; failures become a toast. */
void       sm_ui_open_uri           (GtkWidget  *widget,
                                     const char *uri);

/* Calls Wake() on the publisher, starting it by D-Bus activation. */
void       sm_ui_wake_publisher_async  (GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean   sm_ui_wake_publisher_finish (GAsyncResult        *result,
                                        GError             **error);

/* Called for each of the publisher's TargetChanged signals ("deleted"
 * for a target gone from the profile). */
typedef void (*SmUiTargetChangedFunc) (GObject    *owner,
                                       gint64      target_id,
                                       const char *state);

/* Calls @func with @owner on every TargetChanged, for as long as @owner
 * lives; the subscription holds whether or not the publisher runs. */
void       sm_ui_watch_target_changed  (GObject               *owner,
                                        SmUiTargetChangedFunc  func);

/* Called with the latest numbers of each target being uploaded, at most a
 * few times a second however often the publisher says. */
typedef void (*SmUiUploadProgressFunc) (GObject    *owner,
                                        gint64      target_id,
                                        guint64     sent,
                                        guint64     total);

/* Calls @func with @owner on UploadProgress, as sm_ui_watch_target_changed()
 * does on TargetChanged. */
void       sm_ui_watch_upload_progress (GObject                *owner,
                                        SmUiUploadProgressFunc  func);

/* 0–100, 0 when @total is 0. */
int        sm_ui_upload_percent         (guint64 sent,
                                         guint64 total);
/* "Uploading 42% (120 MB of 290 MB)" */
char      *sm_ui_format_upload_progress (guint64 sent,
                                         guint64 total);

/* A hidden "Uploading 42% (…)" with a GtkProgressBar, labelled for
 * screen readers "Upload to @who"; sm_ui_upload_progress_set() shows it,
 * @total 0 hides it. */
GtkWidget  *sm_ui_upload_progress_new      (const char *who);
void        sm_ui_upload_progress_set      (GtkWidget  *progress,
                                            guint64     sent,
                                            guint64     total);
const char *sm_ui_upload_progress_get_text (GtkWidget  *progress);

G_END_DECLS
