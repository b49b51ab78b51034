/*
 * session.c -- session resumption on wolfSSL.
 *
 * Client: asks for TLS 1.2 tickets (wolfSSL_CTX_UseSessionTicket: a
 * wolfSSL client does not by default).  wolfSSL's own client cache stays
 * out of the way (the core keeps the cache): the context keeps no session
 * internally
 * (WOLFSSL_SESS_CACHE_NO_INTERNAL_STORE), and every new session (TLS 1.2:
 * once the handshake is done; TLS 1.3: each NewSessionTicket) goes from
 * the new-session callback to core->session_ready in wolfSSL's own
 * serialisation (wolfSSL_i2d_SSL_SESSION, which keeps the peer's chain:
 * SESSION_CERTS), which set_session turns back with
 * wolfSSL_d2i_SSL_SESSION.
 *
 * Server: tickets are encrypted by the plugin's ticket callback with
 * AES-256-CTR and authenticated with HMAC-SHA256 over key name, IV and
 * ciphertext (wolfSSL's ticket layout has a 16-byte key name, a 16-byte
 * IV and a 32-byte MAC, and encrypts in place), under keys derived from
 * the 64-byte master key with HMAC-SHA256(master, label || period),
 * period = now / ticket_lifetime, as the OpenSSL plugin derives them: the
 * key name, the AES key and the HMAC key each have their label.  Tickets
 * are issued under the current period's keys; those of the previous
 * period are still accepted (and the ticket renewed), older ones are not.
 * Two processes with the same master key and lifetime derive the same
 * keys, so they resume each other's tickets.  The session id context is
 * derived from the master key and the settings that decide who may resume
 * (client certificate rules).  TLS 1.2 session ids resume from a cache of
 * the engine's own (sesscache.c): wolfSSL's is one per process and does
 * not keep contexts apart.
 */
#include "config.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/random.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#if !defined(HAVE_SESSION_TICKET) || !defined(HAVE_EXT_CACHE) || \
    !defined(WOLFSSL_AES_COUNTER)
#error "the plugin needs wolfSSL with HAVE_SESSION_TICKET, HAVE_EXT_CACHE, WOLFSSL_AES_COUNTER"
#endif

/* ---- ticket keys ------------------------------------------------------- */

/* Zeroes n bytes at p in a way the compiler keeps. */
static void
wolfp_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

/* 0 when n bytes at a and b are equal, in time independent of them. */
static int
wolfp_differ(const unsigned char *a, const unsigned char *b, size_t n)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d != 0;
}

/* HMAC-SHA256 under key (klen bytes) of the n parts (part[i], len[i]
 * bytes) one after the other, into out.  0, or -1. */
static int
wolfp_hmac(const unsigned char *key, size_t klen, size_t n,
           const unsigned char *const part[], const size_t len[],
           unsigned char out[WC_SHA256_DIGEST_SIZE])
{
	Hmac h;
	size_t i;
	int r;

	if (wc_HmacInit(&h, NULL, INVALID_DEVID) != 0)
		return -1;
	r = wc_HmacSetKey(&h, WC_SHA256, key, (word32)klen);
	for (i = 0; r == 0 && i < n; i++)
		r = wc_HmacUpdate(&h, part[i], (word32)len[i]);
	if (r == 0)
		r = wc_HmacFinal(&h, out);
	wc_HmacFree(&h);
	return r == 0 ? 0 : -1;
}

/* HMAC-SHA256(e's master key, label || period as 8 bytes big-endian). */
static int
wolfp_derive(const struct wolfp_engine *e, const char *label,
             uint64_t period, unsigned char out[WC_SHA256_DIGEST_SIZE])
{
	unsigned char be[8];
	const unsigned char *part[2] = { (const unsigned char *)label, be };
	size_t len[2] = { strlen(label), sizeof be };
	int i;

	for (i = 0; i < 8; i++)
		be[i] = (unsigned char)(period >> (56 - 8 * i));
	return wolfp_hmac(e->ticket_master, sizeof e->ticket_master, 2, part,
	                  len, out);
}

