/*
 * serve_http.h -- `tlsplug serve --http`: answer HTTP/1.1 requests, so
 * HTTP clients (curl, h2load) can be pointed at the server.  A request with
 * a body gets its body back byte for byte; one without gets a line
 * describing the connection.  Connections are kept alive as RFC 9112
 * section 9.3 says (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only
 * with "Connection: keep-alive"), requests may be pipelined.
 */
#ifndef TLSPLUG_TOOLS_SERVE_HTTP_H
#define TLSPLUG_TOOLS_SERVE_HTTP_H

#include <stddef.h>

struct serve_http;

/* New request reader, or NULL when out of memory. */
struct serve_http *serve_http_new(void);
/* NULL is a no-op. */
void serve_http_free(struct serve_http *h);
/* Feeds received bytes (n may be 0: just look again at what is held).
 * Returns 1 once the whole request (header and Content-Length body) is
 * in, 0 while more is needed, -1 if the request is malformed or too large
 * (then the response is an error). */
int serve_http_feed(struct serve_http *h, const unsigned char *data,
                    size_t n);
/* Once the header asked "Expect: 100-continue" and the body is still to
 * come: the interim response to send now (static text), else NULL.  Gives
 * it only once. */
const char *serve_http_interim(struct serve_http *h);
/* Builds the response for a complete (or failed) request; info is the
 * text sent back when the request had no body (the same pointer must mean
 * the same text: the previous answer is then sent again as it is).  *out
 * stays valid until the next response is built or serve_http_free().
 * Returns 0, or -1 when out of memory. */
int serve_http_respond(struct serve_http *h, const char *info,
                       const unsigned char **out, size_t *len);

/* Whether the connection stays open after the response to the complete
 * request held now (the response then has no "Connection: close"). */
int serve_http_keep_alive(const struct serve_http *h);
/* Once the response to a kept-alive request is sent: drops that request,
 * keeps the bytes that followed it, and
 * starts on the next request.  Returns as serve_http_feed() does for what
 * is held; -1 also when the connection was not to be kept. */
int serve_http_next(struct serve_http *h);

#endif
