/* sm-test-ui.h — what the UI tests share to drive the real window the way
 * a person does: start GTK and the app, find widgets by what a screen
 * reader is told (or by their label or id), run the main loop until
 * something shows, click, drag a chip, drop files, and save PNGs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sm-application.h"
#include "sm-store.h"
#include "sm-window.h"

G_BEGIN_DECLS

#define SM_TEST_UI_WAIT_MS 5000

typedef gboolean (*SmTestUiCondition) (gpointer       data);
typedef gboolean (*SmTestUiMatch)     (GtkWidget     *widget,
                                       gconstpointer  data);

/* Before g_test_init(): GTK with its test accessibility backend (so that
 * accessible names can be read), the MIME database, GSettings schemas
 * and the icon theme looked up before G_TEST_OPTION_ISOLATE_DIRS hides
 * the system's folders.  @no_gl: draw with cairo (GStreamer's GL upload
 * for GtkVideo crashes now and then in Mesa's software rasterizer). */
void           sm_test_ui_init_gtk        (gboolean           no_gl);

/* The application, registered, without a main loop of its own: the
 * tests iterate the default context. */
SmApplication *sm_test_ui_app_new         (void);

/* ---- the main loop -------------------------------------------------------- */

/* Runs the main loop until @cond holds or @timeout_ms pass; its last
 * answer. */
gboolean       sm_test_ui_wait            (SmTestUiCondition  cond,
                                           gpointer           data,
                                           guint              timeout_ms);
/* Lets idles, layout and drawing happen for @ms. */
void           sm_test_ui_settle          (guint              ms);

/* Conditions. */
gboolean       sm_test_ui_is_mapped       (gpointer           widget);
gboolean       sm_test_ui_is_sensitive    (gpointer           widget);
/* For a weak pointer: TRUE once *@pointer is NULL. */
gboolean       sm_test_ui_is_null         (gpointer           pointer);

/* ---- finding widgets ------------------------------------------------------ */

/* The name a screen reader is told: the accessible label when one is
 * set, else a button's text (or its first shown label's), a check button's or a
 * label's text, or a row's title
 * (mnemonic underscores removed); NULL when none. */
char          *sm_test_ui_accessible_name (GtkWidget         *widget);

GtkWidget     *sm_test_ui_find            (GtkWidget         *root,
                                           SmTestUiMatch      match,
                                           gconstpointer      data);
guint          sm_test_ui_count           (GtkWidget         *root,
                                           SmTestUiMatch      match,
                                           gconstpointer      data);

/* Matches: a mapped widget whose accessible name is @data; one whose
 * accessible name starts with @data; the template child with id @data;
 * a widget named @data (gtk_widget_set_name); an instance of the GType
 * GSIZE_TO_POINTER (@data); a mapped label whose text contains @data. */
gboolean       sm_test_ui_match_accessible        (GtkWidget *widget, gconstpointer name);
gboolean       sm_test_ui_match_accessible_prefix (GtkWidget *widget, gconstpointer prefix);
gboolean       sm_test_ui_match_id                (GtkWidget *widget, gconstpointer id);
gboolean       sm_test_ui_match_name              (GtkWidget *widget, gconstpointer name);
gboolean       sm_test_ui_match_type              (GtkWidget *widget, gconstpointer type);
gboolean       sm_test_ui_match_label_containing  (GtkWidget *widget, gconstpointer text);

/* Asserting finders. */
GtkWidget     *sm_test_ui_find_by_id      (GtkWidget         *root,
                                           const char        *id);
GtkWidget     *sm_test_ui_find_accessible (GtkWidget         *root,
                                           const char        *name);

/* Waits until @match finds a widget under @root; it, or NULL. */
GtkWidget     *sm_test_ui_wait_find       (GtkWidget         *root,
                                           SmTestUiMatch      match,
                                           gconstpointer      data,
                                           guint              timeout_ms);
/* Waits until @match finds nothing under @root. */
gboolean       sm_test_ui_wait_gone       (GtkWidget         *root,
                                           SmTestUiMatch      match,
                                           gconstpointer      data,
                                           guint              timeout_ms);

/* The first toplevel of @type whose title (or, for an AdwMessageDialog,
 * heading) is @title (any when NULL). */
GtkWindow     *sm_test_ui_find_toplevel   (GType              type,
                                           const char        *title);
/* The same, waited for until it is mapped; asserts it is. */
GtkWindow     *sm_test_ui_wait_toplevel   (GType              type,
                                           const char        *title);

/* ---- acting --------------------------------------------------------------- */

/* A click on a button (or anything with a "clicked" signal): the signal
 * itself, as gtk_widget_activate() would only after its press animation.
 * Asserts the widget is mapped and sensitive, as a pointer needs. */
