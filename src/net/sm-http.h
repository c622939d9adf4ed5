/* sm-http.h — HTTP for every network: one base-URL rule, one error mapping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The only switch to plain HTTP: with SO_ME_STUDIO_NETWORK_BASE set to
 * http://127.0.0.1:PORT, a request meant for https://HOST/PATH goes to
 * http://127.0.0.1:PORT/HOST/PATH.  Without it, only https:// URLs are
 * accepted; anything else is refused with G_IO_ERROR_INVALID_ARGUMENT. */
#define SM_NETWORK_BASE_ENV "SO_ME_STUDIO_NETWORK_BASE"

char        *sm_http_resolve_url      (const char   *https_url,
                                       GError      **error);
/* The reverse, for URLs a network hands back (upload session, Location):
 * an http://BASE/HOST/PATH URL maps back to https://HOST/PATH. */
char        *sm_http_unresolve_url    (const char   *url);

/* A session with TLS verification on (the libsoup default), a user agent
 * and timeouts.  One per worker thread. */
SoupSession *sm_http_session_new      (void);

/* A message for @https_url after sm_http_resolve_url(). */
SoupMessage *sm_http_message_new      (const char   *method,
                                       const char   *https_url,
                                       GError      **error);
void         sm_http_set_bearer       (SoupMessage  *msg,
                                       const char   *token);
void         sm_http_set_json_body    (SoupMessage  *msg,
                                       JsonNode     *node);
/* NULL-terminated key, value pairs, sent as application/x-www-form-urlencoded. */
void         sm_http_set_form_body    (SoupMessage  *msg,
                                       ...) G_GNUC_NULL_TERMINATED;

/* The form body set with sm_http_set_form_body(), or NULL. */
const char  *sm_http_get_form_body    (SoupMessage  *msg);

/* Sends @msg synchronously and reads the whole body.  Transport failures are
 * mapped into SM_PLATFORM_ERROR: a request that never reached the server
 * (refused, unresolvable, TLS failure before sending) is
 * SM_PLATFORM_ERROR_TRANSIENT; one that was written and then lost its
 * connection or timed out is SM_PLATFORM_ERROR_OUTCOME_UNKNOWN.  Any HTTP
 * status is a success here: the caller maps statuses with its network's
 * error envelope. */
GBytes      *sm_http_send             (SoupSession  *session,
                                       SoupMessage  *msg,
                                       GCancellable *cancellable,
                                       GError      **error);

/* Parses @body as JSON; an empty or bad body gives a NULL node and an error. */
JsonNode    *sm_http_parse_json       (GBytes       *body,
                                       GError      **error);

/* Retry-After as delta-seconds or HTTP-date, as microseconds from @now_us,
 * clamped to one day; -1 when absent or unparseable. */
gint64       sm_http_retry_after_us   (SoupMessageHeaders *headers,
                                       gint64        now_us);

/* Helpers for reading JSON without crashing on surprises: NULL / 0 when the
 * member is missing or of another type.  @path is dot-separated ("data.id"),
 * a numeric segment indexes an array ("data.0.id"). */
const char  *sm_json_get_string       (JsonNode     *root,
                                       const char   *path);
gint64       sm_json_get_int          (JsonNode     *root,
                                       const char   *path);
JsonNode    *sm_json_get_node         (JsonNode     *root,
                                       const char   *path);

G_END_DECLS
