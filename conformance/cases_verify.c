/* cases_verify.c -- certificate validation: each failure category, hostname
 * matching (DNS, wildcard, IP), validation off. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conformance.h"

/* A server presenting `chain`, a client trusting the test root and asking
 * for `host`. */
#define SCENARIO(chainfile, keyfile, hostname) { \
	.c = { .trust = "ca.pem" }, \
	.s = { .chain = chainfile, .key = keyfile }, \
	.host = hostname }

struct bad_cert {
	const char *chain, *key, *host;
	int code;
};

/* Each verification failure category and the certificate that causes it. */
static const struct bad_cert bad_certs[] = {
	{ "expired.pem", "expired.key", "localhost",
	  TLSPLUG_ERR_CERT_EXPIRED },
	{ "notyet.pem", "notyet.key", "localhost",
	  TLSPLUG_ERR_CERT_NOT_YET_VALID },
	{ "wronghost.pem", "wronghost.key", "localhost",
	  TLSPLUG_ERR_CERT_HOSTNAME },
	{ "untrusted.pem", "untrusted.key", "localhost",
	  TLSPLUG_ERR_CERT_UNTRUSTED },
	{ "selfsigned.pem", "selfsigned.key", "localhost",
	  TLSPLUG_ERR_CERT_SELF_SIGNED },
	{ "noserverauth.pem", "noserverauth.key", "localhost",
	  TLSPLUG_ERR_CERT_PURPOSE },
};
#define NBAD (sizeof(bad_certs) / sizeof(bad_certs[0]))

static int
bad(const struct conf_env *env, size_t i, char *why, size_t whylen)
{
	const struct bad_cert *bc = &bad_certs[i];
	struct conf_scenario sc = SCENARIO(bc->chain, bc->key, bc->host);

	return conf_scenario_fail(env, &sc, bc->code, 0, why, whylen);
}

CONF_CASE(case_verify_expired)
{
	return bad(env, 0, why, whylen);
}

CONF_CASE(case_verify_not_yet_valid)
{
	return bad(env, 1, why, whylen);
}

CONF_CASE(case_verify_hostname_mismatch)
{
	return bad(env, 2, why, whylen);
}

CONF_CASE(case_verify_untrusted_root)
{
	return bad(env, 3, why, whylen);
}

CONF_CASE(case_verify_self_signed)
{
	return bad(env, 4, why, whylen);
}

CONF_CASE(case_verify_wrong_purpose)
{
	return bad(env, 5, why, whylen);
}

CONF_CASE(case_verify_no_validation)
{
	size_t i;

	for (i = 0; i < NBAD; i++) {
		const struct bad_cert *bc = &bad_certs[i];
		struct conf_scenario sc = {
			.c = { .no_validation = 1 },
			.s = { .chain = bc->chain, .key = bc->key },
			.host = bc->host, .ccap = TLSPLUG_CAP_NO_VALIDATION,
			.exchange = 100 };
		char tmp[400];

		if (conf_scenario_ok(env, &sc, tmp, sizeof(tmp)) != 0)
			return conf_fail(why, whylen, "%s with validation off: "
			                 "%s", bc->chain, tmp);
	}
	return 0;
}

