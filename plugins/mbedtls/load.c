/*
 * load.c -- what a config carries, parsed into mbedTLS objects:
 * certificate chains, private keys (PEM or DER; encrypted ones with a
 * password or a password callback) and trust stores.
 *
 * mbedTLS 2.28 decrypts traditional PEM keys (DEK-Info) itself, but of
 * encrypted PKCS#8 it knows only PBES2 with DES: the AES-CBC scheme every
 * current tool writes ("openssl pkcs8 -v2 aes-256-cbc", the default) is
 * decrypted here with mbedTLS's own PBKDF2 and AES, then parsed as a plain
 * PKCS#8 key.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/cipher.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Longest password a password callback may return. */
#define MBTP_PASSWORD_MAX 1024

/* The high-level part of an mbedTLS error code (module, not cause). */
#define MBTP_HIGH(ret) (-((-(ret)) & 0xFF80))

/* Bytes mbedTLS's parsers take: PEM with its terminating NUL. */
static size_t
mbtp_blob_len(const struct tlsplug_blob *b)
{
	return b->format == TLSPLUG_FORMAT_PEM ? b->len + 1 : b->len;
}

/* Whether b is a traditional encrypted PEM key (RFC 1421 headers). */
static bool
mbtp_pem_encrypted(const struct tlsplug_blob *b)
{
	static const char tag[] = "Proc-Type: 4,ENCRYPTED";

	return b->format == TLSPLUG_FORMAT_PEM &&
	       memmem(b->data, b->len, tag, sizeof(tag) - 1) != NULL;
}

/* ---- certificates ---- */

static int
mbtp_cert_error(const struct tlsplug_blob *b, int ret,
                struct tlsplug_error *err)
{
	char text[160];

	if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
		return mbtp_core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
			"out of memory");
	/* Ed25519 and other algorithms mbedTLS 2.28 lacks. */
	if (MBTP_HIGH(ret) == MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG ||
	    MBTP_HIGH(ret) == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG ||
	    ret == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG)
		return mbtp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, ret,
			"certificate %s: its key or signature algorithm is not "
			"supported by mbedTLS 2.28 (RSA and ECDSA only; no "
			"Ed25519)", b->origin);
	return mbtp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, ret,
		"certificate %s: %s", b->origin,
		mbtp_strerror(ret, text, sizeof(text)));
}

/* Appends the certificates of blob b to crt, one PEM block at a time so
 * that a failure says why (mbedtls_x509_crt_parse only counts them). */
static int
mbtp_parse_certs(mbedtls_x509_crt *crt, const struct tlsplug_blob *b,
                 struct tlsplug_error *err)
{
	const unsigned char *p = b->data;
	mbedtls_pem_context pem;
	size_t used;
	int ret, n = 0;

	if (b->format == TLSPLUG_FORMAT_DER) {
		ret = mbedtls_x509_crt_parse_der(crt, b->data, b->len);
		return ret == 0 ? TLSPLUG_OK : mbtp_cert_error(b, ret, err);
	}
	for (;;) {
		mbedtls_pem_init(&pem);
		ret = mbedtls_pem_read_buffer(&pem,
			"-----BEGIN CERTIFICATE-----",
			"-----END CERTIFICATE-----", p, NULL, 0, &used);
		if (ret == MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT) {
			mbedtls_pem_free(&pem);
			break;
		}
		if (ret == 0)
			ret = mbedtls_x509_crt_parse_der(crt, pem.buf,
			                                 pem.buflen);
		mbedtls_pem_free(&pem);
		if (ret != 0)
			return mbtp_cert_error(b, ret, err);
		p += used;
		n++;
	}
	if (n == 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, 0,
			"certificate %s: no PEM certificate found", b->origin);
	return TLSPLUG_OK;
}

/* ---- encrypted PKCS#8 (PBES2, PBKDF2, AES-CBC) ---- */

/* 1.2.840.113549.1.5.13 and .12 */
static const unsigned char mbtp_oid_pbes2[] = {
	0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D };
static const unsigned char mbtp_oid_pbkdf2[] = {
	0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0C };
