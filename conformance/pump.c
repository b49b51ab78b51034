/* pump.c -- drives a client and a server connection against each other in
 * memory: handshakes, data transfer, and reading the outcome of failures.
 * Every loop is bounded in iterations and in time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conformance.h"

/* A transfer that takes longer than this has stalled or is far too slow. */
#define TRANSFER_SECONDS 60

size_t
conf_move(struct tlsplug_conn *from, struct tlsplug_conn *to, size_t chunk)
{
	const void *data = NULL;
	size_t n;

	n = tlsplug_conn_peek_outgoing(from, &data);
	if (n == 0)
		return 0;
	if (chunk != 0 && n > chunk)
		n = chunk;
	if (tlsplug_conn_receive_from_network(to, data, n) != TLSPLUG_OK)
		return 0;
	tlsplug_conn_consume_outgoing(from, n);
	return n;
}

static int
pending(int rc)
{
	return rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE;
}

/* "OK", "WANT_READ (stalled)" or "CERT_EXPIRED (openssl: ...)". */
static void
describe(const struct tlsplug_conn *conn, int rc, char *buf, size_t len)
{
	const struct tlsplug_error *e = tlsplug_conn_error(conn);

	if (rc >= 0)
		snprintf(buf, len, "%s%s", tlsplug_status_name(rc),
		         pending(rc) ? " (stalled)" : "");
	else
		snprintf(buf, len, "%s (%s)", tlsplug_status_name(rc),
		         e != NULL ? tlsplug_error_message(e) :
		         "no error record");
}

int
conf_handshake(struct conf_pair *p, size_t chunk, char *why, size_t whylen)
{
	unsigned long i, limit = chunk == 0 ? 1000 : 400000;
	int idle = 0;
	char cs[200], ss[200];

	p->crc = p->src = TLSPLUG_WANT_READ;
	for (i = 0; i < limit; i++) {
		size_t moved;

		if (pending(p->crc))
			p->crc = tlsplug_conn_handshake(p->c);
		if (pending(p->src))
			p->src = tlsplug_conn_handshake(p->s);
		moved = conf_move(p->c, p->s, chunk);
		moved += conf_move(p->s, p->c, chunk);
		if (moved > 0) {
			idle = 0;
			continue;
		}
		if (!pending(p->crc) && !pending(p->src))
			break;
		/* A side waiting with nothing in flight: give it a few more
		 * calls before calling it a stall. */
		if (++idle > 3)
			break;
	}
	if (p->crc == TLSPLUG_OK && p->src == TLSPLUG_OK)
		return 0;
	describe(p->c, p->crc, cs, sizeof(cs));
	describe(p->s, p->src, ss, sizeof(ss));
	return conf_fail(why, whylen, "handshake: client %s, server %s", cs,
	                 ss);
}

