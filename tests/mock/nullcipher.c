/*
 * nullcipher.c -- a "null cipher" engine behind the plugin ABI, for tests
 * of the core's side of it: it frames plaintext into records (type, 2-byte
 * length, payload) and moves them through the core's pull/push callbacks,
 * so buffers, handshake state, sticky errors, SNI selection, identity
 * checks and capability refusals are tested without a real TLS engine.
 *
 * One source, two ABIs (TLSPLUG_BACKEND_ABI_MINOR says which header it is
 * built against):
 *   - the current ABI: included by tests/check_conn.c, which drives it in
 *     process; the server asks the core to select config and chain
 *     (select_server), the client has the core check the server's identity
 *     (check_peer over peer_cert's DER);
 *   - ABI 1.0: tests/mock/legacy.c builds it against the frozen 1.0
 *     headers in tests/abi-1.0/ as tlsplug-legacy.so, which does the same
 *     with the 1.0 services (sni_select with slots, match_hostname,
 *     peer_subject).
 * The includer defines NULLCIPHER_NAME (the backend's name) and may define
 * NULLCIPHER_STATS_ATTR (to export the counters).
 */

#include <stdio.h>
#include <string.h>

#include "mockcert.h"

#ifndef NULLCIPHER_STATS_ATTR
#define NULLCIPHER_STATS_ATTR static
#endif

enum { REC_HELLO_C = 1, REC_HELLO_S = 2, REC_DATA = 3, REC_CLOSE = 4,
       REC_ALERT = 5 };
#define MOCK_MAX_PAYLOAD 512
#define MOCK_IDENTITY "*.mock.test"   /* the server's only SAN */
/* The server's subject: long enough to need the core's second call. */
#define MOCK_ORG "A Rather Long Organisation Name To Exceed " \
	"Small Buffers And Exercise The Second Call Path Of The Core " \
	"Which Asks Again With A Buffer Of The Exact Size That Was " \
	"Reported The First Time Around So That It Can Copy The Whole " \
	"Subject Without Truncating Anything At All In The Middle Of " \
	"The Organisation Name Or The Common Name Or Anywhere Else " \
	"That Might Matter To A Caller Printing It For A Human Reader " \
	"Who Wants To Know Exactly Which Peer They Are Talking To Now " \
	"And Would Rather Not Have It Cut Short By A Fixed Buffer"

/* What the tests count.  slots_made / slots_released: engine contexts the
 * plugin built for SNI configs itself (ABI 1.0); server_inits: server
 * contexts initialised (the core builds one per SNI config in 1.1). */
struct nullcipher_stats {
	int ctx_inits, ctx_finis, conn_inits, conn_finis;
	int server_inits;
	int slots_made, slots_released;
	int last_verify_peer;
	/* The sni_name the last connection init received ("(none)"). */
	char last_sni_name[256];
};

NULLCIPHER_STATS_ATTR struct nullcipher_stats nullcipher_stats = {
	.last_verify_peer = -1,
};

static const struct tlsplug_core *core;
/* The server's certificate (built at init). */
static unsigned char mock_cert[MOCKCERT_MAX];
static size_t mock_cert_len;

struct mock_ctx {
	enum tlsplug_role role;
	const struct tlsplug_bconfig *cfg;
};

struct mock_conn {
	struct mock_ctx *ctx;
	struct tlsplug_conn *host;
	const char *hostname;
	const char *client_sni;              /* what init was told to send */
	const struct tlsplug_bconfig *cfg;   /* after SNI selection */
	int state;                           /* 0, 1: hello sent, 2: done */
	unsigned char rec[3 + MOCK_MAX_PAYLOAD];
	size_t have;                         /* bytes of rec filled */
	size_t data_off;                     /* unread part of a DATA rec */
	int data_pending;
	char alpn[256];
	size_t alpn_len;
	char sni[256];
	int has_sni;
	int close_sent, close_received;
	int got_cert;                        /* client: the server's */
	size_t chain;                        /* server: the core's choice */
};

static int
mock_init(const struct tlsplug_core *c, struct tlsplug_error *err)
{
	const char *san = MOCK_IDENTITY;

	(void)err;
	core = c;
	mock_cert_len = mockcert_der(mock_cert, "server.mock.test", MOCK_ORG,
	                             &san, 1);
	return TLSPLUG_OK;
}

