/*
 * socket.c -- TLS over a connected stream socket, on top of tlsplug_conn.
 *
 * The socket only moves ciphertext: from the descriptor straight into the
 * connection's incoming buffer, and from tlsplug_conn_peek_outgoing()
 * straight to send() -- or, after the handshake, from the engine's push
 * straight to send() while nothing is queued (direct_send()).  It never
 * knows which backend runs the connection.
 * Descriptor calls use MSG_DONTWAIT; when one would block, the descriptor's
 * mode decides between returning WANT_* (non-blocking) and waiting in
 * poll() (blocking, with the timeout).  Once the descriptor's mode has
 * been seen and no timeout is set, calls are made without MSG_DONTWAIT: on
 * a blocking descriptor recv() and send() simply block, as a program
 * calling them directly would, and on a non-blocking one their EAGAIN
 * says it still is (other EAGAINs look the mode up again).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "session.h"
#include "socket_priv.h"

/* Consecutive engine calls that neither progressed nor asked for I/O before
 * we call the engine broken (keeps a buggy backend from spinning forever). */
#define SPIN_LIMIT 64

/* sock->fd_mode */
#define SOCKET_FD_UNKNOWN 0
#define SOCKET_FD_BLOCKING 1
#define SOCKET_FD_NONBLOCKING 2

/* The socket's error record, allocated on its first error; NULL when
 * out of memory (then err_nomem says there was an error). */
static struct tlsplug_error *
error_record(struct tlsplug_socket *sock)
{
	if (sock->err == NULL)
		sock->err = tlsplug__malloc(sizeof(*sock->err));
	if (sock->err == NULL) {
		sock->err_nomem = true;
		return NULL;
	}
	sock->err_nomem = false;
	return sock->err;
}

int
tlsplug__socket_fail(struct tlsplug_socket *sock, int code, const char *fmt,
                     ...)
{
	struct tlsplug_error *e = error_record(sock);
	va_list ap;

	if (e == NULL)
		return code;
	tlsplug__error_clear(e);
	e->owner = NULL;
	va_start(ap, fmt);
	tlsplug__error_setv(e, code, fmt, ap);
	va_end(ap);
	return code;
}

void
tlsplug__socket_clear_error(struct tlsplug_socket *sock)
{
	tlsplug__error_clear(sock->err);
	sock->err_nomem = false;
}

static int
io_fail(struct tlsplug_socket *sock, const char *what, int errnum)
{
	return tlsplug__socket_fail(sock, TLSPLUG_ERR_IO, "%s on fd %d: %s",
	                            what, sock->fd, strerror(errnum));
}

