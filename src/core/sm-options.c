/* sm-options.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-options"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-options.h"
#include "sm-text.h"

typedef enum
{
  KIND_TEXT,      /* free text up to max_len characters */
  KIND_CHOICE,    /* one of choices */
  KIND_BOOL,
  KIND_DIGITS,    /* a number, or digits such as a phone number */
  KIND_TAGS,      /* comma-separated, max_len characters in all */
  KIND_TIME,      /* RFC 3339 */
  KIND_PATH,      /* an existing file */
  KIND_COMMENT,   /* a first comment: not blank; max_len characters, or with
                   * max_len 0 the network's own text rules (sm_text_check) */
} Kind;

typedef struct
{
  const char        *key;
  Kind               kind;
  int                max_len;
  const char *const *choices;
  gboolean           no_angle_brackets;
} Option;

static const char *const yt_privacy[] = { "private", "public", "unlisted", NULL };
static const char *const ig_kinds[] = { "feed", "carousel", "reel", "story", NULL };
/* "video" and "carousel" are "post" with one video or several photos, as
 * the media rules name them (sm-media-rules.c). */
static const char *const fb_kinds[] = { "post", "reel", "story", "video", "carousel", NULL };
static const char *const tt_privacy[] = { "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS",
                                          "FOLLOWER_OF_CREATOR", "SELF_ONLY", NULL };
static const char *const x_reply[] = { "following", "mentionedUsers", "subscribers", "verified", NULL };
static const char *const li_visibility[] = { "PUBLIC", "CONNECTIONS", "LOGGED_IN", NULL };
static const char *const th_reply[] = { "everyone", "accounts_you_follow", "mentioned_only", NULL };
/* One photo or video, or a carousel of 2-20 (sm-media-rules.c). */
static const char *const th_kinds[] = { "post", "carousel", NULL };

/* One table; the limits are the networks' own (platform-apis.md). */
static const Option options[] = {
  { "youtube.title", KIND_TEXT, 100, NULL, TRUE },
  { "youtube.privacy", KIND_CHOICE, 0, yt_privacy, FALSE },
  { "youtube.tags", KIND_TAGS, 500, NULL, TRUE },
  { "youtube.category", KIND_DIGITS, 4, NULL, FALSE },
  { "youtube.made_for_kids", KIND_BOOL, 0, NULL, FALSE },
  { "youtube.notify_subscribers", KIND_BOOL, 0, NULL, FALSE },
  { "youtube.publish_at", KIND_TIME, 0, NULL, FALSE },
  { "youtube.thumbnail", KIND_PATH, 0, NULL, FALSE },
  { "instagram.kind", KIND_CHOICE, 0, ig_kinds, FALSE },
  { "facebook.kind", KIND_CHOICE, 0, fb_kinds, FALSE },
  { "tiktok.privacy", KIND_CHOICE, 0, tt_privacy, FALSE },
  { "tiktok.disable_comment", KIND_BOOL, 0, NULL, FALSE },
  { "tiktok.disable_duet", KIND_BOOL, 0, NULL, FALSE },
  { "tiktok.disable_stitch", KIND_BOOL, 0, NULL, FALSE },
  { "x.reply_settings", KIND_CHOICE, 0, x_reply, FALSE },
  /* Post the text as a reply chain, split at lines of "---". */
  { "x.thread", KIND_BOOL, 0, NULL, FALSE },
  { "linkedin.visibility", KIND_CHOICE, 0, li_visibility, FALSE },
  { "threads.reply_control", KIND_CHOICE, 0, th_reply, FALSE },
  { "threads.kind", KIND_CHOICE, 0, th_kinds, FALSE },
  { "whatsapp.to", KIND_DIGITS, 15, NULL, FALSE },
  { "whatsapp.template", KIND_TEXT, 512, NULL, FALSE },
  { "whatsapp.language", KIND_TEXT, 15, NULL, FALSE },
  /* A first comment, sent once the post is out (sm-publisher.c).  X's and
   * Threads' are replies, counted as posts are; Instagram's comments share
   * the caption's 2,200.  Facebook (8,000), YouTube (10,000) and LinkedIn
   * (1,250) take comments shorter or longer than their posts: those are
   * the limits their comment boxes enforce (not in platform-apis.md). */
  { "facebook.first_comment", KIND_COMMENT, 8000, NULL, FALSE },
  { "instagram.first_comment", KIND_COMMENT, 0, NULL, FALSE },
  { "youtube.first_comment", KIND_COMMENT, 10000, NULL, FALSE },
  { "linkedin.first_comment", KIND_COMMENT, 1250, NULL, FALSE },
  { "threads.first_comment", KIND_COMMENT, 0, NULL, FALSE },
  { "x.first_comment", KIND_COMMENT, 0, NULL, FALSE },
};

