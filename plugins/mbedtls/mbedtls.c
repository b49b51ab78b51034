/*
 * mbedtls.c -- the mbedTLS backend plugin: descriptor, plugin init, engine
 * facts (version, default cipher suites, system trust store).
 *
 * Built the way a plugin from outside the tlsplug tree is built: against
 * the installed <tlsplug/backend.h> only (see Makefile), linking mbedTLS
 * 2.28 and nothing else; it exports only tlsplug_backend_v1.
 * Files (the layout of plugins/README.md):
 *   plugin.h   declarations shared by the files below;
 *   context.c  engine contexts from a config: mbedtls_ssl_config with
 *              version bounds, suites, ALPN, verification mode, trust and
 *              chains; the random generator; the context entry points;
 *   load.c     certificates, private keys (encrypted ones too) and trust
 *              stores parsed;
 *   conn.c     the session: transport callbacks over the core's
 *              ciphertext buffers, handshake, read, write, shutdown,
 *              negotiated values, error mapping, the connection entry
 *              points;
 *   verify.c   the verify callback (chain flags, then core->check_peer),
 *              the peer's chain as DER, flags to categories;
 *   hello.c    the server's ClientHello, read before mbedTLS sees it: the
 *              SNI name, core->select_server, the versions and ALPN list
 *              offered, and the session set up on the chosen engine;
 *   keys.c     the export-keys callback: key log lines, the RFC 5705
 *              exporter, the resumed flag and the group negotiated;
 *   groups.c   groups (curves) and signature algorithms (hashes);
 *   session.c  client sessions serialised and back, server tickets
 *              under the core's ticket key.
 *
 * No locks, no atomics: the core serialises what it shares.  What init
 * sets is read-only until the process ends; an engine (struct mbtp_engine)
 * is read-only once context init has built it, and mbedTLS lets sessions
 * on several threads share an mbedtls_ssl_config with its certificates and
 * keys (the ticket callbacks only read their engine).  Random numbers
 * come from getrandom(2), which needs no state.  A session is used by one
 * thread at a time.  The one piece of per-thread state is keys.c's
 * mbtp_running, the connection inside mbedtls_ssl_handshake on this
 * thread, for the export-keys callback (which gets only its
 * configuration).
 *
 * Capabilities left out, and why:
 *   - TLSPLUG_CAP_TLS1_3: mbedTLS 2.28 has no TLS 1.3 (its experimental
 *     prototype is not built, and not complete).  The core refuses
 *     TLS 1.3-only version bounds naming them; a client offers TLS 1.2 at
 *     most, and a server answers a TLS 1.3-only ClientHello with
 *     protocol_version (hello.c).
 *   - TLSPLUG_CAP_ED25519: mbedTLS 2.28 has no EdDSA; such a key or
 *     certificate is refused with TLSPLUG_ERR_UNSUPPORTED naming its file.
 *   - TLSPLUG_CAP_OCSP_CHECK, TLSPLUG_CAP_OCSP_STAPLE: mbedTLS 2.28 has
 *     no API to ask for, read or send a stapled OCSP response (the core
 *     refuses those settings naming them; context.c guards too).
 * SSLv2 and SSLv3 are refused as version bounds (mbedTLS 2.28 has
 * neither).
 */
#include <stdio.h>

#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

#include <tlsplug/backend.h>

#include "plugin.h"

const struct tlsplug_core *mbtp_core;

/* Set once by init, read-only afterwards. */
static char mbtp_version_text[64];
static char mbtp_trust_text[300];