static int
same_alpn(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
conf_connect(struct conf_pair *p, enum tlsplug_version version, char *why,
             size_t whylen)
{
	if (conf_handshake(p, 0, why, whylen) != 0)
		return -1;
	return conf_check_negotiated(p, version, why, whylen);
}

int
conf_check_negotiated(struct conf_pair *p, enum tlsplug_version version,
                      char *why, size_t whylen)
{
	enum tlsplug_version cv, sv;
	uint16_t cc, sc;
	const char *ca, *sa;

	cv = tlsplug_conn_version(p->c);
	sv = tlsplug_conn_version(p->s);
	if (cv != sv)
		return conf_fail(why, whylen, "version: client %s, server %s",
		                 tlsplug_version_name(cv),
		                 tlsplug_version_name(sv));
	/* TLS 1.0 and 1.1 only where the case asked for them. */
	if (cv != TLSPLUG_VERSION_TLSv1_2 && cv != TLSPLUG_VERSION_TLSv1_3 &&
	    !(cv == version && (cv == TLSPLUG_VERSION_TLSv1 ||
	                        cv == TLSPLUG_VERSION_TLSv1_1)))
		return conf_fail(why, whylen, "negotiated version is %s",
		                 tlsplug_version_name(cv));
	if (version != 0 && cv != version)
		return conf_fail(why, whylen, "negotiated %s, expected %s",
		                 tlsplug_version_name(cv),
		                 tlsplug_version_name(version));
	cc = tlsplug_conn_cipher(p->c);
	sc = tlsplug_conn_cipher(p->s);
	if (cc != sc || cc == TLSPLUG_CS_NONE)
		return conf_fail(why, whylen, "cipher: client 0x%04X, server "
		                 "0x%04X", cc, sc);
	if ((cc >> 8 == 0x13) != (cv == TLSPLUG_VERSION_TLSv1_3))
		return conf_fail(why, whylen, "cipher 0x%04X does not belong "
		                 "to %s", cc, tlsplug_version_name(cv));
	ca = tlsplug_conn_alpn(p->c);
	sa = tlsplug_conn_alpn(p->s);
	if (!same_alpn(ca, sa))
		return conf_fail(why, whylen, "ALPN: client %s, server %s",
		                 ca != NULL ? ca : "NULL",
		                 sa != NULL ? sa : "NULL");
	return 0;
}

int
conf_client_outcome(struct conf_pair *p)
{
	unsigned char buf[256];
	size_t n;
	int i, rc;

	if (p->crc < 0)
		return p->crc;
	rc = p->crc;
	for (i = 0; i < 8; i++) {
		conf_move(p->s, p->c, 0);
		if (pending(rc))
			rc = tlsplug_conn_handshake(p->c);
		else
			rc = tlsplug_conn_read(p->c, buf, sizeof(buf), &n);
		if (rc < 0 || rc == TLSPLUG_CLOSED || rc == TLSPLUG_RAGGED_EOF)
			return rc;
		conf_move(p->c, p->s, 0);
		if (p->src == TLSPLUG_OK || pending(p->src))
			p->src = tlsplug_conn_handshake(p->s);
	}
	return rc;
}

/* One direction of a transfer in progress. */
struct flow {
	struct tlsplug_conn *src, *dst;
	const char *dir;           /* "client->server" */
	const unsigned char *data;
	size_t len, written, got;
	size_t chunk, readsize;
};

/* Writes what the writer will take.  Returns 1 on progress, 0 if none,
 * -1 on failure. */
static int
flow_write(struct flow *f, char *why, size_t whylen)
{
	size_t n = 0, left = f->len - f->written;
	char d[300];
	int rc;

	if (left == 0)
		return 0;
	rc = tlsplug_conn_write(f->src, f->data + f->written, left, &n);
	if (pending(rc))
		return 0;
	if (rc != TLSPLUG_OK) {
		describe(f->src, rc, d, sizeof(d));
		return conf_fail(why, whylen, "%s: write after %zu bytes: %s",
		                 f->dir, f->written, d);
	}
	if (n == 0 || n > left)
		return conf_fail(why, whylen, "%s: write of %zu returned OK "
		                 "with %zu", f->dir, left, n);
	f->written += n;
	return 1;
}

/* Reads everything the reader has, comparing.  Returns 1 on progress, 0 if
 * none, -1 on failure. */
static int
flow_read(struct flow *f, char *why, size_t whylen)
{
	unsigned char buf[16384 + 512];
	size_t n, rs = f->readsize;
	int rc, progress = 0;
	char d[300];

	if (rs == 0 || rs > sizeof(buf))
		rs = sizeof(buf);
	for (;;) {
		n = 0;
		rc = tlsplug_conn_read(f->dst, buf, rs, &n);
		if (pending(rc))
			return progress;
		if (rc != TLSPLUG_OK) {
			describe(f->dst, rc, d, sizeof(d));
			return conf_fail(why, whylen, "%s: read after %zu of "
			                 "%zu bytes: %s", f->dir, f->got,
			                 f->len, d);
		}
		if (n == 0 || n > rs || f->got + n > f->len)
			return conf_fail(why, whylen, "%s: read returned OK "
			                 "with %zu bytes (%zu of %zu read)",
			                 f->dir, n, f->got, f->len);
		if (memcmp(buf, f->data + f->got, n) != 0)
			return conf_fail(why, whylen, "%s: data differs in "
			                 "bytes %zu..%zu", f->dir, f->got,
			                 f->got + n - 1);
		f->got += n;
		progress = 1;
	}
}

/* Moves ciphertext chunk by chunk, reading after each.  Returns 1 on
 * progress, 0 if none, -1 on failure. */
static int
flow_deliver(struct flow *f, char *why, size_t whylen)
{
	int progress = 0, rc;

	for (;;) {
		size_t moved = conf_move(f->src, f->dst, f->chunk);

		rc = flow_read(f, why, whylen);
		if (rc < 0)
			return -1;
		/* What the reader has to say (post-handshake messages)
		 * goes back. */
		conf_move(f->dst, f->src, 0);
		if (rc > 0 || moved > 0)
			progress = 1;
		if (moved == 0)
			return progress;
	}
}

int
conf_transfer(struct conf_pair *p, int from_client, const unsigned char *data,
              size_t len, size_t chunk, size_t readsize, char *why,
              size_t whylen)
{
	struct flow f = {
		.src = from_client ? p->c : p->s,
		.dst = from_client ? p->s : p->c,
		.dir = from_client ? "client->server" : "server->client",
		.data = data, .len = len, .chunk = chunk, .readsize = readsize
	};
	struct timespec t0, t;
	unsigned long iter = 0;
	int idle = 0, w, r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (f.got < len) {
		w = flow_write(&f, why, whylen);
		if (w < 0)
			return -1;
		r = flow_deliver(&f, why, whylen);
		if (r < 0)
			return -1;
		if (w == 0 && r == 0 && ++idle > 3)
			return conf_fail(why, whylen, "%s: stalled after %zu "
			                 "of %zu bytes written, %zu read",
			                 f.dir, f.written, len, f.got);
		if (w > 0 || r > 0)
			idle = 0;
		if ((++iter & 63) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec > TRANSFER_SECONDS)
				return conf_fail(why, whylen, "%s: timed out "
				                 "after %zu of %zu bytes",
				                 f.dir, f.got, len);
		}
	}
	return 0;
}

int
conf_exchange(struct conf_pair *p, size_t len, size_t chunk, char *why,
              size_t whylen)
{
	unsigned char *data;
	int rc;

	data = malloc(len);
	if (data == NULL)
		return conf_fail(why, whylen, "out of memory");
	conf_random(data, len, len * 2 + 1);
	rc = conf_transfer(p, 1, data, len, chunk, 0, why, whylen);
	if (rc == 0) {
		conf_random(data, len, len * 2 + 2);
		rc = conf_transfer(p, 0, data, len, chunk, 0, why, whylen);
	}
	free(data);
	return rc;
}
