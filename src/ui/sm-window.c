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
#include "sm-time.h"
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
  GtkMenuButton        *workspace_button;
  GtkLabel             *workspace_label;
  AdwViewStack         *stack;
  SmCalendarView       *calendar_view;
  SmAgendaView         *agenda_view;
  gboolean              agenda_loaded;  /* its store is set when first shown */
  gboolean              was_active;     /* has been active before */
  SmAccountsPage       *accounts_page;

  /* owned */
  SmStore              *store;
  gint64                workspace_id;       /* the one shown */
  GMenu                *workspace_menu;
  GSimpleActionGroup   *workspace_actions;  /* "workspace.switch" */
  char                 *workspace_key;      /* what the switcher shows */
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

/* ---- Workspaces ---------------------------------------------------------- */

/* Which workspace the window shows is kept per profile, next to its
 * database (workspace ids belong to one database; GSettings would share
 * them between the user's profile, the demo's and the tests'). */
static char *
state_path (SmWindow *self)
{
  return g_build_filename (sm_store_get_dir (self->store), "window-state.ini", NULL);
}

static gint64
load_remembered_workspace (SmWindow *self)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = state_path (self);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return 0;
  return g_key_file_get_int64 (file, "window", "workspace", NULL);
}

static void
remember_workspace (SmWindow *self)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = state_path (self);
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_set_int64 (file, "window", "workspace", self->workspace_id);
  if (!g_key_file_save_to_file (file, path, &error))
    g_debug ("Could not remember the workspace: %s", error->message);
}

/* The switcher's menu: the workspaces (a radio group), then New and
 * Settings; its button shows the current workspace's name. */
static void
update_workspace_menu (SmWindow *self)
{
  g_autoptr(GPtrArray) workspaces = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMenu) list = g_menu_new ();
  g_autoptr(GMenu) actions = g_menu_new ();
  g_autofree char *accessible = NULL;
  g_autoptr(GString) key = g_string_new (NULL);
  const char *name = NULL;
  GAction *action;

  workspaces = sm_store_list_workspaces (self->store, &error);
  if (workspaces == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not read the workspaces: %s"), error->message);

      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }

  /* Unchanged: the menu (and an open popover) stays as it is. */
  g_string_append_printf (key, "%" G_GINT64_FORMAT, self->workspace_id);
  for (guint i = 0; i < workspaces->len; i++)
    g_string_append_printf (key, "|%" G_GINT64_FORMAT ":%s",
                            ((SmWorkspace *) g_ptr_array_index (workspaces, i))->id,
                            ((SmWorkspace *) g_ptr_array_index (workspaces, i))->name);
  if (g_strcmp0 (key->str, self->workspace_key) == 0)
    return;
  g_free (self->workspace_key);
  self->workspace_key = g_strdup (key->str);

  for (guint i = 0; i < workspaces->len; i++)
    {
      const SmWorkspace *workspace = g_ptr_array_index (workspaces, i);
      /* Menu labels take "_" as a mnemonic: a name's own ones are doubled. */
      g_auto(GStrv) parts = g_strsplit (workspace->name, "_", -1);
      g_autofree char *label = g_strjoinv ("__", parts);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target_value (item, "workspace.switch",
                                               g_variant_new_int64 (workspace->id));
      g_menu_append_item (list, item);
      if (workspace->id == self->workspace_id)
        name = workspace->name;
    }
  g_menu_append (actions, _("_New Workspace…"), "win.new-workspace");
  g_menu_append (actions, _("Workspace _Settings…"), "win.workspace-settings");

  g_menu_remove_all (self->workspace_menu);
  g_menu_append_section (self->workspace_menu, NULL, G_MENU_MODEL (list));
  g_menu_append_section (self->workspace_menu, NULL, G_MENU_MODEL (actions));

  action = g_action_map_lookup_action (G_ACTION_MAP (self->workspace_actions), "switch");
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_int64 (self->workspace_id));

  gtk_label_set_text (self->workspace_label, name != NULL ? name : "");
  /* A short name is shown whole (with room for wide letters), a long one
   * cut after about 14 characters: an ellipsizing label would otherwise
   * give all its room to the centred view switcher. */
  gtk_label_set_width_chars (self->workspace_label,
                             name != NULL ? MIN ((int) g_utf8_strlen (name, -1) + 2, 16) : 0);
  /* Translators: accessible name of the workspace switcher, "Workspace: Bakery" */
  accessible = g_strdup_printf (_("Workspace: %s"), name != NULL ? name : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->workspace_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

/* Shows @workspace_id (0, or one that no longer exists: the default one)
 * everywhere: calendar, agenda, accounts, and the next composer. */
static void
show_workspace (SmWindow *self,
                gint64    workspace_id)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sm_store_resolve_workspace (self->store, workspace_id, NULL, &error);

  if (id == 0 && workspace_id != 0)
    {
      g_debug ("Workspace %" G_GINT64_FORMAT " is gone: %s", workspace_id, error->message);
      g_clear_error (&error);
      id = sm_store_resolve_workspace (self->store, 0, NULL, &error);
    }
  if (id == 0)
    {
      g_autofree char *title = g_strdup_printf (_("Could not read the workspaces: %s"), error->message);

      sm_ui_show_toast (GTK_WIDGET (self), title);
      return;
    }

  if (id != self->workspace_id)
    {
      self->workspace_id = id;
      remember_workspace (self);
    }
  sm_calendar_view_set_workspace (self->calendar_view, id);
  sm_agenda_view_set_workspace (self->agenda_view, id);
  sm_accounts_page_set_workspace (self->accounts_page, id);
  update_workspace_menu (self);
}

