/*
 * check_threads.c -- many threads sharing one library: the thread-safety
 * promise of tlsplug.h ("immutable objects may be shared between threads;
 * a connection may not"), tested on every built backend.  Built and run
 * under ThreadSanitizer by tools/test-all (_build/tsan), where a data race
 * fails the run; in the other builds it checks the same outcomes without
 * the race detector.
 *
 * Each test starts its threads together at a barrier, so the first uses
 * of a shared object (lazy plugin loading, the SNI callback's engine
 * contexts, the client session cache) happen at the same time:
 *
 *   registry   the default registry created from every thread at once,
 *              then queried (lookup by name, backend records and their
 *              information, choose, contexts with no backend named) while
 *              other threads load the plugins it lists;
 *   contexts   client and server contexts made at once from shared
 *              configs, certificates, keys and trust store; configs edited,
 *              rebuilt and compared concurrently;
 *   buffers    handshakes over memory buffers: one shared server context
 *              whose SNI callback answers with other configs (one with
 *              two chains, picked by name), two shared client contexts (TLS
 *              1.3 and 1.2) with their session caches, and sessions handed
 *              on explicitly; where the backend can, an OCSP response
 *              stapled from a file one thread replaces halfway; every
 *              handshake must end with the expected server name,
 *              certificate, version, resumption, OCSP status and echoed
 *              bytes;
 *   rotation   full handshakes and explicit resumptions on a server whose
 *              ticket keys rotate every TICKET_LIFETIME seconds, for long
 *              enough that keys rotate while threads resume;
 *   sockets    the socket wrapper over socketpairs, a client and a server
 *              thread per pair, several pairs at once on the shared
 *              contexts.
 *
 * Every thread records its first failure; the test's thread checks them
 * and the totals after joining.  Sizes: TLSPLUG_THREADS (threads, default
 * 8) and TLSPLUG_THREADS_ITERATIONS (iterations per thread, default 12)
 * scale a longer run.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include <tlsplug/tlsplug.h>

#include "ck_run.h"
#include "conf_runner.h"

#define MAX_THREADS 64
/* Seconds a ticket lives on the rotation test's server, which is also how
 * often its ticket keys rotate. */
#define TICKET_LIFETIME 2
/* The rotation test runs at least this long (two rotations or more). */
#define ROTATION_SECONDS (2 * TICKET_LIFETIME + 1)
/* ... and at most this many rounds per thread. */
#define ROTATION_MAX_ROUNDS 1000
/* Bound on the rounds of a handshake or an exchange over buffers. */
#define MAX_ROUNDS 64
/* Socket timeout: a stuck peer fails the test instead of hanging it. */
#define SOCKET_TIMEOUT_MS 60000

static struct conf_runner runner;
static int nthreads = 8;
static int iterations = 12;

/* Server names the clients ask for, the certificate's common name each
 * must get, and what the SNI callback answers with. */
static const struct {
	const char *host;
	const char *cn;
} names[] = {
	{ "localhost", "tlsplug test ecdsa" },          /* the original */
	{ "alpha.example.test", "tlsplug test alpha" }, /* alpha's config */
	{ "beta.example.test", "tlsplug test beta" },   /* two chains */
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* ---- failures recorded by threads ------------------------------------ */

struct failure {
	char msg[512];
	bool set;
};

static void failf(struct failure *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records the first failure only: later ones follow from it. */
static void
failf(struct failure *f, const char *fmt, ...)
{
	va_list ap;

	if (f->set)
		return;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	f->set = true;
}

/* Fails the current Check test with the first failure of n records. */
static void
assert_no_failure(const struct failure *f, size_t stride, size_t n)
{
	const struct failure *first = NULL;
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		const struct failure *one = (const struct failure *)
		    ((const char *)f + i * stride);

		if (!one->set)
			continue;
		/* Every thread's, as one failure may cause the others. */
		fprintf(stderr, "thread %zu: %s\n", i, one->msg);
		if (first == NULL) {
			first = one;
			at = i;
		}
	}
	ck_assert_msg(first == NULL, "thread %zu: %s", at,
	              first != NULL ? first->msg : "");
}

static const char *
msg_of(const struct tlsplug_error *e)
{
	return e != NULL ? tlsplug_error_message(e) : "(no error record)";
}

/* ---- threads ---------------------------------------------------------- */

static pthread_barrier_t barrier;

/* Starts n threads running fn(arg + i * size), all released together. */
static void
run_threads(pthread_t *th, int n, void *(*fn)(void *), void *arg,
            size_t size)
{
	ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, (unsigned)n),
	                 0);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, fn,
		                 (char *)arg + (size_t)i * size), 0);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&barrier);
}

static void
start_together(void)
{
	pthread_barrier_wait(&barrier);
}

/* ---- the shared objects of one backend -------------------------------- */

struct shared {
	const struct tlsplug_backend *be;
	uint64_t caps;
	struct tlsplug_trust_store *trust;
	struct tlsplug_certificate *cert[NNAMES];
	struct tlsplug_private_key *key[NNAMES];
	struct tlsplug_config *srv;        /* localhost chain, SNI callback */
	struct tlsplug_config *srv_alpha;  /* alpha's chain */
	struct tlsplug_config *srv_two;    /* alpha's and beta's chains */
	struct tlsplug_config *srv_rotate; /* short ticket lifetime */
	struct tlsplug_config *cli[2];     /* [0] TLS 1.3, [1] TLS 1.2 only */
	struct tlsplug_config *cli_nocache; /* cli[0] without session cache */
	/* The server staples the OCSP response in this file (a copy of
	 * ecdsa.ocsp) for its own chain, and the clients check it, when the
	 * backend can; replacing the file makes every handshake after it
	 * reread it (core/revocation.c). */
	bool ocsp;
	char staple[4200];
	atomic_uint sni_calls;
};

static void
path_of(char *buf, size_t size, const char *file)
{
	snprintf(buf, size, "%s/%s", runner.certdir, file);
}

static struct tlsplug_config *
build(struct tlsplug_config_builder *b)
{
	struct tlsplug_config *c = NULL;

	ck_assert_msg(tlsplug_config_builder_build(b, &c) == TLSPLUG_OK,
	              "build: %s", msg_of(tlsplug_config_builder_error(b)));
	tlsplug_config_builder_free(b);
	return c;
}

/* The SNI callback of the shared server config: alpha gets alpha's
 * config, beta the config with both chains (the core picks beta's by
 * name), localhost the original; anything else is refused. */
static struct tlsplug_config *
pick(struct tlsplug_conn *conn, const char *name,
     const struct tlsplug_config *orig, void *data)
{
	struct shared *s = data;

	(void)conn;
	atomic_fetch_add(&s->sni_calls, 1);
	if (name == NULL)
		return NULL;
	if (strcmp(name, names[0].host) == 0)
		return tlsplug_config_ref((struct tlsplug_config *)orig);
	if (strcmp(name, names[1].host) == 0)
		return tlsplug_config_ref(s->srv_alpha);
	if (strcmp(name, names[2].host) == 0)
		return tlsplug_config_ref(s->srv_two);
	return NULL;
}

