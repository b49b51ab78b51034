/*
 * ossl_sni.c -- the server's ClientHello hook: reads the SNI name, runs the
 * SNI callback through the core (building and caching an engine for the
 * config it returns), and picks the certificate chain whose names match.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ossl.h"

/* Copies the host_name of the server_name extension into buf ("" if
 * none or malformed). */
static void
osslp_hello_sni(SSL *ssl, char *buf, size_t size)
{
	const unsigned char *p;
	size_t len, list, off;

	buf[0] = '\0';
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len)
	    || len < 2)
		return;
	list = ((size_t)p[0] << 8) | p[1];
	if (list + 2 > len)
		return;
	for (off = 2; off + 3 <= list + 2;) {
		unsigned type = p[off];
		size_t nlen = ((size_t)p[off + 1] << 8) | p[off + 2];

		if (off + 3 + nlen > list + 2)
			return;
		if (type == TLSEXT_NAMETYPE_host_name) {
			if (nlen == 0 || nlen >= size ||
			    memchr(p + off + 3, '\0', nlen) != NULL)
				return;
			memcpy(buf, p + off + 3, nlen);
			buf[nlen] = '\0';
			return;
		}
		off += 3 + nlen;
	}
}

static size_t
osslp_pick_chain(const struct osslp_engine *e, const char *name)
{
	size_t i;

	if (name[0] == '\0')
		return 0;
	for (i = 0; i < e->nchains; i++)
		if (e->chains[i].nsans > 0 &&
		    osslp_core->match_hostname(name, e->chains[i].sans,
		                               e->chains[i].nsans))
			return i;
	return 0;
}

/* Applies e's per-connection settings to an SSL that started on another
 * engine. */
static int
osslp_apply_ssl(SSL *ssl, const struct osslp_engine *from,
                const struct osslp_engine *e)
{
	if (!SSL_set_min_proto_version(ssl, e->min_version) ||
	    !SSL_set_max_proto_version(ssl, e->max_version))
		return -1;
	if (e->ciphers12 != NULL) {
		SSL_set_cipher_list(ssl, e->ciphers12);
		ERR_clear_error();
		if (!SSL_set_ciphersuites(ssl, e->ciphers13))
			return -1;
	} else if (from->ciphers12 != NULL) {
		if (!SSL_set_cipher_list(ssl, SSL_DEFAULT_CIPHER_LIST) ||
		    !SSL_set_ciphersuites(ssl, TLS_DEFAULT_CIPHERSUITES))
			return -1;
	}
	SSL_set_verify(ssl, e->verify_mode, osslp_verify_cb);
	return 0;
}

static struct osslp_engine *
osslp_slot_engine(struct osslp_conn *c, const struct tlsplug_bconfig *cfg,
                  void **slot)
{
	struct osslp_engine *e, *expected = NULL;

	e = __atomic_load_n((struct osslp_engine **)slot, __ATOMIC_ACQUIRE);
	if (e != NULL)
		return e;
	e = osslp_core->alloc(sizeof *e);
	if (e == NULL) {
		c->cb_status = osslp_core->set_error(c->err, TLSPLUG_ERR_NOMEM,
		                                     0, "out of memory");
		return NULL;
	}
	c->cb_status = osslp_engine_init(e, TLSPLUG_SERVER, cfg, c->err);
	if (c->cb_status != TLSPLUG_OK) {
		osslp_core->free(e);
		return NULL;
	}
	/* Another connection may have filled the slot meanwhile. */
	if (!__atomic_compare_exchange_n((struct osslp_engine **)slot,
	                                 &expected, e, 0, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE)) {
		osslp_engine_fini(e);
		osslp_core->free(e);
		return expected;
	}
	return e;
}

int
osslp_client_hello_cb(SSL *ssl, int *alert, void *arg)
{
	struct osslp_conn *c = SSL_get_app_data(ssl);
	const struct osslp_engine *base, *e;
	char sni[OSSLP_NAME_MAX];
	size_t i;

	(void)arg;
	if (c == NULL || c->hello_done)      /* second ClientHello after HRR */
		return SSL_CLIENT_HELLO_SUCCESS;
	c->hello_done = 1;
	base = &c->ctx->eng;
	e = base;
	osslp_hello_sni(ssl, sni, sizeof sni);
	if (base->cfg->has_sni_callback) {
		const struct tlsplug_bconfig *cfg = base->cfg;
		void **slot = NULL;
		int rc;

		/* The SNI callback may ask for the name. */
		c->hello_sni = sni[0] != '\0' ? sni : NULL;
		rc = osslp_core->sni_select(c->host, c->hello_sni, &cfg, &slot,
		                            c->err);
		c->hello_sni = NULL;
		if (rc != TLSPLUG_OK) {
			c->cb_status = rc;
			*alert = rc == TLSPLUG_ERR_HANDSHAKE_REFUSED ?
				SSL_AD_UNRECOGNIZED_NAME :
				SSL_AD_INTERNAL_ERROR;
			return SSL_CLIENT_HELLO_ERROR;
		}
		if (cfg != base->cfg) {
			if (slot == NULL) {
				c->cb_status = osslp_core->set_error(c->err,
					TLSPLUG_ERR_BACKEND, 0,
					"no engine cache slot for the SNI "
					"callback's config");
				*alert = SSL_AD_INTERNAL_ERROR;
				return SSL_CLIENT_HELLO_ERROR;
			}
			e = osslp_slot_engine(c, cfg, slot);
			if (e == NULL) {
				*alert = SSL_AD_INTERNAL_ERROR;
				return SSL_CLIENT_HELLO_ERROR;
			}
		}
	}
	i = osslp_pick_chain(e, sni);
	if (SSL_get_SSL_CTX(ssl) != e->chains[i].sctx &&
	    SSL_set_SSL_CTX(ssl, e->chains[i].sctx) == NULL)
		goto fail;
	if (e != base && osslp_apply_ssl(ssl, base, e) != 0)
		goto fail;
	return SSL_CLIENT_HELLO_SUCCESS;
fail:
	c->cb_status = osslp_core->set_error(c->err, TLSPLUG_ERR_BACKEND,
		(long)ERR_peek_last_error(),
		"cannot switch to the certificate chain for \"%s\"", sni);
	*alert = SSL_AD_INTERNAL_ERROR;
	return SSL_CLIENT_HELLO_ERROR;
}
