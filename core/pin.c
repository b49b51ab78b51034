/*
 * pin.c -- public-key pins in curl's text form, "sha256//BASE64": the
 * SHA-256 hash of the certificate's SubjectPublicKeyInfo, base64 (RFC 4648
 * section 4, with padding).  Parsing gives one precise error per bad item;
 * the text form is also what mismatch messages show.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "peer.h"

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define PIN_PREFIX "sha256//"
#define PIN_PREFIX_LEN 8
#define PINS_MAX 1024        /* more than any sane list */

void
tlsplug__pin_text(const unsigned char hash[32], char *out)
{
	size_t o = 0;

	memcpy(out, PIN_PREFIX, PIN_PREFIX_LEN);
	o = PIN_PREFIX_LEN;
	for (size_t i = 0; i < 32; i += 3) {
		unsigned v = (unsigned)hash[i] << 16;
		size_t left = 32 - i;

		if (left > 1)
			v |= (unsigned)hash[i + 1] << 8;
		if (left > 2)
			v |= hash[i + 2];
		out[o++] = b64_chars[(v >> 18) & 63];
		out[o++] = b64_chars[(v >> 12) & 63];
		out[o++] = left > 1 ? b64_chars[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? b64_chars[v & 63] : '=';
	}
	out[o] = '\0';
}

static int
b64_value(char c)
{
	const char *p = c != '\0' ? strchr(b64_chars, c) : NULL;

	return p != NULL ? (int)(p - b64_chars) : -1;
}

/*
 * Decodes len base64 characters at s (padding '=' only at the end, length
 * a multiple of 4) into out (room for max bytes).  Returns the byte count,
 * -1 when it is not base64 (*bad: offset of the first wrong character),
 * or max + 1 when it decodes to more than max bytes.
 */
static long
b64_decode(const char *s, size_t len, unsigned char *out, size_t max,
           size_t *bad)
{
	size_t n = 0, pad = 0;

	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++) {
		if (b64_value(s[i]) < 0) {
			*bad = i;
			return -1;
		}
	}
	if (len == 0 || len % 4 != 0) {
		*bad = len;
		return -1;
	}
	for (size_t i = 0; i < len; i += 4) {
		int a = b64_value(s[i]), b = b64_value(s[i + 1]);
		int c = s[i + 2] == '=' ? 0 : b64_value(s[i + 2]);
		int d = s[i + 3] == '=' ? 0 : b64_value(s[i + 3]);
		size_t k = i + 4 < len ? 3 : 3 - pad;
		unsigned v;

		/* '=' inside the text, or "x=y=" shapes. */
		if (a < 0 || b < 0 || c < 0 || d < 0 ||
		    (s[i + 2] == '=' && s[i + 3] != '=')) {
			*bad = i;
			return -1;
		}
		v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 |
		    (unsigned)d;
		for (size_t j = 0; j < k; j++) {
			if (n == max)
				return (long)max + 1;
			out[n++] = (unsigned char)(v >> (16 - 8 * j));
		}
	}
	return (long)n;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parses one item [s, s + len) (blanks trimmed) into hash. */
static int
parse_one(const char *s, size_t len, size_t item, size_t nitems,
          unsigned char hash[32], struct tlsplug_error *e)
{
	unsigned char buf[33];
	char where[48] = "";
	size_t bad = 0;
	long n;

	if (nitems > 1)
		snprintf(where, sizeof(where), " (item %zu of the pin list)",
		         item);
	if (len == 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "pin list: item %zu is empty", item);
	if (len < PIN_PREFIX_LEN ||
	    strncmp(s, PIN_PREFIX, PIN_PREFIX_LEN) != 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "pin \"%.*s\"%s: not of the form sha256//BASE64 (a "
		    "SHA-256 hash of the public key, base64)",
		    len > 80 ? 80 : (int)len, s, where);
	if (len == PIN_PREFIX_LEN)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "pin \"%.*s\"%s: no hash after sha256//", (int)len, s,
		    where);
	n = b64_decode(s + PIN_PREFIX_LEN, len - PIN_PREFIX_LEN, buf,
	               sizeof(buf) - 1, &bad);
	if (n < 0)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "pin \"%.*s\"%s: not valid base64 (at character %zu "
		    "after sha256//)", len > 80 ? 80 : (int)len, s, where,
		    bad + 1);
	if (n != TLSPLUG__PIN_SIZE)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "pin \"%.*s\"%s: decodes to %s%ld bytes, a SHA-256 hash "
		    "is 32", len > 80 ? 80 : (int)len, s, where,
		    n > TLSPLUG__PIN_SIZE ? "more than " : "",
		    n > TLSPLUG__PIN_SIZE ? (long)TLSPLUG__PIN_SIZE : n);
	memcpy(hash, buf, TLSPLUG__PIN_SIZE);
	return TLSPLUG_OK;
}

int
tlsplug__pins_parse(const char *text, unsigned char (**hashes)[32],
                    size_t *n, struct tlsplug_error *e)
{
	unsigned char (*out)[32];
	size_t nitems = 1, item = 0;
	const char *p;

	*hashes = NULL;
	*n = 0;
	if (text == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "pin list is NULL");
	for (p = text; *p != '\0'; p++)
		if (*p == ',' || *p == ';')
			nitems++;
	if (nitems > PINS_MAX)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "pin list: %zu items, at most %d", nitems, PINS_MAX);
	p = text;
	while (is_blank(*p))
		p++;
	if (*p == '\0')
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "pin list is empty");
	out = tlsplug__calloc(nitems, sizeof(*out));
	if (out == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
		    "out of memory reading the pin list");
	for (p = text; item < nitems; item++) {
		const char *end = p + strcspn(p, ",;"), *s = p;
		size_t len;
		int rc;

		while (s < end && is_blank(*s))
			s++;
		len = (size_t)(end - s);
		while (len > 0 && is_blank(s[len - 1]))
			len--;
		rc = parse_one(s, len, item + 1, nitems, out[item], e);
		if (rc != TLSPLUG_OK) {
			tlsplug__free(out);
			return rc;
		}
		p = *end != '\0' ? end + 1 : end;
	}
	*hashes = out;
	*n = nitems;
	return TLSPLUG_OK;
}
