/*
 * policy.c -- the system policy (policy.h): parsing the [policy] lines of
 * the system config file, the public accessors, and applying the policy as
 * a floor to every context on every backend.
 *
 * The floor works the same way for each setting: a value an application
 * set below it is refused with TLSPLUG_ERR_POLICY naming the policy file
 * and line; a value left at its default is raised to it.  Engines apply
 * their own system configuration on top (OpenSSL's openssl.cnf, GnuTLS's
 * @SYSTEM priority), so the stricter of the two wins.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "der.h"
#include "internal.h"
#include "pem.h"
#include "policy.h"
#include "registry.h"
#include "x509.h"

#define MAX_GROUPS 32

/* One policy line's value and where it was set. */
struct tlsplug_policy {
	char *file;
	enum tlsplug_version min_version;
	unsigned min_version_line;
	uint16_t *ciphers;
	size_t nciphers;
	unsigned ciphers_line;
	char **groups;                 /* lower case, NULL-terminated */
	size_t ngroups;
	unsigned groups_line;
	unsigned min_rsa_bits, min_rsa_line;
	unsigned min_dh_bits, min_dh_line;
	/* A line of the section could not be read: contexts are refused. */
	unsigned broken_line;
	char *broken_why;
};

/* The groups the policy may name (RFC 8446, RFC 7919), lower case. */
static const char *const known_groups[] = {
	"x25519", "x448", "secp256r1", "secp384r1", "secp521r1",
	"ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192",
};

/* ---- parsing -------------------------------------------------------- */

static int
policy_get(struct tlsplug_policy **p, const char *file)
{
	if (*p != NULL)
		return TLSPLUG_OK;
	*p = tlsplug__calloc(1, sizeof(**p));
	if (*p == NULL)
		return TLSPLUG_ERR_NOMEM;
	(*p)->file = tlsplug__strdup(file);
	if ((*p)->file == NULL) {
		tlsplug__free(*p);
		*p = NULL;
		return TLSPLUG_ERR_NOMEM;
	}
	return TLSPLUG_OK;
}

void
tlsplug__policy_free(struct tlsplug_policy *p)
{
	if (p == NULL)
		return;
	tlsplug__free(p->file);
	tlsplug__free(p->ciphers);
	if (p->groups != NULL)
		for (size_t i = 0; i < p->ngroups; i++)
			tlsplug__free(p->groups[i]);
	tlsplug__free(p->groups);
	tlsplug__free(p->broken_why);
	tlsplug__free(p);
}

int
tlsplug__policy_mark_broken(struct tlsplug_policy **p, const char *file,
                            unsigned line, const char *why)
{
	if (policy_get(p, file) != TLSPLUG_OK)
		return TLSPLUG_ERR_NOMEM;
	if ((*p)->broken_line != 0)
		return TLSPLUG_OK;        /* the first one is reported */
	(*p)->broken_why = tlsplug__strdup(why);
	if ((*p)->broken_why == NULL)
		return TLSPLUG_ERR_NOMEM;
	(*p)->broken_line = line;
	return TLSPLUG_OK;
}

/* Copies v[0..vlen) into a NUL-terminated buffer of size bufsize. */
static int
value_text(const char *v, size_t vlen, char *buf, size_t bufsize)
{
	if (vlen >= bufsize)
		return -1;
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';
	return 0;
}

/* Splits a comma-separated list into trimmed items, calling fn on each;
 * stops at the first failure. */
static int
each_item(char *text, int (*fn)(const char *item, void *arg), void *arg)
{
	char *save = NULL;

	for (char *tok = strtok_r(text, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		int rc;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tok == '\0')
			continue;
		rc = fn(tok, arg);
		if (rc != TLSPLUG_OK)
			return rc;
	}
	return TLSPLUG_OK;
}

struct list_state {
	uint16_t ids[512];
	size_t n;
	const char *names[MAX_GROUPS];
	char *why;
	size_t whylen;
};

static int
add_cipher(const char *item, void *arg)
{
	struct list_state *st = arg;
	uint16_t id;

	if (tlsplug_cipher_suite_from_name(item, &id) != TLSPLUG_OK) {
		snprintf(st->why, st->whylen, "ciphers: unknown cipher suite "
		         "'%s' (IANA names, e.g. TLS_AES_128_GCM_SHA256)",
		         item);
		return TLSPLUG_ERR_INVALID;
	}
	if (st->n == sizeof(st->ids) / sizeof(st->ids[0])) {
		snprintf(st->why, st->whylen, "ciphers: too many suites");
		return TLSPLUG_ERR_INVALID;
	}
	st->ids[st->n++] = id;
	return TLSPLUG_OK;
}

