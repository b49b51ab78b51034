/*
 * record.c -- fuzz-record: makes the seed corpora of the backend fuzz
 * targets from real handshakes.
 *
 *   fuzz/fuzz-record OUTDIR [ENGINE_ROLE...]      (default: all six)
 *
 * For each target (openssl_client, ..., wolfssl_server) and each variant
 * of the peer below, the target's side (the context fuzz_context() makes,
 * as the fuzz target has it) completes a handshake in memory with a peer
 * of another engine (GnuTLS for the OpenSSL targets, OpenSSL for the
 * others), receives a
 * line of application data and the peer's close_notify.  Everything the
 * peer sent is written to OUTDIR/fuzz_<engine>_<role>/<variant>.  Then the
 * file is replayed as the fuzz target runs an input (fuzz_run), and how
 * far it got is printed: a target whose engine takes the fixed random
 * stream completes the handshake and reads the line.  Exit status 1 when
 * a handshake fails or a deterministic target's replay does not complete.
 */
#include "config.h"

#include <errno.h>
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
};

static const struct variant variants[] = {
	{ "tls13-mutual", { 0, NULL, 1 } },
	{ "tls13", { 0, NULL, 0 } },
	/* A peer server with one group makes a client target retry (HRR). */
	{ "tls13-p384", { 0, "secp384r1", 1 } },
	{ "tls12-mutual", { TLSPLUG_VERSION_TLSv1_2, NULL, 1 } },
	{ "tls12", { TLSPLUG_VERSION_TLSv1_2, NULL, 0 } },
	{ "tls13-p256", { 0, "secp256r1", 0 } },
};

static const char *const all_targets[] = {
	"openssl_client", "openssl_server", "gnutls_client", "gnutls_server",
	"wolfssl_client", "wolfssl_server",
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

/* One recorded handshake; returns 0 when it completed. */
static int
record(struct tlsplug_context *tctx, struct tlsplug_context *pctx,
       struct capture *cap)
{
	int server = tlsplug_context_role(tctx) == TLSPLUG_SERVER;
	struct tlsplug_conn *t = NULL, *p = NULL;
	int trc = TLSPLUG_WANT_READ, prc = TLSPLUG_WANT_READ;
	char buf[256];
	size_t n = 0, got = 0;
	int rc = -1;

	/* The target's connection starts as fuzz_run starts it. */
	tlsplug_fuzz_random_reset();
	if (tlsplug_conn_new(tctx, server ? NULL : FUZZ_HOST, &t, NULL) !=
	    TLSPLUG_OK ||
	    tlsplug_conn_new(pctx, server ? FUZZ_HOST : NULL, &p, NULL) !=
	    TLSPLUG_OK)
		exit(2);
	for (int i = 0; i < 100; i++) {
		size_t moved;

		if (trc == TLSPLUG_WANT_READ)
			trc = tlsplug_conn_handshake(t);
		if (prc == TLSPLUG_WANT_READ)
			prc = tlsplug_conn_handshake(p);
		moved = move(t, p, NULL) + move(p, t, cap);
		if (moved == 0 && trc != TLSPLUG_WANT_READ &&
		    prc != TLSPLUG_WANT_READ)
			break;
	}
	if (trc != TLSPLUG_OK || prc != TLSPLUG_OK) {
		fprintf(stderr, "  handshake failed: target %s (%s), peer %s "
		        "(%s)\n", tlsplug_status_name(trc), message(t),
		        tlsplug_status_name(prc), message(p));
		goto out;
	}
	if (tlsplug_conn_write(p, "GET / fuzz\r\n", 12, &n) != TLSPLUG_OK)
		goto out;
	move(p, t, cap);
	/* Post-handshake messages (tickets) come before the line. */
	for (int i = 0; i < 8 && got == 0; i++) {
		if (tlsplug_conn_read(t, buf, sizeof(buf), &got) !=
		    TLSPLUG_WANT_READ && got == 0)
			break;
		move(t, p, NULL);
		move(p, t, cap);
	}
	(void)tlsplug_conn_shutdown(p);
	move(p, t, cap);
	rc = got == 12 ? 0 : -1;
	if (rc != 0)
		fprintf(stderr, "  the target did not read the line\n");
out:
	tlsplug_conn_free(t);
	tlsplug_conn_free(p);
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
	/* Another engine than the target's.  (wolfSSL against OpenSSL: its
	 * replays complete more often than against GnuTLS, 11 of 12 against
	 * 6; why GnuTLS's flights make a wolfSSL target draw differently is
	 * not known.) */
	peer = fuzz_backend(strcmp(engine, "openssl") == 0 ? "gnutls" :
	                    "openssl", reg);
	snprintf(dir, sizeof(dir), "%s/fuzz_%s", outdir, target);
	if ((mkdir(outdir, 0755) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
		fprintf(stderr, "fuzz-record: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct tlsplug_context *tctx = fuzz_context(b, role, NULL);
		struct tlsplug_context *pctx = fuzz_context(peer, prole,
		                                            &variants[i].v);
		struct capture cap = { NULL, 0, 0 };
		struct fuzz_outcome o;

		/* As the fuzz target does: the engine's context for the
		 * config exists before the connection that counts. */
		fuzz_run(tctx, NULL, 0, NULL);
		printf("%s/%s (peer %s): ", target, variants[i].name,
		       tlsplug_backend_name(peer));
		fflush(stdout);
		if (record(tctx, pctx, &cap) != 0) {
			printf("FAILED\n");
			status = 1;
		} else {
			snprintf(path, sizeof(path), "%s/%s", dir,
			         variants[i].name);
			if (save(path, &cap) != 0)
				status = 1;
			fuzz_run(tctx, cap.data, cap.len, &o);
			printf("%zu bytes; replay: handshake %s, read %s, "
			       "%zu plaintext bytes%s%s\n", cap.len,
			       tlsplug_status_name(o.handshake),
			       tlsplug_status_name(o.read), o.plaintext,
			       o.message[0] != '\0' ? ": " : "", o.message);
			/* OpenSSL takes the fixed stream wholly: its replays
			 * must complete, or the seeds are worth little. */
			if (strcmp(engine, "openssl") == 0 &&
			    o.handshake != TLSPLUG_OK)
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
		for (size_t i = 0; i < 6; i++)
			status |= run_target(&reg, argv[1], all_targets[i]);
	} else {
		for (int i = 2; i < argc; i++)
			status |= run_target(&reg, argv[1], argv[i]);
	}
	tlsplug_registry_free(reg);
	return status;
}
