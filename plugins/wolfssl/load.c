/*
 * load.c -- parsing what a config carries into wolfSSL objects: the
 * trust store (a PEM blob, or the system's), certificate chains and
 * private keys (PEM or DER, encrypted keys with a password or a password
 * callback).
 *
 * A chain goes to wolfSSL as one PEM buffer (leaf first): DER blobs are
 * converted, PEM blobs copied.  Only when wolfSSL refuses that buffer is
 * each blob tried alone, to name the file at fault.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <tlsplug/backend.h>

#include "plugin.h"

#define WOLFP_SIZE_MIN(a, b) ((a) < (b) ? (a) : (b))

const char *
wolfp_err_text(int e, char *buf, size_t size)
{
	char text[WOLFSSL_MAX_ERROR_SZ];

	if (e == 0)
		return "unknown error";
	wolfSSL_ERR_error_string_n((unsigned long)(long)e, text, sizeof text);
	snprintf(buf, size, "%s (%d)", text, e);
	return buf;
}

/* ---- trust ------------------------------------------------------------- */

int
wolfp_trust_load(WOLFSSL_CTX *w, const struct tlsplug_blob *b,
                 struct tlsplug_error *err)
{
	char ebuf[WOLFP_ERRTEXT_MAX];
	int r;

	r = wolfSSL_CTX_load_verify_buffer(w, b->data, (long)b->len,
	                                   WOLFSSL_FILETYPE_PEM);
	wolfSSL_ERR_clear_error();
	if (r == WOLFSSL_SUCCESS)
		return TLSPLUG_OK;
	if (r == MEMORY_E)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, r,
		                             "out of memory");
	return wolfp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, r,
		"trust store %s: cannot read its certificates: %s", b->origin,
		wolfp_err_text(r, ebuf, sizeof ebuf));
}

int
wolfp_trust_system(WOLFSSL_CTX *w, struct tlsplug_error *err)
{
	int r = wolfSSL_CTX_load_system_CA_certs(w);

	wolfSSL_ERR_clear_error();
	if (r == WOLFSSL_SUCCESS)
		return TLSPLUG_OK;
	return wolfp_core->set_error(err, TLSPLUG_ERR_BACKEND, r,
		"cannot load the system trust store "
		"(wolfSSL_CTX_load_system_CA_certs)");
}

/* ---- certificate chains ------------------------------------------------ */

/* Bytes the PEM form of blob b takes at most. */
static size_t
wolfp_pem_size(const struct tlsplug_blob *b)
{
	if (b->format == TLSPLUG_FORMAT_PEM)
		return b->len + 1;
	/* base64 (4/3), a newline per 64 characters, the two lines. */
	return b->len * 4 / 3 + b->len / 48 + 128;
}

/* Appends the PEM form of b at out + *used (room for wolfp_pem_size). */
static int
wolfp_pem_append(const struct tlsplug_blob *b, unsigned char *out,
                 size_t *used, size_t room)
{
	int n;

	if (b->format == TLSPLUG_FORMAT_PEM) {
		memcpy(out + *used, b->data, b->len);
		*used += b->len;
		out[(*used)++] = '\n';
		return 0;
	}
	n = wc_DerToPem(b->data, (word32)b->len, out + *used,
	                (word32)(room - *used), CERT_TYPE);
	if (n <= 0)
		return -1;
	*used += (size_t)n;
	return 0;
}

/* After wolfSSL refused chain ch: which blob is at fault, and why. */
static int
wolfp_chain_blame(const struct tlsplug_bchain *ch, int r,
                  struct tlsplug_error *err)
{
	char ebuf[WOLFP_ERRTEXT_MAX];
	WOLFSSL_CTX *probe;
	size_t i;

	if (r == MEMORY_E)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, r,
		                             "out of memory");
	probe = wolfSSL_CTX_new(wolfSSLv23_server_method());
	for (i = 0; probe != NULL && i < ch->ncerts; i++) {
		const struct tlsplug_blob *b = &ch->certs[i];
		int fmt = b->format == TLSPLUG_FORMAT_PEM ?
		          WOLFSSL_FILETYPE_PEM : WOLFSSL_FILETYPE_ASN1;
		int r2 = fmt == WOLFSSL_FILETYPE_PEM ?
		    wolfSSL_CTX_use_certificate_chain_buffer(probe, b->data,
		                                             (long)b->len) :
		    wolfSSL_CTX_use_certificate_buffer(probe, b->data,
		                                       (long)b->len, fmt);

		if (r2 != WOLFSSL_SUCCESS) {
			wolfSSL_CTX_free(probe);
			wolfSSL_ERR_clear_error();
			return wolfp_core->set_error(err,
				TLSPLUG_ERR_BAD_CERTIFICATE, r2,
				"certificate %s: cannot parse: %s", b->origin,
				wolfp_err_text(r2, ebuf, sizeof ebuf));
		}
	}
	wolfSSL_CTX_free(probe);
	wolfSSL_ERR_clear_error();
	return wolfp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, r,
		"certificate chain %s cannot be used: %s",
		ch->ncerts > 0 ? ch->certs[0].origin : "(none)",
		wolfp_err_text(r, ebuf, sizeof ebuf));
}