static const char *
known_group(const char *name)
{
	for (size_t i = 0; i < sizeof(known_groups) / sizeof(known_groups[0]);
	     i++)
		if (strcasecmp(name, known_groups[i]) == 0)
			return known_groups[i];
	return NULL;
}

static int
add_group(const char *item, void *arg)
{
	struct list_state *st = arg;
	const char *g = known_group(item);

	if (g == NULL) {
		snprintf(st->why, st->whylen, "groups: unknown group '%s' "
		         "(x25519, x448, secp256r1, secp384r1, secp521r1, "
		         "ffdhe2048 ... ffdhe8192)", item);
		return TLSPLUG_ERR_INVALID;
	}
	if (st->n == MAX_GROUPS) {
		snprintf(st->why, st->whylen, "groups: too many groups");
		return TLSPLUG_ERR_INVALID;
	}
	st->names[st->n++] = g;
	return TLSPLUG_OK;
}

static int
parse_bits(const char *key, const char *text, unsigned *out, char *why,
           size_t whylen)
{
	char *end;
	unsigned long n = strtoul(text, &end, 10);

	if (end == text || *end != '\0' || text[0] == '-' || n < 512 ||
	    n > 16384) {
		snprintf(why, whylen, "%s: '%s' is not a number of bits from "
		         "512 to 16384", key, text);
		return TLSPLUG_ERR_INVALID;
	}
	*out = (unsigned)n;
	return TLSPLUG_OK;
}

static int
set_ciphers(struct tlsplug_policy *p, char *text, unsigned line, char *why,
            size_t whylen)
{
	struct list_state *st = tlsplug__calloc(1, sizeof(*st));
	uint16_t *ids;
	int rc;

	if (st == NULL)
		return TLSPLUG_ERR_NOMEM;
	st->why = why;
	st->whylen = whylen;
	rc = each_item(text, add_cipher, st);
	if (rc == TLSPLUG_OK && st->n == 0) {
		snprintf(why, whylen, "ciphers: empty list");
		rc = TLSPLUG_ERR_INVALID;
	}
	if (rc == TLSPLUG_OK) {
		ids = tlsplug__calloc(st->n, sizeof(*ids));
		if (ids == NULL) {
			rc = TLSPLUG_ERR_NOMEM;
		} else {
			memcpy(ids, st->ids, st->n * sizeof(*ids));
			tlsplug__free(p->ciphers);
			p->ciphers = ids;
			p->nciphers = st->n;
			p->ciphers_line = line;
		}
	}
	tlsplug__free(st);
	return rc;
}

static int
set_groups(struct tlsplug_policy *p, char *text, unsigned line, char *why,
           size_t whylen)
{
	struct list_state st = { .why = why, .whylen = whylen };
	char **names;
	int rc = each_item(text, add_group, &st);

	if (rc == TLSPLUG_OK && st.n == 0) {
		snprintf(why, whylen, "groups: empty list");
		rc = TLSPLUG_ERR_INVALID;
	}
	if (rc != TLSPLUG_OK)
		return rc;
	names = tlsplug__calloc(st.n + 1, sizeof(*names));
	if (names == NULL)
		return TLSPLUG_ERR_NOMEM;
	for (size_t i = 0; i < st.n; i++) {
		names[i] = tlsplug__strdup(st.names[i]);
		if (names[i] == NULL) {
			for (size_t j = 0; j < i; j++)
				tlsplug__free(names[j]);
			tlsplug__free(names);
			return TLSPLUG_ERR_NOMEM;
		}
	}
	if (p->groups != NULL)
		for (size_t i = 0; i < p->ngroups; i++)
			tlsplug__free(p->groups[i]);
	tlsplug__free(p->groups);
	p->groups = names;
	p->ngroups = st.n;
	p->groups_line = line;
	return TLSPLUG_OK;
}

