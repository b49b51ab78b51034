/* cipher.c -- the IANA cipher suite table (id <-> name). */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* Table order is the order of cipher_suites.h. */
static const struct {
	uint16_t id;
	const char *name;
} suite_table[] = {
#define TLSPLUG_CIPHER_SUITE(name, id) { id, #name },
#include <tlsplug/cipher_suites.h>
#undef TLSPLUG_CIPHER_SUITE
};

#define SUITE_COUNT (sizeof(suite_table) / sizeof(suite_table[0]))

const char *
tlsplug_cipher_suite_name(uint16_t id)
{
	/* A switch lets the compiler build a jump table or binary search, and
	 * turns a duplicated id in the list into a compile error. */
	switch (id) {
#define TLSPLUG_CIPHER_SUITE(name, id) case id: return #name;
#include <tlsplug/cipher_suites.h>
#undef TLSPLUG_CIPHER_SUITE
	default:
		return NULL;
	}
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
tlsplug__parse_hex16(const char *name, uint16_t *id)
{
	/* Raw id: "0x" and 1 to 4 hex digits, any value. */
	unsigned v = 0;
	size_t n = 0;

	if (name[0] != '0' || (name[1] != 'x' && name[1] != 'X'))
		return 0;
	for (const char *p = name + 2; *p != '\0'; p++, n++) {
		int d = hex_value(*p);

		if (d < 0 || n >= 4)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	if (n == 0)
		return -1;
	*id = (uint16_t)v;
	return 1;
}

int
tlsplug_cipher_suite_from_name(const char *name, uint16_t *id)
{
	int rc;

	if (name == NULL || id == NULL)
		return TLSPLUG_ERR_NOT_FOUND;
	rc = tlsplug__parse_hex16(name, id);
	if (rc != 0)
		return rc > 0 ? TLSPLUG_OK : TLSPLUG_ERR_NOT_FOUND;
	for (size_t i = 0; i < SUITE_COUNT; i++) {
		if (strcasecmp(name, suite_table[i].name) == 0) {
			*id = suite_table[i].id;
			return TLSPLUG_OK;
		}
	}
	return TLSPLUG_ERR_NOT_FOUND;
}

size_t
tlsplug_cipher_suite_count(void)
{
	return SUITE_COUNT;
}

uint16_t
tlsplug_cipher_suite_at(size_t i)
{
	return i < SUITE_COUNT ? suite_table[i].id : TLSPLUG_CS_NONE;
}
