/* cases_identity.c -- the peer's certificates as sent and as verified,
 * public-key pins, the verify callback, the server's client-certificate
 * modes, and the SNI bytes of a Unicode host name.  Expected chains and
 * pins come from the generator (NAME.der, NAME.pin, computed by the openssl
 * program), never from the library under test. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

/* ---- settings --------------------------------------------------------- */

/* Appends the pin in file `name` (one line) to text. */
static int
add_pin_file(const struct conf_env *env, const char *name, char *text,
             size_t size, char *why, size_t whylen)
{
	unsigned char *data = NULL;
	size_t len = 0, have = strlen(text);

	if (conf_slurp(env, name, &data, &len, why, whylen) != 0)
		return -1;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (have + len + 2 > size) {
		free(data);
		return conf_fail(why, whylen, "pin list too long");
	}
	if (have > 0)
		text[have++] = ',';
	memcpy(text + have, data, len);
	text[have + len] = '\0';
	free(data);
	return 0;
}

int
conf_config_identity(const struct conf_env *env,
                     struct tlsplug_config_builder *b,
                     const struct conf_side *side, char *why, size_t whylen)
{
	const struct tlsplug_error *e;
	char pins[1024] = "", file[PATH_MAX];
	const char *what = NULL;
	int rc = TLSPLUG_OK;

	for (const char *p = side->pin_files; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, ",");

		snprintf(file, sizeof(file), "%.*s", (int)n, p);
		if (add_pin_file(env, file, pins, sizeof(pins), why,
		                 whylen) != 0)
			return -1;
		p += n + (p[n] == ',');
	}
	if (side->pins != NULL &&
	    strlen(pins) + strlen(side->pins) + 2 < sizeof(pins)) {
		if (pins[0] != '\0')
			strcat(pins, ",");
		strcat(pins, side->pins);
	}
	if (pins[0] != '\0') {
		what = "add_pins";
		rc = tlsplug_config_builder_add_pins(b, pins);
	}
	if (rc == TLSPLUG_OK && side->verify != NULL) {
		what = "set_verify_callback";
		rc = tlsplug_config_builder_set_verify_callback(b,
		    side->verify, side->verify_data);
	}
	if (rc == TLSPLUG_OK && side->client_cert != TLSPLUG_CLIENT_CERT_AUTO) {
		what = "set_client_cert_mode";
		rc = tlsplug_config_builder_set_client_cert_mode(b,
		    side->client_cert);
	}
	if (rc == TLSPLUG_OK)
		return 0;
	e = tlsplug_config_builder_error(b);
	return conf_fail(why, whylen, "%s: %s (%s)", what,
	                 tlsplug_status_name(rc),
	                 e != NULL ? tlsplug_error_message(e) : "no reason");
}

/* ---- chains ------------------------------------------------------------ */

/* Compares a chain with the DER files named (NULL-terminated list). */
static int
chain_is(const struct conf_env *env, const char *what,
         const struct tlsplug_der *certs, size_t n,
         const char *const *files, char *why, size_t whylen)
{
	size_t want = 0;

	while (files[want] != NULL)
		want++;
	if (n != want)
		return conf_fail(why, whylen, "%s has %zu certificates, "
		                 "expected %zu (%s, ...)", what, n, want,
		                 want > 0 ? files[0] : "none");
	for (size_t i = 0; i < n; i++) {
		unsigned char *der = NULL;
		size_t len = 0;
		int same;

		if (conf_slurp(env, files[i], &der, &len, why, whylen) != 0)
			return -1;
		same = len == certs[i].len &&
		       memcmp(der, certs[i].data, len) == 0;
		free(der);
		if (!same)
			return conf_fail(why, whylen, "%s: certificate %zu is "
			                 "not %s (%zu bytes, %zu expected)",
			                 what, i, files[i], certs[i].len, len);
	}
	return 0;
}

/* Runs sc's handshake and leaves the pair for the caller: returns 1 (pair
 * and configs set; the handshake statuses in p), or 0 with *result set
 * (a capability gate decided, or setting up failed). */
static int
run(const struct conf_env *env, const struct conf_scenario *sc,
    struct conf_pair *p, struct tlsplug_config **ccfg,
    struct tlsplug_config **scfg, int *result, char *why, size_t whylen)
{
	char ignore[256];

