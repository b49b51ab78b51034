/*
 * conn.c -- a GnuTLS session over the core's ciphertext buffers:
 * transport callbacks, handshake, read, write, shutdown, negotiated values
 * and the mapping of GnuTLS errors to tlsplug categories; the connection
 * entry points.
 *
 * The push function never blocks (the core's outgoing buffer grows), so
 * GNUTLS_E_AGAIN always means "needs incoming ciphertext".  GnuTLS requires
 * a gnutls_record_send interrupted by GNUTLS_E_AGAIN to be called again with
 * the same data, which is exactly tlsplug's write contract.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Bound on internal retries (records consumed without progress for the
 * caller: tickets, KeyUpdate, warning alerts). */
#define GTLS_RETRY_MAX 1024

/* ---- transport ---- */

static ssize_t
gtls_push_fn(gnutls_transport_ptr_t p, const void *buf, size_t len)
{
	struct gtls_conn *c = p;
	ssize_t n = gtls_core->push(c->host, buf, len);

	if (n < 0) {
		gnutls_transport_set_errno(c->session, ENOMEM);
		return -1;
	}
	return n;
}

/* Follows record boundaries over the bytes GnuTLS pulls (see plugin.h). */
static void
gtls_track_records(struct gtls_conn *c, const unsigned char *p, size_t n)
{
	size_t take;

	while (n > 0) {
		if (c->rec.left == 0) {
			take = 5 - c->rec.hlen < n ? 5 - c->rec.hlen : n;
			memcpy(c->rec.hdr + c->rec.hlen, p, take);
			c->rec.hlen += (unsigned)take;
			p += take;
			n -= take;
			if (c->rec.hlen < 5)
				continue;
			c->rec.hlen = 0;
			c->rec.type = c->rec.hdr[0];
			c->rec.len = (size_t)c->rec.hdr[3] << 8 | c->rec.hdr[4];
			c->rec.left = c->rec.len;
			c->rec.blen = 0;
			continue;
		}
		take = c->rec.left < n ? c->rec.left : n;
		while (c->rec.blen < 2 && c->rec.blen < take) {
			c->rec.body[c->rec.blen] = p[c->rec.blen];
			c->rec.blen++;
		}
		c->rec.left -= take;
		p += take;
		n -= take;
	}
}

/* The fatal alert in the last record if it was a plaintext alert, else
 * -1. */
static int
gtls_plaintext_alert(const struct gtls_conn *c)
{
	if (c->rec.type != 21 || c->rec.len != 2 || c->rec.blen != 2 ||
	    c->rec.left != 0 || c->rec.body[0] != GNUTLS_AL_FATAL)
		return -1;
	return c->rec.body[1];
}

static ssize_t
gtls_pull_fn(gnutls_transport_ptr_t p, void *buf, size_t len)
{
	struct gtls_conn *c = p;
	ssize_t n = gtls_core->pull(c->host, buf, len);

	if (n < 0) {
		c->pull_blocked = 1;
		gnutls_transport_set_errno(c->session, EAGAIN);
		return -1;
	}
	if (!c->handshake_done)
		gtls_track_records(c, buf, (size_t)n);
	return n;
}

/* GnuTLS must never wait on a file descriptor: say data may be there and
 * let pull answer "would block". */
static int
gtls_pull_timeout_fn(gnutls_transport_ptr_t p, unsigned int ms)
{
	(void)p;
	(void)ms;
	return 1;
}

/* ---- failures ---- */

