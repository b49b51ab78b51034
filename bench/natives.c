/* natives.c -- the native halves built into this binary, and small helpers
 * they share with the driver. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "bench/bench.h"

#ifdef BENCH_HAVE_OPENSSL
extern const struct bench_native bench_native_openssl;
#endif
#ifdef BENCH_HAVE_GNUTLS
extern const struct bench_native bench_native_gnutls;
#endif
#ifdef BENCH_HAVE_MBEDTLS
extern const struct bench_native bench_native_mbedtls;
#endif
#ifdef BENCH_HAVE_WOLFSSL
extern const struct bench_native bench_native_wolfssl;
#endif

const struct bench_native *const bench_natives[] = {
#ifdef BENCH_HAVE_OPENSSL
	&bench_native_openssl,
#endif
#ifdef BENCH_HAVE_GNUTLS
	&bench_native_gnutls,
#endif
#ifdef BENCH_HAVE_MBEDTLS
	&bench_native_mbedtls,
#endif
#ifdef BENCH_HAVE_WOLFSSL
	&bench_native_wolfssl,
#endif
	NULL
};

const struct bench_native *
bench_native_find(const char *name)
{
	size_t i;

	for (i = 0; bench_natives[i] != NULL; i++)
		if (strcmp(bench_natives[i]->name, name) == 0)
			return bench_natives[i];
	return NULL;
}

enum bench_keytype
bench_profile_key(enum bench_profile p)
{
	return p == BENCH_TLS12_RSA ? BENCH_KEY_RSA2048 : BENCH_KEY_ECDSA_P256;
}

uint16_t
bench_profile_tls12_suite(enum bench_profile p)
{
	switch (p) {
	case BENCH_TLS12_RSA:
		return 0xC02F;   /* ECDHE-RSA-AES128-GCM-SHA256 */
	case BENCH_TLS13_AES128GCM:
		return 0xC02B;   /* ECDHE-ECDSA-AES128-GCM-SHA256 */
	case BENCH_TLS13_CHACHA20:
		return 0xCCA9;   /* ECDHE-ECDSA-CHACHA20-POLY1305 */
	default:
		return 0;
	}
}

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
