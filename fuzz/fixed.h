/*
 * fixed.h -- the fixed clock and random stream of the backend fuzz targets
 * and their recorder (fixed.c).
 */
#ifndef TLSPLUG_FUZZ_FIXED_H
#define TLSPLUG_FUZZ_FIXED_H

#include <stddef.h>

/* The instant time() answers: 2027-01-01T00:00:00Z, inside the validity
 * of the certificates in fuzz/certs/. */
#define TLSPLUG_FUZZ_TIME 1798761600

/* Restarts the random stream: call before each connection. */
void tlsplug_fuzz_random_reset(void);
/* Fills buf with the next len bytes of the stream; returns 1.  Exported
 * (--export-dynamic-symbol) for the plugins, which find it with dlsym. */
int tlsplug_fuzz_random(void *buf, size_t len);

struct timespec;
/* Stores TLSPLUG_FUZZ_TIME; exported for the GnuTLS plugin, which makes it
 * GnuTLS's clock. */
void tlsplug_fuzz_gettime(struct timespec *ts);

#endif /* TLSPLUG_FUZZ_FIXED_H */
