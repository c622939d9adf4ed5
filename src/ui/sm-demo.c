/* sm-demo.c
 *
 * The demo must never send its well-known demo credentials to a real
 * network: every step checks that the network base override is set and
 * points at this machine before it saves or uses them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-demo"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sm-connect.h"
#include "sm-demo.h"
#include "sm-http.h"
#include "sm-media.h"
#include "sm-s3.h"
#include "sm-time.h"
#include "sm-ui-util.h"
#include "sm-token-store.h"

#define DEMO_CLIENT_ID     "so-me-studio-demo"
#define DEMO_CLIENT_SECRET "demo"
#define SANDBOX_START_SECONDS 15

struct _SmDemo
{
  GObject           parent_instance;

  SmStore          *store;
  SoupSession      *session;

  /* the sandbox, when this object started it */
  GSubprocess      *sandbox;
  GDataInputStream *sandbox_out;
  GCancellable     *sandbox_cancellable;
  guint             start_timeout_id;
  /* A sandbox of this object knows no earlier tokens: every account
   * connects again (the same accounts: the sandbox's ids are fixed). */
  gboolean          fresh_sandbox;

  /* the run in progress */
  GTask            *task;
  GPtrArray        *errors;         /* char *, for people */
  guint             next_network;
  guint             n_connected;
  GCancellable     *connect_cancellable;
  char             *authorize_error;

  /* history posts (HistoryPost) waiting to be published, then moved back */
  GArray           *history;
  guint             history_id;
  gint64            history_until_us;
};

enum
{
  POSTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SmDemo, sm_demo, G_TYPE_OBJECT)

static const SmNetwork demo_networks[] = {
  SM_NETWORK_X,
  SM_NETWORK_FACEBOOK,
  SM_NETWORK_LINKEDIN,
  SM_NETWORK_THREADS,
  SM_NETWORK_INSTAGRAM,
  SM_NETWORK_YOUTUBE,
  SM_NETWORK_TIKTOK,
};

static void connect_next (SmDemo *self);

/* TRUE for http://127.0.0.1:PORT, http://localhost:PORT, http://[::1]:PORT. */
static gboolean
is_loopback_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (url == NULL)
    return FALSE;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0)
    return FALSE;

  host = g_uri_get_host (uri);
  return g_strcmp0 (host, "127.0.0.1") == 0 ||
         g_strcmp0 (host, "localhost") == 0 ||
         g_strcmp0 (host, "::1") == 0 ||
         g_strcmp0 (host, "[::1]") == 0;
}

static const char *
get_sandbox_base (void)
{
  const char *base = g_getenv (SM_NETWORK_BASE_ENV);

  return is_loopback_url (base) ? base : NULL;
}

static void
add_error (SmDemo     *self,
           SmNetwork   network,
           const char *message)
{
  if (network != SM_NETWORK_INVALID)
    /* Translators: a demo problem for one network, "X: the sandbox refused …" */
    g_ptr_array_add (self->errors, g_strdup_printf (_("%s: %s"), sm_network_display_name (network), message));
  else
    g_ptr_array_add (self->errors, g_strdup (message));
}

static void
wake_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sm_ui_wake_publisher_finish (result, &error))
    g_debug ("The demo's posts wait for the publisher: %s", error->message);
}

/* ---- What the demo posts ------------------------------------------------ */

/* The customer whose message opens WhatsApp's 24-hour window. */
#define DEMO_CUSTOMER "15551234567"
/* The first history post goes out this long after the start, the next
 * ones HISTORY_STEP_S apart. */
#define HISTORY_FIRST_S  5
#define HISTORY_STEP_S   3
#define HISTORY_WATCH_S  600

/* Files made at demo time in the profile's "demo-media" folder: small,
 * quick to make, and within every network's rules they go to. */
typedef enum
{
  FILE_LOAF,
  FILE_BUNS,
  FILE_WINDOW,
  FILE_SHAPING,
  FILE_TOUR,
  N_DEMO_FILES
} DemoFile;

static const struct
{
  const char *name;
  const char *pipeline;
} demo_files[N_DEMO_FILES] = {
  [FILE_LOAF] = { "sourdough.jpg",
                  "videotestsrc num-buffers=1 pattern=pinwheel "
                  "! video/x-raw,width=1080,height=1080 ! jpegenc quality=85" },
  [FILE_BUNS] = { "cinnamon-buns.jpg",
                  "videotestsrc num-buffers=1 pattern=colors "
                  "! video/x-raw,width=1080,height=1350 ! jpegenc quality=85" },
  [FILE_WINDOW] = { "shop-window.png",
                    "videotestsrc num-buffers=1 pattern=spokes "
                    "! video/x-raw,width=1200,height=675 ! pngenc" },
  /* 4 s, 9:16, 30 fps, H.264 and AAC in MP4: a reel, a TikTok, a Short. */
  [FILE_SHAPING] = { "shaping-baguettes.mp4",
                     "videotestsrc num-buffers=120 pattern=ball "
                     "! video/x-raw,width=540,height=960,framerate=30/1,format=I420 "
                     "! x264enc speed-preset=ultrafast ! queue ! mux. "
                     "audiotestsrc num-buffers=173 samplesperbuffer=1024 wave=ticks "
                     "! audio/x-raw,rate=44100,channels=2 ! audioconvert ! avenc_aac "
                     "! aacparse ! queue ! mux. mp4mux name=mux faststart=true" },
  [FILE_TOUR] = { "bakery-tour.mp4",
                  "videotestsrc num-buffers=120 pattern=smpte "
                  "! video/x-raw,width=640,height=360,framerate=30/1,format=I420 "
                  "! x264enc speed-preset=ultrafast ! queue ! mux. "
                  "audiotestsrc num-buffers=173 samplesperbuffer=1024 "
                  "! audio/x-raw,rate=44100,channels=2 ! audioconvert ! avenc_aac "
                  "! aacparse ! queue ! mux. mp4mux name=mux faststart=true" },
};

#define NET(n) (1u << SM_NETWORK_##n)
/* A file of the post: FILE_x + 1, so that 0 ends the list. */
#define F(n)   (FILE_##n + 1)

