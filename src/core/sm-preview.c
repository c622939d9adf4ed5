/* sm-preview.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-preview"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sm-preview.h"

#define R_9_16  (9.0 / 16.0)
#define R_16_9  (16.0 / 9.0)
#define R_4_5   (4.0 / 5.0)
#define R_191   1.91

/* What each feed shows, as of 2025, from the networks' help pages and
 * what their apps do: Facebook cuts a post at about 477 characters or 5
 * lines ("See more"), Instagram a caption at 125 characters or 2 lines,
 * LinkedIn at about 210 characters or 3 lines ("…see more"); X shows the
 * whole post (280 weighted) and crops a single picture to 16:9 in the
 * timeline; YouTube shows a title (cut at about 70 characters in lists)
 * and the start of the description on a 16:9 thumbnail; TikTok a short
 * caption on a 9:16 video.  Instagram's and Facebook's feeds take 4:5 to
 * 1.91:1 and crop the rest; reels and stories are 9:16 and stories show
 * no caption.  Cards for links: Facebook, LinkedIn, X, Threads and
 * WhatsApp, for a post without files. */
static const SmPreviewRule rules[] = {
  /* network,           kind,    caption, see_more, lines, more,          title, min,    max,    card,  thread, media first */
  { SM_NETWORK_FACEBOOK,  "reel",  TRUE,   70,      2, N_("See more"),     0, R_9_16, R_9_16, FALSE, FALSE, FALSE },
  { SM_NETWORK_FACEBOOK,  "story", FALSE,  0,       0, NULL,               0, R_9_16, R_9_16, FALSE, FALSE, FALSE },
  { SM_NETWORK_FACEBOOK,  NULL,    TRUE,   477,     5, N_("See more"),     0, R_4_5,  R_191,  TRUE,  FALSE, FALSE },
  { SM_NETWORK_INSTAGRAM, "reel",  TRUE,   125,     2, N_("more"),         0, R_9_16, R_9_16, FALSE, FALSE, TRUE  },
  { SM_NETWORK_INSTAGRAM, "story", FALSE,  0,       0, NULL,               0, R_9_16, R_9_16, FALSE, FALSE, TRUE  },
  { SM_NETWORK_INSTAGRAM, NULL,    TRUE,   125,     2, N_("more"),         0, R_4_5,  R_191,  FALSE, FALSE, TRUE  },
  { SM_NETWORK_LINKEDIN,  NULL,    TRUE,   210,     3, N_("see more"),    0, R_4_5,  R_191,  TRUE,  FALSE, FALSE },
  { SM_NETWORK_X,         NULL,    TRUE,   0,       0, NULL,               0, R_16_9, R_16_9, TRUE,  TRUE,  FALSE },
  { SM_NETWORK_THREADS,   NULL,    TRUE,   0,       0, NULL,               0, R_4_5,  R_191,  TRUE,  FALSE, FALSE },
  { SM_NETWORK_YOUTUBE,   NULL,    TRUE,   100,     2, N_("more"),         70, R_16_9, R_16_9, FALSE, FALSE, TRUE  },
  { SM_NETWORK_TIKTOK,    NULL,    TRUE,   80,      2, N_("more"),         0, R_9_16, R_9_16, FALSE, FALSE, TRUE  },
  { SM_NETWORK_WHATSAPP,  NULL,    TRUE,   0,       0, NULL,               0, 0.5,    2.0,    TRUE,  FALSE, FALSE },
};

const SmPreviewRule *
sm_preview_rule (SmNetwork   network,
                 const char *kind)
{
  const SmPreviewRule *fallback = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      if (rules[i].network != network)
        continue;
      if (rules[i].kind == NULL)
        fallback = &rules[i];
      else if (kind != NULL && g_str_equal (rules[i].kind, kind))
        return &rules[i];
    }
  return fallback;
}

/* Cuts @text after @n_chars characters, going back to the end of a word
 * when one ends in the last fifth. */
static char *
cut_at (const char *text,
        glong       n_chars)
{
  const char *end = g_utf8_offset_to_pointer (text, n_chars);
  const char *word_end = NULL;
  glong back = 0;

  for (const char *p = end; p > text && back < MAX (n_chars / 5, 1); back++)
    {
      const char *prev = g_utf8_prev_char (p);

      if (g_unichar_isspace (g_utf8_get_char (prev)))
        {
          word_end = prev;
          break;
        }
      p = prev;
    }
  if (word_end != NULL && word_end > text)
    end = word_end;
  return g_strndup (text, end - text);
}

