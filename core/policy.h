/*
 * policy.h -- the system policy: the [policy] section of the system config
 * file (core/policy.c).  Core-internal.
 *
 *   [policy]
 *   min_version = 1.2            lowest TLS version any config may use
 *   ciphers = TLS_AES_128_GCM_SHA256, ...   suites allowed (IANA names)
 *   groups = x25519, secp256r1   key exchange groups allowed
 *   min_rsa_bits = 2048          smallest RSA key, peer's or own
 *   min_dh_bits = 2048           smallest finite-field DH group
 *
 * conffile.c hands each line of the section to tlsplug__policy_set(); the
 * registry keeps the system file's policy; context.c applies it with
 * tlsplug__policy_apply() to every context it creates, and the allowed
 * groups with tlsplug__policy_view_groups() once the context's view has
 * its groups (the config's, else the configuration files' defaults).
 */
#ifndef TLSPLUG_CORE_POLICY_H
#define TLSPLUG_CORE_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/*
 * Sets policy key key[0..klen) to value v[0..vlen) from line `line` of
 * `file`, creating *p on first use.  Returns TLSPLUG_OK; TLSPLUG_ERR_INVALID
 * with the reason in why (an unknown key, a bad value: the caller makes it
 * a "FILE:LINE: ..." diagnostic, and the policy remembers that it is
 * broken, so contexts are refused rather than made under a policy missing
 * a line); or TLSPLUG_ERR_NOMEM.
 */
int tlsplug__policy_set(struct tlsplug_policy **p, const char *file,
                        unsigned line, const char *key, size_t klen,
                        const char *v, size_t vlen, char *why,
                        size_t whylen);
/* Marks *p (created if needed) broken at file:line with reason why: a
 * line of the section that could not be read.  Returns TLSPLUG_OK or
 * TLSPLUG_ERR_NOMEM. */
int tlsplug__policy_mark_broken(struct tlsplug_policy **p, const char *file,
                                unsigned line, const char *why);
void tlsplug__policy_free(struct tlsplug_policy *p);

/*
 * Applies policy p (NULL: none) to a context being made on backend b for
 * role from config: refuses (TLSPLUG_ERR_POLICY, naming the policy's file
 * and line) what goes below the floor, and raises in *view (the context's
 * copy of the config view) what was left at its default: the lowest
 * version, the cipher suites (the engine's default list narrowed to the
 * allowed ones, in *ciphers, which the caller frees with tlsplug__free),
 * the DH floor (on a backend without TLSPLUG_CAP_DH_FLOOR: no
 * finite-field DH suite at all, a configured one refused).  Checks the
 * RSA keys of the config's own chains.
 * Records into e; returns the status.
 */
int tlsplug__policy_apply(const struct tlsplug_policy *p,
                          const struct tlsplug_backend *b,
                          enum tlsplug_role role,
                          const struct tlsplug_config *config,
                          struct tlsplug_bconfig *view, uint16_t **ciphers,
                          struct tlsplug_error *e);

/*
 * The peer's chain against p's min_rsa_bits (from core->check_peer, after
 * the engine's verdict): TLSPLUG_OK, or TLSPLUG_ERR_POLICY recorded in err
 * naming the certificate, its key size and the policy line.
 */
int tlsplug__policy_check_peer(const struct tlsplug_policy *p,
                               struct tlsplug_conn *conn,
                               struct tlsplug_error *err);

/*
 * The groups a context uses: the configured ones when every one is allowed
 * (*out = configured, *nout = n), the policy's when none is configured (n
 * == 0), or TLSPLUG_ERR_POLICY recorded in e naming the first group that
 * is not allowed.  With no policy or no groups line, the configured list
 * as it is.  Names are compared without regard to case.
 */
int tlsplug__policy_groups(const struct tlsplug_policy *p,
                           const char *const *configured, size_t n,
                           const char *const **out, size_t *nout,
                           struct tlsplug_error *e);

/*
 * The policy's allowed groups on a context's view, once the view has its
 * groups (the config's, else the configuration files' defaults): the
 * configured ones go through tlsplug__policy_groups() (one not allowed:
 * TLSPLUG_ERR_POLICY naming it and the policy line); with none configured
 * the view gets the policy's groups that backend b has, in the policy's
 * order, in *owned (NULL when the view is left as it was; the caller
 * frees it with tlsplug__free).  A policy with groups is refused
 * (TLSPLUG_ERR_POLICY) on a backend that cannot set groups or has none of
 * them, rather than left to the engine's defaults.  Records into e.
 */
int tlsplug__policy_view_groups(const struct tlsplug_policy *p,
                                const struct tlsplug_backend *b,
                                struct tlsplug_bconfig *view,
                                uint16_t **owned, struct tlsplug_error *e);

/* RSA modulus size in bits of a DER SubjectPublicKeyInfo, 0 when it is not
 * an RSA key (or cannot be read). */
unsigned tlsplug__spki_rsa_bits(const unsigned char *spki, size_t len);

#endif /* TLSPLUG_CORE_POLICY_H */