int
tlsplug__policy_set(struct tlsplug_policy **pp, const char *file,
                    unsigned line, const char *key, size_t klen,
                    const char *v, size_t vlen, char *why, size_t whylen)
{
	char text[4096];
	struct tlsplug_policy *p;
	enum tlsplug_version ver;
	int rc;

	if (policy_get(pp, file) != TLSPLUG_OK)
		return TLSPLUG_ERR_NOMEM;
	p = *pp;
	if (value_text(v, vlen, text, sizeof(text)) != 0) {
		snprintf(why, whylen, "%.*s: value too long", (int)klen, key);
		rc = TLSPLUG_ERR_INVALID;
	} else if (klen == 11 && memcmp(key, "min_version", 11) == 0) {
		rc = tlsplug_version_parse(text, &ver);
		if (rc != TLSPLUG_OK || ver < TLSPLUG_VERSION_TLSv1 ||
		    ver > TLSPLUG_VERSION_TLSv1_3) {
			snprintf(why, whylen, "min_version: '%s' is not a TLS "
			         "version (1.0, 1.1, 1.2, 1.3)", text);
			rc = TLSPLUG_ERR_INVALID;
		} else {
			p->min_version = ver;
			p->min_version_line = line;
		}
	} else if (klen == 7 && memcmp(key, "ciphers", 7) == 0) {
		rc = set_ciphers(p, text, line, why, whylen);
	} else if (klen == 6 && memcmp(key, "groups", 6) == 0) {
		rc = set_groups(p, text, line, why, whylen);
	} else if (klen == 12 && memcmp(key, "min_rsa_bits", 12) == 0) {
		rc = parse_bits("min_rsa_bits", text, &p->min_rsa_bits, why,
		                whylen);
		if (rc == TLSPLUG_OK)
			p->min_rsa_line = line;
	} else if (klen == 11 && memcmp(key, "min_dh_bits", 11) == 0) {
		rc = parse_bits("min_dh_bits", text, &p->min_dh_bits, why,
		                whylen);
		if (rc == TLSPLUG_OK)
			p->min_dh_line = line;
	} else {
		snprintf(why, whylen, "unknown policy key '%.*s' (min_version, "
		         "ciphers, groups, min_rsa_bits, min_dh_bits)",
		         (int)klen, key);
		rc = TLSPLUG_ERR_INVALID;
	}
	if (rc == TLSPLUG_ERR_INVALID &&
	    tlsplug__policy_mark_broken(pp, file, line, why) != TLSPLUG_OK)
		return TLSPLUG_ERR_NOMEM;
	return rc;
}

/* ---- public accessors ----------------------------------------------- */

const struct tlsplug_policy *
tlsplug_registry_policy(const struct tlsplug_registry *r)
{
	return r == NULL ? NULL : r->system.policy;
}

const char *
tlsplug_policy_file(const struct tlsplug_policy *p)
{
	return p == NULL ? NULL : p->file;
}

static void
set_line(unsigned *line, unsigned value)
{
	if (line != NULL)
		*line = value;
}

enum tlsplug_version
tlsplug_policy_min_version(const struct tlsplug_policy *p, unsigned *line)
{
	set_line(line, p == NULL ? 0 : p->min_version_line);
	return p == NULL ? TLSPLUG_VERSION_NONE : p->min_version;
}

size_t
tlsplug_policy_ciphers(const struct tlsplug_policy *p, const uint16_t **ids,
                       unsigned *line)
{
	set_line(line, p == NULL ? 0 : p->ciphers_line);
	if (ids != NULL)
		*ids = p == NULL ? NULL : p->ciphers;
	return p == NULL ? 0 : p->nciphers;
}

size_t
tlsplug_policy_groups(const struct tlsplug_policy *p,
                      const char *const **names, unsigned *line)
{
	set_line(line, p == NULL ? 0 : p->groups_line);
	if (names != NULL)
		*names = p == NULL ? NULL : (const char *const *)p->groups;
	return p == NULL ? 0 : p->ngroups;
}

unsigned
tlsplug_policy_min_rsa_bits(const struct tlsplug_policy *p, unsigned *line)
{
	set_line(line, p == NULL ? 0 : p->min_rsa_line);
	return p == NULL ? 0 : p->min_rsa_bits;
}

unsigned
tlsplug_policy_min_dh_bits(const struct tlsplug_policy *p, unsigned *line)
{
	set_line(line, p == NULL ? 0 : p->min_dh_line);
	return p == NULL ? 0 : p->min_dh_bits;
}

/* ---- groups --------------------------------------------------------- */

static int
group_allowed(const struct tlsplug_policy *p, const char *name)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (strcasecmp(p->groups[i], name) == 0)
			return 1;
	return 0;
}

