/* sm-platform-whatsapp.c — WhatsApp Business Cloud API: one business phone
 * number per account, a system-user token pasted by the user (no OAuth),
 * messages to one recipient per post.
 *
 * See ../shared/docs/platform-apis.md, section 4 (4.1 messages, 4.2 media,
 * 4.4 the 24-hour window and the error codes) and 2.5 (the Graph error
 * envelope).
 *
 * What a post becomes:
 *  - whatsapp.template set: one template message (whatsapp.language, default
 *    en_US).  The post's text is a note for the user, except its lines
 *    written "{{1}}=value", "{{2}}=value" …, which fill the template body's
 *    parameters in order.  A template post takes no files.
 *  - no files: one text message (preview_url when the text has a link).
 *  - files: one message per file, in order (image for JPEG/PNG, sticker for
 *    WebP, video, audio, and document for everything else), each uploaded
 *    first with POST /{phone-number-id}/media.  The text is the first file's
 *    caption; when the first file takes no caption (audio, sticker) the text
 *    goes first as a text message of its own.
 *
 * There is no way to list the messages a number sent.  So each file's row
 * in the uploads table (SmUploadHooks) keeps, besides the uploaded media id
 * (valid 30 days, so a retry does not upload again), the state of the
 * message(s) it belongs to: not sent, "sending" (the request went out and
 * no answer came back) or the wamid WhatsApp answered.  A post that is
 * half sent resumes after its last confirmed message.  One with a message
 * in "sending", or a text or template message whose answer was lost,
 * cannot be settled by asking WhatsApp: find_published fails with
 * SM_PLATFORM_ERROR_CANNOT_TELL, the target fails with a message asking
 * the user to look at the chat, and only the user's retry sends again (the
 * publisher knows that retry by its attempt count).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-platform-whatsapp"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-platforms-private.h"
#include "sm-store.h"

#define WA_NAME          "WhatsApp"
#define WA_API           "https://graph.facebook.com/v21.0"
#define WA_DEFAULT_LANG  "en_US"
/* Uploaded media ids persist 30 days (4.2); a day of margin. */
#define WA_MEDIA_REUSE_S (29 * 24 * 60 * 60)
/* How much of the file is read at a time while streaming an upload. */
#define WA_READ_CHUNK    (64 * 1024)
/* A marker, in a file's saved state, for a message whose answer was lost. */
#define WA_SENDING       "sending"

struct _SmPlatformWhatsapp
{
  GObject parent_instance;
};

static void sm_platform_whatsapp_iface_init (SmPlatformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmPlatformWhatsapp, sm_platform_whatsapp, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_PLATFORM,
                                                      sm_platform_whatsapp_iface_init))

/* No authorize URL: WhatsApp has no end-user OAuth (section 4). */
static const SmOAuthSpec whatsapp_oauth_spec = { 0 };

/* ---- a multipart/form-data body streamed from disk --------------------- */

/* head (the text parts and the file part's headers), the file, tail (the
 * closing boundary): read in order, the file a piece at a time, so that an
 * upload of 100 MB never sits in memory. */
#define WA_TYPE_BODY_STREAM (wa_body_stream_get_type ())
G_DECLARE_FINAL_TYPE (WaBodyStream, wa_body_stream, WA, BODY_STREAM, GInputStream)

struct _WaBodyStream
{
  GInputStream         parent_instance;

  GBytes              *head;
  GInputStream        *file;
  GBytes              *tail;
  gsize                head_pos;
  gsize                tail_pos;
  gboolean             file_done;
  guint64              file_sent;
  guint64              file_total;
  const SmUploadHooks *hooks;   /* borrowed, may be NULL */
};

G_DEFINE_FINAL_TYPE (WaBodyStream, wa_body_stream, G_TYPE_INPUT_STREAM)

static gssize
copy_from_bytes (GBytes *bytes,
                 gsize  *pos,
                 void   *buffer,
                 gsize   count)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize n = MIN (count, len - *pos);

  memcpy (buffer, data + *pos, n);
  *pos += n;
  return (gssize) n;
}

