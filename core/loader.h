/*
 * loader.h -- opens, validates and initialises one plugin file
 * (core-internal; loader.c).
 *
 * Order of checks, each failure giving the record's one-line reason:
 *   1. location safety (file and directory, after resolving symlinks):
 *      regular file, not group- or world-writable, owned by root or the
 *      effective user -- "directory /x is world-writable";
 *   2. dlopen(RTLD_NOW | RTLD_LOCAL) -- the dlerror() text;
 *   3. the descriptor symbol TLSPLUG_BACKEND_SYMBOL;
 *   4. abi_major -- "ABI major 2, host supports 1";
 *   5. struct_size against the declared minor (and the symbol's size);
 *   6. name syntax [a-z0-9_-]+;
 *   7. duplicate name (before the file-name check, so a plugin that takes
 *      another plugin's name is reported as a duplicate);
 *   8. name equal to NAME in tlsplug-NAME.so;
 *   9. required entry points (those a later minor added only in plugins
 *      declaring it), at least one context group; then each entry-point
 *      group is copied up to the size of the declared minor;
 *  10. init(core services), once per loaded object in the process (other
 *      registries share it; fini runs when the last one lets go).
 */
#ifndef TLSPLUG_CORE_LOADER_H
#define TLSPLUG_CORE_LOADER_H

#include <stddef.h>

#include "internal.h"

/* Longest rejection reason kept. */
#define TLSPLUG_REASON_MAX 512

/*
 * Loads record b (state FOUND) in place: afterwards it is OK (b->d set) or
 * REJECTED (b->reject_reason set).  The caller holds the registry's lock.
 * Returns TLSPLUG_OK, or TLSPLUG_ERR_NOMEM when the record could not even
 * be marked (then it stays FOUND).
 */
int tlsplug__loader_load(struct tlsplug_registry *r,
                         struct tlsplug_backend *b);

/* Undoes a successful load: descriptor fini (when the last user lets go)
 * and dlclose. */
void tlsplug__loader_unload(struct tlsplug_backend *b);

/*
 * Checks that `path` may be loaded: resolves it, then checks the file and
 * its directory (and the directory the name was found in, when it differs).
 * On success returns TLSPLUG_OK and, if resolved is not NULL, a new string
 * with the resolved path.  Otherwise returns TLSPLUG_ERR_PLUGIN (unsafe) or
 * TLSPLUG_ERR_IO (cannot resolve or open) with the reason in
 * reason[size].  TLSPLUG_ERR_NOMEM too.
 */
int tlsplug__loader_check_location(const char *path, char **resolved,
                                   char *reason, size_t size);

/* The struct_size a descriptor of ABI minor `minor` needs at least. */
size_t tlsplug__descriptor_min_size(unsigned minor);
/* The bytes of struct tlsplug_conn_ops a plugin of ABI minor `minor`
 * provides (the host copies no more). */
size_t tlsplug__conn_ops_size(unsigned minor);

#endif /* TLSPLUG_CORE_LOADER_H */
