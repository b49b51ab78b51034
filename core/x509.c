/*
 * x509.c -- the core's certificate reader (x509.h), on the DER reader of
 * der.h.
 *
 * What a certificate must look like (RFC 5280 section 4.1):
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 *                              signatureValue BIT STRING }, nothing after;
 *   TBSCertificate ::= SEQUENCE { [0] version (v1, v2 or v3; absent: v1),
 *       serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name,
 *       validity SEQUENCE { two UTCTime or GeneralizedTime }, subject Name,
 *       SubjectPublicKeyInfo SEQUENCE { AlgorithmIdentifier, BIT STRING },
 *       [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions
 *       (each optional, once, in this order) }.
 * Every Name is checked down to its attributes (an RDN is a non-empty SET
 * of SEQUENCE { OID, one value }); an OID must be well formed with arcs of
 * at most 64 bits.  Extensions may come in any order, with or without the
 * critical flag; only subjectAltName is looked into, and it may appear
 * once.  Its extnValue must hold exactly one GeneralNames SEQUENCE whose
 * entries are each well formed: dNSName IA5 text (no NUL, nothing above
 * 0x7f), iPAddress of 4 or 16 bytes, otherName an OID and one [0] value,
 * directoryName one Name, registeredID an OID, x400Address and
 * ediPartyName well-formed DER; any other tag is refused.
 *
 * Leniency, for what CAs have issued and OpenSSL reads: non-minimal DER
 * lengths (der.h), an explicit v1 version, an explicit critical FALSE, an
 * empty extensions or GeneralNames SEQUENCE, extensions and unique IDs in
 * a v1 certificate, serial numbers of any length, and string attribute
 * values whose bytes do not fit their type (they print as a hex dump).
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "x509.h"

#define SEQ TLSPLUG__DER_SEQUENCE
#define SET TLSPLUG__DER_SET
#define TAG_A0 0xa0    /* [0] constructed */
#define TAG_A3 0xa3    /* [3] constructed */
#define TAG_UTCTIME 0x17
#define TAG_GENTIME 0x18

/* Tags of GeneralName (RFC 5280 4.2.1.6): context-specific, implicit. */
enum {
	GN_OTHER = 0xa0, GN_RFC822 = 0x81, GN_DNS = 0x82, GN_X400 = 0xa3,
	GN_DIR = 0xa4, GN_EDI = 0xa5, GN_URI = 0x86, GN_IP = 0x87,
	GN_RID = 0x88,
};

/* 2.5.29.17, id-ce-subjectAltName */
static const unsigned char san_oid[] = { 0x55, 0x1d, 0x11 };

static int
fail(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -1;
}

/*
 * Reads the next element of *in, which must have identifier `tag`.  On
 * failure *why is the DER reader's reason for an encoding it refuses
 * (indefinite length, ...) and `what` otherwise (missing, wrong tag, or
 * longer than what encloses it).
 */
static int
take(struct tlsplug__span *in, unsigned char tag, struct tlsplug__der_tlv *t,
     const char *what, const char **why)
{
	const char *dwhy;
	int rc;

	if (in->len == 0)
		return fail(why, what);
	rc = tlsplug__der_read(in, t, &dwhy);
	if (rc == TLSPLUG__DER_BAD)
		return fail(why, dwhy);
	if (rc != TLSPLUG__DER_OK || t->tag != tag)
		return fail(why, what);
	return 0;
}

/* 1 if the next element of in has identifier tag. */
static int
next_is(struct tlsplug__span in, unsigned char tag)
{
	return in.len > 0 && in.p[0] == tag;
}

/* 1 if s is a (possibly empty) list of well-formed elements. */
static int
elements_ok(struct tlsplug__span s)
{
	struct tlsplug__der_tlv t;

	while (s.len > 0)
		if (tlsplug__der_read(&s, &t, NULL) != TLSPLUG__DER_OK)
			return 0;
	return 1;
}

/* OBJECT IDENTIFIER contents: at least one subidentifier, each in minimal
 * base 128 (no leading 0x80 octet) and at most 64 bits, the last one
 * complete.  (OpenSSL refuses the leading 0x80 as well.) */
