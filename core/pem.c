/* pem.c -- PEM framing and base64 decoding (rules in pem.h). */
#include "config.h"

#include <string.h>

#include "internal.h"
#include "pem.h"

#define BEGIN "-----BEGIN "
#define END "-----END "
#define DASHES "-----"
#define LABEL_MAX 64

static int
bad(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return TLSPLUG__PEM_BAD;
}

/* Value of a base64 digit, -1 for '=', -2 for anything else. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return c == '=' ? -1 : -2;
}

int
tlsplug__pem_block(const char *text, size_t len, size_t *pos, int headers,
                   struct tlsplug__pem_block *b, const char **why)
{
	const char *end = text + len, *p, *label, *dashes, *q;
	size_t n;
	int in_headers = 1;

	if (*pos >= len)
		return TLSPLUG__PEM_NONE;
	p = memmem(text + *pos, len - *pos, BEGIN, sizeof(BEGIN) - 1);
	if (p == NULL)
		return TLSPLUG__PEM_NONE;
	label = p + sizeof(BEGIN) - 1;
	dashes = memmem(label, (size_t)(end - label), DASHES,
	                sizeof(DASHES) - 1);
	if (dashes == NULL ||
	    memchr(label, '\n', (size_t)(dashes - label)) != NULL)
		return bad(why, "malformed BEGIN line");
	n = (size_t)(dashes - label);
	if (n == 0 || n > LABEL_MAX)
		return bad(why, "malformed BEGIN line");
	q = memchr(dashes, '\n', (size_t)(end - dashes));
	if (q == NULL)
		return bad(why, "missing END line");
	q++;
	b->label = label;
	b->label_len = n;
	b->body = q;
	b->b64_chars = 0;
	b->encrypted = 0;
	/* Body lines until the END line. */
	for (;;) {
		const char *eol = memchr(q, '\n', (size_t)(end - q));
		size_t ll = eol != NULL ? (size_t)(eol - q) : (size_t)(end - q);

		if (ll > 0 && q[ll - 1] == '\r')
			ll--;
		if (ll >= sizeof(END) - 1 &&
		    memcmp(q, END, sizeof(END) - 1) == 0) {
			const char *l = q + sizeof(END) - 1;

			if (ll != sizeof(END) - 1 + n + sizeof(DASHES) - 1 ||
			    memcmp(l, label, n) != 0 ||
			    memcmp(l + n, DASHES, sizeof(DASHES) - 1) != 0)
				return bad(why,
				           "END line does not match BEGIN");
			b->body_len = (size_t)(q - b->body);
			*pos = (size_t)(q + ll - text);
			break;
		}
		if (ll >= sizeof(BEGIN) - 1 &&
		    memcmp(q, BEGIN, sizeof(BEGIN) - 1) == 0)
			return bad(why, "missing END line");
		if (headers && in_headers && memchr(q, ':', ll) != NULL) {
			if (ll >= 22 &&
			    memcmp(q, "Proc-Type: 4,ENCRYPTED", 22) == 0)
				b->encrypted = 1;
			b->body = eol != NULL ? eol + 1 : end;
		} else {
			for (size_t i = 0; i < ll; i++) {
				unsigned char c = (unsigned char)q[i];

				if (c == ' ' || c == '\t')
					continue;
				if (b64_value(c) == -2)
					return bad(why, "invalid base64 data");
				b->b64_chars++;
			}
			if (ll > 0)
				in_headers = 0;
		}
		if (eol == NULL)
			return bad(why, "missing END line");
		q = eol + 1;
	}
	if (b->b64_chars == 0)
		return bad(why, "empty PEM block");
	return TLSPLUG__PEM_FOUND;
}

/* Decodes a framed body whose base64 is a multiple of 4 characters into
 * out (room for b64_chars / 4 * 3 bytes). */
static int
decode(const struct tlsplug__pem_block *b, unsigned char *out,
       size_t *out_len, const char **why)
{
	unsigned acc = 0;
	size_t k = 0, n = 0, pad = 0;

	for (size_t i = 0; i < b->body_len; i++) {
		int v = b64_value((unsigned char)b->body[i]);

		if (v == -2)
			continue;       /* blanks and line breaks (framed) */
		if (v == -1) {
			/* '=' only in the last two places. */
			if (n + 2 < b->b64_chars)
				return bad(why,
				           "base64 padding inside the data");
			pad++;
			n++;
			continue;
		}
		if (pad > 0)
			return bad(why, "base64 padding inside the data");
		acc = (acc << 6) | (unsigned)v;
		n++;
		if (n % 4 == 0) {
			out[k++] = (unsigned char)(acc >> 16);
			out[k++] = (unsigned char)(acc >> 8);
			out[k++] = (unsigned char)acc;
			acc = 0;
		}
	}
/* A final quantum with padding: 2 digits give 1 byte, 3 give 2. */
	if (pad == 2) {
		out[k++] = (unsigned char)(acc >> 4);
	} else if (pad == 1) {
		out[k++] = (unsigned char)(acc >> 10);
		out[k++] = (unsigned char)(acc >> 2);
	}
	*out_len = k;
	return TLSPLUG__PEM_FOUND;
}

int
tlsplug__pem_next(const char *text, size_t len, size_t *pos,
                  const char *label, unsigned char **der, size_t *der_len,
                  const char **why)
{
	struct tlsplug__pem_block b;
	size_t at = *pos, want = strlen(label);
	unsigned char *out;
	int rc;

	*der = NULL;
	*der_len = 0;
	do {
		rc = tlsplug__pem_block(text, len, &at, 1, &b, why);
		if (rc != TLSPLUG__PEM_FOUND)
			return rc;
	} while (b.label_len != want || memcmp(b.label, label, want) != 0);
	if (b.b64_chars % 4 != 0)
		return bad(why,
		           "base64 data is not a multiple of 4 characters");
	out = tlsplug__malloc(b.b64_chars / 4 * 3);
	if (out == NULL)
		return TLSPLUG__PEM_NOMEM;
	rc = decode(&b, out, der_len, why);
	if (rc != TLSPLUG__PEM_FOUND) {
		tlsplug__free(out);
		*der_len = 0;
		return rc;
	}
	*der = out;
	*pos = at;
	return TLSPLUG__PEM_FOUND;
}
