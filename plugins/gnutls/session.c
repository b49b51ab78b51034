/*
 * session.c -- session resumption on GnuTLS.
 *
 * Client: the session data (gnutls_session_get_data2) goes to
 * core->session_ready once the handshake is done in TLS 1.2, and in TLS 1.3
 * each time a NewSessionTicket was processed (a hook after that message,
 * as the GnuTLS manual advises: before it, TLS 1.3 data cannot resume;
 * the hook before it reads the ticket's lifetime, which GnuTLS does not
 * report).
 * set_session hands the bytes back with gnutls_session_set_data.
 *
 * Server: tickets use the context's 64-byte master key (the config's, or
 * one GnuTLS generates) with gnutls_session_ticket_enable_server; GnuTLS
 * derives the encryption keys from it and rotates them by the session
 * expiration time, which is set to the ticket lifetime (the keys of the
 * previous period stay valid).  Two processes with the same key and
 * lifetime resume each other's tickets.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Hands the session's current data to the core. */
static void
gtls_give_session(struct gtls_conn *c, int tls13)
{
	gnutls_datum_t d = { NULL, 0 };
	time_t exp, now;
	uint32_t life = 0;

	if (!TLSPLUG_CORE_HAS(gtls_core, 1, session_ready))
		return;
	if (gnutls_session_get_data2(c->session, &d) < 0 || d.size == 0) {
		gnutls_free(d.data);
		return;
	}
	/* The lifetime the server gave with its ticket, else what GnuTLS
	 * says of the data (its own default when there was no ticket). */
	life = c->ticket_life;
	exp = gnutls_db_check_entry_expire_time(&d);
	now = time(NULL);
	if (life == 0 && exp > now)
		life = (uint32_t)(exp - now);
	(void)gtls_core->session_ready(c->host, d.data, d.size, life, tls13);
	gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
}

static int
gtls_ticket_hook(gnutls_session_t s, unsigned htype, unsigned when,
                 unsigned incoming, const gnutls_datum_t *msg)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);

	const unsigned char *p;
	size_t n;

	(void)htype;
	if (c == NULL || !incoming)
		return 0;
	if (when == GNUTLS_HOOK_POST) {
		/* Processed: TLS 1.3 data can resume now. */
		if (gnutls_protocol_get_version(s) == GNUTLS_TLS1_3)
			gtls_give_session(c, 1);
		return 0;
	}
	/* Before processing, the message: both versions' NewSessionTicket
	 * start with the lifetime (hint) in seconds, 4 bytes; skip a
	 * handshake header if the hook gives one (type 4: a real lifetime is
	 * at most 7 days, so its first byte is 0). */
	c->ticket_life = 0;
	if (msg != NULL && msg->data != NULL) {
		p = msg->data;
		n = msg->size;
		if (n >= 8 && p[0] == 4) {
			p += 4;
			n -= 4;
		}
		if (n >= 4)
			c->ticket_life = (uint32_t)p[0] << 24 |
			    (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
	return 0;
}

/*
 * A ticket key set in the config, bound to the server's suites when they
 * are set: each half of the key GnuTLS gets is HMAC-SHA256(master,
 * "tlsplug ticket suites" || half || the suite ids).  GnuTLS resumes a
 * TLS 1.2 ticket with the suite it holds without asking whether the
 * server's suites still include it; a server whose suites changed cannot
 * open the tickets made under the old ones, and makes a full handshake.
 */
static int
gtls_ticket_key_suites(struct gtls_engine *eng)
{
	const struct tlsplug_bconfig *cfg = eng->cfg;
	static const char label[] = "tlsplug ticket suites";
	unsigned char data[sizeof label + 1 + 2 * 256];
	unsigned char out[TLSPLUG_TICKET_KEY_SIZE];
	size_t n = 0;
	int ret = 0;

	if (cfg->nciphers == 0 || cfg->nciphers > 256 ||
	    eng->ticket_key.size != sizeof out)
		return 0;
	memcpy(data, label, sizeof label - 1);
	n = sizeof label;           /* the half's byte follows the label */
	for (size_t i = 0; i < cfg->nciphers; i++) {
		data[n++] = (unsigned char)(cfg->ciphers[i] >> 8);
		data[n++] = (unsigned char)cfg->ciphers[i];
	}
	for (unsigned half = 0; half < 2 && ret >= 0; half++) {
		data[sizeof label - 1] = (unsigned char)half;
		ret = gnutls_hmac_fast(GNUTLS_MAC_SHA256, eng->ticket_key.data,
		                       eng->ticket_key.size, data, n,
		                       out + 32 * half);
	}
	if (ret >= 0)
		memcpy(eng->ticket_key.data, out, sizeof out);
	gnutls_memset(out, 0, sizeof out);
	return ret < 0 ? ret : 0;
}

int
gtls_session_engine_init(struct gtls_engine *eng, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = eng->cfg;
	int ret;

	if (eng->role != TLSPLUG_SERVER || gtls_core->abi_minor < 1 ||
	    !cfg->session_tickets)
		return TLSPLUG_OK;
	if (cfg->ticket_key != NULL &&
	    cfg->ticket_key_len == TLSPLUG_TICKET_KEY_SIZE) {
		eng->ticket_key.data = gnutls_malloc(cfg->ticket_key_len);
		if (eng->ticket_key.data == NULL)
			return gtls_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			                            "out of memory");
		memcpy(eng->ticket_key.data, cfg->ticket_key,
		       cfg->ticket_key_len);
		eng->ticket_key.size = (unsigned)cfg->ticket_key_len;
		ret = gtls_ticket_key_suites(eng);
		if (ret < 0)
			return gtls_core->set_error(err, TLSPLUG_ERR_BACKEND,
			    ret, "cannot derive the ticket key: %s",
			    gnutls_strerror(ret));
		return TLSPLUG_OK;
	}
	ret = gnutls_session_ticket_key_generate(&eng->ticket_key);
	if (ret < 0) {
		eng->ticket_key.data = NULL;
		eng->ticket_key.size = 0;
		return gtls_core->set_error(err, TLSPLUG_ERR_BACKEND, ret,
		    "cannot make a ticket key: %s", gnutls_strerror(ret));
	}
	return TLSPLUG_OK;
}

