/*
 * ciphers.c -- cipher suites: the plugin's secure default list, the
 * suites a config asks for as wolfSSL 2-byte ids (wolfSSL takes them
 * raw, in order: wolfSSL_CTX_set_cipher_list_bytes), the check that they
 * leave something usable (narrowing the version range to the versions
 * they cover), and the version bounds.
 *
 * Why a default list of our own: the Debian wolfSSL is built with RC4,
 * NULL, anonymous and PSK suites compiled in, and the list a fresh client
 * WOLFSSL holds (wolfSSL_get_ciphers_compat) includes some of them.
 * The plugin offers that list minus those (and minus 3DES, the TLS 1.3
 * integrity-only suites, CCM-8 and the pre-RFC ChaCha20 ids), in
 * wolfSSL's own order.
 */
#include "config.h"

#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#define WOLFP_SUITES_MAX 256

/* Parts of wolfSSL suite names that the default leaves out. */
static const char *const wolfp_weak[] = {
	"RC4", "NULL", "ADH", "PSK", "DES", "-OLD", "TLS13-SHA", "CCM-8",
	"CCM8", "EXPORT", "MD5", "anon",
};

/* The default suites as 2-byte wire ids; built once by
 * wolfp_default_suites() under the plugin's init, read-only afterwards. */
static unsigned char wolfp_default[2 * WOLFP_SUITES_MAX];
static size_t wolfp_default_len;

static int
wolfp_is_weak(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof wolfp_weak / sizeof wolfp_weak[0]; i++)
		if (strstr(name, wolfp_weak[i]) != NULL)
			return 1;
	return 0;
}

/* Fills the default list from the suites a fresh client WOLFSSL offers,
 * in wolfSSL's preference order, minus the weak ones (plugin init). */
int
wolfp_ciphers_init(void)
{
	WOLF_STACK_OF(WOLFSSL_CIPHER) *sk;
	WOLFSSL_CTX *w;
	WOLFSSL *ssl = NULL;
	int i, n;

	wolfp_default_len = 0;
	w = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (w != NULL)
		ssl = wolfSSL_new(w);
	sk = ssl != NULL ? wolfSSL_get_ciphers_compat(ssl) : NULL;
	n = sk != NULL ? wolfSSL_sk_SSL_CIPHER_num(sk) : 0;
	for (i = 0; i < n; i++) {
		const char *name = wolfSSL_CIPHER_get_name(
			wolfSSL_sk_SSL_CIPHER_value(sk, i));
		unsigned char cs0, cs;
		int flags = 0;

		if (name == NULL || wolfp_is_weak(name) ||
		    wolfSSL_get_cipher_suite_from_name(name, &cs0, &cs,
		                                       &flags) != 0)
			continue;
		if (wolfp_default_len + 2 > sizeof wolfp_default)
			break;
		wolfp_default[wolfp_default_len++] = cs0;
		wolfp_default[wolfp_default_len++] = cs;
	}
	/* The stack belongs to the WOLFSSL. */
	wolfSSL_free(ssl);
	wolfSSL_CTX_free(w);
	wolfSSL_ERR_clear_error();
	return wolfp_default_len > 0 ? 0 : -1;
}

size_t
wolfp_cipher_suites(uint16_t *ids, size_t max)
{
	size_t i, n = wolfp_default_len / 2;

	for (i = 0; i < n && i < max; i++)
		ids[i] = (uint16_t)(wolfp_default[2 * i] << 8 |
		                    wolfp_default[2 * i + 1]);
	return n;
}

/* 1 when this wolfSSL has suite id (TLS 1.2 or 1.3). */
static int
wolfp_has_suite(uint16_t id)
{
	const char *name = wolfSSL_get_cipher_name_from_suite(
		(unsigned char)(id >> 8), (unsigned char)(id & 0xff));

	return name != NULL && strcmp(name, "None") != 0;
}

static int
wolfp_is_tls13_suite(const unsigned char *p)
{
	/* TLS 1.3 suites are 0x13xx; wolfSSL's integrity-only ones (0xC0B4,
	 * 0xC0B5) are never in a list here unless asked for by id. */
	return p[0] == 0x13 || (p[0] == 0xC0 && (p[1] == 0xB4 || p[1] == 0xB5));
}

