/*
 * check_x509.c -- the core's certificate reader (core/x509.c, core/der.c)
 * and PEM decoder (core/pem.c).
 *
 * Certificates are made at test time by tests/gen-x509-certs.sh and
 * tools/tlsplug-gen-test-certs; the expected values come from openssl:
 * subjects from `openssl x509 -subject -nameopt RFC2253,-esc_msb`, SPKIs
 * from `openssl x509 -pubkey | openssl pkey -pubin -outform DER`, SAN lists
 * from the -addext value each certificate was made with.  Malformed
 * certificates are made by re-assembling real ones (signatures do not
 * matter to the reader).  The certificates of /etc/ssl/certs must all
 * parse and print as openssl prints them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "der.h"
#include "internal.h"
#include "pem.h"
#include "x509.h"

#define SYSTEM_CERTS "/etc/ssl/certs"

static char dir[] = "/tmp/tlsplug-x509-XXXXXX";

/* ---- helpers ----------------------------------------------------------- */

static const char *
path(const char *name)
{
	static char buf[8][512];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static const char *
openssl(void)
{
	const char *o = getenv("OPENSSL_BIN");

	return o != NULL && *o != '\0' ? o : "openssl";
}

/* Growable bytes (freed by the test that made them). */
struct bytes {
	unsigned char *p;
	size_t len;
};

static void
add(struct bytes *b, const void *p, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	ck_assert_ptr_nonnull(b->p);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';      /* text files are read as strings too */
}

static void
add_span(struct bytes *b, struct tlsplug__span s)
{
	add(b, s.p, s.len);
}

/* Appends a TLV with a minimal DER length. */
static void
add_tlv(struct bytes *b, unsigned char tag, const void *body, size_t n)
{
	unsigned char h[6];
	size_t k = 0;

	h[k++] = tag;
	if (n < 0x80) {
		h[k++] = (unsigned char)n;
	} else if (n < 0x100) {
		h[k++] = 0x81;
		h[k++] = (unsigned char)n;
	} else {
		h[k++] = 0x82;
		h[k++] = (unsigned char)(n >> 8);
		h[k++] = (unsigned char)n;
	}
	add(b, h, k);
	add(b, body, n);
}

static struct bytes
read_file(const char *name)
{
	struct bytes b = { NULL, 0 };
	unsigned char chunk[4096];
	FILE *f = fopen(name, "rb");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", name);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		add(&b, chunk, n);
	fclose(f);
	return b;
}

static void
write_file(const char *name, const void *p, size_t n)
{
	FILE *f = fopen(name, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* openssl's RFC 2253 text of a DER certificate's subject, into out.
 * x509.c prints 2.5.4.9 as RFC 4514's "STREET", openssl as "street". */
static void
openssl_subject(const unsigned char *der, size_t len, char *out, size_t size)
{
	char cmd[1024];
	FILE *p;
	size_t n;

	write_file(path("subject.der"), der, len);
	snprintf(cmd, sizeof(cmd), "%s x509 -inform DER -in '%s' -noout "
	         "-subject -nameopt RFC2253,-esc_msb", openssl(),
	         path("subject.der"));
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, size - 1, p);
	ck_assert_int_eq(pclose(p), 0);
	out[n] = '\0';
	ck_assert_msg(strncmp(out, "subject=", 8) == 0, "openssl: %s", out);
	memmove(out, out + 8, n - 8 + 1);
	n -= 8;
	if (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	for (char *s = out; (s = strstr(s, "street=")) != NULL; s++)
		if (s == out || s[-1] == ',' || s[-1] == '+')
			memcpy(s, "STREET", 6);
}

/* openssl's DER SubjectPublicKeyInfo of a DER certificate. */
static struct bytes
openssl_spki(const char *cert)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s x509 -inform DER -in '%s' -pubkey "
	         "-noout | %s pkey -pubin -outform DER -out '%s'", openssl(),
	         cert, openssl(), path("spki.der"));
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
	return read_file(path("spki.der"));
}

/* Our text of a Name, checked for consistency: the returned length is the
 * string's, and every shorter buffer gets a prefix of it. */
static int
name_text(struct tlsplug__span name, char *out, size_t size)
{
	int n = tlsplug__name_text(name, out, size);

	if (n >= 0 && (size_t)n < size)
		ck_assert_uint_eq(strlen(out), (size_t)n);
	return n;
}

static void
assert_subject(const unsigned char *der, size_t len, const char *what)
{
	struct tlsplug__cert c;
	const char *why = NULL;
	char ours[4096], theirs[4096];

	ck_assert_msg(tlsplug__cert_parse(der, len, &c, &why) == 0,
	              "%s: %s", what, why);
	ck_assert_int_ge(name_text(c.subject, ours, sizeof(ours)), 0);
	openssl_subject(der, len, theirs, sizeof(theirs));
	ck_assert_msg(strcmp(ours, theirs) == 0,
	              "%s: subject \"%s\", openssl says \"%s\"", what, ours,
	              theirs);
}

/* ---- re-assembling certificates ------------------------------------- */

#define PARTS_MAX 16

/* A certificate cut into its elements (spans into the DER). */
struct parts {
	struct tlsplug__span tbs[PARTS_MAX];   /* tbsCertificate elements */
	size_t ntbs;
	struct tlsplug__span tail;             /* signatureAlgorithm and
	                                          signatureValue */
	struct tlsplug__span exts[PARTS_MAX * 4];
	size_t nexts;
	size_t ext_index;                      /* of [3] in tbs, or ntbs */
};

static void
cut(const struct bytes *der, struct parts *p)
{
	struct tlsplug__span in = { der->p, der->len }, s;
	struct tlsplug__der_tlv cert, tbs, t;

	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(tlsplug__der_read(&in, &cert, NULL), 0);
	s = cert.body;
	ck_assert_int_eq(tlsplug__der_read(&s, &tbs, NULL), 0);
	p->tail = s;
	s = tbs.body;
	p->ext_index = PARTS_MAX;
	while (s.len > 0) {
		ck_assert_uint_lt(p->ntbs, PARTS_MAX);
		ck_assert_int_eq(tlsplug__der_read(&s, &t, NULL), 0);
		if (t.tag == 0xa3) {
			struct tlsplug__span e = t.body, list;
			struct tlsplug__der_tlv seq, ext;

			p->ext_index = p->ntbs;
			ck_assert_int_eq(tlsplug__der_read(&e, &seq, NULL), 0);
			list = seq.body;
			while (list.len > 0) {
				ck_assert_int_eq(tlsplug__der_read(&list, &ext,
				                                   NULL), 0);
				p->exts[p->nexts++] = ext.whole;
			}
		}
		p->tbs[p->ntbs++] = t.whole;
	}
}

/* Index of the subject among the tbsCertificate elements. */
static size_t
subject_index(const struct parts *p)
{
	return p->tbs[0].p[0] == 0xa0 ? 5 : 4;
}

/*
 * Assembles a certificate from p, with tbs element `replace` (if < ntbs)
 * swapped for `with` (dropped when with.p is NULL), `insert` added before
 * element insert_at, and the extensions rebuilt from exts when exts.p is
 * not NULL (contents of the Extensions SEQUENCE).
 */
static struct bytes
assemble(const struct parts *p, size_t replace, struct tlsplug__span with,
         size_t insert_at, struct tlsplug__span insert,
         struct tlsplug__span exts)
{
	struct bytes tbs = { NULL, 0 }, body = { NULL, 0 }, out = { NULL, 0 };
	struct bytes seq = { NULL, 0 }, a3 = { NULL, 0 };

	for (size_t i = 0; i <= p->ntbs; i++) {
		if (i == insert_at && insert.p != NULL)
			add_span(&tbs, insert);
		if (i == p->ntbs) {
			/* extensions for a certificate that had none */
			if (p->ext_index == PARTS_MAX && exts.p != NULL) {
				add_tlv(&seq, 0x30, exts.p, exts.len);
				add_tlv(&a3, 0xa3, seq.p, seq.len);
				add(&tbs, a3.p, a3.len);
			}
			break;
		}
		if (i == replace) {
			if (with.p != NULL)
				add_span(&tbs, with);
		} else if (i == p->ext_index && exts.p != NULL) {
			add_tlv(&seq, 0x30, exts.p, exts.len);
			add_tlv(&a3, 0xa3, seq.p, seq.len);
			add(&tbs, a3.p, a3.len);
		} else {
			add_span(&tbs, p->tbs[i]);
		}
	}
	add_tlv(&body, 0x30, tbs.p, tbs.len);
	add_span(&body, p->tail);
	add_tlv(&out, 0x30, body.p, body.len);
	free(tbs.p);
	free(body.p);
	free(seq.p);
	free(a3.p);
	return out;
}

static const struct tlsplug__span none = { NULL, 0 };

/* The certificate with its extensions replaced by `exts`. */
static struct bytes
with_exts(const struct parts *p, const struct bytes *exts)
{
	struct tlsplug__span e = { exts->p != NULL ? exts->p :
	                           (const unsigned char *)"", exts->len };

	return assemble(p, PARTS_MAX, none, PARTS_MAX, none, e);
}

/* A subjectAltName extension whose extnValue holds `value`. */
static void
add_san_ext(struct bytes *exts, const void *value, size_t n, int critical)
{
	static const unsigned char oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
	static const unsigned char crit[] = { 0x01, 0x01, 0xff };
	struct bytes ext = { NULL, 0 };

	add(&ext, oid, sizeof(oid));
	if (critical)
		add(&ext, crit, sizeof(crit));
	add_tlv(&ext, 0x04, value, n);
	add_tlv(exts, 0x30, ext.p, ext.len);
	free(ext.p);
}

/* Parses der; returns 0 or -1 with the reason in *why. */
static int
parse(const struct bytes *der, struct tlsplug__cert *c, const char **why)
{
	*why = NULL;
	return tlsplug__cert_parse(der->p, der->len, c, why);
}

static void
assert_rejected(const struct bytes *der, const char *reason)
{
	struct tlsplug__cert c;
	const char *why;

	ck_assert_msg(parse(der, &c, &why) == -1, "accepted, wanted \"%s\"",
	              reason);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strcmp(why, reason) == 0, "reason \"%s\", wanted "
	              "\"%s\"", why, reason);
	ck_assert_ptr_null(c.san.p);
	ck_assert_ptr_null(c.subject.p);
}

