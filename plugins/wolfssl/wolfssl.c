/*
 * wolfssl.c -- the wolfSSL backend plugin: descriptor, plugin init and
 * fini, engine facts (version, default cipher suites, system trust store).
 *
 * The plugin links wolfSSL only and exports only tlsplug_backend_v1;
 * everything it needs from the host comes through struct tlsplug_core.
 * It uses wolfSSL's own API (wolfSSL_*), never its OpenSSL compatibility
 * headers, though some of the calls it makes exist only in builds with
 * OPENSSL_EXTRA (Debian's has it).
 * Files (the layout of plugins/README.md):
 *   plugin.h   declarations shared by the files below;
 *   context.c  engine contexts (one WOLFSSL_CTX per certificate chain)
 *              from a config: version bounds, verification, ALPN, trust,
 *              chains; the context entry points;
 *   ciphers.c  cipher suites: the plugin's default list, IANA ids as
 *              wolfSSL takes them, what they leave usable; version bounds
 *              on a WOLFSSL_CTX or a WOLFSSL;
 *   load.c     certificates, private keys and trust stores parsed;
 *   conn.c     the session: transport callbacks over the core's
 *              ciphertext buffers, handshake, read, write, shutdown,
 *              negotiated values, error mapping, the connection entry
 *              points;
 *   verify.c   the verify callback (chain, then core->check_peer), the
 *              peer's chain as DER, verification results to categories;
 *   hello.c    the server's ClientHello hook: the SNI name,
 *              core->select_server, the switch to the chosen WOLFSSL_CTX;
 *              the versions the client offers;
 *   groups.c   key-exchange groups and signature algorithms: IANA code
 *              points as wolfSSL takes them, the group negotiated;
 *   keys.c     the keying material exporter;
 *   session.c  session resumption: the client's sessions to and from
 *              the core, the server's ticket keys (derived from the
 *              config's master key, rotated every ticket lifetime) and
 *              session id context;
 *   revocation.c CRLs parsed and added to every WOLFSSL_CTX, and what
 *              wolfSSL's "no CRL" means for a certificate.
 *
 * No locks, no atomics: the core serialises what it shares.  What init
 * makes is read-only until fini; an engine context (struct wolfp_engine)
 * is read-only once context init has built it, and wolfSSL lets WOLFSSL
 * objects on several threads share a WOLFSSL_CTX (it locks its own
 * internals: reference counts, the session cache, the certificate
 * manager, to which wolfSSL adds the intermediates it verifies, and so
 * does revocation.c in one case).  A WOLFSSL is used by one thread at a
 * time.
 *
 * One exception, for wolfSSL's sake, not ours: built with FP_ECC (Debian's
 * is), wolfSSL keeps a cache of precomputed EC points per thread, which a
 * thread must free with wc_ecc_fp_free() before it ends, or the cache
 * leaks with it.  A thread that runs a handshake or builds a context
 * through the plugin is marked with a thread-specific key (created at
 * init, deleted at fini) whose destructor frees that cache when the
 * thread exits.  The plugin keeps nothing of its own there.
 *
 * A difference declared, not hidden (README's wolfSSL notes): a TLS 1.2
 * ticket is opened while wolfSSL parses the ClientHello, before the SNI
 * hook (hello.c) switches to the config the SNI callback picked, so a
 * TLS 1.2 ticket sealed under such a config is declined (full handshake).
 *
 * Capabilities left out, and why:
 *   - TLSPLUG_CAP_TLS1_0: Debian's wolfSSL is built without
 *     WOLFSSL_ALLOW_TLSV10 (it has no TLS 1.0 at all); a build that has
 *     it gets the bit.
 *   - TLSPLUG_CAP_KEYLOG: Debian's wolfSSL is built without
 *     HAVE_SECRET_CALLBACK, so the TLS 1.3 secrets never reach the plugin
 *     (keys.c).
 *   - TLSPLUG_CAP_OCSP_STAPLE: a wolfSSL server staples only what its
 *     own OCSP machinery fetched and accepted: the response (from its
 *     I/O callback, or the OpenSSL-style status callback) is decoded and
 *     its signature checked against the server's own certificate manager
 *     (a server without a trust store accepts none), an expired one is
 *     dropped, and the status is cached until its nextUpdate (a replaced
 *     staple file would not be seen).  There is no call that staples
 *     given bytes as they are, which is what the capability promises
 *     (whether the response fits is the client's check).  The core
 *     refuses a server config with a staple ("OCSP stapling").
 *   - TLSPLUG_CAP_OCSP_CHECK: a wolfSSL client that asks for a staple
 *     checks it itself inside the handshake (ProcessCSR) and keeps no
 *     copy a plugin can read (in TLS 1.3 the response comes inside the
 *     encrypted Certificate message, which no callback shows), and it
 *     fails every response that is neither "good" nor "revoked"
 *     (unknown, for another certificate, expired, badly signed) with one
 *     code, BAD_CERTIFICATE_STATUS_ERROR: the CHECK mode, where "unknown" lets
 *     the handshake go on, and a refusal that says which check failed
 *     cannot be honoured.  The core refuses a client config with an OCSP
 *     mode ("OCSP check").
 * SSLv2 and SSLv3 are refused as version bounds (context.c).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include <tlsplug/backend.h>

#include "plugin.h"

const struct tlsplug_core *wolfp_core;

/* Set once by init, read-only afterwards. */
static char wolfp_trust_source[256];
static char wolfp_version_text[64];

