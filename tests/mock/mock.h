/*
 * mock.h -- shared parts of the test plugins in tests/mock/.
 *
 * Each tests/mock/NAME.c builds tlsplug-NAME.so: a well-formed backend
 * (fake, other, twin, future) or one broken in exactly one way, so
 * check_loader can assert the reason the host gives for rejecting it.
 * None of them does TLS: I/O entry points answer TLSPLUG_ERR_UNSUPPORTED.
 */
#ifndef TLSPLUG_TESTS_MOCK_H
#define TLSPLUG_TESTS_MOCK_H

#include <stdio.h>
#include <stdlib.h>

#include <tlsplug/backend.h>

#define MOCK_UNUSED __attribute__((unused))

static const struct tlsplug_core *mock_core;

/* Appends a line to the file TLSPLUG_MOCK_LOG names (if set), so tests
 * can count init and fini calls. */
static MOCK_UNUSED void
mock_log(const char *what)
{
	const char *path = getenv("TLSPLUG_MOCK_LOG");
	FILE *f;

	if (path == NULL || (f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "%s\n", what);
	fclose(f);
}

static MOCK_UNUSED int
mock_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	(void)err;
	mock_core = core;
	mock_log("init");
	return TLSPLUG_OK;
}

static MOCK_UNUSED void
mock_fini(void)
{
	mock_log("fini");
}

static MOCK_UNUSED const char *
mock_engine_version(void)
{
	return "mock 1.0";
}

static MOCK_UNUSED int
mock_ctx_init(void *ctx_priv, enum tlsplug_role role,
              const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	(void)ctx_priv;
	(void)role;
	(void)cfg;
	(void)err;
	return TLSPLUG_OK;
}

static MOCK_UNUSED void
mock_ctx_fini(void *ctx_priv)
{
	(void)ctx_priv;
}

static MOCK_UNUSED int
mock_conn_init(void *conn_priv, void *ctx_priv, struct tlsplug_conn *host,
               const char *server_hostname, const char *sni_name,
               struct tlsplug_error *err)
{
	(void)conn_priv;
	(void)ctx_priv;
	(void)host;
	(void)server_hostname;
	(void)sni_name;
	(void)err;
	return TLSPLUG_OK;
}

static MOCK_UNUSED void
mock_conn_fini(void *conn_priv)
{
	(void)conn_priv;
}

static MOCK_UNUSED int
mock_unsupported(struct tlsplug_error *err)
{
	return mock_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
	                            "the mock backend does not do TLS");
}

static MOCK_UNUSED int
mock_handshake(void *conn_priv, struct tlsplug_error *err)
{
	(void)conn_priv;
	return mock_unsupported(err);
}

static MOCK_UNUSED int
mock_read(void *conn_priv, void *buf, size_t len, size_t *nread,
          struct tlsplug_error *err)
{
	(void)conn_priv;
	(void)buf;
	(void)len;
	*nread = 0;
	return mock_unsupported(err);
}

static MOCK_UNUSED int
mock_write(void *conn_priv, const void *buf, size_t len, size_t *nwritten,
           struct tlsplug_error *err)
{
	(void)conn_priv;
	(void)buf;
	(void)len;
	*nwritten = 0;
	return mock_unsupported(err);
}

static MOCK_UNUSED int
mock_shutdown(void *conn_priv, struct tlsplug_error *err)
{
	(void)conn_priv;
	return mock_unsupported(err);
}

static MOCK_UNUSED uint16_t
mock_cipher(void *conn_priv)
{
	(void)conn_priv;
	return TLSPLUG_CS_NONE;
}

static MOCK_UNUSED enum tlsplug_version
mock_version(void *conn_priv)
{
	(void)conn_priv;
	return TLSPLUG_VERSION_NONE;
}

static MOCK_UNUSED const unsigned char *
mock_alpn(void *conn_priv, size_t *len)
{
	(void)conn_priv;
	*len = 0;
	return NULL;
}

static MOCK_UNUSED ssize_t
mock_peer_cert(void *conn_priv, size_t index, unsigned char *buf, size_t size)
{
	(void)conn_priv;
	(void)index;
	(void)buf;
	(void)size;
	return 0;
}

static MOCK_UNUSED const struct tlsplug_context_ops mock_context = {
	.init = mock_ctx_init,
	.fini = mock_ctx_fini,
};

/* Every member required in ABI 1.0 set; a variant copies this and clears
 * one. */
#define MOCK_CONN_OPS_1_0 \
	.init = mock_conn_init, \
	.fini = mock_conn_fini, \
	.handshake = mock_handshake, \
	.read = mock_read, \
	.write = mock_write, \
	.shutdown = mock_shutdown, \
	.cipher = mock_cipher, \
	.version = mock_version, \
	.alpn = mock_alpn

/* ... and every member required in the current minor. */
#define MOCK_CONN_OPS \
	MOCK_CONN_OPS_1_0, \
	.peer_cert = mock_peer_cert

static MOCK_UNUSED const struct tlsplug_conn_ops mock_conn = { MOCK_CONN_OPS };

/* The version header of a current descriptor. */
#define MOCK_VERSION \
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR, \
	.abi_minor = TLSPLUG_BACKEND_ABI_MINOR, \
	.struct_size = sizeof(struct tlsplug_backend_descriptor)

/* The members every variant shares; each sets the version header, name,
 * priority, caps and the context groups itself. */
#define MOCK_DESCRIPTOR_BASE \
	.description = "test backend (does no TLS)", \
	.ctx_priv_size = 16, \
	.conn_priv_size = 16, \
	.init = mock_init, \
	.fini = mock_fini, \
	.engine_version = mock_engine_version, \
	.conn = &mock_conn

#define MOCK_CAPS (TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_SERVER | \
                   TLSPLUG_CAP_ALPN | TLSPLUG_CAP_TLS1_2 | TLSPLUG_CAP_TLS1_3)

#endif /* TLSPLUG_TESTS_MOCK_H */
