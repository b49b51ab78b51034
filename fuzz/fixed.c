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
 * tlsplug_fuzz_random() is a random stream the program resets before each
 * connection.  A plugin built with --enable-fuzzing looks it up in the
 * executable (dlsym) and, where its engine lets an application replace the
 * random generator, makes it the engine's (OpenSSL: RAND_set_rand_method);
 * elsewhere the engine's own generator runs (see fuzz/README).  The stream
 * is SplitMix64: fast and reproducible, not cryptographic, which is the
 * point.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
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

static uint64_t stream_state;

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