static gssize
wa_body_stream_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  WaBodyStream *self = WA_BODY_STREAM (stream);

  if (self->head_pos < g_bytes_get_size (self->head))
    return copy_from_bytes (self->head, &self->head_pos, buffer, count);

  if (!self->file_done)
    {
      gssize n = g_input_stream_read (self->file, buffer, MIN (count, WA_READ_CHUNK),
                                      cancellable, error);

      if (n < 0)
        return -1;
      if (n > 0)
        {
          self->file_sent += (guint64) n;
          if (self->hooks != NULL && self->hooks->progress != NULL)
            self->hooks->progress (self->hooks->data, self->file_sent, self->file_total);
          return n;
        }
      self->file_done = TRUE;
    }

  if (self->tail_pos < g_bytes_get_size (self->tail))
    return copy_from_bytes (self->tail, &self->tail_pos, buffer, count);

  return 0;
}

static gboolean
wa_body_stream_close (GInputStream  *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return g_input_stream_close (WA_BODY_STREAM (stream)->file, cancellable, error);
}

static void
wa_body_stream_finalize (GObject *object)
{
  WaBodyStream *self = WA_BODY_STREAM (object);

  g_clear_pointer (&self->head, g_bytes_unref);
  g_clear_pointer (&self->tail, g_bytes_unref);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (wa_body_stream_parent_class)->finalize (object);
}

static void
wa_body_stream_class_init (WaBodyStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wa_body_stream_finalize;
  stream_class->read_fn = wa_body_stream_read;
  stream_class->close_fn = wa_body_stream_close;
}

static void
wa_body_stream_init (WaBodyStream *self)
{
}

/* A filename for the Content-Disposition header: no quotes, no line
 * breaks, nothing that would end the parameter early. */
static char *
safe_filename (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *valid = g_utf8_make_valid (base, -1);

  for (char *p = valid; *p != '\0'; p++)
    if (*p == '"' || *p == '\\' || *p == '\r' || *p == '\n' || (guchar) *p < 0x20)
      *p = '_';
  return g_steal_pointer (&valid);
}

/* The upload request of 4.2: file, type, messaging_product. */
static SoupMessage *
upload_message_new (const char           *phone_number_id,
                    const char           *token,
                    const SmPostMedia    *media,
                    const char           *mime_type,
                    const SmUploadHooks  *hooks,
                    GCancellable         *cancellable,
                    GError              **error)
{
  g_autofree char *url = g_strdup_printf (WA_API "/%s/media", phone_number_id);
  g_autofree char *boundary = NULL;
  g_autofree char *filename = safe_filename (media->path);
  g_autofree char *content_type = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (media->path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(GString) tail = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  WaBodyStream *body;

  msg = sm_http_message_new ("POST", url, error);
  if (msg == NULL)
    return NULL;

  in = g_file_read (file, cancellable, &local_error);
  if (in == NULL)
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("%s cannot be read any more (%s); put it back or attach it again."),
                   media->path, local_error->message);
      return NULL;
    }

  {
    g_autofree char *random = g_uuid_string_random ();

    boundary = g_strconcat ("so-me-", random, NULL);
  }
  g_string_append_printf (head,
                          "--%s\r\n"
                          "Content-Disposition: form-data; name=\"messaging_product\"\r\n\r\n"
                          "whatsapp\r\n"
                          "--%s\r\n"
                          "Content-Disposition: form-data; name=\"type\"\r\n\r\n"
                          "%s\r\n"
                          "--%s\r\n"
                          "Content-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                          "Content-Type: %s\r\n\r\n",
                          boundary, boundary, mime_type, boundary, filename, mime_type);
  g_string_append_printf (tail, "\r\n--%s--\r\n", boundary);

  body = g_object_new (WA_TYPE_BODY_STREAM, NULL);
  body->head = g_bytes_new (head->str, head->len);
  body->tail = g_bytes_new (tail->str, tail->len);
  body->file = G_INPUT_STREAM (g_steal_pointer (&in));
  body->file_total = (guint64) media->size_bytes;
  body->hooks = hooks;

  content_type = g_strdup_printf ("multipart/form-data; boundary=%s", boundary);
  sm_http_set_bearer (msg, token);
  soup_message_set_request_body (msg, content_type, G_INPUT_STREAM (body),
                                 (gssize) (head->len + (gsize) media->size_bytes + tail->len));
  g_object_unref (body);

  return g_steal_pointer (&msg);
}

/* ---- errors ------------------------------------------------------------ */

/* The Graph envelope (2.5) with WhatsApp's own codes (4.4).  WhatsApp puts
 * the useful sentence in error.error_data.details. */
