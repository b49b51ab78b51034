/*
 * context.c -- OpenSSL engine contexts (SSL_CTX) built from a backend
 * config: version bounds, cipher suites (strings from ciphers.c), ALPN,
 * trust and verification settings, one SSL_CTX per certificate chain; the
 * context entry points.
 *
 * A server gets one SSL_CTX per certificate chain, since an SSL_CTX holds
 * only one chain per key type; the ClientHello hook (hello.c) moves the
 * connection to the SSL_CTX whose chain matches the client's SNI.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* ---- versions ---------------------------------------------------------- */

static int
osslp_version(enum tlsplug_version v, const char *setting, int *out,
              struct tlsplug_error *err)
{
	switch (v) {
	case TLSPLUG_VERSION_NONE:
	case TLSPLUG_VERSION_MINIMUM_SUPPORTED:
	case TLSPLUG_VERSION_MAXIMUM_SUPPORTED:
		*out = 0;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_TLSv1_2:
		*out = TLS1_2_VERSION;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_TLSv1_3:
		*out = TLS1_3_VERSION;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_SSLv2:
	case TLSPLUG_VERSION_SSLv3:
		return osslp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"%s: %s is not supported by OpenSSL", setting,
			v == TLSPLUG_VERSION_SSLv2 ? "SSLv2" : "SSLv3");
	case TLSPLUG_VERSION_TLSv1:
	case TLSPLUG_VERSION_TLSv1_1:
		return osslp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"%s: %s is not supported (OpenSSL 3 refuses TLS 1.0 "
			"and 1.1 at security level 1 and above)", setting,
			v == TLSPLUG_VERSION_TLSv1 ? "TLSv1" : "TLSv1.1");
	}
	return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
	                             "%s: unknown TLS version %d", setting,
	                             (int)v);
}

/* ---- ALPN -------------------------------------------------------------- */

/* Server: the core chooses (core->alpn_select: our preference; nothing in
 * common is a fatal no_application_protocol alert unless the config says
 * to go on without ALPN).  OpenSSL sends that alert on ALERT_FATAL. */
