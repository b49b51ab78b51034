/* tlsplug-nullentry.so: a required entry point (conn->read) is NULL. */
#include "mock.h"

static const struct tlsplug_conn_ops nullentry_conn = {
	.init = mock_conn_init,
	.fini = mock_conn_fini,
	.handshake = mock_handshake,
	.read = NULL,
	.write = mock_write,
	.shutdown = mock_shutdown,
	.cipher = mock_cipher,
	.version = mock_version,
	.alpn = mock_alpn,
};

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	MOCK_VERSION,
	.name = "nullentry",
	.description = "test backend (does no TLS)",
	.caps = MOCK_CAPS,
	.init = mock_init,
	.engine_version = mock_engine_version,
	.client_context = &mock_context,
	.server_context = &mock_context,
	.conn = &nullentry_conn,
};
