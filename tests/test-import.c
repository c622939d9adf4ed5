/* test-import.c — `so-me import FILE.csv`: the CSV reader's edge cases,
 * every problem reported with its row and column, nothing saved while any
 * remains, and a valid file saved whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-import"

#include "config.h"

#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "sm-import.h"
#include "sm-media.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-time.h"

#define HOUR_US ((gint64) 3600 * G_USEC_PER_SEC)

/* ---- helpers ------------------------------------------------------------ */

typedef struct
{
  SmTestProfile *p;
  SmStore       *store;
  char          *zone;
  gint64         x;        /* x:@bakery */
  gint64         linkedin; /* linkedin:Corner Bakery */
  gint64         x_twin_a; /* two X accounts named "Twin" */
  gint64         x_twin_b;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  gint64 workspace;

  (void) data;
  f->p = sm_test_profile_new ();
  sm_test_profile_activate (f->p);
  dir = g_build_filename (f->p->data_home, "so-me-studio", NULL);
  f->store = sm_store_open (dir, &error);
  g_assert_no_error (error);
  workspace = sm_store_get_default_workspace (f->store, &f->zone, &error);
  g_assert_no_error (error);
  f->x = sm_store_upsert_account (f->store, workspace, SM_NETWORK_X, "100", "Corner Bakery", "@bakery", &error);
  g_assert_no_error (error);
  f->linkedin = sm_store_upsert_account (f->store, workspace, SM_NETWORK_LINKEDIN, "urn:li:person:7",
                                         "Corner Bakery", "corner-bakery", &error);
  g_assert_no_error (error);
  f->x_twin_a = sm_store_upsert_account (f->store, workspace, SM_NETWORK_X, "201", "Twin", "@twin_one", &error);
  g_assert_no_error (error);
  f->x_twin_b = sm_store_upsert_account (f->store, workspace, SM_NETWORK_X, "202", "Twin", "@twin_two", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  (void) data;
  g_clear_object (&f->store);
  g_free (f->zone);
  sm_test_stop_publisher (SIGTERM);
  sm_test_profile_free (f->p);
}

static guint
count_posts (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = sm_store_list_posts (f->store, 0, G_MAXINT64, &error);

  g_assert_no_error (error);
  return posts->len;
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->p->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, length, &error));
  g_assert_no_error (error);
  return path;
}

/* A small PNG of its own colour, so that each has its own SHA-256. */
static void
write_png (const char *path,
           guint32     colour)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, colour);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
}

/* "2026-10-24T09:00" @hours from now, in @zone, on the minute. */
static char *
local_time (gint64      hours,
            const char *zone,
            gint64     *out_us)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, (int) hours);
  g_autoptr(GDateTime) minute = g_date_time_new (tz, g_date_time_get_year (later),
                                                 g_date_time_get_month (later),
                                                 g_date_time_get_day_of_month (later),
                                                 g_date_time_get_hour (later),
                                                 g_date_time_get_minute (later), 0);

  *out_us = g_date_time_to_unix (minute) * G_USEC_PER_SEC;
  return g_date_time_format (minute, "%Y-%m-%dT%H:%M");
}

/* ---- the CSV reader ----------------------------------------------------- */

static GPtrArray *
parse (const char *csv,
       gsize       length,
       GPtrArray  *problems)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_csv_record_free);

  sm_import_parse_csv (csv, length, records, problems);
  return records;
}

static void
assert_record (GPtrArray  *records,
               guint       i,
               guint       row,
               const char *const *fields)
{
  SmCsvRecord *record;

  g_assert_cmpuint (i, <, records->len);
  record = g_ptr_array_index (records, i);
  g_assert_cmpuint (record->row, ==, row);
  g_assert_cmpstrv (record->fields, fields);
}

