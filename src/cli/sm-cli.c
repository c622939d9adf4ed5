/* sm-cli.c — `so-me`: the same store and publisher as the window, for
 * scripts.  It writes intent into the store and calls Wake(), exactly as
 * the UI does; it never talks to a network to publish.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sm-cli.h"
#include "sm-cli-bucket.h"
#include "sm-cli-queue.h"
#include "sm-cli-workspace.h"
#include "sm-connect.h"
#include "sm-media.h"
#include "sm-media-rules.h"
#include "sm-options.h"
#include "sm-platform.h"
#include "sm-post-check.h"
#include "sm-publisher-dbus.h"
#include "sm-queue.h"
#include "sm-store.h"
#include "sm-text.h"
#include "sm-time.h"
#include "sm-token-store.h"

#define PUBLISHER_PATH "/studio/so_me/Studio/Publisher"

int
sm_cli_fail (const char *format,
             ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("so-me: %s\n", msg);
  return 1;
}

gboolean
sm_cli_parse_json_only (int         argc,
                        char      **argv,
                        const char *command,
                        gboolean   *json)
{
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      sm_cli_fail ("%s", error->message);
      return FALSE;
    }
  if (argc > 1)
    {
      /* Translators: %s is a command, "workspace list" */
      sm_cli_fail (_("“%s” takes no arguments"), command);
      return FALSE;
    }
  return TRUE;
}

static int
fail_error (const GError *error)
{
  return sm_cli_fail ("%s", error->message);
}

static SmStore *
open_store (GError **error)
{
  return sm_store_open (NULL, error);
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

/* Wake the publisher, starting it by D-Bus activation if it is not running.
 * The post is saved either way; a publisher that cannot be reached picks
 * it up when it next starts. */
static void
wake_publisher (void)
{
  g_autoptr(GError) error = NULL;
  SmDBusPublisher1 *proxy;

  proxy = sm_dbus_publisher1_proxy_new_for_bus_sync (G_BUS_TYPE_SESSION,
                                                     G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                                     G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                                                     PUBLISHER_BUS_NAME, PUBLISHER_PATH,
                                                     NULL, &error);
  if (proxy == NULL ||
      !sm_dbus_publisher1_call_wake_sync (proxy, NULL, &error))
    g_printerr (_("so-me: saved, but the publisher could not be reached (%s); "
                  "it will publish when it next starts.\n"), error->message);
  g_clear_object (&proxy);
}

void
sm_cli_wake_publisher (void)
{
  wake_publisher ();
}

/* ---- accounts ----------------------------------------------------------- */

static JsonNode *
account_to_json (const SmAccount *a)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, a->id);
  json_builder_set_member_name (b, "network");
  json_builder_add_string_value (b, sm_network_to_string (a->network));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, a->name);
  json_builder_set_member_name (b, "handle");
  if (a->handle)
    json_builder_add_string_value (b, a->handle);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, sm_account_state_to_string (a->state));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
cmd_accounts_list (int    argc,
                   char **argv)
{
  gboolean json = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  gint64 workspace_id;

  if (!sm_cli_parse_json_only (argc, argv, "accounts list", &json))
    return 1;
  if (!(store = open_store (&error)) ||
      !(workspace_id = sm_cli_resolve_workspace (store, NULL, &error)) ||
      !(accounts = sm_store_list_accounts_in (store, workspace_id, &error)))
    return fail_error (error);

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      json_node_take_array (root, array);
      for (guint i = 0; i < accounts->len; i++)
        json_array_add_element (array, account_to_json (g_ptr_array_index (accounts, i)));
      print_json (root);
      return 0;
    }

  if (accounts->len == 0)
    g_print ("%s\n", _("No accounts. Connect one with “so-me accounts connect NETWORK”."));
  for (guint i = 0; i < accounts->len; i++)
    {
      SmAccount *a = g_ptr_array_index (accounts, i);
      g_print ("%" G_GINT64_FORMAT "\t%s\t%s%s%s\t%s\n", a->id, sm_network_to_string (a->network),
               a->name, a->handle ? " " : "", a->handle ? a->handle : "",
               sm_account_state_to_string (a->state));
    }
  return 0;
}

typedef struct
{
  GMainLoop *loop;
  GArray    *ids;
  GError    *error;
} ConnectWait;

