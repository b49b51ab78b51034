/* cases_sni.c -- the SNI callback, several chains picked by name, and
 * mutual TLS. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conformance.h"

#define V12 TLSPLUG_VERSION_TLSv1_2
#define V13 TLSPLUG_VERSION_TLSv1_3

/*
 * Server: rsa.pem for localhost, with an SNI callback that switches to
 * alpha.pem for "alpha.example.test" and refuses "refuse.example.test".
 * Connects a validating client asking for host and checks the callback saw
 * `host` (NULL: no SNI) and the client saw `cn`; cn NULL: expects the
 * refusal instead.
 */
static int
sni_run(const struct conf_env *env, const char *host, const char *cn,
        char *why, size_t whylen)
{
	struct conf_side alt = { .chain = "alpha.pem", .key = "alpha.key" };
	struct conf_sni st = { .alt_name = "alpha.example.test",
	                       .refuse_name = "refuse.example.test" };
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem" },
		.s = { .chain = "rsa.pem", .key = "rsa.key", .sni = conf_sni_cb,
		       .sni_data = &st },
		.host = host, .scap = TLSPLUG_CAP_SNI_CALLBACK,
		.server_cn = cn, .exchange = 100 };
	int rc;

	if (conf_config(env, &alt, &st.alt, why, whylen) != 0)
		return -1;
	if (cn != NULL) {
		rc = conf_scenario_ok(env, &sc, why, whylen);
	} else {
		/* The refusal reaches the client as unrecognized_name. */
		sc.client_alert = 112;
		rc = conf_scenario_fail(env, &sc, TLSPLUG_ERR_ALERT_RECEIVED,
		                        TLSPLUG_ERR_HANDSHAKE_REFUSED, why,
		                        whylen);
	}
	tlsplug_config_unref(st.alt);
	if (rc != 0 || !conf_has(env->server, TLSPLUG_CAP_SNI_CALLBACK))
		return rc;
	if (st.calls != 1)
		return conf_fail(why, whylen, "SNI callback called %d times",
		                 st.calls);
	if (host == NULL || strchr(host, ':') != NULL ||
	    strspn(host, "0123456789.") == strlen(host)) {
		if (!st.got_null)
			return conf_fail(why, whylen, "SNI callback got \"%s\" "
			                 "for a client asking %s", st.seen,
			                 host != NULL ? host : "no name");
	} else if (st.got_null || strcmp(st.seen, host) != 0) {
		return conf_fail(why, whylen, "SNI callback got %s, expected "
		                 "\"%s\"", st.got_null ? "no name" : st.seen,
		                 host);
	}
	return 0;
}

CONF_CASE(case_sni_callback_switches)
{
	if (sni_run(env, "alpha.example.test", "CN=tlsplug test alpha", why,
	            whylen) != 0)
		return -1;
	/* Other names keep the original config. */
	return sni_run(env, "localhost", "CN=tlsplug test rsa", why, whylen);
}

CONF_CASE(case_sni_callback_refuses)
{
	return sni_run(env, "refuse.example.test", NULL, why, whylen);
}

CONF_CASE(case_sni_callback_no_name)
{
	return sni_run(env, "127.0.0.1", "CN=tlsplug test rsa", why, whylen);
}

static int
multi(const struct conf_env *env, const char *host, const char *cn,
      char *why, size_t whylen)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem" },
		.s = { .chain = "rsa.pem", .key = "rsa.key",
		       .chain2 = "alpha.pem", .key2 = "alpha.key",
		       .chain3 = "beta.pem", .key3 = "beta.key" },
		.host = host, .scap = TLSPLUG_CAP_MULTI_CHAIN,
		.server_cn = cn, .exchange = 100 };
	char tmp[400];

	if (conf_scenario_ok(env, &sc, tmp, sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "client asking %s: %s",
		                 host != NULL ? host : "no name", tmp);
	return 0;
}

