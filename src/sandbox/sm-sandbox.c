/* sm-sandbox.c — the sandbox server: routing, recording, faults, OAuth.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sm-sandbox"

#include "config.h"

#include <string.h>

#include "sm-sandbox-private.h"

/* Codes are single use and short-lived, as the real services keep them. */
#define CODE_LIFETIME_US      (60 * G_USEC_PER_SEC)
#define CODE_FORGET_US        (10 * 60 * G_USEC_PER_SEC)
#define MAX_RECORDS           500
/* Bodies above this are not kept in memory (see got_headers_cb). */
#define MAX_ACCUMULATED_BODY  (1024 * 1024)
/* The routes of the networks' own hooks, /__sandbox/NAME. */
#define SANDBOX_HOOK_HOST     "__sandbox"

typedef struct
{
  char             **hosts;
  char              *method;
  char             **segments;
  SmSandboxHandler   handler;
  gpointer           user_data;
  /* Streaming routes only (see _sm_sandbox_add_streaming_route). */
  SmSandboxBodyBegin begin;
  SmSandboxBodyChunk chunk;
  GDestroyNotify     sink_free;
  /* NULL, or which of the matching requests this route serves. */
  SmSandboxRouteClaim claim;
} Route;

typedef struct
{
  gpointer       data;
  GFunc          reset;
  GDestroyNotify free_func;
} Module;

typedef enum
{
  FAULT_STATUS,
  FAULT_DELAY,
  FAULT_DROP,
  FAULT_DROP_BEFORE,
  FAULT_DROP_AFTER_BYTES,
} FaultKind;

/* Reference counted (g_rc_box): a request takes its fault when its headers
 * arrive and may still need it after the hook has cleared the list. */
typedef struct
{
  guint      id;
  char      *host;
  char      *method;
  char      *path;
  gint64     count;
  gint64     skip;      /* matching requests to let through first */
  FaultKind  kind;
  guint      status;
  JsonNode  *body;      /* a JSON value, or a string sent as text */
  JsonNode  *headers;   /* object of header → value */
  guint      delay_ms;
  gint64     drop_after;
} Fault;

typedef struct
{
  char       *method;
  char       *host;
  char       *path;
  guint       status;
  gint64      received_us;
  const char *fault;
  guint64     body_bytes;
} Record;

/* One network request on its way in, from its headers on (attached to the
 * SoupServerMessage): its fault, taken when the headers arrive so that it
 * can act on the body, and a streaming route's sink. */
typedef struct
{
  SmSandbox *self;
  Fault     *fault;        /* a reference, or NULL */
  Route     *route;        /* a streaming route, or NULL */
  gpointer   sink;
  char      *method;
  char      *host;
  char      *path;
  gint64     budget;       /* drop_after_bytes: bytes still to take; -1: no limit */
  guint64    body_bytes;   /* taken so far */
  gboolean   cut;          /* closed mid-body: the handler never runs */
} Inflight;

typedef struct
{
  SmSandbox         *self;
  SoupServerMessage *msg;
  gboolean           drop;
  gulong             disconnected_id;
} Pending;

struct _SmSandbox
{
  GObject      parent_instance;

  SoupServer  *server;
  char        *base_url;

  GPtrArray   *routes;
  GPtrArray   *modules;

  GPtrArray   *tokens;            /* SmSandboxToken, issue order */
  GHashTable  *tokens_by_string;  /* borrowed from tokens */
  guint        last_grant;

  GHashTable  *codes;             /* code → SmSandboxCode */
  GPtrArray   *posts;             /* SmSandboxPost, arrival order */
  GPtrArray   *faults;            /* Fault */
  guint        last_fault_id;
  GQueue      *records;           /* Record */
  guint64      serial;

  GHashTable  *pending;           /* SoupServerMessage → GSource (a reference) */
  SoupSession *fetch_session;     /* _sm_sandbox_fetch, made on first use */
  gboolean     rate_limits_off;   /* for benchmarks that send thousands */
};

enum {
  PROP_0,
  PROP_BASE_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SmSandbox, sm_sandbox, G_TYPE_OBJECT)

static const char * const fault_names[] = {
  [FAULT_STATUS] = "status",
  [FAULT_DELAY] = "delay",
  [FAULT_DROP] = "drop",
  [FAULT_DROP_BEFORE] = "drop_before",
  [FAULT_DROP_AFTER_BYTES] = "drop_after_bytes",
};

/* ---- helpers ----------------------------------------------------------- */

static void
route_free (Route *route)
{
  g_strfreev (route->hosts);
  g_free (route->method);
  g_strfreev (route->segments);
  g_free (route);
}

static void
module_free (Module *module)
{
  if (module->free_func != NULL)
    module->free_func (module->data);
  g_free (module);
}

static void
token_free (SmSandboxToken *token)
{
  g_free (token->network);
  g_free (token->kind);
  g_free (token->type);
  g_free (token->token);
  g_free (token->account);
  g_free (token->scope);
  g_free (token->client_id);
  g_free (token->pair_access);
  g_free (token->pair_refresh);
  g_free (token);
}

static void
code_free (SmSandboxCode *code)
{
  g_free (code->network);
  g_free (code->code);
  g_free (code->client_id);
  g_free (code->redirect_uri);
  g_free (code->challenge);
  g_free (code->scope);
  g_clear_pointer (&code->kept, g_hash_table_unref);
  g_free (code);
}

static void
post_free (SmSandboxPost *post)
{
  g_free (post->network);
  g_free (post->account);
  g_free (post->id);
  g_free (post->text);
  g_free (post->reply_to);
  g_free (post->extra);
  g_free (post->media_sha256);
  g_clear_pointer (&post->media, g_ptr_array_unref);
  g_clear_pointer (&post->comments, g_ptr_array_unref);
  g_free (post);
}

static void
comment_free (SmSandboxComment *comment)
{
  g_free (comment->id);
  g_free (comment->author);
  g_free (comment->text);
  g_free (comment);
}

static void
media_free (SmSandboxMedia *media)
{
  g_free (media->kind);
  g_free (media->sha256);
  g_free (media);
}

static void
fault_clear (Fault *fault)
{
  g_free (fault->host);
  g_free (fault->method);
  g_free (fault->path);
  g_clear_pointer (&fault->body, json_node_unref);
  g_clear_pointer (&fault->headers, json_node_unref);
}

static void
fault_unref (Fault *fault)
{
  g_rc_box_release_full (fault, (GDestroyNotify) fault_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fault, fault_unref)

static void
inflight_free (Inflight *inflight)
{
  if (inflight->sink != NULL && inflight->route->sink_free != NULL)
    inflight->route->sink_free (inflight->sink);
  g_clear_pointer (&inflight->fault, fault_unref);
  g_free (inflight->method);
  g_free (inflight->host);
  g_free (inflight->path);
  g_free (inflight);
}

static void
record_free (Record *record)
{
  g_free (record->method);
  g_free (record->host);
  g_free (record->path);
  g_free (record);
}

static JsonNode *
node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_alloc ();

  json_node_init_object (node, object);
  json_object_unref (object);
  return node;
}

static JsonNode *
node_take_array (JsonArray *array)
{
  JsonNode *node = json_node_alloc ();

  json_node_init_array (node, array);
  json_array_unref (array);
  return node;
}

/* ---- small public-to-the-networks helpers ------------------------------ */

guint64
_sm_sandbox_next_serial (SmSandbox *self)
{
  return ++self->serial;
}

char *
_sm_sandbox_random_string (const char *prefix)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < 5; i++)
    g_string_append_printf (s, "%08x", g_random_int ());
  return g_string_free (s, FALSE);
}

char *
_sm_sandbox_format_time (gint64      us,
                         const char *format)
{
  g_autoptr(GDateTime) secs = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) dt = g_date_time_add (secs, us % G_USEC_PER_SEC);

  return g_date_time_format (dt, format);
}

gint64
_sm_sandbox_parse_time_us (const char *text)
{
  guint64 secs;
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || *text == '\0')
    return -1;
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64 / G_USEC_PER_SEC, &secs, NULL))
    return (gint64) secs * G_USEC_PER_SEC;

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return -1;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

GPtrArray *
_sm_sandbox_parse_fields (const char *fields)
{
  GPtrArray *names;
  int depth = 0;
  GString *current;
  gboolean in_name = TRUE;

  if (fields == NULL)
    return NULL;

  names = g_ptr_array_new_with_free_func (g_free);
  current = g_string_new (NULL);
  for (const char *p = fields; ; p++)
    {
      if (*p == '\0' || (*p == ',' && depth == 0))
        {
          g_strstrip (current->str);
          if (current->str[0] != '\0')
            g_ptr_array_add (names, g_strdup (current->str));
          g_string_truncate (current, 0);
          in_name = TRUE;
          if (*p == '\0')
            break;
          continue;
        }
      if (*p == '{' || *p == '(')
        depth++;
      else if ((*p == '}' || *p == ')') && depth > 0)
        depth--;
      if (*p == '.' || *p == '{' || *p == '(')
        in_name = FALSE;
      if (in_name && depth == 0)
        g_string_append_c (current, *p);
    }
  g_string_free (current, TRUE);
  return names;
}

gboolean
_sm_sandbox_fields_has (GPtrArray  *fields,
                        const char *name)
{
  if (fields == NULL)
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    if (g_strcmp0 (g_ptr_array_index (fields, i), name) == 0)
      return TRUE;
  return FALSE;
}

gboolean
_sm_sandbox_scope_has (const char *scope,
                       const char *item)
{
  g_auto(GStrv) parts = NULL;

  if (scope == NULL)
    return FALSE;
  parts = g_strsplit_set (scope, " ,", -1);
  return g_strv_contains ((const char * const *) parts, item);
}

/* ---- requests ---------------------------------------------------------- */

