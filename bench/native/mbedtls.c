/*
 * native/mbedtls.c -- the mbedTLS half of tlsplug-bench: the benchmark's
 * measurements done by calling mbedTLS 2.28 directly (no tlsplug), linked
 * into the bench program only.  In memory, each session gets send/receive
 * callbacks over its own incoming and outgoing byte queues and the driver
 * moves ciphertext between the two ends, which is the shape of tlsplug's
 * buffer API; on sockets, mbedTLS's own fd transport (net_sockets).
 *
 * mbedTLS 2.28 has no TLS 1.3 (tls12_only below): the TLS 1.3 profiles run
 * at TLS 1.2 with the ECDHE-ECDSA suite of the same cipher
 * (bench_profile_tls12_suite), on this side and on the tlsplug side alike.
 * The settings follow what the tlsplug mbedTLS plugin makes of the same
 * config: the engine's default preset, the profile's version and suite,
 * no session tickets, random numbers from getrandom(2).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "bench/bench.h"

static int
mb_err(char *err, const char *what, int rc)
{
	char text[128];

	mbedtls_strerror(rc, text, sizeof(text));
	snprintf(err, BENCH_ERRLEN, "mbedtls: %s: %s (-0x%04x)", what, text,
	         (unsigned)-rc);
	return -1;
}

static const char *
mb_engine_version(void)
{
	static char buf[64];
	char v[32];

	if (buf[0] == '\0') {
		mbedtls_version_get_string(v);
		snprintf(buf, sizeof(buf), "mbed TLS %s", v);
	}
	return buf;
}

static int
mb_random(void *p, unsigned char *out, size_t len)
{
	ssize_t n;

	(void)p;
	while (len > 0) {
		n = getrandom(out, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
		}
		out += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- contexts ------------------------------------------------------- */

struct mb_ctx {
	mbedtls_ssl_config conf;
	mbedtls_x509_crt crt;      /* server: leaf; client: trust */
	mbedtls_pk_context key;
	int suites[2];
	int server;
};

static void
mb_ctx_free(void *vc)
{
	struct mb_ctx *c = vc;

	if (c == NULL)
		return;
	mbedtls_ssl_config_free(&c->conf);
	mbedtls_x509_crt_free(&c->crt);
	mbedtls_pk_free(&c->key);
	free(c);
}

