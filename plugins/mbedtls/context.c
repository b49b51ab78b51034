/*
 * context.c -- an mbedtls_ssl_config built from one config: version
 * bounds, cipher suites, ALPN, verification mode, trust store and chains
 * (parsed by load.c); the random generator; the context entry points.
 *
 * A server presents the chain the core picked for the client's SNI
 * (select_server, in hello.c) through mbedtls_ssl_set_hs_own_cert, never
 * mbedTLS's own choice among several chains (which weighs key types
 * only).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>

#include <tlsplug/backend.h>

#include "plugin.h"

int
mbtp_random(void *p, unsigned char *out, size_t len)
{
	ssize_t n;

	(void)p;
	while (len > 0) {
		n = getrandom(out, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
		}
		out += n;
		len -= (size_t)n;
	}
	return 0;
}

/* mbedTLS minor version (1: TLS 1.0 ... 3: TLS 1.2) of bound v; 0 when
 * mbedTLS cannot honour it.  TLS 1.3 as a maximum means "the highest". */
static int
mbtp_minor(enum tlsplug_version v, int is_max)
{
	switch (v) {
	case TLSPLUG_VERSION_MINIMUM_SUPPORTED:
		return MBEDTLS_SSL_MINOR_VERSION_1;
	case TLSPLUG_VERSION_TLSv1:
		return MBEDTLS_SSL_MINOR_VERSION_1;
	case TLSPLUG_VERSION_TLSv1_1:
		return MBEDTLS_SSL_MINOR_VERSION_2;
	case TLSPLUG_VERSION_TLSv1_2:
		return MBEDTLS_SSL_MINOR_VERSION_3;
	case TLSPLUG_VERSION_TLSv1_3:
	case TLSPLUG_VERSION_MAXIMUM_SUPPORTED:
		return is_max ? MBEDTLS_SSL_MINOR_VERSION_3 : 0;
	default:
		return 0;
	}
}

/* A version bound's name for messages (the plugin does not link
 * libtlsplug, whose mbtp_version_text() says the same). */
static const char *
mbtp_version_text(enum tlsplug_version v)
{
	static const char *const names[] = { "none", "MINIMUM_SUPPORTED",
		"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3",
		"MAXIMUM_SUPPORTED" };

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ?
	       names[v] : "unknown";
}

static int
mbtp_versions(struct mbtp_engine *eng, const struct tlsplug_bconfig *cfg,
              struct tlsplug_error *err)
{
	eng->vmin = mbtp_minor(cfg->min_version, 0);
	eng->vmax = mbtp_minor(cfg->max_version, 1);
	if (eng->vmin == 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"minimum version %s is not supported (mbedTLS 2.28 "
			"speaks TLS 1.0 to TLS 1.2)",
			mbtp_version_text(cfg->min_version));
	if (eng->vmax == 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"maximum version %s is not supported (mbedTLS 2.28 "
			"speaks TLS 1.0 to TLS 1.2)",
			mbtp_version_text(cfg->max_version));
	if (eng->vmin > eng->vmax)
		return mbtp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"version bounds %s to %s leave no version mbedTLS 2.28 "
			"speaks", mbtp_version_text(cfg->min_version),
			mbtp_version_text(cfg->max_version));
	return TLSPLUG_OK;
}

/* The configured suites mbedTLS knows and can use within the version
 * bounds, in the order given (mbedTLS follows it: a client offers them in
 * that order, a server picks the first one the client offers). */
static int
mbtp_suites(struct mbtp_engine *eng, const struct tlsplug_bconfig *cfg,
            struct tlsplug_error *err)
{
	const mbedtls_ssl_ciphersuite_t *cs;
	size_t i, n = 0;

	if (cfg->nciphers == 0)
		return TLSPLUG_OK;
	eng->suites = mbtp_core->alloc((cfg->nciphers + 1) *
	                               sizeof(*eng->suites));
	if (eng->suites == NULL)
		return mbtp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			"out of memory");
	for (i = 0; i < cfg->nciphers; i++) {
		cs = mbedtls_ssl_ciphersuite_from_id(cfg->ciphers[i]);
		if (cs == NULL || cs->min_minor_ver > eng->vmax ||
		    cs->max_minor_ver < eng->vmin)
			continue;
		eng->suites[n++] = cfg->ciphers[i];
	}
	eng->suites[n] = 0;
	if (n == 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"none of the %zu configured cipher suites is usable "
			"by mbedTLS at the configured versions",
			cfg->nciphers);
	return TLSPLUG_OK;
}