	if (!conf_scenario_prepare(env, sc, ccfg, scfg, result, why, whylen))
		return 0;
	if (conf_pair_new(env, *ccfg, *scfg, sc->host, p, why, whylen) !=
	    TLSPLUG_OK) {
		tlsplug_config_unref(*ccfg);
		tlsplug_config_unref(*scfg);
		*result = -1;
		return 0;
	}
	(void)conf_handshake(p, sc->chunk, ignore, sizeof(ignore));
	return 1;
}

static void
done(struct conf_pair *p, struct tlsplug_config *ccfg,
     struct tlsplug_config *scfg)
{
	conf_pair_free(p);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
}

/* The server with rsa.pem (leaf + intermediate), the client trusting the
 * root. */
#define RSA_SCENARIO { \
	.c = { .trust = "ca.pem" }, \
	.s = { .chain = "rsa.pem", .key = "rsa.key" }, \
	.host = "localhost" }

/* The same with the client presenting client.pem to a server that
 * requires it (the 0.1 rule: a trust store set). */
#define MTLS_SCENARIO { \
	.c = { .trust = "ca.pem", .chain = "client.pem", \
	       .key = "client.key" }, \
	.s = { .chain = "rsa.pem", .key = "rsa.key", .trust = "ca.pem" }, \
	.host = "localhost", \
	.ccap = TLSPLUG_CAP_CLIENT_CERT, \
	.scap = TLSPLUG_CAP_CLIENT_CERT }

static const char *const rsa_sent[] = { "rsa.der", "int.der", NULL };
static const char *const rsa_verified[] = {
	"rsa.der", "int.der", "ca.der", NULL };
static const char *const client_sent[] = { "client.der", "int.der", NULL };
static const char *const client_verified[] = {
	"client.der", "int.der", "ca.der", NULL };
static const char *const none[] = { NULL };

/* Both handshakes succeeded, else why says how each ended. */
static int
both_ok(const struct conf_pair *p, char *why, size_t whylen)
{
	if (p->crc == TLSPLUG_OK && p->src == TLSPLUG_OK)
		return 0;
	return conf_fail(why, whylen, "handshake: client %s, server %s",
	                 tlsplug_status_name(p->crc),
	                 tlsplug_status_name(p->src));
}

/* conn's peer chain, as sent, is the DER files named. */
static int
sent_is(const struct conf_env *env, struct tlsplug_conn *conn,
        const char *what, const char *const *files, char *why,
        size_t whylen)
{
	const struct tlsplug_der *certs;
	size_t n;
	int rc = tlsplug_conn_peer_chain(conn, &certs, &n);

	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "%s: peer_chain: %s", what,
		                 tlsplug_status_name(rc));
	return chain_is(env, what, certs, n, files, why, whylen);
}

CONF_CASE(case_peer_chain_as_sent)
{
	struct conf_scenario sc = RSA_SCENARIO;
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	int result;

	if (!run(env, &sc, &p, &ccfg, &scfg, &result, why, whylen))
		return result;
	/* No client certificate: an empty chain, not an error. */
	result = both_ok(&p, why, whylen) != 0 ||
	    sent_is(env, p.c, "client's peer chain", rsa_sent, why,
	            whylen) != 0 ||
	    sent_is(env, p.s, "server's peer chain without a client "
	            "certificate", none, why, whylen) != 0 ? -1 : 0;
	done(&p, ccfg, scfg);
	return result;
}

/* Before the handshake the chain cannot be asked for. */
static int
misuse_before(const struct conf_env *env, char *why, size_t whylen)
{
	struct conf_scenario sc = RSA_SCENARIO;
	struct tlsplug_config *ccfg, *scfg;
	const struct tlsplug_der *certs;
	struct conf_pair p;
	size_t n;
	int result, rc;

	if (!conf_scenario_prepare(env, &sc, &ccfg, &scfg, &result, why,
	                           whylen))
		return result;
	result = -1;
	if (conf_pair_new(env, ccfg, scfg, "localhost", &p, why, whylen) ==
	    TLSPLUG_OK) {
		rc = tlsplug_conn_peer_chain(p.c, &certs, &n);
		if (rc != TLSPLUG_ERR_MISUSE)
			conf_fail(why, whylen, "peer_chain before the "
			          "handshake: %s, expected MISUSE",
			          tlsplug_status_name(rc));
		else
			result = 0;
		conf_pair_free(&p);
	}
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	return result;
}