/* The ticket MAC of period's keys over name, iv and the ciphertext. */
static int
wolfp_ticket_mac(const struct wolfp_engine *e, uint64_t period,
                 const unsigned char *name, const unsigned char *iv,
                 const unsigned char *ct, int len,
                 unsigned char out[WOLFSSL_TICKET_MAC_SZ])
{
	unsigned char key[WC_SHA256_DIGEST_SIZE];
	const unsigned char *part[3] = { name, iv, ct };
	size_t plen[3] = { WOLFSSL_TICKET_NAME_SZ, WOLFSSL_TICKET_IV_SZ,
	                   (size_t)len };
	int r;

	if (wolfp_derive(e, "tlsplug ticket mac", period, key) != 0)
		return -1;
	r = wolfp_hmac(key, sizeof key, 3, part, plen, out);
	wolfp_wipe(key, sizeof key);
	return r;
}

/* AES-256-CTR of len bytes at buf, in place, under period's key. */
static int
wolfp_ticket_crypt(const struct wolfp_engine *e, uint64_t period,
                   const unsigned char *iv, unsigned char *buf, int len)
{
	unsigned char key[WC_SHA256_DIGEST_SIZE];
	Aes aes;
	int r;

	if (wolfp_derive(e, "tlsplug ticket aes", period, key) != 0)
		return -1;
	r = wc_AesInit(&aes, NULL, INVALID_DEVID);
	if (r == 0) {
		/* CTR mode uses the encryption schedule both ways. */
		r = wc_AesSetKey(&aes, key, sizeof key, iv, AES_ENCRYPTION);
		if (r == 0)
			r = wc_AesCtrEncrypt(&aes, buf, buf, (word32)len);
		wc_AesFree(&aes);
	}
	wolfp_wipe(key, sizeof key);
	return r == 0 ? 0 : -1;
}

/*
 * 1 when a decrypted TLS 1.2 ticket's suite is one this server may use.
 * A server whose suites no longer include it must not resume it (the
 * suite a resumption keeps would be one its config refuses): the ticket
 * is rejected and the handshake goes on in full.  wolfSSL's decrypted
 * ticket (its InternalTicket) starts with the protocol version (2 bytes)
 * and the suite (2 bytes, the IANA id); a TLS 1.3 ticket is left to
 * wolfSSL, which negotiates the suite from the server's list and keeps
 * only the hash (RFC 8446 §4.6.1).
 */
static int
wolfp_ticket_suite_ok(const struct wolfp_engine *e,
                      const unsigned char *ticket, int len)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	unsigned id;

	if (cfg->nciphers == 0 || len < 4 || ticket[0] != 3 ||
	    ticket[1] > 3)
		return 1;
	id = (unsigned)ticket[2] << 8 | ticket[3];
	for (size_t i = 0; i < cfg->nciphers; i++)
		if (cfg->ciphers[i] == id)
			return 1;
	return 0;
}

