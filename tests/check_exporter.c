/*
 * check_exporter.c -- the core's side of keying material exporters,
 * channel bindings, key-exchange groups and signature algorithms, through
 * the null-cipher mock engine (tests/mock/nullcipher.c) given recording
 * entry points: the checks the core makes the same for every engine
 * (labels, lengths, handshake state), what reaches the plugin, the
 * tls-exporter binding's parameters (RFC 9266), IANA names, and the
 * refusal of a group or algorithm the engine does not list.  The engines
 * themselves are tested by the conformance suite and the interop matrix.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_testlib.h"
#include "internal.h"
#include "ck_run.h"

#define NULLCIPHER_NAME "mock"
#include "mock/nullcipher.c"

/* ---- recording entry points -------------------------------------------- */

static struct {
	int calls;
	char label[256];
	size_t label_len, context_len, len;
	int use_context;
	int fail;               /* next call fails with TLSPLUG_ERR_BACKEND */
} last;

static int
rec_export(void *priv, const char *label, size_t label_len,
           const unsigned char *context, size_t context_len,
           int use_context, unsigned char *out, size_t len,
           struct tlsplug_error *err)
{
	(void)priv;
	last.calls++;
	snprintf(last.label, sizeof(last.label), "%.*s", (int)label_len,
	         label);
	last.label_len = label_len;
	last.context_len = context_len;
	last.use_context = use_context;
	last.len = len;
	if (last.fail) {
		memset(out, 0xaa, len);
		return core->set_error(err, TLSPLUG_ERR_BACKEND, 7,
		                       "engine exporter broke");
	}
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)(label_len + context_len + i +
		                         (context != NULL ? context[0] : 0));
	return TLSPLUG_OK;
}

static uint16_t
rec_group(void *priv)
{
	return ((struct mock_conn *)priv)->state == 2 ? 0x001d : 0;
}

static size_t
list(const uint16_t *have, size_t n, uint16_t *ids, size_t max)
{
	for (size_t i = 0; i < n && i < max; i++)
		ids[i] = have[i];
	return n;
}

static size_t
rec_groups(uint16_t *ids, size_t max)
{
	static const uint16_t have[] = { 0x001d, 0x0017, 0x0100 };

	return list(have, 3, ids, max);
}

static size_t
rec_sigalgs(uint16_t *ids, size_t max)
{
	static const uint16_t have[] = { 0x0804, 0x0403 };

	return list(have, 2, ids, max);
}

static struct tlsplug_conn_ops full_conn_ops;
static const struct tlsplug_info_ops full_info_ops = {
	.groups = rec_groups,
	.sigalgs = rec_sigalgs,
};
static struct tlsplug_backend_descriptor full_desc = {
	NULLCIPHER_DESCRIPTOR_INIT
};
static struct tlsplug_backend full = {
	.name = (char *)"mock",
	.state = TLSPLUG_BACKEND_OK,
	.d = &full_desc,
};
/* The same engine without exporter, groups and sigalgs. */
static struct tlsplug_backend_descriptor bare_desc;
static struct tlsplug_backend bare = {
	.name = (char *)"bare",
	.state = TLSPLUG_BACKEND_OK,
	.d = &bare_desc,
};

/* ---- helpers ------------------------------------------------------------ */

static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\nS0tLSw==\n"
                              "-----END PRIVATE KEY-----\n";

static struct tlsplug_config_builder *
server_builder(void)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_private_key *k = NULL;
	unsigned char der[MOCKCERT_MAX];
	const char *san = "*.mock.test";
	size_t len = mockcert_der(der, san, NULL, &san, 1);

	ck_assert_int_eq(tlsplug_certificate_from_buffer(der, len, &c, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_private_key_from_buffer(key_pem,
	    strlen(key_pem), &k, NULL), TLSPLUG_OK);
	tlsplug_config_builder_add_cert_chain(b, c, NULL, k);
	tlsplug_certificate_unref(c);
	tlsplug_private_key_unref(k);
	return b;
}

struct pair {
	struct tlsplug_context *cctx, *sctx;
	struct tlsplug_conn *cl, *sv;
};

