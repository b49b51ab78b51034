/*
 * openssl.c -- the OpenSSL backend: descriptor, plugin init, the transport
 * BIO over the core's ciphertext buffers, and the info entry points.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "plugin.h"

#ifndef HAVE_SECURE_GETENV
#define secure_getenv getenv
#endif

const struct tlsplug_core *osslp_core;

/* Set once by init, read-only afterwards. */
static BIO_METHOD *osslp_bio_method;
static SSL_CTX *osslp_lookup_ctx;    /* for id -> cipher lookups */
static SSL *osslp_lookup_ssl;
static char osslp_trust_source[1024];

/* ---- transport BIO ----------------------------------------------------- */

static int
osslp_bio_read(BIO *b, char *buf, int len)
{
	struct osslp_conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	n = osslp_core->pull(c->host, buf, (size_t)len);
	if (n < 0) {
		c->would_block = 1;
		BIO_set_retry_read(b);
		return -1;
	}
	if (n == 0)
		c->eof = 1;
	return (int)n;
}

static int
osslp_bio_write(BIO *b, const char *buf, int len)
{
	struct osslp_conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	n = osslp_core->push(c->host, buf, (size_t)len);
	if (n < 0) {
		c->push_failed = 1;
		return -1;
	}
	return (int)n;
}

static int
osslp_bio_puts(BIO *b, const char *s)
{
	return osslp_bio_write(b, s, (int)strlen(s));
}

static long
osslp_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct osslp_conn *c = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		/* Lets OpenSSL tell a ragged EOF from a would-block. */
		return c != NULL && c->eof;
	default:
		return 0;
	}
}

static int
osslp_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
osslp_bio_destroy(BIO *b)
{
	BIO_set_data(b, NULL);
	return 1;
}

BIO *
osslp_bio_new(struct osslp_conn *c)
{
	BIO *b = BIO_new(osslp_bio_method);

	if (b != NULL)
		BIO_set_data(b, c);
	return b;
}

static int
osslp_bio_method_new(void)
{
	BIO_METHOD *m;
	int idx = BIO_get_new_index();

	if (idx == -1)
		return -1;
	m = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK, "tlsplug transport");
	if (m == NULL)
		return -1;
	if (!BIO_meth_set_write(m, osslp_bio_write) ||
	    !BIO_meth_set_read(m, osslp_bio_read) ||
	    !BIO_meth_set_puts(m, osslp_bio_puts) ||
	    !BIO_meth_set_ctrl(m, osslp_bio_ctrl) ||
	    !BIO_meth_set_create(m, osslp_bio_create) ||
	    !BIO_meth_set_destroy(m, osslp_bio_destroy)) {
		BIO_meth_free(m);
		return -1;
	}
	osslp_bio_method = m;
	return 0;
}

/* ---- cipher lookups ---------------------------------------------------- */

const SSL_CIPHER *
osslp_cipher_find(uint16_t id)
{
	unsigned char wire[2] = { (unsigned char)(id >> 8),
	                          (unsigned char)(id & 0xff) };

	return SSL_CIPHER_find(osslp_lookup_ssl, wire);
}

size_t
osslp_default_ciphers(uint16_t *ids, size_t max)
{
	SSL_CTX *sctx;
	SSL *ssl;
	STACK_OF(SSL_CIPHER) *sk;
	size_t n = 0;
	int i;

	ERR_clear_error();
	sctx = SSL_CTX_new(TLS_method());
	if (sctx == NULL)
		return 0;
	/* The library's default floor is TLS 1.2, as tlsplug's. */
	SSL_CTX_set_min_proto_version(sctx, TLS1_2_VERSION);
	ssl = SSL_new(sctx);
	if (ssl == NULL) {
		SSL_CTX_free(sctx);
		return 0;
	}
	sk = SSL_get1_supported_ciphers(ssl);
	for (i = 0; sk != NULL && i < sk_SSL_CIPHER_num(sk); i++) {
		if (n < max)
			ids[n] = SSL_CIPHER_get_protocol_id(
				sk_SSL_CIPHER_value(sk, i));
		n++;
	}
	sk_SSL_CIPHER_free(sk);
	SSL_free(ssl);
	SSL_CTX_free(sctx);
	ERR_clear_error();
	return n;
}

/* ---- descriptor entry points ------------------------------------------- */

static const char *
osslp_system_trust_source(void)
{
	return osslp_trust_source;
}

