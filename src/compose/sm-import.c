/* sm-import.c — bulk import of posts from a CSV file.
 *
 * Reading and checking are separate from saving: a file is read whole
 * (it is at most SM_IMPORT_MAX_BYTES), every row is checked with
 * sm_post_check() — the checks `so-me post` makes — and only a file
 * with no problem at all is saved, in one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-import"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-import.h"
#include "sm-media.h"
#include "sm-post-check.h"
#include "sm-time.h"

typedef enum
{
  COL_TEXT,
  COL_ACCOUNTS,
  COL_AT,
  COL_ZONE,
  COL_MEDIA,
  COL_OPTIONS,
  COL_DRAFT,
  N_COLUMNS
} Column;

static const char *const column_names[N_COLUMNS] = {
  "text", "accounts", "at", "zone", "media", "options", "draft",
};

void
sm_import_problem_free (SmImportProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->column);
  g_free (problem->message);
  g_free (problem);
}

void
sm_csv_record_free (SmCsvRecord *record)
{
  if (record == NULL)
    return;
  g_strfreev (record->fields);
  g_free (record);
}

void
sm_import_post_free (SmImportPost *post)
{
  if (post == NULL)
    return;
  g_free (post->text);
  g_free (post->time_zone);
  g_clear_pointer (&post->account_ids, g_array_unref);
  g_clear_pointer (&post->media, g_ptr_array_unref);
  g_clear_pointer (&post->options, g_hash_table_unref);
  g_free (post);
}

void
sm_import_free (SmImport *import)
{
  if (import == NULL)
    return;
  g_free (import->path);
  g_clear_pointer (&import->posts, g_ptr_array_unref);
  g_clear_pointer (&import->problems, g_ptr_array_unref);
  g_free (import);
}

static void
add_problem (GPtrArray  *problems,
             guint       row,
             const char *column,
             char       *message)
{
  SmImportProblem *problem;

  /* Two accounts of one network can give the same message twice. */
  for (guint i = 0; i < problems->len; i++)
    {
      SmImportProblem *p = g_ptr_array_index (problems, i);

      if (p->row == row && g_strcmp0 (p->column, column) == 0 &&
          g_str_equal (p->message, message))
        {
          g_free (message);
          return;
        }
    }
  problem = g_new0 (SmImportProblem, 1);
  problem->row = row;
  problem->column = g_strdup (column);
  problem->message = message;
  g_ptr_array_add (problems, problem);
}

/* ---- RFC 4180 ----------------------------------------------------------- */

/* At a record's end: LF, CRLF, or CR at the very end of the file. */
static gboolean
at_line_end (const char *p,
             const char *end)
{
  return *p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'));
}

gboolean
sm_import_parse_csv (const char *data,
                     gsize       length,
                     GPtrArray  *records,
                     GPtrArray  *problems)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = data, *end = data + length;
  guint row = 1, before;
  gboolean row_bad = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (records != NULL && problems != NULL, FALSE);

  before = problems->len;
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    p += 3;

  while (p < end)
    {
      g_string_truncate (field, 0);
      if (*p == '"')
        {
          gboolean closed = FALSE;

          for (p++; p < end; p++)
            {
              if (*p == '"')
                {
                  if (p + 1 < end && p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      p++;
                      continue;
                    }
                  closed = TRUE;
                  p++;
                  break;
                }
              /* A line break inside a field is kept as LF. */
              if (*p == '\r' && p + 1 < end && p[1] == '\n')
                continue;
              g_string_append_c (field, *p);
            }
          if (!closed)
            {
              add_problem (problems, row, NULL,
                           g_strdup (_("a quoted field is not closed: a \" is missing at its end")));
              return FALSE;
            }
          if (p < end && *p != ',' && !at_line_end (p, end))
            {
              if (!row_bad)
                add_problem (problems, row, NULL,
                             g_strdup (_("there is text after a field’s closing quote; a quote inside "
                                         "a quoted field is written twice (\"\")")));
              row_bad = TRUE;
              while (p < end && *p != ',' && *p != '\n')
                p++;
            }
        }
      else
        {
          const char *start = p;

          while (p < end && *p != ',' && !at_line_end (p, end))
            p++;
          g_string_append_len (field, start, p - start);
          if (memchr (field->str, '"', field->len) != NULL && !row_bad)
            {
              add_problem (problems, row, NULL,
                           g_strdup (_("a field has a \" but does not start with one; put the whole "
                                       "field in quotes and write the quote twice (\"\")")));
              row_bad = TRUE;
            }
        }

      g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));
      field = g_string_new (NULL);
      if (p < end && *p == ',')
        {
          p++;
          if (p < end)
            continue;
          g_ptr_array_add (fields, g_strdup ("")); /* "a," at the end of the file */
        }
      if (p < end && *p == '\r')
        p++;
      if (p < end && *p == '\n')
        p++;

      /* The end of a record; a blank line (one empty field) is left out
       * but counted. */
      if (!row_bad && !(fields->len == 1 && *(char *) g_ptr_array_index (fields, 0) == '\0'))
        {
          SmCsvRecord *record = g_new0 (SmCsvRecord, 1);

          g_ptr_array_add (fields, NULL);
          record->row = row;
          record->fields = (GStrv) g_ptr_array_steal (fields, NULL);
          g_ptr_array_add (records, record);
        }
      g_ptr_array_set_size (fields, 0);
      row_bad = FALSE;
      row++;
    }
  return problems->len == before;
}

