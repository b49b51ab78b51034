/*
 * native/gnutls.c -- the GnuTLS half of tlsplug-bench: the benchmark's
 * measurements done by calling GnuTLS directly (no tlsplug), linked into
 * the bench program only.  In memory, each session gets push/pull functions
 * over its own incoming and outgoing byte queues and the driver moves
 * ciphertext between the two ends, which is the shape of tlsplug's buffer
 * API; on sockets, GnuTLS's own fd transport.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "bench/bench.h"

/*
 * Priority strings.  They follow what the tlsplug GnuTLS plugin builds from
 * the same settings (the engine's default "NORMAL" with the version range
 * and suites of the profile), so both sides negotiate the same parameters,
 * groups included.
 */
static const char *const gt_priorities[BENCH_PROFILE_COUNT] = {
	[BENCH_TLS13_ECDSA] = "NORMAL:-VERS-ALL:+VERS-TLS1.3",
	[BENCH_TLS12_RSA] = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:"
	    "+AES-128-GCM:-KX-ALL:+ECDHE-RSA:-MAC-ALL:+AEAD",
	[BENCH_TLS13_AES128GCM] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:"
	    "+AES-128-GCM",
	[BENCH_TLS13_CHACHA20] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:"
	    "+CHACHA20-POLY1305",
};

static int
gt_err(char *err, const char *what, int rc)
{
	snprintf(err, BENCH_ERRLEN, "gnutls: %s: %s", what, gnutls_strerror(rc));
	return -1;
}

static const char *
gt_engine_version(void)
{
	static char buf[64];

	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "GnuTLS %s", gnutls_check_version(NULL));
	return buf;
}

/* ---- test PKI ------------------------------------------------------- */

static char *
gt_pem_dup(gnutls_datum_t *d)
{
	char *s = malloc(d->size + 1);

	if (s != NULL) {
		memcpy(s, d->data, d->size);
		s[d->size] = '\0';
	}
	gnutls_free(d->data);
	d->data = NULL;
	return s;
}

