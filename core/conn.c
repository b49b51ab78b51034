/*
 * conn.c -- PEP 543 TLSWrappedBuffer: a TLS connection over two ciphertext
 * buffers owned by the core.  The plugin reads incoming ciphertext and
 * writes outgoing ciphertext through core->pull / core->push.
 *
 * A fatal error is sticky: every later handshake/read/write/shutdown returns
 * the same code and keeps the same error record.  Outgoing ciphertext stays
 * readable after it (it may hold the alert to send).  Once the handshake is
 * done, read and write do not allocate (the buffers have reached their
 * high-water mark after the first records) -- except that an idle
 * connection gives its buffers back and takes them again at its next I/O
 * (release_idle(): not while streaming).
 *
 * Memory: a connection that never fails holds no error record.  Each call
 * into the plugin gets a record on the stack; only when it reports an error
 * is the record copied to the heap (allocated once, reused), or, if even
 * that fails, replaced by a static "out of memory" record.
 */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "buffer.h"
#include "internal.h"
#include "revocation.h"
#include "peer.h"
#include "session.h"
#include "x509.h"

struct tlsplug_conn {
	struct tlsplug_context *ctx;
	const struct tlsplug_conn_ops *ops;
	/* The descriptor's ABI minor: which members of ops exist. */
	const struct tlsplug_backend_descriptor *desc;
	void *priv;
	struct tlsplug_buffer in;     /* ciphertext from the network */
	struct tlsplug_buffer out;    /* ciphertext for the network */
	/* The socket wrapper's direct output (tlsplug__conn_set_sink). */
	tlsplug__conn_sink_fn sink;
	void *sink_arg;
	/* ... and direct input (tlsplug__conn_set_source). */
	tlsplug__conn_source_fn source;
	void *source_arg;
	char *hostname;               /* client: what validation checks */
	/* client: what the SNI extension carries -- the host name without a
	 * trailing dot, NULL for an IP literal (RFC 6066); stored in the same
	 * allocation as hostname. */
	const char *sni;
	bool eof;                     /* network EOF seen */
	bool handshake_done;
	bool shutdown_sent;
	bool shutdown_done;
	int end;                      /* CLOSED / RAGGED_EOF once reads end */
	int fatal;                    /* sticky error code, 0 if none */
	const char *owner;            /* backend name, for error records */
	/* The last error: NULL, errbuf, or the static out-of-memory record. */
	const struct tlsplug_error *error;
	struct tlsplug_error *errbuf; /* allocated on the first error */
	/* Cached once the handshake is done. */
	char *alpn;
	char *server_name;
	char *peer_subject;
	bool peer_subject_done;
	/* The SNI selection, so that a second ClientHello (after a
	 * HelloRetryRequest) does not run the user's callback again. */
	bool sni_selected;
	char *sni_name;
	struct tlsplug__sni_choice sni_choice;
	/* The peer's chains as read, and the verify callback's state
	 * (peer.c); NULL until needed. */
	struct tlsplug__peer *peer;
	struct tlsplug__conn_sess sess;   /* session.c */
	/* Idle release (release_idle()): the buffers were given back and not
	 * yet needed again; they came back within IDLE_MS and application
	 * data moved (busy: stop releasing until the connection pauses);
	 * when the last read or write started (CLOCK_MONOTONIC_COARSE ms). */
	bool released;
	bool came_back_fast;
	bool busy;
	int64_t last_op_ms;
};

/*
 * A connection whose reads or writes follow each other closer than this is
 * streaming: once it has had to take its buffers back this soon after
 * giving them up, it keeps them until a pause this long.
 */
#define IDLE_MS 1000

/* The plugin's private state follows the connection in one allocation. */
#define CONN_PRIV_OFFSET \
	((sizeof(struct tlsplug_conn) + alignof(max_align_t) - 1) / \
	 alignof(max_align_t) * alignof(max_align_t))


/* ---- error records ---------------------------------------------------- */

/* A clean record for one call into the plugin. */
static void
rec_init(const struct tlsplug_conn *conn, struct tlsplug_error *e)
{
	tlsplug__error_clear(e);
	e->owner = conn->owner;
}

