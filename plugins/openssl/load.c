/*
 * load.c -- parsing what a config carries into OpenSSL objects: the
 * trust store, certificate chains and private keys (PEM or DER, encrypted
 * keys with a password or a password callback).
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#define OSSLP_SIZE_MIN(a, b) ((a) < (b) ? (a) : (b))

/* Text of the last OpenSSL error, for messages. */
const char *
osslp_err_text(unsigned long e, char *buf, size_t size)
{
	const char *r;

	if (e == 0)
		return "unknown error";
	r = ERR_reason_error_string(e);
	if (r != NULL)
		return r;
	ERR_error_string_n(e, buf, size);
	return buf;
}

/* ---- trust ------------------------------------------------------------- */

int
osslp_trust_load(const struct tlsplug_blob *b, X509_STORE **storep,
                 STACK_OF(X509_NAME) **namesp, struct tlsplug_error *err)
{
	X509_STORE *store;
	STACK_OF(X509_NAME) *names;
	BIO *bio;
	X509 *x;
	size_t n = 0;
	unsigned long e;
	char ebuf[256];

	ERR_clear_error();
	store = X509_STORE_new();
	names = sk_X509_NAME_new_null();
	bio = BIO_new_mem_buf(b->data, (int)b->len);
	if (store == NULL || names == NULL || bio == NULL) {
		BIO_free(bio);
		sk_X509_NAME_free(names);
		X509_STORE_free(store);
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	}
	while ((x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) != NULL) {
		X509_NAME *nm;

		n++;
		/* Fill the certificate's cached extension fields (key ids,
		 * flags) now, while one thread builds the context.  Left to
		 * the first handshakes, OpenSSL 3 fills them under the
		 * certificate's lock but reads them outside it, so handshakes
		 * on several threads at once race on them (found by
		 * tests/check_threads under ThreadSanitizer: ASN1_STRING_set
		 * of a key id against ASN1_STRING_cmp in another handshake;
		 * see openssl/openssl#32609). */
		(void)X509_check_purpose(x, -1, 0);
		/* A duplicate is harmless; other failures are memory. */
		X509_STORE_add_cert(store, x);
		nm = X509_NAME_dup(X509_get_subject_name(x));
		if (nm != NULL && !sk_X509_NAME_push(names, nm))
			X509_NAME_free(nm);
		X509_free(x);
	}
	e = ERR_peek_last_error();
	BIO_free(bio);
	if (n == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	               ERR_GET_REASON(e) != PEM_R_NO_START_LINE) ||
	    (e != 0 && ERR_GET_LIB(e) != ERR_LIB_PEM)) {
		sk_X509_NAME_pop_free(names, X509_NAME_free);
		X509_STORE_free(store);
		ERR_clear_error();
		if (n == 0)
			return osslp_core->set_error(err,
				TLSPLUG_ERR_BAD_CERTIFICATE, (long)e,
				"trust store %s: no certificate could be read "
				"(%s)", b->origin, osslp_err_text(e, ebuf,
				                                  sizeof ebuf));
		return osslp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE,
			(long)e, "trust store %s: bad certificate after %zu "
			"good ones: %s", b->origin, n,
			osslp_err_text(e, ebuf, sizeof ebuf));
	}
	ERR_clear_error();
	*storep = store;
	*namesp = names;
	return TLSPLUG_OK;
}

/* ---- certificate chains and keys -------------------------------------- */

/* Appends the certificates of one blob to *sk. */
static int
osslp_certs_load(const struct tlsplug_blob *b, STACK_OF(X509) *sk,
                 struct tlsplug_error *err)
{
	unsigned long e;
	char ebuf[256];
	X509 *x;
	int n = 0;

	ERR_clear_error();
	if (b->format == TLSPLUG_FORMAT_DER) {
		const unsigned char *p = b->data;

		x = d2i_X509(NULL, &p, (long)b->len);
		if (x == NULL)
			goto bad;
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			goto nomem;
		}
		return TLSPLUG_OK;
	} else {
		BIO *bio = BIO_new_mem_buf(b->data, (int)b->len);

		if (bio == NULL)
			goto nomem;
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			if (!sk_X509_push(sk, x)) {
				X509_free(x);
				BIO_free(bio);
				goto nomem;
			}
			n++;
		}
		BIO_free(bio);
		e = ERR_peek_last_error();
		if (n > 0 && ERR_GET_LIB(e) == ERR_LIB_PEM &&
		    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
			ERR_clear_error();
			return TLSPLUG_OK;
		}
	}
bad:
	e = ERR_peek_last_error();
	ERR_clear_error();
	return osslp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, (long)e,
		"certificate %s: cannot parse: %s", b->origin,
		osslp_err_text(e, ebuf, sizeof ebuf));
nomem:
	ERR_clear_error();
	return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
	                             "out of memory");
}

struct osslp_pw {
	const struct tlsplug_bkey *key;
	int asked;      /* OpenSSL asked for a password */
	int given;      /* and we had one to give */
};

