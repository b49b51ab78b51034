/*
 * context.c -- OpenSSL engine contexts (SSL_CTX) built from a backend
 * config: version bounds, cipher suites, ALPN, trust and verification
 * settings, one SSL_CTX per certificate chain.
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

static const char *
osslp_version_text(int v)
{
	switch (v) {
	case 0:
		return "engine limit";
	case TLS1_2_VERSION:
		return "TLSv1.2";
	case TLS1_3_VERSION:
		return "TLSv1.3";
	default:
		return "?";
	}
}

/* ---- cipher suites ----------------------------------------------------- */

static int
osslp_is_tls13(const SSL_CIPHER *c)
{
	return strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0;
}

static char *
osslp_strcat_alloc(size_t size)
{
	char *s = osslp_core->alloc(size);

	if (s != NULL)
		s[0] = '\0';
	return s;
}

/* Splits the requested ids into an OpenSSL TLS 1.2 cipher string and a
 * TLS 1.3 ciphersuite string, in order; ids OpenSSL lacks are skipped. */
static int
osslp_ciphers_build(struct osslp_engine *e, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	size_t len12 = 1, len13 = 1, i;

	if (cfg->nciphers == 0)
		return TLSPLUG_OK;
	for (i = 0; i < cfg->nciphers; i++) {
		const SSL_CIPHER *c;

		/* Signalling values, not suites. */
		if (cfg->ciphers[i] == 0x00FF || cfg->ciphers[i] == 0x5600)
			continue;
		c = osslp_cipher_find(cfg->ciphers[i]);
		if (c == NULL)
			continue;
		if (osslp_is_tls13(c))
			len13 += strlen(SSL_CIPHER_get_name(c)) + 1;
		else
			len12 += strlen(SSL_CIPHER_get_name(c)) + 1;
	}
	e->ciphers12 = osslp_strcat_alloc(len12);
	e->ciphers13 = osslp_strcat_alloc(len13);
	if (e->ciphers12 == NULL || e->ciphers13 == NULL)
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	for (i = 0; i < cfg->nciphers; i++) {
		const SSL_CIPHER *c;
		char *dst;

		if (cfg->ciphers[i] == 0x00FF || cfg->ciphers[i] == 0x5600)
			continue;
		c = osslp_cipher_find(cfg->ciphers[i]);
		if (c == NULL)
			continue;
		dst = osslp_is_tls13(c) ? e->ciphers13 : e->ciphers12;
		if (dst[0] != '\0')
			strcat(dst, ":");
		strcat(dst, SSL_CIPHER_get_name(c));
	}
	return TLSPLUG_OK;
}

/* Sets cipher lists and version bounds on an SSL_CTX. */
static int
osslp_apply_params(SSL_CTX *s, const struct osslp_engine *e)
{
	if (!SSL_CTX_set_min_proto_version(s, e->min_version) ||
	    !SSL_CTX_set_max_proto_version(s, e->max_version))
		return -1;
	if (e->ciphers12 != NULL) {
		/* An empty TLS 1.2 list "fails" but is set: only the TLS 1.3
		 * suites remain, which is what was asked. */
		SSL_CTX_set_cipher_list(s, e->ciphers12);
		ERR_clear_error();
		if (!SSL_CTX_set_ciphersuites(s, e->ciphers13))
			return -1;
	}
	return 0;
}

/*
 * Checks that the requested suites leave something usable and narrows the
 * version range to the versions they cover, so that a TLS 1.2-only (or
 * TLS 1.3-only) list is honoured exactly.
 */
