/* test-text.c — how each network counts a post's text.
 *
 * X's counting is checked against twitter-text's own conformance cases in
 * $SM_CONFORMANCE_DIR/twitter-text/validate.json; the other networks
 * against what their docs say.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-text"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sm-text.h"

/* How many of X's v3 conformance cases ran and passed, for the summary. */
static guint v3_run;
static guint v3_passed;

static char *
repeat (const char *unit,
        guint       times)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (s, unit);

  return g_string_free (s, FALSE);
}

static void
test_conformance_missing (gconstpointer data)
{
  const char *why = data;

  g_test_fail_printf ("cannot run X's conformance cases: %s", why);
}

/* One case of tests.WeightedTweetsWithDiscountedEmojiCounterTest (or the
 * same shape): text, expected.weightedLength, expected.valid. */
static gboolean
check_weighted_case (JsonObject *c)
{
  const char *description = json_object_get_string_member (c, "description");
  const char *text = json_object_get_string_member (c, "text");
  JsonObject *expected = json_object_get_object_member (c, "expected");
  gint64 want_length = json_object_get_int_member (expected, "weightedLength");
  gboolean want_valid = json_object_get_boolean_member (expected, "valid");
  int length = sm_text_x_weighted_length (text);
  gboolean valid = sm_text_x_is_valid (text);

  g_test_message ("%s", description);
  g_assert_cmpint (length, ==, want_length);
  g_assert_cmpint (valid, ==, want_valid);

  /* What the composer shows: fits exactly when twitter-text says valid
   * (none of these cases is empty). */
  g_assert_cmpint (sm_text_count (SM_NETWORK_X, text), ==, want_length);
  g_assert_cmpint (sm_text_check (SM_NETWORK_X, text, NULL), ==, want_valid);

  return length == want_length && valid == want_valid;
}

static void
test_x_v3_case (gconstpointer data)
{
  JsonObject *c = (JsonObject *) data;

  v3_run++;
  if (check_weighted_case (c))
    v3_passed++;
}

static void
test_x_directional_case (gconstpointer data)
{
  check_weighted_case ((JsonObject *) data);
}

/* twitter-text's urls_without_protocol: each is one URL, so 23. */
static void
test_x_url_without_protocol (gconstpointer data)
{
  JsonObject *c = (JsonObject *) data;
  const char *text = json_object_get_string_member (c, "text");

  g_test_message ("%s", json_object_get_string_member (c, "description"));
  g_assert_true (json_object_get_boolean_member (c, "expected"));
  g_assert_cmpint (sm_text_x_weighted_length (text), ==, 23);
}

/* twitter-text's tests.urls check its URL validator, not its extractor:
 * a valid one should count as one link (23), an invalid one not all of it.
 * The extractor ends a link before trailing punctuation, even a '+' the
 * validator takes, and links no IP address or user:password@ form, so
 * neither does X's counting: those count as plain text. */
static void
test_x_url (gconstpointer data)
{
  JsonObject *c = (JsonObject *) data;
  const char *text = json_object_get_string_member (c, "text");
  gboolean expected = json_object_get_boolean_member (c, "expected");
  int length = sm_text_x_weighted_length (text);
  gsize linked = strlen (text);

  g_test_message ("%s: %s", json_object_get_string_member (c, "description"), text);

  while (linked > 0 && strchr ("+.,;:!?'", text[linked - 1]) != NULL)
    linked--;

  if (!expected)
    g_assert_cmpint (length, !=, 23);
  else if (strchr (text, '@') != NULL ||
           g_regex_match_simple ("^https?://(\\[|[0-9.]+[/:])", text, 0, 0))
    g_assert_cmpint (length, ==, g_utf8_strlen (text, -1));
  else
    g_assert_cmpint (length, ==, 23 + (strlen (text) - linked));
}

static JsonArray *
get_cases (JsonObject *tests,
           const char *name)
{
  if (!json_object_has_member (tests, name))
    return NULL;

  return json_object_get_array_member (tests, name);
}

