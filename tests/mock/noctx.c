/* tlsplug-noctx.so: neither a client nor a server context group. */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	MOCK_VERSION,
	MOCK_DESCRIPTOR_BASE,
	.name = "noctx",
	.caps = 0,
};
