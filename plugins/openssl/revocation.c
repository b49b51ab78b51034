/*
 * revocation.c -- certificate revocation: CRLs parsed into the engine and
 * checked with every chain OpenSSL verifies (X509_V_FLAG_CRL_CHECK_ALL,
 * where a certificate whose issuer has no CRL is let through, as other
 * engines do); OCSP stapling: the server's status callback staples what
 * core->ocsp_staple gives, the client's checks the stapled response.
 */
#include "config.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Seconds of clock skew allowed on a response's times (as OpenSSL's own
 * `ocsp` command's default). */
#define OSSLP_OCSP_LEEWAY 300

/* ---- CRLs --------------------------------------------------------------- */

/* Parses one CRL blob (PEM: every X509 CRL block; DER: one) onto sk. */
static int
osslp_crl_blob(const struct tlsplug_blob *b, STACK_OF(X509_CRL) *sk,
               struct tlsplug_error *err)
{
	char text[256];
	X509_CRL *crl;
	BIO *bio;
	int n = 0;

	ERR_clear_error();
	if (b->format == TLSPLUG_FORMAT_DER) {
		const unsigned char *p = b->data;

		crl = d2i_X509_CRL(NULL, &p, (long)b->len);
		if (crl == NULL || !sk_X509_CRL_push(sk, crl)) {
			unsigned long e = ERR_peek_last_error();

			X509_CRL_free(crl);
			return osslp_core->set_error(err, TLSPLUG_ERR_INVALID,
				(long)e, "CRL %s: cannot parse: %s", b->origin,
				osslp_err_text(e, text, sizeof text));
		}
		return TLSPLUG_OK;
	}
	bio = BIO_new_mem_buf(b->data, (int)b->len);
	if (bio == NULL)
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		n++;
		if (!sk_X509_CRL_push(sk, crl)) {
			X509_CRL_free(crl);
			BIO_free(bio);
			return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			                             "out of memory");
		}
	}
	BIO_free(bio);
	/* The end of the text is a "no start line" error; anything else
	 * is a CRL OpenSSL cannot read. */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE ||
	    n == 0) {
		unsigned long e = ERR_peek_last_error();

		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, (long)e,
			"CRL %s: cannot parse CRL %d: %s", b->origin, n + 1,
			osslp_err_text(e, text, sizeof text));
	}
	ERR_clear_error();
	return TLSPLUG_OK;
}

int
osslp_crls_load(struct osslp_engine *e, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	size_t i;
	int rc;

	if (cfg->ncrls == 0)
		return TLSPLUG_OK;
	e->crls = sk_X509_CRL_new_null();
	if (e->crls == NULL)
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	for (i = 0; i < cfg->ncrls; i++) {
		rc = osslp_crl_blob(&cfg->crls[i], e->crls, err);
		if (rc != TLSPLUG_OK)
			return rc;
	}
	return TLSPLUG_OK;
}

void
osslp_crls_free(struct osslp_engine *e)
{
	sk_X509_CRL_pop_free(e->crls, X509_CRL_free);
	e->crls = NULL;
}

int
osslp_crls_apply(SSL_CTX *s, const struct osslp_engine *e)
{
	X509_STORE *store = SSL_CTX_get_cert_store(s);
	int i;

	if (e->crls == NULL)
		return 0;
	for (i = 0; i < sk_X509_CRL_num(e->crls); i++)
		/* A store shared by several SSL_CTXs gets each CRL once:
		 * OpenSSL keeps no duplicates and reports success. */
		if (!X509_STORE_add_crl(store, sk_X509_CRL_value(e->crls, i)))
			return -1;
	X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(s),
	                            X509_V_FLAG_CRL_CHECK |
	                            X509_V_FLAG_CRL_CHECK_ALL);
	return 0;
}

int
osslp_crl_missing_ok(const struct osslp_conn *c, int x509_error)
{
	/* Only certificates whose issuer has a CRL here are checked. */
	return x509_error == X509_V_ERR_UNABLE_TO_GET_CRL &&
	    c->ctx != NULL && c->ctx->eng.crls != NULL;
}

/* ---- OCSP, server ------------------------------------------------------- */

