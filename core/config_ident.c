/*
 * config_ident.c -- the config settings about the peer's identity: SPKI
 * pins, the verify callback and the server's client-certificate mode.  Their
 * setters and accessors, their part of copy, hash and equality (config.c
 * calls these for the whole config), and the capability checks a context
 * makes before the plugin sees them.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "peer.h"

/* ---- copy, free, hash, equality -------------------------------------- */

int
tlsplug__ident_copy(struct tlsplug__ident *dst,
                    const struct tlsplug__ident *src)
{
	*dst = *src;
	dst->pins = NULL;
	dst->npins = 0;
	if (src->npins == 0)
		return TLSPLUG_OK;
	dst->pins = tlsplug__calloc(src->npins, sizeof(*dst->pins));
	if (dst->pins == NULL)
		return TLSPLUG_ERR_NOMEM;
	memcpy(dst->pins, src->pins, src->npins * sizeof(*dst->pins));
	dst->npins = src->npins;
	return TLSPLUG_OK;
}

void
tlsplug__ident_free(struct tlsplug__ident *s)
{
	tlsplug__free(s->pins);
	s->pins = NULL;
	s->npins = 0;
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

uint64_t
tlsplug__ident_hash(uint64_t h, const struct tlsplug__ident *s)
{
	size_t mode = (size_t)s->client_cert;

	h = fnv(h, &s->npins, sizeof(s->npins));
	if (s->npins > 0)
		h = fnv(h, s->pins, s->npins * sizeof(*s->pins));
	h = fnv(h, &s->verify_cb, sizeof(s->verify_cb));
	h = fnv(h, &s->verify_data, sizeof(s->verify_data));
	return fnv(h, &mode, sizeof(mode));
}

int
tlsplug__ident_equal(const struct tlsplug__ident *a,
                     const struct tlsplug__ident *b)
{
	return a->npins == b->npins && a->verify_cb == b->verify_cb &&
	       a->verify_data == b->verify_data &&
	       a->client_cert == b->client_cert &&
	       (a->npins == 0 ||
	        memcmp(a->pins, b->pins, a->npins * sizeof(*a->pins)) == 0);
}

/* ---- client-certificate mode ----------------------------------------- */

static const char *const mode_names[] = {
	[TLSPLUG_CLIENT_CERT_AUTO] = "auto",
	[TLSPLUG_CLIENT_CERT_NONE] = "none",
	[TLSPLUG_CLIENT_CERT_REQUEST] = "request",
	[TLSPLUG_CLIENT_CERT_REQUIRE] = "require",
};
#define NMODES (sizeof(mode_names) / sizeof(mode_names[0]))

const char *
tlsplug_client_cert_mode_name(enum tlsplug_client_cert_mode mode)
{
	return (unsigned)mode < NMODES ? mode_names[mode] : NULL;
}

int
tlsplug_client_cert_mode_parse(const char *text,
                               enum tlsplug_client_cert_mode *out)
{
	if (text == NULL || out == NULL)
		return TLSPLUG_ERR_INVALID;
	for (size_t i = 0; i < NMODES; i++) {
		if (strcasecmp(text, mode_names[i]) == 0) {
			*out = (enum tlsplug_client_cert_mode)i;
			return TLSPLUG_OK;
		}
	}
	return TLSPLUG_ERR_INVALID;
}

enum tlsplug_client_cert_mode
tlsplug__ident_effective(const struct tlsplug__ident *s, int validate,
                         int trust_explicit)
{
	if (s->client_cert != TLSPLUG_CLIENT_CERT_AUTO)
		return s->client_cert;
	/* The rule of tlsplug 0.1. */
	return validate && trust_explicit ? TLSPLUG_CLIENT_CERT_REQUIRE :
	                                    TLSPLUG_CLIENT_CERT_NONE;
}

int
tlsplug__ident_check(const struct tlsplug__ident *s, int validate,
                     struct tlsplug_error *e)
{
	if (!validate && (s->client_cert == TLSPLUG_CLIENT_CERT_REQUEST ||
	                  s->client_cert == TLSPLUG_CLIENT_CERT_REQUIRE))
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "client certificate mode \"%s\" verifies the client's "
		    "certificate, but certificate validation is off "
		    "(insecure_no_validation)",
		    tlsplug_client_cert_mode_name(s->client_cert));
	return TLSPLUG_OK;
}

