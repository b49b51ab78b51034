/*
 * hello.c -- the server's ClientHello hook: reads the SNI name and asks
 * the core which config and certificate chain serve the connection (the
 * core runs the SNI callback, picks the chain by name and builds the
 * engine for a config the callback returned); then switches the SSL to
 * them.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

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
	return osslp_groups_apply_ssl(ssl, from, e);
}

int
osslp_client_hello_cb(SSL *ssl, int *alert, void *arg)
{
	struct osslp_conn *c = SSL_get_app_data(ssl);
	const struct osslp_engine *base, *e;
	const struct tlsplug_bconfig *cfg;
	char sni[OSSLP_NAME_MAX];
	void *ctx_priv = NULL;
	size_t chain = 0;
	int rc;

	(void)arg;
	if (c == NULL || c->hello_done)      /* second ClientHello after HRR */
		return SSL_CLIENT_HELLO_SUCCESS;
	c->hello_done = 1;
	base = &c->ctx->eng;
	osslp_hello_sni(ssl, sni, sizeof sni);
	/* The SNI callback may ask for the name. */
	c->hello_sni = sni[0] != '\0' ? sni : NULL;
	rc = osslp_core->select_server(c->host, c->hello_sni, &cfg, &ctx_priv,
	                               &chain, c->err);
	c->hello_sni = NULL;
	if (rc != TLSPLUG_OK) {
		c->cb_status = rc;
		*alert = rc == TLSPLUG_ERR_HANDSHAKE_REFUSED ?
			SSL_AD_UNRECOGNIZED_NAME : SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	e = &((const struct osslp_ctx *)ctx_priv)->eng;
	if (chain >= e->nchains)
		chain = 0;
	if (SSL_get_SSL_CTX(ssl) != e->sctx[chain] &&
	    SSL_set_SSL_CTX(ssl, e->sctx[chain]) == NULL)
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