void
gtls_conn_cb_fail(struct gtls_conn *c, int status, int alert, int native,
                  const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	if (c->cb_status != 0)
		return;        /* keep the first reason */
	c->cb_status = status;
	c->cb_alert = alert;
	/* The handshake fails in this very call: record the reason in its
	 * error record now rather than keeping a copy. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gtls_core->set_error(c->err, status, native, "%s", msg);
}

void
gtls_conn_cb_status(struct gtls_conn *c, int status, int alert)
{
	if (c->cb_status != 0)
		return;
	c->cb_status = status;
	c->cb_alert = alert;
}

/* Repeats a recorded failure on a later call (the core does not call
 * again after a fatal error; this is a guard). */
static int
gtls_replay(struct gtls_conn *c, struct tlsplug_error *err)
{
	if (c->failed == TLSPLUG_ERR_ALERT_RECEIVED)
		return gtls_core->set_alert_error(err, c->failed_alert,
			c->failed_native, NULL);
	return gtls_core->set_error(err, c->failed, c->failed_native,
		"the connection failed earlier: %s",
		gnutls_strerror((int)c->failed_native));
}

static int
gtls_is_transport_error(int ret)
{
	return ret == GNUTLS_E_PUSH_ERROR || ret == GNUTLS_E_PULL_ERROR ||
	       ret == GNUTLS_E_PREMATURE_TERMINATION ||
	       ret == GNUTLS_E_SESSION_EOF || ret == GNUTLS_E_MEMORY_ERROR;
}

/* Category of a GnuTLS error that no callback explained. */
static int
gtls_category(struct gtls_conn *c, int ret)
{
	switch (ret) {
	case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
		return TLSPLUG_ERR_NO_SHARED_VERSION;
	case GNUTLS_E_NO_CIPHER_SUITES:
	case GNUTLS_E_UNKNOWN_CIPHER_SUITE:
	case GNUTLS_E_INSUFFICIENT_CREDENTIALS:
	case GNUTLS_E_NO_COMMON_KEY_SHARE:
	case GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM:
		return TLSPLUG_ERR_NO_SHARED_CIPHER;
	case GNUTLS_E_NO_CERTIFICATE_FOUND:
	case GNUTLS_E_CERTIFICATE_REQUIRED:
		return c->eng->role == TLSPLUG_SERVER && c->eng->require_cert ?
			TLSPLUG_ERR_PEER_NO_CERT : TLSPLUG_ERR_PROTOCOL;
	case GNUTLS_E_MEMORY_ERROR:
	case GNUTLS_E_PUSH_ERROR:
		return TLSPLUG_ERR_NOMEM;
	case GNUTLS_E_PREMATURE_TERMINATION:
	case GNUTLS_E_SESSION_EOF:
	case GNUTLS_E_PULL_ERROR:
		return TLSPLUG_ERR_IO;
	default:
		return TLSPLUG_ERR_PROTOCOL;
	}
}

/* Did the client offer none of the versions we enable? */
static int
gtls_no_shared_version(const struct gtls_conn *c)
{
	unsigned ours = 0;
	int v;

	if (c->eng->role != TLSPLUG_SERVER || c->client_versions == 0)
		return 0;
	for (v = c->eng->vmin; v <= (int)c->eng->vmax; v++)
		ours |= 1u << v;
	return (c->client_versions & ours) == 0;
}

/*
 * Records a fatal GnuTLS error `ret` from `what` ("handshake", ...), sends
 * the matching fatal alert when the failure was ours, and makes every
 * later call fail the same way.
 */
static int
gtls_fail(struct gtls_conn *c, int ret, const char *what,
          struct tlsplug_error *err)
{
	int alert = -1;

	if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED) {
		c->failed = TLSPLUG_ERR_ALERT_RECEIVED;
		c->failed_alert = (int)gnutls_alert_get(c->session);
		c->failed_native = ret;
		return gtls_replay(c, err);
	}
	if (!c->handshake_done && c->cb_status == 0 &&
	    gtls_plaintext_alert(c) >= 0) {
		c->failed = TLSPLUG_ERR_ALERT_RECEIVED;
		c->failed_alert = gtls_plaintext_alert(c);
		c->failed_native = ret;
		return gtls_replay(c, err);
	}
	if (c->cb_status != 0) {
		/* A callback explained it (verification, SNI refusal) and
		 * recorded the reason already. */
		c->failed = c->cb_status;
		c->failed_native = ret;
		alert = c->cb_alert;
	} else if (!gtls_is_transport_error(ret) && gtls_no_shared_version(c)) {
		c->failed = TLSPLUG_ERR_NO_SHARED_VERSION;
		c->failed_native = ret;
		alert = GNUTLS_A_PROTOCOL_VERSION;
		gtls_core->set_error(err, c->failed, ret,
			"%s failed: the client offers no TLS version this "
			"server enables", what);
	} else {
		c->failed = gtls_category(c, ret);
		c->failed_native = ret;
		if (ret == GNUTLS_E_PREMATURE_TERMINATION ||
		    ret == GNUTLS_E_SESSION_EOF)
			gtls_core->set_error(err, c->failed, ret,
				"%s: the peer closed the connection", what);
		else
			gtls_core->set_error(err, c->failed, ret,
				"%s failed: %s", what, gnutls_strerror(ret));
		if (c->failed == TLSPLUG_ERR_PEER_NO_CERT)
			alert = gnutls_protocol_get_version(c->session) ==
				GNUTLS_TLS1_3 ? GNUTLS_A_CERTIFICATE_REQUIRED :
				GNUTLS_A_HANDSHAKE_FAILURE;
	}
	if (!gtls_is_transport_error(ret)) {
		if (alert >= 0)
			(void)gnutls_alert_send(c->session, GNUTLS_AL_FATAL,
				(gnutls_alert_description_t)alert);
		else
			(void)gnutls_alert_send_appropriate(c->session, ret);
	}
	return c->failed;
}

