/*
 * socket_net.c -- making TLS sockets: connect to host:port, accept.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "socket_priv.h"

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "[::1]:443" or "127.0.0.1:443" for messages. */
static void
format_addr(const struct addrinfo *ai, char *buf, size_t size)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), serv,
	                sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, size, "(unprintable address)");
		return;
	}
	snprintf(buf, size, ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	         host, serv);
}

/*
 * Waits for a connect() in progress to finish.  Returns 0 or an errno
 * value (ETIMEDOUT when the deadline passed).
 */
static int
finish_connect(int fd, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	for (;;) {
		int t = -1;
		int r;

		if (deadline != 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return ETIMEDOUT;
			t = left > INT_MAX ? INT_MAX : (int)left;
		}
		r = poll(&p, 1, t);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			return errno;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		return errno;
	return soerr;
}

/* One attempt.  Returns a connected blocking fd, or -1 with *errnum set. */
static int
try_connect(const struct addrinfo *ai, int timeout_ms, int *errnum)
{
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	                SOCK_NONBLOCK, ai->ai_protocol);
	int e = 0;

	if (fd < 0) {
		*errnum = errno;
		return -1;
	}
	/* Non-blocking connect so the timeout applies; EINTR cannot lose
	 * a connection in progress either. */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		e = errno;
		if (e == EINPROGRESS || e == EINTR)
			e = finish_connect(fd, deadline);
	}
	if (e == 0) {
		int flags = fcntl(fd, F_GETFL);

		if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
			e = errno;
	}
	if (e != 0) {
		close(fd);
		*errnum = e;
		return -1;
	}
	return fd;
}

int
tlsplug_socket_connect(struct tlsplug_context *ctx, const char *host,
                       const char *port, const char *servername,
                       int timeout_ms, struct tlsplug_socket **out,
                       struct tlsplug_error **err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char where[NI_MAXHOST + NI_MAXSERV + 8] = "";
	int errnum = 0;
	int fd = -1;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || host == NULL || port == NULL || out == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		                          "tlsplug_socket_connect: NULL argument");
	if (tlsplug_context_role(ctx) != TLSPLUG_CLIENT)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "tlsplug_socket_connect needs a client context");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		if (rc == EAI_MEMORY)
			return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
			    "out of memory resolving %s", host);
		if (rc == EAI_SYSTEM)
			return tlsplug__error_out(err, TLSPLUG_ERR_IO,
			    "cannot resolve %s port %s: %s", host, port,
			    strerror(errno));
		return tlsplug__error_out(err, TLSPLUG_ERR_NOT_FOUND,
		    "cannot resolve %s port %s: %s", host, port,
		    gai_strerror(rc));
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = try_connect(ai, timeout_ms, &errnum);
		if (fd < 0)
			format_addr(ai, where, sizeof(where));
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (errnum == ETIMEDOUT && timeout_ms > 0)
			return tlsplug__error_out(err, TLSPLUG_ERR_TIMEOUT,
			    "connect to %s timed out after %d ms", where,
			    timeout_ms);
		return tlsplug__error_out(err, TLSPLUG_ERR_IO,
		    "connect to %s: %s", where, strerror(errnum));
	}
	rc = tlsplug_socket_new(ctx, fd, servername, out, err);
	if (rc != TLSPLUG_OK) {
		close(fd);
		return rc;
	}
	(*out)->owns_fd = true;
	tlsplug_socket_set_timeout(*out, timeout_ms);
	return TLSPLUG_OK;
}

int
tlsplug_socket_accept(struct tlsplug_context *ctx, int listen_fd,
                      struct tlsplug_socket **out, struct tlsplug_error **err)
{
	int flags;
	int fd;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || out == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		                          "tlsplug_socket_accept: NULL argument");
	if (tlsplug_context_role(ctx) != TLSPLUG_SERVER)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "tlsplug_socket_accept needs a server context");
	flags = fcntl(listen_fd, F_GETFL);
	if (flags < 0)
		return tlsplug__error_out(err, TLSPLUG_ERR_IO,
		    "listening fd %d: %s", listen_fd, strerror(errno));
	for (;;) {
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC |
		             ((flags & O_NONBLOCK) != 0 ? SOCK_NONBLOCK : 0));
		if (fd >= 0)
			break;
		/* A connection reset before we took it: take the next. */
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return TLSPLUG_WANT_READ;
		return tlsplug__error_out(err, TLSPLUG_ERR_IO,
		    "accept on fd %d: %s", listen_fd, strerror(errno));
	}
	rc = tlsplug_socket_new(ctx, fd, NULL, out, err);
	if (rc != TLSPLUG_OK) {
		close(fd);
		return rc;
	}
	(*out)->owns_fd = true;
	return TLSPLUG_OK;
}
