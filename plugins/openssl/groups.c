/*
 * groups.c -- key-exchange groups and signature algorithms: IANA code
 * points to OpenSSL's names, which of them this OpenSSL has (probed once at
 * plugin init), the lists set on an engine context, and the group a
 * connection negotiated.
 *
 * The tables name every group and scheme some OpenSSL version knows,
 * post-quantum ones included (OpenSSL 3.5 has X25519MLKEM768 and ML-DSA):
 * the probe decides what this one has, so the same plugin offers them as
 * soon as it runs on an OpenSSL that does.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

struct osslp_named {
	uint16_t id;
	const char *name;          /* OpenSSL's name (also its list syntax) */
};

/* OpenSSL's default preference first (3.0's default group list). */
static const struct osslp_named osslp_group_table[] = {
	{ 0x001d, "x25519" },
	{ 0x0017, "secp256r1" },
	{ 0x001e, "x448" },
	{ 0x0019, "secp521r1" },
	{ 0x0018, "secp384r1" },
	{ 0x0100, "ffdhe2048" },
	{ 0x0101, "ffdhe3072" },
	{ 0x0102, "ffdhe4096" },
	{ 0x0103, "ffdhe6144" },
	{ 0x0104, "ffdhe8192" },
	{ 0x11ec, "X25519MLKEM768" },
	{ 0x11eb, "SecP256r1MLKEM768" },
	{ 0x11ed, "SecP384r1MLKEM1024" },
	{ 0x0200, "MLKEM512" },
	{ 0x0201, "MLKEM768" },
	{ 0x0202, "MLKEM1024" },
	{ 0x001a, "brainpoolP256r1" },
	{ 0x001b, "brainpoolP384r1" },
	{ 0x001c, "brainpoolP512r1" },
	{ 0x001f, "brainpoolP256r1tls13" },
	{ 0x0020, "brainpoolP384r1tls13" },
	{ 0x0021, "brainpoolP512r1tls13" },
};

static const struct osslp_named osslp_sigalg_table[] = {
	{ 0x0403, "ecdsa_secp256r1_sha256" },
	{ 0x0503, "ecdsa_secp384r1_sha384" },
	{ 0x0603, "ecdsa_secp521r1_sha512" },
	{ 0x0807, "ed25519" },
	{ 0x0808, "ed448" },
	{ 0x0804, "rsa_pss_rsae_sha256" },
	{ 0x0805, "rsa_pss_rsae_sha384" },
	{ 0x0806, "rsa_pss_rsae_sha512" },
	{ 0x0809, "rsa_pss_pss_sha256" },
	{ 0x080a, "rsa_pss_pss_sha384" },
	{ 0x080b, "rsa_pss_pss_sha512" },
	{ 0x0401, "rsa_pkcs1_sha256" },
	{ 0x0501, "rsa_pkcs1_sha384" },
	{ 0x0601, "rsa_pkcs1_sha512" },
	{ 0x081a, "ecdsa_brainpoolP256r1tls13_sha256" },
	{ 0x081b, "ecdsa_brainpoolP384r1tls13_sha384" },
	{ 0x081c, "ecdsa_brainpoolP512r1tls13_sha512" },
	{ 0x0904, "mldsa44" },
	{ 0x0905, "mldsa65" },
	{ 0x0906, "mldsa87" },
	{ 0x0203, "ecdsa_sha1" },
	{ 0x0201, "rsa_pkcs1_sha1" },
};

#define OSSLP_NGROUPS \
	(sizeof(osslp_group_table) / sizeof(osslp_group_table[0]))
#define OSSLP_NSIGALGS \
	(sizeof(osslp_sigalg_table) / sizeof(osslp_sigalg_table[0]))

/* Which table entries this OpenSSL has: set once by osslp_groups_init,
 * read-only afterwards. */
static unsigned char osslp_group_ok[OSSLP_NGROUPS];
static unsigned char osslp_sigalg_ok[OSSLP_NSIGALGS];

void
osslp_groups_init(void)
{
	SSL_CTX *probe = SSL_CTX_new(TLS_method());
	size_t i;

	if (probe == NULL)
		return;
	for (i = 0; i < OSSLP_NGROUPS; i++)
		osslp_group_ok[i] = SSL_CTX_set1_groups_list(probe,
		    osslp_group_table[i].name) == 1;
	for (i = 0; i < OSSLP_NSIGALGS; i++)
		osslp_sigalg_ok[i] = SSL_CTX_set1_sigalgs_list(probe,
		    osslp_sigalg_table[i].name) == 1;
	SSL_CTX_free(probe);
	ERR_clear_error();
}