static int
oid_ok(struct tlsplug__span o)
{
	uint64_t v = 0;
	int start = 1;

	if (o.len == 0 || (o.p[o.len - 1] & 0x80) != 0)
		return 0;
	for (size_t i = 0; i < o.len; i++) {
		if (start && o.p[i] == 0x80)
			return 0;
		if ((v >> 57) != 0)
			return 0;
		v = (v << 7) | (o.p[i] & 0x7f);
		start = (o.p[i] & 0x80) == 0;
		if (start)
			v = 0;
	}
	return 1;
}

/* BIT STRING contents: the unused-bits octet (0..7, 0 when empty). */
static int
bits_ok(struct tlsplug__span b)
{
	return b.len >= 1 && b.p[0] <= 7 && (b.len > 1 || b.p[0] == 0);
}

/* AlgorithmIdentifier ::= SEQUENCE { OID, parameters ANY OPTIONAL } */
static int
algid(struct tlsplug__span *in, const char *what, const char **why)
{
	struct tlsplug__der_tlv t, oid, prm;
	struct tlsplug__span s;

	if (take(in, SEQ, &t, what, why) != 0)
		return -1;
	s = t.body;
	if (take(&s, TLSPLUG__DER_OID, &oid, what, why) != 0)
		return -1;
	if (!oid_ok(oid.body))
		return fail(why, what);
	if (s.len > 0 &&
	    tlsplug__der_read(&s, &prm, NULL) != TLSPLUG__DER_OK)
		return fail(why, what);
	return s.len == 0 ? 0 : fail(why, what);
}

/* Reads one AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY }
 * from *in.  0 or -1. */
static int
atav_read(struct tlsplug__span *in, struct tlsplug__span *type,
          struct tlsplug__der_tlv *value)
{
	struct tlsplug__der_tlv a, oid;
	struct tlsplug__span s;

	if (tlsplug__der_expect(in, SEQ, &a) != 0)
		return -1;
	s = a.body;
	if (tlsplug__der_expect(&s, TLSPLUG__DER_OID, &oid) != 0 ||
	    !oid_ok(oid.body) ||
	    tlsplug__der_read(&s, value, NULL) != TLSPLUG__DER_OK ||
	    s.len != 0)
		return -1;
	*type = oid.body;
	return 0;
}

/* Name contents (RDNSequence): each RDN a non-empty SET of
 * AttributeTypeAndValue.  An empty sequence is an empty Name. */
static int
rdns_ok(struct tlsplug__span rdns)
{
	struct tlsplug__der_tlv rdn, value;
	struct tlsplug__span s, type;

	while (rdns.len > 0) {
		if (tlsplug__der_expect(&rdns, SET, &rdn) != 0 ||
		    rdn.body.len == 0)
			return 0;
		s = rdn.body;
		while (s.len > 0)
			if (atav_read(&s, &type, &value) != 0)
				return 0;
	}
	return 1;
}

/* Reads a Name (whole SEQUENCE) from *in. */
static int
name(struct tlsplug__span *in, struct tlsplug__der_tlv *t, const char *what,
     const char **why)
{
	if (take(in, SEQ, t, what, why) != 0)
		return -1;
	return rdns_ok(t->body) ? 0 : fail(why, what);
}

/* ---- subjectAltName -------------------------------------------------- */

static int
general_name(const struct tlsplug__der_tlv *g, size_t *count,
             const char **why)
{
	struct tlsplug__span s = g->body;
	struct tlsplug__der_tlv t, v;

	switch (g->tag) {
	case GN_DNS:
		for (size_t i = 0; i < s.len; i++)
			if (s.p[i] == 0 || s.p[i] >= 0x80)
				return fail(why, "subjectAltName dNSName is "
				            "not IA5 text");
		(*count)++;
		return 0;
	case GN_IP:
		if (s.len != 4 && s.len != 16)
			return fail(why, "subjectAltName iPAddress is not "
			            "4 or 16 bytes");
		(*count)++;
		return 0;
	case GN_RFC822:
	case GN_URI:
		return 0;
	case GN_OTHER:
		/* OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT
		 * ANY } */
		if (tlsplug__der_expect(&s, TLSPLUG__DER_OID, &t) != 0 ||
		    !oid_ok(t.body) ||
		    tlsplug__der_expect(&s, TAG_A0, &t) != 0 || s.len != 0 ||
		    tlsplug__der_read(&t.body, &v, NULL) != 0 ||
		    t.body.len != 0)
			break;
		return 0;
	case GN_DIR:
		/* Name is a CHOICE, so the tag is explicit: one Name. */
		if (tlsplug__der_expect(&s, SEQ, &t) != 0 || s.len != 0 ||
		    !rdns_ok(t.body))
			break;
		return 0;
	case GN_RID:
		if (!oid_ok(s))
			break;
		return 0;
	case GN_X400:
	case GN_EDI:
		if (!elements_ok(s))
			break;
		return 0;
	default:
		return fail(why, "unknown subjectAltName entry type");
	}
	return fail(why, "malformed subjectAltName entry");
}

