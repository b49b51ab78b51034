/*
 * hostname.c -- server identity check by RFC 9525, the same on every engine.
 *
 * Names come from subjectAltName DNS and IP entries only (never the subject
 * CN).  DNS names compare case-blind as ASCII (IDNs must be A-labels); one
 * trailing dot is ignored on both sides.  A wildcard is allowed only as the
 * whole left-most label of a name with at least two more labels ("*.a.b"),
 * and matches exactly one non-empty label.  IP literals match IP entries
 * only, never DNS entries.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define HOST_MAX 253

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
equal_nocase(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) !=
		    ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* A DNS name we are willing to compare: printable ASCII without '*', no
 * empty label, no NUL.  len excludes any trailing dot. */
static int
plausible_name(const char *s, size_t len, int allow_star)
{
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f)
			return 0;
		if (c == '*' && !allow_star)
			return 0;
		if (c == '.' && i + 1 < len && s[i + 1] == '.')
			return 0;
	}
	return 1;
}

static int
count_labels(const char *s, size_t len)
{
	int n = 1;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '.')
			n++;
	return n;
}

/* Does the SAN DNS entry (pat, plen) match host (len, no trailing dot)? */
static int
match_dns(const char *host, size_t len, const char *pat, size_t plen)
{
	const char *dot;

	if (memchr(pat, '\0', plen) != NULL)
		return 0;
	if (plen > 0 && pat[plen - 1] == '.')
		plen--;
	if (!plausible_name(pat, plen, 1))
		return 0;
	if (memchr(pat, '*', plen) == NULL)
		return plen == len && equal_nocase(host, pat, len);

	/* Wildcard: "*" must be the whole left-most label and the only '*';
	 * at least two labels follow it. */
	if (plen < 2 || pat[0] != '*' || pat[1] != '.')
		return 0;
	if (memchr(pat + 1, '*', plen - 1) != NULL)
		return 0;
	if (count_labels(pat + 2, plen - 2) < 2)
		return 0;
	dot = memchr(host, '.', len);
	if (dot == NULL || dot == host)
		return 0;
	/* The rest of the host after its first label must equal the pattern
	 * after "*". */
	return (size_t)(host + len - dot) == plen - 1 &&
	       equal_nocase(dot, pat + 1, plen - 1);
}

int
tlsplug__match_hostname(const char *host, const struct tlsplug_san *sans,
                        size_t nsans)
{
	unsigned char ip[16];
	char buf[HOST_MAX + 3];
	size_t iplen = 0, len;

	if (host == NULL || (sans == NULL && nsans > 0))
		return 0;
	len = strlen(host);
	if (len == 0 || len > HOST_MAX + 2)
		return 0;

	/* IP literal?  "[::1]" is accepted as an IPv6 literal too. */
	memcpy(buf, host, len + 1);
	if (buf[0] == '[' && buf[len - 1] == ']') {
		buf[len - 1] = '\0';
		if (inet_pton(AF_INET6, buf + 1, ip) == 1)
			iplen = 16;
		else
			return 0;
	} else if (inet_pton(AF_INET, buf, ip) == 1) {
		iplen = 4;
	} else if (inet_pton(AF_INET6, buf, ip) == 1) {
		iplen = 16;
	}
	if (iplen != 0) {
		for (size_t i = 0; i < nsans; i++)
			if (sans[i].type == TLSPLUG_SAN_IP &&
			    sans[i].data != NULL && sans[i].len == iplen &&
			    memcmp(sans[i].data, ip, iplen) == 0)
				return 1;
		return 0;
	}

	if (host[len - 1] == '.')
		len--;
	if (len > HOST_MAX || !plausible_name(host, len, 0))
		return 0;
	/* "1.2.3.4." is still an address: never match it against names. */
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, ip) == 1)
		return 0;

	for (size_t i = 0; i < nsans; i++)
		if (sans[i].type == TLSPLUG_SAN_DNS && sans[i].data != NULL &&
		    match_dns(host, len, (const char *)sans[i].data,
		              sans[i].len))
			return 1;
	return 0;
}
