/* tlsplug-badmajor.so: exports the v1 symbol but says ABI major 2. */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR + 1,
	.abi_minor = 0,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	MOCK_DESCRIPTOR_BASE,
	.name = "badmajor",
	.caps = MOCK_CAPS,
	.client_context = &mock_context,
	.server_context = &mock_context,
};