/* 2.16.840.1.101.3.4.1.x: aes-128-cbc (2), -192-cbc (22), -256-cbc (42) */
static const unsigned char mbtp_oid_aes[] = {
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01 };

static int
mbtp_oid_is(const mbedtls_asn1_buf *oid, const unsigned char *v, size_t n)
{
	return oid->len == n && memcmp(oid->p, v, n) == 0;
}

/* What an EncryptedPrivateKeyInfo with PBES2 / PBKDF2 / AES-CBC holds. */
struct mbtp_pbes2 {
	mbedtls_asn1_buf salt;
	int iterations;
	mbedtls_md_type_t prf;
	mbedtls_cipher_type_t cipher;
	mbedtls_asn1_buf iv;
	const unsigned char *data;    /* encrypted PrivateKeyInfo */
	size_t len;
};

/*
 * Reads DER at p..end as an EncryptedPrivateKeyInfo of that scheme.
 * Returns 1 when it is one, 0 when it is not (another key form, or a
 * scheme left to mbedTLS).
 */
static int
mbtp_pbes2_parse(unsigned char *p, const unsigned char *end,
                 struct mbtp_pbes2 *out)
{
	mbedtls_asn1_buf alg, params, kdf, kdfp, enc, encp, prf;
	unsigned char *q, *qend;
	size_t len;

