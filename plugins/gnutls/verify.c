/*
 * verify.c -- peer certificate verification inside the handshake.
 *
 * GnuTLS checks the chain against the trust list and its CRLs (no
 * hostname data is passed, only the TLS purpose; revocation.c); then the core checks the peer's identity (core->check_peer:
 * the host name by RFC 9525 over the leaf's subjectAltNames, never the CN),
 * so every engine accepts the same names; then the pins and the
 * application's verify callback, which also sees a failed validation);
 * then a client's check of the stapled OCSP response (revocation.c).
 * With validation off, only the core's checks run, when the config has
 * pins or a verify callback.  A failure aborts the handshake and the peer
 * gets the fatal alert OpenSSL would send for the same reason.  Also the
 * peer's chain as sent and as verified, as DER for the core.
 */
#include "config.h"

#include <stdio.h>
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

/* Records a failure of GnuTLS's chain validation (category code, the
 * alert to send, the message) and gives the core that verdict: the
 * application's verify callback sees it. */
static int
gtls_verify_failed(struct gtls_conn *c, int code, int alert, const char *fmt,
                   const char *text)
{
	gtls_conn_cb_fail(c, code, alert, GNUTLS_E_CERTIFICATE_ERROR, fmt,
	                  text);
	(void)gtls_core->check_peer(c->host, code, c->err);
	return GNUTLS_E_CERTIFICATE_ERROR;
}

/* The core's checks after a chain that verified (or, with validation off,
 * none): OK, or the failure recorded. */
static int
gtls_core_check(struct gtls_conn *c)
{
	int ret = gtls_core->check_peer(c->host, TLSPLUG_OK, c->err);

	if (ret == TLSPLUG_OK)
		return 0;
	c->verified_ok = 0;
	gtls_conn_cb_status(c, ret, ret == TLSPLUG_ERR_NOMEM ?
	                    GNUTLS_A_INTERNAL_ERROR :
	                    GNUTLS_A_HANDSHAKE_FAILURE);
	return ret == TLSPLUG_ERR_NOMEM ? GNUTLS_E_MEMORY_ERROR :
	                                  GNUTLS_E_CERTIFICATE_ERROR;
}

int
gtls_verify_cb(gnutls_session_t s)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	const struct gtls_engine *eng = c->eng;
	int client = eng->role == TLSPLUG_CLIENT;
	gnutls_typed_vdata_st purpose;
	gnutls_datum_t text;
	char num[32];
	unsigned status = 0, n = 0;
	int ret, code, alert;

	c->verified_ok = 0;
	if (!eng->validate) {
		/* No chain check; pins or a verify callback still decide. */
		if (eng->check_always &&
		    gnutls_certificate_get_peers(s, &n) != NULL && n > 0)
			return gtls_core_check(c);
		return 0;
	}
	if (!client && !eng->verify_peer)
		return 0;
	if (gnutls_certificate_get_peers(s, &n) == NULL || n == 0) {
		if (client) {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_CERT_INVALID,
				GNUTLS_A_CERTIFICATE_UNKNOWN,
				GNUTLS_E_CERTIFICATE_ERROR,
				"the server sent no certificate");
		} else if (!eng->require_cert) {
			return 0;   /* requested, not required */
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
	/* The chain against the trust list and its CRLs (revocation.c). */
	ret = gtls_verify_chain(c, &purpose, &status);
	if (ret == 1) {
		/* A CRL that failed its check: recorded; the core (and the
		 * verify callback) gets the verdict. */
		(void)gtls_core->check_peer(c->host, TLSPLUG_ERR_CERT_INVALID,
		                            c->err);
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	if (ret == GNUTLS_E_MEMORY_ERROR) {
		gtls_conn_cb_fail(c, TLSPLUG_ERR_NOMEM, GNUTLS_A_INTERNAL_ERROR,
			ret, "out of memory verifying the peer's certificate");
		return ret;
	}
	if (ret < 0)
		return gtls_verify_failed(c, TLSPLUG_ERR_CERT_INVALID,
			GNUTLS_A_CERTIFICATE_UNKNOWN,
			"certificate verify failed: %s", gnutls_strerror(ret));
	if (status != 0) {
		gtls_map_status(s, status, &code, &alert);
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &text, 0) >= 0) {
			ret = gtls_verify_failed(c, code, alert,
				"certificate verify failed: %s",
				(const char *)text.data);
			gnutls_free(text.data);
			return ret;
		}
		snprintf(num, sizeof(num), "0x%x", status);
		return gtls_verify_failed(c, code, alert,
			"certificate verify failed (status %s)", num);
	}
	/* The chain verified: now the core's identity checks. */
	c->verified_ok = 1;
	ret = gtls_core_check(c);
	if (ret != 0)
		return ret;
	/* Then the stapled OCSP response, when the client checks one. */
	ret = gtls_ocsp_check(c);
	if (ret != 0)
		c->verified_ok = 0;
	return ret;
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