typedef struct
{
  int         day;        /* from today in the workspace's zone; < 0: history */
  int         hour;
  int         minute;
  int         soon_s;     /* > 0: due this many seconds after the start instead */
  guint       networks;   /* NET() bits */
  const char *text;
  int         files[3];   /* F() */
  const char *options;    /* "key=value" lines */
  gboolean    draft;
} DemoPost;

/* A small bakery's three weeks.  History (day < 0) goes out through the
 * publisher right at the start and then moves to its day; the "soon" ones
 * go out while the user watches; the Saturday announcement, planned twice
 * by mistake, is refused by X as duplicate content. */
static const DemoPost demo_posts[] = {
  /* One week back: published. */
  { -7, 8, 30, 0, NET (X) | NET (FACEBOOK) | NET (LINKEDIN) | NET (THREADS),
    N_("Fresh sourdough every Saturday from 8 am. Come early, it goes fast! 🥖") },
  { -6, 12, 0, 0, NET (INSTAGRAM) | NET (FACEBOOK),
    N_("Seeded rye, sliced thin, with salted butter. That’s lunch sorted. #realbread #sourdough"),
    { F (LOAF) }, "instagram.kind=feed" },
  { -5, 17, 0, 0, NET (YOUTUBE),
    N_("A morning at the bakery: from the first fold at 4 am to full shelves at 8. "
       "No music, just the sound of the oven."),
    { F (TOUR) }, "youtube.title=A morning at the bakery\nyoutube.privacy=public" },
  { -4, 7, 45, 0, NET (LINKEDIN),
    N_("We’re hiring! A part-time baker for early shifts, four mornings a week. Experience with "
       "laminated dough is a plus; a love of bread is a must. Send us a message to learn more.") },
  { -3, 18, 0, 0, NET (TIKTOK) | NET (INSTAGRAM),
    N_("Shaping forty baguettes before sunrise. How many can you count? 🥖"),
    { F (SHAPING) }, "instagram.kind=reel" },
  { -2, 9, 15, 0, NET (X),
    N_("Three things we learned in our first year of baking:\n---\n"
       "1. People remember the smell, not the sign.\n---\n"
       "2. The oven breaks on the busiest Saturday. Always.\n---\n"
       "3. A bakery is the neighbourhood’s living room. Thank you for filling ours."),
    { 0 }, "x.thread=true" },
  { -1, 8, 0, 0, NET (THREADS) | NET (FACEBOOK),
    N_("The cinnamon buns are back. Yes, with the cardamom sugar."),
    { F (BUNS) } },
  { -1, 16, 30, 0, NET (WHATSAPP),
    N_("Hi Anna, your birthday cake is ready for pickup. See you at 4!"),
    { 0 }, "whatsapp.to=" DEMO_CUSTOMER },

  /* Today, while the user watches: the duplicate fails, the others go live. */
  { 0, 0, 0, 45, NET (X),
    N_("Fresh sourdough every Saturday from 8 am. Come early, it goes fast! 🥖") },
  { 0, 0, 0, 60, NET (X) | NET (FACEBOOK) | NET (LINKEDIN) | NET (THREADS),
    N_("The first croissants of the day are out of the oven. Come say hi! 🥐"),
    { F (LOAF) } },
  { 0, 0, 0, 90, NET (WHATSAPP),
    N_("Good morning! Today’s specials: pumpkin seed loaf and plum cake. Reply to reserve yours."),
    { F (BUNS) }, "whatsapp.to=" DEMO_CUSTOMER },
  { 0, 0, 0, 120, NET (INSTAGRAM) | NET (FACEBOOK) | NET (TIKTOK),
    N_("Behind the counter: shaping today’s baguettes."),
    { F (SHAPING) }, "instagram.kind=reel\nfacebook.kind=reel" },

  /* Two weeks ahead: planned, and two drafts. */
  { 1, 8, 0, 0, NET (X) | NET (FACEBOOK),
    N_("This Saturday: fresh sourdough from 8 am, and a new walnut and honey loaf.") },
  { 2, 11, 0, 0, NET (INSTAGRAM),
    N_("Cinnamon bun Wednesday. Get them while they’re warm. #cinnamonbuns #bakery"),
    { F (BUNS), F (LOAF) }, "instagram.kind=carousel" },
  { 3, 14, 0, 0, NET (X) | NET (THREADS) | NET (FACEBOOK),
    N_("Pumpkin spice season? We’re thinking cardamom buns instead. Thoughts?"),
    { 0 }, NULL, TRUE },
  { 4, 16, 0, 0, NET (YOUTUBE),
    N_("How we laminate croissant dough: 27 layers of butter, three folds, one very cold room."),
    { F (TOUR) }, "youtube.title=How we laminate croissant dough\nyoutube.privacy=unlisted" },
  { 5, 9, 30, 0, NET (LINKEDIN),
    N_("Proud to supply three cafés in the neighbourhood with our bread every morning. "
       "Local flour, long fermentation, short distances."),
    { F (WINDOW) } },
  { 6, 17, 0, 0, NET (X) | NET (FACEBOOK) | NET (LINKEDIN) | NET (THREADS),
    N_("Thank you for a wonderful first year! Cake and coffee are on us all week. ☕") },
  { 8, 12, 0, 0, NET (TIKTOK),
    N_("POV: it’s 4 am and the dough has other plans."),
    { F (SHAPING) } },
  { 9, 15, 0, 0, NET (YOUTUBE),
    N_("Your bread questions, answered: starters, flour, and why we never slice it hot."),
    { F (TOUR) }, "youtube.title=Your bread questions, answered", TRUE },
  { 10, 7, 30, 0, NET (WHATSAPP),
    N_("Weekly pre-order reminder"),
    { 0 }, "whatsapp.to=" DEMO_CUSTOMER "\nwhatsapp.template=hello_world\nwhatsapp.language=en_US" },
  { 11, 18, 30, 0, NET (THREADS),
    N_("Sourdough questions? Ask away below; our head baker answers every one on Friday.") },
  { 13, 10, 0, 0, NET (FACEBOOK),
    N_("A day at the bakery in four seconds. (We had a lot of coffee.)"),
    { F (TOUR) } },
  { 14, 9, 0, 0, NET (INSTAGRAM) | NET (THREADS),
    N_("Two weeks until the autumn menu. Any guesses?"),
    { F (LOAF) }, "instagram.kind=feed" },
};

