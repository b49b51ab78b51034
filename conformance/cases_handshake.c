/* cases_handshake.c -- versions, cipher suites, ALPN, certificate types and
 * formats, trust stores. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define V12 TLSPLUG_VERSION_TLSv1_2
#define V13 TLSPLUG_VERSION_TLSv1_3
#define CAP_V12 TLSPLUG_CAP_TLS1_2
#define CAP_V13 TLSPLUG_CAP_TLS1_3

/* The client trusts the test root; the server has the ECDSA leaf. */
#define BASE_CLIENT .c = { .trust = "ca.pem" }
#define BASE_SERVER .s = { .chain = "ecdsa.pem", .key = "ecdsa.key" }

static const char *const alpn_h2_http1[] = { "h2", "http/1.1" };
static const char *const alpn_http1_h2[] = { "http/1.1", "h2" };
static const char *const alpn_h2[] = { "h2" };
static const char *const alpn_http1[] = { "http/1.1" };

/* The highest version both sides can do. */
static enum tlsplug_version
best_version(const struct conf_env *env)
{
	if (conf_has(env->client, CAP_V13) && conf_has(env->server, CAP_V13))
		return V13;
	return V12;
}

CONF_CASE(case_negotiated_none_before_handshake)
{
	struct conf_scenario sc = { BASE_CLIENT, BASE_SERVER,
		.host = "localhost" };
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	struct tlsplug_conn *conns[2];
	const char *names[2] = { "client", "server" };
	int result, i;

	if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, &result, why,
	                           whylen))
		return result;
	result = -1;
	if (conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen) !=
	    TLSPLUG_OK)
		goto out;
	conns[0] = p.c;
	conns[1] = p.s;
	for (i = 0; i < 2; i++) {
		if (tlsplug_conn_cipher(conns[i]) != TLSPLUG_CS_NONE ||
		    tlsplug_conn_version(conns[i]) != TLSPLUG_VERSION_NONE ||
		    tlsplug_conn_alpn(conns[i]) != NULL ||
		    tlsplug_conn_peer_subject(conns[i]) != NULL) {
			conf_fail(why, whylen, "%s before the handshake: "
			          "cipher 0x%04X, version %s, ALPN %s, peer %s",
			          names[i], tlsplug_conn_cipher(conns[i]),
			          tlsplug_version_name(
			              tlsplug_conn_version(conns[i])),
			          tlsplug_conn_alpn(conns[i]) ? "set" : "NULL",
			          tlsplug_conn_peer_subject(conns[i]) ? "set" :
			          "NULL");
			goto free_pair;
		}
	}
	if (strcmp(tlsplug_version_name(TLSPLUG_VERSION_NONE), "none") != 0) {
		conf_fail(why, whylen, "version NONE is named \"%s\"",
		          tlsplug_version_name(TLSPLUG_VERSION_NONE));
		goto free_pair;
	}
	if (conf_connect(&p, 0, why, whylen) != 0)
		goto free_pair;
	if (tlsplug_cipher_suite_name(tlsplug_conn_cipher(p.c)) == NULL) {
		conf_fail(why, whylen, "negotiated cipher 0x%04X has no IANA "
		          "name", tlsplug_conn_cipher(p.c));
		goto free_pair;
	}
	if (tlsplug_conn_peer_subject(p.c) == NULL ||
	    strstr(tlsplug_conn_peer_subject(p.c), "CN=tlsplug test ecdsa") ==
	    NULL) {
		conf_fail(why, whylen, "client sees peer subject %s after the "
		          "handshake", tlsplug_conn_peer_subject(p.c) ?
		          tlsplug_conn_peer_subject(p.c) : "NULL");
		goto free_pair;
	}
	result = 0;
free_pair:
	conf_pair_free(&p);
out:
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return result;
}

CONF_CASE(case_tls12)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .max = V12 },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .min = V12, .max = V12 },
		.host = "localhost", .ccap = CAP_V12, .scap = CAP_V12,
		.version = V12, .server_cn = "CN=tlsplug test ecdsa",
		.exchange = 1000 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_tls13)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .min = V13 },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .min = V13, .max = V13 },
		.host = "localhost", .ccap = CAP_V13, .scap = CAP_V13,
		.version = V13, .server_cn = "CN=tlsplug test ecdsa",
		.exchange = 1000 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

/* TLS 1.0 and 1.1 (RFC 8996 deprecated them): never on by default, but
 * a backend declaring them must negotiate them when both sides ask. */
