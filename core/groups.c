/*
 * groups.c -- key-exchange groups and signature algorithms by IANA name
 * (the TLS Supported Groups and TLS SignatureScheme registries), and the
 * check, at context creation, that a backend has every one a config names
 * (and key logging when the config asks for it), and the defaults the
 * configuration files give (`groups`, `sigalgs`).
 *
 * The tables hold names only: whether an engine can use a code point is
 * the plugin's answer (info_ops.groups / sigalgs), so a post-quantum group
 * works on every engine that has it, and on one that does not the config
 * is refused naming the group, without a change here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conffile.h"
#include "internal.h"
#include "registry.h"

struct named {
	uint16_t id;
	const char *name;
};

/* IANA "TLS Supported Groups" (names as registered). */
static const struct named group_table[] = {
	{ 0x0017, "secp256r1" },
	{ 0x0018, "secp384r1" },
	{ 0x0019, "secp521r1" },
	{ 0x001a, "brainpoolP256r1" },
	{ 0x001b, "brainpoolP384r1" },
	{ 0x001c, "brainpoolP512r1" },
	{ 0x001d, "x25519" },
	{ 0x001e, "x448" },
	{ 0x001f, "brainpoolP256r1tls13" },
	{ 0x0020, "brainpoolP384r1tls13" },
	{ 0x0021, "brainpoolP512r1tls13" },
	{ 0x0022, "GC256A" },
	{ 0x0023, "GC256B" },
	{ 0x0024, "GC256C" },
	{ 0x0025, "GC256D" },
	{ 0x0026, "GC512A" },
	{ 0x0027, "GC512B" },
	{ 0x0028, "GC512C" },
	{ 0x0029, "curveSM2" },
	{ 0x0100, "ffdhe2048" },
	{ 0x0101, "ffdhe3072" },
	{ 0x0102, "ffdhe4096" },
	{ 0x0103, "ffdhe6144" },
	{ 0x0104, "ffdhe8192" },
	{ 0x0200, "MLKEM512" },
	{ 0x0201, "MLKEM768" },
	{ 0x0202, "MLKEM1024" },
	{ 0x11eb, "SecP256r1MLKEM768" },
	{ 0x11ec, "X25519MLKEM768" },
	{ 0x11ed, "SecP384r1MLKEM1024" },
};

/* Other common spellings (NIST curve names). */
static const struct named group_aliases[] = {
	{ 0x0017, "P-256" },
	{ 0x0018, "P-384" },
	{ 0x0019, "P-521" },
};

