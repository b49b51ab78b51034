/*
 * groups.c -- key-exchange groups and signature algorithms: IANA code
 * points to GnuTLS's names, which of them this GnuTLS has (probed once at
 * plugin init), their part of the priority string, and the group a
 * session negotiated.
 *
 * The tables name what some GnuTLS version has, post-quantum hybrids
 * included (GnuTLS 3.8.9 and later, built with leancrypto, have
 * X25519-MLKEM768): the probe decides what this one has.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* GnuTLS names a group in its priority string as GROUP-NAME. */
struct gtls_named_group {
	uint16_t id;
	const char *name;
};

/* GnuTLS's default preference first (the NORMAL priority's order). */
static const struct gtls_named_group gtls_group_table[] = {
	{ 0x001d, "X25519" },
	{ 0x0017, "SECP256R1" },
	{ 0x0018, "SECP384R1" },
	{ 0x0019, "SECP521R1" },
	{ 0x001e, "X448" },
	{ 0x0100, "FFDHE2048" },
	{ 0x0101, "FFDHE3072" },
	{ 0x0102, "FFDHE4096" },
	{ 0x0103, "FFDHE6144" },
	{ 0x0104, "FFDHE8192" },
	{ 0x11ec, "X25519-MLKEM768" },
	{ 0x11eb, "SECP256R1-MLKEM768" },
	{ 0x11ed, "SECP384R1-MLKEM1024" },
	{ 0x0022, "GC256A" },
	{ 0x0023, "GC256B" },
	{ 0x0024, "GC256C" },
	{ 0x0025, "GC256D" },
	{ 0x0026, "GC512A" },
	{ 0x0027, "GC512B" },
	{ 0x0028, "GC512C" },
};

/* A signature scheme may be two GnuTLS algorithms: 0x0403 is
 * ECDSA-SHA256 in TLS 1.2 (any curve) and ECDSA-SECP256R1-SHA256 in TLS
 * 1.3; both are enabled for it. */
struct gtls_named_sigalg {
	uint16_t id;
	const char *name[2];
};

static const struct gtls_named_sigalg gtls_sigalg_table[] = {
	{ 0x0804, { "RSA-PSS-RSAE-SHA256", NULL } },
	{ 0x0403, { "ECDSA-SECP256R1-SHA256", "ECDSA-SHA256" } },
	{ 0x0807, { "EdDSA-Ed25519", NULL } },
	{ 0x0805, { "RSA-PSS-RSAE-SHA384", NULL } },
	{ 0x0503, { "ECDSA-SECP384R1-SHA384", "ECDSA-SHA384" } },
	{ 0x0806, { "RSA-PSS-RSAE-SHA512", NULL } },
	{ 0x0603, { "ECDSA-SECP521R1-SHA512", "ECDSA-SHA512" } },
	{ 0x0808, { "EdDSA-Ed448", NULL } },
	{ 0x0809, { "RSA-PSS-SHA256", NULL } },
	{ 0x080a, { "RSA-PSS-SHA384", NULL } },
	{ 0x080b, { "RSA-PSS-SHA512", NULL } },
	{ 0x0401, { "RSA-SHA256", NULL } },
	{ 0x0501, { "RSA-SHA384", NULL } },
	{ 0x0601, { "RSA-SHA512", NULL } },
	{ 0x0904, { "MLDSA44", NULL } },
	{ 0x0905, { "MLDSA65", NULL } },
	{ 0x0906, { "MLDSA87", NULL } },
	{ 0x0203, { "ECDSA-SHA1", NULL } },
	{ 0x0201, { "RSA-SHA1", NULL } },
};

#define GTLS_NGROUPS (sizeof(gtls_group_table) / sizeof(gtls_group_table[0]))
#define GTLS_NSIGALGS \
	(sizeof(gtls_sigalg_table) / sizeof(gtls_sigalg_table[0]))

/* Which table entries this GnuTLS has: set once by gtls_groups_init,
 * read-only afterwards. */
static unsigned char gtls_group_ok[GTLS_NGROUPS];
static unsigned char gtls_sigalg_ok[GTLS_NSIGALGS];

void
gtls_groups_init(void)
{
	const gnutls_group_t *g = gnutls_group_list();
	size_t i, k;

	for (i = 0; i < GTLS_NGROUPS; i++)
		for (k = 0; g != NULL && g[k] != 0; k++) {
			const char *n = gnutls_group_get_name(g[k]);

			if (n != NULL &&
			    strcasecmp(n, gtls_group_table[i].name) == 0)
				gtls_group_ok[i] = 1;
		}
	for (i = 0; i < GTLS_NSIGALGS; i++)
		gtls_sigalg_ok[i] = gnutls_sign_get_id(
		    gtls_sigalg_table[i].name[0]) != GNUTLS_SIGN_UNKNOWN;
}

