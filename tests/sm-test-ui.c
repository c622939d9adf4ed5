/* sm-test-ui.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sm-calendar-chip.h"
#include "sm-test-ui.h"

void
sm_test_ui_init_gtk (gboolean no_gl)
{
  if (no_gl)
    g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  /* GTK's test accessibility backend keeps what a screen reader would be
   * told, so it can be read back (gtk_test_accessible_check_property). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_content_type_set_mime_dirs (NULL);
  gtk_init ();
  g_assert_nonnull (g_settings_schema_source_get_default ());
  gtk_icon_theme_get_for_display (gdk_display_get_default ());
}

SmApplication *
sm_test_ui_app_new (void)
{
  g_autoptr(GError) error = NULL;
  SmApplication *app = sm_application_new ();

  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  return app;
}

/* ---- the main loop -------------------------------------------------------- */

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
sm_test_ui_wait (SmTestUiCondition cond,
                 gpointer          data,
                 guint             timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  return ok;
}

void
sm_test_ui_settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

gboolean
sm_test_ui_is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (GTK_WIDGET (widget)) && gtk_widget_get_width (GTK_WIDGET (widget)) > 0;
}

gboolean
sm_test_ui_is_sensitive (gpointer widget)
{
  return gtk_widget_is_sensitive (GTK_WIDGET (widget));
}

gboolean
sm_test_ui_is_null (gpointer pointer)
{
  return *(gpointer *) pointer == NULL;
}

/* ---- finding widgets ------------------------------------------------------ */

static char *
strip_mnemonic (const char *text,
                gboolean    use_underline)
{
  GString *out;

  if (text == NULL)
    return NULL;
  if (!use_underline)
    return g_strdup (text);
  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          if (p[1] == '_')
            p++;
          else
            continue;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
shown_label (GtkWidget     *widget,
             gconstpointer  unused)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget);
}

char *
sm_test_ui_accessible_name (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  /* The value check_property() does not expect is the one it hands back. */
  if (gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL))
    {
      char *value = gtk_test_accessible_check_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                        "\x01 not a label \x01");

      if (value != NULL)
        return value;
    }

  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    return strip_mnemonic (gtk_button_get_label (GTK_BUTTON (widget)),
                           gtk_button_get_use_underline (GTK_BUTTON (widget)));
  /* A button named by what it shows (libadwaita's dialog responses, the
   * view switcher's buttons): its first shown label. */
  if (GTK_IS_BUTTON (widget))
    {
      GtkWidget *label = sm_test_ui_find (widget, shown_label, NULL);

      if (label != NULL)
        return g_strdup (gtk_label_get_text (GTK_LABEL (label)));
    }
  if (GTK_IS_CHECK_BUTTON (widget) && gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)) != NULL)
    return strip_mnemonic (gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)),
                           gtk_check_button_get_use_underline (GTK_CHECK_BUTTON (widget)));
  if (ADW_IS_PREFERENCES_ROW (widget))
    return strip_mnemonic (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                           adw_preferences_row_get_use_underline (ADW_PREFERENCES_ROW (widget)));
  if (GTK_IS_LABEL (widget))
    return g_strdup (gtk_label_get_text (GTK_LABEL (widget)));
  return NULL;
}