/* Checks the contents of a GeneralNames SEQUENCE; counts DNS and IP. */
static int
general_names(struct tlsplug__span s, size_t *count, const char **why)
{
	struct tlsplug__der_tlv g;
	const char *dwhy;
	int rc;

	*count = 0;
	while (s.len > 0) {
		rc = tlsplug__der_read(&s, &g, &dwhy);
		if (rc != TLSPLUG__DER_OK)
			return fail(why, rc == TLSPLUG__DER_BAD ? dwhy :
			            "malformed subjectAltName entry");
		if (general_name(&g, count, why) != 0)
			return -1;
	}
	return 0;
}

/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING }, for every element of Extensions. */
static int
extensions(struct tlsplug__span s, struct tlsplug__cert *out,
           const char **why)
{
	static const char bad[] = "malformed extension";
	struct tlsplug__der_tlv ext, id, crit, value, names;
	struct tlsplug__span e, v;

	while (s.len > 0) {
		if (take(&s, SEQ, &ext, bad, why) != 0)
			return -1;
		e = ext.body;
		if (take(&e, TLSPLUG__DER_OID, &id, bad, why) != 0)
			return -1;
		if (!oid_ok(id.body))
			return fail(why, bad);
		if (next_is(e, TLSPLUG__DER_BOOLEAN) &&
		    (take(&e, TLSPLUG__DER_BOOLEAN, &crit, bad, why) != 0 ||
		     crit.body.len != 1))
			return fail(why, "malformed extension critical flag");
		if (take(&e, TLSPLUG__DER_OCTET_STRING, &value, bad, why) != 0)
			return -1;
		if (e.len != 0)
			return fail(why, bad);
		if (id.body.len != sizeof(san_oid) ||
		    memcmp(id.body.p, san_oid, sizeof(san_oid)) != 0)
			continue;
		if (out->san.p != NULL)
			return fail(why, "two subjectAltName extensions");
		v = value.body;
		if (tlsplug__der_read(&v, &names, NULL) != TLSPLUG__DER_OK ||
		    names.tag != SEQ || v.len != 0)
			return fail(why, "subjectAltName extnValue is not one "
			            "GeneralNames SEQUENCE");
		if (general_names(names.body, &out->nsans, why) != 0)
			return -1;
		out->san = names.body;
	}
	return 0;
}

/* ---- the certificate ------------------------------------------------- */