/* ---- checking ----------------------------------------------------------- */

static gboolean
parse_bool (const char *value,
            gboolean   *out)
{
  static const char *const yes[] = { "true", "yes", "1", NULL };
  static const char *const no[] = { "false", "no", "0", "", NULL };

  for (guint i = 0; yes[i]; i++)
    if (g_ascii_strcasecmp (value, yes[i]) == 0)
      return *out = TRUE, TRUE;
  for (guint i = 0; no[i]; i++)
    if (g_ascii_strcasecmp (value, no[i]) == 0)
      return *out = FALSE, TRUE;
  return FALSE;
}

/* Items separated by ";", trimmed, empty ones left out. */
static GStrv
split_list (const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value, ";", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static gboolean
same_name (const char *a,
           const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (b == NULL || !g_utf8_validate (b, -1, NULL))
    return FALSE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return g_str_equal (fa, fb);
}

/* "12", "x:@handle", "x:handle" or "youtube:Channel name" (the account's
 * handle, with or without its "@", or its name, case-insensitive). */
static SmAccount *
resolve_account (GPtrArray   *accounts,
                 const char  *ref,
                 char       **message)
{
  const char *colon = strchr (ref, ':');
  g_autofree char *network_id = NULL;
  const char *who;
  SmAccount *found = NULL;
  SmNetwork network;
  gint64 id;

  if (colon == NULL)
    {
      if (!g_ascii_string_to_signed (ref, 10, 1, G_MAXINT64, &id, NULL))
        {
          *message = g_strdup_printf (_("“%s” is neither an account id nor NETWORK:HANDLE; "
                                        "“so-me accounts list” shows the accounts"), ref);
          return NULL;
        }
      for (guint i = 0; i < accounts->len; i++)
        if (((SmAccount *) g_ptr_array_index (accounts, i))->id == id)
          return g_ptr_array_index (accounts, i);
      *message = g_strdup_printf (_("there is no account %s; “so-me accounts list” shows the accounts"), ref);
      return NULL;
    }

  network_id = g_strndup (ref, colon - ref);
  network = sm_network_from_string (g_strstrip (network_id));
  if (network == SM_NETWORK_INVALID)
    {
      *message = g_strdup_printf (_("“%s” is not a network (in “%s”)"), network_id, ref);
      return NULL;
    }
  who = colon + 1;
  while (g_ascii_isspace (*who))
    who++;
  for (guint pass = 0; pass < 2 && found == NULL; pass++)
    for (guint i = 0; i < accounts->len; i++)
      {
        SmAccount *a = g_ptr_array_index (accounts, i);
        const char *handle = a->handle && *a->handle == '@' ? a->handle + 1 : a->handle;
        const char *wanted = pass == 0 && *who == '@' ? who + 1 : who;
        /* Handles first, then names. */
        const char *have = pass == 0 ? handle : a->name;

        if (a->network != network || !same_name (wanted, have))
          continue;
        if (found != NULL)
          {
            *message = g_strdup_printf (_("“%s” could be account %" G_GINT64_FORMAT " or %" G_GINT64_FORMAT
                                          "; use the account id"), ref, found->id, a->id);
            return NULL;
          }
        found = a;
      }
  if (found == NULL)
    *message = g_strdup_printf (_("no %s account has the handle or name “%s”; "
                                  "“so-me accounts list” shows the accounts"),
                                sm_network_display_name (network), who);
  return found;
}

static const char *
field_column (SmPostField field)
{
  switch (field)
    {
    case SM_POST_FIELD_TEXT:
      return column_names[COL_TEXT];
    case SM_POST_FIELD_ACCOUNTS:
      return column_names[COL_ACCOUNTS];
    case SM_POST_FIELD_OPTIONS:
      return column_names[COL_OPTIONS];
    case SM_POST_FIELD_MEDIA:
    default:
      return column_names[COL_MEDIA];
    }
}

/* The columns the header names (index per Column, -1 when absent); FALSE
 * when the rows cannot be read at all. */
static gboolean
read_header (const SmCsvRecord *header,
             int               *index,
             GPtrArray         *problems)
{
  gboolean ok = TRUE;

  for (guint c = 0; c < N_COLUMNS; c++)
    index[c] = -1;
  for (guint i = 0; header->fields[i]; i++)
    {
      g_autofree char *name = NULL;
      guint c;

      if (!g_utf8_validate (header->fields[i], -1, NULL))
        {
          add_problem (problems, header->row, NULL,
                       g_strdup_printf (_("column %u’s name is not valid UTF-8; save the file as UTF-8"), i + 1));
          continue;
        }
      name = g_ascii_strdown (g_strstrip (g_strdup (header->fields[i])), -1);
      for (c = 0; c < N_COLUMNS; c++)
        if (g_str_equal (name, column_names[c]))
          break;
      if (c == N_COLUMNS)
        add_problem (problems, header->row, name,
                     g_strdup (_("not a column So-me Studio knows; the columns are text, accounts, at, "
                                 "zone, media, options and draft")));
      else if (index[c] >= 0)
        add_problem (problems, header->row, name, g_strdup (_("this column is named twice")));
      else
        index[c] = (int) i;
    }
  for (guint c = COL_TEXT; c <= COL_ACCOUNTS; c++)
    if (index[c] < 0)
      {
        add_problem (problems, header->row, column_names[c],
                     g_strdup_printf (_("the first row must name a “%s” column"), column_names[c]));
        ok = FALSE;
      }
  return ok;
}

static void
check_row (SmPostCheckContext *context,
           const char         *folder,
           GPtrArray          *accounts,
           const char         *workspace_zone,
           const int          *index,
           guint               n_columns,
           const SmCsvRecord  *record,
           gint64              now_us,
           SmImport           *import,
           GCancellable       *cancellable)
{
  const char *value[N_COLUMNS] = { NULL };
  g_autoptr(GPtrArray) row_accounts = g_ptr_array_new ();
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) media_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) post_problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_post_problem_free);
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_media_info_free);
  GPtrArray *problems = import->problems;
  guint before = problems->len;
  guint n_fields = g_strv_length (record->fields);
  g_autofree char *zone = NULL;
  gboolean draft = FALSE, accounts_ok = TRUE, options_ok = TRUE;
  gint64 due_us = now_us;
  SmImportPost *post;

  if (n_fields != n_columns)
    {
      add_problem (problems, record->row, NULL,
                   g_strdup_printf (ngettext ("this row has %u field, but the first row names %u columns "
                                              "(a field with a comma must be in quotes)",
                                              "this row has %u fields, but the first row names %u columns "
                                              "(a field with a comma must be in quotes)", n_fields),
                                    n_fields, n_columns));
      return;
    }
  for (guint i = 0; i < n_fields; i++)
    if (!g_utf8_validate (record->fields[i], -1, NULL))
      {
        const char *column = NULL;

        for (guint c = 0; c < N_COLUMNS; c++)
          if (index[c] == (int) i)
            column = column_names[c];
        add_problem (problems, record->row, column,
                     g_strdup (_("not valid UTF-8 text; save the file as UTF-8")));
      }
  if (problems->len > before)
    return;
  for (guint c = 0; c < N_COLUMNS; c++)
    value[c] = index[c] >= 0 ? record->fields[index[c]] : "";

  /* text */
  {
    g_autofree char *stripped = g_strstrip (g_strdup (value[COL_TEXT]));
    if (*stripped == '\0')
      add_problem (problems, record->row, "text", g_strdup (_("the post has no text")));
  }

  /* draft, zone, at */
  {
    g_autofree char *stripped = g_strstrip (g_strdup (value[COL_DRAFT]));
    if (!parse_bool (stripped, &draft))
      add_problem (problems, record->row, "draft",
                   g_strdup_printf (_("“%s” is not true or false"), value[COL_DRAFT]));
  }
  zone = g_strstrip (g_strdup (value[COL_ZONE]));
  if (*zone == '\0')
    {
      g_free (zone);
      zone = g_strdup (workspace_zone);
    }
  if (!sm_time_zone_is_valid (zone))
    add_problem (problems, record->row, "zone",
                 g_strdup_printf (_("“%s” is not a time zone; use a name like Europe/Berlin"), zone));
  else
    {
      g_autofree char *at = g_strstrip (g_strdup (value[COL_AT]));
      g_autoptr(GError) error = NULL;

      if (*at == '\0' && !draft)
        add_problem (problems, record->row, "at",
                     g_strdup (_("say when: “now” or a time such as 2026-10-24T09:00 "
                                 "(only a draft may have none)")));
      else if (*at != '\0' && !sm_time_parse_when (at, zone, now_us, &due_us, &error))
        add_problem (problems, record->row, "at", g_strdup (error->message));
      else if (!draft && due_us < now_us - 60 * G_TIME_SPAN_SECOND)
        {
          g_autofree char *when = sm_time_format_local (due_us, zone);
          add_problem (problems, record->row, "at",
                       g_strdup_printf (_("%s (%s) is in the past; pick a later time or “now”"), when, zone));
        }
    }

  /* accounts: "12 14", "12; 14", "x:@handle; youtube:Channel name":
   * items end at ";"; one without a ":" may hold several ids. */
  {
    g_auto(GStrv) items = split_list (value[COL_ACCOUNTS]);
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_auto(GStrv) refs = NULL;

    for (guint i = 0; items[i]; i++)
      {
        g_auto(GStrv) ids = NULL;

        if (strchr (items[i], ':') != NULL)
          {
            g_strv_builder_add (builder, items[i]);
            continue;
          }
        ids = g_strsplit_set (items[i], " \t\r\n", -1);
        for (guint j = 0; ids[j]; j++)
          if (*ids[j] != '\0')
            g_strv_builder_add (builder, ids[j]);
      }
    refs = g_strv_builder_end (builder);
    if (refs[0] == NULL)
      {
        add_problem (problems, record->row, "accounts",
                     g_strdup (_("say which accounts to post to: account ids such as “3 7” or x:@handle")));
        accounts_ok = FALSE;
      }
    for (guint i = 0; refs[i]; i++)
      {
        char *message = NULL;
        SmAccount *account = resolve_account (accounts, refs[i], &message);

        if (account == NULL)
          {
            add_problem (problems, record->row, "accounts", message);
            accounts_ok = FALSE;
          }
        else if (g_ptr_array_find (row_accounts, account, NULL))
          {
            add_problem (problems, record->row, "accounts",
                         g_strdup_printf (_("account %" G_GINT64_FORMAT " is named twice"), account->id));
            accounts_ok = FALSE;
          }
        else
          g_ptr_array_add (row_accounts, account);
      }
  }

  /* options: "youtube.privacy=unlisted; x.thread=true" */
  {
    g_auto(GStrv) pairs = split_list (value[COL_OPTIONS]);

    for (guint i = 0; pairs[i]; i++)
      {
        const char *eq = strchr (pairs[i], '=');
        g_autofree char *key = NULL;

        if (eq == NULL)
          {
            add_problem (problems, record->row, "options",
                         g_strdup_printf (_("“%s” is not KEY=VALUE, such as youtube.privacy=unlisted"), pairs[i]));
            options_ok = FALSE;
            continue;
          }
        key = g_strstrip (g_strndup (pairs[i], eq - pairs[i]));
        if (g_hash_table_contains (options, key))
          {
            add_problem (problems, record->row, "options",
                         g_strdup_printf (_("%s is given twice"), key));
            options_ok = FALSE;
            continue;
          }
        g_hash_table_insert (options, g_steal_pointer (&key), g_strstrip (g_strdup (eq + 1)));
      }
  }

  /* media: paths relative to the CSV file's folder */
  {
    g_auto(GStrv) paths = split_list (value[COL_MEDIA]);

    for (guint i = 0; paths[i]; i++)
      g_ptr_array_add (media_paths, g_canonicalize_filename (paths[i], folder));
  }

  /* The checks `so-me post` makes, once the accounts are known. */
  if (accounts_ok && options_ok)
    {
      SmPostCheck check = { value[COL_TEXT], row_accounts, NULL, options,
                            (const char *const *) media_paths->pdata, media_paths->len };

      if (!sm_post_check (context, &check, media, post_problems, cancellable))
        for (guint i = 0; i < post_problems->len; i++)
          {
            SmPostProblem *problem = g_ptr_array_index (post_problems, i);

            add_problem (problems, record->row, field_column (problem->field),
                         g_steal_pointer (&problem->message));
          }
    }
  if (problems->len > before)
    return;

  post = g_new0 (SmImportPost, 1);
  post->row = record->row;
  post->text = g_strdup (value[COL_TEXT]);
  post->due_us = due_us;
  post->time_zone = g_steal_pointer (&zone);
  post->draft = draft;
  post->account_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < row_accounts->len; i++)
    g_array_append_val (post->account_ids, ((SmAccount *) g_ptr_array_index (row_accounts, i))->id);
  post->media = g_steal_pointer (&media);
  post->options = g_steal_pointer (&options);
  g_ptr_array_add (import->posts, post);
}