static int
osslp_pem_password(char *buf, int size, int rwflag, void *u)
{
	struct osslp_pw *pw = u;
	const struct tlsplug_bkey *k = pw->key;
	int r;

	(void)rwflag;
	pw->asked = 1;
	if (size <= 0)
		return -1;
	if (k->password != NULL) {
		size_t n = OSSLP_SIZE_MIN(k->password_len, (size_t)size);

		memcpy(buf, k->password, n);
		pw->given = 1;
		return (int)n;
	}
	if (k->password_cb != NULL) {
		r = k->password_cb(buf, (size_t)size, k->password_user_data);
		if (r < 0 || r > size)
			return -1;
		pw->given = 1;
		return r;
	}
	/* Never let OpenSSL fall back to prompting on the terminal. */
	return -1;
}

static int
osslp_key_load(const struct tlsplug_bkey *k, EVP_PKEY **out,
               struct tlsplug_error *err)
{
	const struct tlsplug_blob *b = &k->blob;
	struct osslp_pw pw = { k, 0, 0 };
	EVP_PKEY *pkey = NULL;
	int encrypted = 0;
	unsigned long e;
	char ebuf[256];
	BIO *bio;

	ERR_clear_error();
	bio = BIO_new_mem_buf(b->data, (int)b->len);
	if (bio == NULL)
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	if (b->format == TLSPLUG_FORMAT_PEM) {
		/* "BEGIN ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" */
		encrypted = strstr((const char *)b->data, "ENCRYPTED") != NULL;
		pkey = PEM_read_bio_PrivateKey(bio, NULL, osslp_pem_password,
		                               &pw);
	} else {
		const unsigned char *p = b->data;
		X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)b->len);

		encrypted = sig != NULL;
		X509_SIG_free(sig);
		ERR_clear_error();
		if (encrypted) {
			pkey = d2i_PKCS8PrivateKey_bio(bio, NULL,
			                               osslp_pem_password, &pw);
		} else {
			p = b->data;
			pkey = d2i_AutoPrivateKey(NULL, &p, (long)b->len);
		}
	}
	BIO_free(bio);
	e = ERR_peek_last_error();
	ERR_clear_error();
	if (pkey != NULL) {
		*out = pkey;
		return TLSPLUG_OK;
	}
	if (encrypted && !pw.given)
		return osslp_core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD,
			(long)e, "private key %s is encrypted and no password "
			"was given", b->origin);
	if (encrypted)
		return osslp_core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD,
			(long)e, "private key %s: wrong password (%s)",
			b->origin, osslp_err_text(e, ebuf, sizeof ebuf));
	return osslp_core->set_error(err, TLSPLUG_ERR_BAD_KEY, (long)e,
		"private key %s: cannot parse: %s", b->origin,
		osslp_err_text(e, ebuf, sizeof ebuf));
}

/* Loads chain ch (leaf, intermediates, key) into s. */
int
osslp_chain_load(SSL_CTX *s, const struct tlsplug_bchain *ch,
                 struct tlsplug_error *err)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	EVP_PKEY *pkey = NULL;
	unsigned long e;
	char ebuf[256];
	const char *origin;
	size_t i;
	int rc = TLSPLUG_OK;

	if (sk == NULL)
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	for (i = 0; i < ch->ncerts && rc == TLSPLUG_OK; i++)
		rc = osslp_certs_load(&ch->certs[i], sk, err);
	if (rc != TLSPLUG_OK)
		goto done;
	origin = ch->ncerts > 0 ? ch->certs[0].origin : "(none)";
	if (sk_X509_num(sk) == 0) {
		rc = osslp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, 0,
			"certificate chain %s holds no certificate", origin);
		goto done;
	}
	if (ch->key == NULL) {
		rc = osslp_core->set_error(err, TLSPLUG_ERR_BAD_KEY, 0,
			"certificate chain %s has no private key", origin);
		goto done;
	}
	rc = osslp_key_load(ch->key, &pkey, err);
	if (rc != TLSPLUG_OK)
		goto done;
	ERR_clear_error();
	if (!SSL_CTX_use_certificate(s, sk_X509_value(sk, 0))) {
		e = ERR_peek_last_error();
		rc = osslp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE,
			(long)e, "certificate %s cannot be used: %s", origin,
			osslp_err_text(e, ebuf, sizeof ebuf));
		goto done;
	}
	for (i = 1; i < (size_t)sk_X509_num(sk); i++) {
		if (!SSL_CTX_add1_chain_cert(s, sk_X509_value(sk, (int)i))) {
			rc = osslp_core->set_error(err, TLSPLUG_ERR_NOMEM,
				(long)ERR_peek_last_error(), "out of memory");
			goto done;
		}
	}
	if (!SSL_CTX_use_PrivateKey(s, pkey) ||
	    !SSL_CTX_check_private_key(s)) {
		e = ERR_peek_last_error();
		rc = osslp_core->set_error(err, TLSPLUG_ERR_KEY_MISMATCH,
			(long)e, "private key %s does not match certificate "
			"%s", ch->key->blob.origin, origin);
		goto done;
	}
done:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

