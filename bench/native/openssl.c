/*
 * native/openssl.c -- the OpenSSL half of tlsplug-bench: the benchmark's
 * measurements done by calling OpenSSL directly (no tlsplug), linked into
 * the bench program only.  In memory, each SSL object gets a custom BIO over
 * its own incoming and outgoing byte queues and the driver moves ciphertext
 * between the two ends, which is the shape of tlsplug's buffer API; on
 * sockets, OpenSSL's own fd BIO.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench/bench.h"

static void
ossl_err(char *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[200];

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "no OpenSSL error queued");
	snprintf(err, BENCH_ERRLEN, "openssl: %s: %s", what, buf);
	ERR_clear_error();
}

static const char *
ossl_engine_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

/* ---- test PKI ------------------------------------------------------- */

static char *
ossl_pem_of(int (*wr)(BIO *, const void *), const void *obj)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (b == NULL)
		return NULL;
	if (wr(b, obj) == 1) {
		n = BIO_get_mem_data(b, &data);
		out = malloc((size_t)n + 1);
		if (out != NULL) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(b);
	return out;
}

static int
ossl_wr_x509(BIO *b, const void *x)
{
	return PEM_write_bio_X509(b, (X509 *)x);
}

static int
ossl_wr_key(BIO *b, const void *k)
{
	return PEM_write_bio_PrivateKey(b, (EVP_PKEY *)k, NULL, NULL, 0,
	                                NULL, NULL);
}

static int
ossl_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for key, signed by ca_key (ca NULL: self-signed CA). */
static X509 *
ossl_make_cert(EVP_PKEY *key, const char *cn, X509 *ca, EVP_PKEY *ca_key,
               long serial)
{
	X509 *x = X509_new();
	X509_NAME *name;
	int ok;

	if (x == NULL)
		return NULL;
	name = X509_get_subject_name(x);
	ok = X509_set_version(x, 2) &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) != NULL &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	        (const unsigned char *)cn, -1, -1, 0) &&
	    X509_set_issuer_name(x, ca != NULL ? X509_get_subject_name(ca)
	                                       : name) &&
	    X509_set_pubkey(x, key);
	if (ok && ca == NULL)
		ok = ossl_add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
		    ossl_add_ext(x, x, NID_key_usage,
		        "critical,keyCertSign,cRLSign") &&
		    ossl_add_ext(x, x, NID_subject_key_identifier, "hash");
	else if (ok)
		ok = ossl_add_ext(x, ca, NID_basic_constraints, "CA:FALSE") &&
		    ossl_add_ext(x, ca, NID_key_usage,
		        "critical,digitalSignature,keyEncipherment") &&
		    ossl_add_ext(x, ca, NID_ext_key_usage, "serverAuth") &&
		    ossl_add_ext(x, ca, NID_subject_alt_name,
		        "DNS:" BENCH_HOSTNAME) &&
		    ossl_add_ext(x, ca, NID_authority_key_identifier,
		        "keyid:always");
	if (ok)
		ok = X509_sign(x, ca_key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
ossl_gen_certs(struct bench_certs *out, char *err)
{
	EVP_PKEY *ca_key = EVP_EC_gen("P-256");
	EVP_PKEY *keys[2] = { EVP_EC_gen("P-256"), EVP_RSA_gen(2048) };
	X509 *ca = NULL, *leaf[2] = { NULL, NULL };
	int i, rc = -1;

	memset(out, 0, sizeof(*out));
	if (ca_key == NULL || keys[0] == NULL || keys[1] == NULL) {
		ossl_err(err, "key generation");
		goto done;
	}
	ca = ossl_make_cert(ca_key, "tlsplug-bench CA", NULL, ca_key, 1);
	if (ca == NULL) {
		ossl_err(err, "CA certificate");
		goto done;
	}
	out->ca = ossl_pem_of(ossl_wr_x509, ca);
	for (i = 0; i < 2; i++) {
		leaf[i] = ossl_make_cert(keys[i], BENCH_HOSTNAME, ca, ca_key,
		                         2 + i);
		if (leaf[i] == NULL) {
			ossl_err(err, "leaf certificate");
			goto done;
		}
		out->leaf[i] = ossl_pem_of(ossl_wr_x509, leaf[i]);
		out->key[i] = ossl_pem_of(ossl_wr_key, keys[i]);
	}
	if (out->ca == NULL || out->leaf[0] == NULL || out->leaf[1] == NULL ||
	    out->key[0] == NULL || out->key[1] == NULL) {
		snprintf(err, BENCH_ERRLEN, "openssl: PEM encoding failed");
		goto done;
	}
	rc = 0;
done:
	X509_free(ca);
	for (i = 0; i < 2; i++) {
		X509_free(leaf[i]);
		EVP_PKEY_free(keys[i]);
	}
	EVP_PKEY_free(ca_key);
	return rc;
}

/* ---- contexts ------------------------------------------------------- */

/* volatile: the store must survive optimisation, so the context stays
 * reachable until exit (leak checkers see it). */
static SSL_CTX *volatile ossl_startup_ctx;

static int
ossl_startup_client_ctx(char *err)
{
	/* What a program does to get its first client context: the defaults
	 * tlsplug's defaults map to (TLS 1.2 minimum, peer verification,
	 * the system trust store). */
	SSL_CTX *ctx;

	if (OPENSSL_init_ssl(0, NULL) != 1) {
		ossl_err(err, "OPENSSL_init_ssl");
		return -1;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		ossl_err(err, "SSL_CTX_new");
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ossl_err(err, "SSL_CTX_set_default_verify_paths");
		SSL_CTX_free(ctx);
		return -1;
	}
	ossl_startup_ctx = ctx;   /* kept, as a program keeps it */
	return ossl_startup_ctx != NULL ? 0 : -1;
}

static int
ossl_use_pem(SSL_CTX *ctx, const char *cert, const char *key)
{
	BIO *b;
	X509 *x;
	EVP_PKEY *k;
	int ok;

	b = BIO_new_mem_buf(cert, -1);
	x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	b = BIO_new_mem_buf(key, -1);
	k = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ok = x != NULL && k != NULL && SSL_CTX_use_certificate(ctx, x) == 1 &&
	    SSL_CTX_use_PrivateKey(ctx, k) == 1 &&
	    SSL_CTX_check_private_key(ctx) == 1;
	X509_free(x);
	EVP_PKEY_free(k);
	return ok;
}

static int
ossl_trust_pem(SSL_CTX *ctx, const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	int ok;

	BIO_free(b);
	ok = x != NULL &&
	    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) == 1;
	X509_free(x);
	return ok;
}

