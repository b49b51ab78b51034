/* tlsplug-nextmajor.so: built for a future ABI major: it exports
 * tlsplug_backend_v2, not tlsplug_backend_v1. */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
tlsplug_backend_v2 = {
	.abi_major = 2,
	.abi_minor = 0,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	MOCK_DESCRIPTOR_BASE,
	.name = "nextmajor",
	.caps = MOCK_CAPS,
	.client_context = &mock_context,
	.server_context = &mock_context,
};
