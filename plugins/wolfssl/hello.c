/*
 * hello.c -- the server's ClientHello hook: reads the SNI name and asks
 * the core which config and certificate chain serve the connection (the
 * core runs the SNI callback, picks the chain by name and builds the
 * engine for a config the callback returned); then switches the WOLFSSL
 * to them.
 *
 * The hook is wolfSSL's server name callback, which wolfSSL runs for
 * every ClientHello once its extensions are parsed, with or without a
 * server_name extension, before the cipher suite is chosen.  The name is
 * there because this wolfSSL keeps a received SNI even when the server
 * set none itself (WOLFSSL_ALWAYS_KEEP_SNI).
 */
#include "config.h"

#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#ifndef WOLFSSL_ALWAYS_KEEP_SNI
#error "the plugin needs wolfSSL built with WOLFSSL_ALWAYS_KEEP_SNI"
#endif

/* The server name callback's answers (wolfSSL's enum). */
#define WOLFP_SNI_OK 0
#define WOLFP_SNI_FATAL fatal_return

/* Copies the host_name the ClientHello carried into buf ("" if none, or
 * if it is empty, too long or holds a NUL byte). */
static void
wolfp_hello_sni(WOLFSSL *ssl, char *buf, size_t size)
{
	void *data = NULL;
	unsigned short len;

	buf[0] = '\0';
	len = wolfSSL_SNI_GetRequest(ssl, WOLFSSL_SNI_HOST_NAME, &data);
	if (data == NULL || len == 0 || len >= size ||
	    memchr(data, '\0', len) != NULL)
		return;
	memcpy(buf, data, len);
	buf[len] = '\0';
}

/* ---- the versions a ClientHello offers -------------------------------- */

/* Big-endian integer of n bytes at p. */
static size_t
wolfp_be(const unsigned char *p, size_t n)
{
	size_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* Skips a vector with an n-byte length at *off; 0, or -1 past end. */
static int
wolfp_skip(const unsigned char *m, size_t len, size_t *off, size_t n)
{
	if (*off + n > len)
		return -1;
	*off += n + wolfp_be(m + *off, n);
	return *off <= len ? 0 : -1;
}

/*
 * wolfSSL limited to TLS 1.2 (max_version) answers a ClientHello by its
 * legacy version, whatever its supported_versions extension says, so it
 * would not notice that a client offers only TLS 1.3.  The message
 * callback sees the ClientHello before the hook below runs, which then
 * compares the offer with the bounds of the engine it picked.
 */
void
wolfp_hello_msg_cb(int write_p, int version, int content_type,
                   const void *buf, size_t len, WOLFSSL *ssl, void *arg)
{
	struct wolfp_conn *c = wolfSSL_get_app_data(ssl);
	const unsigned char *m = buf;
	size_t off = 4 + 2 + 32, end, type, elen, i, n;

	(void)version;
	(void)arg;
	if (c == NULL || content_type != 22)
		return;
	if (write_p) {
		/* What we send: the group of our ServerHello. */
		wolfp_groups_server_hello(c, m, len);
		return;
	}
	/* A received handshake message: ClientHello (type 1). */
	if (c->hello_done || len < off || m[0] != 1)
		return;
	if (wolfp_skip(m, len, &off, 1) != 0 ||       /* session id */
	    wolfp_skip(m, len, &off, 2) != 0 ||       /* cipher suites */
	    wolfp_skip(m, len, &off, 1) != 0 ||       /* compression */
	    off + 2 > len)
		return;
	end = off + 2 + wolfp_be(m + off, 2);
	if (end > len)
		return;
	for (off += 2; off + 4 <= end; off += 4 + elen) {
		type = wolfp_be(m + off, 2);
		elen = wolfp_be(m + off + 2, 2);
		if (off + 4 + elen > end)
			return;
		if (type != 43 || elen < 1)           /* supported_versions */
			continue;
		n = m[off + 4];
		c->sv_seen = 1;
		c->sv_mask = 0;
		for (i = 0; i + 1 < n && off + 5 + i + 1 < off + 4 + elen;
		     i += 2) {
			const unsigned char *v = m + off + 5 + i;

			if (v[0] == 3 && v[1] >= 1 && v[1] <= 4)
				c->sv_mask |= (unsigned char)(1u << (v[1] - 1));
		}
		return;
	}
}

/* 0 when the client's offer meets e's version bounds (or it made none
 * with supported_versions: wolfSSL checks a legacy offer itself). */
static int
wolfp_hello_versions(const struct wolfp_conn *c, const struct wolfp_engine *e)
{
	int lo = e->min_version != 0 ? e->min_version : 0x0302;
	int hi = e->max_version != 0 ? e->max_version : 0x0304;
	int v;

	if (!c->sv_seen)
		return 0;
	for (v = lo; v <= hi; v++)
		if (c->sv_mask & (1u << (v - 0x0301)))
			return 0;
	return -1;
}

int
wolfp_hello_cb(WOLFSSL *ssl, int *alert, void *arg)
{
	struct wolfp_conn *c = wolfSSL_get_app_data(ssl);
	const struct wolfp_engine *base, *e;
	const struct tlsplug_bconfig *cfg;
	char sni[WOLFP_NAME_MAX];
	void *ctx_priv = NULL;
	size_t chain = 0;
	int rc;

	(void)arg;
	if (c == NULL || c->hello_done)      /* second ClientHello after HRR */
		return WOLFP_SNI_OK;
	c->hello_done = 1;
	base = &c->ctx->eng;
	wolfp_hello_sni(ssl, sni, sizeof sni);
	/* The SNI callback may ask for the name. */
	c->hello_sni = sni[0] != '\0' ? sni : NULL;
	rc = wolfp_core->select_server(c->host, c->hello_sni, &cfg, &ctx_priv,
	                               &chain, c->err);
	c->hello_sni = NULL;
	if (rc != TLSPLUG_OK) {
		c->cb_status = rc;
		*alert = rc == TLSPLUG_ERR_HANDSHAKE_REFUSED ?
			unrecognized_name : internal_error;
		return WOLFP_SNI_FATAL;
	}
	e = &((const struct wolfp_ctx *)ctx_priv)->eng;
	if (wolfp_hello_versions(c, e) != 0) {
		c->cb_status = wolfp_core->set_error(c->err,
			TLSPLUG_ERR_NO_SHARED_VERSION, 0, "the client offers "
			"no TLS version this server allows "
			"(supported_versions)");
		*alert = protocol_version;
		return WOLFP_SNI_FATAL;
	}
	if (chain >= e->nchains)
		chain = 0;
	c->eng = e;
	if (wolfSSL_get_SSL_CTX(ssl) == e->wctx[chain])
		return WOLFP_SNI_OK;
	/* Another chain (maybe of another key type) or another config: the
	 * WOLFSSL takes the WOLFSSL_CTX's chain and key, and rebuilds its
	 * suites for them. */
	if (wolfSSL_set_SSL_CTX(ssl, e->wctx[chain]) == NULL ||
	    wolfp_apply_ssl(ssl, e) != 0 ||
	    (e != base && wolfp_groups_apply_ssl(ssl, e) != 0))
		goto fail;
	if (e != base)
		wolfSSL_set_verify(ssl, e->verify_mode, wolfp_verify_cb);
	return WOLFP_SNI_OK;
fail:
	wolfSSL_ERR_clear_error();
	c->cb_status = wolfp_core->set_error(c->err, TLSPLUG_ERR_BACKEND, 0,
		"cannot switch to the certificate chain for \"%s\"", sni);
	*alert = internal_error;
	return WOLFP_SNI_FATAL;
}