/* ---- the verified chain ------------------------------------------------- */

/* Longest chain walked. */
#define GTLS_VCHAIN_MAX 16

void
gtls_vchain_free(struct gtls_conn *c)
{
	for (unsigned i = 0; i < c->nvchain; i++)
		gtls_core->free(c->vchain[i].data);
	gtls_core->free(c->vchain);
	c->vchain = NULL;
	c->nvchain = 0;
	c->vchain_done = 0;
}

/* Appends a copy of len bytes at data to c->vchain; 0, or -1. */
static int
gtls_vchain_add(struct gtls_conn *c, const unsigned char *data, size_t len)
{
	unsigned char *copy = gtls_core->alloc(len);

	if (copy == NULL)
		return -1;
	memcpy(copy, data, len);
	c->vchain[c->nvchain].data = copy;
	c->vchain[c->nvchain].size = (unsigned)len;
	c->nvchain++;
	return 0;
}

/*
 * GnuTLS does not hand out the path its verifier took, so it is walked the
 * way the verifier walks it: from the leaf, through the peer's
 * certificates, each issued by the next (gnutls_x509_crt_check_issuer),
 * until one whose issuer is in the credentials' trust list
 * (gnutls_x509_trust_list_get_issuer): that issuer, the anchor, ends the
 * chain (a trusted self-signed certificate is its own anchor).  Only after
 * GnuTLS verified the chain.  0, or -1 when out of memory.
 */
static int
gtls_vchain_build(struct gtls_conn *c)
{
	gnutls_x509_crt_t crts[GTLS_VCHAIN_MAX];
	const gnutls_datum_t *peers;
	gnutls_x509_trust_list_t tl = NULL;
	unsigned n = 0, ncrt = 0, cur = 0;
	unsigned char used[GTLS_VCHAIN_MAX] = { 0 };
	int rc = -1;

	if (!c->verified_ok || c->session == NULL)
		return 0;
	peers = gnutls_certificate_get_peers(c->session, &n);
	if (peers == NULL || n == 0)
		return 0;
	if (n > GTLS_VCHAIN_MAX - 1)
		n = GTLS_VCHAIN_MAX - 1;
	gnutls_certificate_get_trust_list(c->eng->cred, &tl);
	c->vchain = gtls_core->alloc((n + 1) * sizeof(*c->vchain));
	if (c->vchain == NULL)
		return -1;
	for (ncrt = 0; ncrt < n; ncrt++) {
		if (gnutls_x509_crt_init(&crts[ncrt]) < 0)
			goto out;
		if (gnutls_x509_crt_import(crts[ncrt], &peers[ncrt],
		                           GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crts[ncrt]);
			goto out;
		}
	}
	if (gtls_vchain_add(c, peers[0].data, peers[0].size) != 0)
		goto out;
	used[0] = 1;
	while (c->nvchain <= n) {
		gnutls_x509_crt_t issuer = NULL;
		unsigned next;

		if (tl != NULL &&
		    gnutls_x509_trust_list_get_issuer(tl, crts[cur], &issuer,
		                                      GNUTLS_TL_GET_COPY) >= 0) {
			gnutls_datum_t d = { NULL, 0 };
			int same, r;

			r = gnutls_x509_crt_export2(issuer,
			                            GNUTLS_X509_FMT_DER, &d);
			gnutls_x509_crt_deinit(issuer);
			if (r < 0)
				goto out;
			same = d.size == peers[cur].size &&
			       memcmp(d.data, peers[cur].data, d.size) == 0;
			r = same ? 0 : gtls_vchain_add(c, d.data, d.size);
			gnutls_free(d.data);
			rc = r;
			goto out;
		}
		for (next = 0; next < n; next++)
			if (!used[next] &&
			    gnutls_x509_crt_check_issuer(crts[cur],
			                                 crts[next]) != 0)
				break;
		if (next == n)
			break;    /* verified, yet no path found: stop here */
		used[next] = 1;
		cur = next;
		if (gtls_vchain_add(c, peers[cur].data, peers[cur].size) != 0)
			goto out;
	}
	rc = 0;
out:
	for (unsigned i = 0; i < ncrt; i++)
		gnutls_x509_crt_deinit(crts[i]);
	return rc;
}

ssize_t
gtls_conn_verified_cert(void *priv, size_t index, unsigned char *buf,
                        size_t size)
{
	struct gtls_conn *c = priv;

	if (!c->verified_ok)
		return 0;
	if (!c->vchain_done) {
		if (gtls_vchain_build(c) != 0) {
			gtls_vchain_free(c);
			return -1;
		}
		c->vchain_done = 1;
	}
	if (index >= c->nvchain)
		return 0;
	if (c->vchain[index].size <= size)
		memcpy(buf, c->vchain[index].data, c->vchain[index].size);
	return (ssize_t)c->vchain[index].size;
}