static void
add_case_tests (JsonArray     *cases,
                const char    *prefix,
                GTestDataFunc  func)
{
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%02u", prefix, i + 1);

      g_test_add_data_func (path, json_array_get_object_element (cases, i), func);
    }
}

/* Adds a test per case of validate.json; returns how many v3 cases. */
static guint
add_conformance_tests (JsonParser *parser)
{
  const char *dir = g_getenv ("SM_CONFORMANCE_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *tests;
  JsonArray *v3;
  JsonArray *cases;

  if (dir == NULL || *dir == '\0')
    {
      g_test_add_data_func ("/text/x/conformance",
                            "SM_CONFORMANCE_DIR is not set; point it at shared/conformance (meson test sets it)",
                            test_conformance_missing);
      return 0;
    }

  path = g_build_filename (dir, "twitter-text", "validate.json", NULL);
  if (!json_parser_load_from_file (parser, path, &error))
    {
      g_test_add_data_func_full ("/text/x/conformance",
                                 g_strdup_printf ("%s: %s", path, error->message),
                                 test_conformance_missing, g_free);
      return 0;
    }

  root = json_parser_get_root (parser);
  tests = JSON_NODE_HOLDS_OBJECT (root)
          ? json_object_get_object_member (json_node_get_object (root), "tests")
          : NULL;
  v3 = tests != NULL ? get_cases (tests, "WeightedTweetsWithDiscountedEmojiCounterTest") : NULL;
  if (v3 == NULL || json_array_get_length (v3) == 0)
    {
      g_test_add_data_func_full ("/text/x/conformance",
                                 g_strdup_printf ("%s has no tests.WeightedTweetsWithDiscountedEmojiCounterTest", path),
                                 test_conformance_missing, g_free);
      return 0;
    }

  add_case_tests (v3, "/text/x/v3", test_x_v3_case);
  if ((cases = get_cases (tests, "UnicodeDirectionalMarkerCounterTest")) != NULL)
    add_case_tests (cases, "/text/x/directional", test_x_directional_case);
  if ((cases = get_cases (tests, "urls_without_protocol")) != NULL)
    add_case_tests (cases, "/text/x/urls-without-protocol", test_x_url_without_protocol);
  if ((cases = get_cases (tests, "urls")) != NULL)
    add_case_tests (cases, "/text/x/urls", test_x_url);

  return json_array_get_length (v3);
}

static void
test_x_emoji (void)
{
  /* A flag, a keycap with and without VS16, a subdivision flag. */
  g_assert_cmpint (sm_text_x_weighted_length ("🇫🇷"), ==, 2);
  g_assert_cmpint (sm_text_x_weighted_length ("🇫🇷🇩🇪"), ==, 4);
  g_assert_cmpint (sm_text_x_weighted_length ("#\xef\xb8\x8f\xe2\x83\xa3"), ==, 2);
  g_assert_cmpint (sm_text_x_weighted_length ("#\xe2\x83\xa3"), ==, 2);
  g_assert_cmpint (sm_text_x_weighted_length ("# 1"), ==, 3);
  /* Skin tone, ZWJ sequences with VS16. */
  g_assert_cmpint (sm_text_x_weighted_length ("👍🏽"), ==, 2);
  g_assert_cmpint (sm_text_x_weighted_length ("🏳\xef\xb8\x8f\xe2\x80\x8d🌈"), ==, 2);
  g_assert_cmpint (sm_text_x_weighted_length ("❤\xef\xb8\x8f\xe2\x80\x8d🔥!"), ==, 3);
  /* © is an emoji (2) unless text presentation is asked for: then the
   * character (1) and the selector (2) count. */
  g_assert_cmpint (sm_text_x_weighted_length ("©"), ==, 2);
  g_assert_cmpint (sm_text_x_weighted_length ("©\xef\xb8\x8f"), ==, 2);
  g_assert_cmpint (sm_text_x_weighted_length ("©\xef\xb8\x8e"), ==, 3);
  /* A ZWJ joins pictographs only: in Devanagari it is a light character. */
  g_assert_cmpint (sm_text_x_weighted_length ("क्\xe2\x80\x8dष"), ==, 4);
  g_assert_cmpint (sm_text_x_weighted_length ("😀\xe2\x80\x8d"), ==, 3);
}

static void
test_x_urls (void)
{
  /* Trailing punctuation is text; balanced parentheses belong to a path. */
  g_assert_cmpint (sm_text_x_weighted_length ("See example.com."), ==, 4 + 23 + 1);
  g_assert_cmpint (sm_text_x_weighted_length ("(https://en.wikipedia.org/wiki/Foo_(bar))"), ==, 1 + 23 + 1);
  g_assert_cmpint (sm_text_x_weighted_length ("https://example.com/a?"), ==, 23 + 1);
  /* A bare name under a country code is a file name; with a path or
   * under .co it is a link; a generic TLD always is. */
  g_assert_cmpint (sm_text_x_weighted_length ("readme.md"), ==, 9);
  g_assert_cmpint (sm_text_x_weighted_length ("bit.ly/x"), ==, 23);
  g_assert_cmpint (sm_text_x_weighted_length ("ASP.NET"), ==, 23);
  g_assert_cmpint (sm_text_x_weighted_length ("file.zip"), ==, 23);
  g_assert_cmpint (sm_text_x_weighted_length ("file.txt"), ==, 8);
  /* Mentions and e-mail addresses are no links. */
  g_assert_cmpint (sm_text_x_weighted_length ("me@example.com"), ==, 14);
  /* Japanese text around a bare name; CJK ends a path. */
  g_assert_cmpint (sm_text_x_weighted_length ("詳細はexample.comまで"), ==, 6 + 23 + 4);
  g_assert_cmpint (sm_text_x_weighted_length ("http://example.com/日本"), ==, 23 + 4);
  /* A t.co link ends with its slug; one whose slug is too long is none. */
  g_assert_cmpint (sm_text_x_weighted_length ("https://t.co/abc123.x"), ==, 23 + 2);
  g_assert_cmpint (sm_text_x_weighted_length ("https://t.co/abcdefghijabcdefghijabcdefghijabcdefghijk"), ==, 54);
  /* Several, side by side with text. */
  g_assert_cmpint (sm_text_x_weighted_length ("a https://x.com b http://y.org/c"), ==, 2 + 23 + 3 + 23);
}

static void
test_x_valid (void)
{
  g_autofree char *full = repeat ("a", 280);
  g_autofree char *over = repeat ("a", 281);

  g_assert_false (sm_text_x_is_valid (""));
  g_assert_true (sm_text_x_is_valid (" "));
  g_assert_true (sm_text_x_is_valid (full));
  g_assert_false (sm_text_x_is_valid (over));
  g_assert_false (sm_text_x_is_valid ("a\xef\xbb\xbf" "b"));
}

static void
test_code_points (void)
{
  /* "é" written as e + U+0301 counts once after NFC. */
  const char *decomposed = "he\xcc\x81llo";
  const char *family = "👨\xe2\x80\x8d👩\xe2\x80\x8d👧\xe2\x80\x8d👦";
  const struct
  {
    SmNetwork network;
    int       limit;
  } networks[] = {
    { SM_NETWORK_THREADS, 500 },
    { SM_NETWORK_LINKEDIN, 3000 },
    { SM_NETWORK_FACEBOOK, 63206 },
    { SM_NETWORK_INSTAGRAM, 2200 },
    { SM_NETWORK_TIKTOK, 2200 },
    { SM_NETWORK_WHATSAPP, 4096 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (networks); i++)
    {
      SmNetwork network = networks[i].network;

      g_test_message ("%s", sm_network_to_string (network));
      g_assert_cmpint (sm_text_limit (network), ==, networks[i].limit);
      g_assert_cmpint (sm_text_count (network, ""), ==, 0);
      g_assert_cmpint (sm_text_count (network, decomposed), ==, 5);
      g_assert_cmpint (sm_text_count (network, "😷"), ==, 1);
      g_assert_cmpint (sm_text_count (network, family), ==, 7);
      /* URLs count by their length: only X shortens them. */
      g_assert_cmpint (sm_text_count (network, "https://example.com/a/long/path"), ==, 31);
    }
}

static void
test_youtube_bytes (void)
{
  g_assert_cmpint (sm_text_limit (SM_NETWORK_YOUTUBE), ==, 5000);
  g_assert_cmpint (sm_text_count (SM_NETWORK_YOUTUBE, "hello"), ==, 5);
  g_assert_cmpint (sm_text_count (SM_NETWORK_YOUTUBE, "e\xcc\x81"), ==, 2);
  g_assert_cmpint (sm_text_count (SM_NETWORK_YOUTUBE, "😷"), ==, 4);
  g_assert_cmpint (sm_text_count (SM_NETWORK_YOUTUBE, "日本"), ==, 6);
}

static void
test_check (void)
{
  g_autofree char *x_fits = repeat ("a", 280);
  g_autofree char *x_over = repeat ("a", 285);
  g_autofree char *threads_over = repeat ("é", 501);
  g_autofree char *youtube_over = repeat ("é", 2501);
  g_autofree char *facebook_fits = repeat ("a", 63206);
  char *message = (char *) "untouched";

  g_assert_true (sm_text_check (SM_NETWORK_X, x_fits, &message));
  g_assert_null (message);
  g_assert_true (sm_text_check (SM_NETWORK_X, "", &message));
  g_assert_null (message);
  g_assert_true (sm_text_check (SM_NETWORK_FACEBOOK, facebook_fits, NULL));

  g_assert_false (sm_text_check (SM_NETWORK_X, x_over, &message));
  g_assert_cmpstr (message, ==, "X allows 280 characters; this text is 5 over.");
  g_clear_pointer (&message, g_free);

  /* Threads counts code points: 501 é is 1 over (YouTube: 2 bytes each). */
  g_assert_false (sm_text_check (SM_NETWORK_THREADS, threads_over, &message));
  g_assert_cmpstr (message, ==, "Threads allows 500 characters; this text is 1 over.");
  g_clear_pointer (&message, g_free);

  g_assert_false (sm_text_check (SM_NETWORK_YOUTUBE, youtube_over, &message));
  g_assert_cmpstr (message, ==, "YouTube allows 5000 bytes; this text is 2 over.");
  g_assert_null (strchr (message, '\n'));
  g_clear_pointer (&message, g_free);

  /* X refuses a byte order mark even in a short text. */
  g_assert_false (sm_text_check (SM_NETWORK_X, "hi\xef\xbb\xbf", &message));
  g_assert_nonnull (strstr (message, "U+FEFF"));
  g_assert_null (strchr (message, '\n'));
  g_clear_pointer (&message, g_free);
  g_assert_false (sm_text_check (SM_NETWORK_X, "hi\xef\xbb\xbf", NULL));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  guint v3_total;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Report every conformance case that fails, not just the first. */
  g_test_set_nonfatal_assertions ();

  v3_total = add_conformance_tests (parser);

  g_test_add_func ("/text/x/emoji", test_x_emoji);
  g_test_add_func ("/text/x/links", test_x_urls);
  g_test_add_func ("/text/x/valid", test_x_valid);
  g_test_add_func ("/text/code-points", test_code_points);
  g_test_add_func ("/text/youtube-bytes", test_youtube_bytes);
  g_test_add_func ("/text/check", test_check);

  status = g_test_run ();

  if (v3_total > 0)
    g_print ("# X conformance (WeightedTweetsWithDiscountedEmojiCounterTest): "
             "%u of %u cases run, %u passed\n", v3_run, v3_total, v3_passed);

  return status;
}