static const char *
mock_engine_version(void)
{
	return "mock 1.0";
}

static int
mock_ctx_init(void *priv, enum tlsplug_role role,
              const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	struct mock_ctx *m = priv;

	if (cfg->nciphers == 1 && cfg->ciphers[0] == 0xDEAD)
		return core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
		                       "no usable cipher suite");
	__atomic_add_fetch(&nullcipher_stats.ctx_inits, 1, __ATOMIC_RELAXED);
	if (role == TLSPLUG_SERVER)
		__atomic_add_fetch(&nullcipher_stats.server_inits, 1,
		                   __ATOMIC_RELAXED);
	m->role = role;
	m->cfg = cfg;
	nullcipher_stats.last_verify_peer = cfg->verify_peer;
	return TLSPLUG_OK;
}

static void
mock_ctx_fini(void *priv)
{
	(void)priv;
	__atomic_add_fetch(&nullcipher_stats.ctx_finis, 1, __ATOMIC_RELAXED);
}

#if TLSPLUG_BACKEND_ABI_MINOR < 1
static void
mock_release_slot(void *priv, void *value)
{
	(void)priv;
	core->free(value);
	nullcipher_stats.slots_released++;
}
#endif

static int
mock_conn_init(void *priv, void *ctx_priv, struct tlsplug_conn *host,
               const char *hostname, const char *sni_name,
               struct tlsplug_error *err)
{
	struct mock_conn *m = priv;

	if (hostname != NULL && strcmp(hostname, "fail-init.mock.test") == 0)
		return core->set_error(err, TLSPLUG_ERR_BACKEND, 99,
		                       "cannot make a connection");
	__atomic_add_fetch(&nullcipher_stats.conn_inits, 1, __ATOMIC_RELAXED);
	m->ctx = ctx_priv;
	m->host = host;
	m->hostname = hostname;
	m->client_sni = sni_name;
	snprintf(nullcipher_stats.last_sni_name,
	         sizeof(nullcipher_stats.last_sni_name), "%s",
	         sni_name != NULL ? sni_name : "(none)");
	m->cfg = m->ctx->cfg;
	return TLSPLUG_OK;
}

static void
mock_conn_fini(void *priv)
{
	(void)priv;
	__atomic_add_fetch(&nullcipher_stats.conn_finis, 1, __ATOMIC_RELAXED);
}

static int
push_record(struct mock_conn *m, int type, const void *p, size_t n,
            struct tlsplug_error *err)
{
	unsigned char hdr[3] = { (unsigned char)type, (unsigned char)(n >> 8),
	                         (unsigned char)n };

	if (core->push(m->host, hdr, 3) != 3 ||
	    (n > 0 && core->push(m->host, p, n) != (ssize_t)n))
		return core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                       "push failed");
	return TLSPLUG_OK;
}

/* 1: a whole record is in m->rec; 0: would block; -1: EOF. */
static int
get_record(struct mock_conn *m)
{
	for (;;) {
		size_t need = m->have < 3 ? 3 :
		    3 + ((size_t)m->rec[1] << 8 | m->rec[2]);
		ssize_t r;

		if (m->have >= 3 && need > sizeof(m->rec))
			return -1;
		if (m->have == need && m->have >= 3)
			return 1;
		r = core->pull(m->host, m->rec + m->have, need - m->have);
		if (r < 0)
			return 0;
		if (r == 0)
			return -1;
		m->have += (size_t)r;
	}
}

static int
alert_from(struct mock_conn *m, struct tlsplug_error *err)
{
	int alert = m->rec[3];

	m->have = 0;
	return core->set_alert_error(err, alert, 0, NULL);
}

#if TLSPLUG_BACKEND_ABI_MINOR < 1
static int
fatal(struct mock_conn *m, int alert, int code, const char *what,
      struct tlsplug_error *err)
{
	unsigned char a = (unsigned char)alert;

	push_record(m, REC_ALERT, &a, 1, NULL);
	return core->set_error(err, code, 0, "%s", what);
}
#endif

