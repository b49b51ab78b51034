/* tlsplug-twin.so: well-formed, the same priority as fake (10), so the
 * built-in order must break the tie by name. */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	MOCK_VERSION,
	MOCK_DESCRIPTOR_BASE,
	.name = "twin",
	.priority = 10,
	.caps = MOCK_CAPS,
	.client_context = &mock_context,
	.server_context = &mock_context,
};