static void
test_csv_reader (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_import_problem_free);

  /* BOM, CRLF, quoted commas, doubled quotes, a line break inside quotes
   * (CRLF inside becomes LF), an empty last field, blank trailing lines. */
  {
    static const char csv[] = "\xEF\xBB\xBFtext,accounts,at\r\n"
                              "\"Fresh bread, warm\",1,now\r\n"
                              "\"She said \"\"hi\"\"\",2,\r\n"
                              "\"two\r\nlines\nthree\",3 4,x\r\n"
                              "\r\n\r\n";
    g_autoptr(GPtrArray) records = parse (csv, sizeof csv - 1, problems);

    g_assert_cmpuint (problems->len, ==, 0);
    g_assert_cmpuint (records->len, ==, 4);
    assert_record (records, 0, 1, (const char *const[]) { "text", "accounts", "at", NULL });
    assert_record (records, 1, 2, (const char *const[]) { "Fresh bread, warm", "1", "now", NULL });
    assert_record (records, 2, 3, (const char *const[]) { "She said \"hi\"", "2", "", NULL });
    assert_record (records, 3, 4, (const char *const[]) { "two\nlines\nthree", "3 4", "x", NULL });
  }

  /* LF only, no final line break, a blank line in the middle still counts
   * as a row, a trailing comma is an empty field. */
  {
    static const char csv[] = "a,b\n\n1,\n\"q\",\"\"";
    g_autoptr(GPtrArray) records = parse (csv, sizeof csv - 1, problems);

    g_assert_cmpuint (problems->len, ==, 0);
    g_assert_cmpuint (records->len, ==, 3);
    assert_record (records, 1, 3, (const char *const[]) { "1", "", NULL });
    assert_record (records, 2, 4, (const char *const[]) { "q", "", NULL });
  }

  /* Malformed: text after a closing quote (row 2), a stray quote (row 3),
   * a quote never closed (row 4): each with its row, the good rows kept. */
  {
    static const char csv[] = "a,b\n\"x\"y,1\nab\"c,2\nok,3\n\"open,4\n";
    g_autoptr(GPtrArray) records = parse (csv, sizeof csv - 1, problems);
    SmImportProblem *problem;

    g_assert_cmpuint (problems->len, ==, 3);
    problem = g_ptr_array_index (problems, 0);
    g_assert_cmpuint (problem->row, ==, 2);
    g_assert_nonnull (strstr (problem->message, "closing quote"));
    problem = g_ptr_array_index (problems, 1);
    g_assert_cmpuint (problem->row, ==, 3);
    problem = g_ptr_array_index (problems, 2);
    g_assert_cmpuint (problem->row, ==, 5);
    g_assert_nonnull (strstr (problem->message, "not closed"));
    g_assert_cmpuint (records->len, ==, 2);
    assert_record (records, 1, 4, (const char *const[]) { "ok", "3", NULL });
  }
}

/* ---- so-me import ------------------------------------------------------- */

static void
assert_has_line (const char *output,
                 const char *line)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  if (!g_strv_contains ((const char *const *) lines, line))
    {
      /* Same prefix is enough when the message itself is long. */
      for (guint i = 0; lines[i]; i++)
        if (g_str_has_prefix (lines[i], line))
          return;
      g_error ("no line “%s” in:\n%s", line, output);
    }
}

