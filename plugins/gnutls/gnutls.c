/*
 * gnutls.c -- the GnuTLS backend plugin: descriptor, plugin init and
 * fini, engine facts (version, default cipher suites, system trust store).
 *
 * The plugin links GnuTLS only and exports only tlsplug_backend_v1;
 * everything it needs from the host comes through struct tlsplug_core.
 * Files (the layout of plugins/README.md):
 *   plugin.h    declarations shared by the files below;
 *   context.c   engine contexts from a config: credentials (trust, the
 *               chains and the retrieve function presenting the chosen
 *               one), priority, ALPN list; the context entry points;
 *   priority.c  versions and cipher suites as a GnuTLS priority string,
 *               and what such a string cannot express;
 *   load.c      certificates, private keys and trust stores parsed;
 *   conn.c      the session: transport callbacks over the core's
 *               ciphertext buffers, handshake, read, write, shutdown,
 *               negotiated values, error mapping, the connection entry
 *               points;
 *   verify.c    the verify function (chain, then core->check_peer), the
 *               peer's chain as sent and as verified (walked as the
 *               verifier walks it, to the trust list's anchor), as DER;
 *   hello.c     the server's ClientHello hooks: the SNI name,
 *               core->select_server, the switch to the chosen engine; the
 *               versions the client offers (to name a version mismatch);
 *   keys.c      the key log function (to core->keylog, in place of
 *               GnuTLS's own SSLKEYLOGFILE writer) and the keying
 *               material exporter;
 *   groups.c    key-exchange groups and signature algorithms: IANA code
 *               points to GnuTLS names, what this GnuTLS has, their part
 *               of the priority string, the negotiated group.
 *   session.c   session resumption: new sessions to core->session_ready,
 *               set/resumed/get_session, the server's ticket key.
 *               of the priority string, the negotiated group;
 *   revocation.c  CRLs in the trust list, OCSP stapling (the server's
 *               status function, the client's check of the staple);
 *   policy.c    the priority's base (@SYSTEM where the system defines
 *               it, else NORMAL) and the system policy's DH floor.
 *
 * No locks, no atomics: the core serialises what it shares.  What init
 * sets is read-only until fini; an engine context (struct gtls_engine) is
 * read-only once context init has built it, and GnuTLS lets sessions on
 * several threads share credentials and a priority cache that are no
 * longer modified.  A session is used by one thread at a time.
 *
 * Capabilities left out, and why:
 *   - TLSPLUG_CAP_CIPHER_ORDER: GnuTLS orders suites by key exchange, then
 *     cipher, then MAC, so not every order (or set) can be reproduced; such
 *     requests are refused with TLSPLUG_ERR_UNSUPPORTED (see priority.c).
 * SSLv2 and SSLv3 are refused as version bounds (GnuTLS has neither).
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <tlsplug/backend.h>

#include "plugin.h"

const struct tlsplug_core *gtls_core;

static char gtls_version_text[64];

static int
gtls_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	int ret;

	if (core->abi_major != TLSPLUG_CORE_ABI_MAJOR ||
	    !TLSPLUG_CORE_HAS(core, 1, check_peer) ||
	    !TLSPLUG_CORE_HAS(core, 1, select_server))
		return core->set_error(err, TLSPLUG_ERR_PLUGIN, 0,
			"core services ABI %u.%u is not supported (need %d.1)",
			core->abi_major, core->abi_minor,
			TLSPLUG_CORE_ABI_MAJOR);
	ret = gnutls_global_init();
	if (ret < 0)
		return core->set_error(err, TLSPLUG_ERR_BACKEND, ret,
			"gnutls_global_init: %s", gnutls_strerror(ret));
	gtls_core = core;
#ifdef TLSPLUG_FUZZING
	gtls_fuzzing_init();
#endif
	gtls_policy_init();
	gtls_groups_init();
	snprintf(gtls_version_text, sizeof(gtls_version_text), "GnuTLS %s",
	         gnutls_check_version(NULL));
	return TLSPLUG_OK;
}

static void
gtls_fini(void)
{
	gnutls_global_deinit();
}

static const char *
gtls_engine_version(void)
{
	return gtls_version_text;
}

/* The suites the base priority (@SYSTEM where the system defines it, else
 * NORMAL, GnuTLS's secure default) enables, in its order. */