static void
request_free (SmSandboxRequest *req)
{
  g_clear_pointer (&req->args, g_ptr_array_unref);
  g_clear_pointer (&req->form, g_hash_table_unref);
  g_clear_pointer (&req->multipart, soup_multipart_free);
  g_clear_pointer (&req->json, json_node_unref);
  g_clear_pointer (&req->params, g_hash_table_unref);
  g_clear_pointer (&req->query, g_hash_table_unref);
  g_free ((char *) req->host);
  g_free ((char *) req->path);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmSandboxRequest, request_free)

static void
request_parse_body (SmSandboxRequest *req)
{
  SoupMessageBody *body;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  gsize len;
  const char *data;

  if (req->body_parsed)
    return;
  req->body_parsed = TRUE;

  body = soup_server_message_get_request_body (req->msg);
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return;
  text = g_strndup (data, len);

  if (_sm_sandbox_request_has_type (req, "application/x-www-form-urlencoded"))
    {
      req->form = soup_form_decode (text);
    }
  else if (_sm_sandbox_request_has_type (req, "multipart/form-data"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);

      req->multipart = soup_multipart_new_from_message (headers, bytes);
      if (req->multipart == NULL)
        return;
      req->form = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (int i = 0; i < soup_multipart_get_length (req->multipart); i++)
        {
          SoupMessageHeaders *part_headers;
          GBytes *part_body;
          g_autoptr(GHashTable) disposition = NULL;
          const char *name;
          gsize part_len;
          const char *part_data;

          if (!soup_multipart_get_part (req->multipart, i, &part_headers, &part_body) ||
              !soup_message_headers_get_content_disposition (part_headers, NULL, &disposition))
            continue;
          name = g_hash_table_lookup (disposition, "name");
          if (name == NULL || g_hash_table_contains (disposition, "filename"))
            continue;
          part_data = g_bytes_get_data (part_body, &part_len);
          if (memchr (part_data, '\0', part_len) == NULL)
            g_hash_table_replace (req->form, g_strdup (name), g_strndup (part_data, part_len));
        }
    }
  else if (_sm_sandbox_request_has_type (req, "application/json"))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, text, len, NULL) &&
          json_parser_get_root (parser) != NULL)
        req->json = json_node_ref (json_parser_get_root (parser));
      else
        req->json_invalid = TRUE;
    }
}

const char *
_sm_sandbox_request_arg (SmSandboxRequest *req,
                         guint             index)
{
  if (req->args == NULL || index >= req->args->len)
    return NULL;
  return g_ptr_array_index (req->args, index);
}

const char *
_sm_sandbox_request_query (SmSandboxRequest *req,
                           const char       *name)
{
  if (req->query == NULL)
    return NULL;
  return g_hash_table_lookup (req->query, name);
}

const char *
_sm_sandbox_request_param (SmSandboxRequest *req,
                           const char       *name)
{
  if (req->params == NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      request_parse_body (req);
      req->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

      if (req->query != NULL)
        {
          g_hash_table_iter_init (&iter, req->query);
          while (g_hash_table_iter_next (&iter, &key, &value))
            g_hash_table_replace (req->params, g_strdup (key), g_strdup (value));
        }
      if (req->json != NULL && JSON_NODE_HOLDS_OBJECT (req->json))
        {
          JsonObject *object = json_node_get_object (req->json);
          g_autoptr(GList) members = json_object_get_members (object);

          for (GList *l = members; l != NULL; l = l->next)
            {
              JsonNode *member = json_object_get_member (object, l->data);
              char *text = NULL;

              if (!JSON_NODE_HOLDS_VALUE (member))
                continue;
              switch (json_node_get_value_type (member))
                {
                case G_TYPE_STRING:
                  text = g_strdup (json_node_get_string (member));
                  break;
                case G_TYPE_INT64:
                  text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (member));
                  break;
                case G_TYPE_BOOLEAN:
                  text = g_strdup (json_node_get_boolean (member) ? "true" : "false");
                  break;
                case G_TYPE_DOUBLE:
                  text = g_strdup_printf ("%g", json_node_get_double (member));
                  break;
                default:
                  break;
                }
              if (text != NULL)
                g_hash_table_replace (req->params, g_strdup (l->data), text);
            }
        }
      if (req->form != NULL)
        {
          g_hash_table_iter_init (&iter, req->form);
          while (g_hash_table_iter_next (&iter, &key, &value))
            g_hash_table_replace (req->params, g_strdup (key), g_strdup (value));
        }
    }
  return g_hash_table_lookup (req->params, name);
}

const char *
_sm_sandbox_request_header (SmSandboxRequest *req,
                            const char       *name)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg), name);
}

gboolean
_sm_sandbox_request_has_type (SmSandboxRequest *req,
                              const char       *mime_type)
{
  const char *type;

  type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (req->msg),
                                                NULL);
  return type != NULL && g_ascii_strcasecmp (type, mime_type) == 0;
}

JsonNode *
_sm_sandbox_request_json (SmSandboxRequest *req)
{
  request_parse_body (req);
  return req->json;
}

GHashTable *
_sm_sandbox_request_form (SmSandboxRequest *req)
{
  request_parse_body (req);
  return req->form;
}

GBytes *
_sm_sandbox_request_part (SmSandboxRequest  *req,
                          const char        *name,
                          const char       **content_type,
                          const char       **filename)
{
  request_parse_body (req);
  if (req->multipart == NULL)
    return NULL;

  for (int i = 0; i < soup_multipart_get_length (req->multipart); i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part_body;
      g_autoptr(GHashTable) disposition = NULL;

      if (!soup_multipart_get_part (req->multipart, i, &part_headers, &part_body) ||
          !soup_message_headers_get_content_disposition (part_headers, NULL, &disposition) ||
          g_strcmp0 (g_hash_table_lookup (disposition, "name"), name) != 0)
        continue;
      if (content_type != NULL)
        *content_type = soup_message_headers_get_content_type (part_headers, NULL);
      if (filename != NULL)
        {
          /* The table goes with this call; the headers live with the
           * request, so keep the name there. */
          const char *value = g_hash_table_lookup (disposition, "filename");

          if (value != NULL)
            soup_message_headers_replace (part_headers, "X-Sandbox-Filename", value);
          *filename = soup_message_headers_get_one (part_headers, "X-Sandbox-Filename");
        }
      return part_body;
    }
  return NULL;
}

const char *
_sm_sandbox_request_bearer (SmSandboxRequest *req,
                            gboolean          allow_oauth)
{
  const char *value = _sm_sandbox_request_header (req, "Authorization");

  if (value == NULL)
    return NULL;
  if (g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    value += 7;
  else if (allow_oauth && g_ascii_strncasecmp (value, "OAuth ", 6) == 0)
    value += 6;
  else
    return NULL;
  while (*value == ' ')
    value++;
  return *value != '\0' ? value : NULL;
}

void
_sm_sandbox_respond_json (SmSandboxRequest *req,
                          guint             status,
                          JsonNode         *node)
{
  soup_server_message_set_status (req->msg, status, NULL);
  if (node != NULL)
    {
      char *text = json_to_string (node, FALSE);

      soup_server_message_set_response (req->msg, "application/json; charset=utf-8",
                                        SOUP_MEMORY_TAKE, text, strlen (text));
      json_node_unref (node);
    }
}

void
_sm_sandbox_respond_object (SmSandboxRequest *req,
                            guint             status,
                            JsonObject       *object)
{
  _sm_sandbox_respond_json (req, status, node_take_object (object));
}

void
_sm_sandbox_respond_empty (SmSandboxRequest *req,
                           guint             status)
{
  soup_server_message_set_status (req->msg, status, NULL);
  soup_server_message_set_response (req->msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

void
_sm_sandbox_respond_page (SmSandboxRequest *req,
                          guint             status,
                          const char       *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  char *page;

  page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                          "<title>So-me Studio sandbox</title></head>\n"
                          "<body><h1>%u %s</h1><p>%s</p></body></html>\n",
                          status, soup_status_get_phrase (status), escaped);
  soup_server_message_set_status (req->msg, status, NULL);
  soup_server_message_set_response (req->msg, "text/html; charset=utf-8",
                                    SOUP_MEMORY_TAKE, page, strlen (page));
}

void
_sm_sandbox_set_header (SmSandboxRequest *req,
                        const char       *name,
                        const char       *value)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), name, value);
}

/* ---- routes and modules ------------------------------------------------ */

static Route *
route_add (SmSandbox          *self,
           const char * const *hosts,
           const char         *method,
           const char         *pattern,
           SmSandboxHandler    handler,
           gpointer            user_data)
{
  Route *route = g_new0 (Route, 1);

  route->hosts = g_strdupv ((char **) hosts);
  route->method = g_strdup (method);
  route->segments = g_strsplit (pattern + 1, "/", -1);
  route->handler = handler;
  route->user_data = user_data;
  g_ptr_array_add (self->routes, route);
  return route;
}

void
_sm_sandbox_add_route (SmSandbox          *self,
                       const char * const *hosts,
                       const char         *method,
                       const char         *pattern,
                       SmSandboxHandler    handler,
                       gpointer            user_data)
{
  g_return_if_fail (SM_IS_SANDBOX (self));
  g_return_if_fail (hosts != NULL && pattern != NULL && pattern[0] == '/');

  route_add (self, hosts, method, pattern, handler, user_data);
}

void
_sm_sandbox_add_hook (SmSandbox        *self,
                      const char       *method,
                      const char       *name,
                      SmSandboxHandler  handler,
                      gpointer          user_data)
{
  static const char * const hook_hosts[] = { SANDBOX_HOOK_HOST, NULL };
  g_autofree char *pattern = g_strconcat ("/", name, NULL);

  g_return_if_fail (SM_IS_SANDBOX (self));
  g_return_if_fail (name != NULL && name[0] != '/');

  route_add (self, hook_hosts, method, pattern, handler, user_data);
}