char *
sm_preview_truncate (const SmPreviewRule *rule,
                     const char          *text,
                     gboolean            *truncated)
{
  g_autofree char *shown = NULL;
  gboolean cut = FALSE;
  glong length;

  g_return_val_if_fail (rule != NULL, NULL);

  if (text == NULL)
    text = "";
  if (!rule->caption)
    {
      if (truncated != NULL)
        *truncated = FALSE;
      return g_strdup ("");
    }

  shown = g_strdup (text);
  g_strchomp (shown);
  length = g_utf8_strlen (shown, -1);
  if (rule->see_more > 0 && length > rule->see_more)
    {
      char *shorter = cut_at (shown, rule->see_more);

      g_free (shown);
      shown = shorter;
      cut = TRUE;
    }
  if (rule->max_lines > 0)
    {
      const char *p = shown;

      for (int line = 1; (p = strchr (p, '\n')) != NULL; line++, p++)
        if (line == rule->max_lines)
          {
            shown[p - shown] = '\0';
            cut = TRUE;
            break;
          }
    }
  if (cut)
    {
      /* "word… more": no space or punctuation left dangling at the cut. */
      gsize len = strlen (shown);

      while (len > 0 && (g_ascii_isspace (shown[len - 1]) || strchr (",;:-", shown[len - 1]) != NULL))
        shown[--len] = '\0';
    }
  if (truncated != NULL)
    *truncated = cut;
  return g_steal_pointer (&shown);
}

char *
sm_preview_title (const SmPreviewRule *rule,
                  const char          *title,
                  const char          *text)
{
  g_autofree char *line = NULL;
  glong length;

  g_return_val_if_fail (rule != NULL, NULL);

  if (title == NULL || *title == '\0')
    {
      const char *source = text != NULL ? text : "";
      g_autofree char *first = g_strndup (source, strcspn (source, "\n"));

      /* As the publisher sends it: the first line, 100 characters. */
      line = g_utf8_substring (first, 0, MIN (g_utf8_strlen (first, -1), 100));
    }
  else
    line = g_strdup (title);
  g_strstrip (line);
  length = g_utf8_strlen (line, -1);
  if (rule->title_chars > 0 && length > rule->title_chars)
    {
      g_autofree char *cut = cut_at (line, rule->title_chars);

      return g_strconcat (g_strchomp (cut), "…", NULL);
    }
  return g_steal_pointer (&line);
}

double
sm_preview_crop_ratio (const SmPreviewRule *rule,
                       int                  width,
                       int                  height)
{
  double ratio;

  g_return_val_if_fail (rule != NULL, 1.0);

  if (width <= 0 || height <= 0)
    return rule->max_ratio;
  ratio = (double) width / height;
  return CLAMP (ratio, rule->min_ratio, rule->max_ratio);
}

/* Whether @p starts with @prefix, ignoring ASCII case. */
static gboolean
starts_with (const char *p,
             const char *prefix)
{
  return g_ascii_strncasecmp (p, prefix, strlen (prefix)) == 0;
}

gboolean
sm_preview_first_link (const char  *text,
                       char       **url,
                       char       **domain)
{
  const char *start = NULL, *end, *host;
  gsize host_len;

  if (url != NULL)
    *url = NULL;
  if (domain != NULL)
    *domain = NULL;
  if (text == NULL)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      /* Only at the start of a word: "xhttp://" is no link. */
      if (p > text && !g_ascii_isspace (p[-1]) && strchr ("([<\"'", p[-1]) == NULL)
        continue;
      if (starts_with (p, "https://") || starts_with (p, "http://") || starts_with (p, "www."))
        {
          start = p;
          break;
        }
    }
  if (start == NULL)
    return FALSE;

  end = start;
  while (*end != '\0' && !g_ascii_isspace (*end) && strchr ("<>\"", *end) == NULL)
    end++;
  /* A sentence's full stop or a closing bracket is not part of it. */
  while (end > start && strchr (".,;:!?)]}'", end[-1]) != NULL)
    end--;

  host = start;
  if (starts_with (host, "https://"))
    host += strlen ("https://");
  else if (starts_with (host, "http://"))
    host += strlen ("http://");
  if (starts_with (host, "www."))
    host += strlen ("www.");
  host_len = strcspn (host, "/?#:");
  if (host + host_len > end)
    host_len = end - host;
  if (host_len == 0 || memchr (host, '.', host_len) == NULL)
    return FALSE;

  if (url != NULL)
    *url = g_strndup (start, end - start);
  if (domain != NULL)
    *domain = g_ascii_strdown (host, host_len);
  return TRUE;
}