/* Writes the staple file anew (a new file renamed over the old one, as a
 * responder's client replaces it): the server's next handshakes see a
 * changed file and read it again.  No Check calls: threads use it. */
static bool
replace_staple(const struct shared *s)
{
	char from[4200], tmp[4300];
	FILE *in, *out;
	char buf[4096];
	size_t n;
	bool ok;

	path_of(from, sizeof(from), "ecdsa.ocsp");
	snprintf(tmp, sizeof(tmp), "%s.%lu", s->staple,
	         (unsigned long)pthread_self());
	in = fopen(from, "rb");
	out = fopen(tmp, "wb");
	ok = in != NULL && out != NULL;
	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		ok = false;
	return ok && rename(tmp, s->staple) == 0;
}

static struct tlsplug_config_builder *
server_builder(struct shared *s, size_t first, size_t count)
{
	struct tlsplug_config_builder *b = tlsplug_config_builder_new();

	ck_assert_ptr_nonnull(b);
	for (size_t i = first; i < first + count; i++)
		ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(b,
		                 s->cert[i], NULL, s->key[i]), TLSPLUG_OK);
	return b;
}

static void
shared_setup(struct shared *s, size_t backend)
{
	static const unsigned char ticket_key[TLSPLUG_TICKET_KEY_SIZE] = {
		't', 'l', 's', 'p', 'l', 'u', 'g', ' ', 't', 'h', 'r', 'e',
		'a', 'd', 's',
	};
	static const char *const files[NNAMES] = { "ecdsa", "alpha", "beta" };
	struct tlsplug_config_builder *b;
	struct tlsplug_error *err = NULL;
	char path[4200];

	memset(s, 0, sizeof(*s));
	s->be = runner.backends[backend];
	ck_assert_msg(s->be != NULL, "%s: %s", runner.paths[backend],
	              runner.load_error[backend]);
	s->caps = tlsplug_backend_caps(s->be);
	atomic_init(&s->sni_calls, 0);
	path_of(path, sizeof(path), "ca.pem");
	ck_assert_msg(tlsplug_trust_store_from_file(path, &s->trust, &err) ==
	              TLSPLUG_OK, "%s", msg_of(err));
	for (size_t i = 0; i < NNAMES; i++) {
		char file[64];

		snprintf(file, sizeof(file), "%s.pem", files[i]);
		path_of(path, sizeof(path), file);
		ck_assert_msg(tlsplug_certificate_from_file(path, &s->cert[i],
		              &err) == TLSPLUG_OK, "%s", msg_of(err));
		snprintf(file, sizeof(file), "%s.key", files[i]);
		path_of(path, sizeof(path), file);
		ck_assert_msg(tlsplug_private_key_from_file(path, &s->key[i],
		              &err) == TLSPLUG_OK, "%s", msg_of(err));
	}

	s->srv_alpha = build(server_builder(s, 1, 1));
	s->srv_two = build(server_builder(s, 1, 2));
	s->ocsp = (s->caps & TLSPLUG_CAP_OCSP_STAPLE) &&
	    (s->caps & TLSPLUG_CAP_OCSP_CHECK);
	b = server_builder(s, 0, 1);
	ck_assert_int_eq(tlsplug_config_builder_set_sni_callback(b, pick, s),
	                 TLSPLUG_OK);
	if (s->ocsp) {
		path_of(s->staple, sizeof(s->staple), "staple.ocsp");
		ck_assert_msg(replace_staple(s), "cannot write %s", s->staple);
		ck_assert_int_eq(tlsplug_config_builder_set_ocsp_staple_file(b,
		                 s->staple), TLSPLUG_OK);
	}
	s->srv = build(b);
	b = server_builder(s, 0, 1);
	if (s->caps & TLSPLUG_CAP_SESSIONS) {
		ck_assert_int_eq(tlsplug_config_builder_set_ticket_key(b,
		                 ticket_key, sizeof(ticket_key)), TLSPLUG_OK);
		ck_assert_int_eq(tlsplug_config_builder_set_ticket_lifetime(b,
		                 TICKET_LIFETIME), TLSPLUG_OK);
	}
	if (s->ocsp)
		ck_assert_int_eq(tlsplug_config_builder_set_ocsp_staple_file(b,
		                 s->staple), TLSPLUG_OK);
	s->srv_rotate = build(b);

	for (int i = 0; i < 2; i++) {
		b = tlsplug_config_builder_new();
		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(tlsplug_config_builder_set_trust_store(b,
		                 s->trust), TLSPLUG_OK);
		if (i == 1)
			ck_assert_int_eq(tlsplug_config_builder_set_max_version(
			                 b, TLSPLUG_VERSION_TLSv1_2), TLSPLUG_OK);
		if (s->ocsp)
			ck_assert_int_eq(tlsplug_config_builder_set_ocsp_mode(b,
			                 TLSPLUG_OCSP_CHECK), TLSPLUG_OK);
		s->cli[i] = build(b);
	}
	b = tlsplug_config_edit(s->cli[0]);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(tlsplug_config_builder_set_session_cache(b, 0),
	                 TLSPLUG_OK);
	s->cli_nocache = build(b);
}

static void
shared_teardown(struct shared *s)
{
	tlsplug_config_unref(s->srv);
	tlsplug_config_unref(s->srv_alpha);
	tlsplug_config_unref(s->srv_two);
	tlsplug_config_unref(s->srv_rotate);
	tlsplug_config_unref(s->cli[0]);
	tlsplug_config_unref(s->cli[1]);
	tlsplug_config_unref(s->cli_nocache);
	for (size_t i = 0; i < NNAMES; i++) {
		tlsplug_certificate_unref(s->cert[i]);
		tlsplug_private_key_unref(s->key[i]);
	}
	tlsplug_trust_store_unref(s->trust);
}

static struct tlsplug_context *
context(const struct tlsplug_backend *be, enum tlsplug_role role,
        struct tlsplug_config *cfg)
{
	struct tlsplug_context *ctx = NULL;
	struct tlsplug_error *err = NULL;

	ck_assert_msg(tlsplug_context_new(be, role, cfg, &ctx, &err) ==
	              TLSPLUG_OK, "context_new: %s", msg_of(err));
	return ctx;
}

/* The version a client context of s negotiates. */
static enum tlsplug_version
expected_version(const struct shared *s, int tls12)
{
	return !tls12 && (s->caps & TLSPLUG_CAP_TLS1_3) ?
	    TLSPLUG_VERSION_TLSv1_3 : TLSPLUG_VERSION_TLSv1_2;
}

/* ---- one connection pair over buffers (no Check calls: threads) ------- */