GtkWidget *
sm_test_ui_find (GtkWidget     *root,
                 SmTestUiMatch  match,
                 gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = sm_test_ui_find (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

guint
sm_test_ui_count (GtkWidget     *root,
                  SmTestUiMatch  match,
                  gconstpointer  data)
{
  guint n = match (root, data) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += sm_test_ui_count (child, match, data);

  return n;
}

gboolean
sm_test_ui_match_accessible (GtkWidget     *widget,
                             gconstpointer  name)
{
  g_autofree char *own = NULL;

  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  own = sm_test_ui_accessible_name (widget);
  if (own == NULL)
    return FALSE;
  if (g_str_equal (own, name))
    return TRUE;
  /* libadwaita 1.2 labels its dialogs' response buttons with the
   * mnemonic as written ("_Save and Connect"). */
  {
    g_autofree char *plain = strip_mnemonic (own, TRUE);

    return g_str_equal (plain, name);
  }
}

gboolean
sm_test_ui_match_accessible_prefix (GtkWidget     *widget,
                                    gconstpointer  prefix)
{
  g_autofree char *own = NULL;

  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  own = sm_test_ui_accessible_name (widget);
  return own != NULL && g_str_has_prefix (own, prefix);
}

gboolean
sm_test_ui_match_id (GtkWidget     *widget,
                     gconstpointer  id)
{
  return g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0;
}

gboolean
sm_test_ui_match_name (GtkWidget     *widget,
                       gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

gboolean
sm_test_ui_match_type (GtkWidget     *widget,
                       gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

gboolean
sm_test_ui_match_label_containing (GtkWidget     *widget,
                                   gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

GtkWidget *
sm_test_ui_find_by_id (GtkWidget  *root,
                       const char *id)
{
  GtkWidget *widget = sm_test_ui_find (root, sm_test_ui_match_id, id);

  if (widget == NULL)
    g_error ("No widget with the id “%s”", id);
  return widget;
}

GtkWidget *
sm_test_ui_find_accessible (GtkWidget  *root,
                            const char *name)
{
  GtkWidget *widget = sm_test_ui_find (root, sm_test_ui_match_accessible, name);

  if (widget == NULL)
    g_error ("Nothing shown is called “%s” for a screen reader", name);
  return widget;
}

typedef struct
{
  GtkWidget     *root;
  SmTestUiMatch  match;
  gconstpointer  data;
} FindQuery;

static gboolean
found_cb (gpointer data)
{
  FindQuery *query = data;

  return sm_test_ui_find (query->root, query->match, query->data) != NULL;
}

static gboolean
gone_cb (gpointer data)
{
  return !found_cb (data);
}

GtkWidget *
sm_test_ui_wait_find (GtkWidget     *root,
                      SmTestUiMatch  match,
                      gconstpointer  data,
                      guint          timeout_ms)
{
  FindQuery query = { root, match, data };

  if (!sm_test_ui_wait (found_cb, &query, timeout_ms))
    return NULL;
  return sm_test_ui_find (root, match, data);
}

gboolean
sm_test_ui_wait_gone (GtkWidget     *root,
                      SmTestUiMatch  match,
                      gconstpointer  data,
                      guint          timeout_ms)
{
  FindQuery query = { root, match, data };

  return sm_test_ui_wait (gone_cb, &query, timeout_ms);
}

/* The first toplevel of @type titled @title (any when NULL), shown or,
 * unless @shown_only, not. */
static GtkWindow *
find_window (GType       type,
             const char *title,
             gboolean    shown_only)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      const char *own;

      if (!G_TYPE_CHECK_INSTANCE_TYPE (window, type) ||
          (shown_only && !gtk_widget_get_mapped (GTK_WIDGET (window))))
        continue;
      own = ADW_IS_MESSAGE_DIALOG (window) ? adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window))
                                           : gtk_window_get_title (GTK_WINDOW (window));
      if (title != NULL && g_strcmp0 (own, title) != 0)
        continue;
      return GTK_WINDOW (window);
    }

  return NULL;
}

GtkWindow *
sm_test_ui_find_toplevel (GType       type,
                          const char *title)
{
  return find_window (type, title, FALSE);
}

typedef struct
{
  GType       type;
  const char *title;
} ToplevelQuery;

static gboolean
toplevel_shown_cb (gpointer data)
{
  ToplevelQuery *query = data;
  GtkWindow *window = sm_test_ui_find_toplevel (query->type, query->title);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

GtkWindow *
sm_test_ui_wait_toplevel (GType       type,
                          const char *title)
{
  ToplevelQuery query = { type, title };

  if (!sm_test_ui_wait (toplevel_shown_cb, &query, SM_TEST_UI_WAIT_MS))
    g_error ("No %s “%s” was shown", g_type_name (type), title != NULL ? title : "");
  return sm_test_ui_find_toplevel (type, title);
}

/* ---- acting --------------------------------------------------------------- */

void
sm_test_ui_click (GtkWidget *widget)
{
  g_autofree char *name = sm_test_ui_accessible_name (widget);

  if (g_signal_lookup ("clicked", G_OBJECT_TYPE (widget)) == 0)
    g_error ("“%s” (a %s) cannot be clicked", name, G_OBJECT_TYPE_NAME (widget));
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_is_sensitive (widget))
    g_error ("“%s” is not shown or not sensitive", name);
  g_signal_emit_by_name (widget, "clicked");
}

void
sm_test_ui_type (GtkWidget  *text_view,
                 const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));

  gtk_widget_grab_focus (text_view);
  gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, TRUE);
}

