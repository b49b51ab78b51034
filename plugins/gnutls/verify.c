/*
 * verify.c -- peer certificate verification inside the handshake.
 *
 * GnuTLS checks the chain (no hostname data is passed, only the TLS
 * purpose); the hostname is then checked by the core's RFC 9525 matcher
 * over the leaf's DNS and IP subjectAltNames, never the CN, so every
 * engine accepts the same names.  A failure aborts the handshake and the
 * peer gets the fatal alert OpenSSL would send for the same reason.
 */
#include <config.h>

#include <string.h>

#include "gtls.h"

/* Longest SAN entry kept: a DNS name has at most 253 characters. */
#define SAN_MAX 256

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

static int
check_hostname(struct gtls_conn *c)
{
	const gnutls_datum_t *peers;
	unsigned n = 0;
	gnutls_x509_crt_t crt;
	struct tlsplug_san *sans = NULL;
	unsigned char *storage = NULL;
	size_t nsans = 0;
	int ok = -1;

	peers = gnutls_certificate_get_peers(c->session, &n);
	if (peers == NULL || n == 0 || gnutls_x509_crt_init(&crt) < 0)
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
				"the server sent no certificate");
		} else {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_PEER_NO_CERT,
				gnutls_protocol_get_version(s) ==
				GNUTLS_TLS1_3 ? GNUTLS_A_CERTIFICATE_REQUIRED :
				GNUTLS_A_HANDSHAKE_FAILURE,
				"a client certificate is required and none "
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
			GNUTLS_A_CERTIFICATE_UNKNOWN,
			"certificate verify failed: %s", gnutls_strerror(ret));
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	if (status != 0) {
		map_status(s, status, &code, &alert);
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &text, 0) >= 0) {
			gtls_conn_cb_fail(c, code, alert,
				"certificate verify failed: %s", text.data);
			gnutls_free(text.data);
		} else {
			gtls_conn_cb_fail(c, code, alert,
				"certificate verify failed (status 0x%x)",
				status);
		}
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	if (client && c->hostname != NULL) {
		ret = check_hostname(c);
		if (ret < 0) {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_NOMEM,
				GNUTLS_A_INTERNAL_ERROR, "out of memory");
			return GNUTLS_E_MEMORY_ERROR;
		}
		if (ret == 0) {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_CERT_HOSTNAME,
				GNUTLS_A_HANDSHAKE_FAILURE,
				"certificate verify failed: the certificate's "
				"subjectAltName does not match \"%s\"",
				c->hostname);
			return GNUTLS_E_CERTIFICATE_ERROR;
		}
	}
	return 0;
}
