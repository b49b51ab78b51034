/*
 * revocation.c -- certificate revocation: CRLs added to the credentials'
 * trust list (GnuTLS then checks every certificate of a verified chain
 * against the CRLs of its issuer); OCSP stapling: the server's status
 * function staples what core->ocsp_staple gives, the client checks the
 * stapled response itself, with the same rules and messages as the other
 * engines (GnuTLS's own check inside gnutls_certificate_verify_peers only
 * sets status bits, and does so whatever the client asked for: the chain
 * is verified here without it).
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include <gnutls/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Seconds of clock skew allowed on a response's times. */
#define GTLS_OCSP_LEEWAY 300
/* The alert OpenSSL sends for a refused staple (RFC 6066), which
 * GnuTLS's enum does not name. */
#define GTLS_A_BAD_CERTIFICATE_STATUS_RESPONSE 113

/* ---- CRLs --------------------------------------------------------------- */

/* Keeps the CRLs of blob d too, for gtls_crls_stale. */
static int
gtls_crls_keep(struct gtls_engine *eng, const gnutls_datum_t *d,
               gnutls_x509_crt_fmt_t fmt)
{
	gnutls_x509_crl_t *list = NULL, *all;
	unsigned int n = 0, i;
	int ret;

	ret = gnutls_x509_crl_list_import2(&list, &n, d, fmt, 0);
	if (ret < 0)
		return ret;
	all = gtls_core->realloc(eng->crls, (eng->ncrls + n) * sizeof(*all));
	if (all == NULL) {
		for (i = 0; i < n; i++)
			gnutls_x509_crl_deinit(list[i]);
		gnutls_free(list);
		return GNUTLS_E_MEMORY_ERROR;
	}
	for (i = 0; i < n; i++)
		all[eng->ncrls + i] = list[i];
	gnutls_free(list);
	eng->crls = all;
	eng->ncrls += n;
	return 0;
}

void
gtls_crls_free(struct gtls_engine *eng)
{
	unsigned int i;

	for (i = 0; i < eng->ncrls; i++)
		gnutls_x509_crl_deinit(eng->crls[i]);
	gtls_core->free(eng->crls);
	eng->crls = NULL;
	eng->ncrls = 0;
}

/* 1 when a CRL of crt's issuer is past its nextUpdate. */
static int
gtls_crls_stale(const struct gtls_engine *eng, gnutls_x509_crt_t crt,
                time_t now)
{
	gnutls_datum_t dn, cdn;
	unsigned int i;
	int stale = 0;

	if (eng->ncrls == 0 || gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) < 0)
		return 0;
	for (i = 0; i < eng->ncrls && !stale; i++) {
		time_t next = gnutls_x509_crl_get_next_update(eng->crls[i]);

		if (next == (time_t)-1 || next >= now ||
		    gnutls_x509_crl_get_raw_issuer_dn(eng->crls[i], &cdn) < 0)
			continue;
		stale = cdn.size == dn.size &&
		        memcmp(cdn.data, dn.data, dn.size) == 0;
		gnutls_free(cdn.data);
	}
	gnutls_free(dn.data);
	return stale;
}

/* The issuer of crt: the next certificate the peer sent when it issued
 * crt, else one from the trust list (not to be freed). */
static gnutls_x509_crt_t
gtls_chain_issuer(const struct gtls_engine *eng, gnutls_x509_crt_t *list,
                  unsigned n, unsigned i)
{
	gnutls_x509_crt_t issuer = NULL;

	if (i + 1 < n && gnutls_x509_crt_check_issuer(list[i], list[i + 1]))
		return list[i + 1];
	if (gnutls_certificate_get_issuer(eng->cred, list[i], &issuer, 0) < 0)
		return NULL;
	return issuer;
}

/* 1 when a CRL of crt's issuer does not verify with that issuer's key
 * (GnuTLS takes CRLs as they come; OpenSSL checks their signature and
 * fails the chain: so do we). */
static int
gtls_crls_badsig(const struct gtls_engine *eng, gnutls_x509_crt_t crt,
                 gnutls_x509_crt_t issuer)
{
	gnutls_datum_t dn, cdn;
	unsigned int i, verify;
	int bad = 0;

	if (eng->ncrls == 0 || issuer == NULL ||
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) < 0)
		return 0;
	for (i = 0; i < eng->ncrls && !bad; i++) {
		if (gnutls_x509_crl_get_raw_issuer_dn(eng->crls[i], &cdn) < 0)
			continue;
		if (cdn.size == dn.size && memcmp(cdn.data, dn.data,
		                                  dn.size) == 0) {
			verify = 0;
			bad = gnutls_x509_crl_verify(eng->crls[i], &issuer, 1,
			                             0, &verify) < 0 ||
			      verify != 0;
		}
		gnutls_free(cdn.data);
	}
	gnutls_free(dn.data);
	return bad;
}