/* Moves pending ciphertext both ways; returns the bytes moved, or -1. */
static long
pump(struct tlsplug_conn *a, struct tlsplug_conn *b)
{
	struct tlsplug_conn *from[2] = { a, b }, *to[2] = { b, a };
	long moved = 0;

	for (int i = 0; i < 2; i++) {
		const void *p;
		size_t n = tlsplug_conn_peek_outgoing(from[i], &p);

		if (n == 0)
			continue;
		if (tlsplug_conn_receive_from_network(to[i], p, n) !=
		    TLSPLUG_OK)
			return -1;
		tlsplug_conn_consume_outgoing(from[i], n);
		moved += (long)n;
	}
	return moved;
}

/* Runs both handshakes to the end; false (and the reason in f) when
 * either fails. */
static bool
handshake(struct tlsplug_conn *cl, struct tlsplug_conn *sv,
          struct failure *f, const char *what)
{
	int crc = TLSPLUG_WANT_READ, src = TLSPLUG_WANT_READ;

	for (int i = 0; i < MAX_ROUNDS; i++) {
		long moved;

		if (crc == TLSPLUG_WANT_READ)
			crc = tlsplug_conn_handshake(cl);
		if (src == TLSPLUG_WANT_READ)
			src = tlsplug_conn_handshake(sv);
		moved = pump(cl, sv);
		if (moved < 0) {
			failf(f, "%s: receive_from_network failed", what);
			return false;
		}
		if (moved == 0 && crc != TLSPLUG_WANT_READ &&
		    src != TLSPLUG_WANT_READ)
			break;
	}
	if (crc != TLSPLUG_OK || src != TLSPLUG_OK) {
		failf(f, "%s: handshake: client %s (%s), server %s (%s)", what,
		      tlsplug_status_name(crc), msg_of(tlsplug_conn_error(cl)),
		      tlsplug_status_name(src), msg_of(tlsplug_conn_error(sv)));
		return false;
	}
	return true;
}

/* Reads exactly len bytes from `to`, pumping between the two; false on
 * an error or when they do not come. */
static bool
read_all(struct tlsplug_conn *to, struct tlsplug_conn *from, char *buf,
         size_t len)
{
	size_t got = 0;

	for (int i = 0; i < MAX_ROUNDS && got < len; i++) {
		size_t n = 0;
		int rc = tlsplug_conn_read(to, buf + got, len - got, &n);

		got += n;
		if (rc != TLSPLUG_OK && rc != TLSPLUG_WANT_READ)
			return false;
		if (rc == TLSPLUG_WANT_READ && pump(from, to) <= 0)
			return false;
	}
	return got == len;
}

static bool
write_all(struct tlsplug_conn *c, const char *buf, size_t len)
{
	size_t done = 0;

	for (int i = 0; i < MAX_ROUNDS && done < len; i++) {
		size_t n = 0;

		if (tlsplug_conn_write(c, buf + done, len - done, &n) !=
		    TLSPLUG_OK)
			return false;
		done += n;
	}
	return done == len;
}

/* The client sends msg, the server echoes it, the client checks it.  The
 * client's reading also takes in the server's session tickets. */
static bool
echo(struct tlsplug_conn *cl, struct tlsplug_conn *sv, const char *msg,
     struct failure *f, const char *what)
{
	char buf[256];
	size_t len = strlen(msg);

	if (!write_all(cl, msg, len) || pump(cl, sv) < 0 ||
	    !read_all(sv, cl, buf, len)) {
		failf(f, "%s: server did not get %zu bytes (%s / %s)", what,
		      len, msg_of(tlsplug_conn_error(cl)),
		      msg_of(tlsplug_conn_error(sv)));
		return false;
	}
	if (memcmp(buf, msg, len) != 0) {
		failf(f, "%s: server got other bytes", what);
		return false;
	}
	if (!write_all(sv, buf, len) || pump(sv, cl) < 0 ||
	    !read_all(cl, sv, buf, len) || memcmp(buf, msg, len) != 0) {
		failf(f, "%s: echo of %zu bytes did not come back", what, len);
		return false;
	}
	return true;
}

/* Checks what both ends of a completed handshake say. */
static bool
check_pair(const struct shared *s, struct tlsplug_conn *cl,
           struct tlsplug_conn *sv, size_t name, int tls12,
           struct failure *f, const char *what)
{
	const char *got = tlsplug_conn_server_name(sv);
	const char *subject = tlsplug_conn_peer_subject(cl);
	enum tlsplug_version v = expected_version(s, tls12);

	if (got == NULL || strcmp(got, names[name].host) != 0) {
		failf(f, "%s: server saw server name %s, sent %s", what,
		      got != NULL ? got : "(none)", names[name].host);
		return false;
	}
	/* A resumed session may not carry the certificate (OpenSSL keeps
	 * none in a TLS 1.3 ticket's session); one it has must be right. */
	if (subject == NULL ? !tlsplug_conn_resumed(cl) :
	    strstr(subject, names[name].cn) == NULL) {
		failf(f, "%s: server certificate %s, want CN=%s", what,
		      subject != NULL ? subject : "(none)", names[name].cn);
		return false;
	}
	if (tlsplug_conn_version(cl) != v || tlsplug_conn_version(sv) != v) {
		failf(f, "%s: versions %s / %s, want %s", what,
		      tlsplug_version_name(tlsplug_conn_version(cl)),
		      tlsplug_version_name(tlsplug_conn_version(sv)),
		      tlsplug_version_name(v));
		return false;
	}
	if (tlsplug_conn_resumed(cl) != tlsplug_conn_resumed(sv)) {
		failf(f, "%s: client says resumed=%d, server %d", what,
		      tlsplug_conn_resumed(cl), tlsplug_conn_resumed(sv));
		return false;
	}
	/* Only the localhost chain is stapled (the SNI callback's configs
	 * staple nothing); a resumption sends no certificate, so no staple
	 * either. */
	if (s->ocsp && !tlsplug_conn_resumed(cl) &&
	    tlsplug_conn_ocsp_status(cl) != (name == 0 ?
	    TLSPLUG_OCSP_STATUS_GOOD : TLSPLUG_OCSP_STATUS_NONE)) {
		failf(f, "%s: OCSP status %s", what, tlsplug_ocsp_status_name(
		      tlsplug_conn_ocsp_status(cl)));
		return false;
	}
	return true;
}

/* ---- registry ---------------------------------------------------------- */

struct reg_worker {
	struct failure fail;
	int id;
	struct tlsplug_registry *reg;       /* what the default was */
	const struct tlsplug_backend *chosen;
	enum tlsplug_choice_rule rule;
	unsigned contexts;                  /* made with no backend named */
};

/* Backend names loaded by the runner (the expected answers). */
static const char *expect_names[CONF_RUNNER_MAX];
static uint64_t expect_caps[CONF_RUNNER_MAX];
static size_t nexpect;