static void
print_url_cb (const char *url,
              gpointer    user_data)
{
  g_print ("%s\n", url);
  fflush (stdout);
}

static void
connect_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ConnectWait *wait = user_data;

  wait->ids = sm_connect_account_finish (result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static SmNetwork
parse_network (const char *name,
               GError    **error)
{
  SmNetwork network = sm_network_from_string (name);

  if (network == SM_NETWORK_INVALID)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("“%s” is not a network; use x, facebook, linkedin, threads, "
                   "instagram, youtube, tiktok or whatsapp"), name ? name : "");
  return network;
}

/* One line from standard input, never from the command line (where ps
 * would show it) nor on the screen: on a terminal, read with echo off after
 * @prompt.  Stripped; the caller wipes it. */
GString *
sm_cli_read_secret (const char *prompt)
{
  GString *secret = g_string_new (NULL);
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved, quiet;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  if (tty && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      g_printerr ("%s", prompt);
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  else
    tty = FALSE;
  n = getline (&line, &cap, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  if (n > 0)
    g_string_append_len (secret, line, n);
  if (line)
    {
      memset (line, 0, cap);
      free (line);
    }
  g_strstrip (secret->str);
  secret->len = strlen (secret->str);
  return secret;
}

void
sm_cli_wipe_secret (GString *secret)
{
  memset (secret->str, 0, secret->allocated_len);
  g_string_free (secret, TRUE);
}

typedef struct
{
  GMainLoop *loop;
  gint64     id;
  GError    *error;
} TokenConnectWait;

static void
token_connect_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  TokenConnectWait *wait = user_data;

  wait->id = sm_connect_account_with_token_finish (result, &wait->error);
  g_main_loop_quit (wait->loop);
}

/* WhatsApp: the phone number id on the command line, the system-user token
 * on standard input; checked with the network before anything is saved. */
static int
connect_with_token (SmStore    *store,
                    SmNetwork   network,
                    const char *remote_id)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(SmAccount) account = NULL;
  TokenConnectWait wait = { loop, 0, NULL };
  g_autoptr(GError) error = NULL;
  gint64 workspace_id = sm_cli_resolve_workspace (store, NULL, &error);
  GString *token;

  if (workspace_id == 0)
    return fail_error (error);
  token = sm_cli_read_secret (_("System-user access token, then Enter: "));

  if (token->len == 0)
    {
      sm_cli_wipe_secret (token);
      return sm_cli_fail (_("no token on standard input; pipe the system-user token in, such as "
                     "“so-me accounts connect %s --phone-number-id ID < token.txt”"),
                   sm_network_to_string (network));
    }

  sm_connect_account_with_token_async (store, workspace_id, network, remote_id, token->str,
                                       NULL, token_connect_done_cb, &wait);
  sm_cli_wipe_secret (token);
  g_main_loop_run (loop);
  if (wait.id == 0)
    {
      int ret = fail_error (wait.error);
      g_clear_error (&wait.error);
      return ret;
    }
  account = sm_store_get_account (store, wait.id, NULL);
  if (account)
    g_printerr (_("Connected %s account %" G_GINT64_FORMAT ": %s\n"),
                sm_network_display_name (account->network), account->id, account->name);
  return 0;
}