int
gtls_crls_load(struct gtls_engine *eng, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = eng->cfg;
	size_t i;
	int ret;

	for (i = 0; i < cfg->ncrls; i++) {
		const struct tlsplug_blob *b = &cfg->crls[i];
		gnutls_datum_t d = { (unsigned char *)b->data,
		                     (unsigned)b->len };

		ret = gnutls_certificate_set_x509_crl_mem(eng->cred, &d,
			b->format == TLSPLUG_FORMAT_DER ? GNUTLS_X509_FMT_DER :
			GNUTLS_X509_FMT_PEM);
		if (ret == GNUTLS_E_MEMORY_ERROR)
			return gtls_core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
			                            "out of memory");
		if (ret < 0)
			return gtls_core->set_error(err, TLSPLUG_ERR_INVALID,
				ret, "CRL %s: cannot parse: %s", b->origin,
				gnutls_strerror(ret));
		if (ret == 0)
			return gtls_core->set_error(err, TLSPLUG_ERR_INVALID,
				0, "CRL %s: no CRL found", b->origin);
		ret = gtls_crls_keep(eng, &d, b->format == TLSPLUG_FORMAT_DER ?
		                     GNUTLS_X509_FMT_DER : GNUTLS_X509_FMT_PEM);
		if (ret < 0)
			return gtls_core->set_error(err, ret ==
				GNUTLS_E_MEMORY_ERROR ? TLSPLUG_ERR_NOMEM :
				TLSPLUG_ERR_INVALID, ret, "CRL %s: %s",
				b->origin, gnutls_strerror(ret));
	}
	return TLSPLUG_OK;
}

/* ---- OCSP, server ------------------------------------------------------- */

static int
gtls_ocsp_server_func(gnutls_session_t s, void *ptr, gnutls_datum_t *resp)
{
	const struct gtls_engine *eng = ptr;
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	const struct tlsplug_ocsp_source *src;
	ssize_t n, got;
	int tries;

	/* An SNI callback's config brings its own staple. */
	if (c != NULL && c->eng != NULL)
		eng = c->eng;
	src = eng->cfg->ocsp_staple;
	/* The staple belongs to the first chain. */
	if (src == NULL || (c != NULL && c->chain != 0))
		return GNUTLS_E_NO_CERTIFICATE_STATUS;
	n = gtls_core->ocsp_staple(src, NULL, 0);
	for (tries = 0; n > 0 && tries < 3; tries++) {
		resp->data = gnutls_malloc((size_t)n);
		if (resp->data == NULL)
			return GNUTLS_E_MEMORY_ERROR;
		got = gtls_core->ocsp_staple(src, resp->data, (size_t)n);
		if (got == n) {
			resp->size = (unsigned)n;
			return 0;
		}
		gnutls_free(resp->data);
		resp->data = NULL;
		n = got;
	}
	return GNUTLS_E_NO_CERTIFICATE_STATUS;
}

void
gtls_ocsp_server_apply(struct gtls_engine *eng)
{
	if (eng->role == TLSPLUG_SERVER && eng->cfg->ocsp_staple != NULL)
		gnutls_certificate_set_ocsp_status_request_function(eng->cred,
			gtls_ocsp_server_func, eng);
}

/* ---- OCSP, client ------------------------------------------------------- */

/* Records why the staple is refused (the first failure of the handshake
 * wins); returns the GnuTLS code for the verify function. */
static int
gtls_ocsp_fail(struct gtls_conn *c, int code, const char *what)
{
	gtls_conn_cb_fail(c, code, code == TLSPLUG_ERR_CERT_REVOKED ?
	                  GNUTLS_A_CERTIFICATE_REVOKED :
	                  GTLS_A_BAD_CERTIFICATE_STATUS_RESPONSE,
	                  GNUTLS_E_CERTIFICATE_ERROR, "%s%s",
	                  code == TLSPLUG_ERR_CERT_REVOKED ? "" :
	                  "stapled OCSP response: ", what);
	return GNUTLS_E_CERTIFICATE_ERROR;
}

