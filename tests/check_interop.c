/*
 * check_interop.c -- the interop matrix: every client backend against every
 * server backend the build produced ($TLSPLUG_TEST_BACKENDS), each pair a
 * TCase named "client->server" running every case of conf_interop_cases.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <check.h>
#include <tlsplug/tlsplug.h>

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
	/* The log says what runs: the matrix, and the pairs that stay at
	 * TLS 1.2 because a side lacks TLS 1.3 (each case reads both
	 * sides' capabilities and skips only what one of them lacks). */
	fprintf(stderr, "interop matrix: %zu x %zu, %zu cases per pair:",
	        runner.n, runner.n, conf_interop_case_count);
	for (ci = 0; ci < runner.n; ci++)
		fprintf(stderr, " %s", conf_runner_name(&runner, ci));
	fputc('\n', stderr);
	for (ci = 0; ci < runner.n; ci++) {
		for (si = 0; si < runner.n; si++) {
			size_t pair = ci * runner.n + si;
			uint64_t cc = tlsplug_backend_caps(runner.backends[ci]);
			uint64_t sc = tlsplug_backend_caps(runner.backends[si]);
			TCase *tc;

			if (!(cc & sc & TLSPLUG_CAP_TLS1_3))
				fprintf(stderr, "note: %s->%s at TLS 1.2 (%s "
				        "lacks tls1_3)\n",
				        conf_runner_name(&runner, ci),
				        conf_runner_name(&runner, si),
				        conf_runner_name(&runner,
				            cc & TLSPLUG_CAP_TLS1_3 ? si : ci));

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