static void
query_backend(struct reg_worker *w, const struct tlsplug_backend *b,
              size_t k)
{
	uint16_t ids[512];
	unsigned major = 0, minor = 0;

	if (tlsplug_backend_state(b) != TLSPLUG_BACKEND_OK) {
		failf(&w->fail, "%s: state %d after lookup", expect_names[k],
		      (int)tlsplug_backend_state(b));
		return;
	}
	if (strcmp(tlsplug_backend_name(b), expect_names[k]) != 0)
		failf(&w->fail, "lookup of %s gave %s", expect_names[k],
		      tlsplug_backend_name(b));
	if (tlsplug_backend_caps(b) != expect_caps[k])
		failf(&w->fail, "%s: capabilities %#llx, want %#llx",
		      expect_names[k],
		      (unsigned long long)tlsplug_backend_caps(b),
		      (unsigned long long)expect_caps[k]);
	tlsplug_backend_abi_version(b, &major, &minor);
	if (major != 1 || tlsplug_backend_engine_version(b) == NULL ||
	    tlsplug_backend_description(b) == NULL)
		failf(&w->fail, "%s: ABI %u.%u, engine version %s", expect_names[k],
		      major, minor, tlsplug_backend_engine_version(b));
	if (tlsplug_backend_cipher_suites(b, ids, 512) == 0)
		failf(&w->fail, "%s: no cipher suites", expect_names[k]);
	(void)tlsplug_backend_groups(b, ids, 512);
	(void)tlsplug_backend_system_trust_source(b);
}

/* The registry test's client config: the test CA as trust store (the
 * system store would be read at every context, slowly under TSan). */
static struct tlsplug_config *reg_config;

static void *
registry_thread(void *arg)
{
	struct reg_worker *w = arg;
	struct tlsplug_registry *r;
	struct tlsplug_config *cfg = reg_config;

	start_together();
	r = tlsplug_registry_default();
	w->reg = r;
	if (r == NULL) {
		failf(&w->fail, "no default registry");
		return NULL;
	}
	/* Half the threads open plugins while the others read the records
	 * still being opened. */
	if (w->id % 2 == 1 &&
	    tlsplug_registry_find(r, expect_names[(size_t)w->id % nexpect]) ==
	    NULL)
		failf(&w->fail, "find %s: NULL",
		      expect_names[(size_t)w->id % nexpect]);
	for (int i = 0; i < iterations && !w->fail.set; i++) {
		size_t count = tlsplug_registry_count(r);
		const char *src = NULL;
		size_t k = (size_t)(w->id + i) % nexpect;
		const struct tlsplug_backend *b;
		struct tlsplug_context *ctx = NULL;
		struct tlsplug_error *err = NULL;
		int rc;

		/* Records as listed, some still unopened: their information
		 * is read while other threads open them. */
		for (size_t j = 0; j < count; j++) {
			b = tlsplug_registry_get(r, j);
			if (b == NULL) {
				failf(&w->fail, "record %zu of %zu missing", j,
				      count);
				break;
			}
			(void)tlsplug_backend_name(b);
			(void)tlsplug_backend_reject_reason(b);
			(void)tlsplug_backend_caps(b);
			(void)tlsplug_backend_engine_version(b);
			tlsplug_backend_abi_version(b, NULL, NULL);
		}
		/* A context from an unopened record opens it. */
		if (count > 0 && i == 0) {
			b = tlsplug_registry_get(r, (size_t)w->id % count);
			rc = tlsplug_context_new(b, TLSPLUG_CLIENT, cfg, &ctx,
			                         &err);
			if (rc == TLSPLUG_OK)
				w->contexts++;
			else if (tlsplug_backend_state(b) == TLSPLUG_BACKEND_OK)
				failf(&w->fail, "context on record %s: %s",
				      tlsplug_backend_name(b), msg_of(err));
			tlsplug_context_unref(ctx);
			tlsplug_error_free(err);
			ctx = NULL;
			err = NULL;
		}
		b = tlsplug_registry_find(r, expect_names[k]);
		if (b == NULL) {
			failf(&w->fail, "find %s: NULL", expect_names[k]);
			break;
		}
		query_backend(w, b, k);
		if (tlsplug_registry_find(r, "no-such-backend") != NULL)
			failf(&w->fail, "found no-such-backend");
		rc = tlsplug_registry_choose(r, NULL, &b, &w->rule, &src);
		if (rc != TLSPLUG_OK || b == NULL || src == NULL) {
			failf(&w->fail, "choose: %s", tlsplug_status_name(rc));
			break;
		}
		if (w->chosen != NULL && w->chosen != b)
			failf(&w->fail, "choose gave %s, then %s",
			      tlsplug_backend_name(w->chosen),
			      tlsplug_backend_name(b));
		w->chosen = b;
		rc = tlsplug_registry_choose(r, expect_names[k], &b, NULL,
		                             NULL);
		if (rc != TLSPLUG_OK ||
		    strcmp(tlsplug_backend_name(b), expect_names[k]) != 0)
			failf(&w->fail, "choose %s: %s", expect_names[k],
			      tlsplug_status_name(rc));
		/* No backend named: the default registry chooses. */
		rc = tlsplug_context_new(NULL, TLSPLUG_CLIENT, cfg, &ctx, &err);
		if (rc != TLSPLUG_OK) {
			failf(&w->fail, "context with the default backend: %s",
			      msg_of(err));
			tlsplug_error_free(err);
			break;
		}
		if (tlsplug_context_backend(ctx) != w->chosen)
			failf(&w->fail, "context on %s, chosen %s",
			      tlsplug_backend_name(tlsplug_context_backend(ctx)),
			      tlsplug_backend_name(w->chosen));
		w->contexts++;
		tlsplug_context_unref(ctx);
	}
	return NULL;
}

/* Joins the directories of $TLSPLUG_TEST_PLUGIN_PATH with ':'. */
static void
plugin_path(char *buf, size_t size)
{
	const char *env = getenv("TLSPLUG_TEST_PLUGIN_PATH");
	size_t len = 0;

	buf[0] = '\0';
	for (const char *p = env != NULL ? env : ""; *p != '\0';) {
		size_t n = strcspn(p, " ");

		if (n > 0 && len + n + 2 < size) {
			if (len > 0)
				buf[len++] = ':';
			memcpy(buf + len, p, n);
			len += n;
			buf[len] = '\0';
		}
		p += n + strspn(p + n, " ");
	}
}

/* The environment of the default registry (set before any thread
 * runs), and reg_config. */
