/*
 * cmd_bench.c -- `tlsplug bench [ARGS]`: runs the benchmark program,
 * tlsplug-bench, with ARGS (see `tlsplug bench --help` and
 * doc/PERFORMANCE.md).
 *
 * The benchmark links the engines directly (to compare against them), which
 * the CLI never does, so it is a program of its own.  It is looked for next
 * to this program (the installed bin directory), then in the build tree
 * (bench/ beside tools/, when this program runs from tools/.libs), then in
 * PATH.  Exit status: that of tlsplug-bench, or 1 when it cannot be run.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#define BENCH_PROGRAM "tlsplug-bench"

/* Tries dir/rel; returns only when it could not be executed. */
static void
try_exec(const char *dir, const char *rel, char **argv)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, rel) >= (int)sizeof(path))
		return;
	if (access(path, X_OK) != 0)
		return;
	argv[0] = path;
	execv(path, argv);
}

int
cmd_bench(int argc, char **argv)
{
	char self[PATH_MAX], *slash;
	ssize_t len;
	size_t dlen;

	(void)argc;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			try_exec(self, BENCH_PROGRAM, argv);
			/* Build tree: libtool keeps the real binary in
			 * tools/.libs; the benchmark's wrapper is bench/. */
			dlen = strlen(self);
			if (dlen >= 11 &&
			    strcmp(self + dlen - 11, "tools/.libs") == 0)
				try_exec(self, "../../bench/" BENCH_PROGRAM, argv);
		}
	}
	argv[0] = (char *)BENCH_PROGRAM;
	execvp(BENCH_PROGRAM, argv);
	cli_error("bench: cannot run %s: %s (it is built and installed with "
	          "tlsplug when an engine is found)", BENCH_PROGRAM,
	          strerror(errno));
	return EXIT_TLS_FAILURE;
}