typedef struct
{
  gint64 post_id;
  gint64 due_us;   /* where it belongs, once published */
} HistoryPost;

/* The history still to move back is also kept in the profile, so that a
 * demo closed before the publisher sent it all finishes the move at its
 * next start. */
#define HISTORY_FILE "demo-history.ini"
#define HISTORY_GROUP "history"

static char *
history_path (SmDemo *self)
{
  return g_build_filename (sm_store_get_dir (self->store), HISTORY_FILE, NULL);
}

static void
save_history (SmDemo *self)
{
  g_autofree char *path = history_path (self);
  g_autoptr(GKeyFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (self->history->len == 0)
    {
      g_unlink (path);
      return;
    }
  file = g_key_file_new ();
  for (guint i = 0; i < self->history->len; i++)
    {
      const HistoryPost *history = &g_array_index (self->history, HistoryPost, i);
      char key[32];

      g_snprintf (key, sizeof key, "%" G_GINT64_FORMAT, history->post_id);
      g_key_file_set_int64 (file, HISTORY_GROUP, key, history->due_us);
    }
  if (!g_key_file_save_to_file (file, path, &error))
    g_debug ("The demo's history is not remembered: %s", error->message);
}

static void
load_history (SmDemo *self)
{
  g_autofree char *path = history_path (self);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_auto(GStrv) keys = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return;
  keys = g_key_file_get_keys (file, HISTORY_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      HistoryPost history = { 0, };

      if (!g_ascii_string_to_signed (keys[i], 10, 1, G_MAXINT64, &history.post_id, NULL))
        continue;
      history.due_us = g_key_file_get_int64 (file, HISTORY_GROUP, keys[i], NULL);
      if (history.due_us > 0)
        g_array_append_val (self->history, history);
    }
}

/* ---- Getting ready: WhatsApp, the bucket, the files ---------------------- */

typedef struct
{
  char        *base;
  char        *profile;
  char        *media_dir;
  gboolean     need_whatsapp;
  gboolean     make_media;
  /* out */
  char        *wa_token;
  char        *wa_phone_id;
  SmMediaInfo *media[N_DEMO_FILES];
  GPtrArray   *errors;        /* char *, for people */
} Prepare;

static void
prepare_free (Prepare *p)
{
  g_free (p->base);
  g_free (p->profile);
  g_free (p->media_dir);
  if (p->wa_token != NULL)
    memset (p->wa_token, 0, strlen (p->wa_token));
  g_free (p->wa_token);
  g_free (p->wa_phone_id);
  for (guint i = 0; i < N_DEMO_FILES; i++)
    g_clear_pointer (&p->media[i], sm_media_info_free);
  g_ptr_array_unref (p->errors);
  g_free (p);
}

/* POSTs @body to the sandbox's hook @path; the answer's JSON when the
 * status is @expect. */
static JsonNode *
hook_post (SoupSession *session,
           const char  *base,
           const char  *path,
           const char  *body,
           guint        expect,
           GError     **error)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", url);
      return NULL;
    }
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  reply = soup_session_send_and_read (session, msg, NULL, error);
  if (reply == NULL)
    return NULL;
  if (soup_message_get_status (msg) != expect)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   /* Translators: "The sandbox answered 400 to /__sandbox/…: {…}" */
                   _("The sandbox answered %u to %s: %.*s"), soup_message_get_status (msg), path,
                   (int) MIN (g_bytes_get_size (reply), 200),
                   (const char *) g_bytes_get_data (reply, NULL));
      return NULL;
    }
  return sm_http_parse_json (reply, error);
}

static void
prepare_error (Prepare    *p,
               const char *what,
               GError     *error)
{
  g_ptr_array_add (p->errors, g_strdup_printf ("%s: %s", what, error->message));
}

/* The sandbox's WhatsApp Business Account hands out a system-user token,
 * as Meta Business Settings does; connecting with it is the main thread's. */
static void
prepare_whatsapp (Prepare     *p,
                  SoupSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = hook_post (session, p->base, "/__sandbox/whatsapp/token", "{}",
                                          SOUP_STATUS_CREATED, &error);
  const char *token = answer != NULL ? sm_json_get_string (answer, "token") : NULL;
  const char *phone = answer != NULL ? sm_json_get_string (answer, "phone_numbers.0.id") : NULL;

  if (token == NULL || phone == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The sandbox gave no token or phone number."));
      prepare_error (p, sm_network_display_name (SM_NETWORK_WHATSAPP), error);
      return;
    }
  p->wa_token = g_strdup (token);
  p->wa_phone_id = g_strdup (phone);
}

/* A bucket in the sandbox's S3, checked and saved as `so-me bucket set`
 * does, for the photos and videos Instagram and Threads fetch.  The
 * sandbox is new at every start, so is the bucket. */
static void
prepare_bucket (Prepare     *p,
                SoupSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("demo-media-%08x", g_random_int ());
  g_autofree char *body = g_strdup_printf ("{\"bucket\":\"%s\",\"region\":\"eu-west-1\"}", name);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(SmS3Config) config = NULL;
  g_autoptr(SoupSession) s3_session = NULL;

  answer = hook_post (session, p->base, "/__sandbox/s3/buckets", body, SOUP_STATUS_CREATED, &error);
  if (answer == NULL)
    {
      prepare_error (p, _("Media bucket"), error);
      return;
    }
  config = sm_s3_config_new (sm_json_get_string (answer, "endpoint"),
                             sm_json_get_string (answer, "region"),
                             sm_json_get_string (answer, "bucket"),
                             sm_json_get_string (answer, "access_key_id"),
                             sm_json_get_string (answer, "secret_access_key"),
                             SM_S3_ADDRESSING_AUTO);
  s3_session = sm_http_session_new ();
  if (!sm_s3_config_validate (config, &error) ||
      !sm_s3_check (config, s3_session, NULL, &error) ||
      !sm_token_store_save_bucket (p->profile, config, NULL, &error))
    prepare_error (p, _("Media bucket"), error);
}