void
_sm_sandbox_add_streaming_route (SmSandbox          *self,
                                 const char * const *hosts,
                                 const char         *method,
                                 const char         *pattern,
                                 SmSandboxBodyBegin  begin,
                                 SmSandboxBodyChunk  chunk,
                                 GDestroyNotify      sink_free,
                                 SmSandboxHandler    handler,
                                 gpointer            user_data)
{
  Route *route;

  g_return_if_fail (SM_IS_SANDBOX (self));
  g_return_if_fail (hosts != NULL && pattern != NULL && pattern[0] == '/');
  g_return_if_fail (begin != NULL && chunk != NULL);

  route = route_add (self, hosts, method, pattern, handler, user_data);
  route->begin = begin;
  route->chunk = chunk;
  route->sink_free = sink_free;
}

void
_sm_sandbox_claim_last_route (SmSandbox           *self,
                              SmSandboxRouteClaim  claim)
{
  g_return_if_fail (SM_IS_SANDBOX (self));
  g_return_if_fail (self->routes->len > 0);

  ((Route *) g_ptr_array_index (self->routes, self->routes->len - 1))->claim = claim;
}

void
_sm_sandbox_add_module (SmSandbox     *self,
                        gpointer       data,
                        GFunc          reset,
                        GDestroyNotify free_func)
{
  Module *module = g_new0 (Module, 1);

  module->data = data;
  module->reset = reset;
  module->free_func = free_func;
  g_ptr_array_add (self->modules, module);
}

static gboolean
is_graph_version (const char *segment)
{
  const char *p = segment;

  if (*p++ != 'v' || !g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  return *p == '\0';
}

static gboolean
route_match (Route      *route,
             char      **segments,
             GPtrArray  *args)
{
  guint p = 0, s = 0;

  while (route->segments[p] != NULL)
    {
      const char *want = route->segments[p];

      if (strcmp (want, "**") == 0)
        return TRUE;
      if (strcmp (want, "?v") == 0)
        {
          if (segments[s] != NULL && is_graph_version (segments[s]))
            s++;
          p++;
          continue;
        }
      if (segments[s] == NULL)
        return FALSE;
      if (strcmp (want, "*") == 0)
        {
          if (segments[s][0] == '\0')
            return FALSE;
          g_ptr_array_add (args, g_strdup (segments[s]));
        }
      else if (strcmp (want, segments[s]) != 0)
        return FALSE;
      p++;
      s++;
    }
  return segments[s] == NULL;
}

static Route *
find_route (SmSandbox        *self,
            SmSandboxRequest *req,
            char            **segments)
{
  for (guint i = 0; i < self->routes->len; i++)
    {
      Route *route = g_ptr_array_index (self->routes, i);
      g_autoptr(GPtrArray) args = NULL;

      if (!g_strv_contains ((const char * const *) route->hosts, req->host))
        continue;
      if (strcmp (route->method, "*") != 0 && strcmp (route->method, req->method) != 0)
        continue;
      args = g_ptr_array_new_with_free_func (g_free);
      if (route_match (route, segments, args))
        {
          g_clear_pointer (&req->args, g_ptr_array_unref);
          req->args = g_steal_pointer (&args);
          if (route->claim != NULL && !route->claim (req, route->user_data))
            continue;
          return route;
        }
    }
  return NULL;
}

static gboolean
host_is_served (SmSandbox  *self,
                const char *host)
{
  for (guint i = 0; i < self->routes->len; i++)
    {
      Route *route = g_ptr_array_index (self->routes, i);

      if (g_strv_contains ((const char * const *) route->hosts, host))
        return TRUE;
    }
  return FALSE;
}

/* ---- tokens ------------------------------------------------------------ */

SmSandboxToken *
_sm_sandbox_token_issue (SmSandbox  *self,
                         const char *network,
                         const char *kind,
                         const char *type,
                         const char *account,
                         const char *scope,
                         const char *client_id,
                         guint       grant,
                         gint64      lifetime_s)
{
  SmSandboxToken *token = g_new0 (SmSandboxToken, 1);
  g_autofree char *prefix = NULL;

  prefix = g_strdup_printf ("sbx-%s-%s-", network, strcmp (kind, "refresh") == 0 ? "rt" : "at");
  token->network = g_strdup (network);
  token->kind = g_strdup (kind);
  token->type = g_strdup (type);
  token->token = _sm_sandbox_random_string (prefix);
  token->account = g_strdup (account);
  token->scope = g_strdup (scope);
  token->client_id = g_strdup (client_id);
  token->grant = grant != 0 ? grant : ++self->last_grant;
  token->issued_us = g_get_real_time ();
  token->expires_us = lifetime_s > 0 ? token->issued_us + lifetime_s * G_USEC_PER_SEC : 0;
  token->state = SM_SANDBOX_TOKEN_VALID;

  g_ptr_array_add (self->tokens, token);
  g_hash_table_insert (self->tokens_by_string, token->token, token);
  return token;
}

void
_sm_sandbox_token_pair (SmSandboxToken *access,
                        SmSandboxToken *refresh)
{
  SmSandboxToken *both[] = { access, refresh };

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      if (both[i] == NULL)
        continue;
      g_free (both[i]->pair_access);
      g_free (both[i]->pair_refresh);
      both[i]->pair_access = g_strdup (access != NULL ? access->token : NULL);
      both[i]->pair_refresh = g_strdup (refresh != NULL ? refresh->token : NULL);
    }
}

SmSandboxToken *
_sm_sandbox_token_lookup (SmSandbox  *self,
                          const char *network,
                          const char *string)
{
  SmSandboxToken *token;

  if (string == NULL)
    return NULL;
  token = g_hash_table_lookup (self->tokens_by_string, string);
  if (token == NULL || (network != NULL && strcmp (token->network, network) != 0))
    return NULL;
  if (token->state == SM_SANDBOX_TOKEN_VALID && token->expires_us != 0 &&
      g_get_real_time () >= token->expires_us)
    token->state = SM_SANDBOX_TOKEN_EXPIRED;
  return token;
}

guint
_sm_sandbox_grant_revoke (SmSandbox *self,
                          guint      grant)
{
  guint changed = 0;

  for (guint i = 0; i < self->tokens->len; i++)
    {
      SmSandboxToken *token = g_ptr_array_index (self->tokens, i);

      if (token->grant == grant && token->state != SM_SANDBOX_TOKEN_REVOKED)
        {
          token->state = SM_SANDBOX_TOKEN_REVOKED;
          changed++;
        }
    }
  return changed;
}

static const char *
token_state_to_string (SmSandboxTokenState state)
{
  switch (state)
    {
    case SM_SANDBOX_TOKEN_VALID:
      return "valid";
    case SM_SANDBOX_TOKEN_EXPIRED:
      return "expired";
    case SM_SANDBOX_TOKEN_REVOKED:
      return "revoked";
    default:
      g_assert_not_reached ();
    }
}

/* ---- authorization codes ----------------------------------------------- */

gboolean
_sm_sandbox_redirect_uri_ok (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *host;

  if (uri == NULL)
    return FALSE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL)
    return FALSE;
  host = g_uri_get_host (parsed);
  return g_strcmp0 (g_uri_get_scheme (parsed), "http") == 0 &&
         (g_strcmp0 (host, "127.0.0.1") == 0 || g_strcmp0 (host, "localhost") == 0) &&
         g_uri_get_port (parsed) > 0 &&
         g_uri_get_userinfo (parsed) == NULL &&
         g_uri_get_fragment (parsed) == NULL;
}