static void
switch_workspace_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  SmWindow *self = user_data;

  show_workspace (self, g_variant_get_int64 (parameter));
}

/* The dialog for a new workspace, or the current one's settings: its name
 * and zone are checked as they are typed, and the button that saves them
 * stays off, with the reason shown, until they are good. */
typedef struct
{
  SmWindow  *self;
  gint64     workspace_id;   /* 0: a new one */
  GtkWidget *dialog;
  GtkWidget *name_row;
  GtkWidget *zone_row;
  GtkWidget *error_label;
} WorkspaceDialog;

static void
workspace_dialog_free (WorkspaceDialog *wd)
{
  g_clear_object (&wd->self);
  g_free (wd);
}

/* Why @wd cannot be saved as it is, or NULL. */
static char *
workspace_dialog_problem (WorkspaceDialog *wd)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (wd->name_row))));
  g_autofree char *zone = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (wd->zone_row))));
  g_autoptr(GPtrArray) workspaces = NULL;
  g_autofree char *key = NULL;

  if (*name == '\0')
    return g_strdup (_("Give the workspace a name."));
  workspaces = sm_store_list_workspaces (wd->self->store, NULL);
  key = g_utf8_casefold (name, -1);
  for (guint i = 0; workspaces != NULL && i < workspaces->len; i++)
    {
      const SmWorkspace *workspace = g_ptr_array_index (workspaces, i);
      g_autofree char *other = g_utf8_casefold (workspace->name, -1);

      if (workspace->id != wd->workspace_id && g_strcmp0 (key, other) == 0)
        return g_strdup_printf (_("There is already a workspace called “%s”; choose another name."),
                                workspace->name);
    }
  if (!sm_time_zone_is_valid (zone))
    return g_strdup_printf (_("“%s” is not a time zone; use a name like Europe/Berlin."), zone);
  return NULL;
}

static void
workspace_dialog_changed_cb (WorkspaceDialog *wd)
{
  g_autofree char *problem = workspace_dialog_problem (wd);

  gtk_label_set_text (GTK_LABEL (wd->error_label), problem != NULL ? problem : "");
  gtk_widget_set_visible (wd->error_label, problem != NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (wd->dialog), "save", problem == NULL);
}

static void
delete_workspace_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              gpointer          user_data)
{
  g_autoptr(SmWindow) self = g_object_ref (SM_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog))));
  gint64 id = *(gint64 *) user_data;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;
  if (!sm_store_delete_workspace (self->store, id, &error))
    {
      GtkWidget *failed = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Delete the Workspace"),
                                                  error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (failed), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (failed));
      return;
    }
  sm_ui_show_toast (GTK_WIDGET (self), _("Workspace deleted"));
  show_workspace (self, 0);
}

