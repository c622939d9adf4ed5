/* sm-platforms-private.h — the network classes behind SmPlatform and the
 * helpers they share.  Only src/platforms/ includes this; everyone else
 * goes through sm_platform_get().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sm-http.h"
#include "sm-platform.h"

G_BEGIN_DECLS

/* libsoup 3.2 has no name for it. */
#define SM_HTTP_STATUS_TOO_MANY_REQUESTS 429

#define SM_TYPE_PLATFORM_X (sm_platform_x_get_type ())
G_DECLARE_FINAL_TYPE (SmPlatformX, sm_platform_x, SM, PLATFORM_X, GObject)
SmPlatform *sm_platform_x_new        (void);

#define SM_TYPE_PLATFORM_FACEBOOK (sm_platform_facebook_get_type ())
G_DECLARE_FINAL_TYPE (SmPlatformFacebook, sm_platform_facebook, SM, PLATFORM_FACEBOOK, GObject)
SmPlatform *sm_platform_facebook_new (void);

#define SM_TYPE_PLATFORM_LINKEDIN (sm_platform_linkedin_get_type ())
G_DECLARE_FINAL_TYPE (SmPlatformLinkedin, sm_platform_linkedin, SM, PLATFORM_LINKEDIN, GObject)
SmPlatform *sm_platform_linkedin_new (void);

#define SM_TYPE_PLATFORM_THREADS (sm_platform_threads_get_type ())
G_DECLARE_FINAL_TYPE (SmPlatformThreads, sm_platform_threads, SM, PLATFORM_THREADS, GObject)
SmPlatform *sm_platform_threads_new  (void);

#define SM_TYPE_PLATFORM_YOUTUBE (sm_platform_youtube_get_type ())
G_DECLARE_FINAL_TYPE (SmPlatformYoutube, sm_platform_youtube, SM, PLATFORM_YOUTUBE, GObject)
SmPlatform *sm_platform_youtube_new  (void);

#define SM_TYPE_PLATFORM_INSTAGRAM (sm_platform_instagram_get_type ())
G_DECLARE_FINAL_TYPE (SmPlatformInstagram, sm_platform_instagram, SM, PLATFORM_INSTAGRAM, GObject)
SmPlatform *sm_platform_instagram_new (void);

#define SM_TYPE_PLATFORM_TIKTOK (sm_platform_tiktok_get_type ())
G_DECLARE_FINAL_TYPE (SmPlatformTiktok, sm_platform_tiktok, SM, PLATFORM_TIKTOK, GObject)
SmPlatform *sm_platform_tiktok_new   (void);
#define SM_TYPE_PLATFORM_WHATSAPP (sm_platform_whatsapp_get_type ())
G_DECLARE_FINAL_TYPE (SmPlatformWhatsapp, sm_platform_whatsapp, SM, PLATFORM_WHATSAPP, GObject)
SmPlatform *sm_platform_whatsapp_new (void);

/* What a call does decides what a failure means. */
typedef enum
{
  SM_CALL_READ,     /* idempotent: a 5xx or a lost reply is transient */
  SM_CALL_TOKEN,    /* code exchange: a refusal means "connect again" */
  SM_CALL_REFRESH,  /* refresh grant: a refusal means the grant is gone */
  SM_CALL_PREPARE,  /* creates something nobody sees yet (a Threads
                     * container): safe to repeat, refusals are about the post */
  SM_CALL_CREATE,   /* creates the post: a lost reply or a 5xx means it may
                     * exist, so the outcome is unknown */
} SmCallKind;

/* Sends @msg and parses the body.  Transport failures come from
 * sm_http_send(); OUTCOME_UNKNOWN is kept only for SM_CALL_CREATE (for the
 * other kinds nothing can have happened that matters, so it is TRANSIENT).
 * On success, *@root is the JSON body, or NULL when the body is empty or not
 * JSON: the caller looks at the status first. */