int
tlsplug__policy_groups(const struct tlsplug_policy *p,
                       const char *const *configured, size_t n,
                       const char *const **out, size_t *nout,
                       struct tlsplug_error *e)
{
	*out = configured;
	*nout = n;
	if (p == NULL || p->ngroups == 0)
		return TLSPLUG_OK;
	if (n == 0) {
		*out = (const char *const *)p->groups;
		*nout = p->ngroups;
		return TLSPLUG_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (configured[i] == NULL || !group_allowed(p, configured[i]))
			return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
			    "group %s is not allowed by the system policy "
			    "(%s:%u)", configured[i] != NULL ? configured[i] :
			    "(null)", p->file, p->groups_line);
	return TLSPLUG_OK;
}

/* The policy's name for a code point (its own spelling: "x25519"); "0x%04x"
 * in buf for one without a name. */
static const char *
group_label(uint16_t id, char *buf, size_t size)
{
	const char *name = tlsplug_group_name(id);

	if (name != NULL)
		return name;
	snprintf(buf, size, "0x%04x", id);
	return buf;
}

int
tlsplug__policy_view_groups(const struct tlsplug_policy *p,
                            const struct tlsplug_backend *b,
                            struct tlsplug_bconfig *view, uint16_t **owned,
                            struct tlsplug_error *e)
{
	const struct tlsplug_backend_descriptor *d;
	const char *names[64];
	char bufs[64][8];
	const char *const *out;
	uint16_t have[512], *ids;
	size_t nout, nhave, n = 0;
	int rc;

	*owned = NULL;
	if (p == NULL || p->ngroups == 0)
		return TLSPLUG_OK;
	if (view->ngroups > sizeof(names) / sizeof(names[0]))
		return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
		    "%zu groups configured: more than the system policy "
		    "allows (%s:%u)", view->ngroups, p->file, p->groups_line);
	for (size_t i = 0; i < view->ngroups; i++)
		names[i] = group_label(view->groups[i], bufs[i],
		                       sizeof(bufs[i]));
	rc = tlsplug__policy_groups(p, names, view->ngroups, &out, &nout, e);
	if (rc != TLSPLUG_OK || view->ngroups > 0)
		return rc;
	/* None configured: the policy's groups, those the engine has. */
	d = b->d;
	if (!(d->caps & TLSPLUG_CAP_GROUPS) ||
	    !TLSPLUG_OPS_HAS(d, info, 1, groups))
		return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
		    "backend %s cannot restrict key-exchange groups to the "
		    "system policy's (%s:%u)", b->name, p->file,
		    p->groups_line);
	nhave = d->info->groups(have, sizeof(have) / sizeof(have[0]));
	if (nhave > sizeof(have) / sizeof(have[0]))
		nhave = sizeof(have) / sizeof(have[0]);
	ids = tlsplug__calloc(nout, sizeof(*ids));
	if (ids == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	for (size_t i = 0; i < nout; i++) {
		uint16_t id;

		if (tlsplug_group_from_name(out[i], &id) != TLSPLUG_OK)
			continue;
		for (size_t j = 0; j < nhave; j++)
			if (have[j] == id) {
				ids[n++] = id;
				break;
			}
	}
	if (n == 0) {
		tlsplug__free(ids);
		return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
		    "backend %s has none of the groups the system policy "
		    "allows (%s:%u)", b->name, p->file, p->groups_line);
	}
	view->groups = ids;
	view->ngroups = n;
	*owned = ids;
	return TLSPLUG_OK;
}

int
tlsplug_policy_check_groups(const struct tlsplug_policy *p,
                            const char *const *groups, size_t n,
                            struct tlsplug_error **err)
{
	struct tlsplug_error e = { .alert = -1 };
	const char *const *out;
	size_t nout;

	if (groups == NULL && n > 0)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		    "check_groups: groups is NULL but count is %zu", n);
	if (tlsplug__policy_groups(p, groups, n, &out, &nout, &e) !=
	    TLSPLUG_OK)
		return tlsplug__error_export(&e, err);
	return TLSPLUG_OK;
}

/* ---- RSA key sizes -------------------------------------------------- */

/* rsaEncryption, 1.2.840.113549.1.1.1 */
static const unsigned char rsa_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};

