/* sm-platform-facebook.c — Facebook Pages through the Graph API: login
 * yields one account per Page, each with its own non-expiring Page token.
 *
 * See ../shared/docs/platform-apis.md, sections 2.1, 2.2, 2.5 and 2.6.
 *
 * What a post becomes (facebook.kind and the files):
 *  - text: POST /{page}/feed with message, and the first http(s) URL of the
 *    text as `link` (Facebook's link preview; the text is sent whole);
 *  - one photo: POST /{page}/photos with the file as multipart `source`;
 *  - several photos: each POSTed with published=false (its id kept through
 *    SmUploadHooks), then POST /{page}/feed with attached_media in order;
 *  - one video: the legacy resumable upload on graph-video.facebook.com
 *    (upload_phase=start/transfer/finish; the server picks the chunks).
 *    The Resumable Upload API needs the app id and a user token, which a
 *    Page account does not keep.  After a failure or a restart the video's
 *    status (uploading_phase.bytes_transferred) says where to go on;
 *  - reel (facebook.kind=reel): /{page}/video_reels start, the file to
 *    rupload.facebook.com, finish with video_state=PUBLISHED;
 *  - story (facebook.kind=story): /video_stories through rupload, or an
 *    unpublished photo and /photo_stories.
 * Videos, reels and video stories are then polled (GET /{video}?fields=
 * status) until ready; a processing error is final, in Meta's words.
 * Files are read from disk as they are sent, never whole in memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-facebook"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-platforms-private.h"
#include "sm-store.h"

#define FB_NAME        "Facebook"
#define FB_GRAPH       "https://graph.facebook.com/v21.0"
#define FB_MAX_PAGES   10  /* of /me/accounts, 100 Pages each */
#define FB_GRAPH_VIDEO "https://graph-video.facebook.com/v21.0"
#define CLOCK_SLACK_US (60 * G_USEC_PER_SEC)
/* Photos in one post: the media rules' limit (sm-media-rules.c). */
#define FB_MAX_PHOTOS  10
/* Chunk failures in a row before the upload waits for the outbox. */
#define FB_MAX_CHUNK_FAILURES   3
#define FB_MAX_RUPLOAD_ATTEMPTS 2
#define FB_RETRY_FIRST_US       (G_USEC_PER_SEC)
/* Processing: polled from a quarter second up to every 15 s, for 5 min. */
#define FB_POLL_FIRST_US        (G_USEC_PER_SEC / 4)
#define FB_POLL_MAX_US          (15 * G_USEC_PER_SEC)
#define FB_PROCESSING_WAIT_US   (5 * 60 * G_USEC_PER_SEC)
/* The least wait when only X-App-Usage / X-Page-Usage say "over budget". */
#define FB_MIN_USAGE_WAIT_US    (5 * 60 * G_USEC_PER_SEC)

struct _SmPlatformFacebook
{
  GObject parent_instance;
};

static void sm_platform_facebook_iface_init (SmPlatformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformFacebook, sm_platform_facebook, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_facebook_iface_init))

static const SmOAuthSpec facebook_oauth_spec = {
  .authorize_url = "https://www.facebook.com/v21.0/dialog/oauth",
  /* pages_manage_engagement: the first comment under a post. */
  .scopes = "pages_show_list,pages_manage_posts,pages_read_engagement,pages_manage_engagement",
  .pkce = TRUE,   /* Facebook Login's manual flow takes PKCE (S256) */
  .needs_secret = TRUE,
  .client_id_param = "client_id",
  .extra_params = NULL,
};

/* ---- request bodies streamed from disk ---------------------------------- */

/* A body made of bytes in memory, then a window on a file, then bytes
 * again: a multipart/form-data request whose file part is read from disk
 * as it is written to the socket (a photo, one video chunk), or a raw body
 * (rupload).  Memory does not grow with the file. */
#define FB_TYPE_BODY_STREAM (fb_body_stream_get_type ())
G_DECLARE_FINAL_TYPE (FbBodyStream, fb_body_stream, FB, BODY_STREAM, GInputStream)

struct _FbBodyStream
{
  GInputStream  parent_instance;

  GBytes       *head;
  GInputStream *file;     /* seekable */
  goffset       start;    /* of the window in the file */
  goffset       length;
  GBytes       *tail;
  goffset       pos;      /* in the whole body */
};

G_DEFINE_FINAL_TYPE (FbBodyStream, fb_body_stream, G_TYPE_INPUT_STREAM)

static gssize
copy_from_bytes (GBytes  *bytes,
                 goffset  at,
                 void    *buffer,
                 gsize    count)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  gsize n = MIN (count, size - (gsize) at);

  memcpy (buffer, data + at, n);
  return (gssize) n;
}

static gssize
fb_body_stream_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  FbBodyStream *self = FB_BODY_STREAM (stream);
  goffset head = (goffset) g_bytes_get_size (self->head);
  goffset tail = (goffset) g_bytes_get_size (self->tail);
  gssize n;

  if (self->pos < head)
    n = copy_from_bytes (self->head, self->pos, buffer, count);
  else if (self->pos < head + self->length)
    {
      goffset at = self->pos - head;

      count = (gsize) MIN ((goffset) count, self->length - at);
      if (!g_seekable_seek (G_SEEKABLE (self->file), self->start + at, G_SEEK_SET,
                            cancellable, error))
        return -1;
      n = g_input_stream_read (self->file, buffer, count, cancellable, error);
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                               _("The file became shorter while it was being uploaded"));
          return -1;
        }
    }
  else if (self->pos < head + self->length + tail)
    n = copy_from_bytes (self->tail, self->pos - head - self->length, buffer, count);
  else
    n = 0;

  if (n > 0)
    self->pos += n;
  return n;
}

static gboolean
fb_body_stream_close (GInputStream  *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return TRUE;
}

static void
fb_body_stream_finalize (GObject *object)
{
  FbBodyStream *self = FB_BODY_STREAM (object);

  g_clear_pointer (&self->head, g_bytes_unref);
  g_clear_pointer (&self->tail, g_bytes_unref);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (fb_body_stream_parent_class)->finalize (object);
}

static void
fb_body_stream_class_init (FbBodyStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fb_body_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = fb_body_stream_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = fb_body_stream_close;
}

static void
fb_body_stream_init (FbBodyStream *self)
{
}

/* Opens @path for reading: a file that cannot be read is the user's to
 * put back (REJECTED). */
static GInputStream *
open_media (const SmPostMedia  *media,
            GCancellable       *cancellable,
            GError            **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (media->path);
  g_autoptr(GError) local_error = NULL;
  GFileInputStream *stream = g_file_read (file, cancellable, &local_error);

  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("%s cannot be read (%s); put it back or attach it again."),
                     media->path, local_error->message);
      return NULL;
    }
  return G_INPUT_STREAM (stream);
}

/* ---- multipart/form-data with one file part, last ------------------------ */

typedef struct
{
  char    *boundary;
  GString *head;
} FbForm;

static FbForm *
fb_form_new (void)
{
  FbForm *form = g_new0 (FbForm, 1);

  form->boundary = g_strdup_printf ("so-me-studio-%08x%08x%08x", g_random_int (),
                                    g_random_int (), g_random_int ());
  form->head = g_string_new (NULL);
  return form;
}

static void
fb_form_free (FbForm *form)
{
  g_free (form->boundary);
  g_string_free (form->head, TRUE);
  g_free (form);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbForm, fb_form_free)

static void
fb_form_add (FbForm     *form,
             const char *name,
             const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (form->head,
                          "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n",
                          form->boundary, name, value);
}

/* Makes @form, with @length bytes of @file from @start as its last part
 * @name, the body of @msg.  Returns how many bytes come before the file's. */
