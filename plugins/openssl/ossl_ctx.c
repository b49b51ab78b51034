/*
 * ossl_ctx.c -- OpenSSL engine contexts (SSL_CTX) built from a backend
 * config: versions, cipher suites, ALPN, trust, certificate chains and
 * keys, and the server's ClientHello hook (chain per SNI, SNI callback).
 *
 * A server gets one SSL_CTX per certificate chain, since an SSL_CTX holds
 * only one chain per key type; the ClientHello hook moves the connection to
 * the SSL_CTX whose chain matches the client's SNI.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ossl.h"

#define SIZE_MIN(a, b) ((a) < (b) ? (a) : (b))

/* Text of the last OpenSSL error, for messages. */
static const char *
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

/* ---- versions ---------------------------------------------------------- */

static int
osslp_version(enum tlsplug_version v, const char *setting, int *out,
              struct tlsplug_error *err)
{
	switch (v) {
	case TLSPLUG_VERSION_NONE:
	case TLSPLUG_VERSION_MINIMUM_SUPPORTED:
	case TLSPLUG_VERSION_MAXIMUM_SUPPORTED:
		*out = 0;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_TLSv1_2:
		*out = TLS1_2_VERSION;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_TLSv1_3:
		*out = TLS1_3_VERSION;
		return TLSPLUG_OK;
	case TLSPLUG_VERSION_SSLv2:
	case TLSPLUG_VERSION_SSLv3:
		return osslp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"%s: %s is not supported by OpenSSL", setting,
			v == TLSPLUG_VERSION_SSLv2 ? "SSLv2" : "SSLv3");
	case TLSPLUG_VERSION_TLSv1:
	case TLSPLUG_VERSION_TLSv1_1:
		return osslp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED, 0,
			"%s: %s is not supported (OpenSSL 3 refuses TLS 1.0 "
			"and 1.1 at security level 1 and above)", setting,
			v == TLSPLUG_VERSION_TLSv1 ? "TLSv1" : "TLSv1.1");
	}
	return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
	                             "%s: unknown TLS version %d", setting,
	                             (int)v);
}

static const char *
osslp_version_text(int v)
{
	switch (v) {
	case 0:
		return "engine limit";
	case TLS1_2_VERSION:
		return "TLSv1.2";
	case TLS1_3_VERSION:
		return "TLSv1.3";
	default:
		return "?";
	}
}

/* ---- cipher suites ----------------------------------------------------- */

static int
osslp_is_tls13(const SSL_CIPHER *c)
{
	return strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0;
}

static char *
osslp_strcat_alloc(size_t size)
{
	char *s = osslp_core->alloc(size);

	if (s != NULL)
		s[0] = '\0';
	return s;
}

/* Splits the requested ids into an OpenSSL TLS 1.2 cipher string and a
 * TLS 1.3 ciphersuite string, in order; ids OpenSSL lacks are skipped. */
static int
osslp_ciphers_build(struct osslp_engine *e, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	size_t len12 = 1, len13 = 1, i;

	if (cfg->nciphers == 0)
		return TLSPLUG_OK;
	for (i = 0; i < cfg->nciphers; i++) {
		const SSL_CIPHER *c;

		/* Signalling values, not suites. */
		if (cfg->ciphers[i] == 0x00FF || cfg->ciphers[i] == 0x5600)
			continue;
		c = osslp_cipher_find(cfg->ciphers[i]);
		if (c == NULL)
			continue;
		if (osslp_is_tls13(c))
			len13 += strlen(SSL_CIPHER_get_name(c)) + 1;
		else
			len12 += strlen(SSL_CIPHER_get_name(c)) + 1;
	}
	e->ciphers12 = osslp_strcat_alloc(len12);
	e->ciphers13 = osslp_strcat_alloc(len13);
	if (e->ciphers12 == NULL || e->ciphers13 == NULL)
		return osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                             "out of memory");
	for (i = 0; i < cfg->nciphers; i++) {
		const SSL_CIPHER *c;
		char *dst;

		if (cfg->ciphers[i] == 0x00FF || cfg->ciphers[i] == 0x5600)
			continue;
		c = osslp_cipher_find(cfg->ciphers[i]);
		if (c == NULL)
			continue;
		dst = osslp_is_tls13(c) ? e->ciphers13 : e->ciphers12;
		if (dst[0] != '\0')
			strcat(dst, ":");
		strcat(dst, SSL_CIPHER_get_name(c));
	}
	return TLSPLUG_OK;
}