static void
test_every_problem (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *later = NULL;
  g_autofree char *past = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expect = NULL;
  g_autofree char *long_text = g_strnfill (300, 'a');
  gint64 unused;
  guint n_lines = 0;

  (void) data;
  later = local_time (48, "Europe/Berlin", &unused);
  past = local_time (-48, "Europe/Berlin", &unused);

  csv = g_strdup_printf (
    "Text,ACCOUNTS,at,zone,media,options,draft,colour\n"                                   /* 1 */
    "Good one,%" G_GINT64_FORMAT ",%s,Europe/Berlin,,,,red\n"                              /* 2 */
    ",%" G_GINT64_FORMAT ",%s,Europe/Berlin,,,,\n"                                         /* 3 text */
    "Hello,99,%s,Europe/Berlin,,,,\n"                                                      /* 4 accounts */
    "Hello,x:Twin,%s,Europe/Berlin,,,,\n"                                                  /* 5 ambiguous */
    "Hello,myspace:me,%s,Europe/Berlin,,,,\n"                                              /* 6 network */
    "Hello,%" G_GINT64_FORMAT ",%s,Mars/Olympus,,,,\n"                                     /* 7 zone */
    "Hello,%" G_GINT64_FORMAT ",next tuesday,Europe/Berlin,,,,\n"                          /* 8 at */
    "Hello,%" G_GINT64_FORMAT ",%s,Europe/Berlin,,,,\n"                                    /* 9 past */
    "Hello,%" G_GINT64_FORMAT ",,Europe/Berlin,,,,\n"                                      /* 10 no time */
    "Hello,%" G_GINT64_FORMAT ",%s,Europe/Berlin,,,maybe,\n"                               /* 11 draft */
    "Hello,%" G_GINT64_FORMAT ",%s,Europe/Berlin,,x.thread,,\n"                            /* 12 options */
    "Hello,%" G_GINT64_FORMAT ",%s,Europe/Berlin,,x.colour=red,,\n"                        /* 13 unknown key */
    "Hello,%" G_GINT64_FORMAT ",%s,Europe/Berlin,,linkedin.visibility=PUBLIC,,\n"          /* 14 other network */
    "Hello,%" G_GINT64_FORMAT ",%s,Europe/Berlin,missing.png,,,\n"                         /* 15 media */
    "%s,%" G_GINT64_FORMAT ",%s,Europe/Berlin,,,,\n"                                       /* 16 too long for X */
    "Hello,%" G_GINT64_FORMAT " %" G_GINT64_FORMAT ",%s,Europe/Berlin,,,,\n"               /* 17 twice */
    "Hello,only three fields\n"                                                            /* 18 fields */
    "Caf\xE9,%" G_GINT64_FORMAT ",%s,Europe/Berlin,,,,\n",                                 /* 19 UTF-8 */
    f->x, later,
    f->x, later,
    later,
    later,
    later,
    f->x, later,
    f->x,
    f->x, past,
    f->x,
    f->x, later,
    f->x, later,
    f->x, later,
    f->x, later,
    f->x, later,
    long_text, f->x, later,
    f->x, f->x, later,
    f->x, later);
  path = write_file (f, "problems.csv", csv, -1);

  g_assert_cmpint (sm_test_cli (f->p, NULL, &out, &err, "import", path, NULL), ==, 1);
  g_test_message ("%s", err);

#define EXPECT(fmt) \
  G_STMT_START { \
    g_free (expect); \
    expect = g_strdup_printf ("%s:" fmt, path); \
    assert_has_line (err, expect); \
    n_lines++; \
  } G_STMT_END
  EXPECT ("1: colour: not a column");
  EXPECT ("3: text: the post has no text");
  EXPECT ("4: accounts: there is no account 99");
  EXPECT ("5: accounts: “x:Twin” could be account");
  EXPECT ("6: accounts: “myspace” is not a network");
  EXPECT ("7: zone: “Mars/Olympus” is not a time zone");
  EXPECT ("8: at: ");
  EXPECT ("9: at: ");
  EXPECT ("10: at: say when");
  EXPECT ("11: draft: “maybe” is not true or false");
  EXPECT ("12: options: “x.thread” is not KEY=VALUE");
  EXPECT ("13: options: ");
  EXPECT ("14: options: linkedin.visibility is for LinkedIn, but the post goes to no LinkedIn account");
  EXPECT ("15: media: ");
  EXPECT ("16: text: ");
  EXPECT ("17: accounts: account ");
  EXPECT ("18: this row has 2 fields, but the first row names 8 columns");
  EXPECT ("19: text: not valid UTF-8");
#undef EXPECT
  g_assert_nonnull (strstr (err, "in the past"));
  g_assert_null (strstr (err, ":2:"));
  /* One line per problem, and the count. */
  {
    g_auto(GStrv) lines = g_strsplit (err, "\n", -1);

    /* The problems, the count, and the empty string after the last "\n". */
    g_assert_cmpuint (g_strv_length (lines), ==, n_lines + 2);
  }
  g_assert_nonnull (strstr (err, "18 problems; nothing was saved"));
  g_assert_cmpuint (count_posts (f), ==, 0);

  /* A missing required column, and an empty file. */
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&err, g_free);
  path = write_file (f, "no-accounts.csv", "text,at\nHello,now\n", -1);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, &err, "import", path, NULL), ==, 1);
  g_free (expect);
  expect = g_strdup_printf ("%s:1: accounts: the first row must name", path);
  assert_has_line (err, expect);
  /* A malformed header: its problem alone, no row taken for the header. */
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&err, g_free);
  path = write_file (f, "bad-header.csv", "text,\"accounts\"x,at\nHello,1,now\n", -1);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, &err, "import", path, NULL), ==, 1);
  g_free (expect);
  expect = g_strdup_printf ("%s:1: there is text after", path);
  assert_has_line (err, expect);
  g_assert_nonnull (strstr (err, "1 problem; nothing was saved"));

  g_clear_pointer (&path, g_free);
  g_clear_pointer (&err, g_free);
  path = write_file (f, "empty.csv", "\n\n", -1);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, &err, "import", path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "the file is empty"));
  g_assert_cmpuint (count_posts (f), ==, 0);
}