/* ---- generated certificates ---------------------------------------- */

static const char *const generated[] = {
	"nosan", "dns", "ip", "many", "mixed", "critical", "sanfirst",
	"sanlast", "rsa", "ed25519", "utf8", "bmp", "t61", "multirdn",
	"escape", "attrs", "empty", "v1",
};
#define NGENERATED (sizeof(generated) / sizeof(generated[0]))

/* The DNS and IP entries of an -addext subjectAltName value, in order. */
static size_t
expected_sans(const char *spec, struct tlsplug_san *out, size_t max,
              unsigned char (*ip)[16])
{
	char buf[4096], *tok, *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	buf[strcspn(buf, "\n")] = '\0';
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		ck_assert_uint_lt(n, max);
		if (strncmp(tok, "DNS:", 4) == 0) {
			out[n].type = TLSPLUG_SAN_DNS;
			out[n].data = (const unsigned char *)spec +
			              (tok + 4 - buf);
			out[n].len = strlen(tok + 4);
			n++;
		} else if (strncmp(tok, "IP:", 3) == 0) {
			int v6 = strchr(tok + 3, ':') != NULL;

			ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET,
			                           tok + 3, ip[n]), 1);
			out[n].type = TLSPLUG_SAN_IP;
			out[n].data = ip[n];
			out[n].len = v6 ? 16 : 4;
			n++;
		}
	}
	return n;
}

static void
check_sans(const char *name, const struct tlsplug__cert *c)
{
	char file[64];
	struct tlsplug_san want[64], got[64];
	unsigned char ip[64][16];
	struct bytes spec;
	size_t n, m;

	snprintf(file, sizeof(file), "%s.san", name);
	if (access(path(file), F_OK) != 0) {
		ck_assert_msg(c->san.p == NULL, "%s: SAN found", name);
		ck_assert_uint_eq(c->nsans, 0);
		ck_assert_uint_eq(tlsplug__cert_sans(c, got, 64), 0);
		return;
	}
	spec = read_file(path(file));
	n = expected_sans((const char *)spec.p, want, 64, ip);
	ck_assert_msg(c->san.p != NULL, "%s: no SAN", name);
	ck_assert_uint_eq(c->nsans, n);
	m = tlsplug__cert_sans(c, got, 64);
	ck_assert_uint_eq(m, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(got[i].type, want[i].type);
		ck_assert_uint_eq(got[i].len, want[i].len);
		ck_assert_msg(memcmp(got[i].data, want[i].data, want[i].len)
		              == 0, "%s: SAN %zu differs", name, i);
	}
	/* A short array: the total still comes back, the array holds the
	 * first entries. */
	if (n > 1) {
		struct tlsplug_san few[2];

		ck_assert_uint_eq(tlsplug__cert_sans(c, few, 1), n);
		ck_assert_ptr_eq(few[0].data, got[0].data);
		ck_assert_uint_eq(tlsplug__cert_sans(c, NULL, 0), n);
	}
	free(spec.p);
}

