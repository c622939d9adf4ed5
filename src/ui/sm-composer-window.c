/* sm-composer-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-composer"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sm-composer-window.h"
#include "sm-media.h"
#include "sm-media-rules.h"
#include "sm-options.h"
#include "sm-platform.h"
#include "sm-post-preview.h"
#include "sm-queue.h"
#include "sm-transcode.h"
#include "sm-text.h"
#include "sm-token-store.h"
#include "sm-time.h"
#include "sm-ui-util.h"

/* How often the "time is in the past" check runs while the window is open. */
#define RECHECK_SECONDS 15
/* The longer side of a file's thumbnail, in pixels. */
#define THUMBNAIL_SIDE 160
/* Frames per second of a converted video at most. */
#define CONVERT_MAX_FPS 60
/* The longer side of a YouTube cover picked from a video's frame. */
#define COVER_SIDE 1280
/* How long the preview waits after a change before it follows it. */
#define PREVIEW_DELAY_MS 250
/* The width the preview pane adds to the window. */
#define PREVIEW_WIDTH 380

/* One file of the post.  Reference-counted (g_atomic_rc_box): the worker threads
 * that read or convert it hold one each. */
typedef struct
{
  SmComposerWindow *self;        /* not a reference; cleared on dispose */
  char             *path;        /* the file the post carries */
  char             *original;    /* what it was converted from, or NULL */
  SmMediaInfo      *info;        /* NULL while reading it, or when it failed */
  char             *error;       /* why it could not be read */
  GdkTexture       *thumbnail;
  GCancellable     *cancellable;
  gboolean          busy;        /* being read or converted */
  gboolean          converting;
  double            fraction;    /* conversion progress */
  GtkProgressBar   *progress;    /* the card's bar while converting */
  SmPostMedia      *saved;       /* the row of the post being edited, or NULL */
} MediaItem;

/* How each option the composer offers is edited. */
typedef enum
{
  OPTION_ENTRY,
  OPTION_COMBO,
  OPTION_SWITCH,
  OPTION_COVER,
} OptionWidget;

typedef struct
{
  const char   *key;
  const char   *title;
  OptionWidget  widget;
  gboolean      fallback;        /* a switch's state when left alone */
} OptionRow;

static const OptionRow option_rows[] = {
  { "youtube.title", N_("Title"), OPTION_ENTRY, FALSE },
  { "youtube.privacy", N_("Privacy"), OPTION_COMBO, FALSE },
  { "youtube.tags", N_("Tags, separated by commas"), OPTION_ENTRY, FALSE },
  { "youtube.made_for_kids", N_("Made for kids"), OPTION_SWITCH, FALSE },
  { "youtube.notify_subscribers", N_("Notify subscribers"), OPTION_SWITCH, TRUE },
  { "youtube.thumbnail", N_("Thumbnail"), OPTION_COVER, FALSE },
  { "instagram.kind", N_("Post as"), OPTION_COMBO, FALSE },
  { "facebook.kind", N_("Post as"), OPTION_COMBO, FALSE },
  { "tiktok.privacy", N_("Who can watch"), OPTION_COMBO, FALSE },
  { "tiktok.disable_comment", N_("Turn off comments"), OPTION_SWITCH, FALSE },
  { "tiktok.disable_duet", N_("Turn off duets"), OPTION_SWITCH, FALSE },
  { "tiktok.disable_stitch", N_("Turn off stitches"), OPTION_SWITCH, FALSE },
  { "x.thread", N_("Post as a thread, split at lines of ---"), OPTION_SWITCH, FALSE },
  { "x.reply_settings", N_("Who can reply"), OPTION_COMBO, FALSE },
  { "threads.kind", N_("Post as"), OPTION_COMBO, FALSE },
  { "threads.reply_control", N_("Who can reply"), OPTION_COMBO, FALSE },
  { "whatsapp.to", N_("Recipient’s phone number, with country code"), OPTION_ENTRY, FALSE },
  { "whatsapp.template", N_("Template name"), OPTION_ENTRY, FALSE },
  { "linkedin.visibility", N_("Who can see it"), OPTION_COMBO, FALSE },
  /* Sent under the post once it is out (sm-publisher.c). */
  { "facebook.first_comment", N_("First comment"), OPTION_ENTRY, FALSE },
  { "instagram.first_comment", N_("First comment"), OPTION_ENTRY, FALSE },
  { "youtube.first_comment", N_("First comment"), OPTION_ENTRY, FALSE },
  { "linkedin.first_comment", N_("First comment"), OPTION_ENTRY, FALSE },
  { "threads.first_comment", N_("First comment, as a reply"), OPTION_ENTRY, FALSE },
  { "x.first_comment", N_("First comment, as a reply"), OPTION_ENTRY, FALSE },
};

/* Names for people of the options' values. */
static const struct { const char *value; const char *label; } choice_labels[] = {
  { "private", N_("Private") },
  { "public", N_("Public") },
  { "unlisted", N_("Unlisted") },
  { "feed", N_("Feed post") },
  { "carousel", N_("Carousel") },
  { "reel", N_("Reel") },
  { "story", N_("Story") },
  { "post", N_("Post") },
  { "video", N_("Video") },
  { "PUBLIC_TO_EVERYONE", N_("Everyone") },
  { "MUTUAL_FOLLOW_FRIENDS", N_("Friends") },
  { "FOLLOWER_OF_CREATOR", N_("Followers") },
  { "SELF_ONLY", N_("Only me") },
  { "following", N_("People you follow") },
  { "mentionedUsers", N_("People you mention") },
  { "subscribers", N_("Subscribers") },
  { "verified", N_("Verified accounts") },
  { "PUBLIC", N_("Anyone") },
  { "CONNECTIONS", N_("Connections") },
  { "LOGGED_IN", N_("Signed-in LinkedIn members") },
  { "everyone", N_("Everyone") },
  { "accounts_you_follow", N_("Accounts you follow") },
  { "mentioned_only", N_("Mentioned accounts") },
};

typedef struct
{
  SmAccount      *account;
  GtkCheckButton *check;
  AdwExpanderRow *variant_row;
  GtkTextBuffer  *variant_buffer;
  gboolean        variant_shown_once;
} AccountEntry;

struct _SmComposerWindow
{
  AdwWindow            parent_instance;

  /* template widgets */
  GtkTextView         *text_view;
  GtkLabel            *counter_label;
  GtkBox              *problems_box;
  AdwPreferencesGroup *accounts_group;
  AdwPreferencesGroup *variants_group;
  AdwPreferencesGroup *when_group;
  GtkMenuButton       *date_button;
  GtkPopover          *date_popover;
  GtkCalendar         *calendar;
  GtkSpinButton       *hour_spin;
  GtkSpinButton       *minute_spin;
  AdwEntryRow         *zone_row;
  GtkButton           *schedule_button;
  GtkButton           *post_now_button;
  GtkWidget           *media_section;
  GtkLabel            *media_hint;
  GtkScrolledWindow   *media_scroller;
  GtkBox              *media_box;
  AdwPreferencesGroup *options_group;
  GtkToggleButton     *preview_button;
  GtkBox              *preview_networks;
  SmPostPreview       *preview;

  /* owned */
  SmStore             *store;
  gint64               workspace_id;  /* whose accounts and zone; 0: the default */
  GPtrArray           *entries;       /* AccountEntry */
  char                *local_zone;
  guint                recheck_id;
  GCancellable        *cancellable;   /* the keyring look-up for the bucket */
  GPtrArray           *media;         /* MediaItem, in the post's order */
  GHashTable          *options;       /* key → value the user set */
  AdwExpanderRow      *network_rows[SM_N_NETWORKS];
  gboolean             options_opened[SM_N_NETWORKS];
  GHashTable          *option_widgets;/* key → the row that edits it */
  GtkFileChooserNative *chooser;
  AdwActionRow        *cover_row;
  GtkWidget           *cover_clear_button;
  GtkWidget           *frame_button;
  GtkPopover          *frame_popover;
  GtkWidget           *frame_scale;
  gint64               post_id;       /* the post being edited, 0 for a new one */
  guint                preview_id;    /* the preview's pending refresh */
  SmNetwork            preview_network;
  gboolean             preview_choices[SM_N_NETWORKS];
  GdkTexture          *cover_texture; /* youtube.thumbnail, for the preview */
  char                *cover_texture_path;

  /* Whether a media bucket is set up (read from the keyring once). */
  enum { BUCKET_UNKNOWN, BUCKET_NONE, BUCKET_SET } bucket;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_WORKSPACE_ID,
  N_PROPS
};

enum {
  POST_CREATED,
  POST_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SmComposerWindow, sm_composer_window, ADW_TYPE_WINDOW)

static void
account_entry_free (AccountEntry *entry)
{
  g_clear_pointer (&entry->account, sm_account_free);
  g_free (entry);
}

static char *
buffer_get_all (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* The account's own text when the user wrote one, else NULL. */
static char *
entry_get_variant (AccountEntry *entry)
{
  g_autofree char *text = buffer_get_all (entry->variant_buffer);

  return is_blank (text) ? NULL : g_steal_pointer (&text);
}

static gboolean
entry_is_selected (AccountEntry *entry)
{
  return gtk_check_button_get_active (entry->check);
}

/* The UTC instant the date, time and zone fields mean; FALSE with a
 * message for people when they mean none. */
static gboolean
get_due (SmComposerWindow  *self,
         gint64            *out_us,
         char             **problem)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->calendar);
  g_autoptr(GError) error = NULL;
  const char *zone = gtk_editable_get_text (GTK_EDITABLE (self->zone_row));
  gint64 us;

  if (!sm_time_zone_is_valid (zone))
    {
      *problem = g_strdup_printf (_("“%s” is not a time zone; use a name such as Europe/Berlin or UTC."),
                                  zone);
      return FALSE;
    }

  us = sm_time_local_to_utc_us (zone,
                                g_date_time_get_year (date),
                                g_date_time_get_month (date),
                                g_date_time_get_day_of_month (date),
                                gtk_spin_button_get_value_as_int (self->hour_spin),
                                gtk_spin_button_get_value_as_int (self->minute_spin),
                                &error);
  if (error != NULL)
    {
      *problem = g_strdup (error->message);
      return FALSE;
    }

  *out_us = us;
  return TRUE;
}

static gpointer
copy_string (gconstpointer src,
             gpointer      data)
{
  return g_strdup (src);
}