static int
old_version(const struct conf_env *env, enum tlsplug_version v, uint64_t cap,
            char *why, size_t whylen)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .min = v, .max = v },
		.s = { .chain = "rsa.pem", .key = "rsa.key", .min = v,
		       .max = v },
		.host = "localhost", .ccap = cap, .scap = cap, .version = v,
		.server_cn = "CN=tlsplug test rsa", .exchange = 1000 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_tls10)
{
	return old_version(env, TLSPLUG_VERSION_TLSv1, TLSPLUG_CAP_TLS1_0,
	                   why, whylen);
}

CONF_CASE(case_tls11)
{
	return old_version(env, TLSPLUG_VERSION_TLSv1_1, TLSPLUG_CAP_TLS1_1,
	                   why, whylen);
}

CONF_CASE(case_default_versions)
{
	struct conf_scenario sc = { BASE_CLIENT, BASE_SERVER,
		.host = "localhost", .version = best_version(env),
		.exchange = 100 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_version_min_max_supported)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem",
		       .min = TLSPLUG_VERSION_MINIMUM_SUPPORTED,
		       .max = TLSPLUG_VERSION_MAXIMUM_SUPPORTED },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .min = TLSPLUG_VERSION_MINIMUM_SUPPORTED,
		       .max = TLSPLUG_VERSION_MAXIMUM_SUPPORTED },
		.host = "localhost", .version = best_version(env),
		.exchange = 100 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_version_client_max_below_server)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .max = V12 },
		BASE_SERVER,
		.host = "localhost", .ccap = CAP_V12, .scap = CAP_V12,
		.version = V12, .exchange = 100 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

/* Version bounds that cannot meet: the server detects it (it reads the
 * ClientHello) and says NO_SHARED_VERSION; the client gets its
 * protocol_version alert (70), or also says NO_SHARED_VERSION. */
static int
version_mismatch(const struct conf_env *env, enum tlsplug_version cv,
                 enum tlsplug_version sv, int *client_code, char *why,
                 size_t whylen)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .min = cv, .max = cv },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .min = sv, .max = sv },
		.host = "localhost",
		.ccap = cv == V13 ? CAP_V13 : CAP_V12,
		.scap = sv == V13 ? CAP_V13 : CAP_V12 };
	struct tlsplug_config *ccfg, *scfg;
	const struct tlsplug_error *e;
	struct conf_pair p;
	char ignore[256];
	int result, crc;

	*client_code = 0;
	if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, &result, why,
	                           whylen))
		return result;
	result = -1;
	if (conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen) !=
	    TLSPLUG_OK)
		goto out;
	if (conf_handshake(&p, 0, ignore, sizeof(ignore)) == 0) {
		conf_fail(why, whylen, "handshake succeeded with client %s "
		          "and server %s (negotiated %s)",
		          tlsplug_version_name(cv), tlsplug_version_name(sv),
		          tlsplug_version_name(tlsplug_conn_version(p.c)));
		goto free_pair;
	}
	if (p.src != TLSPLUG_ERR_NO_SHARED_VERSION) {
		e = tlsplug_conn_error(p.s);
		conf_fail(why, whylen, "server: %s (%s), expected "
		          "NO_SHARED_VERSION", tlsplug_status_name(p.src),
		          e != NULL ? tlsplug_error_message(e) : "");
		goto free_pair;
	}
	if (conf_check_error(tlsplug_conn_error(p.s),
	                     TLSPLUG_ERR_NO_SHARED_VERSION, env->server,
	                     "server", why, whylen) != 0)
		goto free_pair;
	crc = conf_client_outcome(&p);
	e = tlsplug_conn_error(p.c);
	*client_code = crc;
	if (crc == TLSPLUG_ERR_NO_SHARED_VERSION) {
		result = conf_check_error(e, crc, env->client, "client", why,
		                          whylen);
	} else if (crc == TLSPLUG_ERR_ALERT_RECEIVED) {
		result = conf_check_error(e, crc, env->client, "client", why,
		                          whylen);
		if (result == 0 && tlsplug_error_alert(e) != 70)
			result = conf_fail(why, whylen, "client got alert %d "
			                   "(%s), expected 70 "
			                   "(protocol_version)",
			                   tlsplug_error_alert(e),
			                   tlsplug_alert_name(
			                       tlsplug_error_alert(e)));
	} else {
		result = conf_fail(why, whylen, "client: %s (%s), expected "
		                   "ALERT_RECEIVED protocol_version or "
		                   "NO_SHARED_VERSION",
		                   tlsplug_status_name(crc),
		                   e != NULL ? tlsplug_error_message(e) : "");
	}