static int
cmd_accounts_connect (int    argc,
                      char **argv)
{
  gboolean print_url = FALSE;
  g_autofree char *phone_number_id = NULL;
  GOptionEntry entries[] = {
    { "print-url", 0, 0, G_OPTION_ARG_NONE, &print_url,
      N_("Print the sign-in address instead of opening a browser, then wait"), NULL },
    { "phone-number-id", 0, 0, G_OPTION_ARG_STRING, &phone_number_id,
      N_("WhatsApp: the business phone number's id; the token is read from standard input"),
      N_("ID") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (N_("NETWORK"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  ConnectWait wait = { loop, NULL, NULL };
  SmNetwork network;
  gint64 workspace_id;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return fail_error (error);
  if (argc != 2)
    return sm_cli_fail (_("usage: so-me accounts connect NETWORK [--print-url]"));
  if ((network = parse_network (argv[1], &error)) == SM_NETWORK_INVALID)
    return fail_error (error);

  if (sm_platform_get (network) != NULL && !sm_platform_uses_oauth (sm_platform_get (network)))
    {
      if (phone_number_id == NULL || *phone_number_id == '\0')
        return sm_cli_fail (_("usage: so-me accounts connect %s --phone-number-id ID < TOKEN"),
                     sm_network_to_string (network));
      if (!(store = open_store (&error)))
        return fail_error (error);
      return connect_with_token (store, network, phone_number_id);
    }
  if (phone_number_id != NULL)
    return sm_cli_fail (_("--phone-number-id is for WhatsApp; %s accounts connect in the browser"),
                 sm_network_display_name (network));

  if (!(store = open_store (&error)) ||
      !(workspace_id = sm_cli_resolve_workspace (store, NULL, &error)))
    return fail_error (error);

  if (!print_url)
    g_printerr ("%s\n", _("Continue in your browser…"));
  sm_connect_account_async (store, workspace_id, network, !print_url,
                            print_url ? print_url_cb : NULL, NULL,
                            NULL, connect_done_cb, &wait);
  g_main_loop_run (loop);

  if (wait.ids == NULL)
    {
      int ret = fail_error (wait.error);
      g_clear_error (&wait.error);
      return ret;
    }
  for (guint i = 0; i < wait.ids->len; i++)
    {
      g_autoptr(SmAccount) a = sm_store_get_account (store, g_array_index (wait.ids, gint64, i), NULL);
      if (a)
        g_printerr (_("Connected %s account %" G_GINT64_FORMAT ": %s\n"),
                    sm_network_display_name (a->network), a->id, a->name);
    }
  g_array_unref (wait.ids);
  return 0;
}

static int
cmd_accounts_credentials (int    argc,
                          char **argv)
{
  g_autofree char *client_id = NULL;
  GOptionEntry entries[] = {
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, N_("The app's client id"), N_("ID") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (N_("NETWORK"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) secret = g_string_new (NULL);
  SmClientCredentials creds = { 0 };
  SmNetwork network;
  gboolean ok;

  g_option_context_set_summary (ctx, N_("Saves your own app's client id, and the client "
                                        "secret read from standard input, in the keyring."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return fail_error (error);
  if (argc != 2 || client_id == NULL || *client_id == '\0')
    return sm_cli_fail (_("usage: so-me accounts credentials NETWORK --client-id ID < secret"));
  if ((network = parse_network (argv[1], &error)) == SM_NETWORK_INVALID)
    return fail_error (error);

  /* The secret never goes on the command line, where ps would show it,
   * nor on the screen. */
  {
    GString *line = sm_cli_read_secret (_("Client secret (empty for none), then Enter: "));

    g_string_append_len (secret, line->str, line->len);
    sm_cli_wipe_secret (line);
  }
  creds.client_id = client_id;
  creds.client_secret = *secret->str ? secret->str : NULL;
  ok = sm_token_store_save_credentials (network, &creds, NULL, &error);
  memset (secret->str, 0, secret->len);
  return ok ? 0 : fail_error (error);
}

static int
cmd_accounts_disconnect (int    argc,
                         char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 id;

  if (argc != 2 || !g_ascii_string_to_signed (argv[1], 10, 1, G_MAXINT64, &id, NULL))
    return sm_cli_fail (_("usage: so-me accounts disconnect ACCOUNT_ID"));
  if (!(store = open_store (&error)) || !sm_disconnect_account (store, id, NULL, &error))
    return fail_error (error);
  return 0;
}

static int
cmd_accounts (int    argc,
              char **argv)
{
  if (argc < 2)
    return sm_cli_fail (_("usage: so-me accounts list|connect|credentials|disconnect …"));
  if (g_str_equal (argv[1], "list"))
    return cmd_accounts_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "connect"))
    return cmd_accounts_connect (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "credentials"))
    return cmd_accounts_credentials (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "disconnect"))
    return cmd_accounts_disconnect (argc - 1, argv + 1);
  return sm_cli_fail (_("unknown command “accounts %s”"), argv[1]);
}

/* ---- posts -------------------------------------------------------------- */

static JsonNode *
post_to_json (const SmPost *post)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *due = sm_time_format_utc (post->due_us);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, post->id);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, post->text);
  json_builder_set_member_name (b, "due");
  json_builder_add_string_value (b, due);
  json_builder_set_member_name (b, "time_zone");
  json_builder_add_string_value (b, post->time_zone);
  json_builder_set_member_name (b, "targets");
  json_builder_begin_array (b);
  for (guint i = 0; i < post->targets->len; i++)
    {
      SmTarget *t = g_ptr_array_index (post->targets, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, t->id);
      json_builder_set_member_name (b, "account");
      json_builder_add_int_value (b, t->account_id);
      json_builder_set_member_name (b, "network");
      json_builder_add_string_value (b, sm_network_to_string (t->network));
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, sm_target_state_to_string (t->state));
      json_builder_set_member_name (b, "attempts");
      json_builder_add_int_value (b, t->attempts);
#define ADD_OPT_STRING(name, value) \
      json_builder_set_member_name (b, name); \
      if (value) json_builder_add_string_value (b, value); else json_builder_add_null_value (b);
      ADD_OPT_STRING ("remote_id", t->remote_id);
      ADD_OPT_STRING ("permalink", t->permalink);
      ADD_OPT_STRING ("error", t->last_error);
#undef ADD_OPT_STRING
      if (t->has_variant)
        {
          json_builder_set_member_name (b, "text");
          json_builder_add_string_value (b, t->text);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_post (const SmPost *post)
{
  g_autofree char *due = sm_time_format_local (post->due_us, post->time_zone);

  g_print ("%" G_GINT64_FORMAT "\t%s %s\t%s\n", post->id, due, post->time_zone, post->text);
  for (guint i = 0; i < post->targets->len; i++)
    {
      SmTarget *t = g_ptr_array_index (post->targets, i);

      /* The target id first: retry, update and delete take it. */
      g_print ("\t%" G_GINT64_FORMAT "\t%s (%s)\t%s", t->id, sm_network_display_name (t->network),
               t->account_name, sm_target_state_display (t->state));
      if (t->permalink)
        g_print ("\t%s", t->permalink);
      /* On a published post it is a note: what did not happen. */
      if (t->last_error)
        g_print ("\t%s", t->last_error);
      g_print ("\n");
    }
}

static int
cmd_post (int    argc,
          char **argv)
{
  g_auto(GStrv) to = NULL;
  g_autofree char *at = NULL;
  g_autofree char *zone = NULL;
  g_auto(GStrv) variants = NULL;
  g_auto(GStrv) opts = NULL;
  g_auto(GStrv) media_paths = NULL;
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_media_info_free);
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (SmPostMedia));
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gboolean draft = FALSE;
  gboolean queue = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("Account to post to (repeat for more)"), N_("ACCOUNT_ID") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("When: “now”, RFC 3339, or a local time in --zone"), N_("WHEN") },
    { "queue", 0, 0, G_OPTION_ARG_NONE, &queue, N_("At the accounts' next free posting time (see “so-me queue”)"), NULL },
    { "zone", 0, 0, G_OPTION_ARG_STRING, &zone, N_("IANA time zone the time is meant in (default: the workspace's)"), N_("ZONE") },
    { "text-for", 0, 0, G_OPTION_ARG_STRING_ARRAY, &variants, N_("Own text for one account"), N_("ACCOUNT_ID=TEXT") },
    { "draft", 0, 0, G_OPTION_ARG_NONE, &draft, N_("Save as a draft; do not schedule"), NULL },
    { "media", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &media_paths,
      N_("A photo or video to attach (repeatable, in order)"), N_("FILE") },
    { "option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts,
      N_("A network's option, such as youtube.privacy=unlisted (repeatable)"), N_("KEY=VALUE") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (N_("TEXT"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GArray) specs = g_array_new (FALSE, TRUE, sizeof (SmTargetSpec));
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_free);
  g_autofree char *workspace_zone = NULL;
  const char *text;
  gint64 due_us, post_id, workspace_id = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return fail_error (error);
  if (argc != 2)
    return sm_cli_fail (_("usage: so-me post --to ACCOUNT_ID [--to …] --at WHEN|--queue [--media FILE …] [--option KEY=VALUE …] TEXT"));
  text = argv[1];
  if (!g_utf8_validate (text, -1, NULL))
    return sm_cli_fail (_("the text is not valid UTF-8"));
  if (to == NULL || to[0] == NULL)
    return sm_cli_fail (_("say which account to post to with --to ACCOUNT_ID (see “so-me accounts list”)"));
  if (queue && (at != NULL || draft))
    return sm_cli_fail (_("--queue picks the time itself; leave out --at and --draft"));
  if (at == NULL && !draft && !queue)
    return sm_cli_fail (_("say when with --at WHEN (“now” or a time such as 2026-10-24T09:00) or --queue"));

  if (!(store = open_store (&error)))
    return fail_error (error);
  /* The post goes to its accounts' workspace: --workspace names it (and
   * the accounts must be in it); otherwise the first account's. */
  if (sm_cli_workspace_given ())
    {
      if ((workspace_id = sm_cli_resolve_workspace (store, &workspace_zone, &error)) == 0)
        return fail_error (error);
    }
  else
    {
      gint64 first = 0;
      g_autoptr(SmAccount) account = NULL;

      if (g_ascii_string_to_signed (to[0], 10, 1, G_MAXINT64, &first, NULL) &&
          (account = sm_store_get_account (store, first, NULL)) != NULL)
        workspace_id = account->workspace_id;
      if ((workspace_id = sm_store_resolve_workspace (store, workspace_id, &workspace_zone, &error)) == 0)
        return fail_error (error);
    }
  if (zone == NULL && !queue)
    zone = g_strdup (workspace_zone);
  if (zone != NULL && !sm_time_zone_is_valid (zone))
    return sm_cli_fail (_("“%s” is not a time zone; use a name like Europe/Berlin"), zone);

  if (queue || at == NULL)
    due_us = g_get_real_time ();
  else if (!sm_time_parse_when (at, zone, g_get_real_time (), &due_us, &error))
    return fail_error (error);

  for (guint i = 0; to[i]; i++)
    {
      SmTargetSpec spec = { 0 };
      SmAccount *account;

      if (!g_ascii_string_to_signed (to[i], 10, 1, G_MAXINT64, &spec.account_id, NULL))
        return sm_cli_fail (_("“%s” is not an account id; “so-me accounts list” shows them"), to[i]);
      if (!(account = sm_store_get_account (store, spec.account_id, &error)))
        return fail_error (error);
      g_ptr_array_add (accounts, account);
      if (account->workspace_id != workspace_id)
        {
          g_autoptr(SmWorkspace) workspace = sm_store_get_workspace (store, workspace_id, NULL);

          return sm_cli_fail (_("account %" G_GINT64_FORMAT " is not in the workspace “%s”; "
                         "“so-me --workspace NAME accounts list” shows each workspace's accounts"),
                       account->id, workspace != NULL ? workspace->name : "");
        }

      for (guint j = 0; variants && variants[j]; j++)
        {
          const char *eq = strchr (variants[j], '=');
          g_autofree char *id = eq ? g_strndup (variants[j], eq - variants[j]) : NULL;

          if (eq == NULL)
            return sm_cli_fail (_("--text-for takes ACCOUNT_ID=TEXT"));
          if (g_strcmp0 (id, to[i]) == 0)
            spec.text = eq + 1;
        }
      g_array_append_val (specs, spec);
    }

  /* --queue: the earliest free posting time all the accounts share,
   * meant in the first account's zone unless --zone says otherwise. */
  if (queue)
    {
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; i < specs->len; i++)
        g_array_append_val (ids, g_array_index (specs, SmTargetSpec, i).account_id);
      due_us = sm_queue_next_free (store, (const gint64 *) ids->data, ids->len,
                                   g_get_real_time (), &error);
      if (due_us == 0)
        return fail_error (error);
      if (zone == NULL &&
          !(zone = sm_store_get_account_zone (store, g_array_index (ids, gint64, 0), &error)))
        return fail_error (error);
    }

  /* Options are KEY=VALUE; what they say is checked with the rest. */
  for (guint i = 0; opts && opts[i]; i++)
    {
      const char *eq = strchr (opts[i], '=');

      if (eq == NULL)
        return sm_cli_fail (_("--option takes KEY=VALUE, such as youtube.privacy=unlisted"));
      g_hash_table_insert (options, g_strndup (opts[i], eq - opts[i]), g_strdup (eq + 1));
    }

  /* The same checks as the import and the window, before anything is
   * saved: texts, options, files, the bucket. */
  {
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_problem_free);
    g_autofree const char **texts = g_new0 (const char *, specs->len + 1);
    SmPostCheckContext context = { sm_store_get_dir (store), -1 };
    SmPostCheck check = { text, accounts, texts, options,
                          (const char *const *) media_paths,
                          media_paths ? g_strv_length (media_paths) : 0 };

    for (guint i = 0; i < specs->len; i++)
      texts[i] = g_array_index (specs, SmTargetSpec, i).text;
    if (!sm_post_check (&context, &check, media, problems, NULL))
      {
        for (guint i = 0; i < problems->len; i++)
          {
            SmPostProblem *problem = g_ptr_array_index (problems, i);

            if (problem->field == SM_POST_FIELD_TEXT)
              sm_cli_fail (_("%s (account %" G_GINT64_FORMAT "; give it its own text with --text-for %" G_GINT64_FORMAT "=…)"),
                    problem->message, problem->account_id, problem->account_id);
            else
              sm_cli_fail ("%s", problem->message);
          }
        return 1;
      }
  }

  for (guint i = 0; i < media->len; i++)
    {
      SmMediaInfo *info = g_ptr_array_index (media, i);
      SmPostMedia row = { 0, info->path, (gint64) info->size_bytes, info->sha256, info->mime_type };

      g_array_append_val (rows, row);
    }

  if (queue)
    {
      /* The slot found above may be taken by now; this picks again and
       * saves in one transaction. */
      SmNewPost post = { text, 0, zone, (SmTargetSpec *) specs->data, specs->len,
                         (SmPostMedia *) rows->data, rows->len, options, FALSE };

      post_id = sm_queue_create_post (store, &post, g_get_real_time (), &due_us, &error);
    }
  else
    post_id = sm_store_create_post_full (store, text, due_us, zone,
                                         (SmTargetSpec *) specs->data, specs->len,
                                         (SmPostMedia *) rows->data, rows->len, options,
                                         draft, &error);
  if (post_id == 0)
    return fail_error (error);

  g_print ("%" G_GINT64_FORMAT "\n", post_id);
  /* The id stays alone on standard output, for scripts; the chosen time
   * is for people, in each account's own zone. */
  for (guint i = 0; queue && i < accounts->len; i++)
    {
      SmAccount *account = g_ptr_array_index (accounts, i);
      g_autofree char *account_zone = sm_store_get_account_zone (store, account->id, NULL);
      g_autofree char *when = sm_time_format_local (due_us, account_zone);

      g_printerr (_("Queued for %s %s (%s, %s)\n"), when, account_zone ? account_zone : "UTC",
                  account->name, sm_network_display_name (account->network));
    }
  if (!draft)
    wake_publisher ();
  return 0;
}