/* The directories wolfSSL_CTX_load_system_CA_certs tries on Linux, in its
 * order; it loads every file of the first one it can open. */
static const char *const wolfp_ca_dirs[] = {
	"/etc/ssl/certs",
	"/etc/pki/ca-trust/source/anchors",
	"/etc/pki/tls/certs",
};

/* ---- wolfSSL's per-thread EC cache (see the top of this file) ---------- */

static pthread_key_t wolfp_thread_key;
static int wolfp_thread_key_made;     /* set by init, cleared by fini */

static void
wolfp_thread_exit(void *unused)
{
	(void)unused;
#ifdef FP_ECC
	wc_ecc_fp_free();
#endif
}

void
wolfp_thread_mark(void)
{
	if (wolfp_thread_key_made &&
	    pthread_getspecific(wolfp_thread_key) == NULL)
		(void)pthread_setspecific(wolfp_thread_key, &wolfp_thread_key);
}

/* ---- engine facts ------------------------------------------------------ */

static const char *
wolfp_system_trust_source(void)
{
	return wolfp_trust_source;
}

static void
wolfp_trust_source_init(void)
{
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof wolfp_ca_dirs / sizeof wolfp_ca_dirs[0]; i++)
		if (stat(wolfp_ca_dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			break;
	if (i == sizeof wolfp_ca_dirs / sizeof wolfp_ca_dirs[0])
		snprintf(wolfp_trust_source, sizeof wolfp_trust_source,
		         "none found (wolfSSL looks in %s and 2 more "
		         "directories)", wolfp_ca_dirs[0]);
	else
		snprintf(wolfp_trust_source, sizeof wolfp_trust_source,
		         "directory %s (every file in it)", wolfp_ca_dirs[i]);
}

static const char *
wolfp_engine_version(void)
{
	return wolfp_version_text;
}

/* ---- plugin init and fini, descriptor ---------------------------------- */

static void
wolfp_fini(void)
{
	/* No destructor may run once the plugin can be unloaded. */
	if (wolfp_thread_key_made) {
		wolfp_thread_key_made = 0;
		(void)pthread_key_delete(wolfp_thread_key);
	}
	wolfSSL_Cleanup();
}

static int
wolfp_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	int r;

	if (core->abi_major != TLSPLUG_CORE_ABI_MAJOR ||
	    !TLSPLUG_CORE_HAS(core, 1, check_peer) ||
	    !TLSPLUG_CORE_HAS(core, 1, select_server))
		return core->set_error(err, TLSPLUG_ERR_PLUGIN, 0,
			"core services ABI %u.%u is not supported (need %d.1)",
			core->abi_major, core->abi_minor,
			TLSPLUG_CORE_ABI_MAJOR);
	wolfp_core = core;
	r = wolfSSL_Init();
	if (r != WOLFSSL_SUCCESS)
		return core->set_error(err, TLSPLUG_ERR_BACKEND, r,
		                       "wolfSSL initialisation failed");
	if (wolfp_ciphers_init() != 0) {
		wolfSSL_Cleanup();
		return core->set_error(err, TLSPLUG_ERR_BACKEND, 0,
			"wolfSSL lists no usable cipher suite");
	}
	if (pthread_key_create(&wolfp_thread_key, wolfp_thread_exit) != 0) {
		wolfSSL_Cleanup();
		return core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			"cannot create a thread-specific key");
	}
	wolfp_thread_key_made = 1;
	wolfp_groups_init();
	snprintf(wolfp_version_text, sizeof wolfp_version_text,
	         "wolfSSL %s", wolfSSL_lib_version());
	wolfp_trust_source_init();
	return TLSPLUG_OK;
}

