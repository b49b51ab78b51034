/*
 * tlsplug-legacy.so: the null-cipher engine (nullcipher.c) built against
 * the frozen ABI 1.0 headers in tests/abi-1.0/, as a plugin written for
 * tlsplug 0.1 was.  tests/check_legacy drives it on the current host.
 *
 * Its entry-point groups each end at the end of a page, and the next page
 * is inaccessible: a host that reads (or calls) a member added after 1.0
 * crashes instead of passing.
 */
#include "config.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <tlsplug/backend.h>

#if TLSPLUG_BACKEND_ABI_MAJOR != 1 || TLSPLUG_BACKEND_ABI_MINOR != 0
#error "legacy.c must be built against the ABI 1.0 headers (tests/abi-1.0)"
#endif

#define NULLCIPHER_NAME "legacy"
#define NULLCIPHER_STATS_ATTR __attribute__((visibility("default")))
#include "nullcipher.c"

TLSPLUG_BACKEND_EXPORT struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = { NULLCIPHER_DESCRIPTOR_INIT };

static void *guard_map[3];
static size_t guard_len;

/* A read-only copy of group (size bytes) that ends where an inaccessible
 * page starts. */
static const void *
guarded(int i, const void *group, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p;

	guard_len = 2 * page;
	p = mmap(NULL, guard_len, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	memcpy(p + page - size, group, size);
	if (mprotect(p, page, PROT_READ) != 0 ||
	    mprotect(p + page, page, PROT_NONE) != 0)
		abort();
	guard_map[i] = p;
	return p + page - size;
}

/* Runs when the host dlopens the plugin, before it reads the
 * descriptor. */
__attribute__((constructor)) static void
legacy_guard(void)
{
	TLSPLUG_BACKEND_DESCRIPTOR.client_context =
	    guarded(0, &mock_ctx_ops, sizeof(mock_ctx_ops));
	TLSPLUG_BACKEND_DESCRIPTOR.server_context =
	    TLSPLUG_BACKEND_DESCRIPTOR.client_context;
	TLSPLUG_BACKEND_DESCRIPTOR.conn =
	    guarded(1, &mock_conn_ops, sizeof(mock_conn_ops));
}

__attribute__((destructor)) static void
legacy_unguard(void)
{
	for (int i = 0; i < 2; i++)
		if (guard_map[i] != NULL)
			munmap(guard_map[i], guard_len);
}