static int
cmd_status (int    argc,
            char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (N_("POST_ID"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmPost) post = NULL;
  gint64 id;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return fail_error (error);
  if (argc != 2 || !g_ascii_string_to_signed (argv[1], 10, 1, G_MAXINT64, &id, NULL))
    return sm_cli_fail (_("usage: so-me status POST_ID [--json]"));
  if (!(store = open_store (&error)) || !(post = sm_store_get_post (store, id, &error)))
    return fail_error (error);

  if (json)
    {
      g_autoptr(JsonNode) node = post_to_json (post);
      print_json (node);
    }
  else
    print_post (post);
  return 0;
}

static int
cmd_list (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GPtrArray) posts = NULL;

  if (!sm_cli_parse_json_only (argc, argv, "list", &json))
    return 1;
  if (!(store = open_store (&error)))
    return fail_error (error);
  /* Every workspace's posts, unless --workspace names one. */
  if (sm_cli_workspace_given ())
    {
      gint64 workspace_id = sm_cli_resolve_workspace (store, NULL, &error);

      if (workspace_id == 0 ||
          !(posts = sm_store_list_posts_in (store, workspace_id, G_MININT64, G_MAXINT64, &error)))
        return fail_error (error);
    }
  else if (!(posts = sm_store_list_posts (store, G_MININT64, G_MAXINT64, &error)))
    return fail_error (error);

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      json_node_take_array (root, array);
      for (guint i = 0; i < posts->len; i++)
        json_array_add_element (array, post_to_json (g_ptr_array_index (posts, i)));
      print_json (root);
      return 0;
    }
  for (guint i = 0; i < posts->len; i++)
    print_post (g_ptr_array_index (posts, i));
  return 0;
}