static struct mb_ctx *
mb_ctx_alloc(int server, char *err)
{
	struct mb_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	c->server = server;
	mbedtls_ssl_config_init(&c->conf);
	mbedtls_x509_crt_init(&c->crt);
	mbedtls_pk_init(&c->key);
	rc = mbedtls_ssl_config_defaults(&c->conf, server ?
	    MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (rc != 0) {
		mb_err(err, "mbedtls_ssl_config_defaults", rc);
		mb_ctx_free(c);
		return NULL;
	}
	mbedtls_ssl_conf_rng(&c->conf, mb_random, NULL);
	mbedtls_ssl_conf_session_tickets(&c->conf,
	                                 MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
	return c;
}

static void *
mb_ctx_new(enum bench_profile p, int server, const struct bench_certs *certs,
           char *err)
{
	enum bench_keytype kt = bench_profile_key(p);
	struct mb_ctx *c = mb_ctx_alloc(server, err);
	uint16_t suite = bench_profile_tls12_suite(p);
	int rc;

	if (c == NULL)
		return NULL;
	mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	if (suite != 0) {
		c->suites[0] = suite;
		c->suites[1] = 0;
		mbedtls_ssl_conf_ciphersuites(&c->conf, c->suites);
	}
	if (server) {
		rc = mbedtls_x509_crt_parse(&c->crt,
		    (const unsigned char *)certs->leaf[kt],
		    strlen(certs->leaf[kt]) + 1);
		if (rc == 0)
			rc = mbedtls_pk_parse_key(&c->key,
			    (const unsigned char *)certs->key[kt],
			    strlen(certs->key[kt]) + 1, NULL, 0);
		if (rc == 0)
			rc = mbedtls_ssl_conf_own_cert(&c->conf, &c->crt,
			                               &c->key);
		mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_NONE);
	} else {
		rc = mbedtls_x509_crt_parse(&c->crt,
		    (const unsigned char *)certs->ca, strlen(certs->ca) + 1);
		mbedtls_ssl_conf_ca_chain(&c->conf, &c->crt, NULL);
		mbedtls_ssl_conf_authmode(&c->conf,
		                          MBEDTLS_SSL_VERIFY_REQUIRED);
	}
	if (rc != 0) {
		mb_err(err, server ? "certificate" : "trust", rc);
		mb_ctx_free(c);
		return NULL;
	}
	return c;
}

/* The first client context with the defaults the plugin uses: the
 * system CA bundle as trust store, validation on.  Kept until exit. */
static int
mb_startup_client_ctx(char *err)
{
	static struct mb_ctx *keep;
	static const char bundle[] = "/etc/ssl/certs/ca-certificates.crt";

	keep = mb_ctx_alloc(0, err);
	if (keep == NULL)
		return -1;
	if (access(bundle, R_OK) == 0)
		(void)mbedtls_x509_crt_parse_file(&keep->crt, bundle);
	mbedtls_ssl_conf_ca_chain(&keep->conf, &keep->crt, NULL);
	mbedtls_ssl_conf_authmode(&keep->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	return 0;
}

static int
mb_session_new(mbedtls_ssl_context *s, struct mb_ctx *ctx, char *err)
{
	int rc;

	mbedtls_ssl_init(s);
	rc = mbedtls_ssl_setup(s, &ctx->conf);
	if (rc == 0 && !ctx->server)
		rc = mbedtls_ssl_set_hostname(s, BENCH_HOSTNAME);
	if (rc != 0) {
		mbedtls_ssl_free(s);
		return mb_err(err, "session setup", rc);
	}
	return 0;
}

/* ---- in-memory transport: callbacks over two byte queues ------------ */

struct mb_end {
	mbedtls_ssl_context s;
	struct bench_queue in;    /* ciphertext from the peer */
	struct bench_queue out;   /* ciphertext for the peer */
	int done;
};

/* Each end is an allocation of its own, so the memory figures put each
 * session on its own side (clients are freed first). */
struct mb_pair {
	struct mb_end *end[2];    /* 0: client, 1: server */
	int live;
};

static int
mb_send(void *ptr, const unsigned char *data, size_t len)
{
	struct mb_end *e = ptr;

	if (bench_queue_push(&e->out, data, len) != 0)
		return MBEDTLS_ERR_SSL_ALLOC_FAILED;
	return (int)len;
}

static int
mb_recv(void *ptr, unsigned char *data, size_t len)
{
	struct mb_end *e = ptr;
	size_t n = bench_queue_pull(&e->in, data, len);

	if (n == 0 && !e->in.eof)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return (int)n;
}

static void
mb_pair_free(void *vp, int sides)
{
	struct mb_pair *p = vp;
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if ((sides & (1 << i)) && (p->live & (1 << i))) {
			mbedtls_ssl_free(&p->end[i]->s);
			bench_queue_free(&p->end[i]->in);
			bench_queue_free(&p->end[i]->out);
			free(p->end[i]);
			p->end[i] = NULL;
			p->live &= ~(1 << i);
		}
	}
	if (p->live == 0)
		free(p);
}

static void *
mb_pair_new(void *cctx, void *sctx, char *err)
{
	struct mb_pair *p = calloc(1, sizeof(*p));
	int i;

	if (p == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		struct mb_end *e = calloc(1, sizeof(*e));

		if (e == NULL) {
			snprintf(err, BENCH_ERRLEN, "out of memory");
			mb_pair_free(p, 3);
			return NULL;
		}
		if (mb_session_new(&e->s, i == 0 ? cctx : sctx, err) != 0) {
			free(e);
			mb_pair_free(p, 3);     /* frees p when no end lives */
			return NULL;
		}
		p->end[i] = e;
		p->live |= 1 << i;
		mbedtls_ssl_set_bio(&e->s, e, mb_send, mb_recv, NULL);
	}
	return p;
}

static int
mb_pump(struct mb_pair *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct bench_queue *q = &p->end[i]->out;
		size_t n = bench_queue_len(q);

		if (n == 0)
			continue;
		if (bench_queue_push(&p->end[!i]->in, q->buf + q->start, n) != 0)
			return -1;
		q->start = q->end = 0;
	}
	return 0;
}

static int
mb_pair_handshake(void *vp, char *err)
{
	struct mb_pair *p = vp;
	unsigned char b[1];
	int i, rounds, rc;

	for (rounds = 0; rounds < 64; rounds++) {
		for (i = 0; i < 2; i++) {
			struct mb_end *e = p->end[i];

			if (e->done)
				continue;
			rc = mbedtls_ssl_handshake(&e->s);
			if (rc == 0)
				e->done = 1;
			else if (rc != MBEDTLS_ERR_SSL_WANT_READ &&
			         rc != MBEDTLS_ERR_SSL_WANT_WRITE)
				return mb_err(err, "handshake", rc);
		}
		if (mb_pump(p) != 0)
			goto nomem;
		if (p->end[0]->done && p->end[1]->done)
			break;
	}
	if (!p->end[0]->done || !p->end[1]->done) {
		snprintf(err, BENCH_ERRLEN, "mbedtls: handshake did not finish");
		return -1;
	}
	/* Read once on each side, as the other halves do (nothing follows a
	 * TLS 1.2 handshake here: no tickets). */
	for (i = 0; i < 2; i++) {
		rc = mbedtls_ssl_read(&p->end[i]->s, b, sizeof(b));
		if (rc < 0 && rc != MBEDTLS_ERR_SSL_WANT_READ)
			return mb_err(err, "post-handshake read", rc);
		if (mb_pump(p) != 0)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, BENCH_ERRLEN, "out of memory");
	return -1;
}

