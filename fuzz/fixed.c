/*
 * fixed.c -- a fixed clock and a resettable random stream for the backend
 * fuzz targets and their recorder (fuzz/fuzz_backend.c, fuzz/record.c).
 *
 * time() is defined here and exported from the executable (the link line
 * names it with --export-dynamic-symbol), so every engine the plugins load
 * reads the same instant: recorded handshakes and the certificates in
 * fuzz/certs/ stay valid whatever the date, and nothing that goes by the
 * clock (validity, session lifetimes) changes between runs.
 *
 * tlsplug_fuzz_random() is a random stream, one per thread, that the
 * program resets before each connection.  Every engine draws from it: the
 * OpenSSL plugin of a fuzzing build looks it up in the executable (dlsym)
 * and makes it OpenSSL's generator (RAND_set_rand_method); wolfSSL and
 * GnuTLS, which offer no such call, are fed through their seed sources
 * below.  The stream is SplitMix64: fast and reproducible, not
 * cryptographic, which is the point.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "fixed.h"

/* The build hides symbols by default; these two must reach the engines. */
#define EXPORTED __attribute__((visibility("default")))

EXPORTED time_t
time(time_t *t)
{
	if (t != NULL)
		*t = (time_t)TLSPLUG_FUZZ_TIME;
	return (time_t)TLSPLUG_FUZZ_TIME;
}

/* One stream per thread: the recorder's peer draws on its own thread
 * without moving the target's stream. */
static _Thread_local uint64_t stream_state;

void
tlsplug_fuzz_random_reset(void)
{
	stream_state = UINT64_C(0x5deece66d2545f49);
}

EXPORTED int
tlsplug_fuzz_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		uint64_t z = (stream_state += UINT64_C(0x9e3779b97f4a7c15));
		size_t n = len < 8 ? len : 8;

		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		z ^= z >> 31;
		memcpy(p, &z, n);
		p += n;
		len -= n;
	}
	return 1;
}

/*
 * wolfSSL has no way to replace its generator at run time in Debian's
 * build (no WC_RNG_SEED_CB), but each connection's generator is seeded
 * through wc_GenerateSeed(), an exported function the library calls
 * through its PLT: defined and exported here, it seeds every wolfSSL
 * generator from the stream, so a wolfSSL connection is reproducible as
 * an OpenSSL one is.  (The signature is wolfSSL's; no wolfSSL header is
 * included: the fuzz programs do not build against any engine.)
 */
EXPORTED int wc_GenerateSeed(void *os, unsigned char *output,
                             unsigned int sz);

EXPORTED int
wc_GenerateSeed(void *os, unsigned char *output, unsigned int sz)
{
	(void)os;
	tlsplug_fuzz_random(output, sz);
	return 0;
}

/*
 * GnuTLS 3.7 has no way to replace its generator either; it keeps one per
 * thread, made on the thread's first draw from getrandom() (through its
 * PLT) and its clock (gnutls_gettime).  Both come from here: getrandom()
 * answers from the stream, and the GnuTLS plugin of a fuzzing build sets
 * tlsplug_fuzz_gettime() as GnuTLS's clock; fuzz_run() makes each
 * connection on a new thread, whose generator is then the same each time.
 */
EXPORTED ssize_t getrandom(void *buf, size_t len, unsigned int flags);

EXPORTED ssize_t
getrandom(void *buf, size_t len, unsigned int flags)
{
	(void)flags;
	tlsplug_fuzz_random(buf, len);
	return (ssize_t)len;
}

EXPORTED void
tlsplug_fuzz_gettime(struct timespec *ts)
{
	ts->tv_sec = (time_t)TLSPLUG_FUZZ_TIME;
	ts->tv_nsec = 0;
}
