/*
 * policy.c -- where a GnuTLS priority starts from, and the system policy's
 * DH floor.
 *
 * The base is the system's own priority, "@SYSTEM", when the system
 * priority file defines it (GnuTLS's crypto-policies hook), else "NORMAL";
 * with @SYSTEM, the versions it enables bound the ones a config may ask
 * for, so a config never goes below the engine's system policy.  (GnuTLS
 * applies the [overrides] of that file, disabled versions and algorithms,
 * to every priority by itself.)  A DH floor (bconfig->min_dh_bits) removes
 * the RFC 7919 groups below it from the priority and sets the smallest
 * prime a client accepts in a TLS 1.2 ServerKeyExchange.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Set once by gtls_policy_init (plugin init), read-only afterwards. */
static const char *gtls_base = "NORMAL";
static gnutls_protocol_t gtls_sys_min, gtls_sys_max;

void
gtls_policy_init(void)
{
	gnutls_priority_t p;
	const unsigned int *list;
	int i, n;

	if (gnutls_priority_init(&p, "@SYSTEM", NULL) < 0)
		return;
	gtls_base = "@SYSTEM";
	n = gnutls_priority_protocol_list(p, &list);
	for (i = 0; i < n; i++) {
		gnutls_protocol_t v = (gnutls_protocol_t)list[i];

		if (v < GNUTLS_TLS1_0 || v > GNUTLS_TLS1_3)
			continue;
		if (gtls_sys_min == 0 || v < gtls_sys_min)
			gtls_sys_min = v;
		if (v > gtls_sys_max)
			gtls_sys_max = v;
	}
	gnutls_priority_deinit(p);
}

const char *
gtls_policy_base(void)
{
	return gtls_base;
}

int
gtls_policy_versions(gnutls_protocol_t *minv, gnutls_protocol_t *maxv,
                     struct tlsplug_error *err)
{
	if (gtls_sys_min == 0)
		return TLSPLUG_OK;
	if (*minv < gtls_sys_min)
		*minv = gtls_sys_min;
	if (*maxv > gtls_sys_max)
		*maxv = gtls_sys_max;
	if (*minv > *maxv)
		return gtls_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"min_version/max_version: the system's GnuTLS priority "
			"(@SYSTEM) allows only %s to %s",
			gnutls_protocol_get_name(gtls_sys_min),
			gnutls_protocol_get_name(gtls_sys_max));
	return TLSPLUG_OK;
}

int
gtls_policy_priority(const struct tlsplug_bconfig *cfg, char *buf,
                     size_t size, size_t *pos)
{
	static const struct {
		unsigned bits;
		const char *name;
	} groups[] = {
		{ 2048, "GROUP-FFDHE2048" }, { 3072, "GROUP-FFDHE3072" },
		{ 4096, "GROUP-FFDHE4096" }, { 6144, "GROUP-FFDHE6144" },
		{ 8192, "GROUP-FFDHE8192" },
	};
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		int n;

		if (groups[i].bits >= cfg->min_dh_bits)
			continue;
		n = snprintf(buf + *pos, size - *pos, ":-%s", groups[i].name);
		if (n < 0 || (size_t)n >= size - *pos)
			return -1;
		*pos += (size_t)n;
	}
	return 0;
}

void
gtls_policy_session(const struct gtls_engine *eng, gnutls_session_t s)
{
	if (eng->role == TLSPLUG_CLIENT && eng->cfg->min_dh_bits > 0)
		gnutls_dh_set_prime_bits(s, eng->cfg->min_dh_bits);
}
