/*
 * bench.h -- tlsplug-bench: what tlsplug costs over calling an engine
 * directly.
 *
 * The driver (the bench/ sources) never includes an engine header.  Each engine the
 * build found contributes a "native half" (bench/native/NAME.c)
 * that implements the same measurements by calling the engine directly,
 * behind the table below.  The tlsplug side of every measurement uses only
 * the public API (bench/tlsplug_side.c).
 */
#ifndef TLSPLUG_BENCH_BENCH_H
#define TLSPLUG_BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Plaintext chunk for bulk transfers: one 16 KiB write, one full record. */
#define BENCH_CHUNK 16384

/* The TLS configurations measured.  Both sides of a comparison use the same
 * certificate, versions and suites; groups are left at the defaults the
 * plugin uses (tlsplug has no groups setting). */
enum bench_profile {
	/* TLS 1.3, default suites, ECDSA P-256 certificate (X25519 when the
	 * engine's default key share is X25519). */
	BENCH_TLS13_ECDSA = 0,
	/* TLS 1.2 only, ECDHE-RSA-AES128-GCM-SHA256, RSA-2048 certificate. */
	BENCH_TLS12_RSA = 1,
	/* TLS 1.3 only, TLS_AES_128_GCM_SHA256, ECDSA P-256. */
	BENCH_TLS13_AES128GCM = 2,
	/* TLS 1.3 only, TLS_CHACHA20_POLY1305_SHA256, ECDSA P-256. */
	BENCH_TLS13_CHACHA20 = 3
};
#define BENCH_PROFILE_COUNT 4

enum bench_keytype { BENCH_KEY_ECDSA_P256 = 0, BENCH_KEY_RSA2048 = 1 };

/* Test PKI, PEM text (NUL-terminated, malloc'd): one CA that signs a leaf
 * per key type; the leaves name "localhost" in their subjectAltName. */
struct bench_certs {
	char *ca;
	char *leaf[2];
	char *key[2];
};

/* Key type and host name used by a profile. */
enum bench_keytype bench_profile_key(enum bench_profile p);
/* An engine without TLS 1.3 runs every profile at TLS 1.2, with this
 * suite (IANA id) standing in for the profile's: the ECDHE-ECDSA suite of
 * the same cipher, ECDHE-RSA-AES128-GCM for BENCH_TLS12_RSA, 0 (the
 * engine's defaults) for BENCH_TLS13_ECDSA.  Both sides of the
 * comparison use it. */
uint16_t bench_profile_tls12_suite(enum bench_profile p);
#define BENCH_HOSTNAME "localhost"

/* A growable byte queue: the in-memory transport of the native halves
 * (the same job the core's ciphertext buffers do for tlsplug). */
struct bench_queue {
	unsigned char *buf;
	size_t start;   /* first unread byte */
	size_t end;     /* one past the last byte */
	size_t cap;
	int eof;
};

/* Appends len bytes; returns 0, or -1 when out of memory. */
int bench_queue_push(struct bench_queue *q, const void *data, size_t len);
/* Copies up to len bytes out; returns the count (0 when empty). */
size_t bench_queue_pull(struct bench_queue *q, void *data, size_t len);
static inline size_t
bench_queue_len(const struct bench_queue *q)
{
	return q->end - q->start;
}
void bench_queue_free(struct bench_queue *q);

/*
 * A native half.  Errors: functions return NULL / -1 and write a one-line
 * reason into err (size BENCH_ERRLEN).  Every in-memory object moves its
 * ciphertext through struct bench_queue; every fd object uses the engine's
 * own fd transport.
 */
#define BENCH_ERRLEN 256

struct bench_native {
	const char *name;              /* the backend name: "openssl" */
	/* 1: the engine has no TLS 1.3; its profiles run at TLS 1.2
	 * (bench_profile_tls12_suite), and the report says so. */
	int tls12_only;
	const char *(*engine_version)(void);
	/* Generates the test PKI (optional: one native half is enough). */
	int (*gen_certs)(struct bench_certs *out, char *err);
	/* Start-up: initialise the engine and create the first usable client
	 * context with the defaults the plugin uses (system trust store,
	 * validation on).  The context is kept until exit. */
	int (*startup_client_ctx)(char *err);

	/* Contexts for a profile and role (server: 1). */
	void *(*ctx_new)(enum bench_profile p, int server,
	                 const struct bench_certs *certs, char *err);
	void (*ctx_free)(void *ctx);

	/* In-memory client/server pair (handshake not yet run). */
	void *(*pair_new)(void *cctx, void *sctx, char *err);
	/* Runs the handshake to completion on both sides, then lets each side
	 * read once so post-handshake messages are consumed (idle state). */
	int (*pair_handshake)(void *pair, char *err);
	/* Client writes total bytes in BENCH_CHUNK writes from buf; the
	 * server reads them all. */
	int (*pair_transfer)(void *pair, const unsigned char *buf, size_t total,
	                     char *err);
	/* Frees the client (1), the server (2) or both (3) sides; the pair
	 * itself goes when both are gone. */
	void (*pair_free)(void *pair, int sides);
	/* Negotiated "group" or key exchange name of a pair (for the report),
	 * or NULL. */
	const char *(*pair_group)(void *pair);

	/* One end on a connected blocking stream socket. */
	void *(*fd_new)(void *ctx, int server, int fd, char *err);
	int (*fd_handshake)(void *c, char *err);
	/* Writes all len bytes; 0 or -1. */
	int (*fd_write)(void *c, const void *buf, size_t len, char *err);
	/* Reads up to len bytes: the count, 0 at EOF, -1 on error. */
	long (*fd_read)(void *c, void *buf, size_t len, char *err);
	void (*fd_free)(void *c);
	/* Optional: called by a thread the bench started, before it ends, for
	 * an engine that keeps per-thread state the thread must release. */
	void (*thread_end)(void);

	/* Resumption: the client's latest session of a pair whose handshake
	 * is done into *sess (replacing and freeing what was there), a
	 * session set on a new pair's client before its handshake, whether
	 * the pair resumed, and freeing a session.  0 or -1. */
	int (*pair_get_session)(void *pair, void **sess, char *err);
	int (*pair_set_session)(void *pair, void *sess, char *err);
	int (*pair_resumed)(void *pair);
	void (*session_free)(void *sess);
};

/* The native halves built into this binary (NULL-terminated). */
extern const struct bench_native *const bench_natives[];
/* The native half for a backend name, or NULL. */
const struct bench_native *bench_native_find(const char *name);

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

#endif /* TLSPLUG_BENCH_BENCH_H */
