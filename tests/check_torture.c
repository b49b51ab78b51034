/*
 * check_torture.c -- every allocation of a whole TLS scenario made to fail
 * in turn, on every built backend.
 *
 * The scenario: certificate, key and trust handles from files, a client and
 * a server config built with builders (mutual TLS, ALPN, an SNI callback;
 * the client's config copied through tlsplug_config_edit), both contexts,
 * both connections, the handshake over memory buffers, one message each
 * way, the close_notify exchange, and everything freed.  It runs once unharmed to count the
 * allocations it makes through the core's allocator (plugins allocate
 * through it too, via the core services).  Then, for N = 1..count, the
 * N-th allocation is made to fail (tlsplug__alloc_fail_at) and the scenario
 * runs again: the call that met the failure must return TLSPLUG_ERR_NOMEM
 * with an error record of that category, the run stops there, and every
 * object made so far must still free cleanly.  Under ASan (or valgrind,
 * CK_FORK=no) a leak on any of these paths fails the run.
 *
 * The config-file parser gets the same treatment (every allocation, NOMEM
 * with nothing left half-filled).
 *
 * Runs past FULL_STEPS allocations are sampled (every allocation up to it,
 * then evenly spread ones), to keep the test fast.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tlsplug/tlsplug.h>

#include "conf_runner.h"
#include "conffile.h"
#include "internal.h"
#include "ck_run.h"

/* Every allocation up to this one is tried; later ones are sampled. */
#define FULL_STEPS 300
/* Sampled allocations past FULL_STEPS. */
#define SAMPLES 100
#define CASE_TIMEOUT 120

static struct conf_runner runner;
/* Allocations of the unharmed scenario, per backend. */
static unsigned long counts[CONF_RUNNER_MAX];

/* Set while main() counts allocations, outside any test. */
static int counting;

static void fail_now(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ck_abort_msg(), or, outside a test, a message and exit status 99. */
static void
fail_now(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (counting) {
		fprintf(stderr, "%s\n", msg);
		exit(99);
	}
	ck_abort_msg("%s", msg);
}

#define REQUIRE(cond, ...) \
	do { \
		if (!(cond)) \
			fail_now(__VA_ARGS__); \
	} while (0)

struct run {
	const char *backend;
	unsigned long nth;        /* 0: no failure armed */
	int stopped;              /* a call failed as allowed */
};

/* rc from a call that reported through e.  Returns 1 to go on; 0 when the
 * call failed with NOMEM, as allowed under fault injection (the scenario
 * then stops); aborts the test on anything else. */
static int
step(struct run *r, const char *what, int rc, const struct tlsplug_error *e)
{
	if (rc == TLSPLUG_OK)
		return 1;
	REQUIRE(r->nth != 0, "[%s] %s failed without fault "
	        "injection: %s (%s)", r->backend, what,
	        tlsplug_status_name(rc),
	        e != NULL ? tlsplug_error_message(e) : "no record");
	REQUIRE(rc == TLSPLUG_ERR_NOMEM, "[%s] allocation %lu failed: "
	        "%s returned %s (%s), want NOMEM", r->backend, r->nth,
	        what, tlsplug_status_name(rc),
	        e != NULL ? tlsplug_error_message(e) : "no record");
	REQUIRE(e != NULL, "[%s] allocation %lu failed: %s returned "
	        "NOMEM without an error record", r->backend, r->nth, what);
	REQUIRE(tlsplug_error_code(e) == rc, "[%s] allocation %lu: %s "
	        "returned NOMEM, record says %s", r->backend, r->nth,
	        what, tlsplug_status_name(tlsplug_error_code(e)));
	REQUIRE(tlsplug_error_message(e)[0] != '\0', "[%s] allocation "
	        "%lu: %s: empty error message", r->backend, r->nth, what);
	r->stopped = 1;
	return 0;
}

/* A builder call's result (the record is read after the call). */
static int
step_builder(struct run *r, const char *what, int rc,
             const struct tlsplug_config_builder *b)
{
	return step(r, what, rc, tlsplug_config_builder_error(b));
}

/* A constructor's result: the record goes to *err, which is freed here. */
static int
step_out(struct run *r, const char *what, int rc, struct tlsplug_error **err)
{
	int go = step(r, what, rc, *err);

	tlsplug_error_free(*err);
	*err = NULL;
	return go;
}

/* A constructor that can only say "NULL: out of memory". */
static int
step_ptr(struct run *r, const char *what, const void *p)
{
	if (p != NULL)
		return 1;
	REQUIRE(r->nth != 0, "[%s] %s returned NULL without fault "
	        "injection", r->backend, what);
	r->stopped = 1;
	return 0;
}

/* A conn call: OK and WANT_READ go on; errors as step(). */
static int
step_conn(struct run *r, const char *what, int rc, struct tlsplug_conn *c)
{
	if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE)
		return 1;
	if (rc > 0)
		fail_now("[%s] %s: unexpected status %s", r->backend, what,
		         tlsplug_status_name(rc));
	return step(r, what, rc, tlsplug_conn_error(c));
}

