/*
 * hello.c -- the server's ClientHello, read before mbedTLS sees it.
 *
 * mbedTLS 2.28 has no hook between reading the ClientHello and answering
 * it in which a session could change its configuration: its SNI callback
 * may change only the chain, trust and verification mode, not the
 * versions, suites or ALPN an SNI callback's config may set.  So before a
 * server session starts, this file reads its first record from the core's
 * buffer, reads the server name, the ALPN list and the versions offered,
 * has the core choose the config and chain (core->select_server, which
 * runs the SNI callback) and, when the chosen engine configuration is not
 * the one the session was set up on (the context's own), sets the session
 * up again on that one; the record is then handed to mbedTLS by the
 * receive callback (conn.c) as if it came from the network.  Two things mbedTLS would get wrong are settled here too:
 *   - a client offering only TLS 1.3 (supported_versions) is refused
 *     with protocol_version, where mbedTLS 2.28, which ignores that
 *     extension, would answer with TLS 1.2;
 *   - a client offering a session ticket without the session's suite
 *     is refused with illegal_parameter, where mbedTLS would resume the
 *     session with another suite;
 *   - a client whose ALPN list shares nothing with ours gets what
 *     core->alpn_select says, as on every engine: the fatal
 *     no_application_protocol alert, or, when the config says to go on,
 *     the engine's configuration without ALPN (no protocol chosen), where
 *     mbedTLS would always refuse the handshake.
 * Anything that is not a well-formed ClientHello record is handed on
 * as it is, without running the SNI callback: mbedTLS rejects it with its
 * own error.
 */
#include <string.h>

#include <mbedtls/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* The largest record a TLS 1.2 peer may send (2^14 plus expansion). */
#define MBTP_RECORD_MAX (16384 + 2048)

/* What the ClientHello offers. */
struct mbtp_offer {
	char sni[256];
	int has_sni;
	const unsigned char *alpn;   /* ProtocolNameList body, or NULL */
	size_t alpn_len;
	const unsigned char *vers;   /* supported_versions list, or NULL */
	size_t vers_len;
	const unsigned char *suites; /* cipher suite list (2 bytes each) */
	size_t suites_len;
	const unsigned char *ticket; /* SessionTicket body, or NULL */
	size_t ticket_len;
};

/* Reads one length-prefixed field (n bytes of length) at *p..end. */
static int
mbtp_field(const unsigned char **p, const unsigned char *end, size_t n,
           const unsigned char **body, size_t *len)
{
	size_t l = 0, i;

	if ((size_t)(end - *p) < n)
		return -1;
	for (i = 0; i < n; i++)
		l = l << 8 | (*p)[i];
	*p += n;
	if ((size_t)(end - *p) < l)
		return -1;
	*body = *p;
	*len = l;
	*p += l;
	return 0;
}

static void
mbtp_read_sni(const unsigned char *d, size_t n, struct mbtp_offer *o)
{
	const unsigned char *p = d, *end = d + n, *list, *name;
	size_t llen, nlen;

	if (mbtp_field(&p, end, 2, &list, &llen) != 0)
		return;
	p = list;
	end = list + llen;
	while (p < end) {
		unsigned char type = *p++;

		if (mbtp_field(&p, end, 2, &name, &nlen) != 0)
			return;
		if (type != 0 || nlen == 0 || nlen >= sizeof(o->sni) ||
		    memchr(name, 0, nlen) != NULL)
			continue;
		memcpy(o->sni, name, nlen);
		o->sni[nlen] = '\0';
		o->has_sni = 1;
		return;
	}
}

/* Parses the ClientHello in record body rec (rlen bytes).  Returns 0, or
 * -1 when it is not one (or not whole in this record). */
