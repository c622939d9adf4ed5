/* sm-platform.h — one interface every network implements.
 *
 * All methods are synchronous and run on a worker thread (never on the UI or
 * the publisher's main loop); each call gets its own SoupSession.  Failures
 * are always in SM_PLATFORM_ERROR, with a message in the network's own words
 * and what to do, so that the outbox can decide: retry, wait, reconcile,
 * refresh, or ask the user.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "sm-network.h"
#include "sm-error.h"
#include "sm-media-host.h"

G_BEGIN_DECLS

/* Tokens as kept in the keyring (serialised to JSON by SmTokenStore). */
typedef struct
{
  char   *access_token;
  char   *refresh_token;   /* NULL when the network gave none */
  gint64  expires_at_us;   /* 0: does not expire */
  char   *scope;
} SmTokens;

SmTokens *sm_tokens_new   (void);
SmTokens *sm_tokens_copy  (const SmTokens *tokens);
void      sm_tokens_free  (SmTokens       *tokens);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmTokens, sm_tokens_free)

/* The app's credentials at the network: a built-in client id (meson option)
 * or the user's own, entered once and kept in the keyring. */
typedef struct
{
  char *client_id;
  char *client_secret;   /* NULL for public PKCE clients (X) */
} SmClientCredentials;

void sm_client_credentials_free (SmClientCredentials *creds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmClientCredentials, sm_client_credentials_free)

/* One account found after connecting: a Facebook login can yield several
 * pages, each its own account with its own token. */
typedef struct
{
  SmNetwork  network;
  char      *remote_id;   /* X user id, page id, person/organization URN, Threads user id */
  char      *name;        /* display name */
  char      *handle;      /* @username or vanity name, may be NULL */
  SmTokens  *tokens;
} SmAccountInfo;

void sm_account_info_free (SmAccountInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAccountInfo, sm_account_info_free)

/* How a network keeps an upload's progress across publisher restarts:
 * load() what was saved for a file (NULL when nothing), save() after every
 * chunk the network acknowledged, progress() for the UI. */
typedef struct
{
  gpointer   data;
  /* Returns a new SmUploadState (src/core/sm-store.h) or NULL. */
  gpointer (*load)     (gpointer      data,
                        gint64        media_id);
  void     (*save)     (gpointer      data,
                        gint64        media_id,
                        const char   *session,
                        gint64        acknowledged,
                        const char   *remote_media_id);
  void     (*progress) (gpointer      data,
                        guint64       sent,
                        guint64       total);
} SmUploadHooks;

/* What the outbox hands a network for one target. */
typedef struct
{
  const char          *account_remote_id;
  const SmTokens      *tokens;
  const char          *text;
  gint64               not_before_us;  /* reconcile: the first attempt's start */
  const GPtrArray     *media;          /* SmPostMedia (sm-store.h), in order; may be NULL */
  GHashTable          *options;        /* "youtube.title" → "…"; may be NULL */
  const SmUploadHooks *uploads;        /* may be NULL when there is no media */
  SmMediaHost         *media_host;     /* the user's bucket, for networks that fetch
                                        * files by URL; NULL when none is set up */
  const char          *remote_id;      /* update/delete: the network's id of the post */
} SmPublishRequest;

typedef struct
{
  char     *remote_id;      /* set on success */
  char     *permalink;      /* may be NULL */
  gint64    retry_after_us; /* with SM_PLATFORM_ERROR_RATE_LIMITED: wait this long; -1 unknown */
  gboolean  definitive;     /* find_published: "not found" is certain at once (an
                             * upload that never finished), no need to let the
                             * network's listings catch up */
  char     *warning;        /* published, but something the user asked for did
                             * not happen (a thumbnail refused); may be NULL */
  gboolean  limit_kind_only;/* with RATE_LIMITED: the limit is on this kind of
                             * post only (Facebook reels), so the account's
                             * other posts need not wait */
  char     *comment_on;     /* publish/find_published: what a first comment
                             * answers when not remote_id (an X thread's last
                             * part); may be NULL */
} SmPublishResult;

void sm_publish_result_clear (SmPublishResult *result);

