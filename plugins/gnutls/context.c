/*
 * context.c -- GnuTLS credentials and priority built from one config
 * (versions and suites from priority.c; trust store, certificate chains
 * and keys parsed by load.c), the ALPN list; the context entry points.
 *
 * Chains are selected by our own retrieve function rather than GnuTLS's
 * built-in choice, which also falls back to the subject CN and weighs key
 * types: the server presents the chain the core picked for the client's
 * SNI (select_server), the same rule on every engine.
 */
#include "config.h"

#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/*
 * Certificate selection, both roles: the server presents the chain the
 * core chose for the client's SNI; the client presents its first chain
 * when asked.
 */
static int
gtls_retrieve_cb(gnutls_session_t s, const gnutls_datum_t *req_ca,
                 int nreqs, const gnutls_pk_algorithm_t *pk, int npk,
                 gnutls_pcert_st **pcert, unsigned int *npcert,
                 gnutls_privkey_t *key)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	const struct gtls_engine *eng = c->eng;
	size_t pick = c->chain < eng->nchains ? c->chain : 0;

	(void)req_ca;
	(void)nreqs;
	(void)pk;
	(void)npk;
	if (eng->nchains == 0) {
		*pcert = NULL;
		*npcert = 0;
		*key = NULL;
		return 0;
	}
	*pcert = eng->chains[pick].pcerts;
	*npcert = eng->chains[pick].npcerts;
	*key = eng->chains[pick].key;
	return 0;
}

/* Releases what gtls_engine_init made (safe on a zeroed engine). */
static void
gtls_engine_fini(struct gtls_engine *eng)
{
	size_t i;

	for (i = 0; i < eng->nchains; i++)
		gtls_chain_fini(&eng->chains[i]);
	gtls_core->free(eng->chains);
	gtls_core->free(eng->alpn);
	gtls_crls_free(eng);
	if (eng->cred != NULL)
		gnutls_certificate_free_credentials(eng->cred);
	if (eng->prio != NULL)
		gnutls_priority_deinit(eng->prio);
	gtls_session_engine_fini(eng);
	memset(eng, 0, sizeof(*eng));
}

/* Builds eng from cfg for role (eng is zeroed first); cleans up on
 * failure. */
static int
gtls_engine_init(struct gtls_engine *eng, enum tlsplug_role role,
                 const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	const struct tlsplug_core *core = gtls_core;
	size_t i;
	int ret, st;

	memset(eng, 0, sizeof(*eng));
	eng->role = role;
	eng->cfg = cfg;
	eng->validate = cfg->validate;
	eng->verify_peer = role == TLSPLUG_SERVER && cfg->validate &&
	                   cfg->verify_peer;
	/* Members of core minor 1, read only from a core that has them. */
	if (core->abi_minor >= 1) {
		eng->require_cert = eng->verify_peer &&
		    cfg->client_cert != TLSPLUG_CLIENT_CERT_REQUEST;
		eng->check_always = cfg->check_peer_always;
	} else {
		eng->require_cert = eng->verify_peer;
	}

	st = gtls_priority_build(cfg, role, &eng->prio, &eng->vmin,
	                         &eng->vmax, err);
	if (st != TLSPLUG_OK)
		goto fail;
	ret = gnutls_certificate_allocate_credentials(&eng->cred);
	if (ret < 0) {
		eng->cred = NULL;
		st = core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
			"out of memory");
		goto fail;
	}
	if (eng->validate && (role == TLSPLUG_CLIENT || eng->verify_peer)) {
		st = gtls_load_trust(eng, cfg->trust, err);
		if (st == TLSPLUG_OK)
			st = gtls_crls_load(eng, err);
		if (st != TLSPLUG_OK)
			goto fail;
	}
	if (cfg->nchains > 0) {
		eng->chains = core->alloc(cfg->nchains * sizeof(*eng->chains));
		if (eng->chains == NULL) {
			st = core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
				"out of memory");
			goto fail;
		}
		memset(eng->chains, 0, cfg->nchains * sizeof(*eng->chains));
		for (i = 0; i < cfg->nchains; i++) {
			st = gtls_chain_init(&eng->chains[i], &cfg->chains[i],
			                     err);
			if (st != TLSPLUG_OK)
				goto fail;
			eng->nchains++;
		}
	}
	gnutls_certificate_set_retrieve_function2(eng->cred, gtls_retrieve_cb);
	gtls_ocsp_server_apply(eng);
	/* DHE suites for clients that offer no FFDHE group (RFC 7919). */
	if (role == TLSPLUG_SERVER)
		(void)gnutls_certificate_set_known_dh_params(eng->cred,
			GNUTLS_SEC_PARAM_MEDIUM);

	if (cfg->nalpn > 0) {
		eng->alpn = core->alloc(cfg->nalpn * sizeof(*eng->alpn));
		if (eng->alpn == NULL) {
			st = core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
				"out of memory");
			goto fail;
		}
		for (i = 0; i < cfg->nalpn; i++) {
			eng->alpn[i].data = (unsigned char *)cfg->alpn[i];
			eng->alpn[i].size = (unsigned)strlen(cfg->alpn[i]);
		}
		eng->nalpn = (unsigned)cfg->nalpn;
	}
	st = gtls_session_engine_init(eng, err);
	if (st != TLSPLUG_OK)
		goto fail;
	return TLSPLUG_OK;
fail:
	gtls_engine_fini(eng);
	return st;
}

/*
 * Also used from the post-ClientHello hook when the SNI callback switched
 * configs: the chain, the trust store, the client-certificate request and
 * the priority (versions, suites) take effect; ALPN was already negotiated
 * from the context's config while the ClientHello was parsed.
 */
int
gtls_engine_apply(const struct gtls_engine *eng, gnutls_session_t s)
{
	int ret;

	ret = gnutls_priority_set(s, eng->prio);
	if (ret >= 0)
		ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
		                             eng->cred);
	if (ret >= 0 && eng->role == TLSPLUG_SERVER)
		gnutls_certificate_server_set_request(s,
			!eng->verify_peer ? GNUTLS_CERT_IGNORE :
			eng->require_cert ? GNUTLS_CERT_REQUIRE :
			GNUTLS_CERT_REQUEST);
	return ret;
}

/* ---- context entry points ---- */

static int
gtls_context_init(void *priv, enum tlsplug_role role,
                  const struct tlsplug_bconfig *cfg,
                  struct tlsplug_error *err)
{
	struct gtls_ctx *ctx = priv;

	return gtls_engine_init(&ctx->eng, role, cfg, err);
}

static void
gtls_context_fini(void *priv)
{
	struct gtls_ctx *ctx = priv;

	gtls_engine_fini(&ctx->eng);
}

const struct tlsplug_context_ops gtls_context_ops = {
	.init = gtls_context_init,
	.fini = gtls_context_fini,
};
