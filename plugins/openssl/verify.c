/*
 * verify.c -- peer certificate verification: the verify callback that
 * records the first failure and, once OpenSSL has validated the chain, has
 * the core check the peer's identity (host name by RFC 9525, never
 * OpenSSL's own check; pins; the application's verify callback, which also
 * sees a failure); with validation off and pins or a verify callback set,
 * a certificate verification function that runs only the core's checks;
 * the peer's chain, as sent and as verified, as DER for the core; and the
 * mapping of X509 verify results to tlsplug's categories and messages.
 */
#include "config.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

int
osslp_name_text(const X509_NAME *name, char *buf, size_t size)
{
	BIO *bio;
	char *data;
	long len;

	if (size > 0)
		buf[0] = '\0';
	if (name == NULL)
		return -1;
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return -1;
	/* RFC 4514 order and escaping, but UTF-8 kept as is. */
	if (X509_NAME_print_ex(bio, name, 0,
	                       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
		BIO_free(bio);
		return -1;
	}
	len = BIO_get_mem_data(bio, &data);
	if (len < 0)
		len = 0;
	if (size > 0) {
		size_t n = (size_t)len < size - 1 ? (size_t)len : size - 1;

		memcpy(buf, data, n);
		buf[n] = '\0';
	}
	BIO_free(bio);
	return (int)len;
}

int
osslp_verify_category(int x509_error)
{
	switch (x509_error) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return TLSPLUG_ERR_CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLSPLUG_ERR_CERT_NOT_YET_VALID;
	/* A stale CRL says nothing about the certificate's own dates:
	 * CERT_INVALID, as on the other engines. */
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return TLSPLUG_ERR_CERT_HOSTNAME;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return TLSPLUG_ERR_CERT_SELF_SIGNED;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return TLSPLUG_ERR_CERT_UNTRUSTED;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
		return TLSPLUG_ERR_CERT_SIGNATURE;
	case X509_V_ERR_INVALID_PURPOSE:
		return TLSPLUG_ERR_CERT_PURPOSE;
	case X509_V_ERR_CERT_REVOKED:
		return TLSPLUG_ERR_CERT_REVOKED;
	case X509_V_ERR_OUT_OF_MEM:
		/* Not a verdict on the certificate. */
		return TLSPLUG_ERR_NOMEM;
	default:
		return TLSPLUG_ERR_CERT_INVALID;
	}
}

/* Records a certificate verification failure in the current call's error
 * record; returns its category. */
int
osslp_verify_failure(struct osslp_conn *c, int x509_error, long native,
                     int depth, const char *subject)
{
	if (subject == NULL || subject[0] == '\0')
		subject = "?";
	return osslp_core->set_error(c->err, osslp_verify_category(x509_error),
		native, "certificate verify failed: %s (depth %d, subject %s)",
		X509_verify_cert_error_string(x509_error), depth, subject);
}

/* Records the first failure, with its message, in the call's error
 * record (the handshake fails right after, in this call), and gives the
 * core that verdict (the application's verify callback sees it). */
static void
osslp_verify_record(struct osslp_conn *c, X509_STORE_CTX *store, int error,
                    int depth, X509 *cert)
{
	char subject[OSSLP_SUBJECT_MAX];
	int verdict;

	if (c->verify_error != 0)
		return;
	c->verify_error = error;
	subject[0] = '\0';
	if (cert != NULL)
		osslp_name_text(X509_get_subject_name(cert), subject,
		                sizeof subject);
	verdict = osslp_verify_failure(c, error, error, depth, subject);
	c->verifying = store;
	(void)osslp_core->check_peer(c->host, verdict, c->err);
	c->verifying = NULL;
}

/* The peer's certificate at index: the chain being verified during the
 * verify callback, else the chain the handshake received (a server's
 * OpenSSL keeps the client's leaf apart from the rest). */
static X509 *
osslp_peer_at(struct osslp_conn *c, size_t index)
{
	STACK_OF(X509) *sk;
	X509 *leaf;

	if (c->verifying != NULL) {
		/* The chain as the peer sent it (leaf first). */
		sk = X509_STORE_CTX_get0_untrusted(c->verifying);
		if (sk != NULL)
			return index < (size_t)sk_X509_num(sk) ?
			    sk_X509_value(sk, (int)index) : NULL;
		return index == 0 ? X509_STORE_CTX_get0_cert(c->verifying) :
		                    NULL;
	}
	if (c->ssl == NULL)
		return NULL;
	sk = SSL_get_peer_cert_chain(c->ssl);
	if (c->role == TLSPLUG_CLIENT)
		return sk != NULL && index < (size_t)sk_X509_num(sk) ?
		    sk_X509_value(sk, (int)index) : NULL;
	leaf = SSL_get0_peer_certificate(c->ssl);
	if (index == 0 || leaf == NULL)
		return leaf;
	return sk != NULL && index - 1 < (size_t)sk_X509_num(sk) ?
	    sk_X509_value(sk, (int)(index - 1)) : NULL;
}