static size_t
osslp_list(const struct osslp_named *t, const unsigned char *ok, size_t n,
           uint16_t *ids, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (k < max)
			ids[k] = t[i].id;
		k++;
	}
	return k;
}

size_t
osslp_info_groups(uint16_t *ids, size_t max)
{
	return osslp_list(osslp_group_table, osslp_group_ok, OSSLP_NGROUPS,
	                  ids, max);
}

size_t
osslp_info_sigalgs(uint16_t *ids, size_t max)
{
	return osslp_list(osslp_sigalg_table, osslp_sigalg_ok, OSSLP_NSIGALGS,
	                  ids, max);
}

/* "name:name:..." for ids, into a new string (*out), or an error naming
 * the first id this OpenSSL lacks (the core checked already: a guard). */
static int
osslp_join(const struct osslp_named *t, const unsigned char *ok, size_t n,
           const uint16_t *ids, size_t nids, const char *setting,
           char **out, struct tlsplug_error *err)
{
	size_t i, j, len = 1;
	char *s;

	*out = NULL;
	if (nids == 0)
		return TLSPLUG_OK;
	for (i = 0; i < nids; i++) {
		for (j = 0; j < n && !(t[j].id == ids[i] && ok[j]); j++)
			;
		if (j == n)
			return osslp_core->set_error(err,
				TLSPLUG_ERR_UNSUPPORTED, 0,
				"%s: 0x%04x is not supported by %s", setting,
				ids[i], OpenSSL_version(OPENSSL_VERSION));
		len += strlen(t[j].name) + 1;
	}
	s = osslp_core->alloc(len);
	if (s == NULL)
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	s[0] = '\0';
	for (i = 0; i < nids; i++) {
		for (j = 0; t[j].id != ids[i] || !ok[j]; j++)
			;
		if (i > 0)
			strcat(s, ":");
		strcat(s, t[j].name);
	}
	*out = s;
	return TLSPLUG_OK;
}

int
osslp_groups_build(struct osslp_engine *e, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	int rc;

	if (osslp_core->abi_minor < 1)
		return TLSPLUG_OK;
	rc = osslp_join(osslp_group_table, osslp_group_ok, OSSLP_NGROUPS,
	                cfg->groups, cfg->ngroups, "groups", &e->groups, err);
	if (rc == TLSPLUG_OK)
		rc = osslp_join(osslp_sigalg_table, osslp_sigalg_ok,
		                OSSLP_NSIGALGS, cfg->sigalgs, cfg->nsigalgs,
		                "sigalgs", &e->sigalgs, err);
	return rc;
}

int
osslp_groups_apply(SSL_CTX *s, const struct osslp_engine *e)
{
	if (e->groups != NULL && SSL_CTX_set1_groups_list(s, e->groups) != 1)
		return -1;
	if (e->sigalgs != NULL &&
	    SSL_CTX_set1_sigalgs_list(s, e->sigalgs) != 1)
		return -1;
	return 0;
}

int
osslp_groups_apply_ssl(SSL *ssl, const struct osslp_engine *from,
                       const struct osslp_engine *e)
{
	/* An SSL copies its groups from its first SSL_CTX, not from one it
	 * switches to (its signature algorithms follow the switch). */
	if (e->groups != NULL)
		return SSL_set1_groups_list(ssl, e->groups) == 1 ? 0 : -1;
	if (from->groups != NULL)
		return SSL_set1_groups_list(ssl, OSSLP_DEFAULT_GROUPS) == 1 ?
		    0 : -1;
	return 0;
}

uint16_t
osslp_conn_group(void *conn_priv)
{
	struct osslp_conn *c = conn_priv;
	const char *name;
	int nid;
	size_t i;

	if (c->ssl == NULL || !SSL_is_init_finished(c->ssl))
		return 0;
	nid = SSL_get_negotiated_group(c->ssl);
	if (nid <= 0)
		return 0;
	/* A group OpenSSL has no NID for comes back as its code point. */
	if ((nid & TLSEXT_nid_unknown) != 0)
		return (uint16_t)(nid & 0xffff);
	name = SSL_group_to_name(c->ssl, nid);
	for (i = 0; name != NULL && i < OSSLP_NGROUPS; i++)
		if (strcasecmp(name, osslp_group_table[i].name) == 0)
			return osslp_group_table[i].id;
	return 0;
}