static void
wa_set_error (GError          **error,
              SoupMessage      *msg,
              JsonNode         *root,
              SmCallKind        kind,
              SmPublishResult  *result)
{
  JsonNode *envelope = sm_json_get_node (root, "error");
  const char *details = sm_json_get_string (root, "error.error_data.details");
  const char *message = sm_json_get_string (root, "error.message");
  g_autofree char *scrubbed = NULL;
  gint64 code;

  if (envelope == NULL || !JSON_NODE_HOLDS_OBJECT (envelope))
    {
      _sm_platform_set_meta_error (error, WA_NAME, msg, root, kind, result);
      return;
    }

  code = sm_json_get_int (root, "error.code");
  if (details != NULL && message != NULL)
    scrubbed = _sm_platform_scrub (msg, details);
  else
    scrubbed = _sm_platform_scrub (msg, details != NULL ? details : message);
  if (scrubbed == NULL)
    scrubbed = g_strdup_printf ("HTTP %u", soup_message_get_status (msg));

  switch (code)
    {
    case 131047:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("WhatsApp delivers free-form messages only within 24 hours of the "
                     "customer’s last message to this number (%s). Outside that window a "
                     "template is needed: set whatsapp.template and whatsapp.language to an "
                     "approved template."),
                   scrubbed);
      return;

    case 131026:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("WhatsApp could not deliver the message (%s). The recipient may not use "
                     "WhatsApp or may not have accepted its current terms; check the number "
                     "in whatsapp.to."),
                   scrubbed);
      return;

    case 131051:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("WhatsApp does not support this kind of message (%s). Send the file as "
                     "another type, or the text alone."),
                   scrubbed);
      return;

    case 132000:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("The WhatsApp template takes a different number of parameters (%s). Write "
                     "one line “{{1}}=…”, “{{2}}=…” in the text for each of its parameters."),
                   scrubbed);
      return;

    case 132001:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("WhatsApp has no approved template with this name in this language (%s). "
                     "Check whatsapp.template and whatsapp.language against WhatsApp Manager."),
                   scrubbed);
      return;

    case 133010:
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("This business phone number is not registered with the WhatsApp Cloud "
                     "API (%s). Register it in WhatsApp Manager, then try again."),
                   scrubbed);
      return;

    case 130429:
    case 131048:
    case 131056:
      {
        gint64 retry = _sm_platform_meta_retry_after_us (msg);

        if (result != NULL)
          result->retry_after_us = retry;
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_RATE_LIMITED,
                     code == 131056
                     ? _("WhatsApp refuses more messages to this recipient for now (%s). "
                         "It will be tried again later.")
                     : code == 131048
                     ? _("WhatsApp limits this number’s messages for now, as too many were "
                         "marked as spam (%s). It will be tried again later.")
                     : _("WhatsApp asks to slow down (%s). It will be tried again later."),
                     scrubbed);
        return;
      }

    case 190:
    case 102:
      if (kind == SM_CALL_READ || kind == SM_CALL_PREPARE || kind == SM_CALL_CREATE)
        {
          /* A system-user token does not expire: one that is refused is
           * gone.  AUTH_EXPIRED lets the publisher ask refresh(), which says
           * so and marks the account for reconnecting. */
          _sm_platform_set_auth_error (error, WA_NAME, msg, SM_PLATFORM_ERROR_AUTH_EXPIRED,
                                       scrubbed);
          return;
        }
      break;

    default:
      /* Invalid parameters and WhatsApp's other message errors: the
       * details say which. */
      if (code == 100 || (code >= 131000 && code < 140000))
        {
          g_autofree char *both = NULL;

          if (details != NULL && message != NULL)
            {
              g_autofree char *head = _sm_platform_scrub (msg, message);

              both = g_strdup_printf ("%s: %s", head, scrubbed);
            }
          _sm_platform_set_rejected (error, WA_NAME, msg, kind, both != NULL ? both : scrubbed);
          return;
        }
      break;
    }

  _sm_platform_set_meta_error (error, WA_NAME, msg, root, kind, result);
}

static JsonNode *
wa_call (SoupSession      *session,
         SoupMessage      *msg,
         SmCallKind        kind,
         SmPublishResult  *result,
         GCancellable     *cancellable,
         GError          **error)
{
  g_autoptr(JsonNode) root = NULL;

  if (!_sm_platform_send (session, msg, kind, cancellable, &root, error))
    return NULL;

  if (!_sm_platform_status_ok (msg))
    {
      wa_set_error (error, msg, root, kind, result);
      return NULL;
    }

  if (root == NULL)
    {
      _sm_platform_set_bad_answer (error, WA_NAME, kind);
      return NULL;
    }

  return g_steal_pointer (&root);
}

