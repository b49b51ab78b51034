/*
 * revocation.c -- certificate revocation lists (handles the core checks and
 * keeps, as it does certificates), the client's OCSP mode, the server's
 * OCSP staple (bytes, or a file reloaded when it changes) and the
 * revocation part of a config's backend view.
 *
 * The core only checks the framing (a CRL is a CertificateList, a staple a
 * successful OCSPResponse carrying a BasicOCSPResponse); the engines check
 * signatures and what the lists and responses say.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "der.h"
#include "internal.h"
#include "pem.h"
#include "revocation.h"

#define CRL_FILE_MAX (64u * 1024 * 1024)
#define STAPLE_FILE_MAX (1024u * 1024)
#define BUFFER_ORIGIN "(buffer)"
#define CRL_LABEL "X509 CRL"

struct tlsplug_crl {
	atomic_size_t refs;
	struct tlsplug_blob blob;  /* PEM (NUL-terminated) or DER */
	char *origin;
	size_t count;
};

/* A server's staple.  The bytes change when the file is reloaded, so
 * readers copy them under the lock. */
struct tlsplug_ocsp_source {
	atomic_size_t refs;
	pthread_mutex_t lock;
	char *path;                /* NULL: fixed bytes */
	unsigned char *der;
	size_t len;
	/* The file as last read, to see that it changed. */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	time_t checked;            /* last look at the file */
};

/* ---- DER checks ----------------------------------------------------- */

static int
is_time(unsigned char tag)
{
	return tag == 0x17 || tag == 0x18;   /* UTCTime, GeneralizedTime */
}

const char *
tlsplug__crl_der_check(const unsigned char *der, size_t len)
{
	struct tlsplug__span in = { der, len }, body, tbs;
	struct tlsplug__der_tlv list, t, e;

	if (tlsplug__der_expect(&in, TLSPLUG__DER_SEQUENCE, &list) != 0)
		return "not a DER SEQUENCE";
	if (in.len != 0)
		return "bytes after the CRL";
	body = list.body;
	if (tlsplug__der_expect(&body, TLSPLUG__DER_SEQUENCE, &t) != 0)
		return "no tbsCertList";
	tbs = t.body;
	/* version (optional), signature, issuer, thisUpdate */
	if (tbs.len > 0 && tbs.p[0] == TLSPLUG__DER_INTEGER &&
	    tlsplug__der_expect(&tbs, TLSPLUG__DER_INTEGER, &e) != 0)
		return "bad version";
	if (tbs.len > 0 && tbs.p[0] == 0xa0)
		return "a certificate, not a CRL";
	if (tlsplug__der_expect(&tbs, TLSPLUG__DER_SEQUENCE, &e) != 0)
		return "no signature algorithm in tbsCertList";
	if (tlsplug__der_expect(&tbs, TLSPLUG__DER_SEQUENCE, &e) != 0)
		return "no issuer name";
	if (tlsplug__der_read(&tbs, &e, NULL) != TLSPLUG__DER_OK ||
	    !is_time(e.tag))
		return "no thisUpdate time (a certificate, not a CRL?)";
	if (tlsplug__der_expect(&body, TLSPLUG__DER_SEQUENCE, &e) != 0)
		return "no signature algorithm";
	if (tlsplug__der_expect(&body, TLSPLUG__DER_BIT_STRING, &e) != 0)
		return "no signature";
	if (body.len != 0)
		return "bytes after the signature";
	return NULL;
}

/* id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1 (RFC 6960) */
static const unsigned char ocsp_basic_oid[] = {
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01
};