/* Moves all pending ciphertext from one conn to the other. */
static int
move(struct run *r, struct tlsplug_conn *from, struct tlsplug_conn *to)
{
	const void *data;
	size_t n = tlsplug_conn_peek_outgoing(from, &data);
	int rc;

	if (n == 0)
		return 1;
	rc = tlsplug_conn_receive_from_network(to, data, n);
	if (!step_conn(r, "receive_from_network", rc, to))
		return 0;
	tlsplug_conn_consume_outgoing(from, n);
	return 1;
}

/* Reads exactly len bytes on `to` after moving them from `from`. */
static int
message(struct run *r, struct tlsplug_conn *from, struct tlsplug_conn *to,
        const char *text)
{
	char buf[64];
	size_t n = 0, len = strlen(text);
	int rc;

	rc = tlsplug_conn_write(from, text, len, &n);
	if (!step_conn(r, "write", rc, from))
		return 0;
	REQUIRE(rc == TLSPLUG_OK && n == len, "[%s] write: %s, %zu of "
	        "%zu bytes", r->backend, tlsplug_status_name(rc), n, len);
	if (!move(r, from, to))
		return 0;
	rc = tlsplug_conn_read(to, buf, sizeof(buf), &n);
	if (!step_conn(r, "read", rc, to))
		return 0;
	REQUIRE(rc == TLSPLUG_OK && n == len &&
	        memcmp(buf, text, len) == 0, "[%s] read: %s, %zu bytes",
	        r->backend, tlsplug_status_name(rc), n);
	return 1;
}

static int
handshake(struct run *r, struct tlsplug_conn *c, struct tlsplug_conn *s)
{
	int crc = TLSPLUG_WANT_READ, src = TLSPLUG_WANT_READ, round;

	for (round = 0; round < 32; round++) {
		if (crc != TLSPLUG_OK) {
			crc = tlsplug_conn_handshake(c);
			if (!step_conn(r, "client handshake", crc, c))
				return 0;
		}
		if (!move(r, c, s))
			return 0;
		if (src != TLSPLUG_OK) {
			src = tlsplug_conn_handshake(s);
			if (!step_conn(r, "server handshake", src, s))
				return 0;
		}
		if (!move(r, s, c))
			return 0;
		if (crc == TLSPLUG_OK && src == TLSPLUG_OK)
			return 1;
	}
	fail_now("[%s] handshake did not finish (client %s, server %s)",
	         r->backend, tlsplug_status_name(crc),
	         tlsplug_status_name(src));
	return 0;
}

/* Client sends close_notify, the server answers, both see the end. */
static int
shutdown_both(struct run *r, struct tlsplug_conn *c, struct tlsplug_conn *s)
{
	char buf[16];
	size_t n;
	int rc;

	rc = tlsplug_conn_shutdown(c);
	if (!step_conn(r, "client shutdown", rc, c) || !move(r, c, s))
		return 0;
	rc = tlsplug_conn_read(s, buf, sizeof(buf), &n);
	if (rc != TLSPLUG_CLOSED && !step_conn(r, "server read", rc, s))
		return 0;
	REQUIRE(rc == TLSPLUG_CLOSED, "[%s] server read after "
	        "close_notify: %s", r->backend, tlsplug_status_name(rc));
	rc = tlsplug_conn_shutdown(s);
	if (!step_conn(r, "server shutdown", rc, s) || !move(r, s, c))
		return 0;
	REQUIRE(rc == TLSPLUG_OK, "[%s] server shutdown: %s", r->backend,
	        tlsplug_status_name(rc));
	rc = tlsplug_conn_shutdown(c);
	if (!step_conn(r, "client shutdown (2)", rc, c))
		return 0;
	REQUIRE(rc == TLSPLUG_OK, "[%s] client shutdown after the "
	        "server's close_notify: %s", r->backend,
	        tlsplug_status_name(rc));
	return 1;
}