/* The issuer of leaf: the next certificate the server sent when it
 * issued leaf, else one from the trust store.  *owned is set when the
 * caller must free it. */
static gnutls_x509_crt_t
gtls_ocsp_issuer(struct gtls_conn *c, gnutls_x509_crt_t leaf, int *owned)
{
	const gnutls_datum_t *peers;
	gnutls_x509_crt_t issuer = NULL;
	unsigned n = 0;

	*owned = 0;
	peers = gnutls_certificate_get_peers(c->session, &n);
	if (peers != NULL && n > 1 && gnutls_x509_crt_init(&issuer) >= 0) {
		if (gnutls_x509_crt_import(issuer, &peers[1],
		                           GNUTLS_X509_FMT_DER) >= 0 &&
		    gnutls_x509_crt_check_issuer(leaf, issuer)) {
			*owned = 1;
			return issuer;
		}
		gnutls_x509_crt_deinit(issuer);
		issuer = NULL;
	}
	if (gnutls_certificate_get_issuer(c->eng->cred, leaf, &issuer, 0) < 0)
		return NULL;
	return issuer;
}

/* Checks an imported response for leaf; sets c->ocsp_status. */
static int
gtls_ocsp_check_resp(struct gtls_conn *c, gnutls_ocsp_resp_t resp,
                     gnutls_x509_crt_t leaf, int require)
{
	gnutls_x509_crt_t issuer;
	unsigned verify = 0, status = 0;
	time_t this_update, next_update, rev_time, now;
	unsigned reason;
	int owned, ret;

	if (gnutls_ocsp_resp_get_status(resp) != GNUTLS_OCSP_RESP_SUCCESSFUL)
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
		                      "status is not successful");
	issuer = gtls_ocsp_issuer(c, leaf, &owned);
	if (issuer == NULL)
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"the issuer of the server's certificate is not known");
	ret = gnutls_ocsp_resp_verify_direct(resp, issuer, &verify, 0);
	if (owned)
		gnutls_x509_crt_deinit(issuer);
	if (ret < 0 || verify != 0)
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"signature or signer does not verify");
	if (gnutls_ocsp_resp_check_crt(resp, 0, leaf) < 0)
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"it is for another certificate, not the server's");
	ret = gnutls_ocsp_resp_get_single(resp, 0, NULL, NULL, NULL, NULL,
	                                  &status, &this_update, &next_update,
	                                  &rev_time, &reason);
	if (ret < 0)
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
		                      "cannot read its single response");
	now = time(NULL);
	if (this_update > now + GTLS_OCSP_LEEWAY)
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"not yet valid (thisUpdate in the future)");
	if (next_update != (time_t)-1 &&
	    next_update < now - GTLS_OCSP_LEEWAY)
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"expired (nextUpdate has passed)");
	switch (status) {
	case GNUTLS_OCSP_CERT_GOOD:
		c->ocsp_status = TLSPLUG_OCSP_STATUS_GOOD;
		return 0;
	case GNUTLS_OCSP_CERT_REVOKED:
		c->ocsp_status = TLSPLUG_OCSP_STATUS_REVOKED;
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_REVOKED,
			"certificate revoked: the stapled OCSP response says "
			"revoked");
	default:
		c->ocsp_status = TLSPLUG_OCSP_STATUS_UNKNOWN;
		if (!require)
			return 0;
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"the responder does not know the certificate (a good "
			"response is required)");
	}
}

