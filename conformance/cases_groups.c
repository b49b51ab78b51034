/*
 * cases_groups.c -- key-exchange groups and signature algorithms, on one
 * backend and across every pair: each group both engines have is
 * negotiated and reported alike by both ends (TLS 1.3 and TLS 1.2), a
 * HelloRetryRequest reaches the only shared group, no shared group fails,
 * restricted signature algorithms are honoured.  Post-quantum groups are
 * accepted by name: an engine that has one negotiates it, one that does
 * not refuses the setting naming it (neither OpenSSL 3.0 nor GnuTLS 3.7
 * has them; the same case passes through the other branch on an engine
 * that does).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conformance.h"

#define V12 TLSPLUG_VERSION_TLSv1_2
#define V13 TLSPLUG_VERSION_TLSv1_3

/* 1 if backend b lists group (or signature algorithm) name. */
static int
lists(const struct tlsplug_backend *b, const char *name, int sigalg)
{
	uint16_t ids[256], id;
	size_t n;

	if (sigalg) {
		if (tlsplug_sigalg_from_name(name, &id) != TLSPLUG_OK)
			return 0;
		n = tlsplug_backend_sigalgs(b, ids, 256);
	} else {
		if (tlsplug_group_from_name(name, &id) != TLSPLUG_OK)
			return 0;
		n = tlsplug_backend_groups(b, ids, 256);
	}
	for (size_t i = 0; i < n && i < 256; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Both ends report group `want` (an IANA name). */
static int
check_group(struct conf_pair *p, const char *want, char *why, size_t whylen)
{
	uint16_t id = 0, c = tlsplug_conn_group(p->c),
	         s = tlsplug_conn_group(p->s);

	tlsplug_group_from_name(want, &id);
	if (c != id || s != id)
		return conf_fail(why, whylen, "group: client 0x%04x, server "
		                 "0x%04x, want %s (0x%04x)", c, s, want, id);
	return 0;
}

/* A config for side with key settings k is refused by backend b for
 * role, naming `name`. */
static int
expect_refusal(const struct conf_env *env, const struct tlsplug_backend *b,
               enum tlsplug_role role, const struct conf_side *side,
               const struct conf_keys *k, const char *name, char *why,
               size_t whylen)
{
	struct tlsplug_config *cfg;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *e = NULL;
	int rc, result = 0;

	if (conf_keys_config(env, side, k, &cfg, why, whylen) != 0)
		return -1;
	rc = tlsplug_context_new(b, role, cfg, &ctx, &e);
	if (rc != TLSPLUG_ERR_UNSUPPORTED || e == NULL ||
	    strstr(tlsplug_error_message(e), name) == NULL)
		result = conf_fail(why, whylen, "%s: %s without it was not "
		    "refused naming it (%s: %s)", tlsplug_backend_name(b), name,
		    tlsplug_status_name(rc),
		    e != NULL ? tlsplug_error_message(e) : "no message");
	tlsplug_error_free(e);
	tlsplug_context_unref(ctx);
	tlsplug_config_unref(cfg);
	return result;
}

/* When a side's backend has the capability but not `name` (a group, or a
 * signature algorithm): 1, and in *result whether it refused the setting
 * naming it.  Else 0: both have it (or a side lacks the capability,
 * which conf_keys_pair checks). */
static int
lacking_side(const struct conf_env *env, const struct conf_side *cs,
             const struct conf_side *ss, const struct conf_keys *k,
             const char *name, int sigalg, int *result, char *why,
             size_t whylen)
{
	uint64_t cap = sigalg ? TLSPLUG_CAP_SIGALGS : TLSPLUG_CAP_GROUPS;

	/* A side that cannot speak the version asked for refuses that
	 * first (conf_keys_pair checks it). */
	if ((cs->min == V13 && !conf_has(env->client, TLSPLUG_CAP_TLS1_3)) ||
	    (ss->min == V13 && !conf_has(env->server, TLSPLUG_CAP_TLS1_3)))
		return 0;
	if (conf_has(env->client, cap) && !lists(env->client, name, sigalg))
		*result = expect_refusal(env, env->client, TLSPLUG_CLIENT, cs,
		                         k, name, why, whylen);
	else if (conf_has(env->server, cap) &&
	         !lists(env->server, name, sigalg))
		*result = expect_refusal(env, env->server, TLSPLUG_SERVER, ss,
		                         k, name, why, whylen);
	else
		return 0;
	return 1;
}

/* One group on both sides at version v: negotiated and reported, or (on
 * an engine without it) refused naming it. */
static int
group_run(const struct conf_env *env, const char *g, enum tlsplug_version v,
          const char *chain, const char *key, char *why, size_t whylen)
{
	const char *list[] = { g };
	struct conf_side cs = { .trust = "ca.pem", .min = v, .max = v };
	struct conf_side ss = { .chain = chain, .key = key, .min = v,
	                        .max = v };
	struct conf_keys k = { .groups = list, .ngroups = 1 };
	struct conf_pair p;
	int result;

	if (lacking_side(env, &cs, &ss, &k, g, 0, &result, why, whylen))
		return result;
	if (!conf_keys_pair(env, &cs, &k, &ss, &k, &p, &result, why, whylen))
		return result;
	result = conf_connect(&p, v, why, whylen);
	if (result == 0)
		result = check_group(&p, g, why, whylen);
	if (result == 0)
		result = conf_exchange(&p, 100, 0, why, whylen);
	conf_pair_free(&p);
	if (result != 0) {
		char what[64];

		snprintf(what, sizeof(what), "%s: ", g);
		if (strlen(what) + strlen(why) < whylen) {
			memmove(why + strlen(what), why, strlen(why) + 1);
			memcpy(why, what, strlen(what));
		}
	}
	return result;
}

CONF_CASE(case_groups_each_tls13)
{
	static const char *const groups[] = {
		"x25519", "secp256r1", "secp384r1", "secp521r1", "x448",
		"ffdhe2048", "ffdhe3072",
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (group_run(env, groups[i], V13, "ecdsa.pem", "ecdsa.key",
		              why, whylen) != 0)
			return -1;
	return 0;
}

/* TLS 1.2: the ECDHE curve is the group. */
CONF_CASE(case_groups_each_tls12)
{
	static const char *const groups[] = {
		"x25519", "secp256r1", "secp384r1",
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (group_run(env, groups[i], V12, "rsa.pem", "rsa.key", why,
		              whylen) != 0)
			return -1;
	return 0;
}

/* The client prefers x25519, the server has only secp384r1: the server
 * asks for it (HelloRetryRequest, unless the client sent that key share
 * too), and both report it. */
CONF_CASE(case_groups_retry_request)
{
	const char *cg[] = { "x25519", "secp384r1" };
	const char *sg[] = { "secp384r1" };
	struct conf_side cs = { .trust = "ca.pem", .min = V13 };
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key",
	                        .min = V13 };
	struct conf_keys ck = { .groups = cg, .ngroups = 2 };
	struct conf_keys sk = { .groups = sg, .ngroups = 1 };
	struct conf_pair p;
	int result;

	if (!conf_keys_pair(env, &cs, &ck, &ss, &sk, &p, &result, why,
	                    whylen))
		return result;
	result = conf_connect(&p, V13, why, whylen);
	if (result == 0)
		result = check_group(&p, "secp384r1", why, whylen);
	if (result == 0)
		result = conf_exchange(&p, 1000, 0, why, whylen);
	conf_pair_free(&p);
	return result;
}

/* No group in common (TLS 1.3 only, so nothing else can step in): both
 * handshakes fail. */
CONF_CASE(case_groups_no_shared)
{
	const char *cg[] = { "x25519" };
	const char *sg[] = { "secp384r1" };
	struct conf_side cs = { .trust = "ca.pem", .min = V13 };
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key",
	                        .min = V13 };
	struct conf_keys ck = { .groups = cg, .ngroups = 1 };
	struct conf_keys sk = { .groups = sg, .ngroups = 1 };
	struct conf_pair p;
	int result;

	if (!conf_keys_pair(env, &cs, &ck, &ss, &sk, &p, &result, why,
	                    whylen))
		return result;
	if (conf_handshake(&p, 0, why, whylen) == 0)
		result = conf_fail(why, whylen, "handshake succeeded without "
		                   "a shared group (client 0x%04x)",
		                   tlsplug_conn_group(p.c));
	else if (p.src >= 0 || conf_client_outcome(&p) >= 0)
		result = conf_fail(why, whylen, "one side did not fail: "
		                   "client %s, server %s",
		                   tlsplug_status_name(conf_client_outcome(&p)),
		                   tlsplug_status_name(p.src));
	else
		result = 0;
	conf_pair_free(&p);
	return result;
}

/* Post-quantum groups, by name: the builder takes them everywhere; an
 * engine without one refuses the config naming it; an engine with one
 * negotiates it with a peer that has it too, and falls back to x25519
 * with one that does not. */
CONF_CASE(case_groups_post_quantum)
{
	static const char *const pq[] = {
		"X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024",
		"MLKEM768",
	};
	struct conf_side cs = { .trust = "ca.pem", .min = V13 };
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key",
	                        .min = V13 };

	if (!conf_has(env->client, TLSPLUG_CAP_GROUPS) ||
	    !conf_has(env->server, TLSPLUG_CAP_GROUPS) ||
	    !conf_has(env->client, TLSPLUG_CAP_TLS1_3) ||
	    !conf_has(env->server, TLSPLUG_CAP_TLS1_3))
		return group_run(env, pq[0], V13, "ecdsa.pem", "ecdsa.key",
		                 why, whylen);
	for (size_t i = 0; i < sizeof(pq) / sizeof(pq[0]); i++) {
		const char *g[] = { pq[i], "x25519" };
		struct conf_keys k = { .groups = g, .ngroups = 2 };
		int cl = lists(env->client, pq[i], 0);
		int sv = lists(env->server, pq[i], 0);
		struct conf_pair p;
		int result;

		if (!cl && expect_refusal(env, env->client, TLSPLUG_CLIENT,
		                          &cs, &k, pq[i], why, whylen) != 0)
			return -1;
		if (!sv && expect_refusal(env, env->server, TLSPLUG_SERVER,
		                          &ss, &k, pq[i], why, whylen) != 0)
			return -1;
		if (!cl)
			continue;
		/* The client has it: against a server with it, it is the
		 * group; else the server's default groups pick x25519. */
		if (!conf_keys_pair(env, &cs, &k, &ss, sv ? &k : NULL, &p,
		                    &result, why, whylen))
			return result;
		result = conf_connect(&p, V13, why, whylen);
		if (result == 0)
			result = check_group(&p, sv ? pq[i] : "x25519", why,
			                     whylen);
		conf_pair_free(&p);
		if (result != 0)
			return -1;
	}
	return 0;
}

/* An unknown name: one precise error, from the builder, on every
 * backend alike. */
CONF_CASE(case_groups_unknown_name)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const char *g[] = { "x25519", "x25591" };
	const struct tlsplug_error *e;
	int rc, result = 0;

	(void)env;
	if (b == NULL)
		return conf_fail(why, whylen, "out of memory");
	rc = tlsplug_config_builder_set_groups(b, g, 2);
	e = tlsplug_config_builder_error(b);
	if (rc != TLSPLUG_ERR_INVALID || e == NULL ||
	    strcmp(tlsplug_error_message(e),
	           "groups: unknown group \"x25591\"") != 0)
		result = conf_fail(why, whylen, "set_groups: %s (%s)",
		                   tlsplug_status_name(rc), e != NULL ?
		                   tlsplug_error_message(e) : "no message");
	tlsplug_config_builder_free(b);
	return result;
}