/* Makes the demo's photos and clips with GStreamer, all at once, each
 * into a temporary name first so that a file there is always whole. */
static void
prepare_media (Prepare *p)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *procs[N_DEMO_FILES] = { NULL, };
  char *paths[N_DEMO_FILES] = { NULL, };

  if (g_mkdir_with_parents (p->media_dir, 0700) != 0)
    {
      g_ptr_array_add (p->errors, g_strdup_printf (_("Cannot make the demo’s photos and videos: %s: %s"),
                                                   p->media_dir, g_strerror (errno)));
      return;
    }

  for (guint i = 0; i < N_DEMO_FILES; i++)
    {
      g_autofree char *command = NULL;
      g_auto(GStrv) argv = NULL;

      paths[i] = g_build_filename (p->media_dir, demo_files[i].name, NULL);
      if (g_file_test (paths[i], G_FILE_TEST_IS_REGULAR))
        continue;
      command = g_strdup_printf ("gst-launch-1.0 -q -e %s ! filesink location=\"%s.part\"",
                                 demo_files[i].pipeline, paths[i]);
      if (!g_shell_parse_argv (command, NULL, &argv, &error) ||
          !(procs[i] = g_subprocess_newv ((const char *const *) argv,
                                          G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                          G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error)))
        {
          prepare_error (p, demo_files[i].name, error);
          g_clear_error (&error);
        }
    }

  for (guint i = 0; i < N_DEMO_FILES; i++)
    {
      g_autofree char *part = g_strconcat (paths[i], ".part", NULL);

      if (procs[i] != NULL)
        {
          if (!g_subprocess_wait_check (procs[i], NULL, &error) || g_rename (part, paths[i]) != 0)
            {
              if (error == NULL)
                g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
              prepare_error (p, demo_files[i].name, error);
              g_clear_error (&error);
              g_unlink (part);
            }
          g_clear_object (&procs[i]);
        }
      if (g_file_test (paths[i], G_FILE_TEST_IS_REGULAR))
        {
          p->media[i] = sm_media_probe (paths[i], NULL, &error);
          if (p->media[i] == NULL)
            {
              prepare_error (p, demo_files[i].name, error);
              g_clear_error (&error);
            }
        }
      g_free (paths[i]);
    }
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Prepare *p = task_data;
  g_autoptr(SoupSession) session = g_object_new (SOUP_TYPE_SESSION, "timeout", 30, NULL);
  g_autoptr(JsonNode) inbound = NULL;
  g_autoptr(GError) error = NULL;

  if (p->need_whatsapp)
    prepare_whatsapp (p, session);
  prepare_bucket (p, session);

  /* A customer wrote in: WhatsApp's 24-hour window is open for replies. */
  inbound = hook_post (session, p->base, "/__sandbox/whatsapp/inbound",
                       "{\"from\":\"" DEMO_CUSTOMER "\"}", SOUP_STATUS_OK, &error);
  if (inbound == NULL)
    prepare_error (p, sm_network_display_name (SM_NETWORK_WHATSAPP), error);

  if (p->make_media)
    prepare_media (p);

  g_task_return_boolean (task, TRUE);
}

/* ---- Seeding ------------------------------------------------------------ */

static void
parse_options (GHashTable *options,
               const char *lines)
{
  g_auto(GStrv) pairs = g_strsplit (lines != NULL ? lines : "", "\n", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');

      if (eq != NULL)
        g_hash_table_insert (options, g_strndup (pairs[i], eq - pairs[i]), g_strdup (eq + 1));
    }
}

/* The account each network's posts go to: the bakery's page where a
 * network lists several. */
static void
pick_accounts (SmDemo *self,
               gint64  account_of[SM_N_NETWORKS])
{
  g_autoptr(GPtrArray) accounts = sm_store_list_accounts (self->store, NULL);

  memset (account_of, 0, sizeof (gint64) * SM_N_NETWORKS);
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);

      if (account->state != SM_ACCOUNT_CONNECTED ||
          account->network <= SM_NETWORK_INVALID || account->network >= SM_N_NETWORKS)
        continue;
      if (account_of[account->network] == 0 ||
          (account->name != NULL && strstr (account->name, "Bakery") != NULL))
        account_of[account->network] = account->id;
    }
}

static gboolean history_tick_cb (gpointer user_data);