static GtkWidget *
add_problem (SmComposerWindow *self,
             const char       *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *image = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (image, GTK_ALIGN_START);
  gtk_accessible_update_state (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (self->problems_box, box);
  return box;
}

/* A remark that does not stop the post (an information icon). */
static void
add_note (SmComposerWindow *self,
          const char       *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *image = gtk_image_new_from_icon_name ("dialog-information-symbolic");
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (image, GTK_ALIGN_START);
  gtk_accessible_update_state (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_name (box, "bucket-note");
  gtk_widget_add_css_class (box, "sm-note");
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (self->problems_box, box);
}

/* Whether a post to @network needs the media bucket: with files, when
 * one of them goes by URL; before any, when photos or videos would. */
static gboolean
post_needs_bucket (SmComposerWindow *self,
                   SmNetwork         network)
{
  gboolean any = FALSE;

  for (guint i = 0; self->media != NULL && i < self->media->len; i++)
    {
      MediaItem *item = g_ptr_array_index (self->media, i);

      if (item->info == NULL)
        continue;
      any = TRUE;
      if (sm_media_rules_needs_bucket (network, item->info->mime_type))
        return TRUE;
    }
  if (any)
    return FALSE;
  return sm_media_rules_needs_bucket (network, "image/jpeg") ||
         sm_media_rules_needs_bucket (network, "video/mp4");
}

/* The selected networks that fetch photos and videos by URL, when no
 * media bucket is set up: "Instagram and Threads", else NULL. */
static char *
networks_needing_bucket (SmComposerWindow *self,
                         guint            *n_out)
{
  g_autoptr(GString) names = g_string_new (NULL);
  gboolean seen[SM_N_NETWORKS] = { FALSE, };
  guint n = 0;

  *n_out = 0;
  if (self->bucket != BUCKET_NONE)
    return NULL;
  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);
      SmNetwork network = entry->account->network;

      if (!entry_is_selected (entry) || seen[network])
        continue;
      seen[network] = TRUE;
      if (!post_needs_bucket (self, network))
        continue;
      if (n++ > 0)
        g_string_append (names, _(" and "));
      g_string_append (names, sm_network_display_name (network));
    }
  *n_out = n;
  return n > 0 ? g_string_free (g_steal_pointer (&names), FALSE) : NULL;
}

/* ---- Files ---------------------------------------------------------------- */

static void rebuild_media (SmComposerWindow *self);
static void show_error (SmComposerWindow *self, const char *heading, const char *body);
static void update_state (SmComposerWindow *self);

static MediaItem *
media_item_new (SmComposerWindow *self,
                const char       *path)
{
  MediaItem *item = g_atomic_rc_box_new0 (MediaItem);

  item->self = self;
  item->path = g_strdup (path);
  item->cancellable = g_cancellable_new ();
  return item;
}

static void
media_item_clear (MediaItem *item)
{
  g_free (item->path);
  g_free (item->original);
  g_clear_pointer (&item->info, sm_media_info_free);
  g_free (item->error);
  g_clear_object (&item->thumbnail);
  g_clear_object (&item->cancellable);
  g_clear_pointer (&item->saved, sm_post_media_free);
}

static MediaItem *
media_item_ref (MediaItem *item)
{
  return g_atomic_rc_box_acquire (item);
}

static void
media_item_unref (MediaItem *item)
{
  g_atomic_rc_box_release_full (item, (GDestroyNotify) media_item_clear);
}

/* Stops what runs on @item and lets go of the window. */
static void
media_item_drop (MediaItem *item)
{
  g_cancellable_cancel (item->cancellable);
  item->self = NULL;
  item->progress = NULL;
  media_item_unref (item);
}

/* What a worker thread found out about a file. */
typedef struct
{
  SmMediaInfo *info;
  GBytes      *png;
} ProbeResult;

static void
probe_result_free (ProbeResult *result)
{
  g_clear_pointer (&result->info, sm_media_info_free);
  g_clear_pointer (&result->png, g_bytes_unref);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProbeResult, probe_result_free)

/* Reads @path and renders its thumbnail (a file with no picture, such as
 * a sound file, has none). */
static ProbeResult *
probe_file (const char    *path,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(ProbeResult) result = g_new0 (ProbeResult, 1);
  g_autoptr(GError) thumbnail_error = NULL;

  result->info = sm_media_probe (path, cancellable, error);
  if (result->info == NULL)
    return NULL;
  if (result->info->kind == SM_MEDIA_IMAGE || result->info->kind == SM_MEDIA_VIDEO)
    {
      result->png = sm_media_thumbnail_png (path, 0, THUMBNAIL_SIDE, cancellable, &thumbnail_error);
      if (result->png == NULL)
        g_debug ("No thumbnail for %s: %s", path, thumbnail_error->message);
    }
  return g_steal_pointer (&result);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  ProbeResult *result = probe_file (task_data, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) probe_result_free);
}

/* Takes what the worker found into @item. */
static void
media_item_take_result (MediaItem   *item,
                        ProbeResult *result)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&item->info, sm_media_info_free);
  g_clear_object (&item->thumbnail);
  item->info = g_steal_pointer (&result->info);
  if (result->png != NULL)
    {
      item->thumbnail = gdk_texture_new_from_bytes (result->png, &error);
      if (item->thumbnail == NULL)
        g_debug ("Thumbnail of %s unreadable: %s", item->path, error->message);
    }
}

static void
probe_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  MediaItem *item = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ProbeResult) result = g_task_propagate_pointer (G_TASK (res), &error);
  SmComposerWindow *self = item->self;

  item->busy = FALSE;
  if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (result == NULL)
        item->error = g_strdup (error->message);
      else
        media_item_take_result (item, result);
      rebuild_media (self);
      update_state (self);
    }
  media_item_unref (item);
}

static MediaItem *
add_file (SmComposerWindow *self,
          GFile            *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GTask) task = NULL;
  MediaItem *item;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *body = g_strdup_printf (_("%s is not a file on this computer; save it to a folder first."), uri);

      /* Translators: dialog heading */
      show_error (self, _("Cannot Add the File"), body);
      return NULL;
    }

  item = media_item_new (self, path);
  item->busy = TRUE;
  g_ptr_array_add (self->media, item);

  task = g_task_new (NULL, item->cancellable, probe_cb, media_item_ref (item));
  g_task_set_source_tag (task, add_file);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, probe_thread);
  return item;
}

static void
move_item (SmComposerWindow *self,
           MediaItem        *item,
           int               delta)
{
  guint index;
  int to;

  if (!g_ptr_array_find (self->media, item, &index))
    return;
  to = (int) index + delta;
  if (to < 0 || to >= (int) self->media->len)
    return;
  self->media->pdata[index] = self->media->pdata[to];
  self->media->pdata[to] = item;
  rebuild_media (self);
  update_state (self);
}

static void
move_left_clicked_cb (GtkButton *button,
                      MediaItem *item)
{
  if (item->self != NULL)
    move_item (item->self, item, -1);
}

static void
move_right_clicked_cb (GtkButton *button,
                       MediaItem *item)
{
  if (item->self != NULL)
    move_item (item->self, item, +1);
}

static void
remove_clicked_cb (GtkButton *button,
                   MediaItem *item)
{
  SmComposerWindow *self = item->self;
  guint index;

  if (self == NULL || !g_ptr_array_find (self->media, item, &index))
    return;
  /* The array's reference goes; the card's button still holds one. */
  g_ptr_array_remove_index (self->media, index);
  rebuild_media (self);
  update_state (self);
}

static void
preview_clicked_cb (GtkButton *button,
                    MediaItem *item)
{
  g_autofree char *name = NULL;
  GtkWidget *window, *box, *header, *video;

  if (item->self == NULL)
    return;

  name = g_path_get_basename (item->path);
  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), name);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (item->self));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 480);
  gtk_widget_set_name (window, "media-preview");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  video = gtk_video_new_for_filename (item->path);
  gtk_video_set_autoplay (GTK_VIDEO (video), TRUE);
  gtk_widget_set_vexpand (video, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), video);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

/* ---- Converting ----------------------------------------------------------- */

typedef struct
{
  char      *input;
  char      *output;
  MediaItem *item;    /* a reference, for progress */
} ConvertJob;

static void
convert_job_free (ConvertJob *job)
{
  g_free (job->input);
  g_free (job->output);
  media_item_unref (job->item);
  g_free (job);
}

typedef struct
{
  MediaItem *item;
  double     fraction;
} ConvertProgress;

static gboolean
convert_progress_idle (gpointer data)
{
  ConvertProgress *progress = data;

  progress->item->fraction = progress->fraction;
  if (progress->item->progress != NULL)
    gtk_progress_bar_set_fraction (progress->item->progress, progress->fraction);
  media_item_unref (progress->item);
  g_free (progress);
  return G_SOURCE_REMOVE;
}

/* Called on the worker thread: the bar moves on the main one. */
static void
convert_progress_cb (double   fraction,
                     gpointer user_data)
{
  ConvertJob *job = user_data;
  ConvertProgress *progress = g_new0 (ConvertProgress, 1);

  progress->item = media_item_ref (job->item);
  progress->fraction = fraction;
  g_idle_add (convert_progress_idle, progress);
}

static void
convert_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ConvertJob *job = task_data;
  /* Every network that caps the frame rate caps it at 60
   * (sm-media-rules.c); the size is kept. */
  SmTranscodeOptions options = { CONVERT_MAX_FPS, 0 };
  GError *error = NULL;
  ProbeResult *result;

  if (!sm_transcode_to_mp4 (job->input, job->output, &options, convert_progress_cb, job,
                            cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  result = probe_file (job->output, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) probe_result_free);
}

static void
convert_cb (GObject      *object,
            GAsyncResult *res,
            gpointer      user_data)
{
  MediaItem *item = user_data;
  ConvertJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autoptr(ProbeResult) result = g_task_propagate_pointer (G_TASK (res), &error);
  SmComposerWindow *self = item->self;

  item->busy = FALSE;
  item->converting = FALSE;
  if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (result == NULL)
        {
          g_autofree char *name = g_path_get_basename (job->input);
          g_autofree char *body = g_strdup_printf (_("%s: %s"), name, error->message);

          show_error (self, _("Could Not Convert the Video"), body);
        }
      else
        {
          /* The original stays where it is; the post carries the copy. */
          if (item->original == NULL)
            item->original = g_steal_pointer (&item->path);
          g_free (item->path);
          item->path = g_strdup (job->output);
          media_item_take_result (item, result);
        }
      rebuild_media (self);
      update_state (self);
    }
  media_item_unref (item);
}

