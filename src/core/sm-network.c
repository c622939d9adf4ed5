/* sm-network.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-network"

#include "config.h"

#include <glib/gi18n.h>

#include "sm-network.h"

static const struct
{
  const char *id;
  const char *name;
} networks[SM_N_NETWORKS] = {
  [SM_NETWORK_INVALID]   = { NULL, NULL },
  [SM_NETWORK_X]         = { "x", N_("X") },
  [SM_NETWORK_FACEBOOK]  = { "facebook", N_("Facebook Pages") },
  [SM_NETWORK_LINKEDIN]  = { "linkedin", N_("LinkedIn") },
  [SM_NETWORK_THREADS]   = { "threads", N_("Threads") },
  [SM_NETWORK_INSTAGRAM] = { "instagram", N_("Instagram") },
  [SM_NETWORK_YOUTUBE]   = { "youtube", N_("YouTube") },
  [SM_NETWORK_TIKTOK]    = { "tiktok", N_("TikTok") },
  [SM_NETWORK_WHATSAPP]  = { "whatsapp", N_("WhatsApp Business") },
};

const char *
sm_network_to_string (SmNetwork network)
{
  g_return_val_if_fail (network > SM_NETWORK_INVALID && network < SM_N_NETWORKS, NULL);
  return networks[network].id;
}

SmNetwork
sm_network_from_string (const char *id)
{
  if (id == NULL)
    return SM_NETWORK_INVALID;
  for (guint i = 1; i < SM_N_NETWORKS; i++)
    if (g_ascii_strcasecmp (networks[i].id, id) == 0)
      return (SmNetwork) i;
  return SM_NETWORK_INVALID;
}

const char *
sm_network_display_name (SmNetwork network)
{
  g_return_val_if_fail (network > SM_NETWORK_INVALID && network < SM_N_NETWORKS, NULL);
  return _(networks[network].name);
}