/* ---- connecting -------------------------------------------------------- */

static gboolean
is_digits (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static SmAccountInfo *
sm_platform_whatsapp_connect_token (SmPlatform    *platform,
                                    SoupSession   *session,
                                    const char    *phone_number_id,
                                    const char    *access_token,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SmTokens) tokens = NULL;
  const char *id, *display, *verified;
  gint64 code;

  if (!is_digits (phone_number_id))
    {
      g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                   _("“%s” is not a WhatsApp phone number id: it is the long number shown "
                     "under the phone number in WhatsApp Manager › API Setup."),
                   phone_number_id);
      return NULL;
    }
  if (*access_token == '\0' || strpbrk (access_token, " \t\r\n") != NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("The WhatsApp token is empty or has spaces in it. Copy the whole "
                             "system-user token again."));
      return NULL;
    }

  url = g_strdup_printf (WA_API "/%s?fields=display_phone_number,verified_name,quality_rating",
                         phone_number_id);
  msg = sm_http_message_new ("GET", url, error);
  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, access_token);

  if (!_sm_platform_send (session, msg, SM_CALL_READ, cancellable, &root, error))
    return NULL;

  if (!_sm_platform_status_ok (msg))
    {
      const char *message = sm_json_get_string (root, "error.message");
      g_autofree char *scrubbed = _sm_platform_scrub (msg, message);

      code = sm_json_get_int (root, "error.code");
      /* Here a refusal is about what the user typed: say which part. */
      if (code == 190 || code == 102)
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("WhatsApp did not accept the token (%s). Copy the system-user token "
                       "again from Meta Business Settings › System users."),
                     scrubbed != NULL ? scrubbed : "");
      else if (code == 100)
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("WhatsApp has no phone number with the id %s that this token may use "
                       "(%s). Check the phone number id in WhatsApp Manager › API Setup."),
                     phone_number_id, scrubbed != NULL ? scrubbed : "");
      else if (code == 10 || (code >= 200 && code <= 299))
        g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                     _("The token may not use this phone number (%s). Give the system user "
                       "the whatsapp_business_messaging and whatsapp_business_management "
                       "permissions on this WhatsApp account."),
                     scrubbed != NULL ? scrubbed : "");
      else
        wa_set_error (error, msg, root, SM_CALL_READ, NULL);
      return NULL;
    }

  id = sm_json_get_string (root, "id");
  display = sm_json_get_string (root, "display_phone_number");
  verified = sm_json_get_string (root, "verified_name");
  if (g_strcmp0 (id, phone_number_id) != 0 || display == NULL)
    {
      _sm_platform_set_bad_answer (error, WA_NAME, SM_CALL_READ);
      return NULL;
    }

  tokens = sm_tokens_new ();
  tokens->access_token = g_strdup (access_token);
  tokens->expires_at_us = 0;   /* system-user tokens do not expire */
  return _sm_platform_account_new (SM_NETWORK_WHATSAPP, id,
                                   verified != NULL && *verified != '\0' ? verified : display,
                                   display, tokens);
}

/* ---- the OAuth parts, which WhatsApp has none of ----------------------- */

static SmNetwork
sm_platform_whatsapp_get_network (SmPlatform *platform)
{
  return SM_NETWORK_WHATSAPP;
}

static const SmOAuthSpec *
sm_platform_whatsapp_get_oauth_spec (SmPlatform *platform)
{
  return &whatsapp_oauth_spec;
}

static GPtrArray *
sm_platform_whatsapp_exchange_code (SmPlatform                *platform,
                                    SoupSession               *session,
                                    const SmClientCredentials *creds,
                                    const char                *code,
                                    const char                *redirect_uri,
                                    const char                *code_verifier,
                                    GCancellable              *cancellable,
                                    GError                   **error)
{
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CONFIG,
                       _("WhatsApp Business has no sign-in in the browser. Connect it with the "
                         "phone number id and a system-user token."));
  return NULL;
}

static SmTokens *
sm_platform_whatsapp_refresh (SmPlatform                *platform,
                              SoupSession               *session,
                              const SmClientCredentials *creds,
                              const SmTokens            *old,
                              GCancellable              *cancellable,
                              GError                   **error)
{
  g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REVOKED,
                       _("WhatsApp no longer accepts this account’s system-user token, and such "
                         "a token cannot be renewed. Reconnect the account with a new token."));
  return NULL;
}

/* ---- publishing -------------------------------------------------------- */

