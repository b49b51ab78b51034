/*
 * check_policy.c -- the system policy ([policy] in the system config
 * file): parsing and its diagnostics (file and line), the section refused
 * outside the system file, the allowed-groups check on its own, and the
 * floor applied to contexts of every built backend: a config below it is
 * refused naming the policy file and line, defaults are raised, and the
 * engines then honour the raised values in real handshakes; the allowed
 * groups on every engine (the config's, the configuration files'
 * defaults, an SNI callback's config; the policy's own list when none is
 * set).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tlsplug/tlsplug.h>

#include "ck_run.h"
#include "conffile.h"
#include "internal.h"
#include "policy.h"
#include "registry.h"

static char tmpdir[] = "/tmp/tlsplug-policy.XXXXXX";
static char certdir[PATH_MAX / 2];
static const char *backend_paths[16];
static size_t nbackend_paths;
static char backend_list[4096];

/* ---- parsing -------------------------------------------------------- */

static void
parse(const char *text, bool allowed, struct tlsplug__conf *c)
{
	memset(c, 0, sizeof(*c));
	c->policy_allowed = allowed;
	ck_assert_int_eq(tlsplug__conf_parse(text, strlen(text), "/etc/t.conf",
	                                     NULL, c), TLSPLUG_OK);
}

START_TEST(test_parse_good)
{
	struct tlsplug__conf c;
	const uint16_t *ids;
	const char *const *groups;
	unsigned line;

	parse("[default]\nbackend = openssl\n[policy]\nmin_version = 1.3\n"
	      "ciphers = TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256\n"
	      "groups = X25519 , secp384r1\nmin_rsa_bits = 3072\n"
	      "min_dh_bits = 2048\n", true, &c);
	ck_assert_uint_eq(c.ndiags, 0);
	ck_assert_ptr_nonnull(c.policy);
	ck_assert_str_eq(tlsplug_policy_file(c.policy), "/etc/t.conf");
	ck_assert_int_eq(tlsplug_policy_min_version(c.policy, &line),
	                 TLSPLUG_VERSION_TLSv1_3);
	ck_assert_uint_eq(line, 4);
	ck_assert_uint_eq(tlsplug_policy_ciphers(c.policy, &ids, &line), 2);
	ck_assert_uint_eq(ids[0], 0x1302);
	ck_assert_uint_eq(ids[1], 0x1303);
	ck_assert_uint_eq(line, 5);
	ck_assert_uint_eq(tlsplug_policy_groups(c.policy, &groups, &line), 2);
	ck_assert_str_eq(groups[0], "x25519");
	ck_assert_str_eq(groups[1], "secp384r1");
	ck_assert_uint_eq(line, 6);
	ck_assert_uint_eq(tlsplug_policy_min_rsa_bits(c.policy, &line), 3072);
	ck_assert_uint_eq(line, 7);
	ck_assert_uint_eq(tlsplug_policy_min_dh_bits(c.policy, &line), 2048);
	ck_assert_uint_eq(line, 8);
	/* The backend line still counts. */
	ck_assert_str_eq(c.backend.value, "openssl");
	tlsplug__conf_clear(&c);

	/* No policy: NULL, and every accessor copes. */
	ck_assert_ptr_null(tlsplug_registry_policy(NULL));
	ck_assert_ptr_null(tlsplug_policy_file(NULL));
	ck_assert_int_eq(tlsplug_policy_min_version(NULL, &line),
	                 TLSPLUG_VERSION_NONE);
	ck_assert_uint_eq(line, 0);
	ck_assert_uint_eq(tlsplug_policy_ciphers(NULL, &ids, NULL), 0);
	ck_assert_uint_eq(tlsplug_policy_min_dh_bits(NULL, NULL), 0);
}
END_TEST

/* Each bad line: one diagnostic naming the file and its line. */
static const struct {
	const char *line;
	const char *needle;
} bad_lines[] = {
	{ "min_verison = 1.3", "unknown policy key 'min_verison'" },
	{ "min_version = 1.9", "min_version: '1.9' is not a TLS version" },
	{ "ciphers = TLS_AES_128_GCM_SHA256, TLS_NOPE",
	  "unknown cipher suite 'TLS_NOPE'" },
	{ "groups = x25519, curve9", "unknown group 'curve9'" },
	{ "min_rsa_bits = 2k", "'2k' is not a number of bits" },
	{ "min_dh_bits = 64", "'64' is not a number of bits" },
	{ "ciphers = ,", "ciphers: empty list" },
};

