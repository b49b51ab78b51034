/*
 * session_config.c -- the session settings of configs: builder setters,
 * copy / compare / hash for config.c, and at context creation the
 * effective values (the config's, else the config files', else the
 * built-in defaults) with the client's cache and a key file's key.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conffile.h"
#include "internal.h"
#include "registry.h"
#include "session.h"

/* ---- settings -------------------------------------------------------- */

int
tlsplug__sess_settings_copy(struct tlsplug__sess_settings *dst,
                            const struct tlsplug__sess_settings *src)
{
	*dst = *src;
	dst->key = NULL;
	if (src->key != NULL) {
		dst->key = tlsplug__malloc(TLSPLUG_TICKET_KEY_SIZE);
		if (dst->key == NULL)
			return TLSPLUG_ERR_NOMEM;
		memcpy(dst->key, src->key, TLSPLUG_TICKET_KEY_SIZE);
	}
	return TLSPLUG_OK;
}

void
tlsplug__sess_settings_free(struct tlsplug__sess_settings *s)
{
	if (s->key != NULL)
		memset(s->key, 0, TLSPLUG_TICKET_KEY_SIZE);
	tlsplug__free(s->key);
	s->key = NULL;
}

bool
tlsplug__sess_settings_equal(const struct tlsplug__sess_settings *a,
                             const struct tlsplug__sess_settings *b)
{
	if (a->cache != b->cache || a->tickets != b->tickets ||
	    a->lifetime != b->lifetime || (a->key == NULL) != (b->key == NULL))
		return false;
	return a->key == NULL ||
	    memcmp(a->key, b->key, TLSPLUG_TICKET_KEY_SIZE) == 0;
}

