/*
 * context.c -- wolfSSL engine contexts (WOLFSSL_CTX) built from a backend
 * config: version bounds, cipher suites (ciphers.c), ALPN, trust and
 * verification settings, transport callbacks, one WOLFSSL_CTX per
 * certificate chain; the context entry points.
 *
 * A server gets one WOLFSSL_CTX per certificate chain, since a WOLFSSL_CTX
 * holds one chain; the ClientHello hook (hello.c) moves the connection to
 * the WOLFSSL_CTX whose chain the core picked for the client's SNI.
 */
#include "config.h"

#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* The ALPN select callback's answers (OpenSSL's SSL_TLSEXT_ERR_OK and
 * SSL_TLSEXT_ERR_NOACK, which wolfSSL's compatibility layer follows). */
#define WOLFP_ALPN_OK 0
#define WOLFP_ALPN_NOACK 3

/* ---- versions ---------------------------------------------------------- */

static int
wolfp_version(enum tlsplug_version v, const char *setting, int *out,
              struct tlsplug_error *err)
{
	switch (v) {
	case TLSPLUG_VERSION_NONE:
	case TLSPLUG_VERSION_MINIMUM_SUPPORTED:
	case TLSPLUG_VERSION_MAXIMUM_SUPPORTED:
		*out = 0;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_TLSv1_1:
#ifndef NO_OLD_TLS
		*out = 0x0302;
		return TLSPLUG_OK;
#else
		return wolfp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"%s: TLSv1.1 is not supported (this wolfSSL was built "
			"with NO_OLD_TLS)", setting);
#endif
	case TLSPLUG_VERSION_TLSv1_2:
		*out = 0x0303;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_TLSv1_3:
		*out = 0x0304;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_TLSv1:
#ifdef WOLFSSL_ALLOW_TLSV10
		*out = 0x0301;
		return TLSPLUG_OK;
#else
		return wolfp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"%s: TLSv1 is not supported (this wolfSSL was built "
			"without WOLFSSL_ALLOW_TLSV10)", setting);
#endif
	case TLSPLUG_VERSION_SSLv2:
	case TLSPLUG_VERSION_SSLv3:
		return wolfp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"%s: %s is not supported by wolfSSL", setting,
			v == TLSPLUG_VERSION_SSLv2 ? "SSLv2" : "SSLv3");
	}
	return wolfp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
	                             "%s: unknown TLS version %d", setting,
	                             (int)v);
}

/* ---- ALPN -------------------------------------------------------------- */

/* Server: the core chooses (core->alpn_select: our preference; nothing in
 * common is a fatal no_application_protocol alert unless the config says
 * to go on without ALPN). */
static int
wolfp_alpn_select(WOLFSSL *ssl, const unsigned char **out,
                  unsigned char *outlen, const unsigned char *in,
                  unsigned int inlen, void *arg)
{
	const struct tlsplug_bconfig *cfg = arg;
	struct wolfp_conn *c = wolfSSL_get_app_data(ssl);
	const unsigned char *p = NULL;
	size_t n = 0;
	int rc;

	if (c == NULL || !TLSPLUG_CORE_HAS(wolfp_core, 1, alpn_select))
		return WOLFP_ALPN_NOACK;
	rc = wolfp_core->alpn_select(c->host, cfg, in, inlen, &p, &n, c->err);
	if (rc == TLSPLUG_ERR_NO_SHARED_ALPN) {
		/* wolfSSL ignores a refusal from this callback (it goes on
		 * without ALPN), and runs it after every ClientHello hook:
		 * the transport then sends the alert instead of the server's
		 * first flight and fails the handshake (wolfp_io_send). */
		c->alpn_refused = 1;
		return WOLFP_ALPN_NOACK;
	}
	/* Anything else (a malformed list, which wolfSSL checks itself):
	 * no ALPN from us. */
	if (rc != TLSPLUG_OK || p == NULL)
		return WOLFP_ALPN_NOACK;
	*out = p;
	*outlen = (unsigned char)n;
	return WOLFP_ALPN_OK;
}

/* wolfSSL keeps a client's ALPN list comma-separated: a protocol name
 * holding a comma cannot be offered. */