START_TEST(test_parse_bad_line)
{
	struct tlsplug__conf c;
	char text[256], want[64];
	struct tlsplug_error e = { .alert = -1 };
	uint16_t *ciphers = NULL;
	struct tlsplug_bconfig view;

	snprintf(text, sizeof(text), "[policy]\nmin_version = 1.2\n%s\n"
	         "min_rsa_bits = 2048\n", bad_lines[_i].line);
	parse(text, true, &c);
	ck_assert_uint_eq(c.ndiags, 1);
	ck_assert_msg(strncmp(c.diags[0], "/etc/t.conf:3: ", 15) == 0 &&
	              strstr(c.diags[0], bad_lines[_i].needle) != NULL,
	              "diagnostic '%s' lacks '%s'", c.diags[0],
	              bad_lines[_i].needle);
	/* The lines around it are read... */
	ck_assert_uint_eq(tlsplug_policy_min_rsa_bits(c.policy, NULL), 2048);
	/* ... but a policy missing a line refuses every context. */
	memset(&view, 0, sizeof(view));
	ck_assert_int_eq(tlsplug__policy_apply(c.policy, NULL, TLSPLUG_CLIENT,
	                 tlsplug_config_default(), &view, &ciphers, &e),
	                 TLSPLUG_ERR_POLICY);
	snprintf(want, sizeof(want), "/etc/t.conf:3: ");
	ck_assert_ptr_nonnull(strstr(e.message, want));
	ck_assert_ptr_null(ciphers);
	tlsplug__conf_clear(&c);
}
END_TEST

START_TEST(test_policy_only_in_system_file)
{
	struct tlsplug__conf c;

	parse("[default]\nbackend = gnutls\n[policy]\nmin_version = 1.0\n",
	      false, &c);
	ck_assert_ptr_null(c.policy);
	ck_assert_uint_eq(c.ndiags, 1);
	ck_assert_str_eq(c.diags[0], "/etc/t.conf:3: [policy] is honoured only "
	                 "in the system config file, not here: remove it (the "
	                 "section is ignored)");
	ck_assert_str_eq(c.backend.value, "gnutls");
	tlsplug__conf_clear(&c);
}
END_TEST

/* ---- groups, on their own ------------------------------------------- */

START_TEST(test_groups)
{
	const char *ok[] = { "x25519", "SECP256R1" };
	const char *bad[] = { "x25519", "ffdhe2048" };
	const char *const *out;
	struct tlsplug__conf c;
	struct tlsplug_error *err = NULL;
	struct tlsplug_error e = { .alert = -1 };
	size_t n;

	parse("[policy]\ngroups = x25519, secp256r1\n", true, &c);
	ck_assert_int_eq(tlsplug_policy_check_groups(c.policy, ok, 2, &err),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_policy_check_groups(c.policy, bad, 2, &err),
	                 TLSPLUG_ERR_POLICY);
	ck_assert_str_eq(tlsplug_error_message(err), "group ffdhe2048 is not "
	                 "allowed by the system policy (/etc/t.conf:2)");
	tlsplug_error_free(err);
	err = NULL;
	/* None configured: allowed, and the policy's list is used. */
	ck_assert_int_eq(tlsplug_policy_check_groups(c.policy, NULL, 0, &err),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug__policy_groups(c.policy, NULL, 0, &out, &n,
	                 &e), TLSPLUG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[1], "secp256r1");
	ck_assert_int_eq(tlsplug__policy_groups(c.policy, ok, 2, &out, &n, &e),
	                 TLSPLUG_OK);
	ck_assert_ptr_eq(out, ok);
	ck_assert_int_eq(tlsplug_policy_check_groups(c.policy, NULL, 1, &err),
	                 TLSPLUG_ERR_INVALID);
	tlsplug_error_free(err);
	tlsplug__conf_clear(&c);
	/* No policy, or one without groups: anything goes. */
	ck_assert_int_eq(tlsplug_policy_check_groups(NULL, bad, 2, NULL),
	                 TLSPLUG_OK);
	parse("[policy]\nmin_version = 1.2\n", true, &c);
	ck_assert_int_eq(tlsplug_policy_check_groups(c.policy, bad, 2, NULL),
	                 TLSPLUG_OK);
	tlsplug__conf_clear(&c);
}
END_TEST