static int
client_handshake(struct mock_conn *m, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = m->cfg;
	int r;

	if (m->state == 0) {
		unsigned char hello[MOCK_MAX_PAYLOAD];
		size_t n = 0, nl = m->client_sni ? strlen(m->client_sni) : 0;

		hello[n++] = (unsigned char)nl;
		memcpy(hello + n, m->client_sni ? m->client_sni : "", nl);
		n += nl;
		if (cfg->alpn_wire_len > 0) {
			memcpy(hello + n, cfg->alpn_wire, cfg->alpn_wire_len);
			n += cfg->alpn_wire_len;
		}
		if (push_record(m, REC_HELLO_C, hello, n, err) != TLSPLUG_OK)
			return TLSPLUG_ERR_NOMEM;
		m->state = 1;
	}
	r = get_record(m);
	if (r == 0)
		return TLSPLUG_WANT_READ;
	if (r < 0)
		return core->set_error(err, TLSPLUG_ERR_PROTOCOL, 0,
		                       "EOF during the handshake");
	if (m->rec[0] == REC_ALERT)
		return alert_from(m, err);
	if (m->rec[0] != REC_HELLO_S)
		return core->set_error(err, TLSPLUG_ERR_PROTOCOL, 0,
		                       "unexpected record %d", m->rec[0]);
	m->alpn_len = m->rec[3];
	memcpy(m->alpn, m->rec + 4, m->alpn_len);
	m->have = 0;
	m->got_cert = 1;
#if TLSPLUG_BACKEND_ABI_MINOR >= 1
	/* "Chain validated": the core checks the identity. */
	if (cfg->validate) {
		int rc = core->check_peer(m->host, TLSPLUG_OK, err);

		if (rc != TLSPLUG_OK) {
			unsigned char a = 42;

			push_record(m, REC_ALERT, &a, 1, NULL);
			return rc;
		}
	}
#else
	if (cfg->verify_peer && m->hostname != NULL) {
		struct tlsplug_san san = { TLSPLUG_SAN_DNS,
		    (const unsigned char *)MOCK_IDENTITY,
		    strlen(MOCK_IDENTITY) };

		if (!core->match_hostname(m->hostname, &san, 1))
			return fatal(m, 42, TLSPLUG_ERR_CERT_HOSTNAME,
			             "host name does not match", err);
	}
#endif
	m->state = 2;
	return TLSPLUG_OK;
}

#if TLSPLUG_BACKEND_ABI_MINOR >= 1
/* The core decides config, engine context and chain.  A second ClientHello
 * (as after a HelloRetryRequest, simulated by names starting "hrr.") asks
 * again; the core must give the same answer without running the user's
 * callback twice. */
static int
select_config(struct mock_conn *m, const char *name, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg, *cfg2;
	void *priv, *priv2;
	size_t chain, chain2;
	int rc;

	rc = core->select_server(m->host, name, &cfg, &priv, &chain, err);
	if (rc == TLSPLUG_OK && name != NULL && strncmp(name, "hrr.", 4) == 0) {
		rc = core->select_server(m->host, name, &cfg2, &priv2, &chain2,
		                         err);
		if (rc == TLSPLUG_OK &&
		    (cfg2 != cfg || priv2 != priv || chain2 != chain))
			return core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
			    "the second selection differs from the first");
	}
	if (rc != TLSPLUG_OK)
		return rc;
	m->cfg = cfg;
	m->ctx = priv;
	m->chain = chain;
	return TLSPLUG_OK;
}
#else
/* ABI 1.0: the core runs the callback; the plugin caches its own engine
 * context for the callback's config in the slot the core gives. */
static int
select_config(struct mock_conn *m, const char *name, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg, *cfg2;
	void **slot, **slot2;
	int rc;

	if (!m->cfg->has_sni_callback)
		return TLSPLUG_OK;
	rc = core->sni_select(m->host, name, &cfg, &slot, err);
	if (rc == TLSPLUG_OK && name != NULL && strncmp(name, "hrr.", 4) == 0) {
		rc = core->sni_select(m->host, name, &cfg2, &slot2, err);
		if (rc == TLSPLUG_OK && (cfg2 != cfg || slot2 != slot))
			return core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
			    "the second selection differs from the first");
	}
	if (rc != TLSPLUG_OK)
		return rc;
	if (__atomic_load_n(slot, __ATOMIC_ACQUIRE) == NULL) {
		void *mine = core->alloc(16), *none = NULL;

		if (mine == NULL)
			return core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			                       "no memory");
		/* Another thread may fill the slot first. */
		if (__atomic_compare_exchange_n(slot, &none, mine, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			__atomic_add_fetch(&nullcipher_stats.slots_made, 1,
			                   __ATOMIC_RELAXED);
		else
			core->free(mine);
	}
	m->cfg = cfg;
	return TLSPLUG_OK;
}
#endif

