/*
 * fuzz_hostname.c -- libFuzzer target: host names.  The IDNA conversion a
 * connection applies to its server name (tlsplug__idna_to_ascii,
 * core/idna.c), then the RFC 9525 match of that name (core/hostname.c),
 * either against a list of subjectAltName entries or through the peer's
 * host check on a whole certificate (core/identity.c).
 *
 * Input: one mode byte, then the host name up to the first '\n'.
 *   even mode: the rest are subjectAltName entries, one a line: 'I' and the
 *              raw address bytes, or any other byte and a DNS name (which
 *              may hold any byte but '\n', NUL included);
 *   odd mode:  the rest is a DER certificate (seeds: fuzz_x509's).
 * Checked: an A-label form is ASCII, has no empty label and converts to
 * itself; a match is 0 or
 * 1, never without names, and blind to ASCII case; the certificate check
 * agrees with the configured chains' matcher (tlsplug__leaf_names_*) on the
 * same certificate, and a refusal is one error with its message.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOST_MAX 1024
#define SANS_MAX 64

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* The same name with the case of every ASCII letter swapped. */
static void
swap_case(const char *s, char *out)
{
	for (; *s != '\0'; s++, out++) {
		char c = *s;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		*out = c;
	}
	*out = '\0';
}

static void
match_names(const char *host, const uint8_t *p, size_t len)
{
	struct tlsplug_san sans[SANS_MAX];
	char *swapped = malloc(strlen(host) + 1);
	size_t n = 0;
	int r;

	while (len > 0 && n < SANS_MAX) {
		const uint8_t *nl = memchr(p, '\n', len);
		size_t l = nl != NULL ? (size_t)(nl - p) : len;

		if (l > 0) {
			sans[n].type = p[0] == 'I' ? TLSPLUG_SAN_IP :
			    TLSPLUG_SAN_DNS;
			sans[n].data = p + 1;
			sans[n].len = l - 1;
			n++;
		}
		if (nl == NULL)
			break;
		p += l + 1;
		len -= l + 1;
	}
	r = tlsplug__match_hostname(host, sans, n);
	if (r != 0 && r != 1)
		abort();
	if (n == 0 && r != 0)
		abort();
	if (swapped == NULL)
		abort();
	swap_case(host, swapped);
	if (tlsplug__match_hostname(swapped, sans, n) != r)
		abort();
	free(swapped);
}

static void
match_cert(const char *host, const uint8_t *der, size_t len)
{
	struct tlsplug_error e = { .alert = -1 };
	struct tlsplug_blob blob = {
		.data = der, .len = len, .format = TLSPLUG_FORMAT_DER,
		.origin = "(fuzz)",
	};
	struct tlsplug__leaf_names names;
	int rc = tlsplug__host_check_der(der, len, host, &e);
	int load;

	if (rc != TLSPLUG_OK &&
	    (e.code != rc || e.message[0] == '\0' ||
	     (rc != TLSPLUG_ERR_CERT_HOSTNAME &&
	      rc != TLSPLUG_ERR_CERT_INVALID && rc != TLSPLUG_ERR_NOMEM)))
		abort();
	load = tlsplug__leaf_names_load(&blob, &names, &e);
	if (load == TLSPLUG_ERR_NOMEM || rc == TLSPLUG_ERR_NOMEM) {
		tlsplug__leaf_names_free(&names);
		return;
	}
	/* Both read the certificate with the same reader. */
	if ((load == TLSPLUG_OK) != (rc != TLSPLUG_ERR_CERT_INVALID))
		abort();
	if (load == TLSPLUG_OK &&
	    tlsplug__leaf_names_match(&names, host) != (rc == TLSPLUG_OK))
		abort();
	tlsplug__leaf_names_free(&names);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[HOST_MAX + 1];
	const uint8_t *nl;
	const char *name, *why = NULL;
	char *ace = NULL, *again = NULL;
	size_t hlen;
	int rc;

	if (size < 1)
		return 0;
	nl = memchr(data + 1, '\n', size - 1);
	hlen = nl != NULL ? (size_t)(nl - data - 1) : size - 1;
	if (hlen > HOST_MAX)
		return 0;
	memcpy(host, data + 1, hlen);
	host[hlen] = '\0';      /* an embedded NUL ends it, as in C */

	rc = tlsplug__idna_to_ascii(host, &ace, &why);
	if (rc == TLSPLUG_ERR_NOMEM)
		return 0;
	if (rc != TLSPLUG_OK) {
		if (rc != TLSPLUG_ERR_INVALID || why == NULL || ace != NULL ||
		    is_ascii(host))
			abort();
		name = host;    /* the core refuses it; match it as given */
	} else if (ace != NULL) {
		/* Non-empty, ASCII, no empty label (one trailing dot
		 * allowed). */
		if (is_ascii(host) || ace[0] == '\0' || ace[0] == '.' ||
		    strstr(ace, "..") != NULL || !is_ascii(ace))
			abort();
		/* An A-label form is already ASCII: left as it is. */
		if (tlsplug__idna_to_ascii(ace, &again, &why) != TLSPLUG_OK ||
		    again != NULL)
			abort();
		name = ace;
	} else {
		if (!is_ascii(host))
			abort();
		name = host;
	}
	if (nl == NULL)
		nl = data + size - 1;
	if ((data[0] & 1) == 0)
		match_names(name, nl + 1, (size_t)(data + size - nl - 1));
	else
		match_cert(name, nl + 1, (size_t)(data + size - nl - 1));
	tlsplug__free(ace);
	return 0;
}