static void *
ossl_ctx_new(enum bench_profile p, int server, const struct bench_certs *certs,
             char *err)
{
	enum bench_keytype kt = bench_profile_key(p);
	SSL_CTX *ctx;
	int v = p == BENCH_TLS12_RSA ? TLS1_2_VERSION : TLS1_3_VERSION;
	int ok;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL) {
		ossl_err(err, "SSL_CTX_new");
		return NULL;
	}
	ok = SSL_CTX_set_min_proto_version(ctx, v) == 1 &&
	    SSL_CTX_set_max_proto_version(ctx, v) == 1;
	if (ok && p == BENCH_TLS12_RSA)
		ok = SSL_CTX_set_cipher_list(ctx,
		    "ECDHE-RSA-AES128-GCM-SHA256") == 1;
	else if (ok && p == BENCH_TLS13_AES128GCM)
		ok = SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") == 1;
	else if (ok && p == BENCH_TLS13_CHACHA20)
		ok = SSL_CTX_set_ciphersuites(ctx,
		    "TLS_CHACHA20_POLY1305_SHA256") == 1;
	if (ok && server)
		ok = ossl_use_pem(ctx, certs->leaf[kt], certs->key[kt]);
	if (ok && !server) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		ok = ossl_trust_pem(ctx, certs->ca);
	}
	if (!ok) {
		ossl_err(err, "context setup");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void
ossl_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

/* ---- in-memory transport: a BIO over two byte queues ----------------- */

struct ossl_end {
	SSL *ssl;
	struct bench_queue in;    /* ciphertext from the peer */
	struct bench_queue out;   /* ciphertext for the peer */
	int done;
};

struct ossl_pair {
	struct ossl_end end[2];   /* 0: client, 1: server */
	int live;                 /* bit 0: client, bit 1: server */
};

static BIO_METHOD *ossl_queue_method;

static int
ossl_bio_write(BIO *b, const char *data, int len)
{
	struct ossl_end *e = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (bench_queue_push(&e->out, data, (size_t)len) != 0)
		return -1;
	return len;
}

static int
ossl_bio_read(BIO *b, char *data, int len)
{
	struct ossl_end *e = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	n = bench_queue_pull(&e->in, data, (size_t)len);
	if (n == 0) {
		if (e->in.eof)
			return 0;
		BIO_set_retry_read(b);
		return -1;
	}
	return (int)n;
}

static long
ossl_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int
ossl_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
ossl_bio_setup(void)
{
	BIO_METHOD *m;

	if (ossl_queue_method != NULL)
		return 1;
	m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	                 "bench queue");
	if (m == NULL)
		return 0;
	BIO_meth_set_write(m, ossl_bio_write);
	BIO_meth_set_read(m, ossl_bio_read);
	BIO_meth_set_ctrl(m, ossl_bio_ctrl);
	BIO_meth_set_create(m, ossl_bio_create);
	ossl_queue_method = m;
	return 1;
}

