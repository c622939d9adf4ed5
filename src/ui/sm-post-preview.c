/* sm-post-preview.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-post-preview"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-post-preview.h"
#include "sm-preview.h"
#include "sm-text.h"

struct _SmPostPreview
{
  GtkWidget  parent_instance;

  GtkWidget *box;   /* the cards, rebuilt by each show */
};

G_DEFINE_FINAL_TYPE (SmPostPreview, sm_post_preview, GTK_TYPE_WIDGET)

static GtkWidget *
preview_label (const char *text,
               const char *name,
               const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (name != NULL)
    gtk_widget_set_name (label, name);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* The account: an initial in a circle, the name and the handle. */
static GtkWidget *
header_new (const SmPreviewPost *post)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *names = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  const char *name = post->name != NULL && *post->name != '\0' ? post->name : "?";
  gunichar first = g_unichar_toupper (g_utf8_get_char (name));
  char initial[8] = { 0, };
  GtkWidget *avatar, *label;

  g_unichar_to_utf8 (first, initial);
  avatar = gtk_label_new (initial);
  gtk_widget_set_name (avatar, "preview-avatar");
  gtk_widget_add_css_class (avatar, "sm-preview-avatar");
  gtk_widget_set_valign (avatar, GTK_ALIGN_CENTER);
  gtk_accessible_update_state (GTK_ACCESSIBLE (avatar), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_box_append (GTK_BOX (box), avatar);

  label = preview_label (name, "preview-name", "heading");
  gtk_label_set_wrap (GTK_LABEL (label), FALSE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (names), label);
  if (post->handle != NULL && *post->handle != '\0')
    {
      label = preview_label (post->handle, "preview-handle", "dim-label");
      gtk_label_set_wrap (GTK_LABEL (label), FALSE);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (names), label);
    }
  gtk_widget_set_valign (names, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (names, TRUE);
  gtk_box_append (GTK_BOX (box), names);
  return box;
}

/* The text as the feed shows it, "… more" after a cut. */
static GtkWidget *
text_new (const SmPreviewRule *rule,
          const char          *text)
{
  gboolean cut = FALSE;
  g_autofree char *shown = sm_preview_truncate (rule, text, &cut);
  g_autofree char *escaped = g_markup_escape_text (shown, -1);
  g_autofree char *markup = NULL;
  GtkWidget *label;

  if (cut && rule->more_label != NULL)
    {
      g_autofree char *more = g_markup_escape_text (_(rule->more_label), -1);

      /* Translators: the end of a cut text in the preview: "… more" */
      markup = g_strdup_printf (_("%s<span alpha=\"55%%\">… %s</span>"), escaped, more);
    }
  label = preview_label (NULL, "preview-text", "sm-preview-text");
  gtk_label_set_markup (GTK_LABEL (label), markup != NULL ? markup : escaped);
  gtk_widget_set_visible (label, *shown != '\0' || cut);
  return label;
}

/* @source cut to @ratio (width / height) around its centre, as a feed
 * crops it: a paintable of that shape, so the picture that shows it
 * takes that shape too. */
static GdkPaintable *
crop_paintable (GdkPaintable *source,
                double        ratio)
{
  int width = gdk_paintable_get_intrinsic_width (source);
  int height = gdk_paintable_get_intrinsic_height (source);
  double crop_width, crop_height;
  GtkSnapshot *snapshot;

  if (width <= 0 || height <= 0)
    return g_object_ref (source);
  crop_width = width;
  crop_height = height;
  if ((double) width / height > ratio)
    crop_width = height * ratio;
  else
    crop_height = width / ratio;

  snapshot = gtk_snapshot_new ();
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, crop_width, crop_height));
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-(width - crop_width) / 2,
                                                          -(height - crop_height) / 2));
  gdk_paintable_snapshot (source, snapshot, width, height);
  gtk_snapshot_pop (snapshot);
  return gtk_snapshot_free_to_paintable (snapshot, &GRAPHENE_SIZE_INIT (crop_width, crop_height));
}

/* An empty frame of @ratio, for a file with no picture yet. */
static GdkPaintable *
blank_paintable (double ratio)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  const double height = 100;

  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.5, 0.5, 0.5, 0.15 },
                             &GRAPHENE_RECT_INIT (0, 0, height * ratio, height));
  return gtk_snapshot_free_to_paintable (snapshot, &GRAPHENE_SIZE_INIT (height * ratio, height));
}

