/*
 * handles.c -- backend-neutral certificate, private key and trust store
 * handles.
 *
 * The core keeps the bytes and checks what it can without an engine: the
 * file can be read, and the content is PEM with the right labels or a
 * plausible DER SEQUENCE.  Engines parse the bytes when a context is
 * created.  Handles are immutable and refcounted (atomically), so they may be
 * shared between threads.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "der.h"
#include "internal.h"
#include "pem.h"

#define FILE_MAX (64u * 1024 * 1024)
#define BUFFER_ORIGIN "(buffer)"

/* What certificate handles and trust stores hold (their first member, so
 * certs_new() and certs_unref() serve both). */
struct certs {
	atomic_size_t refs;
	struct tlsplug_blob blob;
	size_t count;              /* certificates held */
	char *origin;
};

struct tlsplug_certificate {
	struct certs certs;
};

struct tlsplug_private_key {
	atomic_size_t refs;
	struct tlsplug_blob blob;
	char *origin;
	int encrypted;
	char *password;
	size_t password_len;
	tlsplug_password_cb cb;
	void *cb_data;
};

struct tlsplug_trust_store {
	struct certs certs;        /* PEM only */
	int system;
};

/* The system store is one immutable shared handle; ref/unref ignore it. */
static struct tlsplug_trust_store system_store = { .system = 1 };

/* ---- reading files -------------------------------------------------- */

static int
read_file(const char *path, unsigned char **data, size_t *len,
          struct tlsplug_error *e)
{
	int rc = tlsplug__read_file(path, FILE_MAX, data, len);

	switch (rc) {
	case 0:
		return TLSPLUG_OK;
	case ENOMEM:
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		    "out of memory reading %s", path);
	case EFBIG:
		return tlsplug__error_set(e, TLSPLUG_ERR_IO,
		    "cannot read %s: larger than %u bytes", path, FILE_MAX);
	default:
		return tlsplug__error_set(e, TLSPLUG_ERR_IO,
		    "cannot read %s: %s", path, strerror(rc));
	}
}

static int
oom(struct tlsplug_error *e)
{
	return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM, "out of memory");
}

/* ---- framing checks ------------------------------------------------- */

enum pem_kind { PEM_CERT, PEM_KEY };

/* Result of scanning PEM text. */
struct pem_scan {
	size_t wanted;       /* blocks with a wanted label */
	int encrypted;       /* key: ENCRYPTED label or Proc-Type 4,ENCRYPTED */
};

/*
 * DER: a SEQUENCE whose length covers exactly the data.  *inner gets the tag
 * of its first element and *inner2 the tag of that element's first element
 * (-1 when absent), which is enough to tell a certificate (SEQUENCE whose
 * first element is [0] version or the serial INTEGER) from a key (INTEGER
 * version, or an EncryptedPrivateKeyInfo's AlgorithmIdentifier SEQUENCE
 * starting with an OID).
 */
static int
der_plausible(const unsigned char *d, size_t len, int *inner, int *inner2)
{
	struct tlsplug__span in = { d, len }, body;
	struct tlsplug__der_tlv seq, first;

	if (tlsplug__der_read(&in, &seq, NULL) != TLSPLUG__DER_OK ||
	    seq.tag != TLSPLUG__DER_SEQUENCE || in.len != 0)
		return 0;
	*inner = -1;
	*inner2 = -1;
	if (seq.body.len == 0)
		return 1;
	*inner = seq.body.p[0];
	body = seq.body;
	if ((*inner & TLSPLUG__DER_CONSTRUCTED) != 0 &&
	    tlsplug__der_read(&body, &first, NULL) == TLSPLUG__DER_OK &&
	    first.body.len > 0)
		*inner2 = first.body.p[0];
	return 1;
}

static int
label_wanted(enum pem_kind kind, const char *label, size_t n, int *enc)
{
	static const char *const key_labels[] = {
		"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
		"ENCRYPTED PRIVATE KEY",
	};

	*enc = 0;
	if (kind == PEM_CERT)
		return n == 11 && memcmp(label, "CERTIFICATE", 11) == 0;
	for (size_t i = 0; i < 4; i++) {
		if (strlen(key_labels[i]) == n &&
		    memcmp(label, key_labels[i], n) == 0) {
			*enc = i == 3;
			return 1;
		}
	}
	return 0;
}

/*
 * Scans PEM text (framing rules in pem.h).  Text outside blocks is allowed
 * (RFC 7468 explanatory text), and blocks with other labels ("EC
 * PARAMETERS") are skipped; keys may carry RFC 1421 headers.  Returns 0 and
 * a reason when malformed.
 */