/* Takes the connection's error record as the socket's. */
static int
tls_fail(struct tlsplug_socket *sock, int code)
{
	const struct tlsplug_error *ce = tlsplug_conn_error(sock->conn);

	if (ce != NULL && tlsplug_error_code(ce) == code) {
		struct tlsplug_error *e = error_record(sock);

		if (e != NULL) {
			*e = *ce;
			e->owner = NULL;
		}
		return code;
	}
	return tlsplug__socket_fail(sock, code, "%s", tlsplug_strerror(code));
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The descriptor cannot progress in direction `events`: a call with
 * `call_flags` said EAGAIN.  A non-blocking descriptor (or !may_wait) gives
 * WANT_*; a blocking one waits in poll() until it is ready or the call's
 * deadline passes.  The mode is looked up unless the failed call itself
 * proved it: made without MSG_DONTWAIT on a descriptor last seen
 * non-blocking, it would have blocked on a blocking one (an event loop
 * then pays no fcntl() per WANT_*).
 */
static int
wait_fd(struct tlsplug_socket *sock, short events, bool may_wait,
        int call_flags)
{
	int want = events == POLLIN ? TLSPLUG_WANT_READ : TLSPLUG_WANT_WRITE;
	int flags;
	struct pollfd p;

	if (!may_wait ||
	    (call_flags == 0 && sock->fd_mode == SOCKET_FD_NONBLOCKING))
		return want;
	flags = fcntl(sock->fd, F_GETFL);
	if (flags < 0)
		return io_fail(sock, "fcntl", errno);
	sock->fd_mode = (flags & O_NONBLOCK) != 0 ? SOCKET_FD_NONBLOCKING :
	                                             SOCKET_FD_BLOCKING;
	if ((flags & O_NONBLOCK) != 0)
		return want;
	for (;;) {
		int t = -1;
		int r;

		if (sock->deadline != 0) {
			int64_t left = sock->deadline - now_ms();

			if (left <= 0)
				return tlsplug__socket_fail(sock,
				    TLSPLUG_ERR_TIMEOUT,
				    "timed out after %d ms waiting to %s fd %d",
				    sock->timeout_ms,
				    events == POLLIN ? "read from" : "write to",
				    sock->fd);
			t = left > INT_MAX ? INT_MAX : (int)left;
		}
		p.fd = sock->fd;
		p.events = events;
		p.revents = 0;
		r = poll(&p, 1, t);
		/* Errors and hang-ups count as ready: the next read or write
		 * reports them properly. */
		if (r > 0)
			return TLSPLUG_OK;
		if (r < 0 && errno != EINTR)
			return io_fail(sock, "poll", errno);
	}
}

/* Flags for a descriptor call: none when waiting is allowed, no timeout is
 * set and the descriptor's mode was seen (a blocking one then blocks in the
 * call itself; on a non-blocking one an EAGAIN proves it still is); else
 * MSG_DONTWAIT, and wait_fd() decides. */
static int
io_flags(const struct tlsplug_socket *sock, bool may_wait)
{
	if (may_wait && sock->deadline == 0 &&
	    sock->fd_mode != SOCKET_FD_UNKNOWN)
		return 0;
	return MSG_DONTWAIT;
}

/*
 * Writes queued outgoing ciphertext, straight from the connection's buffer.
 * may_wait false: never wait, even on a blocking descriptor.
 */
static int
flush_out(struct tlsplug_socket *sock, bool may_wait)
{
	const void *data;
	size_t n;

	if (sock->write_errno != 0 &&
	    tlsplug_conn_peek_outgoing(sock->conn, &data) > 0)
		return io_fail(sock, "send", sock->write_errno);
	while ((n = tlsplug_conn_peek_outgoing(sock->conn, &data)) > 0) {
		int flags = io_flags(sock, may_wait);
		ssize_t w = send(sock->fd, data, n, MSG_NOSIGNAL | flags);

		if (w > 0) {
			tlsplug_conn_consume_outgoing(sock->conn, (size_t)w);
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int rc = wait_fd(sock, POLLOUT, may_wait, flags);

			if (rc != TLSPLUG_OK)
				return rc;
		} else {
			sock->write_errno = w < 0 ? errno : EIO;
			return io_fail(sock, "send", sock->write_errno);
		}
	}
	return TLSPLUG_OK;
}

/*
 * The connection's sink once the handshake is done (tlsplug__conn_set_sink):
 * the engine's records go to the descriptor straight from the engine's
 * buffer, without a copy into the outgoing buffer, and after whatever is
 * queued there in the same sendmsg() -- so several records of one send
 * leave in one system call (hold_output, see do_send()).  It blocks only
 * inside a send, where flush_out() would (a blocking descriptor, no
 * timeout); what the descriptor does not take is queued, and flush_out()
 * sends it with the usual waiting, timeout and WANT_WRITE rules.  A hard
 * error is remembered in write_errno, which flush_out() then reports.
 */
static size_t
direct_send(void *arg, const void *queued, size_t qlen, const void *buf,
            size_t len)
{
	struct tlsplug_socket *sock = arg;
	struct iovec iov[2];
	struct msghdr msg;
	int saved = errno;
	int n = 0;
	ssize_t w;

	if (sock->write_errno != 0 || sock->hold_output)
		return 0;
	if (qlen > 0) {
		iov[n].iov_base = (void *)queued;
		iov[n++].iov_len = qlen;
	}
	iov[n].iov_base = (void *)buf;
	iov[n++].iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n;
	/* One buffer: send(), which the kernel takes without an iovec to
	 * copy in and check. */
	do
		w = n == 1 ? send(sock->fd, buf, len,
		                  MSG_NOSIGNAL | io_flags(sock, sock->in_send)) :
		    sendmsg(sock->fd, &msg,
		            MSG_NOSIGNAL | io_flags(sock, sock->in_send));
	while (w < 0 && errno == EINTR);
	if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		sock->write_errno = errno;
	errno = saved;
	return w > 0 ? (size_t)w : 0;
}

/* Follows the TLS record framing of n bytes handed to the connection. */
static void
track_records(struct tlsplug_socket *sock, const unsigned char *p, size_t n)
{
	while (n > 0) {
		size_t k;

		if (sock->rec_body_left > 0) {
			k = n < sock->rec_body_left ? n : sock->rec_body_left;
			sock->rec_body_left -= k;
		} else {
			k = sizeof(sock->rec_hdr) - sock->rec_hdr_have;
			if (k > n)
				k = n;
			memcpy(sock->rec_hdr + sock->rec_hdr_have, p, k);
			sock->rec_hdr_have += k;
			if (sock->rec_hdr_have == sizeof(sock->rec_hdr)) {
				sock->rec_body_left =
				    (size_t)sock->rec_hdr[3] << 8 | sock->rec_hdr[4];
				sock->rec_hdr_have = 0;
			}
		}
		p += k;
		n -= k;
	}
}

/*
 * The connection's source while do_recv() runs the engine
 * (tlsplug__conn_set_source): when nothing is queued, the engine's pull
 * reads from the descriptor straight into the engine's buffer, without a
 * copy out of the incoming buffer -- and, in the same recvmsg(), whatever
 * else the descriptor has (up to TLSPLUG__SOCKET_READAHEAD) into the
 * incoming buffer, where the engine's next pulls find it: an engine that
 * reads a record as header then body, or many small records, costs one
 * system call per batch of records instead of two per record.  Bytes read
 * past the peer's close_notify stay there for tlsplug_socket_unwrap() to
 * hand over (tlsplug_socket_unwrapped_data()).
 * It blocks only where fill_in() would (a blocking descriptor, no
 * timeout) and only while none of our output is queued (the peer may be
 * waiting for it: flush_for_read() decides); otherwise "would block" sends
 * the engine back with WANT_READ and do_recv() takes the usual path.
 * Received bytes are tracked like fill_in()'s; a socket error is kept for
 * fill_in() to report.
 */
static ssize_t
direct_recv(void *arg, void *buf, size_t len)
{
	struct tlsplug_socket *sock = arg;
	const void *data;
	struct iovec iov[2];
	struct msghdr msg;
	void *space = NULL;
	size_t avail = 0;
	int saved = errno;
	int flags = MSG_DONTWAIT;
	ssize_t r;

	sock->recv_blocked = false;
	if (sock->read_errno != 0)
		return -1;
	if (io_flags(sock, true) == 0 &&
	    tlsplug_conn_peek_outgoing(sock->conn, &data) == 0)
		flags = 0;
	/* Room for what follows; without it (out of memory) the engine
	 * still gets its bytes. */
	if (tlsplug__conn_in_reserve(sock->conn, TLSPLUG__SOCKET_READAHEAD,
	                             &space, &avail) != TLSPLUG_OK)
		avail = 0;
	iov[0].iov_base = buf;
	iov[0].iov_len = len;
	iov[1].iov_base = space;
	iov[1].iov_len = avail;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = avail > 0 ? 2 : 1;
	do
		r = recvmsg(sock->fd, &msg, flags);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		size_t got = (size_t)r;
		size_t extra = got > len ? got - len : 0;

		track_records(sock, buf, got - extra);
		if (extra > 0) {
			track_records(sock, space, extra);
			tlsplug__conn_in_commit(sock->conn, extra);
		}
		r = (ssize_t)(got - extra);
	} else if (r == 0) {
		sock->eof = true;
		tlsplug_conn_receive_eof(sock->conn);
	} else {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			sock->read_errno = errno;
		else {
			sock->recv_blocked = true;
			sock->recv_blocked_flags = flags;
		}
		r = -1;
	}
	errno = saved;
	return r;
}