static void
pair_new(struct pair *p, const struct tlsplug_backend *be)
{
	p->sctx = context(be, TLSPLUG_SERVER, build(server_builder()));
	p->cctx = context(be, TLSPLUG_CLIENT,
	                  tlsplug_config_ref(tlsplug_config_default()));
	p->cl = conn(p->cctx, "www.mock.test");
	p->sv = conn(p->sctx, NULL);
}

static void
pair_free(struct pair *p)
{
	tlsplug_conn_free(p->cl);
	tlsplug_conn_free(p->sv);
	tlsplug_context_unref(p->cctx);
	tlsplug_context_unref(p->sctx);
}

static void
expect_error(struct tlsplug_conn *c, int rc, int code, const char *text)
{
	const struct tlsplug_error *e = tlsplug_conn_error(c);

	ck_assert_int_eq(rc, code);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(tlsplug_error_code(e), code);
	ck_assert_msg(strstr(tlsplug_error_message(e), text) != NULL,
	              "\"%s\" not in \"%s\"", text, tlsplug_error_message(e));
}

/* ---- exporters ---------------------------------------------------------- */

START_TEST(test_export_needs_the_handshake)
{
	struct pair p;
	unsigned char out[32];

	pair_new(&p, &full);
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, "EXP",
	             NULL, 0, out, 32), TLSPLUG_ERR_MISUSE,
	             "handshake is not done");
	ck_assert_int_eq(last.calls, 0);
	/* Not sticky: the handshake still works. */
	ck_assert_int_eq(handshake(p.cl, p.sv, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.cl, "EXP",
	                 NULL, 0, out, 32), TLSPLUG_OK);
	ck_assert_int_eq(last.calls, 1);
	pair_free(&p);
}
END_TEST

START_TEST(test_export_passes_label_and_context)
{
	struct pair p;
	unsigned char a[64], b[64];

	pair_new(&p, &full);
	ck_assert_int_eq(handshake(p.cl, p.sv, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.cl,
	                 "EXPERIMENTAL-tlsplug", NULL, 0, a, 64), TLSPLUG_OK);
	ck_assert_str_eq(last.label, "EXPERIMENTAL-tlsplug");
	ck_assert_uint_eq(last.label_len, 20);
	ck_assert_int_eq(last.use_context, 0);
	ck_assert_uint_eq(last.len, 64);
	/* An empty context is a context. */
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.cl,
	                 "EXPERIMENTAL-tlsplug", "", 0, b, 64), TLSPLUG_OK);
	ck_assert_int_eq(last.use_context, 1);
	ck_assert_uint_eq(last.context_len, 0);
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.sv,
	                 "EXPERIMENTAL-tlsplug", "ctx", 3, b, 64), TLSPLUG_OK);
	ck_assert_int_eq(last.use_context, 1);
	ck_assert_uint_eq(last.context_len, 3);
	ck_assert_ptr_null(tlsplug_conn_error(p.cl));
	pair_free(&p);
}
END_TEST