static int
pem_scan(const char *text, size_t len, enum pem_kind kind,
         struct pem_scan *out, const char **why)
{
	struct tlsplug__pem_block b;
	size_t pos = 0;
	int rc, enc;

	out->wanted = 0;
	out->encrypted = 0;
	while ((rc = tlsplug__pem_block(text, len, &pos, kind == PEM_KEY, &b,
	                                why)) == TLSPLUG__PEM_FOUND) {
		if (label_wanted(kind, b.label, b.label_len, &enc)) {
			out->wanted++;
			if (enc || b.encrypted)
				out->encrypted = 1;
		}
	}
	return rc == TLSPLUG__PEM_NONE;
}

/*
 * Checks data and decides its format.  On success stores a copy in *blob
 * (PEM NUL-terminated), the number of wanted blocks in *count and the
 * encryption flag.  `what` names the thing for messages.
 */
static int
frame(const unsigned char *data, size_t len, enum pem_kind kind, int der_ok,
      const char *origin, int bad, struct tlsplug_blob *blob, size_t *count,
      int *encrypted, struct tlsplug_error *e)
{
	const char *what = kind == PEM_CERT ? "certificate" : "private key";
	struct pem_scan scan;
	const char *why = NULL;
	unsigned char *copy;
	int inner, inner2, fits;

	if (len == 0)
		return tlsplug__error_set(e, bad, "%s: empty %s data", origin,
		                          what);
	if (der_ok && der_plausible(data, len, &inner, &inner2)) {
		if (kind == PEM_CERT)
			fits = inner == 0x30 &&
			    (inner2 == 0xa0 || inner2 == 0x02);
		else
			fits = inner == 0x02 ||
			    (inner == 0x30 && inner2 == 0x06);
		if (!fits)
			return tlsplug__error_set(e, bad,
			    "%s: DER data is not a %s", origin, what);
		copy = tlsplug__malloc(len);
		if (copy == NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			                          "out of memory");
		memcpy(copy, data, len);
		blob->data = copy;
		blob->len = len;
		blob->format = TLSPLUG_FORMAT_DER;
		*count = 1;
		*encrypted = kind == PEM_KEY && inner == 0x30;
		return TLSPLUG_OK;
	}
	if (memchr(data, '\0', len) != NULL ||
	    memmem(data, len, "-----BEGIN ", 11) == NULL)
		return tlsplug__error_set(e, bad, der_ok ?
		    "%s: neither PEM nor DER %s data" :
		    "%s: not PEM %s data", origin, what);
	copy = tlsplug__malloc(len + 1);
	if (copy == NULL)
		return oom(e);
	memcpy(copy, data, len);
	copy[len] = '\0';
	if (!pem_scan((const char *)copy, len, kind, &scan, &why)) {
		tlsplug__free(copy);
		return tlsplug__error_set(e, bad, "%s: bad PEM: %s", origin,
		                          why);
	}
	if (scan.wanted == 0) {
		tlsplug__free(copy);
		return tlsplug__error_set(e, bad, kind == PEM_CERT ?
		    "%s: no CERTIFICATE block in PEM data" :
		    "%s: no PRIVATE KEY block in PEM data", origin);
	}
	if (kind == PEM_KEY && scan.wanted > 1) {
		tlsplug__free(copy);
		return tlsplug__error_set(e, bad,
		    "%s: %zu private keys in one PEM file", origin,
		    scan.wanted);
	}
	blob->data = copy;
	blob->len = len;
	blob->format = TLSPLUG_FORMAT_PEM;
	*count = scan.wanted;
	*encrypted = scan.encrypted;
	return TLSPLUG_OK;
}

/* Wipes and frees a blob's bytes (keys must not linger in freed memory;
 * certificates are wiped too because it is cheap). */
static void
blob_free(struct tlsplug_blob *b)
{
	if (b->data != NULL) {
		explicit_bzero((void *)b->data,
		               b->len + (b->format == TLSPLUG_FORMAT_PEM));
		tlsplug__free((void *)b->data);
	}
	b->data = NULL;
}

/* ---- loading: the steps every handle shares ------------------------- */

/* One kind of handle, for the loaders below. */
struct kind {
	const char *name;        /* "certificate": prefixes misuse messages */
	const char *data_name;   /* the buffer parameter's public name */
	/* Makes a handle from bytes (origin names them in messages; arg is
	 * the kind's own input, e.g. a key's password). */
	int (*make)(const unsigned char *data, size_t len, const char *origin,
	            const void *arg, void **h, struct tlsplug_error *e);
	/* Stores h in the caller's out (a pointer to the typed handle). */
	void (*set_out)(void *out, void *h);
};