/* wolfSSL's ticket callback (server contexts): userCtx is the engine. */
static int
wolfp_ticket_cb(WOLFSSL *ssl, unsigned char key_name[WOLFSSL_TICKET_NAME_SZ],
                unsigned char iv[WOLFSSL_TICKET_IV_SZ],
                unsigned char mac[WOLFSSL_TICKET_MAC_SZ], int enc,
                unsigned char *ticket, int inLen, int *outLen, void *userCtx)
{
	const struct wolfp_engine *e = userCtx;
	unsigned char name[WC_SHA256_DIGEST_SIZE];
	unsigned char want[WOLFSSL_TICKET_MAC_SZ];
	uint64_t now = (uint64_t)time(NULL), period, back;
	WC_RNG rng;
	int r;

	(void)ssl;
	if (e == NULL || e->cfg->ticket_lifetime == 0 || inLen <= 0)
		return WOLFSSL_TICKET_RET_FATAL;
	period = now / e->cfg->ticket_lifetime;
	if (enc) {
		if (wc_InitRng(&rng) != 0)
			return WOLFSSL_TICKET_RET_FATAL;
		r = wc_RNG_GenerateBlock(&rng, iv, WOLFSSL_TICKET_IV_SZ);
		wc_FreeRng(&rng);
		if (r != 0 ||
		    wolfp_derive(e, "tlsplug ticket name", period, name) != 0)
			return WOLFSSL_TICKET_RET_FATAL;
		memcpy(key_name, name, WOLFSSL_TICKET_NAME_SZ);
		if (wolfp_ticket_crypt(e, period, iv, ticket, inLen) != 0 ||
		    wolfp_ticket_mac(e, period, key_name, iv, ticket, inLen,
		                     mac) != 0)
			return WOLFSSL_TICKET_RET_FATAL;
		*outLen = inLen;
		return WOLFSSL_TICKET_RET_OK;
	}
	/* The current period's key, then the previous one's (renew). */
	for (back = 0; back < 2 && back <= period; back++) {
		if (wolfp_derive(e, "tlsplug ticket name", period - back,
		                 name) != 0)
			return WOLFSSL_TICKET_RET_FATAL;
		if (wolfp_differ(key_name, name, WOLFSSL_TICKET_NAME_SZ) != 0)
			continue;
		if (wolfp_ticket_mac(e, period - back, key_name, iv, ticket,
		                     inLen, want) != 0)
			return WOLFSSL_TICKET_RET_FATAL;
		if (wolfp_differ(mac, want, WOLFSSL_TICKET_MAC_SZ) != 0)
			return WOLFSSL_TICKET_RET_REJECT;
		if (wolfp_ticket_crypt(e, period - back, iv, ticket,
		                       inLen) != 0)
			return WOLFSSL_TICKET_RET_FATAL;
		if (!wolfp_ticket_suite_ok(e, ticket, inLen))
			return WOLFSSL_TICKET_RET_REJECT;
		*outLen = inLen;
		return back == 0 ? WOLFSSL_TICKET_RET_OK :
		                   WOLFSSL_TICKET_RET_CREATE;
	}
	return WOLFSSL_TICKET_RET_REJECT;   /* unknown or too old */
}

/* Fills e's master key (the config's, else random) and session id
 * context. */
static int
wolfp_engine_keys(struct wolfp_engine *e)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	unsigned char what[3];
	unsigned char sid[WC_SHA256_DIGEST_SIZE];
	const unsigned char *wp = what;
	size_t wlen = sizeof what;
	WC_RNG rng;
	int r;

	if (cfg->ticket_key != NULL &&
	    cfg->ticket_key_len == sizeof e->ticket_master) {
		memcpy(e->ticket_master, cfg->ticket_key,
		       sizeof e->ticket_master);
	} else {
		if (wc_InitRng(&rng) != 0)
			return -1;
		r = wc_RNG_GenerateBlock(&rng, e->ticket_master,
		                         sizeof e->ticket_master);
		wc_FreeRng(&rng);
		if (r != 0)
			return -1;
	}
	what[0] = (unsigned char)cfg->validate;
	what[1] = (unsigned char)cfg->verify_peer;
	what[2] = (unsigned char)cfg->client_cert;
	if (wolfp_hmac(e->ticket_master, sizeof e->ticket_master, 1, &wp,
	               &wlen, sid) != 0)
		return -1;
	memcpy(e->sid_ctx, sid, sizeof e->sid_ctx);
	return 0;
}

/* ---- engine set-up ----------------------------------------------------- */