/* One signature algorithm on both sides with a matching certificate. */
static int
sigalg_run(const struct conf_env *env, const char *alg, const char *chain,
           const char *key, uint64_t cap, char *why, size_t whylen)
{
	const char *list[] = { alg };
	struct conf_side cs = { .trust = "ca.pem", .min = V13 };
	struct conf_side ss = { .chain = chain, .key = key, .min = V13 };
	struct conf_keys k = { .sigalgs = list, .nsigalgs = 1 };
	struct conf_pair p;
	int result;

	if (!conf_has(env->client, cap) || !conf_has(env->server, cap))
		return 0;
	if (lacking_side(env, &cs, &ss, &k, alg, 1, &result, why, whylen))
		return result;
	if (!conf_keys_pair(env, &cs, &k, &ss, &k, &p, &result, why, whylen))
		return result;
	result = conf_connect(&p, V13, why, whylen);
	if (result == 0)
		result = conf_exchange(&p, 100, 0, why, whylen);
	conf_pair_free(&p);
	return result;
}

CONF_CASE(case_sigalgs_restrict)
{
	if (sigalg_run(env, "ecdsa_secp256r1_sha256", "ecdsa.pem",
	               "ecdsa.key", TLSPLUG_CAP_TLS1_3, why, whylen) != 0 ||
	    sigalg_run(env, "rsa_pss_rsae_sha256", "rsa.pem", "rsa.key",
	               TLSPLUG_CAP_TLS1_3, why, whylen) != 0 ||
	    sigalg_run(env, "ed25519", "ed25519.pem", "ed25519.key",
	               TLSPLUG_CAP_ED25519, why, whylen) != 0)
		return -1;
	return 0;
}

/* The client accepts only RSA-PSS; the server holds an ECDSA key: it
 * cannot sign the handshake, and both sides fail. */
CONF_CASE(case_sigalgs_no_shared)
{
	const char *cs_algs[] = { "rsa_pss_rsae_sha256" };
	struct conf_side cs = { .trust = "ca.pem", .min = V13 };
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key",
	                        .min = V13 };
	struct conf_keys ck = { .sigalgs = cs_algs, .nsigalgs = 1 };
	struct conf_pair p;
	int result;

	if (!conf_keys_pair(env, &cs, &ck, &ss, NULL, &p, &result, why,
	                    whylen))
		return result;
	if (conf_handshake(&p, 0, why, whylen) == 0)
		result = conf_fail(why, whylen, "handshake succeeded with no "
		                   "signature algorithm for the server's key");
	else if (p.src >= 0 && conf_client_outcome(&p) >= 0)
		result = conf_fail(why, whylen, "neither side failed");
	else
		result = 0;
	conf_pair_free(&p);
	return result;
}