static void
registry_environment(void)
{
	char path[8192], conf[4200];
	struct tlsplug_trust_store *trust = NULL;
	struct tlsplug_config_builder *b;
	FILE *fp;

	/* The default registry sees the built plugins and an empty user
	 * file, nothing of this machine's; set before any thread runs. */
	plugin_path(path, sizeof(path));
	ck_assert_msg(path[0] != '\0', "TLSPLUG_TEST_PLUGIN_PATH is empty");
	snprintf(conf, sizeof(conf), "%s/ca.pem", runner.certdir);
	ck_assert_int_eq(tlsplug_trust_store_from_file(conf, &trust, NULL),
	                 TLSPLUG_OK);
	b = tlsplug_config_builder_new();
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(tlsplug_config_builder_set_trust_store(b, trust),
	                 TLSPLUG_OK);
	tlsplug_trust_store_unref(trust);
	reg_config = build(b);
	snprintf(conf, sizeof(conf), "%s/empty.conf", runner.certdir);
	fp = fopen(conf, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	setenv("TLSPLUG_PLUGIN_PATH", path, 1);
	setenv("TLSPLUG_CONF", conf, 1);
	unsetenv("TLSPLUG_BACKEND");
}

START_TEST(test_registry)
{
	static struct reg_worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct tlsplug_registry *fresh = NULL;
	const struct tlsplug_backend *want = NULL;
	enum tlsplug_choice_rule rule;
	unsigned contexts = 0;

	registry_environment();

	memset(w, 0, sizeof(w));
	for (int i = 0; i < nthreads; i++)
		w[i].id = i;
	run_threads(th, nthreads, registry_thread, w, sizeof(w[0]));
	assert_no_failure(&w[0].fail, sizeof(w[0]), (size_t)nthreads);
	for (int i = 0; i < nthreads; i++) {
		ck_assert_ptr_eq(w[i].reg, w[0].reg);
		ck_assert_ptr_eq(w[i].chosen, w[0].chosen);
		ck_assert_int_eq(w[i].rule, w[0].rule);
		contexts += w[i].contexts;
	}
	ck_assert_uint_ge(contexts, (unsigned)(nthreads * iterations));

	/* The same choice as a registry made by one thread. */
	ck_assert_int_eq(tlsplug_registry_new(NULL, &fresh, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_registry_choose(fresh, NULL, &want, &rule,
	                 NULL), TLSPLUG_OK);
	ck_assert_str_eq(tlsplug_backend_name(w[0].chosen),
	                 tlsplug_backend_name(want));
	ck_assert_int_eq(w[0].rule, rule);
	ck_assert_uint_eq(tlsplug_registry_count(w[0].reg),
	                  tlsplug_registry_count(fresh));
	tlsplug_registry_free(fresh);
	tlsplug_config_unref(reg_config);
}
END_TEST

/* The default registry when TLSPLUG_BACKEND names no available backend:
 * every context made with no backend named fails with that name in its
 * error, while other threads' failed lookups replace the registry's own
 * error record.  (tlsplug_context_new() used to read that record after
 * choosing, unlocked: a data race, and possibly another thread's
 * message.) */
#define MISSING_BACKEND "no-such-backend-env"

static void *
failing_thread(void *arg)
{
	struct reg_worker *w = arg;
	struct tlsplug_registry *r;

	start_together();
	r = tlsplug_registry_default();
	if (r == NULL) {
		failf(&w->fail, "no default registry");
		return NULL;
	}
	for (int i = 0; i < iterations && !w->fail.set; i++) {
		struct tlsplug_context *ctx = NULL;
		struct tlsplug_error *err = NULL;
		int rc;

		if (w->id % 2 == 1) {
			if (tlsplug_registry_find(r, "other-missing") != NULL)
				failf(&w->fail, "found other-missing");
			continue;
		}
		rc = tlsplug_context_new(NULL, TLSPLUG_CLIENT, reg_config,
		                         &ctx, &err);
		if (rc != TLSPLUG_ERR_NOT_FOUND || ctx != NULL ||
		    tlsplug_error_code(err) != TLSPLUG_ERR_NOT_FOUND ||
		    strstr(tlsplug_error_message(err), MISSING_BACKEND) ==
		    NULL)
			failf(&w->fail, "context with TLSPLUG_BACKEND=%s: %s "
			      "(%s)", MISSING_BACKEND, tlsplug_status_name(rc),
			      msg_of(err));
		else
			w->contexts++;   /* refused as it should be */
		tlsplug_context_unref(ctx);
		tlsplug_error_free(err);
	}
	return NULL;
}

START_TEST(test_registry_failing)
{
	static struct reg_worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	unsigned refused = 0;

	registry_environment();
	setenv("TLSPLUG_BACKEND", MISSING_BACKEND, 1);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < nthreads; i++)
		w[i].id = i;
	run_threads(th, nthreads, failing_thread, w, sizeof(w[0]));
	assert_no_failure(&w[0].fail, sizeof(w[0]), (size_t)nthreads);
	for (int i = 0; i < nthreads; i++)
		refused += w[i].contexts;
	ck_assert_uint_eq(refused, (unsigned)(((nthreads + 1) / 2) *
	                                      iterations));
	tlsplug_config_unref(reg_config);
}
END_TEST

/* ---- contexts ---------------------------------------------------------- */

struct ctx_worker {
	struct failure fail;
	struct shared *s;
	unsigned made;
};

static void *
contexts_thread(void *arg)
{
	struct ctx_worker *w = arg;
	struct shared *s = w->s;

	start_together();
	for (int i = 0; i < iterations && !w->fail.set; i++) {
		struct tlsplug_config *cfg = s->cli[i % 2], *again = NULL;
		struct tlsplug_config_builder *b = tlsplug_config_edit(cfg);
		struct tlsplug_context *sctx = NULL, *cctx = NULL;
		struct tlsplug_conn *c = NULL;
		struct tlsplug_error *err = NULL;

		if (b == NULL || tlsplug_config_builder_build(b, &again) !=
		    TLSPLUG_OK) {
			failf(&w->fail, "edit and rebuild a shared config");
			tlsplug_config_builder_free(b);
			break;
		}
		tlsplug_config_builder_free(b);
		if (!tlsplug_config_equal(again, cfg) ||
		    tlsplug_config_hash(again) != tlsplug_config_hash(cfg) ||
		    tlsplug_config_equal(again, s->cli[1 - i % 2]))
			failf(&w->fail, "rebuilt config compares wrongly");
		if (tlsplug_context_new(s->be, TLSPLUG_SERVER, s->srv, &sctx,
		                        &err) != TLSPLUG_OK ||
		    tlsplug_context_new(s->be, TLSPLUG_CLIENT, again, &cctx,
		                        &err) != TLSPLUG_OK ||
		    tlsplug_conn_new(cctx, names[i % NNAMES].host, &c, &err) !=
		    TLSPLUG_OK) {
			failf(&w->fail, "context or connection: %s",
			      msg_of(err));
			tlsplug_error_free(err);
		} else {
			w->made++;
		}
		tlsplug_conn_free(c);
		tlsplug_context_unref(cctx);
		tlsplug_context_unref(sctx);
		tlsplug_config_unref(again);
	}
	return NULL;
}

START_TEST(test_contexts)
{
	static struct ctx_worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct shared s;
	unsigned made = 0;

	shared_setup(&s, (size_t)_i);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < nthreads; i++)
		w[i].s = &s;
	run_threads(th, nthreads, contexts_thread, w, sizeof(w[0]));
	assert_no_failure(&w[0].fail, sizeof(w[0]), (size_t)nthreads);
	for (int i = 0; i < nthreads; i++)
		made += w[i].made;
	ck_assert_uint_eq(made, (unsigned)(nthreads * iterations));
	shared_teardown(&s);
}
END_TEST

/* ---- handshakes over buffers ------------------------------------------- */

/* The server name thread id asks for at iteration i: each name twice in
 * a row (a handshake, then its session resumed). */