free_pair:
	conf_pair_free(&p);
out:
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return result;
}

CONF_CASE(case_version_mismatch_13_vs_12)
{
	int code;

	return version_mismatch(env, V13, V12, &code, why, whylen);
}

CONF_CASE(case_version_mismatch_12_vs_13)
{
	int code;

	return version_mismatch(env, V12, V13, &code, why, whylen);
}

CONF_CASE(case_interop_version_mismatch_same_category)
{
	struct conf_env e = *env;
	int first, code, dir;
	size_t i;

	for (dir = 0; dir < 2; dir++) {
		first = 0;
		for (i = 0; i < env->nall; i++) {
			e.client = env->all[i];
			if (version_mismatch(&e, dir ? V12 : V13,
			                     dir ? V13 : V12, &code, why,
			                     whylen) != 0)
				return -1;
			if (code == 0)  /* refused by a capability gate */
				continue;
			if (first == 0)
				first = code;
			if (code != first)
				return conf_fail(why, whylen, "client %s "
				    "reports %s, another client %s",
				    tlsplug_backend_name(e.client),
				    tlsplug_status_name(code),
				    tlsplug_status_name(first));
		}
	}
	return 0;
}

CONF_CASE(case_cipher_by_id)
{
	int tested12 = 0, tested13 = 0, rc;
	size_t i;

	for (i = 0; i < conf_suite_count; i++) {
		const struct conf_suite *cs = &conf_suites[i];
		uint64_t cap = cs->version == V13 ? CAP_V13 : CAP_V12;
		struct conf_scenario sc = {
			.c = { .trust = "ca.pem", .min = cs->version,
			       .max = cs->version, .ciphers = &cs->id,
			       .nciphers = 1 },
			.s = { .chain = cs->chain, .key = cs->key,
			       .min = cs->version, .max = cs->version,
			       .ciphers = &cs->id, .nciphers = 1 },
			.host = "localhost", .version = cs->version,
			.exchange = 100 };
		struct tlsplug_config *ccfg, *scfg;
		struct conf_pair p;

		if (!conf_has(env->client, cap) ||
		    !conf_has(env->server, cap) ||
		    !conf_offers(env->client, cs->id) ||
		    !conf_offers(env->server, cs->id))
			continue;
		if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, &rc, why,
		                           whylen))
			return -1;
		rc = conf_pair_new(env, ccfg, scfg, "localhost", &p, why,
		                   whylen);
		tlsplug_config_unref(ccfg);
		tlsplug_config_unref(scfg);
		if (rc == TLSPLUG_OK)
			rc = conf_connect(&p, cs->version, why, whylen);
		else
			rc = -1;
		if (rc == 0 && tlsplug_conn_cipher(p.c) != cs->id)
			rc = conf_fail(why, whylen, "asked for suite 0x%04X "
			               "(%s), negotiated 0x%04X", cs->id,
			               tlsplug_cipher_suite_name(cs->id),
			               tlsplug_conn_cipher(p.c));
		if (rc == 0)
			rc = conf_exchange(&p, 100, 0, why, whylen);
		conf_pair_free(&p);
		if (rc != 0) {
			char tmp[400];

			snprintf(tmp, sizeof(tmp), "%s", why);
			return conf_fail(why, whylen, "suite 0x%04X (%s): %s",
			                 cs->id,
			                 tlsplug_cipher_suite_name(cs->id),
			                 tmp);
		}
		if (cs->version == V13)
			tested13++;
		else
			tested12++;
	}
	if (tested12 == 0 && conf_has(env->client, CAP_V12) &&
	    conf_has(env->server, CAP_V12))
		return conf_fail(why, whylen, "no TLS 1.2 suite of the test "
		                 "list is offered by both backends");
	if (tested13 == 0 && conf_has(env->client, CAP_V13) &&
	    conf_has(env->server, CAP_V13))
		return conf_fail(why, whylen, "no TLS 1.3 suite of the test "
		                 "list is offered by both backends");
	return 0;
}

/* The first test suite both sides can do, preferring TLS 1.3. */
static const struct conf_suite *
usable_suite(const struct conf_env *env)
{
	size_t i;

	for (i = 0; i < conf_suite_count; i++) {
		const struct conf_suite *cs = &conf_suites[i];
		uint64_t cap = cs->version == V13 ? CAP_V13 : CAP_V12;

		if (conf_has(env->client, cap) && conf_has(env->server, cap) &&
		    conf_offers(env->client, cs->id) &&
		    conf_offers(env->server, cs->id))
			return cs;
	}
	return NULL;
}

