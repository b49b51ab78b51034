/*
 * choose.c -- chooses a backend from a registry's records (DESIGN:
 * "Choosing a backend"): the precedence rules (explicit name,
 * TLSPLUG_BACKEND, user config, system config, built-in order), the
 * "backend 'x' is not available ...; available: ..." errors, lookup by
 * name, loading one plugin file, and the configured names that no plugin
 * provides.  The records come from registry.c.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "loader.h"
#include "registry.h"

#define SOURCE_EXPLICIT "explicit"
#define SOURCE_ENV "TLSPLUG_BACKEND"
#define SOURCE_BUILTIN "built-in order"

/* ---- messages ------------------------------------------------------- */

/* Bounded string builder for messages. */
struct text {
	char buf[1024];
	size_t len;
};

static void TLSPLUG_PRINTF(2, 3)
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= sizeof(t->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
	if (t->len > sizeof(t->buf) - 1)
		t->len = sizeof(t->buf) - 1;
}

/* ---- lookup (registry locked) --------------------------------------- */

/* The usable backend called `name`, opening only files named for it. */
static struct tlsplug_backend *
find_locked(struct tlsplug_registry *r, const char *name)
{
	for (size_t i = 0; i < r->nbackends; i++) {
		struct tlsplug_backend *b = r->backends[i];

		if (b->state == TLSPLUG_BACKEND_FOUND && b->file_name != NULL &&
		    strcmp(b->file_name, name) == 0)
			tlsplug__loader_load(r, b);
		if (b->state == TLSPLUG_BACKEND_OK &&
		    strcmp(b->name, name) == 0)
			return b;
	}
	return NULL;
}

static void
load_all_locked(struct tlsplug_registry *r)
{
	for (size_t i = 0; i < r->nbackends; i++)
		tlsplug__loader_load(r, r->backends[i]);
}

/* Appends "available: a, b" (sorted names of usable backends). */
static void
add_available(struct tlsplug_registry *r, struct text *t)
{
	const char *prev = NULL;
	size_t count = 0;

	load_all_locked(r);
	text_add(t, "available: ");
	/* Selection by repeated minimum: no allocation on an error path. */
	for (;;) {
		const char *next = NULL;

		for (size_t i = 0; i < r->nbackends; i++) {
			const struct tlsplug_backend *b = r->backends[i];

			if (b->state != TLSPLUG_BACKEND_OK)
				continue;
			if (prev != NULL && strcmp(b->name, prev) <= 0)
				continue;
			if (next == NULL || strcmp(b->name, next) < 0)
				next = b->name;
		}
		if (next == NULL)
			break;
		text_add(t, "%s%s", count++ > 0 ? ", " : "", next);
		prev = next;
	}
	if (count == 0)
		text_add(t, "none");
}

/* Records "backend 'x' is not available (source)[: rejected: why];
 * available: ..." and returns TLSPLUG_ERR_NOT_FOUND. */
static int
not_available(struct tlsplug_registry *r, char *const *names, size_t n,
              const char *source)
{
	struct text t = { .len = 0 };

	if (n == 1) {
		text_add(&t, "backend '%s' is not available", names[0]);
	} else {
		text_add(&t, "none of the backends '");
		for (size_t i = 0; i < n; i++)
			text_add(&t, "%s%s", i > 0 ? ", " : "", names[i]);
		text_add(&t, "' is available");
	}
	if (source != NULL)
		text_add(&t, " (%s)", source);
	for (size_t i = 0; n == 1 && i < r->nbackends; i++) {
		const struct tlsplug_backend *b = r->backends[i];

		if (b->state == TLSPLUG_BACKEND_REJECTED &&
		    b->file_name != NULL &&
		    strcmp(b->file_name, names[0]) == 0) {
			text_add(&t, ": rejected: %s", b->reject_reason);
			break;
		}
	}
	text_add(&t, "; ");
	add_available(r, &t);
	return tlsplug__error_set(&r->error, TLSPLUG_ERR_NOT_FOUND, "%s",
	                          t.buf);
}

/* First available name of the list, else the NOT_FOUND error. */
static int
choose_from(struct tlsplug_registry *r, char *const *names, size_t n,
            const char *source, const struct tlsplug_backend **out)
{
	for (size_t i = 0; i < n; i++) {
		struct tlsplug_backend *b = find_locked(r, names[i]);

		if (b != NULL) {
			*out = b;
			return TLSPLUG_OK;
		}
	}
	return not_available(r, names, n, source);
}

