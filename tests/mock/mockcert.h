/*
 * mockcert.h -- builds the DER of a structurally valid X.509 certificate
 * (subject, SubjectPublicKeyInfo, subjectAltName DNS entries) for tests
 * that need the core to read a certificate but no engine to verify it: the
 * null-cipher mock engine's server identity, chains for the core's SNI
 * chain choice.  Nothing is signed; no engine ever sees these.
 *
 * Header-only (static functions) so that it builds into a test program and
 * into a mock plugin alike.
 */
#ifndef TLSPLUG_TESTS_MOCKCERT_H
#define TLSPLUG_TESTS_MOCKCERT_H

#include <stddef.h>
#include <string.h>

#define MOCKCERT_MAX 4096

/* Writes tag, DER length and n content bytes to out; returns the total. */
static size_t __attribute__((unused))
mockcert_tlv(unsigned char *out, unsigned tag, const void *content, size_t n)
{
	size_t h = 0;

	out[h++] = (unsigned char)tag;
	if (n < 0x80) {
		out[h++] = (unsigned char)n;
	} else if (n < 0x100) {
		out[h++] = 0x81;
		out[h++] = (unsigned char)n;
	} else {
		out[h++] = 0x82;
		out[h++] = (unsigned char)(n >> 8);
		out[h++] = (unsigned char)n;
	}
	memmove(out + h, content, n);
	return h + n;
}

/* One RDN: SET { SEQUENCE { OID 2.5.4.<attr>, UTF8String value } }. */
static size_t __attribute__((unused))
mockcert_rdn(unsigned char *out, unsigned attr, const char *value)
{
	unsigned char atv[MOCKCERT_MAX], seq[MOCKCERT_MAX];
	const unsigned char oid[] = { 0x55, 0x04, (unsigned char)attr };
	size_t n;

	n = mockcert_tlv(atv, 0x06, oid, sizeof(oid));
	n += mockcert_tlv(atv + n, 0x0c, value, strlen(value));
	n = mockcert_tlv(seq, 0x30, atv, n);
	return mockcert_tlv(out, 0x31, seq, n);
}

/*
 * The DER of a certificate for subject "CN=cn[,O=org]" (org may be NULL)
 * with DNS subjectAltNames dns[0..ndns) (none: no extension), into out
 * (MOCKCERT_MAX bytes).  Returns its length.
 */
static size_t __attribute__((unused))
mockcert_der(unsigned char *out, const char *cn, const char *org,
             const char *const *dns, size_t ndns)
{
	static const unsigned char version[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
	static const unsigned char serial[] = { 0x02, 0x01, 0x01 };
	/* AlgorithmIdentifier ecdsa-with-SHA256 */
	static const unsigned char alg[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a,
		0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
	static const unsigned char validity[] = { 0x30, 0x1e,
		0x17, 0x0d, '2', '5', '0', '1', '0', '1', '0', '0', '0', '0',
		'0', '0', 'Z',
		0x17, 0x0d, '3', '5', '0', '1', '0', '1', '0', '0', '0', '0',
		'0', '0', 'Z' };
	/* SubjectPublicKeyInfo: id-ecPublicKey, prime256v1, a point. */
	static const unsigned char spki_head[] = { 0x30, 0x59, 0x30, 0x13,
		0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
		0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
		0x03, 0x42, 0x00, 0x04 };
	static const unsigned char san_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
	unsigned char name[MOCKCERT_MAX], tbs[MOCKCERT_MAX], tmp[MOCKCERT_MAX];
	unsigned char names[MOCKCERT_MAX];
	size_t nl = 0, tl = 0, k, n;

	/* RFC 4514 text lists the last RDN first: O, then CN. */
	if (org != NULL)
		nl += mockcert_rdn(name + nl, 10, org);
	nl += mockcert_rdn(name + nl, 3, cn);
	memcpy(tbs + tl, version, sizeof(version));
	tl += sizeof(version);
	memcpy(tbs + tl, serial, sizeof(serial));
	tl += sizeof(serial);
	memcpy(tbs + tl, alg, sizeof(alg));
	tl += sizeof(alg);
	tl += mockcert_tlv(tbs + tl, 0x30, name, nl);      /* issuer */
	memcpy(tbs + tl, validity, sizeof(validity));
	tl += sizeof(validity);
	tl += mockcert_tlv(tbs + tl, 0x30, name, nl);      /* subject */
	memcpy(tbs + tl, spki_head, sizeof(spki_head));
	tl += sizeof(spki_head);
	for (k = 0; k < 64; k++)
		tbs[tl++] = (unsigned char)(k * 7 + 1);
	if (ndns > 0) {
		size_t gl = 0;

		for (k = 0; k < ndns; k++)
			gl += mockcert_tlv(names + gl, 0x82, dns[k],
			                   strlen(dns[k]));
		n = mockcert_tlv(tmp, 0x30, names, gl);        /* GeneralNames */
		n = mockcert_tlv(names, 0x04, tmp, n);         /* extnValue */
		memcpy(tmp, san_oid, sizeof(san_oid));
		memcpy(tmp + sizeof(san_oid), names, n);
		n = mockcert_tlv(names, 0x30, tmp, sizeof(san_oid) + n);
		n = mockcert_tlv(tmp, 0x30, names, n);         /* Extensions */
		tl += mockcert_tlv(tbs + tl, 0xa3, tmp, n);
	}
	n = mockcert_tlv(tmp, 0x30, tbs, tl);              /* tbsCertificate */
	memcpy(tmp + n, alg, sizeof(alg));
	n += sizeof(alg);
	/* signatureValue: a BIT STRING of 8 zero bytes (nothing checks it). */
	memcpy(tmp + n, "\x03\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00", 11);
	n += 11;
	return mockcert_tlv(out, 0x30, tmp, n);
}

#endif /* TLSPLUG_TESTS_MOCKCERT_H */