START_TEST(test_export_bad_arguments)
{
	static const char *const reserved[] = {
		"client finished", "server finished", "master secret",
		"key expansion", "extended master secret",
	};
	struct pair p;
	unsigned char out[TLSPLUG_EXPORTER_MAX + 1];
	char longlabel[251];
	char big[65536 + 1];
	size_t n;

	pair_new(&p, &full);
	ck_assert_int_eq(handshake(p.cl, p.sv, NULL), TLSPLUG_OK);
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, "",
	             NULL, 0, out, 32), TLSPLUG_ERR_INVALID, "label");
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, NULL,
	             NULL, 0, out, 32), TLSPLUG_ERR_INVALID, "label");
	memset(longlabel, 'x', 250);
	longlabel[250] = '\0';
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl,
	             longlabel, NULL, 0, out, 32), TLSPLUG_ERR_INVALID,
	             "1 to 249");
	longlabel[249] = '\0';
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.cl, longlabel,
	                 NULL, 0, out, 32), TLSPLUG_OK);
	for (size_t i = 0; i < 5; i++)
		expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl,
		             reserved[i], NULL, 0, out, 32),
		             TLSPLUG_ERR_INVALID, reserved[i]);
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, "EXP",
	             NULL, 0, out, 0), TLSPLUG_ERR_INVALID, "length");
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, "EXP",
	             NULL, 0, out, TLSPLUG_EXPORTER_MAX + 1),
	             TLSPLUG_ERR_INVALID, "length");
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.cl, "EXP",
	                 NULL, 0, out, TLSPLUG_EXPORTER_MAX), TLSPLUG_OK);
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, "EXP",
	             NULL, 4, out, 32), TLSPLUG_ERR_INVALID, "context");
	memset(big, 'c', sizeof(big));
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, "EXP",
	             big, 65536, out, 32), TLSPLUG_ERR_INVALID, "65535");
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.cl, "EXP",
	                 big, 65535, out, 32), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.cl, "EXP",
	                 NULL, 0, NULL, 32), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_conn_export_keying_material(NULL, "EXP",
	                 NULL, 0, out, 32), TLSPLUG_ERR_MISUSE);
	/* None of it ended the connection. */
	ck_assert_int_eq(tlsplug_conn_write(p.cl, "ok", 2, &n), TLSPLUG_OK);
	pair_free(&p);
}
END_TEST

START_TEST(test_export_engine_failure)
{
	struct pair p;
	unsigned char out[16];

	pair_new(&p, &full);
	ck_assert_int_eq(handshake(p.cl, p.sv, NULL), TLSPLUG_OK);
	last.fail = 1;
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, "EXP",
	             NULL, 0, out, 16), TLSPLUG_ERR_BACKEND,
	             "mock: engine exporter broke");
	last.fail = 0;
	/* The engine's bytes are not left behind. */
	for (size_t i = 0; i < 16; i++)
		ck_assert_uint_eq(out[i], 0);
	ck_assert_int_eq(tlsplug_error_native_code(tlsplug_conn_error(p.cl)),
	                 7);
	pair_free(&p);
}
END_TEST