static size_t
iter_name(int id, int i)
{
	return (size_t)(id + i / 2) % NNAMES;
}

struct hs_worker {
	struct failure fail;
	int id;
	struct shared *s;
	struct tlsplug_context *sctx;
	struct tlsplug_context *cctx[2];
	unsigned handshakes, resumed, explicit_resumed;
	/* offers an engine declines by design (see sni_ticket_declined) */
	unsigned declined;
	unsigned long bytes;
	/* rotation: resumptions tried, resumed, tried across a rotation */
	unsigned tries, rotated_ok, across;
};

/* The wolfSSL plugin as a server opens a TLS 1.2 ticket while wolfSSL
 * parses the ClientHello, before its SNI hook switches to the config the
 * SNI callback picked, so a TLS 1.2 ticket sealed under such a config is
 * declined (a full handshake): a declared engine difference (README's
 * backend table).  TLS 1.3 tickets and the original config resume. */
static bool
sni_ticket_declined(const struct shared *s, int tls12, size_t name)
{
	return tls12 && name != 0 &&
	       strcmp(tlsplug_backend_name(s->be), "wolfssl") == 0;
}

/* One client/server pair on the shared contexts: handshake with server
 * name `name`, optionally resuming `offer`; the echo of msg.  *session
 * (may be NULL) gets the client's session afterwards. */
static bool
pair_once(struct hs_worker *w, int tls12, size_t name,
          const struct tlsplug_session *offer,
          struct tlsplug_session **session, const char *msg)
{
	struct tlsplug_conn *cl = NULL, *sv = NULL;
	struct tlsplug_error *err = NULL;
	char what[128];
	bool ok = false;

	snprintf(what, sizeof(what), "%s TLS 1.%d%s", names[name].host,
	         tls12 ? 2 : 3, offer != NULL ? " resuming" : "");
	if (tlsplug_conn_new(w->cctx[tls12], names[name].host, &cl, &err) !=
	    TLSPLUG_OK ||
	    tlsplug_conn_new(w->sctx, NULL, &sv, &err) != TLSPLUG_OK) {
		failf(&w->fail, "%s: conn_new: %s", what, msg_of(err));
		tlsplug_error_free(err);
		goto out;
	}
	if (offer != NULL && tlsplug_conn_set_session(cl, offer) !=
	    TLSPLUG_OK) {
		failf(&w->fail, "%s: set_session: %s", what,
		      msg_of(tlsplug_conn_error(cl)));
		goto out;
	}
	if (!handshake(cl, sv, &w->fail, what) ||
	    !check_pair(w->s, cl, sv, name, tls12, &w->fail, what) ||
	    !echo(cl, sv, msg, &w->fail, what))
		goto out;
	if (offer != NULL && sni_ticket_declined(w->s, tls12, name)) {
		/* Declared: a clean full handshake instead. */
		if (tlsplug_conn_resumed(cl) || tlsplug_conn_resumed(sv)) {
			failf(&w->fail, "%s: resumed where the engine declares "
			      "it does not", what);
			goto out;
		}
		w->declined++;
	} else if (offer != NULL && !tlsplug_conn_resumed(cl)) {
		failf(&w->fail, "%s: the session offered was not resumed",
		      what);
		goto out;
	} else {
		w->explicit_resumed += offer != NULL;
	}
	w->handshakes++;
	w->resumed += (unsigned)tlsplug_conn_resumed(cl);
	w->bytes += strlen(msg);
	if (session != NULL) {
		*session = tlsplug_conn_session(cl);
		if (*session == NULL && (w->s->caps & TLSPLUG_CAP_SESSIONS)) {
			failf(&w->fail, "%s: no session after the exchange "
			      "(resumed=%d)", what, tlsplug_conn_resumed(cl));
			goto out;
		}
	}
	ok = true;
out:
	tlsplug_conn_free(cl);
	tlsplug_conn_free(sv);
	return ok;
}

static void *
buffers_thread(void *arg)
{
	struct hs_worker *w = arg;
	/* This thread's latest session per client context and name. */
	struct tlsplug_session *last[2][NNAMES] = { { NULL } };

	start_together();
	for (int i = 0; i < iterations && !w->fail.set; i++) {
		size_t name = iter_name(w->id, i);
		int tls12 = (w->id + i / (2 * (int)NNAMES)) % 2;
		struct tlsplug_session **mine = &last[tls12][name];
		/* Odd iterations resume the session of the one before (same
		 * name and context) explicitly; at even ones the context's
		 * cache offers what it has. */
		const struct tlsplug_session *offer = i % 2 == 1 ? *mine : NULL;
		struct tlsplug_session *got = NULL;
		char msg[96];

		snprintf(msg, sizeof(msg), "thread %d iteration %d to %s",
		         w->id, i, names[name].host);
		/* Halfway, one thread replaces the staple file while the
		 * others' handshakes read it. */
		if (w->s->ocsp && w->id == 0 && i == iterations / 2 &&
		    !replace_staple(w->s)) {
			failf(&w->fail, "cannot replace %s", w->s->staple);
			break;
		}
		if (!pair_once(w, tls12, name, offer, &got, msg))
			break;
		tlsplug_session_unref(*mine);
		*mine = got;
	}
	for (int t = 0; t < 2; t++)
		for (size_t n = 0; n < NNAMES; n++)
			tlsplug_session_unref(last[t][n]);
	return NULL;
}

START_TEST(test_buffers)
{
	static struct hs_worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct shared s;
	struct tlsplug_context *sctx, *cctx[2];
	unsigned handshakes = 0, resumed = 0, explicit_resumed = 0;
	unsigned declined = 0;
	unsigned long bytes = 0, want_bytes = 0;

	shared_setup(&s, (size_t)_i);
	sctx = context(s.be, TLSPLUG_SERVER, s.srv);
	cctx[0] = context(s.be, TLSPLUG_CLIENT, s.cli[0]);
	cctx[1] = context(s.be, TLSPLUG_CLIENT, s.cli[1]);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < nthreads; i++) {
		w[i].id = i;
		w[i].s = &s;
		w[i].sctx = sctx;
		w[i].cctx[0] = cctx[0];
		w[i].cctx[1] = cctx[1];
		for (int it = 0; it < iterations; it++) {
			char msg[96];

			want_bytes += (unsigned long)snprintf(msg, sizeof(msg),
			    "thread %d iteration %d to %s", i, it,
			    names[iter_name(i, it)].host);
		}
	}
	run_threads(th, nthreads, buffers_thread, w, sizeof(w[0]));
	assert_no_failure(&w[0].fail, sizeof(w[0]), (size_t)nthreads);
	for (int i = 0; i < nthreads; i++) {
		handshakes += w[i].handshakes;
		resumed += w[i].resumed;
		explicit_resumed += w[i].explicit_resumed;
		declined += w[i].declined;
		bytes += w[i].bytes;
	}
	ck_assert_uint_eq(handshakes, (unsigned)(nthreads * iterations));
	ck_assert_uint_eq(bytes, want_bytes);
	/* The callback runs once per handshake, on every engine. */
	ck_assert_uint_eq(atomic_load(&s.sni_calls), handshakes);
	if (s.caps & TLSPLUG_CAP_SESSIONS) {
		/* Every odd iteration resumes explicitly; the caches serve
		 * some of the others. */
		ck_assert_uint_eq(explicit_resumed + declined,
		                  (unsigned)(nthreads * (iterations / 2)));
		ck_assert_uint_ge(resumed, explicit_resumed);
	} else {
		ck_assert_uint_eq(resumed, 0);
	}
	fprintf(stderr, "%s: %u threads x %d handshakes over buffers, "
	        "%u resumed (%u explicitly, %u declined by design), %lu "
	        "bytes echoed\n",
	        tlsplug_backend_name(s.be), (unsigned)nthreads, iterations,
	        resumed, explicit_resumed, declined, bytes);
	tlsplug_context_unref(sctx);
	tlsplug_context_unref(cctx[0]);
	tlsplug_context_unref(cctx[1]);
	shared_teardown(&s);
}
END_TEST