/* SNI callback: goes on with the context's own config. */
static struct tlsplug_config *
same_config(struct tlsplug_conn *conn, const char *server_name,
            const struct tlsplug_config *original, void *user_data)
{
	(void)conn;
	(void)user_data;
	REQUIRE(server_name != NULL && strcmp(server_name, "localhost") == 0,
	        "SNI callback: server name %s",
	        server_name != NULL ? server_name : "(none)");
	return tlsplug_config_ref((struct tlsplug_config *)original);
}

/* The whole scenario on backend b.  Returns 1 when it ran to the end. */
static int
scenario(const struct tlsplug_backend *b, unsigned long nth)
{
	struct run r = { tlsplug_backend_name(b), nth, 0 };
	struct tlsplug_error *err = NULL;
	struct tlsplug_certificate *cert = NULL, *ccert = NULL;
	struct tlsplug_private_key *key = NULL, *ckey = NULL;
	struct tlsplug_trust_store *trust = NULL;
	struct tlsplug_config_builder *cb = NULL, *sb = NULL, *eb = NULL;
	struct tlsplug_config *ccfg = NULL, *scfg = NULL;
	struct tlsplug_context *cctx = NULL, *sctx = NULL;
	struct tlsplug_conn *c = NULL, *s = NULL;
	static const char *const alpn[] = { "h2", "http/1.1" };
	char path[4200];

	tlsplug__alloc_fail_at(nth);
	snprintf(path, sizeof(path), "%s/ca.pem", runner.certdir);
	if (!step_out(&r, "trust_store_from_file",
	    tlsplug_trust_store_from_file(path, &trust, &err), &err))
		goto out;
	snprintf(path, sizeof(path), "%s/ecdsa.pem", runner.certdir);
	if (!step_out(&r, "certificate_from_file",
	    tlsplug_certificate_from_file(path, &cert, &err), &err))
		goto out;
	snprintf(path, sizeof(path), "%s/ecdsa.key", runner.certdir);
	if (!step_out(&r, "private_key_from_file",
	    tlsplug_private_key_from_file(path, &key, &err), &err))
		goto out;
	snprintf(path, sizeof(path), "%s/client.pem", runner.certdir);
	if (!step_out(&r, "certificate_from_file (client)",
	    tlsplug_certificate_from_file(path, &ccert, &err), &err))
		goto out;
	snprintf(path, sizeof(path), "%s/client.key", runner.certdir);
	if (!step_out(&r, "private_key_from_file (client)",
	    tlsplug_private_key_from_file(path, &ckey, &err), &err))
		goto out;
	cb = tlsplug_config_builder_new();
	if (!step_ptr(&r, "config_builder_new", cb))
		goto out;
	sb = tlsplug_config_builder_new();
	if (!step_ptr(&r, "config_builder_new", sb))
		goto out;
	if (!step_builder(&r, "set_trust_store",
	    tlsplug_config_builder_set_trust_store(cb, trust), cb) ||
	    !step_builder(&r, "set_alpn (client)",
	    tlsplug_config_builder_set_alpn(cb, alpn, 2), cb) ||
	    !step_builder(&r, "set_alpn (server)",
	    tlsplug_config_builder_set_alpn(sb, alpn, 2), sb) ||
	    !step_builder(&r, "add_cert_chain",
	    tlsplug_config_builder_add_cert_chain(sb, cert, NULL, key), sb) ||
	    !step_builder(&r, "add_cert_chain (client)",
	    tlsplug_config_builder_add_cert_chain(cb, ccert, NULL, ckey),
	    cb) ||
	    !step_builder(&r, "set_trust_store (server: mutual TLS)",
	    tlsplug_config_builder_set_trust_store(sb, trust), sb) ||
	    !step_builder(&r, "set_sni_callback",
	    tlsplug_config_builder_set_sni_callback(sb, same_config, NULL),
	    sb) ||
	    !step_builder(&r, "build (client)",
	    tlsplug_config_builder_build(cb, &ccfg), cb) ||
	    !step_builder(&r, "build (server)",
	    tlsplug_config_builder_build(sb, &scfg), sb))
		goto out;
	/* The client config once more through edit (a deep copy). */
	eb = tlsplug_config_edit(ccfg);
	if (!step_ptr(&r, "config_edit", eb))
		goto out;
	tlsplug_config_unref(ccfg);
	ccfg = NULL;
	if (!step_builder(&r, "build (edited)",
	    tlsplug_config_builder_build(eb, &ccfg), eb))
		goto out;
	if (!step_out(&r, "context_new (client)",
	    tlsplug_context_new(b, TLSPLUG_CLIENT, ccfg, &cctx, &err), &err) ||
	    !step_out(&r, "context_new (server)",
	    tlsplug_context_new(b, TLSPLUG_SERVER, scfg, &sctx, &err), &err))
		goto out;
	if (!step_out(&r, "conn_new (client)",
	    tlsplug_conn_new(cctx, "localhost", &c, &err), &err) ||
	    !step_out(&r, "conn_new (server)",
	    tlsplug_conn_new(sctx, NULL, &s, &err), &err))
		goto out;
	if (!handshake(&r, c, s))
		goto out;
	/* Negotiated values are cached at the end of the handshake. */
	REQUIRE(tlsplug_conn_alpn(c) != NULL &&
	        strcmp(tlsplug_conn_alpn(c), "h2") == 0, "[%s] ALPN %s",
	        r.backend, tlsplug_conn_alpn(c) != NULL ?
	        tlsplug_conn_alpn(c) : "(none)");
	if (tlsplug_conn_peer_subject(c) == NULL)
		REQUIRE(nth != 0, "[%s] no peer subject", r.backend);
	if (tlsplug_conn_peer_subject(s) == NULL)
		REQUIRE(nth != 0, "[%s] server sees no client certificate",
		        r.backend);
	if (!message(&r, c, s, "ping from the client") ||
	    !message(&r, s, c, "pong from the server") ||
	    !shutdown_both(&r, c, s))
		goto out;
out:
	/* Everything must free cleanly, whatever was made. */
	tlsplug_conn_free(c);
	tlsplug_conn_free(s);
	tlsplug_context_unref(cctx);
	tlsplug_context_unref(sctx);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	tlsplug_config_builder_free(cb);
	tlsplug_config_builder_free(sb);
	tlsplug_config_builder_free(eb);
	tlsplug_certificate_unref(cert);
	tlsplug_certificate_unref(ccert);
	tlsplug_private_key_unref(ckey);
	tlsplug_private_key_unref(key);
	tlsplug_trust_store_unref(trust);
	tlsplug__alloc_fail_at(0);
	return !r.stopped;
}