static char *
pkce_challenge_for (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  char *encoded;
  char *end;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  encoded = g_base64_encode (digest, len);
  for (char *p = encoded; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  end = strchr (encoded, '=');
  if (end != NULL)
    *end = '\0';
  return encoded;
}

gboolean
_sm_sandbox_pkce_check (const char *challenge,
                        const char *verifier)
{
  g_autofree char *computed = NULL;
  gsize len;

  if (challenge == NULL || verifier == NULL)
    return FALSE;
  len = strlen (verifier);
  if (len < 43 || len > 128)
    return FALSE;
  for (const char *p = verifier; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-._~", *p) == NULL)
      return FALSE;
  computed = pkce_challenge_for (verifier);
  return strcmp (computed, challenge) == 0;
}

static void
forget_old_codes (SmSandbox *self)
{
  GHashTableIter iter;
  SmSandboxCode *code;
  gint64 now = g_get_real_time ();

  g_hash_table_iter_init (&iter, self->codes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &code))
    if (now - code->created_us > CODE_FORGET_US)
      g_hash_table_iter_remove (&iter);
}

void
_sm_sandbox_authorize (SmSandboxRequest             *req,
                       const SmSandboxAuthorizeSpec *spec)
{
  SmSandbox *self = req->sandbox;
  const char *client_id_param = spec->client_id_param != NULL ? spec->client_id_param : "client_id";
  const char *client_id = _sm_sandbox_request_query (req, client_id_param);
  const char *redirect_uri = _sm_sandbox_request_query (req, "redirect_uri");
  const char *response_type = _sm_sandbox_request_query (req, "response_type");
  const char *scope = _sm_sandbox_request_query (req, "scope");
  const char *state = _sm_sandbox_request_query (req, "state");
  const char *challenge = _sm_sandbox_request_query (req, "code_challenge");
  const char *challenge_method = _sm_sandbox_request_query (req, "code_challenge_method");
  SmSandboxCode *code;
  GString *location;

  if (client_id == NULL || *client_id == '\0')
    {
      g_autofree char *message = g_strdup_printf ("Invalid request: %s is missing.", client_id_param);

      _sm_sandbox_respond_page (req, 400, message);
      return;
    }
  if (redirect_uri == NULL || *redirect_uri == '\0')
    {
      _sm_sandbox_respond_page (req, 400, "Invalid request: redirect_uri is missing.");
      return;
    }
  if (!_sm_sandbox_redirect_uri_ok (redirect_uri))
    {
      _sm_sandbox_respond_page (req, 400,
                                "Invalid request: redirect_uri must be "
                                "http://127.0.0.1:PORT/… or http://localhost:PORT/… "
                                "(the only redirect URIs registered for the sandbox).");
      return;
    }
  if (g_strcmp0 (response_type, "code") != 0)
    {
      _sm_sandbox_respond_page (req, 400, "Invalid request: response_type must be “code”.");
      return;
    }
  if (scope == NULL || *scope == '\0')
    {
      _sm_sandbox_respond_page (req, 400, "Invalid request: scope is missing.");
      return;
    }
  if (spec->known_scopes != NULL)
    {
      g_auto(GStrv) parts = g_strsplit_set (scope, " ,", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autofree char *message = NULL;

          if (parts[i][0] == '\0' || g_strv_contains (spec->known_scopes, parts[i]))
            continue;
          message = g_strdup_printf ("Invalid request: unknown scope “%s”.", parts[i]);
          _sm_sandbox_respond_page (req, 400, message);
          return;
        }
    }
  if (spec->require_state && (state == NULL || *state == '\0'))
    {
      _sm_sandbox_respond_page (req, 400, "Invalid request: state is missing.");
      return;
    }
  if (spec->require_pkce)
    {
      if (challenge == NULL || strlen (challenge) < 43)
        {
          _sm_sandbox_respond_page (req, 400,
                                    "Invalid request: code_challenge is missing or too short.");
          return;
        }
      if (g_strcmp0 (challenge_method, "S256") != 0)
        {
          _sm_sandbox_respond_page (req, 400,
                                    "Invalid request: code_challenge_method must be S256.");
          return;
        }
    }
  else if (challenge != NULL && g_strcmp0 (challenge_method, "S256") != 0)
    {
      _sm_sandbox_respond_page (req, 400,
                                "Invalid request: code_challenge_method must be S256.");
      return;
    }

  forget_old_codes (self);

  code = g_new0 (SmSandboxCode, 1);
  code->network = g_strdup (spec->network);
  code->code = _sm_sandbox_random_string ("sbxc-");
  code->client_id = g_strdup (client_id);
  code->redirect_uri = g_strdup (redirect_uri);
  code->challenge = g_strdup (challenge);
  code->scope = g_strdup (scope);
  code->created_us = g_get_real_time ();
  for (guint i = 0; spec->kept_params != NULL && spec->kept_params[i] != NULL; i++)
    {
      const char *value = _sm_sandbox_request_query (req, spec->kept_params[i]);

      if (value == NULL)
        continue;
      if (code->kept == NULL)
        code->kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (code->kept, g_strdup (spec->kept_params[i]), g_strdup (value));
    }
  g_hash_table_insert (self->codes, code->code, code);

  location = g_string_new (redirect_uri);
  g_string_append_c (location, strchr (redirect_uri, '?') != NULL ? '&' : '?');
  g_string_append (location, "code=");
  g_string_append_uri_escaped (location, code->code, NULL, FALSE);
  if (state != NULL)
    {
      g_string_append (location, "&state=");
      g_string_append_uri_escaped (location, state, NULL, FALSE);
    }
  if (spec->code_suffix != NULL)
    g_string_append (location, spec->code_suffix);

  soup_server_message_set_redirect (req->msg, 302, location->str);
  g_string_free (location, TRUE);
}

SmSandboxCodeStatus
_sm_sandbox_code_redeem (SmSandbox            *self,
                         const char           *network,
                         const char           *string,
                         const SmSandboxCode **out)
{
  SmSandboxCode *code;

  *out = NULL;
  if (string == NULL)
    return SM_SANDBOX_CODE_UNKNOWN;
  code = g_hash_table_lookup (self->codes, string);
  if (code == NULL || strcmp (code->network, network) != 0)
    return SM_SANDBOX_CODE_UNKNOWN;
  if (code->used)
    return SM_SANDBOX_CODE_USED;
  code->used = TRUE;
  if (g_get_real_time () - code->created_us > CODE_LIFETIME_US)
    return SM_SANDBOX_CODE_EXPIRED;
  *out = code;
  return SM_SANDBOX_CODE_OK;
}

/* ---- posts ------------------------------------------------------------- */

SmSandboxPost *
_sm_sandbox_post_add (SmSandbox  *self,
                      const char *network,
                      const char *account,
                      const char *id,
                      const char *text)
{
  SmSandboxPost *post = g_new0 (SmSandboxPost, 1);

  post->network = g_strdup (network);
  post->account = g_strdup (account);
  post->id = g_strdup (id);
  post->text = g_strdup (text);
  post->received_us = g_get_real_time ();
  post->media = g_ptr_array_new_with_free_func ((GDestroyNotify) media_free);
  post->comments = g_ptr_array_new_with_free_func ((GDestroyNotify) comment_free);
  g_ptr_array_add (self->posts, post);
  return post;
}

SmSandboxComment *
_sm_sandbox_post_add_comment (SmSandboxPost *post,
                              const char    *id,
                              const char    *author,
                              const char    *text)
{
  SmSandboxComment *comment = g_new0 (SmSandboxComment, 1);

  comment->id = g_strdup (id);
  comment->author = g_strdup (author);
  comment->text = g_strdup (text);
  comment->received_us = g_get_real_time ();
  g_ptr_array_add (post->comments, comment);
  return comment;
}

void
_sm_sandbox_post_add_media (SmSandboxPost *post,
                            const char    *kind,
                            guint64        bytes,
                            const char    *sha256)
{
  SmSandboxMedia *media = g_new0 (SmSandboxMedia, 1);

  media->kind = g_strdup (kind);
  media->bytes = bytes;
  media->sha256 = g_strdup (sha256);
  g_ptr_array_add (post->media, media);
  if (post->media_sha256 == NULL)
    {
      post->media_bytes = bytes;
      post->media_sha256 = g_strdup (sha256);
    }
}

SmSandboxPost *
_sm_sandbox_post_lookup (SmSandbox  *self,
                         const char *network,
                         const char *id)
{
  for (guint i = 0; i < self->posts->len; i++)
    {
      SmSandboxPost *post = g_ptr_array_index (self->posts, i);

      if (!post->deleted && strcmp (post->network, network) == 0 && g_strcmp0 (post->id, id) == 0)
        return post;
    }
  return NULL;
}

SmSandboxPost *
_sm_sandbox_post_find_text (SmSandbox  *self,
                            const char *network,
                            const char *account,
                            const char *text)
{
  for (guint i = 0; i < self->posts->len; i++)
    {
      SmSandboxPost *post = g_ptr_array_index (self->posts, i);

      if (!post->deleted && strcmp (post->network, network) == 0 &&
          g_strcmp0 (post->account, account) == 0 && g_strcmp0 (post->text, text) == 0)
        return post;
    }
  return NULL;
}

GPtrArray *
_sm_sandbox_posts_of (SmSandbox  *self,
                      const char *network,
                      const char *account)
{
  GPtrArray *result = g_ptr_array_new ();

  for (guint i = self->posts->len; i > 0; i--)
    {
      SmSandboxPost *post = g_ptr_array_index (self->posts, i - 1);

      if (!post->deleted && strcmp (post->network, network) == 0 &&
          g_strcmp0 (post->account, account) == 0)
        g_ptr_array_add (result, post);
    }
  return result;
}

/* ---- test hooks -------------------------------------------------------- */

static void
hook_error (SmSandboxRequest *req,
            guint             status,
            const char       *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", message);
  _sm_sandbox_respond_object (req, status, object);
}

/* Hook bodies are JSON whatever the Content-Type says (curl -d sends
 * form). */
static JsonNode *
hook_json (SmSandboxRequest *req)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  gsize len;
  const char *data;

  if (req->body_parsed)
    return req->json;
  req->body_parsed = TRUE;
  bytes = soup_message_body_flatten (soup_server_message_get_request_body (req->msg));
  data = g_bytes_get_data (bytes, &len);
  parser = json_parser_new ();
  if (len > 0 && json_parser_load_from_data (parser, data, len, NULL) &&
      json_parser_get_root (parser) != NULL)
    req->json = json_node_ref (json_parser_get_root (parser));
  return req->json;
}

static void
set_time_member (JsonObject *object,
                 const char *name,
                 gint64      us)
{
  if (us == 0)
    json_object_set_null_member (object, name);
  else
    {
      g_autofree char *text = _sm_sandbox_format_time (us, "%Y-%m-%dT%H:%M:%S.%fZ");

      json_object_set_string_member (object, name, text);
    }
}

/* ---- fetching by URL ---------------------------------------------------- */

typedef struct
{
  SmSandbox          *self;
  SmSandboxFetchDone  done;
  gpointer            user_data;
  GDestroyNotify      user_data_free;
  SoupMessage        *msg;
  GInputStream       *stream;
  GChecksum          *checksum;
  guint64             bytes;
  /* _sm_sandbox_fetch_head: the body's first head_max bytes */
  SmSandboxFetchHeadDone head_done;
  GByteArray         *head;
  gsize               head_max;
} Fetch;

static void
fetch_finish (Fetch        *fetch,
              guint         status,
              const GError *error)
{
  const char *content_type = NULL;
  const char *sha256 = NULL;

  if (fetch->msg != NULL)
    content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (fetch->msg),
                                                          NULL);
  if (status == SOUP_STATUS_OK && error == NULL)
    sha256 = g_checksum_get_string (fetch->checksum);
  if (fetch->head_done != NULL)
    {
      g_autoptr(GBytes) head = g_byte_array_free_to_bytes (g_steal_pointer (&fetch->head));

      fetch->head_done (fetch->self, status, status == SOUP_STATUS_OK ? fetch->bytes : 0,
                        sha256, content_type, sha256 != NULL ? head : NULL, error,
                        fetch->user_data);
    }
  else
    fetch->done (fetch->self, status, status == SOUP_STATUS_OK ? fetch->bytes : 0,
                 sha256, content_type, error, fetch->user_data);

  if (fetch->user_data_free != NULL)
    fetch->user_data_free (fetch->user_data);
  g_clear_object (&fetch->stream);
  g_clear_object (&fetch->msg);
  g_checksum_free (fetch->checksum);
  g_object_unref (fetch->self);
  g_free (fetch);
}

