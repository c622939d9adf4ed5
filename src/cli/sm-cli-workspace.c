/* sm-cli-workspace.c — `so-me workspace list|create|rename|zone|delete`, and
 * the global `--workspace NAME` the other commands read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sm-cli.h"
#include "sm-cli-workspace.h"
#include "sm-time.h"

static char *workspace_name;   /* --workspace, for the whole run */

gboolean
sm_cli_take_workspace_option (int     *argc,
                              char   **argv,
                              GError **error)
{
  int out = 0;

  for (int i = 0; i < *argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--"))
        {
          for (; i < *argc; i++)
            argv[out++] = argv[i];
          break;
        }
      if (g_str_equal (arg, "--workspace"))
        {
          if (i + 1 >= *argc)
            {
              g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                   _("--workspace takes a workspace's name (see “so-me workspace list”)"));
              return FALSE;
            }
          g_free (workspace_name);
          workspace_name = g_strdup (argv[++i]);
          continue;
        }
      if (g_str_has_prefix (arg, "--workspace="))
        {
          g_free (workspace_name);
          workspace_name = g_strdup (arg + strlen ("--workspace="));
          continue;
        }
      argv[out++] = argv[i];
    }
  argv[out] = NULL;
  *argc = out;
  return TRUE;
}

gboolean
sm_cli_workspace_given (void)
{
  return workspace_name != NULL;
}

gint64
sm_cli_resolve_workspace (SmStore  *store,
                          char    **zone,
                          GError  **error)
{
  gint64 id = 0;

  if (workspace_name != NULL && (id = sm_store_find_workspace (store, workspace_name, error)) == 0)
    return 0;
  return sm_store_resolve_workspace (store, id, zone, error);
}

static JsonNode *
workspace_to_json (const SmWorkspace *workspace,
                   gboolean           is_default)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, workspace->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, workspace->name);
  json_builder_set_member_name (b, "time_zone");
  json_builder_add_string_value (b, workspace->time_zone);
  json_builder_set_member_name (b, "default");
  json_builder_add_boolean_value (b, is_default);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* `workspace list [--json]`: id, name, zone; the default one marked. */
static int
cmd_list (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GPtrArray) workspaces = NULL;
  gint64 def;

  if (!sm_cli_parse_json_only (argc, argv, "workspace list", &json))
    return 1;
  if (!(store = sm_store_open (NULL, &error)) ||
      !(def = sm_store_get_default_workspace (store, NULL, &error)) ||
      !(workspaces = sm_store_list_workspaces (store, &error)))
    return sm_cli_fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;
      JsonArray *array = json_array_new ();

      json_node_take_array (root, array);
      for (guint i = 0; i < workspaces->len; i++)
        {
          const SmWorkspace *workspace = g_ptr_array_index (workspaces, i);

          json_array_add_element (array, workspace_to_json (workspace, workspace->id == def));
        }
      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      g_print ("%s\n", text);
      return 0;
    }

  for (guint i = 0; i < workspaces->len; i++)
    {
      const SmWorkspace *workspace = g_ptr_array_index (workspaces, i);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s%s\n", workspace->id, workspace->name,
               workspace->time_zone, workspace->id == def ? _("\t(default)") : "");
    }
  return 0;
}

/* `workspace create NAME [--zone ZONE]`: prints the new id. */
static int
cmd_create (int    argc,
            char **argv)
{
  g_autofree char *zone = NULL;
  GOptionEntry entries[] = {
    { "zone", 0, 0, G_OPTION_ARG_STRING, &zone,
      N_("IANA time zone of its calendar (default: this computer's)"), N_("ZONE") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (N_("NAME"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 id;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return sm_cli_fail ("%s", error->message);
  if (argc != 2)
    return sm_cli_fail (_("usage: so-me workspace create NAME [--zone ZONE]"));
  if (!(store = sm_store_open (NULL, &error)) ||
      !(id = sm_store_create_workspace (store, argv[1], zone, &error)))
    return sm_cli_fail ("%s", error->message);
  g_print ("%" G_GINT64_FORMAT "\n", id);
  return 0;
}

/* `workspace rename OLD NEW` */
static int
cmd_rename (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 id;

  if (argc != 3)
    return sm_cli_fail (_("usage: so-me workspace rename OLD_NAME NEW_NAME"));
  if (!(store = sm_store_open (NULL, &error)) ||
      !(id = sm_store_find_workspace (store, argv[1], &error)) ||
      !sm_store_rename_workspace (store, id, argv[2], &error))
    return sm_cli_fail ("%s", error->message);
  return 0;
}

/* `workspace zone NAME ZONE` */
static int
cmd_zone (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 id;

  if (argc != 3)
    return sm_cli_fail (_("usage: so-me workspace zone NAME ZONE"));
  if (!(store = sm_store_open (NULL, &error)) ||
      !(id = sm_store_find_workspace (store, argv[1], &error)) ||
      !sm_store_set_workspace_zone (store, id, argv[2], &error))
    return sm_cli_fail ("%s", error->message);
  return 0;
}

/* `workspace delete NAME`: refused while it has accounts, and for the
 * last one. */
static int
cmd_delete (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  gint64 id;

  if (argc != 2)
    return sm_cli_fail (_("usage: so-me workspace delete NAME"));
  if (!(store = sm_store_open (NULL, &error)) ||
      !(id = sm_store_find_workspace (store, argv[1], &error)) ||
      !sm_store_delete_workspace (store, id, &error))
    return sm_cli_fail ("%s", error->message);
  return 0;
}

int
sm_cli_workspace (int    argc,
                  char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return cmd_list (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "create"))
    return cmd_create (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "rename"))
    return cmd_rename (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "zone"))
    return cmd_zone (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "delete"))
    return cmd_delete (argc - 1, argv + 1);
  return sm_cli_fail (_("usage: so-me workspace list|create NAME [--zone ZONE]|rename OLD NEW|zone NAME ZONE|delete NAME"));
}