/* ---- entry points ---- */

static int
gtls_conn_init(void *priv, void *ctx_priv, struct tlsplug_conn *host,
               const char *server_hostname, const char *sni_name,
               struct tlsplug_error *err)
{
	const struct tlsplug_core *core = gtls_core;
	struct gtls_conn *c = priv;
	struct gtls_ctx *ctx = ctx_priv;
	const struct gtls_engine *eng = &ctx->eng;
	unsigned flags;
	int ret;

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->eng = eng;
	c->host = host;
	flags = eng->role == TLSPLUG_CLIENT ? GNUTLS_CLIENT : GNUTLS_SERVER;
	flags |= gtls_session_init_flags(eng);
	ret = gnutls_init(&c->session, flags | GNUTLS_NONBLOCK);
	if (ret < 0) {
		c->session = NULL;
		return core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
			"gnutls_init: %s", gnutls_strerror(ret));
	}
	gnutls_session_set_ptr(c->session, c);
	gnutls_transport_set_ptr(c->session, c);
	gnutls_transport_set_push_function(c->session, gtls_push_fn);
	gnutls_transport_set_pull_function(c->session, gtls_pull_fn);
	gnutls_transport_set_pull_timeout_function(c->session,
	                                           gtls_pull_timeout_fn);
	/* The caller paces the handshake: no wall-clock limit. */
	gnutls_handshake_set_timeout(c->session, 0);
	gnutls_session_set_verify_function(c->session, gtls_verify_cb);
	gtls_keylog_apply(c->session);

	ret = gtls_engine_apply(eng, c->session);
	if (ret >= 0)
		ret = gtls_ocsp_session_setup(eng, c->session);
	gtls_policy_session(eng, c->session);
	if (ret >= 0 && eng->nalpn > 0)
		ret = gnutls_alpn_set_protocols(c->session, eng->alpn,
			eng->nalpn, eng->role == TLSPLUG_SERVER ?
			GNUTLS_ALPN_SERVER_PRECEDENCE : 0);
	if (ret >= 0)
		ret = gtls_session_conn_init(c);
	if (ret < 0)
		goto fail;

	if (eng->role == TLSPLUG_SERVER) {
		gnutls_handshake_set_post_client_hello_function(c->session,
			gtls_post_client_hello);
		gnutls_handshake_set_hook_function(c->session,
			GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_PRE,
			gtls_client_hello_hook);
	} else {
		/* The core checks the host name (core->check_peer). */
		(void)server_hostname;
		c->sent_sni = sni_name;
		if (sni_name != NULL) {
			ret = gnutls_server_name_set(c->session,
				GNUTLS_NAME_DNS, sni_name, strlen(sni_name));
			if (ret < 0)
				goto fail;
		}
	}
	return TLSPLUG_OK;
fail:
	gnutls_deinit(c->session);
	c->session = NULL;
	c->sent_sni = NULL;
	return core->set_error(err, ret == GNUTLS_E_MEMORY_ERROR ?
		TLSPLUG_ERR_NOMEM : TLSPLUG_ERR_BACKEND, ret,
		"cannot set up the session: %s", gnutls_strerror(ret));
}