	memset(out, 0, sizeof(*out));
	out->prf = MBEDTLS_MD_SHA1;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
	                         MBEDTLS_ASN1_SEQUENCE) != 0)
		return 0;
	end = p + len;
	if (mbedtls_asn1_get_alg(&p, end, &alg, &params) != 0 ||
	    !mbtp_oid_is(&alg, mbtp_oid_pbes2, sizeof(mbtp_oid_pbes2)) ||
	    params.tag != (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return 0;
	/* PBES2-params: keyDerivationFunc, encryptionScheme */
	q = params.p;
	qend = params.p + params.len;
	if (mbedtls_asn1_get_alg(&q, qend, &kdf, &kdfp) != 0 ||
	    !mbtp_oid_is(&kdf, mbtp_oid_pbkdf2, sizeof(mbtp_oid_pbkdf2)) ||
	    mbedtls_asn1_get_alg(&q, qend, &enc, &encp) != 0)
		return 0;
	if (enc.len != sizeof(mbtp_oid_aes) + 1 ||
	    memcmp(enc.p, mbtp_oid_aes, sizeof(mbtp_oid_aes)) != 0)
		return 0;
	switch (enc.p[sizeof(mbtp_oid_aes)]) {
	case 2: out->cipher = MBEDTLS_CIPHER_AES_128_CBC; break;
	case 22: out->cipher = MBEDTLS_CIPHER_AES_192_CBC; break;
	case 42: out->cipher = MBEDTLS_CIPHER_AES_256_CBC; break;
	default: return 0;
	}
	if (encp.tag != MBEDTLS_ASN1_OCTET_STRING || encp.len != 16)
		return 0;
	out->iv = encp;
	/* PBKDF2-params: salt, iterationCount, keyLength?, prf? */
	if (kdfp.tag != (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return 0;
	q = kdfp.p;
	qend = kdfp.p + kdfp.len;
	if (mbedtls_asn1_get_tag(&q, qend, &len, MBEDTLS_ASN1_OCTET_STRING) !=
	    0)
		return 0;
	out->salt.p = q;
	out->salt.len = len;
	q += len;
	if (mbedtls_asn1_get_int(&q, qend, &out->iterations) != 0 ||
	    out->iterations <= 0)
		return 0;
	if (q < qend && *q == MBEDTLS_ASN1_INTEGER) {
		int keylen;

		if (mbedtls_asn1_get_int(&q, qend, &keylen) != 0)
			return 0;
	}
	if (q < qend) {
		mbedtls_asn1_buf none;

		if (mbedtls_asn1_get_alg(&q, qend, &prf, &none) != 0 ||
		    mbedtls_oid_get_md_hmac(&prf, &out->prf) != 0)
			return 0;
	}
	/* encryptedData */
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) !=
	    0 || len == 0 || len % 16 != 0)
		return 0;
	out->data = p;
	out->len = len;
	return 1;
}

/* Decrypts into plain (at least e->len bytes); *plen is set.  Returns 0,
 * or an mbedTLS error (MBEDTLS_ERR_CIPHER_INVALID_PADDING: wrong
 * password, most likely). */
static int
mbtp_pbes2_decrypt(const struct mbtp_pbes2 *e, const unsigned char *pw,
                   size_t pwlen, unsigned char *plain, size_t *plen)
{
	const mbedtls_cipher_info_t *ci = mbedtls_cipher_info_from_type(
		e->cipher);
	mbedtls_md_context_t md;
	mbedtls_cipher_context_t cc;
	unsigned char key[32];
	int ret;

	if (ci == NULL || mbedtls_md_info_from_type(e->prf) == NULL)
		return MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE;
	mbedtls_md_init(&md);
	mbedtls_cipher_init(&cc);
	ret = mbedtls_md_setup(&md, mbedtls_md_info_from_type(e->prf), 1);
	if (ret == 0)
		ret = mbedtls_pkcs5_pbkdf2_hmac(&md, pw, pwlen, e->salt.p,
			e->salt.len, (unsigned)e->iterations,
			ci->key_bitlen / 8, key);
	if (ret == 0)
		ret = mbedtls_cipher_setup(&cc, ci);
	if (ret == 0)
		ret = mbedtls_cipher_setkey(&cc, key, (int)ci->key_bitlen,
		                            MBEDTLS_DECRYPT);
	if (ret == 0)
		ret = mbedtls_cipher_set_padding_mode(&cc,
			MBEDTLS_PADDING_PKCS7);
	if (ret == 0)
		ret = mbedtls_cipher_crypt(&cc, e->iv.p, e->iv.len, e->data,
		                           e->len, plain, plen);
	mbedtls_platform_zeroize(key, sizeof(key));
	mbedtls_cipher_free(&cc);
	mbedtls_md_free(&md);
	return ret;
}

/*
 * If blob b is an encrypted PKCS#8 key of the AES scheme: decrypts it
 * with the password and parses the result into pk.  Returns 1 when it
 * handled b (*ret: 0 or the mbedTLS error), 0 when b is not such a key.
 */
static int
mbtp_pkcs8_aes(mbedtls_pk_context *pk, const struct tlsplug_blob *b,
               const unsigned char *pw, size_t pwlen, int *ret)
{
	mbedtls_pem_context pem;
	struct mbtp_pbes2 e;
	unsigned char *der, *plain;
	size_t derlen, plen = 0, used;
	int handled = 0;

	mbedtls_pem_init(&pem);
	if (b->format == TLSPLUG_FORMAT_PEM) {
		if (mbedtls_pem_read_buffer(&pem,
		    "-----BEGIN ENCRYPTED PRIVATE KEY-----",
		    "-----END ENCRYPTED PRIVATE KEY-----", b->data, NULL, 0,
		    &used) != 0) {
			mbedtls_pem_free(&pem);
			return 0;
		}
		der = pem.buf;
		derlen = pem.buflen;
	} else {
		der = (unsigned char *)b->data;
		derlen = b->len;
	}
	if (!mbtp_pbes2_parse(der, der + derlen, &e))
		goto out;
	handled = 1;
	if (pw == NULL) {
		*ret = MBEDTLS_ERR_PK_PASSWORD_REQUIRED;
		goto out;
	}
	plain = mbtp_core->alloc(e.len);
	if (plain == NULL) {
		*ret = MBEDTLS_ERR_PK_ALLOC_FAILED;
		goto out;
	}
	*ret = mbtp_pbes2_decrypt(&e, pw, pwlen, plain, &plen);
	if (*ret == 0) {
		*ret = mbedtls_pk_parse_key(pk, plain, plen, NULL, 0);
		/* Padding that happened to be right, under a wrong
		 * password, gives bytes that are no key. */
		if (*ret != 0 && *ret != MBEDTLS_ERR_PK_ALLOC_FAILED &&
		    *ret != MBEDTLS_ERR_PK_UNKNOWN_PK_ALG)
			*ret = MBEDTLS_ERR_PK_PASSWORD_MISMATCH;
	} else if (*ret == MBEDTLS_ERR_CIPHER_INVALID_PADDING) {
		*ret = MBEDTLS_ERR_PK_PASSWORD_MISMATCH;
	}
	mbedtls_platform_zeroize(plain, e.len);
	mbtp_core->free(plain);
out:
	mbedtls_pem_free(&pem);
	return handled;
}

/* ---- private keys ---- */

static int
mbtp_load_key(mbedtls_pk_context *pk, const struct tlsplug_bkey *k,
              struct tlsplug_error *err)
{
	const struct tlsplug_core *core = mbtp_core;
	unsigned char pw[MBTP_PASSWORD_MAX];
	const unsigned char *pass = NULL;
	size_t passlen = 0;
	char text[160];
	int n, ret = 0;

	if (k->password != NULL) {
		pass = (const unsigned char *)k->password;
		passlen = k->password_len;
	} else if (k->password_cb != NULL) {
		n = k->password_cb((char *)pw, sizeof(pw),
		                   k->password_user_data);
		if (n < 0 || (size_t)n > sizeof(pw)) {
			mbedtls_platform_zeroize(pw, sizeof(pw));
			return core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, 0,
				"key %s: the password callback gave no "
				"password", k->blob.origin);
		}
		pass = pw;
		passlen = (size_t)n;
	}
	if (!mbtp_pkcs8_aes(pk, &k->blob, pass, passlen, &ret))
		/* Every other form, mbedTLS itself (NULL: no password). */
		ret = mbedtls_pk_parse_key(pk, k->blob.data,
			mbtp_blob_len(&k->blob), pass,
			passlen);
	mbedtls_platform_zeroize(pw, sizeof(pw));
	switch (ret) {
	case 0:
		return TLSPLUG_OK;
	case MBEDTLS_ERR_PK_ALLOC_FAILED:
		return core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
			"out of memory");
	case MBEDTLS_ERR_PK_PASSWORD_REQUIRED:
		return core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, ret,
			"key %s: encrypted and no password given",
			k->blob.origin);
	case MBEDTLS_ERR_PK_PASSWORD_MISMATCH:
		return core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, ret,
			"key %s: wrong password", k->blob.origin);
	case MBEDTLS_ERR_PK_UNKNOWN_PK_ALG:
		return core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, ret,
			"key %s: its algorithm is not supported by mbedTLS "
			"2.28 (RSA and ECDSA only; no Ed25519)",
			k->blob.origin);
	default:
		/* mbedTLS tells a wrong password from the first two
		 * decrypted bytes only; about one wrong password in 500
		 * gets past that and then fails to decode: with a password
		 * on an encrypted key, that too is a wrong password (as
		 * the other engines report it). */
		if (MBTP_HIGH(ret) == MBEDTLS_ERR_PK_PASSWORD_MISMATCH ||
		    (pass != NULL && MBTP_HIGH(ret) ==
		     MBEDTLS_ERR_PEM_PASSWORD_MISMATCH) ||
		    (pass != NULL && mbtp_pem_encrypted(&k->blob)))
			return core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD,
				ret, "key %s: wrong password", k->blob.origin);
		return core->set_error(err, TLSPLUG_ERR_BAD_KEY, ret,
			"key %s: cannot decode: %s", k->blob.origin,
			mbtp_strerror(ret, text, sizeof(text)));
	}
}

