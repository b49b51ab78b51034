/*
 * identity.c -- certificate identity, written once for every engine.
 *
 * Configured chains: the names of each chain's leaf (DNS and IP
 * subjectAltName entries), so the core can pick the chain for a client's
 * server name.  The peer: core->check_peer reads the peer's leaf through the
 * plugin's conn_ops.peer_cert and checks the host name by RFC 9525
 * (hostname.c), so no plugin extracts names or matches them itself; then
 * the pins and the verify callback (peer.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "identity.h"
#include "internal.h"
#include "peer.h"
#include "policy.h"
#include "pem.h"
#include "x509.h"

/* ---- names of a configured chain's leaf ----------------------------- */

void
tlsplug__leaf_names_free(struct tlsplug__leaf_names *names)
{
	if (names == NULL)
		return;
	tlsplug__free(names->der);
	tlsplug__free(names->sans);
	memset(names, 0, sizeof(*names));
}

/* The first certificate of blob as a new DER buffer. */
static int
leaf_der(const struct tlsplug_blob *blob, unsigned char **der, size_t *len,
         struct tlsplug_error *e)
{
	const char *why = NULL;
	size_t pos = 0;
	int r;

	if (blob->format == TLSPLUG_FORMAT_DER) {
		*der = tlsplug__malloc(blob->len);
		if (*der == NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			                          "out of memory");
		memcpy(*der, blob->data, blob->len);
		*len = blob->len;
		return TLSPLUG_OK;
	}
	r = tlsplug__pem_next((const char *)blob->data, blob->len, &pos,
	                      "CERTIFICATE", der, len, &why);
	if (r == 1)
		return TLSPLUG_OK;
	if (r == -3)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	return tlsplug__error_set(e, TLSPLUG_ERR_BAD_CERTIFICATE,
	    "certificate %s: %s", blob->origin,
	    r == 0 ? "no CERTIFICATE block" : why);
}

int
tlsplug__leaf_names_load(const struct tlsplug_blob *blob,
                         struct tlsplug__leaf_names *out,
                         struct tlsplug_error *e)
{
	struct tlsplug__cert cert;
	const char *why = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = leaf_der(blob, &out->der, &len, e);
	if (rc != TLSPLUG_OK)
		return rc;
	if (tlsplug__cert_parse(out->der, len, &cert, &why) != 0) {
		tlsplug__leaf_names_free(out);
		return tlsplug__error_set(e, TLSPLUG_ERR_BAD_CERTIFICATE,
		    "certificate %s: cannot read its subjectAltName: %s",
		    blob->origin, why);
	}
	if (cert.nsans > 0) {
		out->sans = tlsplug__calloc(cert.nsans, sizeof(*out->sans));
		if (out->sans == NULL) {
			tlsplug__leaf_names_free(out);
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			                          "out of memory");
		}
		out->nsans = tlsplug__cert_sans(&cert, out->sans, cert.nsans);
	}
	return TLSPLUG_OK;
}

int
tlsplug__leaf_names_match(const struct tlsplug__leaf_names *names,
                          const char *host)
{
	return names->nsans > 0 &&
	       tlsplug__match_hostname(host, names->sans, names->nsans);
}

/* ---- the peer's identity (core->check_peer) -------------------------- */

/* Small arrays on the stack cover every certificate seen in practice; a
 * larger one goes to the heap. */
#define LEAF_STACK 4096
#define SANS_STACK 32

/* Appends n bytes of s to buf (NUL-terminated, size bytes in all), each
 * byte outside printable ASCII as '?': names come from the network. */
static void
append(char *buf, size_t size, size_t *off, const void *s, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n && *off + 1 < size; i++)
		buf[(*off)++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	buf[*off] = '\0';
}

/* "DNS:a, IP:192.0.2.1, ..." (the first `shown` of n entries), for
 * messages. */
static void
names_text(const struct tlsplug_san *sans, size_t shown, size_t n, char *buf,
           size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < shown; i++) {
		char ip[INET6_ADDRSTRLEN] = "?";

		if (i > 0)
			append(buf, size, &off, ", ", 2);
		if (sans[i].type == TLSPLUG_SAN_IP) {
			if (sans[i].len == 4 || sans[i].len == 16)
				inet_ntop(sans[i].len == 4 ? AF_INET : AF_INET6,
				          sans[i].data, ip, sizeof(ip));
			append(buf, size, &off, "IP:", 3);
			append(buf, size, &off, ip, strlen(ip));
		} else {
			append(buf, size, &off, "DNS:", 4);
			append(buf, size, &off, sans[i].data, sans[i].len);
		}
	}
	if (n > shown)
		append(buf, size, &off, ", ...", 5);
}