START_TEST(test_generated)
{
	const char *name = generated[_i];
	char file[64];
	struct tlsplug__cert c;
	struct bytes der, spki;
	const char *why;

	snprintf(file, sizeof(file), "%s.der", name);
	der = read_file(path(file));
	ck_assert_msg(parse(&der, &c, &why) == 0, "%s: %s", name, why);
	spki = openssl_spki(path(file));
	ck_assert_uint_eq(c.spki.len, spki.len);
	ck_assert_msg(memcmp(c.spki.p, spki.p, spki.len) == 0,
	              "%s: SPKI differs", name);
	check_sans(name, &c);
	assert_subject(der.p, der.len, name);
	free(spki.p);
	free(der.p);
}
END_TEST

/* The name of the certificates made by tools/tlsplug-gen-test-certs: every
 * block of every PEM file parses, subjects print as openssl prints them,
 * and the leaves' SANs are the generator's. */
START_TEST(test_conformance_certs)
{
	static const char *const files[] = {
		"ca.pem", "int.pem", "rsa.pem", "ecdsa.pem", "ed25519.pem",
		"expired.pem", "wildcard.pem", "ip.pem", "client.pem",
		"selfsigned.pem", "untrusted.pem",
	};
	static const unsigned char lo4[] = { 127, 0, 0, 1 };
	static const unsigned char lo6[16] = { [15] = 1 };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char file[64];
		struct bytes pem;
		size_t pos = 0, blocks = 0, der_len;
		unsigned char *der;
		const char *why;
		int rc;

		snprintf(file, sizeof(file), "std/%s", files[i]);
		pem = read_file(path(file));
		while ((rc = tlsplug__pem_next((const char *)pem.p, pem.len,
		    &pos, "CERTIFICATE", &der, &der_len, &why)) == 1) {
			struct tlsplug__cert c;
			struct tlsplug_san s[4];

			ck_assert_msg(tlsplug__cert_parse(der, der_len, &c,
			              &why) == 0, "%s: %s", file, why);
			assert_subject(der, der_len, file);
			if (blocks == 0 && strcmp(files[i], "rsa.pem") == 0) {
				ck_assert_uint_eq(tlsplug__cert_sans(&c, s, 4),
				                  3);
				ck_assert_uint_eq(s[0].len, 9);
				ck_assert_mem_eq(s[0].data, "localhost", 9);
				ck_assert_mem_eq(s[1].data, lo4, 4);
				ck_assert_mem_eq(s[2].data, lo6, 16);
			}
			tlsplug__free(der);
			blocks++;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_ge(blocks, 1);
		free(pem.p);
	}
}
END_TEST

/* ---- malformed certificates ----------------------------------------- */

START_TEST(test_every_truncation)
{
	static const char *const names[] = { "rsa", "mixed", "v1" };

	for (size_t k = 0; k < 3; k++) {
		char file[64];
		struct bytes der;
		struct tlsplug__cert c;
		const char *why;

		snprintf(file, sizeof(file), "%s.der", names[k]);
		der = read_file(path(file));
		for (size_t len = 0; len < der.len; len++) {
			/* A copy of exactly len bytes, so ASan sees any
			 * read past the end. */
			unsigned char *cut = malloc(len + 1);

			memcpy(cut, der.p, len);
			why = NULL;
			ck_assert_msg(tlsplug__cert_parse(len ? cut : NULL,
			              len, &c, &why) == -1,
			              "%s cut to %zu accepted", names[k], len);
			ck_assert_str_eq(why, len == 0 ? "empty certificate" :
			                 "truncated certificate");
			free(cut);
		}
		free(der.p);
	}
}
END_TEST

/* Every bit of every byte flipped, in each generated certificate: never a
 * crash (ASan runs this too), and what parses is consistent. */
START_TEST(test_bit_flips)
{
	char file[64];
	struct bytes der;
	size_t accepted = 0;

	snprintf(file, sizeof(file), "%s.der", generated[_i]);
	der = read_file(path(file));
	for (size_t i = 0; i < der.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			unsigned char *m = malloc(der.len);
			struct tlsplug__cert c;
			struct tlsplug_san s[64];
			const char *why = NULL;
			char text[512];

			memcpy(m, der.p, der.len);
			m[i] ^= (unsigned char)(1u << bit);
			if (tlsplug__cert_parse(m, der.len, &c, &why) == 0) {
				accepted++;
				ck_assert_uint_eq(tlsplug__cert_sans(&c, s, 64),
				                  c.nsans);
				ck_assert_int_ge(tlsplug__name_text(c.subject,
				                 text, sizeof(text)), 0);
			} else {
				ck_assert_ptr_nonnull(why);
			}
			free(m);
		}
	}
	/* Flips in signature bits and string contents still parse. */
	ck_assert_uint_gt(accepted, 0);
	free(der.p);
}
END_TEST

START_TEST(test_trailing_garbage)
{
	struct bytes der = read_file(path("dns.der"));

	add(&der, "\0", 1);
	assert_rejected(&der, "trailing bytes after the certificate");
	free(der.p);
}
END_TEST

START_TEST(test_duplicate_san)
{
	struct bytes der = read_file(path("sanfirst.der")), exts = { 0 }, out;
	struct parts p;
	size_t san = PARTS_MAX;

	cut(&der, &p);
	for (size_t i = 0; i < p.nexts; i++) {
		add_span(&exts, p.exts[i]);
		if (memmem(p.exts[i].p, 7, "\x06\x03\x55\x1d\x11", 5) != NULL)
			san = i;
	}
	ck_assert_uint_lt(san, p.nexts);
	/* Once more at the end. */
	add_span(&exts, p.exts[san]);
	out = with_exts(&p, &exts);
	assert_rejected(&out, "two subjectAltName extensions");
	free(out.p);
	free(exts.p);
	free(der.p);
}
END_TEST

