/*
 * verify.c -- peer certificate verification inside the handshake.
 *
 * GnuTLS checks the chain (no hostname data is passed, only the TLS
 * purpose); the hostname is then checked by the core's RFC 9525 matcher
 * over the leaf's DNS and IP subjectAltNames, never the CN, so every
 * engine accepts the same names.  A failure aborts the handshake and the
 * peer gets the fatal alert OpenSSL would send for the same reason.
 *
 * The subjectAltName entries are read straight from the leaf's DER, which
 * GnuTLS has just parsed and verified: importing it again as a
 * gnutls_x509_crt_t would cost a second full ASN.1 decode per handshake.
 * Anything the small reader below does not expect falls back to that
 * import.
 */
#include <config.h>

#include <string.h>

#include "gtls.h"

/* Longest SAN entry kept: a DNS name has at most 253 characters. */
#define SAN_MAX 256
/* SAN entries read from the DER without allocating; more: slow path. */
#define FAST_SANS_MAX 32

int
gtls_crt_sans(gnutls_x509_crt_t crt, struct tlsplug_san **sans,
              size_t *nsans, unsigned char **storage)
{
	unsigned char buf[SAN_MAX];
	size_t size, total = 0, n = 0, k, off;
	unsigned i, pass;
	int type;

	*sans = NULL;
	*nsans = 0;
	*storage = NULL;
	/* Pass 0 sizes, pass 1 fills. */
	for (pass = 0; pass < 2; pass++) {
		k = 0;
		off = 0;
		for (i = 0; i < 1024; i++) {
			size = sizeof(buf);
			type = gnutls_x509_crt_get_subject_alt_name(crt, i,
				buf, &size, NULL);
			if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
				break;
			if (type != GNUTLS_SAN_DNSNAME &&
			    type != GNUTLS_SAN_IPADDRESS)
				continue;   /* other types, or too long */
			if (pass == 0) {
				total += size;
				n++;
				continue;
			}
			memcpy(*storage + off, buf, size);
			(*sans)[k].type = type == GNUTLS_SAN_DNSNAME ?
				TLSPLUG_SAN_DNS : TLSPLUG_SAN_IP;
			(*sans)[k].data = *storage + off;
			(*sans)[k].len = size;
			off += size;
			k++;
		}
		if (pass == 0) {
			if (n == 0)
				return 0;
			*sans = gtls_core->alloc(n * sizeof(**sans));
			*storage = gtls_core->alloc(total + 1);
			if (*sans == NULL || *storage == NULL) {
				gtls_core->free(*sans);
				gtls_core->free(*storage);
				*sans = NULL;
				*storage = NULL;
				return -1;
			}
		}
	}
	*nsans = k;
	return 0;
}

/* ---- subjectAltName straight from the DER ---- */

struct der {
	const unsigned char *p;
	size_t n;
};

/* Reads the next TLV of d into *tag and *val.  0, or -1 on anything that is
 * not plain DER (multi-byte tags, indefinite or overlong lengths). */
static int
der_next(struct der *d, unsigned *tag, struct der *val)
{
	size_t len, i, nb;

	if (d->n < 2 || (d->p[0] & 0x1f) == 0x1f)
		return -1;
	*tag = d->p[0];
	len = d->p[1];
	i = 2;
	if (len & 0x80) {
		nb = len & 0x7f;
		if (nb == 0 || nb > 4 || d->n - 2 < nb)
			return -1;
		for (len = 0; nb > 0; nb--)
			len = len << 8 | d->p[i++];
	}
	if (len > d->n - i)
		return -1;
	val->p = d->p + i;
	val->n = len;
	d->p += i + len;
	d->n -= i + len;
	return 0;
}

/* Fills sans (at most max) with the DNS and IP entries of the leaf's first
 * subjectAltName extension, pointing into der.  Returns the count (0: no
 * extension), or -1 when the slow path must decide. */