int
tlsplug__host_check_der(const unsigned char *der, size_t len,
                        const char *host, struct tlsplug_error *err)
{
	struct tlsplug_san few[SANS_STACK], *sans = few;
	struct tlsplug__cert cert;
	char subject[256], names[256];
	const char *why = NULL;
	size_t n = 0;
	int rc = TLSPLUG_OK;

	if (tlsplug__cert_parse(der, len, &cert, &why) != 0)
		return tlsplug__error_set_owner(err, TLSPLUG_ERR_CERT_INVALID, 0,
		    "certificate verify failed: cannot read the peer's "
		    "certificate: %s", why);
	if (cert.nsans > SANS_STACK) {
		sans = tlsplug__calloc(cert.nsans, sizeof(*sans));
		if (sans == NULL)
			return tlsplug__error_set_owner(err, TLSPLUG_ERR_NOMEM,
			    0, "out of memory reading the peer's certificate");
	}
	n = tlsplug__cert_sans(&cert, sans, cert.nsans);
	if (n > 0 && tlsplug__match_hostname(host, sans, n))
		goto out;
	if (tlsplug__name_text(cert.subject, subject, sizeof(subject)) < 0)
		snprintf(subject, sizeof(subject), "?");
	if (n == 0) {
		rc = tlsplug__error_set_owner(err, TLSPLUG_ERR_CERT_HOSTNAME,
		    0, "certificate verify failed: host name \"%s\" cannot "
		    "match: the certificate has no DNS or IP subjectAltName "
		    "(subject %s)", host, subject);
		goto out;
	}
	names_text(sans, n < 8 ? n : 8, n, names, sizeof(names));
	rc = tlsplug__error_set_owner(err, TLSPLUG_ERR_CERT_HOSTNAME, 0,
	    "certificate verify failed: host name \"%s\" matches no "
	    "subjectAltName of the certificate (%s; subject %s)", host,
	    names, subject);
out:
	if (sans != few)
		tlsplug__free(sans);
	return rc;
}

/* The client's host name against the leaf (the chain is the engine's,
 * already validated). */
static int
check_host(struct tlsplug_conn *conn, const char *host,
           struct tlsplug_error *err)
{
	unsigned char small[LEAF_STACK], *der = NULL, *heap = NULL;
	ssize_t len;
	int rc;

	len = tlsplug__conn_peer_cert(conn, 0, small, sizeof(small), &der,
	                              &heap);
	if (len < 0)
		return tlsplug__error_set_owner(err, TLSPLUG_ERR_NOMEM, 0,
		    "out of memory reading the peer's certificate");
	if (len == 0)
		return tlsplug__error_set_owner(err, TLSPLUG_ERR_CERT_INVALID,
		    0, "certificate verify failed: the peer sent no "
		    "certificate");
	rc = tlsplug__host_check_der(der, (size_t)len, host, err);
	tlsplug__free(heap);
	return rc;
}

int
tlsplug__conn_check_peer(struct tlsplug_conn *conn, int verdict,
                         struct tlsplug_error *err)
{
	struct tlsplug_context *ctx = tlsplug_conn_context(conn);
	const char *host;
	int rc = TLSPLUG_OK;

	if (ctx == NULL)
		return tlsplug__error_set_owner(err, TLSPLUG_ERR_MISUSE, 0,
		    "check_peer: missing connection");
	/* The engine's failure stands (its message is in err); the verify
	 * callback still sees it. */
	if (verdict != TLSPLUG_OK)
		return tlsplug__peer_checks(conn, verdict < 0 ? verdict :
		                            TLSPLUG_ERR_CERT_INVALID, err);
	/* Validation off: neither the system policy's floor on the chain's
	 * RSA keys nor the host name is checked (pins and the verify
	 * callback, when set, decide alone). */
	if (tlsplug__context_bconfig(ctx)->validate)
		rc = tlsplug__policy_check_peer(tlsplug__context_policy(ctx),
		                                conn, err);
	host = tlsplug__conn_hostname(conn);
	if (rc == TLSPLUG_OK && tlsplug__context_bconfig(ctx)->validate &&
	    tlsplug_context_role(ctx) == TLSPLUG_CLIENT && host != NULL)
		rc = check_host(conn, host, err);
	return tlsplug__peer_checks(conn, rc, err);
}
