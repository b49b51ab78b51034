/* wire.c -- handshake messages on the wire: parse and rebuild a
 * ClientHello, read a server's ServerHello and what follows it (RFC 5246
 * §7.4.1, RFC 8446 §4.1).  Every read is bounds-checked: the input is what
 * an engine produced, or what a case built to be wrong. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "wire.h"

void
wire_put(struct wire_buf *w, const void *data, size_t n)
{
	if (w->oom || n == 0)
		return;
	if (w->len + n > w->cap) {
		size_t cap = (w->len + n) * 2;
		unsigned char *p = realloc(w->p, cap);

		if (p == NULL) {
			w->oom = 1;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, data, n);
	w->len += n;
}

void
wire_u8(struct wire_buf *w, unsigned v)
{
	unsigned char b = (unsigned char)v;

	wire_put(w, &b, 1);
}

void
wire_u16(struct wire_buf *w, unsigned v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	wire_put(w, b, 2);
}

void
wire_buf_free(struct wire_buf *w)
{
	if (w == NULL)
		return;
	free(w->p);
	memset(w, 0, sizeof(*w));
}

/* A bounded reader. */
struct rd {
	const unsigned char *p, *end;
	int bad;
};

static const unsigned char *
take(struct rd *r, size_t n)
{
	const unsigned char *at = r->p;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return at;
}

static size_t
num(struct rd *r, size_t n)
{
	const unsigned char *at = take(r, n);
	size_t v = 0;

	for (size_t i = 0; at != NULL && i < n; i++)
		v = v << 8 | at[i];
	return v;
}

int
wire_parse_hello(const unsigned char *buf, size_t len, struct wire_hello *h,
                 char *why, size_t whylen)
{
	struct rd r = { buf, buf + len, 0 };
	size_t rl, hl;

	memset(h, 0, sizeof(*h));
	if (len < 9 || buf[0] != 22)
		return conf_fail(why, whylen, "the client's first flight "
		                 "(%zu bytes) is not a handshake record", len);
	(void)take(&r, 1);
	memcpy(h->recver, take(&r, 2), 2);
	rl = num(&r, 2);
	if (5 + rl != len)
		return conf_fail(why, whylen, "the client's first flight is "
		                 "%zu bytes, its first record %zu: not one "
		                 "record", len, 5 + rl);
	if (num(&r, 1) != 1 || (hl = num(&r, 3)) + 4 != rl)
		return conf_fail(why, whylen, "the client's first record does "
		                 "not hold one whole ClientHello");
	h->head = take(&r, 34);
	h->sidlen = num(&r, 1);
	h->sid = take(&r, h->sidlen);
	h->suiteslen = num(&r, 2);
	h->suites = take(&r, h->suiteslen);
	h->complen = num(&r, 1);
	h->comp = take(&r, h->complen);
	if (!r.bad && r.p < r.end) {
		h->extlen = num(&r, 2);
		h->ext = take(&r, h->extlen);
	}
	if (r.bad || r.p != r.end || h->suiteslen % 2 != 0)
		return conf_fail(why, whylen, "the client's ClientHello is "
		                 "malformed");
	return 0;
}

int
wire_build_hello(const struct wire_hello *h, const unsigned char *sid,
                 size_t sidlen, const unsigned char *suites,
                 size_t suiteslen, const unsigned char *ext, size_t extlen,
                 unsigned char **out, size_t *outlen, char *why,
                 size_t whylen)
{
	struct wire_buf w = { 0 };
	size_t body;

	if (suites == NULL) {
		suites = h->suites;
		suiteslen = h->suiteslen;
	}
	if (ext == NULL) {
		ext = h->ext;
		extlen = h->extlen;
	}
	body = 34 + 1 + sidlen + 2 + suiteslen + 1 + h->complen + 2 + extlen;
	wire_u8(&w, 22);
	wire_put(&w, h->recver, 2);
	wire_u16(&w, (unsigned)(body + 4));
	wire_u8(&w, 1);
	wire_u8(&w, (unsigned)(body >> 16));
	wire_u16(&w, (unsigned)(body & 0xFFFF));
	wire_put(&w, h->head, 34);
	wire_u8(&w, (unsigned)sidlen);
	wire_put(&w, sid, sidlen);
	wire_u16(&w, (unsigned)suiteslen);
	wire_put(&w, suites, suiteslen);
	wire_u8(&w, (unsigned)h->complen);
	wire_put(&w, h->comp, h->complen);
	wire_u16(&w, (unsigned)extlen);
	wire_put(&w, ext, extlen);
	if (w.oom) {
		wire_buf_free(&w);
		return conf_fail(why, whylen, "out of memory");
	}
	*out = w.p;
	*outlen = w.len;
	return 0;
}