void
gtls_session_engine_fini(struct gtls_engine *eng)
{
	if (eng->ticket_key.data != NULL) {
		gnutls_memset(eng->ticket_key.data, 0, eng->ticket_key.size);
		gnutls_free(eng->ticket_key.data);
	}
	eng->ticket_key.data = NULL;
	eng->ticket_key.size = 0;
}

unsigned
gtls_session_init_flags(const struct gtls_engine *eng)
{
	if (eng->role == TLSPLUG_SERVER &&
	    (gtls_core->abi_minor < 1 || !eng->cfg->session_tickets))
		return GNUTLS_NO_TICKETS;
	return 0;
}

int
gtls_session_conn_init(struct gtls_conn *c)
{
	const struct gtls_engine *eng = c->eng;

	if (eng->role == TLSPLUG_CLIENT) {
		gnutls_handshake_set_hook_function(c->session,
		    GNUTLS_HANDSHAKE_NEW_SESSION_TICKET, GNUTLS_HOOK_BOTH,
		    gtls_ticket_hook);
		return 0;
	}
	if (eng->ticket_key.data == NULL)
		return 0;
	gnutls_db_set_cache_expiration(c->session,
	                               (int)eng->cfg->ticket_lifetime);
	return gnutls_session_ticket_enable_server(c->session,
	                                           &eng->ticket_key);
}

void
gtls_session_handshake_done(struct gtls_conn *c)
{
	if (c->eng->role == TLSPLUG_CLIENT &&
	    gnutls_protocol_get_version(c->session) != GNUTLS_TLS1_3)
		gtls_give_session(c, 0);
}

int
gtls_conn_set_session(void *priv, const unsigned char *data, size_t len,
                      struct tlsplug_error *err)
{
	struct gtls_conn *c = priv;
	int ret;

	if (len > 0xFFFFFFFFu)
		return gtls_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
		                            "session too large");
	ret = gnutls_session_set_data(c->session, data, len);
	if (ret < 0)
		return gtls_core->set_error(err, TLSPLUG_ERR_INVALID, ret,
		    "the session's bytes are not a GnuTLS session: %s",
		    gnutls_strerror(ret));
	return TLSPLUG_OK;
}

int
gtls_conn_resumed(void *priv)
{
	struct gtls_conn *c = priv;

	return c->session != NULL && gnutls_session_is_resumed(c->session);
}

ssize_t
gtls_conn_get_session(void *priv, unsigned char *buf, size_t size)
{
	struct gtls_conn *c = priv;
	gnutls_datum_t d = { NULL, 0 };
	ssize_t n;

	if (c->session == NULL ||
	    gnutls_session_get_data2(c->session, &d) < 0) {
		gnutls_free(d.data);
		return -1;
	}
	n = (ssize_t)d.size;
	if (d.size > 0 && d.size <= size)
		memcpy(buf, d.data, d.size);
	if (d.data != NULL)
		gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	return n;
}

/* ---- server: resumptions GnuTLS must not make ---------------------------- */

void
gtls_session_note_offer(struct gtls_conn *c, const gnutls_datum_t *msg)
{
	const unsigned char *p = msg->data, *end = msg->data + msg->size;
	size_t n;

	c->noffered = 0;
	/* legacy_version, random, session id, then the suites. */
	if (end - p < 35 || (size_t)(end - p) < 35u + p[34] + 2u)
		return;
	p += 35 + p[34];
	n = (size_t)p[0] << 8 | p[1];
	p += 2;
	if ((size_t)(end - p) < n)
		return;
	for (size_t i = 0; i + 1 < n && c->noffered < GTLS_MAX_OFFERED;
	     i += 2)
		c->offered[c->noffered++] = (uint16_t)(p[i] << 8 | p[i + 1]);
	c->offer_seen = 1;
}

int
gtls_session_check_resume(struct gtls_conn *c, const gnutls_datum_t *msg)
{
	const unsigned char *p = msg->data;
	uint16_t id;
	size_t at;
	int offered = 0;

	if (!gnutls_session_is_resumed(c->session) ||
	    gnutls_protocol_get_version(c->session) > GNUTLS_TLS1_2 ||
	    !c->offer_seen)
		return 0;
	/* The ServerHello GnuTLS is about to send: legacy_version, random,
	 * session id, then the suite. */
	if (msg->size < 35 || msg->size < 35u + p[34] + 2u)
		return 0;
	at = 35 + p[34];
	id = (uint16_t)(p[at] << 8 | p[at + 1]);
	for (size_t i = 0; i < c->noffered && !offered; i++)
		offered = c->offered[i] == id;
	/* A client offering more suites than were kept: not judged. */
	if (offered || c->noffered == GTLS_MAX_OFFERED)
		return 0;
	gtls_conn_cb_fail(c, TLSPLUG_ERR_PROTOCOL,
	    GNUTLS_A_ILLEGAL_PARAMETER, GNUTLS_E_RECEIVED_ILLEGAL_PARAMETER,
	    "the client offers a session of suite 0x%04X without that suite "
	    "(RFC 5246 7.4.1.2): not resumed", (unsigned)id);
	return GNUTLS_E_RECEIVED_ILLEGAL_PARAMETER;
}