static const Option *
find (const char *key)
{
  for (guint i = 0; key && i < G_N_ELEMENTS (options); i++)
    if (g_str_equal (options[i].key, key))
      return &options[i];
  return NULL;
}

static gboolean
parse_bool (const char *value,
            gboolean   *out)
{
  const char *yes[] = { "true", "1", "yes", "on" };
  const char *no[] = { "false", "0", "no", "off" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (value, yes[i]) == 0)
        return *out = TRUE, TRUE;
      if (g_ascii_strcasecmp (value, no[i]) == 0)
        return *out = FALSE, TRUE;
    }
  return FALSE;
}

gboolean
sm_options_check (const char  *key,
                  const char  *value,
                  char       **message)
{
  const Option *o = find (key);
  gboolean b;

  g_return_val_if_fail (message != NULL, FALSE);
  *message = NULL;

  if (o == NULL)
    {
      g_autofree char *known = NULL;
      SmNetwork network = sm_options_network (key);

      if (network != SM_NETWORK_INVALID)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) sm_options_keys (network));
          *message = g_strdup_printf (_("“%s” is not an option; %s has: %s."), key,
                                      sm_network_display_name (network), list);
        }
      else
        *message = g_strdup_printf (_("“%s” is not an option; options look like youtube.privacy=unlisted."),
                                    key ? key : "");
      return FALSE;
    }
  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    {
      *message = g_strdup_printf (_("%s needs a value."), key);
      return FALSE;
    }

  switch (o->kind)
    {
    case KIND_TEXT:
    case KIND_TAGS:
      if (*value == '\0')
        {
          *message = g_strdup_printf (_("%s needs a value."), key);
          return FALSE;
        }
      if (g_utf8_strlen (value, -1) > o->max_len)
        {
          *message = g_strdup_printf (ngettext ("%s takes at most %d character.",
                                               "%s takes at most %d characters.", o->max_len),
                                      key, o->max_len);
          return FALSE;
        }
      if (o->no_angle_brackets && strpbrk (value, "<>") != NULL)
        {
          *message = g_strdup_printf (_("%s cannot contain < or >."), key);
          return FALSE;
        }
      return TRUE;

    case KIND_CHOICE:
      if (g_strv_contains (o->choices, value))
        return TRUE;
      {
        g_autofree char *list = g_strjoinv (", ", (char **) o->choices);
        *message = g_strdup_printf (_("%s is one of: %s."), key, list);
      }
      return FALSE;

    case KIND_BOOL:
      if (parse_bool (value, &b))
        return TRUE;
      *message = g_strdup_printf (_("%s is true or false."), key);
      return FALSE;

    case KIND_DIGITS:
      {
        const char *v = value + (o->max_len == 15 && *value == '+');   /* a phone number's + */
        gsize len = strlen (v);

        if (len > 0 && len <= (gsize) o->max_len && strspn (v, "0123456789") == len)
          return TRUE;
        *message = g_strdup_printf (_("%s takes digits only (at most %d)."), key, o->max_len);
        return FALSE;
      }

    case KIND_TIME:
      {
        g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (value, NULL);

        if (dt != NULL)
          return TRUE;
        *message = g_strdup_printf (_("%s takes a time such as 2026-12-01T09:00:00Z."), key);
        return FALSE;
      }

    case KIND_COMMENT:
      {
        g_autofree char *stripped = g_strstrip (g_strdup (value));
        g_autofree char *rule = NULL;

        if (*stripped == '\0')
          {
            *message = g_strdup_printf (_("%s needs some text; leave it out for no comment."), key);
            return FALSE;
          }
        if (o->max_len > 0 && g_utf8_strlen (value, -1) > o->max_len)
          {
            *message = g_strdup_printf (ngettext ("%s takes at most %d character.",
                                                 "%s takes at most %d characters.", o->max_len),
                                        key, o->max_len);
            return FALSE;
          }
        if (o->max_len == 0 && !sm_text_check (sm_options_network (key), value, &rule))
          {
            /* Translators: "x.first_comment: X allows 280 characters; this text is 12 over." */
            *message = g_strdup_printf (_("%s: %s"), key, rule);
            return FALSE;
          }
        return TRUE;
      }

    case KIND_PATH:
      if (g_file_test (value, G_FILE_TEST_IS_REGULAR))
        return TRUE;
      *message = g_strdup_printf (_("%s: there is no file %s."), key, value);
      return FALSE;

    default:
      g_return_val_if_reached (FALSE);
    }
}