CONF_CASE(case_cipher_unknown_ids_skipped)
{
	const struct conf_suite *cs = usable_suite(env);
	uint16_t ids[3];
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .ciphers = ids, .nciphers = 3 },
		.s = { .ciphers = ids, .nciphers = 3 },
		.host = "localhost", .exchange = 100 };
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	int rc;

	if (cs == NULL)
		return conf_fail(why, whylen, "no common test suite");
	ids[0] = 0xFEFE;   /* not assigned by IANA */
	ids[1] = cs->id;
	ids[2] = 0xFEFF;
	sc.c.min = sc.c.max = sc.s.min = sc.s.max = sc.version = cs->version;
	sc.s.chain = cs->chain;
	sc.s.key = cs->key;
	if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, &rc, why, whylen))
		return rc;
	rc = conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	if (rc != TLSPLUG_OK)
		return -1;
	rc = conf_connect(&p, cs->version, why, whylen);
	if (rc == 0 && tlsplug_conn_cipher(p.c) != cs->id)
		rc = conf_fail(why, whylen, "negotiated 0x%04X, expected "
		               "0x%04X", tlsplug_conn_cipher(p.c), cs->id);
	conf_pair_free(&p);
	return rc;
}

CONF_CASE(case_cipher_none_usable)
{
	static const uint16_t bogus[] = { 0xFEFE, 0xFEFF };
	struct conf_side c = { .trust = "ca.pem", .ciphers = bogus,
	                       .nciphers = 2 };
	struct conf_side s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
	                       .ciphers = bogus, .nciphers = 2 };
	struct tlsplug_config *cfg;
	int rc;

	if (conf_config(env, &c, &cfg, why, whylen) != 0)
		return -1;
	rc = conf_expect_context_error(env->client, TLSPLUG_CLIENT, cfg,
	                               TLSPLUG_ERR_UNSUPPORTED,
	                               "client context with no usable suite",
	                               why, whylen);
	tlsplug_config_unref(cfg);
	if (rc != 0)
		return rc;
	if (conf_config(env, &s, &cfg, why, whylen) != 0)
		return -1;
	rc = conf_expect_context_error(env->server, TLSPLUG_SERVER, cfg,
	                               TLSPLUG_ERR_UNSUPPORTED,
	                               "server context with no usable suite",
	                               why, whylen);
	tlsplug_config_unref(cfg);
	return rc;
}

CONF_CASE(case_cipher_no_shared)
{
	static const uint16_t c12[] = { 0xC02F };   /* ECDHE-RSA-AES128 */
	static const uint16_t s12[] = { 0xC030 };   /* ECDHE-RSA-AES256 */
	static const uint16_t c13[] = { 0x1301 };
	static const uint16_t s13[] = { 0x1302 };
	struct conf_scenario sc12 = {
		.c = { .trust = "ca.pem", .max = V12, .ciphers = c12,
		       .nciphers = 1 },
		.s = { .chain = "rsa.pem", .key = "rsa.key", .max = V12,
		       .ciphers = s12, .nciphers = 1 },
		.host = "localhost", .ccap = CAP_V12, .scap = CAP_V12,
		.client_alert = 40 };
	struct conf_scenario sc13 = {
		.c = { .trust = "ca.pem", .min = V13, .ciphers = c13,
		       .nciphers = 1 },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key", .min = V13,
		       .ciphers = s13, .nciphers = 1 },
		.host = "localhost", .ccap = CAP_V13, .scap = CAP_V13,
		.client_alert = 40 };
	int ran = 0;

	/* The server says NO_SHARED_CIPHER and sends handshake_failure (40);
	 * both versions run wherever both sides declare them. */
	if (conf_has(env->client, CAP_V12) && conf_has(env->server, CAP_V12)) {
		if (!conf_offers(env->client, c12[0]) ||
		    !conf_offers(env->server, s12[0]))
			return conf_fail(why, whylen, "suites 0x%04X/0x%04X "
			                 "not offered", c12[0], s12[0]);
		if (conf_scenario_fail(env, &sc12, TLSPLUG_ERR_ALERT_RECEIVED,
		                       TLSPLUG_ERR_NO_SHARED_CIPHER, why,
		                       whylen) != 0)
			return -1;
		ran++;
	}
	if (conf_has(env->client, CAP_V13) && conf_has(env->server, CAP_V13)) {
		if (!conf_offers(env->client, c13[0]) ||
		    !conf_offers(env->server, s13[0]))
			return conf_fail(why, whylen, "suites 0x%04X/0x%04X "
			                 "not offered", c13[0], s13[0]);
		if (conf_scenario_fail(env, &sc13, TLSPLUG_ERR_ALERT_RECEIVED,
		                       TLSPLUG_ERR_NO_SHARED_CIPHER, why,
		                       whylen) != 0)
			return -1;
		ran++;
	}
	if (ran == 0)
		return conf_fail(why, whylen, "neither TLS 1.2 nor TLS 1.3 is "
		                 "declared by both sides: nothing was tried");
	return 0;
}