const char *
tlsplug__ocsp_response_check(const unsigned char *der, size_t len)
{
	struct tlsplug__span in = { der, len }, body, rb, basic;
	struct tlsplug__der_tlv resp, st, wrap, seq, oid, oct, b, e;

	if (len == 0)
		return "empty data";
	if (tlsplug__der_expect(&in, TLSPLUG__DER_SEQUENCE, &resp) != 0)
		return "not a DER OCSPResponse";
	if (in.len != 0)
		return "bytes after the OCSPResponse";
	body = resp.body;
	if (tlsplug__der_expect(&body, 0x0a, &st) != 0 || st.body.len != 1)
		return "no responseStatus";
	if (st.body.p[0] != 0) {
		/* Non-successful responses carry no status of a certificate:
		 * nothing to staple.  Static reasons, one per status. */
		static const char *const msgs[] = {
			NULL,
			"responseStatus is malformedRequest, not successful",
			"responseStatus is internalError, not successful",
			"responseStatus is tryLater, not successful",
			"responseStatus is not successful",
			"responseStatus is sigRequired, not successful",
			"responseStatus is unauthorized, not successful",
		};
		return st.body.p[0] < 7 ? msgs[st.body.p[0]] :
		    "responseStatus is not successful";
	}
	if (tlsplug__der_expect(&body, 0xa0, &wrap) != 0 || body.len != 0)
		return "no responseBytes";
	rb = wrap.body;
	if (tlsplug__der_expect(&rb, TLSPLUG__DER_SEQUENCE, &seq) != 0)
		return "bad responseBytes";
	rb = seq.body;
	if (tlsplug__der_expect(&rb, TLSPLUG__DER_OID, &oid) != 0 ||
	    tlsplug__der_expect(&rb, TLSPLUG__DER_OCTET_STRING, &oct) != 0)
		return "bad responseBytes";
	if (oid.body.len != sizeof(ocsp_basic_oid) ||
	    memcmp(oid.body.p, ocsp_basic_oid, sizeof(ocsp_basic_oid)) != 0)
		return "responseType is not id-pkix-ocsp-basic";
	basic = oct.body;
	if (tlsplug__der_expect(&basic, TLSPLUG__DER_SEQUENCE, &b) != 0 ||
	    basic.len != 0)
		return "bad BasicOCSPResponse";
	basic = b.body;
	if (tlsplug__der_expect(&basic, TLSPLUG__DER_SEQUENCE, &e) != 0)
		return "no tbsResponseData";
	if (tlsplug__der_expect(&basic, TLSPLUG__DER_SEQUENCE, &e) != 0)
		return "no signature algorithm";
	if (tlsplug__der_expect(&basic, TLSPLUG__DER_BIT_STRING, &e) != 0)
		return "no signature";
	return NULL;
}

/* ---- CRL handles ---------------------------------------------------- */

/* Frames data as CRLs: PEM "X509 CRL" blocks (each decoded and checked)
 * or one DER CRL.  Records the reason naming origin. */
static int
crl_frame(const unsigned char *data, size_t len, const char *origin,
          struct tlsplug_blob *blob, size_t *count, struct tlsplug_error *e)
{
	const char *why;
	unsigned char *copy;

	if (len == 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "CRL %s: empty data", origin);
	if (data[0] == TLSPLUG__DER_SEQUENCE &&
	    memmem(data, len, "-----BEGIN ", 11) == NULL) {
		why = tlsplug__crl_der_check(data, len);
		if (why != NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
			    "CRL %s: DER data is not a CRL: %s", origin, why);
		copy = tlsplug__malloc(len);
		if (copy == NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			                          "out of memory");
		memcpy(copy, data, len);
		blob->format = TLSPLUG_FORMAT_DER;
		*count = 1;
	} else {
		size_t pos = 0, n = 0, dlen;
		unsigned char *d;
		int rc;

		if (memchr(data, '\0', len) != NULL ||
		    memmem(data, len, "-----BEGIN ", 11) == NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
			    "CRL %s: neither PEM nor DER CRL data", origin);
		while ((rc = tlsplug__pem_next((const char *)data, len, &pos,
		                               CRL_LABEL, &d, &dlen, &why)) ==
		       TLSPLUG__PEM_FOUND) {
			n++;
			why = tlsplug__crl_der_check(d, dlen);
			explicit_bzero(d, dlen);
			tlsplug__free(d);
			if (why != NULL)
				return tlsplug__error_set(e,
				    TLSPLUG_ERR_INVALID, "CRL %s: block %zu "
				    "is not a CRL: %s", origin, n, why);
		}
		if (rc == TLSPLUG__PEM_NOMEM)
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			                          "out of memory");
		if (rc == TLSPLUG__PEM_BAD)
			return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
			    "CRL %s: bad PEM: %s", origin, why);
		if (n == 0)
			return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
			    "CRL %s: no X509 CRL block in PEM data", origin);
		copy = tlsplug__malloc(len + 1);
		if (copy == NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			                          "out of memory");
		memcpy(copy, data, len);
		copy[len] = '\0';
		blob->format = TLSPLUG_FORMAT_PEM;
		*count = n;
	}
	blob->data = copy;
	blob->len = len;
	return TLSPLUG_OK;
}

