/*
 * registry.c -- finds backend plugins, reads the config files and chooses a
 * backend (DESIGN: "Choosing a backend").  Plugin files are listed when the
 * registry is created and opened lazily (loader.c).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "conffile.h"
#include "loader.h"
#include "registry.h"

#ifndef TLSPLUG_BACKENDDIR
#define TLSPLUG_BACKENDDIR "/usr/local/lib/tlsplug/backends"
#endif
#ifndef TLSPLUG_SYSCONFDIR
#define TLSPLUG_SYSCONFDIR "/usr/local/etc"
#endif

#define SOURCE_EXPLICIT "explicit"
#define SOURCE_ENV "TLSPLUG_BACKEND"
#define SOURCE_BUILTIN "built-in order"

struct tlsplug_registry {
	/* Guards the records (lazy loading), missing[] and error. */
	pthread_mutex_t lock;
	char *app_name;
	char **dirs;
	size_t ndirs;
	/* Records are allocated one by one so pointers handed out stay
	 * valid when the array grows. */
	struct tlsplug_backend **backends;
	size_t nbackends;
	struct tlsplug__conf system;
	struct tlsplug__conf user;
	const char **diags;           /* system's then user's */
	size_t ndiags;
	char **env_list;              /* TLSPLUG_BACKEND, split */
	size_t nenv;
	char **user_list;             /* user file's backend list */
	size_t nuser;
	char **system_list;
	size_t nsystem;
	const char **missing;
	size_t nmissing;
	struct tlsplug_error error;
};

static void
lock(const struct tlsplug_registry *r)
{
	/* The lock is the one mutable part of a registry used through a
	 * const pointer. */
	pthread_mutex_lock((pthread_mutex_t *)&r->lock);
}

static void
unlock(const struct tlsplug_registry *r)
{
	pthread_mutex_unlock((pthread_mutex_t *)&r->lock);
}

/* ---- small helpers -------------------------------------------------- */

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

/* Appends item to the growing array arr of n elements; false when out of
 * memory (the array is unchanged). */
#define PUSH(arr, n, item) push_((void *)&(arr), &(n), sizeof(*(arr)), \
                                 &(__typeof__(*(arr))){ (item) })

static bool
push_(void *arrayp, size_t *n, size_t elem, const void *item)
{
	char *v;

	memcpy(&v, arrayp, sizeof(v));
	v = tlsplug__realloc(v, (*n + 1) * elem);
	if (v == NULL)
		return false;
	memcpy(v + *n * elem, item, elem);
	(*n)++;
	memcpy(arrayp, &v, sizeof(v));
	return true;
}

/* NAME of "tlsplug-NAME.so", as a new string, or NULL (also on ENOMEM:
 * callers tell by *ok). */
