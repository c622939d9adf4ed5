/* sm-sandbox-private.h — what the sandbox core shares with its networks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "sm-sandbox.h"

G_BEGIN_DECLS

/* ---- one request ------------------------------------------------------- */

typedef struct
{
  SmSandbox         *sandbox;
  SoupServerMessage *msg;
  const char        *method;
  const char        *host;
  const char        *path;     /* after the host, "/2/tweets"; no query */
  GHashTable        *query;    /* decoded, may be NULL */
  GPtrArray         *args;     /* path segments captured by "*" in a route */
  /* A streaming route's sink (what its @begin returned), else NULL. */
  gpointer           body_sink;

  /* Parsed lazily from the body. */
  gboolean           body_parsed;
  GHashTable        *form;     /* application/x-www-form-urlencoded, and the
                                * text parts of multipart/form-data */
  SoupMultipart     *multipart;/* multipart/form-data */
  JsonNode          *json;     /* application/json */
  gboolean           json_invalid;
  GHashTable        *params;   /* form, JSON scalars and query, merged */
} SmSandboxRequest;

typedef void (*SmSandboxHandler) (SmSandboxRequest *req,
                                  gpointer          user_data);

/* Route patterns are "/"-separated segments: a literal, "*" (any one
 * segment, captured into req->args), "?v" (an optional Graph version like
 * "v21.0", not captured) or "**" (the rest, matches anything).  Routes are
 * tried in the order added; the first whose host, method ("*" = any) and
 * pattern match wins. */
void        _sm_sandbox_add_route          (SmSandbox          *self,
                                            const char * const *hosts,
                                            const char         *method,
                                            const char         *pattern,
                                            SmSandboxHandler    handler,
                                            gpointer            user_data);
/* A route whose request body is never held in memory (uploads of hundreds
 * of megabytes).  Once a matching request's headers are in, @begin looks at
 * them (req has no body, and must not be answered) and returns a sink, or
 * NULL to let the body go by; @chunk then gets the body's bytes in order as
 * they arrive; @handler runs as for any route once the whole body is in,
 * with req->body_sink set to the sink.  A request faulted with "status" or
 * "drop_before" never reaches @begin; one cut short (by "drop_after_bytes"
 * or by the client) never reaches @handler, but what @chunk got stays got.
 * The sink is freed with @sink_free when the request is over. */
typedef gpointer (*SmSandboxBodyBegin) (SmSandboxRequest *req,
                                        gpointer          user_data);
typedef void     (*SmSandboxBodyChunk) (gpointer          sink,
                                        const guint8     *data,
                                        gsize             len);

void        _sm_sandbox_add_streaming_route (SmSandbox          *self,
                                             const char * const *hosts,
                                             const char         *method,
                                             const char         *pattern,
                                             SmSandboxBodyBegin  begin,
                                             SmSandboxBodyChunk  chunk,
                                             GDestroyNotify      sink_free,
                                             SmSandboxHandler    handler,
                                             gpointer            user_data);
/* A network's own test hook, @method /__sandbox/@name (e.g. "linkedin" or
 * "x/media-failure"), documented in sm-sandbox.h; never faulted, never
 * recorded. */
void        _sm_sandbox_add_hook           (SmSandbox          *self,
                                            const char         *method,
                                            const char         *name,
                                            SmSandboxHandler    handler,
                                            gpointer            user_data);
/* For networks that share a host (WhatsApp and Facebook on
 * graph.facebook.com): the route added last serves only the matching
 * requests @claim accepts (req->args is filled, the body may not be in
 * yet); the others go on to the routes after it. */
typedef gboolean (*SmSandboxRouteClaim) (SmSandboxRequest *req,
                                         gpointer          user_data);

void        _sm_sandbox_claim_last_route   (SmSandbox          *self,
                                            SmSandboxRouteClaim claim);
/* Per-network state: @reset runs on /__sandbox/reset, @free at dispose. */
void        _sm_sandbox_add_module         (SmSandbox          *self,
                                            gpointer            data,
                                            GFunc               reset,
                                            GDestroyNotify      free_func);

const char *_sm_sandbox_request_arg        (SmSandboxRequest   *req,
                                            guint               index);
const char *_sm_sandbox_request_query      (SmSandboxRequest   *req,
                                            const char         *name);
/* A parameter from the form body, JSON body (top-level scalars, as text) or
 * query string, in that order. */
const char *_sm_sandbox_request_param      (SmSandboxRequest   *req,
                                            const char         *name);
const char *_sm_sandbox_request_header     (SmSandboxRequest   *req,
                                            const char         *name);