static void
confirm_delete_workspace (SmWindow   *self,
                          gint64      workspace_id,
                          const char *name)
{
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* Translators: dialog heading, "Delete “Bakery”?" */
  heading = g_strdup_printf (_("Delete “%s”?"), name);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Its calendar and time zone go. A workspace that still has "
                                     "accounts cannot be deleted: disconnect them on the Accounts "
                                     "page first, which removes their posts too."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (delete_workspace_response_cb),
                         g_memdup2 (&workspace_id, sizeof workspace_id),
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
workspace_dialog_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              WorkspaceDialog  *wd)
{
  SmWindow *self = wd->self;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (wd->name_row))));
  g_autofree char *zone = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (wd->zone_row))));
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") == 0)
    {
      confirm_delete_workspace (self, wd->workspace_id, name);
      return;
    }
  if (g_strcmp0 (response, "save") != 0)
    return;

  if (wd->workspace_id == 0)
    {
      gint64 id = sm_store_create_workspace (self->store, name, zone, &error);

      if (id != 0)
        {
          /* Translators: toast, "Created “Bakery”" */
          g_autofree char *title = g_strdup_printf (_("Created “%s”"), name);

          show_workspace (self, id);
          sm_ui_show_toast (GTK_WIDGET (self), title);
          return;
        }
    }
  else if (sm_store_rename_workspace (self->store, wd->workspace_id, name, &error) &&
           sm_store_set_workspace_zone (self->store, wd->workspace_id, zone, &error))
    {
      /* The zone may have changed: every view lays its days out again. */
      sm_window_reload (self);
      update_workspace_menu (self);
      return;
    }

  {
    GtkWidget *failed = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Save the Workspace"),
                                                error->message);

    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (failed), "close", _("_Close"));
    gtk_window_present (GTK_WINDOW (failed));
  }
}

static void
open_workspace_dialog (SmWindow *self,
                       gint64    workspace_id)
{
  g_autoptr(SmWorkspace) workspace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local = NULL;
  WorkspaceDialog *wd;
  GtkWidget *box, *group;

  if (workspace_id != 0 && !(workspace = sm_store_get_workspace (self->store, workspace_id, &error)))
    {
      sm_ui_show_toast (GTK_WIDGET (self), error->message);
      return;
    }

  wd = g_new0 (WorkspaceDialog, 1);
  wd->self = g_object_ref (self);
  wd->workspace_id = workspace_id;
  wd->dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                       workspace != NULL ? _("Workspace Settings") : _("New Workspace"),
                                       workspace != NULL
                                       ? _("The calendar shows this workspace’s days in its time zone.")
                                       : _("A workspace has its own accounts, calendar, time zone and "
                                           "posting times."));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  group = adw_preferences_group_new ();
  wd->name_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (wd->name_row), _("Name"));
  gtk_editable_set_text (GTK_EDITABLE (wd->name_row), workspace != NULL ? workspace->name : "");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), wd->name_row);
  wd->zone_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (wd->zone_row), _("Time Zone"));
  gtk_widget_set_tooltip_text (wd->zone_row, _("An IANA time zone, such as Europe/Berlin or America/New_York"));
  local = sm_time_local_zone_id ();
  gtk_editable_set_text (GTK_EDITABLE (wd->zone_row), workspace != NULL ? workspace->time_zone : local);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), wd->zone_row);
  /* Enter in either field saves, when Save is on. */
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (wd->name_row), TRUE);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (wd->zone_row), TRUE);
  gtk_box_append (GTK_BOX (box), group);
  wd->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (wd->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (wd->error_label), 0);
  gtk_widget_add_css_class (wd->error_label, "error");
  /* Screen readers read the problem with the fields it is about. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (wd->name_row),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, wd->error_label, NULL,
                                  -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (wd->zone_row),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, wd->error_label, NULL,
                                  -1);
  gtk_box_append (GTK_BOX (box), wd->error_label);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (wd->dialog), box);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (wd->dialog), "cancel", _("_Cancel"));
  if (workspace != NULL)
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (wd->dialog), "delete", _("_Delete…"));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (wd->dialog), "delete",
                                                  ADW_RESPONSE_DESTRUCTIVE);
    }
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (wd->dialog), "save",
                                   workspace != NULL ? _("_Save") : _("C_reate"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (wd->dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (wd->dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (wd->dialog), "cancel");

  g_signal_connect_swapped (wd->name_row, "changed", G_CALLBACK (workspace_dialog_changed_cb), wd);
  g_signal_connect_swapped (wd->zone_row, "changed", G_CALLBACK (workspace_dialog_changed_cb), wd);
  g_signal_connect_data (wd->dialog, "response", G_CALLBACK (workspace_dialog_response_cb), wd,
                         (GClosureNotify) (void (*) (void)) workspace_dialog_free, 0);
  workspace_dialog_changed_cb (wd);
  gtk_window_present (GTK_WINDOW (wd->dialog));
  gtk_widget_grab_focus (wd->name_row);
}

static void
new_workspace_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  open_workspace_dialog (SM_WINDOW (widget), 0);
}

/* Alt+W: the switcher's menu, from anywhere in the window. */
static void
switch_workspace_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  gtk_menu_button_popup (SM_WINDOW (widget)->workspace_button);
}

