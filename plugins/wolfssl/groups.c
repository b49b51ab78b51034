/*
 * groups.c -- key-exchange groups and signature algorithms: IANA code
 * points as wolfSSL takes them (groups: the same numbers; signature
 * algorithms: "ECDSA+SHA256" strings), which of them this wolfSSL has
 * (probed once at plugin init), the lists set on an engine context, and
 * the group a connection negotiated.
 *
 * Left out although wolfSSL takes them: the brainpool curves (0x001a-c:
 * TLS 1.2 only, and a TLS 1.3 handshake offering them fails inside
 * wolfSSL instead of skipping them) and rsa_pss_pss_* (wolfSSL's list
 * syntax has only RSA-PSS with rsaEncryption keys).  FFDHE groups are TLS
 * 1.3 only in wolfSSL: a TLS 1.2 handshake uses ECDHE whatever the list
 * says, and the connection's group then says which curve.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

struct wolfp_named {
	uint16_t id;
	const char *name;   /* wolfSSL_get_curve_name's / the sigalg syntax */
};

/* wolfSSL's default preference first. */
static const struct wolfp_named wolfp_group_table[] = {
	{ 0x0017, "SECP256R1" },
	{ 0x001d, "X25519" },
	{ 0x001e, "X448" },
	{ 0x0018, "SECP384R1" },
	{ 0x0019, "SECP521R1" },
	{ 0x0100, "FFDHE_2048" },
	{ 0x0101, "FFDHE_3072" },
	{ 0x0102, "FFDHE_4096" },
	{ 0x0103, "FFDHE_6144" },
	{ 0x0104, "FFDHE_8192" },
};

static const struct wolfp_named wolfp_sigalg_table[] = {
	{ 0x0403, "ECDSA+SHA256" },
	{ 0x0503, "ECDSA+SHA384" },
	{ 0x0603, "ECDSA+SHA512" },
	{ 0x0807, "ED25519" },
	{ 0x0808, "ED448" },
	{ 0x0804, "RSA-PSS+SHA256" },
	{ 0x0805, "RSA-PSS+SHA384" },
	{ 0x0806, "RSA-PSS+SHA512" },
	{ 0x0401, "RSA+SHA256" },
	{ 0x0501, "RSA+SHA384" },
	{ 0x0601, "RSA+SHA512" },
	{ 0x0203, "ECDSA+SHA1" },
	{ 0x0201, "RSA+SHA1" },
};

#define WOLFP_NGROUPS \
	(sizeof(wolfp_group_table) / sizeof(wolfp_group_table[0]))
#define WOLFP_NSIGALGS \
	(sizeof(wolfp_sigalg_table) / sizeof(wolfp_sigalg_table[0]))

/* Which table entries this wolfSSL has: set once by wolfp_groups_init,
 * read-only afterwards. */
static unsigned char wolfp_group_ok[WOLFP_NGROUPS];
static unsigned char wolfp_sigalg_ok[WOLFP_NSIGALGS];

void
wolfp_groups_init(void)
{
	WOLFSSL_CTX *probe = wolfSSL_CTX_new(wolfSSLv23_client_method());
	size_t i;

	if (probe == NULL)
		return;
	for (i = 0; i < WOLFP_NGROUPS; i++) {
		int g = wolfp_group_table[i].id;

		wolfp_group_ok[i] = wolfSSL_CTX_set_groups(probe, &g, 1) ==
		                    WOLFSSL_SUCCESS;
	}
	for (i = 0; i < WOLFP_NSIGALGS; i++)
		wolfp_sigalg_ok[i] = wolfSSL_CTX_set1_sigalgs_list(probe,
		    wolfp_sigalg_table[i].name) == WOLFSSL_SUCCESS;
	wolfSSL_CTX_free(probe);
	wolfSSL_ERR_clear_error();
}

static size_t
wolfp_list(const struct wolfp_named *t, const unsigned char *ok, size_t n,
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
wolfp_info_groups(uint16_t *ids, size_t max)
{
	return wolfp_list(wolfp_group_table, wolfp_group_ok, WOLFP_NGROUPS,
	                  ids, max);
}

size_t
wolfp_info_sigalgs(uint16_t *ids, size_t max)
{
	return wolfp_list(wolfp_sigalg_table, wolfp_sigalg_ok, WOLFP_NSIGALGS,
	                  ids, max);
}

/* Index of id in table t among the entries this wolfSSL has, or n. */
static size_t
wolfp_find(const struct wolfp_named *t, const unsigned char *ok, size_t n,
           uint16_t id)
{
	size_t j;

	for (j = 0; j < n && !(t[j].id == id && ok[j]); j++)
		;
	return j;
}

static int
wolfp_lacks(const char *setting, uint16_t id, struct tlsplug_error *err)
{
	/* The core checked against the info lists already: a guard. */
	return wolfp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
		"%s: 0x%04x is not supported by wolfSSL %s", setting, id,
		wolfSSL_lib_version());
}