static gpointer
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;   /* the widget keeps it */
    }
  return NULL;
}

gboolean
sm_test_ui_drag (GtkWidget *source,
                 GtkWidget *dest,
                 double     x,
                 double     y)
{
  GtkDragSource *drag = find_controller (source, GTK_TYPE_DRAG_SOURCE);
  GtkDropTarget *drop = find_controller (dest, GTK_TYPE_DROP_TARGET);
  g_autoptr(GdkContentProvider) content = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  const GType *types;
  gsize n_types = 0;
  gboolean taken = FALSE;
  GType type = G_TYPE_INVALID;

  g_assert_nonnull (drag);
  g_assert_nonnull (drop);
  g_assert_true (gtk_widget_get_mapped (source));
  g_assert_true (gtk_widget_get_mapped (dest));
  g_assert_true (gtk_drag_source_get_actions (drag) & gtk_drop_target_get_actions (drop) & GDK_ACTION_MOVE);

  /* The press on the source: what it offers. */
  g_signal_emit_by_name (drag, "prepare", 4.0, 4.0, &content);
  g_assert_nonnull (content);

  /* The release on the target: the first of its types the content has. */
  types = gtk_drop_target_get_gtypes (drop, &n_types);
  for (gsize i = 0; i < n_types && type == G_TYPE_INVALID; i++)
    {
      g_value_init (&value, types[i]);
      if (gdk_content_provider_get_value (content, &value, &error))
        type = types[i];
      else
        {
          g_clear_error (&error);
          g_value_unset (&value);
        }
    }
  g_assert_true (type != G_TYPE_INVALID);

  g_signal_emit_by_name (drop, "drop", &value, x, y, &taken);
  return taken;
}

void
sm_test_ui_drop_file (GtkWidget *widget,
                      GFile     *file)
{
  GtkDropTarget *target = find_controller (widget, GTK_TYPE_DROP_TARGET);
  g_auto(GValue) value = G_VALUE_INIT;
  GSList *files = g_slist_prepend (NULL, file);
  gboolean accepted = FALSE;

  g_assert_nonnull (target);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_slist_free (files);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
}

typedef struct
{
  char     *text;
  gboolean  done;
} ClipboardRead;

static void
clipboard_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ClipboardRead *read = user_data;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  read->done = TRUE;
}

static gboolean
clipboard_read_done (gpointer data)
{
  return ((ClipboardRead *) data)->done;
}

char *
sm_test_ui_clipboard_text (GtkWidget *widget)
{
  ClipboardRead read = { NULL, FALSE };

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, clipboard_read_cb, &read);
  g_assert_true (sm_test_ui_wait (clipboard_read_done, &read, SM_TEST_UI_WAIT_MS));
  return read.text;
}

void
sm_test_ui_close_window (GtkWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (window);
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_null, &weak, SM_TEST_UI_WAIT_MS));
}

GdkTexture *
sm_test_ui_render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  GdkTexture *texture;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GskRenderer *renderer;
  GtkWidget *root;
  graphene_rect_t bounds;
  int width, height;

  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, widget, SM_TEST_UI_WAIT_MS));
  sm_test_ui_settle (300);

  /* The frame of its window or popover, cut to the widget: what is on
   * the screen there (the calendar's grids draw their chips themselves).
   * None while a redraw is pending (an animation), so wait for the next. */
  root = GTK_WIDGET (gtk_widget_get_native (widget));
  g_assert_true (gtk_widget_compute_bounds (widget, root, &bounds));
  width = gtk_widget_get_width (root);
  height = gtk_widget_get_height (root);
  for (guint tries = 0;; tries++)
    {
      paintable = gtk_widget_paintable_new (root);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL || tries == 100)
        break;
      g_clear_object (&paintable);
      sm_test_ui_settle (50);
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  gsk_render_node_unref (node);

  return texture;
}