static int
server_handshake(struct mock_conn *m, struct tlsplug_error *err)
{
	const unsigned char *p, *end;
	unsigned char reply[256];
	size_t nl;
	int r, rc;

	r = get_record(m);
	if (r == 0)
		return TLSPLUG_WANT_READ;
	if (r < 0)
		return core->set_error(err, TLSPLUG_ERR_PROTOCOL, 0,
		                       "EOF during the handshake");
	if (m->rec[0] != REC_HELLO_C)
		return core->set_error(err, TLSPLUG_ERR_PROTOCOL, 0,
		                       "unexpected record %d", m->rec[0]);
	p = m->rec + 3;
	end = p + ((size_t)m->rec[1] << 8 | m->rec[2]);
	nl = *p++;
	if (nl > 0) {
		memcpy(m->sni, p, nl);
		m->sni[nl] = '\0';
		m->has_sni = 1;
	}
	p += nl;
	rc = select_config(m, m->has_sni ? m->sni : NULL, err);
	if (rc != TLSPLUG_OK) {
		unsigned char a = rc == TLSPLUG_ERR_HANDSHAKE_REFUSED ? 112 : 80;

		m->have = 0;
		push_record(m, REC_ALERT, &a, 1, NULL);
		return rc;
	}
	/* ALPN: the server's first protocol that the client offered. */
	for (size_t i = 0; i < m->cfg->nalpn && m->alpn_len == 0; i++) {
		size_t want = strlen(m->cfg->alpn[i]);

		for (const unsigned char *q = p; q < end; q += 1 + *q)
			if (*q == want && memcmp(q + 1, m->cfg->alpn[i], want)
			    == 0) {
				memcpy(m->alpn, m->cfg->alpn[i], want);
				m->alpn_len = want;
				break;
			}
	}
	m->have = 0;
	reply[0] = (unsigned char)m->alpn_len;
	memcpy(reply + 1, m->alpn, m->alpn_len);
	if (push_record(m, REC_HELLO_S, reply, 1 + m->alpn_len, err) !=
	    TLSPLUG_OK)
		return TLSPLUG_ERR_NOMEM;
	m->state = 2;
	return TLSPLUG_OK;
}

static int
mock_handshake(void *priv, struct tlsplug_error *err)
{
	struct mock_conn *m = priv;

	if (m->state == 2)
		return TLSPLUG_OK;
	return m->ctx->role == TLSPLUG_CLIENT ? client_handshake(m, err) :
	    server_handshake(m, err);
}

static int
mock_read(void *priv, void *buf, size_t len, size_t *nread,
          struct tlsplug_error *err)
{
	struct mock_conn *m = priv;

	for (;;) {
		int r;

		if (m->data_pending) {
			size_t total = (size_t)m->rec[1] << 8 | m->rec[2];
			size_t n = total - m->data_off;

			if (n > len)
				n = len;
			memcpy(buf, m->rec + 3 + m->data_off, n);
			m->data_off += n;
			if (m->data_off == total) {
				m->data_pending = 0;
				m->have = 0;
			}
			*nread = n;
			return TLSPLUG_OK;
		}
		if (m->close_received)
			return TLSPLUG_CLOSED;
		r = get_record(m);
		if (r == 0)
			return TLSPLUG_WANT_READ;
		if (r < 0)
			return TLSPLUG_RAGGED_EOF;
		switch (m->rec[0]) {
		case REC_DATA:
			m->data_pending = 1;
			m->data_off = 0;
			break;
		case REC_CLOSE:
			m->close_received = 1;
			m->have = 0;
			break;
		case REC_ALERT:
			return alert_from(m, err);
		default:
			return core->set_error(err, TLSPLUG_ERR_PROTOCOL, 0,
			                       "unexpected record %d",
			                       m->rec[0]);
		}
	}
}

static int
mock_write(void *priv, const void *buf, size_t len, size_t *nwritten,
           struct tlsplug_error *err)
{
	struct mock_conn *m = priv;
	size_t n = len > MOCK_MAX_PAYLOAD ? MOCK_MAX_PAYLOAD : len;
	int rc = push_record(m, REC_DATA, buf, n, err);