static goffset
fb_form_attach (FbForm       *form,
                SoupMessage  *msg,
                const char   *name,
                const char   *filename,
                const char   *content_type,
                GInputStream *file,
                goffset       start,
                goffset       length)
{
  FbBodyStream *body = g_object_new (FB_TYPE_BODY_STREAM, NULL);
  g_autofree char *tail = g_strdup_printf ("\r\n--%s--\r\n", form->boundary);
  g_autofree char *type = g_strdup_printf ("multipart/form-data; boundary=%s", form->boundary);
  g_autofree char *base = g_path_get_basename (filename);
  goffset total;

  /* Quotes and line breaks cannot be in a quoted parameter. */
  g_strdelimit (base, "\"\r\n\\", '_');
  g_string_append_printf (form->head,
                          "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                          "Content-Type: %s\r\n\r\n",
                          form->boundary, name, base, content_type);
  body->head = g_bytes_new (form->head->str, form->head->len);
  body->file = g_object_ref (file);
  body->start = start;
  body->length = length;
  body->tail = g_bytes_new (tail, strlen (tail));

  total = (goffset) form->head->len + length + (goffset) strlen (tail);
  soup_message_set_request_body (msg, type, G_INPUT_STREAM (body), total);
  g_object_unref (body);
  return (goffset) form->head->len;
}

/* A raw body: @length bytes of @file from @start. */
static void
attach_raw (SoupMessage  *msg,
            const char   *content_type,
            GInputStream *file,
            goffset       start,
            goffset       length)
{
  FbBodyStream *body = g_object_new (FB_TYPE_BODY_STREAM, NULL);

  body->head = g_bytes_new (NULL, 0);
  body->file = g_object_ref (file);
  body->start = start;
  body->length = length;
  body->tail = g_bytes_new (NULL, 0);
  soup_message_set_request_body (msg, content_type, G_INPUT_STREAM (body), length);
  g_object_unref (body);
}

/* Progress of one file while a request carries part of it. */
typedef struct
{
  const SmUploadHooks *hooks;
  goffset              skip;    /* body bytes before the file's */
  goffset              base;    /* file bytes sent before this request */
  goffset              length;  /* of the file in this request */
  goffset              total;   /* the whole file */
  goffset              written;
} FbProgress;

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        chunk_size,
                    gpointer     user_data)
{
  FbProgress *p = user_data;
  goffset in_file;

  p->written += chunk_size;
  in_file = CLAMP (p->written - p->skip, 0, p->length);
  if (p->hooks != NULL && p->hooks->progress != NULL)
    p->hooks->progress (p->hooks->data, (guint64) (p->base + in_file), (guint64) p->total);
}

static void
report_progress (const SmUploadHooks *hooks,
                 goffset              sent,
                 goffset              total)
{
  if (hooks != NULL && hooks->progress != NULL)
    hooks->progress (hooks->data, (guint64) sent, (guint64) total);
}

/* ---- calls --------------------------------------------------------------- */

/* The highest percentage in an X-App-Usage / X-Page-Usage header
 * ({"call_count":16,"total_cputime":15,"total_time":12}), -1 when absent. */
static gint64
usage_percent (SoupMessage *msg,
               const char  *header)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg), header);
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  gint64 most = -1;

  if (value == NULL)
    return -1;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, value, -1, NULL))
    return -1;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return -1;
  most = MAX (most, sm_json_get_int (root, "call_count"));
  most = MAX (most, sm_json_get_int (root, "total_cputime"));
  most = MAX (most, sm_json_get_int (root, "total_time"));
  return most;
}

/* When Meta throttles without X-Business-Use-Case-Usage (which
 * _sm_platform_set_meta_error reads), the app and page usage headers
 * still say how far over the budget of a rolling hour the calls are
 * (section 2.6): at P % the oldest (P - 100) / P of the hour's calls must
 * age out first. */
static gint64
usage_retry_after_us (SoupMessage *msg)
{
  gint64 percent = MAX (usage_percent (msg, "X-App-Usage"), usage_percent (msg, "X-Page-Usage"));

  if (percent < 100)
    return -1;
  return MAX (FB_MIN_USAGE_WAIT_US, G_TIME_SPAN_HOUR * (percent - 100 + 1) / percent);
}

/* "after 14:05" in the user's time, for a wait of @retry_us. */
static char *
format_after (gint64 retry_us)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local ((g_get_real_time () + retry_us)
                                                               / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    return g_date_time_format (when, "%H:%M");
  /* Translators: a time on the next day, as in "09:30 tomorrow" */
  return g_date_time_format (when, _("%H:%M tomorrow"));
}

/* A Graph API call; a throttled answer gets a retry time from the usage
 * headers when the envelope has none.  @reel_publish: the call that
 * publishes a reel, where Meta enforces 30 reels per Page per 24 h. */