/* Where the copy goes: beside the original, or in the profile's folder
 * when the original's folder is not writable. */
static char *
convert_output_path (SmComposerWindow *self,
                     const char       *input)
{
  g_autofree char *dir = g_path_get_dirname (input);
  g_autofree char *name = NULL;
  g_autofree char *own_dir = NULL;
  g_autofree char *beside = NULL;

  if (g_access (dir, W_OK) == 0)
    return sm_transcode_default_output (input);

  own_dir = g_build_filename (sm_store_get_dir (self->store), "converted", NULL);
  g_mkdir_with_parents (own_dir, 0700);
  name = g_path_get_basename (input);
  beside = g_build_filename (own_dir, name, NULL);
  return sm_transcode_default_output (beside);
}

static void
convert_item (SmComposerWindow *self,
              MediaItem        *item)
{
  g_autoptr(GTask) task = NULL;
  ConvertJob *job;

  if (item->busy || item->info == NULL)
    return;

  job = g_new0 (ConvertJob, 1);
  job->input = g_strdup (item->path);
  job->output = convert_output_path (self, item->path);
  job->item = media_item_ref (item);

  item->busy = TRUE;
  item->converting = TRUE;
  item->fraction = 0;

  task = g_task_new (NULL, item->cancellable, convert_cb, media_item_ref (item));
  g_task_set_source_tag (task, convert_item);
  g_task_set_task_data (task, job, (GDestroyNotify) convert_job_free);
  g_task_run_in_thread (task, convert_thread);

  rebuild_media (self);
  update_state (self);
}

static void
convert_clicked_cb (GtkButton *button,
                    MediaItem *item)
{
  if (item->self != NULL)
    convert_item (item->self, item);
}

/* ---- The file cards --------------------------------------------------------- */

static char *
format_duration (gint64 us)
{
  gint64 s = (us + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60), (int) (s % 60));
  return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
}

static char *
media_item_details (MediaItem *item)
{
  g_autofree char *size = NULL;

  if (item->converting)
    return g_strdup (_("Converting to MP4…"));
  if (item->busy)
    return g_strdup (_("Reading…"));
  if (item->info == NULL)
    return g_strdup (item->error);

  size = g_format_size (item->info->size_bytes);
  if (item->info->duration_us > 0)
    {
      g_autofree char *duration = format_duration (item->info->duration_us);

      /* Translators: a video's length and size, "0:12 · 4.1 MB" */
      return g_strdup_printf (_("%s · %s"), duration, size);
    }
  if (item->info->width > 0)
    /* Translators: a photo's size in pixels and bytes, "1080×1080 · 310 kB" */
    return g_strdup_printf (_("%u×%u · %s"), item->info->width, item->info->height, size);
  return g_steal_pointer (&size);
}

static GtkWidget *
card_button (const char *icon,
             const char *tooltip,
             GCallback   callback,
             MediaItem  *item)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  g_signal_connect_data (button, "clicked", callback, media_item_ref (item),
                         (GClosureNotify) (void (*) (void)) media_item_unref, 0);
  return button;
}

static GtkWidget *
media_card_new (SmComposerWindow *self,
                MediaItem        *item,
                guint             index)
{
  g_autofree char *name = g_path_get_basename (item->path);
  g_autofree char *details = media_item_details (item);
  GtkWidget *card, *box, *top, *label, *buttons, *button;

  card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (card, "card");
  gtk_widget_set_name (card, "media-card");
  gtk_widget_set_size_request (card, THUMBNAIL_SIDE + 24, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (card), box);

  if (item->thumbnail != NULL)
    {
      top = gtk_picture_new_for_paintable (GDK_PAINTABLE (item->thumbnail));
      gtk_picture_set_content_fit (GTK_PICTURE (top), GTK_CONTENT_FIT_CONTAIN);
      gtk_picture_set_can_shrink (GTK_PICTURE (top), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (top), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
  else if (item->busy)
    {
      top = gtk_spinner_new ();
      gtk_spinner_set_spinning (GTK_SPINNER (top), TRUE);
    }
  else
    {
      top = gtk_image_new_from_icon_name (item->info == NULL ? "dialog-warning-symbolic"
                                                             : "text-x-generic-symbolic");
      gtk_image_set_pixel_size (GTK_IMAGE (top), 48);
    }
  gtk_widget_set_size_request (top, THUMBNAIL_SIDE, THUMBNAIL_SIDE * 9 / 16);
  gtk_box_append (GTK_BOX (box), top);

  label = gtk_label_new (name);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 18);
  gtk_widget_set_tooltip_text (label, item->path);
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (details);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 20);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_set_name (label, "media-details");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), label);

  if (item->original != NULL && !item->converting)
    {
      g_autofree char *original = g_path_get_basename (item->original);
      /* Translators: under a converted video, "Converted from clip.webm" */
      g_autofree char *text = g_strdup_printf (_("Converted from %s"), original);

      label = gtk_label_new (text);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 20);
      gtk_widget_set_tooltip_text (label, item->original);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (box), label);
    }

  if (item->converting)
    {
      GtkWidget *bar = gtk_progress_bar_new ();

      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), item->fraction);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Conversion progress"), -1);
      gtk_box_append (GTK_BOX (box), bar);
      item->progress = GTK_PROGRESS_BAR (bar);
    }

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  button = card_button ("go-previous-symbolic", _("Move earlier"), G_CALLBACK (move_left_clicked_cb), item);
  gtk_widget_set_sensitive (button, index > 0);
  gtk_box_append (GTK_BOX (buttons), button);
  if (item->info != NULL && item->info->kind == SM_MEDIA_VIDEO && !item->busy)
    gtk_box_append (GTK_BOX (buttons),
                    card_button ("media-playback-start-symbolic", _("Play the video"),
                                 G_CALLBACK (preview_clicked_cb), item));
  gtk_box_append (GTK_BOX (buttons),
                  card_button ("user-trash-symbolic", _("Remove from the post"),
                               G_CALLBACK (remove_clicked_cb), item));
  button = card_button ("go-next-symbolic", _("Move later"), G_CALLBACK (move_right_clicked_cb), item);
  gtk_widget_set_sensitive (button, index + 1 < self->media->len);
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (box), buttons);

  return card;
}

static void
rebuild_media (SmComposerWindow *self)
{
  GtkWidget *child;

  for (guint i = 0; i < self->media->len; i++)
    ((MediaItem *) g_ptr_array_index (self->media, i))->progress = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->media_box))) != NULL)
    gtk_box_remove (self->media_box, child);
  for (guint i = 0; i < self->media->len; i++)
    gtk_box_append (self->media_box, media_card_new (self, g_ptr_array_index (self->media, i), i));

  gtk_widget_set_visible (GTK_WIDGET (self->media_scroller), self->media->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->media_hint), self->media->len == 0);
}

/* The first file @network would flag that a conversion to MP4 fixes. */
static MediaItem *
convertible_item (SmComposerWindow *self,
                  SmNetwork         network,
                  const char       *kind)
{
  for (guint i = 0; i < self->media->len; i++)
    {
      MediaItem *item = g_ptr_array_index (self->media, i);

      if (item->info != NULL && !item->busy &&
          sm_media_rules_needs_transcode (network, kind, item->info))
        return item;
    }
  return NULL;
}

/* ---- Options ---------------------------------------------------------------- */

static const char *
choice_label (const char *value)
{
  for (guint i = 0; i < G_N_ELEMENTS (choice_labels); i++)
    if (g_str_equal (choice_labels[i].value, value))
      return _(choice_labels[i].label);
  return value;
}

static void
set_option (SmComposerWindow *self,
            const char       *key,
            const char       *value)
{
  if (value == NULL)
    g_hash_table_remove (self->options, key);
  else
    g_hash_table_insert (self->options, g_strdup (key), g_strdup (value));
  update_state (self);
}

static void
option_entry_changed_cb (GtkEditable      *editable,
                         SmComposerWindow *self)
{
  const char *key = g_object_get_data (G_OBJECT (editable), "sm-option");
  const char *text = gtk_editable_get_text (editable);

  set_option (self, key, is_blank (text) ? NULL : text);
}

static void
option_combo_changed_cb (AdwComboRow      *row,
                         GParamSpec       *pspec,
                         SmComposerWindow *self)
{
  const char *key = g_object_get_data (G_OBJECT (row), "sm-option");
  const char *const *choices = sm_options_choices (key);
  guint selected = adw_combo_row_get_selected (row);

  /* The first entry is the network's default: no option. */
  set_option (self, key, selected == 0 || selected == GTK_INVALID_LIST_POSITION
                         ? NULL : choices[selected - 1]);
}

static void
option_switch_changed_cb (GtkSwitch        *sw,
                          GParamSpec       *pspec,
                          SmComposerWindow *self)
{
  const char *key = g_object_get_data (G_OBJECT (sw), "sm-option");
  gboolean fallback = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sw), "sm-fallback"));
  gboolean active = gtk_switch_get_active (sw);

  set_option (self, key, active == fallback ? NULL : active ? "true" : "false");
}

static void
set_cover (SmComposerWindow *self,
           const char       *path)
{
  g_autofree char *name = path != NULL ? g_path_get_basename (path) : NULL;

  adw_action_row_set_subtitle (self->cover_row,
                               name != NULL ? name : _("None; YouTube picks a frame"));
  gtk_widget_set_visible (self->cover_clear_button, path != NULL);
  set_option (self, "youtube.thumbnail", path);
}

static void
cover_chooser_response_cb (GtkNativeDialog  *dialog,
                           int               response,
                           SmComposerWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        set_cover (self, path);
    }
  g_object_unref (dialog);
}