static void
ossl_pair_free(void *vp, int sides)
{
	struct ossl_pair *p = vp;
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if ((sides & (1 << i)) && (p->live & (1 << i))) {
			SSL_free(p->end[i].ssl);
			bench_queue_free(&p->end[i].in);
			bench_queue_free(&p->end[i].out);
			p->live &= ~(1 << i);
		}
	}
	if (p->live == 0)
		free(p);
}

static void *
ossl_pair_new(void *cctx, void *sctx, char *err)
{
	struct ossl_pair *p;
	int i;

	if (!ossl_bio_setup()) {
		ossl_err(err, "BIO_meth_new");
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, BENCH_ERRLEN, "out of memory");
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		struct ossl_end *e = &p->end[i];
		BIO *b;

		e->ssl = SSL_new(i == 0 ? cctx : sctx);
		if (e->ssl == NULL)
			goto fail;
		p->live |= 1 << i;
		b = BIO_new(ossl_queue_method);
		if (b == NULL)
			goto fail;
		BIO_set_data(b, e);
		SSL_set_bio(e->ssl, b, b);
		if (i == 0) {
			SSL_set_connect_state(e->ssl);
			if (SSL_set_tlsext_host_name(e->ssl, BENCH_HOSTNAME) != 1 ||
			    SSL_set1_host(e->ssl, BENCH_HOSTNAME) != 1)
				goto fail;
		} else {
			SSL_set_accept_state(e->ssl);
		}
	}
	return p;
fail:
	ossl_err(err, "SSL_new");
	ossl_pair_free(p, 3);
	return NULL;
}

/* Moves pending ciphertext to the other end (the "network"). */
static int
ossl_pump(struct ossl_pair *p)
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
ossl_step_ok(SSL *ssl, int rc)
{
	int e = SSL_get_error(ssl, rc);

	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static int
ossl_pair_handshake(void *vp, char *err)
{
	struct ossl_pair *p = vp;
	unsigned char b[1];
	size_t n;
	int i, rounds, rc;

	for (rounds = 0; rounds < 64; rounds++) {
		for (i = 0; i < 2; i++) {
			struct ossl_end *e = &p->end[i];

			if (e->done)
				continue;
			rc = SSL_do_handshake(e->ssl);
			if (rc == 1)
				e->done = 1;
			else if (!ossl_step_ok(e->ssl, rc)) {
				ossl_err(err, "handshake");
				return -1;
			}
		}
		if (ossl_pump(p) != 0)
			goto nomem;
		if (p->end[0].done && p->end[1].done)
			break;
	}
	if (!p->end[0].done || !p->end[1].done) {
		snprintf(err, BENCH_ERRLEN, "openssl: handshake did not finish");
		return -1;
	}
	/* Consume what followed the handshake (session tickets). */
	for (i = 0; i < 2; i++) {
		rc = SSL_read_ex(p->end[i].ssl, b, sizeof(b), &n);
		if (rc != 1 && !ossl_step_ok(p->end[i].ssl, 0)) {
			ossl_err(err, "post-handshake read");
			return -1;
		}
		if (ossl_pump(p) != 0)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, BENCH_ERRLEN, "out of memory");
	return -1;
}

static int
ossl_pair_transfer(void *vp, const unsigned char *buf, size_t total, char *err)
{
	/* Outside the pair, so it does not count as per-connection memory;
	 * transfers run on one thread. */
	static unsigned char rbuf[BENCH_CHUNK];
	struct ossl_pair *p = vp;
	SSL *c = p->end[0].ssl, *s = p->end[1].ssl;
	size_t sent = 0, got = 0, n;

	while (got < total) {
		if (sent < total) {
			size_t len = total - sent < BENCH_CHUNK ? total - sent
			                                        : BENCH_CHUNK;

			if (SSL_write_ex(c, buf, len, &n) != 1) {
				ossl_err(err, "SSL_write");
				return -1;
			}
			sent += n;
			if (ossl_pump(p) != 0) {
				snprintf(err, BENCH_ERRLEN, "out of memory");
				return -1;
			}
		}
		for (;;) {
			if (SSL_read_ex(s, rbuf, sizeof(rbuf), &n) == 1) {
				got += n;
				continue;
			}
			if (SSL_get_error(s, 0) != SSL_ERROR_WANT_READ) {
				ossl_err(err, "SSL_read");
				return -1;
			}
			break;
		}
		if (sent >= total && got < total) {
			snprintf(err, BENCH_ERRLEN, "openssl: transfer stalled");
			return -1;
		}
	}
	return 0;
}

static const char *
ossl_pair_group(void *vp)
{
	struct ossl_pair *p = vp;
	int nid = SSL_get_negotiated_group(p->end[0].ssl);

	return nid > 0 ? OBJ_nid2sn(nid) : NULL;
}

/* ---- sockets -------------------------------------------------------- */

static void *
ossl_fd_new(void *ctx, int server, int fd, char *err)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    (!server && (SSL_set_tlsext_host_name(ssl, BENCH_HOSTNAME) != 1 ||
	                 SSL_set1_host(ssl, BENCH_HOSTNAME) != 1))) {
		ossl_err(err, "SSL_new");
		SSL_free(ssl);
		return NULL;
	}
	if (server)
		SSL_set_accept_state(ssl);
	else
		SSL_set_connect_state(ssl);
	return ssl;
}