/* What an OAuth 2.0 authorization-code flow needs to know. */
typedef struct
{
  const char *authorize_url;   /* https://… as the real service has it; NULL for a
                                * network without OAuth (see connect_token) */
  const char *scopes;          /* already joined with the network's separator */
  gboolean    pkce;            /* send code_challenge (S256) */
  gboolean    needs_secret;    /* the token call needs client_secret */
  const char *client_id_param; /* "client_id" or TikTok's "client_key" */
  const char *extra_params;    /* appended verbatim, e.g. "access_type=offline", or NULL */
} SmOAuthSpec;

#define SM_TYPE_PLATFORM (sm_platform_get_type ())
G_DECLARE_INTERFACE (SmPlatform, sm_platform, SM, PLATFORM, GObject)

struct _SmPlatformInterface
{
  GTypeInterface parent_iface;

  SmNetwork          (*get_network)    (SmPlatform *self);
  const SmOAuthSpec *(*get_oauth_spec) (SmPlatform *self);
  /* The built-in client id from the meson option, "" when none. */
  const char        *(*get_builtin_client_id) (SmPlatform *self);

  /* Code → tokens → the accounts this grant gives access to. */
  GPtrArray *(*exchange_code)   (SmPlatform                *self,
                                 SoupSession               *session,
                                 const SmClientCredentials *creds,
                                 const char                *code,
                                 const char                *redirect_uri,
                                 const char                *code_verifier,
                                 GCancellable              *cancellable,
                                 GError                   **error);
  /* New tokens; keeps @old's refresh token when the answer has none.  Fails
   * with REVOKED when the grant is gone, TRANSIENT on a network blip, and
   * REVOKED with a clear message when the network has no refresh at all. */
  SmTokens  *(*refresh)         (SmPlatform                *self,
                                 SoupSession               *session,
                                 const SmClientCredentials *creds,
                                 const SmTokens            *old,
                                 GCancellable              *cancellable,
                                 GError                   **error);
  /* Publishes a post with files (request->media).  The default sends
   * text-only requests to publish_text and refuses files. */
  gboolean   (*publish)         (SmPlatform                *self,
                                 SoupSession               *session,
                                 const SmPublishRequest    *request,
                                 SmPublishResult           *result,
                                 GCancellable              *cancellable,
                                 GError                   **error);
  gboolean   (*publish_text)    (SmPlatform                *self,
                                 SoupSession               *session,
                                 const SmPublishRequest    *request,
                                 SmPublishResult           *result,
                                 GCancellable              *cancellable,
                                 GError                   **error);
  /* Reconciliation: asks the network whether a post with request->text went
   * out on the account at or after request->not_before_us.  Returns TRUE and
   * fills @result->remote_id when found, TRUE with remote_id NULL when the
   * network says it did not, FALSE with an error when it cannot tell. */
  gboolean   (*find_published)  (SmPlatform                *self,
                                 SoupSession               *session,
                                 const SmPublishRequest    *request,
                                 SmPublishResult           *result,
                                 GCancellable              *cancellable,
                                 GError                   **error);
  /* Changes a published post (request->remote_id) to request->text and
   * request->options, where the network allows it; the default refuses
   * with REJECTED and says so. */
  gboolean   (*update_published) (SmPlatform              *self,
                                  SoupSession             *session,
                                  const SmPublishRequest  *request,
                                  SmPublishResult         *result,
                                  GCancellable            *cancellable,
                                  GError                 **error);
  /* Deletes a published post (request->remote_id); one that is already
   * gone counts as deleted.  The default refuses with REJECTED. */
  gboolean   (*delete_published) (SmPlatform              *self,
                                  SoupSession             *session,
                                  const SmPublishRequest  *request,
                                  SmPublishResult         *result,
                                  GCancellable            *cancellable,
                                  GError                 **error);
  /* Posts request->text as a comment under the published post
   * request->remote_id (X and Threads: a reply to it) and fills
   * @result->remote_id with the comment's id.  NULL for networks without
   * comments (TikTok, WhatsApp). */
  gboolean   (*publish_comment) (SmPlatform              *self,
                                 SoupSession             *session,
                                 const SmPublishRequest  *request,
                                 SmPublishResult         *result,
                                 GCancellable            *cancellable,
                                 GError                 **error);
  /* Best effort revocation at the network on disconnect. */
  gboolean   (*revoke)          (SmPlatform                *self,
                                 SoupSession               *session,
                                 const SmClientCredentials *creds,
                                 const SmTokens            *tokens,
                                 GCancellable              *cancellable,
                                 GError                   **error);
  /* Networks without OAuth (WhatsApp's system-user token): checks a token
   * the user pasted for the account @remote_id with a call to the network
   * and answers that account.  NULL for networks that connect through
   * OAuth. */
  SmAccountInfo *(*connect_token) (SmPlatform             *self,
                                   SoupSession            *session,
                                   const char             *remote_id,
                                   const char             *access_token,
                                   GCancellable           *cancellable,
                                   GError                **error);
};

