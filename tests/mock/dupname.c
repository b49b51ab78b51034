/* tlsplug-dupname.so: claims the name "fake", which tlsplug-fake.so
 * provides.  The host checks duplicates before the file name, so next to
 * tlsplug-fake.so the reason is the duplicate; alone, the file name. */
#include "mock.h"

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	MOCK_VERSION,
	MOCK_DESCRIPTOR_BASE,
	.name = "fake",
	.caps = MOCK_CAPS,
	.client_context = &mock_context,
	.server_context = &mock_context,
};
