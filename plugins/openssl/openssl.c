/*
 * openssl.c -- the OpenSSL backend plugin: descriptor, plugin init and
 * fini, engine facts (version, default cipher suites, system trust store).
 *
 * The plugin links OpenSSL only and exports only tlsplug_backend_v1;
 * everything it needs from the host comes through struct tlsplug_core.
 * Files (the layout of plugins/README.md):
 *   plugin.h   declarations shared by the files below;
 *   context.c  engine contexts (one SSL_CTX per certificate chain) from a
 *              config: version bounds, verification, ALPN, trust, chains;
 *              the context entry points;
 *   ciphers.c  cipher suites: IANA ids to OpenSSL's TLS 1.2 cipher string
 *              and TLS 1.3 ciphersuites, and what they leave usable;
 *   load.c     certificates, private keys and trust stores parsed;
 *   conn.c     the session: the transport BIO over the core's ciphertext
 *              buffers, handshake, read, write, shutdown, negotiated
 *              values, error mapping, the connection entry points;
 *   verify.c   the verify callback (chain, then core->check_peer), the
 *              peer's chain as sent and as verified, as DER, X509
 *              results to categories;
 *   hello.c    the server's ClientHello hook: the SNI name,
 *              core->select_server, the switch to the chosen SSL_CTX;
 *   keys.c     the key log callback (to core->keylog) and the keying
 *              material exporter;
 *   groups.c   key-exchange groups and signature algorithms: IANA code
 *              points to OpenSSL names, what this OpenSSL has, the
 *              negotiated group.
 *   session.c  session resumption: new sessions to core->session_ready,
 *              set/resumed/get_session, the server's ticket keys.
 *              negotiated group;
 *   revocation.c  CRLs in the verify store, OCSP stapling (the server's
 *              staple, the client's check of it);
 *   policy.c   the system policy's DH floor (security callback).
 * Each SSL_CTX starts from OpenSSL's own system configuration
 * (openssl.cnf's system_default: MinProtocol, CipherString, security
 * level); the plugin never sets a lower bound below its MinProtocol.
 *
 * No locks, no atomics: the core serialises what it shares.  What init
 * makes is read-only until fini; an engine context (struct osslp_engine)
 * is read-only once context init has built it, and OpenSSL lets SSL
 * objects on several threads share an SSL_CTX (it locks its own
 * internals: reference counts, the session cache).  An SSL is used by one
 * thread at a time.
 *
 * Capabilities left out, and why:
 *   - TLSPLUG_CAP_TLS1_0, TLSPLUG_CAP_TLS1_1: OpenSSL 3 refuses TLS 1.0 and
 *     1.1 at security level 1 and above (they need SHA-1/MD5 signatures),
 *     and lowering the level would weaken everything else too.
 * SSLv2 and SSLv3 are refused as version bounds (context.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#ifndef HAVE_SECURE_GETENV
#define secure_getenv getenv
#endif

const struct tlsplug_core *osslp_core;

/* Set once by init, read-only afterwards. */
static char osslp_trust_source[1024];

/* ---- engine facts ------------------------------------------------------ */

/* Cipher suites offered by default (IANA ids); returns the total. */
static size_t
osslp_cipher_suites(uint16_t *ids, size_t max)
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

/* ---- plugin init and fini, descriptor ---------------------------------- */

static void
osslp_fini(void)
{
#ifdef TLSPLUG_FUZZING
	osslp_fuzzing_fini();
#endif
	osslp_ciphers_fini();
	osslp_bio_method_free();
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
#ifdef TLSPLUG_FUZZING
	osslp_fuzzing_init();
#endif
	if (osslp_bio_method_new() != 0 || osslp_ciphers_init() != 0)
		goto fail;
	osslp_groups_init();
	osslp_trust_source_init();
	ERR_clear_error();
	return TLSPLUG_OK;
fail:
	osslp_fini();
	return core->set_error(err, TLSPLUG_ERR_NOMEM, (long)ERR_get_error(),
	                       "cannot set up OpenSSL objects");
}

/* info_ops.sha256, for the core's public-key pins. */
static int
osslp_sha256(const void *data, size_t len, unsigned char *out)
{
	unsigned int n = 0;
	int ok = EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);

	ERR_clear_error();
	return ok == 1 && n == 32 ? 0 : -1;
}

static const struct tlsplug_info_ops osslp_info_ops = {
	.cipher_suites = osslp_cipher_suites,
	.system_trust_source = osslp_system_trust_source,
	.groups = osslp_info_groups,
	.sigalgs = osslp_info_sigalgs,
	.sha256 = osslp_sha256,
};

/* TLS 1.0 and 1.1 are not declared: see the top of this file. */
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
	        TLSPLUG_CAP_MULTI_CHAIN | TLSPLUG_CAP_ED25519 |
	        TLSPLUG_CAP_KEYLOG | TLSPLUG_CAP_EXPORTER | TLSPLUG_CAP_GROUPS |
	        TLSPLUG_CAP_SIGALGS |
	        TLSPLUG_CAP_VERIFIED_CHAIN | TLSPLUG_CAP_PINNING |
	        TLSPLUG_CAP_VERIFY_CALLBACK |
	        TLSPLUG_CAP_OPTIONAL_CLIENT_CERT |
	        TLSPLUG_CAP_SESSIONS |
	        TLSPLUG_CAP_CRL | TLSPLUG_CAP_OCSP_STAPLE |
	        TLSPLUG_CAP_OCSP_CHECK | TLSPLUG_CAP_DH_FLOOR,
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