static int
cmd_retry (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 id;

  if (argc != 2 || !g_ascii_string_to_signed (argv[1], 10, 1, G_MAXINT64, &id, NULL))
    return sm_cli_fail (_("usage: so-me retry TARGET_ID"));
  if (!(store = open_store (&error)) || !sm_store_retry_target (store, id, &error))
    return fail_error (error);
  wake_publisher ();
  return 0;
}

static SmDBusPublisher1 *
publisher_proxy (GError **error)
{
  return sm_dbus_publisher1_proxy_new_for_bus_sync (G_BUS_TYPE_SESSION,
                                                    G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                                    G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                                                    PUBLISHER_BUS_NAME, PUBLISHER_PATH,
                                                    NULL, error);
}

/* A publisher's answer, without D-Bus's error name in front. */
static int
fail_remote (GError *error)
{
  g_dbus_error_strip_remote_error (error);
  return fail_error (error);
}

/* so-me update TARGET_ID [--text TEXT] [--option KEY=VALUE …]: a post not
 * sent yet changes here; a published one changes at the network first
 * (where it allows), then here. */
static int
cmd_update (int    argc,
            char **argv)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) opts = NULL;
  GOptionEntry entries[] = {
    { "text", 0, 0, G_OPTION_ARG_STRING, &text, N_("The new text"), N_("TEXT") },
    { "option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts,
      N_("A network's option, such as youtube.title=… (repeatable)"), N_("KEY=VALUE") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (N_("TARGET_ID"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmTarget) t = NULL;
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));
  gint64 id;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return fail_error (error);
  if (argc != 2 || !g_ascii_string_to_signed (argv[1], 10, 1, G_MAXINT64, &id, NULL) ||
      (text == NULL && opts == NULL))
    return sm_cli_fail (_("usage: so-me update TARGET_ID [--text TEXT] [--option KEY=VALUE …]"));
  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    return sm_cli_fail (_("the text is not valid UTF-8"));
  if (!(store = open_store (&error)) || !(t = sm_store_get_target (store, id, &error)))
    return fail_error (error);

  if (text != NULL)
    {
      g_autofree char *message = NULL;

      if (!sm_text_check (t->network, text, &message))
        return sm_cli_fail ("%s", message);
    }
  for (guint i = 0; opts && opts[i]; i++)
    {
      g_autofree char *key = NULL;
      g_autofree char *message = NULL;
      const char *eq = strchr (opts[i], '=');

      if (eq == NULL)
        return sm_cli_fail (_("--option takes KEY=VALUE, such as youtube.privacy=unlisted"));
      key = g_strndup (opts[i], eq - opts[i]);
      if (!sm_options_check (key, eq + 1, &message))
        return sm_cli_fail ("%s", message);
      if (sm_options_network (key) != t->network)
        return sm_cli_fail (_("%s is for %s, but this post is on %s"), key,
                     sm_network_display_name (sm_options_network (key)),
                     sm_network_display_name (t->network));
      g_variant_builder_add (builder, "{ss}", key, eq + 1);
    }

  switch (t->state)
    {
    case SM_TARGET_PUBLISHED:
      {
        g_autoptr(SmDBusPublisher1) proxy = publisher_proxy (&error);

        if (proxy == NULL)
          return fail_error (error);
        /* The network may take a while to answer (a thumbnail upload). */
        g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (proxy), 5 * 60 * 1000);
        if (!sm_dbus_publisher1_call_change_published_sync (proxy, id, text ? text : t->text,
                                                            g_variant_builder_end (builder),
                                                            NULL, &error))
          return fail_remote (error);
        return 0;
      }

    case SM_TARGET_DRAFT:
    case SM_TARGET_SCHEDULED:
    case SM_TARGET_FAILED:
      if (text != NULL && !sm_store_set_target_text (store, id, text, &error))
        return fail_error (error);
      for (guint i = 0; opts && opts[i]; i++)
        {
          const char *eq = strchr (opts[i], '=');
          g_autofree char *key = g_strndup (opts[i], eq - opts[i]);

          if (!sm_store_set_post_option (store, t->post_id, key, eq + 1, &error))
            return fail_error (error);
        }
      return 0;

    case SM_TARGET_PUBLISHING:
    case SM_TARGET_UNCONFIRMED:
    default:
      return sm_cli_fail (_("this post is being sent right now; change it once it is published"));
    }
}

