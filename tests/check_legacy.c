/*
 * check_legacy.c -- a plugin built for ABI 1.0 on the current host.
 *
 * tlsplug-legacy.so is the null-cipher engine (tests/mock/nullcipher.c)
 * compiled against the frozen 1.0 headers in tests/abi-1.0/.  It must load
 * and work as it did on a 1.0 host: handshakes and data both ways, the 1.0
 * SNI protocol (sni_select with plugin-owned slots, released through
 * release_slot), its own host name check (match_hostname) and subject text
 * (peer_subject).  Its entry-point groups end where an inaccessible page
 * starts, so a host that reads or calls any member added after 1.0 crashes
 * the test instead of passing it; test_guard_is_armed proves the page is
 * really there.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn_testlib.h"
#include "internal.h"
#include "registry_testlib.h"

/* What the legacy plugin counts (its nullcipher.c, ABI 1.0 layout). */
struct legacy_stats {
	int ctx_inits, ctx_finis, conn_inits, conn_finis;
	int server_inits;
	int slots_made, slots_released;
	int last_verify_peer;
	char last_sni_name[256];
};

static struct tlsplug_registry *reg;
static const struct tlsplug_backend *be;
static struct legacy_stats *stats;

static void
load_legacy(void)
{
	const char *mocks[] = { "legacy", NULL };
	char *dir = rt_tmpdir();

	rt_clean_env();
	rt_add_mocks(dir, mocks);
	setenv("TLSPLUG_PLUGIN_PATH", dir, 1);
	free(dir);
	reg = rt_registry(NULL, NULL);
	be = tlsplug_registry_find(reg, "legacy");
	ck_assert_msg(be != NULL, "legacy not usable: %s",
	              tlsplug_error_message(tlsplug_registry_error(reg)));
	stats = dlsym(be->dl_handle, "nullcipher_stats");
	ck_assert_ptr_nonnull(stats);
	memset(stats, 0, sizeof(*stats));
}

static void
unload_legacy(void)
{
	tlsplug_registry_free(reg);
	reg = NULL;
	be = NULL;
	stats = NULL;
}

/* ---- helpers -------------------------------------------------------- */

static const char cert_pem[] = "-----BEGIN CERTIFICATE-----\nQUFBQQ==\n"
                               "-----END CERTIFICATE-----\n";
static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\nS0tLSw==\n"
                              "-----END PRIVATE KEY-----\n";

