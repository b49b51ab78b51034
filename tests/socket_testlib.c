/* socket_testlib.c -- see socket_testlib.h. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "socket_testlib.h"

int
st_load_backends(const char *prog, struct tlsplug_registry **reg,
                 const struct tlsplug_backend **out, int max)
{
	const char *list = getenv("TLSPLUG_TEST_BACKENDS");
	char *copy, *tok, *save = NULL;
	int n = 0;

	if (tlsplug_registry_new(NULL, reg, NULL) != TLSPLUG_OK) {
		fprintf(stderr, "%s: no registry\n", prog);
		exit(99);
	}
	if (list == NULL)
		return 0;
	copy = strdup(list);
	if (copy == NULL)
		exit(99);
	for (tok = strtok_r(copy, " ", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, " ", &save)) {
		const struct tlsplug_backend *b = NULL;
		struct tlsplug_error *err = NULL;

		if (tlsplug_registry_load_file(*reg, tok, &b, &err) !=
		    TLSPLUG_OK) {
			fprintf(stderr, "%s: %s: %s\n", prog, tok,
			        err ? tlsplug_error_message(err) : "?");
			exit(99);
		}
		out[n++] = b;
	}
	free(copy);
	return n;
}

int
st_make_certs(const char *prog, char *dir, size_t size)
{
	const char *srcdir = getenv("top_srcdir");
	char cmd[PATH_MAX * 3];
	char tmpl[64];

	snprintf(tmpl, sizeof(tmpl), "/tmp/tlsplug-%s-XXXXXX", prog);
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(dir, size, "%s", tmpl);
	snprintf(cmd, sizeof(cmd), "sh '%s/tools/tlsplug-gen-test-certs' "
	         "'%s' >/dev/null", srcdir ? srcdir : "..", dir);
	return system(cmd) == 0 ? 0 : -1;
}

void
st_remove_certs(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}
