/*
 * conn.c -- OpenSSL connections: the transport BIO over the core's
 * ciphertext buffers, handshake, read, write, shutdown, negotiated values,
 * and the mapping of OpenSSL failures to tlsplug's error categories.
 *
 * Version mismatch, seen from both sides: the side that detects it (it got
 * a ClientHello or ServerHello it cannot accept) reports
 * TLSPLUG_ERR_NO_SHARED_VERSION and sends a protocol_version alert; the
 * side that receives that alert reports TLSPLUG_ERR_ALERT_RECEIVED with
 * alert 70 (protocol_version).  Likewise no shared cipher: the server
 * reports TLSPLUG_ERR_NO_SHARED_CIPHER, the client the handshake_failure
 * alert it receives.
 */
#include "config.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Bound on internal retries while input is still available (each retry
 * consumes at least one buffered record). */
#define OSSLP_RETRY_MAX 1024

enum osslp_phase { OSSLP_HANDSHAKE, OSSLP_READ, OSSLP_WRITE, OSSLP_SHUTDOWN };

static const char *const osslp_phase_name[] = {
	"handshake", "read", "write", "shutdown"
};

/* ---- transport BIO ----------------------------------------------------- */

/* Set once by the plugin's init, read-only afterwards. */
static BIO_METHOD *osslp_bio_method;

static int
osslp_bio_read(BIO *b, char *buf, int len)
{
	struct osslp_conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	n = osslp_core->pull(c->host, buf, (size_t)len);
	if (n < 0) {
		c->would_block = 1;
		BIO_set_retry_read(b);
		return -1;
	}
	if (n == 0)
		c->eof = 1;
	return (int)n;
}

static int
osslp_bio_write(BIO *b, const char *buf, int len)
{
	struct osslp_conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	n = osslp_core->push(c->host, buf, (size_t)len);
	if (n < 0) {
		c->push_failed = 1;
		return -1;
	}
	return (int)n;
}

static int
osslp_bio_puts(BIO *b, const char *s)
{
	return osslp_bio_write(b, s, (int)strlen(s));
}

static long
osslp_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct osslp_conn *c = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		/* Lets OpenSSL tell a ragged EOF from a would-block. */
		return c != NULL && c->eof;
	default:
		return 0;
	}
}

static int
osslp_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
osslp_bio_destroy(BIO *b)
{
	BIO_set_data(b, NULL);
	return 1;
}

static BIO *
osslp_bio_new(struct osslp_conn *c)
{
	BIO *b = BIO_new(osslp_bio_method);

	if (b != NULL)
		BIO_set_data(b, c);
	return b;
}

int
osslp_bio_method_new(void)
{
	BIO_METHOD *m;
	int idx = BIO_get_new_index();

	if (idx == -1)
		return -1;
	m = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK, "tlsplug transport");
	if (m == NULL)
		return -1;
	if (!BIO_meth_set_write(m, osslp_bio_write) ||
	    !BIO_meth_set_read(m, osslp_bio_read) ||
	    !BIO_meth_set_puts(m, osslp_bio_puts) ||
	    !BIO_meth_set_ctrl(m, osslp_bio_ctrl) ||
	    !BIO_meth_set_create(m, osslp_bio_create) ||
	    !BIO_meth_set_destroy(m, osslp_bio_destroy)) {
		BIO_meth_free(m);
		return -1;
	}
	osslp_bio_method = m;
	return 0;
}

void
osslp_bio_method_free(void)
{
	BIO_meth_free(osslp_bio_method);
	osslp_bio_method = NULL;
}

/* ---- failures ---------------------------------------------------------- */

static void
osslp_begin(struct osslp_conn *c, struct tlsplug_error *err)
{
	/* SSL_get_error needs an empty queue; clearing an empty one still
	 * walks all its slots, so look first. */
	if (ERR_peek_error() != 0)
		ERR_clear_error();
	c->err = err;
	c->would_block = 0;
}

/* Category of an OpenSSL SSL-library reason; *alert gets the alert number
 * for a received alert.  0 when the reason has no specific category. */
