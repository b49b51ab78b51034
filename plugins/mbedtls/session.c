/*
 * session.c -- session resumption on mbedTLS 2.28 (TLS 1.2).
 *
 * Client: every handshake's session (new, or resumed: it stays usable)
 * goes to core->session_ready as mbedtls_ssl_session_save bytes, which
 * set_session turns back with mbedtls_ssl_session_load.  The bytes hold
 * the peer's certificate (MBEDTLS_SSL_KEEP_PEER_CERTIFICATE), so
 * peer_cert answers on a resumed connection too.  The client asks for
 * tickets; a server without them may still resume by session id.
 *
 * Server: tickets (RFC 5077) only, written and read by the callbacks
 * below, not mbedtls_ssl_ticket, so that they follow the core's master
 * key and lifetime the way the other engines do: the key name (16 bytes)
 * and the AES-256-GCM key of a period are HMAC-SHA256(master, label ||
 * period || rules), period = now / ticket_lifetime, rules = what decides
 * who may resume (validation, client certificate mode), so a ticket made
 * under other rules does not open.  A ticket is the key name, a 12-byte
 * IV, the length of the sealed session (2 bytes), the sealed
 * mbedtls_ssl_session_save bytes and the GCM tag; the name, IV and length
 * are authenticated too.  Tickets of the current and the previous period
 * open, and only while the session is younger than the lifetime.  Two
 * servers with the same master key and lifetime open each other's
 * tickets.  There is no session-id cache: a server without tickets
 * does not resume.  mbedTLS resumes a ticket's session with whatever
 * suite it selects, not the session's: a ticket whose suite the server no
 * longer has does not open, and a client offering a ticket without its
 * suite is refused before mbedTLS answers (hello.c, mbtp_ticket_suite).
 */
#include <string.h>
#include <time.h>

#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#define MBTP_TICKET_NAME 16
#define MBTP_TICKET_IV 12
#define MBTP_TICKET_TAG 16
#define MBTP_TICKET_HEAD (MBTP_TICKET_NAME + MBTP_TICKET_IV + 2)
/* A lifetime for a core that gives none (ABI 1.0 cores have no tickets
 * setting; this is only a guard). */
#define MBTP_TICKET_LIFETIME_DEFAULT 7200

/* ---- server: ticket keys ---- */

static uint32_t
mbtp_lifetime(const struct mbtp_engine *eng)
{
	return eng->cfg->ticket_lifetime > 0 ? eng->cfg->ticket_lifetime :
	       MBTP_TICKET_LIFETIME_DEFAULT;
}

static int
mbtp_derive(const struct mbtp_engine *eng, const char *label,
            uint64_t period, unsigned char out[32])
{
	unsigned char msg[64];
	size_t n = strlen(label);
	int i;

	memcpy(msg, label, n);
	for (i = 0; i < 8; i++)
		msg[n + (size_t)i] = (unsigned char)(period >> (56 - 8 * i));
	memcpy(msg + n + 8, eng->ticket_rules, sizeof(eng->ticket_rules));
	return mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	                       eng->ticket_master, sizeof(eng->ticket_master),
	                       msg, n + 8 + sizeof(eng->ticket_rules), out);
}

/* A GCM context keyed for period; 0, or an mbedTLS error. */
static int
mbtp_ticket_gcm(const struct mbtp_engine *eng, uint64_t period,
                mbedtls_gcm_context *gcm)
{
	unsigned char key[32];
	int ret;

	ret = mbtp_derive(eng, "tlsplug ticket aes", period, key);
	if (ret == 0)
		ret = mbedtls_gcm_setkey(gcm, MBEDTLS_CIPHER_ID_AES, key, 256);
	mbedtls_platform_zeroize(key, sizeof(key));
	return ret;
}