static char *
plugin_file_name(const char *base, bool *ok)
{
	size_t len = strlen(base);
	const size_t pre = sizeof("tlsplug-") - 1, suf = sizeof(".so") - 1;
	char *name;

	*ok = true;
	if (len <= pre + suf || strncmp(base, "tlsplug-", pre) != 0 ||
	    strcmp(base + len - suf, ".so") != 0)
		return NULL;
	name = tlsplug__malloc(len - pre - suf + 1);
	if (name == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(name, base + pre, len - pre - suf);
	name[len - pre - suf] = '\0';
	return name;
}

static void
backend_free(struct tlsplug_backend *b)
{
	if (b == NULL)
		return;
	tlsplug__loader_unload(b);
	tlsplug__free(b->name);
	tlsplug__free(b->path);
	tlsplug__free(b->reject_reason);
	tlsplug__free(b->file_name);
	tlsplug__free(b);
}

/* Adds a FOUND record for `path` (base name `base`). */
static struct tlsplug_backend *
add_record(struct tlsplug_registry *r, const char *path, const char *base)
{
	struct tlsplug_backend *b = tlsplug__calloc(1, sizeof(*b));
	bool ok;

	if (b == NULL)
		return NULL;
	b->registry = r;
	b->state = TLSPLUG_BACKEND_FOUND;
	b->index = r->nbackends;
	b->path = tlsplug__strdup(path);
	b->file_name = plugin_file_name(base, &ok);
	b->name = tlsplug__strdup(b->file_name != NULL ? b->file_name : base);
	if (b->path == NULL || !ok || b->name == NULL ||
	    !PUSH(r->backends, r->nbackends, b)) {
		backend_free(b);
		return NULL;
	}
	return b;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists dir's tlsplug-*.so files, sorted, as FOUND records.  A directory
 * that cannot be read is skipped: the compiled-in one may not exist. */
static int
discover_dir(struct tlsplug_registry *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = TLSPLUG_OK;

	if (d == NULL)
		return TLSPLUG_OK;
	while ((de = readdir(d)) != NULL) {
		bool ok;
		char *name = plugin_file_name(de->d_name, &ok);
		char *copy;

		if (!ok) {
			rc = TLSPLUG_ERR_NOMEM;
			break;
		}
		if (name == NULL)
			continue;
		tlsplug__free(name);
		copy = tlsplug__strdup(de->d_name);
		if (copy == NULL || !PUSH(names, n, copy)) {
			tlsplug__free(copy);
			rc = TLSPLUG_ERR_NOMEM;
			break;
		}
	}
	closedir(d);
	if (rc == TLSPLUG_OK && n > 0)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		if (rc == TLSPLUG_OK) {
			size_t len = strlen(dir) + strlen(names[i]) + 2;
			char *path = tlsplug__malloc(len);

			if (path == NULL) {
				rc = TLSPLUG_ERR_NOMEM;
			} else {
				snprintf(path, len, "%s/%s", dir, names[i]);
				if (add_record(r, path, names[i]) == NULL)
					rc = TLSPLUG_ERR_NOMEM;
				tlsplug__free(path);
			}
		}
		tlsplug__free(names[i]);
	}
	tlsplug__free(names);
	return rc;
}

/* Appends the ':'-separated directories of `path` (duplicates dropped). */
static int
add_dirs(struct tlsplug_registry *r, const char *path)
{
	char **items;
	size_t n;
	int rc = tlsplug__split_list(path, ':', &items, &n);

	if (rc != TLSPLUG_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < r->ndirs && !dup; j++)
			dup = strcmp(r->dirs[j], items[i]) == 0;
		if (dup)
			continue;
		if (!PUSH(r->dirs, r->ndirs, items[i])) {
			rc = TLSPLUG_ERR_NOMEM;
			break;
		}
		items[i] = NULL;
	}
	for (size_t i = 0; i < n; i++)
		tlsplug__free(items[i]);
	tlsplug__free(items);
	return rc;
}

/* Reads the user's file: TLSPLUG_CONF, or
 * ${XDG_CONFIG_HOME:-$HOME/.config}/tlsplug/tlsplug.conf. */