static int
osslp_reason_category(int reason, int *alert)
{
	if (reason >= SSL_AD_REASON_OFFSET &&
	    reason < SSL_AD_REASON_OFFSET + 256) {
		*alert = reason - SSL_AD_REASON_OFFSET;
		return TLSPLUG_ERR_ALERT_RECEIVED;
	}
	switch (reason) {
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_UNSUPPORTED_SSL_VERSION:
	case SSL_R_WRONG_SSL_VERSION:
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_VERSION_TOO_LOW:
	case SSL_R_VERSION_TOO_HIGH:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
	case SSL_R_BAD_PROTOCOL_VERSION_NUMBER:
		return TLSPLUG_ERR_NO_SHARED_VERSION;
	case SSL_R_NO_SHARED_CIPHER:
	case SSL_R_NO_CIPHERS_AVAILABLE:
		return TLSPLUG_ERR_NO_SHARED_CIPHER;
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
		return TLSPLUG_ERR_PEER_NO_CERT;
	case SSL_R_CERTIFICATE_VERIFY_FAILED:
		return TLSPLUG_ERR_CERT_INVALID;   /* refined by the caller */
	case SSL_R_UNEXPECTED_EOF_WHILE_READING:
		return TLSPLUG_RAGGED_EOF;
	case SSL_R_PROTOCOL_IS_SHUTDOWN:
		return TLSPLUG_ERR_MISUSE;
	default:
		return 0;
	}
}

/* An end of transport without close_notify. */
static int
osslp_eof(struct osslp_conn *c, enum osslp_phase phase, long native)
{
	if (phase == OSSLP_HANDSHAKE)
		return osslp_core->set_error(c->err, TLSPLUG_ERR_IO, native,
			"the peer closed the connection during the handshake");
	return TLSPLUG_RAGGED_EOF;
}

/* Maps a failed SSL_* call (return value ret) to a status. */
static int
osslp_status(struct osslp_conn *c, int ret, enum osslp_phase phase)
{
	unsigned long code, first = 0, chosen = 0;
	int e = SSL_get_error(c->ssl, ret);
	int cat = 0, alert = -1;
	const char *reason;
	char buf[256];

	if (c->push_failed) {
		ERR_clear_error();
		return osslp_core->set_error(c->err, TLSPLUG_ERR_NOMEM, 0,
			"out of memory for outgoing ciphertext");
	}
	switch (e) {
	case SSL_ERROR_NONE:
		return TLSPLUG_OK;
	case SSL_ERROR_WANT_READ:
		return TLSPLUG_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLSPLUG_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		if (phase == OSSLP_HANDSHAKE)
			return osslp_core->set_error(c->err, TLSPLUG_ERR_IO, 0,
				"the peer closed the connection (close_notify) "
				"during the handshake");
		return TLSPLUG_CLOSED;
	default:
		break;
	}
	/* A callback of ours failed and said why. */
	if (c->cb_status < 0) {
		ERR_clear_error();
		return c->cb_status;
	}
	while ((code = ERR_get_error()) != 0) {
		if (first == 0)
			first = code;
		if (cat == 0 && ERR_GET_LIB(code) == ERR_LIB_SSL) {
			cat = osslp_reason_category(ERR_GET_REASON(code),
			                            &alert);
			if (cat != 0)
				chosen = code;
		}
	}
	if (chosen == 0)
		chosen = first;
	if (c->verify_error != 0) {
		/* The verify callback recorded the message already. */
		return osslp_verify_category(c->verify_error);
	}
	if (cat == TLSPLUG_ERR_CERT_INVALID) {
		long v = SSL_get_verify_result(c->ssl);

		return osslp_verify_failure(c, v != X509_V_OK ? (int)v :
		                            X509_V_ERR_UNSPECIFIED, v, 0, NULL);
	}
	if (cat == TLSPLUG_RAGGED_EOF)
		return osslp_eof(c, phase, (long)chosen);
	if (chosen == 0) {
		/* SSL_ERROR_SYSCALL with an empty queue: the transport. */
		if (c->eof)
			return osslp_eof(c, phase, 0);
		return osslp_core->set_error(c->err, TLSPLUG_ERR_IO, 0,
			"%s failed: transport error", osslp_phase_name[phase]);
	}
	reason = ERR_reason_error_string(chosen);
	if (reason == NULL) {
		ERR_error_string_n(chosen, buf, sizeof buf);
		reason = buf;
	}
	if (cat == TLSPLUG_ERR_ALERT_RECEIVED)
		return osslp_core->set_alert_error(c->err, alert, (long)chosen,
		                                   reason);
	if (cat == 0)
		cat = TLSPLUG_ERR_PROTOCOL;
	return osslp_core->set_error(c->err, cat, (long)chosen, "%s failed: %s",
	                             osslp_phase_name[phase], reason);
}

/* ---- entry points ------------------------------------------------------ */

static int
osslp_conn_init(void *conn_priv, void *ctx_priv, struct tlsplug_conn *host,
                const char *server_hostname, const char *sni_name,
                struct tlsplug_error *err)
{
	struct osslp_conn *c = conn_priv;
	struct osslp_ctx *ctx = ctx_priv;
	BIO *bio;

