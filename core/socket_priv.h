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
	struct tlsplug_error err;
};

#endif /* TLSPLUG_CORE_SOCKET_PRIV_H */