gboolean    _sm_sandbox_request_has_type   (SmSandboxRequest   *req,
                                            const char         *mime_type);
/* The JSON body, or NULL (then req->json_invalid says whether it was there
 * but did not parse). */
JsonNode   *_sm_sandbox_request_json       (SmSandboxRequest   *req);
GHashTable *_sm_sandbox_request_form       (SmSandboxRequest   *req);
/* The token after "Bearer " (or "OAuth " when @allow_oauth), else NULL. */
const char *_sm_sandbox_request_bearer     (SmSandboxRequest   *req,
                                            gboolean            allow_oauth);
/* A multipart/form-data body's part by its name: its bytes (borrowed, valid
 * for the request) or NULL; @content_type and @filename may be NULL.  The
 * parts without a filename are also parameters (_sm_sandbox_request_param). */
GBytes     *_sm_sandbox_request_part       (SmSandboxRequest   *req,
                                            const char         *name,
                                            const char        **content_type,
                                            const char        **filename);

/* Takes ownership of @node (NULL: empty body). */
void        _sm_sandbox_respond_json       (SmSandboxRequest   *req,
                                            guint               status,
                                            JsonNode           *node);
void        _sm_sandbox_respond_object     (SmSandboxRequest   *req,
                                            guint               status,
                                            JsonObject         *object);
void        _sm_sandbox_respond_empty      (SmSandboxRequest   *req,
                                            guint               status);
void        _sm_sandbox_respond_page       (SmSandboxRequest   *req,
                                            guint               status,
                                            const char         *message);
void        _sm_sandbox_set_header         (SmSandboxRequest   *req,
                                            const char         *name,
                                            const char         *value);

/* ---- tokens ------------------------------------------------------------ */

typedef enum
{
  SM_SANDBOX_TOKEN_VALID,
  SM_SANDBOX_TOKEN_EXPIRED,
  SM_SANDBOX_TOKEN_REVOKED,
} SmSandboxTokenState;

typedef struct
{
  char               *network;     /* "x", "facebook", ... */
  char               *kind;        /* "access" or "refresh" */
  char               *type;        /* see sm-sandbox.h */
  char               *token;
  char               *account;     /* user id, page id, person id */
  char               *scope;       /* as granted, the network's separator */
  char               *client_id;
  guint               grant;
  gint64              issued_us;
  gint64              expires_us;  /* 0: does not expire */
  SmSandboxTokenState state;
  char               *pair_access;
  char               *pair_refresh;
} SmSandboxToken;

/* A new valid token; @grant 0 starts a new grant.  @lifetime_s 0: none. */
SmSandboxToken *_sm_sandbox_token_issue    (SmSandbox          *self,
                                            const char         *network,
                                            const char         *kind,
                                            const char         *type,
                                            const char         *account,
                                            const char         *scope,
                                            const char         *client_id,
                                            guint               grant,
                                            gint64              lifetime_s);
/* Records which token response issued @access and @refresh (may be NULL). */
void            _sm_sandbox_token_pair     (SmSandboxToken     *access,
                                            SmSandboxToken     *refresh);
/* Any token by its string, with its state brought up to date (a token past
 * its lifetime turns expired); NULL when never issued or of another
 * network. */
SmSandboxToken *_sm_sandbox_token_lookup   (SmSandbox          *self,
                                            const char         *network,
                                            const char         *token);
/* Revokes every token of @grant; returns how many changed. */
guint           _sm_sandbox_grant_revoke   (SmSandbox          *self,
                                            guint               grant);
/* TRUE when @scope (space- or comma-separated) holds @item. */
gboolean        _sm_sandbox_scope_has      (const char         *scope,
                                            const char         *item);

/* ---- authorization codes ----------------------------------------------- */

typedef struct
{
  const char *network;
  gboolean    require_pkce;   /* code_challenge + S256 */
  gboolean    require_state;
  const char *code_suffix;    /* appended after the query, e.g. "#_" */
  /* NULL-terminated list of scopes the network knows, or NULL for any. */
  const char * const *known_scopes;
  /* NULL-terminated names of further authorize parameters the token call
   * needs to know about (Google's access_type), kept with the code. */
  const char * const *kept_params;
  /* The query parameter naming the app: NULL for "client_id", TikTok's
   * "client_key". */
  const char *client_id_param;
} SmSandboxAuthorizeSpec;

typedef struct
{
  char   *network;
  char   *code;
  char   *client_id;
  char   *redirect_uri;
  char   *challenge;    /* NULL without PKCE */
  char   *scope;
  gint64  created_us;
  gboolean used;
  GHashTable *kept;     /* spec->kept_params that were given → value; may be NULL */
} SmSandboxCode;