/* Extensions in any order, critical or not, empty list: all accepted. */
START_TEST(test_extension_order)
{
	struct bytes der = read_file(path("sanfirst.der")), exts = { 0 }, out;
	struct tlsplug__cert c;
	struct tlsplug_san s[2];
	struct parts p;
	const char *why;

	cut(&der, &p);
	ck_assert_uint_ge(p.nexts, 5);
	for (size_t i = p.nexts; i-- > 0;)
		add_span(&exts, p.exts[i]);
	out = with_exts(&p, &exts);
	ck_assert_msg(parse(&out, &c, &why) == 0, "%s", why);
	ck_assert_uint_eq(tlsplug__cert_sans(&c, s, 2), 1);
	ck_assert_mem_eq(s[0].data, "first.example.test", 18);
	free(out.p);
	free(exts.p);
	exts.p = NULL;
	exts.len = 0;
	out = with_exts(&p, &exts);
	ck_assert_msg(parse(&out, &c, &why) == 0, "%s", why);
	ck_assert_ptr_null(c.san.p);
	free(out.p);
	free(der.p);
}
END_TEST

/* SAN extensions built by hand: extnValue contents and GeneralNames. */
static const struct {
	const char *value;     /* extnValue contents */
	size_t len;
	const char *why;       /* NULL: accepted */
	size_t nsans;
} san_values[] = {
#define V(s) s, sizeof(s) - 1
	{ V("\x30\x00"), NULL, 0 },
	{ V("\x30\x03\x82\x01x"), NULL, 1 },
	{ V("\x30\x03\x82\x01x\x00"),
	  "subjectAltName extnValue is not one GeneralNames SEQUENCE", 0 },
	{ V(""), "subjectAltName extnValue is not one GeneralNames SEQUENCE",
	  0 },
	{ V("\x31\x03\x82\x01x"),
	  "subjectAltName extnValue is not one GeneralNames SEQUENCE", 0 },
	{ V("\x30\x03\x82\x01x\x30\x00"),
	  "subjectAltName extnValue is not one GeneralNames SEQUENCE", 0 },
	{ V("\x30\x03\x82\x02x"), "malformed subjectAltName entry", 0 },
	{ V("\x30\x03\x89\x01x"), "unknown subjectAltName entry type", 0 },
	{ V("\x30\x03\xa2\x01x"), "unknown subjectAltName entry type", 0 },
	{ V("\x30\x02\x82\x01"), "malformed subjectAltName entry", 0 },
	{ V("\x30\x07\x87\x05\x01\x02\x03\x04\x05"),
	  "subjectAltName iPAddress is not 4 or 16 bytes", 0 },
	{ V("\x30\x02\x87\x00"),
	  "subjectAltName iPAddress is not 4 or 16 bytes", 0 },
	{ V("\x30\x06\x87\x04\x01\x02\x03\x04"), NULL, 1 },
	{ V("\x30\x04\x82\x02\x61\x80"),
	  "subjectAltName dNSName is not IA5 text", 0 },
	{ V("\x30\x04\x82\x02\x61\x00"),
	  "subjectAltName dNSName is not IA5 text", 0 },
	{ V("\x30\x02\x82\x00"), NULL, 1 },
	/* otherName: OID then [0] with one value */
	{ V("\x30\x0b\xa0\x09\x06\x02\x2a\x03\xa0\x03\x0c\x01x"), NULL, 0 },
	{ V("\x30\x06\xa0\x04\x06\x02\x2a\x03"),
	  "malformed subjectAltName entry", 0 },
	{ V("\x30\x0b\xa0\x09\x06\x02\x2a\x83\xa0\x03\x0c\x01x"),
	  "malformed subjectAltName entry", 0 },
	/* directoryName: one Name */
	{ V("\x30\x04\xa4\x02\x30\x00"), NULL, 0 },
	{ V("\x30\x04\xa4\x02\x31\x00"), "malformed subjectAltName entry", 0 },
	{ V("\x30\x06\xa4\x04\x30\x02\x31\x00"),
	  "malformed subjectAltName entry", 0 },
	/* registeredID, rfc822Name, URI, ediPartyName */
	{ V("\x30\x04\x88\x02\x2a\x03"), NULL, 0 },
	{ V("\x30\x03\x88\x01\x80"), "malformed subjectAltName entry", 0 },
	{ V("\x30\x0c\x81\x03\x61\x40\x62\x86\x01u\xa5\x02\x81\x00"), NULL,
	  0 },
	{ V("\x30\x04\xa5\x02\x81\x05"), "malformed subjectAltName entry", 0 },
	/* DER forms the reader refuses */
	{ V("\x30\x80\x82\x01x\x00\x00"), "subjectAltName extnValue is not "
	  "one GeneralNames SEQUENCE", 0 },
	{ V("\x30\x04\x82\x80x\x00"), "indefinite DER length", 0 },
	{ V("\x30\x03\x9f\x01x"), "high-tag-number DER form", 0 },
	{ V("\x30\x07\x82\x85\x00\x00\x00\x00\x00"),
	  "DER length of more than 4 bytes", 0 },
	/* non-minimal lengths are read as OpenSSL reads them */
	{ V("\x30\x81\x05\x82\x82\x00\x01x"), NULL, 1 },
#undef V
};

START_TEST(test_san_values)
{
	struct bytes der = read_file(path("nosan.der")), exts = { 0 }, out;
	struct tlsplug__cert c;
	struct parts p;
	const char *why;

	cut(&der, &p);
	for (size_t i = 0; i < p.nexts; i++)
		add_span(&exts, p.exts[i]);
	add_san_ext(&exts, san_values[_i].value, san_values[_i].len, _i & 1);
	out = with_exts(&p, &exts);
	if (san_values[_i].why != NULL) {
		assert_rejected(&out, san_values[_i].why);
	} else {
		ck_assert_msg(parse(&out, &c, &why) == 0, "%s", why);
		ck_assert_ptr_nonnull(c.san.p);
		ck_assert_uint_eq(c.nsans, san_values[_i].nsans);
	}
	free(out.p);
	free(exts.p);
	free(der.p);
}
END_TEST

/* issuerUniqueID and subjectUniqueID after the SPKI: accepted, as openssl
 * accepts them; out of order or twice: refused. */
