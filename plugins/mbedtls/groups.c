/*
 * groups.c -- key-exchange groups and signature algorithms.
 *
 * Groups are mbedTLS's elliptic curves (its TLS identifiers are the IANA
 * code points), set with mbedtls_ssl_conf_curves in the configured order.
 * mbedTLS 2.28 negotiates no RFC 7919 finite-field group: its DHE suites
 * use fixed parameters, so ffdhe* names are not listed (the core refuses
 * them naming the group).
 *
 * Signature algorithms: mbedTLS 2.28 speaks TLS 1.2 only, where it offers
 * and accepts RSA PKCS#1 v1.5 and ECDSA signatures, restricted by hash
 * alone (mbedtls_ssl_conf_sig_hashes): a hash allowed is allowed for both.
 * So a configured list must name both schemes of each hash it names; one
 * that names only one of them cannot be honoured and is refused naming
 * the scheme that lacks its partner.  RSA-PSS (TLS 1.3's RSA schemes) is
 * not listed: mbedTLS 2.28 does not use it in TLS 1.2.
 */
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/ssl.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* The TLS 1.2 schemes mbedTLS signs with, in its default preference
 * (strongest hash first, ECDSA before RSA, as its ClientHello lists
 * them). */
static const struct {
	uint16_t id;
	const char *name;
	mbedtls_md_type_t md;
	uint16_t partner;
} mbtp_schemes[] = {
	{ 0x0603, "ecdsa_secp521r1_sha512", MBEDTLS_MD_SHA512, 0x0601 },
	{ 0x0601, "rsa_pkcs1_sha512", MBEDTLS_MD_SHA512, 0x0603 },
	{ 0x0503, "ecdsa_secp384r1_sha384", MBEDTLS_MD_SHA384, 0x0501 },
	{ 0x0501, "rsa_pkcs1_sha384", MBEDTLS_MD_SHA384, 0x0503 },
	{ 0x0403, "ecdsa_secp256r1_sha256", MBEDTLS_MD_SHA256, 0x0401 },
	{ 0x0401, "rsa_pkcs1_sha256", MBEDTLS_MD_SHA256, 0x0403 },
};
#define MBTP_NSCHEMES (sizeof(mbtp_schemes) / sizeof(mbtp_schemes[0]))

uint16_t
mbtp_group_iana(mbedtls_ecp_group_id id)
{
	const mbedtls_ecp_curve_info *ci =
	    mbedtls_ecp_curve_info_from_grp_id(id);

	return ci != NULL ? ci->tls_id : 0;
}

size_t
mbtp_groups(uint16_t *ids, size_t max)
{
	const mbedtls_ecp_group_id *g = mbedtls_ecp_grp_id_list();
	size_t n = 0;

	for (; *g != MBEDTLS_ECP_DP_NONE; g++) {
		uint16_t id = mbtp_group_iana(*g);

		if (id == 0)
			continue;
		if (n < max)
			ids[n] = id;
		n++;
	}
	return n;
}

size_t
mbtp_sigalgs(uint16_t *ids, size_t max)
{
	size_t i;

	for (i = 0; i < MBTP_NSCHEMES && i < max; i++)
		ids[i] = mbtp_schemes[i].id;
	return MBTP_NSCHEMES;
}

static int
mbtp_scheme(uint16_t id)
{
	size_t i;

	for (i = 0; i < MBTP_NSCHEMES; i++)
		if (mbtp_schemes[i].id == id)
			return (int)i;
	return -1;
}

static int
mbtp_has(const uint16_t *ids, size_t n, uint16_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

static int
mbtp_curves_setup(struct mbtp_engine *eng, const struct tlsplug_bconfig *cfg,
                  struct tlsplug_error *err)
{
	const struct tlsplug_core *core = mbtp_core;
	const mbedtls_ecp_curve_info *ci;
	size_t i;

	eng->curves = core->alloc((cfg->ngroups + 1) * sizeof(*eng->curves));
	if (eng->curves == NULL)
		return core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			"out of memory");
	for (i = 0; i < cfg->ngroups; i++) {
		ci = mbedtls_ecp_curve_info_from_tls_id(cfg->groups[i]);
		if (ci == NULL)
			return core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
				"group 0x%04x is not supported by mbedTLS 2.28",
				cfg->groups[i]);
		eng->curves[i] = ci->grp_id;
	}
	eng->curves[cfg->ngroups] = MBEDTLS_ECP_DP_NONE;
	return TLSPLUG_OK;
}

static int
mbtp_hashes_setup(struct mbtp_engine *eng, const struct tlsplug_bconfig *cfg,
                  struct tlsplug_error *err)
{
	const struct tlsplug_core *core = mbtp_core;
	size_t i, j, n = 0;
	int k;

	eng->hashes = core->alloc((cfg->nsigalgs + 1) * sizeof(*eng->hashes));
	if (eng->hashes == NULL)
		return core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			"out of memory");
	for (i = 0; i < cfg->nsigalgs; i++) {
		k = mbtp_scheme(cfg->sigalgs[i]);
		if (k < 0)
			return core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
				"signature algorithm 0x%04x is not supported "
				"by mbedTLS 2.28", cfg->sigalgs[i]);
		if (!mbtp_has(cfg->sigalgs, cfg->nsigalgs,
		              mbtp_schemes[k].partner))
			return core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
				"signature algorithm %s without %s: mbedTLS "
				"2.28 allows TLS 1.2 signatures by hash only "
				"(name both or neither)", mbtp_schemes[k].name,
				mbtp_schemes[mbtp_scheme(
				    mbtp_schemes[k].partner)].name);
		for (j = 0; j < n; j++)
			if (eng->hashes[j] == (int)mbtp_schemes[k].md)
				break;
		if (j == n)
			eng->hashes[n++] = (int)mbtp_schemes[k].md;
	}
	eng->hashes[n] = MBEDTLS_MD_NONE;
	return TLSPLUG_OK;
}

int
mbtp_groups_setup(struct mbtp_engine *eng, const struct tlsplug_bconfig *cfg,
                  struct tlsplug_error *err)
{
	int st = TLSPLUG_OK;

	if (mbtp_core->abi_minor < 1)
		return TLSPLUG_OK;
	if (cfg->ngroups > 0)
		st = mbtp_curves_setup(eng, cfg, err);
	if (st == TLSPLUG_OK && cfg->nsigalgs > 0)
		st = mbtp_hashes_setup(eng, cfg, err);
	return st;
}