/* Bytes up to the end of the current record (or its header). */
static size_t
record_remainder(const struct tlsplug_socket *sock)
{
	if (sock->rec_body_left > 0)
		return sock->rec_body_left;
	return sizeof(sock->rec_hdr) - sock->rec_hdr_have;
}

/* How much fill_in() reads. */
enum fill_size {
	FILL_EXACT,     /* no more than the rest of the current record */
	FILL_RECORD,    /* up to a whole record (handshake flights) */
	FILL_AHEAD      /* up to TLSPLUG__SOCKET_READAHEAD (streaming) */
};

/*
 * Reads ciphertext from the descriptor straight into the connection's
 * incoming buffer: as much as `size` allows (a whole record, so one recv()
 * usually brings one in, or several), or (FILL_EXACT) no more than the
 * rest of the current record.  At EOF, tells the connection and sets
 * sock->eof.
 */
static int
fill_in(struct tlsplug_socket *sock, enum fill_size size)
{
	bool exact = size == FILL_EXACT;

	if (sock->read_errno != 0) {
		/* direct_recv() met it: report it once, as recv() does. */
		int e = sock->read_errno;

		sock->read_errno = 0;
		return io_fail(sock, "recv", e);
	}
	for (;;) {
		size_t want = exact ? record_remainder(sock) :
		              size == FILL_AHEAD ? TLSPLUG__SOCKET_READAHEAD :
		                                   TLSPLUG__SOCKET_BUFSIZE;
		int flags = io_flags(sock, true);
		size_t avail;
		void *space;
		ssize_t r;
		int rc;

		if (sock->recv_blocked) {
			/* The engine's read through direct_recv() just met
			 * an empty descriptor: no second recv() to hear it
			 * again. */
			sock->recv_blocked = false;
			flags = sock->recv_blocked_flags;
			r = -1;
			errno = EAGAIN;
			goto blocked;
		}
		rc = tlsplug__conn_in_reserve(sock->conn, want, &space,
		                              &avail);
		if (rc != TLSPLUG_OK)
			return tls_fail(sock, rc);
		if (!exact)
			want = avail;
		r = recv(sock->fd, space, want, flags);
blocked:
		if (r > 0) {
			track_records(sock, space, (size_t)r);
			tlsplug__conn_in_commit(sock->conn, (size_t)r);
			return TLSPLUG_OK;
		}
		if (r == 0) {
			sock->eof = true;
			tlsplug_conn_receive_eof(sock->conn);
			return TLSPLUG_OK;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int rc;

			/* An idle connection does not keep the read-ahead
			 * room while it waits (it is taken again on the next
			 * read). */
			tlsplug__conn_in_unreserve_idle(sock->conn);
			rc = wait_fd(sock, POLLIN, true, flags);

			if (rc != TLSPLUG_OK)
				return rc;
			continue;
		}
		return io_fail(sock, "recv", errno);
	}
}

