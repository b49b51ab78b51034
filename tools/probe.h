/*
 * probe.h -- loading every plugin file on the plugin path in child
 * processes, so that a plugin that crashes or hangs while loading is
 * reported as rejected instead of taking the caller down with it.
 */
#ifndef TLSPLUG_TOOLS_PROBE_H
#define TLSPLUG_TOOLS_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* A list of strings owned by the result. */
struct probe_strv {
	char **v;
	size_t n;
};

/* One plugin file, in discovery order. */
struct probe_entry {
	char *name;              /* from the descriptor, else from the path */
	char *path;
	int state;               /* enum tlsplug_backend_state */
	char *reason;            /* rejected: why */
	unsigned abi_major, abi_minor;   /* 0.0: descriptor never read */
	char *engine;            /* ok only */
	char *description;       /* ok only */
	int priority;            /* ok only */
	uint64_t caps;           /* ok only */
};

/* What probing found: the files, the default backend and the registry's
 * other findings. */
struct probe_result {
	struct probe_entry *entries;
	size_t nentries;
	struct probe_strv dirs;      /* plugin directories searched */
	struct probe_strv missing;   /* configured names not found */
	struct probe_strv diags;     /* config diagnostics "file:line: msg" */
	long default_index;      /* into entries; -1: none */
	int rule;                /* enum tlsplug_choice_rule of the default */
	char *source;            /* where the default was named, or NULL */
	char *choose_error;      /* no default: why (may be NULL) */
};

/*
 * Loads every plugin file of the registry for app (may be NULL) in child
 * processes and chooses the default backend as an application would.  A
 * file whose loading kills the child, or during which the child sends
 * nothing for timeout seconds, is recorded as rejected ("crashed while
 * loading (signal 11)", "timed out while loading (...)") and skipped by
 * the next child.  Returns 0 with *out filled, or prints a "tlsplug:" line
 * and returns -1 (with *out empty).  Free *out with probe_result_clear()
 * either way.
 */
int probe_plugins(const char *app, unsigned timeout,
                  struct probe_result *out);

/* Frees what *r holds and leaves it empty (default_index -1). */
void probe_result_clear(struct probe_result *r);

#endif
