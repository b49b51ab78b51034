/*
 * check_socket.c -- the socket wrapper (tlsplug_socket_*), through the
 * public API only, with every built backend (TLSPLUG_TEST_BACKENDS), and
 * every client backend against every server backend where two sides talk.
 *
 * The two ends run over a socketpair (or loopback TCP for the connect and
 * accept helpers): the server in a thread for blocking tests, both ends in
 * one poll loop for non-blocking tests.  The last case drives a
 * non-blocking client against a real peer, `openssl s_server -rev`.
 * Certificates come from tools/tlsplug-gen-test-certs, run at start-up.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "ck_run.h"
#include "socket_testlib.h"

#define MAX_BACKENDS 8
#define BULK (1024 * 1024)

static char certdir[256];
static struct tlsplug_registry *reg;
static const struct tlsplug_backend *backends[MAX_BACKENDS];
static int nbackends;

/* ---- fixtures ---------------------------------------------------------- */

static char *
cert_path(const char *name)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", certdir, name);
	return buf[i];
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 8) + (i >> 16));
}

static struct tlsplug_context *
make_ctx(int bi, enum tlsplug_role role, const char *alpn)
{
	struct tlsplug_config_builder *b = st_builder(certdir, role);

	if (alpn != NULL) {
		const char *p[] = { alpn };

		ck_assert_int_eq(tlsplug_config_builder_set_alpn(b, p, 1),
		                 TLSPLUG_OK);
	}
	return st_context(backends[bi], role, b);
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	ck_assert_int_ge(fl, 0);
	ck_assert_int_eq(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Pair index _i -> client and server backend. */
#define CLIENT_B(i) ((i) / nbackends)
#define SERVER_B(i) ((i) % nbackends)

/* ---- the server thread ------------------------------------------------- */

enum peer_mode {
	PEER_ECHO,      /* echo until CLOSED, then answer close_notify */
	PEER_BULK,      /* take BULK bytes, check them, send them back */
	PEER_UNWRAP,    /* "hello" -> "world", unwrap, plaintext both ways */
	PEER_RAGGED,    /* send "x", then end the transport, no close_notify */
	PEER_CLOSE,     /* send "x", then close_notify */
	PEER_CLOSE_PLAIN, /* "x", close_notify, "PLAIN" in plaintext, then
	                   * a byte on the go pipe; wait for the client */
	PEER_LATE,      /* handshake, wait for the go pipe, send "late" */
	PEER_RESET      /* handshake, wait for the go pipe, close the fd
	                 * unread (the client then sees a reset) */
};

struct peer {
	enum peer_mode mode;
	struct tlsplug_context *ctx;
	int fd;
	int go;              /* PEER_LATE: read end of a pipe */
	int ready;           /* PEER_CLOSE_PLAIN: read end of a pipe the
	                      * client writes once its handshake is done */
	pthread_t th;
	int failed;
	char why[256];
};

#define PEER_FAIL(p, ...) do { \
	snprintf((p)->why, sizeof((p)->why), __VA_ARGS__); \
	(p)->failed = 1; \
	goto out; \
} while (0)

static const char *
sock_msg(const struct tlsplug_socket *s)
{
	const struct tlsplug_error *e = tlsplug_socket_error(s);

	return e != NULL ? tlsplug_error_message(e) : "(no error record)";
}

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	struct tlsplug_socket *s = NULL;
	struct tlsplug_error *err = NULL;
	static unsigned char buf[BULK];
	size_t n, got = 0, i;
	int rc, fd;
	char c;

	rc = tlsplug_socket_new(p->ctx, p->fd, NULL, &s, &err);
	if (rc != TLSPLUG_OK)
		PEER_FAIL(p, "socket_new: %s", tlsplug_error_message(err));
	rc = tlsplug_socket_handshake(s);
	if (rc != TLSPLUG_OK)
		PEER_FAIL(p, "server handshake: %s %s",
		          tlsplug_status_name(rc), sock_msg(s));
	switch (p->mode) {
	case PEER_ECHO:
		for (;;) {
			rc = tlsplug_socket_recv(s, buf, 4096, &n);
			if (rc == TLSPLUG_CLOSED)
				break;
			if (rc != TLSPLUG_OK)
				PEER_FAIL(p, "echo recv: %s %s",
				          tlsplug_status_name(rc), sock_msg(s));
			rc = tlsplug_socket_send_all(s, buf, n, &n);
			if (rc != TLSPLUG_OK)
				PEER_FAIL(p, "echo send: %s %s",
				          tlsplug_status_name(rc), sock_msg(s));
		}
		rc = tlsplug_socket_shutdown(s);
		if (rc != TLSPLUG_OK)
			PEER_FAIL(p, "echo shutdown: %s", sock_msg(s));
		break;
	case PEER_BULK:
		while (got < BULK) {
			rc = tlsplug_socket_recv(s, buf + got, BULK - got, &n);
			if (rc != TLSPLUG_OK)
				PEER_FAIL(p, "bulk recv at %zu: %s %s", got,
				          tlsplug_status_name(rc), sock_msg(s));
			got += n;
		}
		for (i = 0; i < BULK; i++)
			if (buf[i] != pattern(i))
				PEER_FAIL(p, "bulk byte %zu differs", i);
		rc = tlsplug_socket_send_all(s, buf, BULK, &n);
		if (rc != TLSPLUG_OK || n != BULK)
			PEER_FAIL(p, "bulk send: %s %s", tlsplug_status_name(rc),
			          sock_msg(s));
		rc = tlsplug_socket_recv(s, buf, 16, &n);
		if (rc != TLSPLUG_CLOSED)
			PEER_FAIL(p, "bulk: expected CLOSED, got %s",
			          tlsplug_status_name(rc));
		(void)tlsplug_socket_shutdown(s);
		break;
	case PEER_UNWRAP:
		rc = tlsplug_socket_recv(s, buf, 5, &n);
		if (rc != TLSPLUG_OK || n != 5 || memcmp(buf, "hello", 5) != 0)
			PEER_FAIL(p, "unwrap: no hello (%s)",
			          tlsplug_status_name(rc));
		rc = tlsplug_socket_send_all(s, "world", 5, &n);
		if (rc != TLSPLUG_OK)
			PEER_FAIL(p, "unwrap: send world: %s", sock_msg(s));
		rc = tlsplug_socket_unwrap(s, &fd);
		if (rc != TLSPLUG_OK)
			PEER_FAIL(p, "server unwrap: %s %s",
			          tlsplug_status_name(rc), sock_msg(s));
		if (fd != p->fd)
			PEER_FAIL(p, "unwrap gave fd %d, not %d", fd, p->fd);
		/* Plaintext right behind our close_notify: the client must
		 * not have swallowed it. */
		if (write(fd, "PLAIN", 5) != 5)
			PEER_FAIL(p, "plaintext write: %s", strerror(errno));
		for (got = 0; got < 6;) {
			ssize_t r = read(fd, buf + got, 6 - got);

			if (r <= 0)
				PEER_FAIL(p, "plaintext read: %s",
				          r == 0 ? "EOF" : strerror(errno));
			got += (size_t)r;
		}
		if (memcmp(buf, "CLIENT", 6) != 0)
			PEER_FAIL(p, "plaintext from client differs");
		break;
	case PEER_RAGGED:
	case PEER_CLOSE:
		rc = tlsplug_socket_send_all(s, "x", 1, &n);
		if (rc != TLSPLUG_OK)
			PEER_FAIL(p, "send x: %s", sock_msg(s));
		if (p->mode == PEER_CLOSE)
			rc = tlsplug_socket_shutdown(s);
		else
			rc = shutdown(p->fd, SHUT_WR);
		if (rc != 0)
			PEER_FAIL(p, "ending: %s", sock_msg(s));
		/* Wait for the client to finish before the fd goes. */
		(void)tlsplug_socket_recv(s, buf, 16, &n);
		break;
	case PEER_CLOSE_PLAIN:
		/* Sent only once the client's handshake is over: a record
		 * arriving while it still reads its handshake would be read
		 * ahead then, without the plaintext written after it. */
		if (read(p->ready, &c, 1) != 1)
			PEER_FAIL(p, "ready pipe");
		rc = tlsplug_socket_send_all(s, "x", 1, &n);
		if (rc == TLSPLUG_OK)
			rc = tlsplug_socket_shutdown(s);
		if (rc != TLSPLUG_OK)
			PEER_FAIL(p, "send x, close_notify: %s", sock_msg(s));
		if (write(p->fd, "PLAIN", 5) != 5 || write(p->go, "g", 1) != 1)
			PEER_FAIL(p, "plaintext write: %s", strerror(errno));
		/* The client's close_notify: it is done with the fd. */
		if (read(p->fd, buf, 16) <= 0)
			PEER_FAIL(p, "no close_notify from the client");
		break;
	case PEER_LATE:
		if (read(p->go, &c, 1) != 1)
			PEER_FAIL(p, "go pipe");
		rc = tlsplug_socket_send_all(s, "late", 4, &n);
		if (rc != TLSPLUG_OK)
			PEER_FAIL(p, "send late: %s", sock_msg(s));
		(void)tlsplug_socket_recv(s, buf, 16, &n);
		break;
	case PEER_RESET:
		if (read(p->go, &c, 1) != 1)
			PEER_FAIL(p, "go pipe");
		close(p->fd);
		break;
	}
out:
	tlsplug_error_free(err);
	tlsplug_socket_free(s);
	return NULL;
}

