/*
 * context.c -- GnuTLS credentials and priority built from one config:
 * trust store, certificate chains and private keys, ALPN list.
 *
 * Chains are selected by our own retrieve function rather than GnuTLS's
 * built-in choice, which also falls back to the subject CN and weighs key
 * types: the server presents the chain the core picked for the client's
 * SNI (select_server), the same rule on every engine.
 */
#include <config.h>

#include <string.h>

#include "plugin.h"

/* Longest password a password callback may return. */
#define PASSWORD_MAX 1024

static gnutls_x509_crt_fmt_t
fmt_of(const struct tlsplug_blob *b)
{
	return b->format == TLSPLUG_FORMAT_DER ? GNUTLS_X509_FMT_DER :
	                                         GNUTLS_X509_FMT_PEM;
}

static gnutls_datum_t
datum_of(const struct tlsplug_blob *b)
{
	gnutls_datum_t d;

	d.data = (unsigned char *)b->data;
	d.size = (unsigned int)b->len;
	return d;
}

/* Is the key blob encrypted (PKCS#8 EncryptedPrivateKeyInfo or a
 * traditional PEM key with DEK-Info)? */
static int
key_is_encrypted(const struct tlsplug_blob *b)
{
	gnutls_datum_t d = datum_of(b);
	unsigned schema = 0, cipher = 0;

	if (b->format == TLSPLUG_FORMAT_PEM)
		return strstr((const char *)b->data, "ENCRYPTED") != NULL;
	if (gnutls_pkcs8_info(&d, GNUTLS_X509_FMT_DER, &schema, &cipher,
	                      NULL, NULL, NULL, NULL) < 0)
		return 0;
	return schema != 0;
}

static int
load_key(const struct tlsplug_bkey *k, gnutls_privkey_t *out,
         struct tlsplug_error *err)
{
	const struct tlsplug_core *core = gtls_core;
	gnutls_datum_t d = datum_of(&k->blob);
	gnutls_x509_privkey_t xk = NULL;
	char pw[PASSWORD_MAX + 1];
	const char *pass = NULL;
	int n, ret, encrypted;

