/* version.c -- the library version and TLS protocol version names. */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/*
 * The header's version and configure.ac's AC_INIT must agree: a release
 * bumps both, and the build stops here when one was forgotten
 * (tests/check_error.c compares the strings).
 */
_Static_assert(TLSPLUG_LIB_VERSION_MAJOR == TLSPLUG_PACKAGE_MAJOR &&
               TLSPLUG_LIB_VERSION_MINOR == TLSPLUG_PACKAGE_MINOR &&
               TLSPLUG_LIB_VERSION_PATCH == TLSPLUG_PACKAGE_PATCH,
               "TLSPLUG_LIB_VERSION_* in include/tlsplug/tlsplug.h differ "
               "from AC_INIT in configure.ac");

const char *
tlsplug_lib_version(void)
{
	return TLSPLUG_LIB_VERSION;
}

void
tlsplug_lib_backend_abi(unsigned *major, unsigned *minor)
{
	if (major != NULL)
		*major = TLSPLUG_BACKEND_ABI_MAJOR;
	if (minor != NULL)
		*minor = TLSPLUG_BACKEND_ABI_MINOR;
}

const char *
tlsplug_version_name(enum tlsplug_version v)
{
	switch (v) {
	case TLSPLUG_VERSION_NONE:
		return "none";
	case TLSPLUG_VERSION_MINIMUM_SUPPORTED:
		return "MINIMUM_SUPPORTED";
	case TLSPLUG_VERSION_SSLv2:
		return "SSLv2";
	case TLSPLUG_VERSION_SSLv3:
		return "SSLv3";
	case TLSPLUG_VERSION_TLSv1:
		return "TLSv1";
	case TLSPLUG_VERSION_TLSv1_1:
		return "TLSv1.1";
	case TLSPLUG_VERSION_TLSv1_2:
		return "TLSv1.2";
	case TLSPLUG_VERSION_TLSv1_3:
		return "TLSv1.3";
	case TLSPLUG_VERSION_MAXIMUM_SUPPORTED:
		return "MAXIMUM_SUPPORTED";
	}
	return NULL;
}

/* Words accepted besides the numeric forms. */
static const struct {
	const char *word;
	enum tlsplug_version v;
} version_words[] = {
	{ "min", TLSPLUG_VERSION_MINIMUM_SUPPORTED },
	{ "minimum", TLSPLUG_VERSION_MINIMUM_SUPPORTED },
	{ "minimum_supported", TLSPLUG_VERSION_MINIMUM_SUPPORTED },
	{ "max", TLSPLUG_VERSION_MAXIMUM_SUPPORTED },
	{ "maximum", TLSPLUG_VERSION_MAXIMUM_SUPPORTED },
	{ "maximum_supported", TLSPLUG_VERSION_MAXIMUM_SUPPORTED },
	{ "sslv2", TLSPLUG_VERSION_SSLv2 },
	{ "ssl2", TLSPLUG_VERSION_SSLv2 },
	{ "sslv3", TLSPLUG_VERSION_SSLv3 },
	{ "ssl3", TLSPLUG_VERSION_SSLv3 },
};

int
tlsplug_version_parse(const char *text, enum tlsplug_version *out)
{
	const char *p;

	if (text == NULL || out == NULL)
		return TLSPLUG_ERR_INVALID;
	for (size_t i = 0; i < sizeof(version_words) / sizeof(version_words[0]);
	     i++) {
		if (strcasecmp(text, version_words[i].word) == 0) {
			*out = version_words[i].v;
			return TLSPLUG_OK;
		}
	}
	/* [tls[v]]1[(.|_)0-3] */
	p = text;
	if (strncasecmp(p, "tls", 3) == 0) {
		p += 3;
		if (*p == 'v' || *p == 'V')
			p++;
	}
	if (p[0] != '1')
		return TLSPLUG_ERR_INVALID;
	if (p[1] == '\0' && p != text) {
		/* "TLSv1" alone is TLS 1.0; a bare "1" is too vague. */
		*out = TLSPLUG_VERSION_TLSv1;
		return TLSPLUG_OK;
	}
	if ((p[1] != '.' && p[1] != '_') || p[2] < '0' || p[2] > '3' ||
	    p[3] != '\0')
		return TLSPLUG_ERR_INVALID;
	*out = (enum tlsplug_version)(TLSPLUG_VERSION_TLSv1 + (p[2] - '0'));
	return TLSPLUG_OK;
}