static int
choose_builtin(struct tlsplug_registry *r, const struct tlsplug_backend **out)
{
	const struct tlsplug_backend *best = NULL;
	size_t rejected = 0;
	struct text t = { .len = 0 };

	load_all_locked(r);
	for (size_t i = 0; i < r->nbackends; i++) {
		const struct tlsplug_backend *b = r->backends[i];

		if (b->state != TLSPLUG_BACKEND_OK) {
			rejected++;
			continue;
		}
		if (best == NULL || b->d->priority > best->d->priority ||
		    (b->d->priority == best->d->priority &&
		     strcmp(b->name, best->name) < 0))
			best = b;
	}
	if (best != NULL) {
		*out = best;
		return TLSPLUG_OK;
	}
	text_add(&t, "no usable backend plugin found in ");
	for (size_t i = 0; i < r->ndirs; i++)
		text_add(&t, "%s%s", i > 0 ? ":" : "", r->dirs[i]);
	if (r->ndirs == 0)
		text_add(&t, "(no plugin directory)");
	if (rejected > 0)
		text_add(&t, " (%zu rejected)", rejected);
	return tlsplug__error_set(&r->error, TLSPLUG_ERR_PLUGIN, "%s", t.buf);
}

static int
choose_locked(struct tlsplug_registry *r, const char *name,
              const struct tlsplug_backend **out,
              enum tlsplug_choice_rule *rule, const char **source)
{
	int rc;

	if (name != NULL) {
		char **names;
		size_t n;

		*rule = TLSPLUG_CHOSEN_EXPLICIT;
		*source = SOURCE_EXPLICIT;
		rc = tlsplug__split_list(name, ',', &names, &n);
		if (rc != TLSPLUG_OK)
			return tlsplug__error_set(&r->error, rc,
			                          "out of memory");
		if (n == 0)
			rc = tlsplug__error_set(&r->error, TLSPLUG_ERR_INVALID,
			                        "empty backend name");
		else
			rc = choose_from(r, names, n, NULL, out);
		tlsplug__strv_free(names);
		return rc;
	}
	if (r->nenv > 0) {
		*rule = TLSPLUG_CHOSEN_ENVIRONMENT;
		*source = SOURCE_ENV;
		return choose_from(r, r->env_list, r->nenv, SOURCE_ENV, out);
	}
	/* From here on the choice depends on the config files. */
	if (r->ndiags > 0) {
		if (r->ndiags > 1)
			return tlsplug__error_set(&r->error,
			    TLSPLUG_ERR_CONFIG_FILE, "%s (and %zu more "
			    "problems)", r->diags[0], r->ndiags - 1);
		return tlsplug__error_set(&r->error, TLSPLUG_ERR_CONFIG_FILE,
		                          "%s", r->diags[0]);
	}
	if (r->nuser > 0) {
		*rule = TLSPLUG_CHOSEN_USER_CONFIG;
		*source = r->user.backend.source;
		return choose_from(r, r->user_list, r->nuser, *source, out);
	}
	if (r->nsystem > 0) {
		*rule = TLSPLUG_CHOSEN_SYSTEM_CONFIG;
		*source = r->system.backend.source;
		return choose_from(r, r->system_list, r->nsystem, *source, out);
	}
	*rule = TLSPLUG_CHOSEN_BUILTIN;
	*source = SOURCE_BUILTIN;
	return choose_builtin(r, out);
}

/* ---- public lookup --------------------------------------------------- */

int
tlsplug_registry_choose(struct tlsplug_registry *r, const char *name,
                        const struct tlsplug_backend **out,
                        enum tlsplug_choice_rule *rule, const char **source)
{
	const struct tlsplug_backend *b = NULL;
	enum tlsplug_choice_rule why = TLSPLUG_CHOSEN_BUILTIN;
	const char *src = NULL;
	int rc;

	if (r == NULL || out == NULL)
		return TLSPLUG_ERR_INVALID;
	tlsplug__registry_lock(r);
	tlsplug__error_clear(&r->error);
	rc = choose_locked(r, name, &b, &why, &src);
	tlsplug__registry_unlock(r);
	*out = rc == TLSPLUG_OK ? b : NULL;
	if (rule != NULL)
		*rule = why;
	if (source != NULL)
		*source = rc == TLSPLUG_OK ? src : NULL;
	return rc;
}

int
tlsplug__registry_choose_err(struct tlsplug_registry *r,
                             const struct tlsplug_backend **out,
                             struct tlsplug_error **err)
{
	const struct tlsplug_backend *b = NULL;
	enum tlsplug_choice_rule why;
	const char *src;
	int rc;

	tlsplug__registry_lock(r);
	tlsplug__error_clear(&r->error);
	rc = choose_locked(r, NULL, &b, &why, &src);
	/* Copied before the lock is released: another thread's choose or
	 * find may replace the registry's record right after. */
	if (rc != TLSPLUG_OK)
		tlsplug__error_export(&r->error, err);
	tlsplug__registry_unlock(r);
	*out = rc == TLSPLUG_OK ? b : NULL;
	return rc;
}

