#!/bin/sh
# In `make check` only when configure ran with --disable-unit-tests: says
# that the Check programs were not built, as a skipped test (exit 77), so
# the summary shows it (and tools/test-all, which fails on any skip,
# refuses such a build).
echo "SKIP: unit tests disabled at configure time (--disable-unit-tests):" \
	"no Check program was built or run" >&2
exit 77