CONF_CASE(case_peer_chain_client_cert)
{
	struct conf_scenario sc = MTLS_SCENARIO;
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	int result;

	if (misuse_before(env, why, whylen) != 0)
		return -1;
	if (!run(env, &sc, &p, &ccfg, &scfg, &result, why, whylen))
		return result;
	result = both_ok(&p, why, whylen) != 0 ||
	    sent_is(env, p.s, "server's peer chain", client_sent, why,
	            whylen) != 0 ? -1 : 0;
	done(&p, ccfg, scfg);
	return result;
}

/* The verified chain of one side, or the clean refusal without the
 * capability. */
static int
verified_is(const struct conf_env *env, const struct tlsplug_backend *b,
            struct tlsplug_conn *conn, const char *what,
            const char *const *files, char *why, size_t whylen)
{
	const struct tlsplug_der *certs;
	size_t n;
	int rc = tlsplug_conn_verified_chain(conn, &certs, &n);

	if (!conf_has(b, TLSPLUG_CAP_VERIFIED_CHAIN)) {
		if (rc != TLSPLUG_ERR_UNSUPPORTED)
			return conf_fail(why, whylen, "%s: verified_chain "
			                 "without the capability: %s, expected "
			                 "UNSUPPORTED", what,
			                 tlsplug_status_name(rc));
		return 0;
	}
	if (rc != TLSPLUG_OK)
		return conf_fail(why, whylen, "%s: verified_chain: %s", what,
		                 tlsplug_status_name(rc));
	return chain_is(env, what, certs, n, files, why, whylen);
}

CONF_CASE(case_verified_chain)
{
	struct conf_scenario mtls = MTLS_SCENARIO;
	struct conf_scenario off = {
		.c = { .no_validation = 1 },
		.s = { .chain = "rsa.pem", .key = "rsa.key" },
		.host = "localhost", .ccap = TLSPLUG_CAP_NO_VALIDATION };
	struct tlsplug_config *ccfg, *scfg;
	struct conf_pair p;
	int result;

	if (!run(env, &mtls, &p, &ccfg, &scfg, &result, why, whylen))
		return result;
	result = both_ok(&p, why, whylen) != 0 ||
	    verified_is(env, env->client, p.c, "client's verified chain",
	                rsa_verified, why, whylen) != 0 ||
	    verified_is(env, env->server, p.s, "server's verified chain",
	                client_verified, why, whylen) != 0 ? -1 : 0;
	done(&p, ccfg, scfg);
	if (result != 0)
		return result;
	/* Validation off: nothing was verified. */
	if (!run(env, &off, &p, &ccfg, &scfg, &result, why, whylen))
		return result;
	result = -1;
	if (p.crc != TLSPLUG_OK)
		conf_fail(why, whylen, "validation off: client %s",
		          tlsplug_status_name(p.crc));
	else
		result = verified_is(env, env->client, p.c,
		                     "verified chain with validation off", none,
		                     why, whylen);
	done(&p, ccfg, scfg);
	return result;
}

/* ---- pins ------------------------------------------------------------- */

/* A pin that is no key's: 32 zero bytes. */
#define OTHER_PIN "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

