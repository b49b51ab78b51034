/*
 * load.c -- parsing what a config carries into GnuTLS objects: certificate
 * chains, private keys (PEM or DER, encrypted keys with a password or a
 * password callback) and the trust store.
 */
#include "config.h"

#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <tlsplug/backend.h>

#include "plugin.h"

/* Longest password a password callback may return. */
#define GTLS_PASSWORD_MAX 1024

static gnutls_x509_crt_fmt_t
gtls_fmt_of(const struct tlsplug_blob *b)
{
	return b->format == TLSPLUG_FORMAT_DER ? GNUTLS_X509_FMT_DER :
	                                         GNUTLS_X509_FMT_PEM;
}

static gnutls_datum_t
gtls_datum_of(const struct tlsplug_blob *b)
{
	gnutls_datum_t d;

	d.data = (unsigned char *)b->data;
	d.size = (unsigned int)b->len;
	return d;
}

/* Is the key blob encrypted (PKCS#8 EncryptedPrivateKeyInfo or a
 * traditional PEM key with DEK-Info)? */
static int
gtls_key_is_encrypted(const struct tlsplug_blob *b)
{
	gnutls_datum_t d = gtls_datum_of(b);
	unsigned schema = 0, cipher = 0;

	if (b->format == TLSPLUG_FORMAT_PEM)
		return strstr((const char *)b->data, "ENCRYPTED") != NULL;
	if (gnutls_pkcs8_info(&d, GNUTLS_X509_FMT_DER, &schema, &cipher,
	                      NULL, NULL, NULL, NULL) < 0)
		return 0;
	return schema != 0;
}

static int
gtls_load_key(const struct tlsplug_bkey *k, gnutls_privkey_t *out,
              struct tlsplug_error *err)
{
	const struct tlsplug_core *core = gtls_core;
	gnutls_datum_t d = gtls_datum_of(&k->blob);
	gnutls_x509_privkey_t xk = NULL;
	char pw[GTLS_PASSWORD_MAX + 1];
	const char *pass = NULL;
	int n, ret, encrypted;

	*out = NULL;
	if (k->password != NULL) {
		if (k->password_len > GTLS_PASSWORD_MAX)
			return core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, 0,
				"key %s: password longer than %d bytes",
				k->blob.origin, GTLS_PASSWORD_MAX);
		memcpy(pw, k->password, k->password_len);
		pw[k->password_len] = '\0';
		pass = pw;
	} else if (k->password_cb != NULL) {
		n = k->password_cb(pw, GTLS_PASSWORD_MAX,
		                   k->password_user_data);
		if (n < 0 || n > GTLS_PASSWORD_MAX) {
			gnutls_memset(pw, 0, sizeof(pw));
			return core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, 0,
				"key %s: the password callback gave no "
				"password", k->blob.origin);
		}
		pw[n] = '\0';
		pass = pw;
	}

	ret = gnutls_x509_privkey_init(&xk);
	if (ret >= 0)
		ret = gnutls_x509_privkey_import2(xk, &d, gtls_fmt_of(&k->blob),
		                                  pass, 0);
	gnutls_memset(pw, 0, sizeof(pw));
	if (ret < 0) {
		gnutls_x509_privkey_deinit(xk);
		if (ret == GNUTLS_E_MEMORY_ERROR)
			return core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
				"out of memory");
		encrypted = gtls_key_is_encrypted(&k->blob);
		if (ret == GNUTLS_E_DECRYPTION_FAILED || encrypted)
			return core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD,
				ret, "key %s: %s: %s", k->blob.origin,
				pass == NULL ? "encrypted and no password "
				"given" : "wrong password",
				gnutls_strerror(ret));
		return core->set_error(err, TLSPLUG_ERR_BAD_KEY, ret,
			"key %s: cannot decode: %s", k->blob.origin,
			gnutls_strerror(ret));
	}
	ret = gnutls_privkey_init(out);
	if (ret >= 0)
		ret = gnutls_privkey_import_x509(*out, xk,
			GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
	if (ret < 0) {
		gnutls_privkey_deinit(*out);
		*out = NULL;
		gnutls_x509_privkey_deinit(xk);
		return core->set_error(err, TLSPLUG_ERR_BAD_KEY, ret,
			"key %s: %s", k->blob.origin, gnutls_strerror(ret));
	}
	return TLSPLUG_OK;
}