/*
 * The body of every *_from_file(): checks the arguments, reads the file and
 * makes the handle.  out is the caller's typed out-parameter.
 */
static int
load_file(const struct kind *k, const char *path, const void *arg,
          void *out, struct tlsplug_error **err)
{
	struct tlsplug_error e = { .alert = -1 };
	unsigned char *data = NULL;
	size_t len = 0;
	void *h;
	int rc;

	if (out == NULL || path == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		    "%s_from_file: path or out is NULL", k->name);
	k->set_out(out, NULL);
	rc = read_file(path, &data, &len, &e);
	if (rc == TLSPLUG_OK) {
		rc = k->make(data, len, path, arg, &h, &e);
		if (rc == TLSPLUG_OK)
			k->set_out(out, h);
		/* The bytes may be a key: do not leave them in freed memory. */
		explicit_bzero(data, len);
		tlsplug__free(data);
	}
	return rc == TLSPLUG_OK ? rc : tlsplug__error_export(&e, err);
}

/* The body of every *_from_buffer(), as load_file() is of *_from_file(). */
static int
load_buffer(const struct kind *k, const void *data, size_t len,
            const void *arg, void *out, struct tlsplug_error **err)
{
	struct tlsplug_error e = { .alert = -1 };
	void *h;
	int rc;

	if (out == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		    "%s_from_buffer: out is NULL", k->name);
	k->set_out(out, NULL);
	if (data == NULL && len > 0)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "%s_from_buffer: %s is NULL", k->name, k->data_name);
	rc = k->make(data, len, BUFFER_ORIGIN, arg, &h, &e);
	if (rc == TLSPLUG_OK)
		k->set_out(out, h);
	return rc == TLSPLUG_OK ? rc : tlsplug__error_export(&e, err);
}

/*
 * Makes a handle that starts with struct certs, of the given size: frames
 * data as certificates (DER accepted when der_ok) and keeps a copy.
 */
static int
certs_new(const unsigned char *data, size_t len, const char *origin,
          int der_ok, size_t size, void **h, struct tlsplug_error *e)
{
	struct certs *c;
	int rc, enc;

	c = tlsplug__calloc(1, size);
	if (c == NULL)
		return oom(e);
	c->origin = tlsplug__strdup(origin);
	if (c->origin == NULL) {
		tlsplug__free(c);
		return oom(e);
	}
	rc = frame(data, len, PEM_CERT, der_ok, origin,
	           TLSPLUG_ERR_BAD_CERTIFICATE, &c->blob, &c->count, &enc, e);
	if (rc != TLSPLUG_OK) {
		tlsplug__free(c->origin);
		tlsplug__free(c);
		return rc;
	}
	c->blob.origin = c->origin;
	atomic_init(&c->refs, 1);
	*h = c;
	return TLSPLUG_OK;
}

static void
certs_ref(struct certs *c)
{
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
}

static void
certs_unref(struct certs *c)
{
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	blob_free(&c->blob);
	tlsplug__free(c->origin);
	tlsplug__free(c);
}

/* ---- certificates --------------------------------------------------- */

static int
cert_new(const unsigned char *data, size_t len, const char *origin,
         const void *arg, void **h, struct tlsplug_error *e)
{
	(void)arg;
	return certs_new(data, len, origin, 1,
	                 sizeof(struct tlsplug_certificate), h, e);
}

static void
cert_set_out(void *out, void *h)
{
	*(struct tlsplug_certificate **)out = h;
}

static const struct kind cert_kind = {
	"certificate", "data", cert_new, cert_set_out
};

int
tlsplug_certificate_from_buffer(const void *data, size_t len,
                                struct tlsplug_certificate **out,
                                struct tlsplug_error **err)
{
	return load_buffer(&cert_kind, data, len, NULL, out, err);
}

int
tlsplug_certificate_from_file(const char *path,
                              struct tlsplug_certificate **out,
                              struct tlsplug_error **err)
{
	return load_file(&cert_kind, path, NULL, out, err);
}

size_t
tlsplug_certificate_count(const struct tlsplug_certificate *c)
{
	return c == NULL ? 0 : c->certs.count;
}

struct tlsplug_certificate *
tlsplug_certificate_ref(struct tlsplug_certificate *c)
{
	if (c != NULL)
		certs_ref(&c->certs);
	return c;
}

void
tlsplug_certificate_unref(struct tlsplug_certificate *c)
{
	if (c != NULL)
		certs_unref(&c->certs);
}