static int
tbs_parse(struct tlsplug__span s, struct tlsplug__cert *out,
          const char **why)
{
	struct tlsplug__der_tlv t, v;
	struct tlsplug__span in;

	if (next_is(s, TAG_A0)) {
		if (take(&s, TAG_A0, &t, "malformed version", why) != 0)
			return -1;
		in = t.body;
		if (take(&in, TLSPLUG__DER_INTEGER, &v, "malformed version",
		         why) != 0)
			return -1;
		if (in.len != 0 || v.body.len != 1 || v.body.p[0] > 2)
			return fail(why, "unsupported certificate version");
	}
	if (take(&s, TLSPLUG__DER_INTEGER, &t, "malformed serial number",
	         why) != 0)
		return -1;
	if (t.body.len == 0)
		return fail(why, "malformed serial number");
	if (algid(&s, "malformed signature algorithm", why) != 0)
		return -1;
	if (name(&s, &t, "malformed issuer", why) != 0)
		return -1;
	/* Validity ::= SEQUENCE { notBefore Time, notAfter Time } */
	if (take(&s, SEQ, &t, "malformed validity", why) != 0)
		return -1;
	in = t.body;
	for (int i = 0; i < 2; i++) {
		if (tlsplug__der_read(&in, &v, NULL) != TLSPLUG__DER_OK ||
		    (v.tag != TAG_UTCTIME && v.tag != TAG_GENTIME))
			return fail(why, "malformed validity");
	}
	if (in.len != 0)
		return fail(why, "malformed validity");
	if (name(&s, &t, "malformed subject", why) != 0)
		return -1;
	out->subject = t.whole;
	/* SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey
	 * BIT STRING } */
	if (take(&s, SEQ, &t, "malformed subjectPublicKeyInfo", why) != 0)
		return -1;
	out->spki = t.whole;
	in = t.body;
	if (algid(&in, "malformed subjectPublicKeyInfo", why) != 0 ||
	    take(&in, TLSPLUG__DER_BIT_STRING, &v,
	         "malformed subjectPublicKeyInfo", why) != 0)
		return -1;
	if (!bits_ok(v.body) || in.len != 0)
		return fail(why, "malformed subjectPublicKeyInfo");
	/* issuerUniqueID [1] and subjectUniqueID [2]: IMPLICIT BIT STRING */
	for (unsigned char tag = 0x81; tag <= 0x82; tag++) {
		if (!next_is(s, tag))
			continue;
		if (take(&s, tag, &t, "malformed unique identifier", why) != 0)
			return -1;
		if (!bits_ok(t.body))
			return fail(why, "malformed unique identifier");
	}
	if (next_is(s, TAG_A3)) {
		/* extensions [3] EXPLICIT SEQUENCE OF Extension */
		if (take(&s, TAG_A3, &t, "malformed extensions", why) != 0)
			return -1;
		in = t.body;
		if (take(&in, SEQ, &v, "malformed extensions", why) != 0)
			return -1;
		if (in.len != 0)
			return fail(why, "malformed extensions");
		if (extensions(v.body, out, why) != 0)
			return -1;
	}
	if (s.len != 0)
		return fail(why, "unexpected element at the end of "
		            "tbsCertificate");
	return 0;
}

int
tlsplug__cert_parse(const unsigned char *der, size_t len,
                    struct tlsplug__cert *out, const char **why)
{
	struct tlsplug__span in = { der, len }, c;
	struct tlsplug__der_tlv cert, tbs, t;
	const char *dwhy;
	int rc;