static JsonNode *
fb_call_full (SoupSession      *session,
              SoupMessage      *msg,
              SmCallKind        kind,
              gboolean          reel_publish,
              SmPublishResult  *result,
              GCancellable     *cancellable,
              GError          **error)
{
  SmPublishResult local = { .retry_after_us = -1 };
  SmPublishResult *r = result != NULL ? result : &local;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  gint64 retry;

  root = _sm_platform_graph_call (session, msg, FB_NAME, kind, r, cancellable, &local_error);
  if (root != NULL)
    return root;

  if (!g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  retry = r->retry_after_us;
  if (retry <= 0)
    retry = usage_retry_after_us (msg);
  if (reel_publish)
    {
      g_autofree char *after = NULL;

      /* The window rolls: without a hint, look again in an hour. */
      if (retry <= 0)
        retry = G_TIME_SPAN_HOUR;
      after = format_after (retry);
      r->retry_after_us = retry;
      /* Only reels wait: the Page's other posts go on. */
      r->limit_kind_only = TRUE;
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                   _("The daily reel limit of this Facebook Page is reached (30 reels in 24 "
                     "hours). It will be tried again after %s."),
                   after);
      return NULL;
    }
  if (retry != r->retry_after_us)
    {
      _sm_platform_set_rate_limited (error, FB_NAME, retry, r);
      return NULL;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static JsonNode *
fb_call (SoupSession      *session,
         SoupMessage      *msg,
         SmCallKind        kind,
         SmPublishResult  *result,
         GCancellable     *cancellable,
         GError          **error)
{
  return fb_call_full (session, msg, kind, FALSE, result, cancellable, error);
}

static JsonNode *
fb_get (SoupSession      *session,
        const char       *url,
        const char       *token,
        SmCallKind        kind,
        SmPublishResult  *result,
        GCancellable     *cancellable,
        GError          **error)
{
  g_autoptr(SoupMessage) msg = sm_http_message_new ("GET", url, error);

  if (msg == NULL)
    return NULL;
  if (token != NULL)
    sm_http_set_bearer (msg, token);
  return fb_call (session, msg, kind, result, cancellable, error);
}

static char *
fb_permalink (const char *id)
{
  g_autofree char *escaped = _sm_platform_escape (id);

  return g_strdup_printf ("https://www.facebook.com/%s", escaped);
}

static SmNetwork
sm_platform_facebook_get_network (SmPlatform *platform)
{
  return SM_NETWORK_FACEBOOK;
}

static const SmOAuthSpec *
sm_platform_facebook_get_oauth_spec (SmPlatform *platform)
{
  return &facebook_oauth_spec;
}

static const char *
sm_platform_facebook_get_builtin_client_id (SmPlatform *platform)
{
  return SM_FACEBOOK_APP_ID;
}

static gboolean
add_pages (GPtrArray  *accounts,
           JsonNode   *root)
{
  JsonNode *data = sm_json_get_node (root, "data");
  JsonArray *pages;

  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    return FALSE;

  pages = json_node_get_array (data);
  for (guint i = 0; i < json_array_get_length (pages); i++)
    {
      JsonNode *page = json_array_get_element (pages, i);
      const char *id = sm_json_get_string (page, "id");
      const char *token = sm_json_get_string (page, "access_token");
      g_autoptr(SmTokens) tokens = NULL;

      /* A Page listed without a token is one the login did not grant. */
      if (id == NULL || token == NULL || *token == '\0')
        continue;

      /* Page tokens from a long-lived user token do not expire and have
       * no refresh token (section 2.1). */
      tokens = sm_tokens_new ();
      tokens->access_token = g_strdup (token);
      tokens->scope = g_strdup (facebook_oauth_spec.scopes);

      g_ptr_array_add (accounts,
                       _sm_platform_account_new (SM_NETWORK_FACEBOOK, id,
                                                 sm_json_get_string (page, "name"),
                                                 NULL, tokens));
    }

  return TRUE;
}

/* Facebook Login (section 2.1): code → short-lived user token →
 * long-lived (~60 days) user token.  Page tokens derived from the
 * long-lived one never expire; those from the short one die within hours. */
SmTokens *
_sm_platform_facebook_user_token (SoupSession               *session,
                                  const SmClientCredentials *creds,
                                  const char                *code,
                                  const char                *redirect_uri,
                                  const char                *code_verifier,
                                  const char                *network_name,
                                  GCancellable              *cancellable,
                                  GError                   **error)
{
  g_autofree char *client_id = _sm_platform_escape (creds->client_id);
  g_autofree char *client_secret = _sm_platform_escape (creds->client_secret);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) short_root = NULL;
  g_autoptr(JsonNode) long_root = NULL;
  const char *short_token;
  SmTokens *tokens;

  {
    g_autofree char *escaped_redirect = _sm_platform_escape (redirect_uri);
    g_autofree char *escaped_code = _sm_platform_escape (code);
    g_autofree char *escaped_verifier = _sm_platform_escape (code_verifier ? code_verifier : "");

    url = g_strdup_printf (FB_GRAPH "/oauth/access_token?client_id=%s&redirect_uri=%s"
                           "&client_secret=%s&code=%s%s%s",
                           client_id, escaped_redirect, client_secret, escaped_code,
                           code_verifier ? "&code_verifier=" : "", escaped_verifier);
  }
  short_root = _sm_platform_graph_get (session, url, NULL, network_name, SM_CALL_TOKEN, NULL,
                                       cancellable, error);
  if (short_root == NULL)
    return NULL;

  short_token = sm_json_get_string (short_root, "access_token");
  if (short_token == NULL)
    {
      _sm_platform_set_bad_answer (error, network_name, SM_CALL_TOKEN);
      return NULL;
    }

  {
    g_autofree char *escaped_short = _sm_platform_escape (short_token);

    g_clear_pointer (&url, g_free);
    url = g_strdup_printf (FB_GRAPH "/oauth/access_token?grant_type=fb_exchange_token"
                           "&client_id=%s&client_secret=%s&fb_exchange_token=%s",
                           client_id, client_secret, escaped_short);
  }
  long_root = _sm_platform_graph_get (session, url, NULL, network_name, SM_CALL_TOKEN, NULL,
                                      cancellable, error);
  if (long_root == NULL)
    return NULL;

  tokens = _sm_platform_tokens_from_json (long_root);
  if (tokens == NULL)
    _sm_platform_set_bad_answer (error, network_name, SM_CALL_TOKEN);
  return tokens;
}

static GPtrArray *
sm_platform_facebook_exchange_code (SmPlatform                *platform,
                                    SoupSession               *session,
                                    const SmClientCredentials *creds,
                                    const char                *code,
                                    const char                *redirect_uri,
                                    const char                *code_verifier,
                                    GCancellable              *cancellable,
                                    GError                   **error)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(SmTokens) user = NULL;
  g_autofree char *next = NULL;
  const char *user_token;

  user = _sm_platform_facebook_user_token (session, creds, code, redirect_uri, code_verifier,
                                           FB_NAME, cancellable, error);
  if (user == NULL)
    return NULL;
  user_token = user->access_token;

  /* The Pages, each with its own token. */
  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_account_info_free);
  next = g_strdup (FB_GRAPH "/me/accounts?fields=id,name,access_token,tasks&limit=100");
  for (guint n = 0; next != NULL && n < FB_MAX_PAGES; n++)
    {
      g_autoptr(JsonNode) root = NULL;
      const char *next_url;

      root = fb_get (session, next, user_token, SM_CALL_READ, NULL, cancellable, error);
      if (root == NULL)
        return NULL;

      if (!add_pages (accounts, root))
        {
          _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_READ);
          return NULL;
        }

      /* The next page's URL comes back absolute; in sandbox mode it points
       * at the sandbox, so map it back to the real one first. */
      next_url = sm_json_get_string (root, "paging.next");
      g_clear_pointer (&next, g_free);
      if (next_url != NULL)
        next = sm_http_unresolve_url (next_url);
    }

  if (accounts->len == 0)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("This Facebook login gives access to no Page. Check that you "
                             "manage a Page and select it when connecting, then try again."));
      return NULL;
    }

  return g_steal_pointer (&accounts);
}

static SmTokens *
sm_platform_facebook_refresh (SmPlatform                *platform,
                              SoupSession               *session,
                              const SmClientCredentials *creds,
                              const SmTokens            *old,
                              GCancellable              *cancellable,
                              GError                   **error)
{
  /* Facebook has no refresh grant (section 2.1): a Page token dies only
   * when the user changes the password, loses the Page role or removes the
   * app, and then only a new login helps. */
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                       _("Facebook no longer accepts the sign-in for this Page and has no "
                         "way to renew it automatically. Reconnect the account."));
  return NULL;
}

/* ---- publishing ------------------------------------------------------------ */

typedef enum
{
  FB_KIND_TEXT,
  FB_KIND_PHOTO,     /* one photo: POST /{page}/photos */
  FB_KIND_PHOTOS,    /* several: unpublished photos, then /feed attached_media */
  FB_KIND_VIDEO,     /* the legacy resumable upload on graph-video */
  FB_KIND_REEL,      /* /video_reels + rupload */
  FB_KIND_STORY_PHOTO,
  FB_KIND_STORY_VIDEO,
  FB_KIND_INVALID,
} FbKind;

static const char *
option (const SmPublishRequest *request,
        const char             *key)
{
  return request->options != NULL ? g_hash_table_lookup (request->options, key) : NULL;
}

static gboolean
is_video (const SmPostMedia *media)
{
  return media->mime_type != NULL && g_str_has_prefix (media->mime_type, "video/");
}

static gboolean
is_image (const SmPostMedia *media)
{
  return media->mime_type != NULL && g_str_has_prefix (media->mime_type, "image/");
}

static guint
n_media (const SmPublishRequest *request)
{
  return request->media != NULL ? request->media->len : 0;
}

static const SmPostMedia *
media_at (const SmPublishRequest *request,
          guint                   i)
{
  return g_ptr_array_index ((GPtrArray *) request->media, i);
}

/* What facebook.kind and the files make of the post; FB_KIND_INVALID with
 * a message for combinations the media rules should have caught. */
static FbKind
classify (const SmPublishRequest  *request,
          GError                 **error)
{
  const char *kind = option (request, "facebook.kind");
  guint n = n_media (request);
  guint images = 0;
  guint videos = 0;

  for (guint i = 0; i < n; i++)
    {
      images += is_image (media_at (request, i));
      videos += is_video (media_at (request, i));
    }

  if (g_strcmp0 (kind, "reel") == 0)
    {
      if (n == 1 && videos == 1)
        return FB_KIND_REEL;
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("A Facebook reel takes exactly one video."));
      return FB_KIND_INVALID;
    }
  if (g_strcmp0 (kind, "story") == 0)
    {
      if (n == 1 && videos == 1)
        return FB_KIND_STORY_VIDEO;
      if (n == 1 && images == 1)
        return FB_KIND_STORY_PHOTO;
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("A Facebook story takes exactly one photo or one video."));
      return FB_KIND_INVALID;
    }

  if (n == 0)
    return FB_KIND_TEXT;
  if (n == 1 && videos == 1)
    return FB_KIND_VIDEO;
  if (images == n && n <= FB_MAX_PHOTOS)
    return n == 1 ? FB_KIND_PHOTO : FB_KIND_PHOTOS;

  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
               _("A Facebook post takes up to %d photos or one video, not both."),
               FB_MAX_PHOTOS);
  return FB_KIND_INVALID;
}

