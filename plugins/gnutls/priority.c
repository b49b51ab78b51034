/*
 * priority.c -- GnuTLS priority strings from tlsplug versions and cipher
 * suite ids, and cipher suite ids back from a session.
 *
 * What cannot be expressed exactly.  A GnuTLS priority string does not list
 * cipher suites: it lists key exchanges, ciphers and MACs separately, and
 * GnuTLS enables every existing suite in their product, ordered TLS 1.3
 * suites first (by cipher), then the others by key exchange, then cipher,
 * then MAC.  A requested list is therefore translated into those three
 * lists (each in order of first appearance), and the suites the resulting
 * priority really enables are compared with the request:
 *   - ids GnuTLS does not know, or that the configured versions cannot use,
 *     are skipped (as every backend does); none left is an error;
 *   - TLS 1.3 suites are enabled by their cipher alone, so a list without
 *     any TLS 1.3 suite turns TLS 1.3 off (as in OpenSSL, where TLS 1.3
 *     needs a TLS 1.3 suite); otherwise the two families must use the same
 *     bulk ciphers: { TLS_AES_256_GCM_SHA384, ECDHE_RSA_AES_128_GCM } would
 *     also enable TLS_AES_128_GCM_SHA256 and ECDHE_RSA_AES_256_GCM, and is
 *     refused, while { TLS_AES_128_GCM_SHA256, ECDHE_RSA_AES_128_GCM } is
 *     exact;
 *   - the enabled set must equal the requested set: a request such as
 *     { ECDHE_ECDSA_AES_256_GCM, ECDHE_RSA_AES_128_GCM } would also enable
 *     ECDHE_ECDSA_AES_128_GCM and ECDHE_RSA_AES_256_GCM, and is refused;
 *   - within each family (TLS 1.3 suites, older suites) the order must be
 *     the requested one (the version is negotiated first, so only the order
 *     inside a family ever matters), e.g. { ECDHE_RSA_AES_128_GCM,
 *     ECDHE_ECDSA_AES_256_GCM, ECDHE_RSA_AES_256_GCM } is refused.
 * Refusals are TLSPLUG_ERR_UNSUPPORTED naming "ciphers" and the reason; a
 * request is never silently changed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#define GTLS_MAX_SUITES 256
#define GTLS_PRIO_MAX 2048

struct gtls_suite {
	uint16_t id;
	gnutls_kx_algorithm_t kx;
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t mac;
	gnutls_protocol_t min_version;
	int tls13;
};

/* Looks up an IANA id in GnuTLS's suite table. */
static int
gtls_suite_find(uint16_t id, struct gtls_suite *out)
{
	unsigned char cs[2];
	gnutls_kx_algorithm_t kx;
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t mac;
	gnutls_protocol_t minv;
	size_t i;

	for (i = 0; gnutls_cipher_suite_info(i, cs, &kx, &cipher, &mac,
	                                     &minv) != NULL; i++) {
		if (((uint16_t)cs[0] << 8 | cs[1]) != id)
			continue;
		out->id = id;
		out->kx = kx;
		out->cipher = cipher;
		out->mac = mac;
		out->min_version = minv;
		out->tls13 = minv == GNUTLS_TLS1_3;
		return 1;
	}
	return 0;
}

static int
gtls_suite_by_index(unsigned idx, uint16_t *id, int *tls13)
{
	unsigned char cs[2];
	gnutls_kx_algorithm_t kx;
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t mac;
	gnutls_protocol_t minv;

	if (gnutls_cipher_suite_info(idx, cs, &kx, &cipher, &mac, &minv) ==
	    NULL)
		return 0;
	*id = (uint16_t)cs[0] << 8 | cs[1];
	if (tls13 != NULL)
		*tls13 = minv == GNUTLS_TLS1_3;
	return 1;
}

size_t
gtls_priority_suites(gnutls_priority_t prio, uint16_t *ids, size_t max)
{
	size_t n = 0;
	unsigned i, idx;
	uint16_t id;
	int ret;

	for (i = 0; i < 4096; i++) {
		ret = gnutls_priority_get_cipher_suite_index(prio, i, &idx);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0 || !gtls_suite_by_index(idx, &id, NULL))
			continue;
		if (n < max)
			ids[n] = id;
		n++;
	}
	return n;
}

