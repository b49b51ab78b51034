/*
 * record.c -- fuzz-record: makes the seed corpora of the backend fuzz
 * targets from real handshakes.
 *
 *   fuzz/fuzz-record OUTDIR [ENGINE_ROLE...]      (default: all eight)
 *
 * For each target (openssl_client, ..., mbedtls_server) and each variant
 * of the peer below, the target's side (the context fuzz_context() makes,
 * as the fuzz target has it) completes a handshake in memory with a peer
 * of another engine (GnuTLS for the OpenSSL targets, OpenSSL for the
 * others), receives a
 * line of application data and the peer's close_notify.  Everything the
 * peer sent is written to OUTDIR/fuzz_<engine>_<role>/<variant>.  Then the
 * file is replayed as the fuzz target runs an input (fuzz_run), and how
 * far it got is printed, after the version the handshake negotiated: with
 * the fixed clock and random stream the replay is the recorded
 * connection, so it completes the handshake and reads the line.  Exit
 * status 1 when a handshake or a replay fails.
 *
 * A variant names the peer's settings.  Against a target without TLS 1.3
 * (mbedTLS 2.28) every variant is a TLS 1.2 connection, and each is still
 * one of its own: the tls13 peers offer or could have chosen TLS 1.3 (a
 * server target reads a ClientHello with supported_versions and key
 * shares; a client target meets a server random with the downgrade
 * marker), tls13-p256 fixes the ECDHE group; tls13-p384 is skipped
 * there (below).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tlsplug/tlsplug.h>

#include "backend.h"
#include "fixed.h"

struct variant {
	const char *name;
	struct fuzz_variant v;
	int tls13_only;         /* skipped for a target without TLS 1.3 */
};

static const struct variant variants[] = {
	{ "tls13-mutual", { 0, NULL, 1 }, 0 },
	{ "tls13", { 0, NULL, 0 }, 0 },
	/* A peer server with one group makes a client target retry (HRR).
	 * At TLS 1.2 the peer's groups also bound the curve of the
	 * certificates' keys (RFC 8422, section 5.1.1), and fuzz/certs/ are
	 * P-256: no handshake, so only a target with TLS 1.3 records it. */
	{ "tls13-p384", { 0, "secp384r1", 1 }, 1 },
	{ "tls12-mutual", { TLSPLUG_VERSION_TLSv1_2, NULL, 1 }, 0 },
	{ "tls12", { TLSPLUG_VERSION_TLSv1_2, NULL, 0 }, 0 },
	{ "tls13-p256", { 0, "secp256r1", 0 }, 0 },
};

static const char *const all_targets[] = {
	"openssl_client", "openssl_server", "gnutls_client", "gnutls_server",
	"wolfssl_client", "wolfssl_server", "mbedtls_client", "mbedtls_server",
};

/* Growing capture of what the peer sent. */
struct capture {
	unsigned char *data;
	size_t len, cap;
};

static void
append(struct capture *c, const void *p, size_t n)
{
	if (c->len + n > c->cap) {
		c->cap = (c->len + n) * 2;
		c->data = realloc(c->data, c->cap);
		if (c->data == NULL) {
			perror("fuzz-record");
			exit(2);
		}
	}
	memcpy(c->data + c->len, p, n);
	c->len += n;
}

/* Moves from's pending bytes to `to`; returns how many. */
static size_t
move(struct tlsplug_conn *from, struct tlsplug_conn *to, struct capture *cap)
{
	const void *p;
	size_t n = tlsplug_conn_peek_outgoing(from, &p);

	if (n == 0)
		return 0;
	if (cap != NULL)
		append(cap, p, n);
	if (tlsplug_conn_receive_from_network(to, p, n) != TLSPLUG_OK)
		exit(2);
	tlsplug_conn_consume_outgoing(from, n);
	return n;
}

static const char *
message(const struct tlsplug_conn *c)
{
	const struct tlsplug_error *e = tlsplug_conn_error(c);

	return e != NULL ? tlsplug_error_message(e) : "";
}

/*
 * The target's side runs on a thread of its own, as fuzz_run() runs it:
 * its random stream (fixed.c, one per thread) and GnuTLS's generator (one
 * per thread) then see only the target's draws, not the peer's.  The
 * peer runs on the main thread; the two take turns.
 */
struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	void (*fn)(void *);
	void *arg;
	int busy, quit;
};

static void *
worker_main(void *p)
{
	struct worker *w = p;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->busy && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->quit)
			break;
		w->fn(w->arg);
		w->busy = 0;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Runs fn(arg) on the worker and waits for it. */
static void
on_worker(struct worker *w, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&w->lock);
	w->fn = fn;
	w->arg = arg;
	w->busy = 1;
	pthread_cond_broadcast(&w->cond);
	while (w->busy)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

/* The target's calls, made on the worker. */
struct target {
	struct tlsplug_context *ctx;
	struct tlsplug_conn *conn;
	int rc;
	char buf[256];
	size_t got;
};

static void
t_open(void *p)
{
	struct target *t = p;
	int server = tlsplug_context_role(t->ctx) == TLSPLUG_SERVER;

	/* As fuzz_run starts a connection. */
	tlsplug_fuzz_random_reset();
	if (tlsplug_conn_new(t->ctx, server ? NULL : FUZZ_HOST, &t->conn,
	                     NULL) != TLSPLUG_OK)
		exit(2);
}

static void
t_handshake(void *p)
{
	struct target *t = p;

	t->rc = tlsplug_conn_handshake(t->conn);
}

static void
t_read(void *p)
{
	struct target *t = p;

	t->rc = tlsplug_conn_read(t->conn, t->buf, sizeof(t->buf), &t->got);
}

static void
t_close(void *p)
{
	struct target *t = p;

	tlsplug_conn_free(t->conn);
	t->conn = NULL;
}

/* One recorded handshake; returns 0 when it completed, and the version
 * it negotiated in *version. */
static int
record(struct tlsplug_context *tctx, struct tlsplug_context *pctx,
       struct capture *cap, enum tlsplug_version *version)
{
	int server = tlsplug_context_role(tctx) == TLSPLUG_SERVER;
	struct worker w = { .lock = PTHREAD_MUTEX_INITIALIZER,
	                    .cond = PTHREAD_COND_INITIALIZER };
	struct target t = { .ctx = tctx, .rc = TLSPLUG_WANT_READ };
	struct tlsplug_conn *p = NULL;
	int prc = TLSPLUG_WANT_READ;
	size_t n = 0;
	int rc = -1;

	if (pthread_create(&w.thread, NULL, worker_main, &w) != 0)
		exit(2);
	on_worker(&w, t_open, &t);
	tlsplug_fuzz_random_reset();
	if (tlsplug_conn_new(pctx, server ? FUZZ_HOST : NULL, &p, NULL) !=
	    TLSPLUG_OK)
		exit(2);
	for (int i = 0; i < 100; i++) {
		size_t moved;

		if (t.rc == TLSPLUG_WANT_READ)
			on_worker(&w, t_handshake, &t);
		if (prc == TLSPLUG_WANT_READ)
			prc = tlsplug_conn_handshake(p);
		moved = move(t.conn, p, NULL) + move(p, t.conn, cap);
		if (moved == 0 && t.rc != TLSPLUG_WANT_READ &&
		    prc != TLSPLUG_WANT_READ)
			break;
	}
	if (t.rc != TLSPLUG_OK || prc != TLSPLUG_OK) {
		fprintf(stderr, "  handshake failed: target %s (%s), peer %s "
		        "(%s)\n", tlsplug_status_name(t.rc), message(t.conn),
		        tlsplug_status_name(prc), message(p));
		goto out;
	}
	*version = tlsplug_conn_version(p);
	if (tlsplug_conn_write(p, "GET / fuzz\r\n", 12, &n) != TLSPLUG_OK)
		goto out;
	move(p, t.conn, cap);
	/* Post-handshake messages (tickets) come before the line. */
	for (int i = 0; i < 8 && t.got == 0; i++) {
		on_worker(&w, t_read, &t);
		if (t.rc != TLSPLUG_WANT_READ && t.got == 0)
			break;
		move(t.conn, p, NULL);
		move(p, t.conn, cap);
	}
	(void)tlsplug_conn_shutdown(p);
	move(p, t.conn, cap);
	rc = t.got == 12 ? 0 : -1;
	if (rc != 0)
		fprintf(stderr, "  the target did not read the line\n");
out:
	on_worker(&w, t_close, &t);
	tlsplug_conn_free(p);
	pthread_mutex_lock(&w.lock);
	w.quit = 1;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(w.thread, NULL);
	return rc;
}