	memset(out, 0, sizeof(*out));
	if (der == NULL || len == 0)
		return fail(why, "empty certificate");
	rc = tlsplug__der_read(&in, &cert, &dwhy);
	if (rc == TLSPLUG__DER_SHORT)
		return fail(why, "truncated certificate");
	if (rc != TLSPLUG__DER_OK)
		return fail(why, dwhy);
	if (cert.tag != SEQ)
		return fail(why, "not a certificate (no SEQUENCE)");
	if (in.len != 0)
		return fail(why, "trailing bytes after the certificate");
	c = cert.body;
	if (take(&c, SEQ, &tbs, "malformed tbsCertificate", why) != 0 ||
	    algid(&c, "malformed signatureAlgorithm", why) != 0 ||
	    take(&c, TLSPLUG__DER_BIT_STRING, &t, "malformed signatureValue",
	         why) != 0)
		return -1;
	if (!bits_ok(t.body))
		return fail(why, "malformed signatureValue");
	if (c.len != 0)
		return fail(why, "unexpected element after signatureValue");
	if (tbs_parse(tbs.body, out, why) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

size_t
tlsplug__cert_sans(const struct tlsplug__cert *c, struct tlsplug_san *out,
                   size_t max)
{
	struct tlsplug__span s = c->san;
	struct tlsplug__der_tlv g;
	size_t n = 0;

	if (s.p == NULL)
		return 0;
	/* Checked by tlsplug__cert_parse(): every entry reads. */
	while (s.len > 0 && tlsplug__der_read(&s, &g, NULL) == 0) {
		if (g.tag != GN_DNS && g.tag != GN_IP)
			continue;
		if (n < max) {
			out[n].type = g.tag == GN_DNS ? TLSPLUG_SAN_DNS :
			                                TLSPLUG_SAN_IP;
			out[n].data = g.body.p;
			out[n].len = g.body.len;
		}
		n++;
	}
	return n;
}

/* ---- RFC 4514 text of a Name ------------------------------------------ */

/*
 * The text follows OpenSSL's `-nameopt RFC2253,-esc_msb` (XN_FLAG_RFC2253
 * without ASN1_STRFLGS_ESC_MSB), which tests compare against:
 * - RDNs last first, joined with ','; the attributes of a multi-valued RDN
 *   joined with '+', also last first (as OpenSSL prints them: RFC 4514
 *   gives their order no meaning).
 * - Types by the short names below, else the dotted OID.
 * - Values of UTF8String, PrintableString, IA5String, NumericString,
 *   VisibleString, TeletexString (taken as Latin-1, as OpenSSL does),
 *   UTCTime/GeneralizedTime, BMPString and UniversalString as UTF-8, with
 *   RFC 4514 section 2.4 escapes: \ before , + " \ < > ; a leading space
 *   or '#' and a trailing space; \XX (upper-case hex) for control
 *   characters (below 0x20, and 0x7f); bytes above 0x7f as they are.
 * - Other value types, and every value of a type not in the table, as '#'
 *   and the upper-case hex of the value's whole DER element.
 * Where the output differs from OpenSSL's:
 * - 2.5.4.9 is "STREET" (RFC 4514's name); OpenSSL says "street".
 * - An attribute type OpenSSL knows but the table lacks prints as
 *   "dotted.oid=#hex" here and as "openssl-name=text" there (RFC 4514 only
 *   requires the names in its own table).
 * - A string whose bytes do not fit its type (bad UTF-8, a surrogate, an
 *   odd-length BMPString, a code point above 0x10FFFF) prints as '#' hex
 *   here; OpenSSL fails to print the whole Name.
 * - OpenSSL refuses a certificate whose Name holds a VisibleString,
 *   GeneralString or non-string (OCTET STRING, ...) value; here such a
 *   certificate parses, and the value prints as said above.
 * All 150 certificates of Debian 12's ca-certificates print exactly as
 * OpenSSL prints them (tests/check_x509.c compares every one).
 */
static const struct {
	const char *oid;
	const char *name;
} short_names[] = {
	/* RFC 4514 section 3 */
	{ "2.5.4.3", "CN" },
	{ "2.5.4.7", "L" },
	{ "2.5.4.8", "ST" },
	{ "2.5.4.10", "O" },
	{ "2.5.4.11", "OU" },
	{ "2.5.4.6", "C" },
	{ "2.5.4.9", "STREET" },
	{ "0.9.2342.19200300.100.1.25", "DC" },
	{ "0.9.2342.19200300.100.1.1", "UID" },
	/* OpenSSL's short names for the other attributes found in
	 * certificate subjects */
	{ "1.2.840.113549.1.9.1", "emailAddress" },
	{ "1.2.840.113549.1.9.2", "unstructuredName" },
	{ "1.2.840.113549.1.9.8", "unstructuredAddress" },
	{ "2.5.4.4", "SN" },
	{ "2.5.4.5", "serialNumber" },
	{ "2.5.4.12", "title" },
	{ "2.5.4.13", "description" },
	{ "2.5.4.15", "businessCategory" },
	{ "2.5.4.16", "postalAddress" },
	{ "2.5.4.17", "postalCode" },
	{ "2.5.4.18", "postOfficeBox" },
	{ "2.5.4.20", "telephoneNumber" },
	{ "2.5.4.41", "name" },
	{ "2.5.4.42", "GN" },
	{ "2.5.4.43", "initials" },
	{ "2.5.4.44", "generationQualifier" },
	{ "2.5.4.45", "x500UniqueIdentifier" },
	{ "2.5.4.46", "dnQualifier" },
	{ "2.5.4.51", "houseIdentifier" },
	{ "2.5.4.54", "dmdName" },
	{ "2.5.4.65", "pseudonym" },
	{ "2.5.4.72", "role" },
	{ "2.5.4.97", "organizationIdentifier" },
	{ "0.9.2342.19200300.100.1.3", "mail" },
	{ "1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL" },
	{ "1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST" },
	{ "1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC" },
};

/* Output into buf[size], counting what did not fit. */
struct out {
	char *buf;
	size_t size;
	size_t n;
};

static void
put(struct out *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++, o->n++)
		if (o->n + 1 < o->size)
			o->buf[o->n] = s[i];
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_u64(struct out *o, uint64_t v)
{
	char d[21];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(o, d + i, sizeof(d) - i);
}

static void
put_hex(struct out *o, unsigned c)
{
	static const char hex[] = "0123456789ABCDEF";
	char h[2] = { hex[(c >> 4) & 0xf], hex[c & 0xf] };

	put(o, h, 2);
}

/* Dotted text of OID contents (checked by oid_ok). */
static void
put_oid(struct out *o, struct tlsplug__span oid)
{
	uint64_t v = 0;
	int first = 1;

	for (size_t i = 0; i < oid.len; i++) {
		v = (v << 7) | (oid.p[i] & 0x7f);
		if (oid.p[i] & 0x80)
			continue;
		if (first) {
			/* The first subidentifier holds two arcs. */
			unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;

			put_u64(o, a);
			put_str(o, ".");
			put_u64(o, v - 40 * (uint64_t)a);
			first = 0;
		} else {
			put_str(o, ".");
			put_u64(o, v);
		}
		v = 0;
	}
}

static const char *
short_name(struct tlsplug__span oid)
{
	char text[64];
	struct out o = { text, sizeof(text), 0 };

	put_oid(&o, oid);
	if (o.n >= sizeof(text))
		return NULL;
	text[o.n] = '\0';
	for (size_t i = 0; i < sizeof(short_names) / sizeof(short_names[0]);
	     i++)
		if (strcmp(text, short_names[i].oid) == 0)
			return short_names[i].name;
	return NULL;
}

/* How a string type's bytes encode characters. */
enum enc { ENC_NONE, ENC_LATIN1, ENC_UTF8, ENC_BMP, ENC_UCS4 };

static enum enc
string_enc(unsigned char tag)
{
	switch (tag) {
	case 0x0c:                      /* UTF8String */
		return ENC_UTF8;
	case 0x12: case 0x13: case 0x14: /* Numeric, Printable, Teletex */
	case 0x16: case 0x17: case 0x18: /* IA5, UTCTime, GeneralizedTime */
	case 0x1a:                      /* VisibleString */
		return ENC_LATIN1;
	case 0x1c:                      /* UniversalString */
		return ENC_UCS4;
	case 0x1e:                      /* BMPString */
		return ENC_BMP;
	default:
		return ENC_NONE;
	}
}

static int
valid_code_point(uint32_t c)
{
	return c <= 0x10ffff && (c < 0xd800 || c > 0xdfff);
}

/* The character at s[*off] in encoding e: moves *off past it and returns
 * the code point, or -1 when the bytes are not a valid character. */
static long
next_char(enum enc e, struct tlsplug__span s, size_t *off)
{
	const unsigned char *p = s.p + *off;
	size_t left = s.len - *off, n;
	uint32_t c, min;

	switch (e) {
	case ENC_LATIN1:
		*off += 1;
		return p[0];
	case ENC_BMP:
		if (left < 2)
			return -1;
		c = (uint32_t)p[0] << 8 | p[1];
		*off += 2;
		return valid_code_point(c) ? (long)c : -1;
	case ENC_UCS4:
		if (left < 4)
			return -1;
		c = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
		*off += 4;
		return valid_code_point(c) ? (long)c : -1;
	case ENC_UTF8:
		/* RFC 3629: shortest form, no surrogates, up to U+10FFFF. */
		if (p[0] < 0x80) {
			*off += 1;
			return p[0];
		}
		if (p[0] >= 0xc2 && p[0] <= 0xdf) {
			n = 2; c = p[0] & 0x1f; min = 0x80;
		} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
			n = 3; c = p[0] & 0x0f; min = 0x800;
		} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
			n = 4; c = p[0] & 0x07; min = 0x10000;
		} else {
			return -1;
		}
		if (left < n)
			return -1;
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			c = c << 6 | (p[i] & 0x3f);
		}
		if (c < min || !valid_code_point(c))
			return -1;
		*off += n;
		return (long)c;
	default:
		return -1;
	}
}