/* The code points id(i) of the n table entries marked in ok. */
static size_t
gtls_list(const unsigned char *ok, size_t n, uint16_t (*id)(size_t),
          uint16_t *ids, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (k < max)
			ids[k] = id(i);
		k++;
	}
	return k;
}

static uint16_t
gtls_group_id(size_t i)
{
	return gtls_group_table[i].id;
}

static uint16_t
gtls_sigalg_id(size_t i)
{
	return gtls_sigalg_table[i].id;
}

size_t
gtls_info_groups(uint16_t *ids, size_t max)
{
	return gtls_list(gtls_group_ok, GTLS_NGROUPS, gtls_group_id, ids,
	                 max);
}

size_t
gtls_info_sigalgs(uint16_t *ids, size_t max)
{
	return gtls_list(gtls_sigalg_ok, GTLS_NSIGALGS, gtls_sigalg_id, ids,
	                 max);
}

static int
gtls_add(char *buf, size_t size, size_t *pos, const char *fmt,
         const char *arg)
{
	int n = snprintf(buf + *pos, size - *pos, fmt, arg);

	if (n < 0 || (size_t)n >= size - *pos)
		return -1;
	*pos += (size_t)n;
	return 0;
}

int
gtls_groups_priority(const struct tlsplug_bconfig *cfg, char *buf,
                     size_t size, size_t *pos, struct tlsplug_error *err)
{
	size_t i, j, k;

	if (gtls_core->abi_minor < 1)
		return TLSPLUG_OK;
	if (cfg->ngroups > 0 && gtls_add(buf, size, pos, "%s",
	                                 ":-GROUP-ALL") < 0)
		goto toolong;
	for (i = 0; i < cfg->ngroups; i++) {
		for (j = 0; j < GTLS_NGROUPS &&
		     !(gtls_group_table[j].id == cfg->groups[i] &&
		       gtls_group_ok[j]); j++)
			;
		if (j == GTLS_NGROUPS)
			return gtls_core->set_error(err,
				TLSPLUG_ERR_UNSUPPORTED, 0,
				"groups: 0x%04x is not supported by GnuTLS %s",
				cfg->groups[i], gnutls_check_version(NULL));
		if (gtls_add(buf, size, pos, ":+GROUP-%s",
		             gtls_group_table[j].name) < 0)
			goto toolong;
	}
	if (cfg->nsigalgs > 0 && gtls_add(buf, size, pos, "%s",
	                                  ":-SIGN-ALL") < 0)
		goto toolong;
	for (i = 0; i < cfg->nsigalgs; i++) {
		for (j = 0; j < GTLS_NSIGALGS &&
		     !(gtls_sigalg_table[j].id == cfg->sigalgs[i] &&
		       gtls_sigalg_ok[j]); j++)
			;
		if (j == GTLS_NSIGALGS)
			return gtls_core->set_error(err,
				TLSPLUG_ERR_UNSUPPORTED, 0,
				"sigalgs: 0x%04x is not supported by GnuTLS "
				"%s", cfg->sigalgs[i],
				gnutls_check_version(NULL));
		for (k = 0; k < 2 && gtls_sigalg_table[j].name[k] != NULL;
		     k++) {
			if (k > 0 && gnutls_sign_get_id(
			    gtls_sigalg_table[j].name[k]) ==
			    GNUTLS_SIGN_UNKNOWN)
				continue;
			if (gtls_add(buf, size, pos, ":+SIGN-%s",
			             gtls_sigalg_table[j].name[k]) < 0)
				goto toolong;
		}
	}
	return TLSPLUG_OK;
toolong:
	return gtls_core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
	                            "priority string too long");
}

uint16_t
gtls_conn_group(void *priv)
{
	struct gtls_conn *c = priv;
	const char *name;
	size_t i;

	if (c->session == NULL || !c->handshake_done)
		return 0;
	name = gnutls_group_get_name(gnutls_group_get(c->session));
	for (i = 0; name != NULL && i < GTLS_NGROUPS; i++)
		if (strcasecmp(name, gtls_group_table[i].name) == 0)
			return gtls_group_table[i].id;
	return 0;
}
