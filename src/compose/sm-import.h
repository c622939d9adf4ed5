/* sm-import.h — bulk import: a CSV file of posts, checked row by row with
 * the same checks as `so-me post`, saved all at once or not at all.
 *
 * The format (README.md, "Importing posts from a CSV file"): RFC 4180
 * (quoted fields with commas, doubled quotes and line breaks; CRLF or LF;
 * a UTF-8 byte order mark; blank lines ignored), UTF-8 only, a header row
 * naming the columns in any order and case: text, accounts, at, zone,
 * media, options, draft.  Rows are counted as a spreadsheet does: the
 * header is row 1, blank lines count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_IMPORT_MAX_ROWS  10000
#define SM_IMPORT_MAX_BYTES (10 * 1024 * 1024)

/* One thing wrong with the file: @row (1 is the header), @column (its
 * name, lower case, or NULL for the whole row) and what to do, in words. */
typedef struct
{
  guint  row;
  char  *column;
  char  *message;
} SmImportProblem;

void sm_import_problem_free (SmImportProblem *problem);

/* One record of a CSV file: its row and its fields, as bytes (not yet
 * checked to be UTF-8). */
typedef struct
{
  guint  row;
  GStrv  fields;
} SmCsvRecord;

void sm_csv_record_free (SmCsvRecord *record);

/* Reads RFC 4180 CSV from @data (a leading UTF-8 BOM is skipped, blank
 * lines are left out, CRLF inside a quoted field becomes LF): appends an
 * SmCsvRecord to @records for each record and an SmImportProblem to
 * @problems for each malformed one.  Returns TRUE when nothing was wrong. */
gboolean sm_import_parse_csv (const char *data,
                              gsize       length,
                              GPtrArray  *records,
                              GPtrArray  *problems);

/* One post the file plans. */
typedef struct
{
  guint       row;
  char       *text;
  gint64      due_us;
  char       *time_zone;
  gboolean    draft;
  GArray     *account_ids;  /* gint64, in the row's order */
  GPtrArray  *media;        /* SmMediaInfo, in order */
  GHashTable *options;      /* key → value */
} SmImportPost;

void sm_import_post_free (SmImportPost *post);

/* What a file says: the planned posts when @problems is empty. */
typedef struct
{
  char      *path;
  GPtrArray *posts;     /* SmImportPost */
  GPtrArray *problems;  /* SmImportProblem, by row */
} SmImport;

void sm_import_free (SmImport *import);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmImport, sm_import_free)

/* Reads and checks the CSV file at @path against @store's accounts, with
 * @now_us as now.  Fails (G_IO_ERROR) only when the file cannot be read
 * or is over the limits (SM_IMPORT_MAX_BYTES, SM_IMPORT_MAX_ROWS); every
 * other problem is listed in the result.  Blocks: it reads the file and
 * probes each file the rows attach. */
SmImport *sm_import_check        (SmStore             *store,
                                  const char          *path,
                                  gint64               now_us,
                                  GCancellable        *cancellable,
                                  GError             **error);

/* The same against the accounts and zone of @workspace_id (0: the
 * default workspace); sm_import_check() uses the default one. */
SmImport *sm_import_check_in     (SmStore             *store,
                                  gint64               workspace_id,
                                  const char          *path,
                                  gint64               now_us,
                                  GCancellable        *cancellable,
                                  GError             **error);

/* sm_import_check() in a thread, with its own store opened in
 * @profile_dir (sm_store_get_dir()). */
void      sm_import_check_async  (const char          *profile_dir,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
/* The same for @workspace_id (0: the default one). */
void      sm_import_check_in_async (const char        *profile_dir,
                                  gint64               workspace_id,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
SmImport *sm_import_check_finish (GAsyncResult        *result,
                                  GError             **error);

/* Saves every post of @import in one transaction (none on error); refused
 * when @import has problems.  Returns the new posts' ids (gint64). */
GArray   *sm_import_save         (SmStore             *store,
                                  SmImport            *import,
                                  GError             **error);

G_END_DECLS
