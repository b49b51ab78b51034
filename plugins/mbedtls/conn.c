/*
 * conn.c -- an mbedTLS session over the core's ciphertext buffers:
 * transport callbacks, handshake, read, write, shutdown, negotiated values
 * and the mapping of mbedTLS errors to tlsplug categories; the connection
 * entry points.
 *
 * The send callback never blocks (the core's outgoing buffer grows), so
 * MBEDTLS_ERR_SSL_WANT_READ always means "needs incoming ciphertext".
 * mbedtls_ssl_write interrupted by WANT_* must be called again with the
 * same data, which is exactly tlsplug's write contract.
 *
 * A server session may move to another engine context once its
 * ClientHello has been read (hello.c): which one depends on the client's
 * server name.
 */
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Bound on internal retries (records consumed without progress for the
 * caller: warning alerts, refused renegotiation). */
#define MBTP_RETRY_MAX 1024

const char *
mbtp_strerror(int ret, char *buf, size_t size)
{
	mbedtls_strerror(ret, buf, size);
	return buf;
}

/* ---- transport ---- */

static int
mbtp_send_cb(void *p, const unsigned char *buf, size_t len)
{
	struct mbtp_conn *c = p;

	if (mbtp_core->push(c->host, buf, len) < 0)
		return MBEDTLS_ERR_SSL_ALLOC_FAILED;
	return (int)len;
}

/* The ClientHello read ahead (hello.c) first, then the core's buffer. */
static int
mbtp_recv_cb(void *p, unsigned char *buf, size_t len)
{
	struct mbtp_conn *c = p;
	ssize_t n;

	if (c->hello != NULL) {
		n = (ssize_t)(c->hello_len - c->hello_off);
		if ((size_t)n > len)
			n = (ssize_t)len;
		memcpy(buf, c->hello + c->hello_off, (size_t)n);
		c->hello_off += (size_t)n;
		if (c->hello_off == c->hello_len) {
			mbtp_core->free(c->hello);
			c->hello = NULL;
			c->hello_len = c->hello_cap = c->hello_off = 0;
		}
		return (int)n;
	}
	n = mbtp_core->pull(c->host, buf, len);
	if (n < 0) {
		c->pull_blocked = 1;
		return MBEDTLS_ERR_SSL_WANT_READ;
	}
	return (int)n;
}

int
mbtp_conn_setup(struct mbtp_conn *c, const struct mbtp_engine *eng,
                const mbedtls_ssl_config *conf, struct tlsplug_error *err)
{
	char text[128];
	int ret;

	c->eng = eng;
	ret = mbedtls_ssl_setup(&c->ssl, conf);
	if (ret != 0)
		return mbtp_core->set_error(err, ret ==
			MBEDTLS_ERR_SSL_ALLOC_FAILED ? TLSPLUG_ERR_NOMEM :
			TLSPLUG_ERR_BACKEND, ret,
			"cannot set up the session: %s",
			mbtp_strerror(ret, text, sizeof(text)));
	c->ssl_ready = 1;
	c->conf = conf;
	mbedtls_ssl_set_bio(&c->ssl, c, mbtp_send_cb, mbtp_recv_cb, NULL);
	mbedtls_ssl_set_verify(&c->ssl, mbtp_verify_cb, c);
	return TLSPLUG_OK;
}

void
mbtp_conn_alert(struct mbtp_conn *c, unsigned char alert)
{
	if (c->ssl_ready)
		(void)mbedtls_ssl_send_alert_message(&c->ssl,
			MBEDTLS_SSL_ALERT_LEVEL_FATAL, alert);
}

/* ---- failures ---- */

/* Repeats a recorded failure on a later call (the core does not call
 * again after a fatal error; this is a guard). */
static int
mbtp_replay(struct mbtp_conn *c, struct tlsplug_error *err)
{
	if (c->failed == TLSPLUG_ERR_ALERT_RECEIVED)
		return mbtp_core->set_alert_error(err, c->failed_alert,
			c->failed_native, NULL);
	return mbtp_core->set_error(err, c->failed, c->failed_native,
		"the connection failed earlier (-0x%04lx)",
		(unsigned long)-c->failed_native);
}