static int
wolfp_certs_load(WOLFSSL_CTX *w, const struct tlsplug_bchain *ch,
                 struct tlsplug_error *err)
{
	unsigned char *pem;
	size_t i, size = 1, used = 0;
	int r;

	for (i = 0; i < ch->ncerts; i++)
		size += wolfp_pem_size(&ch->certs[i]);
	pem = wolfp_core->alloc(size);
	if (pem == NULL)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	for (i = 0; i < ch->ncerts; i++) {
		if (wolfp_pem_append(&ch->certs[i], pem, &used, size) != 0) {
			wolfp_core->free(pem);
			return wolfp_core->set_error(err,
				TLSPLUG_ERR_BAD_CERTIFICATE, 0,
				"certificate %s: cannot parse",
				ch->certs[i].origin);
		}
	}
	pem[used] = '\0';
	r = used > 0 ? wolfSSL_CTX_use_certificate_chain_buffer(w, pem,
	                                                       (long)used) :
	               WOLFSSL_FAILURE;
	wolfp_core->free(pem);
	wolfSSL_ERR_clear_error();
	if (r == WOLFSSL_SUCCESS)
		return TLSPLUG_OK;
	if (ch->ncerts == 0)
		return wolfp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE,
			0, "certificate chain holds no certificate");
	return wolfp_chain_blame(ch, r, err);
}

/* ---- private keys ------------------------------------------------------ */

struct wolfp_pw {
	const struct tlsplug_bkey *key;
	int asked;      /* wolfSSL asked for a password */
	int given;      /* and we had one to give */
};

static int
wolfp_password_cb(char *buf, int size, int rwflag, void *u)
{
	struct wolfp_pw *pw = u;
	const struct tlsplug_bkey *k = pw->key;
	int r;

	(void)rwflag;
	pw->asked = 1;
	if (size <= 0)
		return -1;
	if (k->password != NULL) {
		size_t n = WOLFP_SIZE_MIN(k->password_len, (size_t)size);

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
	return -1;
}

/* 1 when DER data is an EncryptedPrivateKeyInfo (RFC 5958): a SEQUENCE
 * whose first element is a SEQUENCE (the algorithm), where a plain key
 * starts with an INTEGER. */
static int
wolfp_der_encrypted(const unsigned char *p, size_t len)
{
	size_t off = 2;

	if (len < 4 || p[0] != 0x30)
		return 0;
	if (p[1] & 0x80)
		off += p[1] & 0x7f;
	return off < len && p[off] == 0x30;
}

/* Loads key k into w; *encrypted tells whether it was. */
static int
wolfp_key_load(WOLFSSL_CTX *w, const struct tlsplug_bkey *k, int *encryptedp,
               struct tlsplug_error *err)
{
	const struct tlsplug_blob *b = &k->blob;
	struct wolfp_pw pw = { k, 0, 0 };
	char ebuf[WOLFP_ERRTEXT_MAX];
	int encrypted, r;

	if (b->format == TLSPLUG_FORMAT_PEM)
		/* "BEGIN ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" */
		encrypted = strstr((const char *)b->data, "ENCRYPTED") != NULL;
	else
		encrypted = wolfp_der_encrypted(b->data, b->len);
	*encryptedp = encrypted;
	/* The callback sees pw only while this key loads. */
	wolfSSL_CTX_set_default_passwd_cb(w, wolfp_password_cb);
	wolfSSL_CTX_set_default_passwd_cb_userdata(w, &pw);
	r = wolfSSL_CTX_use_PrivateKey_buffer(w, b->data, (long)b->len,
		b->format == TLSPLUG_FORMAT_PEM ? WOLFSSL_FILETYPE_PEM :
		                                  WOLFSSL_FILETYPE_ASN1);
	wolfSSL_CTX_set_default_passwd_cb(w, NULL);
	wolfSSL_CTX_set_default_passwd_cb_userdata(w, NULL);
	wolfSSL_ERR_clear_error();
	if (r == WOLFSSL_SUCCESS)
		return TLSPLUG_OK;
	if (r == MEMORY_E)
		return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, r,
		                             "out of memory");
	if (encrypted && !pw.given)
		return wolfp_core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, r,
			"private key %s is encrypted and no password was "
			"given", b->origin);
	if (encrypted)
		return wolfp_core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, r,
			"private key %s: wrong password (%s)", b->origin,
			wolfp_err_text(r, ebuf, sizeof ebuf));
	return wolfp_core->set_error(err, TLSPLUG_ERR_BAD_KEY, r,
		"private key %s: cannot parse: %s", b->origin,
		wolfp_err_text(r, ebuf, sizeof ebuf));
}

/* ---- key and certificate match --------------------------------------- */

