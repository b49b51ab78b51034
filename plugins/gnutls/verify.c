/*
 * verify.c -- peer certificate verification inside the handshake.
 *
 * GnuTLS checks the chain (no hostname data is passed, only the TLS
 * purpose); then the core checks the peer's identity (core->check_peer:
 * the host name by RFC 9525 over the leaf's subjectAltNames, never the CN),
 * so every engine accepts the same names.  A failure aborts the handshake
 * and the peer gets the fatal alert OpenSSL would send for the same reason.
 */
#include "config.h"

#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Is the certificate self-issued (issuer = subject, matching key ids)? */
static int
gtls_leaf_self_signed(gnutls_session_t s)
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
gtls_map_status(gnutls_session_t s, unsigned st, int *code, int *alert)
{
	if (st & GNUTLS_CERT_SIGNER_NOT_FOUND) {
		*code = gtls_leaf_self_signed(s) ?
		        TLSPLUG_ERR_CERT_SELF_SIGNED :
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
				GNUTLS_E_CERTIFICATE_ERROR,
				"a client certificate is required and none "
				"was sent");
		}
		return GNUTLS_E_CERTIFICATE_ERROR;
	}

	memset(&purpose, 0, sizeof(purpose));
	purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
	purpose.data = (unsigned char *)(client ? GNUTLS_KP_TLS_WWW_SERVER :
	                                          GNUTLS_KP_TLS_WWW_CLIENT);
	ret = gtls_verify_chain(c, &purpose, &status);
	if (ret == 1)
		return GNUTLS_E_CERTIFICATE_ERROR;
	if (ret == GNUTLS_E_MEMORY_ERROR) {
		gtls_conn_cb_fail(c, TLSPLUG_ERR_NOMEM, GNUTLS_A_INTERNAL_ERROR,
			ret, "out of memory verifying the peer's certificate");
		return ret;
	}
	if (ret < 0) {
		gtls_conn_cb_fail(c, TLSPLUG_ERR_CERT_INVALID,
			GNUTLS_A_CERTIFICATE_UNKNOWN,
			GNUTLS_E_CERTIFICATE_ERROR,
			"certificate verify failed: %s", gnutls_strerror(ret));
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	if (status != 0) {
		gtls_map_status(s, status, &code, &alert);
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
	/* The chain verified: now the core's identity checks. */
	ret = gtls_core->check_peer(c->host, TLSPLUG_OK, c->err);
	if (ret == TLSPLUG_OK)
		return gtls_ocsp_check(c);
	gtls_conn_cb_status(c, ret, ret == TLSPLUG_ERR_NOMEM ?
	                    GNUTLS_A_INTERNAL_ERROR :
	                    GNUTLS_A_HANDSHAKE_FAILURE);
	return ret == TLSPLUG_ERR_NOMEM ? GNUTLS_E_MEMORY_ERROR :
	                                  GNUTLS_E_CERTIFICATE_ERROR;
}

/* The chain GnuTLS received: the one being verified inside the verify
 * function. */
ssize_t
gtls_conn_peer_cert(void *priv, size_t index, unsigned char *buf, size_t size)
{
	struct gtls_conn *c = priv;
	const gnutls_datum_t *peers;
	unsigned n = 0;

	if (c->session == NULL)
		return 0;
	peers = gnutls_certificate_get_peers(c->session, &n);
	if (peers == NULL || index >= n)
		return 0;
	if (peers[index].size <= size)
		memcpy(buf, peers[index].data, peers[index].size);
	return (ssize_t)peers[index].size;
}