static int
der_sans(const gnutls_datum_t *der, struct tlsplug_san *sans, size_t max)
{
	static const unsigned char san_oid[] = { 0x55, 0x1d, 0x11 };
	struct der d = { der->data, der->size }, cert, tbs, v, exts, ext;
	struct der oid, names, name;
	unsigned tag;
	size_t n = 0;

	/* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, ... } */
	if (der_next(&d, &tag, &cert) != 0 || tag != 0x30 ||
	    der_next(&cert, &tag, &tbs) != 0 || tag != 0x30)
		return -1;
	/* extensions [3] EXPLICIT is the only element tagged 0xa3. */
	do {
		if (tbs.n == 0)
			return 0;
		if (der_next(&tbs, &tag, &v) != 0)
			return -1;
	} while (tag != 0xa3);
	if (der_next(&v, &tag, &exts) != 0 || tag != 0x30)
		return -1;
	while (exts.n > 0) {
		/* Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE,
		 * extnValue OCTET STRING } */
		if (der_next(&exts, &tag, &ext) != 0 || tag != 0x30 ||
		    der_next(&ext, &tag, &oid) != 0 || tag != 0x06)
			return -1;
		if (oid.n != sizeof(san_oid) ||
		    memcmp(oid.p, san_oid, sizeof(san_oid)) != 0)
			continue;
		if (der_next(&ext, &tag, &v) != 0)
			return -1;
		if (tag == 0x01 && der_next(&ext, &tag, &v) != 0)
			return -1;
		if (tag != 0x04 || ext.n != 0 ||
		    der_next(&v, &tag, &names) != 0 || tag != 0x30 ||
		    v.n != 0)
			return -1;
		while (names.n > 0) {
			if (der_next(&names, &tag, &name) != 0)
				return -1;
			/* dNSName [2] IA5String, iPAddress [7] OCTET STRING,
			 * both implicit; the same length limits as
			 * gnutls_x509_crt_get_subject_alt_name with a
			 * SAN_MAX buffer (NUL included for names). */
			if (tag == 0x82 && name.n < SAN_MAX)
				sans[n].type = TLSPLUG_SAN_DNS;
			else if (tag == 0x87 && name.n <= SAN_MAX)
				sans[n].type = TLSPLUG_SAN_IP;
			else
				continue;
			if (n == max)
				return -1;
			sans[n].data = name.p;
			sans[n].len = name.n;
			n++;
		}
		return (int)n;
	}
	return 0;
}

/* Is the certificate self-issued (issuer = subject, matching key ids)? */
static int
leaf_self_signed(gnutls_session_t s)
{
	const gnutls_datum_t *peers;
	unsigned n = 0;
	gnutls_x509_crt_t crt;
	int r = 0;

	peers = gnutls_certificate_get_peers(s, &n);
	if (peers == NULL || n == 0 || gnutls_x509_crt_init(&crt) < 0)
		return 0;
	if (gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER) >= 0)
		r = gnutls_x509_crt_check_issuer(crt, crt) != 0;
	gnutls_x509_crt_deinit(crt);
	return r;
}

/* Category and alert (as OpenSSL's ssl_verify_alarm_type) for a status. */
static void
map_status(gnutls_session_t s, unsigned st, int *code, int *alert)
{
	if (st & GNUTLS_CERT_SIGNER_NOT_FOUND) {
		*code = leaf_self_signed(s) ? TLSPLUG_ERR_CERT_SELF_SIGNED :
		                              TLSPLUG_ERR_CERT_UNTRUSTED;
		*alert = GNUTLS_A_UNKNOWN_CA;
	} else if (st & GNUTLS_CERT_SIGNATURE_FAILURE) {
		*code = TLSPLUG_ERR_CERT_SIGNATURE;
		*alert = GNUTLS_A_DECRYPT_ERROR;
	} else if (st & GNUTLS_CERT_PURPOSE_MISMATCH) {
		*code = TLSPLUG_ERR_CERT_PURPOSE;
		*alert = GNUTLS_A_UNSUPPORTED_CERTIFICATE;
	} else if (st & GNUTLS_CERT_NOT_ACTIVATED) {
		*code = TLSPLUG_ERR_CERT_NOT_YET_VALID;
		*alert = GNUTLS_A_BAD_CERTIFICATE;
	} else if (st & GNUTLS_CERT_EXPIRED) {
		*code = TLSPLUG_ERR_CERT_EXPIRED;
		*alert = GNUTLS_A_CERTIFICATE_EXPIRED;
	} else if (st & GNUTLS_CERT_REVOKED) {
		*code = TLSPLUG_ERR_CERT_REVOKED;
		*alert = GNUTLS_A_CERTIFICATE_REVOKED;
	} else {
		*code = TLSPLUG_ERR_CERT_INVALID;
		*alert = GNUTLS_A_CERTIFICATE_UNKNOWN;
	}
}