/* ---- the floor on real engines -------------------------------------- */

/* A registry whose system file holds text, with backend i loaded. */
static struct tlsplug_registry *
registry_with(const char *text, size_t i, const struct tlsplug_backend **b)
{
	char path[PATH_MAX];
	struct tlsplug_registry *r = NULL;
	struct tlsplug_error *err = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tlsplug.conf", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(tlsplug__registry_new_ex(NULL, path, &r, &err),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_registry_load_file(r, backend_paths[i], b,
	                 &err), TLSPLUG_OK);
	return r;
}

static struct tlsplug_config *
config(const char *chain, const char *key, enum tlsplug_version min,
       enum tlsplug_version max, const uint16_t *ids, size_t nids)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_trust_store *t = NULL;
	struct tlsplug_config *c = NULL;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/ca.pem", certdir);
	ck_assert_int_eq(tlsplug_trust_store_from_file(path, &t, NULL),
	                 TLSPLUG_OK);
	if (chain != NULL) {
		struct tlsplug_certificate *cert = NULL;
		struct tlsplug_private_key *k = NULL;

		snprintf(path, sizeof(path), "%s/%s", certdir, chain);
		ck_assert_int_eq(tlsplug_certificate_from_file(path, &cert,
		                 NULL), TLSPLUG_OK);
		snprintf(path, sizeof(path), "%s/%s", certdir, key);
		ck_assert_int_eq(tlsplug_private_key_from_file(path, &k, NULL),
		                 TLSPLUG_OK);
		tlsplug_config_builder_add_cert_chain(b, cert, NULL, k);
		tlsplug_certificate_unref(cert);
		tlsplug_private_key_unref(k);
	} else {
		tlsplug_config_builder_set_trust_store(b, t);
	}
	if (min != 0)
		tlsplug_config_builder_set_min_version(b, min);
	if (max != 0)
		tlsplug_config_builder_set_max_version(b, max);
	if (nids > 0)
		tlsplug_config_builder_set_ciphers(b, ids, nids);
	tlsplug_trust_store_unref(t);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c), TLSPLUG_OK);
	tlsplug_config_builder_free(b);
	return c;
}

/* Expects context_new to fail with POLICY, the message holding needle. */
static void
refused(const struct tlsplug_backend *b, enum tlsplug_role role,
        struct tlsplug_config *cfg, const char *needle)
{
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *err = NULL;

	ck_assert_int_eq(tlsplug_context_new(b, role, cfg, &ctx, &err),
	                 TLSPLUG_ERR_POLICY);
	ck_assert_ptr_null(ctx);
	ck_assert_msg(strstr(tlsplug_error_message(err), needle) != NULL,
	              "'%s' lacks '%s'", tlsplug_error_message(err), needle);
	tlsplug_error_free(err);
	tlsplug_config_unref(cfg);
}

static struct tlsplug_context *
context(const struct tlsplug_backend *b, enum tlsplug_role role,
        struct tlsplug_config *cfg)
{
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *err = NULL;
	int rc = tlsplug_context_new(b, role, cfg, &ctx, &err);

	ck_assert_msg(rc == TLSPLUG_OK, "context: %s",
	              err != NULL ? tlsplug_error_message(err) : "?");
	tlsplug_config_unref(cfg);
	return ctx;
}

static void
move(struct tlsplug_conn *from, struct tlsplug_conn *to)
{
	const void *d;
	size_t n = tlsplug_conn_peek_outgoing(from, &d);

	if (n > 0) {
		ck_assert_int_eq(tlsplug_conn_receive_from_network(to, d, n),
		                 TLSPLUG_OK);
		tlsplug_conn_consume_outgoing(from, n);
	}
}

/* A handshake between the contexts; returns the client's outcome (its
 * first error, or OK once both are done). */