/* Starts a public operation: checks the state, sets the call's deadline. */
static int
begin(struct tlsplug_socket *sock)
{
	if (sock == NULL)
		return TLSPLUG_ERR_MISUSE;
	tlsplug__socket_clear_error(sock);
	if (sock->unwrapped)
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_MISUSE,
		    "the socket was unwrapped: TLS is over on fd %d", sock->fd);
	if (sock->close_state != TLSPLUG__CLOSE_NONE)
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_MISUSE,
		    "the socket is closed (tlsplug_socket_close)");
	sock->deadline = sock->timeout_ms > 0 ? now_ms() + sock->timeout_ms : 0;
	return TLSPLUG_OK;
}

static int
peer_closed(struct tlsplug_socket *sock, const char *during)
{
	return tlsplug__socket_fail(sock, TLSPLUG_ERR_IO,
	    "connection closed by the peer %s (fd %d)", during, sock->fd);
}

static int
do_handshake(struct tlsplug_socket *sock)
{
	int spins = 0;
	int rc;

	if (sock->handshake_done)
		return TLSPLUG_OK;
	rc = flush_out(sock, true);
	if (rc != TLSPLUG_OK)
		return rc;
	for (;;) {
		int frc;

		rc = tlsplug_conn_handshake(sock->conn);
		/* Send what the engine produced even on failure: it may be
		 * the alert that tells the peer why. */
		frc = flush_out(sock, true);
		if (rc < 0)
			return tls_fail(sock, rc);
		if (frc != TLSPLUG_OK)
			return frc;
		if (rc == TLSPLUG_OK) {
			/* Handshake flights stay batched in the buffer (one
			 * send each); from now on records go out directly. */
			sock->handshake_done = true;
			tlsplug__conn_set_sink(sock->conn, direct_send, sock);
			return TLSPLUG_OK;
		}
		if (rc == TLSPLUG_WANT_READ) {
			if (sock->eof)
				return peer_closed(sock, "during the handshake");
			rc = fill_in(sock, FILL_RECORD);
			if (rc != TLSPLUG_OK)
				return rc;
		} else if (rc != TLSPLUG_WANT_WRITE || ++spins > SPIN_LIMIT) {
			if (rc == TLSPLUG_CLOSED || rc == TLSPLUG_RAGGED_EOF)
				return peer_closed(sock, "during the handshake");
			return tlsplug__socket_fail(sock, TLSPLUG_ERR_BACKEND,
			    "handshake makes no progress (status %s)",
			    tlsplug_status_name(rc));
		}
	}
}