/* Category of an mbedTLS error that no callback explained. */
static int
mbtp_category(struct mbtp_conn *c, int ret)
{
	uint32_t flags;

	switch (ret) {
	case MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION:
		return TLSPLUG_ERR_NO_SHARED_VERSION;
	case MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN:
	case MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE:
		return TLSPLUG_ERR_NO_SHARED_CIPHER;
	case MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE:
		return TLSPLUG_ERR_PEER_NO_CERT;
	case MBEDTLS_ERR_SSL_ALLOC_FAILED:
		return TLSPLUG_ERR_NOMEM;
	case MBEDTLS_ERR_SSL_CONN_EOF:
		return TLSPLUG_ERR_IO;
	case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
	case MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE:
		flags = mbedtls_ssl_get_verify_result(&c->ssl);
		flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
		if (flags != 0 && flags != (uint32_t)-1)
			return mbtp_verify_category(flags, NULL);
		return ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ?
			TLSPLUG_ERR_CERT_INVALID : TLSPLUG_ERR_PROTOCOL;
	default:
		return TLSPLUG_ERR_PROTOCOL;
	}
}

/*
 * Records a fatal mbedTLS error `ret` from `what` ("handshake", ...) and
 * makes every later call fail the same way.  mbedTLS has sent the alert
 * for failures it found itself; a missing client certificate gets one
 * here (mbedTLS 2.28 sends none).
 */
static int
mbtp_fail(struct mbtp_conn *c, int ret, const char *what,
          struct tlsplug_error *err)
{
	char text[160];

	c->failed_native = ret;
	if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE &&
	    c->ssl.in_msgtype == MBEDTLS_SSL_MSG_ALERT &&
	    c->ssl.in_msg != NULL) {
		/* mbedTLS 2.28 has no accessor for the alert received: it is
		 * the second byte of the alert message it just read. */
		c->failed = TLSPLUG_ERR_ALERT_RECEIVED;
		c->failed_alert = c->ssl.in_msg[1];
		return mbtp_replay(c, err);
	}
	if (c->cb_status != 0) {
		/* The verify callback recorded the reason already. */
		c->failed = c->cb_status;
		return c->failed;
	}
	c->failed = mbtp_category(c, ret);
	if (ret == MBEDTLS_ERR_SSL_CONN_EOF)
		mbtp_core->set_error(err, c->failed, ret,
			"%s: the peer closed the connection", what);
	else if (c->failed == TLSPLUG_ERR_PEER_NO_CERT)
		mbtp_core->set_error(err, c->failed, ret,
			"%s failed: a client certificate is required and none "
			"was sent", what);
	else
		mbtp_core->set_error(err, c->failed, ret, "%s failed: %s",
			what, mbtp_strerror(ret, text, sizeof(text)));
	if (c->failed == TLSPLUG_ERR_PEER_NO_CERT)
		mbtp_conn_alert(c, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
	return c->failed;
}

/* ---- entry points ---- */

static int
mbtp_conn_init(void *priv, void *ctx_priv, struct tlsplug_conn *host,
               const char *server_hostname, const char *sni_name,
               struct tlsplug_error *err)
{
	struct mbtp_conn *c = priv;
	struct mbtp_ctx *ctx = ctx_priv;
	char text[128];
	int st, ret;

	memset(c, 0, sizeof(*c));
	mbedtls_ssl_init(&c->ssl);
	c->ctx = ctx;
	c->eng = &ctx->eng;
	c->host = host;
	/* The core checks the host name (core->check_peer).  A server may
	 * move to another engine after the ClientHello (hello.c). */
	(void)server_hostname;
	st = mbtp_conn_setup(c, &ctx->eng, &ctx->eng.conf, err);
	if (st == TLSPLUG_OK && ctx->eng.role == TLSPLUG_CLIENT &&
	    sni_name != NULL) {
		/* Sets the SNI name, and the name mbedTLS's own check
		 * compares, which verify.c masks. */
		ret = mbedtls_ssl_set_hostname(&c->ssl, sni_name);
		if (ret != 0)
			st = mbtp_core->set_error(err, ret ==
				MBEDTLS_ERR_SSL_ALLOC_FAILED ?
				TLSPLUG_ERR_NOMEM : TLSPLUG_ERR_INVALID, ret,
				"server name %s: %s", sni_name,
				mbtp_strerror(ret, text, sizeof(text)));
	}
	if (st != TLSPLUG_OK) {
		mbedtls_ssl_free(&c->ssl);
		memset(c, 0, sizeof(*c));
		return st;
	}
	c->sent_sni = sni_name;
	return TLSPLUG_OK;
}