static size_t
gtls_cipher_suites(uint16_t *ids, size_t max)
{
	gnutls_priority_t prio;
	size_t n;

	if (gnutls_priority_init2(&prio, gtls_policy_base(), NULL, 0) < 0)
		return 0;
	n = gtls_priority_suites(prio, ids, max);
	gnutls_priority_deinit(prio);
	return n;
}

/*
 * GnuTLS has no API telling where its system trust comes from: it is fixed
 * when GnuTLS is built (--with-default-trust-store-file / -pkcs11 / -dir).
 * Debian's build (the one this plugin was written against) uses the file
 * below; name it only when it exists, else say what we cannot know.
 */
static const char *
gtls_system_trust_source(void)
{
	static const char debian[] = "/etc/ssl/certs/ca-certificates.crt";

	if (access(debian, R_OK) == 0)
		return "/etc/ssl/certs/ca-certificates.crt (GnuTLS default "
		       "trust store file)";
	return "GnuTLS built-in default (file, directory or PKCS#11 "
	       "trust module chosen when GnuTLS was built)";
}

/* info_ops.sha256, for the core's public-key pins. */
static int
gtls_sha256(const void *data, size_t len, unsigned char *out)
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out) < 0 ?
	       -1 : 0;
}

static const struct tlsplug_info_ops gtls_info_ops = {
	.cipher_suites = gtls_cipher_suites,
	.system_trust_source = gtls_system_trust_source,
	.groups = gtls_info_groups,
	.sigalgs = gtls_info_sigalgs,
	.sha256 = gtls_sha256,
};

TLSPLUG_BACKEND_EXPORT
const struct tlsplug_backend_descriptor TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = TLSPLUG_BACKEND_ABI_MINOR,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	.name = "gnutls",
	.description = "GnuTLS (GNU Transport Layer Security library)",
	.priority = 10,
	.caps = TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_SERVER | TLSPLUG_CAP_ALPN |
	        TLSPLUG_CAP_SNI_CALLBACK | TLSPLUG_CAP_TLS1_2 |
	        TLSPLUG_CAP_TLS1_3 | TLSPLUG_CAP_NO_VALIDATION |
	        TLSPLUG_CAP_SYSTEM_TRUST | TLSPLUG_CAP_CLIENT_CERT |
	        TLSPLUG_CAP_KEY_PASSWORD | TLSPLUG_CAP_MULTI_CHAIN |
	        TLSPLUG_CAP_ED25519 | TLSPLUG_CAP_TLS1_0 | TLSPLUG_CAP_TLS1_1 |
	        TLSPLUG_CAP_KEYLOG | TLSPLUG_CAP_EXPORTER | TLSPLUG_CAP_GROUPS |
	        TLSPLUG_CAP_SIGALGS |
	        TLSPLUG_CAP_VERIFIED_CHAIN | TLSPLUG_CAP_PINNING |
	        TLSPLUG_CAP_VERIFY_CALLBACK |
	        TLSPLUG_CAP_OPTIONAL_CLIENT_CERT |
	        TLSPLUG_CAP_SESSIONS |
	        TLSPLUG_CAP_CRL | TLSPLUG_CAP_OCSP_STAPLE |
	        TLSPLUG_CAP_OCSP_CHECK | TLSPLUG_CAP_DH_FLOOR,
	.ctx_priv_size = sizeof(struct gtls_ctx),
	.conn_priv_size = sizeof(struct gtls_conn),
	.init = gtls_init,
	.fini = gtls_fini,
	.engine_version = gtls_engine_version,
	.client_context = &gtls_context_ops,
	.server_context = &gtls_context_ops,
	.conn = &gtls_conn_ops,
	.info = &gtls_info_ops,
};
