/*
 * alpn.c -- the server's ALPN choice (RFC 7301), made once here for every
 * engine: the first protocol of the server's list that the client offers;
 * when none is, a fatal no_application_protocol alert (section 3.2) or,
 * if the config says so, no ALPN at all.  Also the names of the mismatch
 * rule and its value from the configuration files.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "registry.h"

static const char *const mismatch_names[] = { "auto", "alert", "continue" };
#define NMISMATCH (sizeof(mismatch_names) / sizeof(mismatch_names[0]))

const char *
tlsplug_alpn_mismatch_name(enum tlsplug_alpn_mismatch mode)
{
	return (unsigned)mode < NMISMATCH ? mismatch_names[mode] : NULL;
}

int
tlsplug_alpn_mismatch_parse(const char *text, enum tlsplug_alpn_mismatch *out)
{
	if (text == NULL || out == NULL)
		return TLSPLUG_ERR_INVALID;
	for (size_t i = 0; i < NMISMATCH; i++) {
		if (strcasecmp(text, mismatch_names[i]) == 0) {
			*out = (enum tlsplug_alpn_mismatch)i;
			return TLSPLUG_OK;
		}
	}
	return TLSPLUG_ERR_INVALID;
}

void
tlsplug__alpn_mismatch_resolve(const struct tlsplug_registry *r,
                               struct tlsplug_bconfig *v)
{
	enum tlsplug_alpn_mismatch m = TLSPLUG_ALPN_MISMATCH_AUTO;
	const char *s = NULL;

	if (v->alpn_mismatch != TLSPLUG_ALPN_MISMATCH_AUTO)
		return;
	if (r != NULL)
		s = r->user.alpn_mismatch.value != NULL ?
		    r->user.alpn_mismatch.value : r->system.alpn_mismatch.value;
	/* The value was checked when the file was read. */
	if (s == NULL || tlsplug_alpn_mismatch_parse(s, &m) != TLSPLUG_OK ||
	    m == TLSPLUG_ALPN_MISMATCH_AUTO)
		m = TLSPLUG_ALPN_MISMATCH_ALERT;
	v->alpn_mismatch = m;
}

/* Does the well-formed list (wire format) hold name (len bytes)?  Returns
 * where in the list, or NULL. */
static const unsigned char *
find(const unsigned char *list, size_t list_len, const unsigned char *name,
     size_t len)
{
	size_t off = 0;

	while (off < list_len) {
		size_t l = list[off];

		if (l == len && memcmp(list + off + 1, name, l) == 0)
			return list + off + 1;
		off += 1 + l;
	}
	return NULL;
}

/* Writes the offer, comma-separated, into buf (for the message). */
static void
describe(const unsigned char *offer, size_t len, char *buf, size_t size)
{
	size_t off = 0, n = 0;

	buf[0] = '\0';
	while (off < len && n + 1 < size) {
		size_t l = offer[off];
		int w = snprintf(buf + n, size - n, "%s%.*s", n > 0 ? "," : "",
		                 (int)l, (const char *)offer + off + 1);

		if (w < 0)
			break;
		n += (size_t)w;
		off += 1 + l;
	}
	if (n >= size)
		memcpy(buf + size - 4, "...", 4);
}

int
tlsplug__alpn_select(const struct tlsplug_bconfig *cfg,
                     const unsigned char *offer, size_t offer_len,
                     const unsigned char **out, size_t *out_len,
                     struct tlsplug_error *err)
{
	char offered[160];
	size_t off, i;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (cfg == NULL || out == NULL || out_len == NULL ||
	    (offer == NULL && offer_len > 0))
		return tlsplug__error_set_owner(err, TLSPLUG_ERR_INVALID, 0,
		    "alpn_select: NULL argument");
	/* RFC 7301 3.1: a list of one or more non-empty names. */
	for (off = 0; off < offer_len; off += 1 + (size_t)offer[off])
		if (offer[off] == 0 || off + 1 + offer[off] > offer_len)
			return tlsplug__error_set_owner(err,
			    TLSPLUG_ERR_PROTOCOL, 0, "the client's ALPN "
			    "extension is malformed");
	if (cfg->nalpn == 0 || cfg->alpn_wire == NULL || offer_len == 0)
		return TLSPLUG_OK;
	for (i = 0; i < cfg->alpn_wire_len; i += 1 + (size_t)cfg->alpn_wire[i]) {
		const unsigned char *p = find(offer, offer_len,
		                              cfg->alpn_wire + i + 1,
		                              cfg->alpn_wire[i]);

		if (p != NULL) {
			*out = p;
			*out_len = cfg->alpn_wire[i];
			return TLSPLUG_OK;
		}
	}
	if (cfg->alpn_mismatch == TLSPLUG_ALPN_MISMATCH_CONTINUE)
		return TLSPLUG_OK;
	describe(offer, offer_len, offered, sizeof(offered));
	return tlsplug__error_set_owner(err, TLSPLUG_ERR_NO_SHARED_ALPN, 0,
	    "no ALPN protocol in common: the client offers %s, this server "
	    "has %s%s (alpn_mismatch = alert; sent no_application_protocol)",
	    offered, cfg->alpn[0], cfg->nalpn > 1 ? ", ..." : "");
}