/* The first http(s) URL in @text, or NULL. */
static char *
first_url (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if ((g_ascii_strncasecmp (p, "https://", 8) == 0 || g_ascii_strncasecmp (p, "http://", 7) == 0)
          && (p == text || g_ascii_isspace (p[-1]) || strchr ("([<\"'", p[-1]) != NULL))
        {
          const char *end = p;
          g_autofree char *url = NULL;

          while (*end != '\0' && !g_ascii_isspace (*end) && strchr ("<>\"", *end) == NULL)
            end++;
          /* Punctuation that ends a sentence is not part of the link. */
          while (end > p && strchr (".,;:!?)]'", end[-1]) != NULL)
            end--;
          url = g_strndup (p, end - p);
          if (g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL))
            return g_steal_pointer (&url);
        }
    }
  return NULL;
}

static char *
post_permalink (const char *page,
                const char *post_id)
{
  const char *underscore = strchr (post_id, '_');
  g_autofree char *escaped_page = _sm_platform_escape (page);
  g_autofree char *escaped_post = _sm_platform_escape (underscore ? underscore + 1 : post_id);

  return g_strdup_printf ("https://www.facebook.com/%s/posts/%s", escaped_page, escaped_post);
}

static char *
video_permalink (FbKind      kind,
                 const char *page,
                 const char *video_id)
{
  g_autofree char *escaped_page = _sm_platform_escape (page);
  g_autofree char *escaped_video = _sm_platform_escape (video_id);

  if (kind == FB_KIND_REEL)
    return g_strdup_printf ("https://www.facebook.com/reel/%s", escaped_video);
  return g_strdup_printf ("https://www.facebook.com/%s/videos/%s", escaped_page, escaped_video);
}

/* A text post, with the first URL in the text as its link preview: a
 * Page post has one link attachment, and Facebook builds the preview
 * from it (section 2.2, `link`).  The text stays whole. */
static gboolean
sm_platform_facebook_publish_text (SmPlatform              *platform,
                                   SoupSession             *session,
                                   const SmPublishRequest  *request,
                                   SmPublishResult         *result,
                                   GCancellable            *cancellable,
                                   GError                 **error)
{
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (FB_GRAPH "/%s/feed", page);
  g_autofree char *link = first_url (request->text);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_form_body (msg, "message", request->text, "link", link, NULL);

  root = fb_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (root == NULL)
    return FALSE;

  id = sm_json_get_string (root, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_CREATE);
      return FALSE;
    }

  result->remote_id = g_strdup (id);
  result->permalink = fb_permalink (id);

  return TRUE;
}

/* POST /{page}/photos with the file as `source`: published with @message
 * (a post of its own: *@post_id), or unpublished, to be attached to a post
 * (only *@photo_id). */
static gboolean
upload_photo (SoupSession             *session,
              const SmPublishRequest  *request,
              const SmPostMedia       *media,
              const char              *message,
              gboolean                 published,
              goffset                  done,
              goffset                  total,
              char                   **photo_id,
              char                   **post_id,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (FB_GRAPH "/%s/photos", page);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) file = NULL;
  g_autoptr(FbForm) form = fb_form_new ();
  g_autoptr(JsonNode) root = NULL;
  FbProgress progress = { request->uploads, 0, done, media->size_bytes, total, 0 };
  gulong handler;
  const char *id;

  file = open_media (media, cancellable, error);
  if (file == NULL)
    return FALSE;
  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);

  fb_form_add (form, "published", published ? "true" : "false");
  if (published)
    fb_form_add (form, "message", message);
  progress.skip = fb_form_attach (form, msg, "source", media->path, media->mime_type, file, 0,
                                  media->size_bytes);

  handler = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), &progress);
  /* An unpublished photo is seen by nobody: sending it again is safe. */
  root = fb_call (session, msg, published ? SM_CALL_CREATE : SM_CALL_PREPARE, result,
                  cancellable, error);
  g_signal_handler_disconnect (msg, handler);
  if (root == NULL)
    return FALSE;

  id = sm_json_get_string (root, "id");
  if (id == NULL || (published && sm_json_get_string (root, "post_id") == NULL))
    {
      _sm_platform_set_bad_answer (error, FB_NAME, published ? SM_CALL_CREATE : SM_CALL_PREPARE);
      return FALSE;
    }
  *photo_id = g_strdup (id);
  if (post_id != NULL)
    *post_id = g_strdup (sm_json_get_string (root, "post_id"));
  return TRUE;
}

static gboolean
publish_photo (SoupSession             *session,
               const SmPublishRequest  *request,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  const SmPostMedia *media = media_at (request, 0);
  g_autofree char *photo_id = NULL;
  g_autofree char *post_id = NULL;

  if (!upload_photo (session, request, media, request->text, TRUE, 0, media->size_bytes,
                     &photo_id, &post_id, result, cancellable, error))
    return FALSE;

  result->remote_id = g_strdup (post_id);
  result->permalink = post_permalink (request->account_remote_id, post_id);
  return TRUE;
}

/* Each photo unpublished (kept through the hooks, so that a retry does
 * not upload it again), then one post with all of them in order. */
static gboolean
publish_photos (SoupSession             *session,
                const SmPublishRequest  *request,
                SmPublishResult         *result,
                GCancellable            *cancellable,
                GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (FB_GRAPH "/%s/feed", page);
  g_autoptr(JsonBuilder) attached = json_builder_new ();
  g_autoptr(JsonNode) attached_node = NULL;
  g_autofree char *attached_json = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  goffset total = 0;
  goffset done = 0;
  const char *id;

  for (guint i = 0; i < n_media (request); i++)
    total += media_at (request, i)->size_bytes;

  json_builder_begin_array (attached);
  for (guint i = 0; i < n_media (request); i++)
    {
      const SmPostMedia *media = media_at (request, i);
      g_autoptr(SmUploadState) state = hooks ? hooks->load (hooks->data, media->id) : NULL;
      g_autofree char *photo_id = NULL;

      if (state != NULL && state->remote_media_id != NULL)
        photo_id = g_strdup (state->remote_media_id);
      else if (!upload_photo (session, request, media, NULL, FALSE, done, total, &photo_id, NULL,
                              result, cancellable, error))
        return FALSE;
      else if (hooks != NULL)
        hooks->save (hooks->data, media->id, NULL, media->size_bytes, photo_id);

      done += media->size_bytes;
      report_progress (hooks, done, total);
      json_builder_begin_object (attached);
      json_builder_set_member_name (attached, "media_fbid");
      json_builder_add_string_value (attached, photo_id);
      json_builder_end_object (attached);
    }
  json_builder_end_array (attached);
  attached_node = json_builder_get_root (attached);
  attached_json = json_to_string (attached_node, FALSE);

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_form_body (msg,
                         "message", *request->text != '\0' ? request->text : NULL,
                         "attached_media", attached_json,
                         NULL);
  root = fb_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (root == NULL)
    return FALSE;
  id = sm_json_get_string (root, "id");
  if (id == NULL)
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_CREATE);
      return FALSE;
    }
  result->remote_id = g_strdup (id);
  result->permalink = post_permalink (request->account_remote_id, id);
  return TRUE;
}

/* ---- videos: where an upload stands ---------------------------------------- */

/* What is kept through SmUploadHooks for a video: "VIDEO-ID SESSION-ID
 * CHUNK" (the legacy upload's session and the length of the last chunk
 * the server asked for) or "VIDEO-ID" (rupload); acknowledged is the next
 * start_offset; remote_media_id is the video id once every byte is in. */
typedef struct
{
  char   *video_id;
  char   *session_id;
  goffset chunk;
} FbVideoSession;