static gnutls_protocol_t
gtls_to_gnutls_version(enum tlsplug_version v)
{
	switch (v) {
	case TLSPLUG_VERSION_TLSv1: return GNUTLS_TLS1_0;
	case TLSPLUG_VERSION_TLSv1_1: return GNUTLS_TLS1_1;
	case TLSPLUG_VERSION_TLSv1_2: return GNUTLS_TLS1_2;
	case TLSPLUG_VERSION_TLSv1_3: return GNUTLS_TLS1_3;
	default: return GNUTLS_VERSION_UNKNOWN;
	}
}

/* Resolves one bound: MINIMUM/MAXIMUM_SUPPORTED become what this GnuTLS
 * offers (TLS 1.0 .. TLS 1.3); SSLv2 and SSLv3 are not available. */
static int
gtls_resolve_version(enum tlsplug_version v, const char *what,
                     gnutls_protocol_t *out, struct tlsplug_error *err)
{
	if (v == TLSPLUG_VERSION_MINIMUM_SUPPORTED)
		v = TLSPLUG_VERSION_TLSv1;
	else if (v == TLSPLUG_VERSION_MAXIMUM_SUPPORTED)
		v = TLSPLUG_VERSION_TLSv1_3;
	*out = gtls_to_gnutls_version(v);
	if (*out != GNUTLS_VERSION_UNKNOWN)
		return TLSPLUG_OK;
	return gtls_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
		"%s: %s is not supported by GnuTLS (TLS 1.0 to 1.3 are)", what,
		v == TLSPLUG_VERSION_SSLv2 ? "SSLv2" :
		v == TLSPLUG_VERSION_SSLv3 ? "SSLv3" : "this version");
}

static int
gtls_appendf(char *buf, size_t size, size_t *pos, const char *fmt,
             const char *arg)
{
	int n = snprintf(buf + *pos, size - *pos, fmt, arg);

	if (n < 0 || (size_t)n >= size - *pos)
		return -1;
	*pos += (size_t)n;
	return 0;
}

/* Appends "+NAME" for each distinct algorithm in first-appearance order. */
static int
gtls_append_algos(char *buf, size_t size, size_t *pos, const char *reset,
                  const unsigned *algos, size_t n,
                  const char *(*name)(unsigned))
{
	size_t i, j;
	const char *s;

	if (gtls_appendf(buf, size, pos, ":%s", reset) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && algos[j] != algos[i]; j++)
			;
		if (j < i)
			continue;
		s = name(algos[i]);
		if (s == NULL || gtls_appendf(buf, size, pos, ":+%s", s) < 0)
			return -1;
	}
	return 0;
}

static const char *
gtls_kx_name(unsigned a)
{
	return gnutls_kx_get_name((gnutls_kx_algorithm_t)a);
}

static const char *
gtls_cipher_name(unsigned a)
{
	return gnutls_cipher_get_name((gnutls_cipher_algorithm_t)a);
}

static const char *
gtls_mac_name(unsigned a)
{
	return gnutls_mac_get_name((gnutls_mac_algorithm_t)a);
}

/* Can a suite be used at some version in [minv, maxv]? */
static int
gtls_suite_usable(const struct gtls_suite *s, gnutls_protocol_t minv,
                  gnutls_protocol_t maxv)
{
	if (s->tls13)
		return maxv >= GNUTLS_TLS1_3;
	return minv <= GNUTLS_TLS1_2 && s->min_version <= maxv;
}

/* The subsequence of ids in one family (TLS 1.3 or not). */
static size_t
gtls_family(const uint16_t *ids, size_t n, int tls13, uint16_t *out)
{
	struct gtls_suite s;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (gtls_suite_find(ids[i], &s) && s.tls13 == tls13)
			out[k++] = ids[i];
	return k;
}