static struct tlsplug_config_builder *
server_builder(void)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();
	struct tlsplug_certificate *c = NULL;
	struct tlsplug_private_key *k = NULL;

	ck_assert_int_eq(tlsplug_certificate_from_buffer(cert_pem,
	    strlen(cert_pem), &c, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_private_key_from_buffer(key_pem,
	    strlen(key_pem), &k, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(b, c, NULL, k),
	                 TLSPLUG_OK);
	tlsplug_certificate_unref(c);
	tlsplug_private_key_unref(k);
	return b;
}

/* ---- tests ---------------------------------------------------------- */

/* Accepted as a 1.0 plugin; the host's copies of its groups hold only
 * 1.0 members. */
START_TEST(test_loads_as_1_0)
{
	const struct tlsplug_backend_descriptor *raw =
	    dlsym(be->dl_handle, TLSPLUG_BACKEND_SYMBOL);
	unsigned major = 9, minor = 9;

	ck_assert_int_eq(tlsplug_backend_state(be), TLSPLUG_BACKEND_OK);
	tlsplug_backend_abi_version(be, &major, &minor);
	ck_assert_uint_eq(major, 1);
	ck_assert_uint_eq(minor, 0);
	ck_assert_str_eq(tlsplug_backend_engine_version(be), "mock 1.0");
	ck_assert_ptr_nonnull(raw);
	/* The host calls through its own copies, never the plugin's. */
	ck_assert_ptr_eq(be->d->conn, &be->conn_ops);
	ck_assert_ptr_ne(be->d->conn, raw->conn);
	ck_assert_ptr_eq(be->conn_ops.handshake, raw->conn->handshake);
	ck_assert_ptr_null(be->conn_ops.peer_cert);
	ck_assert(!TLSPLUG_OPS_HAS(be->d, conn, 1, peer_cert));
	ck_assert_ptr_eq(be->d->client_context, &be->client_ops);
	ck_assert_ptr_eq(be->client_ops.release_slot,
	                 raw->client_context->release_slot);
}
END_TEST

/* Handshake, ALPN, names, the 1.0 subject text, data both ways, and a
 * clean close. */
START_TEST(test_session)
{
	const char *sp[] = { "http/1.1", "h2" }, *cp[] = { "h2", "http/1.1" };
	struct tlsplug_config_builder *sb = server_builder();
	struct tlsplug_config_builder *cb = tlsplug_config_builder_new();
	struct tlsplug_context *sctx, *cctx;
	struct tlsplug_conn *cl, *sv;
	const char *subject;
	char buf[16];
	size_t n;
	int src;

	tlsplug_config_builder_set_alpn(sb, sp, 2);
	tlsplug_config_builder_set_alpn(cb, cp, 2);
	sctx = context(be, TLSPLUG_SERVER, build(sb));
	cctx = context(be, TLSPLUG_CLIENT, build(cb));
	cl = conn(cctx, "www.mock.test.");
	sv = conn(sctx, NULL);
	ck_assert_str_eq(stats->last_sni_name, "(none)");
	ck_assert_int_eq(handshake(cl, sv, &src), TLSPLUG_OK);
	ck_assert_int_eq(src, TLSPLUG_OK);
	ck_assert_str_eq(tlsplug_conn_alpn(cl), "http/1.1");
	ck_assert_str_eq(tlsplug_conn_server_name(sv), "www.mock.test");
	ck_assert_int_eq(tlsplug_conn_version(cl), TLSPLUG_VERSION_TLSv1_3);
	subject = tlsplug_conn_peer_subject(cl);
	ck_assert_ptr_nonnull(subject);
	ck_assert_uint_gt(strlen(subject), 512);
	ck_assert_ptr_nonnull(strstr(subject, "CN=server.mock.test,O=A "));
	ck_assert_ptr_null(tlsplug_conn_peer_subject(sv));

	ck_assert_int_eq(tlsplug_conn_write(cl, "ping", 4, &n), TLSPLUG_OK);
	pump(cl, sv);
	ck_assert_int_eq(tlsplug_conn_read(sv, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
	ck_assert_int_eq(tlsplug_conn_write(sv, "pong", 4, &n), TLSPLUG_OK);
	pump(cl, sv);
	ck_assert_int_eq(tlsplug_conn_read(cl, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_int_eq(memcmp(buf, "pong", 4), 0);

	ck_assert_int_eq(tlsplug_conn_shutdown(cl), TLSPLUG_WANT_READ);
	pump(cl, sv);
	ck_assert_int_eq(tlsplug_conn_read(sv, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	ck_assert_int_eq(tlsplug_conn_shutdown(sv), TLSPLUG_OK);
	pump(cl, sv);
	ck_assert_int_eq(tlsplug_conn_shutdown(cl), TLSPLUG_OK);
	tlsplug_conn_free(cl);
	tlsplug_conn_free(sv);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
	ck_assert_int_eq(stats->ctx_inits, 2);
	ck_assert_int_eq(stats->ctx_finis, 2);
	ck_assert_int_eq(stats->conn_inits, stats->conn_finis);
}
END_TEST

/* A 1.0 plugin checks the host name itself, with match_hostname. */
START_TEST(test_own_hostname_check)
{
	struct tlsplug_context *sctx = context(be, TLSPLUG_SERVER,
	                                       build(server_builder()));
	struct tlsplug_context *cctx = context(be, TLSPLUG_CLIENT,
	    build(tlsplug_config_builder_new()));
	struct tlsplug_conn *cl = conn(cctx, "www.example.org");
	struct tlsplug_conn *sv = conn(sctx, NULL);
	char buf[8];
	size_t n;
	int src;

	ck_assert_int_eq(handshake(cl, sv, &src), TLSPLUG_ERR_CERT_HOSTNAME);
	ck_assert_str_eq(tlsplug_error_message(tlsplug_conn_error(cl)),
	                 "legacy: host name does not match");
	ck_assert_int_eq(tlsplug_conn_read(sv, buf, sizeof(buf), &n),
	                 TLSPLUG_ERR_ALERT_RECEIVED);
	ck_assert_int_eq(tlsplug_error_alert(tlsplug_conn_error(sv)), 42);
	tlsplug_conn_free(cl);
	tlsplug_conn_free(sv);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
}
END_TEST

/* The 1.0 SNI protocol: the core runs the callback once per handshake and
 * hands out one slot per distinct config; the plugin fills it and
 * release_slot empties it when the context goes. */
static struct tlsplug_config *alt;
static int sni_calls;

static struct tlsplug_config *
pick(struct tlsplug_conn *c, const char *name,
     const struct tlsplug_config *orig, void *data)
{
	(void)c;
	(void)data;
	sni_calls++;
	if (name != NULL && strcmp(name, "refuse.mock.test") == 0)
		return NULL;
	if (name != NULL && (name[0] == 'a' || name[0] == 'h'))
		return tlsplug_config_ref(alt);
	return tlsplug_config_ref((struct tlsplug_config *)orig);
}

static int
sni_handshake(struct tlsplug_context *sctx, const char *host,
              const char **alpn)
{
	const char *protos[] = { "http/1.1", "h2" };
	struct tlsplug_config_builder *cb = tlsplug_config_builder_new();
	struct tlsplug_context *cctx;
	struct tlsplug_conn *cl, *sv;
	static char alpn_copy[32];
	int src;

	tlsplug_config_builder_set_alpn(cb, protos, 2);
	tlsplug_config_builder_set_insecure_no_validation(cb, 1);
	cctx = context(be, TLSPLUG_CLIENT, build(cb));
	cl = conn(cctx, host);
	sv = conn(sctx, NULL);
	(void)handshake(cl, sv, &src);
	snprintf(alpn_copy, sizeof(alpn_copy), "%s",
	         tlsplug_conn_alpn(sv) ? tlsplug_conn_alpn(sv) : "none");
	if (alpn != NULL)
		*alpn = alpn_copy;
	tlsplug_conn_free(cl);
	tlsplug_conn_free(sv);
	tlsplug_context_unref(cctx);
	return src;
}

START_TEST(test_sni_slots)
{
	struct tlsplug_config_builder *b = server_builder();
	struct tlsplug_context *sctx;
	const char *alpn;

	tlsplug_config_builder_set_alpn(b, (const char *[]){ "h2" }, 1);
	alt = build(b);
	b = server_builder();
	tlsplug_config_builder_set_sni_callback(b, pick, NULL);
	sctx = context(be, TLSPLUG_SERVER, build(b));
	ck_assert_int_eq(sni_handshake(sctx, "a.mock.test", &alpn),
	                 TLSPLUG_OK);
	ck_assert_str_eq(alpn, "h2");
	ck_assert_int_eq(sni_handshake(sctx, "a.mock.test", NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(stats->slots_made, 1);
	/* The original config gets a slot of its own, as in 1.0. */
	ck_assert_int_eq(sni_handshake(sctx, "o.mock.test", &alpn),
	                 TLSPLUG_OK);
	ck_assert_str_eq(alpn, "none");
	ck_assert_int_eq(stats->slots_made, 2);
	ck_assert_int_eq(sni_handshake(sctx, "refuse.mock.test", NULL),
	                 TLSPLUG_ERR_HANDSHAKE_REFUSED);
	/* Two ClientHellos, one callback, the same slot. */
	ck_assert_int_eq(sni_handshake(sctx, "hrr.mock.test", NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(sni_calls, 5);
	ck_assert_int_eq(stats->slots_made, 2);
	ck_assert_int_eq(stats->slots_released, 0);
	tlsplug_context_unref(sctx);
	ck_assert_int_eq(stats->slots_released, 2);
	/* The core built no context of its own for a 1.0 plugin. */
	ck_assert_int_eq(stats->server_inits, 1);
	tlsplug_config_unref(alt);
}
END_TEST

/* The guard really is there: reading the first byte past the plugin's
 * 1.0 conn group (where a 1.1 host finds peer_cert) kills a child. */
START_TEST(test_guard_is_armed)
{
	const struct tlsplug_backend_descriptor *raw =
	    dlsym(be->dl_handle, TLSPLUG_BACKEND_SYMBOL);
	const volatile unsigned char *past;
	int status = 0;
	pid_t pid;

	ck_assert_ptr_nonnull(raw);
	past = (const volatile unsigned char *)raw->conn +
	    TLSPLUG_SIZE_THROUGH(struct tlsplug_conn_ops, server_name);
	/* The last 1.0 byte is readable. */
	ck_assert_uint_ge(past[-1] | 1u, 1u);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		unsigned char x = past[0];

		(void)x;
		_exit(0);   /* only reached if nothing guards the page */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* Killed by SIGSEGV, or ended by a sanitizer's report. */
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 0),
	              "reading past the 1.0 conn group did not fault");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("legacy");
	TCase *tc = tcase_create("abi-1.0");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, rt_base_setup, rt_base_teardown);
	tcase_add_checked_fixture(tc, load_legacy, unload_legacy);
	tcase_add_test(tc, test_loads_as_1_0);
	tcase_add_test(tc, test_session);
	tcase_add_test(tc, test_own_hostname_check);
	tcase_add_test(tc, test_sni_slots);
	tcase_add_test(tc, test_guard_is_armed);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