/* The server learns why the client gave up: an alert it can name. */
static int
server_sees_alert(const struct conf_env *env, enum tlsplug_version v,
                  char *why, size_t whylen)
{
	struct conf_scenario sc = SCENARIO("expired.pem", "expired.key",
	                                   "localhost");
	const struct tlsplug_error *e;
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	char ignore[256];
	int result, alert;

	sc.c.min = sc.c.max = v;
	if (v == TLSPLUG_VERSION_TLSv1_2)
		sc.ccap = sc.scap = TLSPLUG_CAP_TLS1_2;
	if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, &result, why,
	                           whylen))
		return result;
	result = -1;
	if (conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen) !=
	    TLSPLUG_OK)
		goto out;
	if (conf_handshake(&p, 0, ignore, sizeof(ignore)) == 0) {
		conf_fail(why, whylen, "handshake succeeded with an expired "
		          "certificate");
		goto free_pair;
	}
	e = tlsplug_conn_error(p.s);
	if (conf_check_error(e, TLSPLUG_ERR_ALERT_RECEIVED, env->server,
	                     "server", why, whylen) != 0)
		goto free_pair;
	alert = tlsplug_error_alert(e);
	if (alert < 0 ||
	    strcmp(tlsplug_alert_name(alert), "unknown") == 0 ||
	    strstr(tlsplug_error_message(e), tlsplug_alert_name(alert)) ==
	    NULL) {
		conf_fail(why, whylen, "server: alert %d not named in \"%s\"",
		          tlsplug_error_alert(e), tlsplug_error_message(e));
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

CONF_CASE(case_verify_server_sees_alert)
{
	return server_sees_alert(env, 0, why, whylen);
}

/*
 * The same at TLS 1.2 only.  In TLS 1.3 a client that rejects the server's
 * certificate may send its alert before switching to the handshake keys
 * (OpenSSL does), which another engine then cannot decrypt; the matrix
 * therefore checks the server's view of the alert at TLS 1.2.
 */
CONF_CASE(case_verify_server_sees_alert_tls12)
{
	return server_sees_alert(env, TLSPLUG_VERSION_TLSv1_2, why, whylen);
}

CONF_CASE(case_interop_bad_certs_same_category)
{
	struct conf_env e = *env;
	size_t i, j;

	/* Every client backend, against this server backend, must put each
	 * bad certificate in the same category. */
	for (i = 0; i < NBAD; i++) {
		for (j = 0; j < env->nall; j++) {
			char tmp[400];

			e.client = env->all[j];
			if (bad(&e, i, tmp, sizeof(tmp)) != 0)
				return conf_fail(why, whylen, "%s, client %s: "
				                 "%s", bad_certs[i].chain,
				                 tlsplug_backend_name(e.client),
				                 tmp);
		}
	}
	return 0;
}

static int
host_ok(const struct conf_env *env, const char *chain, const char *key,
        const char *host, char *why, size_t whylen)
{
	struct conf_scenario sc = SCENARIO(chain, key, host);
	char tmp[400];

	sc.exchange = 100;
	if (conf_scenario_ok(env, &sc, tmp, sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "%s for \"%s\": %s", chain,
		                 host != NULL ? host : "(no name)", tmp);
	return 0;
}

static int
host_bad(const struct conf_env *env, const char *chain, const char *key,
         const char *host, int code, char *why, size_t whylen)
{
	struct conf_scenario sc = SCENARIO(chain, key, host);
	char tmp[400];

	if (conf_scenario_fail(env, &sc, code, 0, tmp, sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "%s for \"%s\": %s", chain,
		                 host != NULL ? host : "(no name)", tmp);
	return 0;
}

CONF_CASE(case_host_ip_v4)
{
	return host_ok(env, "rsa.pem", "rsa.key", "127.0.0.1", why, whylen);
}

CONF_CASE(case_host_ip_v6)
{
	return host_ok(env, "ecdsa.pem", "ecdsa.key", "::1", why, whylen);
}

CONF_CASE(case_host_ip_mismatch)
{
	if (host_bad(env, "ecdsa.pem", "ecdsa.key", "127.0.0.2",
	             TLSPLUG_ERR_CERT_HOSTNAME, why, whylen) != 0)
		return -1;
	return host_bad(env, "ecdsa.pem", "ecdsa.key", "::2",
	                TLSPLUG_ERR_CERT_HOSTNAME, why, whylen);
}

CONF_CASE(case_host_ip_only_cert_ignores_cn)
{
	/* ip.pem: CN=localhost, SAN with IP addresses only.  RFC 9525: the
	 * CN is never used. */
	if (host_ok(env, "ip.pem", "ip.key", "127.0.0.1", why, whylen) != 0 ||
	    host_ok(env, "ip.pem", "ip.key", "::1", why, whylen) != 0)
		return -1;
	return host_bad(env, "ip.pem", "ip.key", "localhost",
	                TLSPLUG_ERR_CERT_HOSTNAME, why, whylen);
}

CONF_CASE(case_host_wildcard)
{
	if (host_ok(env, "wildcard.pem", "wildcard.key", "www.example.test",
	            why, whylen) != 0)
		return -1;
	return host_ok(env, "wildcard.pem", "wildcard.key",
	               "alpha.example.test", why, whylen);
}

CONF_CASE(case_host_wildcard_two_labels)
{
	return host_bad(env, "wildcard.pem", "wildcard.key",
	                "a.b.example.test", TLSPLUG_ERR_CERT_HOSTNAME, why,
	                whylen);
}

CONF_CASE(case_host_wildcard_bare_domain)
{
	return host_bad(env, "wildcard.pem", "wildcard.key", "example.test",
	                TLSPLUG_ERR_CERT_HOSTNAME, why, whylen);
}

CONF_CASE(case_host_null_skips_name_check)
{
	/* No name: the chain is still checked, the name is not. */
	if (host_ok(env, "wronghost.pem", "wronghost.key", NULL, why,
	            whylen) != 0)
		return -1;
	return host_bad(env, "expired.pem", "expired.key", NULL,
	                TLSPLUG_ERR_CERT_EXPIRED, why, whylen);
}

CONF_CASE(case_host_case_insensitive)
{
	return host_ok(env, "ecdsa.pem", "ecdsa.key", "LocalHost", why,
	               whylen);
}

/* What name the server received: through the SNI callback when the server
 * backend has one, else tlsplug_conn_server_name(). */
static int
sni_seen(const struct conf_env *env, const char *host, const char *want,
         char *why, size_t whylen)
{
	struct conf_sni st = { 0 };
	int use_cb = conf_has(env->server, TLSPLUG_CAP_SNI_CALLBACK);
	struct conf_scenario sc = SCENARIO("ecdsa.pem", "ecdsa.key", host);
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	const char *got;
	int result;

	if (use_cb) {
		sc.s.sni = conf_sni_cb;
		sc.s.sni_data = &st;
	}
	if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, &result, why,
	                           whylen))
		return result;
	result = -1;
	if (conf_pair_new(env, ccfg, scfg, host, &p, why, whylen) !=
	    TLSPLUG_OK)
		goto out;
	if (conf_connect(&p, 0, why, whylen) != 0)
		goto free_pair;
	if (use_cb) {
		if (st.calls != 1) {
			conf_fail(why, whylen, "SNI callback called %d times",
			          st.calls);
			goto free_pair;
		}
		got = st.got_null ? NULL : st.seen;
	} else {
		got = tlsplug_conn_server_name(p.s);
	}
	if ((want == NULL) != (got == NULL) ||
	    (want != NULL && strcmp(want, got) != 0)) {
		conf_fail(why, whylen, "client connecting to %s: server "
		          "received SNI %s%s%s, expected %s", host,
		          got ? "\"" : "", got ? got : "none", got ? "\"" : "",
		          want ? want : "none");
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

CONF_CASE(case_sni_sent_for_names_only)
{
	if (sni_seen(env, "localhost", "localhost", why, whylen) != 0 ||
	    sni_seen(env, "127.0.0.1", NULL, why, whylen) != 0)
		return -1;
	return sni_seen(env, "::1", NULL, why, whylen);
}
