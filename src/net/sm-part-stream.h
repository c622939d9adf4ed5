/* sm-part-stream.h — a multipart/form-data request body with one file part
 * read from disk as it is sent (X's media APPEND segments).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SM_TYPE_PART_STREAM (sm_part_stream_get_type ())
G_DECLARE_FINAL_TYPE (SmPartStream, sm_part_stream, SM, PART_STREAM, GInputStream)

/* @head, then @length bytes of @file from @offset, then @tail.  @file must
 * be seekable; it is shared, seeked before every read and never closed
 * here. */
GInputStream *sm_part_stream_new           (GBytes        *head,
                                            GInputStream  *file,
                                            goffset        offset,
                                            goffset        length,
                                            GBytes        *tail);

/* Sets @msg's body to multipart/form-data: the text fields in @fields
 * (NULL-terminated name, value pairs), then a part @file_field with
 * @filename and @content_type holding @length bytes of @file from
 * @offset.  Memory does not grow with @length. */
void          sm_part_stream_set_form_body (SoupMessage        *msg,
                                            const char * const *fields,
                                            const char         *file_field,
                                            const char         *filename,
                                            const char         *content_type,
                                            GInputStream       *file,
                                            goffset             offset,
                                            goffset             length);

G_END_DECLS