/* Makes e (a call's record) the connection's last error if it holds one. */
static void
keep(struct tlsplug_conn *conn, const struct tlsplug_error *e)
{
	if (e->code == TLSPLUG_OK)
		return;
	if (conn->errbuf == NULL)
		conn->errbuf = tlsplug__malloc(sizeof(*conn->errbuf));
	if (conn->errbuf == NULL) {
		conn->error = &tlsplug__nomem_record;
		return;
	}
	*conn->errbuf = *e;
	conn->error = conn->errbuf;
}

/* ---- transport callbacks (core->pull / core->push) ------------------ */

ssize_t
tlsplug__conn_pull(struct tlsplug_conn *conn, void *buf, size_t len)
{
	size_t n;

	if (conn == NULL || (buf == NULL && len > 0))
		return -1;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (tlsplug__buffer_len(&conn->in) == 0) {
		if (conn->eof)
			return 0;
		/* Nothing queued: the source may read straight into the
		 * engine's buffer, saving a copy of every record. */
		if (conn->source != NULL && len > 0)
			return conn->source(conn->source_arg, buf, len);
		return -1;
	}
	n = tlsplug__buffer_read(&conn->in, buf, len);
	return (ssize_t)n;
}

ssize_t
tlsplug__conn_push(struct tlsplug_conn *conn, const void *buf, size_t len)
{
	size_t done = 0;

	if (conn == NULL || (buf == NULL && len > 0) || len > SSIZE_MAX)
		return -1;
	/* The sink may write the bytes out straight from the engine's
	 * buffer (after what is queued, in the same call), saving a copy of
	 * every record. */
	if (conn->sink != NULL && len > 0) {
		const void *q;
		size_t qlen = tlsplug__buffer_peek(&conn->out, &q);
		size_t w = conn->sink(conn->sink_arg, q, qlen, buf, len);

		if (w < qlen) {
			tlsplug__buffer_consume(&conn->out, w);
		} else {
			tlsplug__buffer_consume(&conn->out, qlen);
			done = w - qlen < len ? w - qlen : len;
			if (done == len)
				return (ssize_t)len;
		}
	}
	if (tlsplug__buffer_append(&conn->out, (const char *)buf + done,
	                           len - done) != TLSPLUG_OK)
		return done > 0 ? (ssize_t)done : -1;
	return (ssize_t)len;
}

/* ---- idle release ---------------------------------------------------- */

static int64_t
coarse_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* At the start of a read or write: the buffers are in use again. */
static void
note_io(struct tlsplug_conn *conn)
{
	int64_t now = coarse_ms();

	if (now - conn->last_op_ms >= IDLE_MS)
		conn->busy = false;
	if (conn->released) {
		conn->released = false;
		conn->came_back_fast = now - conn->last_op_ms < IDLE_MS;
	}
	conn->last_op_ms = now;
}

/* Application data moved: if the buffers came back right after being
 * released, the connection is streaming. */
static void
note_data(struct tlsplug_conn *conn)
{
	if (conn->came_back_fast) {
		conn->busy = true;
		conn->came_back_fast = false;
	}
}

/*
 * The connection has nothing to do until the peer sends more (a read said
 * WANT_READ with no ciphertext waiting): it gives back what it does not
 * need -- its empty ciphertext buffers and the engine's record buffers
 * (conn_ops.release_buffers) -- and gets them back on the next I/O.  Not
 * while busy (note_io), so a streaming connection does not allocate per
 * read or write.
 */
static void
release_idle(struct tlsplug_conn *conn)
{
	if (!conn->handshake_done || conn->busy || conn->released ||
	    conn->fatal != 0 || tlsplug__buffer_len(&conn->in) > 0)
		return;
	tlsplug__buffer_free(&conn->in);
	if (tlsplug__buffer_len(&conn->out) == 0)
		tlsplug__buffer_free(&conn->out);
	if (TLSPLUG_OPS_HAS(conn->desc, conn, 1, release_buffers))
		conn->ops->release_buffers(conn->priv);
	conn->released = true;
	conn->came_back_fast = false;
}

/* ---- SNI selection cache (for context.c) ---------------------------- */