static void
test_past_time_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *later = NULL;
  g_autofree char *past = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expect = NULL;
  gint64 unused;

  (void) data;
  later = local_time (5, f->zone, &unused);
  past = local_time (-2, f->zone, &unused);
  /* 49 good rows and one in the past: none is saved. */
  {
    g_autoptr(GString) s = g_string_new ("text,accounts,at\n");

    for (guint i = 0; i < 50; i++)
      g_string_append_printf (s, "Post %u,%" G_GINT64_FORMAT ",%s\n", i, f->x, i == 37 ? past : later);
    csv = g_string_free (g_steal_pointer (&s), FALSE);
  }
  path = write_file (f, "past.csv", csv, -1);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, &err, "import", path, NULL), ==, 1);
  expect = g_strdup_printf ("%s:39: at: ", path);
  assert_has_line (err, expect);
  g_assert_nonnull (strstr (err, "is in the past"));
  g_assert_nonnull (strstr (err, "1 problem; nothing was saved"));
  g_assert_cmpuint (count_posts (f), ==, 0);

  /* A draft may be in the past and needs no time. */
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&csv, g_free);
  csv = g_strdup_printf ("text,accounts,at,draft\nOld idea,%" G_GINT64_FORMAT ",%s,true\n"
                         "No date yet,linkedin:corner bakery,,yes\n", f->x, past);
  path = write_file (f, "drafts.csv", csv, -1);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, NULL, "import", path, NULL), ==, 0);
  g_assert_cmpuint (count_posts (f), ==, 2);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) posts = sm_store_list_posts (f->store, 0, G_MAXINT64, &error);

    /* Both drafts; the one named by its account's name with a space. */
    g_assert_no_error (error);
    for (guint i = 0; i < posts->len; i++)
      {
        SmPost *post = g_ptr_array_index (posts, i);
        SmTarget *target = g_ptr_array_index (post->targets, 0);

        g_assert_cmpint (target->state, ==, SM_TARGET_DRAFT);
        if (g_str_equal (post->text, "No date yet"))
          g_assert_cmpint (target->account_id, ==, f->linkedin);
      }
  }
}

static void
test_limits (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GString) rows = g_string_new ("text,accounts,at\n");
  g_autofree char *path = NULL;
  g_autofree char *big = NULL;
  g_autofree char *err = NULL;

  (void) data;
  for (guint i = 0; i <= SM_IMPORT_MAX_ROWS; i++)
    g_string_append_printf (rows, "p%u,%" G_GINT64_FORMAT ",now\n", i, f->x);
  path = write_file (f, "rows.csv", rows->str, rows->len);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, &err, "import", path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "more than 10000 posts"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&path, g_free);

  big = g_malloc (SM_IMPORT_MAX_BYTES + 1);
  memset (big, 'a', SM_IMPORT_MAX_BYTES + 1);
  path = write_file (f, "big.csv", big, SM_IMPORT_MAX_BYTES + 1);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, &err, "import", path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "larger than 10 MB"));
  g_assert_cmpuint (count_posts (f), ==, 0);
}

/* 50 rows, every fourth with two photos given relative to the file's
 * folder, accounts by id and by network:handle / network:name, zones,
 * options and quotes: all saved in one go, as written. */