CONF_CASE(case_pin_match)
{
	struct conf_scenario sc = RSA_SCENARIO;

	/* Several pins: one matching is enough. */
	sc.c.pins = OTHER_PIN;
	sc.c.pin_files = "ecdsa.pin,rsa.pin";
	sc.ccap = TLSPLUG_CAP_PINNING;
	sc.exchange = 100;
	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_pin_mismatch)
{
	struct conf_scenario sc = RSA_SCENARIO;
	struct tlsplug_config *ccfg, *scfg;
	const struct tlsplug_error *e;
	unsigned char *actual = NULL;
	size_t len = 0;
	struct conf_pair p;
	const char *msg;
	int result, crc;

	sc.c.pins = OTHER_PIN;
	sc.c.pin_files = "ecdsa.pin";
	sc.ccap = TLSPLUG_CAP_PINNING;
	if (!run(env, &sc, &p, &ccfg, &scfg, &result, why, whylen))
		return result;
	result = -1;
	crc = conf_client_outcome(&p);
	e = tlsplug_conn_error(p.c);
	if (conf_check_error(e, crc, env->client, "client", why,
	                     whylen) != 0)
		goto out;
	if (crc != TLSPLUG_ERR_CERT_PIN) {
		conf_fail(why, whylen, "client: %s (%s), expected CERT_PIN",
		          tlsplug_status_name(crc),
		          e != NULL ? tlsplug_error_message(e) : "no record");
		goto out;
	}
	/* The message names the pins and the key's actual hash. */
	if (conf_slurp(env, "rsa.pin", &actual, &len, why, whylen) != 0)
		goto out;
	while (len > 0 && (actual[len - 1] == '\n' || actual[len - 1] == '\r'))
		len--;
	actual[len] = '\0';
	msg = tlsplug_error_message(e);
	if (strstr(msg, (char *)actual) == NULL ||
	    strstr(msg, OTHER_PIN) == NULL)
		conf_fail(why, whylen, "message \"%s\" does not name the "
		          "key's hash %s and the pin %s", msg, actual,
		          OTHER_PIN);
	else
		result = 0;
out:
	free(actual);
	done(&p, ccfg, scfg);
	return result;
}

/* With validation off, pins alone decide: a self-signed certificate
 * whose key is pinned is accepted, any other refused. */