START_TEST(test_unique_ids)
{
	static const unsigned char ids[] = {
		0x81, 0x03, 0x00, 0x12, 0x34, 0x82, 0x02, 0x00, 0x56,
	};
	struct bytes der = read_file(path("dns.der")), out;
	struct tlsplug__span both = { ids, sizeof(ids) };
	struct tlsplug__span second = { ids + 5, 4 }, first = { ids, 5 };
	struct tlsplug__cert c;
	struct parts p;
	const char *why;
	size_t after;

	cut(&der, &p);
	after = subject_index(&p) + 2;
	out = assemble(&p, PARTS_MAX, none, after, both, none);
	ck_assert_msg(parse(&out, &c, &why) == 0, "%s", why);
	ck_assert_uint_eq(c.nsans, 2);
	assert_subject(out.p, out.len, "unique ids");
	free(out.p);
	/* subjectUniqueID before issuerUniqueID */
	{
		unsigned char swapped[9];
		struct tlsplug__span s = { swapped, 9 };

		memcpy(swapped, second.p, 4);
		memcpy(swapped + 4, first.p, 5);
		out = assemble(&p, PARTS_MAX, none, after, s, none);
		assert_rejected(&out, "unexpected element at the end of "
		                "tbsCertificate");
		free(out.p);
	}
	/* after the extensions */
	out = assemble(&p, PARTS_MAX, none, p.ntbs, first, none);
	assert_rejected(&out, "unexpected element at the end of "
	                "tbsCertificate");
	free(out.p);
	free(der.p);
}
END_TEST

/* The structure around the SAN: versions, tags, BER forms. */
START_TEST(test_structure)
{
	struct bytes der = read_file(path("dns.der")), out;
	struct parts p;
	struct tlsplug__cert c;
	const char *why;

	cut(&der, &p);
	ck_assert_int_eq(p.tbs[0].p[0], 0xa0);
	{
		/* explicit v1, v2: fine; v4: refused */
		static const unsigned char v[3][5] = {
			{ 0xa0, 0x03, 0x02, 0x01, 0x00 },
			{ 0xa0, 0x03, 0x02, 0x01, 0x01 },
			{ 0xa0, 0x03, 0x02, 0x01, 0x03 },
		};

		for (int i = 0; i < 3; i++) {
			struct tlsplug__span s = { v[i], 5 };

			out = assemble(&p, 0, s, PARTS_MAX, none, none);
			if (i < 2)
				ck_assert_msg(parse(&out, &c, &why) == 0,
				              "%s", why);
			else
				assert_rejected(&out,
				    "unsupported certificate version");
			free(out.p);
		}
	}
	{
		/* the serial number missing, the subject not a SEQUENCE, the
		 * SPKI without its key, a field added at the end */
		static const unsigned char set[] = { 0x31, 0x00 };
		static const unsigned char extra[] = { 0x05, 0x00 };
		struct tlsplug__span s = { set, 2 }, e = { extra, 2 };
		struct tlsplug__span spki = p.tbs[subject_index(&p) + 1];
		struct tlsplug__der_tlv t, alg;
		struct tlsplug__span in = spki, body;
		struct bytes half = { NULL, 0 };

		out = assemble(&p, 1, none, PARTS_MAX, none, none);
		assert_rejected(&out, "malformed serial number");
		free(out.p);
		out = assemble(&p, subject_index(&p), s, PARTS_MAX, none,
		               none);
		assert_rejected(&out, "malformed subject");
		free(out.p);
		ck_assert_int_eq(tlsplug__der_read(&in, &t, NULL), 0);
		body = t.body;
		ck_assert_int_eq(tlsplug__der_read(&body, &alg, NULL), 0);
		add_tlv(&half, 0x30, alg.whole.p, alg.whole.len);
		{
			struct tlsplug__span h = { half.p, half.len };

			out = assemble(&p, subject_index(&p) + 1, h, PARTS_MAX,
			               none, none);
			assert_rejected(&out, "malformed subjectPublicKeyInfo");
			free(out.p);
		}
		free(half.p);
		out = assemble(&p, PARTS_MAX, none, p.ntbs, e, none);
		assert_rejected(&out, "unexpected element at the end of "
		                "tbsCertificate");
		free(out.p);
	}
	{
		/* the outer SEQUENCE: indefinite, 5 length bytes, high tag,
		 * not a SEQUENCE */
		unsigned char *m = malloc(der.len + 8);
		struct bytes b = { m, 0 };

		memcpy(m, der.p, der.len);
		m[1] = 0x80;
		b.len = der.len;
		assert_rejected(&b, "indefinite DER length");
		m[1] = 0x85;
		assert_rejected(&b, "DER length of more than 4 bytes");
		m[0] = 0x3f;
		assert_rejected(&b, "high-tag-number DER form");
		memcpy(m, der.p, der.len);
		m[0] = 0x31;
		assert_rejected(&b, "not a certificate (no SEQUENCE)");
		free(m);
	}
	free(der.p);
}
END_TEST

/* Non-minimal length encodings: accepted, as openssl x509 accepts them. */
START_TEST(test_non_minimal_lengths)
{
	struct bytes der = read_file(path("dns.der")), out = { NULL, 0 };
	struct tlsplug__der_tlv cert;
	struct tlsplug__span in = { der.p, der.len };
	struct tlsplug__cert c;
	const char *why;
	unsigned char h[6] = { 0x30, 0x84 };

	ck_assert_int_eq(tlsplug__der_read(&in, &cert, NULL), 0);
	h[2] = (unsigned char)(cert.body.len >> 24);
	h[3] = (unsigned char)(cert.body.len >> 16);
	h[4] = (unsigned char)(cert.body.len >> 8);
	h[5] = (unsigned char)cert.body.len;
	add(&out, h, 6);
	add_span(&out, cert.body);
	ck_assert_msg(parse(&out, &c, &why) == 0, "%s", why);
	ck_assert_uint_eq(c.nsans, 2);
	/* openssl reads it too (assert_subject runs openssl x509). */
	assert_subject(out.p, out.len, "4-byte length");
	free(out.p);
	free(der.p);
}
END_TEST

/* ---- names ---------------------------------------------------------- */

/* Attribute values built by hand, each put in a certificate's subject and
 * printed by openssl as well. */
