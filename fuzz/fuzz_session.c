/*
 * fuzz_session.c -- libFuzzer target: the serialised session reader
 * (tlsplug_session_deserialize, core/session.c) on arbitrary bytes.
 *
 * Each input is read twice: as it is (the checksum refuses nearly every
 * mutation, which must be a clean TLSPLUG_ERR_INVALID), and with its last
 * four bytes replaced by the right CRC-32 of the rest, so the field checks
 * behind the checksum get fuzzed too.  An input that is accepted must
 * serialise back to exactly the same bytes, and its accessors must answer.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const uint8_t *data, size_t size)
{
	struct tlsplug_session *s = NULL;
	struct tlsplug_error *err = NULL;
	unsigned char *back;
	size_t len = 0;
	int rc;

	rc = tlsplug_session_deserialize(data, size, &s, &err);
	if (rc != TLSPLUG_OK) {
		/* One clean refusal, with its message. */
		if (s != NULL || (rc != TLSPLUG_ERR_INVALID &&
		                  rc != TLSPLUG_ERR_NOMEM) ||
		    err == NULL || tlsplug_error_message(err)[0] == '\0')
			abort();
		tlsplug_error_free(err);
		return;
	}
	if (s == NULL || err != NULL)
		abort();
	(void)tlsplug_session_server_name(s);
	(void)tlsplug_session_expires(s);
	if (tlsplug_session_backend(s)[0] == '\0' ||
	    tlsplug_session_version(s) > TLSPLUG_VERSION_TLSv1_3)
		abort();
	if (tlsplug_session_serialize(s, NULL, 0, &len) !=
	    TLSPLUG_ERR_INVALID || len != size)
		abort();
	back = malloc(len);
	if (back == NULL)
		abort();
	if (tlsplug_session_serialize(s, back, len, &len) != TLSPLUG_OK ||
	    memcmp(back, data, size) != 0)
		abort();
	free(back);
	tlsplug_session_unref(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	uint32_t crc;

	check(data, size);
	if (size < 5)
		return 0;
	fixed = malloc(size);
	if (fixed == NULL)
		abort();
	memcpy(fixed, data, size);
	crc = tlsplug__crc32(fixed, size - 4);
	fixed[size - 4] = (uint8_t)(crc >> 24);
	fixed[size - 3] = (uint8_t)(crc >> 16);
	fixed[size - 2] = (uint8_t)(crc >> 8);
	fixed[size - 1] = (uint8_t)crc;
	check(fixed, size);
	free(fixed);
	return 0;
}