static void
mbtp_conn_fini(void *priv)
{
	struct mbtp_conn *c = priv;

	mbedtls_ssl_free(&c->ssl);
	mbtp_core->free(c->hello);
	mbtp_core->free(c->sni);
	mbtp_core->free(c->vder);
	mbedtls_platform_zeroize(c, sizeof(*c));
}

static int
mbtp_conn_handshake(void *priv, struct tlsplug_error *err)
{
	struct mbtp_conn *c = priv;
	int ret, st, i;

	if (c->failed)
		return mbtp_replay(c, err);
	if (c->handshake_done)
		return TLSPLUG_OK;
	c->err = err;
	if (c->eng->role == TLSPLUG_SERVER && !c->hello_done) {
		st = mbtp_hello_prepare(c, err);
		if (st < 0) {
			c->failed = st;
			c->failed_native = 0;
		}
		if (st != TLSPLUG_OK)
			return st;
	}
	for (i = 0; i < MBTP_RETRY_MAX; i++) {
		c->pull_blocked = 0;
		/* For the export-keys callback (keys.c); renegotiation is
		 * off, so keys are derived only here. */
		mbtp_running = c;
		ret = mbedtls_ssl_handshake(&c->ssl);
		mbtp_running = NULL;
		if (ret == 0) {
			c->handshake_done = 1;
			mbtp_session_handshake_done(c);
			return TLSPLUG_OK;
		}
		if (ret == MBEDTLS_ERR_SSL_WANT_READ) {
			if (c->pull_blocked)
				return TLSPLUG_WANT_READ;
			continue;
		}
		if (ret == MBEDTLS_ERR_SSL_WANT_WRITE)
			return TLSPLUG_WANT_WRITE;
		return mbtp_fail(c, ret, "handshake", err);
	}
	return TLSPLUG_WANT_READ;
}

static int
mbtp_conn_read(void *priv, void *buf, size_t len, size_t *nread,
               struct tlsplug_error *err)
{
	struct mbtp_conn *c = priv;
	int ret, st, i;

	*nread = 0;
	st = mbtp_conn_handshake(priv, err);
	if (st != TLSPLUG_OK)
		return st;
	if (c->close_received)
		return TLSPLUG_CLOSED;
	c->err = err;
	for (i = 0; i < MBTP_RETRY_MAX; i++) {
		c->pull_blocked = 0;
		ret = mbedtls_ssl_read(&c->ssl, buf, len);
		if (ret > 0) {
			*nread = (size_t)ret;
			return TLSPLUG_OK;
		}
		switch (ret) {
		case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
			c->close_received = 1;
			return TLSPLUG_CLOSED;
		case 0:                /* transport EOF, no close_notify */
		case MBEDTLS_ERR_SSL_CONN_EOF:
			return TLSPLUG_RAGGED_EOF;
		case MBEDTLS_ERR_SSL_WANT_READ:
			if (c->pull_blocked)
				return TLSPLUG_WANT_READ;
			continue;
		case MBEDTLS_ERR_SSL_WANT_WRITE:
			return TLSPLUG_WANT_WRITE;
		default:
			return mbtp_fail(c, ret, "read", err);
		}
	}
	return TLSPLUG_WANT_READ;
}

static int
mbtp_conn_write(void *priv, const void *buf, size_t len, size_t *nwritten,
                struct tlsplug_error *err)
{
	struct mbtp_conn *c = priv;
	const unsigned char *p = buf;
	size_t done = 0;
	int ret, st, i;

	*nwritten = 0;
	st = mbtp_conn_handshake(priv, err);
	if (st != TLSPLUG_OK)
		return st;
	c->err = err;
	for (i = 0; done < len && i < MBTP_RETRY_MAX; i++) {
		ret = mbedtls_ssl_write(&c->ssl, p + done, len - done);
		if (ret > 0) {
			done += (size_t)ret;
			continue;
		}
		if (done > 0)
			break;          /* report progress; the error repeats */
		if (ret == MBEDTLS_ERR_SSL_WANT_READ)
			return TLSPLUG_WANT_READ;
		if (ret == MBEDTLS_ERR_SSL_WANT_WRITE)
			return TLSPLUG_WANT_WRITE;
		return mbtp_fail(c, ret, "write", err);
	}
	*nwritten = done;
	return TLSPLUG_OK;
}