static void
fetch_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      fetch_finish (fetch, 0, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      fetch_finish (fetch, soup_message_get_status (fetch->msg), NULL);
      return;
    }
  g_checksum_update (fetch->checksum, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  fetch->bytes += g_bytes_get_size (chunk);
  if (fetch->head != NULL && fetch->head->len < fetch->head_max)
    g_byte_array_append (fetch->head, g_bytes_get_data (chunk, NULL),
                         MIN (g_bytes_get_size (chunk), fetch->head_max - fetch->head->len));
  g_input_stream_read_bytes_async (fetch->stream, 64 * 1024, G_PRIORITY_DEFAULT, NULL,
                                   fetch_read_cb, fetch);
}

static void
fetch_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GError) error = NULL;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (fetch->stream == NULL)
    {
      fetch_finish (fetch, 0, error);
      return;
    }
  if (soup_message_get_status (fetch->msg) != SOUP_STATUS_OK)
    {
      fetch_finish (fetch, soup_message_get_status (fetch->msg), NULL);
      return;
    }
  g_input_stream_read_bytes_async (fetch->stream, 64 * 1024, G_PRIORITY_DEFAULT, NULL,
                                   fetch_read_cb, fetch);
}

static void
fetch_start (Fetch      *fetch,
             const char *url)
{
  SmSandbox *self = fetch->self;
  g_autofree char *local = NULL;

  fetch->checksum = g_checksum_new (G_CHECKSUM_SHA256);

  if (url == NULL || !g_str_has_prefix (url, "https://") || url[8] == '\0' || url[8] == '/' ||
      self->base_url == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             "Only https:// URLs can be fetched");

      fetch_finish (fetch, 0, error);
      return;
    }

  /* https://HOST/PATH?QUERY → BASE/HOST/PATH?QUERY, kept byte for byte so
   * that a presigned query still matches its signature. */
  local = g_strconcat (self->base_url, "/", url + strlen ("https://"), NULL);
  fetch->msg = soup_message_new ("GET", local);
  if (fetch->msg == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             "Not a valid URL");

      fetch_finish (fetch, 0, error);
      return;
    }
  if (self->fetch_session == NULL)
    self->fetch_session = soup_session_new_with_options ("user-agent", "so-me-studio-sandbox fetcher",
                                                         "timeout", 60,
                                                         NULL);
  soup_session_send_async (self->fetch_session, fetch->msg, G_PRIORITY_DEFAULT, NULL,
                           fetch_sent_cb, fetch);
}

void
_sm_sandbox_fetch (SmSandbox          *self,
                   const char         *url,
                   SmSandboxFetchDone  done,
                   gpointer            user_data,
                   GDestroyNotify      user_data_free)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->self = g_object_ref (self);
  fetch->done = done;
  fetch->user_data = user_data;
  fetch->user_data_free = user_data_free;
  fetch_start (fetch, url);
}

void
_sm_sandbox_fetch_head (SmSandbox              *self,
                        const char             *url,
                        gsize                   head_max,
                        SmSandboxFetchHeadDone  done,
                        gpointer                user_data,
                        GDestroyNotify          user_data_free)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->self = g_object_ref (self);
  fetch->head_done = done;
  fetch->head = g_byte_array_sized_new (MIN (head_max, 64 * 1024));
  fetch->head_max = head_max;
  fetch->user_data = user_data;
  fetch->user_data_free = user_data_free;
  fetch_start (fetch, url);
}

static void
hook_posts (SmSandboxRequest *req)
{
  SmSandbox *self = req->sandbox;
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < self->posts->len; i++)
    {
      SmSandboxPost *post = g_ptr_array_index (self->posts, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "network", post->network);
      json_object_set_string_member (object, "account", post->account);
      json_object_set_string_member (object, "id", post->id);
      json_object_set_string_member (object, "text", post->text);
      set_time_member (object, "received_at", post->received_us);
      json_object_set_boolean_member (object, "deleted", post->deleted);
      if (post->reply_to != NULL)
        json_object_set_string_member (object, "reply_to", post->reply_to);
      if (post->media_sha256 != NULL)
        {
          json_object_set_int_member (object, "bytes", (gint64) post->media_bytes);
          json_object_set_string_member (object, "sha256", post->media_sha256);
        }
      if (post->media->len > 0)
        {
          JsonArray *media = json_array_new ();

          for (guint j = 0; j < post->media->len; j++)
            {
              SmSandboxMedia *item = g_ptr_array_index (post->media, j);
              JsonObject *entry = json_object_new ();

              json_object_set_string_member (entry, "kind", item->kind);
              json_object_set_int_member (entry, "bytes", (gint64) item->bytes);
              json_object_set_string_member (entry, "sha256", item->sha256);
              json_array_add_object_element (media, entry);
            }
          json_object_set_array_member (object, "media", media);
        }
      if (post->comments->len > 0)
        {
          JsonArray *comments = json_array_new ();

          for (guint j = 0; j < post->comments->len; j++)
            {
              SmSandboxComment *comment = g_ptr_array_index (post->comments, j);
              JsonObject *entry = json_object_new ();

              json_object_set_string_member (entry, "id", comment->id);
              json_object_set_string_member (entry, "author", comment->author);
              json_object_set_string_member (entry, "text", comment->text);
              set_time_member (entry, "received_at", comment->received_us);
              json_array_add_object_element (comments, entry);
            }
          json_object_set_array_member (object, "comments", comments);
        }
      json_array_add_object_element (array, object);
    }
  _sm_sandbox_respond_json (req, 200, node_take_array (array));
}

static void
hook_tokens (SmSandboxRequest *req)
{
  SmSandbox *self = req->sandbox;
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < self->tokens->len; i++)
    {
      SmSandboxToken *token = g_ptr_array_index (self->tokens, i);
      JsonObject *object = json_object_new ();

      /* brings the state up to date */
      _sm_sandbox_token_lookup (self, NULL, token->token);

      json_object_set_string_member (object, "network", token->network);
      json_object_set_string_member (object, "kind", token->kind);
      json_object_set_string_member (object, "token", token->token);
      json_object_set_string_member (object, "state", token_state_to_string (token->state));
      json_object_set_string_member (object, "type", token->type);
      json_object_set_string_member (object, "account", token->account);
      json_object_set_string_member (object, "scope", token->scope);
      json_object_set_int_member (object, "grant", token->grant);
      set_time_member (object, "issued_at", token->issued_us);
      set_time_member (object, "expires_at", token->expires_us);
      json_object_set_string_member (object, "access_token", token->pair_access);
      json_object_set_string_member (object, "refresh_token", token->pair_refresh);
      json_array_add_object_element (array, object);
    }
  _sm_sandbox_respond_json (req, 200, node_take_array (array));
}

static void
hook_tokens_change (SmSandboxRequest *req,
                    gboolean          revoke)
{
  SmSandbox *self = req->sandbox;
  JsonNode *root = hook_json (req);
  JsonObject *body;
  const char *network;
  const char *only = NULL;
  guint changed = 0;
  JsonObject *answer;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      hook_error (req, 400, "expected a JSON object {\"network\":…}");
      return;
    }
  body = json_node_get_object (root);
  network = json_object_get_string_member_with_default (body, "network", NULL);
  if (network == NULL)
    {
      hook_error (req, 400, "\"network\" is required");
      return;
    }
  only = json_object_get_string_member_with_default (body, "token", NULL);

  if (only != NULL)
    {
      SmSandboxToken *token = _sm_sandbox_token_lookup (self, network, only);

      if (token == NULL)
        {
          hook_error (req, 400, "no such token for that network");
          return;
        }
      if (revoke)
        changed = _sm_sandbox_grant_revoke (self, token->grant);
      else if (token->state == SM_SANDBOX_TOKEN_VALID)
        {
          token->state = SM_SANDBOX_TOKEN_EXPIRED;
          changed = 1;
        }
    }
  else
    {
      for (guint i = 0; i < self->tokens->len; i++)
        {
          SmSandboxToken *token = g_ptr_array_index (self->tokens, i);

          if (strcmp (token->network, network) != 0)
            continue;
          _sm_sandbox_token_lookup (self, NULL, token->token);
          if (revoke && token->state != SM_SANDBOX_TOKEN_REVOKED)
            {
              token->state = SM_SANDBOX_TOKEN_REVOKED;
              changed++;
            }
          else if (!revoke && token->state == SM_SANDBOX_TOKEN_VALID &&
                   strcmp (token->kind, "access") == 0)
            {
              token->state = SM_SANDBOX_TOKEN_EXPIRED;
              changed++;
            }
        }
    }

  g_debug ("%s %u %s token(s)", revoke ? "revoked" : "expired", changed, network);
  answer = json_object_new ();
  json_object_set_string_member (answer, "network", network);
  json_object_set_int_member (answer, "changed", changed);
  _sm_sandbox_respond_object (req, 200, answer);
}

static JsonObject *
fault_to_object (Fault *fault)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "id", fault->id);
  json_object_set_string_member (object, "host", fault->host);
  json_object_set_string_member (object, "method", fault->method);
  json_object_set_string_member (object, "path", fault->path);
  json_object_set_int_member (object, "count", fault->count);
  if (fault->skip > 0)
    json_object_set_int_member (object, "after", fault->skip);
  switch (fault->kind)
    {
    case FAULT_STATUS:
      json_object_set_int_member (object, "status", fault->status);
      if (fault->body != NULL)
        json_object_set_member (object, "body", json_node_copy (fault->body));
      if (fault->headers != NULL)
        json_object_set_member (object, "headers", json_node_copy (fault->headers));
      break;
    case FAULT_DELAY:
      json_object_set_int_member (object, "delay_ms", fault->delay_ms);
      break;
    case FAULT_DROP:
      json_object_set_boolean_member (object, "drop", TRUE);
      break;
    case FAULT_DROP_BEFORE:
      json_object_set_boolean_member (object, "drop_before", TRUE);
      break;
    case FAULT_DROP_AFTER_BYTES:
      json_object_set_int_member (object, "drop_after_bytes", fault->drop_after);
      break;
    default:
      g_assert_not_reached ();
    }
  return object;
}

