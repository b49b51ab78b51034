/*
 * hello.c -- what the server reads from the ClientHello.  After it (the
 * post-ClientHello function): the SNI name, and the core's choice of
 * config and chain for it (core->select_server, which runs the SNI
 * callback), then the switch to that engine.  Before it (a handshake hook):
 * the core's ALPN choice, and the versions the client offers, so that a version mismatch GnuTLS
 * reports as "no cipher suites" is named as every engine names it.
 */
#include "config.h"

#include <gnutls/gnutls.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* ---- server name and the SNI callback ---- */

const char *
gtls_conn_sni(struct gtls_conn *c, char *buf, size_t size)
{
	size_t len = size;
	unsigned type = 0;
	int ret;

	if (c->session == NULL || size == 0)
		return NULL;
	ret = gnutls_server_name_get(c->session, buf, &len, &type, 0);
	if (ret < 0 || type != GNUTLS_NAME_DNS || len == 0 || len >= size)
		return NULL;
	buf[len] = '\0';
	return buf;
}

/* After the ClientHello: the core chooses the config and chain for the
 * client's server name (running the SNI callback, if any). */
int
gtls_post_client_hello(gnutls_session_t s)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	const struct tlsplug_bconfig *cfg = NULL;
	void *ctx_priv = NULL;
	char sni[256];
	int st, ret;

	/* After a HelloRetryRequest the hook runs again for the second
	 * ClientHello: the choice is made. */
	if (c->sni_done)
		return 0;
	c->sni_done = 1;

	st = gtls_core->select_server(c->host,
	                              gtls_conn_sni(c, sni, sizeof(sni)),
	                              &cfg, &ctx_priv, &c->chain, c->err);
	if (st != TLSPLUG_OK) {
		/* The core has recorded the reason. */
		gtls_conn_cb_status(c, st, st == TLSPLUG_ERR_HANDSHAKE_REFUSED ?
			GNUTLS_A_UNRECOGNIZED_NAME : GNUTLS_A_INTERNAL_ERROR);
		return GNUTLS_E_USER_ERROR;
	}
	c->eng = &((const struct gtls_ctx *)ctx_priv)->eng;
	if (c->eng == &c->ctx->eng)
		return 0;
	ret = gtls_engine_apply(c->eng, s);
	if (ret < 0) {
		gtls_conn_cb_fail(c, TLSPLUG_ERR_BACKEND,
			GNUTLS_A_INTERNAL_ERROR, ret,
			"cannot apply the server name callback's config: %s",
			gnutls_strerror(ret));
		return ret;
	}
	return 0;
}

/* ---- versions the client offered (server side) ---- */

/* Bit for TLS 1.minor-1 as a gnutls_protocol_t (0x0301 -> GNUTLS_TLS1_0). */
static unsigned
gtls_version_bit(unsigned char major, unsigned char minor)
{
	if (major != 3 || minor < 1 || minor > 4)
		return 0;
	return 1u << (minor + 1);
}

static int
gtls_supported_versions_cb(void *ctx, unsigned tls_id,
                           const unsigned char *data, unsigned size)
{
	unsigned *mask = ctx;
	unsigned i, n;

	if (tls_id != 43 || size < 1)    /* supported_versions */
		return 0;
	n = data[0];
	for (i = 1; i + 1 < size && i < 1 + n; i += 2)
		*mask |= gtls_version_bit(data[i], data[i + 1]);
	*mask |= 1u;                     /* "the extension was present" */
	return 0;
}

/* ---- ALPN (server side) ---- */

/* The client's ALPN extension (16): its ProtocolNameList body. */
struct gtls_alpn_offer {
	const unsigned char *list;
	size_t len;
	int present;
};