static int
mbtp_conn_shutdown(void *priv, struct tlsplug_error *err)
{
	struct mbtp_conn *c = priv;
	unsigned char scratch[512];
	int ret, i;

	if (c->failed)
		return mbtp_replay(c, err);
	c->err = err;
	if (!c->close_sent) {
		ret = mbedtls_ssl_close_notify(&c->ssl);
		if (ret == MBEDTLS_ERR_SSL_WANT_WRITE)
			return TLSPLUG_WANT_WRITE;
		if (ret != 0)
			return mbtp_fail(c, ret, "shutdown", err);
		c->close_sent = 1;
	}
	/* Then the peer's close_notify; data still arriving is dropped. */
	for (i = 0; !c->close_received && i < MBTP_RETRY_MAX; i++) {
		c->pull_blocked = 0;
		ret = mbedtls_ssl_read(&c->ssl, scratch, sizeof(scratch));
		if (ret > 0)
			continue;
		switch (ret) {
		case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
			c->close_received = 1;
			break;
		case 0:
		case MBEDTLS_ERR_SSL_CONN_EOF:
			return TLSPLUG_RAGGED_EOF;
		case MBEDTLS_ERR_SSL_WANT_READ:
			if (c->pull_blocked)
				return TLSPLUG_WANT_READ;
			break;
		default:
			return mbtp_fail(c, ret, "shutdown", err);
		}
	}
	return c->close_received ? TLSPLUG_OK : TLSPLUG_WANT_READ;
}

static uint16_t
mbtp_conn_cipher(void *priv)
{
	struct mbtp_conn *c = priv;
	const char *name;

	if (!c->handshake_done)
		return 0;
	name = mbedtls_ssl_get_ciphersuite(&c->ssl);
	return name != NULL ? (uint16_t)mbedtls_ssl_get_ciphersuite_id(name) :
	                      0;
}

static enum tlsplug_version
mbtp_conn_version(void *priv)
{
	struct mbtp_conn *c = priv;

	if (!c->handshake_done)
		return TLSPLUG_VERSION_NONE;
	switch (c->ssl.minor_ver) {
	case MBEDTLS_SSL_MINOR_VERSION_1: return TLSPLUG_VERSION_TLSv1;
	case MBEDTLS_SSL_MINOR_VERSION_2: return TLSPLUG_VERSION_TLSv1_1;
	case MBEDTLS_SSL_MINOR_VERSION_3: return TLSPLUG_VERSION_TLSv1_2;
	default: return TLSPLUG_VERSION_NONE;
	}
}

static const unsigned char *
mbtp_conn_alpn(void *priv, size_t *len)
{
	struct mbtp_conn *c = priv;
	const char *p;

	*len = 0;
	if (!c->handshake_done)
		return NULL;
	p = mbedtls_ssl_get_alpn_protocol(&c->ssl);
	if (p == NULL || *p == '\0')
		return NULL;
	*len = strlen(p);
	return (const unsigned char *)p;
}

static const char *
mbtp_conn_server_name(void *priv)
{
	struct mbtp_conn *c = priv;

	if (c->eng == NULL)
		return NULL;
	return c->eng->role == TLSPLUG_CLIENT ? c->sent_sni : c->sni;
}

const struct tlsplug_conn_ops mbtp_conn_ops = {
	.init = mbtp_conn_init,
	.fini = mbtp_conn_fini,
	.handshake = mbtp_conn_handshake,
	.read = mbtp_conn_read,
	.write = mbtp_conn_write,
	.shutdown = mbtp_conn_shutdown,
	.cipher = mbtp_conn_cipher,
	.version = mbtp_conn_version,
	.alpn = mbtp_conn_alpn,
	.server_name = mbtp_conn_server_name,
	.peer_cert = mbtp_conn_peer_cert,
	.set_session = mbtp_conn_set_session,
	.resumed = mbtp_conn_resumed,
	.verified_cert = mbtp_conn_verified_cert,
	.export_keying_material = mbtp_conn_export,
	.group = mbtp_conn_group,
};