static int
same_name(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
tlsplug__conn_sni_cached(const struct tlsplug_conn *conn, const char *name,
                         struct tlsplug__sni_choice *choice)
{
	if (!conn->sni_selected || !same_name(conn->sni_name, name))
		return 0;
	*choice = conn->sni_choice;
	return 1;
}

void
tlsplug__conn_sni_remember(struct tlsplug_conn *conn, const char *name,
                           const struct tlsplug__sni_choice *choice)
{
	char *copy = NULL;

	if (name != NULL) {
		copy = tlsplug__strdup(name);
		if (copy == NULL)
			return;   /* no cache: the callback may run again */
	}
	tlsplug__free(conn->sni_name);
	conn->sni_name = copy;
	conn->sni_choice = *choice;
	conn->sni_selected = true;
}

/* ---- creation ------------------------------------------------------- */

static int
is_ip_literal(const char *s)
{
	unsigned char ip[16];

	return inet_pton(AF_INET, s, ip) == 1 ||
	       inet_pton(AF_INET6, s, ip) == 1;
}


int
tlsplug_conn_new(struct tlsplug_context *ctx, const char *server_hostname,
                 struct tlsplug_conn **out, struct tlsplug_error **err)
{
	struct tlsplug_conn *conn;
	struct tlsplug_error e;
	char *ace = NULL;
	const char *why;
	size_t priv_size;
	int rc;

	if (ctx == NULL || out == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		                          "conn_new: context or out is NULL");
	*out = NULL;
	if (server_hostname != NULL &&
	    tlsplug_context_role(ctx) != TLSPLUG_CLIENT)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "conn_new: a server host name is for client connections");
	if (server_hostname != NULL && server_hostname[0] == '\0')
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		                          "conn_new: empty server host name");
	/* A Unicode name goes out, and is checked, as its A-labels. */
	if (server_hostname != NULL) {
		rc = tlsplug__idna_to_ascii(server_hostname, &ace, &why);
		if (rc == TLSPLUG_ERR_INVALID)
			return tlsplug__error_out(err, rc, "server host name "
			    "\"%s\" is not a valid internationalized domain "
			    "name (IDNA2008, UTS #46): %s", server_hostname,
			    why);
		if (rc != TLSPLUG_OK)
			return tlsplug__error_out(err, rc, "out of memory");
		if (ace != NULL)
			server_hostname = ace;
	}

	priv_size = tlsplug__context_conn_priv_size(ctx);
	conn = priv_size > SIZE_MAX - CONN_PRIV_OFFSET ? NULL :
	    tlsplug__calloc(1, CONN_PRIV_OFFSET + priv_size);
	if (conn == NULL) {
		tlsplug__free(ace);
		return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	}
	tlsplug__buffer_init(&conn->in);
	tlsplug__buffer_init(&conn->out);
	conn->owner = tlsplug__context_backend_name(ctx);
	conn->desc = tlsplug_context_backend(ctx)->d;
	conn->ops = conn->desc->conn;
	conn->priv = (char *)conn + CONN_PRIV_OFFSET;
	/* The plugin may keep this pointer for the connection's life. */
	if (server_hostname != NULL) {
		size_t len = strlen(server_hostname);
		char *sni;

		conn->hostname = tlsplug__malloc(2 * (len + 1));
		if (conn->hostname == NULL)
			goto nomem;
		memcpy(conn->hostname, server_hostname, len + 1);
		sni = conn->hostname + len + 1;
		memcpy(sni, server_hostname, len + 1);
		if (len > 1 && sni[len - 1] == '.')
			sni[len - 1] = '\0';
		conn->sni = is_ip_literal(sni) ? NULL : sni;
	}
	tlsplug__free(ace);
	conn->ctx = tlsplug_context_ref(ctx);
	rec_init(conn, &e);
	rc = conn->ops->init(conn->priv, tlsplug__context_priv(ctx), conn,
	                     conn->hostname, conn->sni, &e);
	if (rc != TLSPLUG_OK) {
		if (rc > 0 || e.code == TLSPLUG_OK)
			tlsplug__error_set(&e,
			    rc < 0 ? rc : TLSPLUG_ERR_BACKEND,
			    "%s: connection init failed (%s)",
			    tlsplug__context_backend_name(ctx),
			    tlsplug_status_name(rc));
		rc = tlsplug__error_export(&e, err);
		/* init cleans up after itself when it fails: no fini. */
		tlsplug_context_unref(conn->ctx);
		tlsplug__free(conn->hostname);
		tlsplug__free(conn);
		return rc;
	}
	*out = conn;
	return TLSPLUG_OK;
nomem:
	tlsplug__free(ace);
	tlsplug__free(conn->hostname);
	tlsplug__free(conn);
	return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM, "out of memory");
}

