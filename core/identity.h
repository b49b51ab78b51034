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

#endif /* TLSPLUG_CORE_IDENTITY_H */