CONF_CASE(case_pin_no_validation)
{
	struct conf_scenario sc = {
		.c = { .no_validation = 1, .pin_files = "selfsigned.pin" },
		.s = { .chain = "selfsigned.pem", .key = "selfsigned.key" },
		.host = "localhost",
		.ccap = TLSPLUG_CAP_NO_VALIDATION | TLSPLUG_CAP_PINNING,
		.exchange = 100 };
	char tmp[400];

	if (conf_scenario_ok(env, &sc, tmp, sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "pinned key, validation off: %s",
		                 tmp);
	sc.c.pin_files = "rsa.pin";
	if (conf_scenario_fail(env, &sc, TLSPLUG_ERR_CERT_PIN, 0, tmp,
	                       sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "other key, validation off: %s",
		                 tmp);
	return 0;
}

/* A pin never replaces validation: a pinned key in an untrusted chain
 * still fails as untrusted, in an expired one as expired. */
CONF_CASE(case_pin_keeps_validation)
{
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .pin_files = "untrusted.pin" },
		.s = { .chain = "untrusted.pem", .key = "untrusted.key" },
		.host = "localhost", .ccap = TLSPLUG_CAP_PINNING };
	char tmp[400];

	if (conf_scenario_fail(env, &sc, TLSPLUG_ERR_CERT_UNTRUSTED, 0, tmp,
	                       sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "pinned untrusted key: %s", tmp);
	/* A host name mismatch too. */
	sc.c.pin_files = "rsa.pin";
	sc.s.chain = "rsa.pem";
	sc.s.key = "rsa.key";
	sc.host = "www.example.test";
	if (conf_scenario_fail(env, &sc, TLSPLUG_ERR_CERT_HOSTNAME, 0, tmp,
	                       sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "pinned key, wrong host: %s",
		                 tmp);
	return 0;
}

/* ---- the verify callback ---------------------------------------------- */

struct vcb {
	const struct conf_env *env;
	int ret;                    /* what the callback returns */
	const char *const *want;    /* the chain it must see */
	/* The verified chain it must get from the API inside the callback
	 * when backend `b` has TLSPLUG_CAP_VERIFIED_CHAIN (NULL: not
	 * checked). */
	const char *const *want_verified;
	const struct tlsplug_backend *b;
	int calls;
	int verdict;                /* the last verdict it saw */
	int bad;                    /* a check inside the callback failed */
	char why[300];
};

static int
vcb_cb(struct tlsplug_conn *conn, const struct tlsplug_der *chain, size_t n,
       int verdict, void *user_data)
{
	struct vcb *v = user_data;
	const struct tlsplug_der *again;
	size_t m = 0;

	v->calls++;
	v->verdict = verdict;
	if (v->want != NULL && !v->bad &&
	    chain_is(v->env, "the callback's chain", chain, n, v->want,
	             v->why, sizeof(v->why)) != 0)
		v->bad = 1;
	/* The same chain through the API, from inside the callback. */
	if (!v->bad && (tlsplug_conn_peer_chain(conn, &again, &m) !=
	                TLSPLUG_OK || m != n || again[0].len != chain[0].len ||
	                memcmp(again[0].data, chain[0].data, m > 0 ?
	                       chain[0].len : 0) != 0)) {
		v->bad = 1;
		snprintf(v->why, sizeof(v->why), "peer_chain inside the "
		         "callback gave %zu certificates, the callback %zu",
		         m, n);
	}
	if (!v->bad && v->want_verified != NULL &&
	    conf_has(v->b, TLSPLUG_CAP_VERIFIED_CHAIN)) {
		int rc = tlsplug_conn_verified_chain(conn, &again, &m);

		if (rc != TLSPLUG_OK) {
			v->bad = 1;
			snprintf(v->why, sizeof(v->why), "verified_chain "
			         "inside the callback: %s",
			         tlsplug_status_name(rc));
		} else if (chain_is(v->env, "the verified chain inside the "
		                    "callback", again, m, v->want_verified,
		                    v->why, sizeof(v->why)) != 0) {
			v->bad = 1;
		}
	}
	return v->ret;
}

/* The client's callback on sc; checks what it saw. */
static int
vcb_check(const struct vcb *v, int calls, int verdict, char *why,
          size_t whylen)
{
	if (v->bad)
		return conf_fail(why, whylen, "%s", v->why);
	if (v->calls != calls)
		return conf_fail(why, whylen, "verify callback called %d "
		                 "times, expected %d", v->calls, calls);
	if (calls > 0 && v->verdict != verdict)
		return conf_fail(why, whylen, "verify callback saw verdict %s, "
		                 "expected %s", tlsplug_status_name(v->verdict),
		                 tlsplug_status_name(verdict));
	return 0;
}

CONF_CASE(case_verify_cb_accepts)
{
	struct vcb v = { .env = env, .ret = TLSPLUG_OK, .want = rsa_sent,
	                 .want_verified = rsa_verified, .b = env->client };
	struct conf_scenario sc = RSA_SCENARIO;

	sc.c.verify = vcb_cb;
	sc.c.verify_data = &v;
	sc.ccap = TLSPLUG_CAP_VERIFY_CALLBACK;
	sc.exchange = 100;
	if (conf_scenario_ok(env, &sc, why, whylen) != 0)
		return -1;
	if (!conf_has(env->client, TLSPLUG_CAP_VERIFY_CALLBACK))
		return 0;
	return vcb_check(&v, 1, TLSPLUG_OK, why, whylen);
}

CONF_CASE(case_verify_cb_rejects)
{
	struct vcb v = { .env = env, .ret = TLSPLUG_ERR_CERT_REVOKED,
	                 .want = rsa_sent };
	struct conf_scenario sc = RSA_SCENARIO;
	struct tlsplug_config *ccfg, *scfg;
	const struct tlsplug_error *e;
	struct conf_pair p;
	int result, crc;

	sc.c.verify = vcb_cb;
	sc.c.verify_data = &v;
	sc.ccap = TLSPLUG_CAP_VERIFY_CALLBACK;
	if (!run(env, &sc, &p, &ccfg, &scfg, &result, why, whylen))
		return result;
	result = -1;
	crc = conf_client_outcome(&p);
	e = tlsplug_conn_error(p.c);
	if (crc != TLSPLUG_ERR_CERT_REVOKED)
		conf_fail(why, whylen, "client: %s (%s), expected the "
		          "callback's CERT_REVOKED", tlsplug_status_name(crc),
		          e != NULL ? tlsplug_error_message(e) : "no record");
	else if (conf_check_error(e, crc, env->client, "client", why,
	                          whylen) == 0 &&
	         strstr(tlsplug_error_message(e), "verify callback") == NULL)
		conf_fail(why, whylen, "message \"%s\" does not name the "
		          "verify callback", tlsplug_error_message(e));
	else if (vcb_check(&v, 1, TLSPLUG_OK, why, whylen) == 0)
		result = 0;
	done(&p, ccfg, scfg);
	return result;
}

/* With validation off the callback decides alone: it sees an OK verdict
 * for a self-signed certificate and its rejection stands. */
CONF_CASE(case_verify_cb_no_validation)
{
	struct vcb v = { .env = env, .ret = TLSPLUG_OK };
	struct conf_scenario sc = {
		.c = { .no_validation = 1, .verify = vcb_cb,
		       .verify_data = &v },
		.s = { .chain = "selfsigned.pem", .key = "selfsigned.key" },
		.host = "localhost",
		.ccap = TLSPLUG_CAP_NO_VALIDATION |
		        TLSPLUG_CAP_VERIFY_CALLBACK,
		.exchange = 100 };
	char tmp[400];

	if (conf_scenario_ok(env, &sc, tmp, sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "callback accepting: %s", tmp);
	if (!conf_has(env->client, sc.ccap))
		return 0;
	if (vcb_check(&v, 1, TLSPLUG_OK, why, whylen) != 0)
		return -1;
	memset(&v, 0, sizeof(v));
	v.env = env;
	v.ret = TLSPLUG_ERR_CERT_UNTRUSTED;
	if (conf_scenario_fail(env, &sc, TLSPLUG_ERR_CERT_UNTRUSTED, 0, tmp,
	                       sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "callback rejecting: %s", tmp);
	return vcb_check(&v, 1, TLSPLUG_OK, why, whylen);
}

/* The callback sees each failure and cannot turn it into success. */
CONF_CASE(case_verify_cb_cannot_rescue)
{
	static const struct {
		const char *chain, *key, *host;
		int code;
	} bad[] = {
		{ "expired.pem", "expired.key", "localhost",
		  TLSPLUG_ERR_CERT_EXPIRED },
		{ "untrusted.pem", "untrusted.key", "localhost",
		  TLSPLUG_ERR_CERT_UNTRUSTED },
		{ "rsa.pem", "rsa.key", "www.example.test",
		  TLSPLUG_ERR_CERT_HOSTNAME },
		{ "rsa.pem", "rsa.key", "localhost", TLSPLUG_ERR_CERT_PIN },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vcb v = { .env = env, .ret = TLSPLUG_OK };
		struct conf_scenario sc = {
			.c = { .trust = "ca.pem", .verify = vcb_cb,
			       .verify_data = &v },
			.s = { .chain = bad[i].chain, .key = bad[i].key },
			.host = bad[i].host,
			.ccap = TLSPLUG_CAP_VERIFY_CALLBACK };
		char tmp[400];

		if (bad[i].code == TLSPLUG_ERR_CERT_PIN) {
			sc.c.pins = OTHER_PIN;
			sc.ccap |= TLSPLUG_CAP_PINNING;
		}
		if (conf_scenario_fail(env, &sc, bad[i].code, 0, tmp,
		                       sizeof(tmp)) != 0 ||
		    (conf_has(env->client, sc.ccap) &&
		     vcb_check(&v, 1, bad[i].code, tmp, sizeof(tmp)) != 0))
			return conf_fail(why, whylen, "%s for %s, callback "
			                 "accepting: %s", bad[i].chain,
			                 bad[i].host, tmp);
	}
	return 0;
}

/* A server's callback sees the client's chain; rejecting it fails the
 * server's handshake with the callback's category. */
CONF_CASE(case_verify_cb_server)
{
	struct vcb v = { .env = env, .ret = TLSPLUG_OK, .want = client_sent,
	                 .want_verified = client_verified, .b = env->server };
	struct conf_scenario sc = MTLS_SCENARIO;
	char tmp[400];

	sc.s.verify = vcb_cb;
	sc.s.verify_data = &v;
	sc.client_cn = "CN=tlsplug test client";
	sc.scap |= TLSPLUG_CAP_VERIFY_CALLBACK;

	if (conf_scenario_ok(env, &sc, why, whylen) != 0)
		return -1;
	if (!conf_has(env->server, sc.scap))
		return 0;
	if (vcb_check(&v, 1, TLSPLUG_OK, why, whylen) != 0)
		return -1;
	memset(&v, 0, sizeof(v));
	v.env = env;
	v.ret = TLSPLUG_ERR_CERT_PURPOSE;
	if (conf_scenario_fail(env, &sc, 0, TLSPLUG_ERR_CERT_PURPOSE, tmp,
	                       sizeof(tmp)) != 0)
		return conf_fail(why, whylen, "server callback rejecting: %s",
		                 tmp);
	return vcb_check(&v, 1, TLSPLUG_OK, why, whylen);
}

/* A server's SNI callback that switches to a config asking for client
 * certificates: that config's mode and verify callback apply. */
CONF_CASE(case_verify_cb_sni_config)
{
	struct vcb v = { .env = env, .ret = TLSPLUG_OK, .want = client_sent };
	struct conf_side alt_side = {
		.chain = "rsa.pem", .key = "rsa.key", .trust = "ca.pem",
		.client_cert = TLSPLUG_CLIENT_CERT_REQUIRE, .verify = vcb_cb,
		.verify_data = &v };
	struct conf_sni st = { .alt_name = "localhost" };
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem", .chain = "client.pem",
		       .key = "client.key" },
		.s = { .chain = "ecdsa.pem", .key = "ecdsa.key",
		       .sni = conf_sni_cb, .sni_data = &st },
		.host = "localhost",
		.client_cn = "CN=tlsplug test client",
		.server_cn = "CN=tlsplug test rsa",
		.ccap = TLSPLUG_CAP_CLIENT_CERT,
		.scap = TLSPLUG_CAP_SNI_CALLBACK | TLSPLUG_CAP_CLIENT_CERT |
		        TLSPLUG_CAP_VERIFY_CALLBACK };
	int result;

	if (!conf_has(env->server, sc.scap))
		return 0;   /* the alternative config could not be used */
	if (conf_config(env, &alt_side, &st.alt, why, whylen) != 0)
		return -1;
	result = conf_scenario_ok(env, &sc, why, whylen);
	if (result == 0)
		result = vcb_check(&v, 1, TLSPLUG_OK, why, whylen);
	tlsplug_config_unref(st.alt);
	return result;
}

/* ---- client-certificate modes ---------------------------------------- */

#define MODE_SCENARIO(mode) { \
	.c = { .trust = "ca.pem", .chain = "client.pem", \
	       .key = "client.key" }, \
	.s = { .chain = "rsa.pem", .key = "rsa.key", .trust = "ca.pem", \
	       .client_cert = mode }, \
	.host = "localhost", \
	.ccap = TLSPLUG_CAP_CLIENT_CERT, \
	.scap = TLSPLUG_CAP_CLIENT_CERT | TLSPLUG_CAP_OPTIONAL_CLIENT_CERT }

CONF_CASE(case_client_cert_request_with)
{
	struct conf_scenario sc = MODE_SCENARIO(TLSPLUG_CLIENT_CERT_REQUEST);

	sc.client_cn = "CN=tlsplug test client";
	sc.exchange = 100;
	return conf_scenario_ok(env, &sc, why, whylen);
}

CONF_CASE(case_client_cert_request_without)
{
	struct conf_scenario sc = MODE_SCENARIO(TLSPLUG_CLIENT_CERT_REQUEST);
	struct tlsplug_config *ccfg, *scfg;
	const struct tlsplug_der *certs;
	struct conf_pair p;
	size_t n = 1;
	int result, rc;

	sc.c.chain = sc.c.key = NULL;
	sc.ccap = 0;
	sc.no_client_cert = 1;
	sc.exchange = 100;
	if (conf_scenario_ok(env, &sc, why, whylen) != 0)
		return -1;
	if (!conf_has(env->server, sc.scap))
		return 0;
	/* And the server's view of the peer: no chain, no subject. */
	if (!run(env, &sc, &p, &ccfg, &scfg, &result, why, whylen))
		return result;
	rc = tlsplug_conn_peer_chain(p.s, &certs, &n);
	result = rc == TLSPLUG_OK && n == 0 ? 0 :
	    conf_fail(why, whylen, "server: peer_chain %s with %zu "
	              "certificates, expected none", tlsplug_status_name(rc),
	              n);
	done(&p, ccfg, scfg);
	return result;
}

/* A certificate that is sent must verify, requested or required. */
CONF_CASE(case_client_cert_request_untrusted)
{
	struct conf_scenario sc = MODE_SCENARIO(TLSPLUG_CLIENT_CERT_REQUEST);

	sc.c.chain = "untrusted.pem";
	sc.c.key = "untrusted.key";
	return conf_scenario_fail(env, &sc, 0, TLSPLUG_ERR_CERT_UNTRUSTED,
	                          why, whylen);
}

CONF_CASE(case_client_cert_require_without)
{
	struct conf_scenario sc = MODE_SCENARIO(TLSPLUG_CLIENT_CERT_REQUIRE);

	sc.c.chain = sc.c.key = NULL;
	sc.ccap = 0;
	sc.scap = TLSPLUG_CAP_CLIENT_CERT;
	return conf_scenario_fail(env, &sc, 0, TLSPLUG_ERR_PEER_NO_CERT,
	                          why, whylen);
}

/* Mode none with a trust store set: nothing is asked (the 0.1 rule would
 * have required a certificate). */
CONF_CASE(case_client_cert_none)
{
	struct conf_scenario sc = MODE_SCENARIO(TLSPLUG_CLIENT_CERT_NONE);

	sc.scap = 0;
	sc.no_client_cert = 1;
	sc.exchange = 100;
	return conf_scenario_ok(env, &sc, why, whylen);
}

/* ---- Unicode host names ------------------------------------------------ */

/* "bücher.example.test" in UTF-8, and its A-label form (IDNA2008). */
#define U_HOST "b\xc3\xbc" "cher.example.test"
#define A_HOST "xn--bcher-kva.example.test"

/* The name the server received from a client on backend `client`. */
static int
sni_of(const struct conf_env *env, const struct tlsplug_backend *client,
       char *got, size_t size, char *why, size_t whylen)
{
	struct conf_sni st = { 0 };
	struct conf_env e = *env;
	struct conf_scenario sc = {
		.c = { .trust = "ca.pem" },
		.s = { .chain = "wildcard.pem", .key = "wildcard.key",
		       .sni = conf_sni_cb, .sni_data = &st },
		.host = U_HOST, .scap = TLSPLUG_CAP_SNI_CALLBACK,
		.exchange = 10 };
	int rc;

	e.client = client;
	got[0] = '\0';
	/* *.example.test matches the A-label form: the whole handshake
	 * works. */
	rc = conf_scenario_ok(&e, &sc, why, whylen);
	if (rc != 0 || !conf_has(env->server, TLSPLUG_CAP_SNI_CALLBACK))
		return rc;
	if (st.calls != 1 || st.got_null)
		return conf_fail(why, whylen, "SNI callback called %d times%s",
		                 st.calls, st.got_null ? ", without a name" :
		                 "");
	snprintf(got, size, "%s", st.seen);
	return 0;
}

CONF_CASE(case_idna_sni)
{
	char got[256];

	if (sni_of(env, env->client, got, sizeof(got), why, whylen) != 0)
		return -1;
	if (conf_has(env->server, TLSPLUG_CAP_SNI_CALLBACK) &&
	    strcmp(got, A_HOST) != 0)
		return conf_fail(why, whylen, "client connecting to %s: "
		                 "server received SNI \"%s\", expected \"%s\"",
		                 U_HOST, got, A_HOST);
	return 0;
}

/* Every client backend sends the same bytes for the same Unicode name. */
CONF_CASE(case_interop_idna_sni_same_bytes)
{
	char first[256] = "", got[256];

	for (size_t j = 0; j < env->nall; j++) {
		char tmp[400];

		if (sni_of(env, env->all[j], got, sizeof(got), tmp,
		           sizeof(tmp)) != 0)
			return conf_fail(why, whylen, "client %s: %s",
			                 tlsplug_backend_name(env->all[j]), tmp);
		if (!conf_has(env->server, TLSPLUG_CAP_SNI_CALLBACK))
			continue;
		if (strcmp(got, A_HOST) != 0 ||
		    (first[0] != '\0' && strcmp(got, first) != 0))
			return conf_fail(why, whylen, "client %s sent SNI "
			                 "\"%s\" for %s, expected \"%s\"",
			                 tlsplug_backend_name(env->all[j]), got,
			                 U_HOST, A_HOST);
		snprintf(first, sizeof(first), "%s", got);
	}
	return 0;
}