/* Characters in s, or -1 when s does not decode. */
static long
count_chars(enum enc e, struct tlsplug__span s)
{
	size_t off = 0;
	long n = 0;

	while (off < s.len) {
		if (next_char(e, s, &off) < 0)
			return -1;
		n++;
	}
	return n;
}

/* One character of a value, RFC 4514 escapes applied. */
static void
put_char(struct out *o, uint32_t c, int first, int last)
{
	char u[4];

	if (c < 0x80) {
		char ch = (char)c;

		if ((c != 0 && strchr(",+\"\\<>;", (int)c) != NULL) ||
		    (first && (c == ' ' || c == '#')) || (last && c == ' ')) {
			put_str(o, "\\");
			put(o, &ch, 1);
		} else if (c < 0x20 || c == 0x7f) {
			put_str(o, "\\");
			put_hex(o, c);
		} else {
			put(o, &ch, 1);
		}
		return;
	}
	if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		put(o, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		put(o, u, 3);
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		put(o, u, 4);
	}
}

static void
put_atav(struct out *o, struct tlsplug__span type,
         const struct tlsplug__der_tlv *value)
{
	const char *sn = short_name(type);
	enum enc e = sn != NULL ? string_enc(value->tag) : ENC_NONE;
	long nchars = e != ENC_NONE ? count_chars(e, value->body) : -1;
	size_t off = 0;

	if (sn != NULL)
		put_str(o, sn);
	else
		put_oid(o, type);
	put_str(o, "=");
	if (nchars < 0) {
		put_str(o, "#");
		for (size_t i = 0; i < value->whole.len; i++)
			put_hex(o, value->whole.p[i]);
		return;
	}
	/* count_chars() has checked every character. */
	for (long i = 0; i < nchars; i++)
		put_char(o, (uint32_t)next_char(e, value->body, &off), i == 0,
		         i == nchars - 1);
}