	memset(c, 0, sizeof *c);
	c->ctx = ctx;
	c->host = host;
	c->err = err;
	c->role = ctx->eng.role;
	/* The core checks the host name (core->check_peer). */
	(void)server_hostname;
	ERR_clear_error();
	c->ssl = SSL_new(ctx->eng.sctx[0]);
	bio = c->ssl != NULL ? osslp_bio_new(c) : NULL;
	if (bio == NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM,
		                             (long)ERR_get_error(),
		                             "cannot create SSL object");
	}
	SSL_set_bio(c->ssl, bio, bio);
	SSL_set_app_data(c->ssl, c);
	if (c->role == TLSPLUG_SERVER) {
		SSL_set_accept_state(c->ssl);
		return TLSPLUG_OK;
	}
	SSL_set_connect_state(c->ssl);
	/* The core decided the SNI name (none for IP literals); OpenSSL keeps
	 * its own copy. */
	if (sni_name != NULL) {
		if (!SSL_set_tlsext_host_name(c->ssl, sni_name)) {
			/* A failed init cleans up: no fini follows. */
			SSL_free(c->ssl);
			c->ssl = NULL;
			ERR_clear_error();
			return osslp_core->set_error(err, TLSPLUG_ERR_INVALID,
				0, "server host name \"%s\" cannot be sent as "
				"SNI", sni_name);
		}
	}
	return TLSPLUG_OK;
}

static void
osslp_conn_fini(void *conn_priv)
{
	struct osslp_conn *c = conn_priv;

	SSL_free(c->ssl);
	c->ssl = NULL;
}

static int
osslp_conn_handshake(void *conn_priv, struct tlsplug_error *err)
{
	struct osslp_conn *c = conn_priv;
	int i, r, rc = TLSPLUG_WANT_READ;

	for (i = 0; i < OSSLP_RETRY_MAX; i++) {
		osslp_begin(c, err);
		r = SSL_do_handshake(c->ssl);
		if (r == 1) {
			osslp_session_handshake_done(c);
			return TLSPLUG_OK;
		}
		rc = osslp_status(c, r, OSSLP_HANDSHAKE);
		/* Retry while the transport still had input. */
		if (rc != TLSPLUG_WANT_READ || c->would_block)
			break;
	}
	return rc;
}

static int
osslp_conn_read(void *conn_priv, void *buf, size_t len, size_t *nread,
                struct tlsplug_error *err)
{
	struct osslp_conn *c = conn_priv;
	int i, r, rc = TLSPLUG_WANT_READ;
	size_t n = 0;

	*nread = 0;
	if (len == 0)
		return TLSPLUG_OK;
	for (i = 0; i < OSSLP_RETRY_MAX; i++) {
		osslp_begin(c, err);
		r = SSL_read_ex(c->ssl, buf, len, &n);
		if (r == 1) {
			*nread = n;
			return TLSPLUG_OK;
		}
		rc = osslp_status(c, r, OSSLP_READ);
		/* A post-handshake message (ticket, KeyUpdate) was consumed;
		 * go on while the transport has input. */
		if (rc != TLSPLUG_WANT_READ || c->would_block)
			break;
	}
	return rc;
}

static int
osslp_conn_write(void *conn_priv, const void *buf, size_t len,
                 size_t *nwritten, struct tlsplug_error *err)
{
	struct osslp_conn *c = conn_priv;
	const unsigned char *p = buf;
	size_t total = 0, n;
	int r, rc = TLSPLUG_OK;

	*nwritten = 0;
	/* Partial writes return per record; the transport never blocks, so
	 * keep going until everything is written or something stops us. */
	while (total < len) {
		osslp_begin(c, err);
		n = 0;
		r = SSL_write_ex(c->ssl, p + total, len - total, &n);
		if (r != 1) {
			rc = osslp_status(c, r, OSSLP_WRITE);
			break;
		}
		total += n;
	}
	*nwritten = total;
	if (total > 0 && rc != TLSPLUG_OK) {
		/* Report the progress; the failure shows up on the next
		 * call. */
		ERR_clear_error();
		return TLSPLUG_OK;
	}
	return rc;
}

