/*
 * conn.c -- wolfSSL connections: the transport callbacks over the core's
 * ciphertext buffers, handshake, read, write, shutdown, negotiated
 * values, and the mapping of wolfSSL failures to tlsplug's error
 * categories.
 *
 * Version mismatch, seen from both sides: the side that detects it reports
 * TLSPLUG_ERR_NO_SHARED_VERSION and sends a protocol_version alert; the
 * side that receives that alert reports TLSPLUG_ERR_ALERT_RECEIVED with
 * alert 70.  Likewise no shared cipher: the server reports
 * TLSPLUG_ERR_NO_SHARED_CIPHER, the client the alert it receives.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Bound on internal retries while input is still available (each retry
 * consumes at least one buffered record). */
#define WOLFP_RETRY_MAX 1024

enum wolfp_phase { WOLFP_HANDSHAKE, WOLFP_READ, WOLFP_WRITE, WOLFP_SHUTDOWN };

static const char *const wolfp_phase_name[] = {
	"handshake", "read", "write", "shutdown"
};

/* ---- transport callbacks ----------------------------------------------- */

int
wolfp_io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolfp_conn *c = ctx;
	ssize_t n;

	(void)ssl;
	if (c == NULL || sz <= 0)
		return WOLFSSL_CBIO_ERR_GENERAL;
	if (c->ticket12_watch || c->ahead != NULL) {
		int r = wolfp_session_recv(c, buf, sz);

		if (r != 0)
			return r;
	}
	n = wolfp_core->pull(c->host, buf, (size_t)sz);
	if (n < 0) {
		c->would_block = 1;
		return WOLFSSL_CBIO_ERR_WANT_READ;
	}
	if (n == 0) {
		c->eof = 1;
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	}
	return (int)n;
}

