/*
 * socket.h -- TLS over a connected stream socket (PEP 543 TLSWrappedSocket).
 *
 * Included by <tlsplug/tlsplug.h>; do not include it on its own.
 *
 * A struct tlsplug_socket joins a struct tlsplug_conn (the in-memory
 * "wrapped buffer") to a connected SOCK_STREAM file descriptor.  It is
 * written once, in the core, on top of the public connection API, so it
 * works the same with every backend: it only moves ciphertext between the
 * connection's buffers and the descriptor.
 *
 * Blocking and non-blocking descriptors
 *   The wrapper never changes the descriptor's mode; it looks at it when the
 *   descriptor cannot make progress.
 *   - Blocking descriptor: every operation runs to completion (or error).
 *     With tlsplug_socket_set_timeout(), each operation gives up after that
 *     many milliseconds with TLSPLUG_ERR_TIMEOUT.
 *   - Non-blocking descriptor: an operation that cannot make progress
 *     returns TLSPLUG_WANT_READ ("poll the descriptor for input, then call
 *     again") or TLSPLUG_WANT_WRITE ("poll it for output, then call
 *     again"), as libtls does.  Outgoing ciphertext that could not be
 *     written stays queued; the call that produced it returns
 *     TLSPLUG_WANT_WRITE and later calls write it first.  Reads are the
 *     exception that keeps full-duplex use from deadlocking: recv does not
 *     wait for the queued remains of a send (the caller retries that send
 *     itself), so an event loop polls for the union of what its pending
 *     send and recv asked for.
 *   A timeout (TLSPLUG_ERR_TIMEOUT) leaves the socket as WANT_* would: the
 *   same call may be made again.
 *
 * Results
 *   Operations return TLSPLUG_OK, TLSPLUG_WANT_READ, TLSPLUG_WANT_WRITE,
 *   TLSPLUG_CLOSED or TLSPLUG_RAGGED_EOF (recv only), or a negative
 *   TLSPLUG_ERR_*: TLSPLUG_ERR_IO for socket errors (the message carries
 *   strerror), TLSPLUG_ERR_TIMEOUT, TLSPLUG_ERR_MISUSE for a call not
 *   allowed in the socket's state, and the TLS error categories passed
 *   through unchanged from the connection.  tlsplug_socket_error() describes
 *   the last failure.
 *
 * Signals and interruptions: EINTR is retried; writes use MSG_NOSIGNAL, so a
 * peer that went away never raises SIGPIPE.
 *
 * Descriptor ownership: the socket never closes a descriptor it did not
 * open.  Descriptors opened by tlsplug_socket_connect() and
 * tlsplug_socket_accept() belong to the socket and are closed (gracefully:
 * see tlsplug_socket_close()) by tlsplug_socket_close() or
 * tlsplug_socket_free(), unless tlsplug_socket_unwrap() handed them back.
 *
 * Memory, copies and system calls: after the handshake, ciphertext the
 * engine produces goes straight to the descriptor (one sendmsg() for all the
 * records of one send), and a read takes the bytes the engine asks for
 * straight into the engine's buffer together with whatever else the
 * descriptor has (up to a few records) into the connection's incoming
 * buffer, where the engine's next reads find it: a stream costs one recv
 * per batch of records where an engine on its own descriptor makes two per
 * record (header, body).  So a read may take bytes beyond the record it
 * needs from the descriptor: read until WANT_READ before waiting for the
 * descriptor to become readable, as for any TLS socket (the engine may hold
 * decrypted data too), and see tlsplug_socket_unwrap() for the bytes that
 * follow a close_notify.  The buffers stop growing at their high-water
 * mark, so steady-state reads and writes do not allocate; an idle
 * connection (a read found nothing to do) gives them, and the engine's
 * record buffers, back until its next read or write, except while it
 * streams (its reads and writes less than a second apart).
 *
 * Thread safety: a socket, like a connection, is used by one thread at a
 * time.
 */
#ifndef TLSPLUG_SOCKET_H
#define TLSPLUG_SOCKET_H

#ifndef TLSPLUG_TLSPLUG_H
#error "include <tlsplug/tlsplug.h>, not <tlsplug/socket.h>"
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct tlsplug_socket;

