/*
 * serve_http.h -- `tlsplug serve --http`: answer one HTTP/1.1 request per
 * connection, so HTTP clients (curl) can be pointed at the server.  A
 * request with a body gets its body back byte for byte; one without gets a
 * line describing the connection.
 */
#ifndef TLSPLUG_TOOLS_SERVE_HTTP_H
#define TLSPLUG_TOOLS_SERVE_HTTP_H

#include <stddef.h>

struct serve_http;

/* New request reader, or NULL when out of memory. */
struct serve_http *serve_http_new(void);
/* NULL is a no-op. */
void serve_http_free(struct serve_http *h);
/* Feeds received bytes.  Returns 1 once the whole request (header and
 * Content-Length body) is in, 0 while more is needed, -1 if the request is
 * malformed or too large (then the response is an error). */
int serve_http_feed(struct serve_http *h, const unsigned char *data,
                    size_t n);
/* Once the header asked "Expect: 100-continue" and the body is still to
 * come: the interim response to send now (static text), else NULL.  Gives
 * it only once. */
const char *serve_http_interim(struct serve_http *h);
/* Builds the response for a complete (or failed) request; info is the
 * text sent back when the request had no body.  *out stays valid until
 * serve_http_free().  Returns 0, or -1 when out of memory. */
int serve_http_respond(struct serve_http *h, const char *info,
                       const unsigned char **out, size_t *len);

#endif