void
tlsplug__certificate_blob(const struct tlsplug_certificate *c,
                          struct tlsplug_blob *out)
{
	*out = c->certs.blob;
}

/* ---- private keys --------------------------------------------------- */

/*
 * The six tlsplug_private_key_from_*() are one path, key_load(), given
 * where the bytes come from (struct key_source) and how the password is
 * given (struct key_secret, the kind's arg).
 */
struct key_source {
	const char *path;        /* file: path (may be a bad NULL) */
	const void *data;        /* buffer: bytes and length */
	size_t len;
	int file;                /* 1: path, 0: data/len */
};

enum key_how { KEY_NO_PASSWORD, KEY_PASSWORD, KEY_CALLBACK };

struct key_secret {
	enum key_how how;
	const void *password;    /* KEY_PASSWORD */
	size_t password_len;
	tlsplug_password_cb cb;  /* KEY_CALLBACK */
	void *cb_data;
};

/*
 * Makes a key handle.  The password or callback is kept only when the
 * framing says the key is encrypted: for any other key it would not be
 * used, and dropping it here makes that so on every engine (one would
 * otherwise try to decrypt a plain DER key, another call the callback).
 */
static int
key_new(const unsigned char *data, size_t len, const char *origin,
        const void *arg, void **h, struct tlsplug_error *e)
{
	const struct key_secret *sec = arg;
	struct tlsplug_private_key *k;
	size_t count;
	int rc;

	k = tlsplug__calloc(1, sizeof(*k));
	if (k == NULL)
		return oom(e);
	atomic_init(&k->refs, 1);
	k->origin = tlsplug__strdup(origin);
	if (k->origin == NULL)
		goto nomem;
	rc = frame(data, len, PEM_KEY, 1, origin, TLSPLUG_ERR_BAD_KEY,
	           &k->blob, &count, &k->encrypted, e);
	if (rc != TLSPLUG_OK) {
		k->blob.data = NULL;
		tlsplug_private_key_unref(k);
		return rc;
	}
	k->blob.origin = k->origin;
	if (k->encrypted && sec->how == KEY_PASSWORD) {
		k->password = tlsplug__malloc(sec->password_len + 1);
		if (k->password == NULL)
			goto nomem;
		/* An empty password (NULL, 0) is still a password. */
		if (sec->password_len > 0)
			memcpy(k->password, sec->password, sec->password_len);
		k->password[sec->password_len] = '\0';
		k->password_len = sec->password_len;
	}
	if (k->encrypted && sec->how == KEY_CALLBACK) {
		k->cb = sec->cb;
		k->cb_data = sec->cb_data;
	}
	*h = k;
	return TLSPLUG_OK;
nomem:
	tlsplug_private_key_unref(k);
	return oom(e);
}

static void
key_set_out(void *out, void *h)
{
	*(struct tlsplug_private_key **)out = h;
}

static const struct kind key_kind = {
	"private_key", "data", key_new, key_set_out
};

/* The body of every tlsplug_private_key_from_*(). */
static int
key_load(struct key_source src, struct key_secret sec,
         struct tlsplug_private_key **out, struct tlsplug_error **err)
{
	if (out != NULL)
		*out = NULL;
	if (sec.how == KEY_PASSWORD && sec.password == NULL &&
	    sec.password_len > 0)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		                          "private key password is NULL");
	if (sec.how == KEY_CALLBACK && sec.cb == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "private key password callback is NULL");
	if (src.file)
		return load_file(&key_kind, src.path, &sec, out, err);
	return load_buffer(&key_kind, src.data, src.len, &sec, out, err);
}

static struct key_source
key_file(const char *path)
{
	return (struct key_source){ .path = path, .file = 1 };
}

static struct key_source
key_buffer(const void *data, size_t len)
{
	return (struct key_source){ .data = data, .len = len, .file = 0 };
}

static struct key_secret
no_password(void)
{
	return (struct key_secret){ .how = KEY_NO_PASSWORD };
}

static struct key_secret
password_bytes(const void *password, size_t password_len)
{
	return (struct key_secret){ .how = KEY_PASSWORD, .password = password,
	                            .password_len = password_len };
}

static struct key_secret
password_callback(tlsplug_password_cb cb, void *user_data)
{
	return (struct key_secret){ .how = KEY_CALLBACK, .cb = cb,
	                            .cb_data = user_data };
}

int
tlsplug_private_key_from_file(const char *path,
                              struct tlsplug_private_key **out,
                              struct tlsplug_error **err)
{
	return key_load(key_file(path), no_password(), out, err);
}