static gboolean
member_is (JsonObject *object,
           const char *name,
           GType       type)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static void
hook_faults_add (SmSandboxRequest *req)
{
  SmSandbox *self = req->sandbox;
  JsonNode *root = hook_json (req);
  JsonObject *body;
  g_autoptr(GPtrArray) kinds = g_ptr_array_new ();
  Fault *fault;
  const char * const text_members[] = { "host", "method", "path" };

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      hook_error (req, 400, "expected a JSON object");
      return;
    }
  body = json_node_get_object (root);

  for (guint i = 0; i < G_N_ELEMENTS (text_members); i++)
    if (json_object_has_member (body, text_members[i]) &&
        !member_is (body, text_members[i], G_TYPE_STRING))
      {
        hook_error (req, 400, "host, method and path must be strings");
        return;
      }
  if (json_object_has_member (body, "count") &&
      (!member_is (body, "count", G_TYPE_INT64) || json_object_get_int_member (body, "count") < 1))
    {
      hook_error (req, 400, "count must be a positive integer");
      return;
    }
  if (json_object_has_member (body, "after") &&
      (!member_is (body, "after", G_TYPE_INT64) || json_object_get_int_member (body, "after") < 0))
    {
      hook_error (req, 400, "after must be a number of requests, 0 or more");
      return;
    }

  if (json_object_has_member (body, "status"))
    g_ptr_array_add (kinds, (gpointer) "status");
  if (json_object_has_member (body, "delay_ms"))
    g_ptr_array_add (kinds, (gpointer) "delay_ms");
  if (json_object_get_boolean_member_with_default (body, "drop", FALSE))
    g_ptr_array_add (kinds, (gpointer) "drop");
  if (json_object_get_boolean_member_with_default (body, "drop_before", FALSE))
    g_ptr_array_add (kinds, (gpointer) "drop_before");
  if (json_object_has_member (body, "drop_after_bytes"))
    g_ptr_array_add (kinds, (gpointer) "drop_after_bytes");
  if (kinds->len != 1)
    {
      hook_error (req, 400,
                  "give exactly one of \"status\", \"delay_ms\", \"drop\":true, "
                  "\"drop_before\":true, \"drop_after_bytes\"");
      return;
    }
  if (json_object_has_member (body, "drop_after_bytes") &&
      (!member_is (body, "drop_after_bytes", G_TYPE_INT64) ||
       json_object_get_int_member (body, "drop_after_bytes") < 0))
    {
      hook_error (req, 400, "drop_after_bytes must be a number of bytes, 0 or more");
      return;
    }
  if ((json_object_has_member (body, "body") || json_object_has_member (body, "headers")) &&
      !json_object_has_member (body, "status"))
    {
      hook_error (req, 400, "\"body\" and \"headers\" go with \"status\"");
      return;
    }

  fault = g_rc_box_new0 (Fault);
  fault->host = g_strdup (json_object_get_string_member_with_default (body, "host", NULL));
  fault->method = g_ascii_strup (json_object_get_string_member_with_default (body, "method", ""), -1);
  if (fault->method[0] == '\0')
    g_clear_pointer (&fault->method, g_free);
  fault->path = g_strdup (json_object_get_string_member_with_default (body, "path", NULL));
  fault->count = json_object_get_int_member_with_default (body, "count", 1);
  fault->skip = json_object_get_int_member_with_default (body, "after", 0);

  if (json_object_has_member (body, "status"))
    {
      gint64 status = member_is (body, "status", G_TYPE_INT64) ?
                      json_object_get_int_member (body, "status") : 0;
      JsonNode *headers = json_object_get_member (body, "headers");

      if (status < 200 || status > 599)
        {
          fault_unref (fault);
          hook_error (req, 400, "status must be an HTTP status between 200 and 599");
          return;
        }
      if (headers != NULL && !JSON_NODE_HOLDS_OBJECT (headers))
        {
          fault_unref (fault);
          hook_error (req, 400, "headers must be an object");
          return;
        }
      fault->kind = FAULT_STATUS;
      fault->status = status;
      if (json_object_has_member (body, "body"))
        fault->body = json_node_copy (json_object_get_member (body, "body"));
      if (headers != NULL)
        fault->headers = json_node_copy (headers);
    }
  else if (json_object_has_member (body, "delay_ms"))
    {
      gint64 delay = member_is (body, "delay_ms", G_TYPE_INT64) ?
                     json_object_get_int_member (body, "delay_ms") : -1;

      if (delay < 0 || delay > 10 * 60 * 1000)
        {
          fault_unref (fault);
          hook_error (req, 400, "delay_ms must be 0 to 600000");
          return;
        }
      fault->kind = FAULT_DELAY;
      fault->delay_ms = delay;
    }
  else if (json_object_has_member (body, "drop_after_bytes"))
    {
      fault->kind = FAULT_DROP_AFTER_BYTES;
      fault->drop_after = json_object_get_int_member (body, "drop_after_bytes");
    }
  else if (json_object_get_boolean_member_with_default (body, "drop", FALSE))
    fault->kind = FAULT_DROP;
  else
    fault->kind = FAULT_DROP_BEFORE;

  fault->id = ++self->last_fault_id;
  g_ptr_array_add (self->faults, fault);
  g_debug ("fault %u added: %s on %s %s%s ×%" G_GINT64_FORMAT, fault->id,
           fault_names[fault->kind], fault->method ? fault->method : "*",
           fault->host ? fault->host : "*", fault->path ? fault->path : "*", fault->count);
  _sm_sandbox_respond_object (req, 201, fault_to_object (fault));
}

static void
hook_faults_list (SmSandboxRequest *req)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < req->sandbox->faults->len; i++)
    json_array_add_object_element (array, fault_to_object (g_ptr_array_index (req->sandbox->faults, i)));
  _sm_sandbox_respond_json (req, 200, node_take_array (array));
}

static void
hook_faults_clear (SmSandboxRequest *req)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "cleared", req->sandbox->faults->len);
  g_ptr_array_set_size (req->sandbox->faults, 0);
  _sm_sandbox_respond_object (req, 200, object);
}

static void
hook_requests (SmSandboxRequest *req)
{
  JsonArray *array = json_array_new ();

  for (GList *l = req->sandbox->records->head; l != NULL; l = l->next)
    {
      Record *record = l->data;
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "method", record->method);
      json_object_set_string_member (object, "host", record->host);
      json_object_set_string_member (object, "path", record->path);
      json_object_set_int_member (object, "status", record->status);
      set_time_member (object, "received_at", record->received_us);
      json_object_set_string_member (object, "fault", record->fault);
      json_object_set_int_member (object, "body_bytes", (gint64) record->body_bytes);
      json_array_add_object_element (array, object);
    }
  _sm_sandbox_respond_json (req, 200, node_take_array (array));
}

static void
hook_dispatch (SmSandboxRequest *req,
               char            **segments)
{
  g_autofree char *what = g_strjoinv ("/", segments);
  gboolean get = strcmp (req->method, "GET") == 0;
  gboolean post = strcmp (req->method, "POST") == 0;
  Route *route;

  if (get && strcmp (what, "posts") == 0)
    hook_posts (req);
  else if (get && strcmp (what, "tokens") == 0)
    hook_tokens (req);
  else if (post && strcmp (what, "tokens/expire") == 0)
    hook_tokens_change (req, FALSE);
  else if (post && strcmp (what, "tokens/revoke") == 0)
    hook_tokens_change (req, TRUE);
  else if (post && strcmp (what, "faults") == 0)
    hook_faults_add (req);
  else if (get && strcmp (what, "faults") == 0)
    hook_faults_list (req);
  else if (strcmp (req->method, "DELETE") == 0 && strcmp (what, "faults") == 0)
    hook_faults_clear (req);
  else if (post && strcmp (what, "reset") == 0)
    {
      JsonObject *object = json_object_new ();

      sm_sandbox_reset (req->sandbox);
      json_object_set_boolean_member (object, "reset", TRUE);
      _sm_sandbox_respond_object (req, 200, object);
    }
  else if (get && strcmp (what, "requests") == 0)
    hook_requests (req);
  else if (g_str_has_prefix (what, "whatsapp/"))
    _sm_sandbox_whatsapp_hook (req, what + strlen ("whatsapp/"));
  else if (post && strcmp (what, "rate-limits") == 0)
    {
      JsonNode *root = _sm_sandbox_request_json (req);   /* borrowed */
      JsonObject *object;

      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
          !json_object_has_member (json_node_get_object (root), "enabled"))
        {
          hook_error (req, 400, "expected {\"enabled\": true|false}");
          return;
        }
      req->sandbox->rate_limits_off =
        !json_object_get_boolean_member (json_node_get_object (root), "enabled");
      object = json_object_new ();
      json_object_set_boolean_member (object, "enabled", !req->sandbox->rate_limits_off);
      _sm_sandbox_respond_object (req, 200, object);
    }
  else if (g_str_has_prefix (what, "s3/"))
    _sm_sandbox_s3_hook (req, what + strlen ("s3/"));
  else if ((route = find_route (req->sandbox, req, segments)) != NULL)
    /* A network's own hook (_sm_sandbox_add_hook). */
    route->handler (req, route->user_data);
  else
    hook_error (req, 404, "no such sandbox hook; see sm-sandbox.h");
}

/* ---- faults, delays and drops ------------------------------------------ */

static Fault *
take_fault (SmSandbox        *self,
            SmSandboxRequest *req)
{
  for (guint i = 0; i < self->faults->len; i++)
    {
      Fault *fault = g_ptr_array_index (self->faults, i);

      if (fault->host != NULL && g_ascii_strcasecmp (fault->host, req->host) != 0)
        continue;
      if (fault->method != NULL && strcmp (fault->method, req->method) != 0)
        continue;
      if (fault->path != NULL && !g_pattern_match_simple (fault->path, req->path))
        continue;
      if (fault->skip > 0)
        {
          fault->skip--;
          continue;
        }
      /* The request keeps its own reference: the list may be cleared
       * while its body is still coming in. */
      fault->count--;
      if (fault->count == 0)
        return g_ptr_array_steal_index (self->faults, i);
      return g_rc_box_acquire (fault);
    }
  return NULL;
}