/* Only ever into a profile with no posts: a second start adds nothing. */
static void
seed_posts (SmDemo  *self,
            Prepare *p)
{
  g_autoptr(GPtrArray) posts = sm_store_list_posts (self->store, G_MININT64, G_MAXINT64, NULL);
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *zone = NULL;
  gint64 account_of[SM_N_NETWORKS];
  gint64 start = g_get_real_time ();
  guint n_history = 0, n_seeded = 0;

  if (posts == NULL)
    return;
  if (posts->len > 0)
    {
      /* A demo closed early: what it sent since moves back now. */
      if (self->history->len == 0)
        load_history (self);
      if (self->history->len > 0 && self->history_id == 0)
        {
          self->history_until_us = g_get_monotonic_time () + HISTORY_WATCH_S * G_TIME_SPAN_SECOND;
          self->history_id = g_timeout_add_seconds (1, history_tick_cb, self);
        }
      /* What was queued when the demo last closed goes out now. */
      sm_ui_wake_publisher_async (NULL, wake_done_cb, NULL);
      return;
    }
  if (sm_store_get_default_workspace (self->store, &zone, NULL) == 0)
    return;
  {
    g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);

    if (tz == NULL)
      tz = g_time_zone_new_utc ();
    now = g_date_time_new_now (tz);
  }
  pick_accounts (self, account_of);

  for (guint i = 0; i < G_N_ELEMENTS (demo_posts); i++)
    {
      const DemoPost *plan = &demo_posts[i];
      g_autoptr(GArray) targets = g_array_new (FALSE, TRUE, sizeof (SmTargetSpec));
      g_autoptr(GArray) files = g_array_new (FALSE, TRUE, sizeof (SmPostMedia));
      g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_autoptr(GError) error = NULL;
      gboolean files_ok = TRUE;
      gint64 day_us = 0, due_us, post_id;

      for (int n = SM_NETWORK_INVALID + 1; n < SM_N_NETWORKS; n++)
        if ((plan->networks & (1u << n)) != 0 && account_of[n] != 0)
          {
            SmTargetSpec spec = { account_of[n], NULL };

            g_array_append_val (targets, spec);
          }
      for (guint f = 0; f < G_N_ELEMENTS (plan->files) && plan->files[f] != 0; f++)
        {
          const SmMediaInfo *info = p->media[plan->files[f] - 1];
          SmPostMedia media = { 0, };

          if (info == NULL)
            {
              files_ok = FALSE;
              break;
            }
          media.path = info->path;
          media.size_bytes = info->size_bytes;
          media.sha256 = info->sha256;
          media.mime_type = info->mime_type;
          g_array_append_val (files, media);
        }
      if (targets->len == 0 || !files_ok)
        continue;
      parse_options (options, plan->options);

      if (plan->soon_s == 0)
        {
          g_autoptr(GDateTime) day = g_date_time_add_days (now, plan->day);

          day_us = sm_time_local_to_utc_us (zone, g_date_time_get_year (day),
                                            g_date_time_get_month (day),
                                            g_date_time_get_day_of_month (day),
                                            plan->hour, plan->minute, NULL);
        }
      if (plan->soon_s > 0)
        due_us = start + plan->soon_s * G_TIME_SPAN_SECOND;
      else if (plan->day < 0)
        due_us = start + (HISTORY_FIRST_S + HISTORY_STEP_S * n_history) * G_TIME_SPAN_SECOND;
      else
        due_us = day_us;

      post_id = sm_store_create_post_full (self->store, _(plan->text), due_us, zone,
                                           (SmTargetSpec *) targets->data, targets->len,
                                           (SmPostMedia *) files->data, files->len,
                                           options, plan->draft, &error);
      if (post_id == 0)
        {
          add_error (self, SM_NETWORK_INVALID, error->message);
          continue;
        }
      n_seeded++;
      if (plan->day < 0 && plan->soon_s == 0)
        {
          HistoryPost history = { post_id, day_us };

          g_array_append_val (self->history, history);
          n_history++;
        }
    }

  g_debug ("Seeded %u demo posts, %u of them history", n_seeded, n_history);
  save_history (self);
  if (self->history->len > 0 && self->history_id == 0)
    {
      self->history_until_us = g_get_monotonic_time () + HISTORY_WATCH_S * G_TIME_SPAN_SECOND;
      self->history_id = g_timeout_add_seconds (1, history_tick_cb, self);
    }
  sm_ui_wake_publisher_async (NULL, wake_done_cb, NULL);
}

/* The history posts, once the publisher has sent them, move to the days
 * they belong to. */
static gboolean
history_tick_cb (gpointer user_data)
{
  SmDemo *self = user_data;
  gboolean moved = FALSE, changed = FALSE;

  for (guint i = self->history->len; i-- > 0;)
    {
      const HistoryPost *history = &g_array_index (self->history, HistoryPost, i);
      g_autoptr(SmPost) post = sm_store_get_post (self->store, history->post_id, NULL);
      guint n_published = 0;
      gboolean over = post == NULL;

      for (guint t = 0; post != NULL && t < post->targets->len; t++)
        {
          const SmTarget *target = g_ptr_array_index (post->targets, t);

          n_published += target->state == SM_TARGET_PUBLISHED;
          over |= target->state == SM_TARGET_FAILED;
        }
      if (post != NULL && n_published == post->targets->len)
        {
          g_autoptr(GError) error = NULL;

          if (sm_store_backdate_published_post (self->store, history->post_id, history->due_us, &error))
            moved = TRUE;
          else
            g_debug ("A demo post stays where it is: %s", error->message);
          over = TRUE;
        }
      if (over)
        {
          g_array_remove_index (self->history, i);
          changed = TRUE;
        }
    }
  if (changed)
    save_history (self);

  if (moved)
    g_signal_emit (self, signals[POSTS_CHANGED], 0);
  if (self->history->len == 0 || g_get_monotonic_time () > self->history_until_us)
    {
      if (self->history->len == 0)
        g_debug ("The demo's history is in place");
      g_array_set_size (self->history, 0);
      self->history_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
finish_run (SmDemo *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (self->errors->len == 0)
    {
      g_debug ("The demo is set up");
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_ptr_array_add (self->errors, NULL);
  {
    g_autofree char *message = g_strjoinv ("\n", (char **) self->errors->pdata);

    g_debug ("The demo is set up, with problems: %s", message);
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
  }
  g_ptr_array_set_size (self->errors, 0);
}

static void
fail_run (SmDemo     *self,
          const char *message)
{
  add_error (self, SM_NETWORK_INVALID, message);
  finish_run (self);
}

static void
whatsapp_connected_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) prepared = user_data;
  SmDemo *self = g_task_get_source_object (prepared);
  Prepare *p = g_task_get_task_data (prepared);
  g_autoptr(GError) error = NULL;

  if (sm_connect_account_with_token_finish (result, &error) > 0)
    self->n_connected++;
  if (self->task == NULL)
    return;
  if (error != NULL)
    {
      if (g_task_return_error_if_cancelled (self->task))
        {
          g_clear_object (&self->task);
          return;
        }
      add_error (self, SM_NETWORK_WHATSAPP, error->message);
    }
  seed_posts (self, p);
  finish_run (self);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SmDemo *self = SM_DEMO (source);
  Prepare *p = g_task_get_task_data (G_TASK (result));

  if (self->task == NULL)
    return;
  if (g_task_return_error_if_cancelled (self->task))
    {
      g_clear_object (&self->task);
      return;
    }

  for (guint i = 0; i < p->errors->len; i++)
    add_error (self, SM_NETWORK_INVALID, g_ptr_array_index (p->errors, i));

  if (p->wa_token != NULL && get_sandbox_base () != NULL)
    {
      sm_connect_account_with_token_async (self->store, 0, SM_NETWORK_WHATSAPP,
                                           p->wa_phone_id, p->wa_token,
                                           g_task_get_cancellable (self->task),
                                           whatsapp_connected_cb, g_object_ref (result));
      return;
    }

  seed_posts (self, p);
  finish_run (self);
}

static gboolean has_connected_account (SmDemo    *self,
                                       SmNetwork  network);

/* After the OAuth networks: WhatsApp, the bucket, and (for a first start)
 * the files, in a worker. */
static void
prepare_start (SmDemo *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) posts = sm_store_list_posts (self->store, G_MININT64, G_MAXINT64, NULL);
  Prepare *p;

  if (get_sandbox_base () == NULL)
    {
      fail_run (self, _("No local sandbox is set; the demo does not talk to real networks."));
      return;
    }

  p = g_new0 (Prepare, 1);
  p->base = g_strdup (get_sandbox_base ());
  p->profile = g_strdup (sm_store_get_dir (self->store));
  p->media_dir = g_build_filename (p->profile, "demo-media", NULL);
  p->need_whatsapp = self->fresh_sandbox || !has_connected_account (self, SM_NETWORK_WHATSAPP);
  p->make_media = posts != NULL && posts->len == 0;
  p->errors = g_ptr_array_new_with_free_func (g_free);

  task = g_task_new (self, g_task_get_cancellable (self->task), prepared_cb, NULL);
  g_task_set_source_tag (task, prepare_start);
  g_task_set_task_data (task, p, (GDestroyNotify) prepare_free);
  g_task_run_in_thread (task, prepare_thread);
}