gboolean  _sm_platform_send              (SoupSession      *session,
                                          SoupMessage      *msg,
                                          SmCallKind        kind,
                                          GCancellable     *cancellable,
                                          JsonNode        **root,
                                          GError          **error);

gboolean  _sm_platform_status_ok         (SoupMessage      *msg);

/* Network text for a user-facing message: without any token, code or secret
 * the request carried (Authorization header, long query values), on one
 * line and of sane length.  NULL in, NULL out. */
char     *_sm_platform_scrub             (SoupMessage      *msg,
                                          const char       *text);

/* The generic mapping of a non-2xx answer: 401 → AUTH_EXPIRED (REVOKED for
 * a refresh), 429 → RATE_LIMITED with Retry-After, 5xx → OUTCOME_UNKNOWN for
 * a create and TRANSIENT otherwise, other 4xx → REJECTED with @detail (the
 * network's words, scrubbed here). */
void      _sm_platform_set_status_error  (GError          **error,
                                          const char       *network_name,
                                          SoupMessage      *msg,
                                          SmCallKind        kind,
                                          const char       *detail,
                                          SmPublishResult  *result);
void      _sm_platform_set_rate_limited  (GError          **error,
                                          const char       *network_name,
                                          gint64            retry_after_us,
                                          SmPublishResult  *result);
void      _sm_platform_set_rejected      (GError          **error,
                                          const char       *network_name,
                                          SoupMessage      *msg,
                                          SmCallKind        kind,
                                          const char       *detail);
void      _sm_platform_set_auth_error    (GError          **error,
                                          const char       *network_name,
                                          SoupMessage      *msg,
                                          SmPlatformError   code,
                                          const char       *detail);
void      _sm_platform_set_bad_answer    (GError          **error,
                                          const char       *network_name,
                                          SmCallKind        kind);

/* OAuth 2.0 token endpoint errors ({"error","error_description"}). */
void      _sm_platform_set_oauth_error   (GError          **error,
                                          const char       *network_name,
                                          SoupMessage      *msg,
                                          JsonNode         *root,
                                          SmCallKind        kind);

/* The Graph API error envelope (Facebook, Threads), section 2.5. */
void      _sm_platform_set_meta_error    (GError          **error,
                                          const char       *network_name,
                                          SoupMessage      *msg,
                                          JsonNode         *root,
                                          SmCallKind        kind,
                                          SmPublishResult  *result);

/* When a Meta API says to come back: Retry-After, else the longest
 * estimated_time_to_regain_access of X-Business-Use-Case-Usage (2.6); -1
 * when neither says. */
gint64    _sm_platform_meta_retry_after_us (SoupMessage   *msg);

/* A Graph API call (Facebook, Threads): sends, and maps a non-2xx answer
 * through the OAuth error shape for token calls and the Graph envelope
 * otherwise; the JSON body on success. */
JsonNode *_sm_platform_graph_call       (SoupSession      *session,
                                         SoupMessage      *msg,
                                         const char       *network_name,
                                         SmCallKind        kind,
                                         SmPublishResult  *result,
                                         GCancellable     *cancellable,
                                         GError          **error);
/* GET @url (a real https URL) with an optional bearer token. */
/* DELETE @api/{request->remote_id} with the request's token; a post
 * already gone counts as deleted. */
gboolean  _sm_platform_graph_delete     (SoupSession             *session,
                                         const char              *api,
                                         const char              *network_name,
                                         const SmPublishRequest  *request,
                                         SmPublishResult         *result,
                                         GCancellable            *cancellable,
                                         GError                 **error);
/* POST @api/{request->remote_id}/comments with message=request->text (a
 * Facebook post's or an Instagram media's comment): the comment's id in
 * @result->remote_id. */
gboolean  _sm_platform_graph_comment    (SoupSession             *session,
                                         const char              *api,
                                         const char              *network_name,
                                         const SmPublishRequest  *request,
                                         SmPublishResult         *result,
                                         GCancellable            *cancellable,
                                         GError                 **error);