/* Sets cipher lists and version bounds on an SSL_CTX. */
static int
osslp_apply_params(SSL_CTX *s, const struct osslp_engine *e)
{
	if (!SSL_CTX_set_min_proto_version(s, e->min_version) ||
	    !SSL_CTX_set_max_proto_version(s, e->max_version))
		return -1;
	if (e->ciphers12 != NULL) {
		/* An empty TLS 1.2 list "fails" but is set: only the TLS 1.3
		 * suites remain, which is what was asked. */
		SSL_CTX_set_cipher_list(s, e->ciphers12);
		ERR_clear_error();
		if (!SSL_CTX_set_ciphersuites(s, e->ciphers13))
			return -1;
	}
	return 0;
}

/*
 * Checks that the requested suites leave something usable and narrows the
 * version range to the versions they cover, so that a TLS 1.2-only (or
 * TLS 1.3-only) list is honoured exactly.
 */
static int
osslp_ciphers_check(struct osslp_engine *e, struct tlsplug_error *err)
{
	SSL_CTX *probe;
	SSL *ssl = NULL;
	STACK_OF(SSL_CIPHER) *sk = NULL;
	int has12 = 0, has13 = 0, i, pass, rc = TLSPLUG_OK;

	if (e->ciphers12 == NULL)
		return TLSPLUG_OK;
	for (pass = 0; pass < 2; pass++) {
		has12 = has13 = 0;
		probe = SSL_CTX_new(TLS_method());
		if (probe == NULL || osslp_apply_params(probe, e) != 0 ||
		    (ssl = SSL_new(probe)) == NULL) {
			SSL_CTX_free(probe);
			return osslp_core->set_error(err, TLSPLUG_ERR_BACKEND,
				(long)ERR_peek_last_error(),
				"cannot set up cipher suites");
		}
		sk = SSL_get1_supported_ciphers(ssl);
		for (i = 0; sk != NULL && i < sk_SSL_CIPHER_num(sk); i++) {
			if (osslp_is_tls13(sk_SSL_CIPHER_value(sk, i)))
				has13 = 1;
			else
				has12 = 1;
		}
		sk_SSL_CIPHER_free(sk);
		SSL_free(ssl);
		ssl = NULL;
		SSL_CTX_free(probe);
		ERR_clear_error();
		if (!has12 && !has13) {
			rc = osslp_core->set_error(err, TLSPLUG_ERR_UNSUPPORTED,
				0, "ciphers: none of the %zu requested suites "
				"is available in %s (versions %s to %s)",
				e->cfg->nciphers, OpenSSL_version(OPENSSL_VERSION),
				osslp_version_text(e->min_version),
				osslp_version_text(e->max_version));
			break;
		}
		if (pass == 1)
			break;
		if (!has13 && (e->max_version == 0 ||
		               e->max_version > TLS1_2_VERSION))
			e->max_version = TLS1_2_VERSION;
		if (!has12 && e->min_version < TLS1_3_VERSION)
			e->min_version = TLS1_3_VERSION;
	}
	return rc;
}

/* ---- ALPN -------------------------------------------------------------- */

/* Server: the first of our protocols (our preference) the client offers;
 * no overlap means no ALPN, not a failure. */
static int
osslp_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                  const unsigned char *in, unsigned int inlen, void *arg)
{
	const struct tlsplug_bconfig *cfg = arg;
	size_t i, off;

	(void)ssl;
	for (i = 0; i + 1 <= cfg->alpn_wire_len;
	     i += 1 + (size_t)cfg->alpn_wire[i]) {
		const unsigned char *p = cfg->alpn_wire + i + 1;
		size_t plen = cfg->alpn_wire[i];

		if (i + 1 + plen > cfg->alpn_wire_len)
			break;
		for (off = 0; off < inlen; off += 1 + (size_t)in[off]) {
			size_t l = in[off];

			if (off + 1 + l > inlen)
				break;
			if (l == plen && memcmp(in + off + 1, p, l) == 0) {
				*out = in + off + 1;
				*outlen = (unsigned char)l;
				return SSL_TLSEXT_ERR_OK;
			}
		}
	}
	return SSL_TLSEXT_ERR_NOACK;
}

/* ---- trust ------------------------------------------------------------- */

static int
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
		size_t n = SIZE_MIN(k->password_len, (size_t)size);

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

