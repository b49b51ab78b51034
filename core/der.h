/*
 * der.h -- the core's one reader of DER (X.690) tag-length-value elements.
 *
 * Everything in the core that looks inside DER (certificates in x509.c, the
 * framing check of certificate and key handles in handles.c) reads it with
 * tlsplug__der_read(), so the rules below hold everywhere:
 *
 * - Tags: one identifier octet (class, constructed bit, tag number 0..30).
 *   The high-tag-number form (number 31 and up) is refused: nothing the core
 *   reads uses it.
 * - Lengths: the definite form only, in at most 4 length octets (so at most
 *   4 GiB - 1).  The indefinite form (BER, 0x80) is refused.
 * - Non-minimal lengths (the long form for a length below 128, or leading
 *   zero octets) are accepted, although DER forbids them: OpenSSL and GnuTLS
 *   accept such certificates (`openssl x509` and `certtool -i` both read
 *   them, and the signature covers the bytes as sent), and the core must not
 *   refuse a certificate the engine has just validated.  The length read is
 *   the same either way, so no ambiguity follows from it.  OpenSSL 3.0
 *   goes further and also reads more than 4 length octets (leading zeros)
 *   and the indefinite form in a certificate; those are BER, no CA issues
 *   them, and the core refuses them.
 * - Every element must fit in what encloses it: reading never goes past the
 *   span it is given.
 */
#ifndef TLSPLUG_CORE_DER_H
#define TLSPLUG_CORE_DER_H

#include <stddef.h>

/* A span of bytes inside a caller's buffer. */
struct tlsplug__span {
	const unsigned char *p;
	size_t len;
};

/* Identifier octets the core uses (universal class unless said). */
enum {
	TLSPLUG__DER_BOOLEAN = 0x01,
	TLSPLUG__DER_INTEGER = 0x02,
	TLSPLUG__DER_BIT_STRING = 0x03,
	TLSPLUG__DER_OCTET_STRING = 0x04,
	TLSPLUG__DER_OID = 0x06,
	TLSPLUG__DER_SEQUENCE = 0x30,
	TLSPLUG__DER_SET = 0x31,
	TLSPLUG__DER_CONSTRUCTED = 0x20,   /* bit of a constructed element */
	TLSPLUG__DER_CONTEXT = 0x80,       /* context-specific class, [n] */
};

/* One element as read: its identifier octet, the whole TLV and its
 * contents (both inside the caller's buffer). */
struct tlsplug__der_tlv {
	unsigned char tag;
	struct tlsplug__span whole;
	struct tlsplug__span body;
};

/* Results of tlsplug__der_read(). */
enum {
	TLSPLUG__DER_OK = 0,
	TLSPLUG__DER_SHORT = -1,   /* the element runs past the span's end */
	TLSPLUG__DER_BAD = -2,     /* an encoding the reader refuses (above) */
};

/*
 * Reads the element at the front of *in into *out and moves *in past it.
 * Returns TLSPLUG__DER_OK, or TLSPLUG__DER_SHORT / TLSPLUG__DER_BAD with
 * *why set to a static one-line reason ("truncated DER element",
 * "indefinite DER length", ...) and *in unchanged.  An empty span is
 * TLSPLUG__DER_SHORT.  why may be NULL.
 */
int tlsplug__der_read(struct tlsplug__span *in, struct tlsplug__der_tlv *out,
                      const char **why);

/*
 * Reads the element at the front of *in, as tlsplug__der_read(), and
 * requires its identifier octet to be `tag`.  Returns 0, or -1 (*in
 * unchanged) when the element cannot be read or has another tag.
 */
int tlsplug__der_expect(struct tlsplug__span *in, unsigned char tag,
                        struct tlsplug__der_tlv *out);

#endif