int
wolfp_session_setup(WOLFSSL_CTX *w, struct wolfp_engine *e)
{
	const struct tlsplug_bconfig *cfg = e->cfg;

	if (e->role == TLSPLUG_CLIENT) {
		/* wolfSSL calls the new-session callback only with its
		 * cache on; it need not store anything there. */
		(void)wolfSSL_CTX_set_session_cache_mode(w,
		    WOLFSSL_SESS_CACHE_CLIENT |
		    WOLFSSL_SESS_CACHE_NO_INTERNAL_STORE);
		wolfSSL_CTX_sess_set_new_cb(w, wolfp_session_new_cb);
		/* A wolfSSL client asks for TLS 1.2 tickets only when told
		 * to (other engines always do; a server without a session
		 * cache, as GnuTLS's, resumes nothing else). */
		return wolfSSL_CTX_UseSessionTicket(w) == WOLFSSL_SUCCESS ? 0
		                                                          : -1;
	}
	if (!e->keys_done) {
		if (wolfp_engine_keys(e) != 0)
			return -1;
		e->keys_done = 1;
	}
	if (wolfSSL_CTX_set_session_id_context(w, e->sid_ctx,
	                                       sizeof e->sid_ctx) !=
	    WOLFSSL_SUCCESS)
		return -1;
	/* Session ids: the engine's own cache (sesscache.c). */
	if (wolfp_scache_setup(w, e) != 0)
		return -1;
	if (cfg->ticket_lifetime > 0) {
		/* With OPENSSL_EXTRA this answers the previous timeout. */
		(void)wolfSSL_CTX_set_timeout(w, cfg->ticket_lifetime);
		if (wolfSSL_CTX_set_TicketHint(w, (int)(cfg->ticket_lifetime >
		    INT_MAX ? INT_MAX : cfg->ticket_lifetime)) !=
		    WOLFSSL_SUCCESS)
			return -1;
	}
	if (!cfg->session_tickets) {
		(void)wolfSSL_CTX_NoTicketTLSv12(w);
		(void)wolfSSL_CTX_no_ticket_TLSv13(w);
		return 0;
	}
	if (wolfSSL_CTX_set_TicketEncCtx(w, e) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_TicketEncCb(w, wolfp_ticket_cb) != WOLFSSL_SUCCESS)
		return -1;
	return 0;
}

/* ---- client: new sessions ---------------------------------------------- */

ssize_t
wolfp_session_der(WOLFSSL_SESSION *sess, unsigned char *buf, size_t size)
{
	unsigned char *p = buf;
	int n;

	if (sess == NULL || !wolfSSL_SESSION_is_resumable(sess))
		return 0;
	n = wolfSSL_i2d_SSL_SESSION(sess, NULL);
	if (n <= 0)
		return -1;
	/* wolfSSL writes at p without moving it. */
	if ((size_t)n <= size && wolfSSL_i2d_SSL_SESSION(sess, &p) != n)
		return -1;
	return n;
}

/*
 * wolfSSL's new-session callback on client contexts: wolfSSL calls it
 * once a TLS 1.2 handshake is done and for each TLS 1.3
 * NewSessionTicket.  The lifetime is the server's ticket lifetime (TLS
 * 1.3 always has one), else the session's timeout.
 */
int
wolfp_session_new_cb(WOLFSSL *ssl, WOLFSSL_SESSION *sess)
{
	struct wolfp_conn *c = wolfSSL_get_app_data(ssl);
	unsigned char *buf;
	unsigned long lifetime;
	ssize_t n;

	if (c == NULL || c->role != TLSPLUG_CLIENT ||
	    !TLSPLUG_CORE_HAS(wolfp_core, 1, session_ready))
		return 0;
	n = wolfp_session_der(sess, NULL, 0);
	if (n <= 0)
		return 0;
	buf = wolfp_core->alloc((size_t)n);
	if (buf == NULL)
		return 0;       /* the connection goes on without it */
	if (wolfp_session_der(sess, buf, (size_t)n) == n) {
		lifetime = wolfSSL_SESSION_get_ticket_lifetime_hint(sess);
		if (lifetime == 0)
			lifetime = (unsigned long)wolfSSL_SESSION_get_timeout(
			    sess);
		(void)wolfp_core->session_ready(c->host, buf, (size_t)n,
			lifetime > UINT32_MAX ? UINT32_MAX : (uint32_t)lifetime,
			wolfSSL_version(ssl) == 0x0304);
		c->got_session = 1;
	}
	wolfp_wipe(buf, (size_t)n);
	wolfp_core->free(buf);
	return 0;       /* wolfSSL keeps its reference */
}

