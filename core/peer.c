/*
 * peer.c -- the peer's certificates, and the checks the core adds after
 * the engine's validation and the host name check, the same on every
 * engine: the SPKI pins, then the application's verify callback.
 *
 * The chains come from the plugin one DER certificate at a time
 * (conn_ops.peer_cert, conn_ops.verified_cert); each is read once, into one
 * allocation that the connection keeps, and handed out as an array of
 * struct tlsplug_der.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "peer.h"
#include "x509.h"

/* Longest chain read (RFC 8446 allows more, no real chain is). */
#define CHAIN_MAX 64
/* Largest certificate accepted from a plugin. */
#define CERT_MAX (1024 * 1024)

struct tlsplug__peer {
	struct tlsplug__chain chain[2];   /* [0] as sent, [1] verified */
	bool read[2];
	/* Inside core->check_peer: the chains may be read before the
	 * handshake is done. */
	bool in_check;
};

void
tlsplug__peer_free(struct tlsplug__peer *p)
{
	if (p == NULL)
		return;
	tlsplug__free(p->chain[0].certs);
	tlsplug__free(p->chain[1].certs);
	tlsplug__free(p);
}

static struct tlsplug__peer *
peer_state(struct tlsplug_conn *conn)
{
	struct tlsplug__peer **slot = tlsplug__conn_peer_slot(conn);

	if (*slot == NULL)
		*slot = tlsplug__calloc(1, sizeof(**slot));
	return *slot;
}

/* Reads one chain from the plugin into out (one allocation: the array,
 * then the bytes).  Returns TLSPLUG_OK, TLSPLUG_ERR_UNSUPPORTED (no entry
 * point), TLSPLUG_ERR_CERT_INVALID (too long a chain or certificate),
 * TLSPLUG_ERR_NOMEM (also when the plugin cannot say). */
static int
chain_read(struct tlsplug_conn *conn, int verified, struct tlsplug__chain *out)
{
	size_t lens[CHAIN_MAX], count = 0, total = 0;
	unsigned char *bytes;
	struct tlsplug_der *certs;

	out->certs = NULL;
	out->n = 0;
	for (;;) {
		ssize_t n = tlsplug__conn_cert_raw(conn, verified, count, NULL,
		                                   0);

		if (n == -2)
			return TLSPLUG_ERR_UNSUPPORTED;
		if (n < 0)
			return TLSPLUG_ERR_NOMEM;
		if (n == 0)
			break;
		if (count == CHAIN_MAX || n > CERT_MAX)
			return TLSPLUG_ERR_CERT_INVALID;
		lens[count++] = (size_t)n;
		total += (size_t)n;
	}
	if (count == 0)
		return TLSPLUG_OK;
	certs = tlsplug__malloc(count * sizeof(*certs) + total);
	if (certs == NULL)
		return TLSPLUG_ERR_NOMEM;
	bytes = (unsigned char *)(certs + count);
	for (size_t i = 0; i < count; i++) {
		if (tlsplug__conn_cert_raw(conn, verified, i, bytes, lens[i]) !=
		    (ssize_t)lens[i]) {
			/* The plugin changed its mind: nothing to trust. */
			tlsplug__free(certs);
			return TLSPLUG_ERR_NOMEM;
		}
		certs[i].data = bytes;
		certs[i].len = lens[i];
		bytes += lens[i];
	}
	out->certs = certs;
	out->n = count;
	return TLSPLUG_OK;
}

static int
chain_get(struct tlsplug_conn *conn, int verified,
          const struct tlsplug_der **certs, size_t *n)
{
	struct tlsplug__peer *p;
	int rc;

	if (certs != NULL)
		*certs = NULL;
	if (n != NULL)
		*n = 0;
	if (conn == NULL || certs == NULL || n == NULL)
		return TLSPLUG_ERR_MISUSE;
	p = peer_state(conn);
	if (p == NULL)
		return TLSPLUG_ERR_NOMEM;
	if (!tlsplug__conn_handshake_done(conn) && !p->in_check)
		return TLSPLUG_ERR_MISUSE;
	if (!p->read[verified]) {
		rc = chain_read(conn, verified, &p->chain[verified]);
		if (rc != TLSPLUG_OK)
			return rc;
		p->read[verified] = true;
	}
	*certs = p->chain[verified].certs;
	*n = p->chain[verified].n;
	return TLSPLUG_OK;
}

int
tlsplug_conn_peer_chain(struct tlsplug_conn *conn,
                        const struct tlsplug_der **certs, size_t *n)
{
	return chain_get(conn, 0, certs, n);
}

int
tlsplug_conn_verified_chain(struct tlsplug_conn *conn,
                            const struct tlsplug_der **certs, size_t *n)
{
	return chain_get(conn, 1, certs, n);
}

/* ---- pins ------------------------------------------------------------ */

