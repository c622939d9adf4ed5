/* sm-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-accounts-page.h"
#include "sm-agenda-view.h"
#include "sm-calendar-view.h"
#include "sm-composer-window.h"
#include "sm-import-flow.h"
#include "sm-resources.h"
#include "sm-ui-util.h"
#include "sm-window.h"

struct _SmWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkButton            *new_post_button;
  GtkWidget            *new_post_content;
  AdwViewStack         *stack;
  SmCalendarView       *calendar_view;
  SmAgendaView         *agenda_view;
  gboolean              agenda_loaded;  /* its store is set when first shown */
  gboolean              was_active;     /* has been active before */
  SmAccountsPage       *accounts_page;

  /* owned */
  SmStore              *store;
  GtkWidget            *new_post_label;  /* new_post_content, while not shown */
  GCancellable         *cancellable;
  guint                 update_button_id;
  gboolean              composing_from_calendar;

  /* borrowed */
  SmComposerWindow     *composer;   /* weak pointer, while one is open */
};

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SmWindow, sm_window, ADW_TYPE_APPLICATION_WINDOW)

static void
wake_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (sm_ui_wake_publisher_finish (result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* The post is in the database either way; the publisher reads the
   * queue when it starts (login autostart, or the next Wake). */
  g_debug ("Wake failed: %s", error->message);
  sm_ui_show_toast (GTK_WIDGET (self),
                    _("Saved. The publisher could not be reached; it will publish when it next starts."));
}

static void
post_created_cb (SmComposerWindow *composer,
                 gint64            post_id,
                 gboolean          now,
                 SmWindow         *self)
{
  g_autoptr(SmPost) post = sm_store_get_post (self->store, post_id, NULL);

  /* Written for a day of the calendar: it shows there. */
  if (self->composing_from_calendar)
    {
      adw_view_stack_set_visible_child_name (self->stack, "calendar");
      sm_calendar_view_show_post (self->calendar_view, post_id);
    }
  else
    {
      adw_view_stack_set_visible_child_name (self->stack, "agenda");
      sm_window_show_post (self, post_id);
      /* The calendar shows it too when the user goes back to it. */
      sm_calendar_view_reload (self->calendar_view);
    }
  sm_agenda_view_reload (self->agenda_view);

  if (now || post == NULL)
    {
      sm_ui_show_toast (GTK_WIDGET (self), _("Sending now…"));
    }
  else if (post->targets->len > 0 &&
           ((SmTarget *) g_ptr_array_index (post->targets, 0))->state == SM_TARGET_DRAFT)
    {
      sm_ui_show_toast (GTK_WIDGET (self), _("Saved as a draft"));
    }
  else
    {
      g_autofree char *when = sm_ui_format_when (post->due_us, post->time_zone);
      /* Translators: toast, "Scheduled for today at 15:00" */
      g_autofree char *title = g_strdup_printf (_("Scheduled for %s"), when);

      sm_ui_show_toast (GTK_WIDGET (self), title);
    }

  sm_ui_wake_publisher_async (self->cancellable, wake_done_cb, g_object_ref (self));
}

/* An edited post may have moved or changed its text: both views read it
 * again, then it is shown as a new one is. */
static void
post_updated_cb (SmComposerWindow *composer,
                 gint64            post_id,
                 gboolean          now,
                 SmWindow         *self)
{
  sm_calendar_view_reload (self->calendar_view);
  post_created_cb (composer, post_id, now, self);
}

/* Narrow: the switcher goes to the bottom bar, the title shows, and the
 * New Post button keeps only its icon so the title is not cut off.  The
 * switch waits for an idle: title-visible changes during size allocation,
 * when the widget tree must not change. */
static gboolean
update_new_post_button_cb (gpointer user_data)
{
  SmWindow *self = user_data;

  self->update_button_id = 0;
  if (adw_view_switcher_title_get_title_visible (self->switcher_title))
    gtk_button_set_icon_name (self->new_post_button, "list-add-symbolic");
  else if (gtk_button_get_child (self->new_post_button) != self->new_post_label)
    gtk_button_set_child (self->new_post_button, self->new_post_label);

  return G_SOURCE_REMOVE;
}

static void
title_visible_changed_cb (SmWindow *self)
{
  if (self->update_button_id == 0)
    self->update_button_id = g_idle_add (update_new_post_button_cb, self);
}

static void
accounts_changed_cb (SmWindow *self)
{
  sm_calendar_view_reload (self->calendar_view);
  sm_agenda_view_reload (self->agenda_view);
}

static void
is_active_changed_cb (SmWindow *self)
{
  /* The publisher or the command line may have changed things while the
   * window was in the background.  Its first activation follows its
   * construction, which has just read everything: no second read of the
   * month before the first frame. */
  if (!gtk_window_is_active (GTK_WINDOW (self)))
    return;
  if (self->was_active)
    sm_window_reload (self);
  self->was_active = TRUE;
}

static void
open_composer (SmWindow *self,
               gboolean  from_calendar,
               gint64    due_us)
{
  if (self->composer != NULL)
    {
      if (due_us != 0)
        sm_composer_window_set_due (self->composer, due_us);
      gtk_window_present (GTK_WINDOW (self->composer));
      return;
    }

  self->composing_from_calendar = from_calendar;
  self->composer = sm_composer_window_new (GTK_WINDOW (self), self->store);
  g_object_add_weak_pointer (G_OBJECT (self->composer), (gpointer *) &self->composer);
  g_signal_connect_object (self->composer, "post-created", G_CALLBACK (post_created_cb), self, 0);
  if (due_us != 0)
    sm_composer_window_set_due (self->composer, due_us);
  gtk_window_present (GTK_WINDOW (self->composer));
}

/* The composer filled with a saved post; one composer at a time. */
static void
edit_post (SmWindow *self,
           gint64    post_id)
{
  g_autoptr(GError) error = NULL;
  SmComposerWindow *composer;

  if (self->composer != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->composer));
      sm_ui_show_toast (GTK_WIDGET (self), _("Save or close the post being written first."));
      return;
    }

  composer = sm_composer_window_new (GTK_WINDOW (self), self->store);
  if (!sm_composer_window_load_post (composer, post_id, &error))
    {
      g_autofree char *title = g_strdup_printf (_("Cannot edit the post: %s"), error->message);

      gtk_window_destroy (GTK_WINDOW (composer));
      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }
  self->composing_from_calendar =
    g_strcmp0 (adw_view_stack_get_visible_child_name (self->stack), "calendar") == 0;
  self->composer = composer;
  g_object_add_weak_pointer (G_OBJECT (self->composer), (gpointer *) &self->composer);
  g_signal_connect_object (self->composer, "post-updated", G_CALLBACK (post_updated_cb), self, 0);
  gtk_window_present (GTK_WINDOW (self->composer));
}