void           sm_test_ui_click           (GtkWidget         *widget);

/* Types @text at the cursor of a text view, as the keyboard does. */
void           sm_test_ui_type            (GtkWidget         *text_view,
                                           const char        *text);

/* Drags @source to (@x, @y) of @dest through their controllers: the
 * content @source's GtkDragSource prepares is dropped on @dest's
 * GtkDropTarget, which must take its type and a move.  What the drop
 * answered. */
gboolean       sm_test_ui_drag            (GtkWidget         *source,
                                           GtkWidget         *dest,
                                           double             x,
                                           double             y);

/* Drops @file on @widget as a file manager does (a GdkFileList on its
 * GtkDropTarget); asserts it was taken. */
void           sm_test_ui_drop_file       (GtkWidget         *widget,
                                           GFile             *file);

/* The text on the clipboard of @widget's display. */
char          *sm_test_ui_clipboard_text  (GtkWidget         *widget);

/* Destroys @window and waits until it is gone. */
void           sm_test_ui_close_window    (GtkWindow         *window);

/* What @widget shows on the screen, as a texture of its size. */
GdkTexture    *sm_test_ui_render          (GtkWidget         *widget);

/* Saves what @widget shows as $SM_BUILD_DIR/screenshots/@name. */
void           sm_test_ui_save_png        (GtkWidget         *widget,
                                           const char        *name);

/* ---- rows, buttons, chips and windows ------------------------------------- */

/* More matches, on what the widget itself holds, shown or not unless said:
 * an AdwActionRow whose subtitle is @data; an AdwPreferencesRow whose
 * title is @data as written; a visible AdwExpanderRow titled @data; a
 * button whose label is @data as written, mnemonic and all ("_Edit…");
 * a button whose tooltip is @data; a mapped button whose accessible name
 * is @data; a mapped label whose text is exactly @data; a mapped widget
 * named @data; a mapped SmCalendarChip of the post whose id is
 * *(const gint64 *) @data, or of any post when @data is NULL; a label,
 * shown or not, whose text contains @data (to assert that a text is
 * nowhere, hidden pages included). */
gboolean       sm_test_ui_match_row_subtitle        (GtkWidget *widget, gconstpointer subtitle);
gboolean       sm_test_ui_match_row_title           (GtkWidget *widget, gconstpointer title);
gboolean       sm_test_ui_match_expander_title      (GtkWidget *widget, gconstpointer title);
gboolean       sm_test_ui_match_button_label        (GtkWidget *widget, gconstpointer label);
gboolean       sm_test_ui_match_tooltip             (GtkWidget *widget, gconstpointer text);
gboolean       sm_test_ui_match_button_named        (GtkWidget *widget, gconstpointer name);
gboolean       sm_test_ui_match_label               (GtkWidget *widget, gconstpointer text);
gboolean       sm_test_ui_match_shown_name          (GtkWidget *widget, gconstpointer name);
gboolean       sm_test_ui_match_chip                (GtkWidget *widget, gconstpointer post_id);
gboolean       sm_test_ui_match_any_label_containing (GtkWidget *widget, gconstpointer text);

/* Waits until a shown toplevel of @type has the title (or, for an
 * AdwMessageDialog, heading) @title (any when NULL); it, or NULL after
 * @timeout_ms. */
GtkWindow     *sm_test_ui_wait_window     (GType              type,
                                           const char        *title,
                                           guint              timeout_ms);
/* Waits until no such toplevel is shown; whether none is. */
gboolean       sm_test_ui_wait_window_gone (GType             type,
                                           const char        *title,
                                           guint              timeout_ms);

/* Activates @window's action @action (one without a parameter), asserts
 * it was there, and that the window is gone (finalized) within
 * @timeout_ms, as Save or Schedule closes the composer. */
void           sm_test_ui_activate_and_wait_closed (GtkWindow    *window,
                                           const char        *action,
                                           guint              timeout_ms);

/* A main window of @app on @store, presented; asserts it is shown within
 * @timeout_ms. */
SmWindow      *sm_test_ui_show_window     (SmApplication     *app,
                                           SmStore           *store,
                                           guint              timeout_ms);

/* ---- the store and the composer ------------------------------------------- */

/* Adds (or updates) an account in @workspace_id; asserts it worked; its id. */
gint64         sm_test_ui_add_account     (SmStore           *store,
                                           gint64             workspace_id,
                                           SmNetwork          network,
                                           const char        *remote_id,
                                           const char        *name,
                                           const char        *handle);

/* Ticks the box of the account whose row in @composer has the subtitle
 * @subtitle ("X · @ada") by activating the row, as a click does; asserts
 * it is ticked then. */
void           sm_test_ui_choose_account  (GtkWidget         *composer,
                                           const char        *subtitle);

G_END_DECLS