static void
osslp_trust_source_init(void)
{
	/* OpenSSL reads these variables the same way. */
	const char *file = secure_getenv(X509_get_default_cert_file_env());
	const char *dir = secure_getenv(X509_get_default_cert_dir_env());

	if (file == NULL || *file == '\0')
		file = X509_get_default_cert_file();
	if (dir == NULL || *dir == '\0')
		dir = X509_get_default_cert_dir();
	snprintf(osslp_trust_source, sizeof osslp_trust_source,
	         "file %s, directory %s", file, dir);
}

static const char *
osslp_engine_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

static void
osslp_fini(void)
{
	SSL_free(osslp_lookup_ssl);
	SSL_CTX_free(osslp_lookup_ctx);
	BIO_meth_free(osslp_bio_method);
	osslp_lookup_ssl = NULL;
	osslp_lookup_ctx = NULL;
	osslp_bio_method = NULL;
}

static int
osslp_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	if (core->abi_major != TLSPLUG_CORE_ABI_MAJOR ||
	    !TLSPLUG_CORE_HAS(core, 1, check_peer) ||
	    !TLSPLUG_CORE_HAS(core, 1, select_server))
		return core->set_error(err, TLSPLUG_ERR_PLUGIN, 0,
			"core services ABI %u.%u is not supported (need %d.1)",
			core->abi_major, core->abi_minor,
			TLSPLUG_CORE_ABI_MAJOR);
	osslp_core = core;
	if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS |
	                      OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL))
		return core->set_error(err, TLSPLUG_ERR_BACKEND,
			(long)ERR_get_error(), "OpenSSL initialisation failed");
	if (osslp_bio_method_new() != 0)
		goto fail;
	osslp_lookup_ctx = SSL_CTX_new(TLS_method());
	if (osslp_lookup_ctx == NULL)
		goto fail;
	osslp_lookup_ssl = SSL_new(osslp_lookup_ctx);
	if (osslp_lookup_ssl == NULL)
		goto fail;
	osslp_trust_source_init();
	ERR_clear_error();
	return TLSPLUG_OK;
fail:
	osslp_fini();
	return core->set_error(err, TLSPLUG_ERR_NOMEM, (long)ERR_get_error(),
	                       "cannot set up OpenSSL objects");
}

static int
osslp_context_init(void *ctx_priv, enum tlsplug_role role,
                   const struct tlsplug_bconfig *cfg,
                   struct tlsplug_error *err)
{
	struct osslp_ctx *ctx = ctx_priv;

	return osslp_engine_init(&ctx->eng, role, cfg, err);
}

static void
osslp_context_fini(void *ctx_priv)
{
	struct osslp_ctx *ctx = ctx_priv;

	osslp_engine_fini(&ctx->eng);
}

static const struct tlsplug_context_ops osslp_context_ops = {
	.init = osslp_context_init,
	.fini = osslp_context_fini,
};

static const struct tlsplug_info_ops osslp_info_ops = {
	.cipher_suites = osslp_default_ciphers,
	.system_trust_source = osslp_system_trust_source,
};

/*
 * TLS 1.0 and 1.1 are not declared: OpenSSL 3 refuses them at security
 * level 1 and above (they need SHA-1/MD5 signatures), and lowering the level
 * would weaken everything else too.
 */
TLSPLUG_BACKEND_EXPORT
const struct tlsplug_backend_descriptor TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = TLSPLUG_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	.name = "openssl",
	.description = "OpenSSL (libssl/libcrypto)",
	.priority = 20,
	.caps = TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_SERVER | TLSPLUG_CAP_ALPN |
	        TLSPLUG_CAP_SNI_CALLBACK | TLSPLUG_CAP_TLS1_2 |
	        TLSPLUG_CAP_TLS1_3 | TLSPLUG_CAP_NO_VALIDATION |
	        TLSPLUG_CAP_SYSTEM_TRUST | TLSPLUG_CAP_CIPHER_ORDER |
	        TLSPLUG_CAP_CLIENT_CERT | TLSPLUG_CAP_KEY_PASSWORD |
	        TLSPLUG_CAP_MULTI_CHAIN | TLSPLUG_CAP_ED25519,
	.ctx_priv_size = sizeof(struct osslp_ctx),
	.conn_priv_size = sizeof(struct osslp_conn),
	.init = osslp_init,
	.fini = osslp_fini,
	.engine_version = osslp_engine_version,
	.client_context = &osslp_context_ops,
	.server_context = &osslp_context_ops,
	.conn = &osslp_conn_ops,
	.info = &osslp_info_ops,
};