static void
apply_status_fault (SmSandboxRequest *req,
                    Fault            *fault)
{
  soup_server_message_set_status (req->msg, fault->status, NULL);
  if (fault->headers != NULL)
    {
      JsonObject *headers = json_node_get_object (fault->headers);
      g_autoptr(GList) names = json_object_get_members (headers);

      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (headers, l->data);
          g_autofree char *text = NULL;

          if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
            text = g_strdup (json_node_get_string (value));
          else
            text = json_to_string (value, FALSE);
          _sm_sandbox_set_header (req, l->data, text);
        }
    }
  if (fault->body == NULL)
    {
      soup_server_message_set_response (req->msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
    }
  else if (JSON_NODE_HOLDS_VALUE (fault->body) &&
           json_node_get_value_type (fault->body) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (fault->body);

      soup_server_message_set_response (req->msg, "text/plain; charset=utf-8",
                                        SOUP_MEMORY_COPY, text, strlen (text));
    }
  else
    {
      _sm_sandbox_respond_json (req, fault->status, json_node_copy (fault->body));
    }
}

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_clear_signal_handler (&pending->disconnected_id, pending->msg);
  g_object_unref (pending->msg);
  g_free (pending);
}

static void
close_connection (SoupServerMessage *msg)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static gboolean
pending_fire_cb (gpointer data)
{
  Pending *pending = data;

  GSource *source = g_hash_table_lookup (pending->self->pending, pending->msg);

  /* The source is firing: drop our reference; it goes once this returns. */
  if (source != NULL && g_hash_table_steal (pending->self->pending, pending->msg))
    g_source_unref (source);
  if (pending->drop)
    close_connection (pending->msg);
  else
    soup_server_message_unpause (pending->msg);
  return G_SOURCE_REMOVE;
}

static void
pending_disconnected_cb (SoupServerMessage *msg,
                         gpointer           user_data)
{
  SmSandbox *self = user_data;
  GSource *source = g_hash_table_lookup (self->pending, msg);

  /* The client gave up while we held the answer back. */
  if (source != NULL)
    {
      g_hash_table_steal (self->pending, msg);
      g_source_destroy (source);
      g_source_unref (source);
    }
}

/* Holds the answer back for @delay_ms, then sends it (or, with @drop,
 * closes the connection instead).  Done from the main loop rather than
 * inside the handler, so libsoup is not in the middle of its own I/O. */
static void
hold_message (SmSandbox         *self,
              SoupServerMessage *msg,
              guint              delay_ms,
              gboolean           drop)
{
  Pending *pending = g_new0 (Pending, 1);
  GSource *source;

  pending->self = self;
  pending->msg = g_object_ref (msg);
  pending->drop = drop;
  soup_server_message_pause (msg);
  if (g_signal_lookup ("disconnected", SOUP_TYPE_SERVER_MESSAGE) != 0)
    pending->disconnected_id = g_signal_connect (msg, "disconnected",
                                                 G_CALLBACK (pending_disconnected_cb), self);
  /* On the context the server runs on (a test may run the sandbox in a
   * thread of its own), not on the global default one. */
  source = _sm_sandbox_timeout_source_new (delay_ms, pending_fire_cb, pending, pending_free);
  g_hash_table_insert (self->pending, msg, source);
}

GSource *
_sm_sandbox_timeout_source_new (guint          delay_ms,
                                GSourceFunc    callback,
                                gpointer       data,
                                GDestroyNotify notify)
{
  GSource *source = g_timeout_source_new (delay_ms);

  g_source_set_callback (source, callback, data, notify);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

/* ---- dispatch ---------------------------------------------------------- */

static void
record_request (SmSandbox  *self,
                const char *method,
                const char *host,
                const char *path,
                guint       status,
                Fault      *fault,
                guint64     body_bytes)
{
  Record *record = g_new0 (Record, 1);

  record->method = g_strdup (method);
  record->host = g_strdup (host);
  record->path = g_strdup (path);
  record->status = status;
  record->received_us = g_get_real_time ();
  record->fault = fault != NULL ? fault_names[fault->kind] : NULL;
  record->body_bytes = body_bytes;
  g_queue_push_tail (self->records, record);
  while (self->records->length > MAX_RECORDS)
    record_free (g_queue_pop_head (self->records));

  /* Never the query or a header: they carry tokens and codes. */
  g_debug ("%s /%s%s → %u%s%s", method, host, path, status,
           fault != NULL ? " fault " : "", fault != NULL ? fault_names[fault->kind] : "");
}

static void
respond_index (SmSandboxRequest *req)
{
  JsonObject *object = json_object_new ();
  JsonArray *hosts = json_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < req->sandbox->routes->len; i++)
    {
      Route *route = g_ptr_array_index (req->sandbox->routes, i);

      for (guint j = 0; route->hosts[j] != NULL; j++)
        if (strcmp (route->hosts[j], SANDBOX_HOOK_HOST) != 0 &&
            g_hash_table_add (seen, route->hosts[j]))
          json_array_add_string_element (hosts, route->hosts[j]);
    }
  json_object_set_string_member (object, "service", "so-me-studio-sandbox");
  json_object_set_array_member (object, "hosts", hosts);
  json_object_set_string_member (object, "hooks", "/__sandbox/");
  _sm_sandbox_respond_object (req, 200, object);
}

/* The request as the routes see it: the host is the first path segment,
 * the path the rest.  *@segments_out gets the decoded segments. */
static SmSandboxRequest *
request_new (SmSandbox          *self,
             SoupServerMessage  *msg,
             GHashTable         *query,
             char             ***segments_out)
{
  SmSandboxRequest *req = g_new0 (SmSandboxRequest, 1);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *raw_path = g_uri_get_path (uri);
  char **segments;

  segments = g_strsplit (raw_path[0] == '/' ? raw_path + 1 : raw_path, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      char *decoded = g_uri_unescape_string (segments[i], NULL);

      if (decoded != NULL)
        {
          g_free (segments[i]);
          segments[i] = decoded;
        }
    }

  req->sandbox = self;
  req->msg = msg;
  req->method = soup_server_message_get_method (msg);
  if (query != NULL)
    req->query = g_hash_table_ref (query);
  else if (g_uri_get_query (uri) != NULL)
    req->query = soup_form_decode (g_uri_get_query (uri));
  req->host = g_ascii_strdown (segments[0] != NULL ? segments[0] : "", -1);
  if (segments[0] != NULL && segments[1] != NULL)
    {
      g_autofree char *rest = g_strjoinv ("/", segments + 1);

      req->path = g_strconcat ("/", rest, NULL);
    }
  else
    req->path = g_strdup ("/");

  *segments_out = segments;
  return req;
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *unused_path,
           GHashTable        *query,
           gpointer           user_data)
{
  SmSandbox *self = user_data;
  g_autoptr(SmSandboxRequest) req = NULL;
  g_auto(GStrv) segments = NULL;
  g_autoptr(Fault) taken = NULL;
  Inflight *inflight;
  Fault *fault;
  Route *route;
  guint64 body_bytes;

  req = request_new (self, msg, query, &segments);

  if (strcmp (req->host, "__sandbox") == 0)
    {
      hook_dispatch (req, segments + 1);
      return;
    }
  if (req->host[0] == '\0')
    {
      respond_index (req);
      return;
    }

  /* The fault was taken when the headers arrived (got_headers_cb). */
  inflight = g_object_get_data (G_OBJECT (msg), "sm-sandbox-inflight");
  if (inflight != NULL)
    {
      fault = inflight->fault;
      body_bytes = inflight->body_bytes;
      req->body_sink = inflight->sink;
    }
  else
    {
      fault = taken = take_fault (self, req);
      body_bytes = soup_server_message_get_request_body (msg)->length;
    }

  if (inflight != NULL && inflight->cut)
    {
      /* Closed mid-body already (drop_after_bytes); the close is on its way. */
      soup_server_message_pause (msg);
    }
  else if (fault != NULL && fault->kind == FAULT_DROP_BEFORE)
    {
      record_request (self, req->method, req->host, req->path, 0, fault, body_bytes);
      hold_message (self, msg, 0, TRUE);
    }
  else if (fault != NULL && fault->kind == FAULT_STATUS)
    {
      apply_status_fault (req, fault);
      record_request (self, req->method, req->host, req->path, fault->status, fault, body_bytes);
    }
  else
    {
      if (g_object_get_data (G_OBJECT (msg), "sm-sandbox-body-skipped") != NULL)
        _sm_sandbox_respond_page (req, 413, "The request body is larger than this endpoint accepts.");
      else if (!host_is_served (self, req->host))
        {
          g_autofree char *message = g_strdup_printf ("The sandbox does not serve “%s”.", req->host);

          _sm_sandbox_respond_page (req, 404, message);
        }
      else if ((route = find_route (self, req, segments + 1)) != NULL)
        route->handler (req, route->user_data);
      else
        _sm_sandbox_respond_page (req, 404, "No such endpoint in the sandbox.");

      /* A drop_after_bytes whose request ended within its budget: the
       * whole body was taken, so it is processed and then dropped. */
      if (fault != NULL && (fault->kind == FAULT_DROP || fault->kind == FAULT_DROP_AFTER_BYTES))
        {
          record_request (self, req->method, req->host, req->path, 0, fault, body_bytes);
          hold_message (self, msg, 0, TRUE);
        }
      else
        {
          record_request (self, req->method, req->host, req->path,
                          soup_server_message_get_status (msg), fault, body_bytes);
          if (fault != NULL && fault->kind == FAULT_DELAY)
            hold_message (self, msg, fault->delay_ms, FALSE);
        }
    }
}