static void
cover_choose_clicked_cb (SmComposerWindow *self)
{
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a Thumbnail"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Pictures"));
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (cover_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
cover_clear_clicked_cb (SmComposerWindow *self)
{
  set_cover (self, NULL);
}

/* The first video of the post, for picking a cover frame from. */
static MediaItem *
first_video (SmComposerWindow *self)
{
  for (guint i = 0; i < self->media->len; i++)
    {
      MediaItem *item = g_ptr_array_index (self->media, i);

      if (item->info != NULL && !item->busy && item->info->kind == SM_MEDIA_VIDEO)
        return item;
    }
  return NULL;
}

typedef struct
{
  char   *video;
  gint64  position_us;
  char   *dir;
} FrameJob;

static void
frame_job_free (FrameJob *job)
{
  g_free (job->video);
  g_free (job->dir);
  g_free (job);
}

static void
frame_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FrameJob *job = task_data;
  g_autoptr(GBytes) png = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  png = sm_media_thumbnail_png (job->video, job->position_us, COVER_SIDE, cancellable, &error);
  if (png == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_mkdir_with_parents (job->dir, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               "%s: %s", job->dir, g_strerror (saved));
      return;
    }
  name = g_strdup_printf ("cover-%" G_GINT64_FORMAT ".png", g_get_real_time ());
  path = g_build_filename (job->dir, name, NULL);
  if (!g_file_set_contents (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&path), g_free);
}

static void
frame_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  SmComposerWindow *self = SM_COMPOSER_WINDOW (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (res), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->media == NULL)
    return;
  gtk_widget_set_sensitive (self->frame_button, TRUE);
  if (path == NULL)
    show_error (self, _("Could Not Take the Frame"), error->message);
  else
    set_cover (self, path);
}

static void
frame_use_clicked_cb (SmComposerWindow *self)
{
  MediaItem *video = first_video (self);
  g_autoptr(GTask) task = NULL;
  FrameJob *job;

  gtk_popover_popdown (self->frame_popover);
  if (video == NULL)
    return;

  job = g_new0 (FrameJob, 1);
  job->video = g_strdup (video->path);
  job->position_us = (gint64) (gtk_range_get_value (GTK_RANGE (self->frame_scale)) * G_USEC_PER_SEC);
  job->dir = g_build_filename (sm_store_get_dir (self->store), "covers", NULL);
  gtk_widget_set_sensitive (self->frame_button, FALSE);

  task = g_task_new (self, self->cancellable, frame_cb, NULL);
  g_task_set_source_tag (task, frame_use_clicked_cb);
  g_task_set_task_data (task, job, (GDestroyNotify) frame_job_free);
  g_task_run_in_thread (task, frame_thread);
}

/* The frame picker covers the first video's length. */
static void
frame_popover_show_cb (SmComposerWindow *self)
{
  MediaItem *video = first_video (self);
  double seconds = video != NULL ? video->info->duration_us / (double) G_USEC_PER_SEC : 0;

  gtk_range_set_range (GTK_RANGE (self->frame_scale), 0, MAX (seconds, 0.1));
}

static GtkWidget *
build_cover_row (SmComposerWindow *self,
                 const OptionRow  *option)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *choose, *clear, *box, *use, *label;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(option->title));
  self->cover_row = ADW_ACTION_ROW (row);

  clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_valign (clear, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (clear, _("No thumbnail of your own"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (clear), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("No thumbnail of your own"), -1);
  gtk_widget_add_css_class (clear, "flat");
  g_signal_connect_swapped (clear, "clicked", G_CALLBACK (cover_clear_clicked_cb), self);
  self->cover_clear_button = clear;

  choose = gtk_button_new_with_mnemonic (_("C_hoose…"));
  gtk_widget_set_valign (choose, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (choose, "clicked", G_CALLBACK (cover_choose_clicked_cb), self);

  /* Pick a frame of the post's video, saved as a PNG in the profile. */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  label = gtk_label_new (_("The frame at this time of the first video becomes the thumbnail."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
  self->frame_scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.1);
  gtk_scale_set_draw_value (GTK_SCALE (self->frame_scale), TRUE);
  gtk_scale_set_digits (GTK_SCALE (self->frame_scale), 1);
  gtk_widget_set_size_request (self->frame_scale, 240, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->frame_scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Seconds into the video"), -1);
  use = gtk_button_new_with_mnemonic (_("_Use This Frame"));
  gtk_widget_add_css_class (use, "suggested-action");
  g_signal_connect_swapped (use, "clicked", G_CALLBACK (frame_use_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), self->frame_scale);
  gtk_box_append (GTK_BOX (box), use);
  self->frame_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->frame_popover, box);
  g_signal_connect_swapped (self->frame_popover, "show", G_CALLBACK (frame_popover_show_cb), self);

  self->frame_button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->frame_button), _("Pick a _Frame…"));
  gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (self->frame_button), TRUE);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->frame_button), GTK_WIDGET (self->frame_popover));
  gtk_widget_set_valign (self->frame_button, GTK_ALIGN_CENTER);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), clear);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->frame_button);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), choose);
  return row;
}

static GtkWidget *
build_option_row (SmComposerWindow *self,
                  const OptionRow  *option)
{
  GtkWidget *row = NULL;

  switch (option->widget)
    {
    case OPTION_ENTRY:
      row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(option->title));
      g_object_set_data (G_OBJECT (row), "sm-option", (gpointer) option->key);
      g_signal_connect (row, "changed", G_CALLBACK (option_entry_changed_cb), self);
      break;

    case OPTION_COMBO:
      {
        const char *const *choices = sm_options_choices (option->key);
        GtkStringList *list = gtk_string_list_new (NULL);

        g_assert (choices != NULL);
        /* Translators: the first entry of a network option's list: not set */
        gtk_string_list_append (list, _("Network default"));
        for (guint i = 0; choices[i] != NULL; i++)
          gtk_string_list_append (list, choice_label (choices[i]));
        row = adw_combo_row_new ();
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(option->title));
        adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
        g_object_unref (list);
        g_object_set_data (G_OBJECT (row), "sm-option", (gpointer) option->key);
        g_signal_connect (row, "notify::selected", G_CALLBACK (option_combo_changed_cb), self);
      }
      break;

    case OPTION_SWITCH:
      {
        GtkWidget *sw = gtk_switch_new ();

        row = adw_action_row_new ();
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(option->title));
        gtk_switch_set_active (GTK_SWITCH (sw), option->fallback);
        gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
        gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _(option->title), -1);
        g_object_set_data (G_OBJECT (sw), "sm-option", (gpointer) option->key);
        g_object_set_data (G_OBJECT (sw), "sm-fallback", GINT_TO_POINTER (option->fallback));
        g_signal_connect (sw, "notify::active", G_CALLBACK (option_switch_changed_cb), self);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
      }
      break;

    case OPTION_COVER:
      row = build_cover_row (self, option);
      set_cover (self, NULL);
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_widget_set_name (row, option->key);
  g_hash_table_insert (self->option_widgets, (gpointer) option->key, row);
  return row;
}

static void
load_options (SmComposerWindow *self)
{
  for (SmNetwork network = 0; network < SM_N_NETWORKS; network++)
    {
      GtkWidget *expander = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (option_rows); i++)
        {
          if (sm_options_network (option_rows[i].key) != network)
            continue;
          if (expander == NULL)
            {
              expander = adw_expander_row_new ();
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander),
                                             sm_network_display_name (network));
              gtk_widget_set_visible (expander, FALSE);
              adw_preferences_group_add (self->options_group, expander);
              self->network_rows[network] = ADW_EXPANDER_ROW (expander);
            }
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), build_option_row (self, &option_rows[i]));
        }
    }
}

/* The options of the networks the post goes to. */
static GHashTable *
collect_options (SmComposerWindow *self,
                 const gboolean   *selected)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->options);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SmNetwork network = sm_options_network (key);

      if (network != SM_NETWORK_INVALID && selected[network])
        g_hash_table_insert (table, g_strdup (key), g_strdup (value));
    }
  return table;
}

/* ---- Adding files ------------------------------------------------------------ */

static void
media_chooser_response_cb (GtkNativeDialog  *dialog,
                           int               response,
                           SmComposerWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          add_file (self, file);
        }
      rebuild_media (self);
      update_state (self);
    }
  g_clear_object (&self->chooser);
}

static void
add_media_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SmComposerWindow *self = SM_COMPOSER_WINDOW (widget);
  GtkFileFilter *filter;

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Add Photos and Videos"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Photos and videos"));
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_filter_add_mime_type (filter, "video/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (media_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
drop_cb (GtkDropTarget    *target,
         const GValue     *value,
         double            x,
         double            y,
         SmComposerWindow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    add_file (self, l->data);
  g_slist_free (files);
  rebuild_media (self);
  update_state (self);
  return TRUE;
}

/* ---- The preview ------------------------------------------------------------- */

static void refresh_preview (SmComposerWindow *self);

static void
preview_network_toggled_cb (GtkToggleButton  *button,
                            SmComposerWindow *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  self->preview_network = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sm-network"));
  refresh_preview (self);
}

/* One button per chosen network, when there are several. */
static void
update_preview_networks (SmComposerWindow *self,
                         const gboolean   *selected)
{
  GtkToggleButton *group = NULL;
  GtkWidget *child;
  guint n = 0;

  if (!selected[self->preview_network])
    {
      self->preview_network = SM_NETWORK_INVALID;
      for (SmNetwork network = 0; network < SM_N_NETWORKS; network++)
        if (selected[network] && self->preview_network == SM_NETWORK_INVALID)
          self->preview_network = network;
    }
  if (memcmp (selected, self->preview_choices, sizeof self->preview_choices) == 0)
    return;
  memcpy (self->preview_choices, selected, sizeof self->preview_choices);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_networks))) != NULL)
    gtk_box_remove (self->preview_networks, child);
  for (SmNetwork network = 0; network < SM_N_NETWORKS; network++)
    {
      g_autofree char *name = NULL;
      g_autofree char *accessible = NULL;
      GtkWidget *button;

      if (!selected[network])
        continue;
      n++;
      button = gtk_toggle_button_new_with_label (sm_network_display_name (network));
      name = g_strconcat ("preview-network-", sm_network_to_string (network), NULL);
      gtk_widget_set_name (button, name);
      /* Translators: accessible name of a button, "Preview on Instagram" */
      accessible = g_strdup_printf (_("Preview on %s"), sm_network_display_name (network));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
      g_object_set_data (G_OBJECT (button), "sm-network", GINT_TO_POINTER (network));
      if (group != NULL)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
      else
        group = GTK_TOGGLE_BUTTON (button);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), network == self->preview_network);
      g_signal_connect (button, "toggled", G_CALLBACK (preview_network_toggled_cb), self);
      gtk_box_append (self->preview_networks, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->preview_networks), n > 1);
}