/* ---- chains ---- */

void
mbtp_chain_init(struct mbtp_chain *ch)
{
	mbedtls_x509_crt_init(&ch->crt);
	mbedtls_pk_init(&ch->key);
}

void
mbtp_chain_free(struct mbtp_chain *ch)
{
	mbedtls_x509_crt_free(&ch->crt);
	mbedtls_pk_free(&ch->key);
}

int
mbtp_chain_load(struct mbtp_chain *ch, const struct tlsplug_bchain *bc,
                struct tlsplug_error *err)
{
	size_t i;
	int st, ret;

	if (bc->ncerts == 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, 0,
			"certificate chain is empty");
	for (i = 0; i < bc->ncerts; i++) {
		st = mbtp_parse_certs(&ch->crt, &bc->certs[i], err);
		if (st != TLSPLUG_OK)
			return st;
	}
	if (bc->key == NULL)
		return mbtp_core->set_error(err, TLSPLUG_ERR_BAD_KEY, 0,
			"certificate %s: no private key", bc->certs[0].origin);
	st = mbtp_load_key(&ch->key, bc->key, err);
	if (st != TLSPLUG_OK)
		return st;
	ret = mbedtls_pk_check_pair(&ch->crt.pk, &ch->key);
	if (ret != 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_KEY_MISMATCH, ret,
			"key %s does not match certificate %s",
			bc->key->blob.origin, bc->certs[0].origin);
	/* mbedTLS will not present a leaf whose extendedKeyUsage does not
	 * name its role.  Judging the purpose is the peer's job, as every
	 * other engine leaves it (the bytes sent are unchanged): mbedTLS
	 * is told the parsed leaf has no such extension. */
	ch->crt.ext_types &= ~MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE;
	/* mbedTLS builds an EC key's table of multiples of the generator
	 * on its first signature and stores it in the key, unlocked: sign
	 * once now, while the context is built on one thread, so that
	 * handshakes on several threads only read it. */
	if (mbedtls_pk_can_do(&ch->key, MBEDTLS_PK_ECDSA)) {
		unsigned char hash[32] = { 0 };
		unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
		size_t siglen;

		ret = mbedtls_pk_sign(&ch->key, MBEDTLS_MD_SHA256, hash,
		                      sizeof(hash), sig, &siglen, mbtp_random,
		                      NULL);
		if (ret != 0)
			return mbtp_core->set_error(err, TLSPLUG_ERR_BAD_KEY,
				ret, "key %s: cannot sign with it",
				bc->key->blob.origin);
	}
	return TLSPLUG_OK;
}