static int
wolfp_alpn_check(const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	size_t i;

	for (i = 0; i < cfg->nalpn; i++)
		if (strchr(cfg->alpn[i], ',') != NULL)
			return wolfp_core->set_error(err,
				TLSPLUG_ERR_UNSUPPORTED, 0, "alpn: protocol "
				"\"%s\" holds a comma, which wolfSSL cannot "
				"offer (it keeps the list comma-separated)",
				cfg->alpn[i]);
	return TLSPLUG_OK;
}

/* ---- verification ------------------------------------------------------ */

/* The bconfig members of core minor 1, read only from a core that has
 * them. */
static int
wolfp_check_always(const struct tlsplug_bconfig *cfg)
{
	return wolfp_core->abi_minor >= 1 && cfg->check_peer_always;
}

static enum tlsplug_client_cert_mode
wolfp_client_cert_mode(const struct tlsplug_bconfig *cfg)
{
	if (wolfp_core->abi_minor >= 1)
		return cfg->client_cert;
	return cfg->verify_peer ? TLSPLUG_CLIENT_CERT_REQUIRE :
	                          TLSPLUG_CLIENT_CERT_NONE;
}

/* ---- WOLFSSL_CTX ------------------------------------------------------- */

/* A new WOLFSSL_CTX for e in *out (chain not loaded yet). */
static int
wolfp_wctx_new(struct wolfp_engine *e, WOLFSSL_CTX **out,
               struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	int need_trust, rc;
	WOLFSSL_CTX *w;

	*out = NULL;
	w = wolfSSL_CTX_new(e->role == TLSPLUG_SERVER ?
	                    wolfSSLv23_server_method() :
	                    wolfSSLv23_client_method());
	if (w == NULL)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "cannot create WOLFSSL_CTX");
	if (wolfp_apply_params(w, e) != 0 || wolfp_groups_apply(w, e) != 0)
		goto fail;
	wolfSSL_CTX_SetIORecv(w, wolfp_io_recv);
	wolfSSL_CTX_SetIOSend(w, wolfp_io_send);
	wolfSSL_CTX_set_verify(w, e->verify_mode, wolfp_verify_cb);
	/* The system policy's DH floor (a peer's smaller DHE group fails the
	 * handshake); wolfSSL's own default is lower. */
	if (cfg->min_dh_bits > 0 &&
	    wolfSSL_CTX_SetMinDhKey_Sz(w, (word16)(cfg->min_dh_bits > 65535 ?
	    65535 : cfg->min_dh_bits)) != WOLFSSL_SUCCESS)
		goto fail;
	if (e->role == TLSPLUG_SERVER) {
		if (wolfSSL_CTX_set_msg_callback(w, wolfp_hello_msg_cb) !=
		    WOLFSSL_SUCCESS)
			goto fail;
		/* Runs for every ClientHello, with or without SNI. */
		wolfSSL_CTX_set_servername_callback(w, wolfp_hello_cb);
		if (cfg->nalpn > 0)
			wolfSSL_CTX_set_alpn_select_cb(w, wolfp_alpn_select,
			                               (void *)cfg);
		need_trust = cfg->verify_peer;
	} else {
		if (cfg->nalpn > 0 &&
		    wolfSSL_CTX_set_alpn_protos(w, cfg->alpn_wire,
		                 (unsigned)cfg->alpn_wire_len) != 0)
			goto fail;
		need_trust = cfg->validate;
	}
	if (wolfp_session_setup(w, e) != 0)
		goto fail;
	if (need_trust) {
		if (cfg->trust != NULL && !cfg->trust->system)
			rc = wolfp_trust_load(w, &cfg->trust->pem, err);
		else
			rc = wolfp_trust_system(w, err);
		if (rc != TLSPLUG_OK) {
			wolfSSL_CTX_free(w);
			return rc;
		}
	}
	if (wolfp_crls_apply(w, e) != 0)
		goto fail;
	wolfSSL_ERR_clear_error();
	*out = w;
	return TLSPLUG_OK;
fail:
	wolfSSL_ERR_clear_error();
	wolfSSL_CTX_free(w);
	return wolfp_core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
	                             "cannot set up WOLFSSL_CTX");
}