/* YouTube's chosen cover, read once per file. */
static GdkTexture *
preview_cover (SmComposerWindow *self,
               const char       *path)
{
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return NULL;
  if (g_strcmp0 (path, self->cover_texture_path) != 0)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      g_clear_object (&self->cover_texture);
      g_free (self->cover_texture_path);
      self->cover_texture_path = g_strdup (path);
      self->cover_texture = gdk_texture_new_from_file (file, &error);
      if (self->cover_texture == NULL)
        g_debug ("No preview of the cover %s: %s", path, error->message);
    }
  return self->cover_texture;
}

/* Shows the post as the network in view will: the first chosen account
 * of it, its own text or the post's, its options and the first file. */
static void
refresh_preview (SmComposerWindow *self)
{
  gboolean selected[SM_N_NETWORKS] = { FALSE, };
  g_autoptr(GHashTable) options = NULL;
  g_autofree char *text = NULL;
  g_autofree char *variant = NULL;
  g_autofree char *kind_key = NULL;
  AccountEntry *shown = NULL;
  MediaItem *first = NULL;
  SmPreviewPost post = { 0, };

  g_clear_handle_id (&self->preview_id, g_source_remove);
  if (self->entries == NULL || self->media == NULL)
    return;

  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry_is_selected (entry))
        selected[entry->account->network] = TRUE;
    }
  update_preview_networks (self, selected);
  for (guint i = 0; i < self->entries->len && shown == NULL; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry_is_selected (entry) && entry->account->network == self->preview_network)
        shown = entry;
    }
  if (shown == NULL)
    {
      sm_post_preview_show (self->preview, NULL);
      return;
    }

  options = collect_options (self, selected);
  text = buffer_get_all (gtk_text_view_get_buffer (self->text_view));
  variant = entry_get_variant (shown);
  kind_key = g_strconcat (sm_network_to_string (shown->account->network), ".kind", NULL);
  for (guint i = 0; i < self->media->len && first == NULL; i++)
    if (((MediaItem *) g_ptr_array_index (self->media, i))->info != NULL)
      first = g_ptr_array_index (self->media, i);

  post.network = shown->account->network;
  post.kind = g_hash_table_lookup (options, kind_key);
  post.name = shown->account->name;
  post.handle = shown->account->handle;
  post.text = variant != NULL ? variant : text;
  post.thread = post.network == SM_NETWORK_X && sm_options_get_bool (options, "x.thread", FALSE);
  post.title = g_hash_table_lookup (options, "youtube.title");
  post.n_media = self->media->len;
  if (first != NULL)
    {
      post.media = first->thumbnail != NULL ? GDK_PAINTABLE (first->thumbnail) : NULL;
      post.media_width = (int) first->info->width;
      post.media_height = (int) first->info->height;
      post.media_is_video = first->info->kind == SM_MEDIA_VIDEO;
    }
  if (post.network == SM_NETWORK_YOUTUBE)
    {
      GdkTexture *cover = preview_cover (self, g_hash_table_lookup (options, "youtube.thumbnail"));

      /* The chosen cover is the thumbnail, shown whole at 16:9. */
      if (cover != NULL)
        {
          post.media = GDK_PAINTABLE (cover);
          post.media_width = gdk_texture_get_width (cover);
          post.media_height = gdk_texture_get_height (cover);
        }
    }
  sm_post_preview_show (self->preview, &post);
}

static gboolean
preview_timeout_cb (gpointer user_data)
{
  SmComposerWindow *self = user_data;

  self->preview_id = 0;
  refresh_preview (self);
  return G_SOURCE_REMOVE;
}

/* Follows the fields a moment after the last change, while shown. */
static void
schedule_preview (SmComposerWindow *self)
{
  if (!gtk_toggle_button_get_active (self->preview_button))
    return;
  g_clear_handle_id (&self->preview_id, g_source_remove);
  self->preview_id = g_timeout_add (PREVIEW_DELAY_MS, preview_timeout_cb, self);
}

/* The pane widens the window by as much, and gives it back. */
static void
preview_toggled_cb (SmComposerWindow *self)
{
  gboolean active = gtk_toggle_button_get_active (self->preview_button);
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (active)
    refresh_preview (self);
  else
    g_clear_handle_id (&self->preview_id, g_source_remove);
  if (width > 0 && !gtk_window_is_maximized (GTK_WINDOW (self)) && !gtk_window_is_fullscreen (GTK_WINDOW (self)))
    gtk_window_set_default_size (GTK_WINDOW (self), active ? width + PREVIEW_WIDTH : MAX (width - PREVIEW_WIDTH, 360),
                                 height);
}

/* Enables @action when there is no problem; the button's tooltip says
 * what it would do, or what stands in the way. */
static void
set_button_state (SmComposerWindow *self,
                  GtkWidget        *button,
                  const char       *action,
                  GPtrArray        *problems,
                  const char       *ready_tooltip)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), action, problems->len == 0);

  if (problems->len == 0)
    {
      gtk_widget_set_tooltip_text (button, ready_tooltip);
    }
  else
    {
      g_autoptr(GString) tooltip = g_string_new (NULL);

      for (guint i = 0; i < problems->len; i++)
        {
          if (i > 0)
            g_string_append_c (tooltip, '\n');
          g_string_append (tooltip, g_ptr_array_index (problems, i));
        }
      gtk_widget_set_tooltip_text (button, tooltip->str);
    }
}

/* Recomputes everything that depends on the fields: the counters, the
 * shorter-text rows, the problems, and whether the buttons may act. */