int
wolfp_io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolfp_conn *c = ctx;
	ssize_t n;

	(void)ssl;
	if (c == NULL || sz < 0)
		return WOLFSSL_CBIO_ERR_GENERAL;
	if (sz == 0)
		return 0;
	if (c->alpn_refused) {
		/* In place of what answers the ClientHello (wolfSSL went on
		 * after the core refused the client's ALPN offer): the fatal
		 * no_application_protocol alert, in plaintext as nothing is
		 * encrypted yet; then the handshake fails with the reason the
		 * core recorded.  Nothing else follows it. */
		static const unsigned char alert[7] = {
			21, 3, 3, 0, 2, 2, no_application_protocol };

		if (c->cb_status == 0) {
			c->cb_status = TLSPLUG_ERR_NO_SHARED_ALPN;
			(void)wolfp_core->push(c->host, alert, sizeof(alert));
		}
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
	n = wolfp_core->push(c->host, buf, (size_t)sz);
	if (n < 0) {
		c->push_failed = 1;
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
	return (int)n;
}

/* ---- failures ---------------------------------------------------------- */

static void
wolfp_begin(struct wolfp_conn *c, struct tlsplug_error *err)
{
	c->err = err;
	c->would_block = 0;
}

/* Category of a wolfSSL error code; 0 when it has no specific one. */
static int
wolfp_code_category(int code)
{
	switch (code) {
	case VERSION_ERROR:
	case UNSUPPORTED_PROTO_VERSION:
		return TLSPLUG_ERR_NO_SHARED_VERSION;
	case MATCH_SUITE_ERROR:
	case UNSUPPORTED_SUITE:
		return TLSPLUG_ERR_NO_SHARED_CIPHER;
	case NO_PEER_CERT:
		return TLSPLUG_ERR_PEER_NO_CERT;
	case MEMORY_E:
	case MEMORY_ERROR:
		return TLSPLUG_ERR_NOMEM;
	case FATAL_ERROR:
		return TLSPLUG_ERR_ALERT_RECEIVED;
	default:
		return wolfp_verify_category(code);
	}
}

/* An end of transport without close_notify. */
static int
wolfp_eof(struct wolfp_conn *c, enum wolfp_phase phase, long native)
{
	if (phase == WOLFP_HANDSHAKE)
		return wolfp_core->set_error(c->err, TLSPLUG_ERR_IO, native,
			"the peer closed the connection during the handshake");
	return TLSPLUG_RAGGED_EOF;
}

/*
 * Handshake failures after which wolfSSL does not tell the peer, which
 * then waits: a TLS 1.2 server that required a client certificate and got
 * none (wolfSSL notices at the ClientKeyExchange), a client whose server
 * chose a version outside its bounds (at the ServerHello), a server that
 * fails on its own (no group in common, say: wolfSSL asks for a key share
 * the client never offered, answers with a ServerHello anyway and then
 * fails deriving keys).  Send the alert other engines send there
 * (handshake_failure, protocol_version) if wolfSSL sent none.  The record
 * is plaintext: right where no keys are in use yet (TLS 1.2 before the
 * ChangeCipherSpec, TLS 1.3 before the ServerHello is accepted), and
 * elsewhere still the end of the handshake for a peer that expected
 * encrypted records.
 */
static void
wolfp_send_alert(struct wolfp_conn *c, unsigned char description)
{
	unsigned char alert[] = {
		21, 3, 3, 0, 2,       /* alert record, TLS 1.2, 2 bytes */
		2, description        /* fatal */
	};
	WOLFSSL_ALERT_HISTORY h;

	if (c->alert_sent || wolfSSL_is_init_finished(c->ssl))
		return;
	if (wolfSSL_get_alert_history(c->ssl, &h) == WOLFSSL_SUCCESS &&
	    h.last_tx.level > 0)          /* -1: no alert sent */
		return;
	c->alert_sent = 1;
	(void)wolfp_core->push(c->host, alert, sizeof alert);
}

/* Maps a failed wolfSSL_* call (return value ret) to a status. */
static int
wolfp_status(struct wolfp_conn *c, int ret, enum wolfp_phase phase)
{
	int e = wolfSSL_get_error(c->ssl, ret);
	char ebuf[WOLFP_ERRTEXT_MAX];
	WOLFSSL_ALERT_HISTORY h;
	int cat;

	wolfSSL_ERR_clear_error();
	if (c->push_failed)
		return wolfp_core->set_error(c->err, TLSPLUG_ERR_NOMEM, 0,
			"out of memory for outgoing ciphertext");
	switch (e) {
	case WOLFSSL_ERROR_NONE:
		return TLSPLUG_OK;
	case WOLFSSL_ERROR_WANT_READ:
	case WANT_READ:
		return TLSPLUG_WANT_READ;
	case WOLFSSL_ERROR_WANT_WRITE:
	case WANT_WRITE:
		return TLSPLUG_WANT_WRITE;
	case WOLFSSL_ERROR_ZERO_RETURN:
	case ZERO_RETURN:
		if (phase == WOLFP_HANDSHAKE)
			return wolfp_core->set_error(c->err, TLSPLUG_ERR_IO, 0,
				"the peer closed the connection (close_notify) "
				"during the handshake");
		return TLSPLUG_CLOSED;
	default:
		break;
	}
	/* A callback of ours failed and said why. */
	if (c->cb_status < 0)
		return c->cb_status;
	if (c->verify_error != 0) {
		/* The verify callback recorded the message already. */
		cat = wolfp_verify_category(c->verify_error);
		return cat != 0 ? cat : TLSPLUG_ERR_CERT_INVALID;
	}
	if (e == WOLFSSL_ERROR_SYSCALL || e == SOCKET_PEER_CLOSED_E ||
	    e == SOCKET_ERROR_E) {
		if (c->eof)
			return wolfp_eof(c, phase, e);
		return wolfp_core->set_error(c->err, TLSPLUG_ERR_IO, e,
			"%s failed: transport error", wolfp_phase_name[phase]);
	}
	cat = wolfp_code_category(e);
	if (cat == TLSPLUG_ERR_PEER_NO_CERT && c->role == TLSPLUG_SERVER &&
	    wolfSSL_version(c->ssl) == 0x0303)
		wolfp_send_alert(c, handshake_failure);
	else if (cat == TLSPLUG_ERR_NO_SHARED_VERSION &&
	         c->role == TLSPLUG_CLIENT)
		wolfp_send_alert(c, protocol_version);
	else if (phase == WOLFP_HANDSHAKE && c->role == TLSPLUG_SERVER &&
	         cat != TLSPLUG_ERR_ALERT_RECEIVED && cat != TLSPLUG_ERR_NOMEM)
		wolfp_send_alert(c, handshake_failure);
	if (cat == TLSPLUG_ERR_ALERT_RECEIVED) {
		if (wolfSSL_get_alert_history(c->ssl, &h) == WOLFSSL_SUCCESS &&
		    h.last_rx.level == alert_fatal)
			return wolfp_core->set_alert_error(c->err,
				h.last_rx.code, e, NULL);
		cat = TLSPLUG_ERR_PROTOCOL;
	}
	if (cat <= TLSPLUG_ERR_CERT_EXPIRED && cat >= TLSPLUG_ERR_CERT_INVALID)
		return wolfp_verify_failure(c, e, 0);
	if (cat == 0)
		cat = TLSPLUG_ERR_PROTOCOL;
	return wolfp_core->set_error(c->err, cat, e, "%s failed: %s",
	                             wolfp_phase_name[phase],
	                             wolfp_err_text(e, ebuf, sizeof ebuf));
}

/* ---- entry points ------------------------------------------------------ */

static int
wolfp_conn_init(void *conn_priv, void *ctx_priv, struct tlsplug_conn *host,
                const char *server_hostname, const char *sni_name,
                struct tlsplug_error *err)
{
	struct wolfp_conn *c = conn_priv;
	struct wolfp_ctx *ctx = ctx_priv;

	memset(c, 0, sizeof *c);
	c->ctx = ctx;
	c->eng = &ctx->eng;
	c->host = host;
	c->err = err;
	c->role = ctx->eng.role;
	/* The core checks the host name (core->check_peer). */
	(void)server_hostname;
	c->ssl = wolfSSL_new(ctx->eng.wctx[0]);
	if (c->ssl == NULL) {
		wolfSSL_ERR_clear_error();
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "cannot create WOLFSSL object");
	}
	wolfSSL_SetIOReadCtx(c->ssl, c);
	wolfSSL_SetIOWriteCtx(c->ssl, c);
	wolfSSL_set_app_data(c->ssl, c);
	if (c->role == TLSPLUG_CLIENT && sni_name != NULL &&
	    wolfSSL_UseSNI(c->ssl, WOLFSSL_SNI_HOST_NAME, sni_name,
	                   (unsigned short)strlen(sni_name)) !=
	    WOLFSSL_SUCCESS) {
		/* A failed init cleans up: no fini follows. */
		wolfSSL_free(c->ssl);
		c->ssl = NULL;
		wolfSSL_ERR_clear_error();
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			"server host name \"%s\" cannot be sent as SNI",
			sni_name);
	}
	return TLSPLUG_OK;
}

