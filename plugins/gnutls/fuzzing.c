/*
 * fuzzing.c -- in a build configured with --enable-fuzzing only: when the
 * program that loaded the plugin is one of the backend fuzz programs
 * (fuzz/fixed.c, which exports tlsplug_fuzz_gettime()), GnuTLS reads its
 * clock from it.  GnuTLS seeds each thread's random generator from
 * getrandom(), which those programs answer from a stream they reset, and
 * from that clock: with both fixed, a connection made on a new thread is
 * the same connection each time.  Any other program keeps GnuTLS's clock.
 */
#include "config.h"

#ifdef TLSPLUG_FUZZING

#include <dlfcn.h>
#include <time.h>

#include "plugin.h"

/* Not in GnuTLS's headers: exported as GNUTLS_PRIVATE_3_4, the hook
 * GnuTLS's own tests use to fix its clock. */
void _gnutls_global_set_gettime_function(void (*f)(struct timespec *));

void
gtls_fuzzing_init(void)
{
	void (*gettime)(struct timespec *);

	*(void **)&gettime = dlsym(RTLD_DEFAULT, "tlsplug_fuzz_gettime");
	/* The function lives in the program, which outlives the plugin. */
	if (gettime != NULL)
		_gnutls_global_set_gettime_function(gettime);
}

#endif /* TLSPLUG_FUZZING */