static void
fb_video_session_clear (FbVideoSession *s)
{
  g_clear_pointer (&s->video_id, g_free);
  g_clear_pointer (&s->session_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FbVideoSession, fb_video_session_clear)

static gboolean
parse_session (const char     *text,
               FbVideoSession *out)
{
  g_auto(GStrv) parts = text != NULL ? g_strsplit (text, " ", -1) : NULL;
  guint64 chunk = 0;

  if (parts == NULL || parts[0] == NULL || *parts[0] == '\0')
    return FALSE;
  out->video_id = g_strdup (parts[0]);
  if (parts[1] != NULL && parts[2] != NULL
      && g_ascii_string_to_unsigned (parts[2], 10, 1, G_MAXINT64, &chunk, NULL))
    {
      out->session_id = g_strdup (parts[1]);
      out->chunk = (goffset) chunk;
    }
  return TRUE;
}

static char *
format_session (const FbVideoSession *s)
{
  if (s->session_id == NULL)
    return g_strdup (s->video_id);
  return g_strdup_printf ("%s %s %" G_GOFFSET_FORMAT, s->video_id, s->session_id, s->chunk);
}

/* GET /{video-id}?fields=status (section 2.2): the status object, or NULL
 * with an error.  A video the network does not know is an error with
 * *@unknown set. */
static JsonNode *
video_status (SoupSession            *session,
              const SmPublishRequest *request,
              const char             *video_id,
              gboolean               *unknown,
              SmPublishResult        *result,
              GCancellable           *cancellable,
              GError                **error)
{
  g_autofree char *escaped = _sm_platform_escape (video_id);
  g_autofree char *url = g_strdup_printf (FB_GRAPH "/%s?fields=status", escaped);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("GET", url, error);
  g_autoptr(JsonNode) root = NULL;
  JsonNode *status;

  if (unknown != NULL)
    *unknown = FALSE;
  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);
  root = fb_call (session, msg, SM_CALL_READ, result, cancellable, error);
  if (root == NULL)
    {
      /* "Unsupported get request. Object with ID … does not exist" */
      if (unknown != NULL && error != NULL
          && g_error_matches (*error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED))
        *unknown = TRUE;
      return NULL;
    }
  status = sm_json_get_node (root, "status");
  if (status == NULL || !JSON_NODE_HOLDS_OBJECT (status))
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_READ);
      return NULL;
    }
  return json_node_copy (status);
}

/* Meta's own words for a video that failed: the processing phase's
 * errors, else the phase's or the video's status. */
static char *
status_error_text (JsonNode *status)
{
  const char *message = sm_json_get_string (status, "processing_phase.errors.0.message");

  if (message == NULL)
    message = sm_json_get_string (status, "processing_phase.error.message");
  if (message == NULL)
    message = sm_json_get_string (status, "uploading_phase.errors.0.message");
  if (message == NULL)
    message = sm_json_get_string (status, "publishing_phase.errors.0.message");
  if (message == NULL)
    message = sm_json_get_string (status, "video_status");
  /* Meta's sentence goes inside ours: without its full stop. */
  return message != NULL ? g_strstrip (g_strdelimit (g_strdup (message), "\r\n", ' ')) : NULL;
}

static gboolean
status_is_error (JsonNode *status)
{
  const char *video_status = sm_json_get_string (status, "video_status");

  return g_strcmp0 (video_status, "error") == 0 || g_strcmp0 (video_status, "expired") == 0
         || g_strcmp0 (sm_json_get_string (status, "processing_phase.status"), "error") == 0;
}

/* Whether the finish call took effect: publishing has begun or is done. */
static gboolean
status_is_published (JsonNode *status)
{
  const char *publishing = sm_json_get_string (status, "publishing_phase.status");

  return publishing != NULL && g_strcmp0 (publishing, "not_started") != 0;
}

/* After the finish call: polls the status until the video is ready or
 * failed.  A failure is permanent, in Meta's words.  A video still
 * processing after FB_PROCESSING_WAIT_US is left to Facebook, which
 * publishes it once done: the post exists. */
static gboolean
wait_processing (SoupSession            *session,
                 const SmPublishRequest *request,
                 const char             *video_id,
                 GCancellable           *cancellable,
                 GError                **error)
{
  gint64 deadline = g_get_monotonic_time () + FB_PROCESSING_WAIT_US;
  gint64 delay = FB_POLL_FIRST_US;

  for (;;)
    {
      g_autoptr(JsonNode) status = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *phase;

      status = video_status (session, request, video_id, NULL, NULL, cancellable, &local_error);
      if (status == NULL)
        {
          /* The video is out; a status that cannot be read now does not
           * undo that. */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_debug ("video status: %s", local_error->message);
          return TRUE;
        }
      if (status_is_error (status))
        {
          g_autofree char *words = status_error_text (status);
          gsize len = words != NULL ? strlen (words) : 0;

          if (len > 0 && words[len - 1] == '.')
            words[len - 1] = '\0';

          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("Facebook could not process the video: %s. Check that it plays and "
                         "meets Facebook’s video rules, then post it again."),
                       words != NULL ? words : _("no reason given"));
          return FALSE;
        }
      phase = sm_json_get_string (status, "video_status");
      if (g_strcmp0 (phase, "ready") == 0 || g_strcmp0 (phase, "published") == 0)
        return TRUE;
      if (g_get_monotonic_time () + delay > deadline)
        {
          g_debug ("video %s still %s; Facebook publishes it when done", video_id,
                   phase != NULL ? phase : "?");
          return TRUE;
        }
      if (!_sm_platform_sleep (delay, cancellable, error))
        return FALSE;
      delay = MIN (delay * 2, FB_POLL_MAX_US);
    }
}

/* ---- videos: the legacy resumable upload (section 2.2) ------------------- */

/* One form POST on graph-video; the JSON answer. */
static JsonNode *
video_phase (SoupSession             *session,
             const SmPublishRequest  *request,
             FbForm                  *form,
             SmCallKind               kind,
             SmPublishResult         *result,
             GCancellable            *cancellable,
             GError                 **error)
{
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (FB_GRAPH_VIDEO "/%s/videos", page);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", url, error);
  g_autofree char *type = NULL;
  g_autoptr(GBytes) body = NULL;

  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);
  g_string_append_printf (form->head, "--%s--\r\n", form->boundary);
  type = g_strdup_printf ("multipart/form-data; boundary=%s", form->boundary);
  body = g_bytes_new (form->head->str, form->head->len);
  soup_message_set_request_body_from_bytes (msg, type, body);
  return fb_call (session, msg, kind, result, cancellable, error);
}

static gboolean
parse_offsets (JsonNode *root,
               goffset  *start,
               goffset  *end)
{
  const char *start_text = sm_json_get_string (root, "start_offset");
  const char *end_text = sm_json_get_string (root, "end_offset");
  guint64 s, e;

  /* Decimal strings (section 2.2). */
  if (start_text == NULL || end_text == NULL
      || !g_ascii_string_to_unsigned (start_text, 10, 0, G_MAXINT64, &s, NULL)
      || !g_ascii_string_to_unsigned (end_text, 10, 0, G_MAXINT64, &e, NULL) || e < s)
    return FALSE;
  *start = (goffset) s;
  *end = (goffset) e;
  return TRUE;
}