static int
compare_problems (gconstpointer a,
                  gconstpointer b)
{
  guint ra = (*(SmImportProblem *const *) a)->row;
  guint rb = (*(SmImportProblem *const *) b)->row;

  return ra < rb ? -1 : ra > rb;
}

SmImport *
sm_import_check (SmStore       *store,
                 const char    *path,
                 gint64         now_us,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return sm_import_check_in (store, 0, path, now_us, cancellable, error);
}

SmImport *
sm_import_check_in (SmStore       *store,
                    gint64         workspace_id,
                    const char    *path,
                    gint64         now_us,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(SmImport) import = g_new0 (SmImport, 1);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_csv_record_free);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *data = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *workspace_zone = NULL;
  SmPostCheckContext context = { NULL, -1 };
  int index[N_COLUMNS];
  gsize length;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  import->path = g_strdup (path);
  import->posts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_import_post_free);
  import->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_import_problem_free);

  /* The size first: a huge file is never read. */
  file = g_file_new_for_path (path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_size (info) > SM_IMPORT_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The file is larger than %d MB; split it into smaller files and import each."),
                   SM_IMPORT_MAX_BYTES / (1024 * 1024));
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  if (length > SM_IMPORT_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The file is larger than %d MB; split it into smaller files and import each."),
                   SM_IMPORT_MAX_BYTES / (1024 * 1024));
      return NULL;
    }

  sm_import_parse_csv (data, length, records, import->problems);
  if (records->len > SM_IMPORT_MAX_ROWS + 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The file has more than %d posts; split it into smaller files and import each."),
                   SM_IMPORT_MAX_ROWS);
      return NULL;
    }
  if (records->len == 0)
    {
      add_problem (import->problems, 1, NULL,
                   g_strdup (_("the file is empty; its first row must name the columns "
                               "(text, accounts, at, …)")));
      return g_steal_pointer (&import);
    }
  /* A malformed first row: the next one must not be taken for the header. */
  for (guint i = 0; i < import->problems->len; i++)
    if (((SmImportProblem *) g_ptr_array_index (import->problems, i))->row <
        ((SmCsvRecord *) g_ptr_array_index (records, 0))->row)
      return g_steal_pointer (&import);
  if (!read_header (g_ptr_array_index (records, 0), index, import->problems))
    return g_steal_pointer (&import);

  if (!(accounts = sm_store_list_accounts_in (store, workspace_id, error)))
    return NULL;
  if (sm_store_resolve_workspace (store, workspace_id, &workspace_zone, error) == 0)
    return NULL;
  folder = g_path_get_dirname (path);
  if (!g_path_is_absolute (folder))
    {
      char *absolute = g_canonicalize_filename (folder, NULL);

      g_free (folder);
      folder = absolute;
    }
  context.profile = sm_store_get_dir (store);

  for (guint i = 1; i < records->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      check_row (&context, folder, accounts, workspace_zone, index,
                 g_strv_length (((SmCsvRecord *) g_ptr_array_index (records, 0))->fields),
                 g_ptr_array_index (records, i), now_us, import, cancellable);
    }
  if (records->len == 1 && import->problems->len == 0)
    add_problem (import->problems, 2, NULL, g_strdup (_("the file has no posts: only its first row")));

  /* By row: the CSV reader's problems came first. */
  g_ptr_array_sort (import->problems, compare_problems);
  return g_steal_pointer (&import);
}

