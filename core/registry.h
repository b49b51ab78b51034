/*
 * registry.h -- core-internal side of the backend registry.
 *
 * The registry owns the plugin directories, the backend records (one per
 * plugin file found, in discovery order), the config files' settings and
 * their diagnostics.  One mutex guards it: loading is lazy and may happen
 * from any thread.  The work is split by job:
 *   registry.c      creation, discovery (plugin directories, config
 *                   files), the default registry, listing;
 *   choose.c        choosing a backend (precedence rules, "not available"
 *                   messages, load_file, configured names not found);
 *   backend_info.c  the tlsplug_backend_* accessors.
 */
#ifndef TLSPLUG_CORE_REGISTRY_H
#define TLSPLUG_CORE_REGISTRY_H

#include "internal.h"
#include "conffile.h"

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

/*
 * Creates a registry as tlsplug_registry_new() does, but reads the system
 * config file from `sysconf_path` (NULL: no system file) instead of
 * $(sysconfdir)/tlsplug.conf, so tests are independent of the machine.
 */
int tlsplug__registry_new_ex(const char *app_name, const char *sysconf_path,
                             struct tlsplug_registry **out,
                             struct tlsplug_error **err);

/* Takes and releases the registry's mutex (also through a const pointer:
 * lookups on a const registry still load plugins lazily). */
void tlsplug__registry_lock(const struct tlsplug_registry *r);
void tlsplug__registry_unlock(const struct tlsplug_registry *r);

/*
 * With the registry locked: adds a FOUND record for the plugin file `path`
 * (base name `base`) at the end of the discovery order.  Returns the
 * record, owned by the registry, or NULL when out of memory (nothing is
 * added then).
 */
struct tlsplug_backend *tlsplug__registry_add_record(
	struct tlsplug_registry *r, const char *path, const char *base);

/*
 * Appends item to the growing array arr of n elements (both lvalues, arr
 * allocated with tlsplug__malloc or NULL); false when out of memory (the
 * array is unchanged).
 */
#define TLSPLUG__PUSH(arr, n, item) \
	tlsplug__registry_push((void *)&(arr), &(n), sizeof(*(arr)), \
	                       &(__typeof__(*(arr))){ (item) })

bool tlsplug__registry_push(void *arrayp, size_t *n, size_t elem,
                            const void *item);

/*
 * For the loader, with the registry locked: the record (other than b) that
 * already claims backend name `name`, or NULL.  A record claims a name when
 * it is usable under that name, or when it is a not-yet-rejected file
 * tlsplug-NAME.so that comes first (earlier in discovery order, or b's own
 * file name is not NAME).  Such a claimant found but not opened yet is
 * loaded first, so the answer does not depend on load order.
 */
const struct tlsplug_backend *tlsplug__registry_claimant(
	struct tlsplug_registry *r, struct tlsplug_backend *b,
	const char *name);

/*
 * tlsplug_registry_choose(r, NULL, ...) for tlsplug_context_new(): on
 * failure the registry's error record is copied to *err (when err is not
 * NULL) while the registry is still locked, since another thread may
 * choose or look up at the same time and replace the record (reading it
 * afterwards, through tlsplug_registry_error(), raced with them).
 * Returns the status; *out is the backend, or NULL on failure.
 */
int tlsplug__registry_choose_err(struct tlsplug_registry *r,
                                 const struct tlsplug_backend **out,
                                 struct tlsplug_error **err);

#endif /* TLSPLUG_CORE_REGISTRY_H */