/* Frees what e holds (safe on a zeroed or failed engine). */
static void
wolfp_engine_fini(struct wolfp_engine *e)
{
	size_t i;

	for (i = 0; e->wctx != NULL && i < e->nchains; i++)
		wolfSSL_CTX_free(e->wctx[i]);
	wolfp_core->free(e->wctx);
	wolfp_core->free(e->suites);
	wolfp_core->free(e->groups);
	wolfp_core->free(e->sigalgs);
	wolfp_crls_free(e);
	wolfp_scache_free(e);
	memset(e, 0, sizeof *e);
}

/* Builds e from cfg for role (e is zeroed first); cleans up on failure. */
static int
wolfp_engine_init(struct wolfp_engine *e, enum tlsplug_role role,
                  const struct tlsplug_bconfig *cfg,
                  struct tlsplug_error *err)
{
	size_t i, n;
	int rc;

	memset(e, 0, sizeof *e);
	e->role = role;
	e->cfg = cfg;
	rc = wolfp_version(cfg->min_version, "min_version", &e->min_version,
	                   err);
	if (rc == TLSPLUG_OK)
		rc = wolfp_version(cfg->max_version, "max_version",
		                   &e->max_version, err);
	if (rc == TLSPLUG_OK)
		rc = wolfp_alpn_check(cfg, err);
	if (rc != TLSPLUG_OK)
		return rc;
	if (e->min_version != 0 && e->max_version != 0 &&
	    e->min_version > e->max_version)
		return wolfp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"min_version is above max_version");
	if (role == TLSPLUG_SERVER)
		e->verify_mode = !cfg->validate || !cfg->verify_peer ?
			WOLFSSL_VERIFY_NONE :
			wolfp_client_cert_mode(cfg) ==
			TLSPLUG_CLIENT_CERT_REQUEST ? WOLFSSL_VERIFY_PEER :
			WOLFSSL_VERIFY_PEER |
			WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	else
		/* With validation off, the peer is still checked when the
		 * core has pins or a verify callback (verify.c), and a
		 * failure must end the handshake. */
		e->verify_mode = cfg->validate || wolfp_check_always(cfg) ?
			WOLFSSL_VERIFY_PEER : WOLFSSL_VERIFY_NONE;
	if (role == TLSPLUG_SERVER && cfg->nchains == 0 &&
	    !cfg->has_sni_callback)
		return wolfp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"a server needs a certificate chain");

	rc = wolfp_ciphers_build(e, err);
	if (rc == TLSPLUG_OK)
		rc = wolfp_groups_build(e, err);
	if (rc == TLSPLUG_OK)
		rc = wolfp_crls_load(e, err);
	if (rc == TLSPLUG_OK && role == TLSPLUG_SERVER)
		rc = wolfp_scache_new(e, err);
	if (rc != TLSPLUG_OK)
		goto fail;

	/* A client presents its first chain only. */
	n = role == TLSPLUG_SERVER && cfg->nchains > 1 ? cfg->nchains : 1;
	e->wctx = wolfp_core->alloc(n * sizeof *e->wctx);
	if (e->wctx == NULL) {
		rc = wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                           "out of memory");
		goto fail;
	}
	memset(e->wctx, 0, n * sizeof *e->wctx);
	e->nchains = n;
	for (i = 0; i < n; i++) {
		rc = wolfp_wctx_new(e, &e->wctx[i], err);
		if (rc != TLSPLUG_OK)
			goto fail;
		if (i < cfg->nchains) {
			rc = wolfp_chain_load(e->wctx[i], &cfg->chains[i],
			                      err);
			if (rc != TLSPLUG_OK)
				goto fail;
		}
	}
	return TLSPLUG_OK;
fail:
	wolfp_engine_fini(e);
	return rc;
}

/* ---- context entry points ---------------------------------------------- */

static int
wolfp_context_init(void *ctx_priv, enum tlsplug_role role,
                   const struct tlsplug_bconfig *cfg,
                   struct tlsplug_error *err)
{
	struct wolfp_ctx *ctx = ctx_priv;

	wolfp_thread_mark();
	return wolfp_engine_init(&ctx->eng, role, cfg, err);
}

static void
wolfp_context_fini(void *ctx_priv)
{
	struct wolfp_ctx *ctx = ctx_priv;

	wolfp_engine_fini(&ctx->eng);
}

const struct tlsplug_context_ops wolfp_context_ops = {
	.init = wolfp_context_init,
	.fini = wolfp_context_fini,
};