void
wolfp_session_handshake_done(struct wolfp_conn *c)
{
	/* A resumed TLS 1.2 session that brought no new ticket stays
	 * reusable: hand it over again, so the connection has one. */
	if (c->role != TLSPLUG_CLIENT || c->got_session ||
	    wolfSSL_version(c->ssl) == 0x0304 ||
	    wolfSSL_session_reused(c->ssl) != 1)
		return;
	(void)wolfp_session_new_cb(c->ssl, wolfSSL_get_session(c->ssl));
}

/* ---- client: a refused TLS 1.2 ticket ----------------------------------- */

/*
 * wolfSSL 5.5 as a TLS 1.2 client sends a ticket with an empty session id
 * and then takes any ServerHello for an accepted ticket (DSH_CheckSessionId
 * holds whenever the session has a ticket): when the server refuses it and
 * goes on with a full handshake (Certificate where wolfSSL awaits
 * ChangeCipherSpec), the handshake fails with OUT_OF_ORDER_E.  The
 * ServerHello alone does not tell (RFC 5077 3.4: a server accepting the
 * ticket echoes the empty id, and one refusing it without a session cache
 * sends an empty id too); what follows it does: after an accepted ticket
 * NewSessionTicket or ChangeCipherSpec, after a refused one Certificate,
 * ServerKeyExchange or ServerHelloDone.  So while a TLS 1.2 ticket is
 * offered, the receive callback pulls the server's first bytes ahead, up
 * to the type of the message after the ServerHello, before wolfSSL reads
 * any of them; when the ticket was refused it is dropped from the session,
 * and wolfSSL decides on the session id as without tickets (the session's
 * old id is not the server's new one, or the server sent none: full
 * handshake).  Anything else (an alert, a ServerHello over several
 * records, a huge one) is left to wolfSSL as it is.
 */
#define WOLFP_AHEAD_MAX 4096

/* How many bytes ahead (from the server's first) the judgement needs,
 * with *verdict: 0 undecided (need more), 1 refused, 2 accepted, 3 not
 * to judge. */
static size_t
wolfp_ahead_need(const unsigned char *b, size_t n, int *verdict)
{
	size_t rec, msg, at;

	*verdict = 0;
	if (n < 9)
		return 9;
	rec = ((size_t)b[3] << 8) | b[4];
	msg = ((size_t)b[6] << 16) | ((size_t)b[7] << 8) | b[8];
	if (b[0] != 22 /* handshake */ || b[5] != 2 /* server_hello */ ||
	    4 + msg > rec) {
		*verdict = 3;
		return 0;
	}
	if (4 + msg < rec) {
		at = 9 + msg;           /* the next message, same record */
	} else {
		at = 5 + rec;           /* the next record */
		if (at + 1 > WOLFP_AHEAD_MAX) {
			*verdict = 3;
			return 0;
		}
		if (n < at + 1)
			return at + 1;
		if (b[at] == 20) {      /* change_cipher_spec */
			*verdict = 2;
			return 0;
		}
		if (b[at] != 22) {
			*verdict = 3;
			return 0;
		}
		at += 5;
	}
	if (at + 1 > WOLFP_AHEAD_MAX) {
		*verdict = 3;
		return 0;
	}
	if (n < at + 1)
		return at + 1;
	*verdict = b[at] == 4 /* new_session_ticket */ ? 2 : 1;
	return 0;
}