/*
 * Wraps the connected SOCK_STREAM descriptor fd in a new TLS socket for
 * ctx's role (tlsplug_context_role()).  A client gives the server's name in
 * server_hostname: it is checked against the server's certificate and, unless
 * it is an IP literal, sent as SNI; NULL opts out of hostname checking and
 * SNI (dangerous: say so on purpose).  A server passes NULL.
 * The socket takes a reference on ctx; the caller keeps owning fd (the
 * socket never closes it) and must not read or write it while it is
 * wrapped.  No I/O happens yet: the handshake runs on
 * tlsplug_socket_handshake() or on the first send or recv.
 * Errors: TLSPLUG_ERR_INVALID (fd is not a socket, or not SOCK_STREAM;
 * server_hostname given to a server), TLSPLUG_ERR_NOMEM, and the errors of
 * tlsplug_conn_new().
 */
TLSPLUG_API int tlsplug_socket_new(struct tlsplug_context *ctx, int fd,
	const char *server_hostname, struct tlsplug_socket **out,
	struct tlsplug_error **err);

/*
 * Resolves host and port (a number or a service name) with getaddrinfo, then
 * tries each address (IPv4 and IPv6) in turn until a TCP connection is
 * made, and wraps it as tlsplug_socket_new() would, with server_hostname
 * servername (NULL: no hostname checking, no SNI -- pass host to check the
 * name you connected to).  timeout_ms > 0 bounds each connection attempt
 * and becomes the socket's timeout (tlsplug_socket_set_timeout()); 0 waits
 * as long as the system does.  The descriptor is blocking and belongs to the
 * socket.  No handshake is done yet.
 * Errors: TLSPLUG_ERR_NOT_FOUND (the name does not resolve), TLSPLUG_ERR_IO
 * (every address refused; the message names the last one and strerror),
 * TLSPLUG_ERR_TIMEOUT, TLSPLUG_ERR_INVALID, TLSPLUG_ERR_NOMEM, and those of
 * tlsplug_socket_new().
 */
TLSPLUG_API int tlsplug_socket_connect(struct tlsplug_context *ctx,
	const char *host, const char *port, const char *servername,
	int timeout_ms, struct tlsplug_socket **out, struct tlsplug_error **err);

/*
 * Accepts one connection on the listening descriptor listen_fd and wraps it
 * for the server context ctx.  The new descriptor is close-on-exec, has the
 * blocking mode of listen_fd, and belongs to the socket.  No handshake is
 * done yet.  Returns TLSPLUG_WANT_READ (and leaves *out NULL) when listen_fd
 * is non-blocking and no connection is waiting.
 * Errors: TLSPLUG_ERR_IO (accept failed; strerror), TLSPLUG_ERR_INVALID
 * (ctx is not a server context), and those of tlsplug_socket_new().
 */
TLSPLUG_API int tlsplug_socket_accept(struct tlsplug_context *ctx,
	int listen_fd, struct tlsplug_socket **out, struct tlsplug_error **err);

/*
 * Closing.  A TCP socket closed while bytes from the peer wait unread makes
 * the kernel send a reset, and the peer may then never read what we sent
 * last: the alert that says why a handshake failed, session tickets, our
 * close_notify.  So the socket closes gracefully: it writes the ciphertext
 * still queued, shuts the write side down (shutdown(SHUT_WR): the peer
 * reads everything, then EOF), reads and discards what the peer still
 * sends until it closes too, the linger time passes, or
 * TLSPLUG_SOCKET_LINGER_MAX_BYTES were read, and only then closes the
 * descriptor.  The linger time bounds the whole close, from its first
 * call; a peer that closes at once costs no wait.
 */
#define TLSPLUG_SOCKET_LINGER_DEFAULT_MS 1000
#define TLSPLUG_SOCKET_LINGER_MAX_BYTES (256u * 1024)

/*
 * Ends the transport gracefully, as above (it sends no close_notify:
 * call tlsplug_socket_shutdown() first for a clean TLS end; after a TLS
 * error, the alert the engine queued is what gets written).  A descriptor
 * the socket opened (connect, accept) is closed; one given to
 * tlsplug_socket_new() is left open, its write side shut down, for the
 * caller to close.  Afterwards only tlsplug_socket_free() and the queries
 * may be called (the others fail with TLSPLUG_ERR_MISUSE).
 * Blocking descriptor: returns when done, within the linger time.
 * Non-blocking descriptor: TLSPLUG_WANT_WRITE or TLSPLUG_WANT_READ while
 * it would wait: call again when the descriptor is ready or, at the
 * latest, when the linger time since the first call is over (the call
 * then finishes without waiting) -- an event loop keeps a timer for it.
 * Returns TLSPLUG_OK once done (again OK on later calls; write and read
 * errors only end the close early), or TLSPLUG_ERR_MISUSE (NULL, or the
 * socket was unwrapped).
 */