static int
gtls_alpn_offer_cb(void *ctx, unsigned tls_id, const unsigned char *data,
                   unsigned size)
{
	struct gtls_alpn_offer *o = ctx;

	if (tls_id != 16)
		return 0;
	o->present = 1;
	if (size >= 2 && ((size_t)data[0] << 8 | data[1]) == size - 2u) {
		o->list = data + 2;
		o->len = size - 2u;
	}
	return 0;
}

/*
 * The core chooses the protocol (core->alpn_select), before GnuTLS reads
 * the extension: the session is left offering only that protocol, so
 * GnuTLS selects it; nothing in common fails the handshake with the
 * fatal no_application_protocol alert unless the config says to go on
 * without ALPN (then GnuTLS, which finds no match either, goes on).
 */
static int
gtls_alpn_choose(struct gtls_conn *c, const gnutls_datum_t *msg)
{
	const struct gtls_engine *eng = c->eng;
	struct gtls_alpn_offer o = { NULL, 0, 0 };
	const unsigned char *p = NULL;
	gnutls_datum_t chosen;
	size_t n = 0;
	int rc;

	if (eng == NULL || eng->nalpn == 0 ||
	    !TLSPLUG_CORE_HAS(gtls_core, 1, alpn_select))
		return 0;
	(void)gnutls_ext_raw_parse(&o, gtls_alpn_offer_cb, msg,
	                           GNUTLS_EXT_RAW_FLAG_TLS_CLIENT_HELLO);
	if (!o.present)
		return 0;
	if (o.list == NULL)     /* malformed: GnuTLS refuses it itself */
		return 0;
	rc = gtls_core->alpn_select(c->host, eng->cfg, o.list, o.len, &p, &n,
	                            c->err);
	if (rc != TLSPLUG_OK) {
		gtls_conn_cb_status(c, rc, rc == TLSPLUG_ERR_NO_SHARED_ALPN ?
			GNUTLS_A_NO_APPLICATION_PROTOCOL :
			GNUTLS_A_DECODE_ERROR);
		return GNUTLS_E_NO_APPLICATION_PROTOCOL;
	}
	if (p == NULL)
		return 0;
	chosen.data = (unsigned char *)p;
	chosen.size = (unsigned)n;
	/* GnuTLS copies the names. */
	return gnutls_alpn_set_protocols(c->session, &chosen, 1,
	                                 GNUTLS_ALPN_SERVER_PRECEDENCE);
}

/*
 * Before GnuTLS reads the ClientHello: the ALPN choice (above); and the
 * versions the client offers.  GnuTLS reports a client whose versions do
 * not meet ours as "no cipher suites" when it negotiated a version the
 * client has no suite for.  The ClientHello says what the client offered,
 * so the failure can be named as every engine names it: no shared
 * version.  The suites it offers are kept too; before the ServerHello goes
 * out, a resumption is checked against them (session.c).
 */
int
gtls_client_hello_hook(gnutls_session_t s, unsigned htype, unsigned when,
                       unsigned incoming, const gnutls_datum_t *msg)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	unsigned mask = 0, m;
	int ret;

	(void)when;
	if (htype == GNUTLS_HANDSHAKE_SERVER_HELLO && !incoming)
		return gtls_session_check_resume(c, msg);
	if (htype != GNUTLS_HANDSHAKE_CLIENT_HELLO || !incoming ||
	    msg->size < 2)
		return 0;
	gtls_session_note_offer(c, msg);
	ret = gtls_alpn_choose(c, msg);
	if (ret < 0)
		return ret;
	if (c->client_versions != 0)
		return 0;
	(void)gnutls_ext_raw_parse(&mask, gtls_supported_versions_cb, msg,
	                           GNUTLS_EXT_RAW_FLAG_TLS_CLIENT_HELLO);
	if (mask == 0 && msg->data[0] == 3) {
		/* No supported_versions: every version up to legacy_version. */
		for (m = 1; m <= msg->data[1] && m <= 3; m++)
			mask |= gtls_version_bit(3, (unsigned char)m);
	}
	c->client_versions = mask | 1u;
	return 0;
}
