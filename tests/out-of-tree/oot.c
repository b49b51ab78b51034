/*
 * oot.c -- a minimal backend plugin built outside the tlsplug tree, against
 * the installed headers only (tests/out-of-tree.sh).  It does no TLS: it
 * shows what a third-party plugin needs -- one header, one exported
 * descriptor, no link to libtlsplug.
 */
#include <tlsplug/backend.h>

static const struct tlsplug_core *oot_core;

static int
oot_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	(void)err;
	oot_core = core;
	return TLSPLUG_OK;
}

static const char *
oot_engine_version(void)
{
	return "oot 0.1";
}

static int
oot_ctx_init(void *priv, enum tlsplug_role role,
             const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	(void)priv;
	(void)role;
	(void)cfg;
	(void)err;
	return TLSPLUG_OK;
}

static void
oot_ctx_fini(void *priv)
{
	(void)priv;
}

static int
oot_conn_init(void *priv, void *ctx, struct tlsplug_conn *host,
              const char *server_hostname, const char *sni_name,
               struct tlsplug_error *err)
{
	(void)priv;
	(void)ctx;
	(void)host;
	(void)server_hostname;
	(void)sni_name;
	(void)err;
	return TLSPLUG_OK;
}

static void
oot_conn_fini(void *priv)
{
	(void)priv;
}

static int
oot_unsupported(struct tlsplug_error *err)
{
	return oot_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
	                           "this example backend does no TLS");
}

static int
oot_handshake(void *priv, struct tlsplug_error *err)
{
	(void)priv;
	return oot_unsupported(err);
}

static int
oot_read(void *priv, void *buf, size_t len, size_t *n,
         struct tlsplug_error *err)
{
	(void)priv;
	(void)buf;
	(void)len;
	*n = 0;
	return oot_unsupported(err);
}

static int
oot_write(void *priv, const void *buf, size_t len, size_t *n,
          struct tlsplug_error *err)
{
	(void)priv;
	(void)buf;
	(void)len;
	*n = 0;
	return oot_unsupported(err);
}

static int
oot_shutdown(void *priv, struct tlsplug_error *err)
{
	(void)priv;
	return oot_unsupported(err);
}

static uint16_t
oot_cipher(void *priv)
{
	(void)priv;
	return 0;
}

static enum tlsplug_version
oot_version(void *priv)
{
	(void)priv;
	return TLSPLUG_VERSION_NONE;
}

static const unsigned char *
oot_alpn(void *priv, size_t *len)
{
	(void)priv;
	*len = 0;
	return NULL;
}

static const struct tlsplug_context_ops oot_client = {
	.init = oot_ctx_init,
	.fini = oot_ctx_fini,
};

/* No certificates: this backend does no TLS. */
static ssize_t
oot_peer_cert(void *priv, size_t index, unsigned char *buf, size_t size)
{
	(void)priv;
	(void)index;
	(void)buf;
	(void)size;
	return 0;
}

static const struct tlsplug_conn_ops oot_conn = {
	.init = oot_conn_init,
	.fini = oot_conn_fini,
	.handshake = oot_handshake,
	.read = oot_read,
	.write = oot_write,
	.shutdown = oot_shutdown,
	.cipher = oot_cipher,
	.version = oot_version,
	.alpn = oot_alpn,
	.peer_cert = oot_peer_cert,
};

TLSPLUG_BACKEND_EXPORT const struct tlsplug_backend_descriptor
TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = TLSPLUG_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	.name = "oot",
	.description = "Out-of-tree example backend (does no TLS)",
	.priority = -100,
	.caps = TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_TLS1_2,
	.ctx_priv_size = 8,
	.conn_priv_size = 8,
	.init = oot_init,
	.engine_version = oot_engine_version,
	.client_context = &oot_client,
	.conn = &oot_conn,
};
