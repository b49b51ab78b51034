/* tlsplug-badname.so: the descriptor's name breaks the name syntax. */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	MOCK_VERSION,
	MOCK_DESCRIPTOR_BASE,
	.name = "Bad!",
	.caps = MOCK_CAPS,
	.client_context = &mock_context,
	.server_context = &mock_context,
};