/* ---- Connecting one network -------------------------------------------- */

/* Takes @message; the flow then stops waiting for a code that won't come. */
static void
fail_authorize (SmDemo *self,
                char   *message)
{
  g_free (self->authorize_error);
  self->authorize_error = message;
  if (self->connect_cancellable != NULL)
    g_cancellable_cancel (self->connect_cancellable);
}

static void
authorize_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessage *msg;

  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_authorize (self, g_strdup_printf (_("The sandbox’s sign-in page did not answer: %s"),
                                               error->message));
    }
  else if (msg != NULL && soup_message_get_status (msg) >= 400)
    {
      fail_authorize (self, g_strdup_printf (_("The sandbox’s sign-in page answered “%u %s”."),
                                             soup_message_get_status (msg),
                                             soup_message_get_reason_phrase (msg)));
    }
  /* Otherwise the redirect reached the loopback listener; the flow goes on. */
}

/* Plays the user's part: open the authorize page and follow its redirects,
 * which end at the app's own loopback listener with the code. */
static void
demo_url_cb (const char *url,
             gpointer    user_data)
{
  SmDemo *self = user_data;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved = NULL;
  const char *base = get_sandbox_base ();

  if (base == NULL)
    {
      fail_authorize (self, g_strdup (_("No local sandbox is set; the demo does not talk to real networks.")));
      return;
    }

  if (g_str_has_prefix (url, "https://"))
    resolved = sm_http_resolve_url (url, &error);
  else
    resolved = g_strdup (url);

  if (resolved == NULL || !g_str_has_prefix (resolved, base))
    {
      fail_authorize (self, g_strdup_printf (_("The sign-in address does not lead to the sandbox: %s"),
                                             error != NULL ? error->message : url));
      return;
    }

  msg = soup_message_new (SOUP_METHOD_GET, resolved);
  if (msg == NULL)
    {
      fail_authorize (self, g_strdup (_("The sign-in address is not valid.")));
      return;
    }

  g_debug ("Approving the demo sign-in");
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    self->connect_cancellable,
                                    authorize_done_cb, g_object_ref (self));
}

static void
connect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  SmNetwork network = demo_networks[self->next_network];

  ids = sm_connect_account_finish (result, &error);
  /* A sign-in request still in flight belongs to this network: drop it. */
  g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);

  if (self->task == NULL)
    return;

  if (ids != NULL)
    self->n_connected += ids->len;
  else if (self->authorize_error != NULL)
    add_error (self, network, self->authorize_error);
  else if (g_task_return_error_if_cancelled (self->task))
    {
      g_clear_object (&self->task);
      return;
    }
  else
    add_error (self, network, error->message);

  g_clear_pointer (&self->authorize_error, g_free);
  self->next_network++;
  connect_next (self);
}

static void
save_credentials_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  SmNetwork network = GPOINTER_TO_INT (task_data);
  SmClientCredentials creds = { (char *) DEMO_CLIENT_ID, (char *) DEMO_CLIENT_SECRET };
  GError *error = NULL;

  if (!sm_token_store_save_credentials (network, &creds, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_credentials_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  SmDemo *self = SM_DEMO (source);
  g_autoptr(GError) error = NULL;
  SmNetwork network = demo_networks[self->next_network];

  if (self->task == NULL)
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_task_return_error_if_cancelled (self->task))
        {
          g_clear_object (&self->task);
          return;
        }
      add_error (self, network, error->message);
      self->next_network++;
      connect_next (self);
      return;
    }

  self->connect_cancellable = g_cancellable_new ();
  sm_connect_account_async (self->store, 0, network, FALSE,
                            demo_url_cb, self,
                            self->connect_cancellable,
                            connect_done_cb, g_object_ref (self));
}

static gboolean
has_connected_account (SmDemo    *self,
                       SmNetwork  network)
{
  g_autoptr(GPtrArray) accounts = sm_store_list_accounts (self->store, NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      const SmAccount *account = g_ptr_array_index (accounts, i);

      if (account->network == network && account->state == SM_ACCOUNT_CONNECTED)
        return TRUE;
    }

  return FALSE;
}

