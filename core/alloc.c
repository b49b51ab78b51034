/* alloc.c -- the core's allocator, with a fault-injection hook for tests. */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* 0: never fail; otherwise the allocation that brings the countdown to zero
 * fails (once).  Only tests set it. */
static atomic_ulong fail_countdown;
/* Allocation attempts so far (tests count a scenario's allocations). */
static atomic_ulong alloc_attempts;

void
tlsplug__alloc_fail_at(unsigned long nth)
{
	atomic_store(&fail_countdown, nth);
}

unsigned long
tlsplug__alloc_count(void)
{
	return atomic_load(&alloc_attempts);
}

static bool
injected_failure(void)
{
	unsigned long n;

	atomic_fetch_add(&alloc_attempts, 1);
	n = atomic_load(&fail_countdown);

	while (n != 0) {
		if (atomic_compare_exchange_weak(&fail_countdown, &n, n - 1))
			return n == 1;
	}
	return false;
}

void *
tlsplug__malloc(size_t n)
{
	if (injected_failure())
		return NULL;
	return malloc(n == 0 ? 1 : n);
}

void *
tlsplug__calloc(size_t n, size_t size)
{
	if (injected_failure())
		return NULL;
	return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *
tlsplug__realloc(void *p, size_t n)
{
	if (injected_failure())
		return NULL;
	return realloc(p, n == 0 ? 1 : n);
}

void
tlsplug__free(void *p)
{
	free(p);
}

char *
tlsplug__strdup(const char *s)
{
	size_t len;
	char *copy;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	copy = tlsplug__malloc(len);
	if (copy != NULL)
		memcpy(copy, s, len);
	return copy;
}
