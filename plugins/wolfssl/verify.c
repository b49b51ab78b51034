/*
 * verify.c -- peer certificate verification: the verify callback that
 * records the first failure (and gives it to the core, whose verify
 * callback sees it) and, once wolfSSL has validated the chain up to the
 * leaf, has the core check the peer's identity (host name by RFC 9525,
 * never wolfSSL's own check; pins; the application's verify callback);
 * with validation off and pins or a verify callback set, only the core's
 * checks; the peer's chain as DER for the core; and the mapping of
 * verification results to tlsplug's categories.
 *
 * This wolfSSL is built with WOLFSSL_ALWAYS_VERIFY_CB and
 * WOLFSSL_VERIFY_CB_ALL_CERTS: the callback runs for every certificate of
 * the chain, the leaf (depth 0) last, whether it verified or not.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#if !defined(WOLFSSL_ALWAYS_VERIFY_CB) || !defined(SESSION_CERTS)
#error "the plugin needs wolfSSL with WOLFSSL_ALWAYS_VERIFY_CB, SESSION_CERTS"
#endif

int
wolfp_verify_category(int code)
{
	switch (code) {
	/* wolfSSL's verify callback reports its date errors as the
	 * NOT_AFTER/NOT_BEFORE "field" errors. */
	case ASN_AFTER_DATE_E:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return TLSPLUG_ERR_CERT_EXPIRED;
	case ASN_BEFORE_DATE_E:
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return TLSPLUG_ERR_CERT_NOT_YET_VALID;
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
		return TLSPLUG_ERR_CERT_HOSTNAME;
	case ASN_SELF_SIGNED_E:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return TLSPLUG_ERR_CERT_SELF_SIGNED;
	case ASN_NO_SIGNER_E:
	case NOT_CA_ERROR:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return TLSPLUG_ERR_CERT_UNTRUSTED;
	case ASN_SIG_CONFIRM_E:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
		return TLSPLUG_ERR_CERT_SIGNATURE;
	case EXTKEYUSE_AUTH_E:
	case KEYUSE_SIGNATURE_E:
	case KEYUSE_ENCIPHER_E:
	case X509_V_ERR_INVALID_PURPOSE:
		return TLSPLUG_ERR_CERT_PURPOSE;
	case CRL_CERT_REVOKED:
	case OCSP_CERT_REVOKED:
	case X509_V_ERR_CERT_REVOKED:
		return TLSPLUG_ERR_CERT_REVOKED;
	case X509_V_ERR_OUT_OF_MEM:
		/* Not a verdict on the certificate. */
		return TLSPLUG_ERR_NOMEM;
	case VERIFY_CERT_ERROR:
	case ASN_PARSE_E:
	case ASN_CRIT_EXT_E:
	case ASN_SIG_OID_E:
	case ASN_SIG_HASH_E:
	case ASN_SIG_KEY_E:
	case ASN_NAME_INVALID_E:
	case MAX_CHAIN_ERROR:
	case X509_V_ERR_APPLICATION_VERIFICATION:
		return TLSPLUG_ERR_CERT_INVALID;
	default:
		return 0;
	}
}

/* Why a certificate failed, in words. */
static const char *
wolfp_verify_text(int code, char *buf, size_t size)
{
	if (code == CRL_MISSING)
		/* with a CRL of its issuer here (wolfp_crl_missing_ok) */
		return "the CRL of its issuer cannot be used (past its "
		       "nextUpdate, or its signature does not verify)";
	switch (wolfp_verify_category(code)) {
	case TLSPLUG_ERR_CERT_EXPIRED:
		return "certificate has expired";
	case TLSPLUG_ERR_CERT_NOT_YET_VALID:
		return "certificate is not yet valid";
	case TLSPLUG_ERR_CERT_SELF_SIGNED:
		return "self-signed certificate";
	case TLSPLUG_ERR_CERT_UNTRUSTED:
		return "no trusted issuer (unknown CA)";
	case TLSPLUG_ERR_CERT_SIGNATURE:
		return "certificate signature failure";
	case TLSPLUG_ERR_CERT_PURPOSE:
		return "key usage or extended key usage does not allow "
		       "this use";
	case TLSPLUG_ERR_CERT_REVOKED:
		return "certificate revoked";
	default:
		return wolfp_err_text(code, buf, size);
	}
}

int
wolfp_verify_failure(struct wolfp_conn *c, int code, int depth)
{
	char ebuf[WOLFP_ERRTEXT_MAX];
	int cat = wolfp_verify_category(code);

	if (cat == 0)
		cat = TLSPLUG_ERR_CERT_INVALID;
	return wolfp_core->set_error(c->err, cat, code,
		"certificate verify failed: %s (depth %d)",
		wolfp_verify_text(code, ebuf, sizeof ebuf), depth);
}

/* Records the first failure, with its message, in the call's error
 * record (the handshake fails right after, in this call), and gives the
 * core that verdict (the application's verify callback sees it, and
 * cannot change it). */