static int
mbtp_parse_hello(const unsigned char *rec, size_t rlen, struct mbtp_offer *o)
{
	const unsigned char *p, *end, *f, *exts;
	size_t hlen, flen, elen;

	memset(o, 0, sizeof(*o));
	if (rlen < 4 || rec[0] != 1)            /* client_hello */
		return -1;
	hlen = (size_t)rec[1] << 16 | (size_t)rec[2] << 8 | rec[3];
	if (hlen > rlen - 4)
		return -1;
	p = rec + 4;
	end = p + hlen;
	if ((size_t)(end - p) < 2 + 32)
		return -1;
	p += 2 + 32;                             /* version, random */
	if (mbtp_field(&p, end, 1, &f, &flen) != 0 ||   /* session id */
	    mbtp_field(&p, end, 2, &o->suites, &o->suites_len) != 0 ||
	    mbtp_field(&p, end, 1, &f, &flen) != 0)     /* compression */
		return -1;
	if (p == end)
		return 0;                        /* no extensions */
	if (mbtp_field(&p, end, 2, &exts, &elen) != 0)
		return -1;
	p = exts;
	end = exts + elen;
	while (p < end) {
		unsigned type;

		if (end - p < 2)
			return -1;
		type = (unsigned)p[0] << 8 | p[1];
		p += 2;
		if (mbtp_field(&p, end, 2, &f, &flen) != 0)
			return -1;
		switch (type) {
		case 0:                          /* server_name */
			mbtp_read_sni(f, flen, o);
			break;
		case 16:                         /* ALPN */
			if (flen >= 2) {
				o->alpn = f + 2;
				o->alpn_len = flen - 2;
			}
			break;
		case 35:                         /* session_ticket */
			o->ticket = flen > 0 ? f : NULL;
			o->ticket_len = flen;
			break;
		case 43:                         /* supported_versions */
			if (flen >= 1 && f[0] <= flen - 1) {
				o->vers = f + 1;
				o->vers_len = f[0];
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Does the client's supported_versions list hold a version eng enables?
 * (Without the extension mbedTLS settles versions itself.) */
static int
mbtp_version_shared(const struct mbtp_engine *eng, const struct mbtp_offer *o)
{
	size_t i;

	if (o->vers == NULL)
		return 1;
	for (i = 0; i + 1 < o->vers_len; i += 2)
		if (o->vers[i] == 3 && o->vers[i + 1] >= eng->vmin &&
		    o->vers[i + 1] <= eng->vmax)
			return 1;
	return 0;
}

/* A ticket eng opens holds a session whose suite the client offers too
 * (or there is no such ticket): 1, else 0.  mbedTLS would resume the
 * session with another suite, one picked from the client's list. */
static int
mbtp_ticket_suite_offered(const struct mbtp_engine *eng,
                          const struct mbtp_offer *o)
{
	int suite;

	if (o->ticket == NULL ||
	    mbtp_ticket_suite(eng, o->ticket, o->ticket_len, &suite) != 0)
		return 1;
	for (size_t i = 0; i + 1 < o->suites_len; i += 2)
		if (((int)o->suites[i] << 8 | o->suites[i + 1]) == suite)
			return 1;
	return 0;
}

/* The core's ALPN choice for the client's list (core->alpn_select, the
 * same on every engine): 1 when mbedTLS may negotiate with eng's list (it
 * picks by our preference, as the core does), 0 to go on without ALPN,
 * or a failure (recorded in err): nothing in common and the config wants
 * the no_application_protocol alert. */
static int
mbtp_alpn_choose(const struct mbtp_engine *eng, const struct mbtp_offer *o,
                 struct mbtp_conn *c, struct tlsplug_error *err)
{
	const unsigned char *p = NULL;
	size_t n = 0;
	int st;

	if (o->alpn == NULL || eng->alpn == NULL)
		return 1;
	if (!TLSPLUG_CORE_HAS(mbtp_core, 1, alpn_select))
		return 0;
	st = mbtp_core->alpn_select(c->host, eng->cfg, o->alpn, o->alpn_len,
	                            &p, &n, err);
	if (st != TLSPLUG_OK)
		return st;
	return p != NULL;
}

/* Reads the first record into c->hello.  Returns OK when it is whole (or
 * is no handshake record), WANT_READ, or an error. */
static int
mbtp_read_record(struct mbtp_conn *c, struct tlsplug_error *err)
{
	size_t need = 5;
	unsigned char *grown;
	ssize_t n;

	for (;;) {
		if (c->hello_len >= 5) {
			if (c->hello[0] != MBEDTLS_SSL_MSG_HANDSHAKE)
				return TLSPLUG_OK;
			need = 5 + ((size_t)c->hello[3] << 8 | c->hello[4]);
			if (need > 5 + MBTP_RECORD_MAX)
				return TLSPLUG_OK;
		}
		if (c->hello_len == need)
			return TLSPLUG_OK;
		if (c->hello_cap < need) {
			grown = mbtp_core->realloc(c->hello, need);
			if (grown == NULL)
				return mbtp_core->set_error(err,
					TLSPLUG_ERR_NOMEM, 0, "out of memory");
			c->hello = grown;
			c->hello_cap = need;
		}
		n = mbtp_core->pull(c->host, c->hello + c->hello_len,
		                    need - c->hello_len);
		if (n < 0)
			return TLSPLUG_WANT_READ;
		if (n == 0)
			return mbtp_core->set_error(err, TLSPLUG_ERR_IO, 0,
				"handshake: the peer closed the connection "
				"before its ClientHello");
		c->hello_len += (size_t)n;
	}
}

/* A failure before the session exists: the fatal alert goes out as a
 * plaintext record straight into the core's buffer, in the record
 * version the client used. */
static int
mbtp_refuse(struct mbtp_conn *c, int st, unsigned char alert)
{
	unsigned char rec[7] = { MBEDTLS_SSL_MSG_ALERT, 3, 3, 0, 2,
	                         MBEDTLS_SSL_ALERT_LEVEL_FATAL, 0 };

	if (c->hello_len >= 3 && c->hello[1] == 3 && c->hello[2] >= 1 &&
	    c->hello[2] <= 3)
		rec[2] = c->hello[2];
	rec[6] = alert;
	(void)mbtp_core->push(c->host, rec, sizeof(rec));
	return st;
}

int
mbtp_hello_prepare(struct mbtp_conn *c, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = NULL;
	const struct mbtp_engine *eng;
	const mbedtls_ssl_config *conf;
	struct mbtp_offer o;
	void *ctx_priv = NULL;
	size_t len;
	int st, ret, parsed;

	st = mbtp_read_record(c, err);
	if (st != TLSPLUG_OK)
		return st;
	parsed = c->hello_len > 5 && c->hello[0] == MBEDTLS_SSL_MSG_HANDSHAKE &&
	         mbtp_parse_hello(c->hello + 5, c->hello_len - 5, &o) == 0;
	if (!parsed) {
		/* No ClientHello we can read: mbedTLS refuses it with its
		 * own error, before anything is chosen for it. */
		c->hello_off = 0;
		c->hello_done = 1;
		return TLSPLUG_OK;
	}

	st = mbtp_core->select_server(c->host, o.has_sni ? o.sni : NULL,
	                              &cfg, &ctx_priv, &c->chain, err);
	if (st != TLSPLUG_OK)
		/* The core has recorded the reason. */
		return mbtp_refuse(c, st, st == TLSPLUG_ERR_HANDSHAKE_REFUSED ?
			MBEDTLS_SSL_ALERT_MSG_UNRECOGNIZED_NAME :
			MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR);
	eng = &((const struct mbtp_ctx *)ctx_priv)->eng;
	if (o.has_sni) {
		len = strlen(o.sni);
		c->sni = mbtp_core->alloc(len + 1);
		if (c->sni == NULL)
			return mbtp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
				"out of memory");
		memcpy(c->sni, o.sni, len + 1);
	}
	if (!mbtp_version_shared(eng, &o)) {
		mbtp_core->set_error(err, TLSPLUG_ERR_NO_SHARED_VERSION, 0,
			"handshake failed: the client offers no TLS version "
			"this server enables (mbedTLS 2.28 speaks TLS 1.2 at "
			"most)");
		return mbtp_refuse(c, TLSPLUG_ERR_NO_SHARED_VERSION,
		                   MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION);
	}
	ret = mbtp_alpn_choose(eng, &o, c, err);
	if (ret < 0)
		return mbtp_refuse(c, ret, ret == TLSPLUG_ERR_NO_SHARED_ALPN ?
		                   MBEDTLS_SSL_ALERT_MSG_NO_APPLICATION_PROTOCOL :
		                   MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR);
	if (!mbtp_ticket_suite_offered(eng, &o)) {
		mbtp_core->set_error(err, TLSPLUG_ERR_PROTOCOL, 0,
			"handshake failed: the client offers a session ticket "
			"without the session's suite (RFC 5246 7.4.1.2)");
		return mbtp_refuse(c, TLSPLUG_ERR_PROTOCOL,
		                   MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER);
	}
	conf = eng->has_noalpn && ret == 0 ? &eng->conf_noalpn : &eng->conf;
	if (conf != c->conf) {
		/* Another engine context (SNI callback) or ALPN off: the
		 * session starts again on that configuration. */
		mbedtls_ssl_free(&c->ssl);
		mbedtls_ssl_init(&c->ssl);
		c->ssl_ready = 0;
		st = mbtp_conn_setup(c, eng, conf, err);
		if (st != TLSPLUG_OK)
			return st;
	}
	if (eng->nchains > 0) {
		size_t pick = c->chain < eng->nchains ? c->chain : 0;

		ret = mbedtls_ssl_set_hs_own_cert(&c->ssl,
			&eng->chains[pick].crt, &eng->chains[pick].key);
		if (ret != 0)
			return mbtp_core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
				"out of memory");
	}
	c->hello_off = 0;
	c->hello_done = 1;
	return TLSPLUG_OK;
}
