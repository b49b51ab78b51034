/*
 * check_close.c -- closing a socket never loses what the peer must hear
 * (tlsplug_socket_close, tlsplug_socket_free), with every built backend
 * (TLSPLUG_TEST_BACKENDS) as the server, over loopback TCP.
 *
 * A TCP socket closed with unread input makes the kernel send a reset in
 * place of a FIN, which discards what the peer has not read yet.  Each
 * case leaves the server such unread input and checks that the peer still
 * reads everything the server sent:
 *   - a TLS 1.3 client that sends a change_cipher_spec record after its
 *     Finished (and more bytes behind it) gets the server's fatal alert
 *     (unexpected_message), not a reset.  The client is a raw socket
 *     driven through the buffer API, so the record can be written as is;
 *   - a server that sends a lot, then close_notify, then frees its socket
 *     while the client's data waits unread: the client reads all of it and
 *     the close_notify;
 *   - tlsplug_socket_close() on a non-blocking descriptor: WANT_READ until
 *     the peer closes or the linger time is over, the caller's descriptor
 *     left open with its write side shut.
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <tlsplug/tlsplug.h>

#include "ck_run.h"
#include "socket_testlib.h"

#define MAX_BACKENDS 8
/* What the in-flight server sends: it writes all of it before the client
 * reads, so it stays below what the loopback socket buffers hold. */
#define BULK_BYTES (192 * 1024)
#define CLIENT_JUNK (64 * 1024)    /* what the server leaves unread */

static char certdir[256];
static struct tlsplug_registry *reg;
static const struct tlsplug_backend *backends[MAX_BACKENDS];
static int nbackends;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct tlsplug_context *
make_ctx(const struct tlsplug_backend *be, enum tlsplug_role role, bool tls13)
{
	struct tlsplug_config_builder *b = st_builder(certdir, role);

	if (tls13)
		ck_assert_int_eq(tlsplug_config_builder_set_min_version(b,
		    TLSPLUG_VERSION_TLSv1_3), TLSPLUG_OK);
	return st_context(be, role, b);
}