typedef struct
{
  char   *profile_dir;
  gint64  workspace_id;
  char   *path;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->profile_dir);
  g_free (data->path);
  g_free (data);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *data = task_data;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  SmImport *import;

  (void) source_object;

  /* One store per thread (sm-store.h). */
  if (!(store = sm_store_open (data->profile_dir, &error)) ||
      !(import = sm_import_check_in (store, data->workspace_id, data->path,
                                     g_get_real_time (), cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, import, (GDestroyNotify) sm_import_free);
}

void
sm_import_check_async (const char          *profile_dir,
                       const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  sm_import_check_in_async (profile_dir, 0, path, cancellable, callback, user_data);
}

void
sm_import_check_in_async (const char          *profile_dir,
                          gint64               workspace_id,
                          const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_import_check_async);
  data = g_new0 (CheckData, 1);
  data->profile_dir = g_strdup (profile_dir);
  data->workspace_id = workspace_id;
  data->path = g_strdup (path);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_thread);
}

SmImport *
sm_import_check_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, sm_import_check_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GArray *
sm_import_save (SmStore   *store,
                SmImport  *import,
                GError   **error)
{
  g_autoptr(GArray) new_posts = g_array_sized_new (FALSE, TRUE, sizeof (SmNewPost), import->posts->len);
  g_autoptr(GPtrArray) arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (import != NULL, NULL);

  if (import->problems->len > 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The file has problems; correct them first. Nothing was saved."));
      return NULL;
    }

  for (guint i = 0; i < import->posts->len; i++)
    {
      SmImportPost *post = g_ptr_array_index (import->posts, i);
      GArray *specs = g_array_new (FALSE, TRUE, sizeof (SmTargetSpec));
      GArray *files = g_array_new (FALSE, TRUE, sizeof (SmPostMedia));
      SmNewPost new_post = { 0 };

      g_ptr_array_add (arrays, specs);
      g_ptr_array_add (arrays, files);
      for (guint j = 0; j < post->account_ids->len; j++)
        {
          SmTargetSpec spec = { g_array_index (post->account_ids, gint64, j), NULL };
          g_array_append_val (specs, spec);
        }
      for (guint j = 0; j < post->media->len; j++)
        {
          SmMediaInfo *info = g_ptr_array_index (post->media, j);
          SmPostMedia file = { 0, info->path, (gint64) info->size_bytes, info->sha256, info->mime_type };
          g_array_append_val (files, file);
        }
      new_post.text = post->text;
      new_post.due_us = post->due_us;
      new_post.time_zone = post->time_zone;
      new_post.targets = (const SmTargetSpec *) specs->data;
      new_post.n_targets = specs->len;
      new_post.media = (const SmPostMedia *) files->data;
      new_post.n_media = files->len;
      new_post.options = post->options;
      new_post.draft = post->draft;
      g_array_append_val (new_posts, new_post);
    }

  ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_array_set_size (ids, new_posts->len);
  if (!sm_store_create_posts_full (store, (const SmNewPost *) new_posts->data, new_posts->len,
                                   (gint64 *) ids->data, error))
    return NULL;
  return g_steal_pointer (&ids);
}
