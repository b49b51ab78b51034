/* tlsplug-smallsize.so: struct_size too small for the minor it declares
 * (it stops before `conn`). */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = 0,
	.struct_size = offsetof(struct tlsplug_backend_descriptor, conn),
	MOCK_DESCRIPTOR_BASE,
	.name = "smallsize",
	.caps = MOCK_CAPS,
	.client_context = &mock_context,
	.server_context = &mock_context,
};
