/* conf_runner.h -- what the conformance and interop Check runners share:
 * loading the backends of $TLSPLUG_TEST_BACKENDS and making the test
 * certificates. */
#ifndef TLSPLUG_TESTS_CONF_RUNNER_H
#define TLSPLUG_TESTS_CONF_RUNNER_H

#include <stddef.h>

#include "../conformance/conformance.h"

#define CONF_RUNNER_MAX 16

struct conf_runner {
	struct tlsplug_registry *reg;
	size_t n;                          /* plugin paths listed */
	const char *paths[CONF_RUNNER_MAX];
	/* NULL when the plugin failed to load; see load_error. */
	const struct tlsplug_backend *backends[CONF_RUNNER_MAX];
	char load_error[CONF_RUNNER_MAX][512];
	/* The backends that loaded, for conf_env.all. */
	const struct tlsplug_backend *loaded[CONF_RUNNER_MAX];
	size_t nloaded;
	char certdir[4096];
	char list[4096];                   /* copy of the environment value */
};

/* Reads the environment, loads the plugins, generates the certificates.
 * Returns 0; 77 (skip) when no backend was built; 99 on a hard error
 * (message printed). */
int conf_runner_setup(struct conf_runner *r);
/* Removes the certificates and frees the registry. */
void conf_runner_teardown(struct conf_runner *r);
/* The name to show for backend i (its name, or the file name). */
const char *conf_runner_name(const struct conf_runner *r, size_t i);

#endif