/* Loads chain ch (leaf, intermediates, key) into s and records the leaf's
 * subjectAltName in out. */
static int
osslp_chain_load(SSL_CTX *s, const struct tlsplug_bchain *ch,
                 struct osslp_chain *out, struct tlsplug_error *err)
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
	if (osslp_cert_sans(sk_X509_value(sk, 0), &out->gens, &out->sans,
	                    &out->nsans) != 0)
		rc = osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                           "out of memory");
done:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

/* ---- SSL_CTX ----------------------------------------------------------- */

static SSL_CTX *
osslp_sctx_new(struct osslp_engine *e, X509_STORE *store,
               STACK_OF(X509_NAME) *ca_names, struct tlsplug_error *err)
{
	const struct tlsplug_bconfig *cfg = e->cfg;
	int need_trust;
	SSL_CTX *s;

	ERR_clear_error();
	s = SSL_CTX_new(TLS_method());
	if (s == NULL) {
		osslp_core->set_error(err, TLSPLUG_ERR_NOMEM,
		                      (long)ERR_peek_last_error(),
		                      "cannot create SSL_CTX");
		return NULL;
	}
	if (osslp_apply_params(s, e) != 0)
		goto fail;
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Post-handshake messages must not make read block; the read
	 * entry point retries itself while input is available. */
	SSL_CTX_clear_mode(s, SSL_MODE_AUTO_RETRY);
	SSL_CTX_set_verify(s, e->verify_mode, osslp_verify_cb);
	if (e->role == TLSPLUG_SERVER) {
		SSL_CTX_set_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
		SSL_CTX_set_dh_auto(s, 1);
		/* Sessions resume only under the engine that made them. */
		if (!SSL_CTX_set_session_id_context(s,
		                (const unsigned char *)&e, sizeof e))
			goto fail;
		SSL_CTX_set_client_hello_cb(s, osslp_client_hello_cb, NULL);
		if (cfg->nalpn > 0)
			SSL_CTX_set_alpn_select_cb(s, osslp_alpn_select,
			                           (void *)cfg);
		need_trust = cfg->verify_peer;
	} else {
		if (cfg->nalpn > 0 &&
		    SSL_CTX_set_alpn_protos(s, cfg->alpn_wire,
		                            (unsigned)cfg->alpn_wire_len) != 0)
			goto fail;
		need_trust = cfg->validate;
	}
	if (need_trust) {
		/* Accept a trusted intermediate as anchor, as other engines
		 * do. */
		X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(s),
		                            X509_V_FLAG_PARTIAL_CHAIN);
		if (store != NULL) {
			if (!X509_STORE_up_ref(store))
				goto fail;
			SSL_CTX_set_cert_store(s, store);
		} else if (!SSL_CTX_set_default_verify_paths(s)) {
			goto fail;
		}
		if (e->role == TLSPLUG_SERVER && ca_names != NULL) {
			STACK_OF(X509_NAME) *dup = SSL_dup_CA_list(ca_names);

			if (dup == NULL)
				goto fail;
			SSL_CTX_set_client_CA_list(s, dup);
		}
	}
	ERR_clear_error();
	return s;
fail:
	osslp_core->set_error(err, TLSPLUG_ERR_BACKEND,
	                      (long)ERR_peek_last_error(),
	                      "cannot set up SSL_CTX");
	ERR_clear_error();
	SSL_CTX_free(s);
	return NULL;
}

void
osslp_engine_fini(struct osslp_engine *e)
{
	size_t i;

	for (i = 0; e->chains != NULL && i < e->nchains; i++) {
		SSL_CTX_free(e->chains[i].sctx);
		GENERAL_NAMES_free(e->chains[i].gens);
		osslp_core->free(e->chains[i].sans);
	}
	osslp_core->free(e->chains);
	osslp_core->free(e->ciphers12);
	osslp_core->free(e->ciphers13);
	memset(e, 0, sizeof *e);
}

int
osslp_engine_init(struct osslp_engine *e, enum tlsplug_role role,
                  const struct tlsplug_bconfig *cfg,
                  struct tlsplug_error *err)
{
	X509_STORE *store = NULL;
	STACK_OF(X509_NAME) *ca_names = NULL;
	size_t i, n;
	int rc;