static void
edit_post_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  edit_post (SM_WINDOW (widget), g_variant_get_int64 (parameter));
}

static void
new_post_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  open_composer (SM_WINDOW (widget), FALSE, 0);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  sm_import_flow_choose (SM_WINDOW (widget));
}

static void
calendar_compose_cb (SmWindow *self,
                     gint64    due_us)
{
  open_composer (self, TRUE, due_us);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SmWindow *self = SM_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}

static void
show_post_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  sm_window_show_post (SM_WINDOW (widget), g_variant_get_int64 (parameter));
}

static void
ensure_agenda (SmWindow *self)
{
  if (self->agenda_loaded ||
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->stack), "agenda") != 0)
    return;

  self->agenda_loaded = TRUE;
  g_signal_handlers_disconnect_by_func (self->stack, ensure_agenda, self);
  sm_agenda_view_set_store (self->agenda_view, self->store);
}

static void
sm_window_constructed (GObject *object)
{
  SmWindow *self = (SmWindow *) object;

  G_OBJECT_CLASS (sm_window_parent_class)->constructed (object);

  g_assert (self->store != NULL);

  sm_calendar_view_set_store (self->calendar_view, self->store);
  sm_accounts_page_set_store (self->accounts_page, self->store);

  /* The agenda (a row per post for two months: thousands on a busy
   * profile) is read and laid out when it is first shown, not before the
   * window's first frame: the view stack measures hidden pages too.
   * Until then its reloads do nothing (it has no store). */
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->stack), "agenda") == 0)
    ensure_agenda (self);
  else
    g_signal_connect_object (self->stack, "notify::visible-child-name",
                             G_CALLBACK (ensure_agenda), self, G_CONNECT_SWAPPED);
}

