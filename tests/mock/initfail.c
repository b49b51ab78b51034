/* tlsplug-initfail.so: init reports an error. */
#include "mock.h"

static int
initfail_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	return core->set_error(err, TLSPLUG_ERR_BACKEND, 7,
	                       "engine self-test failed");
}

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	MOCK_VERSION,
	.name = "initfail",
	.description = "test backend (does no TLS)",
	.caps = MOCK_CAPS,
	.init = initfail_init,
	.engine_version = mock_engine_version,
	.client_context = &mock_context,
	.server_context = &mock_context,
	.conn = &mock_conn,
};
