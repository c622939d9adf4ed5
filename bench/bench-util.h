/* bench-util.h — small helpers shared by the benchmarks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* The median of @values (doubles); sorts them. */
double bench_median       (GArray     *values);
/* The smallest of @values (doubles). */
double bench_min          (GArray     *values);
/* A "NAME:  N kB" field of /proc/self/status in KiB, 0 if unknown. */
long   bench_proc_status_kib (const char *field);
