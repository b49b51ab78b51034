/*
 * config.c -- PEP 543 TLSConfiguration: a builder and the immutable,
 * refcounted config it makes.
 *
 * Configs are compared by value (handles by their content bytes) so that
 * they can key caches; the hash is computed once, at build time.  Each config
 * also carries the plain backend view (struct tlsplug_bconfig) that plugins
 * read, built once as well.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "identity.h"
#include "internal.h"
#include "peer.h"
#include "session.h"
#include "revocation.h"

struct chain {
	struct tlsplug_certificate *cert;
	struct tlsplug_certificate *extra;   /* may be NULL */
	struct tlsplug_private_key *key;
};

/* Every setting.  Builders and configs hold the same thing. */
struct settings {
	int validate;
	enum tlsplug_version min_version;
	enum tlsplug_version max_version;
	uint16_t *ciphers;
	size_t nciphers;
	char **alpn;
	size_t nalpn;
	struct chain *chains;
	size_t nchains;
	struct tlsplug_trust_store *trust;   /* NULL: the system store */
	tlsplug_sni_cb sni_cb;
	void *sni_data;
	/* Key logging, groups and signature algorithms. */
	tlsplug_keylog_cb keylog_cb;
	void *keylog_data;
	char *keylog_file;                   /* NULL: none */
	uint16_t *groups;                    /* IANA code points */
	size_t ngroups;
	uint16_t *sigalgs;
	size_t nsigalgs;
	struct tlsplug__ident ident;         /* pins, verify cb, client certs */
	struct tlsplug__sess_settings sess;   /* session_config.c */
	/* CRLs, OCSP (revocation.c) */
	struct tlsplug__revocation rev;
	/* set_min_version() was called: a policy floor may refuse the value
	 * rather than raise it (policy.c) */
	int min_version_set;
	enum tlsplug_alpn_mismatch alpn_mismatch;   /* AUTO: the files' */
};

struct tlsplug_config_builder {
	struct settings s;
	struct tlsplug_error error;
};

struct tlsplug_config {
	atomic_size_t refs;
	int is_static;                /* the shared default config */
	struct settings s;
	uint64_t hash;
	/* The backend view and the arrays it points into. */
	struct tlsplug_bconfig view;
	struct tlsplug_blob *blobs;
	struct tlsplug_bkey *bkeys;
	struct tlsplug_bchain *bchains;
	struct tlsplug_btrust btrust;
	unsigned char *alpn_wire;
	/* With several chains: each leaf's names, to pick the chain for a
	 * client's server name (NULL with one chain or none). */
	struct tlsplug__leaf_names *names;
};

#define DEFAULT_SETTINGS { \
	.validate = 1, \
	.min_version = TLSPLUG_VERSION_TLSv1_2, \
	.max_version = TLSPLUG_VERSION_MAXIMUM_SUPPORTED, \
	.sess = TLSPLUG__SESS_SETTINGS_DEFAULT, \
}

/* ---- settings: copy and free ---------------------------------------- */

static void
settings_clear_chains(struct settings *s)
{
	for (size_t i = 0; i < s->nchains; i++) {
		tlsplug_certificate_unref(s->chains[i].cert);
		tlsplug_certificate_unref(s->chains[i].extra);
		tlsplug_private_key_unref(s->chains[i].key);
	}
	tlsplug__free(s->chains);
	s->chains = NULL;
	s->nchains = 0;
}

static void
alpn_free(char **alpn, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tlsplug__free(alpn[i]);
	tlsplug__free(alpn);
}

static void
settings_free(struct settings *s)
{
	settings_clear_chains(s);
	tlsplug__free(s->ciphers);
	alpn_free(s->alpn, s->nalpn);
	tlsplug__free(s->keylog_file);
	tlsplug__free(s->groups);
	tlsplug__free(s->sigalgs);
	tlsplug_trust_store_unref(s->trust);
	tlsplug__ident_free(&s->ident);
	tlsplug__sess_settings_free(&s->sess);
	tlsplug__revocation_free(&s->rev);
	memset(s, 0, sizeof(*s));
}

static int
alpn_copy(char *const *src, size_t n, char ***out)
{
	char **a;

	*out = NULL;
	if (n == 0)
		return TLSPLUG_OK;
	a = tlsplug__calloc(n, sizeof(*a));
	if (a == NULL)
		return TLSPLUG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		a[i] = tlsplug__strdup(src[i]);
		if (a[i] == NULL) {
			alpn_free(a, i);
			return TLSPLUG_ERR_NOMEM;
		}
	}
	*out = a;
	return TLSPLUG_OK;
}

/* A copy of n code points (NULL for none); returns -1 when out of
 * memory. */