static void
update_state (SmComposerWindow *self)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) now_problems = NULL;
  g_autoptr(GString) counter = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autofree char *when_problem = NULL;
  g_autofree char *ready = NULL;
  gboolean networks_seen[SM_N_NETWORKS] = { FALSE, };
  gboolean any_selected = FALSE;
  gboolean any_variant_row = FALSE;
  guint n_quiet = 0;
  gboolean due_ok;
  gint64 due_us = 0;
  GtkWidget *child;
  g_autoptr(GHashTable) post_options = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new ();
  g_autoptr(GHashTable) convertible = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean selected_networks[SM_N_NETWORKS] = { FALSE, };
  gboolean any_options = FALSE;
  gboolean media_busy = FALSE;

  if (self->entries == NULL || self->media == NULL)
    return;

  text = buffer_get_all (gtk_text_view_get_buffer (self->text_view));

  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry_is_selected (entry))
        selected_networks[entry->account->network] = TRUE;
    }
  post_options = collect_options (self, selected_networks);

  /* The files: those read so far count; one being read or converted
   * holds the post back. */
  for (guint i = 0; i < self->media->len; i++)
    {
      MediaItem *item = g_ptr_array_index (self->media, i);

      if (item->busy)
        media_busy = TRUE;
      else if (item->info != NULL)
        g_ptr_array_add (infos, item->info);
      else
        {
          g_autofree char *name = g_path_get_basename (item->path);

          /* Translators: a file that could not be read, "clip.mov: the file is damaged" */
          g_ptr_array_add (problems, g_strdup_printf (_("%s: %s"), name, item->error));
        }
    }

  /* Each option as typed, and the rows' error style. */
  for (guint i = 0; i < G_N_ELEMENTS (option_rows); i++)
    {
      const char *key = option_rows[i].key;
      const char *value = g_hash_table_lookup (post_options, key);
      GtkWidget *row = g_hash_table_lookup (self->option_widgets, key);
      g_autofree char *message = NULL;
      gboolean bad = FALSE;

      if (value != NULL && !sm_options_check (key, value, &message))
        {
          bad = TRUE;
          /* Translators: "YouTube: youtube.title cannot contain < or >." */
          g_ptr_array_add (problems, g_strdup_printf (_("%s: %s"),
                                                      sm_network_display_name (sm_options_network (key)),
                                                      message));
        }
      if (row != NULL && gtk_widget_has_css_class (row, "error") != bad)
        {
          if (bad)
            gtk_widget_add_css_class (row, "error");
          else
            gtk_widget_remove_css_class (row, "error");
        }
    }
  for (SmNetwork network = 0; network < SM_N_NETWORKS; network++)
    if (self->network_rows[network] != NULL)
      {
        g_autofree char *needs = NULL;

        gtk_widget_set_visible (GTK_WIDGET (self->network_rows[network]), selected_networks[network]);
        any_options |= selected_networks[network];
        /* A network whose posts need an option (WhatsApp's recipient)
         * opens its options the first time it is chosen. */
        if (selected_networks[network] && !self->options_opened[network] &&
            !sm_options_check_post (network, NULL, 0, &needs))
          {
            self->options_opened[network] = TRUE;
            adw_expander_row_set_expanded (self->network_rows[network], TRUE);
          }
      }
  gtk_widget_set_visible (GTK_WIDGET (self->options_group), any_options);
  if (self->frame_button != NULL)
    gtk_widget_set_sensitive (self->frame_button, first_video (self) != NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);
      SmNetwork network = entry->account->network;
      g_autofree char *variant = entry_get_variant (entry);
      g_autofree char *main_problem = NULL;
      g_autofree char *variant_problem = NULL;
      g_autofree char *subtitle = NULL;
      gboolean main_fits, show_variant, thread;

      if (!entry_is_selected (entry))
        {
          gtk_widget_set_visible (GTK_WIDGET (entry->variant_row), FALSE);
          continue;
        }
      any_selected = TRUE;

      /* An X thread: each part must fit on its own. */
      thread = network == SM_NETWORK_X && sm_options_get_bool (post_options, "x.thread", FALSE);
      main_fits = thread ? sm_text_check_thread (network, text, &main_problem)
                         : sm_text_check (network, text, &main_problem);

      /* One count and one problem per network for the shared text. */
      if (!networks_seen[network])
        {
          g_autofree char *media_problem = NULL;
          g_autofree char *kind_key = g_strconcat (sm_network_to_string (network), ".kind", NULL);
          const char *kind = g_hash_table_lookup (post_options, kind_key);
          SmPlatform *platform = sm_platform_get (network);

          networks_seen[network] = TRUE;
          /* The files against the network's rules; where converting one
           * to MP4 fixes it, the problem offers that. */
          if (!sm_media_rules_check_post (network, kind, (const SmMediaInfo *const *) infos->pdata,
                                          infos->len, &media_problem))
            {
              MediaItem *fixable = convertible_item (self, network, kind);

              if (fixable != NULL)
                g_hash_table_insert (convertible, g_strdup (media_problem), fixable);
              g_ptr_array_add (problems, g_steal_pointer (&media_problem));
            }
          else if (infos->len > 0 && (platform == NULL || !sm_platform_can_publish_media (platform)))
            g_ptr_array_add (problems,
                             g_strdup_printf (_("So-me Studio cannot post photos or videos to %s yet; "
                                                "post the text alone."),
                                              sm_network_display_name (network)));
          /* Options a post needs together (WhatsApp's recipient). */
          else if (!sm_options_check_post (network, post_options, infos->len, &media_problem))
            g_ptr_array_add (problems, g_steal_pointer (&media_problem));
          if (counter->len > 0)
            g_string_append (counter, "   ");
          if (thread)
            {
              g_auto(GStrv) parts = sm_text_split_thread (text);
              guint n_parts = g_strv_length (parts);
              int longest = 0;

              for (guint p = 0; p < n_parts; p++)
                longest = MAX (longest, sm_text_count (network, parts[p]));
              /* Translators: an X thread's posts and its longest one, "X 3 posts, longest 250/280" */
              g_string_append_printf (counter, ngettext ("%s %u post, longest %d/%d",
                                                         "%s %u posts, longest %d/%d", n_parts),
                                      sm_network_display_name (network), n_parts, longest,
                                      sm_text_limit (network));
            }
          else
            /* Translators: a network's count and limit, e.g. "X 292/280" */
            g_string_append_printf (counter, _("%s %d/%d"), sm_network_display_name (network),
                                    sm_text_count (network, text), sm_text_limit (network));
        }

      if (variant != NULL)
        {
          if (!(thread ? sm_text_check_thread (network, variant, &variant_problem)
                       : sm_text_check (network, variant, &variant_problem)))
            /* Translators: a problem with one account's own text, "Jane Doe: X allows …" */
            g_ptr_array_add (problems, g_strdup_printf (_("%s: %s"), entry->account->name, variant_problem));
        }
      else if (!main_fits)
        {
          gboolean already = FALSE;

          for (guint j = 0; j < problems->len; j++)
            if (g_strcmp0 (g_ptr_array_index (problems, j), main_problem) == 0)
              already = TRUE;
          if (!already)
            g_ptr_array_add (problems, g_steal_pointer (&main_problem));
        }

      /* Offer a shorter text where the shared one does not fit, and keep
       * showing one the user wrote. */
      show_variant = !main_fits || variant != NULL;
      gtk_widget_set_visible (GTK_WIDGET (entry->variant_row), show_variant);
      any_variant_row |= show_variant;
      if (show_variant && !entry->variant_shown_once)
        {
          entry->variant_shown_once = TRUE;
          adw_expander_row_set_expanded (entry->variant_row, TRUE);
        }

      subtitle = g_strdup_printf (_("%s %d/%d"), sm_network_display_name (network),
                                  sm_text_count (network, variant != NULL ? variant : text),
                                  sm_text_limit (network));
      adw_expander_row_set_subtitle (entry->variant_row, subtitle);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->variants_group), any_variant_row);

  if (counter->len == 0)
    {
      glong n = g_utf8_strlen (text, -1);

      g_string_printf (counter, ngettext ("%ld character", "%ld characters", n), n);
    }
  gtk_label_set_text (self->counter_label, counter->str);

  /* What is merely not done yet goes in the buttons' tooltips only; the
   * page shows what is wrong. */
  if (!any_selected)
    g_ptr_array_insert (problems, n_quiet++, g_strdup (_("Choose at least one account.")));
  if (is_blank (text))
    g_ptr_array_insert (problems, n_quiet++, g_strdup (_("Write the text of the post.")));
  if (media_busy)
    g_ptr_array_insert (problems, n_quiet++, g_strdup (_("Wait until the files are read or converted.")));

  due_ok = get_due (self, &due_us, &when_problem);
  if (!due_ok)
    g_ptr_array_add (problems, g_steal_pointer (&when_problem));

  /* Post Now does not care about the date and time, only the zone. */
  now_problems = g_ptr_array_copy (problems, copy_string, NULL);
  g_ptr_array_set_free_func (now_problems, g_free);

  if (due_ok)
    {
      g_autofree char *when = sm_ui_format_when (due_us, self->local_zone);
      g_autofree char *description = NULL;

      if (due_us < g_get_real_time ())
        g_ptr_array_add (problems, g_strdup (_("The time is in the past; choose a later one.")));

      /* Said in the user's own zone, which may differ from the one the
       * post is planned in. */
      if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->zone_row)), self->local_zone) == 0)
        description = g_strdup_printf (_("Goes out %s."), when);
      else
        description = g_strdup_printf (_("Goes out %s, your time."), when);
      adw_preferences_group_set_description (self->when_group, description);
      /* Translators: tooltip of the Schedule button, "Schedule for today at 15:00" */
      ready = g_strdup_printf (_("Schedule for %s"), when);
    }
  else
    {
      adw_preferences_group_set_description (self->when_group, NULL);
    }

  if (gtk_widget_has_css_class (GTK_WIDGET (self->zone_row), "error") != !due_ok)
    {
      if (due_ok)
        gtk_widget_remove_css_class (GTK_WIDGET (self->zone_row), "error");
      else
        gtk_widget_add_css_class (GTK_WIDGET (self->zone_row), "error");
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_box))) != NULL)
    gtk_box_remove (self->problems_box, child);
  for (guint i = n_quiet; i < problems->len; i++)
    {
      GtkWidget *box = add_problem (self, g_ptr_array_index (problems, i));
      MediaItem *fixable = g_hash_table_lookup (convertible, g_ptr_array_index (problems, i));

      if (fixable != NULL)
        {
          GtkWidget *button = gtk_button_new_with_mnemonic (_("_Convert"));

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_name (button, "convert-button");
          gtk_widget_set_tooltip_text (button, _("Make an MP4 copy the network takes; the original is kept"));
          /* Several problems may each have a Convert: a screen reader
           * says which one this fixes. */
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                          g_ptr_array_index (problems, i), -1);
          g_signal_connect_data (button, "clicked", G_CALLBACK (convert_clicked_cb),
                                 media_item_ref (fixable),
                                 (GClosureNotify) (void (*) (void)) media_item_unref, 0);
          gtk_box_append (GTK_BOX (box), button);
        }
    }
  {
    guint n_bucket = 0;
    g_autofree char *bucket_networks = networks_needing_bucket (self, &n_bucket);

    if (bucket_networks != NULL)
      {
        g_autofree char *note = g_strdup_printf (ngettext ("%s fetches photos and videos from a web address, "
                                                           "so posting them there needs your own storage "
                                                           "bucket, and none is set up. Set one up with "
                                                           "“so-me bucket set”; text posts need none.",
                                                           "%s fetch photos and videos from a web address, "
                                                           "so posting them there needs your own storage "
                                                           "bucket, and none is set up. Set one up with "
                                                           "“so-me bucket set”; text posts need none.",
                                                           n_bucket),
                                                 bucket_networks);

        add_note (self, note);
      }
    gtk_widget_set_visible (GTK_WIDGET (self->problems_box),
                            problems->len > n_quiet || bucket_networks != NULL);
  }

  set_button_state (self, GTK_WIDGET (self->schedule_button), "composer.schedule", problems, ready);
  set_button_state (self, GTK_WIDGET (self->post_now_button), "composer.post-now", now_problems,
                    _("Send the post to the selected accounts now"));
  /* The queue picks the time: only what Post Now needs matters.  A draft
   * may be unfinished; it needs an account to belong to. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.add-to-queue", now_problems->len == 0);
  {
    gboolean any = FALSE;

    for (guint i = 0; i < self->entries->len && !any; i++)
      any = entry_is_selected (g_ptr_array_index (self->entries, i));
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.save-draft", any);
  }
  schedule_preview (self);
}

static gboolean
recheck_cb (gpointer user_data)
{
  update_state (SM_COMPOSER_WINDOW (user_data));
  return G_SOURCE_CONTINUE;
}

static void
update_date_label (SmComposerWindow *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->calendar);
  g_autofree char *label = sm_ui_format_day (date);

  gtk_menu_button_set_label (self->date_button, label);
}

static void
calendar_day_selected_cb (SmComposerWindow *self)
{
  update_date_label (self);
  gtk_popover_popdown (self->date_popover);
  update_state (self);
}

static void
when_changed_cb (SmComposerWindow *self)
{
  update_state (self);
}

static gboolean
spin_output_cb (GtkSpinButton *spin,
                gpointer       user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
show_error (SmComposerWindow *self,
            const char       *heading,
            const char       *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef enum
{
  CREATE_SCHEDULE,   /* at the date and time chosen */
  CREATE_NOW,
  CREATE_QUEUE,      /* at the accounts' next free posting time */
  CREATE_DRAFT,      /* kept, not sent: every field as typed */
} CreateMode;

