/*
 * revocation.h -- CRL handles, OCSP settings and the server's OCSP staple
 * (core/revocation.c).  Core-internal.
 *
 * A config keeps its revocation settings in one struct tlsplug__revocation
 * (config.c holds it among its settings and calls the functions below to
 * copy, compare, hash and free it, and to fill the backend view).
 */
#ifndef TLSPLUG_CORE_REVOCATION_H
#define TLSPLUG_CORE_REVOCATION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"

struct tlsplug__revocation {
	struct tlsplug_crl **crls;   /* references */
	size_t ncrls;
	enum tlsplug_ocsp_mode ocsp;
	struct tlsplug_ocsp_source *staple;   /* a reference, or NULL */
	/* Configs only: the blobs the backend view points at (one per CRL
	 * handle), built by tlsplug__revocation_view(). */
	struct tlsplug_blob *blobs;
};

/* Releases everything r holds and zeroes it (NULL-safe). */
void tlsplug__revocation_free(struct tlsplug__revocation *r);
/* dst = src with new references (no view).  TLSPLUG_OK or
 * TLSPLUG_ERR_NOMEM (dst is then empty). */
int tlsplug__revocation_copy(struct tlsplug__revocation *dst,
                             const struct tlsplug__revocation *src);
/* 1 if a and b hold equal settings (CRLs by content, the staple by its
 * file name or its bytes). */
int tlsplug__revocation_equal(const struct tlsplug__revocation *a,
                              const struct tlsplug__revocation *b);
/* A hash consistent with tlsplug__revocation_equal(). */
uint64_t tlsplug__revocation_hash(const struct tlsplug__revocation *r);
/* Fills v's revocation members from r (allocating r->blobs).
 * TLSPLUG_OK or TLSPLUG_ERR_NOMEM. */
int tlsplug__revocation_view(struct tlsplug__revocation *r,
                             struct tlsplug_bconfig *v);
/* Refuses (TLSPLUG_ERR_UNSUPPORTED, naming the setting and backend) the
 * revocation settings of view v that backend b lacks for role. */
int tlsplug__revocation_check_caps(const struct tlsplug_backend *b,
                                   enum tlsplug_role role,
                                   const struct tlsplug_bconfig *v,
                                   struct tlsplug_error *e);

/* config.c: the builder's revocation settings and its error record (NULL
 * when b is NULL); the config's. */
struct tlsplug__revocation *tlsplug__builder_revocation(
	struct tlsplug_config_builder *b, struct tlsplug_error **error);
const struct tlsplug__revocation *tlsplug__config_revocation(
	const struct tlsplug_config *c);

/* core->ocsp_staple: copies the current staple of src (reloading its file
 * when it changed) into buf when it fits; returns its length, 0 when there
 * is none, -1 when src is NULL. */
ssize_t tlsplug__ocsp_source_read(const struct tlsplug_ocsp_source *src,
                                  unsigned char *buf, size_t size);

/* Checks that der is a well-formed OCSPResponse whose status is
 * successful and whose responseBytes are a BasicOCSPResponse.  Returns
 * NULL, or a static reason. */
const char *tlsplug__ocsp_response_check(const unsigned char *der,
                                         size_t len);
/* Checks that der is one well-formed CertificateList (a CRL).  Returns
 * NULL, or a static reason. */
const char *tlsplug__crl_der_check(const unsigned char *der, size_t len);

/* conn.c: the plugin's conn_ops.ocsp_status for conn (NONE when the
 * plugin has none). */
enum tlsplug_ocsp_status tlsplug__conn_ocsp_status(
	const struct tlsplug_conn *conn);

#endif /* TLSPLUG_CORE_REVOCATION_H */