static int
crl_new(const unsigned char *data, size_t len, const char *origin,
        struct tlsplug_crl **out, struct tlsplug_error *e)
{
	struct tlsplug_crl *c = tlsplug__calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	c->origin = tlsplug__strdup(origin);
	if (c->origin == NULL) {
		tlsplug__free(c);
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	}
	rc = crl_frame(data, len, origin, &c->blob, &c->count, e);
	if (rc != TLSPLUG_OK) {
		tlsplug__free(c->origin);
		tlsplug__free(c);
		return rc;
	}
	c->blob.origin = c->origin;
	atomic_init(&c->refs, 1);
	*out = c;
	return TLSPLUG_OK;
}

/* Reads a file for the core's revocation inputs; the error names it. */
static int
read_input(const char *what, const char *path, size_t max,
           unsigned char **data, size_t *len, struct tlsplug_error *e)
{
	int rc = tlsplug__read_file(path, max, data, len);

	switch (rc) {
	case 0:
		return TLSPLUG_OK;
	case ENOMEM:
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		    "out of memory reading %s", path);
	case EFBIG:
		return tlsplug__error_set(e, TLSPLUG_ERR_IO,
		    "cannot read %s %s: larger than %zu bytes", what, path,
		    max);
	default:
		return tlsplug__error_set(e, TLSPLUG_ERR_IO,
		    "cannot read %s %s: %s", what, path, strerror(rc));
	}
}

int
tlsplug_crl_from_file(const char *path, struct tlsplug_crl **out,
                      struct tlsplug_error **err)
{
	struct tlsplug_error e = { .alert = -1 };
	unsigned char *data;
	size_t len;
	int rc;

	if (out == NULL || path == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		    "crl_from_file: path or out is NULL");
	*out = NULL;
	rc = read_input("CRL", path, CRL_FILE_MAX, &data, &len, &e);
	if (rc == TLSPLUG_OK) {
		rc = crl_new(data, len, path, out, &e);
		tlsplug__free(data);
	}
	return rc == TLSPLUG_OK ? rc : tlsplug__error_export(&e, err);
}

int
tlsplug_crl_from_buffer(const void *data, size_t len,
                        struct tlsplug_crl **out, struct tlsplug_error **err)
{
	struct tlsplug_error e = { .alert = -1 };
	int rc;

	if (out == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_MISUSE,
		    "crl_from_buffer: out is NULL");
	*out = NULL;
	if (data == NULL && len > 0)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "crl_from_buffer: data is NULL");
	rc = crl_new(data, len, BUFFER_ORIGIN, out, &e);
	return rc == TLSPLUG_OK ? rc : tlsplug__error_export(&e, err);
}

size_t
tlsplug_crl_count(const struct tlsplug_crl *crl)
{
	return crl == NULL ? 0 : crl->count;
}

struct tlsplug_crl *
tlsplug_crl_ref(struct tlsplug_crl *crl)
{
	if (crl != NULL)
		atomic_fetch_add_explicit(&crl->refs, 1, memory_order_relaxed);
	return crl;
}

void
tlsplug_crl_unref(struct tlsplug_crl *crl)
{
	if (crl == NULL ||
	    atomic_fetch_sub_explicit(&crl->refs, 1, memory_order_acq_rel) != 1)
		return;
	tlsplug__free((void *)crl->blob.data);
	tlsplug__free(crl->origin);
	tlsplug__free(crl);
}

/* ---- OCSP staple sources -------------------------------------------- */