static int
mb_pair_transfer(void *vp, const unsigned char *buf, size_t total, char *err)
{
	/* Outside the pair, so it does not count as per-connection memory;
	 * transfers run on one thread. */
	static unsigned char rbuf[BENCH_CHUNK];
	struct mb_pair *p = vp;
	mbedtls_ssl_context *c = &p->end[0]->s, *s = &p->end[1]->s;
	size_t sent = 0, got = 0;
	int n;

	while (got < total) {
		if (sent < total) {
			size_t len = total - sent < BENCH_CHUNK ? total - sent
			                                        : BENCH_CHUNK;

			n = mbedtls_ssl_write(c, buf, len);
			if (n < 0)
				return mb_err(err, "mbedtls_ssl_write", n);
			sent += (size_t)n;
			if (mb_pump(p) != 0) {
				snprintf(err, BENCH_ERRLEN, "out of memory");
				return -1;
			}
		}
		for (;;) {
			n = mbedtls_ssl_read(s, rbuf, sizeof(rbuf));
			if (n > 0) {
				got += (size_t)n;
				continue;
			}
			if (n != MBEDTLS_ERR_SSL_WANT_READ)
				return mb_err(err, "mbedtls_ssl_read", n);
			break;
		}
		if (sent >= total && got < total) {
			snprintf(err, BENCH_ERRLEN, "mbedtls: transfer stalled");
			return -1;
		}
	}
	return 0;
}

/* ---- sockets -------------------------------------------------------- */

struct mb_fd {
	mbedtls_ssl_context s;
	mbedtls_net_context net;
};

static void *
mb_fd_new(void *ctx, int server, int fd, char *err)
{
	struct mb_fd *c = calloc(1, sizeof(*c));

	(void)server;
	if (c == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	if (mb_session_new(&c->s, ctx, err) != 0) {
		free(c);
		return NULL;
	}
	mbedtls_net_init(&c->net);
	c->net.fd = fd;
	mbedtls_ssl_set_bio(&c->s, &c->net, mbedtls_net_send,
	                    mbedtls_net_recv, NULL);
	return c;
}

static int
mb_fd_handshake(void *vc, char *err)
{
	struct mb_fd *c = vc;
	int rc;

	do
		rc = mbedtls_ssl_handshake(&c->s);
	while (rc == MBEDTLS_ERR_SSL_WANT_READ ||
	       rc == MBEDTLS_ERR_SSL_WANT_WRITE);
	return rc != 0 ? mb_err(err, "handshake", rc) : 0;
}

static int
mb_fd_write(void *vc, const void *buf, size_t len, char *err)
{
	struct mb_fd *c = vc;
	int n;

	while (len > 0) {
		n = mbedtls_ssl_write(&c->s, buf, len);
		if (n == MBEDTLS_ERR_SSL_WANT_READ ||
		    n == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (n < 0)
			return mb_err(err, "mbedtls_ssl_write", n);
		buf = (const unsigned char *)buf + n;
		len -= (size_t)n;
	}
	return 0;
}

static long
mb_fd_read(void *vc, void *buf, size_t len, char *err)
{
	struct mb_fd *c = vc;
	int n;

	do
		n = mbedtls_ssl_read(&c->s, buf, len);
	while (n == MBEDTLS_ERR_SSL_WANT_READ ||
	       n == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return 0;
	if (n < 0)
		return mb_err(err, "mbedtls_ssl_read", n);
	return (long)n;
}

static void
mb_fd_free(void *vc)
{
	struct mb_fd *c = vc;

	if (c == NULL)
		return;
	(void)mbedtls_ssl_close_notify(&c->s);
	mbedtls_ssl_free(&c->s);
	/* The driver closes the descriptor. */
	free(c);
}

const struct bench_native bench_native_mbedtls = {
	.name = "mbedtls",
	.tls12_only = 1,
	.engine_version = mb_engine_version,
	.startup_client_ctx = mb_startup_client_ctx,
	.ctx_new = mb_ctx_new,
	.ctx_free = mb_ctx_free,
	.pair_new = mb_pair_new,
	.pair_handshake = mb_pair_handshake,
	.pair_transfer = mb_pair_transfer,
	.pair_free = mb_pair_free,
	.fd_new = mb_fd_new,
	.fd_handshake = mb_fd_handshake,
	.fd_write = mb_fd_write,
	.fd_read = mb_fd_read,
	.fd_free = mb_fd_free,
};