/* A listening loopback socket (blocking); *port gets its port. */
static int
listen_loopback(unsigned short *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int
connect_loopback(unsigned short port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	/* Every read and write of the test is bounded. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		ck_assert_msg(w > 0, "send: %s", strerror(errno));
		p += w;
		len -= (size_t)w;
	}
}

/* Writes the connection's queued ciphertext to fd. */
static void
flush_conn(struct tlsplug_conn *c, int fd)
{
	const void *data;
	size_t n;

	while ((n = tlsplug_conn_peek_outgoing(c, &data)) > 0) {
		write_all(fd, data, n);
		tlsplug_conn_consume_outgoing(c, n);
	}
}

/* Reads once from fd into the connection.  Returns recv's result; errno
 * tells a reset. */
static ssize_t
feed_conn(struct tlsplug_conn *c, int fd)
{
	unsigned char buf[16384];
	ssize_t r;

	do
		r = recv(fd, buf, sizeof(buf), 0);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		ck_assert_int_eq(tlsplug_conn_receive_from_network(c, buf,
		                 (size_t)r), TLSPLUG_OK);
	else if (r == 0)
		tlsplug_conn_receive_eof(c);
	return r;
}

/* ---- the server thread ------------------------------------------------- */

enum server_mode {
	SERVER_FAIL,    /* handshake, read until the error, free */
	SERVER_BULK     /* handshake, send BULK_BYTES bytes, shutdown, free */
};

struct server {
	const struct tlsplug_backend *be;
	enum server_mode mode;
	bool tls13;
	int listen_fd;
	int rc;          /* the error it met (SERVER_FAIL), or the last rc */
	char why[512];
};

static void *
server_main(void *arg)
{
	struct server *s = arg;
	struct tlsplug_context *ctx = make_ctx(s->be, TLSPLUG_SERVER,
	                                       s->tls13);
	struct tlsplug_socket *sock = NULL;
	struct tlsplug_error *err = NULL;
	unsigned char buf[4096];
	int rc;

	rc = tlsplug_socket_accept(ctx, s->listen_fd, &sock, &err);
	if (rc != TLSPLUG_OK) {
		s->rc = rc;
		snprintf(s->why, sizeof(s->why), "accept: %s",
		         err ? tlsplug_error_message(err) : "?");
		tlsplug_error_free(err);
		tlsplug_context_unref(ctx);
		return NULL;
	}
	(void)tlsplug_socket_set_timeout(sock, 10000);
	rc = tlsplug_socket_handshake(sock);
	if (rc == TLSPLUG_OK && s->mode == SERVER_FAIL) {
		size_t n;

		do
			rc = tlsplug_socket_recv(sock, buf, sizeof(buf), &n);
		while (rc == TLSPLUG_OK);
	} else if (rc == TLSPLUG_OK) {
		unsigned char *bulk = malloc(BULK_BYTES);
		size_t n = 0;

		ck_assert_ptr_nonnull(bulk);
		for (size_t i = 0; i < BULK_BYTES; i++)
			bulk[i] = (unsigned char)(i * 13 + (i >> 9));
		rc = tlsplug_socket_send_all(sock, bulk, BULK_BYTES, &n);
		if (rc == TLSPLUG_OK)
			rc = tlsplug_socket_shutdown(sock);
		free(bulk);
	}
	s->rc = rc;
	if (rc != TLSPLUG_OK && tlsplug_socket_error(sock) != NULL)
		snprintf(s->why, sizeof(s->why), "%s",
		         tlsplug_error_message(tlsplug_socket_error(sock)));
	/* The close under test: the client's bytes wait unread. */
	tlsplug_socket_free(sock);
	tlsplug_context_unref(ctx);
	return NULL;
}

/* ---- cases ------------------------------------------------------------- */

/* Runs the client's handshake over fd through the buffer API. */
static void
client_handshake(struct tlsplug_conn *c, int fd)
{
	int64_t end = now_ms() + 10000;
	int rc;

	while ((rc = tlsplug_conn_handshake(c)) != TLSPLUG_OK) {
		flush_conn(c, fd);
		ck_assert_msg(rc == TLSPLUG_WANT_READ, "client handshake: %s",
		    tlsplug_conn_error(c) ?
		    tlsplug_error_message(tlsplug_conn_error(c)) :
		    tlsplug_status_name(rc));
		ck_assert_msg(feed_conn(c, fd) > 0, "server went away in the "
		              "handshake");
		ck_assert_msg(now_ms() < end, "handshake takes too long");
	}
	flush_conn(c, fd);
}

/*
 * TLS 1.3: a change_cipher_spec record after the client's Finished is an
 * unexpected message (RFC 8446 section 5).  The server answers with a
 * fatal alert and closes with our junk unread; the client must read that
 * alert (after any session tickets), not a reset.
 */
START_TEST(test_ccs_after_finished)
{
	static const unsigned char ccs[6] = { 20, 3, 3, 0, 1, 1 };
	const struct tlsplug_backend *be = backends[_i];
	struct server s = { .be = be, .mode = SERVER_FAIL, .tls13 = true };
	struct tlsplug_context *cctx;
	struct tlsplug_conn *c = NULL;
	unsigned char *junk;
	unsigned short port;
	pthread_t th;
	int fd, rc = TLSPLUG_WANT_READ;
	const struct tlsplug_error *e;
	int64_t end;
	ssize_t r = 1;

	if (!(tlsplug_backend_caps(be) & TLSPLUG_CAP_TLS1_3))
		return;   /* TLS 1.3 only (mbedTLS 2.28 has none) */
	s.listen_fd = listen_loopback(&port);
	ck_assert_int_eq(pthread_create(&th, NULL, server_main, &s), 0);
	fd = connect_loopback(port);
	/* The client runs on the same engine: its alert parsing is what
	 * conformance tests already. */
	cctx = make_ctx(be, TLSPLUG_CLIENT, true);
	ck_assert_int_eq(tlsplug_conn_new(cctx, "localhost", &c, NULL),
	                 TLSPLUG_OK);
	client_handshake(c, fd);

	/* The crafted record, then application-data-shaped junk the server
	 * never reads. */
	junk = calloc(1, CLIENT_JUNK);
	ck_assert_ptr_nonnull(junk);
	for (size_t off = 0; off + 5 <= CLIENT_JUNK; off += 5 + 4096) {
		junk[off] = 23;
		junk[off + 1] = 3;
		junk[off + 2] = 3;
		junk[off + 3] = 4096 >> 8;
		junk[off + 4] = 0;
	}
	write_all(fd, ccs, sizeof(ccs));
	/* The server may close while this is on its way: a failure here is
	 * not what is tested. */
	(void)send(fd, junk, CLIENT_JUNK, MSG_NOSIGNAL);
	free(junk);

	end = now_ms() + 10000;
	while (now_ms() < end) {
		unsigned char buf[4096];
		size_t n = 0;

		rc = tlsplug_conn_read(c, buf, sizeof(buf), &n);
		if (rc == TLSPLUG_OK)
			continue;
		if (rc != TLSPLUG_WANT_READ)
			break;
		flush_conn(c, fd);
		r = feed_conn(c, fd);
		ck_assert_msg(r >= 0, "%s server: the client got %s instead "
		              "of the server's alert", tlsplug_backend_name(be),
		              strerror(errno));
	}
	pthread_join(th, NULL);
	e = tlsplug_conn_error(c);
	ck_assert_msg(rc == TLSPLUG_ERR_ALERT_RECEIVED,
	    "%s server: the client ended with %s (%s), not the server's "
	    "alert; the server said: %s", tlsplug_backend_name(be),
	    tlsplug_status_name(rc), e ? tlsplug_error_message(e) : "-",
	    s.why);
	ck_assert_msg(tlsplug_error_alert(e) == 10,
	    "%s server sent alert %d, not unexpected_message (10): %s",
	    tlsplug_backend_name(be), tlsplug_error_alert(e),
	    tlsplug_error_message(e));
	ck_assert_msg(s.rc < 0, "%s server: no error after the record (%s)",
	              tlsplug_backend_name(be), tlsplug_status_name(s.rc));
	tlsplug_conn_free(c);
	tlsplug_context_unref(cctx);
	close(fd);
	close(s.listen_fd);
}
END_TEST

/*
 * Data in flight: the server sends BULK_BYTES bytes and close_notify,
 * then frees its socket at once, while CLIENT_JUNK bytes of ours wait
 * unread on its side.  The client reads every byte, then the
 * close_notify (TLSPLUG_CLOSED), not a reset.
 */
START_TEST(test_close_with_data_in_flight)
{
	const struct tlsplug_backend *be = backends[_i];
	struct server s = { .be = be, .mode = SERVER_BULK };
	struct tlsplug_context *cctx;
	struct tlsplug_socket *cs = NULL;
	unsigned char *junk, buf[16384];
	size_t got = 0, n;
	unsigned short port;
	pthread_t th;
	int fd, rc;

	s.listen_fd = listen_loopback(&port);
	ck_assert_int_eq(pthread_create(&th, NULL, server_main, &s), 0);
	fd = connect_loopback(port);
	cctx = make_ctx(be, TLSPLUG_CLIENT, false);
	ck_assert_int_eq(tlsplug_socket_new(cctx, fd, "localhost", &cs, NULL),
	                 TLSPLUG_OK);
	(void)tlsplug_socket_set_timeout(cs, 10000);
	ck_assert_int_eq(tlsplug_socket_handshake(cs), TLSPLUG_OK);
	junk = calloc(1, CLIENT_JUNK);
	ck_assert_ptr_nonnull(junk);
	/* Encrypted: the server never reads it (it only sends). */
	ck_assert_int_eq(tlsplug_socket_send_all(cs, junk, CLIENT_JUNK, &n),
	                 TLSPLUG_OK);
	free(junk);
	/* Let the server finish and free its socket before we read. */
	pthread_join(th, NULL);
	ck_assert_msg(s.rc == TLSPLUG_OK, "%s server: %s (%s)",
	              tlsplug_backend_name(be), tlsplug_status_name(s.rc),
	              s.why);
	for (;;) {
		rc = tlsplug_socket_recv(cs, buf, sizeof(buf), &n);
		if (rc != TLSPLUG_OK)
			break;
		for (size_t i = 0; i < n; i++, got++)
			ck_assert_int_eq(buf[i],
			    (unsigned char)(got * 13 + (got >> 9)));
	}
	ck_assert_msg(rc == TLSPLUG_CLOSED,
	    "%s server: after %zu of %d bytes the client got %s: %s",
	    tlsplug_backend_name(be), got, BULK_BYTES,
	    tlsplug_status_name(rc), tlsplug_socket_error(cs) ?
	    tlsplug_error_message(tlsplug_socket_error(cs)) : "-");
	ck_assert_int_eq(got, BULK_BYTES);
	tlsplug_socket_free(cs);
	tlsplug_context_unref(cctx);
	close(fd);
	close(s.listen_fd);
}
END_TEST

/*
 * tlsplug_socket_close() on a non-blocking descriptor of the caller's:
 * the peer sees EOF (write side shut) at once; the close asks for input
 * (WANT_READ) until the peer closes, then is done, the descriptor still
 * open.  With a short linger and a peer that never closes, it ends when
 * the time is over; later calls on the socket are misuse.
 */
START_TEST(test_close_nonblocking)
{
	const struct tlsplug_backend *be = backends[_i];
	struct tlsplug_context *ctx = make_ctx(be, TLSPLUG_CLIENT, false);
	struct tlsplug_socket *sock = NULL;
	unsigned char b;
	size_t n;
	int sv[2], rc;
	int64_t start;

	/* 1: the peer closes. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	                            sv), 0);
	ck_assert_int_eq(tlsplug_socket_new(ctx, sv[0], "localhost", &sock,
	                                    NULL), TLSPLUG_OK);
	ck_assert_int_eq(write(sv[1], "abc", 3), 3);
	ck_assert_int_eq(tlsplug_socket_close(sock), TLSPLUG_WANT_READ);
	ck_assert_int_eq(read(sv[1], &b, 1), 0);          /* our FIN */
	ck_assert_int_eq(tlsplug_socket_close(sock), TLSPLUG_WANT_READ);
	close(sv[1]);
	ck_assert_int_eq(tlsplug_socket_close(sock), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_socket_close(sock), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_socket_recv(sock, &b, 1, &n),
	                 TLSPLUG_ERR_MISUSE);
	tlsplug_socket_free(sock);
	ck_assert_int_ne(fcntl(sv[0], F_GETFD), -1);      /* still the caller's */
	close(sv[0]);

	/* 2: the peer never closes: the linger time ends it. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	                            sv), 0);
	ck_assert_int_eq(tlsplug_socket_new(ctx, sv[0], "localhost", &sock,
	                                    NULL), TLSPLUG_OK);
	ck_assert_int_eq(tlsplug_socket_set_linger(sock, -1),
	                 TLSPLUG_ERR_INVALID);
	ck_assert_int_eq(tlsplug_socket_set_linger(sock, 100), TLSPLUG_OK);
	start = now_ms();
	while ((rc = tlsplug_socket_close(sock)) == TLSPLUG_WANT_READ) {
		struct pollfd p = { .fd = sv[0], .events = POLLIN };

		ck_assert_msg(now_ms() - start < 5000, "close never ends");
		(void)poll(&p, 1, 20);
	}
	ck_assert_int_eq(rc, TLSPLUG_OK);
	ck_assert_int_ge(now_ms() - start, 90);
	tlsplug_socket_free(sock);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(tlsplug_socket_close(NULL), TLSPLUG_ERR_MISUSE);
	ck_assert_int_eq(tlsplug_socket_set_linger(NULL, 0),
	                 TLSPLUG_ERR_MISUSE);
	tlsplug_context_unref(ctx);
}
END_TEST

/* ---- main -------------------------------------------------------------- */

int
main(void)
{
	Suite *su = suite_create("close");
	TCase *tc;
	SRunner *sr;
	int failed;
	const char *ci = getenv("CI");

	nbackends = st_load_backends("check_close", &reg, backends,
	                             MAX_BACKENDS);
	if (nbackends == 0) {
		fprintf(stderr, "check_close: no backend built\n");
		return ci != NULL && strcmp(ci, "true") == 0 ? 1 : 77;
	}
	if (st_make_certs("check-close", certdir, sizeof(certdir)) != 0) {
		fprintf(stderr, "check_close: cannot make certificates "
		        "(openssl missing?)\n");
		return ci != NULL && strcmp(ci, "true") == 0 ? 1 : 77;
	}
	signal(SIGPIPE, SIG_IGN);

	tc = tcase_create("close");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_ccs_after_finished, 0, nbackends);
	tcase_add_loop_test(tc, test_close_with_data_in_flight, 0, nbackends);
	tcase_add_loop_test(tc, test_close_nonblocking, 0, nbackends);
	suite_add_tcase(su, tc);

	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	st_remove_certs(certdir);
	tlsplug_registry_free(reg);
	return failed == 0 ? 0 : 1;
}
