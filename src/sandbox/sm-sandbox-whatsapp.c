/* sm-sandbox-whatsapp.c — WhatsApp Business Cloud API in the sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * platform-apis.md section 4: business phone numbers read with a
 * system-user token (GET /{phone-number-id}), media uploaded as
 * multipart/form-data (POST /{phone-number-id}/media, streamed: never held
 * in memory, hashed as it arrives), messages (POST
 * /{phone-number-id}/messages) checked per type, templates known by name and
 * language, and the 24-hour customer service window per recipient (4.4),
 * opened by a simulated incoming message (POST /__sandbox/whatsapp/inbound).
 * Errors are the Graph envelope (2.5) with WhatsApp's codes and
 * error_data.details.
 *
 * The numbers live on graph.facebook.com next to Facebook's pages: these
 * routes are claimed (_sm_sandbox_claim_last_route) by requests about a
 * WhatsApp number or media id, or carrying a WhatsApp token, and registered
 * before Facebook's.
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"

#define WA_NETWORK       "whatsapp"
#define WA_APP_ID        "1200000000000777"
#define WA_WABA_ID       "102290129340398"
#define WA_WINDOW_US     (24 * G_TIME_SPAN_HOUR)
#define WA_MAX_TEXT      4096
#define WA_MAX_HEADERS   (8 * 1024)
#define WA_MAX_FIELD     (64 * 1024)
/* Recipients starting with this are not on WhatsApp (131026). */
#define WA_UNDELIVERABLE "999"

typedef struct
{
  const char *id;
  const char *display;
  const char *verified_name;
  const char *quality;
} Number;

static const Number numbers[] = {
  { "106540352242922", "+1 555-078-3881", "Sandbox Bakery", "GREEN" },
  { "106540352242923", "+1 555-078-3882", "Sandbox Bookshop", "YELLOW" },
};

typedef struct
{
  const char *name;
  const char *language;
  guint       n_params;
  const char *body;
} Template;

static const Template templates[] = {
  { "hello_world", "en_US", 0, "Hello World" },
  { "order_update", "en_US", 1, "Your order {{1}} is on its way." },
  { "order_update", "de", 1, "Ihre Bestellung {{1}} ist unterwegs." },
};

/* What the upload endpoint takes (4.2), and up to how many bytes. */
typedef struct
{
  const char *mime;
  const char *kind;   /* as in /__sandbox/posts */
  guint64     max_bytes;
} MediaType;

#define MB(n) ((guint64) (n) * 1000 * 1000)
#define KB(n) ((guint64) (n) * 1000)

