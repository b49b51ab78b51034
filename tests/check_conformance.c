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
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

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

int
main(void)
{
	Suite *s;
	SRunner *sr;
	int rc, failed;
	size_t b;

	rc = conf_runner_setup(&runner);
	if (rc != 0) {
		conf_runner_teardown(&runner);
		return rc;
	}
	s = suite_create("conformance");
	for (b = 0; b < runner.n; b++) {
		TCase *tc = tcase_create(conf_runner_name(&runner, b));

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
	conf_runner_teardown(&runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
