/* tlsplug-nopeercert.so: declares ABI minor 1 but leaves conn->peer_cert,
 * required from minor 1 on, NULL.  The host must reject it, naming the
 * member. */
#include "mock.h"

static const struct tlsplug_conn_ops nopeercert_conn = { MOCK_CONN_OPS_1_0 };

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = 1,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	.name = "nopeercert",
	.description = "test backend (does no TLS)",
	.ctx_priv_size = 16,
	.conn_priv_size = 16,
	.init = mock_init,
	.fini = mock_fini,
	.engine_version = mock_engine_version,
	.conn = &nopeercert_conn,
	.caps = MOCK_CAPS,
	.client_context = &mock_context,
	.server_context = &mock_context,
};