unsigned
tlsplug__spki_rsa_bits(const unsigned char *der, size_t len)
{
	struct tlsplug__span in = { der, len }, body, alg, key;
	struct tlsplug__der_tlv spki, algid, oid, bits, seq, n;
	const unsigned char *p;
	size_t plen;
	unsigned nbits;

	if (tlsplug__der_expect(&in, TLSPLUG__DER_SEQUENCE, &spki) != 0)
		return 0;
	body = spki.body;
	if (tlsplug__der_expect(&body, TLSPLUG__DER_SEQUENCE, &algid) != 0 ||
	    tlsplug__der_expect(&body, TLSPLUG__DER_BIT_STRING, &bits) != 0)
		return 0;
	alg = algid.body;
	if (tlsplug__der_expect(&alg, TLSPLUG__DER_OID, &oid) != 0 ||
	    oid.body.len != sizeof(rsa_oid) ||
	    memcmp(oid.body.p, rsa_oid, sizeof(rsa_oid)) != 0)
		return 0;
	/* BIT STRING: unused-bits octet, then RSAPublicKey. */
	if (bits.body.len < 1 || bits.body.p[0] != 0)
		return 0;
	key.p = bits.body.p + 1;
	key.len = bits.body.len - 1;
	if (tlsplug__der_expect(&key, TLSPLUG__DER_SEQUENCE, &seq) != 0)
		return 0;
	key = seq.body;
	if (tlsplug__der_expect(&key, TLSPLUG__DER_INTEGER, &n) != 0)
		return 0;
	p = n.body.p;
	plen = n.body.len;
	while (plen > 0 && p[0] == 0) {
		p++;
		plen--;
	}
	if (plen == 0 || plen > 4096)
		return 0;
	nbits = (unsigned)plen * 8;
	for (unsigned char top = p[0]; (top & 0x80) == 0; top <<= 1)
		nbits--;
	return nbits;
}

/* Checks one DER certificate's RSA key against the floor; `what` names it
 * in the message. */
static int
check_cert_rsa(const struct tlsplug_policy *p, const unsigned char *der,
               size_t len, const char *what, struct tlsplug_error *e,
               int owner)
{
	struct tlsplug__cert cert;
	const char *why;
	unsigned bits;

	if (tlsplug__cert_parse(der, len, &cert, &why) != 0)
		return TLSPLUG_OK;   /* the engine judges what we cannot read */
	bits = tlsplug__spki_rsa_bits(cert.spki.p, cert.spki.len);
	if (bits == 0 || bits >= p->min_rsa_bits)
		return TLSPLUG_OK;
	if (owner)
		return tlsplug__error_set_owner(e, TLSPLUG_ERR_POLICY, 0,
		    "%s has a %u-bit RSA key, below the system policy's "
		    "min_rsa_bits %u (%s:%u)", what, bits, p->min_rsa_bits,
		    p->file, p->min_rsa_line);
	return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
	    "%s has a %u-bit RSA key, below the system policy's "
	    "min_rsa_bits %u (%s:%u)", what, bits, p->min_rsa_bits, p->file,
	    p->min_rsa_line);
}

int
tlsplug__policy_check_peer(const struct tlsplug_policy *p,
                           struct tlsplug_conn *conn,
                           struct tlsplug_error *err)
{
	unsigned char buf[4096], *der, *heap;

	if (p == NULL || p->min_rsa_bits == 0)
		return TLSPLUG_OK;
	for (size_t i = 0; i < 16; i++) {
		ssize_t n = tlsplug__conn_peer_cert(conn, i, buf, sizeof(buf),
		                                    &der, &heap);
		char what[64];
		int rc;

		if (n <= 0)
			break;
		snprintf(what, sizeof(what), i == 0 ? "the peer's certificate" :
		         "certificate %zu of the peer's chain", i);
		rc = check_cert_rsa(p, der, (size_t)n, what, err, 1);
		tlsplug__free(heap);
		if (rc != TLSPLUG_OK)
			return rc;
	}
	return TLSPLUG_OK;
}

/* Every certificate of a chain blob: PEM blocks or one DER. */
static int
check_blob_rsa(const struct tlsplug_policy *p, const struct tlsplug_blob *b,
               struct tlsplug_error *e)
{
	char what[300];
	size_t pos = 0;
	int rc = TLSPLUG_OK;