	memset(e, 0, sizeof *e);
	e->role = role;
	e->cfg = cfg;
	rc = osslp_version(cfg->min_version, "min_version", &e->min_version,
	                   err);
	if (rc == TLSPLUG_OK)
		rc = osslp_version(cfg->max_version, "max_version",
		                   &e->max_version, err);
	if (rc != TLSPLUG_OK)
		return rc;
	if (e->min_version != 0 && e->max_version != 0 &&
	    e->min_version > e->max_version)
		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"min_version is above max_version");
	if (role == TLSPLUG_SERVER)
		e->verify_mode = cfg->validate && cfg->verify_peer ?
			SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT :
			SSL_VERIFY_NONE;
	else
		e->verify_mode = cfg->validate ? SSL_VERIFY_PEER :
		                                 SSL_VERIFY_NONE;
	if (role == TLSPLUG_SERVER && cfg->nchains == 0 &&
	    !cfg->has_sni_callback)
		return osslp_core->set_error(err, TLSPLUG_ERR_INVALID, 0,
			"a server needs a certificate chain");

	rc = osslp_ciphers_build(e, err);
	if (rc == TLSPLUG_OK)
		rc = osslp_ciphers_check(e, err);
	if (rc != TLSPLUG_OK)
		goto fail;

	if (cfg->trust != NULL && !cfg->trust->system &&
	    (role == TLSPLUG_SERVER ? cfg->verify_peer : cfg->validate)) {
		rc = osslp_trust_load(&cfg->trust->pem, &store, &ca_names,
		                      err);
		if (rc != TLSPLUG_OK)
			goto fail;
	}

	/* A client presents its first chain only. */
	n = role == TLSPLUG_SERVER && cfg->nchains > 1 ? cfg->nchains : 1;
	e->chains = osslp_core->alloc(n * sizeof *e->chains);
	if (e->chains == NULL) {
		rc = osslp_core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
		                           "out of memory");
		goto fail;
	}
	memset(e->chains, 0, n * sizeof *e->chains);
	e->nchains = n;
	for (i = 0; i < n; i++) {
		e->chains[i].sctx = osslp_sctx_new(e, store, ca_names, err);
		if (e->chains[i].sctx == NULL) {
			rc = TLSPLUG_ERR_BACKEND;
			goto fail;
		}
		if (i < cfg->nchains) {
			rc = osslp_chain_load(e->chains[i].sctx,
			                      &cfg->chains[i], &e->chains[i],
			                      err);
			if (rc != TLSPLUG_OK)
				goto fail;
		}
	}
	X509_STORE_free(store);
	sk_X509_NAME_pop_free(ca_names, X509_NAME_free);
	return TLSPLUG_OK;
fail:
	X509_STORE_free(store);
	sk_X509_NAME_pop_free(ca_names, X509_NAME_free);
	osslp_engine_fini(e);
	return rc;
}

/* ---- the server's ClientHello hook ------------------------------------ */

/* Copies the host_name of the server_name extension into buf ("" if
 * none or malformed). */
static void
osslp_hello_sni(SSL *ssl, char *buf, size_t size)
{
	const unsigned char *p;
	size_t len, list, off;

	buf[0] = '\0';
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len)
	    || len < 2)
		return;
	list = ((size_t)p[0] << 8) | p[1];
	if (list + 2 > len)
		return;
	for (off = 2; off + 3 <= list + 2;) {
		unsigned type = p[off];
		size_t nlen = ((size_t)p[off + 1] << 8) | p[off + 2];

		if (off + 3 + nlen > list + 2)
			return;
		if (type == TLSEXT_NAMETYPE_host_name) {
			if (nlen == 0 || nlen >= size ||
			    memchr(p + off + 3, '\0', nlen) != NULL)
				return;
			memcpy(buf, p + off + 3, nlen);
			buf[nlen] = '\0';
			return;
		}
		off += 3 + nlen;
	}
}

static size_t
osslp_pick_chain(const struct osslp_engine *e, const char *name)
{
	size_t i;

	if (name[0] == '\0')
		return 0;
	for (i = 0; i < e->nchains; i++)
		if (e->chains[i].nsans > 0 &&
		    osslp_core->match_hostname(name, e->chains[i].sans,
		                               e->chains[i].nsans))
			return i;
	return 0;
}

/* Applies e's per-connection settings to an SSL that started on another
 * engine. */