int
tlsplug__ident_check_caps(const struct tlsplug_backend *b,
                          enum tlsplug_role role,
                          const struct tlsplug_config *config,
                          struct tlsplug_error *e)
{
	const struct tlsplug__ident *s = tlsplug__config_ident(config);
	const struct tlsplug_bconfig *v = tlsplug__config_bview(config);
	uint64_t caps = b->d->caps;

	if (s->npins > 0 && !(caps & TLSPLUG_CAP_PINNING))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support public-key pins (%zu "
		    "pin%s set)", b->name, s->npins, s->npins > 1 ? "s" : "");
	if (s->verify_cb != NULL && !(caps & TLSPLUG_CAP_VERIFY_CALLBACK))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support a verify callback", b->name);
	if (role == TLSPLUG_SERVER &&
	    v->client_cert == TLSPLUG_CLIENT_CERT_REQUEST &&
	    !(caps & TLSPLUG_CAP_OPTIONAL_CLIENT_CERT))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s cannot request a client certificate without "
		    "requiring one (client certificate mode \"request\")",
		    b->name);
	return TLSPLUG_OK;
}

/* ---- setters and accessors ------------------------------------------- */

int
tlsplug_config_builder_add_pins(struct tlsplug_config_builder *b,
                                const char *pins)
{
	struct tlsplug__ident *s;
	unsigned char (*add)[32], (*all)[32];
	size_t n;
	int rc;

	if (b == NULL)
		return TLSPLUG_ERR_MISUSE;
	s = tlsplug__builder_ident(b);
	rc = tlsplug__pins_parse(pins, &add, &n, tlsplug__builder_error(b));
	if (rc != TLSPLUG_OK)
		return rc;
	all = tlsplug__realloc(s->pins, (s->npins + n) * sizeof(*all));
	if (all == NULL) {
		tlsplug__free(add);
		return tlsplug__error_set(tlsplug__builder_error(b),
		    TLSPLUG_ERR_NOMEM, "out of memory setting pins");
	}
	memcpy(all + s->npins, add, n * sizeof(*all));
	tlsplug__free(add);
	s->pins = all;
	s->npins += n;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_add_pin_sha256(struct tlsplug_config_builder *b,
                                      const unsigned char hash[32])
{
	char text[TLSPLUG__PIN_TEXT_SIZE];

	if (b == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (hash == NULL)
		return tlsplug__error_set(tlsplug__builder_error(b),
		    TLSPLUG_ERR_INVALID, "pin: the hash is NULL");
	tlsplug__pin_text(hash, text);
	return tlsplug_config_builder_add_pins(b, text);
}

int
tlsplug_config_builder_clear_pins(struct tlsplug_config_builder *b)
{
	if (b == NULL)
		return TLSPLUG_ERR_MISUSE;
	tlsplug__ident_free(tlsplug__builder_ident(b));
	return TLSPLUG_OK;
}

size_t
tlsplug_config_pins(const struct tlsplug_config *c,
                    const unsigned char (**hashes)[32])
{
	const struct tlsplug__ident *s =
	    c != NULL ? tlsplug__config_ident(c) : NULL;

	if (hashes != NULL)
		*hashes = s != NULL ?
		    (const unsigned char (*)[32])s->pins : NULL;
	return s != NULL ? s->npins : 0;
}

int
tlsplug_config_builder_set_verify_callback(struct tlsplug_config_builder *b,
                                           tlsplug_verify_cb cb,
                                           void *user_data)
{
	struct tlsplug__ident *s;

	if (b == NULL)
		return TLSPLUG_ERR_MISUSE;
	s = tlsplug__builder_ident(b);
	s->verify_cb = cb;
	s->verify_data = cb != NULL ? user_data : NULL;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_client_cert_mode(struct tlsplug_config_builder *b,
	enum tlsplug_client_cert_mode mode)
{
	if (b == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (tlsplug_client_cert_mode_name(mode) == NULL)
		return tlsplug__error_set(tlsplug__builder_error(b),
		    TLSPLUG_ERR_INVALID, "client certificate mode: %d is "
		    "not a mode", (int)mode);
	tlsplug__builder_ident(b)->client_cert = mode;
	return TLSPLUG_OK;
}

enum tlsplug_client_cert_mode
tlsplug_config_client_cert_mode(const struct tlsplug_config *c)
{
	return c == NULL ? TLSPLUG_CLIENT_CERT_AUTO :
	    tlsplug__config_ident(c)->client_cert;
}

enum tlsplug_client_cert_mode
tlsplug_config_client_cert_effective(const struct tlsplug_config *c)
{
	return c == NULL ? TLSPLUG_CLIENT_CERT_NONE :
	    tlsplug__config_bview(c)->client_cert;
}