void
tlsplug_conn_free(struct tlsplug_conn *conn)
{
	if (conn == NULL)
		return;
	conn->ops->fini(conn->priv);
	tlsplug__buffer_free(&conn->in);
	tlsplug__buffer_free(&conn->out);
	tlsplug__free(conn->hostname);
	tlsplug__free(conn->alpn);
	tlsplug__free(conn->server_name);
	tlsplug__free(conn->peer_subject);
	tlsplug__free(conn->sni_name);
	tlsplug__peer_free(conn->peer);
	tlsplug__free(conn->errbuf);
	tlsplug__conn_sess_fini(&conn->sess);
	tlsplug_context_unref(conn->ctx);
	tlsplug__free(conn);
}

/* ---- results -------------------------------------------------------- */

/* Starts a fallible operation: the sticky error if there is one, else a
 * clean error record and TLSPLUG_OK. */
static int
begin(struct tlsplug_conn *conn)
{
	if (conn->fatal != 0)
		return conn->fatal;
	conn->error = NULL;
	return TLSPLUG_OK;
}

/* Records a core error on conn; returns its code (NOMEM if it could not be
 * recorded). */
static int
set_error(struct tlsplug_conn *conn, int code, const char *fmt, ...)
	TLSPLUG_PRINTF(3, 4);

static int
set_error(struct tlsplug_conn *conn, int code, const char *fmt, ...)
{
	struct tlsplug_error e;
	va_list ap;

	rec_init(conn, &e);
	va_start(ap, fmt);
	tlsplug__error_setv(&e, code, fmt, ap);
	va_end(ap);
	keep(conn, &e);
	return conn->error->code;
}

static int
misuse(struct tlsplug_conn *conn, const char *what)
{
	return set_error(conn, TLSPLUG_ERR_MISUSE, "%s", what);
}

/* Turns a plugin's error result into the sticky state (e: the call's
 * record).  The returned code is the recorded category, so the status and
 * the record always agree. */
static int
fail(struct tlsplug_conn *conn, int rc, const char *op,
     struct tlsplug_error *e)
{
	if (rc > 0)
		tlsplug__error_set(e, TLSPLUG_ERR_BACKEND,
		    "%s: %s returned unexpected status %d",
		    tlsplug__context_backend_name(conn->ctx), op, rc);
	else if (e->code == TLSPLUG_OK)
		tlsplug__error_set(e, rc, "%s: %s failed: %s",
		    tlsplug__context_backend_name(conn->ctx), op,
		    tlsplug_strerror(rc));
	keep(conn, e);
	conn->fatal = conn->error->code;
	return conn->fatal;
}

/*
 * The common end of an operation after its plugin call, once the caller
 * has done its work for TLSPLUG_OK: the end of the stream (CLOSED,
 * RAGGED_EOF) is recorded when the operation can report it (ends_ok),
 * anything else unexpected becomes the sticky error, and the call's record
 * is kept.  Inline: this is the path of every read and write.
 */
static inline int
settle(struct tlsplug_conn *conn, int rc, bool ends_ok, const char *op,
       struct tlsplug_error *e)
{
	switch (rc) {
	case TLSPLUG_OK:
	case TLSPLUG_WANT_READ:
	case TLSPLUG_WANT_WRITE:
		break;
	case TLSPLUG_CLOSED:
	case TLSPLUG_RAGGED_EOF:
		if (ends_ok) {
			conn->end = rc;
			break;
		}
		/* Not a result of this operation. */
		return fail(conn, rc, op, e);
	default:
		return fail(conn, rc, op, e);
	}
	keep(conn, e);
	return rc;
}

/* Caches what stays fixed once the handshake is done. */
static int
cache_negotiated(struct tlsplug_conn *conn)
{
	const unsigned char *alpn;
	const char *name = NULL;
	size_t len = 0;

	alpn = conn->ops->alpn(conn->priv, &len);
	if (alpn != NULL && len > 0) {
		conn->alpn = tlsplug__malloc(len + 1);
		if (conn->alpn == NULL)
			return TLSPLUG_ERR_NOMEM;
		memcpy(conn->alpn, alpn, len);
		conn->alpn[len] = '\0';
	}
	if (conn->ops->server_name != NULL)
		name = conn->ops->server_name(conn->priv);
	else
		name = conn->sni;
	/* A server: the name the ClientHello carried, as the core saw it
	 * when it chose the config, if the engine no longer says it
	 * (OpenSSL forgets it on a resumed TLS 1.2 session). */
	if (name == NULL && conn->sni_selected)
		name = conn->sni_name;
	if (name != NULL) {
		conn->server_name = tlsplug__strdup(name);
		if (conn->server_name == NULL)
			return TLSPLUG_ERR_NOMEM;
	}
	return TLSPLUG_OK;
}

