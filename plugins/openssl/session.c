/*
 * session.c -- session resumption on OpenSSL.
 *
 * Client: OpenSSL's own client cache stays off (the core keeps the cache);
 * every new session (TLS 1.2: once the handshake is done; TLS 1.3: each
 * NewSessionTicket) goes to core->session_ready as i2d_SSL_SESSION bytes,
 * which set_session turns back with d2i_SSL_SESSION.
 *
 * Server: tickets are encrypted (AES-256-CBC + HMAC-SHA256, OpenSSL's
 * ticket format) under keys derived from the 64-byte master key with
 * HMAC-SHA256(master, label || period), period = now / ticket_lifetime:
 * the key name (16 bytes), the AES key and the HMAC key each have their
 * label.  Tickets are issued under the current period's keys; those of the
 * previous period are still accepted (and the ticket renewed), older ones
 * are not.  Two processes with the same master key and lifetime derive the
 * same keys, so they resume each other's tickets; the session id context
 * is derived from the master key and the settings that decide who may
 * resume (client certificate rules), so it matches too.
 */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* ---- ticket keys ------------------------------------------------------- */

static int
osslp_derive(const struct osslp_engine *e, const char *label,
             uint64_t period, unsigned char out[32])
{
	unsigned char msg[32];
	size_t n = strlen(label);
	unsigned int len = 32;

	memcpy(msg, label, n);
	for (int i = 0; i < 8; i++)
		msg[n + (size_t)i] = (unsigned char)(period >> (56 - 8 * i));
	return HMAC(EVP_sha256(), e->ticket_master, sizeof e->ticket_master,
	            msg, n + 8, out, &len) != NULL ? 0 : -1;
}