static int
mbtp_init(const struct tlsplug_core *core, struct tlsplug_error *err)
{
	char v[32];

	if (core->abi_major != TLSPLUG_CORE_ABI_MAJOR ||
	    !TLSPLUG_CORE_HAS(core, 1, check_peer) ||
	    !TLSPLUG_CORE_HAS(core, 1, select_server))
		return core->set_error(err, TLSPLUG_ERR_PLUGIN, 0,
			"core services ABI %u.%u is not supported (need %d.1)",
			core->abi_major, core->abi_minor,
			TLSPLUG_CORE_ABI_MAJOR);
	if (mbedtls_version_get_number() < 0x021C0000)
		return core->set_error(err, TLSPLUG_ERR_PLUGIN, 0,
			"mbedTLS 0x%08x is too old (need 2.28)",
			mbedtls_version_get_number());
	mbtp_core = core;
	mbedtls_version_get_string(v);
	snprintf(mbtp_version_text, sizeof(mbtp_version_text), "mbed TLS %s",
	         v);
	if (mbtp_system_bundle() == NULL)
		snprintf(mbtp_trust_text, sizeof(mbtp_trust_text), "none found "
		         "(no system CA bundle at the usual places)");
	else
		snprintf(mbtp_trust_text, sizeof(mbtp_trust_text),
		         "%s (system CA bundle file)", mbtp_system_bundle());
	return TLSPLUG_OK;
}

static const char *
mbtp_engine_version(void)
{
	return mbtp_version_text;
}

/* mbedTLS's default list, in its preference order: suite ids are IANA
 * ids. */
static size_t
mbtp_cipher_suites(uint16_t *ids, size_t max)
{
	const int *list = mbedtls_ssl_list_ciphersuites();
	size_t n = 0;

	for (; *list != 0; list++) {
		if (n < max)
			ids[n] = (uint16_t)*list;
		n++;
	}
	return n;
}

static const char *
mbtp_system_trust_source(void)
{
	return mbtp_trust_text;
}

/* info_ops.sha256 (for the core's SPKI pins). */
static int
mbtp_sha256(const void *data, size_t len, unsigned char *out)
{
	return mbedtls_sha256_ret(data, len, out, 0) == 0 ? 0 : -1;
}

static const struct tlsplug_info_ops mbtp_info_ops = {
	.cipher_suites = mbtp_cipher_suites,
	.system_trust_source = mbtp_system_trust_source,
	.sha256 = mbtp_sha256,
	.groups = mbtp_groups,
	.sigalgs = mbtp_sigalgs,
};

TLSPLUG_BACKEND_EXPORT
const struct tlsplug_backend_descriptor TLSPLUG_BACKEND_DESCRIPTOR = {
	.abi_major = TLSPLUG_BACKEND_ABI_MAJOR,
	.abi_minor = 1,
	.struct_size = sizeof(struct tlsplug_backend_descriptor),
	.name = "mbedtls",
	.description = "Mbed TLS 2.28 (TLS 1.2)",
	.priority = 5,
	.caps = TLSPLUG_CAP_CLIENT | TLSPLUG_CAP_SERVER | TLSPLUG_CAP_ALPN |
	        TLSPLUG_CAP_SNI_CALLBACK | TLSPLUG_CAP_TLS1_2 |
	        TLSPLUG_CAP_NO_VALIDATION | TLSPLUG_CAP_SYSTEM_TRUST |
	        TLSPLUG_CAP_CIPHER_ORDER | TLSPLUG_CAP_CLIENT_CERT |
	        TLSPLUG_CAP_KEY_PASSWORD | TLSPLUG_CAP_MULTI_CHAIN |
	        TLSPLUG_CAP_TLS1_0 | TLSPLUG_CAP_TLS1_1 |
	        TLSPLUG_CAP_SESSIONS | TLSPLUG_CAP_VERIFIED_CHAIN |
	        TLSPLUG_CAP_PINNING | TLSPLUG_CAP_VERIFY_CALLBACK |
	        TLSPLUG_CAP_OPTIONAL_CLIENT_CERT | TLSPLUG_CAP_KEYLOG |
	        TLSPLUG_CAP_EXPORTER | TLSPLUG_CAP_GROUPS |
	        TLSPLUG_CAP_SIGALGS | TLSPLUG_CAP_CRL,
	.ctx_priv_size = sizeof(struct mbtp_ctx),
	.conn_priv_size = sizeof(struct mbtp_conn),
	.init = mbtp_init,
	.engine_version = mbtp_engine_version,
	.client_context = &mbtp_context_ops,
	.server_context = &mbtp_context_ops,
	.conn = &mbtp_conn_ops,
	.info = &mbtp_info_ops,
};
