/* serve_http.c -- the HTTP/1.1 answerer of `tlsplug serve` (keep-alive:
 * one request after another on a connection). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve_http.h"

#define HEADER_MAX 16384
#define BODY_MAX (64UL * 1024 * 1024)

struct serve_http {
	unsigned char *req;       /* header, then body */
	size_t len, cap;
	size_t header_len;        /* 0 until the blank line is seen */
	size_t scanned;           /* bytes searched for it so far */
	size_t body_len;          /* from Content-Length */
	int status;               /* 0 ok, else the HTTP error to send */
	int expect_continue;
	int keep_alive;           /* the request lets the connection go on */
	char *resp;               /* the response, kept for the next one */
	size_t resp_cap;
	/* resp answers a kept-alive request without a body with this info
	 * (the same answer again needs no formatting): resp_len, else 0. */
	const char *resp_info;
	size_t resp_len;
};

struct serve_http *
serve_http_new(void)
{
	return calloc(1, sizeof(struct serve_http));
}

void
serve_http_free(struct serve_http *h)
{
	if (h == NULL)
		return;
	free(h->req);
	free(h->resp);
	free(h);
}

/* The value of header `name` (case-blind) in the header block, or NULL;
 * *vlen gets its length. */
static const char *
header_value(const char *hdr, size_t hlen, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *p = memchr(hdr, '\n', hlen);
	const char *end = hdr + hlen;

	while (p != NULL && p + 1 < end) {
		const char *line = p + 1;
		const char *eol = memchr(line, '\n', (size_t)(end - line));

		if (eol == NULL)
			break;
		if ((size_t)(eol - line) > nlen && line[nlen] == ':' &&
		    strncasecmp(line, name, nlen) == 0) {
			const char *v = line + nlen + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen > 0 && (v[*vlen - 1] == '\r' ||
			                     v[*vlen - 1] == ' '))
				(*vlen)--;
			return v;
		}
		p = eol;
	}
	return NULL;
}

/* Whether a connection token list (a Connection header's value) names
 * `token`, case-blind. */
static int
has_token(const char *v, size_t vlen, const char *token)
{
	size_t tlen = strlen(token);

	while (vlen > 0) {
		const char *comma = memchr(v, ',', vlen);
		size_t item = comma != NULL ? (size_t)(comma - v) : vlen;
		size_t a = 0, b = item;

		while (a < b && (v[a] == ' ' || v[a] == '\t'))
			a++;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		if (b - a == tlen && strncasecmp(v + a, token, tlen) == 0)
			return 1;
		if (comma == NULL)
			break;
		vlen -= item + 1;
		v += item + 1;
	}
	return 0;
}

/* RFC 9112 section 9.3: HTTP/1.1 keeps the connection unless the request
 * says "Connection: close"; HTTP/1.0 closes unless it says keep-alive. */
static int
wants_keep_alive(const char *hdr, size_t hlen)
{
	const char *eol = memchr(hdr, '\n', hlen), *v;
	size_t vlen = 0;
	int v11;

	if (eol == NULL)
		return 0;
	/* The request line ends in "HTTP/1.1" (and maybe CR). */
	v11 = eol - hdr >= 8 &&
	      (memcmp(eol - 8, "HTTP/1.1", 8) == 0 ||
	       (eol - hdr >= 9 && memcmp(eol - 9, "HTTP/1.1\r", 9) == 0));
	v = header_value(hdr, hlen, "Connection", &vlen);
	if (v == NULL)
		return v11;
	if (has_token(v, vlen, "close"))
		return 0;
	return v11 || has_token(v, vlen, "keep-alive");
}

static int
parse_header(struct serve_http *h)
{
	const char *hdr = (const char *)h->req;
	const char *v;
	size_t vlen;

	v = header_value(hdr, h->header_len, "Content-Length", &vlen);
	if (v != NULL) {
		char num[24];
		char *end;
		unsigned long long n;

		if (vlen == 0 || vlen >= sizeof(num))
			return h->status = 400, -1;
		memcpy(num, v, vlen);
		num[vlen] = '\0';
		n = strtoull(num, &end, 10);
		if (*end != '\0')
			return h->status = 400, -1;
		if (n > BODY_MAX)
			return h->status = 413, -1;
		h->body_len = (size_t)n;
	}
	if (header_value(hdr, h->header_len, "Transfer-Encoding", &vlen))
		return h->status = 411, -1;
	v = header_value(hdr, h->header_len, "Expect", &vlen);
	h->expect_continue = v != NULL && vlen == 12 &&
	                     strncasecmp(v, "100-continue", 12) == 0;
	h->keep_alive = wants_keep_alive(hdr, h->header_len);
	return 0;
}

