/*
 * fuzzing.c -- in a build configured with --enable-fuzzing only: when the
 * program that loaded the plugin exports tlsplug_fuzz_random() (the
 * backend fuzz targets and their recorder, fuzz/fixed.c), OpenSSL draws
 * every random byte from it, so a connection the program starts after
 * resetting that stream is the same connection each time: a recorded
 * handshake replays past the ServerHello.  Any other program gets
 * OpenSSL's own generator, fuzzing build or not.
 */
#include "config.h"

#ifdef TLSPLUG_FUZZING

#include <dlfcn.h>

#include <openssl/rand.h>

#include "plugin.h"

static int (*fuzz_random)(void *buf, size_t len);

static int
fz_bytes(unsigned char *buf, int num)
{
	return num < 0 ? 0 : fuzz_random(buf, (size_t)num);
}

static int
fz_seed(const void *buf, int num)
{
	(void)buf;
	(void)num;
	return 1;
}

static int
fz_add(const void *buf, int num, double entropy)
{
	(void)buf;
	(void)num;
	(void)entropy;
	return 1;
}

static int
fz_status(void)
{
	return 1;
}

static RAND_METHOD fz_method = {
	fz_seed, fz_bytes, NULL, fz_add, fz_bytes, fz_status,
};

void
osslp_fuzzing_init(void)
{
	*(void **)&fuzz_random = dlsym(RTLD_DEFAULT, "tlsplug_fuzz_random");
	if (fuzz_random == NULL)
		return;
	/* Deprecated in OpenSSL 3.0 but still honoured by RAND_bytes_ex and
	 * RAND_priv_bytes_ex, which key generation and signing use. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	RAND_set_rand_method(&fz_method);
#pragma GCC diagnostic pop
}

void
osslp_fuzzing_fini(void)
{
	if (fuzz_random == NULL)
		return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	RAND_set_rand_method(NULL);
#pragma GCC diagnostic pop
	fuzz_random = NULL;
}

#endif /* TLSPLUG_FUZZING */
