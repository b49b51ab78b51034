/*
 * socket_close.c -- the graceful close of a TLS socket's descriptor.
 *
 * Closing a TCP socket whose receive queue still holds bytes makes the
 * kernel answer with a reset, which throws away what we sent last and the
 * peer has not read yet: the alert that says why a handshake failed, the
 * session tickets before it, our close_notify.  So a close (1) writes the
 * ciphertext still queued, (2) shuts the write side (FIN after our last
 * byte), (3) reads and discards what the peer still sends until it closes
 * too, the linger time passes or TLSPLUG_SOCKET_LINGER_MAX_BYTES were
 * read, and only then (4) closes the descriptor, if the socket owns it.
 * Every wait is bounded by the one linger deadline set at the first call.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "socket_priv.h"

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
linger_ms(const struct tlsplug_socket *sock)
{
	return sock->linger_set ? sock->linger_ms :
	                          TLSPLUG_SOCKET_LINGER_DEFAULT_MS;
}

static bool
fd_blocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags >= 0 && (flags & O_NONBLOCK) == 0;
}

/* Reads and discards until EOF, an error, the byte budget or the deadline.
 * WANT_READ when it must wait and may not. */
static int
drain(struct tlsplug_socket *sock, bool may_wait)
{
	unsigned char buf[4096];

	while (sock->drained < TLSPLUG_SOCKET_LINGER_MAX_BYTES) {
		ssize_t r = recv(sock->fd, buf, sizeof(buf), MSG_DONTWAIT);
		int64_t left;
		struct pollfd p;

		if (r > 0) {
			sock->drained += (size_t)r;
			continue;
		}
		if (r == 0)
			return TLSPLUG_OK;              /* the peer closed */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return TLSPLUG_OK;              /* reset, ...: over */
		left = sock->close_deadline - mono_ms();
		if (left <= 0)
			return TLSPLUG_OK;
		if (!may_wait)
			return TLSPLUG_WANT_READ;
		p.fd = sock->fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, (int)left) == 0)
			return TLSPLUG_OK;              /* linger time over */
	}
	return TLSPLUG_OK;
}

int
tlsplug__socket_close(struct tlsplug_socket *sock, enum tlsplug__close_mode mode)
{
	bool may_wait = mode == TLSPLUG__CLOSE_WAIT;
	int rc;

	if (sock->close_state == TLSPLUG__CLOSE_DONE)
		return TLSPLUG_OK;
	if (sock->close_state == TLSPLUG__CLOSE_NONE) {
		sock->close_state = TLSPLUG__CLOSE_FLUSH;
		sock->close_deadline = mono_ms() + linger_ms(sock);
		sock->drained = 0;
	}
	if (linger_ms(sock) == 0)
		may_wait = false;
	if (sock->close_state == TLSPLUG__CLOSE_FLUSH) {
		rc = tlsplug__socket_flush_until(sock, sock->close_deadline,
		                                 may_wait);
		/* A full non-blocking descriptor inside the linger time:
		 * call again when it is writable.  Any other failure:
		 * nothing more can be delivered, go on. */
		if (rc == TLSPLUG_WANT_WRITE && mode == TLSPLUG__CLOSE_STEP &&
		    mono_ms() < sock->close_deadline)
			return TLSPLUG_WANT_WRITE;
		(void)shutdown(sock->fd, SHUT_WR);
		sock->close_state = TLSPLUG__CLOSE_DRAIN;
	}
	rc = drain(sock, may_wait);
	if (rc == TLSPLUG_WANT_READ && mode == TLSPLUG__CLOSE_STEP)
		return rc;
	if (sock->owns_fd)
		close(sock->fd);
	sock->close_state = TLSPLUG__CLOSE_DONE;
	return TLSPLUG_OK;
}

int
tlsplug_socket_close(struct tlsplug_socket *sock)
{
	if (sock == NULL)
		return TLSPLUG_ERR_MISUSE;
	tlsplug__socket_clear_error(sock);
	if (sock->unwrapped)
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_MISUSE,
		    "the socket was unwrapped: fd %d is the caller's now",
		    sock->fd);
	return tlsplug__socket_close(sock, fd_blocking(sock->fd) ?
	                             TLSPLUG__CLOSE_WAIT : TLSPLUG__CLOSE_STEP);
}

int
tlsplug_socket_set_linger(struct tlsplug_socket *sock, int ms)
{
	if (sock == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (ms < 0)
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_INVALID,
		    "linger time %d ms is negative", ms);
	sock->linger_ms = ms;
	sock->linger_set = true;
	return TLSPLUG_OK;
}