static const struct {
	const char *atav;      /* AttributeTypeAndValue contents */
	size_t len;
} subjects[] = {
#define V(s) { s, sizeof(s) - 1 }
	/* UniversalString "A" U+1F600 */
	V("\x06\x03\x55\x04\x03\x1c\x08\x00\x00\x00\x41\x00\x01\xf6\x00"),
	/* IA5String with a Latin-1 byte, NumericString, VisibleString */
	V("\x06\x03\x55\x04\x03\x16\x02\x41\xe9"),
	V("\x06\x03\x55\x04\x05\x12\x03\x31\x32\x33"),
	/* NUL, a leading '#', leading and trailing spaces, backslash */
	V("\x06\x03\x55\x04\x03\x0c\x05\x00\x20\x5c\x23\x20"),
	V("\x06\x03\x55\x04\x03\x0c\x02\x23\x23"),
	V("\x06\x03\x55\x04\x03\x0c\x01\x20"),
	/* an empty value, a SEQUENCE value */
	V("\x06\x03\x55\x04\x03\x0c\x00"),
	V("\x06\x03\x55\x04\x10\x30\x04\x0c\x02\x61\x62"),
	/* an OID outside the table: dotted, value as hex */
	V("\x06\x03\x2a\x03\x04\x0c\x03\x66\x6f\x6f"),
	V("\x06\x09\x2b\x06\x01\x04\x01\x82\x37\x3c\x05\x0c\x01\x78"),
	/* streetAddress, dnQualifier, organizationIdentifier */
	V("\x06\x03\x55\x04\x09\x0c\x04\x4d\x61\x69\x6e"),
	V("\x06\x03\x55\x04\x2e\x13\x01\x78"),
	V("\x06\x03\x55\x04\x61\x0c\x03\x56\x41\x54"),
#undef V
};

/* The certificate with subject Name contents `rdns`. */
static struct bytes
with_subject(const struct parts *p, const struct bytes *rdns)
{
	struct bytes name = { NULL, 0 }, out;
	struct tlsplug__span s;

	add_tlv(&name, 0x30, rdns->p != NULL ? rdns->p :
	        (const unsigned char *)"", rdns->len);
	s.p = name.p;
	s.len = name.len;
	out = assemble(p, subject_index(p), s, PARTS_MAX, none, none);
	free(name.p);
	return out;
}

static void
add_rdn(struct bytes *rdns, const void *atav, size_t n)
{
	struct bytes seq = { NULL, 0 };

	add_tlv(&seq, 0x30, atav, n);
	add_tlv(rdns, 0x31, seq.p, seq.len);
	free(seq.p);
}

START_TEST(test_name_values)
{
	struct bytes der = read_file(path("nosan.der")), rdns = { 0 }, out;
	struct parts p;

	cut(&der, &p);
	add_rdn(&rdns, subjects[_i].atav, subjects[_i].len);
	/* and a plain CN, so both separators show */
	add_rdn(&rdns, "\x06\x03\x55\x04\x03\x0c\x01\x7a", 8);
	out = with_subject(&p, &rdns);
	assert_subject(out.p, out.len, "hand-made subject");
	free(out.p);
	free(rdns.p);
	free(der.p);
}
END_TEST

/* Long names: more RDNs, and more values in one RDN, than the printer's
 * chunk of 64, in the order openssl prints them. */
START_TEST(test_name_long)
{
	struct bytes der = read_file(path("nosan.der")), rdns = { 0 }, out;
	struct bytes set = { 0 }, setb = { 0 };
	struct parts p;

	cut(&der, &p);
	for (int i = 0; i < 150; i++) {
		unsigned char atav[10] = { 0x06, 0x03, 0x55, 0x04, 0x03, 0x13,
		                           0x03 };

		atav[7] = (unsigned char)('0' + i / 100);
		atav[8] = (unsigned char)('0' + i / 10 % 10);
		atav[9] = (unsigned char)('0' + i % 10);
		add_rdn(&rdns, atav, sizeof(atav));
		add_tlv(&set, 0x30, atav, sizeof(atav));
	}
	add_tlv(&setb, 0x31, set.p, set.len);
	add(&rdns, setb.p, setb.len);
	out = with_subject(&p, &rdns);
	assert_subject(out.p, out.len, "long subject");
	free(out.p);
	free(set.p);
	free(setb.p);
	free(rdns.p);
	free(der.p);
}
END_TEST

/* Names openssl cannot print (a string that does not decode) or does not
 * read at all (VisibleString, GeneralString or OCTET STRING values). */
START_TEST(test_name_openssl_cannot)
{
	static const struct {
		const char *der;
		size_t len;
		const char *text;
	} cases[] = {
#define V(s) s, sizeof(s) - 1
		{ V("\x30\x0e\x31\x0c\x30\x0a\x06\x03\x55\x04\x03\x0c\x03"
		    "\x61\xc3\x28"), "CN=#0C0361C328" },
		{ V("\x30\x0c\x31\x0a\x30\x08\x06\x03\x55\x04\x03\x1e\x01"
		    "\x41"), "CN=#1E0141" },
		{ V("\x30\x0d\x31\x0b\x30\x09\x06\x03\x55\x04\x03\x1e\x02"
		    "\xd8\x00"), "CN=#1E02D800" },
		{ V("\x30\x0f\x31\x0d\x30\x0b\x06\x03\x55\x04\x03\x1c\x04"
		    "\x00\x11\x00\x00"), "CN=#1C0400110000" },
		{ V("\x30\x0e\x31\x0c\x30\x0a\x06\x03\x55\x04\x03\x0c\x03"
		    "\xe0\x80\x80"), "CN=#0C03E08080" },
		{ V("\x30\x00"), "" },
		{ V("\x30\x0f\x31\x0d\x30\x0b\x06\x03\x55\x04\x0a\x1a\x04"
		    "\x20\x61\x2b\x62"), "O=\\ a\\+b" },
		{ V("\x30\x0c\x31\x0a\x30\x08\x06\x03\x55\x04\x03\x1b\x01"
		    "\x78"), "CN=#1B0178" },
		{ V("\x30\x0d\x31\x0b\x30\x09\x06\x03\x55\x04\x03\x04\x02"
		    "\xab\xcd"), "CN=#0402ABCD" },
#undef V
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tlsplug__span s = {
			(const unsigned char *)cases[i].der, cases[i].len
		};
		char text[128];

		ck_assert_int_eq(name_text(s, text, sizeof(text)),
		                 (int)strlen(cases[i].text));
		ck_assert_str_eq(text, cases[i].text);
	}
}
END_TEST

