/*
 * socket_priv.h -- what socket.c and socket_net.c share: the socket object.
 */
#ifndef TLSPLUG_CORE_SOCKET_PRIV_H
#define TLSPLUG_CORE_SOCKET_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* One TLS record at most (2^14 plaintext + 2048 expansion + 5 header): what
 * a read asks the connection's incoming buffer to make room for, so a single
 * recv() can bring a whole record in. */
#define TLSPLUG__SOCKET_BUFSIZE (16384 + 2048 + 5)

/* What a read asks the descriptor for at most: several records, so a busy
 * stream costs one recv per batch of records, not two per record. */
#define TLSPLUG__SOCKET_READAHEAD (4 * TLSPLUG__SOCKET_BUFSIZE)

struct tlsplug_socket {
	struct tlsplug_conn *conn;
	int fd;
	bool owns_fd;          /* opened by connect/accept: free closes it */
	bool unwrapped;        /* fd handed back: no more TLS */
	bool eof;              /* the peer closed the transport */
	bool handshake_done;
	bool close_sent;       /* close_notify queued */
	bool close_received;   /* the peer's close_notify seen (unwrap) */
	int write_errno;       /* send() failed for good: 0 or its errno */
	int read_errno;        /* direct recv() failed: 0 or its errno */
	bool in_send;          /* inside send: direct_send() may wait */
	bool hold_output;      /* direct_send() queues: more records follow */
	/* The descriptor's mode as last seen by wait_fd (SOCKET_FD_*): a
	 * blocking one without a timeout then gets plain blocking calls. */
	unsigned char fd_mode;
	/* direct_recv()'s last call met EAGAIN, made with these flags:
	 * fill_in() then waits at once. */
	bool recv_blocked;
	int recv_blocked_flags;
	int timeout_ms;        /* <= 0: none */
	int64_t deadline;      /* CLOCK_MONOTONIC ms for this call, 0: none */
	/* Bytes of the caller's buffer already encrypted whose ciphertext is
	 * still queued: a send retried after WANT_WRITE reports them instead
	 * of encrypting them again. */
	size_t write_pending;
	/* TLS record framing of every byte handed to the connection, so
	 * unwrap can read exactly up to the end of the peer's close_notify. */
	unsigned char rec_hdr[5];
	size_t rec_hdr_have;   /* header bytes of the current record seen */
	size_t rec_body_left;  /* body bytes of the current record to come */
	/* The last error, allocated on the first one (an idle connection
	 * that never failed does not carry ~500 bytes of message room);
	 * err_nomem: there was an error but no memory to record it. */
	struct tlsplug_error *err;
	bool err_nomem;
	/* The graceful close (socket_close.c): TLSPLUG__CLOSE_*, its time
	 * budget (ms; TLSPLUG_SOCKET_LINGER_DEFAULT_MS unless set), its
	 * deadline (CLOCK_MONOTONIC ms) and the bytes drained so far. */
	unsigned char close_state;
	bool linger_set;
	int linger_ms;
	int64_t close_deadline;
	size_t drained;
};

#define TLSPLUG__CLOSE_NONE 0      /* not closing */
#define TLSPLUG__CLOSE_FLUSH 1     /* writing what is queued */
#define TLSPLUG__CLOSE_DRAIN 2     /* write side shut, reading to EOF */
#define TLSPLUG__CLOSE_DONE 3      /* over (an owned descriptor closed) */

/* socket.c: records an error on sock (see struct tlsplug_socket.err);
 * returns code. */
int tlsplug__socket_fail(struct tlsplug_socket *sock, int code,
                         const char *fmt, ...) TLSPLUG_PRINTF(3, 4);
/* socket.c: forgets the last error. */
void tlsplug__socket_clear_error(struct tlsplug_socket *sock);
/* socket.c: writes queued ciphertext as flush_out() does, bounded by
 * deadline (CLOCK_MONOTONIC ms); may_wait false never waits. */
int tlsplug__socket_flush_until(struct tlsplug_socket *sock, int64_t deadline,
                                bool may_wait);
/* socket_close.c: the graceful close.  WAIT: a blocking descriptor, waits
 * within the linger time; STEP: a non-blocking one, WANT_READ/WANT_WRITE
 * when it would wait (tlsplug_socket_close); ONCE: one pass without
 * waiting, then the end whatever is left (tlsplug_socket_free on a
 * non-blocking descriptor). */
enum tlsplug__close_mode {
	TLSPLUG__CLOSE_WAIT, TLSPLUG__CLOSE_STEP, TLSPLUG__CLOSE_ONCE
};
int tlsplug__socket_close(struct tlsplug_socket *sock,
                          enum tlsplug__close_mode mode);

#endif /* TLSPLUG_CORE_SOCKET_PRIV_H */