static const char *
wolfp_version_text(int v)
{
	switch (v) {
	case 0:
		return "engine limit";
	case 0x0302:
		return "TLSv1.1";
	case 0x0303:
		return "TLSv1.2";
	case 0x0304:
		return "TLSv1.3";
	default:
		return "?";
	}
}

/* Appends suite p (2 bytes) to e's list if the version bounds leave it
 * usable; notes which versions keep one. */
static void
wolfp_suite_add(struct wolfp_engine *e, const unsigned char *p, int *has12,
                int *has13)
{
	int is13 = wolfp_is_tls13_suite(p);

	if (is13 && e->max_version != 0 && e->max_version < 0x0304)
		return;
	if (!is13 && e->min_version == 0x0304)
		return;
	e->suites[e->suites_len++] = p[0];
	e->suites[e->suites_len++] = p[1];
	if (is13)
		*has13 = 1;
	else
		*has12 = 1;
}

/*
 * The list is always explicit, the default too, and holds only the
 * suites the version bounds can use: wolfSSL offers every suite it is
 * given, so a client limited to TLS 1.3 would otherwise offer TLS 1.2
 * suites as well, and a TLS 1.2 server would pick one where other
 * engines see that no version is shared.
 */
int
wolfp_ciphers_build(struct wolfp_engine *e, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	size_t n = cfg->nciphers > 0 ? cfg->nciphers : wolfp_default_len / 2;
	int has12 = 0, has13 = 0;
	size_t i;

	e->suites_len = 0;
	e->suites = wolfp_core->alloc(2 * n);
	if (e->suites == NULL)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	for (i = 0; i < n; i++) {
		unsigned char p[2];

		if (cfg->nciphers == 0) {
			wolfp_suite_add(e, wolfp_default + 2 * i, &has12,
			                &has13);
			continue;
		}
		/* Signalling values, not suites. */
		if (cfg->ciphers[i] == 0x00FF || cfg->ciphers[i] == 0x5600 ||
		    !wolfp_has_suite(cfg->ciphers[i]))
			continue;
		p[0] = (unsigned char)(cfg->ciphers[i] >> 8);
		p[1] = (unsigned char)(cfg->ciphers[i] & 0xff);
		wolfp_suite_add(e, p, &has12, &has13);
	}
	if (!has12 && !has13)
		return wolfp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"ciphers: none of the %zu requested suites is "
			"available in wolfSSL %s (versions %s to %s)",
			cfg->nciphers, wolfSSL_lib_version(),
			wolfp_version_text(e->min_version),
			wolfp_version_text(e->max_version));
	/* A TLS 1.2-only (or TLS 1.3-only) list is honoured exactly. */
	if (!has13 && (e->max_version == 0 || e->max_version > 0x0303))
		e->max_version = 0x0303;
	if (!has12 && e->min_version < 0x0304)
		e->min_version = 0x0304;
	return TLSPLUG_OK;
}

int
wolfp_apply_params(WOLFSSL_CTX *w, const struct wolfp_engine *e)
{
	if (e->min_version != 0 &&
	    wolfSSL_CTX_set_min_proto_version(w, e->min_version) !=
	    WOLFSSL_SUCCESS)
		return -1;
	if (e->max_version != 0 &&
	    wolfSSL_CTX_set_max_proto_version(w, e->max_version) !=
	    WOLFSSL_SUCCESS)
		return -1;
	return wolfSSL_CTX_set_cipher_list_bytes(w, e->suites,
	                                         (int)e->suites_len) ==
	       WOLFSSL_SUCCESS ? 0 : -1;
}

int
wolfp_apply_ssl(WOLFSSL *ssl, const struct wolfp_engine *e)
{
	if (wolfSSL_set_min_proto_version(ssl, e->min_version != 0 ?
	                                  e->min_version : 0x0302) !=
	    WOLFSSL_SUCCESS ||
	    wolfSSL_set_max_proto_version(ssl, e->max_version != 0 ?
	                                  e->max_version : 0x0304) !=
	    WOLFSSL_SUCCESS)
		return -1;
	return wolfSSL_set_cipher_list_bytes(ssl, e->suites,
	                                     (int)e->suites_len) ==
	       WOLFSSL_SUCCESS ? 0 : -1;
}