static void
create_post (SmComposerWindow *self,
             CreateMode        mode)
{
  g_autoptr(GArray) specs = g_array_new (FALSE, TRUE, sizeof (SmTargetSpec));
  g_autoptr(GPtrArray) variants = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (SmPostMedia));
  g_autoptr(GHashTable) options = NULL;
  gboolean selected_networks[SM_N_NETWORKS] = { FALSE, };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = buffer_get_all (gtk_text_view_get_buffer (self->text_view));
  g_autofree char *problem = NULL;
  const char *zone = gtk_editable_get_text (GTK_EDITABLE (self->zone_row));
  gint64 due_us = 0;
  gint64 post_id;

  if (mode == CREATE_NOW)
    {
      due_us = g_get_real_time ();
    }
  else if (mode == CREATE_DRAFT)
    {
      /* A draft keeps the time if one is set, else now. */
      if (!get_due (self, &due_us, NULL))
        due_us = g_get_real_time ();
    }
  else if (mode == CREATE_SCHEDULE && !get_due (self, &due_us, &problem))
    {
      show_error (self, _("Cannot Schedule the Post"), problem);
      return;
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);
      SmTargetSpec spec = { entry->account->id, NULL };
      char *variant;

      if (!entry_is_selected (entry))
        continue;

      variant = entry_get_variant (entry);
      if (variant != NULL)
        g_ptr_array_add (variants, variant);
      spec.text = variant;
      g_array_append_val (specs, spec);
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry_is_selected (entry))
        selected_networks[entry->account->network] = TRUE;
    }
  options = collect_options (self, selected_networks);

  if (mode == CREATE_QUEUE)
    {
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; i < specs->len; i++)
        g_array_append_val (ids, g_array_index (specs, SmTargetSpec, i).account_id);
      due_us = sm_queue_next_free (self->store, (const gint64 *) (gpointer) ids->data, ids->len,
                                   g_get_real_time (), &error);
      if (due_us == 0)
        {
          show_error (self, _("No Free Posting Time"), error->message);
          return;
        }
    }

  /* The files as they were read: the publisher refuses one that changed. */
  for (guint i = 0; i < self->media->len; i++)
    {
      MediaItem *item = g_ptr_array_index (self->media, i);
      SmPostMedia row = { 0, };

      /* A file of the post being edited that is being read again, or
       * cannot be now, stays as it was saved. */
      if (item->info == NULL && item->saved != NULL)
        {
          g_array_append_vals (rows, item->saved, 1);
          continue;
        }
      if (item->info == NULL)
        continue;
      row.path = item->path;
      row.size_bytes = (gint64) item->info->size_bytes;
      row.sha256 = item->info->sha256;
      row.mime_type = item->info->mime_type;
      g_array_append_val (rows, row);
    }

  if (self->post_id != 0)
    {
      SmNewPost changed = { text, due_us, zone,
                            (const SmTargetSpec *) (gpointer) specs->data, specs->len,
                            (const SmPostMedia *) (gpointer) rows->data, rows->len,
                            options, mode == CREATE_DRAFT };

      /* Published or being sent since it was opened: the store says so,
       * and the window stays open with everything typed. */
      if (!sm_store_update_post_full (self->store, self->post_id, &changed, &error))
        {
          show_error (self, _("Could Not Save the Changes"), error->message);
          return;
        }
      g_debug ("Updated post %" G_GINT64_FORMAT " due %" G_GINT64_FORMAT, self->post_id, due_us);
      g_signal_emit (self, signals[POST_UPDATED], 0, self->post_id, mode == CREATE_NOW);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  if (mode == CREATE_QUEUE)
    {
      /* Picked again with the insert, in one transaction: the slot found
       * above may have been taken meanwhile. */
      SmNewPost post = { text, 0, zone, (const SmTargetSpec *) (gpointer) specs->data, specs->len,
                         (const SmPostMedia *) (gpointer) rows->data, rows->len, options, FALSE };

      post_id = sm_queue_create_post (self->store, &post, g_get_real_time (), &due_us, &error);
    }
  else
    post_id = sm_store_create_post_full (self->store, text, due_us, zone,
                                         (const SmTargetSpec *) (gpointer) specs->data, specs->len,
                                         (const SmPostMedia *) (gpointer) rows->data, rows->len,
                                         options, mode == CREATE_DRAFT, &error);
  if (post_id <= 0)
    {
      show_error (self, _("Could Not Save the Post"),
                  error != NULL ? error->message : _("The database refused the post."));
      return;
    }

  g_debug ("Created post %" G_GINT64_FORMAT " due %" G_GINT64_FORMAT, post_id, due_us);
  g_signal_emit (self, signals[POST_CREATED], 0, post_id, mode == CREATE_NOW);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
schedule_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  create_post (SM_COMPOSER_WINDOW (widget), CREATE_SCHEDULE);
}

static void
add_to_queue_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  create_post (SM_COMPOSER_WINDOW (widget), CREATE_QUEUE);
}

static void
save_draft_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  create_post (SM_COMPOSER_WINDOW (widget), CREATE_DRAFT);
}

static void
post_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  create_post (SM_COMPOSER_WINDOW (widget), CREATE_NOW);
}

static void
open_accounts_clicked_cb (SmComposerWindow *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.show-page", "s", "accounts");
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
add_account_entry (SmComposerWindow *self,
                   SmAccount        *account)
{
  AccountEntry *entry = g_new0 (AccountEntry, 1);
  g_autofree char *subtitle = NULL;
  g_autofree char *check_label = NULL;
  g_autofree char *variant_label = NULL;
  g_autofree char *hint = NULL;
  const char *network = sm_network_display_name (account->network);
  GtkWidget *row, *check, *variant_row, *scroller, *text_view, *hint_label, *box, *box_row;

  entry->account = account;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), account->name);
  if (account->handle != NULL && *account->handle != '\0')
    /* Translators: network and handle, "X · @jane" */
    subtitle = g_strdup_printf (_("%s · %s"), network, account->handle);
  else
    subtitle = g_strdup (network);
  if (account->state == SM_ACCOUNT_NEEDS_RECONNECT)
    {
      g_autofree char *plain = g_steal_pointer (&subtitle);

      /* Translators: "X · @jane · needs reconnecting before this post is due" */
      subtitle = g_strdup_printf (_("%s · needs reconnecting before this post is due"), plain);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  check = gtk_check_button_new ();
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  /* Translators: accessible name of a check button, "Post to Jane Doe on X" */
  check_label = g_strdup_printf (_("Post to %s on %s"), account->name, network);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, check_label,
                                  -1);
  g_signal_connect_swapped (check, "toggled", G_CALLBACK (update_state), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  adw_preferences_group_add (self->accounts_group, row);
  entry->check = GTK_CHECK_BUTTON (check);

  variant_row = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (variant_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (variant_row), account->name);
  gtk_widget_set_visible (variant_row, FALSE);

  text_view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (text_view), 12);
  /* Translators: accessible name of a text field, "Text for Jane Doe on X" */
  variant_label = g_strdup_printf (_("Text for %s on %s"), account->name, network);
  gtk_accessible_update_property (GTK_ACCESSIBLE (text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, variant_label,
                                  -1);
  entry->variant_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  g_signal_connect_swapped (entry->variant_buffer, "changed", G_CALLBACK (update_state), self);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 96);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), text_view);
  gtk_widget_add_css_class (scroller, "card");
  gtk_widget_add_css_class (scroller, "sm-editor");

  /* Translators: above an account's own text, "At most 280 characters on X." */
  hint = g_strdup_printf (_("At most %d characters on %s."), sm_text_limit (account->network), network);
  hint_label = gtk_label_new (hint);
  gtk_label_set_xalign (GTK_LABEL (hint_label), 0);
  gtk_label_set_wrap (GTK_LABEL (hint_label), TRUE);
  gtk_widget_add_css_class (hint_label, "caption");
  gtk_widget_add_css_class (hint_label, "dim-label");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), hint_label);
  gtk_box_append (GTK_BOX (box), scroller);
  /* A plain container, not a row to click: the text view takes the focus. */
  box_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (box_row), FALSE);
  gtk_widget_set_focusable (box_row, FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (box_row), box);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (variant_row), box_row);
  adw_preferences_group_add (self->variants_group, variant_row);
  entry->variant_row = ADW_EXPANDER_ROW (variant_row);

  g_ptr_array_add (self->entries, entry);
}

static void
load_accounts (SmComposerWindow *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  accounts = sm_store_list_accounts_in (self->store, self->workspace_id, &error);
  if (accounts == NULL)
    g_debug ("Listing accounts failed: %s", error->message);

  if (accounts == NULL || accounts->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("Open _Accounts"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No connected accounts"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   accounts == NULL ? error->message
                                                    : _("Connect an account to post to it."));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_signal_connect_swapped (button, "clicked", G_CALLBACK (open_accounts_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (self->accounts_group, row);
      return;
    }

  /* The entries own the accounts from here on. */
  g_ptr_array_set_free_func (accounts, NULL);
  for (guint i = 0; i < accounts->len; i++)
    add_account_entry (self, g_ptr_array_index (accounts, i));

  /* One account: that is where the post goes. */
  if (self->entries->len == 1)
    gtk_check_button_set_active (((AccountEntry *) g_ptr_array_index (self->entries, 0))->check, TRUE);
}

static void
load_when (SmComposerWindow *self)
{
  g_autofree char *zone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) later = NULL;

  if (sm_store_resolve_workspace (self->store, self->workspace_id, &zone, &error) <= 0 || zone == NULL)
    {
      g_debug ("No workspace zone: %s", error != NULL ? error->message : "none set");
      g_free (zone);
      zone = g_strdup (self->local_zone);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->zone_row), zone);

  /* The next full hour at least half an hour from now. */
  tz = sm_ui_time_zone_new (zone);
  now = g_date_time_new_now (tz);
  later = g_date_time_add_minutes (now, 90);

  gtk_calendar_select_day (self->calendar, later);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (later));
  gtk_spin_button_set_value (self->minute_spin, 0);
  update_date_label (self);
}

static void
load_bucket_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(SmS3Config) config = NULL;
  GError *error = NULL;

  config = sm_token_store_load_bucket (task_data, cancellable, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, config != NULL);
}

static void
load_bucket_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  SmComposerWindow *self;
  gboolean set;

  set = g_task_propagate_boolean (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = SM_COMPOSER_WINDOW (object);
  /* A keyring that cannot be read says nothing either way. */
  if (error != NULL)
    g_debug ("Could not tell whether a media bucket is set up: %s", error->message);
  else
    self->bucket = set ? BUCKET_SET : BUCKET_NONE;
  update_state (self);
}

/* Whether a media bucket is set up, from the keyring, off the main loop. */
static void
load_bucket (SmComposerWindow *self)
{
  g_autoptr(GTask) task = NULL;

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, load_bucket_cb, NULL);
  g_task_set_source_tag (task, load_bucket);
  g_task_set_task_data (task, g_strdup (sm_store_get_dir (self->store)), g_free);
  g_task_run_in_thread (task, load_bucket_thread);
}

static void
sm_composer_window_constructed (GObject *object)
{
  SmComposerWindow *self = (SmComposerWindow *) object;

  G_OBJECT_CLASS (sm_composer_window_parent_class)->constructed (object);

  g_assert (self->store != NULL);

  load_accounts (self);
  load_options (self);
  load_when (self);
  load_bucket (self);
  update_state (self);

  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->text_view));
}

static void
sm_composer_window_dispose (GObject *object)
{
  SmComposerWindow *self = (SmComposerWindow *) object;

  g_clear_handle_id (&self->recheck_id, g_source_remove);
  g_clear_handle_id (&self->preview_id, g_source_remove);
  g_clear_object (&self->cover_texture);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* update_state() stops once the entries are gone. */
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  /* Stops reading and converting; the copies half made are removed. */
  g_clear_pointer (&self->media, g_ptr_array_unref);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_composer_window_parent_class)->dispose (object);
}