/* 1 when the leaf matches the host name, 0 when not, -1 out of memory. */
static int
check_hostname(struct gtls_conn *c)
{
	const gnutls_datum_t *peers;
	unsigned n = 0;
	gnutls_x509_crt_t crt;
	struct tlsplug_san fast[FAST_SANS_MAX];
	struct tlsplug_san *sans = NULL;
	unsigned char *storage = NULL;
	size_t nsans = 0;
	int ok = -1, k;

	peers = gnutls_certificate_get_peers(c->session, &n);
	if (peers == NULL || n == 0)
		return 0;
	k = der_sans(&peers[0], fast, FAST_SANS_MAX);
	if (k >= 0)
		return k > 0 && gtls_core->match_hostname(c->hostname, fast,
		                                          (size_t)k);
	if (gnutls_x509_crt_init(&crt) < 0)
		return 0;
	if (gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER) >= 0 &&
	    gtls_crt_sans(crt, &sans, &nsans, &storage) == 0)
		ok = gtls_core->match_hostname(c->hostname, sans, nsans);
	gnutls_x509_crt_deinit(crt);
	gtls_core->free(sans);
	gtls_core->free(storage);
	return ok;
}

int
gtls_verify_cb(gnutls_session_t s)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	const struct gtls_engine *eng = c->eng;
	int client = eng->role == TLSPLUG_CLIENT;
	gnutls_typed_vdata_st purpose;
	gnutls_datum_t text;
	unsigned status = 0, n = 0;
	int ret, code, alert;

	if (!eng->validate || (!client && !eng->verify_peer))
		return 0;
	if (gnutls_certificate_get_peers(s, &n) == NULL || n == 0) {
		if (client) {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_CERT_INVALID,
				GNUTLS_A_CERTIFICATE_UNKNOWN,
				GNUTLS_E_CERTIFICATE_ERROR,
				"the server sent no certificate");
		} else {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_PEER_NO_CERT,
				gnutls_protocol_get_version(s) ==
				GNUTLS_TLS1_3 ? GNUTLS_A_CERTIFICATE_REQUIRED :
				GNUTLS_A_HANDSHAKE_FAILURE,
				GNUTLS_E_CERTIFICATE_ERROR, "a client certificate is required and none "
				"was sent");
		}
		return GNUTLS_E_CERTIFICATE_ERROR;
	}

	memset(&purpose, 0, sizeof(purpose));
	purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
	purpose.data = (unsigned char *)(client ? GNUTLS_KP_TLS_WWW_SERVER :
	                                          GNUTLS_KP_TLS_WWW_CLIENT);
	ret = gnutls_certificate_verify_peers(s, &purpose, 1, &status);
	if (ret < 0) {
		gtls_conn_cb_fail(c, TLSPLUG_ERR_CERT_INVALID,
			GNUTLS_A_CERTIFICATE_UNKNOWN, GNUTLS_E_CERTIFICATE_ERROR,
			"certificate verify failed: %s", gnutls_strerror(ret));
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	if (status != 0) {
		map_status(s, status, &code, &alert);
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &text, 0) >= 0) {
			gtls_conn_cb_fail(c, code, alert,
				GNUTLS_E_CERTIFICATE_ERROR,
				"certificate verify failed: %s", text.data);
			gnutls_free(text.data);
		} else {
			gtls_conn_cb_fail(c, code, alert,
				GNUTLS_E_CERTIFICATE_ERROR,
				"certificate verify failed (status 0x%x)",
				status);
		}
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	if (client && c->hostname != NULL) {
		ret = check_hostname(c);
		if (ret < 0) {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_NOMEM,
				GNUTLS_A_INTERNAL_ERROR, GNUTLS_E_MEMORY_ERROR,
				"out of memory");
			return GNUTLS_E_MEMORY_ERROR;
		}
		if (ret == 0) {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_CERT_HOSTNAME,
				GNUTLS_A_HANDSHAKE_FAILURE,
				GNUTLS_E_CERTIFICATE_ERROR,
				"certificate verify failed: the certificate's "
				"subjectAltName does not match \"%s\"",
				c->hostname);
			return GNUTLS_E_CERTIFICATE_ERROR;
		}
	}
	return 0;
}