static void
connect_next (SmDemo *self)
{
  g_autoptr(GTask) save = NULL;
  SmNetwork network;

  while (self->next_network < G_N_ELEMENTS (demo_networks) && !self->fresh_sandbox &&
         has_connected_account (self, demo_networks[self->next_network]))
    self->next_network++;

  if (self->next_network >= G_N_ELEMENTS (demo_networks))
    {
      prepare_start (self);
      return;
    }

  network = demo_networks[self->next_network];

  /* The last line of defence: demo credentials only ever go with a
   * sandbox on this machine. */
  if (get_sandbox_base () == NULL)
    {
      fail_run (self, _("No local sandbox is set; the demo does not talk to real networks."));
      return;
    }

  g_debug ("Connecting a demo account on %s", sm_network_to_string (network));
  save = g_task_new (self, g_task_get_cancellable (self->task), save_credentials_done_cb, NULL);
  g_task_set_source_tag (save, connect_next);
  g_task_set_task_data (save, GINT_TO_POINTER (network), NULL);
  g_task_run_in_thread (save, save_credentials_thread);
}

/* ---- The publisher's environment --------------------------------------- */

static void
update_environment_done_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (self->task == NULL)
    return;
  if (g_task_return_error_if_cancelled (self->task))
    {
      g_clear_object (&self->task);
      return;
    }
  if (reply == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The publisher may not use the sandbox: %s"),
                                                  error->message);

      add_error (self, SM_NETWORK_INVALID, message);
    }

  connect_next (self);
}

static void
bus_ready_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder env;

  bus = g_bus_get_finish (result, &error);
  if (self->task == NULL)
    return;
  if (bus == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The publisher may not use the sandbox: %s"),
                                                  error->message);

      add_error (self, SM_NETWORK_INVALID, message);
      connect_next (self);
      return;
    }

  /* The publisher is started by the bus, with the bus's environment, not
   * ours: hand it the sandbox's address there. */
  g_variant_builder_init (&env, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&env, "{ss}", SM_NETWORK_BASE_ENV, g_getenv (SM_NETWORK_BASE_ENV));
  g_dbus_connection_call (bus,
                          "org.freedesktop.DBus",
                          "/org/freedesktop/DBus",
                          "org.freedesktop.DBus",
                          "UpdateActivationEnvironment",
                          g_variant_new ("(a{ss})", &env),
                          NULL,
                          G_DBUS_CALL_FLAGS_NONE,
                          -1,
                          g_task_get_cancellable (self->task),
                          update_environment_done_cb,
                          g_object_ref (self));
}

static void
update_environment (SmDemo *self)
{
  g_bus_get (G_BUS_TYPE_SESSION, g_task_get_cancellable (self->task),
             bus_ready_cb, g_object_ref (self));
}

/* ---- The sandbox -------------------------------------------------------- */

static void
drain_line_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autofree char *line = NULL;

  /* Keep reading the sandbox's output so it never blocks on a full pipe. */
  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (line == NULL || self->sandbox_out == NULL)
    return;

  g_debug ("sandbox: %s", line);
  g_data_input_stream_read_line_async (self->sandbox_out, G_PRIORITY_LOW,
                                       self->sandbox_cancellable,
                                       drain_line_cb, g_object_ref (self));
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  SmDemo *self = user_data;

  self->start_timeout_id = 0;
  /* The pending read then ends with no line. */
  if (self->sandbox != NULL)
    g_subprocess_force_exit (self->sandbox);

  return G_SOURCE_REMOVE;
}

static void
first_line_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SmDemo) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_clear_handle_id (&self->start_timeout_id, g_source_remove);

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (self->task == NULL)
    return;
  if (g_task_return_error_if_cancelled (self->task))
    {
      g_clear_object (&self->task);
      return;
    }

  if (line != NULL)
    g_strstrip (line);

  if (line == NULL || !is_loopback_url (line))
    {
      g_autofree char *message = NULL;

      if (error != NULL)
        message = g_strdup_printf (_("The network sandbox did not start: %s"), error->message);
      else if (line == NULL)
        message = g_strdup (_("The network sandbox did not start: it exited or did not answer in time."));
      else
        message = g_strdup_printf (_("The network sandbox did not start: it said “%s”."), line);
      sm_demo_stop (self);
      fail_run (self, message);
      return;
    }

  g_debug ("Sandbox at %s", line);
  g_setenv (SM_NETWORK_BASE_ENV, line, TRUE);

  g_data_input_stream_read_line_async (self->sandbox_out, G_PRIORITY_LOW,
                                       self->sandbox_cancellable,
                                       drain_line_cb, g_object_ref (self));
  update_environment (self);
}

#ifdef __linux__
/* Runs in the child: the sandbox goes when the app does, even on a crash. */
static void
sandbox_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static void
start_sandbox (SmDemo *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *bin = g_getenv ("SM_SANDBOX_BIN");

  if (bin == NULL || *bin == '\0')
    bin = BINDIR "/so-me-studio-sandbox";

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, sandbox_child_setup, NULL, NULL);
#endif
  self->sandbox = g_subprocess_launcher_spawn (launcher, &error, bin, "--listen", "127.0.0.1:0", NULL);
  if (self->sandbox == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The network sandbox did not start: %s"), error->message);

      fail_run (self, message);
      return;
    }

  self->fresh_sandbox = TRUE;
  self->sandbox_cancellable = g_cancellable_new ();
  self->sandbox_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->sandbox));
  self->start_timeout_id = g_timeout_add_seconds (SANDBOX_START_SECONDS, start_timeout_cb, self);
  g_data_input_stream_read_line_async (self->sandbox_out, G_PRIORITY_DEFAULT,
                                       self->sandbox_cancellable,
                                       first_line_cb, g_object_ref (self));
}

/* ---- GObject -------------------------------------------------------------- */

static void
sm_demo_dispose (GObject *object)
{
  SmDemo *self = (SmDemo *) object;

  sm_demo_stop (self);
  g_clear_handle_id (&self->history_id, g_source_remove);
  if (self->connect_cancellable != NULL)
    g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sm_demo_parent_class)->dispose (object);
}