/* ---- trust ---- */

/* The system CA bundles of the common distributions, first found wins:
 * Debian and derivatives, Fedora/RHEL, openSUSE, Alpine and the BSDs. */
static const char *const mbtp_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/pki/tls/cert.pem",
	"/etc/ssl/ca-bundle.pem",
	"/etc/ssl/cert.pem",
};

const char *
mbtp_system_bundle(void)
{
	size_t i;

	for (i = 0; i < sizeof(mbtp_bundles) / sizeof(mbtp_bundles[0]); i++)
		if (access(mbtp_bundles[i], R_OK) == 0)
			return mbtp_bundles[i];
	return NULL;
}

int
mbtp_load_trust(mbedtls_x509_crt *out, const struct tlsplug_btrust *t,
                struct tlsplug_error *err)
{
	const char *file;
	int ret;

	if (t == NULL || t->system) {
		/* An absent or empty system store is no configuration
		 * error: verification then reports the peer untrusted.
		 * Certificates mbedTLS cannot parse (algorithms it lacks)
		 * are skipped. */
		file = mbtp_system_bundle();
		if (file != NULL) {
			ret = mbedtls_x509_crt_parse_file(out, file);
			if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
				return mbtp_core->set_error(err,
					TLSPLUG_ERR_NOMEM, ret,
					"out of memory");
		}
		return TLSPLUG_OK;
	}
	ret = mbedtls_x509_crt_parse(out, t->pem.data, t->pem.len + 1);
	if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
		return mbtp_core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
			"out of memory");
	if (out->version == 0)
		return mbtp_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE,
			ret, "trust store %s: no certificate mbedTLS can use",
			t->pem.origin);
	return TLSPLUG_OK;
}

int
mbtp_load_crls(mbedtls_x509_crl *crl, const struct tlsplug_bconfig *cfg,
               struct tlsplug_error *err)
{
	char text[128];
	size_t i;
	int ret;

	for (i = 0; i < cfg->ncrls; i++) {
		const struct tlsplug_blob *b = &cfg->crls[i];

		ret = mbedtls_x509_crl_parse(crl, b->data, mbtp_blob_len(b));
		if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
			return mbtp_core->set_error(err, TLSPLUG_ERR_NOMEM,
				ret, "out of memory");
		if (ret != 0)
			return mbtp_core->set_error(err, TLSPLUG_ERR_INVALID,
				ret, "CRL %s: mbedTLS cannot use it: %s",
				b->origin, mbtp_strerror(ret, text,
				                         sizeof(text)));
	}
	return TLSPLUG_OK;
}