static int
read_user_conf(struct tlsplug_registry *r)
{
	const char *conf = secure_getenv("TLSPLUG_CONF");
	const char *xdg = secure_getenv("XDG_CONFIG_HOME");
	const char *home = secure_getenv("HOME");
	char path[PATH_MAX];

	if (conf != NULL && conf[0] != '\0')
		return tlsplug__conf_read_file(conf, true, r->app_name,
		                               &r->user);
	/* The XDG spec ignores a relative XDG_CONFIG_HOME. */
	if (xdg != NULL && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/tlsplug/tlsplug.conf", xdg);
	else if (home != NULL && home[0] == '/')
		snprintf(path, sizeof(path), "%s/.config/tlsplug/tlsplug.conf",
		         home);
	else
		return TLSPLUG_OK;
	return tlsplug__conf_read_file(path, false, r->app_name, &r->user);
}

static int
split_backends(const struct tlsplug__conf_entry *e, char ***list, size_t *n)
{
	if (e->value == NULL)
		return TLSPLUG_OK;
	return tlsplug__split_list(e->value, ',', list, n);
}

static int
registry_init(struct tlsplug_registry *r, const char *sysconf_path)
{
	const char *env_path = secure_getenv("TLSPLUG_PLUGIN_PATH");
	const char *env_backend = secure_getenv("TLSPLUG_BACKEND");
	int rc = TLSPLUG_OK;

	if (sysconf_path != NULL)
		rc = tlsplug__conf_read_file(sysconf_path, false, r->app_name,
		                             &r->system);
	if (rc == TLSPLUG_OK)
		rc = read_user_conf(r);
	for (size_t i = 0; rc == TLSPLUG_OK && i < r->system.ndiags; i++)
		if (!PUSH(r->diags, r->ndiags, r->system.diags[i]))
			rc = TLSPLUG_ERR_NOMEM;
	for (size_t i = 0; rc == TLSPLUG_OK && i < r->user.ndiags; i++)
		if (!PUSH(r->diags, r->ndiags, r->user.diags[i]))
			rc = TLSPLUG_ERR_NOMEM;

	/* TLSPLUG_PLUGIN_PATH replaces the compiled-in directory; config
	 * files add theirs (system, then user). */
	if (rc == TLSPLUG_OK)
		rc = add_dirs(r, env_path != NULL && env_path[0] != '\0' ?
		              env_path : TLSPLUG_BACKENDDIR);
	if (rc == TLSPLUG_OK && r->system.plugin_path.value != NULL)
		rc = add_dirs(r, r->system.plugin_path.value);
	if (rc == TLSPLUG_OK && r->user.plugin_path.value != NULL)
		rc = add_dirs(r, r->user.plugin_path.value);

	if (rc == TLSPLUG_OK && env_backend != NULL)
		rc = tlsplug__split_list(env_backend, ',', &r->env_list,
		                         &r->nenv);
	if (rc == TLSPLUG_OK)
		rc = split_backends(&r->user.backend, &r->user_list,
		                    &r->nuser);
	if (rc == TLSPLUG_OK)
		rc = split_backends(&r->system.backend, &r->system_list,
		                    &r->nsystem);
	for (size_t i = 0; rc == TLSPLUG_OK && i < r->ndirs; i++)
		rc = discover_dir(r, r->dirs[i]);
	return rc;
}

int
tlsplug__registry_new_ex(const char *app_name, const char *sysconf_path,
                         struct tlsplug_registry **out,
                         struct tlsplug_error **err)
{
	struct tlsplug_registry *r;
	int rc;

	if (out == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_INVALID,
		                          "registry: out is NULL");
	*out = NULL;
	r = tlsplug__calloc(1, sizeof(*r));
	if (r == NULL)
		return tlsplug__error_out(err, TLSPLUG_ERR_NOMEM,
		                          "out of memory");
	pthread_mutex_init(&r->lock, NULL);
	r->error.alert = -1;
	rc = TLSPLUG_OK;
	if (app_name != NULL) {
		r->app_name = tlsplug__strdup(app_name);
		if (r->app_name == NULL)
			rc = TLSPLUG_ERR_NOMEM;
	}
	if (rc == TLSPLUG_OK)
		rc = registry_init(r, sysconf_path);
	if (rc != TLSPLUG_OK) {
		tlsplug_registry_free(r);
		return tlsplug__error_out(err, rc, "out of memory");
	}
	*out = r;
	return TLSPLUG_OK;
}

int
tlsplug_registry_new(const char *app_name, struct tlsplug_registry **out,
                     struct tlsplug_error **err)
{
	return tlsplug__registry_new_ex(app_name,
	                                TLSPLUG_SYSCONFDIR "/tlsplug.conf",
	                                out, err);
}

void
tlsplug_registry_free(struct tlsplug_registry *r)
{
	if (r == NULL)
		return;
	/* Unload in reverse order of discovery. */
	for (size_t i = r->nbackends; i > 0; i--)
		backend_free(r->backends[i - 1]);
	tlsplug__free(r->backends);
	for (size_t i = 0; i < r->ndirs; i++)
		tlsplug__free(r->dirs[i]);
	tlsplug__free(r->dirs);
	tlsplug__conf_clear(&r->system);
	tlsplug__conf_clear(&r->user);
	tlsplug__free(r->diags);
	tlsplug__strv_free(r->env_list);
	tlsplug__strv_free(r->user_list);
	tlsplug__strv_free(r->system_list);
	tlsplug__free(r->missing);
	tlsplug__free(r->app_name);
	pthread_mutex_destroy(&r->lock);
	tlsplug__free(r);
}

/* ---- the default registry ------------------------------------------- */

static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tlsplug_registry *default_registry;
static char *default_app_name;
static bool default_started;

static void
create_default(void)
{
	char *app;

	pthread_mutex_lock(&default_lock);
	default_started = true;
	app = default_app_name;
	pthread_mutex_unlock(&default_lock);
	tlsplug_registry_new(app, &default_registry, NULL);
}

struct tlsplug_registry *
tlsplug_registry_default(void)
{
	pthread_once(&default_once, create_default);
	return default_registry;
}

int
tlsplug_set_app_name(const char *app_name)
{
	char *copy = NULL;
	int rc = TLSPLUG_OK;

	if (app_name != NULL) {
		copy = tlsplug__strdup(app_name);
		if (copy == NULL)
			return TLSPLUG_ERR_NOMEM;
	}
	pthread_mutex_lock(&default_lock);
	if (default_started) {
		rc = TLSPLUG_ERR_MISUSE;
		tlsplug__free(copy);
	} else {
		tlsplug__free(default_app_name);
		default_app_name = copy;
	}
	pthread_mutex_unlock(&default_lock);
	return rc;
}

/* ---- lookup (registry locked) --------------------------------------- */

const struct tlsplug_backend *
tlsplug__registry_claimant(struct tlsplug_registry *r,
                           struct tlsplug_backend *b, const char *name)
{
	bool own_file = b->file_name != NULL &&
	                strcmp(b->file_name, name) == 0;

	for (size_t i = 0; i < r->nbackends; i++) {
		const struct tlsplug_backend *c = r->backends[i];

		if (c != b && c->state == TLSPLUG_BACKEND_OK &&
		    strcmp(c->name, name) == 0)
			return c;
	}
	for (size_t i = 0; i < r->nbackends; i++) {
		struct tlsplug_backend *c = r->backends[i];

		if (c == b || c->loading || c->state != TLSPLUG_BACKEND_FOUND ||
		    c->file_name == NULL || strcmp(c->file_name, name) != 0)
			continue;
		/* b is in the wrong file anyway: no need to open c. */
		if (!own_file)
			return c;
		/* Same file name in an earlier directory: it wins if it
		 * turns out usable. */
		if (c->index < b->index) {
			tlsplug__loader_load(r, c);
			if (c->state == TLSPLUG_BACKEND_OK &&
			    strcmp(c->name, name) == 0)
				return c;
		}
	}
	return NULL;
}

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
	lock(r);
	tlsplug__error_clear(&r->error);
	rc = choose_locked(r, name, &b, &why, &src);
	unlock(r);
	*out = rc == TLSPLUG_OK ? b : NULL;
	if (rule != NULL)
		*rule = why;
	if (source != NULL)
		*source = rc == TLSPLUG_OK ? src : NULL;
	return rc;
}