/* IANA "TLS SignatureScheme". */
static const struct named sigalg_table[] = {
	{ 0x0201, "rsa_pkcs1_sha1" },
	{ 0x0203, "ecdsa_sha1" },
	{ 0x0401, "rsa_pkcs1_sha256" },
	{ 0x0403, "ecdsa_secp256r1_sha256" },
	{ 0x0501, "rsa_pkcs1_sha384" },
	{ 0x0503, "ecdsa_secp384r1_sha384" },
	{ 0x0601, "rsa_pkcs1_sha512" },
	{ 0x0603, "ecdsa_secp521r1_sha512" },
	{ 0x0804, "rsa_pss_rsae_sha256" },
	{ 0x0805, "rsa_pss_rsae_sha384" },
	{ 0x0806, "rsa_pss_rsae_sha512" },
	{ 0x0807, "ed25519" },
	{ 0x0808, "ed448" },
	{ 0x0809, "rsa_pss_pss_sha256" },
	{ 0x080a, "rsa_pss_pss_sha384" },
	{ 0x080b, "rsa_pss_pss_sha512" },
	{ 0x081a, "ecdsa_brainpoolP256r1tls13_sha256" },
	{ 0x081b, "ecdsa_brainpoolP384r1tls13_sha384" },
	{ 0x081c, "ecdsa_brainpoolP512r1tls13_sha512" },
	{ 0x0904, "mldsa44" },
	{ 0x0905, "mldsa65" },
	{ 0x0906, "mldsa87" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *
name_of(const struct named *t, size_t n, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return t[i].name;
	return NULL;
}

static int
id_of(const struct named *t, size_t n, const char *name, uint16_t *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0) {
			*id = t[i].id;
			return 1;
		}
	return 0;
}

const char *
tlsplug_group_name(uint16_t id)
{
	return name_of(group_table, COUNT(group_table), id);
}

const char *
tlsplug_sigalg_name(uint16_t id)
{
	return name_of(sigalg_table, COUNT(sigalg_table), id);
}

/* A name of table t (or of aliases a), or "0x" and a code point. */
static int
from_name(const char *name, uint16_t *id, const struct named *t, size_t n,
          const struct named *a, size_t na)
{
	int rc;

	if (name == NULL || id == NULL)
		return TLSPLUG_ERR_NOT_FOUND;
	rc = tlsplug__parse_hex16(name, id);
	if (rc != 0)
		return rc > 0 ? TLSPLUG_OK : TLSPLUG_ERR_NOT_FOUND;
	return id_of(t, n, name, id) || id_of(a, na, name, id) ?
	    TLSPLUG_OK : TLSPLUG_ERR_NOT_FOUND;
}

int
tlsplug_group_from_name(const char *name, uint16_t *id)
{
	return from_name(name, id, group_table, COUNT(group_table),
	                 group_aliases, COUNT(group_aliases));
}

int
tlsplug_sigalg_from_name(const char *name, uint16_t *id)
{
	return from_name(name, id, sigalg_table, COUNT(sigalg_table), NULL,
	                 0);
}

int
tlsplug_group_is_post_quantum(uint16_t id)
{
	/* ML-KEM alone (0x0200..0x0202) and its hybrids (0x11eb..0x11ed). */
	return (id >= 0x0200 && id <= 0x0202) || (id >= 0x11eb && id <= 0x11ed);
}

/* A code point's name for messages: the IANA name, or "0x%04x". */
static const char *
label(const char *(*name)(uint16_t), uint16_t id, char *buf, size_t size)
{
	const char *n = name(id);

	if (n != NULL)
		return n;
	snprintf(buf, size, "0x%04x", id);
	return buf;
}

/* Refuses the first of want[] that the engine's list lacks. */
static int
check_list(const struct tlsplug_backend *b, const uint16_t *want,
           size_t nwant, size_t (*list)(uint16_t *, size_t),
           const char *(*name)(uint16_t), const char *setting,
           const char *kind, int groups, struct tlsplug_error *e)
{
	uint16_t have[512];
	size_t nhave = list(have, COUNT(have));
	char buf[8];

	if (nhave > COUNT(have))
		nhave = COUNT(have);
	for (size_t i = 0; i < nwant; i++) {
		size_t j;

		for (j = 0; j < nhave && have[j] != want[i]; j++)
			;
		if (j == nhave)
			return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
			    "%s: backend %s (%s) does not support %s %s%s",
			    setting, b->name, b->d->engine_version(), kind,
			    label(name, want[i], buf, sizeof(buf)),
			    groups && tlsplug_group_is_post_quantum(want[i]) ?
			    " (post-quantum: this engine version lacks it)" :
			    "");
	}
	return TLSPLUG_OK;
}

int
tlsplug__check_key_settings(const struct tlsplug_backend *b,
                            const struct tlsplug_config *config,
                            const struct tlsplug_bconfig *v,
                            struct tlsplug_error *e)
{
	const struct tlsplug_backend_descriptor *d = b->d;
	int rc;

	if ((tlsplug__config_keylog_cb(config, NULL) != NULL ||
	     tlsplug_config_keylog_file(config) != NULL) &&
	    !(d->caps & TLSPLUG_CAP_KEYLOG))
		return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
		    "backend %s does not support key logging (key log "
		    "callback or file)", b->name);
	if (v->ngroups > 0) {
		if (!(d->caps & TLSPLUG_CAP_GROUPS) ||
		    !TLSPLUG_OPS_HAS(d, info, 1, groups))
			return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
			    "backend %s cannot set key-exchange groups "
			    "(groups)", b->name);
		rc = check_list(b, v->groups, v->ngroups, d->info->groups,
		                tlsplug_group_name, "groups", "group", 1, e);
		if (rc != TLSPLUG_OK)
			return rc;
	}
	if (v->nsigalgs > 0) {
		if (!(d->caps & TLSPLUG_CAP_SIGALGS) ||
		    !TLSPLUG_OPS_HAS(d, info, 1, sigalgs))
			return tlsplug__error_set(e, TLSPLUG_ERR_UNSUPPORTED,
			    "backend %s cannot set signature algorithms "
			    "(sigalgs)", b->name);
		rc = check_list(b, v->sigalgs, v->nsigalgs, d->info->sigalgs,
		                tlsplug_sigalg_name, "sigalgs",
		                "signature algorithm", 0, e);
		if (rc != TLSPLUG_OK)
			return rc;
	}
	return TLSPLUG_OK;
}

