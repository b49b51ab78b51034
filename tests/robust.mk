# tests/robust.mk -- robustness tests: every allocation made to fail in
# turn over a whole TLS scenario (check_torture), and bounded,
# deterministic mutation of config files, certificates, keys, host names,
# TLS records and API calls (check_badinput).  Both link the core's
# convenience library (for the fault-injection hook and internal parsers)
# and load the built plugins as the conformance runners do.
if HAVE_CHECK
ROBUST_TESTS = tests/check_torture tests/check_badinput
check_PROGRAMS += $(ROBUST_TESTS)
TESTS += $(ROBUST_TESTS)

ROBUST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
ROBUST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
ROBUST_LDADD = conformance/libtlsplug-conformance.la \
	core/libtlsplug-core.la $(CHECK_LIBS)

tests_check_torture_SOURCES = tests/check_torture.c \
	tests/conf_runner.c tests/conf_runner.h
tests_check_torture_CPPFLAGS = $(ROBUST_CPPFLAGS)
tests_check_torture_CFLAGS = $(ROBUST_CFLAGS)
tests_check_torture_LDADD = $(ROBUST_LDADD)

tests_check_badinput_SOURCES = tests/check_badinput.c \
	tests/conf_runner.c tests/conf_runner.h
tests_check_badinput_CPPFLAGS = $(ROBUST_CPPFLAGS)
tests_check_badinput_CFLAGS = $(ROBUST_CFLAGS)
tests_check_badinput_LDADD = $(ROBUST_LDADD)
endif