static int
mbtp_ticket_write(void *p, const mbedtls_ssl_session *session,
                  unsigned char *start, const unsigned char *end,
                  size_t *tlen, uint32_t *lifetime)
{
	const struct mbtp_engine *eng = p;
	uint64_t period = (uint64_t)time(NULL) / mbtp_lifetime(eng);
	unsigned char name[32], *iv = start + MBTP_TICKET_NAME;
	unsigned char *sealed = start + MBTP_TICKET_HEAD;
	mbedtls_gcm_context gcm;
	size_t room, clen;
	int ret;

	*tlen = 0;
	if (end - start < MBTP_TICKET_HEAD + MBTP_TICKET_TAG)
		return MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
	room = (size_t)(end - sealed) - MBTP_TICKET_TAG;
	if (room > 0xffff)
		room = 0xffff;
	ret = mbtp_derive(eng, "tlsplug ticket name", period, name);
	if (ret == 0)
		ret = mbtp_random(NULL, iv, MBTP_TICKET_IV);
	if (ret == 0)
		ret = mbedtls_ssl_session_save(session, sealed, room, &clen);
	if (ret != 0)
		return ret;
	memcpy(start, name, MBTP_TICKET_NAME);
	start[MBTP_TICKET_NAME + MBTP_TICKET_IV] = (unsigned char)(clen >> 8);
	start[MBTP_TICKET_NAME + MBTP_TICKET_IV + 1] = (unsigned char)clen;
	mbedtls_gcm_init(&gcm);
	ret = mbtp_ticket_gcm(eng, period, &gcm);
	if (ret == 0)
		ret = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, clen,
			iv, MBTP_TICKET_IV, start, MBTP_TICKET_HEAD, sealed,
			sealed, MBTP_TICKET_TAG, sealed + clen);
	mbedtls_gcm_free(&gcm);
	if (ret != 0) {
		mbedtls_platform_zeroize(sealed, clen);
		return ret;
	}
	*tlen = MBTP_TICKET_HEAD + clen + MBTP_TICKET_TAG;
	*lifetime = mbtp_lifetime(eng);
	return 0;
}

/* 1 when suite id is one the config allows (any, without a list). */
static int
mbtp_suite_configured(const struct mbtp_engine *eng, int id)
{
	const struct tlsplug_bconfig *cfg = eng->cfg;

	if (cfg->nciphers == 0)
		return 1;
	for (size_t i = 0; i < cfg->nciphers; i++)
		if (cfg->ciphers[i] == id)
			return 1;
	return 0;
}

static int
mbtp_ticket_parse(void *p, mbedtls_ssl_session *session, unsigned char *buf,
                  size_t len)
{
	const struct mbtp_engine *eng = p;
	uint32_t life = mbtp_lifetime(eng);
	uint64_t now = (uint64_t)time(NULL), period = now / life, back;
	unsigned char name[32];
	mbedtls_gcm_context gcm;
	size_t clen;
	int ret;

	if (len < MBTP_TICKET_HEAD + MBTP_TICKET_TAG)
		return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
	clen = (size_t)buf[MBTP_TICKET_NAME + MBTP_TICKET_IV] << 8 |
	       buf[MBTP_TICKET_NAME + MBTP_TICKET_IV + 1];
	if (len != MBTP_TICKET_HEAD + clen + MBTP_TICKET_TAG)
		return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
	/* The current period's key, then the previous one's. */
	for (back = 0; back < 2 && back <= period; back++) {
		ret = mbtp_derive(eng, "tlsplug ticket name", period - back,
		                  name);
		if (ret != 0)
			return ret;
		if (memcmp(buf, name, MBTP_TICKET_NAME) == 0)
			break;
	}
	if (back == 2 || back > period)
		return MBEDTLS_ERR_SSL_INVALID_MAC;   /* unknown or too old */
	mbedtls_gcm_init(&gcm);
	ret = mbtp_ticket_gcm(eng, period - back, &gcm);
	if (ret == 0)
		ret = mbedtls_gcm_auth_decrypt(&gcm, clen,
			buf + MBTP_TICKET_NAME, MBTP_TICKET_IV, buf,
			MBTP_TICKET_HEAD, buf + MBTP_TICKET_HEAD + clen,
			MBTP_TICKET_TAG, buf + MBTP_TICKET_HEAD,
			buf + MBTP_TICKET_HEAD);
	mbedtls_gcm_free(&gcm);
	if (ret == MBEDTLS_ERR_GCM_AUTH_FAILED)
		return MBEDTLS_ERR_SSL_INVALID_MAC;
	if (ret != 0)
		return ret;
	ret = mbedtls_ssl_session_load(session, buf + MBTP_TICKET_HEAD, clen);
	mbedtls_platform_zeroize(buf + MBTP_TICKET_HEAD, clen);
	if (ret != 0)
		return ret;
	if (session->start > (mbedtls_time_t)now ||
	    now - (uint64_t)session->start > life) {
		mbedtls_ssl_session_free(session);
		return MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
	}
	/* mbedTLS resumes with the suite it picks from the client's list
	 * and ours, not the session's: a session whose suite this server no
	 * longer has is not opened (full handshake). */
	if (!mbtp_suite_configured(eng, session->ciphersuite)) {
		mbedtls_ssl_session_free(session);
		return MBEDTLS_ERR_SSL_INVALID_MAC;
	}
	return 0;
}