/* Sets up the cipher and MAC of period's keys; 0, or -1. */
static int
osslp_ticket_keys(const struct osslp_engine *e, uint64_t period,
                  const unsigned char *iv, EVP_CIPHER_CTX *cctx,
                  EVP_MAC_CTX *hctx, int enc)
{
	unsigned char aes[32], mac[32];
	OSSL_PARAM params[2];
	int ok;

	if (osslp_derive(e, "tlsplug ticket aes", period, aes) != 0 ||
	    osslp_derive(e, "tlsplug ticket mac", period, mac) != 0)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	                                             (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_CipherInit_ex(cctx, EVP_aes_256_cbc(), NULL, aes, iv, enc) &&
	     EVP_MAC_init(hctx, mac, sizeof mac, params);
	OPENSSL_cleanse(aes, sizeof aes);
	OPENSSL_cleanse(mac, sizeof mac);
	return ok ? 0 : -1;
}

static int
osslp_ticket_cb(SSL *ssl, unsigned char key_name[16], unsigned char *iv,
                EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	const struct osslp_engine *e =
	    SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	unsigned char name[32];
	uint64_t now = (uint64_t)time(NULL), period;

	if (e == NULL || e->cfg->ticket_lifetime == 0)
		return -1;
	period = now / e->cfg->ticket_lifetime;
	if (enc) {
		if (osslp_derive(e, "tlsplug ticket name", period, name) != 0 ||
		    RAND_bytes(iv, EVP_CIPHER_iv_length(EVP_aes_256_cbc()))
		    != 1)
			return -1;
		memcpy(key_name, name, 16);
		return osslp_ticket_keys(e, period, iv, cctx, hctx, 1) == 0 ?
		    1 : -1;
	}
	/* The current period's key, then the previous one's (renew). */
	for (uint64_t back = 0; back < 2 && back <= period; back++) {
		if (osslp_derive(e, "tlsplug ticket name", period - back,
		                 name) != 0)
			return -1;
		if (CRYPTO_memcmp(key_name, name, 16) != 0)
			continue;
		if (osslp_ticket_keys(e, period - back, iv, cctx, hctx, 0) != 0)
			return -1;
		/* 2: renew.  A TLS 1.3 ticket is used once, so the client
		 * gets a new one each time (OpenSSL sends none after a
		 * resumption otherwise). */
		return back == 0 && SSL_version(ssl) != TLS1_3_VERSION ? 1 : 2;
	}
	return 0;   /* unknown or too old: full handshake */
}

/*
 * After a ticket was decrypted (status): a TLS 1.2 session resumes only
 * with a suite this server may use.  OpenSSL checks that the client
 * offers the session's suite, not that the server's list still has it, so
 * a server whose suites no longer include it would resume it anyway; its
 * ticket is ignored instead (full handshake, new ticket).  A TLS 1.3
 * session is left to OpenSSL, which picks the suite from the server's list
 * and keeps only the hash (RFC 8446 §4.6.1).
 */
static SSL_TICKET_RETURN
osslp_ticket_dec_cb(SSL *ssl, SSL_SESSION *ss, const unsigned char *keyname,
                    size_t keyname_len, SSL_TICKET_STATUS status, void *arg)
{
	STACK_OF(SSL_CIPHER) *mine;
	const SSL_CIPHER *c;
	int ok = 0;

	(void)keyname;
	(void)keyname_len;
	(void)arg;
	switch (status) {
	case SSL_TICKET_SUCCESS:
	case SSL_TICKET_SUCCESS_RENEW:
		break;
	case SSL_TICKET_EMPTY:
	case SSL_TICKET_NO_DECRYPT:
		return SSL_TICKET_RETURN_IGNORE_RENEW;
	default:
		return SSL_TICKET_RETURN_ABORT;
	}
	c = ss != NULL ? SSL_SESSION_get0_cipher(ss) : NULL;
	if (c == NULL)
		return SSL_TICKET_RETURN_IGNORE_RENEW;
	if (SSL_SESSION_get_protocol_version(ss) >= TLS1_3_VERSION)
		ok = 1;
	mine = SSL_get_ciphers(ssl);
	for (int i = 0; !ok && i < sk_SSL_CIPHER_num(mine); i++)
		ok = SSL_CIPHER_get_id(sk_SSL_CIPHER_value(mine, i)) ==
		     SSL_CIPHER_get_id(c);
	if (!ok)
		return SSL_TICKET_RETURN_IGNORE_RENEW;
	return status == SSL_TICKET_SUCCESS ? SSL_TICKET_RETURN_USE :
	                                      SSL_TICKET_RETURN_USE_RENEW;
}

/* Fills e's master key (the config's, else random) and session id
 * context. */
static int
osslp_engine_keys(struct osslp_engine *e)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	unsigned char sid[32];
	unsigned int len = sizeof sid;
	unsigned char what[3];

	if (cfg->ticket_key != NULL &&
	    cfg->ticket_key_len == sizeof e->ticket_master)
		memcpy(e->ticket_master, cfg->ticket_key,
		       sizeof e->ticket_master);
	else if (RAND_bytes(e->ticket_master, sizeof e->ticket_master) != 1)
		return -1;
	what[0] = (unsigned char)cfg->validate;
	what[1] = (unsigned char)cfg->verify_peer;
	what[2] = (unsigned char)(osslp_core->abi_minor >= 1 ?
	                          cfg->client_cert : 0);
	if (HMAC(EVP_sha256(), e->ticket_master, sizeof e->ticket_master,
	         what, sizeof what, sid, &len) == NULL)
		return -1;
	memcpy(e->sid_ctx, sid, sizeof e->sid_ctx);
	return 0;
}

/* ---- client: new sessions ---------------------------------------------- */

static void
osslp_give_session(struct osslp_conn *c, SSL_SESSION *sess)
{
	unsigned char *der = NULL;
	int len;
	uint32_t life;

	if (!TLSPLUG_CORE_HAS(osslp_core, 1, session_ready) ||
	    !SSL_SESSION_is_resumable(sess))
		return;
	len = i2d_SSL_SESSION(sess, &der);
	if (len <= 0)
		return;
	life = (uint32_t)SSL_SESSION_get_ticket_lifetime_hint(sess);
	if (life == 0)
		life = (uint32_t)SSL_SESSION_get_timeout(sess);
	(void)osslp_core->session_ready(c->host, der, (size_t)len, life,
	    SSL_SESSION_get_protocol_version(sess) == TLS1_3_VERSION);
	c->got_session = 1;
	OPENSSL_clear_free(der, (size_t)len);
}