static int
do_handshake(struct tlsplug_conn *conn)
{
	struct tlsplug_error e;
	int rc;

	if (conn->handshake_done)
		return TLSPLUG_OK;
	if (conn->end != 0)
		return conn->end;
	if (!conn->sess.started)
		tlsplug__session_before_handshake(conn);
	rec_init(conn, &e);
	rc = conn->ops->handshake(conn->priv, &e);
	if (rc == TLSPLUG_OK) {
		conn->handshake_done = true;
		tlsplug__session_handshake_done(conn);
		if (cache_negotiated(conn) != TLSPLUG_OK) {
			tlsplug__error_set(&e, TLSPLUG_ERR_NOMEM,
			                   "out of memory after the handshake");
			return fail(conn, TLSPLUG_ERR_NOMEM, "handshake", &e);
		}
	}
	return settle(conn, rc, true, "handshake", &e);
}

/* ---- operations ----------------------------------------------------- */

int
tlsplug_conn_handshake(struct tlsplug_conn *conn)
{
	int rc;

	if (conn == NULL)
		return TLSPLUG_ERR_MISUSE;
	rc = begin(conn);
	if (rc != TLSPLUG_OK)
		return rc;
	return do_handshake(conn);
}

int
tlsplug_conn_read(struct tlsplug_conn *conn, void *buf, size_t len,
                  size_t *nread)
{
	struct tlsplug_error e;
	size_t n = 0;
	int rc;

	if (nread != NULL)
		*nread = 0;
	if (conn == NULL)
		return TLSPLUG_ERR_MISUSE;
	rc = begin(conn);
	if (rc != TLSPLUG_OK)
		return rc;
	if (nread == NULL || (buf == NULL && len > 0))
		return misuse(conn, "read: buffer or count pointer is NULL");
	rc = do_handshake(conn);
	if (rc != TLSPLUG_OK)
		return rc;
	if (conn->end != 0)
		return conn->end;
	if (len == 0)
		return TLSPLUG_OK;
	note_io(conn);
	rec_init(conn, &e);
	rc = conn->ops->read(conn->priv, buf, len, &n, &e);
	if (rc == TLSPLUG_OK) {
		if (n > len)
			return fail(conn, TLSPLUG_ERR_BACKEND, "read", &e);
		*nread = n;
		note_data(conn);
	} else if (rc == TLSPLUG_WANT_READ) {
		release_idle(conn);
	}
	return settle(conn, rc, true, "read", &e);
}

int
tlsplug_conn_write(struct tlsplug_conn *conn, const void *buf, size_t len,
                   size_t *nwritten)
{
	struct tlsplug_error e;
	size_t n = 0;
	int rc;

	if (nwritten != NULL)
		*nwritten = 0;
	if (conn == NULL)
		return TLSPLUG_ERR_MISUSE;
	rc = begin(conn);
	if (rc != TLSPLUG_OK)
		return rc;
	if (nwritten == NULL || (buf == NULL && len > 0))
		return misuse(conn, "write: buffer or count pointer is NULL");
	if (conn->shutdown_sent)
		return misuse(conn, "write after shutdown");
	rc = do_handshake(conn);
	if (rc != TLSPLUG_OK)
		return rc;
	if (len == 0)
		return TLSPLUG_OK;
	note_io(conn);
	rec_init(conn, &e);
	rc = conn->ops->write(conn->priv, buf, len, &n, &e);
	if (rc == TLSPLUG_OK) {
		if (n > len)
			return fail(conn, TLSPLUG_ERR_BACKEND, "write", &e);
		*nwritten = n;
		note_data(conn);
	}
	/* CLOSED / RAGGED_EOF are not write results. */
	return settle(conn, rc, false, "write", &e);
}