void
wire_ext_copy(const struct wire_hello *h, int drop, struct wire_buf *w)
{
	struct rd r = { h->ext, h->ext + h->extlen, 0 };

	while (!r.bad && r.p < r.end) {
		const unsigned char *at = r.p;
		size_t type = num(&r, 2), n = num(&r, 2);

		if (take(&r, n) != NULL && (int)type != drop)
			wire_put(w, at, 4 + n);
	}
}

int
wire_has_ext(const struct wire_hello *h, unsigned type)
{
	struct rd r = { h->ext, h->ext + h->extlen, 0 };

	while (!r.bad && r.p < r.end) {
		size_t t = num(&r, 2), n = num(&r, 2);

		if (take(&r, n) != NULL && t == type)
			return 1;
	}
	return 0;
}

/* SHA-256("HelloRetryRequest"): the random of a HelloRetryRequest. */
static const unsigned char hrr_random[32] = {
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
	0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
	0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C
};

int
wire_parse_reply(const unsigned char *buf, size_t len, struct wire_reply *r,
                 char *why, size_t whylen)
{
	struct rd rec = { buf, buf + len, 0 };
	struct wire_buf hs = { 0 };
	struct rd m;
	int other = -1, rc = -1;
	size_t ml;
	const unsigned char *random;

	memset(r, 0, sizeof(*r));
	r->alert = -1;
	r->next = -1;
	/* The handshake bytes of the leading handshake records. */
	while (!rec.bad && rec.p < rec.end) {
		size_t type = num(&rec, 1), n;
		const unsigned char *body;

		(void)take(&rec, 2);
		n = num(&rec, 2);
		body = take(&rec, n);
		if (body == NULL)
			break;
		if (type == 21 && hs.len == 0) {
			r->alert = n >= 2 ? body[1] : 0;
			return 0;
		}
		if (type != 22) {
			other = (int)type;
			break;
		}
		wire_put(&hs, body, n);
	}
	if (hs.oom) {
		conf_fail(why, whylen, "out of memory");
		goto out;
	}
	m = (struct rd){ hs.p, hs.p + hs.len, 0 };
	if (hs.len < 4 || hs.p[0] != 2) {
		conf_fail(why, whylen, "the server's first flight (%zu bytes) "
		          "does not start with a ServerHello", len);
		goto out;
	}
	(void)take(&m, 1);
	ml = num(&m, 3);
	{
		struct rd b = { m.p, NULL, 0 };

		if (take(&m, ml) == NULL) {
			conf_fail(why, whylen, "the ServerHello is cut short");
			goto out;
		}
		b.end = m.p;
		(void)take(&b, 2);
		random = take(&b, 32);
		r->hrr = random != NULL &&
		         memcmp(random, hrr_random, 32) == 0;
		r->sidlen = num(&b, 1);
		if (r->sidlen > 32) {
			conf_fail(why, whylen, "the ServerHello's session ID is "
			          "%zu bytes", r->sidlen);
			goto out;
		}
		if (take(&b, r->sidlen) != NULL)
			memcpy(r->sid, b.p - r->sidlen, r->sidlen);
		r->cipher = (uint16_t)num(&b, 2);
		(void)take(&b, 1);
		if (!b.bad && b.p < b.end) {
			size_t el = num(&b, 2);
			struct rd e = { b.p, NULL, 0 };

			if (take(&b, el) != NULL) {
				e.end = b.p;
				while (!e.bad && e.p < e.end) {
					size_t t = num(&e, 2), n = num(&e, 2);

					if (take(&e, n) != NULL && t == 41)
						r->psk = 1;
				}
			}
		}
		if (b.bad) {
			conf_fail(why, whylen, "the ServerHello is malformed");
			goto out;
		}
	}
	r->hello = 1;
	if (m.p < m.end)
		r->next = m.p[0];
	else if (other >= 0)
		r->next = 0x100 + other;
	rc = 0;
out:
	wire_buf_free(&hs);
	return rc;
}

unsigned char *
wire_take(struct tlsplug_conn *conn, size_t *len)
{
	const void *data = NULL;
	size_t n = tlsplug_conn_peek_outgoing(conn, &data);
	unsigned char *out = malloc(n > 0 ? n : 1);

	*len = 0;
	if (out == NULL)
		return NULL;
	if (n > 0)
		memcpy(out, data, n);
	tlsplug_conn_consume_outgoing(conn, n);
	*len = n;
	return out;
}