static int
handshake(struct tlsplug_context *cctx, struct tlsplug_context *sctx,
          struct tlsplug_conn **cout)
{
	struct tlsplug_conn *c = NULL, *s = NULL;
	int crc = TLSPLUG_WANT_READ, src = TLSPLUG_WANT_READ;

	ck_assert_int_eq(tlsplug_conn_new(cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_new(sctx, NULL, &s, NULL), TLSPLUG_OK);
	for (int i = 0; i < 50 && (crc > 0 || src > 0); i++) {
		if (crc > 0)
			crc = tlsplug_conn_handshake(c);
		move(c, s);
		if (src > 0)
			src = tlsplug_conn_handshake(s);
		move(s, c);
		if (src < 0 && crc > 0)
			crc = tlsplug_conn_handshake(c);
	}
	tlsplug_conn_free(s);
	*cout = c;
	return crc;
}

/* Prints that backend b sits out a check for want of capability cap
 * (the log says what did not run). */
static void
note_lacks(const struct tlsplug_backend *b, uint64_t cap, const char *what)
{
	fprintf(stderr, "note: %s lacks %s: skipped %s\n",
	        tlsplug_backend_name(b), tlsplug_capability_name(cap), what);
}

/* The version floor `floor` on backend i: a config going to `below` is
 * refused naming the line, the default is raised and honoured against a
 * server (no policy) that speaks `below` at most, and one that speaks the
 * floor gets it. */
static void
floor_versions(size_t i, enum tlsplug_version floor,
               enum tlsplug_version below)
{
	const struct tlsplug_backend *b, *plain;
	struct tlsplug_registry *r, *r2;
	struct tlsplug_context *cctx, *sctx;
	struct tlsplug_conn *c;
	char text[128], msg[160];
	int rc;

	snprintf(text, sizeof(text), "[policy]\n# the floor\nmin_version = "
	         "%s\n", floor == TLSPLUG_VERSION_TLSv1_3 ? "1.3" : "1.2");
	r = registry_with(text, i, &b);
	/* Explicitly below: refused, naming the file and line. */
	snprintf(msg, sizeof(msg), "lowest version %s is below the system "
	         "policy's min_version %s (", tlsplug_version_name(below),
	         tlsplug_version_name(floor));
	refused(b, TLSPLUG_CLIENT, config(NULL, NULL, below, 0, NULL, 0), msg);
	refused(b, TLSPLUG_SERVER, config("ecdsa.pem", "ecdsa.key", below,
	        below, NULL, 0), "tlsplug.conf:3)");
	/* Left at the default: raised, and the engine honours it against a
	 * server (no policy) that offers `below` at most. */
	cctx = context(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0, NULL, 0));
	ck_assert_int_eq(tlsplug__context_bconfig(cctx)->min_version, floor);
	r2 = registry_with("", i, &plain);
	sctx = context(plain, TLSPLUG_SERVER, config("ecdsa.pem", "ecdsa.key",
	               below, below, NULL, 0));
	rc = handshake(cctx, sctx, &c);
	ck_assert_msg(rc < 0, "handshake under a %s floor with a %s server: "
	              "%s", tlsplug_version_name(floor),
	              tlsplug_version_name(below), tlsplug_status_name(rc));
	tlsplug_conn_free(c);
	tlsplug_context_unref(sctx);
	/* ... and works with one that speaks the floor. */
	sctx = context(plain, TLSPLUG_SERVER, config("ecdsa.pem", "ecdsa.key",
	               0, floor, NULL, 0));
	ck_assert_int_eq(handshake(cctx, sctx, &c), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_version(c), floor);
	tlsplug_conn_free(c);
	tlsplug_context_unref(sctx);
	tlsplug_context_unref(cctx);
	tlsplug_registry_free(r2);
	tlsplug_registry_free(r);
}