/* The chain OpenSSL built from the leaf to the trust anchor: while the
 * core checks a chain that verified, the store's; after the handshake, the
 * connection's when its verification succeeded.  NULL otherwise. */
static X509 *
osslp_verified_at(struct osslp_conn *c, size_t index)
{
	STACK_OF(X509) *sk = NULL;

	if (c->verifying != NULL) {
		if (c->verified_ok)
			sk = X509_STORE_CTX_get0_chain(c->verifying);
	} else if (c->ssl != NULL && c->verified_ok &&
	           SSL_get_verify_result(c->ssl) == X509_V_OK) {
		sk = SSL_get0_verified_chain(c->ssl);
	}
	return sk != NULL && index < (size_t)sk_X509_num(sk) ?
	    sk_X509_value(sk, (int)index) : NULL;
}

/* DER of x into buf when it fits; its length, 0 for no x, -1. */
static ssize_t
osslp_der(X509 *x, unsigned char *buf, size_t size)
{
	unsigned char *p = buf;
	int n;

	if (x == NULL)
		return 0;
	/* X509 keeps the DER it was parsed from: this copies it. */
	n = i2d_X509(x, NULL);
	if (n > 0 && (size_t)n <= size && i2d_X509(x, &p) != n)
		n = -1;
	ERR_clear_error();
	return n > 0 ? n : -1;
}

ssize_t
osslp_conn_peer_cert(void *conn_priv, size_t index, unsigned char *buf,
                     size_t size)
{
	struct osslp_conn *c = conn_priv;

	return osslp_der(osslp_peer_at(c, index), buf, size);
}

ssize_t
osslp_conn_verified_cert(void *conn_priv, size_t index, unsigned char *buf,
                         size_t size)
{
	struct osslp_conn *c = conn_priv;

	return osslp_der(osslp_verified_at(c, index), buf, size);
}

/* Has the core check what it owns; on failure sets store's error so that
 * OpenSSL fails the handshake with the alert for it. */
static int
osslp_core_check(struct osslp_conn *c, X509_STORE_CTX *store)
{
	int r;

	c->verifying = store;
	r = osslp_core->check_peer(c->host, TLSPLUG_OK, c->err);
	c->verifying = NULL;
	if (r == TLSPLUG_OK)
		return 1;
	/* The core recorded why; the X509 error picks OpenSSL's alert. */
	c->cb_status = r;
	c->verify_error = r == TLSPLUG_ERR_CERT_HOSTNAME ?
	    X509_V_ERR_HOSTNAME_MISMATCH : r == TLSPLUG_ERR_NOMEM ?
	    X509_V_ERR_OUT_OF_MEM : X509_V_ERR_APPLICATION_VERIFICATION;
	X509_STORE_CTX_set_error(store, c->verify_error);
	return 0;
}

int
osslp_unvalidated_cb(X509_STORE_CTX *store, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
		SSL_get_ex_data_X509_STORE_CTX_idx());
	struct osslp_conn *c = ssl != NULL ? SSL_get_app_data(ssl) : NULL;

	(void)arg;
	if (c == NULL)
		return 0;
	/* Validation is off: no chain check, only the core's (pins, the
	 * verify callback). */
	return osslp_core_check(c, store);
}

int
osslp_verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
		SSL_get_ex_data_X509_STORE_CTX_idx());
	struct osslp_conn *c = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	int depth = X509_STORE_CTX_get_error_depth(store);
	X509 *cert = X509_STORE_CTX_get_current_cert(store);

	if (c == NULL || SSL_get_verify_mode(ssl) == SSL_VERIFY_NONE)
		return ok;
	/* A certificate whose issuer has no CRL here is not checked. */
	if (!ok && osslp_crl_missing_ok(c, X509_STORE_CTX_get_error(store)))
		return 1;
	if (!ok) {
		osslp_verify_record(c, store, X509_STORE_CTX_get_error(store),
		                    depth, cert);
		return 0;
	}
	if (depth != 0)
		return 1;
	/* The chain up to the leaf verified (an earlier failure would have
	 * stopped it): now the core's identity checks, the same on every
	 * engine. */
	if (c->verify_error != 0)
		return 0;
	c->verified_ok = 1;
	if (osslp_core_check(c, store))
		return 1;
	c->verified_ok = 0;
	return 0;
}
