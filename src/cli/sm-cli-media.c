/* sm-cli-media.c — `so-me media`: look at a file the way the networks will,
 * convert a video they will not take, take a still frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sm-cli.h"
#include "sm-media.h"
#include "sm-media-rules.h"
#include "sm-network.h"
#include "sm-transcode.h"

static int
media_fail (const char *message)
{
  g_printerr ("so-me: %s\n", message);
  return 1;
}

static gboolean
parse_uint (const char *text,
            guint       max,
            guint      *out)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, max, &value, NULL))
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

typedef struct
{
  gboolean tty;
  int      last;   /* the last percentage printed */
} Progress;

static void
print_progress (double   fraction,
                gpointer user_data)
{
  Progress *progress = user_data;
  int percent = (int) (fraction * 100);

  /* On a terminal one line that moves; in a log, every tenth. */
  if (progress->tty)
    {
      if (percent != progress->last)
        g_print ("\r%s %3d%%", _("Converting…"), percent);
      fflush (stdout);
    }
  else if (percent / 10 != progress->last / 10 || (percent == 100 && progress->last != 100))
    {
      g_print (_("Converting… %d%%\n"), percent);
    }
  progress->last = percent;
}

/* so-me media transcode FILE [--out FILE] [--max-fps N] [--max-size PIXELS] */
static int
cmd_transcode (int    argc,
               char **argv)
{
  SmTranscodeOptions options = { 0 };
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { isatty (STDOUT_FILENO), -1 };
  const char *input = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--out") && i + 1 < argc)
        {
          g_free (output);
          output = g_strdup (argv[++i]);
        }
      else if (g_str_equal (argv[i], "--max-fps") && i + 1 < argc)
        {
          if (!parse_uint (argv[++i], 240, &options.max_fps))
            return media_fail (_("--max-fps takes a number of frames per second, 1 to 240"));
        }
      else if (g_str_equal (argv[i], "--max-size") && i + 1 < argc)
        {
          if (!parse_uint (argv[++i], 16384, &options.max_long_side))
            return media_fail (_("--max-size takes the longer side in pixels, 1 to 16384"));
        }
      else if (argv[i][0] != '-' && input == NULL)
        input = argv[i];
      else
        input = NULL, i = argc;
    }
  if (input == NULL)
    return media_fail (_("usage: so-me media transcode FILE [--out FILE] [--max-fps N] [--max-size PIXELS]"));

  if (output == NULL)
    output = sm_transcode_default_output (input);
  if (!sm_transcode_to_mp4 (input, output, &options, print_progress, &progress, NULL, &error))
    {
      if (progress.tty && progress.last >= 0)
        g_print ("\n");
      return media_fail (error->message);
    }
  if (progress.tty)
    g_print ("\n");
  /* The path alone on the last line, for scripts. */
  g_print ("%s\n", output);
  return 0;
}

/* so-me media thumbnail FILE --out PNG [--at SECONDS] [--size PIXELS] */
static int
cmd_thumbnail (int    argc,
               char **argv)
{
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  const char *input = NULL;
  const char *output = NULL;
  double at = 0;
  guint size = 320;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--out") && i + 1 < argc)
        output = argv[++i];
      else if (g_str_equal (argv[i], "--at") && i + 1 < argc)
        {
          char *end = NULL;

          at = g_ascii_strtod (argv[++i], &end);
          if (end == argv[i] || *end != '\0' || at < 0 || at > 1e6)
            return media_fail (_("--at takes a time in seconds from the start, such as 1.5"));
        }
      else if (g_str_equal (argv[i], "--size") && i + 1 < argc)
        {
          if (!parse_uint (argv[++i], 4096, &size))
            return media_fail (_("--size takes the longer side in pixels, 1 to 4096"));
        }
      else if (argv[i][0] != '-' && input == NULL)
        input = argv[i];
      else
        input = NULL, i = argc;
    }
  if (input == NULL || output == NULL)
    return media_fail (_("usage: so-me media thumbnail FILE --out PNG [--at SECONDS] [--size PIXELS]"));

  png = sm_media_thumbnail_png (input, (gint64) (at * G_USEC_PER_SEC), size, NULL, &error);
  if (png == NULL ||
      !g_file_set_contents (output, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png),
                            &error))
    return media_fail (error->message);
  return 0;
}

/* so-me media check FILE [--to NETWORK …] [--kind KIND]: what the file is
 * and, for each network, whether it takes it and what to do if not. */
static int
cmd_check (int    argc,
           char **argv)
{
  g_autoptr(GArray) networks = g_array_new (FALSE, FALSE, sizeof (SmNetwork));
  g_autoptr(SmMediaInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const char *input = NULL;
  const char *kind = NULL;
  int status = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--to") && i + 1 < argc)
        {
          SmNetwork network = sm_network_from_string (argv[++i]);

          if (network == SM_NETWORK_INVALID)
            {
              g_autofree char *msg = g_strdup_printf (_("unknown network “%s”"), argv[i]);

              return media_fail (msg);
            }
          g_array_append_val (networks, network);
        }
      else if (g_str_equal (argv[i], "--kind") && i + 1 < argc)
        kind = argv[++i];
      else if (argv[i][0] != '-' && input == NULL)
        input = argv[i];
      else
        input = NULL, i = argc;
    }
  if (input == NULL)
    return media_fail (_("usage: so-me media check FILE [--to NETWORK …] [--kind KIND]"));
  if (networks->len == 0)
    for (SmNetwork n = SM_NETWORK_INVALID + 1; n < SM_N_NETWORKS; n++)
      g_array_append_val (networks, n);

  info = sm_media_probe (input, NULL, &error);
  if (info == NULL)
    return media_fail (error->message);

  g_print ("%s: %s, %s", input, sm_media_kind_to_string (info->kind), info->mime_type);
  if (info->width > 0)
    g_print (", %u×%u", info->width, info->height);
  if (info->duration_us > 0)
    g_print (", %.1f s", info->duration_us / (double) G_USEC_PER_SEC);
  if (info->video_codec != NULL)
    g_print (", %s", info->video_codec);
  if (info->audio_codec != NULL)
    g_print ("/%s", info->audio_codec);
  g_print (", %" G_GUINT64_FORMAT " bytes\n", info->size_bytes);

  for (guint i = 0; i < networks->len; i++)
    {
      SmNetwork network = g_array_index (networks, SmNetwork, i);
      const SmMediaInfo *items[] = { info };
      g_autofree char *problem = NULL;

      if (sm_media_rules_check_post (network, kind, items, 1, &problem))
        {
          g_print ("  %s: %s\n", sm_network_display_name (network), _("ok"));
          continue;
        }
      status = 1;
      g_print ("  %s: %s\n", sm_network_display_name (network), problem);
      if (sm_media_rules_needs_transcode (network, kind, info))
        g_print ("    %s so-me media transcode %s\n", _("fix:"), input);
    }
  return status;
}

int
sm_cli_media (int    argc,
              char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "transcode"))
    return cmd_transcode (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "thumbnail"))
    return cmd_thumbnail (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "check"))
    return cmd_check (argc - 1, argv + 1);
  return media_fail (_("usage: so-me media check|transcode|thumbnail …"));
}