START_TEST(test_floor_versions)
{
	const struct tlsplug_backend *b;
	struct tlsplug_registry *r;
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_config *cfg;
	struct tlsplug_error *err = NULL;
	uint64_t caps;

	r = registry_with("[policy]\n# TLS 1.3 only\nmin_version = 1.3\n", _i,
	                  &b);
	caps = tlsplug_backend_caps(b);
	if (caps & TLSPLUG_CAP_TLS1_3) {
		tlsplug_registry_free(r);
		floor_versions((size_t)_i, TLSPLUG_VERSION_TLSv1_3,
		               TLSPLUG_VERSION_TLSv1_2);
		return;
	}
	/* Without TLS 1.3, a TLS 1.3 floor leaves it nothing: every
	 * context is refused, never made to speak a lower version. */
	cfg = config(NULL, NULL, 0, 0, NULL, 0);
	ck_assert_int_lt(tlsplug_context_new(b, TLSPLUG_CLIENT, cfg, &ctx,
	                 &err), 0);
	ck_assert_ptr_null(ctx);
	tlsplug_error_free(err);
	tlsplug_config_unref(cfg);
	/* The floor itself, one version lower, where there is one. */
	note_lacks(b, TLSPLUG_CAP_TLS1_3, "the TLS 1.3 floor (a TLS 1.2 "
	           "floor instead)");
	if (!(caps & TLSPLUG_CAP_TLS1_1))
		note_lacks(b, TLSPLUG_CAP_TLS1_1, "the TLS 1.2 floor "
		           "against a TLS 1.1 server");
	tlsplug_registry_free(r);
	if (caps & TLSPLUG_CAP_TLS1_1)
		floor_versions((size_t)_i, TLSPLUG_VERSION_TLSv1_2,
		               TLSPLUG_VERSION_TLSv1_1);
}
END_TEST

START_TEST(test_floor_ciphers)
{
	static const uint16_t aes128[] = { 0x1301 };
	const struct tlsplug_backend *b, *plain;
	struct tlsplug_registry *r, *r2;
	struct tlsplug_context *cctx, *sctx;
	const struct tlsplug_bconfig *v;
	struct tlsplug_conn *c;
	uint16_t got;

	r = registry_with("[policy]\nciphers = TLS_AES_256_GCM_SHA384, "
	                  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n", _i, &b);
	refused(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0, aes128, 1),
	        "cipher suite TLS_AES_128_GCM_SHA256 is not allowed by the "
	        "system policy (");
	cctx = context(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0, NULL, 0));
	v = tlsplug__context_bconfig(cctx);
	ck_assert_uint_gt(v->nciphers, 0);
	for (size_t i = 0; i < v->nciphers; i++)
		ck_assert(v->ciphers[i] == 0x1302 || v->ciphers[i] == 0xC02C);
	r2 = registry_with("", _i, &plain);
	sctx = context(plain, TLSPLUG_SERVER, config("ecdsa.pem", "ecdsa.key",
	               0, 0, NULL, 0));
	ck_assert_int_eq(handshake(cctx, sctx, &c), TLSPLUG_OK);
	got = tlsplug_conn_cipher(c);
	ck_assert_msg(got == 0x1302 || got == 0xC02C, "negotiated 0x%04X",
	              got);
	tlsplug_conn_free(c);
	tlsplug_context_unref(sctx);
	tlsplug_context_unref(cctx);
	tlsplug_registry_free(r2);
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_floor_rsa)
{
	const struct tlsplug_backend *b, *plain;
	struct tlsplug_registry *r, *r2;
	struct tlsplug_context *cctx, *sctx;
	const struct tlsplug_error *e;
	struct tlsplug_conn *c;

	r = registry_with("[policy]\nmin_rsa_bits = 3072\nmin_dh_bits = 3072\n",
	                  _i, &b);
	/* Our own chain. */
	refused(b, TLSPLUG_SERVER, config("rsa.pem", "rsa.key", 0, 0, NULL, 0),
	        "has a 2048-bit RSA key, below the system policy's "
	        "min_rsa_bits 3072 (");
	/* The DH floor: an engine that holds itself to it gets it; on one
	 * that cannot, the core leaves no finite-field DH suite (and
	 * refuses a configured one). */
	{
		static const uint16_t dhe[] = { 0xC02F, 0x009E };
		const struct tlsplug_bconfig *v;

		cctx = context(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0,
		               NULL, 0));
		v = tlsplug__context_bconfig(cctx);
		if (tlsplug_backend_caps(b) & TLSPLUG_CAP_DH_FLOOR) {
			ck_assert_uint_eq(v->nciphers, 0);
		} else {
			note_lacks(b, TLSPLUG_CAP_DH_FLOOR, "its engine's DH "
			           "floor (the core's suite list checked)");
			ck_assert_uint_gt(v->nciphers, 0);
			for (size_t i = 0; i < v->nciphers; i++) {
				const char *n = tlsplug_cipher_suite_name(
				    v->ciphers[i]);

				ck_assert_msg(n != NULL &&
				    strncmp(n, "TLS_DHE_", 8) != 0 &&
				    strncmp(n, "TLS_DH_", 7) != 0,
				    "suite 0x%04X left under a DH floor",
				    v->ciphers[i]);
			}
			refused(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0,
			        dhe, 2), "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 "
			        "uses finite-field Diffie-Hellman");
		}
		tlsplug_context_unref(cctx);
	}
	/* The peer's. */
	cctx = context(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0, NULL, 0));
	ck_assert_uint_eq(tlsplug__context_bconfig(cctx)->min_dh_bits, 3072);
	r2 = registry_with("", _i, &plain);
	sctx = context(plain, TLSPLUG_SERVER, config("rsa.pem", "rsa.key", 0,
	               0, NULL, 0));
	ck_assert_int_eq(handshake(cctx, sctx, &c), TLSPLUG_ERR_POLICY);
	e = tlsplug_conn_error(c);
	ck_assert_msg(strstr(tlsplug_error_message(e), "the peer's certificate "
	              "has a 2048-bit RSA key") != NULL, "%s",
	              tlsplug_error_message(e));
	tlsplug_conn_free(c);
	tlsplug_context_unref(sctx);
	/* An ECDSA chain is not concerned. */
	sctx = context(plain, TLSPLUG_SERVER, config("ecdsa.pem", "ecdsa.key",
	               0, 0, NULL, 0));
	ck_assert_int_eq(handshake(cctx, sctx, &c), TLSPLUG_OK);
	tlsplug_conn_free(c);
	tlsplug_context_unref(sctx);
	tlsplug_context_unref(cctx);
	tlsplug_registry_free(r2);
	tlsplug_registry_free(r);
}
END_TEST