/* so-me delete TARGET_ID: a published post is deleted at the network, then
 * here; one not sent yet is only removed here. */
static int
cmd_delete (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmTarget) t = NULL;
  gint64 id;

  if (argc != 2 || !g_ascii_string_to_signed (argv[1], 10, 1, G_MAXINT64, &id, NULL))
    return sm_cli_fail (_("usage: so-me delete TARGET_ID"));
  if (!(store = open_store (&error)) || !(t = sm_store_get_target (store, id, &error)))
    return fail_error (error);

  if (t->state == SM_TARGET_PUBLISHED)
    {
      g_autoptr(SmDBusPublisher1) proxy = publisher_proxy (&error);

      if (proxy == NULL)
        return fail_error (error);
      g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (proxy), 2 * 60 * 1000);
      if (!sm_dbus_publisher1_call_delete_published_sync (proxy, id, NULL, &error))
        return fail_remote (error);
      return 0;
    }
  if (t->state == SM_TARGET_PUBLISHING || t->state == SM_TARGET_UNCONFIRMED)
    return sm_cli_fail (_("this post is being sent right now, or may have gone out; "
                   "check “so-me status %" G_GINT64_FORMAT "” and delete it once it is published"),
                 t->post_id);
  if (!sm_store_delete_target (store, id, &error))
    return fail_error (error);
  wake_publisher ();
  return 0;
}

