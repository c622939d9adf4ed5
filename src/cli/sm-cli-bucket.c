/* sm-cli-bucket.c — `so-me bucket`: the media bucket Instagram and Threads
 * fetch files from (sm-s3.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The settings, secret key included, live only in the keyring.  The secret
 * key is read from standard input (never the command line, where ps would
 * show it), with echo off on a terminal.  "set" saves nothing until a real
 * put, presigned get and delete of a tiny object have worked.
 */
#define G_LOG_DOMAIN "sm-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm-cli.h"
#include "sm-cli-bucket.h"
#include "sm-http.h"
#include "sm-s3.h"
#include "sm-store.h"
#include "sm-token-store.h"

/* The profile the keyring item belongs to: the store's folder. */
static char *
current_profile (GError **error)
{
  g_autoptr(SmStore) store = sm_store_open (NULL, error);

  if (store == NULL)
    return NULL;
  return g_strdup (sm_store_get_dir (store));
}

static char *
aws_region_of (const char *endpoint)
{
  g_autofree char *host = NULL;
  g_autofree char *lower = NULL;
  gsize len;

  if (!g_uri_split (endpoint, G_URI_FLAGS_NONE, NULL, NULL, &host, NULL, NULL, NULL, NULL, NULL) ||
      host == NULL)
    return NULL;
  lower = g_ascii_strdown (host, -1);
  if (strcmp (lower, "s3.amazonaws.com") == 0)
    return g_strdup ("us-east-1");
  len = strlen (lower);
  if (g_str_has_prefix (lower, "s3.") && g_str_has_suffix (lower, ".amazonaws.com") &&
      len > strlen ("s3.") + strlen (".amazonaws.com"))
    return g_strndup (lower + 3, len - strlen ("s3.") - strlen (".amazonaws.com"));
  return NULL;
}

static int
cmd_set (int    argc,
         char **argv)
{
  g_autofree char *endpoint = NULL;
  g_autofree char *region = NULL;
  g_autofree char *bucket = NULL;
  g_autofree char *key_id = NULL;
  gboolean path_style = FALSE;
  gboolean virtual_hosted = FALSE;
  GOptionEntry entries[] = {
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint,
      N_("The storage service’s https:// address, such as https://s3.eu-west-1.amazonaws.com"), N_("URL") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region,
      N_("The bucket’s region (us-east-1 for most self-hosted stores; AWS endpoints say it already)"), N_("REGION") },
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("The bucket’s name"), N_("NAME") },
    { "access-key-id", 0, 0, G_OPTION_ARG_STRING, &key_id, N_("The access key id"), N_("ID") },
    { "path-style", 0, 0, G_OPTION_ARG_NONE, &path_style,
      N_("Address the bucket as ENDPOINT/BUCKET (default for endpoints other than AWS)"), NULL },
    { "virtual-hosted", 0, 0, G_OPTION_ARG_NONE, &virtual_hosted,
      N_("Address the bucket as BUCKET.ENDPOINT (default for AWS)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmS3Config) config = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *profile = NULL;
  SmS3Addressing addressing = SM_S3_ADDRESSING_AUTO;
  GString *secret;

  g_option_context_set_summary (ctx, N_("Sets up the bucket that Instagram and Threads fetch "
                                        "photos and videos from.  The secret access key is read "
                                        "from standard input.  A tiny file is put, fetched and "
                                        "deleted to check the settings before they are saved in "
                                        "the keyring."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return sm_cli_fail ("%s", error->message);
  /* AWS's endpoints name their region; others need --region. */
  if (region == NULL && endpoint != NULL)
    region = aws_region_of (endpoint);
  if (argc != 1 || endpoint == NULL || region == NULL || bucket == NULL || key_id == NULL)
    return sm_cli_fail (_("usage: so-me bucket set --endpoint URL [--region REGION] --bucket NAME "
                   "--access-key-id ID [--path-style|--virtual-hosted] < SECRET_KEY "
                   "(--region is needed unless the endpoint is AWS’s)"));
  if (path_style && virtual_hosted)
    return sm_cli_fail (_("choose one of --path-style and --virtual-hosted"));
  if (path_style)
    addressing = SM_S3_ADDRESSING_PATH;
  else if (virtual_hosted)
    addressing = SM_S3_ADDRESSING_VIRTUAL;

  secret = sm_cli_read_secret (_("Secret access key, then Enter: "));
  if (secret->len == 0)
    {
      sm_cli_wipe_secret (secret);
      return sm_cli_fail (_("no secret access key on standard input; nothing was saved"));
    }
  config = sm_s3_config_new (endpoint, region, bucket, key_id, secret->str, addressing);
  sm_cli_wipe_secret (secret);

  if (!sm_s3_config_validate (config, &error))
    return sm_cli_fail (_("%s; nothing was saved"), error->message);
  if (!(profile = current_profile (&error)))
    return sm_cli_fail ("%s", error->message);

  session = sm_http_session_new ();
  if (!sm_s3_check (config, session, NULL, &error))
    return sm_cli_fail (_("the bucket did not work, so nothing was saved: %s"), error->message);
  if (!sm_token_store_save_bucket (profile, config, NULL, &error))
    return sm_cli_fail ("%s", error->message);

  g_print (_("The bucket “%s” works (a test file was put, fetched and deleted); its settings "
             "are saved in the keyring. Instagram and Threads posts with photos or videos "
             "will go through it.\n"), config->bucket);
  return 0;
}

static SmS3Config *
load (GError **error)
{
  g_autofree char *profile = current_profile (error);
  SmS3Config *config;

  if (profile == NULL)
    return NULL;
  config = sm_token_store_load_bucket (profile, NULL, error);
  if (config == NULL && (error == NULL || *error == NULL))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         _("no media bucket is set up; set one up with “so-me bucket set”"));
  return config;
}

static int
cmd_show (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmS3Config) config = NULL;
  SmS3Addressing addressing;

  if (!sm_cli_parse_json_only (argc, argv, "bucket show", &json))
    return 1;
  if (!(config = load (&error)))
    return sm_cli_fail ("%s", error->message);

  /* Never the secret key: only that there is one. */
  addressing = sm_s3_config_get_addressing (config);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "endpoint");
      json_builder_add_string_value (builder, config->endpoint);
      json_builder_set_member_name (builder, "region");
      json_builder_add_string_value (builder, config->region);
      json_builder_set_member_name (builder, "bucket");
      json_builder_add_string_value (builder, config->bucket);
      json_builder_set_member_name (builder, "access_key_id");
      json_builder_add_string_value (builder, config->access_key_id);
      json_builder_set_member_name (builder, "addressing");
      json_builder_add_string_value (builder, sm_s3_addressing_to_string (addressing));
      json_builder_set_member_name (builder, "secret_access_key_saved");
      json_builder_add_boolean_value (builder, *config->secret_access_key != '\0');
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      g_print ("%s\n", text);
      return 0;
    }

  g_print (_("Endpoint:           %s\n"), config->endpoint);
  g_print (_("Region:             %s\n"), config->region);
  g_print (_("Bucket:             %s\n"), config->bucket);
  g_print (_("Access key id:      %s\n"), config->access_key_id);
  g_print (_("Addressing:         %s%s\n"), sm_s3_addressing_to_string (addressing),
           config->addressing == SM_S3_ADDRESSING_AUTO ? _(" (chosen for the endpoint)") : "");
  g_print (_("Secret access key:  saved in the keyring (not shown)\n"));
  return 0;
}