/* A config as config() makes it, with key-exchange groups by name. */
static struct tlsplug_config *
config_groups(const char *chain, const char *key, const char *const *names,
              size_t n)
{
	struct tlsplug_config *base = config(chain, key, 0, 0, NULL, 0);
	struct tlsplug_config_builder *b = tlsplug_config_edit(base);
	struct tlsplug_config *c = NULL;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(tlsplug_config_builder_set_groups(b, names, n),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(b, &c), TLSPLUG_OK);
	tlsplug_config_builder_free(b);
	tlsplug_config_unref(base);
	return c;
}

/* SNI callback: continues with the config in user_data. */
static struct tlsplug_config *
sni_other(struct tlsplug_conn *conn, const char *name,
          const struct tlsplug_config *original, void *user_data)
{
	(void)conn;
	(void)name;
	(void)original;
	return tlsplug_config_ref(user_data);
}

START_TEST(test_floor_groups)
{
	static const char *const p256[] = { "secp256r1" };
	static const char *const x25519[] = { "X25519" };
	const struct tlsplug_backend *b, *plain;
	struct tlsplug_registry *r, *r2;
	struct tlsplug_context *cctx, *sctx;
	struct tlsplug_config *other, *base, *scfg = NULL;
	struct tlsplug_config_builder *sb;
	const struct tlsplug_bconfig *v;
	struct tlsplug_conn *c;

	r = registry_with("[policy]\ngroups = secp384r1, x25519\n", _i, &b);
	if (!(tlsplug_backend_caps(b) & TLSPLUG_CAP_GROUPS)) {
		/* It cannot set groups at all: a config with groups is
		 * refused for that, one without for the policy (it cannot
		 * be held to the allowed groups). */
		struct tlsplug_context *ctx = NULL;
		struct tlsplug_error *err = NULL;

		ck_assert_int_eq(tlsplug_context_new(b, TLSPLUG_CLIENT,
		                 other = config_groups(NULL, NULL, x25519, 1),
		                 &ctx, &err), TLSPLUG_ERR_UNSUPPORTED);
		ck_assert_ptr_nonnull(strstr(tlsplug_error_message(err),
		                             "(groups)"));
		tlsplug_error_free(err);
		tlsplug_config_unref(other);
		refused(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0, NULL, 0),
		        "tlsplug.conf:2)");
		refused(b, TLSPLUG_SERVER, config("ecdsa.pem", "ecdsa.key",
		        0, 0, NULL, 0), "tlsplug.conf:2)");
		note_lacks(b, TLSPLUG_CAP_GROUPS, "the allowed groups in "
		           "handshakes (its contexts are refused instead)");
		tlsplug_registry_free(r);
		return;
	}
	/* A configured group outside the policy: refused, naming it. */
	refused(b, TLSPLUG_CLIENT, config_groups(NULL, NULL, p256, 1),
	        "group secp256r1 is not allowed by the system policy (");
	refused(b, TLSPLUG_SERVER, config_groups("ecdsa.pem", "ecdsa.key",
	        p256, 1), "tlsplug.conf:2)");
	/* Allowed ones stay as configured. */
	cctx = context(b, TLSPLUG_CLIENT, config_groups(NULL, NULL, x25519, 1));
	v = tlsplug__context_bconfig(cctx);
	ck_assert_uint_eq(v->ngroups, 1);
	ck_assert_uint_eq(v->groups[0], 0x001d);
	tlsplug_context_unref(cctx);
	/* None configured: the policy's groups, in its order... */
	cctx = context(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0, NULL, 0));
	v = tlsplug__context_bconfig(cctx);
	ck_assert_uint_eq(v->ngroups, 2);
	ck_assert_uint_eq(v->groups[0], 0x0018);
	ck_assert_uint_eq(v->groups[1], 0x001d);
	/* ... which the engine honours: a server (no policy) that has only
	 * secp256r1 shares none; one with its defaults gets the policy's
	 * first choice.  (An ECDSA chain for the first, so that no suite
	 * without ECDHE is left at TLS 1.2; an RSA chain for the second:
	 * at TLS 1.2 the client's groups would also rule out a P-256 ECDSA
	 * certificate, RFC 8422.) */
	r2 = registry_with("", _i, &plain);
	sctx = context(plain, TLSPLUG_SERVER, config_groups("ecdsa.pem",
	               "ecdsa.key", p256, 1));
	ck_assert_int_lt(handshake(cctx, sctx, &c), 0);
	tlsplug_conn_free(c);
	tlsplug_context_unref(sctx);
	sctx = context(plain, TLSPLUG_SERVER, config("rsa.pem", "rsa.key",
	               0, 0, NULL, 0));
	ck_assert_int_eq(handshake(cctx, sctx, &c), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug_conn_group(c), 0x0018);
	tlsplug_conn_free(c);
	tlsplug_context_unref(sctx);
	tlsplug_context_unref(cctx);
	/* A server whose SNI callback picks a config with a group outside
	 * the policy: that config is held to it too, and the handshake
	 * fails. */
	other = config_groups("ecdsa.pem", "ecdsa.key", p256, 1);
	base = config("ecdsa.pem", "ecdsa.key", 0, 0, NULL, 0);
	sb = tlsplug_config_edit(base);
	ck_assert_int_eq(tlsplug_config_builder_set_sni_callback(sb, sni_other,
	                 other), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(sb, &scfg), TLSPLUG_OK);
	tlsplug_config_builder_free(sb);
	tlsplug_config_unref(base);
	sctx = context(b, TLSPLUG_SERVER, scfg);
	cctx = context(plain, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0, NULL,
	               0));
	ck_assert_int_lt(handshake(cctx, sctx, &c), 0);
	tlsplug_conn_free(c);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
	tlsplug_config_unref(other);
	tlsplug_registry_free(r2);
	tlsplug_registry_free(r);
	/* The configuration files' default groups are held to the policy
	 * too. */
	r = registry_with("[default]\ngroups = secp256r1\n"
	                  "[policy]\ngroups = x25519\n", _i, &b);
	refused(b, TLSPLUG_CLIENT, config(NULL, NULL, 0, 0, NULL, 0),
	        "group secp256r1 is not allowed by the system policy (");
	tlsplug_registry_free(r);
}
END_TEST

