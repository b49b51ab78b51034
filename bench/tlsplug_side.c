/*
 * tlsplug_side.c -- the tlsplug side of every measurement, behind the same
 * table as the native halves, using only the public API: configs and
 * contexts, tlsplug_conn over memory buffers, tlsplug_socket on a socket.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "bench/side.h"

/* The backend the table works on (the bench measures one at a time). */
static const struct tlsplug_backend *tp_backend;
static const char *tp_name;

static int
tp_err(char *err, const char *what, const struct tlsplug_error *e, int rc)
{
	snprintf(err, BENCH_ERRLEN, "tlsplug: %s: %s", what,
	         e != NULL ? tlsplug_error_message(e) : tlsplug_strerror(rc));
	return -1;
}

static int
tp_err_free(char *err, const char *what, struct tlsplug_error *e, int rc)
{
	tp_err(err, what, e, rc);
	tlsplug_error_free(e);
	return -1;
}

static const char *
tp_engine_version(void)
{
	return tlsplug_backend_engine_version(tp_backend);
}

/* ---- contexts ------------------------------------------------------- */

/* The start-up child's context, kept until exit as a program keeps it
 * (volatile: the store must survive optimisation so leak checkers see
 * it). */
static struct tlsplug_context *volatile tp_startup_ctx;

static int
tp_startup_client_ctx(char *err)
{
	/* The path of a program's first client context: a registry (plugin
	 * discovery, config files), the named backend (dlopen + init), a
	 * default config and the context (engine context, system trust). */
	struct tlsplug_registry *r;
	struct tlsplug_context *ctx;
	struct tlsplug_error *e = NULL;
	const struct tlsplug_backend *b;
	int rc;

	r = tlsplug_registry_default();
	if (r == NULL) {
		snprintf(err, BENCH_ERRLEN, "tlsplug: no registry");
		return -1;
	}
	b = tlsplug_registry_find(r, tp_name);
	if (b == NULL)
		return tp_err(err, tp_name, tlsplug_registry_error(r),
		              TLSPLUG_ERR_NOT_FOUND);
	rc = tlsplug_context_new(b, TLSPLUG_CLIENT, tlsplug_config_default(),
	                         &ctx, &e);
	if (rc != TLSPLUG_OK)
		return tp_err_free(err, "context", e, rc);
	tp_startup_ctx = ctx;
	return 0;
}

static void *
tp_ctx_new(enum bench_profile p, int server, const struct bench_certs *certs,
           char *err)
{
	enum bench_keytype kt = bench_profile_key(p);
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_config *cfg = NULL;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_trust_store *trust = NULL;
	struct tlsplug_error *e = NULL;
	enum tlsplug_version v = p == BENCH_TLS12_RSA ? TLSPLUG_VERSION_TLSv1_2
	                                              : TLSPLUG_VERSION_TLSv1_3;
	uint16_t suite = 0;
	int rc;

	if (b == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	if (!(tlsplug_backend_caps(tp_backend) & TLSPLUG_CAP_TLS1_3)) {
		/* The engine's native half does the same (bench.h). */
		v = TLSPLUG_VERSION_TLSv1_2;
		suite = bench_profile_tls12_suite(p);
	} else if (p == BENCH_TLS12_RSA)
		suite = TLSPLUG_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
	else if (p == BENCH_TLS13_AES128GCM)
		suite = TLSPLUG_CS_TLS_AES_128_GCM_SHA256;
	else if (p == BENCH_TLS13_CHACHA20)
		suite = TLSPLUG_CS_TLS_CHACHA20_POLY1305_SHA256;
	/* Every handshake measured is the kind the case says: the client
	 * context's own session cache would turn full handshakes into
	 * resumed ones (the resumed case sets sessions itself, as the native
	 * halves do). */
	rc = tlsplug_config_builder_set_session_cache(b, 0);
	if (rc == TLSPLUG_OK)
		rc = tlsplug_config_builder_set_min_version(b, v);
	if (rc == TLSPLUG_OK)
		rc = tlsplug_config_builder_set_max_version(b, v);
	if (rc == TLSPLUG_OK && suite != 0)
		rc = tlsplug_config_builder_set_ciphers(b, &suite, 1);
	if (rc != TLSPLUG_OK) {
		tp_err(err, "config", tlsplug_config_builder_error(b), rc);
		goto done;
	}
	if (server) {
		rc = tlsplug_certificate_from_buffer(certs->leaf[kt],
		    strlen(certs->leaf[kt]), &cert, &e);
		if (rc == TLSPLUG_OK)
			rc = tlsplug_private_key_from_buffer(certs->key[kt],
			    strlen(certs->key[kt]), &key, &e);
		if (rc == TLSPLUG_OK)
			rc = tlsplug_config_builder_add_cert_chain(b, cert, NULL,
			                                           key);
	} else {
		rc = tlsplug_trust_store_from_buffer(certs->ca,
		    strlen(certs->ca), &trust, &e);
		if (rc == TLSPLUG_OK)
			rc = tlsplug_config_builder_set_trust_store(b, trust);
	}
	if (rc == TLSPLUG_OK)
		rc = tlsplug_config_builder_build(b, &cfg);
	if (rc != TLSPLUG_OK) {
		tp_err(err, "config", e != NULL ? e :
		       tlsplug_config_builder_error(b), rc);
		goto done;
	}
	rc = tlsplug_context_new(tp_backend,
	    server ? TLSPLUG_SERVER : TLSPLUG_CLIENT, cfg, &ctx, &e);
	if (rc != TLSPLUG_OK)
		tp_err(err, "context", e, rc);
done:
	tlsplug_error_free(e);
	tlsplug_config_unref(cfg);
	tlsplug_certificate_unref(cert);
	tlsplug_private_key_unref(key);
	tlsplug_trust_store_unref(trust);
	tlsplug_config_builder_free(b);
	return ctx;
}

static void
tp_ctx_free(void *ctx)
{
	tlsplug_context_unref(ctx);
}

/* ---- in-memory pairs ------------------------------------------------ */

struct tp_pair {
	struct tlsplug_conn *c[2];   /* 0: client, 1: server */
	int done[2];
};

static void
tp_pair_free(void *vp, int sides)
{
	struct tp_pair *p = vp;
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if (sides & (1 << i)) {
			tlsplug_conn_free(p->c[i]);
			p->c[i] = NULL;
		}
	}
	if (p->c[0] == NULL && p->c[1] == NULL)
		free(p);
}

