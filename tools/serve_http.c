/* serve_http.c -- the one-request HTTP/1.1 answerer of `tlsplug serve`. */
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
	char *resp;
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
	              "Connection: close\r\n\r\n",
	              h->status == 0 ? 200 : h->status, reason,
	              h->body_len > 0 ? "application/octet-stream" :
	              "text/plain", blen);
	free(h->resp);
	h->resp = malloc((size_t)hl + blen);
	if (h->resp == NULL)
		return -1;
	memcpy(h->resp, head, (size_t)hl);
	memcpy(h->resp + hl, body, blen);
	*out = (const unsigned char *)h->resp;
	*len = (size_t)hl + blen;
	return 0;
}