static void
gtls_conn_fini(void *priv)
{
	struct gtls_conn *c = priv;

	if (c->session != NULL)
		gnutls_deinit(c->session);
	gtls_core->free(c->sni);
	gtls_vchain_free(c);
	memset(c, 0, sizeof(*c));
}

/* Maps GNUTLS_E_AGAIN: retry at once when the engine stopped without the
 * transport saying "would block" (it consumed a record that gave the
 * caller nothing), else report the direction it waits for. */
static int
gtls_again(struct gtls_conn *c)
{
	if (gnutls_record_get_direction(c->session) == 1)
		return TLSPLUG_WANT_WRITE;
	return c->pull_blocked ? TLSPLUG_WANT_READ : 0;
}

static int
gtls_conn_handshake(void *priv, struct tlsplug_error *err)
{
	struct gtls_conn *c = priv;
	int ret, w, i;

	if (c->failed)
		return gtls_replay(c, err);
	if (c->handshake_done)
		return TLSPLUG_OK;
	c->err = err;
	for (i = 0; i < GTLS_RETRY_MAX; i++) {
		c->pull_blocked = 0;
		ret = gnutls_handshake(c->session);
		if (ret == 0) {
			c->handshake_done = 1;
			c->cipher_id = gtls_session_cipher_id(c->session);
			gtls_session_handshake_done(c);
			return TLSPLUG_OK;
		}
		if (ret == GNUTLS_E_AGAIN) {
			w = gtls_again(c);
			if (w != 0)
				return w;
			continue;
		}
		if (ret == GNUTLS_E_INTERRUPTED ||
		    ret == GNUTLS_E_WARNING_ALERT_RECEIVED)
			continue;
		return gtls_fail(c, ret, "handshake", err);
	}
	return TLSPLUG_WANT_READ;
}

static int
gtls_conn_read(void *priv, void *buf, size_t len, size_t *nread,
               struct tlsplug_error *err)
{
	struct gtls_conn *c = priv;
	ssize_t n;
	int st, w, i;

	*nread = 0;
	st = gtls_conn_handshake(priv, err);
	if (st != TLSPLUG_OK)
		return st;
	c->err = err;
	for (i = 0; i < GTLS_RETRY_MAX; i++) {
		c->pull_blocked = 0;
		n = gnutls_record_recv(c->session, buf, len);
		if (n > 0) {
			*nread = (size_t)n;
			return TLSPLUG_OK;
		}
		if (n == 0)
			return TLSPLUG_CLOSED;
		switch (n) {
		case GNUTLS_E_AGAIN:
			w = gtls_again(c);
			if (w != 0)
				return w;
			continue;
		case GNUTLS_E_INTERRUPTED:
		case GNUTLS_E_WARNING_ALERT_RECEIVED:
			continue;
		case GNUTLS_E_REHANDSHAKE:
			/* TLS 1.2 renegotiation is not offered: decline. */
			(void)gnutls_alert_send(c->session, GNUTLS_AL_WARNING,
			                        GNUTLS_A_NO_RENEGOTIATION);
			continue;
		case GNUTLS_E_PREMATURE_TERMINATION:
		case GNUTLS_E_SESSION_EOF:
			return TLSPLUG_RAGGED_EOF;
		default:
			return gtls_fail(c, (int)n, "read", err);
		}
	}
	return TLSPLUG_WANT_READ;
}

static int
gtls_conn_write(void *priv, const void *buf, size_t len, size_t *nwritten,
                struct tlsplug_error *err)
{
	struct gtls_conn *c = priv;
	const unsigned char *p = buf;
	size_t done = 0;
	ssize_t n;
	int st, i;

	*nwritten = 0;
	st = gtls_conn_handshake(priv, err);
	if (st != TLSPLUG_OK)
		return st;
	c->err = err;
	for (i = 0; done < len && i < GTLS_RETRY_MAX; i++) {
		c->pull_blocked = 0;
		n = gnutls_record_send(c->session, p + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == GNUTLS_E_INTERRUPTED)
			continue;
		if (done > 0)
			break;          /* report progress; the error repeats */
		if (n == GNUTLS_E_AGAIN)
			return gnutls_record_get_direction(c->session) == 1 ?
				TLSPLUG_WANT_WRITE : TLSPLUG_WANT_READ;
		return gtls_fail(c, (int)n, "write", err);
	}
	*nwritten = done;
	return TLSPLUG_OK;
}