static void
workspace_settings_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  SmWindow *self = SM_WINDOW (widget);

  open_workspace_dialog (self, self->workspace_id);
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
  self->composer = sm_composer_window_new_in_workspace (GTK_WINDOW (self), self->store,
                                                        self->workspace_id);
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

  {
    /* The post's own workspace: its accounts are the ones to offer. */
    g_autoptr(SmPost) post = sm_store_get_post (self->store, post_id, &error);

    if (post == NULL)
      {
        g_autofree char *title = g_strdup_printf (_("Cannot edit the post: %s"), error->message);

        sm_ui_show_toast (GTK_WIDGET (self), title);
        return;
      }
    composer = sm_composer_window_new_in_workspace (GTK_WINDOW (self), self->store,
                                                    post->workspace_id);
  }
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

  /* The workspace first: the views read their posts once, in its zone. */
  self->workspace_id = sm_store_resolve_workspace (self->store, load_remembered_workspace (self),
                                                   NULL, NULL);
  if (self->workspace_id == 0)
    self->workspace_id = sm_store_resolve_workspace (self->store, 0, NULL, NULL);
  sm_calendar_view_set_workspace (self->calendar_view, self->workspace_id);
  sm_agenda_view_set_workspace (self->agenda_view, self->workspace_id);
  sm_accounts_page_set_workspace (self->accounts_page, self->workspace_id);
  update_workspace_menu (self);

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
  g_clear_object (&self->workspace_menu);
  g_clear_object (&self->workspace_actions);

  G_OBJECT_CLASS (sm_window_parent_class)->dispose (object);
}

static void
sm_window_finalize (GObject *object)
{
  SmWindow *self = (SmWindow *) object;

  /* Kept to the end: the children read it while they go. */
  g_clear_object (&self->store);
  g_clear_pointer (&self->workspace_key, g_free);

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
  gtk_widget_class_bind_template_child (widget_class, SmWindow, workspace_button);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, workspace_label);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, calendar_view);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, agenda_view);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, accounts_page);
  gtk_widget_class_bind_template_callback (widget_class, accounts_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, calendar_compose_cb);
  gtk_widget_class_bind_template_callback (widget_class, title_visible_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.new-workspace", NULL, new_workspace_action);
  gtk_widget_class_install_action (widget_class, "win.workspace-settings", NULL, workspace_settings_action);
  gtk_widget_class_install_action (widget_class, "win.switch-workspace", NULL, switch_workspace_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_ALT_MASK, "win.switch-workspace", NULL);
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

  {
    const GActionEntry entries[] = {
      { "switch", switch_workspace_cb, "x", "int64 0", NULL, { 0 } },
    };

    self->workspace_menu = g_menu_new ();
    gtk_menu_button_set_menu_model (self->workspace_button, G_MENU_MODEL (self->workspace_menu));
    self->workspace_actions = g_simple_action_group_new ();
    g_action_map_add_action_entries (G_ACTION_MAP (self->workspace_actions), entries,
                                     G_N_ELEMENTS (entries), self);
    gtk_widget_insert_action_group (GTK_WIDGET (self), "workspace",
                                    G_ACTION_GROUP (self->workspace_actions));
  }

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

/**
 * sm_window_get_workspace:
 * @self: a #SmWindow
 *
 * Returns: the id of the workspace the window shows
 */
gint64
sm_window_get_workspace (SmWindow *self)
{
  g_return_val_if_fail (SM_IS_WINDOW (self), 0);

  return self->workspace_id;
}

/**
 * sm_window_set_workspace:
 * @self: a #SmWindow
 * @workspace_id: the workspace to show (0: the default one)
 *
 * Shows @workspace_id, as choosing it in the switcher does.
 */
void
sm_window_set_workspace (SmWindow *self,
                         gint64    workspace_id)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  show_workspace (self, workspace_id);
}

void
sm_window_reload (SmWindow *self)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  /* The command line may have renamed, re-zoned or added workspaces. */
  show_workspace (self, self->workspace_id);
  sm_calendar_view_reload (self->calendar_view);
  sm_agenda_view_reload (self->agenda_view);
  sm_accounts_page_reload (self->accounts_page);
}

void
sm_window_show_post (SmWindow *self,
                     gint64    post_id)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  /* A notification may be about another workspace's post: show that one. */
  {
    g_autoptr(SmPost) post = sm_store_get_post (self->store, post_id, NULL);

    if (post != NULL && post->workspace_id != self->workspace_id)
      show_workspace (self, post->workspace_id);
  }
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