uint64_t
tlsplug__sess_settings_hash(uint64_t h, const struct tlsplug__sess_settings *s)
{
	const long v[4] = { s->cache, s->tickets, s->lifetime,
	                    s->key != NULL };
	const unsigned char *p = (const unsigned char *)v;

	/* FNV-1a, as config.c; the key's bytes stay out of the hash. */
	for (size_t i = 0; i < sizeof(v); i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

void
tlsplug__sess_settings_view(const struct tlsplug__sess_settings *s,
                            struct tlsplug_bconfig *v)
{
	v->session_tickets = s->tickets != 0;
	v->ticket_key = s->key;
	v->ticket_key_len = s->key != NULL ? TLSPLUG_TICKET_KEY_SIZE : 0;
	v->ticket_lifetime = s->lifetime > 0 ? (uint32_t)s->lifetime :
	    TLSPLUG__TICKET_LIFETIME_DEFAULT;
}

/* ---- setters --------------------------------------------------------- */

int
tlsplug_config_builder_set_session_cache(struct tlsplug_config_builder *b,
                                         size_t max_names)
{
	struct tlsplug_error *e;
	struct tlsplug__sess_settings *s = tlsplug__builder_sess(b, &e);

	if (s == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (max_names > 1000000)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "session cache: %zu names is more than 1000000",
		    max_names);
	s->cache = (long)max_names;
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_session_tickets(struct tlsplug_config_builder *b,
                                           int enabled)
{
	struct tlsplug_error *e;
	struct tlsplug__sess_settings *s = tlsplug__builder_sess(b, &e);

	if (s == NULL)
		return TLSPLUG_ERR_MISUSE;
	s->tickets = enabled != 0;
	return TLSPLUG_OK;
}

static int
set_key(struct tlsplug__sess_settings *s, struct tlsplug_error *e,
        const unsigned char *key)
{
	if (key == NULL) {
		tlsplug__sess_settings_free(s);
		return TLSPLUG_OK;
	}
	if (s->key == NULL) {
		s->key = tlsplug__malloc(TLSPLUG_TICKET_KEY_SIZE);
		if (s->key == NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			    "ticket key: out of memory");
	}
	memcpy(s->key, key, TLSPLUG_TICKET_KEY_SIZE);
	return TLSPLUG_OK;
}

int
tlsplug_config_builder_set_ticket_key(struct tlsplug_config_builder *b,
                                      const void *key, size_t len)
{
	struct tlsplug_error *e;
	struct tlsplug__sess_settings *s = tlsplug__builder_sess(b, &e);

	if (s == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (key == NULL && len == 0)
		return set_key(s, e, NULL);
	if (key == NULL || len != TLSPLUG_TICKET_KEY_SIZE)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "ticket key: %zu bytes, expected %d", len,
		    TLSPLUG_TICKET_KEY_SIZE);
	return set_key(s, e, key);
}

int
tlsplug_config_builder_set_ticket_key_file(struct tlsplug_config_builder *b,
                                           const char *path)
{
	struct tlsplug_error *e;
	struct tlsplug__sess_settings *s = tlsplug__builder_sess(b, &e);
	unsigned char key[TLSPLUG_TICKET_KEY_SIZE];
	int rc;

	if (s == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (path == NULL)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		                          "ticket key file: path is NULL");
	rc = tlsplug__ticket_key_read(path, NULL, key, e);
	if (rc == TLSPLUG_OK)
		rc = set_key(s, e, key);
	memset(key, 0, sizeof(key));
	return rc;
}

int
tlsplug_config_builder_set_ticket_lifetime(struct tlsplug_config_builder *b,
                                           uint32_t seconds)
{
	struct tlsplug_error *e;
	struct tlsplug__sess_settings *s = tlsplug__builder_sess(b, &e);

	if (s == NULL)
		return TLSPLUG_ERR_MISUSE;
	if (seconds == 0 || seconds > TLSPLUG__TICKET_LIFETIME_MAX)
		return tlsplug__error_set(e, TLSPLUG_ERR_INVALID,
		    "ticket lifetime %u s is out of range (1 to %u)",
		    (unsigned)seconds, TLSPLUG__TICKET_LIFETIME_MAX);
	s->lifetime = (long)seconds;
	return TLSPLUG_OK;
}

/* ---- at context creation --------------------------------------------- */

/* The effective config file entry for key: the user's file beats the
 * system's.  NULL when neither sets it (or there is no registry). */
static const struct tlsplug__conf_entry *
conf_value(const struct tlsplug_backend *b, size_t off)
{
	const struct tlsplug__conf_entry *u, *sys;

	if (b->registry == NULL)
		return NULL;
	u = (const struct tlsplug__conf_entry *)
	    ((const char *)&b->registry->user + off);
	sys = (const struct tlsplug__conf_entry *)
	    ((const char *)&b->registry->system + off);
	if (u->value != NULL)
		return u;
	return sys->value != NULL ? sys : NULL;
}

#define CONF(b, member) conf_value(b, offsetof(struct tlsplug__conf, member))

int
tlsplug__ctx_sess_setup(const struct tlsplug_backend *b,
                        enum tlsplug_role role,
                        const struct tlsplug_config *config,
                        struct tlsplug_bconfig *bcfg,
                        struct tlsplug__ctx_sess *out,
                        struct tlsplug_error *e)
{
	const struct tlsplug__sess_settings *s = tlsplug__config_sess(config);
	const struct tlsplug__conf_entry *ce;
	bool sessions = (b->d->caps & TLSPLUG_CAP_SESSIONS) != 0;
	long cache = s->cache;

	memset(out, 0, sizeof(*out));
	if (role == TLSPLUG_CLIENT) {
		bcfg->session_tickets = 0;
		bcfg->ticket_key = NULL;
		bcfg->ticket_key_len = 0;
		if (cache < 0) {
			ce = CONF(b, session_cache);
			cache = ce != NULL ? tlsplug__conf_session_cache(
			    ce->value, strlen(ce->value)) : -1;
		}
		if (cache < 0)
			cache = TLSPLUG_SESSION_CACHE_DEFAULT;
		if (cache > 0 && sessions) {
			out->cache = tlsplug__sess_cache_new((size_t)cache);
			if (out->cache == NULL)
				return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
				    "out of memory (session cache)");
		}
		return TLSPLUG_OK;
	}

	if (s->key != NULL && !sessions)
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support session resumption (ticket "
		    "key)", b->name);
	if (!sessions) {
		/* The default (tickets on) needs nothing of a backend that
		 * cannot: it then simply issues none. */
		bcfg->session_tickets = 0;
		return TLSPLUG_OK;
	}
	if (s->lifetime < 0 && (ce = CONF(b, ticket_lifetime)) != NULL) {
		long v = tlsplug__conf_ticket_lifetime(ce->value,
		                                       strlen(ce->value));

		if (v > 0)
			bcfg->ticket_lifetime = (uint32_t)v;
	}
	if (s->key == NULL && bcfg->session_tickets &&
	    (ce = CONF(b, ticket_key_file)) != NULL) {
		char where[300];
		int rc;

		out->key = tlsplug__malloc(TLSPLUG_TICKET_KEY_SIZE);
		if (out->key == NULL)
			return tlsplug__error_set(e, TLSPLUG_ERR_NOMEM,
			    "out of memory (ticket key)");
		snprintf(where, sizeof(where), "%s: ticket_key_file",
		         ce->source);
		rc = tlsplug__ticket_key_read(ce->value, where, out->key, e);
		if (rc != TLSPLUG_OK) {
			tlsplug__ctx_sess_fini(out);
			/* The config file names a file that cannot serve. */
			e->code = TLSPLUG_ERR_CONFIG_FILE;
			return TLSPLUG_ERR_CONFIG_FILE;
		}
		bcfg->ticket_key = out->key;
		bcfg->ticket_key_len = TLSPLUG_TICKET_KEY_SIZE;
	}
	return TLSPLUG_OK;
}

void
tlsplug__ctx_sess_fini(struct tlsplug__ctx_sess *s)
{
	if (s == NULL)
		return;
	tlsplug__sess_cache_free(s->cache);
	if (s->key != NULL)
		memset(s->key, 0, TLSPLUG_TICKET_KEY_SIZE);
	tlsplug__free(s->key);
	memset(s, 0, sizeof(*s));
}