	snprintf(what, sizeof(what), "certificate chain %s", b->origin);
	if (b->format == TLSPLUG_FORMAT_DER)
		return check_cert_rsa(p, b->data, b->len, what, e, 0);
	while (rc == TLSPLUG_OK) {
		unsigned char *der;
		size_t len;
		const char *why;

		if (tlsplug__pem_next((const char *)b->data, b->len, &pos,
		                      "CERTIFICATE", &der, &len, &why) != 1)
			break;
		rc = check_cert_rsa(p, der, len, what, e, 0);
		tlsplug__free(der);
	}
	return rc;
}

/* ---- applying the floor --------------------------------------------- */

static int
cipher_allowed(const struct tlsplug_policy *p, uint16_t id)
{
	for (size_t i = 0; i < p->nciphers; i++)
		if (p->ciphers[i] == id)
			return 1;
	return 0;
}

static int
apply_versions(const struct tlsplug_policy *p,
               const struct tlsplug_config *config,
               struct tlsplug_bconfig *view, struct tlsplug_error *e)
{
	enum tlsplug_version lo = view->min_version, hi = view->max_version;

	if (p->min_version == TLSPLUG_VERSION_NONE)
		return TLSPLUG_OK;
	if (hi != TLSPLUG_VERSION_MAXIMUM_SUPPORTED && hi < p->min_version)
		return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
		    "highest version %s is below the system policy's "
		    "min_version %s (%s:%u)", tlsplug_version_name(hi),
		    tlsplug_version_name(p->min_version), p->file,
		    p->min_version_line);
	if (lo < p->min_version) {
		/* MINIMUM_SUPPORTED asks for as low as allowed. */
		if (tlsplug__config_min_version_set(config) &&
		    lo != TLSPLUG_VERSION_MINIMUM_SUPPORTED)
			return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
			    "lowest version %s is below the system policy's "
			    "min_version %s (%s:%u)", tlsplug_version_name(lo),
			    tlsplug_version_name(p->min_version), p->file,
			    p->min_version_line);
		view->min_version = p->min_version;
	}
	return TLSPLUG_OK;
}

static int
apply_ciphers(const struct tlsplug_policy *p,
              const struct tlsplug_backend *b,
              struct tlsplug_bconfig *view, uint16_t **ciphers,
              struct tlsplug_error *e)
{
	const struct tlsplug_info_ops *info;
	uint16_t *list;
	size_t n, k = 0;

	if (p->nciphers == 0)
		return TLSPLUG_OK;
	/* b only once the policy restricts suites (tests pass none). */
	info = b->d->info;
	if (view->nciphers > 0) {
		for (size_t i = 0; i < view->nciphers; i++) {
			const char *name;

			if (cipher_allowed(p, view->ciphers[i]))
				continue;
			name = tlsplug_cipher_suite_name(view->ciphers[i]);
			if (name != NULL)
				return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
				    "cipher suite %s is not allowed by the "
				    "system policy (%s:%u)", name, p->file,
				    p->ciphers_line);
			return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
			    "cipher suite 0x%04X is not allowed by the system "
			    "policy (%s:%u)", (unsigned)view->ciphers[i],
			    p->file, p->ciphers_line);
		}
		return TLSPLUG_OK;
	}
	/* The engine's default list, in its order, narrowed to the allowed
	 * suites (the policy's own list when the engine cannot say). */
	n = info != NULL && info->cipher_suites != NULL ?
	    info->cipher_suites(NULL, 0) : 0;
	list = tlsplug__calloc(n > 0 ? n : p->nciphers, sizeof(*list));
	if (list == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	if (n > 0) {
		n = info->cipher_suites(list, n);
		for (size_t i = 0; i < n; i++)
			if (cipher_allowed(p, list[i]))
				list[k++] = list[i];
	} else {
		memcpy(list, p->ciphers, p->nciphers * sizeof(*list));
		k = p->nciphers;
	}
	if (k == 0) {
		tlsplug__free(list);
		return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
		    "none of backend %s's default cipher suites is allowed by "
		    "the system policy (%s:%u)", b->name, p->file,
		    p->ciphers_line);
	}
	*ciphers = list;
	view->ciphers = list;
	view->nciphers = k;
	return TLSPLUG_OK;
}

/* A suite whose key exchange is finite-field Diffie-Hellman (TLS 1.2 and
 * older), or one the core cannot name, so cannot tell. */
static int
ffdh_suite(uint16_t id)
{
	const char *name;

	if ((id >> 8) == 0x13)  /* TLS 1.3: the group decides, not the suite */
		return 0;
	name = tlsplug_cipher_suite_name(id);
	return name == NULL || strncmp(name, "TLS_DHE_", 8) == 0 ||
	       strncmp(name, "TLS_DH_", 7) == 0;
}