START_TEST(test_channel_binding_tls_exporter)
{
	struct pair p;
	unsigned char a[40], b[32];
	size_t len = 99;

	pair_new(&p, &full);
	ck_assert_int_eq(handshake(p.cl, p.sv, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_channel_binding(p.cl, "tls-exporter",
	                 a, sizeof(a), &len), TLSPLUG_OK);
	ck_assert_uint_eq(len, 32);
	/* RFC 9266: this label, an empty context, 32 bytes. */
	ck_assert_str_eq(last.label, "EXPORTER-Channel-Binding");
	ck_assert_int_eq(last.use_context, 1);
	ck_assert_uint_eq(last.context_len, 0);
	ck_assert_uint_eq(last.len, 32);
	ck_assert_int_eq(tlsplug_conn_export_keying_material(p.sv,
	                 "EXPORTER-Channel-Binding", "", 0, b, 32), TLSPLUG_OK);
	ck_assert_mem_eq(a, b, 32);
	expect_error(p.cl, tlsplug_conn_channel_binding(p.cl, "tls-unique",
	             a, sizeof(a), &len), TLSPLUG_ERR_NOT_FOUND, "tls-unique");
	ck_assert_uint_eq(len, 0);
	expect_error(p.cl, tlsplug_conn_channel_binding(p.cl, "tls-exporter",
	             a, 31, &len), TLSPLUG_ERR_INVALID, "32 bytes");
	pair_free(&p);
}
END_TEST

START_TEST(test_export_without_capability)
{
	struct pair p;
	unsigned char out[32];
	size_t len;

	pair_new(&p, &bare);
	ck_assert_int_eq(handshake(p.cl, p.sv, NULL), TLSPLUG_OK);
	expect_error(p.cl, tlsplug_conn_export_keying_material(p.cl, "EXP",
	             NULL, 0, out, 32), TLSPLUG_ERR_UNSUPPORTED,
	             "bare does not support keying material exporters");
	expect_error(p.cl, tlsplug_conn_channel_binding(p.cl, "tls-exporter",
	             out, 32, &len), TLSPLUG_ERR_UNSUPPORTED, "exporters");
	ck_assert_uint_eq(tlsplug_conn_group(p.cl), 0);
	pair_free(&p);
}
END_TEST

/* ---- groups and signature algorithms ------------------------------------ */

START_TEST(test_names)
{
	uint16_t id = 0;

	ck_assert_int_eq(tlsplug_group_from_name("x25519", &id), TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x001d);
	ck_assert_int_eq(tlsplug_group_from_name("X25519", &id), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_group_from_name("P-256", &id), TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x0017);
	ck_assert_str_eq(tlsplug_group_name(0x0017), "secp256r1");
	ck_assert_int_eq(tlsplug_group_from_name("x25519mlkem768", &id),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x11ec);
	ck_assert_str_eq(tlsplug_group_name(id), "X25519MLKEM768");
	ck_assert(tlsplug_group_is_post_quantum(id));
	ck_assert(!tlsplug_group_is_post_quantum(0x001d));
	ck_assert_int_eq(tlsplug_group_from_name("ffdhe2048", &id),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x0100);
	ck_assert_int_eq(tlsplug_group_from_name("0x6399", &id), TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x6399);
	ck_assert_ptr_null(tlsplug_group_name(0x6399));
	ck_assert_int_eq(tlsplug_group_from_name("curve25519", &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_group_from_name("0x12345", &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_group_from_name(NULL, &id),
	                 TLSPLUG_ERR_NOT_FOUND);
	ck_assert_int_eq(tlsplug_sigalg_from_name("rsa_pss_rsae_sha256", &id),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x0804);
	ck_assert_str_eq(tlsplug_sigalg_name(0x0807), "ed25519");
	ck_assert_int_eq(tlsplug_sigalg_from_name("mldsa65", &id), TLSPLUG_OK);
	ck_assert_uint_eq(id, 0x0905);
	ck_assert_int_eq(tlsplug_sigalg_from_name("rsa-sha256", &id),
	                 TLSPLUG_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_set_groups_errors)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	const char *bad[] = { "x25519", "x25591" };
	const char *dup[] = { "x25519", "secp256r1", "X25519" };
	const char *good[] = { "secp256r1", "x25519" };
	const char *sbad[] = { "rsa_pss_sha256" };
	struct tlsplug_config *c;
	const uint16_t *ids;

	ck_assert_int_eq(tlsplug_config_builder_set_groups(b, good, 2),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_set_groups(b, bad, 2),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_str_eq(tlsplug_error_message(tlsplug_config_builder_error(b)),
	                 "groups: unknown group \"x25591\"");
	ck_assert_int_eq(tlsplug_config_builder_set_groups(b, dup, 3),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_str_eq(tlsplug_error_message(tlsplug_config_builder_error(b)),
	                 "groups: group \"X25519\" is listed twice");
	ck_assert_int_eq(tlsplug_config_builder_set_groups(b, NULL, 1),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_config_builder_set_sigalgs(b, sbad, 1),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_str_eq(tlsplug_error_message(tlsplug_config_builder_error(b)),
	                 "sigalgs: unknown signature algorithm "
	                 "\"rsa_pss_sha256\"");
	/* The earlier value stays. */
	c = build(b);
	ck_assert_uint_eq(tlsplug_config_groups(c, &ids), 2);
	ck_assert_uint_eq(ids[0], 0x0017);
	ck_assert_uint_eq(ids[1], 0x001d);
	ck_assert_uint_eq(tlsplug_config_sigalgs(c, &ids), 0);
	ck_assert(!tlsplug_config_equal(c, tlsplug_config_default()));
	tlsplug_config_unref(c);
}
END_TEST

START_TEST(test_groups_reach_the_plugin)
{
	struct tlsplug_config_builder *b = server_builder();
	const char *g[] = { "secp256r1", "ffdhe2048" };
	const char *s[] = { "ecdsa_secp256r1_sha256" };
	const struct tlsplug_bconfig *v;
	struct tlsplug_context *ctx;
	struct pair p;
	uint16_t ids[8];

	tlsplug_config_builder_set_groups(b, g, 2);
	tlsplug_config_builder_set_sigalgs(b, s, 1);
	ctx = context(&full, TLSPLUG_SERVER, build(b));
	v = tlsplug__context_bconfig(ctx);
	ck_assert_uint_eq(v->ngroups, 2);
	ck_assert_uint_eq(v->groups[0], 0x0017);
	ck_assert_uint_eq(v->groups[1], 0x0100);
	ck_assert_uint_eq(v->nsigalgs, 1);
	ck_assert_uint_eq(v->sigalgs[0], 0x0403);
	tlsplug_context_unref(ctx);

	ck_assert_uint_eq(tlsplug_backend_groups(&full, ids, 8), 3);
	ck_assert_uint_eq(ids[2], 0x0100);
	ck_assert_uint_eq(tlsplug_backend_sigalgs(&full, ids, 1), 2);
	ck_assert_uint_eq(tlsplug_backend_groups(&bare, ids, 8), 0);

	pair_new(&p, &full);
	ck_assert_uint_eq(tlsplug_conn_group(p.cl), 0);
	ck_assert_int_eq(handshake(p.cl, p.sv, NULL), TLSPLUG_OK);
	ck_assert_uint_eq(tlsplug_conn_group(p.cl), 0x001d);
	pair_free(&p);
}
END_TEST

/* Refused at context creation; the message must hold every text. */
static void
expect_refused(const struct tlsplug_backend *be,
               struct tlsplug_config_builder *b, const char *t1,
               const char *t2)
{
	struct tlsplug_config *cfg = build(b);
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *e = NULL;

	ck_assert_int_eq(tlsplug_context_new(be, TLSPLUG_CLIENT, cfg, &ctx,
	                 &e), TLSPLUG_ERR_UNSUPPORTED);
	ck_assert_msg(strstr(tlsplug_error_message(e), t1) != NULL &&
	              strstr(tlsplug_error_message(e), t2) != NULL,
	              "message: %s", tlsplug_error_message(e));
	tlsplug_error_free(e);
	tlsplug_config_unref(cfg);
}

START_TEST(test_missing_group_refused)
{
	struct tlsplug_config_builder *b;
	const char *pq[] = { "x25519", "X25519MLKEM768" };
	const char *x448[] = { "x448" };
	const char *ed[] = { "ed25519" };

	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_groups(b, pq, 2);
	expect_refused(&full, b, "groups: backend mock",
	               "does not support group X25519MLKEM768 (post-quantum");
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_groups(b, x448, 1);
	expect_refused(&full, b, "group x448", "mock");
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_sigalgs(b, ed, 1);
	expect_refused(&full, b, "sigalgs:", "signature algorithm ed25519");
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_groups(b, pq, 1);
	expect_refused(&bare, b, "backend bare", "(groups)");
	b = tlsplug_config_builder_new();
	tlsplug_config_builder_set_sigalgs(b, ed, 1);
	expect_refused(&bare, b, "backend bare", "(sigalgs)");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("exporter");
	TCase *tc = tcase_create("core");
	struct tlsplug_error err = { .alert = -1 };
	SRunner *sr;
	int failed;

	full_conn_ops = mock_conn_ops;
	full_conn_ops.export_keying_material = rec_export;
	full_conn_ops.group = rec_group;
	full_desc.conn = &full_conn_ops;
	full_desc.info = &full_info_ops;
	bare_desc = full_desc;
	bare_desc.name = "bare";
	bare_desc.caps &= ~(TLSPLUG_CAP_EXPORTER | TLSPLUG_CAP_GROUPS |
	                    TLSPLUG_CAP_SIGALGS);
	if (full_desc.init(tlsplug__core_services(), &err) != TLSPLUG_OK)
		return 99;
	tcase_add_test(tc, test_export_needs_the_handshake);
	tcase_add_test(tc, test_export_passes_label_and_context);
	tcase_add_test(tc, test_export_bad_arguments);
	tcase_add_test(tc, test_export_engine_failure);
	tcase_add_test(tc, test_channel_binding_tls_exporter);
	tcase_add_test(tc, test_export_without_capability);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_set_groups_errors);
	tcase_add_test(tc, test_groups_reach_the_plugin);
	tcase_add_test(tc, test_missing_group_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
