/* sm-sandbox.h — a local stand-in for the social networks, on loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupServer serves every network's hosts under /HOST/PATH, which is
 * where SO_ME_STUDIO_NETWORK_BASE=http://127.0.0.1:PORT sends a request meant
 * for https://HOST/PATH.  Each network (sm-sandbox-x.c, -facebook.c,
 * -linkedin.c, -threads.c, -youtube.c) speaks its real wire protocol: the
 * same paths, token kinds, required headers and fields, success bodies and
 * error envelopes as platform-apis.md describes.  Tokens and codes are random
 * strings made at run time.
 *
 * Test hooks — plain HTTP + JSON under /__sandbox/ (never faulted, never
 * recorded).  Errors are 400 {"error":"what is wrong"}.
 *
 *   GET  /__sandbox/posts
 *     → 200 [{"network":"x","account":"1500…","id":"1850…","text":"…",
 *             "received_at":"2025-01-01T08:00:00.123456Z","deleted":false
 *             [,"bytes":3158073,"sha256":"9f86…",
 *             "media":[{"kind":"video","bytes":3158073,"sha256":"9f86…"}]]}, …]
 *     Everything published, in arrival order.  account is the X user id,
 *     the Facebook page id, the LinkedIn author URN, the Threads user id or
 *     the YouTube channel id; id is what the network answered (tweet id,
 *     "{page}_{post}", "urn:li:share:N", Threads media id, YouTube video
 *     id); text is the post's text (a YouTube video's title).  bytes and
 *     sha256 (lowercase hex) are only there for a post with an uploaded
 *     file (a YouTube video): its size and the SHA-256 of the bytes as the
 *     sandbox received them, in order, across every chunk and resume.
 *     media lists every file of the post in order, each
 *     {"kind":"image"|"video"|"document"|"audio","bytes":N,"sha256":"…"};
 *     bytes / sha256 are its first file's.
 *
 *   GET  /__sandbox/tokens
 *     → 200 [{"network":"x","kind":"access"|"refresh","token":"sbx-…",
 *             "state":"valid"|"expired"|"revoked","type":"user"|null,
 *             "account":"…","scope":"…","grant":1,
 *             "issued_at":"…Z","expires_at":"…Z"|null,
 *             "access_token":"…","refresh_token":"…"|null}, …]
 *     Every token issued, in issue order.  access_token / refresh_token are
 *     the pair of the one token response (or page listing) that issued this
 *     token, so a test can find "the refresh token that came with access
 *     token T".  grant numbers every token of one authorization, across
 *     refreshes and exchanges.  type: Facebook "user" | "user-long-lived" |
 *     "page", Threads "short-lived" | "long-lived", X, LinkedIn and YouTube
 *     "user".
 *     A rotated X refresh token is "revoked".
 *
 *   POST /__sandbox/tokens/expire  {"network":"x"[,"token":"…"]}
 *     Every valid access token of the network (or just that token) becomes
 *     expired: API calls get the network's own expired-token error, refresh
 *     tokens still work.  → 200 {"network":"x","changed":N}
 *   POST /__sandbox/tokens/revoke  {"network":"x"[,"token":"…"]}
 *     Access and refresh tokens (of the token's whole grant when "token" is
 *     given) become revoked: API calls get the revoked-token error and a
 *     refresh fails as the network answers a dead grant.
 *     → 200 {"network":"x","changed":N}
 *
 *   POST /__sandbox/faults
 *     {"host":"api.x.com","method":"POST","path":"/2/tweets","count":1,
 *      and exactly one of
 *      "status":503[,"body":{…}|"text"][,"headers":{"Retry-After":"5"}]
 *                           answered without processing (no body → empty),
 *      "delay_ms":3000      processed, the response sent that much later,
 *      "drop":true          processed, then the connection closed unanswered,
 *      "drop_before":true   the connection closed without processing,
 *      "drop_after_bytes":N N more bytes of the request body are taken,
 *                           then the connection is closed unanswered and
 *                           the request is never processed; what a
 *                           streaming endpoint (YouTube's upload PUT) took
 *                           stays stored.  A body of N bytes or fewer is
 *                           taken whole, processed, then dropped ("drop").}
 *     host, method and path are optional (absent = any); path is a glob
 *     (g_pattern_match_simple) over the path after the host, without the
 *     query; count defaults to 1.  Faults apply, in the order added, to the
 *     next count matching requests, taken when a request's headers arrive.
 *     → 201 the fault as stored, with "id".
 *   GET    /__sandbox/faults → 200 [fault, …] (those with count left)
 *   DELETE /__sandbox/faults → 200 {"cleared":N}
 *
 *   POST /__sandbox/reset → 200 {"reset":true}
 *     Clears posts, Threads containers, YouTube upload sessions and videos
 *     (a session URI then answers 404, as an expired one does), rate-limit
 *     counters, faults and the request log; tokens and pending
 *     authorization codes stay.
 *
 *   GET  /__sandbox/requests
 *     → 200 [{"method":"POST","host":"api.x.com","path":"/2/tweets",
 *             "status":201,"received_at":"…Z","body_bytes":42,
 *             "fault":null|"status"|"delay"|"drop"|"drop_before"
 *                     |"drop_after_bytes"}, …]
 *     The last 500 network requests, oldest first; never a query string or
 *     a header value (they carry tokens).  status is 0 when none was sent;
 *     body_bytes is how much of the request body the sandbox took (up to
 *     the cut for drop_after_bytes).
 *
 *   POST /__sandbox/threads/publishing-limit  {"quota_total": 3}
 *     → 200 {"quota_total":3,"quota_usage":N}.  Threads' publishing limit
 *     (250 posts per rolling 24 h by default): threads_publishing_limit
 *     reports it and threads_publish refuses past it with the Graph error
 *     code 4.  /__sandbox/reset puts it back to 250.  Threads IMAGE and
 *     VIDEO containers fetch their image_url / video_url through the
 *     sandbox and stay IN_PROGRESS until the fetch ends (see
 *     sm-sandbox-threads.c for what makes them ERROR).
 *
 *   POST /__sandbox/rate-limits  {"enabled": false}
 *     → 200 {"enabled": false}.  The networks' own rate limits (X's 100 posts
 *     per 15 minutes…) stop refusing calls; the headers still count.  For
 *     benchmarks that send thousands of posts.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SM_TYPE_SANDBOX (sm_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (SmSandbox, sm_sandbox, SM, SANDBOX, GObject)

SmSandbox  *sm_sandbox_new          (void);

/* Listens on @address ("127.0.0.1:0", "localhost:8080", "[::1]:0"; NULL
 * means "127.0.0.1:0").  Anything that is not a loopback address is refused
 * with G_IO_ERROR_INVALID_ARGUMENT: the sandbox hands out tokens to anyone. */
gboolean    sm_sandbox_listen       (SmSandbox   *self,
                                     const char  *address,
                                     GError     **error);

/* "http://127.0.0.1:PORT" once listening, else NULL. */
const char *sm_sandbox_get_base_url (SmSandbox   *self);

/* What POST /__sandbox/reset does. */
void        sm_sandbox_reset        (SmSandbox   *self);

G_END_DECLS
