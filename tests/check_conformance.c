/*
 * check_conformance.c -- the conformance suite (conformance/) against
 * every plugin the build produced ($TLSPLUG_TEST_BACKENDS): one TCase per
 * backend, every case once in it, client and server on that backend.
 *
 * One backend only: CK_RUN_CASE=openssl (through make: make check
 * TESTS=tests/check_conformance TLSPLUG_CK_RUN_CASE=openssl, as make
 * check clears CK_RUN_CASE).  Under valgrind, from the build
 * directory (the environment as tests/local.mk sets it):
 *   CK_FORK=no CK_RUN_CASE=openssl ./libtool --mode=execute valgrind \
 *       --leak-check=full --errors-for-leak-kinds=definite \
 *       --error-exitcode=9 tests/check_conformance
 * (about 35 s per backend).  tests/check_interop runs the same way.
 *
 * TLSPLUG_CONF_JOBS=N (N up to 16) runs the backends in N processes at
 * once, forked after the plugins are loaded, backend b in process b % N;
 * it fails when any of them fails.  tools/test-all uses it under valgrind,
 * which follows the forks, so the suite's CPU time spreads over the cores.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "conf_runner.h"
#include "ck_run.h"

/* Seconds per case; the slowest takes about a second. */
#define CASE_TIMEOUT 120

static struct conf_runner runner;

/* Loop index: backend * conf_case_count + case. */
START_TEST(test_conformance)
{
	size_t b = (size_t)_i / conf_case_count;
	const struct conf_case *c = &conf_cases[(size_t)_i % conf_case_count];
	struct conf_env env = { runner.backends[b], runner.backends[b],
	                        runner.loaded, runner.nloaded,
	                        runner.certdir };
	char why[1024] = "";

	if (runner.backends[b] == NULL)
		ck_abort_msg("%s [%s]: plugin not loaded: %s", c->name,
		             runner.paths[b], runner.load_error[b]);
	if (c->run(&env, why, sizeof(why)) != 0)
		ck_abort_msg("%s [%s]: %s", c->name,
		             conf_runner_name(&runner, b), why);
}
END_TEST

/* Runs the backends b with b % jobs == shard; returns the failure count. */
static int
run_shard(size_t jobs, size_t shard)
{
	Suite *s;
	SRunner *sr;
	size_t b;
	int failed;

	s = suite_create("conformance");
	for (b = 0; b < runner.n; b++) {
		TCase *tc;

		if (b % jobs != shard)
			continue;
		tc = tcase_create(conf_runner_name(&runner, b));
		tcase_set_timeout(tc, CASE_TIMEOUT);
		tcase_add_loop_test(tc, test_conformance,
		                    (int)(b * conf_case_count),
		                    (int)((b + 1) * conf_case_count));
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	return failed;
}

/* TLSPLUG_CONF_JOBS, or 1 when unset; 0 when it is not 1..16. */
static size_t
conf_jobs(void)
{
	const char *v = getenv("TLSPLUG_CONF_JOBS");
	char *end;
	unsigned long n;

	if (v == NULL || *v == '\0')
		return 1;
	n = strtoul(v, &end, 10);
	if (*end != '\0' || n < 1 || n > 16)
		return 0;
	return (size_t)n;
}

int
main(void)
{
	size_t jobs = conf_jobs(), j, started = 0;
	pid_t pids[16];
	int rc, failed = 0, status = 0;

	if (jobs == 0) {
		fprintf(stderr, "TLSPLUG_CONF_JOBS=%s: not a number from 1 "
		        "to 16\n", getenv("TLSPLUG_CONF_JOBS"));
		return EXIT_FAILURE;
	}
	rc = conf_runner_setup(&runner);
	if (rc != 0) {
		conf_runner_teardown(&runner);
		return rc;
	}
	if (jobs > runner.n)
		jobs = runner.n;
	if (jobs <= 1) {
		failed = run_shard(1, 0);
		conf_runner_teardown(&runner);
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	fflush(NULL);
	for (j = 0; j < jobs; j++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("check_conformance: fork");
			failed++;
			break;
		}
		if (pid == 0) {
			int f = run_shard(jobs, j);

			/* The certificates are the parent's to remove: the
			 * other processes still read them. */
			runner.certdir[0] = '\0';
			conf_runner_teardown(&runner);
			fflush(NULL);
			_exit(f == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
		}
		pids[started++] = pid;
	}
	for (j = 0; j < started; j++) {
		pid_t r;

		do
			r = waitpid(pids[j], &status, 0);
		while (r < 0 && errno == EINTR);
		if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "check_conformance: process %zu of %zu "
			        "failed (status %d)\n", j + 1, jobs, status);
			failed++;
		}
	}
	conf_runner_teardown(&runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