const struct tlsplug_backend *
tlsplug_registry_find(struct tlsplug_registry *r, const char *name)
{
	struct tlsplug_backend *b;

	if (r == NULL || name == NULL)
		return NULL;
	lock(r);
	tlsplug__error_clear(&r->error);
	b = find_locked(r, name);
	if (b == NULL) {
		char *names[] = { (char *)name };

		not_available(r, names, 1, NULL);
	}
	unlock(r);
	return b;
}

void
tlsplug_registry_load_all(struct tlsplug_registry *r)
{
	if (r == NULL)
		return;
	lock(r);
	load_all_locked(r);
	unlock(r);
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
	lock(r);
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
		b = add_record(r, path, slash != NULL ? slash + 1 : path);
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
	unlock(r);
	return rc;
}

const struct tlsplug_error *
tlsplug_registry_error(const struct tlsplug_registry *r)
{
	if (r == NULL || r->error.code == TLSPLUG_OK)
		return NULL;
	return &r->error;
}

/* ---- listing --------------------------------------------------------- */

size_t
tlsplug_registry_count(const struct tlsplug_registry *r)
{
	size_t n;

	if (r == NULL)
		return 0;
	lock(r);
	n = r->nbackends;
	unlock(r);
	return n;
}

const struct tlsplug_backend *
tlsplug_registry_get(const struct tlsplug_registry *r, size_t i)
{
	const struct tlsplug_backend *b = NULL;

	if (r == NULL)
		return NULL;
	lock(r);
	if (i < r->nbackends)
		b = r->backends[i];
	unlock(r);
	return b;
}

size_t
tlsplug_registry_dir_count(const struct tlsplug_registry *r)
{
	return r == NULL ? 0 : r->ndirs;
}

const char *
tlsplug_registry_dir(const struct tlsplug_registry *r, size_t i)
{
	return r == NULL || i >= r->ndirs ? NULL : r->dirs[i];
}

size_t
tlsplug_registry_diagnostic_count(const struct tlsplug_registry *r)
{
	return r == NULL ? 0 : r->ndiags;
}

const char *
tlsplug_registry_diagnostic(const struct tlsplug_registry *r, size_t i)
{
	return r == NULL || i >= r->ndiags ? NULL : r->diags[i];
}

/* Adds name to missing[] unless present or provided. */
static void
check_missing(struct tlsplug_registry *r, const char *name, bool *nomem)
{
	for (size_t i = 0; i < r->nmissing; i++)
		if (strcmp(r->missing[i], name) == 0)
			return;
	if (find_locked(r, name) != NULL)
		return;
	if (!PUSH(r->missing, r->nmissing, name))
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
	lock(r);
	r->nmissing = 0;
	for (size_t i = 0; i < r->nenv; i++)
		check_missing(r, r->env_list[i], &nomem);
	for (size_t i = 0; i < r->nuser; i++)
		check_missing(r, r->user_list[i], &nomem);
	for (size_t i = 0; i < r->nsystem; i++)
		check_missing(r, r->system_list[i], &nomem);
	n = r->nmissing;
	unlock(r);
	return n;
}

