/*
 * check_caps.c -- the capability set of every shipped engine, pinned.
 *
 * The core refuses a setting whose capability the backend does not
 * declare, and the conformance suite then counts the clean refusal as a
 * pass: a capability dropped from a descriptor by mistake would leave every
 * other test green.  So the set each engine declares is stated here, once,
 * with the reason for every capability it lacks, and compared with what
 * the built plugin says (tlsplug_backend_caps()).  A bit dropped or added,
 * an engine built without a row, a capability the core names that a row
 * does not mention: each fails.
 *
 * Capabilities are compared by name (tlsplug_capability_name()), through
 * the public API only.  Adding an engine: one row below.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <tlsplug/tlsplug.h>

#include "ck_run.h"

/* A capability an engine does not declare, and why. */
struct lack {
	const char *cap;
	const char *why;
};

struct engine {
	const char *name;
	/* Every capability it declares, by name, space-separated. */
	const char *has;
	/* Every capability the core names that it does not declare. */
	struct lack lacks[16];
};

static const struct engine engines[] = {
	{ "openssl",
	  "client server alpn sni_callback tls1_2 tls1_3 no_validation "
	  "system_trust cipher_order client_cert key_password multi_chain "
	  "ed25519 keylog exporter groups sigalgs verified_chain pinning "
	  "verify_callback optional_client_cert sessions crl ocsp_staple "
	  "ocsp_check dh_floor",
	  { { "tls1_0", "OpenSSL 3 refuses TLS 1.0 at security level 1 and "
	              "above (SHA-1/MD5 handshake signatures); lowering the "
	              "level would weaken every other connection too" },
	    { "tls1_1", "as tls1_0" } } },
	{ "gnutls",
	  "client server alpn sni_callback tls1_2 tls1_3 no_validation "
	  "system_trust client_cert key_password multi_chain ed25519 "
	  "tls1_0 tls1_1 keylog exporter groups sigalgs verified_chain "
	  "pinning verify_callback optional_client_cert sessions crl "
	  "ocsp_staple ocsp_check dh_floor",
	  { { "cipher_order", "a GnuTLS priority string orders suites by key "
	                    "exchange, then cipher, then MAC: not every order "
	                    "can be reproduced (such lists are refused)" } } },
	{ "mbedtls",
	  "client server alpn sni_callback tls1_2 no_validation system_trust "
	  "cipher_order client_cert key_password multi_chain tls1_0 tls1_1 "
	  "sessions verified_chain pinning verify_callback "
	  "optional_client_cert keylog exporter groups sigalgs crl",
	  { { "tls1_3", "mbedTLS 2.28 has no TLS 1.3 (only an experimental, "
	              "incomplete prototype that distributions do not build)" },
	    { "ed25519", "mbedTLS 2.28 has no EdDSA: Ed25519 keys and "
	               "certificates are refused" },
	    { "ocsp_check", "mbedTLS 2.28 has no API to ask for or read a "
	                  "stapled OCSP response (status_request)" },
	    { "ocsp_staple", "mbedTLS 2.28 has no API to send a stapled OCSP "
	                   "response" },
	    { "dh_floor", "the engine could (mbedtls_ssl_conf_dhm_min_bitlen); "
	                "not implemented in this plugin yet: under a policy "
	                "with min_dh_bits the core leaves it no finite-field "
	                "DH suite" } } },
	{ "wolfssl",
	  "client server alpn sni_callback tls1_2 tls1_3 no_validation "
	  "system_trust cipher_order client_cert key_password multi_chain "
	  "ed25519 tls1_1 exporter groups sigalgs pinning verify_callback "
	  "optional_client_cert verified_chain sessions crl dh_floor",
	  { { "tls1_0", "Debian's wolfSSL is built without "
	              "WOLFSSL_ALLOW_TLSV10: it has no TLS 1.0 at all (a "
	              "build with it declares the bit)" },
	    { "keylog", "Debian's wolfSSL is built without "
	              "HAVE_SECRET_CALLBACK: the TLS 1.3 secrets never reach "
	              "the plugin, so it cannot log them" },
	    { "ocsp_staple", "a wolfSSL server staples only a response it "
	                   "fetched and accepted itself (against its own "
	                   "trust store) and keeps it until nextUpdate: a "
	                   "configured response cannot be sent as it is" },
	    { "ocsp_check", "a wolfSSL client checks a staple inside the "
	                  "handshake, keeps no copy the plugin can read and "
	                  "fails unknown, mismatched or stale ones alike: "
	                  "CHECK's \"unknown goes on\" cannot be honoured" } } },
};
#define NENGINES (sizeof(engines) / sizeof(engines[0]))

/* The plugins under test ($TLSPLUG_TEST_BACKENDS). */
#define MAX_BACKENDS 16
static struct tlsplug_registry *reg;
static const struct tlsplug_backend *backends[MAX_BACKENDS];
static char *paths[MAX_BACKENDS];
static char load_error[MAX_BACKENDS][512];
static size_t nbackends;
static char list[4096];

