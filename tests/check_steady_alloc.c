/*
 * check_steady_alloc.c -- steady-state reads and writes make no heap
 * allocation through the core's allocator, on every built backend, over the
 * buffer API and over the socket wrapper.
 *
 * How: after a warm-up (buffers at their high-water mark), the core's
 * fault-injection hook is armed to fail the very next allocation
 * (tlsplug__alloc_fail_at(1)).  Hundreds of 16 KiB writes and reads then
 * run; every call must succeed, and the armed failure must still be
 * pending afterwards (the next tlsplug__malloc() returns NULL).  An
 * allocation anywhere in the core -- or by a plugin through the core's
 * allocator service -- would have consumed it.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "internal.h"
#include "ck_run.h"

#define CHUNK 16384
#define WARMUP 8
#define STEADY 256

static char certdir[] = "/tmp/tlsplug-steady-XXXXXX";
static char *backends[16];
static int nbackends;

struct env {
	struct tlsplug_registry *reg;
	struct tlsplug_context *cctx, *sctx;
};

static void
path_in(char *buf, size_t size, const char *file)
{
	snprintf(buf, size, "%s/%s", certdir, file);
}

static void
env_open(struct env *e, int i)
{
	const struct tlsplug_backend *b;
	struct tlsplug_config_builder *cb, *sb;
	struct tlsplug_config *ccfg, *scfg;
	struct tlsplug_certificate *cert;
	struct tlsplug_private_key *key;
	struct tlsplug_trust_store *trust;
	char path[4096];

	ck_assert_int_eq(tlsplug_registry_new(NULL, &e->reg, NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_registry_load_file(e->reg, backends[i], &b,
	                                            NULL), TLSPLUG_OK);
	path_in(path, sizeof(path), "ca.pem");
	ck_assert_int_eq(tlsplug_trust_store_from_file(path, &trust, NULL),
	                 TLSPLUG_OK);
	path_in(path, sizeof(path), "ecdsa.pem");
	ck_assert_int_eq(tlsplug_certificate_from_file(path, &cert, NULL),
	                 TLSPLUG_OK);
	path_in(path, sizeof(path), "ecdsa.key");
	ck_assert_int_eq(tlsplug_private_key_from_file(path, &key, NULL),
	                 TLSPLUG_OK);
	cb = tlsplug_config_builder_new();
	sb = tlsplug_config_builder_new();
	ck_assert_ptr_nonnull(cb);
	ck_assert_ptr_nonnull(sb);
	ck_assert_int_eq(tlsplug_config_builder_set_trust_store(cb, trust),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_add_cert_chain(sb, cert, NULL,
	                                                       key), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(cb, &ccfg), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_config_builder_build(sb, &scfg), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_context_new(b, TLSPLUG_CLIENT, ccfg, &e->cctx,
	                                     NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_context_new(b, TLSPLUG_SERVER, scfg, &e->sctx,
	                                     NULL), TLSPLUG_OK);
	tlsplug_config_unref(ccfg);
	tlsplug_config_unref(scfg);
	tlsplug_config_builder_free(cb);
	tlsplug_config_builder_free(sb);
	tlsplug_certificate_unref(cert);
	tlsplug_private_key_unref(key);
	tlsplug_trust_store_unref(trust);
}

static void
env_close(struct env *e)
{
	tlsplug_context_unref(e->cctx);
	tlsplug_context_unref(e->sctx);
	tlsplug_registry_free(e->reg);
}

/* The armed failure must still be pending: nothing allocated since. */
static void
assert_no_allocation_since_armed(void)
{
	void *p = tlsplug__malloc(1);

	tlsplug__alloc_fail_at(0);
	if (p != NULL) {
		tlsplug__free(p);
		ck_abort_msg("the core allocated during steady-state I/O");
	}
}

/* ---- buffer API ----------------------------------------------------- */

static void
pump(struct tlsplug_conn *from, struct tlsplug_conn *to)
{
	const void *data;
	size_t n = tlsplug_conn_peek_outgoing(from, &data);

	if (n > 0) {
		ck_assert_int_eq(tlsplug_conn_receive_from_network(to, data, n),
		                 TLSPLUG_OK);
		tlsplug_conn_consume_outgoing(from, n);
	}
}

/* One 16 KiB message from `from` to `to`, read in full. */
static void
exchange(struct tlsplug_conn *from, struct tlsplug_conn *to,
         const unsigned char *msg, unsigned char *buf)
{
	size_t off = 0, got = 0, n;
	int rc, guard;

	while (off < CHUNK) {
		ck_assert_int_eq(tlsplug_conn_write(from, msg + off, CHUNK - off,
		                                    &n), TLSPLUG_OK);
		off += n;
	}
	pump(from, to);
	for (guard = 0; got < CHUNK && guard < 64; guard++) {
		rc = tlsplug_conn_read(to, buf, CHUNK, &n);
		if (rc == TLSPLUG_WANT_READ)
			break;
		ck_assert_int_eq(rc, TLSPLUG_OK);
		got += n;
	}
	ck_assert_uint_eq(got, CHUNK);
	pump(to, from);   /* anything the reader answered (none expected) */
}