JsonNode *_sm_platform_graph_get        (SoupSession      *session,
                                         const char       *url,
                                         const char       *token,
                                         const char       *network_name,
                                         SmCallKind        kind,
                                         SmPublishResult  *result,
                                         GCancellable     *cancellable,
                                         GError          **error);

/* Facebook Login (sm-platform-facebook.c, section 2.1), shared with
 * Instagram's Facebook Login variant: the code → short-lived → long-lived
 * user token exchange; errors name @network_name. */
SmTokens *_sm_platform_facebook_user_token (SoupSession               *session,
                                            const SmClientCredentials *creds,
                                            const char                *code,
                                            const char                *redirect_uri,
                                            const char                *code_verifier,
                                            const char                *network_name,
                                            GCancellable              *cancellable,
                                            GError                   **error);

/* YouTube (sm-platform-youtube.c), for its upload path: Google's error
 * envelope (section 1.6) mapped into SM_PLATFORM_ERROR, a Data API call
 * through it, and when the daily quota comes back. */
void      _sm_platform_youtube_set_error (GError          **error,
                                          SoupMessage      *msg,
                                          JsonNode         *root,
                                          SmCallKind        kind,
                                          SmPublishResult  *result);
/* Sends @msg and answers its JSON body, mapping every failure. */
JsonNode *_sm_platform_youtube_call      (SoupSession      *session,
                                          SoupMessage      *msg,
                                          SmCallKind        kind,
                                          SmPublishResult  *result,
                                          GCancellable     *cancellable,
                                          GError          **error);
/* GET @url (a real https URL) with @token as the bearer. */
JsonNode *_sm_platform_youtube_get       (SoupSession      *session,
                                          const char       *url,
                                          const char       *token,
                                          SmCallKind        kind,
                                          SmPublishResult  *result,
                                          GCancellable     *cancellable,
                                          GError          **error);
/* µs from @now_us to the next midnight in America/Los_Angeles, when the
 * Data API quota resets (1.5). */
gint64    _sm_platform_youtube_quota_reset_us (gint64     now_us);

/* A network's token endpoint call: sends, maps errors, parses tokens. */
typedef SmTokens *(*SmTokenCallFunc) (SoupSession   *session,
                                      SoupMessage   *msg,
                                      SmCallKind     kind,
                                      GCancellable  *cancellable,
                                      GError       **error);

/* The OAuth 2.0 refresh grant at @token_url: REVOKED with
 * @no_refresh_message when there is no refresh token, and the old refresh
 * token and scope kept when the answer has none (Google never sends a new
 * one; X rotates, but an answer without one leaves only the old). */
SmTokens *_sm_platform_refresh_grant    (SoupSession               *session,
                                         const char                *token_url,
                                         const SmClientCredentials *creds,
                                         gboolean                   send_secret,
                                         const SmTokens            *old,
                                         SmTokenCallFunc            call,
                                         const char                *no_refresh_message,
                                         GCancellable              *cancellable,
                                         GError                   **error);

/* access_token, refresh_token, expires_in, scope from a token answer; NULL
 * when there is no access token. */
SmTokens *_sm_platform_tokens_from_json  (JsonNode         *root);

SmAccountInfo *_sm_platform_account_new  (SmNetwork         network,
                                          const char       *remote_id,
                                          const char       *name,
                                          const char       *handle,
                                          const SmTokens   *tokens);

/* For reconciliation: the text we sent and the text a network lists. */
gboolean  _sm_platform_text_matches      (const char       *sent,
                                          const char       *seen);
/* ISO 8601 as networks write it ("…Z", "…+0000"), in µs since the epoch;
 * 0 when unparseable. */
gint64    _sm_platform_parse_time        (const char       *text);
/* Waits @delay_us, returning early with G_IO_ERROR_CANCELLED. */
gboolean  _sm_platform_sleep             (gint64            delay_us,
                                          GCancellable     *cancellable,
                                          GError          **error);
/* Percent-encodes @value for a path segment or a query value. */
char     *_sm_platform_escape            (const char       *value);

G_END_DECLS