static int
osslp_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                  const unsigned char *in, unsigned int inlen, void *arg)
{
	const struct tlsplug_bconfig *cfg = arg;
	struct osslp_conn *c = SSL_get_app_data(ssl);
	const unsigned char *p = NULL;
	size_t n = 0;
	int rc;

	if (c == NULL || !TLSPLUG_CORE_HAS(osslp_core, 1, alpn_select))
		return SSL_TLSEXT_ERR_NOACK;
	rc = osslp_core->alpn_select(c->host, cfg, in, inlen, &p, &n, c->err);
	if (rc != TLSPLUG_OK) {
		c->cb_status = rc;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	if (p == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	*out = p;
	*outlen = (unsigned char)n;
	return SSL_TLSEXT_ERR_OK;
}

/* ---- SSL_CTX ----------------------------------------------------------- */

/* The bconfig members of core minor 1, read only from a core that has
 * them. */
static int
osslp_check_always(const struct tlsplug_bconfig *cfg)
{
	return osslp_core->abi_minor >= 1 && cfg->check_peer_always;
}

static enum tlsplug_client_cert_mode
osslp_client_cert_mode(const struct tlsplug_bconfig *cfg)
{
	if (osslp_core->abi_minor >= 1)
		return cfg->client_cert;
	return cfg->verify_peer ? TLSPLUG_CLIENT_CERT_REQUIRE :
	                          TLSPLUG_CLIENT_CERT_NONE;
}

static SSL_CTX *
osslp_sctx_new(struct osslp_engine *e, size_t chain, X509_STORE *store,
               STACK_OF(X509_NAME) *ca_names, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	int need_trust;
	SSL_CTX *s;

	ERR_clear_error();
	s = SSL_CTX_new(TLS_method());
	if (s == NULL) {
		osslp_core->set_error(err, TLSPLUG_ERR_NOMEM,
		                      (long)ERR_peek_last_error(),
		                      "cannot create SSL_CTX");
		return NULL;
	}
	if (osslp_apply_params(s, e) != 0 || osslp_groups_apply(s, e) != 0)
		goto fail;
	osslp_keylog_apply(s, cfg);
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Post-handshake messages must not make read block; the read
	 * entry point retries itself while input is available. */
	SSL_CTX_clear_mode(s, SSL_MODE_AUTO_RETRY);
	SSL_CTX_set_verify(s, e->verify_mode, osslp_verify_cb);
	if (!cfg->validate && osslp_check_always(cfg))
		SSL_CTX_set_cert_verify_callback(s, osslp_unvalidated_cb,
		                                 NULL);
	if (osslp_session_setup(s, e) != 0)
		goto fail;
	if (e->role == TLSPLUG_SERVER) {
		SSL_CTX_set_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
		SSL_CTX_set_dh_auto(s, 1);
		SSL_CTX_set_client_hello_cb(s, osslp_client_hello_cb, NULL);
		if (cfg->nalpn > 0)
			SSL_CTX_set_alpn_select_cb(s, osslp_alpn_select,
			                           (void *)cfg);
		need_trust = cfg->verify_peer;
	} else {
		if (cfg->nalpn > 0 &&
		    SSL_CTX_set_alpn_protos(s, cfg->alpn_wire,
		                            (unsigned)cfg->alpn_wire_len) != 0)
			goto fail;
		need_trust = cfg->validate;
	}
	if (need_trust) {
		/* Accept a trusted intermediate as anchor, as other engines
		 * do. */
		X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(s),
		                            X509_V_FLAG_PARTIAL_CHAIN);
		if (store != NULL) {
			if (!X509_STORE_up_ref(store))
				goto fail;
			SSL_CTX_set_cert_store(s, store);
		} else if (!SSL_CTX_set_default_verify_paths(s)) {
			goto fail;
		}
		if (e->role == TLSPLUG_SERVER && ca_names != NULL) {
			STACK_OF(X509_NAME) *dup = SSL_dup_CA_list(ca_names);

			if (dup == NULL)
				goto fail;
			SSL_CTX_set_client_CA_list(s, dup);
		}
		if (osslp_crls_apply(s, e) != 0)
			goto fail;
	}
	if (osslp_ocsp_apply(s, e, chain) != 0)
		goto fail;
	osslp_policy_apply(s, e);
	ERR_clear_error();
	return s;
fail:
	osslp_core->set_error(err, TLSPLUG_ERR_BACKEND,
	                      (long)ERR_peek_last_error(),
	                      "cannot set up SSL_CTX");
	ERR_clear_error();
	SSL_CTX_free(s);
	return NULL;
}

/* Frees what e holds (safe on a zeroed or failed engine). */
static void
osslp_engine_fini(struct osslp_engine *e)
{
	size_t i;

	for (i = 0; e->sctx != NULL && i < e->nchains; i++)
		SSL_CTX_free(e->sctx[i]);
	osslp_core->free(e->sctx);
	osslp_core->free(e->ciphers12);
	osslp_core->free(e->ciphers13);
	osslp_core->free(e->groups);
	osslp_core->free(e->sigalgs);
	osslp_crls_free(e);
	memset(e, 0, sizeof *e);
}

/* Builds e from cfg for role (e is zeroed first); cleans up on failure. */
static int
osslp_engine_init(struct osslp_engine *e, enum tlsplug_role role,
                  const struct tlsplug_bconfig *cfg,
                  struct tlsplug_error *err)
{
	X509_STORE *store = NULL;
	STACK_OF(X509_NAME) *ca_names = NULL;
	size_t i, n;
	int rc;

	memset(e, 0, sizeof *e);
	e->role = role;
	e->cfg = cfg;
	rc = osslp_version(cfg->min_version, "min_version", &e->min_version,
	                   err);
	if (rc == TLSPLUG_OK)
		rc = osslp_version(cfg->max_version, "max_version",
		                   &e->max_version, err);
	if (rc != TLSPLUG_OK)
		return rc;
	if (e->min_version != 0 && e->max_version != 0 &&
	    e->min_version > e->max_version)
		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"min_version is above max_version");
	if (role == TLSPLUG_SERVER)
		e->verify_mode = !cfg->validate || !cfg->verify_peer ?
			SSL_VERIFY_NONE :
			osslp_client_cert_mode(cfg) ==
			TLSPLUG_CLIENT_CERT_REQUEST ? SSL_VERIFY_PEER :
			SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	else
		/* With validation off, the peer is still checked when the
		 * core has pins or a verify callback (osslp_unvalidated_cb),
		 * and a failure must end the handshake. */
		e->verify_mode = cfg->validate || osslp_check_always(cfg) ?
			SSL_VERIFY_PEER : SSL_VERIFY_NONE;
	if (role == TLSPLUG_SERVER && cfg->nchains == 0 &&
	    !cfg->has_sni_callback)
		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"a server needs a certificate chain");

	rc = osslp_ciphers_build(e, err);
	if (rc == TLSPLUG_OK)
		rc = osslp_ciphers_check(e, err);
	if (rc == TLSPLUG_OK)
		rc = osslp_groups_build(e, err);
	if (rc != TLSPLUG_OK)
		goto fail;

	if (cfg->trust != NULL && !cfg->trust->system &&
	    (role == TLSPLUG_SERVER ? cfg->verify_peer : cfg->validate)) {
		rc = osslp_trust_load(&cfg->trust->pem, &store, &ca_names,
		                      err);
		if (rc != TLSPLUG_OK)
			goto fail;
	}
	rc = osslp_crls_load(e, err);
	if (rc != TLSPLUG_OK)
		goto fail;

	/* A client presents its first chain only. */
	n = role == TLSPLUG_SERVER && cfg->nchains > 1 ? cfg->nchains : 1;
	e->sctx = osslp_core->alloc(n * sizeof *e->sctx);
	if (e->sctx == NULL) {
		rc = osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                           "out of memory");
		goto fail;
	}
	memset(e->sctx, 0, n * sizeof *e->sctx);
	e->nchains = n;
	for (i = 0; i < n; i++) {
		e->sctx[i] = osslp_sctx_new(e, i, store, ca_names, err);
		if (e->sctx[i] == NULL) {
			rc = TLSPLUG_ERR_BACKEND;
			goto fail;
		}
		if (i < cfg->nchains) {
			rc = osslp_chain_load(e->sctx[i], &cfg->chains[i],
			                      err);
			if (rc != TLSPLUG_OK)
				goto fail;
		}
	}
	X509_STORE_free(store);
	sk_X509_NAME_pop_free(ca_names, X509_NAME_free);
	return TLSPLUG_OK;
fail:
	X509_STORE_free(store);
	sk_X509_NAME_pop_free(ca_names, X509_NAME_free);
	osslp_engine_fini(e);
	return rc;
}

/* ---- context entry points ---------------------------------------------- */

static int
osslp_context_init(void *ctx_priv, enum tlsplug_role role,
                   const struct tlsplug_bconfig *cfg,
                   struct tlsplug_error *err)
{
	struct osslp_ctx *ctx = ctx_priv;

	return osslp_engine_init(&ctx->eng, role, cfg, err);
}

static void
osslp_context_fini(void *ctx_priv)
{
	struct osslp_ctx *ctx = ctx_priv;

	osslp_engine_fini(&ctx->eng);
}

const struct tlsplug_context_ops osslp_context_ops = {
	.init = osslp_context_init,
	.fini = osslp_context_fini,
};