static int
gt_make_cert(gnutls_x509_crt_t *out, gnutls_x509_privkey_t key,
             const char *cn, gnutls_x509_crt_t ca, gnutls_x509_privkey_t ca_key,
             unsigned char serial)
{
	gnutls_x509_crt_t c;
	unsigned char id[64];
	size_t idlen = sizeof(id);
	time_t now = time(NULL);
	int rc;

	rc = gnutls_x509_crt_init(&c);
	if (rc < 0)
		return rc;
	if ((rc = gnutls_x509_crt_set_version(c, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(c, &serial, 1)) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(c, now - 86400)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(c, now + 30 * 86400)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME,
	        0, cn, (unsigned)strlen(cn))) < 0 ||
	    (rc = gnutls_x509_crt_set_key(c, key)) < 0 ||
	    (rc = gnutls_x509_crt_get_key_id(c, 0, id, &idlen)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_key_id(c, id, idlen)) < 0)
		goto fail;
	if (ca == NULL) {
		if ((rc = gnutls_x509_crt_set_basic_constraints(c, 1, -1)) < 0 ||
		    (rc = gnutls_x509_crt_set_key_usage(c,
		        GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) < 0 ||
		    (rc = gnutls_x509_crt_sign2(c, c, key, GNUTLS_DIG_SHA256,
		        0)) < 0)
			goto fail;
	} else {
		idlen = sizeof(id);
		if ((rc = gnutls_x509_crt_set_basic_constraints(c, 0, -1)) < 0 ||
		    (rc = gnutls_x509_crt_set_key_usage(c,
		        GNUTLS_KEY_DIGITAL_SIGNATURE |
		        GNUTLS_KEY_KEY_ENCIPHERMENT)) < 0 ||
		    (rc = gnutls_x509_crt_set_key_purpose_oid(c,
		        GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
		    (rc = gnutls_x509_crt_set_subject_alt_name(c,
		        GNUTLS_SAN_DNSNAME, BENCH_HOSTNAME,
		        (unsigned)strlen(BENCH_HOSTNAME), GNUTLS_FSAN_SET)) < 0 ||
		    (rc = gnutls_x509_crt_get_subject_key_id(ca, id, &idlen,
		        NULL)) < 0 ||
		    (rc = gnutls_x509_crt_set_authority_key_id(c, id, idlen)) < 0 ||
		    (rc = gnutls_x509_crt_sign2(c, ca, ca_key, GNUTLS_DIG_SHA256,
		        0)) < 0)
			goto fail;
	}
	*out = c;
	return 0;
fail:
	gnutls_x509_crt_deinit(c);
	return rc;
}

static int
gt_gen_certs(struct bench_certs *out, char *err)
{
	gnutls_x509_privkey_t ca_key = NULL, keys[2] = { NULL, NULL };
	gnutls_x509_crt_t ca = NULL, leaf[2] = { NULL, NULL };
	gnutls_datum_t d = { NULL, 0 };
	int i, rc, ret = -1;

	memset(out, 0, sizeof(*out));
	if ((rc = gnutls_x509_privkey_init(&ca_key)) < 0 ||
	    (rc = gnutls_x509_privkey_generate(ca_key, GNUTLS_PK_ECDSA,
	        GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
	    (rc = gnutls_x509_privkey_init(&keys[0])) < 0 ||
	    (rc = gnutls_x509_privkey_generate(keys[0], GNUTLS_PK_ECDSA,
	        GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
	    (rc = gnutls_x509_privkey_init(&keys[1])) < 0 ||
	    (rc = gnutls_x509_privkey_generate(keys[1], GNUTLS_PK_RSA, 2048,
	        0)) < 0) {
		gt_err(err, "key generation", rc);
		goto done;
	}
	if ((rc = gt_make_cert(&ca, ca_key, "tlsplug-bench CA", NULL, NULL,
	    1)) < 0 ||
	    (rc = gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_PEM, &d)) < 0) {
		gt_err(err, "CA certificate", rc);
		goto done;
	}
	out->ca = gt_pem_dup(&d);
	for (i = 0; i < 2; i++) {
		if ((rc = gt_make_cert(&leaf[i], keys[i], BENCH_HOSTNAME, ca,
		    ca_key, (unsigned char)(2 + i))) < 0 ||
		    (rc = gnutls_x509_crt_export2(leaf[i], GNUTLS_X509_FMT_PEM,
		        &d)) < 0) {
			gt_err(err, "leaf certificate", rc);
			goto done;
		}
		out->leaf[i] = gt_pem_dup(&d);
		if ((rc = gnutls_x509_privkey_export2_pkcs8(keys[i],
		    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d)) < 0) {
			gt_err(err, "key export", rc);
			goto done;
		}
		out->key[i] = gt_pem_dup(&d);
	}
	if (out->ca == NULL || out->leaf[0] == NULL || out->leaf[1] == NULL ||
	    out->key[0] == NULL || out->key[1] == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		goto done;
	}
	ret = 0;
done:
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_privkey_deinit(ca_key);
	for (i = 0; i < 2; i++) {
		if (leaf[i] != NULL)
			gnutls_x509_crt_deinit(leaf[i]);
		gnutls_x509_privkey_deinit(keys[i]);
	}
	return ret;
}

/* ---- contexts ------------------------------------------------------- */

struct gt_ctx {
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	int server;
	gnutls_datum_t ticket_key;   /* server: session tickets */
};

/* The start-up context, kept until exit as a program keeps it (volatile:
 * the store must survive optimisation so leak checkers see it). */
static struct gt_ctx *volatile gt_startup_ctx;

static int
gt_startup_client_ctx(char *err)
{
	/* What a program does to get its first client context: the defaults
	 * tlsplug's defaults map to (NORMAL priorities from TLS 1.2 up, the
	 * system trust store). */
	struct gt_ctx *c;
	int rc;

	if ((rc = gnutls_global_init()) < 0)
		return gt_err(err, "gnutls_global_init", rc);
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return -1;
	}
	gt_startup_ctx = c;
	if ((rc = gnutls_certificate_allocate_credentials(&c->cred)) < 0)
		return gt_err(err, "credentials", rc);
	if ((rc = gnutls_certificate_set_x509_system_trust(c->cred)) < 0)
		return gt_err(err, "system trust", rc);
	if ((rc = gnutls_priority_init2(&c->prio,
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", NULL, 0)) < 0)
		return gt_err(err, "priority", rc);
	return 0;
}

static void
gt_ctx_free(void *vc)
{
	struct gt_ctx *c = vc;

	if (c == NULL)
		return;
	if (c->prio != NULL)
		gnutls_priority_deinit(c->prio);
	if (c->cred != NULL)
		gnutls_certificate_free_credentials(c->cred);
	gnutls_free(c->ticket_key.data);
	free(c);
}

static void *
gt_ctx_new(enum bench_profile p, int server, const struct bench_certs *certs,
           char *err)
{
	enum bench_keytype kt = bench_profile_key(p);
	struct gt_ctx *c = calloc(1, sizeof(*c));
	gnutls_datum_t a, b;
	int rc;

	if (c == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	c->server = server;
	if ((rc = gnutls_certificate_allocate_credentials(&c->cred)) < 0 ||
	    (rc = gnutls_priority_init2(&c->prio, gt_priorities[p], NULL,
	        0)) < 0) {
		gt_err(err, "context setup", rc);
		goto fail;
	}
	if (server) {
		a.data = (unsigned char *)certs->leaf[kt];
		a.size = (unsigned)strlen(certs->leaf[kt]);
		b.data = (unsigned char *)certs->key[kt];
		b.size = (unsigned)strlen(certs->key[kt]);
		rc = gnutls_certificate_set_x509_key_mem2(c->cred, &a, &b,
		    GNUTLS_X509_FMT_PEM, NULL, 0);
		/* Tickets on, as the plugin's servers have them. */
		if (rc >= 0)
			rc = gnutls_session_ticket_key_generate(
			    &c->ticket_key);
	} else {
		a.data = (unsigned char *)certs->ca;
		a.size = (unsigned)strlen(certs->ca);
		rc = gnutls_certificate_set_x509_trust_mem(c->cred, &a,
		    GNUTLS_X509_FMT_PEM);
	}
	if (rc < 0) {
		gt_err(err, server ? "certificate" : "trust", rc);
		goto fail;
	}
	return c;
fail:
	gt_ctx_free(c);
	return NULL;
}

static gnutls_session_t
gt_session_new(struct gt_ctx *ctx, unsigned flags, char *err)
{
	gnutls_session_t s;
	int rc;

	rc = gnutls_init(&s, (ctx->server ? GNUTLS_SERVER : GNUTLS_CLIENT) |
	                     flags);
	if (rc < 0) {
		gt_err(err, "gnutls_init", rc);
		return NULL;
	}
	if ((rc = gnutls_priority_set(s, ctx->prio)) < 0 ||
	    (rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	        ctx->cred)) < 0 ||
	    (!ctx->server && (rc = gnutls_server_name_set(s, GNUTLS_NAME_DNS,
	        BENCH_HOSTNAME, strlen(BENCH_HOSTNAME))) < 0)) {
		gt_err(err, "session setup", rc);
		gnutls_deinit(s);
		return NULL;
	}
	if (!ctx->server)
		gnutls_session_set_verify_cert(s, BENCH_HOSTNAME, 0);
	if (ctx->server && ctx->ticket_key.data != NULL &&
	    (rc = gnutls_session_ticket_enable_server(s,
	        &ctx->ticket_key)) < 0) {
		gt_err(err, "tickets", rc);
		gnutls_deinit(s);
		return NULL;
	}
	return s;
}

/* ---- in-memory transport: push/pull over two byte queues -------------- */

struct gt_end {
	gnutls_session_t s;
	struct bench_queue in;    /* ciphertext from the peer */
	struct bench_queue out;   /* ciphertext for the peer */
	int done;
};

struct gt_pair {
	struct gt_end end[2];     /* 0: client, 1: server */
	int live;
};

static ssize_t
gt_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	struct gt_end *e = ptr;

	if (bench_queue_push(&e->out, data, len) != 0) {
		gnutls_transport_set_errno(e->s, ENOMEM);
		return -1;
	}
	return (ssize_t)len;
}

static ssize_t
gt_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct gt_end *e = ptr;
	size_t n = bench_queue_pull(&e->in, data, len);

	if (n == 0 && !e->in.eof) {
		gnutls_transport_set_errno(e->s, EAGAIN);
		return -1;
	}
	return (ssize_t)n;
}

static int
gt_pull_timeout(gnutls_transport_ptr_t ptr, unsigned ms)
{
	struct gt_end *e = ptr;

	(void)ms;
	return bench_queue_len(&e->in) > 0 || e->in.eof ? 1 : 0;
}

static void
gt_pair_free(void *vp, int sides)
{
	struct gt_pair *p = vp;
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if ((sides & (1 << i)) && (p->live & (1 << i))) {
			gnutls_deinit(p->end[i].s);
			bench_queue_free(&p->end[i].in);
			bench_queue_free(&p->end[i].out);
			p->live &= ~(1 << i);
		}
	}
	if (p->live == 0)
		free(p);
}

static void *
gt_pair_new(void *cctx, void *sctx, char *err)
{
	struct gt_pair *p = calloc(1, sizeof(*p));
	int i;

	if (p == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		struct gt_end *e = &p->end[i];

		e->s = gt_session_new(i == 0 ? cctx : sctx, GNUTLS_NONBLOCK, err);
		if (e->s == NULL) {
			gt_pair_free(p, 3);
			return NULL;
		}
		p->live |= 1 << i;
		gnutls_transport_set_ptr(e->s, e);
		gnutls_transport_set_push_function(e->s, gt_push);
		gnutls_transport_set_pull_function(e->s, gt_pull);
		gnutls_transport_set_pull_timeout_function(e->s, gt_pull_timeout);
	}
	return p;
}

static int
gt_pump(struct gt_pair *p)
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
gt_pair_handshake(void *vp, char *err)
{
	struct gt_pair *p = vp;
	unsigned char b[1];
	int i, rounds, rc;

	for (rounds = 0; rounds < 64; rounds++) {
		for (i = 0; i < 2; i++) {
			struct gt_end *e = &p->end[i];

			if (e->done)
				continue;
			rc = gnutls_handshake(e->s);
			if (rc == GNUTLS_E_SUCCESS)
				e->done = 1;
			else if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED)
				return gt_err(err, "handshake", rc);
		}
		if (gt_pump(p) != 0)
			goto nomem;
		if (p->end[0].done && p->end[1].done)
			break;
	}
	if (!p->end[0].done || !p->end[1].done) {
		snprintf(err, BENCH_ERRLEN, "gnutls: handshake did not finish");
		return -1;
	}
	/* Consume what followed the handshake (session tickets). */
	for (i = 0; i < 2; i++) {
		ssize_t n = gnutls_record_recv(p->end[i].s, b, sizeof(b));

		if (n < 0 && n != GNUTLS_E_AGAIN)
			return gt_err(err, "post-handshake read", (int)n);
		if (gt_pump(p) != 0)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, BENCH_ERRLEN, "out of memory");
	return -1;
}

static int
gt_pair_transfer(void *vp, const unsigned char *buf, size_t total, char *err)
{
	/* Outside the pair, so it does not count as per-connection memory;
	 * transfers run on one thread. */
	static unsigned char rbuf[BENCH_CHUNK];
	struct gt_pair *p = vp;
	gnutls_session_t c = p->end[0].s, s = p->end[1].s;
	size_t sent = 0, got = 0;
	ssize_t n;

	while (got < total) {
		if (sent < total) {
			size_t len = total - sent < BENCH_CHUNK ? total - sent
			                                        : BENCH_CHUNK;

			n = gnutls_record_send(c, buf, len);
			if (n < 0)
				return gt_err(err, "gnutls_record_send", (int)n);
			sent += (size_t)n;
			if (gt_pump(p) != 0) {
				snprintf(err, BENCH_ERRLEN, "out of memory");
				return -1;
			}
		}
		for (;;) {
			n = gnutls_record_recv(s, rbuf, sizeof(rbuf));
			if (n > 0) {
				got += (size_t)n;
				continue;
			}
			if (n != GNUTLS_E_AGAIN)
				return gt_err(err, "gnutls_record_recv", (int)n);
			break;
		}
		if (sent >= total && got < total) {
			snprintf(err, BENCH_ERRLEN, "gnutls: transfer stalled");
			return -1;
		}
	}
	return 0;
}

static const char *
gt_pair_group(void *vp)
{
	struct gt_pair *p = vp;
	gnutls_group_t g = gnutls_group_get(p->end[0].s);

	return g != 0 ? gnutls_group_get_name(g) : NULL;
}

/* ---- sockets -------------------------------------------------------- */

static void *
gt_fd_new(void *ctx, int server, int fd, char *err)
{
	gnutls_session_t s;

	(void)server;
	s = gt_session_new(ctx, 0, err);
	if (s != NULL)
		gnutls_transport_set_int(s, fd);
	return s;
}

static int
gt_fd_handshake(void *c, char *err)
{
	int rc;

	do
		rc = gnutls_handshake(c);
	while (rc < 0 && gnutls_error_is_fatal(rc) == 0);
	return rc < 0 ? gt_err(err, "handshake", rc) : 0;
}

static int
gt_fd_write(void *c, const void *buf, size_t len, char *err)
{
	ssize_t n;

	while (len > 0) {
		n = gnutls_record_send(c, buf, len);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n < 0)
			return gt_err(err, "gnutls_record_send", (int)n);
		buf = (const unsigned char *)buf + n;
		len -= (size_t)n;
	}
	return 0;
}

static long
gt_fd_read(void *c, void *buf, size_t len, char *err)
{
	ssize_t n;

	do
		n = gnutls_record_recv(c, buf, len);
	while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
	if (n < 0)
		return gt_err(err, "gnutls_record_recv", (int)n);
	return (long)n;
}

static void
gt_fd_free(void *c)
{
	if (c != NULL) {
		gnutls_bye(c, GNUTLS_SHUT_WR);
		gnutls_deinit(c);
	}
}

/* ---- resumption ------------------------------------------------------ */

static int
gt_pair_get_session(void *vp, void **sess, char *err)
{
	struct gt_pair *p = vp;
	gnutls_datum_t *d = calloc(1, sizeof(*d));
	int rc;

	if (d == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return -1;
	}
	rc = gnutls_session_get_data2(p->end[0].s, d);
	if (rc < 0) {
		free(d);
		return gt_err(err, "gnutls_session_get_data2", rc);
	}
	if (*sess != NULL) {
		gnutls_free(((gnutls_datum_t *)*sess)->data);
		free(*sess);
	}
	*sess = d;
	return 0;
}

static int
gt_pair_set_session(void *vp, void *sess, char *err)
{
	struct gt_pair *p = vp;
	gnutls_datum_t *d = sess;
	int rc = gnutls_session_set_data(p->end[0].s, d->data, d->size);

	return rc < 0 ? gt_err(err, "gnutls_session_set_data", rc) : 0;
}

static int
gt_pair_resumed(void *vp)
{
	struct gt_pair *p = vp;

	return gnutls_session_is_resumed(p->end[0].s);
}

static void
gt_session_free(void *sess)
{
	gnutls_datum_t *d = sess;

	if (d == NULL)
		return;
	gnutls_free(d->data);
	free(d);
}

const struct bench_native bench_native_gnutls = {
	.name = "gnutls",
	.engine_version = gt_engine_version,
	.gen_certs = gt_gen_certs,
	.startup_client_ctx = gt_startup_client_ctx,
	.ctx_new = gt_ctx_new,
	.ctx_free = gt_ctx_free,
	.pair_new = gt_pair_new,
	.pair_handshake = gt_pair_handshake,
	.pair_transfer = gt_pair_transfer,
	.pair_free = gt_pair_free,
	.pair_group = gt_pair_group,
	.pair_get_session = gt_pair_get_session,
	.pair_set_session = gt_pair_set_session,
	.pair_resumed = gt_pair_resumed,
	.session_free = gt_session_free,
	.fd_new = gt_fd_new,
	.fd_handshake = gt_fd_handshake,
	.fd_write = gt_fd_write,
	.fd_read = gt_fd_read,
	.fd_free = gt_fd_free,
};