static int
ids_copy(const uint16_t *src, size_t n, uint16_t **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	*out = tlsplug__calloc(n, sizeof(uint16_t));
	if (*out == NULL)
		return -1;
	memcpy(*out, src, n * sizeof(uint16_t));
	return 0;
}

/* Deep copy (new references on the handles). */
static int
settings_copy(struct settings *dst, const struct settings *src)
{
	*dst = *src;
	dst->ciphers = NULL;
	dst->alpn = NULL;
	dst->chains = NULL;
	dst->nciphers = dst->nalpn = dst->nchains = 0;
	dst->trust = NULL;
	dst->keylog_file = NULL;
	dst->groups = dst->sigalgs = NULL;
	dst->ngroups = dst->nsigalgs = 0;
	dst->ident.pins = NULL;
	dst->ident.npins = 0;
	dst->sess.key = NULL;
	memset(&dst->rev, 0, sizeof(dst->rev));
	if (tlsplug__sess_settings_copy(&dst->sess, &src->sess) != TLSPLUG_OK)
		goto nomem;

	if (tlsplug__ident_copy(&dst->ident, &src->ident) != TLSPLUG_OK ||
	    tlsplug__revocation_copy(&dst->rev, &src->rev) != TLSPLUG_OK)
		goto nomem;
	if (src->nciphers > 0) {
		dst->ciphers = tlsplug__calloc(src->nciphers, sizeof(uint16_t));
		if (dst->ciphers == NULL)
			goto nomem;
		memcpy(dst->ciphers, src->ciphers,
		       src->nciphers * sizeof(uint16_t));
		dst->nciphers = src->nciphers;
	}
	if (alpn_copy(src->alpn, src->nalpn, &dst->alpn) != TLSPLUG_OK)
		goto nomem;
	dst->nalpn = src->nalpn;
	if (src->nchains > 0) {
		dst->chains = tlsplug__calloc(src->nchains,
		                              sizeof(struct chain));
		if (dst->chains == NULL)
			goto nomem;
		for (size_t i = 0; i < src->nchains; i++) {
			dst->chains[i].cert =
			    tlsplug_certificate_ref(src->chains[i].cert);
			dst->chains[i].extra =
			    tlsplug_certificate_ref(src->chains[i].extra);
			dst->chains[i].key =
			    tlsplug_private_key_ref(src->chains[i].key);
		}
		dst->nchains = src->nchains;
	}
	dst->trust = tlsplug_trust_store_ref(src->trust);
	if (src->keylog_file != NULL) {
		dst->keylog_file = tlsplug__strdup(src->keylog_file);
		if (dst->keylog_file == NULL)
			goto nomem;
	}
	if (ids_copy(src->groups, src->ngroups, &dst->groups) != 0)
		goto nomem;
	dst->ngroups = src->ngroups;
	if (ids_copy(src->sigalgs, src->nsigalgs, &dst->sigalgs) != 0)
		goto nomem;
	dst->nsigalgs = src->nsigalgs;
	return TLSPLUG_OK;
nomem:
	settings_free(dst);
	return TLSPLUG_ERR_NOMEM;
}

/* ---- builder -------------------------------------------------------- */

static struct tlsplug_config_builder *
builder_alloc(void)
{
	struct tlsplug_config_builder *b = tlsplug__calloc(1, sizeof(*b));

	if (b != NULL)
		tlsplug__error_clear(&b->error);
	return b;
}

struct tlsplug_config_builder *
tlsplug_config_builder_new(void)
{
	static const struct settings defaults = DEFAULT_SETTINGS;
	struct tlsplug_config_builder *b = builder_alloc();

	if (b != NULL)
		b->s = defaults;
	return b;
}

struct tlsplug_config_builder *
tlsplug_config_edit(const struct tlsplug_config *cfg)
{
	struct tlsplug_config_builder *b;

	if (cfg == NULL)
		return NULL;
	b = builder_alloc();
	if (b == NULL)
		return NULL;
	if (settings_copy(&b->s, &cfg->s) != TLSPLUG_OK) {
		tlsplug__free(b);
		return NULL;
	}
	return b;
}

void
tlsplug_config_builder_free(struct tlsplug_config_builder *b)
{
	if (b == NULL)
		return;
	settings_free(&b->s);
	tlsplug__free(b);
}

const struct tlsplug_error *
tlsplug_config_builder_error(const struct tlsplug_config_builder *b)
{
	if (b == NULL || b->error.code == TLSPLUG_OK)
		return NULL;
	return &b->error;
}

#define BUILDER_CHECK(b) do { \
	if ((b) == NULL) \
		return TLSPLUG_ERR_MISUSE; \
} while (0)

static int
nomem(struct tlsplug_config_builder *b, const char *setting)
{
	return tlsplug__error_set(&b->error, TLSPLUG_ERR_NOMEM,
	                          "out of memory setting %s", setting);
}