static void
peer_start_pipes(struct peer *p, enum peer_mode mode, int bi, int fd, int go,
                 int ready)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->fd = fd;
	p->go = go;
	p->ready = ready;
	p->ctx = make_ctx(bi, TLSPLUG_SERVER, NULL);
	ck_assert_int_eq(pthread_create(&p->th, NULL, peer_main, p), 0);
}

static void
peer_start_go(struct peer *p, enum peer_mode mode, int bi, int fd, int go)
{
	peer_start_pipes(p, mode, bi, fd, go, -1);
}

static void
peer_start(struct peer *p, enum peer_mode mode, int bi, int fd)
{
	peer_start_go(p, mode, bi, fd, -1);
}

static void
peer_join(struct peer *p)
{
	pthread_join(p->th, NULL);
	tlsplug_context_unref(p->ctx);
	ck_assert_msg(!p->failed, "server side: %s", p->why);
}

static void
pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static struct tlsplug_socket *
client_socket(int bi, int fd, const char *host, const char *alpn)
{
	struct tlsplug_context *ctx = make_ctx(bi, TLSPLUG_CLIENT, alpn);
	struct tlsplug_socket *s = NULL;
	struct tlsplug_error *err = NULL;
	int rc = tlsplug_socket_new(ctx, fd, host, &s, &err);

	ck_assert_msg(rc == TLSPLUG_OK, "socket_new: %s",
	              err ? tlsplug_error_message(err) : "?");
	/* The socket holds its own reference. */
	tlsplug_context_unref(ctx);
	ck_assert_ptr_eq(tlsplug_context_backend(tlsplug_socket_context(s)),
	                 backends[bi]);
	return s;
}

