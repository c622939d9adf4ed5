/* sm-sandbox.h — a local stand-in for the social networks, on loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupServer serves every network's hosts under /HOST/PATH, which is
 * where SO_ME_STUDIO_NETWORK_BASE=http://127.0.0.1:PORT sends a request meant
 * for https://HOST/PATH.  Each network (sm-sandbox-x.c, -facebook.c,
 * -instagram.c, -linkedin.c, -threads.c, -youtube.c, -tiktok.c, -whatsapp.c,
 * and S3 for media: -s3.c) speaks its real wire protocol: the
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
 *     the Facebook page id, the LinkedIn author URN, the Threads user id,
 *     the YouTube channel id, the TikTok open_id or the WhatsApp phone
 *     number id; id is what the network answered (tweet id,
 *     "{page}_{post}", "urn:li:share:N", Threads media id, YouTube video
 *     id, TikTok video id, WhatsApp wamid); text is the post's text (a
 *     YouTube video's title, a TikTok post's title; a WhatsApp message's
 *     body, caption — "" when none — or template name; each WhatsApp
 *     message is a post of its own).  bytes and
 *     sha256 (lowercase hex) are only there for a post with an uploaded
 *     file (a YouTube video): its size and the SHA-256 of the bytes as the
 *     sandbox received them, in order, across every chunk and resume.
 *     media lists every file of the post in order, each
 *     {"kind":"image"|"video"|"document"|"audio","bytes":N,"sha256":"…"};
 *     bytes / sha256 are its first file's (an X post's files are its
 *     uploaded media, in media_ids order; a GIF is an "image").
 *     A reply (an X thread's next part, a Threads reply) also has
 *     "reply_to": the id of the post it answers.
 *     A post with comments (Facebook POST /{post-id}/comments, Instagram
 *     POST /{ig-media-id}/comments, YouTube commentThreads.insert,
 *     LinkedIn POST /rest/socialActions/{urn}/comments) also has
 *     "comments":[{"id":"…","author":"…","text":"…","received_at":"…Z"}],
 *     oldest first; author is the page id, Instagram user id, channel id
 *     or actor URN.  On X and Threads a first comment is a reply, listed
 *     as a post with "reply_to".  Each comment call checks its token kind
 *     and permission (Facebook pages_manage_engagement, Instagram
 *     instagram_manage_comments, YouTube youtube.force-ssl, Threads
 *     threads_manage_replies), that the post exists, is not deleted and
 *     (but for X and Threads replies) belongs to the account, and its
 *     required fields, answering in the network's error envelope.
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
 *     "page", Threads "short-lived" | "long-lived", X, LinkedIn, YouTube and
 *     TikTok "user".
 *     A rotated X or TikTok refresh token is "revoked".
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
 *     next count matching requests, taken when a request's headers arrive;
 *     with "after":N the first N matching requests go through untouched
 *     (X's post and its reply share POST /2/tweets).
 *     → 201 the fault as stored, with "id".
 *   GET    /__sandbox/faults → 200 [fault, …] (those with count left)
 *   DELETE /__sandbox/faults → 200 {"cleared":N}
 *
 *   POST /__sandbox/whatsapp/token  {}
 *     → 201 {"token":"sbx-…","waba_id":"…","phone_numbers":[{"id":"…",
 *             "display_phone_number":"+1 555-078-3881","verified_name":"…"}, …]}
 *     A WhatsApp system-user token (no expiry, as Meta Business Settings
 *     hands them out) for the sandbox's WhatsApp Business Account and its
 *     phone numbers.  /__sandbox/tokens/revoke with "network":"whatsapp"
 *     revokes it (API calls then get 190).
 *   POST /__sandbox/whatsapp/inbound
 *     {"from":"15551234567"[,"phone_number_id":"…"][,"hours_ago":N]}
 *     → 200 {"from":"…","numbers":N,"window_open":true|false}
 *     Simulates a message from that customer to one number (default: every
 *     sandbox number), N hours ago (default 0): it opens the 24-hour
 *     customer service window.  Free-form messages to a customer whose
 *     window is not open get 131047 (Re-engagement message); templates
 *     always go.  Known templates: hello_world (en_US, no parameters),
 *     order_update (en_US and de, one body parameter); any other name or
 *     language gets 132001, a wrong parameter count 132000.  Recipients
 *     whose number starts with 999 are not on WhatsApp (131026).  Media go
 *     by uploaded id only (no "link").
 *
 *   POST /__sandbox/reset → 200 {"reset":true}
 *     Clears posts, Threads and Instagram containers, Instagram media, X
 *     media, YouTube upload sessions and videos (a session URI then answers
 *     404, as an expired one does), LinkedIn's uploaded files and TikTok
 *     publishes (their upload URLs then answer 404) and settings, Facebook
 *     photos, videos, upload sessions and reel counts, WhatsApp media ids
 *     and customer service windows, rate-limit counters, faults and the
 *     request log; tokens and pending authorization codes stay.
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
 *   POST /__sandbox/s3/buckets  {"bucket":"my-media","region":"eu-west-1"}
 *     → 201 {"bucket":"my-media","region":"eu-west-1",
 *            "access_key_id":"AKIA…","secret_access_key":"sbx/…+…",
 *            "endpoint":"https://s3.eu-west-1.amazonaws.com",
 *            "generic_endpoint":"https://s3.sandbox.test"}
 *     A private S3 bucket (sm-sandbox-s3.c) with a random key of its own,
 *     reached path-style at s3.amazonaws.com, s3.REGION.amazonaws.com and
 *     s3.sandbox.test (a stand-in for a self-hosted store), or
 *     virtual-hosted at BUCKET.s3.REGION.amazonaws.com,
 *     BUCKET.s3.amazonaws.com and BUCKET.s3.sandbox.test.  PUT (streamed),
 *     GET/HEAD (header-signed or presigned) and DELETE are checked with
 *     Signature V4 against the real host (the path prefix): key, region,
 *     15-minute skew, presigned expiry (≤ 604800 s), signed x-amz-*
 *     headers, a claimed payload SHA-256; errors are S3's XML <Error>
 *     (SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied "Request has
 *     expired", NoSuchBucket, NoSuchKey, AuthorizationHeaderMalformed,
 *     PermanentRedirect, RequestTimeTooSkewed, MissingContentLength…).
 *     Buckets stay across /__sandbox/reset; objects go.  409 when the
 *     bucket exists.
 *   GET  /__sandbox/s3/objects
 *     → 200 [{"bucket":"my-media","key":"so-me-studio/…/photo.jpg",
 *             "bytes":123,"sha256":"…","content_type":"image/jpeg",
 *             "fetches":1,"deleted":true}, …]
 *     Every object PUT, in order (a replaced or deleted one stays listed
 *     with "deleted":true); fetches counts the GETs answered 200, e.g. a
 *     network fetching a presigned URL through _sm_sandbox_fetch.
 *   POST /__sandbox/x/media-failure  {"message":"Unsupported video format"}
 *     → 200 {"message":"…"}.  The next X video or GIF to be finalized fails
 *     processing: STATUS goes pending → in_progress → "failed" with
 *     {"code":1,"name":"InvalidMedia","message":…} instead of "succeeded".
 *     Cleared by /__sandbox/reset.
 *   Facebook (sm-sandbox-facebook.c) has no hook of its own; a test asks
 *   for what it needs through the files it sends: a video or reel whose
 *   bytes are not an MP4 (no "ftyp" box at byte 4) uploads fine, then
 *   fails processing about 0.6 s after its finish call (GET
 *   /{video-id}?fields=status: video_status "error", processing_phase
 *   errors[0].message "The video file you selected is in a format that we
 *   don't support."), and its post stays deleted.  A Page's 31st reel
 *   published within 24 h is refused with Graph error 80001 and an
 *   X-Business-Use-Case-Usage header (estimated_time_to_regain_access);
 *   /__sandbox/reset clears the count, /__sandbox/rate-limits lifts it.
 *   POST /__sandbox/tiktok/settings
 *     {"cannot_post":"spam_risk_too_many_posts"|"reached_active_user_cap"
 *                    |"spam_risk_user_banned_from_posting"|null,
 *      "privacy_level_options":["SELF_ONLY",…],
 *      "max_video_post_duration_sec":600,
 *      "comment_disabled":false,"duet_disabled":false,"stitch_disabled":false,
 *      "processing_ms":1500, "fail_reason":"frame_rate_check_failed"|null,
 *      "upload_url_lifetime_s":3600}    (any subset; a bad value changes nothing)
 *     → 200 the settings, all of them (GET /__sandbox/tiktok/settings too).
 *     What creator_info/query answers, and how TikTok treats posts:
 *     cannot_post makes creator_info and video/init answer that error code
 *     (the creator cannot post now); privacy_level_options, the disabled
 *     switches and max_video_post_duration_sec are creator_info's answer,
 *     and video/init refuses a privacy level not offered
 *     (privacy_level_option_mismatch) or a switch turned on that is off.
 *     A publish whose last chunk is in is PROCESSING_UPLOAD for
 *     processing_ms, then PUBLISH_COMPLETE (it becomes a post, with its
 *     bytes and SHA-256) or, while fail_reason is set, FAILED with it.  An
 *     upload URL older than upload_url_lifetime_s answers 404.  Reset
 *     restores these defaults.
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
 *
 *   GET  /__sandbox/linkedin
 *   POST /__sandbox/linkedin  {"video_part_bytes":4194304,"processing_ms":1000,
 *                              "upload_url_lifetime_ms":3600000,
 *                              "video_max_bytes":500000000,
 *                              "fail_processing":"reason"|null}   (any subset)
 *     → 200 the settings as they now are; /__sandbox/reset restores these
 *     defaults.  LinkedIn's uploads (platform-apis.md 6.4, 6.5):
 *     video_part_bytes is the size of every part but the last in the
 *     uploadInstructions of videos initialized from now on (at least 1024;
 *     tests make it small so that a small MP4 goes up in several parts);
 *     processing_ms is how long an uploaded image or document, or a
 *     finalized video, stays PROCESSING before it is AVAILABLE;
 *     upload_url_lifetime_ms is how long new upload URLs take bytes (a PUT
 *     after that is 403, finalizeUpload 400); video_max_bytes the largest
 *     fileSizeBytes taken (the smallest is 75000); fail_processing makes the
 *     next file to finish uploading end PROCESSING_FAILED with that reason
 *     as processingFailureReason (once).  The sandbox is strict: the owner
 *     must be the token's member or an organization they administer, video
 *     parts must go up in order (a part sent again must be the same bytes;
 *     the latest ETag of each part is the one finalizeUpload takes), each
 *     exactly its firstByte-lastByte as application/octet-stream; image and
 *     document PUTs need the owner's token; finalizeUpload wants the
 *     uploadToken and every part's ETag, in order; a post's content.media or
 *     content.multiImage (2-20 images) must be AVAILABLE files of its
 *     author, recorded in order under "media" of /__sandbox/posts.
 *
 *   GET  /__sandbox/instagram
 *   POST /__sandbox/instagram  {["quota_total":N][,"linked":BOOL]
 *                               [,"processing_polls":N]}
 *     → 200 {"quota_total":100,"linked":true,"processing_polls":1}
 *     Instagram's settings (sm-sandbox-instagram.c), back to these defaults
 *     on reset.  quota_total: posts per 24 hours an account may publish
 *     (content_publishing_limit's config.quota_total; media_publish past it
 *     answers 9 / 2207042, unless /__sandbox/rate-limits turned limits off).  linked: whether the first Facebook page
 *     ("Sandbox Bakery", 109000000000001) has its Instagram business
 *     account (17841400000000001, @sandboxbakery); the second page never
 *     has one.  processing_polls: how many status_code reads a video
 *     container stays IN_PROGRESS after its last byte, before FINISHED.
 *     Instagram posts are listed by /__sandbox/posts with network
 *     "instagram", account the IG user id, id the IG media id, text the
 *     caption ("" for a story), and media every file in carousel order.
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