/* One transfer: bytes [@start, @end) as video_file_chunk; the next window. */
static gboolean
transfer_chunk (SoupSession             *session,
                const SmPublishRequest  *request,
                const SmPostMedia       *media,
                GInputStream            *file,
                const FbVideoSession    *s,
                goffset                  start,
                goffset                  end,
                goffset                 *next_start,
                goffset                 *next_end,
                SmPublishResult         *result,
                GCancellable            *cancellable,
                GError                 **error)
{
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (FB_GRAPH_VIDEO "/%s/videos", page);
  g_autofree char *offset = g_strdup_printf ("%" G_GOFFSET_FORMAT, start);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", url, error);
  g_autoptr(FbForm) form = fb_form_new ();
  g_autoptr(JsonNode) root = NULL;
  FbProgress progress = { request->uploads, 0, start, end - start, media->size_bytes, 0 };
  gulong handler;

  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  fb_form_add (form, "upload_phase", "transfer");
  fb_form_add (form, "upload_session_id", s->session_id);
  fb_form_add (form, "start_offset", offset);
  progress.skip = fb_form_attach (form, msg, "video_file_chunk", media->path,
                                  "application/octet-stream", file, start, end - start);
  /* A chunk is never sent twice on a reused connection behind our back. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);

  handler = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), &progress);
  root = fb_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
  g_signal_handler_disconnect (msg, handler);
  if (root == NULL)
    return FALSE;
  if (!parse_offsets (root, next_start, next_end) || *next_start <= start
      || *next_end > media->size_bytes)
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_PREPARE);
      return FALSE;
    }
  return TRUE;
}

/* The bytes Facebook has of the video: status.uploading_phase.
 * bytes_transferred (the status object of section 2.2, whose sub-objects
 * the doc marks partially unconfirmed).  -1 when the video is unknown. */
static gboolean
ask_transferred (SoupSession             *session,
                 const SmPublishRequest  *request,
                 const char              *video_id,
                 goffset                 *transferred,
                 GCancellable            *cancellable,
                 GError                 **error)
{
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean unknown = FALSE;
  JsonNode *bytes;

  status = video_status (session, request, video_id, &unknown, NULL, cancellable, &local_error);
  if (status == NULL)
    {
      if (!unknown)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *transferred = -1;
      return TRUE;
    }
  bytes = sm_json_get_node (status, "uploading_phase.bytes_transferred");
  if (bytes == NULL || !JSON_NODE_HOLDS_VALUE (bytes))
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_READ);
      return FALSE;
    }
  *transferred = json_node_get_value_type (bytes) == G_TYPE_STRING
                 ? (goffset) g_ascii_strtoll (json_node_get_string (bytes), NULL, 10)
                 : (goffset) json_node_get_int (bytes);
  return TRUE;
}

/* Sends the file from where the network stands to the end.  The server
 * picks the chunk boundaries; each acknowledged chunk is saved.  After a
 * lost connection or a 5xx the network is asked what it has
 * (ask_transferred) before another byte goes. */
static gboolean
send_video (SoupSession             *session,
            const SmPublishRequest  *request,
            const SmPostMedia       *media,
            FbVideoSession          *s,
            goffset                  start,
            goffset                  end,
            gboolean                 ask_first,
            SmPublishResult         *result,
            GCancellable            *cancellable,
            GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  g_autoptr(GInputStream) file = open_media (media, cancellable, error);
  gboolean asked_after_refusal = FALSE;
  guint failures = 0;

  if (file == NULL)
    return FALSE;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      goffset next_start = 0, next_end = 0;

      if (ask_first)
        {
          goffset transferred = 0;

          if (!ask_transferred (session, request, s->video_id, &transferred, cancellable, error))
            return FALSE;
          if (transferred < 0 || transferred > media->size_bytes)
            {
              g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT,
                                   _("Facebook no longer has the video upload; it will start "
                                     "again from the beginning."));
              hooks->save (hooks->data, media->id, NULL, 0, NULL);
              return FALSE;
            }
          start = transferred;
          end = MIN (start + s->chunk, media->size_bytes);
          ask_first = FALSE;
          report_progress (hooks, start, media->size_bytes);
        }
      if (start >= media->size_bytes)
        return TRUE;

      if (transfer_chunk (session, request, media, file, s, start, end, &next_start, &next_end,
                          result, cancellable, &local_error))
        {
          failures = 0;
          asked_after_refusal = FALSE;
          start = next_start;
          end = next_end;
          if (end > start)
            s->chunk = end - start;
          {
            g_autofree char *text = format_session (s);

            hooks->save (hooks->data, media->id, text, start, NULL);
          }
          report_progress (hooks, start, media->size_bytes);
          /* Done when start_offset == end_offset. */
          if (start == end)
            return start == media->size_bytes ? TRUE
                   : (_sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_PREPARE), FALSE);
          continue;
        }

      /* A chunk refused for its offsets: the server's idea of the next
       * window differs from ours; ask once, then believe it. */
      if (g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED)
          && !asked_after_refusal)
        {
          g_debug ("video chunk at %" G_GOFFSET_FORMAT " refused: %s; asking where the upload "
                   "stands", start, local_error->message);
          asked_after_refusal = TRUE;
          ask_first = TRUE;
          continue;
        }
      if (!g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT)
          || ++failures > FB_MAX_CHUNK_FAILURES)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("video chunk at %" G_GOFFSET_FORMAT ": %s; asking where the upload stands",
               start, local_error->message);
      if (!_sm_platform_sleep (FB_RETRY_FIRST_US << (failures - 1), cancellable, error))
        return FALSE;
      ask_first = TRUE;
    }
}

static gboolean
answer_success (JsonNode *root)
{
  JsonNode *success = sm_json_get_node (root, "success");

  return success != NULL && JSON_NODE_HOLDS_VALUE (success)
         && json_node_get_value_type (success) == G_TYPE_BOOLEAN && json_node_get_boolean (success);
}

/* The finish call that makes the post, then the processing. */
static gboolean
finish_video (SoupSession             *session,
              const SmPublishRequest  *request,
              const FbVideoSession    *s,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(FbForm) form = fb_form_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GError) local_error = NULL;

  /* Sent before but unanswered: the network says whether it took it. */
  status = video_status (session, request, s->video_id, NULL, NULL, cancellable, &local_error);
  if (status == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (status == NULL || !status_is_published (status))
    {
      fb_form_add (form, "upload_phase", "finish");
      fb_form_add (form, "upload_session_id", s->session_id);
      fb_form_add (form, "description", request->text);
      fb_form_add (form, "published", "true");
      root = video_phase (session, request, form, SM_CALL_CREATE, result, cancellable, error);
      if (root == NULL)
        return FALSE;
      if (!answer_success (root))
        {
          _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_CREATE);
          return FALSE;
        }
    }
  if (!wait_processing (session, request, s->video_id, cancellable, error))
    return FALSE;

  result->remote_id = g_strdup (s->video_id);
  result->permalink = video_permalink (FB_KIND_VIDEO, request->account_remote_id, s->video_id);
  return TRUE;
}

/* An upload an earlier run finished: whether Facebook still has the
 * video (*@gone: start over). */
static gboolean
check_saved_video (SoupSession             *session,
                   const SmPublishRequest  *request,
                   const char              *video_id,
                   gboolean                *gone,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean unknown = FALSE;

  *gone = FALSE;
  status = video_status (session, request, video_id, &unknown, NULL, cancellable, &local_error);
  if (status != NULL)
    return TRUE;
  if (unknown)
    {
      g_debug ("video %s is gone; uploading it again", video_id);
      *gone = TRUE;
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
publish_video (SoupSession             *session,
               const SmPublishRequest  *request,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const SmPostMedia *media = media_at (request, 0);
  g_autoptr(SmUploadState) state = hooks->load (hooks->data, media->id);
  g_auto(FbVideoSession) s = { 0 };
  goffset start = 0, end = 0;

  if (state != NULL && state->remote_media_id != NULL && parse_session (state->session, &s)
      && s.session_id != NULL)
    {
      gboolean gone = FALSE;

      /* Every byte is there: only the finish is left, if Facebook still
       * has the video. */
      if (!check_saved_video (session, request, s.video_id, &gone, cancellable, error))
        return FALSE;
      if (!gone)
        return finish_video (session, request, &s, result, cancellable, error);
      hooks->save (hooks->data, media->id, NULL, 0, NULL);
      g_clear_pointer (&state, sm_upload_state_free);
    }
  fb_video_session_clear (&s);

  if (state != NULL && parse_session (state->session, &s) && s.session_id != NULL)
    {
      /* From an earlier run: where it stands is the network's to say. */
      if (!send_video (session, request, media, &s, state->acknowledged, 0, TRUE, result,
                       cancellable, error))
        return FALSE;
    }
  else
    {
      g_autoptr(FbForm) form = fb_form_new ();
      g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT, media->size_bytes);
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      fb_video_session_clear (&s);
      fb_form_add (form, "upload_phase", "start");
      fb_form_add (form, "file_size", size);
      /* Nothing is public before the finish: a start is safe to repeat. */
      root = video_phase (session, request, form, SM_CALL_PREPARE, result, cancellable, error);
      if (root == NULL)
        return FALSE;
      s.video_id = g_strdup (sm_json_get_string (root, "video_id"));
      s.session_id = g_strdup (sm_json_get_string (root, "upload_session_id"));
      if (s.video_id == NULL || s.session_id == NULL || !parse_offsets (root, &start, &end)
          || start != 0 || end <= 0 || end > media->size_bytes)
        {
          _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_PREPARE);
          return FALSE;
        }
      s.chunk = end - start;
      text = format_session (&s);
      hooks->save (hooks->data, media->id, text, 0, NULL);
      if (!send_video (session, request, media, &s, start, end, FALSE, result, cancellable, error))
        return FALSE;
    }

  {
    g_autofree char *text = format_session (&s);

    hooks->save (hooks->data, media->id, text, media->size_bytes, s.video_id);
  }
  return finish_video (session, request, &s, result, cancellable, error);
}