START_TEST(test_name_unreadable)
{
	static const struct {
		const char *der;
		size_t len;
	} cases[] = {
#define V(s) { s, sizeof(s) - 1 }
		V("\x31\x00"),                          /* not a SEQUENCE */
		V("\x30\x00\x00"),                      /* trailing byte */
		V("\x30\x02\x31\x00"),                  /* empty RDN */
		V("\x30\x04\x31\x02\x30\x00"),          /* no type */
		V("\x30\x07\x31\x05\x30\x03\x06\x01\x55"), /* no value */
		V("\x30\x09\x31\x07\x30\x05\x06\x01\x80\x05\x00"), /* bad OID */
		V("\x30\x0a\x31\x08\x30\x06\x06\x01\x55\x05\x00\x00"),
		V("\x30\x03\x31\x00"),                  /* truncated */
		V(""),
#undef V
	};
	char text[16] = "x";

	ck_assert_int_eq(tlsplug__name_text((struct tlsplug__span){ NULL, 0 },
	                                    text, sizeof(text)), -1);
	ck_assert_str_eq(text, "");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tlsplug__span s = {
			(const unsigned char *)cases[i].der, cases[i].len
		};

		ck_assert_msg(tlsplug__name_text(s, text, sizeof(text)) == -1,
		              "case %zu read", i);
	}
}
END_TEST

/* Small buffers: the full length comes back, the text is cut and ends in
 * a NUL, size 0 writes nothing. */
START_TEST(test_name_truncation)
{
	struct bytes der = read_file(path("escape.der"));
	struct tlsplug__cert c;
	const char *why;
	char full[512], small[512];
	int n;

	ck_assert_msg(parse(&der, &c, &why) == 0, "%s", why);
	n = name_text(c.subject, full, sizeof(full));
	ck_assert_int_gt(n, 10);
	for (int size = 1; size <= n + 1; size++) {
		memset(small, 'x', sizeof(small));
		ck_assert_int_eq(tlsplug__name_text(c.subject, small,
		                                    (size_t)size), n);
		ck_assert_uint_eq(strlen(small), (size_t)(size - 1 < n ?
		                  size - 1 : n));
		ck_assert_int_eq(memcmp(small, full, strlen(small)), 0);
	}
	small[0] = 'x';
	ck_assert_int_eq(tlsplug__name_text(c.subject, small, 0), n);
	ck_assert_int_eq(small[0], 'x');
	ck_assert_int_eq(tlsplug__name_text(c.subject, NULL, 0), n);
	free(der.p);
}
END_TEST

/* ---- PEM ------------------------------------------------------------ */

/* Runs pem_next over text, expecting `want` CERTIFICATE blocks with the
 * given decoded contents, then rc_end. */
static void
pem_expect(const char *text, const char *const *want, size_t n, int rc_end,
           const char *why_end)
{
	size_t pos = 0, len = strlen(text), k = 0, der_len;
	unsigned char *der;
	const char *why = NULL;
	int rc;

	while ((rc = tlsplug__pem_next(text, len, &pos, "CERTIFICATE", &der,
	                               &der_len, &why)) == 1) {
		ck_assert_uint_lt(k, n);
		ck_assert_uint_eq(der_len, strlen(want[k]));
		ck_assert_mem_eq(der, want[k], der_len);
		ck_assert_uint_le(pos, len);
		tlsplug__free(der);
		k++;
	}
	ck_assert_uint_eq(k, n);
	ck_assert_int_eq(rc, rc_end);
	ck_assert_ptr_null(der);
	ck_assert_uint_eq(der_len, 0);
	if (why_end != NULL)
		ck_assert_str_eq(why, why_end);
}

START_TEST(test_pem_blocks)
{
	static const char *const ab[] = { "MIIB", "hello" };
	static const char *const one[] = { "a" };

	pem_expect("", NULL, 0, 0, NULL);
	pem_expect("no blocks here\n", NULL, 0, 0, NULL);
	/* two blocks, text around them, another label in between, CRLF */
	pem_expect("intro\n-----BEGIN CERTIFICATE-----\r\nTUlJ\r\nQg==\r\n"
	           "-----END CERTIFICATE-----\r\n"
	           "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
	           "-----END EC PARAMETERS-----\n"
	           "between\n-----BEGIN CERTIFICATE-----\n aGVs\tbG8=\n"
	           "-----END CERTIFICATE-----", ab, 2, 0, NULL);
	/* RFC 1421 headers before the base64 are skipped */
	pem_expect("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n"
	           "DEK-Info: AES-128-CBC,00\n\nYQ==\n"
	           "-----END CERTIFICATE-----\n", one, 1, 0, NULL);
	/* malformed: the messages handles.c gives */
	pem_expect("-----BEGIN CERTIFICATE-----\nYQ==\n", NULL, 0, -2,
	           "missing END line");
	pem_expect("-----BEGIN CERTIFICATE-----\nYQ==\n-----END CERT-----\n",
	           NULL, 0, -2, "END line does not match BEGIN");
	pem_expect("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
	           NULL, 0, -2, "empty PEM block");
	pem_expect("-----BEGIN CERTIFICATE-----\n \n-----END CERTIFICATE-----"
	           "\n", NULL, 0, -2, "empty PEM block");
	pem_expect("-----BEGIN CERTIFICATE-----\nYQ=!\n"
	           "-----END CERTIFICATE-----\n", NULL, 0, -2,
	           "invalid base64 data");
	pem_expect("-----BEGIN CERTIFICATE\nYQ==\n-----END CERTIFICATE-----\n",
	           NULL, 0, -2, "malformed BEGIN line");
	pem_expect("-----BEGIN CERTIFICATE-----\nYQ==\n"
	           "-----BEGIN CERTIFICATE-----\nYQ==\n"
	           "-----END CERTIFICATE-----\n", NULL, 0, -2,
	           "missing END line");
	/* malformed base64 */
	pem_expect("-----BEGIN CERTIFICATE-----\nYQ=\n"
	           "-----END CERTIFICATE-----\n", NULL, 0, -2,
	           "base64 data is not a multiple of 4 characters");
	pem_expect("-----BEGIN CERTIFICATE-----\nYQ==YWJj\n"
	           "-----END CERTIFICATE-----\n", NULL, 0, -2,
	           "base64 padding inside the data");
	pem_expect("-----BEGIN CERTIFICATE-----\nY===\n"
	           "-----END CERTIFICATE-----\n", NULL, 0, -2,
	           "base64 padding inside the data");
	pem_expect("-----BEGIN CERTIFICATE-----\nYW=j\n"
	           "-----END CERTIFICATE-----\n", NULL, 0, -2,
	           "base64 padding inside the data");
	/* a malformed block of another label is an error too */
	pem_expect("-----BEGIN X-----\nYQ=\n-----END Y-----\n", NULL, 0, -2,
	           "END line does not match BEGIN");
	/* a block that was found stays found: *pos moves past it only */
	pem_expect("-----BEGIN CERTIFICATE-----\nYQ==\n"
	           "-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n",
	           one, 1, -2, "missing END line");
}
END_TEST