int
tlsplug_config_builder_set_insecure_no_validation(
	struct tlsplug_config_builder *b, int no_validation)
{
	BUILDER_CHECK(b);
	b->s.validate = !no_validation;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_add_cert_chain(struct tlsplug_config_builder *b,
                                      struct tlsplug_certificate *chain,
                                      struct tlsplug_certificate *extra,
                                      struct tlsplug_private_key *key)
{
	struct chain *c;

	BUILDER_CHECK(b);
	if (chain == NULL)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "certificate chain: the certificate is NULL");
	if (key == NULL)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "certificate chain: the private key is NULL");
	c = tlsplug__realloc(b->s.chains, (b->s.nchains + 1) * sizeof(*c));
	if (c == NULL)
		return nomem(b, "certificate chain");
	b->s.chains = c;
	c[b->s.nchains].cert = tlsplug_certificate_ref(chain);
	c[b->s.nchains].extra = tlsplug_certificate_ref(extra);
	c[b->s.nchains].key = tlsplug_private_key_ref(key);
	b->s.nchains++;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_clear_cert_chains(struct tlsplug_config_builder *b)
{
	BUILDER_CHECK(b);
	settings_clear_chains(&b->s);
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_ciphers(struct tlsplug_config_builder *b,
                                   const uint16_t *ids, size_t n)
{
	uint16_t *copy = NULL;

	BUILDER_CHECK(b);
	if (ids == NULL && n > 0)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "ciphers: id list is NULL but count is %zu", n);
	if (n > UINT16_MAX)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "ciphers: %zu suites is more than there can be", n);
	if (n > 0) {
		copy = tlsplug__calloc(n, sizeof(*copy));
		if (copy == NULL)
			return nomem(b, "ciphers");
		memcpy(copy, ids, n * sizeof(*copy));
	}
	tlsplug__free(b->s.ciphers);
	b->s.ciphers = copy;
	b->s.nciphers = n;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_alpn(struct tlsplug_config_builder *b,
                                const char *const *protocols, size_t n)
{
	size_t wire = 0;
	char **copy;

	BUILDER_CHECK(b);
	if (protocols == NULL && n > 0)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "ALPN: protocol list is NULL but count is %zu", n);
	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (protocols[i] == NULL)
			return tlsplug__error_set(&b->error,
			    TLSPLUG_ERR_INVALID, "ALPN: protocol %zu is NULL",
			    i);
		len = strlen(protocols[i]);
		if (len == 0 || len > 255)
			return tlsplug__error_set(&b->error,
			    TLSPLUG_ERR_INVALID,
			    "ALPN: protocol %zu is %zu bytes long "
			    "(must be 1 to 255)", i, len);
		wire += 1 + len;
	}
	/* The ProtocolNameList must fit its 2-byte length. */
	if (wire > 65535)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "ALPN: protocol list is %zu bytes (at most 65535)", wire);
	if (alpn_copy((char *const *)protocols, n, &copy) != TLSPLUG_OK)
		return nomem(b, "ALPN");
	alpn_free(b->s.alpn, b->s.nalpn);
	b->s.alpn = copy;
	b->s.nalpn = n;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_alpn_mismatch(struct tlsplug_config_builder *b,
                                         enum tlsplug_alpn_mismatch mode)
{
	BUILDER_CHECK(b);
	if (tlsplug_alpn_mismatch_name(mode) == NULL)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "alpn_mismatch: %d is not auto, alert or continue",
		    (int)mode);
	b->s.alpn_mismatch = mode;
	return TLSPLUG_OK;
}

enum tlsplug_alpn_mismatch
tlsplug_config_alpn_mismatch(const struct tlsplug_config *c)
{
	return c == NULL ? TLSPLUG_ALPN_MISMATCH_AUTO : c->s.alpn_mismatch;
}

static int
version_ok(enum tlsplug_version v)
{
	return v >= TLSPLUG_VERSION_MINIMUM_SUPPORTED &&
	       v <= TLSPLUG_VERSION_MAXIMUM_SUPPORTED;
}

