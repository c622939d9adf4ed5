/* bench-util.c — small helpers shared by the benchmarks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bench-util.h"

#include <stdlib.h>
#include <string.h>

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
bench_median (GArray *values)
{
  g_array_sort (values, cmp_double);
  return g_array_index (values, double, values->len / 2);
}

double
bench_min (GArray *values)
{
  double min = G_MAXDOUBLE;

  for (guint i = 0; i < values->len; i++)
    min = MIN (min, g_array_index (values, double, i));
  return min;
}

long
bench_proc_status_kib (const char *field)
{
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &contents, NULL, NULL) ||
      !(line = strstr (contents, field)))
    return 0;
  return strtol (line + strlen (field), NULL, 10);
}