/* Compares what the priority enables with what was asked for. */
static int
gtls_check_exact(gnutls_priority_t prio, const uint16_t *want,
                 size_t nwant, struct tlsplug_error *err)
{
	uint16_t got[GTLS_MAX_SUITES], fw[GTLS_MAX_SUITES], fg[GTLS_MAX_SUITES];
	size_t ngot, nfw, nfg, i, j;
	int fam;

	ngot = gtls_priority_suites(prio, got, GTLS_MAX_SUITES);
	if (ngot > GTLS_MAX_SUITES)
		ngot = GTLS_MAX_SUITES;
	for (i = 0; i < ngot; i++) {
		for (j = 0; j < nwant && want[j] != got[i]; j++)
			;
		if (j == nwant)
			return gtls_core->set_error(err,
				TLSPLUG_ERR_UNSUPPORTED, 0,
				"ciphers: GnuTLS cannot enable exactly this "
				"set: it combines key exchanges, ciphers and "
				"MACs, so it would also enable suite 0x%04x",
				got[i]);
	}
	for (fam = 1; fam >= 0; fam--) {
		nfw = gtls_family(want, nwant, fam, fw);
		nfg = gtls_family(got, ngot, fam, fg);
		for (i = 0; i < nfw; i++) {
			if (i >= nfg)
				return gtls_core->set_error(err,
					TLSPLUG_ERR_UNSUPPORTED, 0,
					"ciphers: GnuTLS would not enable "
					"suite 0x%04x with these settings",
					fw[i]);
			if (fw[i] != fg[i])
				return gtls_core->set_error(err,
					TLSPLUG_ERR_UNSUPPORTED, 0,
					"ciphers: GnuTLS cannot honour this "
					"order: it orders suites by key "
					"exchange, then cipher, then MAC, and "
					"would prefer 0x%04x to 0x%04x",
					fg[i], fw[i]);
		}
	}
	return TLSPLUG_OK;
}

int
gtls_priority_build(const struct tlsplug_bconfig *cfg,
                    enum tlsplug_role role, gnutls_priority_t *out,
                    gnutls_protocol_t *vmin, gnutls_protocol_t *vmax,
                    struct tlsplug_error *err)
{
	static const char *const vers[] = {
		[GNUTLS_TLS1_0] = "TLS1.0", [GNUTLS_TLS1_1] = "TLS1.1",
		[GNUTLS_TLS1_2] = "TLS1.2", [GNUTLS_TLS1_3] = "TLS1.3",
	};
	char buf[GTLS_PRIO_MAX];
	size_t pos = 0, i, j, nuse = 0, n13 = 0;
	gnutls_protocol_t minv, maxv, v;
	uint16_t use[GTLS_MAX_SUITES];
	unsigned kx[GTLS_MAX_SUITES], ci[GTLS_MAX_SUITES], mac[GTLS_MAX_SUITES];
	size_t nkx = 0;
	struct gtls_suite s;
	const char *errpos = NULL;
	int ret;