static int
osslp_apply_ssl(SSL *ssl, const struct osslp_engine *from,
                const struct osslp_engine *e)
{
	if (!SSL_set_min_proto_version(ssl, e->min_version) ||
	    !SSL_set_max_proto_version(ssl, e->max_version))
		return -1;
	if (e->ciphers12 != NULL) {
		SSL_set_cipher_list(ssl, e->ciphers12);
		ERR_clear_error();
		if (!SSL_set_ciphersuites(ssl, e->ciphers13))
			return -1;
	} else if (from->ciphers12 != NULL) {
		if (!SSL_set_cipher_list(ssl, SSL_DEFAULT_CIPHER_LIST) ||
		    !SSL_set_ciphersuites(ssl, TLS_DEFAULT_CIPHERSUITES))
			return -1;
	}
	SSL_set_verify(ssl, e->verify_mode, osslp_verify_cb);
	return 0;
}

static struct osslp_engine *
osslp_slot_engine(struct osslp_conn *c, const struct tlsplug_bconfig *cfg,
                  void **slot)
{
	struct osslp_engine *e, *expected = NULL;

	e = __atomic_load_n((struct osslp_engine **)slot, __ATOMIC_ACQUIRE);
	if (e != NULL)
		return e;
	e = osslp_core->alloc(sizeof *e);
	if (e == NULL) {
		c->cb_status = osslp_core->set_error(c->err, TLSPLUG_ERR_NOMEM,
		                                     0, "out of memory");
		return NULL;
	}
	c->cb_status = osslp_engine_init(e, TLSPLUG_SERVER, cfg, c->err);
	if (c->cb_status != TLSPLUG_OK) {
		osslp_core->free(e);
		return NULL;
	}
	/* Another connection may have filled the slot meanwhile. */
	if (!__atomic_compare_exchange_n((struct osslp_engine **)slot,
	                                 &expected, e, 0, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE)) {
		osslp_engine_fini(e);
		osslp_core->free(e);
		return expected;
	}
	return e;
}

int
osslp_client_hello_cb(SSL *ssl, int *alert, void *arg)
{
	struct osslp_conn *c = SSL_get_app_data(ssl);
	const struct osslp_engine *base, *e;
	size_t i;

	(void)arg;
	if (c == NULL || c->hello_done)      /* second ClientHello after HRR */
		return SSL_CLIENT_HELLO_SUCCESS;
	c->hello_done = 1;
	base = &c->ctx->eng;
	e = base;
	osslp_hello_sni(ssl, c->sni, sizeof c->sni);
	if (base->cfg->has_sni_callback) {
		const struct tlsplug_bconfig *cfg = base->cfg;
		void **slot = NULL;
		int rc;

		rc = osslp_core->sni_select(c->host,
		                            c->sni[0] != '\0' ? c->sni : NULL,
		                            &cfg, &slot, c->err);
		if (rc != TLSPLUG_OK) {
			c->cb_status = rc;
			*alert = rc == TLSPLUG_ERR_HANDSHAKE_REFUSED ?
				SSL_AD_UNRECOGNIZED_NAME : SSL_AD_INTERNAL_ERROR;
			return SSL_CLIENT_HELLO_ERROR;
		}
		if (cfg != base->cfg) {
			if (slot == NULL) {
				c->cb_status = osslp_core->set_error(c->err,
					TLSPLUG_ERR_BACKEND, 0,
					"no engine cache slot for the SNI "
					"callback's config");
				*alert = SSL_AD_INTERNAL_ERROR;
				return SSL_CLIENT_HELLO_ERROR;
			}
			e = osslp_slot_engine(c, cfg, slot);
			if (e == NULL) {
				*alert = SSL_AD_INTERNAL_ERROR;
				return SSL_CLIENT_HELLO_ERROR;
			}
		}
	}
	i = osslp_pick_chain(e, c->sni);
	if (SSL_get_SSL_CTX(ssl) != e->chains[i].sctx &&
	    SSL_set_SSL_CTX(ssl, e->chains[i].sctx) == NULL)
		goto fail;
	if (e != base && osslp_apply_ssl(ssl, base, e) != 0)
		goto fail;
	c->eng = e;
	return SSL_CLIENT_HELLO_SUCCESS;
fail:
	c->cb_status = osslp_core->set_error(c->err, TLSPLUG_ERR_BACKEND,
		(long)ERR_peek_last_error(),
		"cannot switch to the certificate chain for \"%s\"", c->sni);
	*alert = SSL_AD_INTERNAL_ERROR;
	return SSL_CLIENT_HELLO_ERROR;
}
