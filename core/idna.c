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

/* UTS #46 mapping removes some characters outright (U+200B ZERO WIDTH
 * SPACE, U+00AD SOFT HYPHEN, ...), and libidn2 leaves an empty label where
 * a label held nothing else: a name of only those becomes "", "\u200b.a"
 * becomes ".a".  Such a result is no host name (and an empty one would
 * slip past conn_new's check for an empty name).  One trailing dot, an
 * absolute name, stays allowed. */
static int
has_empty_label(const char *ace)
{
	return ace[0] == '\0' || ace[0] == '.' || strstr(ace, "..") != NULL;
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
	if (has_empty_label(ace)) {
		idn2_free(ace);
		*why = "a label is empty once mapped (it holds only characters "
		       "UTS #46 removes, such as U+200B)";
		return TLSPLUG_ERR_INVALID;
	}
	/* Hand out core memory (the allocator tests can fail). */
	*out = tlsplug__strdup(ace);
	idn2_free(ace);
	return *out == NULL ? TLSPLUG_ERR_NOMEM : TLSPLUG_OK;
}