static int
save(const char *path, const struct capture *c)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(c->data, 1, c->len, f) != c->len ||
	    fclose(f) != 0) {
		fprintf(stderr, "fuzz-record: %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	return 0;
}

static int
run_target(struct tlsplug_registry **reg, const char *outdir,
           const char *target)
{
	char engine[32], dir[4096], path[4200];
	const char *us = strchr(target, '_');
	const struct tlsplug_backend *b, *peer;
	enum tlsplug_role role, prole;
	int status = 0;

	if (us == NULL || (size_t)(us - target) >= sizeof(engine) ||
	    (strcmp(us, "_client") != 0 && strcmp(us, "_server") != 0)) {
		fprintf(stderr, "fuzz-record: no target %s\n", target);
		return 1;
	}
	memcpy(engine, target, (size_t)(us - target));
	engine[us - target] = '\0';
	role = strcmp(us, "_server") == 0 ? TLSPLUG_SERVER : TLSPLUG_CLIENT;
	prole = role == TLSPLUG_SERVER ? TLSPLUG_CLIENT : TLSPLUG_SERVER;
	b = fuzz_backend(engine, reg);
	/* Another engine than the target's. */
	peer = fuzz_backend(strcmp(engine, "openssl") == 0 ? "gnutls" :
	                    "openssl", reg);
	snprintf(dir, sizeof(dir), "%s/fuzz_%s", outdir, target);
	if ((mkdir(outdir, 0755) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
		fprintf(stderr, "fuzz-record: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct tlsplug_context *tctx, *pctx;
		struct capture cap = { NULL, 0, 0 };
		struct fuzz_outcome o;
		enum tlsplug_version version = TLSPLUG_VERSION_NONE;

		if (variants[i].tls13_only &&
		    (tlsplug_backend_caps(b) & TLSPLUG_CAP_TLS1_3) == 0) {
			printf("%s/%s: skipped (TLS 1.3 only; %s has no "
			       "TLS 1.3)\n", target, variants[i].name, engine);
			continue;
		}
		tctx = fuzz_context(b, role, NULL);
		pctx = fuzz_context(peer, prole, &variants[i].v);
		/* As the fuzz target does: the engine's context for the
		 * config exists before the connection that counts. */
		fuzz_run(tctx, NULL, 0, NULL);
		printf("%s/%s (peer %s): ", target, variants[i].name,
		       tlsplug_backend_name(peer));
		fflush(stdout);
		if (record(tctx, pctx, &cap, &version) != 0) {
			printf("FAILED\n");
			status = 1;
		} else {
			snprintf(path, sizeof(path), "%s/%s", dir,
			         variants[i].name);
			if (save(path, &cap) != 0)
				status = 1;
			fuzz_run(tctx, cap.data, cap.len, &o);
			printf("%s, %zu bytes; replay: handshake %s, read %s, "
			       "%zu plaintext bytes%s%s\n",
			       tlsplug_version_name(version), cap.len,
			       tlsplug_status_name(o.handshake),
			       tlsplug_status_name(o.read), o.plaintext,
			       o.message[0] != '\0' ? ": " : "", o.message);
			/* Every engine draws from the fixed stream: a replay
			 * must complete, or the seed is worth little. */
			if (o.handshake != TLSPLUG_OK)
				status = 1;
		}
		free(cap.data);
		tlsplug_context_unref(tctx);
		tlsplug_context_unref(pctx);
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct tlsplug_registry *reg = NULL;
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz-record OUTDIR [ENGINE_ROLE...]\n");
		return 2;
	}
	if (argc == 2) {
		for (size_t i = 0; i < sizeof(all_targets) /
		     sizeof(all_targets[0]); i++)
			status |= run_target(&reg, argv[1], all_targets[i]);
	} else {
		for (int i = 2; i < argc; i++)
			status |= run_target(&reg, argv[1], argv[i]);
	}
	tlsplug_registry_free(reg);
	return status;
}