/* Does the private key belong to the certificate's public key? */
static int
gtls_key_matches(gnutls_privkey_t key, gnutls_pubkey_t certkey)
{
	gnutls_pubkey_t pub = NULL;
	unsigned char a[64], b[64];
	size_t la = sizeof(a), lb = sizeof(b);
	int ok = 0;

	if (gnutls_pubkey_init(&pub) < 0)
		return -1;
	if (gnutls_pubkey_import_privkey(pub, key, 0, 0) >= 0 &&
	    gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, a,
	                             &la) >= 0 &&
	    gnutls_pubkey_get_key_id(certkey, GNUTLS_KEYID_USE_SHA256, b,
	                             &lb) >= 0)
		ok = la == lb && memcmp(a, b, la) == 0;
	gnutls_pubkey_deinit(pub);
	return ok;
}

void
gtls_chain_fini(struct gtls_chain *ch)
{
	unsigned i;

	for (i = 0; i < ch->npcerts; i++)
		gnutls_pcert_deinit(&ch->pcerts[i]);
	gtls_core->free(ch->pcerts);
	gnutls_privkey_deinit(ch->key);
	memset(ch, 0, sizeof(*ch));
}

int
gtls_chain_init(struct gtls_chain *ch, const struct tlsplug_bchain *bc,
                struct tlsplug_error *err)
{
	const struct tlsplug_core *core = gtls_core;
	gnutls_x509_crt_t *all = NULL, *list, *grown;
	unsigned nall = 0, n, i;
	size_t b;
	gnutls_datum_t d;
	int ret, st = TLSPLUG_OK;

	memset(ch, 0, sizeof(*ch));
	for (b = 0; b < bc->ncerts; b++) {
		d = gtls_datum_of(&bc->certs[b]);
		ret = gnutls_x509_crt_list_import2(&list, &n, &d,
			gtls_fmt_of(&bc->certs[b]), 0);
		if (ret < 0 || n == 0) {
			st = core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE,
				ret, "certificate %s: %s", bc->certs[b].origin,
				ret < 0 ? gnutls_strerror(ret) :
				"no certificate found");
			goto out;
		}
		grown = core->realloc(all, (nall + n) * sizeof(*all));
		if (grown == NULL) {
			for (i = 0; i < n; i++)
				gnutls_x509_crt_deinit(list[i]);
			gnutls_free(list);
			st = core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
				"out of memory");
			goto out;
		}
		all = grown;
		memcpy(all + nall, list, n * sizeof(*all));
		nall += n;
		gnutls_free(list);
	}
	if (nall == 0) {
		st = core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, 0,
			"certificate chain is empty");
		goto out;
	}
	ch->pcerts = core->alloc(nall * sizeof(*ch->pcerts));
	if (ch->pcerts == NULL) {
		st = core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
			"out of memory");
		goto out;
	}
	n = nall;
	ret = gnutls_pcert_import_x509_list(ch->pcerts, all, &n, 0);
	if (ret < 0) {
		st = core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE, ret,
			"certificate %s: %s", bc->certs[0].origin,
			gnutls_strerror(ret));
		goto out;
	}
	ch->npcerts = n;
	if (bc->key == NULL) {
		st = core->set_error(err, TLSPLUG_ERR_BAD_KEY, 0,
			"certificate %s: no private key", bc->certs[0].origin);
		goto out;
	}
	st = gtls_load_key(bc->key, &ch->key, err);
	if (st != TLSPLUG_OK)
		goto out;
	ret = gtls_key_matches(ch->key, ch->pcerts[0].pubkey);
	if (ret <= 0)
		st = core->set_error(err, ret < 0 ? TLSPLUG_ERR_NOMEM :
			TLSPLUG_ERR_KEY_MISMATCH,
			GNUTLS_E_CERTIFICATE_KEY_MISMATCH,
			"key %s does not match certificate %s",
			bc->key->blob.origin, bc->certs[0].origin);
out:
	for (i = 0; i < nall; i++)
		gnutls_x509_crt_deinit(all[i]);
	core->free(all);
	if (st != TLSPLUG_OK)
		gtls_chain_fini(ch);
	return st;
}

int
gtls_load_trust(struct gtls_engine *eng, const struct tlsplug_btrust *t,
                struct tlsplug_error *err)
{
	gnutls_datum_t d;
	int ret;

	if (t == NULL || t->system) {
		/* An absent or empty system store is not a configuration
		 * error: verification then reports the peer as untrusted. */
		(void)gnutls_certificate_set_x509_system_trust(eng->cred);
		return TLSPLUG_OK;
	}
	d = gtls_datum_of(&t->pem);
	ret = gnutls_certificate_set_x509_trust_mem(eng->cred, &d,
	                                            GNUTLS_X509_FMT_PEM);
	if (ret < 0)
		return gtls_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE,
			ret, "trust store %s: %s", t->pem.origin,
			gnutls_strerror(ret));
	if (ret == 0)
		return gtls_core->set_error(err, TLSPLUG_ERR_BAD_CERTIFICATE,
			0, "trust store %s: no certificates", t->pem.origin);
	return TLSPLUG_OK;
}