/* The registry: one instance per network, NULL for networks not built yet. */
SmPlatform        *sm_platform_get            (SmNetwork network);

SmNetwork          sm_platform_get_network    (SmPlatform *self);
const SmOAuthSpec *sm_platform_get_oauth_spec (SmPlatform *self);
const char        *sm_platform_get_builtin_client_id (SmPlatform *self);
char              *sm_platform_build_authorize_url (SmPlatform                *self,
                                                    const SmClientCredentials *creds,
                                                    const char                *redirect_uri,
                                                    const char                *state,
                                                    const char                *code_challenge);
GPtrArray         *sm_platform_exchange_code  (SmPlatform                *self,
                                               SoupSession               *session,
                                               const SmClientCredentials *creds,
                                               const char                *code,
                                               const char                *redirect_uri,
                                               const char                *code_verifier,
                                               GCancellable              *cancellable,
                                               GError                   **error);
SmTokens          *sm_platform_refresh        (SmPlatform                *self,
                                               SoupSession               *session,
                                               const SmClientCredentials *creds,
                                               const SmTokens            *old,
                                               GCancellable              *cancellable,
                                               GError                   **error);
gboolean           sm_platform_publish_text   (SmPlatform                *self,
                                               SoupSession               *session,
                                               const SmPublishRequest    *request,
                                               SmPublishResult           *result,
                                               GCancellable              *cancellable,
                                               GError                   **error);
/* Whether this network can be sent posts with files yet. */
gboolean           sm_platform_can_publish_media (SmPlatform             *self);
/* Text or media, whichever the request carries. */
gboolean           sm_platform_publish        (SmPlatform                *self,
                                               SoupSession               *session,
                                               const SmPublishRequest    *request,
                                               SmPublishResult           *result,
                                               GCancellable              *cancellable,
                                               GError                   **error);
gboolean           sm_platform_find_published (SmPlatform                *self,
                                               SoupSession               *session,
                                               const SmPublishRequest    *request,
                                               SmPublishResult           *result,
                                               GCancellable              *cancellable,
                                               GError                   **error);
gboolean           sm_platform_update_published (SmPlatform              *self,
                                                 SoupSession             *session,
                                                 const SmPublishRequest  *request,
                                                 SmPublishResult         *result,
                                                 GCancellable            *cancellable,
                                                 GError                 **error);
gboolean           sm_platform_delete_published (SmPlatform              *self,
                                                 SoupSession             *session,
                                                 const SmPublishRequest  *request,
                                                 SmPublishResult         *result,
                                                 GCancellable            *cancellable,
                                                 GError                 **error);
/* Whether the network takes a first comment (publish_comment). */
gboolean           sm_platform_has_comments   (SmPlatform                *self);
gboolean           sm_platform_publish_comment (SmPlatform               *self,
                                                SoupSession              *session,
                                                const SmPublishRequest   *request,
                                                SmPublishResult          *result,
                                                GCancellable             *cancellable,
                                                GError                  **error);
/* FALSE for networks connected with a pasted token (connect_token). */
gboolean           sm_platform_uses_oauth     (SmPlatform                *self);
SmAccountInfo     *sm_platform_connect_token  (SmPlatform                *self,
                                               SoupSession               *session,
                                               const char                *remote_id,
                                               const char                *access_token,
                                               GCancellable              *cancellable,
                                               GError                   **error);
gboolean           sm_platform_revoke         (SmPlatform                *self,
                                               SoupSession               *session,
                                               const SmClientCredentials *creds,
                                               const SmTokens            *tokens,
                                               GCancellable              *cancellable,
                                               GError                   **error);

G_END_DECLS
