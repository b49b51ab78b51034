# tests/bench.mk -- the benchmark's smoke test (every figure is produced for
# every built backend, with native figures and ratios; no timing
# assertions), and the check that steady-state reads and writes make no
# allocation through the core's allocator.
if BUILD_OPENSSL
BENCH_SMOKE_TESTS = tests/bench-smoke.sh
else
if BUILD_GNUTLS
BENCH_SMOKE_TESTS = tests/bench-smoke.sh
endif
endif
TESTS += $(BENCH_SMOKE_TESTS)
EXTRA_DIST += tests/bench-smoke.sh

if HAVE_CHECK
check_PROGRAMS += tests/check_steady_alloc
TESTS += tests/check_steady_alloc
tests_check_steady_alloc_SOURCES = tests/check_steady_alloc.c
tests_check_steady_alloc_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core \
	-DTLSPLUG_GEN_CERTS='"$(abs_top_srcdir)/tools/tlsplug-gen-test-certs"'
tests_check_steady_alloc_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_steady_alloc_LDADD = core/libtlsplug-core.la $(CHECK_LIBS)
endif