CONF_CASE(case_alpn_server_preference)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .alpn = alpn_h2_http1, .nalpn = 2 },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .alpn = alpn_http1_h2, .nalpn = 2 },
		.host = "localhost", .ccap = TLSPLUG_CAP_ALPN,
		.scap = TLSPLUG_CAP_ALPN, .alpn = "http/1.1", .exchange = 100 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_alpn_tls12)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .max = V12, .alpn = alpn_http1_h2,
		       .nalpn = 2 },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .alpn = alpn_h2_http1, .nalpn = 2 },
		.host = "localhost", .ccap = TLSPLUG_CAP_ALPN | CAP_V12,
		.scap = TLSPLUG_CAP_ALPN | CAP_V12, .version = V12,
		.alpn = "h2", .exchange = 100 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

/*
 * RFC 7301 3.2: a client offering ALPN with nothing the server has gets
 * the fatal no_application_protocol alert (120); both ends report
 * TLSPLUG_ERR_NO_SHARED_ALPN, whatever the engines.
 */
static int
alpn_no_overlap(const struct conf_env *env, enum tlsplug_version v,
                char *why, size_t whylen)
{
	uint64_t vcap = v == V12 ? CAP_V12 : v == V13 ? CAP_V13 : 0;
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .alpn = alpn_h2, .nalpn = 1,
		       .min = v, .max = v },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .alpn = alpn_http1, .nalpn = 1, .min = v, .max = v },
		.host = "localhost", .ccap = TLSPLUG_CAP_ALPN | vcap,
		.scap = TLSPLUG_CAP_ALPN | vcap, .client_alert = 120 };

	return conf_scenario_fail(env, &sc, TLSPLUG_ERR_NO_SHARED_ALPN,
	                          TLSPLUG_ERR_NO_SHARED_ALPN, why, whylen);
}

CONF_CASE(case_alpn_no_overlap)
{
	return alpn_no_overlap(env, 0, why, whylen);
}

CONF_CASE(case_alpn_no_overlap_tls12)
{
	return alpn_no_overlap(env, V12, why, whylen);
}

/* A server whose config says to go on without ALPN does, on every engine,
 * and still picks a protocol when there is one in common. */
CONF_CASE(case_alpn_mismatch_continue)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .alpn = alpn_h2, .nalpn = 1 },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .alpn = alpn_http1, .nalpn = 1,
		       .alpn_mismatch = TLSPLUG_ALPN_MISMATCH_CONTINUE },
		.host = "localhost", .ccap = TLSPLUG_CAP_ALPN,
		.scap = TLSPLUG_CAP_ALPN, .alpn = NULL, .exchange = 100 };
	struct conf_scenario both = sc;
	int rc = conf_scenario_ok(env, &sc, why, whylen);

	if (rc != 0)            /* a failure, or a gate decided */
		return rc;
	both.c.alpn = alpn_h2_http1;
	both.c.nalpn = 2;
	both.alpn = "http/1.1";
	return conf_scenario_ok(env, &both, why, whylen);
}

CONF_CASE(case_alpn_server_none)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .alpn = alpn_h2_http1, .nalpn = 2 },
		BASE_SERVER,
		.host = "localhost", .ccap = TLSPLUG_CAP_ALPN, .alpn = NULL,
		.exchange = 100 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

/*
 * A good server certificate of one key type at one version.  keycap is
 * the capability the key type needs (Ed25519): a server lacking it must
 * refuse the key; a client lacking it has nothing to refuse in its own
 * config, so it must offer no signature scheme for that key and the
 * handshake must fail on the server, which has nothing to sign with.
 */
