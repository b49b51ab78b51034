/* tlsplug-fake.so: a well-formed backend for listing and selection tests. */
#include "mock.h"

static size_t
fake_cipher_suites(uint16_t *ids, size_t max)
{
	static const uint16_t suites[] = {
		TLSPLUG_CS_TLS_AES_256_GCM_SHA384,
		TLSPLUG_CS_TLS_AES_128_GCM_SHA256,
	};
	size_t n = sizeof(suites) / sizeof(suites[0]);

	for (size_t i = 0; i < n && i < max; i++)
		ids[i] = suites[i];
	return n;
}

static const char *
fake_trust_source(void)
{
	return "file /etc/fake/ca.pem";
}

static const char *
fake_engine_version(void)
{
	return "Fake 1.2.3";
}

static const struct tlsplug_info_ops fake_info = {
	.cipher_suites = fake_cipher_suites,
	.system_trust_source = fake_trust_source,
};

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = TLSPLUG_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	.name = "fake",
	.description = "Fake backend for tests",
	.priority = 10,
	.caps = MOCK_CAPS,
	.ctx_priv_size = 16,
	.conn_priv_size = 16,
	.init = mock_init,
	.fini = mock_fini,
	.engine_version = fake_engine_version,
	.client_context = &mock_context,
	.server_context = &mock_context,
	.conn = &mock_conn,
	.info = &fake_info,
};