/* 1 if name is a word of the space-separated list. */
static int
in_list(const char *list_, const char *name)
{
	size_t n = strlen(name);
	const char *p = list_;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == list_ || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static const struct lack *
find_lack(const struct engine *e, const char *cap)
{
	size_t i;

	for (i = 0; i < sizeof(e->lacks) / sizeof(e->lacks[0]); i++)
		if (e->lacks[i].cap != NULL &&
		    strcmp(e->lacks[i].cap, cap) == 0)
			return &e->lacks[i];
	return NULL;
}

static const struct engine *
find_engine(const char *name)
{
	size_t i;

	for (i = 0; i < NENGINES; i++)
		if (strcmp(engines[i].name, name) == 0)
			return &engines[i];
	return NULL;
}

/* The table itself: every capability the core names is either declared or
 * lacked with a reason, never both; every name in the table is real. */
START_TEST(test_table_complete)
{
	const struct engine *e = &engines[_i];
	char word[64];
	const char *p;
	size_t i, len;
	int bit;

	for (bit = 0; bit < 64; bit++) {
		const char *name = tlsplug_capability_name(UINT64_C(1) << bit);
		const struct lack *l;
		int has;

		if (name == NULL)
			continue;
		has = in_list(e->has, name);
		l = find_lack(e, name);
		ck_assert_msg(has || l != NULL, "%s: capability %s is neither "
		              "declared nor lacked with a reason in the table",
		              e->name, name);
		ck_assert_msg(!(has && l != NULL), "%s: capability %s is both "
		              "declared and lacked", e->name, name);
		if (l != NULL)
			ck_assert_msg(l->why != NULL && strlen(l->why) > 5,
			              "%s lacks %s without a reason", e->name,
			              name);
	}
	for (p = e->has; *p != '\0'; p += len) {
		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (len == 0)
			break;
		ck_assert_uint_lt(len, sizeof(word));
		memcpy(word, p, len);
		word[len] = '\0';
		for (bit = 0; bit < 64; bit++) {
			const char *name =
				tlsplug_capability_name(UINT64_C(1) << bit);

			if (name != NULL && strcmp(name, word) == 0)
				break;
		}
		ck_assert_msg(bit < 64, "%s: \"%s\" in the table is no "
		              "capability name", e->name, word);
	}
	for (i = 0; i < sizeof(e->lacks) / sizeof(e->lacks[0]); i++) {
		if (e->lacks[i].cap == NULL)
			continue;
		for (bit = 0; bit < 64; bit++) {
			const char *name =
				tlsplug_capability_name(UINT64_C(1) << bit);

			if (name != NULL && strcmp(name, e->lacks[i].cap) == 0)
				break;
		}
		ck_assert_msg(bit < 64, "%s: lacked \"%s\" is no capability "
		              "name", e->name, e->lacks[i].cap);
	}
}
END_TEST

/* The built plugin declares exactly its row. */
START_TEST(test_declared_caps)
{
	const struct tlsplug_backend *b = backends[_i];
	const struct engine *e;
	uint64_t caps;
	const char *name;
	int bit;

	ck_assert_msg(b != NULL, "%s: plugin not loaded: %s", paths[_i],
	              load_error[_i]);
	name = tlsplug_backend_name(b);
	e = find_engine(name);
	ck_assert_msg(e != NULL, "engine %s has no row in the capability "
	              "table of tests/check_caps.c: add one", name);
	caps = tlsplug_backend_caps(b);
	for (bit = 0; bit < 64; bit++) {
		uint64_t cap = UINT64_C(1) << bit;
		const char *cn = tlsplug_capability_name(cap);
		const struct lack *l;

		if (cn == NULL) {
			ck_assert_msg((caps & cap) == 0, "%s declares bit "
			              "%d, which has no capability name", name,
			              bit);
			continue;
		}
		if (caps & cap) {
			l = find_lack(e, cn);
			ck_assert_msg(in_list(e->has, cn), "%s declares %s, "
			              "which the table says it lacks (%s)", name,
			              cn, l != NULL ? l->why : "no reason given");
		} else {
			ck_assert_msg(!in_list(e->has, cn), "%s no longer "
			              "declares %s", name, cn);
		}
	}
}
END_TEST

/* Loads every plugin of $TLSPLUG_TEST_BACKENDS.  Returns 0, 77 when none
 * was built, 99 on a hard error. */
static int
load_backends(void)
{
	const char *env = getenv("TLSPLUG_TEST_BACKENDS");
	struct tlsplug_error *err = NULL;
	char *tok, *save = NULL;
	size_t i;

	if (env == NULL || strspn(env, " ") == strlen(env)) {
		fprintf(stderr, "no backend was built (TLSPLUG_TEST_BACKENDS "
		        "is empty): skipped\n");
		return 77;
	}
	snprintf(list, sizeof(list), "%s", env);
	for (tok = strtok_r(list, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		if (nbackends == MAX_BACKENDS) {
			fprintf(stderr, "too many backends\n");
			return 99;
		}
		paths[nbackends++] = tok;
	}
	if (tlsplug_registry_new(NULL, &reg, &err) != TLSPLUG_OK) {
		fprintf(stderr, "registry: %s\n", tlsplug_error_message(err));
		tlsplug_error_free(err);
		return 99;
	}
	for (i = 0; i < nbackends; i++) {
		err = NULL;
		if (tlsplug_registry_load_file(reg, paths[i], &backends[i],
		                               &err) != TLSPLUG_OK) {
			snprintf(load_error[i], sizeof(load_error[i]), "%s",
			         err != NULL ? tlsplug_error_message(err) :
			         "cannot load");
			backends[i] = NULL;
		}
		tlsplug_error_free(err);
	}
	return 0;
}

int
main(void)
{
	Suite *s = suite_create("caps");
	TCase *tc;
	SRunner *sr;
	int rc, failed;

	rc = load_backends();
	if (rc != 0) {
		tlsplug_registry_free(reg);
		return rc;
	}
	tc = tcase_create("table");
	tcase_add_loop_test(tc, test_table_complete, 0, (int)NENGINES);
	suite_add_tcase(s, tc);
	tc = tcase_create("plugins");
	tcase_add_loop_test(tc, test_declared_caps, 0, (int)nbackends);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	tlsplug_registry_free(reg);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