	*out = NULL;
	if (k->password != NULL) {
		if (k->password_len > PASSWORD_MAX)
			return core->set_error(err, TLSPLUG_ERR_BAD_PASSWORD, 0,
				"key %s: password longer than %d bytes",
				k->blob.origin, PASSWORD_MAX);
		memcpy(pw, k->password, k->password_len);
		pw[k->password_len] = '\0';
		pass = pw;
	} else if (k->password_cb != NULL) {
		n = k->password_cb(pw, PASSWORD_MAX, k->password_user_data);
		if (n < 0 || n > PASSWORD_MAX) {
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
		ret = gnutls_x509_privkey_import2(xk, &d, fmt_of(&k->blob),
		                                  pass, 0);
	gnutls_memset(pw, 0, sizeof(pw));
	if (ret < 0) {
		gnutls_x509_privkey_deinit(xk);
		if (ret == GNUTLS_E_MEMORY_ERROR)
			return core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
				"out of memory");
		encrypted = key_is_encrypted(&k->blob);
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
key_matches(gnutls_privkey_t key, gnutls_pubkey_t certkey)
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

static void
chain_fini(struct gtls_chain *ch)
{
	unsigned i;

	for (i = 0; i < ch->npcerts; i++)
		gnutls_pcert_deinit(&ch->pcerts[i]);
	gtls_core->free(ch->pcerts);
	gnutls_privkey_deinit(ch->key);
	memset(ch, 0, sizeof(*ch));
}

static int
chain_init(struct gtls_chain *ch, const struct tlsplug_bchain *bc,
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
		d = datum_of(&bc->certs[b]);
		ret = gnutls_x509_crt_list_import2(&list, &n, &d,
			fmt_of(&bc->certs[b]), 0);
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
	st = load_key(bc->key, &ch->key, err);
	if (st != TLSPLUG_OK)
		goto out;
	ret = key_matches(ch->key, ch->pcerts[0].pubkey);
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
		chain_fini(ch);
	return st;
}

/*
 * Certificate selection, both roles: the server presents the chain the
 * core chose for the client's SNI; the client presents its first chain
 * when asked.
 */
static int
retrieve_cb(gnutls_session_t s, const gnutls_datum_t *req_ca, int nreqs,
            const gnutls_pk_algorithm_t *pk, int npk, gnutls_pcert_st **pcert,
            unsigned int *npcert, gnutls_privkey_t *key)
{
	struct gtls_conn *c = gnutls_session_get_ptr(s);
	const struct gtls_engine *eng = c->eng;
	size_t pick = c->chain < eng->nchains ? c->chain : 0;

	(void)req_ca;
	(void)nreqs;
	(void)pk;
	(void)npk;
	if (eng->nchains == 0) {
		*pcert = NULL;
		*npcert = 0;
		*key = NULL;
		return 0;
	}
	*pcert = eng->chains[pick].pcerts;
	*npcert = eng->chains[pick].npcerts;
	*key = eng->chains[pick].key;
	return 0;
}

static int
load_trust(struct gtls_engine *eng, const struct tlsplug_btrust *t,
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
	d = datum_of(&t->pem);
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

int
gtls_engine_init(struct gtls_engine *eng, enum tlsplug_role role,
                 const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	const struct tlsplug_core *core = gtls_core;
	size_t i;
	int ret, st;

	memset(eng, 0, sizeof(*eng));
	eng->role = role;
	eng->cfg = cfg;
	eng->validate = cfg->validate;
	eng->verify_peer = role == TLSPLUG_SERVER && cfg->validate &&
	                   cfg->verify_peer;

	st = gtls_priority_build(cfg, role, &eng->prio, &eng->vmin,
	                         &eng->vmax, err);
	if (st != TLSPLUG_OK)
		goto fail;
	ret = gnutls_certificate_allocate_credentials(&eng->cred);
	if (ret < 0) {
		eng->cred = NULL;
		st = core->set_error(err, TLSPLUG_ERR_NOMEM, ret,
			"out of memory");
		goto fail;
	}
	if (eng->validate && (role == TLSPLUG_CLIENT || eng->verify_peer)) {
		st = load_trust(eng, cfg->trust, err);
		if (st != TLSPLUG_OK)
			goto fail;
	}
	if (cfg->nchains > 0) {
		eng->chains = core->alloc(cfg->nchains * sizeof(*eng->chains));
		if (eng->chains == NULL) {
			st = core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
				"out of memory");
			goto fail;
		}
		memset(eng->chains, 0, cfg->nchains * sizeof(*eng->chains));
		for (i = 0; i < cfg->nchains; i++) {
			st = chain_init(&eng->chains[i], &cfg->chains[i], err);
			if (st != TLSPLUG_OK)
				goto fail;
			eng->nchains++;
		}
	}
	gnutls_certificate_set_retrieve_function2(eng->cred, retrieve_cb);
	/* DHE suites for clients that offer no FFDHE group (RFC 7919). */
	if (role == TLSPLUG_SERVER)
		(void)gnutls_certificate_set_known_dh_params(eng->cred,
			GNUTLS_SEC_PARAM_MEDIUM);

	if (cfg->nalpn > 0) {
		eng->alpn = core->alloc(cfg->nalpn * sizeof(*eng->alpn));
		if (eng->alpn == NULL) {
			st = core->set_error(err, TLSPLUG_ERR_NOMEM, 0,
				"out of memory");
			goto fail;
		}
		for (i = 0; i < cfg->nalpn; i++) {
			eng->alpn[i].data = (unsigned char *)cfg->alpn[i];
			eng->alpn[i].size = (unsigned)strlen(cfg->alpn[i]);
		}
		eng->nalpn = (unsigned)cfg->nalpn;
	}
	return TLSPLUG_OK;
fail:
	gtls_engine_fini(eng);
	return st;
}

void
gtls_engine_fini(struct gtls_engine *eng)
{
	size_t i;

	for (i = 0; i < eng->nchains; i++)
		chain_fini(&eng->chains[i]);
	gtls_core->free(eng->chains);
	gtls_core->free(eng->alpn);
	if (eng->cred != NULL)
		gnutls_certificate_free_credentials(eng->cred);
	if (eng->prio != NULL)
		gnutls_priority_deinit(eng->prio);
	memset(eng, 0, sizeof(*eng));
}

/*
 * Also used from the post-ClientHello hook when the SNI callback switched
 * configs: the chain, the trust store, the client-certificate request and
 * the priority (versions, suites) take effect; ALPN was already negotiated
 * from the context's config while the ClientHello was parsed.
 */
int
gtls_engine_apply(const struct gtls_engine *eng, gnutls_session_t s)
{
	int ret;

	ret = gnutls_priority_set(s, eng->prio);
	if (ret >= 0)
		ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
		                             eng->cred);
	if (ret >= 0 && eng->role == TLSPLUG_SERVER)
		gnutls_certificate_server_set_request(s, eng->verify_peer ?
			GNUTLS_CERT_REQUIRE : GNUTLS_CERT_IGNORE);
	return ret;
}

/* ---- context entry points ---- */

static int
ctx_init(void *priv, enum tlsplug_role role,
         const struct tlsplug_bconfig *cfg, struct tlsplug_error *err)
{
	struct gtls_ctx *ctx = priv;

	return gtls_engine_init(&ctx->eng, role, cfg, err);
}

static void
ctx_fini(void *priv)
{
	struct gtls_ctx *ctx = priv;

	gtls_engine_fini(&ctx->eng);
}

const struct tlsplug_context_ops gtls_context_ops = {
	.init = ctx_init,
	.fini = ctx_fini,
};
