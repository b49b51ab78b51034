/*
 * registry.h -- core-internal side of the backend registry (registry.c).
 *
 * The registry owns the plugin directories, the backend records (one per
 * plugin file found, in discovery order), the config files' settings and
 * their diagnostics.  One mutex guards it: loading is lazy and may happen
 * from any thread.
 */
#ifndef TLSPLUG_CORE_REGISTRY_H
#define TLSPLUG_CORE_REGISTRY_H

#include "internal.h"

/*
 * Creates a registry as tlsplug_registry_new() does, but reads the system
 * config file from `sysconf_path` (NULL: no system file) instead of
 * $(sysconfdir)/tlsplug.conf, so tests are independent of the machine.
 */
int tlsplug__registry_new_ex(const char *app_name, const char *sysconf_path,
                             struct tlsplug_registry **out,
                             struct tlsplug_error **err);

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

#endif /* TLSPLUG_CORE_REGISTRY_H */