SmNetwork
sm_options_network (const char *key)
{
  g_autofree char *prefix = NULL;
  const char *dot = key ? strchr (key, '.') : NULL;

  if (dot == NULL)
    return SM_NETWORK_INVALID;
  prefix = g_strndup (key, dot - key);
  return sm_network_from_string (prefix);
}

const char *const *
sm_options_keys (SmNetwork network)
{
  static GPtrArray *per_network[SM_N_NETWORKS];
  static gsize once;

  if (g_once_init_enter (&once))
    {
      for (guint n = 0; n < SM_N_NETWORKS; n++)
        per_network[n] = g_ptr_array_new ();
      for (guint i = 0; i < G_N_ELEMENTS (options); i++)
        g_ptr_array_add (per_network[sm_options_network (options[i].key)], (gpointer) options[i].key);
      for (guint n = 0; n < SM_N_NETWORKS; n++)
        g_ptr_array_add (per_network[n], NULL);
      g_once_init_leave (&once, 1);
    }
  g_return_val_if_fail (network < SM_N_NETWORKS, NULL);
  return (const char *const *) per_network[network]->pdata;
}

const char *const *
sm_options_choices (const char *key)
{
  const Option *o = find (key);

  return o != NULL && o->kind == KIND_CHOICE ? o->choices : NULL;
}

gboolean
sm_options_is_bool (const char *key)
{
  const Option *o = find (key);

  return o != NULL && o->kind == KIND_BOOL;
}

gboolean
sm_options_check_post (SmNetwork    network,
                       GHashTable  *options_table,
                       guint        n_media,
                       char       **message)
{
  const char *to, *template_name, *language;

  g_return_val_if_fail (message != NULL, FALSE);
  *message = NULL;

  /* Stories take no comments. */
  if ((network == SM_NETWORK_FACEBOOK || network == SM_NETWORK_INSTAGRAM) && options_table != NULL
      && g_hash_table_lookup (options_table, sm_options_first_comment_key (network)) != NULL
      && g_strcmp0 (g_hash_table_lookup (options_table, network == SM_NETWORK_FACEBOOK ? "facebook.kind"
                                                                                     : "instagram.kind"),
                    "story") == 0)
    {
      *message = g_strdup_printf (_("A %s story takes no comments; leave out the first comment "
                                    "or post it as something else."),
                                  sm_network_display_name (network));
      return FALSE;
    }

  if (network != SM_NETWORK_WHATSAPP)
    return TRUE;

  to = options_table ? g_hash_table_lookup (options_table, "whatsapp.to") : NULL;
  template_name = options_table ? g_hash_table_lookup (options_table, "whatsapp.template") : NULL;
  language = options_table ? g_hash_table_lookup (options_table, "whatsapp.language") : NULL;
  if (to == NULL || *to == '\0')
    {
      *message = g_strdup (_("A WhatsApp message needs a recipient: add whatsapp.to with the "
                             "customer’s phone number and country code, such as "
                             "whatsapp.to=15551234567."));
      return FALSE;
    }
  if (template_name != NULL && n_media > 0)
    {
      *message = g_strdup (_("A WhatsApp template message takes no files; send them in a post "
                             "of their own."));
      return FALSE;
    }
  if (language != NULL && template_name == NULL)
    {
      *message = g_strdup (_("whatsapp.language is the language of a template; add "
                             "whatsapp.template too."));
      return FALSE;
    }
  return TRUE;
}

const char *
sm_options_first_comment_key (SmNetwork network)
{
  static const char *const keys[SM_N_NETWORKS] = {
    [SM_NETWORK_FACEBOOK] = "facebook.first_comment",
    [SM_NETWORK_INSTAGRAM] = "instagram.first_comment",
    [SM_NETWORK_YOUTUBE] = "youtube.first_comment",
    [SM_NETWORK_LINKEDIN] = "linkedin.first_comment",
    [SM_NETWORK_THREADS] = "threads.first_comment",
    [SM_NETWORK_X] = "x.first_comment",
  };

  g_return_val_if_fail (network < SM_N_NETWORKS, NULL);
  return keys[network];
}

gboolean
sm_options_get_bool (GHashTable *options_table,
                     const char *key,
                     gboolean    fallback)
{
  const char *value = options_table ? g_hash_table_lookup (options_table, key) : NULL;
  gboolean b;

  return value && parse_bool (value, &b) ? b : fallback;
}
