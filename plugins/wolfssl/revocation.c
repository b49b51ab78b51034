/*
 * revocation.c -- certificate revocation on wolfSSL: CRLs parsed into the
 * engine and checked with every chain wolfSSL verifies.
 *
 * CRLs: each is parsed with wolfSSL_d2i_X509_CRL (which defers the check
 * of its signature to its first use, when the issuer may be an
 * intermediate the peer sends: wolfSSL adds the intermediates it verified
 * to the context's certificate manager) and added to every WOLFSSL_CTX of
 * the engine with wolfSSL_X509_STORE_add_crl, which turns on checking of
 * the whole chain (WOLFSSL_CRL_CHECKALL).  wolfSSL then fails a
 * certificate whose issuer has no CRL with CRL_MISSING, and reports a
 * CRL past its nextUpdate, or whose signature does not verify, the same
 * way (it drops such a CRL from the lookup).  The verify callback tells
 * these apart with wolfp_crl_missing_ok: a certificate whose issuer has
 * no CRL here is let through, as other engines do; one whose issuer has
 * a CRL here that wolfSSL could not use fails (TLSPLUG_ERR_CERT_INVALID).
 * An intermediate let through that way is added to the certificate
 * manager by the plugin (see wolfp_crl_missing_ok).
 * Issuers are compared as wolfSSL compares them: the DER of the Name.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/coding.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#if !defined(HAVE_CRL) || !defined(OPENSSL_EXTRA)
#error "the plugin needs wolfSSL with HAVE_CRL and OPENSSL_EXTRA"
#endif

#define WOLFP_PEM_CRL_BEGIN "-----BEGIN X509 CRL-----"
#define WOLFP_PEM_CRL_END "-----END X509 CRL-----"

/* ---- DER ---------------------------------------------------------------- */

/* Reads the TLV at *p (n bytes left): its tag, where its contents start
 * and their length, and moves *p past it.  0, or -1 when malformed. */
static int
wolfp_der_tlv(const unsigned char **p, size_t *n, unsigned char *tag,
              const unsigned char **body, size_t *len)
{
	const unsigned char *q = *p;
	size_t left = *n, l, k;

	if (left < 2)
		return -1;
	*tag = q[0];
	l = q[1];
	q += 2;
	left -= 2;
	if (l & 0x80) {
		k = l & 0x7f;
		if (k == 0 || k > sizeof(size_t) || k > left)
			return -1;
		for (l = 0; k > 0; k--, left--)
			l = (l << 8) | *q++;
	}
	if (l > left)
		return -1;
	*body = q;
	*len = l;
	*p = q + l;
	*n = left - l;
	return 0;
}

/*
 * The issuer Name (whole TLV) of a certificate (cert = 1: tbsCertificate
 * is [0] version, serial, signature, issuer) or a CRL (tbsCertList is
 * version (optional INTEGER), signature, issuer).  0, or -1.
 */
static int
wolfp_der_issuer(const unsigned char *der, size_t len, int cert,
                 const unsigned char **name, size_t *name_len)
{
	const unsigned char *p = der, *body, *start;
	size_t n = len, blen;
	unsigned char tag;

	if (wolfp_der_tlv(&p, &n, &tag, &body, &blen) != 0 || tag != 0x30)
		return -1;
	p = body;
	n = blen;
	if (wolfp_der_tlv(&p, &n, &tag, &body, &blen) != 0 || tag != 0x30)
		return -1;
	p = body;
	n = blen;
	if (n > 0 && p[0] == (cert ? 0xa0 : 0x02) &&
	    wolfp_der_tlv(&p, &n, &tag, &body, &blen) != 0)
		return -1;
	/* serial (certificates only), then signature */
	if (cert && wolfp_der_tlv(&p, &n, &tag, &body, &blen) != 0)
		return -1;
	if (wolfp_der_tlv(&p, &n, &tag, &body, &blen) != 0 || tag != 0x30)
		return -1;
	start = p;
	if (wolfp_der_tlv(&p, &n, &tag, &body, &blen) != 0 || tag != 0x30)
		return -1;
	*name = start;
	*name_len = (size_t)(p - start);
	return 0;
}

/* ---- CRLs --------------------------------------------------------------- */

/* Parses one DER CRL (n-th of blob b, for messages), adds it to e->crls
 * and keeps its issuer. */
static int
wolfp_crl_der(struct wolfp_engine *e, const unsigned char *der, size_t len,
              const struct tlsplug_blob *b, int n, struct tlsplug_error *err)
{
	const unsigned char *name;
	size_t name_len;
	WOLFSSL_X509_CRL *crl;
	struct wolfp_der *issuer;

	if (len > INT_MAX ||
	    wolfp_der_issuer(der, len, 0, &name, &name_len) != 0 ||
	    (crl = wolfSSL_d2i_X509_CRL(NULL, der, (int)len)) == NULL) {
		wolfSSL_ERR_clear_error();
		return wolfp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"CRL %s: wolfSSL cannot parse CRL %d", b->origin, n);
	}
	issuer = &e->crl_issuers[e->ncrls];
	issuer->data = wolfp_core->alloc(name_len);
	if (issuer->data == NULL) {
		wolfSSL_X509_CRL_free(crl);
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	}
	memcpy(issuer->data, name, name_len);
	issuer->len = name_len;
	e->crls[e->ncrls++] = crl;
	return TLSPLUG_OK;
}