TLSPLUG_API int tlsplug_socket_close(struct tlsplug_socket *sock);

/*
 * The time a close may take, in milliseconds (default
 * TLSPLUG_SOCKET_LINGER_DEFAULT_MS); 0: no waiting at all (what fits in
 * the send buffer is written, what already arrived is read, then the
 * descriptor is closed).  Set it before the close starts.
 * Errors: TLSPLUG_ERR_MISUSE (sock NULL), TLSPLUG_ERR_INVALID (ms < 0).
 */
TLSPLUG_API int tlsplug_socket_set_linger(struct tlsplug_socket *sock,
                                          int ms);

/*
 * Frees the socket and its connection.  A descriptor the socket opened
 * (connect, accept) and unwrap did not hand back is closed gracefully
 * first, unless tlsplug_socket_close() finished already: on a blocking
 * descriptor within the linger time; on a non-blocking one in a single
 * pass that never waits (an event loop calls tlsplug_socket_close() until
 * it gives TLSPLUG_OK first, for the full linger without blocking).  A
 * caller's descriptor is not touched.  Does not send close_notify: call
 * tlsplug_socket_shutdown() first for a clean end.  NULL is a no-op.
 */
TLSPLUG_API void tlsplug_socket_free(struct tlsplug_socket *sock);

/*
 * Sets a time limit, in milliseconds, for each later operation on a
 * blocking descriptor (the whole call, however many waits it takes);
 * 0 or less: no limit (the default).  An operation that runs out of time
 * returns TLSPLUG_ERR_TIMEOUT, and may be called again as after WANT_*
 * (nothing is lost: queued ciphertext and a send's progress are kept).
 * Returns TLSPLUG_OK, or TLSPLUG_ERR_MISUSE if sock is NULL.
 */
TLSPLUG_API int tlsplug_socket_set_timeout(struct tlsplug_socket *sock,
                                           int timeout_ms);

/*
 * Runs the TLS handshake, certificate validation and hostname checking
 * included.  TLSPLUG_OK once done (again OK on later calls), WANT_* on a
 * non-blocking descriptor, or an error: TLSPLUG_ERR_IO (the peer closed the
 * connection or a socket error), TLSPLUG_ERR_TIMEOUT, or the connection's
 * TLS error (TLSPLUG_ERR_CERT_*, TLSPLUG_ERR_ALERT_RECEIVED, ...).
 */
TLSPLUG_API int tlsplug_socket_handshake(struct tlsplug_socket *sock);

/*
 * Encrypts and sends up to len bytes of buf (handshaking first if needed).
 * On TLSPLUG_OK, *nwritten (never NULL) is how many bytes were taken, at
 * least 1 when len > 0 but possibly fewer than len (a short send: one call
 * takes at most 64 KiB, so the ciphertext queued for a descriptor that is
 * not ready stays bounded); they have been written to the descriptor.  On WANT_*, *nwritten is 0 and the
 * caller calls again with the same buf and len (bytes already encrypted are
 * remembered and not sent twice).  After an error nothing more can be sent.
 */
TLSPLUG_API int tlsplug_socket_send(struct tlsplug_socket *sock,
	const void *buf, size_t len, size_t *nwritten);

/*
 * Sends all len bytes of buf, as many tlsplug_socket_send() calls as needed.
 * On a blocking descriptor it returns TLSPLUG_OK with *nwritten == len, or an
 * error with *nwritten saying how many bytes were sent before it.  On a
 * non-blocking descriptor it may return WANT_* with *nwritten the bytes
 * already sent: call again with buf + *nwritten and len - *nwritten.
 */
TLSPLUG_API int tlsplug_socket_send_all(struct tlsplug_socket *sock,
	const void *buf, size_t len, size_t *nwritten);

/*
 * Receives up to len plaintext bytes into buf (handshaking first if needed).
 * Returns TLSPLUG_OK with *nread >= 1, TLSPLUG_CLOSED when the peer sent
 * close_notify, TLSPLUG_RAGGED_EOF when the transport ended without it
 * (the data may have been truncated), WANT_* on a non-blocking descriptor,
 * or an error; *nread (never NULL) is 0 unless TLSPLUG_OK.  When data was
 * received but outgoing ciphertext (say, a TLS 1.3 key update answer) could
 * not be written yet, the data is returned and a later call writes it.
 * Once the peer stopped taking our data (EPIPE, ECONNRESET), what it sent
 * before -- often the alert that says why -- can still be received.
 */