/* ---- reels and stories: rupload (section 2.2) ------------------------------ */

/* POST /{page}/{edge}?upload_phase=start → video_id and upload_url. */
static gboolean
rupload_start (SoupSession             *session,
               const SmPublishRequest  *request,
               const char              *edge,
               FbVideoSession          *s,
               char                   **upload_url,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = g_strdup_printf (FB_GRAPH "/%s/%s", page, edge);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", url, error);
  g_autoptr(JsonNode) root = NULL;
  const char *id;
  const char *where;

  if (msg == NULL)
    return FALSE;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_form_body (msg, "upload_phase", "start", NULL);
  root = fb_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
  if (root == NULL)
    return FALSE;
  id = sm_json_get_string (root, "video_id");
  where = sm_json_get_string (root, "upload_url");
  if (id == NULL || where == NULL)
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_PREPARE);
      return FALSE;
    }
  s->video_id = g_strdup (id);
  /* The sandbox hands out its own address for it; keep the real one. */
  *upload_url = sm_http_unresolve_url (where);
  return TRUE;
}

/* The whole file in one POST to rupload.facebook.com, read from disk as it
 * is sent. */
static gboolean
rupload_send (SoupSession             *session,
              const SmPublishRequest  *request,
              const SmPostMedia       *media,
              const char              *upload_url,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", upload_url, error);
  g_autoptr(GInputStream) file = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT, media->size_bytes);
  FbProgress progress = { request->uploads, 0, 0, media->size_bytes, media->size_bytes, 0 };
  SoupMessageHeaders *headers;
  gboolean sent;
  gulong handler;

  if (msg == NULL)
    return FALSE;
  file = open_media (media, cancellable, error);
  if (file == NULL)
    return FALSE;
  /* rupload takes the token only as "OAuth", not "Bearer". */
  headers = soup_message_get_request_headers (msg);
  authorization = g_strconcat ("OAuth ", request->tokens->access_token, NULL);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "offset", "0");
  soup_message_headers_replace (headers, "file_size", size);
  attach_raw (msg, "application/octet-stream", file, 0, media->size_bytes);
  soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);

  handler = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), &progress);
  sent = _sm_platform_send (session, msg, SM_CALL_PREPARE, cancellable, &root, error);
  g_signal_handler_disconnect (msg, handler);
  if (!sent)
    return FALSE;
  if (!_sm_platform_status_ok (msg))
    {
      /* rupload answers {"debug_info":{"type","message"}}, not the Graph
       * envelope. */
      const char *words = sm_json_get_string (root, "debug_info.message");

      if (sm_json_get_node (root, "error") != NULL || words == NULL)
        _sm_platform_set_meta_error (error, FB_NAME, msg, root, SM_CALL_PREPARE, result);
      else
        _sm_platform_set_status_error (error, FB_NAME, msg, SM_CALL_PREPARE, words, result);
      return FALSE;
    }
  if (!answer_success (root))
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_PREPARE);
      return FALSE;
    }
  return TRUE;
}

/* Start, then the file; the video id once every byte is in.  There is no
 * documented way to ask rupload how much of a cut upload it kept
 * (platform-apis.md has none), so an upload that did not finish starts
 * over with a new session: at most one whole file again, never a wrong
 * byte. */
static gboolean
rupload_video (SoupSession             *session,
               const SmPublishRequest  *request,
               const char              *edge,
               FbVideoSession          *s,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const SmPostMedia *media = media_at (request, 0);
  g_autoptr(SmUploadState) state = hooks->load (hooks->data, media->id);

  if (state != NULL && state->remote_media_id != NULL && parse_session (state->session, s))
    {
      gboolean gone = FALSE;

      if (!check_saved_video (session, request, s->video_id, &gone, cancellable, error))
        return FALSE;
      if (!gone)
        return TRUE;
      hooks->save (hooks->data, media->id, NULL, 0, NULL);
    }

  for (guint attempt = 1;; attempt++)
    {
      g_autofree char *upload_url = NULL;
      g_autoptr(GError) local_error = NULL;

      fb_video_session_clear (s);
      if (!rupload_start (session, request, edge, s, &upload_url, result, cancellable, error))
        return FALSE;
      hooks->save (hooks->data, media->id, s->video_id, 0, NULL);
      report_progress (hooks, 0, media->size_bytes);
      if (rupload_send (session, request, media, upload_url, result, cancellable, &local_error))
        break;
      if (!g_error_matches (local_error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_TRANSIENT)
          || attempt >= FB_MAX_RUPLOAD_ATTEMPTS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("rupload: %s; starting over", local_error->message);
      if (!_sm_platform_sleep (FB_RETRY_FIRST_US, cancellable, error))
        return FALSE;
    }

  hooks->save (hooks->data, media->id, s->video_id, media->size_bytes, s->video_id);
  report_progress (hooks, media->size_bytes, media->size_bytes);
  return TRUE;
}

static gboolean
publish_reel (SoupSession             *session,
              const SmPublishRequest  *request,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_auto(FbVideoSession) s = { 0 };
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!rupload_video (session, request, "video_reels", &s, result, cancellable, error))
    return FALSE;

  /* After a restart: the finish may have gone through already. */
  status = video_status (session, request, s.video_id, NULL, NULL, cancellable, &local_error);
  if (status == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (status == NULL || !status_is_published (status))
    {
      g_autofree char *page = _sm_platform_escape (request->account_remote_id);
      g_autofree char *url = g_strdup_printf (FB_GRAPH "/%s/video_reels", page);
      g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", url, error);
      g_autoptr(JsonNode) root = NULL;

      if (msg == NULL)
        return FALSE;
      sm_http_set_bearer (msg, request->tokens->access_token);
      sm_http_set_form_body (msg,
                             "upload_phase", "finish",
                             "video_id", s.video_id,
                             "video_state", "PUBLISHED",
                             "description", request->text,
                             NULL);
      root = fb_call_full (session, msg, SM_CALL_CREATE, TRUE, result, cancellable, error);
      if (root == NULL)
        return FALSE;
      if (!answer_success (root))
        {
          _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_CREATE);
          return FALSE;
        }
    }

  if (!wait_processing (session, request, s.video_id, cancellable, error))
    return FALSE;
  result->remote_id = g_strdup (s.video_id);
  result->permalink = video_permalink (FB_KIND_REEL, request->account_remote_id, s.video_id);
  return TRUE;
}

/* Stories (section 2.2, from Postiz): a video through rupload and
 * /video_stories, or an unpublished photo and /photo_stories. */