static void *
tp_pair_new(void *cctx, void *sctx, char *err)
{
	struct tp_pair *p = calloc(1, sizeof(*p));
	struct tlsplug_error *e = NULL;
	int rc;

	if (p == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	rc = tlsplug_conn_new(cctx, BENCH_HOSTNAME, &p->c[0], &e);
	if (rc == TLSPLUG_OK)
		rc = tlsplug_conn_new(sctx, NULL, &p->c[1], &e);
	if (rc != TLSPLUG_OK) {
		tp_err_free(err, "tlsplug_conn_new", e, rc);
		tp_pair_free(p, 3);
		return NULL;
	}
	return p;
}

/* Moves pending ciphertext to the other end (the "network"). */
static int
tp_pump(struct tp_pair *p)
{
	const void *data;
	size_t n;
	int i;

	for (i = 0; i < 2; i++) {
		n = tlsplug_conn_peek_outgoing(p->c[i], &data);
		if (n == 0)
			continue;
		if (tlsplug_conn_receive_from_network(p->c[!i], data, n) !=
		    TLSPLUG_OK)
			return -1;
		tlsplug_conn_consume_outgoing(p->c[i], n);
	}
	return 0;
}

static int
tp_pair_handshake(void *vp, char *err)
{
	struct tp_pair *p = vp;
	unsigned char b[1];
	size_t n;
	int i, rounds, rc;

	for (rounds = 0; rounds < 64; rounds++) {
		for (i = 0; i < 2; i++) {
			if (p->done[i])
				continue;
			rc = tlsplug_conn_handshake(p->c[i]);
			if (rc == TLSPLUG_OK)
				p->done[i] = 1;
			else if (rc != TLSPLUG_WANT_READ)
				return tp_err(err, "handshake",
				              tlsplug_conn_error(p->c[i]), rc);
		}
		if (tp_pump(p) != 0)
			goto nomem;
		if (p->done[0] && p->done[1])
			break;
	}
	if (!p->done[0] || !p->done[1]) {
		snprintf(err, BENCH_ERRLEN, "tlsplug: handshake did not finish");
		return -1;
	}
	/* Consume what followed the handshake (session tickets). */
	for (i = 0; i < 2; i++) {
		rc = tlsplug_conn_read(p->c[i], b, sizeof(b), &n);
		if (rc != TLSPLUG_WANT_READ && rc != TLSPLUG_OK)
			return tp_err(err, "post-handshake read",
			              tlsplug_conn_error(p->c[i]), rc);
		if (tp_pump(p) != 0)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, BENCH_ERRLEN, "out of memory");
	return -1;
}

static int
tp_pair_transfer(void *vp, const unsigned char *buf, size_t total, char *err)
{
	/* Outside the pair, as in the native halves; one thread. */
	static unsigned char rbuf[BENCH_CHUNK];
	struct tp_pair *p = vp;
	size_t sent = 0, got = 0, n;
	int rc;

	while (got < total) {
		if (sent < total) {
			size_t len = total - sent < BENCH_CHUNK ? total - sent
			                                        : BENCH_CHUNK;

			rc = tlsplug_conn_write(p->c[0], buf, len, &n);
			if (rc != TLSPLUG_OK)
				return tp_err(err, "write",
				              tlsplug_conn_error(p->c[0]), rc);
			sent += n;
			if (tp_pump(p) != 0) {
				snprintf(err, BENCH_ERRLEN, "out of memory");
				return -1;
			}
		}
		for (;;) {
			rc = tlsplug_conn_read(p->c[1], rbuf, sizeof(rbuf), &n);
			if (rc == TLSPLUG_OK) {
				got += n;
				continue;
			}
			if (rc != TLSPLUG_WANT_READ)
				return tp_err(err, "read",
				              tlsplug_conn_error(p->c[1]), rc);
			break;
		}
		if (sent >= total && got < total) {
			snprintf(err, BENCH_ERRLEN, "tlsplug: transfer stalled");
			return -1;
		}
	}
	return 0;
}

/* ---- sockets -------------------------------------------------------- */

static void *
tp_fd_new(void *ctx, int server, int fd, char *err)
{
	struct tlsplug_socket *s = NULL;
	struct tlsplug_error *e = NULL;
	int rc;

	rc = tlsplug_socket_new(ctx, fd, server ? NULL : BENCH_HOSTNAME, &s, &e);
	if (rc != TLSPLUG_OK) {
		tp_err_free(err, "tlsplug_socket_new", e, rc);
		return NULL;
	}
	return s;
}

static int
tp_fd_handshake(void *c, char *err)
{
	int rc = tlsplug_socket_handshake(c);

	if (rc != TLSPLUG_OK)
		return tp_err(err, "handshake", tlsplug_socket_error(c), rc);
	return 0;
}

static int
tp_fd_write(void *c, const void *buf, size_t len, char *err)
{
	size_t n;
	int rc = tlsplug_socket_send_all(c, buf, len, &n);

	if (rc != TLSPLUG_OK)
		return tp_err(err, "send", tlsplug_socket_error(c), rc);
	return 0;
}

static long
tp_fd_read(void *c, void *buf, size_t len, char *err)
{
	size_t n;
	int rc = tlsplug_socket_recv(c, buf, len, &n);

	if (rc == TLSPLUG_OK)
		return (long)n;
	if (rc == TLSPLUG_CLOSED)
		return 0;
	tp_err(err, "recv", tlsplug_socket_error(c), rc);
	return -1;
}

static void
tp_fd_free(void *c)
{
	if (c != NULL)
		tlsplug_socket_shutdown(c);
	tlsplug_socket_free(c);
}

/* ---- resumption ------------------------------------------------------ */

static int
tp_pair_get_session(void *vp, void **sess, char *err)
{
	struct tp_pair *p = vp;
	struct tlsplug_session *s = tlsplug_conn_session(p->c[0]);

	if (s == NULL) {
		snprintf(err, BENCH_ERRLEN, "tlsplug: no session");
		return -1;
	}
	tlsplug_session_unref(*sess);
	*sess = s;
	return 0;
}

static int
tp_pair_set_session(void *vp, void *sess, char *err)
{
	struct tp_pair *p = vp;
	int rc = tlsplug_conn_set_session(p->c[0], sess);

	if (rc != TLSPLUG_OK)
		return tp_err(err, "set_session", tlsplug_conn_error(p->c[0]),
		              rc);
	return 0;
}

static int
tp_pair_resumed(void *vp)
{
	struct tp_pair *p = vp;

	return tlsplug_conn_resumed(p->c[0]);
}

static void
tp_session_free(void *sess)
{
	tlsplug_session_unref(sess);
}

static const struct bench_native tp_side = {
	.name = "tlsplug",
	.engine_version = tp_engine_version,
	.gen_certs = NULL,
	.startup_client_ctx = tp_startup_client_ctx,
	.ctx_new = tp_ctx_new,
	.ctx_free = tp_ctx_free,
	.pair_new = tp_pair_new,
	.pair_handshake = tp_pair_handshake,
	.pair_transfer = tp_pair_transfer,
	.pair_free = tp_pair_free,
	.pair_group = NULL,
	.fd_new = tp_fd_new,
	.fd_handshake = tp_fd_handshake,
	.fd_write = tp_fd_write,
	.fd_read = tp_fd_read,
	.fd_free = tp_fd_free,
	.pair_get_session = tp_pair_get_session,
	.pair_set_session = tp_pair_set_session,
	.pair_resumed = tp_pair_resumed,
	.session_free = tp_session_free,
};

/* The same side without the session hooks, for a backend without
 * TLSPLUG_CAP_SESSIONS (the resumed cases are then not run). */
static struct bench_native tp_side_no_sessions;

const struct bench_native *
bench_tlsplug_side(const struct tlsplug_backend *b, const char *name)
{
	tp_backend = b;
	tp_name = name;
	if (b == NULL || (tlsplug_backend_caps(b) & TLSPLUG_CAP_SESSIONS))
		return &tp_side;
	tp_side_no_sessions = tp_side;
	tp_side_no_sessions.pair_get_session = NULL;
	tp_side_no_sessions.pair_set_session = NULL;
	tp_side_no_sessions.pair_resumed = NULL;
	return &tp_side_no_sessions;
}
