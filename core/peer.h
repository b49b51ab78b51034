/*
 * peer.h -- the peer's certificates and the checks the core adds to the
 * engine's validation: public-key pins (pin.c), the application's verify
 * callback and the peer's chains as DER (peer.c), and the config settings
 * behind them with the server's client-certificate mode (config_ident.c).
 * Core-internal.
 */
#ifndef TLSPLUG_CORE_PEER_H
#define TLSPLUG_CORE_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define TLSPLUG__PIN_SIZE 32          /* SHA-256 */
/* "sha256//" and 44 base64 characters, with the NUL. */
#define TLSPLUG__PIN_TEXT_SIZE (8 + 44 + 1)

/* ---- pins (pin.c) ---------------------------------------------------- */

/*
 * Parses a pin list ("sha256//B64[,;]sha256//B64..."): *hashes gets a new
 * array (tlsplug__free) of *n 32-byte hashes.  Errors, recorded in e with
 * the item: TLSPLUG_ERR_INVALID (empty list or item, no "sha256//" prefix,
 * not base64, not 32 bytes), TLSPLUG_ERR_NOMEM.
 */
int tlsplug__pins_parse(const char *text, unsigned char (**hashes)[32],
                        size_t *n, struct tlsplug_error *e);
/* "sha256//BASE64" of a hash into out (TLSPLUG__PIN_TEXT_SIZE bytes). */
void tlsplug__pin_text(const unsigned char hash[32], char *out);

/* ---- settings (config_ident.c) -------------------------------------- */

/* The identity settings of a config or builder. */
struct tlsplug__ident {
	unsigned char (*pins)[32];
	size_t npins;
	tlsplug_verify_cb verify_cb;
	void *verify_data;
	enum tlsplug_client_cert_mode client_cert;
};

/* Deep copy; TLSPLUG_OK or TLSPLUG_ERR_NOMEM (dst then empty). */
int tlsplug__ident_copy(struct tlsplug__ident *dst,
                        const struct tlsplug__ident *src);
void tlsplug__ident_free(struct tlsplug__ident *s);
/* Folds s into the running hash h (FNV-1a, as config.c). */
uint64_t tlsplug__ident_hash(uint64_t h, const struct tlsplug__ident *s);
int tlsplug__ident_equal(const struct tlsplug__ident *a,
                         const struct tlsplug__ident *b);
/* What build() checks: a client-certificate mode that needs validation.
 * Records in e; returns the status. */
int tlsplug__ident_check(const struct tlsplug__ident *s, int validate,
                         struct tlsplug_error *e);
/* The server's mode once AUTO is resolved (validate, explicit trust). */
enum tlsplug_client_cert_mode tlsplug__ident_effective(
	const struct tlsplug__ident *s, int validate, int trust_explicit);
/* Refuses (TLSPLUG_ERR_UNSUPPORTED, naming setting and backend) what these
 * settings need and backend b lacks, for role.  Records in e. */
int tlsplug__ident_check_caps(const struct tlsplug_backend *b,
                              enum tlsplug_role role,
                              const struct tlsplug_config *config,
                              struct tlsplug_error *e);

/* For config_ident.c: the settings and error record inside a builder, and
 * the settings of a config (config.c). */
struct tlsplug__ident *tlsplug__builder_ident(
	struct tlsplug_config_builder *b);
struct tlsplug_error *tlsplug__builder_error(
	struct tlsplug_config_builder *b);
const struct tlsplug__ident *tlsplug__config_ident(
	const struct tlsplug_config *c);

/* ---- the peer (peer.c) ----------------------------------------------- */

/* A chain read from the plugin: one allocation holding the array and the
 * bytes. */
struct tlsplug__chain {
	struct tlsplug_der *certs;
	size_t n;
};

/* What a connection keeps about its peer (conn.c holds the pointer). */
struct tlsplug__peer;
void tlsplug__peer_free(struct tlsplug__peer *p);

/*
 * The checks after the engine's verdict and the host name check, for
 * core->check_peer: the pins (when the verdict so far is OK), then the
 * verify callback (sees any verdict).  verdict: the result so far (an
 * error is already recorded in err).  Returns the final result, recorded
 * in err.
 */
int tlsplug__peer_checks(struct tlsplug_conn *conn, int verdict,
                         struct tlsplug_error *err);

#endif /* TLSPLUG_CORE_PEER_H */