static const MediaType media_types[] = {
  { "image/jpeg", "image", MB (5) },
  { "image/png", "image", MB (5) },
  { "image/webp", "sticker", KB (500) },
  { "video/mp4", "video", MB (16) },
  { "video/3gpp", "video", MB (16) },
  { "audio/aac", "audio", MB (16) },
  { "audio/amr", "audio", MB (16) },
  { "audio/mpeg", "audio", MB (16) },
  { "audio/mp4", "audio", MB (16) },
  { "audio/ogg", "audio", MB (16) },
  { "text/plain", "document", MB (100) },
  { "application/pdf", "document", MB (100) },
  { "application/msword", "document", MB (100) },
  { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document", MB (100) },
  { "application/vnd.ms-excel", "document", MB (100) },
  { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document", MB (100) },
  { "application/vnd.ms-powerpoint", "document", MB (100) },
  { "application/vnd.openxmlformats-officedocument.presentationml.presentation", "document", MB (100) },
};

/* A static sticker may be 100 KB, an animated one 500 KB (4.2). */
#define WA_STATIC_STICKER_MAX KB (100)

typedef struct
{
  char    *id;
  char    *number;     /* phone number id it was uploaded to */
  char    *mime;
  char    *kind;
  guint64  bytes;
  char    *sha256;
} Media;

typedef struct
{
  SmSandbox  *sandbox;
  GHashTable *media;     /* id → Media */
  GHashTable *windows;   /* "number\nwa_id" → gint64 *, the last inbound message (µs) */
} WaState;

static const char * const graph_hosts[] = { "graph.facebook.com", NULL };

static const char * const number_fields[] = {
  "id", "display_phone_number", "verified_name", "quality_rating", "code_verification_status",
  "platform_type", "throughput", "name_status", NULL
};

/* ---- helpers ----------------------------------------------------------- */

static void
media_free (Media *media)
{
  g_free (media->id);
  g_free (media->number);
  g_free (media->mime);
  g_free (media->kind);
  g_free (media->sha256);
  g_free (media);
}

static void
wa_state_reset (gpointer data,
                gpointer unused)
{
  WaState *state = data;

  g_hash_table_remove_all (state->media);
  g_hash_table_remove_all (state->windows);
}

static void
wa_state_free (gpointer data)
{
  WaState *state = data;

  g_hash_table_unref (state->media);
  g_hash_table_unref (state->windows);
  g_free (state);
}

static const Number *
find_number (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (g_strcmp0 (numbers[i].id, id) == 0)
      return &numbers[i];
  return NULL;
}

static const MediaType *
find_media_type (const char *mime)
{
  for (guint i = 0; i < G_N_ELEMENTS (media_types); i++)
    if (g_strcmp0 (media_types[i].mime, mime) == 0)
      return &media_types[i];
  return NULL;
}

static char *
window_key (const char *number,
            const char *wa_id)
{
  return g_strconcat (number, "\n", wa_id, NULL);
}

/* The Graph envelope with WhatsApp's error_data. */
static void
wa_error (SmSandboxRequest *req,
          guint             status,
          int               code,
          const char       *message,
          const char       *details)
{
  JsonObject *object = json_object_new ();
  JsonObject *error = json_object_new ();
  g_autofree char *trace = _sm_sandbox_random_string ("A");

  trace[11] = '\0';
  json_object_set_string_member (error, "message", message);
  json_object_set_string_member (error, "type", "OAuthException");
  json_object_set_int_member (error, "code", code);
  if (details != NULL)
    {
      JsonObject *data = json_object_new ();

      json_object_set_string_member (data, "messaging_product", "whatsapp");
      json_object_set_string_member (data, "details", details);
      json_object_set_object_member (error, "error_data", data);
    }
  json_object_set_boolean_member (error, "is_transient", FALSE);
  json_object_set_string_member (error, "fbtrace_id", trace);
  json_object_set_object_member (object, "error", error);
  _sm_sandbox_respond_object (req, status, object);
}

static void
invalid_parameter (SmSandboxRequest *req,
                   const char       *details)
{
  wa_error (req, 400, 100, "(#100) Invalid parameter", details);
}

static void
unsupported_request (SmSandboxRequest *req,
                     const char       *id)
{
  g_autofree char *method = g_ascii_strdown (req->method, -1);
  g_autofree char *message =
    g_strdup_printf ("Unsupported %s request. Object with ID '%s' does not exist, cannot be "
                     "loaded due to missing permissions, or does not support this operation. "
                     "Please read the Graph API documentation at "
                     "https://developers.facebook.com/docs/graph-api",
                     method, id);

  _sm_sandbox_graph_error (req, 400, 100, 33, message);
}

/* The WhatsApp system-user token the request carries, valid, or NULL after
 * answering.  Only the header and the query: a streamed body is not kept. */
static SmSandboxToken *
authenticate (SmSandboxRequest *req)
{
  const char *string = _sm_sandbox_request_bearer (req, FALSE);
  SmSandboxToken *token;

  if (string == NULL)
    string = _sm_sandbox_request_query (req, "access_token");
  if (string == NULL)
    {
      _sm_sandbox_graph_error (req, 400, 104, 0, "An access token is required to request this resource.");
      return NULL;
    }
  token = _sm_sandbox_token_lookup (req->sandbox, WA_NETWORK, string);
  if (token == NULL || strcmp (token->kind, "access") != 0 || token->state != SM_SANDBOX_TOKEN_VALID)
    {
      _sm_sandbox_graph_token_error (req, token);
      return NULL;
    }
  return token;
}

/* The number the path names, reachable with @token; NULL after answering. */
static const Number *
number_for (SmSandboxRequest *req,
            SmSandboxToken   *token)
{
  const char *id = _sm_sandbox_request_arg (req, 0);
  const Number *number = find_number (id);

  /* Every sandbox number belongs to the one WhatsApp Business Account. */
  if (number == NULL || g_strcmp0 (token->account, WA_WABA_ID) != 0)
    {
      unsupported_request (req, id != NULL ? id : "");
      return NULL;
    }
  return number;
}

/* Requests about a WhatsApp number or media id, or with a WhatsApp token. */
static gboolean
claim_cb (SmSandboxRequest *req,
          gpointer          user_data)
{
  WaState *state = user_data;
  const char *id = _sm_sandbox_request_arg (req, 0);
  const char *token = _sm_sandbox_request_bearer (req, FALSE);

  if (find_number (id) != NULL || (id != NULL && g_hash_table_contains (state->media, id)))
    return TRUE;
  if (token == NULL && req->query != NULL)
    token = g_hash_table_lookup (req->query, "access_token");
  return token != NULL && _sm_sandbox_token_lookup (req->sandbox, WA_NETWORK, token) != NULL;
}

/* ---- GET /{phone-number-id}, GET /{media-id} ---------------------------- */

static void
media_url_cb (SmSandboxRequest *req,
              WaState          *state,
              Media            *media)
{
  JsonObject *object = json_object_new ();
  g_autofree char *url = g_strdup_printf ("https://lookaside.fbsbx.com/whatsapp_business/"
                                          "attachments/?mid=%s&ext=1", media->id);

  json_object_set_string_member (object, "messaging_product", "whatsapp");
  json_object_set_string_member (object, "url", url);
  json_object_set_string_member (object, "mime_type", media->mime);
  json_object_set_string_member (object, "sha256", media->sha256);
  json_object_set_int_member (object, "file_size", (gint64) media->bytes);
  json_object_set_string_member (object, "id", media->id);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
node_cb (SmSandboxRequest *req,
         gpointer          user_data)
{
  WaState *state = user_data;
  SmSandboxToken *token = authenticate (req);
  g_autoptr(GPtrArray) fields = NULL;
  const Number *number;
  JsonObject *object;
  Media *media;

  if (token == NULL)
    return;

  media = g_hash_table_lookup (state->media, _sm_sandbox_request_arg (req, 0));
  if (media != NULL)
    {
      media_url_cb (req, state, media);
      return;
    }

  number = number_for (req, token);
  if (number == NULL)
    return;

  fields = _sm_sandbox_parse_fields (_sm_sandbox_request_query (req, "fields"));
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    if (!g_strv_contains (number_fields, g_ptr_array_index (fields, i)))
      {
        g_autofree char *message =
          g_strdup_printf ("(#100) Tried accessing nonexisting field (%s) on node type "
                           "(WhatsAppBusinessPhoneNumber)", (char *) g_ptr_array_index (fields, i));

        _sm_sandbox_graph_error (req, 400, 100, 0, message);
        return;
      }

  object = json_object_new ();
  if (fields == NULL || _sm_sandbox_fields_has (fields, "verified_name"))
    json_object_set_string_member (object, "verified_name", number->verified_name);
  if (fields == NULL || _sm_sandbox_fields_has (fields, "display_phone_number"))
    json_object_set_string_member (object, "display_phone_number", number->display);
  if (fields == NULL || _sm_sandbox_fields_has (fields, "quality_rating"))
    json_object_set_string_member (object, "quality_rating", number->quality);
  if (_sm_sandbox_fields_has (fields, "code_verification_status"))
    json_object_set_string_member (object, "code_verification_status", "VERIFIED");
  if (_sm_sandbox_fields_has (fields, "platform_type"))
    json_object_set_string_member (object, "platform_type", "CLOUD_API");
  if (_sm_sandbox_fields_has (fields, "name_status"))
    json_object_set_string_member (object, "name_status", "APPROVED");
  if (_sm_sandbox_fields_has (fields, "throughput"))
    {
      JsonObject *throughput = json_object_new ();

      json_object_set_string_member (throughput, "level", "STANDARD");
      json_object_set_object_member (object, "throughput", throughput);
    }
  json_object_set_string_member (object, "id", number->id);
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- POST /{phone-number-id}/media: multipart/form-data, streamed ------- */

typedef enum
{
  PART_PREAMBLE,
  PART_AFTER_DELIMITER,
  PART_HEADERS,
  PART_BODY,
  PART_END,
} PartPhase;

/* A streaming multipart/form-data reader: the text parts are kept (small),
 * the file part is hashed and counted as it goes by.  Every delimiter is
 * "\r\n--BOUNDARY"; the body is read as if it began with "\r\n", so that
 * the first one is found the same way. */
typedef struct
{
  char       *delimiter;
  gsize       delimiter_len;
  GByteArray *pending;      /* bytes not yet decided on */
  PartPhase   phase;
  char       *error;        /* what is malformed, or NULL */

  /* the part being read */
  char       *name;
  gboolean    is_file;
  GString    *value;

  GHashTable *fields;       /* text part name → value */
  gboolean    has_file;
  char       *file_type;    /* the file part's Content-Type */
  char       *filename;
  GChecksum  *sha256;
  guint64     file_bytes;
  guint8      head[32];     /* the file's first bytes, for its magic */
  gsize       head_len;
} UploadSink;

static void
upload_sink_free (gpointer data)
{
  UploadSink *sink = data;

  g_free (sink->delimiter);
  g_byte_array_unref (sink->pending);
  g_free (sink->error);
  g_free (sink->name);
  if (sink->value != NULL)
    g_string_free (sink->value, TRUE);
  g_hash_table_unref (sink->fields);
  g_free (sink->file_type);
  g_free (sink->filename);
  g_checksum_free (sink->sha256);
  g_free (sink);
}

static void
sink_fail (UploadSink *sink,
           const char *message)
{
  if (sink->error == NULL)
    sink->error = g_strdup (message);
  sink->phase = PART_END;
}

static void
sink_part_data (UploadSink   *sink,
                const guint8 *data,
                gsize         len)
{
  if (len == 0)
    return;
  if (sink->is_file)
    {
      gsize keep = MIN (len, sizeof sink->head - sink->head_len);

      memcpy (sink->head + sink->head_len, data, keep);
      sink->head_len += keep;
      g_checksum_update (sink->sha256, data, len);
      sink->file_bytes += len;
      return;
    }
  if (sink->value->len + len > WA_MAX_FIELD)
    {
      sink_fail (sink, "A form field is too long.");
      return;
    }
  g_string_append_len (sink->value, (const char *) data, len);
}

static void
sink_part_end (UploadSink *sink)
{
  if (!sink->is_file && sink->name != NULL)
    g_hash_table_replace (sink->fields, g_strdup (sink->name),
                          g_string_free (g_steal_pointer (&sink->value), FALSE));
  g_clear_pointer (&sink->name, g_free);
  if (sink->value != NULL)
    g_string_free (g_steal_pointer (&sink->value), TRUE);
  sink->is_file = FALSE;
}

static gboolean
sink_part_headers (UploadSink *sink,
                   const char *text)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *with_line = g_strconcat ("HTTP/1.1 200 OK\r\n", text, "\r\n", NULL);
  const char *name;

  /* libsoup parses a header block after a status line. */
  if (!soup_headers_parse_response (with_line, (int) strlen (with_line), headers, NULL, NULL, NULL)
      || !soup_message_headers_get_content_disposition (headers, NULL, &params))
    return FALSE;
  name = g_hash_table_lookup (params, "name");
  if (name == NULL)
    return FALSE;

  sink->name = g_strdup (name);
  sink->is_file = g_hash_table_contains (params, "filename");
  sink->value = g_string_new (NULL);
  if (sink->is_file)
    {
      if (sink->has_file || !g_str_equal (name, "file"))
        return FALSE;
      sink->has_file = TRUE;
      sink->filename = g_strdup (g_hash_table_lookup (params, "filename"));
      sink->file_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
    }
  return TRUE;
}

/* memmem(), which needs _GNU_SOURCE. */
static const guint8 *
find_bytes (const guint8 *haystack,
            gsize         len,
            const char   *needle,
            gsize         needle_len)
{
  for (const guint8 *p = haystack; needle_len <= len && p <= haystack + len - needle_len; p++)
    {
      p = memchr (p, needle[0], (gsize) (haystack + len - needle_len - p) + 1);
      if (p == NULL)
        return NULL;
      if (memcmp (p, needle, needle_len) == 0)
        return p;
    }
  return NULL;
}

static void
upload_chunk (gpointer      data,
              const guint8 *bytes,
              gsize         len)
{
  UploadSink *sink = data;

  g_byte_array_append (sink->pending, bytes, len);

  while (sink->phase != PART_END)
    {
      guint8 *buf = sink->pending->data;
      gsize have = sink->pending->len;

      if (sink->phase == PART_PREAMBLE || sink->phase == PART_BODY)
        {
          const guint8 *hit = find_bytes (buf, have, sink->delimiter, sink->delimiter_len);

          if (hit == NULL)
            {
              /* All but what could be the start of a delimiter. */
              gsize safe = have >= sink->delimiter_len ? have - (sink->delimiter_len - 1) : 0;

              if (sink->phase == PART_BODY)
                sink_part_data (sink, buf, safe);
              g_byte_array_remove_range (sink->pending, 0, (guint) safe);
              return;
            }
          if (sink->phase == PART_BODY)
            {
              sink_part_data (sink, buf, (gsize) (hit - buf));
              sink_part_end (sink);
            }
          g_byte_array_remove_range (sink->pending, 0, (guint) (hit - buf + sink->delimiter_len));
          sink->phase = PART_AFTER_DELIMITER;
        }
      else if (sink->phase == PART_AFTER_DELIMITER)
        {
          if (have < 2)
            return;
          if (memcmp (buf, "--", 2) == 0)
            {
              sink->phase = PART_END;
              return;
            }
          if (memcmp (buf, "\r\n", 2) != 0)
            {
              sink_fail (sink, "A multipart boundary is not followed by CRLF.");
              return;
            }
          g_byte_array_remove_range (sink->pending, 0, 2);
          sink->phase = PART_HEADERS;
        }
      else if (sink->phase == PART_HEADERS)
        {
          const guint8 *end = find_bytes (buf, have, "\r\n\r\n", 4);
          g_autofree char *text = NULL;

          if (end == NULL)
            {
              if (have > WA_MAX_HEADERS)
                sink_fail (sink, "A multipart part's headers are too long.");
              return;
            }
          text = g_strndup ((const char *) buf, (gsize) (end - buf) + 2);
          if (!sink_part_headers (sink, text))
            {
              sink_fail (sink, "A multipart part has no usable Content-Disposition.");
              return;
            }
          g_byte_array_remove_range (sink->pending, 0, (guint) (end - buf + 4));
          sink->phase = PART_BODY;
        }
    }
}

static gpointer
upload_begin (SmSandboxRequest *req,
              gpointer          user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  g_autoptr(GHashTable) params = NULL;
  UploadSink *sink = g_new0 (UploadSink, 1);
  const char *type = soup_message_headers_get_content_type (headers, &params);
  const char *boundary = params != NULL ? g_hash_table_lookup (params, "boundary") : NULL;

  sink->pending = g_byte_array_new ();
  sink->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sink->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  if (g_strcmp0 (type, "multipart/form-data") != 0 || boundary == NULL || *boundary == '\0')
    {
      sink->delimiter = g_strdup ("\r\n--");
      sink_fail (sink, "The upload must be multipart/form-data with a boundary.");
      return sink;
    }
  sink->delimiter = g_strconcat ("\r\n--", boundary, NULL);
  sink->delimiter_len = strlen (sink->delimiter);
  g_byte_array_append (sink->pending, (const guint8 *) "\r\n", 2);
  return sink;
}

/* Whether the bytes look like @mime says (what Meta checks on upload). */
static gboolean
magic_matches (const UploadSink *sink,
               const char       *mime)
{
  const guint8 *h = sink->head;
  gsize n = sink->head_len;

  if (g_str_equal (mime, "image/jpeg"))
    return n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff;
  if (g_str_equal (mime, "image/png"))
    return n >= 8 && memcmp (h, "\x89PNG\r\n\x1a\n", 8) == 0;
  if (g_str_equal (mime, "image/webp"))
    return n >= 12 && memcmp (h, "RIFF", 4) == 0 && memcmp (h + 8, "WEBP", 4) == 0;
  if (g_str_equal (mime, "application/pdf"))
    return n >= 5 && memcmp (h, "%PDF-", 5) == 0;
  if (g_str_equal (mime, "video/mp4") || g_str_equal (mime, "video/3gpp")
      || g_str_equal (mime, "audio/mp4"))
    return n >= 8 && memcmp (h + 4, "ftyp", 4) == 0;
  if (g_str_equal (mime, "audio/ogg"))
    return n >= 4 && memcmp (h, "OggS", 4) == 0;
  return TRUE;
}

/* A WebP with the VP8X animation flag (RIFF container, section VP8X). */
static gboolean
webp_is_animated (const UploadSink *sink)
{
  return sink->head_len >= 21 && memcmp (sink->head + 12, "VP8X", 4) == 0
         && (sink->head[20] & 0x02) != 0;
}

static void
upload_cb (SmSandboxRequest *req,
           gpointer          user_data)
{
  WaState *state = user_data;
  UploadSink *sink = req->body_sink;
  SmSandboxToken *token = authenticate (req);
  const Number *number;
  const MediaType *type;
  const char *product, *type_name;
  guint64 limit;
  Media *media;
  JsonObject *object;

  if (token == NULL || (number = number_for (req, token)) == NULL)
    return;
  g_assert (sink != NULL);

  if (sink->error != NULL || sink->phase != PART_END)
    {
      invalid_parameter (req, sink->error != NULL ? sink->error
                                                 : "The multipart body ended before its last boundary.");
      return;
    }
  product = g_hash_table_lookup (sink->fields, "messaging_product");
  if (g_strcmp0 (product, "whatsapp") != 0)
    {
      wa_error (req, 400, 100, "(#100) The parameter messaging_product is required.", NULL);
      return;
    }
  if (!sink->has_file)
    {
      wa_error (req, 400, 100, "(#100) The parameter file is required.", NULL);
      return;
    }
  type_name = g_hash_table_lookup (sink->fields, "type");
  if (type_name == NULL)
    {
      wa_error (req, 400, 100, "(#100) The parameter type is required.", NULL);
      return;
    }
  type = find_media_type (type_name);
  if (type == NULL)
    {
      g_autofree char *details = g_strdup_printf ("Param file must be a file with one of the "
                                                  "supported types; %s is not one.", type_name);

      wa_error (req, 400, 131053, "(#131053) Media upload error", details);
      return;
    }
  if (sink->file_type != NULL && g_ascii_strcasecmp (sink->file_type, type_name) != 0)
    {
      g_autofree char *details = g_strdup_printf ("The file part is %s but type says %s.",
                                                  sink->file_type, type_name);

      wa_error (req, 400, 131053, "(#131053) Media upload error", details);
      return;
    }
  if (sink->file_bytes == 0 || !magic_matches (sink, type_name))
    {
      g_autofree char *details = g_strdup_printf ("The file is not a valid %s file.", type_name);

      wa_error (req, 400, 131053, "(#131053) Media upload error", details);
      return;
    }
  limit = type->max_bytes;
  if (g_str_equal (type->kind, "sticker") && !webp_is_animated (sink))
    limit = WA_STATIC_STICKER_MAX;
  if (sink->file_bytes > limit)
    {
      g_autofree char *details = g_strdup_printf ("Media file size too big: %" G_GUINT64_FORMAT
                                                  " bytes; %s files can be up to %"
                                                  G_GUINT64_FORMAT " bytes.",
                                                  sink->file_bytes, type_name, limit);

      wa_error (req, 400, 131053, "(#131053) Media upload error", details);
      return;
    }

  media = g_new0 (Media, 1);
  media->id = g_strdup_printf ("%" G_GUINT64_FORMAT,
                               G_GUINT64_CONSTANT (1040000000000000) + _sm_sandbox_next_serial (state->sandbox));
  media->number = g_strdup (number->id);
  media->mime = g_strdup (type_name);
  media->kind = g_strdup (type->kind);
  media->bytes = sink->file_bytes;
  media->sha256 = g_strdup (g_checksum_get_string (sink->sha256));
  g_hash_table_replace (state->media, media->id, media);

  object = json_object_new ();
  json_object_set_string_member (object, "id", media->id);
  _sm_sandbox_respond_object (req, 200, object);
}

/* ---- POST /{phone-number-id}/messages ----------------------------------- */

static const char * const media_message_types[] = { "image", "video", "audio", "document", "sticker", NULL };
static const char * const modelled_elsewhere[] = { "reaction", "location", "contacts", "interactive", NULL };

static gboolean
only_members (JsonObject         *object,
              const char * const *allowed,
              const char        **unknown)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        *unknown = l->data;
        return FALSE;
      }
  return TRUE;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
window_open (WaState    *state,
             const char *number,
             const char *wa_id)
{
  g_autofree char *key = window_key (number, wa_id);
  gint64 *last = g_hash_table_lookup (state->windows, key);

  return last != NULL && g_get_real_time () - *last < WA_WINDOW_US;
}

/* Checks the media object of an image/video/audio/document/sticker message;
 * the media it names, or NULL after answering. */
static Media *
check_media_object (SmSandboxRequest *req,
                    WaState          *state,
                    const Number     *number,
                    const char       *type,
                    JsonObject       *payload)
{
  static const char * const with_caption[] = { "id", "link", "caption", NULL };
  static const char * const document_members[] = { "id", "link", "caption", "filename", NULL };
  static const char * const bare[] = { "id", "link", NULL };
  const char *const *allowed = g_str_equal (type, "document") ? document_members
                               : g_str_equal (type, "image") || g_str_equal (type, "video") ? with_caption
                               : bare;
  const char *unknown = NULL;
  const char *id = string_member (payload, "id");
  const char *want_kind = g_str_equal (type, "sticker") ? "sticker" : type;
  Media *media;

  if (!only_members (payload, allowed, &unknown))
    {
      g_autofree char *details = g_strdup_printf ("Param %s['%s'] is not a valid parameter for "
                                                  "this message type.", type, unknown);

      invalid_parameter (req, details);
      return NULL;
    }
  if (json_object_has_member (payload, "link"))
    {
      /* The sandbox does not fetch by link: upload the file instead. */
      invalid_parameter (req, "The sandbox takes media by id only; upload the file first.");
      return NULL;
    }
  media = id != NULL ? g_hash_table_lookup (state->media, id) : NULL;
  if (media == NULL || g_strcmp0 (media->number, number->id) != 0)
    {
      g_autofree char *details = g_strdup_printf ("Param %s['id'] is not a valid media id.", type);

      invalid_parameter (req, details);
      return NULL;
    }
  if (!g_str_equal (media->kind, want_kind))
    {
      g_autofree char *details = g_strdup_printf ("Media %s is %s, which a %s message does not "
                                                  "take.", media->id, media->mime, type);

      wa_error (req, 400, 131053, "(#131053) Media upload error", details);
      return NULL;
    }
  return media;
}

/* A known template with its parameter count checked; FALSE after answering. */
static const Template *
check_template (SmSandboxRequest *req,
                JsonObject       *payload)
{
  static const char * const members[] = { "name", "language", "components", NULL };
  const char *unknown = NULL;
  const char *name = string_member (payload, "name");
  JsonNode *language = json_object_get_member (payload, "language");
  JsonNode *components = json_object_get_member (payload, "components");
  const char *code = NULL;
  const Template *found = NULL;
  gboolean name_known = FALSE;
  guint n_params = 0;

  if (!only_members (payload, members, &unknown))
    {
      g_autofree char *details = g_strdup_printf ("Param template['%s'] is not a valid parameter.",
                                                  unknown);

      invalid_parameter (req, details);
      return NULL;
    }
  if (language != NULL && JSON_NODE_HOLDS_OBJECT (language))
    code = string_member (json_node_get_object (language), "code");
  if (name == NULL || code == NULL)
    {
      invalid_parameter (req, "Param template['name'] and template['language']['code'] are required.");
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    if (g_str_equal (templates[i].name, name))
      {
        name_known = TRUE;
        if (g_str_equal (templates[i].language, code))
          found = &templates[i];
      }
  if (found == NULL)
    {
      g_autofree char *details = name_known
        ? g_strdup_printf ("template name (%s) does not exist in %s", name, code)
        : g_strdup_printf ("template name (%s) does not exist", name);

      wa_error (req, 404, 132001, "(#132001) Template name does not exist in the translation",
                details);
      return NULL;
    }

  if (components != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (components))
        {
          invalid_parameter (req, "Param template['components'] must be an array.");
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length (json_node_get_array (components)); i++)
        {
          JsonNode *c = json_array_get_element (json_node_get_array (components), i);
          JsonObject *component = JSON_NODE_HOLDS_OBJECT (c) ? json_node_get_object (c) : NULL;
          JsonNode *params = component ? json_object_get_member (component, "parameters") : NULL;

          if (component == NULL || g_strcmp0 (string_member (component, "type"), "body") != 0
              || params == NULL || !JSON_NODE_HOLDS_ARRAY (params))
            {
              invalid_parameter (req, "The sandbox's templates have body parameters only: "
                                      "{\"type\":\"body\",\"parameters\":[…]}.");
              return NULL;
            }
          for (guint j = 0; j < json_array_get_length (json_node_get_array (params)); j++)
            {
              JsonNode *p = json_array_get_element (json_node_get_array (params), j);
              JsonObject *param = JSON_NODE_HOLDS_OBJECT (p) ? json_node_get_object (p) : NULL;
              const char *text = param ? string_member (param, "text") : NULL;

              if (param == NULL || g_strcmp0 (string_member (param, "type"), "text") != 0
                  || text == NULL || *text == '\0')
                {
                  invalid_parameter (req, "A body parameter is {\"type\":\"text\",\"text\":\"…\"}.");
                  return NULL;
                }
              n_params++;
            }
        }
    }
  if (n_params != found->n_params)
    {
      g_autofree char *details = g_strdup_printf ("body: number of localizable_params (%u) does "
                                                  "not match the expected number of params (%u)",
                                                  n_params, found->n_params);

      wa_error (req, 400, 132000, "(#132000) Number of parameters does not match the expected "
                "number of params", details);
      return NULL;
    }
  return found;
}

static void
messages_cb (SmSandboxRequest *req,
             gpointer          user_data)
{
  static const char * const top_members[] = {
    "messaging_product", "recipient_type", "to", "type", "context", "biz_opaque_callback_data",
    "text", "image", "video", "audio", "document", "sticker", "template", "reaction",
    "location", "contacts", "interactive", NULL
  };
  WaState *state = user_data;
  SmSandboxToken *token = authenticate (req);
  const Number *number;
  JsonNode *root;
  JsonObject *body, *payload;
  JsonNode *payload_node;
  const char *product, *to, *type, *recipient_type, *unknown = NULL;
  g_autofree char *wa_id = NULL;
  g_autofree char *wamid = NULL;
  g_autofree char *random = NULL;
  const char *text = "";
  const Template *template = NULL;
  Media *media = NULL;
  SmSandboxPost *post;
  JsonObject *answer, *contact, *message;
  JsonArray *contacts, *messages;

  if (token == NULL || (number = number_for (req, token)) == NULL)
    return;

  root = _sm_sandbox_request_json (req);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid_parameter (req, "The body must be a JSON object (Content-Type: application/json).");
      return;
    }
  body = json_node_get_object (root);
  if (!only_members (body, top_members, &unknown))
    {
      g_autofree char *details = g_strdup_printf ("Param %s is not a valid parameter.", unknown);

      invalid_parameter (req, details);
      return;
    }

  product = string_member (body, "messaging_product");
  if (g_strcmp0 (product, "whatsapp") != 0)
    {
      wa_error (req, 400, 100, "(#100) The parameter messaging_product is required.", NULL);
      return;
    }
  recipient_type = string_member (body, "recipient_type");
  if (recipient_type != NULL && !g_str_equal (recipient_type, "individual"))
    {
      invalid_parameter (req, "Param recipient_type must be individual.");
      return;
    }
  to = string_member (body, "to");
  if (to == NULL || *to == '\0')
    {
      wa_error (req, 400, 100, "(#100) The parameter to is required.", NULL);
      return;
    }
  wa_id = g_strdup (to + (*to == '+'));
  if (*wa_id == '\0' || strspn (wa_id, "0123456789") != strlen (wa_id) || strlen (wa_id) > 15)
    {
      invalid_parameter (req, "Param to must be a phone number in E.164 digits.");
      return;
    }
  type = string_member (body, "type");
  if (type == NULL)
    type = "text";
  if (g_strv_contains (modelled_elsewhere, type))
    {
      g_autofree char *details = g_strdup_printf ("The sandbox does not model %s messages.", type);

      wa_error (req, 400, 131051, "(#131051) Unsupported message type", details);
      return;
    }
  payload_node = json_object_get_member (body, type);
  if (payload_node == NULL || !JSON_NODE_HOLDS_OBJECT (payload_node))
    {
      g_autofree char *required = g_strdup_printf ("(#100) The parameter %s is required.", type);

      wa_error (req, 400, 100, required, NULL);
      return;
    }
  payload = json_node_get_object (payload_node);
  /* From "text" on, top_members are the payloads: only the type's own. */
  for (guint i = 0; top_members[i] != NULL; i++)
    if (i >= 6 && !g_str_equal (top_members[i], type) && json_object_has_member (body, top_members[i]))
      {
        g_autofree char *details = g_strdup_printf ("Param %s does not go with type %s.",
                                                    top_members[i], type);

        invalid_parameter (req, details);
        return;
      }

  if (g_str_equal (type, "text"))
    {
      static const char * const members[] = { "body", "preview_url", NULL };
      JsonNode *preview = json_object_get_member (payload, "preview_url");

      text = string_member (payload, "body");
      if (!only_members (payload, members, &unknown))
        {
          g_autofree char *details = g_strdup_printf ("Param text['%s'] is not a valid parameter.",
                                                      unknown);

          invalid_parameter (req, details);
          return;
        }
      if (text == NULL || *text == '\0' || g_utf8_strlen (text, -1) > WA_MAX_TEXT
          || !g_utf8_validate (text, -1, NULL))
        {
          invalid_parameter (req, "Param text['body'] must be 1 to 4096 characters.");
          return;
        }
      if (preview != NULL && (!JSON_NODE_HOLDS_VALUE (preview)
                              || json_node_get_value_type (preview) != G_TYPE_BOOLEAN))
        {
          invalid_parameter (req, "Param text['preview_url'] must be a boolean.");
          return;
        }
    }
  else if (g_str_equal (type, "template"))
    {
      template = check_template (req, payload);
      if (template == NULL)
        return;
      text = template->name;
    }
  else if (g_strv_contains (media_message_types, type))
    {
      media = check_media_object (req, state, number, type, payload);
      if (media == NULL)
        return;
      text = string_member (payload, "caption") ? string_member (payload, "caption") : "";
    }
  else
    {
      g_autofree char *details = g_strdup_printf ("Unknown message type %s.", type);

      invalid_parameter (req, details);
      return;
    }

  if (g_str_has_prefix (wa_id, WA_UNDELIVERABLE))
    {
      wa_error (req, 400, 131026, "(#131026) Message undeliverable",
                "Unable to deliver message. The recipient may not be a WhatsApp user or has "
                "not accepted WhatsApp's new Terms of Service and Privacy Policy.");
      return;
    }
  /* 4.4: only templates go out of the customer service window. */
  if (template == NULL && !window_open (state, number->id, wa_id))
    {
      wa_error (req, 400, 131047, "(#131047) Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the "
                "customer last replied to this number.");
      return;
    }

  random = _sm_sandbox_random_string ("");
  wamid = g_strdup_printf ("wamid.HBgL%s%s", wa_id, random);
  post = _sm_sandbox_post_add (req->sandbox, WA_NETWORK, number->id, wamid, text);
  post->reply_to = g_strdup (wa_id);
  post->extra = g_strdup (type);
  if (media != NULL)
    _sm_sandbox_post_add_media (post, g_str_equal (media->kind, "sticker") ? "image" : media->kind,
                                media->bytes, media->sha256);

  answer = json_object_new ();
  json_object_set_string_member (answer, "messaging_product", "whatsapp");
  contacts = json_array_new ();
  contact = json_object_new ();
  json_object_set_string_member (contact, "input", to);
  json_object_set_string_member (contact, "wa_id", wa_id);
  json_array_add_object_element (contacts, contact);
  json_object_set_array_member (answer, "contacts", contacts);
  messages = json_array_new ();
  message = json_object_new ();
  json_object_set_string_member (message, "id", wamid);
  if (template != NULL)
    json_object_set_string_member (message, "message_status", "accepted");
  json_array_add_object_element (messages, message);
  json_object_set_array_member (answer, "messages", messages);
  _sm_sandbox_respond_object (req, 200, answer);
}

/* DELETE /{media-id} (4.2). */
static void
media_delete_cb (SmSandboxRequest *req,
                 gpointer          user_data)
{
  WaState *state = user_data;
  SmSandboxToken *token = authenticate (req);
  const char *id = _sm_sandbox_request_arg (req, 0);
  JsonObject *object;

  if (token == NULL)
    return;
  if (!g_hash_table_remove (state->media, id))
    {
      unsupported_request (req, id != NULL ? id : "");
      return;
    }
  object = json_object_new ();
  json_object_set_boolean_member (object, "success", TRUE);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
graph_unknown_cb (SmSandboxRequest *req,
                  gpointer          user_data)
{
  const char *id = _sm_sandbox_request_arg (req, 0);

  if (authenticate (req) != NULL)
    unsupported_request (req, id != NULL ? id : "");
}

/* ---- test hooks (sm-sandbox.h) ----------------------------------------- */

static void
hook_error (SmSandboxRequest *req,
            const char       *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  _sm_sandbox_respond_object (req, 400, object);
}

static void
hook_token (SmSandboxRequest *req,
            WaState          *state)
{
  SmSandboxToken *token = _sm_sandbox_token_issue (state->sandbox, WA_NETWORK, "access",
                                                   "system-user", WA_WABA_ID,
                                                   "whatsapp_business_messaging,"
                                                   "whatsapp_business_management",
                                                   WA_APP_ID, 0, 0);
  JsonObject *object = json_object_new ();
  JsonArray *list = json_array_new ();

  _sm_sandbox_token_pair (token, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      JsonObject *n = json_object_new ();

      json_object_set_string_member (n, "id", numbers[i].id);
      json_object_set_string_member (n, "display_phone_number", numbers[i].display);
      json_object_set_string_member (n, "verified_name", numbers[i].verified_name);
      json_array_add_object_element (list, n);
    }
  json_object_set_string_member (object, "token", token->token);
  json_object_set_string_member (object, "waba_id", WA_WABA_ID);
  json_object_set_array_member (object, "phone_numbers", list);
  _sm_sandbox_respond_object (req, 201, object);
}

static void
hook_inbound (SmSandboxRequest *req,
              WaState          *state)
{
  JsonNode *root = _sm_sandbox_request_json (req);
  JsonObject *body = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  const char *from = body ? string_member (body, "from") : NULL;
  const char *number = body ? string_member (body, "phone_number_id") : NULL;
  gint64 hours_ago = body ? json_object_get_int_member_with_default (body, "hours_ago", 0) : 0;
  JsonObject *object;
  guint opened = 0;

  if (from == NULL || *from == '\0' || strspn (from, "0123456789") != strlen (from))
    {
      hook_error (req, "expected {\"from\":\"DIGITS\"[,\"phone_number_id\":\"…\"][,\"hours_ago\":N]}");
      return;
    }
  if (number != NULL && find_number (number) == NULL)
    {
      hook_error (req, "no such sandbox phone_number_id");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (number == NULL || g_str_equal (numbers[i].id, number))
      {
        gint64 *at = g_new (gint64, 1);

        *at = g_get_real_time () - hours_ago * G_TIME_SPAN_HOUR;
        g_hash_table_replace (state->windows, window_key (numbers[i].id, from), at);
        opened++;
      }
  object = json_object_new ();
  json_object_set_string_member (object, "from", from);
  json_object_set_int_member (object, "numbers", opened);
  json_object_set_boolean_member (object, "window_open", hours_ago < 24);
  _sm_sandbox_respond_object (req, 200, object);
}

void
_sm_sandbox_whatsapp_hook (SmSandboxRequest *req,
                           const char       *what)
{
  WaState *state = g_object_get_data (G_OBJECT (req->sandbox), "sm-sandbox-whatsapp");
  gboolean post = strcmp (req->method, "POST") == 0;

  if (post && strcmp (what, "token") == 0)
    hook_token (req, state);
  else if (post && strcmp (what, "inbound") == 0)
    hook_inbound (req, state);
  else
    {
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "error", "no such sandbox hook; see sm-sandbox.h");
      _sm_sandbox_respond_object (req, 404, object);
    }
}

void
_sm_sandbox_whatsapp_register (SmSandbox *self)
{
  WaState *state = g_new0 (WaState, 1);

  state->sandbox = self;
  state->media = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) media_free);
  state->windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  _sm_sandbox_add_module (self, state, wa_state_reset, wa_state_free);
  g_object_set_data (G_OBJECT (self), "sm-sandbox-whatsapp", state);

  _sm_sandbox_add_route (self, graph_hosts, "POST", "/?v/*/messages", messages_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_streaming_route (self, graph_hosts, "POST", "/?v/*/media",
                                   upload_begin, upload_chunk, upload_sink_free, upload_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "GET", "/?v/*", node_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "DELETE", "/?v/*", media_delete_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
  _sm_sandbox_add_route (self, graph_hosts, "*", "/?v/*/**", graph_unknown_cb, state);
  _sm_sandbox_claim_last_route (self, claim_cb);
}
