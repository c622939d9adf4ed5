/* sm-media-host.h — where a file goes when a network fetches it by URL.
 *
 * Instagram and Threads do not take uploads: they fetch an image or video
 * from a public URL given when the container is created.  A media host puts
 * the file somewhere the network can reach (the user's S3-compatible
 * bucket), hands out a time-limited https:// URL, and removes the file once
 * the network has reported the container finished or failed.
 *
 * The functions are synchronous and run on the publisher's worker thread,
 * like SmPlatform's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _SmMediaHost SmMediaHost;

struct _SmMediaHost
{
  gpointer data;

  /* Stores the file at @path (streamed from disk, never whole in memory)
   * under a new unguessable key, and returns an https:// URL that can be
   * fetched without credentials for @lifetime_s seconds.  @out_key is the
   * key to remove() it with.  Errors are in SM_PLATFORM_ERROR. */
  char     *(*put)    (SmMediaHost   *host,
                       SoupSession   *session,
                       const char    *path,
                       const char    *content_type,
                       guint          lifetime_s,
                       char         **out_key,
                       GCancellable  *cancellable,
                       GError       **error);
  /* Deletes what put() stored; deleting a key that is gone is success. */
  gboolean  (*remove) (SmMediaHost   *host,
                       SoupSession   *session,
                       const char    *key,
                       GCancellable  *cancellable,
                       GError       **error);
};

G_END_DECLS