/*
 * The DH floor on a backend that cannot hold its engine to it (no
 * TLSPLUG_CAP_DH_FLOOR): no finite-field DH suite is left to negotiate,
 * so the floor holds all the same.  A configured one is refused (POLICY,
 * naming it); otherwise the suites in force (the policy's narrowed list,
 * else the engine's default list) lose theirs.
 */
static int
apply_dh_floor(const struct tlsplug_policy *p,
               const struct tlsplug_backend *b,
               struct tlsplug_bconfig *view, uint16_t **ciphers,
               struct tlsplug_error *e)
{
	const struct tlsplug_info_ops *info;
	uint16_t *list = *ciphers;
	size_t n = view->nciphers, k = 0;

	if (p->min_dh_bits == 0 || b == NULL ||
	    (b->d->caps & TLSPLUG_CAP_DH_FLOOR))
		return TLSPLUG_OK;
	if (n > 0 && list == NULL) {
		/* The config's own suites. */
		for (size_t i = 0; i < n; i++) {
			const char *name;
			char hex[8];

			if (!ffdh_suite(view->ciphers[i]))
				continue;
			name = tlsplug_cipher_suite_name(view->ciphers[i]);
			snprintf(hex, sizeof(hex), "0x%04X",
			         (unsigned)view->ciphers[i]);
			return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
			    "cipher suite %s uses finite-field Diffie-Hellman, "
			    "and backend %s cannot hold it to the system "
			    "policy's min_dh_bits %u (%s:%u)",
			    name != NULL ? name : hex, b->name,
			    p->min_dh_bits, p->file, p->min_dh_line);
		}
		return TLSPLUG_OK;
	}
	if (list == NULL) {
		info = b->d->info;
		n = info != NULL && info->cipher_suites != NULL ?
		    info->cipher_suites(NULL, 0) : 0;
		if (n == 0)
			return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
			    "backend %s cannot hold its engine to the system "
			    "policy's min_dh_bits %u (%s:%u), nor list its "
			    "cipher suites to leave finite-field "
			    "Diffie-Hellman out", b->name, p->min_dh_bits,
			    p->file, p->min_dh_line);
		list = tlsplug__calloc(n, sizeof(*list));
		if (list == NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			                          "out of memory");
		n = info->cipher_suites(list, n);
		*ciphers = list;
	}
	for (size_t i = 0; i < n; i++)
		if (!ffdh_suite(list[i]))
			list[k++] = list[i];
	if (k == 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
		    "backend %s has no cipher suite left without finite-field "
		    "Diffie-Hellman, which it cannot hold to the system "
		    "policy's min_dh_bits %u (%s:%u)", b->name,
		    p->min_dh_bits, p->file, p->min_dh_line);
	view->ciphers = list;
	view->nciphers = k;
	return TLSPLUG_OK;
}

int
tlsplug__policy_apply(const struct tlsplug_policy *p,
                      const struct tlsplug_backend *b,
                      enum tlsplug_role role,
                      const struct tlsplug_config *config,
                      struct tlsplug_bconfig *view, uint16_t **ciphers,
                      struct tlsplug_error *e)
{
	int rc;

	(void)role;
	*ciphers = NULL;
	if (p == NULL)
		return TLSPLUG_OK;
	if (p->broken_line != 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_POLICY,
		    "the system policy cannot be read: %s:%u: %s", p->file,
		    p->broken_line, p->broken_why);
	rc = apply_versions(p, config, view, e);
	if (rc == TLSPLUG_OK)
		rc = apply_ciphers(p, b, view, ciphers, e);
	if (rc == TLSPLUG_OK)
		rc = apply_dh_floor(p, b, view, ciphers, e);
	for (size_t i = 0; rc == TLSPLUG_OK && p->min_rsa_bits > 0 &&
	     i < view->nchains; i++)
		for (size_t j = 0; rc == TLSPLUG_OK &&
		     j < view->chains[i].ncerts; j++)
			rc = check_blob_rsa(p, &view->chains[i].certs[j], e);
	if (rc != TLSPLUG_OK) {
		tlsplug__free(*ciphers);
		*ciphers = NULL;
		return rc;
	}
	if (p->min_dh_bits > view->min_dh_bits)
		view->min_dh_bits = p->min_dh_bits;
	return TLSPLUG_OK;
}