int
tlsplug_config_builder_set_min_version(struct tlsplug_config_builder *b,
                                       enum tlsplug_version v)
{
	BUILDER_CHECK(b);
	if (!version_ok(v))
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "lowest version: %d is not a TLS version", (int)v);
	b->s.min_version = v;
	b->s.min_version_set = 1;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_max_version(struct tlsplug_config_builder *b,
                                       enum tlsplug_version v)
{
	BUILDER_CHECK(b);
	if (!version_ok(v))
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "highest version: %d is not a TLS version", (int)v);
	b->s.max_version = v;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_trust_store(struct tlsplug_config_builder *b,
                                       struct tlsplug_trust_store *t)
{
	BUILDER_CHECK(b);
	/* The system store is the default: setting it is not "explicit". */
	if (tlsplug__trust_store_is_system(t))
		t = NULL;
	tlsplug_trust_store_unref(b->s.trust);
	b->s.trust = tlsplug_trust_store_ref(t);
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_sni_callback(struct tlsplug_config_builder *b,
                                        tlsplug_sni_cb cb, void *user_data)
{
	BUILDER_CHECK(b);
	b->s.sni_cb = cb;
	b->s.sni_data = cb != NULL ? user_data : NULL;
	return TLSPLUG_OK;
}

/* ---- key logging, groups, signature algorithms ----------------------- */

int
tlsplug_config_builder_set_keylog_callback(struct tlsplug_config_builder *b,
                                           tlsplug_keylog_cb cb,
                                           void *user_data)
{
	BUILDER_CHECK(b);
	b->s.keylog_cb = cb;
	b->s.keylog_data = cb != NULL ? user_data : NULL;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_keylog_file(struct tlsplug_config_builder *b,
                                       const char *path)
{
	char *copy = NULL;

	BUILDER_CHECK(b);
	if (path != NULL && strlen(path) > 4095)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "key log file: the path is %zu bytes long (at most 4095)",
		    strlen(path));
	if (path != NULL && *path != '\0') {
		copy = tlsplug__strdup(path);
		if (copy == NULL)
			return nomem(b, "key log file");
	}
	tlsplug__free(b->s.keylog_file);
	b->s.keylog_file = copy;
	return TLSPLUG_OK;
}

/* Sets a list of names as code points, looked up by lookup(); `what` is
 * the setting ("groups"), `kind` one entry ("group"). */
static int
set_named_ids(struct tlsplug_config_builder *b, const char *const *names,
              size_t n, int (*lookup)(const char *, uint16_t *),
              const char *what, const char *kind, uint16_t **ids,
              size_t *nids)
{
	uint16_t *copy = NULL;

	if (names == NULL && n > 0)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "%s: name list is NULL but count is %zu", what, n);
	if (n > 256)
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "%s: %zu names is more than 256", what, n);
	if (n > 0) {
		copy = tlsplug__calloc(n, sizeof(*copy));
		if (copy == NULL)
			return nomem(b, what);
	}
	for (size_t i = 0; i < n; i++) {
		if (names[i] == NULL || lookup(names[i], &copy[i]) !=
		    TLSPLUG_OK) {
			tlsplug__free(copy);
			return tlsplug__error_set(&b->error,
			    TLSPLUG_ERR_INVALID, "%s: unknown %s \"%s\"",
			    what, kind, names[i] != NULL ? names[i] : "(null)");
		}
		for (size_t j = 0; j < i; j++)
			if (copy[j] == copy[i]) {
				tlsplug__free(copy);
				return tlsplug__error_set(&b->error,
				    TLSPLUG_ERR_INVALID, "%s: %s \"%s\" is "
				    "listed twice", what, kind, names[i]);
			}
	}
	tlsplug__free(*ids);
	*ids = copy;
	*nids = n;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_groups(struct tlsplug_config_builder *b,
                                  const char *const *names, size_t n)
{
	BUILDER_CHECK(b);
	return set_named_ids(b, names, n, tlsplug_group_from_name, "groups",
	                     "group", &b->s.groups, &b->s.ngroups);
}

int
tlsplug_config_builder_set_sigalgs(struct tlsplug_config_builder *b,
                                   const char *const *names, size_t n)
{
	BUILDER_CHECK(b);
	return set_named_ids(b, names, n, tlsplug_sigalg_from_name,
	                     "sigalgs", "signature algorithm", &b->s.sigalgs,
	                     &b->s.nsigalgs);
}

/* ---- hashing and equality ------------------------------------------- */

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t
fnv_size(uint64_t h, size_t v)
{
	return fnv(h, &v, sizeof(v));
}

static uint64_t
hash_blob(uint64_t h, const struct tlsplug_blob *b)
{
	h = fnv_size(h, (size_t)b->format);
	h = fnv_size(h, b->len);
	return fnv(h, b->data, b->len);
}

static uint64_t
hash_cert(uint64_t h, const struct tlsplug_certificate *c)
{
	struct tlsplug_blob blob;

	if (c == NULL)
		return fnv_size(h, 0);
	tlsplug__certificate_blob(c, &blob);
	return hash_blob(fnv_size(h, 1), &blob);
}

