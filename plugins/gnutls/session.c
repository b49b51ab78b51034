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