CONF_CASE(case_sni_multi_chain)
{
	if (multi(env, "beta.example.test", "CN=tlsplug test beta", why,
	          whylen) != 0 ||
	    multi(env, "alpha.example.test", "CN=tlsplug test alpha", why,
	          whylen) != 0 ||
	    multi(env, "localhost", "CN=tlsplug test rsa", why, whylen) != 0)
		return -1;
	/* No SNI: the first chain. */
	return multi(env, NULL, "CN=tlsplug test rsa", why, whylen);
}

/* Server requiring a client certificate (explicit trust store and
 * validation on), client with `chain` or none; both held to version ver
 * (0: the defaults). */
#define MTLS(ver, chainfile, keyfile) { \
	.c = { .trust = "ca.pem", .chain = chainfile, .key = keyfile, \
	       .min = ver, .max = ver }, \
	.s = { .chain = "ecdsa.pem", .key = "ecdsa.key", .trust = "ca.pem", \
	       .min = ver, .max = ver }, \
	.host = "localhost", .ccap = TLSPLUG_CAP_CLIENT_CERT, \
	.scap = TLSPLUG_CAP_CLIENT_CERT, .version = ver }

CONF_CASE(case_mtls_tls12)
{
	struct conf_scenario sc = MTLS(V12, "client.pem", "client.key");

	sc.ccap |= TLSPLUG_CAP_TLS1_2;
	sc.scap |= TLSPLUG_CAP_TLS1_2;
	sc.client_cn = "CN=tlsplug test client";
	sc.server_cn = "CN=tlsplug test ecdsa";
	sc.exchange = 5000;
	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_mtls_tls13)
{
	struct conf_scenario sc = MTLS(V13, "client.pem", "client.key");

	sc.ccap |= TLSPLUG_CAP_TLS1_3;
	sc.scap |= TLSPLUG_CAP_TLS1_3;
	sc.client_cn = "CN=tlsplug test client";
	sc.server_cn = "CN=tlsplug test ecdsa";
	sc.exchange = 5000;
	return conf_scenario_ok(env, &sc, why, whylen);
}

/* Without a client certificate the client hears handshake_failure in
 * TLS 1.2 (RFC 5246 7.4.6) and certificate_required in TLS 1.3 (RFC 8446
 * 4.4.2.4). */
CONF_CASE(case_mtls_missing_tls12)
{
	struct conf_scenario sc = MTLS(V12, NULL, NULL);

	sc.ccap = TLSPLUG_CAP_TLS1_2;
	sc.scap |= TLSPLUG_CAP_TLS1_2;
	sc.client_alert = 40;
	return conf_scenario_fail(env, &sc, TLSPLUG_ERR_ALERT_RECEIVED,
	                          TLSPLUG_ERR_PEER_NO_CERT, why, whylen);
}

CONF_CASE(case_mtls_missing_tls13)
{
	struct conf_scenario sc = MTLS(V13, NULL, NULL);

	sc.ccap = TLSPLUG_CAP_TLS1_3;
	sc.scap |= TLSPLUG_CAP_TLS1_3;
	sc.client_alert = 116;
	return conf_scenario_fail(env, &sc, TLSPLUG_ERR_ALERT_RECEIVED,
	                          TLSPLUG_ERR_PEER_NO_CERT, why, whylen);
}

/* A client certificate from an unknown root: unknown_ca. */
CONF_CASE(case_mtls_untrusted_client)
{
	struct conf_scenario sc = MTLS(0, "untrusted.pem", "untrusted.key");

	sc.client_alert = 48;
	return conf_scenario_fail(env, &sc, TLSPLUG_ERR_ALERT_RECEIVED,
	                          TLSPLUG_ERR_CERT_UNTRUSTED, why, whylen);
}

CONF_CASE(case_mtls_not_requested)
{
	/* No explicit trust store on the server: no client certificate is
	 * asked for, even though the client has one. */
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .chain = "client.pem",
		       .key = "client.key" },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key" },
		.host = "localhost", .ccap = TLSPLUG_CAP_CLIENT_CERT,
		.no_client_cert = 1, .exchange = 100 };

	return conf_scenario_ok(env, &sc, why, whylen);
}