int
gtls_ocsp_check(struct gtls_conn *c)
{
	const struct tlsplug_bconfig *cfg = c->eng->cfg;
	int require = cfg->ocsp == TLSPLUG_OCSP_REQUIRE;
	const gnutls_datum_t *peers;
	gnutls_ocsp_resp_t resp;
	gnutls_x509_crt_t leaf;
	gnutls_datum_t d;
	unsigned n = 0;
	int ret;

	if (c->eng->role != TLSPLUG_CLIENT || cfg->ocsp == TLSPLUG_OCSP_OFF)
		return 0;
	c->ocsp_status = TLSPLUG_OCSP_STATUS_NONE;
	ret = gnutls_ocsp_status_request_get(c->session, &d);
	if (ret < 0) {
		if (!require)
			return 0;
		gtls_conn_cb_fail(c, TLSPLUG_ERR_CERT_INVALID,
			GTLS_A_BAD_CERTIFICATE_STATUS_RESPONSE,
			GNUTLS_E_CERTIFICATE_ERROR, "the server stapled no "
			"OCSP response (a good one is required)");
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	peers = gnutls_certificate_get_peers(c->session, &n);
	if (peers == NULL || n == 0 || gnutls_x509_crt_init(&leaf) < 0)
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"no server certificate to check it against");
	if (gnutls_x509_crt_import(leaf, &peers[0], GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(leaf);
		return gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
			"cannot read the server's certificate");
	}
	if (gnutls_ocsp_resp_init(&resp) < 0) {
		gnutls_x509_crt_deinit(leaf);
		return gtls_ocsp_fail(c, TLSPLUG_ERR_NOMEM, "out of memory");
	}
	if (gnutls_ocsp_resp_import(resp, &d) < 0)
		ret = gtls_ocsp_fail(c, TLSPLUG_ERR_CERT_INVALID,
		                     "cannot parse it");
	else
		ret = gtls_ocsp_check_resp(c, resp, leaf, require);
	gnutls_ocsp_resp_deinit(resp);
	gnutls_x509_crt_deinit(leaf);
	return ret;
}

int
gtls_verify_chain(struct gtls_conn *c, gnutls_typed_vdata_st *purpose,
                  unsigned *status)
{
	gnutls_x509_trust_list_t tl = NULL;
	const gnutls_datum_t *peers;
	gnutls_x509_crt_t *list;
	unsigned n = 0, i, imported = 0;
	int ret;

	/* gnutls_certificate_verify_peers minus its judgement of stapled
	 * OCSP responses (status bits of its own, even with our mode OFF):
	 * the chain against the trust list and its CRLs, no more.  The
	 * staple is judged by gtls_ocsp_check, as on the other engines. */
	*status = 0;
	peers = gnutls_certificate_get_peers(c->session, &n);
	if (peers == NULL || n == 0)
		return GNUTLS_E_NO_CERTIFICATE_FOUND;
	gnutls_certificate_get_trust_list(c->eng->cred, &tl);
	list = gtls_core->alloc(n * sizeof(*list));
	if (list == NULL)
		return GNUTLS_E_MEMORY_ERROR;
	for (ret = 0, i = 0; i < n && ret >= 0; i++) {
		ret = gnutls_x509_crt_init(&list[i]);
		if (ret < 0)
			break;
		imported++;
		ret = gnutls_x509_crt_import(list[i], &peers[i],
		                             GNUTLS_X509_FMT_DER);
	}
	if (ret >= 0)
		ret = gnutls_x509_trust_list_verify_crt2(tl, list, n, purpose, 1,
		                                         0, status, NULL);
	/* A stale CRL fails the certificates of its issuer, as OpenSSL's
	 * X509_V_ERR_CRL_HAS_EXPIRED does, and so does a CRL whose
	 * signature does not verify (X509_V_ERR_CRL_SIGNATURE_FAILURE). */
	for (i = 0; ret >= 0 && *status == 0 && i < n; i++) {
		if (gtls_crls_stale(c->eng, list[i], time(NULL))) {
			*status = GNUTLS_CERT_INVALID |
			          GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED;
		} else if (gtls_crls_badsig(c->eng, list[i],
		           gtls_chain_issuer(c->eng, list, n, i))) {
			gtls_conn_cb_fail(c, TLSPLUG_ERR_CERT_INVALID,
				GNUTLS_A_CERTIFICATE_UNKNOWN,
				GNUTLS_E_CERTIFICATE_ERROR, "certificate verify "
				"failed: the signature of the CRL for "
				"certificate %u of the chain does not verify",
				i);
			ret = 1;
		}
	}
	for (i = 0; i < imported; i++)
		gnutls_x509_crt_deinit(list[i]);
	gtls_core->free(list);
	return ret < 0 ? ret : ret == 1 ? 1 : 0;
}

int
gtls_ocsp_session_setup(const struct gtls_engine *eng, gnutls_session_t s)
{
	/* Ask for a staple when one is checked. */
	if (eng->role != TLSPLUG_CLIENT || eng->cfg->ocsp == TLSPLUG_OCSP_OFF ||
	    !eng->validate)
		return 0;
	return gnutls_ocsp_status_request_enable_client(s, NULL, 0, NULL);
}

enum tlsplug_ocsp_status
gtls_conn_ocsp_status(void *conn_priv)
{
	const struct gtls_conn *c = conn_priv;

	return (enum tlsplug_ocsp_status)c->ocsp_status;
}