void
sm_test_ui_save_png (GtkWidget  *widget,
                     const char *name)
{
  const char *build_dir = g_getenv ("SM_BUILD_DIR");
  g_autofree char *dir = g_build_filename (build_dir != NULL ? build_dir : g_get_tmp_dir (),
                                           "screenshots", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GdkTexture) texture = sm_test_ui_render (widget);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}


/* ---- rows, buttons, chips and windows ------------------------------------- */

gboolean
sm_test_ui_match_row_subtitle (GtkWidget     *widget,
                               gconstpointer  subtitle)
{
  return ADW_IS_ACTION_ROW (widget) &&
         g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), subtitle) == 0;
}

gboolean
sm_test_ui_match_row_title (GtkWidget     *widget,
                            gconstpointer  title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

gboolean
sm_test_ui_match_expander_title (GtkWidget     *widget,
                                 gconstpointer  title)
{
  return ADW_IS_EXPANDER_ROW (widget) && gtk_widget_get_visible (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

gboolean
sm_test_ui_match_button_label (GtkWidget     *widget,
                               gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

gboolean
sm_test_ui_match_tooltip (GtkWidget     *widget,
                          gconstpointer  text)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0;
}

gboolean
sm_test_ui_match_button_named (GtkWidget     *widget,
                               gconstpointer  name)
{
  return GTK_IS_BUTTON (widget) && sm_test_ui_match_accessible (widget, name);
}

gboolean
sm_test_ui_match_label (GtkWidget     *widget,
                        gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

gboolean
sm_test_ui_match_shown_name (GtkWidget     *widget,
                             gconstpointer  name)
{
  return gtk_widget_get_mapped (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

gboolean
sm_test_ui_match_chip (GtkWidget     *widget,
                       gconstpointer  post_id)
{
  return SM_IS_CALENDAR_CHIP (widget) && gtk_widget_get_mapped (widget) &&
         (post_id == NULL ||
          sm_calendar_chip_get_post_id (SM_CALENDAR_CHIP (widget)) == *(const gint64 *) post_id);
}

gboolean
sm_test_ui_match_any_label_containing (GtkWidget     *widget,
                                       gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

static gboolean
window_shown_cb (gpointer data)
{
  ToplevelQuery *query = data;

  return find_window (query->type, query->title, TRUE) != NULL;
}

static gboolean
window_gone_cb (gpointer data)
{
  return !window_shown_cb (data);
}

GtkWindow *
sm_test_ui_wait_window (GType       type,
                        const char *title,
                        guint       timeout_ms)
{
  ToplevelQuery query = { type, title };

  if (!sm_test_ui_wait (window_shown_cb, &query, timeout_ms))
    return NULL;
  return find_window (type, title, TRUE);
}

gboolean
sm_test_ui_wait_window_gone (GType       type,
                             const char *title,
                             guint       timeout_ms)
{
  ToplevelQuery query = { type, title };

  return sm_test_ui_wait (window_gone_cb, &query, timeout_ms);
}

void
sm_test_ui_activate_and_wait_closed (GtkWindow  *window,
                                     const char *action,
                                     guint       timeout_ms)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_null, &weak, timeout_ms));
}

SmWindow *
sm_test_ui_show_window (SmApplication *app,
                        SmStore       *store,
                        guint          timeout_ms)
{
  SmWindow *window = sm_window_new (GTK_APPLICATION (app), store);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (sm_test_ui_wait (sm_test_ui_is_mapped, window, timeout_ms));
  return window;
}

/* ---- the store and the composer ------------------------------------------- */

gint64
sm_test_ui_add_account (SmStore    *store,
                        gint64      workspace_id,
                        SmNetwork   network,
                        const char *remote_id,
                        const char *name,
                        const char *handle)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sm_store_upsert_account (store, workspace_id, network, remote_id, name, handle, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

void
sm_test_ui_choose_account (GtkWidget  *composer,
                           const char *subtitle)
{
  GtkWidget *row = sm_test_ui_find (composer, sm_test_ui_match_row_subtitle, subtitle);
  GtkWidget *check;

  g_assert_nonnull (row);
  check = sm_test_ui_find (row, sm_test_ui_match_type, GSIZE_TO_POINTER (GTK_TYPE_CHECK_BUTTON));
  gtk_widget_activate (row);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
}