static int
osslp_ciphers_check(struct osslp_engine *e, struct tlsplug_error *err)
{
	SSL_CTX *probe;
	SSL *ssl = NULL;
	STACK_OF(SSL_CIPHER) *sk = NULL;
	int has12 = 0, has13 = 0, i, pass, rc = TLSPLUG_OK;

	if (e->ciphers12 == NULL)
		return TLSPLUG_OK;
	for (pass = 0; pass < 2; pass++) {
		has12 = has13 = 0;
		probe = SSL_CTX_new(TLS_method());
		if (probe == NULL || osslp_apply_params(probe, e) != 0 ||
		    (ssl = SSL_new(probe)) == NULL) {
			SSL_CTX_free(probe);
			return osslp_core->set_error(err, TLSPLUG_ERR_BACKEND,
				(long)ERR_peek_last_error(),
				"cannot set up cipher suites");
		}
		sk = SSL_get1_supported_ciphers(ssl);
		for (i = 0; sk != NULL && i < sk_SSL_CIPHER_num(sk); i++) {
			if (osslp_is_tls13(sk_SSL_CIPHER_value(sk, i)))
				has13 = 1;
			else
				has12 = 1;
		}
		sk_SSL_CIPHER_free(sk);
		SSL_free(ssl);
		ssl = NULL;
		SSL_CTX_free(probe);
		ERR_clear_error();
		if (!has12 && !has13) {
			rc = osslp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED,
				0, "ciphers: none of the %zu requested suites "
				"is available in %s (versions %s to %s)",
				e->cfg->nciphers,
				OpenSSL_version(OPENSSL_VERSION),
				osslp_version_text(e->min_version),
				osslp_version_text(e->max_version));
			break;
		}
		if (pass == 1)
			break;
		if (!has13 && (e->max_version == 0 ||
		               e->max_version > TLS1_2_VERSION))
			e->max_version = TLS1_2_VERSION;
		if (!has12 && e->min_version < TLS1_3_VERSION)
			e->min_version = TLS1_3_VERSION;
	}
	return rc;
}

/* ---- ALPN -------------------------------------------------------------- */

/* Server: the first of our protocols (our preference) the client offers;
 * no overlap means no ALPN, not a failure. */
static int
osslp_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                  const unsigned char *in, unsigned int inlen, void *arg)
{
	const struct tlsplug_bconfig *cfg = arg;
	size_t i, off;

	(void)ssl;
	for (i = 0; i + 1 <= cfg->alpn_wire_len;
	     i += 1 + (size_t)cfg->alpn_wire[i]) {
		const unsigned char *p = cfg->alpn_wire + i + 1;
		size_t plen = cfg->alpn_wire[i];

		if (i + 1 + plen > cfg->alpn_wire_len)
			break;
		for (off = 0; off < inlen; off += 1 + (size_t)in[off]) {
			size_t l = in[off];

			if (off + 1 + l > inlen)
				break;
			if (l == plen && memcmp(in + off + 1, p, l) == 0) {
				*out = in + off + 1;
				*outlen = (unsigned char)l;
				return SSL_TLSEXT_ERR_OK;
			}
		}
	}
	return SSL_TLSEXT_ERR_NOACK;
}
/* ---- SSL_CTX ----------------------------------------------------------- */

static SSL_CTX *
osslp_sctx_new(struct osslp_engine *e, X509_STORE *store,
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
	if (osslp_apply_params(s, e) != 0)
		goto fail;
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Post-handshake messages must not make read block; the read
	 * entry point retries itself while input is available. */
	SSL_CTX_clear_mode(s, SSL_MODE_AUTO_RETRY);
	SSL_CTX_set_verify(s, e->verify_mode, osslp_verify_cb);
	if (e->role == TLSPLUG_SERVER) {
		SSL_CTX_set_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
		SSL_CTX_set_dh_auto(s, 1);
		/* Sessions resume only under the engine that made them. */
		if (!SSL_CTX_set_session_id_context(s,
		                (const unsigned char *)&e, sizeof e))
			goto fail;
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
	}
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

void
osslp_engine_fini(struct osslp_engine *e)
{
	size_t i;

	for (i = 0; e->sctx != NULL && i < e->nchains; i++)
		SSL_CTX_free(e->sctx[i]);
	osslp_core->free(e->sctx);
	osslp_core->free(e->ciphers12);
	osslp_core->free(e->ciphers13);
	memset(e, 0, sizeof *e);
}

int
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
		e->verify_mode = cfg->validate && cfg->verify_peer ?
			SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT :
			SSL_VERIFY_NONE;
	else
		e->verify_mode = cfg->validate ? SSL_VERIFY_PEER :
		                                 SSL_VERIFY_NONE;
	if (role == TLSPLUG_SERVER && cfg->nchains == 0 &&
	    !cfg->has_sni_callback)
		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"a server needs a certificate chain");

	rc = osslp_ciphers_build(e, err);
	if (rc == TLSPLUG_OK)
		rc = osslp_ciphers_check(e, err);
	if (rc != TLSPLUG_OK)
		goto fail;

	if (cfg->trust != NULL && !cfg->trust->system &&
	    (role == TLSPLUG_SERVER ? cfg->verify_peer : cfg->validate)) {
		rc = osslp_trust_load(&cfg->trust->pem, &store, &ca_names,
		                      err);
		if (rc != TLSPLUG_OK)
			goto fail;
	}

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
		e->sctx[i] = osslp_sctx_new(e, store, ca_names, err);
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