static int
osslp_conn_shutdown(void *conn_priv, struct tlsplug_error *err)
{
	struct osslp_conn *c = conn_priv;
	unsigned char scratch[4096];
	int i, r, rc = TLSPLUG_WANT_READ;
	size_t n;

	osslp_begin(c, err);
	if (!SSL_is_init_finished(c->ssl))
		return osslp_core->set_error(err, TLSPLUG_ERR_MISUSE, 0,
			"shutdown before the handshake completed");
	if (!(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN)) {
		r = SSL_shutdown(c->ssl);
		if (r == 1)
			return TLSPLUG_OK;
		if (r < 0)
			return osslp_status(c, r, OSSLP_SHUTDOWN);
	}
	/*
	 * Wait for the peer's close_notify with SSL_read, not SSL_shutdown:
	 * the peer may still send data before it (TLS 1.3 half-close), which
	 * SSL_shutdown treats as fatal.  That data is dropped: the caller
	 * asked to close.
	 */
	for (i = 0; i < OSSLP_RETRY_MAX;) {
		if (SSL_get_shutdown(c->ssl) & SSL_RECEIVED_SHUTDOWN)
			return TLSPLUG_OK;
		osslp_begin(c, err);
		r = SSL_read_ex(c->ssl, scratch, sizeof scratch, &n);
		if (r == 1)
			continue;       /* consumed input: progress */
		rc = osslp_status(c, r, OSSLP_SHUTDOWN);
		if (rc == TLSPLUG_CLOSED)
			return TLSPLUG_OK;
		if (rc != TLSPLUG_WANT_READ || c->would_block)
			break;
		i++;
	}
	return rc;
}

static uint16_t
osslp_conn_cipher(void *conn_priv)
{
	struct osslp_conn *c = conn_priv;
	const SSL_CIPHER *ci;

	if (c->ssl == NULL || !SSL_is_init_finished(c->ssl))
		return 0;
	ci = SSL_get_current_cipher(c->ssl);
	return ci != NULL ? SSL_CIPHER_get_protocol_id(ci) : 0;
}

static enum tlsplug_version
osslp_conn_version(void *conn_priv)
{
	struct osslp_conn *c = conn_priv;

	if (c->ssl == NULL || !SSL_is_init_finished(c->ssl))
		return TLSPLUG_VERSION_NONE;
	switch (SSL_version(c->ssl)) {
	case SSL3_VERSION:
		return TLSPLUG_VERSION_SSLv3;
	case TLS1_VERSION:
		return TLSPLUG_VERSION_TLSv1;
	case TLS1_1_VERSION:
		return TLSPLUG_VERSION_TLSv1_1;
	case TLS1_2_VERSION:
		return TLSPLUG_VERSION_TLSv1_2;
	case TLS1_3_VERSION:
		return TLSPLUG_VERSION_TLSv1_3;
	default:
		return TLSPLUG_VERSION_NONE;
	}
}

static const unsigned char *
osslp_conn_alpn(void *conn_priv, size_t *len)
{
	struct osslp_conn *c = conn_priv;
	const unsigned char *p = NULL;
	unsigned int n = 0;

	*len = 0;
	if (c->ssl == NULL || !SSL_is_init_finished(c->ssl))
		return NULL;
	SSL_get0_alpn_selected(c->ssl, &p, &n);
	if (p == NULL || n == 0)
		return NULL;
	*len = n;
	return p;
}

static const char *
osslp_conn_server_name(void *conn_priv)
{
	struct osslp_conn *c = conn_priv;
	const char *name;

	if (c->hello_sni != NULL)
		return c->hello_sni;
	if (c->ssl == NULL)
		return NULL;
	/* Client: the name set at init.  Server: the name the ClientHello
	 * carried (OpenSSL refuses empty names and names with NUL bytes). */
	name = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
	return name != NULL && name[0] != '\0' ? name : NULL;
}

/* Idle: the read and write buffers (about 17 KiB each) go; OpenSSL
 * allocates them again on the next read or write.  SSL_free_buffers()
 * keeps them while they hold unprocessed bytes. */
static void
osslp_conn_release_buffers(void *conn_priv)
{
	struct osslp_conn *c = conn_priv;

	if (c->ssl != NULL)
		(void)SSL_free_buffers(c->ssl);
}

const struct tlsplug_conn_ops osslp_conn_ops = {
	.init = osslp_conn_init,
	.fini = osslp_conn_fini,
	.handshake = osslp_conn_handshake,
	.read = osslp_conn_read,
	.write = osslp_conn_write,
	.shutdown = osslp_conn_shutdown,
	.cipher = osslp_conn_cipher,
	.version = osslp_conn_version,
	.alpn = osslp_conn_alpn,
	.server_name = osslp_conn_server_name,
	.peer_cert = osslp_conn_peer_cert,
	.export_keying_material = osslp_conn_export,
	.group = osslp_conn_group,
	.verified_cert = osslp_conn_verified_cert,
	.set_session = osslp_conn_set_session,
	.resumed = osslp_conn_resumed,
	.get_session = osslp_conn_get_session,
	.ocsp_status = osslp_conn_ocsp_status,
	.release_buffers = osslp_conn_release_buffers,
};
