/* test-options.c — per-network options: known keys and their values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sm-options.h"

static void
check_ok (const char *key,
          const char *value)
{
  g_autofree char *message = NULL;

  if (!sm_options_check (key, value, &message))
    g_error ("%s=%s refused: %s", key, value, message);
  g_assert_null (message);
}

static void
check_refused (const char *key,
               const char *value,
               const char *says)
{
  g_autofree char *message = NULL;

  g_assert_false (sm_options_check (key, value, &message));
  g_assert_nonnull (message);
  if (strstr (message, says) == NULL)
    g_error ("%s=%s: “%s” does not say “%s”", key, value, message, says);
}

static void
test_values (void)
{
  g_autofree char *long_title = g_strnfill (101, 'a');

  check_ok ("youtube.privacy", "unlisted");
  check_ok ("youtube.title", "Our new oven");
  check_ok ("youtube.made_for_kids", "no");
  check_ok ("youtube.publish_at", "2026-12-01T09:00:00Z");
  check_ok ("instagram.kind", "reel");
  check_ok ("tiktok.privacy", "SELF_ONLY");
  check_ok ("whatsapp.to", "+15551234567");

  check_refused ("youtube.privacy", "secret", "private, public, unlisted");
  check_refused ("youtube.title", long_title, "at most 100");
  check_refused ("youtube.title", "<b>bold</b>", "< or >");
  check_refused ("youtube.made_for_kids", "maybe", "true or false");
  check_refused ("youtube.publish_at", "tomorrow", "2026-12-01T09:00:00Z");
  check_refused ("youtube.thumbnail", "/nonexistent/cover.png", "no file");
  check_refused ("whatsapp.to", "call me", "digits");
  check_refused ("youtube.colour", "red", "youtube.title");
  check_refused ("myspace.mood", "happy", "youtube.privacy=unlisted");

  /* First comments: X's and Threads' by their post rules, the others by
   * their comment limits; never blank. */
  {
    g_autofree char *x_long = g_strnfill (281, 'a');
    g_autofree char *li_long = g_strnfill (1251, 'a');
    g_autofree char *cjk = NULL;
    GString *s = g_string_new (NULL);

    for (int i = 0; i < 141; i++)
      g_string_append (s, "日");
    cjk = g_string_free (s, FALSE);
    check_ok ("x.first_comment", "Link in the next post: https://example.com/bread");
    check_ok ("linkedin.first_comment", "Details on our site.");
    check_ok ("facebook.first_comment", li_long);
    check_refused ("x.first_comment", x_long, "X allows 280 characters");
    /* 141 CJK characters weigh 282 on X. */
    check_refused ("x.first_comment", cjk, "X allows 280 characters");
    check_ok ("threads.first_comment", cjk);
    check_refused ("linkedin.first_comment", li_long, "at most 1250");
    check_refused ("youtube.first_comment", "   ", "needs some text");
    g_assert_null (sm_options_first_comment_key (SM_NETWORK_TIKTOK));
    g_assert_null (sm_options_first_comment_key (SM_NETWORK_WHATSAPP));
    g_assert_cmpstr (sm_options_first_comment_key (SM_NETWORK_X), ==, "x.first_comment");
    g_assert_false (g_strv_contains (sm_options_keys (SM_NETWORK_TIKTOK), "tiktok.first_comment"));
  }

  /* A story takes no comments. */
  {
    g_autoptr(GHashTable) story = g_hash_table_new (g_str_hash, g_str_equal);
    g_autofree char *message = NULL;

    g_hash_table_insert (story, (char *) "instagram.kind", (char *) "story");
    g_assert_true (sm_options_check_post (SM_NETWORK_INSTAGRAM, story, 1, &message));
    g_hash_table_insert (story, (char *) "instagram.first_comment", (char *) "hello");
    g_assert_false (sm_options_check_post (SM_NETWORK_INSTAGRAM, story, 1, &message));
    g_assert_nonnull (strstr (message, "story takes no comments"));
  }
}

static void
test_keys_and_bools (void)
{
  const char *const *yt = sm_options_keys (SM_NETWORK_YOUTUBE);
  g_autoptr(GHashTable) opts = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_true (g_strv_contains (yt, "youtube.privacy"));
  g_assert_false (g_strv_contains (yt, "instagram.kind"));
  g_assert_cmpint (sm_options_network ("tiktok.privacy"), ==, SM_NETWORK_TIKTOK);
  g_assert_cmpint (sm_options_network ("nodot"), ==, SM_NETWORK_INVALID);

  g_hash_table_insert (opts, (char *) "youtube.notify_subscribers", (char *) "false");
  g_assert_false (sm_options_get_bool (opts, "youtube.notify_subscribers", TRUE));
  g_assert_true (sm_options_get_bool (opts, "youtube.made_for_kids", TRUE));

  /* What the composer builds its rows from. */
  g_assert_true (g_strv_contains (sm_options_choices ("instagram.kind"), "reel"));
  g_assert_null (sm_options_choices ("youtube.title"));
  g_assert_null (sm_options_choices ("nope.kind"));
  g_assert_true (sm_options_is_bool ("x.thread"));
  g_assert_false (sm_options_is_bool ("youtube.title"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/options/values", test_values);
  g_test_add_func ("/options/keys-and-bools", test_keys_and_bools);
  return g_test_run ();
}