START_TEST(test_buffer_steady_state)
{
	static unsigned char msg[CHUNK], buf[CHUNK];
	struct tlsplug_conn *c, *s;
	struct env e;
	int i, rc, done = 0;

	env_open(&e, _i);
	ck_assert_int_eq(tlsplug_conn_new(e.cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_conn_new(e.sctx, NULL, &s, NULL), TLSPLUG_OK);
	for (i = 0; i < 32 && done != 3; i++) {
		if (!(done & 1)) {
			rc = tlsplug_conn_handshake(c);
			ck_assert(rc == TLSPLUG_OK || rc == TLSPLUG_WANT_READ);
			done |= rc == TLSPLUG_OK;
		}
		pump(c, s);
		if (!(done & 2)) {
			rc = tlsplug_conn_handshake(s);
			ck_assert(rc == TLSPLUG_OK || rc == TLSPLUG_WANT_READ);
			done |= (rc == TLSPLUG_OK) << 1;
		}
		pump(s, c);
	}
	ck_assert_int_eq(done, 3);
	memset(msg, 'x', sizeof(msg));
	for (i = 0; i < WARMUP; i++) {
		exchange(c, s, msg, buf);
		exchange(s, c, msg, buf);
	}
	tlsplug__alloc_fail_at(1);
	for (i = 0; i < STEADY; i++) {
		exchange(c, s, msg, buf);
		exchange(s, c, msg, buf);
	}
	assert_no_allocation_since_armed();
	tlsplug_conn_free(c);
	tlsplug_conn_free(s);
	env_close(&e);
}
END_TEST

/* ---- socket wrapper ------------------------------------------------- */

static void
sock_exchange(struct tlsplug_socket *from, struct tlsplug_socket *to,
              const unsigned char *msg, unsigned char *buf)
{
	size_t got = 0, n;
	int rc, guard;

	ck_assert_int_eq(tlsplug_socket_send_all(from, msg, CHUNK, &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, CHUNK);
	for (guard = 0; got < CHUNK && guard < 1000; guard++) {
		rc = tlsplug_socket_recv(to, buf, CHUNK, &n);
		if (rc == TLSPLUG_WANT_READ)
			continue;
		ck_assert_int_eq(rc, TLSPLUG_OK);
		got += n;
	}
	ck_assert_uint_eq(got, CHUNK);
}

START_TEST(test_socket_steady_state)
{
	static unsigned char msg[CHUNK], buf[CHUNK];
	struct tlsplug_socket *c, *s;
	struct env e;
	int fds[2], i, rc, done = 0;

	env_open(&e, _i);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	/* Non-blocking, so one thread can drive both ends. */
	ck_assert_int_ne(fcntl(fds[0], F_SETFL, O_NONBLOCK), -1);
	ck_assert_int_ne(fcntl(fds[1], F_SETFL, O_NONBLOCK), -1);
	ck_assert_int_eq(tlsplug_socket_new(e.cctx, fds[0], "localhost", &c,
	                                    NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_socket_new(e.sctx, fds[1], NULL, &s, NULL),
	                 TLSPLUG_OK);
	for (i = 0; i < 1000 && done != 3; i++) {
		if (!(done & 1)) {
			rc = tlsplug_socket_handshake(c);
			ck_assert(rc == TLSPLUG_OK || rc == TLSPLUG_WANT_READ ||
			          rc == TLSPLUG_WANT_WRITE);
			done |= rc == TLSPLUG_OK;
		}
		if (!(done & 2)) {
			rc = tlsplug_socket_handshake(s);
			ck_assert(rc == TLSPLUG_OK || rc == TLSPLUG_WANT_READ ||
			          rc == TLSPLUG_WANT_WRITE);
			done |= (rc == TLSPLUG_OK) << 1;
		}
	}
	ck_assert_int_eq(done, 3);
	memset(msg, 'y', sizeof(msg));
	for (i = 0; i < WARMUP; i++) {
		sock_exchange(c, s, msg, buf);
		sock_exchange(s, c, msg, buf);
	}
	tlsplug__alloc_fail_at(1);
	for (i = 0; i < STEADY; i++) {
		sock_exchange(c, s, msg, buf);
		sock_exchange(s, c, msg, buf);
	}
	assert_no_allocation_since_armed();
	tlsplug_socket_free(c);
	tlsplug_socket_free(s);
	close(fds[0]);
	close(fds[1]);
	env_close(&e);
}
END_TEST

static int
make_certs(void)
{
	const char *ossl = getenv("OPENSSL_BIN");
	char cmd[8192];

	if (ossl == NULL || *ossl == '\0')
		return -1;
	if (mkdtemp(certdir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "'%s' '%s' >/dev/null 2>&1",
	         TLSPLUG_GEN_CERTS, certdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
remove_certs(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", certdir);
}

int
main(void)
{
	const char *list = getenv("TLSPLUG_TEST_BACKENDS");
	char *copy, *tok, *save = NULL;
	Suite *su;
	TCase *tc;
	SRunner *sr;
	int failed;

	if (list == NULL || *list == '\0') {
		fprintf(stderr, "TLSPLUG_TEST_BACKENDS is empty: no plugin "
		        "was built\n");
		return 77;
	}
	copy = strdup(list);
	for (tok = strtok_r(copy, " ", &save); tok != NULL && nbackends < 16;
	     tok = strtok_r(NULL, " ", &save))
		backends[nbackends++] = tok;
	if (make_certs() != 0) {
		fprintf(stderr, "cannot generate test certificates\n");
		return 99;
	}
	su = suite_create("steady_alloc");
	tc = tcase_create("steady_state");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_buffer_steady_state, 0, nbackends);
	tcase_add_loop_test(tc, test_socket_steady_state, 0, nbackends);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	remove_certs();
	free(copy);
	return failed == 0 ? 0 : 1;
}