START_TEST(test_spki_rsa_bits)
{
	char path[PATH_MAX];
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_blob blob;
	unsigned char *der;
	size_t len;

	/* Read through the handle, as the core does. */
	snprintf(path, sizeof(path), "%s/rsa.der", certdir);
	ck_assert_int_eq(tlsplug_certificate_from_file(path, &cert, NULL),
	                 TLSPLUG_OK);
	tlsplug__certificate_blob(cert, &blob);
	der = (unsigned char *)blob.data;
	len = blob.len;
	{
		struct tlsplug_config *cfg;
		struct tlsplug_error e = { .alert = -1 };
		struct tlsplug__conf c;
		uint16_t *ciphers = NULL;
		struct tlsplug_bconfig view;
		struct tlsplug_bchain ch = { .certs = &blob, .ncerts = 1 };

		parse("[policy]\nmin_rsa_bits = 2049\n", true, &c);
		cfg = tlsplug_config_default();
		memset(&view, 0, sizeof(view));
		view.chains = &ch;
		view.nchains = 1;
		ck_assert_int_eq(tlsplug__policy_apply(c.policy, NULL,
		                 TLSPLUG_SERVER, cfg, &view, &ciphers, &e),
		                 TLSPLUG_ERR_POLICY);
		ck_assert_ptr_nonnull(strstr(e.message, "2048-bit"));
		tlsplug__conf_clear(&c);
		parse("[policy]\nmin_rsa_bits = 2048\n", true, &c);
		ck_assert_int_eq(tlsplug__policy_apply(c.policy, NULL,
		                 TLSPLUG_SERVER, cfg, &view, &ciphers, &e),
		                 TLSPLUG_OK);
		tlsplug__conf_clear(&c);
	}
	/* A whole certificate, or a piece of one, is not an SPKI. */
	ck_assert_uint_eq(tlsplug__spki_rsa_bits(der, 3), 0);
	ck_assert_uint_eq(tlsplug__spki_rsa_bits(der, len), 0);
	tlsplug_certificate_unref(cert);
}
END_TEST