/* Counts the CRLs of blob b (PEM: its X509 CRL blocks; DER: one). */
static size_t
wolfp_crl_count(const struct tlsplug_blob *b)
{
	const char *p = (const char *)b->data;
	size_t n = 0;

	if (b->format == TLSPLUG_FORMAT_DER)
		return 1;
	while ((p = strstr(p, WOLFP_PEM_CRL_BEGIN)) != NULL) {
		n++;
		p += sizeof WOLFP_PEM_CRL_BEGIN - 1;
	}
	return n;
}

/* Parses every CRL of blob b (the core checked the framing). */
static int
wolfp_crl_blob(struct wolfp_engine *e, const struct tlsplug_blob *b,
               struct tlsplug_error *err)
{
	const char *p = (const char *)b->data, *body, *end;
	unsigned char *der;
	word32 dlen;
	int n = 0, rc;

	if (b->format == TLSPLUG_FORMAT_DER)
		return wolfp_crl_der(e, b->data, b->len, b, 1, err);
	/* PEM data is NUL-terminated. */
	while ((body = strstr(p, WOLFP_PEM_CRL_BEGIN)) != NULL) {
		n++;
		body += sizeof WOLFP_PEM_CRL_BEGIN - 1;
		end = strstr(body, WOLFP_PEM_CRL_END);
		if (end == NULL)
			break;
		dlen = (word32)(end - body);
		der = wolfp_core->alloc(dlen > 0 ? dlen : 1);
		if (der == NULL)
			return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			                             "out of memory");
		if (Base64_Decode((const byte *)body, (word32)(end - body),
		                  der, &dlen) != 0)
			rc = wolfp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
				"CRL %s: cannot decode CRL %d", b->origin, n);
		else
			rc = wolfp_crl_der(e, der, dlen, b, n, err);
		wolfp_core->free(der);
		if (rc != TLSPLUG_OK)
			return rc;
		p = end + sizeof WOLFP_PEM_CRL_END - 1;
	}
	return TLSPLUG_OK;
}

int
wolfp_crls_load(struct wolfp_engine *e, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	size_t i, total = 0;
	int rc;

	for (i = 0; i < cfg->ncrls; i++)
		total += wolfp_crl_count(&cfg->crls[i]);
	if (total == 0)
		return TLSPLUG_OK;
	e->crls = wolfp_core->alloc(total * sizeof *e->crls);
	e->crl_issuers = wolfp_core->alloc(total * sizeof *e->crl_issuers);
	if (e->crls == NULL || e->crl_issuers == NULL)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	for (i = 0; i < cfg->ncrls; i++) {
		rc = wolfp_crl_blob(e, &cfg->crls[i], err);
		if (rc != TLSPLUG_OK)
			return rc;
	}
	return TLSPLUG_OK;
}

void
wolfp_crls_free(struct wolfp_engine *e)
{
	size_t i;

	for (i = 0; i < e->ncrls; i++) {
		wolfSSL_X509_CRL_free(e->crls[i]);
		wolfp_core->free(e->crl_issuers[i].data);
	}
	wolfp_core->free(e->crls);
	wolfp_core->free(e->crl_issuers);
	e->crls = NULL;
	e->crl_issuers = NULL;
	e->ncrls = 0;
}

int
wolfp_crls_apply(WOLFSSL_CTX *w, const struct wolfp_engine *e)
{
	WOLFSSL_X509_STORE *store;
	size_t i;

	if (e->ncrls == 0)
		return 0;
	store = wolfSSL_CTX_get_cert_store(w);
	if (store == NULL)
		return -1;
	/* Each is copied into the context's certificate manager, and
	 * checking of the whole chain turned on. */
	for (i = 0; i < e->ncrls; i++)
		if (wolfSSL_X509_STORE_add_crl(store, e->crls[i]) !=
		    WOLFSSL_SUCCESS)
			return -1;
	return 0;
}

int
wolfp_crl_missing_ok(const struct wolfp_conn *c, int code,
                     WOLFSSL_X509_STORE_CTX *store, int depth)
{
	const struct wolfp_engine *e = c->eng;
	WOLFSSL_X509 *x;
	const unsigned char *der, *name;
	size_t name_len, i;
	int len;

	if (code != CRL_MISSING || e->ncrls == 0)
		return 0;
	x = wolfSSL_X509_STORE_CTX_get_current_cert(store);
	der = x != NULL ? wolfSSL_X509_get_der(x, &len) : NULL;
	if (der == NULL || len <= 0 ||
	    wolfp_der_issuer(der, (size_t)len, 1, &name, &name_len) != 0)
		return 0;
	for (i = 0; i < e->ncrls; i++)
		if (e->crl_issuers[i].len == name_len &&
		    memcmp(e->crl_issuers[i].data, name, name_len) == 0)
			return 0;     /* it has one, which wolfSSL refused */
	if (depth == 0)
		return 1;
	/*
	 * An intermediate: wolfSSL (built with WOLFSSL_ALT_CERT_CHAINS)
	 * does not add a CA certificate that failed before the verify
	 * callback to the certificate manager, even when the callback lets
	 * it through, so the certificates it issued would find no issuer.
	 * It verified the certificate (signature and dates: wolfSSL looks
	 * for a CRL only after that), so add it as wolfSSL would have, to
	 * the certificate manager of the WOLFSSL_CTX now serving c; this
	 * verifies it again.
	 */
	return wolfSSL_CertManagerLoadCABuffer(wolfSSL_CTX_GetCertManager(
	           wolfSSL_get_SSL_CTX(c->ssl)), der, len,
	           WOLFSSL_FILETYPE_ASN1) == WOLFSSL_SUCCESS;
}