const struct tlsplug_backend *
tlsplug_registry_find(struct tlsplug_registry *r, const char *name)
{
	struct tlsplug_backend *b;

	if (r == NULL || name == NULL)
		return NULL;
	tlsplug__registry_lock(r);
	tlsplug__error_clear(&r->error);
	b = find_locked(r, name);
	if (b == NULL) {
		char *names[] = { (char *)name };

		not_available(r, names, 1, NULL);
	}
	tlsplug__registry_unlock(r);
	return b;
}

void
tlsplug_registry_load_all(struct tlsplug_registry *r)
{
	if (r == NULL)
		return;
	tlsplug__registry_lock(r);
	load_all_locked(r);
	tlsplug__registry_unlock(r);
}

/* The record whose file resolves to `real`, or NULL. */
static struct tlsplug_backend *
find_by_realpath(struct tlsplug_registry *r, const char *real)
{
	char other[PATH_MAX];

	for (size_t i = 0; i < r->nbackends; i++)
		if (realpath(r->backends[i]->path, other) != NULL &&
		    strcmp(other, real) == 0)
			return r->backends[i];
	return NULL;
}

int
tlsplug_registry_load_file(struct tlsplug_registry *r, const char *path,
                           const struct tlsplug_backend **out,
                           struct tlsplug_error **err)
{
	char real[PATH_MAX];
	struct tlsplug_backend *b;
	const char *slash;
	int rc = TLSPLUG_OK;

	if (out != NULL)
		*out = NULL;
	if (r == NULL || path == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		                          "load_file: no registry or path");
	tlsplug__registry_lock(r);
	tlsplug__error_clear(&r->error);
	if (realpath(path, real) == NULL) {
		rc = tlsplug__error_set(&r->error, TLSPLUG_ERR_IO,
		                        "cannot open %s: %s", path,
		                        strerror(errno));
		goto out;
	}
	b = find_by_realpath(r, real);
	if (b == NULL) {
		slash = strrchr(path, '/');
		b = tlsplug__registry_add_record(r, path, slash != NULL ?
		                                 slash + 1 : path);
	}
	if (b == NULL || tlsplug__loader_load(r, b) != TLSPLUG_OK) {
		rc = tlsplug__error_set(&r->error, TLSPLUG_ERR_NOMEM,
		                        "out of memory");
		goto out;
	}
	if (b->state != TLSPLUG_BACKEND_OK) {
		rc = tlsplug__error_set(&r->error, TLSPLUG_ERR_PLUGIN,
		                        "%s: %s", path, b->reject_reason);
		goto out;
	}
	if (out != NULL)
		*out = b;
out:
	tlsplug__error_export(&r->error, rc != TLSPLUG_OK ? err : NULL);
	tlsplug__registry_unlock(r);
	return rc;
}

const struct tlsplug_error *
tlsplug_registry_error(const struct tlsplug_registry *r)
{
	if (r == NULL || r->error.code == TLSPLUG_OK)
		return NULL;
	return &r->error;
}

/* ---- configured names no plugin provides ---------------------------- */

/* Adds name to missing[] unless present or provided. */
static void
check_missing(struct tlsplug_registry *r, const char *name, bool *nomem)
{
	for (size_t i = 0; i < r->nmissing; i++)
		if (strcmp(r->missing[i], name) == 0)
			return;
	if (find_locked(r, name) != NULL)
		return;
	if (!TLSPLUG__PUSH(r->missing, r->nmissing, name))
		*nomem = true;
}

size_t
tlsplug_registry_missing_count(const struct tlsplug_registry *cr)
{
	/* Finding out opens the named plugins: the registry changes. */
	struct tlsplug_registry *r = (struct tlsplug_registry *)cr;
	bool nomem = false;
	size_t n;

	if (r == NULL)
		return 0;
	tlsplug__registry_lock(r);
	r->nmissing = 0;
	for (size_t i = 0; i < r->nenv; i++)
		check_missing(r, r->env_list[i], &nomem);
	for (size_t i = 0; i < r->nuser; i++)
		check_missing(r, r->user_list[i], &nomem);
	for (size_t i = 0; i < r->nsystem; i++)
		check_missing(r, r->system_list[i], &nomem);
	n = r->nmissing;
	tlsplug__registry_unlock(r);
	return n;
}

const char *
tlsplug_registry_missing(const struct tlsplug_registry *r, size_t i)
{
	const char *name = NULL;

	if (r == NULL)
		return NULL;
	tlsplug__registry_lock(r);
	if (i < r->nmissing)
		name = r->missing[i];
	tlsplug__registry_unlock(r);
	return name;
}