const char *
tlsplug_registry_missing(const struct tlsplug_registry *r, size_t i)
{
	const char *name = NULL;

	if (r == NULL)
		return NULL;
	lock(r);
	if (i < r->nmissing)
		name = r->missing[i];
	unlock(r);
	return name;
}

/* ---- backend records ------------------------------------------------- */

static bool
usable(const struct tlsplug_backend *b)
{
	return b != NULL && b->state == TLSPLUG_BACKEND_OK && b->d != NULL;
}

const char *
tlsplug_backend_name(const struct tlsplug_backend *b)
{
	return b == NULL ? NULL : b->name;
}

const char *
tlsplug_backend_path(const struct tlsplug_backend *b)
{
	return b == NULL ? NULL : b->path;
}

enum tlsplug_backend_state
tlsplug_backend_state(const struct tlsplug_backend *b)
{
	enum tlsplug_backend_state s;

	if (b == NULL)
		return TLSPLUG_BACKEND_REJECTED;
	if (b->registry == NULL)
		return b->state;
	lock(b->registry);
	s = b->state;
	unlock(b->registry);
	return s;
}

const char *
tlsplug_backend_reject_reason(const struct tlsplug_backend *b)
{
	const char *why;

	if (b == NULL)
		return NULL;
	if (b->registry == NULL)
		return b->reject_reason;
	lock(b->registry);
	why = b->reject_reason;
	unlock(b->registry);
	return why;
}

const char *
tlsplug_backend_description(const struct tlsplug_backend *b)
{
	return usable(b) ? b->d->description : NULL;
}

const char *
tlsplug_backend_engine_version(const struct tlsplug_backend *b)
{
	return usable(b) ? b->d->engine_version() : NULL;
}

void
tlsplug_backend_abi_version(const struct tlsplug_backend *b, unsigned *major,
                            unsigned *minor)
{
	if (major != NULL)
		*major = b != NULL ? b->abi_major : 0;
	if (minor != NULL)
		*minor = b != NULL ? b->abi_minor : 0;
}

uint64_t
tlsplug_backend_caps(const struct tlsplug_backend *b)
{
	return usable(b) ? b->d->caps : 0;
}

int
tlsplug_backend_priority(const struct tlsplug_backend *b)
{
	return usable(b) ? b->d->priority : 0;
}

size_t
tlsplug_backend_cipher_suites(const struct tlsplug_backend *b, uint16_t *ids,
                              size_t max)
{
	if (!usable(b) || b->d->info == NULL ||
	    b->d->info->cipher_suites == NULL)
		return 0;
	if (ids == NULL)
		max = 0;
	return b->d->info->cipher_suites(ids, max);
}

const char *
tlsplug_backend_system_trust_source(const struct tlsplug_backend *b)
{
	if (!usable(b) || b->d->info == NULL ||
	    b->d->info->system_trust_source == NULL)
		return NULL;
	return b->d->info->system_trust_source();
}

const char *
tlsplug_capability_name(uint64_t cap_bit)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ TLSPLUG_CAP_CLIENT, "client" },
		{ TLSPLUG_CAP_SERVER, "server" },
		{ TLSPLUG_CAP_ALPN, "alpn" },
		{ TLSPLUG_CAP_SNI_CALLBACK, "sni_callback" },
		{ TLSPLUG_CAP_TLS1_2, "tls1_2" },
		{ TLSPLUG_CAP_TLS1_3, "tls1_3" },
		{ TLSPLUG_CAP_NO_VALIDATION, "no_validation" },
		{ TLSPLUG_CAP_SYSTEM_TRUST, "system_trust" },
		{ TLSPLUG_CAP_CIPHER_ORDER, "cipher_order" },
		{ TLSPLUG_CAP_CLIENT_CERT, "client_cert" },
		{ TLSPLUG_CAP_KEY_PASSWORD, "key_password" },
		{ TLSPLUG_CAP_MULTI_CHAIN, "multi_chain" },
		{ TLSPLUG_CAP_ED25519, "ed25519" },
		{ TLSPLUG_CAP_TLS1_0, "tls1_0" },
		{ TLSPLUG_CAP_TLS1_1, "tls1_1" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].bit == cap_bit)
			return names[i].name;
	return NULL;
}