static void
usage (void)
{
  g_print ("%s\n", _("Usage: so-me COMMAND …\n"
                     "\n"
                     "  accounts list [--json]                  the connected accounts\n"
                     "  accounts connect NETWORK [--print-url]  connect an account in the browser\n"
                     "  accounts connect whatsapp --phone-number-id ID < TOKEN\n"
                     "                                          connect a WhatsApp Business number\n"
                     "  accounts credentials NETWORK --client-id ID < SECRET\n"
                     "                                          use your own app at a network\n"
                     "  accounts disconnect ACCOUNT_ID          remove an account and its tokens\n"
                     "  post --to ACCOUNT_ID … --at WHEN TEXT   schedule a post (WHEN: now or a time)\n"
                     "  post --to ACCOUNT_ID … --queue TEXT     at the accounts' next free posting time\n"
                     "  queue list|add|remove|zone ACCOUNT_ID … weekly posting times (add ID mon,thu 09:30)\n"
                     "  import FILE.csv [--dry-run]             schedule the posts of a CSV file\n"
                     "  status POST_ID [--json]                 a post and its state per account\n"
                     "  list [--json]                           all posts\n"
                     "  retry TARGET_ID                         send a failed post again\n"
                     "  update TARGET_ID [--text T] [--option K=V]\n"
                     "                                          change a post, at the network too\n"
                     "  delete TARGET_ID                        delete a post, at the network too\n"
                     "  media check FILE [--to NETWORK …]       whether the networks take a file\n"
                     "  media transcode FILE [--out FILE]       convert a video to H.264/AAC MP4\n"
                     "  media thumbnail FILE --out PNG [--at S] a still frame of a video\n"
                     "  bucket set|show|test|clear              the media bucket Instagram and Threads fetch from\n"
                     "  workspace list [--json]                 the workspaces, their zones, the default one\n"
                     "  workspace create NAME [--zone ZONE]     a new workspace (prints its id)\n"
                     "  workspace rename OLD NEW | zone NAME ZONE | delete NAME\n"
                     "\n"
                     "  --workspace NAME (before or after COMMAND): the workspace whose accounts\n"
                     "  “accounts”, “post”, “import” and “list” use (default: the default one;\n"
                     "  “post” without it goes to its accounts' workspace, “list” lists all)."));
}

int
sm_cli_run (int    argc,
            char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      usage ();
      return argc < 2 ? 1 : 0;
    }
  {
    g_autoptr(GError) error = NULL;

    if (!sm_cli_take_workspace_option (&argc, argv, &error))
      return fail_error (error);
    if (argc < 2)
      {
        usage ();
        return 1;
      }
  }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("so-me %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_str_equal (argv[1], "accounts"))
    return cmd_accounts (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "post"))
    return cmd_post (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "import"))
    return sm_cli_import (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "status"))
    return cmd_status (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return cmd_list (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "retry"))
    return cmd_retry (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "update"))
    return cmd_update (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "delete"))
    return cmd_delete (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "media"))
    return sm_cli_media (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "bucket"))
    return sm_cli_bucket (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "queue"))
    return sm_cli_queue (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "workspace"))
    return sm_cli_workspace (argc - 1, argv + 1);
  usage ();
  return sm_cli_fail (_("unknown command “%s”"), argv[1]);
}
