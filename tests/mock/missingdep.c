/* tlsplug-missingdep.so: needs libmockdep, which is not on any library
 * search path at run time (only in the build tree), so dlopen fails. */
#include "mock.h"

int mockdep_answer(void);

static int
missingdep_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	(void)err;
	mock_core = core;
	return mockdep_answer() == 42 ? TLSPLUG_OK : TLSPLUG_ERR_BACKEND;
}

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	MOCK_VERSION,
	.name = "missingdep",
	.description = "test backend (does no TLS)",
	.caps = MOCK_CAPS,
	.init = missingdep_init,
	.engine_version = mock_engine_version,
	.client_context = &mock_context,
	.server_context = &mock_context,
	.conn = &mock_conn,
};
