/*
 * identity.h -- certificate identity, owned by the core (identity.c): the
 * names of the configured certificate chains (to pick one for a client's
 * server name) and the checks on the peer's certificate (core->check_peer).
 * Core-internal.
 */
#ifndef TLSPLUG_CORE_IDENTITY_H
#define TLSPLUG_CORE_IDENTITY_H

#include <stddef.h>

#include "internal.h"

/* The DNS and IP subjectAltName entries of a chain's leaf certificate. */
struct tlsplug__leaf_names {
	unsigned char *der;           /* the leaf's DER, owned */
	struct tlsplug_san *sans;     /* point into der; owned array */
	size_t nsans;
};

/*
 * Reads the leaf certificate of a chain: the first certificate of blob
 * (PEM: its first CERTIFICATE block; DER: the whole blob) and its DNS and IP
 * subjectAltName entries, into *out (zeroed first).  Errors, recorded in e
 * with the blob's origin: TLSPLUG_ERR_BAD_CERTIFICATE (the core cannot read
 * the certificate), TLSPLUG_ERR_NOMEM.
 */
int tlsplug__leaf_names_load(const struct tlsplug_blob *blob,
                             struct tlsplug__leaf_names *out,
                             struct tlsplug_error *e);
/* Frees what out holds (NULL-safe, zeroes it). */
void tlsplug__leaf_names_free(struct tlsplug__leaf_names *names);
/* 1 when host matches the names by RFC 9525, else 0. */
int tlsplug__leaf_names_match(const struct tlsplug__leaf_names *names,
                              const char *host);

/*
 * The peer's host check on its leaf certificate der[0..len) (what
 * core->check_peer runs for a validating client): TLSPLUG_OK when host
 * matches a DNS or IP subjectAltName by RFC 9525; else recorded in err
 * (on behalf of err->owner): TLSPLUG_ERR_CERT_HOSTNAME naming the host,
 * up to eight of the names and the subject, TLSPLUG_ERR_CERT_INVALID when
 * the certificate cannot be read, TLSPLUG_ERR_NOMEM.
 */
int tlsplug__host_check_der(const unsigned char *der, size_t len,
                            const char *host, struct tlsplug_error *err);

#endif /* TLSPLUG_CORE_IDENTITY_H */