/*
 * The length of the header block once its empty line is in, else 0.  Lines
 * may end in CRLF or, as RFC 9112 section 2.2 lets a recipient accept, in a
 * bare LF; so the block ends at an LF followed by LF or CR LF.  *scanned
 * keeps the search going where it stopped, so a request arriving a byte at
 * a time costs linear time.
 */
static size_t
header_end(const unsigned char *b, size_t len, size_t *scanned)
{
	size_t i = *scanned;

	for (; i < len; i++) {
		if (b[i] != '\n')
			continue;
		if (i + 1 >= len)
			break;
		if (b[i + 1] == '\n')
			return i + 2;
		if (b[i + 1] != '\r')
			continue;
		if (i + 2 >= len)
			break;
		if (b[i + 2] == '\n')
			return i + 3;
	}
	*scanned = i;
	return 0;
}

int
serve_http_feed(struct serve_http *h, const unsigned char *data, size_t n)
{
	if (h->status != 0)
		return -1;
	if (n == 0)
		goto check;
	if (h->len + n > h->cap) {
		size_t cap = h->cap ? h->cap : 4096;
		unsigned char *p;

		while (cap < h->len + n)
			cap *= 2;
		p = realloc(h->req, cap);
		if (p == NULL)
			return h->status = 500, -1;
		h->req = p;
		h->cap = cap;
	}
	memcpy(h->req + h->len, data, n);
	h->len += n;
check:
	if (h->header_len == 0) {
		h->header_len = header_end(h->req, h->len, &h->scanned);
		if (h->header_len == 0)
			return h->len > HEADER_MAX ? (h->status = 431, -1) : 0;
		if (parse_header(h) != 0)
			return -1;
	}
	return h->len >= h->header_len + h->body_len ? 1 : 0;
}

const char *
serve_http_interim(struct serve_http *h)
{
	if (h->expect_continue != 1 || h->status != 0 ||
	    h->len >= h->header_len + h->body_len)
		return NULL;
	h->expect_continue = 2;
	return "HTTP/1.1 100 Continue\r\n\r\n";
}

int
serve_http_respond(struct serve_http *h, const char *info,
                   const unsigned char **out, size_t *len)
{
	const char *reason = h->status == 0 ? "OK" : "Bad Request";
	const unsigned char *body = h->req + h->header_len;
	size_t blen = h->body_len;
	char head[256];
	int hl;

	if (h->status == 0 && h->body_len == 0 && serve_http_keep_alive(h) &&
	    info == h->resp_info && h->resp_len > 0) {
		*out = (const unsigned char *)h->resp;
		*len = h->resp_len;
		return 0;
	}
	h->resp_len = 0;
	if (h->status != 0) {
		info = "bad or unsupported request\n";
		blen = 0;
	}
	if (blen == 0) {
		body = (const unsigned char *)info;
		blen = strlen(info);
	}
	hl = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	              "Content-Type: %s\r\nContent-Length: %zu\r\n"
	              "%s\r\n",
	              h->status == 0 ? 200 : h->status, reason,
	              h->body_len > 0 ? "application/octet-stream" :
	              "text/plain", blen,
	              serve_http_keep_alive(h) ? "" : "Connection: close\r\n");
	if (h->resp_cap < (size_t)hl + blen) {
		char *p = realloc(h->resp, (size_t)hl + blen);

		if (p == NULL)
			return -1;
		h->resp = p;
		h->resp_cap = (size_t)hl + blen;
	}
	memcpy(h->resp, head, (size_t)hl);
	memcpy(h->resp + hl, body, blen);
	*out = (const unsigned char *)h->resp;
	*len = (size_t)hl + blen;
	if (h->status == 0 && h->body_len == 0 && serve_http_keep_alive(h)) {
		h->resp_info = info;
		h->resp_len = *len;
	}
	return 0;
}

int
serve_http_keep_alive(const struct serve_http *h)
{
	return h->status == 0 && h->header_len > 0 && h->keep_alive;
}

int
serve_http_next(struct serve_http *h)
{
	size_t used = h->header_len + h->body_len;

	if (!serve_http_keep_alive(h) || h->len < used)
		return -1;
	/* Pipelined bytes that followed the request move to the front. */
	memmove(h->req, h->req + used, h->len - used);
	h->len -= used;
	h->header_len = h->scanned = h->body_len = 0;
	h->expect_continue = h->keep_alive = 0;
	return serve_http_feed(h, NULL, 0);
}
