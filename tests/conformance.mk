# The conformance suite against every built plugin, and the interop matrix
# (every client backend x every server backend).  The cases live in
# conformance/ (shared with `tlsplug check-backend`); the test
# certificates are generated at run time by tools/tlsplug-gen-test-certs.
if HAVE_CHECK
check_PROGRAMS += tests/check_conformance tests/check_interop
TESTS += tests/check_conformance tests/check_interop

conformance_runner_sources = tests/conf_runner.c tests/conf_runner.h
conformance_runner_ldadd = conformance/libtlsplug-conformance.la \
	libtlsplug.la $(CHECK_LIBS)

tests_check_conformance_SOURCES = tests/check_conformance.c \
	$(conformance_runner_sources)
tests_check_conformance_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_conformance_LDADD = $(conformance_runner_ldadd)

tests_check_interop_SOURCES = tests/check_interop.c \
	$(conformance_runner_sources)
tests_check_interop_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_interop_LDADD = $(conformance_runner_ldadd)

# The capability set each shipped engine declares, pinned by a table.
check_PROGRAMS += tests/check_caps
TESTS += tests/check_caps
tests_check_caps_SOURCES = tests/check_caps.c
tests_check_caps_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_caps_LDADD = libtlsplug.la $(CHECK_LIBS)
endif

# The same suite through `tlsplug check-backend`.
TESTS += tests/check-backend.sh
dist_check_SCRIPTS += tests/check-backend.sh