static void
setup_once(void)
{
	char cmd[PATH_MAX * 2 + 64];
	const char *src = getenv("top_srcdir");
	const char *list = getenv("TLSPLUG_TEST_BACKENDS");
	char *tok, *save = NULL;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	/* No user config file of the machine's. */
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	unsetenv("TLSPLUG_CONF");
	snprintf(certdir, sizeof(certdir), "%s/certs", tmpdir);
	snprintf(cmd, sizeof(cmd), "sh %s/tools/tlsplug-gen-test-certs %s "
	         ">/dev/null 2>&1", src != NULL ? src : ".", certdir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make certificates: %s\n", cmd);
		exit(99);
	}
	snprintf(backend_list, sizeof(backend_list), "%s",
	         list != NULL ? list : "");
	for (tok = strtok_r(backend_list, " ", &save);
	     tok != NULL && nbackend_paths < 16;
	     tok = strtok_r(NULL, " ", &save))
		backend_paths[nbackend_paths++] = tok;
}

static void
teardown_once(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	(void)system(cmd);
}

int
main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	setup_once();
	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad_line, 0,
	                    sizeof(bad_lines) / sizeof(bad_lines[0]));
	tcase_add_test(tc, test_policy_only_in_system_file);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_spki_rsa_bits);
	suite_add_tcase(s, tc);
	tc = tcase_create("engines");
	tcase_set_timeout(tc, 30);
	if (nbackend_paths == 0) {
		fprintf(stderr, "no backend was built: the floor is not tried "
		        "on an engine\n");
	} else {
		tcase_add_loop_test(tc, test_floor_versions, 0,
		                    (int)nbackend_paths);
		tcase_add_loop_test(tc, test_floor_ciphers, 0,
		                    (int)nbackend_paths);
		tcase_add_loop_test(tc, test_floor_rsa, 0, (int)nbackend_paths);
		tcase_add_loop_test(tc, test_floor_groups, 0,
		                    (int)nbackend_paths);
	}
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	teardown_once();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
