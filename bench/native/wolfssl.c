/*
 * native/wolfssl.c -- the wolfSSL half of tlsplug-bench: the benchmark's
 * measurements done by calling wolfSSL directly (no tlsplug), linked into
 * the bench program only.  In memory, each WOLFSSL gets I/O callbacks over
 * its own incoming and outgoing byte queues and the driver moves
 * ciphertext between the two ends, which is the shape of tlsplug's buffer
 * API; on sockets, wolfSSL's own fd transport.
 *
 * Settings follow what the tlsplug wolfSSL plugin makes of the same
 * profile (the version range, the suites named by the profile, peer
 * verification against the CA with the host name checked), so both sides
 * negotiate the same parameters.  The test PKI comes from another native
 * half (gen_certs is NULL here).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "bench/bench.h"

/* The profiles' suites, by wolfSSL's names (NULL: the default). */
static const char *const wb_suites[BENCH_PROFILE_COUNT] = {
	[BENCH_TLS13_ECDSA] = NULL,
	[BENCH_TLS12_RSA] = "ECDHE-RSA-AES128-GCM-SHA256",
	[BENCH_TLS13_AES128GCM] = "TLS13-AES128-GCM-SHA256",
	[BENCH_TLS13_CHACHA20] = "TLS13-CHACHA20-POLY1305-SHA256",
};

static void
wb_err(char *err, const char *what, int code)
{
	char buf[WOLFSSL_MAX_ERROR_SZ];

	wolfSSL_ERR_error_string_n((unsigned long)(long)code, buf, sizeof buf);
	snprintf(err, BENCH_ERRLEN, "wolfssl: %s: %s (%d)", what, buf, code);
	wolfSSL_ERR_clear_error();
}

static const char *
wb_engine_version(void)
{
	static char text[64];

	snprintf(text, sizeof text, "wolfSSL %s", wolfSSL_lib_version());
	return text;
}

/* ---- contexts ------------------------------------------------------- */

/* wolfSSL_Init counts its calls: once for the process is what a program
 * does.  The bench runs on one thread. */
static int
wb_init(char *err)
{
	static int done;
	int r;

	if (done)
		return 0;
	r = wolfSSL_Init();
	if (r != WOLFSSL_SUCCESS) {
		wb_err(err, "wolfSSL_Init", r);
		return -1;
	}
	done = 1;
	return 0;
}

/* volatile: the store must survive optimisation, so the context stays
 * reachable until exit (leak checkers see it). */
static WOLFSSL_CTX *volatile wb_startup_ctx;

static int
wb_startup_client_ctx(char *err)
{
	/* What a program does to get its first client context: the defaults
	 * tlsplug's defaults map to (TLS 1.2 minimum, peer verification,
	 * the system trust store). */
	WOLFSSL_CTX *ctx;
	int r;

	if (wb_init(err) != 0)
		return -1;
	ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (ctx == NULL) {
		wb_err(err, "wolfSSL_CTX_new", 0);
		return -1;
	}
	wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2);
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
	r = wolfSSL_CTX_load_system_CA_certs(ctx);
	if (r != WOLFSSL_SUCCESS) {
		wb_err(err, "wolfSSL_CTX_load_system_CA_certs", r);
		wolfSSL_CTX_free(ctx);
		return -1;
	}
	wb_startup_ctx = ctx;     /* kept, as a program keeps it */
	return wb_startup_ctx != NULL ? 0 : -1;
}

static void *
wb_ctx_new(enum bench_profile p, int server, const struct bench_certs *certs,
           char *err)
{
	enum bench_keytype kt = bench_profile_key(p);
	int v = p == BENCH_TLS12_RSA ? 0x0303 : 0x0304;
	const char *what = "version bounds";
	WOLFSSL_CTX *ctx;
	int r;

	if (wb_init(err) != 0)
		return NULL;
	ctx = wolfSSL_CTX_new(server ? wolfSSLv23_server_method() :
	                               wolfSSLv23_client_method());
	if (ctx == NULL) {
		wb_err(err, "wolfSSL_CTX_new", 0);
		return NULL;
	}
	r = wolfSSL_CTX_set_min_proto_version(ctx, v);
	if (r == WOLFSSL_SUCCESS)
		r = wolfSSL_CTX_set_max_proto_version(ctx, v);
	if (r == WOLFSSL_SUCCESS && wb_suites[p] != NULL) {
		what = "suites";
		r = wolfSSL_CTX_set_cipher_list(ctx, wb_suites[p]);
	}
	if (r == WOLFSSL_SUCCESS && server) {
		what = "certificate and key";
		r = wolfSSL_CTX_use_certificate_chain_buffer(ctx,
			(const unsigned char *)certs->leaf[kt],
			(long)strlen(certs->leaf[kt]));
		if (r == WOLFSSL_SUCCESS)
			r = wolfSSL_CTX_use_PrivateKey_buffer(ctx,
				(const unsigned char *)certs->key[kt],
				(long)strlen(certs->key[kt]),
				WOLFSSL_FILETYPE_PEM);
	}
	if (r == WOLFSSL_SUCCESS && !server) {
		what = "trust";
		wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
		r = wolfSSL_CTX_load_verify_buffer(ctx,
			(const unsigned char *)certs->ca,
			(long)strlen(certs->ca), WOLFSSL_FILETYPE_PEM);
	}
	if (r != WOLFSSL_SUCCESS) {
		wb_err(err, what, r);
		wolfSSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void
wb_ctx_free(void *ctx)
{
	wolfSSL_CTX_free(ctx);
}

/* ---- in-memory transport: I/O callbacks over two byte queues --------- */

struct wb_end {
	WOLFSSL *ssl;
	struct bench_queue in;    /* ciphertext from the peer */
	struct bench_queue out;   /* ciphertext for the peer */
	int done;
};

struct wb_pair {
	struct wb_end end[2];     /* 0: client, 1: server */
	int live;                 /* bit 0: client, bit 1: server */
};

static int
wb_io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wb_end *e = ctx;

	(void)ssl;
	if (bench_queue_push(&e->out, buf, (size_t)sz) != 0)
		return WOLFSSL_CBIO_ERR_GENERAL;
	return sz;
}

static int
wb_io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wb_end *e = ctx;
	size_t n;

	(void)ssl;
	n = bench_queue_pull(&e->in, buf, (size_t)sz);
	if (n == 0)
		return e->in.eof ? WOLFSSL_CBIO_ERR_CONN_CLOSE :
		                   WOLFSSL_CBIO_ERR_WANT_READ;
	return (int)n;
}