static void
wolfp_conn_fini(void *conn_priv)
{
	struct wolfp_conn *c = conn_priv;

	wolfp_vchain_free(c);
	wolfp_session_fini(c);
	wolfSSL_free(c->ssl);
	c->ssl = NULL;
	wolfSSL_ERR_clear_error();
}

static int
wolfp_conn_handshake(void *conn_priv, struct tlsplug_error *err)
{
	struct wolfp_conn *c = conn_priv;
	int i, r, rc = TLSPLUG_WANT_READ;

	wolfp_thread_mark();
	for (i = 0; i < WOLFP_RETRY_MAX; i++) {
		wolfp_begin(c, err);
		r = c->role == TLSPLUG_CLIENT ? wolfSSL_connect(c->ssl) :
		                                wolfSSL_accept(c->ssl);
		if (r == WOLFSSL_SUCCESS) {
			wolfp_session_handshake_done(c);
			return TLSPLUG_OK;
		}
		rc = wolfp_status(c, r, WOLFP_HANDSHAKE);
		/* Retry while the transport still had input. */
		if (rc != TLSPLUG_WANT_READ || c->would_block)
			break;
	}
	return rc;
}

static int
wolfp_conn_read(void *conn_priv, void *buf, size_t len, size_t *nread,
                struct tlsplug_error *err)
{
	struct wolfp_conn *c = conn_priv;
	int i, r, rc = TLSPLUG_WANT_READ;
	int n = len > INT_MAX ? INT_MAX : (int)len;

	*nread = 0;
	if (len == 0)
		return TLSPLUG_OK;
	for (i = 0; i < WOLFP_RETRY_MAX; i++) {
		wolfp_begin(c, err);
		r = wolfSSL_read(c->ssl, buf, n);
		if (r > 0) {
			*nread = (size_t)r;
			return TLSPLUG_OK;
		}
		rc = wolfp_status(c, r, WOLFP_READ);
		/* A post-handshake message (ticket, KeyUpdate) was consumed;
		 * go on while the transport has input. */
		if (rc != TLSPLUG_WANT_READ || c->would_block)
			break;
	}
	return rc;
}

static int
wolfp_conn_write(void *conn_priv, const void *buf, size_t len,
                 size_t *nwritten, struct tlsplug_error *err)
{
	struct wolfp_conn *c = conn_priv;
	const unsigned char *p = buf;
	size_t total = 0;
	int r, rc = TLSPLUG_OK;

	*nwritten = 0;
	/* The transport never blocks: wolfSSL writes everything it is
	 * given, in records, unless something stops it. */
	while (total < len) {
		size_t chunk = len - total > INT_MAX ? INT_MAX : len - total;

		wolfp_begin(c, err);
		r = wolfSSL_write(c->ssl, p + total, (int)chunk);
		if (r <= 0) {
			rc = wolfp_status(c, r, WOLFP_WRITE);
			break;
		}
		total += (size_t)r;
	}
	*nwritten = total;
	if (total > 0 && rc != TLSPLUG_OK)
		/* Report the progress; the failure shows up on the next
		 * call. */
		return TLSPLUG_OK;
	return rc;
}