static void
sm_composer_window_finalize (GObject *object)
{
  SmComposerWindow *self = (SmComposerWindow *) object;

  g_clear_pointer (&self->local_zone, g_free);
  g_clear_pointer (&self->cover_texture_path, g_free);
  g_clear_pointer (&self->options, g_hash_table_unref);
  g_clear_pointer (&self->option_widgets, g_hash_table_unref);

  G_OBJECT_CLASS (sm_composer_window_parent_class)->finalize (object);
}

static void
sm_composer_window_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SmComposerWindow *self = SM_COMPOSER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_WORKSPACE_ID:
      self->workspace_id = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_composer_window_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SmComposerWindow *self = SM_COMPOSER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_WORKSPACE_ID:
      g_value_set_int64 (value, self->workspace_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_composer_window_class_init (SmComposerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sm_composer_window_constructed;
  object_class->dispose = sm_composer_window_dispose;
  object_class->finalize = sm_composer_window_finalize;
  object_class->set_property = sm_composer_window_set_property;
  object_class->get_property = sm_composer_window_get_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         SM_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The workspace whose accounts the post can go to (0: the default one). */
  properties[PROP_WORKSPACE_ID] =
    g_param_spec_int64 ("workspace-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SmComposerWindow::post-created:
   * @post_id: the new post
   * @now: whether the user chose Post Now
   */
  signals[POST_CREATED] =
    g_signal_new ("post-created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);

  /**
   * SmComposerWindow::post-updated:
   * @post_id: the post edited (sm_composer_window_load_post())
   * @now: whether the user chose Post Now
   */
  signals[POST_UPDATED] =
    g_signal_new ("post-updated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);

  g_type_ensure (SM_TYPE_POST_PREVIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/studio/so_me/Studio/ui/sm-composer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, counter_label);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, problems_box);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, variants_group);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, when_group);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, date_button);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, date_popover);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, calendar);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, zone_row);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, schedule_button);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, post_now_button);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, media_section);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, media_hint);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, media_scroller);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, media_box);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, options_group);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, preview_button);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, preview_networks);
  gtk_widget_class_bind_template_child (widget_class, SmComposerWindow, preview);
  gtk_widget_class_bind_template_callback (widget_class, calendar_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, when_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, spin_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, preview_toggled_cb);

  gtk_widget_class_install_action (widget_class, "composer.schedule", NULL, schedule_action);
  gtk_widget_class_install_action (widget_class, "composer.post-now", NULL, post_now_action);
  gtk_widget_class_install_action (widget_class, "composer.add-to-queue", NULL, add_to_queue_action);
  gtk_widget_class_install_action (widget_class, "composer.save-draft", NULL, save_draft_action);
  gtk_widget_class_install_action (widget_class, "composer.add-media", NULL, add_media_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "composer.schedule", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "composer.schedule", NULL);
}

static void
sm_composer_window_init (SmComposerWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) account_entry_free);
  self->media = g_ptr_array_new_with_free_func ((GDestroyNotify) media_item_drop);
  self->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->option_widgets = g_hash_table_new (g_str_hash, g_str_equal);
  self->local_zone = sm_time_local_zone_id ();

  /* Files dropped anywhere on the composer join the post. */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_swapped (gtk_text_view_get_buffer (self->text_view), "changed",
                            G_CALLBACK (update_state), self);
  self->recheck_id = g_timeout_add_seconds (RECHECK_SECONDS, recheck_cb, self);
}

/**
 * sm_composer_window_new:
 * @parent: the window the composer is modal for
 * @store: where the post is saved
 *
 * Returns: (transfer none): a new composer; it destroys itself when done
 */
SmComposerWindow *
sm_composer_window_new (GtkWindow *parent,
                        SmStore   *store)
{
  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  return g_object_new (SM_TYPE_COMPOSER_WINDOW,
                       "transient-for", parent,
                       "application", gtk_window_get_application (parent),
                       "store", store,
                       NULL);
}

/**
 * sm_composer_window_new_in_workspace:
 * @parent: the window the composer is modal for
 * @store: where the post is saved
 * @workspace_id: whose accounts it offers, and whose zone it starts in
 *
 * Returns: (transfer none): a new composer; it destroys itself when done
 */
SmComposerWindow *
sm_composer_window_new_in_workspace (GtkWindow *parent,
                                     SmStore   *store,
                                     gint64     workspace_id)
{
  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  return g_object_new (SM_TYPE_COMPOSER_WINDOW,
                       "transient-for", parent,
                       "application", gtk_window_get_application (parent),
                       "store", store,
                       "workspace-id", workspace_id,
                       NULL);
}

void
sm_composer_window_set_due (SmComposerWindow *self,
                            gint64            due_us)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_if_fail (SM_IS_COMPOSER_WINDOW (self));

  tz = sm_ui_time_zone_new (gtk_editable_get_text (GTK_EDITABLE (self->zone_row)));
  utc = g_date_time_new_from_unix_utc (due_us / G_USEC_PER_SEC);
  local = g_date_time_to_timezone (utc, tz);

  gtk_calendar_select_day (self->calendar, local);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (local));
  gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (local));
  update_date_label (self);
  update_state (self);
}

/**
 * sm_composer_window_add_files:
 * @self: a composer
 * @files: (array length=n_files): files to attach, in order
 * @n_files: how many
 *
 * Attaches files as Add Files and dropping them do: each is read on a
 * worker thread and shown with its thumbnail once read.
 */
void
sm_composer_window_add_files (SmComposerWindow *self,
                              GFile           **files,
                              guint             n_files)
{
  g_return_if_fail (SM_IS_COMPOSER_WINDOW (self));

  for (guint i = 0; i < n_files; i++)
    add_file (self, files[i]);
  rebuild_media (self);
  update_state (self);
}

/* Sets an option's row to @value, as the user would. */
static void
load_option (SmComposerWindow *self,
             const char       *key,
             const char       *value)
{
  GtkWidget *row = g_hash_table_lookup (self->option_widgets, key);
  const OptionRow *option = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (option_rows) && option == NULL; i++)
    if (g_str_equal (option_rows[i].key, key))
      option = &option_rows[i];
  if (row == NULL || option == NULL)
    return;

  switch (option->widget)
    {
    case OPTION_ENTRY:
      gtk_editable_set_text (GTK_EDITABLE (row), value);
      break;

    case OPTION_COMBO:
      {
        const char *const *choices = sm_options_choices (key);

        for (guint i = 0; choices != NULL && choices[i] != NULL; i++)
          if (g_str_equal (choices[i], value))
            adw_combo_row_set_selected (ADW_COMBO_ROW (row), i + 1);
      }
      break;

    case OPTION_SWITCH:
      gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))),
                             g_str_equal (value, "true"));
      break;

    case OPTION_COVER:
      set_cover (self, value);
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * sm_composer_window_load_post:
 * @self: a composer that has not saved anything yet
 * @post_id: the post to edit
 * @error: why it cannot be edited
 *
 * Fills the composer with the post as it was saved (text, each account's
 * own text, files read again, options, the date and time in the post's
 * zone); saving then changes that post, keeping its id, as a draft again
 * with Save as Draft, else scheduled.  Fails for a post that has gone out
 * or is being sent.
 *
 * Returns: whether the post was loaded
 */
gboolean
sm_composer_window_load_post (SmComposerWindow  *self,
                              gint64             post_id,
                              GError           **error)
{
  g_autoptr(SmPost) post = NULL;
  g_autoptr(GPtrArray) media = NULL;
  g_autoptr(GHashTable) options = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gboolean draft = TRUE;

  g_return_val_if_fail (SM_IS_COMPOSER_WINDOW (self), FALSE);
  g_return_val_if_fail (self->post_id == 0, FALSE);

  if (!(post = sm_store_get_post (self->store, post_id, error)) ||
      !(media = sm_store_list_post_media (self->store, post_id, error)) ||
      !(options = sm_store_get_post_options (self->store, post_id, error)))
    return FALSE;
  if (!sm_post_can_change (post))
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                           _("This post has gone out, or is being sent, and cannot be changed; "
                             "duplicate it to post a changed copy."));
      return FALSE;
    }

  self->post_id = post_id;
  for (guint i = 0; i < post->targets->len; i++)
    if (((SmTarget *) g_ptr_array_index (post->targets, i))->state != SM_TARGET_DRAFT)
      draft = FALSE;
  gtk_window_set_title (GTK_WINDOW (self), draft ? _("Edit Draft") : _("Edit Post"));
  if (!draft)
    gtk_button_set_label (self->schedule_button, _("_Save"));

  gtk_editable_set_text (GTK_EDITABLE (self->zone_row), post->time_zone);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), post->text, -1);
  for (guint i = 0; i < self->entries->len; i++)
    {
      AccountEntry *entry = g_ptr_array_index (self->entries, i);
      const SmTarget *target = NULL;

      for (guint j = 0; j < post->targets->len && target == NULL; j++)
        if (((SmTarget *) g_ptr_array_index (post->targets, j))->account_id == entry->account->id)
          target = g_ptr_array_index (post->targets, j);
      gtk_text_buffer_set_text (entry->variant_buffer,
                                target != NULL && target->has_variant ? target->text : "", -1);
      gtk_check_button_set_active (entry->check, target != NULL);
    }

  /* The rows first, then every value exactly as saved, those the rows
   * would leave out (a switch at its default, an option no row edits)
   * included. */
  g_hash_table_iter_init (&iter, options);
  while (g_hash_table_iter_next (&iter, &key, &value))
    load_option (self, key, value);
  g_hash_table_remove_all (self->options);
  g_hash_table_iter_init (&iter, options);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (self->options, g_strdup (key), g_strdup (value));

  for (guint i = 0; i < media->len; i++)
    {
      const SmPostMedia *row = g_ptr_array_index (media, i);
      g_autoptr(GFile) file = g_file_new_for_path (row->path);
      MediaItem *item = add_file (self, file);

      if (item != NULL)
        {
          item->saved = g_new0 (SmPostMedia, 1);
          item->saved->path = g_strdup (row->path);
          item->saved->size_bytes = row->size_bytes;
          item->saved->sha256 = g_strdup (row->sha256);
          item->saved->mime_type = g_strdup (row->mime_type);
        }
    }
  rebuild_media (self);

  sm_composer_window_set_due (self, post->due_us);
  return TRUE;
}