/* The allocation to fail for loop index i (1-based) out of count. */
static unsigned long
nth_for(unsigned long i, unsigned long count)
{
	unsigned long rest;

	if (count <= FULL_STEPS + SAMPLES || i <= FULL_STEPS)
		return i;
	rest = count - FULL_STEPS;
	return FULL_STEPS + (i - FULL_STEPS) * rest / SAMPLES;
}

static unsigned long
steps_for(unsigned long count)
{
	return count <= FULL_STEPS + SAMPLES ? count : FULL_STEPS + SAMPLES;
}

/* Loop index: backend * STRIDE + run (0: the unharmed run). */
#define STRIDE 100000

START_TEST(test_torture)
{
	size_t bi = (size_t)_i / STRIDE;
	unsigned long i = (unsigned long)(_i % STRIDE);
	const struct tlsplug_backend *b = runner.backends[bi];

	if (b == NULL)
		ck_abort_msg("[%s] plugin not loaded: %s",
		             conf_runner_name(&runner, bi),
		             runner.load_error[bi]);
	if (i == 0) {
		/* The unharmed run, counted again in this process: the
		 * count must be stable, or the steps below test nothing. */
		unsigned long before = tlsplug__alloc_count();

		ck_assert_msg(scenario(b, 0), "scenario failed");
		ck_assert_msg(tlsplug__alloc_count() - before == counts[bi],
		              "[%s] allocation count changed: %lu, then %lu",
		              tlsplug_backend_name(b), counts[bi],
		              tlsplug__alloc_count() - before);
		return;
	}
	/* A run that completes despite the armed failure is fine (the
	 * allocation's failure was recovered from, e.g. an optional cache);
	 * a failed call was checked inside. */
	(void)scenario(b, nth_for(i, counts[bi]));
	/* Nothing is left in a state that breaks the next run. */
	ck_assert_msg(scenario(b, 0), "[%s] scenario fails after allocation "
	              "%lu failed", tlsplug_backend_name(b),
	              nth_for(i, counts[bi]));
}
END_TEST

