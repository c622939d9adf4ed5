/* sm-network.h — the networks So-me Studio knows, by stable id.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SM_NETWORK_INVALID = 0,
  SM_NETWORK_X,
  SM_NETWORK_FACEBOOK,
  SM_NETWORK_LINKEDIN,
  SM_NETWORK_THREADS,
  SM_NETWORK_INSTAGRAM,
  SM_NETWORK_YOUTUBE,
  SM_NETWORK_TIKTOK,
  SM_NETWORK_WHATSAPP,
  SM_N_NETWORKS
} SmNetwork;

/* "x", "facebook", "linkedin", "threads", ... as stored in the database and
 * used on the command line. */
const char *sm_network_to_string   (SmNetwork   network);
SmNetwork   sm_network_from_string (const char *id);
/* Human name, translated: "X", "Facebook Pages", ... */
const char *sm_network_display_name (SmNetwork  network);

G_END_DECLS
