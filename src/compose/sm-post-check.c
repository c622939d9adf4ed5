/* sm-post-check.c — the checks a post passes before it is saved, shared by
 * `so-me post`, `so-me import` and the window's import.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-post-check"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-media.h"
#include "sm-media-rules.h"
#include "sm-options.h"
#include "sm-platform.h"
#include "sm-post-check.h"
#include "sm-text.h"
#include "sm-token-store.h"

void
sm_post_problem_free (SmPostProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem);
}

static void
add_problem (GPtrArray   *problems,
             SmPostField  field,
             gint64       account_id,
             char        *message)
{
  SmPostProblem *problem = g_new0 (SmPostProblem, 1);

  problem->field = field;
  problem->account_id = account_id;
  problem->message = message;
  g_ptr_array_add (problems, problem);
}

static SmNetwork
account_network (const SmPostCheck *post,
                 guint              i)
{
  return ((SmAccount *) g_ptr_array_index (post->accounts, i))->network;
}

/* Instagram and Threads fetch files by URL: a post with such files needs
 * the media bucket, or it could only fail later. */
static void
check_bucket (SmPostCheckContext *context,
              const SmPostCheck  *post,
              GPtrArray          *media,
              GPtrArray          *problems,
              GCancellable       *cancellable)
{
  g_autoptr(GString) networks = g_string_new (NULL);
  gboolean seen[SM_N_NETWORKS] = { FALSE };
  guint n = 0;

  for (guint i = 0; i < post->accounts->len; i++)
    {
      SmNetwork network = account_network (post, i);

      for (guint j = 0; j < media->len && !seen[network]; j++)
        if (sm_media_rules_needs_bucket (network,
                                         ((SmMediaInfo *) g_ptr_array_index (media, j))->mime_type))
          {
            seen[network] = TRUE;
            if (n++ > 0)
              g_string_append (networks, _(" and "));
            g_string_append (networks, sm_network_display_name (network));
          }
    }
  if (n == 0)
    return;

  if (context->has_bucket < 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SmS3Config) config = sm_token_store_load_bucket (context->profile, cancellable, &error);

      if (config == NULL && error != NULL)
        {
          add_problem (problems, SM_POST_FIELD_MEDIA, 0, g_strdup (error->message));
          return;
        }
      context->has_bucket = config != NULL;
    }
  if (context->has_bucket)
    return;
  add_problem (problems, SM_POST_FIELD_MEDIA, 0,
               g_strdup_printf (ngettext ("%s fetches photos and videos from a web address, so they go through "
                                          "your own storage bucket (Amazon S3 or any S3-compatible store). Set one "
                                          "up with “so-me bucket set” first; nothing was saved.",
                                          "%s fetch photos and videos from a web address, so they go through "
                                          "your own storage bucket (Amazon S3 or any S3-compatible store). Set one "
                                          "up with “so-me bucket set” first; nothing was saved.", n),
                                networks->str));
}

gboolean
sm_post_check (SmPostCheckContext *context,
               const SmPostCheck  *post,
               GPtrArray          *media,
               GPtrArray          *problems,
               GCancellable       *cancellable)
{
  g_autoptr(GPtrArray) probed = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_media_info_free);
  guint before, text_end, option_problems;
  gboolean media_ok = TRUE;

  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (post != NULL && post->accounts != NULL, FALSE);
  g_return_val_if_fail (problems != NULL, FALSE);

  before = problems->len;

  /* Each account's text must fit its network; an X thread (x.thread=true)
   * part by part. */
  for (guint i = 0; i < post->accounts->len; i++)
    {
      SmAccount *account = g_ptr_array_index (post->accounts, i);
      const char *text = post->texts && post->texts[i] ? post->texts[i] : post->text;
      gboolean thread = account->network == SM_NETWORK_X && post->options != NULL &&
                        sm_options_get_bool (post->options, "x.thread", FALSE);
      char *message = NULL;

      if (!(thread ? sm_text_check_thread (account->network, text, &message)
                   : sm_text_check (account->network, text, &message)))
        add_problem (problems, SM_POST_FIELD_TEXT, account->id, message);
      else
        g_free (message);
    }

  text_end = problems->len;

  /* Options: known keys, fitting values, and a network the post goes to. */
  if (post->options != NULL)
    {
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (post->options),
                                           (GCompareFunc) strcmp);

      for (GList *l = keys; l; l = l->next)
        {
          const char *key = l->data;
          char *message = NULL;
          SmNetwork network;
          gboolean used = FALSE;

          if (!sm_options_check (key, g_hash_table_lookup (post->options, key), &message))
            {
              add_problem (problems, SM_POST_FIELD_OPTIONS, 0, message);
              continue;
            }
          network = sm_options_network (key);
          for (guint j = 0; j < post->accounts->len; j++)
            used |= account_network (post, j) == network;
          if (!used)
            add_problem (problems, SM_POST_FIELD_OPTIONS, 0,
                         g_strdup_printf (_("%s is for %s, but the post goes to no %s account"), key,
                                          sm_network_display_name (network),
                                          sm_network_display_name (network)));
        }
    }
  option_problems = problems->len;

  /* Files: what they are, and whether every network the post goes to
   * takes them. */
  for (guint i = 0; i < post->n_media; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_canonicalize_filename (post->media_paths[i], NULL);
      SmMediaInfo *info = sm_media_probe (path, cancellable, &error);

      if (info == NULL)
        {
          add_problem (problems, SM_POST_FIELD_MEDIA, 0, g_strdup (error->message));
          media_ok = FALSE;
          continue;
        }
      g_ptr_array_add (probed, info);
    }
  if (media_ok)
    {
      check_bucket (context, post, probed, problems, cancellable);
      for (guint i = 0; i < post->accounts->len; i++)
        {
          SmNetwork network = account_network (post, i);
          g_autofree char *kind_key = g_strconcat (sm_network_to_string (network), ".kind", NULL);
          const char *kind = post->options ? g_hash_table_lookup (post->options, kind_key) : NULL;
          char *problem = NULL;

          if (!sm_media_rules_check_post (network, kind, (const SmMediaInfo *const *) probed->pdata,
                                          probed->len, &problem))
            add_problem (problems, SM_POST_FIELD_MEDIA, ((SmAccount *) g_ptr_array_index (post->accounts, i))->id,
                         problem);
          else
            g_free (problem);
          if (probed->len > 0 && (sm_platform_get (network) == NULL ||
                                  !sm_platform_can_publish_media (sm_platform_get (network))))
            add_problem (problems, SM_POST_FIELD_MEDIA, 0,
                         g_strdup_printf (_("So-me Studio cannot post photos or videos to %s yet; post the text alone"),
                                          sm_network_display_name (network)));
        }
    }

  /* Options that belong together (WhatsApp's recipient), per network;
   * only once each option is right on its own. */
  if (option_problems == text_end)
    {
      g_autoptr(GHashTable) empty = NULL;
      GHashTable *options = post->options;
      gboolean seen[SM_N_NETWORKS] = { FALSE };

      if (options == NULL)
        options = empty = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < post->accounts->len; i++)
        {
          SmNetwork network = account_network (post, i);
          char *problem = NULL;

          if (seen[network])
            continue;
          seen[network] = TRUE;
          if (!sm_options_check_post (network, options, post->n_media, &problem))
            add_problem (problems, SM_POST_FIELD_OPTIONS, 0, problem);
          else
            g_free (problem);
        }
    }

  if (media != NULL)
    for (guint i = 0; i < probed->len; i++)
      g_ptr_array_add (media, sm_media_info_copy (g_ptr_array_index (probed, i)));
  return problems->len == before;
}