static int
cert_type(const struct conf_env *env, const char *name, const char *cn,
          uint64_t keycap, enum tlsplug_version v, size_t exchange,
          char *why, size_t whylen)
{
	char chain[64], key[64];
	uint64_t vcap = v == V13 ? CAP_V13 : CAP_V12;
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .min = v, .max = v },
		.s = { .chain = chain, .key = key, .min = v, .max = v },
		.host = "localhost", .ccap = keycap | vcap,
		.scap = keycap | vcap, .version = v, .server_cn = cn,
		.exchange = exchange };

	snprintf(chain, sizeof(chain), "%s.pem", name);
	snprintf(key, sizeof(key), "%s.key", name);
	if (keycap != 0 && !conf_has(env->client, keycap)) {
		sc.ccap = vcap;
		if (conf_has(env->server, keycap) &&
		    conf_has(env->client, vcap) && conf_has(env->server, vcap))
			return conf_scenario_fail(env, &sc, CONF_ANY_ERROR,
			                          TLSPLUG_ERR_NO_SHARED_CIPHER,
			                          why, whylen);
	}
	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_cert_rsa_tls12)
{
	return cert_type(env, "rsa", "CN=tlsplug test rsa", 0, V12, 1000,
	                 why, whylen);
}

CONF_CASE(case_cert_rsa_tls13)
{
	return cert_type(env, "rsa", "CN=tlsplug test rsa", 0, V13, 1000,
	                 why, whylen);
}

CONF_CASE(case_cert_ecdsa_tls12)
{
	return cert_type(env, "ecdsa", "CN=tlsplug test ecdsa", 0, V12, 1000,
	                 why, whylen);
}

CONF_CASE(case_cert_ecdsa_tls13)
{
	return cert_type(env, "ecdsa", "CN=tlsplug test ecdsa", 0, V13, 1000,
	                 why, whylen);
}

CONF_CASE(case_cert_ed25519_tls12)
{
	return cert_type(env, "ed25519", "CN=tlsplug test ed25519",
	                 TLSPLUG_CAP_ED25519, V12, 1000, why, whylen);
}

CONF_CASE(case_cert_ed25519_tls13)
{
	return cert_type(env, "ed25519", "CN=tlsplug test ed25519",
	                 TLSPLUG_CAP_ED25519, V13, 1000, why, whylen);
}

CONF_CASE(case_interop_tls12_rsa)
{
	return cert_type(env, "rsa", "CN=tlsplug test rsa", 0, V12, 70001,
	                 why, whylen);
}

CONF_CASE(case_interop_tls12_ecdsa)
{
	return cert_type(env, "ecdsa", "CN=tlsplug test ecdsa", 0, V12, 70001,
	                 why, whylen);
}

CONF_CASE(case_interop_tls12_ed25519)
{
	return cert_type(env, "ed25519", "CN=tlsplug test ed25519",
	                 TLSPLUG_CAP_ED25519, V12, 70001, why, whylen);
}

CONF_CASE(case_interop_tls13_rsa)
{
	return cert_type(env, "rsa", "CN=tlsplug test rsa", 0, V13, 70001,
	                 why, whylen);
}

CONF_CASE(case_interop_tls13_ecdsa)
{
	return cert_type(env, "ecdsa", "CN=tlsplug test ecdsa", 0, V13, 70001,
	                 why, whylen);
}

CONF_CASE(case_interop_tls13_ed25519)
{
	return cert_type(env, "ed25519", "CN=tlsplug test ed25519",
	                 TLSPLUG_CAP_ED25519, V13, 70001, why, whylen);
}

/* Server config with one chain given as handles. */
static int
server_with(const struct conf_env *env, struct tlsplug_certificate *cert,
            struct tlsplug_certificate *extra, struct tlsplug_private_key *key,
            const char *cn, char *why, size_t whylen)
{
	struct conf_side cs = { .trust = "ca.pem" };
	struct tlsplug_config_builder *b;
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	int rc;

	b = tlsplug_config_builder_new();
	if (b == NULL)
		return conf_fail(why, whylen, "out of memory");
	rc = tlsplug_config_builder_add_cert_chain(b, cert, extra, key);
	if (rc == TLSPLUG_OK)
		rc = tlsplug_config_builder_build(b, &scfg);
	tlsplug_config_builder_free(b);
	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "server config: %s",
		                 tlsplug_status_name(rc));
	if (conf_config(env, &cs, &ccfg, why, whylen) != 0) {
		tlsplug_config_unref(scfg);
		return -1;
	}
	rc = conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	if (rc != TLSPLUG_OK)
		return -1;
	rc = conf_connect(&p, 0, why, whylen);
	if (rc == 0 && (tlsplug_conn_peer_subject(p.c) == NULL ||
	                strstr(tlsplug_conn_peer_subject(p.c), cn) == NULL))
		rc = conf_fail(why, whylen, "client sees %s, expected %s",
		               tlsplug_conn_peer_subject(p.c) ?
		               tlsplug_conn_peer_subject(p.c) : "no subject",
		               cn);
	if (rc == 0)
		rc = conf_exchange(&p, 1000, 0, why, whylen);
	conf_pair_free(&p);
	return rc;
}