/* One mbedtls_ssl_config for eng, with or without ALPN. */
static int
mbtp_conf_build(struct mbtp_engine *eng, mbedtls_ssl_config *conf,
                int with_alpn, struct tlsplug_error *err)
{
	const struct tlsplug_core *core = mbtp_core;
	int ret, mode;

	ret = mbedtls_ssl_config_defaults(conf, eng->role == TLSPLUG_CLIENT ?
		MBEDTLS_SSL_IS_CLIENT : MBEDTLS_SSL_IS_SERVER,
		MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0)
		return core->set_error(err, TLSPLUG_ERR_BACKEND, ret,
			"mbedtls_ssl_config_defaults failed (-0x%04x)", -ret);
	mbedtls_ssl_conf_rng(conf, mbtp_random, NULL);
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             eng->vmin);
	mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             eng->vmax);
	if (eng->suites != NULL)
		mbedtls_ssl_conf_ciphersuites(conf, eng->suites);
	/* Tickets as session.c says; the key log, exporter, resumed flag
	 * and group from the export-keys callback (keys.c). */
	mbedtls_ssl_conf_session_tickets(conf,
	                                 MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
	mbtp_session_conf(eng, conf);
	mbtp_keys_conf(conf);
	if (eng->curves != NULL)
		mbedtls_ssl_conf_curves(conf, eng->curves);
	if (eng->hashes != NULL)
		mbedtls_ssl_conf_sig_hashes(conf, eng->hashes);

	if (eng->role == TLSPLUG_CLIENT)
		mode = eng->validate ? MBEDTLS_SSL_VERIFY_REQUIRED :
		       eng->check_peer ? MBEDTLS_SSL_VERIFY_OPTIONAL :
		       MBEDTLS_SSL_VERIFY_NONE;
	else
		mode = !eng->verify_peer ? MBEDTLS_SSL_VERIFY_NONE :
		       eng->optional_cert ? MBEDTLS_SSL_VERIFY_OPTIONAL :
		       MBEDTLS_SSL_VERIFY_REQUIRED;
	mbedtls_ssl_conf_authmode(conf, mode);
	/* mbedTLS checks each certificate against the CRLs of its issuer,
	 * and only those: one whose issuer has none is not checked. */
	if (mode != MBEDTLS_SSL_VERIFY_NONE)
		mbedtls_ssl_conf_ca_chain(conf, &eng->trust,
		                          eng->has_crl ? &eng->crl : NULL);

	if (eng->nchains > 0) {
		ret = mbedtls_ssl_conf_own_cert(conf, &eng->chains[0].crt,
		                                &eng->chains[0].key);
		if (ret != 0)
			return core->set_error(err, ret ==
				MBEDTLS_ERR_SSL_ALLOC_FAILED ?
				TLSPLUG_ERR_NOMEM : TLSPLUG_ERR_BACKEND, ret,
				"cannot use the certificate chain (-0x%04x)",
				-ret);
	}
	if (with_alpn && eng->alpn != NULL) {
		ret = mbedtls_ssl_conf_alpn_protocols(conf, eng->alpn);
		if (ret != 0)
			return core->set_error(err, TLSPLUG_ERR_INVALID, ret,
				"ALPN list refused by mbedTLS (-0x%04x)", -ret);
	}
	return TLSPLUG_OK;
}

/* OCSP: mbedTLS 2.28 has no API for a status request or a stapled
 * response, so the plugin declares neither TLSPLUG_CAP_OCSP_CHECK nor
 * TLSPLUG_CAP_OCSP_STAPLE and the core refuses those settings first;
 * this is the plugin's own guard. */
static int
mbtp_unsupported(const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	if (cfg->ocsp != TLSPLUG_OCSP_OFF)
		return mbtp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"OCSP check (ocsp_check): mbedTLS 2.28 cannot ask for "
			"or read a stapled OCSP response");
	if (cfg->ocsp_staple != NULL)
		return mbtp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"OCSP staple (ocsp_staple): mbedTLS 2.28 cannot "
			"staple an OCSP response");
	return TLSPLUG_OK;
}

/* Releases what mbtp_engine_init made (safe on a zeroed engine). */
static void
mbtp_engine_fini(struct mbtp_engine *eng)
{
	size_t i;

	if (eng->conf_ready) {
		mbedtls_ssl_config_free(&eng->conf);
		mbedtls_ssl_config_free(&eng->conf_noalpn);
	}
	for (i = 0; i < eng->nchains; i++)
		mbtp_chain_free(&eng->chains[i]);
	mbtp_core->free(eng->chains);
	mbedtls_x509_crt_free(&eng->trust);
	mbedtls_x509_crl_free(&eng->crl);
	mbtp_core->free(eng->suites);
	mbtp_core->free(eng->alpn);
	mbtp_core->free(eng->curves);
	mbtp_core->free(eng->hashes);
	mbedtls_platform_zeroize(eng, sizeof(*eng));
}