/* ---- ticket key rotation ------------------------------------------------- */

static void *
rotation_thread(void *arg)
{
	struct hs_worker *w = arg;
	time_t start, t0, t1;

	start_together();
	start = time(NULL);
	/* Each round a full handshake, then its session resumed at once. */
	for (int i = 0; !w->fail.set && i < ROTATION_MAX_ROUNDS; i++) {
		struct tlsplug_session *s = NULL;
		struct tlsplug_conn *cl = NULL, *sv = NULL;
		char what[96];

		t0 = time(NULL);
		if (t0 >= start + ROTATION_SECONDS)
			break;
		snprintf(what, sizeof(what), "rotation round %d", i);
		if (!pair_once(w, 0, 0, NULL, &s, "before"))
			break;
		if (tlsplug_conn_new(w->cctx[0], names[0].host, &cl, NULL) !=
		    TLSPLUG_OK ||
		    tlsplug_conn_new(w->sctx, NULL, &sv, NULL) != TLSPLUG_OK) {
			failf(&w->fail, "%s: conn_new", what);
		} else if (tlsplug_conn_set_session(cl, s) != TLSPLUG_OK) {
			/* Expired already: only when a second passed. */
			if (time(NULL) == t0)
				failf(&w->fail, "%s: set_session: %s", what,
				      msg_of(tlsplug_conn_error(cl)));
		} else if (handshake(cl, sv, &w->fail, what) &&
		           echo(cl, sv, "after", &w->fail, what)) {
			t1 = time(NULL);
			w->tries++;
			/* Within one rotation the ticket's key is the current
			 * or the previous one: the server must accept it. */
			if (t1 - t0 <= TICKET_LIFETIME - 1 &&
			    !tlsplug_conn_resumed(cl))
				failf(&w->fail, "%s: not resumed (%lds apart)",
				      what, (long)(t1 - t0));
			w->rotated_ok += (unsigned)tlsplug_conn_resumed(cl);
			w->across += t0 / TICKET_LIFETIME !=
			    t1 / TICKET_LIFETIME;
		}
		tlsplug_conn_free(cl);
		tlsplug_conn_free(sv);
		tlsplug_session_unref(s);
	}
	return NULL;
}

START_TEST(test_rotation)
{
	static struct hs_worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct shared s;
	struct tlsplug_context *sctx, *cctx;
	unsigned resumed = 0, handshakes = 0, across = 0;
	time_t start;

	shared_setup(&s, (size_t)_i);
	if (!(s.caps & TLSPLUG_CAP_SESSIONS)) {
		fprintf(stderr, "%s: no sessions, no ticket keys: nothing to "
		        "rotate\n", tlsplug_backend_name(s.be));
		shared_teardown(&s);
		return;
	}
	sctx = context(s.be, TLSPLUG_SERVER, s.srv_rotate);
	/* No cache: each round's first handshake is a full one. */
	cctx = context(s.be, TLSPLUG_CLIENT, s.cli_nocache);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < nthreads; i++) {
		w[i].id = i;
		w[i].s = &s;
		w[i].sctx = sctx;
		w[i].cctx[0] = cctx;
	}
	start = time(NULL);
	run_threads(th, nthreads, rotation_thread, w, sizeof(w[0]));
	assert_no_failure(&w[0].fail, sizeof(w[0]), (size_t)nthreads);
	for (int i = 0; i < nthreads; i++) {
		handshakes += w[i].tries;
		resumed += w[i].rotated_ok;
		across += w[i].across;
	}
	ck_assert_uint_gt(resumed, 0);
	ck_assert_msg(time(NULL) - start >= TICKET_LIFETIME,
	              "the ticket keys never rotated");
	fprintf(stderr, "%s: %u resumptions tried over %lds of %ds ticket "
	        "keys, %u resumed, %u across a rotation\n",
	        tlsplug_backend_name(s.be), handshakes,
	        (long)(time(NULL) - start), TICKET_LIFETIME, resumed, across);
	tlsplug_context_unref(sctx);
	tlsplug_context_unref(cctx);
	shared_teardown(&s);
}
END_TEST

/* ---- the socket wrapper over socketpairs ------------------------------- */

struct sock_worker {
	struct failure fail;
	int id;                      /* pair number */
	bool server;
	int fd[MAX_THREADS];         /* this side's fd of each round */
	struct shared *s;
	struct tlsplug_context *ctx;
	unsigned done, resumed;
	unsigned long bytes;
};

static bool
sock_recv_all(struct tlsplug_socket *sk, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		size_t n = 0;

		if (tlsplug_socket_recv(sk, buf + got, len - got, &n) !=
		    TLSPLUG_OK || n == 0)
			return false;
		got += n;
	}
	return true;
}

