/* der.c -- the core's DER element reader (rules in der.h). */
#include "config.h"

#include "der.h"

static int
fail(int rc, const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return rc;
}

int
tlsplug__der_read(struct tlsplug__span *in, struct tlsplug__der_tlv *out,
                  const char **why)
{
	const unsigned char *p = in->p;
	size_t avail = in->len, hdr, len;

	if (avail < 2)
		return fail(TLSPLUG__DER_SHORT, why, "truncated DER element");
	if ((p[0] & 0x1f) == 0x1f)
		return fail(TLSPLUG__DER_BAD, why,
		            "high-tag-number DER form");
	if (p[1] < 0x80) {
		hdr = 2;
		len = p[1];
	} else {
		size_t nb = p[1] & 0x7f;

		if (nb == 0)
			return fail(TLSPLUG__DER_BAD, why,
			            "indefinite DER length");
		if (nb > 4)
			return fail(TLSPLUG__DER_BAD, why,
			            "DER length of more than 4 bytes");
		if (avail - 2 < nb)
			return fail(TLSPLUG__DER_SHORT, why,
			            "truncated DER element");
		/* Leading zero octets are accepted (see der.h). */
		len = 0;
		for (size_t i = 0; i < nb; i++)
			len = (len << 8) | p[2 + i];
		hdr = 2 + nb;
	}
	if (len > avail - hdr)
		return fail(TLSPLUG__DER_SHORT, why, "truncated DER element");
	out->tag = p[0];
	out->whole.p = p;
	out->whole.len = hdr + len;
	out->body.p = p + hdr;
	out->body.len = len;
	in->p += hdr + len;
	in->len -= hdr + len;
	return TLSPLUG__DER_OK;
}

int
tlsplug__der_expect(struct tlsplug__span *in, unsigned char tag,
                    struct tlsplug__der_tlv *out)
{
	struct tlsplug__span save = *in;

	if (tlsplug__der_read(in, out, NULL) != TLSPLUG__DER_OK)
		return -1;
	if (out->tag != tag) {
		*in = save;
		return -1;
	}
	return 0;
}
