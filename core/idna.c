/*
 * idna.c -- one IDNA rule for every engine: a host name given in Unicode
 * (UTF-8) becomes its A-label form (IDNA2008 with UTS #46 mapping, by
 * libidn2) before anything is sent or checked, so the SNI bytes and the
 * name matched against the certificate are the same whichever engine runs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "internal.h"

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int
tlsplug__idna_to_ascii(const char *host, char **out, const char **why)
{
	char *ace = NULL;
	int rc;

	*out = NULL;
	*why = NULL;
	if (is_ascii(host))
		return TLSPLUG_OK;
	/* Non-transitional UTS #46 processing, input normalised to NFC. */
	rc = idn2_to_ascii_8z(host, &ace,
	                      IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc == IDN2_MALLOC)
		return TLSPLUG_ERR_NOMEM;
	if (rc != IDN2_OK) {
		*why = idn2_strerror(rc);
		return TLSPLUG_ERR_INVALID;
	}
	/* Hand out core memory (the allocator tests can fail). */
	*out = tlsplug__strdup(ace);
	idn2_free(ace);
	return *out == NULL ? TLSPLUG_ERR_NOMEM : TLSPLUG_OK;
}