static char *
fifty_rows (Fixture  *f,
            gint64   *due)
{
  g_autoptr(GString) s = g_string_new ("\xEF\xBB\xBF" "Options,Zone,Text,Media,At,Accounts,Draft\r\n");
  g_autofree char *media_dir = g_build_filename (f->p->dir, "photos", NULL);

  g_assert_cmpint (g_mkdir_with_parents (media_dir, 0700), ==, 0);
  for (guint i = 0; i < 50; i++)
    {
      const char *zone = i % 2 ? "America/New_York" : "Asia/Tokyo";
      g_autofree char *when = local_time (24 + i, zone, &due[i]);
      g_autofree char *media = NULL;

      if (i % 4 == 0)
        {
          g_autofree char *a = g_strdup_printf ("photos/p%u-a.png", i);
          g_autofree char *b = g_strdup_printf ("photos/p%u-b.png", i);
          g_autofree char *pa = g_build_filename (f->p->dir, a, NULL);
          g_autofree char *pb = g_build_filename (f->p->dir, b, NULL);

          write_png (pa, 0x11223300 + (i << 8));
          write_png (pb, 0x88776600 + (i << 8));
          media = g_strdup_printf ("%s; %s", a, b);
        }
      if (i % 4 == 0)
        g_string_append_printf (s, "x.reply_settings=following,%s,\"Photo day %u, \"\"fresh\"\"\",%s,%s,x:@bakery,\r\n",
                                zone, i, media, when);
      else
        g_string_append_printf (s, "x.reply_settings=mentionedUsers;linkedin.visibility=CONNECTIONS,%s,"
                                "\"Post %u\nsecond line\",,%s,\"%" G_GINT64_FORMAT ";linkedin:Corner Bakery\",false\r\n",
                                zone, i, when, f->x);
    }
  g_string_append (s, "\r\n");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_fifty_rows (Fixture       *f,
                 gconstpointer  data)
{
  gint64 due[50];
  g_autofree char *csv = fifty_rows (f, due);
  g_autofree char *path = write_file (f, "plan.csv", csv, -1);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_auto(GStrv) ids = NULL;

  (void) data;

  /* --dry-run: what would be, nothing saved. */
  g_assert_cmpint (sm_test_cli (f->p, NULL, &out, &err, "import", "--dry-run", path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Would schedule 50 posts"));
  g_assert_nonnull (strstr (out, "row 2: "));
  g_assert_nonnull (strstr (out, "row 51: "));
  g_assert_cmpuint (count_posts (f), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (sm_test_cli (f->p, NULL, &out, &err, "import", path, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Scheduled 50 posts (0 of them drafts): "));
  ids = g_strsplit (strchr (out, ':') + 2, " ", -1);
  g_assert_cmpuint (g_strv_length (ids), ==, 50);

  posts = sm_store_list_posts (f->store, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 50);
  for (guint i = 0; i < 50; i++)
    {
      gint64 id = g_ascii_strtoll (ids[i], NULL, 10);
      g_autoptr(SmPost) post = sm_store_get_post (f->store, id, &error);
      g_autoptr(GHashTable) options = NULL;
      g_autoptr(GPtrArray) media = NULL;
      g_autofree char *text = i % 4 == 0 ? g_strdup_printf ("Photo day %u, \"fresh\"", i)
                                         : g_strdup_printf ("Post %u\nsecond line", i);

      g_assert_no_error (error);
      g_assert_cmpstr (post->text, ==, text);
      g_assert_cmpint (post->due_us, ==, due[i]);
      g_assert_cmpstr (post->time_zone, ==, i % 2 ? "America/New_York" : "Asia/Tokyo");
      options = sm_store_get_post_options (f->store, id, &error);
      g_assert_no_error (error);
      media = sm_store_list_post_media (f->store, id, &error);
      g_assert_no_error (error);
      if (i % 4 == 0)
        {
          g_autofree char *a = g_strdup_printf ("%s/photos/p%u-a.png", f->p->dir, i);
          g_autofree char *b = g_strdup_printf ("%s/photos/p%u-b.png", f->p->dir, i);
          g_autoptr(SmMediaInfo) info = sm_media_probe (b, NULL, &error);

          g_assert_no_error (error);
          g_assert_cmpuint (post->targets->len, ==, 1);
          g_assert_cmpint (((SmTarget *) g_ptr_array_index (post->targets, 0))->account_id, ==, f->x);
          g_assert_cmpuint (g_hash_table_size (options), ==, 1);
          g_assert_cmpstr (g_hash_table_lookup (options, "x.reply_settings"), ==, "following");
          g_assert_cmpuint (media->len, ==, 2);
          g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (media, 0))->path, ==, a);
          g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (media, 1))->path, ==, b);
          g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (media, 1))->sha256, ==, info->sha256);
          g_assert_cmpstr (((SmPostMedia *) g_ptr_array_index (media, 1))->mime_type, ==, "image/png");
        }
      else
        {
          g_assert_cmpuint (post->targets->len, ==, 2);
          g_assert_cmpint (((SmTarget *) g_ptr_array_index (post->targets, 1))->account_id, ==, f->linkedin);
          g_assert_cmpuint (g_hash_table_size (options), ==, 2);
          g_assert_cmpstr (g_hash_table_lookup (options, "x.reply_settings"), ==, "mentionedUsers");
          g_assert_cmpstr (g_hash_table_lookup (options, "linkedin.visibility"), ==, "CONNECTIONS");
          g_assert_cmpuint (media->len, ==, 0);
        }
      for (guint j = 0; j < post->targets->len; j++)
        g_assert_cmpint (((SmTarget *) g_ptr_array_index (post->targets, j))->state, ==, SM_TARGET_SCHEDULED);
    }
}