	*out = NULL;
	ret = gtls_resolve_version(cfg->min_version, "min_version", &minv,
	                           err);
	if (ret == TLSPLUG_OK)
		ret = gtls_resolve_version(cfg->max_version, "max_version",
		                           &maxv, err);
	if (ret != TLSPLUG_OK)
		return ret;
	if (minv > maxv)
		return gtls_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"min_version: above max_version");
	ret = gtls_policy_versions(&minv, &maxv, err);
	if (ret != TLSPLUG_OK)
		return ret;

	for (i = 0; i < cfg->nciphers && nuse < GTLS_MAX_SUITES; i++) {
		if (!gtls_suite_find(cfg->ciphers[i], &s) ||
		    !gtls_suite_usable(&s, minv, maxv))
			continue;
		for (j = 0; j < nuse && use[j] != s.id; j++)
			;
		if (j < nuse)
			continue;
		use[nuse] = s.id;
		ci[nuse] = s.cipher;
		mac[nuse] = s.mac;
		if (s.tls13)
			n13++;
		else
			kx[nkx++] = s.kx;
		nuse++;
	}
	if (cfg->nciphers > 0 && nuse == 0)
		return gtls_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"ciphers: none of the %zu requested suites is "
			"available in GnuTLS %s for the configured versions",
			cfg->nciphers, gnutls_check_version(NULL));
	/* TLS 1.3 suites are enabled by cipher alone: without a requested
	 * TLS 1.3 suite, TLS 1.3 itself must go, or the older suites'
	 * ciphers would enable TLS 1.3 suites nobody asked for (OpenSSL
	 * likewise cannot negotiate TLS 1.3 without a TLS 1.3 suite).
	 * Without an older suite, older versions stay offered but have no
	 * suite to use. */
	if (cfg->nciphers > 0 && n13 == 0 && maxv > GNUTLS_TLS1_2)
		maxv = GNUTLS_TLS1_2;
	*vmin = minv;
	*vmax = maxv;

	(void)gtls_appendf(buf, sizeof(buf), &pos, "%s:-VERS-ALL",
	                   gtls_policy_base());
	for (v = maxv; v >= minv; v--)
		(void)gtls_appendf(buf, sizeof(buf), &pos, ":+VERS-%s",
		                   vers[v]);
	if (cfg->nciphers > 0 &&
	    (gtls_append_algos(buf, sizeof(buf), &pos, "-KX-ALL", kx, nkx,
	                       gtls_kx_name) < 0 ||
	     gtls_append_algos(buf, sizeof(buf), &pos, "-CIPHER-ALL", ci,
	                       nuse, gtls_cipher_name) < 0 ||
	     gtls_append_algos(buf, sizeof(buf), &pos, "-MAC-ALL", mac, nuse,
	                       gtls_mac_name) < 0))
		return gtls_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"ciphers: cannot express the list as a GnuTLS "
			"priority string");
	ret = gtls_groups_priority(cfg, buf, sizeof(buf), &pos, err);
	if (ret != TLSPLUG_OK)
		return ret;
	/* After the groups: the policy's DH floor removes what they add. */
	if (gtls_policy_priority(cfg, buf, sizeof(buf), &pos) != 0)
		return gtls_core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
			"priority string too long");
	/* The server applies its own preference order, as OpenSSL servers
	 * configured by tlsplug do. */
	if (role == TLSPLUG_SERVER &&
	    gtls_appendf(buf, sizeof(buf), &pos, "%s",
	                 ":%SERVER_PRECEDENCE") < 0)
		return gtls_core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
			"priority string too long");

	ret = gnutls_priority_init2(out, buf, &errpos, 0);
	if (ret < 0) {
		*out = NULL;
		return gtls_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, ret,
			"%s: GnuTLS rejected priority \"%s\": %s",
			cfg->nciphers > 0 ? "ciphers" :
			gtls_core->abi_minor >= 1 && cfg->ngroups > 0 ?
			"groups" : gtls_core->abi_minor >= 1 &&
			cfg->nsigalgs > 0 ? "sigalgs" :
			"min_version/max_version", buf, gnutls_strerror(ret));
	}
	if (cfg->nciphers > 0) {
		ret = gtls_check_exact(*out, use, nuse, err);
		if (ret != TLSPLUG_OK) {
			gnutls_priority_deinit(*out);
			*out = NULL;
			return ret;
		}
	}
	return TLSPLUG_OK;
}

uint16_t
gtls_session_cipher_id(gnutls_session_t session)
{
	gnutls_protocol_t ver = gnutls_protocol_get_version(session);
	gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(session);
	gnutls_kx_algorithm_t kx = gnutls_kx_get(session);
	gnutls_mac_algorithm_t mac = gnutls_mac_get(session);
	unsigned char cs[2];
	gnutls_kx_algorithm_t skx;
	gnutls_cipher_algorithm_t scipher;
	gnutls_mac_algorithm_t smac;
	gnutls_protocol_t minv;
	size_t i;

	/* TLS 1.3 suites are named by their cipher alone (their table entries
	 * carry no key exchange); older ones by kx + cipher + MAC. */
	for (i = 0; gnutls_cipher_suite_info(i, cs, &skx, &scipher, &smac,
	                                     &minv) != NULL; i++) {
		if (scipher != cipher)
			continue;
		if (ver == GNUTLS_TLS1_3 ? minv == GNUTLS_TLS1_3 :
		    minv != GNUTLS_TLS1_3 && skx == kx && smac == mac)
			return (uint16_t)cs[0] << 8 | cs[1];
	}
	return 0;
}