/* Big enough for the DER of any EC private key (P-521: 223 bytes) and of
 * any SubjectPublicKeyInfo this check reads. */
#define WOLFP_KEY_DER_MAX 1024

struct wolfp_ec_pair {
	ecc_key priv, pub;
	unsigned char der[WOLFP_KEY_DER_MAX], spki[WOLFP_KEY_DER_MAX];
	unsigned char a[256], b[256];
};

/*
 * wolfSSL_CTX_check_private_key accepts any EC key on the certificate's
 * curve in this wolfSSL (5.5.4 as Debian builds it), and a traditional
 * encrypted PEM key decrypted with a wrong password still loads.  So for
 * EC keys the plugin compares the public point computed from the private
 * key with the certificate's.  Returns 1 on a match, 0 on a mismatch,
 * WOLFP_NOT_EC when the key is not an EC key (wolfSSL's check stands), or
 * TLSPLUG_ERR_NOMEM.
 */
#define WOLFP_NOT_EC 2
static int
wolfp_ec_key_matches(WOLFSSL_CTX *w)
{
	WOLFSSL_EVP_PKEY *pk = wolfSSL_CTX_get0_privatekey(w);
	WOLFSSL_X509 *x = wolfSSL_CTX_get0_certificate(w);
	struct wolfp_ec_pair *e;
	unsigned char *p;
	word32 idx = 0, la, lb;
	int n, spki_len, r = WOLFP_NOT_EC;

	if (pk == NULL || x == NULL)
		return WOLFP_NOT_EC;
	n = wolfSSL_i2d_PrivateKey(pk, NULL);
	if (n <= 0 || n > WOLFP_KEY_DER_MAX)
		return WOLFP_NOT_EC;
	e = wolfp_core->alloc(sizeof *e);
	if (e == NULL)
		return TLSPLUG_ERR_NOMEM;
	p = e->der;
	if (wc_ecc_init(&e->priv) != 0) {
		wolfp_core->free(e);
		return WOLFP_NOT_EC;
	}
	if (wc_ecc_init(&e->pub) != 0) {
		wc_ecc_free(&e->priv);
		wolfp_core->free(e);
		return WOLFP_NOT_EC;
	}
	spki_len = (int)sizeof e->spki;
	la = (word32)sizeof e->a;
	lb = (word32)sizeof e->b;
	if (wolfSSL_i2d_PrivateKey(pk, &p) == n &&
	    wc_EccPrivateKeyDecode(e->der, &idx, &e->priv, (word32)n) == 0 &&
	    wolfSSL_X509_get_pubkey_buffer(x, e->spki, &spki_len) ==
	    WOLFSSL_SUCCESS) {
		idx = 0;
		/* A certificate of another key type: no match. */
		r = 0;
		if (wc_EccPublicKeyDecode(e->spki, &idx, &e->pub,
		                          (word32)spki_len) == 0 &&
		    wc_ecc_make_pub(&e->priv, NULL) == 0 &&
		    wc_ecc_export_x963(&e->priv, e->a, &la) == 0 &&
		    wc_ecc_export_x963(&e->pub, e->b, &lb) == 0)
			r = la == lb && memcmp(e->a, e->b, la) == 0;
	}
	wc_ecc_free(&e->priv);
	wc_ecc_free(&e->pub);
	explicit_bzero(e, sizeof *e);     /* the private key's bytes */
	wolfp_core->free(e);
	return r;
}

int
wolfp_chain_load(WOLFSSL_CTX *w, const struct tlsplug_bchain *ch,
                 struct tlsplug_error *err)
{
	const char *origin = ch->ncerts > 0 ? ch->certs[0].origin : "(none)";
	int rc, encrypted = 0, match;

	rc = wolfp_certs_load(w, ch, err);
	if (rc != TLSPLUG_OK)
		return rc;
	if (ch->key == NULL)
		return wolfp_core->set_error(err, TLSPLUG_ERR_BAD_KEY, 0,
			"certificate chain %s has no private key", origin);
	rc = wolfp_key_load(w, ch->key, &encrypted, err);
	if (rc != TLSPLUG_OK)
		return rc;
	match = wolfSSL_CTX_check_private_key(w) == WOLFSSL_SUCCESS;
	wolfSSL_ERR_clear_error();
	if (match) {
		int m = wolfp_ec_key_matches(w);

		wolfSSL_ERR_clear_error();
		if (m == TLSPLUG_ERR_NOMEM)
			return wolfp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			                             "out of memory");
		match = m != 0;
	}
	if (match)
		return TLSPLUG_OK;
	/* wolfSSL decrypts a traditional PEM key with any password: a
	 * wrong one shows only here. */
	if (encrypted)
		return wolfp_core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, 0,
			"private key %s: wrong password (the key it decrypts "
			"to does not match certificate %s)",
			ch->key->blob.origin, origin);
	return wolfp_core->set_error(err, TLSPLUG_ERR_KEY_MISMATCH, 0,
		"private key %s does not match certificate %s",
		ch->key->blob.origin, origin);
}