int
tlsplug_conn_shutdown(struct tlsplug_conn *conn)
{
	struct tlsplug_error e;
	int rc;

	if (conn == NULL)
		return TLSPLUG_ERR_MISUSE;
	rc = begin(conn);
	if (rc != TLSPLUG_OK)
		return rc;
	if (!conn->handshake_done)
		return misuse(conn, "shutdown before the handshake completed");
	if (conn->shutdown_done)
		return TLSPLUG_OK;
	rec_init(conn, &e);
	rc = conn->ops->shutdown(conn->priv, &e);
	switch (rc) {
	case TLSPLUG_OK:
	case TLSPLUG_CLOSED:
		/* Both close_notify alerts have been exchanged. */
		conn->shutdown_sent = true;
		conn->shutdown_done = true;
		if (conn->end == 0)
			conn->end = TLSPLUG_CLOSED;
		rc = TLSPLUG_OK;
		break;
	case TLSPLUG_WANT_READ:
	case TLSPLUG_WANT_WRITE:
	case TLSPLUG_RAGGED_EOF:     /* settle() records the end */
		conn->shutdown_sent = true;
		break;
	}
	return settle(conn, rc, true, "shutdown", &e);
}

/* ---- ciphertext buffers --------------------------------------------- */

int
tlsplug_conn_receive_from_network(struct tlsplug_conn *conn,
                                  const void *data, size_t len)
{
	int rc;

	if (conn == NULL)
		return TLSPLUG_ERR_MISUSE;
	rc = begin(conn);
	if (rc != TLSPLUG_OK)
		return rc;
	if (data == NULL && len > 0)
		return misuse(conn, "receive_from_network: data is NULL");
	if (conn->eof && len > 0)
		return misuse(conn, "receive_from_network after EOF");
	if (tlsplug__buffer_append(&conn->in, data, len) != TLSPLUG_OK)
		return set_error(conn, TLSPLUG_ERR_NOMEM,
		    "out of memory buffering %zu incoming bytes", len);
	return TLSPLUG_OK;
}

int
tlsplug__conn_in_reserve(struct tlsplug_conn *conn, size_t min, void **space,
                         size_t *avail)
{
	int rc;

	*space = NULL;
	*avail = 0;
	rc = begin(conn);
	if (rc != TLSPLUG_OK)
		return rc;
	if (conn->eof)
		return misuse(conn, "receive_from_network after EOF");
	*space = tlsplug__buffer_reserve(&conn->in, min, avail);
	if (*space == NULL)
		return set_error(conn, TLSPLUG_ERR_NOMEM,
		    "out of memory buffering %zu incoming bytes", min);
	return TLSPLUG_OK;
}

void
tlsplug__conn_in_commit(struct tlsplug_conn *conn, size_t n)
{
	tlsplug__buffer_commit(&conn->in, n);
}

void
tlsplug__conn_in_unreserve_idle(struct tlsplug_conn *conn)
{
	/* Only a connection that release_idle() just declared idle: a
	 * streaming one (busy) keeps its buffer, so steady-state reads do
	 * not allocate. */
	if (conn->released && tlsplug__buffer_len(&conn->in) == 0)
		tlsplug__buffer_free(&conn->in);
}

size_t
tlsplug__conn_in_peek(const struct tlsplug_conn *conn, const void **data)
{
	return tlsplug__buffer_peek(&conn->in, data);
}

void
tlsplug__conn_set_sink(struct tlsplug_conn *conn, tlsplug__conn_sink_fn sink,
                       void *arg)
{
	conn->sink = sink;
	conn->sink_arg = arg;
}

void
tlsplug__conn_set_source(struct tlsplug_conn *conn,
                         tlsplug__conn_source_fn source, void *arg)
{
	conn->source = source;
	conn->source_arg = arg;
}

void
tlsplug_conn_receive_eof(struct tlsplug_conn *conn)
{
	if (conn != NULL)
		conn->eof = true;
}

size_t
tlsplug_conn_peek_outgoing(const struct tlsplug_conn *conn, const void **data)
{
	if (conn == NULL) {
		if (data != NULL)
			*data = NULL;
		return 0;
	}
	return tlsplug__buffer_peek(&conn->out, data);
}

void
tlsplug_conn_consume_outgoing(struct tlsplug_conn *conn, size_t n)
{
	if (conn == NULL)
		return;
	tlsplug__buffer_consume(&conn->out, n);
	/* Released while this was still queued: let the storage go now. */
	if (conn->released && tlsplug__buffer_len(&conn->out) == 0)
		tlsplug__buffer_free(&conn->out);
}