int
wolfp_groups_build(struct wolfp_engine *e, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	size_t i, j, len = 1;

	if (wolfp_core->abi_minor < 1)
		return TLSPLUG_OK;
	if (cfg->ngroups > 0) {
		e->groups = wolfp_core->alloc(cfg->ngroups * sizeof *e->groups);
		if (e->groups == NULL)
			return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			                             "out of memory");
		for (i = 0; i < cfg->ngroups; i++) {
			if (wolfp_find(wolfp_group_table, wolfp_group_ok,
			               WOLFP_NGROUPS, cfg->groups[i]) ==
			    WOLFP_NGROUPS)
				return wolfp_lacks("groups", cfg->groups[i],
				                   err);
			e->groups[i] = cfg->groups[i];
		}
		e->ngroups = (int)cfg->ngroups;
	}
	if (cfg->nsigalgs == 0)
		return TLSPLUG_OK;
	for (i = 0; i < cfg->nsigalgs; i++) {
		j = wolfp_find(wolfp_sigalg_table, wolfp_sigalg_ok,
		               WOLFP_NSIGALGS, cfg->sigalgs[i]);
		if (j == WOLFP_NSIGALGS)
			return wolfp_lacks("sigalgs", cfg->sigalgs[i], err);
		len += strlen(wolfp_sigalg_table[j].name) + 1;
	}
	e->sigalgs = wolfp_core->alloc(len);
	if (e->sigalgs == NULL)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	e->sigalgs[0] = '\0';
	for (i = 0; i < cfg->nsigalgs; i++) {
		j = wolfp_find(wolfp_sigalg_table, wolfp_sigalg_ok,
		               WOLFP_NSIGALGS, cfg->sigalgs[i]);
		if (i > 0)
			strcat(e->sigalgs, ":");
		strcat(e->sigalgs, wolfp_sigalg_table[j].name);
	}
	return TLSPLUG_OK;
}

int
wolfp_groups_apply(WOLFSSL_CTX *w, const struct wolfp_engine *e)
{
	if (e->groups != NULL &&
	    wolfSSL_CTX_set_groups(w, e->groups, e->ngroups) !=
	    WOLFSSL_SUCCESS)
		return -1;
	if (e->sigalgs != NULL &&
	    wolfSSL_CTX_set1_sigalgs_list(w, e->sigalgs) != WOLFSSL_SUCCESS)
		return -1;
	return 0;
}

int
wolfp_groups_apply_ssl(WOLFSSL *ssl, const struct wolfp_engine *e)
{
	/* A WOLFSSL copies both lists from its first WOLFSSL_CTX only. */
	if (e->groups != NULL &&
	    wolfSSL_set_groups(ssl, e->groups, e->ngroups) != WOLFSSL_SUCCESS)
		return -1;
	if (e->sigalgs != NULL &&
	    wolfSSL_set1_sigalgs_list(ssl, e->sigalgs) != WOLFSSL_SUCCESS)
		return -1;
	return 0;
}

/* ---- the group negotiated ---------------------------------------------- */

/* Big-endian 16 bits at p. */
static unsigned
wolfp_be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * A server's wolfSSL names no FFDHE group it chose in TLS 1.3
 * (wolfSSL_get_curve_name answers NULL), so the plugin reads the group
 * from the key_share extension of the ServerHello (or HelloRetryRequest)
 * the server sends.  m: the handshake
 * message, or the record holding it (wolfSSL passes outgoing messages
 * with their record header).
 */
void
wolfp_groups_server_hello(struct wolfp_conn *c, const unsigned char *m,
                          size_t len)
{
	size_t off, end, elen;

	if (len >= 5 && m[0] == 22) {          /* record header */
		m += 5;
		len -= 5;
	}
	off = 4 + 2 + 32;                      /* header, version, random */
	if (len < off + 1 || m[0] != 2)        /* ServerHello */
		return;

	off += 1 + m[off];                     /* session id */
	off += 2 + 1;                          /* suite, compression */
	if (off + 2 > len)
		return;
	end = off + 2 + wolfp_be16(m + off);
	if (end > len)
		return;
	for (off += 2; off + 4 <= end; off += 4 + elen) {
		elen = wolfp_be16(m + off + 2);
		if (off + 4 + elen > end)
			return;
		if (wolfp_be16(m + off) == 51 && elen >= 2) {  /* key_share */
			c->group = (uint16_t)wolfp_be16(m + off + 4);
			return;
		}
	}
}

uint16_t
wolfp_conn_group(void *conn_priv)
{
	struct wolfp_conn *c = conn_priv;
	const char *name;
	size_t i;

	if (c->ssl == NULL || !wolfSSL_is_init_finished(c->ssl))
		return 0;
	name = wolfSSL_get_curve_name(c->ssl);
	for (i = 0; name != NULL && i < WOLFP_NGROUPS; i++)
		if (strcasecmp(name, wolfp_group_table[i].name) == 0)
			return wolfp_group_table[i].id;
	/* Resumed TLS 1.2 sessions and RSA key exchange have none. */
	return wolfSSL_version(c->ssl) == 0x0304 ? c->group : 0;
}