static void
sock_round(struct sock_worker *w, int round)
{
	size_t name = (size_t)(w->id + round) % NNAMES;
	struct tlsplug_socket *sk = NULL;
	struct tlsplug_error *err = NULL;
	char msg[96], buf[96];
	size_t len, n = 0;
	int rc;

	len = (size_t)snprintf(msg, sizeof(msg), "pair %d round %d to %s",
	                       w->id, round, names[name].host);
	if (tlsplug_socket_new(w->ctx, w->fd[round], w->server ? NULL :
	    names[name].host, &sk, &err) != TLSPLUG_OK) {
		failf(&w->fail, "socket_new: %s", msg_of(err));
		tlsplug_error_free(err);
		return;
	}
	tlsplug_socket_set_timeout(sk, SOCKET_TIMEOUT_MS);
	rc = tlsplug_socket_handshake(sk);
	if (rc != TLSPLUG_OK) {
		failf(&w->fail, "%s: handshake: %s (%s)", msg,
		      tlsplug_status_name(rc), msg_of(tlsplug_socket_error(sk)));
		goto out;
	}
	if (w->server) {
		const char *sni = tlsplug_conn_server_name(
		    tlsplug_socket_conn(sk));

		if (sni == NULL || strcmp(sni, names[name].host) != 0) {
			failf(&w->fail, "%s: server saw %s", msg,
			      sni != NULL ? sni : "(none)");
			goto out;
		}
		/* Echo, then the client's close_notify. */
		if (!sock_recv_all(sk, buf, len) ||
		    memcmp(buf, msg, len) != 0 ||
		    tlsplug_socket_send_all(sk, buf, len, &n) != TLSPLUG_OK) {
			failf(&w->fail, "%s: server echo: %s", msg,
			      msg_of(tlsplug_socket_error(sk)));
			goto out;
		}
		rc = tlsplug_socket_recv(sk, buf, sizeof(buf), &n);
		if (rc != TLSPLUG_CLOSED) {
			failf(&w->fail, "%s: after the echo the server read "
			      "%s, want CLOSED", msg, tlsplug_status_name(rc));
			goto out;
		}
		(void)tlsplug_socket_shutdown(sk);
	} else {
		const char *subject = tlsplug_conn_peer_subject(
		    tlsplug_socket_conn(sk));

		if (subject == NULL ? !tlsplug_conn_resumed(
		    tlsplug_socket_conn(sk)) :
		    strstr(subject, names[name].cn) == NULL) {
			failf(&w->fail, "%s: server certificate %s", msg,
			      subject != NULL ? subject : "(none)");
			goto out;
		}
		if (tlsplug_socket_send_all(sk, msg, len, &n) != TLSPLUG_OK ||
		    !sock_recv_all(sk, buf, len) ||
		    memcmp(buf, msg, len) != 0) {
			failf(&w->fail, "%s: client echo: %s", msg,
			      msg_of(tlsplug_socket_error(sk)));
			goto out;
		}
		w->resumed += (unsigned)tlsplug_conn_resumed(
		    tlsplug_socket_conn(sk));
		/* close_notify both ways: the peer's may already be in. */
		/* close_notify, then the server's answering one. */
		rc = tlsplug_socket_shutdown(sk);
		if (rc == TLSPLUG_OK)
			rc = tlsplug_socket_recv(sk, buf, sizeof(buf), &n);
		if (rc != TLSPLUG_CLOSED) {
			failf(&w->fail, "%s: shutdown: %s (%s)", msg,
			      tlsplug_status_name(rc),
			      msg_of(tlsplug_socket_error(sk)));
			goto out;
		}
	}
	w->done++;
	w->bytes += len;
out:
	tlsplug_socket_free(sk);
}

static void *
sockets_thread(void *arg)
{
	struct sock_worker *w = arg;
	int rounds = iterations < MAX_THREADS ? iterations : MAX_THREADS;

	start_together();
	for (int r = 0; r < rounds; r++) {
		sock_round(w, r);
		/* Unblock the peer at once when this side failed. */
		shutdown(w->fd[r], SHUT_RDWR);
		if (w->fail.set)
			break;
	}
	return NULL;
}

START_TEST(test_sockets)
{
	static struct sock_worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct shared s;
	struct tlsplug_context *sctx, *cctx;
	int pairs = nthreads / 2 > 0 ? nthreads / 2 : 1;
	int rounds = iterations < MAX_THREADS ? iterations : MAX_THREADS;
	unsigned done = 0, resumed = 0;
	unsigned long bytes = 0;

	shared_setup(&s, (size_t)_i);
	sctx = context(s.be, TLSPLUG_SERVER, s.srv);
	cctx = context(s.be, TLSPLUG_CLIENT, s.cli[0]);
	memset(w, 0, sizeof(w));
	for (int p = 0; p < pairs; p++) {
		struct sock_worker *sv = &w[2 * p], *cl = &w[2 * p + 1];

		sv->id = cl->id = p;
		sv->server = true;
		sv->s = cl->s = &s;
		sv->ctx = sctx;
		cl->ctx = cctx;
		for (int r = 0; r < rounds; r++) {
			int fds[2];

			ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0,
			                 fds), 0);
			sv->fd[r] = fds[0];
			cl->fd[r] = fds[1];
		}
	}
	run_threads(th, 2 * pairs, sockets_thread, w, sizeof(w[0]));
	for (int i = 0; i < 2 * pairs; i++)
		for (int r = 0; r < rounds; r++)
			close(w[i].fd[r]);
	assert_no_failure(&w[0].fail, sizeof(w[0]), (size_t)(2 * pairs));
	for (int i = 0; i < 2 * pairs; i++) {
		done += w[i].done;
		resumed += w[i].resumed;
		bytes += w[i].bytes;
	}
	ck_assert_uint_eq(done, (unsigned)(2 * pairs * rounds));
	ck_assert_uint_eq(atomic_load(&s.sni_calls),
	                  (unsigned)(pairs * rounds));
	if (s.caps & TLSPLUG_CAP_SESSIONS)
		ck_assert_uint_gt(resumed, 0);
	fprintf(stderr, "%s: %d socket pairs x %d connections, %u resumed, "
	        "%lu bytes echoed\n", tlsplug_backend_name(s.be), pairs,
	        rounds, resumed, bytes / 2);
	tlsplug_context_unref(sctx);
	tlsplug_context_unref(cctx);
	shared_teardown(&s);
}
END_TEST

/* ---- main ---------------------------------------------------------------- */

static int
env_int(const char *name, int def, int max)
{
	const char *v = getenv(name);
	int n = v != NULL ? atoi(v) : 0;

	return n > 0 ? (n < max ? n : max) : def;
}

int
main(void)
{
	SRunner *sr;
	Suite *su;
	TCase *tc;
	int failed, rc;

	nthreads = env_int("TLSPLUG_THREADS", nthreads, MAX_THREADS);
	iterations = env_int("TLSPLUG_THREADS_ITERATIONS", iterations, 100000);
	rc = conf_runner_setup(&runner);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < runner.n; i++) {
		if (runner.backends[i] == NULL) {
			fprintf(stderr, "%s: %s\n", runner.paths[i],
			        runner.load_error[i]);
			conf_runner_teardown(&runner);
			return 99;
		}
		expect_names[nexpect] = tlsplug_backend_name(runner.backends[i]);
		expect_caps[nexpect++] = tlsplug_backend_caps(runner.backends[i]);
	}

	su = suite_create("threads");
	sr = srunner_create(su);
	tc = tcase_create("registry");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_registry);
	/* Each needs a process of its own: the default registry is made
	 * once per process. */
	if (srunner_fork_status(sr) != CK_NOFORK)
		tcase_add_test(tc, test_registry_failing);
	suite_add_tcase(su, tc);
	tc = tcase_create("backends");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_contexts, 0, (int)runner.n);
	tcase_add_loop_test(tc, test_buffers, 0, (int)runner.n);
	tcase_add_loop_test(tc, test_rotation, 0, (int)runner.n);
	tcase_add_loop_test(tc, test_sockets, 0, (int)runner.n);
	suite_add_tcase(su, tc);

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	conf_runner_teardown(&runner);
	return failed == 0 ? 0 : 1;
}