static gboolean
publish_story (SoupSession             *session,
               const SmPublishRequest  *request,
               FbKind                   kind,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  const SmPostMedia *media = media_at (request, 0);
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autofree char *photo_id = NULL;
  g_auto(FbVideoSession) s = { 0 };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *post_id;

  if (kind == FB_KIND_STORY_VIDEO)
    {
      if (!rupload_video (session, request, "video_stories", &s, result, cancellable, error))
        return FALSE;
      url = g_strdup_printf (FB_GRAPH "/%s/video_stories", page);
      msg = sm_http_message_new ("POST", url, error);
      if (msg == NULL)
        return FALSE;
      sm_http_set_form_body (msg, "upload_phase", "finish", "video_id", s.video_id, NULL);
    }
  else
    {
      if (!upload_photo (session, request, media, NULL, FALSE, 0, media->size_bytes, &photo_id,
                         NULL, result, cancellable, error))
        return FALSE;
      url = g_strdup_printf (FB_GRAPH "/%s/photo_stories", page);
      msg = sm_http_message_new ("POST", url, error);
      if (msg == NULL)
        return FALSE;
      sm_http_set_form_body (msg, "photo_id", photo_id, NULL);
    }
  sm_http_set_bearer (msg, request->tokens->access_token);
  root = fb_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (root == NULL)
    return FALSE;
  post_id = sm_json_get_string (root, "post_id");
  if (post_id == NULL)
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_CREATE);
      return FALSE;
    }
  if (kind == FB_KIND_STORY_VIDEO && !wait_processing (session, request, s.video_id, cancellable, error))
    return FALSE;
  result->remote_id = g_strdup (post_id);
  result->permalink = fb_permalink (post_id);
  return TRUE;
}

static gboolean
sm_platform_facebook_publish (SmPlatform              *platform,
                              SoupSession             *session,
                              const SmPublishRequest  *request,
                              SmPublishResult         *result,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  FbKind kind = classify (request, error);

  if (kind != FB_KIND_TEXT && kind != FB_KIND_INVALID && request->uploads == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                           "Facebook uploads need upload hooks");
      return FALSE;
    }

  switch (kind)
    {
    case FB_KIND_TEXT:
      return sm_platform_facebook_publish_text (platform, session, request, result, cancellable,
                                                error);
    case FB_KIND_PHOTO:
      return publish_photo (session, request, result, cancellable, error);
    case FB_KIND_PHOTOS:
      return publish_photos (session, request, result, cancellable, error);
    case FB_KIND_VIDEO:
      return publish_video (session, request, result, cancellable, error);
    case FB_KIND_REEL:
      return publish_reel (session, request, result, cancellable, error);
    case FB_KIND_STORY_PHOTO:
    case FB_KIND_STORY_VIDEO:
      return publish_story (session, request, kind, result, cancellable, error);
    case FB_KIND_INVALID:
    default:
      return FALSE;
    }
}

/* A video post is out once its finish call took effect: the status of
 * the video whose upload was saved says so for certain.  Without a saved
 * video id no finish was ever sent. */
static gboolean
find_video (SoupSession             *session,
            const SmPublishRequest  *request,
            FbKind                   kind,
            SmPublishResult         *result,
            GCancellable            *cancellable,
            GError                 **error)
{
  const SmUploadHooks *hooks = request->uploads;
  const SmPostMedia *media = media_at (request, 0);
  g_autoptr(SmUploadState) state = hooks ? hooks->load (hooks->data, media->id) : NULL;
  g_auto(FbVideoSession) s = { 0 };
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean unknown = FALSE;

  result->definitive = TRUE;
  if (state == NULL || state->remote_media_id == NULL || !parse_session (state->session, &s))
    return TRUE;

  status = video_status (session, request, s.video_id, &unknown, result, cancellable, &local_error);
  if (status == NULL)
    {
      if (unknown)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!status_is_published (status))
    return TRUE;
  result->remote_id = g_strdup (s.video_id);
  result->permalink = video_permalink (kind, request->account_remote_id, s.video_id);
  return TRUE;
}

static gboolean
sm_platform_facebook_find_published (SmPlatform              *platform,
                                     SoupSession             *session,
                                     const SmPublishRequest  *request,
                                     SmPublishResult         *result,
                                     GCancellable            *cancellable,
                                     GError                 **error)
{
  FbKind kind = classify (request, NULL);
  g_autofree char *page = _sm_platform_escape (request->account_remote_id);
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonNode *data;
  gint64 since = request->not_before_us > 0 ? request->not_before_us - CLOCK_SLACK_US : 0;

  if (kind == FB_KIND_VIDEO || kind == FB_KIND_REEL || kind == FB_KIND_STORY_VIDEO)
    return find_video (session, request, kind, result, cancellable, error);

  /* Text, photo and multi-photo posts: the Page's posts since the first
   * attempt, by their text.  (A photo story has no text to match; a lost
   * answer to one may leave it unfound.) */
  url = g_strdup_printf (FB_GRAPH "/%s/published_posts"
                         "?fields=id,message,created_time,permalink_url&limit=25", page);
  if (since > 0)
    {
      g_autofree char *base = g_steal_pointer (&url);

      /* Graph takes since as unix seconds. */
      url = g_strdup_printf ("%s&since=%" G_GINT64_FORMAT, base, since / G_USEC_PER_SEC);
    }
  root = fb_get (session, url, request->tokens->access_token, SM_CALL_READ, result,
                 cancellable, error);
  if (root == NULL)
    return FALSE;

  data = sm_json_get_node (root, "data");
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      _sm_platform_set_bad_answer (error, FB_NAME, SM_CALL_READ);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (data)); i++)
    {
      JsonNode *post = json_array_get_element (json_node_get_array (data), i);
      const char *id = sm_json_get_string (post, "id");
      const char *permalink = sm_json_get_string (post, "permalink_url");
      gint64 created = _sm_platform_parse_time (sm_json_get_string (post, "created_time"));

      if (id == NULL || !_sm_platform_text_matches (request->text,
                                                    sm_json_get_string (post, "message")))
        continue;
      if (since > 0 && created > 0 && created < since)
        continue;

      result->remote_id = g_strdup (id);
      result->permalink = permalink != NULL ? g_strdup (permalink) : fb_permalink (id);
      return TRUE;
    }

  return TRUE;
}

/* DELETE /{post-id} (or a video's id) with the Page token. */
static gboolean
sm_platform_facebook_delete_published (SmPlatform              *platform,
                                       SoupSession             *session,
                                       const SmPublishRequest  *request,
                                       SmPublishResult         *result,
                                       GCancellable            *cancellable,
                                       GError                 **error)
{
  return _sm_platform_graph_delete (session, FB_GRAPH, FB_NAME, request, result, cancellable, error);
}

/* POST /{post-id}/comments with message, as the Page (section 2.3). */
static gboolean
sm_platform_facebook_publish_comment (SmPlatform              *platform,
                                      SoupSession             *session,
                                      const SmPublishRequest  *request,
                                      SmPublishResult         *result,
                                      GCancellable            *cancellable,
                                      GError                 **error)
{
  return _sm_platform_graph_comment (session, FB_GRAPH, FB_NAME, request, result, cancellable, error);
}

static void
sm_platform_facebook_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_facebook_get_network;
  iface->get_oauth_spec = sm_platform_facebook_get_oauth_spec;
  iface->get_builtin_client_id = sm_platform_facebook_get_builtin_client_id;
  iface->exchange_code = sm_platform_facebook_exchange_code;
  iface->refresh = sm_platform_facebook_refresh;
  iface->publish_text = sm_platform_facebook_publish_text;
  iface->publish = sm_platform_facebook_publish;
  iface->find_published = sm_platform_facebook_find_published;
  iface->delete_published = sm_platform_facebook_delete_published;
  iface->publish_comment = sm_platform_facebook_publish_comment;
  /* revoke: the interface's default.  Removing the app needs the user
   * token, which is not kept; forgetting the Page token is enough. */
}

static void
sm_platform_facebook_class_init (SmPlatformFacebookClass *klass)
{
}

static void
sm_platform_facebook_init (SmPlatformFacebook *self)
{
}

SmPlatform *
sm_platform_facebook_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_FACEBOOK, NULL);
}