size_t
tlsplug_conn_read_outgoing(struct tlsplug_conn *conn, void *buf, size_t len)
{
	if (conn == NULL || (buf == NULL && len > 0))
		return 0;
	return tlsplug__buffer_read(&conn->out, buf, len);
}

size_t
tlsplug_conn_incoming_pending(const struct tlsplug_conn *conn)
{
	return conn == NULL ? 0 : tlsplug__buffer_len(&conn->in);
}

/* ---- negotiated parameters ------------------------------------------ */

uint16_t
tlsplug_conn_cipher(const struct tlsplug_conn *conn)
{
	if (conn == NULL || !conn->handshake_done)
		return TLSPLUG_CS_NONE;
	return conn->ops->cipher(conn->priv);
}

enum tlsplug_version
tlsplug_conn_version(const struct tlsplug_conn *conn)
{
	if (conn == NULL || !conn->handshake_done)
		return TLSPLUG_VERSION_NONE;
	return conn->ops->version(conn->priv);
}

const char *
tlsplug_conn_alpn(const struct tlsplug_conn *conn)
{
	return conn == NULL ? NULL : conn->alpn;
}

/* ---- the peer's certificates ------------------------------------------ */

ssize_t
tlsplug__conn_peer_cert(const struct tlsplug_conn *conn, size_t index,
                        unsigned char *buf, size_t size, unsigned char **der,
                        unsigned char **heap)
{
	ssize_t n, again;

	*der = NULL;
	*heap = NULL;
	if (!TLSPLUG_OPS_HAS(conn->desc, conn, 1, peer_cert))
		return -1;
	n = conn->ops->peer_cert(conn->priv, index, buf, size);
	if (n <= 0)
		return n < 0 ? -1 : 0;
	if ((size_t)n <= size) {
		*der = buf;
		return n;
	}
	*heap = tlsplug__malloc((size_t)n);
	if (*heap == NULL)
		return -1;
	again = conn->ops->peer_cert(conn->priv, index, *heap, (size_t)n);
	if (again != n) {
		/* The plugin changed its mind: no certificate to trust. */
		tlsplug__free(*heap);
		*heap = NULL;
		return -1;
	}
	*der = *heap;
	return n;
}

ssize_t
tlsplug__conn_cert_raw(const struct tlsplug_conn *conn, int verified,
                       size_t index, unsigned char *buf, size_t size)
{
	ssize_t n;

	if (verified) {
		if (!TLSPLUG_OPS_HAS(conn->desc, conn, 1, verified_cert) ||
		    !(conn->desc->caps & TLSPLUG_CAP_VERIFIED_CHAIN))
			return -2;
		n = conn->ops->verified_cert(conn->priv, index, buf, size);
	} else {
		if (!TLSPLUG_OPS_HAS(conn->desc, conn, 1, peer_cert))
			return -2;
		n = conn->ops->peer_cert(conn->priv, index, buf, size);
	}
	return n < 0 ? -1 : n;
}

struct tlsplug__peer **
tlsplug__conn_peer_slot(struct tlsplug_conn *conn)
{
	return &conn->peer;
}

int
tlsplug__conn_handshake_done(const struct tlsplug_conn *conn)
{
	return conn->handshake_done;
}

const struct tlsplug_config *
tlsplug__conn_config(const struct tlsplug_conn *conn)
{
	if (conn->sni_selected && conn->sni_choice.config != NULL)
		return conn->sni_choice.config;
	return tlsplug_context_config(conn->ctx);
}

const char *
tlsplug__conn_hostname(const struct tlsplug_conn *conn)
{
	return conn->hostname;
}

/* The leaf's subject, read by the core from its DER (ABI 1.1 plugins), so
 * every engine gives the same text; -1 when there is no readable leaf. */
static int
subject_from_der(struct tlsplug_conn *conn, char *buf, size_t size)
{
	unsigned char small[4096], *der, *heap;
	struct tlsplug__cert cert;
	const char *why;
	ssize_t n;
	int len = -1;

	n = tlsplug__conn_peer_cert(conn, 0, small, sizeof(small), &der,
	                            &heap);
	if (n > 0 && tlsplug__cert_parse(der, (size_t)n, &cert, &why) == 0)
		len = tlsplug__name_text(cert.subject, buf, size);
	tlsplug__free(heap);
	return len;
}