static struct tlsplug_ocsp_source *
source_ref(struct tlsplug_ocsp_source *s)
{
	if (s != NULL)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

static void
source_unref(struct tlsplug_ocsp_source *s)
{
	if (s == NULL ||
	    atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	pthread_mutex_destroy(&s->lock);
	tlsplug__free(s->der);
	tlsplug__free(s->path);
	tlsplug__free(s);
}

/* A new source holding a copy of der (checked by the caller). */
static struct tlsplug_ocsp_source *
source_new(const unsigned char *der, size_t len, const char *path)
{
	struct tlsplug_ocsp_source *s = tlsplug__calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->der = tlsplug__malloc(len);
	s->path = path != NULL ? tlsplug__strdup(path) : NULL;
	if (s->der == NULL || (path != NULL && s->path == NULL) ||
	    pthread_mutex_init(&s->lock, NULL) != 0) {
		tlsplug__free(s->der);
		tlsplug__free(s->path);
		tlsplug__free(s);
		return NULL;
	}
	memcpy(s->der, der, len);
	s->len = len;
	s->checked = time(NULL);
	atomic_init(&s->refs, 1);
	return s;
}

static void
source_note_file(struct tlsplug_ocsp_source *s, const struct stat *st)
{
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = st->st_size;
	s->mtime = st->st_mtim;
}

/* With s->lock held: rereads the file when it changed since the last
 * read (looking at most once a second).  A replacement that cannot be
 * read or checked is ignored: the last good response stays. */
static void
source_reload_locked(struct tlsplug_ocsp_source *s)
{
	time_t now = time(NULL);
	unsigned char *data;
	struct stat st;
	size_t len;

	if (s->path == NULL || now == s->checked)
		return;
	s->checked = now;
	if (stat(s->path, &st) != 0 ||
	    (st.st_dev == s->dev && st.st_ino == s->ino &&
	     st.st_size == s->size && st.st_mtim.tv_sec == s->mtime.tv_sec &&
	     st.st_mtim.tv_nsec == s->mtime.tv_nsec))
		return;
	if (tlsplug__read_file(s->path, STAPLE_FILE_MAX, &data, &len) != 0)
		return;
	if (tlsplug__ocsp_response_check(data, len) != NULL) {
		tlsplug__free(data);
		return;
	}
	tlsplug__free(s->der);
	s->der = data;
	s->len = len;
	source_note_file(s, &st);
}

ssize_t
tlsplug__ocsp_source_read(const struct tlsplug_ocsp_source *csrc,
                          unsigned char *buf, size_t size)
{
	/* The source is logically const: only its cache of the file
	 * changes, under its lock. */
	struct tlsplug_ocsp_source *src = (struct tlsplug_ocsp_source *)csrc;
	size_t len;

	if (src == NULL)
		return -1;
	pthread_mutex_lock(&src->lock);
	source_reload_locked(src);
	len = src->len;
	if (len <= size && buf != NULL)
		memcpy(buf, src->der, len);
	pthread_mutex_unlock(&src->lock);
	return (ssize_t)len;
}

/* ---- settings ------------------------------------------------------- */

void
tlsplug__revocation_free(struct tlsplug__revocation *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ncrls; i++)
		tlsplug_crl_unref(r->crls[i]);
	tlsplug__free(r->crls);
	source_unref(r->staple);
	tlsplug__free(r->blobs);
	memset(r, 0, sizeof(*r));
}

int
tlsplug__revocation_copy(struct tlsplug__revocation *dst,
                         const struct tlsplug__revocation *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->ocsp = src->ocsp;
	if (src->ncrls > 0) {
		dst->crls = tlsplug__calloc(src->ncrls, sizeof(*dst->crls));
		if (dst->crls == NULL)
			return TLSPLUG_ERR_NOMEM;
		for (size_t i = 0; i < src->ncrls; i++)
			dst->crls[i] = tlsplug_crl_ref(src->crls[i]);
		dst->ncrls = src->ncrls;
	}
	dst->staple = source_ref(src->staple);
	return TLSPLUG_OK;
}

static int
bytes_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static int
staple_equal(const struct tlsplug_ocsp_source *a,
             const struct tlsplug_ocsp_source *b)
{
	if (a == b)
		return 1;
	if (a == NULL || b == NULL || (a->path == NULL) != (b->path == NULL))
		return 0;
	if (a->path != NULL)
		return strcmp(a->path, b->path) == 0;
	return bytes_equal(a->der, a->len, b->der, b->len);
}

int
tlsplug__revocation_equal(const struct tlsplug__revocation *a,
                          const struct tlsplug__revocation *b)
{
	if (a->ocsp != b->ocsp || a->ncrls != b->ncrls ||
	    !staple_equal(a->staple, b->staple))
		return 0;
	for (size_t i = 0; i < a->ncrls; i++) {
		const struct tlsplug_blob *x = &a->crls[i]->blob;
		const struct tlsplug_blob *y = &b->crls[i]->blob;

		if (x->format != y->format ||
		    !bytes_equal(x->data, x->len, y->data, y->len))
			return 0;
	}
	return 1;
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

uint64_t
tlsplug__revocation_hash(const struct tlsplug__revocation *r)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t v;

	h = fnv(h, &r->ocsp, sizeof(r->ocsp));
	h = fnv(h, &r->ncrls, sizeof(r->ncrls));
	for (size_t i = 0; i < r->ncrls; i++)
		h = fnv(h, r->crls[i]->blob.data, r->crls[i]->blob.len);
	v = r->staple == NULL ? 0 : r->staple->path != NULL ? 1 : 2;
	h = fnv(h, &v, sizeof(v));
	if (v == 1)
		h = fnv(h, r->staple->path, strlen(r->staple->path));
	else if (v == 2)
		h = fnv(h, r->staple->der, r->staple->len);
	return h;
}

int
tlsplug__revocation_view(struct tlsplug__revocation *r,
                         struct tlsplug_bconfig *v)
{
	if (r->ncrls > 0) {
		r->blobs = tlsplug__calloc(r->ncrls, sizeof(*r->blobs));
		if (r->blobs == NULL)
			return TLSPLUG_ERR_NOMEM;
		for (size_t i = 0; i < r->ncrls; i++)
			r->blobs[i] = r->crls[i]->blob;
	}
	v->crls = r->blobs;
	v->ncrls = r->ncrls;
	v->ocsp = r->ocsp;
	v->ocsp_staple = r->staple;
	return TLSPLUG_OK;
}

int
tlsplug__revocation_check_caps(const struct tlsplug_backend *b,
                               enum tlsplug_role role,
                               const struct tlsplug_bconfig *v,
                               struct tlsplug_error *e)
{
	uint64_t caps = b->d->caps;

	if (v->ncrls > 0 && !(caps & TLSPLUG_CAP_CRL))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support certificate revocation "
		    "lists (CRL)", b->name);
	if (role == TLSPLUG_CLIENT && v->ocsp != TLSPLUG_OCSP_OFF &&
	    !(caps & TLSPLUG_CAP_OCSP_CHECK))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s cannot check stapled OCSP responses "
		    "(OCSP check)", b->name);
	if (role == TLSPLUG_SERVER && v->ocsp_staple != NULL &&
	    !(caps & TLSPLUG_CAP_OCSP_STAPLE))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s cannot staple OCSP responses (OCSP "
		    "stapling)", b->name);
	return TLSPLUG_OK;
}