int
wolfp_session_recv(struct wolfp_conn *c, char *buf, int sz)
{
	size_t need, left;
	ssize_t n;
	int verdict = 3;

	while (c->ticket12_watch) {
		need = wolfp_ahead_need(c->ahead, c->ahead_len, &verdict);
		if (verdict != 0)
			break;
		if (c->ahead == NULL) {
			c->ahead = wolfp_core->alloc(WOLFP_AHEAD_MAX);
			if (c->ahead == NULL)
				return WOLFSSL_CBIO_ERR_GENERAL;
		}
		n = wolfp_core->pull(c->host, c->ahead + c->ahead_len,
		                     need - c->ahead_len);
		if (n < 0) {
			c->would_block = 1;
			return WOLFSSL_CBIO_ERR_WANT_READ;
		}
		if (n == 0) {
			verdict = 3;    /* wolfSSL meets the end itself */
			break;
		}
		c->ahead_len += (size_t)n;
	}
	if (c->ticket12_watch) {
		c->ticket12_watch = 0;
		if (verdict == 1)
			(void)wolfSSL_set_SessionTicket(c->ssl, NULL, 0);
	}
	left = c->ahead_len - c->ahead_off;
	if (left == 0) {
		wolfp_session_fini(c);
		return 0;
	}
	if (left > (size_t)sz)
		left = (size_t)sz;
	memcpy(buf, c->ahead + c->ahead_off, left);
	c->ahead_off += left;
	if (c->ahead_off == c->ahead_len)
		wolfp_session_fini(c);
	return (int)left;
}

void
wolfp_session_fini(struct wolfp_conn *c)
{
	if (c->ahead != NULL)
		wolfp_core->free(c->ahead);
	c->ahead = NULL;
	c->ahead_len = c->ahead_off = 0;
}

/* ---- connection entry points ------------------------------------------- */

int
wolfp_conn_set_session(void *conn_priv, const unsigned char *data,
                       size_t len, struct tlsplug_error *err)
{
	struct wolfp_conn *c = conn_priv;
	const unsigned char *p = data;
	WOLFSSL_SESSION *sess;
	int r;

	if (len == 0 || len > INT_MAX)
		return wolfp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"session data of %zu bytes cannot be wolfSSL's", len);
	sess = wolfSSL_d2i_SSL_SESSION(NULL, &p, (long)len);
	if (sess == NULL || p != data + len) {
		wolfSSL_SESSION_free(sess);
		wolfSSL_ERR_clear_error();
		return wolfp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"the session's bytes are not a wolfSSL session");
	}
	r = wolfSSL_set_session(c->ssl, sess);
	/* A TLS 1.2 ticket: watch how the server answers it (above). */
	c->ticket12_watch = r == WOLFSSL_SUCCESS &&
	    wolfSSL_SESSION_has_ticket(sess) &&
	    wolfSSL_version(c->ssl) != 0x0304;  /* the session's, now */
	wolfp_session_fini(c);
	wolfSSL_SESSION_free(sess);
	wolfSSL_ERR_clear_error();
	if (r != WOLFSSL_SUCCESS)
		return wolfp_core->set_error(err, TLSPLUG_ERR_INVALID, r,
			"wolfSSL cannot resume this session (expired?)");
	return TLSPLUG_OK;
}

int
wolfp_conn_resumed(void *conn_priv)
{
	struct wolfp_conn *c = conn_priv;

	return c->ssl != NULL && wolfSSL_session_reused(c->ssl) == 1;
}

ssize_t
wolfp_conn_get_session(void *conn_priv, unsigned char *buf, size_t size)
{
	struct wolfp_conn *c = conn_priv;
	ssize_t n;

	if (c->ssl == NULL)
		return 0;
	n = wolfp_session_der(wolfSSL_get_session(c->ssl), buf, size);
	wolfSSL_ERR_clear_error();
	return n;
}