/* Text not NUL-terminated: nothing is read past len. */
START_TEST(test_pem_bounds)
{
	static const char text[] = "-----BEGIN CERTIFICATE-----\nYQ==\n"
	                           "-----END CERTIFICATE-----";
	size_t len = sizeof(text) - 1;

	for (size_t n = 0; n <= len; n++) {
		char *copy = malloc(n + 1);
		size_t pos = 0, der_len;
		unsigned char *der;
		const char *why;
		int rc;

		memcpy(copy, text, n);
		rc = tlsplug__pem_next(copy, n, &pos, "CERTIFICATE", &der,
		                       &der_len, &why);
		if (n == len) {
			ck_assert_int_eq(rc, 1);
			ck_assert_uint_eq(pos, len);
			tlsplug__free(der);
		} else {
			ck_assert_int_le(rc, 0);
			ck_assert_uint_eq(pos, 0);
		}
		free(copy);
	}
}
END_TEST

/* Real PEM files decode to what openssl writes as DER; out of memory is
 * -3, not -1 (TLSPLUG_ERR_NOMEM). */
START_TEST(test_pem_real)
{
	char cmd[1024];
	struct bytes pem, der;
	unsigned char *out;
	size_t pos = 0, out_len;
	const char *why;

	snprintf(cmd, sizeof(cmd), "%s x509 -inform DER -in '%s' -out '%s'",
	         openssl(), path("rsa.der"), path("rsa.pem"));
	ck_assert_int_eq(system(cmd), 0);
	pem = read_file(path("rsa.pem"));
	der = read_file(path("rsa.der"));
	ck_assert_int_eq(tlsplug__pem_next((const char *)pem.p, pem.len, &pos,
	                 "CERTIFICATE", &out, &out_len, &why), 1);
	ck_assert_uint_eq(out_len, der.len);
	ck_assert_mem_eq(out, der.p, der.len);
	ck_assert_uint_eq(pos, pem.len - 1);   /* before the last newline */
	tlsplug__free(out);
	pos = 0;
	tlsplug__alloc_fail_at(1);
	ck_assert_int_eq(tlsplug__pem_next((const char *)pem.p, pem.len, &pos,
	                 "CERTIFICATE", &out, &out_len, &why), -3);
	tlsplug__alloc_fail_at(0);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(pos, 0);
	/* the key label is another label */
	ck_assert_int_eq(tlsplug__pem_next((const char *)pem.p, pem.len, &pos,
	                 "PRIVATE KEY", &out, &out_len, &why), 0);
	free(pem.p);
	free(der.p);
}
END_TEST

/* ---- the system's CA certificates -------------------------------------- */

START_TEST(test_system_certs)
{
	DIR *d = opendir(SYSTEM_CERTS);
	struct dirent *e;
	size_t files = 0, certs = 0;

	ck_assert_msg(d != NULL, SYSTEM_CERTS " missing: install "
	              "ca-certificates (tools/install-deps)");
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name), pos = 0, der_len;
		char name[1024];
		struct bytes pem;
		unsigned char *der;
		const char *why;
		int rc;

		if (n < 5 || strcmp(e->d_name + n - 4, ".pem") != 0)
			continue;
		snprintf(name, sizeof(name), SYSTEM_CERTS "/%s", e->d_name);
		if (access(name, R_OK) != 0)
			continue;   /* a dangling link */
		pem = read_file(name);
		files++;
		while ((rc = tlsplug__pem_next((const char *)pem.p, pem.len,
		    &pos, "CERTIFICATE", &der, &der_len, &why)) == 1) {
			struct tlsplug__cert c;
			struct tlsplug_san s[16];

			ck_assert_msg(tlsplug__cert_parse(der, der_len, &c,
			              &why) == 0, "%s: %s", name, why);
			ck_assert_uint_eq(tlsplug__cert_sans(&c, s, 16),
			                  c.nsans);
			assert_subject(der, der_len, name);
			tlsplug__free(der);
			certs++;
		}
		ck_assert_msg(rc == 0, "%s: %s", name, why);
		free(pem.p);
	}
	closedir(d);
	ck_assert_msg(certs > 0, "no certificates in " SYSTEM_CERTS
	              ": install ca-certificates (tools/install-deps)");
	printf("check_x509: %zu certificates in %zu files of " SYSTEM_CERTS
	       " parsed, subjects as openssl prints them\n", certs, files);
}
END_TEST

/* ---- set-up ------------------------------------------------------------ */

static void
remove_dir(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static int
generate(void)
{
	const char *top = getenv("top_srcdir");
	char cmd[2048];

	if (top == NULL)
		top = ".";
	snprintf(cmd, sizeof(cmd),
	         "sh '%s/tests/gen-x509-certs.sh' '%s' >'%s/gen.log' 2>&1 && "
	         "sh '%s/tools/tlsplug-gen-test-certs' '%s/std' "
	         ">>'%s/gen.log' 2>&1", top, dir, dir, top, dir, dir);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "cat '%s/gen.log' >&2", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "certificates could not be made\n");
		return -1;
	}
	return 0;
}

int
main(void)
{
	Suite *s = suite_create("x509");
	TCase *tc = tcase_create("x509");
	SRunner *sr;
	int failed;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	if (generate() != 0) {
		remove_dir();
		return 99;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_generated, 0, NGENERATED);
	tcase_add_test(tc, test_conformance_certs);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_loop_test(tc, test_bit_flips, 0, NGENERATED);
	tcase_add_test(tc, test_trailing_garbage);
	tcase_add_test(tc, test_duplicate_san);
	tcase_add_test(tc, test_extension_order);
	tcase_add_loop_test(tc, test_san_values, 0,
	                    sizeof(san_values) / sizeof(san_values[0]));
	tcase_add_test(tc, test_unique_ids);
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_non_minimal_lengths);
	tcase_add_loop_test(tc, test_name_values, 0,
	                    sizeof(subjects) / sizeof(subjects[0]));
	tcase_add_test(tc, test_name_long);
	tcase_add_test(tc, test_name_openssl_cannot);
	tcase_add_test(tc, test_name_unreadable);
	tcase_add_test(tc, test_name_truncation);
	tcase_add_test(tc, test_pem_blocks);
	tcase_add_test(tc, test_pem_bounds);
	tcase_add_test(tc, test_pem_real);
	tcase_add_test(tc, test_system_certs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	remove_dir();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