/*
 * A send takes at most this much plaintext: the ciphertext queued for a
 * descriptor that cannot take it stays bounded (a few records), and a
 * writer gets short sends, as send(2) gives them, rather than the whole
 * buffer encrypted into memory at once.
 */
#define SEND_PLAINTEXT_MAX (64u * 1024)

/* The most plaintext a TLS record carries. */
#define RECORD_PLAINTEXT 16384u

/*
 * tlsplug_conn_write() for do_send(): when len spans several records, all
 * but the last are held in the outgoing buffer and leave together with the
 * last one in a single sendmsg() (direct_send()), one system call where
 * the engine would make one per record.
 */
static int
write_records(struct tlsplug_socket *sock, const unsigned char *buf,
              size_t len, size_t *nwritten)
{
	size_t head, n = 0;
	int rc;

	if (len <= RECORD_PLAINTEXT)
		return tlsplug_conn_write(sock->conn, buf, len, nwritten);
	head = (len - 1) / RECORD_PLAINTEXT * RECORD_PLAINTEXT;
	sock->hold_output = true;
	rc = tlsplug_conn_write(sock->conn, buf, head, nwritten);
	sock->hold_output = false;
	if (rc != TLSPLUG_OK || *nwritten != head)
		return rc;
	/* The rest is a bonus: the head was taken already, so a status
	 * other than OK here is left for the next call to meet. */
	if (tlsplug_conn_write(sock->conn, buf + head, len - head, &n) ==
	    TLSPLUG_OK)
		*nwritten += n;
	return TLSPLUG_OK;
}

static int
do_send(struct tlsplug_socket *sock, const unsigned char *buf, size_t len,
        size_t *nwritten)
{
	int spins = 0;
	int rc;

	*nwritten = 0;
	if (sock->write_pending > 0) {
		/* A retry after WANT_*: those bytes are encrypted already. */
		if (len < sock->write_pending)
			return tlsplug__socket_fail(sock, TLSPLUG_ERR_MISUSE,
			    "send retried with %zu bytes, fewer than the %zu "
			    "already taken: retry with the same buffer",
			    len, sock->write_pending);
		rc = flush_out(sock, true);
		if (rc != TLSPLUG_OK)
			return rc;
		*nwritten = sock->write_pending;
		sock->write_pending = 0;
		return TLSPLUG_OK;
	}
	rc = flush_out(sock, true);
	if (rc != TLSPLUG_OK || len == 0)
		return rc;
	if (len > SEND_PLAINTEXT_MAX)
		len = SEND_PLAINTEXT_MAX;
	for (;;) {
		size_t n = 0;
		int frc;

		sock->in_send = true;
		rc = write_records(sock, buf, len, &n);
		sock->in_send = false;
		if (rc == TLSPLUG_OK && n > 0) {
			sock->write_pending = n;
			frc = flush_out(sock, true);
			if (frc != TLSPLUG_OK)
				return frc;
			sock->write_pending = 0;
			*nwritten = n;
			return TLSPLUG_OK;
		}
		frc = flush_out(sock, true);
		if (rc < 0)
			return tls_fail(sock, rc);
		if (frc != TLSPLUG_OK)
			return frc;
		if (rc == TLSPLUG_WANT_READ) {
			if (sock->eof)
				return peer_closed(sock, "while sending");
			rc = fill_in(sock, FILL_RECORD);
			if (rc != TLSPLUG_OK)
				return rc;
		} else if (rc == TLSPLUG_CLOSED || rc == TLSPLUG_RAGGED_EOF) {
			return peer_closed(sock, "while sending");
		} else if (++spins > SPIN_LIMIT) {
			return tlsplug__socket_fail(sock, TLSPLUG_ERR_BACKEND,
			    "write makes no progress (status %s)",
			    tlsplug_status_name(rc));
		}
	}
}

/*
 * flush_out() for the read side.  Reading must not wait for our own output
 * to drain, or two peers that both send more than the kernel buffers hold
 * would each wait for the other to read: pending output only stops a read
 * when the read cannot go on either and the output is protocol data the
 * peer may be waiting for (not the remains of a send, which the caller
 * retries itself).  Once the peer stopped taking our bytes (EPIPE,
 * ECONNRESET), what it sent before -- often the alert saying why -- can
 * still be read.
 */
static int
flush_for_read(struct tlsplug_socket *sock, bool stuck)
{
	int rc = flush_out(sock, false);

	if (rc == TLSPLUG_WANT_WRITE && stuck && sock->write_pending == 0)
		return flush_out(sock, true);
	if (rc < 0 && sock->write_errno != 0)
		return TLSPLUG_OK;
	return rc == TLSPLUG_WANT_WRITE ? TLSPLUG_OK : rc;
}

