/*
 * keys.c -- what mbedTLS 2.28 tells only its export-keys callback: the
 * master secret and the randoms (for the key log's CLIENT_RANDOM line and
 * the RFC 5705 exporter), and, from the handshake it is called in,
 * whether the session was resumed and which group the ECDHE key exchange
 * used.  mbedTLS calls it once per handshake, full or resumed, when it
 * derives the keys.
 *
 * The callback gets only its configuration's pointer, and one
 * configuration serves every connection of a context, on any thread: the
 * connection is the one whose mbedTLS call runs on this thread
 * (mbtp_running, set by conn.c around each such call).  mbedTLS never
 * calls back outside those calls.
 *
 * mbedTLS writes no key log of its own: every line goes through
 * core->keylog, which drops it when key logging is off.
 */
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_internal.h>

#include <tlsplug/backend.h>

#include "plugin.h"

_Thread_local struct mbtp_conn *mbtp_running;

/* The group of the handshake's ECDHE key exchange, 0 for any other. */
static uint16_t
mbtp_handshake_group(const mbedtls_ssl_context *ssl)
{
	const mbedtls_ssl_ciphersuite_t *cs;

	if (ssl->handshake == NULL || ssl->handshake->resume)
		return 0;
	cs = ssl->handshake->ciphersuite_info;
	if (cs == NULL)
		return 0;
	switch (cs->key_exchange) {
	case MBEDTLS_KEY_EXCHANGE_ECDHE_RSA:
	case MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA:
	case MBEDTLS_KEY_EXCHANGE_ECDHE_PSK:
		return mbtp_group_iana(ssl->handshake->ecdh_ctx.grp.id);
	default:
		return 0;
	}
}

static int
mbtp_export_keys_cb(void *p, const unsigned char *ms,
                    const unsigned char *kb, size_t maclen, size_t keylen,
                    size_t ivlen, const unsigned char client_random[32],
                    const unsigned char server_random[32],
                    mbedtls_tls_prf_types prf)
{
	struct mbtp_conn *c = mbtp_running;

	(void)p;
	(void)kb;
	(void)maclen;
	(void)keylen;
	(void)ivlen;
	if (c == NULL)
		return 0;
	memcpy(c->master, ms, sizeof(c->master));
	memcpy(c->randoms, client_random, 32);
	memcpy(c->randoms + 32, server_random, 32);
	c->prf = prf;
	c->have_keys = 1;
	c->resumed = c->ssl.handshake != NULL && c->ssl.handshake->resume;
	c->group = mbtp_handshake_group(&c->ssl);
	if (TLSPLUG_CORE_HAS(mbtp_core, 1, keylog))
		mbtp_core->keylog(c->host, "CLIENT_RANDOM", client_random, 32,
		                  ms, sizeof(c->master));
	return 0;
}

void
mbtp_keys_conf(mbedtls_ssl_config *conf)
{
	mbedtls_ssl_conf_export_keys_ext_cb(conf, mbtp_export_keys_cb, NULL);
}

int
mbtp_conn_export(void *priv, const char *label, size_t label_len,
                 const unsigned char *context, size_t context_len,
                 int use_context, unsigned char *out, size_t len,
                 struct tlsplug_error *err)
{
	struct mbtp_conn *c = priv;
	const struct tlsplug_core *core = mbtp_core;
	unsigned char *seed;
	char *lab;
	size_t n;
	int ret;

	if (!c->have_keys)
		return core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
			"keying material exporter: the handshake's keys were "
			"not seen");
	/* mbedTLS's PRF takes the label as a C string. */
	if (memchr(label, '\0', label_len) != NULL)
		return core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"keying material exporter: the label has a NUL byte");
	if (use_context && context_len > 0xffff)
		return core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"keying material exporter: context longer than 65535 "
			"bytes (RFC 5705)");
	/* RFC 5705: client_random + server_random [+ uint16 length +
	 * context]. */
	n = 64 + (use_context ? 2 + context_len : 0);
	lab = core->alloc(label_len + 1);
	seed = core->alloc(n);
	if (lab == NULL || seed == NULL) {
		core->free(lab);
		core->free(seed);
		return core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			"out of memory");
	}
	memcpy(lab, label, label_len);
	lab[label_len] = '\0';
	memcpy(seed, c->randoms, 64);
	if (use_context) {
		seed[64] = (unsigned char)(context_len >> 8);
		seed[65] = (unsigned char)context_len;
		if (context_len > 0)
			memcpy(seed + 66, context, context_len);
	}
	ret = mbedtls_ssl_tls_prf(c->prf, c->master, sizeof(c->master), lab,
	                          seed, n, out, len);
	core->free(lab);
	core->free(seed);
	if (ret != 0)
		return core->set_error(err, TLSPLUG_ERR_BACKEND, ret,
			"keying material exporter failed (-0x%04x)", -ret);
	return TLSPLUG_OK;
}

int
mbtp_conn_resumed(void *priv)
{
	struct mbtp_conn *c = priv;

	return c->handshake_done && c->resumed;
}

uint16_t
mbtp_conn_group(void *priv)
{
	struct mbtp_conn *c = priv;

	return c->handshake_done ? c->group : 0;
}