static int
osslp_new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct osslp_conn *c = SSL_get_app_data(ssl);

	if (c != NULL)
		osslp_give_session(c, sess);
	return 0;   /* the core copied what it needs */
}

void
osslp_session_handshake_done(struct osslp_conn *c)
{
	SSL_SESSION *sess;

	/* A resumed TLS 1.2 session that brought no new ticket stays
	 * reusable: hand it over again, so the connection has one. */
	if (c->role != TLSPLUG_CLIENT || c->got_session ||
	    SSL_version(c->ssl) == TLS1_3_VERSION ||
	    !SSL_session_reused(c->ssl))
		return;
	sess = SSL_get0_session(c->ssl);
	if (sess != NULL)
		osslp_give_session(c, sess);
}

/* ---- engine set-up ----------------------------------------------------- */

int
osslp_session_setup(SSL_CTX *s, struct osslp_engine *e)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	int has = osslp_core->abi_minor >= 1;

	if (e->role == TLSPLUG_CLIENT) {
		SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_CLIENT |
		    SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(s, osslp_new_session_cb);
		return 0;
	}
	if (!e->keys_done) {
		if (osslp_engine_keys(e) != 0)
			return -1;
		e->keys_done = 1;
	}
	/* Sessions resume only where the same rules would accept them. */
	if (!SSL_CTX_set_session_id_context(s, e->sid_ctx, sizeof e->sid_ctx))
		return -1;
	SSL_CTX_set_app_data(s, e);
	if (has && cfg->ticket_lifetime > 0)
		SSL_CTX_set_timeout(s, (long)cfg->ticket_lifetime);
	if (has && !cfg->session_tickets) {
		SSL_CTX_set_options(s, SSL_OP_NO_TICKET);
		SSL_CTX_set_num_tickets(s, 0);
		return 0;
	}
	if (!SSL_CTX_set_session_ticket_cb(s, NULL, osslp_ticket_dec_cb,
	                                   NULL))
		return -1;
	return SSL_CTX_set_tlsext_ticket_key_evp_cb(s, osslp_ticket_cb) ? 0
	                                                                   : -1;
}

/* ---- connection entry points ------------------------------------------- */

int
osslp_conn_set_session(void *conn_priv, const unsigned char *data,
                       size_t len, struct tlsplug_error *err)
{
	struct osslp_conn *c = conn_priv;
	const unsigned char *p = data;
	SSL_SESSION *sess;
	int ok;

	if (len > LONG_MAX)
		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
		                             "session too large");
	sess = d2i_SSL_SESSION(NULL, &p, (long)len);
	if (sess == NULL || p != data + len) {
		SSL_SESSION_free(sess);
		ERR_clear_error();
		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
		    "the session's bytes are not an OpenSSL session");
	}
	ok = SSL_set_session(c->ssl, sess);
	SSL_SESSION_free(sess);
	if (!ok) {
		ERR_clear_error();
		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
		    "OpenSSL cannot resume this session");
	}
	return TLSPLUG_OK;
}

int
osslp_conn_resumed(void *conn_priv)
{
	struct osslp_conn *c = conn_priv;

	return SSL_session_reused(c->ssl) ? 1 : 0;
}

ssize_t
osslp_conn_get_session(void *conn_priv, unsigned char *buf, size_t size)
{
	struct osslp_conn *c = conn_priv;
	SSL_SESSION *sess = SSL_get0_session(c->ssl);
	unsigned char *p = buf;
	int len;

	if (sess == NULL || !SSL_SESSION_is_resumable(sess))
		return 0;
	len = i2d_SSL_SESSION(sess, NULL);
	if (len <= 0) {
		ERR_clear_error();
		return -1;
	}
	if ((size_t)len <= size && i2d_SSL_SESSION(sess, &p) != len) {
		ERR_clear_error();
		return -1;
	}
	return len;
}
