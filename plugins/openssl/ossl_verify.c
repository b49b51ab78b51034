/*
 * ossl_verify.c -- peer certificate verification: the verify callback that
 * records the first failure and checks the host name with the core's
 * RFC 9525 matcher (never OpenSSL's own), subjectAltName extraction, and the
 * mapping of X509 verify results to tlsplug's categories.
 */
#include "config.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ossl.h"

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
osslp_cert_sans(X509 *cert, GENERAL_NAMES **gensp, struct tlsplug_san **sansp,
                size_t *nsansp)
{
	GENERAL_NAMES *gens;
	struct tlsplug_san *sans;
	size_t n = 0;
	int i;

	*gensp = NULL;
	*sansp = NULL;
	*nsansp = 0;
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL) {
		ERR_clear_error();
		return 0;
	}
	sans = osslp_core->alloc(((size_t)sk_GENERAL_NAME_num(gens) + 1) *
	                         sizeof *sans);
	if (sans == NULL) {
		GENERAL_NAMES_free(gens);
		return -1;
	}
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS) {
			sans[n].type = TLSPLUG_SAN_DNS;
			sans[n].data = ASN1_STRING_get0_data(g->d.dNSName);
			sans[n].len = (size_t)ASN1_STRING_length(g->d.dNSName);
			n++;
		} else if (g->type == GEN_IPADD) {
			sans[n].type = TLSPLUG_SAN_IP;
			sans[n].data = ASN1_STRING_get0_data(g->d.iPAddress);
			sans[n].len = (size_t)ASN1_STRING_length(
				g->d.iPAddress);
			n++;
		}
	}
	*gensp = gens;
	*sansp = sans;
	*nsansp = n;
	return 0;
}

int
osslp_verify_category(int x509_error)
{
	switch (x509_error) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return TLSPLUG_ERR_CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return TLSPLUG_ERR_CERT_NOT_YET_VALID;
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

/* Records the first failure, with its message, in the call's error
 * record (the handshake fails right after, in this call). */
static void
osslp_verify_record(struct osslp_conn *c, int error, int depth, X509 *cert)
{
	char subject[OSSLP_SUBJECT_MAX];

	if (c->verify_error != 0)
		return;
	c->verify_error = error;
	subject[0] = '\0';
	if (cert != NULL)
		osslp_name_text(X509_get_subject_name(cert), subject,
		                sizeof subject);
	osslp_verify_failure(c, error, error, depth, subject);
}

/* 1 when the client's host name matches cert by RFC 9525, 0 when not, -1
 * out of memory. */
static int
osslp_host_matches(struct osslp_conn *c, X509 *cert)
{
	GENERAL_NAMES *gens;
	struct tlsplug_san *sans;
	size_t nsans;
	int r;

	if (osslp_cert_sans(cert, &gens, &sans, &nsans) != 0)
		return -1;
	r = nsans > 0 && osslp_core->match_hostname(c->hostname, sans, nsans);
	osslp_core->free(sans);
	GENERAL_NAMES_free(gens);
	return r;
}

int
osslp_verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
		SSL_get_ex_data_X509_STORE_CTX_idx());
	struct osslp_conn *c = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	int depth = X509_STORE_CTX_get_error_depth(store);
	X509 *cert = X509_STORE_CTX_get_current_cert(store);
	int r;

	if (c == NULL || SSL_get_verify_mode(ssl) == SSL_VERIFY_NONE)
		return ok;
	if (!ok) {
		osslp_verify_record(c, X509_STORE_CTX_get_error(store), depth,
		                    cert);
		return 0;
	}
	/* The chain up to the leaf verified: now the name, our way. */
	if (depth == 0 && cert != NULL && c->role == TLSPLUG_CLIENT &&
	    c->hostname != NULL) {
		r = osslp_host_matches(c, cert);
		if (r == 1)
			return 1;
		r = r == 0 ? X509_V_ERR_HOSTNAME_MISMATCH :
		             X509_V_ERR_OUT_OF_MEM;
		X509_STORE_CTX_set_error(store, r);
		osslp_verify_record(c, r, depth, cert);
		return 0;
	}
	return 1;
}