static const char *
option (const SmPublishRequest *request,
        const char             *key)
{
  const char *value = request->options ? g_hash_table_lookup (request->options, key) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

/* whatsapp.to without the "+" of E.164: the API takes digits (4.1). */
static const char *
recipient (const SmPublishRequest  *request,
           GError                 **error)
{
  const char *to = option (request, "whatsapp.to");

  if (to != NULL && *to == '+')
    to++;
  if (!is_digits (to))
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("A WhatsApp message needs a recipient: set whatsapp.to to the "
                             "customer’s phone number with its country code."));
      return NULL;
    }
  return to;
}

static gboolean
has_link (const char *text)
{
  return strstr (text, "http://") != NULL || strstr (text, "https://") != NULL;
}

/* Which message type carries a file (4.1), from its MIME type. */
static const char *
message_type_for (const char *mime_type)
{
  if (g_strcmp0 (mime_type, "image/webp") == 0)
    return "sticker";
  if (g_str_has_prefix (mime_type, "image/"))
    return "image";
  if (g_str_has_prefix (mime_type, "video/"))
    return "video";
  if (g_str_has_prefix (mime_type, "audio/"))
    return "audio";
  return "document";
}

static gboolean
type_takes_caption (const char *type)
{
  return g_str_equal (type, "image") || g_str_equal (type, "video")
         || g_str_equal (type, "document");
}

static JsonBuilder *
message_begin (const char *to,
               const char *type)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "messaging_product");
  json_builder_add_string_value (b, "whatsapp");
  json_builder_set_member_name (b, "recipient_type");
  json_builder_add_string_value (b, "individual");
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, to);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, type);
  json_builder_begin_object (b);
  return b;
}

static JsonNode *
message_end (JsonBuilder *b)
{
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* POST /{phone-number-id}/messages: the wamid, or NULL. */
static char *
send_message (SoupSession            *session,
              const SmPublishRequest *request,
              JsonNode               *body,
              SmPublishResult        *result,
              GCancellable           *cancellable,
              GError                **error)
{
  g_autofree char *url = g_strdup_printf (WA_API "/%s/messages", request->account_remote_id);
  g_autoptr(SoupMessage) msg = sm_http_message_new ("POST", url, error);
  g_autoptr(JsonNode) root = NULL;
  const char *wamid;

  if (msg == NULL)
    return NULL;
  sm_http_set_bearer (msg, request->tokens->access_token);
  sm_http_set_json_body (msg, body);

  root = wa_call (session, msg, SM_CALL_CREATE, result, cancellable, error);
  if (root == NULL)
    return NULL;

  wamid = sm_json_get_string (root, "messages.0.id");
  if (wamid == NULL || *wamid == '\0')
    {
      _sm_platform_set_bad_answer (error, WA_NAME, SM_CALL_CREATE);
      return NULL;
    }
  return g_strdup (wamid);
}

/* Template body parameters from the text: lines "{{1}}=…", "{{2}}=…", in
 * order and without gaps.  Other lines are the user's notes. */
static GPtrArray *
template_parameters (const char  *text,
                     GError     **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GRegex) re = g_regex_new ("^\\s*\\{\\{([0-9]{1,3})\\}\\}\\s*=(.*)$", 0, 0, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *number = NULL;
      g_autofree char *value = NULL;
      guint64 n = 0;

      if (!g_regex_match (re, lines[i], 0, &match))
        continue;
      number = g_match_info_fetch (match, 1);
      value = g_match_info_fetch (match, 2);
      g_ascii_string_to_unsigned (number, 10, 1, 999, &n, NULL);
      g_strstrip (value);
      if (n != params->len + 1 || *value == '\0')
        {
          g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                       _("Template parameters are lines “{{1}}=value”, “{{2}}=value” … in "
                         "order and not empty; “%s” does not fit."),
                       g_strstrip (lines[i]));
          return NULL;
        }
      g_ptr_array_add (params, g_steal_pointer (&value));
    }
  return g_steal_pointer (&params);
}