typedef enum
{
  SM_SANDBOX_CODE_OK,
  SM_SANDBOX_CODE_UNKNOWN,
  SM_SANDBOX_CODE_USED,
  SM_SANDBOX_CODE_EXPIRED,
} SmSandboxCodeStatus;

/* GET on an authorize endpoint: validates the request, approves at once and
 * answers 302 to redirect_uri?code=…&state=…; a bad request gets a 400
 * page. */
void                _sm_sandbox_authorize     (SmSandboxRequest             *req,
                                               const SmSandboxAuthorizeSpec *spec);
/* Marks the code used (codes are single use, valid 60 s) and returns it
 * (borrowed) when it was OK to use. */
SmSandboxCodeStatus _sm_sandbox_code_redeem   (SmSandbox                    *self,
                                               const char                   *network,
                                               const char                   *code,
                                               const SmSandboxCode         **out);
/* base64url(SHA-256(verifier)) without padding == challenge, and the
 * verifier is 43-128 unreserved characters (RFC 7636). */
gboolean            _sm_sandbox_pkce_check    (const char                   *challenge,
                                               const char                   *verifier);
/* http://127.0.0.1:PORT/… or http://localhost:PORT/… */
gboolean            _sm_sandbox_redirect_uri_ok (const char                 *uri);

/* ---- posts ------------------------------------------------------------- */

typedef struct
{
  char     *network;
  char     *account;
  char     *id;
  char     *text;
  gint64    received_us;
  gboolean  deleted;
  /* network-specific extras */
  char     *reply_to;
  char     *extra;       /* Threads shortcode, LinkedIn visibility */
  /* The uploaded file of a media post (YouTube video): its size and the
   * SHA-256 (hex) of the bytes as received, in order; NULL when none. */
  char     *media_sha256;
  guint64   media_bytes;
  /* Every file of the post, in order (SmSandboxMedia); empty for text. */
  GPtrArray *media;
  /* Comments under the post, oldest first (SmSandboxComment): Facebook,
   * Instagram, YouTube and LinkedIn; X and Threads answer with replies,
   * which are posts of their own. */
  GPtrArray *comments;
} SmSandboxPost;

typedef struct
{
  char    *id;
  char    *author;   /* the page, IG user, channel or LinkedIn actor URN */
  char    *text;
  gint64   received_us;
} SmSandboxComment;

typedef struct
{
  char    *kind;     /* "image", "video", "document", "audio" */
  guint64  bytes;
  char    *sha256;   /* lowercase hex of the bytes as received */
} SmSandboxMedia;

/* Appends a file to @post ("media" in /__sandbox/posts); the first one also
 * fills media_bytes / media_sha256. */
void           _sm_sandbox_post_add_media (SmSandboxPost *post,
                                           const char    *kind,
                                           guint64        bytes,
                                           const char    *sha256);

/* Appends a comment to @post ("comments" in /__sandbox/posts). */
SmSandboxComment *_sm_sandbox_post_add_comment (SmSandboxPost *post,
                                                const char    *id,
                                                const char    *author,
                                                const char    *text);

SmSandboxPost *_sm_sandbox_post_add       (SmSandbox   *self,
                                           const char  *network,
                                           const char  *account,
                                           const char  *id,
                                           const char  *text);
SmSandboxPost *_sm_sandbox_post_lookup    (SmSandbox   *self,
                                           const char  *network,
                                           const char  *id);
/* A live post of @account with exactly @text, for duplicate checks. */
SmSandboxPost *_sm_sandbox_post_find_text (SmSandbox   *self,
                                           const char  *network,
                                           const char  *account,
                                           const char  *text);
/* Live posts of @account, newest first (borrowed). */
GPtrArray     *_sm_sandbox_posts_of       (SmSandbox   *self,
                                           const char  *network,
                                           const char  *account);

/* ---- small helpers ----------------------------------------------------- */

/* A strictly increasing number, for ids. */
guint64     _sm_sandbox_next_serial        (SmSandbox   *self);
/* @prefix followed by 40 random hex digits. */
char       *_sm_sandbox_random_string      (const char  *prefix);
/* strftime-like format of @us (UTC), with GDateTime's conversions. */
char       *_sm_sandbox_format_time        (gint64       us,
                                            const char  *format);
/* Unix seconds or an ISO 8601 / RFC 3339 date; -1 when neither. */
gint64      _sm_sandbox_parse_time_us      (const char  *text);
/* The names in a Graph "fields" list ("id,picture.type(large),from{id}"
 * → id, picture, from); NULL when @fields is NULL. */