int
tlsplug_private_key_from_file_with_password(const char *path,
	const void *password, size_t password_len,
	struct tlsplug_private_key **out, struct tlsplug_error **err)
{
	return key_load(key_file(path),
	                password_bytes(password, password_len), out, err);
}

int
tlsplug_private_key_from_file_with_callback(const char *path,
	tlsplug_password_cb cb, void *user_data,
	struct tlsplug_private_key **out, struct tlsplug_error **err)
{
	return key_load(key_file(path), password_callback(cb, user_data),
	                out, err);
}

int
tlsplug_private_key_from_buffer(const void *data, size_t len,
                                struct tlsplug_private_key **out,
                                struct tlsplug_error **err)
{
	return key_load(key_buffer(data, len), no_password(), out, err);
}

int
tlsplug_private_key_from_buffer_with_password(const void *data, size_t len,
	const void *password, size_t password_len,
	struct tlsplug_private_key **out, struct tlsplug_error **err)
{
	return key_load(key_buffer(data, len),
	                password_bytes(password, password_len), out, err);
}

int
tlsplug_private_key_from_buffer_with_callback(const void *data, size_t len,
	tlsplug_password_cb cb, void *user_data,
	struct tlsplug_private_key **out, struct tlsplug_error **err)
{
	return key_load(key_buffer(data, len),
	                password_callback(cb, user_data), out, err);
}

struct tlsplug_private_key *
tlsplug_private_key_ref(struct tlsplug_private_key *k)
{
	if (k != NULL)
		atomic_fetch_add_explicit(&k->refs, 1, memory_order_relaxed);
	return k;
}

void
tlsplug_private_key_unref(struct tlsplug_private_key *k)
{
	if (k == NULL ||
	    atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) != 1)
		return;
	blob_free(&k->blob);
	if (k->password != NULL) {
		explicit_bzero(k->password, k->password_len + 1);
		tlsplug__free(k->password);
	}
	tlsplug__free(k->origin);
	tlsplug__free(k);
}

void
tlsplug__private_key_bkey(const struct tlsplug_private_key *k,
                          struct tlsplug_bkey *out)
{
	out->blob = k->blob;
	out->password = k->password;
	out->password_len = k->password_len;
	out->password_cb = k->cb;
	out->password_user_data = k->cb_data;
}

int
tlsplug__private_key_encrypted(const struct tlsplug_private_key *k)
{
	return k != NULL && k->encrypted;
}

/* ---- trust stores --------------------------------------------------- */

struct tlsplug_trust_store *
tlsplug_trust_store_system(void)
{
	return &system_store;
}

static int
trust_new(const unsigned char *data, size_t len, const char *origin,
          const void *arg, void **h, struct tlsplug_error *e)
{
	(void)arg;
	/* Engines take trust anchors as PEM only. */
	return certs_new(data, len, origin, 0,
	                 sizeof(struct tlsplug_trust_store), h, e);
}

static void
trust_set_out(void *out, void *h)
{
	*(struct tlsplug_trust_store **)out = h;
}

static const struct kind trust_kind = {
	"trust_store", "pem", trust_new, trust_set_out
};

int
tlsplug_trust_store_from_file(const char *path,
                              struct tlsplug_trust_store **out,
                              struct tlsplug_error **err)
{
	return load_file(&trust_kind, path, NULL, out, err);
}

int
tlsplug_trust_store_from_buffer(const void *pem, size_t len,
                                struct tlsplug_trust_store **out,
                                struct tlsplug_error **err)
{
	return load_buffer(&trust_kind, pem, len, NULL, out, err);
}

struct tlsplug_trust_store *
tlsplug_trust_store_ref(struct tlsplug_trust_store *t)
{
	if (t != NULL && t != &system_store)
		certs_ref(&t->certs);
	return t;
}

void
tlsplug_trust_store_unref(struct tlsplug_trust_store *t)
{
	if (t != NULL && t != &system_store)
		certs_unref(&t->certs);
}

void
tlsplug__trust_store_btrust(const struct tlsplug_trust_store *t,
                            struct tlsplug_btrust *out)
{
	if (t == NULL || t->system) {
		out->system = 1;
		out->pem.data = NULL;
		out->pem.len = 0;
		out->pem.format = TLSPLUG_FORMAT_PEM;
		out->pem.origin = "system";
		return;
	}
	out->system = 0;
	out->pem = t->certs.blob;
}

int
tlsplug__trust_store_is_system(const struct tlsplug_trust_store *t)
{
	return t == NULL || t == &system_store;
}
