/*
 * fuzz_x509.c -- libFuzzer target: the core's certificate reader
 * (core/x509.c) on arbitrary bytes.
 *
 * Each input is parsed as a DER certificate; when it parses, its SANs and
 * subject are read and checked against what the parser promised (counts,
 * sizes, spans inside the input).  The input is also printed as a Name on
 * its own, so the RFC 4514 printer sees arbitrary Names directly.  A broken
 * promise aborts, which libFuzzer reports as a crash.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SANS_MAX 8

static int
inside(struct tlsplug__span s, const uint8_t *data, size_t size)
{
	return s.p >= data && s.len <= size && (size_t)(s.p - data) <=
	    size - s.len;
}

/* Prints a Name twice: into a roomy buffer and into a short one; both
 * must agree with the returned length. */
static int
check_name(struct tlsplug__span name)
{
	static char big[65536];
	char small[16];
	int n = tlsplug__name_text(name, big, sizeof(big));
	int m = tlsplug__name_text(name, small, sizeof(small));

	if (n != m)
		abort();
	if (n >= 0 && (size_t)n < sizeof(big) && strlen(big) != (size_t)n)
		abort();
	if (n >= 0 && strncmp(small, big, sizeof(small) - 1) != 0)
		abort();
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsplug__span whole = { data, size };
	struct tlsplug__cert c;
	struct tlsplug_san sans[SANS_MAX];
	const char *why = NULL;
	size_t n;

	check_name(whole);
	if (tlsplug__cert_parse(data, size, &c, &why) != 0) {
		if (why == NULL || c.subject.p != NULL || c.san.p != NULL)
			abort();
		return 0;
	}
	if (!inside(c.subject, data, size) || !inside(c.spki, data, size) ||
	    (c.san.p != NULL && !inside(c.san, data, size)))
		abort();
	if (c.san.p == NULL && c.nsans != 0)
		abort();
	n = tlsplug__cert_sans(&c, sans, SANS_MAX);
	if (n != c.nsans)
		abort();
	for (size_t i = 0; i < n && i < SANS_MAX; i++) {
		struct tlsplug__span s = { sans[i].data, sans[i].len };

		if (!inside(s, data, size))
			abort();
		if (sans[i].type == TLSPLUG_SAN_IP ? s.len != 4 && s.len != 16 :
		    sans[i].type != TLSPLUG_SAN_DNS)
			abort();
	}
	/* A parsed certificate's subject always prints. */
	if (check_name(c.subject) < 0)
		abort();
	return 0;
}