static int
wolfp_conn_shutdown(void *conn_priv, struct tlsplug_error *err)
{
	struct wolfp_conn *c = conn_priv;
	unsigned char scratch[4096];
	int i, r, rc = TLSPLUG_WANT_READ;

	wolfp_begin(c, err);
	if (!wolfSSL_is_init_finished(c->ssl))
		return wolfp_core->set_error(err, TLSPLUG_ERR_MISUSE, 0,
			"shutdown before the handshake completed");
	if (!c->sent_close) {
		r = wolfSSL_shutdown(c->ssl);
		if (r == WOLFSSL_SUCCESS) {
			c->sent_close = 1;
			return TLSPLUG_OK;
		}
		if (r != WOLFSSL_SHUTDOWN_NOT_DONE)
			return wolfp_status(c, r, WOLFP_SHUTDOWN);
		c->sent_close = 1;
	}
	if (wolfSSL_get_shutdown(c->ssl) & WOLFSSL_RECEIVED_SHUTDOWN)
		return TLSPLUG_OK;
	/*
	 * Wait for the peer's close_notify with wolfSSL_read: the peer may
	 * still send data before it (TLS 1.3 half-close).  That data is
	 * dropped: the caller asked to close.
	 */
	for (i = 0; i < WOLFP_RETRY_MAX;) {
		wolfp_begin(c, err);
		r = wolfSSL_read(c->ssl, scratch, (int)sizeof scratch);
		if (r > 0)
			continue;       /* consumed input: progress */
		rc = wolfp_status(c, r, WOLFP_SHUTDOWN);
		if (rc == TLSPLUG_CLOSED)
			return TLSPLUG_OK;
		if (rc != TLSPLUG_WANT_READ || c->would_block)
			break;
		i++;
	}
	return rc;
}

static uint16_t
wolfp_conn_cipher(void *conn_priv)
{
	struct wolfp_conn *c = conn_priv;

	if (c->ssl == NULL || !wolfSSL_is_init_finished(c->ssl))
		return 0;
	return (uint16_t)wolfSSL_get_current_cipher_suite(c->ssl);
}

static enum tlsplug_version
wolfp_conn_version(void *conn_priv)
{
	struct wolfp_conn *c = conn_priv;

	if (c->ssl == NULL || !wolfSSL_is_init_finished(c->ssl))
		return TLSPLUG_VERSION_NONE;
	switch (wolfSSL_version(c->ssl)) {
	case 0x0300:
		return TLSPLUG_VERSION_SSLv3;
	case 0x0301:
		return TLSPLUG_VERSION_TLSv1;
	case 0x0302:
		return TLSPLUG_VERSION_TLSv1_1;
	case 0x0303:
		return TLSPLUG_VERSION_TLSv1_2;
	case 0x0304:
		return TLSPLUG_VERSION_TLSv1_3;
	default:
		return TLSPLUG_VERSION_NONE;
	}
}

static const unsigned char *
wolfp_conn_alpn(void *conn_priv, size_t *len)
{
	struct wolfp_conn *c = conn_priv;
	char *name = NULL;
	unsigned short n = 0;

	*len = 0;
	if (c->ssl == NULL || !wolfSSL_is_init_finished(c->ssl))
		return NULL;
	if (wolfSSL_ALPN_GetProtocol(c->ssl, &name, &n) != WOLFSSL_SUCCESS ||
	    name == NULL || n == 0)
		return NULL;
	*len = n;
	return (const unsigned char *)name;
}

static const char *
wolfp_conn_server_name(void *conn_priv)
{
	struct wolfp_conn *c = conn_priv;
	const char *name;

	if (c->hello_sni != NULL)
		return c->hello_sni;
	if (c->ssl == NULL)
		return NULL;
	/* Client: the name set at init.  Server: the name the ClientHello
	 * carried, which wolfSSL keeps (WOLFSSL_ALWAYS_KEEP_SNI). */
	name = wolfSSL_get_servername(c->ssl, WOLFSSL_SNI_HOST_NAME);
	return name != NULL && name[0] != '\0' ? name : NULL;
}

const struct tlsplug_conn_ops wolfp_conn_ops = {
	.init = wolfp_conn_init,
	.fini = wolfp_conn_fini,
	.handshake = wolfp_conn_handshake,
	.read = wolfp_conn_read,
	.write = wolfp_conn_write,
	.shutdown = wolfp_conn_shutdown,
	.cipher = wolfp_conn_cipher,
	.version = wolfp_conn_version,
	.alpn = wolfp_conn_alpn,
	.server_name = wolfp_conn_server_name,
	.peer_cert = wolfp_conn_peer_cert,
	.set_session = wolfp_conn_set_session,
	.resumed = wolfp_conn_resumed,
	.verified_cert = wolfp_conn_verified_cert,
	.export_keying_material = wolfp_conn_export,
	.group = wolfp_conn_group,
	.get_session = wolfp_conn_get_session,
};
