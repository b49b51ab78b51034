/*
 * ciphers.c -- cipher suites: IANA ids to OpenSSL ciphers, the TLS 1.2
 * cipher string and the TLS 1.3 ciphersuites string a config asks for, and
 * the check that they leave something usable (narrowing the version range
 * to the versions they cover).
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Set once by the plugin's init, read-only afterwards. */
static SSL_CTX *osslp_lookup_ctx;    /* for id -> cipher lookups */
static SSL *osslp_lookup_ssl;

int
osslp_ciphers_init(void)
{
	osslp_lookup_ctx = SSL_CTX_new(TLS_method());
	if (osslp_lookup_ctx == NULL)
		return -1;
	osslp_lookup_ssl = SSL_new(osslp_lookup_ctx);
	return osslp_lookup_ssl != NULL ? 0 : -1;
}

void
osslp_ciphers_fini(void)
{
	SSL_free(osslp_lookup_ssl);
	SSL_CTX_free(osslp_lookup_ctx);
	osslp_lookup_ssl = NULL;
	osslp_lookup_ctx = NULL;
}

/* IANA id -> OpenSSL cipher, or NULL when this OpenSSL lacks it. */
static const SSL_CIPHER *
osslp_cipher_find(uint16_t id)
{
	unsigned char wire[2] = { (unsigned char)(id >> 8),
	                          (unsigned char)(id & 0xff) };

	return SSL_CIPHER_find(osslp_lookup_ssl, wire);
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
int
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
int
osslp_apply_params(SSL_CTX *s, const struct osslp_engine *e)
{
	int min = e->min_version;
	int sys = SSL_CTX_get_min_proto_version(s);

	/* Never below what OpenSSL's system configuration (MinProtocol in
	 * openssl.cnf) already set on the new SSL_CTX. */
	if (sys != 0 && (min == 0 || min < sys))
		min = sys;
	if (!SSL_CTX_set_min_proto_version(s, min) ||
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
int
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