static void
wb_pair_free(void *vp, int sides)
{
	struct wb_pair *p = vp;
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if ((sides & (1 << i)) && (p->live & (1 << i))) {
			wolfSSL_free(p->end[i].ssl);
			bench_queue_free(&p->end[i].in);
			bench_queue_free(&p->end[i].out);
			p->live &= ~(1 << i);
		}
	}
	if (p->live == 0)
		free(p);
}

static void *
wb_pair_new(void *cctx, void *sctx, char *err)
{
	struct wb_pair *p;
	int i;

	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		struct wb_end *e = &p->end[i];

		e->ssl = wolfSSL_new(i == 0 ? cctx : sctx);
		if (e->ssl == NULL)
			goto fail;
		p->live |= 1 << i;
		wolfSSL_SSLSetIORecv(e->ssl, wb_io_recv);
		wolfSSL_SSLSetIOSend(e->ssl, wb_io_send);
		wolfSSL_SetIOReadCtx(e->ssl, e);
		wolfSSL_SetIOWriteCtx(e->ssl, e);
		if (i == 0 &&
		    (wolfSSL_UseSNI(e->ssl, WOLFSSL_SNI_HOST_NAME,
		                    BENCH_HOSTNAME,
		                    (unsigned short)strlen(BENCH_HOSTNAME)) !=
		         WOLFSSL_SUCCESS ||
		     wolfSSL_check_domain_name(e->ssl, BENCH_HOSTNAME) !=
		         WOLFSSL_SUCCESS))
			goto fail;
	}
	return p;
fail:
	wb_err(err, "wolfSSL_new", 0);
	wb_pair_free(p, 3);
	return NULL;
}

/* Moves pending ciphertext to the other end (the "network"). */
static int
wb_pump(struct wb_pair *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct bench_queue *q = &p->end[i].out;
		size_t n = bench_queue_len(q);

		if (n == 0)
			continue;
		if (bench_queue_push(&p->end[!i].in, q->buf + q->start, n) != 0)
			return -1;
		q->start = q->end = 0;
	}
	return 0;
}

static int
wb_step_ok(WOLFSSL *ssl, int rc)
{
	int e = wolfSSL_get_error(ssl, rc);

	return e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE;
}

static int
wb_pair_handshake(void *vp, char *err)
{
	struct wb_pair *p = vp;
	unsigned char b[1];
	int i, rounds, rc;

	for (rounds = 0; rounds < 64; rounds++) {
		for (i = 0; i < 2; i++) {
			struct wb_end *e = &p->end[i];

			if (e->done)
				continue;
			rc = i == 0 ? wolfSSL_connect(e->ssl) :
			              wolfSSL_accept(e->ssl);
			if (rc == WOLFSSL_SUCCESS)
				e->done = 1;
			else if (!wb_step_ok(e->ssl, rc)) {
				wb_err(err, "handshake",
				       wolfSSL_get_error(e->ssl, rc));
				return -1;
			}
		}
		if (wb_pump(p) != 0)
			goto nomem;
		if (p->end[0].done && p->end[1].done)
			break;
	}
	if (!p->end[0].done || !p->end[1].done) {
		snprintf(err, BENCH_ERRLEN, "wolfssl: handshake did not finish");
		return -1;
	}
	/* Consume what followed the handshake (session tickets). */
	for (i = 0; i < 2; i++) {
		rc = wolfSSL_read(p->end[i].ssl, b, sizeof(b));
		if (rc <= 0 && !wb_step_ok(p->end[i].ssl, rc)) {
			wb_err(err, "post-handshake read",
			       wolfSSL_get_error(p->end[i].ssl, rc));
			return -1;
		}
		if (wb_pump(p) != 0)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, BENCH_ERRLEN, "out of memory");
	return -1;
}