/* Body bytes as they arrive, for every network request: counted, handed to
 * a streaming route's sink, and cut off where a drop_after_bytes fault
 * says. */
static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  Inflight *inflight = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);
  gsize take = len;

  if (inflight->cut)
    return;
  if (inflight->budget >= 0)
    take = MIN ((guint64) len, (guint64) inflight->budget);

  if (take > 0)
    {
      if (inflight->sink != NULL)
        inflight->route->chunk (inflight->sink, data, take);
      inflight->body_bytes += take;
      if (inflight->budget >= 0)
        inflight->budget -= take;
    }

  if (take < len)
    {
      /* Closed from the main loop, as libsoup is in the middle of reading;
       * the handler never runs. */
      inflight->cut = TRUE;
      record_request (inflight->self, inflight->method, inflight->host, inflight->path, 0,
                      inflight->fault, inflight->body_bytes);
      hold_message (inflight->self, msg, 0, TRUE);
    }
}

/* When a request's headers are in: its fault is taken now, so that it can
 * act on the body; a streaming route gets the body as it arrives instead of
 * it being kept in memory.  Other bodies are small (text posts): one bigger
 * than MAX_ACCUMULATED_BODY is not kept at all, and the handler answers
 * 413. */
static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  SmSandbox *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(SmSandboxRequest) req = NULL;
  g_auto(GStrv) segments = NULL;
  Inflight *inflight;
  Route *route;

  req = request_new (self, msg, NULL, &segments);
  if (strcmp (req->host, "__sandbox") == 0 || req->host[0] == '\0')
    {
      if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
          soup_message_headers_get_content_length (headers) > MAX_ACCUMULATED_BODY)
        {
          soup_message_body_set_accumulate (body, FALSE);
          g_object_set_data (G_OBJECT (msg), "sm-sandbox-body-skipped", GINT_TO_POINTER (TRUE));
        }
      return;
    }

  inflight = g_new0 (Inflight, 1);
  inflight->self = self;
  inflight->method = g_strdup (req->method);
  inflight->host = g_strdup (req->host);
  inflight->path = g_strdup (req->path);
  inflight->fault = take_fault (self, req);
  inflight->budget = inflight->fault != NULL && inflight->fault->kind == FAULT_DROP_AFTER_BYTES ?
                     inflight->fault->drop_after : -1;

  route = host_is_served (self, req->host) ? find_route (self, req, segments + 1) : NULL;
  if (route != NULL && route->begin != NULL)
    {
      soup_message_body_set_accumulate (body, FALSE);
      inflight->route = route;
      /* Answered (or closed) without processing: nothing is stored. */
      if (inflight->fault == NULL ||
          (inflight->fault->kind != FAULT_STATUS && inflight->fault->kind != FAULT_DROP_BEFORE))
        inflight->sink = route->begin (req, route->user_data);
    }
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
           soup_message_headers_get_content_length (headers) > MAX_ACCUMULATED_BODY)
    {
      soup_message_body_set_accumulate (body, FALSE);
      g_object_set_data (G_OBJECT (msg), "sm-sandbox-body-skipped", GINT_TO_POINTER (TRUE));
    }

  g_object_set_data_full (G_OBJECT (msg), "sm-sandbox-inflight", inflight,
                          (GDestroyNotify) inflight_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), inflight);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), user_data);
}

/* ---- GObject ----------------------------------------------------------- */

static void
sm_sandbox_dispose (GObject *object)
{
  SmSandbox *self = SM_SANDBOX (object);
  GHashTableIter iter;
  gpointer source;

  if (self->pending != NULL)
    {
      g_autoptr(GList) sources = NULL;

      g_hash_table_iter_init (&iter, self->pending);
      while (g_hash_table_iter_next (&iter, NULL, &source))
        sources = g_list_prepend (sources, source);
      g_hash_table_steal_all (self->pending);
      for (GList *l = sources; l != NULL; l = l->next)
        {
          g_source_destroy (l->data);
          g_source_unref (l->data);
        }
    }

  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }

  G_OBJECT_CLASS (sm_sandbox_parent_class)->dispose (object);
}

static void
sm_sandbox_finalize (GObject *object)
{
  SmSandbox *self = SM_SANDBOX (object);

  g_clear_pointer (&self->modules, g_ptr_array_unref);
  g_clear_object (&self->fetch_session);
  g_clear_pointer (&self->routes, g_ptr_array_unref);
  g_clear_pointer (&self->tokens_by_string, g_hash_table_unref);
  g_clear_pointer (&self->tokens, g_ptr_array_unref);
  g_clear_pointer (&self->codes, g_hash_table_unref);
  g_clear_pointer (&self->posts, g_ptr_array_unref);
  g_clear_pointer (&self->faults, g_ptr_array_unref);
  if (self->records != NULL)
    g_queue_free_full (g_steal_pointer (&self->records), (GDestroyNotify) record_free);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->base_url, g_free);

  G_OBJECT_CLASS (sm_sandbox_parent_class)->finalize (object);
}

static void
sm_sandbox_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SmSandbox *self = SM_SANDBOX (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_sandbox_class_init (SmSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_sandbox_dispose;
  object_class->finalize = sm_sandbox_finalize;
  object_class->get_property = sm_sandbox_get_property;

  /**
   * SmSandbox:base-url:
   *
   * "http://127.0.0.1:PORT" once listening.
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sm_sandbox_init (SmSandbox *self)
{
  self->routes = g_ptr_array_new_with_free_func ((GDestroyNotify) route_free);
  self->modules = g_ptr_array_new_with_free_func ((GDestroyNotify) module_free);
  self->tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) token_free);
  self->tokens_by_string = g_hash_table_new (g_str_hash, g_str_equal);
  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) code_free);
  self->posts = g_ptr_array_new_with_free_func ((GDestroyNotify) post_free);
  self->faults = g_ptr_array_new_with_free_func ((GDestroyNotify) fault_unref);
  self->records = g_queue_new ();
  self->pending = g_hash_table_new (NULL, NULL);
  /* Ids start somewhere that looks like the networks' without being theirs. */
  self->serial = 1000;

  self->server = soup_server_new ("server-header", "so-me-studio-sandbox ", NULL);
  soup_server_add_handler (self->server, NULL, server_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);

  _sm_sandbox_x_register (self);
  /* Before Facebook: its numbers share graph.facebook.com (claimed routes). */
  _sm_sandbox_whatsapp_register (self);
  /* Also before Facebook: its routes there serve only Instagram's ids
   * (claimed routes). */
  _sm_sandbox_instagram_register (self);
  _sm_sandbox_facebook_register (self);
  _sm_sandbox_linkedin_register (self);
  _sm_sandbox_threads_register (self);
  _sm_sandbox_youtube_register (self);
  _sm_sandbox_s3_register (self);
  _sm_sandbox_tiktok_register (self);
}

/* ---- public API -------------------------------------------------------- */

/**
 * sm_sandbox_new:
 *
 * Returns: (transfer full): a sandbox serving every network, not yet
 *   listening.
 */
SmSandbox *
sm_sandbox_new (void)
{
  return g_object_new (SM_TYPE_SANDBOX, NULL);
}

/**
 * sm_sandbox_listen:
 * @self: a #SmSandbox
 * @address: (nullable): "HOST:PORT" with a loopback HOST
 * @error: return location for a #GError
 *
 * Starts serving on @address (port 0 picks a free one).
 *
 * Returns: %TRUE when listening
 */
gboolean
sm_sandbox_listen (SmSandbox   *self,
                   const char  *address,
                   GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  const char *port_text;
  guint64 port;
  GSList *uris;
  int bound_port = -1;
  g_autofree char *host_for_url = NULL;

  g_return_val_if_fail (SM_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->base_url != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "The sandbox is already listening on %s",
                   self->base_url);
      return FALSE;
    }

  if (address == NULL)
    address = "127.0.0.1:0";

  if (address[0] == '[')
    {
      const char *close = strchr (address, ']');

      if (close == NULL || close[1] != ':')
        goto bad_address;
      host = g_strndup (address + 1, close - address - 1);
      port_text = close + 2;
    }
  else
    {
      const char *colon = strrchr (address, ':');

      if (colon == NULL || strchr (address, ':') != colon)
        goto bad_address;
      host = g_strndup (address, colon - address);
      port_text = colon + 1;
    }
  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    goto bad_address;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    {
      g_free (host);
      host = g_strdup ("127.0.0.1");
    }
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    goto bad_address;
  if (!g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s is not a loopback address: the sandbox hands out tokens to anyone "
                   "who asks, so it only listens on 127.0.0.1 or ::1",
                   host);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (inet, port);
  if (!soup_server_listen (self->server, socket_address, 0, error))
    return FALSE;

  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    bound_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (bound_port <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not tell which port the sandbox got");
      return FALSE;
    }

  host_for_url = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ?
                 g_strdup_printf ("[%s]", host) : g_strdup (host);
  self->base_url = g_strdup_printf ("http://%s:%d", host_for_url, bound_port);
  g_debug ("listening on %s", self->base_url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
  return TRUE;

bad_address:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "“%s” is not HOST:PORT (for example 127.0.0.1:0)", address);
  return FALSE;
}

const char *
sm_sandbox_get_base_url (SmSandbox *self)
{
  g_return_val_if_fail (SM_IS_SANDBOX (self), NULL);

  return self->base_url;
}

void
sm_sandbox_reset (SmSandbox *self)
{
  g_return_if_fail (SM_IS_SANDBOX (self));

  g_ptr_array_set_size (self->posts, 0);
  g_ptr_array_set_size (self->faults, 0);
  while (!g_queue_is_empty (self->records))
    record_free (g_queue_pop_head (self->records));
  for (guint i = 0; i < self->modules->len; i++)
    {
      Module *module = g_ptr_array_index (self->modules, i);

      if (module->reset != NULL)
        module->reset (module->data, self);
    }
  g_debug ("reset");
}

gboolean
_sm_sandbox_rate_limits_enabled (SmSandbox *self)
{
  return !self->rate_limits_off;
}