static int
load_fail(struct tlsplug_error *err, const char *what, char *why,
          size_t whylen)
{
	conf_fail(why, whylen, "%s: %s", what,
	          err != NULL ? tlsplug_error_message(err) : "failed");
	tlsplug_error_free(err);
	return -1;
}

/* DER leaf + PEM intermediate as `extra` + DER key, from files. */
static int
der_files(const struct conf_env *env, const char *name, const char *cn,
          char *why, size_t whylen)
{
	struct tlsplug_certificate *cert = NULL, *inter = NULL;
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	char path[4096], file[64];
	int rc = -1;

	snprintf(file, sizeof(file), "%s.der", name);
	conf_path(env, file, path);
	if (tlsplug_certificate_from_file(path, &cert, &err) != TLSPLUG_OK)
		return load_fail(err, file, why, whylen);
	if (tlsplug_certificate_count(cert) != 1) {
		conf_fail(why, whylen, "%s holds %zu certificates, expected 1",
		          file, tlsplug_certificate_count(cert));
		goto out;
	}
	conf_path(env, "int.pem", path);
	if (tlsplug_certificate_from_file(path, &inter, &err) != TLSPLUG_OK) {
		load_fail(err, "int.pem", why, whylen);
		goto out;
	}
	snprintf(file, sizeof(file), "%s-key.der", name);
	conf_path(env, file, path);
	if (tlsplug_private_key_from_file(path, &key, &err) != TLSPLUG_OK) {
		load_fail(err, file, why, whylen);
		goto out;
	}
	rc = server_with(env, cert, inter, key, cn, why, whylen);
out:
	tlsplug_certificate_unref(cert);
	tlsplug_certificate_unref(inter);
	tlsplug_private_key_unref(key);
	return rc;
}

CONF_CASE(case_cert_der_files)
{
	return der_files(env, "ecdsa", "CN=tlsplug test ecdsa", why, whylen);
}

CONF_CASE(case_cert_rsa_der)
{
	return der_files(env, "rsa", "CN=tlsplug test rsa", why, whylen);
}

/* Certificate and key from memory. */
static int
from_buffers(const struct conf_env *env, const char *certfile,
             const char *interfile, const char *keyfile, const char *cn,
             char *why, size_t whylen)
{
	struct tlsplug_certificate *cert = NULL, *inter = NULL;
	struct tlsplug_private_key *key = NULL;
	struct tlsplug_error *err = NULL;
	unsigned char *data = NULL;
	size_t len;
	int rc = -1;

	if (conf_slurp(env, certfile, &data, &len, why, whylen) != 0)
		return -1;
	if (tlsplug_certificate_from_buffer(data, len, &cert, &err) !=
	    TLSPLUG_OK) {
		load_fail(err, certfile, why, whylen);
		goto out;
	}
	free(data);
	data = NULL;
	if (interfile != NULL) {
		if (conf_slurp(env, interfile, &data, &len, why, whylen) != 0)
			goto out;
		if (tlsplug_certificate_from_buffer(data, len, &inter, &err) !=
		    TLSPLUG_OK) {
			load_fail(err, interfile, why, whylen);
			goto out;
		}
		free(data);
		data = NULL;
	}
	if (conf_slurp(env, keyfile, &data, &len, why, whylen) != 0)
		goto out;
	if (tlsplug_private_key_from_buffer(data, len, &key, &err) !=
	    TLSPLUG_OK) {
		load_fail(err, keyfile, why, whylen);
		goto out;
	}
	rc = server_with(env, cert, inter, key, cn, why, whylen);
out:
	free(data);
	tlsplug_certificate_unref(cert);
	tlsplug_certificate_unref(inter);
	tlsplug_private_key_unref(key);
	return rc;
}

CONF_CASE(case_cert_der_buffers)
{
	return from_buffers(env, "ecdsa.der", "int.pem", "ecdsa-key.der",
	                    "CN=tlsplug test ecdsa", why, whylen);
}

CONF_CASE(case_cert_pem_buffers)
{
	return from_buffers(env, "rsa.pem", NULL, "rsa.key",
	                    "CN=tlsplug test rsa", why, whylen);
}