static void
sm_window_dispose (GObject *object)
{
  SmWindow *self = (SmWindow *) object;

  if (self->composer != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->composer), (gpointer *) &self->composer);
      gtk_window_destroy (GTK_WINDOW (self->composer));
      self->composer = NULL;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->update_button_id, g_source_remove);
  g_clear_object (&self->new_post_label);

  G_OBJECT_CLASS (sm_window_parent_class)->dispose (object);
}

static void
sm_window_finalize (GObject *object)
{
  SmWindow *self = (SmWindow *) object;

  /* Kept to the end: the children read it while they go. */
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_window_parent_class)->finalize (object);
}

static void
sm_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SmWindow *self = SM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SmWindow *self = SM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_window_class_init (SmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sm_window_constructed;
  object_class->dispose = sm_window_dispose;
  object_class->finalize = sm_window_finalize;
  object_class->set_property = sm_window_set_property;
  object_class->get_property = sm_window_get_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         SM_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The templates live in a GResource built into the static library; this
   * reference is what makes the linker keep it. */
  g_assert (sm_get_resource () != NULL);

  g_type_ensure (SM_TYPE_CALENDAR_VIEW);
  g_type_ensure (SM_TYPE_AGENDA_VIEW);
  g_type_ensure (SM_TYPE_ACCOUNTS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, new_post_button);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, new_post_content);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, calendar_view);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, agenda_view);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, accounts_page);
  gtk_widget_class_bind_template_callback (widget_class, accounts_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, calendar_compose_cb);
  gtk_widget_class_bind_template_callback (widget_class, title_visible_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.new-post", NULL, new_post_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-post", "x", show_post_action);
  gtk_widget_class_install_action (widget_class, "win.edit-post", "x", edit_post_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK,
                                       "win.show-page", "s", "calendar");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK,
                                       "win.show-page", "s", "agenda");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK,
                                       "win.show-page", "s", "accounts");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import", NULL);
}

static void
sm_window_init (SmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Kept while the button shows only its icon. */
  self->new_post_label = g_object_ref (self->new_post_content);
  self->cancellable = g_cancellable_new ();

  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_changed_cb), NULL);
}

/**
 * sm_window_new:
 * @application: (nullable): the application
 * @store: the profile's store
 *
 * Returns: (transfer none): a new main window
 */
SmWindow *
sm_window_new (GtkApplication *application,
               SmStore        *store)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  return g_object_new (SM_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);
}

SmStore *
sm_window_get_store (SmWindow *self)
{
  g_return_val_if_fail (SM_IS_WINDOW (self), NULL);

  return self->store;
}

void
sm_window_reload (SmWindow *self)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  sm_calendar_view_reload (self->calendar_view);
  sm_agenda_view_reload (self->agenda_view);
  sm_accounts_page_reload (self->accounts_page);
}

void
sm_window_show_post (SmWindow *self,
                     gint64    post_id)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->stack, "agenda");
  if (!sm_agenda_view_show_post (self->agenda_view, post_id))
    sm_ui_show_toast (GTK_WIDGET (self), _("That post is no longer in the agenda."));
}

/**
 * sm_window_add_toast:
 * @self: a #SmWindow
 * @toast: (transfer full): the toast
 */
void
sm_window_add_toast (SmWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (SM_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
