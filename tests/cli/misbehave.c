/*
 * misbehave.c -- a well-formed backend descriptor whose init misbehaves,
 * for the `tlsplug list` tests: built as tlsplug-crashinit.so (init
 * crashes with SIGSEGV) and tlsplug-hanginit.so (init does not return for
 * a long time).  `tlsplug list` must report both as rejected and still list
 * the other plugins.
 *
 * MISBEHAVE_NAME and MISBEHAVE_CRASH / MISBEHAVE_HANG come from the build.
 */
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#include <tlsplug/backend.h>

static int
mb_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	(void)core;
	(void)err;
#if defined(MISBEHAVE_CRASH)
	raise(SIGSEGV);
#elif defined(MISBEHAVE_HANG)
	sleep(60);   /* bounded: the test kills the probe after a second */
#endif
	return TLSPLUG_OK;
}

static const char *
mb_engine_version(void)
{
	return "misbehave 0";
}

static int
mb_ctx_init(void *priv, enum tlsplug_role role,
            const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	(void)priv;
	(void)role;
	(void)cfg;
	(void)err;
	return TLSPLUG_ERR_UNSUPPORTED;
}

static void
mb_ctx_fini(void *priv)
{
	(void)priv;
}

static int
mb_conn_init(void *priv, void *ctx, struct tlsplug_conn *host,
             const char *name, const char *sni_name,
             struct tlsplug_error *err)
{
	(void)priv;
	(void)ctx;
	(void)host;
	(void)name;
	(void)sni_name;
	(void)err;
	return TLSPLUG_ERR_UNSUPPORTED;
}

static void
mb_conn_fini(void *priv)
{
	(void)priv;
}

static int
mb_handshake(void *priv, struct tlsplug_error *err)
{
	(void)priv;
	(void)err;
	return TLSPLUG_ERR_UNSUPPORTED;
}

static int
mb_read(void *priv, void *buf, size_t len, size_t *n,
        struct tlsplug_error *err)
{
	(void)priv;
	(void)buf;
	(void)len;
	(void)err;
	*n = 0;
	return TLSPLUG_ERR_UNSUPPORTED;
}

static int
mb_write(void *priv, const void *buf, size_t len, size_t *n,
         struct tlsplug_error *err)
{
	(void)priv;
	(void)buf;
	(void)len;
	(void)err;
	*n = 0;
	return TLSPLUG_ERR_UNSUPPORTED;
}

static uint16_t
mb_cipher(void *priv)
{
	(void)priv;
	return 0;
}

static enum tlsplug_version
mb_version(void *priv)
{
	(void)priv;
	return TLSPLUG_VERSION_NONE;
}

static const unsigned char *
mb_alpn(void *priv, size_t *len)
{
	(void)priv;
	*len = 0;
	return NULL;
}

static const struct tlsplug_context_ops mb_client = {
	.init = mb_ctx_init,
	.fini = mb_ctx_fini,
};

/* No certificates: this backend does no TLS. */
static ssize_t
mb_peer_cert(void *priv, size_t index, unsigned char *buf, size_t size)
{
	(void)priv;
	(void)index;
	(void)buf;
	(void)size;
	return 0;
}

static const struct tlsplug_conn_ops mb_conn = {
	.init = mb_conn_init,
	.fini = mb_conn_fini,
	.handshake = mb_handshake,
	.read = mb_read,
	.write = mb_write,
	.shutdown = mb_handshake,
	.cipher = mb_cipher,
	.version = mb_version,
	.alpn = mb_alpn,
	.peer_cert = mb_peer_cert,
};

TLSPLUG_BACKEND_EXPORT
const struct tlsplug_backend_descriptor TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = TLSPLUG_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	.name = MISBEHAVE_NAME,
	.description = "test plugin whose init misbehaves",
	.priority = 1000,   /* would be the default if it ever loaded */
	.caps = TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_TLS1_2,
	.init = mb_init,
	.engine_version = mb_engine_version,
	.client_context = &mb_client,
	.conn = &mb_conn,
};