/* The config-file parser under each allocation failure: OK, or NOMEM
 * with the result cleared (nothing leaked, nothing half-filled). */
static const char torture_conf[] =
	"[default]\n"
	"backend = openssl, gnutls\n"
	"plugin_path = /opt/a:/opt/b\n"
	"bogus line\n"
	"[app]\n"
	"backend = gnutls\n"
	"unknown = 1\n"
	"[bad\n";

static int
conf_once(unsigned long nth)
{
	struct tlsplug__conf c;
	int rc;

	memset(&c, 0, sizeof(c));
	tlsplug__alloc_fail_at(nth);
	rc = tlsplug__conf_parse(torture_conf, strlen(torture_conf), "t.conf",
	                         "app", &c);
	tlsplug__alloc_fail_at(0);
	if (rc == TLSPLUG_OK) {
		ck_assert_str_eq(c.backend.value, "gnutls");
		ck_assert_uint_eq(c.ndiags, 3);
	} else {
		ck_assert_msg(rc == TLSPLUG_ERR_NOMEM && nth != 0,
		              "conf_parse, allocation %lu failing: %s", nth,
		              tlsplug_status_name(rc));
		ck_assert_msg(c.ndiags == 0 && c.diags == NULL &&
		              c.backend.value == NULL &&
		              c.plugin_path.value == NULL,
		              "conf_parse left results after NOMEM");
	}
	tlsplug__conf_clear(&c);
	return rc;
}

START_TEST(test_conffile_torture)
{
	unsigned long before = tlsplug__alloc_count(), count, n;

	ck_assert_int_eq(conf_once(0), TLSPLUG_OK);
	count = tlsplug__alloc_count() - before;
	ck_assert_uint_gt(count, 3);
	for (n = 1; n <= count; n++)
		ck_assert_int_eq(conf_once(n), TLSPLUG_ERR_NOMEM);
	ck_assert_int_eq(conf_once(count + 1), TLSPLUG_OK);
}
END_TEST

int
main(void)
{
	Suite *s;
	SRunner *sr;
	int rc, failed;
	size_t bi;

	rc = conf_runner_setup(&runner);
	if (rc != 0) {
		conf_runner_teardown(&runner);
		return rc;
	}
	s = suite_create("torture");
	for (bi = 0; bi < runner.n; bi++) {
		TCase *tc = tcase_create(conf_runner_name(&runner, bi));
		unsigned long before = tlsplug__alloc_count(), n = 0;

		/* A first run warms up what is made once per process (the
		 * engine's own state); the second one is counted. */
		counting = 1;
		if (runner.backends[bi] != NULL && scenario(runner.backends[bi],
		    0)) {
			before = tlsplug__alloc_count();
			(void)scenario(runner.backends[bi], 0);
			counts[bi] = tlsplug__alloc_count() - before;
			n = steps_for(counts[bi]);
			printf("%s: %lu allocations, %lu runs\n",
			       conf_runner_name(&runner, bi), counts[bi], n);
		}
		counting = 0;
		tcase_set_timeout(tc, CASE_TIMEOUT);
		tcase_add_loop_test(tc, test_torture, (int)(bi * STRIDE),
		                    (int)(bi * STRIDE + n + 1));
		suite_add_tcase(s, tc);
	}
	{
		TCase *tc = tcase_create("conffile");

		tcase_add_test(tc, test_conffile_torture);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	conf_runner_teardown(&runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