GPtrArray  *_sm_sandbox_parse_fields       (const char  *fields);
gboolean    _sm_sandbox_fields_has         (GPtrArray   *fields,
                                            const char  *name);

/* The Meta Graph error envelope (Facebook, Threads).  @subcode 0: none. */
void        _sm_sandbox_graph_error        (SmSandboxRequest *req,
                                            guint             http_status,
                                            int               code,
                                            int               subcode,
                                            const char       *message);

/* The Graph answer for a token that is unknown, not an access token,
 * expired (190/463) or revoked (190/458). */
void        _sm_sandbox_graph_token_error  (SmSandboxRequest *req,
                                            SmSandboxToken   *token);
/* The valid access token of @network the request carries (access_token
 * parameter, or Authorization: Bearer/OAuth), or NULL after answering with
 * the Graph error; @about_me picks the message for /me without a token. */
SmSandboxToken *_sm_sandbox_graph_authenticate (SmSandboxRequest *req,
                                                const char       *network,
                                                gboolean          about_me);

/* ---- fetching by URL ---------------------------------------------------- */

/* What a network does with an image_url / video_url: a GET of @url, through
 * the sandbox itself (https://HOST/PATH → BASE/HOST/PATH, so a bucket of the
 * sandbox's S3 module is reachable), the body hashed as it streams.  @status
 * is the HTTP status (0 when the request failed, then @error says why);
 * @sha256 and @bytes are of the body of a 200.  Only https:// URLs are
 * fetched, as the real networks do. */
typedef void (*SmSandboxFetchDone) (SmSandbox    *self,
                                    guint         status,
                                    guint64       bytes,
                                    const char   *sha256,
                                    const char   *content_type,
                                    const GError *error,
                                    gpointer      user_data);

void        _sm_sandbox_fetch              (SmSandbox          *self,
                                            const char         *url,
                                            SmSandboxFetchDone  done,
                                            gpointer            user_data,
                                            GDestroyNotify      user_data_free);

/* The same, also keeping the body's first @head_max bytes for @done: an
 * image's header, to read its width and height (Instagram's aspect-ratio
 * check).  @head is NULL unless the fetch succeeded. */
typedef void (*SmSandboxFetchHeadDone) (SmSandbox    *self,
                                        guint         status,
                                        guint64       bytes,
                                        const char   *sha256,
                                        const char   *content_type,
                                        GBytes       *head,
                                        const GError *error,
                                        gpointer      user_data);

void        _sm_sandbox_fetch_head         (SmSandbox              *self,
                                            const char             *url,
                                            gsize                   head_max,
                                            SmSandboxFetchHeadDone  done,
                                            gpointer                user_data,
                                            GDestroyNotify          user_data_free);

/* A timeout on the context the sandbox serves from (the thread-default
 * one), not the global default: for a network's timers.  Returns a
 * reference; g_source_destroy() it to cancel. */
GSource    *_sm_sandbox_timeout_source_new (guint               delay_ms,
                                            GSourceFunc         callback,
                                            gpointer            data,
                                            GDestroyNotify      notify);

/* ---- the networks ------------------------------------------------------ */

void        _sm_sandbox_x_register         (SmSandbox   *self);
void        _sm_sandbox_facebook_register  (SmSandbox   *self);
void        _sm_sandbox_linkedin_register  (SmSandbox   *self);
void        _sm_sandbox_threads_register   (SmSandbox   *self);
void        _sm_sandbox_youtube_register   (SmSandbox   *self);
void        _sm_sandbox_s3_register        (SmSandbox   *self);
/* POST /__sandbox/s3/buckets, GET /__sandbox/s3/objects (@what is after "s3/"). */
void        _sm_sandbox_s3_hook            (SmSandboxRequest *req,
                                            const char       *what);
void        _sm_sandbox_tiktok_register    (SmSandbox   *self);
void        _sm_sandbox_whatsapp_register  (SmSandbox   *self);
/* POST /__sandbox/whatsapp/… (sm-sandbox.h), @what after "whatsapp/". */
void        _sm_sandbox_whatsapp_hook      (SmSandboxRequest *req,
                                            const char       *what);
void        _sm_sandbox_instagram_register (SmSandbox   *self);

/* The Instagram business account linked to Facebook page @page_id
 * (sm-sandbox-instagram.c), or NULL. */
const char *_sm_sandbox_instagram_account_for_page (SmSandbox        *self,
                                                    const char       *page_id);

/* FALSE after POST /__sandbox/rate-limits {"enabled": false}: the counters
 * and headers still run, but nothing is refused. */
gboolean _sm_sandbox_rate_limits_enabled (SmSandbox *self);

G_END_DECLS