static int
cmd_test (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmS3Config) config = NULL;
  g_autoptr(SoupSession) session = NULL;

  if (argc != 1)
    return sm_cli_fail (_("“bucket test” takes no arguments"));
  if (!(config = load (&error)))
    return sm_cli_fail ("%s", error->message);

  session = sm_http_session_new ();
  if (!sm_s3_check (config, session, NULL, &error))
    return sm_cli_fail (_("the bucket “%s” did not work: %s"), config->bucket, error->message);
  g_print (_("The bucket “%s” works: a test file was put, fetched through a temporary "
             "address and deleted.\n"), config->bucket);
  return 0;
}

static int
cmd_clear (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;

  if (argc != 1)
    return sm_cli_fail (_("“bucket clear” takes no arguments"));
  if (!(profile = current_profile (&error)) ||
      !sm_token_store_delete_bucket (profile, NULL, &error))
    return sm_cli_fail ("%s", error->message);
  g_print ("%s\n", _("The media bucket settings are forgotten (the bucket itself and anything "
                     "in it are untouched). Instagram and Threads posts with photos or videos "
                     "now need a bucket again."));
  return 0;
}

static void
usage (void)
{
  g_print ("%s\n", _("Usage: so-me bucket COMMAND …\n"
                     "\n"
                     "Instagram and Threads fetch photos and videos from a web address, so\n"
                     "So-me Studio puts them in your own S3-compatible bucket for a while.\n"
                     "\n"
                     "  set --endpoint URL --region REGION --bucket NAME --access-key-id ID\n"
                     "      [--path-style|--virtual-hosted] < SECRET_KEY\n"
                     "                  check the bucket, then save its settings in the keyring\n"
                     "  show [--json]   the settings (never the secret key)\n"
                     "  test            put, fetch and delete a tiny file\n"
                     "  clear           forget the settings"));
}

int
sm_cli_bucket (int    argc,
               char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      usage ();
      return argc < 2 ? 1 : 0;
    }
  if (g_str_equal (argv[1], "set"))
    return cmd_set (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "show"))
    return cmd_show (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "test"))
    return cmd_test (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "clear"))
    return cmd_clear (argc - 1, argv + 1);
  usage ();
  return sm_cli_fail (_("unknown command “bucket %s”"), argv[1]);
}