static uint64_t
hash_settings(const struct settings *s)
{
	uint64_t h = FNV_OFFSET;
	struct tlsplug_btrust bt;

	h = fnv_size(h, (size_t)s->validate);
	h = fnv_size(h, (size_t)s->min_version);
	h = fnv_size(h, (size_t)s->max_version);
	h = fnv_size(h, s->nciphers);
	h = fnv(h, s->ciphers, s->nciphers * sizeof(uint16_t));
	h = fnv_size(h, s->nalpn);
	for (size_t i = 0; i < s->nalpn; i++)
		h = fnv(h, s->alpn[i], strlen(s->alpn[i]) + 1);
	h = fnv_size(h, s->nchains);
	for (size_t i = 0; i < s->nchains; i++) {
		struct tlsplug_bkey k;

		h = hash_cert(h, s->chains[i].cert);
		h = hash_cert(h, s->chains[i].extra);
		tlsplug__private_key_bkey(s->chains[i].key, &k);
		h = hash_blob(h, &k.blob);
		h = fnv_size(h, k.password != NULL);
		h = fnv_size(h, k.password_len);
		if (k.password != NULL)
			h = fnv(h, k.password, k.password_len);
		h = fnv(h, &k.password_cb, sizeof(k.password_cb));
		h = fnv(h, &k.password_user_data, sizeof(void *));
	}
	tlsplug__trust_store_btrust(s->trust, &bt);
	h = fnv_size(h, (size_t)bt.system);
	if (!bt.system)
		h = hash_blob(h, &bt.pem);
	h = fnv(h, &s->sni_cb, sizeof(s->sni_cb));
	h = fnv(h, &s->sni_data, sizeof(s->sni_data));
	h = fnv_size(h, (size_t)s->min_version_set);
	h = fnv_size(h, (size_t)s->alpn_mismatch);
	h = fnv_size(h, (size_t)tlsplug__revocation_hash(&s->rev));
	h = fnv(h, &s->keylog_cb, sizeof(s->keylog_cb));
	h = fnv(h, &s->keylog_data, sizeof(s->keylog_data));
	if (s->keylog_file != NULL)
		h = fnv(h, s->keylog_file, strlen(s->keylog_file) + 1);
	h = fnv_size(h, s->ngroups);
	h = fnv(h, s->groups, s->ngroups * sizeof(uint16_t));
	h = fnv_size(h, s->nsigalgs);
	h = fnv(h, s->sigalgs, s->nsigalgs * sizeof(uint16_t));
	h = tlsplug__ident_hash(h, &s->ident);
	return tlsplug__sess_settings_hash(h, &s->sess);
}