/* ---- public setters ------------------------------------------------- */

int
tlsplug_config_builder_add_crl(struct tlsplug_config_builder *b,
                               struct tlsplug_crl *crl)
{
	struct tlsplug_error *e;
	struct tlsplug__revocation *r = tlsplug__builder_revocation(b, &e);
	struct tlsplug_crl **n;

	if (r == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (crl == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		                          "CRL: the handle is NULL");
	n = tlsplug__realloc(r->crls, (r->ncrls + 1) * sizeof(*n));
	if (n == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		                          "out of memory setting CRL");
	r->crls = n;
	r->crls[r->ncrls++] = tlsplug_crl_ref(crl);
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_clear_crls(struct tlsplug_config_builder *b)
{
	struct tlsplug__revocation *r = tlsplug__builder_revocation(b, NULL);

	if (r == NULL)
		return TLSPLUG_ERR_MISUSE;
	for (size_t i = 0; i < r->ncrls; i++)
		tlsplug_crl_unref(r->crls[i]);
	tlsplug__free(r->crls);
	r->crls = NULL;
	r->ncrls = 0;
	return TLSPLUG_OK;
}

size_t
tlsplug_config_crl_count(const struct tlsplug_config *c)
{
	return c == NULL ? 0 : tlsplug__config_revocation(c)->ncrls;
}

int
tlsplug_config_builder_set_ocsp_mode(struct tlsplug_config_builder *b,
                                     enum tlsplug_ocsp_mode mode)
{
	struct tlsplug_error *e;
	struct tlsplug__revocation *r = tlsplug__builder_revocation(b, &e);

	if (r == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (mode != TLSPLUG_OCSP_OFF && mode != TLSPLUG_OCSP_CHECK &&
	    mode != TLSPLUG_OCSP_REQUIRE)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "OCSP mode: %d is not a mode", (int)mode);
	r->ocsp = mode;
	return TLSPLUG_OK;
}

enum tlsplug_ocsp_mode
tlsplug_config_ocsp_mode(const struct tlsplug_config *c)
{
	return c == NULL ? TLSPLUG_OCSP_OFF :
	    tlsplug__config_revocation(c)->ocsp;
}

/* Replaces r's staple with one made from der (checked here; origin names
 * it in messages), remembering the file when path is not NULL. */
static int
set_staple(struct tlsplug__revocation *r, struct tlsplug_error *e,
           const unsigned char *der, size_t len, const char *path,
           const struct stat *st)
{
	struct tlsplug_ocsp_source *s;
	const char *why = tlsplug__ocsp_response_check(der, len);

	if (why != NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "OCSP staple %s: not an OCSP response to staple: %s",
		    path != NULL ? path : BUFFER_ORIGIN, why);
	s = source_new(der, len, path);
	if (s == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		                          "out of memory setting OCSP staple");
	if (st != NULL)
		source_note_file(s, st);
	source_unref(r->staple);
	r->staple = s;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_ocsp_staple(struct tlsplug_config_builder *b,
                                       const void *der, size_t len)
{
	struct tlsplug_error *e;
	struct tlsplug__revocation *r = tlsplug__builder_revocation(b, &e);

	if (r == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (der == NULL && len > 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "OCSP staple: data is NULL but length is %zu", len);
	if (der == NULL) {
		source_unref(r->staple);
		r->staple = NULL;
		return TLSPLUG_OK;
	}
	return set_staple(r, e, der, len, NULL, NULL);
}

int
tlsplug_config_builder_set_ocsp_staple_file(struct tlsplug_config_builder *b,
                                            const char *path)
{
	struct tlsplug_error *e;
	struct tlsplug__revocation *r = tlsplug__builder_revocation(b, &e);
	unsigned char *data;
	struct stat st;
	size_t len;
	int rc;

	if (r == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (path == NULL) {
		source_unref(r->staple);
		r->staple = NULL;
		return TLSPLUG_OK;
	}
	if (stat(path, &st) != 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_IO,
		    "cannot read OCSP staple %s: %s", path, strerror(errno));
	rc = read_input("OCSP staple", path, STAPLE_FILE_MAX, &data, &len, e);
	if (rc != TLSPLUG_OK)
		return rc;
	rc = set_staple(r, e, data, len, path, &st);
	tlsplug__free(data);
	return rc;
}

/* ---- connections ---------------------------------------------------- */

enum tlsplug_ocsp_status
tlsplug_conn_ocsp_status(const struct tlsplug_conn *conn)
{
	return conn == NULL ? TLSPLUG_OCSP_STATUS_NONE :
	    tlsplug__conn_ocsp_status(conn);
}

const char *
tlsplug_ocsp_status_name(enum tlsplug_ocsp_status s)
{
	switch (s) {
	case TLSPLUG_OCSP_STATUS_NONE:
		return "none";
	case TLSPLUG_OCSP_STATUS_GOOD:
		return "good";
	case TLSPLUG_OCSP_STATUS_REVOKED:
		return "revoked";
	case TLSPLUG_OCSP_STATUS_UNKNOWN:
		return "unknown";
	}
	return NULL;
}