static void
sm_demo_finalize (GObject *object)
{
  SmDemo *self = (SmDemo *) object;

  g_clear_pointer (&self->errors, g_ptr_array_unref);
  g_clear_pointer (&self->authorize_error, g_free);
  g_clear_pointer (&self->history, g_array_unref);

  G_OBJECT_CLASS (sm_demo_parent_class)->finalize (object);
}

static void
sm_demo_class_init (SmDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_demo_dispose;
  object_class->finalize = sm_demo_finalize;

  /**
   * SmDemo::posts-changed:
   *
   * Posts changed without the publisher saying so: the demo's history
   * moved to its days.
   */
  signals[POSTS_CHANGED] = g_signal_new ("posts-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
}

static void
sm_demo_init (SmDemo *self)
{
  self->errors = g_ptr_array_new_with_free_func (g_free);
  self->history = g_array_new (FALSE, TRUE, sizeof (HistoryPost));
  self->session = g_object_new (SOUP_TYPE_SESSION, "timeout", 30, NULL);
}

/**
 * sm_demo_new:
 * @store: the profile's store, where the demo accounts go
 *
 * Returns: (transfer full): a new #SmDemo
 */
SmDemo *
sm_demo_new (SmStore *store)
{
  SmDemo *self;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  self = g_object_new (SM_TYPE_DEMO, NULL);
  self->store = g_object_ref (store);

  return self;
}

void
sm_demo_start_async (SmDemo              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *base;

  g_return_if_fail (SM_IS_DEMO (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_demo_start_async);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The demo is already being set up."));
      return;
    }

  self->task = g_steal_pointer (&task);
  self->next_network = 0;
  self->n_connected = 0;
  g_ptr_array_set_size (self->errors, 0);

  base = g_getenv (SM_NETWORK_BASE_ENV);
  if (base == NULL || *base == '\0')
    {
      start_sandbox (self);
      return;
    }

  if (get_sandbox_base () == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("%s must name a sandbox on this computer, such as http://127.0.0.1:8080, "
                           "for the demo; it is “%s”."), SM_NETWORK_BASE_ENV, base);

      fail_run (self, message);
      return;
    }

  update_environment (self);
}

gboolean
sm_demo_start_finish (SmDemo        *self,
                      GAsyncResult  *result,
                      guint         *n_connected,
                      GError       **error)
{
  g_return_val_if_fail (SM_IS_DEMO (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (n_connected != NULL)
    *n_connected = self->n_connected;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sm_demo_stop (SmDemo *self)
{
  g_return_if_fail (SM_IS_DEMO (self));

  g_clear_handle_id (&self->start_timeout_id, g_source_remove);
  if (self->sandbox_cancellable != NULL)
    g_cancellable_cancel (self->sandbox_cancellable);
  g_clear_object (&self->sandbox_cancellable);
  g_clear_object (&self->sandbox_out);

  if (self->sandbox != NULL)
    {
      g_debug ("Stopping the sandbox");
      g_subprocess_send_signal (self->sandbox, SIGTERM);
      g_clear_object (&self->sandbox);
    }
}

#define DEMO_SESSION_ENV "SO_ME_STUDIO_DEMO_SESSION"

void
sm_demo_enter_private_session (int    argc,
                               char **argv)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autofree char *home = NULL;
  const char *wayland;
  gboolean demo = FALSE;

  for (int i = 1; i < argc; i++)
    demo |= g_strcmp0 (argv[i], "--demo") == 0;
  if (!demo || g_getenv (DEMO_SESSION_ENV) != NULL)
    return;

  home = g_build_filename (g_get_user_data_dir (), "so-me-studio-demo", NULL);
  for (guint i = 0; i < 4; i++)
    {
      const char *sub[] = { "data", "config", "cache", "run" };
      g_autofree char *dir = g_build_filename (home, sub[i], NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_printerr (_("Cannot start the demo: %s: %s\n"), dir, g_strerror (errno));
          return;
        }
    }

  /* A Wayland display named relative to the real runtime folder must
   * stay reachable from the demo's own runtime folder. */
  wayland = g_getenv ("WAYLAND_DISPLAY");
  if (wayland != NULL && !g_path_is_absolute (wayland) && g_get_user_runtime_dir () != NULL)
    {
      g_autofree char *abs = g_build_filename (g_get_user_runtime_dir (), wayland, NULL);
      g_setenv ("WAYLAND_DISPLAY", abs, TRUE);
    }

#define SET_DIR(var, sub) G_STMT_START { \
    g_autofree char *d = g_build_filename (home, sub, NULL); \
    g_setenv (var, d, TRUE); \
  } G_STMT_END
  SET_DIR ("XDG_DATA_HOME", "data");
  SET_DIR ("XDG_CONFIG_HOME", "config");
  SET_DIR ("XDG_CACHE_HOME", "cache");
  SET_DIR ("XDG_RUNTIME_DIR", "run");
#undef SET_DIR
  g_setenv (DEMO_SESSION_ENV, "1", TRUE);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_unsetenv (SM_NETWORK_BASE_ENV);

  args = g_ptr_array_new ();
  g_ptr_array_add (args, (char *) "dbus-run-session");
  g_ptr_array_add (args, (char *) "--");
  g_ptr_array_add (args, (char *) "sh");
  g_ptr_array_add (args, (char *) "-c");
  /* The keyring daemon is not ours: G_DEBUG=fatal-warnings meant for the
   * app (as the tests set it) must not stop it at a warning of its own,
   * which leaves the keyring to be started locked, asking for a password. */
  g_ptr_array_add (args, (char *) "printf demo | G_DEBUG= gnome-keyring-daemon --daemonize --unlock "
                                  "--components=secrets >/dev/null; exec \"$@\"");
  g_ptr_array_add (args, (char *) "sh");
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);

  execvp ("dbus-run-session", (char **) args->pdata);
  g_printerr (_("Cannot start the demo in a session of its own (%s); "
                "is dbus-run-session installed?\n"), g_strerror (errno));
  exit (1);
}