static int
wb_pair_transfer(void *vp, const unsigned char *buf, size_t total, char *err)
{
	/* Outside the pair, so it does not count as per-connection memory;
	 * transfers run on one thread. */
	static unsigned char rbuf[BENCH_CHUNK];
	struct wb_pair *p = vp;
	WOLFSSL *c = p->end[0].ssl, *s = p->end[1].ssl;
	size_t sent = 0, got = 0;
	int n;

	while (got < total) {
		if (sent < total) {
			size_t len = total - sent < BENCH_CHUNK ? total - sent
			                                        : BENCH_CHUNK;

			n = wolfSSL_write(c, buf, (int)len);
			if (n <= 0) {
				wb_err(err, "wolfSSL_write",
				       wolfSSL_get_error(c, n));
				return -1;
			}
			sent += (size_t)n;
			if (wb_pump(p) != 0) {
				snprintf(err, BENCH_ERRLEN, "out of memory");
				return -1;
			}
		}
		for (;;) {
			n = wolfSSL_read(s, rbuf, (int)sizeof(rbuf));
			if (n > 0) {
				got += (size_t)n;
				continue;
			}
			if (wolfSSL_get_error(s, n) != WOLFSSL_ERROR_WANT_READ) {
				wb_err(err, "wolfSSL_read",
				       wolfSSL_get_error(s, n));
				return -1;
			}
			break;
		}
		if (sent >= total && got < total) {
			snprintf(err, BENCH_ERRLEN, "wolfssl: transfer stalled");
			return -1;
		}
	}
	return 0;
}

static const char *
wb_pair_group(void *vp)
{
	struct wb_pair *p = vp;

	return wolfSSL_get_curve_name(p->end[0].ssl);
}

/* ---- sockets -------------------------------------------------------- */

static void *
wb_fd_new(void *ctx, int server, int fd, char *err)
{
	WOLFSSL *ssl = wolfSSL_new(ctx);

	if (ssl == NULL || wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS ||
	    (!server &&
	     (wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, BENCH_HOSTNAME,
	                     (unsigned short)strlen(BENCH_HOSTNAME)) !=
	          WOLFSSL_SUCCESS ||
	      wolfSSL_check_domain_name(ssl, BENCH_HOSTNAME) !=
	          WOLFSSL_SUCCESS))) {
		wb_err(err, "wolfSSL_new", 0);
		wolfSSL_free(ssl);
		return NULL;
	}
	if (server)
		wolfSSL_set_accept_state(ssl);
	else
		wolfSSL_set_connect_state(ssl);
	return ssl;
}

static int
wb_fd_handshake(void *c, char *err)
{
	int rc = wolfSSL_SSL_do_handshake(c);

	if (rc != WOLFSSL_SUCCESS) {
		wb_err(err, "handshake", wolfSSL_get_error(c, rc));
		return -1;
	}
	return 0;
}

static int
wb_fd_write(void *c, const void *buf, size_t len, char *err)
{
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;
		int n = wolfSSL_write(c, buf, chunk);

		if (n <= 0) {
			wb_err(err, "wolfSSL_write", wolfSSL_get_error(c, n));
			return -1;
		}
		buf = (const unsigned char *)buf + n;
		len -= (size_t)n;
	}
	return 0;
}

static long
wb_fd_read(void *c, void *buf, size_t len, char *err)
{
	int n = wolfSSL_read(c, buf, len > INT_MAX ? INT_MAX : (int)len);
	int e;

	if (n > 0)
		return n;
	e = wolfSSL_get_error(c, n);
	if (e == WOLFSSL_ERROR_ZERO_RETURN)
		return 0;
	wb_err(err, "wolfSSL_read", e);
	return -1;
}

static void
wb_fd_free(void *c)
{
	if (c != NULL)
		wolfSSL_shutdown(c);
	wolfSSL_free(c);
}

/* Built with FP_ECC (Debian's wolfSSL is), wolfSSL caches precomputed EC
 * points per thread; a thread must free its cache before it ends or the
 * cache leaks with it.  The plugin does the same for its threads. */
static void
wb_thread_end(void)
{
#ifdef FP_ECC
	wc_ecc_fp_free();
#endif
}

const struct bench_native bench_native_wolfssl = {
	.name = "wolfssl",
	.engine_version = wb_engine_version,
	.gen_certs = NULL,
	.startup_client_ctx = wb_startup_client_ctx,
	.ctx_new = wb_ctx_new,
	.ctx_free = wb_ctx_free,
	.pair_new = wb_pair_new,
	.pair_handshake = wb_pair_handshake,
	.pair_transfer = wb_pair_transfer,
	.pair_free = wb_pair_free,
	.pair_group = wb_pair_group,
	.fd_new = wb_fd_new,
	.fd_handshake = wb_fd_handshake,
	.fd_write = wb_fd_write,
	.fd_read = wb_fd_read,
	.fd_free = wb_fd_free,
	.thread_end = wb_thread_end,
};