static int
ossl_fd_handshake(void *c, char *err)
{
	if (SSL_do_handshake(c) != 1) {
		ossl_err(err, "handshake");
		return -1;
	}
	return 0;
}

static int
ossl_fd_write(void *c, const void *buf, size_t len, char *err)
{
	size_t n;

	while (len > 0) {
		if (SSL_write_ex(c, buf, len, &n) != 1) {
			ossl_err(err, "SSL_write");
			return -1;
		}
		buf = (const unsigned char *)buf + n;
		len -= n;
	}
	return 0;
}

static long
ossl_fd_read(void *c, void *buf, size_t len, char *err)
{
	size_t n;

	if (SSL_read_ex(c, buf, len, &n) == 1)
		return (long)n;
	if (SSL_get_error(c, 0) == SSL_ERROR_ZERO_RETURN)
		return 0;
	ossl_err(err, "SSL_read");
	return -1;
}

static void
ossl_fd_free(void *c)
{
	if (c != NULL)
		SSL_shutdown(c);
	SSL_free(c);
}

/* ---- resumption ------------------------------------------------------ */

static int
ossl_pair_get_session(void *vp, void **sess, char *err)
{
	struct ossl_pair *p = vp;
	/* A copy: SSL_free without a close_notify marks the connection's
	 * own session not resumable, as a client caching sessions copes
	 * with by holding its own (tlsplug keeps the serialised bytes). */
	SSL_SESSION *s = SSL_get0_session(p->end[0].ssl) != NULL ?
	    SSL_SESSION_dup(SSL_get0_session(p->end[0].ssl)) : NULL;

	if (s == NULL) {
		snprintf(err, BENCH_ERRLEN, "openssl: no session");
		return -1;
	}
	SSL_SESSION_free(*sess);
	*sess = s;
	return 0;
}

static int
ossl_pair_set_session(void *vp, void *sess, char *err)
{
	struct ossl_pair *p = vp;

	if (SSL_set_session(p->end[0].ssl, sess) != 1) {
		ossl_err(err, "SSL_set_session");
		return -1;
	}
	return 0;
}

static int
ossl_pair_resumed(void *vp)
{
	struct ossl_pair *p = vp;

	return SSL_session_reused(p->end[0].ssl);
}

static void
ossl_session_free(void *sess)
{
	SSL_SESSION_free(sess);
}

const struct bench_native bench_native_openssl = {
	.name = "openssl",
	.engine_version = ossl_engine_version,
	.gen_certs = ossl_gen_certs,
	.startup_client_ctx = ossl_startup_client_ctx,
	.ctx_new = ossl_ctx_new,
	.ctx_free = ossl_ctx_free,
	.pair_new = ossl_pair_new,
	.pair_handshake = ossl_pair_handshake,
	.pair_transfer = ossl_pair_transfer,
	.pair_free = ossl_pair_free,
	.pair_group = ossl_pair_group,
	.pair_get_session = ossl_pair_get_session,
	.pair_set_session = ossl_pair_set_session,
	.pair_resumed = ossl_pair_resumed,
	.session_free = ossl_session_free,
	.fd_new = ossl_fd_new,
	.fd_handshake = ossl_fd_handshake,
	.fd_write = ossl_fd_write,
	.fd_read = ossl_fd_read,
	.fd_free = ossl_fd_free,
};