static void
wolfp_verify_record(struct wolfp_conn *c, WOLFSSL_X509_STORE_CTX *store,
                    int code, int depth)
{
	int verdict;

	if (c->verify_error != 0)
		return;
	c->verified_ok = 0;
	c->verify_error = code != 0 ? code : VERIFY_CERT_ERROR;
	verdict = wolfp_verify_failure(c, c->verify_error, depth);
	c->verifying = store;
	(void)wolfp_core->check_peer(c->host, verdict, c->err);
	c->verifying = NULL;
}

/* Has the core check what it owns (host name, pins, the application's
 * verify callback) on a chain that verified, or that is not validated;
 * on failure sets store's error so that wolfSSL fails the handshake. */
static int
wolfp_core_check(struct wolfp_conn *c, WOLFSSL_X509_STORE_CTX *store)
{
	int r;

	c->verifying = store;
	r = wolfp_core->check_peer(c->host, TLSPLUG_OK, c->err);
	c->verifying = NULL;
	if (r == TLSPLUG_OK)
		return 1;
	/* The core recorded why. */
	c->cb_status = r;
	c->verify_error = X509_V_ERR_APPLICATION_VERIFICATION;
	store->error = X509_V_ERR_APPLICATION_VERIFICATION;
	return 0;
}

/* DER of the peer's certificate `index` as sent: the chain being
 * verified inside the verify callback, else the one the handshake
 * received.  0 past its end. */
static int
wolfp_peer_der(struct wolfp_conn *c, size_t index, const unsigned char **der)
{
	WOLFSSL_X509_CHAIN *chain;

	*der = NULL;
	if (c->verifying != NULL) {
		if (c->verifying->certs == NULL ||
		    index >= (size_t)c->verifying->totalCerts)
			return 0;
		*der = c->verifying->certs[index].buffer;
		return (int)c->verifying->certs[index].length;
	}
	if (c->ssl == NULL)
		return 0;
	chain = wolfSSL_get_peer_chain(c->ssl);
	if (chain == NULL || index >= (size_t)wolfSSL_get_chain_count(chain))
		return 0;
	*der = wolfSSL_get_chain_cert(chain, (int)index);
	return *der != NULL ? wolfSSL_get_chain_length(chain, (int)index) : 0;
}

/* Copies len bytes of der into buf when they fit; returns len. */
static ssize_t
wolfp_der_out(const unsigned char *der, int len, unsigned char *buf,
              size_t size)
{
	if (der == NULL || len <= 0)
		return 0;
	if ((size_t)len <= size)
		memcpy(buf, der, (size_t)len);
	return len;
}

ssize_t
wolfp_conn_peer_cert(void *conn_priv, size_t index, unsigned char *buf,
                     size_t size)
{
	struct wolfp_conn *c = conn_priv;
	const unsigned char *der;
	int len = wolfp_peer_der(c, index, &der);

	return wolfp_der_out(der, len, buf, size);
}

/* ---- the verified chain ------------------------------------------------- */

/* Longest chain walked. */
#define WOLFP_VCHAIN_MAX 16

void
wolfp_vchain_free(struct wolfp_conn *c)
{
	size_t i;

	for (i = 0; i < c->nvchain; i++)
		wolfp_core->free(c->vchain[i].data);
	wolfp_core->free(c->vchain);
	c->vchain = NULL;
	c->nvchain = 0;
	c->vchain_done = 0;
}

/* Appends a copy of len bytes at der to c->vchain; 0, or -1. */
static int
wolfp_vchain_add(struct wolfp_conn *c, const unsigned char *der, int len)
{
	unsigned char *copy;

	if (der == NULL || len <= 0)
		return -1;
	copy = wolfp_core->alloc((size_t)len);
	if (copy == NULL)
		return -1;
	memcpy(copy, der, (size_t)len);
	c->vchain[c->nvchain].data = copy;
	c->vchain[c->nvchain].len = (size_t)len;
	c->nvchain++;
	return 0;
}

/* The issuer of x in the trust store of the WOLFSSL_CTX now serving c,
 * or NULL (to be freed with wolfSSL_X509_free). */
static WOLFSSL_X509 *
wolfp_anchor_of(struct wolfp_conn *c, WOLFSSL_X509 *x)
{
	WOLFSSL_X509_STORE *store =
		wolfSSL_CTX_get_cert_store(wolfSSL_get_SSL_CTX(c->ssl));
	WOLFSSL_X509_STORE_CTX *sx;
	WOLFSSL_X509 *issuer = NULL;

	if (store == NULL)
		return NULL;
	sx = wolfSSL_X509_STORE_CTX_new();
	if (sx != NULL &&
	    wolfSSL_X509_STORE_CTX_init(sx, store, x, NULL) ==
	    WOLFSSL_SUCCESS &&
	    wolfSSL_X509_STORE_CTX_get1_issuer(&issuer, sx, x) !=
	    WOLFSSL_SUCCESS)
		issuer = NULL;
	wolfSSL_X509_STORE_CTX_free(sx);
	wolfSSL_ERR_clear_error();
	return issuer;
}