int
mbtp_ticket_suite(const struct mbtp_engine *eng, const unsigned char *ticket,
                  size_t len, int *suite)
{
	mbedtls_ssl_session s;
	unsigned char *copy;
	int ret;

	if (mbtp_core->abi_minor < 1 || eng->role != TLSPLUG_SERVER ||
	    !eng->cfg->session_tickets || len == 0)
		return -1;
	copy = mbtp_core->alloc(len);
	if (copy == NULL)
		return -1;
	memcpy(copy, ticket, len);
	mbedtls_ssl_session_init(&s);
	ret = mbtp_ticket_parse((void *)eng, &s, copy, len);
	if (ret == 0)
		*suite = s.ciphersuite;
	mbedtls_ssl_session_free(&s);
	mbedtls_platform_zeroize(copy, len);
	mbtp_core->free(copy);
	return ret == 0 ? 0 : -1;
}

/* ---- engine set-up ---- */

int
mbtp_session_engine(struct mbtp_engine *eng, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = eng->cfg;

	if (eng->role != TLSPLUG_SERVER || mbtp_core->abi_minor < 1 ||
	    !cfg->session_tickets)
		return TLSPLUG_OK;
	if (cfg->ticket_key != NULL &&
	    cfg->ticket_key_len == sizeof(eng->ticket_master))
		memcpy(eng->ticket_master, cfg->ticket_key,
		       sizeof(eng->ticket_master));
	else if (mbtp_random(NULL, eng->ticket_master,
	                     sizeof(eng->ticket_master)) != 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
			"no random bytes for the ticket key");
	eng->ticket_rules[0] = (unsigned char)cfg->validate;
	eng->ticket_rules[1] = (unsigned char)cfg->verify_peer;
	eng->ticket_rules[2] = (unsigned char)cfg->client_cert;
	return TLSPLUG_OK;
}

void
mbtp_session_conf(struct mbtp_engine *eng, mbedtls_ssl_config *conf)
{
	if (mbtp_core->abi_minor < 1)
		return;
	if (eng->role == TLSPLUG_CLIENT)
		mbedtls_ssl_conf_session_tickets(conf,
			MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
	else if (eng->cfg->session_tickets)
		mbedtls_ssl_conf_session_tickets_cb(conf, mbtp_ticket_write,
			mbtp_ticket_parse, eng);
}

/* ---- client: sessions to the core and back ---- */

/* The connection's session serialised into a new buffer (core->alloc):
 * its length, 0 when there is none to resume, -1 on failure. */
static ssize_t
mbtp_session_bytes(struct mbtp_conn *c, unsigned char **out,
                   uint32_t *lifetime)
{
	mbedtls_ssl_session s;
	unsigned char *buf = NULL;
	size_t len = 0;
	ssize_t n = -1;
	int ret;

	*out = NULL;
	mbedtls_ssl_session_init(&s);
	if (mbedtls_ssl_get_session(&c->ssl, &s) != 0)
		goto out;
	n = 0;
	if (s.id_len == 0 && s.ticket == NULL)
		goto out;                     /* nothing to resume with */
	ret = mbedtls_ssl_session_save(&s, NULL, 0, &len);
	n = -1;
	if (ret != MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL || len == 0 ||
	    (buf = mbtp_core->alloc(len)) == NULL)
		goto out;
	if (mbedtls_ssl_session_save(&s, buf, len, &len) != 0) {
		mbtp_core->free(buf);
		goto out;
	}
	*out = buf;
	*lifetime = s.ticket != NULL ? s.ticket_lifetime : 0;
	n = (ssize_t)len;
out:
	mbedtls_ssl_session_free(&s);
	return n;
}

void
mbtp_session_handshake_done(struct mbtp_conn *c)
{
	unsigned char *buf;
	uint32_t life = 0;
	ssize_t n;

	if (c->eng->role != TLSPLUG_CLIENT ||
	    !TLSPLUG_CORE_HAS(mbtp_core, 1, session_ready))
		return;
	n = mbtp_session_bytes(c, &buf, &life);
	if (n <= 0)
		return;
	(void)mbtp_core->session_ready(c->host, buf, (size_t)n, life, 0);
	mbedtls_platform_zeroize(buf, (size_t)n);
	mbtp_core->free(buf);
}

int
mbtp_conn_set_session(void *priv, const unsigned char *data, size_t len,
                      struct tlsplug_error *err)
{
	struct mbtp_conn *c = priv;
	mbedtls_ssl_session s;
	int ret;

	mbedtls_ssl_session_init(&s);
	ret = mbedtls_ssl_session_load(&s, data, len);
	if (ret == 0)
		ret = mbedtls_ssl_set_session(&c->ssl, &s);
	mbedtls_ssl_session_free(&s);
	if (ret == MBEDTLS_ERR_SSL_ALLOC_FAILED)
		return mbtp_core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
			"out of memory");
	if (ret != 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_INVALID, ret,
			"the session's bytes are not an mbedTLS session this "
			"build can resume (-0x%04x)", -ret);
	return TLSPLUG_OK;
}