/* The leaf's SPKI hash, by the backend's SHA-256. */
static int
leaf_spki_hash(struct tlsplug_conn *conn, const struct tlsplug__chain *ch,
               unsigned char hash[32], struct tlsplug_error *err)
{
	const struct tlsplug_backend_descriptor *d =
	    tlsplug_context_backend(tlsplug_conn_context(conn))->d;
	struct tlsplug__cert cert;
	const char *why = NULL;

	if (ch->n == 0)
		return tlsplug__error_set_owner(err, TLSPLUG_ERR_CERT_PIN, 0,
		    "public key pins are set but the peer sent no "
		    "certificate");
	if (tlsplug__cert_parse(ch->certs[0].data, ch->certs[0].len, &cert,
	                        &why) != 0)
		return tlsplug__error_set_owner(err, TLSPLUG_ERR_CERT_INVALID,
		    0, "certificate verify failed: cannot read the peer's "
		    "certificate: %s", why);
	if (!TLSPLUG_OPS_HAS(d, info, 1, sha256) ||
	    d->info->sha256(cert.spki.p, cert.spki.len, hash) != 0)
		return tlsplug__error_set_owner(err, TLSPLUG_ERR_BACKEND, 0,
		    "cannot hash the peer's public key (SHA-256)");
	return TLSPLUG_OK;
}

static int
check_pins(struct tlsplug_conn *conn, const struct tlsplug__ident *s,
           struct tlsplug_error *err)
{
	const struct tlsplug_der *certs;
	struct tlsplug__chain ch;
	unsigned char hash[32];
	char actual[TLSPLUG__PIN_TEXT_SIZE], list[240];
	size_t off = 0, shown = s->npins < 3 ? s->npins : 3;
	int rc;

	rc = chain_get(conn, 0, &certs, &ch.n);
	if (rc != TLSPLUG_OK)
		return tlsplug__error_set_owner(err, rc, 0, "%s reading the "
		    "peer's certificate for its pins",
		    rc == TLSPLUG_ERR_NOMEM ? "out of memory" :
		    tlsplug_strerror(rc));
	ch.certs = (struct tlsplug_der *)certs;
	rc = leaf_spki_hash(conn, &ch, hash, err);
	if (rc != TLSPLUG_OK)
		return rc;
	for (size_t i = 0; i < s->npins; i++)
		if (memcmp(s->pins[i], hash, sizeof(hash)) == 0)
			return TLSPLUG_OK;
	tlsplug__pin_text(hash, actual);
	list[0] = '\0';
	for (size_t i = 0; i < shown; i++) {
		char one[TLSPLUG__PIN_TEXT_SIZE];
		int w;

		tlsplug__pin_text(s->pins[i], one);
		w = snprintf(list + off, sizeof(list) - off, "%s%s",
		             i > 0 ? ", " : "", one);
		if (w < 0 || (size_t)w >= sizeof(list) - off)
			break;
		off += (size_t)w;
	}
	return tlsplug__error_set_owner(err, TLSPLUG_ERR_CERT_PIN, 0,
	    "public key pin mismatch: the peer's key is %s, which matches "
	    "no pin (%s%s)", actual, list, s->npins > shown ? ", ..." : "");
}

/* ---- the verify callback ----------------------------------------------- */

/* A category the callback may return, else CERT_INVALID. */
static int
callback_category(int r)
{
	if (r >= 0 || strcmp(tlsplug_status_name(r), "UNKNOWN") == 0)
		return TLSPLUG_ERR_CERT_INVALID;
	return r;
}

static int
run_callback(struct tlsplug_conn *conn, const struct tlsplug__ident *s,
             int verdict, struct tlsplug_error *err)
{
	struct tlsplug__peer *p = peer_state(conn);
	const struct tlsplug_der *certs;
	size_t n = 0;
	int r, rc;

	if (p == NULL)
		return verdict != TLSPLUG_OK ? verdict :
		    tlsplug__error_set_owner(err, TLSPLUG_ERR_NOMEM, 0,
		    "out of memory before the verify callback");
	p->in_check = true;
	rc = chain_get(conn, 0, &certs, &n);
	if (rc != TLSPLUG_OK || n == 0) {
		p->in_check = false;
		if (verdict != TLSPLUG_OK || n == 0)
			return verdict;
		return tlsplug__error_set_owner(err, rc, 0, "%s reading the "
		    "peer's chain for the verify callback",
		    rc == TLSPLUG_ERR_NOMEM ? "out of memory" :
		    tlsplug_strerror(rc));
	}
	r = s->verify_cb(conn, certs, n, verdict, s->verify_data);
	p->in_check = false;
	/* A failure stands, whatever the callback says. */
	if (verdict != TLSPLUG_OK || r == TLSPLUG_OK)
		return verdict;
	rc = callback_category(r);
	return tlsplug__error_set_owner(err, rc, 0, "certificate rejected by "
	    "the verify callback (%s)", tlsplug_status_name(rc));
}

int
tlsplug__peer_checks(struct tlsplug_conn *conn, int verdict,
                     struct tlsplug_error *err)
{
	/* A server's SNI callback may have chosen another config: its pins
	 * and callback apply, as its client-certificate mode does. */
	const struct tlsplug__ident *s =
	    tlsplug__config_ident(tlsplug__conn_config(conn));
	struct tlsplug__peer *p;
	int rc = verdict;

	if (rc == TLSPLUG_OK && s->npins > 0) {
		p = peer_state(conn);
		if (p == NULL)
			return tlsplug__error_set_owner(err, TLSPLUG_ERR_NOMEM,
			    0, "out of memory checking the pins");
		p->in_check = true;
		rc = check_pins(conn, s, err);
		p->in_check = false;
	}
	if (s->verify_cb != NULL)
		rc = run_callback(conn, s, rc, err);
	return rc;
}