static int
blob_equal(const struct tlsplug_blob *a, const struct tlsplug_blob *b)
{
	return a->format == b->format && a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static int
cert_equal(const struct tlsplug_certificate *a,
           const struct tlsplug_certificate *b)
{
	struct tlsplug_blob x, y;

	if (a == b)
		return 1;
	if (a == NULL || b == NULL)
		return 0;
	tlsplug__certificate_blob(a, &x);
	tlsplug__certificate_blob(b, &y);
	return blob_equal(&x, &y);
}

static int
key_equal(const struct tlsplug_private_key *a,
          const struct tlsplug_private_key *b)
{
	struct tlsplug_bkey x, y;

	if (a == b)
		return 1;
	tlsplug__private_key_bkey(a, &x);
	tlsplug__private_key_bkey(b, &y);
	if (!blob_equal(&x.blob, &y.blob) ||
	    (x.password == NULL) != (y.password == NULL) ||
	    x.password_len != y.password_len ||
	    x.password_cb != y.password_cb ||
	    x.password_user_data != y.password_user_data)
		return 0;
	return x.password == NULL ||
	       memcmp(x.password, y.password, x.password_len) == 0;
}

static int
trust_equal(const struct tlsplug_trust_store *a,
            const struct tlsplug_trust_store *b)
{
	struct tlsplug_btrust x, y;

	if (a == b)
		return 1;
	tlsplug__trust_store_btrust(a, &x);
	tlsplug__trust_store_btrust(b, &y);
	if (x.system || y.system)
		return x.system == y.system;
	return blob_equal(&x.pem, &y.pem);
}

static int
settings_equal(const struct settings *a, const struct settings *b)
{
	if (a->validate != b->validate || a->min_version != b->min_version ||
	    a->max_version != b->max_version ||
	    a->nciphers != b->nciphers || a->nalpn != b->nalpn ||
	    a->nchains != b->nchains || a->sni_cb != b->sni_cb ||
	    a->sni_data != b->sni_data ||
	    a->min_version_set != b->min_version_set ||
	    a->alpn_mismatch != b->alpn_mismatch ||
	    !tlsplug__revocation_equal(&a->rev, &b->rev) ||
	    !tlsplug__ident_equal(&a->ident, &b->ident) ||
	    !tlsplug__sess_settings_equal(&a->sess, &b->sess))
		return 0;
	if (a->nciphers > 0 &&
	    memcmp(a->ciphers, b->ciphers, a->nciphers * sizeof(uint16_t)) != 0)
		return 0;
	for (size_t i = 0; i < a->nalpn; i++)
		if (strcmp(a->alpn[i], b->alpn[i]) != 0)
			return 0;
	if (a->keylog_cb != b->keylog_cb || a->keylog_data != b->keylog_data ||
	    (a->keylog_file == NULL) != (b->keylog_file == NULL) ||
	    (a->keylog_file != NULL &&
	     strcmp(a->keylog_file, b->keylog_file) != 0) ||
	    a->ngroups != b->ngroups || a->nsigalgs != b->nsigalgs ||
	    (a->ngroups > 0 && memcmp(a->groups, b->groups,
	                              a->ngroups * sizeof(uint16_t)) != 0) ||
	    (a->nsigalgs > 0 && memcmp(a->sigalgs, b->sigalgs,
	                               a->nsigalgs * sizeof(uint16_t)) != 0))
		return 0;
	for (size_t i = 0; i < a->nchains; i++)
		if (!cert_equal(a->chains[i].cert, b->chains[i].cert) ||
		    !cert_equal(a->chains[i].extra, b->chains[i].extra) ||
		    !key_equal(a->chains[i].key, b->chains[i].key))
			return 0;
	return trust_equal(a->trust, b->trust);
}

int
tlsplug_config_equal(const struct tlsplug_config *a,
                     const struct tlsplug_config *b)
{
	if (a == b)
		return 1;
	if (a == NULL || b == NULL)
		return 0;
	return a->hash == b->hash && settings_equal(&a->s, &b->s);
}

/* ---- the default config --------------------------------------------- */

static struct tlsplug_config default_config = {
	.is_static = 1,
	.s = DEFAULT_SETTINGS,
	.view = {
		.validate = 1,
		.verify_peer = 0,
		.client_cert = TLSPLUG_CLIENT_CERT_NONE,
		.min_version = TLSPLUG_VERSION_TLSv1_2,
		.max_version = TLSPLUG_VERSION_MAXIMUM_SUPPORTED,
		.trust = &default_config.btrust,
		.session_tickets = 1,
		.ticket_lifetime = TLSPLUG__TICKET_LIFETIME_DEFAULT,
	},
	.btrust = {
		.system = 1,
		.pem = { .format = TLSPLUG_FORMAT_PEM, .origin = "system" },
	},
};
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void
default_init(void)
{
	default_config.hash = hash_settings(&default_config.s);
}

struct tlsplug_config *
tlsplug_config_default(void)
{
	pthread_once(&default_once, default_init);
	return &default_config;
}

uint64_t
tlsplug_config_hash(const struct tlsplug_config *c)
{
	if (c == NULL)
		return 0;
	if (c->is_static)
		pthread_once(&default_once, default_init);
	return c->hash;
}

/* ---- build ---------------------------------------------------------- */

/* Lowest and highest as ordered values (MINIMUM lowest, MAXIMUM highest:
 * the enum is already in that order). */
static int
bounds_ok(enum tlsplug_version lo, enum tlsplug_version hi)
{
	return lo <= hi;
}

static int
build_view(struct tlsplug_config *c)
{
	const struct settings *s = &c->s;
	struct tlsplug_bconfig *v = &c->view;

	v->validate = s->validate;
	/* Server: ask for (and verify) a client certificate; context.c
	 * adjusts it for clients. */
	v->client_cert = tlsplug__ident_effective(&s->ident, s->validate,
	                                          s->trust != NULL);
	v->verify_peer = v->client_cert != TLSPLUG_CLIENT_CERT_NONE;
	v->check_peer_always = s->ident.npins > 0 ||
	                       s->ident.verify_cb != NULL;
	v->min_version = s->min_version;
	v->max_version = s->max_version;
	v->ciphers = s->ciphers;
	v->nciphers = s->nciphers;
	v->alpn = (const char *const *)s->alpn;
	v->nalpn = s->nalpn;
	/* AUTO stays until context.c reads the configuration files. */
	v->alpn_mismatch = s->alpn_mismatch;
	if (s->nalpn > 0) {
		size_t len = 0, off = 0;

		for (size_t i = 0; i < s->nalpn; i++)
			len += 1 + strlen(s->alpn[i]);
		c->alpn_wire = tlsplug__malloc(len);
		if (c->alpn_wire == NULL)
			return TLSPLUG_ERR_NOMEM;
		for (size_t i = 0; i < s->nalpn; i++) {
			size_t n = strlen(s->alpn[i]);

			c->alpn_wire[off++] = (unsigned char)n;
			memcpy(c->alpn_wire + off, s->alpn[i], n);
			off += n;
		}
		v->alpn_wire = c->alpn_wire;
		v->alpn_wire_len = len;
	}
	if (s->nchains > 0) {
		c->blobs = tlsplug__calloc(2 * s->nchains, sizeof(*c->blobs));
		c->bkeys = tlsplug__calloc(s->nchains, sizeof(*c->bkeys));
		c->bchains = tlsplug__calloc(s->nchains, sizeof(*c->bchains));
		if (c->blobs == NULL || c->bkeys == NULL || c->bchains == NULL)
			return TLSPLUG_ERR_NOMEM;
		for (size_t i = 0; i < s->nchains; i++) {
			struct tlsplug_blob *b = c->blobs + 2 * i;
			size_t n = 0;

			tlsplug__certificate_blob(s->chains[i].cert, &b[n++]);
			if (s->chains[i].extra != NULL)
				tlsplug__certificate_blob(s->chains[i].extra,
				                          &b[n++]);
			tlsplug__private_key_bkey(s->chains[i].key,
			                          &c->bkeys[i]);
			c->bchains[i].certs = b;
			c->bchains[i].ncerts = n;
			c->bchains[i].key = &c->bkeys[i];
		}
		v->chains = c->bchains;
		v->nchains = s->nchains;
	}
	tlsplug__trust_store_btrust(s->trust, &c->btrust);
	v->trust = &c->btrust;
	v->has_sni_callback = s->sni_cb != NULL;
	v->groups = s->groups;
	v->ngroups = s->ngroups;
	v->sigalgs = s->sigalgs;
	v->nsigalgs = s->nsigalgs;
	tlsplug__sess_settings_view(&s->sess, v);
	return tlsplug__revocation_view(&c->s.rev, v);
}

/* Reads the names of every chain's leaf when there is a choice to make;
 * a leaf the core cannot read is an error naming its file. */
static int
load_chain_names(struct tlsplug_config *c, struct tlsplug_error *e)
{
	if (c->s.nchains < 2)
		return TLSPLUG_OK;
	c->names = tlsplug__calloc(c->s.nchains, sizeof(*c->names));
	if (c->names == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		    "build: out of memory");
	for (size_t i = 0; i < c->s.nchains; i++) {
		int rc = tlsplug__leaf_names_load(&c->blobs[2 * i],
		                                  &c->names[i], e);

		if (rc != TLSPLUG_OK)
			return rc;
	}
	return TLSPLUG_OK;
}

static void
config_free(struct tlsplug_config *c)
{
	if (c->names != NULL)
		for (size_t i = 0; i < c->s.nchains; i++)
			tlsplug__leaf_names_free(&c->names[i]);
	tlsplug__free(c->names);
	settings_free(&c->s);
	tlsplug__free(c->blobs);
	tlsplug__free(c->bkeys);
	tlsplug__free(c->bchains);
	tlsplug__free(c->alpn_wire);
	tlsplug__free(c);
}

int
tlsplug_config_builder_build(const struct tlsplug_config_builder *cb,
                             struct tlsplug_config **out)
{
	/* build() is logically const but records why it failed, as the
	 * setters do; every builder is allocated writable. */
	struct tlsplug_config_builder *b = (struct tlsplug_config_builder *)cb;
	struct tlsplug_config *c;
	int rc;

	if (out == NULL)
		return b == NULL ? TLSPLUG_ERR_MISUSE :
		    tlsplug__error_set(&b->error, TLSPLUG_ERR_MISUSE,
		                       "build: out is NULL");
	*out = NULL;
	if (b == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (!bounds_ok(b->s.min_version, b->s.max_version))
		return tlsplug__error_set(&b->error, TLSPLUG_ERR_INVALID,
		    "lowest version %s is above highest version %s",
		    tlsplug_version_name(b->s.min_version),
		    tlsplug_version_name(b->s.max_version));
	rc = tlsplug__ident_check(&b->s.ident, b->s.validate, &b->error);
	if (rc != TLSPLUG_OK)
		return rc;
	c = tlsplug__calloc(1, sizeof(*c));
	if (c == NULL)
		return nomem(b, "build");
	if (settings_copy(&c->s, &b->s) != TLSPLUG_OK) {
		tlsplug__free(c);
		return nomem(b, "build");
	}
	if (build_view(c) != TLSPLUG_OK) {
		config_free(c);
		return nomem(b, "build");
	}
	rc = load_chain_names(c, &b->error);
	if (rc != TLSPLUG_OK) {
		config_free(c);
		return rc;
	}
	c->hash = hash_settings(&c->s);
	atomic_init(&c->refs, 1);
	*out = c;
	return TLSPLUG_OK;
}

struct tlsplug_config *
tlsplug_config_ref(struct tlsplug_config *c)
{
	if (c != NULL && !c->is_static)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void
tlsplug_config_unref(struct tlsplug_config *c)
{
	if (c == NULL || c->is_static ||
	    atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	config_free(c);
}

/* ---- accessors ------------------------------------------------------ */

int
tlsplug_config_validates(const struct tlsplug_config *c)
{
	return c == NULL ? 0 : c->s.validate;
}

enum tlsplug_version
tlsplug_config_min_version(const struct tlsplug_config *c)
{
	return c == NULL ? TLSPLUG_VERSION_NONE : c->s.min_version;
}

enum tlsplug_version
tlsplug_config_max_version(const struct tlsplug_config *c)
{
	return c == NULL ? TLSPLUG_VERSION_NONE : c->s.max_version;
}

size_t
tlsplug_config_ciphers(const struct tlsplug_config *c, const uint16_t **ids)
{
	if (ids != NULL)
		*ids = c == NULL ? NULL : c->s.ciphers;
	return c == NULL ? 0 : c->s.nciphers;
}

size_t
tlsplug_config_alpn(const struct tlsplug_config *c,
                    const char *const **protocols)
{
	if (protocols != NULL)
		*protocols = c == NULL ? NULL : (const char *const *)c->s.alpn;
	return c == NULL ? 0 : c->s.nalpn;
}

size_t
tlsplug_config_cert_chain_count(const struct tlsplug_config *c)
{
	return c == NULL ? 0 : c->s.nchains;
}

const char *
tlsplug_config_keylog_file(const struct tlsplug_config *c)
{
	return c == NULL ? NULL : c->s.keylog_file;
}

size_t
tlsplug_config_groups(const struct tlsplug_config *c, const uint16_t **ids)
{
	if (ids != NULL)
		*ids = c == NULL ? NULL : c->s.groups;
	return c == NULL ? 0 : c->s.ngroups;
}

size_t
tlsplug_config_sigalgs(const struct tlsplug_config *c, const uint16_t **ids)
{
	if (ids != NULL)
		*ids = c == NULL ? NULL : c->s.sigalgs;
	return c == NULL ? 0 : c->s.nsigalgs;
}

tlsplug_keylog_cb
tlsplug__config_keylog_cb(const struct tlsplug_config *c, void **user_data)
{
	if (user_data != NULL)
		*user_data = c->s.keylog_data;
	return c->s.keylog_cb;
}

const struct tlsplug_bconfig *
tlsplug__config_bview(const struct tlsplug_config *c)
{
	return &c->view;
}

tlsplug_sni_cb
tlsplug__config_sni_cb(const struct tlsplug_config *c, void **user_data)
{
	if (user_data != NULL)
		*user_data = c->s.sni_data;
	return c->s.sni_cb;
}

struct tlsplug__ident *
tlsplug__builder_ident(struct tlsplug_config_builder *b)
{
	return &b->s.ident;
}

struct tlsplug_error *
tlsplug__builder_error(struct tlsplug_config_builder *b)
{
	return &b->error;
}

const struct tlsplug__ident *
tlsplug__config_ident(const struct tlsplug_config *c)
{
	return &c->s.ident;
}

int
tlsplug__config_trust_explicit(const struct tlsplug_config *c)
{
	return c->s.trust != NULL;
}

size_t
tlsplug__config_pick_chain(const struct tlsplug_config *c, const char *name)
{
	if (name == NULL || c->names == NULL)
		return 0;
	for (size_t i = 0; i < c->s.nchains; i++)
		if (tlsplug__leaf_names_match(&c->names[i], name))
			return i;
	return 0;
}

int
tlsplug__config_needs_key_password(const struct tlsplug_config *c)
{
	for (size_t i = 0; i < c->s.nchains; i++) {
		struct tlsplug_bkey k;

		tlsplug__private_key_bkey(c->s.chains[i].key, &k);
		if (tlsplug__private_key_encrypted(c->s.chains[i].key) ||
		    k.password != NULL || k.password_cb != NULL)
			return 1;
	}
	return 0;
}

struct tlsplug__sess_settings *
tlsplug__builder_sess(struct tlsplug_config_builder *b,
                      struct tlsplug_error **e)
{
	if (b == NULL)
		return NULL;
	*e = &b->error;
	return &b->s.sess;
}

const struct tlsplug__sess_settings *
tlsplug__config_sess(const struct tlsplug_config *c)
{
	return &c->s.sess;
}

struct tlsplug__revocation *
tlsplug__builder_revocation(struct tlsplug_config_builder *b,
                            struct tlsplug_error **error)
{
	if (b == NULL)
		return NULL;
	if (error != NULL)
		*error = &b->error;
	return &b->s.rev;
}

const struct tlsplug__revocation *
tlsplug__config_revocation(const struct tlsplug_config *c)
{
	return &c->s.rev;
}

int
tlsplug__config_min_version_set(const struct tlsplug_config *c)
{
	return c->s.min_version_set;
}