static int
do_recv(struct tlsplug_socket *sock, void *buf, size_t len, size_t *nread)
{
	int spins = 0;
	int rc;

	*nread = 0;
	rc = flush_for_read(sock, false);
	if (rc != TLSPLUG_OK)
		return rc;
	for (;;) {
		size_t n = 0;
		int frc;

		sock->recv_blocked = false;
		tlsplug__conn_set_source(sock->conn, direct_recv, sock);
		rc = tlsplug_conn_read(sock->conn, buf, len, &n);
		tlsplug__conn_set_source(sock->conn, NULL, NULL);
		frc = flush_for_read(sock, rc == TLSPLUG_WANT_READ);
		if (rc == TLSPLUG_OK && n > 0) {
			/* Data in hand wins: anything that could not be
			 * written now is written by a later call. */
			tlsplug__socket_clear_error(sock);
			*nread = n;
			return TLSPLUG_OK;
		}
		if (rc < 0)
			return tls_fail(sock, rc);
		if (frc != TLSPLUG_OK)
			return frc;
		switch (rc) {
		case TLSPLUG_CLOSED:
			sock->close_received = true;
			return rc;
		case TLSPLUG_RAGGED_EOF:
			return rc;
		case TLSPLUG_WANT_READ:
			/* After EOF the connection should have said
			 * RAGGED_EOF; do not wait for bytes that never come. */
			if (sock->eof)
				return TLSPLUG_RAGGED_EOF;
			rc = fill_in(sock, FILL_AHEAD);
			if (rc != TLSPLUG_OK)
				return rc;
			break;
		default:
			if (len == 0)
				return TLSPLUG_OK;
			if (++spins > SPIN_LIMIT)
				return tlsplug__socket_fail(sock,
				    TLSPLUG_ERR_BACKEND,
				    "read makes no progress (status %s)",
				    tlsplug_status_name(rc));
			break;
		}
	}
}

int
tlsplug_socket_new(struct tlsplug_context *ctx, int fd,
                   const char *server_hostname, struct tlsplug_socket **out,
                   struct tlsplug_error **err)
{
	struct tlsplug_socket *sock;
	int type = 0;
	socklen_t tlen = sizeof(type);
	int rc;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || out == NULL || fd < 0)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "tlsplug_socket_new: %s",
		    fd < 0 ? "negative file descriptor" : "NULL argument");
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0) {
		if (errno == ENOTSOCK)
			return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
			    "fd %d is not a socket: only connected SOCK_STREAM "
			    "sockets can be wrapped", fd);
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "fd %d: getsockopt(SO_TYPE): %s", fd, strerror(errno));
	}
	if (type != SOCK_STREAM)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "fd %d is a %s socket: only SOCK_STREAM sockets can be "
		    "wrapped", fd,
		    type == SOCK_DGRAM ? "SOCK_DGRAM" :
		    type == SOCK_SEQPACKET ? "SOCK_SEQPACKET" :
		    type == SOCK_RAW ? "SOCK_RAW" : "non-stream");
	if (tlsplug_context_role(ctx) == TLSPLUG_SERVER &&
	    server_hostname != NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "a server socket takes no server_hostname");

	sock = tlsplug__calloc(1, sizeof(*sock));
	if (sock == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory for a socket");
	rc = tlsplug_conn_new(ctx, server_hostname, &sock->conn, err);
	if (rc != TLSPLUG_OK) {
		tlsplug__free(sock);
		return rc;
	}
	sock->fd = fd;
	/* The client's session cache keys on the peer's address too. */
	if (tlsplug_context_role(ctx) == TLSPLUG_CLIENT)
		tlsplug__session_peer_from_fd(sock->conn, fd);
	tlsplug__socket_clear_error(sock);
	*out = sock;
	return TLSPLUG_OK;
}

void
tlsplug_socket_free(struct tlsplug_socket *sock)
{
	if (sock == NULL)
		return;
	/* A descriptor of ours is closed gracefully (socket_close.c): on a
	 * blocking one within the linger time, else in one pass. */
	if (sock->owns_fd && !sock->unwrapped &&
	    sock->close_state != TLSPLUG__CLOSE_DONE) {
		int flags = fcntl(sock->fd, F_GETFL);

		(void)tlsplug__socket_close(sock,
		    flags >= 0 && !(flags & O_NONBLOCK) ? TLSPLUG__CLOSE_WAIT :
		                                          TLSPLUG__CLOSE_ONCE);
	}
	tlsplug_conn_free(sock->conn);
	tlsplug__free(sock->err);
	tlsplug__free(sock);
}

