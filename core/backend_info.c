/*
 * backend_info.c -- what a backend record says about its plugin: name,
 * path, state and reject reason (read under the registry's lock: loading
 * is lazy), and, for a usable plugin, the descriptor's description,
 * versions, capabilities, priority, cipher suites, groups, signature
 * algorithms and system trust source;
 * tlsplug_capability_name() names one capability bit.
 */
#include "config.h"

#include "internal.h"
#include "registry.h"

/*
 * A record's fields are written when its plugin is opened, which may
 * happen on another thread at any time (loading is lazy, under the
 * registry's lock).  So its state is read under that lock; once it reads
 * OK, the descriptor is complete and stays unchanged until the registry is
 * freed.  (Reading the state without the lock was a data race with a
 * concurrent load: found by tests/check_threads under ThreadSanitizer.)
 */
static bool
usable(const struct tlsplug_backend *b)
{
	return b != NULL && tlsplug_backend_state(b) == TLSPLUG_BACKEND_OK &&
	    b->d != NULL;
}

const char *
tlsplug_backend_name(const struct tlsplug_backend *b)
{
	return b == NULL ? NULL : b->name;
}

const char *
tlsplug_backend_path(const struct tlsplug_backend *b)
{
	return b == NULL ? NULL : b->path;
}

enum tlsplug_backend_state
tlsplug_backend_state(const struct tlsplug_backend *b)
{
	enum tlsplug_backend_state s;

	if (b == NULL)
		return TLSPLUG_BACKEND_REJECTED;
	if (b->registry == NULL)
		return b->state;
	tlsplug__registry_lock(b->registry);
	s = b->state;
	tlsplug__registry_unlock(b->registry);
	return s;
}

const char *
tlsplug_backend_reject_reason(const struct tlsplug_backend *b)
{
	const char *why;

	if (b == NULL)
		return NULL;
	if (b->registry == NULL)
		return b->reject_reason;
	tlsplug__registry_lock(b->registry);
	why = b->reject_reason;
	tlsplug__registry_unlock(b->registry);
	return why;
}

const char *
tlsplug_backend_description(const struct tlsplug_backend *b)
{
	return usable(b) ? b->d->description : NULL;
}

const char *
tlsplug_backend_engine_version(const struct tlsplug_backend *b)
{
	return usable(b) ? b->d->engine_version() : NULL;
}

void
tlsplug_backend_abi_version(const struct tlsplug_backend *b, unsigned *major,
                            unsigned *minor)
{
	unsigned ma = 0, mi = 0;

	/* Set when the plugin is opened: read under the lock (see
	 * usable()). */
	if (b != NULL && b->registry != NULL)
		tlsplug__registry_lock(b->registry);
	if (b != NULL) {
		ma = b->abi_major;
		mi = b->abi_minor;
	}
	if (b != NULL && b->registry != NULL)
		tlsplug__registry_unlock(b->registry);
	if (major != NULL)
		*major = ma;
	if (minor != NULL)
		*minor = mi;
}

uint64_t
tlsplug_backend_caps(const struct tlsplug_backend *b)
{
	return usable(b) ? b->d->caps : 0;
}

int
tlsplug_backend_priority(const struct tlsplug_backend *b)
{
	return usable(b) ? b->d->priority : 0;
}

size_t
tlsplug_backend_cipher_suites(const struct tlsplug_backend *b, uint16_t *ids,
                              size_t max)
{
	if (!usable(b) || b->d->info == NULL ||
	    b->d->info->cipher_suites == NULL)
		return 0;
	if (ids == NULL)
		max = 0;
	return b->d->info->cipher_suites(ids, max);
}

size_t
tlsplug_backend_groups(const struct tlsplug_backend *b, uint16_t *ids,
                       size_t max)
{
	if (!usable(b) || !(b->d->caps & TLSPLUG_CAP_GROUPS) ||
	    !TLSPLUG_OPS_HAS(b->d, info, 1, groups))
		return 0;
	return b->d->info->groups(ids, ids == NULL ? 0 : max);
}

size_t
tlsplug_backend_sigalgs(const struct tlsplug_backend *b, uint16_t *ids,
                        size_t max)
{
	if (!usable(b) || !(b->d->caps & TLSPLUG_CAP_SIGALGS) ||
	    !TLSPLUG_OPS_HAS(b->d, info, 1, sigalgs))
		return 0;
	return b->d->info->sigalgs(ids, ids == NULL ? 0 : max);
}

const char *
tlsplug_backend_system_trust_source(const struct tlsplug_backend *b)
{
	if (!usable(b) || b->d->info == NULL ||
	    b->d->info->system_trust_source == NULL)
		return NULL;
	return b->d->info->system_trust_source();
}

const char *
tlsplug_capability_name(uint64_t cap_bit)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ TLSPLUG_CAP_CLIENT, "client" },
		{ TLSPLUG_CAP_SERVER, "server" },
		{ TLSPLUG_CAP_ALPN, "alpn" },
		{ TLSPLUG_CAP_SNI_CALLBACK, "sni_callback" },
		{ TLSPLUG_CAP_TLS1_2, "tls1_2" },
		{ TLSPLUG_CAP_TLS1_3, "tls1_3" },
		{ TLSPLUG_CAP_NO_VALIDATION, "no_validation" },
		{ TLSPLUG_CAP_SYSTEM_TRUST, "system_trust" },
		{ TLSPLUG_CAP_CIPHER_ORDER, "cipher_order" },
		{ TLSPLUG_CAP_CLIENT_CERT, "client_cert" },
		{ TLSPLUG_CAP_KEY_PASSWORD, "key_password" },
		{ TLSPLUG_CAP_MULTI_CHAIN, "multi_chain" },
		{ TLSPLUG_CAP_ED25519, "ed25519" },
		{ TLSPLUG_CAP_TLS1_0, "tls1_0" },
		{ TLSPLUG_CAP_TLS1_1, "tls1_1" },
		{ TLSPLUG_CAP_SESSIONS, "sessions" },
		{ TLSPLUG_CAP_VERIFIED_CHAIN, "verified_chain" },
		{ TLSPLUG_CAP_PINNING, "pinning" },
		{ TLSPLUG_CAP_VERIFY_CALLBACK, "verify_callback" },
		{ TLSPLUG_CAP_OPTIONAL_CLIENT_CERT, "optional_client_cert" },
		{ TLSPLUG_CAP_KEYLOG, "keylog" },
		{ TLSPLUG_CAP_EXPORTER, "exporter" },
		{ TLSPLUG_CAP_GROUPS, "groups" },
		{ TLSPLUG_CAP_SIGALGS, "sigalgs" },
		{ TLSPLUG_CAP_CRL, "crl" },
		{ TLSPLUG_CAP_OCSP_STAPLE, "ocsp_staple" },
		{ TLSPLUG_CAP_OCSP_CHECK, "ocsp_check" },
		{ TLSPLUG_CAP_DH_FLOOR, "dh_floor" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].bit == cap_bit)
			return names[i].name;
	return NULL;
}