/*
 * wolfSSL keeps no chain to the anchor after the handshake
 * (wolfSSL_get0_verified_chain gives the chain as sent), so the path is
 * walked as the GnuTLS plugin walks it: from the leaf, through the
 * peer's certificates, each issued by the next
 * (wolfSSL_X509_check_issued), to the last one the peer sent on that
 * path, whose issuer in the trust store (wolfSSL_X509_STORE_CTX_get1_
 * issuer, which this wolfSSL answers from the certificate manager:
 * WOLFSSL_SIGNER_DER_CERT) is the anchor that ends the chain (a trusted
 * self-signed certificate is its own anchor).  The peer's certificates
 * come first because wolfSSL adds the intermediates it verified to that
 * certificate manager, so the store alone would end the chain at one.
 * Only after wolfSSL verified the chain.  0, or -1.
 */
static int
wolfp_vchain_build(struct wolfp_conn *c)
{
	WOLFSSL_X509 *x[WOLFP_VCHAIN_MAX] = { NULL };
	unsigned char used[WOLFP_VCHAIN_MAX] = { 0 };
	const unsigned char *der[WOLFP_VCHAIN_MAX];
	int len[WOLFP_VCHAIN_MAX];
	size_t i, n, cur = 0, next;
	int rc = -1;

	for (n = 0; n < WOLFP_VCHAIN_MAX - 1; n++) {
		len[n] = wolfp_peer_der(c, n, &der[n]);
		if (len[n] <= 0)
			break;
	}
	if (n == 0)
		return 0;
	c->vchain = wolfp_core->alloc((n + 1) * sizeof *c->vchain);
	if (c->vchain == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		x[i] = wolfSSL_X509_d2i(NULL, der[i], len[i]);
		if (x[i] == NULL)
			goto out;
	}
	if (wolfp_vchain_add(c, der[0], len[0]) != 0)
		goto out;
	used[0] = 1;
	while (c->nvchain <= n) {
		WOLFSSL_X509 *issuer;

		for (next = 0; next < n; next++)
			if (!used[next] &&
			    wolfSSL_X509_check_issued(x[next], x[cur]) ==
			    X509_V_OK)
				break;
		if (next < n) {
			used[next] = 1;
			cur = next;
			if (wolfp_vchain_add(c, der[cur], len[cur]) != 0)
				goto out;
			continue;
		}
		issuer = wolfp_anchor_of(c, x[cur]);
		if (issuer != NULL) {
			int alen = 0;
			const unsigned char *a = wolfSSL_X509_get_der(issuer,
			                                              &alen);
			int same = a != NULL && alen == len[cur] &&
			           memcmp(a, der[cur], (size_t)alen) == 0;

			rc = same ? 0 : wolfp_vchain_add(c, a, alen);
			wolfSSL_X509_free(issuer);
			goto out;
		}
		break;    /* verified, yet no anchor found: stop here */
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		wolfSSL_X509_free(x[i]);
	wolfSSL_ERR_clear_error();
	return rc;
}

ssize_t
wolfp_conn_verified_cert(void *conn_priv, size_t index, unsigned char *buf,
                         size_t size)
{
	struct wolfp_conn *c = conn_priv;

	if (!c->verified_ok)
		return 0;
	if (!c->vchain_done) {
		if (wolfp_vchain_build(c) != 0) {
			wolfp_vchain_free(c);
			return -1;
		}
		c->vchain_done = 1;
	}
	if (index >= c->nvchain)
		return 0;
	return wolfp_der_out(c->vchain[index].data, (int)c->vchain[index].len,
	                     buf, size);
}

int
wolfp_verify_cb(int ok, WOLFSSL_X509_STORE_CTX *store)
{
	WOLFSSL *ssl = wolfSSL_X509_STORE_CTX_get_ex_data(store,
		wolfSSL_get_ex_data_X509_STORE_CTX_idx());
	struct wolfp_conn *c = ssl != NULL ? wolfSSL_get_app_data(ssl) : NULL;
	int depth = store->error_depth;

	if (c == NULL)
		return ok;
	if (wolfSSL_get_verify_mode(ssl) == WOLFSSL_VERIFY_NONE)
		return 1;
	/* An empty Certificate message: nothing to check; wolfSSL fails
	 * the handshake itself when one was required. */
	if (store->totalCerts == 0)
		return ok;
	if (!c->eng->cfg->validate) {
		/* Validation off, but pins or a verify callback set
		 * (check_peer_always): no chain check, only the core's, on
		 * the leaf. */
		if (depth != 0 || c->verify_error != 0)
			return c->verify_error == 0;
		return wolfp_core_check(c, store);
	}
	if (!ok && !wolfp_crl_missing_ok(c, store->error, store, depth)) {
		wolfp_verify_record(c, store, store->error, depth);
		return 0;
	}
	if (depth != 0 || c->verify_error != 0)
		return c->verify_error == 0;
	/* The chain up to the leaf verified: now the core's identity
	 * checks, the same on every engine. */
	c->verified_ok = 1;
	return wolfp_core_check(c, store);
}