int
tlsplug_socket_set_timeout(struct tlsplug_socket *sock, int timeout_ms)
{
	if (sock == NULL)
		return TLSPLUG_ERR_MISUSE;
	sock->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	return TLSPLUG_OK;
}

int
tlsplug_socket_handshake(struct tlsplug_socket *sock)
{
	int rc = begin(sock);

	return rc != TLSPLUG_OK ? rc : do_handshake(sock);
}

int
tlsplug_socket_send(struct tlsplug_socket *sock, const void *buf, size_t len,
                    size_t *nwritten)
{
	int rc;

	if (nwritten != NULL)
		*nwritten = 0;
	rc = begin(sock);
	if (rc != TLSPLUG_OK)
		return rc;
	if (nwritten == NULL || (buf == NULL && len > 0))
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_MISUSE,
		    "tlsplug_socket_send: NULL argument");
	rc = do_handshake(sock);
	if (rc != TLSPLUG_OK)
		return rc;
	return do_send(sock, buf, len, nwritten);
}

int
tlsplug_socket_send_all(struct tlsplug_socket *sock, const void *buf,
                        size_t len, size_t *nwritten)
{
	const unsigned char *p = buf;
	size_t total = 0;
	int rc;

	if (nwritten != NULL)
		*nwritten = 0;
	rc = begin(sock);
	if (rc != TLSPLUG_OK)
		return rc;
	if (nwritten == NULL || (buf == NULL && len > 0))
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_MISUSE,
		    "tlsplug_socket_send_all: NULL argument");
	rc = do_handshake(sock);
	while (rc == TLSPLUG_OK && total < len) {
		size_t n;

		rc = do_send(sock, p + total, len - total, &n);
		total += n;
	}
	*nwritten = total;
	return rc;
}

int
tlsplug_socket_recv(struct tlsplug_socket *sock, void *buf, size_t len,
                    size_t *nread)
{
	int rc;

	if (nread != NULL)
		*nread = 0;
	rc = begin(sock);
	if (rc != TLSPLUG_OK)
		return rc;
	if (nread == NULL || (buf == NULL && len > 0))
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_MISUSE,
		    "tlsplug_socket_recv: NULL argument");
	rc = do_handshake(sock);
	if (rc != TLSPLUG_OK)
		return rc;
	return do_recv(sock, buf, len, nread);
}

/* Queues close_notify once. */
static int
send_close(struct tlsplug_socket *sock)
{
	int rc;

	if (sock->close_sent)
		return TLSPLUG_OK;
	rc = tlsplug_conn_shutdown(sock->conn);
	if (rc < 0) {
		(void)flush_out(sock, true);
		return tls_fail(sock, rc);
	}
	sock->close_sent = true;
	if (rc == TLSPLUG_OK)
		sock->close_received = true;
	return TLSPLUG_OK;
}

int
tlsplug_socket_shutdown(struct tlsplug_socket *sock)
{
	int rc = begin(sock);

	if (rc == TLSPLUG_OK)
		rc = send_close(sock);
	if (rc == TLSPLUG_OK)
		rc = flush_out(sock, true);
	return rc;
}

/*
 * Waits for the peer's close_notify after ours, reading one record at a
 * time and discarding application data that comes before it.
 */
static int
await_close(struct tlsplug_socket *sock)
{
	int spins = 0;

	unsigned char discard[4096];

	while (!sock->close_received) {
		size_t n = 0;
		int rc = tlsplug_conn_read(sock->conn, discard,
		                           sizeof(discard), &n);
		int frc = flush_out(sock, true);

		if (rc < 0)
			return tls_fail(sock, rc);
		if (frc != TLSPLUG_OK)
			return frc;
		switch (rc) {
		case TLSPLUG_CLOSED:
			sock->close_received = true;
			break;
		case TLSPLUG_RAGGED_EOF:
			return peer_closed(sock, "before its close_notify");
		case TLSPLUG_WANT_READ:
			if (sock->eof)
				return peer_closed(sock,
				                   "before its close_notify");
			rc = fill_in(sock, FILL_EXACT);
			if (rc != TLSPLUG_OK)
				return rc;
			spins = 0;
			break;
		default:
			if (n == 0 && ++spins > SPIN_LIMIT)
				return tlsplug__socket_fail(sock,
				    TLSPLUG_ERR_BACKEND,
				    "shutdown makes no progress (status %s)",
				    tlsplug_status_name(rc));
			break;
		}
	}
	return TLSPLUG_OK;
}

