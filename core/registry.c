/*
 * registry.c -- creates and frees registries: finds the plugin files
 * (tlsplug-NAME.so in the plugin directories), reads the config files into
 * the registry, and keeps the default registry (DESIGN: "Choosing a
 * backend").  Plugin files are listed when the registry is created and
 * opened lazily (loader.c); choose.c picks a backend from the records,
 * backend_info.c answers questions about one.
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

void
tlsplug__registry_lock(const struct tlsplug_registry *r)
{
	/* The lock is the one mutable part of a registry used through a
	 * const pointer. */
	pthread_mutex_lock((pthread_mutex_t *)&r->lock);
}

void
tlsplug__registry_unlock(const struct tlsplug_registry *r)
{
	pthread_mutex_unlock((pthread_mutex_t *)&r->lock);
}

/* ---- small helpers -------------------------------------------------- */

bool
tlsplug__registry_push(void *arrayp, size_t *n, size_t elem, const void *item)
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

struct tlsplug_backend *
tlsplug__registry_add_record(struct tlsplug_registry *r, const char *path,
                             const char *base)
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
	    !TLSPLUG__PUSH(r->backends, r->nbackends, b)) {
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
		if (copy == NULL || !TLSPLUG__PUSH(names, n, copy)) {
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
				if (tlsplug__registry_add_record(r, path,
				    names[i]) == NULL)
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
		if (!TLSPLUG__PUSH(r->dirs, r->ndirs, items[i])) {
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

	/* Only the system file's [policy] counts. */
	r->system.policy_allowed = true;
	if (sysconf_path != NULL)
		rc = tlsplug__conf_read_file(sysconf_path, false, r->app_name,
		                             &r->system);
	if (rc == TLSPLUG_OK)
		rc = read_user_conf(r);
	for (size_t i = 0; rc == TLSPLUG_OK && i < r->system.ndiags; i++)
		if (!TLSPLUG__PUSH(r->diags, r->ndiags, r->system.diags[i]))
			rc = TLSPLUG_ERR_NOMEM;
	for (size_t i = 0; rc == TLSPLUG_OK && i < r->user.ndiags; i++)
		if (!TLSPLUG__PUSH(r->diags, r->ndiags, r->user.diags[i]))
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

/* ---- listing --------------------------------------------------------- */

size_t
tlsplug_registry_count(const struct tlsplug_registry *r)
{
	size_t n;

	if (r == NULL)
		return 0;
	tlsplug__registry_lock(r);
	n = r->nbackends;
	tlsplug__registry_unlock(r);
	return n;
}

const struct tlsplug_backend *
tlsplug_registry_get(const struct tlsplug_registry *r, size_t i)
{
	const struct tlsplug_backend *b = NULL;

	if (r == NULL)
		return NULL;
	tlsplug__registry_lock(r);
	if (i < r->nbackends)
		b = r->backends[i];
	tlsplug__registry_unlock(r);
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
