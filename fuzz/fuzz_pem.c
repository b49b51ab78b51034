/*
 * fuzz_pem.c -- libFuzzer target: PEM decoding (core/pem.c) and the
 * handles' framing check (core/handles.c) on arbitrary text.
 *
 * Every CERTIFICATE block tlsplug__pem_next() finds is decoded and fed to
 * the certificate reader; the loop must move forward and end in 0 or -2.
 * The same bytes then go through tlsplug_certificate_from_buffer() and
 * tlsplug_private_key_from_buffer(), which frame PEM with the same code and
 * read DER with the same element reader.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pem.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct tlsplug_certificate *cert = NULL;
	struct tlsplug_private_key *key = NULL;
	size_t pos = 0, der_len;
	unsigned char *der;
	const char *why = NULL;
	int rc;

	for (;;) {
		struct tlsplug__cert c;
		struct tlsplug_san sans[4];
		size_t before = pos;
		char name[256];

		rc = tlsplug__pem_next(text, size, &pos, "CERTIFICATE", &der,
		                       &der_len, &why);
		if (rc != 1)
			break;
		/* Forward, and 4 base64 characters make at most 3 bytes. */
		if (pos <= before || der == NULL || der_len == 0 ||
		    der_len > size)
			abort();
		if (tlsplug__cert_parse(der, der_len, &c, &why) == 0 &&
		    (tlsplug__cert_sans(&c, sans, 4) != c.nsans ||
		     tlsplug__name_text(c.subject, name, sizeof(name)) < 0))
			abort();
		tlsplug__free(der);
	}
	if ((rc != 0 && rc != -2) || pos > size || (rc == -2 && why == NULL))
		abort();
	if (tlsplug_certificate_from_buffer(data, size, &cert, NULL) ==
	    TLSPLUG_OK && tlsplug_certificate_count(cert) == 0)
		abort();
	tlsplug_certificate_unref(cert);
	if (tlsplug_private_key_from_buffer(data, size, &key, NULL) !=
	    TLSPLUG_OK && key != NULL)
		abort();
	tlsplug_private_key_unref(key);
	return 0;
}