int
tlsplug_socket_unwrap(struct tlsplug_socket *sock, int *fd)
{
	int rc;

	if (fd != NULL)
		*fd = -1;
	rc = begin(sock);
	if (rc != TLSPLUG_OK)
		return rc;
	if (fd == NULL)
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_MISUSE,
		    "tlsplug_socket_unwrap: NULL argument");
	rc = flush_out(sock, true);
	if (rc == TLSPLUG_OK)
		rc = send_close(sock);
	if (rc == TLSPLUG_OK)
		rc = flush_out(sock, true);
	if (rc == TLSPLUG_OK)
		rc = await_close(sock);
	if (rc != TLSPLUG_OK)
		return rc;
	/* Let the engine see both close_notify alerts through. */
	rc = tlsplug_conn_shutdown(sock->conn);
	if (rc < 0)
		return tls_fail(sock, rc);
	rc = flush_out(sock, true);
	if (rc != TLSPLUG_OK)
		return rc;
	/* Bytes read ahead past the peer's close_notify are still in the
	 * incoming buffer: tlsplug_socket_unwrapped_data() hands them over.
	 * With none there, the engine took whole records only. */
	if (tlsplug_conn_incoming_pending(sock->conn) == 0 &&
	    (sock->rec_hdr_have != 0 || sock->rec_body_left != 0))
		return tlsplug__socket_fail(sock, TLSPLUG_ERR_PROTOCOL,
		    "the engine read into a record after the peer's "
		    "close_notify on fd %d", sock->fd);
	sock->unwrapped = true;
	tlsplug__conn_set_sink(sock->conn, NULL, NULL);
	*fd = sock->fd;
	return TLSPLUG_OK;
}

size_t
tlsplug_socket_unwrapped_data(const struct tlsplug_socket *sock,
                              const void **data)
{
	if (data != NULL)
		*data = NULL;
	if (sock == NULL || data == NULL || !sock->unwrapped)
		return 0;
	return tlsplug__conn_in_peek(sock->conn, data);
}

int
tlsplug_socket_flush(struct tlsplug_socket *sock)
{
	int rc = begin(sock);

	return rc != TLSPLUG_OK ? rc : flush_out(sock, true);
}

size_t
tlsplug_socket_pending_outgoing(const struct tlsplug_socket *sock)
{
	const void *data;

	if (sock == NULL || sock->unwrapped)
		return 0;
	return tlsplug_conn_peek_outgoing(sock->conn, &data);
}

int
tlsplug_socket_fd(const struct tlsplug_socket *sock)
{
	return sock == NULL ? -1 : sock->fd;
}

struct tlsplug_context *
tlsplug_socket_context(const struct tlsplug_socket *sock)
{
	return sock == NULL ? NULL : tlsplug_conn_context(sock->conn);
}

struct tlsplug_conn *
tlsplug_socket_conn(const struct tlsplug_socket *sock)
{
	return sock == NULL ? NULL : sock->conn;
}

uint16_t
tlsplug_socket_cipher(const struct tlsplug_socket *sock)
{
	return sock == NULL ? TLSPLUG_CS_NONE : tlsplug_conn_cipher(sock->conn);
}

enum tlsplug_version
tlsplug_socket_version(const struct tlsplug_socket *sock)
{
	return sock == NULL ? TLSPLUG_VERSION_NONE :
	                      tlsplug_conn_version(sock->conn);
}

const char *
tlsplug_socket_alpn(const struct tlsplug_socket *sock)
{
	return sock == NULL ? NULL : tlsplug_conn_alpn(sock->conn);
}

const struct tlsplug_error *
tlsplug_socket_error(const struct tlsplug_socket *sock)
{
	if (sock == NULL)
		return NULL;
	if (sock->err_nomem)
		return &tlsplug__nomem_record;
	if (sock->err == NULL || sock->err->code == TLSPLUG_OK)
		return NULL;
	return sock->err;
}

int
tlsplug__socket_flush_until(struct tlsplug_socket *sock, int64_t deadline,
                            bool may_wait)
{
	sock->deadline = deadline;
	return flush_out(sock, may_wait);
}