TLSPLUG_API int tlsplug_socket_recv(struct tlsplug_socket *sock, void *buf,
	size_t len, size_t *nread);

/*
 * Sends close_notify and writes it out; does not wait for the peer's
 * close_notify, and leaves the descriptor open (use tlsplug_socket_unwrap()
 * to exchange close_notify both ways).  tlsplug_socket_recv() may still be
 * called afterwards to read what the peer sends until its own close_notify
 * (TLSPLUG_CLOSED).  Returns TLSPLUG_OK, TLSPLUG_WANT_WRITE on a
 * non-blocking descriptor, or an error.
 */
TLSPLUG_API int tlsplug_socket_shutdown(struct tlsplug_socket *sock);

/*
 * Ends TLS on the socket and hands back its descriptor (PEP 543 unwrap):
 * sends close_notify and waits for the peer's, reading ciphertext one TLS
 * record at a time so that not a byte after the peer's close_notify is
 * taken from the descriptor.  Plaintext application data the peer sends
 * before its close_notify is discarded.  On TLSPLUG_OK, *fd (never NULL)
 * receives the descriptor, which then belongs to the caller whoever opened
 * it; the socket can only be freed.  What the peer sent after its
 * close_notify is then, in order, first tlsplug_socket_unwrapped_data()
 * (bytes an earlier tlsplug_socket_recv() had read ahead: it met the
 * close_notify, and whatever followed it in the same read, before unwrap
 * was called), then the descriptor.  WANT_* on a non-blocking descriptor
 * (call again).  Errors: TLSPLUG_ERR_IO (the peer closed the connection
 * without close_notify; a socket error), TLSPLUG_ERR_PROTOCOL (the engine
 * read part of what followed the close_notify itself), TLSPLUG_ERR_TIMEOUT,
 * TLS errors, TLSPLUG_ERR_MISUSE (already unwrapped).
 */
TLSPLUG_API int tlsplug_socket_unwrap(struct tlsplug_socket *sock, int *fd);

/*
 * After a successful tlsplug_socket_unwrap(): the bytes the peer sent after
 * its close_notify that had already been read from the descriptor.  Sets
 * *data (never NULL) to them and returns their count; 0 and *data NULL when
 * there are none, and before unwrap.  They stay valid until
 * tlsplug_socket_free(); read them before reading the descriptor.
 */
TLSPLUG_API size_t tlsplug_socket_unwrapped_data(
	const struct tlsplug_socket *sock, const void **data);

/*
 * Writes queued outgoing ciphertext.  TLSPLUG_OK when nothing is left,
 * TLSPLUG_WANT_WRITE on a non-blocking descriptor that is full, or an
 * error.
 */
TLSPLUG_API int tlsplug_socket_flush(struct tlsplug_socket *sock);

/* Bytes of outgoing ciphertext queued but not yet written to the
 * descriptor (an event loop polls for output while this is not 0). */
TLSPLUG_API size_t tlsplug_socket_pending_outgoing(
	const struct tlsplug_socket *sock);

/* The wrapped descriptor (still valid after unwrap handed it back, but then
 * it belongs to the caller). */
TLSPLUG_API int tlsplug_socket_fd(const struct tlsplug_socket *sock);
/* The context the socket was made from (no new reference). */
TLSPLUG_API struct tlsplug_context *tlsplug_socket_context(
	const struct tlsplug_socket *sock);
/* The underlying buffer connection (owned by the socket; for the queries of
 * tlsplug_conn_*: peer subject, server name, ...).  Do not drive it
 * directly while the socket is in use. */
TLSPLUG_API struct tlsplug_conn *tlsplug_socket_conn(
	const struct tlsplug_socket *sock);
/* Negotiated cipher suite (IANA id; TLSPLUG_CS_NONE before the handshake),
 * version (TLSPLUG_VERSION_NONE before) and ALPN protocol (NULL if none),
 * as tlsplug_conn_cipher(), _version() and _alpn(). */
TLSPLUG_API uint16_t tlsplug_socket_cipher(const struct tlsplug_socket *sock);
TLSPLUG_API enum tlsplug_version tlsplug_socket_version(
	const struct tlsplug_socket *sock);
TLSPLUG_API const char *tlsplug_socket_alpn(const struct tlsplug_socket *sock);
/* The last error on the socket (socket or TLS), or NULL; valid until the
 * next call on the socket. */
TLSPLUG_API const struct tlsplug_error *tlsplug_socket_error(
	const struct tlsplug_socket *sock);

#ifdef __cplusplus
}
#endif

#endif /* TLSPLUG_SOCKET_H */