static int
gtls_conn_shutdown(void *priv, struct tlsplug_error *err)
{
	struct gtls_conn *c = priv;
	int ret, w, i;

	if (c->failed)
		return gtls_replay(c, err);
	c->err = err;
	for (i = 0; i < GTLS_RETRY_MAX; i++) {
		c->pull_blocked = 0;
		ret = gnutls_bye(c->session, GNUTLS_SHUT_RDWR);
		if (ret == 0)
			return TLSPLUG_OK;
		if (ret == GNUTLS_E_AGAIN) {
			w = gtls_again(c);
			if (w != 0)
				return w;
			continue;
		}
		if (ret == GNUTLS_E_INTERRUPTED ||
		    ret == GNUTLS_E_WARNING_ALERT_RECEIVED)
			continue;
		if (ret == GNUTLS_E_PREMATURE_TERMINATION ||
		    ret == GNUTLS_E_SESSION_EOF)
			return TLSPLUG_RAGGED_EOF;
		return gtls_fail(c, ret, "shutdown", err);
	}
	return TLSPLUG_WANT_READ;
}

static uint16_t
gtls_conn_cipher(void *priv)
{
	struct gtls_conn *c = priv;

	return c->handshake_done ? c->cipher_id : 0;
}

static enum tlsplug_version
gtls_conn_version(void *priv)
{
	struct gtls_conn *c = priv;

	if (!c->handshake_done)
		return TLSPLUG_VERSION_NONE;
	switch (gnutls_protocol_get_version(c->session)) {
	case GNUTLS_SSL3: return TLSPLUG_VERSION_SSLv3;
	case GNUTLS_TLS1_0: return TLSPLUG_VERSION_TLSv1;
	case GNUTLS_TLS1_1: return TLSPLUG_VERSION_TLSv1_1;
	case GNUTLS_TLS1_2: return TLSPLUG_VERSION_TLSv1_2;
	case GNUTLS_TLS1_3: return TLSPLUG_VERSION_TLSv1_3;
	default: return TLSPLUG_VERSION_NONE;
	}
}

static const unsigned char *
gtls_conn_alpn(void *priv, size_t *len)
{
	struct gtls_conn *c = priv;
	gnutls_datum_t d;

	*len = 0;
	if (!c->handshake_done ||
	    gnutls_alpn_get_selected_protocol(c->session, &d) < 0 ||
	    d.size == 0)
		return NULL;
	*len = d.size;
	return d.data;
}

static const char *
gtls_conn_server_name(void *priv)
{
	struct gtls_conn *c = priv;
	char buf[256], *copy;
	size_t len;

	if (c->eng == NULL)
		return NULL;
	if (c->eng->role == TLSPLUG_CLIENT)
		return c->sent_sni;
	if (gtls_conn_sni(c, buf, sizeof(buf)) == NULL)
		return NULL;
	if (c->sni != NULL && strcmp(c->sni, buf) == 0)
		return c->sni;
	/* Asked once after the handshake (and maybe from the SNI callback):
	 * keep a copy, since the engine only copies the name out. */
	len = strlen(buf);
	copy = gtls_core->alloc(len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, buf, len + 1);
	gtls_core->free(c->sni);
	c->sni = copy;
	return c->sni;
}

const struct tlsplug_conn_ops gtls_conn_ops = {
	.init = gtls_conn_init,
	.fini = gtls_conn_fini,
	.handshake = gtls_conn_handshake,
	.read = gtls_conn_read,
	.write = gtls_conn_write,
	.shutdown = gtls_conn_shutdown,
	.cipher = gtls_conn_cipher,
	.version = gtls_conn_version,
	.alpn = gtls_conn_alpn,
	.server_name = gtls_conn_server_name,
	.peer_cert = gtls_conn_peer_cert,
	.export_keying_material = gtls_conn_export,
	.group = gtls_conn_group,
	.verified_cert = gtls_conn_verified_cert,
	.set_session = gtls_conn_set_session,
	.resumed = gtls_conn_resumed,
	.get_session = gtls_conn_get_session,
	.ocsp_status = gtls_conn_ocsp_status,
};