/* ---- blocking ---------------------------------------------------------- */

START_TEST(test_blocking_echo)
{
	struct peer p;
	struct tlsplug_socket *s;
	char buf[64];
	size_t n;
	int sv[2];

	pair(sv);
	peer_start(&p, PEER_ECHO, SERVER_B(_i), sv[1]);
	s = client_socket(CLIENT_B(_i), sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_version(s), TLSPLUG_VERSION_NONE);
	ck_assert_msg(tlsplug_socket_handshake(s) == TLSPLUG_OK,
	              "handshake: %s", sock_msg(s));
	ck_assert_int_eq(tlsplug_socket_handshake(s), TLSPLUG_OK);
	ck_assert_int_ge(tlsplug_socket_version(s), TLSPLUG_VERSION_TLSv1_2);
	ck_assert_uint_ne(tlsplug_socket_cipher(s), TLSPLUG_CS_NONE);
	ck_assert_ptr_null(tlsplug_socket_alpn(s));
	ck_assert_int_eq(tlsplug_socket_fd(s), sv[0]);
	ck_assert_ptr_nonnull(tlsplug_socket_conn(s));
	ck_assert_int_eq(tlsplug_socket_send_all(s, "ping", 4, &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(tlsplug_socket_shutdown(s), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	ck_assert_uint_eq(n, 0);
	tlsplug_socket_free(s);
	peer_join(&p);
	/* The socket did not open sv[0], so it did not close it. */
	ck_assert_int_ne(fcntl(sv[0], F_GETFD), -1);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_short_sends_and_bulk)
{
	static unsigned char out[BULK], in[BULK];
	struct peer p;
	struct tlsplug_socket *s;
	size_t n, total = 0, i;
	int sv[2], rc;

	for (i = 0; i < BULK; i++)
		out[i] = pattern(i);
	pair(sv);
	peer_start(&p, PEER_BULK, SERVER_B(_i), sv[1]);
	s = client_socket(CLIENT_B(_i), sv[0], "localhost", NULL);
	/* send may be short, never empty, never more than asked. */
	rc = tlsplug_socket_send(s, out, 100000, &n);
	ck_assert_msg(rc == TLSPLUG_OK, "send: %s", sock_msg(s));
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, 100000);
	total = n;
	rc = tlsplug_socket_send_all(s, out + total, BULK - total, &n);
	ck_assert_msg(rc == TLSPLUG_OK, "send_all: %s", sock_msg(s));
	ck_assert_uint_eq(n, BULK - total);
	for (total = 0; total < BULK; total += n) {
		rc = tlsplug_socket_recv(s, in + total, BULK - total, &n);
		ck_assert_msg(rc == TLSPLUG_OK, "recv at %zu: %s %s", total,
		              tlsplug_status_name(rc), sock_msg(s));
	}
	ck_assert_mem_eq(in, out, BULK);
	ck_assert_int_eq(tlsplug_socket_shutdown(s), TLSPLUG_OK);
	tlsplug_socket_free(s);
	peer_join(&p);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_timeout)
{
	struct peer p;
	struct tlsplug_socket *s;
	char buf[16], c = 'g';
	int sv[2], go[2], rc;
	int64_t t0, dt;
	size_t n;

	/* Nobody answers: the handshake times out. */
	pair(sv);
	s = client_socket(_i, sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_set_timeout(s, 200), TLSPLUG_OK);
	t0 = now_ms();
	rc = tlsplug_socket_handshake(s);
	dt = now_ms() - t0;
	ck_assert_int_eq(rc, TLSPLUG_ERR_TIMEOUT);
	ck_assert_int_eq(tlsplug_error_code(tlsplug_socket_error(s)),
	                 TLSPLUG_ERR_TIMEOUT);
	ck_assert_int_ge(dt, 190);
	ck_assert_int_lt(dt, 3000);
	tlsplug_socket_free(s);
	close(sv[0]);
	close(sv[1]);

	/* A read times out, and can be tried again. */
	pair(sv);
	ck_assert_int_eq(pipe(go), 0);
	peer_start_go(&p, PEER_LATE, _i, sv[1], go[0]);
	s = client_socket(_i, sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_handshake(s), TLSPLUG_OK);
	tlsplug_socket_set_timeout(s, 150);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_ERR_TIMEOUT);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(write(go[1], &c, 1), 1);
	tlsplug_socket_set_timeout(s, 5000);
	rc = tlsplug_socket_recv(s, buf, sizeof(buf), &n);
	ck_assert_msg(rc == TLSPLUG_OK, "recv after timeout: %s",
	              sock_msg(s));
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(buf, "late", 4);
	tlsplug_socket_set_timeout(s, 0);
	ck_assert_int_eq(tlsplug_socket_shutdown(s), TLSPLUG_OK);
	tlsplug_socket_free(s);
	peer_join(&p);
	close(go[0]);
	close(go[1]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_refuses_non_stream)
{
	struct tlsplug_context *ctx = make_ctx(_i, TLSPLUG_CLIENT, NULL);
	struct tlsplug_socket *s = NULL;
	struct tlsplug_error *err = NULL;
	int sv[2], pfd[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	ck_assert_int_eq(tlsplug_socket_new(ctx, sv[0], "localhost", &s, &err),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(tlsplug_error_code(err), TLSPLUG_ERR_INVALID);
	ck_assert_msg(strstr(tlsplug_error_message(err), "SOCK_DGRAM") != NULL,
	              "message: %s", tlsplug_error_message(err));
	tlsplug_error_free(err);
	err = NULL;
	close(sv[0]);
	close(sv[1]);

	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(tlsplug_socket_new(ctx, pfd[0], NULL, &s, &err),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_msg(strstr(tlsplug_error_message(err), "not a socket") !=
	              NULL, "message: %s", tlsplug_error_message(err));
	tlsplug_error_free(err);
	close(pfd[0]);
	close(pfd[1]);
	ck_assert_int_eq(tlsplug_socket_new(ctx, -1, NULL, &s, NULL),
	                 TLSPLUG_ERR_INVALID);
	tlsplug_context_unref(ctx);

	/* A server takes no hostname. */
	ctx = make_ctx(_i, TLSPLUG_SERVER, NULL);
	pair(sv);
	ck_assert_int_eq(tlsplug_socket_new(ctx, sv[0], "localhost", &s, NULL),
	                 TLSPLUG_ERR_INVALID);
	close(sv[0]);
	close(sv[1]);
	tlsplug_context_unref(ctx);

	/* NULL everywhere is safe. */
	tlsplug_socket_free(NULL);
	ck_assert_int_eq(tlsplug_socket_handshake(NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_socket_set_timeout(NULL, 1),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_ptr_null(tlsplug_socket_error(NULL));
	ck_assert_int_eq(tlsplug_socket_fd(NULL), -1);
}
END_TEST

START_TEST(test_unwrap_then_plaintext)
{
	struct peer p;
	struct tlsplug_socket *s;
	char buf[16];
	size_t n, got;
	int sv[2], fd = -1, fd2 = 0, rc;

	pair(sv);
	peer_start(&p, PEER_UNWRAP, SERVER_B(_i), sv[1]);
	s = client_socket(CLIENT_B(_i), sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_send_all(s, "hello", 5, &n),
	                 TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, 5, &n), TLSPLUG_OK);
	ck_assert_mem_eq(buf, "world", 5);
	rc = tlsplug_socket_unwrap(s, &fd);
	ck_assert_msg(rc == TLSPLUG_OK, "unwrap: %s %s",
	              tlsplug_status_name(rc), sock_msg(s));
	ck_assert_int_eq(fd, sv[0]);
	/* TLS is over on this socket. */
	ck_assert_int_eq(tlsplug_socket_send(s, "x", 1, &n),
	                 TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_socket_unwrap(s, &fd2), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(fd2, -1);
	tlsplug_socket_free(s);
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
	/* The server's plaintext, sent right after its close_notify. */
	for (got = 0; got < 5;) {
		ssize_t r = read(fd, buf + got, 5 - got);

		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	ck_assert_mem_eq(buf, "PLAIN", 5);
	ck_assert_int_eq(write(fd, "CLIENT", 6), 6);
	peer_join(&p);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/*
 * The peer's close_notify and the plaintext behind it arrive together, and
 * a recv reads ahead: unwrap still succeeds, and the plaintext is handed
 * over (tlsplug_socket_unwrapped_data), not lost.
 */
START_TEST(test_unwrap_after_read_ahead)
{
	struct peer p;
	struct tlsplug_socket *s;
	const void *left = NULL;
	char buf[16];
	size_t n, nleft;
	int sv[2], go[2], ready[2], fd = -1;
	char c;

	pair(sv);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(ready), 0);
	peer_start_pipes(&p, PEER_CLOSE_PLAIN, SERVER_B(_i), sv[1], go[1],
	                 ready[0]);
	s = client_socket(CLIENT_B(_i), sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_handshake(s), TLSPLUG_OK);
	ck_assert_int_eq(write(ready[1], "r", 1), 1);
	/* Everything the peer sends is in the socket before we read. */
	ck_assert_int_eq(read(go[0], &c, 1), 1);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	ck_assert_uint_eq(tlsplug_socket_unwrapped_data(s, &left), 0);
	ck_assert_ptr_null(left);
	ck_assert_msg(tlsplug_socket_unwrap(s, &fd) == TLSPLUG_OK,
	              "unwrap: %s", sock_msg(s));
	ck_assert_int_eq(fd, sv[0]);
	/* One read took it all: the plaintext waits in the socket object,
	 * and nothing is left on the descriptor. */
	nleft = tlsplug_socket_unwrapped_data(s, &left);
	ck_assert_uint_eq(nleft, 5);
	ck_assert_mem_eq(left, "PLAIN", 5);
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	ck_assert_uint_eq(tlsplug_socket_unwrapped_data(NULL, &left), 0);
	peer_join(&p);
	tlsplug_socket_free(s);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_eof)
{
	struct peer p;
	struct tlsplug_socket *s;
	char buf[16];
	size_t n;
	int sv[2];

	/* close_notify: CLOSED */
	pair(sv);
	peer_start(&p, PEER_CLOSE, SERVER_B(_i), sv[1]);
	s = client_socket(CLIENT_B(_i), sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_CLOSED);
	ck_assert_int_eq(tlsplug_socket_shutdown(s), TLSPLUG_OK);
	tlsplug_socket_free(s);
	peer_join(&p);
	close(sv[0]);
	close(sv[1]);

	/* the transport ends without close_notify: RAGGED_EOF */
	pair(sv);
	peer_start(&p, PEER_RAGGED, SERVER_B(_i), sv[1]);
	s = client_socket(CLIENT_B(_i), sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_RAGGED_EOF);
	ck_assert_uint_eq(n, 0);
	shutdown(sv[0], SHUT_RDWR);
	tlsplug_socket_free(s);
	peer_join(&p);
	close(sv[0]);
	close(sv[1]);

	/* the peer goes away during the handshake: an I/O error */
	pair(sv);
	close(sv[1]);
	s = client_socket(_i % nbackends, sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_handshake(s), TLSPLUG_ERR_IO);
	ck_assert_ptr_nonnull(tlsplug_socket_error(s));
	tlsplug_socket_free(s);
	close(sv[0]);
}
END_TEST

/* A reset while recv waits (blocking, so the engine reads the descriptor
 * itself): an I/O error naming recv, not a hang or a wrong status. */
START_TEST(test_reset_during_recv)
{
	static unsigned char big[65536];
	struct peer p;
	struct tlsplug_socket *s;
	const struct tlsplug_error *e;
	char buf[16], c = 'g';
	size_t n;
	int sv[2], go[2];

	pair(sv);
	ck_assert_int_eq(pipe(go), 0);
	peer_start_go(&p, PEER_RESET, SERVER_B(_i), sv[1], go[0]);
	s = client_socket(CLIENT_B(_i), sv[0], "localhost", NULL);
	ck_assert_int_eq(tlsplug_socket_handshake(s), TLSPLUG_OK);
	/* More than the peer's handshake reads took in: some stays unread,
	 * so closing the peer resets the connection. */
	memset(big, 'b', sizeof(big));
	ck_assert_int_eq(tlsplug_socket_send_all(s, big, sizeof(big), &n),
	                 TLSPLUG_OK);
	ck_assert_int_eq(write(go[1], &c, 1), 1);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_ERR_IO);
	ck_assert_uint_eq(n, 0);
	e = tlsplug_socket_error(s);
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(strstr(tlsplug_error_message(e), "recv") != NULL &&
	              strstr(tlsplug_error_message(e), strerror(ECONNRESET))
	              != NULL, "message: %s", tlsplug_error_message(e));
	tlsplug_socket_free(s);
	peer_join(&p);
	close(sv[0]);   /* the peer closed sv[1] */
	close(go[0]);
	close(go[1]);
}
END_TEST

START_TEST(test_tls_error_passes_through)
{
	struct peer p;
	struct tlsplug_socket *s;
	int sv[2], rc;

	pair(sv);
	peer_start(&p, PEER_ECHO, SERVER_B(_i), sv[1]);
	s = client_socket(CLIENT_B(_i), sv[0], "wrong.example.test", NULL);
	rc = tlsplug_socket_handshake(s);
	ck_assert_int_eq(rc, TLSPLUG_ERR_CERT_HOSTNAME);
	ck_assert_int_eq(tlsplug_error_code(tlsplug_socket_error(s)), rc);
	ck_assert_str_eq(tlsplug_error_backend(tlsplug_socket_error(s)),
	                 tlsplug_backend_name(backends[CLIENT_B(_i)]));
	tlsplug_socket_free(s);
	close(sv[0]);
	/* The server thread sees the client's alert or the EOF. */
	pthread_join(p.th, NULL);
	tlsplug_context_unref(p.ctx);
	ck_assert_int_eq(p.failed, 1);
	close(sv[1]);
}
END_TEST

/* ---- non-blocking, both ends in one poll loop -------------------------- */

struct nb_end {
	struct tlsplug_socket *s;
	const unsigned char *out;
	size_t sent, outlen;
	unsigned char *in;
	size_t got;
	/* What each pending operation waits for (0: nothing): a real event
	 * loop polls for the union, so a blocked send never stops reads. */
	int hs_want, send_want, recv_want;
	int handshaken;
	int wants_write; /* WANT_WRITE was seen */
};

static short
nb_events(const struct nb_end *e)
{
	short ev = 0;
	int w[3];
	int i;

	w[0] = e->hs_want;
	w[1] = e->send_want;
	w[2] = e->recv_want;
	for (i = 0; i < 3; i++) {
		if (w[i] == TLSPLUG_WANT_READ)
			ev |= POLLIN;
		else if (w[i] == TLSPLUG_WANT_WRITE)
			ev |= POLLOUT;
	}
	return ev != 0 ? ev : POLLIN;
}

static int
nb_want(struct nb_end *e, int rc)
{
	if (rc == TLSPLUG_WANT_READ || rc == TLSPLUG_WANT_WRITE) {
		e->wants_write |= rc == TLSPLUG_WANT_WRITE;
		return rc;
	}
	return 0;
}

/* One step of an end: handshake, then send what is left, then read. */
static void
nb_step(struct nb_end *e)
{
	size_t n;
	int rc;

	if (!e->handshaken) {
		rc = tlsplug_socket_handshake(e->s);
		e->hs_want = nb_want(e, rc);
		if (e->hs_want != 0)
			return;
		ck_assert_msg(rc == TLSPLUG_OK, "nb handshake: %s %s",
		              tlsplug_status_name(rc), sock_msg(e->s));
		e->handshaken = 1;
	}
	e->send_want = 0;
	while (e->sent < e->outlen) {
		rc = tlsplug_socket_send(e->s, e->out + e->sent,
		                         e->outlen - e->sent, &n);
		e->send_want = nb_want(e, rc);
		if (e->send_want != 0) {
			ck_assert_uint_eq(n, 0);
			break;
		}
		ck_assert_msg(rc == TLSPLUG_OK, "nb send: %s %s",
		              tlsplug_status_name(rc), sock_msg(e->s));
		e->sent += n;
	}
	e->recv_want = 0;
	while (e->got < BULK) {
		rc = tlsplug_socket_recv(e->s, e->in + e->got, BULK - e->got,
		                         &n);
		e->recv_want = nb_want(e, rc);
		if (e->recv_want != 0)
			return;
		ck_assert_msg(rc == TLSPLUG_OK, "nb recv: %s %s",
		              tlsplug_status_name(rc), sock_msg(e->s));
		e->got += n;
	}
}

START_TEST(test_nonblocking_poll)
{
	static unsigned char a_out[BULK], b_out[BULK], a_in[BULK], b_in[BULK];
	struct tlsplug_context *sctx;
	struct tlsplug_error *err = NULL;
	struct nb_end e[2];
	int sv[2], small = 4096, rounds = 0, i;
	int64_t deadline = now_ms() + 30000;
	size_t k;

	for (k = 0; k < BULK; k++) {
		a_out[k] = pattern(k);
		b_out[k] = pattern(k + 3);
	}
	pair(sv);
	/* Small kernel buffers, so both ends meet WANT_WRITE. */
	for (i = 0; i < 2; i++) {
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		set_nonblock(sv[i]);
	}
	memset(e, 0, sizeof(e));
	e[0].s = client_socket(CLIENT_B(_i), sv[0], "localhost", "h2");
	sctx = make_ctx(SERVER_B(_i), TLSPLUG_SERVER, "h2");
	ck_assert_int_eq(tlsplug_socket_new(sctx, sv[1], NULL, &e[1].s, &err),
	                 TLSPLUG_OK);
	tlsplug_context_unref(sctx);
	e[0].out = a_out;
	e[0].in = a_in;
	e[1].out = b_out;
	e[1].in = b_in;
	e[0].outlen = e[1].outlen = BULK;

	/* The client's first call cannot finish the handshake alone. */
	ck_assert_int_eq(tlsplug_socket_handshake(e[0].s), TLSPLUG_WANT_READ);
	while (e[0].got < BULK || e[1].got < BULK || e[0].sent < BULK ||
	       e[1].sent < BULK) {
		struct pollfd p[2];

		ck_assert_msg(now_ms() < deadline, "non-blocking exchange "
		              "stuck: a sent %zu got %zu, b sent %zu got %zu",
		              e[0].sent, e[0].got, e[1].sent, e[1].got);
		ck_assert_int_lt(++rounds, 1000000);
		for (i = 0; i < 2; i++) {
			p[i].fd = tlsplug_socket_fd(e[i].s);
			p[i].events = nb_events(&e[i]);
			p[i].revents = 0;
		}
		ck_assert_int_ge(poll(p, 2, 1000), 0);
		for (i = 0; i < 2; i++)
			if (p[i].revents != 0)
				nb_step(&e[i]);
	}
	ck_assert_mem_eq(a_in, b_out, BULK);
	ck_assert_mem_eq(b_in, a_out, BULK);
	ck_assert_msg(e[0].wants_write || e[1].wants_write,
	              "no WANT_WRITE with 4 KiB socket buffers");
	ck_assert_str_eq(tlsplug_socket_alpn(e[0].s), "h2");
	ck_assert_str_eq(tlsplug_socket_alpn(e[1].s), "h2");
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(tlsplug_socket_pending_outgoing(e[i].s), 0);
		tlsplug_socket_free(e[i].s);
		close(sv[i]);
	}
}
END_TEST

/* ---- connect and accept helpers ---------------------------------------- */

struct acceptor {
	struct tlsplug_context *ctx;
	int lfd;
	pthread_t th;
	int rc;
};

static void *
acceptor_main(void *arg)
{
	struct acceptor *a = arg;
	struct tlsplug_socket *s = NULL;
	char buf[16];
	size_t n;

	a->rc = tlsplug_socket_accept(a->ctx, a->lfd, &s, NULL);
	if (a->rc == TLSPLUG_OK) {
		a->rc = tlsplug_socket_recv(s, buf, sizeof(buf), &n);
		if (a->rc == TLSPLUG_OK)
			a->rc = tlsplug_socket_send_all(s, buf, n, &n);
		(void)tlsplug_socket_recv(s, buf, sizeof(buf), &n);
		(void)tlsplug_socket_shutdown(s);
	}
	tlsplug_socket_free(s);
	return NULL;
}

/* Listens on loopback (family AF_INET or AF_INET6); returns the fd, or -1
 * when the family is not available. */
static int
listen_loopback(int family, char *port, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		len = sizeof(*in6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 4) != 0) {
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	snprintf(port, size, "%u", ntohs(family == AF_INET ?
	         ((struct sockaddr_in *)&ss)->sin_port :
	         ((struct sockaddr_in6 *)&ss)->sin6_port));
	return fd;
}

static void
connect_roundtrip(int bi, int family, const char *host)
{
	struct tlsplug_context *cctx = make_ctx(bi, TLSPLUG_CLIENT, NULL);
	struct tlsplug_socket *s = NULL;
	struct tlsplug_error *err = NULL;
	struct acceptor a;
	char port[16], buf[16];
	size_t n;
	int rc, fd;

	a.lfd = listen_loopback(family, port, sizeof(port));
	if (a.lfd < 0) {
		/* IPv6 may be off on this host; IPv4 loopback may not. */
		ck_assert_int_eq(family, AF_INET6);
		tlsplug_context_unref(cctx);
		return;
	}
	a.ctx = make_ctx(bi, TLSPLUG_SERVER, NULL);
	a.rc = -999;
	ck_assert_int_eq(pthread_create(&a.th, NULL, acceptor_main, &a), 0);
	rc = tlsplug_socket_connect(cctx, host, port, "localhost", 5000, &s,
	                            &err);
	ck_assert_msg(rc == TLSPLUG_OK, "connect %s: %s", host,
	              err ? tlsplug_error_message(err) : "?");
	tlsplug_context_unref(cctx);
	ck_assert_int_eq(tlsplug_socket_send_all(s, "abc", 3, &n), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_socket_recv(s, buf, sizeof(buf), &n),
	                 TLSPLUG_OK);
	ck_assert_mem_eq(buf, "abc", 3);
	ck_assert_int_eq(tlsplug_socket_shutdown(s), TLSPLUG_OK);
	fd = tlsplug_socket_fd(s);
	tlsplug_socket_free(s);
	pthread_join(a.th, NULL);
	ck_assert_msg(a.rc == TLSPLUG_OK, "acceptor: %s",
	              tlsplug_status_name(a.rc));
	/* The socket opened that descriptor, so free closed it. */
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	close(a.lfd);
	tlsplug_context_unref(a.ctx);
}

START_TEST(test_connect_accept)
{
	struct tlsplug_context *ctx = make_ctx(_i, TLSPLUG_CLIENT, NULL);
	struct tlsplug_context *sctx = make_ctx(_i, TLSPLUG_SERVER, NULL);
	struct tlsplug_socket *s = NULL;
	struct tlsplug_error *err = NULL;
	char port[16];
	int lfd, fl;

	connect_roundtrip(_i, AF_INET, "127.0.0.1");
	connect_roundtrip(_i, AF_INET6, "::1");

	/* Nothing listens there any more: an I/O error naming the address. */
	lfd = listen_loopback(AF_INET, port, sizeof(port));
	ck_assert_int_ge(lfd, 0);
	close(lfd);
	ck_assert_int_eq(tlsplug_socket_connect(ctx, "127.0.0.1", port,
	                 "localhost", 2000, &s, &err), TLSPLUG_ERR_IO);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(tlsplug_error_message(err), "127.0.0.1") != NULL,
	              "message: %s", tlsplug_error_message(err));
	tlsplug_error_free(err);
	err = NULL;

	/* Wrong roles are refused. */
	ck_assert_int_eq(tlsplug_socket_connect(sctx, "127.0.0.1", port, NULL,
	                 0, &s, NULL), TLSPLUG_ERR_INVALID);
	lfd = listen_loopback(AF_INET, port, sizeof(port));
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(tlsplug_socket_accept(ctx, lfd, &s, NULL),
	                 TLSPLUG_ERR_INVALID);
	/* Non-blocking listener with nobody waiting: WANT_READ. */
	fl = fcntl(lfd, F_GETFL);
	ck_assert_int_eq(fcntl(lfd, F_SETFL, fl | O_NONBLOCK), 0);
	ck_assert_int_eq(tlsplug_socket_accept(sctx, lfd, &s, &err),
	                 TLSPLUG_WANT_READ);
	ck_assert_ptr_null(s);
	close(lfd);
	tlsplug_context_unref(ctx);
	tlsplug_context_unref(sctx);
}
END_TEST

/* ---- a non-blocking client against a real peer ------------------------- */

/* Starts `openssl s_server -rev` on a free loopback port; returns its pid
 * and the port, or pid -1 when openssl is not there. */
static pid_t
start_s_server(char *port, size_t size, int *outfd)
{
	const char *ossl = getenv("OPENSSL_BIN");
	char line[256];
	size_t len = 0;
	int64_t deadline = now_ms() + 10000;
	int pfd[2];
	pid_t pid;

	if (ossl == NULL || *ossl == '\0')
		ossl = "openssl";
	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(devnull, 2);
		close(pfd[0]);
		execlp(ossl, ossl, "s_server", "-accept", "127.0.0.1:0",
		       "-naccept", "1", "-rev", "-cert", cert_path("ecdsa.pem"),
		       "-cert_chain", cert_path("int.pem"), "-key",
		       cert_path("ecdsa.key"), (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	/* Wait for "ACCEPT 127.0.0.1:PORT". */
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		char *nl;
		ssize_t r;

		ck_assert_msg(now_ms() < deadline, "s_server did not start");
		if (poll(&p, 1, 200) <= 0)
			continue;
		r = read(pfd[0], line + len, sizeof(line) - 1 - len);
		ck_assert_msg(r > 0, "s_server ended before ACCEPT (%s)", ossl);
		len += (size_t)r;
		line[len] = '\0';
		nl = strstr(line, "ACCEPT 127.0.0.1:");
		if (nl != NULL && strchr(nl, '\n') != NULL) {
			snprintf(port, size, "%d", atoi(nl + 17));
			break;
		}
		ck_assert_uint_lt(len, sizeof(line) - 1);
	}
	*outfd = pfd[0];
	return pid;
}

START_TEST(test_nonblocking_real_peer)
{
	static const char msg[] = "non-blocking line to reverse\n";
	static const char rev[] = "esrever ot enil gnikcolb-non\n";
	struct tlsplug_context *ctx = make_ctx(_i, TLSPLUG_CLIENT, NULL);
	struct tlsplug_socket *s = NULL;
	char port[16], in[256];
	size_t got = 0, sent = 0, n;
	int64_t deadline;
	int want = 0, outfd, status, rc, polls = 0;
	pid_t pid;

	pid = start_s_server(port, sizeof(port), &outfd);
	ck_assert_int_eq(tlsplug_socket_connect(ctx, "127.0.0.1", port,
	                 "localhost", 5000, &s, NULL), TLSPLUG_OK);
	tlsplug_context_unref(ctx);
	set_nonblock(tlsplug_socket_fd(s));
	/* The server says nothing until it has a line: a read now cannot
	 * complete, whatever the state of the handshake. */
	rc = tlsplug_socket_recv(s, in, sizeof(in), &n);
	ck_assert_msg(rc == TLSPLUG_WANT_READ, "first recv: %s %s",
	              tlsplug_status_name(rc), sock_msg(s));
	ck_assert_uint_eq(n, 0);
	want = rc;
	deadline = now_ms() + 15000;
	/* The handshake, the line out and its reverse back, all driven by
	 * poll on what the socket asks for. */
	while (got < sizeof(rev) - 1) {
		struct pollfd p;

		if (want != 0) {
			p.fd = tlsplug_socket_fd(s);
			p.events = want == TLSPLUG_WANT_WRITE ? POLLOUT : POLLIN;
			ck_assert_int_ge(poll(&p, 1, 500), 0);
			polls++;
		}
		ck_assert_msg(now_ms() < deadline, "stuck: sent %zu got %zu",
		              sent, got);
		if (sent < sizeof(msg) - 1) {
			rc = tlsplug_socket_send(s, msg + sent,
			                         sizeof(msg) - 1 - sent, &n);
			if (rc == TLSPLUG_OK) {
				sent += n;
				want = 0;
				continue;
			}
		} else {
			rc = tlsplug_socket_recv(s, in + got,
			                         sizeof(in) - 1 - got, &n);
			if (rc == TLSPLUG_OK) {
				got += n;
				want = 0;
				continue;
			}
		}
		ck_assert_msg(rc == TLSPLUG_WANT_READ ||
		              rc == TLSPLUG_WANT_WRITE, "%s: %s",
		              tlsplug_status_name(rc), sock_msg(s));
		want = rc;
	}
	ck_assert_mem_eq(in, rev, sizeof(rev) - 1);
	ck_assert_int_gt(polls, 0);
	ck_assert_int_ge(tlsplug_socket_version(s), TLSPLUG_VERSION_TLSv1_2);
	/* A clean end: our close_notify out (maybe after WANT_WRITE). */
	for (rc = TLSPLUG_WANT_WRITE; rc == TLSPLUG_WANT_WRITE;)
		rc = tlsplug_socket_shutdown(s);
	ck_assert_int_eq(rc, TLSPLUG_OK);
	tlsplug_socket_free(s);
	/* -naccept 1: the server ends after our connection. */
	deadline = now_ms() + 10000;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ck_abort_msg("s_server did not end");
		}
		usleep(20000);
	}
	close(outfd);
}
END_TEST

/* ---- main -------------------------------------------------------------- */

int
main(void)
{
	Suite *su = suite_create("socket");
	TCase *tc;
	SRunner *sr;
	int failed, pairs;
	const char *ci = getenv("CI");

	nbackends = st_load_backends("check_socket", &reg, backends,
	                             MAX_BACKENDS);
	if (nbackends == 0) {
		fprintf(stderr, "check_socket: no backend built\n");
		return ci != NULL && strcmp(ci, "true") == 0 ? 1 : 77;
	}
	if (st_make_certs("check-socket", certdir, sizeof(certdir)) != 0) {
		fprintf(stderr, "check_socket: cannot make certificates "
		        "(openssl missing?)\n");
		return ci != NULL && strcmp(ci, "true") == 0 ? 1 : 77;
	}
	signal(SIGPIPE, SIG_IGN);
	pairs = nbackends * nbackends;

	tc = tcase_create("blocking");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_blocking_echo, 0, pairs);
	tcase_add_loop_test(tc, test_short_sends_and_bulk, 0, pairs);
	tcase_add_loop_test(tc, test_timeout, 0, nbackends);
	tcase_add_loop_test(tc, test_refuses_non_stream, 0, nbackends);
	tcase_add_loop_test(tc, test_unwrap_then_plaintext, 0, pairs);
	tcase_add_loop_test(tc, test_unwrap_after_read_ahead, 0, pairs);
	tcase_add_loop_test(tc, test_eof, 0, pairs);
	tcase_add_loop_test(tc, test_reset_during_recv, 0, pairs);
	tcase_add_loop_test(tc, test_tls_error_passes_through, 0, pairs);
	tcase_add_loop_test(tc, test_connect_accept, 0, nbackends);
	suite_add_tcase(su, tc);

	tc = tcase_create("nonblocking");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_nonblocking_poll, 0, pairs);
	tcase_add_loop_test(tc, test_nonblocking_real_peer, 0, nbackends);
	suite_add_tcase(su, tc);

	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	st_remove_certs(certdir);
	tlsplug_registry_free(reg);
	return failed == 0 ? 0 : 1;
}