/* ---- defaults from the configuration files ----------------------------- */

/* The effective entry: the user's file over the system's. */
static const struct tlsplug__conf_entry *
conf_entry(const struct tlsplug_registry *r, int sigalgs)
{
	const struct tlsplug__conf_entry *u =
	    sigalgs ? &r->user.sigalgs : &r->user.groups;
	const struct tlsplug__conf_entry *s =
	    sigalgs ? &r->system.sigalgs : &r->system.groups;

	return u->value != NULL ? u : s->value != NULL ? s : NULL;
}

/* The names of entry e (checked when the file was read) that backend b
 * has, as code points in *ids. */
static int
load_list(const struct tlsplug_backend *b,
          const struct tlsplug__conf_entry *e, int sigalgs, uint16_t **ids,
          size_t *n, struct tlsplug_error *err)
{
	size_t (*list)(uint16_t *, size_t) = sigalgs ? b->d->info->sigalgs :
	    b->d->info->groups;
	uint16_t have[512];
	size_t nhave = list(have, COUNT(have)), nitems = 0;
	char **items = NULL;

	*ids = NULL;
	*n = 0;
	if (nhave > COUNT(have))
		nhave = COUNT(have);
	if (tlsplug__split_list(e->value, ',', &items, &nitems) != TLSPLUG_OK ||
	    (nitems > 0 &&
	     (*ids = tlsplug__calloc(nitems, sizeof(uint16_t))) == NULL)) {
		tlsplug__strv_free(items);
		return tlsplug__error_set(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	}
	for (size_t i = 0; i < nitems; i++) {
		uint16_t id;

		if ((sigalgs ? tlsplug_sigalg_from_name(items[i], &id) :
		     tlsplug_group_from_name(items[i], &id)) != TLSPLUG_OK)
			continue;
		for (size_t j = 0; j < nhave; j++)
			if (have[j] == id) {
				(*ids)[(*n)++] = id;
				break;
			}
	}
	tlsplug__strv_free(items);
	if (*n > 0)
		return TLSPLUG_OK;
	tlsplug__free(*ids);
	*ids = NULL;
	return tlsplug__error_set(err, TLSPLUG_ERR_UNSUPPORTED,
	    "%s (%s): backend %s (%s) has none of \"%s\"",
	    sigalgs ? "sigalgs" : "groups", e->source, b->name,
	    b->d->engine_version(), e->value);
}

int
tlsplug__key_defaults_load(const struct tlsplug_backend *b,
                           const struct tlsplug_bconfig *v,
                           struct tlsplug__key_defaults *d,
                           struct tlsplug_error *e)
{
	const struct tlsplug_backend_descriptor *desc = b->d;
	const struct tlsplug__conf_entry *g, *s;
	int rc = TLSPLUG_OK;

	memset(d, 0, sizeof(*d));
	if (b->registry == NULL)
		return TLSPLUG_OK;
	/* A backend without the capability keeps its engine's defaults: a
	 * policy for engines that can follow it. */
	g = conf_entry(b->registry, 0);
	s = conf_entry(b->registry, 1);
	if (g != NULL && v->ngroups == 0 && (desc->caps & TLSPLUG_CAP_GROUPS) &&
	    TLSPLUG_OPS_HAS(desc, info, 1, groups))
		rc = load_list(b, g, 0, &d->groups, &d->ngroups, e);
	if (rc == TLSPLUG_OK && s != NULL && v->nsigalgs == 0 &&
	    (desc->caps & TLSPLUG_CAP_SIGALGS) &&
	    TLSPLUG_OPS_HAS(desc, info, 1, sigalgs))
		rc = load_list(b, s, 1, &d->sigalgs, &d->nsigalgs, e);
	if (rc != TLSPLUG_OK)
		tlsplug__key_defaults_free(d);
	return rc;
}

void
tlsplug__key_defaults_apply(const struct tlsplug__key_defaults *d,
                            struct tlsplug_bconfig *v)
{
	if (v->ngroups == 0 && d->ngroups > 0) {
		v->groups = d->groups;
		v->ngroups = d->ngroups;
	}
	if (v->nsigalgs == 0 && d->nsigalgs > 0) {
		v->sigalgs = d->sigalgs;
		v->nsigalgs = d->nsigalgs;
	}
}

void
tlsplug__key_defaults_free(struct tlsplug__key_defaults *d)
{
	tlsplug__free(d->groups);
	tlsplug__free(d->sigalgs);
	memset(d, 0, sizeof(*d));
}