static int
mbtp_engine_init(struct mbtp_engine *eng, enum tlsplug_role role,
                 const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	const struct tlsplug_core *core = mbtp_core;
	size_t i;
	int st;

	memset(eng, 0, sizeof(*eng));
	eng->role = role;
	eng->cfg = cfg;
	eng->validate = cfg->validate && (role == TLSPLUG_CLIENT ||
	                                  cfg->verify_peer);
	eng->verify_peer = role == TLSPLUG_SERVER && cfg->validate &&
	                   cfg->verify_peer;
	/* A server that only requests a client certificate lets a client
	 * send none (MBEDTLS_SSL_VERIFY_OPTIONAL); one that is sent is
	 * verified all the same (verify.c). */
	eng->optional_cert = eng->verify_peer &&
	                     cfg->client_cert == TLSPLUG_CLIENT_CERT_REQUEST;
	eng->check_peer = eng->validate || cfg->check_peer_always;
	mbedtls_x509_crt_init(&eng->trust);
	mbedtls_x509_crl_init(&eng->crl);
	mbedtls_ssl_config_init(&eng->conf);
	mbedtls_ssl_config_init(&eng->conf_noalpn);
	eng->conf_ready = 1;

	st = mbtp_unsupported(cfg, err);
	if (st == TLSPLUG_OK)
		st = mbtp_versions(eng, cfg, err);
	if (st == TLSPLUG_OK)
		st = mbtp_suites(eng, cfg, err);
	if (st == TLSPLUG_OK)
		st = mbtp_groups_setup(eng, cfg, err);
	if (st == TLSPLUG_OK)
		st = mbtp_session_engine(eng, err);
	if (st == TLSPLUG_OK && eng->validate)
		st = mbtp_load_trust(&eng->trust, cfg->trust, err);
	if (st == TLSPLUG_OK && eng->validate && cfg->ncrls > 0) {
		st = mbtp_load_crls(&eng->crl, cfg, err);
		eng->has_crl = st == TLSPLUG_OK;
	}
	if (st != TLSPLUG_OK)
		goto fail;
	if (cfg->nchains > 0) {
		eng->chains = core->alloc(cfg->nchains * sizeof(*eng->chains));
		if (eng->chains == NULL) {
			st = core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
				"out of memory");
			goto fail;
		}
		for (i = 0; i < cfg->nchains; i++) {
			mbtp_chain_init(&eng->chains[i]);
			eng->nchains++;
			st = mbtp_chain_load(&eng->chains[i], &cfg->chains[i],
			                     err);
			if (st != TLSPLUG_OK)
				goto fail;
		}
	}
	if (cfg->nalpn > 0) {
		eng->alpn = core->alloc((cfg->nalpn + 1) * sizeof(*eng->alpn));
		if (eng->alpn == NULL) {
			st = core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
				"out of memory");
			goto fail;
		}
		for (i = 0; i < cfg->nalpn; i++)
			eng->alpn[i] = cfg->alpn[i];
		eng->alpn[cfg->nalpn] = NULL;
	}
	st = mbtp_conf_build(eng, &eng->conf, 1, err);
	if (st == TLSPLUG_OK && role == TLSPLUG_SERVER && eng->alpn != NULL) {
		st = mbtp_conf_build(eng, &eng->conf_noalpn, 0, err);
		eng->has_noalpn = st == TLSPLUG_OK;
	}
	if (st != TLSPLUG_OK)
		goto fail;
	return TLSPLUG_OK;
fail:
	mbtp_engine_fini(eng);
	return st;
}

/* ---- context entry points ---- */

static int
mbtp_context_init(void *priv, enum tlsplug_role role,
                  const struct tlsplug_bconfig *cfg,
                  struct tlsplug_error *err)
{
	struct mbtp_ctx *ctx = priv;

	return mbtp_engine_init(&ctx->eng, role, cfg, err);
}

static void
mbtp_context_fini(void *priv)
{
	struct mbtp_ctx *ctx = priv;

	mbtp_engine_fini(&ctx->eng);
}

const struct tlsplug_context_ops mbtp_context_ops = {
	.init = mbtp_context_init,
	.fini = mbtp_context_fini,
};