/* Calls fn on each element of s (a SEQUENCE's or SET's checked contents),
 * last first.  Elements are found again from the front, a chunk at a
 * time, so a long list costs O(n^2 / CHUNK) reads and no allocation. */
#define REVERSE_CHUNK 64

static void
each_reverse(struct tlsplug__span s,
             void (*fn)(const struct tlsplug__der_tlv *, int first, void *),
             void *arg)
{
	struct tlsplug__der_tlv el[REVERSE_CHUNK], t;
	struct tlsplug__span in = s;
	size_t total = 0, end;

	while (in.len > 0 && tlsplug__der_read(&in, &t, NULL) == 0)
		total++;
	for (end = total; end > 0;) {
		size_t start = end > REVERSE_CHUNK ? end - REVERSE_CHUNK : 0;

		in = s;
		for (size_t i = 0; i < end; i++) {
			tlsplug__der_read(&in, &t, NULL);
			if (i >= start)
				el[i - start] = t;
		}
		for (size_t i = end; i-- > start;)
			fn(&el[i - start], i == total - 1, arg);
		end = start;
	}
}

static void
atav_fn(const struct tlsplug__der_tlv *a, int first, void *arg)
{
	struct out *o = arg;
	struct tlsplug__span in = a->whole, type;
	struct tlsplug__der_tlv value;

	if (!first)
		put_str(o, "+");
	if (atav_read(&in, &type, &value) == 0)
		put_atav(o, type, &value);
}

static void
rdn_fn(const struct tlsplug__der_tlv *rdn, int first, void *arg)
{
	struct out *o = arg;

	if (!first)
		put_str(o, ",");
	each_reverse(rdn->body, atav_fn, o);
}

int
tlsplug__name_text(struct tlsplug__span name, char *buf, size_t size)
{
	struct tlsplug__span in = name;
	struct tlsplug__der_tlv seq;
	struct out o = { buf, size, 0 };

	if (size > 0)
		buf[0] = '\0';
	if (name.p == NULL || tlsplug__der_expect(&in, SEQ, &seq) != 0 ||
	    in.len != 0 || !rdns_ok(seq.body))
		return -1;
	each_reverse(seq.body, rdn_fn, &o);
	if (size > 0)
		buf[o.n < size ? o.n : size - 1] = '\0';
	return o.n > INT_MAX ? -1 : (int)o.n;
}
