/* tlsplug-other.so: a well-formed client-only backend, priority 5. */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	MOCK_VERSION,
	MOCK_DESCRIPTOR_BASE,
	.name = "other",
	.priority = 5,
	.caps = TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_TLS1_2,
	.client_context = &mock_context,
};