/* The store saves a batch whole or not at all. */
static void
test_one_transaction (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SmTargetSpec good = { f->x, NULL };
  SmTargetSpec missing = { 4242, NULL };
  gint64 later = g_get_real_time () + HOUR_US;
  SmNewPost posts[] = {
    { "first", later, f->zone, &good, 1, NULL, 0, NULL, FALSE },
    { "second", later, f->zone, &missing, 1, NULL, 0, NULL, FALSE },
  };
  gint64 ids[2] = { 0, 0 };

  (void) data;
  g_assert_false (sm_store_create_posts_full (f->store, posts, 2, ids, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_cmpuint (count_posts (f), ==, 0);
  g_clear_error (&error);

  posts[1].targets = &good;
  g_assert_true (sm_store_create_posts_full (f->store, posts, 2, ids, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ids[0], >, 0);
  g_assert_cmpint (ids[1], >, ids[0]);
  g_assert_cmpuint (count_posts (f), ==, 2);
}

/* `--workspace NAME`: the file's accounts and times are that workspace's. */
static void
test_workspace (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autofree char *later = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *err = NULL;
  gint64 workspace, account, due;

  (void) data;
  workspace = sm_store_create_workspace (f->store, "Atelier", "Asia/Tokyo", &error);
  g_assert_no_error (error);
  account = sm_store_upsert_account (f->store, workspace, SM_NETWORK_X, "303", "Atelier", "@atelier", &error);
  g_assert_no_error (error);
  later = local_time (5, "Asia/Tokyo", &due);

  /* Without --workspace, the default one's accounts only. */
  csv = g_strdup_printf ("text,accounts,at\nIn Tokyo,%" G_GINT64_FORMAT ",%s\n", account, later);
  path = write_file (f, "atelier.csv", csv, -1);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, &err, "import", path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nothing was saved"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, &err, "--workspace", "My Workspace", "import", path, NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpuint (count_posts (f), ==, 0);

  g_assert_cmpint (sm_test_cli (f->p, NULL, NULL, NULL, "import", path, "--workspace", "Atelier", NULL), ==, 0);
  posts = sm_store_list_posts_in (f->store, workspace, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posts->len, ==, 1);
  g_assert_cmpstr (((SmPost *) g_ptr_array_index (posts, 0))->time_zone, ==, "Asia/Tokyo");
  g_assert_cmpint (((SmPost *) g_ptr_array_index (posts, 0))->due_us, ==, due);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import/csv-reader", test_csv_reader);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/import/every-problem", test_every_problem);
  ADD ("/import/past-time-refused", test_past_time_refused);
  ADD ("/import/limits", test_limits);
  ADD ("/import/fifty-rows", test_fifty_rows);
  ADD ("/import/one-transaction", test_one_transaction);
  ADD ("/import/workspace", test_workspace);
#undef ADD

  return g_test_run ();
}