/* The first file, cropped to the shape the feed shows it in. */
static GtkWidget *
media_new (const SmPreviewRule *rule,
           const SmPreviewPost *post)
{
  double ratio = sm_preview_crop_ratio (rule, post->media_width, post->media_height);
  g_autoptr(GdkPaintable) shown = NULL;
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *picture;

  shown = post->media != NULL ? crop_paintable (post->media, ratio) : blank_paintable (ratio);
  picture = gtk_picture_new_for_paintable (shown);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_name (picture, "preview-media");
  gtk_widget_add_css_class (overlay, "sm-preview-media");
  gtk_widget_set_overflow (overlay, GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The first file, cropped as the feed shows it"), -1);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), picture);
  if (post->media == NULL || post->media_is_video)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name (post->media == NULL ? "image-x-generic-symbolic"
                                                                          : "media-playback-start-symbolic");

      gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
      gtk_widget_set_halign (icon, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
      if (post->media != NULL)
        gtk_widget_add_css_class (icon, "sm-preview-play");
      else
        gtk_widget_add_css_class (icon, "dim-label");
      gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), icon);
    }
  if (post->n_media > 1)
    {
      /* Translators: on the first picture of several, "1/3" */
      g_autofree char *count = g_strdup_printf (_("1/%u"), post->n_media);
      GtkWidget *badge = gtk_label_new (count);

      gtk_widget_set_halign (badge, GTK_ALIGN_END);
      gtk_widget_set_valign (badge, GTK_ALIGN_START);
      gtk_widget_add_css_class (badge, "sm-preview-badge");
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), badge);
    }
  return overlay;
}

/* The card the network makes of a link: its domain and address, from
 * the text alone. */
static GtkWidget *
link_card_new (const char *url,
               const char *domain)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *upper = g_utf8_strup (domain, -1);
  g_autofree char *accessible = g_strdup_printf (_("Link card for %s"), domain);
  GtkWidget *label;

  gtk_widget_set_name (box, "preview-link");
  gtk_widget_add_css_class (box, "sm-preview-link");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  label = preview_label (upper, "preview-link-domain", "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  label = preview_label (url, "preview-link-url", NULL);
  gtk_label_set_wrap (GTK_LABEL (label), FALSE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

/* One card: the account, the text, the file or the link card, in the
 * network's order. */
static GtkWidget *
card_new (const SmPreviewRule *rule,
          const SmPreviewPost *post,
          const char          *text,
          gboolean             with_media)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  g_autofree char *css_network = g_strconcat ("network-", sm_network_to_string (post->network), NULL);
  g_autofree char *url = NULL;
  g_autofree char *domain = NULL;
  gboolean has_media = with_media && (post->media != NULL || post->n_media > 0);
  GtkWidget *media = has_media ? media_new (rule, post) : NULL;

  gtk_widget_set_name (card, "preview-card");
  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "sm-preview-card");
  gtk_widget_add_css_class (card, css_network);

  if (rule->title_chars > 0)
    {
      /* YouTube: the thumbnail, the title, then the channel and the
       * description's start. */
      g_autofree char *title = sm_preview_title (rule, post->title, post->text);

      if (media != NULL)
        gtk_box_append (GTK_BOX (card), media);
      gtk_box_append (GTK_BOX (card), preview_label (title, "preview-title", "heading"));
      gtk_box_append (GTK_BOX (card), header_new (post));
      gtk_box_append (GTK_BOX (card), text_new (rule, text));
      return card;
    }

  gtk_box_append (GTK_BOX (card), header_new (post));
  if (rule->media_first)
    {
      if (media != NULL)
        gtk_box_append (GTK_BOX (card), media);
      gtk_box_append (GTK_BOX (card), text_new (rule, text));
    }
  else
    {
      gtk_box_append (GTK_BOX (card), text_new (rule, text));
      if (media != NULL)
        gtk_box_append (GTK_BOX (card), media);
    }
  if (!rule->caption)
    gtk_box_append (GTK_BOX (card),
                    preview_label (_("Stories show no text; only the picture or video."),
                                   "preview-note", "dim-label"));
  /* A card only for a post without files, as the networks do. */
  if (rule->link_card && !has_media && sm_preview_first_link (text, &url, &domain))
    gtk_box_append (GTK_BOX (card), link_card_new (url, domain));
  return card;
}

static void
sm_post_preview_dispose (GObject *object)
{
  SmPostPreview *self = (SmPostPreview *) object;

  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (sm_post_preview_parent_class)->dispose (object);
}

static void
sm_post_preview_class_init (SmPostPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_post_preview_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "sm-post-preview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sm_post_preview_init (SmPostPreview *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Preview of the post"), -1);
  sm_post_preview_show (self, NULL);
}

GtkWidget *
sm_post_preview_new (void)
{
  return g_object_new (SM_TYPE_POST_PREVIEW, NULL);
}

void
sm_post_preview_show (SmPostPreview       *self,
                      const SmPreviewPost *post)
{
  const SmPreviewRule *rule;
  GtkWidget *child;

  g_return_if_fail (SM_IS_POST_PREVIEW (self));

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);

  rule = post != NULL ? sm_preview_rule (post->network, post->kind) : NULL;
  if (rule == NULL)
    {
      GtkWidget *label = preview_label (_("Choose an account to see how the post will look there."),
                                        "preview-empty", "dim-label");

      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_label_set_xalign (GTK_LABEL (label), 0.5);
      gtk_box_append (GTK_BOX (self->box), label);
      return;
    }

  if (rule->thread_cards && post->thread)
    {
      /* Each part of the thread is its own post; the files go with the
       * first. */
      g_auto(GStrv) parts = sm_text_split_thread (post->text != NULL ? post->text : "");

      for (guint i = 0; parts[i] != NULL; i++)
        gtk_box_append (GTK_BOX (self->box), card_new (rule, post, parts[i], i == 0));
    }
  else
    gtk_box_append (GTK_BOX (self->box), card_new (rule, post, post->text, TRUE));
}
