/*
 * check_interop.c -- the interop matrix: every client backend against every
 * server backend the build produced ($TLSPLUG_TEST_BACKENDS), each pair a
 * TCase named "client->server" running every case of conf_interop_cases.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <check.h>

#include "conf_runner.h"
#include "ck_run.h"

#define CASE_TIMEOUT 120

static struct conf_runner runner;
/* TCase names ("openssl->gnutls"): Check keeps the pointers. */
static char pair_names[CONF_RUNNER_MAX * CONF_RUNNER_MAX][140];

/* Loop index: (client * n + server) * conf_interop_case_count + case. */
START_TEST(test_interop)
{
	size_t pair = (size_t)_i / conf_interop_case_count;
	const struct conf_case *c =
		&conf_interop_cases[(size_t)_i % conf_interop_case_count];
	size_t ci = pair / runner.n, si = pair % runner.n;
	struct conf_env env = { runner.backends[ci], runner.backends[si],
	                        runner.loaded, runner.nloaded,
	                        runner.certdir };
	char why[1024] = "";

	if (env.client == NULL || env.server == NULL)
		ck_abort_msg("%s [%s->%s]: plugin not loaded: %s", c->name,
		             conf_runner_name(&runner, ci),
		             conf_runner_name(&runner, si),
		             runner.load_error[env.client == NULL ? ci : si]);
	if (c->run(&env, why, sizeof(why)) != 0)
		ck_abort_msg("%s [%s->%s]: %s", c->name,
		             conf_runner_name(&runner, ci),
		             conf_runner_name(&runner, si), why);
}
END_TEST

int
main(void)
{
	Suite *s;
	SRunner *sr;
	int rc, failed;
	size_t ci, si;

	rc = conf_runner_setup(&runner);
	if (rc != 0) {
		conf_runner_teardown(&runner);
		return rc;
	}
	s = suite_create("interop");
	for (ci = 0; ci < runner.n; ci++) {
		for (si = 0; si < runner.n; si++) {
			size_t pair = ci * runner.n + si;
			TCase *tc;

			snprintf(pair_names[pair], sizeof(pair_names[pair]),
			         "%s->%s", conf_runner_name(&runner, ci),
			         conf_runner_name(&runner, si));
			tc = tcase_create(pair_names[pair]);
			tcase_set_timeout(tc, CASE_TIMEOUT);
			tcase_add_loop_test(tc, test_interop,
			    (int)(pair * conf_interop_case_count),
			    (int)((pair + 1) * conf_interop_case_count));
			suite_add_tcase(s, tc);
		}
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr) + ck_ran_nothing(sr);
	srunner_free(sr);
	conf_runner_teardown(&runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