static int
osslp_ocsp_server_cb(SSL *ssl, void *arg)
{
	const struct osslp_engine *e = arg;
	const struct tlsplug_ocsp_source *src = e->cfg->ocsp_staple;
	unsigned char *buf = NULL;
	ssize_t n, got;
	int tries;

	/* The file may change between asking its size and copying it:
	 * ask again with the new size, a few times at most. */
	n = osslp_core->ocsp_staple(src, NULL, 0);
	for (tries = 0; n > 0 && tries < 3; tries++) {
		buf = OPENSSL_malloc((size_t)n);
		if (buf == NULL)
			return SSL_TLSEXT_ERR_NOACK;
		got = osslp_core->ocsp_staple(src, buf, (size_t)n);
		if (got == n) {
			if (!SSL_set_tlsext_status_ocsp_resp(ssl, buf, n)) {
				OPENSSL_free(buf);
				return SSL_TLSEXT_ERR_NOACK;
			}
			return SSL_TLSEXT_ERR_OK;
		}
		OPENSSL_free(buf);
		n = got;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

/* ---- OCSP, client ------------------------------------------------------- */

/* Records why the stapled response is refused; returns 0 for the status
 * callback (the handshake fails with bad_certificate_status_response). */
static int
osslp_ocsp_fail(struct osslp_conn *c, int code, const char *fmt,
                const char *detail)
{
	c->cb_status = osslp_core->set_error(c->err, code, 0, fmt, detail);
	ERR_clear_error();
	return 0;
}

/* The issuer of the server's certificate: next in the verified chain. */
static X509 *
osslp_ocsp_issuer(SSL *ssl)
{
	STACK_OF(X509) *chain = SSL_get0_verified_chain(ssl);

	if (chain == NULL || sk_X509_num(chain) < 2)
		return NULL;
	return sk_X509_value(chain, 1);
}

/* Checks resp for the server's certificate; sets c->ocsp_status.
 * Returns 1 to go on, 0 to fail (recorded). */
static int
osslp_ocsp_check(struct osslp_conn *c, SSL *ssl, OCSP_RESPONSE *resp,
                 int require)
{
	ASN1_GENERALIZEDTIME *thisupd, *nextupd, *revtime;
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *id = NULL;
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	X509 *issuer = osslp_ocsp_issuer(ssl);
	char text[256];
	int st, status, reason, ok = 0;
	time_t now;

	st = OCSP_response_status(resp);
	if (st != OCSP_RESPONSE_STATUS_SUCCESSFUL)
		return osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"stapled OCSP response: status %s, not successful",
			OCSP_response_status_str(st));
	bs = OCSP_response_get1_basic(resp);
	if (bs == NULL)
		return osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"stapled OCSP response: %s", "no basic response");
	if (leaf == NULL || issuer == NULL) {
		osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"stapled OCSP response: %s", "the issuer of the "
			"server's certificate is not known (no verified "
			"chain)");
		goto out;
	}
	if (OCSP_basic_verify(bs, SSL_get_peer_cert_chain(ssl),
	                      SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)),
	                      0) <= 0) {
		osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"stapled OCSP response: signature or signer does "
			"not verify: %s", osslp_err_text(ERR_peek_last_error(),
			text, sizeof text));
		goto out;
	}
	id = OCSP_cert_to_id(NULL, leaf, issuer);
	if (id == NULL ||
	    !OCSP_resp_find_status(bs, id, &status, &reason, &revtime,
	                           &thisupd, &nextupd)) {
		osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"stapled OCSP response: %s", "it is for another "
			"certificate, not the server's");
		goto out;
	}
	now = time(NULL);
	if (X509_cmp_time(thisupd, &(time_t){ now + OSSLP_OCSP_LEEWAY }) > 0) {
		osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"stapled OCSP response: %s", "not yet valid "
			"(thisUpdate in the future)");
		goto out;
	}
	if (nextupd != NULL &&
	    X509_cmp_time(nextupd, &(time_t){ now - OSSLP_OCSP_LEEWAY }) < 0) {
		osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"stapled OCSP response: %s", "expired (nextUpdate "
			"has passed)");
		goto out;
	}
	switch (status) {
	case V_OCSP_CERTSTATUS_GOOD:
		c->ocsp_status = TLSPLUG_OCSP_STATUS_GOOD;
		ok = 1;
		break;
	case V_OCSP_CERTSTATUS_REVOKED:
		c->ocsp_status = TLSPLUG_OCSP_STATUS_REVOKED;
		osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_REVOKED,
			"certificate revoked: the stapled OCSP response says "
			"%s", reason >= 0 ? OCSP_crl_reason_str(reason) :
			"revoked");
		break;
	default:
		c->ocsp_status = TLSPLUG_OCSP_STATUS_UNKNOWN;
		if (require)
			osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
				"stapled OCSP response: %s", "the responder "
				"does not know the certificate (a good "
				"response is required)");
		else
			ok = 1;
		break;
	}
out:
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	ERR_clear_error();
	return ok;
}

static int
osslp_ocsp_client_cb(SSL *ssl, void *arg)
{
	const struct osslp_engine *e = arg;
	struct osslp_conn *c = SSL_get_app_data(ssl);
	int require = e->cfg->ocsp == TLSPLUG_OCSP_REQUIRE;
	const unsigned char *p = NULL;
	OCSP_RESPONSE *resp;
	long len;
	int ok;

	if (c == NULL)
		return 0;
	if (c->cb_status < 0)
		return 0;
	len = SSL_get_tlsext_status_ocsp_resp(ssl, &p);
	if (len <= 0 || p == NULL) {
		c->ocsp_status = TLSPLUG_OCSP_STATUS_NONE;
		if (!require)
			return 1;
		return osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"%s", "the server stapled no OCSP response (a good "
			"one is required)");
	}
	resp = d2i_OCSP_RESPONSE(NULL, &p, len);
	if (resp == NULL)
		return osslp_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"stapled OCSP response: %s", "cannot parse it");
	ok = osslp_ocsp_check(c, ssl, resp, require);
	OCSP_RESPONSE_free(resp);
	return ok;
}

int
osslp_ocsp_apply(SSL_CTX *s, const struct osslp_engine *e, size_t chain)
{
	const struct tlsplug_bconfig *cfg = e->cfg;

	if (e->role == TLSPLUG_CLIENT) {
		if (cfg->ocsp == TLSPLUG_OCSP_OFF || !cfg->validate)
			return 0;
		if (!SSL_CTX_set_tlsext_status_type(s,
		                                    TLSEXT_STATUSTYPE_ocsp) ||
		    !SSL_CTX_set_tlsext_status_cb(s, osslp_ocsp_client_cb) ||
		    !SSL_CTX_set_tlsext_status_arg(s, (void *)e))
			return -1;
		return 0;
	}
	/* The staple belongs to the first chain. */
	if (cfg->ocsp_staple == NULL || chain != 0)
		return 0;
	if (!SSL_CTX_set_tlsext_status_cb(s, osslp_ocsp_server_cb) ||
	    !SSL_CTX_set_tlsext_status_arg(s, (void *)e))
		return -1;
	return 0;
}

enum tlsplug_ocsp_status
osslp_conn_ocsp_status(void *conn_priv)
{
	const struct osslp_conn *c = conn_priv;

	return (enum tlsplug_ocsp_status)c->ocsp_status;
}