/* info_ops.sha256, for the core's public-key pins. */
static int
wolfp_sha256(const void *data, size_t len, unsigned char *out)
{
	if (len > UINT32_MAX)
		return -1;
	return wc_Sha256Hash(data, (word32)len, out) == 0 ? 0 : -1;
}

static const struct tlsplug_info_ops wolfp_info_ops = {
	.cipher_suites = wolfp_cipher_suites,
	.system_trust_source = wolfp_system_trust_source,
	.groups = wolfp_info_groups,
	.sigalgs = wolfp_info_sigalgs,
	.sha256 = wolfp_sha256,
};

#ifdef WOLFSSL_ALLOW_TLSV10
#define WOLFP_CAP_TLS1_0 TLSPLUG_CAP_TLS1_0
#else
#define WOLFP_CAP_TLS1_0 0
#endif
#ifndef NO_OLD_TLS
#define WOLFP_CAP_TLS1_1 TLSPLUG_CAP_TLS1_1
#else
#define WOLFP_CAP_TLS1_1 0
#endif
#ifdef HAVE_ED25519
#define WOLFP_CAP_ED25519 TLSPLUG_CAP_ED25519
#else
#define WOLFP_CAP_ED25519 0
#endif

TLSPLUG_BACKEND_EXPORT
const struct tlsplug_backend_descriptor TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = TLSPLUG_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	.name = "wolfssl",
	.description = "wolfSSL (libwolfssl)",
	.priority = 5,
	.caps = TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_SERVER | TLSPLUG_CAP_ALPN |
	        TLSPLUG_CAP_SNI_CALLBACK | TLSPLUG_CAP_TLS1_2 |
	        TLSPLUG_CAP_TLS1_3 | TLSPLUG_CAP_NO_VALIDATION |
	        TLSPLUG_CAP_SYSTEM_TRUST | TLSPLUG_CAP_CIPHER_ORDER |
	        TLSPLUG_CAP_CLIENT_CERT | TLSPLUG_CAP_KEY_PASSWORD |
	        TLSPLUG_CAP_MULTI_CHAIN | WOLFP_CAP_ED25519 |
	        WOLFP_CAP_TLS1_0 | WOLFP_CAP_TLS1_1 | TLSPLUG_CAP_EXPORTER |
	        TLSPLUG_CAP_GROUPS | TLSPLUG_CAP_SIGALGS |
	        TLSPLUG_CAP_PINNING | TLSPLUG_CAP_VERIFY_CALLBACK |
	        TLSPLUG_CAP_VERIFIED_CHAIN |
	        TLSPLUG_CAP_OPTIONAL_CLIENT_CERT | TLSPLUG_CAP_SESSIONS |
	        TLSPLUG_CAP_CRL | TLSPLUG_CAP_DH_FLOOR,
	.ctx_priv_size = sizeof(struct wolfp_ctx),
	.conn_priv_size = sizeof(struct wolfp_conn),
	.init = wolfp_init,
	.fini = wolfp_fini,
	.engine_version = wolfp_engine_version,
	.client_context = &wolfp_context_ops,
	.server_context = &wolfp_context_ops,
	.conn = &wolfp_conn_ops,
	.info = &wolfp_info_ops,
};