static int
peer_subject_text(struct tlsplug_conn *conn, char *buf, size_t size)
{
	if (TLSPLUG_OPS_HAS(conn->desc, conn, 1, peer_cert))
		return subject_from_der(conn, buf, size);
	if (conn->ops->peer_subject != NULL)
		return conn->ops->peer_subject(conn->priv, buf, size);
	return -1;
}

const char *
tlsplug_conn_peer_subject(struct tlsplug_conn *conn)
{
	char small[512];
	int n;

	if (conn == NULL || !conn->handshake_done)
		return NULL;
	if (conn->peer_subject_done)
		return conn->peer_subject;
	n = peer_subject_text(conn, small, sizeof(small));
	if (n < 0) {
		conn->peer_subject_done = true;
		return NULL;
	}
	conn->peer_subject = tlsplug__malloc((size_t)n + 1);
	if (conn->peer_subject == NULL)
		return NULL;   /* try again next time */
	if ((size_t)n < sizeof(small)) {
		memcpy(conn->peer_subject, small, (size_t)n);
	} else if (peer_subject_text(conn, conn->peer_subject,
	                             (size_t)n + 1) != n) {
		tlsplug__free(conn->peer_subject);
		conn->peer_subject = NULL;
		conn->peer_subject_done = true;
		return NULL;
	}
	conn->peer_subject[n] = '\0';
	conn->peer_subject_done = true;
	return conn->peer_subject;
}

const char *
tlsplug_conn_server_name(const struct tlsplug_conn *conn)
{
	if (conn == NULL)
		return NULL;
	if (conn->handshake_done)
		return conn->server_name;
	/* During the handshake (e.g. from the SNI callback): ask the plugin. */
	if (conn->ops->server_name != NULL)
		return conn->ops->server_name(conn->priv);
	return conn->sni;
}

struct tlsplug_context *
tlsplug_conn_context(const struct tlsplug_conn *conn)
{
	return conn == NULL ? NULL : conn->ctx;
}

const struct tlsplug_error *
tlsplug_conn_error(const struct tlsplug_conn *conn)
{
	return conn == NULL ? NULL : conn->error;
}

enum tlsplug_ocsp_status
tlsplug__conn_ocsp_status(const struct tlsplug_conn *conn)
{
	if (conn->ops == NULL || !TLSPLUG_OPS_HAS(conn->desc, conn, 1,
	                                          ocsp_status))
		return TLSPLUG_OCSP_STATUS_NONE;
	return conn->ops->ocsp_status(conn->priv);
}

/* ---- for the core's features on top of the entry points ---------------- */

void *
tlsplug__conn_done_priv(const struct tlsplug_conn *conn,
                        const struct tlsplug_backend_descriptor **d)
{
	if (conn == NULL || !conn->handshake_done || conn->fatal != 0)
		return NULL;
	*d = conn->desc;
	return conn->priv;
}

void
tlsplug__conn_error_init(const struct tlsplug_conn *conn,
                         struct tlsplug_error *e)
{
	rec_init(conn, e);
}

int
tlsplug__conn_keep_error(struct tlsplug_conn *conn,
                         const struct tlsplug_error *e)
{
	keep(conn, e);
	return e->code;
}

uint16_t
tlsplug_conn_group(const struct tlsplug_conn *conn)
{
	if (conn == NULL || !conn->handshake_done ||
	    !(conn->desc->caps & TLSPLUG_CAP_GROUPS) ||
	    !TLSPLUG_OPS_HAS(conn->desc, conn, 1, group))
		return 0;
	return conn->ops->group(conn->priv);
}

void
tlsplug__conn_parts(struct tlsplug_conn *conn,
                    struct tlsplug__conn_parts *out)
{
	out->ctx = conn->ctx;
	out->desc = conn->desc;
	out->priv = conn->priv;
	out->hostname = conn->hostname;
	out->handshake_done = conn->handshake_done;
	out->sess = &conn->sess;
}

int
tlsplug__conn_note_error(struct tlsplug_conn *conn,
                         const struct tlsplug_error *e)
{
	struct tlsplug_error copy = *e;

	keep(conn, &copy);
	return conn->error->code;
}