static gboolean
publish_template (SoupSession             *session,
                  const SmPublishRequest  *request,
                  const char              *to,
                  const char              *name,
                  SmPublishResult         *result,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  const char *language = option (request, "whatsapp.language");
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) body = NULL;

  if (request->media != NULL && request->media->len > 0)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("A WhatsApp template message takes no files; send them in a post "
                             "of their own."));
      return FALSE;
    }
  params = template_parameters (request->text, error);
  if (params == NULL)
    return FALSE;

  b = message_begin (to, "template");
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "language");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, language != NULL ? language : WA_DEFAULT_LANG);
  json_builder_end_object (b);
  if (params->len > 0)
    {
      json_builder_set_member_name (b, "components");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "body");
      json_builder_set_member_name (b, "parameters");
      json_builder_begin_array (b);
      for (guint i = 0; i < params->len; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, "text");
          json_builder_set_member_name (b, "text");
          json_builder_add_string_value (b, g_ptr_array_index (params, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  body = message_end (b);

  result->remote_id = send_message (session, request, body, result, cancellable, error);
  return result->remote_id != NULL;
}

static JsonNode *
text_message (const char *to,
              const char *text)
{
  g_autoptr(JsonBuilder) b = message_begin (to, "text");

  json_builder_set_member_name (b, "body");
  json_builder_add_string_value (b, text);
  json_builder_set_member_name (b, "preview_url");
  json_builder_add_boolean_value (b, has_link (text));
  return message_end (b);
}

/* One file's saved state, kept in its uploads row: remote_media_id is the
 * uploaded media id; session is "up=UNIX;text=STATE;msg=STATE", STATE being
 * empty (not sent), WA_SENDING or a wamid; "text" is the separate text
 * message sent before the first file when that file takes no caption. */
typedef struct
{
  gint64  uploaded_s;
  char   *media_id;
  char   *text;
  char   *msg;
} FileState;

static void
file_state_clear (FileState *st)
{
  g_clear_pointer (&st->media_id, g_free);
  g_clear_pointer (&st->text, g_free);
  g_clear_pointer (&st->msg, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FileState, file_state_clear)

static void
file_state_load (const SmUploadHooks *hooks,
                 gint64               media_id,
                 FileState           *st)
{
  g_autoptr(SmUploadState) saved = hooks->load (hooks->data, media_id);
  g_auto(GStrv) fields = NULL;

  if (saved == NULL)
    return;
  st->media_id = g_strdup (saved->remote_media_id);
  if (saved->session == NULL)
    return;
  fields = g_strsplit (saved->session, ";", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *eq = strchr (fields[i], '=');
      const char *value;

      if (eq == NULL)
        continue;
      value = eq + 1;
      if (g_str_has_prefix (fields[i], "up="))
        g_ascii_string_to_signed (value, 10, 0, G_MAXINT64, &st->uploaded_s, NULL);
      else if (g_str_has_prefix (fields[i], "text=") && *value != '\0')
        st->text = g_strdup (value);
      else if (g_str_has_prefix (fields[i], "msg=") && *value != '\0')
        st->msg = g_strdup (value);
    }
}

static void
file_state_save (const SmUploadHooks *hooks,
                 const SmPostMedia   *media,
                 const FileState     *st)
{
  g_autofree char *session = g_strdup_printf ("up=%" G_GINT64_FORMAT ";text=%s;msg=%s",
                                              st->uploaded_s, st->text ? st->text : "",
                                              st->msg ? st->msg : "");

  hooks->save (hooks->data, media->id, session, st->media_id ? media->size_bytes : 0,
               st->media_id);
}

static gboolean
is_sending (const char *state)
{
  return g_strcmp0 (state, WA_SENDING) == 0;
}

/* Sends @body for the state slot @slot (a file's text or msg): marks it
 * "sending" first, so that a lost answer is never taken for "not sent";
 * clears the mark again when the request certainly did nothing. */
static gboolean
send_tracked (SoupSession             *session,
              const SmPublishRequest  *request,
              const SmPostMedia       *media,
              FileState               *st,
              char                   **slot,
              JsonNode                *body,
              SmPublishResult         *result,
              GCancellable            *cancellable,
              GError                 **error)
{
  GError *local_error = NULL;
  char *wamid;

  g_free (*slot);
  *slot = g_strdup (WA_SENDING);
  file_state_save (request->uploads, media, st);

  wamid = send_message (session, request, body, result, cancellable, &local_error);
  g_free (*slot);
  *slot = wamid;
  if (wamid == NULL && g_error_matches (local_error, SM_PLATFORM_ERROR,
                                        SM_PLATFORM_ERROR_OUTCOME_UNKNOWN))
    *slot = g_strdup (WA_SENDING);
  file_state_save (request->uploads, media, st);

  if (wamid == NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static void
set_cannot_tell (GError                 **error,
                 const SmPublishRequest  *request)
{
  const char *to = option (request, "whatsapp.to");

  g_set_error (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_CANNOT_TELL,
               _("The WhatsApp message to %s may have been delivered: WhatsApp did not "
                 "answer, and it keeps no list of sent messages that could be checked. Look "
                 "at the chat on the phone; if the message is not there, retry the post to "
                 "send it again."),
               to != NULL ? to : "?");
}

/* Uploads @media unless a media id from the last 29 days is saved. */
static gboolean
ensure_uploaded (SoupSession             *session,
                 const SmPublishRequest  *request,
                 const SmPostMedia       *media,
                 const char              *mime_type,
                 FileState               *st,
                 gboolean                *reused,
                 SmPublishResult         *result,
                 GCancellable            *cancellable,
                 GError                 **error)
{
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  *reused = st->media_id != NULL && st->uploaded_s > 0 && now_s - st->uploaded_s < WA_MEDIA_REUSE_S;
  if (*reused)
    {
      if (request->uploads->progress != NULL)
        request->uploads->progress (request->uploads->data, (guint64) media->size_bytes,
                                    (guint64) media->size_bytes);
      return TRUE;
    }

  msg = upload_message_new (request->account_remote_id, request->tokens->access_token, media,
                            mime_type, request->uploads, cancellable, error);
  if (msg == NULL)
    return FALSE;

  /* An uploaded file is seen by nobody until a message uses it: uploading
   * again is safe, so a lost answer is only transient. */
  root = wa_call (session, msg, SM_CALL_PREPARE, result, cancellable, error);
  if (root == NULL)
    return FALSE;
  id = sm_json_get_string (root, "id");
  if (id == NULL || *id == '\0')
    {
      _sm_platform_set_bad_answer (error, WA_NAME, SM_CALL_PREPARE);
      return FALSE;
    }

  g_free (st->media_id);
  st->media_id = g_strdup (id);
  st->uploaded_s = now_s;
  file_state_save (request->uploads, media, st);
  return TRUE;
}

static JsonNode *
media_message (const char        *to,
               const char        *type,
               const char        *media_id,
               const char        *caption,
               const SmPostMedia *media)
{
  g_autoptr(JsonBuilder) b = message_begin (to, type);

  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, media_id);
  if (caption != NULL && *caption != '\0')
    {
      json_builder_set_member_name (b, "caption");
      json_builder_add_string_value (b, caption);
    }
  if (g_str_equal (type, "document"))
    {
      g_autofree char *filename = safe_filename (media->path);

      json_builder_set_member_name (b, "filename");
      json_builder_add_string_value (b, filename);
    }
  return message_end (b);
}

static gboolean
publish_files (SoupSession             *session,
               const SmPublishRequest  *request,
               const char              *to,
               SmPublishResult         *result,
               GCancellable            *cancellable,
               GError                 **error)
{
  g_autofree char *first_wamid = NULL;

  for (guint i = 0; i < request->media->len; i++)
    {
      const SmPostMedia *media = g_ptr_array_index (request->media, i);
      const char *type = message_type_for (media->mime_type);
      g_auto(FileState) st = { 0 };
      g_autoptr(JsonNode) body = NULL;
      gboolean caption = i == 0 && type_takes_caption (type);

      file_state_load (request->uploads, media->id, &st);

      /* A message still marked "sending" only gets here after
       * find_published asked the user and the user retried: it did not
       * arrive, and goes out again. */
      if (i == 0 && !caption)
        {
          if (st.text == NULL || is_sending (st.text))
            {
              g_autoptr(JsonNode) text = text_message (to, request->text);

              if (!send_tracked (session, request, media, &st, &st.text, text, result,
                                 cancellable, error))
                return FALSE;
            }
          first_wamid = g_strdup (st.text);
        }

      if (st.msg == NULL || is_sending (st.msg))
        {
          gboolean reused = FALSE;
          GError *local_error = NULL;

          if (!ensure_uploaded (session, request, media, media->mime_type, &st, &reused, result,
                                cancellable, error))
            return FALSE;
          body = media_message (to, type, st.media_id, caption ? request->text : NULL, media);
          if (!send_tracked (session, request, media, &st, &st.msg, body, result,
                             cancellable, &local_error))
            {
              /* A saved media id WhatsApp no longer knows: upload anew
               * next time. */
              if (reused && g_error_matches (local_error, SM_PLATFORM_ERROR,
                                             SM_PLATFORM_ERROR_REJECTED))
                {
                  g_clear_pointer (&st.media_id, g_free);
                  st.uploaded_s = 0;
                  file_state_save (request->uploads, media, &st);
                }
              g_propagate_error (error, local_error);
              return FALSE;
            }
        }
      if (first_wamid == NULL)
        first_wamid = g_strdup (st.msg);
    }

  result->remote_id = g_steal_pointer (&first_wamid);
  return TRUE;
}

static gboolean
sm_platform_whatsapp_publish (SmPlatform              *platform,
                              SoupSession             *session,
                              const SmPublishRequest  *request,
                              SmPublishResult         *result,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  const char *to = recipient (request, error);
  const char *template_name;

  if (to == NULL)
    return FALSE;

  template_name = option (request, "whatsapp.template");
  if (template_name != NULL)
    return publish_template (session, request, to, template_name, result, cancellable, error);

  if (request->media == NULL || request->media->len == 0)
    {
      g_autoptr(JsonNode) body = text_message (to, request->text);

      result->remote_id = send_message (session, request, body, result, cancellable, error);
      return result->remote_id != NULL;
    }

  if (request->uploads == NULL)
    {
      g_set_error_literal (error, SM_PLATFORM_ERROR, SM_PLATFORM_ERROR_REJECTED,
                           _("WhatsApp files need the upload records; this is a bug."));
      return FALSE;
    }
  return publish_files (session, request, to, result, cancellable, error);
}

static gboolean
sm_platform_whatsapp_publish_text (SmPlatform              *platform,
                                   SoupSession             *session,
                                   const SmPublishRequest  *request,
                                   SmPublishResult         *result,
                                   GCancellable            *cancellable,
                                   GError                 **error)
{
  return sm_platform_whatsapp_publish (platform, session, request, result, cancellable, error);
}

/* WhatsApp lists no sent messages: only what was saved along the way can
 * tell.  A text or template message whose answer was lost cannot be
 * settled at all; a post with files can, file by file. */
static gboolean
sm_platform_whatsapp_find_published (SmPlatform              *platform,
                                     SoupSession             *session,
                                     const SmPublishRequest  *request,
                                     SmPublishResult         *result,
                                     GCancellable            *cancellable,
                                     GError                 **error)
{
  g_autofree char *first_wamid = NULL;
  gboolean complete = TRUE;

  result->definitive = TRUE;

  if (request->media == NULL || request->media->len == 0 || request->uploads == NULL
      || option (request, "whatsapp.template") != NULL)
    {
      set_cannot_tell (error, request);
      return FALSE;
    }

  for (guint i = 0; i < request->media->len; i++)
    {
      const SmPostMedia *media = g_ptr_array_index (request->media, i);
      const char *type = message_type_for (media->mime_type);
      g_auto(FileState) st = { 0 };

      file_state_load (request->uploads, media->id, &st);
      if (is_sending (st.text) || is_sending (st.msg))
        {
          set_cannot_tell (error, request);
          return FALSE;
        }
      if (i == 0 && !type_takes_caption (type))
        {
          complete &= st.text != NULL;
          if (st.text != NULL)
            first_wamid = g_strdup (st.text);
        }
      complete &= st.msg != NULL;
      if (first_wamid == NULL && st.msg != NULL)
        first_wamid = g_strdup (st.msg);
    }

  /* Nothing was in flight: what is missing certainly did not go out, and
   * publishing again goes on after the last confirmed message. */
  if (complete)
    result->remote_id = g_steal_pointer (&first_wamid);
  return TRUE;
}

static void
sm_platform_whatsapp_iface_init (SmPlatformInterface *iface)
{
  iface->get_network = sm_platform_whatsapp_get_network;
  iface->get_oauth_spec = sm_platform_whatsapp_get_oauth_spec;
  iface->exchange_code = sm_platform_whatsapp_exchange_code;
  iface->refresh = sm_platform_whatsapp_refresh;
  iface->publish_text = sm_platform_whatsapp_publish_text;
  iface->publish = sm_platform_whatsapp_publish;
  iface->find_published = sm_platform_whatsapp_find_published;
  iface->connect_token = sm_platform_whatsapp_connect_token;
}

static void
sm_platform_whatsapp_class_init (SmPlatformWhatsappClass *klass)
{
}

static void
sm_platform_whatsapp_init (SmPlatformWhatsapp *self)
{
}

SmPlatform *
sm_platform_whatsapp_new (void)
{
  return g_object_new (SM_TYPE_PLATFORM_WHATSAPP, NULL);
}