CONF_CASE(case_trust_from_file)
{
	struct conf_scenario sc = { BASE_CLIENT,
		.s = { .chain = "rsa.pem", .key = "rsa.key" },
		.host = "localhost", .server_cn = "CN=tlsplug test rsa",
		.exchange = 100 };

	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_trust_from_buffer)
{
	struct conf_side ss = { .chain = "ecdsa.pem", .key = "ecdsa.key" };
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_config_builder *b;
	struct tlsplug_config *ccfg = NULL, *scfg;
	struct tlsplug_error *err = NULL;
	struct conf_pair p;
	unsigned char *data;
	size_t len;
	int rc;

	if (conf_slurp(env, "ca.pem", &data, &len, why, whylen) != 0)
		return -1;
	rc = tlsplug_trust_store_from_buffer(data, len, &t, &err);
	free(data);
	if (rc != TLSPLUG_OK)
		return load_fail(err, "trust store from buffer", why, whylen);
	b = tlsplug_config_builder_new();
	if (b == NULL) {
		tlsplug_trust_store_unref(t);
		return conf_fail(why, whylen, "out of memory");
	}
	rc = tlsplug_config_builder_set_trust_store(b, t);
	tlsplug_trust_store_unref(t);
	if (rc == TLSPLUG_OK)
		rc = tlsplug_config_builder_build(b, &ccfg);
	tlsplug_config_builder_free(b);
	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "client config: %s",
		                 tlsplug_status_name(rc));
	if (conf_config(env, &ss, &scfg, why, whylen) != 0) {
		tlsplug_config_unref(ccfg);
		return -1;
	}
	rc = conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	if (rc != TLSPLUG_OK)
		return -1;
	rc = conf_connect(&p, 0, why, whylen);
	if (rc == 0)
		rc = conf_exchange(&p, 100, 0, why, whylen);
	conf_pair_free(&p);
	return rc;
}

/* A client on the system store against a server with chain/key: it must
 * see cn, or (cn NULL) fail with CERT_UNTRUSTED. */
static int
system_trusts(const struct conf_env *env, const char *chain, const char *key,
              const char *cn, char *why, size_t whylen)
{
	struct conf_scenario sc = { .c = { .trust = NULL },
		.s = { .chain = chain, .key = key }, .host = "localhost",
		.ccap = TLSPLUG_CAP_SYSTEM_TRUST, .server_cn = cn,
		.exchange = 100 };
	char tmp[600];
	int rc;

	if (cn != NULL)
		rc = conf_scenario_ok(env, &sc, tmp, sizeof(tmp));
	else
		rc = conf_scenario_fail(env, &sc, TLSPLUG_ERR_CERT_UNTRUSTED,
		                        0, tmp, sizeof(tmp));
	if (rc != 0)
		return conf_fail(why, whylen, "server with %s: %s", chain, tmp);
	return 0;
}

/* In the child whose system store holds untrusted-ca.pem as well. */
static int
trust_system_added(void *arg, char *why, size_t whylen)
{
	const struct conf_env *env = arg;
	char tmp[700];

	if (system_trusts(env, "untrusted.pem", "untrusted.key",
	                  "CN=tlsplug test untrusted", tmp, sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "with untrusted-ca.pem added to "
		                 "the system store (is the system store loaded "
		                 "at all?): %s", tmp);
	/* Only that root was added. */
	if (system_trusts(env, "ecdsa.pem", "ecdsa.key", NULL, tmp,
	                  sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "with untrusted-ca.pem added to "
		                 "the system store: %s", tmp);
	return 0;
}

/*
 * The system trust store, both ways.  Rejecting a private root proves
 * little (an engine that loads an empty store does that too), so the case
 * also proves a positive: a chain to an anchor of the system store
 * verifies.  No public CA will sign for the test, so the test adds an
 * anchor to the store -- without changing the machine: in a child process
 * with a private mount namespace, each system CA bundle (the file the
 * engines read; GnuTLS reads a file fixed when it was built, with no
 * override, so an environment variable such as OpenSSL's SSL_CERT_FILE
 * would not reach every engine) is covered by a bind-mounted copy that
 * holds all of its certificates plus untrusted-ca.pem.  There, the server
 * whose leaf that root issued must verify, and the test root must still be
 * rejected, as it is outside.
 */
CONF_CASE(case_trust_system)
{
	if (system_trusts(env, "ecdsa.pem", "ecdsa.key", NULL, why,
	                  whylen) != 0)
		return -1;
	/* A backend without the capability was refused cleanly above. */
	if (!conf_has(env->client, TLSPLUG_CAP_SYSTEM_TRUST))
		return 0;
	return conf_with_system_anchor(env, "untrusted-ca.pem",
	                               trust_system_added, (void *)env, why,
	                               whylen);
}