	if (rc != TLSPLUG_OK)
		return rc;
	*nwritten = n;
	return TLSPLUG_OK;
}

static int
mock_shutdown(void *priv, struct tlsplug_error *err)
{
	struct mock_conn *m = priv;

	if (!m->close_sent) {
		if (push_record(m, REC_CLOSE, NULL, 0, err) != TLSPLUG_OK)
			return TLSPLUG_ERR_NOMEM;
		m->close_sent = 1;
	}
	while (!m->close_received) {
		int r = get_record(m);

		if (r == 0)
			return TLSPLUG_WANT_READ;
		if (r < 0)
			return TLSPLUG_RAGGED_EOF;
		if (m->rec[0] == REC_CLOSE)
			m->close_received = 1;
		m->have = 0;
		m->data_pending = 0;
	}
	return TLSPLUG_OK;
}

static uint16_t
mock_cipher(void *priv)
{
	return ((struct mock_conn *)priv)->state == 2 ?
	    TLSPLUG_CS_TLS_AES_128_GCM_SHA256 : 0;
}

static enum tlsplug_version
mock_version(void *priv)
{
	return ((struct mock_conn *)priv)->state == 2 ?
	    TLSPLUG_VERSION_TLSv1_3 : TLSPLUG_VERSION_NONE;
}

static const unsigned char *
mock_alpn(void *priv, size_t *len)
{
	struct mock_conn *m = priv;

	*len = m->alpn_len;
	return m->alpn_len > 0 ? (const unsigned char *)m->alpn : NULL;
}

#if TLSPLUG_BACKEND_ABI_MINOR >= 1
/* The client has the server's certificate once the hello came; the
 * server never gets one. */
static ssize_t
mock_peer_cert(void *priv, size_t index, unsigned char *buf, size_t size)
{
	struct mock_conn *m = priv;

	if (m->ctx->role != TLSPLUG_CLIENT || !m->got_cert || index > 0)
		return 0;
	if (mock_cert_len <= size)
		memcpy(buf, mock_cert, mock_cert_len);
	return (ssize_t)mock_cert_len;
}
#else
static int
mock_peer_subject(void *priv, char *buf, size_t size)
{
	struct mock_conn *m = priv;
	const char *s = m->ctx->role == TLSPLUG_CLIENT && m->got_cert ?
	    "CN=server.mock.test,O=" MOCK_ORG : NULL;
	size_t n;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n < size)
		memcpy(buf, s, n + 1);
	return (int)n;
}
#endif

static const char *
mock_server_name(void *priv)
{
	struct mock_conn *m = priv;

	if (m->ctx->role == TLSPLUG_CLIENT)
		return m->client_sni;
	return m->has_sni ? m->sni : NULL;
}

static const struct tlsplug_context_ops mock_ctx_ops = {
	.init = mock_ctx_init,
	.fini = mock_ctx_fini,
#if TLSPLUG_BACKEND_ABI_MINOR < 1
	.release_slot = mock_release_slot,
#endif
};

static const struct tlsplug_conn_ops mock_conn_ops = {
	.init = mock_conn_init,
	.fini = mock_conn_fini,
	.handshake = mock_handshake,
	.read = mock_read,
	.write = mock_write,
	.shutdown = mock_shutdown,
	.cipher = mock_cipher,
	.version = mock_version,
	.alpn = mock_alpn,
	.server_name = mock_server_name,
#if TLSPLUG_BACKEND_ABI_MINOR >= 1
	.peer_cert = mock_peer_cert,
#else
	.peer_subject = mock_peer_subject,
#endif
};

#define ALL_CAPS ((TLSPLUG_CAP_LAST << 1) - 1)

#define NULLCIPHER_DESCRIPTOR_INIT \
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR, \
	.abi_minor = TLSPLUG_BACKEND_ABI_MINOR, \
	.struct_size = sizeof(struct tlsplug_backend_descriptor), \
	.name = NULLCIPHER_NAME, \
	.description = "null-cipher mock engine", \
	.caps = ALL_CAPS, \
	.ctx_priv_size = sizeof(struct mock_ctx), \
	.conn_priv_size = sizeof(struct mock_conn), \
	.init = mock_init, \
	.engine_version = mock_engine_version, \
	.client_context = &mock_ctx_ops, \
	.server_context = &mock_ctx_ops, \
	.conn = &mock_conn_ops
