/*
 * ck_run.h -- the end of every Check program's main(): a run in which no
 * test ran is a failure.  CK_RUN_SUITE and CK_RUN_CASE select what Check
 * runs; one left over in the environment (or misspelt) would otherwise make
 * a program run nothing and pass.  `make check` clears both unless they are
 * asked for with TLSPLUG_CK_RUN_SUITE / TLSPLUG_CK_RUN_CASE (tests/local.mk).
 */
#ifndef TLSPLUG_TESTS_CK_RUN_H
#define TLSPLUG_TESTS_CK_RUN_H

#include <stdio.h>
#include <stdlib.h>

#include <check.h>

/* Call after srunner_run_all(): 1 (and says so on stderr) when sr ran no
 * test, else 0.  Add it to the failure count. */
static inline int
ck_ran_nothing(SRunner *sr)
{
	const char *suite = getenv("CK_RUN_SUITE");
	const char *tcase = getenv("CK_RUN_CASE");

	if (srunner_ntests_run(sr) > 0)
		return 0;
	fprintf(stderr, "FAIL: no test ran (CK_RUN_SUITE=%s, CK_RUN_CASE=%s):"
	        " a filter matching nothing, or nothing registered\n",
	        suite != NULL ? suite : "unset",
	        tcase != NULL ? tcase : "unset");
	return 1;
}

#endif
