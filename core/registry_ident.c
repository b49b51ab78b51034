/*
 * registry_ident.c -- what the configuration files say about the peer's
 * identity (tlsplug.conf(5): `pin = HOST PINS`, `client_cert = MODE`), for
 * the programs that apply it.  The files were read and checked when the
 * registry was made (conffile.c); the user's file comes before the
 * system's.  Read-only after creation: no lock.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "registry.h"

/* The pin list conf gives for host (len bytes, no trailing dot), or NULL. */
static const char *
pins_in(const struct tlsplug__conf *conf, const char *host, size_t len)
{
	for (size_t i = 0; i < conf->npins; i++) {
		const char *h = conf->pins[i].host;
		size_t hl = strlen(h);

		if (hl > 1 && h[hl - 1] == '.')
			hl--;
		if (hl == len && strncasecmp(h, host, len) == 0)
			return conf->pins[i].pins.value;
	}
	return NULL;
}

const char *
tlsplug_registry_conf_pins(const struct tlsplug_registry *r, const char *host)
{
	const char *pins;
	size_t len;

	if (r == NULL || host == NULL || host[0] == '\0')
		return NULL;
	len = strlen(host);
	if (len > 1 && host[len - 1] == '.')
		len--;
	pins = pins_in(&r->user, host, len);
	return pins != NULL ? pins : pins_in(&r->system, host, len);
}

enum tlsplug_client_cert_mode
tlsplug_registry_conf_client_cert(const struct tlsplug_registry *r)
{
	enum tlsplug_client_cert_mode mode = TLSPLUG_CLIENT_CERT_AUTO;
	const char *v;

	if (r == NULL)
		return mode;
	v = r->user.client_cert.value != NULL ? r->user.client_cert.value :
	    r->system.client_cert.value;
	if (v != NULL && tlsplug_client_cert_mode_parse(v, &mode) != TLSPLUG_OK)
		mode = TLSPLUG_CLIENT_CERT_AUTO;   /* checked when read */
	return mode;
}
