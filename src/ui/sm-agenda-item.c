/* sm-agenda-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-agenda"

#include "config.h"

#include "sm-agenda-item.h"

struct _SmAgendaItem
{
  GObject     parent_instance;

  SmPost     *post;
  char       *zone;
  char       *key;         /* everything a row shows of the post */
  char       *day_title;   /* first of its day: the day's heading */
  gboolean    last_of_day;
  GHashTable *uploads;     /* target id → guint64[2] sent, total */
};

enum {
  CHANGED,
  UPLOAD_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SmAgendaItem, sm_agenda_item, G_TYPE_OBJECT)

/* Everything one row shows of a post. */
static char *
post_key (const SmPost *post,
          const char   *zone)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s:%" G_GINT64_FORMAT ":%s:%s", zone, post->due_us,
                          post->time_zone, post->text);
  for (guint j = 0; post->targets != NULL && j < post->targets->len; j++)
    {
      const SmTarget *target = g_ptr_array_index (post->targets, j);

      g_string_append_printf (s, ";%" G_GINT64_FORMAT ":%d:%d:%s:%s:%s", target->id,
                              target->network, target->state, target->account_name,
                              target->permalink, target->last_error);
    }

  return g_string_free (s, FALSE);
}

static void
sm_agenda_item_finalize (GObject *object)
{
  SmAgendaItem *self = (SmAgendaItem *) object;

  g_clear_pointer (&self->post, sm_post_free);
  g_clear_pointer (&self->zone, g_free);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->day_title, g_free);
  g_clear_pointer (&self->uploads, g_hash_table_unref);

  G_OBJECT_CLASS (sm_agenda_item_parent_class)->finalize (object);
}

static void
sm_agenda_item_class_init (SmAgendaItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sm_agenda_item_finalize;

  /**
   * SmAgendaItem::changed:
   *
   * The post, its day heading or its place in the day changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SmAgendaItem::upload-changed:
   * @target_id: the target whose upload numbers changed
   */
  signals[UPLOAD_CHANGED] =
    g_signal_new ("upload-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
sm_agenda_item_init (SmAgendaItem *self)
{
  self->uploads = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

SmAgendaItem *
sm_agenda_item_new (SmPost     *post,
                    const char *zone)
{
  SmAgendaItem *self;

  g_return_val_if_fail (post != NULL, NULL);

  self = g_object_new (SM_TYPE_AGENDA_ITEM, NULL);
  self->post = post;
  self->zone = g_strdup (zone);
  self->key = post_key (post, zone);

  return self;
}

const SmPost *
sm_agenda_item_get_post (SmAgendaItem *self)
{
  g_return_val_if_fail (SM_IS_AGENDA_ITEM (self), NULL);

  return self->post;
}

const char *
sm_agenda_item_get_zone (SmAgendaItem *self)
{
  g_return_val_if_fail (SM_IS_AGENDA_ITEM (self), NULL);

  return self->zone;
}

void
sm_agenda_item_set_post (SmAgendaItem *self,
                         SmPost       *post,
                         const char   *zone)
{
  g_autofree char *key = NULL;
  GHashTableIter iter;
  gpointer target_id;

  g_return_if_fail (SM_IS_AGENDA_ITEM (self));
  g_return_if_fail (post != NULL);

  key = post_key (post, zone);
  g_clear_pointer (&self->post, sm_post_free);
  self->post = post;
  if (g_strcmp0 (key, self->key) == 0)
    return;

  g_free (self->key);
  self->key = g_steal_pointer (&key);
  g_free (self->zone);
  self->zone = g_strdup (zone);

  /* A target the post no longer has keeps no upload. */
  g_hash_table_iter_init (&iter, self->uploads);
  while (g_hash_table_iter_next (&iter, &target_id, NULL))
    {
      gboolean kept = FALSE;

      for (guint i = 0; !kept && post->targets != NULL && i < post->targets->len; i++)
        kept = ((const SmTarget *) g_ptr_array_index (post->targets, i))->id == *(gint64 *) target_id;
      if (!kept)
        g_hash_table_iter_remove (&iter);
    }

  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
sm_agenda_item_get_day_title (SmAgendaItem *self)
{
  g_return_val_if_fail (SM_IS_AGENDA_ITEM (self), NULL);

  return self->day_title;
}

gboolean
sm_agenda_item_get_last_of_day (SmAgendaItem *self)
{
  g_return_val_if_fail (SM_IS_AGENDA_ITEM (self), FALSE);

  return self->last_of_day;
}

void
sm_agenda_item_set_day (SmAgendaItem *self,
                        const char   *day_title,
                        gboolean      last_of_day)
{
  g_return_if_fail (SM_IS_AGENDA_ITEM (self));

  if (g_strcmp0 (day_title, self->day_title) == 0 && !last_of_day == !self->last_of_day)
    return;

  g_free (self->day_title);
  self->day_title = g_strdup (day_title);
  self->last_of_day = last_of_day;
  g_signal_emit (self, signals[CHANGED], 0);
}

void
sm_agenda_item_set_upload (SmAgendaItem *self,
                           gint64        target_id,
                           guint64       sent,
                           guint64       total)
{
  g_return_if_fail (SM_IS_AGENDA_ITEM (self));

  if (total > 0)
    {
      guint64 *upload = g_new (guint64, 2);

      upload[0] = sent;
      upload[1] = total;
      g_hash_table_insert (self->uploads, g_memdup2 (&target_id, sizeof target_id), upload);
    }
  else if (!g_hash_table_remove (self->uploads, &target_id))
    {
      return;
    }
  g_signal_emit (self, signals[UPLOAD_CHANGED], 0, target_id);
}

gboolean
sm_agenda_item_get_upload (SmAgendaItem *self,
                           gint64        target_id,
                           guint64      *sent,
                           guint64      *total)
{
  const guint64 *upload;

  g_return_val_if_fail (SM_IS_AGENDA_ITEM (self), FALSE);

  upload = g_hash_table_lookup (self->uploads, &target_id);
  if (upload == NULL)
    return FALSE;
  *sent = upload[0];
  *total = upload[1];
  return TRUE;
}
