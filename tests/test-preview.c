/* test-preview.c — the feed rules behind the composer's preview: where
 * each network cuts the text, the shape it crops a picture to, and the
 * link a card is made for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sm-preview.h"

/* 300 characters of words. */
static char *
long_text (void)
{
  GString *text = g_string_new (NULL);

  while (text->len < 300)
    g_string_append (text, "fresh bread ");
  g_string_truncate (text, 300);
  return g_string_free (text, FALSE);
}

static void
test_truncate (void)
{
  g_autofree char *text = long_text ();
  g_autofree char *ig = NULL;
  g_autofree char *x = NULL;
  g_autofree char *fb = NULL;
  g_autofree char *li = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *story = NULL;
  g_autofree char *whole = g_strchomp (g_strdup (text));
  gboolean cut = FALSE;

  /* Instagram: 125 characters at most, at a word's end, no trailing space. */
  ig = sm_preview_truncate (sm_preview_rule (SM_NETWORK_INSTAGRAM, NULL), text, &cut);
  g_assert_true (cut);
  g_assert_cmpint (g_utf8_strlen (ig, -1), <=, 125);
  g_assert_cmpint (g_utf8_strlen (ig, -1), >, 100);
  g_assert_true (g_str_has_prefix (text, ig));
  g_assert_true (g_str_has_suffix (ig, "bread") || g_str_has_suffix (ig, "fresh"));
  g_assert_cmpstr (sm_preview_rule (SM_NETWORK_INSTAGRAM, NULL)->more_label, ==, "more");

  /* X shows it all; Facebook's 477 take all 300 too. */
  x = sm_preview_truncate (sm_preview_rule (SM_NETWORK_X, NULL), text, &cut);
  g_assert_false (cut);
  g_assert_cmpstr (x, ==, whole);
  fb = sm_preview_truncate (sm_preview_rule (SM_NETWORK_FACEBOOK, NULL), text, &cut);
  g_assert_false (cut);

  /* LinkedIn: about 210. */
  li = sm_preview_truncate (sm_preview_rule (SM_NETWORK_LINKEDIN, NULL), text, &cut);
  g_assert_true (cut);
  g_assert_cmpint (g_utf8_strlen (li, -1), <=, 210);

  /* Instagram's two lines. */
  lines = sm_preview_truncate (sm_preview_rule (SM_NETWORK_INSTAGRAM, NULL), "one\ntwo\nthree", &cut);
  g_assert_true (cut);
  g_assert_cmpstr (lines, ==, "one\ntwo");

  /* A story shows no caption at all. */
  story = sm_preview_truncate (sm_preview_rule (SM_NETWORK_INSTAGRAM, "story"), text, &cut);
  g_assert_cmpstr (story, ==, "");
  g_assert_false (cut);
}

static void
test_title (void)
{
  const SmPreviewRule *yt = sm_preview_rule (SM_NETWORK_YOUTUBE, NULL);
  g_autofree char *own = sm_preview_title (yt, "Our oven, at dawn", "ignored");
  g_autofree char *first = sm_preview_title (yt, NULL, "Baking day\nThe whole story");
  g_autofree char *cut = sm_preview_title (yt, NULL, "A very long first line that goes on and on about sourdough, rye and spelt loaves");

  g_assert_cmpint (yt->title_chars, >, 0);
  g_assert_cmpstr (own, ==, "Our oven, at dawn");
  g_assert_cmpstr (first, ==, "Baking day");
  g_assert_true (g_str_has_suffix (cut, "…"));
  g_assert_cmpint (g_utf8_strlen (cut, -1), <=, yt->title_chars + 1);
}

static void
test_crop (void)
{
  const SmPreviewRule *ig = sm_preview_rule (SM_NETWORK_INSTAGRAM, NULL);
  const SmPreviewRule *reel = sm_preview_rule (SM_NETWORK_INSTAGRAM, "reel");
  const SmPreviewRule *x = sm_preview_rule (SM_NETWORK_X, NULL);
  const SmPreviewRule *yt = sm_preview_rule (SM_NETWORK_YOUTUBE, NULL);

  /* A tall phone photo: Instagram's feed crops it to 4:5; a square stays. */
  g_assert_cmpfloat_with_epsilon (sm_preview_crop_ratio (ig, 1080, 1920), 0.8, 1e-9);
  g_assert_cmpfloat_with_epsilon (sm_preview_crop_ratio (ig, 1080, 1080), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sm_preview_crop_ratio (ig, 4000, 1000), 1.91, 1e-9);
  g_assert_cmpfloat_with_epsilon (sm_preview_crop_ratio (reel, 1080, 1080), 9.0 / 16.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sm_preview_crop_ratio (x, 1080, 1350), 16.0 / 9.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sm_preview_crop_ratio (yt, 0, 0), 16.0 / 9.0, 1e-9);
  /* Every network has a rule. */
  for (SmNetwork n = SM_NETWORK_X; n <= SM_NETWORK_WHATSAPP; n++)
    g_assert_nonnull (sm_preview_rule (n, NULL));
  g_assert_true (x->link_card);
  g_assert_false (ig->link_card);
}

static void
test_first_link (void)
{
  g_autofree char *url = NULL;
  g_autofree char *domain = NULL;

  g_assert_true (sm_preview_first_link ("Order at https://www.Bakery.example/rye?x=1. Or call.", &url, &domain));
  g_assert_cmpstr (url, ==, "https://www.Bakery.example/rye?x=1");
  g_assert_cmpstr (domain, ==, "bakery.example");
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&domain, g_free);

  g_assert_true (sm_preview_first_link ("(see www.shop.example/a) and https://other.example", &url, &domain));
  g_assert_cmpstr (url, ==, "www.shop.example/a");
  g_assert_cmpstr (domain, ==, "shop.example");
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&domain, g_free);

  g_assert_false (sm_preview_first_link ("no link here, nor xhttp://a.example", &url, &domain));
  g_assert_null (url);
  g_assert_false (sm_preview_first_link ("https://localhost", NULL, NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preview/truncate", test_truncate);
  g_test_add_func ("/preview/title", test_title);
  g_test_add_func ("/preview/crop", test_crop);
  g_test_add_func ("/preview/first-link", test_first_link);
  return g_test_run ();
}
